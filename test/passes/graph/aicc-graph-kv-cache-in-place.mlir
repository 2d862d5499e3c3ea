// RUN: aicc-opt %s -split-input-file --aicc-graph-kv-cache-in-place -verify-diagnostics | FileCheck %s

// Tests that a past/present pair with Optimum names whose present is
// Concat(past, Transpose(rows)) becomes a state argument of
// [1, T_max, H, D] (T_max = 16 + 8), that the present output becomes the
// token-major new rows, and that attention reads Transpose(Slice(state,
// 0, P + S)) instead of the Concat.
// CHECK-LABEL: func.func @pair
// CHECK-SAME: %[[PAST:[a-z0-9]+]]: tensor<1x2x?x4xf32> {{.*}}graph.name = "past_key_values.0.key"
// CHECK-SAME: %[[STATE:[a-z0-9]+]]: tensor<1x24x2x4xf32> {graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"}
// CHECK-SAME: -> (tensor<1x2x?x?xf32> {graph.name = "scores"}, tensor<1x?x2x4xf32> {graph.name = "aicc.kv_write:past_key_values.0.key:present.0.key"})
// CHECK-NOT: graph.Concat
// CHECK: %[[P:.*]] = graph.Shape %[[PAST]] {end = 3 : i64, start = 2 : i64}
// CHECK: %[[S:.*]] = graph.Shape %[[ROWS:[a-z0-9]+]] {end = 2 : i64, start = 1 : i64}
// CHECK: %[[T:.*]] = graph.Add %[[P]], %[[S]]
// CHECK: %[[PREFIX:.*]] = graph.Slice %[[STATE]], %{{.*}}, %[[T]] axes(%{{.*}})
// CHECK-SAME: -> tensor<1x?x2x4xf32>
// CHECK: %[[CACHE:.*]] = graph.Transpose %[[PREFIX]] {perm = array<i64: 0, 2, 1, 3>}
// CHECK: %[[KT:.*]] = graph.Transpose %[[CACHE]] {perm = array<i64: 0, 1, 3, 2>}
// CHECK: graph.MatMul %{{.*}}, %[[KT]]
// CHECK: return %{{.*}}, %[[ROWS]]
func.func @pair(%rows: tensor<1x?x2x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1, 2, 4)>, graph.name = "rows"},
                %past: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>, graph.name = "past_key_values.0.key"},
                %q: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s1, 4)>, graph.name = "q"})
    -> (tensor<1x2x?x?xf32> {graph.name = "scores"}, tensor<1x2x?x4xf32> {graph.name = "present.0.key"})
    attributes {aicc.symbols = {past_sequence = array<i64: 0, 16>, sequence = array<i64: 1, 8>}} {
  %new = graph.Transpose %rows {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x4xf32>) -> tensor<1x2x?x4xf32>
  %k = graph.Concat %past, %new {axis = 2 : i64} : (tensor<1x2x?x4xf32>, tensor<1x2x?x4xf32>) -> tensor<1x2x?x4xf32>
  %kt = graph.Transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x?x4xf32>) -> tensor<1x2x4x?xf32>
  %s = graph.MatMul %q, %kt : (tensor<1x2x?x4xf32>, tensor<1x2x4x?xf32>) -> tensor<1x2x?x?xf32>
  return %s, %k : tensor<1x2x?x?xf32>, tensor<1x2x?x4xf32>
}

// -----

// Tests that a new tensor that is not a transpose gets one, so the state
// still receives token-major rows.
// CHECK-LABEL: func.func @no_transpose
// CHECK: %[[ROWS:.*]] = graph.Transpose %arg0 {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x2x?x4xf32>) -> tensor<1x?x2x4xf32>
// CHECK: return %[[ROWS]]
func.func @no_transpose(%new: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s1, 4)>, graph.name = "new"},
                        %past: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>, graph.name = "past_key_values.3.value"})
    -> (tensor<1x2x?x4xf32> {graph.name = "present.3.value"})
    attributes {aicc.symbols = {past_sequence = array<i64: 0, 16>, sequence = array<i64: 1, 8>}} {
  %v = graph.Concat %past, %new {axis = 2 : i64} : (tensor<1x2x?x4xf32>, tensor<1x2x?x4xf32>) -> tensor<1x2x?x4xf32>
  return %v : tensor<1x2x?x4xf32>
}

// -----

// Tests that a present that is not Concat(past, new) is an error naming
// the pair.
func.func @not_concat(%past: tensor<1x2x?x4xf32> {aicc.shape = affine_map<()[s0] -> (1, 2, s0, 4)>, graph.name = "past_key_values.0.key"})
    -> (tensor<1x2x?x4xf32> {graph.name = "present.0.key"})
    attributes {aicc.symbols = {past_sequence = array<i64: 0, 16>}} {
  // expected-error @-3 {{--kv-cache: pair 'past_key_values.0.key:present.0.key': the output is not Concat(past, new)}}
  %r = graph.Relu %past : (tensor<1x2x?x4xf32>) -> tensor<1x2x?x4xf32>
  return %r : tensor<1x2x?x4xf32>
}

// -----

// Tests that a function without cache pairs is left as it is, with a
// warning that names the pairs it looked for.
// CHECK-LABEL: func.func @no_pairs
// CHECK: graph.Concat
// expected-warning @+1 {{--kv-cache=auto: no past_key_values.N.* (or past.N.*) input has a present.N.* output}}
func.func @no_pairs(%a: tensor<1x2x3x4xf32> {graph.name = "a"}, %b: tensor<1x2x3x4xf32> {graph.name = "b"})
    -> (tensor<1x2x6x4xf32> {graph.name = "c"}) {
  %c = graph.Concat %a, %b {axis = 2 : i64} : (tensor<1x2x3x4xf32>, tensor<1x2x3x4xf32>) -> tensor<1x2x6x4xf32>
  return %c : tensor<1x2x6x4xf32>
}

// -----

// Tests that the paged layout (the driver's aicc.kv_block = 16 on the
// module, --kv-cache-layout=paged:block=16) makes the state a pool of whole
// blocks, ceil(24 / 16) = 2 blocks of 16 rows ([1, 32, H, D], with
// aicc.kv_block = 16), adds the i32 block table argument [2] next to it,
// and keeps the Slice of the state as the prefix placeholder.
// CHECK-LABEL: func.func @paged
// CHECK-SAME: %[[STATE:[a-z0-9]+]]: tensor<1x32x2x16xf32> {aicc.kv_block = 16 : i64, graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"}
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<2xi32> {graph.name = "aicc.kv_table:past_key_values.0.key:present.0.key"}
// CHECK: graph.Slice %[[STATE]]
// CHECK-SAME: -> tensor<1x?x2x16xf32>
module attributes {aicc.kv_block = 16 : i64} {
func.func @paged(%rows: tensor<1x?x2x16xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1, 2, 16)>, graph.name = "rows"},
                 %past: tensor<1x2x?x16xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 16)>, graph.name = "past_key_values.0.key"},
                 %q: tensor<1x2x?x16xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s1, 16)>, graph.name = "q"})
    -> (tensor<1x2x?x?xf32> {graph.name = "scores"}, tensor<1x2x?x16xf32> {graph.name = "present.0.key"})
    attributes {aicc.symbols = {past_sequence = array<i64: 0, 16>, sequence = array<i64: 1, 8>}} {
  %new = graph.Transpose %rows {perm = array<i64: 0, 2, 1, 3>} : (tensor<1x?x2x16xf32>) -> tensor<1x2x?x16xf32>
  %k = graph.Concat %past, %new {axis = 2 : i64} : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  %kt = graph.Transpose %k {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x?x16xf32>) -> tensor<1x2x16x?xf32>
  %s = graph.MatMul %q, %kt : (tensor<1x2x?x16xf32>, tensor<1x2x16x?xf32>) -> tensor<1x2x?x?xf32>
  return %s, %k : tensor<1x2x?x?xf32>, tensor<1x2x?x16xf32>
}
}
