//===- LowerConv.cpp - Conv and ConvTranspose to linalg ------------------===//
//
// Conv: the input is zero-padded with tensor.pad (explicit pads or auto_pad
// computed from the static output size), the bias broadcast into the
// accumulator, and the convolution is a named op for 2-D (conv_2d_nchw_fchw,
// depthwise_conv_2d_nchw_chw, conv_2d_ngchw_gfchw for groups) or a
// linalg.generic over [N, G, M/G, out..., C/G, k...] for other ranks.
//
// ConvTranspose is a stride-1 Conv over the input with strides - 1 zeros
// inserted between elements (tensor.insert_slice with strides into zeros,
// which also applies the transposed padding) and the kernel flipped with its
// channel dims swapped (a gather generic over the weight).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

DenseIntElementsAttr i64Vector(OpBuilder &b, ArrayRef<int64_t> values) {
  return b.getI64TensorAttr(values);
}

/// Convolution of an already padded N x C x in... `input` with an
/// M x C/group x k... `weight` into `init` (N x M x out...).
Value buildConv(OpBuilder &b, Location loc, Value input, Value weight,
                Value init, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> dilations, int64_t group) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto wType = cast<RankedTensorType>(weight.getType());
  auto outType = cast<RankedTensorType>(init.getType());
  int64_t rank = inType.getRank() - 2;
  int64_t c = inType.getDimSize(1);
  int64_t m = wType.getDimSize(0);
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", i64Vector(b, strides)),
      b.getNamedAttr("dilations", i64Vector(b, dilations))};
  if (rank == 2 && group == 1)
    return linalg::Conv2DNchwFchwOp::create(b, loc, TypeRange{outType},
                                            ValueRange{input, weight},
                                            ValueRange{init}, attrs)
        .getResult(0);
  if (rank == 2 && group == c && m == c) {
    SmallVector<int64_t> filterShape = {c, wType.getDimSize(2),
                                        wType.getDimSize(3)};
    Value filter = reshapeTo(b, loc, weight, filterShape);
    return linalg::DepthwiseConv2DNchwChwOp::create(
               b, loc, TypeRange{outType}, ValueRange{input, filter},
               ValueRange{init}, attrs)
        .getResult(0);
  }
  // Grouped: split the channel dims into [G, per-group].
  int64_t cg = c / group, mg = m / group;
  ArrayRef<int64_t> inShape = inType.getShape();
  ArrayRef<int64_t> outShape = outType.getShape();
  SmallVector<int64_t> gInShape = {inShape[0], group, cg};
  gInShape.append(inShape.begin() + 2, inShape.end());
  SmallVector<int64_t> gWShape = {group, mg, cg};
  gWShape.append(wType.getShape().begin() + 2, wType.getShape().end());
  SmallVector<int64_t> gOutShape = {outShape[0], group, mg};
  gOutShape.append(outShape.begin() + 2, outShape.end());
  Value gInput = reshapeTo(b, loc, input, gInShape);
  Value gWeight = reshapeTo(b, loc, weight, gWShape);
  Value gInit = reshapeTo(b, loc, init, gOutShape);
  Value result;
  if (rank == 2) {
    result = linalg::Conv2DNgchwGfchwOp::create(
                 b, loc, TypeRange{gInit.getType()}, ValueRange{gInput, gWeight},
                 ValueRange{gInit}, attrs)
                 .getResult(0);
  } else {
    // Loops: n, g, m, out_0..out_{r-1}, c, k_0..k_{r-1}.
    MLIRContext *ctx = b.getContext();
    int64_t numLoops = 3 + rank + 1 + rank;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    int64_t cLoop = 3 + rank;
    SmallVector<AffineExpr> inExprs = {d(0), d(1), d(cLoop)};
    SmallVector<AffineExpr> wExprs = {d(1), d(2), d(cLoop)};
    SmallVector<AffineExpr> outExprs = {d(0), d(1), d(2)};
    for (int64_t i = 0; i < rank; ++i) {
      inExprs.push_back(d(3 + i) * strides[i] + d(cLoop + 1 + i) * dilations[i]);
      wExprs.push_back(d(cLoop + 1 + i));
      outExprs.push_back(d(3 + i));
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, inExprs, ctx),
                                   AffineMap::get(numLoops, 0, wExprs, ctx),
                                   AffineMap::get(numLoops, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(3 + rank,
                                               utils::IteratorType::parallel);
    iterators.append(1 + rank, utils::IteratorType::reduction);
    result = linalg::GenericOp::create(
                 b, loc, TypeRange{gInit.getType()}, ValueRange{gInput, gWeight},
                 ValueRange{gInit}, maps, iterators,
                 [&](OpBuilder &nb, Location nloc, ValueRange args) {
                   Value prod = scalarMul(nb, nloc, args[0], args[1]);
                   linalg::YieldOp::create(nb, nloc,
                                           scalarAdd(nb, nloc, args[2], prod));
                 })
                 .getResult(0);
  }
  return reshapeTo(b, loc, result, outShape);
}

/// The accumulator: the bias broadcast along dim 1, or zeros.
Value buildConvInit(OpBuilder &b, Location loc, Value bias,
                    RankedTensorType resultType) {
  ArrayRef<int64_t> shape = resultType.getShape();
  Type elementType = resultType.getElementType();
  if (!bias)
    return createFilled(b, loc, shape, constScalar(b, loc, elementType, 0.0));
  LoopOperand operand = readInto(b, loc, bias, shape, {1});
  return buildParallel(b, loc, {operand}, shape, elementType,
                       [](OpBuilder &, Location, ValueRange args) {
                         return args[0];
                       });
}

bool isFloatTensor(Value value) {
  auto type = getStaticType(value);
  return type && isa<FloatType>(type.getElementType());
}

struct ConvPattern : LoweringPattern<graph::ConvOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ConvOp op,
                      PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getX()) || !isFloatTensor(op.getW()) ||
        !isFloatTensor(op.getY()) || (op.getB() && !isFloatTensor(op.getB())))
      return rewriter.notifyMatchFailure(op, "needs static float tensors");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto wType = cast<RankedTensorType>(op.getW().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    int64_t group = op.getGroup();
    if (xType.getRank() < 3 || group <= 0 ||
        xType.getDimSize(1) != wType.getDimSize(1) * group ||
        wType.getDimSize(0) % group != 0)
      return rewriter.notifyMatchFailure(
          op, "the input channels must be group times the weight channels, and "
              "the output channels a multiple of group");
    auto params = getWindowParams(
        xType.getShape().drop_front(2), yType.getShape().drop_front(2),
        wType.getShape().drop_front(2), op.getStrides(), op.getDilations(),
        op.getPads(), op.getAutoPad());
    if (!params)
      return rewriter.notifyMatchFailure(
          op, "kernel_shape, strides, dilations, pads or auto_pad are "
              "malformed or unsupported");
    Location loc = op.getLoc();
    Value zero = constScalar(rewriter, loc, xType.getElementType(), 0.0);
    // Padding the windows never read (ceil rounding of SAME/explicit pads)
    // is not added; an input longer than the windows read is read in place
    // (linalg's conv ops allow it), never cropped into a copy.
    SmallVector<int64_t> padEnd(params->padEnd.begin(), params->padEnd.end());
    for (size_t i = 0; i < params->kernel.size(); ++i) {
      int64_t needed = (yType.getDimSize(i + 2) - 1) * params->strides[i] +
                       (params->kernel[i] - 1) * params->dilations[i] + 1;
      int64_t available =
          xType.getDimSize(i + 2) + params->padBegin[i] + padEnd[i];
      padEnd[i] -= std::clamp<int64_t>(available - needed, 0, padEnd[i]);
    }
    Value input =
        padSpatial(rewriter, loc, op.getX(), params->padBegin, padEnd, zero);
    Value init = buildConvInit(rewriter, loc, op.getB(), yType);
    Value result = buildConv(rewriter, loc, input, op.getW(), init,
                             params->strides, params->dilations, group);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConvTransposePattern : LoweringPattern<graph::ConvTransposeOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ConvTransposeOp op,
                      PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getX()) || !isFloatTensor(op.getW()) ||
        !isFloatTensor(op.getY()) || (op.getB() && !isFloatTensor(op.getB())))
      return rewriter.notifyMatchFailure(op, "needs static float tensors");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto wType = cast<RankedTensorType>(op.getW().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    int64_t group = op.getGroup();
    int64_t rank = xType.getRank() - 2;
    int64_t c = xType.getDimSize(1);
    if (rank < 1 || group <= 0 || wType.getDimSize(0) != c || c % group != 0)
      return rewriter.notifyMatchFailure(
          op, "the input channels must be group times the weight channels, and "
              "the output channels a multiple of group");
    int64_t cg = c / group, mg = wType.getDimSize(1), m = mg * group;
    if (yType.getDimSize(1) != m)
      return rewriter.notifyMatchFailure(
          op, "the input channels must be group times the weight channels, and "
              "the output channels a multiple of group");
    ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
    auto attrOr = [&](std::optional<ArrayRef<int64_t>> attr, int64_t size,
                      int64_t fallback) {
      SmallVector<int64_t> values(size, fallback);
      if (attr && attr->size() == static_cast<size_t>(size))
        values.assign(attr->begin(), attr->end());
      return values;
    };
    SmallVector<int64_t> strides = attrOr(op.getStrides(), rank, 1);
    SmallVector<int64_t> dilations = attrOr(op.getDilations(), rank, 1);
    SmallVector<int64_t> outputPadding = attrOr(op.getOutputPadding(), rank, 0);
    StringRef autoPad = op.getAutoPad();
    // Begin padding of the transposed conv (its end follows from the
    // static output size).
    SmallVector<int64_t> padBegin(rank, 0);
    for (int64_t i = 0; i < rank; ++i) {
      int64_t in = xType.getDimSize(2 + i), out = yType.getDimSize(2 + i);
      // Like ONNX Runtime, a larger output_shape pads at the end only.
      int64_t total = std::max<int64_t>(
          0, strides[i] * (in - 1) + outputPadding[i] +
                 (kernel[i] - 1) * dilations[i] + 1 - out);
      if (autoPad == "SAME_UPPER")
        padBegin[i] = total / 2;
      else if (autoPad == "SAME_LOWER" ||
               (op.getOutputShape() && autoPad != "VALID"))
        padBegin[i] = total - total / 2;
      else if (op.getPads() && op.getPads()->size() == 2 * static_cast<size_t>(rank))
        padBegin[i] = (*op.getPads())[i];
    }

    Location loc = op.getLoc();
    Type elementType = xType.getElementType();
    // Zero-stuffed, padded input of the stride-1 conv: x[i] lands at
    // front + i * stride with front = (k - 1) * dilation - padBegin.
    SmallVector<int64_t> stuffedShape = {xType.getDimSize(0), c};
    SmallVector<int64_t> srcOffsets = {0, 0}, srcSizes = {xType.getDimSize(0), c};
    SmallVector<int64_t> dstOffsets = {0, 0}, dstStrides = {1, 1};
    bool needCrop = false;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t in = xType.getDimSize(2 + i), out = yType.getDimSize(2 + i);
      int64_t length = out + (kernel[i] - 1) * dilations[i];
      int64_t front = (kernel[i] - 1) * dilations[i] - padBegin[i];
      // Source elements that land inside [0, length).
      int64_t first = front >= 0 ? 0 : (-front + strides[i] - 1) / strides[i];
      int64_t last = std::min(in - 1, (length - 1 - front) >= 0
                                          ? (length - 1 - front) / strides[i]
                                          : -1);
      if (last < first)
        return rewriter.notifyMatchFailure(op,
                                           "the transposed window is empty");
      stuffedShape.push_back(length);
      srcOffsets.push_back(first);
      srcSizes.push_back(last - first + 1);
      needCrop |= first != 0 || last != in - 1;
      dstOffsets.push_back(front + first * strides[i]);
      dstStrides.push_back(strides[i]);
    }
    Value source = op.getX();
    if (needCrop) {
      SmallVector<int64_t> ones(srcSizes.size(), 1);
      source = tensor::ExtractSliceOp::create(
          rewriter, loc, RankedTensorType::get(srcSizes, elementType), source,
          ValueRange{}, ValueRange{}, ValueRange{}, srcOffsets, srcSizes, ones);
    }
    Value zeros = createFilled(rewriter, loc, stuffedShape,
                               constScalar(rewriter, loc, elementType, 0.0));
    Value stuffed = tensor::InsertSliceOp::create(
        rewriter, loc, zeros.getType(), source, zeros, ValueRange{}, ValueRange{},
        ValueRange{}, dstOffsets, srcSizes, dstStrides);

    // Weight [C, M/G, k...] -> [M, C/G, k...] flipped in space:
    // w2[g*Mg + mm, cc, k] = w[g*Cg + cc, mm, K-1-k].
    SmallVector<int64_t> w2Shape = {m, cg};
    w2Shape.append(kernel.begin(), kernel.end());
    Value weight = op.getW();
    Value flipped = buildParallel(
        rewriter, loc, {}, w2Shape, elementType,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Value mIdx = linalg::IndexOp::create(b, l, 0);
          Value cIdx = linalg::IndexOp::create(b, l, 1);
          Value mgV = constIndex(b, l, mg), cgV = constIndex(b, l, cg);
          Value g = arith::DivUIOp::create(b, l, mIdx, mgV);
          Value mm = arith::RemUIOp::create(b, l, mIdx, mgV);
          Value src0 = arith::AddIOp::create(
              b, l, arith::MulIOp::create(b, l, g, cgV), cIdx);
          SmallVector<Value> indices = {src0, mm};
          for (int64_t i = 0; i < rank; ++i) {
            Value k = linalg::IndexOp::create(b, l, 2 + i);
            indices.push_back(arith::SubIOp::create(
                b, l, constIndex(b, l, kernel[i] - 1), k));
          }
          return tensor::ExtractOp::create(b, l, weight, indices);
        });
    Value init = buildConvInit(rewriter, loc, op.getB(), yType);
    SmallVector<int64_t> ones(rank, 1);
    Value result = buildConv(rewriter, loc, stuffed, flipped, init, ones,
                             dilations, group);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateConvPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvPattern, ConvTransposePattern>(patterns.getContext());
}

} // namespace aicc::lowering
