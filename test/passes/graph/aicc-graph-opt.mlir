// RUN: aicc-opt %s --aicc-graph-opt | FileCheck %s
// RUN: aicc-opt %s --aicc-graph-opt | grep "graph.constant" | count 3

// Tests that the graph pipeline folds a transposed weight into a constant,
// then the BatchNormalization after the Conv into that weight, folds the
// Add of constants and removes the constants left dead.
// W = transpose([1, 2]) * s with s = [2/sqrt(3+1), 3/sqrt(0+1)] = [1, 3];
// bias = -[0.5, 1] * s + [1, 0] = [0.5, -3]; [1, 2] + [1, 2] = [2, 4].
// CHECK-LABEL: func.func @main
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[\[\[}}1.000000e+00]], {{\[\[}}6.000000e+00]]]> : tensor<2x1x1xf32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<[5.000000e-01, -3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: %[[S:.*]] = graph.constant dense<[2, 4]> : tensor<2xi64>
// CHECK-NOT: graph.constant
// CHECK: %[[Y:.*]] = graph.Conv %{{.*}}, %[[W]], %[[B]] :
// CHECK-NEXT: return %[[Y]], %[[S]]
func.func @main(%x: tensor<1x1x4xf32>) -> (tensor<1x2x4xf32>, tensor<2xi64>) {
  %w0 = graph.constant dense<[[[1.0, 2.0]]]> : tensor<1x1x2xf32>
  %w = graph.Transpose %w0 {perm = array<i64: 2, 0, 1>} : (tensor<1x1x2xf32>) -> tensor<2x1x1xf32>
  %scale = graph.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %shift = graph.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %mean = graph.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %var = graph.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = graph.Conv %x, %w : (tensor<1x1x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4xf32>
  %y, %m, %v = graph.BatchNormalization %c, %scale, %shift, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<1x2x4xf32>, tensor<2xf32>, tensor<2xf32>)
  %a = graph.constant dense<[1, 2]> : tensor<2xi64>
  %s = graph.Add %a, %a : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %y, %s : tensor<1x2x4xf32>, tensor<2xi64>
}
