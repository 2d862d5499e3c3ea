// RUN: aicc-opt %s -split-input-file --aicc-plan-memory -verify-diagnostics

// Tests that a dynamic buffer whose extent interval arithmetic cannot bound
// (a division by a range that contains 0) is an error, not a wrong plan.

exec.schedule @main(%x: memref<4xf32>) attributes {num_inputs = 1 : i64, aicc.symbols = {past_sequence = array<i64: 0, 1024>, sequence = array<i64: 1, 512>}} {
  %p = exec.symbol {index = 0 : i64}
  %s = exec.symbol {index = 1 : i64}
  %q = affine.apply affine_map<()[s0, s1] -> (s1 floordiv s0)>()[%p, %s]
  // expected-error @+1 {{of type 'memref<?xf32>' has no upper bound over the symbols' ranges ('aicc.symbols' of the schedule)}}
  %a = exec.alloc(%q) : memref<?xf32>
  exec.return
}
