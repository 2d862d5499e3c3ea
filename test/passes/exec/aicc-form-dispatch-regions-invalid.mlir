// RUN: aicc-opt %s -split-input-file --aicc-form-dispatch-regions -verify-diagnostics

func.func @main(%x: tensor<4xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{result of type 'tensor<?xf32>' is not a statically shaped tensor; it cannot be placed in a buffer}}
  %c = tensor.cast %x : tensor<4xf32> to tensor<?xf32>
  return %c : tensor<?xf32>
}

// -----

// expected-error @+1 {{no function '@main' to convert}}
module {
  func.func @other() {
    return
  }
}
