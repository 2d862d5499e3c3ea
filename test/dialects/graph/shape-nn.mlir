// RUN: aicc-opt %s -split-input-file | FileCheck %s

// The verifier checks each declared result type against the inferred one,
// so a static declared type proves the rule. Expected shapes come from the
// ONNX shape inference of onnx 1.23 or from its reference evaluator.

// Tests that Conv infers NCHW output dims from pads and strides.
// CHECK-LABEL: func @conv
func.func @conv(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32> {
  // CHECK: graph.Conv
  %0 = graph.Conv %x, %w {pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// -----

// Tests that Conv with SAME_LOWER gives ceil(in / stride) for grouped input.
// CHECK-LABEL: func @conv_same_lower_group
func.func @conv_same_lower_group(%x: tensor<1x6x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %0 = graph.Conv %x, %w {auto_pad = "SAME_LOWER", group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x6x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

// Tests that Conv with VALID uses the dilated kernel per axis.
// CHECK-LABEL: func @conv_valid_dilations
func.func @conv_valid_dilations(%x: tensor<1x6x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x1x2xf32> {
  %0 = graph.Conv %x, %w {auto_pad = "VALID", dilations = array<i64: 2, 1>, group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x6x5x5xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x2xf32>
  return %0 : tensor<1x4x1x2xf32>
}

// -----

// Tests that a 1-D Conv with a bias and kernel_shape infers (N, M, L).
// CHECK-LABEL: func @conv_1d_bias
func.func @conv_1d_bias(%x: tensor<2x4x10xf32>, %w: tensor<8x4x3xf32>, %b: tensor<8xf32>) -> tensor<2x8x5xf32> {
  %0 = graph.Conv %x, %w, %b {kernel_shape = array<i64: 3>, pads = array<i64: 1, 1>, strides = array<i64: 2>} : (tensor<2x4x10xf32>, tensor<8x4x3xf32>, tensor<8xf32>) -> tensor<2x8x5xf32>
  return %0 : tensor<2x8x5xf32>
}

// -----

// Tests that Conv keeps static dims next to dynamic batch and height.
// CHECK-LABEL: func @conv_dynamic
func.func @conv_dynamic(%x: tensor<?x3x?x32xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<?x16x?x30xf32> {
  %0 = graph.Conv %x, %w : (tensor<?x3x?x32xf32>, tensor<16x3x3x3xf32>) -> tensor<?x16x?x30xf32>
  return %0 : tensor<?x16x?x30xf32>
}

// -----

// Tests that an unranked Conv input gives an unranked result.
// CHECK-LABEL: func @conv_unranked
func.func @conv_unranked(%x: tensor<*xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<*xf32> {
  %0 = graph.Conv %x, %w : (tensor<*xf32>, tensor<16x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// Tests that ConvInteger infers an i32 result.
// CHECK-LABEL: func @conv_integer
func.func @conv_integer(%x: tensor<1x3x5x5xui8>, %w: tensor<2x3x3x3xui8>, %xz: tensor<ui8>) -> tensor<1x2x5x5xi32> {
  %0 = graph.ConvInteger %x, %w x_zero_point(%xz) {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x5x5xui8>, tensor<2x3x3x3xui8>, tensor<ui8>) -> tensor<1x2x5x5xi32>
  return %0 : tensor<1x2x5x5xi32>
}

// -----

// Tests that QLinearConv takes its element type from y_zero_point.
// CHECK-LABEL: func @qlinear_conv
func.func @qlinear_conv(%x: tensor<1x4x7x7xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %w: tensor<6x2x3x3xi8>, %ws: tensor<f32>, %wz: tensor<i8>, %ys: tensor<f32>, %yz: tensor<i8>, %b: tensor<6xi32>) -> tensor<1x6x3x3xi8> {
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b {group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x4x7x7xui8>, tensor<f32>, tensor<ui8>, tensor<6x2x3x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>, tensor<6xi32>) -> tensor<1x6x3x3xi8>
  return %0 : tensor<1x6x3x3xi8>
}

// -----

// Tests that DeformConv infers the convolution output grid.
// CHECK-LABEL: func @deform_conv
func.func @deform_conv(%x: tensor<1x2x5x5xf32>, %w: tensor<4x2x3x3xf32>, %off: tensor<1x18x3x3xf32>, %mask: tensor<1x9x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %0 = graph.DeformConv %x, %w, %off mask(%mask) : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>, tensor<1x18x3x3xf32>, tensor<1x9x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

// Tests that DeformConv takes output dims from offset when X's are dynamic.
// CHECK-LABEL: func @deform_conv_dynamic
func.func @deform_conv_dynamic(%x: tensor<1x2x?x?xf32>, %w: tensor<4x2x3x3xf32>, %off: tensor<1x18x3x4xf32>) -> tensor<1x4x3x4xf32> {
  %0 = graph.DeformConv %x, %w, %off : (tensor<1x2x?x?xf32>, tensor<4x2x3x3xf32>, tensor<1x18x3x4xf32>) -> tensor<1x4x3x4xf32>
  return %0 : tensor<1x4x3x4xf32>
}

// -----

// Tests that ConvTranspose applies strides, pads and output_padding.
// CHECK-LABEL: func @conv_transpose
func.func @conv_transpose(%x: tensor<1x3x5x5xf32>, %w: tensor<3x4x3x3xf32>) -> tensor<1x4x10x9xf32> {
  %0 = graph.ConvTranspose %x, %w {output_padding = array<i64: 1, 0>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x5x5xf32>, tensor<3x4x3x3xf32>) -> tensor<1x4x10x9xf32>
  return %0 : tensor<1x4x10x9xf32>
}

// -----

// Tests that ConvTranspose with SAME_UPPER gives in * stride.
// CHECK-LABEL: func @conv_transpose_same
func.func @conv_transpose_same(%x: tensor<1x3x5x5xf32>, %w: tensor<3x4x3x3xf32>) -> tensor<1x4x10x10xf32> {
  %0 = graph.ConvTranspose %x, %w {auto_pad = "SAME_UPPER", strides = array<i64: 2, 2>} : (tensor<1x3x5x5xf32>, tensor<3x4x3x3xf32>) -> tensor<1x4x10x10xf32>
  return %0 : tensor<1x4x10x10xf32>
}

// -----

// Tests that ConvTranspose output_shape sets the spatial dims and group
// multiplies the output channels.
// CHECK-LABEL: func @conv_transpose_output_shape
func.func @conv_transpose_output_shape(%x: tensor<1x6x5x5xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x10x12xf32> {
  %0 = graph.ConvTranspose %x, %w, %b {group = 2 : i64, output_shape = array<i64: 10, 12>, strides = array<i64: 2, 2>} : (tensor<1x6x5x5xf32>, tensor<6x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x10x12xf32>
  return %0 : tensor<1x8x10x12xf32>
}

// -----

// Tests that ConvTranspose uses the dilated kernel.
// CHECK-LABEL: func @conv_transpose_dilations
func.func @conv_transpose_dilations(%x: tensor<1x6x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x4x9x9xf32> {
  %0 = graph.ConvTranspose %x, %w {dilations = array<i64: 2, 2>} : (tensor<1x6x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x4x9x9xf32>
  return %0 : tensor<1x4x9x9xf32>
}

// -----

// Tests that CausalConvWithState keeps the input shape and returns a state
// of kernel size - 1 steps.
// CHECK-LABEL: func @causal_conv_with_state
func.func @causal_conv_with_state(%x: tensor<2x8x10xf32>, %w: tensor<8x1x4xf32>, %b: tensor<8xf32>) -> (tensor<2x8x10xf32>, tensor<2x8x3xf32>) {
  %0:2 = graph.CausalConvWithState %x, %w bias(%b) {activation = "silu"} : (tensor<2x8x10xf32>, tensor<8x1x4xf32>, tensor<8xf32>) -> (tensor<2x8x10xf32>, tensor<2x8x3xf32>)
  return %0#0, %0#1 : tensor<2x8x10xf32>, tensor<2x8x3xf32>
}

// -----

// Tests that MaxPool with ceil_mode rounds up and returns i64 Indices.
// CHECK-LABEL: func @max_pool_ceil
func.func @max_pool_ceil(%x: tensor<1x1x5xf32>) -> (tensor<1x1x3xf32>, tensor<1x1x3xi64>) {
  %0:2 = graph.MaxPool %x {ceil_mode = 1 : i64, kernel_shape = array<i64: 2>, strides = array<i64: 2>} : (tensor<1x1x5xf32>) -> (tensor<1x1x3xf32>, tensor<1x1x3xi64>)
  return %0#0, %0#1 : tensor<1x1x3xf32>, tensor<1x1x3xi64>
}

// -----

// Tests that MaxPool with ceil_mode drops a last window that would start in
// the end padding.
// CHECK-LABEL: func @max_pool_ceil_drop
func.func @max_pool_ceil_drop(%x: tensor<1x1x4xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xi64>) {
  %0:2 = graph.MaxPool %x {ceil_mode = 1 : i64, kernel_shape = array<i64: 1>, pads = array<i64: 0, 1>, strides = array<i64: 2>} : (tensor<1x1x4xf32>) -> (tensor<1x1x2xf32>, tensor<1x1x2xi64>)
  return %0#0, %0#1 : tensor<1x1x2xf32>, tensor<1x1x2xi64>
}

// -----

// Tests that MaxPool with SAME_UPPER gives ceil(in / stride).
// CHECK-LABEL: func @max_pool_same
func.func @max_pool_same(%x: tensor<1x3x9x9xf32>) -> (tensor<1x3x5x5xf32>, tensor<1x3x5x5xi64>) {
  %0:2 = graph.MaxPool %x {auto_pad = "SAME_UPPER", kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} : (tensor<1x3x9x9xf32>) -> (tensor<1x3x5x5xf32>, tensor<1x3x5x5xi64>)
  return %0#0, %0#1 : tensor<1x3x5x5xf32>, tensor<1x3x5x5xi64>
}

// -----

// Tests that AveragePool floors with explicit pads.
// CHECK-LABEL: func @average_pool
func.func @average_pool(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x16x16xf32> {
  %0 = graph.AveragePool %x {count_include_pad = 1 : i64, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x32x32xf32>) -> tensor<1x3x16x16xf32>
  return %0 : tensor<1x3x16x16xf32>
}

// -----

// Tests that LpPool uses dilations.
// CHECK-LABEL: func @lp_pool
func.func @lp_pool(%x: tensor<1x1x10xf32>) -> tensor<1x1x6xf32> {
  %0 = graph.LpPool %x {dilations = array<i64: 2>, kernel_shape = array<i64: 3>} : (tensor<1x1x10xf32>) -> tensor<1x1x6xf32>
  return %0 : tensor<1x1x6xf32>
}

// -----

// Tests that the global pools reduce every spatial dim to 1.
// CHECK-LABEL: func @global_pools
func.func @global_pools(%x: tensor<2x3x7x5xf32>) -> (tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>) {
  %0 = graph.GlobalAveragePool %x : (tensor<2x3x7x5xf32>) -> tensor<2x3x1x1xf32>
  %1 = graph.GlobalMaxPool %x : (tensor<2x3x7x5xf32>) -> tensor<2x3x1x1xf32>
  %2 = graph.GlobalLpPool %x {p = 3 : i64} : (tensor<2x3x7x5xf32>) -> tensor<2x3x1x1xf32>
  return %0, %1, %2 : tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>
}

// -----

// Tests that MaxUnpool inverts the pooling formula without output_shape.
// CHECK-LABEL: func @max_unpool
func.func @max_unpool(%x: tensor<2x3x5x5xf32>, %i: tensor<2x3x5x5xi64>) -> tensor<2x3x10x10xf32> {
  %0 = graph.MaxUnpool %x, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x3x5x5xf32>, tensor<2x3x5x5xi64>) -> tensor<2x3x10x10xf32>
  return %0 : tensor<2x3x10x10xf32>
}

// -----

// Tests that MaxUnpool takes a constant output_shape as the result shape.
// CHECK-LABEL: func @max_unpool_output_shape
func.func @max_unpool_output_shape(%x: tensor<2x3x5x5xf32>, %i: tensor<2x3x5x5xi64>) -> tensor<2x3x11x11xf32> {
  %s = graph.constant dense<[2, 3, 11, 11]> : tensor<4xi64>
  %0 = graph.MaxUnpool %x, %i, %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x3x5x5xf32>, tensor<2x3x5x5xi64>, tensor<4xi64>) -> tensor<2x3x11x11xf32>
  return %0 : tensor<2x3x11x11xf32>
}

// -----

// Tests that MaxRoiPool and RoiAlign give (num_rois, C, h, w).
// CHECK-LABEL: func @roi_pools
func.func @roi_pools(%x: tensor<2x3x10x10xf32>, %r5: tensor<7x5xf32>, %r4: tensor<7x4xf32>, %b: tensor<7xi64>) -> (tensor<7x3x5x4xf32>, tensor<7x3x5x4xf32>) {
  %0 = graph.MaxRoiPool %x, %r5 {pooled_shape = array<i64: 5, 4>} : (tensor<2x3x10x10xf32>, tensor<7x5xf32>) -> tensor<7x3x5x4xf32>
  %1 = graph.RoiAlign %x, %r4, %b {output_height = 5 : i64, output_width = 4 : i64} : (tensor<2x3x10x10xf32>, tensor<7x4xf32>, tensor<7xi64>) -> tensor<7x3x5x4xf32>
  return %0, %1 : tensor<7x3x5x4xf32>, tensor<7x3x5x4xf32>
}

// -----

// Tests that BatchNormalization returns Y and per-channel running stats.
// CHECK-LABEL: func @batch_norm
func.func @batch_norm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0:3 = graph.BatchNormalization %x, %s, %b, %m, %v {training_mode = 1 : i64} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Tests that LayerNormalization's Mean and InvStdDev keep the dims before
// axis, set the rest to 1 and use stash_type (float).
// CHECK-LABEL: func @layer_norm
func.func @layer_norm(%x: tensor<2x3x4x5xf16>, %s: tensor<4x5xf16>) -> (tensor<2x3x4x5xf16>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>) {
  %0:3 = graph.LayerNormalization %x, %s {axis = -2 : i64} : (tensor<2x3x4x5xf16>, tensor<4x5xf16>) -> (tensor<2x3x4x5xf16>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x3x4x5xf16>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>
}

// -----

// Tests that Dropout returns the data type and an i1 mask.
// CHECK-LABEL: func @dropout
func.func @dropout(%x: tensor<2x3xf32>, %r: tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  %0:2 = graph.Dropout %x ratio(%r) : (tensor<2x3xf32>, tensor<f32>) -> (tensor<2x3xf32>, tensor<2x3xi1>)
  return %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xi1>
}

// -----

// Tests that a bidirectional RNN gives Y (seq, dirs, batch, hidden).
// CHECK-LABEL: func @rnn
func.func @rnn(%x: tensor<7x2x10xf32>, %w: tensor<2x16x10xf32>, %r: tensor<2x16x16xf32>) -> (tensor<7x2x2x16xf32>, tensor<2x2x16xf32>) {
  %0:2 = graph.RNN %x, %w, %r {direction = "bidirectional", hidden_size = 16 : i64} : (tensor<7x2x10xf32>, tensor<2x16x10xf32>, tensor<2x16x16xf32>) -> (tensor<7x2x2x16xf32>, tensor<2x2x16xf32>)
  return %0#0, %0#1 : tensor<7x2x2x16xf32>, tensor<2x2x16xf32>
}

// -----

// Tests that RNN with layout 1 puts the batch first.
// CHECK-LABEL: func @rnn_layout
func.func @rnn_layout(%x: tensor<2x7x10xf32>, %w: tensor<2x16x10xf32>, %r: tensor<2x16x16xf32>) -> (tensor<2x7x2x16xf32>, tensor<2x2x16xf32>) {
  %0:2 = graph.RNN %x, %w, %r {direction = "bidirectional", layout = 1 : i64} : (tensor<2x7x10xf32>, tensor<2x16x10xf32>, tensor<2x16x16xf32>) -> (tensor<2x7x2x16xf32>, tensor<2x2x16xf32>)
  return %0#0, %0#1 : tensor<2x7x2x16xf32>, tensor<2x2x16xf32>
}

// -----

// Tests that GRU infers Y and Y_h with three gates per direction.
// CHECK-LABEL: func @gru
func.func @gru(%x: tensor<7x2x10xf32>, %w: tensor<2x48x10xf32>, %r: tensor<2x48x16xf32>) -> (tensor<7x2x2x16xf32>, tensor<2x2x16xf32>) {
  %0:2 = graph.GRU %x, %w, %r {direction = "bidirectional", hidden_size = 16 : i64} : (tensor<7x2x10xf32>, tensor<2x48x10xf32>, tensor<2x48x16xf32>) -> (tensor<7x2x2x16xf32>, tensor<2x2x16xf32>)
  return %0#0, %0#1 : tensor<7x2x2x16xf32>, tensor<2x2x16xf32>
}

// -----

// Tests that LSTM without hidden_size reads it from R and returns Y, Y_h,
// Y_c in layout 1.
// CHECK-LABEL: func @lstm
func.func @lstm(%x: tensor<2x7x10xf32>, %w: tensor<1x64x10xf32>, %r: tensor<1x64x16xf32>, %b: tensor<1x128xf32>) -> (tensor<2x7x1x16xf32>, tensor<2x1x16xf32>, tensor<2x1x16xf32>) {
  %0:3 = graph.LSTM %x, %w, %r B(%b) {layout = 1 : i64} : (tensor<2x7x10xf32>, tensor<1x64x10xf32>, tensor<1x64x16xf32>, tensor<1x128xf32>) -> (tensor<2x7x1x16xf32>, tensor<2x1x16xf32>, tensor<2x1x16xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x7x1x16xf32>, tensor<2x1x16xf32>, tensor<2x1x16xf32>
}

// -----

// Tests that 3-D Attention unpacks heads and returns 4-D caches and scores.
// CHECK-LABEL: func @attention_3d
func.func @attention_3d(%q: tensor<2x5x64xf32>, %k: tensor<2x7x32xf32>, %v: tensor<2x7x48xf16>) -> (tensor<2x5x96xf32>, tensor<2x2x7x16xf32>, tensor<2x2x7x24xf16>, tensor<2x4x5x7xf32>) {
  %0:4 = graph.Attention %q, %k, %v {kv_num_heads = 2 : i64, q_num_heads = 4 : i64} : (tensor<2x5x64xf32>, tensor<2x7x32xf32>, tensor<2x7x48xf16>) -> (tensor<2x5x96xf32>, tensor<2x2x7x16xf32>, tensor<2x2x7x24xf16>, tensor<2x4x5x7xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x5x96xf32>, tensor<2x2x7x16xf32>, tensor<2x2x7x24xf16>, tensor<2x4x5x7xf32>
}

// -----

// Tests that 4-D Attention with a past cache extends the sequence.
// CHECK-LABEL: func @attention_4d_past
func.func @attention_4d_past(%q: tensor<2x4x5x16xf32>, %k: tensor<2x2x7x16xf32>, %v: tensor<2x2x7x24xf32>, %m: tensor<5x10xi1>, %pk: tensor<2x2x3x16xf32>, %pv: tensor<2x2x3x24xf32>) -> (tensor<2x4x5x24xf32>, tensor<2x2x10x16xf32>, tensor<2x2x10x24xf32>, tensor<2x4x5x10xf32>) {
  %0:4 = graph.Attention %q, %k, %v attn_mask(%m) past_key(%pk) past_value(%pv) {is_causal = 1 : i64} : (tensor<2x4x5x16xf32>, tensor<2x2x7x16xf32>, tensor<2x2x7x24xf32>, tensor<5x10xi1>, tensor<2x2x3x16xf32>, tensor<2x2x3x24xf32>) -> (tensor<2x4x5x24xf32>, tensor<2x2x10x16xf32>, tensor<2x2x10x24xf32>, tensor<2x4x5x10xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x4x5x24xf32>, tensor<2x2x10x16xf32>, tensor<2x2x10x24xf32>, tensor<2x4x5x10xf32>
}

// -----

// Tests that LinearAttention packs heads into the output and returns the
// (B, H_kv, d_k, d_v) state in past_state's element type.
// CHECK-LABEL: func @linear_attention
func.func @linear_attention(%q: tensor<2x5x64xf32>, %k: tensor<2x5x32xf32>, %v: tensor<2x5x48xf32>, %s: tensor<2x2x16x24xf16>) -> (tensor<2x5x96xf32>, tensor<2x2x16x24xf16>) {
  %0:2 = graph.LinearAttention %q, %k, %v past_state(%s) {kv_num_heads = 2 : i64, q_num_heads = 4 : i64, update_rule = "linear"} : (tensor<2x5x64xf32>, tensor<2x5x32xf32>, tensor<2x5x48xf32>, tensor<2x2x16x24xf16>) -> (tensor<2x5x96xf32>, tensor<2x2x16x24xf16>)
  return %0#0, %0#1 : tensor<2x5x96xf32>, tensor<2x2x16x24xf16>
}

// -----

// Tests that RotaryEmbedding, SwiGLU and TensorScatter keep their first
// operand's shape.
// CHECK-LABEL: func @same_shape_ops
func.func @same_shape_ops(%x: tensor<2x5x64xf32>, %c: tensor<10x8xf32>, %p: tensor<2x5xi64>, %cache: tensor<2x4x16x8xf32>, %u: tensor<2x4x3x8xf32>) -> (tensor<2x5x64xf32>, tensor<2x5x64xf32>, tensor<2x4x16x8xf32>) {
  %0 = graph.RotaryEmbedding %x, %c, %c, %p {num_heads = 4 : i64} : (tensor<2x5x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>, tensor<2x5xi64>) -> tensor<2x5x64xf32>
  %1 = graph.SwiGLU %x, %x : (tensor<2x5x64xf32>, tensor<2x5x64xf32>) -> tensor<2x5x64xf32>
  %2 = graph.TensorScatter %cache, %u : (tensor<2x4x16x8xf32>, tensor<2x4x3x8xf32>) -> tensor<2x4x16x8xf32>
  return %0, %1, %2 : tensor<2x5x64xf32>, tensor<2x5x64xf32>, tensor<2x4x16x8xf32>
}

// -----

// Tests that SwiGLU takes static dims from either operand.
// CHECK-LABEL: func @swiglu_merge
func.func @swiglu_merge(%a: tensor<?x8xf32>, %b: tensor<4x?xf32>) -> tensor<4x8xf32> {
  %0 = graph.SwiGLU %a, %b : (tensor<?x8xf32>, tensor<4x?xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Tests that DepthToSpace and SpaceToDepth move blocksize^2 between C and HW.
// CHECK-LABEL: func @depth_space
func.func @depth_space(%x: tensor<1x12x4x3xf32>, %y: tensor<1x3x8x6xf32>) -> (tensor<1x3x8x6xf32>, tensor<1x12x4x3xf32>) {
  %0 = graph.DepthToSpace %x {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x12x4x3xf32>) -> tensor<1x3x8x6xf32>
  %1 = graph.SpaceToDepth %y {blocksize = 2 : i64} : (tensor<1x3x8x6xf32>) -> tensor<1x12x4x3xf32>
  return %0, %1 : tensor<1x3x8x6xf32>, tensor<1x12x4x3xf32>
}

// -----

// Tests that GridSample takes the output grid from grid.
// CHECK-LABEL: func @grid_sample
func.func @grid_sample(%x: tensor<2x3x10x10xf32>, %g: tensor<2x7x8x2xf32>) -> tensor<2x3x7x8xf32> {
  %0 = graph.GridSample %x, %g : (tensor<2x3x10x10xf32>, tensor<2x7x8x2xf32>) -> tensor<2x3x7x8xf32>
  return %0 : tensor<2x3x7x8xf32>
}

// -----

// Tests that AffineGrid reads a constant size (N, C, H, W).
// CHECK-LABEL: func @affine_grid
func.func @affine_grid(%t: tensor<2x2x3xf32>) -> tensor<2x5x6x2xf32> {
  %s = graph.constant dense<[2, 3, 5, 6]> : tensor<4xi64>
  %0 = graph.AffineGrid %t, %s : (tensor<2x2x3xf32>, tensor<4xi64>) -> tensor<2x5x6x2xf32>
  return %0 : tensor<2x5x6x2xf32>
}

// -----

// Tests that CenterCropPad sets the dims named by axes to a constant shape.
// CHECK-LABEL: func @center_crop_pad
func.func @center_crop_pad(%x: tensor<20x10x3xf32>) -> tensor<10x20x3xf32> {
  %s = graph.constant dense<[10, 20]> : tensor<2xi64>
  %0 = graph.CenterCropPad %x, %s {axes = array<i64: -3, 1>} : (tensor<20x10x3xf32>, tensor<2xi64>) -> tensor<10x20x3xf32>
  return %0 : tensor<10x20x3xf32>
}

// -----

// Tests that Col2Im divides the channels by the block size.
// CHECK-LABEL: func @col2im
func.func @col2im(%x: tensor<1x12x12xf32>) -> tensor<1x2x5x7xf32> {
  %i = graph.constant dense<[5, 7]> : tensor<2xi64>
  %b = graph.constant dense<[2, 3]> : tensor<2xi64>
  %0 = graph.Col2Im %x, %i, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x12x12xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x2x5x7xf32>
  return %0 : tensor<1x2x5x7xf32>
}

// -----

// Tests that Pad with constant pads and negative axes adds and removes.
// CHECK-LABEL: func @pad
func.func @pad(%x: tensor<2x3x4xf32>) -> tensor<5x3x3xf32> {
  %p = graph.constant dense<[1, 0, 2, -1]> : tensor<4xi64>
  %a = graph.constant dense<[0, -1]> : tensor<2xi64>
  %0 = graph.Pad %x, %p axes(%a) : (tensor<2x3x4xf32>, tensor<4xi64>, tensor<2xi64>) -> tensor<5x3x3xf32>
  return %0 : tensor<5x3x3xf32>
}

// -----

// Tests that Resize floors in * scale.
// CHECK-LABEL: func @resize_scales
func.func @resize_scales(%x: tensor<1x3x10x20xf32>) -> tensor<1x3x15x15xf32> {
  %s = graph.constant dense<[1.0, 1.0, 1.5, 0.75]> : tensor<4xf32>
  %0 = graph.Resize %x scales(%s) {mode = "linear"} : (tensor<1x3x10x20xf32>, tensor<4xf32>) -> tensor<1x3x15x15xf32>
  return %0 : tensor<1x3x15x15xf32>
}

// -----

// Tests that Resize multiplies by the exact f32 scale: 40 * 1.4f is just
// below 56.
// CHECK-LABEL: func @resize_scales_exact
func.func @resize_scales_exact(%x: tensor<1x40xf32>) -> tensor<1x55xf32> {
  %s = graph.constant dense<[1.0, 1.4]> : tensor<2xf32>
  %0 = graph.Resize %x scales(%s) : (tensor<1x40xf32>, tensor<2xf32>) -> tensor<1x55xf32>
  return %0 : tensor<1x55xf32>
}

// -----

// Tests that Resize sizes with axes and each keep_aspect_ratio_policy.
// CHECK-LABEL: func @resize_sizes
func.func @resize_sizes(%x: tensor<1x3x10x20xf32>) -> (tensor<1x3x30x30xf32>, tensor<1x3x15x30xf32>, tensor<1x3x30x60xf32>) {
  %s = graph.constant dense<[30, 30]> : tensor<2xi64>
  %0 = graph.Resize %x sizes(%s) {axes = array<i64: 2, 3>} : (tensor<1x3x10x20xf32>, tensor<2xi64>) -> tensor<1x3x30x30xf32>
  %1 = graph.Resize %x sizes(%s) {axes = array<i64: 2, 3>, keep_aspect_ratio_policy = "not_larger"} : (tensor<1x3x10x20xf32>, tensor<2xi64>) -> tensor<1x3x15x30xf32>
  %2 = graph.Resize %x sizes(%s) {axes = array<i64: 2, 3>, keep_aspect_ratio_policy = "not_smaller"} : (tensor<1x3x10x20xf32>, tensor<2xi64>) -> tensor<1x3x30x60xf32>
  return %0, %1, %2 : tensor<1x3x30x30xf32>, tensor<1x3x15x30xf32>, tensor<1x3x30x60xf32>
}

// -----

// Tests that Resize ignores an empty scales operand next to sizes.
// CHECK-LABEL: func @resize_empty_scales
func.func @resize_empty_scales(%x: tensor<1x3x10x20xf32>) -> tensor<2x3x5x5xf32> {
  %e = graph.constant dense<> : tensor<0xf32>
  %s = graph.constant dense<[2, 3, 5, 5]> : tensor<4xi64>
  %0 = graph.Resize %x scales(%e) sizes(%s) : (tensor<1x3x10x20xf32>, tensor<0xf32>, tensor<4xi64>) -> tensor<2x3x5x5xf32>
  return %0 : tensor<2x3x5x5xf32>
}

// -----

// Tests that Einsum infers explicit, implicit and broadcast outputs.
// CHECK-LABEL: func @einsum
func.func @einsum(%a: tensor<2x3x4xf32>, %b: tensor<2x4x5xf32>, %c: tensor<7x1x3x4xf32>, %d: tensor<3x3xf32>) -> (tensor<2x3x5xf32>, tensor<3x5xf32>, tensor<7x2x3x5xf32>, tensor<f32>, tensor<3xf32>) {
  %0 = graph.Einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %1 = graph.Einsum %a, %b {equation = "bij, bjk"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<3x5xf32>
  %2 = graph.Einsum %c, %b {equation = "...ij,...jk"} : (tensor<7x1x3x4xf32>, tensor<2x4x5xf32>) -> tensor<7x2x3x5xf32>
  %3 = graph.Einsum %d {equation = "ii"} : (tensor<3x3xf32>) -> tensor<f32>
  %4 = graph.Einsum %d {equation = "ii->i"} : (tensor<3x3xf32>) -> tensor<3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3x5xf32>, tensor<3x5xf32>, tensor<7x2x3x5xf32>, tensor<f32>, tensor<3xf32>
}

// -----

// Tests that Det drops the two matrix dims.
// CHECK-LABEL: func @det
func.func @det(%x: tensor<5x3x3xf32>) -> tensor<5xf32> {
  %0 = graph.Det %x : (tensor<5x3x3xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// Tests that DFT handles one-sided, inverse one-sided and explicit lengths.
// CHECK-LABEL: func @dft
func.func @dft(%r: tensor<2x100x1xf32>, %c: tensor<2x100x2xf32>, %c4: tensor<2x100x7x2xf32>) -> (tensor<2x51x2xf32>, tensor<2x198x1xf32>, tensor<2x100x16x2xf32>) {
  %0 = graph.DFT %r {onesided = 1 : i64} : (tensor<2x100x1xf32>) -> tensor<2x51x2xf32>
  %1 = graph.DFT %c {inverse = 1 : i64, onesided = 1 : i64} : (tensor<2x100x2xf32>) -> tensor<2x198x1xf32>
  %l = graph.constant dense<16> : tensor<i64>
  %a = graph.constant dense<2> : tensor<i64>
  %2 = graph.DFT %c4 dft_length(%l) axis(%a) : (tensor<2x100x7x2xf32>, tensor<i64>, tensor<i64>) -> tensor<2x100x16x2xf32>
  return %0, %1, %2 : tensor<2x51x2xf32>, tensor<2x198x1xf32>, tensor<2x100x16x2xf32>
}

// -----

// Tests that STFT counts frames and one-sided bins.
// CHECK-LABEL: func @stft
func.func @stft(%x: tensor<2x100x1xf32>, %w: tensor<16xf32>) -> (tensor<2x22x9x2xf32>, tensor<2x21x20x2xf32>) {
  %step = graph.constant dense<4> : tensor<i64>
  %len = graph.constant dense<20> : tensor<i64>
  %0 = graph.STFT %x, %step window(%w) : (tensor<2x100x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<2x22x9x2xf32>
  %1 = graph.STFT %x, %step frame_length(%len) {onesided = 0 : i64} : (tensor<2x100x1xf32>, tensor<i64>, tensor<i64>) -> tensor<2x21x20x2xf32>
  return %0, %1 : tensor<2x22x9x2xf32>, tensor<2x21x20x2xf32>
}

// -----

// Tests that the window functions read a constant size and output_datatype.
// CHECK-LABEL: func @windows
func.func @windows() -> (tensor<8xf64>, tensor<8xf32>, tensor<8xf16>) {
  %n = graph.constant dense<8> : tensor<i64>
  %0 = graph.HannWindow %n {output_datatype = 11 : i64} : (tensor<i64>) -> tensor<8xf64>
  %1 = graph.HammingWindow %n : (tensor<i64>) -> tensor<8xf32>
  %2 = graph.BlackmanWindow %n {output_datatype = 10 : i64, periodic = 0 : i64} : (tensor<i64>) -> tensor<8xf16>
  return %0, %1, %2 : tensor<8xf64>, tensor<8xf32>, tensor<8xf16>
}

// -----

// Tests that MelWeightMatrix is (dft_length / 2 + 1, num_mel_bins).
// CHECK-LABEL: func @mel_weight_matrix
func.func @mel_weight_matrix(%rate: tensor<i64>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<129x8xf16> {
  %bins = graph.constant dense<8> : tensor<i64>
  %len = graph.constant dense<256> : tensor<i64>
  %0 = graph.MelWeightMatrix %bins, %len, %rate, %lo, %hi {output_datatype = 10 : i64} : (tensor<i64>, tensor<i64>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<129x8xf16>
  return %0 : tensor<129x8xf16>
}

// -----

// Tests that TfIdfVectorizer gives max(ngram_indexes) + 1 f32 columns.
// CHECK-LABEL: func @tfidf
func.func @tfidf(%x: tensor<3x7xi64>) -> tensor<3x7xf32> {
  %0 = graph.TfIdfVectorizer %x {max_gram_length = 2 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0, 4>, ngram_indexes = array<i64: 0, 1, 2, 3, 4, 5, 6>, pool_int64s = array<i64: 2, 3, 5, 4, 5, 6, 7, 8, 6, 7>} : (tensor<3x7xi64>) -> tensor<3x7xf32>
  return %0 : tensor<3x7xf32>
}

// -----

// Tests that NonMaxSuppression gives (?, 3) indices.
// CHECK-LABEL: func @nms
func.func @nms(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>) -> tensor<?x3xi64> {
  %0 = graph.NonMaxSuppression %b, %s : (tensor<1x6x4xf32>, tensor<1x2x6xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// Tests that the losses are per element for reduction "none" and scalars
// otherwise.
// CHECK-LABEL: func @losses
func.func @losses(%x: tensor<3x5x6xf32>, %t: tensor<3x6xi64>, %w: tensor<5xf32>) -> (tensor<3x6xf32>, tensor<f32>, tensor<3x6xf32>, tensor<3x5x6xf32>, tensor<f32>, tensor<3x5x6xf32>) {
  %0 = graph.NegativeLogLikelihoodLoss %x, %t, %w {reduction = "none"} : (tensor<3x5x6xf32>, tensor<3x6xi64>, tensor<5xf32>) -> tensor<3x6xf32>
  %1 = graph.NegativeLogLikelihoodLoss %x, %t : (tensor<3x5x6xf32>, tensor<3x6xi64>) -> tensor<f32>
  %2:2 = graph.SoftmaxCrossEntropyLoss %x, %t {reduction = "none"} : (tensor<3x5x6xf32>, tensor<3x6xi64>) -> (tensor<3x6xf32>, tensor<3x5x6xf32>)
  %3:2 = graph.SoftmaxCrossEntropyLoss %x, %t, %w {reduction = "sum"} : (tensor<3x5x6xf32>, tensor<3x6xi64>, tensor<5xf32>) -> (tensor<f32>, tensor<3x5x6xf32>)
  return %0, %1, %2#0, %2#1, %3#0, %3#1 : tensor<3x6xf32>, tensor<f32>, tensor<3x6xf32>, tensor<3x5x6xf32>, tensor<f32>, tensor<3x5x6xf32>
}
