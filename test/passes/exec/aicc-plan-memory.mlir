// RUN: aicc-opt %s -split-input-file --aicc-plan-memory | FileCheck %s

exec.executable @kernels {
  func.func @k(%a: tensor<16xf32>) -> tensor<16xf32> {
    return %a : tensor<16xf32>
  }
  func.func @k2(%a: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<16xf32> {
    return %a : tensor<16xf32>
  }
}

// Tests that buffers of a chain whose live ranges do not overlap share
// bytes: %a (steps 1-2) and %c (steps 3-4) get the same offset, %b (2-3)
// another, and the arena equals the lower bound.

// CHECK-LABEL: exec.schedule @chain
// CHECK-SAME: arena_size = array<i64: 128>
// CHECK-SAME: lower_bound = array<i64: 128>
// CHECK: %[[A:.*]] = exec.alloc {offset = [[OA:[0-9]+]] : i64} : memref<16xf32>
// CHECK: %[[B:.*]] = exec.alloc {offset = [[OB:[0-9]+]] : i64} : memref<16xf32>
// CHECK: %[[C:.*]] = exec.alloc {offset = [[OA]] : i64} : memref<16xf32>
exec.schedule @chain(%x: memref<16xf32>, %y: memref<16xf32>) attributes {num_inputs = 1 : i64} {
  %a = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
  %c = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%b : memref<16xf32>) outs(%c : memref<16xf32>)
  exec.dispatch @kernels::@k ins(%c : memref<16xf32>) outs(%y : memref<16xf32>)
  exec.return
}

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<16xf32>) -> tensor<16xf32> {
    return %a : tensor<16xf32>
  }
  func.func @k2(%a: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<16xf32> {
    return %a : tensor<16xf32>
  }
}

// Tests that a use through a view extends the live range of the viewed
// buffer: %a is read (via %v) at the last dispatch, so %c may not reuse it.

// CHECK-LABEL: exec.schedule @through_view
// CHECK-SAME: arena_size = array<i64: 192>
// CHECK-SAME: lower_bound = array<i64: 192>
// CHECK: exec.alloc {offset = [[OA:[0-9]+]] : i64}
// CHECK: exec.alloc {offset = [[OB:[0-9]+]] : i64}
// CHECK-NOT: offset = [[OA]] :
// CHECK: exec.return
exec.schedule @through_view(%x: memref<16xf32>, %y: memref<16xf32>) attributes {num_inputs = 1 : i64} {
  %a = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %v = exec.view %a[0] : memref<16xf32> to memref<4x4xf32>
  %b = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%x : memref<16xf32>) outs(%b : memref<16xf32>)
  %c = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%b : memref<16xf32>) outs(%c : memref<16xf32>)
  %w = exec.view %v[0] : memref<4x4xf32> to memref<16xf32>
  exec.dispatch @kernels::@k2 ins(%w, %c : memref<16xf32>, memref<16xf32>) outs(%y : memref<16xf32>)
  exec.return
}

// -----

// Tests that every memory space has its own arena, sizes round up to 64
// bytes, and inputs, outputs and constants are not in any arena.

// CHECK-LABEL: exec.schedule @spaces
// CHECK-SAME: arena_size = array<i64: 64, 128>
// CHECK-SAME: lower_bound = array<i64: 64, 128>
// CHECK: exec.alloc {offset = 0 : i64} : memref<3xf32>
// CHECK: exec.alloc {offset = 0 : i64, space = 1 : i64} : memref<100xi8>
exec.schedule @spaces(%x: memref<4096xf32>, %y: memref<3xf32>) attributes {num_inputs = 1 : i64} {
  %w = exec.constant dense<1.0> : tensor<1024xf32> -> memref<1024xf32>
  %a = exec.alloc : memref<3xf32>
  %b = exec.alloc {space = 1 : i64} : memref<100xi8>
  exec.copy %a, %y : memref<3xf32>, memref<3xf32>
  exec.copy %b, %b : memref<100xi8>, memref<100xi8>
  exec.return
}

// -----

// Tests that a schedule without arena buffers records an empty CPU arena.

// CHECK-LABEL: exec.schedule @empty
// CHECK-SAME: arena_size = array<i64: 0>
// CHECK-SAME: lower_bound = array<i64: 0>
exec.schedule @empty(%x: memref<4xf32>, %y: memref<4xf32>) attributes {num_inputs = 1 : i64} {
  exec.copy %x, %y : memref<4xf32>, memref<4xf32>
  exec.return
}
