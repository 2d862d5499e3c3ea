//===- LowerOneHot.cpp - OneHot to a parallel linalg.generic -------------===//
//
// OneHot(indices, depth, values) with a constant depth (the shape rule needs
// it) is one parallel generic over the output: the element at position j of
// the new axis is values[1] where the index (cast to an integer, negative
// ones counting from depth) equals j, else values[0]. An index outside
// [-depth, depth) matches no position, so its row is all values[0], as in
// the ONNX reference. A depth that is a value input of the graph (issue 15)
// is the value symbol `aicc.value_params` `depth`: the extent of the new
// axis and, in the body, a push constant.
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

struct OneHotPattern : LoweringPattern<graph::OneHotOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::OneHotOp op,
                      PatternRewriter &rewriter) const override {
    // A depth that is a value input of the graph (issue 15) is the symbol
    // of `aicc.value_params` `depth`, the extent of the new axis.
    bool valueDepth = hasValueParams(op);
    if (!valueDepth)
      if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
    auto idxType = dyn_cast<RankedTensorType>(op.getIndices().getType());
    auto valuesType = getStaticType(op.getValues());
    auto outType = dyn_cast<RankedTensorType>(op.getOutput().getType());
    auto idxSizes = getKnownDimSizes(op.getIndices());
    if (!idxType || !valuesType || !outType || !idxSizes ||
        valuesType.getNumElements() != 2 ||
        outType.getRank() != idxType.getRank() + 1)
      return rewriter.notifyMatchFailure(
          op, "needs static shapes and a values input of two elements");
    int64_t rank = outType.getRank();
    auto axis = normalizeAxis(op.getAxis(), rank);
    if (!axis)
      return rewriter.notifyMatchFailure(op, "attribute 'axis' is out of range");
    Location loc = op.getLoc();
    // The depth: static from the output type, else the symbol.
    OpFoldResult depthSize;
    if (!outType.isDynamicDim(*axis)) {
      depthSize = rewriter.getIndexAttr(outType.getDimSize(*axis));
    } else {
      SmallVector<Value> depthParam = getValueParams(op, "depth", rewriter);
      if (depthParam.size() != 1)
        return rewriter.notifyMatchFailure(
            op, "depth is a value input, but 'aicc.value_params' has no "
                "'depth'");
      depthSize = depthParam[0];
    }
    SmallVector<OpFoldResult> outSizes(*idxSizes);
    outSizes.insert(outSizes.begin() + *axis, depthSize);
    outSizes = sizesOfType(rewriter, loc, outSizes, outType);
    Type idxElem = idxType.getElementType();
    bool idxUnsigned = isUnsignedInt(idxElem);
    SmallVector<int64_t> idxDims;
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis)
        idxDims.push_back(d);
    LoopOperand indices = readInto(rewriter, loc, op.getIndices(),
                                   staticShapeOf(outSizes), idxDims);
    // values flattened to [2]: read at constant positions.
    Value values = reshapeTo(rewriter, loc, op.getValues(), {2});
    Type i64 = rewriter.getI64Type();
    // The depth inside the body: a constant, or the symbol (a push
    // constant of the kernel).
    auto depthIn = [&](OpBuilder &b, Location l) -> Value {
      if (auto attr = dyn_cast<Attribute>(depthSize))
        return constInt(b, l, i64, cast<IntegerAttr>(attr).getInt());
      return arith::IndexCastOp::create(b, l, i64, cast<Value>(depthSize));
    };
    Value result = buildParallelSized(
        rewriter, loc, {indices}, outSizes, outType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value idx = convertScalar(b, l, a[0], i64, idxUnsigned, false);
          Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              idx, constInt(b, l, i64, 0));
          idx = arith::SelectOp::create(
              b, l, isNeg,
              arith::AddIOp::create(b, l, idx, depthIn(b, l)),
              idx);
          Value position = arith::IndexCastOp::create(
              b, l, i64, linalg::IndexOp::create(b, l, *axis));
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            idx, position);
          Value off = toSignlessScalar(
              b, l,
              tensor::ExtractOp::create(b, l, values,
                                        ValueRange{constIndex(b, l, 0)}));
          Value on = toSignlessScalar(
              b, l,
              tensor::ExtractOp::create(b, l, values,
                                        ValueRange{constIndex(b, l, 1)}));
          return arith::SelectOp::create(b, l, hit, on, off);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateOneHotPatterns(RewritePatternSet &patterns) {
  patterns.add<OneHotPattern>(patterns.getContext());
}

} // namespace aicc::lowering
