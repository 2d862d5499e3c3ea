//===- LowerRotaryEmbedding.cpp - RotaryEmbedding to linalg --------------===//
//
// graph.RotaryEmbedding (opset 23) becomes one parallel generic over the
// output, which has the input's shape: B x H x S x D (rank 4) or
// B x S x (H*D) (rank 3, num_heads heads of D). For head element d of
// token (b, s), with R = rotary_embedding_dim (D when 0) and i its
// rotation pair index:
//
//   d >= R: x[d] unchanged;
//   halves (interleaved = 0): i = d mod R/2, the pair (x[i], x[i + R/2]);
//   interleaved: i = d / 2, the pair (x[2i], x[2i + 1]);
//   first of the pair:  cos[i] * x1 - sin[i] * x2,
//   second of the pair: sin[i] * x1 + cos[i] * x2,
//
// where cos/sin are cos_cache[position_ids[b, s], i] (a max_pos x R/2
// cache) or, without position_ids, cos_cache[b, s, i] (B x S x R/2).
// Position ids are clamped into the cache. Computed in f32 for f16/bf16.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

struct RotaryEmbeddingPattern : LoweringPattern<graph::RotaryEmbeddingOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::RotaryEmbeddingOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto cosType = cast<RankedTensorType>(op.getCosCache().getType());
    auto elem = cast<FloatType>(xType.getElementType());
    int64_t rank = xType.getRank();
    if (rank != 3 && rank != 4)
      return rewriter.notifyMatchFailure(op, "the input must have rank 3 or 4");
    int64_t batch = xType.getDimSize(0);
    int64_t seq = xType.getDimSize(rank == 4 ? 2 : 1);
    int64_t headSize;
    if (rank == 4) {
      headSize = xType.getDimSize(3);
    } else {
      std::optional<uint64_t> numHeads = op.getNumHeads();
      if (!numHeads || *numHeads == 0 ||
          xType.getDimSize(2) % (int64_t)*numHeads != 0)
        return rewriter.notifyMatchFailure(
            op, "a rank-3 input needs num_heads dividing its hidden size");
      headSize = xType.getDimSize(2) / (int64_t)*numHeads;
    }
    int64_t rot = op.getRotaryEmbeddingDim();
    if (rot == 0)
      rot = headSize;
    if (rot > headSize || rot % 2 != 0)
      return rewriter.notifyMatchFailure(
          op, "rotary_embedding_dim must be even and at most the head size");
    int64_t half = rot / 2;
    Value posIds = op.getPositionIds();
    if (cosType != op.getSinCache().getType() ||
        cosType.getDimSize(cosType.getRank() - 1) != half)
      return rewriter.notifyMatchFailure(
          op, "cos_cache and sin_cache must have the same shape, with "
              "rotary_embedding_dim/2 in the last dim");
    if (posIds) {
      auto posType = cast<RankedTensorType>(posIds.getType());
      if (cosType.getRank() != 2 || posType.getRank() != 2 ||
          posType.getDimSize(0) != batch || posType.getDimSize(1) != seq)
        return rewriter.notifyMatchFailure(
            op, "with position_ids (B x S) the caches must be 2-D");
    } else if (cosType.getRank() != 3 || cosType.getDimSize(0) != batch ||
               cosType.getDimSize(1) != seq) {
      return rewriter.notifyMatchFailure(
          op, "without position_ids the caches must be B x S x "
              "rotary_embedding_dim/2");
    }
    bool interleaved = op.getInterleaved() != 0;
    Value x = op.getX();
    Value cosCache = op.getCosCache();
    Value sinCache = op.getSinCache();
    int64_t maxPos = cosType.getDimSize(0);
    FloatType ft = elem.getWidth() < 32 ? (FloatType)rewriter.getF32Type()
                                        : elem;

    Value result = buildParallel(
        rewriter, op.getLoc(), {}, xType.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type i64 = b.getI64Type();
          auto ci = [&](int64_t v) { return constInt(b, l, i64, v); };
          auto toIndex = [&](Value v) -> Value {
            return arith::IndexCastOp::create(b, l, b.getIndexType(), v);
          };
          auto ext = [&](Value v) -> Value {
            return v.getType() == ft ? v
                                     : (Value)arith::ExtFOp::create(b, l, ft, v);
          };
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i)
            idx.push_back(linalg::IndexOp::create(b, l, i));
          Value bIdx = idx[0];
          Value sIdx = idx[rank == 4 ? 2 : 1];
          // d: the element's position in its head; headBase: the index of
          // the head's first element in the last dim.
          Value last = arith::IndexCastOp::create(b, l, i64, idx[rank - 1]);
          Value d = arith::RemSIOp::create(b, l, last, ci(headSize));
          Value headBase = arith::SubIOp::create(b, l, last, d);

          Value xv = tensor::ExtractOp::create(b, l, x, idx);
          Value pairIndex, partner, isFirst;
          if (interleaved) {
            pairIndex = arith::DivSIOp::create(b, l, d, ci(2));
            Value parity = arith::RemSIOp::create(b, l, d, ci(2));
            isFirst = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            parity, ci(0));
            partner = arith::SelectOp::create(
                b, l, isFirst, arith::AddIOp::create(b, l, d, ci(1)),
                arith::SubIOp::create(b, l, d, ci(1)));
          } else {
            isFirst = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, d,
                                            ci(half));
            pairIndex = arith::SelectOp::create(
                b, l, isFirst, d, arith::SubIOp::create(b, l, d, ci(half)));
            partner = arith::SelectOp::create(
                b, l, isFirst, arith::AddIOp::create(b, l, d, ci(half)),
                arith::SubIOp::create(b, l, d, ci(half)));
          }
          // Elements past the rotary dims read themselves (any in-bounds
          // index) and keep their value.
          Value rotated = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                d, ci(rot));
          partner = arith::SelectOp::create(b, l, rotated, partner, d);
          pairIndex = arith::SelectOp::create(b, l, rotated, pairIndex, ci(0));
          SmallVector<Value> partnerIdx(idx);
          partnerIdx[rank - 1] =
              toIndex(arith::AddIOp::create(b, l, headBase, partner));
          Value pv = tensor::ExtractOp::create(b, l, x, partnerIdx);

          SmallVector<Value> cacheIdx;
          if (posIds) {
            Value pos = tensor::ExtractOp::create(b, l, posIds,
                                                  ValueRange{bIdx, sIdx});
            pos = toSignlessScalar(b, l, pos);
            pos = arith::MaxSIOp::create(b, l, pos, ci(0));
            pos = arith::MinSIOp::create(b, l, pos, ci(maxPos - 1));
            cacheIdx = {toIndex(pos), toIndex(pairIndex)};
          } else {
            cacheIdx = {bIdx, sIdx, toIndex(pairIndex)};
          }
          Value c = ext(tensor::ExtractOp::create(b, l, cosCache, cacheIdx));
          Value s = ext(tensor::ExtractOp::create(b, l, sinCache, cacheIdx));
          Value xf = ext(xv), pf = ext(pv);
          // First: c * x - s * partner; second: s * partner + c * x.
          Value cx = arith::MulFOp::create(b, l, c, xf);
          Value sp = arith::MulFOp::create(b, l, s, pf);
          Value first = arith::SubFOp::create(b, l, cx, sp);
          Value second = arith::AddFOp::create(b, l, sp, cx);
          Value out = arith::SelectOp::create(b, l, isFirst, first, second);
          out = arith::SelectOp::create(b, l, rotated, out, xf);
          return out.getType() == elem
                     ? out
                     : (Value)arith::TruncFOp::create(b, l, elem, out);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateRotaryEmbeddingPatterns(RewritePatternSet &patterns) {
  patterns.add<RotaryEmbeddingPattern>(patterns.getContext());
}

} // namespace aicc::lowering
