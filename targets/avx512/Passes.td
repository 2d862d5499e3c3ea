//===- Passes.td - avx512 target passes --------------------*- tablegen -*-===//

#ifndef AICC_TARGETS_AVX512_PASSES_TD
#define AICC_TARGETS_AVX512_PASSES_TD

include "mlir/Pass/PassBase.td"

def PackWeights : Pass<"aicc-avx512-pack-weights", "::mlir::func::FuncOp"> {
  let summary = "Store constant weights in the layout the avx512 schedule "
                "reads with vector loads";
  let description = [{
    When a reduction's output is narrower than a vector along its innermost
    dim (a conv on a 7x7 image), the avx512 schedule vectorizes the output
    channels instead, and the weights, indexed by output channel in their
    outermost dim, would be gathered with a large stride. For weights that
    are `graph.constant`s this pass transposes the data at compile time so
    that dim is innermost, and rewrites the generic's indexing map to match.
    Named linalg ops are generalized first.

    Before (weights `[Cout][Cin][Kh][Kw]`):
    ```mlir
    %w = graph.constant dense_resource<w> : tensor<512x512x3x3xf32>
    %y = linalg.generic {indexing_maps = [..., (n, c, h, w, ci, kh, kw) -> (c, ci, kh, kw), ...]}
           ins(%x, %w ...)
    ```
    After (`[Cin][Kh][Kw][Cout]`):
    ```mlir
    %w = graph.constant dense_resource<w.packed> : tensor<512x3x3x512xf32>
    %y = linalg.generic {indexing_maps = [..., (n, c, h, w, ci, kh, kw) -> (ci, kh, kw, c), ...]}
           ins(%x, %w ...)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // AICC_TARGETS_AVX512_PASSES_TD
