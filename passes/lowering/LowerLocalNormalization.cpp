//===- LowerLocalNormalization.cpp - LRN, MVN and SwiGLU -----------------===//
//
// - LRN over N x C x ...: one parallel generic; the square sum over the
//   channels c - floor((size-1)/2) .. c + ceil((size-1)/2) (inside [0, C))
//   is unrolled, y = x / (bias + alpha / size * sum)^beta.
// - MeanVarianceNormalization: two reductions over `axes` (sum and sum of
//   squares) and y = (x - mean) / (sqrt(E[x^2] - mean^2) + 1e-9), the
//   ONNX function body.
// - SwiGLU: y = a * sigmoid(alpha * a) * b, elementwise.
//
// f16/bf16 compute in f32.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

FloatType computeType(OpBuilder &b, FloatType elem) {
  return elem.getWidth() < 32 ? (FloatType)b.getF32Type() : elem;
}
Value extTo(OpBuilder &b, Location l, Value v, FloatType ft) {
  return v.getType() == ft ? v : (Value)arith::ExtFOp::create(b, l, ft, v);
}
Value truncTo(OpBuilder &b, Location l, Value v, Type elem) {
  return v.getType() == elem ? v
                             : (Value)arith::TruncFOp::create(b, l, elem, v);
}

struct LRNPattern : LoweringPattern<graph::LRNOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::LRNOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto type = cast<RankedTensorType>(op.getX().getType());
    int64_t size = op.getSize();
    if (type.getRank() < 3 || size < 1 || size > 1024)
      return rewriter.notifyMatchFailure(
          op, "needs an input of rank 3 or more and size in [1, 1024]");
    auto elem = cast<FloatType>(type.getElementType());
    FloatType ft = computeType(rewriter, elem);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    double bias = op.getBias().convertToDouble();
    int64_t channels = type.getDimSize(1);
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    Value x = op.getX();
    Value result = buildParallel(
        rewriter, op.getLoc(), {}, type.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> idx;
          for (int64_t i = 0; i < type.getRank(); ++i)
            idx.push_back(linalg::IndexOp::create(b, l, i));
          Value center = extTo(b, l, tensor::ExtractOp::create(b, l, x, idx), ft);
          Type i64 = b.getI64Type();
          Value c = arith::IndexCastOp::create(b, l, i64, idx[1]);
          Value sum = constScalar(b, l, ft, 0.0);
          for (int64_t o = -before; o <= after; ++o) {
            Value p = arith::AddIOp::create(b, l, c, constInt(b, l, i64, o));
            Value inside = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, p,
                                      constInt(b, l, i64, 0)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, p,
                                      constInt(b, l, i64, channels)));
            Value safe = arith::MaxSIOp::create(b, l, p, constInt(b, l, i64, 0));
            safe = arith::MinSIOp::create(b, l, safe,
                                          constInt(b, l, i64, channels - 1));
            SmallVector<Value> at(idx);
            at[1] = arith::IndexCastOp::create(b, l, b.getIndexType(), safe);
            Value v = extTo(b, l, tensor::ExtractOp::create(b, l, x, at), ft);
            Value sq = arith::MulFOp::create(b, l, v, v);
            sum = arith::AddFOp::create(
                b, l, sum,
                arith::SelectOp::create(b, l, inside, sq,
                                        constScalar(b, l, ft, 0.0)));
          }
          Value base = arith::AddFOp::create(
              b, l, constScalar(b, l, ft, bias),
              arith::MulFOp::create(b, l, constScalar(b, l, ft, alpha / size),
                                    sum));
          Value denom =
              math::PowFOp::create(b, l, base, constScalar(b, l, ft, beta));
          return truncTo(b, l, arith::DivFOp::create(b, l, center, denom),
                         elem);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MVNPattern : LoweringPattern<graph::MeanVarianceNormalizationOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::MeanVarianceNormalizationOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto type = cast<RankedTensorType>(op.getX().getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> axes;
    for (int64_t a : op.getAxes()) {
      std::optional<int64_t> n = normalizeAxis(a, rank);
      if (!n)
        return rewriter.notifyMatchFailure(op, "an axis is out of range");
      axes.push_back(*n);
    }
    llvm::sort(axes);
    axes.erase(llvm::unique(axes), axes.end());
    auto elem = cast<FloatType>(type.getElementType());
    FloatType ft = computeType(rewriter, elem);
    Location loc = op.getLoc();
    Value x = op.getX();
    if (ft != elem)
      x = buildElementwise(rewriter, loc, {x}, type.getShape(), ft,
                           [&](OpBuilder &b, Location l, ValueRange a) {
                             return extTo(b, l, a[0], ft);
                           });
    double count = 1;
    for (int64_t a : axes)
      count *= type.getDimSize(a);
    Value zero = constScalar(rewriter, loc, ft, 0.0);
    Value sum = buildReduction(
        rewriter, loc, x, axes, zero,
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, v);
        });
    Value sumSq = buildReduction(
        rewriter, loc, x, axes, zero,
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc,
                                       arith::MulFOp::create(b, l, v, v));
        });
    SmallVector<int64_t> kept;
    for (int64_t i = 0; i < rank; ++i)
      if (!llvm::is_contained(axes, i))
        kept.push_back(i);
    ArrayRef<int64_t> shape = type.getShape();
    SmallVector<LoopOperand> inputs = {
        {x, rewriter.getMultiDimIdentityMap(rank)},
        readInto(rewriter, loc, sum, shape, kept),
        readInto(rewriter, loc, sumSq, shape, kept)};
    Value result = buildParallel(
        rewriter, loc, inputs, shape, elem,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value n = constScalar(b, l, ft, count);
          Value mean = arith::DivFOp::create(b, l, a[1], n);
          Value meanSq = arith::DivFOp::create(b, l, a[2], n);
          Value var = arith::SubFOp::create(
              b, l, meanSq, arith::MulFOp::create(b, l, mean, mean));
          // Sequenced: the op order must not depend on the host compiler.
          Value eps = constScalar(b, l, ft, 1e-9);
          Value std =
              arith::AddFOp::create(b, l, math::SqrtOp::create(b, l, var), eps);
          Value y = arith::DivFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], mean), std);
          return truncTo(b, l, y, elem);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SwiGLUPattern : LoweringPattern<graph::SwiGLUOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::SwiGLUOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto type = cast<RankedTensorType>(op.getY().getType());
    if (op.getA().getType() != type || op.getB().getType() != type)
      return rewriter.notifyMatchFailure(
          op, "A, B and the output must have one type");
    auto elem = cast<FloatType>(type.getElementType());
    FloatType ft = computeType(rewriter, elem);
    double alpha = op.getAlpha().convertToDouble();
    Value result = buildElementwise(
        rewriter, op.getLoc(), {op.getA(), op.getB()}, type.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
          Value a = extTo(b, l, v[0], ft), bv = extTo(b, l, v[1], ft);
          Value one = constScalar(b, l, ft, 1.0);
          Value e = math::ExpOp::create(
              b, l, arith::MulFOp::create(b, l, constScalar(b, l, ft, -alpha), a));
          Value sig =
              arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
          Value swish = arith::MulFOp::create(b, l, a, sig);
          // The reference rounds the swish to the input type first.
          swish = extTo(b, l, truncTo(b, l, swish, elem), ft);
          return truncTo(b, l, arith::MulFOp::create(b, l, swish, bv), elem);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateLocalNormalizationPatterns(RewritePatternSet &patterns) {
  patterns.add<LRNPattern, MVNPattern, SwiGLUPattern>(patterns.getContext());
}

} // namespace aicc::lowering
