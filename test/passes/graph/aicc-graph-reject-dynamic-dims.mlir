// RUN: not aicc-opt %s -split-input-file --aicc-graph-reject-dynamic-dims 2>&1 | FileCheck %s

// Tests that the first op with a dynamic result is the one error, with its
// symbolic shape and the symbols' ranges.
// CHECK: error: loc("c"): node 'c' (Concat): result #0 has shape [seq * 2, 4]; dynamic dims past the graph stage are not supported yet (symbols: past in [0, 16], seq in [1, 8]); specialize them with --dim past=N --dim seq=N
// CHECK-NOT: error
func.func @dynamic(%x: tensor<?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (s1, 4)>})
    -> tensor<?x4xf32>
    attributes {aicc.symbols = {past = array<i64: 0, 16>, seq = array<i64: 1, 8>}} {
  %c = graph.Concat %x, %x {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("c")
  %r = graph.Relu %c : (tensor<?x4xf32>) -> tensor<?x4xf32> loc("r")
  return %r : tensor<?x4xf32>
}

// -----

// Tests that a function with static shapes passes unchanged.
// CHECK-LABEL: func.func @static
// CHECK: graph.Relu
func.func @static(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %r = graph.Relu %x : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

// Tests that a function without symbols is left to the static-shape checks.
// CHECK-LABEL: func.func @no_symbols
// CHECK: graph.Relu
func.func @no_symbols(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %r = graph.Relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
