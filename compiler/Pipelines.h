//===- Pipelines.h - aicc's pass pipelines ----------------------*- C++ -*-===//
#ifndef AICC_COMPILER_PIPELINES_H
#define AICC_COMPILER_PIPELINES_H

#include "llvm/ADT/StringRef.h"
#include <functional>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace aicc {

/// Graph-level rewrites right after import (stage 1 of docs/Pipeline.md):
/// Transpose/Reshape/Cast of constants folded, inference BatchNormalization
/// folded into Conv/Gemm weights, then the canonicalizer (the graph ops'
/// folders, dead-op removal, constant deduplication).
void buildGraphPipeline(mlir::OpPassManager &pm);
/// The same; `valueSymbols` adds aicc-graph-value-symbols (shapes that
/// depend on input values, only for targets that compile dynamic dims).
void buildGraphPipelineFor(mlir::OpPassManager &pm, bool valueSymbols);
/// graph → linalg on tensors (stage 2 of docs/Pipeline.md), dynamic dims
/// included (docs/Pipeline.md "Dynamic shapes").
void buildGraphToLinalgPipeline(mlir::OpPassManager &pm);

/// --kv-cache: aicc-graph-kv-cache-in-place with `pairs` ("auto" or
/// PAST:PRESENT,...), then canonicalization and symbolic type refinement.
/// (The paged layout: the module carries `aicc.kv_block = N`.)
void buildKvCachePipeline(mlir::OpPassManager &pm, llvm::StringRef pairs);
/// The same for a target that cannot compile dynamic dims (cuda, rocm,
/// npu): they are one error naming `targetName` first
/// (aicc-graph-reject-dynamic-dims).
void buildGraphToLinalgPipelineFor(mlir::OpPassManager &pm,
                                llvm::StringRef targetName,
                                bool allowDynamicDims);
/// linalg on tensors → planned exec schedule (stage 3). `beforePlanning`
/// (a target's schedule passes, e.g. GPU host-buffer staging) adds passes
/// that run on the schedule between dispatch formation and memory planning.
void buildExecPipeline(
    mlir::OpPassManager &pm,
    const std::function<void(mlir::OpPassManager &)> &beforePlanning = {});

/// Registers the pipelines above with aicc-opt (aicc-graph-opt,
/// aicc-graph-to-linalg, aicc-exec).
void registerPipelines();

} // namespace aicc

#endif // AICC_COMPILER_PIPELINES_H
