// RUN: aicc-opt %s -split-input-file --aicc-outline-dispatch-regions -verify-diagnostics

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{is not in an exec.dispatch_region; run aicc-form-dispatch-regions first}}
  %y = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  // expected-error @+1 {{reads a tensor that has no buffer}}
  %y = exec.dispatch_region -> (tensor<4xf32>) {
    %0 = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    exec.yield %0 : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = arith.constant 1.0 : f32
  // expected-error @+1 {{uses a 'f32' value that is neither a tensor nor computable from constants; it cannot be passed to a kernel}}
  %y = exec.dispatch_region -> (tensor<4xf32>) {
    %e = tensor.empty() : tensor<4xf32>
    %0 = linalg.fill ins(%one : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    exec.yield %0 : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument 0 of type 'tensor<?xf32>' has dynamic dims, but the function has no 'aicc.symbols' (compile with --dim NAME=LO..HI)}}
func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
