// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that LRN of size 3 sums the squares of channels c-1 .. c+1 (masked
// at the edges) and divides by (bias + alpha/size * sum)^beta.
// CHECK-LABEL: func.func @lrn
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract %{{.*}} : tensor<1x5x2x2xf32>
// CHECK-NOT: tensor.extract
// CHECK: math.powf
// CHECK: arith.divf
func.func @lrn(%x: tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32> {
  %0 = graph.LRN %x {size = 3 : i64} : (tensor<1x5x2x2xf32>) -> tensor<1x5x2x2xf32>
  return %0 : tensor<1x5x2x2xf32>
}

// -----

// Tests that MeanVarianceNormalization reduces x and x^2 over the axes
// (0, 2, 3) and normalizes with sqrt(E[x^2] - mean^2) + 1e-9.
// CHECK-LABEL: func.func @mvn
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: arith.constant 4.000000e+01 : f32
// CHECK: arith.constant 9.99999971E-10 : f32
// CHECK: math.sqrt
func.func @mvn(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = graph.MeanVarianceNormalization %x : (tensor<2x3x4x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Tests that SwiGLU is one elementwise generic a * sigmoid(alpha * a) * b.
// CHECK-LABEL: func.func @swiglu
// CHECK: linalg.generic
// CHECK: arith.constant -5.000000e-01 : f32
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.mulf
func.func @swiglu(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = graph.SwiGLU %a, %b {alpha = 0.5 : f32} : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
