// RUN: aicc-opt %s -split-input-file --aicc-stage-host-buffers | FileCheck %s

exec.executable @kernels {
  func.func @k(%a: tensor<16xf32>) -> tensor<16xf32> {
    return %a : tensor<16xf32>
  }
}

// Tests that an input is copied into a device buffer right before the
// first dispatch reading it, that the output is computed in a device buffer
// copied out right after the last dispatch writing it, and that no dispatch
// binds a schedule argument.

// CHECK-LABEL: exec.schedule @chain
// CHECK-SAME: (%[[X:.*]]: memref<16xf32>, %[[Y:.*]]: memref<16xf32>)
// CHECK-NEXT: %[[DY:.*]] = exec.alloc : memref<16xf32>
// CHECK-NEXT: %[[DX:.*]] = exec.alloc : memref<16xf32>
// CHECK-NEXT: %[[T:.*]] = exec.alloc : memref<16xf32>
// CHECK-NEXT: exec.copy %[[X]], %[[DX]]
// CHECK-NEXT: exec.dispatch @kernels::@k ins(%[[DX]] : memref<16xf32>) outs(%[[T]] : memref<16xf32>)
// CHECK-NEXT: exec.dispatch @kernels::@k ins(%[[T]] : memref<16xf32>) outs(%[[DY]] : memref<16xf32>)
// CHECK-NEXT: exec.copy %[[DY]], %[[Y]]
// CHECK-NEXT: exec.return
exec.schedule @chain(%x: memref<16xf32>, %y: memref<16xf32>) attributes {num_inputs = 1 : i64} {
  %t = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%x : memref<16xf32>) outs(%t : memref<16xf32>)
  exec.dispatch @kernels::@k ins(%t : memref<16xf32>) outs(%y : memref<16xf32>)
  exec.return
}

// -----

exec.executable @kernels {
  func.func @k(%a: tensor<16xf32>) -> tensor<16xf32> {
    return %a : tensor<16xf32>
  }
}

// Tests that views of an argument become views of its device buffer, that
// the input's copy waits for the first command using it (not the first op
// of the schedule), and that an unused input gets no buffer.

// CHECK-LABEL: exec.schedule @views
// CHECK-SAME: (%[[X:.*]]: memref<16xf32>, %[[U:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4x4xf32>)
// CHECK-NEXT: %[[DY:.*]] = exec.alloc : memref<4x4xf32>
// CHECK-NEXT: %[[DX:.*]] = exec.alloc : memref<16xf32>
// CHECK-NEXT: exec.constant
// CHECK-NEXT: %[[V:.*]] = exec.view %[[DY]][0] : memref<4x4xf32> to memref<16xf32>
// CHECK-NEXT: %[[T:.*]] = exec.alloc : memref<16xf32>
// CHECK-NEXT: exec.dispatch @kernels::@k ins(%{{.*}} : memref<16xf32>) outs(%[[T]] : memref<16xf32>)
// CHECK-NEXT: exec.copy %[[X]], %[[DX]] : memref<16xf32>, memref<16xf32>
// CHECK-NEXT: exec.dispatch @kernels::@k ins(%[[DX]] : memref<16xf32>) outs(%[[V]] : memref<16xf32>)
// CHECK-NEXT: exec.copy %[[DY]], %[[Y]] : memref<4x4xf32>, memref<4x4xf32>
exec.schedule @views(%x: memref<16xf32>, %u: memref<4xf32>, %y: memref<4x4xf32>) attributes {num_inputs = 2 : i64} {
  %w = exec.constant "w" dense<1.0> : tensor<16xf32> -> memref<16xf32>
  %v = exec.view %y[0] : memref<4x4xf32> to memref<16xf32>
  %t = exec.alloc : memref<16xf32>
  exec.dispatch @kernels::@k ins(%w : memref<16xf32>) outs(%t : memref<16xf32>)
  exec.dispatch @kernels::@k ins(%x : memref<16xf32>) outs(%v : memref<16xf32>)
  exec.return
}
