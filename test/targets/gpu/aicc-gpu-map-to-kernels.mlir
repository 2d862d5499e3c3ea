// RUN: aicc-opt %s -split-input-file --aicc-gpu-map-to-kernels -verify-diagnostics | FileCheck %s

// Tests that a kernel of one parallel loop becomes a gpu.func with the same
// arguments, one thread per iteration: 4x64 = 256 iterations in one
// 256-thread workgroup, the linear index split with the innermost dim
// fastest (coalesced), guarded by index < 256; the function is erased.
// The add may contract into an FMA.

// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: func.func
// CHECK: gpu.module @kernels
// CHECK-LABEL: gpu.func @add(
// CHECK-SAME: %[[A:.*]]: memref<4x64xf32>, %[[B:.*]]: memref<4x64xf32>, %[[C:.*]]: memref<4x64xf32>) kernel
// CHECK-SAME: aicc.workgroup_count = array<i32: 1, 1, 1>
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[BID:.*]] = gpu.block_id x
// CHECK: %[[BASE:.*]] = arith.muli %[[BID]], %{{.*}} : index
// CHECK: %[[IDX:.*]] = arith.addi %[[BASE]], %[[TID]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[IDX]], %{{.*}} : index
// CHECK: scf.if %[[IN]] {
// CHECK: %[[COL:.*]] = arith.remui %[[IDX]], %{{.*}} : index
// CHECK: %[[ROW:.*]] = arith.divui %[[IDX]], %{{.*}} : index
// CHECK: memref.load %[[A]][%{{.*}}, %{{.*}}]
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: memref.store %{{.*}}, %[[C]]
// CHECK: gpu.return
func.func @add(%a: memref<4x64xf32>, %b: memref<4x64xf32>, %c: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c64) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<4x64xf32>
    %y = memref.load %b[%i, %j] : memref<4x64xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %c[%i, %j] : memref<4x64xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that 1000 iterations take ceil(1000 / 256) = 4 workgroups and that
// a thread's temporary buffer becomes an alloca in the private address
// space at the kernel's entry, used through a cast to generic addresses.

// CHECK-LABEL: gpu.func @big(
// CHECK-SAME: aicc.workgroup_count = array<i32: 4, 1, 1>
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-NEXT: %[[P:.*]] = memref.alloca() : memref<1xf32, #gpu.address_space<private>>
// CHECK-NEXT: %[[T:.*]] = memref.memory_space_cast %[[P]] : memref<1xf32, #gpu.address_space<private>> to memref<1xf32>
// CHECK-NOT: memref.alloc(
// CHECK: scf.if
// CHECK: memref.store %{{.*}}, %[[T]]
func.func @big(%a: memref<1000xf32>, %c: memref<1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 1000 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %t = memref.alloc() : memref<1xf32>
    %x = memref.load %a[%i] : memref<1000xf32>
    memref.store %x, %t[%c0] : memref<1xf32>
    %y = memref.load %t[%c0] : memref<1xf32>
    memref.store %y, %c[%i] : memref<1000xf32>
    scf.reduce
  }
  return
}

// -----

// Tests that a kernel of several phases (a fill, then a copy into a
// subview, as tensor.pad bufferizes) runs in one workgroup: each thread
// strides over a phase's iterations, with a barrier between the phases.

// CHECK-LABEL: gpu.func @pad(
// CHECK-SAME: aicc.workgroup_count = array<i32: 1, 1, 1>
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: scf.for %{{.*}} = %[[TID]] to %{{.*}} step %{{.*}} {
// CHECK: memref.store
// CHECK: gpu.barrier
// CHECK: scf.for %{{.*}} = %[[TID]] to %{{.*}} step %{{.*}} {
// CHECK: memref.load
// CHECK: memref.store %{{.*}} : memref<4xf32, strided<[1], offset: 1>>
func.func @pad(%a: memref<4xf32>, %c: memref<6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c6 = arith.constant 6 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c6) step (%c1) {
    memref.store %zero, %c[%i] : memref<6xf32>
    scf.reduce
  }
  %s = memref.subview %c[1] [4] [1] : memref<6xf32> to memref<4xf32, strided<[1], offset: 1>>
  memref.copy %a, %s : memref<4xf32> to memref<4xf32, strided<[1], offset: 1>>
  return
}

// -----

// Tests that a buffer the phases of a kernel share lives in workgroup
// memory, used through a cast to generic addresses, and that the kernel
// runs in one workgroup with a barrier between the phases.

// CHECK-LABEL: gpu.func @shared(
// CHECK-SAME: workgroup(%[[W:.*]] : memref<4xf32, #gpu.address_space<workgroup>>)
// CHECK-SAME: aicc.workgroup_count = array<i32: 1, 1, 1>
// CHECK: %[[T:.*]] = memref.memory_space_cast %[[W]] : memref<4xf32, #gpu.address_space<workgroup>> to memref<4xf32>
// CHECK: memref.store %{{.*}}, %[[T]]
// CHECK: gpu.barrier
// CHECK: memref.load %[[T]]
func.func @shared(%a: memref<4xf32>, %c: memref<4xf32>) {
  %t = memref.alloc() : memref<4xf32>
  memref.copy %a, %t : memref<4xf32> to memref<4xf32>
  memref.copy %t, %c : memref<4xf32> to memref<4xf32>
  return
}

// -----

// Tests that a buffer without elements is passed as a one-element buffer
// and stands in the body as an empty private buffer, and that math.isinf
// and math.isnan become comparisons.

// CHECK-LABEL: gpu.func @empty_and_classes(
// CHECK-SAME: %{{.*}}: memref<1xf32>, %[[X:.*]]: memref<4xf32>, %[[Y:.*]]: memref<4xi1>, %[[Z:.*]]: memref<4xi1>)
// CHECK: memref.alloca() : memref<0x4xf32, #gpu.address_space<private>>
// CHECK: %[[V:.*]] = memref.load %[[X]]
// CHECK: %[[ABS:.*]] = math.absf %[[V]] : f32
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: arith.cmpf oeq, %[[ABS]], %[[INF]] : f32
// CHECK: arith.cmpf uno, %[[V]], %[[V]] : f32
// CHECK-NOT: math.is
func.func @empty_and_classes(%e: memref<0x4xf32>, %x: memref<4xf32>, %y: memref<4xi1>, %z: memref<4xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %x[%i] : memref<4xf32>
    %inf = math.isinf %v : f32
    %nan = math.isnan %v : f32
    memref.store %inf, %y[%i] : memref<4xi1>
    memref.store %nan, %z[%i] : memref<4xi1>
    scf.reduce
  }
  return
}

// -----

// Tests that a shared buffer larger than the workgroup memory a kernel may
// use is an error.

func.func @too_big(%a: memref<16384xf32>, %c: memref<16384xf32>) {
  // expected-error @below {{'memref.alloc' op is a temporary buffer of 65536 bytes shared by the kernel's threads; GPU kernels hold at most 49152 (workgroup memory)}}
  %t = memref.alloc() : memref<16384xf32>
  memref.copy %a, %t : memref<16384xf32> to memref<16384xf32>
  memref.copy %t, %c : memref<16384xf32> to memref<16384xf32>
  return
}
