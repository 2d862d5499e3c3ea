// RUN: aicc-opt %s -split-input-file --aicc-avx512-pack-weights | FileCheck %s

// Tests that a conv on a narrow image gets its constant weights transposed
// to [Cin][Kh][Kw][Cout] with the weight map permuted to match.
// CHECK-LABEL: func @narrow_conv
func.func @narrow_conv(%x: tensor<1x32x9x9xf32>) -> tensor<1x32x7x7xf32> {
  // CHECK: %[[W:.*]] = graph.constant dense<1.000000e+00> : tensor<32x3x3x32xf32>
  // CHECK: linalg.generic
  // CHECK-SAME: ins(%{{.*}}, %[[W]] :
  %w = graph.constant dense<1.0> : tensor<32x32x3x3xf32> loc("w")
  %e = tensor.empty() : tensor<1x32x7x7xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x32x9x9xf32>, tensor<32x32x3x3xf32>) outs(%e : tensor<1x32x7x7xf32>) -> tensor<1x32x7x7xf32>
  return %y : tensor<1x32x7x7xf32>
}

// -----

// Tests that a conv whose output rows fill a vector keeps its weights.
// CHECK-LABEL: func @wide_conv
func.func @wide_conv(%x: tensor<1x32x34x34xf32>) -> tensor<1x32x32x32xf32> {
  // CHECK: graph.constant dense<1.000000e+00> : tensor<32x32x3x3xf32>
  // CHECK-NOT: tensor<32x3x3x32xf32>
  %w = graph.constant dense<1.0> : tensor<32x32x3x3xf32> loc("w")
  %e = tensor.empty() : tensor<1x32x32x32xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x32x34x34xf32>, tensor<32x32x3x3xf32>) outs(%e : tensor<1x32x32x32xf32>) -> tensor<1x32x32x32xf32>
  return %y : tensor<1x32x32x32xf32>
}
