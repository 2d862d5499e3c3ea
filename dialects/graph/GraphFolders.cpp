//===- GraphFolders.cpp - Constant folding of graph ops ------------------===//
//
// Folders for the ops that make up shape computations in exported models
// (Shape → Gather → Concat → Reshape, ConstantOfShape, Range, ...) and for
// no-op forms (Reshape to the same type, Identity). The importer calls them
// as it builds each op, so shape subgraphs never reach the printed graph.
//
// Values are evaluated in int64 (integers, bool) or double (floats) and
// written back in the result's element type. Folds that would create more
// than kMaxFoldElements elements are skipped so weights are not duplicated.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include <cmath>
#include <functional>

using namespace mlir;

namespace aicc::graph {
namespace {

constexpr int64_t kMaxFoldElements = 1 << 16;

/// A small constant tensor evaluated in int64 or double.
struct Tensor {
  SmallVector<int64_t> shape;
  bool isFloat = false;
  SmallVector<int64_t> ints;
  SmallVector<double> floats;

  int64_t size() const { return isFloat ? floats.size() : ints.size(); }
  double getDouble(int64_t i) const {
    return isFloat ? floats[i] : (double)ints[i];
  }
  int64_t getInt(int64_t i) const {
    return isFloat ? (int64_t)floats[i] : ints[i];
  }
};

bool isFloatLike(Type t) { return isa<FloatType>(t); }

std::optional<Tensor> readTensor(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return std::nullopt;
  auto type = cast<ShapedType>(dense.getType());
  Tensor t;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  Type elem = type.getElementType();
  if (isFloatLike(elem)) {
    t.isFloat = true;
    for (APFloat v : dense.getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      t.floats.push_back(v.convertToDouble());
    }
  } else if (elem.isIntOrIndex()) {
    bool isUnsigned = elem.isUnsignedInteger() || elem.isInteger(1);
    for (const APInt &v : dense.getValues<APInt>())
      t.ints.push_back(isUnsigned ? (int64_t)v.getZExtValue()
                                  : v.getSExtValue());
  } else {
    return std::nullopt;
  }
  return t;
}

Attribute writeTensor(const Tensor &t, Type resultType) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() != t.size())
    return {};
  Type elem = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(elem)) {
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < t.size(); ++i) {
      APFloat v(t.getDouble(i));
      bool lost;
      v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(v);
    }
    return DenseElementsAttr::get(type, values);
  }
  if (auto it = dyn_cast<IntegerType>(elem)) {
    SmallVector<APInt> values;
    for (int64_t i = 0; i < t.size(); ++i) {
      int64_t v = t.getInt(i);
      if (it.getWidth() == 1)
        v = v != 0;
      values.push_back(APInt(it.getWidth(), v, /*isSigned=*/!it.isUnsigned(),
                             /*implicitTrunc=*/true));
    }
    return DenseElementsAttr::get(type, values);
  }
  return {};
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Index into `t` (broadcast to `outShape`) for the flat output index.
int64_t broadcastIndex(const Tensor &t, ArrayRef<int64_t> outShape,
                       int64_t flat) {
  auto outStrides = stridesOf(outShape);
  auto inStrides = stridesOf(t.shape);
  size_t offset = outShape.size() - t.shape.size();
  int64_t index = 0;
  for (size_t d = 0; d < outShape.size(); ++d) {
    int64_t coord = (flat / outStrides[d]) % outShape[d];
    if (d >= offset && t.shape[d - offset] != 1)
      index += coord * inStrides[d - offset];
  }
  return index;
}

using FloatFn = std::function<double(ArrayRef<double>)>;
using IntFn = std::function<int64_t(ArrayRef<int64_t>)>;

/// Elementwise n-ary fold with broadcasting; `intFn` may be null for
/// float-only ops. `resultFloat` says how to store the result.
OpFoldResult foldElementwise(ArrayRef<Attribute> operands, Type resultType,
                             const FloatFn &floatFn, const IntFn &intFn) {
  SmallVector<Tensor> inputs;
  for (Attribute a : operands) {
    auto t = readTensor(a);
    if (!t)
      return {};
    inputs.push_back(std::move(*t));
  }
  auto type = dyn_cast<RankedTensorType>(resultType);
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  bool anyFloat = llvm::any_of(inputs, [](const Tensor &t) {
    return t.isFloat;
  });
  if (anyFloat && !floatFn)
    return {};
  if (!anyFloat && !intFn)
    return {};
  Tensor out;
  out.shape.assign(type.getShape().begin(), type.getShape().end());
  int64_t n = type.getNumElements();
  SmallVector<double> fargs(inputs.size());
  SmallVector<int64_t> iargs(inputs.size());
  for (int64_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < inputs.size(); ++k) {
      int64_t idx = broadcastIndex(inputs[k], out.shape, i);
      if (anyFloat)
        fargs[k] = inputs[k].getDouble(idx);
      else
        iargs[k] = inputs[k].ints[idx];
    }
    if (anyFloat) {
      double v = floatFn(fargs);
      if (isFloatLike(type.getElementType())) {
        out.isFloat = true;
        out.floats.push_back(v);
      } else {
        out.ints.push_back((int64_t)v);
      }
    } else {
      out.ints.push_back(intFn(iargs));
    }
  }
  return writeTensor(out, resultType);
}

/// Same tensor with a new static type (reshape of the data).
OpFoldResult foldReshapeLike(Value input, Attribute inputAttr,
                             Type resultType) {
  if (input.getType() == resultType)
    return input;
  auto type = dyn_cast<RankedTensorType>(resultType);
  auto dense = dyn_cast_or_null<DenseElementsAttr>(inputAttr);
  if (!type || !type.hasStaticShape() || !dense)
    return {};
  return dense.reshape(type);
}

/// Gathers `count` elements of `t` by the flat indices `map`.
OpFoldResult gatherFlat(const Tensor &t, ArrayRef<int64_t> map,
                        Type resultType) {
  Tensor out;
  out.isFloat = t.isFloat;
  for (int64_t i : map) {
    if (t.isFloat)
      out.floats.push_back(t.floats[i]);
    else
      out.ints.push_back(t.ints[i]);
  }
  return writeTensor(out, resultType);
}

OpFoldResult foldReduce(Attribute data, Value axes, Type resultType,
                        int64_t noopWithEmptyAxes, double init,
                        const std::function<double(double, double)> &fn) {
  auto t = readTensor(data);
  if (!t)
    return {};
  SmallVector<int64_t> axesList;
  if (axes) {
    auto a = getConstantInts(axes);
    if (!a)
      return {};
    axesList = *a;
  }
  int64_t rank = t->shape.size();
  if (axesList.empty()) {
    if (noopWithEmptyAxes)
      return {};
    for (int64_t i = 0; i < rank; ++i)
      axesList.push_back(i);
  }
  llvm::SmallBitVector reduced(rank);
  for (int64_t a : axesList)
    reduced.set(a < 0 ? a + rank : a);
  // Output coordinates keep reduced dims as 1.
  SmallVector<int64_t> keptShape(t->shape);
  for (int64_t d = 0; d < rank; ++d)
    if (reduced.test(d))
      keptShape[d] = 1;
  int64_t outCount = numElements(keptShape);
  SmallVector<double> acc(outCount, init);
  auto inStrides = stridesOf(t->shape), outStrides = stridesOf(keptShape);
  for (int64_t i = 0; i < t->size(); ++i) {
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = (i / inStrides[d]) % t->shape[d];
      if (!reduced.test(d))
        o += c * outStrides[d];
    }
    acc[o] = fn(acc[o], t->getDouble(i));
  }
  Tensor out;
  out.isFloat = isFloatLike(cast<ShapedType>(resultType).getElementType());
  for (double v : acc) {
    if (out.isFloat)
      out.floats.push_back(v);
    else
      out.ints.push_back((int64_t)v);
  }
  return writeTensor(out, resultType);
}

} // namespace

//===----------------------------------------------------------------------===//
// Elementwise ops.
//===----------------------------------------------------------------------===//

#define BINARY_FOLD(OP, FEXPR, IEXPR)                                          \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldElementwise(                                                    \
        adaptor.getOperands(), getType(),                                      \
        [](ArrayRef<double> v) -> double { return FEXPR; },                    \
        [](ArrayRef<int64_t> v) -> int64_t { return IEXPR; });                 \
  }
BINARY_FOLD(AddOp, v[0] + v[1], v[0] + v[1])
BINARY_FOLD(SubOp, v[0] - v[1], v[0] - v[1])
BINARY_FOLD(MulOp, v[0] * v[1], v[0] * v[1])
BINARY_FOLD(EqualOp, v[0] == v[1], v[0] == v[1])
BINARY_FOLD(GreaterOp, v[0] > v[1], v[0] > v[1])
BINARY_FOLD(LessOp, v[0] < v[1], v[0] < v[1])
BINARY_FOLD(AndOp, v[0] && v[1], v[0] && v[1])
BINARY_FOLD(OrOp, v[0] || v[1], v[0] || v[1])
#undef BINARY_FOLD

/// True when `divisor` is an integer constant with a zero element: integer
/// division by zero has no value, so such ops are not folded.
static bool hasIntegerZero(Attribute divisor) {
  auto t = readTensor(divisor);
  return t && !t->isFloat && llvm::is_contained(t->ints, 0);
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (hasIntegerZero(adaptor.getB()))
    return {};
  return foldElementwise(
      adaptor.getOperands(), getType(),
      [](ArrayRef<double> v) { return v[0] / v[1]; },
      [](ArrayRef<int64_t> v) -> int64_t { return v[0] / v[1]; });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  if (hasIntegerZero(adaptor.getB()))
    return {};
  // fmod = 0: the result takes the divisor's sign (Python's %); fmod = 1:
  // the dividend's (C's fmod).
  bool cStyle = getFmod() != 0;
  return foldElementwise(
      adaptor.getOperands(), getType(),
      [cStyle](ArrayRef<double> v) {
        double r = std::fmod(v[0], v[1]);
        if (!cStyle && r != 0 && ((r < 0) != (v[1] < 0)))
          r += v[1];
        return r;
      },
      [cStyle](ArrayRef<int64_t> v) -> int64_t {
        int64_t r = v[0] % v[1];
        if (!cStyle && r != 0 && ((r < 0) != (v[1] < 0)))
          r += v[1];
        return r;
      });
}

#define VARIADIC_FOLD(OP, FN)                                                  \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldElementwise(                                                    \
        adaptor.getOperands(), getType(),                                      \
        [](ArrayRef<double> v) {                                               \
          double r = v[0];                                                     \
          for (double x : v.drop_front())                                      \
            r = FN(r, x);                                                      \
          return r;                                                            \
        },                                                                     \
        [](ArrayRef<int64_t> v) {                                              \
          int64_t r = v[0];                                                    \
          for (int64_t x : v.drop_front())                                     \
            r = FN(r, x);                                                      \
          return r;                                                            \
        });                                                                    \
  }
VARIADIC_FOLD(MaxOp, std::max)
VARIADIC_FOLD(MinOp, std::min)
#undef VARIADIC_FOLD

#define UNARY_FOLD(OP, FEXPR, IEXPR)                                           \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldElementwise(adaptor.getOperands(), getType(), FEXPR, IEXPR);    \
  }
UNARY_FOLD(NegOp, [](ArrayRef<double> v) { return -v[0]; },
           [](ArrayRef<int64_t> v) { return -v[0]; })
UNARY_FOLD(AbsOp, [](ArrayRef<double> v) { return std::fabs(v[0]); },
           [](ArrayRef<int64_t> v) { return v[0] < 0 ? -v[0] : v[0]; })
UNARY_FOLD(NotOp, nullptr,
           [](ArrayRef<int64_t> v) -> int64_t { return !v[0]; })
UNARY_FOLD(ReluOp, [](ArrayRef<double> v) { return v[0] > 0 ? v[0] : 0.0; },
           [](ArrayRef<int64_t> v) -> int64_t { return v[0] > 0 ? v[0] : 0; })
UNARY_FOLD(CeilOp, [](ArrayRef<double> v) { return std::ceil(v[0]); },
           nullptr)
UNARY_FOLD(FloorOp, [](ArrayRef<double> v) { return std::floor(v[0]); },
           nullptr)
UNARY_FOLD(SqrtOp, [](ArrayRef<double> v) { return std::sqrt(v[0]); },
           nullptr)
#undef UNARY_FOLD

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(
      adaptor.getOperands(), getType(),
      [](ArrayRef<double> v) { return v[0] != 0 ? v[1] : v[2]; },
      [](ArrayRef<int64_t> v) { return v[0] != 0 ? v[1] : v[2]; });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto t = readTensor(adaptor.getInput());
  if (!t)
    return {};
  Type elem = cast<ShapedType>(getType()).getElementType();
  // float8/float4 results depend on `saturate` and `round_mode`: left to the
  // kernel's conversion (passes/lowering/LowerNarrowTypes.cpp).
  if (isa<FloatType>(elem) && elem.getIntOrFloatBitWidth() <= 8)
    return {};
  if (t->isFloat && !isFloatLike(elem)) {
    // Float → int truncates toward zero, like a C cast.
    for (double v : t->floats) {
      if (!std::isfinite(v))
        return {};
      t->ints.push_back((int64_t)v);
    }
    t->isFloat = false;
    t->floats.clear();
  }
  return writeTensor(*t, getType());
}

OpFoldResult IdentityOp::fold(FoldAdaptor) { return getInput(); }

//===----------------------------------------------------------------------===//
// Shape ops.
//===----------------------------------------------------------------------===//

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto in = dyn_cast<RankedTensorType>(getData().getType());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!in || !in.hasStaticShape() || !type || !type.hasStaticShape())
    return {};
  int64_t rank = in.getRank();
  auto clampIndex = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampIndex(getStart());
  int64_t end = getEnd() ? clampIndex(*getEnd()) : rank;
  Tensor out;
  for (int64_t i = start; i < end; ++i)
    out.ints.push_back(in.getDimSize(i));
  return writeTensor(out, type);
}

OpFoldResult SizeOp::fold(FoldAdaptor) {
  auto in = dyn_cast<RankedTensorType>(getData().getType());
  if (!in || !in.hasStaticShape())
    return {};
  Tensor out;
  out.ints.push_back(in.getNumElements());
  return writeTensor(out, getType());
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getData(), adaptor.getData(), getType());
}
OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getInput(), adaptor.getInput(), getType());
}
OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getData(), adaptor.getData(), getType());
}
OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldReshapeLike(getData(), adaptor.getData(), getType());
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto t = readTensor(adaptor.getInput());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!t || !type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<int64_t> map;
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    map.push_back(broadcastIndex(*t, type.getShape(), i));
  return gatherFlat(*t, map, type);
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  Attribute fill;
  if (auto value = getValueAttr()) {
    auto dense = dyn_cast<DenseElementsAttr>(value);
    if (!dense || dense.getNumElements() != 1)
      return {};
    return DenseElementsAttr::get(type, *dense.value_begin<Attribute>());
  }
  return DenseElementsAttr::get(type, FloatAttr::get(type.getElementType(),
                                                     0.0));
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto start = readTensor(adaptor.getStart());
  auto delta = readTensor(adaptor.getDelta());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!start || !delta || !type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  Tensor out;
  out.isFloat = start->isFloat;
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    if (out.isFloat)
      out.floats.push_back(start->floats[0] + i * delta->getDouble(0));
    else
      out.ints.push_back(start->ints[0] + i * delta->getInt(0));
  }
  return writeTensor(out, type);
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape() || getInputs().size() == 0)
    return {};
  if (getInputs().size() == 1 && getInputs()[0].getType() == type)
    return getInputs()[0];
  SmallVector<Tensor> inputs;
  for (Attribute a : adaptor.getInputs()) {
    auto t = readTensor(a);
    if (!t)
      return {};
    inputs.push_back(std::move(*t));
  }
  int64_t rank = type.getRank();
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
  // outer × (concatenated axis × inner) blocks.
  int64_t outer = numElements(type.getShape().take_front(axis));
  Tensor out;
  out.isFloat = inputs[0].isFloat;
  for (int64_t o = 0; o < outer; ++o) {
    for (const Tensor &t : inputs) {
      int64_t block = numElements(ArrayRef<int64_t>(t.shape).drop_front(axis));
      for (int64_t i = o * block; i < (o + 1) * block; ++i) {
        if (out.isFloat)
          out.floats.push_back(t.getDouble(i));
        else
          out.ints.push_back(t.getInt(i));
      }
    }
  }
  return writeTensor(out, type);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = readTensor(adaptor.getData());
  auto indices = readTensor(adaptor.getIndices());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!data || !indices || !type || !type.hasStaticShape() ||
      data->shape.empty())
    return {};
  int64_t rank = data->shape.size();
  int64_t axis = getAxis() < 0 ? getAxis() + rank : getAxis();
  int64_t outer = numElements(ArrayRef<int64_t>(data->shape).take_front(axis));
  int64_t inner =
      numElements(ArrayRef<int64_t>(data->shape).drop_front(axis + 1));
  int64_t dim = data->shape[axis];
  SmallVector<int64_t> map;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < indices->size(); ++k) {
      int64_t idx = indices->getInt(k);
      if (idx < 0)
        idx += dim;
      if (idx < 0 || idx >= dim)
        return {};
      for (int64_t i = 0; i < inner; ++i)
        map.push_back((o * dim + idx) * inner + i);
    }
  return gatherFlat(*data, map, type);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape())
    return {};
  if (getData().getType() == type) {
    // A full slice with unit steps is the identity.
    auto steps = getSteps() ? getConstantInts(getSteps())
                            : std::optional<SmallVector<int64_t>>(
                                  SmallVector<int64_t>());
    if (steps && llvm::all_of(*steps, [](int64_t s) { return s == 1; }))
      return getData();
  }
  auto data = readTensor(adaptor.getData());
  auto starts = getConstantInts(getStarts());
  if (!data || !starts)
    return {};
  int64_t rank = data->shape.size();
  SmallVector<int64_t> axes, steps;
  if (getAxes()) {
    auto a = getConstantInts(getAxes());
    if (!a)
      return {};
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i)
      axes.push_back(i);
  }
  if (getSteps()) {
    auto s = getConstantInts(getSteps());
    if (!s)
      return {};
    steps = *s;
  } else {
    steps.assign(starts->size(), 1);
  }
  SmallVector<int64_t> begin(rank, 0), step(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    int64_t dim = data->shape[a], s = (*starts)[i];
    if (s < 0)
      s += dim;
    s = steps[i] > 0 ? std::clamp<int64_t>(s, 0, dim)
                     : std::clamp<int64_t>(s, 0, dim - 1);
    begin[a] = s;
    step[a] = steps[i];
  }
  auto outStrides = stridesOf(type.getShape());
  auto inStrides = stridesOf(data->shape);
  SmallVector<int64_t> map;
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    int64_t idx = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t c = (i / outStrides[d]) % type.getDimSize(d);
      idx += (begin[d] + c * step[d]) * inStrides[d];
    }
    map.push_back(idx);
  }
  return gatherFlat(*data, map, type);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  auto data = readTensor(adaptor.getData());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!data || !type || !type.hasStaticShape())
    return {};
  int64_t rank = data->shape.size();
  SmallVector<int64_t> perm;
  if (auto p = getPerm())
    perm.assign(p->begin(), p->end());
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  auto outStrides = stridesOf(type.getShape());
  auto inStrides = stridesOf(data->shape);
  SmallVector<int64_t> map;
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    int64_t idx = 0;
    for (int64_t d = 0; d < rank; ++d)
      idx += ((i / outStrides[d]) % type.getDimSize(d)) * inStrides[perm[d]];
    map.push_back(idx);
  }
  return gatherFlat(*data, map, type);
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  auto data = readTensor(adaptor.getInput());
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!data || !type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxFoldElements)
    return {};
  int64_t rank = data->shape.size();
  auto outStrides = stridesOf(type.getShape());
  auto inStrides = stridesOf(data->shape);
  SmallVector<int64_t> map;
  for (int64_t i = 0; i < type.getNumElements(); ++i) {
    int64_t idx = 0;
    for (int64_t d = 0; d < rank; ++d)
      idx += (((i / outStrides[d]) % type.getDimSize(d)) % data->shape[d]) *
             inStrides[d];
    map.push_back(idx);
  }
  return gatherFlat(*data, map, type);
}

#define REDUCE_FOLD(OP, INIT, FN)                                              \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldReduce(adaptor.getData(), getAxes(), getType(),                 \
                      getNoopWithEmptyAxes(), INIT, FN);                       \
  }
REDUCE_FOLD(ReduceSumOp, 0.0, [](double a, double b) { return a + b; })
REDUCE_FOLD(ReduceProdOp, 1.0, [](double a, double b) { return a * b; })
REDUCE_FOLD(ReduceMaxOp, -INFINITY,
            [](double a, double b) { return std::max(a, b); })
REDUCE_FOLD(ReduceMinOp, INFINITY,
            [](double a, double b) { return std::min(a, b); })
#undef REDUCE_FOLD

} // namespace aicc::graph
