// RUN: aicc-opt %s -split-input-file --aicc-graph-fold-batchnorm | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-graph-fold-batchnorm -mlir-print-debuginfo -mlir-print-local-scope | FileCheck %s --check-prefix=LOC

// Tests that BatchNormalization after a Conv with bias scales the weights by
// scale / sqrt(var + epsilon) per output channel, folds mean and B into the
// bias, and that the Conv's location fuses both nodes.
// s = [2/sqrt(3+1), 3/sqrt(0+1)] = [1, 3]; W = [1, 2] * s = [1, 6];
// bias = ([0.5, -1] - [0.5, 1]) * s + [1, 0] = [1, -6].
// CHECK-LABEL: func.func @conv_bias
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x1x4xf32>
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}6.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<[1.000000e+00, -6.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = graph.Conv %[[X]], %[[W]], %[[B]] :
// LOC-LABEL: func.func @conv_bias
// LOC: graph.Conv {{.*}} loc(fused["conv", "bn"])
// CHECK-NOT: graph.BatchNormalization
// CHECK: return %[[Y]]
func.func @conv_bias(%x: tensor<1x1x4xf32>) -> tensor<1x2x4xf32> {
  %w = graph.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32> loc("w")
  %b = graph.constant dense<[0.5, -1.0]> : tensor<2xf32> loc("b")
  %scale = graph.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %shift = graph.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = graph.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = graph.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = graph.Conv %x, %w, %b : (tensor<1x1x4xf32>, tensor<2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4xf32> loc("conv")
  %y, %m, %v = graph.BatchNormalization %c, %scale, %shift, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>) loc("bn")
  return %y : tensor<1x2x4xf32>
}

// -----

// Tests that a Conv without bias gets one: -mean * s + B.
// s = [1/sqrt(1), 1/sqrt(4)] = [1, 0.5]; W = [3, 4] * s = [3, 2];
// bias = -[1, 2] * s + [0.5, 1.5] = [-0.5, 0.5].
// CHECK-LABEL: func.func @conv_no_bias
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[\[}}3.000000e+00]], {{\[\[}}2.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<[-5.000000e-01, 5.000000e-01]> : tensor<2xf32>
// CHECK: graph.Conv %{{.*}}, %[[W]], %[[B]] :
// CHECK-NOT: graph.BatchNormalization
func.func @conv_no_bias(%x: tensor<1x1x4xf32>) -> tensor<1x2x4xf32> {
  %w = graph.constant dense<[[[3.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %scale = graph.constant dense<1.0> : tensor<2xf32>
  %shift = graph.constant dense<[0.5, 1.5]> : tensor<2xf32>
  %mean = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %var = graph.constant dense<[1.0, 4.0]> : tensor<2xf32>
  %c = graph.Conv %x, %w : (tensor<1x1x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4xf32>
  %y, %m, %v = graph.BatchNormalization %c, %scale, %shift, %mean, %var {epsilon = 0.0 : f32} : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>)
  return %y : tensor<1x2x4xf32>
}

// -----

// Tests that a Gemm with transB = 1 has its weight rows (output columns)
// scaled and C replaced by (beta * C - mean) * s + B with beta = 1 (the
// default, so not printed); alpha stays. s = [1/sqrt(0+1), 1/sqrt(3+1)] = [1, 0.5];
// C = (0.5 * [2, 4] - [1, 1]) * s + [0, 10] = [0, 10.5].
// CHECK-LABEL: func.func @gemm_trans_b
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [2.000000e+00, 2.500000e+00, 3.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[C:.*]] = graph.constant dense<[0.000000e+00, 1.050000e+01]> : tensor<2xf32>
// CHECK: graph.Gemm %{{.*}}, %[[W]], %[[C]] {alpha = 2.000000e+00 : f32, transB = 1 : i64} :
// LOC-LABEL: func.func @gemm_trans_b
// LOC: graph.Gemm {{.*}} loc(fused["fc", "bn"])
// CHECK-NOT: graph.BatchNormalization
func.func @gemm_trans_b(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %c0 = graph.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %scale = graph.constant dense<1.0> : tensor<2xf32>
  %shift = graph.constant dense<[0.0, 10.0]> : tensor<2xf32>
  %mean = graph.constant dense<1.0> : tensor<2xf32>
  %var = graph.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %g = graph.Gemm %a, %w, %c0 {alpha = 2.0 : f32, beta = 0.5 : f32, transB = 1 : i64} : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32> loc("fc")
  %y, %m, %v = graph.BatchNormalization %g, %scale, %shift, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>) loc("bn")
  return %y : tensor<1x2xf32>
}

// -----

// Tests that a Gemm with transB = 0 and no C has its weight columns scaled
// and gets C = -mean * s + B. s = [1, 0.5]; C = [-1, -0.5 + 10] = [-1, 9.5].
// CHECK-LABEL: func.func @gemm_no_c
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00], [3.000000e+00, 2.000000e+00], [5.000000e+00, 3.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[C:.*]] = graph.constant dense<[-1.000000e+00, 9.500000e+00]> : tensor<2xf32>
// CHECK: graph.Gemm %{{.*}}, %[[W]], %[[C]] : (
// CHECK-NOT: graph.BatchNormalization
func.func @gemm_no_c(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %scale = graph.constant dense<1.0> : tensor<2xf32>
  %shift = graph.constant dense<[0.0, 10.0]> : tensor<2xf32>
  %mean = graph.constant dense<1.0> : tensor<2xf32>
  %var = graph.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %g = graph.Gemm %a, %w : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  %y, %m, %v = graph.BatchNormalization %g, %scale, %shift, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>)
  return %y : tensor<1x2xf32>
}

// -----

// Tests that a dense_resource weight stays a dense_resource with the scaled
// values: [1, 2] * [1, 3] = [1, 6] (0x3F800000, 0x40C00000).
// CHECK-LABEL: func.func @resource_weight
// CHECK: %[[W:.*]] = graph.constant dense_resource<[[KEY:.*]]> : tensor<2x1x1xf32>
// CHECK: graph.Conv %{{.*}}, %[[W]], %{{.*}} :
// CHECK: [[KEY]]: "0x080000000000803F0000C040"
func.func @resource_weight(%x: tensor<1x1x4xf32>) -> tensor<1x2x4xf32> {
  %w = graph.constant dense_resource<w> : tensor<2x1x1xf32>
  %scale = graph.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %shift = graph.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = graph.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = graph.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = graph.Conv %x, %w : (tensor<1x1x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4xf32>
  %y, %m, %v = graph.BatchNormalization %c, %scale, %shift, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>)
  return %y : tensor<1x2x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// Tests that nothing is folded when the Conv has another use, when the
// BatchNormalization is in training mode, or when its statistics are not
// constants.
// CHECK-LABEL: func.func @not_folded
// CHECK-COUNT-3: graph.BatchNormalization
func.func @not_folded(%x: tensor<1x1x4xf32>, %mean_in: tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  %w = graph.constant dense<[[[3.0]], [[4.0]]]> : tensor<2x1x1xf32>
  %one = graph.constant dense<1.0> : tensor<2xf32>
  %c = graph.Conv %x, %w : (tensor<1x1x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4xf32>
  %y, %m, %v = graph.BatchNormalization %c, %one, %one, %one, %one : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>)
  %c2 = graph.Conv %x, %w : (tensor<1x1x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4xf32>
  %y2, %m2, %v2 = graph.BatchNormalization %c2, %one, %one, %one, %one {training_mode = 1 : i64} : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>)
  %c3 = graph.Conv %x, %w : (tensor<1x1x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4xf32>
  %y3, %m3, %v3 = graph.BatchNormalization %c3, %one, %one, %mean_in, %one : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>)
  return %y, %c, %y2, %y3 : tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>
}
