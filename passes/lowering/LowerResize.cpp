//===- LowerResize.cpp - Resize to linalg ---------------------------------===//
//
// graph.Resize (nearest and linear modes) becomes one generic over the
// output: each output index is mapped to a source coordinate by the
// coordinate_transformation_mode, in f64 like ONNX's reference; nearest
// rounds it by nearest_mode, linear blends the two neighbours of every
// resized dim (2^k taps for k resized dims) and cubic the four (floor-1 ..
// floor+2, 4^k taps) with Keys' weights for cubic_coeff_a, like ONNX's
// reference. Neighbours outside the input take the edge value; with
// exclude_outside their cubic weights are 0 and the others renormalized.
// tf_crop_and_resize maps into a constant roi and gives
// extrapolation_value for coordinates outside the input; the keep-aspect-
// ratio policies resize every axis by the smallest (not_larger) or largest
// (not_smaller) of the constant sizes' ratios. Antialiasing is left as a
// graph op.
//
// With value-dependent output dims (issue 15: scales or sizes a value
// input of the graph) the same generic runs over the run-time output
// extents, with each per-dim scale and extent a value in the body: the
// scales tensor is read by the kernel, sizes give output / input extent
// (keep_aspect_ratio_policy reads the sizes tensor), and a roi that is a
// value input is read by the kernel too.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"
#include "passes/lowering/ValueShapes.h"

#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

/// Keys' cubic kernel with coefficient `a` at |t| in [0, 1) (near) and
/// [1, 2) (far), in f64.
Value keysNear(OpBuilder &b, Location l, double a, Value t) {
  auto cst = [&](double v) { return constScalar(b, l, b.getF64Type(), v); };
  Value v = arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, cst(a + 2), t),
                                  cst(a + 3));
  return arith::AddFOp::create(
      b, l, arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, v, t), t),
      cst(1.0));
}
Value keysFar(OpBuilder &b, Location l, double a, Value t) {
  auto cst = [&](double v) { return constScalar(b, l, b.getF64Type(), v); };
  Value v =
      arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, cst(a), t), cst(5 * a));
  v = arith::AddFOp::create(b, l, arith::MulFOp::create(b, l, v, t), cst(8 * a));
  return arith::SubFOp::create(b, l, arith::MulFOp::create(b, l, v, t),
                               cst(4 * a));
}

/// An f64 quantity of the Resize body: a constant, folded here, or a value
/// computed in the body. With static shapes and constant scales, sizes and
/// roi every per-dim quantity is a constant; with value-dependent ones
/// (issue 15) the scale, roi and extents are values.
struct Num {
  Num(double c) : c(c) {}
  Num(Value v) : v(v) {}
  std::optional<double> c;
  Value v;
};

/// Arithmetic on Nums in a body: constants fold, anything else becomes
/// arith ops (the left operand materialized first).
class NumBuilder {
public:
  NumBuilder(OpBuilder &b, Location l) : b(b), l(l) {}
  Value value(Num n) {
    return n.c ? constScalar(b, l, b.getF64Type(), *n.c) : n.v;
  }
  Num add(Num p, Num q) {
    return fold<arith::AddFOp>(p, q, [](double x, double y) { return x + y; });
  }
  Num sub(Num p, Num q) {
    return fold<arith::SubFOp>(p, q, [](double x, double y) { return x - y; });
  }
  Num mul(Num p, Num q) {
    return fold<arith::MulFOp>(p, q, [](double x, double y) { return x * y; });
  }
  Num div(Num p, Num q) {
    return fold<arith::DivFOp>(p, q, [](double x, double y) { return x / y; });
  }
  Num min(Num p, Num q) {
    return fold<arith::MinimumFOp>(
        p, q, [](double x, double y) { return std::min(x, y); });
  }
  Num max(Num p, Num q) {
    return fold<arith::MaximumFOp>(
        p, q, [](double x, double y) { return std::max(x, y); });
  }
  /// `x * num / den`: one multiply by the folded ratio when both are
  /// constants.
  Num scaleBy(Num x, Num num, Num den) {
    if (num.c && den.c)
      return mul(x, *num.c / *den.c);
    return div(mul(x, num), den);
  }
  /// `whenOne()` where `v` is 1, else `otherwise()`: chosen here for a
  /// constant `v`, by a select in the body for a value.
  Num ifOne(Num v, llvm::function_ref<Num()> whenOne,
            llvm::function_ref<Num()> otherwise) {
    if (v.c)
      return *v.c == 1.0 ? whenOne() : otherwise();
    Value isOne =
        arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v.v, value(1.0));
    Value p = value(whenOne());
    Value q = value(otherwise());
    Value r = arith::SelectOp::create(b, l, isOne, p, q);
    return r;
  }

private:
  template <typename OpTy> Num fold(Num p, Num q, double (*f)(double, double)) {
    if (p.c && q.c)
      return f(*p.c, *q.c);
    Value x = value(p);
    Value y = value(q);
    Value r = OpTy::create(b, l, x, y);
    return r;
  }
  OpBuilder &b;
  Location l;
};

/// Resize, static or with output dims only known at run time (issue 15,
/// value-dependent shapes: `scales` or `sizes` is a value input of the
/// graph, or the input has dynamic dims). One generic over the output;
/// every per-dim quantity is a Num: the scale given by the scales input
/// (read by the kernel when it is a value, as the contract allows for
/// Resize), or output size / input size for sizes (with
/// keep_aspect_ratio_policy, the smallest or largest of sizes / input size,
/// reading the sizes tensor when it is a value); the input and output
/// extents from the dims (push constants when dynamic). Dims not resized,
/// and resized dims of the same static size with a constant scale of 1
/// whose coordinate is the index, map index to index; a resized dim of
/// static size 1 reads index 0 in every mode but tf_crop_and_resize.
LogicalResult lowerResize(graph::ResizeOp op, PatternRewriter &rewriter) {
  auto inType = cast<RankedTensorType>(op.getX().getType());
  auto outType = cast<RankedTensorType>(op.getY().getType());
  auto inSizes = getKnownDimSizes(op.getX());
  auto outSizes = resultSizes(op, 0);
  if (!inSizes || !outSizes)
    return rewriter.notifyMatchFailure(
        op, "needs static shapes, or dims known from the dynamic symbols");
  if (!isa<FloatType>(inType.getElementType()))
    return rewriter.notifyMatchFailure(op, "only float inputs are supported");
  StringRef mode = op.getMode();
  StringRef coordMode = op.getCoordinateTransformationMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return rewriter.notifyMatchFailure(
        op, "mode='" + mode +
                "' is not supported (only nearest, linear and cubic)");
  if (op.getAntialias())
    return rewriter.notifyMatchFailure(op, "antialias is not supported");
  if (op.getExcludeOutside() && mode != "cubic")
    return rewriter.notifyMatchFailure(
        op, "exclude_outside is supported in cubic mode only");
  bool excludeOutside = op.getExcludeOutside() != 0;
  double cubicA = op.getCubicCoeffA().convertToDouble();
  StringRef policy = op.getKeepAspectRatioPolicy();
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return rewriter.notifyMatchFailure(
        op, "keep_aspect_ratio_policy='" + policy + "' is not supported");
  int64_t rank = inType.getRank();
  SmallVector<int64_t> axes;
  if (auto a = op.getAxes()) {
    for (int64_t x : *a) {
      auto axis = normalizeAxis(x, rank);
      if (!axis)
        return rewriter.notifyMatchFailure(op, "an axis is out of range");
      axes.push_back(*axis);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  // The scale of each resized axis: from the scales input (constant or
  // read in the kernel), else from sizes. An empty scales input (opset
  // 11-12 models with sizes) is absent.
  Value scalesValue = op.getScales();
  if (scalesValue && op.getSizes())
    if (auto values = graph::getConstantFloats(scalesValue);
        values && values->empty())
      scalesValue = Value();
  std::optional<SmallVector<double>> constScales;
  Value sizesValue = op.getSizes();
  std::optional<SmallVector<int64_t>> constSizes;
  if (policy != "stretch") {
    if (!sizesValue)
      return rewriter.notifyMatchFailure(op,
                                         "keep_aspect_ratio_policy needs sizes");
    constSizes = constantInts(sizesValue);
  } else if (scalesValue) {
    constScales = graph::getConstantFloats(scalesValue);
  } else if (!sizesValue) {
    return rewriter.notifyMatchFailure(op, "needs scales or sizes");
  }
  auto checkLength = [&](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.hasStaticShape() && type.getRank() == 1 &&
           type.getDimSize(0) == (int64_t)axes.size();
  };
  if (policy != "stretch" && !checkLength(sizesValue))
    return rewriter.notifyMatchFailure(
        op, "sizes must have one value per resized axis");
  if (policy == "stretch" && scalesValue && !checkLength(scalesValue))
    return rewriter.notifyMatchFailure(
        op, "scales must have one value per resized axis");

  // tf_crop_and_resize: the crop box per resized axis, in [0, 1] of the
  // input: starts then ends, constant or read by the kernel.
  bool crop = coordMode == "tf_crop_and_resize";
  Value roiValue = op.getRoi();
  std::optional<SmallVector<double>> constRoi;
  if (crop) {
    auto type = roiValue ? dyn_cast<RankedTensorType>(roiValue.getType())
                         : RankedTensorType();
    if (!type || !type.hasStaticShape() || type.getRank() != 1 ||
        type.getDimSize(0) != 2 * (int64_t)axes.size())
      return rewriter.notifyMatchFailure(
          op, "tf_crop_and_resize needs a roi with two values per resized "
              "axis");
    constRoi = graph::getConstantFloats(roiValue);
  }
  double extrapolation = op.getExtrapolationValue().convertToDouble();
  Location loc = op.getLoc();
  Value x = op.getX();
  Type elem = inType.getElementType();
  StringRef nearestMode = op.getNearestMode();
  Value result = buildParallelSized(
      rewriter, loc, {}, *outSizes, elem,
      [&](OpBuilder &b, Location l, ValueRange) -> Value {
        Type f64 = b.getF64Type();
        Type i64 = b.getI64Type();
        NumBuilder n(b, l);
        auto cst = [&](double v) { return constScalar(b, l, f64, v); };
        auto add = [&](Value p, Value q) -> Value {
          return arith::AddFOp::create(b, l, p, q);
        };
        auto sub = [&](Value p, Value q) -> Value {
          return arith::SubFOp::create(b, l, p, q);
        };
        auto mul = [&](Value p, Value q) -> Value {
          return arith::MulFOp::create(b, l, p, q);
        };
        auto toF64 = [&](Value index) -> Value {
          return arith::SIToFPOp::create(
              b, l, f64, arith::IndexCastOp::create(b, l, i64, index));
        };
        auto sizeOf = [&](OpFoldResult size) -> Num {
          if (auto attr = dyn_cast<Attribute>(size))
            return (double)cast<IntegerAttr>(attr).getInt();
          return toF64(cast<Value>(size));
        };
        auto inSize = [&](int64_t d) { return sizeOf((*inSizes)[d]); };
        // Element j of a 1-D value input, in f64.
        auto readF64 = [&](Value tensor, int64_t j) -> Num {
          Value v = tensor::ExtractOp::create(b, l, tensor,
                                              ValueRange{constIndex(b, l, j)});
          if (isa<FloatType>(v.getType()))
            return v.getType() == f64 ? v : (Value)arith::ExtFOp::create(b, l, f64, v);
          return (Value)arith::SIToFPOp::create(b, l, f64, v);
        };
        // The policy's one scale for every resized axis.
        std::optional<Num> policyScale;
        if (policy != "stretch") {
          for (auto [j, axis] : llvm::enumerate(axes)) {
            Num size = constSizes ? Num((double)(*constSizes)[j])
                                  : readF64(sizesValue, j);
            Num r = n.div(size, inSize(axis));
            if (!policyScale)
              policyScale = r;
            else if (policy == "not_larger")
              policyScale = n.min(*policyScale, r);
            else
              policyScale = n.max(*policyScale, r);
          }
        }
        // The scale of resized axis `d`.
        auto scaleOf = [&](int64_t d) -> Num {
          if (policyScale)
            return *policyScale;
          size_t j = llvm::find(axes, d) - axes.begin();
          if (scalesValue)
            return constScales ? Num((*constScales)[j])
                               : readF64(scalesValue, j);
          return n.div(sizeOf((*outSizes)[d]), inSize(d));
        };
        // The scale of resized axis `d` when it is a constant.
        auto constantScale = [&](int64_t d) -> std::optional<double> {
          if (policyScale)
            return policyScale->c;
          size_t j = llvm::find(axes, d) - axes.begin();
          if (scalesValue)
            return constScales ? std::optional<double>((*constScales)[j])
                               : std::nullopt;
          if (inType.isDynamicDim(d) || outType.isDynamicDim(d))
            return std::nullopt;
          return (double)outType.getDimSize(d) / (double)inType.getDimSize(d);
        };
        // Set by tf_crop_and_resize coordinates outside the input.
        Value outside;
        // Source coordinate of output index `i` along `d`, in f64 (the
        // coordinate transformations of the ONNX Resize specification).
        auto coordinate = [&](int64_t d, Value i) -> Value {
          Num xf = toF64(i);
          Num scale = scaleOf(d);
          Num in = inSize(d);
          Num outScaled = n.mul(scale, in);
          auto halfPixel = [&]() {
            return n.sub(n.div(n.add(xf, 0.5), scale), 0.5);
          };
          if (coordMode == "asymmetric")
            return n.value(n.div(xf, scale));
          if (coordMode == "tf_half_pixel_for_nn") // opset 11
            return n.value(n.div(n.add(xf, 0.5), scale));
          Num inMinus1 = n.sub(in, 1.0);
          if (crop) {
            size_t j = llvm::find(axes, d) - axes.begin();
            auto roiAt = [&](size_t k) -> Num {
              return constRoi ? Num((*constRoi)[k]) : readF64(roiValue, k);
            };
            Num roiStart = roiAt(j), roiEnd = roiAt(j + axes.size());
            Num extent = n.mul(n.sub(roiEnd, roiStart), inMinus1);
            Num c = n.ifOne(
                outScaled, [&] { return n.div(extent, 2.0); },
                [&] { return n.scaleBy(xf, extent, n.sub(outScaled, 1.0)); });
            Value cv = n.value(n.add(c, n.mul(roiStart, inMinus1)));
            // Outside the input: the extrapolation value.
            Value out = arith::OrIOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, cv,
                                      cst(0.0)),
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, cv,
                                      n.value(inMinus1)));
            outside =
                outside ? (Value)arith::OrIOp::create(b, l, outside, out) : out;
            return cv;
          }
          if (coordMode == "align_corners")
            return n.value(n.ifOne(
                outScaled, [&] { return Num(0.0); },
                [&] {
                  return n.scaleBy(xf, inMinus1, n.sub(outScaled, 1.0));
                }));
          if (coordMode == "pytorch_half_pixel")
            return n.value(n.ifOne(
                outScaled, [&] { return Num(-0.5); }, halfPixel));
          if (coordMode == "half_pixel_symmetric") {
            Num adjustment = n.div(sizeOf((*outSizes)[d]), outScaled);
            Num offset = n.mul(n.div(in, 2.0), n.sub(1.0, adjustment));
            return n.value(n.add(halfPixel(), offset));
          }
          return n.value(halfPixel()); // half_pixel
        };
        auto clampIndex = [&](Value f, int64_t d) -> Value {
          Value i = arith::FPToSIOp::create(b, l, i64, f);
          OpFoldResult size = (*inSizes)[d];
          Value hi =
              isa<Attribute>(size)
                  ? constInt(b, l, i64,
                             cast<IntegerAttr>(cast<Attribute>(size)).getInt() -
                                 1)
                  : (Value)arith::SubIOp::create(
                        b, l,
                        arith::IndexCastOp::create(b, l, i64,
                                                   cast<Value>(size)),
                        constInt(b, l, i64, 1));
          i = arith::MaxSIOp::create(b, l, i, constInt(b, l, i64, 0));
          i = arith::MinSIOp::create(b, l, i, hi);
          return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
        };
        // Dims not resized, and resized dims that keep their static size
        // with a constant scale of 1 where the coordinate is the index, map
        // index to index; a resized dim of size 1 reads 0.
        auto fixedIndex = [&](int64_t d) -> Value {
          if (!llvm::is_contained(axes, d))
            return linalg::IndexOp::create(b, l, d);
          if (crop)
            return Value();
          if (inType.getDimSize(d) == 1)
            return constIndex(b, l, 0);
          if (constantScale(d) == 1.0 && !inType.isDynamicDim(d) &&
              inType.getDimSize(d) == outType.getDimSize(d) &&
              coordMode != "pytorch_half_pixel" && coordMode != "align_corners")
            return linalg::IndexOp::create(b, l, d);
          return Value();
        };

        if (mode == "nearest") {
          SmallVector<Value> idx;
          for (int64_t d = 0; d < rank; ++d) {
            if (Value i = fixedIndex(d)) {
              idx.push_back(i);
              continue;
            }
            Value c = coordinate(d, linalg::IndexOp::create(b, l, d));
            Value r;
            if (nearestMode == "floor")
              r = math::FloorOp::create(b, l, c);
            else if (nearestMode == "ceil")
              r = math::CeilOp::create(b, l, c);
            else if (nearestMode == "round_prefer_ceil")
              r = math::FloorOp::create(b, l, add(c, cst(0.5)));
            else // round_prefer_floor
              r = math::CeilOp::create(b, l, sub(c, cst(0.5)));
            idx.push_back(clampIndex(r, d));
          }
          Value v = tensor::ExtractOp::create(b, l, x, idx);
          if (outside)
            v = arith::SelectOp::create(
                b, l, outside, constScalar(b, l, elem, extrapolation), v);
          return v;
        }

        // Linear: two neighbours per resized dim (floor, floor+1); cubic:
        // four (floor-1 .. floor+2).
        int64_t taps = mode == "cubic" ? 4 : 2;
        SmallVector<int64_t> resized;
        SmallVector<Value> fixedIdx(rank);
        SmallVector<SmallVector<Value, 4>> tapIdx(rank), tapWeight(rank);
        for (int64_t d = 0; d < rank; ++d) {
          if (Value i = fixedIndex(d)) {
            fixedIdx[d] = i;
            continue;
          }
          resized.push_back(d);
          Value c = coordinate(d, linalg::IndexOp::create(b, l, d));
          Value f = math::FloorOp::create(b, l, c);
          Value t = sub(c, f);
          if (mode == "linear") {
            tapIdx[d] = {clampIndex(f, d), clampIndex(add(f, cst(1.0)), d)};
            tapWeight[d] = {sub(cst(1.0), t), t};
            continue;
          }
          Value oneMinus = sub(cst(1.0), t);
          tapWeight[d] = {keysFar(b, l, cubicA, add(t, cst(1.0))),
                          keysNear(b, l, cubicA, t),
                          keysNear(b, l, cubicA, oneMinus),
                          keysFar(b, l, cubicA, add(oneMinus, cst(1.0)))};
          Value total;
          for (int64_t k = 0; k < 4; ++k) {
            Value p = add(f, cst((double)k - 1));
            tapIdx[d].push_back(clampIndex(p, d));
            if (!excludeOutside)
              continue;
            Value inside = arith::AndIOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, p,
                                      cst(0.0)),
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, p,
                                      n.value(inSize(d))));
            tapWeight[d][k] =
                arith::SelectOp::create(b, l, inside, tapWeight[d][k], cst(0.0));
            total = total ? add(total, tapWeight[d][k]) : tapWeight[d][k];
          }
          if (excludeOutside)
            for (Value &w : tapWeight[d])
              w = arith::DivFOp::create(b, l, w, total);
        }
        int64_t numTaps = 1;
        for (size_t k = 0; k < resized.size(); ++k)
          numTaps *= taps;
        Value sum = cst(0.0);
        for (int64_t tap = 0; tap < numTaps; ++tap) {
          SmallVector<Value> idx(fixedIdx);
          Value weight;
          int64_t rest = tap;
          for (int64_t d : resized) {
            int64_t k = rest % taps;
            rest /= taps;
            idx[d] = tapIdx[d][k];
            weight = weight ? mul(weight, tapWeight[d][k]) : tapWeight[d][k];
          }
          if (!weight)
            weight = cst(1.0);
          Value v = tensor::ExtractOp::create(b, l, x, idx);
          if (!elem.isF64())
            v = arith::ExtFOp::create(b, l, f64, v);
          sum = add(sum, mul(weight, v));
        }
        if (outside)
          sum = arith::SelectOp::create(b, l, outside, cst(extrapolation), sum);
        return elem.isF64() ? sum
                            : (Value)arith::TruncFOp::create(b, l, elem, sum);
      });
  rewriter.replaceOp(op, result);
  return success();
}

struct ResizePattern : LoweringPattern<graph::ResizeOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::ResizeOp op,
                      PatternRewriter &rewriter) const override {
    return lowerResize(op, rewriter);
  }
};

} // namespace

void populateResizePatterns(RewritePatternSet &patterns) {
  patterns.add<ResizePattern>(patterns.getContext());
}

} // namespace aicc::lowering
