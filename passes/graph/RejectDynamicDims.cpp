//===- RejectDynamicDims.cpp - Dynamic dims stop before the lowering ------===//
//
// Dynamic dims (`--dim NAME=LO..HI`) are lowered for the avx512/host CPU
// targets only: for the others (cuda, rocm, npu) the driver runs this pass
// before the lowering to linalg, and a function that still has one is a
// single error that names the first op with a dynamic operand or result,
// its shape over the symbols, the symbols with their ranges, and the target.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphDialect.h"
#include "passes/graph/Passes.h"
#include "passes/graph/SymbolicShapes.h"

#define DEBUG_TYPE "aicc-graph-reject-dynamic-dims"

namespace aicc::graph {
#define GEN_PASS_DEF_REJECTDYNAMICDIMSPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

bool isDynamic(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && (!shaped.hasRank() || !shaped.hasStaticShape());
}

struct RejectDynamicDimsPass
    : impl::RejectDynamicDimsPassBase<RejectDynamicDimsPass> {
  using RejectDynamicDimsPassBase::RejectDynamicDimsPassBase;
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Without symbols, aicc-graph-check-static-shapes has reported every
    // dynamic dim already (and the lowering names any left, per op).
    if (func.getBody().empty() || !func->hasAttr(kSymbolsAttrName))
      return;
    bool dynamicArg = llvm::any_of(func.getArgumentTypes(), isDynamic);
    Operation *first = nullptr;
    Value firstValue;
    func.walk([&](Operation *op) {
      for (Value r : op->getResults())
        if (isDynamic(r.getType())) {
          first = op;
          firstValue = r;
          return WalkResult::interrupt();
        }
      for (Value v : op->getOperands())
        if (isDynamic(v.getType())) {
          first = op;
          firstValue = v;
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (!first && !dynamicArg)
      return;
    auto &analysis = getAnalysis<SymbolicShapeAnalysis>();
    std::string symbols, flags;
    for (const ShapeSymbol &s : analysis.getSymbols()) {
      symbols += (symbols.empty() ? "" : ", ") + s.name + " in [" +
                 std::to_string(s.lo) + ", " + std::to_string(s.hi) + "]";
      flags += (flags.empty() ? "" : " ") + ("--dim " + s.name + "=N");
    }
    InFlightDiagnostic diag =
        emitError(first ? first->getLoc() : func.getLoc());
    if (first) {
      StringRef name = getNodeName(first->getLoc());
      auto shape = analysis.getPartialShape(firstValue);
      diag << "node '" << (name.empty() ? StringRef("?") : name) << "' ("
           << getOnnxOpType(first) << "): "
           << (isa<OpResult>(firstValue) && firstValue.getDefiningOp() == first
                   ? "result #" +
                         std::to_string(
                             cast<OpResult>(firstValue).getResultNumber())
                   : std::string("an operand"))
           << " has shape "
           << analysis.print(shape ? std::optional<ArrayRef<AffineExpr>>(*shape)
                                   : std::nullopt)
           << "; ";
    } else {
      diag << "a graph input has a dynamic shape; ";
    }
    if (targetName.empty())
      diag << "dynamic dims past the graph stage are not supported yet";
    else
      diag << "the " << targetName
           << " target does not support dynamic dims yet (only the avx512 "
              "and host targets do)";
    if (!symbols.empty())
      diag << " (symbols: " << symbols << "); specialize them with " << flags;
    signalPassFailure();
  }
};

} // namespace
} // namespace aicc::graph
