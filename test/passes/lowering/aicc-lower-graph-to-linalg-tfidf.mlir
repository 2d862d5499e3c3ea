// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that TfIdfVectorizer counts n-grams in one generic over rows x
// columns x skips x starts (the last two reductions) against constant
// tables of each column's n-gram (padded to max_gram_length) and length,
// then applies the TFIDF weights.
// CHECK-LABEL: func.func @tfidf
// CHECK-DAG: graph.constant dense<{{\[\[}}2, 0], [3, 0], [5, 6], [6, 7]]> : tensor<4x2xi64>
// CHECK-DAG: graph.constant dense<[1, 1, 2, 2]> : tensor<4xi64>
// CHECK-DAG: graph.constant dense<[1, 2, 3]> : tensor<3xi64>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: tensor.extract %{{.*}} : tensor<4xi64>
// CHECK-COUNT-2: tensor.extract %{{.*}} : tensor<4x2xi64>
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @tfidf(%x: tensor<2x6xi32>) -> tensor<2x4xf32> {
  %0 = graph.TfIdfVectorizer %x {max_gram_length = 2 : i64, max_skip_count = 2 : i64, min_gram_length = 1 : i64, mode = "TFIDF", ngram_counts = array<i64: 0, 2>, ngram_indexes = array<i64: 0, 1, 2, 3>, pool_int64s = array<i64: 2, 3, 5, 6, 6, 7>, weights = array<f32: 1.0, 2.0, 3.0, 4.0>} : (tensor<2x6xi32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
