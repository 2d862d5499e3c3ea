// RUN: aicc-opt %s | aicc-opt | FileCheck %s
// Round trip of representative graph ops through their assembly formats:
// plain operands, optional operand groups, variadic operands and results,
// default-valued and optional attributes, and dense_resource constants.

// CHECK-LABEL: func @cnn
func.func @cnn(%x: tensor<1x3x32x32xf32>) -> tensor<1x10xf32> {
  // CHECK: %[[W:.*]] = graph.constant dense_resource<w1> : tensor<8x3x3x3xf32>
  %w = graph.constant dense_resource<w1> : tensor<8x3x3x3xf32>
  %b = graph.constant dense<0.0> : tensor<8xf32>
  // CHECK: graph.Conv %{{.*}}, %[[W]], %{{.*}} {pads = array<i64: 1, 1, 1, 1>}
  %c = graph.Conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x32x32xf32>
  // CHECK: graph.Clip %{{.*}} min(%{{.*}}) max(%{{.*}})
  %lo = graph.constant dense<0.0> : tensor<f32>
  %hi = graph.constant dense<6.0> : tensor<f32>
  %r = graph.Clip %c min(%lo) max(%hi) : (tensor<1x8x32x32xf32>, tensor<f32>, tensor<f32>) -> tensor<1x8x32x32xf32>
  // CHECK: graph.MaxPool %{{.*}} {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>}
  %p, %i = graph.MaxPool %r {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x8x32x32xf32>) -> (tensor<1x8x16x16xf32>, tensor<1x8x16x16xi64>)
  %g = graph.GlobalAveragePool %p : (tensor<1x8x16x16xf32>) -> tensor<1x8x1x1xf32>
  %f = graph.Flatten %g : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %fw = graph.constant dense<0.5> : tensor<10x8xf32>
  // CHECK: graph.Gemm %{{.*}}, %{{.*}} {alpha = 2.000000e+00 : f32, transB = 1 : i64}
  %y = graph.Gemm %f, %fw {alpha = 2.0 : f32, transB = 1 : i64} : (tensor<1x8xf32>, tensor<10x8xf32>) -> tensor<1x10xf32>
  return %y : tensor<1x10xf32>
}

// CHECK-LABEL: func @optional_groups
func.func @optional_groups(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %s = graph.constant dense<[1.0, 1.0, 2.0, 2.0]> : tensor<4xf32>
  // CHECK: graph.Resize %{{.*}} scales(%{{.*}}) {mode = "linear"}
  %y = graph.Resize %x scales(%s) {mode = "linear"} : (tensor<1x3x4x4xf32>, tensor<4xf32>) -> tensor<1x3x8x8xf32>
  return %y : tensor<1x3x8x8xf32>
}

// CHECK-LABEL: func @variadic
func.func @variadic(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  // CHECK: graph.Concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %c = graph.Concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  // CHECK: graph.Split %{{.*}} {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  %s:2 = graph.Split %c {axis = 1 : i64, num_outputs = 2 : i64} : (tensor<2x8xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>)
  return %s#0, %s#1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func @transformer_bits
func.func @transformer_bits(%x: tensor<1x4x8xf32>, %g: tensor<8xf32>, %m: tensor<4x4xi1>) -> tensor<1x4x4xf32> {
  // CHECK: graph.LayerNormalization
  %n, %mean, %rstd = graph.LayerNormalization %x, %g {axis = -1 : i64} : (tensor<1x4x8xf32>, tensor<8xf32>) -> (tensor<1x4x8xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>)
  %perm = graph.Transpose %n {perm = array<i64: 0, 2, 1>} : (tensor<1x4x8xf32>) -> tensor<1x8x4xf32>
  // CHECK: graph.MatMul
  %s = graph.MatMul %n, %perm : (tensor<1x4x8xf32>, tensor<1x8x4xf32>) -> tensor<1x4x4xf32>
  %neg = graph.constant dense<-1.0e9> : tensor<f32>
  // CHECK: graph.Where
  %w = graph.Where %m, %s, %neg : (tensor<4x4xi1>, tensor<1x4x4xf32>, tensor<f32>) -> tensor<1x4x4xf32>
  // CHECK: graph.Softmax %{{.*}} {axis = 1 : i64}
  %p = graph.Softmax %w {axis = 1 : i64} : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  %e = graph.Erf %p : (tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  return %e : tensor<1x4x4xf32>
}

// CHECK-LABEL: func @quantized
func.func @quantized(%x: tensor<1x16xf32>) -> tensor<1x16xf32> {
  %s = graph.constant dense<0.1> : tensor<f32>
  %z = graph.constant dense<3> : tensor<ui8>
  // CHECK: graph.QuantizeLinear {{.*}} -> tensor<1x16xui8>
  %q = graph.QuantizeLinear %x, %s, %z : (tensor<1x16xf32>, tensor<f32>, tensor<ui8>) -> tensor<1x16xui8>
  // CHECK: graph.DequantizeLinear {{.*}} -> tensor<1x16xf32>
  %d = graph.DequantizeLinear %q, %s, %z : (tensor<1x16xui8>, tensor<f32>, tensor<ui8>) -> tensor<1x16xf32>
  return %d : tensor<1x16xf32>
}

// CHECK-LABEL: func @control_flow
func.func @control_flow(%c: tensor<i1>, %n: tensor<i64>, %x: tensor<2xf32>, %xs: tensor<3x2xf32>) -> (tensor<2xf32>, tensor<*xf32>, tensor<2xf32>, tensor<*xf32>, tensor<2xf32>) {
  // CHECK: graph.If %{{.*}} : tensor<i1> -> tensor<2xf32> then {
  // CHECK: graph.yield %{{.*}} : tensor<2xf32>
  // CHECK: } else {
  %y = graph.If %c : tensor<i1> -> tensor<2xf32> then {
    %r = graph.Relu %x : (tensor<2xf32>) -> tensor<2xf32>
    graph.yield %r : tensor<2xf32>
  } else {
    graph.yield %x : tensor<2xf32>
  }
  // CHECK: graph.Loop trip_count %{{.*}} : tensor<i64> carried %{{.*}} : tensor<2xf32> -> tensor<2xf32>, tensor<*xf32> {
  // CHECK: ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<i1>, %{{.*}}: tensor<2xf32>):
  %acc, %steps = graph.Loop trip_count %n : tensor<i64> carried %x : tensor<2xf32> -> tensor<2xf32>, tensor<*xf32> {
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %v: tensor<2xf32>):
    %a = graph.Add %v, %v : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %ci, %a, %a : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  // CHECK: graph.Loop cond %{{.*}} : tensor<i1> {
  // CHECK: graph.yield %{{.*}} : tensor<i1>
  graph.Loop cond %c : tensor<i1> {
  ^bb0(%i: tensor<i64>, %ci: tensor<i1>):
    graph.yield %ci : tensor<i1>
  }
  // CHECK: graph.Scan %{{.*}}, %{{.*}} {num_scan_inputs = 1 : i64, scan_input_directions = array<i64: 1>} : (tensor<2xf32>, tensor<3x2xf32>) -> (tensor<2xf32>, tensor<*xf32>) {
  %s, %ys = graph.Scan %x, %xs {num_scan_inputs = 1 : i64, scan_input_directions = array<i64: 1>} : (tensor<2xf32>, tensor<3x2xf32>) -> (tensor<2xf32>, tensor<*xf32>) {
  ^bb0(%st: tensor<2xf32>, %e: tensor<2xf32>):
    %a = graph.Add %st, %e : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %a, %a : tensor<2xf32>, tensor<2xf32>
  }
  return %y, %steps, %acc, %ys, %s : tensor<2xf32>, tensor<*xf32>, tensor<2xf32>, tensor<*xf32>, tensor<2xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w1: "0x04000000"
    }
  }
#-}
