// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that ScatterElements starts from the data and reduces over the
// updates, combining where the (normalized) index names the output element;
// each index read carries the size of the axis (checked at run time); and
// that GatherND gathers at the index tuple read with tensor.extract.
// CHECK-LABEL: func @scatter_gathernd
// CHECK-SAME: (%[[D:.*]]: tensor<3x3xf32>, %[[I:.*]]: tensor<1x2xi64>, %[[U:.*]]: tensor<1x2xf32>
func.func @scatter_gathernd(%d: tensor<3x3xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>, %nd: tensor<2x1xi64>) -> (tensor<3x3xf32>, tensor<2x3xf32>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK-SAME: ins(%[[U]] : tensor<1x2xf32>) outs(%[[D]] : tensor<3x3xf32>)
  // CHECK: tensor.extract %[[I]]{{.*}} {aicc.index_bound = 3 : i64} : tensor<1x2xi64>
  // CHECK: arith.cmpi eq
  // CHECK: arith.addf
  // CHECK: arith.select
  %0 = graph.ScatterElements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x3xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<3x3xf32>
  // CHECK: tensor.extract %{{.*}} : tensor<2x1xi64>
  // CHECK-NOT: arith.minsi
  // CHECK: tensor.extract %[[D]]{{.*}} {aicc.checked_index}
  %1 = graph.GatherND %d, %nd : (tensor<3x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  return %0, %1 : tensor<3x3xf32>, tensor<2x3xf32>
}

// -----

// Tests that ScatterND starts from the data and writes each update where its
// index tuple names the output element; each index read carries the size of
// the dim it indexes (checked at run time).
// CHECK-LABEL: func @scatter_nd
// CHECK-SAME: (%[[D:.*]]: tensor<4x2xf32>, %[[I:.*]]: tensor<2x1xi64>, %[[U:.*]]: tensor<2x2xf32>)
func.func @scatter_nd(%d: tensor<4x2xf32>, %i: tensor<2x1xi64>, %u: tensor<2x2xf32>) -> tensor<4x2xf32> {
  // CHECK: linalg.generic
  // CHECK-SAME: outs(%[[D]] : tensor<4x2xf32>)
  // CHECK: tensor.extract %[[I]]{{.*}} {aicc.index_bound = 4 : i64}
  // CHECK: arith.cmpi eq
  // CHECK: arith.select
  %0 = graph.ScatterND %d, %i, %u : (tensor<4x2xf32>, tensor<2x1xi64>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
