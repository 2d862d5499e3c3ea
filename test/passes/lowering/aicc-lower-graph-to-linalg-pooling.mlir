// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that MaxPool pads with -inf and AveragePool excluding pads divides by
// a per-position count.
// CHECK-LABEL: func @pools
func.func @pools(%x: tensor<1x2x7x7xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) {
  // CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[NEGINF]]
  // CHECK: linalg.pooling_nchw_max {{.*}} ins(%[[P]],
  %y, %i = graph.MaxPool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xi64>)
  // CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum
  // CHECK: linalg.generic {{.*}} ins(%[[SUM]] :
  // CHECK: linalg.index 2
  // CHECK: arith.ceildivsi
  // CHECK: arith.divf
  %a = graph.AveragePool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK: tensor.expand_shape
  %g = graph.GlobalAveragePool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  return %y, %a, %g : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>
}

// -----

// Tests that GlobalMaxPool reduces every spatial dim with a max from -inf.
// CHECK-LABEL: func @global_max_pool
func.func @global_max_pool(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32> {
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK: arith.maximumf
  // CHECK: tensor.expand_shape
  %0 = graph.GlobalMaxPool %x : (tensor<1x2x3x3xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}
