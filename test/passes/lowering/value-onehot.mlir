// RUN: aicc-opt %s -split-input-file --aicc-lower-graph-to-linalg | FileCheck %s

// Tests that OneHot with depth from a graph input has the value symbol of
// `aicc.value_params` `depth` as the extent of the new axis (here the last
// one, axis = -1), and that a negative index is wrapped by that depth, read
// in the kernel body (a push constant).
// CHECK-LABEL: func.func @one_hot_value
// CHECK-SAME: (%[[I:[^:]*]]: tensor<2x3xi64>, %{{[^:]*}}: tensor<f32>, %[[V:[^:]*]]: tensor<2xf32>)
// CHECK: %[[D:.*]] = exec.symbol {index = 0 : i64}
// CHECK: %[[E:.*]] = tensor.empty(%[[D]]) : tensor<2x3x?xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<2x3xi64>) outs(%[[E]] : tensor<2x3x?xf32>)
// CHECK: arith.cmpi slt
// CHECK: %[[D64:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: arith.addi %{{.*}}, %[[D64]]
// CHECK: linalg.index 2 : index
// CHECK: arith.cmpi eq
// CHECK: arith.select
func.func @one_hot_value(%i: tensor<2x3xi64>, %d: tensor<f32>, %v: tensor<2xf32>) -> tensor<2x3x?xf32>
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "depth", range = array<i64: 1, 2147483647>, def = array<i64: 1>, what = "node 'o' (OneHot) depth from input 'd'"}]} {
  %y = graph.OneHot %i, %d, %v {axis = -1 : i64,
      aicc.result_dims = [affine_map<()[s0] -> (2, 3, s0)>],
      aicc.value_params = {depth = array<i64: 0>}}
      : (tensor<2x3xi64>, tensor<f32>, tensor<2xf32>) -> tensor<2x3x?xf32>
  return %y : tensor<2x3x?xf32>
}
