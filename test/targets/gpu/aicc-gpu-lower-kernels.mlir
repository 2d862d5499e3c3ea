// RUN: aicc-opt %s -split-input-file --aicc-gpu-lower-kernels | FileCheck %s

// Tests the whole kernel front end on a fused matmul + bias + ReLU kernel:
// one gpu.func whose arguments are the inputs then the output (the result
// became an out-parameter, written in place), one thread per output element
// (4x16 = 64 threads in one workgroup), the reduction a loop of 8 FMAs
// within the thread, and no buffer but the thread's private accumulator.

// CHECK: gpu.module @kernels
// CHECK-LABEL: gpu.func @k0_mm(
// CHECK-SAME: %[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<8x16xf32>, %[[BIAS:.*]]: memref<16xf32>, %[[OUT:.*]]: memref<4x16xf32>) kernel
// CHECK-SAME: aicc.workgroup_count = array<i32: 1, 1, 1>
// CHECK-SAME: known_block_size = array<i32: 64, 1, 1>
// CHECK: memref.alloca() {{.*}}: memref<1x1xf32, #gpu.address_space<private>>
// CHECK-NOT: memref.alloc(
// CHECK: %[[ROW:.*]] = memref.subview %[[A]]
// CHECK: %[[COL:.*]] = memref.subview %[[B]]
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK: memref.load %[[ROW]]
// CHECK: memref.load %[[COL]]
// CHECK: arith.mulf {{.*}} fastmath<contract>
// CHECK: arith.addf {{.*}} fastmath<contract>
// CHECK: %[[B1:.*]] = memref.subview %[[BIAS]]
// CHECK: %[[O1:.*]] = memref.subview %[[OUT]]
// CHECK: memref.load %[[B1]]
// CHECK: arith.maximumf
// CHECK: memref.store %{{.*}}, %[[O1]]
// CHECK-NOT: func.func
func.func @k0_mm(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %bias: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m, %bias : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.addf %in, %in_0 : f32
    %1 = arith.maximumf %0, %zero : f32
    linalg.yield %1 : f32
  } -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
