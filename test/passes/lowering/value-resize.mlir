// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that Resize with scales from a graph input reads the scales tensor
// in the kernel (element j for resized axis j, extended to f64) for the
// half_pixel transform, that the output extents are the value symbols, and
// that dims of static size 1 read index 0 without a coordinate.
// CHECK-LABEL: func.func @nearest_value_scales
// CHECK-DAG: %[[O0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[O1:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[O2:.*]] = exec.symbol {index = 2 : i64}
// CHECK-DAG: %[[O3:.*]] = exec.symbol {index = 3 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[O0]], %[[O1]], %[[O2]], %[[O3]]) : tensor<?x?x?x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x?x?x?xf32>)
// CHECK: %[[I2:.*]] = linalg.index 2 : index
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[S2:.*]] = tensor.extract %arg1[%[[C2]]] : tensor<4xf32>
// CHECK: %[[S2D:.*]] = arith.extf %[[S2]] : f32 to f64
// CHECK: arith.divf %{{.*}}, %[[S2D]] : f64
// CHECK: math.ceil
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: tensor.extract %arg1[%[[C3]]] : tensor<4xf32>
// CHECK: %[[V:.*]] = tensor.extract %arg0[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x1x2x4xf32>
// CHECK: linalg.yield %[[V]] : f32
func.func @nearest_value_scales(%x: tensor<1x1x2x4xf32>, %s: tensor<4xf32>) -> tensor<?x?x?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "o0", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o0"},
      {name = "o1", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o1"},
      {name = "o2", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o2"},
      {name = "o3", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o3"}]} {
  %0 = graph.Resize %x scales(%s) {
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3] -> (s0, s1, s2, s3)>]}
      : (tensor<1x1x2x4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// Tests that Resize with sizes from a graph input (axes 2 and 3) computes
// each scale as output extent / input extent in the kernel (the output
// extent a push constant), and that linear align_corners blends two taps
// per resized dim while the other dims keep their index.
// CHECK-LABEL: func.func @linear_value_sizes
// CHECK-DAG: %[[H:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[W:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[H]], %[[W]]) : tensor<1x3x?x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<1x3x?x?xf32>)
// CHECK: linalg.index 0
// CHECK: linalg.index 1
// CHECK: %[[HI:.*]] = arith.index_cast %[[H]] : index to i64
// CHECK: %[[HF:.*]] = arith.sitofp %[[HI]] : i64 to f64
// CHECK: %[[SC:.*]] = arith.divf %[[HF]], %{{.*}} : f64
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK: arith.truncf
func.func @linear_value_sizes(%x: tensor<1x3x4x4xf32>, %sizes: tensor<2xi64>) -> tensor<1x3x?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "h", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "h"},
      {name = "w", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "w"}]} {
  %0 = graph.Resize %x sizes(%sizes) {axes = array<i64: 2, 3>, mode = "linear",
      coordinate_transformation_mode = "align_corners",
      aicc.result_dims = [affine_map<()[s0, s1] -> (1, 3, s0, s1)>]}
      : (tensor<1x3x4x4xf32>, tensor<2xi64>) -> tensor<1x3x?x?xf32>
  return %0 : tensor<1x3x?x?xf32>
}

// -----

// Tests that keep_aspect_ratio_policy=not_larger with sizes from a graph
// input reads the sizes tensor in the kernel and takes the smallest ratio
// of sizes / input extent as the scale of every resized axis.
// CHECK-LABEL: func.func @not_larger
// CHECK: linalg.generic
// CHECK: %[[A:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<2xi64>
// CHECK: %[[AF:.*]] = arith.sitofp %[[A]] : i64 to f64
// CHECK: %[[R0:.*]] = arith.divf %[[AF]], %{{.*}} : f64
// CHECK: %[[B:.*]] = tensor.extract %arg1[%{{.*}}] : tensor<2xi64>
// CHECK: %[[BF:.*]] = arith.sitofp %[[B]] : i64 to f64
// CHECK: %[[R1:.*]] = arith.divf %[[BF]], %{{.*}} : f64
// CHECK: arith.minimumf %[[R0]], %[[R1]] : f64
func.func @not_larger(%x: tensor<1x1x2x4xf32>, %sizes: tensor<2xi64>) -> tensor<1x1x?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "h", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "h"},
      {name = "w", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "w"}]} {
  %0 = graph.Resize %x sizes(%sizes) {axes = array<i64: 2, 3>,
      keep_aspect_ratio_policy = "not_larger",
      aicc.result_dims = [affine_map<()[s0, s1] -> (1, 1, s0, s1)>]}
      : (tensor<1x1x2x4xf32>, tensor<2xi64>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// Tests that cubic with exclude_outside and value scales builds 4 taps per
// resized dim (16 reads for two resized dims, none for the static size-1
// dims), zeroes the weights of taps outside the input extent and
// renormalizes them.
// CHECK-LABEL: func.func @cubic_exclude_outside
// CHECK: linalg.generic
// CHECK: arith.cmpf oge
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK-COUNT-16: tensor.extract %arg0
// CHECK-NOT: tensor.extract %arg0
// CHECK: linalg.yield
func.func @cubic_exclude_outside(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<?x?x?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "o0", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o0"},
      {name = "o1", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o1"},
      {name = "o2", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o2"},
      {name = "o3", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o3"}]} {
  %0 = graph.Resize %x scales(%s) {mode = "cubic", cubic_coeff_a = -0.5 : f32, exclude_outside = 1 : i64,
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3] -> (s0, s1, s2, s3)>]}
      : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

// -----

// Tests that tf_crop_and_resize with a roi and scales from graph inputs
// reads both in the kernel (roi start j and end j + 2 of resized axis j)
// and gives the extrapolation value for coordinates outside the input, and
// that antialias stays unsupported with its reason.
// CHECK-LABEL: func.func @crop
// CHECK: linalg.generic
// CHECK: tensor.extract %arg2[%{{.*}}] : tensor<2xf32>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: tensor.extract %arg1[%[[C0]]] : tensor<4xf32>
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT: tensor.extract %arg1[%[[C2]]] : tensor<4xf32>
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ogt
// CHECK: arith.ori
// CHECK: arith.constant 1.000000e+01 : f64
// CHECK: arith.select
// CHECK-LABEL: func.func @antialias
// CHECK: graph.Resize {{.*}}aicc.unsupported = "antialias is not supported"
func.func @crop(%x: tensor<1x1x4x4xf32>, %roi: tensor<4xf32>, %s: tensor<2xf32>) -> tensor<1x1x?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "h", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "h"},
      {name = "w", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "w"}]} {
  %0 = graph.Resize %x roi(%roi) scales(%s) {axes = array<i64: 2, 3>, mode = "linear",
      coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0 : f32,
      aicc.result_dims = [affine_map<()[s0, s1] -> (1, 1, s0, s1)>]}
      : (tensor<1x1x4x4xf32>, tensor<4xf32>, tensor<2xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}
func.func @antialias(%x: tensor<1x1x4x4xf32>, %s: tensor<4xf32>) -> tensor<?x?x?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "o0", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o0"},
      {name = "o1", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o1"},
      {name = "o2", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o2"},
      {name = "o3", range = array<i64: 0, 2147483647>, def = array<i64: 1>, what = "o3"}]} {
  %0 = graph.Resize %x scales(%s) {mode = "linear", antialias = 1 : i64,
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3] -> (s0, s1, s2, s3)>]}
      : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}
