// RUN: aicc-opt %s -split-input-file --aicc-avx512-mark-folded-padding | FileCheck %s

// Tests that each function gets the aicc.fold_padding and aicc.fuse_rows
// attributes the fusion policy reads.

// CHECK-LABEL: func.func @main
// CHECK-SAME: attributes {aicc.fold_padding, aicc.fuse_rows}
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
