// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that ReduceSum with axes from a graph input and keepdims=1 is one
// linalg.generic over 2r loops: r parallel loops of the kept extents (value
// symbols 3..5, exec.symbol), r reduction loops of the reduced extents
// (value symbols 0..2) given by a window tensor, the input read at i + r,
// into a zero-filled tensor of the kept shape.
// CHECK: #[[$FULL:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0 + d3, d1 + d4, d2 + d5)>
// CHECK: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4, d5)>
// CHECK: #[[$KEPT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @sum_keepdims
// CHECK-DAG: %[[E0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[E1:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[E2:.*]] = exec.symbol {index = 2 : i64}
// CHECK-DAG: %[[K0:.*]] = exec.symbol {index = 3 : i64}
// CHECK-DAG: %[[K1:.*]] = exec.symbol {index = 4 : i64}
// CHECK-DAG: %[[K2:.*]] = exec.symbol {index = 5 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[K0]], %[[K1]], %[[K2]]) : tensor<?x?x?xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<?x?x?xf32>)
// CHECK: %[[W:.*]] = tensor.empty(%[[E0]], %[[E1]], %[[E2]]) : tensor<?x?x?xi8>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$FULL]], #[[$WIN]], #[[$KEPT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%arg0, %[[W]] : tensor<3x4x5xf32>, tensor<?x?x?xi8>) outs(%[[F]] : tensor<?x?x?xf32>)
// CHECK: arith.addf
// CHECK: return %[[R]] : tensor<?x?x?xf32>
// CHECK-NOT: graph.
func.func @sum_keepdims(%x: tensor<3x4x5xf32>, %axes: tensor<2xi64>) -> tensor<?x?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "e0", range = array<i64: 1, 3>, def = array<i64: 1>, what = "node 'r' (ReduceSum) extent 0"},
      {name = "e1", range = array<i64: 1, 4>, def = array<i64: 1>, what = "node 'r' (ReduceSum) extent 1"},
      {name = "e2", range = array<i64: 1, 5>, def = array<i64: 1>, what = "node 'r' (ReduceSum) extent 2"},
      {name = "k0", range = array<i64: 1, 3>, def = array<i64: 1>, what = "node 'r' (ReduceSum) output dim 0"},
      {name = "k1", range = array<i64: 1, 4>, def = array<i64: 1>, what = "node 'r' (ReduceSum) output dim 1"},
      {name = "k2", range = array<i64: 1, 5>, def = array<i64: 1>, what = "node 'r' (ReduceSum) output dim 2"}]} {
  %0 = graph.ReduceSum %x, %axes {
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4, s5] -> (s3, s4, s5)>],
      aicc.value_params = {extents = array<i64: 0, 1, 2>, kept = array<i64: 3, 4, 5>}}
      : (tensor<3x4x5xf32>, tensor<2xi64>) -> tensor<?x?x?xf32> loc("r")
  return %0 : tensor<?x?x?xf32>
}

// -----

// Tests that with keepdims=0 the keepdims=1 result is reshaped (a view) to
// the result dims of `aicc.result_dims` with tensor.reshape of
// tensor.from_elements, and that a dim of static size 1 stays 1 in both
// the kept and the reduced extents.
// CHECK-LABEL: func.func @sum_no_keepdims
// CHECK-DAG: %[[E1:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[K1:.*]] = exec.symbol {index = 3 : i64}
// CHECK-DAG: %[[O:.*]] = exec.symbol {index = 4 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[K1]]) : tensor<1x?xf32>
// CHECK: %[[W:.*]] = tensor.empty(%[[E1]]) : tensor<1x?xi8>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%arg0, %[[W]] : tensor<1x6xf32>, tensor<1x?xi8>) outs(%{{.*}} : tensor<1x?xf32>)
// CHECK: %[[S:.*]] = tensor.from_elements %[[O]] : tensor<1xindex>
// CHECK: %[[Y:.*]] = tensor.reshape %[[R]](%[[S]]) : (tensor<1x?xf32>, tensor<1xindex>) -> tensor<?xf32>
// CHECK: return %[[Y]]
func.func @sum_no_keepdims(%x: tensor<1x6xf32>, %axes: tensor<1xi64>) -> tensor<?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "e0", range = array<i64: 1, 1>, def = array<i64: 1>, what = "e0"},
      {name = "e1", range = array<i64: 1, 6>, def = array<i64: 1>, what = "e1"},
      {name = "k0", range = array<i64: 1, 1>, def = array<i64: 1>, what = "k0"},
      {name = "k1", range = array<i64: 1, 6>, def = array<i64: 1>, what = "k1"},
      {name = "o0", range = array<i64: 1, 6>, def = array<i64: 1>, what = "o0"}]} {
  %0 = graph.ReduceSum %x, %axes {keepdims = 0 : i64,
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4] -> (s4)>],
      aicc.value_params = {extents = array<i64: 0, 1>, kept = array<i64: 2, 3>}}
      : (tensor<1x6xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Tests that ReduceMean divides the sum by the product of the reduced
// extents, computed in the kernel body from the symbols (push constants),
// and that with a dim symbol (index 0) on the input the value symbols have
// the indices after it (1..4).
// CHECK-LABEL: func.func @mean_dynamic_input
// CHECK-DAG: %[[E0:.*]] = exec.symbol {index = 1 : i64}
// CHECK-DAG: %[[E1:.*]] = exec.symbol {index = 2 : i64}
// CHECK-DAG: %[[K0:.*]] = exec.symbol {index = 3 : i64}
// CHECK-DAG: %[[K1:.*]] = exec.symbol {index = 4 : i64}
// CHECK: tensor.empty(%[[K0]], %[[K1]]) : tensor<?x?xf32>
// CHECK: tensor.empty(%[[E0]], %[[E1]]) : tensor<?x?xi8>
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]{{.*}} ins(%arg0, %{{.*}} : tensor<?x8xf32>, tensor<?x?xi8>)
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<?x?xf32>)
// CHECK: %[[N:.*]] = arith.muli %[[E0]], %[[E1]] : index
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: %[[NF:.*]] = arith.sitofp %[[N64]] : i64 to f32
// CHECK: arith.divf %{{.*}}, %[[NF]] : f32
func.func @mean_dynamic_input(%x: tensor<?x8xf32> {aicc.shape = affine_map<()[s0] -> (s0, 8)>},
                              %axes: tensor<1xi64>) -> tensor<?x?xf32>
    attributes {aicc.symbols = {batch = array<i64: 1, 16>}, aicc.value_symbols = [
      {name = "e0", range = array<i64: 1, 16>, def = array<i64: 1>, what = "e0"},
      {name = "e1", range = array<i64: 1, 8>, def = array<i64: 1>, what = "e1"},
      {name = "k0", range = array<i64: 1, 16>, def = array<i64: 1>, what = "k0"},
      {name = "k1", range = array<i64: 1, 8>, def = array<i64: 1>, what = "k1"}]} {
  %0 = graph.ReduceMean %x, %axes {
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3, s4] -> (s3, s4)>],
      aicc.value_params = {extents = array<i64: 1, 2>, kept = array<i64: 3, 4>}}
      : (tensor<?x8xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Tests that ReduceLogSumExp with value axes is the max-shifted form on
// the kept shape: a max reduction, the -inf fix-up, a sum of exp(x - max)
// reading the max at the kept loops (i) and the input at i + r, then
// log(sum) + max; and that unsigned ReduceMax starts from 0 (a fill
// through the unsigned cast) and compares unsigned.
// CHECK: #[[$FULL:.+]] = affine_map<(d0, d1, d2, d3) -> (d0 + d2, d1 + d3)>
// CHECK: #[[$WIN:.+]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK: #[[$KEPT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @logsumexp
// CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[$FULL]], #[[$WIN]], #[[$KEPT]]]
// CHECK: arith.maximumf
// CHECK: %[[FIX:.*]] = linalg.generic {{.*}} ins(%[[MAX]] : tensor<?x?xf32>)
// CHECK: math.absf
// CHECK: linalg.generic {indexing_maps = [#[[$FULL]], #[[$KEPT]], #[[$WIN]], #[[$KEPT]]]{{.*}} ins(%arg0, %[[FIX]], %{{.*}} : tensor<2x3xf32>, tensor<?x?xf32>, tensor<?x?xi8>)
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: math.log
// CHECK-LABEL: func.func @max_unsigned
// CHECK: %[[Z:.*]] = arith.constant 0 : i8
// CHECK: linalg.generic
// CHECK: builtin.unrealized_conversion_cast %[[Z]] : i8 to ui8
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.maxui
func.func @logsumexp(%x: tensor<2x3xf32>, %axes: tensor<1xi64>) -> tensor<?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "e0", range = array<i64: 1, 2>, def = array<i64: 1>, what = "e0"},
      {name = "e1", range = array<i64: 1, 3>, def = array<i64: 1>, what = "e1"},
      {name = "k0", range = array<i64: 1, 2>, def = array<i64: 1>, what = "k0"},
      {name = "k1", range = array<i64: 1, 3>, def = array<i64: 1>, what = "k1"}]} {
  %0 = graph.ReduceLogSumExp %x, %axes {
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3] -> (s2, s3)>],
      aicc.value_params = {extents = array<i64: 0, 1>, kept = array<i64: 2, 3>}}
      : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
func.func @max_unsigned(%x: tensor<2x3xui8>, %axes: tensor<1xi64>) -> tensor<?x?xui8>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "e0", range = array<i64: 1, 2>, def = array<i64: 1>, what = "e0"},
      {name = "e1", range = array<i64: 1, 3>, def = array<i64: 1>, what = "e1"},
      {name = "k0", range = array<i64: 1, 2>, def = array<i64: 1>, what = "k0"},
      {name = "k1", range = array<i64: 1, 3>, def = array<i64: 1>, what = "k1"}]} {
  %0 = graph.ReduceMax %x, %axes {
      aicc.result_dims = [affine_map<()[s0, s1, s2, s3] -> (s2, s3)>],
      aicc.value_params = {extents = array<i64: 0, 1>, kept = array<i64: 2, 3>}}
      : (tensor<2x3xui8>, tensor<1xi64>) -> tensor<?x?xui8>
  return %0 : tensor<?x?xui8>
}

// -----

// Tests that a Reduce* whose value_params lack an entry per input dim stays
// unlowered with the reason.
// CHECK-LABEL: func.func @missing_params
// CHECK: graph.ReduceL1 {{.*}}aicc.unsupported = "the axes are a value input, but 'aicc.value_params' does not give 'extents' and 'kept' for every input dim"
func.func @missing_params(%x: tensor<2x3xf32>, %axes: tensor<1xi64>) -> tensor<?x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "e0", range = array<i64: 1, 2>, def = array<i64: 1>, what = "e0"}]} {
  %0 = graph.ReduceL1 %x, %axes {
      aicc.result_dims = [affine_map<()[s0] -> (s0, s0)>],
      aicc.value_params = {extents = array<i64: 0>}}
      : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}
