// RUN: aicc-opt %s -split-input-file --aicc-gpu-tile-and-fuse | FileCheck %s

// Tests that a matmul with its fill init and a ReLU epilogue becomes one
// scf.forall over the output elements, with the fill, the matmul (over the
// whole reduction) and the ReLU on 1x1 tiles inside it, and nothing left
// outside.

// CHECK-LABEL: func.func @matmul_relu
// CHECK-NOT: linalg.
// CHECK: %[[R:.*]] = scf.forall (%[[I:.*]], %[[J:.*]]) in (4, 16) shared_outs
// CHECK: tensor.extract_slice %{{.*}}[%[[I]], 0] [1, 8] [1, 1] : tensor<4x8xf32> to tensor<1x8xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, %[[J]]] [8, 1] [1, 1] : tensor<8x16xf32> to tensor<8x1xf32>
// CHECK: linalg.fill {{.*}} -> tensor<1x1xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<1x8xf32>, tensor<8x1xf32>) outs(%{{.*}} : tensor<1x1xf32>)
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.
// CHECK: return %[[R]]
func.func @matmul_relu(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %m = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%m : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %zero : f32
    linalg.yield %0 : f32
  } -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}

// -----

// Tests that a row reduction is tiled along its parallel dim only: each
// iteration reduces a whole row.

// CHECK-LABEL: func.func @row_sum
// CHECK: scf.forall (%[[I:.*]]) in (4)
// CHECK: tensor.extract_slice %{{.*}}[%[[I]], 0] [1, 32] [1, 1] : tensor<4x32xf32> to tensor<1x32xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
func.func @row_sum(%a: tensor<4x32xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%a : tensor<4x32xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// Tests that a kernel whose results come from two ops, and one whose root
// has no parallel loop (a full reduction to a scalar), are left as they are.

// CHECK-LABEL: func.func @two_roots
// CHECK-NOT: scf.forall
// CHECK: linalg.exp
// CHECK: linalg.negf
func.func @two_roots(%a: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8xf32>
  %x = linalg.exp ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %n = linalg.negf ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  return %x, %n : tensor<8xf32>, tensor<8xf32>
}

// CHECK-LABEL: func.func @total
// CHECK-NOT: scf.forall
// CHECK: linalg.reduce
func.func @total(%a: tensor<8xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%a : tensor<8xf32>) outs(%f : tensor<f32>) dimensions = [0]
    (%in: f32, %init: f32) {
      %0 = arith.addf %in, %init : f32
      linalg.yield %0 : f32
    }
  return %r : tensor<f32>
}

// -----

// Tests that a kernel with an empty tensor (a reduction over a zero-sized
// dim feeding an elementwise op) is left as it is instead of tiled.

// CHECK-LABEL: func.func @empty_set
// CHECK-NOT: scf.forall
// CHECK: linalg.reduce
// CHECK: linalg.exp
func.func @empty_set(%a: tensor<2x0xf32>) -> tensor<2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  %r = linalg.reduce ins(%a : tensor<2x0xf32>) outs(%f : tensor<2xf32>) dimensions = [1]
    (%in: f32, %init: f32) {
      %0 = arith.addf %in, %init : f32
      linalg.yield %0 : f32
    }
  %x = linalg.exp ins(%r : tensor<2xf32>) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  return %x : tensor<2xf32>
}
