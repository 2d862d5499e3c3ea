// RUN: aicc-opt %s -split-input-file --aicc-avx512-pack-weights | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-avx512-pack-weights="amx=true" | FileCheck %s --check-prefix=AMX

// Tests that a constant read by two matmuls that pack it alike (panels of
// 48 columns) becomes one packed constant both read, not one copy per
// matmul (each copy would be a constant of the artifact).
// CHECK-LABEL: func @same_packing
// CHECK: %[[W:.*]] = graph.constant dense_resource<w.packed> : tensor<2x2x48xf32>
// CHECK-NOT: graph.constant dense_resource
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %[[W]] :
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %[[W]] :
func.func @same_packing(%a: tensor<8x2xf32>, %b: tensor<8x2xf32>) -> (tensor<8x96xf32>, tensor<8x96xf32>) {
  %w = graph.constant dense_resource<w> : tensor<2x96xf32> loc("w")
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x96xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x96xf32>) -> tensor<8x96xf32>
  %y0 = linalg.matmul ins(%a, %w : tensor<8x2xf32>, tensor<2x96xf32>) outs(%f : tensor<8x96xf32>) -> tensor<8x96xf32>
  %y1 = linalg.matmul ins(%b, %w : tensor<8x2xf32>, tensor<2x96xf32>) outs(%f : tensor<8x96xf32>) -> tensor<8x96xf32>
  return %y0, %y1 : tensor<8x96xf32>, tensor<8x96xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000000000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F84100000042000004420000084200000C4200001042000014420000184200001C4200002042000024420000284200002C4200003042000034420000384200003C4200004042000044420000484200004C4200005042000054420000584200005C4200006042000064420000684200006C4200007042000074420000784200007C42000080420000824200008442000086420000884200008A4200008C4200008E42000090420000924200009442000096420000984200009A4200009C4200009E420000A0420000A2420000A4420000A6420000A8420000AA420000AC420000AE420000B0420000B2420000B4420000B6420000B8420000BA420000BC420000BE420000C0420000C2420000C4420000C6420000C8420000CA420000CC420000CE420000D0420000D2420000D4420000D6420000D8420000DA420000DC420000DE420000E0420000E2420000E4420000E6420000E8420000EA420000EC420000EE420000F0420000F2420000F4420000F6420000F8420000FA420000FC420000FE420000004300000143000002430000034300000443000005430000064300000743000008430000094300000A4300000B4300000C4300000D4300000E4300000F430000104300001143000012430000134300001443000015430000164300001743000018430000194300001A4300001B4300001C4300001D4300001E4300001F430000204300002143000022430000234300002443000025430000264300002743000028430000294300002A4300002B4300002C4300002D4300002E4300002F430000304300003143000032430000334300003443000035430000364300003743000038430000394300003A4300003B4300003C4300003D4300003E4300003F43"
    }
  }
#-}

// -----

// Tests that a constant two matmuls pack differently (panels of 48 columns
// for 8 rows, of 64 for one row) keeps one packed copy per packing.
// CHECK-LABEL: func @different_packings
// CHECK-DAG: graph.constant dense_resource<{{.*}}> : tensor<2x2x48xf32>
// CHECK-DAG: graph.constant dense_resource<{{.*}}> : tensor<2x2x64xf32>
func.func @different_packings(%a: tensor<8x2xf32>, %b: tensor<1x2xf32>) -> (tensor<8x96xf32>, tensor<1x96xf32>) {
  %w = graph.constant dense_resource<w> : tensor<2x96xf32> loc("w")
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x96xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x96xf32>) -> tensor<8x96xf32>
  %e1 = tensor.empty() : tensor<1x96xf32>
  %f1 = linalg.fill ins(%z : f32) outs(%e1 : tensor<1x96xf32>) -> tensor<1x96xf32>
  %y0 = linalg.matmul ins(%a, %w : tensor<8x2xf32>, tensor<2x96xf32>) outs(%f : tensor<8x96xf32>) -> tensor<8x96xf32>
  %y1 = linalg.matmul ins(%b, %w : tensor<1x2xf32>, tensor<2x96xf32>) outs(%f1 : tensor<1x96xf32>) -> tensor<1x96xf32>
  return %y0, %y1 : tensor<8x96xf32>, tensor<1x96xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x04000000000000000000803F0000004000004040000080400000A0400000C0400000E0400000004100001041000020410000304100004041000050410000604100007041000080410000884100009041000098410000A0410000A8410000B0410000B8410000C0410000C8410000D0410000D8410000E0410000E8410000F0410000F84100000042000004420000084200000C4200001042000014420000184200001C4200002042000024420000284200002C4200003042000034420000384200003C4200004042000044420000484200004C4200005042000054420000584200005C4200006042000064420000684200006C4200007042000074420000784200007C42000080420000824200008442000086420000884200008A4200008C4200008E42000090420000924200009442000096420000984200009A4200009C4200009E420000A0420000A2420000A4420000A6420000A8420000AA420000AC420000AE420000B0420000B2420000B4420000B6420000B8420000BA420000BC420000BE420000C0420000C2420000C4420000C6420000C8420000CA420000CC420000CE420000D0420000D2420000D4420000D6420000D8420000DA420000DC420000DE420000E0420000E2420000E4420000E6420000E8420000EA420000EC420000EE420000F0420000F2420000F4420000F6420000F8420000FA420000FC420000FE420000004300000143000002430000034300000443000005430000064300000743000008430000094300000A4300000B4300000C4300000D4300000E4300000F430000104300001143000012430000134300001443000015430000164300001743000018430000194300001A4300001B4300001C4300001D4300001E4300001F430000204300002143000022430000234300002443000025430000264300002743000028430000294300002A4300002B4300002C4300002D4300002E4300002F430000304300003143000032430000334300003443000035430000364300003743000038430000394300003A4300003B4300003C4300003D4300003E4300003F43"
    }
  }
#-}

// -----

// Tests that a constant read by two 8-bit convs AMX computes becomes one
// constant in the AMX layout both read (the AMX packing makes a new
// dense_resource even of a splat).
// AMX-LABEL: func @amx_convs
// AMX: %[[W:.*]] = graph.constant dense_resource<w.amx> : tensor<32x3x3x16x4xi8>
// AMX-NOT: graph.constant dense_resource
// AMX: linalg.generic
// AMX-SAME: ins(%{{.*}}, %[[W]] :
// AMX: linalg.generic
// AMX-SAME: ins(%{{.*}}, %[[W]] :
func.func @amx_convs(%x0: tensor<1x16x4x10x10xui8>, %x1: tensor<1x16x4x10x10xui8>) -> (tensor<1x32x8x8xi32>, tensor<1x32x8x8xi32>) {
  %w = graph.constant dense<3> : tensor<32x16x4x3x3xi8> loc("w")
  %c0 = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x32x8x8xi32>
  %f = linalg.fill ins(%c0 : i32) outs(%e : tensor<1x32x8x8xi32>) -> tensor<1x32x8x8xi32>
  %y0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x0, %w : tensor<1x16x4x10x10xui8>, tensor<32x16x4x3x3xi8>) outs(%f : tensor<1x32x8x8xi32>) {
  ^bb0(%a: ui8, %b: i8, %acc: i32):
    %a8 = builtin.unrealized_conversion_cast %a : ui8 to i8
    %a32 = arith.extui %a8 : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %m = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<1x32x8x8xi32>
  %y1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d4, d7, d2 + d5, d3 + d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d4, d7, d5, d6)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%x1, %w : tensor<1x16x4x10x10xui8>, tensor<32x16x4x3x3xi8>) outs(%f : tensor<1x32x8x8xi32>) {
  ^bb0(%a: ui8, %b: i8, %acc: i32):
    %a8 = builtin.unrealized_conversion_cast %a : ui8 to i8
    %a32 = arith.extui %a8 : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %m = arith.muli %a32, %b32 : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  } -> tensor<1x32x8x8xi32>
  return %y0, %y1 : tensor<1x32x8x8xi32>, tensor<1x32x8x8xi32>
}
