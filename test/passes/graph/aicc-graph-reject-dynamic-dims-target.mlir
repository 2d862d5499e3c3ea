// RUN: not aicc-opt %s --aicc-graph-reject-dynamic-dims=target=cuda 2>&1 | FileCheck %s

// Tests that with a target (one without dynamic-shape kernels), the error
// names the target instead of the graph stage.
// CHECK: error: loc("c"): node 'c' (Concat): result #0 has shape [seq * 2, 4]; the cuda target does not support dynamic dims yet (only the avx512 and host targets do) (symbols: seq in [1, 8]); specialize them with --dim seq=N
func.func @dynamic(%x: tensor<?x4xf32> {aicc.shape = affine_map<()[s0] -> (s0, 4)>})
    -> tensor<?x4xf32>
    attributes {aicc.symbols = {seq = array<i64: 1, 8>}} {
  %c = graph.Concat %x, %x {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32> loc("c")
  return %c : tensor<?x4xf32>
}
