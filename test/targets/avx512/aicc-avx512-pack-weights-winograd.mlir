// RUN: aicc-opt %s -split-input-file --aicc-avx512-pack-weights="winograd=true" | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-avx512-pack-weights | FileCheck %s --check-prefix=DIRECT

// Tests that a 3x3 stride-1 fp32 conv of 64 -> 72 channels on a 24x24 map
// (144 tiles of 2x2) gets the Winograd F(2x2, 3x3) transform of its weights,
// [3][3][2][Fp/8][C][8] (18 points per channel pair, 16 of a 4x4 tile and
// 2 of zeros; 72 output channels: 9 blocks of 8), the map
// (kh, kw, 0, f floordiv 8, c, f mod 8) and the attribute aicc.winograd.
// All weights 1: U = G g G^T has point (0, 0) = g(0, 0) = 1, point (1, 1)
// = (sum of the 3x3 taps) / 4 = 2.25 and point (0, 1) = 1.5.
// Without the option the conv keeps its direct layout.
// CHECK-DAG: #[[$WINO:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d5, d6, 0, d1 floordiv 8, d4, d1 mod 8)>
// CHECK-LABEL: func @winograd_conv
// CHECK: %[[U:.*]] = graph.constant dense_resource<w.winograd> : tensor<3x3x2x9x64x8xf32>
// CHECK: linalg.generic
// CHECK-SAME: #[[$WINO]]
// CHECK-SAME: ins(%{{.*}}, %[[U]] :
// CHECK: aicc.winograd = "f2x2_3x3"
// DIRECT-LABEL: func @winograd_conv
// DIRECT-NOT: aicc.winograd
// DIRECT: graph.constant dense<1.000000e+00> : tensor<72x64x3x3xf32>
// DIRECT-NOT: aicc.winograd
func.func @winograd_conv(%x: tensor<1x64x26x26xf32>) -> tensor<1x72x24x24xf32> {
  %w = graph.constant dense<1.0> : tensor<72x64x3x3xf32> loc("w")
  %e = tensor.empty() : tensor<1x72x24x24xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x64x26x26xf32>, tensor<72x64x3x3xf32>) outs(%e : tensor<1x72x24x24xf32>) -> tensor<1x72x24x24xf32>
  return %y : tensor<1x72x24x24xf32>
}

// -----

// Tests that convs Winograd does not pay for or cannot compute keep their
// direct weights: too few channels (32 -> 64), a map of fewer than 16
// tiles (5x5: 9), stride 2, and a 1x1 conv.
// CHECK-LABEL: func @direct_convs
// CHECK-NOT: aicc.winograd
// CHECK: return
func.func @direct_convs(%a: tensor<1x32x58x58xf32>, %b: tensor<1x64x7x7xf32>,
                        %c: tensor<1x64x57x57xf32>, %d: tensor<1x64x56x56xf32>)
    -> (tensor<1x64x56x56xf32>, tensor<1x64x5x5xf32>, tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>) {
  %w1 = graph.constant dense<1.0> : tensor<64x32x3x3xf32>
  %w2 = graph.constant dense<1.0> : tensor<64x64x3x3xf32>
  %w3 = graph.constant dense<1.0> : tensor<64x64x1x1xf32>
  %e1 = tensor.empty() : tensor<1x64x56x56xf32>
  %e2 = tensor.empty() : tensor<1x64x5x5xf32>
  %e3 = tensor.empty() : tensor<1x64x28x28xf32>
  %y1 = linalg.conv_2d_nchw_fchw ins(%a, %w1 : tensor<1x32x58x58xf32>, tensor<64x32x3x3xf32>) outs(%e1 : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  %y2 = linalg.conv_2d_nchw_fchw ins(%b, %w2 : tensor<1x64x7x7xf32>, tensor<64x64x3x3xf32>) outs(%e2 : tensor<1x64x5x5xf32>) -> tensor<1x64x5x5xf32>
  %y3 = linalg.conv_2d_nchw_fchw {strides = dense<2> : tensor<2xi64>} ins(%c, %w2 : tensor<1x64x57x57xf32>, tensor<64x64x3x3xf32>) outs(%e3 : tensor<1x64x28x28xf32>) -> tensor<1x64x28x28xf32>
  %y4 = linalg.conv_2d_nchw_fchw ins(%d, %w3 : tensor<1x64x56x56xf32>, tensor<64x64x1x1xf32>) outs(%e1 : tensor<1x64x56x56xf32>) -> tensor<1x64x56x56xf32>
  return %y1, %y2, %y3, %y4 : tensor<1x64x56x56xf32>, tensor<1x64x5x5xf32>, tensor<1x64x28x28xf32>, tensor<1x64x56x56xf32>
}
