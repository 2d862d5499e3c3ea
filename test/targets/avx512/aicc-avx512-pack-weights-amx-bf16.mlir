// RUN: aicc-opt %s -split-input-file --aicc-avx512-pack-weights="amx=true" | FileCheck %s

// Tests that a bf16 matmul in the dot-product form of LowPrecisionKernels
// ([M][K/2][2] x [K/2][2][N]) gets its weights in AMX's VNNI-2 layout by
// blocks of 16 columns, [N/16][K/2][16][2] (element (q, j, n) moved to
// (n/16, q, n%16, j)), read through (n floordiv 16, k/2, n mod 16, pair).
// CHECK-DAG: #[[$VNNI:.*]] = affine_map<(d0, d1, d2, d3) -> (d1 floordiv 16, d2, d1 mod 16, d3)>
// CHECK-LABEL: func @amx_matmul
func.func @amx_matmul(%x: tensor<20x16x2xbf16>) -> tensor<20x32xf32> {
  // CHECK: %[[W:.*]] = graph.constant dense_resource<w.amx> : tensor<2x16x16x2xbf16>
  // CHECK: linalg.generic
  // CHECK-SAME: #[[$VNNI]]
  // CHECK-SAME: ins(%{{.*}}, %[[W]] :
  %w = graph.constant dense<1.0> : tensor<16x2x32xbf16> loc("w")
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<20x32xf32>
  %f = linalg.fill ins(%c0 : f32) outs(%e : tensor<20x32xf32>) -> tensor<20x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : tensor<20x16x2xbf16>, tensor<16x2x32xbf16>) outs(%f : tensor<20x32xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %m = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<20x32xf32>
  return %y : tensor<20x32xf32>
}

// -----

// Tests that a bf16 3x3 conv accumulating onto a broadcast bias gets its
// weights in the AMX layout [F][Kh][Kw][C/2][2], accumulates from zero, and
// adds the bias (read through the broadcast's map) in an elementwise op
// after it; the broadcast is gone.
// CHECK-DAG: #[[$AMXC:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d4, d7)>
// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @amx_conv_bias
func.func @amx_conv_bias(%x: tensor<1x16x2x10x10xbf16>, %bias: tensor<16xf32>) -> tensor<1x16x8x8xf32> {
  // CHECK: %[[W:.*]] = graph.constant dense_resource<w.amx> : tensor<16x3x3x16x2xbf16>
  // CHECK: %[[ZERO:.*]] = linalg.fill
  // CHECK: %[[ACC:.*]] = linalg.generic
  // CHECK-SAME: #[[$AMXC]]
  // CHECK-SAME: ins(%{{.*}}, %[[W]] :
  // CHECK-SAME: outs(%[[ZERO]] :
  // CHECK: %[[SUM:.*]] = linalg.generic
  // CHECK-SAME: #[[$BIAS]]
  // CHECK-SAME: ins(%[[ACC]], %{{.*}} : tensor<1x16x8x8xf32>, tensor<16xf32>)
  // CHECK: arith.addf
  // CHECK-NOT: linalg.generic
  // CHECK: return %[[SUM]]
  %w = graph.constant dense<1.0> : tensor<16x16x2x3x3xbf16> loc("w")
  %e = tensor.empty() : tensor<1x16x8x8xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%bias : tensor<16xf32>) outs(%e : tensor<1x16x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x16x8x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x16x2x10x10xbf16>, tensor<16x16x2x3x3xbf16>) outs(%b : tensor<1x16x8x8xf32>) {
  ^bb0(%a: bf16, %c: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %c32 = arith.extf %c : bf16 to f32
    %m = arith.mulf %a32, %c32 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x16x8x8xf32>
  return %y : tensor<1x16x8x8xf32>
}

// -----

// Tests that a bf16 matmul with N not a multiple of 16 (no whole AMX
// tiles) keeps the vdpbf16ps packing.
// CHECK-LABEL: func @odd_matmul
func.func @odd_matmul(%x: tensor<20x16x2xbf16>) -> tensor<20x24xf32> {
  // CHECK-NOT: amx
  // CHECK: linalg.generic
  %w = graph.constant dense<1.0> : tensor<16x2x24xbf16> loc("w")
  %c0 = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<20x24xf32>
  %f = linalg.fill ins(%c0 : f32) outs(%e : tensor<20x24xf32>) -> tensor<20x24xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%x, %w : tensor<20x16x2xbf16>, tensor<16x2x24xbf16>) outs(%f : tensor<20x24xf32>) {
  ^bb0(%a: bf16, %b: bf16, %acc: f32):
    %a32 = arith.extf %a : bf16 to f32
    %b32 = arith.extf %b : bf16 to f32
    %m = arith.mulf %a32, %b32 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<20x24xf32>
  return %y : tensor<20x24xf32>
}
