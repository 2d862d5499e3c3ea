//===- LowerCausalConv.cpp - CausalConvWithState to linalg ---------------===//
//
// graph.CausalConvWithState (opset 27): a depthwise causal 1-D convolution
// of input B x C x L with weight C x 1 x K over the input left-padded with
// past_state (B x C x K-1, zeros when absent). With P the padded sequence
// (P[p] = past_state[p] for p < K-1, input[p - (K-1)] after):
//
//   output[b, c, t] = act(bias[c] + sum_j weight[c, 0, j] * P[b, c, t + j])
//   present_state[b, c, p] = P[b, c, L + p]
//
// act is the identity or SiLU/Swish (x * sigmoid(x)). Both are parallel
// generics reading P through tensor.extract (the K taps unrolled, at most
// 1024); f16/bf16 compute in f32.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

struct CausalConvPattern : LoweringPattern<graph::CausalConvWithStateOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::CausalConvWithStateOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    auto stateType = cast<RankedTensorType>(op.getPresentState().getType());
    StringRef activation = op.getActivation();
    if (activation != "none" && activation != "silu" && activation != "swish")
      return rewriter.notifyMatchFailure(
          op, "activation='" + activation +
                  "' is not supported (none, silu, swish)");
    if (inType.getRank() != 3 || wType.getRank() != 3)
      return rewriter.notifyMatchFailure(
          op, "needs an input B x C x L and a weight C x 1 x K");
    int64_t batch = inType.getDimSize(0);
    int64_t channels = inType.getDimSize(1);
    int64_t length = inType.getDimSize(2);
    int64_t k = wType.getDimSize(2);
    if (wType.getDimSize(0) != channels || wType.getDimSize(1) != 1 || k < 1)
      return rewriter.notifyMatchFailure(
          op, "the weight must be C x 1 x K (a depthwise convolution)");
    if (k > 1024)
      return rewriter.notifyMatchFailure(op,
                                         "kernels longer than 1024 taps are "
                                         "not supported");
    Value past = op.getPastState();
    if (past && cast<RankedTensorType>(past.getType()).getShape() !=
                    ArrayRef<int64_t>{batch, channels, k - 1})
      return rewriter.notifyMatchFailure(op,
                                         "past_state must be B x C x (K-1)");
    if (outType.getShape() != inType.getShape() ||
        stateType.getShape() != ArrayRef<int64_t>{batch, channels, k - 1})
      return rewriter.notifyMatchFailure(op, "unexpected output shapes");

    auto elem = cast<FloatType>(inType.getElementType());
    FloatType ft =
        elem.getWidth() < 32 ? (FloatType)rewriter.getF32Type() : elem;
    Value input = op.getInput();
    Value weight = op.getWeight();
    Value bias = op.getBias();
    Location loc = op.getLoc();
    auto ext = [&](OpBuilder &b, Location l, Value v) -> Value {
      return v.getType() == ft ? v : (Value)arith::ExtFOp::create(b, l, ft, v);
    };
    // P[b, c, p] for a padded position `p` (i64, in [0, L + K - 1)).
    auto padded = [&](OpBuilder &b, Location l, Value bi, Value ci,
                      Value p) -> Value {
      Type i64 = b.getI64Type();
      auto toIndex = [&](Value v) -> Value {
        return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
      };
      Value inPos = arith::SubIOp::create(b, l, p, constInt(b, l, i64, k - 1));
      Value fromInput = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge,
                                              inPos, constInt(b, l, i64, 0));
      Value safeIn = arith::MaxSIOp::create(b, l, inPos, constInt(b, l, i64, 0));
      Value v = ext(b, l,
                    tensor::ExtractOp::create(
                        b, l, input, ValueRange{bi, ci, toIndex(safeIn)}));
      if (k == 1)
        return v;
      Value pastValue = constScalar(b, l, ft, 0.0);
      if (past) {
        Value safePast =
            arith::MinSIOp::create(b, l, p, constInt(b, l, i64, k - 2));
        pastValue = ext(b, l,
                        tensor::ExtractOp::create(
                            b, l, past, ValueRange{bi, ci, toIndex(safePast)}));
      }
      return arith::SelectOp::create(b, l, fromInput, v, pastValue);
    };
    auto truncate = [&](OpBuilder &b, Location l, Value v) -> Value {
      return v.getType() == elem ? v
                                 : (Value)arith::TruncFOp::create(b, l, elem, v);
    };

    Value output = buildParallel(
        rewriter, loc, {}, outType.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Value bi = linalg::IndexOp::create(b, l, 0);
          Value ci = linalg::IndexOp::create(b, l, 1);
          Value t = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 2));
          Value acc = bias ? ext(b, l,
                                 tensor::ExtractOp::create(b, l, bias,
                                                           ValueRange{ci}))
                           : constScalar(b, l, ft, 0.0);
          for (int64_t j = 0; j < k; ++j) {
            Value w = ext(b, l,
                          tensor::ExtractOp::create(
                              b, l, weight,
                              ValueRange{ci, constIndex(b, l, 0),
                                         constIndex(b, l, j)}));
            Value p = arith::AddIOp::create(
                b, l, t, constInt(b, l, b.getI64Type(), j));
            acc = arith::AddFOp::create(
                b, l, acc,
                arith::MulFOp::create(b, l, w, padded(b, l, bi, ci, p)));
          }
          // The reference rounds the convolution to the input type first.
          acc = ext(b, l, truncate(b, l, acc));
          if (activation != "none") {
            Value one = constScalar(b, l, ft, 1.0);
            Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, acc));
            Value sig =
                arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
            acc = arith::MulFOp::create(b, l, acc, sig);
          }
          return truncate(b, l, acc);
        });

    Value state;
    if (k == 1) {
      state = tensor::EmptyOp::create(rewriter, loc, stateType.getShape(), elem);
    } else {
      state = buildParallel(
          rewriter, loc, {}, stateType.getShape(), elem,
          [&](OpBuilder &b, Location l, ValueRange) -> Value {
            Value bi = linalg::IndexOp::create(b, l, 0);
            Value ci = linalg::IndexOp::create(b, l, 1);
            Value p = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 2));
            p = arith::AddIOp::create(b, l, p,
                                      constInt(b, l, b.getI64Type(), length));
            return truncate(b, l, padded(b, l, bi, ci, p));
          });
    }
    rewriter.replaceOp(op, {output, state});
    return success();
  }
};

} // namespace

void populateCausalConvPatterns(RewritePatternSet &patterns) {
  patterns.add<CausalConvPattern>(patterns.getContext());
}

} // namespace aicc::lowering
