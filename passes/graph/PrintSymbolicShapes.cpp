//===- PrintSymbolicShapes.cpp - Symbolic shapes as attributes, for tests -===//
//
// Writes the symbolic shape analysis' results onto the IR (`aicc.shape`,
// `aicc.value`, `aicc.assumptions`) so lit tests can check them.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"
#include "passes/graph/SymbolicShapes.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-graph-print-symbolic-shapes"

namespace aicc::graph {
#define GEN_PASS_DEF_PRINTSYMBOLICSHAPESPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

struct PrintSymbolicShapesPass
    : impl::PrintSymbolicShapesPassBase<PrintSymbolicShapesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto &analysis = getAnalysis<SymbolicShapeAnalysis>();
    Builder b(func.getContext());
    // The statistics are no-ops in release builds: count here as well.
    int64_t expressible = 0, notExpressible = 0;
    func.walk([&](Operation *op) {
      if (!op->getNumResults())
        return;
      SmallVector<Attribute> shapes, values;
      bool anyValues = false;
      for (Value r : op->getResults()) {
        auto shape = analysis.getPartialShape(r);
        bool full = succeeded(analysis.getSymbolicShape(r));
        ++(full ? expressible : notExpressible);
        if (!full)
          LLVM_DEBUG(llvm::dbgs() << "not expressible: " << *op << "\n");
        shapes.push_back(b.getStringAttr(
            analysis.print(shape ? std::optional<ArrayRef<AffineExpr>>(*shape)
                                 : std::nullopt)));
        auto vals = analysis.getSymbolicValues(r);
        anyValues |= vals.has_value();
        values.push_back(b.getStringAttr(
            vals ? analysis.print(ArrayRef<AffineExpr>(*vals)) : "?"));
      }
      op->setAttr("aicc.shape", b.getArrayAttr(shapes));
      // Constants' values are in the IR already.
      if (anyValues && !op->hasTrait<OpTrait::ConstantLike>())
        op->setAttr("aicc.value", b.getArrayAttr(values));
    });
    func->setAttr("aicc.expressible",
                  b.getStringAttr(std::to_string(expressible) + " of " +
                                  std::to_string(expressible + notExpressible) +
                                  " results"));
    numExpressible += expressible;
    numNotExpressible += notExpressible;
    SmallVector<Attribute> assumptions;
    for (const ShapeAssumption &a : analysis.getAssumptions())
      assumptions.push_back(b.getStringAttr(analysis.print(a.lhs) +
                                            " == " + analysis.print(a.rhs)));
    if (!assumptions.empty())
      func->setAttr("aicc.assumptions", b.getArrayAttr(assumptions));
    markAllAnalysesPreserved();
  }
};

} // namespace
} // namespace aicc::graph
