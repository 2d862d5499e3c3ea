//===- ShapeRulesNN.cpp - Result-type rules for NN graph ops --------------===//
//
// inferReturnTypes for the convolution, pooling, normalization, recurrent,
// attention, signal-processing and loss ops of the graph dialect, following
// the ONNX specification of the newest opset.
//
// Sliding windows (Conv, ConvInteger, QLinearConv, DeformConv, MaxPool,
// AveragePool, LpPool, Col2Im) share one spatial output-size function so
// auto_pad, ceil_mode, dilations and strides are handled in one place.
// Conventions are those of ShapeInference.h: unranked operands give unranked
// results where the result rank depends on them, dims that depend on
// non-constant operand values are dynamic, and inconsistencies fail with a
// diagnostic that starts with the ONNX op name.
//
// All results of an op exist even where ONNX makes them optional (MaxPool's
// Indices, Dropout's mask, LSTM's Y_h and Y_c, Attention's present_key, ...).
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

using namespace mlir;

namespace aicc::graph {
namespace {

using Shape = SmallVector<int64_t>;
using OptShape = std::optional<Shape>;
constexpr int64_t kDyn = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

// Named differently from aicc::graph::getShape/getElementType: several ops
// have an operand called `shape`, whose accessor would hide those names
// inside the op's member functions.
OptShape shapeOf(Value v) {
  if (!v)
    return std::nullopt;
  return getShape(v);
}
Type elemOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }

Type tensorOf(const OptShape &shape, Type elem) {
  if (!shape)
    return UnrankedTensorType::get(elem);
  return RankedTensorType::get(*shape, elem);
}

std::string dimStr(int64_t d) { return isDyn(d) ? "?" : std::to_string(d); }

std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::interleave(
      shape, [&](int64_t d) { s += dimStr(d); }, [&] { s += ", "; });
  return s + "]";
}

int64_t intAttr(IntegerAttr attr, int64_t dflt) {
  return attr ? attr.getValue().getSExtValue() : dflt;
}
StringRef strAttr(StringAttr attr, StringRef dflt) {
  return attr ? attr.getValue() : dflt;
}
std::optional<ArrayRef<int64_t>> arrayAttr(DenseI64ArrayAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.asArrayRef();
}

/// Dim `i` of a shape; dynamic when unranked or out of range.
int64_t dimAt(const OptShape &s, int64_t i) {
  if (!s || i < 0 || i >= (int64_t)s->size())
    return kDyn;
  return (*s)[i];
}

int64_t addDims(int64_t a, int64_t b) {
  return isDyn(a) || isDyn(b) ? kDyn : a + b;
}
int64_t mulDims(int64_t a, int64_t b) {
  return isDyn(a) || isDyn(b) ? kDyn : a * b;
}
int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

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

/// Window parameters over n spatial dims with the ONNX defaults applied.
struct Window {
  Shape kernel;    // may hold dynamic dims when taken from W
  Shape strides;   // n values
  Shape dilations; // n values
  Shape pads;      // 2n values: all begins, then all ends
  StringRef autoPad = "NOTSET";
  bool ceilMode = false;
};

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

/// Operands and attributes common to Conv, ConvInteger, QLinearConv and
/// DeformConv.
struct ConvArgs {
  StringRef op;
  Value x, w, bias; // bias may be null
  std::optional<ArrayRef<int64_t>> kernelShape, strides, dilations, pads;
  StringRef autoPad = "NOTSET";
  int64_t group = 1;
};

/// Result shape (N, M, spatial...) of a convolution, std::nullopt if X is
/// unranked.
FailureOr<OptShape> inferConvShape(Loc loc, const ConvArgs &a) {
  StringRef op = a.op;
  if (failed(checkPositive(loc, op, "group", a.group)))
    return failure();
  OptShape xs = shapeOf(a.x), ws = shapeOf(a.w);
  if (failed(checkMinRank(loc, op, "X", xs, 3)) ||
      failed(checkMinRank(loc, op, "W", ws, 3)) ||
      failed(checkSameRank(loc, op, "W", ws, "X", xs)))
    return failure();
  if (!xs)
    return OptShape();
  size_t n = xs->size() - 2;
  Window win;
  if (failed(readWindow(loc, op, n, a.strides, a.dilations, a.pads, a.autoPad,
                        /*ceilMode=*/false, win)))
    return failure();
  auto kernel = readKernel(loc, op, n, a.kernelShape, ws);
  if (failed(kernel))
    return failure();
  win.kernel = *kernel;

  int64_t channels = (*xs)[1];
  int64_t outChannels = dimAt(ws, 0), channelsPerGroup = dimAt(ws, 1);
  if (failed(divideDim(loc, op, channels, "channels of X", a.group, "group")) ||
      failed(divideDim(loc, op, outChannels, "output channels of W (dim 0)",
                       a.group, "group")))
    return failure();
  if (!isDyn(channels) && !isDyn(channelsPerGroup) &&
      channelsPerGroup * a.group != channels)
    return emitOptionalError(loc, op, ": W has ", channelsPerGroup,
                             " input channels per group (dim 1), but X has ",
                             channels, " channels and group is ", a.group);
  if (a.bias) {
    OptShape bs = shapeOf(a.bias);
    if (failed(checkRank(loc, op, "B", bs, 1)))
      return failure();
    auto m = mergeDim(loc, op, dimAt(bs, 0), "dim 0 of B", outChannels,
                      "output channels of W (dim 0)");
    if (failed(m))
      return failure();
    outChannels = *m;
  }
  auto spatial =
      windowOutput(loc, op, ArrayRef<int64_t>(*xs).drop_front(2), win);
  if (failed(spatial))
    return failure();
  Shape out = {(*xs)[0], outChannels};
  out.append(spatial->begin(), spatial->end());
  return OptShape(out);
}

/// Attributes common to MaxPool, AveragePool and LpPool.
struct PoolArgs {
  StringRef op;
  Value x;
  DenseI64ArrayAttr kernelShape;
  std::optional<ArrayRef<int64_t>> strides, dilations, pads;
  StringRef autoPad = "NOTSET";
  bool ceilMode = false;
};

FailureOr<OptShape> inferPoolShape(Loc loc, const PoolArgs &a) {
  StringRef op = a.op;
  if (!a.kernelShape)
    return missingAttr(loc, op, "kernel_shape");
  OptShape xs = shapeOf(a.x);
  if (failed(checkMinRank(loc, op, "X", xs, 3)))
    return failure();
  if (!xs)
    return OptShape();
  size_t n = xs->size() - 2;
  Window win;
  if (failed(readWindow(loc, op, n, a.strides, a.dilations, a.pads, a.autoPad,
                        a.ceilMode, win)))
    return failure();
  auto kernel = readKernel(loc, op, n, a.kernelShape.asArrayRef(), {});
  if (failed(kernel))
    return failure();
  win.kernel = *kernel;
  auto spatial =
      windowOutput(loc, op, ArrayRef<int64_t>(*xs).drop_front(2), win);
  if (failed(spatial))
    return failure();
  Shape out = {(*xs)[0], (*xs)[1]};
  out.append(spatial->begin(), spatial->end());
  return OptShape(out);
}

/// GlobalAveragePool, GlobalMaxPool, GlobalLpPool: (N, C, 1, ..., 1).
LogicalResult inferGlobalPool(Loc loc, StringRef op, Value x,
                              SmallVectorImpl<Type> &types) {
  OptShape xs = shapeOf(x);
  if (failed(checkMinRank(loc, op, "X", xs, 2)))
    return failure();
  if (xs)
    for (size_t i = 2; i < xs->size(); ++i)
      (*xs)[i] = 1;
  types.push_back(tensorOf(xs, elemOf(x)));
  return success();
}

//===----------------------------------------------------------------------===//
// Recurrent networks
//===----------------------------------------------------------------------===//

/// Shared rule for RNN (1 gate), GRU (3) and LSTM (4). Pushes Y and then
/// `numStates` copies of the final-state type (Y_h, and Y_c for LSTM).
LogicalResult inferRecurrent(Loc loc, StringRef op, int64_t gates, Value x,
                             Value w, Value r, Value initialH,
                             StringRef direction, IntegerAttr hiddenSizeAttr,
                             int64_t layout, unsigned numStates,
                             SmallVectorImpl<Type> &types) {
  if (failed(checkOneOf(loc, op, "direction", direction,
                        {"forward", "reverse", "bidirectional"})))
    return failure();
  if (layout != 0 && layout != 1)
    return emitOptionalError(loc, op, ": layout must be 0 or 1, got ", layout);
  int64_t numDirections = direction == "bidirectional" ? 2 : 1;
  OptShape xs = shapeOf(x), ws = shapeOf(w), rs = shapeOf(r),
           hs = shapeOf(initialH);
  if (failed(checkRank(loc, op, "X", xs, 3)) ||
      failed(checkRank(loc, op, "W", ws, 3)) ||
      failed(checkRank(loc, op, "R", rs, 3)) ||
      failed(checkRank(loc, op, "initial_h", hs, 3)))
    return failure();

  int64_t hidden = dimAt(rs, 2);
  if (hiddenSizeAttr) {
    int64_t attr = hiddenSizeAttr.getValue().getSExtValue();
    if (failed(checkPositive(loc, op, "hidden_size", attr)))
      return failure();
    auto merged = mergeDim(loc, op, attr, "hidden_size", hidden, "dim 2 of R");
    if (failed(merged))
      return failure();
    hidden = *merged;
  }
  if (isDyn(hidden) && !isDyn(dimAt(ws, 1))) {
    auto fromW = divideDim(loc, op, dimAt(ws, 1), "dim 1 of W", gates,
                           "the number of gates");
    if (failed(fromW))
      return failure();
    hidden = *fromW;
  }
  if (failed(mergeDim(loc, op, dimAt(ws, 0), "dim 0 of W", numDirections,
                      "the number of directions")) ||
      failed(mergeDim(loc, op, dimAt(rs, 0), "dim 0 of R", numDirections,
                      "the number of directions")) ||
      failed(mergeDim(loc, op, dimAt(ws, 1), "dim 1 of W",
                      mulDims(gates, hidden), "gates x hidden_size")) ||
      failed(mergeDim(loc, op, dimAt(rs, 1), "dim 1 of R",
                      mulDims(gates, hidden), "gates x hidden_size")))
    return failure();

  int64_t seq = dimAt(xs, layout == 0 ? 0 : 1);
  auto batch = mergeDim(loc, op, dimAt(xs, layout == 0 ? 1 : 0), "batch of X",
                        dimAt(hs, layout == 0 ? 1 : 0), "batch of initial_h");
  if (failed(batch))
    return failure();
  Type elem = elemOf(x);
  Shape y = layout == 0 ? Shape{seq, numDirections, *batch, hidden}
                        : Shape{*batch, seq, numDirections, hidden};
  Shape state = layout == 0 ? Shape{numDirections, *batch, hidden}
                            : Shape{*batch, numDirections, hidden};
  types.push_back(RankedTensorType::get(y, elem));
  for (unsigned i = 0; i < numStates; ++i)
    types.push_back(RankedTensorType::get(state, elem));
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// One term of an einsum equation: labels before and after an optional
/// ellipsis.
struct EinsumTerm {
  SmallVector<char> before, after;
  bool ellipsis = false;
  size_t numLabels() const { return before.size() + after.size(); }
};

bool parseEinsumTerm(StringRef text, EinsumTerm &term) {
  size_t pos = 0;
  while (pos < text.size()) {
    char c = text[pos];
    if (llvm::isAlpha(c)) {
      (term.ellipsis ? term.after : term.before).push_back(c);
      ++pos;
      continue;
    }
    if (text.substr(pos).starts_with("...") && !term.ellipsis) {
      term.ellipsis = true;
      pos += 3;
      continue;
    }
    return false;
  }
  return true;
}

FailureOr<OptShape> inferEinsumShape(Loc loc, StringRef equation,
                                     ValueRange inputs) {
  StringRef op = "Einsum";
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq.push_back(c);
  StringRef lhs = eq, rhs;
  bool explicitOutput = false;
  size_t arrow = lhs.find("->");
  if (arrow != StringRef::npos) {
    rhs = lhs.substr(arrow + 2);
    lhs = lhs.substr(0, arrow);
    explicitOutput = true;
  }
  SmallVector<StringRef> termTexts;
  lhs.split(termTexts, ',');
  if (termTexts.size() != inputs.size())
    return emitOptionalError(loc, op, ": equation '", equation, "' has ",
                             termTexts.size(), " input terms but there are ",
                             inputs.size(), " inputs");

  auto malformed = [&](StringRef term) {
    return emitOptionalError(loc, op, ": malformed term '", term,
                             "' in equation '", equation, "'");
  };
  std::map<char, int64_t> labelDims;
  std::map<char, int> labelCounts;
  SmallVector<SmallVector<int64_t>> ellipsisShapes;
  bool anyEllipsis = false, ellipsisUnknown = false;
  // Labelled dims broadcast like NumPy's einsum: a size-1 dim yields.
  auto mergeLabel = [&](char label, int64_t d, size_t input) -> LogicalResult {
    auto [it, inserted] = labelDims.try_emplace(label, d);
    if (inserted)
      return success();
    int64_t &cur = it->second;
    if (cur == 1 || (isDyn(cur) && !isDyn(d) && d != 1))
      cur = d;
    else if (!isDyn(d) && d != 1 && !isDyn(cur) && cur != d)
      return emitOptionalError(loc, op, ": label '", StringRef(&label, 1),
                               "' has size ", d, " in input ", input,
                               " but size ", cur, " elsewhere");
    return success();
  };

  for (auto [i, text] : llvm::enumerate(termTexts)) {
    EinsumTerm term;
    if (!parseEinsumTerm(text, term))
      return malformed(text);
    for (char c : term.before)
      ++labelCounts[c];
    for (char c : term.after)
      ++labelCounts[c];
    anyEllipsis |= term.ellipsis;
    OptShape s = shapeOf(inputs[i]);
    if (!s) {
      if (term.ellipsis)
        ellipsisUnknown = true;
      for (char c : term.before)
        (void)labelDims.try_emplace(c, kDyn);
      for (char c : term.after)
        (void)labelDims.try_emplace(c, kDyn);
      continue;
    }
    int64_t rank = s->size(), labels = term.numLabels();
    if ((!term.ellipsis && rank != labels) || rank < labels)
      return emitOptionalError(loc, op, ": term '", text, "' has ", labels,
                               " labels but input ", i, " has rank ", rank);
    int64_t ellipsisRank = rank - labels;
    for (auto [j, c] : llvm::enumerate(term.before))
      if (failed(mergeLabel(c, (*s)[j], i)))
        return failure();
    for (auto [j, c] : llvm::enumerate(term.after))
      if (failed(mergeLabel(c, (*s)[term.before.size() + ellipsisRank + j], i)))
        return failure();
    if (term.ellipsis)
      ellipsisShapes.push_back(SmallVector<int64_t>(
          ArrayRef<int64_t>(*s).slice(term.before.size(), ellipsisRank)));
  }

  SmallVector<int64_t> ellipsisShape;
  if (!ellipsisShapes.empty()) {
    auto b = broadcastShapes(loc, ellipsisShapes);
    if (failed(b))
      return failure();
    ellipsisShape = *b;
  }

  Shape out;
  if (explicitOutput) {
    EinsumTerm term;
    if (!parseEinsumTerm(rhs, term))
      return malformed(rhs);
    if (term.ellipsis && ellipsisUnknown)
      return OptShape();
    llvm::SmallDenseSet<char> seen;
    auto addLabel = [&](char c) -> LogicalResult {
      if (!labelDims.count(c) || !seen.insert(c).second)
        return emitOptionalError(
            loc, op, ": output label '", StringRef(&c, 1),
            "' must appear in the inputs and only once in the output");
      out.push_back(labelDims[c]);
      return success();
    };
    for (char c : term.before)
      if (failed(addLabel(c)))
        return failure();
    if (term.ellipsis)
      out.append(ellipsisShape.begin(), ellipsisShape.end());
    for (char c : term.after)
      if (failed(addLabel(c)))
        return failure();
    return OptShape(out);
  }
  // Implicit form: broadcast dims, then labels seen once in ASCII order.
  if (anyEllipsis) {
    if (ellipsisUnknown)
      return OptShape();
    out.append(ellipsisShape.begin(), ellipsisShape.end());
  }
  for (auto [label, count] : labelCounts)
    if (count == 1)
      out.push_back(labelDims[label]);
  return OptShape(out);
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       ConvOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  ConvArgs a{"Conv",
             adaptor.getX(),
             adaptor.getW(),
             adaptor.getB(),
             arrayAttr(adaptor.getKernelShapeAttr()),
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
             intAttr(adaptor.getGroupAttr(), 1)};
  auto shape = inferConvShape(location, a);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  return success();
}

LogicalResult ConvIntegerOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> location,
                                              ConvIntegerOp::Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  ConvArgs a{"ConvInteger",
             adaptor.getX(),
             adaptor.getW(),
             Value(),
             arrayAttr(adaptor.getKernelShapeAttr()),
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
             intAttr(adaptor.getGroupAttr(), 1)};
  auto shape = inferConvShape(location, a);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, IntegerType::get(context, 32)));
  return success();
}

LogicalResult QLinearConvOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              QLinearConvOp::Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  ConvArgs a{"QLinearConv",
             adaptor.getX(),
             adaptor.getW(),
             adaptor.getB(),
             arrayAttr(adaptor.getKernelShapeAttr()),
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
             intAttr(adaptor.getGroupAttr(), 1)};
  auto shape = inferConvShape(location, a);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getYZeroPoint())));
  return success();
}

LogicalResult DeformConvOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             DeformConvOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "DeformConv";
  ConvArgs a{op,
             adaptor.getX(),
             adaptor.getW(),
             adaptor.getB(),
             arrayAttr(adaptor.getKernelShapeAttr()),
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             "NOTSET",
             intAttr(adaptor.getGroupAttr(), 1)};
  int64_t offsetGroup = intAttr(adaptor.getOffsetGroupAttr(), 1);
  if (failed(checkPositive(location, op, "offset_group", offsetGroup)))
    return failure();
  auto shape = inferConvShape(location, a);
  if (failed(shape))
    return failure();
  OptShape out = *shape;
  OptShape offset = shapeOf(adaptor.getOffset());
  if (failed(checkSameRank(location, op, "offset", offset, "X",
                           shapeOf(adaptor.getX()))))
    return failure();
  if (out) {
    if (failed(divideDim(location, op, dimAt(shapeOf(adaptor.getX()), 1),
                         "channels of X", offsetGroup, "offset_group")))
      return failure();
    // The offset carries the output grid; use it where the formula cannot.
    for (size_t i = 0; i < out->size(); ++i) {
      if (i == 1)
        continue;
      auto d = mergeDim(
          location, op, (*out)[i], ("dim " + Twine(i) + " of the output").str(),
          dimAt(offset, i), ("dim " + Twine(i) + " of offset").str());
      if (failed(d))
        return failure();
      (*out)[i] = *d;
    }
  }
  types.push_back(tensorOf(out, elemOf(adaptor.getX())));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    ConvTransposeOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "ConvTranspose";
  Value x = adaptor.getX();
  int64_t group = intAttr(adaptor.getGroupAttr(), 1);
  if (failed(checkPositive(location, op, "group", group)))
    return failure();
  OptShape xs = shapeOf(x), ws = shapeOf(adaptor.getW());
  if (failed(checkMinRank(location, op, "X", xs, 3)) ||
      failed(checkMinRank(location, op, "W", ws, 3)) ||
      failed(checkSameRank(location, op, "W", ws, "X", xs)))
    return failure();
  if (!xs) {
    types.push_back(UnrankedTensorType::get(elemOf(x)));
    return success();
  }
  size_t n = xs->size() - 2;
  Window win;
  StringRef autoPad = strAttr(adaptor.getAutoPadAttr(), "NOTSET");
  if (failed(readWindow(location, op, n, arrayAttr(adaptor.getStridesAttr()),
                        arrayAttr(adaptor.getDilationsAttr()),
                        arrayAttr(adaptor.getPadsAttr()), autoPad,
                        /*ceilMode=*/false, win)))
    return failure();
  auto kernel =
      readKernel(location, op, n, arrayAttr(adaptor.getKernelShapeAttr()), ws);
  if (failed(kernel))
    return failure();

  // W is (C, M/group, k...).
  int64_t channels = (*xs)[1];
  if (failed(mergeDim(location, op, dimAt(ws, 0), "dim 0 of W", channels,
                      "channels of X")) ||
      failed(
          divideDim(location, op, channels, "channels of X", group, "group")))
    return failure();
  int64_t outChannels = mulDims(dimAt(ws, 1), group);
  if (Value b = adaptor.getB()) {
    OptShape bs = shapeOf(b);
    if (failed(checkRank(location, op, "B", bs, 1)))
      return failure();
    auto m = mergeDim(location, op, dimAt(bs, 0), "dim 0 of B", outChannels,
                      "output channels (dim 1 of W x group)");
    if (failed(m))
      return failure();
    outChannels = *m;
  }

  Shape outputPadding(n, 0);
  if (auto padding = arrayAttr(adaptor.getOutputPaddingAttr())) {
    if (failed(
            checkLength(location, op, "output_padding", padding->size(), n)) ||
        failed(checkAllNonNegative(location, op, "output_padding", *padding)))
      return failure();
    outputPadding.assign(padding->begin(), padding->end());
  }

  Shape out = {(*xs)[0], outChannels};
  if (auto outputShape = arrayAttr(adaptor.getOutputShapeAttr())) {
    // Some exporters include N and C; only the spatial dims matter.
    ArrayRef<int64_t> spatial = *outputShape;
    if (spatial.size() == n + 2)
      spatial = spatial.drop_front(2);
    if (failed(checkLength(location, op, "output_shape", spatial.size(), n)) ||
        failed(checkAllPositive(location, op, "output_shape", spatial)))
      return failure();
    out.append(spatial.begin(), spatial.end());
  } else {
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    for (size_t i = 0; i < n; ++i) {
      int64_t in = (*xs)[i + 2], k = (*kernel)[i];
      if (isDyn(in) || (!same && isDyn(k))) {
        out.push_back(kDyn);
        continue;
      }
      if (same) {
        out.push_back(in * win.strides[i]);
        continue;
      }
      int64_t effective = (k - 1) * win.dilations[i] + 1;
      int64_t size = win.strides[i] * (in - 1) + outputPadding[i] + effective -
                     win.pads[i] - win.pads[i + n];
      if (size < 0)
        return emitOptionalError(
            location, op, ": spatial dim ", i, " has negative output size ",
            size, " (input ", in, ", pads ", win.pads[i], "+", win.pads[i + n],
            ", dilated kernel ", effective, ", stride ", win.strides[i],
            ", output_padding ", outputPadding[i], ")");
      out.push_back(size);
    }
  }
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

LogicalResult CausalConvWithStateOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    CausalConvWithStateOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "CausalConvWithState";
  if (failed(checkOneOf(location, op, "activation",
                        strAttr(adaptor.getActivationAttr(), "none"),
                        {"none", "silu", "swish"})))
    return failure();
  Value input = adaptor.getInput();
  OptShape xs = shapeOf(input), ws = shapeOf(adaptor.getWeight()),
           bs = shapeOf(adaptor.getBias()),
           ps = shapeOf(adaptor.getPastState());
  if (failed(checkRank(location, op, "input", xs, 3)) ||
      failed(checkRank(location, op, "weight", ws, 3)) ||
      failed(checkRank(location, op, "bias", bs, 1)) ||
      failed(checkRank(location, op, "past_state", ps, 3)))
    return failure();
  // Depthwise: weight is (C, 1, k), state is (B, C, k - 1).
  auto channels = mergeDim(location, op, dimAt(xs, 1), "dim 1 of input",
                           dimAt(ws, 0), "dim 0 of weight");
  if (failed(channels) ||
      failed(mergeDim(location, op, dimAt(ws, 1), "dim 1 of weight", 1,
                      "1 (depthwise)")) ||
      failed(mergeDim(location, op, dimAt(bs, 0), "dim 0 of bias", *channels,
                      "channels")))
    return failure();
  int64_t k = dimAt(ws, 2);
  if (!isDyn(k) && failed(checkPositive(location, op, "dim 2 of weight", k)))
    return failure();
  int64_t stateLen = isDyn(k) ? kDyn : k - 1;
  auto batch = mergeDim(location, op, dimAt(xs, 0), "dim 0 of input",
                        dimAt(ps, 0), "dim 0 of past_state");
  if (failed(batch) ||
      failed(mergeDim(location, op, dimAt(ps, 1), "dim 1 of past_state",
                      *channels, "channels")))
    return failure();
  auto state = mergeDim(location, op, dimAt(ps, 2), "dim 2 of past_state",
                        stateLen, "kernel size - 1");
  if (failed(state))
    return failure();
  Type elem = elemOf(input);
  Shape outShape = {*batch, *channels, dimAt(xs, 2)};
  types.push_back(RankedTensorType::get(outShape, elem));
  types.push_back(RankedTensorType::get({*batch, *channels, *state}, elem));
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          MaxPoolOp::Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  PoolArgs a{"MaxPool",
             adaptor.getX(),
             adaptor.getProperties().kernel_shape,
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
             intAttr(adaptor.getCeilModeAttr(), 0) != 0};
  auto shape = inferPoolShape(location, a);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  types.push_back(tensorOf(*shape, IntegerType::get(context, 64)));
  return success();
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              AveragePoolOp::Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  PoolArgs a{"AveragePool",
             adaptor.getX(),
             adaptor.getProperties().kernel_shape,
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
             intAttr(adaptor.getCeilModeAttr(), 0) != 0};
  auto shape = inferPoolShape(location, a);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  return success();
}

LogicalResult LpPoolOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         LpPoolOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  PoolArgs a{"LpPool",
             adaptor.getX(),
             adaptor.getProperties().kernel_shape,
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
             intAttr(adaptor.getCeilModeAttr(), 0) != 0};
  auto shape = inferPoolShape(location, a);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  return success();
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    GlobalAveragePoolOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferGlobalPool(location, "GlobalAveragePool", adaptor.getX(), types);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    GlobalMaxPoolOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferGlobalPool(location, "GlobalMaxPool", adaptor.getX(), types);
}

LogicalResult GlobalLpPoolOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> location,
                                               GlobalLpPoolOp::Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  return inferGlobalPool(location, "GlobalLpPool", adaptor.getX(), types);
}

LogicalResult MaxUnpoolOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            MaxUnpoolOp::Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef op = "MaxUnpool";
  DenseI64ArrayAttr kernelAttr = adaptor.getProperties().kernel_shape;
  if (!kernelAttr)
    return missingAttr(location, op, "kernel_shape");
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x);
  if (failed(checkMinRank(location, op, "X", xs, 3)) ||
      failed(
          checkSameRank(location, op, "I", shapeOf(adaptor.getI()), "X", xs)))
    return failure();
  if (!xs) {
    types.push_back(UnrankedTensorType::get(elemOf(x)));
    return success();
  }
  size_t n = xs->size() - 2;
  Window win;
  if (failed(readWindow(location, op, n, arrayAttr(adaptor.getStridesAttr()),
                        std::nullopt, arrayAttr(adaptor.getPadsAttr()),
                        "NOTSET", false, win)))
    return failure();
  auto kernel = readKernel(location, op, n, kernelAttr.asArrayRef(), {});
  if (failed(kernel))
    return failure();

  Shape out(xs->size(), kDyn);
  if (Value outputShape = adaptor.getOutputShape()) {
    if (auto values = getConstantInts(outputShape)) {
      if (failed(checkLength(location, op, "output_shape", values->size(),
                             xs->size())) ||
          failed(checkAllNonNegative(location, op, "output_shape", *values)))
        return failure();
      out.assign(values->begin(), values->end());
    } else {
      out[0] = (*xs)[0];
      out[1] = (*xs)[1];
    }
    types.push_back(RankedTensorType::get(out, elemOf(x)));
    return success();
  }
  out[0] = (*xs)[0];
  out[1] = (*xs)[1];
  for (size_t i = 0; i < n; ++i) {
    int64_t in = (*xs)[i + 2];
    if (isDyn(in))
      continue;
    int64_t size = (in - 1) * win.strides[i] - win.pads[i] - win.pads[i + n] +
                   (*kernel)[i];
    if (size < 0)
      return emitOptionalError(location, op, ": spatial dim ", i,
                               " has negative output size ", size);
    out[i + 2] = size;
  }
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

LogicalResult MaxRoiPoolOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             MaxRoiPoolOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "MaxRoiPool";
  DenseI64ArrayAttr pooled = adaptor.getProperties().pooled_shape;
  if (!pooled)
    return missingAttr(location, op, "pooled_shape");
  if (failed(checkLength(location, op, "pooled_shape", pooled.size(), 2)) ||
      failed(
          checkAllPositive(location, op, "pooled_shape", pooled.asArrayRef())))
    return failure();
  OptShape xs = shapeOf(adaptor.getX()), rs = shapeOf(adaptor.getRois());
  if (failed(checkRank(location, op, "X", xs, 4)) ||
      failed(checkRank(location, op, "rois", rs, 2)) ||
      failed(mergeDim(location, op, dimAt(rs, 1), "dim 1 of rois", 5,
                      "5 (batch index and box corners)")))
    return failure();
  Shape out = {dimAt(rs, 0), dimAt(xs, 1), pooled[0], pooled[1]};
  types.push_back(RankedTensorType::get(out, elemOf(adaptor.getX())));
  return success();
}

LogicalResult RoiAlignOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           RoiAlignOp::Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  StringRef op = "RoiAlign";
  int64_t height = intAttr(adaptor.getOutputHeightAttr(), 1);
  int64_t width = intAttr(adaptor.getOutputWidthAttr(), 1);
  if (failed(checkPositive(location, op, "output_height", height)) ||
      failed(checkPositive(location, op, "output_width", width)))
    return failure();
  OptShape xs = shapeOf(adaptor.getX()), rs = shapeOf(adaptor.getRois()),
           bs = shapeOf(adaptor.getBatchIndices());
  if (failed(checkRank(location, op, "X", xs, 4)) ||
      failed(checkRank(location, op, "rois", rs, 2)) ||
      failed(checkRank(location, op, "batch_indices", bs, 1)) ||
      failed(mergeDim(location, op, dimAt(rs, 1), "dim 1 of rois", 4,
                      "4 (box corners)")))
    return failure();
  auto numRois = mergeDim(location, op, dimAt(rs, 0), "dim 0 of rois",
                          dimAt(bs, 0), "dim 0 of batch_indices");
  if (failed(numRois))
    return failure();
  Shape out = {*numRois, dimAt(xs, 1), height, width};
  types.push_back(RankedTensorType::get(out, elemOf(adaptor.getX())));
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization, dropout
//===----------------------------------------------------------------------===//

LogicalResult BatchNormalizationOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    BatchNormalizationOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "BatchNormalization";
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x);
  if (failed(checkMinRank(location, op, "X", xs, 1)))
    return failure();
  int64_t channels = xs ? (xs->size() > 1 ? (*xs)[1] : 1) : kDyn;
  struct Param {
    StringRef name;
    Value value;
  };
  for (Param p :
       {Param{"scale", adaptor.getScale()}, Param{"B", adaptor.getB()},
        Param{"input_mean", adaptor.getInputMean()},
        Param{"input_var", adaptor.getInputVar()}}) {
    OptShape s = shapeOf(p.value);
    if (failed(checkRank(location, op, p.name, s, 1)))
      return failure();
    auto c = mergeDim(location, op, dimAt(s, 0), ("dim 0 of " + p.name).str(),
                      channels, "channels of X");
    if (failed(c))
      return failure();
    channels = *c;
  }
  types.push_back(x.getType());
  Type statsElem = elemOf(adaptor.getInputMean());
  types.push_back(RankedTensorType::get({channels}, statsElem));
  types.push_back(RankedTensorType::get({channels}, statsElem));
  return success();
}

LogicalResult LayerNormalizationOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    LayerNormalizationOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "LayerNormalization";
  Value x = adaptor.getX();
  int64_t stashCode = intAttr(adaptor.getStashTypeAttr(), 1);
  Type stash = onnxDataTypeToType(context, stashCode);
  if (!stash)
    return emitOptionalError(location, op, ": stash_type ", stashCode,
                             " is not a supported ONNX data type");
  OptShape xs = shapeOf(x);
  OptShape stats;
  if (xs) {
    int64_t rank = xs->size();
    auto axis = normalizeAxis(location, intAttr(adaptor.getAxisAttr(), -1),
                              rank, "axis");
    if (failed(axis))
      return failure();
    stats = *xs;
    for (int64_t i = *axis; i < rank; ++i)
      (*stats)[i] = 1;
  }
  types.push_back(x.getType());
  types.push_back(tensorOf(stats, stash));
  types.push_back(tensorOf(stats, stash));
  return success();
}

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location>,
                                          DropoutOp::Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  Value data = adaptor.getData();
  types.push_back(data.getType());
  types.push_back(tensorOf(shapeOf(data), IntegerType::get(context, 1)));
  return success();
}

//===----------------------------------------------------------------------===//
// Recurrent networks
//===----------------------------------------------------------------------===//

LogicalResult RNNOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      RNNOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferRecurrent(location, "RNN", 1, adaptor.getX(), adaptor.getW(),
                        adaptor.getR(), adaptor.getInitialH(),
                        strAttr(adaptor.getDirectionAttr(), "forward"),
                        adaptor.getHiddenSizeAttr(),
                        intAttr(adaptor.getLayoutAttr(), 0), 1, types);
}

LogicalResult GRUOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      GRUOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferRecurrent(location, "GRU", 3, adaptor.getX(), adaptor.getW(),
                        adaptor.getR(), adaptor.getInitialH(),
                        strAttr(adaptor.getDirectionAttr(), "forward"),
                        adaptor.getHiddenSizeAttr(),
                        intAttr(adaptor.getLayoutAttr(), 0), 1, types);
}

LogicalResult LSTMOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       LSTMOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferRecurrent(location, "LSTM", 4, adaptor.getX(), adaptor.getW(),
                        adaptor.getR(), adaptor.getInitialH(),
                        strAttr(adaptor.getDirectionAttr(), "forward"),
                        adaptor.getHiddenSizeAttr(),
                        intAttr(adaptor.getLayoutAttr(), 0), 2, types);
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            AttentionOp::Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef op = "Attention";
  Value q = adaptor.getQ(), k = adaptor.getK(), v = adaptor.getV();
  OptShape qs = shapeOf(q), ks = shapeOf(k), vs = shapeOf(v);
  if (failed(checkRankEither(location, op, "Q", qs, 3, 4)) ||
      failed(checkRankEither(location, op, "K", ks, 3, 4)) ||
      failed(checkRankEither(location, op, "V", vs, 3, 4)) ||
      failed(checkSameRank(location, op, "K", ks, "Q", qs)) ||
      failed(checkSameRank(location, op, "V", vs, "Q", qs)) ||
      failed(checkSameRank(location, op, "V", vs, "K", ks)))
    return failure();
  Value pastKey = adaptor.getPastKey(), pastValue = adaptor.getPastValue();
  if (!pastKey != !pastValue)
    return emitOptionalError(
        location, op, ": past_key and past_value must be given together");
  if (pastKey && adaptor.getNonpadKvSeqlen())
    return emitOptionalError(
        location, op,
        ": nonpad_kv_seqlen cannot be combined with past_key and past_value");
  OptShape pks = shapeOf(pastKey), pvs = shapeOf(pastValue);
  if (failed(checkRank(location, op, "past_key", pks, 4)) ||
      failed(checkRank(location, op, "past_value", pvs, 4)))
    return failure();

  std::optional<int64_t> rank;
  for (const OptShape &s : {qs, ks, vs})
    if (s)
      rank = s->size();
  int64_t batch = kDyn, qHeads = kDyn, kvHeads = kDyn, qSeq = kDyn,
          kvSeq = kDyn, headSize = kDyn, vHeadSize = kDyn;
  auto merge = [&](int64_t &into, int64_t a, StringRef aWhat, int64_t b,
                   StringRef bWhat) {
    auto d = mergeDim(location, op, a, aWhat, b, bWhat);
    if (succeeded(d))
      into = *d;
    return succeeded(d);
  };
  auto divide = [&](int64_t &into, int64_t value, StringRef what, int64_t heads,
                    StringRef headsWhat) {
    auto d = divideDim(location, op, value, what, heads, headsWhat);
    if (succeeded(d))
      into = *d;
    return succeeded(d);
  };
  if (rank == 3) {
    IntegerAttr qAttr = adaptor.getQNumHeadsAttr(),
                kvAttr = adaptor.getKvNumHeadsAttr();
    if (!qAttr || !kvAttr)
      return emitOptionalError(
          location, op,
          ": q_num_heads and kv_num_heads are required for 3-D inputs");
    qHeads = qAttr.getValue().getSExtValue();
    kvHeads = kvAttr.getValue().getSExtValue();
    if (failed(checkPositive(location, op, "q_num_heads", qHeads)) ||
        failed(checkPositive(location, op, "kv_num_heads", kvHeads)))
      return failure();
    int64_t qHeadSize = kDyn, kHeadSize = kDyn;
    if (!merge(batch, dimAt(qs, 0), "dim 0 of Q", dimAt(ks, 0), "dim 0 of K") ||
        !merge(batch, batch, "batch size", dimAt(vs, 0), "dim 0 of V") ||
        !merge(kvSeq, dimAt(ks, 1), "dim 1 of K", dimAt(vs, 1), "dim 1 of V") ||
        !divide(qHeadSize, dimAt(qs, 2), "dim 2 of Q", qHeads, "q_num_heads") ||
        !divide(kHeadSize, dimAt(ks, 2), "dim 2 of K", kvHeads,
                "kv_num_heads") ||
        !merge(headSize, qHeadSize, "head size of Q", kHeadSize,
               "head size of K") ||
        !divide(vHeadSize, dimAt(vs, 2), "dim 2 of V", kvHeads, "kv_num_heads"))
      return failure();
    qSeq = dimAt(qs, 1);
  } else if (rank == 4) {
    if (!merge(batch, dimAt(qs, 0), "dim 0 of Q", dimAt(ks, 0), "dim 0 of K") ||
        !merge(batch, batch, "batch size", dimAt(vs, 0), "dim 0 of V") ||
        !merge(kvHeads, dimAt(ks, 1), "dim 1 of K", dimAt(vs, 1),
               "dim 1 of V") ||
        !merge(kvSeq, dimAt(ks, 2), "dim 2 of K", dimAt(vs, 2), "dim 2 of V") ||
        !merge(headSize, dimAt(qs, 3), "dim 3 of Q", dimAt(ks, 3),
               "dim 3 of K"))
      return failure();
    qHeads = dimAt(qs, 1);
    qSeq = dimAt(qs, 2);
    vHeadSize = dimAt(vs, 3);
  }
  if (failed(divideDim(location, op, qHeads, "the number of query heads",
                       kvHeads, "the number of key/value heads")))
    return failure();

  int64_t pastSeq = 0;
  if (pastKey) {
    if (!merge(pastSeq, dimAt(pks, 2), "dim 2 of past_key", dimAt(pvs, 2),
               "dim 2 of past_value") ||
        !merge(batch, batch, "batch size", dimAt(pks, 0),
               "dim 0 of past_key") ||
        !merge(kvHeads, kvHeads, "the number of key/value heads", dimAt(pks, 1),
               "dim 1 of past_key") ||
        !merge(headSize, headSize, "head size", dimAt(pks, 3),
               "dim 3 of past_key") ||
        !merge(vHeadSize, vHeadSize, "value head size", dimAt(pvs, 3),
               "dim 3 of past_value"))
      return failure();
  }
  int64_t totalSeq = addDims(pastSeq, kvSeq);

  OptShape y;
  if (rank == 3)
    y = Shape{batch, qSeq, mulDims(qHeads, vHeadSize)};
  else if (rank == 4)
    y = Shape{batch, qHeads, qSeq, vHeadSize};
  types.push_back(tensorOf(y, elemOf(q)));
  types.push_back(
      RankedTensorType::get({batch, kvHeads, totalSeq, headSize}, elemOf(k)));
  types.push_back(
      RankedTensorType::get({batch, kvHeads, totalSeq, vHeadSize}, elemOf(v)));
  types.push_back(
      RankedTensorType::get({batch, qHeads, qSeq, totalSeq}, elemOf(q)));
  return success();
}

LogicalResult LinearAttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    LinearAttentionOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "LinearAttention";
  IntegerAttr qAttr = adaptor.getProperties().q_num_heads;
  IntegerAttr kvAttr = adaptor.getProperties().kv_num_heads;
  if (!qAttr)
    return missingAttr(location, op, "q_num_heads");
  if (!kvAttr)
    return missingAttr(location, op, "kv_num_heads");
  int64_t qHeads = qAttr.getValue().getSExtValue();
  int64_t kvHeads = kvAttr.getValue().getSExtValue();
  if (failed(checkPositive(location, op, "q_num_heads", qHeads)) ||
      failed(checkPositive(location, op, "kv_num_heads", kvHeads)) ||
      failed(divideDim(location, op, qHeads, "q_num_heads", kvHeads,
                       "kv_num_heads")))
    return failure();
  StringRef rule = strAttr(adaptor.getUpdateRuleAttr(), "gated_delta");
  if (failed(checkOneOf(location, op, "update_rule", rule,
                        {"linear", "gated", "delta", "gated_delta"})))
    return failure();
  if (rule.starts_with("gated") && !adaptor.getDecay())
    return emitOptionalError(location, op, ": update_rule '", rule,
                             "' requires the decay operand");
  if (rule.ends_with("delta") && !adaptor.getBeta())
    return emitOptionalError(location, op, ": update_rule '", rule,
                             "' requires the beta operand");

  Value query = adaptor.getQuery();
  OptShape qs = shapeOf(query), ks = shapeOf(adaptor.getKey()),
           vs = shapeOf(adaptor.getValue()),
           ps = shapeOf(adaptor.getPastState());
  if (failed(checkRank(location, op, "query", qs, 3)) ||
      failed(checkRank(location, op, "key", ks, 3)) ||
      failed(checkRank(location, op, "value", vs, 3)) ||
      failed(checkRank(location, op, "past_state", ps, 4)))
    return failure();
  auto batch = mergeDim(location, op, dimAt(qs, 0), "dim 0 of query",
                        dimAt(ks, 0), "dim 0 of key");
  auto seq = mergeDim(location, op, dimAt(qs, 1), "dim 1 of query",
                      dimAt(ks, 1), "dim 1 of key");
  if (failed(batch) || failed(seq))
    return failure();
  batch = mergeDim(location, op, *batch, "batch size", dimAt(vs, 0),
                   "dim 0 of value");
  seq = mergeDim(location, op, *seq, "sequence length", dimAt(vs, 1),
                 "dim 1 of value");
  if (failed(batch) || failed(seq))
    return failure();
  auto dk = divideDim(location, op, dimAt(ks, 2), "dim 2 of key", kvHeads,
                      "kv_num_heads");
  auto dkq = divideDim(location, op, dimAt(qs, 2), "dim 2 of query", qHeads,
                       "q_num_heads");
  auto dv = divideDim(location, op, dimAt(vs, 2), "dim 2 of value", kvHeads,
                      "kv_num_heads");
  if (failed(dk) || failed(dkq) || failed(dv))
    return failure();
  dk = mergeDim(location, op, *dk, "key head size", *dkq, "query head size");
  if (failed(dk))
    return failure();
  Shape state = {*batch, kvHeads, *dk, *dv};
  auto merged = mergeShapes(location, op, OptShape(state), "present_state", ps,
                            "past_state");
  if (failed(merged))
    return failure();
  Type stateElem =
      adaptor.getPastState() ? elemOf(adaptor.getPastState()) : elemOf(query);
  types.push_back(RankedTensorType::get({*batch, *seq, mulDims(qHeads, *dv)},
                                        elemOf(query)));
  types.push_back(RankedTensorType::get(**merged, stateElem));
  return success();
}

LogicalResult RotaryEmbeddingOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    RotaryEmbeddingOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "RotaryEmbedding";
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x);
  if (failed(checkRankEither(location, op, "X", xs, 3, 4)))
    return failure();
  if (xs && xs->size() == 3) {
    IntegerAttr heads = adaptor.getNumHeadsAttr();
    if (!heads)
      return emitOptionalError(location, op,
                               ": num_heads is required for a 3-D X");
    if (failed(checkPositive(location, op, "num_heads",
                             heads.getValue().getSExtValue())) ||
        failed(divideDim(location, op, (*xs)[2], "dim 2 of X",
                         heads.getValue().getSExtValue(), "num_heads")))
      return failure();
  }
  types.push_back(x.getType());
  return success();
}

LogicalResult SwiGLUOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         SwiGLUOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto shape = mergeShapes(location, "SwiGLU", shapeOf(adaptor.getA()), "A",
                           shapeOf(adaptor.getB()), "B");
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getA())));
  return success();
}

LogicalResult TensorScatterOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    TensorScatterOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "TensorScatter";
  Value past = adaptor.getPastCache();
  if (failed(checkOneOf(location, op, "mode",
                        strAttr(adaptor.getModeAttr(), "linear"),
                        {"linear", "circular"})))
    return failure();
  OptShape ps = shapeOf(past), us = shapeOf(adaptor.getUpdate());
  if (failed(checkSameRank(location, op, "update", us, "past_cache", ps)))
    return failure();
  OptShape out = ps ? ps : us;
  if (out) {
    int64_t rank = out->size();
    auto axis = normalizeAxis(location, intAttr(adaptor.getAxisAttr(), -2),
                              rank, "axis");
    if (failed(axis))
      return failure();
    if (*axis == 0)
      return emitOptionalError(location, op,
                               ": axis must not be the batch dim 0");
    for (int64_t i = 0; i < rank; ++i) {
      int64_t p = dimAt(ps, i), u = dimAt(us, i);
      if (i == *axis) {
        (*out)[i] = p;
        if (!isDyn(p) && !isDyn(u) && u > p)
          return emitOptionalError(location, op, ": update has ", u,
                                   " entries along axis ", i,
                                   " but past_cache only ", p);
        continue;
      }
      auto d = mergeDim(location, op, p,
                        ("dim " + Twine(i) + " of past_cache").str(), u,
                        ("dim " + Twine(i) + " of update").str());
      if (failed(d))
        return failure();
      (*out)[i] = *d;
    }
  }
  types.push_back(tensorOf(out, elemOf(past)));
  return success();
}

//===----------------------------------------------------------------------===//
// Layout and sampling
//===----------------------------------------------------------------------===//

LogicalResult DepthToSpaceOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> location,
                                               DepthToSpaceOp::Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  StringRef op = "DepthToSpace";
  IntegerAttr blockAttr = adaptor.getProperties().blocksize;
  if (!blockAttr)
    return missingAttr(location, op, "blocksize");
  int64_t block = blockAttr.getValue().getSExtValue();
  if (failed(checkPositive(location, op, "blocksize", block)) ||
      failed(checkOneOf(location, op, "mode",
                        strAttr(adaptor.getModeAttr(), "DCR"), {"DCR", "CRD"})))
    return failure();
  Value input = adaptor.getInput();
  OptShape s = shapeOf(input);
  if (failed(checkRank(location, op, "input", s, 4)))
    return failure();
  if (s) {
    auto c = divideDim(location, op, (*s)[1], "dim 1 of input", block * block,
                       "blocksize * blocksize");
    if (failed(c))
      return failure();
    *s = {(*s)[0], *c, mulDims((*s)[2], block), mulDims((*s)[3], block)};
  }
  types.push_back(tensorOf(s, elemOf(input)));
  return success();
}

LogicalResult SpaceToDepthOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> location,
                                               SpaceToDepthOp::Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  StringRef op = "SpaceToDepth";
  IntegerAttr blockAttr = adaptor.getProperties().blocksize;
  if (!blockAttr)
    return missingAttr(location, op, "blocksize");
  int64_t block = blockAttr.getValue().getSExtValue();
  if (failed(checkPositive(location, op, "blocksize", block)) ||
      failed(checkOneOf(location, op, "mode",
                        strAttr(adaptor.getModeAttr(), "DCR"), {"DCR", "CRD"})))
    return failure();
  Value input = adaptor.getInput();
  OptShape s = shapeOf(input);
  if (failed(checkRank(location, op, "input", s, 4)))
    return failure();
  if (s) {
    auto h =
        divideDim(location, op, (*s)[2], "dim 2 of input", block, "blocksize");
    auto w =
        divideDim(location, op, (*s)[3], "dim 3 of input", block, "blocksize");
    if (failed(h) || failed(w))
      return failure();
    *s = {(*s)[0], mulDims((*s)[1], block * block), *h, *w};
  }
  types.push_back(tensorOf(s, elemOf(input)));
  return success();
}

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             GridSampleOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "GridSample";
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x), gs = shapeOf(adaptor.getGrid());
  if (failed(checkMinRank(location, op, "X", xs, 3)) ||
      failed(checkMinRank(location, op, "grid", gs, 3)) ||
      failed(checkSameRank(location, op, "grid", gs, "X", xs)))
    return failure();
  if (!xs && !gs) {
    types.push_back(UnrankedTensorType::get(elemOf(x)));
    return success();
  }
  int64_t rank = xs ? xs->size() : gs->size();
  auto batch = mergeDim(location, op, dimAt(xs, 0), "dim 0 of X", dimAt(gs, 0),
                        "dim 0 of grid");
  if (failed(batch) ||
      failed(mergeDim(location, op, dimAt(gs, rank - 1),
                      ("dim " + Twine(rank - 1) + " of grid").str(), rank - 2,
                      "the number of spatial dims of X")))
    return failure();
  Shape out = {*batch, dimAt(xs, 1)};
  for (int64_t i = 1; i < rank - 1; ++i)
    out.push_back(dimAt(gs, i));
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

LogicalResult AffineGridOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             AffineGridOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "AffineGrid";
  Value theta = adaptor.getTheta();
  OptShape ts = shapeOf(theta), sizeShape = shapeOf(adaptor.getSize());
  if (failed(checkRank(location, op, "theta", ts, 3)) ||
      failed(checkRank(location, op, "size", sizeShape, 1)))
    return failure();
  auto size = getConstantInts(adaptor.getSize());
  // The number of spatial dims: from size's values or length, else theta.
  int64_t sizeLength = size ? (int64_t)size->size() : dimAt(sizeShape, 0);
  if (!isDyn(sizeLength) && sizeLength != 4 && sizeLength != 5)
    return emitOptionalError(
        location, op, ": size must have 4 or 5 elements, got ", sizeLength);
  if (size && failed(checkAllNonNegative(location, op, "size", *size)))
    return failure();
  int64_t spatial = isDyn(sizeLength) ? dimAt(ts, 1) : sizeLength - 2;
  if (spatial != 2 && spatial != 3) {
    types.push_back(UnrankedTensorType::get(elemOf(theta)));
    return success();
  }
  int64_t batch = dimAt(ts, 0);
  if (failed(mergeDim(location, op, dimAt(ts, 1), "dim 1 of theta", spatial,
                      "the number of spatial dims")) ||
      failed(mergeDim(location, op, dimAt(ts, 2), "dim 2 of theta", spatial + 1,
                      "the number of spatial dims + 1")))
    return failure();
  Shape out(spatial + 2, kDyn);
  if (size) {
    auto b = mergeDim(location, op, batch, "dim 0 of theta", (*size)[0],
                      "N in size");
    if (failed(b))
      return failure();
    batch = *b;
    for (int64_t i = 0; i < spatial; ++i)
      out[i + 1] = (*size)[i + 2];
  }
  out[0] = batch;
  out[spatial + 1] = spatial;
  types.push_back(RankedTensorType::get(out, elemOf(theta)));
  return success();
}

LogicalResult CenterCropPadOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    CenterCropPadOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "CenterCropPad";
  Value input = adaptor.getInputData();
  OptShape s = shapeOf(input);
  if (failed(checkRank(location, op, "shape", shapeOf(adaptor.getShape()), 1)))
    return failure();
  if (s) {
    int64_t rank = s->size();
    SmallVector<int64_t> axes;
    if (auto attr = arrayAttr(adaptor.getAxesAttr())) {
      for (int64_t a : *attr) {
        auto axis = normalizeAxis(location, a, rank, "axes");
        if (failed(axis))
          return failure();
        axes.push_back(*axis);
      }
    } else {
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    }
    auto values = getConstantInts(adaptor.getShape());
    if (values && (failed(checkLength(location, op, "shape", values->size(),
                                      axes.size())) ||
                   failed(checkAllNonNegative(location, op, "shape", *values))))
      return failure();
    for (auto [i, axis] : llvm::enumerate(axes))
      (*s)[axis] = values ? (*values)[i] : kDyn;
  }
  types.push_back(tensorOf(s, elemOf(input)));
  return success();
}

LogicalResult Col2ImOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Col2ImOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef op = "Col2Im";
  Value input = adaptor.getInput();
  OptShape xs = shapeOf(input), is = shapeOf(adaptor.getImageShape()),
           bs = shapeOf(adaptor.getBlockShape());
  if (failed(checkRank(location, op, "input", xs, 3)) ||
      failed(checkRank(location, op, "image_shape", is, 1)) ||
      failed(checkRank(location, op, "block_shape", bs, 1)))
    return failure();
  auto image = getConstantInts(adaptor.getImageShape());
  auto block = getConstantInts(adaptor.getBlockShape());
  int64_t n = image ? image->size() : dimAt(is, 0);
  auto merged = mergeDim(location, op, n, "length of image_shape",
                         block ? (int64_t)block->size() : dimAt(bs, 0),
                         "length of block_shape");
  if (failed(merged))
    return failure();
  n = *merged;
  if (isDyn(n)) {
    types.push_back(UnrankedTensorType::get(elemOf(input)));
    return success();
  }
  if (image && failed(checkAllPositive(location, op, "image_shape", *image)))
    return failure();
  if (block && failed(checkAllPositive(location, op, "block_shape", *block)))
    return failure();
  Window win;
  if (failed(readWindow(location, op, n, arrayAttr(adaptor.getStridesAttr()),
                        arrayAttr(adaptor.getDilationsAttr()),
                        arrayAttr(adaptor.getPadsAttr()), "NOTSET", false,
                        win)))
    return failure();

  int64_t channels = kDyn;
  if (block) {
    int64_t blockSize = 1;
    for (int64_t b : *block)
      blockSize *= b;
    auto c = divideDim(location, op, dimAt(xs, 1), "dim 1 of input", blockSize,
                       "the block size");
    if (failed(c))
      return failure();
    channels = *c;
  }
  if (image && block) {
    // The number of blocks must match the sliding-window count.
    win.kernel.assign(block->begin(), block->end());
    auto counts = windowOutput(location, op, *image, win);
    if (failed(counts))
      return failure();
    int64_t numBlocks = 1;
    for (int64_t c : *counts)
      numBlocks *= c;
    if (failed(mergeDim(location, op, dimAt(xs, 2), "dim 2 of input", numBlocks,
                        "the number of blocks")))
      return failure();
  }
  Shape out = {dimAt(xs, 0), channels};
  for (int64_t i = 0; i < n; ++i)
    out.push_back(image ? (*image)[i] : kDyn);
  types.push_back(RankedTensorType::get(out, elemOf(input)));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      PadOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  StringRef op = "Pad";
  if (failed(checkOneOf(location, op, "mode",
                        strAttr(adaptor.getModeAttr(), "constant"),
                        {"constant", "reflect", "edge", "wrap"})))
    return failure();
  Value data = adaptor.getData();
  OptShape s = shapeOf(data);
  if (failed(checkRank(location, op, "pads", shapeOf(adaptor.getPads()), 1)))
    return failure();
  if (!s) {
    types.push_back(data.getType());
    return success();
  }
  int64_t rank = s->size();
  std::optional<SmallVector<int64_t>> axes;
  if (Value axesValue = adaptor.getAxes()) {
    if (auto values = getConstantInts(axesValue)) {
      axes.emplace();
      for (int64_t a : *values) {
        auto axis = normalizeAxis(location, a, rank, "axes");
        if (failed(axis))
          return failure();
        axes->push_back(*axis);
      }
    }
  } else {
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  if (!axes) {
    types.push_back(RankedTensorType::get(Shape(rank, kDyn), elemOf(data)));
    return success();
  }
  auto pads = getConstantInts(adaptor.getPads());
  size_t numAxes = axes->size();
  if (pads &&
      failed(checkLength(location, op, "pads", pads->size(), 2 * numAxes)))
    return failure();
  Shape out = *s;
  for (size_t i = 0; i < numAxes; ++i) {
    int64_t axis = (*axes)[i];
    if (!pads || isDyn((*s)[axis])) {
      out[axis] = kDyn;
      continue;
    }
    int64_t size = (*s)[axis] + (*pads)[i] + (*pads)[i + numAxes];
    if (size < 0)
      return emitOptionalError(location, op, ": dim ", axis, " of size ",
                               (*s)[axis], " padded by ", (*pads)[i], " and ",
                               (*pads)[i + numAxes], " has negative size ",
                               size);
    out[axis] = size;
  }
  types.push_back(RankedTensorType::get(out, elemOf(data)));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         ResizeOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef op = "Resize";
  StringRef policy = strAttr(adaptor.getKeepAspectRatioPolicyAttr(), "stretch");
  if (failed(checkOneOf(location, op, "keep_aspect_ratio_policy", policy,
                        {"stretch", "not_larger", "not_smaller"})))
    return failure();
  // Older exporters pass an empty tensor for the unused one of the two.
  auto isGiven = [](Value v) {
    if (!v)
      return false;
    OptShape s = shapeOf(v);
    return !(s && s->size() == 1 && (*s)[0] == 0);
  };
  Value scales = isGiven(adaptor.getScales()) ? adaptor.getScales() : Value();
  Value sizes = isGiven(adaptor.getSizes()) ? adaptor.getSizes() : Value();
  if (scales && sizes)
    return emitOptionalError(location, op,
                             ": scales and sizes must not both be given");
  if (!scales && !sizes)
    return emitOptionalError(location, op,
                             ": one of scales and sizes is required");
  Value x = adaptor.getX();
  OptShape s = shapeOf(x);
  if (!s) {
    types.push_back(x.getType());
    return success();
  }
  int64_t rank = s->size();
  SmallVector<int64_t> axes;
  if (auto attr = arrayAttr(adaptor.getAxesAttr())) {
    for (int64_t a : *attr) {
      auto axis = normalizeAxis(location, a, rank, "axes");
      if (failed(axis))
        return failure();
      axes.push_back(*axis);
    }
  } else {
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  Shape out = *s;
  if (scales) {
    auto values = getConstantFloats(scales);
    if (values && failed(checkLength(location, op, "scales", values->size(),
                                     axes.size())))
      return failure();
    for (auto [i, axis] : llvm::enumerate(axes)) {
      if (!values || isDyn((*s)[axis])) {
        out[axis] = kDyn;
        continue;
      }
      // floor(in * scale) on the exact f32 scale, as ONNX's shape inference
      // and reference do; a float product would round 40 * 1.4f up to 56.
      double scale = (*values)[i];
      if (!(scale > 0))
        return emitOptionalError(location, op,
                                 ": scales must be positive, got ", scale);
      auto size = checkedSize(location, op, axis,
                              std::floor((double)(*s)[axis] * scale));
      if (failed(size))
        return failure();
      out[axis] = *size;
    }
  } else {
    auto values = getConstantInts(sizes);
    if (values &&
        failed(checkLength(location, op, "sizes", values->size(), axes.size())))
      return failure();
    if (values && failed(checkAllPositive(location, op, "sizes", *values)))
      return failure();
    bool anyDynamic =
        llvm::any_of(axes, [&](int64_t a) { return isDyn((*s)[a]); });
    if (!values || (policy != "stretch" && anyDynamic)) {
      for (int64_t axis : axes)
        out[axis] = kDyn;
    } else if (policy == "stretch") {
      for (auto [i, axis] : llvm::enumerate(axes))
        out[axis] = (*values)[i];
    } else {
      double scale = policy == "not_larger"
                         ? std::numeric_limits<double>::infinity()
                         : 0.0;
      for (auto [i, axis] : llvm::enumerate(axes)) {
        double r = (double)(*values)[i] / (double)(*s)[axis];
        scale =
            policy == "not_larger" ? std::min(scale, r) : std::max(scale, r);
      }
      for (int64_t axis : axes) {
        auto size = checkedSize(location, op, axis,
                                std::floor(scale * (double)(*s)[axis] + 0.5));
        if (failed(size))
          return failure();
        out[axis] = *size;
      }
    }
  }
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         EinsumOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringAttr equation = adaptor.getProperties().equation;
  if (!equation)
    return missingAttr(location, "Einsum", "equation");
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(location, "Einsum: expected at least one input");
  auto shape = inferEinsumShape(location, equation.getValue(), inputs);
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(inputs[0])));
  return success();
}

LogicalResult DetOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      DetOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  StringRef op = "Det";
  Value x = adaptor.getX();
  OptShape s = shapeOf(x);
  if (failed(checkMinRank(location, op, "X", s, 2)))
    return failure();
  if (s) {
    int64_t r = s->size();
    if (failed(mergeDim(location, op, (*s)[r - 2],
                        ("dim " + Twine(r - 2) + " of X").str(), (*s)[r - 1],
                        ("dim " + Twine(r - 1) + " of X").str())))
      return failure();
    s->resize(r - 2);
  }
  types.push_back(tensorOf(s, elemOf(x)));
  return success();
}

//===----------------------------------------------------------------------===//
// Signal processing
//===----------------------------------------------------------------------===//

LogicalResult DFTOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      DFTOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  StringRef op = "DFT";
  Value input = adaptor.getInput();
  OptShape s = shapeOf(input);
  if (failed(checkMinRank(location, op, "input", s, 2)))
    return failure();
  if (!s) {
    types.push_back(input.getType());
    return success();
  }
  int64_t rank = s->size();
  if (failed(checkComplexDim(location, op, "the last dim of input",
                             (*s)[rank - 1])))
    return failure();
  bool inverse = intAttr(adaptor.getInverseAttr(), 0) != 0;
  bool onesided = intAttr(adaptor.getOnesidedAttr(), 0) != 0;

  std::optional<int64_t> axis = -2;
  if (Value axisValue = adaptor.getAxis())
    axis = constantScalar(axisValue);
  Shape out = *s;
  out[rank - 1] = onesided && inverse ? 1 : 2;
  if (!axis) {
    // Without onesided or dft_length the transformed axis keeps its size,
    // so only those make the unknown axis matter.
    bool keepsSizes = !onesided && !adaptor.getDftLength();
    if (!keepsSizes)
      for (int64_t i = 0; i < rank - 1; ++i)
        out[i] = kDyn;
    types.push_back(RankedTensorType::get(out, elemOf(input)));
    return success();
  }
  // Valid axes are [-r, -2] and [0, r - 2]: the last dim holds re/im.
  if (*axis < -rank || *axis > rank - 2 || *axis == -1)
    return emitOptionalError(location, op, ": axis ", *axis,
                             " is out of range for input of rank ", rank);
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  int64_t length = (*s)[a];
  if (Value lengthValue = adaptor.getDftLength()) {
    std::optional<int64_t> l = constantScalar(lengthValue);
    length = l ? *l : kDyn;
    if (l && failed(checkPositive(location, op, "dft_length", *l)))
      return failure();
  } else if (onesided && inverse && !isDyn(length)) {
    length = 2 * (length - 1);
    if (failed(checkPositive(location, op, "dft_length", length)))
      return failure();
  }
  if (isDyn(length))
    out[a] = kDyn;
  else
    out[a] = onesided && !inverse ? length / 2 + 1 : length;
  types.push_back(RankedTensorType::get(out, elemOf(input)));
  return success();
}

LogicalResult STFTOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       STFTOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef op = "STFT";
  Value signal = adaptor.getSignal();
  OptShape s = shapeOf(signal), ws = shapeOf(adaptor.getWindow());
  if (failed(checkRank(location, op, "signal", s, 3)) ||
      failed(checkRank(location, op, "window", ws, 1)))
    return failure();
  if (failed(checkComplexDim(location, op, "dim 2 of signal", dimAt(s, 2))))
    return failure();
  int64_t signalLength = dimAt(s, 1);
  std::optional<int64_t> step = constantScalar(adaptor.getFrameStep());
  if (step && failed(checkPositive(location, op, "frame_step", *step)))
    return failure();

  int64_t frameLength;
  if (Value fl = adaptor.getFrameLength()) {
    std::optional<int64_t> value = constantScalar(fl);
    frameLength = value ? *value : kDyn;
    if (value && failed(checkPositive(location, op, "frame_length", *value)))
      return failure();
    auto merged = mergeDim(location, op, frameLength, "frame_length",
                           dimAt(ws, 0), "the window length");
    if (failed(merged))
      return failure();
    frameLength = *merged;
  } else if (adaptor.getWindow()) {
    frameLength = dimAt(ws, 0);
  } else {
    frameLength = signalLength;
  }

  int64_t frames = kDyn;
  if (step && !isDyn(signalLength) && !isDyn(frameLength)) {
    if (frameLength > signalLength)
      return emitOptionalError(location, op, ": frame_length ", frameLength,
                               " exceeds the signal length ", signalLength);
    frames = (signalLength - frameLength) / *step + 1;
  }
  bool onesided = intAttr(adaptor.getOnesidedAttr(), 1) != 0;
  int64_t bins = frameLength;
  if (onesided && !isDyn(frameLength))
    bins = frameLength / 2 + 1;
  types.push_back(
      RankedTensorType::get({dimAt(s, 0), frames, bins, 2}, elemOf(signal)));
  return success();
}

/// BlackmanWindow, HammingWindow, HannWindow: a 1-D tensor of `size`.
static LogicalResult inferWindowFunction(MLIRContext *context, Loc loc,
                                         StringRef op, Value size,
                                         IntegerAttr outputDatatype,
                                         SmallVectorImpl<Type> &types) {
  auto elem = dataTypeAttr(context, loc, op, intAttr(outputDatatype, 1));
  if (failed(elem))
    return failure();
  std::optional<int64_t> n = constantScalar(size);
  if (n && failed(checkNonNegative(loc, op, "size", *n)))
    return failure();
  types.push_back(RankedTensorType::get({n ? *n : kDyn}, *elem));
  return success();
}

LogicalResult BlackmanWindowOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    BlackmanWindowOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferWindowFunction(context, location, "BlackmanWindow",
                             adaptor.getSize(), adaptor.getOutputDatatypeAttr(),
                             types);
}

LogicalResult HammingWindowOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    HammingWindowOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferWindowFunction(context, location, "HammingWindow",
                             adaptor.getSize(), adaptor.getOutputDatatypeAttr(),
                             types);
}

LogicalResult HannWindowOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location> location,
                                             HannWindowOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  return inferWindowFunction(context, location, "HannWindow", adaptor.getSize(),
                             adaptor.getOutputDatatypeAttr(), types);
}

LogicalResult MelWeightMatrixOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    MelWeightMatrixOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "MelWeightMatrix";
  auto elem = dataTypeAttr(context, location, op,
                           intAttr(adaptor.getOutputDatatypeAttr(), 1));
  if (failed(elem))
    return failure();
  std::optional<int64_t> bins = constantScalar(adaptor.getNumMelBins());
  std::optional<int64_t> dftLength = constantScalar(adaptor.getDftLength());
  if ((bins && failed(checkPositive(location, op, "num_mel_bins", *bins))) ||
      (dftLength &&
       failed(checkPositive(location, op, "dft_length", *dftLength))))
    return failure();
  Shape out = {dftLength ? *dftLength / 2 + 1 : kDyn, bins ? *bins : kDyn};
  types.push_back(RankedTensorType::get(out, *elem));
  return success();
}

LogicalResult TfIdfVectorizerOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    TfIdfVectorizerOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "TfIdfVectorizer";
  DenseI64ArrayAttr indexes = adaptor.getProperties().ngram_indexes;
  if (!indexes)
    return missingAttr(location, op, "ngram_indexes");
  if (indexes.size() == 0)
    return emitOptionalError(location, op, ": ngram_indexes must not be empty");
  if (failed(checkAllNonNegative(location, op, "ngram_indexes",
                                 indexes.asArrayRef())))
    return failure();
  OptShape s = shapeOf(adaptor.getX());
  if (failed(checkRankEither(location, op, "X", s, 1, 2)))
    return failure();
  int64_t width = *llvm::max_element(indexes.asArrayRef()) + 1;
  Type f32 = Float32Type::get(context);
  if (!s) {
    types.push_back(UnrankedTensorType::get(f32));
    return success();
  }
  Shape out = s->size() == 1 ? Shape{width} : Shape{(*s)[0], width};
  types.push_back(RankedTensorType::get(out, f32));
  return success();
}

//===----------------------------------------------------------------------===//
// Detection and losses
//===----------------------------------------------------------------------===//

LogicalResult NonMaxSuppressionOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    NonMaxSuppressionOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "NonMaxSuppression";
  OptShape bs = shapeOf(adaptor.getBoxes()), ss = shapeOf(adaptor.getScores());
  if (failed(checkRank(location, op, "boxes", bs, 3)) ||
      failed(checkRank(location, op, "scores", ss, 3)) ||
      failed(mergeDim(location, op, dimAt(bs, 2), "dim 2 of boxes", 4,
                      "4 (box coordinates)")) ||
      failed(mergeDim(location, op, dimAt(bs, 0), "dim 0 of boxes",
                      dimAt(ss, 0), "dim 0 of scores")) ||
      failed(mergeDim(location, op, dimAt(bs, 1), "dim 1 of boxes",
                      dimAt(ss, 2), "dim 2 of scores")))
    return failure();
  // One row (batch, class, box) per selected box: data dependent.
  types.push_back(
      RankedTensorType::get({kDyn, 3}, IntegerType::get(context, 64)));
  return success();
}

/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: input (N, C, d...)
/// and target (N, d...); the loss has target's shape for reduction "none" and
/// is a scalar otherwise.
static FailureOr<OptShape> inferLossShape(Loc loc, StringRef op,
                                          StringRef inputName, Value input,
                                          StringRef targetName, Value target,
                                          StringRef weightName, Value weight,
                                          StringRef reduction) {
  if (failed(
          checkOneOf(loc, op, "reduction", reduction, {"none", "sum", "mean"})))
    return failure();
  OptShape is = shapeOf(input), ts = shapeOf(target), ws = shapeOf(weight);
  if (failed(checkMinRank(loc, op, inputName, is, 2)) ||
      failed(checkMinRank(loc, op, targetName, ts, 1)) ||
      failed(checkRank(loc, op, weightName, ws, 1)) ||
      failed(mergeDim(loc, op, dimAt(ws, 0), ("dim 0 of " + weightName).str(),
                      dimAt(is, 1), ("dim 1 of " + inputName).str())))
    return failure();
  if (is && ts && ts->size() + 1 != is->size())
    return emitOptionalError(loc, op, ": ", targetName, " has rank ",
                             ts->size(), " but ", inputName, " has rank ",
                             is->size(), "; expected one less");
  if (reduction != "none")
    return OptShape(Shape());
  if (!is && !ts)
    return OptShape();
  // Dim i of the target pairs with dim 0 (i = 0) or i + 1 of the input.
  size_t rank = ts ? ts->size() : is->size() - 1;
  Shape out;
  for (size_t i = 0; i < rank; ++i) {
    size_t inputDim = i == 0 ? 0 : i + 1;
    auto d = mergeDim(loc, op, dimAt(ts, i),
                      ("dim " + Twine(i) + " of " + targetName).str(),
                      dimAt(is, inputDim),
                      ("dim " + Twine(inputDim) + " of " + inputName).str());
    if (failed(d))
      return failure();
    out.push_back(*d);
  }
  return OptShape(out);
}

LogicalResult NegativeLogLikelihoodLossOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    NegativeLogLikelihoodLossOp::Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  Value input = adaptor.getInput();
  auto shape = inferLossShape(location, "NegativeLogLikelihoodLoss", "input",
                              input, "target", adaptor.getTarget(), "weight",
                              adaptor.getWeight(),
                              strAttr(adaptor.getReductionAttr(), "mean"));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(input)));
  return success();
}

LogicalResult SoftmaxCrossEntropyLossOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    SoftmaxCrossEntropyLossOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value scores = adaptor.getScores();
  auto shape = inferLossShape(location, "SoftmaxCrossEntropyLoss", "scores",
                              scores, "labels", adaptor.getLabels(), "weights",
                              adaptor.getWeights(),
                              strAttr(adaptor.getReductionAttr(), "mean"));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(scores)));
  types.push_back(scores.getType());
  return success();
}

} // namespace aicc::graph
