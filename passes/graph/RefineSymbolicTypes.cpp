//===- RefineSymbolicTypes.cpp - Dims known symbolically into the types ---===//
//
// The static result-type rules give `?` for every dim that depends on a
// shape value, even when the symbolic shape analysis shows it to be a
// constant (a Reshape to [batch, sequence, 12, 64] with batch = 1). This
// pass writes the analysis' constant dims and ranks into the result types,
// so that the lowering sees `tensor<1x?x12x64xf32>`.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"
#include "passes/graph/ShapeRefinement.h"
#include "passes/graph/SymbolicShapes.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-graph-refine-symbolic-types"

namespace aicc::graph {
#define GEN_PASS_DEF_REFINESYMBOLICTYPESPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

struct RefineSymbolicTypesPass
    : impl::RefineSymbolicTypesPassBase<RefineSymbolicTypesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.getBody().empty() || !func->hasAttr(kSymbolsAttrName)) {
      markAllAnalysesPreserved();
      return;
    }
    // Types do not feed the analysis once it has run: compute it first.
    SymbolicShapeAnalysis analysis(func);
    int64_t refined = 0;
    func.walk([&](Operation *op) {
      for (Value r : op->getResults()) {
        auto type = dyn_cast<TensorType>(r.getType());
        auto shape = analysis.getPartialShape(r);
        if (!type || !shape)
          continue;
        auto ranked = dyn_cast<RankedTensorType>(type);
        if (ranked && ranked.getRank() != (int64_t)shape->size())
          continue;
        SmallVector<int64_t> dims;
        for (auto [i, e] : llvm::enumerate(*shape)) {
          int64_t d = ranked ? ranked.getDimSize(i) : ShapedType::kDynamic;
          if (auto c = dyn_cast_or_null<AffineConstantExpr>(e);
              c && ShapedType::isDynamic(d) && c.getValue() >= 0)
            d = c.getValue();
          dims.push_back(d);
        }
        auto newType =
            RankedTensorType::get(dims, type.getElementType(),
                                  ranked ? ranked.getEncoding() : Attribute());
        if (newType == type)
          continue;
        LLVM_DEBUG(llvm::dbgs() << "refined " << type << " to " << newType
                                << " at " << op->getLoc() << "\n");
        r.setType(newType);
        ++refined;
      }
    });
    numRefined += refined;
    updateFunctionResultTypes(func);
  }
};

} // namespace
} // namespace aicc::graph
