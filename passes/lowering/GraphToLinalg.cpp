//===- GraphToLinalg.cpp - Lower graph ops to linalg on tensors ----------===//
//
// The pass of stage 2 (docs/Pipeline.md). It applies the pattern sets of the
// Lower*.cpp files with the greedy driver, folding off so that graph ops are
// only ever rewritten by a lowering. Ops without a lowering stay graph ops:
// that is not an error here, the driver reports them per node.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "dialects/graph/GraphDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace aicc::lowering {

#define GEN_PASS_DEF_LOWERGRAPHTOLINALGPASS
#include "passes/lowering/Passes.h.inc"

void populateGraphToLinalgPatterns(mlir::RewritePatternSet &patterns) {
  populateElementwisePatterns(patterns);
  populateMatmulPatterns(patterns);
  populateConvPatterns(patterns);
  populatePoolingPatterns(patterns);
  populateReductionPatterns(patterns);
  populateDataMovementPatterns(patterns);
  populateResizePatterns(patterns);
  populateLossPatterns(patterns);
  populateAttentionPatterns(patterns);
  populateQuantizePatterns(patterns);
  populateScatterPatterns(patterns);
}

namespace {

struct LowerGraphToLinalgPass
    : impl::LowerGraphToLinalgPassBase<LowerGraphToLinalgPass> {
  void runOnOperation() override {
    mlir::RewritePatternSet patterns(&getContext());
    populateGraphToLinalgPatterns(patterns);
    // No folding or constant CSE: the result must keep graph.constant as
    // the only weight reference, and graph folders belong to the importer.
    mlir::GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false).setRegionSimplificationLevel(
        mlir::GreedySimplifyRegionLevel::Disabled);
    // Not converging only means some op was left as it is; the driver
    // reports unlowered ops, so this is never a failure.
    (void)mlir::applyPatternsGreedily(getOperation(), std::move(patterns),
                                      config);
  }
};

} // namespace
} // namespace aicc::lowering
