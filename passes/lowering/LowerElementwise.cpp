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

#include "passes/lowering/LoweringUtils.h"
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
/// Extra legality check of an op beyond static int/float types.
using CheckFn = std::function<bool(Operation *)>;

/// Lowers one elementwise op given its scalar body.
class ElementwisePattern : public RewritePattern {
public:
  ElementwisePattern(StringRef opName, MLIRContext *ctx, BodyFn body,
                     CheckFn check)
      : RewritePattern(opName, /*benefit=*/1, ctx), body(std::move(body)),
        check(std::move(check)) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || !hasStaticIntOrFloatTypes(op))
      return rewriter.notifyMatchFailure(op, "needs static int/float tensors");
    if (check && !check(op))
      return rewriter.notifyMatchFailure(op, "unsupported attributes");
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
    Value result = buildElementwise(
        rewriter, loc, inputs, resultType.getShape(), context.resultType,
        [&](OpBuilder &b, Location l, ValueRange args) {
          return body(b, l, args, context);
        });
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  BodyFn body;
  CheckFn check;
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

struct Entry {
  StringRef name;
  BodyFn body;
  CheckFn check = nullptr;
};

using Ctx = const ScalarContext &;

/// A float-only unary math op.
template <typename MathOp>
Entry unaryFloat(StringRef name) {
  return {name,
          [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
            return MathOp::create(b, loc, a[0]);
          },
          isFloatOp};
}

SmallVector<Entry> buildTable() {
  SmallVector<Entry> table;
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;

  // --- Arithmetic with broadcasting. ---
  table.push_back({"graph.Add", [](OpBuilder &b, Location loc, ValueRange a,
                                   Ctx) -> Value { return scalarAdd(b, loc, a[0], a[1]); }});
  table.push_back({"graph.Sub", [](OpBuilder &b, Location loc, ValueRange a,
                                   Ctx) -> Value { return scalarSub(b, loc, a[0], a[1]); }});
  table.push_back({"graph.Mul", [](OpBuilder &b, Location loc, ValueRange a,
                                   Ctx) -> Value { return scalarMul(b, loc, a[0], a[1]); }});
  table.push_back(
      {"graph.Div", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         return scalarDiv(b, loc, a[0], a[1], c.inputUnsigned());
       }});
  table.push_back(
      {"graph.Mod", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
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
       }});
  table.push_back(
      {"graph.Pow", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
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

  auto variadic = [](StringRef name, bool mean,
                     std::function<Value(OpBuilder &, Location, Value, Value,
                                         bool)>
                         combine) {
    return Entry{name, [=](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
                   Value acc = a[0];
                   for (Value v : a.drop_front())
                     acc = combine(b, loc, acc, v, c.inputUnsigned());
                   if (mean)
                     acc = scalarDiv(b, loc, acc,
                                     cst(b, loc, acc, double(a.size())),
                                     c.inputUnsigned());
                   return acc;
                 }};
  };
  table.push_back(variadic("graph.Sum", false,
                           [](OpBuilder &b, Location l, Value x, Value y,
                              bool) { return scalarAdd(b, l, x, y); }));
  table.push_back(variadic("graph.Mean", true,
                           [](OpBuilder &b, Location l, Value x, Value y,
                              bool) { return scalarAdd(b, l, x, y); }));
  table.push_back(variadic("graph.Max", false, scalarMax));
  table.push_back(variadic("graph.Min", false, scalarMin));

  // --- Unary. ---
  table.push_back(
      {"graph.Abs", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         if (c.isFloat())
           return math::AbsFOp::create(b, loc, a[0]);
         if (c.inputUnsigned())
           return a[0];
         return math::AbsIOp::create(b, loc, a[0]);
       }});
  table.push_back(
      {"graph.Neg", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         if (c.isFloat())
           return arith::NegFOp::create(b, loc, a[0]);
         return arith::SubIOp::create(b, loc, cst(b, loc, a[0], 0), a[0]);
       }});
  table.push_back(
      {"graph.Sign", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         if (c.isFloat()) {
           // NaN and +-0 give themselves.
           Value one = cst(b, loc, x, 1.0), minusOne = cst(b, loc, x, -1.0);
           Value neg = select(b, loc, cmpF(b, loc, FP::OLT, x, cst(b, loc, x, 0.0)),
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
  table.push_back(
      {"graph.Reciprocal", [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         return arith::DivFOp::create(b, loc, cst(b, loc, a[0], 1.0), a[0]);
       }, isFloatOp});
  table.push_back(unaryFloat<math::FloorOp>("graph.Floor"));
  table.push_back(unaryFloat<math::CeilOp>("graph.Ceil"));
  table.push_back(unaryFloat<math::RoundEvenOp>("graph.Round"));
  table.push_back(unaryFloat<math::SqrtOp>("graph.Sqrt"));
  table.push_back(unaryFloat<math::ExpOp>("graph.Exp"));
  table.push_back(unaryFloat<math::LogOp>("graph.Log"));
  table.push_back(unaryFloat<math::TanhOp>("graph.Tanh"));
  table.push_back(unaryFloat<math::ErfOp>("graph.Erf"));
  table.push_back(unaryFloat<math::SinOp>("graph.Sin"));
  table.push_back(unaryFloat<math::CosOp>("graph.Cos"));
  table.push_back(unaryFloat<math::TanOp>("graph.Tan"));
  table.push_back(unaryFloat<math::AsinOp>("graph.Asin"));
  table.push_back(unaryFloat<math::AcosOp>("graph.Acos"));
  table.push_back(unaryFloat<math::AtanOp>("graph.Atan"));
  table.push_back(unaryFloat<math::SinhOp>("graph.Sinh"));
  table.push_back(unaryFloat<math::CoshOp>("graph.Cosh"));
  table.push_back(unaryFloat<math::AsinhOp>("graph.Asinh"));
  table.push_back(unaryFloat<math::AcoshOp>("graph.Acosh"));
  table.push_back(unaryFloat<math::AtanhOp>("graph.Atanh"));

  // --- Activations. ---
  table.push_back(
      {"graph.Relu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         return scalarMax(b, loc, a[0], cst(b, loc, a[0], 0.0),
                          c.inputUnsigned());
       }});
  table.push_back(
      {"graph.Sigmoid", [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         return sigmoid(b, loc, a[0]);
       }, isFloatOp});
  table.push_back(
      {"graph.HardSigmoid", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value y = arith::AddFOp::create(
             b, loc,
             arith::MulFOp::create(b, loc, cst(b, loc, x, getF(c.op, "alpha", 0.2)), x),
             cst(b, loc, x, getF(c.op, "beta", 0.5)));
         y = arith::MinimumFOp::create(b, loc, y, cst(b, loc, x, 1.0));
         return arith::MaximumFOp::create(b, loc, y, cst(b, loc, x, 0.0));
       }, isFloatOp});
  table.push_back(
      {"graph.HardSwish", [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         Value x = a[0];
         Value y = arith::AddFOp::create(
             b, loc, arith::MulFOp::create(b, loc, cst(b, loc, x, 1.0 / 6.0), x),
             cst(b, loc, x, 0.5));
         y = arith::MinimumFOp::create(b, loc, y, cst(b, loc, x, 1.0));
         y = arith::MaximumFOp::create(b, loc, y, cst(b, loc, x, 0.0));
         return arith::MulFOp::create(b, loc, x, y);
       }, isFloatOp});
  table.push_back(
      {"graph.LeakyRelu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value scaled = arith::MulFOp::create(
             b, loc, x, cst(b, loc, x, getF(c.op, "alpha", 0.01)));
         return select(b, loc, cmpF(b, loc, FP::OGE, x, cst(b, loc, x, 0.0)), x,
                       scaled);
       }, isFloatOp});
  table.push_back(
      {"graph.PRelu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0], slope = a[1];
         if (c.isFloat())
           return select(b, loc, cmpF(b, loc, FP::OLT, x, cst(b, loc, x, 0.0)),
                         arith::MulFOp::create(b, loc, x, slope), x);
         return select(b, loc, cmpI(b, loc, IP::slt, x, cst(b, loc, x, 0)),
                       arith::MulIOp::create(b, loc, x, slope), x);
       }});
  table.push_back(
      {"graph.ThresholdedRelu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         return select(
             b, loc,
             cmpF(b, loc, FP::OGT, x, cst(b, loc, x, getF(c.op, "alpha", 1.0))), x,
             cst(b, loc, x, 0.0));
       }, isFloatOp});
  table.push_back(
      {"graph.Elu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value neg = arith::MulFOp::create(
             b, loc, cst(b, loc, x, getF(c.op, "alpha", 1.0)),
             arith::SubFOp::create(b, loc, exp(b, loc, x), cst(b, loc, x, 1.0)));
         return select(b, loc, cmpF(b, loc, FP::OGE, x, cst(b, loc, x, 0.0)), x,
                       neg);
       }, isFloatOp});
  table.push_back(
      {"graph.Selu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value alpha = cst(b, loc, x, getF(c.op, "alpha", 1.67326319217681884765625));
         Value gamma = cst(b, loc, x, getF(c.op, "gamma", 1.05070102214813232421875));
         Value neg = arith::SubFOp::create(
             b, loc, arith::MulFOp::create(b, loc, alpha, exp(b, loc, x)), alpha);
         Value y = select(b, loc, cmpF(b, loc, FP::OGT, x, cst(b, loc, x, 0.0)), x,
                          neg);
         return arith::MulFOp::create(b, loc, gamma, y);
       }, isFloatOp});
  table.push_back(
      {"graph.Celu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
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
       }, isFloatOp});
  table.push_back(
      {"graph.Softplus", [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         return softplus(b, loc, a[0]);
       }, isFloatOp});
  table.push_back(
      {"graph.Softsign", [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         Value x = a[0];
         Value denom = arith::AddFOp::create(b, loc, cst(b, loc, x, 1.0),
                                             math::AbsFOp::create(b, loc, x));
         return arith::DivFOp::create(b, loc, x, denom);
       }, isFloatOp});
  table.push_back(
      {"graph.Mish", [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         Value x = a[0];
         return arith::MulFOp::create(
             b, loc, x, math::TanhOp::create(b, loc, softplus(b, loc, x)));
       }, isFloatOp});
  table.push_back(
      {"graph.Swish", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value ax = arith::MulFOp::create(
             b, loc, cst(b, loc, x, getF(c.op, "alpha", 1.0)), x);
         return arith::MulFOp::create(b, loc, x, sigmoid(b, loc, ax));
       }, isFloatOp});
  table.push_back(
      {"graph.Gelu", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
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
       }, [](Operation *op) {
         auto approx = op->getAttrOfType<StringAttr>("approximate");
         return isFloatOp(op) && (!approx || approx.getValue() == "none" ||
                                  approx.getValue() == "tanh");
       }});
  table.push_back(
      {"graph.Shrink", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         Value x = a[0];
         Value lambd = cst(b, loc, x, getF(c.op, "lambd", 0.5));
         Value bias = cst(b, loc, x, getF(c.op, "bias", 0.0));
         Value negLambd = cst(b, loc, x, -getF(c.op, "lambd", 0.5));
         Value hi = select(b, loc, cmpF(b, loc, FP::OGT, x, lambd),
                           arith::SubFOp::create(b, loc, x, bias),
                           cst(b, loc, x, 0.0));
         return select(b, loc, cmpF(b, loc, FP::OLT, x, negLambd),
                       arith::AddFOp::create(b, loc, x, bias), hi);
       }, isFloatOp});

  // --- Clip: min/max are optional scalar operands. ---
  table.push_back(
      {"graph.Clip", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
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
  auto comparison = [](StringRef name, FP fpred, IP ipred) {
    return Entry{name, [=](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
                   return compare(b, loc, a[0], a[1], fpred, ipred,
                                  c.inputUnsigned());
                 }};
  };
  table.push_back(comparison("graph.Equal", FP::OEQ, IP::eq));
  table.push_back(comparison("graph.Less", FP::OLT, IP::slt));
  table.push_back(comparison("graph.LessOrEqual", FP::OLE, IP::sle));
  table.push_back(comparison("graph.Greater", FP::OGT, IP::sgt));
  table.push_back(comparison("graph.GreaterOrEqual", FP::OGE, IP::sge));
  table.push_back(
      {"graph.IsNaN", [](OpBuilder &b, Location loc, ValueRange a, Ctx) -> Value {
         return cmpF(b, loc, FP::UNO, a[0], a[0]);
       }, [](Operation *op) {
         return isa<FloatType>(
             cast<RankedTensorType>(op->getOperand(0).getType()).getElementType());
       }});
  table.push_back(
      {"graph.IsInf", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
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
       }, [](Operation *op) {
         return isa<FloatType>(
             cast<RankedTensorType>(op->getOperand(0).getType()).getElementType());
       }});

  // --- Logic and bitwise. ---
  table.push_back({"graph.And", [](OpBuilder &b, Location loc, ValueRange a,
                                   Ctx) -> Value {
                     return arith::AndIOp::create(b, loc, a[0], a[1]);
                   }});
  table.push_back({"graph.Or", [](OpBuilder &b, Location loc, ValueRange a,
                                  Ctx) -> Value {
                     return arith::OrIOp::create(b, loc, a[0], a[1]);
                   }});
  table.push_back({"graph.Xor", [](OpBuilder &b, Location loc, ValueRange a,
                                   Ctx) -> Value {
                     return arith::XOrIOp::create(b, loc, a[0], a[1]);
                   }});
  table.push_back({"graph.Not", [](OpBuilder &b, Location loc, ValueRange a,
                                   Ctx) -> Value {
                     return arith::XOrIOp::create(b, loc, a[0],
                                                  cst(b, loc, a[0], 1));
                   }});
  table.push_back({"graph.BitwiseAnd", [](OpBuilder &b, Location loc,
                                          ValueRange a, Ctx) -> Value {
                     return arith::AndIOp::create(b, loc, a[0], a[1]);
                   }});
  table.push_back({"graph.BitwiseOr", [](OpBuilder &b, Location loc,
                                         ValueRange a, Ctx) -> Value {
                     return arith::OrIOp::create(b, loc, a[0], a[1]);
                   }});
  table.push_back({"graph.BitwiseXor", [](OpBuilder &b, Location loc,
                                          ValueRange a, Ctx) -> Value {
                     return arith::XOrIOp::create(b, loc, a[0], a[1]);
                   }});
  table.push_back({"graph.BitwiseNot", [](OpBuilder &b, Location loc,
                                          ValueRange a, Ctx) -> Value {
                     return arith::XOrIOp::create(b, loc, a[0],
                                                  cst(b, loc, a[0], -1));
                   }});
  table.push_back(
      {"graph.BitShift", [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
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
       }, [](Operation *op) {
         auto dir = op->getAttrOfType<StringAttr>("direction");
         return dir && (dir.getValue() == "LEFT" || dir.getValue() == "RIGHT");
       }});

  // --- Selection and conversion. ---
  table.push_back({"graph.Where", [](OpBuilder &b, Location loc, ValueRange a,
                                     Ctx) -> Value { return select(b, loc, a[0], a[1], a[2]); }});
  auto castBody = [](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
    return convertScalar(b, loc, a[0], c.resultSignless, c.inputUnsigned(),
                         isUnsignedInt(c.resultType));
  };
  table.push_back({"graph.Cast", castBody});
  table.push_back(
      {"graph.CastLike", [=](OpBuilder &b, Location loc, ValueRange a, Ctx c) -> Value {
         return castBody(b, loc, a.take_front(), c);
       }});
  return table;
}

/// Ops that forward their input.
template <typename OpTy>
struct ForwardPattern : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (op->getOperand(0).getType() != op->getResult(0).getType())
      return failure();
    rewriter.replaceOp(op, op->getOperand(0));
    return success();
  }
};

/// Dropout at inference: the data passes through and the mask is all true.
struct DropoutPattern : OpRewritePattern<graph::DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(graph::DropoutOp op,
                                PatternRewriter &rewriter) const override {
    if (Value training = op.getTrainingMode()) {
      auto values = constantInts(training);
      if (!values || values->size() != 1 || (*values)[0] != 0)
        return rewriter.notifyMatchFailure(op, "training mode");
    }
    if (op.getData().getType() != op.getOutput().getType())
      return failure();
    Value mask;
    if (!op.getMask().use_empty()) {
      auto maskType = getStaticType(op.getMask());
      if (!maskType)
        return failure();
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
  for (Entry &entry : buildTable())
    patterns.add<ElementwisePattern>(entry.name, ctx, entry.body, entry.check);
  patterns.add<ForwardPattern<graph::IdentityOp>, DropoutPattern>(ctx);
}

} // namespace aicc::lowering
