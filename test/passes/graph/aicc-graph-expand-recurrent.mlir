// RUN: aicc-opt %s -split-input-file --aicc-graph-expand-recurrent | FileCheck %s

// Tests that a forward RNN becomes one input projection by the transposed
// weight, one recurrent MatMul and Tanh per time step (the first from the
// zero state), the steps' states concatenated into Y and the last one as
// Y_h; the direction's block of the constant R is cut out here.
// CHECK-LABEL: func.func @rnn_forward
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x1x3xf32>
// CHECK-DAG: %[[R:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[RT:.*]] = graph.Transpose %[[R]] {perm = array<i64: 1, 0>}
// CHECK-DAG: %[[WT:.*]] = graph.Transpose
// CHECK-DAG: %[[P:.*]] = graph.MatMul %[[X]], %[[WT]] : (tensor<2x1x3xf32>, tensor<3x2xf32>) -> tensor<2x1x2xf32>
// CHECK-DAG: %[[H0:.*]] = graph.constant dense<0.000000e+00> : tensor<1x2xf32>
// CHECK: %[[S0:.*]] = graph.Slice %[[P]]
// CHECK: %[[X0:.*]] = graph.Reshape %[[S0]]
// CHECK: %[[M0:.*]] = graph.MatMul %[[H0]], %[[RT]]
// CHECK: %[[A0:.*]] = graph.Add %[[X0]], %[[M0]]
// CHECK: %[[H1:.*]] = graph.Tanh %[[A0]]
// CHECK: graph.MatMul %[[H1]], %[[RT]]
// CHECK: %[[H2:.*]] = graph.Tanh
// CHECK: %[[YH:.*]] = graph.Reshape %[[H2]], %{{.*}} -> tensor<1x1x2xf32>
// CHECK: %[[Y:.*]] = graph.Concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<1x1x1x2xf32>, tensor<1x1x1x2xf32>) -> tensor<2x1x1x2xf32>
// CHECK-NOT: graph.RNN
// CHECK: return %[[Y]], %[[YH]]
func.func @rnn_forward(%x: tensor<2x1x3xf32>) -> (tensor<2x1x1x2xf32>, tensor<1x1x2xf32>) {
  %w = graph.constant dense<1.0> : tensor<1x2x3xf32>
  %r = graph.constant dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>
  %y, %yh = graph.RNN %x, %w, %r {hidden_size = 2 : i64} : (tensor<2x1x3xf32>, tensor<1x2x3xf32>, tensor<1x2x2xf32>) -> (tensor<2x1x1x2xf32>, tensor<1x1x2xf32>)
  return %y, %yh : tensor<2x1x1x2xf32>, tensor<1x1x2xf32>
}

// -----

// Tests that a bidirectional LSTM cuts each direction's weights (the second
// direction's W block is [2, 3]: rows 4..7 of 8), adds Wb + Rb to the
// projection, runs the reverse direction from the last step, and stacks
// Y_h and Y_c per direction; Y is unused and not built.
// CHECK-LABEL: func.func @lstm_bidirectional
// CHECK: graph.constant dense<1.000000e+00> : tensor<4x1xf32>
// CHECK-COUNT-3: graph.Sigmoid
// CHECK: graph.constant dense<2.000000e+00> : tensor<4x1xf32>
// CHECK-COUNT-3: graph.Sigmoid
// CHECK: %[[H:.*]] = graph.Concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<2x1x1xf32>
// CHECK: %[[C:.*]] = graph.Concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<2x1x1xf32>
// CHECK-NOT: graph.LSTM
// CHECK: return %[[H]], %[[C]]
func.func @lstm_bidirectional(%x: tensor<1x1x1xf32>) -> (tensor<2x1x1xf32>, tensor<2x1x1xf32>) {
  %w = graph.constant dense<[[[1.0], [1.0], [1.0], [1.0]], [[2.0], [2.0], [2.0], [2.0]]]> : tensor<2x4x1xf32>
  %r = graph.constant dense<0.5> : tensor<2x4x1xf32>
  %b = graph.constant dense<0.25> : tensor<2x8xf32>
  %y, %yh, %yc = graph.LSTM %x, %w, %r B(%b) {direction = "bidirectional", hidden_size = 1 : i64} : (tensor<1x1x1xf32>, tensor<2x4x1xf32>, tensor<2x4x1xf32>, tensor<2x8xf32>) -> (tensor<1x2x1x1xf32>, tensor<2x1x1xf32>, tensor<2x1x1xf32>)
  return %yh, %yc : tensor<2x1x1xf32>, tensor<2x1x1xf32>
}

// -----

// Tests that GRU with linear_before_reset multiplies the reset gate by the
// recurrent product plus Rb_h (H R_h^T + Rb_h), and without it multiplies
// the reset hidden state by R_h (a second MatMul per step).
// CHECK-LABEL: func.func @gru_linear_before_reset
// CHECK: %[[HR:.*]] = graph.MatMul %{{.*}} : (tensor<1x2xf32>, tensor<2x6xf32>) -> tensor<1x6xf32>
// CHECK: %[[HH:.*]] = graph.Slice %[[HR]], {{.*}} -> tensor<1x2xf32>
// CHECK: %[[HB:.*]] = graph.Add %{{.*}}, %{{.*}} : (tensor<1x2xf32>, tensor<2xf32>)
// CHECK: graph.Mul %{{.*}}, %[[HB]]
// CHECK-LABEL: func.func @gru_reset_before
// CHECK: graph.MatMul %{{.*}} : (tensor<1x2xf32>, tensor<2x4xf32>) -> tensor<1x4xf32>
// CHECK: %[[RH:.*]] = graph.Mul
// CHECK: graph.MatMul %[[RH]], %{{.*}} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
func.func @gru_linear_before_reset(%x: tensor<1x1x3xf32>, %w: tensor<1x6x3xf32>, %r: tensor<1x6x2xf32>, %b: tensor<1x12xf32>) -> tensor<1x1x2xf32> {
  %y, %yh = graph.GRU %x, %w, %r B(%b) {hidden_size = 2 : i64, linear_before_reset = 1 : i64} : (tensor<1x1x3xf32>, tensor<1x6x3xf32>, tensor<1x6x2xf32>, tensor<1x12xf32>) -> (tensor<1x1x1x2xf32>, tensor<1x1x2xf32>)
  return %yh : tensor<1x1x2xf32>
}
func.func @gru_reset_before(%x: tensor<1x1x3xf32>, %w: tensor<1x6x3xf32>, %r: tensor<1x6x2xf32>) -> tensor<1x1x2xf32> {
  %y, %yh = graph.GRU %x, %w, %r {hidden_size = 2 : i64} : (tensor<1x1x3xf32>, tensor<1x6x3xf32>, tensor<1x6x2xf32>) -> (tensor<1x1x1x2xf32>, tensor<1x1x2xf32>)
  return %yh : tensor<1x1x2xf32>
}

// -----

// Tests that sequence_lens from a graph input masks every step: an entry
// past its length keeps its state (Where on t < len) and writes zeros.
// CHECK-LABEL: func.func @rnn_sequence_lens
// CHECK-SAME: %[[LENS:[^:]*]]: tensor<2xi32>
// CHECK: %[[L:.*]] = graph.Reshape %[[LENS]], %{{.*}} -> tensor<2x1xi32>
// CHECK: %[[T0:.*]] = graph.constant dense<0> : tensor<i32>
// CHECK: %[[M0:.*]] = graph.Less %[[T0]], %[[L]]
// CHECK: graph.Where %[[M0]], %[[H:.*]], %{{.*}} : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: graph.Less
// CHECK-COUNT-2: graph.Where
// CHECK-NOT: graph.RNN
func.func @rnn_sequence_lens(%x: tensor<2x2x1xf32>, %w: tensor<1x3x1xf32>, %r: tensor<1x3x3xf32>, %lens: tensor<2xi32>) -> tensor<2x1x2x3xf32> {
  %y, %yh = graph.RNN %x, %w, %r sequence_lens(%lens) {hidden_size = 3 : i64} : (tensor<2x2x1xf32>, tensor<1x3x1xf32>, tensor<1x3x3xf32>, tensor<2xi32>) -> (tensor<2x1x2x3xf32>, tensor<1x2x3xf32>)
  return %y : tensor<2x1x2x3xf32>
}

// -----

// Tests that layout 1 (batch-major) transposes X in and Y out, and that
// the activations attribute picks the functions with their alpha.
// CHECK-LABEL: func.func @rnn_layout_activation
// CHECK: graph.Transpose %{{.*}} {perm = array<i64: 1, 0, 2>} : (tensor<2x3x1xf32>) -> tensor<3x2x1xf32>
// CHECK: graph.LeakyRelu %{{.*}} {alpha = 5.000000e-01 : f32}
// CHECK: graph.Transpose %{{.*}} {perm = array<i64: 2, 0, 1, 3>} : (tensor<3x1x2x4xf32>) -> tensor<2x3x1x4xf32>
func.func @rnn_layout_activation(%x: tensor<2x3x1xf32>, %w: tensor<1x4x1xf32>, %r: tensor<1x4x4xf32>) -> tensor<2x3x1x4xf32> {
  %y, %yh = graph.RNN %x, %w, %r {hidden_size = 4 : i64, layout = 1 : i64, activations = ["LeakyRelu"], activation_alpha = array<f32: 0.5>} : (tensor<2x3x1xf32>, tensor<1x4x1xf32>, tensor<1x4x4xf32>) -> (tensor<2x3x1x4xf32>, tensor<2x1x4xf32>)
  return %y : tensor<2x3x1x4xf32>
}

// -----

// Tests that a node with a dynamic sequence length is left for the
// static-shape check to report.
// CHECK-LABEL: func.func @rnn_dynamic
// CHECK: graph.RNN
func.func @rnn_dynamic(%x: tensor<?x1x1xf32>, %w: tensor<1x2x1xf32>, %r: tensor<1x2x2xf32>) -> tensor<1x1x2xf32> {
  %y, %yh = graph.RNN %x, %w, %r {hidden_size = 2 : i64} : (tensor<?x1x1xf32>, tensor<1x2x1xf32>, tensor<1x2x2xf32>) -> (tensor<?x1x1x2xf32>, tensor<1x1x2xf32>)
  return %yh : tensor<1x1x2xf32>
}
