// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that a stride-2 depthwise QLinearConv on an even input (3x3, pads 1)
// pads x with its zero point only where its windows read (low 1, high 0:
// the last padded row and column are never read), with no crop between the
// pad and the conv, so the avx512 target folds the pad into the conv.
// CHECK-LABEL: func @qlinear_conv_depthwise_stride2_pad
func.func @qlinear_conv_depthwise_stride2_pad(%x: tensor<1x2x4x4xui8>, %xs: tensor<f32>, %ws: tensor<2xf32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x2x2xui8> {
  // CHECK: %[[ZP:.*]] = arith.constant 2 : i8
  // CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
  // CHECK: tensor.yield %[[ZP]] : i8
  // CHECK-NEXT: } : tensor<1x2x4x4xi8> to tensor<1x2x5x5xi8>
  // CHECK-NOT: tensor.extract_slice
  // CHECK: linalg.generic {{.*}} ins(%[[PAD]], %{{.*}} : tensor<1x2x5x5xi8>, tensor<2x3x3xi8>)
  %xz = graph.constant dense<2> : tensor<ui8>
  %w = graph.constant dense<1> : tensor<2x1x3x3xi8>
  %wz = graph.constant dense<0> : tensor<2xi8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x3x3xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  return %0 : tensor<1x2x2x2xui8>
}

// -----

// Tests that a stride-2 ungrouped narrow QLinearConv on an odd input keeps
// the padding its windows read on both sides (7 + 1 + 1 = (4 - 1) * 2 + 3),
// with no crop.
// CHECK-LABEL: func @qlinear_conv_stride2_odd_pad
func.func @qlinear_conv_stride2_odd_pad(%x: tensor<1x4x7x7xui8>, %xs: tensor<f32>, %ws: tensor<2xf32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x4x4xui8> {
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK-NOT: tensor.extract_slice
  // CHECK: linalg.generic
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<1> : tensor<2x4x3x3xi8>
  %wz = graph.constant dense<0> : tensor<2xi8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x7x7xui8>, tensor<f32>, tensor<ui8>, tensor<2x4x3x3xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4x4xui8>
  return %0 : tensor<1x2x4x4xui8>
}

// -----

// Tests that an unpadded stride-2 depthwise QLinearConv whose last input
// row and column no window reads still crops them (no pad to shrink).
// CHECK-LABEL: func @qlinear_conv_depthwise_stride2_crop
func.func @qlinear_conv_depthwise_stride2_crop(%x: tensor<1x2x6x6xui8>, %xs: tensor<f32>, %ws: tensor<2xf32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x2x2xui8> {
  // CHECK-NOT: tensor.pad
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 2, 5, 5] [1, 1, 1, 1]
  // CHECK: linalg.generic
  %xz = graph.constant dense<2> : tensor<ui8>
  %w = graph.constant dense<1> : tensor<2x1x3x3xi8>
  %wz = graph.constant dense<0> : tensor<2xi8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz {group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x3x3xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  return %0 : tensor<1x2x2x2xui8>
}

// -----

// Tests that the widened QLinearConv (nonzero w_zero_point), stride 2 on an
// even input, pads only what its windows read too (no crop).
// CHECK-LABEL: func @qlinear_conv_widened_stride2_pad
func.func @qlinear_conv_widened_stride2_pad(%x: tensor<1x4x4x4xui8>, %xs: tensor<f32>, %ws: tensor<f32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x2x2xui8> {
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 0]
  // CHECK-NOT: tensor.extract_slice
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} : tensor<1x4x5x5xi32>, tensor<2x4x3x3xi32>)
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<1> : tensor<2x4x3x3xi8>
  %wz = graph.constant dense<1> : tensor<i8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<2x4x3x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  return %0 : tensor<1x2x2x2xui8>
}
