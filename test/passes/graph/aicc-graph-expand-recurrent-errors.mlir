// RUN: aicc-opt %s -split-input-file --aicc-graph-expand-recurrent -verify-diagnostics

// Tests that a sequence longer than the unroll limit is an error.
func.func @too_long(%x: tensor<2049x1x1xf32>, %w: tensor<2x4x1xf32>, %r: tensor<2x4x1xf32>) -> tensor<2x1x1xf32> {
  // expected-error @+1 {{LSTM: sequence length 2049 x 2 direction(s) is more than 4096 unrolled steps}}
  %y, %yh, %yc = graph.LSTM %x, %w, %r {hidden_size = 1 : i64, direction = "bidirectional"} : (tensor<2049x1x1xf32>, tensor<2x4x1xf32>, tensor<2x4x1xf32>) -> (tensor<2049x2x1x1xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %yh : tensor<2x1x1xf32>
}

// -----

// Tests that an unknown activation function is an error naming it.
func.func @unknown_activation(%x: tensor<1x1x1xf32>, %w: tensor<1x1x1xf32>, %r: tensor<1x1x1xf32>) -> tensor<1x1x1xf32> {
  // expected-error @+1 {{RNN: attribute 'activations': unknown function 'gelu'}}
  %y, %yh = graph.RNN %x, %w, %r {hidden_size = 1 : i64, activations = ["Gelu"]} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> (tensor<1x1x1x1xf32>, tensor<1x1x1xf32>)
  return %yh : tensor<1x1x1xf32>
}
