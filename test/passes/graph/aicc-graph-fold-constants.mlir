// RUN: aicc-opt %s -split-input-file --aicc-graph-fold-constants | FileCheck %s

// Tests that a Transpose of a dense constant becomes the transposed
// constant, for bytes and for bools (which MLIR stores as bits).
// CHECK-LABEL: func.func @transpose_dense
// CHECK-DAG: %[[T:.*]] = graph.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<{{\[\[}}true, true], [false, true], [false, false]]> : tensor<3x2xi1>
// CHECK-NOT: graph.Transpose
// CHECK: return %[[T]], %[[B]]
func.func @transpose_dense() -> (tensor<3x2xi32>, tensor<3x2xi1>) {
  %c = graph.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %t = graph.Transpose %c {perm = array<i64: 1, 0>} : (tensor<2x3xi32>) -> tensor<3x2xi32>
  %b = graph.constant dense<[[true, false, false], [true, true, false]]> : tensor<2x3xi1>
  %bt = graph.Transpose %b : (tensor<2x3xi1>) -> tensor<3x2xi1>
  return %t, %bt : tensor<3x2xi32>, tensor<3x2xi1>
}

// -----

// Tests that Reshape, Squeeze, Unsqueeze and Flatten of constants become
// constants of the new shape.
// CHECK-LABEL: func.func @reshape_family
// CHECK-DAG: %[[R:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[S:.*]] = graph.constant dense<[7, 8]> : tensor<2xi64>
// CHECK-DAG: %[[U:.*]] = graph.constant dense<{{\[\[}}7], [8]]> : tensor<2x1xi64>
// CHECK-DAG: %[[F:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<1x6xf32>
// CHECK-NOT: graph.Reshape
// CHECK-NOT: graph.Squeeze
// CHECK-NOT: graph.Unsqueeze
// CHECK-NOT: graph.Flatten
// CHECK: return %[[R]], %[[S]], %[[U]], %[[F]]
func.func @reshape_family(%shape: tensor<2xi64>) -> (tensor<3x2xf32>, tensor<2xi64>, tensor<2x1xi64>, tensor<1x6xf32>) {
  %c = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %r = graph.Reshape %c, %shape : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  %i = graph.constant dense<[[7, 8]]> : tensor<1x2xi64>
  %s = graph.Squeeze %i : (tensor<1x2xi64>) -> tensor<2xi64>
  %axes = graph.constant dense<[1]> : tensor<1xi64>
  %j = graph.constant dense<[7, 8]> : tensor<2xi64>
  %u = graph.Unsqueeze %j, %axes : (tensor<2xi64>, tensor<1xi64>) -> tensor<2x1xi64>
  %f = graph.Flatten %c {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<1x6xf32>
  return %r, %s, %u, %f : tensor<3x2xf32>, tensor<2xi64>, tensor<2x1xi64>, tensor<1x6xf32>
}

// -----

// Tests that a Transpose of a dense_resource weight used once writes a new
// blob with the bytes permuted: [[1, 2, 3], [4, 5, 6]] -> [[1, 4], [2, 5],
// [3, 6]].
// CHECK-LABEL: func.func @transpose_resource
// CHECK: %[[T:.*]] = graph.constant dense_resource<[[KEY:.*]]> : tensor<3x2xi8>
// CHECK-NOT: graph.Transpose
// CHECK: return %[[T]]
// CHECK: [[KEY]]: "0x08000000010402050306"
func.func @transpose_resource() -> tensor<3x2xi8> {
  %w = graph.constant dense_resource<w> : tensor<2x3xi8>
  %t = graph.Transpose %w {perm = array<i64: 1, 0>} : (tensor<2x3xi8>) -> tensor<3x2xi8>
  return %t : tensor<3x2xi8>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x01000000010203040506"
    }
  }
#-}

// -----

// Tests that a Transpose of a dense_resource weight that has another use
// is left alone (a copy would store the weight twice), while a Reshape of
// it reuses the same blob.
// CHECK-LABEL: func.func @shared_resource
// CHECK: %[[W:.*]] = graph.constant dense_resource<w> : tensor<2x3xi8>
// CHECK-DAG: %[[T:.*]] = graph.Transpose %[[W]]
// CHECK-DAG: %[[R:.*]] = graph.constant dense_resource<w> : tensor<6xi8>
// CHECK-NOT: graph.Reshape
// CHECK: return %[[T]], %[[R]], %[[W]]
func.func @shared_resource(%shape: tensor<1xi64>) -> (tensor<3x2xi8>, tensor<6xi8>, tensor<2x3xi8>) {
  %w = graph.constant dense_resource<w> : tensor<2x3xi8>
  %t = graph.Transpose %w {perm = array<i64: 1, 0>} : (tensor<2x3xi8>) -> tensor<3x2xi8>
  %r = graph.Reshape %w, %shape : (tensor<2x3xi8>, tensor<1xi64>) -> tensor<6xi8>
  return %t, %r, %w : tensor<3x2xi8>, tensor<6xi8>, tensor<2x3xi8>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x01000000010203040506"
    }
  }
#-}

// -----

// Tests that a Cast of an fp16 dense_resource weight to f32 writes an f32
// blob (1.0, -2.0), and that an integer Cast to float folds.
// CHECK-LABEL: func.func @cast
// CHECK-DAG: %[[H:.*]] = graph.constant dense_resource<[[KEY:.*]]> : tensor<2xf32>
// CHECK-DAG: %[[I:.*]] = graph.constant dense<[1.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK-NOT: graph.Cast
// CHECK: return %[[H]], %[[I]]
// CHECK: [[KEY]]: "0x080000000000803F000000C0"
func.func @cast() -> (tensor<2xf32>, tensor<2xf32>) {
  %h = graph.constant dense_resource<h> : tensor<2xf16>
  %hc = graph.Cast %h {to = 1 : i64} : (tensor<2xf16>) -> tensor<2xf32>
  %i = graph.constant dense<[1, -3]> : tensor<2xi32>
  %ic = graph.Cast %i {to = 1 : i64} : (tensor<2xi32>) -> tensor<2xf32>
  return %hc, %ic : tensor<2xf32>, tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      h: "0x02000000003C00C0"
    }
  }
#-}

// -----

// Tests that a Cast from float to integer is left to the Cast folder (its
// rounding rules are not this pass's).
// CHECK-LABEL: func.func @cast_to_int
// CHECK: graph.Cast
func.func @cast_to_int() -> tensor<2xi32> {
  %c = graph.constant dense<[1.5, -3.0]> : tensor<2xf32>
  %i = graph.Cast %c {to = 6 : i64} : (tensor<2xf32>) -> tensor<2xi32>
  return %i : tensor<2xi32>
}
