// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that RotaryEmbedding with position ids is one parallel generic over
// the input: it reads the element and its pair partner (d +- R/2), gathers
// cos/sin at the clamped position id, and selects the first or second
// rotation formula.
// CHECK-LABEL: func.func @rotary_halves
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: tensor.extract %{{.*}} : tensor<1x2x3x8xf32>
// CHECK: arith.cmpi slt
// CHECK: tensor.extract %{{.*}} : tensor<1x2x3x8xf32>
// CHECK: tensor.extract %{{.*}} : tensor<1x3xi64>
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.*}} : tensor<16x4xf32>
// CHECK: tensor.extract %{{.*}} : tensor<16x4xf32>
// CHECK: arith.subf
// CHECK: arith.addf
// CHECK: arith.select
func.func @rotary_halves(%x: tensor<1x2x3x8xf32>, %c: tensor<16x4xf32>, %s: tensor<16x4xf32>, %p: tensor<1x3xi64>) -> tensor<1x2x3x8xf32> {
  %0 = graph.RotaryEmbedding %x, %c, %s, %p : (tensor<1x2x3x8xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<1x3xi64>) -> tensor<1x2x3x8xf32>
  return %0 : tensor<1x2x3x8xf32>
}

// -----

// Tests that interleaved RotaryEmbedding of a rank-3 input with a partial
// rotary dim pairs neighbours (parity of d) and reads the B x S x R/2 cache
// without position ids.
// CHECK-LABEL: func.func @rotary_interleaved
// CHECK: linalg.generic
// CHECK: arith.remsi
// CHECK: arith.divsi
// CHECK: tensor.extract %{{.*}} : tensor<1x3x2xf32>
func.func @rotary_interleaved(%x: tensor<1x3x16xf32>, %c: tensor<1x3x2xf32>, %s: tensor<1x3x2xf32>) -> tensor<1x3x16xf32> {
  %0 = graph.RotaryEmbedding %x, %c, %s {interleaved = 1 : i64, num_heads = 2 : i64, rotary_embedding_dim = 4 : i64} : (tensor<1x3x16xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> tensor<1x3x16xf32>
  return %0 : tensor<1x3x16xf32>
}
