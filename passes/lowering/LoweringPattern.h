//===- LoweringPattern.h - Base of the graph lowering patterns --*- C++ -*-===//
//
// Every graph -> linalg pattern is a `LoweringPattern<graph::XOp>`: a typed
// conversion pattern for the partial conversion of GraphToLinalg.cpp. Its
// body, `lower`, either rewrites the op or returns
// `rewriter.notifyMatchFailure(op, "<why>")`; the reason reaches the
// `ConversionConfig::listener` of the conversion, which records it on the op
// left in place (`aicc.unsupported`, see Passes.h).
//
// Why a forwarding listener: in LLVM 22 the conversion driver's rewriter
// swallows match failures (`ConversionPatternRewriterImpl::notifyMatchFailure`
// is an empty function in release builds, and `ConversionConfig::
// notifyCallback` is only called in debug builds), so
// `rewriter.notifyMatchFailure` would never reach the config's listener. For
// the duration of `lower`, the rewriter's listener is wrapped in one that
// forwards every notification to the driver unchanged and additionally sends
// match failures to the config's listener. (ConversionPatternRewriter hides
// setListener; see ScopedMatchFailureForwarding for why this use is sound.)
//
// Bodies read operands from the op. The conversion driver replaces the uses
// of a converted producer only when it commits, so before `lower` runs the op
// is pointed at the adaptor's (converted) operands: a pattern that looks
// through an operand (Slice reading constant starts from an Identity or a
// Shape that became a graph.constant) sees what the greedy driver used to
// show it. A failed match rolls this back with the rest.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_LOWERING_LOWERINGPATTERN_H
#define AICC_PASSES_LOWERING_LOWERINGPATTERN_H

#include "passes/lowering/LoweringUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include <string>

namespace aicc::lowering {

/// While alive, routes the match failures that patterns report on `rewriter`
/// to the listener of the running conversion (see the file comment). Every
/// other notification goes to the driver exactly as before.
class ScopedMatchFailureForwarding
    : public mlir::RewriterBase::ForwardingListener {
public:
  explicit ScopedMatchFailureForwarding(
      mlir::ConversionPatternRewriter &rewriter)
      : ForwardingListener(rewriter.getListener()), rewriter(rewriter),
        previous(rewriter.getListener()),
        target(rewriter.getConfig().listener) {
    builder().setListener(this);
  }
  ~ScopedMatchFailureForwarding() override { builder().setListener(previous); }
  ScopedMatchFailureForwarding(const ScopedMatchFailureForwarding &) = delete;
  ScopedMatchFailureForwarding &
  operator=(const ScopedMatchFailureForwarding &) = delete;

  void notifyMatchFailure(
      mlir::Location loc,
      llvm::function_ref<void(mlir::Diagnostic &)> reasonCallback) override {
    ForwardingListener::notifyMatchFailure(loc, reasonCallback);
    if (target)
      target->notifyMatchFailure(loc, reasonCallback);
  }

private:
  /// ConversionPatternRewriter hides setListener because replacing its
  /// listener would cut the driver off from the IR changes; this listener
  /// forwards every one of them, so it goes through the OpBuilder base.
  mlir::OpBuilder &builder() { return rewriter; }

  mlir::ConversionPatternRewriter &rewriter;
  mlir::OpBuilder::Listener *previous;
  mlir::RewriterBase::Listener *target;
};

/// The largest tensor the lowering accepts, in bytes (2^40, 1 TiB): a
/// larger one cannot be allocated on any machine aicc targets, and its size
/// may not even fit in int64.
inline constexpr int64_t kMaxTensorBytes = int64_t(1) << 40;

/// Why a result or operand of `op` is too large to lower (more than
/// kMaxTensorBytes, or a size that overflows int64), or "".
std::string whyTooLarge(mlir::Operation *op);

/// A lowering of one graph op type. Subclasses implement `lower`, which
/// rewrites `op` or returns `rewriter.notifyMatchFailure(op, "<why>")` with a
/// user-facing reason (which attribute, type or mode is unsupported).
template <typename OpTy>
class LoweringPattern : public mlir::OpConversionPattern<OpTy> {
public:
  using mlir::OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename mlir::OpConversionPattern<OpTy>::OpAdaptor;

  mlir::LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  mlir::ConversionPatternRewriter &rewriter) const final {
    ScopedMatchFailureForwarding forwarding(rewriter);
    if (std::string why = whyTooLarge(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    mlir::ValueRange converted = adaptor.getOperands();
    // The dims of a converted operand are those of the graph value it
    // replaces (dynamic dims, see DynamicDims).
    if (DynamicDims *dims = DynamicDims::current())
      for (auto [original, value] : llvm::zip(op->getOperands(), converted))
        if (original != value)
          dims->alias(value, original);
    if (!llvm::equal(op->getOperands(), converted))
      rewriter.modifyOpInPlace(op, [&] { op->setOperands(converted); });
    return lower(op, rewriter);
  }

  virtual mlir::LogicalResult lower(OpTy op,
                                    mlir::PatternRewriter &rewriter) const = 0;
};

} // namespace aicc::lowering

#endif // AICC_PASSES_LOWERING_LOWERINGPATTERN_H
