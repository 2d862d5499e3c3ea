//===- Pipelines.cpp - aicc's pass pipelines -----------------------------===//

#include "compiler/Pipelines.h"
#include "passes/exec/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/lowering/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace aicc {

void buildGraphToLinalgPipeline(mlir::OpPassManager &pm) {
  buildGraphToLinalgPipelineFor(pm, "", /*allowDynamicDims=*/true);
}

void buildGraphToLinalgPipelineFor(mlir::OpPassManager &pm,
                                llvm::StringRef targetName,
                                bool allowDynamicDims) {
  // Targets without dynamic-shape kernels: one clear error.
  if (!allowDynamicDims)
    pm.addNestedPass<mlir::func::FuncOp>(graph::createRejectDynamicDimsPass(
        graph::RejectDynamicDimsPassOptions{targetName.str()}));
  pm.addNestedPass<mlir::func::FuncOp>(
      lowering::createLowerGraphToLinalgPass());
  // Before any folding: float8/float4/int4/int2 become bytes.
  pm.addNestedPass<mlir::func::FuncOp>(
      lowering::createLegalizeNarrowTypesPass());
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  // --kv-cache: attention reads the cache state in place (a no-op without).
  pm.addNestedPass<mlir::func::FuncOp>(
      lowering::createFoldKvCacheTransposePass());
}

void buildKvCachePipeline(mlir::OpPassManager &pm, llvm::StringRef pairs) {
  pm.addNestedPass<mlir::func::FuncOp>(graph::createKvCacheInPlacePass(
      graph::KvCacheInPlacePassOptions{pairs.str()}));
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addNestedPass<mlir::func::FuncOp>(graph::createRefineSymbolicTypesPass());
}

void buildExecPipeline(
    mlir::OpPassManager &pm,
    const std::function<void(mlir::OpPassManager &)> &beforePlanning) {
  // Dispatch formation (docs/Pipeline.md, section 3): form regions with the
  // fusion policy (elementwise chains and reduction epilogues share a
  // kernel), clone cheap producers into them, outline them into kernels and
  // the schedule.
  exec::addDispatchFormationPasses(pm, exec::createFusionPolicy());
  // --kv-cache state arguments become persistent state (a no-op otherwise).
  pm.addPass(exec::createKvState());
  if (beforePlanning)
    beforePlanning(pm);
  pm.addPass(exec::createPlanMemory());
}

void registerPipelines() {
  mlir::PassPipelineRegistration<>(
      "aicc-graph-opt",
      "Graph-level rewrites after import (control flow inlining, type "
      "refinement, constants, BatchNormalization folding, canonicalization, "
      "static shape check)",
      buildGraphPipeline);
  mlir::PassPipelineRegistration<>(
      "aicc-graph-to-linalg", "Lower graph ops to linalg on tensors",
      buildGraphToLinalgPipeline);
  mlir::PassPipelineRegistration<>(
      "aicc-exec", "Form dispatches and plan memory (linalg → exec)",
      [](mlir::OpPassManager &pm) { buildExecPipeline(pm); });
}

} // namespace aicc
