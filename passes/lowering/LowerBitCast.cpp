//===- LowerBitCast.cpp - BitCast and LpPool ------------------------------===//
//
// Two small ops that reuse what the lowering already has:
//
// BitCast reinterprets the bits of each element as another type of the same
// width: an elementwise generic with arith.bitcast (signless integers and
// floats), or extui/trunci between bool and an 8-bit integer (a bool's
// byte is 0 or 1).
//
// LpPool is (sum over the window of |x|^p)^(1/p). It is rewritten into graph
// ops the other patterns lower: |x|^p (Abs, then Mul for p = 2 or Pow),
// AveragePool with count_include_pad = 1 and the same window, times the
// window size (the sum, padding adding zeros), then Sqrt or Pow(1/p).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

struct BitCastPattern : LoweringPattern<graph::BitCastOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::BitCastOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto inType = getStaticType(op->getOperand(0));
    auto outType = getStaticType(op->getResult(0));
    Type from = toSignless(inType.getElementType());
    Type to = toSignless(outType.getElementType());
    unsigned fromBits = from.getIntOrFloatBitWidth();
    unsigned toBits = to.getIntOrFloatBitWidth();
    bool boolCast = (fromBits == 1 && toBits == 8 && to.isInteger()) ||
                    (toBits == 1 && fromBits == 8 && from.isInteger());
    if (inType.getShape() != outType.getShape() ||
        (fromBits != toBits && !boolCast))
      return rewriter.notifyMatchFailure(
          op, "attribute 'to' must name a type of the input's bit width");
    Value result = buildElementwise(
        rewriter, op.getLoc(), {op->getOperand(0)}, outType.getShape(),
        outType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          if (from == to)
            return a[0];
          if (fromBits == 1)
            return arith::ExtUIOp::create(b, l, to, a[0]);
          if (toBits == 1)
            return arith::TruncIOp::create(b, l, to, a[0]);
          return arith::BitcastOp::create(b, l, to, a[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LpPoolPattern : LoweringPattern<graph::LpPoolOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::LpPoolOp op,
                      PatternRewriter &rewriter) const override {
    auto xType = getStaticType(op.getX());
    auto yType = getStaticType(op.getY());
    if (!xType || !yType || !isa<FloatType>(xType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs static float tensors");
    if (op.getCeilMode() != 0)
      return rewriter.notifyMatchFailure(
          op, "attribute 'ceil_mode' = 1 is not supported");
    int64_t p = op.getP();
    if (p < 1)
      return rewriter.notifyMatchFailure(op, "attribute 'p' must be >= 1");
    Location loc = op.getLoc();
    Type elem = xType.getElementType();
    auto scalar = [&](double v) -> Value {
      auto t = RankedTensorType::get({}, elem);
      return graph::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(t, FloatAttr::get(elem, v)));
    };
    Value a = graph::AbsOp::create(rewriter, loc, op.getX());
    if (p == 2)
      a = graph::MulOp::create(rewriter, loc, a, a);
    else if (p != 1)
      a = graph::PowOp::create(rewriter, loc, a, scalar((double)p));
    int64_t window = 1;
    for (int64_t k : op.getKernelShape())
      window *= k;
    auto optionalArray = [&](std::optional<ArrayRef<int64_t>> v) {
      return v ? rewriter.getDenseI64ArrayAttr(*v) : DenseI64ArrayAttr();
    };
    Value mean = graph::AveragePoolOp::create(
        rewriter, loc, yType, a, op.getAutoPad(), /*ceil_mode=*/0,
        /*count_include_pad=*/1, optionalArray(op.getDilations()),
        op.getKernelShape(), optionalArray(op.getPads()),
        optionalArray(op.getStrides()));
    Value sum = graph::MulOp::create(rewriter, loc, mean,
                                     scalar((double)window));
    Value result = sum;
    if (p == 2)
      result = graph::SqrtOp::create(rewriter, loc, sum);
    else if (p != 1)
      result = graph::PowOp::create(rewriter, loc, sum, scalar(1.0 / p));
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateBitCastPatterns(RewritePatternSet &patterns) {
  patterns.add<BitCastPattern, LpPoolPattern>(patterns.getContext());
}

} // namespace aicc::lowering
