//===- LinalgToHalide.cpp - Kernel functions to Halide pipelines ---------===//
//
// Index convention: a tensor<d0 x d1 x ... x dn-1> is a Halide Func whose
// first argument is the innermost tensor dim (dn-1), so Halide's dense
// dimension 0 is the tensor's contiguous one. `at()` takes tensor-order
// indices and reverses them.
//
// The translation is target-neutral: which inputs are read through a
// repacked copy, which dim a reduction unrolls and the schedule itself come
// from the target's SchedulePolicy.
//
// Halide reports errors by throwing Halide::Error (the SDK is built with
// exceptions); this file is compiled with -fexceptions and turns them into
// MLIR diagnostics at its boundary.
//
//===----------------------------------------------------------------------===//

#include "targets/halide/LinalgToHalide.h"
#include "targets/halide/SchedulePolicy.h"

#include "passes/lowering/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include "Halide.h"
#include <cmath>
#include <functional>
#include <map>

using namespace mlir;
namespace hl = Halide;

namespace aicc::halidegen {

SchedulePolicy::~SchedulePolicy() = default;

namespace {

/// Thrown inside the translator for constructs it cannot express; caught at
/// the boundary like Halide's own errors.
struct Unsupported {
  Operation *op;
  std::string message;
};

[[noreturn]] void unsupported(Operation *op, const std::string &message) {
  throw Unsupported{op, message};
}

/// The attribute of a kernel's dynamic tensor arguments and results
/// (contract B, docs/Pipeline.md "Dynamic shapes").
constexpr llvm::StringLiteral kDynamicDimsAttr = "aicc.dynamic_dims";

hl::Type halideType(Type t, Operation *where) {
  if (t.isF32())
    return hl::Float(32);
  if (t.isF64())
    return hl::Float(64);
  if (t.isF16())
    return hl::Float(16);
  if (t.isBF16())
    return hl::BFloat(16);
  if (t.isInteger(1))
    return hl::Bool();
  if (t.isIndex())
    return hl::Int(32);
  if (auto it = dyn_cast<IntegerType>(t)) {
    unsigned w = it.getWidth();
    if (w != 8 && w != 16 && w != 32 && w != 64)
      unsupported(where, "integer width " + std::to_string(w));
    return it.isUnsigned() ? hl::UInt(w) : hl::Int(w);
  }
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "element type " << t;
  unsupported(where, s);
}

/// arith.fptoui to a signless integer type `t` (a Halide Int): the float
/// `x` (already truncated, in [0, 2^bits)) as the unsigned bits of `t`.
/// Not reinterpret(t, cast(UInt, x)): Halide's simplifier (Simplify_Cast,
/// an integer cast of an integer cast) folds that into cast(t, x), an LLVM
/// fptosi whose values above t's signed maximum are poison; LLVM then may,
/// and with AVX512-FP16 does, narrow with signed saturation (vpacksswb:
/// u8 200 became 127). So convert in t's signed range, shifted down by
/// 2^(bits-1) in float (exact: f32 for up to 16 bits, f64 for 32), and flip
/// the sign bit back.
hl::Expr fpToUnsignedBits(hl::Expr x, hl::Type t) {
  if (x.type().bits() < 32)
    x = hl::cast(hl::Float(32), x);
  if (t.bits() > 16)
    x = hl::cast(hl::Float(64), x);
  int64_t half = int64_t(1) << (t.bits() - 1);
  return hl::cast(t, x - hl::cast(x.type(), hl::Expr(double(half)))) ^
         hl::cast(t, hl::Expr(static_cast<int32_t>(-half)));
}

/// Halide buffers address elements with int32 strides: a tensor of more
/// than 2^31 - 1 elements (or a larger dim) cannot be a Func or a buffer.
/// Dynamic dims are checked at run time by the entry point.
void requireAddressable(RankedTensorType t, Operation *where) {
  int64_t elements = 1;
  bool overflow = false;
  for (int64_t d : t.getShape())
    if (!ShapedType::isDynamic(d))
      overflow |= llvm::MulOverflow(elements, d, elements);
  if (!overflow && elements <= INT32_MAX)
    return;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "tensor " << t << " has ";
  if (overflow)
    os << "more elements than int64 can count";
  else
    os << elements << " elements";
  os << "; Halide kernels address at most 2^31 - 1 elements per tensor";
  unsupported(where, s);
}

/// Halide's type for storage of `t` (bool is stored as uint8). `dynamicDims`
/// (aicc.dynamic_dims) names the push constant of each `?` dim in order.
HalideBufferDesc bufferDesc(RankedTensorType t, Operation *where,
                            ArrayRef<int64_t> dynamicDims = {}) {
  hl::Type ht = halideType(t.getElementType(), where);
  requireAddressable(t, where);
  HalideBufferDesc d;
  d.typeCode = ht.code();
  d.bits = ht.is_bool() ? 8 : ht.bits();
  if (ht.is_bool())
    d.typeCode = halide_type_uint;
  for (int64_t i = t.getRank() - 1; i >= 0; --i) {
    if (t.isDynamicDim(i)) {
      unsigned k = t.getDynamicDimIndex(i);
      if (k >= dynamicDims.size())
        unsupported(where, "dynamic dim without aicc.dynamic_dims");
      d.extents.push_back(dynamicExtent(dynamicDims[k]));
      continue;
    }
    if (t.getDimSize(i) > INT32_MAX)
      unsupported(where, "dimension larger than 2^31");
    d.extents.push_back((int32_t)t.getDimSize(i));
  }
  return d;
}


//===----------------------------------------------------------------------===//
// Transcendental functions with IEEE behaviour at the edges
//===----------------------------------------------------------------------===//
//
// Halide computes float32 exp, log, pow and erf with fast polynomial
// approximations (Halide::Internal::halide_exp etc.) that are accurate on
// ordinary values but not at the edges of float32: exp converts x / ln 2 to
// int32, so exp(x) is 0 for x >= ~1.5e9, +inf and NaN; log(+inf) and
// log(NaN) are finite and denormals lose their exponent; erf(+-inf) is NaN.
// The fast paths stay; selects patch the edges to what libm (and ONNX
// Runtime) give. Narrower floats are computed in float32; float64 uses
// Halide's exact libm calls.

hl::Expr f32Const(double v) { return hl::Expr(float(v)); }

/// `fn` on float32, for f32 and narrower float types (cast back); float64
/// goes to `exact`.
hl::Expr onFloat32(hl::Expr x, const std::function<hl::Expr(hl::Expr)> &fn,
                   const std::function<hl::Expr(hl::Expr)> &exact) {
  hl::Type t = x.type();
  if (t.bits() > 32)
    return exact(x);
  if (t == hl::Float(32))
    return fn(x);
  return hl::cast(t, fn(hl::cast(hl::Float(32), x)));
}

/// exp on float32: NaN stays NaN, x > 88.8 overflows to +inf, x < -104
/// underflows to 0 (the polynomial's int conversion wraps beyond that).
hl::Expr exp32(hl::Expr x) {
  hl::Expr inf = f32Const(INFINITY);
  return hl::select(hl::is_nan(x), x,
                    hl::select(x > f32Const(88.8), inf,
                               hl::select(x < f32Const(-104.0), f32Const(0),
                                          hl::exp(x))));
}

/// log on float32: NaN and negative x give NaN, +inf gives +inf, 0 gives
/// -inf and denormals are scaled by 2^24 first.
hl::Expr log32(hl::Expr x) {
  const float minNormal = 1.17549435e-38f;
  hl::Expr denormal = x < f32Const(minNormal) && x > f32Const(0);
  hl::Expr scaled = hl::select(denormal, x * f32Const(16777216.0), x);
  hl::Expr r = hl::log(scaled) -
               hl::select(denormal, f32Const(24 * std::log(2.0)), f32Const(0));
  hl::Expr nan = f32Const(NAN);
  return hl::select(hl::is_nan(x) || x < f32Const(0), nan,
                    hl::select(x == f32Const(0), f32Const(-INFINITY),
                               hl::select(hl::is_inf(x), x, r)));
}

/// erf on float32: +-1 beyond |x| > 6 (erf is 1 to float precision from
/// ~3.9), NaN stays NaN.
hl::Expr erf32(hl::Expr x) {
  return hl::select(
      hl::is_nan(x), x,
      hl::select(x > f32Const(6), f32Const(1),
                 hl::select(x < f32Const(-6), f32Const(-1), hl::erf(x))));
}

/// tanh on float32: the rational approximation ONNX Runtime's MLAS uses
/// (MlasComputeTanh, Eigen's fast tanh: x * P(x^2) / Q(x^2) on x clamped to
/// [-9, 9], within a few ulp), vectorized; Halide's tanh calls libm's tanhf
/// once per lane (the tanh GELU of GPT-2 took 12 ns an element). NaN stays
/// NaN, +-inf gives +-1.
hl::Expr tanh32(hl::Expr x) {
  hl::Expr c = hl::clamp(x, f32Const(-9), f32Const(9));
  hl::Expr c2 = c * c;
  hl::Expr p = f32Const(-2.76076847742355e-16);
  for (double a : {2.00018790482477e-13, -8.60467152213735e-11,
                   5.12229709037114e-08, 1.48572235717979e-05,
                   6.37261928875436e-04, 4.89352455891786e-03})
    p = p * c2 + f32Const(a);
  hl::Expr q = f32Const(1.19825839466702e-06);
  for (double b : {1.18534705686654e-04, 2.26843463243900e-03,
                   4.89352518554385e-03})
    q = q * c2 + f32Const(b);
  return hl::select(hl::is_nan(x), x, c * p / q);
}

/// pow on float32 as exp(y * log|x|) with C's special cases: pow(x, 0) and
/// pow(1, y) are 1 (NaN included), pow(-1, +-inf) is 1, a negative base
/// needs an integer exponent (its parity gives the sign) except -inf.
hl::Expr pow32(hl::Expr x, hl::Expr y) {
  hl::Expr r = exp32(y * log32(hl::abs(x)));
  hl::Expr yInt = hl::floor(y) == y;
  hl::Expr half = y * f32Const(0.5);
  hl::Expr yOdd = yInt && hl::floor(half) != half;
  // The sign bit, so that pow(-0, -3) is -inf.
  hl::Expr signBit = (hl::reinterpret(hl::UInt(32), x) >> 31) != 0;
  r = hl::select(signBit && yOdd, -r, r);
  r = hl::select(x < f32Const(0) && !yInt && !hl::is_inf(x), f32Const(NAN),
                 r);
  hl::Expr one = f32Const(1);
  return hl::select(y == f32Const(0) || x == one ||
                        (hl::abs(x) == one && hl::is_inf(y)),
                    one, r);
}

hl::Expr edgeExp(hl::Expr x) {
  return onFloat32(x, exp32, [](hl::Expr v) { return hl::exp(v); });
}
hl::Expr edgeLog(hl::Expr x) {
  return onFloat32(x, log32, [](hl::Expr v) { return hl::log(v); });
}
hl::Expr edgeTanh(hl::Expr x) {
  return onFloat32(x, tanh32, [](hl::Expr v) { return hl::tanh(v); });
}
hl::Expr edgeErf(hl::Expr x) {
  return onFloat32(x, erf32, [](hl::Expr v) { return hl::erf(v); });
}
hl::Expr edgePow(hl::Expr x, hl::Expr y) {
  hl::Type t = x.type();
  if (t.bits() > 32)
    return hl::pow(x, y);
  if (t == hl::Float(32))
    return pow32(x, hl::cast(t, y));
  return hl::cast(t, pow32(hl::cast(hl::Float(32), x),
                           hl::cast(hl::Float(32), y)));
}

/// Issues a software prefetch once where the schedule repeats it: a
/// prefetch (Halide's `prefetch` directive) inside loop `v` whose addresses
/// depend on `v` only through `v / c` (a constant c > 1) fetches the same
/// lines for c iterations in a row, so it is guarded by `v % c == 0`.
/// The avx512 matmul schedule spreads the next weight panel's prefetch over
/// its row tiles that way (HalideSchedule.cpp, prefetchNextWeightPanel):
/// three prefetch instructions every 16 reduction steps instead of every
/// step. Prefetches are hints, so the guard changes no result.
class IssueRepeatedPrefetchesOnce : public hl::Internal::IRMutator {
  using hl::Internal::IRMutator::visit;
  /// Enclosing loops, innermost last, each with the lets defined inside it.
  struct Loop {
    std::string var;
    std::vector<std::pair<std::string, hl::Expr>> lets;
  };
  std::vector<Loop> loops;

  static bool isPrefetch(const hl::Internal::Call *c) {
    return c && c->is_intrinsic(hl::Internal::Call::prefetch);
  }
  /// The prefetch calls of `s` if `s` does nothing else.
  static bool prefetchesOnly(const hl::Internal::Stmt &s,
                             std::vector<hl::Expr> &addresses) {
    struct Finder : hl::Internal::IRVisitor {
      using hl::Internal::IRVisitor::visit;
      std::vector<hl::Expr> *addresses;
      bool other = false;
      void visit(const hl::Internal::Evaluate *e) override {
        const auto *c = e->value.as<hl::Internal::Call>();
        if (!isPrefetch(c)) {
          other = true;
          return;
        }
        for (const hl::Expr &a : c->args)
          addresses->push_back(a);
      }
      void visit(const hl::Internal::Store *) override { other = true; }
      void visit(const hl::Internal::Allocate *) override { other = true; }
    } finder;
    finder.addresses = &addresses;
    s.accept(&finder);
    return !finder.other && !addresses.empty();
  }
  /// The c of `v / c` if `e` uses `v` only that way (0 otherwise).
  static int64_t onlyDividedBy(const hl::Expr &e, const std::string &v) {
    struct Divs : hl::Internal::IRMutator {
      using hl::Internal::IRMutator::visit;
      std::string var;
      int64_t divisor = 0;
      bool mixed = false;
      hl::Expr visit(const hl::Internal::Div *d) override {
        const auto *x = d->a.as<hl::Internal::Variable>();
        const auto *c = d->b.as<hl::Internal::IntImm>();
        if (x && c && x->name == var && c->value > 1) {
          mixed |= divisor && divisor != c->value;
          divisor = c->value;
          return hl::Internal::Variable::make(d->type, var + ".quotient");
        }
        return hl::Internal::IRMutator::visit(d);
      }
    } divs;
    divs.var = v;
    hl::Expr rest = divs.mutate(e);
    if (divs.mixed || !divs.divisor || hl::Internal::expr_uses_var(rest, v))
      return 0;
    return divs.divisor;
  }
  hl::Internal::Stmt guard(const hl::Internal::Stmt &s) {
    std::vector<hl::Expr> addresses;
    if (loops.empty() || !prefetchesOnly(s, addresses))
      return s;
    const Loop &loop = loops.back();
    int64_t divisor = 0;
    for (hl::Expr a : addresses) {
      for (auto it = loop.lets.rbegin(); it != loop.lets.rend(); ++it)
        a = hl::Internal::substitute(it->first, it->second, a);
      if (!hl::Internal::expr_uses_var(a, loop.var))
        continue;
      int64_t d = onlyDividedBy(a, loop.var);
      if (!d || (divisor && d != divisor))
        return s;
      divisor = d;
    }
    if (!divisor)
      return s;
    hl::Expr v = hl::Internal::Variable::make(hl::Int(32), loop.var);
    return hl::Internal::IfThenElse::make((v % (int)divisor) == 0, s);
  }

public:
  hl::Internal::Stmt visit(const hl::Internal::For *op) override {
    std::vector<hl::Expr> addresses;
    if (prefetchesOnly(op, addresses))
      return guard(op);
    loops.push_back({op->name, {}});
    hl::Internal::Stmt s = hl::Internal::IRMutator::visit(op);
    loops.pop_back();
    return s;
  }
  hl::Internal::Stmt visit(const hl::Internal::LetStmt *op) override {
    if (!loops.empty())
      loops.back().lets.push_back({op->name, op->value});
    hl::Internal::Stmt s = hl::Internal::IRMutator::visit(op);
    if (!loops.empty())
      loops.back().lets.pop_back();
    return s;
  }
  hl::Internal::Stmt visit(const hl::Internal::Evaluate *op) override {
    return isPrefetch(op->value.as<hl::Internal::Call>()) ? guard(op) : op;
  }
};

/// Whether `e` calls the Func named `name`.
bool callsFunc(const hl::Expr &e, const std::string &name) {
  struct Finder : hl::Internal::IRVisitor {
    using hl::Internal::IRVisitor::visit;
    std::string name;
    bool found = false;
    void visit(const hl::Internal::Call *c) override {
      found |= c->name == name;
      hl::Internal::IRVisitor::visit(c);
    }
  } finder;
  finder.name = name;
  e.accept(&finder);
  return finder.found;
}

/// Whether `op` depends on IEEE special values (see needsStrictFloat).
bool dependsOnIeeeSpecials(Operation *op) {
  if (isa<arith::CmpFOp, arith::MaximumFOp, arith::MinimumFOp,
          arith::MaxNumFOp, arith::MinNumFOp, arith::RemFOp, math::IsNaNOp,
          math::IsInfOp, math::IsFiniteOp, math::CopySignOp>(op))
    return true;
  if (auto c = dyn_cast<arith::ConstantOp>(op))
    if (auto f = dyn_cast<FloatAttr>(c.getValue()))
      return !f.getValue().isFinite();
  return false;
}

/// The extents of a reduction's output in Halide's order (innermost first),
/// kDynamicExtent for a dynamic dim: ScheduledReduction::extents.
static std::vector<int> scheduleExtents(RankedTensorType outType) {
  std::vector<int> extents;
  for (int64_t k = outType.getRank() - 1; k >= 0; --k)
    extents.push_back(outType.isDynamicDim(k) ? kDynamicExtent
                                              : (int)outType.getDimSize(k));
  return extents;
}

/// For a reduction `op` with one output whose body combines the
/// accumulator with one value by a NaN-propagating arith.maximumf or
/// arith.minimumf (yielded, the accumulator's only use), reading every
/// input through a projected permutation (not a window: pooling keeps its
/// form): that value; else a null Value.
static Value nanPropagatingCombinerOperand(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return {};
  for (OpOperand *input : op.getDpsInputOperands())
    if (isa<ShapedType>(input->get().getType()) &&
        !op.getMatchingIndexingMap(input).isProjectedPermutation())
      return {};
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *combiner = yield.getValues()[0].getDefiningOp();
  BlockArgument acc = body.getArgument(op.getNumDpsInputs());
  if (!combiner || !isa<arith::MaximumFOp, arith::MinimumFOp>(combiner) ||
      combiner->getBlock() != &body || !acc.hasOneUse() ||
      !combiner->getResult(0).hasOneUse() || !isa<FloatType>(acc.getType()))
    return {};
  if (combiner->getOperand(0) == acc && combiner->getOperand(1) != acc)
    return combiner->getOperand(1);
  if (combiner->getOperand(1) == acc && combiner->getOperand(0) != acc)
    return combiner->getOperand(0);
  return {};
}

class Translator {
public:
  Translator(func::FuncOp kernel, const SchedulePolicy &policy)
      : kernel(kernel), policy(policy) {}

  /// Builds the Funcs; returns the inputs (ImageParams), the push
  /// constants (the kernel's trailing index arguments) and the outputs.
  void run(std::vector<hl::ImageParam> &inputs,
           std::vector<hl::Param<int32_t>> &pushConstants,
           std::vector<hl::Func> &outputs,
           std::vector<RankedTensorType> &outputTypes);

  /// Compute IEEE-dependent ops with Halide::strict_float one by one
  /// (else the whole kernel is compiled strictly).
  bool strictPerOp = false;

  /// Funcs with update definitions: they cannot be inlined.
  std::vector<ScheduledReduction> reductions;
  /// Repacked copies of inputs (see SchedulePolicy::repackedInputDim), at
  /// root.
  std::vector<ScheduledFunc> packs;

  /// A run-time check of one generic (or of the kernel's scalars when
  /// `loops` is empty): `bad` is a KernelStatus code (0 when fine) over the
  /// loop variables named `loops` (Vars or RVars, in loop order) of extents
  /// `extents` (constants for static shapes).
  struct Check {
    hl::Expr bad;
    std::vector<std::string> loops;
    std::vector<hl::Expr> extents;
  };
  std::vector<Check> checks;

private:
  /// The kernel's input buffers, by argument.
  llvm::DenseMap<Value, hl::ImageParam> params;

  struct TensorFunc {
    hl::Func func;
    RankedTensorType type;
    bool defined = true;
    /// Extents in tensor order: int32 constants for static dims, else
    /// expressions of the push constants.
    std::vector<hl::Expr> dims;
    /// The value of every element of a splat constant, read as itself (a
    /// constant the simplifier and the NaN rules of max/min can see).
    std::optional<hl::Expr> splat;
  };

  RankedTensorType tensorType(Value v) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    Operation *where = v.getDefiningOp() ? v.getDefiningOp() : kernel;
    if (!t)
      unsupported(where, "tensors must be ranked");
    requireAddressable(t, where);
    return t;
  }

  /// Extents of tensor `v` (already translated), tensor order.
  const std::vector<hl::Expr> &dimsOf(Value v, Operation *user) {
    auto it = tensors.find(v);
    if (it == tensors.end())
      unsupported(user, "operand is not produced inside the kernel");
    return it->second.dims;
  }
  hl::Expr dimOf(Value v, int64_t k, Operation *user) {
    return dimsOf(v, user)[k];
  }
  /// An index operand of a mixed static/dynamic list.
  hl::Expr mixed(OpFoldResult r, Operation *user) {
    if (auto a = dyn_cast<Attribute>(r))
      return hl::Expr((int32_t)cast<IntegerAttr>(a).getInt());
    return hl::cast(hl::Int(32), scalar(cast<Value>(r), user));
  }
  std::vector<hl::Expr> mixedList(ArrayRef<OpFoldResult> list,
                                  Operation *user) {
    std::vector<hl::Expr> out;
    for (OpFoldResult r : list)
      out.push_back(mixed(r, user));
    return out;
  }
  /// Extents of the result `v` of an op, from its operands (contract B:
  /// dynamic sizes are index values, never tensor.dim).
  std::vector<hl::Expr> shapeOf(Value v);

  /// Vars for a Func over tensor dims, in tensor order.
  std::vector<hl::Var> makeVars(int64_t rank) {
    std::vector<hl::Var> vars;
    for (int64_t i = 0; i < rank; ++i)
      vars.emplace_back("d" + std::to_string(i));
    return vars;
  }
  static std::vector<hl::Var> reversed(std::vector<hl::Var> v) {
    std::reverse(v.begin(), v.end());
    return v;
  }
  static std::vector<hl::Expr> reversed(std::vector<hl::Expr> v) {
    std::reverse(v.begin(), v.end());
    return v;
  }

  TensorFunc &lookup(Value v, Operation *user) {
    auto it = tensors.find(v);
    if (it == tensors.end())
      unsupported(user, "operand is not produced inside the kernel");
    if (!it->second.defined)
      unsupported(user, "reads the contents of an uninitialized tensor");
    return it->second;
  }

  /// Element of tensor `v` at tensor-order indices.
  hl::Expr at(Value v, const std::vector<hl::Expr> &idx, Operation *user) {
    TensorFunc &tf = lookup(v, user);
    if (tf.splat)
      return *tf.splat;
    if (idx.empty())
      return tf.func();
    return tf.func(reversed(idx));
  }

  /// Defines a new Func for `result` from an expression over its vars.
  template <typename Fn> void define(Value result, Fn &&body, StringRef name) {
    RankedTensorType t = tensorType(result);
    hl::Func f(uniqueName(name));
    std::vector<hl::Var> vars = makeVars(t.getRank());
    std::vector<hl::Expr> idx(vars.begin(), vars.end());
    hl::Expr e = body(idx);
    if (vars.empty())
      f() = e;
    else
      f(reversed(vars)) = e;
    tensors[result] = {f, t, true, shapeOf(result)};
  }

  /// Whether static pad `p` is computed as a buffer per task of the
  /// reduction that alone reads it, in this kernel, in place (not through a
  /// repacked copy): the fusion policy's folded padding.
  bool isFoldedPad(tensor::PadOp p) {
    if (!p.getResult().hasOneUse())
      return false;
    OpOperand &use = *p.getResult().getUses().begin();
    auto user = dyn_cast<linalg::GenericOp>(use.getOwner());
    return user && user.getNumReductionLoops() > 0 &&
           user.getNumDpsInits() == 1 && user.isDpsInput(&use) &&
           user->getBlock() == p->getBlock() &&
           isa<RankedTensorType>(user->getResult(0).getType()) &&
           cast<RankedTensorType>(user->getResult(0).getType())
               .hasStaticShape() &&
           !policy.repackedInputDim(user, use.getOperandNumber());
  }

  std::string uniqueName(StringRef base) {
    std::string s;
    for (char c : base)
      s += (isalnum((unsigned char)c) ? c : '_');
    return s + "_" + std::to_string(counter++);
  }

  hl::Expr scalar(Value v, Operation *user);
  hl::Expr constantExpr(Attribute attr, Type type, Operation *op);
  hl::Expr affine(AffineExpr e, const std::vector<hl::Expr> &dims,
                  Operation *op, const std::vector<hl::Expr> &syms = {});
  hl::Expr affineOp(AffineMap map, ValueRange operands, Operation *op,
                    bool isMax);
  hl::Expr convert(hl::Expr e, Type from, Type to, Operation *op);
  void translateOp(Operation *op);
  void translateGeneric(linalg::GenericOp op);
  /// A reduction the policy computes with an extern stage
  /// (SchedulePolicy::externReduction); false: translate it as usual.
  bool translateExternReduction(linalg::GenericOp op,
                                const std::vector<hl::Var> &hvars,
                                RankedTensorType outType);
  hl::Expr atPacked(Value tensor, std::vector<hl::Expr> idx, unsigned pos,
                    Operation *user,
                    bool flattenPlane = false);
  hl::Expr translateBody(Operation &op,
                         llvm::DenseMap<Value, hl::Expr> &values,
                         const std::vector<hl::Expr> &loops);
  void translateReshape(Value result, Value source, Operation *op);
  void translateConstantTensor(arith::ConstantOp op);

  /// Records that the value computed is only valid where `ok` holds; else
  /// the kernel's status becomes `code`. Ignored outside parallel loops
  /// (reductions keep their guarded, clamped result).
  void addCheck(hl::Expr ok, KernelStatus code) {
    if (!checksAllowed)
      return;
    hl::Expr bad =
        hl::select(ok, hl::Expr(int32_t(0)), hl::Expr(int32_t(code)));
    pendingBad = pendingBad.defined() ? hl::max(pendingBad, bad) : bad;
  }
  /// Moves the checks recorded since the last call into `checks`.
  void finishChecks(std::vector<std::string> loops,
                    std::vector<hl::Expr> extents) {
    bool empty = llvm::any_of(extents, [](const hl::Expr &e) {
      return hl::Internal::is_const_zero(e);
    });
    if (pendingBad.defined() && !empty)
      checks.push_back({pendingBad, std::move(loops), std::move(extents)});
    pendingBad = hl::Expr();
    checksAllowed = false;
  }
  /// a / b or a % b on integers without a hardware trap: a zero divisor
  /// (a run-time error, see addCheck) gives 0; INT_MIN / -1 wraps to
  /// INT_MIN and INT_MIN % -1 is 0, like NumPy.
  hl::Expr safeIntDivide(hl::Expr a, hl::Expr b, bool isSigned,
                         const std::function<hl::Expr(hl::Expr, hl::Expr)> &op,
                         bool isRemainder);

  func::FuncOp kernel;
  const SchedulePolicy &policy;
  bool checksAllowed = false;
  hl::Expr pendingBad;
  llvm::DenseMap<Value, TensorFunc> tensors;
  /// Results of pads defined for a reduction to compute per task.
  llvm::DenseSet<Value> foldedPads;
  llvm::DenseMap<Value, hl::Expr> scalars;
  std::map<std::pair<void *, unsigned>, hl::Func> packedFuncs;
  int counter = 0;
};

hl::Expr Translator::constantExpr(Attribute attr, Type type, Operation *op) {
  hl::Type ht = halideType(type, op);
  if (auto f = dyn_cast<FloatAttr>(attr))
    return hl::cast(ht, hl::Expr(f.getValueAsDouble()));
  if (auto i = dyn_cast<IntegerAttr>(attr)) {
    if (type.isInteger(1))
      return hl::cast(hl::Bool(), hl::Expr(i.getValue().getBoolValue()));
    if (ht.is_uint())
      return hl::cast(ht, hl::Expr((uint64_t)i.getValue().getZExtValue()));
    return hl::cast(ht, hl::Expr((int64_t)i.getValue().getSExtValue()));
  }
  unsupported(op, "constant attribute");
}

hl::Expr Translator::scalar(Value v, Operation *user) {
  auto it = scalars.find(v);
  if (it != scalars.end())
    return it->second;
  unsupported(user, "scalar operand defined outside the kernel");
}

hl::Expr Translator::affine(AffineExpr e, const std::vector<hl::Expr> &dims,
                            Operation *op, const std::vector<hl::Expr> &syms) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return dims[d.getPosition()];
  if (auto sym = dyn_cast<AffineSymbolExpr>(e)) {
    if (sym.getPosition() < syms.size())
      return syms[sym.getPosition()];
    unsupported(op, "affine expression with symbols");
  }
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return hl::Expr((int32_t)c.getValue());
  if (auto b = dyn_cast<AffineBinaryOpExpr>(e)) {
    hl::Expr l = affine(b.getLHS(), dims, op, syms),
             r = affine(b.getRHS(), dims, op, syms);
    switch (b.getKind()) {
    case AffineExprKind::Add:
      return l + r;
    case AffineExprKind::Mul:
      return l * r;
    case AffineExprKind::FloorDiv:
      return l / r; // Halide's integer division floors for positive divisors
    case AffineExprKind::CeilDiv:
      return (l + r - 1) / r;
    case AffineExprKind::Mod:
      return l % r;
    default:
      break;
    }
  }
  unsupported(op, "affine expression with symbols");
}

/// affine.apply (one result), affine.min or affine.max of index values.
hl::Expr Translator::affineOp(AffineMap map, ValueRange operands,
                              Operation *op, bool isMax) {
  std::vector<hl::Expr> dims, syms;
  for (unsigned i = 0; i < operands.size(); ++i) {
    hl::Expr v = hl::cast(hl::Int(32), scalar(operands[i], op));
    (i < map.getNumDims() ? dims : syms).push_back(v);
  }
  hl::Expr result;
  for (AffineExpr e : map.getResults()) {
    hl::Expr v = affine(e, dims, op, syms);
    result = !result.defined() ? v
             : isMax           ? hl::max(result, v)
                               : hl::min(result, v);
  }
  if (!result.defined())
    unsupported(op, "affine map without results");
  return result;
}

/// Element type conversion with MLIR's semantics for the cast ops.
hl::Expr Translator::convert(hl::Expr e, Type, Type to, Operation *op) {
  return hl::cast(halideType(to, op), e);
}

hl::Expr Translator::safeIntDivide(
    hl::Expr a, hl::Expr b, bool isSigned,
    const std::function<hl::Expr(hl::Expr, hl::Expr)> &op, bool isRemainder) {
  hl::Type t = b.type();
  // Constant divisors other than 0 and -1 need no guard (index math).
  if (isSigned) {
    if (std::optional<int64_t> c = hl::Internal::as_const_int(b))
      if (*c != 0 && *c != -1)
        return op(a, b);
  } else if (std::optional<uint64_t> c = hl::Internal::as_const_uint(b)) {
    if (*c != 0)
      return op(a, b);
  }
  hl::Expr zero = hl::Internal::make_zero(t), one = hl::Internal::make_one(t);
  hl::Expr isZero = b == zero;
  addCheck(!isZero, kStatusDivisionByZero);
  if (!isSigned)
    return hl::select(isZero, zero, op(a, hl::select(isZero, one, b)));
  hl::Expr minusOne = b == hl::Internal::make_const(t, -1);
  hl::Expr q = op(a, hl::select(isZero || minusOne, one, b));
  // a / -1 = -a, wrapping (computed unsigned: no signed overflow).
  hl::Type u = hl::UInt(t.bits());
  hl::Expr negA = hl::reinterpret(
      t, hl::Internal::make_zero(u) - hl::reinterpret(u, a));
  return hl::select(isZero, zero,
                    hl::select(minusOne, isRemainder ? zero : negA, q));
}

/// The value of a finite arith.constant float `v` defined anywhere, else
/// std::nullopt.
static std::optional<double> floatConstant(Value v) {
  auto c = v.getDefiningOp<arith::ConstantOp>();
  auto attr = c ? dyn_cast<FloatAttr>(c.getValue()) : FloatAttr();
  if (!attr || !attr.getValue().isFinite())
    return std::nullopt;
  return attr.getValueAsDouble();
}

/// Whether `v` is a whole number of magnitude at most 2^16: a small
/// whole constant, or an integer of at most 16 bits converted to float (a
/// zero point).
static bool isSmallWholeFloat(Value v) {
  if (std::optional<double> c = floatConstant(v))
    return *c == std::trunc(*c) && std::abs(*c) <= 65536;
  Operation *def = v.getDefiningOp();
  if (!isa_and_nonnull<arith::UIToFPOp, arith::SIToFPOp>(def))
    return false;
  auto in = dyn_cast<IntegerType>(def->getOperand(0).getType());
  return in && in.getWidth() <= 16;
}

/// If `v` is clamp(roundeven(x) [+ w], lo, hi) in f32 -- the end of a
/// requantization: arith.maximumf and arith.minimumf (either order) with
/// whole constant bounds within +-2^20, w a small whole number (a zero
/// point) -- the math.roundeven. With `singleUse`, every intermediate value
/// must be used by the chain only.
static math::RoundEvenOp clampedRound(Value v, bool singleUse) {
  bool lower = false, upper = false;
  for (int i = 0; i < 2; ++i) {
    Operation *def = v.getDefiningOp();
    if (!isa_and_nonnull<arith::MaximumFOp, arith::MinimumFOp>(def) ||
        (i == 1 && singleUse && !v.hasOneUse()))
      return {};
    std::optional<double> c = floatConstant(def->getOperand(1));
    Value next = def->getOperand(0);
    if (!c) {
      c = floatConstant(def->getOperand(0));
      next = def->getOperand(1);
    }
    if (!c || *c != std::trunc(*c) || std::abs(*c) > (1 << 20))
      return {};
    (isa<arith::MaximumFOp>(def) ? lower : upper) = true;
    v = next;
  }
  if (!lower || !upper || !v.getType().isF32() || (singleUse && !v.hasOneUse()))
    return {};
  if (auto add = v.getDefiningOp<arith::AddFOp>()) {
    Value lhs = add.getLhs(), rhs = add.getRhs();
    v = isSmallWholeFloat(rhs) ? lhs : isSmallWholeFloat(lhs) ? rhs : Value();
    if (!v || (singleUse && !v.hasOneUse()))
      return {};
  }
  return v.getDefiningOp<math::RoundEvenOp>();
}

/// The parts of a requantization's end, clamp(roundeven(x) [+ w], lo, hi)
/// in f32 (clampedRound's chain): x, the whole number w (null when absent)
/// and the whole bounds.
struct ClampedRound {
  Value x, w;
  double lo = 0, hi = 0;
};

static std::optional<ClampedRound> matchClampedRound(Value v) {
  math::RoundEvenOp round = clampedRound(v, /*singleUse=*/false);
  if (!round)
    return std::nullopt;
  ClampedRound m;
  m.x = round.getOperand();
  for (int i = 0; i < 2; ++i) {
    Operation *def = v.getDefiningOp();
    std::optional<double> c = floatConstant(def->getOperand(1));
    Value next = def->getOperand(0);
    if (!c) {
      c = floatConstant(def->getOperand(0));
      next = def->getOperand(1);
    }
    (isa<arith::MaximumFOp>(def) ? m.lo : m.hi) = *c;
    v = next;
  }
  if (auto add = v.getDefiningOp<arith::AddFOp>())
    m.w = add.getLhs() == round.getResult() ? add.getRhs() : add.getLhs();
  if (!m.x.getType().isF32() || m.lo > m.hi)
    return std::nullopt;
  return m;
}

/// Whether `round` is the roundeven of a requantization (clampedRound, used
/// by the chain only): then x + 1.5*2^23 - 1.5*2^23 may stand for it, exact
/// for |x| <= 2^22 and, for larger |x| (or infinities, NaN), a value the
/// clamp maps where it maps roundeven(x): past +-(2^22 - 2^16), beyond both
/// bounds. Two adds instead of Halide's round, which AVX-512 codegen splits
/// into two 8-lane vroundps and a shuffle.
static bool isRequantizeRound(math::RoundEvenOp round) {
  Value v = round.getResult();
  for (int i = 0; i < 3 && v.hasOneUse(); ++i) {
    Operation *user = *v.getUsers().begin();
    if (!isa<arith::AddFOp, arith::MaximumFOp, arith::MinimumFOp>(user))
      return false;
    v = user->getResult(0);
    if (clampedRound(v, /*singleUse=*/true) == round)
      return true;
  }
  return false;
}

hl::Expr Translator::translateBody(Operation &op,
                                   llvm::DenseMap<Value, hl::Expr> &values,
                                   const std::vector<hl::Expr> &loops) {
  auto in = [&](unsigned i) -> hl::Expr {
    Value v = op.getOperand(i);
    auto it = values.find(v);
    if (it != values.end())
      return it->second;
    return scalar(v, &op);
  };
  Type resultType = op.getNumResults() ? op.getResult(0).getType() : Type();
  auto asUnsigned = [&](hl::Expr e) {
    hl::Type t = e.type();
    return t.is_int() ? hl::reinterpret(hl::UInt(t.bits()), e) : e;
  };
  auto asSigned = [&](hl::Expr e) {
    hl::Type t = e.type();
    return t.is_uint() ? hl::reinterpret(hl::Int(t.bits()), e) : e;
  };
  auto nanOf = [&](hl::Expr a) { return hl::cast(a.type(), hl::Expr(NAN)); };
  // fptosi/fptoui of a requantization's end, clamp(roundeven(x) [+ w], lo,
  // hi) (matchClampedRound), computed in integers: r = x + 1.5*2^23 in f32
  // is 1.5*2^23 + roundeven(x) exactly for |x| < 2^22 (its ulp is 1, ties
  // to even), so its bits minus those of 1.5*2^23 are roundeven(x) as an
  // i32; past 2^22 in magnitude the bits stay monotonic in x (r kept >= 0,
  // so no i32 overflow) and clamp where roundeven(x) + w does. One f32 add,
  // one max and i32 add/clamp/narrow instead of the f32 round, zero point
  // add, clamp and the float-to-integer conversion (fpToUnsignedBits' four
  // instructions for a u8).
  auto requantizeInIntegers = [&]() -> std::optional<hl::Expr> {
    hl::Type t = halideType(resultType, &op);
    std::optional<ClampedRound> m = matchClampedRound(op.getOperand(0));
    if (!m || !t.is_int() || t.bits() > 32 || m->lo < -(1 << 20) ||
        m->hi > (1 << 20))
      return std::nullopt;
    auto valueOf = [&](Value v) {
      auto it = values.find(v);
      return it != values.end() ? it->second : scalar(v, &op);
    };
    hl::Expr x = valueOf(m->x);
    if (x.type() != hl::Float(32))
      return std::nullopt;
    constexpr int32_t kMagicBits = 0x4B400000; // 1.5 * 2^23
    hl::Expr magic = hl::Internal::make_const(hl::Float(32), 12582912.0);
    hl::Expr r = hl::strict_float(x + magic);
    // r >= 0 keeps the bits monotonic and their difference in i32; not
    // needed when x is bounded within +-2^22 (QLinearAdd's sum of two
    // scaled 8-bit values).
    hl::Internal::Interval bounds = hl::Internal::bounds_of_expr_in_scope(
        x, hl::Internal::Scope<hl::Internal::Interval>());
    std::optional<double> xMin, xMax;
    if (bounds.has_lower_bound() && bounds.has_upper_bound()) {
      xMin = hl::Internal::as_const_float(hl::Internal::simplify(bounds.min));
      xMax = hl::Internal::as_const_float(hl::Internal::simplify(bounds.max));
    }
    if (!xMin || !xMax || *xMin <= -(1 << 22) || *xMax >= (1 << 22))
      r = hl::max(r, hl::Internal::make_zero(hl::Float(32)));
    hl::Expr offset = hl::Expr(kMagicBits);
    if (m->w)
      offset = offset - hl::cast(hl::Int(32), valueOf(m->w));
    hl::Expr i = hl::reinterpret(hl::Int(32), r) - offset;
    i = hl::clamp(i, hl::Expr((int32_t)m->lo), hl::Expr((int32_t)m->hi));
    return hl::cast(t, i);
  };
  // Of a binary op's operands, the one that is not a finite or infinite
  // (non-NaN) float constant, when the other one is.
  auto isNumberConstant = [](const hl::Expr &e) {
    std::optional<double> c = hl::Internal::as_const_float(e);
    return c && !std::isnan(*c);
  };
  auto nonConstantOf = [&](const hl::Expr &a,
                           const hl::Expr &b) -> std::optional<hl::Expr> {
    if (isNumberConstant(b))
      return a;
    if (isNumberConstant(a))
      return b;
    return std::nullopt;
  };
  auto otherThan = [](const hl::Expr &x, const hl::Expr &a,
                      const hl::Expr &b) { return x.same_as(a) ? b : a; };

  return llvm::TypeSwitch<Operation *, hl::Expr>(&op)
      .Case([&](arith::ConstantOp c) {
        return constantExpr(c.getValue(), c.getType(), &op);
      })
      .Case([&](arith::AddFOp) { return in(0) + in(1); })
      .Case([&](arith::SubFOp) { return in(0) - in(1); })
      .Case([&](arith::MulFOp) { return in(0) * in(1); })
      .Case([&](arith::DivFOp) { return in(0) / in(1); })
      .Case([&](arith::RemFOp) {
        // C fmod: the result has the sign of the dividend.
        hl::Expr a = in(0), b = in(1);
        return a - hl::trunc(a / b) * b;
      })
      .Case([&](arith::NegFOp) { return -in(0); })
      .Case([&](arith::MaximumFOp) {
        hl::Expr a = in(0), b = in(1);
        // Against a constant (ReLU, a Clip bound) one compare-select is
        // NaN-propagating by itself, and is one vmaxps (MAXPS returns its
        // second operand when unordered).
        if (std::optional<hl::Expr> x = nonConstantOf(a, b))
          return hl::select(otherThan(*x, a, b) > *x, otherThan(*x, a, b),
                            *x);
        return hl::select(hl::is_nan(a) || hl::is_nan(b), nanOf(a),
                          hl::max(a, b));
      })
      .Case([&](arith::MinimumFOp) {
        hl::Expr a = in(0), b = in(1);
        if (std::optional<hl::Expr> x = nonConstantOf(a, b))
          return hl::select(otherThan(*x, a, b) < *x, otherThan(*x, a, b),
                            *x);
        return hl::select(hl::is_nan(a) || hl::is_nan(b), nanOf(a),
                          hl::min(a, b));
      })
      .Case([&](arith::MaxNumFOp) {
        hl::Expr a = in(0), b = in(1);
        return hl::select(hl::is_nan(a), b,
                          hl::select(hl::is_nan(b), a, hl::max(a, b)));
      })
      .Case([&](arith::MinNumFOp) {
        hl::Expr a = in(0), b = in(1);
        return hl::select(hl::is_nan(a), b,
                          hl::select(hl::is_nan(b), a, hl::min(a, b)));
      })
      .Case([&](arith::AddIOp) { return in(0) + in(1); })
      .Case([&](arith::SubIOp) { return in(0) - in(1); })
      .Case([&](arith::MulIOp) { return in(0) * in(1); })
      .Case([&](arith::DivSIOp) {
        return safeIntDivide(
            asSigned(in(0)), asSigned(in(1)), true,
            [](hl::Expr a, hl::Expr b) { return hl::div_round_to_zero(a, b); },
            false);
      })
      .Case([&](arith::RemSIOp) {
        return safeIntDivide(
            asSigned(in(0)), asSigned(in(1)), true,
            [](hl::Expr a, hl::Expr b) { return hl::mod_round_to_zero(a, b); },
            true);
      })
      .Case([&](arith::DivUIOp) {
        return asSigned(safeIntDivide(
            asUnsigned(in(0)), asUnsigned(in(1)), false,
            [](hl::Expr a, hl::Expr b) { return a / b; }, false));
      })
      .Case([&](arith::RemUIOp) {
        return asSigned(safeIntDivide(
            asUnsigned(in(0)), asUnsigned(in(1)), false,
            [](hl::Expr a, hl::Expr b) { return a % b; }, true));
      })
      .Case([&](arith::FloorDivSIOp) {
        // Halide's division floors when the divisor is positive and rounds
        // up when it is negative; flooring for both needs a fix-up.
        return safeIntDivide(
            asSigned(in(0)), asSigned(in(1)), true,
            [](hl::Expr a, hl::Expr b) {
              hl::Expr q = hl::div_round_to_zero(a, b);
              return hl::select(
                  (hl::mod_round_to_zero(a, b) != 0) && ((a < 0) != (b < 0)),
                  q - 1, q);
            },
            false);
      })
      .Case([&](arith::CeilDivSIOp) {
        return safeIntDivide(
            asSigned(in(0)), asSigned(in(1)), true,
            [](hl::Expr a, hl::Expr b) {
              hl::Expr q = hl::div_round_to_zero(a, b);
              return hl::select(
                  (hl::mod_round_to_zero(a, b) != 0) && ((a < 0) == (b < 0)),
                  q + 1, q);
            },
            false);
      })
      .Case([&](arith::MaxSIOp) { return hl::max(in(0), in(1)); })
      .Case([&](arith::MinSIOp) { return hl::min(in(0), in(1)); })
      .Case([&](arith::MaxUIOp) {
        return asSigned(hl::max(asUnsigned(in(0)), asUnsigned(in(1))));
      })
      .Case([&](arith::MinUIOp) {
        return asSigned(hl::min(asUnsigned(in(0)), asUnsigned(in(1))));
      })
      .Case([&](arith::AndIOp) { return in(0) & in(1); })
      .Case([&](arith::OrIOp) { return in(0) | in(1); })
      .Case([&](arith::XOrIOp) { return in(0) ^ in(1); })
      .Case([&](arith::ShLIOp) { return in(0) << in(1); })
      .Case([&](arith::ShRSIOp) { return in(0) >> in(1); })
      .Case([&](arith::ShRUIOp) {
        return asSigned(asUnsigned(in(0)) >> asUnsigned(in(1)));
      })
      .Case([&](arith::CmpFOp c) {
        hl::Expr a = in(0), b = in(1);
        hl::Expr unord = hl::is_nan(a) || hl::is_nan(b);
        switch (c.getPredicate()) {
        case arith::CmpFPredicate::OEQ: return !unord && a == b;
        case arith::CmpFPredicate::OGT: return !unord && a > b;
        case arith::CmpFPredicate::OGE: return !unord && a >= b;
        case arith::CmpFPredicate::OLT: return !unord && a < b;
        case arith::CmpFPredicate::OLE: return !unord && a <= b;
        case arith::CmpFPredicate::ONE: return !unord && a != b;
        case arith::CmpFPredicate::ORD: return !unord;
        case arith::CmpFPredicate::UEQ: return unord || a == b;
        case arith::CmpFPredicate::UGT: return unord || a > b;
        case arith::CmpFPredicate::UGE: return unord || a >= b;
        case arith::CmpFPredicate::ULT: return unord || a < b;
        case arith::CmpFPredicate::ULE: return unord || a <= b;
        case arith::CmpFPredicate::UNE: return unord || a != b;
        case arith::CmpFPredicate::UNO: return unord;
        case arith::CmpFPredicate::AlwaysTrue: return hl::Internal::const_true();
        case arith::CmpFPredicate::AlwaysFalse: return hl::Internal::const_false();
        }
        unsupported(&op, "cmpf predicate");
      })
      .Case([&](arith::CmpIOp c) {
        hl::Expr a = in(0), b = in(1);
        switch (c.getPredicate()) {
        case arith::CmpIPredicate::eq: return a == b;
        case arith::CmpIPredicate::ne: return a != b;
        case arith::CmpIPredicate::slt: return asSigned(a) < asSigned(b);
        case arith::CmpIPredicate::sle: return asSigned(a) <= asSigned(b);
        case arith::CmpIPredicate::sgt: return asSigned(a) > asSigned(b);
        case arith::CmpIPredicate::sge: return asSigned(a) >= asSigned(b);
        case arith::CmpIPredicate::ult: return asUnsigned(a) < asUnsigned(b);
        case arith::CmpIPredicate::ule: return asUnsigned(a) <= asUnsigned(b);
        case arith::CmpIPredicate::ugt: return asUnsigned(a) > asUnsigned(b);
        case arith::CmpIPredicate::uge: return asUnsigned(a) >= asUnsigned(b);
        }
        unsupported(&op, "cmpi predicate");
      })
      .Case([&](arith::SelectOp) {
        hl::Expr c = in(0);
        if (!c.type().is_bool())
          c = c != 0;
        return hl::select(c, in(1), in(2));
      })
      .Case([&](arith::ExtFOp) { return convert(in(0), {}, resultType, &op); })
      .Case([&](arith::TruncFOp) { return convert(in(0), {}, resultType, &op); })
      .Case([&](arith::ExtSIOp) {
        return hl::cast(halideType(resultType, &op), asSigned(in(0)));
      })
      .Case([&](arith::ExtUIOp) {
        hl::Expr a = in(0);
        if (a.type().is_bool())
          return hl::cast(halideType(resultType, &op), a);
        return hl::cast(halideType(resultType, &op), asUnsigned(a));
      })
      .Case([&](arith::TruncIOp) {
        hl::Type t = halideType(resultType, &op);
        if (t.is_bool())
          return (in(0) & 1) != 0;
        return hl::cast(t, in(0));
      })
      .Case([&](arith::SIToFPOp) {
        return hl::cast(halideType(resultType, &op), asSigned(in(0)));
      })
      .Case([&](arith::UIToFPOp) {
        hl::Expr a = in(0);
        return hl::cast(halideType(resultType, &op),
                        a.type().is_bool() ? a : asUnsigned(a));
      })
      .Case([&](arith::FPToSIOp) -> hl::Expr {
        if (std::optional<hl::Expr> q = requantizeInIntegers())
          return *q;
        // A clamped roundeven is whole already: no trunc (2 vroundps).
        bool whole = bool(clampedRound(op.getOperand(0), false));
        return hl::cast(halideType(resultType, &op),
                        whole ? in(0) : hl::trunc(in(0)));
      })
      .Case([&](arith::FPToUIOp) -> hl::Expr {
        if (std::optional<hl::Expr> q = requantizeInIntegers())
          return *q;
        hl::Type t = halideType(resultType, &op);
        // A clamped roundeven is already whole: no trunc (clampedRound).
        bool whole = bool(clampedRound(op.getOperand(0), false));
        hl::Expr x = whole ? in(0) : hl::trunc(in(0));
        if (t.is_int() && t.bits() <= 32)
          return fpToUnsignedBits(x, t);
        return hl::reinterpret(t, hl::cast(hl::UInt(t.bits()), x));
      })
      .Case([&](arith::IndexCastOp) {
        // index is 32-bit here: a wider value saturates to +-2^30, so that
        // an index of 2^40 stays out of range instead of wrapping into it
        // (not to +-2^31: Halide's bounds of `index + dim` would overflow).
        hl::Type t = halideType(resultType, &op);
        hl::Expr a = in(0);
        if (resultType.isIndex() && a.type().bits() > t.bits())
          return hl::cast(t, hl::clamp(a, hl::cast(a.type(), -(1 << 30)),
                                       hl::cast(a.type(), 1 << 30)));
        return hl::cast(t, a);
      })
      .Case([&](arith::IndexCastUIOp) {
        return hl::cast(halideType(resultType, &op), asUnsigned(in(0)));
      })
      .Case([&](arith::BitcastOp) {
        return hl::reinterpret(halideType(resultType, &op), in(0));
      })
      .Case([&](UnrealizedConversionCastOp) {
        // The lowering's unsigned <-> signless reinterpretation (same bits).
        return hl::reinterpret(halideType(resultType, &op), in(0));
      })
      .Case([&](math::ExpOp) { return edgeExp(in(0)); })
      .Case([&](math::Exp2Op) {
        return edgePow(hl::cast(in(0).type(), 2), in(0));
      })
      .Case([&](math::ExpM1Op) { return edgeExp(in(0)) - 1; })
      .Case([&](math::LogOp) { return edgeLog(in(0)); })
      .Case([&](math::Log1pOp) { return edgeLog(in(0) + 1); })
      .Case([&](math::Log2Op) {
        return edgeLog(in(0)) /
               hl::Internal::make_const(in(0).type(), std::log(2.0));
      })
      .Case([&](math::SqrtOp) { return hl::sqrt(in(0)); })
      .Case([&](math::RsqrtOp) { return 1 / hl::sqrt(in(0)); })
      .Case([&](math::TanhOp) { return edgeTanh(in(0)); })
      .Case([&](math::ErfOp) { return edgeErf(in(0)); })
      .Case([&](math::AbsFOp) { return hl::abs(in(0)); })
      .Case([&](math::AbsIOp) {
        return hl::cast(in(0).type(), hl::abs(in(0)));
      })
      .Case([&](math::FloorOp) { return hl::floor(in(0)); })
      .Case([&](math::CeilOp) { return hl::ceil(in(0)); })
      .Case([&](math::RoundEvenOp r) {
        if (!isRequantizeRound(r))
          return hl::round(in(0));
        hl::Expr magic = hl::Internal::make_const(hl::Float(32), 12582912.0);
        return hl::strict_float((in(0) + magic) - magic);
      })
      .Case([&](math::RoundOp) {
        hl::Expr a = in(0);
        return hl::select(a < 0, -hl::floor(-a + 0.5f), hl::floor(a + 0.5f));
      })
      .Case([&](math::TruncOp) { return hl::trunc(in(0)); })
      .Case([&](math::PowFOp) { return edgePow(in(0), in(1)); })
      .Case([&](math::SinOp) { return hl::sin(in(0)); })
      .Case([&](math::CosOp) { return hl::cos(in(0)); })
      .Case([&](math::TanOp) { return hl::tan(in(0)); })
      .Case([&](math::AsinOp) { return hl::asin(in(0)); })
      .Case([&](math::AcosOp) { return hl::acos(in(0)); })
      .Case([&](math::AtanOp) { return hl::atan(in(0)); })
      .Case([&](math::Atan2Op) { return hl::atan2(in(0), in(1)); })
      .Case([&](math::SinhOp) { return hl::sinh(in(0)); })
      .Case([&](math::CoshOp) { return hl::cosh(in(0)); })
      .Case([&](math::AsinhOp) { return hl::asinh(in(0)); })
      .Case([&](math::AcoshOp) { return hl::acosh(in(0)); })
      .Case([&](math::AtanhOp) { return hl::atanh(in(0)); })
      .Case([&](math::CopySignOp) {
        hl::Expr a = in(0), b = in(1);
        hl::Expr negative = !hl::is_nan(b) && (b < 0 || (b == 0 && 1 / b < 0));
        return hl::select(negative, -hl::abs(a), hl::abs(a));
      })
      .Case([&](math::IsNaNOp) { return hl::is_nan(in(0)); })
      .Case([&](math::IsInfOp) { return hl::is_inf(in(0)); })
      .Case([&](math::FPowIOp) {
        return edgePow(in(0), hl::cast(in(0).type(), in(1)));
      })
      .Case([&](linalg::IndexOp i) { return loops[i.getDim()]; })
      .Case([&](affine::AffineApplyOp a) {
        // Index arithmetic over loop indices and push constants.
        AffineMap map = a.getAffineMap();
        std::vector<hl::Expr> dims, syms;
        for (unsigned i = 0; i < a->getNumOperands(); ++i)
          (i < map.getNumDims() ? dims : syms)
              .push_back(hl::cast(hl::Int(32), in(i)));
        return affine(map.getResult(0), dims, &op, syms);
      })
      .Case([&](tensor::ExtractOp e) {
        RankedTensorType t = tensorType(e.getTensor());
        std::vector<hl::Expr> idx;
        bool checked = e->hasAttr(lowering::kCheckedIndexAttrName);
        // The element read is an index into a dim of this size.
        auto bound =
            e->getAttrOfType<IntegerAttr>(lowering::kIndexBoundAttrName);
        for (auto [k, v] : llvm::enumerate(e.getIndices())) {
          auto it = values.find(v);
          hl::Expr x = it != values.end() ? it->second : scalar(v, &op);
          x = hl::cast(hl::Int(32), x);
          // Indices from the model's data must be in range (else the
          // kernel fails); every index reads the nearest element, never
          // outside.
          if (t.isDynamicDim(k)) {
            hl::Expr size = dimOf(e.getTensor(), k, &op);
            if (checked)
              addCheck(x >= 0 && x < size, kStatusIndexOutOfRange);
            idx.push_back(hl::clamp(x, 0, hl::max(size - 1, 0)));
            continue;
          }
          int32_t size = (int32_t)t.getDimSize(k);
          if (checked)
            addCheck(x >= 0 && x < size, kStatusIndexOutOfRange);
          idx.push_back(hl::clamp(x, 0, size - 1));
        }
        hl::Expr v = at(e.getTensor(), idx, &op);
        if (bound) {
          hl::Expr n = hl::cast(v.type(), hl::Expr(bound.getInt()));
          addCheck(v >= -n && v < n, kStatusIndexOutOfRange);
        }
        return v;
      })
      .Default([&](Operation *o) -> hl::Expr {
        unsupported(o, "op '" + o->getName().getStringRef().str() +
                           "' in a kernel body");
      });
}

bool Translator::translateExternReduction(linalg::GenericOp op,
                                          const std::vector<hl::Var> &hvars,
                                          RankedTensorType outType) {
  std::vector<hl::Func> inFuncs;
  std::vector<std::optional<hl::ImageParam>> inParams;
  for (OpOperand *operand : op.getDpsInputOperands()) {
    auto it = tensors.find(operand->get());
    inFuncs.push_back(it != tensors.end() ? it->second.func : hl::Func());
    auto p = params.find(operand->get());
    inParams.push_back(p != params.end() ? std::optional(p->second)
                                         : std::nullopt);
  }
  hl::Func init;
  if (auto it = tensors.find(op.getDpsInitOperand(0)->get());
      it != tensors.end())
    init = it->second.func;
  hl::Func ext = policy.externReduction(op, inFuncs, inParams, init);
  if (!ext.defined())
    return false;
  ScheduledReduction r;
  r.func = ext;
  r.extents = scheduleExtents(outType);
  r.result = hl::Func(uniqueName("acc"));
  r.result(hvars) = ext(hvars);
  reductions.push_back(r);
  tensors[op.getResult(0)] = {r.result, outType, true,
                              shapeOf(op.getResult(0))};
  return true;
}

void Translator::translateGeneric(linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto iterators = op.getIteratorTypesArray();
  unsigned numLoops = ranges.size();
  // Loop extents: constants, or for a dynamic loop the extent of an operand
  // dim it indexes directly.
  std::vector<hl::Expr> rangeExprs(numLoops);
  for (unsigned d = 0; d < numLoops; ++d)
    if (!ShapedType::isDynamic(ranges[d]))
      rangeExprs[d] = hl::Expr((int32_t)ranges[d]);
  {
    auto maps = op.getIndexingMapsArray();
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<RankedTensorType>(operand.get().getType()))
        continue;
      AffineMap map = maps[operand.getOperandNumber()];
      for (unsigned k = 0; k < map.getNumResults(); ++k)
        if (auto d = dyn_cast<AffineDimExpr>(map.getResult(k)))
          if (!rangeExprs[d.getPosition()].defined())
            rangeExprs[d.getPosition()] = dimOf(operand.get(), k, op);
    }
    for (unsigned d = 0; d < numLoops; ++d)
      if (!rangeExprs[d].defined())
        unsupported(op, "loop of dynamic extent indexes no operand dim "
                        "directly");
  }
  // Reduction loops: one RDom, innermost (last) loop as its first dim.
  std::vector<unsigned> reductionLoops;
  for (unsigned d = 0; d < numLoops; ++d)
    if (iterators[d] == utils::IteratorType::reduction)
      reductionLoops.push_back(d);
  std::vector<hl::Expr> loops(numLoops);
  std::optional<hl::RDom> rdom;
  if (!reductionLoops.empty()) {
    std::vector<hl::Range> r;
    for (auto it = reductionLoops.rbegin(); it != reductionLoops.rend(); ++it)
      r.emplace_back(0, rangeExprs[*it]);
    rdom = hl::RDom(r, uniqueName("r"));
    for (size_t k = 0; k < reductionLoops.size(); ++k)
      loops[reductionLoops[reductionLoops.size() - 1 - k]] = (*rdom)[k];
  }

  unsigned numInputs = op.getNumDpsInputs();
  unsigned numOutputs = op.getNumDpsInits();
  auto maps = op.getIndexingMapsArray();
  // Output vars: the parallel loops in the order of output 0's dims.
  AffineMap outMap = maps[numInputs];
  if (!outMap.isProjectedPermutation())
    unsupported(op, "output indexing map is not a projected permutation");
  RankedTensorType outType = tensorType(op.getResult(0));
  std::vector<hl::Var> vars = makeVars(outType.getRank());
  std::vector<hl::Expr> outIdx;
  for (unsigned k = 0; k < outMap.getNumResults(); ++k) {
    unsigned d = outMap.getDimPosition(k);
    if (iterators[d] != utils::IteratorType::parallel)
      unsupported(op, "output indexed by a reduction loop");
    loops[d] = vars[k];
    outIdx.push_back(vars[k]);
  }
  for (unsigned d = 0; d < numLoops; ++d)
    if (!loops[d].defined())
      unsupported(op, "parallel loop missing from the output");
  for (unsigned o = 1; o < numOutputs; ++o)
    if (maps[numInputs + o] != outMap)
      unsupported(op, "outputs with different indexing maps");

  hl::Func f(uniqueName("generic"));
  std::vector<hl::Var> hvars = reversed(vars);
  if (rdom && numOutputs == 1 && translateExternReduction(op, hvars, outType))
    return;
  Block &body = op.getRegion().front();
  llvm::DenseMap<Value, hl::Expr> values;
  for (unsigned i = 0; i < numInputs; ++i) {
    Value operand = op.getDpsInputOperand(i)->get();
    BlockArgument arg = body.getArgument(i);
    if (!isa<RankedTensorType>(operand.getType())) {
      values[arg] = scalar(operand, op);
      continue;
    }
    if (arg.use_empty())
      continue;
    std::vector<hl::Expr> idx;
    for (AffineExpr e : maps[i].getResults())
      idx.push_back(affine(e, loops, op));
    // Read with vector loads from a copy (made per call) when the schedule
    // vectorizes a dim this input does not have innermost; PackWeights
    // does it at compile time for constant weights.
    if (std::optional<unsigned> pos = policy.repackedInputDim(op, i)) {
      values[arg] = atPacked(operand, idx, *pos, op,
                             policy.flattensRepackedPlane(op, i));
      continue;
    }
    values[arg] = at(operand, idx, op);
  }
  auto yieldExprs = [&]() {
    std::vector<hl::Expr> out;
    for (Operation &inner : body.without_terminator()) {
      hl::Expr e = translateBody(inner, values, loops);
      if (strictPerOp && dependsOnIeeeSpecials(&inner))
        e = hl::strict_float(e);
      if (inner.getNumResults() != 1)
        unsupported(&inner, "ops with several results in a kernel body");
      // Halide computes some math in a wider type (e.g. bf16 in f32):
      // keep every value in the type MLIR gives it.
      hl::Type want = halideType(inner.getResult(0).getType(), &inner);
      if (e.type() != want)
        e = hl::cast(want, e);
      values[inner.getResult(0)] = e;
    }
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    for (Value v : yield.getValues()) {
      auto it = values.find(v);
      out.push_back(it != values.end() ? it->second : scalar(v, op));
    }
    return out;
  };
  if (!rdom) {
    // Output block arguments read the init tensors (rarely used).
    for (unsigned o = 0; o < numOutputs; ++o) {
      BlockArgument arg = body.getArgument(numInputs + o);
      if (!arg.use_empty())
        values[arg] = at(op.getDpsInitOperand(o)->get(), outIdx, op);
    }
    checksAllowed = true;
    std::vector<hl::Expr> e = yieldExprs();
    std::vector<std::string> names;
    for (const hl::Var &v : vars)
      names.push_back(v.name());
    finishChecks(names, dimsOf(op.getDpsInitOperand(0)->get(), op));
    if (numOutputs == 1)
      f(hvars) = e[0];
    else
      f(hvars) = hl::Tuple(e);
  } else if (Value other = nanPropagatingCombinerOperand(op)) {
    // A NaN-propagating max (min) reduction, e.g. Softmax's row max: the
    // accumulator is a plain max and a flag of whether a NaN was seen, both
    // associative, so a schedule may split the reduction into vector lanes
    // (rfactor); the result is NaN where the flag is set.
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    bool isMax = isa<arith::MaximumFOp>(yield.getValues()[0].getDefiningOp());
    hl::Expr init = at(op.getDpsInitOperand(0)->get(), outIdx, op);
    f(hvars) = hl::Tuple(init, hl::is_nan(init));
    values[body.getArgument(numInputs)] = f(hvars)[0];
    checksAllowed = true;
    // The combiner itself is translated too (its value is not used).
    yieldExprs();
    std::vector<std::string> loopNames;
    for (const hl::Expr &l : loops)
      loopNames.push_back(l.as<hl::Internal::Variable>()->name);
    finishChecks(loopNames, rangeExprs);
    auto it = values.find(other);
    hl::Expr v = it != values.end() ? it->second : scalar(other, op);
    hl::Expr acc = f(hvars)[0];
    f(hvars) = hl::Tuple(isMax ? hl::max(acc, v) : hl::min(acc, v),
                         f(hvars)[1] || hl::is_nan(v));
    ScheduledReduction r;
    r.func = f;
    r.rdom = *rdom;
    r.extents = scheduleExtents(outType);
    r.result = hl::Func(uniqueName("acc"));
    r.result(hvars) =
        hl::select(f(hvars)[1], hl::cast(acc.type(), hl::Expr(NAN)), acc);
    r.tile = policy.registerTile(op);
    reductions.push_back(r);
    tensors[op.getResult(0)] = {r.result, outType, true,
                                shapeOf(op.getResult(0))};
    return;
  } else {
    // Pure definition: the init tensors; update: the body over the RDom.
    std::vector<hl::Expr> init;
    for (unsigned o = 0; o < numOutputs; ++o)
      init.push_back(at(op.getDpsInitOperand(o)->get(), outIdx, op));
    if (numOutputs == 1)
      f(hvars) = init[0];
    else
      f(hvars) = hl::Tuple(init);
    for (unsigned o = 0; o < numOutputs; ++o) {
      BlockArgument arg = body.getArgument(numInputs + o);
      values[arg] = numOutputs == 1 ? hl::Expr(f(hvars))
                                    : hl::Expr(f(hvars)[o]);
    }
    checksAllowed = true;
    std::vector<hl::Expr> e = yieldExprs();
    // Checks over every loop (those reading a reduction are dropped when
    // the status is built).
    std::vector<std::string> loopNames;
    for (const hl::Expr &l : loops)
      loopNames.push_back(l.as<hl::Internal::Variable>()->name);
    finishChecks(loopNames, rangeExprs);
    if (numOutputs == 1)
      f(hvars) = e[0];
    else
      f(hvars) = hl::Tuple(e);
    ScheduledReduction r;
    r.func = f;
    r.rdom = *rdom;
    r.extents = scheduleExtents(outType);
    if (numOutputs == 1) {
      // Consumers read a pure copy: the schedule computes the reduction in
      // register tiles inside it.
      r.result = hl::Func(uniqueName("acc"));
      r.result(hvars) = f(hvars);
      r.tile = policy.registerTile(op);
      // Pads folded into this reduction (isFoldedPad).
      for (unsigned i = 0; i < numInputs; ++i) {
        Value operand = op.getDpsInputOperand(i)->get();
        auto pad = operand.getDefiningOp<tensor::PadOp>();
        auto it = tensors.find(operand);
        if (!pad || it == tensors.end() || !foldedPads.contains(operand))
          continue;
        std::vector<int> padExtents;
        for (int64_t k = pad.getResultType().getRank() - 1; k >= 0; --k)
          padExtents.push_back((int)pad.getResultType().getDimSize(k));
        ScheduledFunc padded{it->second.func, padExtents};
        int64_t inner = pad.getResultType().getRank() - 1;
        if (inner >= 0) {
          padded.innerLowPad = (int)pad.getStaticLow()[inner];
          padded.innerSourceExtent = (int)pad.getSourceType().getDimSize(inner);
        }
        r.paddedInputs.push_back(padded);
      }
    }
    reductions.push_back(r);
    if (numOutputs == 1) {
      tensors[op.getResult(0)] = {r.result, outType, true,
                                  shapeOf(op.getResult(0))};
      return;
    }
  }
  for (unsigned o = 0; o < numOutputs; ++o) {
    if (numOutputs == 1) {
      tensors[op.getResult(0)] = {f, outType, true, shapeOf(op.getResult(0))};
    } else {
      hl::Func part(uniqueName("part"));
      part(hvars) = f(hvars)[o];
      tensors[op.getResult(o)] = {part, tensorType(op.getResult(o)), true,
                                  shapeOf(op.getResult(o))};
    }
  }
}

/// Element of `tensor` at tensor-order `idx`, read from a copy whose
/// innermost dim is tensor dim `pos` (made once per kernel call). With
/// `flattenPlane` (SchedulePolicy::flattensRepackedPlane) the copy merges
/// the tensor's two innermost dims (H, W, static, both outside `pos`) into
/// one dim of H x W and is read at `y * W + x`.
hl::Expr Translator::atPacked(Value tensor, std::vector<hl::Expr> idx,
                              unsigned pos, Operation *user,
                              bool flattenPlane) {
  TensorFunc &src = lookup(tensor, user);
  int64_t rank = src.type.getRank();
  flattenPlane = flattenPlane && rank >= 3 && (int64_t)pos < rank - 2 &&
                 !src.type.isDynamicDim(rank - 1) &&
                 !src.type.isDynamicDim(rank - 2) &&
                 src.type.getDimSize(rank - 1) *
                         src.type.getDimSize(rank - 2) <=
                     std::numeric_limits<int>::max();
  auto key = std::make_pair(tensor.getAsOpaquePointer(),
                            pos + (flattenPlane ? (unsigned)rank : 0u));
  auto it = packedFuncs.find(key);
  if (it == packedFuncs.end()) {
    // Packed order: the tensor's dims without `pos`, then `pos` innermost.
    std::vector<hl::Var> vars = makeVars(rank);
    std::vector<hl::Var> packedOrder;
    for (int64_t k = 0; k < rank; ++k)
      if (k != pos)
        packedOrder.push_back(vars[k]);
    packedOrder.push_back(vars[pos]);
    std::vector<int> extents;
    for (int64_t k = rank - 1; k >= 0; --k) {
      int64_t dim = packedOrder[k].name() == vars[pos].name()
                        ? pos
                        : (k < (int64_t)pos ? k : k + 1);
      extents.push_back(src.type.isDynamicDim(dim)
                            ? kDynamicExtent
                            : (int)src.type.getDimSize(dim));
    }
    std::vector<hl::Expr> srcIdx(vars.begin(), vars.end());
    if (flattenPlane) {
      // [..][H][W][pos] -> [..][H*W][pos]: packedOrder's H and W (the two
      // before `pos`) become one var, the source read at (hw / W, hw % W).
      int width = (int)src.type.getDimSize(rank - 1);
      hl::Var hw = vars[rank - 1];
      srcIdx[rank - 2] = hw / width;
      srcIdx[rank - 1] = hw % width;
      packedOrder.erase(packedOrder.end() - 3);
      extents[1] *= extents[2];
      extents.erase(extents.begin() + 2);
    }
    hl::Func packed(uniqueName(flattenPlane ? "packedplane" : "packed"));
    packed(reversed(packedOrder)) = src.func(reversed(srcIdx));
    packs.push_back({packed, extents});
    it = packedFuncs.insert({key, packed}).first;
  }
  std::vector<hl::Expr> packedIdx;
  for (int64_t k = 0; k < rank; ++k)
    if (k != pos)
      packedIdx.push_back(idx[k]);
  if (flattenPlane) {
    int width = (int)src.type.getDimSize(rank - 1);
    hl::Expr x = packedIdx.back();
    packedIdx.pop_back();
    packedIdx.back() = packedIdx.back() * width + x;
  }
  packedIdx.push_back(idx[pos]);
  return it->second(reversed(packedIdx));
}

/// Any reshape (collapse, expand, tensor.reshape): same row-major element
/// order, new dims.
void Translator::translateReshape(Value result, Value source, Operation *op) {
  RankedTensorType src = tensorType(source), dst = tensorType(result);
  if (!src.hasStaticShape() || !dst.hasStaticShape() ||
      isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op)) {
    // collapse_shape / expand_shape map each group of dims on their own, so
    // only a group with a dynamic dim divides by a run-time extent (a
    // whole-tensor linear index would divide by every dim), and Halide's
    // bounds of the source stay those of the region read (a row kernel
    // reading LayerNorm's rows split into lanes reads its task's rows, not
    // the whole tensor).
    SmallVector<ReassociationIndices> groups;
    bool collapse = isa<tensor::CollapseShapeOp>(op);
    if (auto c = dyn_cast<tensor::CollapseShapeOp>(op))
      groups = c.getReassociationIndices();
    else if (auto e = dyn_cast<tensor::ExpandShapeOp>(op))
      groups = e.getReassociationIndices();
    else
      unsupported(op, "tensor.reshape of dynamic shapes");
    std::vector<hl::Expr> srcDims = dimsOf(source, op);
    std::vector<hl::Expr> dstDims = shapeOf(result);
    define(
        result,
        [&](const std::vector<hl::Expr> &idx) {
          std::vector<hl::Expr> srcIdx(src.getRank());
          for (auto [g, group] : llvm::enumerate(groups)) {
            if (collapse) {
              // Result dim g = row-major linearization of the group's
              // source dims: split it.
              hl::Expr linear = idx[g];
              for (int64_t k = group.size() - 1; k >= 0; --k) {
                int64_t d = group[k];
                if (k == 0) {
                  srcIdx[d] = linear;
                } else {
                  srcIdx[d] = linear % srcDims[d];
                  linear = linear / srcDims[d];
                }
              }
            } else {
              // Source dim g = linearization of the group's result dims.
              hl::Expr linear = 0;
              for (int64_t d : group)
                linear = linear * dstDims[d] + idx[d];
              srcIdx[g] = linear;
            }
          }
          return at(source, srcIdx, op);
        },
        "reshape");
    return;
  }
  define(
      result,
      [&](const std::vector<hl::Expr> &idx) {
        hl::Expr linear = 0;
        for (int64_t k = 0; k < dst.getRank(); ++k)
          linear = linear * (int32_t)dst.getDimSize(k) + idx[k];
        std::vector<hl::Expr> srcIdx(src.getRank());
        for (int64_t k = src.getRank() - 1; k >= 0; --k) {
          int32_t d = (int32_t)src.getDimSize(k);
          srcIdx[k] = k == 0 ? linear : linear % d;
          linear = linear / d;
        }
        return at(source, srcIdx, op);
      },
      "reshape");
}

void Translator::translateConstantTensor(arith::ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  RankedTensorType t = tensorType(op.getResult());
  if (!dense)
    unsupported(op, "non-dense constant tensor");
  if (dense.isSplat()) {
    hl::Expr v = constantExpr(dense.getSplatValue<Attribute>(),
                              t.getElementType(), op);
    define(op.getResult(), [&](const std::vector<hl::Expr> &) { return v; },
           "splat");
    // Read as itself only when finite: Halide's simplifier assumes float
    // arithmetic stays finite, and an infinity it sees as a constant
    // (an attention mask's -inf) can be folded wrongly.
    auto value = dense.getSplatValue<Attribute>();
    auto f = dyn_cast<FloatAttr>(value);
    if (!f || f.getValue().isFinite())
      tensors[op.getResult()].splat = v;
    return;
  }
  // Small constant tables inside a kernel: a select chain over the flat
  // index would be slow; embed them as a Halide Buffer instead.
  hl::Type ht = halideType(t.getElementType(), op);
  std::vector<int> extents;
  for (int64_t i = t.getRank() - 1; i >= 0; --i)
    extents.push_back((int)t.getDimSize(i));
  hl::Buffer<> buffer(ht.is_bool() ? hl::UInt(8) : ht, extents,
                      uniqueName("table"));
  int64_t n = t.getNumElements(), i = 0;
  auto *bytes = static_cast<uint8_t *>(buffer.data());
  int bytesPer = buffer.type().bytes();
  for (Attribute a : dense.getValues<Attribute>()) {
    if (i >= n)
      break;
    if (auto f = dyn_cast<FloatAttr>(a)) {
      APInt bits = f.getValue().bitcastToAPInt();
      uint64_t raw = bits.getZExtValue();
      memcpy(bytes + i * bytesPer, &raw, bytesPer);
    } else if (auto ia = dyn_cast<IntegerAttr>(a)) {
      uint64_t raw = ia.getValue().getZExtValue();
      memcpy(bytes + i * bytesPer, &raw, bytesPer);
    }
    ++i;
  }
  hl::Func f(uniqueName("const"));
  std::vector<hl::Var> vars = makeVars(t.getRank());
  hl::Expr e = buffer(reversed(std::vector<hl::Expr>(vars.begin(), vars.end())));
  if (ht.is_bool())
    e = e != 0;
  f(reversed(vars)) = e;
  tensors[op.getResult()] = {f, t, true, shapeOf(op.getResult())};
}

std::vector<hl::Expr> Translator::shapeOf(Value v) {
  RankedTensorType t = tensorType(v);
  std::vector<hl::Expr> dims(t.getRank());
  for (int64_t k = 0; k < t.getRank(); ++k)
    if (!t.isDynamicDim(k))
      dims[k] = hl::Expr((int32_t)t.getDimSize(k));
  if (t.hasStaticShape())
    return dims;
  Operation *op = v.getDefiningOp();
  if (!op)
    unsupported(kernel, "dynamic tensor argument");
  // The extents the op gives its result; static dims of the result type win.
  std::vector<hl::Expr> derived(t.getRank());
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](tensor::EmptyOp e) {
        derived = mixedList(e.getMixedSizes(), op);
      })
      .Case([&](DestinationStyleOpInterface d) {
        derived = dimsOf(
            d.getDpsInitOperand(cast<OpResult>(v).getResultNumber())->get(),
            op);
      })
      .Case([&](tensor::ExtractSliceOp s) {
        std::vector<hl::Expr> sizes = mixedList(s.getMixedSizes(), op);
        llvm::SmallBitVector dropped = s.getDroppedDims();
        size_t r = 0;
        for (size_t k = 0; k < sizes.size(); ++k)
          if (!dropped.test(k))
            derived[r++] = sizes[k];
      })
      .Case([&](tensor::PadOp p) {
        std::vector<hl::Expr> low = mixedList(p.getMixedLowPad(), op);
        std::vector<hl::Expr> high = mixedList(p.getMixedHighPad(), op);
        const std::vector<hl::Expr> &src = dimsOf(p.getSource(), op);
        for (int64_t k = 0; k < t.getRank(); ++k)
          derived[k] = src[k] + low[k] + high[k];
      })
      .Case([&](tensor::ConcatOp c) {
        derived = dimsOf(c.getInputs()[0], op);
        hl::Expr sum = 0;
        for (Value in : c.getInputs())
          sum = sum + dimOf(in, c.getDim(), op);
        derived[c.getDim()] = sum;
      })
      .Case([&](tensor::CollapseShapeOp c) {
        const std::vector<hl::Expr> &src = dimsOf(c.getSrc(), op);
        for (auto [g, group] : llvm::enumerate(c.getReassociationIndices())) {
          hl::Expr n = 1;
          for (int64_t d : group)
            n = n * src[d];
          derived[g] = n;
        }
      })
      .Case([&](tensor::ExpandShapeOp e) {
        derived = mixedList(e.getMixedOutputShape(), op);
      })
      .Case([&](tensor::CastOp c) { derived = dimsOf(c.getSource(), op); })
      .Default([&](Operation *o) {
        unsupported(o, "dynamic result shape of op '" +
                           o->getName().getStringRef().str() + "'");
      });
  for (int64_t k = 0; k < t.getRank(); ++k)
    if (!dims[k].defined())
      dims[k] = hl::Internal::simplify(derived[k]);
  return dims;
}

void Translator::translateOp(Operation *op) {
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](arith::ConstantOp c) {
        if (isa<RankedTensorType>(c.getType()))
          translateConstantTensor(c);
        else
          scalars[c.getResult()] = constantExpr(c.getValue(), c.getType(), op);
      })
      .Case([&](tensor::EmptyOp e) {
        tensors[e.getResult()] = {hl::Func(), tensorType(e.getResult()),
                                  false, shapeOf(e.getResult())};
      })
      .Case([&](tensor::DimOp d) {
        std::optional<int64_t> k = d.getConstantIndex();
        if (!k)
          unsupported(op, "tensor.dim of a dynamic dim index");
        scalars[d.getResult()] = dimOf(d.getSource(), *k, op);
      })
      .Case([&](tensor::CastOp c) {
        if (!tensors.count(c.getSource()))
          unsupported(op, "operand is not produced inside the kernel");
        TensorFunc tf = tensors[c.getSource()];
        tf.type = tensorType(c.getResult());
        tf.dims = shapeOf(c.getResult());
        tensors[c.getResult()] = tf;
      })
      .Case([&](affine::AffineApplyOp a) {
        scalars[a.getResult()] =
            affineOp(a.getAffineMap(), a.getMapOperands(), op, false);
      })
      .Case([&](affine::AffineMinOp a) {
        scalars[a.getResult()] =
            affineOp(a.getAffineMap(), a.getMapOperands(), op, false);
      })
      .Case([&](affine::AffineMaxOp a) {
        scalars[a.getResult()] =
            affineOp(a.getAffineMap(), a.getMapOperands(), op, true);
      })
      .Case([&](linalg::FillOp f) {
        hl::Expr v = scalar(f.getInputs()[0], op);
        define(f.getResult(0), [&](const std::vector<hl::Expr> &) { return v; },
               "fill");
      })
      .Case([&](linalg::GenericOp g) { translateGeneric(g); })
      .Case([&](tensor::CollapseShapeOp c) {
        translateReshape(c.getResult(), c.getSrc(), op);
      })
      .Case([&](tensor::ExpandShapeOp e) {
        translateReshape(e.getResult(), e.getSrc(), op);
      })
      .Case([&](tensor::ReshapeOp r) {
        translateReshape(r.getResult(), r.getSource(), op);
      })
      .Case([&](tensor::PadOp p) {
        RankedTensorType src = tensorType(p.getSource());
        auto low = p.getStaticLow(), high = p.getStaticHigh();
        bool dynamic = !src.hasStaticShape();
        for (int64_t v : llvm::concat<const int64_t>(low, high))
          dynamic |= ShapedType::isDynamic(v);
        auto yield = cast<tensor::YieldOp>(p.getRegion().front().getTerminator());
        if (yield.getValue().getParentBlock() == &p.getRegion().front() &&
            yield.getValue().getDefiningOp() &&
            yield.getValue().getDefiningOp()->getBlock() ==
                &p.getRegion().front())
          unsupported(op, "padding value computed inside the pad region");
        hl::Expr padValue = scalar(yield.getValue(), op);
        if (dynamic) {
          std::vector<hl::Expr> lowE = mixedList(p.getMixedLowPad(), op);
          std::vector<hl::Expr> srcDims = dimsOf(p.getSource(), op);
          define(
              p.getResult(),
              [&](const std::vector<hl::Expr> &idx) {
                hl::Expr inside = hl::Internal::const_true();
                std::vector<hl::Expr> srcIdx;
                for (int64_t k = 0; k < src.getRank(); ++k) {
                  hl::Expr s = idx[k] - lowE[k];
                  inside = inside && s >= 0 && s < srcDims[k];
                  srcIdx.push_back(
                      hl::clamp(s, 0, hl::max(srcDims[k] - 1, 0)));
                }
                return hl::select(inside, at(p.getSource(), srcIdx, op),
                                  padValue);
              },
              "pad");
          return;
        }
        // A pad folded into the reduction reading it is computed per task
        // of that reduction (ScheduledReduction::paddedInputs).
        if (isFoldedPad(p))
          foldedPads.insert(p.getResult());
        define(
            p.getResult(),
            [&](const std::vector<hl::Expr> &idx) {
              hl::Expr inside = hl::Internal::const_true();
              std::vector<hl::Expr> srcIdx;
              for (int64_t k = 0; k < src.getRank(); ++k) {
                hl::Expr s = idx[k] - (int32_t)low[k];
                inside = inside && s >= 0 && s < (int32_t)src.getDimSize(k);
                srcIdx.push_back(
                    hl::clamp(s, 0, (int32_t)src.getDimSize(k) - 1));
              }
              // likely(): Halide partitions the loops into the borders and
              // a steady state where the clamps vanish (dense vector loads).
              return hl::select(inside,
                                hl::likely(at(p.getSource(), srcIdx, op)),
                                padValue);
            },
            "pad");
      })
      .Case([&](tensor::ExtractSliceOp s) {
        RankedTensorType src = tensorType(s.getSource());
        auto offsets = s.getStaticOffsets(), strides = s.getStaticStrides();
        llvm::SmallBitVector dropped = s.getDroppedDims();
        if (!s.getOffsets().empty() || !s.getStrides().empty()) {
          std::vector<hl::Expr> off = mixedList(s.getMixedOffsets(), op);
          std::vector<hl::Expr> str = mixedList(s.getMixedStrides(), op);
          define(
              s.getResult(),
              [&](const std::vector<hl::Expr> &idx) {
                std::vector<hl::Expr> srcIdx;
                size_t r = 0;
                for (int64_t k = 0; k < src.getRank(); ++k) {
                  hl::Expr i = dropped.test(k) ? hl::Expr(0) : idx[r++];
                  srcIdx.push_back(off[k] + i * str[k]);
                }
                return at(s.getSource(), srcIdx, op);
              },
              "slice");
          return;
        }
        define(
            s.getResult(),
            [&](const std::vector<hl::Expr> &idx) {
              std::vector<hl::Expr> srcIdx;
              size_t r = 0;
              for (int64_t k = 0; k < src.getRank(); ++k) {
                hl::Expr i = dropped.test(k) ? hl::Expr(0) : idx[r++];
                srcIdx.push_back((int32_t)offsets[k] + i * (int32_t)strides[k]);
              }
              return at(s.getSource(), srcIdx, op);
            },
            "slice");
      })
      .Case([&](tensor::InsertSliceOp s) {
        RankedTensorType dst = tensorType(s.getDest());
        auto offsets = s.getStaticOffsets(), strides = s.getStaticStrides();
        auto sizes = s.getStaticSizes();
        llvm::SmallBitVector dropped = s.getDroppedDims();
        bool destDefined = tensors.count(s.getDest()) &&
                           tensors[s.getDest()].defined;
        if (!s.getOffsets().empty() || !s.getSizes().empty() ||
            !s.getStrides().empty()) {
          std::vector<hl::Expr> off = mixedList(s.getMixedOffsets(), op);
          std::vector<hl::Expr> str = mixedList(s.getMixedStrides(), op);
          std::vector<hl::Expr> size = mixedList(s.getMixedSizes(), op);
          define(
              s.getResult(),
              [&](const std::vector<hl::Expr> &idx) {
                hl::Expr inside = hl::Internal::const_true();
                std::vector<hl::Expr> srcIdx;
                for (int64_t k = 0; k < dst.getRank(); ++k) {
                  hl::Expr rel = idx[k] - off[k];
                  // Strides are >= 1 (Halide divides by 0 as 0).
                  inside = inside && rel >= 0 && rel % str[k] == 0 &&
                           rel / str[k] < size[k];
                  if (!dropped.test(k))
                    srcIdx.push_back(hl::clamp(rel / str[k], 0,
                                               hl::max(size[k] - 1, 0)));
                }
                hl::Expr fromSource = at(s.getSource(), srcIdx, op);
                if (!destDefined)
                  return fromSource; // the slices cover the destination
                return hl::select(inside, fromSource,
                                  at(s.getDest(), idx, op));
              },
              "insert");
          return;
        }
        define(
            s.getResult(),
            [&](const std::vector<hl::Expr> &idx) {
              hl::Expr inside = hl::Internal::const_true();
              std::vector<hl::Expr> srcIdx;
              for (int64_t k = 0; k < dst.getRank(); ++k) {
                hl::Expr rel = idx[k] - (int32_t)offsets[k];
                inside = inside && rel >= 0 && rel % (int32_t)strides[k] == 0 &&
                         rel / (int32_t)strides[k] < (int32_t)sizes[k];
                if (!dropped.test(k))
                  srcIdx.push_back(hl::clamp(rel / (int32_t)strides[k], 0,
                                             (int32_t)sizes[k] - 1));
              }
              hl::Expr fromSource = at(s.getSource(), srcIdx, op);
              if (!destDefined)
                return fromSource; // the slices cover the destination
              return hl::select(inside, fromSource,
                                at(s.getDest(), idx, op));
            },
            "insert");
      })
      .Case([&](tensor::ConcatOp c) {
        int64_t dim = c.getDim();
        bool dynamic = llvm::any_of(c.getInputs(), [&](Value in) {
          return tensorType(in).isDynamicDim(dim);
        });
        if (dynamic) {
          define(
              c.getResult(),
              [&](const std::vector<hl::Expr> &idx) {
                // Select chain: a later input wins from its start on (an
                // empty input's start is the next one's).
                hl::Expr start = 0, e;
                for (Value in : c.getInputs()) {
                  hl::Expr size = dimOf(in, dim, op);
                  std::vector<hl::Expr> inIdx = idx;
                  inIdx[dim] =
                      hl::clamp(idx[dim] - start, 0, hl::max(size - 1, 0));
                  hl::Expr v = at(in, inIdx, op);
                  e = e.defined()
                          ? hl::select(idx[dim] >= start && size > 0, v, e)
                          : v;
                  start = start + size;
                }
                return e;
              },
              "concat");
          return;
        }
        define(
            c.getResult(),
            [&](const std::vector<hl::Expr> &idx) {
              // Select chain: a later input wins from its start on.
              std::vector<int32_t> starts;
              int32_t start = 0;
              for (Value in : c.getInputs()) {
                starts.push_back(start);
                start += (int32_t)tensorType(in).getDimSize(dim);
              }
              hl::Expr e;
              for (size_t i = 0; i < c.getInputs().size(); ++i) {
                Value in = c.getInputs()[i];
                int32_t size = (int32_t)tensorType(in).getDimSize(dim);
                if (size == 0)
                  continue;
                std::vector<hl::Expr> inIdx = idx;
                inIdx[dim] = hl::clamp(idx[dim] - starts[i], 0, size - 1);
                hl::Expr v = at(in, inIdx, op);
                e = e.defined() ? hl::select(idx[dim] >= starts[i], v, e) : v;
              }
              return e;
            },
            "concat");
      })
      .Case([&](tensor::ExtractOp e) {
        std::vector<hl::Expr> idx;
        for (Value v : e.getIndices())
          idx.push_back(scalar(v, op));
        scalars[e.getResult()] = at(e.getTensor(), idx, op);
      })
      .Case([&](tensor::FromElementsOp f) {
        // A small tensor of scalars (a shape value computed from the push
        // constants): element i of the row-major order is elements[i].
        RankedTensorType t = f.getType();
        std::vector<hl::Expr> elements;
        for (Value v : f.getElements())
          elements.push_back(scalar(v, op));
        define(
            f.getResult(),
            [&](const std::vector<hl::Expr> &idx) {
              hl::Expr linear = 0;
              for (int64_t k = 0; k < t.getRank(); ++k)
                linear = linear * (int32_t)t.getDimSize(k) + idx[k];
              hl::Expr e = elements.back();
              for (size_t i = elements.size() - 1; i-- > 0;)
                e = hl::select(linear == (int32_t)i, elements[i], e);
              return e;
            },
            "from_elements");
      })
      .Case([&](func::ReturnOp) {})
      .Default([&](Operation *o) {
        // Scalar arith/math ops between tensor ops.
        if (o->getNumResults() == 1 &&
            !isa<ShapedType>(o->getResult(0).getType()) &&
            (isa<arith::ArithDialect, math::MathDialect>(o->getDialect()))) {
          llvm::DenseMap<Value, hl::Expr> none;
          checksAllowed = true;
          scalars[o->getResult(0)] = translateBody(*o, none, {});
          finishChecks({}, {});
          return;
        }
        unsupported(o, "op '" + o->getName().getStringRef().str() +
                           "' is not supported by the Halide kernel emitter");
      });
}

/// The push constant of each `?` dim of kernel argument (or result) `attrs`
/// (aicc.dynamic_dims), checked against `t` and the number of push
/// constants.
static std::vector<int64_t> dynamicDimsOf(DictionaryAttr attrs,
                                          RankedTensorType t,
                                          int64_t numPush, Operation *where,
                                          const std::string &what) {
  std::vector<int64_t> dims;
  if (t.hasStaticShape())
    return dims;
  auto attr = attrs ? attrs.getAs<DenseI64ArrayAttr>(kDynamicDimsAttr)
                    : DenseI64ArrayAttr();
  if (!attr)
    unsupported(where, what + " has dynamic dims but no " +
                           kDynamicDimsAttr.str() + " attribute");
  if ((int64_t)attr.size() != (int64_t)t.getNumDynamicDims())
    unsupported(where, what + ": " + kDynamicDimsAttr.str() +
                           " must name one push constant per dynamic dim");
  for (int64_t p : attr.asArrayRef()) {
    if (p < 0 || p >= numPush)
      unsupported(where, what + ": " + kDynamicDimsAttr.str() + " names push "
                             "constant " + std::to_string(p) +
                             ", the kernel has " + std::to_string(numPush));
    dims.push_back(p);
  }
  return dims;
}

void Translator::run(std::vector<hl::ImageParam> &inputs,
                     std::vector<hl::Param<int32_t>> &pushConstants,
                     std::vector<hl::Func> &outputs,
                     std::vector<RankedTensorType> &outputTypes) {
  // Trailing index arguments: the push constants, int32 scalars in
  // [0, 2^31 - 1] (the entry point checks the range).
  unsigned numArgs = kernel.getNumArguments(), firstPush = numArgs;
  while (firstPush > 0 &&
         kernel.getArgument(firstPush - 1).getType().isIndex())
    --firstPush;
  std::vector<hl::Expr> pushExprs;
  for (unsigned i = firstPush; i < numArgs; ++i) {
    hl::Param<int32_t> p(uniqueName("push"));
    p.set_range(0, INT32_MAX);
    pushConstants.push_back(p);
    pushExprs.push_back(p);
    scalars[kernel.getArgument(i)] = p;
  }
  int64_t numPush = pushExprs.size();
  for (BlockArgument arg : kernel.getArguments().take_front(firstPush)) {
    RankedTensorType t = tensorType(arg);
    hl::Type ht = halideType(t.getElementType(), kernel);
    hl::ImageParam p(ht.is_bool() ? hl::UInt(8) : ht, (int)t.getRank(),
                     uniqueName("in"));
    std::vector<hl::Expr> dims(t.getRank());
    if (t.hasStaticShape()) {
      // Static shapes: dense strides and exact bounds let Halide vectorize
      // and drop bounds checks.
      int32_t stride = 1;
      for (int k = 0; k < (int)t.getRank(); ++k) {
        int32_t extent = (int32_t)t.getDimSize(t.getRank() - 1 - k);
        p.dim(k).set_bounds(0, extent).set_stride(stride);
        stride *= extent;
        dims[t.getRank() - 1 - k] = hl::Expr(extent);
      }
    } else {
      // Dynamic shapes: the extents are the push constants the entry point
      // built the buffer from, the strides dense.
      std::vector<int64_t> dyn = dynamicDimsOf(
          kernel.getArgAttrDict(arg.getArgNumber()), t, numPush, kernel,
          "kernel argument " + std::to_string(arg.getArgNumber()));
      hl::Expr stride = 1;
      for (int k = 0; k < (int)t.getRank(); ++k) {
        int64_t d = t.getRank() - 1 - k;
        hl::Expr extent =
            t.isDynamicDim(d) ? pushExprs[dyn[t.getDynamicDimIndex(d)]]
                              : hl::Expr((int32_t)t.getDimSize(d));
        p.dim(k).set_bounds(0, extent).set_stride(stride);
        stride = hl::Internal::simplify(stride * extent);
        dims[d] = extent;
      }
    }
    inputs.push_back(p);
    params.try_emplace(arg, p);
    hl::Func f(uniqueName("arg"));
    std::vector<hl::Var> vars = makeVars(t.getRank());
    hl::Expr e = vars.empty() ? hl::Expr(p())
                              : hl::Expr(p(reversed(std::vector<hl::Expr>(
                                    vars.begin(), vars.end()))));
    if (ht.is_bool())
      e = e != 0;
    if (vars.empty())
      f() = e;
    else
      f(reversed(vars)) = e;
    tensors[arg] = {f, t, true, dims};
  }
  for (Operation &op : kernel.getBody().front())
    translateOp(&op);
  auto ret = cast<func::ReturnOp>(kernel.getBody().front().getTerminator());
  llvm::DenseSet<void *> used;
  for (Value v : ret.getOperands()) {
    TensorFunc &tf = lookup(v, ret);
    hl::Func out = tf.func;
    bool isArg = isa<BlockArgument>(v);
    bool boolType = tf.type.getElementType().isInteger(1);
    // Outputs must be distinct Funcs defined by this kernel; bools are
    // stored as uint8.
    if (isArg || used.count(out.function().get_contents().get()) || boolType) {
      hl::Func copy(uniqueName("out"));
      std::vector<hl::Var> vars = makeVars(tf.type.getRank());
      std::vector<hl::Expr> idx(vars.begin(), vars.end());
      hl::Expr e = idx.empty() ? hl::Expr(out()) : hl::Expr(out(reversed(idx)));
      if (boolType)
        e = hl::cast(hl::UInt(8), e);
      if (vars.empty())
        copy() = e;
      else
        copy(reversed(vars)) = e;
      out = copy;
    }
    used.insert(out.function().get_contents().get());
    outputs.push_back(out);
    outputTypes.push_back(tf.type);
  }
}

/// Halide compiles floating point with fast-math assumptions (no NaN or
/// infinity, free reassociation) unless told otherwise. Kernels whose result
/// depends on IEEE special values (NaN-propagating max/min, comparisons,
/// isnan/isinf, fmod, infinite constants) are compiled strictly; pure
/// multiply-add kernels (conv, matmul) keep FMA contraction.
bool needsStrictFloat(func::FuncOp kernel) {
  return kernel
      .walk([&](Operation *op) {
        return dependsOnIeeeSpecials(op) ? WalkResult::interrupt()
                                         : WalkResult::advance();
      })
      .wasInterrupted();
}

/// A kernel with a reduction (a conv or matmul with a fused epilogue) keeps
/// FMA contraction for it: only the epilogue's IEEE-dependent ops (ReLU's
/// NaN-propagating max) are computed strictly, each through
/// Halide::strict_float, instead of the whole kernel.
bool hasReduction(func::FuncOp kernel) {
  return kernel
      .walk([&](linalg::LinalgOp op) {
        return op.getNumReductionLoops() ? WalkResult::interrupt()
                                         : WalkResult::advance();
      })
      .wasInterrupted();
}

/// An error Halide reported through ReportCollector.
struct HalideReported {
  std::string message;
};

/// Installed while a kernel compiles: Halide's errors become HalideReported
/// exceptions and its warnings are collected, so that a pipeline Halide
/// knows will fail at run time ("This pipeline is guaranteed to fail an
/// assertion at runtime") fails the compilation instead of only printing.
class ReportCollector final : public hl::CompileTimeErrorReporter {
public:
  ReportCollector() { hl::set_custom_compile_time_error_reporter(this); }
  ~ReportCollector() override {
    hl::set_custom_compile_time_error_reporter(nullptr);
  }
  ReportCollector(const ReportCollector &) = delete;
  ReportCollector &operator=(const ReportCollector &) = delete;

  void warning(const char *msg) override { warnings.emplace_back(msg); }
  [[noreturn]] void error(const char *msg) override {
    throw HalideReported{msg};
  }

  /// The first warning that means the kernel cannot run, or "".
  std::string fatalWarning() const {
    for (const std::string &w : warnings)
      if (w.find("guaranteed to fail") != std::string::npos)
        return w;
    return "";
  }

  std::vector<std::string> warnings;
};

/// The kernel's tensor (argument, result or intermediate) with the most
/// elements, and that count; a null type when all are dynamic or scalar.
std::pair<RankedTensorType, int64_t> largestTensor(func::FuncOp kernel) {
  std::pair<RankedTensorType, int64_t> best{nullptr, 0};
  auto consider = [&](Type type) {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t || !t.hasStaticShape())
      return;
    int64_t elements = 1;
    for (int64_t d : t.getShape())
      if (llvm::MulOverflow(elements, d, elements))
        elements = INT64_MAX;
    if (elements > best.second)
      best = {t, elements};
  };
  for (Type t : kernel.getArgumentTypes())
    consider(t);
  for (Type t : kernel.getResultTypes())
    consider(t);
  kernel.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      consider(t);
  });
  return best;
}

/// Halide's constant folder reports signed int32/int64 overflow in its own
/// words ("Signed integer overflow occurred during constant-folding"),
/// which name nothing the user wrote. It is reached when a tensor is so
/// close to the 2^31 - 1 elements Halide addresses that rounding its loops
/// up to whole vectors or tiles overflows int32, or when integer constants
/// of the kernel overflow when combined (or shift by the type's width). Says which, for the kernel's error;
/// "" for any other Halide message.
std::string explainHalideOverflow(StringRef message, func::FuncOp kernel) {
  if (!message.contains_insensitive("signed integer overflow"))
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  auto [type, elements] = largestTensor(kernel);
  if (type && elements > INT32_MAX / 2) {
    os << "its index arithmetic overflows int32: tensor " << type << " has "
       << elements
       << " elements, too close to the 2^31 - 1 that Halide kernels address "
          "once loops are rounded up to whole vectors and tiles";
  } else {
    os << "Halide's constant folding found a signed int32/int64 overflow "
          "(or a shift by the type's width or more) in its integer "
          "arithmetic, which is undefined in Halide kernels";
  }
  return s;
}

} // namespace

FailureOr<CompiledKernel>
compileKernelWithHalide(func::FuncOp kernel, const std::string &functionName,
                        const std::string &objectPath,
                        const HalideCompileOptions &options) {
  // Named linalg ops become linalg.generic first.
  {
    IRRewriter rewriter(kernel.getContext());
    SmallVector<linalg::LinalgOp> named;
    kernel.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::GenericOp>(op))
        named.push_back(op);
    });
    for (linalg::LinalgOp op : named) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op)))
        return kernel.emitError("cannot generalize ")
               << op->getName() << " for the Halide kernel emitter";
    }
  }
  CompiledKernel result;
  result.functionName = functionName;
  ReportCollector reports;
  try {
    const SchedulePolicy &policy = *options.policy;
    Translator translator(kernel, policy);
    translator.strictPerOp = hasReduction(kernel);
    std::vector<hl::ImageParam> inputs;
    std::vector<hl::Param<int32_t>> pushConstants;
    std::vector<hl::Func> outputs;
    std::vector<RankedTensorType> outputTypes;
    translator.run(inputs, pushConstants, outputs, outputTypes);
    int64_t numPush = pushConstants.size();
    result.numPushConstants = numPush;
    for (BlockArgument arg : kernel.getArguments().drop_back(numPush)) {
      auto t = cast<RankedTensorType>(arg.getType());
      result.buffers.push_back(bufferDesc(
          t, kernel,
          dynamicDimsOf(kernel.getArgAttrDict(arg.getArgNumber()), t, numPush,
                        kernel,
                        "kernel argument " +
                            std::to_string(arg.getArgNumber()))));
    }
    std::vector<ScheduledFunc> scheduled;
    for (auto [i, f, t] : llvm::enumerate(outputs, outputTypes)) {
      // The kernel's declared result type (the returned value's may be
      // more static).
      auto declared =
          dyn_cast<RankedTensorType>(kernel.getResultTypes()[i]);
      if (!declared)
        unsupported(kernel, "kernel results must be ranked tensors");
      std::vector<int64_t> dyn =
          dynamicDimsOf(kernel.getResultAttrDict(i), declared, numPush,
                        kernel, "kernel result " + std::to_string(i));
      result.buffers.push_back(bufferDesc(declared, kernel, dyn));
      HalideBufferDesc &d = result.buffers.back();
      std::vector<int> extents;
      if (declared.hasStaticShape()) {
        int32_t stride = 1;
        for (int k = 0; k < (int)d.extents.size(); ++k) {
          f.output_buffer().dim(k).set_bounds(0, d.extents[k]).set_stride(
              stride);
          stride *= d.extents[k];
        }
        extents.assign(d.extents.begin(), d.extents.end());
      } else {
        hl::Expr stride = 1;
        for (int k = 0; k < (int)d.extents.size(); ++k) {
          hl::Expr extent =
              d.extents[k] >= 0 ? hl::Expr(d.extents[k])
                                : hl::Expr(pushConstants[-1 - d.extents[k]]);
          f.output_buffer().dim(k).set_bounds(0, extent).set_stride(stride);
          stride = hl::Internal::simplify(stride * extent);
          extents.push_back(d.extents[k] >= 0 ? d.extents[k]
                                              : kDynamicExtent);
        }
      }
      scheduled.push_back({f, extents});
    }
    for (const ScheduledFunc &p : translator.packs)
      policy.scheduleFunc(p, /*isOutput=*/false, options.naiveSchedule);
    // Run-time checks: one more output, the kernel's status (the largest
    // failing KernelStatus code). A check runs over the loops its condition
    // uses, reduced into 16 lanes (a vector over the innermost loop, which
    // reads its inputs densely), then across the lanes; the entry point
    // turns a non-zero status into an error.
    if (!translator.checks.empty()) {
      hl::Func status("status");
      status() = hl::Expr(int32_t(0));
      int n = 0;
      for (const Translator::Check &c : translator.checks) {
        // A check that reads a reduction is left out: the schedule may
        // compute the reduction inside its consumer's tiles (a fused
        // epilogue), out of the status loop's reach.
        if (llvm::any_of(translator.reductions,
                         [&](const ScheduledReduction &r) {
                           return callsFunc(c.bad, r.func.name()) ||
                                  (r.result.defined() &&
                                   callsFunc(c.bad, r.result.name()));
                         }))
          continue;
        std::vector<std::string> vars;
        std::vector<hl::Expr> extents;
        for (auto [v, e] : llvm::zip(c.loops, c.extents))
          if (hl::Internal::expr_uses_var(c.bad, v)) {
            vars.push_back(v);
            extents.push_back(e);
          }
        if (vars.empty()) {
          status() = hl::max(status(), c.bad);
          continue;
        }
        int rank = vars.size();
        std::optional<int64_t> static0 =
            hl::Internal::as_const_int(extents.back());
        // A dynamic innermost extent: 16 lanes, the last chunk guarded.
        int lanes = !static0 || *static0 >= 16 ? 16 : 1;
        hl::Expr extent0 =
            static0 ? hl::Expr((int)*static0) : extents.back();
        hl::Expr chunks =
            static0 ? hl::Expr((int)((*static0 + lanes - 1) / lanes))
                    : (extent0 + (lanes - 1)) / lanes;
        // RDom: the chunks of the innermost loop, then the outer loops.
        std::vector<hl::Range> ranges = {hl::Range(0, chunks)};
        for (int k = rank - 2; k >= 0; --k)
          ranges.emplace_back(0, extents[k]);
        hl::RDom r(ranges);
        hl::Var lane("lane");
        hl::Expr inner = r[0] * lanes + lane;
        hl::Expr e = hl::Internal::substitute(
            vars.back(),
            static0 ? hl::min(inner, (int)*static0 - 1)
                    : hl::min(inner, hl::max(extent0 - 1, 0)),
            c.bad);
        for (int k = rank - 2, d = 1; k >= 0; --k, ++d)
          e = hl::Internal::substitute(vars[k], r[d], e);
        if (!static0 || *static0 % lanes)
          e = hl::select(inner < extent0, e, hl::Expr(int32_t(0)));
        hl::Func partial("check_" + std::to_string(n++));
        partial(lane) = hl::Expr(int32_t(0));
        partial(lane) = hl::max(partial(lane), e);
        partial.compute_root();
        if (lanes > 1 && !options.naiveSchedule) {
          partial.bound(lane, 0, lanes).vectorize(lane);
          partial.update().vectorize(lane);
        }
        hl::RDom acrossLanes(0, lanes);
        status() = hl::max(status(), partial(acrossLanes));
      }
      outputs.push_back(status);
      result.hasStatus = true;
    }
    policy.scheduleKernel(scheduled, translator.reductions,
                          options.naiveSchedule);
    // Push constants first (see CompiledKernel::numPushConstants).
    std::vector<hl::Argument> args(pushConstants.begin(), pushConstants.end());
    args.insert(args.end(), inputs.begin(), inputs.end());
    hl::Target target(options.target);
    target = target.with_feature(hl::Target::UserContext)
                 .with_feature(hl::Target::NoRuntime)
                 .with_feature(hl::Target::NoAsserts)
                 .with_feature(hl::Target::NoBoundsQuery);
    if (!translator.strictPerOp && needsStrictFloat(kernel))
      target = target.with_feature(hl::Target::StrictFloat);
    hl::Pipeline pipeline(outputs);
    pipeline.add_custom_lowering_pass(new IssueRepeatedPrefetchesOnce);
    if (options.emitBitcode)
      pipeline.compile_to_bitcode(objectPath, args, functionName, target);
    else
      pipeline.compile_to_object(objectPath, args, functionName, target);
    // Debugging aid: AICC_HALIDE_STMT_DIR=<dir> writes each kernel's
    // lowered Halide statement (loops, vectors, allocations).
    if (const char *dir = getenv("AICC_HALIDE_STMT_DIR"))
      pipeline.compile_to_lowered_stmt(std::string(dir) + "/" +
                                           kernel.getSymName().str() +
                                           ".stmt",
                                       args, hl::StmtOutputFormat::Text,
                                       target);
    // AICC_HALIDE_ASM_DIR=<dir> writes each kernel's assembly (which
    // instructions the patterns became, e.g. vdpbf16ps for bf16 dot
    // products).
    if (const char *dir = getenv("AICC_HALIDE_ASM_DIR"))
      pipeline.compile_to_assembly(std::string(dir) + "/" +
                                       kernel.getSymName().str() + ".s",
                                   args, functionName, target);
  } catch (const Unsupported &u) {
    InFlightDiagnostic d = u.op->emitError(u.message);
    return failure();
  } catch (const HalideReported &e) {
    if (std::string why = explainHalideOverflow(e.message, kernel);
        !why.empty()) {
      kernel.emitError("cannot compile kernel '")
          << kernel.getSymName() << "': " << why;
      return failure();
    }
    kernel.emitError("Halide failed on kernel '")
        << kernel.getSymName() << "': " << StringRef(e.message).trim();
    return failure();
  } catch (const hl::Error &e) {
    if (std::string why = explainHalideOverflow(e.what(), kernel);
        !why.empty()) {
      kernel.emitError("cannot compile kernel '")
          << kernel.getSymName() << "': " << why;
      return failure();
    }
    kernel.emitError("Halide failed on kernel '")
        << kernel.getSymName() << "': " << e.what();
    return failure();
  }
  if (std::string w = reports.fatalWarning(); !w.empty()) {
    kernel.emitError("kernel '")
        << kernel.getSymName()
        << "' would fail at run time: " << StringRef(w).trim();
    return failure();
  }
  // Other warnings reach the user as Halide printed them, but for the
  // widening of bf16/f16 loads to f32 (--precision), which x86 has no
  // instruction for and Halide does with a shift or a conversion: expected,
  // and cheap.
  for (const std::string &w : reports.warnings)
    if (!StringRef(w).contains("(b)float16 type operation is emulated"))
      llvm::errs() << w;
  return result;
}

} // namespace aicc::halidegen
