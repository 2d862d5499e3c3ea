//===- Precision.h - The lower precisions of --precision --------*- C++ -*-===//
//
// The lower precisions aicc-graph-convert-precision implements, for the
// driver, the deploy file and the pass to check --precision against one list.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_PASSES_GRAPH_PRECISION_H
#define AICC_PASSES_GRAPH_PRECISION_H

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

namespace aicc::graph {

/// bf16 (bf16 operands, f32 accumulation), fp16 (fp16 weights, f32 math),
/// int8w (int8 MatMul weights with per-column scales, f32 math).
inline constexpr llvm::StringLiteral kLowerPrecisions[] = {"bf16", "fp16",
                                                           "int8w"};

/// Whether `precision` is one of kLowerPrecisions.
inline bool isLowerPrecision(llvm::StringRef precision) {
  return llvm::is_contained(kLowerPrecisions, precision);
}

} // namespace aicc::graph

#endif // AICC_PASSES_GRAPH_PRECISION_H
