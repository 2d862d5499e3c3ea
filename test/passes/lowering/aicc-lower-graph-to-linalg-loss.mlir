// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that NegativeLogLikelihoodLoss gathers -input[n, target, d] with a
// clamped class index, zeroes ignored elements, and divides the sum by the
// sum of the weights for `mean`; SoftmaxCrossEntropyLoss goes through
// LogSoftmax along the classes.
// CHECK-LABEL: func @loss
func.func @loss(%x: tensor<3x5x2xf32>, %t: tensor<3x2xi64>, %w: tensor<5xf32>) -> (tensor<f32>, tensor<3x2xf32>, tensor<3x5x2xf32>) {
  // CHECK: arith.maxsi
  // CHECK: arith.minsi
  // CHECK: tensor.extract %{{.*}} : tensor<5xf32>
  // CHECK: arith.cmpi eq
  // CHECK: tensor.extract %{{.*}} : tensor<3x5x2xf32>
  // CHECK: arith.negf
  // CHECK: arith.divf
  // CHECK-NOT: graph.
  %0 = graph.NegativeLogLikelihoodLoss %x, %t, %w {ignore_index = 1 : i64} : (tensor<3x5x2xf32>, tensor<3x2xi64>, tensor<5xf32>) -> tensor<f32>
  // CHECK: math.exp
  // CHECK: math.log
  %1, %2 = graph.SoftmaxCrossEntropyLoss %x, %t {reduction = "none"} : (tensor<3x5x2xf32>, tensor<3x2xi64>) -> (tensor<3x2xf32>, tensor<3x5x2xf32>)
  return %0, %1, %2 : tensor<f32>, tensor<3x2xf32>, tensor<3x5x2xf32>
}
