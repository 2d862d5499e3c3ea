// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that an op whose lowering is static-only declines with the dynamic
// dim, its expression and the op type, while the ops around it are lowered.
// CHECK-LABEL: func.func @conv
// CHECK: graph.Conv {{.*}}aicc.unsupported = "dynamic dim 0 (batch) of input 0 is not supported by the lowering of Conv yet"
// CHECK-NOT: graph.Relu
func.func @conv(%x: tensor<?x1x4x4xf32> {aicc.shape = affine_map<()[s0] -> (s0, 1, 4, 4)>},
                %w: tensor<1x1x1x1xf32>) -> tensor<?x1x4x4xf32>
    attributes {aicc.symbols = {batch = array<i64: 1, 4>}} {
  %0 = graph.Conv %x, %w : (tensor<?x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<?x1x4x4xf32>
  %1 = graph.Relu %0 : (tensor<?x1x4x4xf32>) -> tensor<?x1x4x4xf32>
  return %1 : tensor<?x1x4x4xf32>
}

// -----

// Tests that a Reshape that is not a pure expand or collapse of its dynamic
// dims ([1, seq, 6] to [1, 2 * seq, 3]) declines and says so.
// CHECK-LABEL: func.func @reshape_split_dynamic
// CHECK: graph.Reshape {{.*}}aicc.unsupported = "the reshape of tensor<1x?x6xf32> to tensor<1x?x3xf32> is not a pure expand or collapse of its dynamic dims; not supported by the lowering yet"
func.func @reshape_split_dynamic(%x: tensor<1x?x6xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 6)>})
    -> tensor<1x?x3xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 8>}} {
  %shape = graph.constant dense<[1, -1, 3]> : tensor<3xi64>
  %0 = graph.Reshape %x, %shape : (tensor<1x?x6xf32>, tensor<3xi64>) -> tensor<1x?x3xf32>
  return %0 : tensor<1x?x3xf32>
}
