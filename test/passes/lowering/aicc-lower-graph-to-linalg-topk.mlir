// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that TopK ranks every element against every other along the axis
// (a reduction over a second loop on the axis: larger first, equal values
// by lower index, NaN as the largest value), picks the position of each rank k < K with a
// second reduction, and gathers the values there.
// CHECK-LABEL: func.func @top_k
// CHECK-SAME: (%[[X:[^:]*]]: tensor<3x4xf32>)
// CHECK: %[[RANKS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[X]] : tensor<3x4xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<3x4xi64>)
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf ord
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oeq
// CHECK: arith.cmpi slt
// CHECK: %[[IDX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[RANKS]] : tensor<3x4xi64>) outs(%{{.*}} : tensor<3x2xi64>)
// CHECK: %[[VALS:.*]] = linalg.generic
// CHECK-SAME: ins(%[[IDX]] : tensor<3x2xi64>)
// CHECK: tensor.extract %[[X]]
// CHECK: return %[[VALS]], %[[IDX]]
func.func @top_k(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>) {
  %k = graph.constant dense<2> : tensor<1xi64>
  %v, %i = graph.TopK %x, %k {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xf32>, tensor<3x2xi64>
}

// -----

// Tests that the smallest-first order of an unsigned input compares
// unsigned (ult), along axis 0.
// CHECK-LABEL: func.func @top_k_smallest_unsigned
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.cmpi ult
// CHECK: arith.cmpi eq
func.func @top_k_smallest_unsigned(%x: tensor<5x2xui32>) -> (tensor<3x2xui32>, tensor<3x2xi64>) {
  %k = graph.constant dense<3> : tensor<1xi64>
  %v, %i = graph.TopK %x, %k {axis = 0 : i64, largest = 0 : i64} : (tensor<5x2xui32>, tensor<1xi64>) -> (tensor<3x2xui32>, tensor<3x2xi64>)
  return %v, %i : tensor<3x2xui32>, tensor<3x2xi64>
}
