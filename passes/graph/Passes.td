//===- Passes.td - graph-level passes ----------------------*- tablegen -*-===//
//
// Stage 1 of the pipeline (docs/Pipeline.md): rewrites of the imported graph
// that keep ONNX semantics (folding of constants and of BatchNormalization
// into the weights of its producer). `aicc-graph-opt` runs them.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_PASSES_GRAPH_PASSES_TD
#define AICC_PASSES_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

def FoldBatchNormPass
    : Pass<"aicc-graph-fold-batchnorm", "::mlir::func::FuncOp"> {
  let summary = "Fold inference BatchNormalization into the preceding "
                "Conv or Gemm";
  let description = [{
    A `graph.BatchNormalization` in inference mode (`training_mode = 0`,
    running statistics unused) whose input is the only use of a
    `graph.Conv` or `graph.Gemm` with constant weights (and constant bias,
    if any) and whose scale, bias, mean and variance are constants is
    removed: with `s = scale / sqrt(var + epsilon)` per channel, the
    producer's weights are scaled by `s` along the output channel and its
    bias becomes `(bias - mean) * s + B` (a Gemm's `C` becomes
    `(beta * C - mean) * s + B` with `beta = 1`). The new weights are new
    `graph.constant`s (`dense_resource` when the old ones were, or when they
    are large); the producer's location becomes a `FusedLoc` of its own and
    the BatchNormalization's.

    Before:

    ```mlir
    %y = graph.Conv %x, %w, %b : (...) -> tensor<1x8x4x4xf32> loc("conv")
    %z, %m, %v = graph.BatchNormalization %y, %scale, %bias, %mean, %var
        : (...) -> (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>)
        loc("bn")
    ```

    After:

    ```mlir
    %w2 = graph.constant dense<...> : tensor<8x3x3x3xf32>
    %b2 = graph.constant dense<...> : tensor<8xf32>
    %z = graph.Conv %x, %w2, %b2 : (...) -> tensor<1x8x4x4xf32>
        loc(fused["conv", "bn"])
    ```
  }];
  let statistics = [
    Statistic<"numFolded", "batchnorms-folded",
              "Number of BatchNormalization ops folded into their producer">,
  ];
}

def FoldConstantsPass
    : Pass<"aicc-graph-fold-constants", "::mlir::func::FuncOp"> {
  let summary = "Fold data movement and casts of constants, large ones "
                "included";
  let description = [{
    `graph.Transpose`, `graph.Reshape`, `graph.Squeeze`, `graph.Unsqueeze`,
    `graph.Flatten` and `graph.Cast` (between float types, or from an
    integer type to a float or integer type) of a `graph.constant` with a
    static result type become a new `graph.constant`. Unlike the ops'
    folders (which the importer and the canonicalizer run, and which stop
    at 65536 elements), this works on the constant's bytes, so it also folds
    `dense_resource` weights (an exporter's `Transpose(W)` before a MatMul,
    a `Cast` of fp16 weights). A reshape reuses the weight's blob; a
    transpose or cast of a weight that has other uses is left alone so the
    weight is not stored twice.

    Before:

    ```mlir
    %w = graph.constant dense_resource<w> : tensor<512x256xf32>
    %t = graph.Transpose %w {perm = array<i64: 1, 0>}
        : (tensor<512x256xf32>) -> tensor<256x512xf32>
    ```

    After:

    ```mlir
    %t = graph.constant dense_resource<w_1> : tensor<256x512xf32>
    ```
  }];
  let statistics = [
    Statistic<"numFolded", "ops-folded", "Number of ops folded into constants">,
    Statistic<"numBytes", "bytes-folded",
              "Bytes of constant data written by the folds">,
  ];
}

#endif // AICC_PASSES_GRAPH_PASSES_TD
