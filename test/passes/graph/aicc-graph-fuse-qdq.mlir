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
