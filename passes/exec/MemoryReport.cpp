//===- MemoryReport.cpp - The driver's --report=memory --------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/exec/IndexExpr.h"
#include "passes/exec/MemoryPlanner.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace aicc::exec;

static void printBytes(llvm::raw_ostream &os, uint64_t bytes) {
  os << bytes << " B";
  if (bytes >= 1024)
    os << llvm::format(" (%.2f MiB)", bytes / (1024.0 * 1024.0));
}

void aicc::exec::printMemoryReport(ModuleOp module, llvm::raw_ostream &os) {
  for (ScheduleOp schedule : module.getOps<ScheduleOp>()) {
    os << "memory plan of @" << schedule.getSymName() << ":\n";
    std::optional<ArrayRef<int64_t>> arena = schedule.getArenaSize();
    std::optional<ArrayRef<int64_t>> bound = schedule.getLowerBound();
    // No-sharing sum and buffer count per space.
    SmallVector<uint64_t> unshared;
    SmallVector<unsigned> counts;
    SmallVector<AllocOp> runtimeAllocated;
    for (AllocOp alloc : schedule.getBody().getOps<AllocOp>()) {
      if (alloc.getRuntimeAllocated()) {
        runtimeAllocated.push_back(alloc);
        continue;
      }
      size_t space = static_cast<size_t>(alloc.getSpace());
      if (unshared.size() <= space) {
        unshared.resize(space + 1, 0);
        counts.resize(space + 1, 0);
      }
      unshared[space] += alignTo(alloc.getSlotBytes().value_or(0), 64);
      ++counts[space];
    }
    size_t spaces = std::max(unshared.size(), arena ? arena->size() : 0);
    if (!arena)
      os << "  (not planned: run aicc-plan-memory)\n";
    // Dynamic shapes: one plan for every run, sized by the upper bounds.
    FailureOr<SmallVector<SymbolInfo>> symbols = getSymbols(schedule);
    if (succeeded(symbols) && !symbols->empty()) {
      os << "  planned for the upper bounds:";
      for (auto [index, symbol] : llvm::enumerate(*symbols))
        os << (index ? ", " : " ") << symbol.name << "=" << symbol.range.hi;
      os << "\n";
    }
    for (size_t space = 0; space < spaces; ++space) {
      os << "  space " << space << ":";
      os << " " << (space < counts.size() ? counts[space] : 0)
         << " buffers\n";
      if (arena && space < arena->size()) {
        os << "    arena        ";
        printBytes(os, (*arena)[space]);
        os << "\n    lower bound  ";
        printBytes(os, (*bound)[space]);
        if ((*bound)[space] > 0)
          os << llvm::format("  (arena/bound %.3f)",
                             double((*arena)[space]) / (*bound)[space]);
        os << "\n";
      }
      os << "    no sharing   ";
      printBytes(os, space < unshared.size() ? unshared[space] : 0);
      os << "\n";
    }
    // Value-dependent shapes (issue 15): allocated per run, outside the
    // arenas, by their size expression.
    if (!runtimeAllocated.empty()) {
      os << "  runtime-allocated: " << runtimeAllocated.size()
         << " buffers (bytes per run)\n";
      for (AllocOp alloc : runtimeAllocated) {
        std::vector<int64_t> code;
        os << "    " << alloc.getType() << ": ";
        if (succeeded(symbols) &&
            succeeded(appendBufferBytesCode(alloc.getResult(), code)))
          os << formatIndexCode(code, *symbols);
        else
          os << "<unknown>";
        os << " B\n";
      }
    }
  }
}
