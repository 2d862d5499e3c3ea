// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that OneHot is one parallel generic over the output reading the
// index at the other dims, wrapping a negative index by the depth (3), and
// selecting values[1] where it equals the position on the new axis (0 here)
// and values[0] elsewhere.
// CHECK-LABEL: func.func @one_hot
// CHECK-SAME: (%[[I:[^:]*]]: tensor<2xi64>, %[[V:[^:]*]]: tensor<2xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<2xi64>) outs(%{{.*}} : tensor<3x2xf32>)
// CHECK: arith.cmpi slt
// CHECK: %[[DEPTH:.*]] = arith.constant 3 : i64
// CHECK: arith.addi %{{.*}}, %[[DEPTH]]
// CHECK: %[[POS:.*]] = linalg.index 0 : index
// CHECK: %[[HIT:.*]] = arith.cmpi eq
// CHECK: %[[OFF:.*]] = tensor.extract %[[V]][%{{.*}}]
// CHECK: %[[ON:.*]] = tensor.extract %[[V]][%{{.*}}]
// CHECK: arith.select %[[HIT]], %[[ON]], %[[OFF]]
func.func @one_hot(%i: tensor<2xi64>, %v: tensor<2xf32>) -> tensor<3x2xf32> {
  %d = graph.constant dense<3> : tensor<i64>
  %y = graph.OneHot %i, %d, %v {axis = 0 : i64} : (tensor<2xi64>, tensor<i64>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
