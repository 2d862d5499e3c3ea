// RUN: aicc-opt %s -split-input-file --aicc-graph-expand-einsum | FileCheck %s

// Tests that a batched matrix product is one batched MatMul, with no
// Transpose or Reshape around it.
// CHECK-LABEL: func.func @batch_matmul
// CHECK-SAME: (%[[A:[^:]*]]: tensor<5x2x3xf32>, %[[B:[^:]*]]: tensor<5x3x4xf32>)
// CHECK-NOT: graph.Transpose
// CHECK: %[[Y:.*]] = graph.MatMul %[[A]], %[[B]] : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
// CHECK-NOT: graph.Einsum
// CHECK: return %[[Y]]
func.func @batch_matmul(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  %y = graph.Einsum %a, %b {equation = "bij, bjk -> bik"} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %y : tensor<5x2x4xf32>
}

// -----

// Tests that the second operand's transposed contraction dim is moved in
// front of the MatMul (bkj -> bjk).
// CHECK-LABEL: func.func @transposed_rhs
// CHECK-SAME: %[[B:[^:]*]]: tensor<2x5x4xf32>
// CHECK: %[[BT:.*]] = graph.Transpose %[[B]] {perm = array<i64: 0, 2, 1>} : (tensor<2x5x4xf32>) -> tensor<2x4x5xf32>
// CHECK: graph.MatMul %{{.*}}, %[[BT]] : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
func.func @transposed_rhs(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>) -> tensor<2x3x5xf32> {
  %y = graph.Einsum %a, %b {equation = "bij,bkj->bik"} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// Tests that a repeated label takes the diagonal: Where with an identity
// mask over both dims, then a sum over the second one.
// CHECK-LABEL: func.func @batch_diagonal
// CHECK-SAME: (%[[X:[^:]*]]: tensor<3x4x4xf32>)
// CHECK: %[[MASK:.*]] = graph.constant dense<{{\[\[\[}}true, false, false, false], [false, true, false, false], [false, false, true, false], [false, false, false, true]]]> : tensor<1x4x4xi1>
// CHECK: %[[W:.*]] = graph.Where %[[MASK]], %[[X]], %{{.*}} : (tensor<1x4x4xi1>, tensor<3x4x4xf32>, tensor<f32>) -> tensor<3x4x4xf32>
// CHECK: %[[AXES:.*]] = graph.constant dense<2> : tensor<1xi64>
// CHECK: %[[Y:.*]] = graph.ReduceSum %[[W]], %[[AXES]] {keepdims = 0 : i64} : (tensor<3x4x4xf32>, tensor<1xi64>) -> tensor<3x4xf32>
// CHECK: return %[[Y]]
func.func @batch_diagonal(%x: tensor<3x4x4xf32>) -> tensor<3x4xf32> {
  %y = graph.Einsum %x {equation = "...ii ->...i"} : (tensor<3x4x4xf32>) -> tensor<3x4xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Tests that without '->' the output is the labels used once, sorted: the
// inner product "i,i" contracts i into a scalar (a 1x5 by 5x1 MatMul).
// CHECK-LABEL: func.func @inner_product
// CHECK: graph.MatMul %{{.*}}, %{{.*}} : (tensor<1x5xf32>, tensor<5x1xf32>) -> tensor<1x1xf32>
// CHECK: graph.Reshape %{{.*}} -> tensor<f32>
// CHECK-LABEL: func.func @implicit_transpose
// CHECK: graph.Transpose %{{.*}} {perm = array<i64: 1, 0>} : (tensor<3x2xf32>) -> tensor<2x3xf32>
func.func @inner_product(%a: tensor<5xf32>, %b: tensor<5xf32>) -> tensor<f32> {
  %y = graph.Einsum %a, %b {equation = "i,i"} : (tensor<5xf32>, tensor<5xf32>) -> tensor<f32>
  return %y : tensor<f32>
}
func.func @implicit_transpose(%a: tensor<3x2xf32>) -> tensor<2x3xf32> {
  %y = graph.Einsum %a {equation = "ji"} : (tensor<3x2xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Tests that an Einsum with a dynamic dim is left for the static-shape
// check to report.
// CHECK-LABEL: func.func @dynamic
// CHECK: graph.Einsum
func.func @dynamic(%a: tensor<?x3xf32>, %b: tensor<3x4xf32>) -> tensor<?x4xf32> {
  %y = graph.Einsum %a, %b {equation = "ij,jk->ik"} : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
