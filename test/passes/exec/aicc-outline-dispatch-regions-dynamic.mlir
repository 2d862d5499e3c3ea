// RUN: aicc-opt %s -split-input-file --aicc-outline-dispatch-regions | FileCheck %s

// Tests that a region reading a dynamic tensor and using an index value from
// above becomes a kernel whose trailing index arguments are, in order, the
// index values the body uses (%t = min(n, 8)) and then the extents of its
// tensors' `?` dims not already among them (n for the argument); the
// argument and result carry aicc.dynamic_dims, the body uses the index
// arguments, and the schedule recomputes %t from exec.symbol.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Slice_0(%[[A:.*]]: tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 1>}, %[[T:.*]]: index, %[[N:.*]]: index) -> (tensor<?x4xf32> {aicc.dynamic_dims = array<i64: 0>})
// CHECK:   %[[E:.*]] = tensor.empty(%[[T]]) : tensor<?x4xf32>
// CHECK:   tensor.extract_slice %[[A]][0, 0] [%[[T]], 4] [1, 1]
// CHECK: exec.schedule @main(%[[X:.*]]: memref<?x4xf32> {{.*}}, %[[Y:.*]]: memref<?x4xf32> {{.*}})
// CHECK:   %[[S:.*]] = exec.symbol {index = 0 : i64}
// CHECK:   %[[M:.*]] = affine.min #{{.*}}()[%[[S]]]
// CHECK:   exec.dispatch @kernels::@k0_Slice_0 ins(%[[X]] : memref<?x4xf32>) outs(%[[Y]] : memref<?x4xf32>) push(%[[M]], %[[S]] : index, index)
// CHECK:   exec.return dims(%[[M]] : index)
func.func @main(%x: tensor<?x4xf32> {aicc.shape = affine_map<()[s0] -> (s0, 4)>, graph.name = "x"})
    -> (tensor<?x4xf32> {graph.name = "y"}) attributes {aicc.symbols = {n = array<i64: 1, 64>}} {
  %c0 = arith.constant 0 : index
  %n = tensor.dim {aicc.symbol = 0 : i64} %x, %c0 : tensor<?x4xf32>
  %t = affine.min affine_map<()[s0] -> (s0, 8)>()[%n]
  %r = exec.dispatch_region -> (tensor<?x4xf32>) {
    %e = tensor.empty(%t) : tensor<?x4xf32>
    %s = tensor.extract_slice %x[0, 0] [%t, 4] [1, 1] : tensor<?x4xf32> to tensor<?x4xf32>
    %a = linalg.exp ins(%s : tensor<?x4xf32>) outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
    exec.yield %a : tensor<?x4xf32>
  } loc("Slice_0")
  return %r : tensor<?x4xf32>
}
