// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion | FileCheck %s

// Tests that with dynamic dims the index computations (the symbol's
// tensor.dim, affine.min/apply of it) stay outside the regions, that ops
// with dynamic results get a region each (the fusion policy groups static
// ops only) whose results are dynamic tensors, and that a slice at a
// symbolic offset needs a kernel while a reshape stays a view.

// CHECK-LABEL: func.func @main
// CHECK:      %[[S:.*]] = tensor.dim {aicc.symbol = 0 : i64}
// CHECK-NEXT: %[[T:.*]] = affine.min
// CHECK-NEXT: %[[H:.*]] = affine.apply
// CHECK-NEXT: %[[E:.*]] = tensor.empty(%[[T]]) : tensor<?x8xf32>
// CHECK-NEXT: %[[A:.*]] = exec.dispatch_region -> (tensor<?x8xf32>) {
// CHECK-NEXT:   linalg.exp
// CHECK:      %[[B:.*]] = exec.dispatch_region -> (tensor<?x8xf32>) {
// CHECK-NEXT:   linalg.negf
// CHECK:      %[[C:.*]] = exec.dispatch_region -> (tensor<?x8xf32>) {
// CHECK-NEXT:   tensor.extract_slice %[[B]][%[[H]], 0] [%[[H]], 8]
// CHECK:      tensor.expand_shape %[[C]]
// CHECK-NOT:  exec.dispatch_region
func.func @main(%x: tensor<?x8xf32> {aicc.shape = affine_map<()[s0] -> (s0, 8)>})
    -> tensor<1x?x8xf32> attributes {aicc.symbols = {n = array<i64: 1, 16>}} {
  %c0 = arith.constant 0 : index
  %s = tensor.dim {aicc.symbol = 0 : i64} %x, %c0 : tensor<?x8xf32>
  %t = affine.min affine_map<()[s0] -> (s0, 16)>()[%s]
  %h = affine.apply affine_map<()[s0] -> (s0 floordiv 2)>()[%s]
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %a = linalg.exp ins(%x : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %b = linalg.negf ins(%a : tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %c = tensor.extract_slice %b[%h, 0] [%h, 8] [1, 1] : tensor<?x8xf32> to tensor<?x8xf32>
  %d = tensor.expand_shape %c [[0, 1], [2]] output_shape [1, %h, 8] : tensor<?x8xf32> into tensor<1x?x8xf32>
  return %d : tensor<1x?x8xf32>
}
