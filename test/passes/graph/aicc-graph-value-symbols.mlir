// RUN: aicc-opt %s -split-input-file --aicc-graph-value-symbols -mlir-print-local-scope | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-graph-value-symbols --aicc-graph-refine-symbolic-types | FileCheck %s --check-prefix=REFINE

// Tests that a Reshape whose shape is a graph input gets one value symbol
// per output dim (0 copies the input dim, -1 divides the element count by
// the product of the others, a symbol of its own), a validity symbol, and
// the element-count assumption.
// Dim 0 is select(a0 == -1, 24 floordiv max(s1, 1), a0) with
// a0 = select(v0 == 0, 2, v0) and v0 = LOAD 1 0 (argument 1, element 0).
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: aicc.symbols = {}
// CHECK-SAME: name = "node 'r' (Reshape) shape valid", range = array<i64: 1, 1>
// CHECK-SAME: name = "node 'r' (Reshape) known product", range = array<i64: 0, 9223372036854775807>
// CHECK-SAME: {def = array<i64: 11, 1, 0, 0, 0, 14, 0, 2, 11, 1, 0, 16, 0, -1, 14, 0, 24, 1, 1, 0, 1, 9, 5, 11, 1, 0, 0, 0, 14, 0, 2, 11, 1, 0, 16, 16>, name = "node 'r' (Reshape) dim 0", range = array<i64: 0, 2147483647>, what = "node 'r' (Reshape) output dim 0 from input 'shape'"}
// CHECK-SAME: name = "node 'r' (Reshape) dim 2"
// CHECK: graph.Reshape %arg0, %arg1 {aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4] -> (s2, s3, s4)>], aicc.value_assumptions = [affine_map<()[s0, s1, s2, s3, s4] -> ((s2 * s3) * s4, 24)>]}
func.func @reshape(%x: tensor<2x3x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %r = graph.Reshape %x, %s : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32> loc("r")
  return %r : tensor<?x?x?xf32>
}

// -----

// Tests that constant axes and steps fold: each output dim of a Slice is
// the length of its entry, untouched dims stay static, and the parameters
// are symbols (CONST ones for untouched dims).
// The start is min(max(st + (st < 0 ? 10 : 0), 0), 9) (a negative step
// clamps to d - 1); the length ceildiv(start - max(min(en + ..., 9), -1), 1).
// CHECK-LABEL: func.func @slice_const_axes
// CHECK-SAME: {def = array<i64: 11, 1, 0, 11, 1, 0, 0, 0, 15, 0, 10, 0, 0, 16, 2, 0, 0, 9, 0, 9, 8>, name = "node 's' (Slice) start 0", range = array<i64: 0, 20>
// CHECK-SAME: {def = array<i64: 1, 0, 11, 2, 0, 11, 2, 0, 0, 0, 15, 0, 10, 0, 0, 16, 2, 0, -1, 9, 0, 9, 8, 3, 0, 0, 9>, name = "node 's' (Slice) length 0", range = array<i64: 0, 20>
// CHECK-SAME: {def = array<i64: 0, 0>, name = "node 's' (Slice) param starts[0]", range = array<i64: 0, 0>
// CHECK-SAME: {def = array<i64: 0, 1>, name = "node 's' (Slice) param steps[0]", range = array<i64: 1, 1>
// CHECK-SAME: {def = array<i64: 0, -1>, name = "node 's' (Slice) param steps[1]", range = array<i64: -1, -1>
// CHECK: graph.Slice {{.*}}aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4] -> (20, s1, 5)>], aicc.value_params = {starts = array<i64: 2, 0, 2>, steps = array<i64: 3, 4, 3>}}
// CHECK-SAME: -> tensor<?x?x?xf32>
// The symbolic analysis reads the result dims: the static ones go into the
// type.
// REFINE-LABEL: func.func @slice_const_axes
// REFINE-SAME: -> tensor<20x?x5xf32>
// REFINE: graph.Slice {{.*}} -> tensor<20x?x5xf32>
func.func @slice_const_axes(%x: tensor<20x10x5xf32>, %st: tensor<1xi64>, %en: tensor<1xi64>) -> tensor<?x?x?xf32> {
  %ax = graph.constant dense<1> : tensor<1xi64>
  %sp = graph.constant dense<-1> : tensor<1xi64>
  %r = graph.Slice %x, %st, %en axes(%ax) steps(%sp) : (tensor<20x10x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?x?xf32> loc("s")
  return %r : tensor<?x?x?xf32>
}

// -----

// Tests that ReduceSum with axes from an input gets kept/extents params and
// keepdims = 0 the dims that are not reduced.
// CHECK-LABEL: func.func @reduce
// CHECK-SAME: name = "node 'red' (ReduceSum) axes valid", range = array<i64: 1, 1>, what = "node 'red' (ReduceSum) input 'axes' has an axis outside [-3, 2] or a repeated axis"
// CHECK-SAME: {def = array<i64: 11, 1, 0, 11, 1, 0, 0, 0, 15, 0, 3, 0, 0, 16, 2, 0, 0, 14>, name = "node 'red' (ReduceSum) reduced 0", range = array<i64: 0, 1>
// CHECK-SAME: {def = array<i64: 1, 1, 0, 1, 0, 3, 16>, name = "node 'red' (ReduceSum) kept 0"
// CHECK-SAME: {def = array<i64: 1, 1, 0, 3, 0, 1, 16>, name = "node 'red' (ReduceSum) extent 0"
// CHECK-SAME: name = "node 'red' (ReduceSum) dim 1"
// CHECK: graph.ReduceSum {{.*}}aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11] -> (s10, s11)>], aicc.value_params = {extents = array<i64: 5, 7, 9>, kept = array<i64: 4, 6, 8>}, keepdims = 0 : i64}
func.func @reduce(%x: tensor<3x4x5xf32>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  %r = graph.ReduceSum %x, %a {keepdims = 0 : i64} : (tensor<3x4x5xf32>, tensor<1xi64>) -> tensor<?x?xf32> loc("red")
  return %r : tensor<?x?xf32>
}

// -----

// Tests that an empty axes input is a known value: the ReduceSum becomes
// static with no value symbols (reduce everything).
// CHECK-LABEL: func.func @reduce_empty_axes
// CHECK-SAME: -> tensor<1x1x1xf32> {
// CHECK: %[[EMPTY:.*]] = graph.constant dense<> : tensor<0xi64>
// CHECK: graph.ReduceSum %arg0, %[[EMPTY]] : (tensor<3x4x5xf32>, tensor<0xi64>) -> tensor<1x1x1xf32>
func.func @reduce_empty_axes(%x: tensor<3x4x5xf32>, %a: tensor<0xi64>) -> tensor<*xf32> {
  %r = graph.ReduceSum %x, %a {keepdims = 1 : i64} : (tensor<3x4x5xf32>, tensor<0xi64>) -> tensor<*xf32> loc("red")
  return %r : tensor<*xf32>
}

// -----

// Tests that Resize by float scales multiplies each dim with FMULFLOOR.
// CHECK-LABEL: func.func @resize_scales
// CHECK-SAME: {def = array<i64: 0, 2, 12, 1, 2>, name = "node 'rs' (Resize) dim 2"
// CHECK-SAME: {def = array<i64: 0, 3, 12, 1, 3>, name = "node 'rs' (Resize) dim 3"
// CHECK: graph.Resize {{.*}}aicc.result_dims = [affine_map<()[s0, s1, s2, s3] -> (s0, s1, s2, s3)>]
func.func @resize_scales(%x: tensor<1x1x2x3xf32>, %sc: tensor<4xf32>) -> tensor<?x?x?x?xf32> {
  %r = graph.Resize %x scales(%sc) {mode = "nearest"} : (tensor<1x1x2x3xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32> loc("rs")
  return %r : tensor<?x?x?x?xf32>
}

// -----

// Tests that a later op sees the value symbols of an earlier one: the
// Unsqueeze after a Reshape by values.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: name = "node 'r' (Reshape) dim 1"
// CHECK-SAME: {def = array<i64: 1, 5, 0, 1, 1, 2, 16>, name = "node 'u' (Unsqueeze) dim 0"
// CHECK: graph.Reshape {{.*}}aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10] -> (s2, s3)>]
// CHECK: graph.Unsqueeze {{.*}}aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10] -> (s8, s9, s10)>]
func.func @chain(%x: tensor<6xf32>, %s: tensor<2xi64>, %a: tensor<1xi64>) -> tensor<?x?x?xf32> {
  %r = graph.Reshape %x, %s : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  %u = graph.Unsqueeze %r, %a : (tensor<?x?xf32>, tensor<1xi64>) -> tensor<?x?x?xf32> loc("u")
  return %u : tensor<?x?x?xf32>
}

// -----

// Tests that a shape operand that is not a graph input (computed by an Add)
// is left alone (aicc-graph-check-static-shapes reports it).
// CHECK-LABEL: func.func @not_value_input
// CHECK-NOT: aicc.value_symbols
// CHECK: graph.Reshape %arg0, %0 : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
func.func @not_value_input(%x: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  %t = graph.Add %s, %s : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %r = graph.Reshape %x, %t : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  return %r : tensor<?x?xf32>
}

// -----

// Tests that value symbols are numbered after the dim symbols (seq is s0),
// that programs use the dim symbol (SYM 0: seq * 4 elements), and that a
// Tile after the Reshape multiplies its value symbols (SYM 3, SYM 4).
// CHECK-LABEL: func.func @with_dim_symbols
// CHECK-SAME: aicc.symbols = {seq = array<i64: 1, 512>}
// CHECK-SAME: {def = array<i64: 11, 1, 0, 0, 0, 14, 1, 0, 11, 1, 0, 16, 0, -1, 14, 1, 0, 0, 4, 4, 1, 2, 0, 1, 9, 5, 11, 1, 0, 0, 0, 14, 1, 0, 11, 1, 0, 16, 16>, name = "node 'r' (Reshape) dim 0"
// CHECK-SAME: {def = array<i64: 1, 3, 11, 1, 0, 4>, name = "node 't' (Tile) dim 0"
// CHECK-SAME: {def = array<i64: 1, 4, 11, 1, 1, 4>, name = "node 't' (Tile) dim 1"
// CHECK: graph.Reshape {{.*}}aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4, s5, s6] -> (s3, s4)>], aicc.value_assumptions = [affine_map<()[s0, s1, s2, s3, s4, s5, s6] -> (s3 * s4, s0 * 4)>]
// CHECK: graph.Tile {{.*}}aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4, s5, s6] -> (s5, s6)>]
func.func @with_dim_symbols(%x: tensor<?x4xf32> {aicc.shape = affine_map<()[s0] -> (s0, 4)>}, %s: tensor<2xi64>) -> tensor<?x?xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 512>}} {
  %r = graph.Reshape %x, %s : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  %t = graph.Tile %r, %s : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("t")
  return %t : tensor<?x?xf32>
}
