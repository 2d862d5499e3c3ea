// RUN: aicc-opt %s -split-input-file --aicc-graph-fuse-qdq | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-graph-fuse-qdq -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Tests that DQ -> MatMul -> Q with a per-column weight becomes one
// QLinearMatMul on the integer tensors, located at both nodes, and that the
// DequantizeLinears go away.
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x4xui8>, %[[W:[^:]*]]: tensor<4x3xi8>
// CHECK: %[[Y:.*]] = graph.QLinearMatMul %[[X]], %{{.*}}, %{{.*}}, %[[W]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : {{.*}} -> tensor<2x3xui8>
// CHECK-NOT: graph.DequantizeLinear
// CHECK: return %[[Y]]
// LOC-LABEL: func.func @matmul
// LOC: graph.QLinearMatMul {{.*}} loc(fused["mm", "q"])
func.func @matmul(%x: tensor<2x4xui8>, %w: tensor<4x3xi8>) -> tensor<2x3xui8> {
  %xs = graph.constant dense<0.1> : tensor<f32>
  %xz = graph.constant dense<128> : tensor<ui8>
  %ws = graph.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %wz = graph.constant dense<0> : tensor<3xi8>
  %ys = graph.constant dense<0.5> : tensor<f32>
  %yz = graph.constant dense<10> : tensor<ui8>
  %a = graph.DequantizeLinear %x, %xs, %xz : (tensor<2x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xf32>
  %b = graph.DequantizeLinear %w, %ws, %wz {axis = 1 : i64} : (tensor<4x3xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<4x3xf32>
  %m = graph.MatMul %a, %b : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("mm")
  %y = graph.QuantizeLinear %m, %ys, %yz : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8> loc("q")
  return %y : tensor<2x3xui8>
}

// -----

// Tests that a Conv with an int32 bias DequantizeLinear becomes a
// QLinearConv that takes the int32 bias, with the Conv's attributes.
// CHECK-LABEL: func.func @conv
// CHECK-SAME: %[[B:[^:]*]]: tensor<2xi32>
// CHECK: graph.QLinearConv {{.*}}, %[[B]] {pads = array<i64: 1, 1>} : {{.*}} -> tensor<1x2x4xui8>
func.func @conv(%x: tensor<1x1x4xui8>, %w: tensor<2x1x3xi8>, %bias: tensor<2xi32>) -> tensor<1x2x4xui8> {
  %xs = graph.constant dense<0.1> : tensor<f32>
  %xz = graph.constant dense<128> : tensor<ui8>
  %ws = graph.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %bs = graph.constant dense<[0.01, 0.02]> : tensor<2xf32>
  %bz = graph.constant dense<0> : tensor<2xi32>
  %ys = graph.constant dense<0.5> : tensor<f32>
  %yz = graph.constant dense<10> : tensor<ui8>
  %a = graph.DequantizeLinear %x, %xs, %xz : (tensor<1x1x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x4xf32>
  %b = graph.DequantizeLinear %w, %ws {axis = 0 : i64} : (tensor<2x1x3xi8>, tensor<2xf32>) -> tensor<2x1x3xf32>
  %c = graph.DequantizeLinear %bias, %bs, %bz {axis = 0 : i64} : (tensor<2xi32>, tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  %v = graph.Conv %a, %b, %c {pads = array<i64: 1, 1>} : (tensor<1x1x4xf32>, tensor<2x1x3xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  %y = graph.QuantizeLinear %v, %ys, %yz : (tensor<1x2x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4xui8>
  return %y : tensor<1x2x4xui8>
}

// -----

// Tests that a bias DequantizeLinear whose scale is not x_scale * w_scale
// (0.03 for channel 1, not 0.1 * 0.2) leaves the Conv in float: the
// integer kernels would add the int32 bias as if it had that scale.
// CHECK-LABEL: func.func @conv_bias_scale
// CHECK-NOT: graph.QLinearConv
// CHECK: graph.Conv
// CHECK: graph.QuantizeLinear
func.func @conv_bias_scale(%x: tensor<1x1x4xui8>, %w: tensor<2x1x3xi8>, %bias: tensor<2xi32>) -> tensor<1x2x4xui8> {
  %xs = graph.constant dense<0.1> : tensor<f32>
  %xz = graph.constant dense<128> : tensor<ui8>
  %ws = graph.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %bs = graph.constant dense<[0.01, 0.03]> : tensor<2xf32>
  %ys = graph.constant dense<0.5> : tensor<f32>
  %yz = graph.constant dense<10> : tensor<ui8>
  %a = graph.DequantizeLinear %x, %xs, %xz : (tensor<1x1x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x4xf32>
  %b = graph.DequantizeLinear %w, %ws {axis = 0 : i64} : (tensor<2x1x3xi8>, tensor<2xf32>) -> tensor<2x1x3xf32>
  %c = graph.DequantizeLinear %bias, %bs {axis = 0 : i64} : (tensor<2xi32>, tensor<2xf32>) -> tensor<2xf32>
  %v = graph.Conv %a, %b, %c {pads = array<i64: 1, 1>} : (tensor<1x1x4xf32>, tensor<2x1x3xf32>, tensor<2xf32>) -> tensor<1x2x4xf32>
  %y = graph.QuantizeLinear %v, %ys, %yz : (tensor<1x2x4xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4xui8>
  return %y : tensor<1x2x4xui8>
}

// -----

// Tests that Add of two quantized tensors becomes QLinearAdd, and that an
// op whose result has another use than the QuantizeLinear is left alone.
// CHECK-LABEL: func.func @add
// CHECK: graph.QLinearAdd
// CHECK: graph.Mul
// CHECK: graph.QuantizeLinear
func.func @add(%x: tensor<4xui8>, %z: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xui8>, tensor<4xf32>) {
  %s = graph.constant dense<0.1> : tensor<f32>
  %zp = graph.constant dense<128> : tensor<ui8>
  %a = graph.DequantizeLinear %x, %s, %zp : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  %b = graph.DequantizeLinear %z, %s, %zp : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  %sum = graph.Add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q = graph.QuantizeLinear %sum, %s, %zp : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  %p = graph.Mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %q2 = graph.QuantizeLinear %p, %s, %zp : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  return %q, %q2, %p : tensor<4xui8>, tensor<4xui8>, tensor<4xf32>
}

// -----

// Tests that quantize_dynamic's MatMulInteger -> Cast -> Mul(a_scale *
// b_scale) -> Add(bias) becomes one MatMulIntegerToFloat with the bias,
// located at the MatMulInteger and the Add.
// CHECK-LABEL: func.func @matmul_integer_to_float
// CHECK-SAME: (%[[A:[^:]*]]: tensor<2x4xui8>, %[[AS:[^:]*]]: tensor<f32>, %[[AZ:[^:]*]]: tensor<ui8>
// CHECK-DAG: %[[W:.*]] = graph.constant dense<3> : tensor<4x3xi8>
// CHECK-DAG: %[[WS:.*]] = graph.constant dense<[1.000000e-01, 2.000000e-01, 3.000000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[WZ:.*]] = graph.constant dense<0> : tensor<3xi8>
// CHECK-DAG: %[[BIAS:.*]] = graph.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: %[[Y:.*]] = graph.MatMulIntegerToFloat %[[A]], %[[W]], %[[AS]], %[[WS]], %[[AZ]], %[[WZ]], %[[BIAS]] {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1>} : {{.*}} -> tensor<2x3xf32>
// CHECK-NOT: graph.MatMulInteger
// CHECK-NOT: graph.Add
// CHECK: return %[[Y]]
// LOC-LABEL: func.func @matmul_integer_to_float
// LOC: graph.MatMulIntegerToFloat {{.*}} loc(fused["mmi", "bias_add"])
func.func @matmul_integer_to_float(%a: tensor<2x4xui8>, %as: tensor<f32>, %az: tensor<ui8>) -> tensor<2x3xf32> {
  %w = graph.constant dense<3> : tensor<4x3xi8>
  %ws = graph.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %wz = graph.constant dense<0> : tensor<3xi8>
  %bias = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %acc = graph.MatMulInteger %a, %w a_zero_point(%az) b_zero_point(%wz) : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<ui8>, tensor<3xi8>) -> tensor<2x3xi32> loc("mmi")
  %accf = graph.Cast %acc {to = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xf32>
  %scale = graph.Mul %as, %ws : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  %yf = graph.Mul %accf, %scale : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %y = graph.Add %yf, %bias : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32> loc("bias_add")
  return %y : tensor<2x3xf32>
}

// -----

// Tests that without a bias the Mul is the root, that a constant scale
// becomes b_scale with an a_scale of 1, and that a MatMulInteger with another
// use is left alone.
// CHECK-LABEL: func.func @matmul_integer_to_float_no_bias
// CHECK-SAME: (%[[A:[^:]*]]: tensor<2x4xi8>, %[[W:[^:]*]]: tensor<4x3xi8>
// CHECK-DAG: %[[S:.*]] = graph.constant dense<2.500000e-01> : tensor<f32>
// CHECK-DAG: %[[ONE:.*]] = graph.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[Y:.*]] = graph.MatMulIntegerToFloat %[[A]], %[[W]], %[[ONE]], %[[S]] {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0>} : {{.*}} -> tensor<2x3xf32>
// CHECK: return %[[Y]]
// CHECK-LABEL: func.func @matmul_integer_shared
// CHECK: graph.MatMulInteger
// CHECK-NOT: graph.MatMulIntegerToFloat
func.func @matmul_integer_to_float_no_bias(%a: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> tensor<2x3xf32> {
  %scale = graph.constant dense<0.25> : tensor<f32>
  %acc = graph.MatMulInteger %a, %w : (tensor<2x4xi8>, tensor<4x3xi8>) -> tensor<2x3xi32>
  %accf = graph.Cast %acc {to = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xf32>
  %y = graph.Mul %scale, %accf : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
func.func @matmul_integer_shared(%a: tensor<2x4xi8>, %w: tensor<4x3xi8>) -> (tensor<2x3xf32>, tensor<2x3xi32>) {
  %scale = graph.constant dense<0.25> : tensor<f32>
  %acc = graph.MatMulInteger %a, %w : (tensor<2x4xi8>, tensor<4x3xi8>) -> tensor<2x3xi32>
  %accf = graph.Cast %acc {to = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xf32>
  %y = graph.Mul %scale, %accf : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y, %acc : tensor<2x3xf32>, tensor<2x3xi32>
}

// -----

// Tests that DQ -> MaxPool -> Q with the same scale and zero point (two
// constants of equal value) becomes a MaxPool of the u8 tensor with the
// MaxPool's attributes, located at the MaxPool and the QuantizeLinear, and
// that the DequantizeLinear goes away.
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x2x6x6xui8>)
// CHECK: %[[Y:.*]], %{{.*}} = graph.MaxPool %[[X]] {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xui8>) -> (tensor<1x2x3x3xui8>, tensor<1x2x3x3xi64>)
// CHECK-NOT: graph.DequantizeLinear
// CHECK-NOT: graph.QuantizeLinear
// CHECK: return %[[Y]]
// LOC-LABEL: func.func @max_pool
// LOC: graph.MaxPool {{.*}} loc(fused["pool", "q"])
func.func @max_pool(%x: tensor<1x2x6x6xui8>) -> tensor<1x2x3x3xui8> {
  %s = graph.constant dense<0.05> : tensor<f32>
  %z = graph.constant dense<3> : tensor<ui8>
  %s2 = graph.constant dense<0.05> : tensor<f32>
  %z2 = graph.constant dense<3> : tensor<ui8>
  %a = graph.DequantizeLinear %x, %s, %z : (tensor<1x2x6x6xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x6x6xf32>
  %p, %i = graph.MaxPool %a {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>) loc("pool")
  %y = graph.QuantizeLinear %p, %s2, %z2 : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x3x3xui8> loc("q")
  return %y : tensor<1x2x3x3xui8>
}

// -----

// Tests that DQ -> MaxPool -> Q is left alone when the QuantizeLinear's
// scale differs from the DequantizeLinear's (the integers would change).
// CHECK-LABEL: func.func @max_pool_rescaled
// CHECK: graph.DequantizeLinear
// CHECK: graph.MaxPool {{.*}} -> (tensor<1x2x3x3xf32>
// CHECK: graph.QuantizeLinear
func.func @max_pool_rescaled(%x: tensor<1x2x6x6xui8>) -> tensor<1x2x3x3xui8> {
  %s = graph.constant dense<0.05> : tensor<f32>
  %z = graph.constant dense<3> : tensor<ui8>
  %s2 = graph.constant dense<0.1> : tensor<f32>
  %a = graph.DequantizeLinear %x, %s, %z : (tensor<1x2x6x6xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x6x6xf32>
  %p, %i = graph.MaxPool %a {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
  %y = graph.QuantizeLinear %p, %s2, %z : (tensor<1x2x3x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x2x3x3xui8>
  return %y : tensor<1x2x3x3xui8>
}
