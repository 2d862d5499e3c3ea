// RUN: aicc-opt %s -split-input-file --aicc-clone-producers-into-dispatch-regions | FileCheck %s

// Tests that a matmul's zero-fill init, its empty tensor and its scalar are
// cloned into the region in the function's order, and the originals, now
// unused, are erased, while the weight stays a value read from above.

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>
// CHECK:   %[[W:.*]] = graph.constant
// CHECK-NOT: linalg.fill
// CHECK:   exec.dispatch_region -> (tensor<1x3xf32>) {
// CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT: %[[E:.*]] = tensor.empty() : tensor<1x3xf32>
// CHECK-NEXT: %[[F:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<1x3xf32>)
// CHECK-NEXT: %[[M:.*]] = linalg.matmul ins(%[[X]], %[[W]] : {{.*}}) outs(%[[F]] : tensor<1x3xf32>)
// CHECK-NEXT: exec.yield %[[M]]
func.func @main(%x: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<1x3xf32> {graph.name = "y"}) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32> loc("fc.weight")
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
  %m = exec.dispatch_region -> (tensor<1x3xf32>) {
    %0 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%f : tensor<1x3xf32>) -> tensor<1x3xf32>
    exec.yield %0 : tensor<1x3xf32>
  } loc("Gemm_0")
  return %m : tensor<1x3xf32>
}

// -----

// Tests that a bias broadcast used as the init of two regions is cloned into
// both, its bias staying a value read from above, and the original is erased.

// CHECK-LABEL: func.func @main
// CHECK:   %[[BIAS:.*]] = graph.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]>
// CHECK-NOT: linalg.generic
// CHECK:   exec.dispatch_region
// CHECK-NEXT: %[[E0:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[B0:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<3xf32>) outs(%[[E0]] : tensor<2x3xf32>)
// CHECK:      linalg.matmul {{.*}} outs(%[[B0]] : tensor<2x3xf32>)
// CHECK:   exec.dispatch_region
// CHECK-NEXT: %[[E1:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK-NEXT: %[[B1:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<3xf32>) outs(%[[E1]] : tensor<2x3xf32>)
// CHECK:      linalg.matmul {{.*}} outs(%[[B1]] : tensor<2x3xf32>)
// CHECK:   return
func.func @main(%x: tensor<2x4xf32> {graph.name = "x"}) -> (tensor<2x3xf32> {graph.name = "a"}, tensor<2x3xf32> {graph.name = "b"}) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32> loc("w")
  %bias = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32> loc("bias")
  %e = tensor.empty() : tensor<2x3xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3xf32>
  %m0 = exec.dispatch_region -> (tensor<2x3xf32>) {
    %0 = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%b : tensor<2x3xf32>) -> tensor<2x3xf32>
    exec.yield %0 : tensor<2x3xf32>
  } loc("Gemm_a")
  %m1 = exec.dispatch_region -> (tensor<2x3xf32>) {
    %0 = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%b : tensor<2x3xf32>) -> tensor<2x3xf32>
    exec.yield %0 : tensor<2x3xf32>
  } loc("Gemm_b")
  return %m0, %m1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Tests that a scalar read from a weight (tensor.extract) and a scalar used
// only inside a nested body are cloned, the weight stays read from above, and
// an empty tensor that a view also reads is cloned but kept.

// CHECK-LABEL: func.func @main
// CHECK:   %[[LIMIT:.*]] = graph.constant dense<[6.000000e+00, 7.000000e+00]> : tensor<2xf32>
// CHECK-NOT: tensor.extract
// CHECK:   %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:   exec.dispatch_region -> (tensor<4xf32>) {
// CHECK-NEXT: %[[I:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[S:.*]] = tensor.extract %[[LIMIT]][%[[I]]] : tensor<2xf32>
// CHECK-NEXT: %[[E2:.*]] = tensor.empty() : tensor<4xf32>
// CHECK-NEXT: linalg.generic {{.*}} outs(%[[E2]] : tensor<4xf32>)
// CHECK:        arith.minimumf %{{.*}}, %[[S]] : f32
// CHECK:   tensor.expand_shape %[[E]]
func.func @main(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}, tensor<2x2xf32> {graph.name = "z"}) {
  %limit = graph.constant dense<[6.0, 7.0]> : tensor<2xf32>
  %i = arith.constant 1 : index
  %s = tensor.extract %limit[%i] : tensor<2xf32>
  %e = tensor.empty() : tensor<4xf32>
  %y = exec.dispatch_region -> (tensor<4xf32>) {
    %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]}
        ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %out: f32):
      %v = arith.minimumf %in, %s : f32
      linalg.yield %v : f32
    } -> tensor<4xf32>
    exec.yield %0 : tensor<4xf32>
  } loc("Clip_0")
  %z = tensor.expand_shape %e [[0, 1]] output_shape [2, 2] : tensor<4xf32> into tensor<2x2xf32>
  return %y, %z : tensor<4xf32>, tensor<2x2xf32>
}

// -----

// Tests that a fill whose result is also returned (not only an init) is not
// cloned: the region reads it from above.

// CHECK-LABEL: func.func @main
// CHECK:   %[[F:.*]] = linalg.fill
// CHECK:   exec.dispatch_region -> (tensor<4xf32>) {
// CHECK-NEXT: linalg.exp {{.*}} outs(%[[F]] : tensor<4xf32>)
func.func @main(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}, tensor<4xf32> {graph.name = "z"}) {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%one : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %y = exec.dispatch_region -> (tensor<4xf32>) {
    %0 = linalg.exp ins(%x : tensor<4xf32>) outs(%f : tensor<4xf32>) -> tensor<4xf32>
    exec.yield %0 : tensor<4xf32>
  } loc("Exp_0")
  return %y, %f : tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that one-element float tensor constants (a Clip's bounds) are cloned
// into the region as arith.constant and the originals erased, while a
// larger constant (a weight) stays a value read from above.

// CHECK-LABEL: func.func @main
// CHECK-NOT: graph.constant dense<0.000000e+00> : tensor<f32>
// CHECK:   %[[W:.*]] = graph.constant dense<5.000000e-01> : tensor<4xf32>
// CHECK-NOT: graph.constant
// CHECK:   exec.dispatch_region -> (tensor<4xf32>) {
// CHECK-NEXT: %[[LO:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK-NEXT: %[[HI:.*]] = arith.constant dense<6.000000e+00> : tensor<f32>
// CHECK:      linalg.generic {{.*}} ins(%{{.*}}, %[[W]], %[[LO]], %[[HI]] : tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>)
func.func @main(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}) {
  %lo = graph.constant dense<0.0> : tensor<f32> loc("lo")
  %hi = graph.constant dense<6.0> : tensor<f32> loc("hi")
  %w = graph.constant dense<0.5> : tensor<4xf32> loc("w")
  %e = tensor.empty() : tensor<4xf32>
  %y = exec.dispatch_region -> (tensor<4xf32>) {
    %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]}
        ins(%x, %w, %lo, %hi : tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %s: f32, %l: f32, %h: f32, %out: f32):
      %m = arith.mulf %in, %s : f32
      %a = arith.maximumf %m, %l : f32
      %b = arith.minimumf %a, %h : f32
      linalg.yield %b : f32
    } -> tensor<4xf32>
    exec.yield %0 : tensor<4xf32>
  } loc("Clip_0")
  return %y : tensor<4xf32>
}

// -----

// Tests that a one-element constant the body multiplies by (a scale) stays a
// value read from above: only exact uses (compares, max/min, select) make a
// constant clonable, since a constant factor of a product may be
// reassociated by the kernel compiler.

// CHECK-LABEL: func.func @main
// CHECK:   %[[S:.*]] = graph.constant dense<4.000000e-03> : tensor<f32>
// CHECK:   exec.dispatch_region -> (tensor<4xf32>) {
// CHECK-NOT: arith.constant dense
// CHECK:      linalg.generic {{.*}} ins(%{{.*}}, %[[S]] : tensor<4xf32>, tensor<f32>)
func.func @main(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}) {
  %s = graph.constant dense<0.004> : tensor<f32> loc("scale")
  %e = tensor.empty() : tensor<4xf32>
  %y = exec.dispatch_region -> (tensor<4xf32>) {
    %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]}
        ins(%x, %s : tensor<4xf32>, tensor<f32>) outs(%e : tensor<4xf32>) {
    ^bb0(%in: f32, %c: f32, %out: f32):
      %m = arith.mulf %in, %c : f32
      linalg.yield %m : f32
    } -> tensor<4xf32>
    exec.yield %0 : tensor<4xf32>
  } loc("Mul_0")
  return %y : tensor<4xf32>
}

// -----

// Tests that a non-finite one-element constant (an attention mask's -inf)
// stays a value read from above even where it is only selected: the kernel
// compiler's simplifier assumes constants in float arithmetic are finite.

// CHECK-LABEL: func.func @main
// CHECK:   %[[NINF:.*]] = graph.constant dense<0xFF800000> : tensor<f32>
// CHECK:   exec.dispatch_region -> (tensor<4xf32>) {
// CHECK-NOT: arith.constant dense
// CHECK:      linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[NINF]] : tensor<4xi1>, tensor<4xf32>, tensor<f32>)
func.func @main(%m: tensor<4xi1> {graph.name = "m"}, %x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}) {
  %ninf = graph.constant dense<0xFF800000> : tensor<f32> loc("ninf")
  %e = tensor.empty() : tensor<4xf32>
  %y = exec.dispatch_region -> (tensor<4xf32>) {
    %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> ()>, affine_map<(d0) -> (d0)>],
                         iterator_types = ["parallel"]}
        ins(%m, %x, %ninf : tensor<4xi1>, tensor<4xf32>, tensor<f32>) outs(%e : tensor<4xf32>) {
    ^bb0(%c: i1, %in: f32, %n: f32, %out: f32):
      %s = arith.select %c, %in, %n : f32
      linalg.yield %s : f32
    } -> tensor<4xf32>
    exec.yield %0 : tensor<4xf32>
  } loc("Where_0")
  return %y : tensor<4xf32>
}
