//===- LowerAttention.cpp - Attention (opset 23+) to linalg ---------------===//
//
// Attention follows onnx/reference/ops/op_attention.py step by step, on
// 4-D (batch, heads, sequence, head size) tensors:
//
//   3-D inputs are reshaped to (B, S, H, D) and transposed to (B, H, S, D);
//   present_key/value = concat(past, new) along the sequence;
//   grouped-query K/V heads are repeated (a broadcast generic and a collapse
//   of (kv heads, repeats));
//   bias (B, Hq, Sq, Skv) = mask (bool -> 0/-inf, padded to Skv)
//                         + causal / sliding-window / nonpad_kv_seqlen -inf;
//   scores = (Q * sqrt(scale)) . (K * sqrt(scale)), softcapped;
//   softmax of scores + bias along kv, with a max of -inf treated as 0, a
//   zero sum as 1, and rows whose bias is all -inf set to 0;
//   Y = probs . V, back to (B, Sq, Hq * Dv) for 3-D inputs.
//
// Infinity tests use math.isinf (no comparisons with infinity constants).
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

LoopOperand identityOf(OpBuilder &b, Value value) {
  auto rank = cast<RankedTensorType>(value.getType()).getRank();
  return {value, b.getMultiDimIdentityMap(rank)};
}

/// A projected read of `value` whose dim i is loop dim dims[i].
LoopOperand readDims(OpBuilder &b, Value value, int64_t numLoops,
                     ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(b.getAffineDimExpr(d));
  return {value, AffineMap::get(numLoops, 0, exprs, b.getContext())};
}

/// out(b, h, i, j) = sum_k body(lhs, rhs) over loops (b, h, i, j, k).
Value contract(OpBuilder &b, Location loc, LoopOperand lhs, LoopOperand rhs,
               ArrayRef<int64_t> loopShape, Type elementType,
               llvm::function_ref<Value(OpBuilder &, Location, Value, Value)>
                   product) {
  SmallVector<int64_t> outShape(loopShape.drop_back());
  Value init =
      createFilled(b, loc, outShape, constScalar(b, loc, elementType, 0.0));
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  SmallVector<AffineMap> maps = {
      lhs.map, rhs.map,
      AffineMap::getMultiDimIdentityMap(5, b.getContext()).getMajorSubMap(4)};
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{lhs.value, rhs.value},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange a) {
               linalg::YieldOp::create(
                   nb, l,
                   arith::AddFOp::create(nb, l, a[2],
                                         product(nb, l, a[0], a[1]))
                       .getResult());
             })
      .getResult(0);
}

/// Reduces the last dim of a 4-D float tensor.
Value reduceLast(OpBuilder &b, Location loc, Value value, Value init,
                 llvm::function_ref<Value(OpBuilder &, Location, Value, Value)>
                     combine) {
  return buildReduction(b, loc, value, {3}, init, combine);
}

Value isNegInf(OpBuilder &b, Location loc, Value x) {
  Value inf = math::IsInfOp::create(b, loc, x);
  Value neg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                    constScalar(b, loc, x.getType(), 0.0));
  return arith::AndIOp::create(b, loc, inf, neg);
}

/// (B, S, H * D) -> (B, H, S, D).
Value splitHeads(OpBuilder &b, Location loc, Value x, int64_t heads) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t batch = type.getDimSize(0), seq = type.getDimSize(1);
  int64_t size = type.getDimSize(2) / heads;
  Value split = reshapeTo(b, loc, x, {batch, seq, heads, size});
  Value init = createEmpty(b, loc, {batch, heads, seq, size},
                           type.getElementType());
  return linalg::TransposeOp::create(b, loc, split, init,
                                     ArrayRef<int64_t>{0, 2, 1, 3})
      .getResult()[0];
}

/// Repeats each head of (B, Hkv, S, D) `reps` times: (B, Hkv * reps, S, D).
Value repeatHeads(OpBuilder &b, Location loc, Value x, int64_t reps) {
  if (reps == 1)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  ArrayRef<int64_t> s = type.getShape();
  SmallVector<int64_t> loops = {s[0], s[1], reps, s[2], s[3]};
  Value wide = buildParallel(
      b, loc, {readDims(b, x, 5, {0, 1, 3, 4})}, loops, type.getElementType(),
      [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  return reshapeTo(b, loc, wide, {s[0], s[1] * reps, s[2], s[3]});
}

struct AttentionPattern : LoweringPattern<graph::AttentionOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::AttentionOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    Location loc = op.getLoc();
    auto qType = cast<RankedTensorType>(op.getQ().getType());
    Type elementType = qType.getElementType();
    int64_t inRank = qType.getRank();
    if ((inRank != 3 && inRank != 4) ||
        cast<RankedTensorType>(op.getK().getType()).getRank() != inRank ||
        cast<RankedTensorType>(op.getV().getType()).getRank() != inRank)
      return rewriter.notifyMatchFailure(op, "Q/K/V must be 3-D or 4-D");
    if (!op.getPastKey() != !op.getPastValue() ||
        (op.getPastKey() && op.getNonpadKvSeqlen()))
      return rewriter.notifyMatchFailure(
          op, "past_key and past_value must be given together, and not with "
              "nonpad_kv_seqlen");
    Value mask = op.getAttnMask();
    Type maskElement;
    if (mask) {
      maskElement = cast<RankedTensorType>(mask.getType()).getElementType();
      if (!maskElement.isInteger(1) && maskElement != elementType)
        return rewriter.notifyMatchFailure(op,
                                           "attn_mask must be bool or float");
    }

    Value q = op.getQ(), k = op.getK(), v = op.getV();
    if (inRank == 3) {
      auto qHeads = op.getQNumHeads(), kvHeads = op.getKvNumHeads();
      if (!qHeads || !kvHeads || *qHeads <= 0 || *kvHeads <= 0)
        return rewriter.notifyMatchFailure(
            op, "3-D inputs need q_num_heads and kv_num_heads");
      q = splitHeads(rewriter, loc, q, *qHeads);
      k = splitHeads(rewriter, loc, k, *kvHeads);
      v = splitHeads(rewriter, loc, v, *kvHeads);
    }
    Value presentKey = k, presentValue = v;
    int64_t pastLength = 0;
    if (Value pastKey = op.getPastKey()) {
      pastLength = cast<RankedTensorType>(pastKey.getType()).getDimSize(2);
      presentKey = tensor::ConcatOp::create(rewriter, loc, 2,
                                            ValueRange{pastKey, k});
      presentValue = tensor::ConcatOp::create(
          rewriter, loc, 2, ValueRange{op.getPastValue(), v});
    }
    ArrayRef<int64_t> qShape = cast<RankedTensorType>(q.getType()).getShape();
    ArrayRef<int64_t> kShape =
        cast<RankedTensorType>(presentKey.getType()).getShape();
    ArrayRef<int64_t> vShape =
        cast<RankedTensorType>(presentValue.getType()).getShape();
    int64_t batch = qShape[0], qHeads = qShape[1], qLen = qShape[2],
            headSize = qShape[3];
    int64_t kvHeads = kShape[1], kvLen = kShape[2], vSize = vShape[3];
    if (kShape[3] != headSize || vShape[1] != kvHeads || vShape[2] != kvLen ||
        qHeads % kvHeads != 0)
      return rewriter.notifyMatchFailure(op,
                                         "the Q, K and V shapes do not agree");
    k = repeatHeads(rewriter, loc, presentKey, qHeads / kvHeads);
    v = repeatHeads(rewriter, loc, presentValue, qHeads / kvHeads);

    // Softmax precision: f32 or f64 when asked for, else the input type.
    Type computeType = elementType;
    if (auto precision = op.getSoftmaxPrecision()) {
      if (*precision == 1)
        computeType = rewriter.getF32Type();
      else if (*precision == 11)
        computeType = rewriter.getF64Type();
    }

    SmallVector<int64_t> scoreShape = {batch, qHeads, qLen, kvLen};
    Value negInf = lowestValue(rewriter, loc, elementType, false);

    // The additive bias, when there is any.
    Value bias;
    bool causal = op.getIsCausal() != 0;
    int64_t left = op.getLeftWindowSize(), right = op.getRightWindowSize();
    bool window = left >= 0 || right >= 0;
    Value nonpad = op.getNonpadKvSeqlen();
    if (mask || causal || window || nonpad) {
      SmallVector<LoopOperand> inputs;
      if (mask) {
        auto maskType = cast<RankedTensorType>(mask.getType());
        if (maskType.getRank() > 4)
          return rewriter.notifyMatchFailure(
              op, "attn_mask of rank above 4 is not supported");
        int64_t padWidth = kvLen - maskType.getShape().back();
        if (padWidth < 0)
          return rewriter.notifyMatchFailure(
              op, "attn_mask is longer than the key sequence");
        if (padWidth > 0) {
          SmallVector<int64_t> low(maskType.getRank(), 0),
              high(maskType.getRank(), 0);
          high.back() = padWidth;
          Value padValue = maskElement.isInteger(1)
                               ? constInt(rewriter, loc, maskElement, 0)
                               : negInf;
          mask = padWith(rewriter, loc, mask, low, high, padValue);
        }
        inputs.push_back(broadcastInto(rewriter, loc, mask, scoreShape));
      }
      if (nonpad)
        inputs.push_back(readInto(rewriter, loc, nonpad, scoreShape, {0}));
      bool hasMask = static_cast<bool>(mask);
      bias = buildParallel(
          rewriter, loc, inputs, scoreShape, elementType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value zero = constScalar(b, l, elementType, 0.0);
            Value minusInf = lowestValue(b, l, elementType, false);
            Value value = zero;
            if (hasMask)
              value = maskElement.isInteger(1)
                          ? Value(arith::SelectOp::create(b, l, a[0], zero,
                                                          minusInf))
                          : a[0];
            Value i = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 2));
            Value j = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, 3));
            // Where query row i sits among the keys: after the past, or
            // at the end of the valid keys of an external cache.
            Value offset = constInt(b, l, b.getI64Type(), pastLength);
            if (nonpad)
              offset = arith::SubIOp::create(
                  b, l, a.back(), constInt(b, l, b.getI64Type(), qLen));
            Value pos = arith::AddIOp::create(b, l, i, offset);
            // The reference adds 0 or -inf; a select is the same for any
            // mask value but +inf, and the kernel emitter mishandles an
            // add of a select of -inf.
            auto addMasked = [&](Value allowed) {
              value = arith::SelectOp::create(b, l, allowed, value, minusInf);
            };
            if (causal)
              addMasked(arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle,
                                              j, pos));
            if (window) {
              Value diff = arith::SubIOp::create(b, l, pos, j);
              Value allowed = constInt(b, l, b.getI1Type(), 1);
              if (left >= 0)
                allowed = arith::AndIOp::create(
                    b, l, allowed,
                    arith::CmpIOp::create(
                        b, l, arith::CmpIPredicate::sle, diff,
                        constInt(b, l, b.getI64Type(), left)));
              if (right >= 0)
                allowed = arith::AndIOp::create(
                    b, l, allowed,
                    arith::CmpIOp::create(
                        b, l, arith::CmpIPredicate::sge, diff,
                        constInt(b, l, b.getI64Type(), -right)));
              addMasked(allowed);
            }
            if (nonpad)
              addMasked(arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              j, a.back()));
            return value;
          });
    }

    // scores = (Q * s) . (K * s)^T with s = sqrt(scale).
    double scale = op.getScale() ? op.getScale()->convertToDouble()
                                 : 1.0 / std::sqrt(static_cast<double>(headSize));
    Value sqrtScale = constScalar(rewriter, loc, elementType, std::sqrt(scale));
    SmallVector<int64_t> qkLoops = {batch, qHeads, qLen, kvLen, headSize};
    Value scores = contract(
        rewriter, loc, readDims(rewriter, q, 5, {0, 1, 2, 4}),
        readDims(rewriter, k, 5, {0, 1, 3, 4}), qkLoops, elementType,
        [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
          return arith::MulFOp::create(b, l,
                                       arith::MulFOp::create(b, l, x, sqrtScale),
                                       arith::MulFOp::create(b, l, y, sqrtScale));
        });
    double softcap = op.getSoftcap().convertToDouble();
    if (softcap > 0)
      scores = buildElementwise(
          rewriter, loc, {scores}, scoreShape, elementType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Value cap = constScalar(b, l, elementType, softcap);
            return arith::MulFOp::create(
                b, l,
                math::TanhOp::create(b, l, arith::DivFOp::create(b, l, a[0], cap)),
                cap);
          });
    Value withBias = scores;
    if (bias)
      withBias = buildElementwise(
          rewriter, loc, {scores, bias}, scoreShape, elementType,
          [](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::AddFOp::create(b, l, a[0], a[1]);
          });

    // Softmax along kv in the compute type.
    Value logits = withBias;
    if (computeType != elementType)
      logits = buildElementwise(
          rewriter, loc, {withBias}, scoreShape, computeType,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return convertScalar(b, l, a[0], computeType, false, false);
          });
    auto maxOf = [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
      return arith::MaximumFOp::create(b, l, acc, x);
    };
    Value rowMax = reduceLast(rewriter, loc, logits,
                              lowestValue(rewriter, loc, computeType, false),
                              maxOf);
    SmallVector<int64_t> rowShape = {batch, qHeads, qLen};
    LoopOperand rowMaxRead = readInto(rewriter, loc, rowMax, scoreShape, {0, 1, 2});
    Value shiftedExp = buildParallel(
        rewriter, loc, {identityOf(rewriter, logits), rowMaxRead}, scoreShape,
        computeType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value safeMax = arith::SelectOp::create(
              b, l, isNegInf(b, l, a[1]), constScalar(b, l, computeType, 0.0),
              a[1]);
          return math::ExpOp::create(b, l,
                                     arith::SubFOp::create(b, l, a[0], safeMax));
        });
    Value rowSum = reduceLast(
        rewriter, loc, shiftedExp, constScalar(rewriter, loc, computeType, 0.0),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::AddFOp::create(b, l, acc, x);
        });
    SmallVector<LoopOperand> probInputs = {
        identityOf(rewriter, shiftedExp),
        readInto(rewriter, loc, rowSum, scoreShape, {0, 1, 2})};
    if (bias) {
      Value biasMax = reduceLast(rewriter, loc, bias, negInf, maxOf);
      probInputs.push_back(
          readInto(rewriter, loc, biasMax, scoreShape, {0, 1, 2}));
    }
    Value probs = buildParallel(
        rewriter, loc, probInputs, scoreShape, elementType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value zero = constScalar(b, l, computeType, 0.0);
          Value sumIsZero =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, a[1], zero);
          Value sum = arith::SelectOp::create(
              b, l, sumIsZero, constScalar(b, l, computeType, 1.0), a[1]);
          Value p = arith::DivFOp::create(b, l, a[0], sum);
          if (a.size() > 2)
            p = arith::SelectOp::create(b, l, isNegInf(b, l, a[2]), zero, p);
          return convertScalar(b, l, p, elementType, false, false);
        });
    (void)rowShape;

    // Y = probs . V
    SmallVector<int64_t> pvLoops = {batch, qHeads, qLen, vSize, kvLen};
    Value y = contract(rewriter, loc, readDims(rewriter, probs, 5, {0, 1, 2, 4}),
                       readDims(rewriter, v, 5, {0, 1, 4, 3}), pvLoops,
                       elementType,
                       [](OpBuilder &b, Location l, Value x, Value w) -> Value {
                         return arith::MulFOp::create(b, l, x, w);
                       });
    if (inRank == 3) {
      Value init =
          createEmpty(rewriter, loc, {batch, qLen, qHeads, vSize}, elementType);
      y = linalg::TransposeOp::create(rewriter, loc, y, init,
                                      ArrayRef<int64_t>{0, 2, 1, 3})
              .getResult()[0];
      y = reshapeTo(rewriter, loc, y, {batch, qLen, qHeads * vSize});
    }

    Value qkOut = scores;
    int64_t mode = op.getQkMatmulOutputMode();
    if (mode == 2)
      qkOut = withBias;
    else if (mode == 3)
      qkOut = probs;
    else if (mode != 0 && mode != 1)
      return rewriter.notifyMatchFailure(op, "unknown qk_matmul_output_mode");

    SmallVector<Value> results = {y, presentKey, presentValue, qkOut};
    for (auto [result, value] : llvm::zip(op->getResults(), results)) {
      if (result.use_empty()) {
        auto type = cast<RankedTensorType>(result.getType());
        value = createEmpty(rewriter, loc, type.getShape(),
                            type.getElementType());
        continue;
      }
      if (value.getType() != result.getType())
        return rewriter.notifyMatchFailure(op,
                                           "an output has an unexpected type");
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateAttentionPatterns(RewritePatternSet &patterns) {
  patterns.add<AttentionPattern>(patterns.getContext());
}

} // namespace aicc::lowering
