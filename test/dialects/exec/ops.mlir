// RUN: aicc-opt %s -split-input-file | aicc-opt -split-input-file | FileCheck %s

// Tests that a planned schedule with every buffer and command kind round
// trips.

// CHECK-LABEL: exec.executable @kernels
// CHECK: func.func @k0_fc
exec.executable @kernels {
  func.func @k0_fc(%x: tensor<1x4xf32>, %w: tensor<4x2xf32>) -> tensor<1x2xf32> {
    %e = tensor.empty() : tensor<1x2xf32>
    %r = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x2xf32>)
                       outs(%e : tensor<1x2xf32>) -> tensor<1x2xf32>
    return %r : tensor<1x2xf32>
  }
}

// CHECK: exec.schedule @main(%[[X:.*]]: memref<1x4xf32> {graph.name = "x"}, %[[Y:.*]]: memref<2xf32> {graph.name = "y"}, %[[Z:.*]]: memref<1x4xf32> {graph.name = "z"})
// CHECK-SAME: arena_size = array<i64: 64>
// CHECK-SAME: lower_bound = array<i64: 64>
// CHECK-SAME: num_inputs = 1
exec.schedule @main(%x: memref<1x4xf32> {graph.name = "x"},
                    %y: memref<2xf32> {graph.name = "y"},
                    %z: memref<1x4xf32> {graph.name = "z"})
    attributes {num_inputs = 1 : i64, arena_size = array<i64: 64>,
                lower_bound = array<i64: 64>} {
  // CHECK: %[[W:.*]] = exec.constant "fc.weight" dense<1.000000e+00> : tensor<4x2xf32> -> memref<4x2xf32>
  %w = exec.constant "fc.weight" dense<1.0> : tensor<4x2xf32> -> memref<4x2xf32>
  // CHECK: %[[T:.*]] = exec.alloc {offset = 0 : i64} : memref<1x2xf32>
  %t = exec.alloc {offset = 0 : i64} : memref<1x2xf32>
  // CHECK: exec.dispatch @kernels::@k0_fc ins(%[[X]], %[[W]] : memref<1x4xf32>, memref<4x2xf32>) outs(%[[T]] : memref<1x2xf32>)
  exec.dispatch @kernels::@k0_fc ins(%x, %w : memref<1x4xf32>, memref<4x2xf32>)
      outs(%t : memref<1x2xf32>)
  // CHECK: %[[V:.*]] = exec.view %[[T]][0] : memref<1x2xf32> to memref<2xf32>
  %v = exec.view %t[0] : memref<1x2xf32> to memref<2xf32>
  // CHECK: exec.copy %[[V]], %[[Y]] : memref<2xf32>, memref<2xf32>
  exec.copy %v, %y : memref<2xf32>, memref<2xf32>
  // CHECK: exec.copy %[[X]], %[[Z]]
  exec.copy %x, %z : memref<1x4xf32>, memref<1x4xf32>
  // CHECK: exec.return
  exec.return
}

// -----

// Tests that an unplanned schedule, allocs in other memory spaces, weights
// without names and byte-offset views of another element type parse.

// CHECK-LABEL: exec.schedule @unplanned
// CHECK-NOT: arena_size
exec.schedule @unplanned(%x: memref<8xi8>) attributes {num_inputs = 1 : i64} {
  // CHECK: exec.alloc {space = 1 : i64} : memref<16xf16>
  %a = exec.alloc {space = 1 : i64} : memref<16xf16>
  // CHECK: exec.constant dense_resource<blob> : tensor<2xi32> -> memref<2xi32>
  %c = exec.constant dense_resource<blob> : tensor<2xi32> -> memref<2xi32>
  // CHECK: exec.view %{{.*}}[4] : memref<8xi8> to memref<1xi32>
  %v = exec.view %x[4] : memref<8xi8> to memref<1xi32>
  exec.return
}

// -----

// Tests that a dispatch region with several results, values captured from
// above and its yield round trips.

// CHECK-LABEL: func.func @region
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @region(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: %[[R:.*]]:2 = exec.dispatch_region -> (tensor<4xf32>, tensor<4xf32>) {
  %r:2 = exec.dispatch_region -> (tensor<4xf32>, tensor<4xf32>) {
    // CHECK: %[[E:.*]] = tensor.empty() : tensor<4xf32>
    %e = tensor.empty() : tensor<4xf32>
    // CHECK: %[[A:.*]] = linalg.exp ins(%[[X]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
    %a = linalg.exp ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    // CHECK: %[[B:.*]] = linalg.negf ins(%[[A]] : tensor<4xf32>) outs(%[[E]] : tensor<4xf32>)
    %b = linalg.negf ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
    // CHECK: exec.yield %[[A]], %[[B]] : tensor<4xf32>, tensor<4xf32>
    exec.yield %a, %b : tensor<4xf32>, tensor<4xf32>
  }
  // CHECK: return %[[R]]#0, %[[R]]#1
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Tests that the dynamic forms round trip: exec.symbol, a dynamic alloc
// with its upper bound, a dynamic view, a dispatch with push constants, a
// dynamic copy and exec.return with the outputs' dims.

// CHECK-LABEL: exec.executable @dyn_kernels
// CHECK: func.func @k(%{{.*}}: tensor<1x?xf32> {aicc.dynamic_dims = array<i64: 0>}, %{{.*}}: index) -> (tensor<1x?xf32> {aicc.dynamic_dims = array<i64: 0>})
exec.executable @dyn_kernels {
  func.func @k(%a: tensor<1x?xf32> {aicc.dynamic_dims = array<i64: 0>}, %n: index) -> (tensor<1x?xf32> {aicc.dynamic_dims = array<i64: 0>}) {
    return %a : tensor<1x?xf32>
  }
}
// CHECK: exec.schedule @dyn(%[[X:.*]]: memref<1x?xf32>, %[[Y:.*]]: memref<?xf32>, %[[Z:.*]]: memref<1x?xf32>)
// CHECK-SAME: aicc.symbols = {n = array<i64: 1, 8>}
exec.schedule @dyn(%x: memref<1x?xf32>, %y: memref<?xf32>, %z: memref<1x?xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {n = array<i64: 1, 8>}} {
  // CHECK: %[[N:.*]] = exec.symbol {index = 0 : i64}
  %n = exec.symbol {index = 0 : i64}
  // CHECK: %[[A:.*]] = exec.alloc(%[[N]]) {upper_bound_bytes = 32 : i64} : memref<1x?xf32>
  %a = exec.alloc(%n) {upper_bound_bytes = 32 : i64} : memref<1x?xf32>
  // CHECK: exec.dispatch @dyn_kernels::@k ins(%[[X]] : memref<1x?xf32>) outs(%[[A]] : memref<1x?xf32>) push(%[[N]] : index)
  exec.dispatch @dyn_kernels::@k ins(%x : memref<1x?xf32>) outs(%a : memref<1x?xf32>) push(%n : index)
  // CHECK: %[[V:.*]] = exec.view %[[A]][0] (%[[N]]) : memref<1x?xf32> to memref<?xf32>
  %v = exec.view %a[0] (%n) : memref<1x?xf32> to memref<?xf32>
  // CHECK: exec.copy %[[V]], %[[Y]] : memref<?xf32>, memref<?xf32>
  exec.copy %v, %y : memref<?xf32>, memref<?xf32>
  // CHECK: exec.copy %[[X]], %[[Z]] : memref<1x?xf32>, memref<1x?xf32>
  exec.copy %x, %z : memref<1x?xf32>, memref<1x?xf32>
  // CHECK: exec.return dims(%[[N]], %[[N]] : index, index)
  exec.return dims(%n, %n : index, index)
}

// -----

// Tests that value symbols (issue 15) round trip: exec.symbol indexes
// 'aicc.symbols' then 'aicc.value_symbols', and a runtime-allocated buffer
// of a planned schedule has neither offset nor upper bound.

// CHECK-LABEL: exec.schedule @value
// CHECK-SAME: aicc.value_symbols = [{def = array<i64: 11, 0, 0>, name = "v", range = array<i64: 0, 2147483647>, what = "node 'r' (Reshape) output dim 0 from input 'x'"}]
exec.schedule @value(%x: memref<1xi64>, %y: memref<?xf32>) attributes {num_inputs = 1 : i64, arena_size = array<i64: 0>, lower_bound = array<i64: 0>, aicc.symbols = {n = array<i64: 1, 8>}, aicc.value_symbols = [{name = "v", range = array<i64: 0, 2147483647>, def = array<i64: 11, 0, 0>, what = "node 'r' (Reshape) output dim 0 from input 'x'"}]} {
  // CHECK: %[[V:.*]] = exec.symbol {index = 1 : i64}
  %v = exec.symbol {index = 1 : i64}
  // CHECK: %[[A:.*]] = exec.alloc(%[[V]]) {runtime_allocated} : memref<?xf32>
  %a = exec.alloc(%v) {runtime_allocated} : memref<?xf32>
  exec.copy %a, %y : memref<?xf32>, memref<?xf32>
  exec.return dims(%v : index)
}
