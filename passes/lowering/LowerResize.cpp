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

/// Resize whose output dims are only known at run time (issue 15,
/// value-dependent shapes): `scales` or `sizes` is a value input of the
/// graph, or the input has dynamic dims. The same generic as the static
/// lowering, with every per-dim quantity a run-time value in the body: the
/// scale read from the scales tensor (a kernel input, as the contract
/// allows for Resize), or output size / input size for sizes (with
/// keep_aspect_ratio_policy, the smallest or largest of sizes / input size,
/// reading the sizes tensor); the input and output extents from the dims
/// (push constants). A dim of static size 1 reads index 0 in every mode.
LogicalResult lowerDynamicResize(graph::ResizeOp op,
                                 PatternRewriter &rewriter) {
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
  // read in the kernel), else from sizes.
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
        auto div = [&](Value p, Value q) -> Value {
          return arith::DivFOp::create(b, l, p, q);
        };
        auto toF64 = [&](Value index) -> Value {
          return arith::SIToFPOp::create(
              b, l, f64, arith::IndexCastOp::create(b, l, i64, index));
        };
        auto sizeF64 = [&](OpFoldResult size) -> Value {
          if (auto attr = dyn_cast<Attribute>(size))
            return cst((double)cast<IntegerAttr>(attr).getInt());
          return toF64(cast<Value>(size));
        };
        auto inSize = [&](int64_t d) { return sizeF64((*inSizes)[d]); };
        // Element j of a 1-D value input, in f64.
        auto readF64 = [&](Value tensor, int64_t j) -> Value {
          Value v = tensor::ExtractOp::create(b, l, tensor,
                                              ValueRange{constIndex(b, l, j)});
          if (isa<FloatType>(v.getType()))
            return v.getType() == f64 ? v : (Value)arith::ExtFOp::create(b, l, f64, v);
          return arith::SIToFPOp::create(b, l, f64, v);
        };
        // The policy's one scale for every resized axis.
        Value policyScale;
        if (policy != "stretch") {
          for (auto [j, axis] : llvm::enumerate(axes)) {
            Value size = constSizes ? cst((double)(*constSizes)[j])
                                    : readF64(sizesValue, j);
            Value r = div(size, inSize(axis));
            if (!policyScale)
              policyScale = r;
            else if (policy == "not_larger")
              policyScale = arith::MinimumFOp::create(b, l, policyScale, r);
            else
              policyScale = arith::MaximumFOp::create(b, l, policyScale, r);
          }
        }
        auto scaleOf = [&](int64_t d) -> Value {
          if (policyScale)
            return policyScale;
          size_t j = llvm::find(axes, d) - axes.begin();
          if (scalesValue)
            return constScales ? cst((*constScales)[j]) : readF64(scalesValue, j);
          return div(sizeF64((*outSizes)[d]), inSize(d));
        };
        // Set by tf_crop_and_resize coordinates outside the input.
        Value outside;
        auto isOne = [&](Value v) {
          return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v,
                                       cst(1.0));
        };
        // Source coordinate of output index `i` along `d`, in f64 (the
        // coordinate transformations of the ONNX Resize specification).
        auto coordinate = [&](int64_t d, Value i) -> Value {
          Value xf = toF64(i);
          Value scale = scaleOf(d);
          Value in = inSize(d);
          Value outScaled = mul(scale, in);
          auto halfPixel = [&]() {
            return sub(div(add(xf, cst(0.5)), scale), cst(0.5));
          };
          if (coordMode == "asymmetric")
            return div(xf, scale);
          if (coordMode == "tf_half_pixel_for_nn") // opset 11
            return div(add(xf, cst(0.5)), scale);
          Value inMinus1 = sub(in, cst(1.0));
          if (crop) {
            size_t j = llvm::find(axes, d) - axes.begin();
            auto roiAt = [&](size_t k) {
              return constRoi ? cst((*constRoi)[k]) : readF64(roiValue, k);
            };
            Value roiStart = roiAt(j), roiEnd = roiAt(j + axes.size());
            Value extent = mul(sub(roiEnd, roiStart), inMinus1);
            Value c = arith::SelectOp::create(
                b, l, isOne(outScaled), div(extent, cst(2.0)),
                div(mul(xf, extent), sub(outScaled, cst(1.0))));
            c = add(c, mul(roiStart, inMinus1));
            Value out = arith::OrIOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, c,
                                      cst(0.0)),
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, c,
                                      inMinus1));
            outside =
                outside ? (Value)arith::OrIOp::create(b, l, outside, out) : out;
            return c;
          }
          if (coordMode == "align_corners")
            return arith::SelectOp::create(
                b, l, isOne(outScaled), cst(0.0),
                div(mul(xf, inMinus1), sub(outScaled, cst(1.0))));
          if (coordMode == "pytorch_half_pixel")
            return arith::SelectOp::create(b, l, isOne(outScaled), cst(-0.5),
                                           halfPixel());
          if (coordMode == "half_pixel_symmetric") {
            Value adjustment = div(sizeF64((*outSizes)[d]), outScaled);
            Value offset =
                mul(div(in, cst(2.0)), sub(cst(1.0), adjustment));
            return add(halfPixel(), offset);
          }
          return halfPixel(); // half_pixel
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
        // Dims not resized map index to index; a dim of size 1 reads 0.
        auto fixedIndex = [&](int64_t d) -> Value {
          if (!llvm::is_contained(axes, d))
            return linalg::IndexOp::create(b, l, d);
          if (inType.getDimSize(d) == 1 && !crop)
            return constIndex(b, l, 0);
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
                                      inSize(d)));
            tapWeight[d][k] =
                arith::SelectOp::create(b, l, inside, tapWeight[d][k], cst(0.0));
            total = total ? add(total, tapWeight[d][k]) : tapWeight[d][k];
          }
          if (excludeOutside)
            for (Value &w : tapWeight[d])
              w = div(w, total);
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
    auto inType = getStaticType(op.getX());
    auto outType = getStaticType(op.getY());
    if (!inType || !outType)
      return lowerDynamicResize(op, rewriter);
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
    if (policy != "stretch" && policy != "not_larger" &&
        policy != "not_smaller")
      return rewriter.notifyMatchFailure(
          op, "keep_aspect_ratio_policy='" + policy + "' is not supported");
    int64_t rank = inType.getRank();

    // Per-dim scale: given, or output size / input size.
    SmallVector<int64_t> axes;
    if (auto a = op.getAxes())
      for (int64_t x : *a)
        axes.push_back(x < 0 ? x + rank : x);
    else
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    SmallVector<double> scales(rank, 1.0);
    Value scalesValue = op.getScales();
    // An empty scales input (opset 11-12 models with sizes) is absent.
    if (scalesValue && op.getSizes())
      if (auto values = graph::getConstantFloats(scalesValue);
          values && values->empty())
        scalesValue = Value();
    if (policy != "stretch") {
      // One scale for every resized axis: the smallest (not_larger) or
      // largest (not_smaller) of sizes / input size.
      auto sizes = op.getSizes() ? constantInts(op.getSizes()) : std::nullopt;
      if (!sizes || sizes->size() != axes.size())
        return rewriter.notifyMatchFailure(
            op, "keep_aspect_ratio_policy needs constant sizes");
      double scale = policy == "not_larger" ? 1e300 : 0.0;
      for (auto [axis, size] : llvm::zip(axes, *sizes)) {
        double r = (double)size / (double)inType.getDimSize(axis);
        scale = policy == "not_larger" ? std::min(scale, r) : std::max(scale, r);
      }
      for (int64_t axis : axes)
        scales[axis] = scale;
    } else if (Value s = scalesValue) {
      auto values = graph::getConstantFloats(s);
      if (!values || values->size() != axes.size())
        return rewriter.notifyMatchFailure(
            op, "scales must be a constant with one value per resized axis");
      for (auto [axis, v] : llvm::zip(axes, *values))
        scales[axis] = v;
    } else if (op.getSizes()) {
      for (int64_t axis : axes)
        scales[axis] = (double)outType.getDimSize(axis) /
                       (double)inType.getDimSize(axis);
    } else {
      return rewriter.notifyMatchFailure(op, "needs constant scales or sizes");
    }

    // tf_crop_and_resize: the crop box per dim, in [0, 1] of the input.
    SmallVector<double> roiStart(rank, 0.0), roiEnd(rank, 1.0);
    bool crop = coordMode == "tf_crop_and_resize";
    if (crop) {
      auto roi = op.getRoi() ? graph::getConstantFloats(op.getRoi())
                             : std::nullopt;
      if (!roi || roi->size() != 2 * axes.size())
        return rewriter.notifyMatchFailure(
            op, "tf_crop_and_resize needs a constant roi with two values per "
                "resized axis");
      for (auto [i, axis] : llvm::enumerate(axes)) {
        roiStart[axis] = (*roi)[i];
        roiEnd[axis] = (*roi)[i + axes.size()];
      }
    }
    double extrapolation = op.getExtrapolationValue().convertToDouble();

    Location loc = op.getLoc();
    Value x = op.getX();
    Type elem = inType.getElementType();
    StringRef nearestMode = op.getNearestMode();
    Value result = buildParallel(
        rewriter, loc, {}, outType.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          Type f64 = b.getF64Type();
          auto cst = [&](double v) { return constScalar(b, l, f64, v); };
          // Set by tf_crop_and_resize coordinates outside the input.
          Value outside;
          // Source coordinate of output index `i` along `d`, in f64.
          auto coordinate = [&](int64_t d, Value i) -> Value {
            Value xf = arith::SIToFPOp::create(
                b, l, f64,
                arith::IndexCastOp::create(b, l, b.getI64Type(), i));
            double scale = scales[d];
            double inSize = inType.getDimSize(d);
            double outSize = scale * inSize;
            auto halfPixel = [&]() {
              return arith::SubFOp::create(
                  b, l,
                  arith::DivFOp::create(
                      b, l, arith::AddFOp::create(b, l, xf, cst(0.5)),
                      cst(scale)),
                  cst(0.5));
            };
            if (coordMode == "asymmetric")
              return arith::DivFOp::create(b, l, xf, cst(scale));
            if (coordMode == "tf_half_pixel_for_nn") { // opset 11
              // Sequenced: the op order must not depend on the compiler.
              Value s = cst(scale);
              return arith::DivFOp::create(
                  b, l, arith::AddFOp::create(b, l, xf, cst(0.5)), s);
            }
            if (crop) {
              double extent = (roiEnd[d] - roiStart[d]) * (inSize - 1);
              Value c = outSize == 1
                            ? cst(extent / 2)
                            : (Value)arith::MulFOp::create(
                                  b, l, xf, cst(extent / (outSize - 1)));
              c = arith::AddFOp::create(b, l, c,
                                        cst(roiStart[d] * (inSize - 1)));
              // Outside the input: the extrapolation value.
              Value out = arith::OrIOp::create(
                  b, l,
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, c,
                                        cst(0.0)),
                  arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, c,
                                        cst(inSize - 1)));
              outside = outside ? (Value)arith::OrIOp::create(b, l, outside, out)
                                : out;
              return c;
            }
            if (coordMode == "align_corners")
              return outSize == 1
                         ? cst(0.0)
                         : (Value)arith::MulFOp::create(
                               b, l, xf,
                               cst((inSize - 1) / (outSize - 1)));
            if (coordMode == "pytorch_half_pixel")
              return outSize == 1 ? cst(-0.5) : (Value)halfPixel();
            if (coordMode == "half_pixel_symmetric") {
              double adjustment = outType.getDimSize(d) / outSize;
              double offset = inSize / 2 * (1 - adjustment);
              return arith::AddFOp::create(b, l, halfPixel(), cst(offset));
            }
            return halfPixel(); // half_pixel
          };
          auto clampIndex = [&](Value f, int64_t d) -> Value {
            Value i = arith::FPToSIOp::create(b, l, b.getI64Type(), f);
            Value lo = constInt(b, l, b.getI64Type(), 0);
            Value hi = constInt(b, l, b.getI64Type(), inType.getDimSize(d) - 1);
            i = arith::MaxSIOp::create(b, l, i, lo);
            i = arith::MinSIOp::create(b, l, i, hi);
            return arith::IndexCastOp::create(b, l, b.getIndexType(), i);
          };
          // Dims that keep their size with scale 1 map index to index.
          auto isIdentity = [&](int64_t d) {
            return scales[d] == 1.0 && !crop &&
                   inType.getDimSize(d) == outType.getDimSize(d) &&
                   coordMode != "pytorch_half_pixel" &&
                   coordMode != "align_corners";
          };

          if (mode == "nearest") {
            SmallVector<Value> idx;
            for (int64_t d = 0; d < rank; ++d) {
              Value i = linalg::IndexOp::create(b, l, d);
              if (isIdentity(d)) {
                idx.push_back(i);
                continue;
              }
              Value c = coordinate(d, i);
              Value r;
              if (nearestMode == "floor")
                r = math::FloorOp::create(b, l, c);
              else if (nearestMode == "ceil")
                r = math::CeilOp::create(b, l, c);
              else if (nearestMode == "round_prefer_ceil")
                r = math::FloorOp::create(
                    b, l, arith::AddFOp::create(b, l, c, cst(0.5)));
              else // round_prefer_floor
                r = math::CeilOp::create(
                    b, l, arith::SubFOp::create(b, l, c, cst(0.5)));
              idx.push_back(clampIndex(r, d));
            }
            Value v = tensor::ExtractOp::create(b, l, x, idx);
            if (outside)
              v = arith::SelectOp::create(b, l, outside,
                                          constScalar(b, l, elem, extrapolation),
                                          v);
            return v;
          }

          // Linear: two neighbours per resized dim (floor, floor+1); cubic:
          // four (floor-1 .. floor+2). Per dim: the clamped tap indices and
          // their weights.
          int64_t taps = mode == "cubic" ? 4 : 2;
          SmallVector<int64_t> resized;
          SmallVector<Value> identityIdx(rank);
          SmallVector<SmallVector<Value, 4>> tapIdx(rank), tapWeight(rank);
          auto add = [&](Value p, Value q) -> Value {
            return arith::AddFOp::create(b, l, p, q);
          };
          auto sub = [&](Value p, Value q) -> Value {
            return arith::SubFOp::create(b, l, p, q);
          };
          auto mul = [&](Value p, Value q) -> Value {
            return arith::MulFOp::create(b, l, p, q);
          };
          // Keys' kernel: |t| in [0, 1) and [1, 2).
          auto nearW = [&](Value t) {
            Value v = sub(mul(cst(cubicA + 2), t), cst(cubicA + 3));
            return add(mul(mul(v, t), t), cst(1.0));
          };
          auto farW = [&](Value t) {
            Value v = sub(mul(cst(cubicA), t), cst(5 * cubicA));
            v = add(mul(v, t), cst(8 * cubicA));
            return sub(mul(v, t), cst(4 * cubicA));
          };
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            if (isIdentity(d)) {
              identityIdx[d] = i;
              continue;
            }
            resized.push_back(d);
            Value c = coordinate(d, i);
            Value f = math::FloorOp::create(b, l, c);
            Value t = sub(c, f);
            if (mode == "linear") {
              tapIdx[d] = {clampIndex(f, d), clampIndex(add(f, cst(1.0)), d)};
              tapWeight[d] = {sub(cst(1.0), t), t};
              continue;
            }
            Value oneMinus = sub(cst(1.0), t);
            tapWeight[d] = {farW(add(t, cst(1.0))), nearW(t), nearW(oneMinus),
                            farW(add(oneMinus, cst(1.0)))};
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
                                        cst((double)inType.getDimSize(d))));
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
            SmallVector<Value> idx(identityIdx);
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
            v = arith::ExtFOp::create(b, l, f64, v);
            sum = arith::AddFOp::create(b, l, sum,
                                        arith::MulFOp::create(b, l, weight, v));
          }
          if (outside)
            sum = arith::SelectOp::create(b, l, outside, cst(extrapolation),
                                          sum);
          return elem.isF64() ? sum
                              : (Value)arith::TruncFOp::create(b, l, elem, sum);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateResizePatterns(RewritePatternSet &patterns) {
  patterns.add<ResizePattern>(patterns.getContext());
}

} // namespace aicc::lowering
