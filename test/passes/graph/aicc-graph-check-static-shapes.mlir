// RUN: not aicc-opt %s -split-input-file --aicc-graph-check-static-shapes 2>&1 | FileCheck %s

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
