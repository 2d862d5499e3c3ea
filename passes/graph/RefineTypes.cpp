//===- RefineTypes.cpp - Re-infer result types and fold to a fixed point --===//
//
// After control flow is inlined, the ops behind it were imported with the
// region ops' unranked result types. Re-inferring each op's result types
// from its operands, in order, and folding it turns their shape subgraphs
// into constants, which in turn refines the ops that use them; sweeps repeat
// until nothing changes. The function's result types follow.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"
#include "passes/graph/ShapeRefinement.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-graph-refine-types"

namespace aicc::graph {
#define GEN_PASS_DEF_REFINETYPESPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

/// Refines and folds the ops of `region`, nested regions included, in
/// order. Returns failure when an op's inference rule rejected its operands.
LogicalResult sweepRegion(Region &region, bool &changed, int64_t &folded) {
  LogicalResult result = success();
  for (Block &block : region)
    for (Operation &op : llvm::make_early_inc_range(block)) {
      for (Region &nested : op.getRegions())
        if (failed(sweepRegion(nested, changed, folded)))
          result = failure();
      bool erased = false;
      if (failed(refineAndFold(&op, changed, erased)))
        result = failure();
      folded += erased;
    }
  return result;
}

struct RefineTypesPass : impl::RefineTypesPassBase<RefineTypesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Each sweep visits ops in order, so straight-line code converges in
    // one; a fold in place may enable another.
    constexpr int kMaxSweeps = 16;
    for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
      bool changed = false;
      int64_t folded = 0;
      if (failed(sweepRegion(func.getBody(), changed, folded)))
        return signalPassFailure();
      numFolded += folded;
      LLVM_DEBUG(llvm::dbgs()
                 << "sweep " << sweep << ": " << folded << " ops folded\n");
      if (!changed)
        break;
    }
    updateFunctionResultTypes(func);
  }
};

} // namespace
} // namespace aicc::graph
