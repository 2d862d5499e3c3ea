// RUN: aicc-opt %s -split-input-file --aicc-avx512-pack-weights="amx=true" | FileCheck %s

// Tests that an 8-bit 3x3 conv (u8 activations, s8 weights, the dot-product
// form of LowerQuantOps) gets its weights in the AMX layout
// [F][Kh][Kw][C/4][4], with the map reading (f, kh, kw, c/4, c%4).
// CHECK-DAG: #[[$AMX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d4, d7)>
// CHECK-LABEL: func @amx_conv
func.func @amx_conv(%x: tensor<1x16x4x10x10xui8>) -> tensor<1x32x8x8xi32> {
  // CHECK: %[[W:.*]] = graph.constant dense_resource<w.amx> : tensor<32x3x3x16x4xi8>
  // CHECK: linalg.generic
  // CHECK-SAME: #[[$AMX]]
  // CHECK-SAME: ins(%{{.*}}, %[[W]] :
  %w = graph.constant dense<3> : tensor<32x16x4x3x3xi8> loc("w")
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x32x8x8xi32>
  %f = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x32x8x8xi32>) -> tensor<1x32x8x8xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x16x4x10x10xui8>, tensor<32x16x4x3x3xi8>) outs(%f : tensor<1x32x8x8xi32>) {
  ^bb0(%a: ui8, %b: i8, %acc: i32):
    %a8 = builtin.unrealized_conversion_cast %a : ui8 to i8
    %a32 = arith.extui %a8 : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %m = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<1x32x8x8xi32>
  return %y : tensor<1x32x8x8xi32>
}

// -----

// Tests that a 3x3 conv of stride 2 (stride x stride phase planes in the
// kernel) gets its weights in the AMX layout.
// CHECK-LABEL: func @strided_conv
func.func @strided_conv(%x: tensor<1x16x4x17x17xui8>) -> tensor<1x32x8x8xi32> {
  // CHECK: %[[W:.*]] = graph.constant dense_resource<w.amx> : tensor<32x3x3x16x4xi8>
  // CHECK: linalg.generic
  // CHECK-SAME: #[[$AMX]]
  // CHECK-SAME: ins(%{{.*}}, %[[W]] :
  %w = graph.constant dense<3> : tensor<32x16x4x3x3xi8> loc("w")
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x32x8x8xi32>
  %f = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x32x8x8xi32>) -> tensor<1x32x8x8xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 * 2 + d5, d3 * 2 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x16x4x17x17xui8>, tensor<32x16x4x3x3xi8>) outs(%f : tensor<1x32x8x8xi32>) {
  ^bb0(%a: ui8, %b: i8, %acc: i32):
    %a8 = builtin.unrealized_conversion_cast %a : ui8 to i8
    %a32 = arith.extui %a8 : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %m = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<1x32x8x8xi32>
  return %y : tensor<1x32x8x8xi32>
}

// -----

// Tests that a strided 3x3 conv of 32 input channels (neither whole 64-byte
// tiles nor at most 4 channels) keeps the VNNI packing.
// CHECK-LABEL: func @strided_conv_32_channels
func.func @strided_conv_32_channels(%x: tensor<1x8x4x17x17xui8>) -> tensor<1x32x8x8xi32> {
  // CHECK-NOT: amx
  // CHECK: linalg.generic
  %w = graph.constant dense<3> : tensor<32x8x4x3x3xi8> loc("w")
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x32x8x8xi32>
  %f = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x32x8x8xi32>) -> tensor<1x32x8x8xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 * 2 + d5, d3 * 2 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x4x17x17xui8>, tensor<32x8x4x3x3xi8>) outs(%f : tensor<1x32x8x8xi32>) {
  ^bb0(%a: ui8, %b: i8, %acc: i32):
    %a8 = builtin.unrealized_conversion_cast %a : ui8 to i8
    %a32 = arith.extui %a8 : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %m = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<1x32x8x8xi32>
  return %y : tensor<1x32x8x8xi32>
}

// -----

// Tests that a stem conv (7x7 stride 2 of 3 channels padded to one group of
// 4) gets the AMX layout with its single channel group unpadded: the kernel
// folds the taps of a row into K and pads each tap row itself.
// CHECK-LABEL: func @stem_conv
func.func @stem_conv(%x: tensor<1x1x4x37x37xui8>) -> tensor<1x16x16x16xi32> {
  // CHECK: %[[W:.*]] = graph.constant dense_resource<w.amx> : tensor<16x7x7x1x4xi8>
  // CHECK: linalg.generic
  // CHECK-SAME: #[[$AMX]]
  // CHECK-SAME: ins(%{{.*}}, %[[W]] :
  %w = graph.constant dense<3> : tensor<16x1x4x7x7xi8> loc("w")
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x16x16x16xi32>
  %f = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x16x16x16xi32>) -> tensor<1x16x16x16xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 * 2 + d5, d3 * 2 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x1x4x37x37xui8>, tensor<16x1x4x7x7xi8>) outs(%f : tensor<1x16x16x16xi32>) {
  ^bb0(%a: ui8, %b: i8, %acc: i32):
    %a8 = builtin.unrealized_conversion_cast %a : ui8 to i8
    %a32 = arith.extui %a8 : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %m = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<1x16x16x16xi32>
  return %y : tensor<1x16x16x16xi32>
}

// -----

// Tests that a conv of 20 output channels keeps the VNNI packing.
// CHECK-LABEL: func @narrow_conv
func.func @narrow_conv(%x: tensor<1x8x4x10x10xui8>) -> tensor<1x20x8x8xi32> {
  // CHECK-NOT: amx
  // CHECK: linalg.generic
  %w = graph.constant dense<3> : tensor<20x8x4x3x3xi8> loc("w")
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x20x8x8xi32>
  %f = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x20x8x8xi32>) -> tensor<1x20x8x8xi32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<1x8x4x10x10xui8>, tensor<20x8x4x3x3xi8>) outs(%f : tensor<1x20x8x8xi32>) {
  ^bb0(%a: ui8, %b: i8, %acc: i32):
    %a8 = builtin.unrealized_conversion_cast %a : ui8 to i8
    %a32 = arith.extui %a8 : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %m = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<1x20x8x8xi32>
  return %y : tensor<1x20x8x8xi32>
}
