// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that a function symbol is the tensor.dim of the first argument that
// declares it (marked aicc.symbol) and that an Add broadcasting a static
// operand over a dynamic one builds tensor.empty of that size.
// CHECK-LABEL: func.func @add_broadcast
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[S:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %[[C1]] : tensor<1x?x64xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[S]]) : tensor<1x?x64xf32>
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<1x?x64xf32>, tensor<64xf32>) outs(%[[E]] : tensor<1x?x64xf32>)
// CHECK: arith.addf
// CHECK-NOT: graph.
func.func @add_broadcast(%x: tensor<1x?x64xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 64)>},
                         %b: tensor<64xf32>) -> tensor<1x?x64xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 512>}} {
  %0 = graph.Add %x, %b : (tensor<1x?x64xf32>, tensor<64xf32>) -> tensor<1x?x64xf32>
  return %0 : tensor<1x?x64xf32>
}

// -----

// Tests that a broadcast of two different symbols records the assumption
// (both expressions and the node) on the function, and that the operands
// are read without broadcasting.
// CHECK: #[[$EQ:.+]] = affine_map<()[s0, s1] -> (s0, s1)>
// CHECK-LABEL: func.func @assumption
// CHECK-SAME: aicc.assumption_ops = ["node 'add' (Add)"], aicc.assumptions = [#[[$EQ]]]
// CHECK: %[[A:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %{{.*}}
// CHECK: tensor.empty(%[[A]]) : tensor<?xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel"]} ins(%arg0, %arg1 : tensor<?xf32>, tensor<?xf32>)
func.func @assumption(%x: tensor<?xf32> {aicc.shape = affine_map<()[s0, s1] -> (s0)>},
                      %y: tensor<?xf32> {aicc.shape = affine_map<()[s0, s1] -> (s1)>}) -> tensor<?xf32>
    attributes {aicc.symbols = {a = array<i64: 1, 8>, b = array<i64: 1, 8>}} {
  %0 = graph.Add %x, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> loc("add")
  return %0 : tensor<?xf32>
}

// -----

// Tests that a MatMul of [1, seq, 64] by a [64, 32] weight is a contraction
// into a zero-filled tensor of [1, seq, 32].
// CHECK-LABEL: func.func @matmul
// CHECK: %[[S:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %{{.*}}
// CHECK: %[[E:.*]] = tensor.empty(%[[S]]) : tensor<1x?x32xf32>
// CHECK: %[[F:.*]] = linalg.fill {{.*}} outs(%[[E]] : tensor<1x?x32xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%arg0, %arg1 : tensor<1x?x64xf32>, tensor<64x32xf32>) outs(%[[F]] : tensor<1x?x32xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul(%x: tensor<1x?x64xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 64)>},
                  %w: tensor<64x32xf32>) -> tensor<1x?x32xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 512>}} {
  %0 = graph.MatMul %x, %w : (tensor<1x?x64xf32>, tensor<64x32xf32>) -> tensor<1x?x32xf32>
  return %0 : tensor<1x?x32xf32>
}

// -----

// Tests that Concat of the past and the new keys along the sequence axis
// is a tensor.empty of past + seq with two insert_slices, the second at
// offset past.
// CHECK: #[[$SUM:.+]] = affine_map<()[s0, s1] -> (s0 + s1)>
// CHECK-LABEL: func.func @concat_past
// CHECK-DAG: %[[P:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %{{.*}}
// CHECK-DAG: %[[S:.*]] = tensor.dim {aicc.symbol = 1 : i64} %arg1, %{{.*}}
// CHECK: %[[T:.*]] = affine.apply #[[$SUM]]()[%[[P]], %[[S]]]
// CHECK: %[[E:.*]] = tensor.empty(%[[T]]) : tensor<1x2x?x4xf32>
// CHECK: %[[I:.*]] = tensor.insert_slice %arg0 into %[[E]][0, 0, 0, 0] [1, 2, %[[P]], 4] [1, 1, 1, 1]
// CHECK: tensor.insert_slice %arg1 into %[[I]][0, 0, %[[P]], 0] [1, 2, %[[S]], 4] [1, 1, 1, 1]
func.func @concat_past(%past: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>},
                       %new: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s1, 4)>})
    -> tensor<1x2x?x4xf32>
    attributes {aicc.symbols = {past = array<i64: 0, 16>, seq = array<i64: 1, 16>}} {
  %0 = graph.Concat %past, %new {axis = 2 : i64} : (tensor<1x2x?x4xf32>, tensor<1x2x?x4xf32>) -> tensor<1x2x?x4xf32>
  return %0 : tensor<1x2x?x4xf32>
}

// -----

// Tests that a Slice whose starts and ends are computed from shapes (the
// causal mask of a decoder: rows past .. past + seq) is an extract_slice at
// offset past of size seq, and that the shape computation is replaced by
// tensor.from_elements of the symbols (no graph op is left).
// CHECK-LABEL: func.func @slice_mask
// CHECK-DAG: %[[P:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %{{.*}}
// CHECK-DAG: %[[S:.*]] = tensor.dim {aicc.symbol = 1 : i64} %arg1, %{{.*}}
// CHECK: tensor.extract_slice %arg2[%[[P]], 0] [%[[S]], 8] [1, 1] : tensor<8x8xf32> to tensor<?x8xf32>
// CHECK-NOT: graph.
func.func @slice_mask(%past: tensor<1x?xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s0)>},
                      %x: tensor<1x?xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1)>},
                      %bias: tensor<8x8xf32>) -> tensor<?x8xf32>
    attributes {aicc.symbols = {past = array<i64: 0, 4>, seq = array<i64: 1, 4>}} {
  %p = graph.Shape %past {start = 1 : i64} : (tensor<1x?xf32>) -> tensor<1xi64>
  %s = graph.Shape %x {start = 1 : i64} : (tensor<1x?xf32>) -> tensor<1xi64>
  %end = graph.Add %p, %s : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %axes = graph.constant dense<0> : tensor<1xi64>
  %0 = graph.Slice %bias, %p, %end axes(%axes) : (tensor<8x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Tests that a Reshape splitting the static hidden dim next to a dynamic
// one is a tensor.expand_shape with a dynamic output_shape, and the reverse
// a tensor.collapse_shape.
// CHECK-LABEL: func.func @reshape_heads
// CHECK: %[[S:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %{{.*}}
// CHECK: %[[X:.*]] = tensor.expand_shape %arg0 {{\[\[}}0], [1], [2, 3]] output_shape [1, %[[S]], 4, 16] : tensor<1x?x64xf32> into tensor<1x?x4x16xf32>
// CHECK: tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2, 3]] : tensor<1x?x4x16xf32> into tensor<?x64xf32>
func.func @reshape_heads(%x: tensor<1x?x64xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 64)>})
    -> tensor<?x64xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 512>}} {
  %heads = graph.constant dense<[0, 0, 4, 16]> : tensor<4xi64>
  %0 = graph.Reshape %x, %heads : (tensor<1x?x64xf32>, tensor<4xi64>) -> tensor<1x?x4x16xf32>
  %rows = graph.constant dense<[-1, 64]> : tensor<2xi64>
  %1 = graph.Reshape %0, %rows : (tensor<1x?x4x16xf32>, tensor<2xi64>) -> tensor<?x64xf32>
  return %1 : tensor<?x64xf32>
}

// -----

// Tests that Softmax over the dynamic last axis reduces into tensors of
// the other (dynamic) dim.
// CHECK-LABEL: func.func @softmax
// CHECK-DAG: %[[A:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %{{.*}}
// CHECK: tensor.empty(%[[A]]) : tensor<?xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK-NOT: graph.
func.func @softmax(%x: tensor<?x?xf32> {aicc.shape = affine_map<()[s0, s1] -> (s0, s1)>}) -> tensor<?x?xf32>
    attributes {aicc.symbols = {a = array<i64: 1, 8>, b = array<i64: 1, 8>}} {
  %0 = graph.Softmax %x {axis = -1 : i64} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that LayerNormalization over the static hidden dim of [1, seq, 64]
// computes its statistics in [1, seq] tensors and its outputs in
// [1, seq, 64] and [1, seq, 1] ones.
// CHECK-LABEL: func.func @layernorm
// CHECK: %[[S:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0, %{{.*}}
// CHECK: tensor.empty(%[[S]]) : tensor<1x?xf32>
// CHECK: math.sqrt
// CHECK: tensor.empty(%[[S]]) : tensor<1x?x64xf32>
// CHECK: tensor.expand_shape {{.*}} output_shape [1, %[[S]], 1] : tensor<1x?xf32> into tensor<1x?x1xf32>
// CHECK-NOT: graph.
func.func @layernorm(%x: tensor<1x?x64xf32> {aicc.shape = affine_map<()[s0] -> (1, s0, 64)>},
                     %s: tensor<64xf32>, %b: tensor<64xf32>)
    -> (tensor<1x?x64xf32>, tensor<1x?x1xf32>)
    attributes {aicc.symbols = {seq = array<i64: 1, 512>}} {
  %y, %m, %r = graph.LayerNormalization %x, %s, %b {axis = -1 : i64} : (tensor<1x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<1x?x64xf32>, tensor<1x?x1xf32>, tensor<1x?x1xf32>)
  return %y, %m : tensor<1x?x64xf32>, tensor<1x?x1xf32>
}

// -----

// Tests that an embedding lookup (Gather of [1, seq] token ids from a
// static table) builds a [1, seq, 16] result with a checked extract.
// CHECK-LABEL: func.func @gather
// CHECK: %[[S:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg1, %{{.*}}
// CHECK: tensor.empty(%[[S]]) : tensor<1x?x16xf32>
// CHECK: tensor.extract %arg0{{.*}}aicc.checked_index
func.func @gather(%table: tensor<100x16xf32>,
                  %ids: tensor<1x?xi64> {aicc.shape = affine_map<()[s0] -> (1, s0)>}) -> tensor<1x?x16xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 512>}} {
  %0 = graph.Gather %table, %ids {axis = 0 : i64} : (tensor<100x16xf32>, tensor<1x?xi64>) -> tensor<1x?x16xf32>
  return %0 : tensor<1x?x16xf32>
}
