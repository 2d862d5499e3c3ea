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
