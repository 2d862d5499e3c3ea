// RUN: aicc-opt %s -split-input-file --aicc-npu-form-kernels | FileCheck %s

// Tests that a supported QLinearConv becomes one linalg.generic carrying its
// RNPU command stream and node name, whose operands are x, then the packed
// weights (one 16x16 block: 3 input and 4 output channels padded), the bias
// and the multipliers (padded to 16 channels) as new dense_resource
// constants, and that the op has one loop more than y's rank, read only by
// x (so the fusion policy keeps the op in a kernel of its own: it is
// neither elementwise nor a reduction).
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, 0, 0)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (0)>
// CHECK-DAG: #[[$Y:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @conv
// CHECK-NOT: graph.QLinearConv
// CHECK-DAG: %[[W:.*]] = graph.constant dense_resource<conv0.rnpu_w> : tensor<256xi8>
// CHECK-DAG: %[[B:.*]] = graph.constant dense_resource<conv0.rnpu_bias> : tensor<16xi32>
// CHECK-DAG: %[[M:.*]] = graph.constant dense_resource<conv0.rnpu_mult> : tensor<16xf32>
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$C]], #[[$C]], #[[$C]], #[[$Y]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%arg0, %[[W]], %[[B]], %[[M]] : tensor<1x3x6x6xui8>, tensor<256xi8>, tensor<16xi32>, tensor<16xf32>)
// CHECK-SAME: attrs = {aicc.npu.node = "conv0", aicc.npu.stream = "RNPU
// CHECK: } -> tensor<1x4x3x3xui8>
// CHECK: return %[[Y]]
func.func @conv(%x: tensor<1x3x6x6xui8>) -> tensor<1x4x3x3xui8> {
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

// Tests that a QLinearAdd of two tensors of the same shape (a residual Add)
// becomes one RNPU kernel op whose inputs are a and b, both read like x
// through the extra loop, with no constants added.
// CHECK-DAG: #[[$AB:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, 0, 0)>
// CHECK-DAG: #[[$C:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @residual
// CHECK-NOT: graph.QLinearAdd
// CHECK-NOT: dense_resource
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[$AB]], #[[$AB]], #[[$C]]]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>)
// CHECK-SAME: attrs = {aicc.npu.node = "add0", aicc.npu.stream = "RNPU
// CHECK: return %[[Y]]
func.func @residual(%a: tensor<1x8x4x4xui8>, %b: tensor<1x8x4x4xui8>) -> tensor<1x8x4x4xui8> {
  %as = graph.constant dense<0.05> : tensor<f32>
  %az = graph.constant dense<128> : tensor<ui8>
  %bs = graph.constant dense<0.03> : tensor<f32>
  %bz = graph.constant dense<120> : tensor<ui8>
  %cs = graph.constant dense<0.07> : tensor<f32>
  %cz = graph.constant dense<131> : tensor<ui8>
  %c = graph.QLinearAdd %a, %as, %az, %b, %bs, %bz, %cs, %cz {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("add0")
  return %c : tensor<1x8x4x4xui8>
}

// -----

// Tests that a broadcasting QLinearAdd (a per-channel b) becomes one RNPU
// kernel op that reads b through an all-zero map of b's rank, and that a
// QLinearMul whose a broadcasts takes its operands swapped (the operand of
// the result's shape first, like x).
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, 0, 0)>
// CHECK-DAG: #[[$Z:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (0, 0, 0, 0)>
// CHECK-LABEL: func @broadcast
// CHECK-NOT: graph.QLinear
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$Z]],
// CHECK-SAME: ins(%arg0, %arg1 : tensor<1x8x4x4xui8>, tensor<1x8x1x1xui8>)
// CHECK-SAME: aicc.npu.node = "add"
// CHECK: %[[D:.*]] = linalg.generic {indexing_maps = [#[[$X]], #[[$Z]],
// CHECK-SAME: ins(%arg0, %arg1 : tensor<1x8x4x4xui8>, tensor<1x8x1x1xui8>)
// CHECK-SAME: aicc.npu.node = "mul"
// CHECK: return %[[C]], %[[D]]
func.func @broadcast(%a: tensor<1x8x4x4xui8>, %p: tensor<1x8x1x1xui8>) -> (tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>) {
  %s = graph.constant dense<0.05> : tensor<f32>
  %z = graph.constant dense<128> : tensor<ui8>
  %c = graph.QLinearAdd %a, %s, %z, %p, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x1x1xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("add")
  %d = graph.QLinearMul %p, %s, %z, %a, %s, %z, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>} : (tensor<1x8x1x1xui8>, tensor<f32>, tensor<ui8>, tensor<1x8x4x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x8x4x4xui8> loc("mul")
  return %c, %d : tensor<1x8x4x4xui8>, tensor<1x8x4x4xui8>
}
