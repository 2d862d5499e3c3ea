//===- LowerScatter.cpp - ScatterElements, ScatterND, GatherND to linalg --===//
//
// Scatters are "pull" loops, since linalg on tensors has no scatter: one
// linalg.generic over (output dims, update dims) that starts from the data
// (its init) and reduces over the updates, combining an update into the
// output element its index names. That is O(output x updates), fine for the
// small index sets scatters are used with. Duplicate indices with
// reduction "none" keep the last update in iteration order, like the
// reference's loop.
//
// GatherND is a parallel generic gathering with tensor.extract at the index
// tuple read from `indices` (also with tensor.extract).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

/// An index-typed, non-negative position from an integer index read from a
/// dim of `size` (negative values count from the end).
Value normalizedIndex(OpBuilder &b, Location loc, Value idx, int64_t size) {
  idx = arith::IndexCastOp::create(b, loc, b.getIndexType(), idx);
  Value isNeg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, idx,
                                      constIndex(b, loc, 0));
  return arith::SelectOp::create(
      b, loc, isNeg, arith::AddIOp::create(b, loc, idx, constIndex(b, loc, size)),
      idx);
}

/// Combines `update` into `acc` for a scatter reduction; null when unknown.
Value combine(OpBuilder &b, Location loc, StringRef reduction, Value acc,
              Value update, bool isUnsigned) {
  if (reduction == "none")
    return update;
  if (reduction == "add")
    return scalarAdd(b, loc, acc, update);
  if (reduction == "mul")
    return scalarMul(b, loc, acc, update);
  if (reduction == "max")
    return scalarMax(b, loc, acc, update, isUnsigned);
  if (reduction == "min")
    return scalarMin(b, loc, acc, update, isUnsigned);
  return nullptr;
}

bool isKnownReduction(StringRef r) {
  return r == "none" || r == "add" || r == "mul" || r == "max" || r == "min";
}

/// The generic: loops = output dims then `numReduced` reduction dims;
/// `inputs` are read through their maps; the init is `data`.
Value buildPull(OpBuilder &b, Location loc, Value data,
                ArrayRef<LoopOperand> inputs, int64_t numReduced,
                llvm::function_ref<Value(OpBuilder &, Location, ValueRange,
                                         Value)>
                    body) {
  auto type = cast<RankedTensorType>(data.getType());
  int64_t rank = type.getRank();
  int64_t numLoops = rank + numReduced;
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  for (const LoopOperand &input : inputs) {
    values.push_back(input.value);
    maps.push_back(input.map);
  }
  maps.push_back(AffineMap::getMultiDimIdentityMap(numLoops, b.getContext())
                     .getMajorSubMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.append(numReduced, utils::IteratorType::reduction);
  Type elementType = type.getElementType();
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, values, ValueRange{data}, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange blockArgs) {
               SmallVector<Value> args = toSignlessScalars(nb, l, blockArgs);
               Value result = body(nb, l, ValueRange(args).drop_back(),
                                   args.back());
               linalg::YieldOp::create(
                   nb, l, fromSignlessScalar(nb, l, result, elementType));
             })
      .getResult(0);
}

struct ScatterElementsPattern : LoweringPattern<graph::ScatterElementsOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ScatterElementsOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    int64_t rank = dataType.getRank();
    auto axis = normalizeAxis(op.getAxis(), rank);
    StringRef reduction = op.getReduction();
    if (!axis || idxType.getRank() != rank ||
        op.getUpdates().getType() != RankedTensorType::get(
                                         idxType.getShape(),
                                         dataType.getElementType()) ||
        !isKnownReduction(reduction) || rank == 0)
      return rewriter.notifyMatchFailure(
          op, "needs an axis in range, indices and updates of the data rank "
              "and type, and reduction none, add, mul, max or min");
    bool isUnsigned = isUnsignedInt(dataType.getElementType());
    int64_t axisSize = dataType.getDimSize(*axis);
    // updates are read at the reduction loops (rank..2*rank-1); indices
    // there too, with tensor.extract so that an index outside
    // [-axisSize, axisSize) fails the kernel at run time.
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      exprs.push_back(rewriter.getAffineDimExpr(rank + d));
    AffineMap map = AffineMap::get(2 * rank, 0, exprs, rewriter.getContext());
    Value indices = op.getIndices();
    Value result = buildPull(
        rewriter, op.getLoc(), op.getData(), {{op.getUpdates(), map}}, rank,
        [&](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, l, rank + d));
          auto read = tensor::ExtractOp::create(b, l, indices, at);
          read->setAttr(kIndexBoundAttrName, b.getI64IntegerAttr(axisSize));
          Value match = constInt(b, l, b.getI1Type(), 1);
          for (int64_t d = 0; d < rank; ++d) {
            Value target = d == *axis
                               ? normalizedIndex(b, l, read, axisSize)
                               : Value(linalg::IndexOp::create(b, l, rank + d));
            match = arith::AndIOp::create(
                b, l, match,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, target,
                                      linalg::IndexOp::create(b, l, d)));
          }
          Value updated = combine(b, l, reduction, acc, a[0], isUnsigned);
          return arith::SelectOp::create(b, l, match, updated, acc);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDPattern : LoweringPattern<graph::ScatterNDOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ScatterNDOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    auto updType = cast<RankedTensorType>(op.getUpdates().getType());
    StringRef reduction = op.getReduction();
    int64_t rank = dataType.getRank();
    int64_t q = idxType.getRank();
    if (q < 1 || !isKnownReduction(reduction))
      return rewriter.notifyMatchFailure(
          op, "needs indices of rank 1 or more and reduction none, add, mul, "
              "max or min");
    int64_t k = idxType.getShape().back();
    int64_t batchRank = q - 1;
    if (k > rank || updType.getRank() != batchRank + rank - k)
      return rewriter.notifyMatchFailure(
          op, "the data, indices and updates shapes do not agree");
    bool isUnsigned = isUnsignedInt(dataType.getElementType());
    ArrayRef<int64_t> dataShape = dataType.getShape();
    // Loops: output dims (0..rank-1), then the batch dims of indices.
    // updates[batch..., out dims k..] is read by a projected map.
    SmallVector<AffineExpr> updExprs;
    for (int64_t d = 0; d < batchRank; ++d)
      updExprs.push_back(rewriter.getAffineDimExpr(rank + d));
    for (int64_t d = k; d < rank; ++d)
      updExprs.push_back(rewriter.getAffineDimExpr(d));
    AffineMap updMap =
        AffineMap::get(rank + batchRank, 0, updExprs, rewriter.getContext());
    Value indices = op.getIndices();
    Value result = buildPull(
        rewriter, op.getLoc(), op.getData(), {{op.getUpdates(), updMap}},
        batchRank,
        [&](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          SmallVector<Value> idx;
          for (int64_t d = 0; d < batchRank; ++d)
            idx.push_back(linalg::IndexOp::create(b, l, rank + d));
          idx.push_back(Value());
          Value match = constInt(b, l, b.getI1Type(), 1);
          for (int64_t j = 0; j < k; ++j) {
            idx.back() = constIndex(b, l, j);
            // An index outside [-dim, dim) fails the kernel at run time.
            auto read = tensor::ExtractOp::create(b, l, indices, idx);
            read->setAttr(kIndexBoundAttrName,
                          b.getI64IntegerAttr(dataShape[j]));
            Value target = normalizedIndex(b, l, read, dataShape[j]);
            match = arith::AndIOp::create(
                b, l, match,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, target,
                                      linalg::IndexOp::create(b, l, j)));
          }
          Value updated = combine(b, l, reduction, acc, a[0], isUnsigned);
          return arith::SelectOp::create(b, l, match, updated, acc);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// GatherND: out[batch..., rest...] = data[batch..., indices[batch..., :],
/// rest...].
struct GatherNDPattern : LoweringPattern<graph::GatherNDOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::GatherNDOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto dataType = cast<RankedTensorType>(op.getData().getType());
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    int64_t r = dataType.getRank(), q = idxType.getRank();
    int64_t bd = op.getBatchDims();
    if (q < 1 || bd < 0 || bd >= q || bd > r)
      return rewriter.notifyMatchFailure(
          op, "needs indices of rank 1 or more and 0 <= batch_dims < "
              "min(rank(indices), rank(data) + 1)");
    int64_t k = idxType.getShape().back();
    if (bd + k > r || outType.getRank() != q - 1 + r - k - bd)
      return rewriter.notifyMatchFailure(
          op, "the data, indices and updates shapes do not agree");
    ArrayRef<int64_t> dataShape = dataType.getShape();
    Value data = op.getData(), indices = op.getIndices();
    Value result = buildParallel(
        rewriter, op.getLoc(), {}, outType.getShape(),
        outType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          // Output dims: indices dims 0..q-2, then data dims bd+k..r-1.
          SmallVector<Value> idxPos;
          for (int64_t d = 0; d < q - 1; ++d)
            idxPos.push_back(linalg::IndexOp::create(b, l, d));
          idxPos.push_back(Value());
          SmallVector<Value> src;
          for (int64_t d = 0; d < bd; ++d)
            src.push_back(linalg::IndexOp::create(b, l, d));
          for (int64_t j = 0; j < k; ++j) {
            idxPos.back() = constIndex(b, l, j);
            // An index out of range fails the kernel at run time.
            src.push_back(normalizedIndex(
                b, l, tensor::ExtractOp::create(b, l, indices, idxPos),
                dataShape[bd + j]));
          }
          for (int64_t d = bd + k; d < r; ++d)
            src.push_back(linalg::IndexOp::create(b, l, q - 1 + d - bd - k));
          return toSignlessScalar(b, l, checkedExtract(b, l, data, src));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateScatterPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsPattern, ScatterNDPattern, GatherNDPattern>(
      patterns.getContext());
}

} // namespace aicc::lowering
