//===- ShapeRulesNNHelpers.cpp - NN result-type helpers -------------------===//
//
// Definitions of the helpers declared in ShapeRulesNNHelpers.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/ShapeRulesNNHelpers.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace aicc::graph::nn_rules {

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::interleave(
      shape, [&](int64_t d) { s += dimStr(d); }, [&] { s += ", "; });
  return s + "]";
}

/// The single value of a constant one-element integer tensor.
std::optional<int64_t> constantScalar(Value v) {
  auto values = getConstantInts(v);
  if (!v || !values || values->size() != 1)
    return std::nullopt;
  return values->front();
}

//===----------------------------------------------------------------------===//
// Diagnostics shared by several ops. Each helper owns one message format.
//===----------------------------------------------------------------------===//

LogicalResult checkRank(Loc loc, StringRef op, StringRef what,
                        const OptShape &s, int64_t rank) {
  if (!s || (int64_t)s->size() == rank)
    return success();
  return emitOptionalError(loc, op, ": expected ", what, " of rank ", rank,
                           ", got rank ", s->size());
}

LogicalResult checkMinRank(Loc loc, StringRef op, StringRef what,
                           const OptShape &s, int64_t rank) {
  if (!s || (int64_t)s->size() >= rank)
    return success();
  return emitOptionalError(loc, op, ": expected ", what, " of rank >= ", rank,
                           ", got rank ", s->size());
}

LogicalResult checkRankEither(Loc loc, StringRef op, StringRef what,
                              const OptShape &s, int64_t r1, int64_t r2) {
  if (!s || (int64_t)s->size() == r1 || (int64_t)s->size() == r2)
    return success();
  return emitOptionalError(loc, op, ": expected ", what, " of rank ", r1,
                           " or ", r2, ", got rank ", s->size());
}

LogicalResult checkSameRank(Loc loc, StringRef op, StringRef what,
                            const OptShape &s, StringRef otherWhat,
                            const OptShape &other) {
  if (!s || !other || s->size() == other->size())
    return success();
  return emitOptionalError(loc, op, ": ", what, " has rank ", s->size(),
                           " but ", otherWhat, " has rank ", other->size());
}

/// Two dims that must be equal: the static one of the two, or a failure.
FailureOr<int64_t> mergeDim(Loc loc, StringRef op, int64_t a, StringRef aWhat,
                            int64_t b, StringRef bWhat) {
  if (isDyn(a))
    return b;
  if (isDyn(b) || a == b)
    return a;
  return emitOptionalError(loc, op, ": ", aWhat, " (", a, ") does not match ",
                           bWhat, " (", b, ")");
}

/// `value / divisor` when the divisor divides it; dynamic if either is.
FailureOr<int64_t> divideDim(Loc loc, StringRef op, int64_t value,
                             StringRef valueWhat, int64_t divisor,
                             StringRef divisorWhat) {
  if (isDyn(value) || isDyn(divisor))
    return kDyn;
  if (divisor <= 0 || value % divisor != 0)
    return emitOptionalError(loc, op, ": ", valueWhat, " (", value,
                             ") is not divisible by ", divisorWhat, " (",
                             divisor, ")");
  return value / divisor;
}

LogicalResult checkPositive(Loc loc, StringRef op, StringRef what,
                            int64_t value) {
  if (value > 0)
    return success();
  return emitOptionalError(loc, op, ": ", what, " must be positive, got ",
                           value);
}

LogicalResult checkNonNegative(Loc loc, StringRef op, StringRef what,
                               int64_t value) {
  if (value >= 0)
    return success();
  return emitOptionalError(loc, op, ": ", what, " must be non-negative, got ",
                           value);
}

LogicalResult checkAllPositive(Loc loc, StringRef op, StringRef what,
                               ArrayRef<int64_t> values) {
  if (llvm::all_of(values, [](int64_t v) { return v > 0; }))
    return success();
  return emitOptionalError(loc, op, ": ", what, " must be positive, got ",
                           shapeStr(values));
}

LogicalResult checkAllNonNegative(Loc loc, StringRef op, StringRef what,
                                  ArrayRef<int64_t> values) {
  if (llvm::all_of(values, [](int64_t v) { return v >= 0; }))
    return success();
  return emitOptionalError(loc, op, ": ", what, " must be non-negative, got ",
                           shapeStr(values));
}

LogicalResult checkLength(Loc loc, StringRef op, StringRef what, size_t size,
                          size_t expected) {
  if (size == expected)
    return success();
  return emitOptionalError(loc, op, ": ", what, " has ", size,
                           " values, expected ", expected);
}

LogicalResult checkOneOf(Loc loc, StringRef op, StringRef what, StringRef value,
                         ArrayRef<StringRef> allowed) {
  if (llvm::is_contained(allowed, value))
    return success();
  return emitOptionalError(loc, op, ": ", what, " must be one of ",
                           llvm::join(allowed, ", "), ", got '", value, "'");
}

// Parsed IR never gets here: ODS verifies required attributes before the
// result types. Builders that infer types from an incomplete attribute list
// do, and get this instead of a null dereference.
LogicalResult missingAttr(Loc loc, StringRef op, StringRef name) {
  return emitOptionalError(loc, op, ": missing required attribute '", name,
                           "'");
}

/// Merges two shapes that must be equal dim by dim.
FailureOr<OptShape> mergeShapes(Loc loc, StringRef op, const OptShape &a,
                                StringRef aWhat, const OptShape &b,
                                StringRef bWhat) {
  if (!a)
    return b;
  if (!b)
    return a;
  if (failed(checkSameRank(loc, op, aWhat, a, bWhat, b)))
    return failure();
  Shape out(a->size());
  for (size_t i = 0; i < a->size(); ++i) {
    auto d =
        mergeDim(loc, op, (*a)[i], ("dim " + Twine(i) + " of " + aWhat).str(),
                 (*b)[i], ("dim " + Twine(i) + " of " + bWhat).str());
    if (failed(d))
      return failure();
    out[i] = *d;
  }
  return OptShape(out);
}

/// A dim computed in floating point (Resize), rejected when it cannot be an
/// int64 size.
FailureOr<int64_t> checkedSize(Loc loc, StringRef op, int64_t axis,
                               double size) {
  if (size >= 0 && size < 9.0e18)
    return (int64_t)size;
  return emitOptionalError(loc, op, ": dim ", axis, " has output size ", size,
                           ", which is not a valid dim");
}

/// The trailing dim of DFT/STFT signals: 1 for real, 2 for complex values.
LogicalResult checkComplexDim(Loc loc, StringRef op, StringRef what,
                              int64_t d) {
  if (isDyn(d) || d == 1 || d == 2)
    return success();
  return emitOptionalError(loc, op, ": ", what,
                           " must be 1 (real) or 2 (complex), got ", d);
}

/// The element type an `output_datatype` attribute names.
FailureOr<Type> dataTypeAttr(MLIRContext *ctx, Loc loc, StringRef op,
                             int64_t code) {
  if (Type t = onnxDataTypeToType(ctx, code))
    return t;
  return emitOptionalError(loc, op, ": output_datatype ", code,
                           " is not a supported ONNX data type");
}

//===----------------------------------------------------------------------===//
// Sliding windows: convolution and pooling
//===----------------------------------------------------------------------===//

/// Reads strides, dilations, pads and auto_pad for `n` spatial dims.
LogicalResult readWindow(Loc loc, StringRef op, size_t n,
                         std::optional<ArrayRef<int64_t>> strides,
                         std::optional<ArrayRef<int64_t>> dilations,
                         std::optional<ArrayRef<int64_t>> pads,
                         StringRef autoPad, bool ceilMode, Window &w) {
  if (failed(checkOneOf(loc, op, "auto_pad", autoPad,
                        {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"})))
    return failure();
  w.autoPad = autoPad;
  w.ceilMode = ceilMode;
  w.strides.assign(n, 1);
  w.dilations.assign(n, 1);
  w.pads.assign(2 * n, 0);
  if (strides) {
    if (failed(checkLength(loc, op, "strides", strides->size(), n)) ||
        failed(checkAllPositive(loc, op, "strides", *strides)))
      return failure();
    w.strides.assign(strides->begin(), strides->end());
  }
  if (dilations) {
    if (failed(checkLength(loc, op, "dilations", dilations->size(), n)) ||
        failed(checkAllPositive(loc, op, "dilations", *dilations)))
      return failure();
    w.dilations.assign(dilations->begin(), dilations->end());
  }
  // ONNX forbids pads next to an auto_pad other than NOTSET; auto_pad wins.
  if (pads && autoPad == "NOTSET") {
    if (failed(checkLength(loc, op, "pads", pads->size(), 2 * n)) ||
        failed(checkAllNonNegative(loc, op, "pads", *pads)))
      return failure();
    w.pads.assign(pads->begin(), pads->end());
  }
  return success();
}

/// The kernel from the kernel_shape attribute and/or the spatial dims of the
/// weight; `weight` may be unranked.
FailureOr<Shape> readKernel(Loc loc, StringRef op, size_t n,
                            std::optional<ArrayRef<int64_t>> kernelShape,
                            const OptShape &weight) {
  Shape kernel(n, kDyn);
  if (weight && weight->size() == n + 2)
    kernel.assign(weight->begin() + 2, weight->end());
  if (!kernelShape)
    return kernel;
  if (failed(checkLength(loc, op, "kernel_shape", kernelShape->size(), n)) ||
      failed(checkAllPositive(loc, op, "kernel_shape", *kernelShape)))
    return failure();
  for (size_t i = 0; i < n; ++i) {
    if (!isDyn(kernel[i]) && kernel[i] != (*kernelShape)[i])
      return emitOptionalError(loc, op, ": kernel_shape ",
                               shapeStr(*kernelShape),
                               " does not match the spatial dims ",
                               shapeStr(kernel), " of the weight");
  }
  return Shape(kernelShape->begin(), kernelShape->end());
}

/// Output spatial dims of a sliding window (ONNX Conv/Pool formulas):
///  SAME_UPPER/SAME_LOWER: ceil(in / stride);
///  VALID:  floor((in - dilated_kernel) / stride) + 1 (ceil_mode agrees);
///  NOTSET: floor or ceil((in + pads - dilated_kernel) / stride) + 1, where
///          with ceil_mode a last window starting in the end padding is
///          dropped.
FailureOr<Shape> windowOutput(Loc loc, StringRef op, ArrayRef<int64_t> in,
                              const Window &w) {
  size_t n = in.size();
  Shape out(n, kDyn);
  bool same = w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER";
  bool valid = w.autoPad == "VALID";
  for (size_t i = 0; i < n; ++i) {
    int64_t size = in[i], stride = w.strides[i];
    if (isDyn(size))
      continue;
    if (same) {
      out[i] = ceilDiv(size, stride);
      continue;
    }
    if (isDyn(w.kernel[i]))
      continue;
    int64_t effective = (w.kernel[i] - 1) * w.dilations[i] + 1;
    int64_t padBegin = valid ? 0 : w.pads[i];
    int64_t padEnd = valid ? 0 : w.pads[i + n];
    int64_t span = size + padBegin + padEnd - effective;
    int64_t result;
    if (w.ceilMode && !valid) {
      result = ceilDiv(span, stride) + 1;
      if ((result - 1) * stride >= size + padBegin)
        --result;
    } else {
      result = floorDiv(span, stride) + 1;
    }
    // The spec's floor gives 0 where a window never fits by less than a
    // stride (ONNX's C++ inference and ONNX Runtime truncate to 1 there).
    if (result < 0)
      return emitOptionalError(
          loc, op, ": spatial dim ", i, " has negative output size ", result,
          " (input ", size, ", pads ", padBegin, "+", padEnd,
          ", dilated kernel ", effective, ", stride ", stride, ")");
    out[i] = result;
  }
  return out;
}

} // namespace aicc::graph::nn_rules
