//===- LowerNarrowTypes.cpp - float8/float4/int4/int2 to byte storage -----===//
//
// The aicc-legalize-narrow-types pass and the conversions it expands
// (NarrowTypes.h). After the graph -> linalg lowering, tensors of f8E4M3FN,
// f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ, f8E8M0FNU, f4E2M1FN, i4/ui4 and i2/ui2 are
// still typed as such and linalg bodies convert with arith ops on those
// types. The pass gives every such value its one-byte storage type (i8, or
// ui8 for unsigned integers) and replaces each conversion by integer
// arithmetic on the bits: decoding is exact; encoding rounds to nearest even
// on the f32 bits (E8M0: the Cast's round_mode), with ONNX's saturate rules.
//
// Narrow integers in bodies are "low bits valid": storage is canonical
// (sign-extended for signed, zero-extended for unsigned types), reads of a
// value re-normalize where the upper bits matter (extension, conversion to
// float, comparison), and every value yielded into a narrow tensor is
// normalized to its tensor's signedness.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/NarrowTypes.h"
#include "passes/lowering/Passes.h"

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;

namespace aicc::lowering {

#define GEN_PASS_DEF_LEGALIZENARROWTYPESPASS
#include "passes/lowering/Passes.h.inc"

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

bool isNarrowFloat(Type type) {
  return isa<Float8E4M3FNType, Float8E4M3FNUZType, Float8E5M2Type,
             Float8E5M2FNUZType, Float8E8M0FNUType, Float4E2M1FNType>(type);
}

bool isNarrowInt(Type type) {
  auto integer = dyn_cast<IntegerType>(type);
  return integer && !integer.isSigned() &&
         (integer.getWidth() == 2 || integer.getWidth() == 4);
}

bool isNarrowType(Type type) {
  return isNarrowFloat(type) || isNarrowInt(type);
}

Type getNarrowStorageType(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type)) {
    Type element = shaped.getElementType();
    Type storage = getNarrowStorageType(element);
    return storage == element ? type : shaped.clone(storage);
  }
  if (!isNarrowType(type))
    return type;
  return IntegerType::get(type.getContext(), 8,
                          isUnsignedInt(type) ? IntegerType::Unsigned
                                              : IntegerType::Signless);
}

namespace {

/// The layout of a narrow float type other than E8M0.
struct FloatFormat {
  unsigned expBits, manBits;
  int bias;
  enum Kind { IEEE, FN, FNUZ, NoSpecials } kind;
  /// Largest finite magnitude's encoding.
  unsigned maxEnc;
  unsigned width() const { return 1 + expBits + manBits; }
};

std::optional<FloatFormat> getFormat(Type type) {
  if (isa<Float8E4M3FNType>(type))
    return FloatFormat{4, 3, 7, FloatFormat::FN, 0x7e};
  if (isa<Float8E4M3FNUZType>(type))
    return FloatFormat{4, 3, 8, FloatFormat::FNUZ, 0x7f};
  if (isa<Float8E5M2Type>(type))
    return FloatFormat{5, 2, 15, FloatFormat::IEEE, 0x7b};
  if (isa<Float8E5M2FNUZType>(type))
    return FloatFormat{5, 2, 16, FloatFormat::FNUZ, 0x7f};
  if (isa<Float4E2M1FNType>(type))
    return FloatFormat{2, 1, 1, FloatFormat::NoSpecials, 0x7};
  return std::nullopt;
}

/// Scalar i32 helpers.
struct I32Builder {
  OpBuilder &b;
  Location loc;
  Type i32 = b.getI32Type();

  Value c(int64_t v) { return constInt(b, loc, i32, v); }
  Value andi(Value x, int64_t m) {
    return arith::AndIOp::create(b, loc, x, c(m));
  }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value shl(Value x, int64_t s) {
    return arith::ShLIOp::create(b, loc, x, c(s));
  }
  Value shr(Value x, int64_t s) {
    return arith::ShRUIOp::create(b, loc, x, c(s));
  }
  Value shrV(Value x, Value s) { return arith::ShRUIOp::create(b, loc, x, s); }
  Value shlV(Value x, Value s) { return arith::ShLIOp::create(b, loc, x, s); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmp(arith::CmpIPredicate p, Value x, int64_t y) {
    return cmp(p, x, c(y));
  }
  Value sel(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value sel(Value cond, int64_t x, Value y) { return sel(cond, c(x), y); }
  /// Round to nearest even of `v >> s` (v >= 0, v + 2^s < 2^31).
  Value roundShift(Value v, Value s) {
    Value one = c(1);
    Value half = sub(shlV(one, sub(s, one)), one);
    Value odd = andi(shrV(v, s), 1);
    return shrV(add(add(v, half), odd), s);
  }
};

} // namespace

Value decodeNarrowFloat(OpBuilder &b, Location loc, Value bits, Type type) {
  using P = arith::CmpIPredicate;
  I32Builder i{b, loc};
  Value u = arith::ExtUIOp::create(b, loc, i.i32, bits);
  Type f32 = b.getF32Type();
  if (isa<Float8E8M0FNUType>(type)) {
    // 2^(e - 127); 0 is the f32 subnormal 2^-127, 0xff NaN.
    Value r = i.sel(i.cmp(P::eq, u, 0), 0x00400000, i.shl(u, 23));
    r = i.sel(i.cmp(P::eq, u, 0xff), 0x7fc00000, r);
    return arith::BitcastOp::create(b, loc, f32, r);
  }
  FloatFormat f = *getFormat(type);
  unsigned n = f.width();
  u = i.andi(u, (1 << n) - 1);
  Value sign = i.shl(i.shr(u, n - 1), 31);
  Value mag = i.andi(u, (1 << (n - 1)) - 1);
  Value exp = i.shr(mag, f.manBits);
  Value man = i.andi(mag, (1 << f.manBits) - 1);
  // Normal: rebias the exponent, widen the mantissa.
  Value normal = i.ori(i.shl(i.add(exp, i.c(127 - f.bias)), 23),
                       i.shl(man, 23 - f.manBits));
  // Subnormal: man * 2^(1 - bias - manBits), exact in f32.
  Value scaled = arith::MulFOp::create(
      b, loc, arith::UIToFPOp::create(b, loc, f32, man),
      constScalar(b, loc, f32, std::ldexp(1.0, 1 - f.bias - (int)f.manBits)));
  Value sub = arith::BitcastOp::create(b, loc, i.i32, scaled);
  Value r = i.ori(i.sel(i.cmp(P::eq, exp, 0), sub, normal), sign);
  unsigned expMax = (1 << f.expBits) - 1;
  switch (f.kind) {
  case FloatFormat::IEEE: {
    Value special = i.cmp(P::eq, exp, expMax);
    Value inf = i.sel(i.cmp(P::eq, man, 0), i.c(0x7f800000), i.c(0x7fc00000));
    r = i.sel(special, i.ori(inf, sign), r);
    break;
  }
  case FloatFormat::FN:
    r = i.sel(i.cmp(P::eq, mag, (1 << (n - 1)) - 1),
              i.ori(i.c(0x7fc00000), sign), r);
    break;
  case FloatFormat::FNUZ:
    r = i.sel(i.cmp(P::eq, u, 1 << (n - 1)), 0x7fc00000, r);
    break;
  case FloatFormat::NoSpecials:
    break;
  }
  return arith::BitcastOp::create(b, loc, f32, r);
}

Value encodeNarrowFloat(OpBuilder &b, Location loc, Value x, Type type,
                        bool saturate, StringRef roundMode) {
  using P = arith::CmpIPredicate;
  I32Builder i{b, loc};
  Type i8 = b.getI8Type();
  if (!x.getType().isF32())
    x = convertScalar(b, loc, x, b.getF32Type(), false, false);
  Value bits = arith::BitcastOp::create(b, loc, i.i32, x);
  if (isa<Float8E8M0FNUType>(type)) {
    // onnx.numpy_helper.to_float8e8m0: the f32 exponent, rounded by the
    // dropped mantissa bits; the sign is ignored; inf and NaN give 0xff.
    Value e = i.andi(i.shr(bits, 23), 0xff);
    Value up;
    if (roundMode == "up") {
      up = i.cmp(P::ne, i.andi(bits, 0x7fffff), 0);
    } else if (roundMode == "down") {
      up = constInt(b, loc, b.getI1Type(), 0);
    } else {
      Value g = i.cmp(P::ne, i.andi(bits, 0x400000), 0);
      Value rest = i.cmp(P::ne, i.andi(bits, 0x3fffff), 0);
      Value lsb = i.cmp(P::ugt, e, 0);
      up = arith::AndIOp::create(b, loc, g,
                                 arith::OrIOp::create(b, loc, rest, lsb));
    }
    if (saturate)
      up = arith::AndIOp::create(b, loc, up, i.cmp(P::ne, e, 0xfe));
    Value r = i.add(e, arith::ExtUIOp::create(b, loc, i.i32, up));
    r = i.sel(i.cmp(P::eq, e, 0xff), 0xff, r);
    return arith::TruncIOp::create(b, loc, i8, r);
  }
  FloatFormat f = *getFormat(type);
  unsigned n = f.width();
  Value sign = i.shr(bits, 31);
  Value abs = i.andi(bits, 0x7fffffff);
  Value isNaN = i.cmp(P::ugt, abs, 0x7f800000);
  Value isInf = i.cmp(P::eq, abs, 0x7f800000);
  Value e32 = i.shr(abs, 23);
  int shift = 23 - f.manBits;
  // In the normal range of the target: rebias and round the mantissa.
  Value rebased = i.sub(abs, i.c((int64_t)(127 - f.bias) << 23));
  Value normal = i.roundShift(rebased, i.c(shift));
  // Below it: the significand in units of the smallest subnormal.
  Value isSub = i.cmp(P::slt, e32, 128 - f.bias);
  Value hasHidden = i.cmp(P::ne, e32, 0);
  Value mant = i.ori(i.andi(abs, 0x7fffff), i.sel(hasHidden, 0x800000, i.c(0)));
  Value e32eff = i.sel(hasHidden, e32, i.c(1));
  Value s = i.sub(i.c(151 - f.bias - f.manBits), e32eff);
  s = arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, s, i.c(1)),
                             i.c(31));
  Value subnormal = i.roundShift(mant, s);
  Value r = i.sel(isSub, subnormal, normal);
  // Overflow (after rounding) and infinities.
  unsigned signBit = 1u << (n - 1);
  int64_t overflowEnc;
  if (saturate || f.kind == FloatFormat::NoSpecials)
    overflowEnc = f.maxEnc;
  else if (f.kind == FloatFormat::IEEE)
    overflowEnc = (int64_t)((1u << f.expBits) - 1) << f.manBits;
  else if (f.kind == FloatFormat::FN)
    overflowEnc = signBit - 1;
  else
    overflowEnc = -1; // FNUZ: NaN, unsigned
  Value big =
      arith::OrIOp::create(b, loc, isInf, i.cmp(P::sgt, r, (int64_t)f.maxEnc));
  Value signed_;
  if (overflowEnc >= 0) {
    r = i.sel(big, overflowEnc, r);
    signed_ = i.ori(r, i.shl(sign, n - 1));
  } else {
    signed_ = i.ori(r, i.shl(sign, n - 1));
    signed_ = i.sel(big, (int64_t)signBit, signed_);
  }
  // FNUZ has no negative zero.
  if (f.kind == FloatFormat::FNUZ)
    signed_ = i.sel(i.cmp(P::eq, r, 0), 0, signed_);
  // NaN: the type's NaN of the input's sign (FNUZ: its only NaN; float4,
  // which has none, follows ml_dtypes: zero of the opposite sign).
  Value nan;
  switch (f.kind) {
  case FloatFormat::IEEE:
    nan = i.ori(i.c(0x7e), i.shl(sign, 7));
    break;
  case FloatFormat::FN:
    nan = i.ori(i.c(0x7f), i.shl(sign, 7));
    break;
  case FloatFormat::FNUZ:
    nan = i.c(0x80);
    break;
  case FloatFormat::NoSpecials:
    nan = i.shl(i.sub(i.c(1), sign), n - 1);
    break;
  }
  signed_ = i.sel(isNaN, nan, signed_);
  return arith::TruncIOp::create(b, loc, i8, signed_);
}

//===----------------------------------------------------------------------===//
// The Cast lowering's markers
//===----------------------------------------------------------------------===//

Value buildNarrowCast(OpBuilder &b, Location loc, Value x, Type dstType,
                      bool srcUnsigned, bool dstUnsigned, bool saturate,
                      StringRef roundMode) {
  Type srcType = x.getType();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  if (srcType == dstType)
    return x;
  // Read the source as f32 or i32 (exact for every narrow source).
  if (isNarrowFloat(srcType))
    x = arith::ExtFOp::create(b, loc, f32, x);
  else if (isNarrowInt(srcType)) {
    x = srcUnsigned ? Value(arith::ExtUIOp::create(b, loc, i32, x))
                    : Value(arith::ExtSIOp::create(b, loc, i32, x));
    srcUnsigned = false;
  }
  if (isNarrowFloat(dstType)) {
    if (!isa<FloatType>(x.getType()))
      x = convertScalar(b, loc, x, f32, srcUnsigned, false);
    else if (!x.getType().isF32())
      x = convertScalar(b, loc, x, f32, false, false);
    auto trunc = arith::TruncFOp::create(b, loc, dstType, x);
    trunc->setAttr(kSaturateAttrName, b.getBoolAttr(saturate));
    if (isa<Float8E8M0FNUType>(dstType))
      trunc->setAttr(kRoundModeAttrName, b.getStringAttr(roundMode));
    return trunc;
  }
  if (isNarrowInt(dstType)) {
    // Wrap like the reference: to i32 (floats truncate toward zero), then
    // the low bits.
    if (isa<FloatType>(x.getType()))
      x = arith::FPToSIOp::create(b, loc, i32, x);
    else
      x = convertScalar(b, loc, x, i32, srcUnsigned, false);
    return arith::TruncIOp::create(b, loc, dstType, x);
  }
  return convertScalar(b, loc, x, dstType, srcUnsigned, dstUnsigned);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

/// Sign- or zero-extends the low `width` bits of the i8 `v` in place.
Value normalizeInt(OpBuilder &b, Location loc, Value v, unsigned width,
                   bool isUnsigned) {
  Type i8 = b.getI8Type();
  if (isUnsigned)
    return arith::AndIOp::create(b, loc, v,
                                 constInt(b, loc, i8, (1 << width) - 1));
  Value s = constInt(b, loc, i8, 8 - width);
  return arith::ShRSIOp::create(b, loc, arith::ShLIOp::create(b, loc, v, s), s);
}

/// The storage value (i8) of `v`, a scalar of narrow type `type`.
Value toStorage(OpBuilder &b, Location loc, Value v) {
  return UnrealizedConversionCastOp::create(b, loc, b.getI8Type(), v)
      .getResult(0);
}

/// Converts a narrow attribute (scalar or dense) to its storage form.
Attribute convertAttr(Attribute attr) {
  if (auto fa = dyn_cast<FloatAttr>(attr)) {
    if (!isNarrowFloat(fa.getType()))
      return attr;
    APInt bits = fa.getValue().bitcastToAPInt().zextOrTrunc(8);
    return IntegerAttr::get(IntegerType::get(attr.getContext(), 8), bits);
  }
  if (auto ia = dyn_cast<IntegerAttr>(attr)) {
    if (!isNarrowInt(ia.getType()))
      return attr;
    bool isUnsigned = isUnsignedInt(ia.getType());
    APInt v = isUnsigned ? ia.getValue().zext(8) : ia.getValue().sext(8);
    return IntegerAttr::get(getNarrowStorageType(ia.getType()), v);
  }
  auto typed = dyn_cast<TypedAttr>(attr);
  if (!typed)
    return attr;
  auto shaped = dyn_cast<ShapedType>(typed.getType());
  if (!shaped || !isNarrowType(shaped.getElementType()))
    return attr;
  Type element = shaped.getElementType();
  auto storageType = cast<ShapedType>(getNarrowStorageType(shaped));
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    SmallVector<APInt> values;
    values.reserve(dense.getNumElements());
    if (isNarrowFloat(element)) {
      for (APFloat v : dense.getValues<APFloat>())
        values.push_back(v.bitcastToAPInt().zextOrTrunc(8));
    } else {
      bool isUnsigned = isUnsignedInt(element);
      for (APInt v : dense.getValues<APInt>())
        values.push_back(isUnsigned ? v.zext(8) : v.sext(8));
    }
    return DenseElementsAttr::get(storageType, values);
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    // Only whole-byte types are stored as resources: f8 bits are the bytes.
    if (element.getIntOrFloatBitWidth() == 8)
      return DenseResourceElementsAttr::get(storageType,
                                            resource.getRawHandle());
  }
  return attr;
}

bool hasNarrow(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return isNarrowType(shaped.getElementType());
  return isNarrowType(type);
}

struct LegalizeNarrowTypesPass
    : impl::LegalizeNarrowTypesPassBase<LegalizeNarrowTypesPass> {
  void runOnOperation() override;

  LogicalResult expand(Operation *op);
};

/// Expands `op`, which has a narrow operand or result, into operations on
/// storage bytes; fails with an error for ops that compute on narrow values
/// other than conversions and wrapping integer arithmetic.
LogicalResult LegalizeNarrowTypesPass::expand(Operation *op) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  Type i8 = b.getI8Type(), f32 = b.getF32Type(), i32 = b.getI32Type();
  auto replaceWith = [&](Value storage) {
    Type type = op->getResult(0).getType();
    Value result = storage;
    if (isNarrowType(type))
      result = UnrealizedConversionCastOp::create(b, loc, type, storage)
                   .getResult(0);
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
    return success();
  };
  /// Reads operand `index` as f32 (narrow float decoded) or as a normalized
  /// i8 (narrow int).
  auto readOperand = [&](unsigned index, bool isUnsigned) -> Value {
    Value v = op->getOperand(index);
    Type type = v.getType();
    if (isNarrowFloat(type))
      return decodeNarrowFloat(b, loc, toStorage(b, loc, v), type);
    if (isNarrowInt(type))
      return normalizeInt(b, loc, toStorage(b, loc, v),
                          type.getIntOrFloatBitWidth(), isUnsigned);
    return v;
  };
  /// Produces the result from `v`: an f32 encoded to a narrow float, an
  /// integer wrapped into a narrow int's low bits, else converted.
  auto writeResult = [&](Value v, bool srcUnsigned, bool dstUnsigned) {
    Type type = op->getResult(0).getType();
    if (isNarrowFloat(type)) {
      bool saturate = false;
      if (auto attr = op->getAttrOfType<BoolAttr>(kSaturateAttrName))
        saturate = attr.getValue();
      StringRef mode = "nearest";
      if (auto attr = op->getAttrOfType<StringAttr>(kRoundModeAttrName))
        mode = attr.getValue();
      if (!isa<FloatType>(v.getType()))
        v = convertScalar(b, loc, v, f32, srcUnsigned, false);
      return replaceWith(encodeNarrowFloat(b, loc, v, type, saturate, mode));
    }
    if (isNarrowInt(type)) {
      if (isa<FloatType>(v.getType()))
        v = convertScalar(b, loc, v, i32, false, dstUnsigned);
      return replaceWith(convertScalar(b, loc, v, i8, srcUnsigned, false));
    }
    return replaceWith(
        convertScalar(b, loc, v, type, srcUnsigned, dstUnsigned));
  };

  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    Attribute attr = convertAttr(constant.getValue());
    Type type = constant.getType();
    if (!isa<ShapedType>(type))
      return replaceWith(
          arith::ConstantOp::create(b, loc, cast<TypedAttr>(attr)));
    constant.setValueAttr(cast<TypedAttr>(attr));
    constant.getResult().setType(getNarrowStorageType(type));
    return success();
  }
  if (isa<arith::ExtFOp, arith::TruncFOp>(op))
    return writeResult(readOperand(0, false), false, false);
  if (isa<arith::SIToFPOp, arith::ExtSIOp>(op))
    return writeResult(readOperand(0, false), false, false);
  if (isa<arith::UIToFPOp, arith::ExtUIOp>(op))
    return writeResult(readOperand(0, true), true, false);
  if (isa<arith::FPToSIOp, arith::FPToUIOp>(op)) {
    bool isUnsigned = isa<arith::FPToUIOp>(op);
    Value v = readOperand(0, false);
    Type type = op->getResult(0).getType();
    if (isNarrowInt(type))
      return replaceWith(convertScalar(
          b, loc, convertScalar(b, loc, v, i32, false, isUnsigned), i8, false,
          false));
    return writeResult(v, false, isUnsigned);
  }
  if (isa<arith::TruncIOp>(op)) {
    Value v = op->getOperand(0);
    if (isNarrowInt(v.getType()))
      v = toStorage(b, loc, v);
    Type type = op->getResult(0).getType();
    if (isNarrowInt(type))
      return replaceWith(
          v.getType() == i8 ? v : arith::TruncIOp::create(b, loc, i8, v));
    return replaceWith(arith::TruncIOp::create(b, loc, type, v));
  }
  if (isa<arith::AddIOp, arith::SubIOp, arith::MulIOp, arith::AndIOp,
          arith::OrIOp, arith::XOrIOp, arith::ShLIOp>(op) &&
      isNarrowInt(op->getResult(0).getType())) {
    // Wrapping arithmetic: the low bits of the byte result are right.
    Operation *clone = b.clone(*op);
    for (OpOperand &operand : clone->getOpOperands())
      operand.set(toStorage(b, loc, operand.get()));
    clone->getResult(0).setType(i8);
    return replaceWith(clone->getResult(0));
  }
  if (auto cmp = dyn_cast<arith::CmpIOp>(op)) {
    bool isUnsigned = llvm::is_contained(
        {arith::CmpIPredicate::ult, arith::CmpIPredicate::ule,
         arith::CmpIPredicate::ugt, arith::CmpIPredicate::uge},
        cmp.getPredicate());
    Value l = readOperand(0, isUnsigned), r = readOperand(1, isUnsigned);
    return replaceWith(arith::CmpIOp::create(b, loc, cmp.getPredicate(), l, r));
  }
  if (isa<arith::SelectOp, UnrealizedConversionCastOp>(op))
    return success(); // retyped below
  Type narrow;
  for (Type t :
       llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes()))
    if (isNarrowType(t))
      narrow = t;
  return op->emitError() << "'" << op->getName() << "' on " << narrow
                         << " is not supported (only conversions)";
}

void LegalizeNarrowTypesPass::runOnOperation() {
  func::FuncOp func = getOperation();
  // Ops left unlowered are reported by the driver; their narrow values stay.
  bool unlowered = false;
  func.walk([&](Operation *op) {
    if (isa<graph::GraphDialect>(op->getDialect()) &&
        !isa<graph::ConstantOp>(op))
      unlowered = true;
  });
  if (unlowered)
    return;

  // 1. Expand the scalar ops on narrow values (inside bodies).
  SmallVector<Operation *> scalarOps;
  func.walk([&](Operation *op) {
    if (!isa<arith::ArithDialect, math::MathDialect>(op->getDialect()))
      return;
    bool narrow = false;
    for (Type t :
         llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes()))
      narrow |= isNarrowType(t) || (isa<arith::ConstantOp>(op) && hasNarrow(t));
    if (narrow)
      scalarOps.push_back(op);
  });
  for (Operation *op : scalarOps)
    if (failed(expand(op)))
      return signalPassFailure();

  // 2. Normalize the values yielded into narrow integer tensors.
  func.walk([&](linalg::GenericOp generic) {
    auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
    for (auto [index, init] : llvm::enumerate(generic.getDpsInits())) {
      Type element = cast<ShapedType>(init.getType()).getElementType();
      if (!isNarrowInt(element))
        continue;
      OpBuilder b(yield);
      Location loc = yield.getLoc();
      Value v = yield.getOperand(index);
      Value s = toStorage(b, loc, v);
      s = normalizeInt(b, loc, s, element.getIntOrFloatBitWidth(),
                       isUnsignedInt(element));
      yield.setOperand(
          index, UnrealizedConversionCastOp::create(b, loc, v.getType(), s)
                     .getResult(0));
    }
  });

  // 3. Give every value its storage type; constants their storage data.
  auto retype = [](Value v) {
    if (hasNarrow(v.getType()))
      v.setType(getNarrowStorageType(v.getType()));
  };
  func.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          retype(arg);
    if (auto constant = dyn_cast<graph::ConstantOp>(op)) {
      Attribute converted = convertAttr(constant.getValue());
      if (converted == constant.getValue() && hasNarrow(constant.getType())) {
        constant.emitError() << "constant of " << constant.getType()
                             << " cannot be stored as bytes";
        return signalPassFailure();
      }
      constant.setValueAttr(cast<ElementsAttr>(converted));
    }
    for (Value result : op->getResults())
      retype(result);
  });

  // 4. Casts that now cast a type to itself disappear.
  func.walk([&](UnrealizedConversionCastOp cast) {
    if (cast->getNumOperands() == 1 && cast->getNumResults() == 1 &&
        cast.getOperand(0).getType() == cast.getResult(0).getType()) {
      cast.getResult(0).replaceAllUsesWith(cast.getOperand(0));
      cast.erase();
    }
  });
  // Chains i8 -> ui8 -> i8 become the first value.
  func.walk([&](UnrealizedConversionCastOp cast) {
    if (cast->getNumOperands() != 1 || cast->getNumResults() != 1)
      return;
    auto inner = cast.getOperand(0).getDefiningOp<UnrealizedConversionCastOp>();
    if (inner && inner->getNumOperands() == 1 &&
        inner.getOperand(0).getType() == cast.getResult(0).getType())
      cast.getResult(0).replaceAllUsesWith(inner.getOperand(0));
  });

  // 5. The signature, with the caller's element types recorded.
  FunctionType type = func.getFunctionType();
  for (auto [index, input] : llvm::enumerate(type.getInputs()))
    if (hasNarrow(input))
      func.setArgAttr(index, kElementTypeAttrName,
                      TypeAttr::get(cast<ShapedType>(input).getElementType()));
  for (auto [index, result] : llvm::enumerate(type.getResults()))
    if (hasNarrow(result))
      func.setResultAttr(
          index, kElementTypeAttrName,
          TypeAttr::get(cast<ShapedType>(result).getElementType()));
  SmallVector<Type> inputs, results;
  for (Type t : type.getInputs())
    inputs.push_back(getNarrowStorageType(t));
  for (Type t : type.getResults())
    results.push_back(getNarrowStorageType(t));
  func.setFunctionType(FunctionType::get(func.getContext(), inputs, results));
}

} // namespace
} // namespace aicc::lowering
