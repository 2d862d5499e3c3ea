// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Row groups of the fusion policy (functions with aicc.fuse_rows): a
// reduction over the innermost dims with the ops around it.

// Tests that an attention softmax (scale, mask, then the lowered Softmax:
// max, subtract, exp-sum, divide) is one region: the max reduction joins
// the elementwise group before it, the ops reading its per-row result
// through a broadcast and the second reduction of the same rows follow.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<2x8x64xf32>) {
// CHECK-COUNT-2: linalg.generic
// CHECK:     %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:     %[[SUB:.*]] = linalg.generic {{.*}}ins({{.*}}%[[MAX]] :
// CHECK:     %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}ins(%[[SUB]] :
// CHECK:     %[[DIV:.*]] = linalg.generic {{.*}}ins(%[[SUB]], %[[SUM]] :
// CHECK:     exec.yield %[[DIV]] : tensor<2x8x64xf32>
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// CHECK:   return %[[R]]
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Div_0", "Add_1", "Softmax_2"])
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rows3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#inner3 = affine_map<(d0, d1, d2) -> (d2)>
func.func @main(%x: tensor<2x8x64xf32>, %mask: tensor<64xf32>) -> tensor<2x8x64xf32> attributes {aicc.fuse_rows} {
  %c8 = arith.constant 8.0 : f32
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2x8x64xf32>
  %er = tensor.empty() : tensor<2x8xf32>
  %a = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x8x64xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.divf %in, %c8 : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Div_0")
  %b = linalg.generic {indexing_maps = [#id3, #inner3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a, %mask : tensor<2x8x64xf32>, tensor<64xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.addf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Add_1")
  %fmax = linalg.fill ins(%ninf : f32) outs(%er : tensor<2x8xf32>) -> tensor<2x8xf32> loc("Softmax_2")
  %max = linalg.generic {indexing_maps = [#id3, #rows3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%b : tensor<2x8x64xf32>) outs(%fmax : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("Softmax_2")
  %sub = linalg.generic {indexing_maps = [#id3, #rows3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b, %max : tensor<2x8x64xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Softmax_2")
  %fsum = linalg.fill ins(%zero : f32) outs(%er : tensor<2x8xf32>) -> tensor<2x8xf32> loc("Softmax_2")
  %sum = linalg.generic {indexing_maps = [#id3, #rows3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%sub : tensor<2x8x64xf32>) outs(%fsum : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %x1 = math.exp %in : f32
    %v = arith.addf %out, %x1 : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("Softmax_2")
  %div = linalg.generic {indexing_maps = [#id3, #rows3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub, %sum : tensor<2x8x64xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %x1 = math.exp %in : f32
    %v = arith.divf %x1, %s : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Softmax_2")
  return %div : tensor<2x8x64xf32>
}

// -----

// Tests that a residual Add and the LayerNormalization after it (its
// lowered form: mean, variance reading the mean per row, the inverse
// standard deviation on the row results, the normalization with scale and
// bias) are one region, and that the Add's result, also returned, is a
// second result of the region.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]]:2 = exec.dispatch_region -> (tensor<2x8x64xf32>, tensor<2x8x64xf32>) {
// CHECK:     %[[ADD:.*]] = linalg.add
// CHECK:     %[[MEAN:.*]] = linalg.generic {{.*}}"reduction"]{{.*}}ins(%[[ADD]] :
// CHECK:     %[[MEANS:.*]] = linalg.generic {{.*}}ins(%[[MEAN]] :
// CHECK:     %[[VAR:.*]] = linalg.generic {{.*}}"reduction"]{{.*}}ins(%[[ADD]], %[[MEANS]] :
// CHECK:     %[[RSTD:.*]] = linalg.generic {{.*}}ins(%[[VAR]] :
// CHECK:     %[[NORM:.*]] = linalg.generic {{.*}}ins(%[[ADD]], %[[MEANS]], %[[RSTD]], {{.*}} :
// CHECK:     exec.yield %[[ADD]], %[[NORM]] :
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// CHECK:   return %[[R]]#1, %[[R]]#0
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Add_0", "LayerNormalization_1"])
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rows3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#inner3 = affine_map<(d0, d1, d2) -> (d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<2x8x64xf32>, %r: tensor<2x8x64xf32>, %g: tensor<64xf32>, %bias: tensor<64xf32>) -> (tensor<2x8x64xf32>, tensor<2x8x64xf32>) attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 64.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<2x8x64xf32>
  %er = tensor.empty() : tensor<2x8xf32>
  %add = linalg.add ins(%x, %r : tensor<2x8x64xf32>, tensor<2x8x64xf32>) outs(%e : tensor<2x8x64xf32>) -> tensor<2x8x64xf32> loc("Add_0")
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<2x8xf32>) -> tensor<2x8xf32> loc("LayerNormalization_1")
  %sum = linalg.generic {indexing_maps = [#id3, #rows3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%add : tensor<2x8x64xf32>) outs(%f : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("LayerNormalization_1")
  %mean = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<2x8xf32>) outs(%er : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.divf %in, %n : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("LayerNormalization_1")
  %var = linalg.generic {indexing_maps = [#id3, #rows3, #rows3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%add, %mean : tensor<2x8x64xf32>, tensor<2x8xf32>) outs(%f : tensor<2x8xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %v = arith.addf %out, %d2 : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("LayerNormalization_1")
  %rstd = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%var : tensor<2x8xf32>) outs(%er : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v0 = arith.divf %in, %n : f32
    %v1 = arith.addf %v0, %eps : f32
    %v2 = math.sqrt %v1 : f32
    %v = arith.divf %one, %v2 : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("LayerNormalization_1")
  %norm = linalg.generic {indexing_maps = [#id3, #rows3, #rows3, #inner3, #inner3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%add, %mean, %rstd, %g, %bias : tensor<2x8x64xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<64xf32>, tensor<64xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %m: f32, %s: f32, %gg: f32, %bb: f32, %out: f32):
    %v0 = arith.subf %in, %m : f32
    %v1 = arith.mulf %v0, %s : f32
    %v2 = arith.mulf %v1, %gg : f32
    %v = arith.addf %v2, %bb : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("LayerNormalization_1")
  return %norm, %add : tensor<2x8x64xf32>, tensor<2x8x64xf32>
}

// -----

// Tests that the decomposed LayerNorm PyTorch exports (ReduceMean, Sub,
// Pow, ReduceMean, Add, Sqrt, Div, Mul, Add) is one region, with the
// reshapes that add and drop the kept unit dim (the reduced rows stay the
// rows), and that Sub's result, read by Pow and by Div, stays inside.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<2x8x64xf32>) {
// CHECK:     tensor.expand_shape
// CHECK:     tensor.collapse_shape
// CHECK:     exec.yield %{{.*}} : tensor<2x8x64xf32>
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// CHECK:   return %[[R]]
// LOC-LABEL: func.func @main
// LOC: } loc(fused["ReduceMean_0", "Sub_1", "Pow_2", "ReduceMean_3", "Add_4", "Sqrt_5", "Div_6", "Mul_7", "Add_8"])
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rows3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#inner3 = affine_map<(d0, d1, d2) -> (d2)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<2x8x64xf32>, %g: tensor<64xf32>, %bias: tensor<64xf32>) -> tensor<2x8x64xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 64.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e = tensor.empty() : tensor<2x8x64xf32>
  %er = tensor.empty() : tensor<2x8xf32>
  %e1 = tensor.empty() : tensor<2x8x1xf32>
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<2x8xf32>) -> tensor<2x8xf32> loc("ReduceMean_0")
  %s0 = linalg.generic {indexing_maps = [#id3, #rows3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<2x8x64xf32>) outs(%f : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("ReduceMean_0")
  %mean = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s0 : tensor<2x8xf32>) outs(%er : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.divf %in, %n : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("ReduceMean_0")
  %sub = linalg.generic {indexing_maps = [#id3, #rows3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mean : tensor<2x8x64xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Sub_1")
  %pow = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub : tensor<2x8x64xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.mulf %in, %in : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Pow_2")
  %s1 = linalg.generic {indexing_maps = [#id3, #rows3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%pow : tensor<2x8x64xf32>) outs(%f : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("ReduceMean_3")
  %var = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s1 : tensor<2x8xf32>) outs(%er : tensor<2x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.divf %in, %n : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32> loc("ReduceMean_3")
  %ex = tensor.expand_shape %var [[0], [1, 2]] output_shape [2, 8, 1] : tensor<2x8xf32> into tensor<2x8x1xf32> loc("ReduceMean_3")
  %ve = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ex : tensor<2x8x1xf32>) outs(%e1 : tensor<2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %eps : f32
    linalg.yield %v : f32
  } -> tensor<2x8x1xf32> loc("Add_4")
  %sq = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ve : tensor<2x8x1xf32>) outs(%e1 : tensor<2x8x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = math.sqrt %in : f32
    linalg.yield %v : f32
  } -> tensor<2x8x1xf32> loc("Sqrt_5")
  %co = tensor.collapse_shape %sq [[0], [1, 2]] : tensor<2x8x1xf32> into tensor<2x8xf32> loc("Div_6")
  %div = linalg.generic {indexing_maps = [#id3, #rows3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub, %co : tensor<2x8x64xf32>, tensor<2x8xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %s: f32, %out: f32):
    %v = arith.divf %in, %s : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Div_6")
  %mul = linalg.generic {indexing_maps = [#id3, #inner3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%div, %g : tensor<2x8x64xf32>, tensor<64xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %gg: f32, %out: f32):
    %v = arith.mulf %in, %gg : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Mul_7")
  %y = linalg.generic {indexing_maps = [#id3, #inner3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%mul, %bias : tensor<2x8x64xf32>, tensor<64xf32>) outs(%e : tensor<2x8x64xf32>) {
  ^bb0(%in: f32, %bb: f32, %out: f32):
    %v = arith.addf %in, %bb : f32
    linalg.yield %v : f32
  } -> tensor<2x8x64xf32> loc("Add_8")
  return %y : tensor<2x8x64xf32>
}

// -----

// Tests that an RMSNorm (mean of squares, rsqrt of it per row, scale) is
// one region, its input read by the reduction and by the normalization.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<4x32xf32>) {
// CHECK:     %[[MS:.*]] = linalg.generic {{.*}}"reduction"]
// CHECK:     %[[RS:.*]] = linalg.generic {{.*}}ins(%[[MS]] :
// CHECK:     %[[Y:.*]] = linalg.generic {{.*}}ins(%{{.*}}, %[[RS]], %{{.*}} :
// CHECK:     exec.yield %[[Y]]
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// LOC-LABEL: func.func @main
// LOC: } loc(fused["ReduceMean_1", "Reciprocal_4", "Mul_6"])
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
#col2 = affine_map<(d0, d1) -> (d1)>
#id1 = affine_map<(d0) -> (d0)>
func.func @main(%x: tensor<4x32xf32>, %g: tensor<32xf32>) -> tensor<4x32xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 32.0 : f32
  %eps = arith.constant 1.0e-6 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4x32xf32>
  %er = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%er : tensor<4xf32>) -> tensor<4xf32> loc("ReduceMean_1")
  %ss = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x32xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %sq = arith.mulf %in, %in : f32
    %v = arith.addf %out, %sq : f32
    linalg.yield %v : f32
  } -> tensor<4xf32> loc("ReduceMean_1")
  %rs = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%ss : tensor<4xf32>) outs(%er : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.divf %in, %n : f32
    %a = arith.addf %m, %eps : f32
    %s = math.sqrt %a : f32
    %v = arith.divf %one, %s : f32
    linalg.yield %v : f32
  } -> tensor<4xf32> loc("Reciprocal_4")
  %y = linalg.generic {indexing_maps = [#id2, #row2, #col2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %rs, %g : tensor<4x32xf32>, tensor<4xf32>, tensor<32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %r: f32, %gg: f32, %out: f32):
    %v0 = arith.mulf %in, %r : f32
    %v = arith.mulf %v0, %gg : f32
    linalg.yield %v : f32
  } -> tensor<4x32xf32> loc("Mul_6")
  return %y : tensor<4x32xf32>
}

// -----

// Tests that the erf GELU after a bias Add is one region although the
// Add's result is read twice (by Div and by the Mul with 1 + erf): every
// reader is in the region.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<4x32xf32>) {
// CHECK:     %[[X:.*]] = linalg.generic
// CHECK:     %[[D:.*]] = linalg.generic {{.*}}ins(%[[X]] :
// CHECK:     %[[E:.*]] = linalg.erf ins(%[[D]] :
// CHECK:     %[[M:.*]] = linalg.generic {{.*}}ins(%[[X]], %[[E]] :
// CHECK:     exec.yield %[[M]]
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Add_0", "Div_1", "Erf_2", "Mul_3"])
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#col2 = affine_map<(d0, d1) -> (d1)>
func.func @main(%x: tensor<4x32xf32>, %b: tensor<32xf32>) -> tensor<4x32xf32> attributes {aicc.fuse_rows} {
  %s2 = arith.constant 1.41421354 : f32
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<4x32xf32>
  %a = linalg.generic {indexing_maps = [#id2, #col2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : tensor<4x32xf32>, tensor<32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %bb: f32, %out: f32):
    %v = arith.addf %in, %bb : f32
    linalg.yield %v : f32
  } -> tensor<4x32xf32> loc("Add_0")
  %d = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.divf %in, %s2 : f32
    linalg.yield %v : f32
  } -> tensor<4x32xf32> loc("Div_1")
  %erf = linalg.erf ins(%d : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32> loc("Erf_2")
  %m = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a, %erf : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%in: f32, %r: f32, %out: f32):
    %v0 = arith.addf %r, %one : f32
    %v1 = arith.mulf %in, %v0 : f32
    %v = arith.mulf %v1, %half : f32
    linalg.yield %v : f32
  } -> tensor<4x32xf32> loc("Mul_3")
  return %m : tensor<4x32xf32>
}

// -----

// Tests that two elementwise groups read by one op merge into its region
// (the tanh GELU: x / 2 and the tanh chain of x, multiplied at the end).

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<4x32xf32>) {
// CHECK:     linalg.tanh
// CHECK:     linalg.mul
// CHECK:     exec.yield
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Mul_0", "Tanh_1", "Mul_2", "Mul_3"])
func.func @main(%x: tensor<4x32xf32>) -> tensor<4x32xf32> attributes {aicc.fuse_rows} {
  %e = tensor.empty() : tensor<4x32xf32>
  %a = linalg.mul ins(%x, %x : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32> loc("Mul_0")
  %t = linalg.tanh ins(%a : tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32> loc("Tanh_1")
  %h = linalg.add ins(%x, %x : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32> loc("Mul_2")
  %y = linalg.mul ins(%h, %t : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) -> tensor<4x32xf32> loc("Mul_3")
  return %y : tensor<4x32xf32>
}

// -----

// Tests that a matmul is no row reduction (its operands are shared by
// several rows): it keeps its own region, and the softmax-like reduction
// reading it starts a row group of its own.

// CHECK-LABEL: func.func @main
// CHECK:   %[[MM:.*]] = exec.dispatch_region -> (tensor<8x64xf32>) {
// CHECK:     linalg.matmul
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<8x64xf32>) {
// CHECK:     linalg.generic {{.*}}"reduction"]{{.*}}ins(%[[MM]] :
// CHECK:     linalg.generic {{.*}}ins(%[[MM]], %{{.*}} :
// CHECK:     exec.yield
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// LOC-LABEL: func.func @main
// LOC: } loc("MatMul_0")
// LOC: } loc(fused["ReduceMax_1", "Sub_2"])
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
func.func @main(%a: tensor<8x16xf32>, %b: tensor<16x64xf32>) -> tensor<8x64xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %er = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32> loc("MatMul_0")
  %fm = linalg.fill ins(%ninf : f32) outs(%er : tensor<8xf32>) -> tensor<8xf32>
  %max = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%mm : tensor<8x64xf32>) outs(%fm : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<8xf32> loc("ReduceMax_1")
  %sub = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %max : tensor<8x64xf32>, tensor<8xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<8x64xf32> loc("Sub_2")
  return %sub : tensor<8x64xf32>
}

// -----

// Tests the cost limit: rows of 32,768 f32 (128 KiB, more than
// kMaxRowBytes) do not fuse, so the reduction and the op reading its row
// results keep regions of their own.

// CHECK-LABEL: func.func @main
// CHECK:   exec.dispatch_region
// CHECK:     linalg.generic {{.*}}"reduction"]
// CHECK:     exec.yield
// CHECK:   exec.dispatch_region
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   return
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
func.func @main(%x: tensor<2x32768xf32>) -> tensor<2x32768xf32> attributes {aicc.fuse_rows} {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<2x32768xf32>
  %er = tensor.empty() : tensor<2xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%er : tensor<2xf32>) -> tensor<2xf32>
  %max = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x32768xf32>) outs(%fm : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<2xf32> loc("ReduceMax_0")
  %sub = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %max : tensor<2x32768xf32>, tensor<2xf32>) outs(%e : tensor<2x32768xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<2x32768xf32> loc("Sub_1")
  return %sub : tensor<2x32768xf32>
}

// -----

// Tests that without aicc.fuse_rows (GPU targets) a row reduction keeps a
// region of its own and a producer read twice ends an elementwise chain.

// CHECK-LABEL: func.func @main
// CHECK-COUNT-3: exec.dispatch_region
// CHECK-NOT: exec.dispatch_region
// CHECK: return
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
func.func @main(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %er = tensor.empty() : tensor<8xf32>
  %n = linalg.negf ins(%x : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32> loc("Neg_0")
  %fm = linalg.fill ins(%ninf : f32) outs(%er : tensor<8xf32>) -> tensor<8xf32>
  %max = linalg.generic {indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}
      ins(%n : tensor<8x64xf32>) outs(%fm : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<8xf32> loc("ReduceMax_1")
  %sub = linalg.generic {indexing_maps = [#id2, #row2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%n, %max : tensor<8x64xf32>, tensor<8xf32>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<8x64xf32> loc("Sub_2")
  return %sub : tensor<8x64xf32>
}

// -----

// Tests that a group stops where an op outside it reads one of its results
// before the op that would join (the region is created at its last op):
// the matmul reads the Neg between Neg and Exp, so Exp starts a new region
// (and with it the Add that reads both).

// CHECK-LABEL: func.func @main
// CHECK:   %[[N:.*]] = exec.dispatch_region -> (tensor<8x8xf32>) {
// CHECK:     linalg.negf
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   exec.dispatch_region -> (tensor<8x8xf32>) {
// CHECK:     linalg.matmul ins(%[[N]], %[[N]] :
// CHECK:   exec.dispatch_region -> (tensor<8x8xf32>) {
// CHECK:     linalg.exp ins(%[[N]] :
// CHECK:     linalg.add
// CHECK:     exec.yield
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
func.func @main(%x: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8x8xf32>) attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x8xf32>
  %n = linalg.negf ins(%x : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32> loc("Neg_0")
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32>
  %mm = linalg.matmul ins(%n, %n : tensor<8x8xf32>, tensor<8x8xf32>) outs(%f : tensor<8x8xf32>) -> tensor<8x8xf32> loc("MatMul_1")
  %x1 = linalg.exp ins(%n : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32> loc("Exp_2")
  %a = linalg.add ins(%x1, %n : tensor<8x8xf32>, tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) -> tensor<8x8xf32> loc("Add_3")
  return %a, %mm : tensor<8x8xf32>, tensor<8x8xf32>
}

// -----

// Tests that an op reading a broadcast over some row dims (GPT-2's causal
// mask, shared by the heads: (d0, d2, d3) of [batch, heads, rows, cols])
// computes the rows in place: the Where joins the scale, and the row max
// joins both.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<1x2x4x8xf32>) {
// CHECK:     linalg.generic
// CHECK:     linalg.generic
// CHECK:     %[[MAX:.*]] = linalg.generic {{.*}}"reduction"]
// CHECK:     %[[SUB:.*]] = linalg.generic {{.*}}ins({{.*}}, %[[MAX]] :
// CHECK:     exec.yield %[[SUB]]
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Div_0", "Where_1", "Softmax_2"])
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#mask4 = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
#rows4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
func.func @main(%x: tensor<1x2x4x8xf32>, %mask: tensor<1x4x8xi1>) -> tensor<1x2x4x8xf32> attributes {aicc.fuse_rows} {
  %c8 = arith.constant 8.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e = tensor.empty() : tensor<1x2x4x8xf32>
  %er = tensor.empty() : tensor<1x2x4xf32>
  %a = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x8xf32>) outs(%e : tensor<1x2x4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.divf %in, %c8 : f32
    linalg.yield %v : f32
  } -> tensor<1x2x4x8xf32> loc("Div_0")
  %w = linalg.generic {indexing_maps = [#mask4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%mask, %a : tensor<1x4x8xi1>, tensor<1x2x4x8xf32>) outs(%e : tensor<1x2x4x8xf32>) {
  ^bb0(%m: i1, %in: f32, %out: f32):
    %v = arith.select %m, %in, %ninf : f32
    linalg.yield %v : f32
  } -> tensor<1x2x4x8xf32> loc("Where_1")
  %fm = linalg.fill ins(%ninf : f32) outs(%er : tensor<1x2x4xf32>) -> tensor<1x2x4xf32> loc("Softmax_2")
  %max = linalg.generic {indexing_maps = [#id4, #rows4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w : tensor<1x2x4x8xf32>) outs(%fm : tensor<1x2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %out, %in : f32
    linalg.yield %v : f32
  } -> tensor<1x2x4xf32> loc("Softmax_2")
  %sub = linalg.generic {indexing_maps = [#id4, #rows4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%w, %max : tensor<1x2x4x8xf32>, tensor<1x2x4xf32>) outs(%e : tensor<1x2x4x8xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %v = arith.subf %in, %m : f32
    linalg.yield %v : f32
  } -> tensor<1x2x4x8xf32> loc("Softmax_2")
  return %sub : tensor<1x2x4x8xf32>
}
