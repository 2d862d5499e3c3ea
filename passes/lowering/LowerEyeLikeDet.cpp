//===- LowerEyeLikeDet.cpp - EyeLike and Det to linalg -------------------===//
//
// - EyeLike: a parallel generic over the (static) output, 1 where
//   column - row == k and 0 elsewhere, in the output's element type.
// - Det of [..., n, n]: a parallel generic over the batch dims expanding
//   the determinant by Leibniz' formula (n! products, n <= 5), in f64 for
//   f32/f64 inputs (f32 for f16/bf16) to stay close to NumPy's LU.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <algorithm>
#include <numeric>

using namespace mlir;

namespace aicc::lowering {
namespace {

struct EyeLikePattern : LoweringPattern<graph::EyeLikeOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::EyeLikeOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    if (type.getRank() != 2)
      return rewriter.notifyMatchFailure(op, "needs a 2-D output");
    int64_t k = op.getK();
    Type elem = type.getElementType();
    Type signless = toSignless(elem);
    Value result = buildParallel(
        rewriter, op.getLoc(), {}, type.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type i64 = b.getI64Type();
          Value i = arith::IndexCastOp::create(b, l, i64,
                                               linalg::IndexOp::create(b, l, 0));
          Value j = arith::IndexCastOp::create(b, l, i64,
                                               linalg::IndexOp::create(b, l, 1));
          Value onDiagonal = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, arith::SubIOp::create(b, l, j, i),
              constInt(b, l, i64, k));
          if (signless.isInteger(1))
            return onDiagonal;
          Value one = isa<FloatType>(signless) ? constScalar(b, l, signless, 1.0)
                                               : constInt(b, l, signless, 1);
          Value zero = isa<FloatType>(signless)
                           ? constScalar(b, l, signless, 0.0)
                           : constInt(b, l, signless, 0);
          return arith::SelectOp::create(b, l, onDiagonal, one, zero);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DetPattern : LoweringPattern<graph::DetOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::DetOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto inType = cast<RankedTensorType>(op.getX().getType());
    auto outType = cast<RankedTensorType>(op.getY().getType());
    int64_t rank = inType.getRank();
    if (rank < 2 || inType.getDimSize(rank - 1) != inType.getDimSize(rank - 2))
      return rewriter.notifyMatchFailure(op, "needs square matrices");
    int64_t n = inType.getDimSize(rank - 1);
    if (n < 1 || n > 5)
      return rewriter.notifyMatchFailure(
          op, "only matrices of size 1 to 5 are supported");
    auto elem = cast<FloatType>(inType.getElementType());
    FloatType ft = elem.getWidth() < 32 ? (FloatType)rewriter.getF32Type()
                                        : (FloatType)rewriter.getF64Type();
    Value x = op.getX();
    int64_t batchRank = rank - 2;
    Value result = buildParallel(
        rewriter, op.getLoc(), {}, outType.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          SmallVector<Value> prefix;
          for (int64_t i = 0; i < batchRank; ++i)
            prefix.push_back(linalg::IndexOp::create(b, l, i));
          // All n x n elements, once.
          SmallVector<Value> m(n * n);
          for (int64_t r = 0; r < n; ++r)
            for (int64_t c = 0; c < n; ++c) {
              SmallVector<Value> idx(prefix);
              idx.push_back(constIndex(b, l, r));
              idx.push_back(constIndex(b, l, c));
              Value v = tensor::ExtractOp::create(b, l, x, idx);
              m[r * n + c] = v.getType() == ft
                                 ? v
                                 : (Value)arith::ExtFOp::create(b, l, ft, v);
            }
          SmallVector<int64_t> perm(n);
          std::iota(perm.begin(), perm.end(), 0);
          Value det = constScalar(b, l, ft, 0.0);
          do {
            int64_t inversions = 0;
            for (int64_t i = 0; i < n; ++i)
              for (int64_t j = i + 1; j < n; ++j)
                inversions += perm[i] > perm[j];
            Value term = m[perm[0]];
            for (int64_t r = 1; r < n; ++r)
              term = arith::MulFOp::create(b, l, term, m[r * n + perm[r]]);
            det = inversions % 2 ? (Value)arith::SubFOp::create(b, l, det, term)
                                 : (Value)arith::AddFOp::create(b, l, det, term);
          } while (std::next_permutation(perm.begin(), perm.end()));
          return det.getType() == elem
                     ? det
                     : (Value)arith::TruncFOp::create(b, l, elem, det);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateEyeLikeDetPatterns(RewritePatternSet &patterns) {
  patterns.add<EyeLikePattern, DetPattern>(patterns.getContext());
}

} // namespace aicc::lowering
