//===- PlanMemory.cpp - Static memory planning of exec schedules ----------===//
//
// Numbers the commands of each exec.schedule in order, derives the live range
// of every exec.alloc (its first and last command, looking through views),
// and hands the ranges of each memory space to the MemoryPlanner. Buffers
// that are caller inputs/outputs or constants are not in any arena.
//
// Dynamic buffers are planned by their upper bounds (`upper_bound_bytes`,
// computed here from the symbols' ranges in `aicc.symbols` by interval
// arithmetic when dispatch formation did not set it): one plan is valid
// for every run. A buffer without an upper bound, or with one above 1 GiB
// (value-dependent shapes, issue 15), is marked `runtime_allocated` and left
// out of the arenas: the runtime allocates it per run.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/exec/IndexExpr.h"
#include "passes/exec/MemoryPlanner.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"

namespace aicc::exec {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc::exec;

namespace {

/// [first, last] command index that touches `buffer` or a view of it; the
/// defining op's index when nothing does.
LiveBuffer getLiveRange(AllocOp alloc,
                        const DenseMap<Operation *, int64_t> &steps) {
  LiveBuffer range;
  range.size = *alloc.getSlotBytes();
  range.first = INT64_MAX;
  range.last = INT64_MIN;
  SmallVector<Value> worklist = {alloc.getResult()};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (auto view = dyn_cast<ViewOp>(user)) {
        worklist.push_back(view.getResult());
        continue;
      }
      int64_t step = steps.lookup(user);
      range.first = std::min(range.first, step);
      range.last = std::max(range.last, step);
    }
  }
  if (range.first > range.last)
    range.first = range.last = steps.lookup(alloc);
  return range;
}

struct PlanMemoryPass : public aicc::exec::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
      getOperation().emitError("alignment ")
          << alignment.getValue() << " is not a power of two";
      return signalPassFailure();
    }
    for (ScheduleOp schedule : getOperation().getOps<ScheduleOp>())
      if (failed(planSchedule(schedule)))
        return signalPassFailure();
  }

  LogicalResult planSchedule(ScheduleOp schedule) {
    FailureOr<SmallVector<SymbolInfo>> symbols = getSymbols(schedule);
    if (failed(symbols))
      return failure();
    for (AllocOp alloc : schedule.getBody().getOps<AllocOp>()) {
      if (alloc.getSlotBytes() || alloc.getRuntimeAllocated())
        continue;
      std::optional<uint64_t> bound =
          getBufferUpperBoundBytes(alloc.getResult(), *symbols);
      if (!bound || *bound > kMaxPlannedDynamicBytes) {
        alloc.setRuntimeAllocated(true);
        continue;
      }
      alloc.setUpperBoundBytesAttr(
          Builder(alloc.getContext()).getI64IntegerAttr(static_cast<int64_t>(*bound)));
    }

    DenseMap<Operation *, int64_t> steps;
    int64_t step = 0;
    for (Operation &op : schedule.getBody().front())
      steps[&op] = step++;

    // Buffers per memory space, in schedule order.
    SmallVector<SmallVector<AllocOp>> allocs;
    for (AllocOp alloc : schedule.getBody().getOps<AllocOp>()) {
      // Runtime-allocated buffers (issue 15) and persistent state
      // (aicc-exec-kv-state) are not arena buffers.
      if (alloc.getRuntimeAllocated() || alloc->hasAttr("aicc.state"))
        continue;
      size_t space = static_cast<size_t>(alloc.getSpace());
      if (allocs.size() <= space)
        allocs.resize(space + 1);
      allocs[space].push_back(alloc);
    }

    Builder builder(schedule.getContext());
    SmallVector<int64_t> arenaSizes, lowerBounds;
    PlannerOptions options;
    options.alignment = alignment;
    options.maxIterations = maxIterations;
    for (ArrayRef<AllocOp> spaceAllocs : allocs) {
      std::vector<LiveBuffer> ranges;
      for (AllocOp alloc : spaceAllocs)
        ranges.push_back(getLiveRange(alloc, steps));
      MemoryPlan plan = planMemory(ranges, options);
      for (auto [index, alloc] : llvm::enumerate(spaceAllocs))
        AllocOp(alloc).setOffsetAttr(
            builder.getI64IntegerAttr(static_cast<int64_t>(plan.offsets[index])));
      arenaSizes.push_back(static_cast<int64_t>(plan.arenaSize));
      lowerBounds.push_back(static_cast<int64_t>(plan.lowerBound));
    }
    // Every schedule has at least the CPU space, empty or not.
    if (arenaSizes.empty()) {
      arenaSizes.push_back(0);
      lowerBounds.push_back(0);
    }
    schedule.setArenaSizeAttr(builder.getDenseI64ArrayAttr(arenaSizes));
    schedule.setLowerBoundAttr(builder.getDenseI64ArrayAttr(lowerBounds));
    return success();
  }
};

} // namespace
