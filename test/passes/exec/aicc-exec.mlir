// RUN: aicc-opt %s -split-input-file --aicc-exec | FileCheck %s

// Tests that the exec pipeline forms one dispatch per compute op, with its
// init fill cloned into its kernel, and plans the arena of the intermediate.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Gemm_0
// CHECK:   linalg.fill
// CHECK:   linalg.matmul
// CHECK: func.func @k1_Exp_1
// CHECK: exec.schedule @main
// CHECK-SAME: arena_size = array<i64: 64>
// CHECK:   %[[T:.*]] = exec.alloc {offset = 0 : i64} : memref<1x3xf32>
// CHECK:   exec.dispatch @kernels::@k0_Gemm_0 {{.*}} outs(%[[T]] : memref<1x3xf32>)
// CHECK:   exec.dispatch @kernels::@k1_Exp_1 ins(%[[T]] : memref<1x3xf32>)
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
