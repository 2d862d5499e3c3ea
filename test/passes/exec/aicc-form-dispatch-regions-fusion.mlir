// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// RUN: not aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=bogus 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: unknown grouping policy 'bogus' (one-op-per-region, fusion)

// Tests that a matmul's elementwise epilogue (ReLU) joins its region, which
// yields only the epilogue's result and carries both ops' locations.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<1x3xf32>) {
// CHECK:     %[[MM:.*]] = linalg.matmul
// CHECK:     %[[G:.*]] = linalg.generic {{.*}} ins(%[[MM]] : tensor<1x3xf32>)
// CHECK:     exec.yield %[[G]] : tensor<1x3xf32>
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// CHECK:   return %[[R]]
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Gemm_0", "Relu_1"])
func.func @main(%x: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<1x3xf32> {graph.name = "y"}) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32> loc("fc.weight")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %m = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32> loc("Gemm_0")
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<1x3xf32>) outs(%e : tensor<1x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %in, %zero : f32
    linalg.yield %v : f32
  } -> tensor<1x3xf32> loc("Relu_1")
  return %r : tensor<1x3xf32>
}

// -----

// Tests that a chain of elementwise ops is one region, and that a producer
// whose result has a second use (here %a, read by Exp and by Add) ends its
// region: the chain after it starts a new one.

// CHECK-LABEL: func.func @main
// CHECK:   %[[A:.*]] = exec.dispatch_region -> (tensor<8xf32>) {
// CHECK:     linalg.negf
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   %[[B:.*]] = exec.dispatch_region -> (tensor<8xf32>) {
// CHECK:     %[[EXP:.*]] = linalg.exp ins(%[[A]] : tensor<8xf32>)
// CHECK:     %[[ADD:.*]] = linalg.add ins(%[[EXP]], %[[A]] : tensor<8xf32>, tensor<8xf32>)
// CHECK:     %[[TANH:.*]] = linalg.tanh ins(%[[ADD]] : tensor<8xf32>)
// CHECK:     exec.yield %[[TANH]] : tensor<8xf32>
// CHECK:   }
// CHECK:   return %[[B]]
// LOC-LABEL: func.func @main
// LOC: } loc("Neg_0")
// LOC: } loc(fused["Exp_1", "Add_2", "Tanh_3"])
func.func @main(%x: tensor<8xf32> {graph.name = "x"}) -> (tensor<8xf32> {graph.name = "y"}) {
  %e = tensor.empty() : tensor<8xf32>
  %a = linalg.negf ins(%x : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32> loc("Neg_0")
  %b = linalg.exp ins(%a : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32> loc("Exp_1")
  %c = linalg.add ins(%b, %a : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32> loc("Add_2")
  %d = linalg.tanh ins(%c : tensor<8xf32>) outs(%e : tensor<8xf32>) -> tensor<8xf32> loc("Tanh_3")
  return %d : tensor<8xf32>
}

// -----

// Tests that a residual Add joins the reduction it follows (conv3), not the
// other branch (the downsample conv, itself a reduction with its own
// region), and that an elementwise op reading a producer through a
// broadcast (not element for element) does not join it.

// CHECK-LABEL: func.func @main
// CHECK:   %[[DS:.*]] = exec.dispatch_region -> (tensor<1x4xf32>) {
// CHECK:     linalg.matmul
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   %[[SUM:.*]] = exec.dispatch_region -> (tensor<1x4xf32>) {
// CHECK:     %[[C3:.*]] = linalg.matmul
// CHECK:     linalg.add ins({{.*}}%[[C3]]{{.*}} : tensor<1x4xf32>, tensor<1x4xf32>)
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   %[[BC:.*]] = exec.dispatch_region -> (tensor<2x4xf32>) {
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   return %[[BC]]
// LOC-LABEL: func.func @main
// LOC: } loc("Downsample")
// LOC: } loc(fused["Conv3", "Add"])
// LOC: } loc("Broadcast")
func.func @main(%x: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<2x4xf32> {graph.name = "y"}) {
  %w = graph.constant dense<0.5> : tensor<4x4xf32> loc("w")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4xf32>) -> tensor<1x4xf32>
  %ds = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x4xf32>) outs(%f : tensor<1x4xf32>) -> tensor<1x4xf32> loc("Downsample")
  %c3 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x4xf32>) outs(%f : tensor<1x4xf32>) -> tensor<1x4xf32> loc("Conv3")
  %sum = linalg.add ins(%c3, %ds : tensor<1x4xf32>, tensor<1x4xf32>) outs(%e : tensor<1x4xf32>) -> tensor<1x4xf32> loc("Add")
  %e2 = tensor.empty() : tensor<2x4xf32>
  %bc = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<1x4xf32>) outs(%e2 : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4xf32> loc("Broadcast")
  return %bc : tensor<2x4xf32>
}

// -----

// Tests that, in a function marked aicc.fold_padding, a pad read only by a
// depthwise conv (a reduction reading it along every output dim) folds into
// the conv's region together with the conv's epilogue, and that a pad read by a full conv (which reads every
// input channel for each output channel) keeps its own region.

// CHECK-LABEL: func.func @main
// CHECK:   %[[DW:.*]] = exec.dispatch_region -> (tensor<1x2x4x4xf32>) {
// CHECK:     %[[P:.*]] = tensor.pad
// CHECK:     %[[C:.*]] = linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x3x3xf32>)
// CHECK:     %[[R:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<1x2x4x4xf32>)
// CHECK:     exec.yield %[[R]] : tensor<1x2x4x4xf32>
// CHECK:   }
// CHECK:   %[[P2:.*]] = exec.dispatch_region -> (tensor<1x2x6x6xf32>) {
// CHECK:     tensor.pad
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   exec.dispatch_region -> (tensor<1x2x4x4xf32>) {
// CHECK:     linalg.generic {{.*}} ins(%[[P2]], %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>)
// CHECK:     exec.yield
// CHECK:   }
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Pad_dw", "Conv_dw", "Relu_dw"])
// LOC: } loc("Pad_full")
// LOC: } loc("Conv_full")
func.func @main(%x: tensor<1x2x4x4xf32> {graph.name = "x"}) -> (tensor<1x2x4x4xf32> {graph.name = "y"}) attributes {aicc.fold_padding} {
  %wdw = graph.constant dense<0.5> : tensor<2x3x3xf32> loc("wdw")
  %wfull = graph.constant dense<0.25> : tensor<2x2x3x3xf32> loc("wfull")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32> loc("Pad_dw")
  %dw = linalg.generic {indexing_maps = [affine_map<(n, c, y, x, ky, kx) -> (n, c, y + ky, x + kx)>,
                                         affine_map<(n, c, y, x, ky, kx) -> (c, ky, kx)>,
                                         affine_map<(n, c, y, x, ky, kx) -> (n, c, y, x)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%p, %wdw : tensor<1x2x6x6xf32>, tensor<2x3x3xf32>) outs(%f : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %w: f32, %acc: f32):
    %m = arith.mulf %in, %w : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x4xf32> loc("Conv_dw")
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dw : tensor<1x2x4x4xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %in, %zero : f32
    linalg.yield %v : f32
  } -> tensor<1x2x4x4xf32> loc("Relu_dw")
  %p2 = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32> loc("Pad_full")
  %full = linalg.generic {indexing_maps = [affine_map<(n, co, y, x, ci, ky, kx) -> (n, ci, y + ky, x + kx)>,
                                           affine_map<(n, co, y, x, ci, ky, kx) -> (co, ci, ky, kx)>,
                                           affine_map<(n, co, y, x, ci, ky, kx) -> (n, co, y, x)>],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p2, %wfull : tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>) outs(%f : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %w: f32, %acc: f32):
    %m = arith.mulf %in, %w : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x4xf32> loc("Conv_full")
  return %full : tensor<1x2x4x4xf32>
}

// -----

// Tests that a pointwise conv (one reduction loop) and its epilogue join
// the depthwise conv whose folded pad reads them, on rows of 16 elements
// (an inverted residual block: expand, pad, depthwise in one kernel), and
// that on rows narrower than 16 they keep their own region.

// CHECK-LABEL: func.func @main
// CHECK:   %[[DW:.*]] = exec.dispatch_region -> (tensor<1x4x16x16xf32>) {
// CHECK:     %[[E:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x16x16xf32>, tensor<4x2xf32>)
// CHECK:     %[[R:.*]] = linalg.generic {{.*}} ins(%[[E]] : tensor<1x4x16x16xf32>)
// CHECK:     %[[P:.*]] = tensor.pad %[[R]]
// CHECK:     linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<1x4x18x18xf32>, tensor<4x3x3xf32>)
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   %[[E8:.*]] = exec.dispatch_region -> (tensor<1x4x8x8xf32>) {
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   exec.dispatch_region -> (tensor<1x4x8x8xf32>) {
// CHECK:     tensor.pad %[[E8]]
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   }
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Conv_expand", "Relu_expand", "Pad", "Conv_dw"])
// LOC: } loc("Conv_expand8")
// LOC: } loc(fused["Pad8", "Conv_dw8"])
#in = affine_map<(n, co, y, x, ci) -> (n, ci, y, x)>
#w = affine_map<(n, co, y, x, ci) -> (co, ci)>
#out = affine_map<(n, co, y, x, ci) -> (n, co, y, x)>
#dwin = affine_map<(n, c, y, x, ky, kx) -> (n, c, y + ky, x + kx)>
#dww = affine_map<(n, c, y, x, ky, kx) -> (c, ky, kx)>
#dwout = affine_map<(n, c, y, x, ky, kx) -> (n, c, y, x)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @main(%x: tensor<1x2x16x16xf32> {graph.name = "x"}, %x8: tensor<1x2x8x8xf32> {graph.name = "x8"}) -> (tensor<1x4x16x16xf32> {graph.name = "y"}, tensor<1x4x8x8xf32> {graph.name = "y8"}) attributes {aicc.fold_padding} {
  %we = graph.constant dense<0.5> : tensor<4x2xf32> loc("we")
  %wdw = graph.constant dense<0.25> : tensor<4x3x3xf32> loc("wdw")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x16x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
  %ex = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %we : tensor<1x2x16x16xf32>, tensor<4x2xf32>) outs(%f : tensor<1x4x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x16x16xf32> loc("Conv_expand")
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ex : tensor<1x4x16x16xf32>) outs(%e : tensor<1x4x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %in, %zero : f32
    linalg.yield %v : f32
  } -> tensor<1x4x16x16xf32> loc("Relu_expand")
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32> loc("Pad")
  %dw = linalg.generic {indexing_maps = [#dwin, #dww, #dwout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%p, %wdw : tensor<1x4x18x18xf32>, tensor<4x3x3xf32>) outs(%f : tensor<1x4x16x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x16x16xf32> loc("Conv_dw")
  %e8 = tensor.empty() : tensor<1x4x8x8xf32>
  %f8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %ex8 = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x8, %we : tensor<1x2x8x8xf32>, tensor<4x2xf32>) outs(%f8 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32> loc("Conv_expand8")
  %p8 = tensor.pad %ex8 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x4x8x8xf32> to tensor<1x4x10x10xf32> loc("Pad8")
  %dw8 = linalg.generic {indexing_maps = [#dwin, #dww, #dwout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%p8, %wdw : tensor<1x4x10x10xf32>, tensor<4x3x3xf32>) outs(%f8 : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32> loc("Conv_dw8")
  return %dw, %dw8 : tensor<1x4x16x16xf32>, tensor<1x4x8x8xf32>
}

// -----

// Tests that on rows of 14 elements (more than half of a 16-float vector:
// MobileNetV2's 14x14 blocks) a pointwise conv also joins the depthwise
// conv whose folded pad reads it, and that on 14-wide rows of 8-bit
// elements (vectors of 64) it keeps its own region.

// CHECK-LABEL: func.func @main
// CHECK:   exec.dispatch_region -> (tensor<1x4x14x14xf32>) {
// CHECK:     %[[E:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x14x14xf32>, tensor<4x2xf32>)
// CHECK:     %[[P:.*]] = tensor.pad %[[E]]
// CHECK:     linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<1x4x16x16xf32>, tensor<4x3x3xf32>)
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   %[[E8:.*]] = exec.dispatch_region -> (tensor<1x4x14x14xi8>) {
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   exec.dispatch_region -> (tensor<1x4x14x14xi8>) {
// CHECK:     tensor.pad %[[E8]]
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   }
// LOC-LABEL: func.func @main
// LOC: } loc(fused["Conv_expand14", "Pad14", "Conv_dw14"])
// LOC: } loc("Conv_expand14_i8")
// LOC: } loc(fused["Pad14_i8", "Conv_dw14_i8"])
#in = affine_map<(n, co, y, x, ci) -> (n, ci, y, x)>
#w = affine_map<(n, co, y, x, ci) -> (co, ci)>
#out = affine_map<(n, co, y, x, ci) -> (n, co, y, x)>
#dwin = affine_map<(n, c, y, x, ky, kx) -> (n, c, y + ky, x + kx)>
#dww = affine_map<(n, c, y, x, ky, kx) -> (c, ky, kx)>
#dwout = affine_map<(n, c, y, x, ky, kx) -> (n, c, y, x)>
func.func @main(%x: tensor<1x2x14x14xf32> {graph.name = "x"}, %xq: tensor<1x2x14x14xi8> {graph.name = "xq"}) -> (tensor<1x4x14x14xf32> {graph.name = "y"}, tensor<1x4x14x14xi8> {graph.name = "yq"}) attributes {aicc.fold_padding} {
  %we = graph.constant dense<0.5> : tensor<4x2xf32> loc("we")
  %wdw = graph.constant dense<0.25> : tensor<4x3x3xf32> loc("wdw")
  %weq = graph.constant dense<2> : tensor<4x2xi8> loc("weq")
  %wdwq = graph.constant dense<1> : tensor<4x3x3xi8> loc("wdwq")
  %zero = arith.constant 0.0 : f32
  %zq = arith.constant 0 : i8
  %e = tensor.empty() : tensor<1x4x14x14xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x14x14xf32>) -> tensor<1x4x14x14xf32>
  %ex = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %we : tensor<1x2x14x14xf32>, tensor<4x2xf32>) outs(%f : tensor<1x4x14x14xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x14x14xf32> loc("Conv_expand14")
  %p = tensor.pad %ex low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x4x14x14xf32> to tensor<1x4x16x16xf32> loc("Pad14")
  %dw = linalg.generic {indexing_maps = [#dwin, #dww, #dwout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%p, %wdw : tensor<1x4x16x16xf32>, tensor<4x3x3xf32>) outs(%f : tensor<1x4x14x14xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x14x14xf32> loc("Conv_dw14")
  %eq = tensor.empty() : tensor<1x4x14x14xi8>
  %fq = linalg.fill ins(%zq : i8) outs(%eq : tensor<1x4x14x14xi8>) -> tensor<1x4x14x14xi8>
  %exq = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%xq, %weq : tensor<1x2x14x14xi8>, tensor<4x2xi8>) outs(%fq : tensor<1x4x14x14xi8>) {
  ^bb0(%a: i8, %b: i8, %acc: i8):
    %m = arith.muli %a, %b : i8
    %s = arith.addi %acc, %m : i8
    linalg.yield %s : i8
  } -> tensor<1x4x14x14xi8> loc("Conv_expand14_i8")
  %pq = tensor.pad %exq low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zq : i8
  } : tensor<1x4x14x14xi8> to tensor<1x4x16x16xi8> loc("Pad14_i8")
  %dwq = linalg.generic {indexing_maps = [#dwin, #dww, #dwout], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%pq, %wdwq : tensor<1x4x16x16xi8>, tensor<4x3x3xi8>) outs(%fq : tensor<1x4x14x14xi8>) {
  ^bb0(%a: i8, %b: i8, %acc: i8):
    %m = arith.muli %a, %b : i8
    %s = arith.addi %acc, %m : i8
    linalg.yield %s : i8
  } -> tensor<1x4x14x14xi8> loc("Conv_dw14_i8")
  return %dw, %dwq : tensor<1x4x14x14xf32>, tensor<1x4x14x14xi8>
}

// -----

// Tests that without aicc.fold_padding (targets whose kernels cannot compute
// a folded pad, e.g. the GPU targets) a pad keeps its own region.

// CHECK-LABEL: func.func @main
// CHECK:   %[[P:.*]] = exec.dispatch_region -> (tensor<1x2x6x6xf32>) {
// CHECK:     tensor.pad
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   exec.dispatch_region -> (tensor<1x2x4x4xf32>) {
// CHECK-NOT: tensor.pad
// CHECK:     linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x3x3xf32>)
// CHECK:     exec.yield
// CHECK:   }
// LOC-LABEL: func.func @main
// LOC: } loc("Pad_dw")
// LOC: } loc("Conv_dw")
func.func @main(%x: tensor<1x2x4x4xf32> {graph.name = "x"}) -> (tensor<1x2x4x4xf32> {graph.name = "y"}) {
  %wdw = graph.constant dense<0.5> : tensor<2x3x3xf32> loc("wdw")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32> loc("Pad_dw")
  %dw = linalg.generic {indexing_maps = [affine_map<(n, c, y, x, ky, kx) -> (n, c, y + ky, x + kx)>,
                                         affine_map<(n, c, y, x, ky, kx) -> (c, ky, kx)>,
                                         affine_map<(n, c, y, x, ky, kx) -> (n, c, y, x)>],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%p, %wdw : tensor<1x2x6x6xf32>, tensor<2x3x3xf32>) outs(%f : tensor<1x2x4x4xf32>) {
  ^bb0(%in: f32, %w: f32, %acc: f32):
    %m = arith.mulf %in, %w : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4x4xf32> loc("Conv_dw")
  return %dw : tensor<1x2x4x4xf32>
}
