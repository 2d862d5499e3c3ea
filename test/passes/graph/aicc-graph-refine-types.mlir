// RUN: aicc-opt %s -split-input-file --aicc-graph-refine-types | FileCheck %s

// Tests that result types are re-inferred from operands and that a shape
// subgraph on now-known types folds to a constant, refining the Reshape
// that uses it and the function's result type.
// CHECK-LABEL: func.func @shape_subgraph
// CHECK-SAME: -> tensor<3x2xf32>
// CHECK-NOT: graph.Shape
// CHECK: %[[S:.*]] = graph.constant dense<[3, 2]> : tensor<2xi64>
// CHECK: %[[Y:.*]] = graph.Reshape %{{.*}}, %[[S]] : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
// CHECK: return %[[Y]]
func.func @shape_subgraph(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %r = graph.Relu %x : (tensor<2x3xf32>) -> tensor<*xf32>
  %t = graph.Transpose %r {perm = array<i64: 1, 0>} : (tensor<*xf32>) -> tensor<*xf32>
  %s = graph.Shape %t : (tensor<*xf32>) -> tensor<?xi64>
  %y = graph.Reshape %x, %s : (tensor<2x3xf32>, tensor<?xi64>) -> tensor<*xf32>
  return %y : tensor<*xf32>
}

// -----

// Tests that Split's result types come from the dialect's rule once its
// input's type is known.
// CHECK-LABEL: func.func @split
// CHECK: graph.Split %{{.*}} -> (tensor<2x2xf32>, tensor<2x1xf32>)
func.func @split(%x: tensor<2x3xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  %r = graph.Relu %x : (tensor<2x3xf32>) -> tensor<*xf32>
  %a, %b = graph.Split %r {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<*xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return %a, %b : tensor<*xf32>, tensor<*xf32>
}
