// RUN: aicc-opt %s -split-input-file --aicc-graph-expand-recurrent -verify-diagnostics

// Tests that LSTM's input_forget is an error naming the attribute.
func.func @input_forget(%x: tensor<1x1x1xf32>, %w: tensor<1x4x1xf32>, %r: tensor<1x4x1xf32>) -> tensor<1x1x1xf32> {
  // expected-error @+1 {{LSTM: attribute 'input_forget' = 1 is not supported}}
  %y, %yh, %yc = graph.LSTM %x, %w, %r {hidden_size = 1 : i64, input_forget = 1 : i64} : (tensor<1x1x1xf32>, tensor<1x4x1xf32>, tensor<1x4x1xf32>) -> (tensor<1x1x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>)
  return %yh : tensor<1x1x1xf32>
}

// -----

// Tests that an unknown activation function is an error naming it.
func.func @unknown_activation(%x: tensor<1x1x1xf32>, %w: tensor<1x1x1xf32>, %r: tensor<1x1x1xf32>) -> tensor<1x1x1xf32> {
  // expected-error @+1 {{RNN: attribute 'activations': unknown function 'gelu'}}
  %y, %yh = graph.RNN %x, %w, %r {hidden_size = 1 : i64, activations = ["Gelu"]} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> (tensor<1x1x1x1xf32>, tensor<1x1x1xf32>)
  return %yh : tensor<1x1x1xf32>
}
