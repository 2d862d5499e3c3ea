// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that CausalConvWithState is a generic over the output that sums the
// 3 taps of the left-padded sequence (past_state below position K-1, the
// input after), adds the bias, applies SiLU, and a second generic returning
// the last K-1 padded positions as present_state.
// CHECK-LABEL: func.func @causal_conv
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2xf32>
// CHECK-COUNT-3: tensor.extract %{{.*}} : tensor<2x1x3xf32>
// CHECK: math.exp
// CHECK: linalg.yield
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<1x2x5xf32>
// CHECK: tensor.extract %{{.*}} : tensor<1x2x2xf32>
// CHECK: arith.select
func.func @causal_conv(%x: tensor<1x2x5xf32>, %w: tensor<2x1x3xf32>, %b: tensor<2xf32>, %p: tensor<1x2x2xf32>) -> (tensor<1x2x5xf32>, tensor<1x2x2xf32>) {
  %0:2 = graph.CausalConvWithState %x, %w bias(%b) past_state(%p) {activation = "silu"} : (tensor<1x2x5xf32>, tensor<2x1x3xf32>, tensor<2xf32>, tensor<1x2x2xf32>) -> (tensor<1x2x5xf32>, tensor<1x2x2xf32>)
  return %0#0, %0#1 : tensor<1x2x5xf32>, tensor<1x2x2xf32>
}
