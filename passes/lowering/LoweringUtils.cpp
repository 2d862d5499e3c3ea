//===- LoweringUtils.cpp - Helpers shared by the graph lowerings ---------===//

#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/Passes.h"

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace aicc::lowering {

//===----------------------------------------------------------------------===//
// Dynamic dims
//===----------------------------------------------------------------------===//

static thread_local DynamicDims *currentDynamicDims = nullptr;

DynamicDims *DynamicDims::current() { return currentDynamicDims; }

DynamicDims::Scope::Scope(DynamicDims *dims) : previous(currentDynamicDims) {
  currentDynamicDims = dims;
}

DynamicDims::Scope::~Scope() { currentDynamicDims = previous; }

OpFoldResult DynamicDims::materialize(AffineExpr expr) {
  if (!expr)
    return OpFoldResult();
  if (auto c = dyn_cast<AffineConstantExpr>(expr))
    return builder.getIndexAttr(c.getValue());
  if (auto s = dyn_cast<AffineSymbolExpr>(expr);
      s && s.getPosition() < symbols.size())
    return symbols[s.getPosition()];
  Value &v = applied[expr];
  if (!v) {
    // Untracked by the conversion on purpose: these ops are shared by every
    // pattern and must survive a rolled-back one (unused ones are erased
    // after the conversion).
    v = affine::AffineApplyOp::create(
        builder, builder.getUnknownLoc(),
        AffineMap::get(0, symbols.size(), expr, builder.getContext()),
        symbols);
  }
  return v;
}

void DynamicDims::record(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return;
  if (auto known = analysis.getSymbolicValues(value);
      known && llvm::all_of(*known, [](AffineExpr e) { return bool(e); }))
    values[value] = *known;
  auto shape = analysis.getPartialShape(value);
  // Value-dependent dims: the graph stage wrote them on the producer.
  if (auto result = dyn_cast<OpResult>(value))
    if (auto maps = result.getOwner()->getAttrOfType<ArrayAttr>(
            kResultDimsAttrName);
        maps && result.getResultNumber() < maps.size())
      if (auto map = dyn_cast<AffineMapAttr>(maps[result.getResultNumber()]);
          map && (int64_t)map.getValue().getNumResults() == type.getRank()) {
        if (!shape || (int64_t)shape->size() != type.getRank())
          shape = SmallVector<AffineExpr>(type.getRank(), AffineExpr());
        for (auto [i, expr] : llvm::enumerate(map.getValue().getResults()))
          if (!(*shape)[i])
            (*shape)[i] = expr;
      }
  if (!shape || (int64_t)shape->size() != type.getRank())
    return;
  shapes[value] = *shape;
  if (type.hasStaticShape())
    return;
  SmallVector<OpFoldResult> dims;
  for (auto [i, expr] : llvm::enumerate(*shape))
    dims.push_back(type.isDynamicDim(i)
                       ? materialize(expr)
                       : builder.getIndexAttr(type.getDimSize(i)));
  sizes[value] = std::move(dims);
}

void DynamicDims::alias(Value to, Value from) {
  if (auto it = sizes.find(from); it != sizes.end())
    sizes[to] = it->second;
  if (auto it = shapes.find(from); it != shapes.end())
    shapes[to] = it->second;
  if (auto it = values.find(from); it != values.end())
    values[to] = it->second;
}

int64_t getNumValueSymbols(Operation *op) {
  auto func = isa<func::FuncOp>(op) ? cast<func::FuncOp>(op)
                                    : op->getParentOfType<func::FuncOp>();
  if (!func)
    return 0;
  auto symbols = func->getAttrOfType<ArrayAttr>(kValueSymbolsAttrName);
  return symbols ? symbols.size() : 0;
}

bool hasValueDependentDims(Operation *op) {
  return op->hasAttr(kResultDimsAttrName);
}

SmallVector<Value> getValueParams(Operation *op, StringRef name,
                                  OpBuilder &b) {
  DynamicDims *dims = DynamicDims::current();
  auto params = op->getAttrOfType<DictionaryAttr>(kValueParamsAttrName);
  if (!dims || !params)
    return {};
  Attribute entry = params.get(name);
  SmallVector<Value> out;
  if (auto indices = dyn_cast_or_null<DenseI64ArrayAttr>(entry)) {
    ArrayRef<Value> symbols = dims->getSymbolValues();
    auto func = op->getParentOfType<func::FuncOp>();
    auto valueSymbols =
        func ? func->getAttrOfType<ArrayAttr>(kValueSymbolsAttrName)
             : ArrayAttr();
    int64_t numDimSymbols = dims->getAnalysis().getSymbols().size();
    for (int64_t i : indices.asArrayRef()) {
      if (i < 0 || i >= (int64_t)symbols.size())
        return {};
      // A value symbol whose range is one value (the graph stage's CONST
      // parameters: start 0 and step 1 of a dim no axis names) is that
      // constant, so that the kernel folds it.
      int64_t j = i - numDimSymbols;
      if (valueSymbols && j >= 0 && j < (int64_t)valueSymbols.size())
        if (auto symbol = dyn_cast<DictionaryAttr>(valueSymbols[j]))
          if (auto range = symbol.getAs<DenseI64ArrayAttr>("range");
              range && range.size() == 2 && range[0] == range[1]) {
            out.push_back(
                arith::ConstantIndexOp::create(b, op->getLoc(), range[0]));
            continue;
          }
      out.push_back(symbols[i]);
    }
  } else if (auto map = dyn_cast_or_null<AffineMapAttr>(entry)) {
    for (AffineExpr expr : map.getValue().getResults()) {
      OpFoldResult v = dims->materialize(expr);
      if (auto attr = dyn_cast<Attribute>(v))
        out.push_back(arith::ConstantIndexOp::create(
            b, op->getLoc(), cast<IntegerAttr>(attr).getInt()));
      else
        out.push_back(cast<Value>(v));
    }
  }
  return out;
}

std::optional<SmallVector<OpFoldResult>> getDimSizes(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return std::nullopt;
  MLIRContext *ctx = value.getContext();
  SmallVector<OpFoldResult> sizes(type.getRank(), OpFoldResult());
  auto fillStatic = [&] {
    for (auto [i, d] : llvm::enumerate(type.getShape()))
      if (!ShapedType::isDynamic(d))
        sizes[i] = IntegerAttr::get(IndexType::get(ctx), d);
  };
  if (type.hasStaticShape()) {
    fillStatic();
    return sizes;
  }
  auto merge = [&](ArrayRef<OpFoldResult> known) {
    if (known.size() != sizes.size())
      return;
    for (auto [i, k] : llvm::enumerate(known))
      if (!sizes[i])
        sizes[i] = k;
  };
  fillStatic();
  if (DynamicDims *dims = DynamicDims::current())
    if (const auto *known = dims->lookup(value))
      merge(*known);
  if (llvm::all_of(sizes, [](OpFoldResult r) { return bool(r); }))
    return sizes;
  // Values the lowering built: follow them to their sizes.
  Operation *def = value.getDefiningOp();
  if (!def)
    return sizes;
  if (auto empty = dyn_cast<tensor::EmptyOp>(def)) {
    merge(empty.getMixedSizes());
  } else if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
    merge(expand.getMixedOutputShape());
  } else if (auto slice = dyn_cast<tensor::ExtractSliceOp>(def)) {
    if (slice.getSourceType().getRank() == type.getRank())
      merge(slice.getMixedSizes());
  } else if (auto dps = dyn_cast<DestinationStyleOpInterface>(def)) {
    if (auto result = dyn_cast<OpResult>(value);
        result && result.getResultNumber() < dps.getNumDpsInits())
      if (auto init = getDimSizes(
              dps.getDpsInitOperand(result.getResultNumber())->get()))
        merge(*init);
  } else if (auto cast = dyn_cast<UnrealizedConversionCastOp>(def)) {
    if (cast.getNumOperands() == 1)
      if (auto in = getDimSizes(cast.getOperand(0)))
        merge(*in);
  }
  return sizes;
}

std::optional<SmallVector<AffineExpr>> getDimExprs(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return std::nullopt;
  MLIRContext *ctx = value.getContext();
  SmallVector<AffineExpr> exprs;
  const SmallVector<AffineExpr> *known = nullptr;
  if (DynamicDims *dims = DynamicDims::current())
    known = dims->lookupShape(value);
  for (auto [i, d] : llvm::enumerate(type.getShape())) {
    if (!ShapedType::isDynamic(d))
      exprs.push_back(getAffineConstantExpr(d, ctx));
    else if (known && known->size() == type.getShape().size() && (*known)[i])
      exprs.push_back((*known)[i]);
    else
      return std::nullopt;
  }
  return exprs;
}

OpFoldResult materializeExpr(AffineExpr expr) {
  if (auto c = dyn_cast_or_null<AffineConstantExpr>(expr))
    return IntegerAttr::get(IndexType::get(expr.getContext()), c.getValue());
  if (DynamicDims *dims = DynamicDims::current())
    return dims->materialize(expr);
  return OpFoldResult();
}

std::optional<SmallVector<OpFoldResult>> getKnownDimSizes(Value value) {
  auto sizes = getDimSizes(value);
  if (!sizes || llvm::any_of(*sizes, [](OpFoldResult r) { return !r; }))
    return std::nullopt;
  return sizes;
}

bool hasKnownDims(Value value) { return getKnownDimSizes(value).has_value(); }

SmallVector<int64_t> staticShapeOf(ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  for (OpFoldResult r : sizes) {
    std::optional<int64_t> c = getConstantIntValue(r);
    shape.push_back(c ? *c : ShapedType::kDynamic);
  }
  return shape;
}

bool hasDynamicDims(Operation *op) {
  auto dynamic = [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && (!shaped.hasRank() || !shaped.hasStaticShape());
  };
  return llvm::any_of(op->getOperandTypes(), dynamic) ||
         llvm::any_of(op->getResultTypes(), dynamic);
}

std::string whyNotKnownIntOrFloat(Operation *op) {
  std::string reason;
  llvm::raw_string_ostream os(reason);
  auto check = [&](Value value, StringRef what, unsigned index) {
    Type type = value.getType();
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor) {
      os << what << " " << index << " is not a ranked tensor (" << type << ")";
    } else if (!tensor.hasStaticShape() && !DynamicDims::current()) {
      os << what << " " << index << " has a dynamic shape (" << type
         << "); only static shapes are supported";
    } else if (!tensor.hasStaticShape()) {
      auto sizes = getDimSizes(value);
      for (auto [i, r] : llvm::enumerate(*sizes))
        if (!r) {
          os << what << " " << index << " has a dynamic dim " << i << " ("
             << type << ") whose size is not known";
          break;
        }
    }
    if (reason.empty() && tensor && !tensor.getElementType().isIntOrFloat())
      os << what << " " << index << " has element type "
         << tensor.getElementType() << "; only int and float are supported";
    return reason.empty();
  };
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (!check(v, "input", i))
      return reason;
  for (auto [i, v] : llvm::enumerate(op->getResults()))
    if (!check(v, "output", i))
      return reason;
  return reason;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

bool isUnsignedInt(Type type) {
  auto intType = dyn_cast<IntegerType>(type);
  return intType && intType.isUnsigned();
}

Type toSignless(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type))
    if (!intType.isSignless())
      return IntegerType::get(type.getContext(), intType.getWidth());
  return type;
}

RankedTensorType toSignless(RankedTensorType type) {
  return RankedTensorType::get(type.getShape(),
                               toSignless(type.getElementType()));
}

RankedTensorType getStaticType(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return nullptr;
  return type;
}

/// With dynamic dims (DynamicDims): "dynamic dim 1 (sequence) of input 0
/// is not supported by the lowering of Conv yet"; "" for a static type.
static std::string whyDynamicUnsupported(Operation *op, Value value,
                                         StringRef what, unsigned index) {
  DynamicDims *dims = DynamicDims::current();
  auto tensor = dyn_cast<RankedTensorType>(value.getType());
  if (!dims || !tensor || tensor.hasStaticShape())
    return "";
  std::string reason;
  llvm::raw_string_ostream os(reason);
  for (int64_t i = 0, e = tensor.getRank(); i < e; ++i) {
    if (!tensor.isDynamicDim(i))
      continue;
    const auto *shape = dims->lookupShape(value);
    os << "dynamic dim " << i << " ("
       << (shape && (int64_t)shape->size() == e
               ? dims->getAnalysis().print((*shape)[i])
               : std::string("?"))
       << ") of " << what << " " << index
       << " is not supported by the lowering of "
       << graph::getOnnxOpType(op) << " yet";
    break;
  }
  return reason;
}

std::string whyNotStaticIntOrFloat(Operation *op) {
  std::string reason;
  llvm::raw_string_ostream os(reason);
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (std::string why = whyDynamicUnsupported(op, v, "input", i);
        !why.empty())
      return why;
  for (auto [i, v] : llvm::enumerate(op->getResults()))
    if (std::string why = whyDynamicUnsupported(op, v, "output", i);
        !why.empty())
      return why;
  auto check = [&](Type type, StringRef what, unsigned index) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      os << what << " " << index << " is not a ranked tensor (" << type << ")";
    else if (!tensor.hasStaticShape())
      os << what << " " << index << " has a dynamic shape (" << type
         << "); only static shapes are supported";
    else if (!tensor.getElementType().isIntOrFloat())
      os << what << " " << index << " has element type "
         << tensor.getElementType() << "; only int and float are supported";
    return reason.empty();
  };
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
    if (!check(type, "input", i))
      return reason;
  for (auto [i, type] : llvm::enumerate(op->getResultTypes()))
    if (!check(type, "output", i))
      return reason;
  return reason;
}

bool hasStaticIntOrFloatTypes(Operation *op) {
  return whyNotStaticIntOrFloat(op).empty();
}

Value toSignlessScalar(OpBuilder &b, Location loc, Value scalar) {
  Type type = scalar.getType();
  if (!isUnsignedInt(type))
    return scalar;
  return UnrealizedConversionCastOp::create(b, loc, toSignless(type), scalar)
      .getResult(0);
}

Value fromSignlessScalar(OpBuilder &b, Location loc, Value scalar, Type type) {
  if (scalar.getType() == type)
    return scalar;
  return UnrealizedConversionCastOp::create(b, loc, type, scalar).getResult(0);
}

SmallVector<Value> toSignlessScalars(OpBuilder &b, Location loc,
                                     ValueRange scalars) {
  SmallVector<Value> out;
  for (Value v : scalars)
    out.push_back(toSignlessScalar(b, loc, v));
  return out;
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

Value constScalar(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    APFloat apValue(value);
    bool lost;
    apValue.convert(floatType.getFloatSemantics(),
                    APFloat::rmNearestTiesToEven, &lost);
    return arith::ConstantOp::create(b, loc, type,
                                     b.getFloatAttr(type, apValue));
  }
  return constInt(b, loc, type, static_cast<int64_t>(value));
}

Value constInt(OpBuilder &b, Location loc, Type type, int64_t value) {
  if (type.isIndex())
    return arith::ConstantIndexOp::create(b, loc, value);
  auto width = type.getIntOrFloatBitWidth();
  APInt apValue(width, static_cast<uint64_t>(value), /*isSigned=*/true,
                /*implicitTrunc=*/true);
  return arith::ConstantOp::create(b, loc, type,
                                   b.getIntegerAttr(type, apValue));
}

Value constIndex(OpBuilder &b, Location loc, int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

Value checkedExtract(OpBuilder &b, Location loc, Value tensor,
                     ValueRange indices) {
  auto extract = tensor::ExtractOp::create(b, loc, tensor, indices);
  extract->setAttr(kCheckedIndexAttrName, b.getUnitAttr());
  return extract;
}

Value lowestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    APFloat value = APFloat::getInf(floatType.getFloatSemantics(), true);
    if (!APFloat::semanticsHasInf(floatType.getFloatSemantics()))
      value = APFloat::getLargest(floatType.getFloatSemantics(), true);
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
  }
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned ? APInt::getMinValue(width)
                           : (width == 1 ? APInt(1, 0)
                                         : APInt::getSignedMinValue(width));
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}

Value highestValue(OpBuilder &b, Location loc, Type type, bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    APFloat value = APFloat::getInf(floatType.getFloatSemantics(), false);
    if (!APFloat::semanticsHasInf(floatType.getFloatSemantics()))
      value = APFloat::getLargest(floatType.getFloatSemantics(), false);
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
  }
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value = isUnsigned || width == 1 ? APInt::getMaxValue(width)
                                         : APInt::getSignedMaxValue(width);
  return arith::ConstantOp::create(b, loc, type, b.getIntegerAttr(type, value));
}

Value scalarAdd(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::AddFOp::create(b, loc, x, y);
  return arith::AddIOp::create(b, loc, x, y);
}

Value scalarSub(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::SubFOp::create(b, loc, x, y);
  return arith::SubIOp::create(b, loc, x, y);
}

Value scalarMul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return arith::MulFOp::create(b, loc, x, y);
  return arith::MulIOp::create(b, loc, x, y);
}

Value scalarDiv(OpBuilder &b, Location loc, Value x, Value y,
                bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::DivFOp::create(b, loc, x, y);
  if (isUnsigned)
    return arith::DivUIOp::create(b, loc, x, y);
  return arith::DivSIOp::create(b, loc, x, y);
}

Value scalarMax(OpBuilder &b, Location loc, Value x, Value y,
                bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MaximumFOp::create(b, loc, x, y);
  if (isUnsigned || x.getType().isInteger(1))
    return arith::MaxUIOp::create(b, loc, x, y);
  return arith::MaxSIOp::create(b, loc, x, y);
}

Value scalarMin(OpBuilder &b, Location loc, Value x, Value y,
                bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return arith::MinimumFOp::create(b, loc, x, y);
  if (isUnsigned || x.getType().isInteger(1))
    return arith::MinUIOp::create(b, loc, x, y);
  return arith::MinSIOp::create(b, loc, x, y);
}

Value convertScalar(OpBuilder &b, Location loc, Value x, Type dstType,
                    bool srcUnsigned, bool dstUnsigned) {
  Type srcType = x.getType();
  if (srcType == dstType)
    return x;
  auto srcFloat = dyn_cast<FloatType>(srcType);
  auto dstFloat = dyn_cast<FloatType>(dstType);
  // i1 is ONNX bool: zero-extended, and "to bool" means "!= 0".
  srcUnsigned |= srcType.isInteger(1);
  if (dstType.isInteger(1)) {
    if (srcFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   constScalar(b, loc, srcType, 0.0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 constInt(b, loc, srcType, 0));
  }
  if (srcFloat && dstFloat) {
    if (srcFloat.getWidth() < dstFloat.getWidth())
      return arith::ExtFOp::create(b, loc, dstType, x);
    if (srcFloat.getWidth() > dstFloat.getWidth())
      return arith::TruncFOp::create(b, loc, dstType, x);
    // Same width, different format (f16 <-> bf16): go through f32.
    Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
    return arith::TruncFOp::create(b, loc, dstType, wide);
  }
  if (srcFloat) {
    if (dstUnsigned)
      return arith::FPToUIOp::create(b, loc, dstType, x);
    return arith::FPToSIOp::create(b, loc, dstType, x);
  }
  if (dstFloat) {
    if (srcUnsigned)
      return arith::UIToFPOp::create(b, loc, dstType, x);
    return arith::SIToFPOp::create(b, loc, dstType, x);
  }
  if (dstType.isIndex() || srcType.isIndex())
    return arith::IndexCastOp::create(b, loc, dstType, x);
  unsigned srcWidth = srcType.getIntOrFloatBitWidth();
  unsigned dstWidth = dstType.getIntOrFloatBitWidth();
  if (srcWidth > dstWidth)
    return arith::TruncIOp::create(b, loc, dstType, x);
  if (srcUnsigned)
    return arith::ExtUIOp::create(b, loc, dstType, x);
  return arith::ExtSIOp::create(b, loc, dstType, x);
}

Value fusedMulAdd(OpBuilder &b, Location loc, Value x, Value y, Value z) {
  Type f64 = b.getF64Type();
  auto wide = [&](Value v) {
    return convertScalar(b, loc, v, f64, false, false);
  };
  Value wx = wide(x), wy = wide(y), wz = wide(z);
  Value r =
      arith::AddFOp::create(b, loc, arith::MulFOp::create(b, loc, wx, wy), wz);
  return convertScalar(b, loc, r, b.getF32Type(), false, false);
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

Value createEmpty(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType) {
  return tensor::EmptyOp::create(b, loc, shape, elementType);
}

Value createEmptySized(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                       Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value createFilledSized(OpBuilder &b, Location loc,
                        ArrayRef<OpFoldResult> sizes, Value scalar,
                        Type elementType) {
  if (elementType && elementType != scalar.getType())
    return buildParallelSized(b, loc, {}, sizes, elementType,
                         [&](OpBuilder &, Location, ValueRange) {
                           return scalar;
                         });
  Value empty = createEmptySized(b, loc, sizes, scalar.getType());
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value createFilled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Value scalar, Type elementType) {
  if (elementType && elementType != scalar.getType())
    return buildParallel(b, loc, {}, shape, elementType,
                         [&](OpBuilder &, Location, ValueRange) {
                           return scalar;
                         });
  Value empty = createEmpty(b, loc, shape, scalar.getType());
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value reshapeTo(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> shape) {
  auto srcType = cast<RankedTensorType>(value.getType());
  auto dstType = RankedTensorType::get(shape, srcType.getElementType());
  if (srcType == dstType)
    return value;
  // A reshaped empty tensor is an empty tensor of the new shape: a fill or
  // reduction on it then starts from tensor.empty, which dispatch formation
  // clones into the consuming kernel instead of materializing a zero buffer.
  if (auto empty = value.getDefiningOp<tensor::EmptyOp>();
      empty && dstType.hasStaticShape())
    return tensor::EmptyOp::create(b, loc, shape, srcType.getElementType());
  // Likewise a filled empty tensor (a matmul's zero accumulator).
  if (auto fill = value.getDefiningOp<linalg::FillOp>();
      fill && dstType.hasStaticShape() &&
      fill.getOutputs()[0].getDefiningOp<tensor::EmptyOp>()) {
    Value empty =
        tensor::EmptyOp::create(b, loc, shape, srcType.getElementType());
    return linalg::FillOp::create(b, loc, fill.getInputs()[0], empty)
        .getResult(0);
  }
  ArrayRef<int64_t> srcShape = srcType.getShape();
  if (shape.empty())
    return tensor::CollapseShapeOp::create(b, loc, dstType, value,
                                           ArrayRef<ReassociationIndices>{});
  if (srcShape.empty())
    return tensor::ExpandShapeOp::create(b, loc, dstType, value,
                                         ArrayRef<ReassociationIndices>{});
  if (srcShape.size() > shape.size()) {
    if (auto reassoc = getReassociationIndicesForCollapse(srcShape, shape))
      return tensor::CollapseShapeOp::create(b, loc, dstType, value, *reassoc);
  } else if (srcShape.size() < shape.size()) {
    if (auto reassoc = getReassociationIndicesForCollapse(shape, srcShape))
      return tensor::ExpandShapeOp::create(b, loc, dstType, value, *reassoc);
  }
  // General case: through 1-D.
  int64_t size = 1;
  for (int64_t d : srcShape)
    size *= d;
  Value flat = value;
  if (srcShape.size() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0, e = srcShape.size(); i < e; ++i)
      all.push_back(i);
    flat = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({size}, srcType.getElementType()), value,
        ArrayRef<ReassociationIndices>{all});
  }
  if (shape.size() == 1)
    return flat;
  ReassociationIndices all;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    all.push_back(i);
  return tensor::ExpandShapeOp::create(b, loc, dstType, flat,
                                       ArrayRef<ReassociationIndices>{all});
}

Value reshapeToSizes(OpBuilder &b, Location loc, Value value,
                     ArrayRef<OpFoldResult> sizes) {
  auto srcType = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape = staticShapeOf(sizes);
  if (srcType.hasStaticShape() && !ShapedType::isDynamicShape(shape))
    return reshapeTo(b, loc, value, shape);
  auto dstType = RankedTensorType::get(shape, srcType.getElementType());
  ArrayRef<int64_t> srcShape = srcType.getShape();
  if (srcType == dstType)
    return value;
  // A dynamic dim is only matched with a dynamic dim of the same size in a
  // group of otherwise unit dims: the sizes must say which.
  auto srcSizes = getDimSizes(value);
  auto sameDynamic = [&](OpFoldResult a, OpFoldResult b2) {
    return a && b2 && a == b2;
  };
  // Groups: walk both shapes, each dynamic dim of one side pairs with an
  // equal dynamic size of the other; static dims group by products.
  auto group = [&](ArrayRef<int64_t> big, ArrayRef<OpFoldResult> bigSizes,
                   ArrayRef<int64_t> small, ArrayRef<OpFoldResult> smallSizes)
      -> std::optional<SmallVector<ReassociationIndices>> {
    SmallVector<ReassociationIndices> groups;
    size_t i = 0;
    for (size_t j = 0; j < small.size(); ++j) {
      ReassociationIndices g;
      if (ShapedType::isDynamic(small[j])) {
        // Unit dims, then the one equal dynamic dim.
        while (i < big.size() && big[i] == 1)
          g.push_back(i++);
        if (i >= big.size() || !ShapedType::isDynamic(big[i]) ||
            !sameDynamic(bigSizes[i], smallSizes[j]))
          return std::nullopt;
        g.push_back(i++);
      } else {
        int64_t product = 1;
        while (i < big.size() && !ShapedType::isDynamic(big[i]) &&
               (product < small[j] || g.empty())) {
          product *= big[i];
          g.push_back(i++);
        }
        if (product != small[j] || g.empty())
          return std::nullopt;
      }
      // Trailing unit dims of the last group.
      if (j + 1 == small.size())
        while (i < big.size() && big[i] == 1)
          g.push_back(i++);
      groups.push_back(g);
    }
    if (i != big.size())
      return std::nullopt;
    return groups;
  };
  // With the analysis: group by products of the dims' expressions, so that
  // [batch, seq, 768] and [batch * seq, 768] match.
  auto srcExprs = getDimExprs(value);
  std::optional<SmallVector<AffineExpr>> dstExprs;
  if (DynamicDims *dims = DynamicDims::current(); dims && srcExprs) {
    SmallVector<AffineExpr> exprs;
    for (OpFoldResult r : sizes) {
      AffineExpr e;
      if (auto c = getConstantIntValue(r))
        e = getAffineConstantExpr(*c, b.getContext());
      else
        for (auto &[expr, v] : dims->getApplied())
          if (v == llvm::dyn_cast_if_present<Value>(r))
            e = expr;
      if (!e)
        for (auto [i, sym] : llvm::enumerate(dims->getSymbolValues()))
          if (sym == llvm::dyn_cast_if_present<Value>(r))
            e = getAffineSymbolExpr(i, b.getContext());
      if (!e)
        break;
      exprs.push_back(e);
    }
    if (exprs.size() == sizes.size())
      dstExprs = exprs;
  }
  auto groupExprs = [&](ArrayRef<AffineExpr> big, ArrayRef<AffineExpr> small)
      -> std::optional<SmallVector<ReassociationIndices>> {
    const graph::SymbolicShapeAnalysis &analysis =
        DynamicDims::current()->getAnalysis();
    SmallVector<ReassociationIndices> groups;
    size_t i = 0;
    AffineExpr one = analysis.constant(1);
    for (size_t j = 0; j < small.size(); ++j) {
      ReassociationIndices g;
      AffineExpr product = one;
      while (i < big.size() &&
             (g.empty() || !analysis.provablyEqual(product, small[j]))) {
        product = analysis.canonical(product * big[i]);
        g.push_back(i++);
      }
      if (!analysis.provablyEqual(product, small[j]))
        return std::nullopt;
      if (j + 1 == small.size())
        while (i < big.size() && analysis.provablyEqual(big[i], one))
          g.push_back(i++);
      groups.push_back(g);
    }
    if (i != big.size())
      return std::nullopt;
    return groups;
  };
  if (srcExprs && dstExprs && !shape.empty() && !srcShape.empty() &&
      srcShape.size() != shape.size()) {
    bool collapse = srcShape.size() > shape.size();
    auto groups = collapse ? groupExprs(*srcExprs, *dstExprs)
                           : groupExprs(*dstExprs, *srcExprs);
    if (groups && collapse)
      return tensor::CollapseShapeOp::create(b, loc, dstType, value, *groups);
    if (groups)
      return tensor::ExpandShapeOp::create(b, loc, dstType, value, *groups,
                                           sizes);
  }
  if (!srcSizes)
    return nullptr;
  if (srcShape.size() > shape.size()) {
    if (shape.empty())
      return nullptr;
    auto groups = group(srcShape, *srcSizes, shape, sizes);
    if (!groups)
      return nullptr;
    return tensor::CollapseShapeOp::create(b, loc, dstType, value, *groups);
  }
  if (srcShape.size() < shape.size()) {
    if (srcShape.empty())
      return nullptr;
    auto groups = group(shape, sizes, srcShape, *srcSizes);
    if (!groups)
      return nullptr;
    return tensor::ExpandShapeOp::create(b, loc, dstType, value, *groups,
                                         sizes);
  }
  return nullptr;
}

LoopOperand readInto(OpBuilder &b, Location loc, Value value,
                     ArrayRef<int64_t> loopShape, ArrayRef<int64_t> loopDims) {
  auto type = cast<RankedTensorType>(value.getType());
  ArrayRef<int64_t> shape = type.getShape();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> kept;
  for (auto [i, size] : llvm::enumerate(shape))
    if (!(size == 1 && loopShape[loopDims[i]] != 1))
      kept.push_back(i);
  SmallVector<AffineExpr> exprs;
  for (int64_t i : kept)
    exprs.push_back(getAffineDimExpr(loopDims[i], ctx));
  auto map = AffineMap::get(loopShape.size(), 0, exprs, ctx);
  if (kept.size() == shape.size())
    return {value, map};
  // Each kept dim absorbs the dropped (unit) dims before it; trailing
  // dropped dims go to the last group.
  SmallVector<ReassociationIndices> reassoc;
  SmallVector<int64_t> newShape;
  ReassociationIndices pending;
  for (int64_t i = 0, e = shape.size(); i < e; ++i) {
    pending.push_back(i);
    if (llvm::is_contained(kept, i)) {
      reassoc.push_back(pending);
      newShape.push_back(shape[i]);
      pending.clear();
    }
  }
  if (!pending.empty() && !reassoc.empty())
    reassoc.back().append(pending.begin(), pending.end());
  auto newType = RankedTensorType::get(newShape, type.getElementType());
  Value collapsed =
      tensor::CollapseShapeOp::create(b, loc, newType, value, reassoc);
  return {collapsed, map};
}

LoopOperand broadcastInto(OpBuilder &b, Location loc, Value value,
                          ArrayRef<int64_t> loopShape) {
  auto rank = cast<RankedTensorType>(value.getType()).getRank();
  int64_t offset = loopShape.size() - rank;
  SmallVector<int64_t> loopDims;
  for (int64_t i = 0; i < rank; ++i)
    loopDims.push_back(i + offset);
  return readInto(b, loc, value, loopShape, loopDims);
}

Value buildParallel(OpBuilder &b, Location loc, ArrayRef<LoopOperand> inputs,
                    ArrayRef<int64_t> shape, Type elementType,
                    ScalarBody body) {
  return buildParallelSized(b, loc, inputs,
                            getAsIndexOpFoldResult(b.getContext(), shape),
                            elementType, body);
}

Value buildParallelSized(OpBuilder &b, Location loc,
                         ArrayRef<LoopOperand> inputs,
                         ArrayRef<OpFoldResult> sizes, Type elementType,
                         ScalarBody body) {
  size_t rank = sizes.size();
  SmallVector<Value> values;
  SmallVector<AffineMap> maps;
  for (const LoopOperand &input : inputs) {
    values.push_back(input.value);
    maps.push_back(input.map);
  }
  maps.push_back(b.getMultiDimIdentityMap(rank));
  Value init = createEmptySized(b, loc, sizes, elementType);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, values, ValueRange{init}, maps,
      iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Value result =
            body(nb, nloc, toSignlessScalars(nb, nloc, args.drop_back()));
        linalg::YieldOp::create(
            nb, nloc, fromSignlessScalar(nb, nloc, result, elementType));
      });
  return generic.getResult(0);
}

Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       ArrayRef<int64_t> shape, Type elementType,
                       ScalarBody body) {
  SmallVector<LoopOperand> operands;
  for (Value input : inputs)
    operands.push_back(broadcastInto(b, loc, input, shape));
  return buildParallel(b, loc, operands, shape, elementType, body);
}

Value buildElementwiseSized(OpBuilder &b, Location loc, ValueRange inputs,
                            ArrayRef<OpFoldResult> sizes, Type elementType,
                            ScalarBody body) {
  SmallVector<int64_t> shape = staticShapeOf(sizes);
  SmallVector<LoopOperand> operands;
  for (Value input : inputs)
    operands.push_back(broadcastInto(b, loc, input, shape));
  return buildParallelSized(b, loc, operands, sizes, elementType, body);
}

SmallVector<int64_t> reducedShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> axes, bool keepDims) {
  SmallVector<int64_t> out;
  for (auto [i, size] : llvm::enumerate(shape)) {
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      out.push_back(size);
    else if (keepDims)
      out.push_back(1);
  }
  return out;
}

std::pair<SmallVector<utils::IteratorType>, AffineMap>
reductionLoops(MLIRContext *ctx, int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(axes, i)) {
      iterators.push_back(utils::IteratorType::reduction);
    } else {
      iterators.push_back(utils::IteratorType::parallel);
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  return {iterators, AffineMap::get(rank, 0, outExprs, ctx)};
}

Value buildReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes, Value init,
    llvm::function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  Type elementType = type.getElementType();
  Value filled;
  if (type.hasStaticShape()) {
    SmallVector<int64_t> outShape =
        reducedShape(type.getShape(), axes, false);
    filled = createFilled(b, loc, outShape, init, elementType);
  } else {
    SmallVector<OpFoldResult> outSizes;
    for (auto [i, r] : llvm::enumerate(*getDimSizes(input)))
      if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
        outSizes.push_back(r);
    filled = createFilledSized(b, loc, outSizes, init, elementType);
  }
  auto [iterators, outMap] = reductionLoops(b.getContext(), rank, axes);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank), outMap};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{filled.getType()}, ValueRange{input},
      ValueRange{filled}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        SmallVector<Value> scalars = toSignlessScalars(nb, nloc, args);
        Value result = combine(nb, nloc, scalars[0], scalars[1]);
        linalg::YieldOp::create(
            nb, nloc, fromSignlessScalar(nb, nloc, result, elementType));
      });
  return generic.getResult(0);
}

std::optional<WindowParams>
getWindowParams(ArrayRef<int64_t> inSpatial, ArrayRef<int64_t> outSpatial,
                ArrayRef<int64_t> kernel,
                std::optional<ArrayRef<int64_t>> strides,
                std::optional<ArrayRef<int64_t>> dilations,
                std::optional<ArrayRef<int64_t>> pads, StringRef autoPad) {
  size_t rank = inSpatial.size();
  if (kernel.size() != rank || outSpatial.size() != rank)
    return std::nullopt;
  if ((strides && strides->size() != rank) ||
      (dilations && dilations->size() != rank) ||
      (pads && pads->size() != 2 * rank))
    return std::nullopt;
  WindowParams params;
  params.kernel.assign(kernel.begin(), kernel.end());
  for (size_t i = 0; i < rank; ++i) {
    int64_t stride = strides ? (*strides)[i] : 1;
    int64_t dilation = dilations ? (*dilations)[i] : 1;
    if (stride <= 0 || dilation <= 0)
      return std::nullopt;
    params.strides.push_back(stride);
    params.dilations.push_back(dilation);
    int64_t extent = (kernel[i] - 1) * dilation + 1;
    int64_t begin = 0, end = 0;
    if (autoPad == "NOTSET" || autoPad.empty()) {
      if (pads) {
        begin = (*pads)[i];
        end = (*pads)[i + rank];
      }
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      int64_t total = std::max<int64_t>(
          0, (outSpatial[i] - 1) * stride + extent - inSpatial[i]);
      begin = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      end = total - begin;
    } else if (autoPad != "VALID") {
      return std::nullopt;
    }
    if (begin < 0 || end < 0)
      return std::nullopt;
    params.padBegin.push_back(begin);
    params.explicitPadEnd.push_back(end);
    // ceil_mode (or SAME rounding): the last window may need more.
    int64_t needed = (outSpatial[i] - 1) * stride + extent - inSpatial[i] - begin;
    params.padEnd.push_back(std::max(end, needed));
  }
  return params;
}

Value padWith(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
              ArrayRef<int64_t> high, Value value) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (size_t i = 0; i < shape.size(); ++i)
    shape[i] += low[i] + high[i];
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> lowAttrs, highAttrs;
  for (size_t i = 0; i < shape.size(); ++i) {
    lowAttrs.push_back(b.getIndexAttr(low[i]));
    highAttrs.push_back(b.getIndexAttr(high[i]));
  }
  return tensor::PadOp::create(b, loc, resultType, input, lowAttrs, highAttrs,
                               value);
}

Value padSpatial(OpBuilder &b, Location loc, Value input,
                 ArrayRef<int64_t> padBegin, ArrayRef<int64_t> padEnd,
                 Value value) {
  SmallVector<int64_t> low = {0, 0}, high = {0, 0};
  low.append(padBegin.begin(), padBegin.end());
  high.append(padEnd.begin(), padEnd.end());
  return padWith(b, loc, input, low, high, value);
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

std::optional<SmallVector<int64_t>> constantInts(Value value) {
  return graph::getConstantInts(value);
}

std::optional<SmallVector<double>> constantFloats(Value value) {
  return graph::getConstantFloats(value);
}

std::string whyTooLarge(Operation *op) {
  auto check = [](Type type, StringRef what, unsigned index) -> std::string {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return "";
    Type elem = tensor.getElementType();
    if (!elem.isIntOrFloat())
      return "";
    int64_t bytes =
        std::max<int64_t>(1, (elem.getIntOrFloatBitWidth() + 7) / 8);
    bool overflow = false;
    int64_t elements = 1;
    for (int64_t d : tensor.getShape())
      overflow |= llvm::MulOverflow(elements, d, elements);
    int64_t total = 0;
    overflow |= llvm::MulOverflow(elements, bytes, total);
    if (!overflow && total <= kMaxTensorBytes)
      return "";
    std::string s;
    llvm::raw_string_ostream os(s);
    os << what << " " << index << " (" << type << ") has ";
    if (overflow)
      os << "more elements than int64 can count";
    else
      os << elements << " elements (" << total << " bytes)";
    os << ", more than the 2^40-byte limit of a tensor";
    return s;
  };
  for (auto [i, v] : llvm::enumerate(op->getResults()))
    if (std::string why = check(v.getType(), "result", i); !why.empty())
      return why;
  for (auto [i, v] : llvm::enumerate(op->getOperands()))
    if (std::string why = check(v.getType(), "operand", i); !why.empty())
      return why;
  return "";
}

} // namespace aicc::lowering
