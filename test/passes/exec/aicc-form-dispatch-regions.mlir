// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Tests that each compute op gets a region of its own with its location,
// while constants, inits, scalars and views stay in the function and the
// return reads the region's result.

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>
// CHECK:   %[[W:.*]] = graph.constant
// CHECK:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:   %[[E:.*]] = tensor.empty() : tensor<1x3xf32>
// CHECK:   %[[F:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<1x3xf32>)
// CHECK:   %[[M:.*]] = exec.dispatch_region -> (tensor<1x3xf32>) {
// CHECK:     %[[MM:.*]] = linalg.matmul ins(%[[X]], %[[W]] : {{.*}}) outs(%[[F]] : tensor<1x3xf32>)
// CHECK:     exec.yield %[[MM]] : tensor<1x3xf32>
// CHECK:   }
// CHECK:   %[[E2:.*]] = tensor.empty() : tensor<1x3xf32>
// CHECK:   %[[R:.*]] = exec.dispatch_region -> (tensor<1x3xf32>) {
// CHECK:     %[[G:.*]] = linalg.generic {{.*}} ins(%[[M]] : tensor<1x3xf32>) outs(%[[E2]] : tensor<1x3xf32>)
// CHECK:       arith.maximumf %{{.*}}, %[[ZERO]] : f32
// CHECK:     exec.yield %[[G]] : tensor<1x3xf32>
// CHECK:   }
// CHECK:   %[[Y:.*]] = tensor.collapse_shape %[[R]]
// CHECK:   return %[[Y]]
// LOC-LABEL: func.func @main
// LOC: exec.dispatch_region
// LOC: } loc("Gemm_0")
// LOC: exec.dispatch_region
// LOC: } loc("Relu_1")
func.func @main(%x: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<3xf32> {graph.name = "y"}) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32> loc("fc.weight")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %m = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32> loc("Gemm_0")
  %e2 = tensor.empty() : tensor<1x3xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%m : tensor<1x3xf32>) outs(%e2 : tensor<1x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.maximumf %in, %zero : f32
    linalg.yield %v : f32
  } -> tensor<1x3xf32> loc("Relu_1")
  %y = tensor.collapse_shape %r [[0, 1]] : tensor<1x3xf32> into tensor<3xf32> loc("Flatten_2")
  return %y : tensor<3xf32>
}

// -----

// Tests that a region yields every result of its op, used or not (the kernel
// computes them all).

// CHECK-LABEL: func.func @main
// CHECK:   %[[R:.*]]:2 = exec.dispatch_region -> (tensor<4xf32>, tensor<4xf32>) {
// CHECK:     %[[G:.*]]:2 = linalg.generic
// CHECK:     exec.yield %[[G]]#0, %[[G]]#1 : tensor<4xf32>, tensor<4xf32>
// CHECK:   return %[[R]]#1
func.func @main(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}) {
  %e = tensor.empty() : tensor<4xf32>
  %g:2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e, %e : tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%in: f32, %o0: f32, %o1: f32):
    %n = arith.negf %in : f32
    linalg.yield %in, %n : f32, f32
  } -> (tensor<4xf32>, tensor<4xf32>) loc("Split_0")
  return %g#1 : tensor<4xf32>
}

// -----

// Tests that a bias broadcast used only as inits stays out of the regions
// (the clone pass copies it into each), while a fill that is also returned
// gets a region of its own, as do non-contiguous slices and pads.

// CHECK-LABEL: func.func @main
// CHECK-NOT: exec.dispatch_region
// CHECK:   %[[B:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<3xf32>)
// CHECK-NOT: exec.dispatch_region
// CHECK:   exec.dispatch_region -> (tensor<2x3xf32>) {
// CHECK-NEXT: linalg.matmul {{.*}} outs(%[[B]] : tensor<2x3xf32>)
// CHECK:   exec.dispatch_region -> (tensor<2x3xf32>) {
// CHECK-NEXT: linalg.fill
// CHECK:   exec.dispatch_region -> (tensor<2x2xf32>) {
// CHECK-NEXT: tensor.extract_slice
// CHECK:   exec.dispatch_region -> (tensor<4x5xf32>) {
// CHECK-NEXT: tensor.pad
func.func @main(%x: tensor<2x4xf32> {graph.name = "x"})
    -> (tensor<2x3xf32> {graph.name = "a"}, tensor<2x3xf32> {graph.name = "b"},
        tensor<2x2xf32> {graph.name = "c"}, tensor<4x5xf32> {graph.name = "d"}) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32> loc("w")
  %bias = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32> loc("bias")
  %e = tensor.empty() : tensor<2x3xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3xf32>
  %m = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%b : tensor<2x3xf32>) -> tensor<2x3xf32> loc("Gemm_0")
  %one = arith.constant 1.0 : f32
  %f = linalg.fill ins(%one : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32> loc("Fill_1")
  %s = tensor.extract_slice %x[0, 1] [2, 2] [1, 1] : tensor<2x4xf32> to tensor<2x2xf32> loc("Slice_2")
  %p = tensor.pad %x low[1, 0] high[1, 1] {
  ^bb0(%i: index, %j: index):
    tensor.yield %one : f32
  } : tensor<2x4xf32> to tensor<4x5xf32> loc("Pad_3")
  return %m, %f, %s, %p : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>, tensor<4x5xf32>
}
