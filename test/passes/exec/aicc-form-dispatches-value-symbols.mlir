// RUN: aicc-opt %s -split-input-file --aicc-form-dispatches | FileCheck %s
// RUN: aicc-opt %s -split-input-file --aicc-form-dispatches --aicc-plan-memory | FileCheck %s --check-prefix=PLAN

// Tests that value symbols (issue 15) materialized as exec.symbol in @main
// are symbols of the schedule (index n + j after the n = 0 dim symbols, and
// 'aicc.value_symbols' is kept), that a tensor.reshape to a shape of index
// values (tensor.from_elements) is a view of the kernel's result buffer with
// the new extents as size operands (no kernel, no copy), and that the
// kernel reading it gets the extents as push constants.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_Neg_0(
// CHECK: func.func @k1_Exp_1(%{{.*}}: tensor<?x?xf32> {aicc.dynamic_dims = array<i64: 0, 1>}, %{{.*}}: index, %{{.*}}: index)
// CHECK-NOT: func.func
// CHECK: exec.schedule @main(%[[X:.*]]: memref<64xf32> {graph.name = "x"}, %{{.*}}: memref<2xi64> {graph.name = "shape"}, %[[Y:.*]]: memref<?x?xf32> {graph.name = "y"})
// CHECK-SAME: aicc.value_symbols = [{def = array<i64: 11, 1, 0>, name = "node 'r' (Reshape) dim 0"
// CHECK-DAG: %[[S0:.*]] = exec.symbol {index = 0 : i64}
// CHECK-DAG: %[[S1:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[B:.*]] = exec.alloc : memref<64xf32>
// CHECK: exec.dispatch @kernels::@k0_Neg_0 ins(%[[X]] : memref<64xf32>) outs(%[[B]] : memref<64xf32>)
// CHECK: %[[V:.*]] = exec.view %[[B]][0] (%[[S0]], %[[S1]]) : memref<64xf32> to memref<?x?xf32>
// CHECK: exec.dispatch @kernels::@k1_Exp_1 ins(%[[V]] : memref<?x?xf32>) outs(%[[Y]] : memref<?x?xf32>) push(%[[S0]], %[[S1]] : index, index)
// CHECK-NOT: exec.copy
// CHECK: exec.return dims(%[[S0]], %[[S1]] : index, index)
// PLAN-LABEL: exec.schedule @main
// PLAN-SAME: arena_size = array<i64: 256>
func.func @main(%x: tensor<64xf32> {graph.name = "x"}, %shape: tensor<2xi64> {graph.name = "shape"})
    -> (tensor<?x?xf32> {graph.name = "y"})
    attributes {aicc.symbols = {}, aicc.value_symbols = [
      {name = "node 'r' (Reshape) dim 0", range = array<i64: 0, 64>, def = array<i64: 11, 1, 0>, what = "node 'r' (Reshape) output dim 0 from input 'shape'"},
      {name = "node 'r' (Reshape) dim 1", range = array<i64: 0, 64>, def = array<i64: 11, 1, 1>, what = "node 'r' (Reshape) output dim 1 from input 'shape'"}]} {
  %v0 = exec.symbol {index = 0 : i64}
  %v1 = exec.symbol {index = 1 : i64}
  %e = tensor.empty() : tensor<64xf32>
  %n = linalg.negf ins(%x : tensor<64xf32>) outs(%e : tensor<64xf32>) -> tensor<64xf32> loc("Neg_0")
  %s = tensor.from_elements %v0, %v1 : tensor<2xindex>
  %r = tensor.reshape %n(%s) : (tensor<64xf32>, tensor<2xindex>) -> tensor<?x?xf32> loc("r")
  %e2 = tensor.empty(%v0, %v1) : tensor<?x?xf32>
  %y = linalg.exp ins(%r : tensor<?x?xf32>) outs(%e2 : tensor<?x?xf32>) -> tensor<?x?xf32> loc("Exp_1")
  return %y : tensor<?x?xf32>
}

// -----

// Tests that a buffer whose upper bound over the symbols' ranges exceeds
// 1 GiB (a value symbol up to 2^31 - 1, next to a dim symbol n) is
// runtime-allocated: no upper bound, no arena slot (the arena holds only
// the 4 x 64 byte buffer), and that an exec.symbol of the value symbol
// has index 1, after the dim symbol.

// CHECK-LABEL: exec.executable @kernels
// CHECK: exec.schedule @main
// CHECK: %[[V:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[B:.*]] = exec.alloc(%[[V]]) {runtime_allocated} : memref<?xf32>
// CHECK: exec.dispatch @kernels::@k0_ConstantOfShape_0 outs(%[[B]] : memref<?xf32>) push(%[[V]] : index)
// CHECK: exec.dispatch @kernels::@k1_Exp_1 ins(%[[B]] : memref<?xf32>) outs(%{{.*}} : memref<?xf32>) push(%[[V]] : index)
// PLAN-LABEL: exec.schedule @main
// PLAN-SAME: arena_size = array<i64: 256>
// PLAN: exec.alloc(%{{.*}}) {runtime_allocated} : memref<?xf32>
// PLAN: exec.alloc {offset = 0 : i64} : memref<64xf32>
func.func @main(%x: tensor<?xf32> {aicc.shape = affine_map<()[s0] -> (s0)>, graph.name = "x"}, %count: tensor<1xi64> {graph.name = "count"})
    -> (tensor<?xf32> {graph.name = "y"}, tensor<64xf32> {graph.name = "z"})
    attributes {aicc.symbols = {n = array<i64: 1, 64>}, aicc.value_symbols = [
      {name = "node 'c' (ConstantOfShape) dim 0", range = array<i64: 0, 2147483647>, def = array<i64: 11, 1, 0>, what = "node 'c' (ConstantOfShape) output dim 0 from input 'count'"}]} {
  %v = exec.symbol {index = 1 : i64}
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%v) : tensor<?xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?xf32>) -> tensor<?xf32> loc("ConstantOfShape_0")
  %e2 = tensor.empty(%v) : tensor<?xf32>
  %y = linalg.exp ins(%f : tensor<?xf32>) outs(%e2 : tensor<?xf32>) -> tensor<?xf32> loc("Exp_1")
  %c = arith.constant dense<1.0> : tensor<64xf32>
  %e3 = tensor.empty() : tensor<64xf32>
  %t = linalg.exp ins(%c : tensor<64xf32>) outs(%e3 : tensor<64xf32>) -> tensor<64xf32> loc("Exp_2")
  %e4 = tensor.empty() : tensor<64xf32>
  %z = linalg.negf ins(%t : tensor<64xf32>) outs(%e4 : tensor<64xf32>) -> tensor<64xf32> loc("Neg_3")
  return %y, %z : tensor<?xf32>, tensor<64xf32>
}
