//===- ShapeInference.cpp - Helpers for graph result-type rules ----------===//
//
// Shared helpers and the generated rule families (unary, broadcast,
// compare). Per-op rules live in ShapeRules*.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/ShapeInference.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace aicc::graph {

static bool compatibleDims(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b))
    if (!ShapedType::isDynamic(x) && !ShapedType::isDynamic(y) && x != y)
      return false;
  return true;
}

bool areCompatibleReturnTypes(TypeRange lhs, TypeRange rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (auto [l, r] : llvm::zip(lhs, rhs)) {
    auto lt = dyn_cast<ShapedType>(l), rt = dyn_cast<ShapedType>(r);
    if (!lt || !rt) {
      if (l != r)
        return false;
      continue;
    }
    if (lt.getElementType() != rt.getElementType())
      return false;
    if (lt.hasRank() && rt.hasRank() &&
        !compatibleDims(lt.getShape(), rt.getShape()))
      return false;
  }
  return true;
}

std::optional<SmallVector<int64_t>> getConstantInts(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  auto dense = dyn_cast<DenseIntElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  SmallVector<int64_t> out;
  out.reserve(dense.getNumElements());
  bool isUnsigned = dense.getElementType().isUnsignedInteger();
  for (const APInt &v : dense.getValues<APInt>())
    out.push_back(isUnsigned || v.getBitWidth() == 1 ? (int64_t)v.getZExtValue()
                                                     : v.getSExtValue());
  return out;
}

std::optional<SmallVector<double>> getConstantFloats(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto f = dyn_cast<DenseFPElementsAttr>(attr)) {
    SmallVector<double> out;
    for (const APFloat &v : f.getValues<APFloat>()) {
      bool lost;
      APFloat d = v;
      d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      out.push_back(d.convertToDouble());
    }
    return out;
  }
  if (auto ints = getConstantInts(value))
    return SmallVector<double>(ints->begin(), ints->end());
  return std::nullopt;
}

TensorType makeTensorType(std::optional<ArrayRef<int64_t>> shape,
                          Type elementType) {
  if (!shape)
    return UnrankedTensorType::get(elementType);
  return RankedTensorType::get(*shape, elementType);
}

std::optional<SmallVector<int64_t>> getShape(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return std::nullopt;
  return SmallVector<int64_t>(type.getShape());
}

Type getElementType(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

FailureOr<int64_t> normalizeAxis(Loc loc, int64_t axis, int64_t rank,
                                 StringRef what) {
  // A scalar has no axis: rules index the shape with the result (found by
  // test/fuzz: Split of a rank-0 input read past its empty shape).
  if (axis < -rank || axis >= rank) {
    (void)emitOptionalError(loc, what, " ", axis,
                            " is out of range for rank ", rank);
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
broadcastShapes(Loc loc, ArrayRef<SmallVector<int64_t>> shapes) {
  size_t rank = 0;
  for (const auto &s : shapes)
    rank = std::max(rank, s.size());
  SmallVector<int64_t> out(rank, 1);
  for (const auto &s : shapes) {
    size_t offset = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t d = s[i], &o = out[offset + i];
      if (d == 1)
        continue;
      if (o == 1 || (ShapedType::isDynamic(o) && !ShapedType::isDynamic(d))) {
        o = d;
        continue;
      }
      if (ShapedType::isDynamic(d) || d == o)
        continue;
      std::string msg;
      llvm::raw_string_ostream os(msg);
      os << "operand shapes are not broadcast-compatible:";
      for (const auto &t : shapes) {
        os << " [";
        llvm::interleaveComma(t, os, [&](int64_t v) {
          if (ShapedType::isDynamic(v))
            os << "?";
          else
            os << v;
        });
        os << "]";
      }
      (void)emitOptionalError(loc, msg);
      return failure();
    }
  }
  return out;
}

Type onnxDataTypeToType(MLIRContext *ctx, int64_t code) {
  Builder b(ctx);
  switch (code) {
  case 1: return b.getF32Type();
  case 2: return b.getIntegerType(8, /*isSigned=*/false);
  case 3: return b.getIntegerType(8);
  case 4: return b.getIntegerType(16, false);
  case 5: return b.getIntegerType(16);
  case 6: return b.getIntegerType(32);
  case 7: return b.getIntegerType(64);
  case 9: return b.getI1Type();
  case 10: return b.getF16Type();
  case 11: return b.getF64Type();
  case 12: return b.getIntegerType(32, false);
  case 13: return b.getIntegerType(64, false);
  case 14: return ComplexType::get(b.getF32Type());
  case 15: return ComplexType::get(b.getF64Type());
  case 16: return b.getBF16Type();
  case 17: return b.getType<Float8E4M3FNType>();
  case 18: return b.getType<Float8E4M3FNUZType>();
  case 19: return b.getType<Float8E5M2Type>();
  case 20: return b.getType<Float8E5M2FNUZType>();
  case 21: return b.getIntegerType(4, false);
  case 22: return b.getIntegerType(4);
  case 23: return b.getType<Float4E2M1FNType>();
  case 24: return b.getType<Float8E8M0FNUType>();
  case 25: return b.getIntegerType(2, false);
  case 26: return b.getIntegerType(2);
  default: return {};
  }
}

int64_t numElements(ArrayRef<int64_t> shape) {
  if (llvm::any_of(shape, ShapedType::isDynamic))
    return -1;
  return checkedProduct(shape).value_or(-1);
}

std::optional<int64_t> checkedProduct(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d) && llvm::MulOverflow(n, d, n))
      return std::nullopt;
  return n;
}

LogicalResult checkTensorSize(Loc loc, Type type, StringRef what) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank())
    return success();
  auto describe = [&] {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << what << " [";
    llvm::interleave(
        shaped.getShape(), os,
        [&](int64_t d) {
          if (ShapedType::isDynamic(d))
            os << "?";
          else
            os << d;
        },
        ", ");
    os << "]";
    return s;
  };
  // A rule that forwards an attribute or a constant as a dim must not make
  // an invalid type (tensor<2x-3xf32>) out of a negative one.
  if (llvm::any_of(shaped.getShape(), [](int64_t d) {
        return d < 0 && !ShapedType::isDynamic(d);
      }))
    return emitOptionalError(loc, describe(), " has a negative dim");
  std::optional<int64_t> count = checkedProduct(shaped.getShape());
  if (!count)
    return emitOptionalError(loc, describe(),
                             " has more elements than fit in 64 bits");
  Type elem = shaped.getElementType();
  int64_t bits = elem.isIntOrFloat() ? elem.getIntOrFloatBitWidth() : 64;
  int64_t bytes;
  if (llvm::MulOverflow(*count, (bits + 7) / 8, bytes)) {
    std::string elemName;
    llvm::raw_string_ostream(elemName) << elem;
    return emitOptionalError(loc, describe(), " of ", elemName,
                             " is larger than 2^63 bytes");
  }
  return success();
}

LogicalResult inferUnary(MLIRContext *, Loc, ValueRange operands,
                         SmallVectorImpl<Type> &types) {
  types.push_back(operands[0].getType());
  return success();
}

LogicalResult inferUnaryAxis(MLIRContext *context, Loc loc, ValueRange operands,
                             int64_t axis, SmallVectorImpl<Type> &types) {
  if (auto shape = getShape(operands[0]))
    if (failed(normalizeAxis(loc, axis, shape->size())))
      return failure();
  return inferUnary(context, loc, operands, types);
}

LogicalResult inferUnaryBool(MLIRContext *ctx, Loc, ValueRange operands,
                             SmallVectorImpl<Type> &types) {
  auto shape = getShape(operands[0]);
  types.push_back(makeTensorType(
      shape ? std::optional<ArrayRef<int64_t>>(*shape) : std::nullopt,
      IntegerType::get(ctx, 1)));
  return success();
}

/// Broadcast shape of all operands, std::nullopt if any is unranked.
static FailureOr<std::optional<SmallVector<int64_t>>>
broadcastOperands(Loc loc, ValueRange operands) {
  SmallVector<SmallVector<int64_t>> shapes;
  for (Value v : operands) {
    auto s = getShape(v);
    if (!s)
      return std::optional<SmallVector<int64_t>>();
    shapes.push_back(*s);
  }
  auto out = broadcastShapes(loc, shapes);
  if (failed(out))
    return failure();
  return std::optional<SmallVector<int64_t>>(*out);
}

static LogicalResult inferBroadcastTo(Loc loc, ValueRange operands,
                                      Type elementType,
                                      SmallVectorImpl<Type> &types) {
  auto shape = broadcastOperands(loc, operands);
  if (failed(shape))
    return failure();
  types.push_back(makeTensorType(
      *shape ? std::optional<ArrayRef<int64_t>>(**shape) : std::nullopt,
      elementType));
  return success();
}

LogicalResult inferBroadcast(MLIRContext *, Loc loc, ValueRange operands,
                             SmallVectorImpl<Type> &types) {
  if (operands.empty())
    return emitOptionalError(loc, "expected at least one operand");
  return inferBroadcastTo(loc, operands, getElementType(operands[0]), types);
}

LogicalResult inferCompare(MLIRContext *ctx, Loc loc, ValueRange operands,
                           SmallVectorImpl<Type> &types) {
  return inferBroadcastTo(loc, operands, IntegerType::get(ctx, 1), types);
}

} // namespace aicc::graph
