// RUN: aicc-opt %s -split-input-file --aicc-exec | FileCheck %s

// Tests that the exec pipeline fuses the elementwise epilogue (Exp) into the
// kernel of the matmul it follows (the fusion policy), with the init fill
// cloned in, so no intermediate buffer is left: the arena is empty.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Gemm_0
// CHECK:   linalg.fill
// CHECK:   linalg.matmul
// CHECK:   linalg.exp
// CHECK-NOT: func.func @k1
// CHECK: exec.schedule @main
// CHECK-SAME: arena_size = array<i64: 0>
// CHECK:   exec.dispatch @kernels::@k0_Gemm_0 {{.*}} outs(%arg1 : memref<1x3xf32>)
// CHECK-NOT: exec.dispatch
// CHECK-NOT: exec.dispatch_region
func.func @main(%x: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<1x3xf32> {graph.name = "y"}) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32> loc("fc.weight")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %m = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32> loc("Gemm_0")
  %r = linalg.exp ins(%m : tensor<1x3xf32>) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32> loc("Exp_1")
  return %r : tensor<1x3xf32>
}
