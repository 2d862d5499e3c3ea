//===- FusionReport.cpp - The driver's --report=fusion --------------------===//
//
// What the fusion policy grouped: per exec.schedule, the kernels one per
// ONNX node would take (each dispatch counts the distinct nodes of its
// location, a FusedLoc for a fused group) against the dispatches it runs,
// then each dispatch computing several nodes with the nodes it fused.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace aicc::exec;

/// The ONNX node names in `loc`, in order, each once.
static void collectNodes(Location loc, llvm::SetVector<StringRef> &nodes) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location inner : fused.getLocations())
      collectNodes(inner, nodes);
    return;
  }
  if (auto name = dyn_cast<NameLoc>(loc)) {
    nodes.insert(name.getName().getValue());
    return;
  }
  if (auto callSite = dyn_cast<CallSiteLoc>(loc))
    collectNodes(callSite.getCallee(), nodes);
}

void aicc::exec::printFusionReport(ModuleOp module, llvm::raw_ostream &os) {
  for (ScheduleOp schedule : module.getOps<ScheduleOp>()) {
    unsigned dispatches = 0, unfused = 0;
    SmallVector<std::pair<DispatchOp, llvm::SetVector<StringRef>>> fused;
    schedule.walk([&](DispatchOp dispatch) {
      llvm::SetVector<StringRef> nodes;
      collectNodes(dispatch.getLoc(), nodes);
      ++dispatches;
      unfused += std::max<size_t>(nodes.size(), 1);
      if (nodes.size() > 1)
        fused.push_back({dispatch, std::move(nodes)});
    });
    os << "fusion of @" << schedule.getSymName() << ": " << unfused
       << " kernels with one per ONNX node, " << dispatches
       << " dispatches after fusion; " << fused.size()
       << " dispatches compute several nodes:\n";
    for (auto &[dispatch, nodes] : fused) {
      os << "  " << dispatch.getKernel().getLeafReference().getValue() << " ("
         << nodes.size() << " nodes):";
      for (StringRef node : nodes)
        os << " " << node;
      os << "\n";
    }
  }
}
