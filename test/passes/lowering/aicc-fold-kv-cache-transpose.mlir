// RUN: aicc-opt %s -split-input-file --aicc-fold-kv-cache-transpose -verify-diagnostics | FileCheck %s

#q = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#k = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#o = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>

// Tests that Q·Kᵀ over a [0, 2, 3, 1] transpose of a slice of the
// token-major state [1, T, H, D] reads the slice directly: K's map becomes
// (b, j, h, k), the transpose is gone, and the contraction is marked
// aicc.kv_dot (its output's innermost dim j steps K by whole rows while
// the reduction k, 16 long, is K's innermost).
// CHECK: #map1 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-LABEL: func.func @scores
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %arg1
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#map, #map1, #map2]
// CHECK-SAME: ins(%arg0, %[[SLICE]] : tensor<1x2x1x16xf32>, tensor<1x?x2x16xf32>)
// CHECK-SAME: attrs = {{ *}}{aicc.kv_dot}
func.func @scores(%q: tensor<1x2x1x16xf32>,
                  %state: tensor<1x24x2x16xf32> {graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"},
                  %t: index) -> tensor<1x2x1x?xf32> {
  %slice = tensor.extract_slice %state[0, 0, 0, 0] [1, %t, 2, 16] [1, 1, 1, 1] : tensor<1x24x2x16xf32> to tensor<1x?x2x16xf32>
  %e = tensor.empty(%t) : tensor<1x2x16x?xf32>
  %kt = linalg.transpose ins(%slice : tensor<1x?x2x16xf32>) outs(%e : tensor<1x2x16x?xf32>) permutation = [0, 2, 3, 1]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty(%t) : tensor<1x2x1x?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2x1x?xf32>) -> tensor<1x2x1x?xf32>
  %s = linalg.generic {indexing_maps = [#q, #k, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kt : tensor<1x2x1x16xf32>, tensor<1x2x16x?xf32>) outs(%init : tensor<1x2x1x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x1x?xf32>
  return %s : tensor<1x2x1x?xf32>
}

// -----

#p = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#v = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#o = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>

// Tests that P·V over a [0, 2, 1, 3] transpose of the state reads it as
// (b, t, h, d): rows of D contiguous floats (no aicc.kv_dot: its output's
// innermost dim d is V's innermost too).
// CHECK: #map1 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d3)>
// CHECK-LABEL: func.func @values
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#map, #map1, #map2]
// CHECK-SAME: tensor<1x?x2x4xf32>) outs(%{{.*}} : tensor<1x2x1x4xf32>) {
func.func @values(%p: tensor<1x2x1x?xf32>,
                  %state: tensor<1x24x2x4xf32> {graph.name = "aicc.kv_state:past_key_values.0.value:present.0.value"},
                  %t: index) -> tensor<1x2x1x4xf32> {
  %slice = tensor.extract_slice %state[0, 0, 0, 0] [1, %t, 2, 4] [1, 1, 1, 1] : tensor<1x24x2x4xf32> to tensor<1x?x2x4xf32>
  %e = tensor.empty(%t) : tensor<1x2x?x4xf32>
  %vt = linalg.transpose ins(%slice : tensor<1x?x2x4xf32>) outs(%e : tensor<1x2x?x4xf32>) permutation = [0, 2, 1, 3]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<1x2x1x4xf32>
  %init = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2x1x4xf32>) -> tensor<1x2x1x4xf32>
  %y = linalg.generic {indexing_maps = [#p, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %vt : tensor<1x2x1x?xf32>, tensor<1x2x?x4xf32>) outs(%init : tensor<1x2x1x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x1x4xf32>
  return %y : tensor<1x2x1x4xf32>
}

// -----

// Tests that a transpose of an argument that is not KV state, and one of
// the state that is also returned (not only read by generics), are kept.
// CHECK-LABEL: func.func @kept
// CHECK: linalg.transpose
// CHECK: linalg.transpose
func.func @kept(%x: tensor<1x3x2x4xf32> {graph.name = "x"},
                %state: tensor<1x24x2x4xf32> {graph.name = "aicc.kv_state:a:b"})
    -> (tensor<1x2x3x4xf32>, tensor<1x2x24x4xf32>) {
  %e = tensor.empty() : tensor<1x2x3x4xf32>
  %xt = linalg.transpose ins(%x : tensor<1x3x2x4xf32>) outs(%e : tensor<1x2x3x4xf32>) permutation = [0, 2, 1, 3]
  %e2 = tensor.empty() : tensor<1x2x24x4xf32>
  %st = linalg.transpose ins(%state : tensor<1x24x2x4xf32>) outs(%e2 : tensor<1x2x24x4xf32>) permutation = [0, 2, 1, 3]
  return %xt, %st : tensor<1x2x3x4xf32>, tensor<1x2x24x4xf32>
}

// -----

#q = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#k = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#o = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>

// Tests that with the paged layout (aicc.kv_block = 8 and a block table
// argument) Q·Kᵀ stops taking the state as an operand: its body reads the
// whole pool through the table, row table[j floordiv 8] * 8 + j mod 8 for
// position j (d3), still marked aicc.kv_dot; the placeholder slice is gone.
// CHECK-LABEL: func.func @paged_scores
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<1x2x1x16xf32>
// CHECK-SAME: %[[POOL:[a-z0-9]+]]: tensor<1x24x2x16xf32>
// CHECK-SAME: %[[TABLE:[a-z0-9]+]]: tensor<3xi32>
// CHECK-NOT: tensor.extract_slice
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[Q]] : tensor<1x2x1x16xf32>) outs(%{{.*}} : tensor<1x2x1x?xf32>)
// CHECK-SAME: attrs = {{ *}}{aicc.kv_dot}
// CHECK: ^bb0(%[[A:.*]]: f32, %[[C:.*]]: f32):
// CHECK-DAG: %[[B:.*]] = linalg.index 0
// CHECK-DAG: %[[H:.*]] = linalg.index 1
// CHECK-DAG: %[[J:.*]] = linalg.index 3
// CHECK-DAG: %[[K:.*]] = linalg.index 4
// CHECK: %[[LOGICAL:.*]] = affine.apply #{{.*}}(%[[J]])
// CHECK: %[[ENTRY:.*]] = tensor.extract %[[TABLE]][%[[LOGICAL]]] : tensor<3xi32>
// CHECK: %[[PHYS:.*]] = arith.index_cast %[[ENTRY]] : i32 to index
// CHECK: %[[ROW:.*]] = affine.apply #{{.*}}(%[[PHYS]], %[[J]])
// CHECK: %[[X:.*]] = tensor.extract %[[POOL]][%[[B]], %[[ROW]], %[[H]], %[[K]]] : tensor<1x24x2x16xf32>
// CHECK: arith.mulf %[[A]], %[[X]] : f32
func.func @paged_scores(%q: tensor<1x2x1x16xf32>,
                        %state: tensor<1x24x2x16xf32> {aicc.kv_block = 8 : i64, graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"},
                        %table: tensor<3xi32> {graph.name = "aicc.kv_table:past_key_values.0.key:present.0.key"},
                        %t: index) -> tensor<1x2x1x?xf32> {
  %slice = tensor.extract_slice %state[0, 0, 0, 0] [1, %t, 2, 16] [1, 1, 1, 1] : tensor<1x24x2x16xf32> to tensor<1x?x2x16xf32>
  %e = tensor.empty(%t) : tensor<1x2x16x?xf32>
  %kt = linalg.transpose ins(%slice : tensor<1x?x2x16xf32>) outs(%e : tensor<1x2x16x?xf32>) permutation = [0, 2, 3, 1]
  %zero = arith.constant 0.0 : f32
  %o = tensor.empty(%t) : tensor<1x2x1x?xf32>
  %init = linalg.fill ins(%zero : f32) outs(%o : tensor<1x2x1x?xf32>) -> tensor<1x2x1x?xf32>
  %s = linalg.generic {indexing_maps = [#q, #k, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kt : tensor<1x2x1x16xf32>, tensor<1x2x16x?xf32>) outs(%init : tensor<1x2x1x?xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<1x2x1x?xf32>
  return %s : tensor<1x2x1x?xf32>
}

// -----

// Tests that a read of a paged state that cannot go through the table (a
// transpose whose user is not a linalg.generic) is an error: the slice is
// only a placeholder for the logical prefix.
func.func @paged_unfoldable(%state: tensor<1x24x2x16xf32> {aicc.kv_block = 8 : i64, graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"},
                            %table: tensor<3xi32> {graph.name = "aicc.kv_table:past_key_values.0.key:present.0.key"},
                            %t: index) -> tensor<1x2x16x?xf32> {
  %slice = tensor.extract_slice %state[0, 0, 0, 0] [1, %t, 2, 16] [1, 1, 1, 1] : tensor<1x24x2x16xf32> to tensor<1x?x2x16xf32>
  %e = tensor.empty(%t) : tensor<1x2x16x?xf32>
  // expected-error @+1 {{reads the paged KV cache other than as a linalg.generic input}}
  %kt = linalg.transpose ins(%slice : tensor<1x?x2x16xf32>) outs(%e : tensor<1x2x16x?xf32>) permutation = [0, 2, 3, 1]
  return %kt : tensor<1x2x16x?xf32>
}
