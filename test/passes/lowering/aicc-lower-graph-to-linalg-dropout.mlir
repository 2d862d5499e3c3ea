// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that training-mode Dropout with a run-time ratio and training flag
// compares an f64 constant of NumPy's RandomState(0).uniform draws with the
// ratio (the first draw of seed 0 is 0.5488135039273248), scales kept
// elements by 1 / (1 - ratio), and passes the data through when the flag is
// false; the mask is !training || draw >= ratio.
// CHECK-LABEL: func.func @dropout_training
// CHECK: graph.constant dense<[0.54881350392732475, 0.71518936637241948, 0.60276337607164387, 0.54488318299689686]> : tensor<4xf64>
// CHECK: linalg.generic
// CHECK: arith.cmpf oge
// CHECK: arith.divf
// CHECK: arith.mulf
// CHECK: arith.select
// CHECK: arith.select
// CHECK: linalg.generic
// CHECK: arith.cmpf oge
// CHECK: arith.xori
// CHECK: arith.ori
func.func @dropout_training(%x: tensor<4xf32>, %r: tensor<f32>, %t: tensor<i1>) -> (tensor<4xf32>, tensor<4xi1>) {
  %0, %1 = graph.Dropout %x ratio(%r) training_mode(%t) {seed = 0 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, tensor<4xi1>)
  return %0, %1 : tensor<4xf32>, tensor<4xi1>
}
