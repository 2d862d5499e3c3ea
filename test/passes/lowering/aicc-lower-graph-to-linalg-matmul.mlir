// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that MatMul of activations by a weight matrix is one linalg.matmul
// over the flattened rows, and Gemm with transB a generic contraction.
// CHECK-LABEL: func @matmul_gemm
func.func @matmul_gemm(%a: tensor<2x3x4xf32>, %w: tensor<4x5xf32>, %x: tensor<2x4xf32>, %c: tensor<5xf32>) -> (tensor<2x3x5xf32>, tensor<2x5xf32>) {
  // CHECK: %[[ROWS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  // CHECK: %[[MM:.*]] = linalg.matmul ins(%[[ROWS]], %{{.*}} : tensor<6x4xf32>, tensor<4x5xf32>)
  // CHECK: tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]]
  %0 = graph.MatMul %a, %w : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  %wt = graph.Transpose %w : (tensor<4x5xf32>) -> tensor<5x4xf32>
  %1 = graph.Gemm %x, %wt, %c {transB = 1 : i64} : (tensor<2x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  return %0, %1 : tensor<2x3x5xf32>, tensor<2x5xf32>
}

// -----

// Tests that MatMulInteger widens to i32 by each operand's signedness and
// subtracts the zero point before an i32 linalg.matmul.
// CHECK-LABEL: func @matmul_integer
func.func @matmul_integer(%a: tensor<2x4xui8>, %b: tensor<4x3xi8>, %az: tensor<ui8>) -> tensor<2x3xi32> {
  // CHECK: arith.extui %{{.*}} : i8 to i32
  // CHECK: arith.subi
  // CHECK: arith.extsi %{{.*}} : i8 to i32
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x4xi32>, tensor<4x3xi32>)
  // CHECK-NOT: graph.
  %0 = graph.MatMulInteger %a, %b a_zero_point(%az) : (tensor<2x4xui8>, tensor<4x3xi8>, tensor<ui8>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}
