// RUN: aicc-opt %s -split-input-file -canonicalize | FileCheck %s
// Folders of the shape-computing graph ops.

// Tests that Shape of a static tensor, Gather, Unsqueeze and Concat fold to
// one constant.
// CHECK-LABEL: func @shape_chain
func.func @shape_chain(%x: tensor<2x3x4xf32>) -> tensor<2xi64> {
  // CHECK: %[[C:.*]] = graph.constant dense<[2, 12]> : tensor<2xi64>
  // CHECK-NEXT: return %[[C]]
  %s = graph.Shape %x : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %i0 = graph.constant dense<0> : tensor<i64>
  %d0 = graph.Gather %s, %i0 : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %ax = graph.constant dense<[0]> : tensor<1xi64>
  %d0u = graph.Unsqueeze %d0, %ax : (tensor<i64>, tensor<1xi64>) -> tensor<1xi64>
  %s12 = graph.constant dense<[1]> : tensor<1xi64>
  %e = graph.constant dense<[3]> : tensor<1xi64>
  %tail = graph.Slice %s, %s12, %e : (tensor<3xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  %p = graph.ReduceProd %tail {keepdims = 1 : i64} : (tensor<2xi64>) -> tensor<1xi64>
  %c = graph.Concat %d0u, %p {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %c : tensor<2xi64>
}

// -----

// Tests that integer arithmetic, Cast, Equal and Where fold elementwise
// with broadcasting.
// CHECK-LABEL: func @arith
func.func @arith() -> (tensor<3xi64>, tensor<3xf32>, tensor<3xi1>) {
  // CHECK-DAG: graph.constant dense<[7, 9, 11]> : tensor<3xi64>
  // CHECK-DAG: graph.constant dense<[1.000000e+00, 4.500000e+00, 3.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: graph.constant dense<[false, true, false]> : tensor<3xi1>
  // CHECK-NOT: graph.Add
  %a = graph.constant dense<[1, 2, 3]> : tensor<3xi64>
  %b = graph.constant dense<2> : tensor<i64>
  %c5 = graph.constant dense<5> : tensor<i64>
  %m = graph.Mul %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %s = graph.Add %m, %c5 : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %f = graph.Cast %a {to = 1 : i64} : (tensor<3xi64>) -> tensor<3xf32>
  %eq = graph.Equal %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %h = graph.constant dense<4.5> : tensor<f32>
  %w = graph.Where %eq, %h, %f : (tensor<3xi1>, tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
  return %s, %w, %eq : tensor<3xi64>, tensor<3xf32>, tensor<3xi1>
}

// -----

// Tests that Reshape to its own type folds away and Reshape of a constant
// folds to a reshaped constant.
// CHECK-LABEL: func @reshape
func.func @reshape(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3x2xi64>) {
  // CHECK-DAG: %[[C:.*]] = graph.constant dense<{{\[\[}}1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
  // CHECK: return %{{.*}}, %[[C]]
  %s = graph.constant dense<[2, 3]> : tensor<2xi64>
  %r = graph.Reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  %v = graph.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %s2 = graph.constant dense<[3, 2]> : tensor<2xi64>
  %r2 = graph.Reshape %v, %s2 : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<3x2xi64>
  return %r, %r2 : tensor<2x3xf32>, tensor<3x2xi64>
}

// -----

// Tests that Transpose, Tile, Expand and ConstantOfShape of constants fold.
// CHECK-LABEL: func @data_movement
func.func @data_movement() -> (tensor<3x2xi64>, tensor<2x4xi64>, tensor<2x2xi64>, tensor<2x3xf32>) {
  // CHECK-DAG: graph.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
  // CHECK-DAG: graph.constant dense<{{\[\[}}1, 2, 1, 2], [3, 4, 3, 4]]> : tensor<2x4xi64>
  // CHECK-DAG: graph.constant dense<{{\[\[}}7, 8], [7, 8]]> : tensor<2x2xi64>
  // CHECK-DAG: graph.constant dense<1.500000e+00> : tensor<2x3xf32>
  %v = graph.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %t = graph.Transpose %v : (tensor<2x3xi64>) -> tensor<3x2xi64>
  %m = graph.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>
  %reps = graph.constant dense<[1, 2]> : tensor<2xi64>
  %tile = graph.Tile %m, %reps : (tensor<2x2xi64>, tensor<2xi64>) -> tensor<2x4xi64>
  %row = graph.constant dense<[7, 8]> : tensor<2xi64>
  %shape = graph.constant dense<[2, 2]> : tensor<2xi64>
  %e = graph.Expand %row, %shape : (tensor<2xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  %s23 = graph.constant dense<[2, 3]> : tensor<2xi64>
  %cos = graph.ConstantOfShape %s23 {value = dense<1.5> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<2x3xf32>
  return %t, %tile, %e, %cos : tensor<3x2xi64>, tensor<2x4xi64>, tensor<2x2xi64>, tensor<2x3xf32>
}

// -----

// Tests that Mod folds with Python (fmod = 0) and C (fmod = 1) signs, and
// that integer division by zero is not folded.
// CHECK-LABEL: func @mod_and_div
func.func @mod_and_div() -> (tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) {
  // CHECK-DAG: graph.constant dense<[1, -1]> : tensor<2xi64>
  // CHECK-DAG: graph.constant dense<[-2, 2]> : tensor<2xi64>
  // CHECK: graph.Div
  %a = graph.constant dense<[-5, 5]> : tensor<2xi64>
  %b = graph.constant dense<[3, -3]> : tensor<2xi64>
  %m = graph.Mod %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %c = graph.Mod %a, %b {fmod = 1 : i64} : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %z = graph.constant dense<[0, 1]> : tensor<2xi64>
  %d = graph.Div %a, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  return %m, %c, %d : tensor<2xi64>, tensor<2xi64>, tensor<2xi64>
}
