// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that BitCast between same-width types is an elementwise
// arith.bitcast, and from bool to uint8 a zero extension.
// CHECK-LABEL: func.func @bitcast
// CHECK: linalg.generic
// CHECK: arith.bitcast %{{.*}} : f32 to i32
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i1 to i8
func.func @bitcast(%x: tensor<4xf32>, %b: tensor<3xi1>) -> (tensor<4xi32>, tensor<3xui8>) {
  %y = graph.BitCast %x {to = 6 : i64} : (tensor<4xf32>) -> tensor<4xi32>
  %z = graph.BitCast %b {to = 2 : i64} : (tensor<3xi1>) -> tensor<3xui8>
  return %y, %z : tensor<4xi32>, tensor<3xui8>
}

// -----

// Tests that LpPool with p = 2 becomes x*x, a sum pooling (an average
// over the window with the padding counted, times the window size 3) and a
// square root.
// CHECK-LABEL: func.func @lp_pool
// CHECK: math.absf
// CHECK: arith.mulf
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK: math.sqrt
// CHECK-NOT: graph.
func.func @lp_pool(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %y = graph.LpPool %x {kernel_shape = array<i64: 3>, p = 2 : i64} : (tensor<1x1x4xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// Tests that LpPool with ceil_mode is left unlowered with the reason.
// CHECK-LABEL: func.func @lp_pool_ceil
// CHECK: graph.LpPool {{.*}}aicc.unsupported = "attribute 'ceil_mode' = 1 is not supported"
func.func @lp_pool_ceil(%x: tensor<1x1x4xf32>) -> tensor<1x1x2xf32> {
  %y = graph.LpPool %x {ceil_mode = 1 : i64, kernel_shape = array<i64: 3>, p = 2 : i64, strides = array<i64: 2>} : (tensor<1x1x4xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}
