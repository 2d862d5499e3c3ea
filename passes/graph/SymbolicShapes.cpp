//===- SymbolicShapes.cpp - Shapes as expressions over dim symbols --------===//
//
// One forward sweep over the function: each op's result shapes (and, for
// small integer tensors, element values) are computed from its operands'
// by a per-op rule; an op without a rule keeps what its result type says
// (static dims become constants, dynamic ones are not expressible).
//
// Expressions are kept canonical (a sum of products of atoms with integer
// coefficients, atoms ordered by symbol number) so that equal expressions
// are the same uniqued AffineExpr, and so that a Reshape's -1 dim cancels
// the factors it shares with the known dims.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/SymbolicShapes.h"
#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include <cmath>
#include <map>

using namespace mlir;

namespace aicc::graph {

using Exprs = SmallVector<AffineExpr>;

//===----------------------------------------------------------------------===//
// Canonical polynomials
//===----------------------------------------------------------------------===//

namespace {

/// A polynomial over atoms (symbols, and floordiv/ceildiv/mod expressions
/// that stay opaque), keyed by a string that orders symbols by number
/// before other atoms.
struct Poly {
  using Monomial = std::vector<std::string>; // sorted atom keys
  std::map<Monomial, int64_t> terms;
  bool overflow = false;

  void add(const Monomial &m, int64_t c) {
    int64_t &t = terms[m];
    if (llvm::AddOverflow(t, c, t))
      overflow = true;
    if (t == 0)
      terms.erase(m);
  }
};

struct PolyBuilder {
  std::map<std::string, AffineExpr> atoms;
  const SymbolicShapeAnalysis &analysis;

  std::string keyOf(AffineExpr atom) {
    std::string key;
    if (auto s = dyn_cast<AffineSymbolExpr>(atom)) {
      key = llvm::formatv("{0:d6}", s.getPosition()).str();
    } else {
      llvm::raw_string_ostream os(key);
      os << "~";
      atom.print(os);
    }
    atoms.try_emplace(key, atom);
    return key;
  }

  Poly build(AffineExpr e) {
    Poly p;
    if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      p.add({}, c.getValue());
      return p;
    }
    if (isa<AffineSymbolExpr>(e)) {
      p.add({keyOf(e)}, 1);
      return p;
    }
    auto bin = cast<AffineBinaryOpExpr>(e);
    if (e.getKind() == AffineExprKind::Add) {
      Poly l = build(bin.getLHS()), r = build(bin.getRHS());
      for (auto &[m, c] : r.terms)
        l.add(m, c);
      l.overflow |= r.overflow;
      return l;
    }
    if (e.getKind() == AffineExprKind::Mul) {
      Poly l = build(bin.getLHS()), r = build(bin.getRHS());
      p.overflow = l.overflow || r.overflow;
      for (auto &[ml, cl] : l.terms)
        for (auto &[mr, cr] : r.terms) {
          Poly::Monomial m = ml;
          m.insert(m.end(), mr.begin(), mr.end());
          llvm::sort(m);
          int64_t c;
          if (llvm::MulOverflow(cl, cr, c))
            p.overflow = true;
          p.add(m, c);
        }
      return p;
    }
    // floordiv, ceildiv, mod: an atom of canonical operands.
    AffineExpr l = analysis.canonical(bin.getLHS());
    AffineExpr r = analysis.canonical(bin.getRHS());
    AffineExpr atom = e.getKind() == AffineExprKind::FloorDiv  ? l.floorDiv(r)
                      : e.getKind() == AffineExprKind::CeilDiv ? l.ceilDiv(r)
                                                               : l % r;
    if (isa<AffineBinaryOpExpr>(atom) &&
        (atom.getKind() == AffineExprKind::FloorDiv ||
         atom.getKind() == AffineExprKind::CeilDiv ||
         atom.getKind() == AffineExprKind::Mod)) {
      p.add({keyOf(atom)}, 1);
      return p;
    }
    return build(atom); // simplified to something else
  }

  AffineExpr toExpr(const Poly &p, MLIRContext *ctx) {
    AffineExpr sum;
    int64_t constant = 0;
    for (auto &[m, c] : p.terms) {
      if (m.empty()) {
        constant = c;
        continue;
      }
      AffineExpr term;
      for (const std::string &key : m)
        term = term ? term * atoms.at(key) : atoms.at(key);
      if (c != 1)
        term = term * c;
      sum = sum ? sum + term : term;
    }
    AffineExpr c = getAffineConstantExpr(constant, ctx);
    if (!sum)
      return c;
    return constant ? sum + c : sum;
  }
};

} // namespace

AffineExpr SymbolicShapeAnalysis::constant(int64_t v) const {
  return getAffineConstantExpr(v, context);
}

AffineExpr SymbolicShapeAnalysis::canonical(AffineExpr expr) const {
  if (!expr || isa<AffineConstantExpr, AffineSymbolExpr>(expr))
    return expr;
  PolyBuilder b{{}, *this};
  Poly p = b.build(expr);
  if (p.overflow)
    return {};
  return b.toExpr(p, context);
}

bool SymbolicShapeAnalysis::provablyEqual(AffineExpr a, AffineExpr b) const {
  if (!a || !b)
    return false;
  if (a == b)
    return true;
  AffineExpr d = canonical(a - b);
  auto c = dyn_cast_or_null<AffineConstantExpr>(d);
  return c && c.getValue() == 0;
}

bool SymbolicShapeAnalysis::provablyLessEqual(AffineExpr a,
                                              AffineExpr b) const {
  if (!a || !b)
    return false;
  auto r = getRange(canonical(b - a));
  return r && r->first >= 0;
}

bool SymbolicShapeAnalysis::usesDerived(AffineExpr expr) const {
  bool uses = false;
  expr.walk([&](AffineExpr e) {
    if (auto s = dyn_cast<AffineSymbolExpr>(e))
      uses |= s.getPosition() >= getNumBaseSymbols();
  });
  return uses;
}

AffineExpr SymbolicShapeAnalysis::min(AffineExpr a, AffineExpr b) {
  return extremum(DerivedSymbol::Kind::Min, a, b);
}

AffineExpr SymbolicShapeAnalysis::max(AffineExpr a, AffineExpr b) {
  return extremum(DerivedSymbol::Kind::Max, a, b);
}

AffineExpr SymbolicShapeAnalysis::extremum(DerivedSymbol::Kind kind,
                                           AffineExpr a, AffineExpr b) {
  if (!a || !b)
    return {};
  bool isMax = kind == DerivedSymbol::Kind::Max;
  if (provablyLessEqual(a, b))
    return isMax ? b : a;
  if (provablyLessEqual(b, a))
    return isMax ? a : b;
  auto ra = getRange(a), rb = getRange(b);
  if (!ra || !rb)
    return {};
  for (auto [i, d] : llvm::enumerate(derived))
    if (d.kind == kind && d.operands[0] == a && d.operands[1] == b)
      return getAffineSymbolExpr(getNumBaseSymbols() + i, context);
  auto pick = [&](int64_t x, int64_t y) {
    return isMax ? std::max(x, y) : std::min(x, y);
  };
  derived.push_back(
      {kind, {a, b}, pick(ra->first, rb->first), pick(ra->second, rb->second)});
  return getAffineSymbolExpr(numSymbols() - 1, context);
}

AffineExpr SymbolicShapeAnalysis::divide(AffineExpr a, AffineExpr b) const {
  if (!a || !b)
    return {};
  auto cb = dyn_cast<AffineConstantExpr>(b);
  if (cb && cb.getValue() == 0)
    return {};
  PolyBuilder builder{{}, *this};
  Poly pa = builder.build(a), pb = builder.build(b);
  if (pa.overflow || pb.overflow || pb.terms.empty())
    return {};
  if (pb.terms.size() == 1) {
    // A monomial divides each term that holds its atoms and whose
    // coefficient its coefficient divides.
    const auto &[mb, c] = *pb.terms.begin();
    Poly q;
    bool exact = true;
    for (auto &[m, coef] : pa.terms) {
      Poly::Monomial rest = m;
      for (const std::string &atom : mb) {
        auto it = llvm::find(rest, atom);
        if (it == rest.end()) {
          exact = false;
          break;
        }
        rest.erase(it);
      }
      if (!exact || coef % c != 0) {
        exact = false;
        break;
      }
      q.add(rest, coef / c);
    }
    if (exact)
      return builder.toExpr(q, context);
  } else {
    // a == k * b for a constant k.
    const auto &[m1, c1] = *pb.terms.begin();
    auto it = pa.terms.find(m1);
    if (it != pa.terms.end() && it->second % c1 == 0) {
      int64_t k = it->second / c1;
      Poly kb;
      for (auto &[m, c] : pb.terms)
        kb.add(m, c * k);
      if (kb.terms == pa.terms)
        return constant(k);
    }
  }
  return canonical(canonical(a).floorDiv(canonical(b)));
}

AffineExpr SymbolicShapeAnalysis::broadcast(AffineExpr a, AffineExpr b,
                                            Operation *op) {
  auto isOne = [](AffineExpr e) {
    auto c = dyn_cast_or_null<AffineConstantExpr>(e);
    return c && c.getValue() == 1;
  };
  if (isOne(a))
    return b;
  if (isOne(b))
    return a;
  if (!a || !b)
    return {};
  if (provablyEqual(a, b))
    return a;
  auto ca = dyn_cast<AffineConstantExpr>(a),
       cb = dyn_cast<AffineConstantExpr>(b);
  if (ca && cb)
    return {}; // Not broadcastable; the static rules reject it.
  // Equal or 1: assumed equal (as ONNX Runtime does). Keep the expression
  // that is a constant, else the one without derived symbols, else the
  // first; the runtime is to check the assumption.
  AffineExpr keep = a;
  if (cb || (!ca && usesDerived(a) && !usesDerived(b)))
    keep = b;
  if (!llvm::any_of(assumptions, [&](const ShapeAssumption &s) {
        return s.lhs == a && s.rhs == b;
      }))
    assumptions.push_back({a, b, op});
  return keep;
}

//===----------------------------------------------------------------------===//
// Ranges and printing
//===----------------------------------------------------------------------===//

std::optional<std::pair<int64_t, int64_t>>
SymbolicShapeAnalysis::getRange(AffineExpr expr) const {
  using Range = std::pair<int64_t, int64_t>;
  if (!expr)
    return std::nullopt;
  if (auto c = dyn_cast<AffineConstantExpr>(expr))
    return Range{c.getValue(), c.getValue()};
  // A derived symbol equals one of its operands: the union of the ranges
  // with each substituted bounds the expression (and keeps the correlation
  // that interval arithmetic on the symbol's own range would lose).
  if (!isa<AffineSymbolExpr>(expr)) {
    std::optional<unsigned> pos;
    expr.walk([&](AffineExpr e) {
      if (auto s = dyn_cast<AffineSymbolExpr>(e);
          s && s.getPosition() >= getNumBaseSymbols() &&
          s.getPosition() - getNumBaseSymbols() < derived.size())
        pos = std::max(pos.value_or(0), s.getPosition());
    });
    if (pos) {
      std::optional<Range> out;
      for (AffineExpr operand : derived[*pos - getNumBaseSymbols()].operands) {
        auto r = getRange(canonical(
            expr.replace(getAffineSymbolExpr(*pos, context), operand)));
        if (!r)
          return std::nullopt;
        out = out ? Range{std::min(out->first, r->first),
                          std::max(out->second, r->second)}
                  : *r;
      }
      return out;
    }
  }
  // No derived symbol is left but a lone one: interval arithmetic over the
  // symbols' ranges.
  return intervalRange(expr, [&](unsigned p) -> std::optional<Range> {
    if (p < symbols.size())
      return Range{symbols[p].lo, symbols[p].hi};
    if (p < getNumBaseSymbols())
      return Range{valueSymbols[p - symbols.size()].lo,
                   valueSymbols[p - symbols.size()].hi};
    if (p - getNumBaseSymbols() < derived.size())
      return Range{derived[p - getNumBaseSymbols()].lo,
                   derived[p - getNumBaseSymbols()].hi};
    return std::nullopt;
  });
}

std::optional<std::pair<int64_t, int64_t>> intervalRange(
    AffineExpr expr,
    function_ref<std::optional<std::pair<int64_t, int64_t>>(unsigned)>
        symbolRange) {
  using Range = std::pair<int64_t, int64_t>;
  if (!expr)
    return std::nullopt;
  if (auto c = dyn_cast<AffineConstantExpr>(expr))
    return Range{c.getValue(), c.getValue()};
  if (auto s = dyn_cast<AffineSymbolExpr>(expr))
    return symbolRange(s.getPosition());
  auto bin = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!bin)
    return std::nullopt; // a dim
  auto l = intervalRange(bin.getLHS(), symbolRange);
  auto r = intervalRange(bin.getRHS(), symbolRange);
  if (!l || !r)
    return std::nullopt;
  return binaryRange(expr.getKind(), *l, *r);
}

std::optional<std::pair<int64_t, int64_t>>
binaryRange(AffineExprKind kind, std::pair<int64_t, int64_t> lhs,
            std::pair<int64_t, int64_t> rhs) {
  using Range = std::pair<int64_t, int64_t>;
  auto [a, b] = lhs;
  auto [c, d] = rhs;
  switch (kind) {
  case AffineExprKind::Add: {
    int64_t lo, hi;
    if (llvm::AddOverflow(a, c, lo) || llvm::AddOverflow(b, d, hi))
      return std::nullopt;
    return Range{lo, hi};
  }
  case AffineExprKind::Mul: {
    int64_t p[4];
    if (llvm::MulOverflow(a, c, p[0]) || llvm::MulOverflow(a, d, p[1]) ||
        llvm::MulOverflow(b, c, p[2]) || llvm::MulOverflow(b, d, p[3]))
      return std::nullopt;
    return Range{*std::min_element(p, p + 4), *std::max_element(p, p + 4)};
  }
  case AffineExprKind::FloorDiv:
  case AffineExprKind::CeilDiv: {
    if (c <= 0)
      return std::nullopt; // divisor not known positive
    bool floor = kind == AffineExprKind::FloorDiv;
    auto div = [&](int64_t x, int64_t y) {
      return floor ? llvm::divideFloorSigned(x, y)
                   : llvm::divideCeilSigned(x, y);
    };
    int64_t q[4] = {div(a, c), div(a, d), div(b, c), div(b, d)};
    return Range{*std::min_element(q, q + 4), *std::max_element(q, q + 4)};
  }
  case AffineExprKind::Mod:
    if (c <= 0)
      return std::nullopt;
    if (a >= 0)
      return Range{0, std::min(b, d - 1)};
    return Range{0, d - 1};
  default:
    return std::nullopt;
  }
}

std::optional<SmallVector<int64_t>>
SymbolicShapeAnalysis::getUpperBounds(Value value) const {
  auto shape = getPartialShape(value);
  if (!shape)
    return std::nullopt;
  SmallVector<int64_t> bounds;
  for (AffineExpr e : *shape) {
    auto r = getRange(e);
    if (!r)
      return std::nullopt;
    bounds.push_back(r->second);
  }
  return bounds;
}

std::string SymbolicShapeAnalysis::print(AffineExpr expr) const {
  if (!expr)
    return "?";
  // Precedence: 0 sum, 1 product/division, 2 atom.
  std::function<std::string(AffineExpr, int)> rec = [&](AffineExpr e,
                                                        int context) {
    if (auto c = dyn_cast<AffineConstantExpr>(e))
      return c.getValue() < 0 && context > 0
                 ? "(" + std::to_string(c.getValue()) + ")"
                 : std::to_string(c.getValue());
    if (auto s = dyn_cast<AffineSymbolExpr>(e)) {
      unsigned p = s.getPosition();
      if (p < symbols.size())
        return symbols[p].name;
      if (p < getNumBaseSymbols())
        return "{" + valueSymbols[p - symbols.size()].name + "}";
      if (p - getNumBaseSymbols() >= derived.size())
        return "s" + std::to_string(p);
      const DerivedSymbol &d = derived[p - getNumBaseSymbols()];
      return std::string(d.kind == DerivedSymbol::Kind::Min ? "min(" : "max(") +
             rec(d.operands[0], 0) + ", " + rec(d.operands[1], 0) + ")";
    }
    auto bin = cast<AffineBinaryOpExpr>(e);
    std::string out;
    int prec = 1;
    switch (e.getKind()) {
    case AffineExprKind::Add: {
      prec = 0;
      // Terms with a negative coefficient print last, as subtractions.
      SmallVector<AffineExpr> terms;
      std::function<void(AffineExpr)> flatten = [&](AffineExpr t) {
        if (t.getKind() == AffineExprKind::Add) {
          flatten(cast<AffineBinaryOpExpr>(t).getLHS());
          flatten(cast<AffineBinaryOpExpr>(t).getRHS());
        } else {
          terms.push_back(t);
        }
      };
      flatten(e);
      auto negated = [&](AffineExpr t) -> AffineExpr {
        if (auto c = dyn_cast<AffineConstantExpr>(t))
          return c.getValue() < 0 ? constant(-c.getValue()) : AffineExpr();
        if (t.getKind() != AffineExprKind::Mul)
          return {};
        auto m = cast<AffineBinaryOpExpr>(t);
        auto k = dyn_cast<AffineConstantExpr>(m.getRHS());
        if (!k || k.getValue() >= 0)
          return {};
        return k.getValue() == -1 ? m.getLHS() : m.getLHS() * (-k.getValue());
      };
      std::string pos, neg;
      for (AffineExpr t : terms)
        if (AffineExpr n = negated(t))
          neg += " - " + rec(n, 1);
        else
          pos += (pos.empty() ? "" : " + ") + rec(t, 0);
      out = pos.empty() ? "-" + StringRef(neg).drop_front(3).str() : pos + neg;
      if (pos.empty())
        prec = 1;
      break;
    }
    case AffineExprKind::Mul:
      if (auto k = dyn_cast<AffineConstantExpr>(bin.getRHS());
          k && k.getValue() == -1)
        out = "-" + rec(bin.getLHS(), 2);
      else
        out = rec(bin.getLHS(), 1) + " * " + rec(bin.getRHS(), 2);
      break;
    case AffineExprKind::FloorDiv:
      out = rec(bin.getLHS(), 1) + " floordiv " + rec(bin.getRHS(), 2);
      break;
    case AffineExprKind::CeilDiv:
      out = rec(bin.getLHS(), 1) + " ceildiv " + rec(bin.getRHS(), 2);
      break;
    default:
      out = rec(bin.getLHS(), 1) + " mod " + rec(bin.getRHS(), 2);
      break;
    }
    return prec < context ? "(" + out + ")" : out;
  };
  return rec(expr, 0);
}

std::string
SymbolicShapeAnalysis::print(std::optional<ArrayRef<AffineExpr>> shape) const {
  if (!shape)
    return "unranked";
  std::string s = "[";
  for (auto [i, e] : llvm::enumerate(*shape))
    s += (i ? ", " : "") + print(e);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// Queries
//===----------------------------------------------------------------------===//

const SymbolicShapeAnalysis::Info *
SymbolicShapeAnalysis::lookup(Value value) const {
  auto it = infos.find(value);
  return it == infos.end() ? nullptr : &it->second;
}

std::optional<Exprs> SymbolicShapeAnalysis::getPartialShape(Value value) const {
  if (const Info *info = lookup(value))
    return info->shape;
  return infoFromType(value).shape;
}

FailureOr<Exprs> SymbolicShapeAnalysis::getSymbolicShape(Value value) const {
  auto shape = getPartialShape(value);
  if (!shape || llvm::any_of(*shape, [](AffineExpr e) { return !e; }))
    return failure();
  return *shape;
}

std::optional<Exprs>
SymbolicShapeAnalysis::getSymbolicValues(Value value) const {
  if (const Info *info = lookup(value))
    return info->values;
  return infoFromType(value).values;
}

/// The largest tensor whose element values are tracked.
static constexpr int64_t kMaxValues = 64;

SymbolicShapeAnalysis::Info
SymbolicShapeAnalysis::infoFromType(Value value) const {
  Info info;
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return info;
  Exprs shape;
  for (int64_t d : type.getShape())
    shape.push_back(ShapedType::isDynamic(d) ? AffineExpr() : constant(d));
  info.shape = shape;
  if (auto ints = getConstantInts(value); ints && ints->size() <= kMaxValues)
    info.values =
        llvm::map_to_vector(*ints, [&](int64_t v) { return constant(v); });
  else if (auto floats = getConstantFloats(value);
           floats && floats->size() <= kMaxValues &&
           llvm::all_of(*floats,
                        [](double v) { return v == (double)(int64_t)v; }))
    info.values = llvm::map_to_vector(
        *floats, [&](double v) { return constant((int64_t)v); });
  return info;
}

//===----------------------------------------------------------------------===//
// Rules
//===----------------------------------------------------------------------===//

struct SymbolicRules {
  SymbolicShapeAnalysis &a;
  Operation *op;

  std::optional<Exprs> shape(Value v) { return a.getPartialShape(v); }
  std::optional<Exprs> values(Value v) { return a.getSymbolicValues(v); }
  /// Constant ints of `v`, from its tracked values.
  std::optional<SmallVector<int64_t>> ints(Value v) {
    auto vals = values(v);
    if (!vals)
      return std::nullopt;
    SmallVector<int64_t> out;
    for (AffineExpr e : *vals) {
      auto c = dyn_cast_or_null<AffineConstantExpr>(e);
      if (!c)
        return std::nullopt;
      out.push_back(c.getValue());
    }
    return out;
  }
  static std::optional<int64_t> normalize(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
      return std::nullopt;
    return axis < 0 ? axis + rank : axis;
  }
  /// `axes` normalized for `rank`, every axis 0..rank-1 without them;
  /// std::nullopt when one is out of range.
  static std::optional<SmallVector<int64_t>>
  normalizeAxes(std::optional<ArrayRef<int64_t>> axes, int64_t rank) {
    SmallVector<int64_t> out;
    if (!axes) {
      for (int64_t i = 0; i < rank; ++i)
        out.push_back(i);
      return out;
    }
    for (int64_t axis : *axes) {
      auto n = normalize(axis, rank);
      if (!n)
        return std::nullopt;
      out.push_back(*n);
    }
    return out;
  }
  AffineExpr product(ArrayRef<AffineExpr> dims) {
    AffineExpr p = a.constant(1);
    for (AffineExpr d : dims) {
      if (!d)
        return {};
      p = a.canonical(p * d);
      if (!p)
        return {};
    }
    return p;
  }

  /// NumPy broadcast of several shapes.
  std::optional<Exprs> broadcastShapes(ArrayRef<std::optional<Exprs>> shapes) {
    size_t rank = 0;
    for (const auto &s : shapes) {
      if (!s)
        return std::nullopt;
      rank = std::max(rank, s->size());
    }
    Exprs out(rank, a.constant(1));
    for (const auto &s : shapes)
      for (size_t i = 0; i < s->size(); ++i) {
        AffineExpr &o = out[rank - s->size() + i];
        o = a.broadcast(o, (*s)[i], op);
      }
    return out;
  }

  /// Elementwise values of a broadcasting op over tracked values.
  std::optional<Exprs>
  mapValues(ValueRange operands,
            llvm::function_ref<AffineExpr(ArrayRef<AffineExpr>)> fn) {
    SmallVector<Exprs> vals;
    size_t n = 1;
    for (Value v : operands) {
      auto vs = values(v);
      if (!vs)
        return std::nullopt;
      if (vs->size() != 1 && n != 1 && vs->size() != n)
        return std::nullopt;
      n = std::max(n, vs->size());
      vals.push_back(*vs);
    }
    // Only rank <= 1 tensors broadcast elementwise like this.
    for (Value v : operands)
      if (auto s = getShape(v); !s || s->size() > 1)
        if (n != 1)
          return std::nullopt;
    Exprs out;
    for (size_t i = 0; i < n; ++i) {
      SmallVector<AffineExpr> args;
      for (const Exprs &vs : vals)
        args.push_back(vs.size() == 1 ? vs[0] : vs[i]);
      if (llvm::any_of(args, [](AffineExpr e) { return !e; }))
        out.push_back({});
      else
        out.push_back(a.canonical(fn(args)));
    }
    return out;
  }

  bool isIntegerTensor(Value v) { return isa<IntegerType>(getElementType(v)); }

  /// A Slice bound `e` with a negative one counted from the end (e + dim);
  /// null when `e` or `dim` is, or when the sign of `e` is unknown (not
  /// expressible).
  AffineExpr fromEnd(AffineExpr e, AffineExpr dim) {
    if (!e || !dim)
      return {};
    auto r = a.getRange(e);
    if (!r || (r->first < 0 && r->second >= 0))
      return {};
    return r->second < 0 ? a.canonical(e + dim) : e;
  }
  /// Clamps a Slice bound `e` (possibly negative, counting from the end) to
  /// [lo, dim + hiOffset].
  AffineExpr clampBound(AffineExpr e, AffineExpr dim, int64_t lo,
                        int64_t hiOffset) {
    AffineExpr v = fromEnd(e, dim);
    if (!v)
      return {};
    AffineExpr hi = a.canonical(dim + hiOffset);
    // INT64_MAX-like ends stand for "to the end".
    if (auto c = dyn_cast<AffineConstantExpr>(v);
        c && c.getValue() >= std::numeric_limits<int32_t>::max())
      return hi;
    return a.max(a.min(v, hi), a.constant(lo));
  }

  void sliceShape(Exprs &out) {
    auto slice = cast<SliceOp>(op);
    auto in = shape(slice.getData());
    auto starts = values(slice.getStarts()), ends = values(slice.getEnds());
    if (!in)
      return;
    out = *in;
    SmallVector<int64_t> axes, steps;
    if (slice.getAxes()) {
      auto c = ints(slice.getAxes());
      if (!c) {
        out.assign(in->size(), AffineExpr());
        return;
      }
      axes = *c;
    } else if (starts) {
      for (size_t i = 0; i < starts->size(); ++i)
        axes.push_back(i);
    }
    if (slice.getSteps()) {
      auto c = ints(slice.getSteps());
      if (!c) {
        out.assign(in->size(), AffineExpr());
        return;
      }
      steps = *c;
    } else {
      steps.assign(axes.size(), 1);
    }
    if (!starts || !ends || starts->size() != axes.size() ||
        ends->size() != axes.size() || steps.size() != axes.size()) {
      // Without the bounds only the sliced axes are unknown, and which
      // those are is unknown without axes.
      if (slice.getAxes() && axes.size() == steps.size())
        for (int64_t axis : axes)
          if (auto n = normalize(axis, in->size()))
            out[*n] = AffineExpr();
          else
            out.assign(in->size(), AffineExpr());
      else
        out.assign(in->size(), AffineExpr());
      return;
    }
    for (size_t i = 0; i < axes.size(); ++i) {
      auto axis = normalize(axes[i], in->size());
      if (!axis || steps[i] == 0) {
        out.assign(in->size(), AffineExpr());
        return;
      }
      AffineExpr dim = (*in)[*axis];
      int64_t step = steps[i];
      AffineExpr len;
      if (step > 0) {
        AffineExpr s = clampBound((*starts)[i], dim, 0, 0);
        AffineExpr e = clampBound((*ends)[i], dim, 0, 0);
        if (s && e)
          len = a.max(a.canonical((e - s).ceilDiv(step)), a.constant(0));
      } else {
        AffineExpr s = clampBound((*starts)[i], dim, 0, -1);
        AffineExpr e = clampBoundNegative((*ends)[i], dim);
        if (s && e)
          len = a.max(a.canonical((s - e).ceilDiv(-step)), a.constant(0));
      }
      out[*axis] = len;
    }
  }
  /// The end of a negative-step Slice: clamped to [-1, dim - 1]; very
  /// negative constants stand for "past the start".
  AffineExpr clampBoundNegative(AffineExpr e, AffineExpr dim) {
    if (auto c = dyn_cast_or_null<AffineConstantExpr>(e);
        c && c.getValue() <= std::numeric_limits<int32_t>::min())
      return a.constant(-1);
    AffineExpr v = fromEnd(e, dim);
    if (!v)
      return {};
    return a.max(a.min(v, a.canonical(dim - 1)), a.constant(-1));
  }

  /// The output shape of a Conv or pooling window over `in` ([N, C, d...]):
  /// `channels` is the output channel count, `kernel` the window per
  /// spatial dim.
  std::optional<Exprs> windowShape(const Exprs &in, AffineExpr channels,
                                   ArrayRef<int64_t> kernel, StringRef autoPad,
                                   std::optional<ArrayRef<int64_t>> strides,
                                   std::optional<ArrayRef<int64_t>> dilations,
                                   std::optional<ArrayRef<int64_t>> pads,
                                   bool ceilMode) {
    size_t spatial = kernel.size();
    if (in.size() != spatial + 2 || (strides && strides->size() != spatial) ||
        (dilations && dilations->size() != spatial) ||
        (pads && pads->size() != 2 * spatial))
      return std::nullopt;
    Exprs out{in[0], channels};
    for (size_t i = 0; i < spatial; ++i) {
      AffineExpr d = in[i + 2];
      int64_t stride = strides ? (*strides)[i] : 1;
      int64_t dilation = dilations ? (*dilations)[i] : 1;
      if (!d || stride <= 0 || dilation <= 0) {
        out.push_back({});
        continue;
      }
      int64_t extent = dilation * (kernel[i] - 1) + 1;
      if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        out.push_back(a.canonical(d.ceilDiv(stride)));
      } else if (autoPad == "VALID") {
        out.push_back(a.canonical((d - extent).floorDiv(stride) + 1));
      } else if (ceilMode) {
        // The last window must also start inside the input (with its
        // begin padding): not affine, so only for static dims.
        out.push_back({});
      } else {
        int64_t padding = pads ? (*pads)[i] + (*pads)[i + spatial] : 0;
        out.push_back(a.canonical((d + padding - extent).floorDiv(stride) + 1));
      }
    }
    return out;
  }

  /// The result shapes and values of `op`; false when there is no rule.
  bool run(SmallVectorImpl<std::optional<Exprs>> &shapes,
           SmallVectorImpl<std::optional<Exprs>> &vals);
};

bool SymbolicRules::run(SmallVectorImpl<std::optional<Exprs>> &shapes,
                        SmallVectorImpl<std::optional<Exprs>> &vals) {
  shapes.assign(op->getNumResults(), std::nullopt);
  vals.assign(op->getNumResults(), std::nullopt);
  auto &S = shapes[0];
  auto &V = vals[0];
  auto sameAs = [&](Value v) {
    S = shape(v);
    V = values(v);
    return true;
  };
  auto reduceShape = [&](Value data, std::optional<SmallVector<int64_t>> axes,
                         bool keepdims, bool noopWithEmpty) {
    auto in = shape(data);
    if (!in || !axes)
      return true;
    SmallVector<bool> reduced(in->size(), axes->empty() && !noopWithEmpty);
    for (int64_t axis : *axes) {
      auto n = normalize(axis, in->size());
      if (!n)
        return true;
      reduced[*n] = true;
    }
    Exprs out;
    for (auto [d, r] : llvm::zip(*in, reduced))
      if (!r)
        out.push_back(d);
      else if (keepdims)
        out.push_back(a.constant(1));
    S = out;
    return true;
  };
  auto intAttr = [&](StringRef name, int64_t dflt) {
    if (auto attr = dyn_cast_or_null<IntegerAttr>(
            op->getInherentAttr(name).value_or(Attribute())))
      return attr.getInt();
    return dflt;
  };

  // Elementwise families, as in GraphOnnxOpsInfer.inc.
  if (isa<AbsOp, AcosOp, AcoshOp, AsinOp, AsinhOp, AtanOp, AtanhOp,
          BitwiseNotOp, CeluOp, ClipOp, CosOp, CoshOp, CumProdOp, CumSumOp,
          EluOp, ErfOp, ExpOp, GeluOp, GroupNormalizationOp, HardSigmoidOp,
          HardSwishOp, InstanceNormalizationOp, LRNOp, LeakyReluOp, LogOp,
          MeanVarianceNormalizationOp, MishOp, NotOp, RMSNormalizationOp,
          ReciprocalOp, ReluOp, ReverseSequenceOp, RoundOp, ScatterElementsOp,
          ScatterNDOp, SeluOp, ShrinkOp, SigmoidOp, SignOp, SinOp, SinhOp,
          SoftplusOp, SoftsignOp, SqrtOp, SwishOp, TanOp, TanhOp,
          ThresholdedReluOp, TriluOp, HardmaxOp, LogSoftmaxOp,
          LpNormalizationOp, SoftmaxOp, IsInfOp, IsNaNOp, DropoutOp,
          BatchNormalizationOp, QuantizeLinearOp, DequantizeLinearOp,
          CastLikeOp>(op)) {
    S = shape(op->getOperand(0));
    if (isa<AbsOp>(op))
      V = mapValues(op->getOperand(0), [&](ArrayRef<AffineExpr> x) {
        auto r = a.getRange(x[0]);
        return !r               ? AffineExpr()
               : r->first >= 0  ? x[0]
               : r->second <= 0 ? a.canonical(-x[0])
                                : AffineExpr();
      });
    if (isa<CastLikeOp>(op))
      V = values(op->getOperand(0));
    return true;
  }
  if (isa<IdentityOp, CastOp, CeilOp, FloorOp>(op))
    return sameAs(op->getOperand(0));
  if (isa<NegOp>(op)) {
    S = shape(op->getOperand(0));
    V = mapValues(op->getOperands(),
                  [&](ArrayRef<AffineExpr> x) { return -x[0]; });
    return true;
  }
  if (isa<AddOp, AndOp, BitShiftOp, BitwiseAndOp, BitwiseOrOp, BitwiseXorOp,
          DivOp, MaxOp, MeanOp, MinOp, ModOp, MulOp, OrOp, PReluOp, PowOp,
          SubOp, SumOp, XorOp, EqualOp, GreaterOp, GreaterOrEqualOp, LessOp,
          LessOrEqualOp, WhereOp>(op)) {
    SmallVector<std::optional<Exprs>> in;
    for (Value v : op->getOperands())
      in.push_back(shape(v));
    S = broadcastShapes(in);
    bool isInt = isIntegerTensor(op->getResult(0));
    auto nonNegative = [&](AffineExpr e) {
      auto r = a.getRange(e);
      return r && r->first >= 0;
    };
    auto boolean = [&](bool b) { return a.constant(b ? 1 : 0); };
    llvm::TypeSwitch<Operation *>(op)
        .Case<AddOp, SumOp>([&](auto) {
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            AffineExpr s = x[0];
            for (AffineExpr e : x.drop_front())
              s = s + e;
            return s;
          });
        })
        .Case([&](SubOp) {
          V = mapValues(op->getOperands(),
                        [&](ArrayRef<AffineExpr> x) { return x[0] - x[1]; });
        })
        .Case([&](MulOp) {
          V = mapValues(op->getOperands(),
                        [&](ArrayRef<AffineExpr> x) { return x[0] * x[1]; });
        })
        .Case([&](DivOp) {
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            // Exact division (x[0] == q * x[1]) is right for every element
            // type; otherwise integer Div truncates, which is floordiv for
            // non-negative operands.
            AffineExpr q = a.divide(x[0], x[1]);
            if (q && a.provablyEqual(a.canonical(q * x[1]), x[0]))
              return q;
            auto r = a.getRange(x[1]);
            if (isInt && nonNegative(x[0]) && r && r->first > 0)
              return a.canonical(x[0].floorDiv(x[1]));
            return AffineExpr();
          });
        })
        .Case([&](ModOp) {
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            auto r = a.getRange(x[1]);
            if (isInt && nonNegative(x[0]) && r && r->first > 0)
              return x[0] % x[1];
            return AffineExpr();
          });
        })
        .Case([&](MaxOp) {
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            AffineExpr m = x[0];
            for (AffineExpr e : x.drop_front())
              m = a.max(m, e);
            return m;
          });
        })
        .Case([&](MinOp) {
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            AffineExpr m = x[0];
            for (AffineExpr e : x.drop_front())
              m = a.min(m, e);
            return m;
          });
        })
        .Case([&](EqualOp) {
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            if (a.provablyEqual(x[0], x[1]))
              return boolean(true);
            auto r = a.getRange(a.canonical(x[0] - x[1]));
            if (r && (r->first > 0 || r->second < 0))
              return boolean(false);
            return AffineExpr();
          });
        })
        .Case<LessOp, LessOrEqualOp, GreaterOp, GreaterOrEqualOp>([&](auto) {
          bool less = isa<LessOp, LessOrEqualOp>(op);
          bool orEqual = isa<LessOrEqualOp, GreaterOrEqualOp>(op);
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            // d = rhs - lhs for Less: true when d > 0 (>= 0 with OrEqual).
            auto r = a.getRange(a.canonical(less ? x[1] - x[0] : x[0] - x[1]));
            if (!r)
              return AffineExpr();
            int64_t threshold = orEqual ? 0 : 1;
            if (r->first >= threshold)
              return boolean(true);
            if (r->second < threshold)
              return boolean(false);
            return AffineExpr();
          });
        })
        .Case([&](WhereOp) {
          V = mapValues(op->getOperands(), [&](ArrayRef<AffineExpr> x) {
            auto c = dyn_cast<AffineConstantExpr>(x[0]);
            return !c ? AffineExpr() : c.getValue() ? x[1] : x[2];
          });
        })
        .Default([](Operation *) {});
    return true;
  }
  return llvm::TypeSwitch<Operation *, bool>(op)
      .Case([&](ShapeOp o) {
        auto in = shape(o.getData());
        if (!in)
          return true;
        int64_t rank = in->size();
        auto clamp = [&](int64_t v) {
          v = v < 0 ? v + rank : v;
          return std::clamp<int64_t>(v, 0, rank);
        };
        int64_t start = clamp((int64_t)o.getStart());
        int64_t end = o.getEnd() ? clamp((int64_t)*o.getEnd()) : rank;
        Exprs out;
        for (int64_t i = start; i < end; ++i)
          out.push_back((*in)[i]);
        S = Exprs{a.constant(out.size())};
        V = out;
        return true;
      })
      .Case([&](SizeOp o) {
        S = Exprs{};
        if (auto in = shape(o.getData()))
          V = Exprs{product(*in)};
        return true;
      })
      .Case([&](GatherOp o) {
        auto data = shape(o.getData()), indices = shape(o.getIndices());
        if (!data || !indices)
          return true;
        auto axis = normalize((int64_t)o.getAxis(), data->size());
        if (!axis)
          return true;
        Exprs out(data->begin(), data->begin() + *axis);
        out.append(indices->begin(), indices->end());
        out.append(data->begin() + *axis + 1, data->end());
        S = out;
        auto dv = values(o.getData());
        auto idx = ints(o.getIndices());
        if (dv && idx && data->size() == 1) {
          Exprs picked;
          for (int64_t i : *idx) {
            auto n = normalize(i, dv->size());
            if (!n)
              return true;
            picked.push_back((*dv)[*n]);
          }
          V = picked;
        }
        return true;
      })
      .Case([&](ConcatOp o) {
        SmallVector<std::optional<Exprs>> in;
        for (Value v : o.getInputs())
          in.push_back(shape(v));
        if (in.empty() || llvm::any_of(in, [](auto &s) { return !s; }))
          return true;
        auto axis = normalize((int64_t)o.getAxis(), in[0]->size());
        if (!axis)
          return true;
        Exprs out = *in[0];
        AffineExpr sum = a.constant(0);
        for (auto &s : in) {
          if (s->size() != out.size())
            return true;
          for (size_t i = 0; i < out.size(); ++i)
            if ((int64_t)i != *axis && !out[i])
              out[i] = (*s)[i]; // any operand's dim will do
          sum = (*s)[*axis] && sum ? a.canonical(sum + (*s)[*axis])
                                   : AffineExpr();
        }
        out[*axis] = sum;
        S = out;
        Exprs vals;
        for (Value v : o.getInputs()) {
          auto vs = values(v);
          if (!vs || out.size() != 1)
            return true;
          vals.append(*vs);
        }
        V = vals;
        return true;
      })
      .Case([&](UnsqueezeOp o) {
        auto in = shape(o.getData());
        auto axes = ints(o.getAxes());
        V = values(o.getData());
        if (!in || !axes)
          return true;
        int64_t rank = in->size() + axes->size();
        SmallVector<bool> inserted(rank, false);
        for (int64_t axis : *axes) {
          auto n = normalize(axis, rank);
          if (!n)
            return true;
          inserted[*n] = true;
        }
        Exprs out;
        size_t next = 0;
        for (int64_t i = 0; i < rank; ++i)
          out.push_back(inserted[i] ? a.constant(1) : (*in)[next++]);
        S = out;
        return true;
      })
      .Case([&](SqueezeOp o) {
        auto in = shape(o.getData());
        V = values(o.getData());
        if (!in)
          return true;
        SmallVector<bool> removed(in->size(), false);
        if (o.getAxes()) {
          auto axes = ints(o.getAxes());
          if (!axes)
            return true;
          for (int64_t axis : *axes) {
            auto n = normalize(axis, in->size());
            if (!n)
              return true;
            removed[*n] = true;
          }
        } else {
          for (auto [i, d] : llvm::enumerate(*in)) {
            auto r = a.getRange(d);
            if (!r)
              return true; // rank unknown
            if (r->first == 1 && r->second == 1)
              removed[i] = true;
            else if (r->first <= 1 && r->second >= 1)
              return true; // a dim that may be 1: rank unknown
          }
        }
        Exprs out;
        for (auto [d, r] : llvm::zip(*in, removed))
          if (!r)
            out.push_back(d);
        S = out;
        return true;
      })
      .Case([&](ReshapeOp o) {
        auto in = shape(o.getData());
        auto target = values(o.getShape());
        V = values(o.getData());
        if (!target)
          return true;
        Exprs out;
        int64_t inferred = -1;
        for (auto [i, e] : llvm::enumerate(*target)) {
          auto c = dyn_cast_or_null<AffineConstantExpr>(e);
          if (c && c.getValue() == 0 && !o.getAllowzero())
            out.push_back(in && i < in->size() ? (*in)[i] : AffineExpr());
          else if (c && c.getValue() == -1) {
            inferred = i;
            out.push_back({});
          } else {
            out.push_back(e);
          }
        }
        if (inferred >= 0 && in) {
          SmallVector<AffineExpr> known;
          for (auto [i, e] : llvm::enumerate(out))
            if ((int64_t)i != inferred)
              known.push_back(e);
          out[inferred] = a.divide(product(*in), product(known));
        }
        S = out;
        return true;
      })
      .Case([&](ExpandOp o) {
        auto target = values(o.getShape());
        if (!target)
          return true;
        S = broadcastShapes({shape(o.getInput()), *target});
        return true;
      })
      .Case([&](ConstantOfShapeOp o) {
        S = values(o.getInput());
        if (S && S->size() <= 1) {
          // The fill value of a small shape computation.
          // The fill value: 0 by default, else an integral one.
          std::optional<int64_t> fill = 0;
          if (auto value = o.getValue()) {
            auto attr = dyn_cast<DenseElementsAttr>(*value);
            fill = std::nullopt;
            if (attr && attr.getNumElements() == 1) {
              if (auto ints = dyn_cast<DenseIntElementsAttr>(attr)) {
                fill = (*ints.getValues<APInt>().begin()).getSExtValue();
              } else if (auto fp = dyn_cast<DenseFPElementsAttr>(attr)) {
                APFloat f = *fp.getValues<APFloat>().begin();
                bool lost;
                f.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                          &lost);
                double v = f.convertToDouble();
                if (v == (double)(int64_t)v)
                  fill = (int64_t)v;
              }
            }
          }
          if (!fill)
            V = std::nullopt;
          else if (S->empty())
            V = Exprs{a.constant(*fill)};
          else if (auto c = dyn_cast_or_null<AffineConstantExpr>((*S)[0]);
                   c && c.getValue() <= kMaxValues)
            V = Exprs(c.getValue(), a.constant(*fill));
        }
        return true;
      })
      .Case([&](RangeOp o) {
        auto start = values(o.getStart()), limit = values(o.getLimit());
        auto delta = ints(o.getDelta());
        if (!start || !limit || !delta || start->size() != 1 ||
            limit->size() != 1 || delta->size() != 1 || (*delta)[0] == 0)
          return true;
        AffineExpr s = (*start)[0], l = (*limit)[0];
        int64_t d = (*delta)[0];
        if (!s || !l)
          return true;
        AffineExpr n = d > 0 ? a.canonical((l - s).ceilDiv(d))
                             : a.canonical((s - l).ceilDiv(-d));
        n = a.max(n, a.constant(0));
        S = Exprs{n};
        if (auto c = dyn_cast_or_null<AffineConstantExpr>(n);
            c && c.getValue() <= kMaxValues) {
          Exprs vals;
          for (int64_t i = 0; i < c.getValue(); ++i)
            vals.push_back(a.canonical(s + i * d));
          V = vals;
        }
        return true;
      })
      .Case([&](SliceOp o) {
        Exprs out;
        sliceShape(out);
        if (auto in = shape(o.getData()); in && out.size() == in->size())
          S = out;
        // Values: a rank-1 tensor with static bounds.
        auto dv = values(o.getData());
        auto st = ints(o.getStarts()), en = ints(o.getEnds());
        std::optional<SmallVector<int64_t>> steps =
            o.getSteps()
                ? ints(o.getSteps())
                : std::optional<SmallVector<int64_t>>(SmallVector<int64_t>{1});
        if (dv && st && en && steps && st->size() == 1 && en->size() == 1 &&
            steps->size() == 1 && (*steps)[0] > 0) {
          int64_t n = dv->size();
          auto clampTo = [&](int64_t v) {
            return std::clamp<int64_t>(v < 0 ? v + n : v, 0, n);
          };
          int64_t b = clampTo((*st)[0]), e = clampTo((*en)[0]);
          Exprs vals;
          for (int64_t i = b; i < e; i += (*steps)[0])
            vals.push_back((*dv)[i]);
          V = vals;
        }
        return true;
      })
      .Case([&](TransposeOp o) {
        auto in = shape(o.getData());
        if (!in)
          return true;
        SmallVector<int64_t> perm;
        if (auto p = o.getPerm())
          perm.assign(p->begin(), p->end());
        else
          for (int64_t i = in->size() - 1; i >= 0; --i)
            perm.push_back(i);
        if (perm.size() != in->size())
          return true;
        Exprs out;
        for (int64_t p : perm) {
          if (p < 0 || p >= (int64_t)in->size())
            return true;
          out.push_back((*in)[p]);
        }
        S = out;
        return true;
      })
      .Case([&](MatMulOp o) {
        auto sa = shape(o.getA()), sb = shape(o.getB());
        if (!sa || !sb || sa->empty() || sb->empty())
          return true;
        Exprs l = *sa, r = *sb;
        bool va = l.size() == 1, vb = r.size() == 1;
        if (va)
          l.insert(l.begin(), a.constant(1));
        if (vb)
          r.push_back(a.constant(1));
        auto batch = broadcastShapes(
            {Exprs(l.begin(), l.end() - 2), Exprs(r.begin(), r.end() - 2)});
        if (!batch)
          return true;
        // The contracted dims must agree: an assumption when symbolic.
        (void)a.broadcast(l.back(), r[r.size() - 2], op);
        Exprs out = *batch;
        if (!va)
          out.push_back(l[l.size() - 2]);
        if (!vb)
          out.push_back(r.back());
        S = out;
        return true;
      })
      .Case([&](GemmOp o) {
        auto sa = shape(o.getA()), sb = shape(o.getB());
        if (!sa || !sb || sa->size() != 2 || sb->size() != 2)
          return true;
        S = Exprs{(*sa)[o.getTransA() ? 1 : 0], (*sb)[o.getTransB() ? 0 : 1]};
        return true;
      })
      .Case([&](FlattenOp o) {
        auto in = shape(o.getInput());
        if (!in)
          return true;
        int64_t rank = in->size();
        int64_t axis = (int64_t)o.getAxis();
        axis = axis < 0 ? axis + rank : axis;
        if (axis < 0 || axis > rank)
          return true;
        S = Exprs{product(ArrayRef(*in).take_front(axis)),
                  product(ArrayRef(*in).drop_front(axis))};
        return true;
      })
      .Case([&](LayerNormalizationOp o) {
        auto in = shape(o.getX());
        S = in;
        if (!in)
          return true;
        auto axis = normalize((int64_t)o.getAxis(), in->size());
        if (!axis)
          return true;
        Exprs stat(in->begin(), in->begin() + *axis);
        stat.append(in->size() - *axis, a.constant(1));
        for (unsigned i = 1; i < op->getNumResults(); ++i)
          shapes[i] = stat;
        return true;
      })
      .Case([&](SplitOp o) {
        auto in = shape(o.getInput());
        if (!in)
          return true;
        auto axis = normalize((int64_t)o.getAxis(), in->size());
        if (!axis)
          return true;
        int64_t n = op->getNumResults();
        AffineExpr d = (*in)[*axis];
        SmallVector<AffineExpr> sizes;
        if (o.getSplit()) {
          auto sv = values(o.getSplit());
          if (!sv || (int64_t)sv->size() != n)
            return true;
          sizes.assign(sv->begin(), sv->end());
        } else if (d && o.getNumOutputs()) {
          // Opset 18: ceil(d / n) each, the last one what remains.
          AffineExpr chunk = a.canonical(d.ceilDiv(n));
          sizes.assign(n - 1, chunk);
          sizes.push_back(a.canonical(d - chunk * (n - 1)));
        } else if (d) {
          sizes.assign(n, a.divide(d, a.constant(n)));
        } else {
          sizes.assign(n, AffineExpr());
        }
        for (int64_t i = 0; i < n; ++i) {
          Exprs out = *in;
          out[*axis] = sizes[i];
          shapes[i] = out;
        }
        return true;
      })
      .Case([&](TileOp o) {
        auto in = shape(o.getInput());
        auto reps = values(o.getRepeats());
        if (!in || !reps || reps->size() != in->size())
          return true;
        Exprs out;
        for (auto [d, r] : llvm::zip(*in, *reps))
          out.push_back(d && r ? a.canonical(d * r) : AffineExpr());
        S = out;
        return true;
      })
      .Case<ArgMaxOp, ArgMinOp>([&](auto o) {
        auto in = shape(o.getData());
        if (!in)
          return true;
        auto axis = normalize((int64_t)o.getAxis(), in->size());
        if (!axis)
          return true;
        Exprs out = *in;
        if (o.getKeepdims())
          out[*axis] = a.constant(1);
        else
          out.erase(out.begin() + *axis);
        S = out;
        return true;
      })
      .Case<ReduceLogSumExpOp, ReduceLogSumOp, ReduceMaxOp, ReduceMeanOp,
            ReduceMinOp, ReduceProdOp, ReduceSumOp, ReduceSumSquareOp,
            ReduceL1Op, ReduceL2Op>([&](auto o) {
        std::optional<SmallVector<int64_t>> axes =
            o.getAxes()
                ? ints(o.getAxes())
                : std::optional<SmallVector<int64_t>>(SmallVector<int64_t>{});
        return reduceShape(o.getData(), axes, intAttr("keepdims", 1),
                           intAttr("noop_with_empty_axes", 0));
      })
      .Case([&](ConvOp o) {
        auto in = shape(o.getX()), w = shape(o.getW());
        if (!in || !w || w->size() != in->size() || in->size() < 3)
          return true;
        SmallVector<int64_t> kernel;
        if (auto k = o.getKernelShape()) {
          kernel.assign(k->begin(), k->end());
        } else {
          for (AffineExpr e : ArrayRef(*w).drop_front(2)) {
            auto c = dyn_cast_or_null<AffineConstantExpr>(e);
            if (!c)
              return true;
            kernel.push_back(c.getValue());
          }
        }
        S = windowShape(*in, (*w)[0], kernel, o.getAutoPad(), o.getStrides(),
                        o.getDilations(), o.getPads(), false);
        return true;
      })
      .Case<MaxPoolOp, AveragePoolOp>([&](auto o) {
        auto in = shape(o.getX());
        if (!in || in->size() < 3)
          return true;
        auto out = windowShape(*in, (*in)[1], o.getKernelShape(),
                               o.getAutoPad(), o.getStrides(), o.getDilations(),
                               o.getPads(), o.getCeilMode() != 0);
        for (auto &sh : shapes)
          sh = out;
        return true;
      })
      .Case<GlobalAveragePoolOp, GlobalMaxPoolOp>([&](auto o) {
        auto in = shape(o.getX());
        if (!in || in->size() < 2)
          return true;
        Exprs out{(*in)[0], (*in)[1]};
        out.append(in->size() - 2, a.constant(1));
        S = out;
        return true;
      })
      .Case([&](ResizeOp o) {
        auto in = shape(o.getX());
        if (!in || o.getKeepAspectRatioPolicy() != "stretch")
          return true;
        auto normalized = normalizeAxes(o.getAxes(), in->size());
        if (!normalized)
          return true;
        SmallVector<int64_t> &axes = *normalized;
        Exprs out = *in;
        if (o.getSizes()) {
          auto sizes = values(o.getSizes());
          if (!sizes || sizes->size() != axes.size())
            return true;
          for (auto [axis, size] : llvm::zip(axes, *sizes))
            out[axis] = size;
        } else if (o.getScales()) {
          auto scales = getConstantFloats(o.getScales());
          if (!scales || scales->size() != axes.size())
            return true;
          for (auto [axis, scale] : llvm::zip(axes, *scales)) {
            AffineExpr d = out[axis];
            // floor(d * scale): exact for whole scales and for 1/k.
            if (!d || scale <= 0)
              out[axis] = {};
            else if (scale == std::floor(scale))
              out[axis] = a.canonical(d * (int64_t)scale);
            else if (double k = 1 / scale; k == std::floor(k))
              out[axis] = a.canonical(d.floorDiv((int64_t)k));
            else
              out[axis] = {};
          }
        } else {
          return true;
        }
        S = out;
        return true;
      })
      .Case([&](PadOp o) {
        auto in = shape(o.getData());
        auto pads = values(o.getPads());
        if (!in || !pads)
          return true;
        std::optional<SmallVector<int64_t>> given;
        if (o.getAxes() && !(given = ints(o.getAxes())))
          return true;
        auto normalized = normalizeAxes(
            given ? std::optional<ArrayRef<int64_t>>(*given) : std::nullopt,
            in->size());
        if (!normalized)
          return true;
        SmallVector<int64_t> &axes = *normalized;
        if (pads->size() != 2 * axes.size())
          return true;
        Exprs out = *in;
        for (auto [i, axis] : llvm::enumerate(axes)) {
          AffineExpr b = (*pads)[i], e = (*pads)[i + axes.size()];
          out[axis] = out[axis] && b && e ? a.canonical(out[axis] + b + e)
                                          : AffineExpr();
        }
        S = out;
        return true;
      })
      .Default([](Operation *) { return false; });
}

//===----------------------------------------------------------------------===//
// The sweep
//===----------------------------------------------------------------------===//

/// The element count of a shape of constant dims.
static std::optional<int64_t> staticProduct(ArrayRef<AffineExpr> shape) {
  int64_t n = 1;
  for (AffineExpr d : shape) {
    auto c = dyn_cast_or_null<AffineConstantExpr>(d);
    if (!c || llvm::MulOverflow(n, c.getValue(), n))
      return std::nullopt;
  }
  return n;
}

SymbolicShapeAnalysis::SymbolicShapeAnalysis(Operation *op)
    : context(op->getContext()) {
  auto func = cast<func::FuncOp>(op);
  if (auto dict = func->getAttrOfType<DictionaryAttr>(kSymbolsAttrName))
    for (NamedAttribute entry : dict) {
      auto range = dyn_cast<DenseI64ArrayAttr>(entry.getValue());
      ShapeSymbol s;
      s.name = entry.getName().str();
      if (range && range.size() == 2) {
        s.lo = range[0];
        s.hi = range[1];
      }
      symbols.push_back(s);
    }
  if (auto array = func->getAttrOfType<ArrayAttr>(kValueSymbolsAttrName))
    for (Attribute entry : array) {
      auto dict = dyn_cast<DictionaryAttr>(entry);
      ValueSymbol s;
      if (auto name = dict ? dict.getAs<StringAttr>("name") : StringAttr())
        s.name = name.str();
      auto range =
          dict ? dict.getAs<DenseI64ArrayAttr>("range") : DenseI64ArrayAttr();
      if (range && range.size() == 2) {
        s.lo = range[0];
        s.hi = range[1];
      }
      valueSymbols.push_back(s);
    }
  if (func.getBody().empty())
    return;
  for (BlockArgument arg : func.getArguments()) {
    Info info = infoFromType(arg);
    if (auto map = func.getArgAttrOfType<AffineMapAttr>(arg.getArgNumber(),
                                                        kArgShapeAttrName);
        map && info.shape &&
        map.getValue().getNumResults() == info.shape->size() &&
        map.getValue().getNumSymbols() <= getNumBaseSymbols())
      info.shape = Exprs(map.getValue().getResults());
    infos[arg] = info;
  }
  func.getBody().walk([&](Operation *nested) {
    if (nested->getNumResults())
      analyze(nested);
  });
}

void SymbolicShapeAnalysis::analyze(Operation *op) {
  SmallVector<std::optional<Exprs>> shapes, vals;
  SymbolicRules rules{*this, op};
  bool hasRule = false;
  // An op whose shape depends on input values: aicc-graph-value-symbols
  // gave its result dims over the value symbols.
  if (auto maps = op->getAttrOfType<ArrayAttr>(kResultDimsAttrName);
      maps && maps.size() == op->getNumResults()) {
    hasRule = true;
    for (Attribute m : maps) {
      auto map = dyn_cast<AffineMapAttr>(m);
      if (map && map.getValue().getNumDims() == 0 &&
          map.getValue().getNumSymbols() <= getNumBaseSymbols())
        shapes.push_back(Exprs(map.getValue().getResults()));
      else
        shapes.push_back(std::nullopt);
      vals.push_back(std::nullopt);
    }
    if (auto eqs = op->getAttrOfType<ArrayAttr>(kValueAssumptionsAttrName))
      for (Attribute m : eqs)
        if (auto map = dyn_cast<AffineMapAttr>(m);
            map && map.getValue().getNumResults() == 2 &&
            map.getValue().getNumSymbols() <= getNumBaseSymbols())
          assumptions.push_back(
              {map.getValue().getResult(0), map.getValue().getResult(1), op});
  } else {
    hasRule = isa<GraphDialect>(op->getDialect()) && op->getNumResults() &&
              !isa<ConstantOp>(op) && rules.run(shapes, vals);
  }
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    Info typed = infoFromType(result);
    Info info = typed;
    if (hasRule) {
      // The result type is authoritative where it is static (and where the
      // rule disagrees on the rank, which a verified op does not do).
      if (shapes[i] && typed.shape && shapes[i]->size() == typed.shape->size())
        for (auto [d, t] : llvm::zip(*shapes[i], *info.shape))
          t = t ? t : d;
      else if (shapes[i] && !typed.shape)
        info.shape = shapes[i];
      if (!info.values && vals[i]) {
        // Values only of small tensors of known element count.
        auto count = info.shape ? staticProduct(*info.shape) : std::nullopt;
        if (count && *count == (int64_t)vals[i]->size() && *count <= kMaxValues)
          info.values = vals[i];
      }
    }
    infos[result] = info;
  }
}

} // namespace aicc::graph
