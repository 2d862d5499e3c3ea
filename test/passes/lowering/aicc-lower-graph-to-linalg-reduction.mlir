// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that Softmax subtracts the max along the axis before exp.
// CHECK-LABEL: func @softmax
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.maximumf
  // CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[MAX]] :
  // CHECK: arith.subf
  // CHECK: math.exp
  // CHECK: arith.divf
  %0 = graph.Softmax %x {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Tests that ReduceMean with keepdims reduces, divides by the count and
// expands back to rank 3; LayerNormalization computes its statistics over
// the trailing dims.
// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) -> (tensor<2x1x4xf32>, tensor<2x3x4xf32>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
  // CHECK: arith.constant 3.000000e+00 : f32
  // CHECK: tensor.expand_shape {{.*}} : tensor<2x4xf32> into tensor<2x1x4xf32>
  %axes = graph.constant dense<[1]> : tensor<1xi64>
  %0 = graph.ReduceMean %x, %axes : (tensor<2x3x4xf32>, tensor<1xi64>) -> tensor<2x1x4xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  // CHECK: math.sqrt
  %y, %m, %r = graph.LayerNormalization %x, %s {axis = -1 : i64} : (tensor<2x3x4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  return %0, %y : tensor<2x1x4xf32>, tensor<2x3x4xf32>
}

// -----

// Tests that an f32 LayerNormalization over 8 or more elements computes its
// statistics as ONNX Runtime's MLAS kernel does: the mean from four f64
// lanes (12 of the 13 elements) plus the last element, divided in f64; the
// variance from eight f32 lanes of fused multiply-adds (f64 multiply-adds
// rounded to f32) plus the 5 tail elements, in strict-float expressions
// (max(v, -|v|)); y as fma((x - mean) * inv_std, scale, bias).
// CHECK-LABEL: func @layernorm_like_ort
func.func @layernorm_like_ort(%x: tensor<2x3x13xf32>, %s: tensor<13xf32>, %b: tensor<13xf32>) -> tensor<2x3x13xf32> {
  // CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 3, 12] [1, 1, 1]
  // CHECK: tensor.expand_shape {{.*}} output_shape [2, 3, 3, 4]
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]
  // CHECK: arith.extf %{{.*}} : f32 to f64
  // CHECK-NEXT: arith.addf %{{.*}} : f64
  // CHECK: } -> tensor<2x3x4xf64>
  // CHECK: arith.divf %{{.*}} : f64
  // CHECK: arith.maximumf %{{.*}} : f64
  // CHECK: arith.truncf %{{.*}} : f64 to f32
  // CHECK: tensor.expand_shape {{.*}} output_shape [2, 3, 1, 8]
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel"]
  // CHECK: arith.subf
  // CHECK: arith.mulf %{{.*}} : f64
  // CHECK-NEXT: arith.addf %{{.*}} : f64
  // CHECK-NEXT: arith.truncf
  // CHECK: } -> tensor<2x3x8xf32>
  // CHECK-COUNT-7: arith.addf %{{.*}} : f32
  // CHECK-COUNT-4: arith.mulf %{{.*}} : f32
  // CHECK: arith.mulf %{{.*}} : f64
  // CHECK: math.sqrt
  // CHECK: arith.maximumf
  // CHECK: linalg.generic
  // CHECK: arith.mulf %{{.*}} : f64
  // CHECK-NEXT: arith.addf %{{.*}} : f64
  // CHECK-NEXT: arith.truncf
  %y, %m, %r = graph.LayerNormalization %x, %s, %b {axis = -1 : i64} : (tensor<2x3x13xf32>, tensor<13xf32>, tensor<13xf32>) -> (tensor<2x3x13xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  return %y : tensor<2x3x13xf32>
}

// -----

// Tests that inference BatchNormalization is one elementwise generic with the
// per-channel parameters read along dim 1.
// CHECK-DAG: #[[$CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func @batchnorm
func.func @batchnorm(%x: tensor<1x3x4x4xf32>, %p: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$CH]], #[[$CH]], #[[$CH]], #[[$CH]], #{{.*}}]
  // CHECK: math.sqrt
  %y, %rm, %rv = graph.BatchNormalization %x, %p, %p, %p, %p : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<1x3x4x4xf32>
}

// -----

// Tests that Hardmax finds the first maximum with i64 indices and writes
// one-hot along the axis.
// CHECK-LABEL: func @hardmax
func.func @hardmax(%h: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: } -> (tensor<2xf32>, tensor<2xi64>)
  // CHECK-NOT: xindex>
  // CHECK: arith.cmpi eq
  %1 = graph.Hardmax %h {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// Tests that every Reduce* op reduces along its constant axes with its
// combining op.
// CHECK-LABEL: func @reduce_ops
func.func @reduce_ops(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %axes = graph.constant dense<[1]> : tensor<1xi64>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.addf
  %0 = graph.ReduceSum %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
  // CHECK: arith.constant 0xFF800000 : f32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.maximumf
  %1 = graph.ReduceMax %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
  // CHECK: arith.constant 0x7F800000 : f32
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.minimumf
  %2 = graph.ReduceMin %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.mulf
  %3 = graph.ReduceProd %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %4 = graph.ReduceSumSquare %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: math.log
  %5 = graph.ReduceLogSum %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
  // CHECK: math.exp
  // CHECK: math.log
  %6 = graph.ReduceLogSumExp %x, %axes {keepdims = 0 : i64} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<2xf32>
  // CHECK-NOT: graph.Reduce
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// Tests that ArgMax and ArgMin keep the value and its i64 index in one
// generic with two results, comparing strictly so the first index wins.
// CHECK-LABEL: func @arg_ops
func.func @arg_ops(%x: tensor<2x3xf32>) -> (tensor<2xi64>, tensor<2x1xi64>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.cmpf ogt
  // CHECK: } -> (tensor<2xf32>, tensor<2xi64>)
  %0 = graph.ArgMax %x {axis = 1 : i64, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
  // CHECK: arith.cmpf olt
  // CHECK: tensor.expand_shape
  %1 = graph.ArgMin %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return %0, %1 : tensor<2xi64>, tensor<2x1xi64>
}

// -----

// Tests that LogSoftmax subtracts the log of the sum of exponentials.
// CHECK-LABEL: func @log_softmax
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: arith.maximumf
  // CHECK: math.exp
  // CHECK: math.log
  // CHECK: arith.subf
  %0 = graph.LogSoftmax %x {axis = 1 : i64} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Tests that the normalizations compute their statistics with a reduction
// and normalize with an rsqrt-like sqrt and divide (RMSNormalization without
// a mean, LpNormalization with the p-norm).
// CHECK-LABEL: func @normalizations
func.func @normalizations(%x: tensor<2x4x3xf32>, %s4: tensor<4xf32>, %s3: tensor<3xf32>) -> (tensor<2x4x3xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>) {
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  // CHECK: math.sqrt
  %0 = graph.RMSNormalization %x, %s3 {axis = -1 : i64} : (tensor<2x4x3xf32>, tensor<3xf32>) -> tensor<2x4x3xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
  // CHECK: math.sqrt
  %1 = graph.InstanceNormalization %x, %s4, %s4 : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  // CHECK: tensor.expand_shape {{.*}} : tensor<2x4x3xf32> into tensor<2x2x2x3xf32>
  // CHECK: math.sqrt
  %2 = graph.GroupNormalization %x, %s4, %s4 {num_groups = 2 : i64} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  // CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]
  // CHECK: math.sqrt
  // CHECK: arith.divf
  %3 = graph.LpNormalization %x {axis = 1 : i64, p = 2 : i64} : (tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  // CHECK-NOT: graph.
  return %0, %1, %2, %3 : tensor<2x4x3xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>, tensor<2x4x3xf32>
}
