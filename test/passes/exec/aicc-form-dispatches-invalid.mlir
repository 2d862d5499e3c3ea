// RUN: aicc-opt %s -split-input-file --aicc-form-dispatches -verify-diagnostics

// expected-error @+1 {{argument 0 of type 'tensor<?xf32>' has dynamic dims, but the function has no 'aicc.symbols' (compile with --dim NAME=LO..HI)}}
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
