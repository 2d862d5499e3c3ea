// RUN: aicc-opt %s -split-input-file --aicc-clone-producers-into-dispatch-regions | FileCheck %s

// Tests that a dynamic tensor.empty and the fill of it are cloned into the
// region that uses them, while the index values they take (the symbol and
// an affine.min of it) are not: the region keeps using them from above
// (they become push constants when outlined).

// CHECK-LABEL: func.func @main
// CHECK:      %[[S:.*]] = tensor.dim {aicc.symbol = 0 : i64}
// CHECK-NEXT: %[[T:.*]] = affine.min
// CHECK-NEXT: exec.dispatch_region -> (tensor<?x8xf32>) {
// CHECK-NEXT:   arith.constant 0.000000e+00 : f32
// CHECK-NEXT:   %[[E:.*]] = tensor.empty(%[[T]]) : tensor<?x8xf32>
// CHECK-NEXT:   %[[F:.*]] = linalg.fill {{.*}} outs(%[[E]] : tensor<?x8xf32>)
// CHECK-NEXT:   linalg.matmul {{.*}} outs(%[[F]] : tensor<?x8xf32>)
// CHECK-NOT:  tensor.empty
func.func @main(%x: tensor<?x4xf32> {aicc.shape = affine_map<()[s0] -> (s0, 4)>}, %w: tensor<4x8xf32>)
    -> tensor<?x8xf32> attributes {aicc.symbols = {n = array<i64: 1, 16>}} {
  %c0 = arith.constant 0 : index
  %s = tensor.dim {aicc.symbol = 0 : i64} %x, %c0 : tensor<?x4xf32>
  %t = affine.min affine_map<()[s0] -> (s0, 16)>()[%s]
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %r = exec.dispatch_region -> (tensor<?x8xf32>) {
    %m = linalg.matmul ins(%x, %w : tensor<?x4xf32>, tensor<4x8xf32>) outs(%f : tensor<?x8xf32>) -> tensor<?x8xf32>
    exec.yield %m : tensor<?x8xf32>
  }
  return %r : tensor<?x8xf32>
}
