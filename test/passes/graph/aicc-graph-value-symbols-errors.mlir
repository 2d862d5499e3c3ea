// RUN: aicc-opt %s -split-input-file -verify-diagnostics --aicc-graph-value-symbols

// Tests that an invalid constant part is an error naming the node: step 0.
func.func @zero_step(%x: tensor<20xf32>, %st: tensor<1xi64>, %en: tensor<1xi64>) -> tensor<?xf32> {
  %ax = graph.constant dense<0> : tensor<1xi64>
  %sp = graph.constant dense<0> : tensor<1xi64>
  // expected-error @+1 {{node '?' (Slice) input 'steps' has a 0}}
  %r = graph.Slice %x, %st, %en axes(%ax) steps(%sp) : (tensor<20xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %r : tensor<?xf32>
}

// -----

// Tests that a Range whose constant delta is 0 is an error naming the node.
func.func @zero_delta(%a: tensor<i64>, %b: tensor<i64>) -> tensor<?xi64> {
  %d = graph.constant dense<0> : tensor<i64>
  // expected-error @+1 {{node '?' (Range) input 'delta' is 0}}
  %r = graph.Range %a, %b, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %r : tensor<?xi64>
}
