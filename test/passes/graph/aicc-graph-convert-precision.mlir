// RUN: aicc-opt %s -split-input-file --aicc-graph-convert-precision | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-graph-convert-precision=precision=fp16 | FileCheck %s --check-prefix=FP16
// RUN: aicc-opt %s -split-input-file --aicc-graph-convert-precision=precision=int8w | FileCheck %s --check-prefix=INT8W

// Tests that a MatMul with constant f32 weights gets bf16 weights rounded to
// nearest even (1 + 2^-8 is a tie and rounds down to 1, 1 + 3 * 2^-8 rounds
// up to 1 + 2^-6, and 3.0 is exact) read through a Cast to f32, and that
// its activation is rounded through Cast(bf16) and Cast(f32); fp16 keeps
// the activation and stores f16 weights (exact here: 10 mantissa bits).
// CHECK-LABEL: func.func @matmul
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x2xf32>
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 1.015630e+00], [3.000000e+00, -2.000000e+00]]> : tensor<2x2xbf16>
// CHECK-DAG: %[[WF:.*]] = graph.Cast %[[W]] {to = 1 : i64} : (tensor<2x2xbf16>) -> tensor<2x2xf32>
// CHECK-DAG: %[[XB:.*]] = graph.Cast %[[X]] {to = 16 : i64} : (tensor<2x2xf32>) -> tensor<2x2xbf16>
// CHECK-DAG: %[[XF:.*]] = graph.Cast %[[XB]] {to = 1 : i64} : (tensor<2x2xbf16>) -> tensor<2x2xf32>
// CHECK: graph.MatMul %[[XF]], %[[WF]] {aicc.precision = "bf16"}
// FP16-LABEL: func.func @matmul
// FP16-SAME: (%[[X:[^:]*]]: tensor<2x2xf32>
// FP16: %[[W:.*]] = graph.constant dense<{{\[\[}}1.003910e+00, 1.011720e+00], [3.000000e+00, -2.000000e+00]]> : tensor<2x2xf16>
// FP16: %[[WF:.*]] = graph.Cast %[[W]] {to = 1 : i64} : (tensor<2x2xf16>) -> tensor<2x2xf32>
// FP16: graph.MatMul %[[X]], %[[WF]] {aicc.precision = "fp16"}
// int8w: one scale per column, max |w| / 127 (3/127 and 2/127), and the
// weights rounded to nearest in units of it (1.0039 * 127 / 3 = 42.499 ->
// 42, 1.0117 * 127 / 2 = 64.24 -> 64); the MatMul reads them through a
// Cast and its users read the product times the scales.
// INT8W-LABEL: func.func @matmul
// INT8W-SAME: (%[[X:[^:]*]]: tensor<2x2xf32>
// INT8W-DAG: %[[Q:.*]] = graph.constant dense<{{\[\[}}42, 64], [127, -127]]> : tensor<2x2xi8>
// INT8W-DAG: %[[S:.*]] = graph.constant dense<[0.0236220472, 0.0157480314]> : tensor<2xf32>
// INT8W-DAG: %[[QF:.*]] = graph.Cast %[[Q]] {to = 1 : i64} : (tensor<2x2xi8>) -> tensor<2x2xf32>
// INT8W: %[[P:.*]] = graph.MatMul %[[X]], %[[QF]] {aicc.precision = "int8w"}
// INT8W: %[[Y:.*]] = graph.Mul %[[P]], %[[S]]
// INT8W: return %[[Y]]
func.func @matmul(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %w = graph.constant dense<[[1.00390625, 1.01171875], [3.0, -2.0]]> : tensor<2x2xf32>
  %y = graph.MatMul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Tests that a Gemm with transB = 1 gets its weights transposed to [K, N]
// and transB = 0, and that its bias stays f32.
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xbf16>
// CHECK-DAG: %[[C:.*]] = graph.constant dense<1.000000e+00> : tensor<3xf32>
// CHECK-DAG: %[[WF:.*]] = graph.Cast %[[W]]
// CHECK: graph.Gemm %{{.*}}, %[[WF]], %[[C]] {aicc.precision = "bf16"} :
// int8w converts MatMuls only (a Gemm's bias would need the scales too).
// INT8W-LABEL: func.func @gemm_trans_b
// INT8W: graph.Gemm %{{.*}} {transB = 1 : i64} : (tensor<4x2xf32>, tensor<3x2xf32>
func.func @gemm_trans_b(%x: tensor<4x2xf32>) -> tensor<4x3xf32> {
  %w = graph.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %c = graph.constant dense<1.0> : tensor<3xf32>
  %y = graph.Gemm %x, %w, %c {transB = 1 : i64} : (tensor<4x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// -----

// Tests that a Conv with constant weights is converted and its bias kept,
// while a depthwise Conv (group > 1), a MatMul of two activations and a
// Gemm with transA are left as they are.
// CHECK-LABEL: func.func @conv_and_others
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x2x4x4xf32>, %[[A:[^:]*]]: tensor<4x4xf32>
// CHECK-DAG: %[[W:.*]] = graph.constant {{.*}} : tensor<2x2x1x1xbf16>
// CHECK-DAG: %[[B:.*]] = graph.constant {{.*}} : tensor<2xf32>
// CHECK-DAG: %[[D:.*]] = graph.constant {{.*}} : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[WF:.*]] = graph.Cast %[[W]]
// CHECK: graph.Conv %{{.*}}, %[[WF]], %[[B]] {aicc.precision = "bf16"}
// CHECK: graph.Conv %[[X]], %[[D]] {group = 2 : i64}
// CHECK: graph.MatMul %[[A]], %[[A]] :
// CHECK: graph.Gemm %[[A]], %{{.*}} {transA = 1 : i64}
// INT8W-LABEL: func.func @conv_and_others
// INT8W: graph.Conv %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>
func.func @conv_and_others(%x: tensor<1x2x4x4xf32>, %a: tensor<4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %w = graph.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]> : tensor<2x2x1x1xf32>
  %b = graph.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %d = graph.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %m = graph.constant dense<1.0> : tensor<4x4xf32>
  %y = graph.Conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %z = graph.Conv %x, %d {group = 2 : i64} : (tensor<1x2x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %p = graph.MatMul %a, %a : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %g = graph.Gemm %a, %m {transA = 1 : i64} : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y, %z, %p, %g : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
