// RUN: aicc-opt %s -split-input-file --aicc-graph-expand-einsum -verify-diagnostics

// Tests that contracting dims of different sizes is an error.
func.func @contract_sizes(%a: tensor<3x4xf32>, %b: tensor<1x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{Einsum: equation 'ij,jk->ik' contracted dimension sizes 4 and 1 differ}}
  %y = graph.Einsum %a, %b {equation = "ij,jk->ik"} : (tensor<3x4xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}
