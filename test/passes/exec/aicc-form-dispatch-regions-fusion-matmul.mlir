// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions=policy=fusion --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Matmul epilogues of the fusion policy reached through reshapes: a MatMul
// [1, S, K] x [K, N] is lowered to a [S, K] x [K, N] matmul whose result is
// expanded to [1, S, N] before its bias Add.

// Tests that the bias Add of a [1, S, K] x [K, N] MatMul joins the matmul's
// region through the expand_shape adding the unit batch dim.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<1x8x64xf32>) {
// CHECK:     %[[MM:.*]] = linalg.matmul
// CHECK:     %[[X:.*]] = tensor.expand_shape %[[MM]]
// CHECK:     %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}} :
// CHECK:     exec.yield %[[ADD]] : tensor<1x8x64xf32>
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// CHECK:   return %[[R]]
// LOC-LABEL: func.func @main
// LOC: } loc(fused["MatMul_0", "Add_1"])
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias3 = affine_map<(d0, d1, d2) -> (d2)>
func.func @main(%a: tensor<8x16xf32>, %b: tensor<16x64xf32>, %bias: tensor<64xf32>) -> tensor<1x8x64xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32> loc("MatMul_0")
  %x = tensor.expand_shape %mm [[0, 1], [2]] output_shape [1, 8, 64] : tensor<8x64xf32> into tensor<1x8x64xf32> loc("MatMul_0")
  %e3 = tensor.empty() : tensor<1x8x64xf32>
  %add = linalg.generic {indexing_maps = [#id3, #bias3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<1x8x64xf32>, tensor<64xf32>) outs(%e3 : tensor<1x8x64xf32>) {
  ^bb0(%in: f32, %c: f32, %out: f32):
    %v = arith.addf %in, %c : f32
    linalg.yield %v : f32
  } -> tensor<1x8x64xf32> loc("Add_1")
  return %add : tensor<1x8x64xf32>
}

// -----

// Tests that a GELU-like epilogue reading the bias Add twice (x * (x + 1))
// joins the matmul's region too in a row-fusing function.

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<1x8x64xf32>) {
// CHECK:     linalg.matmul
// CHECK:     tensor.expand_shape
// CHECK:     %[[ADD:.*]] = linalg.generic
// CHECK:     %[[INC:.*]] = linalg.generic {{.*}} ins(%[[ADD]] :
// CHECK:     %[[MUL:.*]] = linalg.generic {{.*}} ins(%[[ADD]], %[[INC]] :
// CHECK:     exec.yield %[[MUL]] : tensor<1x8x64xf32>
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// CHECK:   return %[[R]]
// LOC-LABEL: func.func @main
// LOC: } loc(fused["MatMul_0", "Add_1", "Add_2", "Mul_3"])
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias3 = affine_map<(d0, d1, d2) -> (d2)>
func.func @main(%a: tensor<8x16xf32>, %b: tensor<16x64xf32>, %bias: tensor<64xf32>) -> tensor<1x8x64xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32> loc("MatMul_0")
  %x = tensor.expand_shape %mm [[0, 1], [2]] output_shape [1, 8, 64] : tensor<8x64xf32> into tensor<1x8x64xf32> loc("MatMul_0")
  %e3 = tensor.empty() : tensor<1x8x64xf32>
  %add = linalg.generic {indexing_maps = [#id3, #bias3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<1x8x64xf32>, tensor<64xf32>) outs(%e3 : tensor<1x8x64xf32>) {
  ^bb0(%in: f32, %c: f32, %out: f32):
    %v = arith.addf %in, %c : f32
    linalg.yield %v : f32
  } -> tensor<1x8x64xf32> loc("Add_1")
  %inc = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%add : tensor<1x8x64xf32>) outs(%e3 : tensor<1x8x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.addf %in, %one : f32
    linalg.yield %v : f32
  } -> tensor<1x8x64xf32> loc("Add_2")
  %mul = linalg.generic {indexing_maps = [#id3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%add, %inc : tensor<1x8x64xf32>, tensor<1x8x64xf32>) outs(%e3 : tensor<1x8x64xf32>) {
  ^bb0(%in: f32, %i: f32, %out: f32):
    %v = arith.mulf %in, %i : f32
    linalg.yield %v : f32
  } -> tensor<1x8x64xf32> loc("Mul_3")
  return %mul : tensor<1x8x64xf32>
}

// -----

// Tests that an expand_shape splitting a dim of the matmul's result (rows
// regrouped as [2, 4]) is no epilogue path: the Add keeps its own region.

// CHECK-LABEL: func.func @main
// CHECK:   %[[MM:.*]] = exec.dispatch_region -> (tensor<8x64xf32>) {
// CHECK:     linalg.matmul
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   exec.dispatch_region -> (tensor<2x4x64xf32>) {
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// LOC-LABEL: func.func @main
// LOC: } loc("MatMul_0")
// LOC: } loc("Add_1")
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias3 = affine_map<(d0, d1, d2) -> (d2)>
func.func @main(%a: tensor<8x16xf32>, %b: tensor<16x64xf32>, %bias: tensor<64xf32>) -> tensor<2x4x64xf32> attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32> loc("MatMul_0")
  %x = tensor.expand_shape %mm [[0, 1], [2]] output_shape [2, 4, 64] : tensor<8x64xf32> into tensor<2x4x64xf32> loc("MatMul_0")
  %e3 = tensor.empty() : tensor<2x4x64xf32>
  %add = linalg.generic {indexing_maps = [#id3, #bias3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<2x4x64xf32>, tensor<64xf32>) outs(%e3 : tensor<2x4x64xf32>) {
  ^bb0(%in: f32, %c: f32, %out: f32):
    %v = arith.addf %in, %c : f32
    linalg.yield %v : f32
  } -> tensor<2x4x64xf32> loc("Add_1")
  return %add : tensor<2x4x64xf32>
}

// -----

// Tests that a matmul result also read outside the epilogue (here returned
// as well) keeps the bias Add out of its region.

// CHECK-LABEL: func.func @main
// CHECK:   exec.dispatch_region -> (tensor<8x64xf32>) {
// CHECK:     linalg.matmul
// CHECK:     exec.yield
// CHECK:   }
// CHECK:   exec.dispatch_region -> (tensor<1x8x64xf32>) {
// CHECK:     linalg.generic
// CHECK:     exec.yield
// CHECK:   }
// CHECK-NOT: exec.dispatch_region
// LOC-LABEL: func.func @main
// LOC: } loc("MatMul_0")
// LOC: } loc("Add_1")
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias3 = affine_map<(d0, d1, d2) -> (d2)>
func.func @main(%a: tensor<8x16xf32>, %b: tensor<16x64xf32>, %bias: tensor<64xf32>) -> (tensor<1x8x64xf32>, tensor<8x64xf32>) attributes {aicc.fuse_rows} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x64xf32>) -> tensor<8x64xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x64xf32>) outs(%f : tensor<8x64xf32>) -> tensor<8x64xf32> loc("MatMul_0")
  %x = tensor.expand_shape %mm [[0, 1], [2]] output_shape [1, 8, 64] : tensor<8x64xf32> into tensor<1x8x64xf32> loc("MatMul_0")
  %e3 = tensor.empty() : tensor<1x8x64xf32>
  %add = linalg.generic {indexing_maps = [#id3, #bias3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %bias : tensor<1x8x64xf32>, tensor<64xf32>) outs(%e3 : tensor<1x8x64xf32>) {
  ^bb0(%in: f32, %c: f32, %out: f32):
    %v = arith.addf %in, %c : f32
    linalg.yield %v : f32
  } -> tensor<1x8x64xf32> loc("Add_1")
  return %add, %mm : tensor<1x8x64xf32>, tensor<8x64xf32>
}
