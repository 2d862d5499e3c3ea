//===- ValueShapeFunctions.cpp - Shapes that depend on input values -------===//
//
// Programs (Prog), the builder that turns them into value symbols, and one
// shape function per op of contract A's table. Each function is written for
// the general case (every shape operand read from an input at run time) and
// follows the ONNX operator specification (onnx/docs/Operators.md, the
// section named in each function); constant operands fold away.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/ValueShapeFunctions.h"
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"
#include <cmath>

using namespace mlir;

namespace aicc::graph {

//===----------------------------------------------------------------------===//
// Prog
//===----------------------------------------------------------------------===//

struct Prog::Node {
  IntExprOp op;
  std::vector<Prog> args;
  std::vector<int64_t> imm;
};

Prog makeOp(IntExprOp op, std::vector<Prog> args, std::vector<int64_t> imm) {
  for (const Prog &a : args)
    if (!a)
      return Prog();
  Prog p(std::make_shared<const Prog::Node>(
      Prog::Node{op, std::move(args), std::move(imm)}));
  bool allConstant = op != IntExprOp::Const && op != IntExprOp::Load &&
                     op != IntExprOp::FMulFloor && op != IntExprOp::FRange &&
                     op != IntExprOp::Sym;
  for (const Prog &a : p.node->args)
    allConstant &= a.getConstant().has_value();
  if (allConstant)
    if (auto v = evaluateIntExpr(p.code()))
      return Prog::constant(*v);
  return p;
}

Prog Prog::constant(int64_t v) { return makeOp(IntExprOp::Const, {}, {v}); }
Prog Prog::sym(int64_t index) { return makeOp(IntExprOp::Sym, {}, {index}); }
Prog Prog::load(int64_t input, int64_t element) {
  return makeOp(IntExprOp::Load, {}, {input, element});
}
Prog Prog::fmulFloor(Prog a, int64_t input, int64_t element) {
  return makeOp(IntExprOp::FMulFloor, {a}, {input, element});
}
Prog Prog::frange(int64_t start, int64_t limit, int64_t delta) {
  return makeOp(IntExprOp::FRange, {}, {start, limit, delta});
}

std::optional<int64_t> Prog::getConstant() const {
  if (node && node->op == IntExprOp::Const)
    return node->imm[0];
  return std::nullopt;
}

std::optional<int64_t> Prog::getSymbol() const {
  if (node && node->op == IntExprOp::Sym)
    return node->imm[0];
  return std::nullopt;
}

void Prog::emit(std::vector<int64_t> &code) const {
  for (const Prog &a : node->args)
    a.emit(code);
  code.push_back(static_cast<int64_t>(node->op));
  code.insert(code.end(), node->imm.begin(), node->imm.end());
}

static bool isConst(const Prog &p, int64_t v) {
  auto c = p.getConstant();
  return c && *c == v;
}

Prog operator+(Prog a, Prog b) {
  if (isConst(a, 0))
    return b;
  if (isConst(b, 0))
    return a;
  return makeOp(IntExprOp::Add, {a, b}, {});
}
Prog operator-(Prog a, Prog b) {
  if (isConst(b, 0))
    return a;
  return makeOp(IntExprOp::Sub, {a, b}, {});
}
Prog operator*(Prog a, Prog b) {
  if (isConst(a, 1))
    return b;
  if (isConst(b, 1))
    return a;
  return makeOp(IntExprOp::Mul, {a, b}, {});
}
Prog operator-(Prog a) { return makeOp(IntExprOp::Neg, {a}, {}); }
Prog floorDiv(Prog a, Prog b) {
  if (isConst(b, 1))
    return a;
  return makeOp(IntExprOp::FloorDiv, {a, b}, {});
}
Prog ceilDiv(Prog a, Prog b) {
  if (isConst(b, 1))
    return a;
  return makeOp(IntExprOp::CeilDiv, {a, b}, {});
}
Prog mod(Prog a, Prog b) { return makeOp(IntExprOp::Mod, {a, b}, {}); }
/// The program of affine binary operation `kind` on `l` and `r`.
static Prog binaryProg(AffineExprKind kind, Prog l, Prog r) {
  switch (kind) {
  case AffineExprKind::Add:
    return l + r;
  case AffineExprKind::Mul:
    return l * r;
  case AffineExprKind::FloorDiv:
    return floorDiv(l, r);
  case AffineExprKind::CeilDiv:
    return ceilDiv(l, r);
  default:
    return mod(l, r);
  }
}
Prog min(Prog a, Prog b) {
  if (a && b && a.code() == b.code())
    return a;
  return makeOp(IntExprOp::Min, {a, b}, {});
}
Prog max(Prog a, Prog b) {
  if (a && b && a.code() == b.code())
    return a;
  return makeOp(IntExprOp::Max, {a, b}, {});
}
Prog eq(Prog a, Prog b) {
  if (a && b && a.code() == b.code())
    return cst(1);
  return makeOp(IntExprOp::Eq, {a, b}, {});
}
Prog ne(Prog a, Prog b) { return cst(1) - eq(a, b); }
Prog lt(Prog a, Prog b) { return makeOp(IntExprOp::Lt, {a, b}, {}); }
Prog le(Prog a, Prog b) { return cst(1) - lt(b, a); }
Prog select(Prog c, Prog t, Prog f) {
  if (auto v = c.getConstant())
    return *v ? t : f;
  if (t && f && t.code() == f.code())
    return t;
  return makeOp(IntExprOp::Select, {c, t, f}, {});
}
Prog both(Prog a, Prog b) {
  if (isConst(a, 0) || isConst(b, 0))
    return cst(0);
  return a * b;
}
Prog either(Prog a, Prog b) {
  if (isConst(a, 1) || isConst(b, 1))
    return cst(1);
  if (isConst(a, 0))
    return b;
  if (isConst(b, 0))
    return a;
  return max(a, b);
}

std::optional<int64_t> evaluateIntExpr(ArrayRef<int64_t> code,
                                       ArrayRef<int64_t> symbols) {
  SmallVector<int64_t, 16> stack;
  for (size_t pc = 0; pc < code.size(); ++pc) {
    auto op = static_cast<IntExprOp>(code[pc]);
    auto pop = [&]() {
      int64_t v = stack.back();
      stack.pop_back();
      return v;
    };
    switch (op) {
    case IntExprOp::Const:
      if (pc + 1 >= code.size())
        return std::nullopt;
      stack.push_back(code[++pc]);
      continue;
    case IntExprOp::Sym: {
      if (pc + 1 >= code.size())
        return std::nullopt;
      int64_t s = code[++pc];
      if (s < 0 || s >= (int64_t)symbols.size())
        return std::nullopt;
      stack.push_back(symbols[s]);
      continue;
    }
    case IntExprOp::Neg: {
      if (stack.empty())
        return std::nullopt;
      int64_t a = pop(), r;
      if (llvm::SubOverflow((int64_t)0, a, r))
        return std::nullopt;
      stack.push_back(r);
      continue;
    }
    case IntExprOp::Select: {
      if (stack.size() < 3)
        return std::nullopt;
      int64_t f = pop(), t = pop(), c = pop();
      stack.push_back(c ? t : f);
      continue;
    }
    default:
      break;
    }
    if (op < IntExprOp::Add || op > IntExprOp::Lt || op == IntExprOp::Load ||
        op == IntExprOp::FMulFloor || op == IntExprOp::FRange ||
        stack.size() < 2)
      return std::nullopt;
    int64_t b = pop(), a = pop(), r = 0;
    switch (op) {
    case IntExprOp::Add:
      if (llvm::AddOverflow(a, b, r))
        return std::nullopt;
      break;
    case IntExprOp::Sub:
      if (llvm::SubOverflow(a, b, r))
        return std::nullopt;
      break;
    case IntExprOp::Mul:
      if (llvm::MulOverflow(a, b, r))
        return std::nullopt;
      break;
    case IntExprOp::FloorDiv:
    case IntExprOp::CeilDiv:
    case IntExprOp::Mod:
      if (b <= 0)
        return std::nullopt;
      r = op == IntExprOp::FloorDiv  ? llvm::divideFloorSigned(a, b)
          : op == IntExprOp::CeilDiv ? llvm::divideCeilSigned(a, b)
                                   : a - llvm::divideFloorSigned(a, b) * b;
      break;
    case IntExprOp::Min:
      r = std::min(a, b);
      break;
    case IntExprOp::Max:
      r = std::max(a, b);
      break;
    case IntExprOp::Eq:
      r = a == b;
      break;
    case IntExprOp::Lt:
      r = a < b;
      break;
    default:
      return std::nullopt;
    }
    stack.push_back(r);
  }
  if (stack.size() != 1)
    return std::nullopt;
  return stack[0];
}

//===----------------------------------------------------------------------===//
// ValueShapeBuilder
//===----------------------------------------------------------------------===//

/// The most elements a value input may have (contract A).
static constexpr int64_t kMaxValueInputElements = 64;

ValueShapeBuilder::ValueShapeBuilder(func::FuncOp func,
                                     const SymbolicShapeAnalysis &analysis,
                                     Operation *op)
    : func(func), analysis(analysis), op(op),
      base(analysis.getNumBaseSymbols()) {
  StringRef name = getNodeName(op->getLoc());
  nodeDesc = "node '" + (name.empty() ? StringRef("?") : name).str() + "' (" +
             getOnnxOpType(op).str() + ")";
}

LogicalResult ValueShapeBuilder::decline(const Twine &why) {
  declined = why.str();
  return failure();
}

std::optional<ValueInput> ValueShapeBuilder::getValueInput(Value v,
                                                           bool allowFloat) const {
  auto accepts = [&](Type t) {
    auto type = dyn_cast<RankedTensorType>(t);
    if (!type || !type.hasStaticShape() ||
        type.getNumElements() > kMaxValueInputElements)
      return false;
    Type e = type.getElementType();
    return isa<IntegerType>(e) || (allowFloat && isa<FloatType>(e));
  };
  for (int step = 0; step < 8; ++step) {
    if (!accepts(v.getType()))
      return std::nullopt;
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      if (arg.getOwner() != &func.getBody().front())
        return std::nullopt;
      auto type = cast<RankedTensorType>(arg.getType());
      return ValueInput{arg.getArgNumber(), type.getNumElements(),
                        isa<FloatType>(type.getElementType())};
    }
    Operation *def = v.getDefiningOp();
    if (!def || !isa<CastOp, IdentityOp, SqueezeOp, UnsqueezeOp, ReshapeOp>(def))
      return std::nullopt;
    Value src = def->getOperand(0);
    // A cast keeps the values only between integer types (a float input
    // through a float cast, where floats are accepted).
    if (isa<CastOp>(def) &&
        isa<FloatType>(getElementType(src)) !=
            isa<FloatType>(getElementType(v)))
      return std::nullopt;
    v = src;
  }
  return std::nullopt;
}

std::optional<SmallVector<Prog>> ValueShapeBuilder::getInts(Value v) const {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > kMaxValueInputElements)
    return std::nullopt;
  if (auto values = analysis.getSymbolicValues(v);
      values && (int64_t)values->size() == type.getNumElements() &&
      isa<IntegerType>(type.getElementType()) &&
      llvm::all_of(*values, [&](AffineExpr e) {
        if (!e)
          return false;
        bool derived = false;
        e.walk([&](AffineExpr s) {
          if (auto sym = dyn_cast<AffineSymbolExpr>(s))
            derived |= sym.getPosition() >= base;
        });
        return !derived;
      })) {
    SmallVector<Prog> out;
    for (AffineExpr e : *values)
      out.push_back(toProg(e));
    return out;
  }
  auto input = getValueInput(v);
  if (!input)
    return std::nullopt;
  SmallVector<Prog> out;
  for (int64_t j = 0; j < input->count; ++j)
    out.push_back(Prog::load(input->arg, j));
  return out;
}

AffineExpr ValueShapeBuilder::sanitize(AffineExpr e) {
  if (!e)
    return e;
  llvm::DenseMap<AffineExpr, AffineExpr> replacements;
  auto derived = analysis.getDerivedSymbols();
  // Derived symbol i of the analysis is number `base + i`; its program
  // expands MIN/MAX of its operands (which use lower numbers only).
  std::function<Prog(AffineExpr)> expand = [&](AffineExpr x) -> Prog {
    if (auto c = dyn_cast<AffineConstantExpr>(x))
      return cst(c.getValue());
    if (auto s = dyn_cast<AffineSymbolExpr>(x)) {
      unsigned p = s.getPosition();
      if (p < base)
        return Prog::sym(p);
      if (p - base >= derived.size())
        return Prog();
      const DerivedSymbol &d = derived[p - base];
      Prog a = expand(d.operands[0]), b = expand(d.operands[1]);
      return d.kind == DerivedSymbol::Kind::Min ? min(a, b) : max(a, b);
    }
    auto bin = cast<AffineBinaryOpExpr>(x);
    Prog l = expand(bin.getLHS()), r = expand(bin.getRHS());
    return binaryProg(x.getKind(), l, r);
  };
  bool ok = true;
  e.walk([&](AffineExpr s) {
    auto sym = dyn_cast<AffineSymbolExpr>(s);
    if (!sym || sym.getPosition() < base || replacements.count(s))
      return;
    unsigned i = sym.getPosition() - base;
    if (i >= derived.size()) {
      ok = false;
      return;
    }
    AffineExpr v = define("bound " + std::to_string(i),
                          describe() + " input bound " + analysis.print(s),
                          derived[i].lo, derived[i].hi, expand(s));
    if (!v)
      ok = false;
    else
      replacements[s] = v;
  });
  if (!ok)
    return {};
  return replacements.empty() ? e : e.replace(replacements);
}

std::optional<SmallVector<AffineExpr>> ValueShapeBuilder::getDims(Value v) const {
  auto shape = analysis.getSymbolicShape(v);
  if (failed(shape))
    return std::nullopt;
  auto *self = const_cast<ValueShapeBuilder *>(this);
  SmallVector<AffineExpr> out;
  for (AffineExpr e : *shape) {
    AffineExpr s = self->sanitize(e);
    if (!s)
      return std::nullopt;
    out.push_back(s);
  }
  return out;
}

Prog ValueShapeBuilder::toProg(AffineExpr e) const {
  if (!e)
    return Prog();
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return cst(c.getValue());
  if (auto s = dyn_cast<AffineSymbolExpr>(e))
    return s.getPosition() < base + symbols.size() ? Prog::sym(s.getPosition())
                                                   : Prog();
  auto bin = cast<AffineBinaryOpExpr>(e);
  Prog l = toProg(bin.getLHS()), r = toProg(bin.getRHS());
  return binaryProg(e.getKind(), l, r);
}

std::pair<int64_t, int64_t> ValueShapeBuilder::rangeOf(AffineExpr e) const {
  using Range = std::pair<int64_t, int64_t>;
  const Range unknown{-kMaxValueDim, kMaxValueDim};
  auto r = intervalRange(e, [&](unsigned p) -> std::optional<Range> {
    if (p < base)
      return analysis.getRange(getAffineSymbolExpr(p, getContext()));
    if (p - base < symbols.size())
      return Range{symbols[p - base].lo, symbols[p - base].hi};
    return std::nullopt;
  });
  if (!r)
    return unknown;
  return {std::max(r->first, -kMaxValueDim), std::min(r->second, kMaxValueDim)};
}

AffineExpr ValueShapeBuilder::define(StringRef name, StringRef what, int64_t lo,
                                     int64_t hi, Prog p) {
  if (!p)
    return {};
  MLIRContext *ctx = getContext();
  if (auto c = p.getConstant()) {
    if (*c < lo || *c > hi) {
      decline(what + " is " + std::to_string(*c) + ", outside " +
              std::to_string(lo) + ".." + std::to_string(hi));
      return {};
    }
    return getAffineConstantExpr(*c, ctx);
  }
  if (auto s = p.getSymbol()) {
    // Already a symbol: reuse it when its range is within [lo, hi].
    auto r = rangeOf(getAffineSymbolExpr(*s, ctx));
    if (r.first >= lo && r.second <= hi)
      return getAffineSymbolExpr(*s, ctx);
  }
  std::vector<int64_t> code = p.code();
  auto key = std::make_tuple(code, lo, hi);
  auto it = byProgram.find(key);
  if (it != byProgram.end())
    return getAffineSymbolExpr(base + it->second, ctx);
  NewValueSymbol s;
  s.name = describe() + " " + name.str();
  s.what = what.str();
  s.lo = lo;
  s.hi = hi;
  s.def = std::move(code);
  symbols.push_back(std::move(s));
  byProgram[key] = symbols.size() - 1;
  return getAffineSymbolExpr(base + symbols.size() - 1, ctx);
}

LogicalResult ValueShapeBuilder::require(StringRef name, StringRef what,
                                         Prog cond) {
  if (!cond)
    return decline("cannot express the check: " + what);
  if (auto c = cond.getConstant()) {
    if (*c == 1)
      return success();
    op->emitError() << what;
    declined = what.str();
    errored = true;
    return failure();
  }
  if (!define(name, what, 1, 1, cond))
    return failure();
  return success();
}

void ValueShapeBuilder::assume(AffineExpr lhs, AffineExpr rhs) {
  if (lhs == rhs)
    return;
  assumptions.push_back({lhs, rhs});
}

void ValueShapeBuilder::setParam(StringRef name, ArrayRef<AffineExpr> values) {
  SmallVector<int64_t> indices;
  for (auto [i, e] : llvm::enumerate(values)) {
    if (auto s = dyn_cast_or_null<AffineSymbolExpr>(e)) {
      indices.push_back(s.getPosition());
      continue;
    }
    std::string label = "param " + name.str() + "[" + std::to_string(i) + "]";
    std::string what = describe() + " parameter " + label.substr(6);
    if (auto c = dyn_cast_or_null<AffineConstantExpr>(e)) {
      // A constant parameter still needs a symbol: CONST c.
      std::vector<int64_t> code = {static_cast<int64_t>(IntExprOp::Const),
                                   c.getValue()};
      auto key = std::make_tuple(code, c.getValue(), c.getValue());
      auto it = byProgram.find(key);
      unsigned k;
      if (it != byProgram.end()) {
        k = it->second;
      } else {
        symbols.push_back({describe() + " " + label, what, c.getValue(),
                           c.getValue(), code});
        k = symbols.size() - 1;
        byProgram[key] = k;
      }
      indices.push_back(base + k);
      continue;
    }
    auto r = rangeOf(e);
    AffineExpr s = define(label, what, r.first, r.second, toProg(e));
    auto sym = dyn_cast_or_null<AffineSymbolExpr>(s);
    indices.push_back(sym ? (int64_t)sym.getPosition() : -1);
  }
  params.push_back({name.str(), indices});
}

void ValueShapeBuilder::setResultDims(unsigned i, ArrayRef<AffineExpr> dims) {
  if (resultDims.size() <= i)
    resultDims.resize(i + 1);
  resultDims[i].assign(dims.begin(), dims.end());
}

//===----------------------------------------------------------------------===//
// Shape functions
//===----------------------------------------------------------------------===//

namespace {

using Progs = SmallVector<Prog>;
using Exprs = SmallVector<AffineExpr>;

struct Shapes {
  ValueShapeBuilder &b;
  Operation *op;
  MLIRContext *ctx;

  /// Error text prefix: "node 'r' (Reshape)".
  std::string at() const { return b.describe(); }
  AffineExpr c(int64_t v) const { return getAffineConstantExpr(v, ctx); }
  Prog p(AffineExpr e) const { return b.toProg(e); }
  /// A symbol for an output dim (range [0, hi]).
  AffineExpr dim(StringRef label, StringRef what, Prog prog,
                 int64_t hi = kMaxValueDim) {
    return b.define(label, what, 0, hi, prog);
  }
  static std::string str(int64_t v) { return std::to_string(v); }
  /// Output dim `k` computed by `prog` from input `input`: the value symbol
  /// "dim k", whose error text says "<node> output dim k from input '...'".
  AffineExpr outputDim(int64_t k, StringRef input, Prog prog) {
    return dim("dim " + str(k),
               at() + " output dim " + str(k) + " from input '" +
                   input.str() + "'",
               prog);
  }
  /// outputDim(k, input, progs[k]) for every k, in order; failure when one
  /// is null.
  FailureOr<Exprs> outputDims(StringRef input, ArrayRef<Prog> progs) {
    Exprs out;
    for (auto [k, prog] : llvm::enumerate(progs)) {
      AffineExpr e = outputDim(k, input, prog);
      if (!e)
        return failure();
      out.push_back(e);
    }
    return out;
  }

  /// Axis values (possibly negative) normalized into [0, rank), checked in
  /// range and, with `distinct`, pairwise different.
  FailureOr<Progs> normalizeAxes(ArrayRef<Prog> axes, int64_t rank,
                                 StringRef input, bool distinct = true) {
    Progs out;
    Prog ok = cst(1);
    for (const Prog &a : axes) {
      ok = both(ok, both(le(cst(-rank), a), lt(a, cst(rank))));
      out.push_back(a + select(lt(a, cst(0)), cst(rank), cst(0)));
    }
    if (distinct)
      for (size_t i = 0; i < out.size(); ++i)
        for (size_t j = i + 1; j < out.size(); ++j)
          ok = both(ok, ne(out[i], out[j]));
    if (failed(b.require("axes valid",
                         at() + " input '" + input.str() +
                             "' has an axis outside [" + str(-rank) + ", " +
                             str(rank - 1) + "]" +
                             (distinct ? " or a repeated axis" : ""),
                         ok)))
      return failure();
    return out;
  }
  /// 1 when `k` is one of the normalized `axes`.
  static Prog isAxis(ArrayRef<Prog> axes, int64_t k) {
    Prog r = cst(0);
    for (const Prog &a : axes)
      r = either(r, eq(a, cst(k)));
    return r;
  }
  /// The dim of `dims` that the normalized axis `a` selects.
  Prog dimAt(const Prog &a, ArrayRef<AffineExpr> dims) {
    if (dims.empty())
      return Prog();
    Prog r = p(dims.back());
    for (int64_t k = (int64_t)dims.size() - 2; k >= 0; --k)
      r = select(eq(a, cst(k)), p(dims[k]), r);
    return r;
  }
  /// The j-th entry of `dims` whose `removed` flag is 0 (a rank-reducing
  /// op with value axes): sum over k of [not removed and j kept before] d_k.
  Prog keptDim(ArrayRef<AffineExpr> dims, ArrayRef<Prog> removed, int64_t j) {
    Prog out = cst(0), keptBefore = cst(0);
    for (size_t k = 0; k < dims.size(); ++k) {
      Prog kept = cst(1) - removed[k];
      out = out + select(both(kept, eq(keptBefore, cst(j))), p(dims[k]), cst(0));
      keptBefore = keptBefore + kept;
    }
    return out;
  }
  /// Result 0's dims: the first `count` dims of `dims` that `removed` does
  /// not flag (Squeeze, a reduction without keepdims).
  LogicalResult setKeptDims(ArrayRef<AffineExpr> dims, ArrayRef<Prog> removed,
                            int64_t count) {
    Progs kept;
    for (int64_t j = 0; j < count; ++j)
      kept.push_back(keptDim(dims, removed, j));
    FailureOr<Exprs> out = outputDims("axes", kept);
    if (failed(out))
      return failure();
    b.setResultDims(0, *out);
    return success();
  }
  /// Flags as symbols [0, 1] (keeps the later programs short).
  Progs flags(ArrayRef<Prog> in, StringRef label, StringRef what) {
    Progs out;
    for (auto [k, f] : llvm::enumerate(in))
      out.push_back(p(b.define((label + " " + str(k)).str(),
                               (what + " " + str(k)).str(), 0, 1, f)));
    return out;
  }

  std::optional<Exprs> dimsOf(Value v) {
    auto d = b.getDims(v);
    if (!d)
      b.decline("the input shape is not expressible");
    return d;
  }
  std::optional<Progs> intsOf(Value v, StringRef name) {
    auto i = b.getInts(v);
    if (!i)
      b.decline("input '" + name + "' is not a value input");
    return i;
  }

  // Reshape (Operators.md#Reshape, opset 14/19): 0 copies the input dim
  // (unless allowzero), one -1 is inferred from the element count.
  LogicalResult reshape(ReshapeOp r) {
    auto in = dimsOf(r.getData());
    auto shape = intsOf(r.getShape(), "shape");
    if (!in || !shape)
      return failure();
    bool allowZero = r.getAllowzero() != 0;
    int64_t rank = in->size();
    // a_k: the dim before -1 is inferred.
    Progs a;
    Prog valid = cst(1), negatives = cst(0);
    for (auto [k, v] : llvm::enumerate(*shape)) {
      Prog ak = v;
      if (!allowZero) {
        if ((int64_t)k < rank)
          ak = select(eq(v, cst(0)), p((*in)[k]), v);
        else
          valid = both(valid, ne(v, cst(0)));
      }
      valid = both(valid, le(cst(-1), v));
      negatives = negatives + eq(v, cst(-1));
      a.push_back(ak);
    }
    valid = both(valid, le(negatives, cst(1)));
    if (allowZero)
      // A 0 with a -1 leaves the -1 undetermined.
      for (const Prog &v : *shape)
        valid = both(valid, either(eq(negatives, cst(0)), ne(v, cst(0))));
    if (failed(b.require("shape valid",
                         at() + " input 'shape' has a value below -1, more "
                                "than one -1, or a 0 with no input dim to copy",
                         valid)))
      return failure();
    Prog known = cst(1);
    for (const Prog &ak : a)
      known = known * select(eq(ak, cst(-1)), cst(1), ak);
    Prog total = cst(1);
    for (AffineExpr d : *in)
      total = total * p(d);
    Prog inferred;
    if (!isConst(negatives, 0)) {
      AffineExpr k = b.define("known product",
                              at() + " product of the known dims of 'shape'",
                              0, std::numeric_limits<int64_t>::max(), known);
      inferred = floorDiv(total, max(p(k), cst(1)));
    }
    Progs dims;
    for (const Prog &ak : a)
      dims.push_back(inferred ? select(eq(ak, cst(-1)), inferred, ak) : ak);
    FailureOr<Exprs> out = outputDims("shape", dims);
    if (failed(out))
      return failure();
    b.setResultDims(0, *out);
    // The element count is unchanged (also catches a -1 that does not
    // divide).
    AffineExpr po = c(1), pi = c(1);
    for (AffineExpr e : *out)
      po = po * e;
    for (AffineExpr e : *in)
      pi = pi * e;
    b.assume(b.getAnalysis().canonical(po), b.getAnalysis().canonical(pi));
    return success();
  }

  // Squeeze-13 (Operators.md#Squeeze): the listed dims (each 1) are removed.
  LogicalResult squeeze(SqueezeOp s) {
    if (!s.getAxes())
      return b.decline("no axes");
    auto in = dimsOf(s.getData());
    auto axes = intsOf(s.getAxes(), "axes");
    if (!in || !axes)
      return failure();
    int64_t rank = in->size();
    auto norm = normalizeAxes(*axes, rank, "axes");
    if (failed(norm))
      return failure();
    Progs removed;
    Prog ones = cst(1);
    for (int64_t k = 0; k < rank; ++k) {
      removed.push_back(isAxis(*norm, k));
      ones = both(ones, either(cst(1) - removed.back(),
                               eq(p((*in)[k]), cst(1))));
    }
    if (failed(b.require("squeezed dims are 1",
                         at() + " squeezes a dim that is not 1", ones)))
      return failure();
    removed = flags(removed, "squeezed", at() + " squeezes dim");
    return setKeptDims(*in, removed, rank - (int64_t)axes->size());
  }

  // Unsqueeze-13 (Operators.md#Unsqueeze): axes index the output.
  LogicalResult unsqueeze(UnsqueezeOp u) {
    auto in = dimsOf(u.getData());
    auto axes = intsOf(u.getAxes(), "axes");
    if (!in || !axes)
      return failure();
    int64_t rank = in->size() + axes->size();
    auto norm = normalizeAxes(*axes, rank, "axes");
    if (failed(norm))
      return failure();
    Progs added;
    for (int64_t k = 0; k < rank; ++k)
      added.push_back(isAxis(*norm, k));
    added = flags(added, "inserted", at() + " inserts output dim");
    Progs dims;
    Prog before = cst(0); // inserted dims before k
    for (int64_t k = 0; k < rank; ++k) {
      Prog src = cst(0);
      for (size_t m = 0; m < in->size(); ++m)
        src = src + select(eq(cst(k) - before, cst(m)), p((*in)[m]), cst(0));
      dims.push_back(select(added[k], cst(1), src));
      before = before + added[k];
    }
    FailureOr<Exprs> out = outputDims("axes", dims);
    if (failed(out))
      return failure();
    b.setResultDims(0, *out);
    return success();
  }

  // Expand-13 (Operators.md#Expand): NumPy broadcast of the input shape and
  // `shape`. An input dim that is not 1 stays (`shape` must be 1 or it).
  LogicalResult expand(ExpandOp e) {
    auto in = dimsOf(e.getInput());
    auto shape = intsOf(e.getShape(), "shape");
    if (!in || !shape)
      return failure();
    int64_t r = in->size(), l = shape->size(), rank = std::max(r, l);
    Exprs out;
    Prog ok = cst(1);
    for (int64_t k = 0; k < rank; ++k) {
      AffineExpr d = k - (rank - r) >= 0 ? (*in)[k - (rank - r)] : c(1);
      Prog v = k - (rank - l) >= 0 ? (*shape)[k - (rank - l)] : cst(1);
      auto dc = dyn_cast<AffineConstantExpr>(d);
      if (dc && dc.getValue() == 1) {
        AffineExpr o = outputDim(k, "shape", v);
        if (!o)
          return failure();
        out.push_back(o);
        continue;
      }
      ok = both(ok, either(eq(v, cst(1)), eq(v, p(d))));
      out.push_back(d);
    }
    if (failed(b.require("shape broadcasts",
                         at() + " input 'shape' does not broadcast with the "
                                "input shape",
                         ok)))
      return failure();
    b.setResultDims(0, out);
    return success();
  }

  // ConstantOfShape-9 (Operators.md#ConstantOfShape).
  LogicalResult constantOfShape(ConstantOfShapeOp cs) {
    auto shape = intsOf(cs.getInput(), "input");
    if (!shape)
      return failure();
    FailureOr<Exprs> out = outputDims("input", *shape);
    if (failed(out))
      return failure();
    b.setResultDims(0, *out);
    return success();
  }

  // Tile-13 (Operators.md#Tile): o_k = d_k * repeats_k.
  LogicalResult tile(TileOp t) {
    auto in = dimsOf(t.getInput());
    auto reps = intsOf(t.getRepeats(), "repeats");
    if (!in || !reps)
      return failure();
    if (reps->size() != in->size())
      return b.decline("repeats length differs from the rank");
    Progs dims;
    for (auto [k, rep] : llvm::enumerate(*reps))
      dims.push_back(p((*in)[k]) * rep);
    FailureOr<Exprs> out = outputDims("repeats", dims);
    if (failed(out))
      return failure();
    b.setResultDims(0, *out);
    return success();
  }

  // Range-11 (Operators.md#Range): max(ceil((limit - start) / delta), 0).
  LogicalResult range(RangeOp r) {
    std::string what = at() + " output length from inputs 'start', 'limit', "
                               "'delta'";
    if (isa<FloatType>(getElementType(r.getStart()))) {
      auto s = b.getValueInput(r.getStart(), true),
           l = b.getValueInput(r.getLimit(), true),
           d = b.getValueInput(r.getDelta(), true);
      if (!s || !l || !d || s->count != 1 || l->count != 1 || d->count != 1) {
        // Integral operands (float constants with integer values, casts of
        // integer values: the window functions' expansions) count exactly
        // like an integer Range.
        auto s = integralInts(r.getStart()), l = integralInts(r.getLimit()),
             d = integralInts(r.getDelta());
        if (!s || !l || !d)
          return b.decline("float Range needs start, limit and delta inputs "
                           "or integral operands");
        return intRange(*s, *l, *d, what);
      }
      AffineExpr n = dim("length", what, Prog::frange(s->arg, l->arg, d->arg));
      if (!n)
        return failure();
      b.setResultDims(0, {n});
      return success();
    }
    auto s = intsOf(r.getStart(), "start"), l = intsOf(r.getLimit(), "limit"),
         d = intsOf(r.getDelta(), "delta");
    if (!s || !l || !d || s->size() != 1 || l->size() != 1 || d->size() != 1)
      return failure();
    return intRange((*s)[0], (*l)[0], (*d)[0], what);
  }

  /// The value of the one-element float tensor `v` as an integer program
  /// when it is exact: a float constant with an integral value in
  /// (-2^24, 2^24) (exact in f32), or a Cast to float of integer values
  /// known or loaded (the program reads the integer; a value of 2^24 or
  /// more would round in f32, so its range check is the caller's). Else
  /// std::nullopt.
  std::optional<Prog> integralInts(Value v) {
    if (auto values = getConstantFloats(v)) {
      if (values->size() != 1)
        return std::nullopt;
      double x = values->front();
      if (x != std::floor(x) || std::fabs(x) >= 16777216.0)
        return std::nullopt;
      return cst(static_cast<int64_t>(x));
    }
    auto cast = v.getDefiningOp<CastOp>();
    if (!cast || !isa<IntegerType>(getElementType(cast.getInput())))
      return std::nullopt;
    auto ints = b.getInts(cast.getInput());
    if (!ints || ints->size() != 1)
      return std::nullopt;
    return (*ints)[0];
  }

  LogicalResult intRange(Prog start, Prog limit, Prog delta,
                         const std::string &what) {
    if (failed(b.require("delta nonzero", at() + " input 'delta' is 0",
                         ne(delta, cst(0)))))
      return failure();
    Prog up = ceilDiv(limit - start, max(delta, cst(1)));
    Prog down = ceilDiv(start - limit, max(-delta, cst(1)));
    AffineExpr n = dim("length", what,
                       max(select(lt(cst(0), delta), up, down), cst(0)));
    if (!n)
      return failure();
    b.setResultDims(0, {n});
    return success();
  }

  // Split-18 (Operators.md#Split) with a `split` input: output i has
  // split[i] along the axis; they sum to the axis dim.
  LogicalResult split(SplitOp s) {
    if (!s.getSplit())
      return b.decline("no split input");
    auto in = dimsOf(s.getInput());
    auto sizes = intsOf(s.getSplit(), "split");
    if (!in || !sizes)
      return failure();
    int64_t rank = in->size();
    int64_t axis = s.getAxis();
    if (axis < -rank || axis >= rank)
      return b.decline("axis out of range");
    if (axis < 0)
      axis += rank;
    if (sizes->size() != s->getNumResults())
      return b.decline("split length differs from the number of outputs");
    AffineExpr sum = c(0);
    Exprs offsets;
    for (auto [i, v] : llvm::enumerate(*sizes)) {
      AffineExpr o = dim("output " + str(i),
                         at() + " output " + str(i) + " dim " + str(axis) +
                             " from input 'split'",
                         v);
      if (!o)
        return failure();
      offsets.push_back(b.getAnalysis().canonical(sum));
      sum = sum + o;
      Exprs dims = *in;
      dims[axis] = o;
      b.setResultDims(i, dims);
    }
    b.assume(b.getAnalysis().canonical(sum), (*in)[axis]);
    // Offsets as symbols: 0 for the first, then running sums.
    Exprs offsetSyms;
    for (auto [i, o] : llvm::enumerate(offsets))
      offsetSyms.push_back(
          i == 0 ? o
                 : b.define("offset " + str(i),
                            at() + " start of output " + str(i), 0,
                            kMaxValueDim, p(o)));
    b.setParam("offsets", offsetSyms);
    return success();
  }

  // Slice-13 (Operators.md#Slice): negative starts/ends count from the
  // end; starts clamp to [0, d] (steps > 0) or [0, d - 1] (steps < 0), ends
  // to [0, d] or [-1, d - 1]; the length is max(ceil((end - start) /
  // step), 0). INT64 extremes only ever have d added when negative, so they
  // do not overflow.
  LogicalResult slice(SliceOp s) {
    auto in = dimsOf(s.getData());
    auto starts = intsOf(s.getStarts(), "starts");
    auto ends = intsOf(s.getEnds(), "ends");
    if (!in || !starts || !ends)
      return failure();
    int64_t rank = in->size();
    size_t n = starts->size();
    if (ends->size() != n)
      return b.decline("starts and ends differ in length");
    Progs axes, steps;
    if (s.getAxes()) {
      auto a = intsOf(s.getAxes(), "axes");
      if (!a)
        return failure();
      axes = *a;
    } else {
      for (size_t i = 0; i < n; ++i)
        axes.push_back(cst(i));
    }
    if (s.getSteps()) {
      auto t = intsOf(s.getSteps(), "steps");
      if (!t)
        return failure();
      steps = *t;
    } else {
      steps.assign(n, cst(1));
    }
    if (axes.size() != n || steps.size() != n)
      return b.decline("axes or steps differ in length from starts");
    auto norm = normalizeAxes(axes, rank, "axes");
    if (failed(norm))
      return failure();
    Prog nonzero = cst(1);
    for (const Prog &t : steps)
      nonzero = both(nonzero, ne(t, cst(0)));
    if (failed(b.require("steps nonzero", at() + " input 'steps' has a 0",
                         nonzero)))
      return failure();
    Progs counts, begins;
    for (size_t i = 0; i < n; ++i) {
      Prog d = dimAt((*norm)[i], *in);
      Prog t = steps[i], neg = lt(t, cst(0));
      Prog st = (*starts)[i], en = (*ends)[i];
      st = st + select(lt(st, cst(0)), d, cst(0));
      en = en + select(lt(en, cst(0)), d, cst(0));
      Prog hi = d - neg;
      st = min(max(st, cst(0)), hi);
      en = min(max(en, -neg), hi);
      int64_t dimHi = 0;
      for (AffineExpr e : *in)
        dimHi = std::max(dimHi, b.upperBound(e));
      AffineExpr begin =
          b.define("start " + str(i),
                   at() + " effective start of entry " + str(i), 0, dimHi, st);
      if (!begin)
        return failure();
      Prog num = select(neg, p(begin) - en, en - p(begin));
      Prog den = max(select(neg, -t, t), cst(1));
      AffineExpr count =
          dim("length " + str(i),
              at() + " output length of entry " + str(i) +
                  " from inputs 'starts', 'ends', 'steps'",
              max(ceilDiv(num, den), cst(0)), dimHi);
      if (!count)
        return failure();
      counts.push_back(p(count));
      begins.push_back(p(begin));
    }
    Exprs out, startParams, stepParams;
    for (int64_t k = 0; k < rank; ++k) {
      Prog o = p((*in)[k]), st = cst(0), t = cst(1);
      for (int64_t i = n - 1; i >= 0; --i) {
        Prog hit = eq((*norm)[i], cst(k));
        o = select(hit, counts[i], o);
        st = select(hit, begins[i], st);
        t = select(hit, steps[i], t);
      }
      AffineExpr ok = dim("dim " + str(k),
                          at() + " output dim " + str(k) +
                              " from inputs 'starts', 'ends', 'axes', 'steps'",
                          o);
      AffineExpr sk = b.define("param start " + str(k),
                               at() + " start in dim " + str(k), 0,
                               kMaxValueDim, st);
      AffineExpr tk = b.define("param step " + str(k),
                               at() + " step in dim " + str(k),
                               std::numeric_limits<int64_t>::min(),
                               std::numeric_limits<int64_t>::max(), t);
      if (!ok || !sk || !tk)
        return failure();
      out.push_back(ok);
      startParams.push_back(sk);
      stepParams.push_back(tk);
    }
    b.setResultDims(0, out);
    b.setParam("starts", startParams);
    b.setParam("steps", stepParams);
    return success();
  }

  // Pad-19 (Operators.md#Pad): pads = [x1_begin, x2_begin, ..., x1_end,
  // ...] for `axes` (all dims without it); negative pads crop.
  LogicalResult pad(PadOp pd) {
    auto in = dimsOf(pd.getData());
    auto pads = intsOf(pd.getPads(), "pads");
    if (!in || !pads)
      return failure();
    int64_t rank = in->size();
    Progs axes;
    if (pd.getAxes()) {
      auto a = intsOf(pd.getAxes(), "axes");
      if (!a)
        return failure();
      auto norm = normalizeAxes(*a, rank, "axes");
      if (failed(norm))
        return failure();
      axes = *norm;
    } else {
      for (int64_t k = 0; k < rank; ++k)
        axes.push_back(cst(k));
    }
    size_t n = axes.size();
    if (pads->size() != 2 * n)
      return b.decline("pads length is not twice the number of axes");
    Exprs out, begins;
    for (int64_t k = 0; k < rank; ++k) {
      Prog bk = cst(0), ek = cst(0);
      for (int64_t i = n - 1; i >= 0; --i) {
        Prog hit = eq(axes[i], cst(k));
        bk = select(hit, (*pads)[i], bk);
        ek = select(hit, (*pads)[i + n], ek);
      }
      AffineExpr begin = b.define("begin " + str(k),
                                  at() + " padding before dim " + str(k),
                                  -kMaxValueDim, kMaxValueDim, bk);
      AffineExpr o = outputDim(k, "pads", p((*in)[k]) + bk + ek);
      if (!begin || !o)
        return failure();
      out.push_back(o);
      begins.push_back(begin);
    }
    b.setResultDims(0, out);
    b.setParam("begin", begins);
    return success();
  }

  // Reduce*-18 (Operators.md#ReduceSum): the axes are reduced to 1
  // (keepdims) or removed; empty axes are handled statically.
  LogicalResult reduce(Operation *r, Value data, Value axesValue,
                       bool keepDims) {
    if (!axesValue)
      return b.decline("no axes");
    auto in = dimsOf(data);
    auto axes = intsOf(axesValue, "axes");
    if (!in || !axes)
      return failure();
    if (axes->empty())
      return b.decline("empty axes (static)");
    int64_t rank = in->size();
    // Repeated axes are allowed when keepdims (the set is what counts) but
    // not without it: the output rank would depend on values.
    auto norm = normalizeAxes(*axes, rank, "axes", /*distinct=*/!keepDims);
    if (failed(norm))
      return failure();
    Progs reduced;
    for (int64_t k = 0; k < rank; ++k)
      reduced.push_back(isAxis(*norm, k));
    reduced = flags(reduced, "reduced", at() + " reduces dim");
    Exprs kept, extents;
    for (int64_t k = 0; k < rank; ++k) {
      AffineExpr kk = dim("kept " + str(k),
                          at() + " kept dim " + str(k) + " from input 'axes'",
                          select(reduced[k], cst(1), p((*in)[k])));
      AffineExpr ek = dim("extent " + str(k),
                          at() + " reduced extent " + str(k), 
                          select(reduced[k], p((*in)[k]), cst(1)));
      if (!kk || !ek)
        return failure();
      kept.push_back(kk);
      extents.push_back(ek);
    }
    if (keepDims)
      b.setResultDims(0, kept);
    else if (failed(setKeptDims(*in, reduced, rank - (int64_t)axes->size())))
      return failure();
    b.setParam("extents", extents);
    b.setParam("kept", kept);
    return success();
  }

  // TopK-11 (Operators.md#TopK): the axis dim becomes K (K <= dim).
  LogicalResult topK(TopKOp t) {
    auto in = dimsOf(t.getX());
    auto k = intsOf(t.getK(), "K");
    if (!in || !k || k->size() != 1)
      return failure();
    int64_t rank = in->size(), axis = t.getAxis();
    if (axis < -rank || axis >= rank)
      return b.decline("axis out of range");
    if (axis < 0)
      axis += rank;
    AffineExpr d = (*in)[axis];
    AffineExpr kk = dim("k", at() + " input 'K'", (*k)[0], b.upperBound(d));
    if (!kk)
      return failure();
    if (failed(b.require("K within the axis",
                         at() + " input 'K' exceeds the axis dim",
                         le(p(kk), p(d)))))
      return failure();
    Exprs out = *in;
    out[axis] = kk;
    b.setResultDims(0, out);
    b.setResultDims(1, out);
    b.setParam("k", {kk});
    return success();
  }

  // OneHot-11 (Operators.md#OneHot): a new dim `depth` at `axis`.
  LogicalResult oneHot(OneHotOp o) {
    auto in = dimsOf(o.getIndices());
    if (!in)
      return failure();
    Prog depth;
    if (isa<FloatType>(getElementType(o.getDepth()))) {
      auto input = b.getValueInput(o.getDepth(), true);
      if (!input || input->count != 1)
        return b.decline("depth is not a value input");
      // floor(1 * depth): the float depth as an integer.
      depth = Prog::fmulFloor(cst(1), input->arg, 0);
    } else {
      auto d = intsOf(o.getDepth(), "depth");
      if (!d || d->size() != 1)
        return failure();
      depth = (*d)[0];
    }
    int64_t rank = in->size() + 1, axis = o.getAxis();
    if (axis < -rank || axis >= rank)
      return b.decline("axis out of range");
    if (axis < 0)
      axis += rank;
    AffineExpr d = b.define("depth", at() + " input 'depth'", 1, kMaxValueDim,
                            depth);
    if (!d)
      return failure();
    Exprs out = *in;
    out.insert(out.begin() + axis, d);
    b.setResultDims(0, out);
    b.setParam("depth", {d});
    return success();
  }

  // Resize-19 (Operators.md#Resize): floor(d * scale) per axis, or `sizes`
  // (with keep_aspect_ratio_policy: the min/max ratio sizes/d over the
  // axes, then round_half_up(ratio * d)).
  LogicalResult resize(ResizeOp r) {
    auto in = dimsOf(r.getX());
    if (!in)
      return failure();
    int64_t rank = in->size();
    SmallVector<int64_t> axes;
    if (auto a = r.getAxes()) {
      for (int64_t x : *a) {
        if (x < -rank || x >= rank)
          return b.decline("axis out of range");
        axes.push_back(x < 0 ? x + rank : x);
      }
    } else {
      for (int64_t k = 0; k < rank; ++k)
        axes.push_back(k);
    }
    Exprs out = *in;
    auto known = [&](Value v) {
      auto t = v ? dyn_cast<RankedTensorType>(v.getType()) : nullptr;
      return t && t.hasStaticShape() && t.getNumElements() > 0;
    };
    if (known(r.getScales())) {
      auto s = b.getValueInput(r.getScales(), true);
      if (!s || s->count != (int64_t)axes.size() || !s->isFloat)
        return b.decline("scales is not a float value input");
      for (auto [i, axis] : llvm::enumerate(axes)) {
        AffineExpr o = outputDim(
            axis, "scales", Prog::fmulFloor(p((*in)[axis]), s->arg, i));
        if (!o)
          return failure();
        out[axis] = o;
      }
      b.setResultDims(0, out);
      return success();
    }
    if (!known(r.getSizes()))
      return b.decline("neither scales nor sizes");
    auto sizes = intsOf(r.getSizes(), "sizes");
    if (!sizes || sizes->size() != axes.size())
      return failure();
    StringRef policy = r.getKeepAspectRatioPolicy();
    if (policy == "stretch") {
      for (auto [i, axis] : llvm::enumerate(axes)) {
        AffineExpr o = outputDim(axis, "sizes", (*sizes)[i]);
        if (!o)
          return failure();
        out[axis] = o;
      }
      b.setResultDims(0, out);
      return success();
    }
    bool notLarger = policy == "not_larger";
    if (!notLarger && policy != "not_smaller")
      return b.decline("unknown keep_aspect_ratio_policy");
    // The ratio num/den = sizes[i] / d_axis that is smallest (not_larger) or
    // largest (not_smaller), compared by cross-multiplication.
    Prog num = (*sizes)[0], den = p((*in)[axes[0]]);
    Prog positive = lt(cst(0), den);
    for (size_t i = 1; i < axes.size(); ++i) {
      Prog ni = (*sizes)[i], di = p((*in)[axes[i]]);
      positive = both(positive, lt(cst(0), di));
      Prog better = notLarger ? lt(ni * den, num * di) : lt(num * di, ni * den);
      AffineExpr n2 = b.define("ratio num " + str(i),
                               at() + " aspect ratio numerator", 0,
                               kMaxValueDim, select(better, ni, num));
      AffineExpr d2 = b.define("ratio den " + str(i),
                               at() + " aspect ratio denominator", 0,
                               kMaxValueDim, select(better, di, den));
      if (!n2 || !d2)
        return failure();
      num = p(n2);
      den = p(d2);
    }
    if (failed(b.require("input dims positive",
                         at() + " resizes an empty dim by aspect ratio",
                         positive)))
      return failure();
    for (size_t i = 0; i < axes.size(); ++i) {
      // round_half_up(num / den * d) = floor((2 num d + den) / (2 den)).
      Prog d = p((*in)[axes[i]]);
      Prog o = floorDiv(cst(2) * num * d + den, max(cst(2) * den, cst(1)));
      AffineExpr e = outputDim(axes[i], "sizes", o);
      if (!e)
        return failure();
      out[axes[i]] = e;
    }
    b.setResultDims(0, out);
    return success();
  }

  template <typename ReduceOpTy>
  LogicalResult reduceOp(ReduceOpTy r) {
    return reduce(r, r.getData(), r.getAxes(), r.getKeepdims() != 0);
  }
};

} // namespace

bool hasValueShapeFunction(Operation *op) {
  return isa<ReshapeOp, SqueezeOp, UnsqueezeOp, ExpandOp, ConstantOfShapeOp,
             TileOp, RangeOp, SplitOp, SliceOp, PadOp, ReduceSumOp,
             ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp, ReduceL1Op,
             ReduceL2Op, ReduceLogSumOp, ReduceLogSumExpOp, ReduceSumSquareOp,
             TopKOp, OneHotOp, ResizeOp>(op);
}

LogicalResult buildValueShape(ValueShapeBuilder &b) {
  Operation *op = b.getOp();
  Shapes s{b, op, op->getContext()};
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](ReshapeOp o) { return s.reshape(o); })
          .Case([&](SqueezeOp o) { return s.squeeze(o); })
          .Case([&](UnsqueezeOp o) { return s.unsqueeze(o); })
          .Case([&](ExpandOp o) { return s.expand(o); })
          .Case([&](ConstantOfShapeOp o) { return s.constantOfShape(o); })
          .Case([&](TileOp o) { return s.tile(o); })
          .Case([&](RangeOp o) { return s.range(o); })
          .Case([&](SplitOp o) { return s.split(o); })
          .Case([&](SliceOp o) { return s.slice(o); })
          .Case([&](PadOp o) { return s.pad(o); })
          .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp,
                ReduceProdOp, ReduceL1Op, ReduceL2Op, ReduceLogSumOp,
                ReduceLogSumExpOp, ReduceSumSquareOp>(
              [&](auto o) { return s.reduceOp(o); })
          .Case([&](TopKOp o) { return s.topK(o); })
          .Case([&](OneHotOp o) { return s.oneHot(o); })
          .Case([&](ResizeOp o) { return s.resize(o); })
          .Default([&](Operation *) { return b.decline("no shape function"); });
  if (failed(result))
    return failure();
  if (b.getResultDims().size() != op->getNumResults())
    return b.decline("not every result has dims");
  for (auto dims : b.getResultDims())
    for (AffineExpr e : dims)
      if (!e)
        return b.decline("a result dim is not expressible");
  return success();
}

} // namespace aicc::graph
