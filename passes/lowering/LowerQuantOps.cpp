//===- LowerQuantOps.cpp - Quantized operators to integer linalg ----------===//
//
// The QOperator ops of the default domain (QLinearConv, QLinearMatMul,
// ConvInteger, DynamicQuantizeLinear; MatMulInteger is in LowerMatmul.cpp)
// and ONNX Runtime's com.microsoft quantized ops (GraphContribOps.td).
//
// Products are integer: both operands are widened to i32 with their zero
// points subtracted ((x - x_zero_point) * (w - w_zero_point), exact for 8-bit
// inputs) and accumulated in i32; an int32 bias is added to the accumulator.
// Per-channel weight zero points are subtracted along their axis (output
// channel of a conv, column of a matmul). Padding of integer convolutions
// pads x - x_zero_point with 0, i.e. x with its zero point.
//
// Requantization (the rounding that must match ONNX and ONNX Runtime):
//   multiplier = x_scale * w_scale[c] / y_scale          (f32, in this order)
//   y = saturate(round_half_to_even(f32(acc) * multiplier) + y_zero_point)
// where saturate clamps to the output type's range (0..255 for u8,
// -128..127 for i8). This is ONNX's QuantizeLinear rounding (rint, half to
// even) and MLAS's requantization (multiply in f32, vcvtps2dq with the
// default round-to-nearest-even mode, add the zero point, clamp). The
// multiplier is a float, not a fixed-point multiplier and shift: the two
// differ in the last bit for some products, and f32 is what ORT computes.
//
// QLinearAdd, QLinearMul and QLinearSoftmax reproduce ONNX Runtime's
// kernels step by step (see their patterns): deep networks amplify any
// one-step difference. The other elementwise and pooling contrib ops are
// computed on dequantized floats and quantized with the same rounding:
//   dequantize(x) = f32(x - x_zero_point) * x_scale
//   quantize(v)   = saturate(round_half_to_even(v / y_scale) + y_zero_point)
// QLinearAveragePool becomes DequantizeLinear-like generics around the
// float AveragePool graph op (transposes for channels_last), which the
// other lowerings take over, quantized with the zero point added before the
// rounding (ONNX Runtime's kernel); QLinearGlobalAveragePool sums the integers
// exactly and rounds once (MLAS's kernel, see its pattern). QLinearSoftmax
// follows ONNX Runtime's kernel step by step (see QLinearSoftmaxPattern), as
// its results depend on it.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/ConstantData.h"
#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

using namespace mlir;

namespace aicc::lowering {
namespace {

bool isI8OrU8(Type type) {
  auto intType = dyn_cast<IntegerType>(type);
  return intType && intType.getWidth() == 8;
}

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

/// Reads a scale or zero point in a loop nest of `shape`: per tensor (one
/// element) or per axis (1-D of the size of dim `axis`; `axis` < 0 allows
/// per tensor only). Nullopt when it is neither.
std::optional<LoopOperand> readQuantParam(OpBuilder &b, Location loc,
                                          Value param, ArrayRef<int64_t> shape,
                                          int64_t axis) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getNumElements() == 1)
    return LoopOperand{reshapeTo(b, loc, param, {}),
                       AffineMap::get(shape.size(), 0, b.getContext())};
  if (axis < 0 || type.getRank() != 1 || type.getDimSize(0) != shape[axis])
    return std::nullopt;
  return readInto(b, loc, param, shape, {axis});
}

/// A scalar to f32 (`type` gives its signedness).
Value toF32(OpBuilder &b, Location loc, Value scalar, Type type) {
  return convertScalar(b, loc, scalar, b.getF32Type(), isUnsignedInt(type),
                       false);
}

/// saturate(round_half_to_even(v) + zeroPoint) in `outType` (i8/ui8); `v`
/// and `zeroPoint` (may be null) are f32.
Value roundAndSaturate(OpBuilder &b, Location loc, Value v, Value zeroPoint,
                       Type outType) {
  Type f32 = b.getF32Type();
  v = math::RoundEvenOp::create(b, loc, v);
  if (zeroPoint)
    v = arith::AddFOp::create(b, loc, v, zeroPoint);
  bool isUnsigned = isUnsignedInt(outType);
  unsigned width = outType.getIntOrFloatBitWidth();
  double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double hi =
      isUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  v = arith::MaximumFOp::create(b, loc, v, constScalar(b, loc, f32, lo));
  v = arith::MinimumFOp::create(b, loc, v, constScalar(b, loc, f32, hi));
  return convertScalar(b, loc, v, toSignless(outType), false, isUnsigned);
}

/// An i32 tensor x - zeroPoint (zeroPoint per tensor or along `axis`).
FailureOr<Value> widenMinusZeroPoint(OpBuilder &b, Location loc, Value x,
                                     Value zeroPoint, int64_t axis) {
  auto xType = cast<RankedTensorType>(x.getType());
  ArrayRef<int64_t> shape = xType.getShape();
  Type i32 = b.getI32Type();
  bool xUnsigned = isUnsignedInt(xType.getElementType());
  SmallVector<LoopOperand> inputs = {
      {x, b.getMultiDimIdentityMap(shape.size())}};
  bool zpUnsigned = false;
  if (zeroPoint) {
    auto zp = readQuantParam(b, loc, zeroPoint, shape, axis);
    if (!zp)
      return failure();
    inputs.push_back(*zp);
    zpUnsigned = isUnsignedInt(elementTypeOf(zeroPoint));
  }
  return buildParallel(
      b, loc, inputs, shape, i32,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value v = convertScalar(nb, l, args[0], i32, xUnsigned, false);
        if (args.size() > 1)
          v = arith::SubIOp::create(
              nb, l, v, convertScalar(nb, l, args[1], i32, zpUnsigned, false));
        return v;
      });
}

/// One factor of a requantization multiplier: a scale read per tensor or
/// along `axis` of the accumulator.
struct ScaleTerm {
  Value scale;
  int64_t axis = -1;
};

/// The values of a constant f32 tensor (graph.constant, dense or resource),
/// row-major; std::nullopt for anything else.
std::optional<std::vector<float>> constantF32s(Value v) {
  auto constant = v ? v.getDefiningOp<graph::ConstantOp>() : nullptr;
  if (!constant)
    return std::nullopt;
  ElementsAttr value = constant.getValue();
  auto type = cast<RankedTensorType>(value.getType());
  if (!type.getElementType().isF32())
    return std::nullopt;
  int64_t n = type.getNumElements();
  std::vector<float> out;
  out.reserve(n);
  if (auto dense = dyn_cast<DenseFPElementsAttr>(value)) {
    for (const APFloat &x : dense.getValues<APFloat>())
      out.push_back(x.convertToFloat());
    return out;
  }
  std::optional<ArrayRef<char>> data = graph::getElementBytes(value);
  if (!data)
    return std::nullopt;
  out.resize(n);
  memcpy(out.data(), data->data(), n * 4);
  return out;
}

/// The requantization multiplier scales[0] * scales[1] ... [* alpha] /
/// yScale computed at compile time when every scale is an f32 constant, per
/// tensor or along one axis of the accumulator: the same f32 operations in
/// the same order as the kernel would compute per element (so the same
/// bits), as an f32 constant of one element or of that axis' size. The
/// kernel then multiplies the accumulator by it: no per-element division.
std::optional<ScaleTerm> foldMultiplier(OpBuilder &b, Location loc,
                                        ArrayRef<ScaleTerm> scales,
                                        double alpha, Value yScale,
                                        ArrayRef<int64_t> shape) {
  std::optional<std::vector<float>> ys = constantF32s(yScale);
  if (!ys || ys->size() != 1 || scales.empty())
    return std::nullopt;
  int64_t n = 1, axis = -1;
  std::vector<std::vector<float>> values;
  for (const ScaleTerm &term : scales) {
    std::optional<std::vector<float>> v = constantF32s(term.scale);
    if (!v || v->empty())
      return std::nullopt;
    if (v->size() != 1) {
      if (term.axis < 0 || term.axis >= (int64_t)shape.size() ||
          (int64_t)v->size() != shape[term.axis] ||
          cast<RankedTensorType>(term.scale.getType()).getRank() != 1 ||
          (axis >= 0 && axis != term.axis))
        return std::nullopt;
      axis = term.axis;
      n = v->size();
    }
    values.push_back(std::move(*v));
  }
  std::vector<float> m(n);
  for (int64_t i = 0; i < n; ++i) {
    float x = 0;
    for (size_t k = 0; k < values.size(); ++k) {
      float s = values[k].size() == 1 ? values[k][0] : values[k][i];
      x = k == 0 ? s : x * s;
    }
    if (alpha != 1.0)
      x = x * (float)alpha;
    m[i] = x / ys->front();
  }
  SmallVector<int64_t> mShape;
  if (axis >= 0)
    mShape.push_back(n);
  auto type = RankedTensorType::get(mShape, b.getF32Type());
  Value c = graph::ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, ArrayRef<float>(m)));
  return ScaleTerm{c, axis};
}

/// `v` through max(v, -|v|), which changes no value: an IEEE-dependent op,
/// so LinalgToHalide computes its whole expression (v's included) with
/// Halide::strict_float, each operation rounded as written: no multiply
/// contracted with an addition into a fused multiply-add, no reassociation.
Value computedStrictly(OpBuilder &b, Location loc, Value v) {
  return arith::MaximumFOp::create(
      b, loc, v,
      arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, v)));
}

/// round_f32(x + z) for f32 x and z, through f64: rounded once to f32 as an
/// f32 addition would be (the f64 sum of two f32 values rounds to the same
/// f32 value: 53 >= 2 * 24 + 2 bits), but the multiply producing x cannot
/// be contracted with it into a fused multiply-add (Halide's fast-math
/// kernels allow that). Used for a zero point.
Value addRoundedOnce(OpBuilder &b, Location loc, Value x, Value z) {
  Type f64 = b.getF64Type();
  Value wx = convertScalar(b, loc, x, f64, false, false);
  Value wz = convertScalar(b, loc, z, f64, false, false);
  Value sum = arith::AddFOp::create(b, loc, wx, wz);
  return convertScalar(b, loc, sum, b.getF32Type(), false, false);
}

/// Requantizes (or, with a null yScale, converts to f32) the i32
/// accumulator: f32(acc) * (scales[0] * scales[1] ... [* alpha] / yScale),
/// then roundAndSaturate with yZeroPoint, or + `bias` (f32, broadcast along
/// the last dim) for a float result. See the file comment for the rounding.
FailureOr<Value> requantize(OpBuilder &b, Location loc, Value acc,
                            ArrayRef<ScaleTerm> scales, double alpha,
                            Value yScale, Value yZeroPoint, Type outType,
                            Value bias = nullptr) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(acc.getType()).getShape();
  int64_t rank = shape.size();
  SmallVector<LoopOperand> inputs = {{acc, b.getMultiDimIdentityMap(rank)}};
  SmallVector<Type> scaleTypes;
  // Constant scales: one multiplier per channel, folded here.
  std::optional<ScaleTerm> folded;
  if (yScale)
    folded = foldMultiplier(b, loc, scales, alpha, yScale, shape);
  SmallVector<ScaleTerm> foldedScales;
  if (folded) {
    foldedScales.push_back(*folded);
    scales = foldedScales;
    alpha = 1.0;
  }
  for (const ScaleTerm &term : scales) {
    auto operand = readQuantParam(b, loc, term.scale, shape, term.axis);
    if (!operand)
      return failure();
    inputs.push_back(*operand);
    scaleTypes.push_back(elementTypeOf(term.scale));
  }
  if (yScale && !folded) {
    auto operand = readQuantParam(b, loc, yScale, shape, -1);
    if (!operand)
      return failure();
    inputs.push_back(*operand);
  }
  Type zpType;
  if (yZeroPoint) {
    auto operand = readQuantParam(b, loc, yZeroPoint, shape, -1);
    if (!operand)
      return failure();
    inputs.push_back(*operand);
    zpType = elementTypeOf(yZeroPoint);
  }
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() == 1 && rank >= 1 &&
        biasType.getDimSize(0) == shape.back())
      inputs.push_back(readInto(b, loc, bias, shape, {rank - 1}));
    else
      inputs.push_back(broadcastInto(b, loc, bias, shape));
  }
  Type yScaleType = yScale ? elementTypeOf(yScale) : Type();
  return buildParallel(
      b, loc, inputs, shape, outType,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        Type f32 = nb.getF32Type();
        unsigned next = 1;
        Value multiplier;
        for (Type t : scaleTypes) {
          Value s = toF32(nb, l, args[next++], t);
          multiplier =
              multiplier ? arith::MulFOp::create(nb, l, multiplier, s) : s;
        }
        if (alpha != 1.0)
          multiplier = arith::MulFOp::create(nb, l, multiplier,
                                             constScalar(nb, l, f32, alpha));
        if (yScale && !folded)
          multiplier = arith::DivFOp::create(
              nb, l, multiplier, toF32(nb, l, args[next++], yScaleType));
        Value v = convertScalar(nb, l, args[0], f32, false, false);
        v = arith::MulFOp::create(nb, l, v, multiplier);
        if (!yScale) {
          // ONNX Runtime (MLAS's QGEMM output processor) rounds the
          // product, then the bias addition.
          if (bias)
            v = computedStrictly(
                nb, l, arith::AddFOp::create(nb, l, v, args[next++]));
          return v;
        }
        Value zp = yZeroPoint ? toF32(nb, l, args[next++], zpType) : Value();
        return roundAndSaturate(nb, l, v, zp, outType);
      });
}

/// Creates a graph op generically (the lowering then converts it too).
Value createGraphOp(OpBuilder &b, Location loc, StringRef name,
                    ValueRange operands, Type resultType,
                    ArrayRef<NamedAttribute> attrs = {}) {
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addTypes(resultType);
  state.addAttributes(attrs);
  return b.create(state)->getResult(0);
}

/// graph.MatMulInteger of a and b with optional zero points (i32 result).
Value createMatMulInteger(OpBuilder &b, Location loc, Value a, Value bm,
                          Value aZeroPoint, Value bZeroPoint,
                          ArrayRef<int64_t> shape) {
  SmallVector<Value> operands = {a, bm};
  if (aZeroPoint)
    operands.push_back(aZeroPoint);
  if (bZeroPoint)
    operands.push_back(bZeroPoint);
  NamedAttribute segments = b.getNamedAttr(
      "operandSegmentSizes",
      b.getDenseI32ArrayAttr({1, 1, aZeroPoint ? 1 : 0, bZeroPoint ? 1 : 0}));
  return createGraphOp(b, loc, "graph.MatMulInteger", operands,
                       RankedTensorType::get(shape, b.getI32Type()),
                       {segments});
}

/// graph.Transpose of a static tensor by `perm`.
Value createTranspose(OpBuilder &b, Location loc, Value x,
                      ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  return createGraphOp(b, loc, "graph.Transpose", {x},
                       RankedTensorType::get(shape, type.getElementType()),
                       {b.getNamedAttr("perm", b.getDenseI64ArrayAttr(perm))});
}

//===----------------------------------------------------------------------===//
// Integer convolutions
//===----------------------------------------------------------------------===//

/// The i32 convolution (x - x_zero_point) * (w - w_zero_point) of ConvInteger
/// and QLinearConv, w_zero_point per tensor or per output channel.
template <typename OpTy>
FailureOr<Value> buildIntegerConv(OpTy op, PatternRewriter &rewriter,
                                  Value xZeroPoint, Value wZeroPoint,
                                  ArrayRef<int64_t> yShape, std::string &why) {
  Value x = op.getX(), w = op.getW();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  int64_t group = op.getGroup();
  if (xType.getRank() < 3 || group <= 0 ||
      xType.getDimSize(1) != wType.getDimSize(1) * group ||
      wType.getDimSize(0) % group != 0) {
    why = "the input channels must be group times the weight channels, and "
          "the output channels a multiple of group";
    return failure();
  }
  auto params =
      getWindowParams(xType.getShape().drop_front(2), yShape.drop_front(2),
                      wType.getShape().drop_front(2), op.getStrides(),
                      op.getDilations(), op.getPads(), op.getAutoPad());
  if (!params) {
    why = "kernel_shape, strides, dilations, pads or auto_pad are malformed "
          "or unsupported";
    return failure();
  }
  Location loc = op.getLoc();
  auto xWide = widenMinusZeroPoint(rewriter, loc, x, xZeroPoint, -1);
  if (failed(xWide)) {
    why = "x_zero_point must be per tensor";
    return failure();
  }
  auto wWide = widenMinusZeroPoint(rewriter, loc, w, wZeroPoint, 0);
  if (failed(wWide)) {
    why = "w_zero_point must be per tensor or per output channel";
    return failure();
  }
  Type i32 = rewriter.getI32Type();
  // Padding the windows never read is not added (as buildNarrowIntegerConv).
  SmallVector<int64_t> padEnd(params->padEnd.begin(), params->padEnd.end());
  for (size_t i = 0; i < params->kernel.size(); ++i) {
    int64_t needed = (yShape[i + 2] - 1) * params->strides[i] +
                     (params->kernel[i] - 1) * params->dilations[i] + 1;
    int64_t available =
        xType.getDimSize(i + 2) + params->padBegin[i] + padEnd[i];
    padEnd[i] -= std::clamp<int64_t>(available - needed, 0, padEnd[i]);
  }
  Value input = padSpatial(rewriter, loc, *xWide, params->padBegin, padEnd,
                           constScalar(rewriter, loc, i32, 0));
  // Crop what the windows never read so named ops see consistent shapes.
  auto paddedType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> sizes(paddedType.getShape());
  bool trim = false;
  for (size_t i = 0; i < params->kernel.size(); ++i) {
    int64_t needed = (yShape[i + 2] - 1) * params->strides[i] +
                     (params->kernel[i] - 1) * params->dilations[i] + 1;
    if (needed < sizes[i + 2]) {
      sizes[i + 2] = needed;
      trim = true;
    }
  }
  if (trim) {
    SmallVector<int64_t> offsets(sizes.size(), 0), ones(sizes.size(), 1);
    input = tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get(sizes, i32), input, ValueRange{},
        ValueRange{}, ValueRange{}, offsets, sizes, ones);
  }
  Value init =
      createFilled(rewriter, loc, yShape, constScalar(rewriter, loc, i32, 0));
  return buildConv(rewriter, loc, input, *wWide, init, params->strides,
                   params->dilations, group);
}

/// The integers of a constant 8- or 32-bit integer tensor (graph.constant,
/// dense or resource), row-major; std::nullopt for anything else.
std::optional<std::vector<int64_t>> constantInts(Value v) {
  auto constant = v.getDefiningOp<graph::ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr value = constant.getValue();
  auto type = cast<RankedTensorType>(value.getType());
  auto intType = dyn_cast<IntegerType>(type.getElementType());
  if (!intType || (intType.getWidth() != 8 && intType.getWidth() != 32))
    return std::nullopt;
  int64_t n = type.getNumElements();
  bool isUnsigned = intType.isUnsigned();
  unsigned width = intType.getWidth();
  std::vector<int64_t> out;
  out.reserve(n);
  if (auto dense = dyn_cast<DenseIntElementsAttr>(value)) {
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(isUnsigned ? (int64_t)x.getZExtValue() : x.getSExtValue());
    return out;
  }
  std::optional<ArrayRef<char>> data = graph::getElementBytes(value);
  if (!data)
    return std::nullopt;
  for (int64_t i = 0; i < n; ++i) {
    if (width == 8) {
      auto byte = (uint8_t)(*data)[i];
      out.push_back(isUnsigned ? (int64_t)byte : (int64_t)(int8_t)byte);
    } else {
      int32_t word;
      memcpy(&word, data->data() + 4 * i, 4);
      out.push_back(isUnsigned ? (int64_t)(uint32_t)word : (int64_t)word);
    }
  }
  return out;
}

/// An i8 weight constant of `shape` holding `bytes`, named after `w`'s
/// location with ".i8" appended (the narrow lowerings' repacked weights).
Value createI8Weights(OpBuilder &b, Value w, ArrayRef<int64_t> shape,
                      ArrayRef<char> bytes) {
  std::string name = "weights";
  if (auto nameLoc = dyn_cast<NameLoc>(w.getLoc()))
    name = nameLoc.getName().str();
  return graph::ConstantOp::create(
      b, w.getLoc(),
      DenseResourceElementsAttr::get(
          RankedTensorType::get(shape, b.getI8Type()), name + ".i8",
          HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                        alignof(uint64_t))));
}

/// `x` (u8 or i8) as a signless i8 tensor: u8 is reinterpreted by an
/// elementwise kernel, i8 is returned as it is.
Value toSignlessI8(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  if (!isUnsignedInt(type.getElementType()))
    return x;
  return buildElementwise(
      b, loc, {x}, type.getShape(), b.getI8Type(),
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

/// The body of a narrow multiply-add: args[0] * args[1] widened to i32 (u8
/// zero-, s8 sign-extended) added to the accumulator args[2].
void yieldWidenedMultiplyAdd(OpBuilder &nb, Location l, ValueRange args,
                             bool xUnsigned, bool wUnsigned) {
  Type i32 = nb.getI32Type();
  Value xs = toSignlessScalar(nb, l, args[0]);
  Value ws = toSignlessScalar(nb, l, args[1]);
  xs = xUnsigned ? arith::ExtUIOp::create(nb, l, i32, xs).getResult()
                 : arith::ExtSIOp::create(nb, l, i32, xs).getResult();
  ws = wUnsigned ? arith::ExtUIOp::create(nb, l, i32, ws).getResult()
                 : arith::ExtSIOp::create(nb, l, i32, ws).getResult();
  Value prod = arith::MulIOp::create(nb, l, xs, ws);
  linalg::YieldOp::create(
      nb, l, arith::AddIOp::create(nb, l, args[2], prod).getResult());
}

/// The zero points the narrow lowerings accept: `xZeroPoint` absent or one
/// constant element (returned; 0 when absent) and `wZeroPoint` absent or
/// all zero; std::nullopt otherwise.
std::optional<int64_t> narrowZeroPoint(Value xZeroPoint, Value wZeroPoint) {
  int64_t zx = 0;
  if (xZeroPoint) {
    auto zp = constantInts(xZeroPoint);
    if (!zp || zp->size() != 1)
      return std::nullopt;
    zx = zp->front();
  }
  if (wZeroPoint) {
    auto zp = constantInts(wZeroPoint);
    if (!zp || llvm::any_of(*zp, [](int64_t v) { return v != 0; }))
      return std::nullopt;
  }
  return zx;
}

/// The i32 accumulator of a grouped narrow convolution (see
/// buildNarrowIntegerConv): `input` is x as signless 8-bit, padded with its
/// zero point and cropped to what the windows read, `weights` the constant
/// w ([F][C/G][Kh][Kw]). A depthwise convolution (one input and one output
/// channel per group) is a generic over n, c, oh, ow, kh, kw reading x
/// [N][C][H][W] and w as a [C][Kh][Kw] constant: no reduction over channels,
/// so the schedule vectorizes the output pixels (or channels) and each tap
/// is one widening multiply-add per vector. Other groups: x and the result
/// are split into [N][G][C/G] / [N][G][F/G] and the loops are n, g, m, oh,
/// ow, c, kh, kw.
Value buildNarrowGroupedConv(
    OpBuilder &b, Location loc, Value input, Value w,
    const std::vector<int64_t> &weights, ArrayRef<int64_t> yShape,
    int64_t group, ArrayRef<int64_t> s, ArrayRef<int64_t> dl,
    function_ref<void(OpBuilder &, Location, ValueRange)> multiplyAdd) {
  MLIRContext *ctx = b.getContext();
  Type i32 = b.getI32Type();
  auto wType = cast<RankedTensorType>(w.getType());
  ArrayRef<int64_t> ws = wType.getShape();
  ArrayRef<int64_t> xs = cast<RankedTensorType>(input.getType()).getShape();
  int64_t f = ws[0], cg = ws[1], mg = f / group;
  std::vector<char> bytes(weights.size());
  for (size_t i = 0; i < weights.size(); ++i)
    bytes[i] = (char)(uint8_t)weights[i];
  bool depthwise = cg == 1 && mg == 1;
  SmallVector<int64_t> wShape =
      depthwise ? SmallVector<int64_t>{f, ws[2], ws[3]}
                : SmallVector<int64_t>{group, mg, cg, ws[2], ws[3]};
  Value weight = createI8Weights(b, w, wShape, bytes);
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  if (depthwise) {
    int64_t numLoops = 6;
    SmallVector<AffineMap> maps = {
        AffineMap::get(numLoops, 0,
                       {d(0), d(1), d(2) * s[0] + d(4) * dl[0],
                        d(3) * s[1] + d(5) * dl[1]},
                       ctx),
        AffineMap::get(numLoops, 0, {d(1), d(4), d(5)}, ctx),
        AffineMap::get(numLoops, 0, {d(0), d(1), d(2), d(3)}, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    Value init = createFilled(b, loc, yShape, constScalar(b, loc, i32, 0));
    return linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                     ValueRange{input, weight},
                                     ValueRange{init}, maps, iterators,
                                     multiplyAdd)
        .getResult(0);
  }
  Value x5 = reshapeTo(b, loc, input, {xs[0], group, cg, xs[2], xs[3]});
  SmallVector<int64_t> outShape = {yShape[0], group, mg, yShape[2],
                                   yShape[3]};
  int64_t numLoops = 8;
  SmallVector<AffineMap> maps = {
      AffineMap::get(numLoops, 0,
                     {d(0), d(1), d(5), d(3) * s[0] + d(6) * dl[0],
                      d(4) * s[1] + d(7) * dl[1]},
                     ctx),
      AffineMap::get(numLoops, 0, {d(1), d(2), d(5), d(6), d(7)}, ctx),
      AffineMap::get(numLoops, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx)};
  SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
  iterators.append(3, utils::IteratorType::reduction);
  Value init = createFilled(b, loc, outShape, constScalar(b, loc, i32, 0));
  Value acc =
      linalg::GenericOp::create(b, loc, TypeRange{init.getType()},
                                ValueRange{x5, weight}, ValueRange{init}, maps,
                                iterators, multiplyAdd)
          .getResult(0);
  return reshapeTo(b, loc, acc, yShape);
}

/// The narrow integer convolution of QLinearConv and ConvInteger: x and w
/// stay 8-bit and are widened to i32 only inside the multiply-add, and the
/// zero points become one per-channel constant. With w_zero_point 0 (ONNX
/// Runtime's symmetric s8 weights) and x padded with its zero point,
///   sum (x - x_zp) * w = sum x * w - x_zp * sum w
/// over the whole window, so the compensation -x_zp * sum_{c,k} w[f] (plus
/// the int32 bias, when constant) is computed at compile time and added to
/// the accumulator. The input channels (padded to a multiple of 4) are
/// split into [C/4][4] with the 4 as the innermost reduction loop: the shape of
/// the dot products of 4 u8 x s8 that AVX512-VNNI's vpdpbusd computes (the
/// avx512 target's schedule vectorizes it; other schedules see a plain loop).
///
/// Grouped and depthwise convolutions (group > 1) take the same form
/// without the [C/4][4] split (see buildNarrowGroupedConv).
///
/// Applies to 2-D convolutions with a constant weight, a per-tensor constant
/// x_zero_point and zero w_zero_point; std::nullopt (the widening lowering)
/// otherwise. `bias` (i32, per channel) is added.
template <typename OpTy>
std::optional<Value>
buildNarrowIntegerConv(OpTy op, PatternRewriter &rewriter, Value xZeroPoint,
                       Value wZeroPoint, Value bias, ArrayRef<int64_t> yShape) {
  Value x = op.getX(), w = op.getW();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  int64_t group = op.getGroup();
  if (xType.getRank() != 4 || group < 1 ||
      !isI8OrU8(xType.getElementType()) || !isI8OrU8(wType.getElementType()) ||
      xType.getDimSize(1) != wType.getDimSize(1) * group ||
      wType.getDimSize(0) % group != 0)
    return std::nullopt;
  std::optional<std::vector<int64_t>> weights = constantInts(w);
  if (!weights)
    return std::nullopt;
  std::optional<int64_t> zeroPoint = narrowZeroPoint(xZeroPoint, wZeroPoint);
  if (!zeroPoint)
    return std::nullopt;
  int64_t zx = *zeroPoint;
  std::optional<std::vector<int64_t>> biasValues;
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != yShape[1])
      return std::nullopt;
    biasValues = constantInts(bias);
  }
  auto params =
      getWindowParams(xType.getShape().drop_front(2), yShape.drop_front(2),
                      wType.getShape().drop_front(2), op.getStrides(),
                      op.getDilations(), op.getPads(), op.getAutoPad());
  if (!params)
    return std::nullopt;

  Location loc = op.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  Type i32 = rewriter.getI32Type(), i8 = rewriter.getI8Type();
  bool xUnsigned = isUnsignedInt(xType.getElementType());
  bool wUnsigned = isUnsignedInt(wType.getElementType());

  // The channels padded to a multiple of 4 (x with its zero point, w with
  // 0, which adds nothing to the accumulator or the compensation); grouped
  // convolutions keep their channels.
  int64_t c = xType.getDimSize(1),
          c4 = group == 1 ? (int64_t)llvm::alignTo(c, 4) : c;
  // Padding the windows never read (the last row and column of a stride-2
  // 3x3 conv on an even input) is not added, as the float lowering does:
  // a pad that the crop below then cuts would be a slice kernel between
  // the pad and the conv, and the avx512 target folds only a pad directly
  // under its conv (a stride-2 depthwise conv is then one kernel).
  SmallVector<int64_t> padEnd(params->padEnd.begin(), params->padEnd.end());
  for (size_t i = 0; i < 2; ++i) {
    int64_t needed = (yShape[i + 2] - 1) * params->strides[i] +
                     (wType.getDimSize(i + 2) - 1) * params->dilations[i] + 1;
    int64_t available =
        xType.getDimSize(i + 2) + params->padBegin[i] + padEnd[i];
    padEnd[i] -= std::clamp<int64_t>(available - needed, 0, padEnd[i]);
  }
  SmallVector<int64_t> padLow = {0, 0, params->padBegin[0],
                                 params->padBegin[1]},
                       padHigh = {0, c4 - c, padEnd[0], padEnd[1]};
  bool padded = llvm::any_of(padLow, [](int64_t v) { return v != 0; }) ||
                llvm::any_of(padHigh, [](int64_t v) { return v != 0; });
  // x padded with its zero point (as signless i8: tensor.pad needs an arith
  // constant, which cannot be unsigned). Unpadded and ungrouped (a 1x1
  // conv), u8 x is read as it is (the multiply-add reinterprets each
  // element): no copy kernel that only changes the element type.
  Value input = padded || group != 1 ? toSignlessI8(rewriter, loc, x) : x;
  Type inputElement = cast<RankedTensorType>(input.getType()).getElementType();
  input = padWith(rewriter, loc, input, padLow, padHigh,
                  constInt(rewriter, loc, i8, zx));
  // The weights as a signless [F][C/4][4][Kh][Kw] constant.
  auto weightConstant = [&]() -> Value {
    ArrayRef<int64_t> ws = wType.getShape();
    int64_t window = ws[2] * ws[3];
    std::vector<char> bytes(ws[0] * c4 * window, 0);
    for (int64_t o = 0; o < ws[0]; ++o)
      for (int64_t i = 0; i < c * window; ++i)
        bytes[o * c4 * window + i] =
            (char)(uint8_t)(*weights)[o * c * window + i];
    return createI8Weights(rewriter, w, {ws[0], c4 / 4, 4, ws[2], ws[3]},
                           bytes);
  };

  // Crop what the windows never read (as buildIntegerConv does).
  ArrayRef<int64_t> s = params->strides, dl = params->dilations;
  auto paddedType = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> sizes(paddedType.getShape());
  bool trim = false;
  // Unpadded (a 1x1 conv with stride 2), the generic reads x as it is: a
  // crop would be one more copy of x (the dot product's schedule copies it
  // once anyway, repacked).
  for (size_t i = 0; i < 2 && (padded || group != 1); ++i) {
    int64_t needed =
        (yShape[i + 2] - 1) * s[i] + (wType.getDimSize(i + 2) - 1) * dl[i] + 1;
    if (needed < sizes[i + 2]) {
      sizes[i + 2] = needed;
      trim = true;
    }
  }
  if (trim) {
    SmallVector<int64_t> offsets(sizes.size(), 0), ones(sizes.size(), 1);
    input = tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get(sizes, inputElement), input,
        ValueRange{}, ValueRange{}, ValueRange{}, offsets, sizes, ones);
  }

  // The multiply-add of x and w widened to i32 (u8 zero-, s8
  // sign-extended).
  auto multiplyAdd = [&](OpBuilder &nb, Location l, ValueRange args) {
    yieldWidenedMultiplyAdd(nb, l, args, xUnsigned, wUnsigned);
  };
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  Value acc;
  if (group == 1) {
    // Loops: n, f, oh, ow, c/4, kh, kw, c%4 with x and w reshaped to
    // [N][C/4][4][H][W] and [F][C/4][4][kh][kw].
    int64_t numLoops = 8;
    SmallVector<AffineExpr> xExprs = {d(0), d(4), d(7)},
                            wExprs = {d(1), d(4), d(7)};
    input = reshapeTo(rewriter, loc, input,
                      {sizes[0], c4 / 4, 4, sizes[2], sizes[3]});
    Value weight = weightConstant();
    xExprs.append({d(2) * s[0] + d(5) * dl[0], d(3) * s[1] + d(6) * dl[1]});
    wExprs.append({d(5), d(6)});
    SmallVector<AffineMap> maps = {
        AffineMap::get(numLoops, 0, xExprs, ctx),
        AffineMap::get(numLoops, 0, wExprs, ctx),
        AffineMap::get(numLoops, 0, {d(0), d(1), d(2), d(3)}, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(numLoops - 4, utils::IteratorType::reduction);
    Value init =
        createFilled(rewriter, loc, yShape, constScalar(rewriter, loc, i32, 0));
    acc = linalg::GenericOp::create(rewriter, loc, TypeRange{init.getType()},
                                    ValueRange{input, weight}, ValueRange{init},
                                    maps, iterators, multiplyAdd)
              .getResult(0);
  } else {
    acc = buildNarrowGroupedConv(rewriter, loc, input, w, *weights, yShape,
                                 group, s, dl, multiplyAdd);
  }

  // The per-channel compensation, with the bias when it is constant.
  int64_t f = yShape[1];
  int64_t perChannel = (int64_t)weights->size() / f;
  SmallVector<int32_t> comp(f, 0);
  for (int64_t o = 0; o < f; ++o) {
    int64_t sum = 0;
    for (int64_t k = 0; k < perChannel; ++k)
      sum += (*weights)[o * perChannel + k];
    int64_t v = -zx * sum + (biasValues ? (*biasValues)[o] : 0);
    comp[o] = (int32_t)v; // i32 wrap-around, as the accumulator's
  }
  auto compType = RankedTensorType::get({f}, i32);
  Value compensation = graph::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(compType, ArrayRef<int32_t>(comp)));
  SmallVector<LoopOperand> operands = {
      {acc, rewriter.getMultiDimIdentityMap(4)},
      readInto(rewriter, loc, compensation, yShape, {1})};
  if (bias && !biasValues)
    operands.push_back(readInto(rewriter, loc, bias, yShape, {1}));
  return buildParallel(rewriter, loc, operands, yShape, i32,
                       [](OpBuilder &b, Location l, ValueRange args) -> Value {
                         Value v =
                             arith::AddIOp::create(b, l, args[0], args[1]);
                         if (args.size() > 2)
                           v = arith::AddIOp::create(b, l, v, args[2]);
                         return v;
                       });
}

struct ConvIntegerPattern : LoweringPattern<graph::ConvIntegerOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ConvIntegerOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto yType = cast<RankedTensorType>(op.getY().getType());
    if (std::optional<Value> narrow = buildNarrowIntegerConv(
            op, rewriter, op.getXZeroPoint(), op.getWZeroPoint(), Value(),
            yType.getShape())) {
      rewriter.replaceOp(op, *narrow);
      return success();
    }
    std::string why;
    auto result = buildIntegerConv(op, rewriter, op.getXZeroPoint(),
                                   op.getWZeroPoint(), yType.getShape(), why);
    if (failed(result))
      return rewriter.notifyMatchFailure(op, why);
    rewriter.replaceOp(op, *result);
    return success();
  }
};

struct QLinearConvPattern : LoweringPattern<graph::QLinearConvOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearConvOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto yType = cast<RankedTensorType>(op.getY().getType());
    if (!isI8OrU8(yType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs an 8-bit integer output");
    ArrayRef<int64_t> shape = yType.getShape();
    Location loc = op.getLoc();
    Value sum;
    // The narrow form adds the bias itself.
    bool biasAdded = false;
    if (std::optional<Value> narrow =
            buildNarrowIntegerConv(op, rewriter, op.getXZeroPoint(),
                                   op.getWZeroPoint(), op.getB(), shape)) {
      sum = *narrow;
      biasAdded = true;
    } else {
      std::string why;
      auto acc = buildIntegerConv(op, rewriter, op.getXZeroPoint(),
                                  op.getWZeroPoint(), shape, why);
      if (failed(acc))
        return rewriter.notifyMatchFailure(op, why);
      sum = *acc;
    }
    if (Value bias = op.getB(); bias && !biasAdded) {
      // The int32 bias (scale x_scale * w_scale, zero point 0) per channel.
      LoopOperand biasOperand = readInto(rewriter, loc, bias, shape, {1});
      sum = buildParallel(
          rewriter, loc,
          {{sum, rewriter.getMultiDimIdentityMap(shape.size())}, biasOperand},
          shape, rewriter.getI32Type(),
          [](OpBuilder &b, Location l, ValueRange args) -> Value {
            return arith::AddIOp::create(b, l, args[0], args[1]);
          });
    }
    auto result = requantize(
        rewriter, loc, sum, {{op.getXScale(), -1}, {op.getWScale(), 1}}, 1.0,
        op.getYScale(), op.getYZeroPoint(), yType.getElementType());
    if (failed(result))
      return rewriter.notifyMatchFailure(
          op, "x_scale, y_scale and y_zero_point must be per tensor and "
              "w_scale per tensor or per output channel");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Integer matrix products
//===----------------------------------------------------------------------===//

/// The narrow integer matrix product of QLinearMatMul and QGemm, as
/// buildNarrowIntegerConv for convolutions: A (8-bit, [..., M, K]) stays
/// 8-bit, the constant B (8-bit, [K, N], or [N, K] with `transB`) becomes a
/// constant [N][K/4][4], and with b_zero_point 0
///   sum_k (a - a_zp) * b = sum_k a * b - a_zp * sum_k b[k][n]
/// where the compensation (plus `bias`, a constant of N or one element,
/// when given) is one constant per column. Loops: m, n, k/4, k%4 (the
/// innermost reduction of 4 is VNNI's dot product). std::nullopt (the
/// widening lowering) unless B and the zero points are constants, K % 4 ==
/// 0 and a_zero_point is per tensor. The i32 result has `shape`.
std::optional<Value>
buildNarrowIntegerMatMul(PatternRewriter &rewriter, Location loc, Value a,
                         Value b, Value aZeroPoint, Value bZeroPoint,
                         bool transB, Value bias, ArrayRef<int64_t> shape) {
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(b.getType());
  if (aType.getRank() < 2 || bType.getRank() != 2 ||
      !isI8OrU8(aType.getElementType()) || !isI8OrU8(bType.getElementType()))
    return std::nullopt;
  int64_t k = aType.getShape().back();
  int64_t n = transB ? bType.getDimSize(0) : bType.getDimSize(1);
  if (k % 4 != 0 || (transB ? bType.getDimSize(1) : bType.getDimSize(0)) != k ||
      shape.empty() || shape.back() != n)
    return std::nullopt;
  std::optional<std::vector<int64_t>> weights = constantInts(b);
  if (!weights)
    return std::nullopt;
  std::optional<int64_t> zeroPoint = narrowZeroPoint(aZeroPoint, bZeroPoint);
  if (!zeroPoint)
    return std::nullopt;
  int64_t za = *zeroPoint;
  std::optional<std::vector<int64_t>> biasValues;
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getNumElements() != 1 &&
        (biasType.getRank() != 1 || biasType.getDimSize(0) != n))
      return std::nullopt;
    biasValues = constantInts(bias);
    if (!biasValues)
      return std::nullopt;
  }
  MLIRContext *ctx = rewriter.getContext();
  Type i32 = rewriter.getI32Type();
  bool aUnsigned = isUnsignedInt(aType.getElementType());
  bool bUnsigned = isUnsignedInt(bType.getElementType());
  int64_t m = aType.getNumElements() / k;

  // B as a signless [N][K/4][4] constant, and the per-column compensation.
  std::vector<char> bytes(n * k);
  SmallVector<int32_t> comp(n, 0);
  for (int64_t col = 0; col < n; ++col) {
    int64_t sum = 0;
    for (int64_t row = 0; row < k; ++row) {
      int64_t v =
          transB ? (*weights)[col * k + row] : (*weights)[row * n + col];
      bytes[col * k + row] = (char)(uint8_t)v;
      sum += v;
    }
    int64_t biasValue =
        biasValues ? (*biasValues)[biasValues->size() == 1 ? 0 : col] : 0;
    comp[col] = (int32_t)(-za * sum + biasValue);
  }
  Value weight = createI8Weights(rewriter, b, {n, k / 4, 4}, bytes);
  Value input = toSignlessI8(rewriter, loc, a);
  input = reshapeTo(rewriter, loc, input, {m, k / 4, 4});
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {d(0), d(2), d(3)}, ctx),
                                 AffineMap::get(4, 0, {d(1), d(2), d(3)}, ctx),
                                 AffineMap::get(4, 0, {d(0), d(1)}, ctx)};
  SmallVector<utils::IteratorType> iterators = {
      utils::IteratorType::parallel, utils::IteratorType::parallel,
      utils::IteratorType::reduction, utils::IteratorType::reduction};
  Value init =
      createFilled(rewriter, loc, {m, n}, constScalar(rewriter, loc, i32, 0));
  Value acc =
      linalg::GenericOp::create(
          rewriter, loc, TypeRange{init.getType()}, ValueRange{input, weight},
          ValueRange{init}, maps, iterators,
          [&](OpBuilder &nb, Location l, ValueRange args) {
            yieldWidenedMultiplyAdd(nb, l, args, aUnsigned, bUnsigned);
          })
          .getResult(0);
  Value compensation = graph::ConstantOp::create(
      rewriter, loc,
      DenseElementsAttr::get(RankedTensorType::get({n}, i32),
                             ArrayRef<int32_t>(comp)));
  Value sum = buildParallel(
      rewriter, loc,
      {{acc, rewriter.getMultiDimIdentityMap(2)},
       readInto(rewriter, loc, compensation, {m, n}, {1})},
      {m, n}, i32, [](OpBuilder &nb, Location l, ValueRange args) -> Value {
        return arith::AddIOp::create(nb, l, args[0], args[1]);
      });
  return reshapeTo(rewriter, loc, sum, shape);
}

/// The axis of the output that a per-row (A) or per-column (B) parameter of
/// a matmul follows; -1 (per tensor only) for a 1-D operand.
int64_t rowAxis(Value a, int64_t outRank) {
  return cast<RankedTensorType>(a.getType()).getRank() >= 2 ? outRank - 2 : -1;
}
int64_t columnAxis(Value b, int64_t outRank) {
  return cast<RankedTensorType>(b.getType()).getRank() >= 2 ? outRank - 1 : -1;
}

struct QLinearMatMulPattern : LoweringPattern<graph::QLinearMatMulOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearMatMulOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto yType = cast<RankedTensorType>(op.getY().getType());
    if (!isI8OrU8(yType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs an 8-bit integer output");
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = yType.getShape();
    int64_t rank = shape.size();
    // A per-row a_scale needs A's rows, which the narrow form collapses.
    auto aScaleType = cast<RankedTensorType>(op.getAScale().getType());
    std::optional<Value> narrow;
    if (aScaleType.getNumElements() == 1)
      narrow = buildNarrowIntegerMatMul(rewriter, loc, op.getA(), op.getB(),
                                        op.getAZeroPoint(), op.getBZeroPoint(),
                                        /*transB=*/false, Value(), shape);
    Value acc = narrow ? *narrow
                       : createMatMulInteger(rewriter, loc, op.getA(),
                                             op.getB(), op.getAZeroPoint(),
                                             op.getBZeroPoint(), shape);
    auto result = requantize(rewriter, loc, acc,
                             {{op.getAScale(), rowAxis(op.getA(), rank)},
                              {op.getBScale(), columnAxis(op.getB(), rank)}},
                             1.0, op.getYScale(), op.getYZeroPoint(),
                             yType.getElementType());
    if (failed(result))
      return rewriter.notifyMatchFailure(
          op, "a_scale must be per tensor or per row, b_scale per tensor or "
              "per column, y_scale and y_zero_point per tensor");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// ONNX Runtime's QGemm: int32 (A' - a_zp)(B' - b_zp) + C, then
/// requantized with alpha * a_scale * b_scale / y_scale or scaled to f32.
struct QGemmPattern : LoweringPattern<graph::QGemmOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QGemmOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Type outType = yType.getElementType();
    if (op.getYScale() ? !isI8OrU8(outType) : !outType.isF32())
      return rewriter.notifyMatchFailure(
          op, "the output must be 8-bit with y_scale, f32 without");
    Location loc = op.getLoc();
    ArrayRef<int64_t> shape = yType.getShape();
    Value a = op.getA(), bm = op.getB();
    std::optional<Value> narrow;
    if (!op.getTransA())
      narrow = buildNarrowIntegerMatMul(rewriter, loc, a, bm,
                                        op.getAZeroPoint(), op.getBZeroPoint(),
                                        op.getTransB(), op.getC(), shape);
    if (narrow) {
      auto result = requantize(rewriter, loc, *narrow,
                               {{op.getAScale(), -1}, {op.getBScale(), 1}},
                               op.getAlpha().convertToDouble(), op.getYScale(),
                               op.getYZeroPoint(), outType);
      if (failed(result))
        return rewriter.notifyMatchFailure(
            op, "a_scale, y_scale and y_zero_point must be per tensor, b_scale "
                "per tensor or per column");
      rewriter.replaceOp(op, *result);
      return success();
    }
    if (op.getTransA())
      a = createTranspose(rewriter, loc, a, {1, 0});
    if (op.getTransB())
      bm = createTranspose(rewriter, loc, bm, {1, 0});
    Value zpB = op.getBZeroPoint();
    auto zpBType = cast<RankedTensorType>(zpB.getType());
    if (zpBType.getNumElements() != 1 &&
        (zpBType.getRank() != 1 || zpBType.getDimSize(0) != shape[1]))
      return rewriter.notifyMatchFailure(
          op, "b_zero_point must be per tensor or per column");
    if (cast<RankedTensorType>(op.getAZeroPoint().getType()).getNumElements() !=
        1)
      return rewriter.notifyMatchFailure(op, "a_zero_point must be per tensor");
    Value acc = createMatMulInteger(rewriter, loc, a, bm, op.getAZeroPoint(),
                                    zpB, shape);
    if (Value c = op.getC())
      acc = buildElementwise(
          rewriter, loc, {acc, c}, shape, rewriter.getI32Type(),
          [](OpBuilder &b, Location l, ValueRange args) {
            return arith::AddIOp::create(b, l, args[0], args[1]).getResult();
          });
    auto result = requantize(rewriter, loc, acc,
                             {{op.getAScale(), -1}, {op.getBScale(), 1}},
                             op.getAlpha().convertToDouble(), op.getYScale(),
                             op.getYZeroPoint(), outType);
    if (failed(result))
      return rewriter.notifyMatchFailure(
          op, "a_scale, y_scale and y_zero_point must be per tensor, b_scale "
              "per tensor or per column");
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Y = a_scale * b_scale * MatMulInteger(A, B, a_zp, b_zp) + bias.
template <typename OpTy>
LogicalResult lowerIntegerMatMulToFloat(OpTy op, PatternRewriter &rewriter,
                                        Value a, Value aScale, Value aZeroPoint,
                                        Value bZeroPoint) {
  auto yType = cast<RankedTensorType>(op.getY().getType());
  ArrayRef<int64_t> shape = yType.getShape();
  int64_t rank = shape.size();
  Location loc = op.getLoc();
  Value bias = op.getBias();
  if (bias) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || rank < 1 ||
        biasType.getDimSize(0) != shape.back())
      return rewriter.notifyMatchFailure(op, "bias must be 1-D of size N");
  }
  Value acc = createMatMulInteger(rewriter, loc, a, op.getB(), aZeroPoint,
                                  bZeroPoint, shape);
  auto result =
      requantize(rewriter, loc, acc,
                 {{aScale, -1}, {op.getBScale(), columnAxis(op.getB(), rank)}},
                 1.0, nullptr, nullptr, rewriter.getF32Type(), bias);
  if (failed(result))
    return rewriter.notifyMatchFailure(
        op, "a_scale must be per tensor and b_scale per tensor or per column");
  rewriter.replaceOp(op, *result);
  return success();
}

struct MatMulIntegerToFloatPattern
    : LoweringPattern<graph::MatMulIntegerToFloatOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::MatMulIntegerToFloatOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    return lowerIntegerMatMulToFloat(op, rewriter, op.getA(), op.getAScale(),
                                     op.getAZeroPoint(), op.getBZeroPoint());
  }
};

struct DynamicQuantizeMatMulPattern
    : LoweringPattern<graph::DynamicQuantizeMatMulOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::DynamicQuantizeMatMulOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    Location loc = op.getLoc();
    auto aType = cast<RankedTensorType>(op.getA().getType());
    MLIRContext *ctx = rewriter.getContext();
    Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
    // A is quantized to ui8 like DynamicQuantizeLinear (as ONNX Runtime does).
    OperationState state(loc, "graph.DynamicQuantizeLinear");
    state.addOperands(op.getA());
    state.addTypes({RankedTensorType::get(aType.getShape(), u8),
                    RankedTensorType::get({}, rewriter.getF32Type()),
                    RankedTensorType::get({}, u8)});
    Operation *quantized = rewriter.create(state);
    return lowerIntegerMatMulToFloat(
        op, rewriter, quantized->getResult(0), quantized->getResult(1),
        quantized->getResult(2), op.getBZeroPoint());
  }
};

//===----------------------------------------------------------------------===//
// DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

/// y_scale = (max(0, max(x)) - min(0, min(x))) / 255,
/// y_zero_point = saturate(round(0 - min(0, min(x)) / y_scale)),
/// y = saturate(round(x / y_scale) + y_zero_point), all ui8. A zero range
/// (x all zero) gives scale 0 and quantizes with a divisor of 1.
struct DynamicQuantizeLinearPattern
    : LoweringPattern<graph::DynamicQuantizeLinearOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::DynamicQuantizeLinearOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    if (!xType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "needs an f32 input");
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    Type u8 = elementTypeOf(op.getY());
    SmallVector<int64_t> axes =
        llvm::to_vector(llvm::seq<int64_t>(0, xType.getRank()));
    Value lo = buildReduction(
        rewriter, loc, op.getX(), axes, constScalar(rewriter, loc, f32, 0.0),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::MinimumFOp::create(b, l, x, acc);
        });
    Value hi = buildReduction(
        rewriter, loc, op.getX(), axes, constScalar(rewriter, loc, f32, 0.0),
        [](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, x, acc);
        });
    // The reductions start at 0, which includes 0 in the range.
    Value scale = buildElementwise(
        rewriter, loc, {lo, hi}, {}, f32,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          // The f32 range divided by 255 in f64, rounded to f32: the
          // correctly rounded f32 quotient ONNX Runtime computes (Halide
          // turns an f32 division by a constant into a multiplication by
          // its reciprocal, an ulp off for some ranges).
          Type f64 = b.getF64Type();
          Value range = arith::SubFOp::create(b, l, args[1], args[0]);
          Value q = arith::DivFOp::create(
              b, l, convertScalar(b, l, range, f64, false, false),
              constScalar(b, l, f64, 255.0));
          return convertScalar(b, l, q, f32, false, false);
        });
    auto divisorOf = [&](OpBuilder &b, Location l, Value s) -> Value {
      Value zero = constScalar(b, l, f32, 0.0);
      Value isZero =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, s, zero);
      return arith::SelectOp::create(b, l, isZero, constScalar(b, l, f32, 1.0),
                                     s);
    };
    Value zeroPoint = buildElementwise(
        rewriter, loc, {lo, scale}, {}, u8,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v =
              arith::DivFOp::create(b, l, args[0], divisorOf(b, l, args[1]));
          v = arith::NegFOp::create(b, l, v);
          return roundAndSaturate(b, l, v, nullptr, u8);
        });
    Value y = buildElementwise(
        rewriter, loc, {op.getX(), scale, zeroPoint}, xType.getShape(), u8,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Value v =
              arith::DivFOp::create(b, l, args[0], divisorOf(b, l, args[1]));
          return roundAndSaturate(b, l, v, toF32(b, l, args[2], u8), u8);
        });
    rewriter.replaceOp(op, {y, scale, zeroPoint});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Contrib ops computed on dequantized values
//===----------------------------------------------------------------------===//

/// A quantized operand of an elementwise contrib op: the tensor and its
/// per-tensor scale and optional zero point.
struct QuantOperand {
  Value x, scale, zeroPoint;
};

/// True when every scale and zero point holds one element.
bool allPerTensor(ArrayRef<Value> params) {
  return llvm::all_of(params, [](Value p) {
    return !p || cast<RankedTensorType>(p.getType()).getNumElements() == 1;
  });
}

/// quantize(f(dequantize(operands)...)) over `shape` (NumPy broadcast), the
/// output quantized with yScale / yZeroPoint into `outType`. An operand
/// without a scale is f32 already; without yScale the result is f32.
Value buildQuantizedElementwise(
    OpBuilder &b, Location loc, ArrayRef<QuantOperand> operands, Value yScale,
    Value yZeroPoint, ArrayRef<int64_t> shape, Type outType,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)> f) {
  SmallVector<Value> inputs;
  SmallVector<Type> types;
  auto addScalarParam = [&](Value p) {
    // Per-tensor parameters as rank-0 tensors broadcast to every element.
    inputs.push_back(reshapeTo(b, loc, p, {}));
    types.push_back(elementTypeOf(p));
  };
  for (const QuantOperand &o : operands) {
    inputs.push_back(o.x);
    types.push_back(elementTypeOf(o.x));
    if (o.scale)
      addScalarParam(o.scale);
    if (o.zeroPoint)
      addScalarParam(o.zeroPoint);
  }
  if (yScale)
    addScalarParam(yScale);
  if (yZeroPoint)
    addScalarParam(yZeroPoint);
  return buildElementwise(
      b, loc, inputs, shape, outType,
      [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
        unsigned next = 0;
        SmallVector<Value> values;
        for (const QuantOperand &o : operands) {
          Value v = toF32(nb, l, args[next], types[next]);
          ++next;
          if (!o.scale) {
            values.push_back(v);
            continue;
          }
          Value s = toF32(nb, l, args[next], types[next]);
          ++next;
          if (o.zeroPoint) {
            v = arith::SubFOp::create(nb, l, v,
                                      toF32(nb, l, args[next], types[next]));
            ++next;
          }
          values.push_back(arith::MulFOp::create(nb, l, v, s));
        }
        Value r = f(nb, l, values);
        if (!yScale)
          return r;
        Value ys = toF32(nb, l, args[next], types[next]);
        ++next;
        r = arith::DivFOp::create(nb, l, r, ys);
        Value zp;
        if (yZeroPoint) {
          zp = toF32(nb, l, args[next], types[next]);
          ++next;
        }
        return roundAndSaturate(nb, l, r, zp, outType);
      });
}

/// Dequantizes a per-tensor quantized tensor to f32.
Value buildDequantize(OpBuilder &b, Location loc, const QuantOperand &o) {
  auto type = cast<RankedTensorType>(o.x.getType());
  return buildQuantizedElementwise(
      b, loc, {o}, nullptr, nullptr, type.getShape(), b.getF32Type(),
      [](OpBuilder &, Location, ValueRange v) { return v[0]; });
}

/// QLinearAdd's MLAS formula without f64, for constant parameters: with
/// r = r_hi + r_lo (r_hi the 12 leading significant bits of r, r_lo the rest,
/// both f32), x * r_hi and x * r_lo are exact in f32 for any 8-bit integer
/// x, so
///   G' = (b * rb_hi + k) + b * rb_lo,  F' = (a * ra_hi + G') + a * ra_lo
/// are plain f32 multiplies and adds (exact products: a fused multiply-add
/// of them rounds the same). F' is F = fma(a, ra, fma(b, rb, k)) up to the
/// rounding of the partial sums; whether round_half_to_even(F') saturates
/// to the same integer as round_half_to_even(F) for every pair (a, b) of the
/// input types is checked here, exhaustively (2^16 pairs, std::fma as the
/// reference), and the split is used only then (on random scales, 97% of
/// the sets; the others keep the f64 multiply-adds).
struct SplitAdd {
  float raHi, raLo, rbHi, rbLo, k;
};

std::optional<SplitAdd> verifiedSplitAdd(float ra, float rb, float k,
                                         bool aUnsigned, bool bUnsigned,
                                         bool cUnsigned) {
  if (!std::isfinite(ra) || !std::isfinite(rb) || !std::isfinite(k))
    return std::nullopt;
  auto split = [](float r) {
    uint32_t bits;
    memcpy(&bits, &r, 4);
    bits &= 0xFFFFF000u;
    float hi;
    memcpy(&hi, &bits, 4);
    return std::pair<float, float>{hi, r - hi};
  };
  auto [raHi, raLo] = split(ra);
  auto [rbHi, rbLo] = split(rb);
  float lo = cUnsigned ? 0.0f : -128.0f, hi = cUnsigned ? 255.0f : 127.0f;
  auto quantize = [&](float v) {
    return std::min(hi, std::max(lo, std::nearbyint(v)));
  };
  int aMin = aUnsigned ? 0 : -128, bMin = bUnsigned ? 0 : -128;
  for (int bi = bMin; bi < bMin + 256; ++bi) {
    float b = (float)bi;
    float g = std::fma(b, rb, k);
    float g2 = (b * rbHi + k) + b * rbLo;
    for (int ai = aMin; ai < aMin + 256; ++ai) {
      float a = (float)ai;
      float f = std::fma(a, ra, g);
      float f2 = (a * raHi + g2) + a * raLo;
      if (quantize(f) != quantize(f2))
        return std::nullopt;
    }
  }
  return SplitAdd{raHi, raLo, rbHi, rbLo, k};
}

/// QLinearAdd and QLinearMul, computed like ONNX Runtime's MLAS kernels so
/// that the integers match (see the file comment for the general rounding):
///   Add: r_a = a_scale / c_scale, r_b = b_scale / c_scale,
///        k = c_zp - fma(r_a, a_zp, r_b * b_zp),
///        c = saturate(round_half_to_even(fma(a, r_a, fma(b, r_b, k))))
///        on the raw integers a and b (a one-element operand x is folded
///        into k as k = fma(x, r_x, k)): MLAS's AVX2 kernel
///        (qladd_avx2.cpp), whose scalar k the compiler contracts into an
///        FMA (measured against ONNX Runtime 1.31: 0 of 4M random elements
///        differ, 3 without that contraction);
///   Mul: ratio = f32(f32(a_scale * b_scale) / c_scale),
///        c = saturate(round_half_to_even(
///                f32(f32(f32((a - a_zp) * (b - b_zp)) * ratio) + c_zp)))
///        (MLAS's qlmul.cpp: the zero point is added in f32 before
///        vcvtps2dq, so the f32 sum's rounding decides some ties).
template <typename OpTy> struct QLinearBinaryPattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (!allPerTensor({op.getAScale(), op.getAZeroPoint(), op.getBScale(),
                       op.getBZeroPoint(), op.getCScale(), op.getCZeroPoint()}))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be per tensor");
    auto cType = cast<RankedTensorType>(op.getC().getType());
    Type outType = cType.getElementType();
    bool isAdd = std::is_same_v<OpTy, graph::QLinearAddOp>;
    Location loc = op.getLoc();
    auto numElements = [](Value v) {
      return cast<RankedTensorType>(v.getType()).getNumElements();
    };
    bool scalarA = numElements(op.getA()) == 1 && numElements(op.getB()) != 1;
    bool scalarB =
        !scalarA && numElements(op.getB()) == 1 && numElements(op.getA()) != 1;
    // Inputs: A, B, then the scalar parameters (absent zero points are 0).
    SmallVector<Value> inputs = {op.getA(), op.getB()};
    ArrayRef<int64_t> shape = cType.getShape();
    SmallVector<Value> params = {op.getAScale(), op.getAZeroPoint(),
                                 op.getBScale(), op.getBZeroPoint(),
                                 op.getCScale(), op.getCZeroPoint()};
    SmallVector<Type> types = {elementTypeOf(op.getA()),
                               elementTypeOf(op.getB())};
    for (Value p : params) {
      if (!p)
        continue;
      inputs.push_back(reshapeTo(rewriter, loc, p, {}));
      types.push_back(elementTypeOf(p));
    }
    // Constant parameters: the f64-free form when it gives the same
    // integers on every input pair.
    std::optional<SplitAdd> splitAdd;
    if (isAdd && !scalarA && !scalarB) {
      SmallVector<float> c; // sa, za, sb, zb, sc, zc
      for (auto [i, v] : llvm::enumerate(params)) {
        if (!v) {
          c.push_back(0.0f);
          continue;
        }
        if (i % 2 == 0) {
          auto f = constantF32s(v);
          if (!f || f->size() != 1)
            break;
          c.push_back(f->front());
        } else {
          auto z = constantInts(v);
          if (!z || z->size() != 1)
            break;
          c.push_back((float)z->front());
        }
      }
      if (c.size() == 6) {
        // The kernel's constants, computed as its body below does.
        float ra = c[0] / c[4], rb = c[2] / c[4];
        float k = c[5] - std::fma(ra, c[1], rb * c[3]);
        splitAdd = verifiedSplitAdd(ra, rb, k, isUnsignedInt(types[0]),
                                    isUnsignedInt(types[1]),
                                    isUnsignedInt(outType));
      }
    }
    Value result = buildElementwise(
        rewriter, loc, inputs, shape, outType,
        [&](OpBuilder &b, Location l, ValueRange args) -> Value {
          Type f32 = b.getF32Type();
          if (splitAdd) {
            // (x * r_hi + y) + x * r_lo, each operation rounded as written
            // (roundAndSaturate's IEEE min/max make the kernel strict).
            auto c = [&](float v) { return constScalar(b, l, f32, v); };
            auto mulAdd = [&](Value x, float rHi, float rLo, Value y) {
              Value s = arith::AddFOp::create(
                  b, l, arith::MulFOp::create(b, l, x, c(rHi)), y);
              return arith::AddFOp::create(
                  b, l, s, arith::MulFOp::create(b, l, x, c(rLo)));
            };
            Value a = toF32(b, l, args[0], types[0]);
            Value bv = toF32(b, l, args[1], types[1]);
            Value g = mulAdd(bv, splitAdd->rbHi, splitAdd->rbLo,
                             c(splitAdd->k));
            Value v = mulAdd(a, splitAdd->raHi, splitAdd->raLo, g);
            return roundAndSaturate(b, l, v, nullptr, outType);
          }
          unsigned next = 2;
          SmallVector<Value> p; // sa, za, sb, zb, sc, zc as f32
          for (Value v : params) {
            if (!v) {
              p.push_back(constScalar(b, l, f32, 0.0));
              continue;
            }
            p.push_back(toF32(b, l, args[next], types[next]));
            ++next;
          }
          Value a = toF32(b, l, args[0], types[0]);
          Value bv = toF32(b, l, args[1], types[1]);
          if (isAdd) {
            Value ra = arith::DivFOp::create(b, l, p[0], p[4]);
            Value rb = arith::DivFOp::create(b, l, p[2], p[4]);
            // MLAS's scalar expression, contracted by the compiler:
            // k = c_zp - fma(r_a, a_zp, f32(r_b * b_zp)).
            Value k = arith::SubFOp::create(
                b, l, p[5],
                fusedMulAdd(b, l, ra, p[1],
                            arith::MulFOp::create(b, l, rb, p[3])));
            Value v;
            if (scalarA) {
              k = fusedMulAdd(b, l, a, ra, k);
              v = fusedMulAdd(b, l, bv, rb, k);
            } else if (scalarB) {
              k = fusedMulAdd(b, l, bv, rb, k);
              v = fusedMulAdd(b, l, a, ra, k);
            } else {
              v = fusedMulAdd(b, l, a, ra, fusedMulAdd(b, l, bv, rb, k));
            }
            return roundAndSaturate(b, l, v, nullptr, outType);
          }
          Value ratio = arith::DivFOp::create(
              b, l, arith::MulFOp::create(b, l, p[0], p[2]), p[4]);
          Value prod =
              arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, a, p[1]),
                                    arith::SubFOp::create(b, l, bv, p[3]));
          // The zero point is added in f32 before the rounding (MLAS): a
          // plain f32 addition, not contracted with the multiply, as
          // roundAndSaturate's IEEE min/max make the kernel strict.
          Value scaled = arith::MulFOp::create(b, l, prod, ratio);
          return roundAndSaturate(b, l,
                                  arith::AddFOp::create(b, l, scaled, p[5]),
                                  nullptr, outType);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QLinearSigmoidPattern : LoweringPattern<graph::QLinearSigmoidOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearSigmoidOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (!allPerTensor({op.getXScale(), op.getXZeroPoint(), op.getYScale(),
                       op.getYZeroPoint()}))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be per tensor");
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Value result = buildQuantizedElementwise(
        rewriter, op.getLoc(),
        {{op.getX(), op.getXScale(), op.getXZeroPoint()}}, op.getYScale(),
        op.getYZeroPoint(), yType.getShape(), yType.getElementType(),
        [](OpBuilder &b, Location l, ValueRange v) -> Value {
          Type f32 = b.getF32Type();
          Value e =
              math::ExpOp::create(b, l, arith::NegFOp::create(b, l, v[0]));
          return arith::DivFOp::create(
              b, l, constScalar(b, l, f32, 1.0),
              arith::AddFOp::create(b, l, constScalar(b, l, f32, 1.0), e));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QLinearLeakyReluPattern : LoweringPattern<graph::QLinearLeakyReluOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearLeakyReluOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (!allPerTensor({op.getXScale(), op.getXZeroPoint(), op.getYScale(),
                       op.getYZeroPoint()}))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be per tensor");
    auto yType = cast<RankedTensorType>(op.getY().getType());
    double alpha = op.getAlpha().convertToDouble();
    Value result = buildQuantizedElementwise(
        rewriter, op.getLoc(),
        {{op.getX(), op.getXScale(), op.getXZeroPoint()}}, op.getYScale(),
        op.getYZeroPoint(), yType.getShape(), yType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange v) -> Value {
          Type f32 = b.getF32Type();
          Value zero = constScalar(b, l, f32, 0.0);
          Value neg = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT,
                                            v[0], zero);
          Value scaled =
              arith::MulFOp::create(b, l, v[0], constScalar(b, l, f32, alpha));
          return arith::SelectOp::create(b, l, neg, scaled, v[0]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QLinearConcatPattern : LoweringPattern<graph::QLinearConcatOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearConcatOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    ValueRange inputs = op.getInputs();
    SmallVector<Value> params = {op.getYScale(), op.getYZeroPoint()};
    for (size_t i = 0; i + 2 < inputs.size(); i += 3)
      params.append({inputs[i + 1], inputs[i + 2]});
    if (inputs.size() % 3 != 0 || !allPerTensor(params))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be per tensor");
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Type outType = yType.getElementType();
    Location loc = op.getLoc();
    // Each input requantized to the output's scale and zero point.
    SmallVector<Value> parts;
    for (size_t i = 0; i < inputs.size(); i += 3) {
      auto xType = cast<RankedTensorType>(inputs[i].getType());
      parts.push_back(buildQuantizedElementwise(
          rewriter, loc, {{inputs[i], inputs[i + 1], inputs[i + 2]}},
          op.getYScale(), op.getYZeroPoint(), xType.getShape(), outType,
          [](OpBuilder &, Location, ValueRange v) { return v[0]; }));
    }
    Value result =
        createGraphOp(rewriter, loc, "graph.Concat", parts, yType,
                      {rewriter.getNamedAttr("axis", op.getAxisAttr())});
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// floatOp(dequantize(x)) quantized as ONNX Runtime's QLinearAveragePool
/// does: saturate(round_half_to_even(f32(f32(v / y_scale) + y_zp))), the
/// zero point added in f32 before the rounding (which decides ties, e.g.
/// the average of 2x2 integers with y_scale = x_scale); `buildFloat` builds
/// the float op from the dequantized f32 tensor.
Value dequantizeApplyQuantize(OpBuilder &b, Location loc, QuantOperand x,
                              Value yScale, Value yZeroPoint,
                              RankedTensorType yType,
                              llvm::function_ref<Value(Value)> buildFloat) {
  Value y = buildFloat(buildDequantize(b, loc, x));
  Type outType = yType.getElementType();
  SmallVector<Value> inputs = {y, reshapeTo(b, loc, yScale, {})};
  SmallVector<Type> types = {b.getF32Type(), elementTypeOf(yScale)};
  if (yZeroPoint) {
    inputs.push_back(reshapeTo(b, loc, yZeroPoint, {}));
    types.push_back(elementTypeOf(yZeroPoint));
  }
  return buildElementwise(
      b, loc, inputs, yType.getShape(), outType,
      [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value v =
            arith::DivFOp::create(nb, l, a[0], toF32(nb, l, a[1], types[1]));
        if (a.size() > 2)
          v = addRoundedOnce(nb, l, v, toF32(nb, l, a[2], types[2]));
        return roundAndSaturate(nb, l, v, nullptr, outType);
      });
}

/// The permutations between channels-last (N x spatial... x C) and
/// channels-first layouts of rank `rank`.
SmallVector<int64_t> toChannelsFirst(int64_t rank) {
  SmallVector<int64_t> perm = {0, rank - 1};
  for (int64_t i = 1; i < rank - 1; ++i)
    perm.push_back(i);
  return perm;
}
SmallVector<int64_t> toChannelsLast(int64_t rank) {
  SmallVector<int64_t> perm = {0};
  for (int64_t i = 2; i < rank; ++i)
    perm.push_back(i);
  perm.push_back(1);
  return perm;
}

/// A float pool `name` over f32 `x` with `attrs`, in channels-last layout
/// when `channelsLast` (transposed around the channels-first graph op);
/// `yShape` is the shape of the result in the layout of x.
Value buildFloatPool(OpBuilder &b, Location loc, StringRef name, Value x,
                     ArrayRef<int64_t> yShape, bool channelsLast,
                     ArrayRef<NamedAttribute> attrs) {
  int64_t rank = yShape.size();
  SmallVector<int64_t> shape(yShape);
  if (channelsLast) {
    x = createTranspose(b, loc, x, toChannelsFirst(rank));
    shape.clear();
    for (int64_t p : toChannelsFirst(rank))
      shape.push_back(yShape[p]);
  }
  Value y = createGraphOp(b, loc, name, {x},
                          RankedTensorType::get(shape, b.getF32Type()), attrs);
  if (channelsLast)
    y = createTranspose(b, loc, y, toChannelsLast(rank));
  return y;
}

struct QLinearAveragePoolPattern
    : LoweringPattern<graph::QLinearAveragePoolOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearAveragePoolOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (!allPerTensor({op.getXScale(), op.getXZeroPoint(), op.getYScale(),
                       op.getYZeroPoint()}))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be per tensor");
    auto yType = cast<RankedTensorType>(op.getY().getType());
    SmallVector<NamedAttribute> attrs;
    for (StringRef name : {"auto_pad", "ceil_mode", "count_include_pad",
                           "kernel_shape", "pads", "strides"})
      if (Attribute a = op->getAttr(name))
        attrs.push_back(rewriter.getNamedAttr(name, a));
    Location loc = op.getLoc();
    Value result = dequantizeApplyQuantize(
        rewriter, loc, {op.getX(), op.getXScale(), op.getXZeroPoint()},
        op.getYScale(), op.getYZeroPoint(), yType, [&](Value x) {
          return buildFloatPool(rewriter, loc, "graph.AveragePool", x,
                                yType.getShape(), op.getChannelsLast() != 0,
                                attrs);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// QLinearGlobalAveragePool as ONNX Runtime's MLAS kernel computes it
/// (qlgavgpool.cpp): the window sum of the integers, exact in i32, then one
/// rounding,
///   scale = f32(x_scale / f32(y_scale * f32(N)))     (N pixels per channel)
///   y = saturate(round_half_to_even(f32(sum(x - x_zp)) * scale) + y_zp),
/// which differs from quantize(mean(dequantize(x))) where the mean lands
/// near a tie (e.g. y_scale = x_scale and N = 4). It is also RNPU's
/// POOL_AVG formula.
struct QLinearGlobalAveragePoolPattern
    : LoweringPattern<graph::QLinearGlobalAveragePoolOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearGlobalAveragePoolOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (!allPerTensor({op.getXScale(), op.getXZeroPoint(), op.getYScale(),
                       op.getYZeroPoint()}))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be per tensor");
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    if (!isI8OrU8(xType.getElementType()) || xType.getRank() < 3)
      return rewriter.notifyMatchFailure(
          op, "x must be an 8-bit tensor of rank >= 3");
    int64_t rank = xType.getRank();
    bool channelsLast = op.getChannelsLast() != 0;
    SmallVector<int64_t> axes;
    int64_t count = 1;
    for (int64_t i = channelsLast ? 1 : 2; i < (channelsLast ? rank - 1 : rank);
         ++i) {
      axes.push_back(i);
      count *= xType.getDimSize(i);
    }
    Location loc = op.getLoc();
    FailureOr<Value> centered = widenMinusZeroPoint(
        rewriter, loc, op.getX(), op.getXZeroPoint(), /*axis=*/-1);
    if (failed(centered))
      return rewriter.notifyMatchFailure(op, "x_zero_point is not a scalar");
    Type i32 = rewriter.getI32Type();
    Value sums = buildReduction(
        rewriter, loc, *centered, axes, constInt(rewriter, loc, i32, 0),
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::AddIOp::create(b, l, acc, v);
        });
    auto sumType = cast<RankedTensorType>(sums.getType());
    SmallVector<Value> inputs = {sums};
    SmallVector<Type> types = {i32};
    for (Value p : {op.getXScale(), op.getYScale(), op.getYZeroPoint()}) {
      inputs.push_back(reshapeTo(rewriter, loc, p, {}));
      types.push_back(elementTypeOf(p));
    }
    Value result = buildElementwise(
        rewriter, loc, inputs, sumType.getShape(), yType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Type f32 = b.getF32Type();
          Value xs = toF32(b, l, a[1], types[1]);
          Value ys = toF32(b, l, a[2], types[2]);
          Value scale = arith::DivFOp::create(
              b, l, xs,
              arith::MulFOp::create(b, l, ys,
                                    constScalar(b, l, f32, double(count))));
          Value sum = convertScalar(b, l, a[0], f32, false, false);
          return roundAndSaturate(b, l, arith::MulFOp::create(b, l, sum, scale),
                                  toF32(b, l, a[3], types[3]),
                                  yType.getElementType());
        });
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, result, yType.getShape()));
    return success();
  }
};

/// ONNX Runtime's QLinearSoftmax, computed the way its CPU kernel does so
/// the integers match: per row of D elements (the softmax axis moved last,
/// or the dims from `axis` on flattened before opset 13),
///   t(x)  = f32(exp(f64(x - max(row) + c / x_scale) * x_scale)),
///           c = max(0, logf(FLT_MAX / D) - 5)  (keeps the sum finite; the
///               log of an f32, in f32)
///   y     = saturate(round_half_to_even(t(x) * floor(1 / y_scale)
///                                       / sum(t(row))) + y_zero_point)
/// with the f32 row sum accumulated in order, first element first.
/// The zero point of x cancels in x - max(row). floor(1 / y_scale) is what
/// ONNX Runtime multiplies by (not 1 / y_scale).
struct QLinearSoftmaxPattern : LoweringPattern<graph::QLinearSoftmaxOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::QLinearSoftmaxOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    if (!allPerTensor({op.getXScale(), op.getXZeroPoint(), op.getYScale(),
                       op.getYZeroPoint()}))
      return rewriter.notifyMatchFailure(
          op, "scales and zero points must be per tensor");
    auto yType = cast<RankedTensorType>(op.getY().getType());
    Type outType = yType.getElementType();
    ArrayRef<int64_t> shape = yType.getShape();
    int64_t rank = shape.size();
    std::optional<int64_t> axis = normalizeAxis(op.getAxis(), rank);
    if (!axis || rank == 0)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    Location loc = op.getLoc();
    Value x = op.getX();
    Type xElement = elementTypeOf(x);
    bool flattened = op.getOpset() < 13;
    // Rows: the softmax axis last (opset 13), then [N, D].
    SmallVector<int64_t> perm;
    if (!flattened && *axis != rank - 1) {
      perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
      std::swap(perm[*axis], perm[rank - 1]);
      x = createTranspose(rewriter, loc, x, perm);
    }
    ArrayRef<int64_t> rowShape = cast<RankedTensorType>(x.getType()).getShape();
    int64_t split = flattened ? *axis : rank - 1;
    int64_t n = 1, d = 1;
    for (int64_t i = 0; i < rank; ++i)
      (i < split ? n : d) *= rowShape[i];
    x = reshapeTo(rewriter, loc, x, {n, d});
    SmallVector<int64_t> rows = {n, d};
    MLIRContext *ctx = rewriter.getContext();
    Type f32 = rewriter.getF32Type(), f64 = rewriter.getF64Type();
    AffineMap identity = rewriter.getMultiDimIdentityMap(2);
    AffineMap perRow = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    Value xf = buildElementwise(rewriter, loc, {x}, rows, f32,
                                [&](OpBuilder &b, Location l, ValueRange a) {
                                  return toF32(b, l, a[0], xElement);
                                });
    Value rowMax = buildReduction(
        rewriter, loc, xf, {1},
        constScalar(rewriter, loc, f32,
                    -std::numeric_limits<double>::infinity()),
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, v, acc);
        });
    // log in f32 (std::log's float overload, as ONNX Runtime's kernel calls
    // it), then the rest in f64: the f64 log shifts the exp arguments enough
    // to move some table entries by an ulp, which flips results at ties.
    double c = std::max(
        0.0, static_cast<double>(std::log(std::numeric_limits<float>::max() /
                                          static_cast<float>(d))) -
                 5.0);
    auto xScale = readQuantParam(rewriter, loc, op.getXScale(), rows, -1);
    Type xScaleType = elementTypeOf(op.getXScale());
    Value t = buildParallel(
        rewriter, loc, {{xf, identity}, {rowMax, perRow}, *xScale}, rows, f32,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value diff = arith::SubFOp::create(b, l, a[0], a[1]);
          Value s = convertScalar(b, l, toF32(b, l, a[2], xScaleType), f64,
                                  false, false);
          Value shift =
              arith::DivFOp::create(b, l, constScalar(b, l, f64, c), s);
          Value e = arith::AddFOp::create(
              b, l, convertScalar(b, l, diff, f64, false, false), shift);
          e = arith::MulFOp::create(b, l, e, s);
          e = math::ExpOp::create(b, l, e);
          return convertScalar(b, l, e, f32, false, false);
        });
    // The row sum in order, element by element (ONNX Runtime's loop):
    // computed strictly, so that the scheduler does not split it into vector
    // lanes (reassociated sums round differently and flip results near a
    // tie).
    Value sum = buildReduction(
        rewriter, loc, t, {1}, constScalar(rewriter, loc, f32, 0.0),
        [](OpBuilder &b, Location l, Value v, Value acc) -> Value {
          return computedStrictly(b, l, arith::AddFOp::create(b, l, acc, v));
        });
    auto yScale = readQuantParam(rewriter, loc, op.getYScale(), rows, -1);
    auto yZeroPoint =
        readQuantParam(rewriter, loc, op.getYZeroPoint(), rows, -1);
    Type yScaleType = elementTypeOf(op.getYScale());
    Value y = buildParallel(
        rewriter, loc, {{t, identity}, {sum, perRow}, *yScale, *yZeroPoint},
        rows, outType, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value inv = arith::DivFOp::create(b, l, constScalar(b, l, f32, 1.0),
                                            toF32(b, l, a[2], yScaleType));
          inv = math::FloorOp::create(b, l, inv);
          Value v = arith::MulFOp::create(b, l, a[0], inv);
          v = arith::DivFOp::create(b, l, v, a[1]);
          return roundAndSaturate(b, l, v, toF32(b, l, a[3], outType), outType);
        });
    y = reshapeTo(rewriter, loc, y, rowShape);
    if (!perm.empty())
      y = createTranspose(rewriter, loc, y, perm);
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void populateQuantOpsPatterns(RewritePatternSet &patterns) {
  patterns.add<
      ConvIntegerPattern, QLinearConvPattern, QLinearMatMulPattern,
      QGemmPattern, MatMulIntegerToFloatPattern, DynamicQuantizeMatMulPattern,
      DynamicQuantizeLinearPattern, QLinearBinaryPattern<graph::QLinearAddOp>,
      QLinearBinaryPattern<graph::QLinearMulOp>, QLinearSigmoidPattern,
      QLinearLeakyReluPattern, QLinearConcatPattern, QLinearAveragePoolPattern,
      QLinearGlobalAveragePoolPattern, QLinearSoftmaxPattern>(
      patterns.getContext());
}

} // namespace aicc::lowering
