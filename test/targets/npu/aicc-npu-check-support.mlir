// RUN: not aicc-opt %s -split-input-file --aicc-npu-check-support 2>/dev/null | FileCheck %s
// RUN: not aicc-opt %s -split-input-file --aicc-npu-check-support 2>&1 >/dev/null | FileCheck %s --check-prefix=ERR
// RUN: not aicc-opt %s -split-input-file --aicc-npu-check-support=config=%t.missing 2>&1 | FileCheck %s --check-prefix=CONFIG
// RUN: not aicc-opt %s -split-input-file --aicc-npu-check-support=config=%S/Inputs/tiny-wgt-sram.json 2>&1 | FileCheck %s --check-prefix=TINY

// Tests that a strided u8 x s8 QLinearConv with constant per-channel scales,
// zero weight zero points and an int32 bias passes and is left unchanged,
// and that a config whose weight SRAM cannot hold its weights refuses it.
// CHECK-LABEL: func @supported_conv
// CHECK: graph.QLinearConv
// ERR-NOT: conv0
// CONFIG: error: --npu-config: cannot read '{{.*}}.missing'
// TINY: error: RNPU cannot run 1 of 1 node (--target=npu):
// TINY-NEXT: node 'conv0' (ai.onnx::QLinearConv): the weights of one output channel block (8 B) exceed the weight SRAM (4 B)
func.func @supported_conv(%x: tensor<1x3x6x6xui8>) -> tensor<1x4x3x3xui8> {
  %xs = graph.constant dense<0.05> : tensor<f32>
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<[[[[1]], [[-2]], [[3]]], [[[4]], [[5]], [[-6]]], [[[7]], [[-8]], [[9]]], [[[-1]], [[2]], [[3]]]]> : tensor<4x3x1x1xi8>
  %ws = graph.constant dense<[0.01, 0.02, 0.03, 0.04]> : tensor<4xf32>
  %wz = graph.constant dense<0> : tensor<4xi8>
  %ys = graph.constant dense<0.1> : tensor<f32>
  %yz = graph.constant dense<7> : tensor<ui8>
  %b = graph.constant dense<[10, -20, 30, -40]> : tensor<4xi32>
  %y = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz, %b {strides = array<i64: 2, 2>} : (tensor<1x3x6x6xui8>, tensor<f32>, tensor<ui8>, tensor<4x3x1x1xi8>, tensor<4xf32>, tensor<4xi8>, tensor<f32>, tensor<ui8>, tensor<4xi32>) -> tensor<1x4x3x3xui8> loc("conv0")
  return %y : tensor<1x4x3x3xui8>
}

// -----

// Tests that a depthwise QLinearConv (group = channels, one input channel
// per weight) passes.
// CHECK-LABEL: func @depthwise
// CHECK: graph.QLinearConv
func.func @depthwise(%x: tensor<1x2x4x4xui8>) -> tensor<1x2x4x4xui8> {
  %xs = graph.constant dense<0.05> : tensor<f32>
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<[[[[1]]], [[[2]]]]> : tensor<2x1x1x1xi8>
  %ws = graph.constant dense<0.01> : tensor<f32>
  %wz = graph.constant dense<0> : tensor<i8>
  %ys = graph.constant dense<0.1> : tensor<f32>
  %yz = graph.constant dense<7> : tensor<ui8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz {group = 2 : i64} : (tensor<1x2x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<2x1x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x4x4xui8> loc("dw")
  return %0 : tensor<1x2x4x4xui8>
}

// -----

// Tests that every node RNPU cannot run is listed in one error, with its
// node name, op type and reason: a grouped (not depthwise) conv, a conv
// whose weights are not constants, a DequantizeLinear and a float Softmax.
// ERR: error: RNPU cannot run 4 of 4 nodes (--target=npu):
// ERR-NEXT: node 'grouped' (ai.onnx::QLinearConv): grouped convolution (group = 2, not depthwise) is not implemented yet
// ERR-NEXT: node 'dynamic_w' (ai.onnx::QLinearConv): weights must be constants
// ERR-NEXT: node 'dq' (ai.onnx::DequantizeLinear): converts between float and integers; RNPU has no float unit
// ERR-NEXT: node 'sm' (ai.onnx::Softmax): floating-point op; RNPU computes in int8
func.func @unsupported(%x: tensor<1x4x4x4xui8>, %wd: tensor<4x4x1x1xi8>) -> tensor<1x4x4x4xf32> {
  %xs = graph.constant dense<0.05> : tensor<f32>
  %xz = graph.constant dense<3> : tensor<ui8>
  %w = graph.constant dense<1> : tensor<4x2x1x1xi8>
  %ws = graph.constant dense<0.01> : tensor<f32>
  %wz = graph.constant dense<0> : tensor<i8>
  %ys = graph.constant dense<0.1> : tensor<f32>
  %yz = graph.constant dense<7> : tensor<ui8>
  %0 = graph.QLinearConv %x, %xs, %xz, %w, %ws, %wz, %ys, %yz {group = 2 : i64} : (tensor<1x4x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x2x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x4x4xui8> loc("grouped")
  %1 = graph.QLinearConv %0, %ys, %yz, %wd, %ws, %wz, %ys, %yz : (tensor<1x4x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<4x4x1x1xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x4x4xui8> loc("dynamic_w")
  %2 = graph.DequantizeLinear %1, %ys, %yz : (tensor<1x4x4x4xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x4x4xf32> loc("dq")
  %3 = graph.Softmax %2 {axis = 1 : i64} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> loc("sm")
  return %3 : tensor<1x4x4x4xf32>
}

// -----

// Tests that QLinearAdd / QLinearMul of equal shapes, with a b that
// broadcasts (per channel), and a QLinearMul whose a broadcasts (the
// operands are swapped) pass, while a QLinearAdd whose a broadcasts and one
// with a one-element b (which the CPU folds into its constant term) are
// refused with why, naming only those nodes.
// ERR: error: RNPU cannot run 2 of 6 nodes (--target=npu):
// ERR-NEXT: node 'a_bcast' (ai.onnx::QLinearAdd): a must have the result's shape (only b may broadcast)
// ERR-NEXT: node 'scalar_b' (ai.onnx::QLinearAdd): QLinearAdd of a one-element b (the CPU folds it into the constant term) is not implemented
// ERR-NOT: node
func.func @qlinear_add(%a: tensor<1x8x4x4xui8>, %b: tensor<1x8x4x4xui8>, %p: tensor<1x8x1x1xui8>, %one: tensor<1xui8>) -> (tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>) {
  %s = graph.constant dense<0.05> : tensor<f32>
  %z = graph.constant dense<128> : tensor<ui8>
  %c = graph.QLinearAdd %a, %s, %z, %b, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("same")
  %d = graph.QLinearAdd %a, %s, %z, %p, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x1x1xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("bcast")
  %e = graph.QLinearAdd %p, %s, %z, %a, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x1x1xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("a_bcast")
  %f = graph.QLinearAdd %a, %s, %z, %one, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<1xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("scalar_b")
  %g = graph.QLinearMul %a, %s, %z, %b, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("mul")
  %h = graph.QLinearMul %p, %s, %z, %a, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x1x1xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("mul_swapped")
  return %c, %d, %e, %f, %g, %h : tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>
}
