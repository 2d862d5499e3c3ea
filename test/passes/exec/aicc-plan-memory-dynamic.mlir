// RUN: aicc-opt %s -split-input-file --aicc-plan-memory | FileCheck %s

exec.executable @kernels {
  func.func @k(%a: tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 0>}, %n: index, %m: index) -> (tensor<?x64xf32> {aicc.dynamic_dims = array<i64: 1>}) {
    %e = tensor.empty(%m) : tensor<?x64xf32>
    return %e : tensor<?x64xf32>
  }
}

// Tests that dynamic buffers are planned by their upper bounds over the
// symbols' ranges (past_sequence = 0..1024, sequence = 1..512): %total =
// past_sequence + sequence is at most 1536 rows of 256 bytes, %clamped =
// min(past_sequence + sequence, 256) at most 256 rows, %half = sequence
// ceildiv 2 at most 256 rows; a bound already set (100 bytes) is kept.
// The first three are alive at once, so the arena is their sum; the last
// reuses the bytes of the first.

// CHECK-LABEL: exec.schedule @bounds
// CHECK-SAME: arena_size = array<i64: 524288>
// CHECK-SAME: lower_bound = array<i64: 524288>
// CHECK: exec.alloc(%{{.*}}) {offset = 0 : i64, upper_bound_bytes = 393216 : i64} : memref<?x64xf32>
// CHECK: exec.alloc(%{{.*}}) {offset = 393216 : i64, upper_bound_bytes = 65536 : i64} : memref<?x64xf32>
// CHECK: exec.alloc(%{{.*}}) {offset = 458752 : i64, upper_bound_bytes = 65536 : i64} : memref<?x64xf32>
// CHECK: exec.alloc(%{{.*}}) {offset = 0 : i64, upper_bound_bytes = 100 : i64} : memref<?x64xf32>
exec.schedule @bounds(%x: memref<?x64xf32> {aicc.shape = affine_map<()[s0, s1] -> (s1, 64)>}, %y: memref<?x64xf32>)
    attributes {num_inputs = 1 : i64, aicc.symbols = {past_sequence = array<i64: 0, 1024>, sequence = array<i64: 1, 512>}} {
  %p = exec.symbol {index = 0 : i64}
  %s = exec.symbol {index = 1 : i64}
  %total = affine.apply affine_map<()[s0, s1] -> (s0 + s1)>()[%p, %s]
  %clamped = affine.min affine_map<()[s0, s1] -> (s0 + s1, 256)>()[%p, %s]
  %half = affine.apply affine_map<()[s0] -> (s0 ceildiv 2)>()[%s]
  %a = exec.alloc(%total) : memref<?x64xf32>
  %b = exec.alloc(%clamped) : memref<?x64xf32>
  %c = exec.alloc(%half) : memref<?x64xf32>
  %d = exec.alloc(%s) {upper_bound_bytes = 100 : i64} : memref<?x64xf32>
  exec.dispatch @kernels::@k ins(%x : memref<?x64xf32>) outs(%a : memref<?x64xf32>) push(%s, %total : index, index)
  exec.dispatch @kernels::@k ins(%a : memref<?x64xf32>) outs(%b : memref<?x64xf32>) push(%total, %clamped : index, index)
  exec.dispatch @kernels::@k ins(%b : memref<?x64xf32>) outs(%c : memref<?x64xf32>) push(%clamped, %half : index, index)
  exec.dispatch @kernels::@k ins(%c : memref<?x64xf32>) outs(%a : memref<?x64xf32>) push(%half, %total : index, index)
  exec.dispatch @kernels::@k ins(%a : memref<?x64xf32>) outs(%y : memref<?x64xf32>) push(%total, %s : index, index)
  exec.dispatch @kernels::@k ins(%x : memref<?x64xf32>) outs(%d : memref<?x64xf32>) push(%s, %s : index, index)
  exec.return dims(%s : index)
}

// -----

// Tests that a dynamic buffer whose extent interval arithmetic cannot bound
// (a division by a range that contains 0), and one whose bound exceeds
// 1 GiB (2^31 - 1 rows of 64 f32), are runtime-allocated (issue 15): no
// arena slot, no upper bound; the arena holds only the bounded buffer.

// CHECK-LABEL: exec.schedule @unbounded
// CHECK-SAME: arena_size = array<i64: 256>
// CHECK: exec.alloc(%{{.*}}) {runtime_allocated} : memref<?xf32>
// CHECK: exec.alloc(%{{.*}}) {runtime_allocated} : memref<?x64xf32>
// CHECK: exec.alloc(%{{.*}}) {offset = 0 : i64, upper_bound_bytes = 256 : i64} : memref<?x64xf32>
exec.schedule @unbounded(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {past_sequence = array<i64: 0, 1024>, sequence = array<i64: 1, 512>}, aicc.value_symbols = [{name = "v", range = array<i64: 0, 2147483647>, def = array<i64: 0, 1>}]} {
  %p = exec.symbol {index = 0 : i64}
  %s = exec.symbol {index = 1 : i64}
  %v = exec.symbol {index = 2 : i64}
  %q = affine.apply affine_map<()[s0, s1] -> (s1 floordiv s0)>()[%p, %s]
  %one = affine.min affine_map<()[s0] -> (s0, 1)>()[%v]
  %a = exec.alloc(%q) : memref<?xf32>
  %b = exec.alloc(%v) : memref<?x64xf32>
  %c = exec.alloc(%one) : memref<?x64xf32>
  exec.return
}
