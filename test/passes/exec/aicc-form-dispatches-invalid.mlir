// RUN: aicc-opt %s -split-input-file --aicc-form-dispatches -verify-diagnostics

// expected-error @+1 {{argument 0 of type 'tensor<?xf32>' is not a statically shaped tensor}}
func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{no function '@main' to convert}}
module {
  func.func @other() {
    return
  }
}
