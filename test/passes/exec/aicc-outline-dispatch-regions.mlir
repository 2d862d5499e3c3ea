// RUN: aicc-opt %s -split-input-file --aicc-outline-dispatch-regions | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-outline-dispatch-regions --mlir-print-debuginfo --mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Tests that a region becomes a kernel named after its node with its body,
// the tensors it reads from above become bindings (in the order its op reads
// them, those read by its cloned producers in place), and its dispatch keeps
// the region's location and writes the output through a view.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Gemm_0(%[[A:.*]]: tensor<1x4xf32>, %[[B:.*]]: tensor<4x3xf32>, %[[C:.*]]: tensor<3xf32>) -> tensor<1x3xf32>
// CHECK:   %[[E:.*]] = tensor.empty() : tensor<1x3xf32>
// CHECK:   %[[I:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<3xf32>) outs(%[[E]] : tensor<1x3xf32>)
// CHECK:   %[[M:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<1x4xf32>, tensor<4x3xf32>) outs(%[[I]] : tensor<1x3xf32>)
// CHECK:   return %[[M]] : tensor<1x3xf32>
// CHECK: exec.schedule @main(%[[X:.*]]: memref<1x4xf32> {graph.name = "x"}, %[[Y:.*]]: memref<3xf32> {graph.name = "y"})
// CHECK:   %[[W:.*]] = exec.constant "w"
// CHECK:   %[[BIAS:.*]] = exec.constant "bias"
// CHECK:   %[[V:.*]] = exec.view %[[Y]][0] : memref<3xf32> to memref<1x3xf32>
// CHECK:   exec.dispatch @kernels::@k0_Gemm_0 ins(%[[X]], %[[W]], %[[BIAS]] : memref<1x4xf32>, memref<4x3xf32>, memref<3xf32>) outs(%[[V]] : memref<1x3xf32>)
// CHECK-NOT: exec.copy
// CHECK:   exec.return
// LOC-LABEL: exec.schedule @main
// LOC: exec.dispatch @kernels::@k0_Gemm_0 {{.*}} loc("Gemm_0")
func.func @main(%x: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<3xf32> {graph.name = "y"}) {
  %w = graph.constant dense<0.5> : tensor<4x3xf32> loc("w")
  %bias = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32> loc("bias")
  %m = exec.dispatch_region -> (tensor<1x3xf32>) {
    %e = tensor.empty() : tensor<1x3xf32>
    %b = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]}
        ins(%bias : tensor<3xf32>) outs(%e : tensor<1x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<1x3xf32>
    %0 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%b : tensor<1x3xf32>) -> tensor<1x3xf32>
    exec.yield %0 : tensor<1x3xf32>
  } loc("Gemm_0")
  %y = tensor.collapse_shape %m [[0, 1]] : tensor<1x3xf32> into tensor<3xf32> loc("Flatten_1")
  return %y : tensor<3xf32>
}

// -----

// Tests that a region of several ops with a fused location becomes one
// kernel computing all of them, named after the first node of the location,
// with one binding per result and a dispatch that keeps the fused location.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Exp_0(%[[A:.*]]: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// CHECK:   %[[P:.*]] = linalg.exp ins(%[[A]] : tensor<4xf32>)
// CHECK:   %[[Q:.*]] = linalg.negf ins(%[[P]] : tensor<4xf32>)
// CHECK:   return %[[P]], %[[Q]]
// CHECK: exec.schedule @main(%[[X:[^:]*]]: memref<4xf32> {{.*}}, %[[Y:[^:]*]]: memref<4xf32> {{.*}}, %[[Z:[^:]*]]: memref<4xf32> {{.*}})
// CHECK:   exec.dispatch @kernels::@k0_Exp_0 ins(%[[X]] : memref<4xf32>) outs(%[[Y]], %[[Z]] : memref<4xf32>, memref<4xf32>)
// LOC-LABEL: exec.schedule @main
// LOC: exec.dispatch @kernels::@k0_Exp_0 {{.*}} loc(fused["Exp_0", "Neg_1"])
func.func @main(%x: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}, tensor<4xf32> {graph.name = "z"}) {
  %r:2 = exec.dispatch_region -> (tensor<4xf32>, tensor<4xf32>) {
    %e = tensor.empty() : tensor<4xf32>
    %p = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc("Exp_0")
    %q = linalg.negf ins(%p : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32> loc("Neg_1")
    exec.yield %p, %q : tensor<4xf32>, tensor<4xf32>
  } loc(fused["Exp_0", "Neg_1"])
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that a region without a node name is named after the op computing
// its first result, and that the intermediate of a chain is an exec.alloc.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_tensor_pad(%{{.*}}: tensor<1x2xf32>) -> tensor<3x4xf32>
// CHECK:   %[[P:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:   tensor.pad
// CHECK:     tensor.yield %[[P]]
// CHECK: func.func @k1_linalg_exp(%{{.*}}: tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK: exec.schedule @main(%[[X:[^:]*]]: memref<1x2xf32> {{.*}}, %[[Y:[^:]*]]: memref<3x4xf32> {{.*}})
// CHECK:   %[[T:.*]] = exec.alloc : memref<3x4xf32>
// CHECK:   exec.dispatch @kernels::@k0_tensor_pad ins(%[[X]] : memref<1x2xf32>) outs(%[[T]] : memref<3x4xf32>)
// CHECK:   exec.dispatch @kernels::@k1_linalg_exp ins(%[[T]] : memref<3x4xf32>) outs(%[[Y]] : memref<3x4xf32>)
func.func @main(%x: tensor<1x2xf32> {graph.name = "x"}) -> (tensor<3x4xf32> {graph.name = "y"}) {
  %p = exec.dispatch_region -> (tensor<3x4xf32>) {
    %pad = arith.constant 0.0 : f32
    %0 = tensor.pad %x low[1, 1] high[1, 1] {
    ^bb0(%i: index, %j: index):
      tensor.yield %pad : f32
    } : tensor<1x2xf32> to tensor<3x4xf32>
    exec.yield %0 : tensor<3x4xf32>
  }
  %y = exec.dispatch_region -> (tensor<3x4xf32>) {
    %e = tensor.empty() : tensor<3x4xf32>
    %0 = linalg.exp ins(%p : tensor<3x4xf32>) outs(%e : tensor<3x4xf32>) -> tensor<3x4xf32>
    exec.yield %0 : tensor<3x4xf32>
  }
  return %y : tensor<3x4xf32>
}
