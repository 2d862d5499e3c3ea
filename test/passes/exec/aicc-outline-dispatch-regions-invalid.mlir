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

// -----

// Tests that an extent the schedule cannot compute (arith.muli rather than
// an affine op of the symbols) is an error naming the op.

func.func @main(%x: tensor<?xf32> {aicc.shape = affine_map<()[s0] -> (s0)>}) -> tensor<?xf32>
    attributes {aicc.symbols = {n = array<i64: 1, 8>}} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %n = tensor.dim {aicc.symbol = 0 : i64} %x, %c0 : tensor<?xf32>
  // expected-error @+1 {{'arith.muli' op computes an index value that the schedule cannot compute}}
  %m = arith.muli %n, %c2 : index
  %r = exec.dispatch_region -> (tensor<?xf32>) {
    %e = tensor.empty(%m) : tensor<?xf32>
    exec.yield %e : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}
