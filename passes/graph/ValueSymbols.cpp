//===- ValueSymbols.cpp - Symbols computed from input values -------------===//
//
// aicc-graph-value-symbols (contract A of the value-dependent shapes, docs/
// Pipeline.md "Value-dependent shapes"): an op whose output dims depend on
// the values of a small graph input gets value symbols with their programs
// on @main and its result dims over them. Ops are handled in order, each
// with a fresh symbolic shape analysis (which reads the result dims given
// so far, so later ops see the symbols of earlier ones).
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "passes/graph/Passes.h"
#include "passes/graph/ShapeRefinement.h"
#include "passes/graph/SymbolicShapes.h"
#include "passes/graph/ValueShapeFunctions.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-graph-value-symbols"

namespace aicc::graph {
#define GEN_PASS_DEF_VALUESYMBOLSPASS
#include "passes/graph/Passes.h.inc"
} // namespace aicc::graph

using namespace mlir;

namespace aicc::graph {
namespace {

/// A graph input with 0 elements has no values to read: where it
/// determines a shape it becomes an empty constant and the ops after it are
/// re-inferred (ReduceSum's empty `axes`, Resize's empty `scales`). Returns failure on an inference error.
LogicalResult replaceEmptyInputs(func::FuncOp func, bool &changed) {
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() != 0 ||
        arg.use_empty())
      continue;
    // Only where it determines a shape (not as data: operand 0, except
    // for ConstantOfShape and Range whose operands are all values).
    auto isShapeUse = [](OpOperand &use) {
      Operation *user = use.getOwner();
      return hasValueShapeFunction(user) &&
             (use.getOperandNumber() > 0 ||
              isa<ConstantOfShapeOp, RangeOp>(user));
    };
    if (!llvm::any_of(arg.getUses(), isShapeUse))
      continue;
    auto empty = DenseElementsAttr::get(type, ArrayRef<Attribute>());
    Value c = ConstantOp::create(b, func.getLoc(), empty);
    arg.replaceUsesWithIf(c, isShapeUse);
    changed = true;
  }
  if (!changed)
    return success();
  SmallVector<Operation *> ops;
  for (Operation &op : entry)
    ops.push_back(&op);
  for (Operation *op : ops) {
    bool opChanged = false, erased = false;
    if (failed(refineAndFold(op, opChanged, erased)))
      return failure();
  }
  updateFunctionResultTypes(func);
  return success();
}

bool fullyExpressible(Operation *op, const SymbolicShapeAnalysis &analysis) {
  return llvm::all_of(op->getResults(), [&](Value r) {
    return succeeded(analysis.getSymbolicShape(r));
  });
}

struct ValueSymbolsPass : impl::ValueSymbolsPassBase<ValueSymbolsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.getBody().empty())
      return;
    bool changed = false;
    if (failed(replaceEmptyInputs(func, changed)))
      return signalPassFailure();
    // Nothing to do (and no analysis to compute) when every op with a
    // shape function has static results: static models pass unchanged.
    bool candidates = false;
    func.walk([&](Operation *op) {
      if (!hasValueShapeFunction(op))
        return WalkResult::advance();
      for (Type t : op->getResultTypes())
        if (auto ranked = dyn_cast<RankedTensorType>(t);
            !ranked || !ranked.hasStaticShape()) {
          candidates = true;
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (!candidates) {
      if (!changed)
        markAllAnalysesPreserved();
      return;
    }
    MLIRContext *ctx = func.getContext();
    Builder b(ctx);
    SmallVector<Attribute> entries;
    llvm::StringSet<> names;
    if (auto existing = func->getAttrOfType<ArrayAttr>(kValueSymbolsAttrName))
      for (Attribute e : existing) {
        entries.push_back(e);
        if (auto d = dyn_cast<DictionaryAttr>(e))
          if (auto n = d.getAs<StringAttr>("name"))
            names.insert(n.getValue());
      }
    llvm::DenseSet<Operation *> tried;
    SmallVector<Operation *> handled;
    bool error = false;
    while (true) {
      SymbolicShapeAnalysis analysis(func);
      Operation *next = nullptr;
      func.walk([&](Operation *op) {
        if (tried.contains(op) || !hasValueShapeFunction(op) ||
            op->hasAttr(kResultDimsAttrName) || fullyExpressible(op, analysis))
          return WalkResult::advance();
        next = op;
        return WalkResult::interrupt();
      });
      if (!next)
        break;
      tried.insert(next);
      ValueShapeBuilder builder(func, analysis, next);
      if (failed(buildValueShape(builder))) {
        error |= builder.hasError();
        LLVM_DEBUG(llvm::dbgs() << builder.describe() << ": no value symbols: "
                                << builder.getDeclineReason() << "\n");
        continue;
      }
      // Commit: the symbols onto @main (names unique), the dims and
      // parameters onto the op.
      for (const NewValueSymbol &s : builder.getNewSymbols()) {
        std::string name = s.name;
        for (int k = 2; names.contains(name); ++k)
          name = s.name + " #" + std::to_string(k);
        names.insert(name);
        entries.push_back(b.getDictionaryAttr({
            b.getNamedAttr("name", b.getStringAttr(name)),
            b.getNamedAttr("range", b.getDenseI64ArrayAttr({s.lo, s.hi})),
            b.getNamedAttr("def", b.getDenseI64ArrayAttr(s.def)),
            b.getNamedAttr("what", b.getStringAttr(s.what)),
        }));
      }
      numSymbols += builder.getNewSymbols().size();
      unsigned total = analysis.getSymbols().size() + entries.size();
      SmallVector<Attribute> maps;
      for (auto dims : builder.getResultDims())
        maps.push_back(AffineMapAttr::get(AffineMap::get(0, total, dims, ctx)));
      next->setAttr(kResultDimsAttrName, b.getArrayAttr(maps));
      if (!builder.getParams().empty()) {
        SmallVector<NamedAttribute> params;
        for (auto &[name, indices] : builder.getParams())
          params.push_back(
              b.getNamedAttr(name, b.getDenseI64ArrayAttr(indices)));
        next->setAttr(kValueParamsAttrName, b.getDictionaryAttr(params));
      }
      if (!builder.getAssumptions().empty()) {
        SmallVector<Attribute> eqs;
        for (auto [lhs, rhs] : builder.getAssumptions())
          eqs.push_back(AffineMapAttr::get(
              AffineMap::get(0, total, {lhs, rhs}, ctx)));
        next->setAttr(kValueAssumptionsAttrName, b.getArrayAttr(eqs));
      }
      func->setAttr(kValueSymbolsAttrName, b.getArrayAttr(entries));
      if (!func->hasAttr(kSymbolsAttrName))
        func->setAttr(kSymbolsAttrName, b.getDictionaryAttr({}));
      handled.push_back(next);
      ++numOps;
    }
    if (error)
      return signalPassFailure();
    if (handled.empty()) {
      if (!changed)
        markAllAnalysesPreserved();
      return;
    }
    // Every map over all symbols (those of earlier ops had fewer).
    unsigned total =
        SymbolicShapeAnalysis(func).getNumBaseSymbols();
    for (Operation *op : handled)
      for (StringRef attr : {kResultDimsAttrName, kValueAssumptionsAttrName})
        if (auto maps = op->getAttrOfType<ArrayAttr>(attr)) {
          SmallVector<Attribute> widened;
          for (Attribute m : maps)
            widened.push_back(AffineMapAttr::get(AffineMap::get(
                0, total, cast<AffineMapAttr>(m).getValue().getResults(),
                ctx)));
          op->setAttr(attr, b.getArrayAttr(widened));
        }
  }
};

} // namespace
} // namespace aicc::graph
