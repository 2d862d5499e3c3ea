//===- ShapeRulesNNHelpers.h - NN result-type helpers -----------*- C++ -*-===//
//
// What the NN op families (ShapeRulesConv.cpp, ShapeRulesPooling.cpp,
// ShapeRulesNormalization.cpp, ShapeRulesRecurrent.cpp,
// ShapeRulesAttention.cpp, ShapeRulesLayout.cpp, ShapeRulesLinearAlgebra.cpp,
// ShapeRulesSignal.cpp, ShapeRulesDetectionLoss.cpp) share: dim arithmetic,
// attribute accessors, the diagnostics several ops emit (each helper owns one
// message format), and the sliding-window output size used by convolution,
// pooling and Col2Im. Definitions are in ShapeRulesNNHelpers.cpp; the trivial
// ones are inline here.
//
// Conventions are those of ShapeInference.h. Internal to the graph dialect:
// the names live in aicc::graph::nn_rules, which each family file brings in
// with a using-directive.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_DIALECTS_GRAPH_SHAPERULESNNHELPERS_H
#define AICC_DIALECTS_GRAPH_SHAPERULESNNHELPERS_H

#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace aicc::graph::nn_rules {

using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::StringRef;
using mlir::DenseI64ArrayAttr;
using mlir::FailureOr;
using mlir::IntegerAttr;
using mlir::MLIRContext;
using mlir::RankedTensorType;
using mlir::ShapedType;
using mlir::StringAttr;
using mlir::Type;
using mlir::UnrankedTensorType;
using mlir::Value;

using Shape = SmallVector<int64_t>;
using OptShape = std::optional<Shape>;
constexpr int64_t kDyn = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

inline bool isDyn(int64_t d) { return ShapedType::isDynamic(d); }

// Named differently from aicc::graph::getShape/getElementType: several ops
// have an operand called `shape`, whose accessor would hide those names
// inside the op's member functions.
inline OptShape shapeOf(Value v) {
  if (!v)
    return std::nullopt;
  return getShape(v);
}
inline Type elemOf(Value v) {
  return llvm::cast<ShapedType>(v.getType()).getElementType();
}

inline Type tensorOf(const OptShape &shape, Type elem) {
  if (!shape)
    return UnrankedTensorType::get(elem);
  return RankedTensorType::get(*shape, elem);
}

inline std::string dimStr(int64_t d) {
  return isDyn(d) ? "?" : std::to_string(d);
}

/// "[2, ?, 3]".
std::string shapeStr(ArrayRef<int64_t> shape);

inline int64_t intAttr(IntegerAttr attr, int64_t dflt) {
  return attr ? attr.getValue().getSExtValue() : dflt;
}
inline StringRef strAttr(StringAttr attr, StringRef dflt) {
  return attr ? attr.getValue() : dflt;
}
inline std::optional<ArrayRef<int64_t>> arrayAttr(DenseI64ArrayAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.asArrayRef();
}

/// Dim `i` of a shape; dynamic when unranked or out of range.
inline int64_t dimAt(const OptShape &s, int64_t i) {
  if (!s || i < 0 || i >= (int64_t)s->size())
    return kDyn;
  return (*s)[i];
}

inline int64_t addDims(int64_t a, int64_t b) {
  return isDyn(a) || isDyn(b) ? kDyn : a + b;
}
inline int64_t mulDims(int64_t a, int64_t b) {
  return isDyn(a) || isDyn(b) ? kDyn : a * b;
}
inline int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
inline int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

/// The single value of a constant one-element integer tensor.
std::optional<int64_t> constantScalar(Value v);

//===----------------------------------------------------------------------===//
// Diagnostics shared by several ops. Each helper owns one message format.
//===----------------------------------------------------------------------===//

LogicalResult checkRank(Loc loc, StringRef op, StringRef what,
                        const OptShape &s, int64_t rank);
LogicalResult checkMinRank(Loc loc, StringRef op, StringRef what,
                           const OptShape &s, int64_t rank);
LogicalResult checkRankEither(Loc loc, StringRef op, StringRef what,
                              const OptShape &s, int64_t r1, int64_t r2);
LogicalResult checkSameRank(Loc loc, StringRef op, StringRef what,
                            const OptShape &s, StringRef otherWhat,
                            const OptShape &other);

/// Two dims that must be equal: the static one of the two, or a failure.
FailureOr<int64_t> mergeDim(Loc loc, StringRef op, int64_t a, StringRef aWhat,
                            int64_t b, StringRef bWhat);

/// `value / divisor` when the divisor divides it; dynamic if either is.
FailureOr<int64_t> divideDim(Loc loc, StringRef op, int64_t value,
                             StringRef valueWhat, int64_t divisor,
                             StringRef divisorWhat);

LogicalResult checkPositive(Loc loc, StringRef op, StringRef what,
                            int64_t value);
LogicalResult checkNonNegative(Loc loc, StringRef op, StringRef what,
                               int64_t value);
LogicalResult checkAllPositive(Loc loc, StringRef op, StringRef what,
                               ArrayRef<int64_t> values);
LogicalResult checkAllNonNegative(Loc loc, StringRef op, StringRef what,
                                  ArrayRef<int64_t> values);
LogicalResult checkLength(Loc loc, StringRef op, StringRef what, size_t size,
                          size_t expected);
LogicalResult checkOneOf(Loc loc, StringRef op, StringRef what, StringRef value,
                         ArrayRef<StringRef> allowed);

/// A required attribute that is absent. Parsed IR never gets here: ODS
/// verifies required attributes before the result types. Builders that infer
/// types from an incomplete attribute list do, and get this instead of a null
/// dereference.
LogicalResult missingAttr(Loc loc, StringRef op, StringRef name);

/// Merges two shapes that must be equal dim by dim.
FailureOr<OptShape> mergeShapes(Loc loc, StringRef op, const OptShape &a,
                                StringRef aWhat, const OptShape &b,
                                StringRef bWhat);

/// A dim computed in floating point (Resize), rejected when it cannot be an
/// int64 size.
FailureOr<int64_t> checkedSize(Loc loc, StringRef op, int64_t axis,
                               double size);

/// The trailing dim of DFT/STFT signals: 1 for real, 2 for complex values.
LogicalResult checkComplexDim(Loc loc, StringRef op, StringRef what,
                              int64_t d);

/// The element type an `output_datatype` attribute names.
FailureOr<Type> dataTypeAttr(MLIRContext *ctx, Loc loc, StringRef op,
                             int64_t code);

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
                         StringRef autoPad, bool ceilMode, Window &w);

/// The kernel from the kernel_shape attribute and/or the spatial dims of the
/// weight; `weight` may be unranked.
FailureOr<Shape> readKernel(Loc loc, StringRef op, size_t n,
                            std::optional<ArrayRef<int64_t>> kernelShape,
                            const OptShape &weight);

/// Output spatial dims of a sliding window (ONNX Conv/Pool formulas):
///  SAME_UPPER/SAME_LOWER: ceil(in / stride);
///  VALID:  floor((in - dilated_kernel) / stride) + 1 (ceil_mode agrees);
///  NOTSET: floor or ceil((in + pads - dilated_kernel) / stride) + 1, where
///          with ceil_mode a last window starting in the end padding is
///          dropped.
FailureOr<Shape> windowOutput(Loc loc, StringRef op, ArrayRef<int64_t> in,
                              const Window &w);

} // namespace aicc::graph::nn_rules

#endif // AICC_DIALECTS_GRAPH_SHAPERULESNNHELPERS_H
