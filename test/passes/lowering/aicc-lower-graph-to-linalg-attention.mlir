// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that grouped-query Attention repeats the kv heads, masks causally
// with a select of -inf, scales Q and K by sqrt(scale) in the QK
// contraction, and zeroes fully masked rows.
// CHECK-LABEL: func @attention_gqa_causal
func.func @attention_gqa_causal(%q: tensor<1x4x3x8xf32>, %k: tensor<1x2x3x8xf32>, %v: tensor<1x2x3x8xf32>) -> tensor<1x4x3x8xf32> {
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x2x3x8xf32> into tensor<1x4x3x8xf32>
  // CHECK: arith.cmpi sle
  // CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : f32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
  // CHECK: arith.mulf
  // CHECK: arith.mulf
  // CHECK: math.exp
  // CHECK: math.isinf
  // CHECK-NOT: graph.
  %y, %pk, %pv, %qk = graph.Attention %q, %k, %v {is_causal = 1 : i64} : (tensor<1x4x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>) -> (tensor<1x4x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x2x3x8xf32>, tensor<1x4x3x3xf32>)
  return %y : tensor<1x4x3x8xf32>
}
