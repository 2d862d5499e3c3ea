// RUN: aicc-opt %s -split-input-file --aicc-form-dispatches | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions --aicc-clone-producers-into-dispatch-regions --aicc-outline-dispatch-regions | FileCheck %s

// Tests that dynamically shaped linalg (contract A of issue 12: the symbol
// read once by a tensor.dim marked aicc.symbol, sizes from it) becomes a
// schedule over dynamic buffers: the symbol is an exec.symbol, every kernel
// takes its extents as trailing index arguments named by aicc.dynamic_dims
// and its body uses them (tensor.empty(%arg)), each dispatch passes them as
// push constants, buffers are sized by the upper bound (512 x 64 x 4
// bytes), the collapse and expand are views with size operands, a concat
// along the dynamic dim has extent sequence + sequence, a slice at a
// symbolic offset is a copy kernel with the offset as a push constant, and
// exec.return gives the outputs' extents.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Add_0(%[[A0:.*]]: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %[[N0:.*]]: index) -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>})
// CHECK:   %[[E0:.*]] = tensor.empty(%[[N0]]) : tensor<1x?x64xf32>
// CHECK:   linalg.add ins(%[[A0]], %[[A0]] : {{.*}}) outs(%[[E0]] : tensor<1x?x64xf32>)
// CHECK: func.func @k1_MatMul_1(%{{.*}}: tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %{{.*}}: tensor<64x64xf32>, %[[N1:.*]]: index) -> (tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>})
// CHECK:   tensor.empty(%[[N1]]) : tensor<?x64xf32>
// CHECK: func.func @k2_Concat_2(%{{.*}}: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %{{.*}}: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %{{.*}}: index, %{{.*}}: index) -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 1>})
// CHECK-NEXT: tensor.concat
// CHECK: func.func @k3_Slice_3(%[[A3:.*]]: tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 1>}, %[[N3:.*]]: index, %{{.*}}: index) -> (tensor<1x?x64xf32> {aicc.dynamic_dims = array<i64: 0>})
// CHECK:   tensor.extract_slice %[[A3]][0, %[[N3]], 0] [1, %[[N3]], 64] [1, 1, 1]
// CHECK-NOT: tensor.dim
// CHECK: exec.schedule @main(%[[X:.*]]: memref<1x?x64xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 64)>, graph.name = "x"}, %[[Y:.*]]: memref<1x?x64xf32> {graph.name = "y"}, %[[C:.*]]: memref<1x?x64xf32> {graph.name = "c"}, %[[T:.*]]: memref<1x?x64xf32> {graph.name = "t"})
// CHECK-SAME: aicc.symbols = {sequence = array<i64: 1, 512>}
// CHECK:   %[[S:.*]] = exec.symbol {index = 0 : i64}
// CHECK:   %[[W:.*]] = exec.constant "w"
// CHECK:   %[[B:.*]] = exec.alloc(%[[S]]) {upper_bound_bytes = 131072 : i64} : memref<1x?x64xf32>
// CHECK:   exec.dispatch @kernels::@k0_Add_0 ins(%[[X]] : memref<1x?x64xf32>) outs(%[[B]] : memref<1x?x64xf32>) push(%[[S]] : index)
// CHECK:   %[[BV:.*]] = exec.view %[[B]][0] (%[[S]]) : memref<1x?x64xf32> to memref<?x64xf32>
// CHECK:   %[[YV:.*]] = exec.view %[[Y]][0] (%[[S]]) : memref<1x?x64xf32> to memref<?x64xf32>
// CHECK:   exec.dispatch @kernels::@k1_MatMul_1 ins(%[[BV]], %[[W]] : memref<?x64xf32>, memref<64x64xf32>) outs(%[[YV]] : memref<?x64xf32>) push(%[[S]] : index)
// CHECK:   %[[TWO:.*]] = affine.apply #{{.*}}()[%[[S]], %[[S]]]
// CHECK:   exec.dispatch @kernels::@k2_Concat_2 ins(%[[X]], %[[B]] : memref<1x?x64xf32>, memref<1x?x64xf32>) outs(%[[C]] : memref<1x?x64xf32>) push(%[[S]], %[[TWO]] : index, index)
// CHECK:   exec.dispatch @kernels::@k3_Slice_3 ins(%[[C]] : memref<1x?x64xf32>) outs(%[[T]] : memref<1x?x64xf32>) push(%[[S]], %[[TWO]] : index, index)
// CHECK:   exec.return dims(%[[S]], %[[TWO]], %[[S]] : index, index, index)
func.func @main(%x: tensor<1x?x64xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 64)>, graph.name = "x"})
    -> (tensor<1x?x64xf32> {graph.name = "y"}, tensor<1x?x64xf32> {graph.name = "c"}, tensor<1x?x64xf32> {graph.name = "t"})
    attributes {aicc.symbols = {sequence = array<i64: 1, 512>}} {
  %c1 = arith.constant 1 : index
  %s0 = tensor.dim {aicc.symbol = 0 : i64} %x, %c1 : tensor<1x?x64xf32>
  %w = graph.constant dense<0.5> : tensor<64x64xf32> loc("w")
  %e = tensor.empty(%s0) : tensor<1x?x64xf32>
  %a = linalg.add ins(%x, %x : tensor<1x?x64xf32>, tensor<1x?x64xf32>) outs(%e : tensor<1x?x64xf32>) -> tensor<1x?x64xf32> loc("Add_0")
  %col = tensor.collapse_shape %a [[0, 1], [2]] : tensor<1x?x64xf32> into tensor<?x64xf32>
  %zero = arith.constant 0.0 : f32
  %e2 = tensor.empty(%s0) : tensor<?x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e2 : tensor<?x64xf32>) -> tensor<?x64xf32>
  %m = linalg.matmul ins(%col, %w : tensor<?x64xf32>, tensor<64x64xf32>) outs(%f : tensor<?x64xf32>) -> tensor<?x64xf32> loc("MatMul_1")
  %y = tensor.expand_shape %m [[0, 1], [2]] output_shape [1, %s0, 64] : tensor<?x64xf32> into tensor<1x?x64xf32>
  %cat = tensor.concat dim(1) %x, %a : (tensor<1x?x64xf32>, tensor<1x?x64xf32>) -> tensor<1x?x64xf32> loc("Concat_2")
  %t = tensor.extract_slice %cat[0, %s0, 0] [1, %s0, 64] [1, 1, 1] : tensor<1x?x64xf32> to tensor<1x?x64xf32> loc("Slice_3")
  return %y, %cat, %t : tensor<1x?x64xf32>, tensor<1x?x64xf32>, tensor<1x?x64xf32>
}

// -----

// Tests that a contiguous slice at a static offset with a dynamic size (a
// derived extent, min(sequence - 2, 300)) is a view 2 rows of 64 f32 into
// its source, that the affine.min is recomputed in the schedule and passed
// as the push constant, and that a returned input is copied with its
// dynamic shape.

// CHECK-LABEL: exec.executable @kernels
// CHECK: exec.schedule @main(%[[X:.*]]: memref<?x64xf32> {{.*}}, %[[Y:.*]]: memref<?x64xf32> {{.*}}, %[[Z:.*]]: memref<?x64xf32> {{.*}})
// CHECK:   %[[S:.*]] = exec.symbol {index = 0 : i64}
// CHECK:   %[[M:.*]] = affine.min
// CHECK:   %[[V:.*]] = exec.view %[[X]][512] (%[[M]]) : memref<?x64xf32> to memref<?x64xf32>
// CHECK:   exec.dispatch @kernels::@k0_Exp_0 ins(%[[V]] : memref<?x64xf32>) outs(%[[Y]] : memref<?x64xf32>) push(%[[M]] : index)
// CHECK:   exec.copy %[[X]], %[[Z]] : memref<?x64xf32>, memref<?x64xf32>
// CHECK:   exec.return dims(%[[M]], %[[S]] : index, index)
func.func @main(%x: tensor<?x64xf32> {aicc.shape = affine_map<()[s0] -> (s0, 64)>, graph.name = "x"})
    -> (tensor<?x64xf32> {graph.name = "y"}, tensor<?x64xf32> {graph.name = "z"})
    attributes {aicc.symbols = {sequence = array<i64: 8, 512>}} {
  %c0 = arith.constant 0 : index
  %s0 = tensor.dim {aicc.symbol = 0 : i64} %x, %c0 : tensor<?x64xf32>
  %m = affine.min affine_map<()[s0] -> (s0 - 2, 300)>()[%s0]
  %v = tensor.extract_slice %x[2, 0] [%m, 64] [1, 1] : tensor<?x64xf32> to tensor<?x64xf32>
  %e = tensor.empty(%m) : tensor<?x64xf32>
  %y = linalg.exp ins(%v : tensor<?x64xf32>) outs(%e : tensor<?x64xf32>) -> tensor<?x64xf32> loc("Exp_0")
  return %y, %x : tensor<?x64xf32>, tensor<?x64xf32>
}

// -----

// Tests the shape of dyn-lower's concat along a dynamic dim (tensor.empty
// of past + seq, then two insert_slices at symbolic offsets): each
// insert_slice is a kernel whose result extent comes from its destination,
// the second reads the first's buffer, a slice of a static input at a
// symbolic offset is a copy kernel, and the schedule keeps the symbols and
// the broadcast assumptions for the serializer.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Concat_0(%{{.*}}: tensor<1x2x?x4xf32> {aicc.dynamic_dims = array<i64: 1>}, %[[T0:.*]]: index, %[[P0:.*]]: index) -> (tensor<1x2x?x4xf32> {aicc.dynamic_dims = array<i64: 0>})
// CHECK:   tensor.empty(%[[T0]])
// CHECK: func.func @k1_Concat_0(
// CHECK: exec.schedule @main
// CHECK-SAME: aicc.assumption_ops = ["node 'add' (Add)"]
// CHECK-SAME: aicc.assumptions = [#{{.*}}]
// CHECK-SAME: aicc.symbols = {past = array<i64: 0, 6>, seq = array<i64: 1, 2>}
// CHECK-DAG: %[[S:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[P:.*]] = exec.symbol {index = 0 : i64}
// CHECK:   %[[T:.*]] = affine.apply #{{.*}}()[%[[P]], %[[S]]]
// CHECK:   %[[B:.*]] = exec.alloc(%[[T]]) {upper_bound_bytes = 256 : i64} : memref<1x2x?x4xf32>
// CHECK:   exec.dispatch @kernels::@k0_Concat_0 ins(%{{.*}} : memref<1x2x?x4xf32>) outs(%[[B]] : memref<1x2x?x4xf32>) push(%[[T]], %[[P]] : index, index)
// CHECK:   exec.dispatch @kernels::@k1_Concat_0 ins(%{{.*}}, %[[B]] : memref<1x2x?x4xf32>, memref<1x2x?x4xf32>) outs(%{{.*}} : memref<1x2x?x4xf32>) push(%[[P]], %[[S]], %[[T]] : index, index, index)
// CHECK:   exec.dispatch @kernels::@k2_Slice_1 ins(%{{.*}} : memref<8x8xf32>) outs(%{{.*}} : memref<?x8xf32>) push(%[[P]], %[[S]] : index, index)
// CHECK:   exec.return dims(%[[T]], %[[S]] : index, index)
func.func @main(%arg0: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>, graph.name = "past"}, %arg1: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s1, 4)>, graph.name = "x"}, %m: tensor<8x8xf32> {graph.name = "mask"}) -> (tensor<1x2x?x4xf32> {graph.name = "present"}, tensor<?x8xf32> {graph.name = "m"}) attributes {aicc.symbols = {past = array<i64: 0, 6>, seq = array<i64: 1, 2>}, aicc.assumptions = [affine_map<()[s0, s1] -> (s0, s1)>], aicc.assumption_ops = ["node 'add' (Add)"]} {
  %c2 = arith.constant 2 : index
  %P = tensor.dim {aicc.symbol = 0 : i64} %arg0, %c2 : tensor<1x2x?x4xf32>
  %S = tensor.dim {aicc.symbol = 1 : i64} %arg1, %c2 : tensor<1x2x?x4xf32>
  %T = affine.apply affine_map<()[s0, s1] -> (s0 + s1)>()[%P, %S]
  %E = tensor.empty(%T) : tensor<1x2x?x4xf32>
  %I = tensor.insert_slice %arg0 into %E[0, 0, 0, 0] [1, 2, %P, 4] [1, 1, 1, 1] : tensor<1x2x?x4xf32> into tensor<1x2x?x4xf32> loc("Concat_0")
  %J = tensor.insert_slice %arg1 into %I[0, 0, %P, 0] [1, 2, %S, 4] [1, 1, 1, 1] : tensor<1x2x?x4xf32> into tensor<1x2x?x4xf32> loc("Concat_0")
  %sl = tensor.extract_slice %m[%P, 0] [%S, 8] [1, 1] : tensor<8x8xf32> to tensor<?x8xf32> loc("Slice_1")
  return %J, %sl : tensor<1x2x?x4xf32>, tensor<?x8xf32>
}
