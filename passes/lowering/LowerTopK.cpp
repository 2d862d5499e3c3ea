//===- LowerTopK.cpp - TopK by ranking to linalg -------------------------===//
//
// TopK with a static K (the shape rule reads it from a constant) is three
// generics over the static shapes:
//
//  1. rank[.., i, ..] = #{ j : x_j comes before x_i }, a reduction over j,
//     in the strict total order "larger first (smaller first when
//     largest = 0), equal values by lower index, NaN as the largest value"
//     (ONNX: equal values keep the lower index first; NaN as in the ONNX
//     reference's NumPy sort, where ONNX Runtime's order is unspecified).
//     The ranks along the axis are a permutation of 0..n-1.
//  2. indices[.., k, ..] = the i whose rank is k, for k < K: a sum over i of
//     (rank_i == k ? i : 0).
//  3. values[.., k, ..] = x[.., indices[.., k, ..], ..] (tensor.extract).
//
// Step 1 is O(n^2) along the axis; `sorted = 0` gets sorted results, which
// the specification allows. A K that is a value input of the graph (issue
// 15) is the value symbol `aicc.value_params` `k`: the extent of the axis of
// both results (the run checks K <= the axis before it starts).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"
#include "passes/lowering/ValueShapes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

/// Axes longer than this make step 1 too slow (n^2 comparisons per row).
constexpr int64_t kMaxTopKAxis = 1 << 16;

/// A map of `numLoops` dims reading a tensor of rank `rank` at loop dims
/// 0..rank-1, except dim `axis`, read at loop dim `axisLoop`.
AffineMap readWithAxisAt(MLIRContext *ctx, int64_t numLoops, int64_t rank,
                         int64_t axis, int64_t axisLoop) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(getAffineDimExpr(d == axis ? axisLoop : d, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

/// A generic with loops 0..rank-1 parallel (the result's dims) and loop
/// `rank` a reduction, accumulating into an i64 tensor of `shape` that
/// starts at 0; the body gets the signless input scalars and the
/// accumulator.
Value buildCountingReduction(
    OpBuilder &b, Location loc, ArrayRef<OpFoldResult> shape,
    ValueRange inputs, ArrayRef<AffineMap> inputMaps,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  int64_t rank = shape.size();
  Type i64 = b.getI64Type();
  Value init = createFilledSized(b, loc, shape, constInt(b, loc, i64, 0));
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank + 1, b.getContext())
                     .getMajorSubMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange blockArgs) {
               SmallVector<Value> args = toSignlessScalars(nb, l, blockArgs);
               Value acc = args.back();
               args.pop_back();
               linalg::YieldOp::create(nb, l, body(nb, l, args, acc));
             })
      .getResult(0);
}

struct TopKPattern : LoweringPattern<graph::TopKOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::TopKOp op,
                      PatternRewriter &rewriter) const override {
    // A K that is a value input of the graph (issue 15) is the symbol of
    // `aicc.value_params` `k`: the values and indices have it as the axis
    // extent; the run checks K <= the axis beforehand (contract A).
    SmallVector<Value> kParam = getValueParams(op, "k", rewriter);
    bool valueK = hasValueParams(op);
    if (!valueK && !hasDynamicDims(op))
      if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto valuesType = cast<RankedTensorType>(op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    if (xType.getRank() == 0 || valuesType.getRank() != xType.getRank())
      return rewriter.notifyMatchFailure(op, "needs an input of rank 1 or more");
    if (!xType.getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(op, "needs int or float elements");
    int64_t rank = xType.getRank();
    auto axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "attribute 'axis' is out of range");
    auto xSizes = getKnownDimSizes(op.getX());
    if (!xSizes)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    SmallVector<OpFoldResult> outSizes(*xSizes);
    if (valueK) {
      if (kParam.size() != 1)
        return rewriter.notifyMatchFailure(
            op, "K is a value input, but 'aicc.value_params' has no 'k'");
      outSizes[*axis] = kParam[0];
      if (!valuesType.isDynamicDim(*axis))
        outSizes[*axis] = rewriter.getIndexAttr(valuesType.getDimSize(*axis));
    } else if (valuesType.isDynamicDim(*axis)) {
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    } else {
      outSizes[*axis] = rewriter.getIndexAttr(valuesType.getDimSize(*axis));
    }
    outSizes = sizesOfType(rewriter, op.getLoc(), outSizes, valuesType);
    int64_t n = xType.getDimSize(*axis);
    int64_t k = valuesType.getDimSize(*axis);
    if (!ShapedType::isDynamic(n) && n > kMaxTopKAxis)
      return rewriter.notifyMatchFailure(
          op, "an axis of " + std::to_string(n) + " elements is more than " +
                  std::to_string(kMaxTopKAxis) +
                  " (the lowering compares every pair)");
    if (!indicesType.getElementType().isInteger(64))
      return rewriter.notifyMatchFailure(op, "indices must be int64");
    if (!ShapedType::isDynamic(k) && !ShapedType::isDynamic(n) && k > n)
      return rewriter.notifyMatchFailure(op, "K is larger than the axis");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type elem = xType.getElementType();
    bool isFloat = isa<FloatType>(elem);
    bool isUnsigned = isUnsignedInt(elem);
    bool largest = op.getLargest() != 0;
    Type i64 = rewriter.getI64Type();
    Value x = op.getX();

    // 1. The rank of every element along the axis.
    AffineMap atI = readWithAxisAt(ctx, rank + 1, rank, *axis, *axis);
    AffineMap atJ = readWithAxisAt(ctx, rank + 1, rank, *axis, rank);
    Value ranks = buildCountingReduction(
        rewriter, loc, *xSizes, {x, x}, {atI, atJ},
        [&](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          Value xi = a[0], xj = a[1];
          Value before, equal;
          if (isFloat) {
            using P = arith::CmpFPredicate;
            Value nanI = arith::CmpFOp::create(b, l, P::UNO, xi, xi);
            Value nanJ = arith::CmpFOp::create(b, l, P::UNO, xj, xj);
            Value notNanI = arith::CmpFOp::create(b, l, P::ORD, xi, xi);
            Value notNanJ = arith::CmpFOp::create(b, l, P::ORD, xj, xj);
            // NaN is the largest value: first when largest, else last.
            Value nanOrder =
                largest ? arith::AndIOp::create(b, l, nanJ, notNanI)
                        : arith::AndIOp::create(b, l, notNanJ, nanI);
            Value strictly = arith::CmpFOp::create(
                b, l, largest ? P::OGT : P::OLT, xj, xi);
            before = arith::OrIOp::create(b, l, nanOrder, strictly);
            equal = arith::OrIOp::create(
                b, l, arith::CmpFOp::create(b, l, P::OEQ, xj, xi),
                arith::AndIOp::create(b, l, nanI, nanJ));
          } else {
            using P = arith::CmpIPredicate;
            P gt = isUnsigned ? P::ugt : P::sgt, lt = isUnsigned ? P::ult
                                                                 : P::slt;
            before = arith::CmpIOp::create(b, l, largest ? gt : lt, xj, xi);
            equal = arith::CmpIOp::create(b, l, P::eq, xj, xi);
          }
          Value i = linalg::IndexOp::create(b, l, *axis);
          Value j = linalg::IndexOp::create(b, l, rank);
          Value lowerIndex =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, i);
          before = arith::OrIOp::create(
              b, l, before, arith::AndIOp::create(b, l, equal, lowerIndex));
          Value one = arith::ExtUIOp::create(b, l, i64, before);
          return arith::AddIOp::create(b, l, acc, one);
        });

    // 2. The position whose rank is k, for k < K.
    AffineMap rankAtI = readWithAxisAt(ctx, rank + 1, rank, *axis, rank);
    Value indices = buildCountingReduction(
        rewriter, loc, outSizes, {ranks}, {rankAtI},
        [&](OpBuilder &b, Location l, ValueRange a, Value acc) -> Value {
          Value kth = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, *axis));
          Value i = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, rank));
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, a[0], kth);
          return arith::AddIOp::create(
              b, l, acc,
              arith::SelectOp::create(b, l, hit, i, constInt(b, l, i64, 0)));
        });

    // 3. The values at those positions.
    LoopOperand idxOperand = {indices,
                              rewriter.getMultiDimIdentityMap(rank)};
    Value values = buildParallelSized(
        rewriter, loc, {idxOperand}, outSizes, elem,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> src;
          for (int64_t d = 0; d < rank; ++d)
            src.push_back(d == *axis ? Value(arith::IndexCastOp::create(
                                           b, l, b.getIndexType(), a[0]))
                                     : Value(linalg::IndexOp::create(b, l, d)));
          return toSignlessScalar(b, l,
                                  tensor::ExtractOp::create(b, l, x, src));
        });
    (void)k;
    rewriter.replaceOp(op, {values, indices});
    return success();
  }
};

} // namespace

void populateTopKPatterns(RewritePatternSet &patterns) {
  patterns.add<TopKPattern>(patterns.getContext());
}

} // namespace aicc::lowering
