//===- CloneProducersIntoDispatchRegions.cpp - Recompute cheap inputs -----===//
//
// The second dispatch formation pass (docs/Pipeline.md, section 3): copies
// the cheap producers of the values a dispatch region uses from above
// (tensor.empty, init fills and bias broadcasts, scalar constants; see
// isClonableIntoDispatchRegion) into the region, so its kernel computes them
// instead of reading a buffer, and erases originals left without uses.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "passes/exec/DispatchUtils.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-clone-producers-into-dispatch-regions"

namespace aicc::exec {
#define GEN_PASS_DEF_CLONEPRODUCERSINTODISPATCHREGIONS
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc;
using namespace aicc::exec;

STATISTIC(numClones, "Producers cloned into dispatch regions");
STATISTIC(numErased, "Cloned producers erased once unused");

namespace {

/// The ops of `body` to clone into `region`: the clonable producers of the
/// values it uses from above, and transitively theirs.
llvm::SetVector<Operation *> collectProducers(DispatchRegionOp region,
                                              Block &body) {
  llvm::SetVector<Operation *> producers;
  llvm::SetVector<Value> worklist;
  getUsedValuesDefinedAbove(region.getBody(), worklist);
  for (size_t i = 0; i < worklist.size(); ++i) {
    Operation *def = worklist[i].getDefiningOp();
    if (!def || def->getBlock() != &body ||
        !isClonableIntoDispatchRegion(def) || !producers.insert(def))
      continue;
    worklist.insert(def->operand_begin(), def->operand_end());
    getUsedValuesDefinedAbove(def->getRegions(), worklist);
  }
  return producers;
}

struct CloneProducersIntoDispatchRegionsPass
    : public exec::impl::CloneProducersIntoDispatchRegionsBase<
          CloneProducersIntoDispatchRegionsPass> {
  using CloneProducersIntoDispatchRegionsBase::
      CloneProducersIntoDispatchRegionsBase;

  void runOnOperation() override {
    func::FuncOp func = lookupEntryFunction(getOperation(), entryPoint);
    if (!func)
      return signalPassFailure();
    Block &body = func.getBody().front();

    llvm::SetVector<Operation *> cloned;
    for (auto region : llvm::to_vector(body.getOps<DispatchRegionOp>())) {
      llvm::SetVector<Operation *> producers = collectProducers(region, body);
      // In the function's order, so every clone follows its operands'.
      SmallVector<Operation *> ordered(producers.begin(), producers.end());
      llvm::sort(ordered, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
      OpBuilder builder(&region.getBodyBlock(), region.getBodyBlock().begin());
      IRMapping mapping;
      for (Operation *producer : ordered) {
        Operation *clone;
        // A one-element graph.constant (a Clip bound) becomes the
        // arith.constant kernels compute with.
        if (auto constant = dyn_cast<graph::ConstantOp>(producer)) {
          clone = arith::ConstantOp::create(
              builder, constant.getLoc(), cast<TypedAttr>(constant.getValue()));
          mapping.map(constant.getResult(), clone->getResult(0));
        } else {
          clone = builder.clone(*producer, mapping);
        }
        for (auto [original, copy] :
             llvm::zip(producer->getResults(), clone->getResults()))
          replaceAllUsesInRegionWith(original, copy, region.getBody());
        cloned.insert(producer);
        ++numClones;
      }
      LLVM_DEBUG(llvm::dbgs() << "cloned " << ordered.size()
                              << " producers into the region at "
                              << region.getLoc() << "\n");
    }

    // Originals nobody reads any more, users before their operands.
    SmallVector<Operation *> originals(cloned.begin(), cloned.end());
    llvm::sort(originals, [](Operation *a, Operation *b) {
      return b->isBeforeInBlock(a);
    });
    for (Operation *op : originals)
      if (op->use_empty() && isMemoryEffectFree(op)) {
        op->erase();
        ++numErased;
      }
  }
};

} // namespace
