//===- LowerElementwise.cpp - Elementwise graph ops to linalg.generic ----===//
//
// Every elementwise ONNX op (unary math, activations, broadcasting binary and
// variadic ops, comparisons, logic, Cast, Where, Clip) becomes one parallel
// linalg.generic over the result shape. Operands are NumPy-broadcast by
// collapsing their broadcast unit dims (LoweringUtils); bodies see unsigned
// scalars as signless (see Passes.td) and use the unsigned arith variants.
//
// The scalar semantics follow ONNX Runtime where ONNX leaves room: integer Div
// truncates, Max/Min propagate NaN, Round is half-to-even, Pow with a constant
// exponent of 2 or 3 multiplies, Mod with fmod=0 takes the divisor's sign.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/NarrowTypes.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <cmath>
#include <functional>

using namespace mlir;

namespace aicc::lowering {
namespace {

/// What a scalar body knows besides its operands: the op (for attributes)
/// and the original (possibly unsigned) element types.
struct ScalarContext {
  Operation *op;
  SmallVector<Type> inputTypes;
  Type resultType;
  /// Signless result element type.
  Type resultSignless;

  bool inputUnsigned(unsigned i = 0) const {
    return isUnsignedInt(inputTypes[i]);
  }
  bool isFloat() const { return isa<FloatType>(inputTypes[0]); }
};

using BodyFn = std::function<Value(OpBuilder &, Location, ValueRange,
                                   const ScalarContext &)>;
/// Extra check of an op beyond static int/float types: the reason the op
/// cannot be lowered, or an empty string.
using CheckFn = std::function<std::string(Operation *)>;

/// The scalar body of an elementwise op and its extra check.
struct Entry {
  BodyFn body;
  CheckFn check = nullptr;
};

/// Lowers one elementwise op given its scalar body: the part shared by every
/// ElementwisePattern<OpTy>.
LogicalResult lowerElementwise(Operation *op, PatternRewriter &rewriter,
                               const Entry &entry) {
  if (op->getNumResults() != 1)
    return rewriter.notifyMatchFailure(op, "needs exactly one result");
  if (std::string why = whyNotKnownIntOrFloat(op); !why.empty())
    return rewriter.notifyMatchFailure(op, why);
  if (entry.check) {
    std::string reason = entry.check(op);
    if (!reason.empty())
      return rewriter.notifyMatchFailure(op, reason);
  }
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  ScalarContext context;
  context.op = op;
  context.resultType = resultType.getElementType();
  context.resultSignless = toSignless(context.resultType);
  Location loc = op->getLoc();
  SmallVector<Value> inputs;
  // CastLike's second operand only names the element type: it is not
  // read, and broadcasting it could widen the loop nest.
  ValueRange operands = op->getOperands();
  if (isa<graph::CastLikeOp>(op))
    operands = operands.take_front();
  for (Value operand : operands) {
    context.inputTypes.push_back(
        cast<RankedTensorType>(operand.getType()).getElementType());
    inputs.push_back(operand);
  }
  auto body = [&](OpBuilder &b, Location l, ValueRange args) {
    return entry.body(b, l, args, context);
  };
  Value result =
      resultType.hasStaticShape()
          ? buildElementwise(rewriter, loc, inputs, resultType.getShape(),
                             context.resultType, body)
          : buildElementwiseSized(rewriter, loc, inputs,
                             *getKnownDimSizes(op->getResult(0)),
                             context.resultType, body);
  rewriter.replaceOp(op, result);
  return success();
}

/// Lowers the elementwise op OpTy with the scalar body of its table entry.
template <typename OpTy>
class ElementwisePattern : public LoweringPattern<OpTy> {
public:
  ElementwisePattern(MLIRContext *ctx, Entry entry)
      : LoweringPattern<OpTy>(ctx), entry(std::move(entry)) {}

  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    return lowerElementwise(op, rewriter, entry);
  }

private:
  Entry entry;
};

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

Value cst(OpBuilder &b, Location loc, Value like, double value) {
  return constScalar(b, loc, like.getType(), value);
}

double getF(Operation *op, StringRef name, double fallback) {
  if (auto attr = op->getAttrOfType<FloatAttr>(name))
    return attr.getValueAsDouble();
  return fallback;
}

int64_t getI(Operation *op, StringRef name, int64_t fallback) {
  if (auto attr = op->getAttrOfType<IntegerAttr>(name))
    return attr.getInt();
  return fallback;
}

Value select(OpBuilder &b, Location loc, Value cond, Value x, Value y) {
  return arith::SelectOp::create(b, loc, cond, x, y);
}

Value cmpF(OpBuilder &b, Location loc, arith::CmpFPredicate pred, Value x,
           Value y) {
  return arith::CmpFOp::create(b, loc, pred, x, y);
}

Value cmpI(OpBuilder &b, Location loc, arith::CmpIPredicate pred, Value x,
           Value y) {
  return arith::CmpIOp::create(b, loc, pred, x, y);
}

Value exp(OpBuilder &b, Location loc, Value x) {
  return math::ExpOp::create(b, loc, x);
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  // 1 / (1 + exp(-x))
  Value negX = arith::NegFOp::create(b, loc, x);
  Value denom = arith::AddFOp::create(b, loc, cst(b, loc, x, 1.0),
                                      exp(b, loc, negX));
  return arith::DivFOp::create(b, loc, cst(b, loc, x, 1.0), denom);
}

Value softplus(OpBuilder &b, Location loc, Value x) {
  // max(x, 0) + log1p(exp(-|x|)): log(1 + exp(x)) without overflow.
  Value absX = math::AbsFOp::create(b, loc, x);
  Value tail = math::Log1pOp::create(
      b, loc, exp(b, loc, arith::NegFOp::create(b, loc, absX)));
  Value pos = arith::MaximumFOp::create(b, loc, x, cst(b, loc, x, 0.0));
  return arith::AddFOp::create(b, loc, pos, tail);
}

/// Integer comparison predicate for a signed one given signedness.
arith::CmpIPredicate intPred(arith::CmpIPredicate signedPred,
                             bool isUnsigned) {
  if (!isUnsigned)
    return signedPred;
  switch (signedPred) {
  case arith::CmpIPredicate::slt:
    return arith::CmpIPredicate::ult;
  case arith::CmpIPredicate::sle:
    return arith::CmpIPredicate::ule;
  case arith::CmpIPredicate::sgt:
    return arith::CmpIPredicate::ugt;
  case arith::CmpIPredicate::sge:
    return arith::CmpIPredicate::uge;
  default:
    return signedPred;
  }
}

Value compare(OpBuilder &b, Location loc, Value x, Value y,
              arith::CmpFPredicate fpred, arith::CmpIPredicate ipred,
              bool isUnsigned) {
  if (isa<FloatType>(x.getType()))
    return cmpF(b, loc, fpred, x, y);
  // i1 compares as unsigned (false < true).
  return cmpI(b, loc, intPred(ipred, isUnsigned || x.getType().isInteger(1)),
              x, y);
}

bool isFloatOp(Operation *op) {
  return isa<FloatType>(
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType());
}

/// The check of float-only ops (on the result type).
std::string requireFloat(Operation *op) {
  if (isFloatOp(op))
    return {};
  std::string reason;
  llvm::raw_string_ostream os(reason);
  os << "is only lowered for float tensors, not "
     << cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
  return reason;
}

/// The check of ops whose first operand must be float.
std::string requireFloatInput(Operation *op) {
  Type type =
      cast<RankedTensorType>(op->getOperand(0).getType()).getElementType();
  if (isa<FloatType>(type))
    return {};
  std::string reason;
  llvm::raw_string_ostream os(reason);
  os << "is only lowered for float inputs, not " << type;
  return reason;
}

/// A constant scalar exponent of Pow, if it is one.
std::optional<double> splatExponent(Value exponent) {
  auto values = constantFloats(exponent);
  if (!values || values->empty())
    return std::nullopt;
  for (double v : *values)
    if (v != values->front())
      return std::nullopt;
  return values->front();
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

/// Registers the elementwise lowering of OpTy.
/// Integer Div and Mod refuse a constant divisor with a zero element (a
/// run-time divisor of zero fails the kernel instead).
std::string checkConstantDivisor(Operation *op) {
  Value divisor = op->getOperand(1);
  auto type = cast<RankedTensorType>(divisor.getType());
  if (!isa<IntegerType>(type.getElementType()))
    return "";
  std::optional<SmallVector<int64_t>> values = constantInts(divisor);
  if (values && llvm::is_contained(*values, 0))
    return "integer division by zero: the constant divisor has a zero "
           "element";
  return "";
}

template <typename OpTy> void add(RewritePatternSet &patterns, Entry entry) {
  patterns.add<ElementwisePattern<OpTy>>(patterns.getContext(),
                                         std::move(entry));
}

using Ctx = const ScalarContext &;

/// A float-only unary math op.
template <typename MathOp> Entry unaryFloat() {
  return {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
            return MathOp::create(b, loc, a[0]);
          },
          requireFloat};
}

void addElementwiseTable(RewritePatternSet &patterns) {
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;

  // --- Arithmetic with broadcasting. ---
  add<graph::AddOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return scalarAdd(b, loc, a[0], a[1]);
      }});
  add<graph::SubOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return scalarSub(b, loc, a[0], a[1]);
      }});
  add<graph::MulOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return scalarMul(b, loc, a[0], a[1]);
      }});
  add<graph::DivOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        return scalarDiv(b, loc, a[0], a[1], c.inputUnsigned());
      },
                 checkConstantDivisor});
  add<graph::ModOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        Value x = a[0], y = a[1];
        bool fmod = getI(c.op, "fmod", 0) != 0;
        if (c.isFloat()) {
          Value r = arith::RemFOp::create(b, loc, x, y);
          // fmod(finite, +-inf) is the dividend; the kernel's remainder
          // (x - y * trunc(x / y)) would give NaN.
          Value yInf = math::IsInfOp::create(b, loc, y);
          Value xInf = math::IsInfOp::create(b, loc, x);
          Value keepX = arith::AndIOp::create(
              b, loc, yInf,
              arith::XOrIOp::create(b, loc, xInf,
                                    constInt(b, loc, b.getI1Type(), 1)));
          r = select(b, loc, keepX, x, r);
          if (fmod)
            return r;
          // Python-style: result takes the divisor's sign.
          Value zero = cst(b, loc, x, 0.0);
          Value nonZero = cmpF(b, loc, FP::ONE, r, zero);
          Value rNeg = cmpF(b, loc, FP::OLT, r, zero);
          Value yNeg = cmpF(b, loc, FP::OLT, y, zero);
          Value differ = arith::XOrIOp::create(b, loc, rNeg, yNeg);
          Value fix = arith::AndIOp::create(b, loc, nonZero, differ);
          return select(b, loc, fix, arith::AddFOp::create(b, loc, r, y), r);
        }
        if (c.inputUnsigned())
          return arith::RemUIOp::create(b, loc, x, y);
        Value r = arith::RemSIOp::create(b, loc, x, y);
        if (fmod)
          return r;
        Value zero = cst(b, loc, x, 0);
        Value nonZero = cmpI(b, loc, IP::ne, r, zero);
        Value rNeg = cmpI(b, loc, IP::slt, r, zero);
        Value yNeg = cmpI(b, loc, IP::slt, y, zero);
        Value differ = arith::XOrIOp::create(b, loc, rNeg, yNeg);
        Value fix = arith::AndIOp::create(b, loc, nonZero, differ);
        return select(b, loc, fix, arith::AddIOp::create(b, loc, r, y), r);
      },
                 checkConstantDivisor});
  add<graph::PowOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        Value x = a[0], y = a[1];
        Type baseType = x.getType();
        bool baseUnsigned = c.inputUnsigned(0);
        bool expUnsigned = c.inputUnsigned(1);
        // Like ONNX Runtime: x*x and x*x*x for constant exponents 2 and 3.
        if (auto e = splatExponent(c.op->getOperand(1))) {
          if (*e == 1.0)
            return x;
          if (*e == 2.0)
            return scalarMul(b, loc, x, x);
          if (*e == 3.0)
            return scalarMul(b, loc, scalarMul(b, loc, x, x), x);
        }
        if (isa<FloatType>(baseType)) {
          Value yf = convertScalar(b, loc, y, baseType, expUnsigned, false);
          return math::PowFOp::create(b, loc, x, yf);
        }
        if (isa<FloatType>(y.getType())) {
          // int ^ float: compute in the float type, truncate back.
          Value xf = convertScalar(b, loc, x, y.getType(), baseUnsigned, false);
          Value r = math::PowFOp::create(b, loc, xf, y);
          return convertScalar(b, loc, r, baseType, false, baseUnsigned);
        }
        // int ^ int: through f64 like ONNX Runtime (std::pow), truncated.
        Type f64 = b.getF64Type();
        Value r = math::PowFOp::create(
            b, loc, convertScalar(b, loc, x, f64, baseUnsigned, false),
            convertScalar(b, loc, y, f64, expUnsigned, false));
        return convertScalar(b, loc, r, baseType, false, baseUnsigned);
      }});

  auto variadic =
      [](bool mean,
         std::function<Value(OpBuilder &, Location, Value, Value, bool)>
             combine) {
        return Entry{
            [=](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
              Value acc = a[0];
              for (Value v : a.drop_front())
                acc = combine(b, loc, acc, v, c.inputUnsigned());
              if (mean)
                acc = scalarDiv(b, loc, acc, cst(b, loc, acc, double(a.size())),
                                c.inputUnsigned());
              return acc;
            }};
      };
  add<graph::SumOp>(
      patterns, variadic(false, [](OpBuilder &b, Location l, Value x, Value y,
                                   bool) { return scalarAdd(b, l, x, y); }));
  add<graph::MeanOp>(
      patterns, variadic(true, [](OpBuilder &b, Location l, Value x, Value y,
                                  bool) { return scalarAdd(b, l, x, y); }));
  add<graph::MaxOp>(patterns, variadic(false, scalarMax));
  add<graph::MinOp>(patterns, variadic(false, scalarMin));

  // --- Unary. ---
  add<graph::AbsOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        if (c.isFloat())
          return math::AbsFOp::create(b, loc, a[0]);
        if (c.inputUnsigned())
          return a[0];
        return math::AbsIOp::create(b, loc, a[0]);
      }});
  add<graph::NegOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        if (c.isFloat())
          return arith::NegFOp::create(b, loc, a[0]);
        return arith::SubIOp::create(b, loc, cst(b, loc, a[0], 0), a[0]);
      }});
  add<graph::SignOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        Value x = a[0];
        if (c.isFloat()) {
          // NaN and +-0 give themselves.
          Value one = cst(b, loc, x, 1.0), minusOne = cst(b, loc, x, -1.0);
          Value neg =
              select(b, loc, cmpF(b, loc, FP::OLT, x, cst(b, loc, x, 0.0)),
                     minusOne, x);
          return select(b, loc, cmpF(b, loc, FP::OGT, x, cst(b, loc, x, 0.0)),
                        one, neg);
        }
        Value zero = cst(b, loc, x, 0), one = cst(b, loc, x, 1);
        if (c.inputUnsigned())
          return select(b, loc, cmpI(b, loc, IP::ne, x, zero), one, zero);
        Value neg = select(b, loc, cmpI(b, loc, IP::slt, x, zero),
                           cst(b, loc, x, -1), zero);
        return select(b, loc, cmpI(b, loc, IP::sgt, x, zero), one, neg);
      }});
  add<graph::ReciprocalOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
                   return arith::DivFOp::create(b, loc, cst(b, loc, a[0], 1.0),
                                                a[0]);
                 },
                 requireFloat});
  add<graph::FloorOp>(patterns, unaryFloat<math::FloorOp>());
  add<graph::CeilOp>(patterns, unaryFloat<math::CeilOp>());
  add<graph::RoundOp>(patterns, unaryFloat<math::RoundEvenOp>());
  add<graph::SqrtOp>(patterns, unaryFloat<math::SqrtOp>());
  add<graph::ExpOp>(patterns, unaryFloat<math::ExpOp>());
  add<graph::LogOp>(patterns, unaryFloat<math::LogOp>());
  add<graph::TanhOp>(patterns, unaryFloat<math::TanhOp>());
  add<graph::ErfOp>(patterns, unaryFloat<math::ErfOp>());
  add<graph::SinOp>(patterns, unaryFloat<math::SinOp>());
  add<graph::CosOp>(patterns, unaryFloat<math::CosOp>());
  add<graph::TanOp>(patterns, unaryFloat<math::TanOp>());
  add<graph::AsinOp>(patterns, unaryFloat<math::AsinOp>());
  add<graph::AcosOp>(patterns, unaryFloat<math::AcosOp>());
  add<graph::AtanOp>(patterns, unaryFloat<math::AtanOp>());
  add<graph::SinhOp>(patterns, unaryFloat<math::SinhOp>());
  add<graph::CoshOp>(patterns, unaryFloat<math::CoshOp>());
  add<graph::AsinhOp>(patterns, unaryFloat<math::AsinhOp>());
  add<graph::AcoshOp>(patterns, unaryFloat<math::AcoshOp>());
  add<graph::AtanhOp>(patterns, unaryFloat<math::AtanhOp>());

  // --- Activations. ---
  add<graph::ReluOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        return scalarMax(b, loc, a[0], cst(b, loc, a[0], 0.0),
                         c.inputUnsigned());
      }});
  add<graph::SigmoidOp>(patterns,
                        {[](OpBuilder &b, Location loc, ValueRange a,
                            Ctx) -> Value { return sigmoid(b, loc, a[0]); },
                         requireFloat});
  add<graph::HardSigmoidOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value y = arith::AddFOp::create(
             b, loc,
             arith::MulFOp::create(b, loc, cst(b, loc, x, getF(c.op, "alpha", 0.2)), x),
             cst(b, loc, x, getF(c.op, "beta", 0.5)));
         y = arith::MinimumFOp::create(b, loc, y, cst(b, loc, x, 1.0));
         return arith::MaximumFOp::create(b, loc, y, cst(b, loc, x, 0.0));
       },
       requireFloat});
  add<graph::HardSwishOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         Value x = a[0];
         Value y = arith::AddFOp::create(
             b, loc, arith::MulFOp::create(b, loc, cst(b, loc, x, 1.0 / 6.0), x),
             cst(b, loc, x, 0.5));
         y = arith::MinimumFOp::create(b, loc, y, cst(b, loc, x, 1.0));
         y = arith::MaximumFOp::create(b, loc, y, cst(b, loc, x, 0.0));
         return arith::MulFOp::create(b, loc, x, y);
       },
       requireFloat});
  add<graph::LeakyReluOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value scaled = arith::MulFOp::create(
             b, loc, x, cst(b, loc, x, getF(c.op, "alpha", 0.01)));
         return select(b, loc, cmpF(b, loc, FP::OGE, x, cst(b, loc, x, 0.0)), x,
                       scaled);
       },
       requireFloat});
  add<graph::PReluOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        Value x = a[0], slope = a[1];
        if (c.isFloat())
          return select(b, loc, cmpF(b, loc, FP::OLT, x, cst(b, loc, x, 0.0)),
                        arith::MulFOp::create(b, loc, x, slope), x);
        return select(b, loc, cmpI(b, loc, IP::slt, x, cst(b, loc, x, 0)),
                      arith::MulIOp::create(b, loc, x, slope), x);
      }});
  add<graph::ThresholdedReluOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         return select(
             b, loc,
             cmpF(b, loc, FP::OGT, x, cst(b, loc, x, getF(c.op, "alpha", 1.0))), x,
             cst(b, loc, x, 0.0));
       },
       requireFloat});
  add<graph::EluOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value neg = arith::MulFOp::create(
             b, loc, cst(b, loc, x, getF(c.op, "alpha", 1.0)),
             arith::SubFOp::create(b, loc, exp(b, loc, x), cst(b, loc, x, 1.0)));
         return select(b, loc, cmpF(b, loc, FP::OGE, x, cst(b, loc, x, 0.0)), x,
                       neg);
       },
       requireFloat});
  add<graph::SeluOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value alpha = cst(b, loc, x, getF(c.op, "alpha", 1.67326319217681884765625));
         Value gamma = cst(b, loc, x, getF(c.op, "gamma", 1.05070102214813232421875));
         Value neg = arith::SubFOp::create(
             b, loc, arith::MulFOp::create(b, loc, alpha, exp(b, loc, x)), alpha);
         Value y = select(b, loc, cmpF(b, loc, FP::OGT, x, cst(b, loc, x, 0.0)), x,
                          neg);
         return arith::MulFOp::create(b, loc, gamma, y);
       },
       requireFloat});
  add<graph::CeluOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value alpha = cst(b, loc, x, getF(c.op, "alpha", 1.0));
         Value zero = cst(b, loc, x, 0.0);
         Value e = arith::SubFOp::create(
             b, loc, exp(b, loc, arith::DivFOp::create(b, loc, x, alpha)),
             cst(b, loc, x, 1.0));
         Value neg = arith::MinimumFOp::create(
             b, loc, zero, arith::MulFOp::create(b, loc, alpha, e));
         return arith::AddFOp::create(
             b, loc, arith::MaximumFOp::create(b, loc, zero, x), neg);
       },
       requireFloat});
  add<graph::SoftplusOp>(patterns,
                         {[](OpBuilder &b, Location loc, ValueRange a,
                             Ctx) -> Value { return softplus(b, loc, a[0]); },
                          requireFloat});
  add<graph::SoftsignOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         Value x = a[0];
         Value denom = arith::AddFOp::create(b, loc, cst(b, loc, x, 1.0),
                                             math::AbsFOp::create(b, loc, x));
         return arith::DivFOp::create(b, loc, x, denom);
       },
       requireFloat});
  add<graph::MishOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         Value x = a[0];
         return arith::MulFOp::create(
             b, loc, x, math::TanhOp::create(b, loc, softplus(b, loc, x)));
       },
       requireFloat});
  add<graph::SwishOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value ax = arith::MulFOp::create(
             b, loc, cst(b, loc, x, getF(c.op, "alpha", 1.0)), x);
         return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, ax));
       },
       requireFloat});
  add<graph::GeluOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         auto approx = c.op->getAttrOfType<StringAttr>("approximate");
         Value inner;
         if (approx && approx.getValue() == "tanh") {
           // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
           Value x3 = arith::MulFOp::create(
               b, loc, arith::MulFOp::create(b, loc, x, x), x);
           Value t = arith::AddFOp::create(
               b, loc, x,
               arith::MulFOp::create(b, loc, cst(b, loc, x, 0.044715), x3));
           inner = math::TanhOp::create(
               b, loc,
               arith::MulFOp::create(
                   b, loc, cst(b, loc, x, std::sqrt(2.0 / M_PI)), t));
         } else {
           inner = math::ErfOp::create(
               b, loc, arith::MulFOp::create(b, loc, x, cst(b, loc, x, M_SQRT1_2)));
         }
         Value onePlus = arith::AddFOp::create(b, loc, cst(b, loc, x, 1.0), inner);
         return arith::MulFOp::create(
             b, loc, arith::MulFOp::create(b, loc, cst(b, loc, x, 0.5), x),
             onePlus);
       },
       [](Operation *op) -> std::string {
         std::string reason = requireFloat(op);
         if (!reason.empty())
           return reason;
         auto approx = op->getAttrOfType<StringAttr>("approximate");
         if (approx && approx.getValue() != "none" &&
             approx.getValue() != "tanh")
           return ("approximate='" + approx.getValue() +
                   "' is not supported (only 'none' and 'tanh')")
               .str();
         return {};
       }});
  add<graph::ShrinkOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value lambd = cst(b, loc, x, getF(c.op, "lambd", 0.5));
         Value bias = cst(b, loc, x, getF(c.op, "bias", 0.0));
         Value negLambd = cst(b, loc, x, -getF(c.op, "lambd", 0.5));
         Value hi = select(b, loc, cmpF(b, loc, FP::OGT, x, lambd),
                           arith::SubFOp::create(b, loc, x, bias),
                           cst(b, loc, x, 0.0));
         return select(b, loc, cmpF(b, loc, FP::OLT, x, negLambd),
                       arith::AddFOp::create(b, loc, x, bias), hi);
       },
       requireFloat});

  // --- Clip: min/max are optional scalar operands. ---
  add<graph::ClipOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        auto clip = cast<graph::ClipOp>(c.op);
        Value x = a[0];
        unsigned next = 1;
        if (clip.getMin())
          x = scalarMax(b, loc, x, a[next++], c.inputUnsigned());
        if (clip.getMax())
          x = scalarMin(b, loc, x, a[next++], c.inputUnsigned());
        return x;
      }});

  // --- Comparisons. ---
  auto comparison = [](FP fpred, IP ipred) {
    return Entry{[=](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
      return compare(b, loc, a[0], a[1], fpred, ipred, c.inputUnsigned());
    }};
  };
  add<graph::EqualOp>(patterns, comparison(FP::OEQ, IP::eq));
  add<graph::LessOp>(patterns, comparison(FP::OLT, IP::slt));
  add<graph::LessOrEqualOp>(patterns, comparison(FP::OLE, IP::sle));
  add<graph::GreaterOp>(patterns, comparison(FP::OGT, IP::sgt));
  add<graph::GreaterOrEqualOp>(patterns, comparison(FP::OGE, IP::sge));
  add<graph::IsNaNOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
                   return cmpF(b, loc, FP::UNO, a[0], a[0]);
                 },
                 requireFloatInput});
  add<graph::IsInfOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         // math.isinf and a sign test, no infinity constants: the kernel
         // emitter compiles those comparisons unreliably.
         Value x = a[0];
         Value isInf = math::IsInfOp::create(b, loc, x);
         Value zero = cst(b, loc, x, 0.0);
         bool pos = getI(c.op, "detect_positive", 1) != 0;
         bool neg = getI(c.op, "detect_negative", 1) != 0;
         if (pos && neg)
           return isInf;
         if (!pos && !neg)
           return constInt(b, loc, b.getI1Type(), 0);
         return arith::AndIOp::create(
             b, loc, isInf, cmpF(b, loc, pos ? FP::OGT : FP::OLT, x, zero));
       },
       requireFloatInput});

  // --- Logic and bitwise. ---
  add<graph::AndOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return arith::AndIOp::create(b, loc, a[0], a[1]);
      }});
  add<graph::OrOp>(patterns,
                   {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
                     return arith::OrIOp::create(b, loc, a[0], a[1]);
                   }});
  add<graph::XorOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return arith::XOrIOp::create(b, loc, a[0], a[1]);
      }});
  add<graph::NotOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return arith::XOrIOp::create(b, loc, a[0], cst(b, loc, a[0], 1));
      }});
  add<graph::BitwiseAndOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return arith::AndIOp::create(b, loc, a[0], a[1]);
      }});
  add<graph::BitwiseOrOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return arith::OrIOp::create(b, loc, a[0], a[1]);
      }});
  add<graph::BitwiseXorOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return arith::XOrIOp::create(b, loc, a[0], a[1]);
      }});
  add<graph::BitwiseNotOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return arith::XOrIOp::create(b, loc, a[0], cst(b, loc, a[0], -1));
      }});
  add<graph::BitShiftOp>(
      patterns,
      {[](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0], y = a[1];
         auto dir = c.op->getAttrOfType<StringAttr>("direction");
         bool left = dir && dir.getValue() == "LEFT";
         // Signed types (opset 27) shift right arithmetically.
         bool arithmetic = !left && !c.inputUnsigned();
         Value shifted =
             left ? Value(arith::ShLIOp::create(b, loc, x, y))
                  : arithmetic ? Value(arith::ShRSIOp::create(b, loc, x, y))
                               : Value(arith::ShRUIOp::create(b, loc, x, y));
         // A shift by a negative amount or by the bit width or more gives 0
         // (-1 for a negative signed value shifted right); arith would give
         // poison. The unsigned compare catches negative amounts too.
         unsigned bits = x.getType().getIntOrFloatBitWidth();
         Value width = cst(b, loc, x, bits);
         Value outOfRange =
             arithmetic
                 ? Value(arith::ShRSIOp::create(b, loc, x,
                                                cst(b, loc, x, bits - 1)))
                 : cst(b, loc, x, 0);
         return select(b, loc, cmpI(b, loc, IP::uge, y, width), outOfRange,
                       shifted);
       },
       [](Operation *op) -> std::string {
         auto dir = op->getAttrOfType<StringAttr>("direction");
         if (!dir)
           return "the direction attribute is missing";
         if (dir.getValue() != "LEFT" && dir.getValue() != "RIGHT")
           return ("direction='" + dir.getValue() +
                   "' is not supported (only 'LEFT' and 'RIGHT')")
               .str();
         return {};
       }});

  // --- Selection and conversion. ---
  add<graph::WhereOp>(
      patterns, {[](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
        return select(b, loc, a[0], a[1], a[2]);
      }});
  auto castBody = [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
    // float8/float4/int4/int2: conversions the narrow-type legalization
    // expands (NarrowTypes.h), with Cast's saturate and round_mode.
    if (isNarrowType(c.inputTypes[0]) || isNarrowType(c.resultType))
      return buildNarrowCast(
          b, loc, a[0], c.resultSignless, c.inputUnsigned(),
          isUnsignedInt(c.resultType), getI(c.op, "saturate", 1) != 0,
          c.op->getAttrOfType<StringAttr>("round_mode")
              ? c.op->getAttrOfType<StringAttr>("round_mode").getValue()
              : StringRef("up"));
    return convertScalar(b, loc, a[0], c.resultSignless, c.inputUnsigned(),
                         isUnsignedInt(c.resultType));
  };
  add<graph::CastOp>(patterns, {castBody});
  add<graph::CastLikeOp>(
      patterns, {[=](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
        return castBody(b, loc, a.take_front(), c);
      }});
}

/// Ops that forward their input.
template <typename OpTy> struct ForwardPattern : LoweringPattern<OpTy> {
  using LoweringPattern<OpTy>::LoweringPattern;
  LogicalResult lower(OpTy op, PatternRewriter &rewriter) const override {
    if (op->getOperand(0).getType() != op->getResult(0).getType())
      return rewriter.notifyMatchFailure(
          op, "the result type differs from the input type");
    rewriter.replaceOp(op, op->getOperand(0));
    return success();
  }
};

/// Dropout at inference: the data passes through and the mask is all true.
struct DropoutPattern : LoweringPattern<graph::DropoutOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::DropoutOp op,
                      PatternRewriter &rewriter) const override {
    if (Value training = op.getTrainingMode()) {
      auto values = constantInts(training);
      if (!values || values->size() != 1 || (*values)[0] != 0)
        return rewriter.notifyMatchFailure(
            op, "training mode is not supported (training_mode must be the "
                "constant false)");
    }
    if (op.getData().getType() != op.getOutput().getType())
      return rewriter.notifyMatchFailure(
          op, "the output type differs from the data type");
    Value mask;
    if (!op.getMask().use_empty()) {
      auto maskType = getStaticType(op.getMask());
      if (!maskType)
        return rewriter.notifyMatchFailure(op, "needs a static mask shape");
      mask = createFilled(rewriter, op.getLoc(), maskType.getShape(),
                          constInt(rewriter, op.getLoc(), rewriter.getI1Type(), 1));
    } else {
      mask = tensor::EmptyOp::create(
          rewriter, op.getLoc(),
          cast<RankedTensorType>(op.getMask().getType()).getShape(),
          rewriter.getI1Type());
    }
    rewriter.replaceOp(op, {op.getData(), mask});
    return success();
  }
};

} // namespace

void populateElementwisePatterns(RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  addElementwiseTable(patterns);
  patterns.add<ForwardPattern<graph::IdentityOp>, DropoutPattern>(ctx);
}

} // namespace aicc::lowering
