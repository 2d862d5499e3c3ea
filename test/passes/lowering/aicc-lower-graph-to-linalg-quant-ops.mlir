// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that QLinearMatMul multiplies in int32 (operands widened with their
// zero points subtracted) and requantizes with a float multiplier, rounding
// half to even and saturating to the output range.
// CHECK-LABEL: func @qlinear_matmul
func.func @qlinear_matmul(%a: tensor<2x4xui8>, %as: tensor<f32>, %az: tensor<ui8>, %b: tensor<4x3xi8>, %bs: tensor<3xf32>, %bz: tensor<3xi8>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<2x3xui8> {
  // CHECK: arith.extui %{{.*}} : i8 to i32
  // CHECK: arith.subi
  // CHECK: arith.extsi %{{.*}} : i8 to i32
  // CHECK: arith.subi
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xi32>, tensor<4x3xi32>) outs(%{{.*}} : tensor<2x3xi32>)
  // CHECK: linalg.generic
  // CHECK: arith.mulf
  // CHECK: arith.divf
  // CHECK: arith.sitofp %{{.*}} : i32 to f32
  // CHECK: arith.mulf
  // CHECK: math.roundeven
  // CHECK: arith.addf
  // CHECK: arith.maximumf
  // CHECK: arith.minimumf
  // CHECK: arith.fptoui %{{.*}} : f32 to i8
  %0 = graph.QLinearMatMul %a, %as, %az, %b, %bs, %bz, %ys, %yz : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x3xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

// Tests that QLinearConv convolves (x - x_zero_point) and per-channel
// (w - w_zero_point) in int32, pads with 0 after the subtraction, adds the
// int32 bias and requantizes per output channel.
// CHECK-LABEL: func @qlinear_conv
func.func @qlinear_conv(%x: tensor<1x2x4x4xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %w: tensor<3x2x3x3xi8>, %ws: tensor<3xf32>, %wz: tensor<3xi8>, %ys: tensor<f32>, %yz: tensor<ui8>, %bias: tensor<3xi32>) -> tensor<1x3x4x4xui8> {
  // CHECK: tensor.pad
  // CHECK: arith.constant 0 : i32
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x6x6xi32>, tensor<3x2x3x3xi32>)
  // CHECK: arith.addi
  // CHECK: math.roundeven
  // CHECK: arith.fptoui
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %bias {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<3x2x3x3xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<ui8>, tensor<3xi32>) -> tensor<1x3x4x4xui8>
  return %0 : tensor<1x3x4x4xui8>
}

// -----

// Tests that QLinearConv with a constant weight, a constant x_zero_point and
// zero w_zero_point keeps x and w 8-bit: x is padded with its zero point,
// both are split into [C/4][4] channels with the 4 as the innermost
// reduction loop (VNNI's dot product of 4), widened only in the multiply, and
// -x_zero_point * sum(w[f]) + bias[f] is one constant: -3 * 10 + 100 = 70
// and -3 * 6 - 7 = -25.
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>
// CHECK-LABEL: func @qlinear_conv_narrow
func.func @qlinear_conv_narrow(%x: tensor<1x4x3x3xui8>, %xs: tensor<f32>, %ws: tensor<2xf32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x5x5xui8> {
  // CHECK: %[[ZP:.*]] = arith.constant 3 : i8
  // CHECK: tensor.pad
  // CHECK: tensor.yield %[[ZP]] : i8
  // CHECK: %[[XS:.*]] = tensor.expand_shape {{.*}} into tensor<1x1x4x5x5xi8>
  // CHECK: %[[W:.*]] = graph.constant dense_resource<{{.*}}> : tensor<2x1x4x1x1xi8>
  // CHECK: linalg.generic {indexing_maps = [#[[$X]], #[[$W]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[XS]], %[[W]] :
  // CHECK: arith.extui %{{.*}} : i8 to i32
  // CHECK: arith.extsi %{{.*}} : i8 to i32
  // CHECK: arith.muli
  // CHECK: arith.addi
  // CHECK: %[[COMP:.*]] = graph.constant dense<[70, -25]> : tensor<2xi32>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[COMP]] :
  // CHECK: arith.addi
  // CHECK: math.roundeven
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<[[[[1]], [[2]], [[3]], [[4]]], [[[-1]], [[0]], [[5]], [[2]]]]> : tensor<2x4x1x1xi8>
  %wz = graph.constant dense<0> : tensor<2xi8>
  %bias = graph.constant dense<[100, -7]> : tensor<2xi32>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %bias {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x3x3xui8>, tensor<f32>, tensor<ui8>, tensor<2x4x1x1xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>, tensor<2xi32>) -> tensor<1x2x5x5xui8>
  return %0 : tensor<1x2x5x5xui8>
}

// -----

// Tests that the narrow QLinearConv pads 3 input channels to 4 (x with its
// zero point, the weights with 0: the compensation -5 * (1 + 2 + 3) = -30
// is unchanged).
// CHECK-LABEL: func @qlinear_conv_narrow_3_channels
func.func @qlinear_conv_narrow_3_channels(%x: tensor<1x3x2x2xui8>, %xs: tensor<f32>, %ws: tensor<f32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x1x2x2xui8> {
  // CHECK: %[[ZP:.*]] = arith.constant 5 : i8
  // CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 1, 0, 0]
  // CHECK: tensor.yield %[[ZP]] : i8
  // CHECK: tensor.expand_shape {{.*}} into tensor<1x1x4x2x2xi8>
  // CHECK: graph.constant dense_resource<{{.*}}> : tensor<1x1x4x1x1xi8>
  // CHECK: graph.constant dense<-30> : tensor<1xi32>
  %xz = graph.constant dense<5> : tensor<ui8>
  %w = graph.constant dense<[[[[1]], [[2]], [[3]]]]> : tensor<1x3x1x1xi8>
  %wz = graph.constant dense<0> : tensor<i8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz : (tensor<1x3x2x2xui8>, tensor<f32>, tensor<ui8>, tensor<1x3x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x2x2xui8>
  return %0 : tensor<1x1x2x2xui8>
}

// -----

// Tests that an unpadded narrow QLinearConv (1x1, 4 channels) reads the u8 x
// as it is, reinterpreted in the multiply-add (no copy into i8 first), and
// that with constant scales the requantization multiplier is one constant
// per channel computed at compile time in f32 (x_scale * w_scale[f] /
// y_scale: 0.5 * 0.25 / 0.125 = 1 and 0.5 * 0.75 / 0.125 = 3): no division
// in the kernel.
// CHECK-LABEL: func @qlinear_conv_narrow_unpadded_constant_scales
func.func @qlinear_conv_narrow_unpadded_constant_scales(%x: tensor<1x4x2x2xui8>) -> tensor<1x2x2x2xui8> {
  // CHECK-NOT: tensor.pad
  // CHECK: %[[XS:.*]] = tensor.expand_shape %{{.*}} into tensor<1x1x4x2x2xui8>
  // CHECK: linalg.generic {{.*}} ins(%[[XS]], %{{.*}} : tensor<1x1x4x2x2xui8>, tensor<2x1x4x1x1xi8>)
  // CHECK: builtin.unrealized_conversion_cast %{{.*}} : ui8 to i8
  // CHECK: arith.extui %{{.*}} : i8 to i32
  // CHECK: %[[M:.*]] = graph.constant dense<[1.000000e+00, 3.000000e+00]> : tensor<2xf32>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[M]], %{{.*}} :
  // CHECK-NOT: arith.divf
  // CHECK: arith.mulf
  // CHECK-NOT: arith.divf
  // CHECK: math.roundeven
  // CHECK-NOT: arith.divf
  // CHECK: return
  %xs = graph.constant dense<0.5> : tensor<f32>
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<[[[[1]], [[2]], [[3]], [[4]]], [[[-1]], [[0]], [[5]], [[2]]]]> : tensor<2x4x1x1xi8>
  %ws = graph.constant dense<[0.25, 0.75]> : tensor<2xf32>
  %wz = graph.constant dense<0> : tensor<2xi8>
  %ys = graph.constant dense<0.125> : tensor<f32>
  %yz = graph.constant dense<128> : tensor<ui8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz : (tensor<1x4x2x2xui8>, tensor<f32>, tensor<ui8>, tensor<2x4x1x1xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  return %0 : tensor<1x2x2x2xui8>
}

// -----

// Tests that a depthwise QLinearConv (group = C = F) takes the narrow form
// without the [C/4][4] split: x padded with its zero point, the weights as a
// [C][Kh][Kw] constant, loops n, c, oh, ow, kh, kw, and the compensation
// -x_zero_point * sum(w[c]) + bias[c] = -2 * 3 + 10 = 4 and -2 * -1 - 1 = 1.
// CHECK-DAG: #[[$DX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
// CHECK-DAG: #[[$DW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d4, d5)>
// CHECK-LABEL: func @qlinear_conv_narrow_depthwise
func.func @qlinear_conv_narrow_depthwise(%x: tensor<1x2x4x4xui8>, %xs: tensor<f32>, %ws: tensor<2xf32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x3x3xui8> {
  // CHECK: %[[ZP:.*]] = arith.constant 2 : i8
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[ZP]] : i8
  // CHECK: %[[W:.*]] = graph.constant dense_resource<{{.*}}> : tensor<2x2x2xi8>
  // CHECK: linalg.generic {indexing_maps = [#[[$DX]], #[[$DW]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %[[W]] : tensor<1x2x{{.*}}xi8>, tensor<2x2x2xi8>)
  // CHECK: arith.extui %{{.*}} : i8 to i32
  // CHECK: arith.extsi %{{.*}} : i8 to i32
  // CHECK: arith.muli
  // CHECK: %[[COMP:.*]] = graph.constant dense<[4, 1]> : tensor<2xi32>
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[COMP]] :
  // CHECK: math.roundeven
  %xz = graph.constant dense<2> : tensor<ui8>
  %w = graph.constant dense<[[[[1, 1], [0, 1]]], [[[-1, 0], [1, -1]]]]> : tensor<2x1x2x2xi8>
  %wz = graph.constant dense<0> : tensor<2xi8>
  %bias = graph.constant dense<[10, -1]> : tensor<2xi32>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %bias {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x2x2xi8>, tensor<2xf32>, tensor<2xi8>, tensor<f32>, tensor<ui8>, tensor<2xi32>) -> tensor<1x2x3x3xui8>
  return %0 : tensor<1x2x3x3xui8>
}

// -----

// Tests that a grouped ConvInteger (2 groups of 2 input and 1 output
// channels) takes the narrow form over x as [N][G][C/G][H][W] and w as
// [G][F/G][C/G][Kh][Kw], the result reshaped back to [N][F][OH][OW]; the
// compensation is -4 * (1 + 2) = -12 and -4 * (3 - 1) = -8.
// CHECK-DAG: #[[$GX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>
// CHECK-DAG: #[[$GW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-LABEL: func @conv_integer_narrow_grouped
func.func @conv_integer_narrow_grouped(%x: tensor<1x4x3x3xui8>) -> tensor<1x2x3x3xi32> {
  // CHECK: %[[W:.*]] = graph.constant dense_resource<{{.*}}> : tensor<2x1x2x1x1xi8>
  // CHECK: %[[X:.*]] = tensor.expand_shape {{.*}} into tensor<1x2x2x3x3xi8>
  // CHECK: linalg.generic {indexing_maps = [#[[$GX]], #[[$GW]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[X]], %[[W]] :
  // CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x3x3xi32>
  // CHECK: graph.constant dense<[-12, -8]> : tensor<2xi32>
  %xz = graph.constant dense<4> : tensor<ui8>
  %w = graph.constant dense<[[[[1]], [[2]]], [[[3]], [[-1]]]]> : tensor<2x2x1x1xi8>
  %0 = graph.ConvInteger %x, %w x_zero_point(%xz) {group = 2 : i64} : (tensor<1x4x3x3xui8>, tensor<2x2x1x1xi8>, tensor<ui8>) -> tensor<1x2x3x3xi32>
  return %0 : tensor<1x2x3x3xi32>
}

// -----

// Tests that QLinearConv with a nonzero w_zero_point keeps the widened form.
// CHECK-LABEL: func @qlinear_conv_weight_zero_point
func.func @qlinear_conv_weight_zero_point(%x: tensor<1x4x3x3xui8>, %xs: tensor<f32>, %ws: tensor<f32>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x3x3xui8> {
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} : tensor<1x4x3x3xi32>, tensor<2x4x1x1xi32>)
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<1> : tensor<2x4x1x1xi8>
  %wz = graph.constant dense<1> : tensor<i8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz : (tensor<1x4x3x3xui8>, tensor<f32>, tensor<ui8>, tensor<2x4x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x3x3xui8>
  return %0 : tensor<1x2x3x3xui8>
}

// -----

// Tests that DynamicQuantizeLinear reduces min and max from 0 (so the range
// includes 0), divides the range by 255 (in f64, rounded to f32: a correctly
// rounded f32 division) and quantizes with it.
// CHECK-LABEL: func @dynamic_quantize
func.func @dynamic_quantize(%x: tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>) {
  // CHECK: arith.minimumf
  // CHECK: arith.maximumf
  // CHECK: %[[RANGE:.*]] = arith.subf
  // CHECK: %[[WIDE:.*]] = arith.extf %[[RANGE]] : f32 to f64
  // CHECK: %[[Q:.*]] = arith.divf %[[WIDE]], %{{.*}} : f64
  // CHECK: arith.truncf %[[Q]] : f64 to f32
  // CHECK: arith.negf
  // CHECK: math.roundeven
  // CHECK: math.roundeven
  %y, %s, %z = graph.DynamicQuantizeLinear %x : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
  return %y, %s, %z : tensor<2x3xui8>, tensor<f32>, tensor<ui8>
}

// -----

// Tests that QLinearAdd with constant parameters computes without f64 when
// the compile-time check passes: r_a = 0.0233 / 0.0511 and r_b = 0.0417 /
// 0.0511 split into 12-bit leading parts and rests, (b * rb_hi + k) +
// b * rb_lo, then (a * ra_hi + that) + a * ra_lo, all f32.
// CHECK-LABEL: func @qlinear_add_split
func.func @qlinear_add_split(%a: tensor<2x4xui8>, %b: tensor<2x4xui8>) -> tensor<2x4xui8> {
  // CHECK: linalg.generic
  // CHECK-NOT: f64
  // CHECK: %[[A:.*]] = arith.uitofp %{{.*}} : i8 to f32
  // CHECK: %[[B:.*]] = arith.uitofp %{{.*}} : i8 to f32
  // CHECK: %[[BH:.*]] = arith.mulf %[[B]], %{{.*}} : f32
  // CHECK: %[[G0:.*]] = arith.addf %[[BH]], %{{.*}} : f32
  // CHECK: %[[BL:.*]] = arith.mulf %[[B]], %{{.*}} : f32
  // CHECK: %[[G:.*]] = arith.addf %[[G0]], %[[BL]] : f32
  // CHECK: %[[AH:.*]] = arith.mulf %[[A]], %{{.*}} : f32
  // CHECK: %[[F0:.*]] = arith.addf %[[AH]], %[[G]] : f32
  // CHECK: %[[AL:.*]] = arith.mulf %[[A]], %{{.*}} : f32
  // CHECK: %[[F:.*]] = arith.addf %[[F0]], %[[AL]] : f32
  // CHECK: math.roundeven %[[F]] : f32
  // CHECK-NOT: f64
  // CHECK: linalg.yield
  %as = graph.constant dense<0.0233> : tensor<f32>
  %az = graph.constant dense<128> : tensor<ui8>
  %bs = graph.constant dense<0.0417> : tensor<f32>
  %bz = graph.constant dense<120> : tensor<ui8>
  %cs = graph.constant dense<0.0511> : tensor<f32>
  %cz = graph.constant dense<125> : tensor<ui8>
  %0 = graph.QLinearAdd %a, %as, %az, %b, %bs, %bz, %cs, %cz {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// Tests that QLinearAdd computes like ONNX Runtime's kernel in one generic:
// scale ratios to the output scale, the zero points folded into one
// constant k = c_zp - fma(r_a, a_zp, r_b * b_zp) (an f64 multiply-add
// rounded to f32), multiply-adds in f64 rounded to f32, no zero point added
// after rounding.
// CHECK-LABEL: func @qlinear_add
func.func @qlinear_add(%a: tensor<2x4xui8>, %as: tensor<f32>, %az: tensor<ui8>, %b: tensor<4xui8>, %bs: tensor<f32>, %bz: tensor<ui8>, %cs: tensor<f32>, %cz: tensor<ui8>) -> tensor<2x4xui8> {
  // CHECK: linalg.generic
  // CHECK: %[[RA:.*]] = arith.divf
  // CHECK: %[[RB:.*]] = arith.divf
  // CHECK: %[[TB:.*]] = arith.mulf %[[RB]], %{{.*}} : f32
  // CHECK: %[[WRA:.*]] = arith.extf %[[RA]] : f32 to f64
  // CHECK: %[[WTB:.*]] = arith.extf %[[TB]] : f32 to f64
  // CHECK: %[[P:.*]] = arith.mulf %[[WRA]], %{{.*}} : f64
  // CHECK: %[[S:.*]] = arith.addf %[[P]], %[[WTB]] : f64
  // CHECK: %[[T:.*]] = arith.truncf %[[S]] : f64 to f32
  // CHECK: arith.subf %{{.*}}, %[[T]] : f32
  // CHECK: arith.extf %{{.*}} : f32 to f64
  // CHECK: arith.mulf %{{.*}} : f64
  // CHECK: arith.truncf %{{.*}} : f64 to f32
  // CHECK: math.roundeven
  // CHECK-NOT: arith.addf %{{.*}} : f32
  // CHECK: arith.maximumf
  // CHECK-NOT: linalg.generic
  %0 = graph.QLinearAdd %a, %as, %az, %b, %bs, %bz, %cs, %cz {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// Tests that QLinearMul computes like ONNX Runtime's kernel: the product of
// the operands minus their zero points times f32(a_scale * b_scale) /
// c_scale, then the output zero point added in f32 before the rounding, not
// after it (the max/min of the saturation make the kernel strict, so the
// addition is not contracted with the multiply).
// CHECK-LABEL: func @qlinear_mul
func.func @qlinear_mul(%a: tensor<2x4xui8>, %as: tensor<f32>, %az: tensor<ui8>, %b: tensor<4xui8>, %bs: tensor<f32>, %bz: tensor<ui8>, %cs: tensor<f32>, %cz: tensor<ui8>) -> tensor<2x4xui8> {
  // CHECK: linalg.generic
  // CHECK: %[[SS:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
  // CHECK: %[[RATIO:.*]] = arith.divf %[[SS]], %{{.*}} : f32
  // CHECK: %[[PROD:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
  // CHECK: %[[SCALED:.*]] = arith.mulf %[[PROD]], %[[RATIO]] : f32
  // CHECK: %[[SUM:.*]] = arith.addf %[[SCALED]], %{{.*}} : f32
  // CHECK: math.roundeven %[[SUM]] : f32
  // CHECK-NOT: arith.addf
  // CHECK: arith.maximumf
  %0 = graph.QLinearMul %a, %as, %az, %b, %bs, %bz, %cs, %cz {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  return %0 : tensor<2x4xui8>
}

// -----

// Tests that QGemm with transB transposes B, multiplies in int32, adds the
// int32 C and scales by alpha * a_scale * b_scale to f32 without y_scale.
// CHECK-LABEL: func @qgemm_float
func.func @qgemm_float(%a: tensor<2x4xui8>, %as: tensor<f32>, %az: tensor<ui8>, %b: tensor<3x4xi8>, %bs: tensor<3xf32>, %bz: tensor<3xi8>, %c: tensor<3xi32>) -> tensor<2x3xf32> {
  // CHECK: linalg.transpose
  // CHECK: linalg.matmul {{.*}} -> tensor<2x3xi32>
  // CHECK: arith.addi
  // CHECK: arith.constant 5.000000e-01 : f32
  // CHECK-NOT: math.roundeven
  %0 = graph.QGemm %a, %as, %az, %b, %bs, %bz, %c {transB = 1 : i64, alpha = 0.5 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 0, 0>} : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>, tensor<3x4xi8>, tensor<3xf32>, tensor<3xi8>, tensor<3xi32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Tests that QLinearGlobalAveragePool (channels_last: the spatial dims 1
// and 2) sums x - x_zp exactly in i32 and rounds once, as ONNX Runtime's
// MLAS kernel does: f32(sum) * f32(x_scale / f32(y_scale * 16)), then the
// zero point; no float pool, no transposes.
// CHECK-LABEL: func @qlinear_gap_nhwc
func.func @qlinear_gap_nhwc(%x: tensor<1x4x4x8xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x1x1x8xui8> {
  // CHECK-NOT: linalg.transpose
  // CHECK: arith.subi %{{.*}} : i32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction", "parallel"]
  // CHECK: arith.addi %{{.*}} : i32
  // CHECK: } -> tensor<1x8xi32>
  // CHECK: %[[N:.*]] = arith.constant 1.600000e+01 : f32
  // CHECK: %[[D:.*]] = arith.mulf %{{.*}}, %[[N]] : f32
  // CHECK: %[[SCALE:.*]] = arith.divf %{{.*}}, %[[D]] : f32
  // CHECK: %[[SUM:.*]] = arith.sitofp %{{.*}} : i32 to f32
  // CHECK: %[[V:.*]] = arith.mulf %[[SUM]], %[[SCALE]] : f32
  // CHECK: math.roundeven %[[V]] : f32
  // CHECK: tensor.expand_shape {{.*}} into tensor<1x1x1x8xui8>
  %0 = graph.QLinearGlobalAveragePool %x, %xs, %xz, %ys, %yz {channels_last = 1 : i64} : (tensor<1x4x4x8xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x1x8xui8>
  return %0 : tensor<1x1x1x8xui8>
}

// -----

// Tests that QLinearAveragePool quantizes the float average as ONNX
// Runtime's kernel does: v / y_scale, then the zero point added in f32
// (through f64, rounded once) before the rounding, not after it.
// CHECK-LABEL: func @qlinear_avgpool
func.func @qlinear_avgpool(%x: tensor<1x2x4x4xui8>, %xs: tensor<f32>, %xz: tensor<ui8>, %ys: tensor<f32>, %yz: tensor<ui8>) -> tensor<1x2x2x2xui8> {
  // CHECK: } -> tensor<1x2x2x2xf32>
  // CHECK: linalg.generic
  // CHECK: %[[Q:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
  // CHECK: %[[WQ:.*]] = arith.extf %[[Q]] : f32 to f64
  // CHECK: %[[S:.*]] = arith.addf %[[WQ]], %{{.*}} : f64
  // CHECK: %[[R:.*]] = arith.truncf %[[S]] : f64 to f32
  // CHECK: math.roundeven %[[R]] : f32
  // CHECK-NOT: arith.addf
  // CHECK: arith.maximumf
  %0 = graph.QLinearAveragePool %x, %xs, %xz, %ys, %yz {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x2xui8>
  return %0 : tensor<1x2x2x2xui8>
}
