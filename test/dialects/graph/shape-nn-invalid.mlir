// RUN: aicc-opt %s -split-input-file -verify-diagnostics

// Diagnostics of the NN result-type rules (one dialects/graph/ShapeRules*.cpp
// per op family). Every failing rule is followed by the verifier's "failed to
// infer returned types". The last cases declare an incompatible type on
// purpose so that the verifier prints the inferred type, which shows dims that
// must stay dynamic.

// Tests that Conv rejects W with the wrong number of input channels.
func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32> {
  // expected-error @+2 {{Conv: W has 3 input channels per group (dim 1), but X has 4 channels and group is 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return %0 : tensor<1x8x6x6xf32>
}

// -----

// Tests that Conv rejects a group that does not divide the output channels.
func.func @conv_group(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: output channels of W (dim 0) (6) is not divisible by group (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects a non-positive group.
func.func @conv_group_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: group must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {group = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects a kernel_shape with the wrong number of values.
func.func @conv_kernel_shape_length(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: kernel_shape has 3 values, expected 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {kernel_shape = array<i64: 3, 3, 3>} : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects a kernel_shape that contradicts W.
func.func @conv_kernel_shape_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: kernel_shape [3, 5] does not match the spatial dims [3, 3] of the weight}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {kernel_shape = array<i64: 3, 5>} : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects X and W of different ranks.
func.func @conv_rank_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: W has rank 3 but X has rank 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w : (tensor<1x3x8x8xf32>, tensor<6x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects an X without spatial dims.
func.func @conv_rank(%x: tensor<1x3xf32>, %w: tensor<6x3xf32>) -> tensor<1x6xf32> {
  // expected-error @+2 {{Conv: expected X of rank >= 3, got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w : (tensor<1x3xf32>, tensor<6x3xf32>) -> tensor<1x6xf32>
  return %0 : tensor<1x6xf32>
}

// -----

// Tests that Conv rejects a bias whose length is not the output channels.
func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3x3xf32>, %b: tensor<5xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: dim 0 of B (5) does not match output channels of W (dim 0) (6)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>, tensor<5xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects a 2-D bias.
func.func @conv_bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3x3xf32>, %b: tensor<1x6xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: expected B of rank 1, got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>, tensor<1x6xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects a kernel larger than the padded input.
func.func @conv_too_small(%x: tensor<1x3x2x8xf32>, %w: tensor<6x3x5x3xf32>) -> tensor<1x6x1x6xf32> {
  // expected-error @+2 {{Conv: spatial dim 0 has negative output size -2 (input 2, pads 0+0, dilated kernel 5, stride 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w : (tensor<1x3x2x8xf32>, tensor<6x3x5x3xf32>) -> tensor<1x6x1x6xf32>
  return %0 : tensor<1x6x1x6xf32>
}

// -----

// Tests that Conv rejects strides with a zero.
func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: strides must be positive, got [1, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects negative pads.
func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+2 {{Conv: pads must be non-negative, got [0, -1, 0, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {pads = array<i64: 0, -1, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Tests that Conv rejects an unknown auto_pad.
func.func @conv_auto_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<1x6x8x8xf32> {
  // expected-error @+2 {{Conv: auto_pad must be one of NOTSET, SAME_UPPER, SAME_LOWER, VALID, got 'SAME'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {auto_pad = "SAME"} : (tensor<1x3x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x8x8xf32>
  return %0 : tensor<1x6x8x8xf32>
}

// -----

// Tests that ConvTranspose rejects W whose first dim is not X's channels.
func.func @conv_transpose_channels(%x: tensor<1x3x5x5xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  // expected-error @+2 {{ConvTranspose: dim 0 of W (4) does not match channels of X (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.ConvTranspose %x, %w : (tensor<1x3x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %0 : tensor<1x4x7x7xf32>
}

// -----

// Tests that ConvTranspose rejects pads that remove the whole output.
func.func @conv_transpose_negative(%x: tensor<1x3x1x5xf32>, %w: tensor<3x4x1x3xf32>) -> tensor<1x4x1x7xf32> {
  // expected-error @+2 {{ConvTranspose: spatial dim 0 has negative output size -1 (input 1, pads 1+1, dilated kernel 1, stride 1, output_padding 0)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.ConvTranspose %x, %w {pads = array<i64: 1, 0, 1, 0>} : (tensor<1x3x1x5xf32>, tensor<3x4x1x3xf32>) -> tensor<1x4x1x7xf32>
  return %0 : tensor<1x4x1x7xf32>
}

// -----

// Tests that ConvTranspose rejects negative output_padding.
func.func @conv_transpose_output_padding(%x: tensor<1x3x5x5xf32>, %w: tensor<3x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  // expected-error @+2 {{ConvTranspose: output_padding must be non-negative, got [0, -1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.ConvTranspose %x, %w {output_padding = array<i64: 0, -1>} : (tensor<1x3x5x5xf32>, tensor<3x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %0 : tensor<1x4x7x7xf32>
}

// -----

// Tests that DeformConv rejects an offset grid that contradicts the output.
func.func @deform_conv_offset(%x: tensor<1x2x5x5xf32>, %w: tensor<4x2x3x3xf32>, %off: tensor<1x18x4x3xf32>) -> tensor<1x4x3x3xf32> {
  // expected-error @+2 {{DeformConv: dim 2 of the output (3) does not match dim 2 of offset (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.DeformConv %x, %w, %off : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>, tensor<1x18x4x3xf32>) -> tensor<1x4x3x3xf32>
  return %0 : tensor<1x4x3x3xf32>
}

// -----

// Tests that CausalConvWithState rejects a non-depthwise weight.
func.func @causal_conv_weight(%x: tensor<2x8x10xf32>, %w: tensor<8x2x4xf32>) -> (tensor<2x8x10xf32>, tensor<2x8x3xf32>) {
  // expected-error @+2 {{CausalConvWithState: dim 1 of weight (2) does not match 1 (depthwise) (1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.CausalConvWithState %x, %w : (tensor<2x8x10xf32>, tensor<8x2x4xf32>) -> (tensor<2x8x10xf32>, tensor<2x8x3xf32>)
  return %0#0, %0#1 : tensor<2x8x10xf32>, tensor<2x8x3xf32>
}

// -----

// Tests that MaxPool rejects a kernel_shape of the wrong length.
func.func @max_pool_kernel(%x: tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>) {
  // expected-error @+2 {{MaxPool: kernel_shape has 1 values, expected 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.MaxPool %x {kernel_shape = array<i64: 2>} : (tensor<1x3x8x8xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>)
  return %0#0, %0#1 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xi64>
}

// -----

// Tests that AveragePool rejects a non-positive kernel.
func.func @average_pool_kernel(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{AveragePool: kernel_shape must be positive, got [2, 0]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.AveragePool %x {kernel_shape = array<i64: 2, 0>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Tests that LpPool rejects pads of the wrong length.
func.func @lp_pool_pads(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{LpPool: pads has 2 values, expected 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.LpPool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Tests that GlobalAveragePool rejects a 1-D input.
func.func @global_pool_rank(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{GlobalAveragePool: expected X of rank >= 2, got rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.GlobalAveragePool %x : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that MaxUnpool rejects pads larger than the unpooled size.
func.func @max_unpool_negative(%x: tensor<1x1x1x4xf32>, %i: tensor<1x1x1x4xi64>) -> tensor<1x1x1x8xf32> {
  // expected-error @+2 {{MaxUnpool: spatial dim 0 has negative output size -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.MaxUnpool %x, %i {kernel_shape = array<i64: 1, 2>, pads = array<i64: 1, 0, 1, 0>, strides = array<i64: 1, 2>} : (tensor<1x1x1x4xf32>, tensor<1x1x1x4xi64>) -> tensor<1x1x1x8xf32>
  return %0 : tensor<1x1x1x8xf32>
}

// -----

// Tests that MaxUnpool rejects a constant output_shape of the wrong length.
func.func @max_unpool_output_shape(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32> {
  %s = graph.constant dense<[4, 4]> : tensor<2xi64>
  // expected-error @+2 {{MaxUnpool: output_shape has 2 values, expected 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.MaxUnpool %x, %i, %s {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>, tensor<2xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Tests that RoiAlign rejects rois without four coordinates.
func.func @roi_align_rois(%x: tensor<1x3x8x8xf32>, %r: tensor<5x5xf32>, %b: tensor<5xi64>) -> tensor<5x3x1x1xf32> {
  // expected-error @+2 {{RoiAlign: dim 1 of rois (5) does not match 4 (box corners) (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.RoiAlign %x, %r, %b : (tensor<1x3x8x8xf32>, tensor<5x5xf32>, tensor<5xi64>) -> tensor<5x3x1x1xf32>
  return %0 : tensor<5x3x1x1xf32>
}

// -----

// Tests that BatchNormalization rejects a scale of the wrong length.
func.func @batch_norm_scale(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %p: tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  // expected-error @+2 {{BatchNormalization: dim 0 of scale (4) does not match channels of X (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:3 = graph.BatchNormalization %x, %s, %p, %p, %p : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Tests that LayerNormalization rejects an out-of-range axis.
func.func @layer_norm_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:3 = graph.LayerNormalization %x, %s {axis = 2 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

// Tests that LayerNormalization rejects an unknown stash_type.
func.func @layer_norm_stash(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x1xf32>) {
  // expected-error @+2 {{LayerNormalization: stash_type 99 is not a supported ONNX data type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:3 = graph.LayerNormalization %x, %s {stash_type = 99 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %0#0, %0#1, %0#2 : tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x1xf32>
}

// -----

// Tests that LSTM rejects W whose first dim is not the number of directions.
func.func @lstm_directions(%x: tensor<7x2x10xf32>, %w: tensor<1x64x10xf32>, %r: tensor<2x64x16xf32>) -> (tensor<7x2x2x16xf32>, tensor<2x2x16xf32>, tensor<2x2x16xf32>) {
  // expected-error @+2 {{LSTM: dim 0 of W (1) does not match the number of directions (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:3 = graph.LSTM %x, %w, %r {direction = "bidirectional"} : (tensor<7x2x10xf32>, tensor<1x64x10xf32>, tensor<2x64x16xf32>) -> (tensor<7x2x2x16xf32>, tensor<2x2x16xf32>, tensor<2x2x16xf32>)
  return %0#0, %0#1, %0#2 : tensor<7x2x2x16xf32>, tensor<2x2x16xf32>, tensor<2x2x16xf32>
}

// -----

// Tests that GRU rejects a hidden_size that contradicts R.
func.func @gru_hidden(%x: tensor<7x2x10xf32>, %w: tensor<1x48x10xf32>, %r: tensor<1x48x16xf32>) -> (tensor<7x1x2x8xf32>, tensor<1x2x8xf32>) {
  // expected-error @+2 {{GRU: hidden_size (8) does not match dim 2 of R (16)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.GRU %x, %w, %r {hidden_size = 8 : i64} : (tensor<7x2x10xf32>, tensor<1x48x10xf32>, tensor<1x48x16xf32>) -> (tensor<7x1x2x8xf32>, tensor<1x2x8xf32>)
  return %0#0, %0#1 : tensor<7x1x2x8xf32>, tensor<1x2x8xf32>
}

// -----

// Tests that RNN rejects an unknown direction.
func.func @rnn_direction(%x: tensor<7x2x10xf32>, %w: tensor<1x16x10xf32>, %r: tensor<1x16x16xf32>) -> (tensor<7x1x2x16xf32>, tensor<1x2x16xf32>) {
  // expected-error @+2 {{RNN: direction must be one of forward, reverse, bidirectional, got 'backward'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.RNN %x, %w, %r {direction = "backward"} : (tensor<7x2x10xf32>, tensor<1x16x10xf32>, tensor<1x16x16xf32>) -> (tensor<7x1x2x16xf32>, tensor<1x2x16xf32>)
  return %0#0, %0#1 : tensor<7x1x2x16xf32>, tensor<1x2x16xf32>
}

// -----

// Tests that RNN rejects a layout other than 0 or 1.
func.func @rnn_layout(%x: tensor<7x2x10xf32>, %w: tensor<1x16x10xf32>, %r: tensor<1x16x16xf32>) -> (tensor<7x1x2x16xf32>, tensor<1x2x16xf32>) {
  // expected-error @+2 {{RNN: layout must be 0 or 1, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.RNN %x, %w, %r {layout = 2 : i64} : (tensor<7x2x10xf32>, tensor<1x16x10xf32>, tensor<1x16x16xf32>) -> (tensor<7x1x2x16xf32>, tensor<1x2x16xf32>)
  return %0#0, %0#1 : tensor<7x1x2x16xf32>, tensor<1x2x16xf32>
}

// -----

// Tests that 3-D Attention requires the head counts.
func.func @attention_heads(%q: tensor<2x5x64xf32>, %k: tensor<2x7x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x1x7x64xf32>, tensor<2x1x7x64xf32>, tensor<2x1x5x7xf32>) {
  // expected-error @+2 {{Attention: q_num_heads and kv_num_heads are required for 3-D inputs}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:4 = graph.Attention %q, %k, %k : (tensor<2x5x64xf32>, tensor<2x7x64xf32>, tensor<2x7x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x1x7x64xf32>, tensor<2x1x7x64xf32>, tensor<2x1x5x7xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x5x64xf32>, tensor<2x1x7x64xf32>, tensor<2x1x7x64xf32>, tensor<2x1x5x7xf32>
}

// -----

// Tests that Attention rejects a hidden size not divisible by the heads.
func.func @attention_divisible(%q: tensor<2x5x60xf32>, %k: tensor<2x7x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x2x7x32xf32>, tensor<2x2x7x32xf32>, tensor<2x8x5x7xf32>) {
  // expected-error @+2 {{Attention: dim 2 of Q (60) is not divisible by q_num_heads (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:4 = graph.Attention %q, %k, %k {kv_num_heads = 2 : i64, q_num_heads = 8 : i64} : (tensor<2x5x60xf32>, tensor<2x7x64xf32>, tensor<2x7x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x2x7x32xf32>, tensor<2x2x7x32xf32>, tensor<2x8x5x7xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x5x64xf32>, tensor<2x2x7x32xf32>, tensor<2x2x7x32xf32>, tensor<2x8x5x7xf32>
}

// -----

// Tests that Attention rejects Q of rank 2.
func.func @attention_rank(%q: tensor<5x64xf32>) -> (tensor<5x64xf32>, tensor<1x1x5x64xf32>, tensor<1x1x5x64xf32>, tensor<1x1x5x5xf32>) {
  // expected-error @+2 {{Attention: expected Q of rank 3 or 4, got rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:4 = graph.Attention %q, %q, %q : (tensor<5x64xf32>, tensor<5x64xf32>, tensor<5x64xf32>) -> (tensor<5x64xf32>, tensor<1x1x5x64xf32>, tensor<1x1x5x64xf32>, tensor<1x1x5x5xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<5x64xf32>, tensor<1x1x5x64xf32>, tensor<1x1x5x64xf32>, tensor<1x1x5x5xf32>
}

// -----

// Tests that Attention needs past_key and past_value together.
func.func @attention_past(%q: tensor<2x4x5x16xf32>, %pk: tensor<2x4x3x16xf32>) -> (tensor<2x4x5x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x5x8xf32>) {
  // expected-error @+2 {{Attention: past_key and past_value must be given together}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:4 = graph.Attention %q, %q, %q past_key(%pk) : (tensor<2x4x5x16xf32>, tensor<2x4x5x16xf32>, tensor<2x4x5x16xf32>, tensor<2x4x3x16xf32>) -> (tensor<2x4x5x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x5x8xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x4x5x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x5x8xf32>
}

// -----

// Tests that Attention rejects nonpad_kv_seqlen next to a past cache.
func.func @attention_nonpad(%q: tensor<2x4x5x16xf32>, %pk: tensor<2x4x3x16xf32>, %n: tensor<2xi64>) -> (tensor<2x4x5x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x5x8xf32>) {
  // expected-error @+2 {{Attention: nonpad_kv_seqlen cannot be combined with past_key and past_value}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:4 = graph.Attention %q, %q, %q past_key(%pk) past_value(%pk) nonpad_kv_seqlen(%n) : (tensor<2x4x5x16xf32>, tensor<2x4x5x16xf32>, tensor<2x4x5x16xf32>, tensor<2x4x3x16xf32>, tensor<2x4x3x16xf32>, tensor<2xi64>) -> (tensor<2x4x5x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x5x8xf32>)
  return %0#0, %0#1, %0#2, %0#3 : tensor<2x4x5x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x5x8xf32>
}

// -----

// Tests that LinearAttention's default gated_delta rule needs decay.
func.func @linear_attention_decay(%q: tensor<2x5x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x4x16x16xf32>) {
  // expected-error @+2 {{LinearAttention: update_rule 'gated_delta' requires the decay operand}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.LinearAttention %q, %q, %q {kv_num_heads = 4 : i64, q_num_heads = 4 : i64} : (tensor<2x5x64xf32>, tensor<2x5x64xf32>, tensor<2x5x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x4x16x16xf32>)
  return %0#0, %0#1 : tensor<2x5x64xf32>, tensor<2x4x16x16xf32>
}

// -----

// Tests that LinearAttention's delta rule needs beta.
func.func @linear_attention_beta(%q: tensor<2x5x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x4x16x16xf32>) {
  // expected-error @+2 {{LinearAttention: update_rule 'delta' requires the beta operand}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.LinearAttention %q, %q, %q {kv_num_heads = 4 : i64, q_num_heads = 4 : i64, update_rule = "delta"} : (tensor<2x5x64xf32>, tensor<2x5x64xf32>, tensor<2x5x64xf32>) -> (tensor<2x5x64xf32>, tensor<2x4x16x16xf32>)
  return %0#0, %0#1 : tensor<2x5x64xf32>, tensor<2x4x16x16xf32>
}

// -----

// Tests that RotaryEmbedding requires num_heads for a 3-D input.
func.func @rotary_heads(%x: tensor<2x5x64xf32>, %c: tensor<10x8xf32>) -> tensor<2x5x64xf32> {
  // expected-error @+2 {{RotaryEmbedding: num_heads is required for a 3-D X}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.RotaryEmbedding %x, %c, %c : (tensor<2x5x64xf32>, tensor<10x8xf32>, tensor<10x8xf32>) -> tensor<2x5x64xf32>
  return %0 : tensor<2x5x64xf32>
}

// -----

// Tests that SwiGLU rejects operands of different shapes.
func.func @swiglu_shape(%a: tensor<2x8xf32>, %b: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error @+2 {{SwiGLU: dim 1 of A (8) does not match dim 1 of B (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.SwiGLU %a, %b : (tensor<2x8xf32>, tensor<2x4xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Tests that TensorScatter rejects axis 0.
func.func @tensor_scatter_axis(%p: tensor<2x16xf32>, %u: tensor<2x3xf32>) -> tensor<2x16xf32> {
  // expected-error @+2 {{TensorScatter: axis must not be the batch dim 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.TensorScatter %p, %u {axis = 0 : i64} : (tensor<2x16xf32>, tensor<2x3xf32>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

// Tests that TensorScatter rejects an update longer than the cache.
func.func @tensor_scatter_long(%p: tensor<2x4x8xf32>, %u: tensor<2x9x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+2 {{TensorScatter: update has 9 entries along axis 1 but past_cache only 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.TensorScatter %p, %u : (tensor<2x4x8xf32>, tensor<2x9x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

// Tests that DepthToSpace rejects channels not divisible by blocksize^2.
func.func @depth_to_space(%x: tensor<1x6x4x4xf32>) -> tensor<1x1x8x8xf32> {
  // expected-error @+2 {{DepthToSpace: dim 1 of input (6) is not divisible by blocksize * blocksize (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.DepthToSpace %x {blocksize = 2 : i64} : (tensor<1x6x4x4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// Tests that SpaceToDepth rejects a non-positive blocksize.
func.func @space_to_depth(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+2 {{SpaceToDepth: blocksize must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.SpaceToDepth %x {blocksize = 0 : i64} : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// Tests that SpaceToDepth rejects a 3-D input.
func.func @space_to_depth_rank(%x: tensor<3x4x4xf32>) -> tensor<12x2x2xf32> {
  // expected-error @+2 {{SpaceToDepth: expected input of rank 4, got rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.SpaceToDepth %x {blocksize = 2 : i64} : (tensor<3x4x4xf32>) -> tensor<12x2x2xf32>
  return %0 : tensor<12x2x2xf32>
}

// -----

// Tests that AffineGrid rejects a size of three elements.
func.func @affine_grid_size(%t: tensor<2x2x3xf32>) -> tensor<2x5x2xf32> {
  %s = graph.constant dense<[2, 3, 5]> : tensor<3xi64>
  // expected-error @+2 {{AffineGrid: size must have 4 or 5 elements, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.AffineGrid %t, %s : (tensor<2x2x3xf32>, tensor<3xi64>) -> tensor<2x5x2xf32>
  return %0 : tensor<2x5x2xf32>
}

// -----

// Tests that CenterCropPad rejects a shape that does not match the axes.
func.func @center_crop_pad(%x: tensor<20x10x3xf32>) -> tensor<10x20x3xf32> {
  %s = graph.constant dense<[10, 20]> : tensor<2xi64>
  // expected-error @+2 {{CenterCropPad: shape has 2 values, expected 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.CenterCropPad %x, %s : (tensor<20x10x3xf32>, tensor<2xi64>) -> tensor<10x20x3xf32>
  return %0 : tensor<10x20x3xf32>
}

// -----

// Tests that CenterCropPad rejects a negative target size.
func.func @center_crop_pad_negative(%x: tensor<20x10xf32>) -> tensor<20x10xf32> {
  %s = graph.constant dense<[10, -1]> : tensor<2xi64>
  // expected-error @+2 {{CenterCropPad: shape must be non-negative, got [10, -1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.CenterCropPad %x, %s : (tensor<20x10xf32>, tensor<2xi64>) -> tensor<20x10xf32>
  return %0 : tensor<20x10xf32>
}

// -----

// Tests that Col2Im rejects a block count that contradicts the image.
func.func @col2im_blocks(%x: tensor<1x12x10xf32>) -> tensor<1x2x5x7xf32> {
  %i = graph.constant dense<[5, 7]> : tensor<2xi64>
  %b = graph.constant dense<[2, 3]> : tensor<2xi64>
  // expected-error @+2 {{Col2Im: dim 2 of input (10) does not match the number of blocks (12)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Col2Im %x, %i, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x12x10xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<1x2x5x7xf32>
  return %0 : tensor<1x2x5x7xf32>
}

// -----

// Tests that Pad rejects pads that make a dim negative.
func.func @pad_negative(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %p = graph.constant dense<[0, -2, 0, -2]> : tensor<4xi64>
  // expected-error @+2 {{Pad: dim 1 of size 3 padded by -2 and -2 has negative size -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Pad %x, %p : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that Pad rejects an out-of-range constant axis.
func.func @pad_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %p = graph.constant dense<[1, 1]> : tensor<2xi64>
  %a = graph.constant dense<[2]> : tensor<1xi64>
  // expected-error @+2 {{axes 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Pad %x, %p axes(%a) : (tensor<2x3xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that Resize rejects scales and sizes together.
func.func @resize_both(%x: tensor<1x3x4x4xf32>, %s: tensor<4xf32>, %z: tensor<4xi64>) -> tensor<1x3x8x8xf32> {
  // expected-error @+2 {{Resize: scales and sizes must not both be given}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Resize %x scales(%s) sizes(%z) : (tensor<1x3x4x4xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that Resize needs scales or sizes.
func.func @resize_neither(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+2 {{Resize: one of scales and sizes is required}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Resize %x : (tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that Resize rejects a non-positive scale.
func.func @resize_scale(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %s = graph.constant dense<[1.0, 1.0, 0.0, 2.0]> : tensor<4xf32>
  // expected-error @+2 {{Resize: scales must be positive, got 0.000000e+00}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Resize %x scales(%s) : (tensor<1x3x4x4xf32>, tensor<4xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that Resize rejects sizes of the wrong length.
func.func @resize_sizes_length(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %s = graph.constant dense<[8, 8]> : tensor<2xi64>
  // expected-error @+2 {{Resize: sizes has 2 values, expected 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Resize %x sizes(%s) : (tensor<1x3x4x4xf32>, tensor<2xi64>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Tests that Resize rejects a scale whose output size overflows int64.
func.func @resize_overflow(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %s = graph.constant dense<[1.0e30, 1.0]> : tensor<2xf32>
  // expected-error @+2 {{Resize: dim 0 has output size 2.000000e+30, which is not a valid dim}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Resize %x scales(%s) : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that Einsum rejects a term count that differs from the inputs.
func.func @einsum_terms(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{Einsum: equation 'ij,jk->ik' has 2 input terms but there are 1 inputs}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum %a {equation = "ij,jk->ik"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that Einsum rejects a term whose labels do not match the rank.
func.func @einsum_rank(%a: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{Einsum: term 'ijk' has 3 labels but input 0 has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum %a {equation = "ijk->i"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Tests that Einsum rejects a label with two different sizes.
func.func @einsum_label(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{Einsum: label 'j' has size 4 in input 1 but size 3 elsewhere}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Tests that Einsum rejects an output label missing from the inputs.
func.func @einsum_output(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{Einsum: output label 'k' must appear in the inputs and only once in the output}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum %a {equation = "ij->ik"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that Einsum rejects characters that are not labels.
func.func @einsum_malformed(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{Einsum: malformed term 'i1' in equation 'i1->i'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum %a {equation = "i1->i"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that Einsum rejects ellipsis dims that do not broadcast.
func.func @einsum_broadcast(%a: tensor<2x3x4xf32>, %b: tensor<5x4x6xf32>) -> tensor<2x3x6xf32> {
  // expected-error @+2 {{operand shapes are not broadcast-compatible: [2] [5]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum %a, %b {equation = "...ij,...jk->...ik"} : (tensor<2x3x4xf32>, tensor<5x4x6xf32>) -> tensor<2x3x6xf32>
  return %0 : tensor<2x3x6xf32>
}

// -----

// Tests that Einsum needs at least one input.
func.func @einsum_empty() -> tensor<f32> {
  // expected-error @+2 {{Einsum: expected at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum {equation = "->"} : () -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that Det rejects non-square matrices.
func.func @det_square(%x: tensor<2x3xf32>) -> tensor<f32> {
  // expected-error @+2 {{Det: dim 0 of X (2) does not match dim 1 of X (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Det %x : (tensor<2x3xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that DFT rejects the complex axis.
func.func @dft_axis(%x: tensor<2x8x2xf32>) -> tensor<2x8x2xf32> {
  %a = graph.constant dense<-1> : tensor<i64>
  // expected-error @+2 {{DFT: axis -1 is out of range for input of rank 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.DFT %x axis(%a) : (tensor<2x8x2xf32>, tensor<i64>) -> tensor<2x8x2xf32>
  return %0 : tensor<2x8x2xf32>
}

// -----

// Tests that DFT rejects a last dim other than 1 or 2.
func.func @dft_complex(%x: tensor<2x8x3xf32>) -> tensor<2x8x2xf32> {
  // expected-error @+2 {{DFT: the last dim of input must be 1 (real) or 2 (complex), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.DFT %x : (tensor<2x8x3xf32>) -> tensor<2x8x2xf32>
  return %0 : tensor<2x8x2xf32>
}

// -----

// Tests that DFT rejects a non-positive dft_length.
func.func @dft_length(%x: tensor<2x8x2xf32>) -> tensor<2x8x2xf32> {
  %l = graph.constant dense<0> : tensor<i64>
  // expected-error @+2 {{DFT: dft_length must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.DFT %x dft_length(%l) : (tensor<2x8x2xf32>, tensor<i64>) -> tensor<2x8x2xf32>
  return %0 : tensor<2x8x2xf32>
}

// -----

// Tests that an inverse one-sided DFT needs a signal of at least two bins.
func.func @dft_irfft_length(%x: tensor<2x1x2xf32>) -> tensor<2x1x1xf32> {
  // expected-error @+2 {{DFT: dft_length must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.DFT %x {inverse = 1 : i64, onesided = 1 : i64} : (tensor<2x1x2xf32>) -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// Tests that CausalConvWithState rejects an empty kernel.
func.func @causal_conv_empty_kernel(%x: tensor<1x2x3xf32>, %w: tensor<2x1x0xf32>) -> (tensor<1x2x3xf32>, tensor<1x2x0xf32>) {
  // expected-error @+2 {{CausalConvWithState: dim 2 of weight must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.CausalConvWithState %x, %w : (tensor<1x2x3xf32>, tensor<2x1x0xf32>) -> (tensor<1x2x3xf32>, tensor<1x2x0xf32>)
  return %0#0, %0#1 : tensor<1x2x3xf32>, tensor<1x2x0xf32>
}

// -----

// Tests that STFT rejects a frame longer than the signal.
func.func @stft_frame(%x: tensor<1x10x1xf32>) -> tensor<1x1x9x2xf32> {
  %step = graph.constant dense<1> : tensor<i64>
  %len = graph.constant dense<16> : tensor<i64>
  // expected-error @+2 {{STFT: frame_length 16 exceeds the signal length 10}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.STFT %x, %step frame_length(%len) : (tensor<1x10x1xf32>, tensor<i64>, tensor<i64>) -> tensor<1x1x9x2xf32>
  return %0 : tensor<1x1x9x2xf32>
}

// -----

// Tests that STFT rejects a window that contradicts frame_length.
func.func @stft_window(%x: tensor<1x100x1xf32>, %w: tensor<8xf32>) -> tensor<1x22x9x2xf32> {
  %step = graph.constant dense<4> : tensor<i64>
  %len = graph.constant dense<16> : tensor<i64>
  // expected-error @+2 {{STFT: frame_length (16) does not match the window length (8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.STFT %x, %step window(%w) frame_length(%len) : (tensor<1x100x1xf32>, tensor<i64>, tensor<8xf32>, tensor<i64>) -> tensor<1x22x9x2xf32>
  return %0 : tensor<1x22x9x2xf32>
}

// -----

// Tests that the window functions reject an unknown output_datatype.
func.func @window_datatype() -> tensor<8xf32> {
  %n = graph.constant dense<8> : tensor<i64>
  // expected-error @+2 {{HannWindow: output_datatype 8 is not a supported ONNX data type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.HannWindow %n {output_datatype = 8 : i64} : (tensor<i64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that the window functions reject a negative size.
func.func @window_size() -> tensor<8xf32> {
  %n = graph.constant dense<-8> : tensor<i64>
  // expected-error @+2 {{HammingWindow: size must be non-negative, got -8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.HammingWindow %n : (tensor<i64>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// Tests that TfIdfVectorizer rejects an empty ngram_indexes.
func.func @tfidf_empty(%x: tensor<7xi64>) -> tensor<1xf32> {
  // expected-error @+2 {{TfIdfVectorizer: ngram_indexes must not be empty}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64>, pool_int64s = array<i64>} : (tensor<7xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Tests that TfIdfVectorizer rejects negative ngram_indexes.
func.func @tfidf_negative(%x: tensor<7xi64>) -> tensor<1xf32> {
  // expected-error @+2 {{TfIdfVectorizer: ngram_indexes must be non-negative, got [0, -1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.TfIdfVectorizer %x {max_gram_length = 1 : i64, max_skip_count = 0 : i64, min_gram_length = 1 : i64, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0, -1>, pool_int64s = array<i64: 1, 2>} : (tensor<7xi64>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Tests that NegativeLogLikelihoodLoss rejects a target of the wrong rank.
func.func @nll_rank(%x: tensor<3x5x6xf32>, %t: tensor<3xi64>) -> tensor<f32> {
  // expected-error @+2 {{NegativeLogLikelihoodLoss: target has rank 1 but input has rank 3; expected one less}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.NegativeLogLikelihoodLoss %x, %t : (tensor<3x5x6xf32>, tensor<3xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that SoftmaxCrossEntropyLoss rejects an unknown reduction.
func.func @sce_reduction(%x: tensor<3x5xf32>, %t: tensor<3xi64>) -> (tensor<f32>, tensor<3x5xf32>) {
  // expected-error @+2 {{SoftmaxCrossEntropyLoss: reduction must be one of none, sum, mean, got 'max'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.SoftmaxCrossEntropyLoss %x, %t {reduction = "max"} : (tensor<3x5xf32>, tensor<3xi64>) -> (tensor<f32>, tensor<3x5xf32>)
  return %0#0, %0#1 : tensor<f32>, tensor<3x5xf32>
}

// -----

// Tests that SoftmaxCrossEntropyLoss rejects labels whose dims differ.
func.func @sce_labels(%x: tensor<3x5x6xf32>, %t: tensor<3x7xi64>) -> (tensor<3x6xf32>, tensor<3x5x6xf32>) {
  // expected-error @+2 {{SoftmaxCrossEntropyLoss: dim 1 of labels (7) does not match dim 2 of scores (6)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = graph.SoftmaxCrossEntropyLoss %x, %t {reduction = "none"} : (tensor<3x5x6xf32>, tensor<3x7xi64>) -> (tensor<3x6xf32>, tensor<3x5x6xf32>)
  return %0#0, %0#1 : tensor<3x6xf32>, tensor<3x5x6xf32>
}

// -----

// Tests that NonMaxSuppression rejects boxes without four coordinates.
func.func @nms_boxes(%b: tensor<1x6x5xf32>, %s: tensor<1x2x6xf32>) -> tensor<?x3xi64> {
  // expected-error @+2 {{NonMaxSuppression: dim 2 of boxes (5) does not match 4 (box coordinates) (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.NonMaxSuppression %b, %s : (tensor<1x6x5xf32>, tensor<1x2x6xf32>) -> tensor<?x3xi64>
  return %0 : tensor<?x3xi64>
}

// -----

// The remaining cases declare an incompatible type on purpose; the message
// shows the inferred type, including the dims that must stay dynamic.

// Tests that Pad with non-constant pads makes the padded dims dynamic.
func.func @pad_dynamic(%x: tensor<2x3xf32>, %p: tensor<4xi64>) -> tensor<2x3x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<?x?xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Pad %x, %p : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// Tests that Pad with constant axes keeps the other dims static.
func.func @pad_dynamic_axes(%x: tensor<2x3xf32>, %p: tensor<2xi64>) -> tensor<2x3x1xf32> {
  %a = graph.constant dense<[1]> : tensor<1xi64>
  // expected-error @+2 {{inferred type(s) 'tensor<2x?xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Pad %x, %p axes(%a) : (tensor<2x3xf32>, tensor<2xi64>, tensor<1xi64>) -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}

// -----

// Tests that Resize with non-constant scales on two axes keeps N and C.
func.func @resize_dynamic(%x: tensor<1x3x4x4xf32>, %s: tensor<2xf32>) -> tensor<1x3x8x8x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<1x3x?x?xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Resize %x scales(%s) {axes = array<i64: 2, 3>} : (tensor<1x3x4x4xf32>, tensor<2xf32>) -> tensor<1x3x8x8x1xf32>
  return %0 : tensor<1x3x8x8x1xf32>
}

// -----

// Tests that the window functions give a dynamic length for a runtime size.
func.func @window_dynamic(%n: tensor<i64>) -> tensor<8x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<?xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.BlackmanWindow %n : (tensor<i64>) -> tensor<8x1xf32>
  return %0 : tensor<8x1xf32>
}

// -----

// Tests that STFT with a runtime frame_step has a dynamic frame count.
func.func @stft_dynamic(%x: tensor<2x100x1xf32>, %step: tensor<i64>, %w: tensor<16xf32>) -> tensor<2x22x9x2x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2x?x9x2xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.STFT %x, %step window(%w) : (tensor<2x100x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<2x22x9x2x1xf32>
  return %0 : tensor<2x22x9x2x1xf32>
}

// -----

// Tests that DFT with a runtime dft_length has a dynamic axis dim.
func.func @dft_dynamic(%x: tensor<2x8x2xf32>, %l: tensor<i64>) -> tensor<2x8x2x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2x?x2xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.DFT %x dft_length(%l) : (tensor<2x8x2xf32>, tensor<i64>) -> tensor<2x8x2x1xf32>
  return %0 : tensor<2x8x2x1xf32>
}

// -----

// Tests that CenterCropPad with a runtime shape makes the axes dynamic.
func.func @center_crop_pad_dynamic(%x: tensor<20x10x3xf32>, %s: tensor<1xi64>) -> tensor<20x10x3x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<20x?x3xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.CenterCropPad %x, %s {axes = array<i64: 1>} : (tensor<20x10x3xf32>, tensor<1xi64>) -> tensor<20x10x3x1xf32>
  return %0 : tensor<20x10x3x1xf32>
}

// -----

// Tests that AffineGrid with a runtime size keeps N from theta.
func.func @affine_grid_dynamic(%t: tensor<2x3x4xf32>, %s: tensor<5xi64>) -> tensor<2x4x5x6xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2x?x?x?x3xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.AffineGrid %t, %s : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x4x5x6xf32>
  return %0 : tensor<2x4x5x6xf32>
}

// -----

// Tests that Conv with SAME_UPPER does not need W's spatial dims.
func.func @conv_same_dynamic_kernel(%x: tensor<1x3x9x9xf32>, %w: tensor<8x3x?x?xf32>) -> tensor<1x8x5x5x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<1x8x5x5xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w {auto_pad = "SAME_UPPER", strides = array<i64: 2, 2>} : (tensor<1x3x9x9xf32>, tensor<8x3x?x?xf32>) -> tensor<1x8x5x5x1xf32>
  return %0 : tensor<1x8x5x5x1xf32>
}

// -----

// Tests that Conv with a dynamic kernel and explicit pads is dynamic there.
func.func @conv_dynamic_kernel(%x: tensor<1x3x9x9xf32>, %w: tensor<8x3x?x3xf32>) -> tensor<1x8x5x5x1xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<1x8x?x7xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Conv %x, %w : (tensor<1x3x9x9xf32>, tensor<8x3x?x3xf32>) -> tensor<1x8x5x5x1xf32>
  return %0 : tensor<1x8x5x5x1xf32>
}

// -----

// Tests that LSTM with an unranked X still has ranked results.
func.func @lstm_unranked(%x: tensor<*xf32>, %w: tensor<1x64x10xf32>, %r: tensor<1x64x16xf32>) -> (tensor<1xf32>, tensor<1x?x16xf32>, tensor<1x?x16xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<?x1x?x16xf32>', 'tensor<1x?x16xf32>', 'tensor<1x?x16xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:3 = graph.LSTM %x, %w, %r : (tensor<*xf32>, tensor<1x64x10xf32>, tensor<1x64x16xf32>) -> (tensor<1xf32>, tensor<1x?x16xf32>, tensor<1x?x16xf32>)
  return %0#0, %0#1, %0#2 : tensor<1xf32>, tensor<1x?x16xf32>, tensor<1x?x16xf32>
}

// -----

// Tests that Einsum with an unranked ellipsis operand is unranked (the
// declared f64 makes the types incompatible).
func.func @einsum_unranked(%a: tensor<*xf32>, %b: tensor<4x5xf32>) -> tensor<1xf64> {
  // expected-error @+2 {{inferred type(s) 'tensor<*xf32>' are incompatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.Einsum %a, %b {equation = "...j,jk"} : (tensor<*xf32>, tensor<4x5xf32>) -> tensor<1xf64>
  return %0 : tensor<1xf64>
}
