//===- GraphPipeline.cpp - The graph-level pipeline after import ---------===//
//
// Its own library (AiccGraphPipeline) so that tools that stop at the graph
// dialect, such as the importer fuzzer (test/fuzz), link the graph passes
// without the lowering, exec and target libraries.
//
//===----------------------------------------------------------------------===//

#include "compiler/Pipelines.h"
#include "passes/graph/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace aicc {

void buildGraphPipeline(mlir::OpPassManager &pm) {
  buildGraphPipelineFor(pm, /*valueSymbols=*/true);
}

void buildGraphPipelineFor(mlir::OpPassManager &pm, bool valueSymbols) {
  // Control flow first: the ops behind an If, Loop or Scan get their types
  // and their shape subgraphs fold only once it is inlined.
  pm.addNestedPass<mlir::func::FuncOp>(graph::createInlineControlFlowPass());
  pm.addNestedPass<mlir::func::FuncOp>(graph::createRefineTypesPass());
  // Recurrent nodes unrolled into MatMul and elementwise ops, their
  // per-direction weights cut out as constants whose transposes the next
  // pass folds.
  pm.addNestedPass<mlir::func::FuncOp>(graph::createExpandRecurrentPass());
  // Einsum into Transpose/Reshape/MatMul/ReduceSum (constant operands'
  // transposes fold next too).
  pm.addNestedPass<mlir::func::FuncOp>(graph::createExpandEinsumPass());
  // Constants first, so that weights behind a Transpose or Reshape are
  // plain constants when BatchNormalization is folded into them.
  pm.addNestedPass<mlir::func::FuncOp>(graph::createFoldConstantsPass());
  pm.addNestedPass<mlir::func::FuncOp>(graph::createFoldBatchNormPass());
  // QDQ groups to integer QLinear ops (docs/Quantization.md).
  pm.addNestedPass<mlir::func::FuncOp>(graph::createFuseQDQPass());
  pm.addNestedPass<mlir::func::FuncOp>(mlir::createCanonicalizerPass());
  // Shapes that depend on input values: value symbols (only for targets
  // that compile dynamic dims; the others keep the check's error).
  if (valueSymbols)
    pm.addNestedPass<mlir::func::FuncOp>(graph::createValueSymbolsPass());
  // With dynamic symbols: the dims the symbolic analysis knows into the
  // types (nothing without symbols).
  pm.addNestedPass<mlir::func::FuncOp>(graph::createRefineSymbolicTypesPass());
  // Last, when everything that can fold has.
  pm.addNestedPass<mlir::func::FuncOp>(graph::createCheckStaticShapesPass());
}

} // namespace aicc
