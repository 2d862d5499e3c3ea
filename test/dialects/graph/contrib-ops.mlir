// RUN: aicc-opt %s -split-input-file | aicc-opt -split-input-file | FileCheck %s
// Round trip of ONNX Runtime's quantized com.microsoft ops
// (GraphContribOps.td) through their assembly formats, with the result types
// their shape rules (ShapeRulesQuant.cpp) infer.

// Tests that the QOperator ops of a quantized CNN round-trip.
// CHECK-LABEL: func @qcnn
func.func @qcnn(%x: tensor<1x4x4x8xui8>, %s: tensor<f32>, %z: tensor<ui8>) -> (tensor<1x4x4x8xui8>, tensor<1x1x1x8xui8>, tensor<1x2x2x8xui8>, tensor<1x4x4x16xui8>) {
  // CHECK: graph.QLinearAdd %{{.*}} {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 1, 1>}
  %0 = graph.QLinearAdd %x, %s, %z, %x, %s, %s, %z {operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 1, 1>} : (tensor<1x4x4x8xui8>, tensor<f32>, tensor<ui8>, tensor<1x4x4x8xui8>, tensor<f32>, tensor<f32>, tensor<ui8>) -> tensor<1x4x4x8xui8>
  // CHECK: graph.QLinearGlobalAveragePool {{.*}} {channels_last = 1 : i64}
  %1 = graph.QLinearGlobalAveragePool %x, %s, %z, %s, %z {channels_last = 1 : i64} : (tensor<1x4x4x8xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x1x1x8xui8>
  // CHECK: graph.QLinearAveragePool
  %2 = graph.QLinearAveragePool %x, %s, %z, %s, %z {channels_last = 1 : i64, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1>} : (tensor<1x4x4x8xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<1x2x2x8xui8>
  // CHECK: graph.QLinearConcat {{.*}} {axis = 3 : i64}
  %3 = graph.QLinearConcat %s, %z, %x, %s, %z, %x, %s, %z {axis = 3 : i64} : (tensor<f32>, tensor<ui8>, tensor<1x4x4x8xui8>, tensor<f32>, tensor<ui8>, tensor<1x4x4x8xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x4x4x16xui8>
  return %0, %1, %2, %3 : tensor<1x4x4x8xui8>, tensor<1x1x1x8xui8>, tensor<1x2x2x8xui8>, tensor<1x4x4x16xui8>
}

// -----

// Tests that QGemm and MatMulIntegerToFloat round-trip with their optional
// operands absent.
// CHECK-LABEL: func @qgemm
func.func @qgemm(%a: tensor<2x8xui8>, %s: tensor<f32>, %z: tensor<ui8>, %w: tensor<3x8xi8>, %ws: tensor<3xf32>, %wz: tensor<3xi8>, %wt: tensor<8x3xi8>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK: graph.QGemm {{.*}}transB = 1 : i64
  %0 = graph.QGemm %a, %s, %z, %w, %ws, %wz {transB = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0, 0>} : (tensor<2x8xui8>, tensor<f32>, tensor<ui8>, tensor<3x8xi8>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xf32>
  // CHECK: graph.MatMulIntegerToFloat
  %1 = graph.MatMulIntegerToFloat %a, %wt, %s, %ws {operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0>} : (tensor<2x8xui8>, tensor<8x3xi8>, tensor<f32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}
