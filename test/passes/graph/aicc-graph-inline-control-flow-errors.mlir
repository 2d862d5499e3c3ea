// RUN: aicc-opt %s -split-input-file --aicc-graph-inline-control-flow -verify-diagnostics

// Tests that an If on a graph input is an error naming the ONNX node the
// importer recorded and the input to freeze.
func.func @if_input(%c: tensor<i1> {graph.name = "cond"}, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{node 'sel' (ai.onnx::If, opset 17): If is supported only when its condition is a compile-time constant; fix it with --input-value=cond=...}}
  %y = graph.If %c {graph.onnx_node = "node 'sel' (ai.onnx::If, opset 17)"} : tensor<i1> -> tensor<2xf32> then {
    graph.yield %x : tensor<2xf32>
  } else {
    graph.yield %x : tensor<2xf32>
  }
  return %y : tensor<2xf32>
}

// -----

// Tests that a Loop with a trip count from a graph input is an error.
func.func @loop_trip_input(%n: tensor<i64> {graph.name = "n"}, %x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{Loop is unrolled at compile time and needs a constant trip count; fix it with --input-value=n=...}}
  %r = graph.Loop trip_count %n : tensor<i64> carried %x : tensor<2xf32> -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    graph.yield %c, %v : tensor<i1>, tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

// Tests that a Loop running more iterations than aicc unrolls is an error.
func.func @loop_too_long(%x: tensor<2xf32>) -> tensor<2xf32> {
  %n = graph.constant dense<5000> : tensor<i64>
  // expected-error @+1 {{Loop runs more than 4096 iterations; aicc unrolls loops at compile time}}
  %r = graph.Loop trip_count %n : tensor<i64> carried %x : tensor<2xf32> -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    graph.yield %c, %v : tensor<i1>, tensor<2xf32>
  }
  return %r : tensor<2xf32>
}
