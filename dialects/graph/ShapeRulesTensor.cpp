//===- ShapeRulesTensor.cpp - Result types of tensor graph ops -----------===//
//
// Result-type inference for data-movement, shape, reduction, matmul,
// type-conversion, quantization and random ops. NN ops are in one file per
// family (ShapeRulesConv.cpp, ShapeRulesPooling.cpp, ...; see
// ShapeRulesNNHelpers.h).
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace aicc::graph {

namespace {
using Shape = SmallVector<int64_t>;
using Types = SmallVectorImpl<Type>;
constexpr int64_t kDyn = ShapedType::kDynamic;

Type i64(MLIRContext *ctx) { return IntegerType::get(ctx, 64); }

/// Pushes a tensor type: ranked with `shape`, or unranked.
LogicalResult push(Types &types, std::optional<Shape> shape, Type elem) {
  types.push_back(makeTensorType(
      shape ? std::optional<ArrayRef<int64_t>>(*shape) : std::nullopt, elem));
  return success();
}

Shape dynamicShape(int64_t rank) { return Shape(rank, kDyn); }

/// Element type named by an ONNX dtype attribute, or an error.
FailureOr<Type> dtypeAttr(MLIRContext *ctx, Loc loc, int64_t code,
                          StringRef what = "dtype") {
  Type t = onnxDataTypeToType(ctx, code);
  if (!t) {
    (void)emitOptionalError(loc, what, " ", code,
                            " is not a supported ONNX tensor element type");
    return failure();
  }
  return t;
}

/// `fallback`, or the type an optional ONNX dtype attribute names.
FailureOr<Type> dtypeOr(MLIRContext *ctx, Loc loc, Type fallback,
                        std::optional<int64_t> dtype,
                        StringRef what = "dtype") {
  if (!dtype)
    return fallback;
  return dtypeAttr(ctx, loc, *dtype, what);
}

/// The common rule of Reduce* ops: axes from the optional operand.
LogicalResult inferReduce(Loc loc, Value data, Value axesValue,
                          int64_t keepdims, int64_t noopWithEmptyAxes,
                          Types &types) {
  Type elem = getElementType(data);
  auto shape = getShape(data);
  if (!shape)
    return push(types, std::nullopt, elem);
  int64_t rank = shape->size();
  std::optional<Shape> axes;
  if (!axesValue) {
    axes = Shape();
  } else {
    axes = getConstantInts(axesValue);
    if (!axes) {
      // Unknown axes: the rank is known only when dims are kept.
      if (keepdims)
        return push(types, dynamicShape(rank), elem);
      return push(types, std::nullopt, elem);
    }
  }
  if (axes->empty()) {
    if (noopWithEmptyAxes)
      return push(types, *shape, elem);
    for (int64_t i = 0; i < rank; ++i)
      axes->push_back(i);
  }
  llvm::SmallBitVector reduced(rank);
  for (int64_t a : *axes) {
    auto axis = normalizeAxis(loc, a, rank, "reduction axis");
    if (failed(axis))
      return failure();
    reduced.set(*axis);
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced.test(i))
      out.push_back((*shape)[i]);
    else if (keepdims)
      out.push_back(1);
  }
  return push(types, out, elem);
}

LogicalResult inferArgReduce(MLIRContext *ctx, Loc loc, Value data,
                             int64_t axis, int64_t keepdims, Types &types) {
  auto shape = getShape(data);
  if (!shape)
    return push(types, std::nullopt, i64(ctx));
  auto a = normalizeAxis(loc, axis, shape->size());
  if (failed(a))
    return failure();
  Shape out = *shape;
  if (keepdims)
    out[*a] = 1;
  else
    out.erase(out.begin() + *a);
  return push(types, out, i64(ctx));
}

/// Shape given by a 1-D integer operand (Expand, ConstantOfShape, ...):
/// the values if constant, else a ranked shape of unknown dims when the
/// operand's length is static.
std::optional<Shape> shapeFromOperand(Value v) {
  if (auto c = getConstantInts(v))
    return *c;
  auto s = getShape(v);
  if (s && s->size() == 1 && !ShapedType::isDynamic((*s)[0]))
    return dynamicShape((*s)[0]);
  return std::nullopt;
}


/// Output element type of QuantizeLinear-like ops: zero point's type, else
/// output_dtype, else uint8.
FailureOr<Type> quantizedType(MLIRContext *ctx, Loc loc, Value zeroPoint,
                              int64_t outputDtype) {
  if (zeroPoint)
    return getElementType(zeroPoint);
  if (outputDtype)
    return dtypeAttr(ctx, loc, outputDtype, "output_dtype");
  return Type(IntegerType::get(ctx, 8, IntegerType::Unsigned));
}
} // namespace

FailureOr<llvm::SmallVector<int64_t>>
matmulShape(Loc loc, llvm::SmallVector<int64_t> a,
            llvm::SmallVector<int64_t> b, llvm::StringRef op) {
  if (a.empty() || b.empty()) {
    (void)emitOptionalError(loc, op, " operands must have rank >= 1");
    return failure();
  }
  bool vecA = a.size() == 1, vecB = b.size() == 1;
  if (vecA)
    a.insert(a.begin(), 1);
  if (vecB)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2) {
    (void)emitOptionalError(loc, op, " contraction dims differ: ", k1, " vs ",
                            k2);
    return failure();
  }
  Shape batchA(a.begin(), a.end() - 2), batchB(b.begin(), b.end() - 2);
  auto batch = broadcastShapes(loc, {batchA, batchB});
  if (failed(batch))
    return failure();
  Shape out = *batch;
  if (!vecA)
    out.push_back(a[a.size() - 2]);
  if (!vecB)
    out.push_back(b.back());
  return out;
}

#define REDUCE_RULE(OP)                                                        \
  LogicalResult OP::inferReturnTypes(MLIRContext *, Loc loc,                   \
                                     OP::Adaptor adaptor, Types &types) {      \
    return inferReduce(loc, adaptor.getData(), adaptor.getAxes(),              \
                       adaptor.getKeepdims(), adaptor.getNoopWithEmptyAxes(),  \
                       types);                                                 \
  }
REDUCE_RULE(ReduceL1Op)
REDUCE_RULE(ReduceL2Op)
REDUCE_RULE(ReduceLogSumOp)
REDUCE_RULE(ReduceLogSumExpOp)
REDUCE_RULE(ReduceMaxOp)
REDUCE_RULE(ReduceMeanOp)
REDUCE_RULE(ReduceMinOp)
REDUCE_RULE(ReduceProdOp)
REDUCE_RULE(ReduceSumOp)
REDUCE_RULE(ReduceSumSquareOp)
#undef REDUCE_RULE

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                         Adaptor adaptor, Types &types) {
  return inferArgReduce(ctx, loc, adaptor.getData(), adaptor.getAxis(),
                        adaptor.getKeepdims(), types);
}

LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                         Adaptor adaptor, Types &types) {
  return inferArgReduce(ctx, loc, adaptor.getData(), adaptor.getAxis(),
                        adaptor.getKeepdims(), types);
}

LogicalResult CastOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                       Adaptor adaptor, Types &types) {
  auto elem = dtypeAttr(ctx, loc, adaptor.getTo(), "'to'");
  if (failed(elem))
    return failure();
  return push(types, getShape(adaptor.getInput()), *elem);
}

LogicalResult CastLikeOp::inferReturnTypes(MLIRContext *, Loc,
                                           Adaptor adaptor, Types &types) {
  return push(types, getShape(adaptor.getInput()),
              getElementType(adaptor.getTargetType()));
}

LogicalResult BitCastOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                          Adaptor adaptor, Types &types) {
  auto elem = dtypeAttr(ctx, loc, adaptor.getTo(), "'to'");
  if (failed(elem))
    return failure();
  Type in = getElementType(adaptor.getInput());
  auto shape = getShape(adaptor.getInput());
  // ONNX stores bool in one byte.
  auto storageBits = [](Type t) {
    return t.isInteger(1) ? 8u : t.getIntOrFloatBitWidth();
  };
  unsigned inBits = storageBits(in), outBits = storageBits(*elem);
  if (shape && inBits != outBits) {
    if (inBits > outBits) {
      shape->push_back(inBits / outBits);
    } else if (!shape->empty() &&
               shape->back() * (int64_t)inBits == (int64_t)outBits) {
      shape->pop_back();
    } else {
      return emitOptionalError(loc, "BitCast from ", inBits, " to ", outBits,
                               " bits needs a last dim of ",
                               outBits / inBits);
    }
  }
  return push(types, shape, *elem);
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor, Types &types) {
  auto inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "Concat needs at least one input");
  Type elem = getElementType(inputs[0]);
  std::optional<Shape> out;
  for (Value v : inputs) {
    auto s = getShape(v);
    if (!s)
      return push(types, std::nullopt, elem);
    if (!out) {
      out = *s;
      if (out->empty())
        return emitOptionalError(loc, "Concat inputs must have rank >= 1");
      continue;
    }
    if (s->size() != out->size())
      return emitOptionalError(loc, "Concat inputs have different ranks: ",
                               out->size(), " and ", s->size());
  }
  auto axis = normalizeAxis(loc, adaptor.getAxis(), out->size());
  if (failed(axis))
    return failure();
  (*out)[*axis] = 0;
  for (Value v : inputs) {
    Shape s = *getShape(v);
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t &o = (*out)[i];
      if ((int64_t)i == *axis) {
        o = (ShapedType::isDynamic(o) || ShapedType::isDynamic(s[i]))
                ? kDyn
                : o + s[i];
      } else if (ShapedType::isDynamic(o)) {
        o = s[i];
      } else if (!ShapedType::isDynamic(s[i]) && s[i] != o) {
        return emitOptionalError(loc, "Concat inputs differ in dim ", i,
                                 " (", o, " vs ", s[i],
                                 ") outside the concat axis ", *axis);
      }
    }
  }
  return push(types, out, elem);
}

LogicalResult ConstantOfShapeOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                  Adaptor adaptor,
                                                  Types &types) {
  Type elem = Float32Type::get(ctx);
  if (auto value = adaptor.getValueAttr())
    elem = value.getElementType();
  std::optional<Shape> shape = shapeFromOperand(adaptor.getInput());
  if (shape)
    for (int64_t d : *shape)
      if (d < 0 && !ShapedType::isDynamic(d))
        return emitOptionalError(loc, "ConstantOfShape dims must be >= 0, "
                                      "got ",
                                 d);
  return push(types, shape, elem);
}

LogicalResult CompressOp::inferReturnTypes(MLIRContext *, Loc loc,
                                           Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getInput());
  auto shape = getShape(adaptor.getInput());
  auto cond = getConstantInts(adaptor.getCondition());
  int64_t kept = kDyn;
  if (cond)
    kept = llvm::count_if(*cond, [](int64_t c) { return c != 0; });
  if (!adaptor.getAxis())
    return push(types, Shape{kept}, elem);
  if (!shape)
    return push(types, std::nullopt, elem);
  auto axis = normalizeAxis(loc, *adaptor.getAxis(), shape->size());
  if (failed(axis))
    return failure();
  (*shape)[*axis] = kept;
  return push(types, shape, elem);
}

LogicalResult DequantizeLinearOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                   Adaptor adaptor,
                                                   Types &types) {
  // output_dtype 0 means "the scale's type".
  std::optional<int64_t> dtype;
  if (adaptor.getOutputDtype())
    dtype = adaptor.getOutputDtype();
  auto elem = dtypeOr(ctx, loc, getElementType(adaptor.getXScale()), dtype,
                      "output_dtype");
  if (failed(elem))
    return failure();
  return push(types, getShape(adaptor.getX()), *elem);
}

LogicalResult QuantizeLinearOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                 Adaptor adaptor,
                                                 Types &types) {
  auto elem = quantizedType(ctx, loc, adaptor.getYZeroPoint(),
                            adaptor.getOutputDtype());
  if (failed(elem))
    return failure();
  return push(types, getShape(adaptor.getX()), *elem);
}

LogicalResult DynamicQuantizeLinearOp::inferReturnTypes(MLIRContext *ctx, Loc,
                                                        Adaptor adaptor,
                                                        Types &types) {
  Type u8 = IntegerType::get(ctx, 8, IntegerType::Unsigned);
  (void)push(types, getShape(adaptor.getX()), u8);
  (void)push(types, Shape{}, Float32Type::get(ctx));
  return push(types, Shape{}, u8);
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getInput());
  auto in = graph::getShape(adaptor.getInput());
  auto target = shapeFromOperand(adaptor.getShape());
  if (!in || !target)
    return push(types, std::nullopt, elem);
  auto out = broadcastShapes(loc, {*in, *target});
  if (failed(out))
    return failure();
  return push(types, *out, elem);
}

LogicalResult EyeLikeOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                          Adaptor adaptor, Types &types) {
  auto elem = dtypeOr(ctx, loc, getElementType(adaptor.getInput()),
                      adaptor.getDtype());
  if (failed(elem))
    return failure();
  auto shape = getShape(adaptor.getInput());
  if (shape && shape->size() != 2)
    return emitOptionalError(loc, "EyeLike input must be 2-D, got rank ",
                             shape->size());
  return push(types, shape, *elem);
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *, Loc loc,
                                          Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getInput());
  auto shape = getShape(adaptor.getInput());
  if (!shape)
    return push(types, dynamicShape(2), elem);
  int64_t rank = shape->size(), axis = adaptor.getAxis();
  if (axis < -rank || axis > rank)
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             rank);
  if (axis < 0)
    axis += rank;
  auto product = [](ArrayRef<int64_t> dims) {
    int64_t n = numElements(dims);
    return n < 0 ? kDyn : n;
  };
  ArrayRef<int64_t> dims(*shape);
  return push(types, Shape{product(dims.take_front(axis)),
                           product(dims.drop_front(axis))},
              elem);
}

LogicalResult GatherOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getData());
  auto data = getShape(adaptor.getData());
  auto indices = getShape(adaptor.getIndices());
  if (!data || !indices)
    return push(types, std::nullopt, elem);
  if (data->empty())
    return emitOptionalError(loc, "Gather data must have rank >= 1");
  auto axis = normalizeAxis(loc, adaptor.getAxis(), data->size());
  if (failed(axis))
    return failure();
  int64_t dim = (*data)[*axis];
  if (auto values = getConstantInts(adaptor.getIndices());
      values && !ShapedType::isDynamic(dim))
    for (int64_t i : *values)
      if (i < -dim || i >= dim)
        return emitOptionalError(loc, "Gather index ", i,
                                 " is out of range for an axis of size ", dim);
  Shape out(data->begin(), data->begin() + *axis);
  out.append(*indices);
  out.append(data->begin() + *axis + 1, data->end());
  return push(types, out, elem);
}

LogicalResult GatherElementsOp::inferReturnTypes(MLIRContext *, Loc loc,
                                                 Adaptor adaptor,
                                                 Types &types) {
  auto data = getShape(adaptor.getData());
  auto indices = getShape(adaptor.getIndices());
  if (data && indices && data->size() != indices->size())
    return emitOptionalError(loc, "GatherElements data and indices ranks "
                                  "differ: ",
                             data->size(), " vs ", indices->size());
  if (data && failed(normalizeAxis(loc, adaptor.getAxis(), data->size())))
    return failure();
  return push(types, indices, getElementType(adaptor.getData()));
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *, Loc loc,
                                           Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getData());
  auto data = getShape(adaptor.getData());
  auto indices = getShape(adaptor.getIndices());
  if (!data || !indices)
    return push(types, std::nullopt, elem);
  int64_t b = adaptor.getBatchDims();
  if (indices->empty())
    return emitOptionalError(loc, "GatherND indices must have rank >= 1");
  int64_t last = indices->back();
  if (ShapedType::isDynamic(last))
    return push(types, std::nullopt, elem);
  if (b < 0 || b >= (int64_t)std::min(data->size(), indices->size()) ||
      last < 1 || b + last > (int64_t)data->size())
    return emitOptionalError(loc, "GatherND batch_dims ", b,
                             " and index depth ", last,
                             " do not fit data rank ", data->size());
  Shape out(indices->begin(), indices->end() - 1);
  out.append(data->begin() + b + last, data->end());
  return push(types, out, elem);
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *, Loc loc,
                                       Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getA());
  auto a = getShape(adaptor.getA()), b = getShape(adaptor.getB());
  if (!a || !b)
    return push(types, dynamicShape(2), elem);
  if (a->size() != 2 || b->size() != 2)
    return emitOptionalError(loc, "Gemm operands must be 2-D, got ranks ",
                             a->size(), " and ", b->size());
  int64_t m = (*a)[adaptor.getTransA() ? 1 : 0];
  int64_t k1 = (*a)[adaptor.getTransA() ? 0 : 1];
  int64_t k2 = (*b)[adaptor.getTransB() ? 1 : 0];
  int64_t n = (*b)[adaptor.getTransB() ? 0 : 1];
  if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
    return emitOptionalError(loc, "Gemm contraction dims differ: ", k1, " vs ",
                             k2);
  if (Value c = adaptor.getC()) {
    if (auto cs = getShape(c))
      if (failed(broadcastShapes(loc, {*cs, Shape{m, n}})))
        return failure();
  }
  return push(types, Shape{m, n}, elem);
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getA());
  auto a = getShape(adaptor.getA()), b = getShape(adaptor.getB());
  if (!a || !b)
    return push(types, std::nullopt, elem);
  auto out = matmulShape(loc, *a, *b, "MatMul");
  if (failed(out))
    return failure();
  return push(types, *out, elem);
}

LogicalResult MatMulIntegerOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                Adaptor adaptor,
                                                Types &types) {
  Type elem = IntegerType::get(ctx, 32);
  auto a = getShape(adaptor.getA()), b = getShape(adaptor.getB());
  if (!a || !b)
    return push(types, std::nullopt, elem);
  auto out = matmulShape(loc, *a, *b, "MatMul");
  if (failed(out))
    return failure();
  return push(types, *out, elem);
}

LogicalResult QLinearMatMulOp::inferReturnTypes(MLIRContext *, Loc loc,
                                                Adaptor adaptor,
                                                Types &types) {
  Type elem = getElementType(adaptor.getYZeroPoint());
  auto a = getShape(adaptor.getA()), b = getShape(adaptor.getB());
  if (!a || !b)
    return push(types, std::nullopt, elem);
  auto out = matmulShape(loc, *a, *b, "MatMul");
  if (failed(out))
    return failure();
  return push(types, *out, elem);
}

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *ctx, Loc,
                                          Adaptor adaptor, Types &types) {
  auto shape = getShape(adaptor.getX());
  if (!shape)
    return push(types, dynamicShape(2), i64(ctx));
  int64_t count = kDyn;
  if (auto values = getConstantFloats(adaptor.getX()))
    count = llvm::count_if(*values, [](double v) { return v != 0; });
  return push(types, Shape{(int64_t)shape->size(), count}, i64(ctx));
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *, Loc loc,
                                         Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getValues());
  auto indices = getShape(adaptor.getIndices());
  if (!indices)
    return push(types, std::nullopt, elem);
  int64_t depth = kDyn;
  if (auto d = getConstantFloats(adaptor.getDepth())) {
    if (d->size() != 1 || (*d)[0] < 1)
      return emitOptionalError(loc, "OneHot depth must be one value >= 1");
    depth = (int64_t)(*d)[0];
  }
  int64_t rank = indices->size() + 1;
  int64_t axis = adaptor.getAxis();
  if (axis < -rank || axis >= rank)
    return emitOptionalError(loc, "axis ", axis, " is out of range for rank ",
                             rank);
  if (axis < 0)
    axis += rank;
  Shape out = *indices;
  out.insert(out.begin() + axis, depth);
  return push(types, out, elem);
}

LogicalResult RangeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                        Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getStart());
  auto start = getConstantFloats(adaptor.getStart());
  auto limit = getConstantFloats(adaptor.getLimit());
  auto delta = getConstantFloats(adaptor.getDelta());
  if (!start || !limit || !delta || start->size() != 1 ||
      limit->size() != 1 || delta->size() != 1)
    return push(types, Shape{kDyn}, elem);
  if ((*delta)[0] == 0)
    return emitOptionalError(loc, "Range delta must not be zero");
  double n = std::ceil(((*limit)[0] - (*start)[0]) / (*delta)[0]);
  return push(types, Shape{std::max<int64_t>(0, (int64_t)n)}, elem);
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                          Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getData());
  auto target = getConstantInts(adaptor.getShape());
  if (!target)
    return push(types, shapeFromOperand(adaptor.getShape()), elem);
  auto in = graph::getShape(adaptor.getData());
  Shape out;
  int64_t inferIndex = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == -1) {
      if (inferIndex >= 0)
        return emitOptionalError(loc, "Reshape shape has more than one -1");
      inferIndex = i;
      out.push_back(kDyn);
      continue;
    }
    if (d < -1)
      return emitOptionalError(loc, "Reshape shape has invalid dim ", d);
    if (d == 0 && !adaptor.getAllowzero()) {
      if (!in)
        out.push_back(kDyn);
      else if (i < in->size())
        out.push_back((*in)[i]);
      else
        return emitOptionalError(loc, "Reshape shape copies dim ", i,
                                 " (0) beyond the input rank ", in->size());
    } else {
      out.push_back(d);
    }
    if (ShapedType::isDynamic(out.back()))
      known = -1;
  }
  if (known >= 0) {
    std::optional<int64_t> product = checkedProduct(out);
    if (!product)
      return checkTensorSize(loc, makeTensorType(ArrayRef<int64_t>(out), elem),
                             "Reshape shape");
    known = *product;
  }
  int64_t total = in ? numElements(*in) : -1;
  if (inferIndex >= 0) {
    if (total >= 0 && known > 0) {
      if (total % known)
        return emitOptionalError(loc, "Reshape cannot infer -1: ", total,
                                 " elements are not divisible by ", known);
      out[inferIndex] = total / known;
    }
  } else if (total >= 0 && known >= 0 && total != known) {
    return emitOptionalError(loc, "Reshape from ", total, " to ", known,
                             " elements");
  }
  return push(types, out, elem);
}

LogicalResult ShapeOp::inferReturnTypes(MLIRContext *ctx, Loc,
                                        Adaptor adaptor, Types &types) {
  auto shape = graph::getShape(adaptor.getData());
  if (!shape)
    return push(types, Shape{kDyn}, i64(ctx));
  int64_t rank = shape->size();
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampIndex(adaptor.getStart());
  int64_t end = adaptor.getEnd() ? clampIndex(*adaptor.getEnd()) : rank;
  return push(types, Shape{std::max<int64_t>(0, end - start)}, i64(ctx));
}

LogicalResult SizeOp::inferReturnTypes(MLIRContext *ctx, Loc, Adaptor,
                                       Types &types) {
  return push(types, Shape{}, i64(ctx));
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *, Loc loc,
                                        Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getData());
  auto shape = getShape(adaptor.getData());
  if (!shape)
    return push(types, std::nullopt, elem);
  int64_t rank = shape->size();
  auto starts = getConstantInts(adaptor.getStarts());
  auto ends = getConstantInts(adaptor.getEnds());
  std::optional<Shape> axes, steps;
  if (Value a = adaptor.getAxes())
    axes = getConstantInts(a);
  if (Value s = adaptor.getSteps())
    steps = getConstantInts(s);
  bool axesKnown = !adaptor.getAxes() || axes;
  bool stepsKnown = !adaptor.getSteps() || steps;
  if (!starts || !ends || !axesKnown || !stepsKnown)
    return push(types, dynamicShape(rank), elem);
  if (starts->size() != ends->size())
    return emitOptionalError(loc, "Slice starts and ends differ in length: ",
                             starts->size(), " vs ", ends->size());
  if (!axes) {
    axes.emplace();
    for (size_t i = 0; i < starts->size(); ++i)
      axes->push_back(i);
  }
  if (!steps)
    steps = Shape(starts->size(), 1);
  if (axes->size() != starts->size() || steps->size() != starts->size())
    return emitOptionalError(loc, "Slice starts, ends, axes and steps must "
                                  "have the same length");
  Shape out = *shape;
  llvm::SmallBitVector seen(rank);
  for (size_t i = 0; i < starts->size(); ++i) {
    auto axis = normalizeAxis(loc, (*axes)[i], rank, "Slice axis");
    if (failed(axis))
      return failure();
    if (seen.test(*axis))
      return emitOptionalError(loc, "Slice axis ", *axis, " repeats");
    seen.set(*axis);
    int64_t step = (*steps)[i], dim = (*shape)[*axis];
    if (step == 0)
      return emitOptionalError(loc, "Slice step must not be zero");
    if (ShapedType::isDynamic(dim)) {
      out[*axis] = kDyn;
      continue;
    }
    auto clampTo = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += dim;
      return std::clamp(v, lo, hi);
    };
    int64_t start, end;
    if (step > 0) {
      start = clampTo((*starts)[i], 0, dim);
      end = clampTo((*ends)[i], 0, dim);
      // Counted without overflow for steps near INT64_MAX.
      out[*axis] = end > start ? (end - start - 1) / step + 1 : 0;
    } else {
      start = clampTo((*starts)[i], 0, dim - 1);
      end = clampTo((*ends)[i], -1, dim - 1);
      // An end below -dim means "through index 0".
      if ((*ends)[i] < -dim)
        end = -1;
      // -step overflows for INT64_MIN: divide by the step's magnitude as
      // an unsigned number.
      out[*axis] = start > end ? (int64_t)((uint64_t)(start - end - 1) /
                                           (0 - (uint64_t)step)) +
                                     1
                               : 0;
    }
  }
  return push(types, out, elem);
}

LogicalResult inferSplitResultTypes(Loc loc, Value input, Value split,
                                    int64_t axisAttr,
                                    std::optional<int64_t> numOutputs,
                                    unsigned numResults,
                                    SmallVectorImpl<Type> &types) {
  Type elem = getElementType(input);
  auto shape = getShape(input);
  if (!shape) {
    types.assign(numResults, makeTensorType(std::nullopt, elem));
    return success();
  }
  auto axis = normalizeAxis(loc, axisAttr, shape->size());
  if (failed(axis))
    return failure();
  int64_t dim = (*shape)[*axis];
  SmallVector<int64_t> sizes;
  if (split) {
    if (auto c = getConstantInts(split)) {
      sizes = *c;
      if (sizes.size() != numResults)
        return emitOptionalError(loc, "Split has ", numResults, " outputs but ",
                                 sizes.size(), " sizes");
    } else {
      sizes.assign(numResults, ShapedType::kDynamic);
    }
  } else {
    int64_t n = numOutputs ? *numOutputs : numResults;
    if (n <= 0 || n != (int64_t)numResults)
      return emitOptionalError(loc, "Split num_outputs ", n,
                               " does not match the node's ", numResults,
                               " outputs");
    if (ShapedType::isDynamic(dim)) {
      sizes.assign(n, ShapedType::kDynamic);
    } else {
      // Equal parts; the last one smaller when not divisible.
      int64_t part = (dim + n - 1) / n;
      for (int64_t i = 0; i < n; ++i)
        sizes.push_back(std::max<int64_t>(0, std::min(part, dim - i * part)));
    }
  }
  for (int64_t s : sizes) {
    Shape out = *shape;
    out[*axis] = s;
    types.push_back(RankedTensorType::get(out, elem));
  }
  return success();
}

LogicalResult SplitOp::verify() {
  auto shape = getShape(getInput());
  if (!shape)
    return success();
  auto axis = normalizeAxis(getLoc(), getAxis(), shape->size());
  if (failed(axis))
    return failure();
  int64_t dim = (*shape)[*axis];
  if (getOutputs().empty())
    return emitOpError("needs at least one result");
  if (ShapedType::isDynamic(dim))
    return success();
  int64_t sum = 0;
  for (Value r : getOutputs()) {
    auto rs = getShape(r);
    if (!rs)
      return success();
    if (rs->size() != shape->size())
      return emitOpError("result rank ")
             << rs->size() << " differs from input rank " << shape->size();
    if (ShapedType::isDynamic((*rs)[*axis]))
      return success();
    sum += (*rs)[*axis];
  }
  if (sum != dim)
    return emitOpError("result sizes along axis ")
           << *axis << " add up to " << sum << ", input has " << dim;
  return success();
}

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                          Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getData());
  auto shape = getShape(adaptor.getData());
  if (!shape)
    return push(types, std::nullopt, elem);
  int64_t rank = shape->size();
  std::optional<Shape> axes;
  if (Value a = adaptor.getAxes()) {
    axes = getConstantInts(a);
    if (!axes)
      return push(types, std::nullopt, elem);
  }
  llvm::SmallBitVector drop(rank);
  if (!axes) {
    for (int64_t i = 0; i < rank; ++i) {
      if (ShapedType::isDynamic((*shape)[i]))
        return push(types, std::nullopt, elem);
      if ((*shape)[i] == 1)
        drop.set(i);
    }
  } else {
    for (int64_t a : *axes) {
      auto axis = normalizeAxis(loc, a, rank, "Squeeze axis");
      if (failed(axis))
        return failure();
      int64_t d = (*shape)[*axis];
      if (!ShapedType::isDynamic(d) && d != 1)
        return emitOptionalError(loc, "Squeeze axis ", *axis, " has size ", d,
                                 ", not 1");
      drop.set(*axis);
    }
  }
  Shape out;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop.test(i))
      out.push_back((*shape)[i]);
  return push(types, out, elem);
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                            Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getData());
  auto shape = getShape(adaptor.getData());
  auto axes = getConstantInts(adaptor.getAxes());
  if (!shape || !axes)
    return push(types, std::nullopt, elem);
  int64_t rank = shape->size() + axes->size();
  llvm::SmallBitVector inserted(rank);
  for (int64_t a : *axes) {
    auto axis = normalizeAxis(loc, a, rank, "Unsqueeze axis");
    if (failed(axis))
      return failure();
    if (inserted.test(*axis))
      return emitOptionalError(loc, "Unsqueeze axis ", *axis, " repeats");
    inserted.set(*axis);
  }
  Shape out;
  auto it = shape->begin();
  for (int64_t i = 0; i < rank; ++i)
    out.push_back(inserted.test(i) ? 1 : *it++);
  return push(types, out, elem);
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *, Loc loc,
                                       Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getInput());
  auto shape = getShape(adaptor.getInput());
  if (!shape)
    return push(types, std::nullopt, elem);
  auto repeats = getConstantInts(adaptor.getRepeats());
  if (!repeats)
    return push(types, dynamicShape(shape->size()), elem);
  if (repeats->size() != shape->size())
    return emitOptionalError(loc, "Tile repeats has ", repeats->size(),
                             " values for rank ", shape->size());
  Shape out = *shape;
  for (size_t i = 0; i < out.size(); ++i) {
    if ((*repeats)[i] < 0)
      return emitOptionalError(loc, "Tile repeats must be >= 0");
    if (!ShapedType::isDynamic(out[i]) &&
        llvm::MulOverflow(out[i], (*repeats)[i], out[i]))
      return emitOptionalError(loc, "Tile: dim ", i, " (", (*shape)[i],
                               ") times ", (*repeats)[i],
                               " does not fit in 64 bits");
  }
  if (failed(checkTensorSize(loc, makeTensorType(ArrayRef<int64_t>(out), elem),
                             "Tile result shape")))
    return failure();
  return push(types, out, elem);
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                       Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getX());
  auto shape = getShape(adaptor.getX());
  if (!shape) {
    (void)push(types, std::nullopt, elem);
    return push(types, std::nullopt, i64(ctx));
  }
  auto axis = normalizeAxis(loc, adaptor.getAxis(), shape->size());
  if (failed(axis))
    return failure();
  int64_t k = kDyn;
  if (auto kv = getConstantInts(adaptor.getK())) {
    if (kv->size() != 1 || (*kv)[0] < 0)
      return emitOptionalError(loc, "TopK K must be one value >= 0");
    k = (*kv)[0];
    int64_t dim = (*shape)[*axis];
    if (!ShapedType::isDynamic(dim) && k > dim)
      return emitOptionalError(loc, "TopK K = ", k, " exceeds axis size ",
                               dim);
  }
  Shape out = *shape;
  out[*axis] = k;
  (void)push(types, out, elem);
  return push(types, out, i64(ctx));
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *, Loc loc,
                                            Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getData());
  auto shape = getShape(adaptor.getData());
  if (!shape)
    return push(types, std::nullopt, elem);
  int64_t rank = shape->size();
  Shape perm;
  if (auto p = adaptor.getPerm())
    perm.assign(p->begin(), p->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  if ((int64_t)perm.size() != rank)
    return emitOptionalError(loc, "Transpose perm has ", perm.size(),
                             " entries for rank ", rank);
  llvm::SmallBitVector seen(rank);
  Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen.test(p))
      return emitOptionalError(loc, "Transpose perm is not a permutation of "
                                    "0..",
                               rank - 1);
    seen.set(p);
    out.push_back((*shape)[p]);
  }
  return push(types, out, elem);
}

LogicalResult UniqueOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                         Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getX());
  auto shape = getShape(adaptor.getX());
  if (shape && adaptor.getAxis() &&
      failed(normalizeAxis(loc, *adaptor.getAxis(), shape->size())))
    return failure();
  // The number of unique values depends on the data.
  if (!shape || !adaptor.getAxis())
    (void)push(types, Shape{kDyn}, elem);
  else {
    Shape out = *shape;
    out[*normalizeAxis(loc, *adaptor.getAxis(), shape->size())] = kDyn;
    (void)push(types, out, elem);
  }
  int64_t total = kDyn;
  if (shape && !adaptor.getAxis() && numElements(*shape) >= 0)
    total = numElements(*shape);
  else if (shape && adaptor.getAxis())
    total = (*shape)[*normalizeAxis(loc, *adaptor.getAxis(), shape->size())];
  (void)push(types, Shape{kDyn}, i64(ctx));
  (void)push(types, Shape{total}, i64(ctx));
  return push(types, Shape{kDyn}, i64(ctx));
}

LogicalResult WhereOp::inferReturnTypes(MLIRContext *, Loc loc,
                                        Adaptor adaptor, Types &types) {
  Type elem = getElementType(adaptor.getX());
  SmallVector<Shape> shapes;
  for (Value v : {adaptor.getCondition(), adaptor.getX(), adaptor.getY()}) {
    auto s = getShape(v);
    if (!s)
      return push(types, std::nullopt, elem);
    shapes.push_back(*s);
  }
  auto out = broadcastShapes(loc, shapes);
  if (failed(out))
    return failure();
  return push(types, *out, elem);
}

//===----------------------------------------------------------------------===//
// Random ops: shape from an attribute or from the input.
//===----------------------------------------------------------------------===//

LogicalResult RandomNormalOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                               Adaptor adaptor,
                                               Types &types) {
  auto elem = dtypeAttr(ctx, loc, adaptor.getDtype());
  if (failed(elem))
    return failure();
  return push(types, Shape(adaptor.getShape()), *elem);
}

LogicalResult RandomUniformOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                Adaptor adaptor,
                                                Types &types) {
  auto elem = dtypeAttr(ctx, loc, adaptor.getDtype());
  if (failed(elem))
    return failure();
  return push(types, Shape(adaptor.getShape()), *elem);
}

/// *Like ops: input's shape, dtype attribute or input's element type.
template <typename AdaptorT>
static LogicalResult inferLike(MLIRContext *ctx, Loc loc, AdaptorT adaptor,
                               Types &types) {
  auto elem = dtypeOr(ctx, loc, getElementType(adaptor.getInput()),
                      adaptor.getDtype());
  if (failed(elem))
    return failure();
  return push(types, getShape(adaptor.getInput()), *elem);
}

LogicalResult RandomNormalLikeOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                   Adaptor adaptor,
                                                   Types &types) {
  return inferLike(ctx, loc, adaptor, types);
}

LogicalResult RandomUniformLikeOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                                    Adaptor adaptor,
                                                    Types &types) {
  return inferLike(ctx, loc, adaptor, types);
}

LogicalResult BernoulliOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                            Adaptor adaptor, Types &types) {
  return inferLike(ctx, loc, adaptor, types);
}

LogicalResult MultinomialOp::inferReturnTypes(MLIRContext *ctx, Loc loc,
                                              Adaptor adaptor, Types &types) {
  auto elem = dtypeAttr(ctx, loc, adaptor.getDtype());
  if (failed(elem))
    return failure();
  auto shape = getShape(adaptor.getInput());
  if (shape && shape->size() != 2)
    return emitOptionalError(loc, "Multinomial input must be 2-D");
  int64_t batch = shape ? (*shape)[0] : kDyn;
  // The attribute is an i64 that the accessor returns as unsigned.
  auto sampleSize = static_cast<int64_t>(adaptor.getSampleSize());
  if (sampleSize < 0)
    return emitOptionalError(loc, "Multinomial sample_size ", sampleSize,
                             " is negative");
  return push(types, Shape{batch, sampleSize}, *elem);
}

} // namespace aicc::graph
