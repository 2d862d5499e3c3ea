// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that a broadcast operand is read through a projected map, without
// a materialized broadcast.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]]
  // CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>)
  // CHECK: arith.addf
  // CHECK-NOT: graph.
  %0 = graph.Add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that a size-1 dim that is broadcast is collapsed away first.
// CHECK-DAG: #[[$MAP:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func @mul_unit_dims
func.func @mul_unit_dims(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: %[[C:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$MAP]], #{{.*}}]
  // CHECK-SAME: ins(%{{.*}}, %[[C]] :
  // CHECK: arith.mulf
  %0 = graph.Mul %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Tests that unsigned arithmetic runs on the signless type with the unsigned
// variant, and that the tensors keep their unsigned type.
// CHECK-LABEL: func @div_unsigned
func.func @div_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  // CHECK: linalg.generic
  // CHECK: ^bb0(%[[X:.*]]: ui8, %[[Y:.*]]: ui8, %{{.*}}: ui8):
  // CHECK-DAG: %[[XS:.*]] = builtin.unrealized_conversion_cast %[[X]] : ui8 to i8
  // CHECK-DAG: %[[YS:.*]] = builtin.unrealized_conversion_cast %[[Y]] : ui8 to i8
  // CHECK: %[[Q:.*]] = arith.divui %[[XS]], %[[YS]] : i8
  // CHECK: %[[R:.*]] = builtin.unrealized_conversion_cast %[[Q]] : i8 to ui8
  // CHECK: linalg.yield %[[R]] : ui8
  // CHECK: -> tensor<4xui8>
  %0 = graph.Div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Tests the scalar semantics of Round (half to even), Cast float -> int
// (truncation), Max (NaN propagating) and integer Mod (divisor's sign).
// CHECK-LABEL: func @scalar_semantics
func.func @scalar_semantics(%x: tensor<4xf32>, %i: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi32>) {
  // CHECK: math.roundeven
  %0 = graph.Round %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: arith.fptosi %{{.*}} : f32 to i32
  %1 = graph.Cast %x {to = 6 : i64} : (tensor<4xf32>) -> tensor<4xi32>
  // CHECK: arith.maximumf
  %2 = graph.Max %x, %0 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: %[[R:.*]] = arith.remsi
  // CHECK: %[[SUM:.*]] = arith.addi %[[R]]
  // CHECK: arith.select %{{.*}}, %[[SUM]], %[[R]]
  %3 = graph.Mod %i, %1 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// Tests that Clip with only a max reads the scalar max as a rank-0 operand.
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func @clip_max_only
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[HI:.*]]: tensor<f32>)
func.func @clip_max_only(%x: tensor<4xf32>, %hi: tensor<f32>) -> tensor<4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$SCALAR]], #{{.*}}]
  // CHECK-SAME: ins(%[[X]], %[[HI]] :
  // CHECK-NOT: arith.maximumf
  // CHECK: arith.minimumf
  %0 = graph.Clip %x max(%hi) : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that MatMul of activations by a weight matrix is one linalg.matmul
// over the flattened rows, and Gemm with transB a generic contraction.
// CHECK-LABEL: func @matmul_gemm
func.func @matmul_gemm(%a: tensor<2x3x4xf32>, %w: tensor<4x5xf32>, %x: tensor<2x4xf32>, %c: tensor<5xf32>) -> (tensor<2x3x5xf32>, tensor<2x5xf32>) {
  // CHECK: %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%[[ROWS]], %{{.*}} : tensor<6x4xf32>, tensor<4x5xf32>)
  // CHECK: tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]]
  %0 = graph.MatMul %a, %w : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  %wt = graph.Transpose %w : (tensor<4x5xf32>) -> tensor<5x4xf32>
  %1 = graph.Gemm %x, %wt, %c {transB = 1 : i64} : (tensor<2x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %0, %1 : tensor<2x3x5xf32>, tensor<2x5xf32>
}

// -----

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

// -----

// Tests that MaxPool pads with -inf and AveragePool excluding pads divides by
// a per-position count.
// CHECK-LABEL: func @pools
func.func @pools(%x: tensor<1x2x7x7xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) {
  // CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[NEGINF]]
  // CHECK: linalg.pooling_nchw_max {{.*}} ins(%[[P]],
  %y, %i = graph.MaxPool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xi64>)
  // CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum
  // CHECK: linalg.generic {{.*}} ins(%[[SUM]] :
  // CHECK: linalg.index 2
  // CHECK: arith.ceildivsi
  // CHECK: arith.divf
  %a = graph.AveragePool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK: tensor.expand_shape
  %g = graph.GlobalAveragePool %x : (tensor<1x2x7x7xf32>) -> tensor<1x2x1x1xf32>
  return %y, %a, %g : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>
}

// -----

// Tests that Softmax subtracts the max along the axis before exp.
// CHECK-LABEL: func @softmax
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.maximumf
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]] :
  // CHECK: arith.subf
  // CHECK: math.exp
  // CHECK: arith.divf
  %0 = graph.Softmax %x {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Tests that ReduceMean with keepdims reduces, divides by the count and
// expands back to rank 3; LayerNormalization computes its statistics over
// the trailing dims.
// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) -> (tensor<2x1x4xf32>, tensor<2x3x4xf32>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
  // CHECK: arith.constant 3.000000e+00 : f32
  // CHECK: tensor.expand_shape {{.*}} : tensor<2x4xf32> into tensor<2x1x4xf32>
  %axes = graph.constant dense<[1]> : tensor<1xi64>
  %0 = graph.ReduceMean %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  // CHECK: math.sqrt
  %y, %m, %r = graph.LayerNormalization %x, %s {axis = -1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  return %0, %y : tensor<2x1x4xf32>, tensor<2x3x4xf32>
}

// -----

// Tests that inference BatchNormalization is one elementwise generic with the
// per-channel parameters read along dim 1.
// CHECK-DAG: #[[$CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @batchnorm
func.func @batchnorm(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$CH]], #[[$CH]], #[[$CH]], #[[$CH]], #{{.*}}]
  // CHECK: math.sqrt
  %y, %rm, %rv = graph.BatchNormalization %x, %p, %p, %p, %p : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Tests the view and copy ops of data movement: Reshape as collapse/expand,
// Transpose, Concat, Slice and Split as extract_slice.
// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %y: tensor<2x3x2xf32>) -> (tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x3x6xf32>, tensor<2x3x2xf32>, tensor<2x3x1xf32>, tensor<2x3x3xf32>) {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %shape = graph.constant dense<[6, 4]> : tensor<2xi64>
  %0 = graph.Reshape %x, %shape : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<6x4xf32>
  // CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %1 = graph.Transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: tensor.concat dim(2)
  %2 = graph.Concat %x, %y {axis = -1 : i64} : (tensor<2x3x4xf32>, tensor<2x3x2xf32>) -> tensor<2x3x6xf32>
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 1] [2, 3, 2] [1, 1, 2] : tensor<2x3x4xf32> to tensor<2x3x2xf32>
  %st = graph.constant dense<[1]> : tensor<1xi64>
  %en = graph.constant dense<[4]> : tensor<1xi64>
  %ax = graph.constant dense<[2]> : tensor<1xi64>
  %sp = graph.constant dense<[2]> : tensor<1xi64>
  %3 = graph.Slice %x, %st, %en axes(%ax) steps(%sp) : (tensor<2x3x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2x3x2xf32>
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 3, 1] [1, 1, 1]
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 1] [2, 3, 3] [1, 1, 1]
  %sizes = graph.constant dense<[1, 3]> : tensor<2xi64>
  %4:2 = graph.Split %x, %sizes {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  return %0, %1, %2, %3, %4#0, %4#1 : tensor<6x4xf32>, tensor<4x2x3xf32>, tensor<2x3x6xf32>, tensor<2x3x2xf32>, tensor<2x3x1xf32>, tensor<2x3x3xf32>
}

// -----

// Tests that Gather reads the data with tensor.extract at an index that
// wraps negative values.
// CHECK-LABEL: func @gather
// CHECK-SAME: (%[[DATA:.*]]: tensor<5x4xf32>, %[[IDX:.*]]: tensor<3xi64>)
func.func @gather(%data: tensor<5x4xf32>, %idx: tensor<3xi64>) -> tensor<3x4xf32> {
  // CHECK: linalg.generic {{.*}} ins(%[[IDX]] : tensor<3xi64>)
  // CHECK: ^bb0(%[[I:.*]]: i64,
  // CHECK: %[[II:.*]] = arith.index_cast %[[I]] : i64 to index
  // CHECK: arith.cmpi slt, %[[II]]
  // CHECK: %[[W:.*]] = arith.select
  // CHECK: %[[J:.*]] = linalg.index 1
  // CHECK: tensor.extract %[[DATA]][%[[W]], %[[J]]]
  %0 = graph.Gather %data, %idx {axis = 0 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// Tests that Where broadcasts its three operands and Trilu compares the
// column minus row index with k.
// CHECK-LABEL: func @where_trilu
func.func @where_trilu(%c: tensor<4x4xi1>, %x: tensor<4x4xf32>, %y: tensor<f32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  // CHECK: arith.select
  %0 = graph.Where %c, %x, %y : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xf32>
  // CHECK: linalg.index 0
  // CHECK: linalg.index 1
  // CHECK: arith.cmpi sle
  %1 = graph.Trilu %x {upper = 0 : i64} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return %0, %1 : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Tests that an op without a lowering is left as it is, and the pass
// succeeds.
// CHECK-LABEL: func @unsupported
func.func @unsupported(%x: tensor<3x2x2xf32>) -> tensor<3xf32> {
  // CHECK: graph.Det
  %0 = graph.Det %x : (tensor<3x2x2xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Tests that Resize in linear mode blends the two edge-clamped neighbours of
// each resized dim with f64 weights, and that dims of scale 1 index
// directly.
// CHECK-LABEL: func @resize_linear
func.func @resize_linear(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32> {
  %s = graph.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.floor
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK-COUNT-4: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x4x4xf32>
  // CHECK: arith.truncf %{{.*}} : f64 to f32
  %0 = graph.Resize %x scales(%s) {mode = "linear"} : (tensor<1x2x4x4xf32>, tensor<4xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}

// -----

// Tests that Resize in nearest mode rounds the asymmetric coordinate with
// round_prefer_floor (ceil(x - 0.5)) and gathers one element.
// CHECK-LABEL: func @resize_nearest
func.func @resize_nearest(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %sizes = graph.constant dense<[1, 1, 4, 4]> : tensor<4xi64>
  // CHECK: linalg.generic
  // CHECK: arith.divf
  // CHECK: arith.subf
  // CHECK: math.ceil
  // CHECK: tensor.extract
  // CHECK-NOT: tensor.extract
  %0 = graph.Resize %x sizes(%sizes) {coordinate_transformation_mode = "asymmetric"} : (tensor<1x1x2x2xf32>, tensor<4xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Tests that CastLike reads only its input (the second operand gives the
// type and is not broadcast into the result).
// CHECK-LABEL: func @castlike_scalar
// CHECK-SAME: (%[[S:.*]]: tensor<f64>, %{{.*}}: tensor<3x4xf32>)
func.func @castlike_scalar(%s: tensor<f64>, %like: tensor<3x4xf32>) -> tensor<f32> {
  // CHECK: linalg.generic {{.*}} ins(%[[S]] : tensor<f64>) outs(%{{.*}} : tensor<f32>)
  // CHECK: arith.truncf
  %0 = graph.CastLike %s, %like : (tensor<f64>, tensor<3x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Tests that BitShift RIGHT of a signed type shifts arithmetically, also
// when the amount is out of range, and that Hardmax keeps i64 indices.
// CHECK-LABEL: func @bitshift_signed_hardmax
func.func @bitshift_signed_hardmax(%x: tensor<3xi8>, %y: tensor<3xi8>, %h: tensor<2x3xf32>) -> (tensor<3xi8>, tensor<2x3xf32>) {
  // CHECK: arith.shrsi
  // CHECK: arith.shrsi
  // CHECK: arith.cmpi uge
  // CHECK-NOT: arith.shrui
  %0 = graph.BitShift %x, %y {direction = "RIGHT"} : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  // CHECK: } -> (tensor<2xf32>, tensor<2xi64>)
  // CHECK-NOT: xindex>
  %1 = graph.Hardmax %h {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<3xi8>, tensor<2x3xf32>
}

// -----

// Tests that NegativeLogLikelihoodLoss gathers -input[n, target, d] with a
// clamped class index, zeroes ignored elements, and divides the sum by the
// sum of the weights for `mean`; SoftmaxCrossEntropyLoss goes through
// LogSoftmax along the classes.
// CHECK-LABEL: func @loss
func.func @loss(%x: tensor<3x5x2xf32>, %t: tensor<3x2xi64>, %w: tensor<5xf32>) -> (tensor<f32>, tensor<3x2xf32>, tensor<3x5x2xf32>) {
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK: tensor.extract %{{.*}} : tensor<5xf32>
  // CHECK: arith.cmpi eq
  // CHECK: tensor.extract %{{.*}} : tensor<3x5x2xf32>
  // CHECK: arith.negf
  // CHECK: arith.divf
  // CHECK-NOT: graph.
  %0 = graph.NegativeLogLikelihoodLoss %x, %t, %w {ignore_index = 1 : i64} : (tensor<3x5x2xf32>, tensor<3x2xi64>, tensor<5xf32>) -> tensor<f32>
  // CHECK: math.exp
  // CHECK: math.log
  %1, %2 = graph.SoftmaxCrossEntropyLoss %x, %t {reduction = "none"} : (tensor<3x5x2xf32>, tensor<3x2xi64>) -> (tensor<3x2xf32>, tensor<3x5x2xf32>)
  return %0, %1, %2 : tensor<f32>, tensor<3x2xf32>, tensor<3x5x2xf32>
}

// -----

// Tests that grouped-query Attention repeats the kv heads, masks causally
// with a select of -inf, scales Q and K by sqrt(scale) in the QK
// contraction, and zeroes fully masked rows.
// CHECK-LABEL: func @attention_gqa_causal
func.func @attention_gqa_causal(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x3x8xf32>, %v: tensor<1x2x3x8xf32>) -> tensor<1x4x3x8xf32> {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x2x3x8xf32> into tensor<1x4x3x8xf32>
  // CHECK: arith.cmpi sle
  // CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
  // CHECK: arith.mulf
  // CHECK: arith.mulf
  // CHECK: math.exp
  // CHECK: math.isinf
  // CHECK-NOT: graph.
  %y, %pk, %pv, %qk = graph.Attention %q, %k, %v {is_causal = 1 : i64} : (tensor<1x4x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) -> (tensor<1x4x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x4x3x3xf32>)
  return %y : tensor<1x4x3x8xf32>
}

// -----

// Tests that QuantizeLinear rounds half to even and clamps to the output
// range in float, and that blocked DequantizeLinear gathers its scale at
// index / block_size.
// CHECK-LABEL: func @quantize
func.func @quantize(%x: tensor<2x4xf32>, %s: tensor<f32>, %zp: tensor<ui8>, %q: tensor<2x4xi8>, %bs: tensor<2x2xf32>) -> (tensor<2x4xui8>, tensor<2x4xf32>) {
  // CHECK: arith.divf
  // CHECK: math.roundeven
  // CHECK: arith.maximumf
  // CHECK: arith.minimumf
  // CHECK: arith.fptoui
  %0 = graph.QuantizeLinear %x, %s, %zp : (tensor<2x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  // CHECK: arith.divui
  // CHECK: tensor.extract %{{.*}} : tensor<2x2xf32>
  // CHECK: arith.mulf
  %1 = graph.DequantizeLinear %q, %bs {axis = 1 : i64, block_size = 2 : i64} : (tensor<2x4xi8>, tensor<2x2xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xui8>, tensor<2x4xf32>
}

// -----

// Tests that CumSum with an axis known only at run time loops over the
// largest dim and gathers with tensor.extract, and that Pad with a computed
// pad value selects between a clamped gather and that value.
// CHECK-LABEL: func @cumsum_runtime_axis_pad_value
func.func @cumsum_runtime_axis_pad_value(%x: tensor<2x3xf32>, %axis: tensor<i32>, %v: tensor<1xf32>) -> (tensor<2x3xf32>, tensor<2x5xf32>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<i32>, tensor<2x3xf32>)
  // CHECK: tensor.extract %{{.*}} : tensor<2x3xf32>
  %0 = graph.CumSum %x, %axis : (tensor<2x3xf32>, tensor<i32>) -> tensor<2x3xf32>
  %pads = graph.constant dense<[0, 1, 0, 1]> : tensor<4xi64>
  // CHECK-NOT: tensor.pad
  // CHECK: tensor.extract %{{.*}} : tensor<2x3xf32>
  // CHECK: arith.select
  %1 = graph.Pad %x, %pads constant_value(%v) : (tensor<2x3xf32>, tensor<4xi64>, tensor<1xf32>) -> tensor<2x5xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x5xf32>
}

// -----

// Tests that ScatterElements starts from the data and reduces over the
// updates, combining where the (normalized) index names the output element,
// and that GatherND gathers at the index tuple read with tensor.extract.
// CHECK-LABEL: func @scatter_gathernd
// CHECK-SAME: (%[[D:.*]]: tensor<3x3xf32>, %[[I:.*]]: tensor<1x2xi64>, %[[U:.*]]: tensor<1x2xf32>
func.func @scatter_gathernd(%d: tensor<3x3xf32>, %i: tensor<1x2xi64>, %u: tensor<1x2xf32>, %nd: tensor<2x1xi64>) -> (tensor<3x3xf32>, tensor<2x3xf32>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK-SAME: ins(%[[I]], %[[U]] : tensor<1x2xi64>, tensor<1x2xf32>) outs(%[[D]] : tensor<3x3xf32>)
  // CHECK: arith.cmpi eq
  // CHECK: arith.addf
  // CHECK: arith.select
  %0 = graph.ScatterElements %d, %i, %u {axis = 1 : i64, reduction = "add"} : (tensor<3x3xf32>, tensor<1x2xi64>, tensor<1x2xf32>) -> tensor<3x3xf32>
  // CHECK: tensor.extract %{{.*}} : tensor<2x1xi64>
  // CHECK: tensor.extract %[[D]]
  %1 = graph.GatherND %d, %nd : (tensor<3x3xf32>, tensor<2x1xi64>) -> tensor<2x3xf32>
  return %0, %1 : tensor<3x3xf32>, tensor<2x3xf32>
}

// -----

// Tests that CumProd is the CumSum reduction with a product from 1.
// CHECK-LABEL: func @cumprod
func.func @cumprod(%x: tensor<4xi64>) -> tensor<4xi64> {
  %axis = graph.constant dense<0> : tensor<i64>
  // CHECK: arith.constant 1 : i64
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.muli
  %0 = graph.CumProd %x, %axis {exclusive = 1 : i64} : (tensor<4xi64>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
