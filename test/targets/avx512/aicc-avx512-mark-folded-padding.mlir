// RUN: aicc-opt %s -split-input-file --aicc-avx512-mark-folded-padding | FileCheck %s

// Tests that each function gets the aicc.fold_padding attribute the fusion
// policy reads.

// CHECK-LABEL: func.func @main
// CHECK-SAME: attributes {aicc.fold_padding}
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
