//===- LowerSequenceEdits.cpp - ReverseSequence, TensorScatter -----------===//
//
// Two ops that rewrite stretches of a time axis, each one parallel generic
// over its output reading the source element with tensor.extract:
//
// - ReverseSequence: out[.., t, ..] = input[.., len - 1 - t, ..] for
//   t < len = sequence_lens[b] (b the batch index), else input unchanged;
//   the length is clamped into [0, time steps].
// - TensorScatter (opset 24): present_cache is past_cache with update
//   written at write_indices[b] (0 without them) along `axis`, b the index
//   of dim 0. Position p takes update[.., p - w, ..] when 0 <= p - w < S
//   (linear) or j = (p - w) mod max_len < S (circular), else past_cache.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

Value toI64(OpBuilder &b, Location l, Value index) {
  return arith::IndexCastOp::create(b, l, b.getI64Type(), index);
}
Value toIndex(OpBuilder &b, Location l, Value i64) {
  return arith::IndexCastOp::create(b, l, b.getIndexType(), i64);
}

struct ReverseSequencePattern : LoweringPattern<graph::ReverseSequenceOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ReverseSequenceOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto type = cast<RankedTensorType>(op.getInput().getType());
    int64_t rank = type.getRank();
    std::optional<int64_t> batchAxis = normalizeAxis(op.getBatchAxis(), rank);
    std::optional<int64_t> timeAxis = normalizeAxis(op.getTimeAxis(), rank);
    if (rank < 2 || !batchAxis || !timeAxis || *batchAxis == *timeAxis)
      return rewriter.notifyMatchFailure(
          op, "needs distinct batch_axis and time_axis of an input of rank 2 "
              "or more");
    Value input = op.getInput(), lens = op.getSequenceLens();
    int64_t steps = type.getDimSize(*timeAxis);
    Value result = buildParallel(
        rewriter, op.getLoc(), {}, type.getShape(), type.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type i64 = b.getI64Type();
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i)
            idx.push_back(linalg::IndexOp::create(b, l, i));
          Value len = toSignlessScalar(
              b, l, tensor::ExtractOp::create(b, l, lens,
                                              ValueRange{idx[*batchAxis]}));
          len = arith::MaxSIOp::create(b, l, len, constInt(b, l, i64, 0));
          len = arith::MinSIOp::create(b, l, len, constInt(b, l, i64, steps));
          Value t = toI64(b, l, idx[*timeAxis]);
          Value reversed = arith::SubIOp::create(
              b, l, arith::SubIOp::create(b, l, len, constInt(b, l, i64, 1)),
              t);
          Value inside =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t, len);
          idx[*timeAxis] =
              toIndex(b, l, arith::SelectOp::create(b, l, inside, reversed, t));
          return toSignlessScalar(b, l,
                                  tensor::ExtractOp::create(b, l, input, idx));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TensorScatterPattern : LoweringPattern<graph::TensorScatterOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::TensorScatterOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto type = cast<RankedTensorType>(op.getPastCache().getType());
    auto updateType = cast<RankedTensorType>(op.getUpdate().getType());
    int64_t rank = type.getRank();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    StringRef mode = op.getMode();
    if (!axis || *axis == 0 || updateType.getRank() != rank ||
        (mode != "linear" && mode != "circular"))
      return rewriter.notifyMatchFailure(
          op, "needs an axis other than 0 and mode linear or circular");
    int64_t maxLen = type.getDimSize(*axis);
    int64_t seqLen = updateType.getDimSize(*axis);
    Value past = op.getPastCache(), update = op.getUpdate();
    Value writeIndices = op.getWriteIndices();
    Value result = buildParallel(
        rewriter, op.getLoc(), {}, type.getShape(), type.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type i64 = b.getI64Type();
          SmallVector<Value> idx;
          for (int64_t i = 0; i < rank; ++i)
            idx.push_back(linalg::IndexOp::create(b, l, i));
          Value w = writeIndices
                        ? toSignlessScalar(
                              b, l, tensor::ExtractOp::create(
                                        b, l, writeIndices, ValueRange{idx[0]}))
                        : constInt(b, l, i64, 0);
          Value j = arith::SubIOp::create(b, l, toI64(b, l, idx[*axis]), w);
          if (mode == "circular") {
            Value len = constInt(b, l, i64, maxLen);
            Value r = arith::RemSIOp::create(b, l, j, len);
            Value negative = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, r, constInt(b, l, i64, 0));
            j = arith::SelectOp::create(
                b, l, negative, arith::AddIOp::create(b, l, r, len), r);
          }
          Value inside = arith::AndIOp::create(
              b, l,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, j,
                                    constInt(b, l, i64, 0)),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j,
                                    constInt(b, l, i64, seqLen)));
          Value safe = arith::MaxSIOp::create(b, l, j, constInt(b, l, i64, 0));
          safe = arith::MinSIOp::create(b, l, safe,
                                        constInt(b, l, i64, seqLen - 1));
          SmallVector<Value> updateIdx(idx);
          updateIdx[*axis] = toIndex(b, l, safe);
          Value fromUpdate = toSignlessScalar(
              b, l, tensor::ExtractOp::create(b, l, update, updateIdx));
          Value fromPast = toSignlessScalar(
              b, l, tensor::ExtractOp::create(b, l, past, idx));
          return arith::SelectOp::create(b, l, inside, fromUpdate, fromPast);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateSequenceEditPatterns(RewritePatternSet &patterns) {
  patterns.add<ReverseSequencePattern, TensorScatterPattern>(
      patterns.getContext());
}

} // namespace aicc::lowering
