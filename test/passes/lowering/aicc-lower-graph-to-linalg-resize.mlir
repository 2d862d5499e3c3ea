// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that Resize in linear mode blends the two edge-clamped neighbours of
// each resized dim with f64 weights, and that dims of scale 1 index
// directly.
// CHECK-LABEL: func @resize_linear
func.func @resize_linear(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32> {
  %s = graph.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.floor
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK-COUNT-4: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x2x4x4xf32>
  // CHECK: arith.truncf %{{.*}} : f64 to f32
  %0 = graph.Resize %x scales(%s) {mode = "linear"} : (tensor<1x2x4x4xf32>, tensor<4xf32>) -> tensor<1x2x8x8xf32>
  return %0 : tensor<1x2x8x8xf32>
}

// -----

// Tests that Resize in nearest mode rounds the asymmetric coordinate with
// round_prefer_floor (ceil(x - 0.5)) and gathers one element.
// CHECK-LABEL: func @resize_nearest
func.func @resize_nearest(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %sizes = graph.constant dense<[1, 1, 4, 4]> : tensor<4xi64>
  // CHECK: linalg.generic
  // CHECK: arith.divf
  // CHECK: arith.subf
  // CHECK: math.ceil
  // CHECK: tensor.extract
  // CHECK-NOT: tensor.extract
  %0 = graph.Resize %x sizes(%sizes) {coordinate_transformation_mode = "asymmetric"} : (tensor<1x1x2x2xf32>, tensor<4xi64>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Tests that Resize in cubic mode reads the 4 edge-clamped neighbours
// (floor-1 .. floor+2) of each of the 2 resized dims (16 taps) with Keys'
// weights for cubic_coeff_a, and that exclude_outside zeroes the weights of
// neighbours outside the input and divides by the sum of the others.
// CHECK-LABEL: func @resize_cubic_exclude_outside
func.func @resize_cubic_exclude_outside(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x8x8xf32> {
  %s = graph.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: math.floor
  // CHECK: arith.constant -5.000000e-01 : f64
  // CHECK: arith.select
  // CHECK: arith.divf
  // CHECK-COUNT-16: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x1x4x4xf32>
  // CHECK-NOT: tensor.extract
  %0 = graph.Resize %x scales(%s) {mode = "cubic", cubic_coeff_a = -0.5 : f32, exclude_outside = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x8x8xf32>
  return %0 : tensor<1x1x8x8xf32>
}

// -----

// Tests that tf_crop_and_resize maps output indices into the constant roi
// and gives extrapolation_value where the coordinate leaves the input.
// CHECK-LABEL: func @resize_crop
func.func @resize_crop(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x3x3xf32> {
  %roi = graph.constant dense<[0.0, 0.0, 0.4, 0.6, 1.0, 1.0, 1.2, 1.7]> : tensor<8xf32>
  %sizes = graph.constant dense<[1, 1, 3, 3]> : tensor<4xi64>
  // CHECK: linalg.generic
  // CHECK: arith.cmpf olt
  // CHECK: arith.cmpf ogt
  // CHECK: arith.ori
  // CHECK: arith.constant 1.000000e+01 : f64
  // CHECK: arith.select
  %0 = graph.Resize %x roi(%roi) sizes(%sizes) {coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 10.0 : f32, mode = "linear"} : (tensor<1x1x4x4xf32>, tensor<8xf32>, tensor<4xi64>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Tests that the opset-11 tf_half_pixel_for_nn mode maps x to (x + 0.5) /
// scale, without the half-pixel -0.5 (the one subf is round_prefer_floor's
// ceil(c - 0.5)).
// CHECK-LABEL: func @resize_tf_half_pixel_for_nn
func.func @resize_tf_half_pixel_for_nn(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %s = graph.constant dense<[1.0, 1.0, 0.5, 0.5]> : tensor<4xf32>
  // CHECK: linalg.generic
  // CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %{{.*}} : f64
  // CHECK-NEXT: %[[SCALE:.*]] = arith.constant 5.000000e-01 : f64
  // CHECK-NEXT: arith.divf %[[SUM]], %[[SCALE]] : f64
  // CHECK-NEXT: arith.constant 5.000000e-01 : f64
  // CHECK-NEXT: arith.subf
  // CHECK-NEXT: math.ceil
  %0 = graph.Resize %x scales(%s) {coordinate_transformation_mode = "tf_half_pixel_for_nn"} : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}
