// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that TopK with K from a graph input ranks the static input as
// usual and builds the indices and values with the axis extent K, the value
// symbol of `aicc.value_params` `k` (exec.symbol).
// CHECK-LABEL: func.func @top_k_value
// CHECK-SAME: (%[[X:[^:]*]]: tensor<3x4xf32>
// CHECK: %[[K:.*]] = exec.symbol {index = 0 : i64}
// CHECK: %[[RANKS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[X]], %[[X]] : tensor<3x4xf32>, tensor<3x4xf32>) outs(%{{.*}} : tensor<3x4xi64>)
// CHECK: %[[E:.*]] = tensor.empty(%[[K]]) : tensor<3x?xi64>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%[[E]] : tensor<3x?xi64>)
// CHECK: %[[IDX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%[[RANKS]] : tensor<3x4xi64>) outs(%[[F]] : tensor<3x?xi64>)
// CHECK: %[[VE:.*]] = tensor.empty(%[[K]]) : tensor<3x?xf32>
// CHECK: %[[VALS:.*]] = linalg.generic
// CHECK-SAME: ins(%[[IDX]] : tensor<3x?xi64>) outs(%[[VE]] : tensor<3x?xf32>)
// CHECK: tensor.extract %[[X]]
// CHECK: return %[[VALS]], %[[IDX]]
func.func @top_k_value(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "k", range = array<i64: 0, 4>, def = array<i64: 11, 1, 0>, what = "node 't' (TopK) K from input 'k'"}]} {
  %v, %i = graph.TopK %x, %k {axis = 1 : i64,
      aicc.result_dims = [affine_map<()[s0] -> (3, s0)>, affine_map<()[s0] -> (3, s0)>],
      aicc.value_params = {k = array<i64: 0>}}
      : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return %v, %i : tensor<3x?xf32>, tensor<3x?xi64>
}

// -----

// Tests that a value K without the `k` parameter stays unlowered with the
// reason.
// CHECK-LABEL: func.func @no_param
// CHECK: graph.TopK {{.*}}aicc.unsupported = "K is a value input, but 'aicc.value_params' has no 'k'"
func.func @no_param(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "k", range = array<i64: 0, 4>, def = array<i64: 11, 1, 0>, what = "k"}]} {
  %v, %i = graph.TopK %x, %k {axis = 1 : i64,
      aicc.result_dims = [affine_map<()[s0] -> (3, s0)>, affine_map<()[s0] -> (3, s0)>],
      aicc.value_params = {}}
      : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return %v, %i : tensor<3x?xf32>, tensor<3x?xi64>
}
