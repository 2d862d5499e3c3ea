//===- LowerLinearAttention.cpp - LinearAttention to linalg --------------===//
//
// graph.LinearAttention (opset 27): the recurrent form of linear
// attention, unrolled over the T time steps at compile time (at most 512).
// Query, key and value are B x T x (H*D); the state S is
// B x H_kv x d_k x d_v in f32 (past_state, or zeros). Per step t, as in
// ONNX's reference:
//
//   gated rules:  S *= exp(decay_t)          (per head, or per key dim)
//   delta rules:  v_t = beta_t * (v_t - S^T k_t)
//   always:       S += k_t (x) v_t           (outer product)
//   output_t[hq] = scale * q_t[hq] . S[hq / (H_q / H_kv)]
//
// Each line is one linalg.generic reading the step's q/k/v/decay/beta
// through tensor.extract; the step outputs are concatenated along T. The
// scale is 1/sqrt(d_k) when 0. f16/bf16 inputs compute in f32.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <cmath>

using namespace mlir;

namespace aicc::lowering {
namespace {

/// A linalg.generic over `loops` writing a fresh f32 tensor of the loop dims
/// `outDims` (zero-filled first when there are reduction loops). `inputs`
/// are read with their maps; `body` gets the index values of the loops, the
/// input scalars and the accumulator, and returns the new value.
using LoopBody = llvm::function_ref<Value(OpBuilder &, Location, ValueRange,
                                          ValueRange, Value)>;

Value buildLoops(OpBuilder &b, Location loc, ArrayRef<int64_t> loops,
                 ArrayRef<int64_t> outDims, ArrayRef<LoopOperand> inputs,
                 LoopBody body) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  for (int64_t d : outDims) {
    outShape.push_back(loops[d]);
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  SmallVector<utils::IteratorType> iterators(loops.size(),
                                             utils::IteratorType::reduction);
  for (int64_t d : outDims)
    iterators[d] = utils::IteratorType::parallel;
  bool reduces = outDims.size() != loops.size();
  Value init = reduces ? createFilled(b, loc, outShape, constScalar(b, loc, f32, 0.0))
                       : createEmpty(b, loc, outShape, f32);
  SmallVector<Value> inputValues;
  SmallVector<AffineMap> maps;
  for (const LoopOperand &in : inputs) {
    inputValues.push_back(in.value);
    maps.push_back(in.map);
  }
  maps.push_back(AffineMap::get(loops.size(), 0, outExprs, ctx));
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), inputValues, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        SmallVector<Value> idx;
        for (size_t i = 0; i < loops.size(); ++i)
          idx.push_back(linalg::IndexOp::create(nb, l, i));
        Value v = body(nb, l, idx, args.drop_back(), args.back());
        linalg::YieldOp::create(nb, l, ValueRange{v});
      });
  return generic.getResult(0);
}

struct LinearAttentionPattern : LoweringPattern<graph::LinearAttentionOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::LinearAttentionOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    StringRef rule = op.getUpdateRule();
    if (rule != "linear" && rule != "gated" && rule != "delta" &&
        rule != "gated_delta")
      return rewriter.notifyMatchFailure(
          op, "update_rule='" + rule + "' is not supported");
    bool gating = rule == "gated" || rule == "gated_delta";
    bool delta = rule == "delta" || rule == "gated_delta";
    Value query = op.getQuery(), key = op.getKey(), value = op.getValue();
    Value past = op.getPastState(), decay = op.getDecay(), beta = op.getBeta();
    if (gating != (bool)decay || delta != (bool)beta)
      return rewriter.notifyMatchFailure(
          op, "the gated rules need decay and the delta rules beta (and the "
              "others forbid them)");
    auto qType = cast<RankedTensorType>(query.getType());
    auto kType = cast<RankedTensorType>(key.getType());
    auto vType = cast<RankedTensorType>(value.getType());
    int64_t hq = op.getQNumHeads(), hkv = op.getKvNumHeads();
    if (qType.getRank() != 3 || kType.getRank() != 3 || vType.getRank() != 3 ||
        hq <= 0 || hkv <= 0 || hq % hkv != 0)
      return rewriter.notifyMatchFailure(
          op, "needs rank-3 query/key/value and q_num_heads a multiple of "
              "kv_num_heads");
    int64_t batch = qType.getDimSize(0), steps = qType.getDimSize(1);
    if (qType.getDimSize(2) % hq != 0 || vType.getDimSize(2) % hkv != 0)
      return rewriter.notifyMatchFailure(op,
                                         "hidden sizes not divisible by heads");
    int64_t dk = qType.getDimSize(2) / hq;
    int64_t dv = vType.getDimSize(2) / hkv;
    int64_t group = hq / hkv;
    if (kType.getDimSize(2) != hkv * dk || kType.getDimSize(1) != steps ||
        vType.getDimSize(1) != steps)
      return rewriter.notifyMatchFailure(op, "inconsistent query/key/value");
    if (steps < 1 || steps > 512)
      return rewriter.notifyMatchFailure(
          op, "the sequence is unrolled: 1 to 512 steps are supported");
    bool perHeadDecay = false;
    if (decay) {
      int64_t last = cast<RankedTensorType>(decay.getType()).getDimSize(2);
      if (last != hkv && last != hkv * dk)
        return rewriter.notifyMatchFailure(
            op, "decay's last dim must be kv_num_heads or kv_num_heads*d_k");
      perHeadDecay = last == hkv;
    }
    bool sharedBeta = false;
    if (beta) {
      int64_t last = cast<RankedTensorType>(beta.getType()).getDimSize(2);
      if (last != hkv && last != 1)
        return rewriter.notifyMatchFailure(
            op, "beta's last dim must be kv_num_heads or 1");
      sharedBeta = last == 1 && hkv != 1;
    }
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    auto stateType = cast<RankedTensorType>(op.getPresentState().getType());
    if (stateType.getShape() != ArrayRef<int64_t>{batch, hkv, dk, dv} ||
        outType.getShape() != ArrayRef<int64_t>{batch, steps, hq * dv})
      return rewriter.notifyMatchFailure(op, "unexpected output shapes");
    double scale = op.getScale().convertToDouble();
    if (scale == 0.0)
      scale = 1.0 / std::sqrt((double)dk);

    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    MLIRContext *ctx = rewriter.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    auto ext = [&](OpBuilder &b, Location l, Value v) -> Value {
      return v.getType() == f32 ? v : (Value)arith::ExtFOp::create(b, l, f32, v);
    };
    // input[b, t, head * size + i] as f32.
    auto read = [&](OpBuilder &b, Location l, Value input, Value bi, int64_t t,
                    Value head, int64_t size, Value i) -> Value {
      Value flat = head;
      if (size != 1 || i)
        flat = arith::AddIOp::create(
            b, l,
            arith::MulIOp::create(b, l, head, constIndex(b, l, size)),
            i ? i : constIndex(b, l, 0));
      return ext(b, l,
                 tensor::ExtractOp::create(
                     b, l, input, ValueRange{bi, constIndex(b, l, t), flat}));
    };
    auto identity = [&](Value v, unsigned rank) {
      return LoopOperand{v, rewriter.getMultiDimIdentityMap(rank)};
    };

    // The state (b, h, d, m).
    SmallVector<int64_t> stateShape = {batch, hkv, dk, dv};
    Value state;
    if (past)
      state = buildElementwise(rewriter, loc, {past}, stateShape, f32,
                               [&](OpBuilder &b, Location l, ValueRange a) {
                                 return ext(b, l, a[0]);
                               });
    else
      state = createFilled(rewriter, loc, stateShape,
                           constScalar(rewriter, loc, f32, 0.0));

    SmallVector<Value> stepOutputs;
    for (int64_t t = 0; t < steps; ++t) {
      if (gating)
        state = buildLoops(
            rewriter, loc, stateShape, {0, 1, 2, 3}, {identity(state, 4)},
            [&](OpBuilder &b, Location l, ValueRange idx, ValueRange a,
                Value) -> Value {
              Value g = perHeadDecay
                            ? read(b, l, decay, idx[0], t, idx[1], 1, Value())
                            : read(b, l, decay, idx[0], t, idx[1], dk, idx[2]);
              return arith::MulFOp::create(b, l, a[0],
                                           math::ExpOp::create(b, l, g));
            });
      // The value written this step, (b, h, m).
      SmallVector<int64_t> vShape = {batch, hkv, dv};
      Value written;
      if (delta) {
        // retrieved[b, h, m] = sum_d S[b, h, d, m] k[b, h, d]: loops
        // (b, h, m, d).
        Value retrieved = buildLoops(
            rewriter, loc, {batch, hkv, dv, dk}, {0, 1, 2},
            {{state, AffineMap::get(4, 0, {d(0), d(1), d(3), d(2)}, ctx)}},
            [&](OpBuilder &b, Location l, ValueRange idx, ValueRange a,
                Value acc) -> Value {
              Value kv = read(b, l, key, idx[0], t, idx[1], dk, idx[3]);
              return arith::AddFOp::create(
                  b, l, acc, arith::MulFOp::create(b, l, a[0], kv));
            });
        written = buildLoops(
            rewriter, loc, vShape, {0, 1, 2}, {identity(retrieved, 3)},
            [&](OpBuilder &b, Location l, ValueRange idx, ValueRange a,
                Value) -> Value {
              Value vv = read(b, l, value, idx[0], t, idx[1], dv, idx[2]);
              Value bv = read(b, l, beta, idx[0], t,
                              sharedBeta ? constIndex(b, l, 0) : idx[1], 1,
                              Value());
              return arith::MulFOp::create(b, l, bv,
                                           arith::SubFOp::create(b, l, vv, a[0]));
            });
      }
      // S[b, h, d, m] += k[b, h, d] * v[b, h, m].
      SmallVector<LoopOperand> updateInputs = {identity(state, 4)};
      if (written)
        updateInputs.push_back(
            {written, AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx)});
      state = buildLoops(
          rewriter, loc, stateShape, {0, 1, 2, 3}, updateInputs,
          [&](OpBuilder &b, Location l, ValueRange idx, ValueRange a,
              Value) -> Value {
            Value kv = read(b, l, key, idx[0], t, idx[1], dk, idx[2]);
            Value vv = written ? a[1]
                               : read(b, l, value, idx[0], t, idx[1], dv,
                                      idx[3]);
            return arith::AddFOp::create(b, l, a[0],
                                         arith::MulFOp::create(b, l, kv, vv));
          });
      // out[b, h, g, m] = scale * sum_d q[b, h*G+g, d] S[b, h, d, m]:
      // loops (b, h, g, m, d).
      Value out = buildLoops(
          rewriter, loc, {batch, hkv, group, dv, dk}, {0, 1, 2, 3},
          {{state, AffineMap::get(5, 0, {d(0), d(1), d(4), d(3)}, ctx)}},
          [&](OpBuilder &b, Location l, ValueRange idx, ValueRange a,
              Value acc) -> Value {
            Value head = arith::AddIOp::create(
                b, l,
                arith::MulIOp::create(b, l, idx[1], constIndex(b, l, group)),
                idx[2]);
            Value qv = read(b, l, query, idx[0], t, head, dk, idx[4]);
            Value term = arith::MulFOp::create(
                b, l, constScalar(b, l, f32, scale),
                arith::MulFOp::create(b, l, qv, a[0]));
            return arith::AddFOp::create(b, l, acc, term);
          });
      stepOutputs.push_back(reshapeTo(rewriter, loc, out, {batch, 1, hq * dv}));
    }
    Value output = stepOutputs.size() == 1
                       ? stepOutputs.front()
                       : tensor::ConcatOp::create(rewriter, loc, 1, stepOutputs)
                             .getResult();
    auto castTo = [&](Value v, RankedTensorType type) -> Value {
      if (type.getElementType() == f32)
        return v;
      return buildElementwise(
          rewriter, loc, {v}, type.getShape(), type.getElementType(),
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::TruncFOp::create(b, l, type.getElementType(), a[0]);
          });
    };
    rewriter.replaceOp(op, {castTo(output, outType), castTo(state, stateType)});
    return success();
  }
};

} // namespace

void populateLinearAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<LinearAttentionPattern>(patterns.getContext());
}

} // namespace aicc::lowering
