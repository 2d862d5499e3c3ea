//===- FormDispatchRegions.cpp - Group ops into exec.dispatch_region ------===//
//
// The first dispatch formation pass (docs/Pipeline.md, section 3): asks a
// DispatchGroupingPolicy for groups of ops of the entry function, checks
// them against the policy contract (DispatchGroupingPolicy.h) and moves each
// group into an `exec.dispatch_region` placed where its last op was.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "mlir/IR/Builders.h"
#include "passes/exec/DispatchGroupingPolicy.h"
#include "passes/exec/DispatchUtils.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-form-dispatch-regions"

namespace aicc::exec {
#define GEN_PASS_DEF_FORMDISPATCHREGIONS
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc;
using namespace aicc::exec;

STATISTIC(numRegions, "Dispatch regions formed");
STATISTIC(numGroupedOps, "Ops moved into dispatch regions");

namespace {

/// Moves `group` (ops of `body`, sorted in block order) into a new dispatch
/// region placed at its last op.
LogicalResult formRegion(Block &body, ArrayRef<Operation *> group) {
  llvm::SmallPtrSet<Operation *, 8> members(group.begin(), group.end());
  auto isInGroup = [&](Operation *user) {
    Operation *ancestor = body.findAncestorOpInBlock(*user);
    return ancestor && members.contains(ancestor);
  };
  Operation *last = group.back();

  // The results the dispatch writes: those used outside the group, and
  // unused ones (a kernel computes all results of its ops).
  SmallVector<Value> results;
  for (Operation *op : group) {
    for (OpResult result : op->getResults()) {
      bool escapes = result.use_empty();
      for (Operation *user : result.getUsers()) {
        if (isInGroup(user))
          continue;
        escapes = true;
        Operation *ancestor = body.findAncestorOpInBlock(*user);
        if (ancestor && ancestor->isBeforeInBlock(last))
          return user->emitOpError("uses a result of a dispatch group before "
                                   "the group's last op")
                     .attachNote(last->getLoc())
                 << "the group ends here";
      }
      if (!escapes)
        continue;
      if (!isBufferable(result.getType()))
        return op->emitOpError("result of type ")
               << result.getType()
               << " is not a ranked tensor of a type with a byte size; it "
                  "cannot be placed in a buffer";
      results.push_back(result);
    }
  }

  SmallVector<Location> locations;
  for (Operation *op : group)
    locations.push_back(op->getLoc());
  Location loc = group.size() == 1
                     ? group.front()->getLoc()
                     : FusedLoc::get(last->getContext(), locations);

  OpBuilder builder(last);
  SmallVector<Type> types;
  for (Value result : results)
    types.push_back(result.getType());
  auto region = DispatchRegionOp::create(builder, loc, types);
  Block *block = builder.createBlock(&region.getBody());
  for (Operation *op : group)
    op->moveBefore(block, block->end());
  builder.setInsertionPointToEnd(block);
  YieldOp::create(builder, loc, results);
  for (auto [result, regionResult] : llvm::zip(results, region.getResults()))
    result.replaceUsesWithIf(regionResult, [&](OpOperand &use) {
      return !region->isProperAncestor(use.getOwner());
    });
  LLVM_DEBUG(llvm::dbgs() << "formed a region of " << group.size() << " ops at "
                          << loc << "\n");
  ++numRegions;
  numGroupedOps += group.size();
  return success();
}

struct FormDispatchRegionsPass
    : public exec::impl::FormDispatchRegionsBase<FormDispatchRegionsPass> {
  using FormDispatchRegionsBase::FormDispatchRegionsBase;

  FormDispatchRegionsPass(std::shared_ptr<const DispatchGroupingPolicy> policy,
                          const FormDispatchRegionsOptions &options)
      : FormDispatchRegionsBase(options), policy(std::move(policy)) {}

  void runOnOperation() override {
    func::FuncOp func = lookupEntryFunction(getOperation(), entryPoint);
    if (!func)
      return signalPassFailure();
    std::shared_ptr<const DispatchGroupingPolicy> groupingPolicy = policy;
    if (!groupingPolicy && policyName == "fusion")
      groupingPolicy = createFusionPolicy();
    else if (!groupingPolicy && policyName == "one-op-per-region")
      groupingPolicy = createOneOpPerRegionPolicy();
    if (!groupingPolicy) {
      getOperation().emitError("unknown grouping policy '")
          << policyName << "' (one-op-per-region, fusion)";
      return signalPassFailure();
    }
    LLVM_DEBUG(llvm::dbgs()
               << "grouping policy: " << groupingPolicy->getName() << "\n");

    Block &body = func.getBody().front();
    SmallVector<DispatchGroup> groups;
    if (failed(groupingPolicy->formGroups(body, groups)))
      return signalPassFailure();

    // Check the contract, then build the regions in block order.
    DenseSet<Operation *> grouped;
    for (DispatchGroup &group : groups) {
      if (group.empty()) {
        func.emitOpError("grouping policy '")
            << groupingPolicy->getName() << "' returned an empty group";
        return signalPassFailure();
      }
      for (Operation *op : group) {
        if (op->getBlock() != &body || op == body.getTerminator()) {
          op->emitOpError("is not an op of the body of '@")
              << entryPoint << "'; it cannot be in a dispatch group";
          return signalPassFailure();
        }
        if (!grouped.insert(op).second) {
          op->emitOpError("is in two dispatch groups");
          return signalPassFailure();
        }
      }
      llvm::sort(group, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
    }
    for (Operation &op : body.without_terminator())
      if (needsDispatch(&op) && !grouped.contains(&op)) {
        op.emitOpError("needs a kernel, but grouping policy '")
            << groupingPolicy->getName() << "' put it in no dispatch group";
        return signalPassFailure();
      }
    llvm::sort(groups, [](const DispatchGroup &a, const DispatchGroup &b) {
      return a.back()->isBeforeInBlock(b.back());
    });
    for (const DispatchGroup &group : groups)
      if (failed(formRegion(body, group)))
        return signalPassFailure();
  }

  std::shared_ptr<const DispatchGroupingPolicy> policy;
};

} // namespace

std::unique_ptr<Pass> aicc::exec::createFormDispatchRegions(
    std::shared_ptr<const DispatchGroupingPolicy> policy,
    const FormDispatchRegionsOptions &options) {
  return std::make_unique<FormDispatchRegionsPass>(std::move(policy), options);
}
