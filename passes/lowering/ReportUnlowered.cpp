//===- ReportUnlowered.cpp - Report graph ops the lowering left ----------===//
//
// After stage 2 every graph op other than graph.constant is a node the
// target cannot compile. The lowering recorded why on each of them
// (`aicc.unsupported`); this turns them into one error per node, all at
// once, so that a user sees every unsupported node and its reason in a
// single run.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace aicc::lowering {

LogicalResult reportUnloweredOps(ModuleOp module, StringRef targetName) {
  int count = 0;
  module.walk([&](Operation *op) {
    if (!isa<graph::GraphDialect>(op->getDialect()) ||
        isa<graph::ConstantOp>(op))
      return;
    // The importer names every op after its node; in LLVM 22 a NameLoc
    // wrapped around a file location does not print its name, so it is
    // printed here.
    StringRef name = graph::getNodeName(op->getLoc());
    auto reason = op->getAttrOfType<StringAttr>(kUnsupportedAttrName);
    InFlightDiagnostic diag = emitError(op->getLoc());
    diag << "node '" << (name.empty() ? StringRef("?") : name)
         << "' (ai.onnx::" << graph::getOnnxOpType(op) << "): ";
    if (reason)
      diag << reason.getValue();
    else
      diag << "no lowering for " << graph::getOnnxOpType(op) << " yet";
    ++count;
  });
  if (count) {
    InFlightDiagnostic diag = emitError(module.getLoc());
    diag << count << " node" << (count == 1 ? "" : "s");
    if (targetName.empty())
      diag << " cannot be lowered to linalg";
    else
      diag << " cannot be compiled for " << targetName;
  }
  return success(count == 0);
}

} // namespace aicc::lowering
