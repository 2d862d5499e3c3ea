//===- LowerPooling.cpp - Pooling ops to linalg ---------------------------===//
//
// MaxPool pads with -inf (the lowest integer for int tensors) and AveragePool
// with 0, including the extra end padding ceil_mode needs for a last partial
// window. 2-D pools are linalg.pooling_nchw_max/sum, other ranks a generic
// with a window tensor (tensor.empty of the kernel shape) giving the extent
// of the reduction loops, as the named pooling ops do. AveragePool divides by
// the kernel size when every window has it, else by a per-position count
// computed from linalg.index: the window positions inside the input
// (count_include_pad=0) or inside input + ONNX pads (count_include_pad=1;
// ceil_mode's extra padding never counts), as ONNX Runtime does.
// Global pools are reductions over the spatial dims.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

enum class PoolKind { Max, Sum };

/// Pools a padded N x C x in... tensor into `init` (N x C x out...).
Value buildPool(OpBuilder &b, Location loc, PoolKind kind, Value input,
                Value init, const WindowParams &params, bool isUnsigned) {
  int64_t rank = params.kernel.size();
  Type elementType = cast<RankedTensorType>(input.getType()).getElementType();
  Value window = createEmpty(b, loc, params.kernel, elementType);
  auto outType = cast<RankedTensorType>(init.getType());
  if (rank == 2 && (kind == PoolKind::Sum || !isUnsigned)) {
    SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr("strides", b.getI64TensorAttr(params.strides)),
        b.getNamedAttr("dilations", b.getI64TensorAttr(params.dilations))};
    if (kind == PoolKind::Max) {
      if (isa<FloatType>(elementType))
        return linalg::PoolingNchwMaxOp::create(b, loc, TypeRange{outType},
                                                ValueRange{input, window},
                                                ValueRange{init}, attrs)
            .getResult(0);
    } else {
      return linalg::PoolingNchwSumOp::create(b, loc, TypeRange{outType},
                                              ValueRange{input, window},
                                              ValueRange{init}, attrs)
          .getResult(0);
    }
  }
  // Loops: n, c, out..., k...
  MLIRContext *ctx = b.getContext();
  int64_t numLoops = 2 + 2 * rank;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs = {d(0), d(1)}, winExprs, outExprs = {d(0), d(1)};
  for (int64_t i = 0; i < rank; ++i) {
    inExprs.push_back(d(2 + i) * params.strides[i] +
                      d(2 + rank + i) * params.dilations[i]);
    winExprs.push_back(d(2 + rank + i));
    outExprs.push_back(d(2 + i));
  }
  SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, inExprs, ctx),
                                 AffineMap::get(numLoops, 0, winExprs, ctx),
                                 AffineMap::get(numLoops, 0, outExprs, ctx)};
  SmallVector<utils::IteratorType> iterators(2 + rank,
                                             utils::IteratorType::parallel);
  iterators.append(rank, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{outType}, ValueRange{input, window},
             ValueRange{init}, maps, iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange blockArgs) {
               SmallVector<Value> args = toSignlessScalars(nb, nloc, blockArgs);
               Value r = kind == PoolKind::Max
                             ? scalarMax(nb, nloc, args[2], args[0], isUnsigned)
                             : scalarAdd(nb, nloc, args[2], args[0]);
               linalg::YieldOp::create(
                   nb, nloc,
                   fromSignlessScalar(nb, nloc, r, blockArgs[2].getType()));
             })
      .getResult(0);
}

template <typename OpTy>
std::optional<WindowParams> poolWindow(OpTy op, RankedTensorType xType,
                                       RankedTensorType yType) {
  if (xType.getRank() < 3)
    return std::nullopt;
  return getWindowParams(xType.getShape().drop_front(2),
                         yType.getShape().drop_front(2), op.getKernelShape(),
                         op.getStrides(), op.getDilations(), op.getPads(),
                         op.getAutoPad());
}

struct MaxPoolPattern : LoweringPattern<graph::MaxPoolOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::MaxPoolOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (!op.getIndices().use_empty())
      return rewriter.notifyMatchFailure(
          op, "the Indices output of MaxPool is not supported");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    auto params = poolWindow(op, xType, yType);
    if (!params)
      return rewriter.notifyMatchFailure(
          op, "kernel_shape, strides, dilations, pads or auto_pad are "
              "malformed or unsupported");
    Location loc = op.getLoc();
    bool isUnsigned = isUnsignedInt(xType.getElementType());
    Value x = op.getX();
    Type elementType = toSignless(xType.getElementType());
    Value lowest = lowestValue(rewriter, loc, elementType, isUnsigned);
    bool padded = llvm::any_of(params->padBegin, [](int64_t v) { return v; }) ||
                  llvm::any_of(params->padEnd, [](int64_t v) { return v; });
    // tensor.pad would need a `ui*` pad value, which arith cannot make: an
    // unsigned input is padded and pooled as its signless copy (the bits of
    // the lowest value, 0, are the same; the pool compares unsigned) and
    // the pooled result copied back (quantized u8 models). Copies of the
    // unpadded input and of the output fuse with their neighbours, and the
    // pad folds into the pool's kernel; a copy of the padded input would be
    // a kernel of its own.
    auto copyAs = [&](Value v, Type type) {
      return buildElementwise(
          rewriter, loc, {v},
          cast<RankedTensorType>(v.getType()).getShape(), type,
          [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    };
    bool signlessCopy = isUnsigned && padded;
    if (signlessCopy)
      x = copyAs(x, elementType);
    Value input =
        padSpatial(rewriter, loc, x, params->padBegin, params->padEnd, lowest);
    Value init = createFilled(
        rewriter, loc, yType.getShape(), lowest,
        signlessCopy ? elementType : xType.getElementType());
    Value result = buildPool(rewriter, loc, PoolKind::Max, input, init,
                             *params, isUnsigned);
    if (signlessCopy)
      result = copyAs(result, yType.getElementType());
    Value indices = tensor::EmptyOp::create(
        rewriter, loc, cast<RankedTensorType>(op.getIndices().getType()).getShape(),
        cast<RankedTensorType>(op.getIndices().getType()).getElementType());
    rewriter.replaceOp(op, {result, indices});
    return success();
  }
};

/// Number of j in [0, k) with lower <= start + j * dilation < upper, as index
/// arithmetic.
Value countInWindow(OpBuilder &b, Location loc, Value start, int64_t kernel,
                    int64_t dilation, int64_t lower, int64_t upper) {
  Value dil = constIndex(b, loc, dilation);
  Value zero = constIndex(b, loc, 0);
  // jmin = max(0, ceil((lower - start) / d)); jmax = min(k - 1,
  // floor((upper - 1 - start) / d)).
  Value lo = arith::CeilDivSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, constIndex(b, loc, lower), start), dil);
  Value jmin = arith::MaxSIOp::create(b, loc, lo, zero);
  Value hi = arith::FloorDivSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, constIndex(b, loc, upper - 1), start),
      dil);
  Value jmax = arith::MinSIOp::create(b, loc, hi, constIndex(b, loc, kernel - 1));
  Value count = arith::AddIOp::create(
      b, loc, arith::SubIOp::create(b, loc, jmax, jmin), constIndex(b, loc, 1));
  return arith::MaxSIOp::create(b, loc, count, zero);
}

struct AveragePoolPattern : LoweringPattern<graph::AveragePoolOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::AveragePoolOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Type elementType = xType.getElementType();
    if (!isa<FloatType>(elementType))
      return rewriter.notifyMatchFailure(op, "only float inputs are supported");
    auto params = poolWindow(op, xType, yType);
    if (!params)
      return rewriter.notifyMatchFailure(
          op, "kernel_shape, strides, dilations, pads or auto_pad are "
              "malformed or unsupported");
    Location loc = op.getLoc();
    Value zero = constScalar(rewriter, loc, elementType, 0.0);
    Value input = padSpatial(rewriter, loc, op.getX(), params->padBegin,
                             params->padEnd, zero);
    Value init = createFilled(rewriter, loc, yType.getShape(), zero);
    Value sum =
        buildPool(rewriter, loc, PoolKind::Sum, input, init, *params, false);

    bool includePad = op.getCountIncludePad() != 0;
    int64_t rank = params->kernel.size();
    // Is every window full?
    bool uniform = true;
    int64_t kernelSize = 1;
    for (int64_t i = 0; i < rank; ++i) {
      kernelSize *= params->kernel[i];
      bool hasPad = params->padBegin[i] != 0 || params->padEnd[i] != 0;
      bool beyondExplicit = params->padEnd[i] != params->explicitPadEnd[i];
      if (includePad ? beyondExplicit : hasPad)
        uniform = false;
    }
    Value result;
    if (uniform) {
      result = buildElementwise(
          rewriter, loc, {sum}, yType.getShape(), elementType,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::DivFOp::create(
                b, l, args[0], constScalar(b, l, elementType, kernelSize));
          });
    } else {
      WindowParams p = *params;
      ArrayRef<int64_t> inSpatial = xType.getShape().drop_front(2);
      result = buildElementwise(
          rewriter, loc, {sum}, yType.getShape(), elementType,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value count = constIndex(b, l, 1);
            for (int64_t i = 0; i < rank; ++i) {
              Value o = linalg::IndexOp::create(b, l, 2 + i);
              Value start = arith::SubIOp::create(
                  b, l,
                  arith::MulIOp::create(b, l, o, constIndex(b, l, p.strides[i])),
                  constIndex(b, l, p.padBegin[i]));
              int64_t lower = includePad ? -p.padBegin[i] : 0;
              int64_t upper = includePad ? inSpatial[i] + p.explicitPadEnd[i]
                                         : inSpatial[i];
              count = arith::MulIOp::create(
                  b, l, count,
                  countInWindow(b, l, start, p.kernel[i], p.dilations[i], lower,
                                upper));
            }
            Value countInt =
                arith::IndexCastOp::create(b, l, b.getI64Type(), count);
            Value countF = arith::SIToFPOp::create(b, l, elementType, countInt);
            return arith::DivFOp::create(b, l, args[0], countF);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// GlobalAveragePool / GlobalMaxPool: reduce all spatial dims, keep them as 1.
template <typename OpTy, bool IsMax>
struct GlobalPoolPattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op->getOperand(0).getType());
    auto yType = cast<RankedTensorType>(op->getResult(0).getType());
    Type elementType = xType.getElementType();
    if (!isa<FloatType>(elementType) || xType.getRank() < 2)
      return rewriter.notifyMatchFailure(op, "only float inputs are supported");
    Location loc = op.getLoc();
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = 2; i < xType.getRank(); ++i) {
      axes.push_back(i);
      count *= xType.getDimSize(i);
    }
    Value init = IsMax ? lowestValue(rewriter, loc, elementType, false)
                       : constScalar(rewriter, loc, elementType, 0.0);
    Value reduced = buildReduction(
        rewriter, loc, op->getOperand(0), axes, init,
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return IsMax ? scalarMax(b, l, acc, x, false) : scalarAdd(b, l, acc, x);
        });
    if (!IsMax) {
      auto shape = cast<RankedTensorType>(reduced.getType()).getShape();
      reduced = buildElementwise(
          rewriter, loc, {reduced}, shape, elementType,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::DivFOp::create(b, l, args[0],
                                         constScalar(b, l, elementType, count));
          });
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, reduced, yType.getShape()));
    return success();
  }
};

} // namespace

void populatePoolingPatterns(RewritePatternSet &patterns) {
  patterns.add<MaxPoolPattern, AveragePoolPattern,
               GlobalPoolPattern<graph::GlobalAveragePoolOp, false>,
               GlobalPoolPattern<graph::GlobalMaxPoolOp, true>>(
      patterns.getContext());
}

} // namespace aicc::lowering
