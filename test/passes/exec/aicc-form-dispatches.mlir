// RUN: aicc-opt %s -split-input-file --aicc-form-dispatches | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatches --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions --aicc-clone-producers-into-dispatch-regions --aicc-outline-dispatch-regions | FileCheck %s

// Tests that an elementwise op becomes a kernel named after its ONNX node, a
// dispatch keeps the node's location, and a returned reshape of its result
// makes the dispatch write the output buffer directly through a view.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Exp_0(%[[A:.*]]: tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK:   %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK:   %[[R:.*]] = linalg.exp ins(%[[A]] : tensor<2x4xf32>) outs(%[[E]] : tensor<2x4xf32>)
// CHECK:   return %[[R]]
// CHECK: exec.schedule @main(%[[X:.*]]: memref<2x4xf32> {graph.name = "x"}, %[[Y:.*]]: memref<8xf32> {graph.name = "y"})
// CHECK-SAME: num_inputs = 1
// CHECK:   %[[V:.*]] = exec.view %[[Y]][0] : memref<8xf32> to memref<2x4xf32>
// CHECK:   exec.dispatch @kernels::@k0_Exp_0 ins(%[[X]] : memref<2x4xf32>) outs(%[[V]] : memref<2x4xf32>)
// LOC-LABEL: exec.schedule @main
// LOC: exec.dispatch @kernels::@k0_Exp_0 {{.*}} loc("Exp_0")
// CHECK-NOT: exec.copy
// CHECK:   exec.return
func.func @main(%x: tensor<2x4xf32> {graph.name = "x"}) -> (tensor<8xf32> {graph.name = "y"}) {
  %e = tensor.empty() : tensor<2x4xf32>
  %r = linalg.exp ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) -> tensor<2x4xf32> loc("Exp_0")
  %y = tensor.collapse_shape %r [[0, 1]] : tensor<2x4xf32> into tensor<8xf32> loc("Flatten_1")
  return %y : tensor<8xf32>
}

// -----

// Tests that a matmul's zero-fill init is cloned into its kernel, its weight
// becomes a named exec.constant passed as a binding, and the intermediate of
// a chain is an exec.alloc.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Gemm_0(%[[A:.*]]: tensor<1x4xf32>, %[[B:.*]]: tensor<4x3xf32>) -> tensor<1x3xf32>
// CHECK:   arith.constant 0.000000e+00 : f32
// CHECK:   tensor.empty() : tensor<1x3xf32>
// CHECK:   linalg.fill
// CHECK:   linalg.matmul ins(%[[A]], %[[B]] :
// CHECK: func.func @k1_Relu_1(%{{.*}}: tensor<1x3xf32>) -> tensor<1x3xf32>
// CHECK: exec.schedule @main(%[[X:.*]]: memref<1x4xf32> {{.*}}, %[[Y:.*]]: memref<1x3xf32> {{.*}})
// CHECK:   %[[W:.*]] = exec.constant "fc.weight" dense<5.000000e-01> : tensor<4x3xf32> -> memref<4x3xf32>
// CHECK:   %[[T:.*]] = exec.alloc : memref<1x3xf32>
// CHECK:   exec.dispatch @kernels::@k0_Gemm_0 ins(%[[X]], %[[W]] : memref<1x4xf32>, memref<4x3xf32>) outs(%[[T]] : memref<1x3xf32>)
// CHECK:   exec.dispatch @kernels::@k1_Relu_1 ins(%[[T]] : memref<1x3xf32>) outs(%[[Y]] : memref<1x3xf32>)
// LOC-LABEL: exec.schedule @main
// LOC: exec.dispatch @kernels::@k0_Gemm_0 {{.*}} loc("Gemm_0")
// LOC: exec.dispatch @kernels::@k1_Relu_1 {{.*}} loc("Relu_1")
func.func @main(%x: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<1x3xf32> {graph.name = "y"}) {
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
  return %r : tensor<1x3xf32>
}

// -----

// Tests that outputs that cannot be written in place are copied: an input
// returned as it is, a weight, and a value returned twice (written in place
// once, then copied from that output).

// CHECK-LABEL: exec.executable @kernels
// CHECK: exec.schedule @main
// CHECK-SAME: (%[[X:[^:]*]]: memref<4xf32> {{.*}}, %[[A:[^:]*]]: memref<4xf32> {{.*}}, %[[B:[^:]*]]: memref<4xf32> {{.*}}, %[[C:[^:]*]]: memref<4xf32> {{.*}}, %[[D:[^:]*]]: memref<4xf32> {{.*}})
// CHECK:   %[[W:.*]] = exec.constant
// CHECK:   exec.dispatch @kernels::@k0_Neg_0 ins(%[[X]] : memref<4xf32>) outs(%[[A]] : memref<4xf32>)
// CHECK:   exec.copy %[[A]], %[[B]]
// CHECK:   exec.copy %[[X]], %[[C]]
// CHECK:   exec.copy %[[W]], %[[D]]
func.func @main(%x: tensor<4xf32> {graph.name = "x"})
    -> (tensor<4xf32> {graph.name = "a"}, tensor<4xf32> {graph.name = "b"},
        tensor<4xf32> {graph.name = "c"}, tensor<4xf32> {graph.name = "d"}) {
  %w = graph.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %n = linalg.negf ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc("Neg_0")
  return %n, %n, %x, %w : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that a contiguous extract_slice is a view at its byte offset, while a
// strided one is a kernel.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Slice_1(%{{.*}}: tensor<4x6xf32>) -> tensor<4x2xf32>
// CHECK:   tensor.extract_slice
// CHECK: exec.schedule @main(%[[X:[^:]*]]: memref<4x6xf32> {{.*}}, %[[Y:[^:]*]]: memref<2x6xf32> {{.*}}, %[[Z:[^:]*]]: memref<4x2xf32> {{.*}})
// CHECK:   %[[V:.*]] = exec.view %[[X]][48] : memref<4x6xf32> to memref<2x6xf32>
// CHECK:   exec.dispatch @kernels::@k0_Slice_1 ins(%[[X]] : memref<4x6xf32>) outs(%[[Z]] : memref<4x2xf32>)
// CHECK:   exec.copy %[[V]], %[[Y]]
func.func @main(%x: tensor<4x6xf32> {graph.name = "x"})
    -> (tensor<2x6xf32> {graph.name = "y"}, tensor<4x2xf32> {graph.name = "z"}) {
  %rows = tensor.extract_slice %x[2, 0] [2, 6] [1, 1] : tensor<4x6xf32> to tensor<2x6xf32> loc("Slice_0")
  %cols = tensor.extract_slice %x[0, 1] [4, 2] [1, 1] : tensor<4x6xf32> to tensor<4x2xf32> loc("Slice_1")
  return %rows, %cols : tensor<2x6xf32>, tensor<4x2xf32>
}

// -----

// Tests that tensor.pad is a kernel with its padding value cloned in, and
// that kernels without a node name are named after the op.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_tensor_pad(%{{.*}}: tensor<1x2x2xf32>) -> tensor<1x4x4xf32>
// CHECK:   %[[P:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:   tensor.pad
// CHECK:     tensor.yield %[[P]]
func.func @main(%x: tensor<1x2x2xf32> {graph.name = "x"}) -> (tensor<1x4x4xf32> {graph.name = "y"}) {
  %pad = arith.constant 0.0 : f32
  %y = tensor.pad %x low[0, 1, 1] high[0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %pad : f32
  } : tensor<1x2x2xf32> to tensor<1x4x4xf32>
  return %y : tensor<1x4x4xf32>
}

// -----

// Tests that a scalar read from a weight in @main (tensor.extract) is
// recomputed in the kernel, with the weight as a binding.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Clip_0(%[[IN:.*]]: tensor<4xf32>, %[[LIMIT:.*]]: tensor<f32>) -> tensor<4xf32>
// CHECK:   %[[S:.*]] = tensor.extract %[[LIMIT]][] : tensor<f32>
// CHECK:   arith.minimumf %{{.*}}, %[[S]]
// CHECK: exec.schedule @main(%[[X:[^:]*]]: memref<4xf32>
// CHECK:   %[[C:.*]] = exec.constant dense<6.000000e+00> : tensor<f32> -> memref<f32>
// CHECK:   exec.dispatch @kernels::@k0_Clip_0 ins(%[[X]], %[[C]] : memref<4xf32>, memref<f32>)
func.func @main(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}) {
  %limit = graph.constant dense<6.0> : tensor<f32>
  %s = tensor.extract %limit[] : tensor<f32>
  %e = tensor.empty() : tensor<4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %v = arith.minimumf %in, %s : f32
    linalg.yield %v : f32
  } -> tensor<4xf32> loc("Clip_0")
  return %y : tensor<4xf32>
}

// -----

// Tests that a bias broadcast used only as the init of two matmuls is
// cloned into both kernels (its bias becomes a binding of each) instead of
// being a dispatch that writes a full tensor.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Gemm_a(%{{.*}}: tensor<2x4xf32>, %{{.*}}: tensor<4x3xf32>, %[[B0:.*]]: tensor<3xf32>)
// CHECK:   linalg.generic {{.*}} ins(%[[B0]] : tensor<3xf32>)
// CHECK:   linalg.matmul
// CHECK: func.func @k1_Gemm_b(%{{.*}}: tensor<2x4xf32>, %{{.*}}: tensor<4x3xf32>, %[[B1:.*]]: tensor<3xf32>)
// CHECK:   linalg.generic {{.*}} ins(%[[B1]] : tensor<3xf32>)
// CHECK:   linalg.matmul
// CHECK: exec.schedule @main
// CHECK-COUNT-2: exec.dispatch
// CHECK-NOT: exec.dispatch
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
  %m0 = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%b : tensor<2x3xf32>) -> tensor<2x3xf32> loc("Gemm_a")
  %m1 = linalg.matmul ins(%x, %w : tensor<2x4xf32>, tensor<4x3xf32>) outs(%b : tensor<2x3xf32>) -> tensor<2x3xf32> loc("Gemm_b")
  return %m0, %m1 : tensor<2x3xf32>, tensor<2x3xf32>
}
