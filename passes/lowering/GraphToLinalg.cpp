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

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"
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

struct LowerGraphToLinalgPass
    : impl::LowerGraphToLinalgPassBase<LowerGraphToLinalgPass> {
  void runOnOperation() override {
    mlir::MLIRContext *ctx = &getContext();
    mlir::ConversionTarget target(*ctx);
    target
        .addLegalDialect<mlir::linalg::LinalgDialect,
                         mlir::tensor::TensorDialect, mlir::arith::ArithDialect,
                         mlir::math::MathDialect, mlir::func::FuncDialect>();
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
