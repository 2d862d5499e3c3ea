// RUN: aicc-opt %s -split-input-file --aicc-npu-form-kernels=partition=true | FileCheck %s

// Tests that in partition mode (--target=npu,avx512) a node RNPU cannot run
// (a dilated QLinearConv) stays a graph op for the CPU target while the
// supported conv after it becomes an RNPU kernel op.
// CHECK-LABEL: func @mixed
// CHECK: %[[D:.*]] = graph.QLinearConv %arg0
// CHECK-SAME: dilations = array<i64: 2, 2>
// CHECK-NOT: graph.QLinearConv
// CHECK: %[[Y:.*]] = linalg.generic
// CHECK-SAME: ins(%[[D]],
// CHECK-SAME: aicc.npu.node = "conv1"
// CHECK: return %[[Y]]
func.func @mixed(%x: tensor<1x3x6x6xui8>) -> tensor<1x4x2x2xui8> {
  %xs = graph.constant dense<0.05> : tensor<f32>
  %xz = graph.constant dense<3> : tensor<ui8>
  %w0 = graph.constant dense<1> : tensor<3x3x1x1xi8>
  %w = graph.constant dense<[[[[1]], [[-2]], [[3]]], [[[4]], [[5]], [[-6]]], [[[7]], [[-8]], [[9]]], [[[-1]], [[2]], [[3]]]]> : tensor<4x3x1x1xi8>
  %ws = graph.constant dense<[0.01, 0.02, 0.03, 0.04]> : tensor<4xf32>
  %ws0 = graph.constant dense<0.01> : tensor<3xf32>
  %wz = graph.constant dense<0> : tensor<4xi8>
  %wz0 = graph.constant dense<0> : tensor<3xi8>
  %ys = graph.constant dense<0.1> : tensor<f32>
  %yz = graph.constant dense<7> : tensor<ui8>
  %d = graph.QLinearConv %x, %xs, %xz, %w0, %ws0, %wz0, %xs, %xz {dilations = array<i64: 2, 2>} : (tensor<1x3x6x6xui8>, tensor<f32>, tensor<ui8>, tensor<3x3x1x1xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x3x6x6xui8> loc("conv0")
  %y = graph.QLinearConv %d, %xs, %xz, %w, %ws, %wz, %ys, %yz {strides = array<i64: 3, 3>} : (tensor<1x3x6x6xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x1x1xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x2x2xui8> loc("conv1")
  return %y : tensor<1x4x2x2xui8>
}

// -----

// Tests that in partition mode a model with nothing RNPU runs is left
// unchanged instead of failing.
// CHECK-LABEL: func @none
// CHECK: graph.QLinearConv
// CHECK-NOT: linalg.generic
func.func @none(%x: tensor<1x3x6x6xui8>) -> tensor<1x3x6x6xui8> {
  %xs = graph.constant dense<0.05> : tensor<f32>
  %xz = graph.constant dense<3> : tensor<ui8>
  %w0 = graph.constant dense<1> : tensor<3x3x1x1xi8>
  %ws0 = graph.constant dense<0.01> : tensor<3xf32>
  %wz0 = graph.constant dense<0> : tensor<3xi8>
  %d = graph.QLinearConv %x, %xs, %xz, %w0, %ws0, %wz0, %xs, %xz {dilations = array<i64: 2, 2>} : (tensor<1x3x6x6xui8>, tensor<f32>, tensor<ui8>, tensor<3x3x1x1xi8>, tensor<3xf32>, tensor<3xi8>, tensor<f32>, tensor<ui8>) -> tensor<1x3x6x6xui8> loc("conv0")
  return %d : tensor<1x3x6x6xui8>
}

// -----

// Tests that ONNX Runtime's QDQ max pool (DequantizeLinear -> float
// MaxPool -> QuantizeLinear with the same scale and zero point) becomes one
// RNPU kernel on the u8 tensors: the three graph ops are gone.
// CHECK-LABEL: func @qdq_maxpool
// CHECK-NOT: graph.DequantizeLinear
// CHECK-NOT: graph.MaxPool
// CHECK: %[[Y:.*]] = linalg.generic
// CHECK-SAME: ins(%arg0 : tensor<1x4x9x9xui8>)
// CHECK-SAME: aicc.npu.node = "pool"
// CHECK-NOT: graph.QuantizeLinear
// CHECK: return %[[Y]] : tensor<1x4x5x5xui8>
func.func @qdq_maxpool(%x: tensor<1x4x9x9xui8>) -> tensor<1x4x5x5xui8> {
  %s = graph.constant dense<0.05> : tensor<f32>
  %z = graph.constant dense<3> : tensor<ui8>
  %f = graph.DequantizeLinear %x, %s, %z : (tensor<1x4x9x9xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x9x9xf32> loc("dq")
  %p, %i = graph.MaxPool %f {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x9x9xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x5x5xi64>) loc("pool")
  %y = graph.QuantizeLinear %p, %s, %z : (tensor<1x4x5x5xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x4x5x5xui8> loc("q")
  return %y : tensor<1x4x5x5xui8>
}

// -----

// Tests that a QDQ max pool whose QuantizeLinear has another zero point
// than its DequantizeLinear (not an exact int8 max pool) stays on the CPU.
// CHECK-LABEL: func @qdq_maxpool_requantizes
// CHECK: graph.DequantizeLinear
// CHECK: graph.MaxPool
// CHECK: graph.QuantizeLinear
// CHECK-NOT: linalg.generic
func.func @qdq_maxpool_requantizes(%x: tensor<1x4x9x9xui8>) -> tensor<1x4x5x5xui8> {
  %s = graph.constant dense<0.05> : tensor<f32>
  %z = graph.constant dense<3> : tensor<ui8>
  %z2 = graph.constant dense<4> : tensor<ui8>
  %f = graph.DequantizeLinear %x, %s, %z : (tensor<1x4x9x9xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x9x9xf32> loc("dq")
  %p, %i = graph.MaxPool %f {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x9x9xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x5x5xi64>) loc("pool")
  %y = graph.QuantizeLinear %p, %s, %z2 : (tensor<1x4x5x5xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x4x5x5xui8> loc("q")
  return %y : tensor<1x4x5x5xui8>
}
