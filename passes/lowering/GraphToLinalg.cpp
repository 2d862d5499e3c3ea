//===- GraphToLinalg.cpp - Lower graph ops to linalg on tensors ----------===//
//
// The pass of stage 2 (docs/Pipeline.md): a partial dialect conversion with
// the pattern sets of the Lower*.cpp files. linalg, tensor, arith, math and
// `graph.constant` (the weight reference) are legal. An op no pattern can
// lower stays as it is and gets the reason of its last failed match as
// `aicc.unsupported`; the driver reports all of them per node
// (reportUnloweredOps).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"
#include "passes/graph/SymbolicShapes.h"
#include "passes/lowering/LoweringUtils.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/Iterators.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "aicc-lower-graph-to-linalg"

STATISTIC(numUnlowered, "Graph ops left unlowered");

namespace aicc::lowering {

#define GEN_PASS_DEF_LOWERGRAPHTOLINALGPASS
#include "passes/lowering/Passes.h.inc"

void populateGraphToLinalgPatterns(mlir::RewritePatternSet &patterns) {
  populateElementwisePatterns(patterns);
  populateMatmulPatterns(patterns);
  populateConvPatterns(patterns);
  populatePoolingPatterns(patterns);
  populateReductionPatterns(patterns);
  populateDataMovementPatterns(patterns);
  populateResizePatterns(patterns);
  populateLossPatterns(patterns);
  populateAttentionPatterns(patterns);
  populateQuantizePatterns(patterns);
  populateScatterPatterns(patterns);
  populateOneHotPatterns(patterns);
  populateTopKPatterns(patterns);
  populateBitCastPatterns(patterns);
  populateGridSamplePatterns(patterns);
  populateRotaryEmbeddingPatterns(patterns);
  populateCausalConvPatterns(patterns);
  populateDropoutPatterns(patterns);
  populateTfIdfVectorizerPatterns(patterns);
  populateDFTPatterns(patterns);
  populateLinearAttentionPatterns(patterns);
  populateSequenceEditPatterns(patterns);
  populateLocalNormalizationPatterns(patterns);
  populateEyeLikeDetPatterns(patterns);
}

namespace {

/// Records, per op, the reason of the last failed match. Patterns are
/// attempted one at a time and may nest (a pattern that creates graph ops has
/// them legalized before it succeeds), so the op a failure belongs to is the
/// innermost attempt.
class MatchFailureReasons : public mlir::RewriterBase::Listener {
public:
  void notifyPatternBegin(const mlir::Pattern &, mlir::Operation *op) override {
    attempts.push_back({op, /*gaveReason=*/false});
  }

  void notifyPatternEnd(const mlir::Pattern &,
                        mlir::LogicalResult status) override {
    if (attempts.empty())
      return;
    Attempt attempt = attempts.pop_back_val();
    // A pattern that failed without saying why failed on an op it created
    // (LowerLoss builds graph ops): the reason of that op is the reason.
    if (mlir::failed(status) && !attempt.gaveReason)
      reasons[attempt.op] =
          lastReason.empty() ? "the lowering of this op failed" : lastReason;
  }

  void notifyMatchFailure(
      mlir::Location loc,
      llvm::function_ref<void(mlir::Diagnostic &)> reasonCallback) override {
    mlir::Diagnostic diag(loc, mlir::DiagnosticSeverity::Remark);
    reasonCallback(diag);
    lastReason = diag.str();
    if (attempts.empty())
      return;
    reasons[attempts.back().op] = lastReason;
    attempts.back().gaveReason = true;
  }

  /// The reason recorded for `op`, or empty when no pattern was attempted.
  llvm::StringRef reasonFor(mlir::Operation *op) const {
    auto it = reasons.find(op);
    return it == reasons.end() ? llvm::StringRef() : it->second;
  }

private:
  struct Attempt {
    mlir::Operation *op;
    bool gaveReason;
  };
  llvm::SmallVector<Attempt> attempts;
  llvm::DenseMap<mlir::Operation *, std::string> reasons;
  std::string lastReason;
};

/// Erases the ops nothing uses, as the greedy driver of the pass did before
/// it was a conversion: a lowering may build IR for results no one reads
/// (the slice of an empty Split output, statistics outputs of a
/// normalization) and some of it, like a zero-size slice at the end of a dim,
/// does not verify.
void eraseDeadOps(mlir::func::FuncOp func) {
  bool erased = true;
  while (erased) {
    erased = false;
    // Users come before their producers in reverse post-order.
    func.walk<mlir::WalkOrder::PostOrder, mlir::ReverseIterator>(
        [&](mlir::Operation *op) {
          if (op != func && mlir::isOpTriviallyDead(op)) {
            op->erase();
            erased = true;
          }
        });
  }
}

/// The index values of a function with dynamic symbols (contract A of
/// docs/Pipeline.md "Dynamic shapes"), built at the top of its entry block
/// before the conversion: each function symbol as the `tensor.dim` of the
/// first argument whose `aicc.shape` dim is exactly that symbol (with
/// `aicc.symbol = i`), each value symbol n + j (`aicc.value_symbols`) as
/// `exec.symbol {index = n + j}`, each derived symbol (numbered after the
/// value symbols) as affine.min/affine.max, and
/// the size of every `?` dim of every value as an affine.apply of them
/// (unused ones are erased after the conversion). Shape-computing ops whose
/// element values are all known become `tensor.from_elements` of those
/// values, so no kernel computes shapes. Also records the analysis'
/// broadcast assumptions on the function.
mlir::FailureOr<std::unique_ptr<DynamicDims>>
materializeDynamicDims(mlir::func::FuncOp func,
                       const graph::SymbolicShapeAnalysis &analysis) {
  using namespace mlir;
  MLIRContext *ctx = func.getContext();
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  Location loc = func.getLoc();
  SmallVector<Value> symbols;
  for (auto [i, symbol] : llvm::enumerate(analysis.getSymbols())) {
    Value dim;
    for (unsigned k = 0, e = func.getNumArguments(); k < e && !dim; ++k) {
      auto shape = func.getArgAttrOfType<AffineMapAttr>(k, kArgShapeAttrName);
      auto type = dyn_cast<RankedTensorType>(func.getArgument(k).getType());
      if (!shape || !type ||
          shape.getValue().getNumResults() != type.getRank())
        continue;
      for (auto [j, expr] : llvm::enumerate(shape.getValue().getResults())) {
        auto s = dyn_cast<AffineSymbolExpr>(expr);
        if (!s || s.getPosition() != i || !type.isDynamicDim(j))
          continue;
        Value index = arith::ConstantIndexOp::create(b, loc, j);
        auto op = tensor::DimOp::create(b, loc, func.getArgument(k), index);
        op->setAttr("aicc.symbol", b.getI64IntegerAttr(i));
        dim = op;
        break;
      }
    }
    if (!dim)
      return func.emitError() << "dynamic symbol '" << symbol.name
                              << "' is not a dynamic dim of any argument";
    symbols.push_back(dim);
  }
  // Value symbols (issue 15): indices n.. after the function's n symbols,
  // computed by the runtime from input values before the run.
  int64_t numDimSymbols = symbols.size();
  for (int64_t j = 0, m = getNumValueSymbols(func); j < m; ++j)
    symbols.push_back(exec::SymbolOp::create(
        b, loc, b.getIndexType(), b.getI64IntegerAttr(numDimSymbols + j)));
  SmallVector<Attribute> derived;
  for (const graph::DerivedSymbol &d : analysis.getDerivedSymbols()) {
    auto map = AffineMap::get(0, symbols.size(), d.operands, ctx);
    bool isMin = d.kind == graph::DerivedSymbol::Kind::Min;
    Value v = isMin ? Value(affine::AffineMinOp::create(b, loc, map, symbols))
                    : Value(affine::AffineMaxOp::create(b, loc, map, symbols));
    symbols.push_back(v);
    derived.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("kind", b.getStringAttr(isMin ? "min" : "max")),
         b.getNamedAttr("operands", AffineMapAttr::get(map))}));
  }
  auto dims = std::make_unique<DynamicDims>(analysis, b, symbols);
  for (BlockArgument arg : func.getArguments())
    dims->record(arg);
  SmallVector<Operation *> shapeOps;
  func.walk([&](Operation *op) {
    for (Value r : op->getResults())
      dims->record(r);
    // A shape computation whose values are all known.
    if (!isa<graph::GraphDialect>(op->getDialect()) ||
        isa<graph::ConstantOp>(op) || op->getNumResults() != 1)
      return;
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || !type.hasStaticShape() ||
        !type.getElementType().isSignlessInteger())
      return;
    // All constant: the graph stage folds those (and patterns look through
    // constants only).
    const auto *values = dims->lookupValues(op->getResult(0));
    if (values && !llvm::all_of(*values, [](AffineExpr e) {
          return isa<AffineConstantExpr>(e);
        }))
      shapeOps.push_back(op);
  });
  for (Operation *op : shapeOps) {
    Value result = op->getResult(0);
    auto type = cast<RankedTensorType>(result.getType());
    SmallVector<AffineExpr> exprs = *dims->lookupValues(result);
    if ((int64_t)exprs.size() != type.getNumElements())
      continue;
    SmallVector<Value> elements;
    for (AffineExpr e : exprs) {
      OpFoldResult v = dims->materialize(e);
      Type elementType = type.getElementType();
      if (auto attr = dyn_cast<Attribute>(v))
        elements.push_back(arith::ConstantOp::create(
            b, loc, elementType,
            b.getIntegerAttr(elementType,
                             cast<IntegerAttr>(attr).getValue().getSExtValue())));
      else
        elements.push_back(arith::IndexCastOp::create(b, loc, elementType,
                                                      cast<Value>(v)));
    }
    Value replacement =
        tensor::FromElementsOp::create(b, op->getLoc(), type, elements);
    dims->setValues(replacement, exprs);
    // The op stays, dead, until the conversion is over (the analysis is
    // keyed by its result).
    result.replaceAllUsesWith(replacement);
  }
  // Broadcast assumptions (exact equalities the runtime checks).
  SmallVector<Attribute> assumptions, assumptionOps;
  for (const graph::ShapeAssumption &a : analysis.getAssumptions()) {
    assumptions.push_back(AffineMapAttr::get(
        AffineMap::get(0, symbols.size(), {a.lhs, a.rhs}, ctx)));
    StringRef name = graph::getNodeName(a.op->getLoc());
    assumptionOps.push_back(b.getStringAttr(
        "node '" + (name.empty() ? StringRef("?") : name).str() + "' (" +
        graph::getOnnxOpType(a.op).str() + ")"));
  }
  if (!assumptions.empty()) {
    func->setAttr("aicc.assumptions", b.getArrayAttr(assumptions));
    func->setAttr("aicc.assumption_ops", b.getArrayAttr(assumptionOps));
  }
  if (!derived.empty())
    func->setAttr("aicc.derived_symbols", b.getArrayAttr(derived));
  return dims;
}

struct LowerGraphToLinalgPass
    : impl::LowerGraphToLinalgPassBase<LowerGraphToLinalgPass> {
  void getDependentDialects(mlir::DialectRegistry &registry) const override {
    LowerGraphToLinalgPassBase::getDependentDialects(registry);
    // exec.symbol materializes value symbols (contract B of issue 15).
    registry.insert<exec::ExecDialect>();
  }

  void runOnOperation() override {
    mlir::MLIRContext *ctx = &getContext();
    mlir::func::FuncOp func = getOperation();
    std::unique_ptr<DynamicDims> dynamicDims;
    std::optional<graph::SymbolicShapeAnalysis> analysis;
    if (!func.getBody().empty() && (func->hasAttr(kSymbolsAttrName) ||
                                    func->hasAttr(kValueSymbolsAttrName))) {
      // Computed before the conversion: graph ops disappear during it.
      analysis.emplace(func);
      auto dims = materializeDynamicDims(func, *analysis);
      if (mlir::failed(dims))
        return signalPassFailure();
      dynamicDims = std::move(*dims);
    }
    DynamicDims::Scope scope(dynamicDims.get());
    mlir::ConversionTarget target(*ctx);
    target
        .addLegalDialect<mlir::linalg::LinalgDialect,
                         mlir::tensor::TensorDialect, mlir::arith::ArithDialect,
                         mlir::math::MathDialect, mlir::func::FuncDialect,
                         mlir::affine::AffineDialect>();
    // The value symbols' values (materializeDynamicDims).
    target.addLegalOp<exec::SymbolOp>();
    // Bodies reinterpret unsigned scalars with unrealized casts (Passes.td).
    target.addLegalOp<graph::ConstantOp, mlir::UnrealizedConversionCastOp>();
    // The other graph ops are deliberately left without a legality action
    // rather than marked illegal: the partial conversion fails, and rolls
    // back every conversion, as soon as one op explicitly marked illegal
    // cannot be legalized (DialectConversion.h, ConversionConfig::
    // unlegalizedOps). Ops of unknown legality are converted when a pattern
    // applies and otherwise left in place, which is what lets the driver
    // list every unsupported node at once. Their illegality is enforced
    // below: each one left gets its reason, and reportUnloweredOps turns
    // those into errors.

    mlir::RewritePatternSet patterns(ctx);
    populateGraphToLinalgPatterns(patterns);

    MatchFailureReasons reasons;
    mlir::ConversionConfig config;
    config.listener = &reasons;
    // No folding: the result must keep graph.constant as the only weight
    // reference, and graph folders belong to the importer.
    config.foldingMode = mlir::DialectConversionFoldingMode::Never;
    if (mlir::failed(mlir::applyPartialConversion(getOperation(), target,
                                                  std::move(patterns), config)))
      return signalPassFailure();
    eraseDeadOps(getOperation());

    getOperation().walk([&](mlir::Operation *op) {
      if (!llvm::isa<graph::GraphDialect>(op->getDialect()) ||
          llvm::isa<graph::ConstantOp>(op))
        return;
      std::string reason = reasons.reasonFor(op).str();
      // A static-only lowering of an op with dynamic dims: name the dim.
      if (dynamicDims && hasDynamicDims(op) &&
          (reason.empty() || llvm::StringRef(reason).contains("static")))
        if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
          reason = why;
      if (reason.empty())
        reason = ("no lowering for " + graph::getOnnxOpType(op) + " yet").str();
      LLVM_DEBUG(llvm::dbgs()
                 << "unlowered " << op->getName() << ": " << reason << "\n");
      op->setAttr(kUnsupportedAttrName, mlir::StringAttr::get(ctx, reason));
      ++numUnlowered;
    });
  }
};

} // namespace
} // namespace aicc::lowering
