// RUN: not aicc-opt %s -split-input-file --aicc-graph-check-static-shapes 2>&1 | FileCheck %s
// RUN: not aicc-opt %s -split-input-file --aicc-graph-check-static-shapes 2>&1 | FileCheck %s --check-prefix=SYM

// Tests that a result shape depending on a graph input's value is an error
// naming the node, the op and the input to freeze.
// CHECK: error: loc("y"): node 'y' (Reshape): result #0 has shape tensor<?x?> that depends on input values; aicc needs static shapes; fix the shape-determining input with --input-value=shape=...
func.func @reshape(%x: tensor<2x6xf32>, %shape: tensor<2xi64> {graph.name = "shape"}) -> tensor<?x?xf32> {
  %y = graph.Reshape %x, %shape : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("y")
  return %y : tensor<?x?xf32>
}

// -----

// Tests that unused ops need no static shape and that static ones pass
// unchanged.
// CHECK-LABEL: func.func @unused
// CHECK-NOT: graph.Reshape
// CHECK: %[[R:.*]] = graph.Relu
// CHECK: return %[[R]]
func.func @unused(%x: tensor<2x6xf32>, %shape: tensor<2xi64>) -> tensor<2x6xf32> {
  %y = graph.Reshape %x, %shape : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("y")
  %r = graph.Relu %x : (tensor<2x6xf32>) -> tensor<2x6xf32>
  return %r : tensor<2x6xf32>
}

// -----

// Tests that with dynamic symbols a dim the symbolic shape analysis
// expresses passes unchanged, and one it cannot express is still an error.
// SYM-NOT: node 'c'
// SYM: error: loc("r"): node 'r' (Reshape): result #0 has shape tensor<?x?> that depends on input values; aicc needs static shapes; fix the shape-determining input with --input-value=shape=...
// SYM-NOT: node 'c'
func.func @symbolic(%x: tensor<?x4xf32> {aicc.shape = affine_map<()[s0] -> (s0, 4)>},
                    %shape: tensor<2xi64> {graph.name = "shape"})
    -> (tensor<?x4xf32>, tensor<?x?xf32>)
    attributes {aicc.symbols = {n = array<i64: 1, 8>}} {
  %c = graph.Concat %x, %x {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("c")
  %r = graph.Reshape %c, %shape : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  return %c, %r : tensor<?x4xf32>, tensor<?x?xf32>
}
