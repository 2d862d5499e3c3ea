//===- LowerDataMovement.cpp - Shape and data movement ops to linalg -----===//
//
// Views where the layout allows (Reshape, Flatten, Squeeze, Unsqueeze as
// collapse/expand_shape; Slice with positive steps and Split as
// extract_slice), tensor.concat, linalg.transpose, broadcasts as projected
// maps (Expand, Tile), and gathers (Gather, GatherElements, Slice with
// negative steps, Pad reflect/edge/wrap, Resize) as linalg.generic computing
// source indices from linalg.index and reading with tensor.extract.
// Everything that only moves data keeps unsigned element types as they are.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <cmath>

using namespace mlir;

namespace aicc::lowering {
namespace {

Value extractSlice(OpBuilder &b, Location loc, Value source,
                   ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                   ArrayRef<int64_t> strides) {
  auto type = cast<RankedTensorType>(source.getType());
  if (type.getShape() == sizes &&
      llvm::all_of(offsets, [](int64_t v) { return v == 0; }))
    return source;
  auto resultType = RankedTensorType::get(sizes, type.getElementType());
  return tensor::ExtractSliceOp::create(b, loc, resultType, source, ValueRange{},
                                        ValueRange{}, ValueRange{}, offsets,
                                        sizes, strides);
}

/// An index-typed value of an integer scalar.
//===----------------------------------------------------------------------===//
// Dynamic dims (docs/Pipeline.md "Dynamic shapes"): the paths taken when an
// operand or result has a `?` dim; sizes and offsets are index values over
// the function's symbols (DynamicDims).
//===----------------------------------------------------------------------===//

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> out;
  for (int64_t v : values)
    out.push_back(b.getIndexAttr(v));
  return out;
}

/// Why `op` (with dynamic dims) cannot be lowered for lack of sizes, or "".
std::string whyUnknownDims(Operation *op) {
  return whyNotKnownIntOrFloat(op);
}

/// An index value of a mixed size (an arith.constant for a static one).
Value indexValue(OpBuilder &b, Location loc, OpFoldResult size) {
  if (auto attr = dyn_cast<Attribute>(size))
    return constIndex(b, loc, cast<IntegerAttr>(attr).getInt());
  return cast<Value>(size);
}

/// The rank of `op`'s `input` and `output`, which must be the same, when
/// the dims of both are known (static, or from the symbols); failure with
/// the reason otherwise.
FailureOr<int64_t> knownSameRank(Operation *op, Value input, Value output,
                                 PatternRewriter &rewriter) {
  if (std::string why = whyUnknownDims(op); !why.empty())
    return rewriter.notifyMatchFailure(op, why);
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (cast<RankedTensorType>(output.getType()).getRank() != rank)
    return rewriter.notifyMatchFailure(
        op, "the output rank differs from the input rank");
  return rank;
}

/// A gather by linalg.index over `sizes`: output element i reads `data` at
/// index(d, i_d) in every dim d.
Value buildIndexGather(
    OpBuilder &b, Location loc, Value data, ArrayRef<OpFoldResult> sizes,
    Type elementType,
    llvm::function_ref<Value(OpBuilder &, Location, int64_t, Value)> index) {
  return buildParallelSized(
      b, loc, {}, sizes, elementType,
      [&](OpBuilder &nb, Location l, ValueRange) -> Value {
        SmallVector<Value> indices;
        for (int64_t d = 0, e = sizes.size(); d < e; ++d)
          indices.push_back(index(nb, l, d, linalg::IndexOp::create(nb, l, d)));
        return tensor::ExtractOp::create(nb, l, data, indices);
      });
}

/// The gather of Slice where tensor.extract_slice does not apply (a
/// negative step, or starts and steps known only at run time): output
/// element i, over `sizes`, reads `data` at start_k + i_k * step_k in every
/// dim k. A step of 1 and a start of 0 add no arithmetic.
Value buildStridedGather(OpBuilder &b, Location loc, Value data,
                         ArrayRef<OpFoldResult> sizes,
                         ArrayRef<OpFoldResult> starts,
                         ArrayRef<OpFoldResult> steps, Type elementType) {
  return buildIndexGather(
      b, loc, data, sizes, elementType,
      [&](OpBuilder &nb, Location l, int64_t d, Value i) -> Value {
        if (getConstantIntValue(steps[d]) != 1)
          i = arith::MulIOp::create(nb, l, i, indexValue(nb, l, steps[d]));
        if (getConstantIntValue(starts[d]) != 0)
          i = arith::AddIOp::create(nb, l, indexValue(nb, l, starts[d]), i);
        return i;
      });
}

/// `tensor.reshape %value(%shape)` to `type` with `%shape` the
/// tensor.from_elements of `sizes`: a view of the same dense row-major
/// elements with run-time dims (contract B of issue 15), never a kernel.
Value reshapeView(OpBuilder &b, Location loc, Value value,
                  ArrayRef<OpFoldResult> sizes, RankedTensorType type) {
  SmallVector<Value> elements;
  for (OpFoldResult size : sizes)
    elements.push_back(indexValue(b, loc, size));
  auto shapeType =
      RankedTensorType::get({(int64_t)sizes.size()}, b.getIndexType());
  Value shape = tensor::FromElementsOp::create(b, loc, shapeType, elements);
  return tensor::ReshapeOp::create(b, loc, type, value, shape);
}

/// Whether `op` is lowered with run-time dims or parameters computed from
/// input values (issue 15): the graph stage gave it `aicc.result_dims` or
/// `aicc.value_params`.
bool isValueDependent(Operation *op) {
  return DynamicDims::current() &&
         (hasValueDependentDims(op) || op->hasAttr(kValueParamsAttrName));
}

/// The value parameter `name` of `op`, one index value per dim of a rank
/// `rank` tensor; failure (with the reason) when the graph stage did not
/// provide it.
FailureOr<SmallVector<Value>> valueParamsPerDim(Operation *op, StringRef name,
                                                int64_t rank,
                                                PatternRewriter &rewriter) {
  SmallVector<Value> values = getValueParams(op, name, rewriter);
  if ((int64_t)values.size() != rank)
    return rewriter.notifyMatchFailure(op, [&](Diagnostic &diag) {
      diag << "the value-dependent lowering needs 'aicc.value_params' entry '"
           << name << "' with " << rank
           << " symbols (one per input dim); it has " << values.size();
    });
  return values;
}

LogicalResult lowerDynamicReshape(Operation *op, PatternRewriter &rewriter) {
  Value input = op->getOperand(0), output = op->getResult(0);
  auto inType = dyn_cast<RankedTensorType>(input.getType());
  auto outType = dyn_cast<RankedTensorType>(output.getType());
  if (!inType || !outType ||
      inType.getElementType() != outType.getElementType())
    return rewriter.notifyMatchFailure(
        op, "needs ranked input and output of one element type");
  auto inSizes = getKnownDimSizes(input);
  auto outSizes = getKnownDimSizes(output);
  if (!inSizes || !outSizes)
    return rewriter.notifyMatchFailure(op, whyUnknownDims(op));
  // Dims from input values (Reshape's shape, Squeeze/Unsqueeze's axes): the
  // result is the input's elements in the same row-major order with the
  // dims the runtime computed (it checked that the element counts agree,
  // an assumption of the graph stage), so a view is exact whatever the dims
  // turn out to be, including zero-size ones.
  if (hasValueDependentDims(op)) {
    rewriter.replaceOp(op, reshapeView(rewriter, op->getLoc(), input,
                                       *outSizes, outType));
    return success();
  }
  Value result = reshapeToSizes(rewriter, op->getLoc(), input, *outSizes);
  if (!result) {
    std::string why;
    llvm::raw_string_ostream os(why);
    os << "the reshape of " << inType << " to " << outType
       << " is not a pure expand or collapse of its dynamic dims; not "
          "supported by the lowering yet";
    return rewriter.notifyMatchFailure(op, why);
  }
  rewriter.replaceOp(op, result);
  return success();
}

/// The offset of each of `values` along `axis` when concatenated: sums of
/// their dim expressions.
std::optional<SmallVector<AffineExpr>> concatOffsets(ValueRange values,
                                                     int64_t axis) {
  SmallVector<AffineExpr> offsets;
  AffineExpr offset = getAffineConstantExpr(0, values.front().getContext());
  for (Value v : values) {
    auto exprs = getDimExprs(v);
    if (!exprs)
      return std::nullopt;
    offsets.push_back(offset);
    offset = offset + (*exprs)[axis];
  }
  offsets.push_back(offset);
  return offsets;
}

Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isIndex())
    return v;
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

/// Reshape, Flatten, Squeeze, Unsqueeze: the static result shape says it all.
template <typename OpTy> struct ReshapeLikePattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    if (DynamicDims::current() && hasDynamicDims(op))
      return lowerDynamicReshape(op, rewriter);
    auto inType = getStaticType(op->getOperand(0));
    auto outType = getStaticType(op->getResult(0));
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    if (inType.getElementType() != outType.getElementType() ||
        inType.getNumElements() != outType.getNumElements())
      return rewriter.notifyMatchFailure(
          op, "the result has another element type or element count than "
              "the input");
    rewriter.replaceOp(op, reshapeTo(rewriter, op->getLoc(), op->getOperand(0),
                                     outType.getShape()));
    return success();
  }
};

struct TransposePattern : LoweringPattern<graph::TransposeOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::TransposeOp op,
                      PatternRewriter &rewriter) const override {
    bool dynamic = DynamicDims::current() && hasDynamicDims(op);
    if (dynamic)
      if (std::string why = whyUnknownDims(op); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
    auto inType = dynamic ? cast<RankedTensorType>(op.getData().getType())
                          : getStaticType(op.getData());
    auto outType = dynamic
                       ? cast<RankedTensorType>(op.getTransposed().getType())
                       : getStaticType(op.getTransposed());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    SmallVector<int64_t> perm;
    if (auto attr = op.getPerm())
      perm.assign(attr->begin(), attr->end());
    else
      for (int64_t i = inType.getRank() - 1; i >= 0; --i)
        perm.push_back(i);
    if (static_cast<int64_t>(perm.size()) != inType.getRank())
      return rewriter.notifyMatchFailure(
          op, "perm has another length than the input rank");
    Value init =
        dynamic ? createEmptySized(rewriter, op.getLoc(),
                              *getKnownDimSizes(op.getTransposed()),
                              outType.getElementType())
                : createEmpty(rewriter, op.getLoc(), outType.getShape(),
                              outType.getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       op.getData(), init, perm)
                               .getResult());
    return success();
  }
};

struct ConcatPattern : LoweringPattern<graph::ConcatOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ConcatOp op,
                      PatternRewriter &rewriter) const override {
    if (DynamicDims::current() && hasDynamicDims(op))
      return lowerDynamic(op, rewriter);
    auto outType = getStaticType(op.getResult());
    if (!outType || !llvm::all_of(op.getInputs(), getStaticType))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto axis = normalizeAxis(op.getAxis(), outType.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    // Empty inputs contribute nothing.
    SmallVector<Value> inputs;
    for (Value input : op.getInputs())
      if (cast<RankedTensorType>(input.getType()).getNumElements() != 0)
        inputs.push_back(input);
    if (inputs.empty())
      return rewriter.notifyMatchFailure(op, "every input is empty");
    if (inputs.size() == 1) {
      rewriter.replaceOp(op, inputs.front());
      return success();
    }
    rewriter.replaceOp(op, tensor::ConcatOp::create(rewriter, op.getLoc(),
                                                    outType, *axis, inputs)
                               .getResult());
    return success();
  }

  /// tensor.empty of the result's sizes and one tensor.insert_slice per
  /// input at the sum of the sizes before it (an input may be empty at run
  /// time: past_sequence = 0).
  LogicalResult lowerDynamic(graph::ConcatOp op,
                             PatternRewriter &rewriter) const {
    if (std::string why = whyUnknownDims(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto outType = cast<RankedTensorType>(op.getResult().getType());
    auto axis = normalizeAxis(op.getAxis(), outType.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    SmallVector<Value> inputs;
    for (Value input : op.getInputs())
      if (!llvm::is_contained(
              cast<RankedTensorType>(input.getType()).getShape(), 0))
        inputs.push_back(input);
    if (inputs.empty())
      return rewriter.notifyMatchFailure(op, "every input is empty");
    auto offsets = concatOffsets(inputs, *axis);
    if (!offsets)
      return rewriter.notifyMatchFailure(
          op, "the size of an input along the axis is not known");
    Location loc = op.getLoc();
    Value result =
        createEmptySized(rewriter, loc, *getKnownDimSizes(op.getResult()),
                         outType.getElementType());
    int64_t rank = outType.getRank();
    for (auto [i, input] : llvm::enumerate(inputs)) {
      SmallVector<OpFoldResult> at(rank, rewriter.getIndexAttr(0));
      at[*axis] = materializeExpr((*offsets)[i]);
      SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result, at,
                                             *getKnownDimSizes(input), strides);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A Slice's constant axes (default 0..count-1) and steps (default 1),
/// each of `count` entries; `operands` names them in the length error.
static LogicalResult readSliceAxesAndSteps(graph::SliceOp op,
                                           PatternRewriter &rewriter,
                                           size_t count,
                                           SmallVector<int64_t> &axes,
                                           SmallVector<int64_t> &steps,
                                           StringRef operands) {
  if (op.getAxes()) {
    auto values = constantInts(op.getAxes());
    if (!values)
      return rewriter.notifyMatchFailure(op, "axes must be a constant");
    axes = *values;
  } else {
    for (size_t i = 0; i < count; ++i)
      axes.push_back(i);
  }
  steps.assign(count, 1);
  if (op.getSteps()) {
    auto values = constantInts(op.getSteps());
    if (!values)
      return rewriter.notifyMatchFailure(op, "steps must be a constant");
    steps = *values;
  }
  if (axes.size() != count || steps.size() != count)
    return rewriter.notifyMatchFailure(
        op, operands + Twine(" have different lengths"));
  return success();
}

/// Slice with constant starts/ends/axes/steps, clamped like ONNX.
struct SlicePattern : LoweringPattern<graph::SliceOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::SliceOp op,
                      PatternRewriter &rewriter) const override {
    if (isValueDependent(op))
      return lowerValueDependent(op, rewriter);
    if (DynamicDims::current() && hasDynamicDims(op))
      return lowerDynamic(op, rewriter);
    auto inType = getStaticType(op.getData());
    auto outType = getStaticType(op.getOutput());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = inType.getRank();
    auto starts = constantInts(op.getStarts());
    auto ends = constantInts(op.getEnds());
    if (!starts || !ends || starts->size() != ends->size())
      return rewriter.notifyMatchFailure(
          op, "starts and ends must be constants of the same length");
    SmallVector<int64_t> axes, steps;
    if (failed(readSliceAxesAndSteps(op, rewriter, starts->size(), axes, steps,
                                     "starts, ends, axes and steps")))
      return failure();
    SmallVector<int64_t> offsets(rank, 0), sizes(inType.getShape()),
        strides(rank, 1);
    bool negative = false;
    for (size_t i = 0; i < axes.size(); ++i) {
      auto axis = normalizeAxis(axes[i], rank);
      if (!axis || steps[i] == 0)
        return rewriter.notifyMatchFailure(
            op, "an axis is out of range or a step is 0");
      int64_t dim = inType.getDimSize(*axis);
      int64_t start = (*starts)[i], end = (*ends)[i], step = steps[i];
      if (start < 0)
        start += dim;
      if (end < 0)
        end += dim;
      int64_t size;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        size = end > start ? (end - start - 1) / step + 1 : 0;
      } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        // -step overflows for INT64_MIN: divide by its unsigned magnitude.
        size = start > end ? (int64_t)((uint64_t)(start - end - 1) /
                                       (0 - (uint64_t)step)) +
                                 1
                           : 0;
        negative = true;
      }
      offsets[*axis] = start;
      sizes[*axis] = size;
      // A step larger than the dim reads one element: keep strides small.
      strides[*axis] = size > 1 ? step : (step > 0 ? 1 : -1);
    }
    if (ArrayRef<int64_t>(sizes) != outType.getShape())
      return rewriter.notifyMatchFailure(
          op, "the computed slice shape does not match the output shape");
    Location loc = op.getLoc();
    if (!negative) {
      rewriter.replaceOp(
          op, extractSlice(rewriter, loc, op.getData(), offsets, sizes, strides));
      return success();
    }
    MLIRContext *ctx = rewriter.getContext();
    rewriter.replaceOp(op,
                       buildStridedGather(rewriter, loc, op.getData(),
                                          getAsIndexOpFoldResult(ctx, sizes),
                                          getAsIndexOpFoldResult(ctx, offsets),
                                          getAsIndexOpFoldResult(ctx, strides),
                                          outType.getElementType()));
    return success();
  }

  /// Starts, ends, axes or steps from input values (issue 15): ONNX Slice
  /// reads output element i_k of input dim k at start_k + i_k * step_k,
  /// where start_k is the start after ONNX's clamping ([0, d_k] for a
  /// positive step, [0, d_k - 1] for a negative one) and the output dim o_k
  /// is the number of steps that stay before the clamped end. The graph
  /// stage computes both as value symbols (`aicc.value_params`: `starts` and
  /// `steps`, one per input dim, 0 and 1 for dims no axis names) and o_k as
  /// the result dims, so the kernel only adds and multiplies: a gather by
  /// linalg.index, whatever the steps' signs. A zero-size output has no
  /// iteration (an empty range reads nothing).
  LogicalResult lowerValueDependent(graph::SliceOp op,
                                    PatternRewriter &rewriter) const {
    FailureOr<int64_t> rank =
        knownSameRank(op, op.getData(), op.getOutput(), rewriter);
    if (failed(rank))
      return failure();
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    auto starts = valueParamsPerDim(op, "starts", *rank, rewriter);
    if (failed(starts))
      return failure();
    auto steps = valueParamsPerDim(op, "steps", *rank, rewriter);
    if (failed(steps))
      return failure();
    rewriter.replaceOp(
        op, buildStridedGather(
                rewriter, op.getLoc(), op.getData(),
                *getKnownDimSizes(op.getOutput()), getAsOpFoldResult(*starts),
                getAsOpFoldResult(*steps), outType.getElementType()));
    return success();
  }

  /// Starts from constants or from the shape values of the analysis (a
  /// start over the symbols must provably lie within its dim: no clamp is
  /// left to the kernel); the sizes are the result's. Positive steps only.
  LogicalResult lowerDynamic(graph::SliceOp op,
                             PatternRewriter &rewriter) const {
    if (std::string why = whyUnknownDims(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    DynamicDims &dims = *DynamicDims::current();
    const graph::SymbolicShapeAnalysis &analysis = dims.getAnalysis();
    auto inType = cast<RankedTensorType>(op.getData().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    int64_t rank = inType.getRank();
    auto inExprs = getDimExprs(op.getData());
    if (!inExprs)
      return rewriter.notifyMatchFailure(op, "the input's dims are not known");
    auto symbolic = [&](Value v) -> std::optional<SmallVector<AffineExpr>> {
      if (auto ints = constantInts(v)) {
        SmallVector<AffineExpr> out;
        for (int64_t i : *ints)
          out.push_back(analysis.constant(i));
        return out;
      }
      if (const auto *known = dims.lookupValues(v))
        return *known;
      return std::nullopt;
    };
    auto starts = symbolic(op.getStarts());
    if (!starts)
      return rewriter.notifyMatchFailure(
          op, "starts are neither constant nor known over the dim symbols");
    SmallVector<int64_t> axes, steps;
    if (failed(readSliceAxesAndSteps(op, rewriter, starts->size(), axes, steps,
                                     "starts, axes and steps")))
      return failure();
    SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0)),
        strides(rank, rewriter.getIndexAttr(1));
    bool negative = false;
    for (size_t i = 0; i < axes.size(); ++i) {
      auto axis = normalizeAxis(axes[i], rank);
      if (!axis || steps[i] == 0)
        return rewriter.notifyMatchFailure(
            op, "an axis is out of range or a step is 0");
      // ONNX clamps the start to [0, dim] for a positive step and to
      // [0, dim - 1] for a negative one.
      bool down = steps[i] < 0;
      negative |= down;
      AffineExpr dim = (*inExprs)[*axis], start = (*starts)[i];
      AffineExpr limit = down ? analysis.canonical(dim - 1) : dim;
      if (auto c = dyn_cast<AffineConstantExpr>(start)) {
        if (c.getValue() < 0)
          start = analysis.canonical(dim + c.getValue());
        else if (auto d = dyn_cast<AffineConstantExpr>(limit))
          start = analysis.constant(std::min(c.getValue(), d.getValue()));
        else if (auto range = analysis.getRange(limit);
                 range && c.getValue() >= range->second)
          start = limit; // INT64_MAX and the like: from the end
      }
      if (!analysis.provablyLessEqual(analysis.constant(0), start) ||
          !analysis.provablyLessEqual(start, limit))
        return rewriter.notifyMatchFailure(
            op, "the start " + analysis.print(start) + " of axis " +
                    std::to_string(*axis) + " may lie outside its dim " +
                    analysis.print(dim) +
                    "; a clamped dynamic start is not supported yet");
      offsets[*axis] = materializeExpr(start);
      strides[*axis] = rewriter.getIndexAttr(steps[i]);
    }
    SmallVector<OpFoldResult> sizes = *getKnownDimSizes(op.getOutput());
    if (!negative) {
      rewriter.replaceOp(op, tensor::ExtractSliceOp::create(
                                 rewriter, op.getLoc(), outType, op.getData(),
                                 offsets, sizes, strides));
      return success();
    }
    // A negative step: a gather at start + i * step, like the static path.
    rewriter.replaceOp(
        op, buildStridedGather(rewriter, op.getLoc(), op.getData(), sizes,
                               offsets, strides, outType.getElementType()));
    return success();
  }
};

struct SplitPattern : LoweringPattern<graph::SplitOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::SplitOp op,
                      PatternRewriter &rewriter) const override {
    if (DynamicDims::current() && hasDynamicDims(op)) {
      if (std::string why = whyUnknownDims(op); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
      auto inType = cast<RankedTensorType>(op.getInput().getType());
      auto axis = normalizeAxis(op.getAxis(), inType.getRank());
      if (!axis)
        return rewriter.notifyMatchFailure(op, "axis is out of range");
      // Output i starts at the sum of the sizes before it along the axis:
      // the graph stage's `offsets` when the sizes come from the `split`
      // input's values (issue 15), else the sum of their dim expressions.
      SmallVector<OpFoldResult> starts;
      SmallVector<Value> params = getValueParams(op, "offsets", rewriter);
      if (!params.empty() && params.size() != op.getOutputs().size()) {
        return rewriter.notifyMatchFailure(
            op, "'aicc.value_params' entry 'offsets' needs one symbol per "
                "output");
      } else if (!params.empty()) {
        for (Value v : params)
          starts.push_back(getAsOpFoldResult(v));
      } else {
        auto offsets = concatOffsets(op.getOutputs(), *axis);
        if (!offsets)
          return rewriter.notifyMatchFailure(
              op, "the size of an output along the axis is not known");
        for (size_t i = 0; i < op.getOutputs().size(); ++i)
          starts.push_back(materializeExpr((*offsets)[i]));
      }
      int64_t rank = inType.getRank();
      SmallVector<Value> results;
      for (auto [i, output] : llvm::enumerate(op.getOutputs())) {
        SmallVector<OpFoldResult> at(rank, rewriter.getIndexAttr(0)),
            strides(rank, rewriter.getIndexAttr(1));
        at[*axis] = starts[i];
        results.push_back(tensor::ExtractSliceOp::create(
            rewriter, op.getLoc(), cast<RankedTensorType>(output.getType()),
            op.getInput(), at, *getKnownDimSizes(output), strides));
      }
      rewriter.replaceOp(op, results);
      return success();
    }
    auto inType = getStaticType(op.getInput());
    if (!inType || !llvm::all_of(op.getOutputs(), getStaticType))
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto axis = normalizeAxis(op.getAxis(), inType.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    SmallVector<Value> results;
    int64_t offset = 0;
    int64_t rank = inType.getRank();
    for (Value output : op.getOutputs()) {
      auto type = cast<RankedTensorType>(output.getType());
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[*axis] = offset;
      results.push_back(extractSlice(rewriter, op.getLoc(), op.getInput(),
                                     offsets, type.getShape(), strides));
      offset += type.getDimSize(*axis);
    }
    if (offset != inType.getDimSize(*axis))
      return rewriter.notifyMatchFailure(
          op,
          "the output sizes do not add up to the input size along the axis");
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Gather: out[a.., i.., b..] = data[a.., indices[i..], b..].
struct GatherPattern : LoweringPattern<graph::GatherOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::GatherOp op,
                      PatternRewriter &rewriter) const override {
    bool dynamic = DynamicDims::current() && hasDynamicDims(op);
    if (dynamic)
      if (std::string why = whyUnknownDims(op); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
    auto ranked = [&](Value v) {
      return dynamic ? dyn_cast<RankedTensorType>(v.getType())
                     : getStaticType(v);
    };
    auto dataType = ranked(op.getData());
    auto idxType = ranked(op.getIndices());
    auto outType = ranked(op.getOutput());
    if (!dataType || !idxType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto axis = normalizeAxis(op.getAxis(), dataType.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    if (dataType.isDynamicDim(*axis))
      return rewriter.notifyMatchFailure(
          op, "the gathered dim " + std::to_string(*axis) +
                  " of the data is dynamic; not supported by the lowering "
                  "yet");
    Location loc = op.getLoc();
    int64_t q = idxType.getRank();
    int64_t dim = dataType.getDimSize(*axis);
    SmallVector<OpFoldResult> outSizes =
        dynamic ? *getKnownDimSizes(op.getOutput())
                : indexAttrs(rewriter, outType.getShape());
    SmallVector<int64_t> idxDims;
    for (int64_t i = 0; i < q; ++i)
      idxDims.push_back(*axis + i);
    LoopOperand indices =
        readInto(rewriter, loc, op.getIndices(), outType.getShape(), idxDims);
    Value data = op.getData();
    int64_t rank = dataType.getRank();
    Value result = buildParallelSized(
        rewriter, loc, {indices}, outSizes, outType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> srcIdx;
          for (int64_t d = 0; d < *axis; ++d)
            srcIdx.push_back(linalg::IndexOp::create(b, l, d));
          Value idx = toIndex(b, l, a[0]);
          // Negative indices count from the end.
          Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              idx, constIndex(b, l, 0));
          idx = arith::SelectOp::create(
              b, l, isNeg, arith::AddIOp::create(b, l, idx, constIndex(b, l, dim)),
              idx);
          srcIdx.push_back(idx);
          for (int64_t d = *axis + 1; d < rank; ++d)
            srcIdx.push_back(linalg::IndexOp::create(b, l, d + q - 1));
          return checkedExtract(b, l, data, srcIdx);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// GatherElements: out[i] = data[i with i[axis] = indices[i]].
struct GatherElementsPattern : LoweringPattern<graph::GatherElementsOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::GatherElementsOp op,
                      PatternRewriter &rewriter) const override {
    auto dataType = getStaticType(op.getData());
    auto idxType = getStaticType(op.getIndices());
    auto outType = getStaticType(op.getOutput());
    if (!dataType || !idxType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    auto axis = normalizeAxis(op.getAxis(), dataType.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    Location loc = op.getLoc();
    int64_t dim = dataType.getDimSize(*axis);
    Value data = op.getData();
    LoopOperand indices = {op.getIndices(),
                           rewriter.getMultiDimIdentityMap(idxType.getRank())};
    Value result = buildParallel(
        rewriter, loc, {indices}, outType.getShape(), outType.getElementType(),
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          SmallVector<Value> srcIdx;
          for (int64_t d = 0; d < dataType.getRank(); ++d) {
            if (d != *axis) {
              srcIdx.push_back(linalg::IndexOp::create(b, l, d));
              continue;
            }
            Value idx = toIndex(b, l, a[0]);
            Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                idx, constIndex(b, l, 0));
            srcIdx.push_back(arith::SelectOp::create(
                b, l, isNeg,
                arith::AddIOp::create(b, l, idx, constIndex(b, l, dim)), idx));
          }
          return checkedExtract(b, l, data, srcIdx);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Expand: a broadcast to the static result shape.
struct ExpandPattern : LoweringPattern<graph::ExpandOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ExpandOp op,
                      PatternRewriter &rewriter) const override {
    if (DynamicDims::current() && hasDynamicDims(op)) {
      if (std::string why = whyUnknownDims(op); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
      auto inType = cast<RankedTensorType>(op.getInput().getType());
      auto outType = cast<RankedTensorType>(op.getOutput().getType());
      if (inType.getRank() > outType.getRank())
        return rewriter.notifyMatchFailure(
            op, "needs an output rank no less than the input rank");
      rewriter.replaceOp(
          op, buildElementwiseSized(rewriter, op.getLoc(), {op.getInput()},
                               *getKnownDimSizes(op.getOutput()),
                               outType.getElementType(),
                               [](OpBuilder &, Location, ValueRange a) {
                                 return a[0];
                               }));
      return success();
    }
    auto inType = getStaticType(op.getInput());
    auto outType = getStaticType(op.getOutput());
    if (!inType || !outType || inType.getRank() > outType.getRank())
      return rewriter.notifyMatchFailure(
          op,
          "needs static shapes and an output rank no less than the input rank");
    if (inType == outType) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), {op.getInput()},
                             outType.getShape(), outType.getElementType(),
                             [](OpBuilder &, Location, ValueRange a) {
                               return a[0];
                             }));
    return success();
  }
};

/// Tile: broadcast into [r0, d0, r1, d1, ...] and collapse pairs.
struct TilePattern : LoweringPattern<graph::TileOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::TileOp op,
                      PatternRewriter &rewriter) const override {
    if (DynamicDims::current() && hasDynamicDims(op))
      return lowerDynamic(op, rewriter);
    auto inType = getStaticType(op.getInput());
    auto outType = getStaticType(op.getOutput());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = inType.getRank();
    SmallVector<int64_t> loopShape, inDims;
    SmallVector<ReassociationIndices> reassoc;
    for (int64_t i = 0; i < rank; ++i) {
      int64_t d = inType.getDimSize(i);
      if (d == 0 || outType.getDimSize(i) % d != 0)
        return rewriter.notifyMatchFailure(
            op, "an output dim is not a multiple of the input dim");
      int64_t r = outType.getDimSize(i) / d;
      reassoc.push_back({2 * i, 2 * i + 1});
      loopShape.append({r, d});
      inDims.push_back(2 * i + 1);
    }
    Location loc = op.getLoc();
    Value tiled = buildParallel(
        rewriter, loc,
        {readInto(rewriter, loc, op.getInput(), loopShape, inDims)}, loopShape,
        outType.getElementType(),
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    rewriter.replaceOp(op, tensor::CollapseShapeOp::create(rewriter, loc, outType,
                                                           tiled, reassoc)
                               .getResult());
    return success();
  }

  /// Repeats from input values (issue 15) or dynamic input dims: ONNX Tile
  /// gives output dim o_k = d_k * repeats_k and out[i] = in[i_k mod d_k]
  /// (the output is `repeats_k` copies of the input along each dim). The
  /// output dims come from the graph stage (`aicc.result_dims`), so the
  /// kernel is a gather by linalg.index. The divisor is max(d_k, 1): a
  /// zero-size input dim gives a zero-size output (no iteration), and the
  /// kernel's zero-divisor check must not see a 0.
  LogicalResult lowerDynamic(graph::TileOp op,
                             PatternRewriter &rewriter) const {
    if (failed(knownSameRank(op, op.getInput(), op.getOutput(), rewriter)))
      return failure();
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    SmallVector<OpFoldResult> inSizes = *getKnownDimSizes(op.getInput());
    Value result = buildIndexGather(
        rewriter, op.getLoc(), op.getInput(), *getKnownDimSizes(op.getOutput()),
        outType.getElementType(),
        [&](OpBuilder &b, Location l, int64_t d, Value i) -> Value {
          std::optional<int64_t> dim = getConstantIntValue(inSizes[d]);
          if (dim == 1)
            return constIndex(b, l, 0);
          if (dim)
            return *dim > 1 ? (Value)arith::RemUIOp::create(
                                  b, l, i, constIndex(b, l, *dim))
                            : i;
          Value n = arith::MaxUIOp::create(b, l, cast<Value>(inSizes[d]),
                                           constIndex(b, l, 1));
          return arith::RemUIOp::create(b, l, i, n);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Pads from input values (issue 15), every mode. ONNX Pad gives output
/// dim o_k = d_k + b_k + e_k (b_k, e_k: begin and end pads, negative ones
/// crop); output element i_k comes from input coordinate s_k = i_k - b_k.
/// The graph stage gives b_k as `aicc.value_params` `begin` and o_k as the
/// result dims, so e_k = o_k - d_k - b_k. Per mode, with the kernel's index
/// arithmetic on those push constants:
///  - constant: the input element where 0 <= s_k < d_k for every k, else
///    the pad value (`constant_value`, read as a rank-0 kernel input, or 0);
///  - edge: s_k clamped to [0, d_k - 1] (a crop on one side never clamps
///    on that side, so cropping needs nothing else);
///  - wrap and reflect: like the static lowering and ONNX Runtime, negative
///    pads crop first: the cropped dim starts at c_k = max(-b_k, 0) and has
///    n_k = d_k - c_k - max(-e_k, 0) elements, the coordinate in it is
///    t_k = i_k - max(b_k, 0), and the source is c_k + (t_k mod n_k) (wrap)
///    or c_k + the mirror of t_k with period 2(n_k - 1), the edge not
///    repeated (reflect; 0 when n_k = 1).
/// Divisors are kept >= 1 (a zero-size dim has no iteration; the kernel's
/// zero-divisor check must not see a 0).
/// With constant pads (`constantBegin`: b_k per input dim) the same gather
/// serves inputs with dynamic dims.
LogicalResult
lowerValueDependentPad(graph::PadOp op, PatternRewriter &rewriter,
                       std::optional<ArrayRef<int64_t>> constantBegin) {
  FailureOr<int64_t> knownRank =
      knownSameRank(op, op.getData(), op.getOutput(), rewriter);
  if (failed(knownRank))
    return failure();
  int64_t rank = *knownRank;
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  StringRef mode = op.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return rewriter.notifyMatchFailure(
        op, "mode='" + mode + "' is not supported (constant, reflect, edge, "
                              "wrap)");
  Location loc = op.getLoc();
  FailureOr<SmallVector<Value>> begin = SmallVector<Value>();
  if (constantBegin) {
    for (int64_t b : *constantBegin)
      begin->push_back(constIndex(rewriter, loc, b));
  } else {
    begin = valueParamsPerDim(op, "begin", rank, rewriter);
    if (failed(begin))
      return failure();
  }
  Type elementType = outType.getElementType();
  SmallVector<LoopOperand> inputs;
  if (Value cv = op.getConstantValue(); cv && mode == "constant") {
    auto cvType = getStaticType(cv);
    if (!cvType || cvType.getNumElements() != 1)
      return rewriter.notifyMatchFailure(op, "pad value is not a scalar");
    inputs.push_back({reshapeTo(rewriter, loc, cv, {}),
                      AffineMap::get(rank, 0, rewriter.getContext())});
  }
  SmallVector<OpFoldResult> inSizes = *getKnownDimSizes(op.getData());
  SmallVector<OpFoldResult> outSizes = *getKnownDimSizes(op.getOutput());
  Value data = op.getData();
  Value result = buildParallelSized(
      rewriter, loc, inputs, outSizes, elementType,
      [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        Value zero = constIndex(b, l, 0), one = constIndex(b, l, 1);
        auto sub = [&](Value x, Value y) -> Value {
          return arith::SubIOp::create(b, l, x, y);
        };
        auto add = [&](Value x, Value y) -> Value {
          return arith::AddIOp::create(b, l, x, y);
        };
        auto smax = [&](Value x, Value y) -> Value {
          return arith::MaxSIOp::create(b, l, x, y);
        };
        auto smin = [&](Value x, Value y) -> Value {
          return arith::MinSIOp::create(b, l, x, y);
        };
        // x mod n in [0, n) for any sign of x (n >= 1).
        auto mod = [&](Value x, Value n) -> Value {
          return arith::RemSIOp::create(
              b, l, add(arith::RemSIOp::create(b, l, x, n), n), n);
        };
        Value inside = constInt(b, l, b.getI1Type(), 1);
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d) {
          Value i = linalg::IndexOp::create(b, l, d);
          Value pad = (*begin)[d];
          // A dim that is neither padded nor cropped.
          if (getConstantIntValue(pad) == 0 && inSizes[d] == outSizes[d]) {
            indices.push_back(i);
            continue;
          }
          Value n = indexValue(b, l, inSizes[d]);
          Value last = sub(n, one);
          Value s = sub(i, pad);
          if (mode == "constant") {
            Value geZero =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, s, zero);
            Value ltDim =
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, s, n);
            inside = arith::AndIOp::create(
                b, l, inside, arith::AndIOp::create(b, l, geZero, ltDim));
            // Clamped so that the read the select discards stays inside.
            indices.push_back(smax(smin(s, last), zero));
            continue;
          }
          if (mode == "edge") {
            indices.push_back(smax(smin(s, last), zero));
            continue;
          }
          Value o = indexValue(b, l, outSizes[d]);
          Value end = sub(sub(o, n), pad);
          Value cropBegin = smax(sub(zero, pad), zero);
          Value cropEnd = smax(sub(zero, end), zero);
          Value size = sub(sub(n, cropBegin), cropEnd);
          Value t = sub(i, smax(pad, zero));
          Value source;
          if (mode == "wrap") {
            source = mod(t, smax(size, one));
          } else {
            Value period = arith::MulIOp::create(
                b, l, constIndex(b, l, 2), sub(size, one));
            Value m = mod(t, smax(period, one));
            Value reflected = sub(period, m);
            Value inFirstHalf = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::sle, m, sub(size, one));
            Value mirrored =
                arith::SelectOp::create(b, l, inFirstHalf, m, reflected);
            // n_k = 1: every coordinate reads the one element.
            Value single = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::sle, size, one);
            source = arith::SelectOp::create(b, l, single, zero, mirrored);
          }
          indices.push_back(add(cropBegin, source));
        }
        Value v = tensor::ExtractOp::create(b, l, data, indices);
        if (mode != "constant")
          return v;
        v = toSignlessScalar(b, l, v);
        Value padValue =
            a.empty() ? constScalar(b, l, toSignless(elementType), 0.0) : a[0];
        return arith::SelectOp::create(b, l, inside, v, padValue);
      });
  rewriter.replaceOp(op, result);
  return success();
}

/// Pad with constant pads: constant mode is tensor.pad (negative pads crop
/// first) where the pad value is a constant of the element type; the other
/// modes (and constant mode otherwise), like every mode with dynamic dims,
/// are the gather of lowerValueDependentPad with the constant begin pads.
struct PadPattern : LoweringPattern<graph::PadOp> {
  using LoweringPattern::LoweringPattern;

  /// The begin (`low`) and end (`high`) pads per input dim of a Pad whose
  /// `pads` and `axes` are constants.
  static LogicalResult readConstantPads(graph::PadOp op, int64_t rank,
                                        PatternRewriter &rewriter,
                                        SmallVector<int64_t> &low,
                                        SmallVector<int64_t> &high) {
    auto pads = constantInts(op.getPads());
    if (!pads)
      return rewriter.notifyMatchFailure(op, "pads must be a constant");
    SmallVector<int64_t> axes;
    if (op.getAxes()) {
      auto values = constantInts(op.getAxes());
      if (!values)
        return rewriter.notifyMatchFailure(op, "axes must be a constant");
      for (int64_t a : *values) {
        auto n = normalizeAxis(a, rank);
        if (!n)
          return rewriter.notifyMatchFailure(op, "an axis is out of range");
        axes.push_back(*n);
      }
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
    if (pads->size() != 2 * axes.size())
      return rewriter.notifyMatchFailure(
          op, "pads must have two values per padded axis");
    low.assign(rank, 0);
    high.assign(rank, 0);
    for (size_t i = 0; i < axes.size(); ++i) {
      low[axes[i]] = (*pads)[i];
      high[axes[i]] = (*pads)[i + axes.size()];
    }
    return success();
  }

  LogicalResult lower(graph::PadOp op,
                      PatternRewriter &rewriter) const override {
    if (isValueDependent(op))
      return lowerValueDependentPad(op, rewriter, std::nullopt);
    if (DynamicDims::current() && hasDynamicDims(op)) {
      auto type = dyn_cast<RankedTensorType>(op.getData().getType());
      if (!type)
        return rewriter.notifyMatchFailure(op, "needs a ranked input");
      SmallVector<int64_t> low, high;
      if (failed(readConstantPads(op, type.getRank(), rewriter, low, high)))
        return failure();
      return lowerValueDependentPad(op, rewriter, ArrayRef<int64_t>(low));
    }
    auto inType = getStaticType(op.getData());
    auto outType = getStaticType(op.getOutput());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = inType.getRank();
    SmallVector<int64_t> low, high;
    if (failed(readConstantPads(op, rank, rewriter, low, high)))
      return failure();
    StringRef mode = op.getMode();
    Location loc = op.getLoc();
    Value data = op.getData();
    // Negative pads crop.
    SmallVector<int64_t> offsets(rank, 0), sizes(inType.getShape()),
        ones(rank, 1), begin(low);
    bool crop = false;
    for (int64_t i = 0; i < rank; ++i) {
      if (low[i] < 0) {
        offsets[i] = -low[i];
        sizes[i] += low[i];
        low[i] = 0;
        crop = true;
      }
      if (high[i] < 0) {
        sizes[i] += high[i];
        high[i] = 0;
        crop = true;
      }
      if (sizes[i] < 0)
        return rewriter.notifyMatchFailure(
            op, "negative pads crop more than the whole dim");
    }
    Type elementType = outType.getElementType();
    Value cv = op.getConstantValue();
    std::optional<SmallVector<double>> cvValues;
    if (cv)
      cvValues = constantFloats(cv);
    // tensor.pad needs a constant pad value of the element type (arith
    // cannot make `ui*` constants); otherwise, and in the other modes, the
    // gather of lowerValueDependentPad (which crops by itself) with these
    // constant begin pads.
    if (mode == "constant" && !isUnsignedInt(elementType) &&
        (!cv || (cvValues && cvValues->size() == 1))) {
      if (crop)
        data = extractSlice(rewriter, loc, data, offsets, sizes, ones);
      Value padValue = constScalar(rewriter, loc, elementType,
                                   cv ? (*cvValues)[0] : 0.0);
      rewriter.replaceOp(op, padWith(rewriter, loc, data, low, high, padValue));
      return success();
    }
    return lowerValueDependentPad(op, rewriter, ArrayRef<int64_t>(begin));
  }
};

/// Trilu: keep j - i >= k (upper) or j - i <= k (lower), zero elsewhere, on
/// the last two dims.
struct TriluPattern : LoweringPattern<graph::TriluOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::TriluOp op,
                      PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getInput());
    if (!type || type.getRank() < 2 || !getStaticType(op.getOutput()))
      return rewriter.notifyMatchFailure(
          op, "needs static shapes and an input of rank 2 or more");
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    bool upper = op.getUpper() != 0;
    Value x = op.getInput();
    Type elementType = type.getElementType();
    SmallVector<LoopOperand> inputs = {
        {x, rewriter.getMultiDimIdentityMap(rank)}};
    if (op.getK()) {
      auto kType = getStaticType(op.getK());
      if (!kType)
        return rewriter.notifyMatchFailure(op, "k needs a static shape");
      Value k = reshapeTo(rewriter, loc, op.getK(), {});
      inputs.push_back({k, AffineMap::get(rank, 0, {}, rewriter.getContext())});
    }
    Value result = buildParallel(
        rewriter, loc, inputs, type.getShape(), elementType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, rank - 2));
          Value j = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, rank - 1));
          Value k = a.size() > 1 ? a[1] : constInt(b, l, b.getI64Type(), 0);
          Value diff = arith::SubIOp::create(b, l, j, i);
          Value keep = arith::CmpIOp::create(
              b, l, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
              diff, k);
          return arith::SelectOp::create(
              b, l, keep, a[0], constScalar(b, l, a[0].getType(), 0.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// DepthToSpace / SpaceToDepth: reshape, transpose, reshape.
template <typename OpTy, bool ToSpace>
struct BlockRearrangePattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    auto inType = getStaticType(op.getInput());
    auto outType = getStaticType(op.getOutput());
    if (!inType || !outType || inType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "needs static 4-D tensors");
    int64_t bs = op.getBlocksize();
    int64_t n = inType.getDimSize(0), c = inType.getDimSize(1),
            h = inType.getDimSize(2), w = inType.getDimSize(3);
    SmallVector<int64_t> splitShape, perm;
    if (ToSpace) {
      if (bs <= 0 || c % (bs * bs) != 0)
        return rewriter.notifyMatchFailure(
            op, "blocksize must be positive and divide the channels by "
                "blocksize^2");
      bool crd = op.getMode() == "CRD";
      if (crd) {
        splitShape = {n, c / (bs * bs), bs, bs, h, w};
        perm = {0, 1, 4, 2, 5, 3};
      } else {
        splitShape = {n, bs, bs, c / (bs * bs), h, w};
        perm = {0, 3, 4, 1, 5, 2};
      }
    } else {
      if (bs <= 0 || h % bs != 0 || w % bs != 0)
        return rewriter.notifyMatchFailure(
            op,
            "blocksize must be positive and divide the height and the width");
      splitShape = {n, c, h / bs, bs, w / bs, bs};
      if (op.getMode() == "CRD")
        perm = {0, 1, 3, 5, 2, 4};
      else
        perm = {0, 3, 5, 1, 2, 4};
    }
    Location loc = op.getLoc();
    Value split = reshapeTo(rewriter, loc, op.getInput(), splitShape);
    SmallVector<int64_t> permuted;
    for (int64_t p : perm)
      permuted.push_back(splitShape[p]);
    Value init = createEmpty(rewriter, loc, permuted, inType.getElementType());
    Value transposed =
        linalg::TransposeOp::create(rewriter, loc, split, init, perm).getResult()[0];
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, transposed, outType.getShape()));
    return success();
  }
};

/// Range: out[i] = start + i * delta.
struct RangePattern : LoweringPattern<graph::RangeOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::RangeOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotKnownIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    Location loc = op.getLoc();
    Type elementType = outType.getElementType();
    Value start = reshapeTo(rewriter, loc, op.getStart(), {});
    Value delta = reshapeTo(rewriter, loc, op.getDelta(), {});
    AffineMap scalarMap = AffineMap::get(1, 0, {}, rewriter.getContext());
    Value result = buildParallelSized(
        rewriter, loc, {{start, scalarMap}, {delta, scalarMap}},
        *getKnownDimSizes(op.getOutput()), elementType,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = arith::IndexCastOp::create(b, l, b.getI64Type(),
                                               linalg::IndexOp::create(b, l, 0));
          Value iv = convertScalar(b, l, i, a[0].getType(), false, false);
          return scalarAdd(b, l, a[0], scalarMul(b, l, iv, a[1]));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// CumSum/CumProd: out[.., i, ..] = sum (product) over j <= i (j < i
/// exclusive; reversed: j >= i) of x[.., j, ..], as a reduction over a second
/// loop along the axis.
template <typename OpTy, bool IsProd>
struct CumulativePattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    auto type = getStaticType(op.getX());
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto axisValues = constantInts(op.getAxis());
    if (!axisValues)
      return lowerRuntimeAxis(op, type, rewriter);
    if (axisValues->size() != 1)
      return rewriter.notifyMatchFailure(op, "axis must hold a single value");
    auto axis = normalizeAxis((*axisValues)[0], type.getRank());
    if (!axis)
      return rewriter.notifyMatchFailure(op, "axis is out of range");
    Location loc = op.getLoc();
    bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
    Value x = op.getX();
    Type elementType = type.getElementType();
    int64_t rank = type.getRank();
    SmallVector<int64_t> loopShape(type.getShape());
    loopShape.push_back(type.getDimSize(*axis));
    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> inExprs, outExprs;
    for (int64_t i = 0; i < rank; ++i) {
      inExprs.push_back(getAffineDimExpr(i == *axis ? rank : i, ctx));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value init = createFilled(
        rewriter, loc, type.getShape(),
        constScalar(rewriter, loc, toSignless(elementType), IsProd ? 1.0 : 0.0),
        elementType);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
        SmallVector<AffineMap>{AffineMap::get(rank + 1, 0, inExprs, ctx),
                               AffineMap::get(rank + 1, 0, outExprs, ctx)},
        iterators, [&](OpBuilder &b, Location l, ValueRange blockArgs) {
          SmallVector<Value> a = toSignlessScalars(b, l, blockArgs);
          Value i = linalg::IndexOp::create(b, l, *axis);
          Value j = linalg::IndexOp::create(b, l, rank);
          arith::CmpIPredicate pred =
              reverse ? (exclusive ? arith::CmpIPredicate::sgt
                                   : arith::CmpIPredicate::sge)
                      : (exclusive ? arith::CmpIPredicate::slt
                                   : arith::CmpIPredicate::sle);
          Value take = arith::CmpIOp::create(b, l, pred, j, i);
          Value sum = IsProd ? scalarMul(b, l, a[1], a[0])
                            : scalarAdd(b, l, a[1], a[0]);
          Value r = arith::SelectOp::create(b, l, take, sum, a[1]);
          linalg::YieldOp::create(b, l, fromSignlessScalar(b, l, r, elementType));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

  /// An axis known only at run time: one more loop j over the largest dim;
  /// each dim d reads j where d is the axis and its own index elsewhere,
  /// and j counts while it is inside the axis and before (after) the
  /// output position.
  LogicalResult lowerRuntimeAxis(OpTy op, RankedTensorType type,
                                 PatternRewriter &rewriter) const {
    auto axisType = getStaticType(op.getAxis());
    if (!axisType || axisType.getNumElements() != 1 || type.getRank() == 0)
      return rewriter.notifyMatchFailure(
          op, "needs a static one-element axis and an input of rank 1 or more");
    Location loc = op.getLoc();
    bool exclusive = op.getExclusive() != 0, reverse = op.getReverse() != 0;
    Value x = op.getX();
    Type elementType = type.getElementType();
    ArrayRef<int64_t> shape = type.getShape();
    int64_t rank = type.getRank();
    int64_t maxDim = *llvm::max_element(shape);
    SmallVector<int64_t> loopShape(shape);
    loopShape.push_back(maxDim);
    MLIRContext *ctx = rewriter.getContext();
    Value axisScalar = reshapeTo(rewriter, loc, op.getAxis(), {});
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value init = createFilled(
        rewriter, loc, shape,
        constScalar(rewriter, loc, toSignless(elementType), IsProd ? 1.0 : 0.0),
        elementType);
    // x read with j in place of its largest dim gives the j loop its bound
    // (the value is not used).
    int64_t widest = llvm::max_element(shape) - shape.begin();
    SmallVector<AffineExpr> boundExprs(outExprs);
    boundExprs[widest] = getAffineDimExpr(rank, ctx);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{axisScalar, x},
        ValueRange{init},
        SmallVector<AffineMap>{AffineMap::get(rank + 1, 0, ctx),
                               AffineMap::get(rank + 1, 0, boundExprs, ctx),
                               AffineMap::get(rank + 1, 0, outExprs, ctx)},
        iterators, [&](OpBuilder &b, Location l, ValueRange blockArgs) {
          SmallVector<Value> a = toSignlessScalars(b, l, blockArgs);
          Value axis = toIndex(b, l, a[0]);
          Value isNeg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                              axis, constIndex(b, l, 0));
          axis = arith::SelectOp::create(
              b, l, isNeg,
              arith::AddIOp::create(b, l, axis, constIndex(b, l, rank)), axis);
          Value j = linalg::IndexOp::create(b, l, rank);
          Value pos = constIndex(b, l, 0), size = constIndex(b, l, 0);
          SmallVector<Value> idx;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            Value isAxis = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::eq, axis, constIndex(b, l, d));
            pos = arith::SelectOp::create(b, l, isAxis, i, pos);
            size = arith::SelectOp::create(b, l, isAxis,
                                           constIndex(b, l, shape[d]), size);
            Value jc = arith::MinSIOp::create(b, l, j,
                                              constIndex(b, l, shape[d] - 1));
            idx.push_back(arith::SelectOp::create(b, l, isAxis, jc, i));
          }
          arith::CmpIPredicate pred =
              reverse ? (exclusive ? arith::CmpIPredicate::sgt
                                   : arith::CmpIPredicate::sge)
                      : (exclusive ? arith::CmpIPredicate::slt
                                   : arith::CmpIPredicate::sle);
          Value take = arith::AndIOp::create(
              b, l, arith::CmpIOp::create(b, l, pred, j, pos),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j, size));
          Value v = toSignlessScalar(b, l, tensor::ExtractOp::create(b, l, x, idx));
          Value sum = IsProd ? scalarMul(b, l, a[2], v) : scalarAdd(b, l, a[2], v);
          Value r = arith::SelectOp::create(b, l, take, sum, a[2]);
          linalg::YieldOp::create(b, l, fromSignlessScalar(b, l, r, elementType));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// ConstantOfShape: a linalg.fill.
struct ConstantOfShapePattern : LoweringPattern<graph::ConstantOfShapeOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ConstantOfShapeOp op,
                      PatternRewriter &rewriter) const override {
    bool dynamic = DynamicDims::current() && hasDynamicDims(op);
    auto outType = dynamic
                       ? dyn_cast<RankedTensorType>(op.getOutput().getType())
                       : getStaticType(op.getOutput());
    if (dynamic && outType && !hasKnownDims(op.getOutput()))
      return rewriter.notifyMatchFailure(op, whyUnknownDims(op));
    if (!outType || !outType.getElementType().isIntOrFloat())
      return rewriter.notifyMatchFailure(
          op, "needs a static output of int or float elements");
    Type elementType = toSignless(outType.getElementType());
    double value = 0.0;
    if (auto attr = op.getValue()) {
      auto dense = dyn_cast<DenseElementsAttr>(*attr);
      if (!dense || dense.getNumElements() != 1)
        return rewriter.notifyMatchFailure(
            op, "value must be a one-element tensor");
      if (auto f = dyn_cast<DenseFPElementsAttr>(dense))
        value = (*f.value_begin<APFloat>()).convertToDouble();
      else if (auto i = dyn_cast<DenseIntElementsAttr>(dense))
        value = isUnsignedInt(dense.getElementType())
                    ? double((*i.value_begin<APInt>()).getZExtValue())
                    : double((*i.value_begin<APInt>()).getSExtValue());
      else
        return rewriter.notifyMatchFailure(
            op, "value must be a float or int tensor");
    }
    Location loc = op.getLoc();
    Value filled = createFilledSized(rewriter, loc,
                                     *getKnownDimSizes(op.getOutput()),
                                constScalar(rewriter, loc, elementType, value),
                                outType.getElementType());
    rewriter.replaceOp(op, filled);
    return success();
  }
};

/// Shape and Size of static tensors are constants (graph.constant, the one
/// constant kind of the pipeline).
struct ShapePattern : LoweringPattern<graph::ShapeOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::ShapeOp op,
                      PatternRewriter &rewriter) const override {
    auto inType = getStaticType(op.getData());
    auto outType = getStaticType(op.getShape());
    if (!inType || !outType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    int64_t rank = inType.getRank();
    int64_t start = op.getStart();
    int64_t end = op.getEnd() ? static_cast<int64_t>(*op.getEnd()) : rank;
    if (start < 0)
      start += rank;
    if (end < 0)
      end += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    end = std::clamp<int64_t>(end, 0, rank);
    SmallVector<int64_t> dims;
    for (int64_t i = start; i < end; ++i)
      dims.push_back(inType.getDimSize(i));
    if (static_cast<int64_t>(dims.size()) != outType.getNumElements())
      return rewriter.notifyMatchFailure(
          op, "the output length does not match start and end");
    auto attr = DenseIntElementsAttr::get(outType, dims);
    rewriter.replaceOpWithNewOp<graph::ConstantOp>(op, attr);
    return success();
  }
};

struct SizePattern : LoweringPattern<graph::SizeOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::SizeOp op,
                      PatternRewriter &rewriter) const override {
    auto inType = getStaticType(op.getData());
    auto outType = getStaticType(op.getSize());
    if (!inType || !outType || outType.getNumElements() != 1)
      return rewriter.notifyMatchFailure(
          op, "needs static shapes and a one-element output");
    auto attr = DenseIntElementsAttr::get(
        outType, ArrayRef<int64_t>{inType.getNumElements()});
    rewriter.replaceOpWithNewOp<graph::ConstantOp>(op, attr);
    return success();
  }
};

} // namespace

void populateDataMovementPatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReshapeLikePattern<graph::ReshapeOp>,
               ReshapeLikePattern<graph::FlattenOp>,
               ReshapeLikePattern<graph::SqueezeOp>,
               ReshapeLikePattern<graph::UnsqueezeOp>, TransposePattern,
               ConcatPattern, SlicePattern, SplitPattern, GatherPattern,
               GatherElementsPattern, ExpandPattern, TilePattern, PadPattern,
               TriluPattern, BlockRearrangePattern<graph::DepthToSpaceOp, true>,
               BlockRearrangePattern<graph::SpaceToDepthOp, false>,
               RangePattern, CumulativePattern<graph::CumSumOp, false>,
               CumulativePattern<graph::CumProdOp, true>,
               ConstantOfShapePattern, ShapePattern, SizePattern>(ctx);
}

} // namespace aicc::lowering
