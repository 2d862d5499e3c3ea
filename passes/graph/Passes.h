//===- Passes.h - graph-level passes ----------------------------*- C++ -*-===//
//
// Rewrites of the imported graph before lowering (docs/Pipeline.md, stage
// 1) and the pattern sets they are made of.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_GRAPH_PASSES_H
#define AICC_PASSES_GRAPH_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include <cstdint>

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace aicc::graph {

#define GEN_PASS_DECL
#include "passes/graph/Passes.h.inc"

/// What the patterns below did, for the passes' statistics.
struct GraphFoldCounters {
  int64_t folded = 0;
  int64_t bytes = 0;
};

/// Inference BatchNormalization folded into the weights of the Conv or
/// Gemm that produces its input.
void populateFoldBatchNormPatterns(mlir::RewritePatternSet &patterns,
                                   GraphFoldCounters *counters = nullptr);

/// Transpose, Reshape, Squeeze, Unsqueeze, Flatten and Cast of constants,
/// dense_resource weights included.
void populateFoldConstantsPatterns(mlir::RewritePatternSet &patterns,
                                   GraphFoldCounters *counters = nullptr);

#define GEN_PASS_REGISTRATION
#include "passes/graph/Passes.h.inc"

} // namespace aicc::graph

#endif // AICC_PASSES_GRAPH_PASSES_H
