// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Row groups of the fusion policy (functions with aicc.fuse_rows) with
// lane-split reductions: per row, a few partial results (one per SIMD
// lane) kept after the reduction loop, as the bit-exact LayerNorm lowering
// computes its statistics.

// Tests that a residual Add and the bit-exact LayerNormalization after it
// (its MLAS-like lowering: lane-split sums of the mean, [rows, k, lanes]
// with the lanes parallel after the reduction, the mean from the lanes,
// the lane-split variance reading the mean per row, the inverse standard
// deviation, the normalization) are one region: a lane-split reduction is
// a row reduction of the rows before its reduction loop.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]]:2 = exec.dispatch_region -> (tensor<1x8x64xf32>, tensor<1x8x64xf32>) {
// CHECK:     %[[ADD:.*]] = linalg.generic
// CHECK:     %[[X4:.*]] = tensor.expand_shape %[[ADD]] {{.*}} into tensor<1x8x16x4xf32>
// CHECK:     %[[SUMS:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}}ins(%[[X4]] :
// CHECK:     %[[MEAN:.*]] = linalg.generic {{.*}}ins(%[[SUMS]], %[[SUMS]], %[[SUMS]], %[[SUMS]] :
// CHECK:     %[[X8:.*]] = tensor.expand_shape %[[ADD]] {{.*}} into tensor<1x8x8x8xf32>
// CHECK:     %[[SQ:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}}ins(%[[X8]], %[[MEAN]] :
// CHECK:     %[[RSTD:.*]] = linalg.generic {{.*}}ins(%[[SQ]], {{.*}}, %[[MEAN]] :
// CHECK:     %[[Y:.*]] = linalg.generic {{.*}}ins(%[[ADD]], %[[MEAN]], %[[RSTD]], {{.*}} :
// CHECK:     exec.yield %[[ADD]], %[[Y]] :
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// CHECK:   return %[[R]]#1, %[[R]]#0
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Add_0", "LayerNormalization_1"])
#map = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#map1 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#map2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
#map3 = affine_map<(d0, d1) -> (d0, d1, 0)>
#map4 = affine_map<(d0, d1) -> (d0, d1, 1)>
#map5 = affine_map<(d0, d1) -> (d0, d1, 2)>
#map6 = affine_map<(d0, d1) -> (d0, d1, 3)>
#map7 = affine_map<(d0, d1) -> (d0, d1)>
#map8 = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
#map9 = affine_map<(d0, d1) -> (d0, d1, 4)>
#map10 = affine_map<(d0, d1) -> (d0, d1, 5)>
#map11 = affine_map<(d0, d1) -> (d0, d1, 6)>
#map12 = affine_map<(d0, d1) -> (d0, d1, 7)>
#map13 = affine_map<(d0, d1, d2) -> (d0, d1)>
#map14 = affine_map<(d0, d1, d2) -> (d2)>
func.func @main(%arg0: tensor<1x8x64xf32>, %arg1: tensor<1x8x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> (tensor<1x8x64xf32>, tensor<1x8x64xf32>) attributes {aicc.fuse_rows} {
  %cst = arith.constant 1.000000e+00 : f32
  %cst_0 = arith.constant 6.400000e+01 : f32
  %cst_1 = arith.constant 9.99999974E-6 : f32
  %cst_2 = arith.constant 0.000000e+00 : f32
  %cst_3 = arith.constant 6.400000e+01 : f64
  %cst_4 = arith.constant 0.000000e+00 : f64
  %2 = tensor.empty() : tensor<1x8x64xf32>
  %3 = linalg.generic {indexing_maps = [#map, #map, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%arg0, %arg1 : tensor<1x8x64xf32>, tensor<1x8x64xf32>) outs(%2 : tensor<1x8x64xf32>) {
  ^bb0(%in: f32, %in_6: f32, %out: f32):
    %14 = arith.addf %in, %in_6 : f32
    linalg.yield %14 : f32
  } -> tensor<1x8x64xf32> loc("Add_0")
  %4 = tensor.empty() : tensor<1x8x4xf64>
  %5 = linalg.fill ins(%cst_4 : f64) outs(%4 : tensor<1x8x4xf64>) -> tensor<1x8x4xf64> loc("LayerNormalization_1")
  %expanded = tensor.expand_shape %3 [[0], [1], [2, 3]] output_shape [1, 8, 16, 4] : tensor<1x8x64xf32> into tensor<1x8x16x4xf32> loc("LayerNormalization_1")
  %6 = linalg.generic {indexing_maps = [#map1, #map2], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%expanded : tensor<1x8x16x4xf32>) outs(%5 : tensor<1x8x4xf64>) {
  ^bb0(%in: f32, %out: f64):
    %14 = arith.extf %in : f32 to f64
    %15 = arith.addf %out, %14 : f64
    linalg.yield %15 : f64
  } -> tensor<1x8x4xf64> loc("LayerNormalization_1")
  %7 = tensor.empty() : tensor<1x8xf32>
  %8 = linalg.generic {indexing_maps = [#map3, #map4, #map5, #map6, #map7], iterator_types = ["parallel", "parallel"]} ins(%6, %6, %6, %6 : tensor<1x8x4xf64>, tensor<1x8x4xf64>, tensor<1x8x4xf64>, tensor<1x8x4xf64>) outs(%7 : tensor<1x8xf32>) {
  ^bb0(%in: f64, %in_6: f64, %in_7: f64, %in_8: f64, %out: f32):
    %14 = arith.addf %in, %in_7 : f64
    %15 = arith.addf %in_6, %in_8 : f64
    %16 = arith.addf %14, %15 : f64
    %17 = arith.divf %16, %cst_3 : f64
    %21 = arith.truncf %17 : f64 to f32
    linalg.yield %21 : f32
  } -> tensor<1x8xf32> loc("LayerNormalization_1")
  %9 = tensor.empty() : tensor<1x8x8xf32>
  %10 = linalg.fill ins(%cst_2 : f32) outs(%9 : tensor<1x8x8xf32>) -> tensor<1x8x8xf32> loc("LayerNormalization_1")
  %expanded_5 = tensor.expand_shape %3 [[0], [1], [2, 3]] output_shape [1, 8, 8, 8] : tensor<1x8x64xf32> into tensor<1x8x8x8xf32> loc("LayerNormalization_1")
  %11 = linalg.generic {indexing_maps = [#map1, #map8, #map2], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%expanded_5, %8 : tensor<1x8x8x8xf32>, tensor<1x8xf32>) outs(%10 : tensor<1x8x8xf32>) {
  ^bb0(%in: f32, %in_6: f32, %out: f32):
    %14 = arith.subf %in, %in_6 : f32
    %15 = math.fma %14, %14, %out : f32
    linalg.yield %15 : f32
  } -> tensor<1x8x8xf32> loc("LayerNormalization_1")
  %12 = linalg.generic {indexing_maps = [#map3, #map4, #map5, #map6, #map9, #map10, #map11, #map12, #map7, #map7], iterator_types = ["parallel", "parallel"]} ins(%11, %11, %11, %11, %11, %11, %11, %11, %8 : tensor<1x8x8xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>, tensor<1x8x8xf32>, tensor<1x8xf32>) outs(%7 : tensor<1x8xf32>) {
  ^bb0(%in: f32, %in_6: f32, %in_7: f32, %in_8: f32, %in_9: f32, %in_10: f32, %in_11: f32, %in_12: f32, %in_13: f32, %out: f32):
    %14 = arith.addf %in, %in_9 : f32
    %15 = arith.addf %in_6, %in_10 : f32
    %16 = arith.addf %in_7, %in_11 : f32
    %17 = arith.addf %in_8, %in_12 : f32
    %18 = arith.addf %14, %16 : f32
    %19 = arith.addf %15, %17 : f32
    %20 = arith.addf %18, %19 : f32
    %21 = arith.divf %20, %cst_0 : f32
    %22 = arith.addf %21, %cst_1 : f32
    %23 = math.sqrt %22 : f32
    %24 = arith.divf %cst, %23 : f32
    linalg.yield %24 : f32
  } -> tensor<1x8xf32> loc("LayerNormalization_1")
  %13 = linalg.generic {indexing_maps = [#map, #map13, #map13, #map14, #map14, #map], iterator_types = ["parallel", "parallel", "parallel"]} ins(%3, %8, %12, %g, %b : tensor<1x8x64xf32>, tensor<1x8xf32>, tensor<1x8xf32>, tensor<64xf32>, tensor<64xf32>) outs(%2 : tensor<1x8x64xf32>) {
  ^bb0(%in: f32, %in_6: f32, %in_7: f32, %in_8: f32, %in_9: f32, %out: f32):
    %14 = arith.subf %in, %in_6 : f32
    %15 = arith.mulf %14, %in_7 : f32
    %16 = math.fma %15, %in_8, %in_9 : f32
    linalg.yield %16 : f32
  } -> tensor<1x8x64xf32> loc("LayerNormalization_1")
  return %13, %3 : tensor<1x8x64xf32>, tensor<1x8x64xf32>
}

// -----

// Tests that a reduction over a middle dim with a wide dim after it
// ([rows, k, 32]: more partial results per row than one vector) is no row
// reduction: the op subtracting it from its input per row keeps a region
// of its own (with 16 after it, one region: the next case).

// CHECK-LABEL: func.func @main
// CHECK-COUNT-2: exec.dispatch_region
// CHECK-NOT: exec.dispatch_region
// CHECK: return
// LOC-LABEL: func.func @main
// LOC: } loc("ReduceSum_0")
// LOC: } loc("Sub_1")
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#out3 = affine_map<(d0, d1, d2) -> (d0, d2)>
func.func @main(%x: tensor<8x4x32xf32>) -> tensor<8x4x32xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4x32xf32>
  %er = tensor.empty() : tensor<8x32xf32>
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<8x32xf32>) -> tensor<8x32xf32>
  %s = linalg.generic {indexing_maps = [#id3, #out3], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<8x4x32xf32>) outs(%f : tensor<8x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<8x32xf32> loc("ReduceSum_0")
  %y = linalg.generic {indexing_maps = [#id3, #out3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<8x4x32xf32>, tensor<8x32xf32>) outs(%e : tensor<8x4x32xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<8x4x32xf32> loc("Sub_1")
  return %y : tensor<8x4x32xf32>
}

// -----

// Tests that with 16 partial results per row (one vector of lanes) the
// same reduction is a lane-split row reduction and the Sub joins it.

// CHECK-LABEL: func.func @main
// CHECK:   exec.dispatch_region
// CHECK:     linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK-NOT: exec.dispatch_region
// CHECK: return
// LOC-LABEL: func.func @main
// LOC: } loc(fused["ReduceSum_0", "Sub_1"])
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#out3 = affine_map<(d0, d1, d2) -> (d0, d2)>
func.func @main(%x: tensor<8x4x16xf32>) -> tensor<8x4x16xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4x16xf32>
  %er = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<8x16xf32>) -> tensor<8x16xf32>
  %s = linalg.generic {indexing_maps = [#id3, #out3], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : tensor<8x4x16xf32>) outs(%f : tensor<8x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<8x16xf32> loc("ReduceSum_0")
  %y = linalg.generic {indexing_maps = [#id3, #out3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %s : tensor<8x4x16xf32>, tensor<8x16xf32>) outs(%e : tensor<8x4x16xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<8x4x16xf32> loc("Sub_1")
  return %y : tensor<8x4x16xf32>
}
