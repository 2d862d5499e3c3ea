//===- LowerLoss.cpp - NegativeLogLikelihoodLoss and SoftmaxCrossEntropy -===//
//
// NegativeLogLikelihoodLoss over input N x C x D1..Dk and target N x D1..Dk
// is two parallel linalg.generics over the target shape: the per-element
// weight (weight[target], 0 where target == ignore_index) and the loss
// -input[n, target, d...] * weight, both gathering with tensor.extract at a
// target clamped into [0, C) (an ignored target may be out of range).
// `sum` reduces the loss; `mean` divides that by the sum of the weights
// (the ONNX definition; the reference's np.mean without weight and
// ignore_index is the same number).
//
// SoftmaxCrossEntropyLoss is rewritten into LogSoftmax along axis 1 (its
// log_prob output) followed by NegativeLogLikelihoodLoss, both lowered by
// their own patterns.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

/// Sums all elements of `value` into a rank-0 tensor.
Value sumAll(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    axes.push_back(i);
  return buildReduction(
      b, loc, value, axes, constScalar(b, loc, type.getElementType(), 0.0),
      [](OpBuilder &nb, Location l, Value v, Value acc) -> Value {
        return arith::AddFOp::create(nb, l, acc, v);
      });
}

struct NllLossPattern : LoweringPattern<graph::NegativeLogLikelihoodLossOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::NegativeLogLikelihoodLossOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    auto tType = cast<RankedTensorType>(op.getTarget().getType());
    auto lossType = cast<RankedTensorType>(op.getLoss().getType());
    StringRef reduction = op.getReduction();
    if (xType.getRank() < 2 || tType.getRank() != xType.getRank() - 1 ||
        (reduction != "none" && reduction != "sum" && reduction != "mean"))
      return rewriter.notifyMatchFailure(
          op, "needs an input of rank 2 or more, a target of one rank less and "
              "reduction none, sum or mean");
    Location loc = op.getLoc();
    Type elementType = xType.getElementType();
    Type targetType = tType.getElementType();
    int64_t numClasses = xType.getDimSize(1);
    int64_t rank = tType.getRank();
    ArrayRef<int64_t> shape = tType.getShape();
    Value x = op.getInput();
    Value weight = op.getWeight();
    std::optional<int64_t> ignoreIndex = op.getIgnoreIndex();
    LoopOperand target = {op.getTarget(), rewriter.getMultiDimIdentityMap(rank)};

    // The class index, clamped into range so that the gather stays in bounds.
    auto classIndex = [&](OpBuilder &b, Location l, Value t) -> Value {
      Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), t);
      idx = arith::MaxSIOp::create(b, l, idx, constIndex(b, l, 0));
      return arith::MinSIOp::create(b, l, idx, constIndex(b, l, numClasses - 1));
    };
    auto isIgnored = [&](OpBuilder &b, Location l, Value t) -> Value {
      if (!ignoreIndex)
        return constInt(b, l, b.getI1Type(), 0);
      return arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, t,
                                   constInt(b, l, targetType, *ignoreIndex));
    };

    Value weights = buildParallel(
        rewriter, loc, {target}, shape, elementType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value w = constScalar(b, l, elementType, 1.0);
          if (weight)
            w = tensor::ExtractOp::create(b, l, weight,
                                          ValueRange{classIndex(b, l, a[0])});
          return arith::SelectOp::create(b, l, isIgnored(b, l, a[0]),
                                         constScalar(b, l, elementType, 0.0), w);
        });
    Value loss = buildParallel(
        rewriter, loc,
        {target, {weights, rewriter.getMultiDimIdentityMap(rank)}}, shape,
        elementType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> idx = {linalg::IndexOp::create(b, l, 0),
                                    classIndex(b, l, a[0])};
          for (int64_t d = 1; d < rank; ++d)
            idx.push_back(linalg::IndexOp::create(b, l, d));
          Value v = tensor::ExtractOp::create(b, l, x, idx);
          Value neg = arith::NegFOp::create(b, l, v);
          // An ignored element is exactly 0 (also for an infinite input).
          return arith::SelectOp::create(
              b, l, isIgnored(b, l, a[0]), constScalar(b, l, elementType, 0.0),
              arith::MulFOp::create(b, l, neg, a[1]));
        });
    Value result = loss;
    if (reduction != "none") {
      result = sumAll(rewriter, loc, loss);
      if (reduction == "mean") {
        Value total = sumAll(rewriter, loc, weights);
        result = buildElementwise(
            rewriter, loc, {result, total}, {}, elementType,
            [](OpBuilder &b, Location l, ValueRange a) -> Value {
              return arith::DivFOp::create(b, l, a[0], a[1]);
            });
      }
    }
    if (cast<RankedTensorType>(result.getType()).getShape() !=
        lossType.getShape())
      return rewriter.notifyMatchFailure(
          op, "the loss output has an unexpected shape");
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SoftmaxCrossEntropyPattern
    : LoweringPattern<graph::SoftmaxCrossEntropyLossOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::SoftmaxCrossEntropyLossOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getScores().getType());
    if (xType.getRank() < 2 || op.getLogProb().getType() != xType)
      return rewriter.notifyMatchFailure(
          op, "needs an input of rank 2 or more and a target of one rank less");
    Location loc = op.getLoc();
    Value logProb = graph::LogSoftmaxOp::create(rewriter, loc, xType,
                                                op.getScores(), /*axis=*/1);
    Value loss = graph::NegativeLogLikelihoodLossOp::create(
        rewriter, loc, op.getOutput().getType(), logProb, op.getLabels(),
        op.getWeights(), op.getIgnoreIndexAttr(), op.getReductionAttr());
    rewriter.replaceOp(op, {loss, logProb});
    return success();
  }
};

} // namespace

void populateLossPatterns(RewritePatternSet &patterns) {
  patterns.add<NllLossPattern, SoftmaxCrossEntropyPattern>(
      patterns.getContext());
}

} // namespace aicc::lowering
