// RUN: aicc-opt %s -split-input-file -verify-diagnostics
// Diagnostics of the quantized contrib ops' result-type rules
// (ShapeRulesQuant.cpp).

// Tests that QLinearConcat rejects inputs that are not (tensor, scale, zero
// point) triples.
func.func @concat_triples(%s: tensor<f32>, %z: tensor<ui8>, %x: tensor<2xui8>) -> tensor<4xui8> {
  // expected-error @+2 {{QLinearConcat: inputs must be (tensor, scale, zero point) triples, got 4 inputs after Y_zero_point}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.QLinearConcat %s, %z, %x, %s, %z, %x {axis = 0 : i64} : (tensor<f32>, tensor<ui8>, tensor<2xui8>, tensor<f32>, tensor<ui8>, tensor<2xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// Tests that QGemm checks the contraction dims of A and B.
func.func @qgemm_k(%a: tensor<2x8xui8>, %s: tensor<f32>, %z: tensor<ui8>, %w: tensor<3x4xi8>, %wz: tensor<i8>) -> tensor<2x3xf32> {
  // expected-error @+2 {{QGemm: K of A (8) does not match K of B (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.QGemm %a, %s, %z, %w, %s, %wz {transB = 1 : i64, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0, 0>} : (tensor<2x8xui8>, tensor<f32>, tensor<ui8>, tensor<3x4xi8>, tensor<f32>, tensor<i8>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
