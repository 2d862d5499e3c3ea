// RUN: aicc-opt %s -split-input-file --aicc-graph-print-symbolic-shapes | FileCheck %s

// Tests that arguments take their shapes from aicc.shape and that a
// broadcast of two different symbols assumes them equal (and records it),
// while a symbol against a constant keeps the constant.
// CHECK-LABEL: func.func @broadcast
// CHECK-SAME: aicc.assumptions = ["a == b", "4 == a"]
func.func @broadcast(%x: tensor<?x1xf32> {aicc.shape = affine_map<()[s0, s1] -> (s0, 1)>},
                     %y: tensor<?x?xf32> {aicc.shape = affine_map<()[s0, s1] -> (s1, s0)>},
                     %z: tensor<4xf32>)
    -> (tensor<?x?xf32>, tensor<?x4xf32>)
    attributes {aicc.symbols = {a = array<i64: 1, 8>, b = array<i64: 1, 8>}} {
  // CHECK: graph.Add {{.*}}aicc.shape = ["[a, a]"]
  %0 = graph.Add %x, %y : (tensor<?x1xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  // CHECK: graph.Mul {{.*}}aicc.shape = ["[a, 4]"]
  %1 = graph.Mul %x, %z : (tensor<?x1xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.Mul {{.*}}aicc.shape = ["[a, 4]"]
  %2 = graph.Mul %1, %0 : (tensor<?x4xf32>, tensor<?x?xf32>) -> tensor<?x4xf32>
  return %0, %2 : tensor<?x?xf32>, tensor<?x4xf32>
}

// -----

// Tests that a Reshape's -1 dim cancels the factors it shares with the
// known dims, and that 0 copies the input's dim.
// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<?x?x768xf32> {aicc.shape = affine_map<()[s0, s1] -> (s0, s1, 768)>})
    -> (tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?x?xf32>)
    attributes {aicc.symbols = {batch = array<i64: 1, 4>, seq = array<i64: 1, 512>}} {
  %heads = graph.constant dense<[0, 0, 12, -1]> : tensor<4xi64>
  // CHECK: graph.Reshape {{.*}}aicc.shape = ["[batch, seq, 12, 64]"]
  %0 = graph.Reshape %x, %heads : (tensor<?x?x768xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %flat = graph.constant dense<-1> : tensor<1xi64>
  // CHECK: graph.Reshape {{.*}}aicc.shape = ["[batch * seq * 768]"]
  %1 = graph.Reshape %0, %flat : (tensor<?x?x?x?xf32>, tensor<1xi64>) -> tensor<?xf32>
  %rows = graph.constant dense<[-1, 64]> : tensor<2xi64>
  // CHECK: graph.Reshape {{.*}}aicc.shape = ["[batch * seq * 12, 64]"]
  %2 = graph.Reshape %1, %rows : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0, %1, %2 : tensor<?x?x?x?xf32>, tensor<?xf32>, tensor<?x?xf32>
}

// -----

// Tests that a Slice start counted from the end is clamped with the
// symbol's range: at least 4 long, the last 3 elements are 3; from 1 on,
// it is a max() and the length subtracts it.
// CHECK-LABEL: func.func @slice_from_end
func.func @slice_from_end(%x: tensor<?xf32> {aicc.shape = affine_map<()[s0, s1] -> (s1)>},
                          %y: tensor<?xf32> {aicc.shape = affine_map<()[s0, s1] -> (s0)>})
    -> (tensor<?xf32>, tensor<?xf32>)
    attributes {aicc.symbols = {n = array<i64: 4, 8>, m = array<i64: 1, 8>}} {
  %start = graph.constant dense<-3> : tensor<1xi64>
  %end = graph.constant dense<9223372036854775807> : tensor<1xi64>
  // CHECK: graph.Slice {{.*}}aicc.shape = ["[3]"]
  %0 = graph.Slice %x, %start, %end : (tensor<?xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  // CHECK: graph.Slice {{.*}}aicc.shape = ["[m - max(m - 3, 0)]"]
  %1 = graph.Slice %y, %start, %end : (tensor<?xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return %0, %1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// Tests that shape values go through Shape, Slice, Mul, Div and Cast, that
// ConstantOfShape and Expand take their shapes from such values, and that a
// shape read from a graph input is not expressible.
// CHECK-LABEL: func.func @values
// CHECK-SAME: aicc.expressible = "9 of 10 results"
func.func @values(%x: tensor<?x?xf32> {aicc.shape = affine_map<()[s0] -> (2, s0)>},
                  %s: tensor<2xi64>)
    -> (tensor<?xf32>, tensor<?x?xf32>, tensor<?x?xf32>)
    attributes {aicc.symbols = {n = array<i64: 1, 64>}} {
  %shape = graph.Shape %x : (tensor<?x?xf32>) -> tensor<2xi64>
  %one = graph.constant dense<1> : tensor<1xi64>
  %two = graph.constant dense<2> : tensor<1xi64>
  // CHECK: graph.Slice {{.*}}aicc.value = ["[n]"]
  %last = graph.Slice %shape, %one, %two : (tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %six = graph.constant dense<6> : tensor<1xi64>
  // CHECK: graph.Mul {{.*}}aicc.value = ["[n * 6]"]
  %m = graph.Mul %last, %six : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  // CHECK: graph.Div {{.*}}aicc.value = ["[n * 3]"]
  %d = graph.Div %m, %two : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  // CHECK: graph.ConstantOfShape {{.*}}aicc.shape = ["[n * 3]"]
  %c = graph.ConstantOfShape %d : (tensor<1xi64>) -> tensor<?xf32>
  // CHECK: graph.Expand {{.*}}aicc.shape = ["[2, n]"]
  %e = graph.Expand %x, %shape : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: graph.Reshape {{.*}}aicc.shape = ["[?, ?]"]
  %r = graph.Reshape %x, %s : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %c, %e, %r : tensor<?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// Tests the lengths of a reversed Slice, a strided Slice, a Slice whose
// end may pass its start (a max() the range cannot drop), a Range with a
// negative step and an opset-18 Split into two.
// CHECK-LABEL: func.func @lengths
// CHECK: graph.Slice {{.*}}aicc.shape = ["[n]"]
// CHECK: graph.Slice {{.*}}aicc.shape = ["[n ceildiv 2]"]
// CHECK: graph.Range {{.*}}aicc.shape = ["[n ceildiv 3]"]
// CHECK: graph.Slice {{.*}}aicc.shape = ["[max(n - 3, 0)]"]
// CHECK: graph.Split {{.*}}aicc.shape = ["[n ceildiv 2]", "[n - n ceildiv 2]"]
func.func @lengths(%x: tensor<?xf32> {aicc.shape = affine_map<()[s0] -> (s0)>})
    -> (tensor<?xf32>, tensor<?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<?xf32>)
    attributes {aicc.symbols = {n = array<i64: 2, 64>}} {
  %m1 = graph.constant dense<-1> : tensor<1xi64>
  %z = graph.constant dense<0> : tensor<1xi64>
  %min = graph.constant dense<-9223372036854775808> : tensor<1xi64>
  %0 = graph.Slice %x, %m1, %min axes(%z) steps(%m1) : (tensor<?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  %two = graph.constant dense<2> : tensor<1xi64>
  %big = graph.constant dense<9223372036854775807> : tensor<1xi64>
  %1 = graph.Slice %x, %z, %big axes(%z) steps(%two) : (tensor<?xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  %s = graph.Shape %x : (tensor<?xf32>) -> tensor<1xi64>
  %zs = graph.constant dense<0> : tensor<i64>
  %n = graph.Squeeze %s, %z : (tensor<1xi64>, tensor<1xi64>) -> tensor<i64>
  %md = graph.constant dense<-3> : tensor<i64>
  %2 = graph.Range %n, %zs, %md : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %3 = graph.Slice %x, %two, %m1 : (tensor<?xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  %split:2 = graph.Split %x {axis = 0 : i64, num_outputs = 2 : i64} : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0, %1, %2, %3, %split#1 : tensor<?xf32>, tensor<?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<?xf32>
}
