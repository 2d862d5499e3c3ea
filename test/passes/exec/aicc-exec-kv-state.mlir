// RUN: aicc-opt %s -split-input-file --aicc-exec-kv-state -verify-diagnostics | FileCheck %s

// Tests that the state argument becomes an unplanned state buffer, the write
// output an arena buffer copied into the state at byte offset P * 32 (P =
// past_sequence = s0, a row of 2 x 4 f32), and that both leave the
// signature (num_inputs 3 -> 2, the write's dim leaves exec.return).
// CHECK: #[[$OFFSET:.*]] = affine_map<()[s0, s1] -> (s0 * 32)>
// CHECK-LABEL: exec.schedule @main
// CHECK-SAME: graph.name = "rows"}, %arg1: {{.*}} graph.name = "past_key_values.0.key"}, %arg2: memref<1x24x2x4xf32> {graph.name = "y"})
// CHECK-SAME: num_inputs = 2
// CHECK: %[[STATE:.*]] = exec.alloc {aicc.kv_past = "past_key_values.0.key", aicc.state = "present.0.key"} : memref<1x24x2x4xf32>
// CHECK: %[[S:.*]] = exec.symbol {index = 1 : i64}
// CHECK: %[[ROWS:.*]] = exec.alloc(%[[S]]) : memref<1x?x2x4xf32>
// CHECK: exec.copy %arg0, %[[ROWS]]
// CHECK: %[[VIEW:.*]] = exec.view %[[STATE]][0] (%[[S]]) : memref<1x24x2x4xf32> to memref<1x?x2x4xf32>
// CHECK: exec.copy %[[ROWS]], %[[VIEW]] {aicc.target_offset = #[[$OFFSET]]}
// CHECK: exec.copy %[[STATE]], %arg2
// CHECK: exec.return{{$}}
exec.schedule @main(%rows: memref<1x?x2x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1, 2, 4)>, graph.name = "rows"},
                    %past: memref<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>, graph.name = "past_key_values.0.key"},
                    %state: memref<1x24x2x4xf32> {graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"},
                    %write: memref<1x?x2x4xf32> {graph.name = "aicc.kv_write:past_key_values.0.key:present.0.key"},
                    %y: memref<1x24x2x4xf32> {graph.name = "y"})
    attributes {num_inputs = 3 : i64, aicc.symbols = {past_sequence = array<i64: 0, 16>, sequence = array<i64: 1, 8>}} {
  %s = exec.symbol {index = 1 : i64}
  exec.copy %rows, %write : memref<1x?x2x4xf32>, memref<1x?x2x4xf32>
  exec.copy %state, %y : memref<1x24x2x4xf32>, memref<1x24x2x4xf32>
  exec.return dims(%s : index)
}

// -----

// Tests that reading the cache before the step's new rows are written is an
// error.
exec.schedule @main(%rows: memref<1x?x2x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1, 2, 4)>, graph.name = "rows"},
                    %past: memref<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>, graph.name = "past_key_values.0.key"},
                    %state: memref<1x24x2x4xf32> {graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"},
                    %write: memref<1x?x2x4xf32> {graph.name = "aicc.kv_write:past_key_values.0.key:present.0.key"},
                    %y: memref<1x24x2x4xf32> {graph.name = "y"})
    attributes {num_inputs = 3 : i64, aicc.symbols = {past_sequence = array<i64: 0, 16>, sequence = array<i64: 1, 8>}} {
  %s = exec.symbol {index = 1 : i64}
  // expected-error @+1 {{reads the KV cache 'present.0.key' before the step's new rows are written}}
  exec.copy %state, %y : memref<1x24x2x4xf32>, memref<1x24x2x4xf32>
  exec.copy %rows, %write : memref<1x?x2x4xf32>, memref<1x?x2x4xf32>
  exec.return dims(%s : index)
}

// -----

// Tests that a schedule without KV arguments is left as it is.
// CHECK-LABEL: exec.schedule @plain
// CHECK-NOT: aicc.state
exec.schedule @plain(%x: memref<4xf32> {graph.name = "x"}, %y: memref<4xf32> {graph.name = "y"})
    attributes {num_inputs = 1 : i64} {
  exec.copy %x, %y : memref<4xf32>, memref<4xf32>
  exec.return
}

// -----

// Tests that a paged state (aicc.kv_block = 8) takes its block table input
// with it: the table becomes a state buffer of its own (aicc.kv_table),
// the state keeps aicc.kv_block, the copy's offset stays the logical
// P * 32 (the runtime maps it through the table), and both inputs leave the
// signature (num_inputs 4 -> 2).
// CHECK: #[[$POFFSET:.*]] = affine_map<()[s0, s1] -> (s0 * 32)>
// CHECK-LABEL: exec.schedule @paged
// CHECK-SAME: num_inputs = 2
// CHECK: %[[STATE:.*]] = exec.alloc {aicc.kv_block = 8 : i64, aicc.kv_past = "past_key_values.0.key", aicc.state = "present.0.key"} : memref<1x24x2x4xf32>
// CHECK: %[[TABLE:.*]] = exec.alloc {aicc.kv_table = "present.0.key", aicc.state = "present.0.key"} : memref<3xi32>
// CHECK: %[[VIEW:.*]] = exec.view %[[STATE]][0]
// CHECK: exec.copy %{{.*}}, %[[VIEW]] {aicc.target_offset = #[[$POFFSET]]}
// CHECK: exec.copy %[[TABLE]], %arg2
exec.schedule @paged(%rows: memref<1x?x2x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1, 2, 4)>, graph.name = "rows"},
                    %past: memref<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>, graph.name = "past_key_values.0.key"},
                    %state: memref<1x24x2x4xf32> {aicc.kv_block = 8 : i64, graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"},
                    %table: memref<3xi32> {graph.name = "aicc.kv_table:past_key_values.0.key:present.0.key"},
                    %write: memref<1x?x2x4xf32> {graph.name = "aicc.kv_write:past_key_values.0.key:present.0.key"},
                    %y: memref<3xi32> {graph.name = "y"})
    attributes {num_inputs = 4 : i64, aicc.symbols = {past_sequence = array<i64: 0, 16>, sequence = array<i64: 1, 8>}} {
  %s = exec.symbol {index = 1 : i64}
  exec.copy %rows, %write : memref<1x?x2x4xf32>, memref<1x?x2x4xf32>
  exec.copy %table, %y : memref<3xi32>, memref<3xi32>
  exec.return dims(%s : index)
}

// -----

// Tests that a paged state without its block table is an error.
// expected-error @+1 {{a paged state (aicc.kv_block) needs exactly one block table}}
exec.schedule @paged_no_table(%rows: memref<1x?x2x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, s1, 2, 4)>, graph.name = "rows"},
                    %past: memref<1x2x?x4xf32> {aicc.shape = affine_map<()[s0, s1] -> (1, 2, s0, 4)>, graph.name = "past_key_values.0.key"},
                    %state: memref<1x24x2x4xf32> {aicc.kv_block = 8 : i64, graph.name = "aicc.kv_state:past_key_values.0.key:present.0.key"},
                    %write: memref<1x?x2x4xf32> {graph.name = "aicc.kv_write:past_key_values.0.key:present.0.key"})
    attributes {num_inputs = 3 : i64, aicc.symbols = {past_sequence = array<i64: 0, 16>, sequence = array<i64: 1, 8>}} {
  %s = exec.symbol {index = 1 : i64}
  exec.copy %rows, %write : memref<1x?x2x4xf32>, memref<1x?x2x4xf32>
  exec.return dims(%s : index)
}
