// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that Conv zero-pads with tensor.pad, starts from the broadcast bias
// and is a named 2-D convolution with its strides; depthwise Conv uses the
// depthwise named op.
// CHECK-LABEL: func @conv
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<6xf32>, %dw: tensor<4x1x3x3xf32>) -> (tensor<1x6x4x4xf32>, tensor<1x4x8x8xf32>) {
  // CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
  // CHECK: %[[BIAS:.*]] = linalg.generic
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
  // CHECK-SAME: ins(%[[P]], %{{.*}} : tensor<1x4x9x9xf32>, tensor<6x4x3x3xf32>) outs(%[[BIAS]] : tensor<1x6x4x4xf32>)
  %0 = graph.Conv %x, %w, %b {pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  // CHECK: linalg.depthwise_conv_2d_nchw_chw
  %1 = graph.Conv %x, %dw {group = 4 : i64, auto_pad = "SAME_UPPER"} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0, %1 : tensor<1x6x4x4xf32>, tensor<1x4x8x8xf32>
}

// -----

// Tests that ConvTranspose zero-stuffs the input with a strided
// insert_slice and convolves with the flipped kernel.
// CHECK-LABEL: func @conv_transpose
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x5x3x3xf32>) -> tensor<1x5x7x7xf32> {
  // CHECK: %[[Z:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 2, 2] [1, 2, 3, 3] [1, 1, 2, 2] : tensor<1x2x3x3xf32> into tensor<1x2x9x9xf32>
  // CHECK: %[[F:.*]] = linalg.generic
  // CHECK: tensor.extract
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[Z]], %[[F]] : tensor<1x2x9x9xf32>, tensor<5x2x3x3xf32>)
  %0 = graph.ConvTranspose %x, %w {strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x5x3x3xf32>) -> tensor<1x5x7x7xf32>
  return %0 : tensor<1x5x7x7xf32>
}
