//===- CheckStaticShapes.cpp - Report shapes that stay unknown ------------===//
//
// aicc compiles static shapes. After the graph pipeline has inlined control
// flow and folded shape subgraphs, a result whose shape is still unknown
// depends on the value of a graph input: each is an error naming the node
// and the graph inputs to freeze with --input-value. A function with dynamic
// symbols (--dim NAME=LO..HI) may keep the dynamic dims that the symbolic
// shape analysis expresses over them.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "passes/graph/Passes.h"
#include "passes/graph/ShapeRefinement.h"
#include "passes/graph/SymbolicShapes.h"

#define DEBUG_TYPE "aicc-graph-check-static-shapes"

namespace aicc::graph {
#define GEN_PASS_DEF_CHECKSTATICSHAPESPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += "x";
    s += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return s;
}

struct CheckStaticShapesPass
    : impl::CheckStaticShapesPassBase<CheckStaticShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.getBody().empty())
      return;
    // Unused values need no shape.
    Block &body = func.getBody().front();
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (op.use_empty() && !op.hasTrait<OpTrait::IsTerminator>() &&
          isMemoryEffectFree(&op))
        op.erase();
    int64_t bad = 0;
    std::optional<SymbolicShapeAnalysis> symbolic;
    if (func->hasAttr(kSymbolsAttrName))
      symbolic.emplace(func);
    func.walk([&](Operation *op) {
      for (Value r : op->getResults()) {
        auto t = dyn_cast<RankedTensorType>(r.getType());
        if (t && t.hasStaticShape())
          continue;
        if (symbolic && succeeded(symbolic->getSymbolicShape(r)))
          continue;
        std::string shape = t ? "tensor<" + shapeString(t.getShape()) + ">"
                              : std::string("unranked");
        StringRef name = getNodeName(op->getLoc());
        InFlightDiagnostic diag = emitError(op->getLoc());
        diag << "node '" << (name.empty() ? StringRef("?") : name)
             << "' (" << getOnnxOpType(op)
             << "): result #" << cast<OpResult>(r).getResultNumber()
             << " has shape " << shape
             << " that depends on input values; aicc needs static shapes";
        // The graph inputs the shape may come from: those feeding the op's
        // shape operands (all operands but the data, operand 0, except for
        // ops whose operand 0 is itself a shape).
        bool shapeFirst = isa<RangeOp, ConstantOfShapeOp>(op);
        SmallVector<Value> shapeOperands;
        for (auto [i, operand] : llvm::enumerate(op->getOperands()))
          if (i > 0 || shapeFirst)
            shapeOperands.push_back(operand);
        std::string flags = inputValueFlags(func, shapeOperands);
        if (!flags.empty())
          diag << "; fix the shape-determining input with " << flags;
        ++bad;
        return; // one error per op
      }
    });
    numUnknown += bad;
    if (bad)
      signalPassFailure();
  }
};

} // namespace
} // namespace aicc::graph
