// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// The graph IR below is what `aicc-graph-value-symbols` produces (contract A
// of issue 15): `aicc.value_symbols` on @main (value symbol j is symbol
// n + j after the n entries of `aicc.symbols`), `aicc.result_dims` and
// `aicc.value_params` on the ops whose shapes depend on input values. The
// `def` programs are not read by the lowering.

// Tests that value symbols are materialized once at the top of @main as
// exec.symbol with index n + j (here n = 0) and that a Reshape to a shape
// from an input's values is a tensor.reshape view of the input with the
// symbols as its dims.
// CHECK-LABEL: func.func @reshape_value_shape
// CHECK-SAME: (%[[X:.*]]: tensor<6xf32>, %{{.*}}: tensor<2xi64>)
// CHECK-DAG: %[[V0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[V1:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %[[V0]], %[[V1]] : tensor<2xindex>
// CHECK: %[[R:.*]] = tensor.reshape %[[X]](%[[SHAPE]]) : (tensor<6xf32>, tensor<2xindex>) -> tensor<?x?xf32>
// CHECK: return %[[R]]
// CHECK-NOT: graph.
func.func @reshape_value_shape(%x: tensor<6xf32>, %shape: tensor<2xi64>) -> tensor<?x?xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "node 'r' (Reshape) dim 0", range = array<i64: 0, 6>, def = array<i64: 11, 1, 0>, what = "node 'r' (Reshape) output dim 0 from input 'shape'"},
                  {name = "node 'r' (Reshape) dim 1", range = array<i64: 0, 6>, def = array<i64: 11, 1, 1>, what = "node 'r' (Reshape) output dim 1 from input 'shape'"}]} {
  %0 = graph.Reshape %x, %shape {aicc.result_dims = [affine_map<()[s0, s1] -> (s0, s1)>]} : (tensor<6xf32>, tensor<2xi64>) -> tensor<?x?xf32> loc("r")
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that value symbols come after the dim symbols (index n + j with
// n = 1), that a static result dim is a constant of the view's shape, and
// that a dim symbol keeps its tensor.dim.
// CHECK-LABEL: func.func @reshape_after_dim_symbols
// CHECK-DAG: %[[N:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0
// CHECK-DAG: %[[V:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %[[N]], %[[V]], %[[C4]] : tensor<3xindex>
// CHECK: tensor.reshape %arg0(%[[SHAPE]]) : (tensor<?x8xf32>, tensor<3xindex>) -> tensor<?x?x4xf32>
func.func @reshape_after_dim_symbols(%x: tensor<?x8xf32> {aicc.shape = affine_map<()[s0] -> (s0, 8)>},
                                     %shape: tensor<3xi64>) -> tensor<?x?x4xf32>
    attributes {aicc.symbols = {n = array<i64: 1, 16>},
                aicc.value_symbols = [
                  {name = "node 'r' (Reshape) dim 0", range = array<i64: 0, 2147483647>, def = array<i64: 11, 1, 0>, what = "node 'r' (Reshape) output dim 0 from input 'shape'"}]} {
  %0 = graph.Reshape %x, %shape {aicc.result_dims = [affine_map<()[s0, s1] -> (s0, s1, 4)>]} : (tensor<?x8xf32>, tensor<3xi64>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// Tests that Squeeze and Unsqueeze with axes from an input are views too
// (the rank is static, which dims are 1 is not).
// CHECK-LABEL: func.func @squeeze_unsqueeze_value_axes
// CHECK-DAG: %[[V0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[V1:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[V2:.*]] = exec.symbol {index = 2 : i64}
// CHECK: %[[S1:.*]] = tensor.from_elements %[[V0]], %[[V1]] : tensor<2xindex>
// CHECK: tensor.reshape %arg0(%[[S1]]) : (tensor<1x3x1xf32>, tensor<2xindex>) -> tensor<?x?xf32>
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[S2:.*]] = tensor.from_elements %[[V2]], %[[C3]], %{{.*}}, %{{.*}} : tensor<4xindex>
// CHECK: tensor.reshape %arg0(%[[S2]]) : (tensor<1x3x1xf32>, tensor<4xindex>) -> tensor<?x3x?x?xf32>
func.func @squeeze_unsqueeze_value_axes(%x: tensor<1x3x1xf32>, %axes: tensor<1xi64>, %axes1: tensor<1xi64>)
    -> (tensor<?x?xf32>, tensor<?x3x?x?xf32>)
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "sq0", range = array<i64: 1, 3>, def = array<i64: 0, 1>, what = "sq0"},
                  {name = "sq1", range = array<i64: 1, 3>, def = array<i64: 0, 1>, what = "sq1"},
                  {name = "us0", range = array<i64: 1, 1>, def = array<i64: 0, 1>, what = "us0"},
                  {name = "us2", range = array<i64: 1, 1>, def = array<i64: 0, 1>, what = "us2"},
                  {name = "us3", range = array<i64: 1, 1>, def = array<i64: 0, 1>, what = "us3"}]} {
  %0 = graph.Squeeze %x, %axes {aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4] -> (s0, s1)>]} : (tensor<1x3x1xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  %1 = graph.Unsqueeze %x, %axes1 {aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4] -> (s2, 3, s3, s4)>]} : (tensor<1x3x1xf32>, tensor<1xi64>) -> tensor<?x3x?x?xf32>
  return %0, %1 : tensor<?x?xf32>, tensor<?x3x?x?xf32>
}

// -----

// Tests that Expand to a shape from an input broadcasts the static 1 dim of
// the input into the value symbol's extent (the other dim is read as it
// is: the runtime checks o_1 == 3).
// CHECK-LABEL: func.func @expand_value_shape
// CHECK-DAG: %[[V0:.*]] = exec.symbol {index = 0 : i64}
// CHECK: %[[C:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<1x3xf32> into tensor<3xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[V0]]) : tensor<?x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<3xf32>) outs(%[[E]] : tensor<?x3xf32>)
func.func @expand_value_shape(%x: tensor<1x3xf32>, %shape: tensor<2xi64>) -> tensor<?x3xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "e0", range = array<i64: 1, 2147483647>, def = array<i64: 11, 1, 0>, what = "e0"}]} {
  %0 = graph.Expand %x, %shape {aicc.result_dims = [affine_map<()[s0] -> (s0, 3)>]} : (tensor<1x3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Tests that ConstantOfShape of an input's values fills a tensor.empty of
// the value symbols.
// CHECK-LABEL: func.func @constant_of_shape_value
// CHECK-DAG: %[[V0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[V1:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[V0]], %[[V1]]) : tensor<?x?xi32>
// CHECK: linalg.fill ins(%{{.*}} : i32) outs(%[[E]] : tensor<?x?xi32>)
func.func @constant_of_shape_value(%shape: tensor<2xi64>) -> tensor<?x?xi32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "c0", range = array<i64: 0, 2147483647>, def = array<i64: 11, 0, 0>, what = "c0"},
                  {name = "c1", range = array<i64: 0, 2147483647>, def = array<i64: 11, 0, 1>, what = "c1"}]} {
  %0 = graph.ConstantOfShape %shape {value = dense<7> : tensor<1xi32>, aicc.result_dims = [affine_map<()[s0, s1] -> (s0, s1)>]} : (tensor<2xi64>) -> tensor<?x?xi32>
  return %0 : tensor<?x?xi32>
}

// -----

// Tests that Tile with repeats from an input gathers at i mod d per dim: a
// static 1 dim reads index 0, a static dim > 1 takes the remainder by it.
// CHECK-LABEL: func.func @tile_value_repeats
// CHECK-SAME: (%[[X:.*]]: tensor<1x3xf32>, %{{.*}}: tensor<2xi64>)
// CHECK-DAG: %[[V0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[V1:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[O1:.*]] = affine.apply #{{.*}}()[%[[V0]], %[[V1]]]
// CHECK: %[[E:.*]] = tensor.empty(%[[V0]], %[[O1]]) : tensor<?x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x?xf32>)
// CHECK-DAG: %[[J:.*]] = linalg.index 1
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[M:.*]] = arith.remui %[[J]], %[[C3]] : index
// CHECK: tensor.extract %[[X]][%[[C0]], %[[M]]] : tensor<1x3xf32>
func.func @tile_value_repeats(%x: tensor<1x3xf32>, %repeats: tensor<2xi64>) -> tensor<?x?xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "t0", range = array<i64: 0, 2147483647>, def = array<i64: 11, 1, 0>, what = "t0"},
                  {name = "t1", range = array<i64: 0, 2147483647>, def = array<i64: 11, 1, 1>, what = "t1"}]} {
  %0 = graph.Tile %x, %repeats {aicc.result_dims = [affine_map<()[s0, s1] -> (s0, s1 * 3)>]} : (tensor<1x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that Tile of an input with a dynamic dim takes the remainder by
// max(d, 1), so that a zero-size dim never divides by 0.
// CHECK-LABEL: func.func @tile_dynamic_input
// CHECK-DAG: %[[N:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0
// CHECK: linalg.generic
// CHECK-DAG: %[[I:.*]] = linalg.index 0
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : index
// CHECK: %[[D:.*]] = arith.maxui %[[N]], %[[ONE]] : index
// CHECK: arith.remui %[[I]], %[[D]] : index
func.func @tile_dynamic_input(%x: tensor<?xf32> {aicc.shape = affine_map<()[s0] -> (s0)>},
                              %repeats: tensor<1xi64>) -> tensor<?xf32>
    attributes {aicc.symbols = {n = array<i64: 0, 8>},
                aicc.value_symbols = [
                  {name = "t0", range = array<i64: 0, 2147483647>, def = array<i64: 11, 1, 0>, what = "t0"}]} {
  %0 = graph.Tile %x, %repeats {aicc.result_dims = [affine_map<()[s0, s1] -> (s0 * s1)>]} : (tensor<?xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Tests that Range with value-dependent length fills a tensor of the value
// symbol's extent from the start and delta tensors (kernel inputs).
// CHECK-LABEL: func.func @range_value
// CHECK-DAG: %[[V0:.*]] = exec.symbol {index = 0 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[V0]]) : tensor<?xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>) outs(%[[E]] : tensor<?xf32>)
// CHECK: linalg.index 0
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @range_value(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>) -> tensor<?xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "n", range = array<i64: 0, 2147483647>, def = array<i64: 13, 0, 1, 2>, what = "n"}]} {
  %0 = graph.Range %s, %l, %d {aicc.result_dims = [affine_map<()[s0] -> (s0)>]} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Tests that Split with sizes from an input extracts each output at the
// graph stage's `offsets` with the value symbols as sizes (the first
// offset, a one-value range, is the constant 0).
// CHECK-LABEL: func.func @split_value_sizes
// CHECK-DAG: %[[A:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[B:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[OB:.*]] = exec.symbol {index = 3 : i64}
// CHECK: tensor.extract_slice %arg0[0, 0] [2, %[[A]]] [1, 1] : tensor<2x8xf32> to tensor<2x?xf32>
// CHECK: tensor.extract_slice %arg0[0, %[[OB]]] [2, %[[B]]] [1, 1] : tensor<2x8xf32> to tensor<2x?xf32>
func.func @split_value_sizes(%x: tensor<2x8xf32>, %split: tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x?xf32>)
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "a", range = array<i64: 0, 8>, def = array<i64: 11, 1, 0>, what = "a"},
                  {name = "b", range = array<i64: 0, 8>, def = array<i64: 11, 1, 1>, what = "b"},
                  {name = "oa", range = array<i64: 0, 0>, def = array<i64: 0, 0>, what = "oa"},
                  {name = "ob", range = array<i64: 0, 8>, def = array<i64: 11, 1, 0>, what = "ob"}]} {
  %0:2 = graph.Split %x, %split {axis = 1 : i64,
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3] -> (2, s0)>, affine_map<()[s0, s1, s2, s3] -> (2, s1)>],
      aicc.value_params = {offsets = array<i64: 2, 3>}} : (tensor<2x8xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x?xf32>)
  return %0#0, %0#1 : tensor<2x?xf32>, tensor<2x?xf32>
}

// -----

// Tests that Slice with starts, ends and steps from inputs is a gather at
// start + i * step per dim, the start and step of each dim being the value
// symbols that `aicc.value_params` names (any sign of the step), and that
// parameters whose range is one value (start 0, step 1 of the untouched
// dim 1) are constants: that dim reads linalg.index as it is.
// CHECK-LABEL: func.func @slice_value
// CHECK-SAME: (%[[X:.*]]: tensor<10x4xf32>
// CHECK-DAG: %[[O0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[ST0:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[SP0:.*]] = exec.symbol {index = 2 : i64}
// CHECK-NOT: exec.symbol {index = 3
// CHECK: %[[E:.*]] = tensor.empty(%[[O0]]) : tensor<?x4xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?x4xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[IS:.*]] = arith.muli %[[I]], %[[SP0]] : index
// CHECK: %[[II:.*]] = arith.addi %[[ST0]], %[[IS]] : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK-NEXT: tensor.extract %[[X]][%[[II]], %[[J]]] : tensor<10x4xf32>
func.func @slice_value(%x: tensor<10x4xf32>, %starts: tensor<1xi64>, %ends: tensor<1xi64>, %axes: tensor<1xi64>, %steps: tensor<1xi64>) -> tensor<?x4xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "o0", range = array<i64: 0, 10>, def = array<i64: 0, 0>, what = "o0"},
                  {name = "start0", range = array<i64: 0, 10>, def = array<i64: 0, 0>, what = "start0"},
                  {name = "step0", range = array<i64: -9223372036854775808, 9223372036854775807>, def = array<i64: 0, 1>, what = "step0"},
                  {name = "start1", range = array<i64: 0, 0>, def = array<i64: 0, 0>, what = "start1"},
                  {name = "step1", range = array<i64: 1, 1>, def = array<i64: 0, 1>, what = "step1"}]} {
  %0 = graph.Slice %x, %starts, %ends axes(%axes) steps(%steps) {
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4] -> (s0, 4)>],
      aicc.value_params = {starts = array<i64: 1, 3>, steps = array<i64: 2, 4>}}
      : (tensor<10x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Tests that `aicc.value_params` given as an affine map over the symbols
// may hold constants: a dim with start 0 and step 1 reads linalg.index as
// it is.
// CHECK-LABEL: func.func @slice_value_params_map
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[IS:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK: %[[II:.*]] = arith.addi %{{.*}}, %[[IS]] : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK-NOT: arith.muli
// CHECK: tensor.extract %arg0[%[[II]], %[[J]]] : tensor<10x4xf32>
func.func @slice_value_params_map(%x: tensor<10x4xf32>, %starts: tensor<1xi64>, %ends: tensor<1xi64>, %axes: tensor<1xi64>, %steps: tensor<1xi64>) -> tensor<?x4xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "o0", range = array<i64: 0, 10>, def = array<i64: 0, 0>, what = "o0"},
                  {name = "start0", range = array<i64: 0, 10>, def = array<i64: 0, 0>, what = "start0"},
                  {name = "step0", range = array<i64: -10, 10>, def = array<i64: 0, 1>, what = "step0"}]} {
  %0 = graph.Slice %x, %starts, %ends axes(%axes) steps(%steps) {
      aicc.result_dims = [affine_map<()[s0, s1, s2] -> (s0, 4)>],
      aicc.value_params = {starts = affine_map<()[s0, s1, s2] -> (s1, 0)>, steps = affine_map<()[s0, s1, s2] -> (s2, 1)>}}
      : (tensor<10x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Tests that a value-dependent Slice without the `starts`/`steps` parameters
// stays unlowered with a reason naming the missing entry.
// CHECK-LABEL: func.func @slice_value_no_params
// CHECK: graph.Slice {{.*}}aicc.unsupported = "the value-dependent lowering needs 'aicc.value_params' entry 'starts' with 2 symbols (one per input dim); it has 0"
func.func @slice_value_no_params(%x: tensor<10x4xf32>, %starts: tensor<1xi64>, %ends: tensor<1xi64>) -> tensor<?x4xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "o0", range = array<i64: 0, 10>, def = array<i64: 0, 0>, what = "o0"}]} {
  %0 = graph.Slice %x, %starts, %ends {aicc.result_dims = [affine_map<()[s0] -> (s0, 4)>]}
      : (tensor<10x4xf32>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Tests that Pad (constant mode) with pads from an input reads the input at
// i - begin where 0 <= i - begin < d, else the constant_value input (a
// rank-0 kernel input); an unpadded dim reads linalg.index as it is.
// CHECK-LABEL: func.func @pad_value_constant
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>
// CHECK-DAG: %[[O1:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[B1:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[O1]]) : tensor<2x?xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<f32>) outs(%[[E]] : tensor<2x?xf32>)
// CHECK: ^bb0(%[[CV:.*]]: f32,
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[S:.*]] = arith.subi %[[J]], %[[B1]] : index
// CHECK-DAG: %[[GE:.*]] = arith.cmpi sge, %[[S]], %{{.*}} : index
// CHECK-DAG: %[[LT:.*]] = arith.cmpi slt, %[[S]], %{{.*}} : index
// CHECK: %[[BOTH:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK: %[[IN:.*]] = arith.andi %{{.*}}, %[[BOTH]] : i1
// CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[I]], %{{.*}}] : tensor<2x3xf32>
// CHECK: arith.select %[[IN]], %[[V]], %[[CV]] : f32
func.func @pad_value_constant(%x: tensor<2x3xf32>, %pads: tensor<4xi64>, %cv: tensor<f32>) -> tensor<2x?xf32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "o1", range = array<i64: 0, 2147483647>, def = array<i64: 0, 0>, what = "o1"},
                  {name = "b1", range = array<i64: -3, 2147483647>, def = array<i64: 11, 1, 1>, what = "b1"}]} {
  %0 = graph.Pad %x, %pads constant_value(%cv) {
      aicc.result_dims = [affine_map<()[s0, s1] -> (2, s0)>],
      aicc.value_params = {begin = affine_map<()[s0, s1] -> (0, s1)>}}
      : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// Tests that Pad in reflect mode with pads from an input crops negative
// pads first (c = max(-b, 0), n = d - c - max(-e, 0)), mirrors the
// coordinate i - max(b, 0) with period 2(n - 1) (its divisor kept >= 1)
// and reads at c plus that.
// CHECK-LABEL: func.func @pad_value_reflect
// CHECK-SAME: (%[[X:.*]]: tensor<5xi32>
// CHECK-DAG: %[[O:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[B:.*]] = exec.symbol {index = 1 : i64}
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[END:.*]] = arith.subi %{{.*}}, %[[B]] : index
// CHECK: %[[NB:.*]] = arith.subi %{{.*}}, %[[B]] : index
// CHECK: %[[CB:.*]] = arith.maxsi %[[NB]], %{{.*}} : index
// CHECK: %[[NE:.*]] = arith.subi %{{.*}}, %[[END]] : index
// CHECK: %[[CE:.*]] = arith.maxsi %[[NE]], %{{.*}} : index
// CHECK: %[[SZ:.*]] = arith.subi %{{.*}}, %[[CE]] : index
// CHECK: %[[PB:.*]] = arith.maxsi %[[B]], %{{.*}} : index
// CHECK: %[[T:.*]] = arith.subi %[[I]], %[[PB]] : index
// CHECK: %[[P:.*]] = arith.muli
// CHECK: %[[PD:.*]] = arith.maxsi %[[P]], %{{.*}} : index
// CHECK: arith.remsi %[[T]], %[[PD]] : index
// CHECK: arith.select
// CHECK: %[[SRC:.*]] = arith.select
// CHECK: %[[AT:.*]] = arith.addi %[[CB]], %[[SRC]] : index
// CHECK: tensor.extract %[[X]][%[[AT]]] : tensor<5xi32>
func.func @pad_value_reflect(%x: tensor<5xi32>, %pads: tensor<2xi64>) -> tensor<?xi32>
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "o", range = array<i64: 0, 2147483647>, def = array<i64: 0, 0>, what = "o"},
                  {name = "b", range = array<i64: -5, 2147483647>, def = array<i64: 11, 1, 0>, what = "b"}]} {
  %0 = graph.Pad %x, %pads {mode = "reflect",
      aicc.result_dims = [affine_map<()[s0, s1] -> (s0)>],
      aicc.value_params = {begin = array<i64: 1>}}
      : (tensor<5xi32>, tensor<2xi64>) -> tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

// Tests that Pad in edge mode clamps i - begin into [0, d - 1] and that
// wrap takes the coordinate modulo the cropped size (divisor kept >= 1).
// CHECK-LABEL: func.func @pad_value_edge_wrap
// CHECK: linalg.generic
// CHECK: %[[LO:.*]] = arith.minsi %{{.*}}, %{{.*}} : index
// CHECK: %[[C:.*]] = arith.maxsi %[[LO]], %{{.*}} : index
// CHECK: tensor.extract %arg0[%[[C]]] : tensor<4xui8>
// CHECK: linalg.generic
// CHECK: %[[R:.*]] = arith.remsi %{{.*}}, %[[N:.*]] : index
// CHECK: %[[R2:.*]] = arith.addi %[[R]], %[[N]] : index
// CHECK: arith.remsi %[[R2]], %[[N]] : index
// CHECK: tensor.extract %arg0[%{{.*}}] : tensor<4xui8>
func.func @pad_value_edge_wrap(%x: tensor<4xui8>, %pads: tensor<2xi64>) -> (tensor<?xui8>, tensor<?xui8>)
    attributes {aicc.symbols = {},
                aicc.value_symbols = [
                  {name = "o", range = array<i64: 0, 2147483647>, def = array<i64: 0, 0>, what = "o"},
                  {name = "b", range = array<i64: -4, 2147483647>, def = array<i64: 11, 1, 0>, what = "b"}]} {
  %0 = graph.Pad %x, %pads {mode = "edge",
      aicc.result_dims = [affine_map<()[s0, s1] -> (s0)>],
      aicc.value_params = {begin = array<i64: 1>}}
      : (tensor<4xui8>, tensor<2xi64>) -> tensor<?xui8>
  %1 = graph.Pad %x, %pads {mode = "wrap",
      aicc.result_dims = [affine_map<()[s0, s1] -> (s0)>],
      aicc.value_params = {begin = array<i64: 1>}}
      : (tensor<4xui8>, tensor<2xi64>) -> tensor<?xui8>
  return %0, %1 : tensor<?xui8>, tensor<?xui8>
}

// -----

// Tests that Pad of an input with a dynamic dim and constant pads (begin 2,
// end -1 on the dynamic dim) is the same gather, with the begin pad as a
// constant: the output size is the analysis' n + 1.
// CHECK-LABEL: func.func @pad_dynamic_dim_constant_pads
// CHECK-DAG: %[[N:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0
// CHECK-DAG: %[[O:.*]] = affine.apply #{{.*}}()[%[[N]]]
// CHECK: %[[E:.*]] = tensor.empty(%[[O]]) : tensor<?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<?xf32>)
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[S:.*]] = arith.subi %[[I]], %{{.*}} : index
// CHECK: tensor.extract %arg0[%{{.*}}] : tensor<?xf32>
// CHECK: arith.select
func.func @pad_dynamic_dim_constant_pads(%x: tensor<?xf32> {aicc.shape = affine_map<()[s0] -> (s0)>}) -> tensor<?xf32>
    attributes {aicc.symbols = {n = array<i64: 1, 8>}} {
  %pads = graph.constant dense<[2, -1]> : tensor<2xi64>
  %0 = graph.Pad %x, %pads : (tensor<?xf32>, tensor<2xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Tests that a Slice of a dynamic dim with a negative step (a reversal:
// start INT64_MAX clamps to n - 1) is a gather at (n - 1) + i * -1 rather
// than an extract_slice.
// CHECK-LABEL: func.func @slice_dynamic_negative_step
// CHECK-DAG: %[[N:.*]] = tensor.dim {aicc.symbol = 0 : i64} %arg0
// CHECK-DAG: %[[LAST:.*]] = affine.apply #{{.*}}()[%[[N]]]
// CHECK-NOT: tensor.extract_slice
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[M:.*]] = arith.constant -1 : index
// CHECK: %[[IS:.*]] = arith.muli %[[I]], %[[M]] : index
// CHECK: %[[AT:.*]] = arith.addi %[[LAST]], %[[IS]] : index
// CHECK: tensor.extract %arg0[%[[AT]], %{{.*}}] : tensor<?x5xf32>
func.func @slice_dynamic_negative_step(%x: tensor<?x5xf32> {aicc.shape = affine_map<()[s0] -> (s0, 5)>}) -> tensor<?x5xf32>
    attributes {aicc.symbols = {n = array<i64: 1, 9>}} {
  %st = graph.constant dense<[9223372036854775807]> : tensor<1xi64>
  %en = graph.constant dense<[-9223372036854775808]> : tensor<1xi64>
  %ax = graph.constant dense<[0]> : tensor<1xi64>
  %sp = graph.constant dense<[-1]> : tensor<1xi64>
  %0 = graph.Slice %x, %st, %en axes(%ax) steps(%sp) : (tensor<?x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}
