// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that LinearAttention with the gated delta rule unrolls its 2 steps,
// each decaying the state (exp), retrieving S^T k (a reduction), writing
// beta * (v - retrieved) as an outer product and reading the output (a
// reduction), and concatenates the step outputs along T.
// CHECK-LABEL: func.func @linear_attention
// CHECK-COUNT-2: math.exp
// CHECK: tensor.concat dim(1)
// CHECK-SAME: -> tensor<1x2x8xf32>
func.func @linear_attention(%q: tensor<1x2x8xf32>, %d: tensor<1x2x8xf32>, %b: tensor<1x2x2xf32>) -> (tensor<1x2x8xf32>, tensor<1x2x4x4xf32>) {
  %0:2 = graph.LinearAttention %q, %q, %q decay(%d) beta(%b) {kv_num_heads = 2 : i64, q_num_heads = 2 : i64} : (tensor<1x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x8xf32>, tensor<1x2x2xf32>) -> (tensor<1x2x8xf32>, tensor<1x2x4x4xf32>)
  return %0#0, %0#1 : tensor<1x2x8xf32>, tensor<1x2x4x4xf32>
}
