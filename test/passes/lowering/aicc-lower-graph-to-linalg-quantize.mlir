// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

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
