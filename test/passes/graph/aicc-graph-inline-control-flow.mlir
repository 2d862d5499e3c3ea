// RUN: aicc-opt %s -split-input-file --aicc-graph-inline-control-flow | FileCheck %s

// Tests that an If whose condition folds to a constant (a dim of its
// operand, compared) is replaced by the ops of the branch it takes.
// CHECK-LABEL: func.func @if_shape_condition
// CHECK-NOT: graph.If
// CHECK: %[[N:.*]] = graph.Neg %arg0
// CHECK-NOT: graph.Relu
// CHECK: return %[[N]]
func.func @if_shape_condition(%x: tensor<2x3xf32>) -> tensor<*xf32> {
  %one = graph.constant dense<1> : tensor<i64>
  %s = graph.Shape %x : (tensor<2x3xf32>) -> tensor<?xi64>
  %d = graph.Gather %s, %one {axis = 0 : i64} : (tensor<?xi64>, tensor<i64>) -> tensor<*xi64>
  %c = graph.Equal %d, %one : (tensor<*xi64>, tensor<i64>) -> tensor<*xi1>
  %y = graph.If %c : tensor<*xi1> -> tensor<*xf32> then {
    %r = graph.Relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
    graph.yield %r : tensor<2x3xf32>
  } else {
    %n = graph.Neg %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
    graph.yield %n : tensor<2x3xf32>
  }
  return %y : tensor<*xf32>
}

// -----

// Tests that a Loop with a constant trip count is unrolled with the carried
// value threaded through the iterations, that its scan output stacks the
// iterations' values on a new axis 0, and that the function's result types
// follow.
// CHECK-LABEL: func.func @loop_trip_count
// CHECK-SAME: -> (tensor<2xf32>, tensor<2x2xf32>)
// CHECK-NOT: graph.Loop
// CHECK: %[[A:.*]] = graph.Add %arg0, %arg0
// CHECK: %[[B:.*]] = graph.Add %[[A]], %[[A]]
// CHECK: %[[C:.*]] = graph.Concat {{.*}} -> tensor<2x2xf32>
// CHECK: return %[[B]], %[[C]]
func.func @loop_trip_count(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<*xf32>) {
  %n = graph.constant dense<2> : tensor<i64>
  %acc, %steps = graph.Loop trip_count %n : tensor<i64> carried %x : tensor<2xf32> -> tensor<2xf32>, tensor<*xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    %a = graph.Add %v, %v : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %c, %a, %a : tensor<i1>, tensor<2xf32>, tensor<2xf32>
  }
  return %acc, %steps : tensor<2xf32>, tensor<*xf32>
}

// -----

// Tests that a Loop whose condition is computed from the iteration number
// in its body stops when the condition folds to false (i < 2: three
// iterations run, the third computing false).
// CHECK-LABEL: func.func @loop_condition
// CHECK-COUNT-3: graph.Neg
// CHECK-NOT: graph.Neg
// CHECK-NOT: graph.Loop
func.func @loop_condition(%x: tensor<2xf32>) -> tensor<2xf32> {
  %t = graph.constant dense<true> : tensor<i1>
  %two = graph.constant dense<2> : tensor<i64>
  %r = graph.Loop cond %t : tensor<i1> carried %x : tensor<2xf32> -> tensor<2xf32> {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<2xf32>):
    %n = graph.Neg %v : (tensor<2xf32>) -> tensor<2xf32>
    %more = graph.Less %i, %two : (tensor<i64>, tensor<i64>) -> tensor<i1>
    graph.yield %more, %n : tensor<i1>, tensor<2xf32>
  }
  return %r : tensor<2xf32>
}

// -----

// Tests that a Scan is unrolled over its static sequence length: each
// iteration gathers one slice of the scan input, the state is threaded and
// the scan output is stacked.
// CHECK-LABEL: func.func @scan
// CHECK-NOT: graph.Scan
// CHECK: %[[X0:.*]] = graph.Gather %arg1
// CHECK: %[[S1:.*]] = graph.Add %arg0, %[[X0]]
// CHECK: %[[X1:.*]] = graph.Gather %arg1
// CHECK: %[[S2:.*]] = graph.Add %[[S1]], %[[X1]]
// CHECK: %[[Y:.*]] = graph.Concat {{.*}} -> tensor<2x2xf32>
// CHECK: return %[[S2]], %[[Y]]
func.func @scan(%s0: tensor<2xf32>, %xs: tensor<2x2xf32>) -> (tensor<2xf32>, tensor<*xf32>) {
  %s, %ys = graph.Scan %s0, %xs {num_scan_inputs = 1 : i64} : (tensor<2xf32>, tensor<2x2xf32>) -> (tensor<2xf32>, tensor<*xf32>) {
  ^bb0(%st: tensor<2xf32>, %x: tensor<2xf32>):
    %a = graph.Add %st, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %a, %a : tensor<2xf32>, tensor<2xf32>
  }
  return %s, %ys : tensor<2xf32>, tensor<*xf32>
}
