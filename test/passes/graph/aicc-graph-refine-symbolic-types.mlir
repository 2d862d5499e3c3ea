// RUN: aicc-opt %s -split-input-file --aicc-graph-refine-symbolic-types | FileCheck %s

// Tests that the constant dims of a Reshape to a shape computed from Shape
// go into its type, and the function's result type follows.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: -> tensor<1x?x12x64xf32>
// CHECK: graph.Reshape {{.*}} -> tensor<1x?x12x64xf32>
func.func @reshape(%x: tensor<1x?x768xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 768)>})
    -> tensor<?x?x?x?xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 512>}} {
  %shape = graph.Shape %x : (tensor<1x?x768xf32>) -> tensor<3xi64>
  %two = graph.constant dense<2> : tensor<1xi64>
  %zero = graph.constant dense<0> : tensor<1xi64>
  %bs = graph.Slice %shape, %zero, %two : (tensor<3xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %heads = graph.constant dense<[12, 64]> : tensor<2xi64>
  %target = graph.Concat %bs, %heads {axis = 0 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<4xi64>
  %r = graph.Reshape %x, %target : (tensor<1x?x768xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// Tests that a function without symbols is left as it is.
// CHECK-LABEL: func.func @no_symbols
// CHECK: graph.Reshape {{.*}} -> tensor<?x?xf32>
func.func @no_symbols(%x: tensor<2x6xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %r = graph.Reshape %x, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}
