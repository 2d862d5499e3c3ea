// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that EyeLike with k = 1 writes 1 where column - row == 1, in the
// output's integer type.
// CHECK-LABEL: func.func @eye_like
// CHECK: linalg.generic
// CHECK: arith.subi
// CHECK: arith.cmpi eq
// CHECK: arith.select {{.*}} : i32
func.func @eye_like(%x: tensor<3x4xf32>) -> tensor<3x4xi32> {
  %0 = graph.EyeLike %x {dtype = 6 : i64, k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

// -----

// Tests that Det of 3 x 3 matrices expands Leibniz' formula in f64: 9
// element reads and 6 signed products.
// CHECK-LABEL: func.func @det
// CHECK: linalg.generic
// CHECK-COUNT-9: tensor.extract %{{.*}} : tensor<2x3x3xf32>
// CHECK-NOT: tensor.extract
// CHECK-COUNT-6: arith.mulf %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @det(%x: tensor<2x3x3xf32>) -> tensor<2xf32> {
  %0 = graph.Det %x : (tensor<2x3x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
