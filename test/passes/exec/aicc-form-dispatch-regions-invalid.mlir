// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions -verify-diagnostics

func.func @main(%x: tensor<4xi64>) -> tensor<4xindex> {
  // expected-error @+1 {{result of type 'tensor<4xindex>' is not a ranked tensor of a type with a byte size; it cannot be placed in a buffer}}
  %c = arith.index_cast %x : tensor<4xi64> to tensor<4xindex>
  return %c : tensor<4xindex>
}

// -----

// expected-error @+1 {{no function '@main' to convert}}
module {
  func.func @other() {
    return
  }
}
