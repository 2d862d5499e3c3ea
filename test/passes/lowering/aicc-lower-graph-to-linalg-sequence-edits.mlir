// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that ReverseSequence reads each element from len - 1 - t along the
// time axis (1) when t < len = sequence_lens[b] (b along axis 0), clamping
// the length, and the element itself past it.
// CHECK-LABEL: func.func @reverse_sequence
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2xi64>
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: arith.cmpi slt
// CHECK: arith.select
// CHECK: tensor.extract %{{.*}} : tensor<2x4xf32>
func.func @reverse_sequence(%x: tensor<2x4xf32>, %l: tensor<2xi64>) -> tensor<2x4xf32> {
  %0 = graph.ReverseSequence %x, %l {batch_axis = 0 : i64, time_axis = 1 : i64} : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Tests that circular TensorScatter takes position p from the update at
// (p - write_index) mod max_len when that is below the update length, and
// from past_cache otherwise.
// CHECK-LABEL: func.func @tensor_scatter_circular
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2xi64>
// CHECK: arith.remsi
// CHECK: tensor.extract %{{.*}} : tensor<2x3x4xf32>
// CHECK: tensor.extract %{{.*}} : tensor<2x5x4xf32>
// CHECK: arith.select
func.func @tensor_scatter_circular(%p: tensor<2x5x4xf32>, %u: tensor<2x3x4xf32>, %w: tensor<2xi64>) -> tensor<2x5x4xf32> {
  %0 = graph.TensorScatter %p, %u, %w {mode = "circular"} : (tensor<2x5x4xf32>, tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}
