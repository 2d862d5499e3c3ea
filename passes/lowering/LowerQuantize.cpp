//===- LowerQuantize.cpp - QuantizeLinear / DequantizeLinear to linalg ----===//
//
// Both are one parallel linalg.generic over x. The scale and zero point are
// per tensor (rank 0 or one element: read as a scalar), per axis (1-D along
// `axis`: a projected map) or blocked (x's shape with ceil(n / block_size)
// along `axis`: gathered with tensor.extract at index / block_size).
//
// QuantizeLinear: rint(x / scale) (half to even) + zero point, clamped to the
// integer range of the output in float, then converted; the division is in
// x's type or the `precision` type like the reference. DequantizeLinear:
// (x - zero point) * scale in f32, converted to the output type. Float8/4 and
// 2/4-bit integer types use the conversions of NarrowTypes.h.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/NarrowTypes.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <string>

using namespace mlir;

namespace aicc::lowering {
namespace {

/// How a scale or zero point is read in the loop nest over x.
struct QuantParam {
  /// Read as a generic input (per tensor or per axis), else gathered.
  std::optional<LoopOperand> operand;
  /// Blocked: gathered from `value` at index / blockSize along `axis`.
  Value value;
};

/// How `param` (a scale or zero point) is read over x of `shape`; nullopt,
/// with `why` set, for a shape that is neither per tensor, per axis nor
/// blocked along `axis`.
std::optional<QuantParam> getQuantParam(OpBuilder &b, Location loc, Value param,
                                        ArrayRef<int64_t> shape, int64_t axis,
                                        int64_t blockSize, std::string &why) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getNumElements() == 1) {
    Value scalar = reshapeTo(b, loc, param, {});
    return QuantParam{LoopOperand{scalar, AffineMap::get(shape.size(), 0,
                                                         b.getContext())},
                      {}};
  }
  if (axis < 0) {
    why = "axis is out of range for per-axis or blocked parameters";
    return std::nullopt;
  }
  if (blockSize <= 0) {
    if (type.getRank() != 1 || type.getDimSize(0) != shape[axis]) {
      why = "per-axis parameters must be 1-D with the size of the axis";
      return std::nullopt;
    }
    return QuantParam{readInto(b, loc, param, shape, {axis}), {}};
  }
  if (type.getRank() != static_cast<int64_t>(shape.size())) {
    why = "blocked parameters must have the rank of the input";
    return std::nullopt;
  }
  for (int64_t d = 0, e = shape.size(); d < e; ++d) {
    int64_t expected =
        d == axis ? (shape[d] + blockSize - 1) / blockSize : shape[d];
    if (type.getDimSize(d) != expected) {
      why = "blocked parameters do not match the input shape and block_size";
      return std::nullopt;
    }
  }
  return QuantParam{std::nullopt, param};
}

/// A quantization op's scale and optional zero point.
struct QuantParams {
  QuantParam scale;
  std::optional<QuantParam> zeroPoint;

  /// The generic inputs they are read through (in readParam order).
  void appendOperands(SmallVectorImpl<LoopOperand> &inputs) const {
    if (scale.operand)
      inputs.push_back(*scale.operand);
    if (zeroPoint && zeroPoint->operand)
      inputs.push_back(*zeroPoint->operand);
  }
};

std::optional<QuantParams> getQuantParams(OpBuilder &b, Location loc,
                                          Value scale, Value zeroPoint,
                                          ArrayRef<int64_t> shape, int64_t axis,
                                          int64_t blockSize, std::string &why) {
  auto s = getQuantParam(b, loc, scale, shape, axis, blockSize, why);
  std::optional<QuantParam> zp;
  if (zeroPoint) {
    std::string zpWhy;
    zp = getQuantParam(b, loc, zeroPoint, shape, axis, blockSize, zpWhy);
    if (!zp) {
      why = "zero point: " + zpWhy;
      return std::nullopt;
    }
  }
  if (!s) {
    why = "scale: " + why;
    return std::nullopt;
  }
  return QuantParams{*s, zp};
}

/// The scalar of `param` at the current loop position; `args` are the block
/// arguments, `next` the position of the next unused one.
Value readParam(OpBuilder &b, Location loc, const QuantParam &param,
                ValueRange args, unsigned &next, int64_t rank, int64_t axis,
                int64_t blockSize) {
  if (param.operand)
    return args[next++];
  SmallVector<Value> idx;
  for (int64_t d = 0; d < rank; ++d) {
    Value i = linalg::IndexOp::create(b, loc, d);
    if (d == axis)
      i = arith::DivUIOp::create(b, loc, i, constIndex(b, loc, blockSize));
    idx.push_back(i);
  }
  return toSignlessScalar(
      b, loc, tensor::ExtractOp::create(b, loc, param.value, idx));
}

bool isPlainInt(Type type, ArrayRef<unsigned> widths) {
  auto intType = dyn_cast<IntegerType>(type);
  return intType && llvm::is_contained(widths, intType.getWidth());
}

struct QuantizeLinearPattern : LoweringPattern<graph::QuantizeLinearOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QuantizeLinearOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Type outType = yType.getElementType();
    Type xElement = xType.getElementType();
    Type scaleElement =
        cast<RankedTensorType>(op.getYScale().getType()).getElementType();
    // float8/float4 outputs: x / scale cast with `saturate` (NarrowTypes.h).
    bool narrowFloatOut = isNarrowFloat(outType);
    if ((!isPlainInt(outType, {2, 4, 8, 16}) && !narrowFloatOut) ||
        !isa<FloatType>(xElement) || !isa<FloatType>(scaleElement))
      return rewriter.notifyMatchFailure(
          op, "needs a float input and scale and a 2-, 4-, 8- or 16-bit "
              "integer or a float8/float4 output");
    int64_t rank = xType.getRank();
    // An axis out of range only matters to per-axis and blocked parameters.
    std::optional<int64_t> axis =
        normalizeAxis(op.getAxis(), rank).value_or(-1);
    int64_t blockSize = op.getBlockSize();
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = xType.getShape();
    std::string why;
    std::optional<QuantParams> params =
        getQuantParams(rewriter, loc, op.getYScale(), op.getYZeroPoint(), shape,
                       *axis, blockSize, why);
    if (!params)
      return rewriter.notifyMatchFailure(op, why);
    const QuantParam &scale = params->scale;
    const std::optional<QuantParam> &zeroPoint = params->zeroPoint;
    // The type of the division: x's, or `precision` (f32/f64 only).
    Type divType = xElement;
    if (int64_t precision = op.getPrecision()) {
      if (precision == 1)
        divType = rewriter.getF32Type();
      else if (precision == 11)
        divType = rewriter.getF64Type();
      else
        return rewriter.notifyMatchFailure(
            op, "precision must be 0, 1 (float) or 11 (double)");
    }
    bool outUnsigned = isUnsignedInt(outType);
    unsigned width = outType.getIntOrFloatBitWidth();
    double lo = outUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
    double hi = outUnsigned ? std::ldexp(1.0, width) - 1
                            : std::ldexp(1.0, width - 1) - 1;
    // Rounding and clamping in f32 are exact for 8- and 16-bit ranges; f64
    // when the division is f64.
    Type roundType = divType.isF64() ? divType : rewriter.getF32Type();
    Type zpType = op.getYZeroPoint()
                      ? cast<RankedTensorType>(op.getYZeroPoint().getType())
                            .getElementType()
                      : Type();

    SmallVector<LoopOperand> inputs = {
        {op.getX(), rewriter.getMultiDimIdentityMap(rank)}};
    params->appendOperands(inputs);
    Value result = buildParallel(
        rewriter, loc, inputs, shape, outType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          unsigned next = 1;
          Value s = readParam(b, l, scale, a, next, rank, *axis, blockSize);
          Value x = convertScalar(b, l, a[0], divType, false, false);
          s = convertScalar(b, l, s, divType, false, false);
          Value q = arith::DivFOp::create(b, l, x, s);
          if (narrowFloatOut) {
            // Like the reference: the zero point is added for float4 only.
            if (zeroPoint && isa<Float4E2M1FNType>(outType)) {
              Value zp =
                  readParam(b, l, *zeroPoint, a, next, rank, *axis, blockSize);
              q = arith::AddFOp::create(
                  b, l, q, convertScalar(b, l, zp, divType, false, false));
            }
            return buildNarrowCast(b, l, q, outType, false, false,
                                   op.getSaturate() != 0, "nearest");
          }
          q = convertScalar(b, l, q, roundType, false, false);
          q = math::RoundEvenOp::create(b, l, q);
          if (zeroPoint) {
            Value zp =
                readParam(b, l, *zeroPoint, a, next, rank, *axis, blockSize);
            q = arith::AddFOp::create(
                b, l, q,
                convertScalar(b, l, zp, roundType, isUnsignedInt(zpType),
                              false));
          }
          q = arith::MaximumFOp::create(b, l, q, constScalar(b, l, roundType, lo));
          q = arith::MinimumFOp::create(b, l, q, constScalar(b, l, roundType, hi));
          return convertScalar(b, l, q, toSignless(outType), false,
                               outUnsigned);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DequantizeLinearPattern : LoweringPattern<graph::DequantizeLinearOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::DequantizeLinearOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Type xElement = xType.getElementType();
    Type outType = yType.getElementType();
    // float8/float4 inputs are decoded (exactly) and their zero point, zero
    // for float8, is ignored like the reference does.
    bool narrowFloatIn = isNarrowFloat(xElement);
    if ((!isPlainInt(xElement, {2, 4, 8, 16, 32}) && !narrowFloatIn) ||
        !isa<FloatType>(outType))
      return rewriter.notifyMatchFailure(
          op, "needs a 2-, 4-, 8-, 16- or 32-bit integer or a float8/float4 "
              "input and a float output");
    int64_t rank = xType.getRank();
    // An axis out of range only matters to per-axis and blocked parameters.
    std::optional<int64_t> axis =
        normalizeAxis(op.getAxis(), rank).value_or(-1);
    int64_t blockSize = op.getBlockSize();
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = xType.getShape();
    std::string why;
    std::optional<QuantParams> params =
        getQuantParams(rewriter, loc, op.getXScale(), op.getXZeroPoint(), shape,
                       *axis, blockSize, why);
    if (!params)
      return rewriter.notifyMatchFailure(op, why);
    const QuantParam &scale = params->scale;
    const std::optional<QuantParam> &zeroPoint = params->zeroPoint;
    bool xUnsigned = isUnsignedInt(xElement);
    Type f32 = rewriter.getF32Type();
    SmallVector<LoopOperand> inputs = {
        {op.getX(), rewriter.getMultiDimIdentityMap(rank)}};
    params->appendOperands(inputs);
    Value result = buildParallel(
        rewriter, loc, inputs, shape, outType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          unsigned next = 1;
          Value s = readParam(b, l, scale, a, next, rank, *axis, blockSize);
          Value x = convertScalar(b, l, a[0], f32, xUnsigned, false);
          if (zeroPoint && !narrowFloatIn) {
            Value zp =
                readParam(b, l, *zeroPoint, a, next, rank, *axis, blockSize);
            x = arith::SubFOp::create(
                b, l, x, convertScalar(b, l, zp, f32, xUnsigned, false));
          }
          Value y = arith::MulFOp::create(
              b, l, x, convertScalar(b, l, s, f32, false, false));
          return convertScalar(b, l, y, outType, false, false);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateQuantizePatterns(RewritePatternSet &patterns) {
  patterns.add<QuantizeLinearPattern, DequantizeLinearPattern>(
      patterns.getContext());
  populateQuantOpsPatterns(patterns);
}

} // namespace aicc::lowering
