// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that a forward DFT of a real input along a constant axis is one
// generic with the input terms as the reduction, reading compile-time
// cos/-sin tables (N = 4: cos(2 pi k m / 4) and -sin).
// CHECK-LABEL: func.func @dft_real
// CHECK-DAG: graph.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00, 1.000000e+00, 1.000000e+00], [1.000000e+00, {{.*}}> : tensor<4x4xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: tensor.extract %{{.*}} : tensor<2x4x1xf32>
// CHECK-NOT: tensor.extract
// CHECK: arith.select
func.func @dft_real(%x: tensor<2x4x1xf32>) -> tensor<2x4x2xf32> {
  %a = graph.constant dense<1> : tensor<i64>
  %0 = graph.DFT %x axis(%a) : (tensor<2x4x1xf32>, tensor<i64>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}

// -----

// Tests that a DFT whose axis is a run-time value builds the transform for
// every axis that keeps the declared shape (0 and 1 here) and selects one
// by the axis value (a negative one counted from the rank).
// CHECK-LABEL: func.func @dft_runtime_axis
// CHECK-COUNT-2: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.generic
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @dft_runtime_axis(%x: tensor<4x4x2xf32>, %a: tensor<i64>) -> tensor<4x4x2xf32> {
  %0 = graph.DFT %x axis(%a) {inverse = 1 : i64} : (tensor<4x4x2xf32>, tensor<i64>) -> tensor<4x4x2xf32>
  return %0 : tensor<4x4x2xf32>
}
