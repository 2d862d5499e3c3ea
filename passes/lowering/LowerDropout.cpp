//===- LowerDropout.cpp - Dropout in training mode to linalg -------------===//
//
// graph.Dropout whose training_mode is not the constant false (the
// inference case is DropoutPattern in LowerElementwise.cpp). The random
// draws depend only on the `seed` attribute and the (static) data shape, so
// they are computed at compile time, exactly as NumPy's legacy
// RandomState(seed).uniform(0, 1, shape) draws them (MT19937 seeded with
// init_genrand, 53-bit doubles from two 32-bit outputs): the stream ONNX's
// reference evaluator and the backend test data use. A missing seed uses 0.
// The draws become an f64 constant U; at run time, with r = ratio (0.5
// when absent) and t = training_mode:
//
//   mask   = !t || U >= r
//   output = t ? (U >= r ? x * (1 / (1 - r)) : 0) : x
//
// (the scale in the ratio's type, as NumPy computes it). Data of at most
// 2^24 elements (the constant takes 8 bytes per element).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

/// `count` doubles of NumPy's legacy RandomState(seed).random_sample().
SmallVector<double> numpyLegacyUniform(uint32_t seed, int64_t count) {
  constexpr int n = 624, m = 397;
  uint32_t state[n];
  state[0] = seed;
  for (int i = 1; i < n; ++i)
    state[i] = 1812433253u * (state[i - 1] ^ (state[i - 1] >> 30)) + i;
  int next = n;
  auto draw = [&]() -> uint32_t {
    if (next >= n) {
      for (int k = 0; k < n; ++k) {
        uint32_t y =
            (state[k] & 0x80000000u) | (state[(k + 1) % n] & 0x7fffffffu);
        state[k] = state[(k + m) % n] ^ (y >> 1) ^ ((y & 1) ? 0x9908b0dfu : 0);
      }
      next = 0;
    }
    uint32_t y = state[next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  };
  SmallVector<double> values;
  values.reserve(count);
  for (int64_t i = 0; i < count; ++i) {
    uint32_t a = draw() >> 5, b = draw() >> 6;
    values.push_back((a * 67108864.0 + b) / 9007199254740992.0);
  }
  return values;
}

struct TrainingDropoutPattern : LoweringPattern<graph::DropoutOp> {
  TrainingDropoutPattern(MLIRContext *ctx)
      : LoweringPattern<graph::DropoutOp>(ctx, /*benefit=*/2) {}

  LogicalResult lower(graph::DropoutOp op,
                      PatternRewriter &rewriter) const override {
    Value training = op.getTrainingMode();
    if (!training)
      return rewriter.notifyMatchFailure(op, "not in training mode");
    if (auto values = constantInts(training);
        values && values->size() == 1 && (*values)[0] == 0)
      return rewriter.notifyMatchFailure(op, "not in training mode");
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto elem = dyn_cast<FloatType>(dataType.getElementType());
    Value ratio = op.getRatio();
    if (!elem || elem.getWidth() < 16 ||
        (ratio && cast<RankedTensorType>(ratio.getType()).getNumElements() != 1))
      return rewriter.notifyMatchFailure(
          op, "training mode needs float16/32/64 data and a scalar ratio");
    if (cast<RankedTensorType>(training.getType()).getNumElements() != 1)
      return rewriter.notifyMatchFailure(op, "training_mode must be a scalar");
    int64_t count = dataType.getNumElements();
    if (count > (int64_t(1) << 24))
      return rewriter.notifyMatchFailure(
          op, "training mode supports at most 2^24 data elements");

    Location loc = op.getLoc();
    uint32_t seed = 0;
    if (auto s = op.getSeed())
      seed = (uint32_t)*s;
    SmallVector<double> draws = numpyLegacyUniform(seed, count);
    auto drawsType = RankedTensorType::get(dataType.getShape(),
                                           rewriter.getF64Type());
    Value uniform = graph::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(drawsType, ArrayRef(draws)));

    FloatType ratioType =
        ratio ? cast<FloatType>(
                    cast<RankedTensorType>(ratio.getType()).getElementType())
              : elem;
    ArrayRef<int64_t> shape = dataType.getShape();
    SmallVector<Value> inputs = {op.getData(), uniform, training};
    if (ratio)
      inputs.push_back(ratio);
    // (keep, scale) of one element, from the body's scalars.
    auto keepAndScale = [&](OpBuilder &b, Location l,
                            ValueRange a) -> std::pair<Value, Value> {
      Value r = ratio ? a[3] : constScalar(b, l, ratioType, 0.5);
      Value r64 = r.getType() == b.getF64Type()
                      ? r
                      : (Value)arith::ExtFOp::create(b, l, b.getF64Type(), r);
      Value keep = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, a[1],
                                         r64);
      Value one = constScalar(b, l, ratioType, 1.0);
      Value scale = arith::DivFOp::create(
          b, l, one, arith::SubFOp::create(b, l, one, r));
      if (ratioType.getWidth() < elem.getWidth())
        scale = arith::ExtFOp::create(b, l, elem, scale);
      else if (ratioType.getWidth() > elem.getWidth())
        scale = arith::TruncFOp::create(b, l, elem, scale);
      return {keep, scale};
    };
    Value output = buildElementwise(
        rewriter, loc, inputs, shape, elem,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          auto [keep, scale] = keepAndScale(b, l, a);
          Value dropped = arith::SelectOp::create(
              b, l, keep, arith::MulFOp::create(b, l, a[0], scale),
              constScalar(b, l, elem, 0.0));
          return arith::SelectOp::create(b, l, a[2], dropped, a[0]);
        });
    Value mask = buildElementwise(
        rewriter, loc, inputs, shape, rewriter.getI1Type(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value keep = keepAndScale(b, l, a).first;
          Value notTraining = arith::XOrIOp::create(
              b, l, a[2], constInt(b, l, b.getI1Type(), 1));
          return arith::OrIOp::create(b, l, notTraining, keep);
        });
    rewriter.replaceOp(op, {output, mask});
    return success();
  }
};

} // namespace

void populateDropoutPatterns(RewritePatternSet &patterns) {
  patterns.add<TrainingDropoutPattern>(patterns.getContext());
}

} // namespace aicc::lowering
