//===- PoolKernels.cpp - Max pools as separable row and column maxima -----===//
//
// See PoolKernels.h.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/PoolKernels.h"
#include "targets/avx512/AmxKernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <Halide.h>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace hl = Halide;
using namespace mlir;

namespace aicc::avx512 {

using halidegen::ScheduledFunc;
using halidegen::ScheduledReduction;

namespace {

/// Names of the Funcs defineSeparableMaxPool makes (the schedule finds them
/// by these prefixes).
constexpr llvm::StringLiteral kPoolPrefix = "pool_max";
constexpr llvm::StringLiteral kRowsPrefix = "pool_rows";

/// The largest window side taken (the maxima are unrolled expressions).
constexpr int64_t kMaxWindow = 7;

/// Parallel tasks over a pool's channels (times images): ResNet-50's 64
/// channels in tasks of 8.
constexpr int kTasks = 8;

/// `e` as `a * d<outer> + b * d<inner>` (either coefficient may be 0, `d`
/// alone is a coefficient of 1): {a, b}, or none for other forms.
std::optional<std::pair<int64_t, int64_t>>
linearIn(AffineExpr e, unsigned outer, unsigned inner) {
  int64_t a = 0, b = 0;
  bool ok = true;
  std::function<void(AffineExpr, int64_t)> walk = [&](AffineExpr x,
                                                      int64_t scale) {
    if (auto d = dyn_cast<AffineDimExpr>(x)) {
      if (d.getPosition() == outer)
        a += scale;
      else if (d.getPosition() == inner)
        b += scale;
      else
        ok = false;
      return;
    }
    auto bin = dyn_cast<AffineBinaryOpExpr>(x);
    if (bin && bin.getKind() == AffineExprKind::Add) {
      walk(bin.getLHS(), scale);
      walk(bin.getRHS(), scale);
      return;
    }
    if (bin && bin.getKind() == AffineExprKind::Mul) {
      if (auto c = dyn_cast<AffineConstantExpr>(bin.getRHS()))
        return walk(bin.getLHS(), scale * c.getValue());
      if (auto c = dyn_cast<AffineConstantExpr>(bin.getLHS()))
        return walk(bin.getRHS(), scale * c.getValue());
    }
    ok = false;
  };
  walk(e, 1);
  if (!ok || a <= 0 || b <= 0)
    return std::nullopt;
  return std::make_pair(a, b);
}

/// Whether `v` is a linalg.fill of -inf, or its generalized form
/// (isConstantFill).
bool isNegativeInfinityFill(Value v) {
  return isConstantFill(v, [](Value c) {
    auto cst = c.getDefiningOp<arith::ConstantOp>();
    auto f = cst ? dyn_cast<FloatAttr>(cst.getValue()) : FloatAttr();
    return f && f.getValue().isInfinity() && f.getValue().isNegative();
  });
}

/// NaN-propagating maximum of `values`, as the translator's arith.maximumf
/// (NaN where any value is NaN).
hl::Expr nanMax(const std::vector<hl::Expr> &values) {
  hl::Expr m = values[0], nan = hl::is_nan(values[0]);
  for (size_t i = 1; i < values.size(); ++i) {
    m = hl::max(m, values[i]);
    nan = nan || hl::is_nan(values[i]);
  }
  return hl::select(nan, hl::cast(m.type(), hl::Expr(NAN)), m);
}

/// Schedules `f` (the pool's result, or the output reading it element for
/// element; dims x, y, c, n) in vectors along x, one task per kTasks-th of
/// its channels x images, the row maxima per output row (the pad inlined
/// into them). `f` is computed at root unless it is an output.
void schedulePoolTiles(hl::Func f, const std::vector<int> &ext, hl::Func rows,
                       bool isOutput) {
  if (!isOutput)
    f.compute_root();
  std::vector<hl::Var> v = f.args();
  const int lanes = 16;
  hl::Var xo("xo"), xi("xi"), cn("cn"), task("task"), inTask("in_task");
  f.split(v[0], xo, xi, lanes, hl::TailStrategy::ShiftInwards).vectorize(xi);
  f.reorder(xi, xo, v[1], v[2], v[3]).fuse(v[2], v[3], cn);
  int64_t planes = (int64_t)ext[2] * ext[3];
  int perTask = (int)std::max<int64_t>(1, (planes + kTasks - 1) / kTasks);
  f.split(cn, task, inTask, perTask,
          planes % perTask ? hl::TailStrategy::GuardWithIf
                           : hl::TailStrategy::Auto);
  if (planes > 1)
    f.parallel(task);
  // Vectors aligned to the source's rows (rows is indexed by source
  // column): dense loads, and one vector over the left pad that Halide
  // folds to -inf. The pad itself stays inlined: computed into a buffer per
  // channel (whole, or a sliding window of rows) it measured slower than
  // the tiled reduction (0.107-0.127 vs 0.096 ms).
  rows.compute_at(f, v[1])
      .align_bounds(rows.args()[0], lanes)
      .vectorize(rows.args()[0], lanes);
}

} // namespace

bool isPaddedNchwPooling(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumDpsInputs() > 2)
    return false;
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() || outType.getRank() != 4 ||
      !outType.getElementType().isF32() || outType.getDimSize(3) < 16)
    return false;
  auto iterators = op.getIteratorTypesArray();
  if (iterators.size() != 6)
    return false;
  for (unsigned d = 0; d < 6; ++d)
    if ((iterators[d] == utils::IteratorType::reduction) != (d >= 4))
      return false;
  auto maps = op.getIndexingMapsArray();
  int images = 0;
  for (unsigned i = 0; i < op.getNumDpsInputs(); ++i) {
    bool image = false;
    for (unsigned d = 0; d < 4; ++d)
      image |= maps[i].isFunctionOfDim(d);
    if (!image)
      continue;
    ++images;
    auto c = dyn_cast<AffineDimExpr>(maps[i].getResult(1));
    if (maps[i].getNumResults() != 4 || !c || c.getPosition() != 1 ||
        !op.getDpsInputOperand(i)->get().getDefiningOp<tensor::PadOp>())
      return false;
  }
  return images == 1;
}

hl::Func defineSeparableMaxPool(
    linalg::GenericOp op, const std::vector<hl::Func> &inputs,
    const std::vector<std::optional<hl::ImageParam>> &params) {
  if (!isPaddedNchwPooling(op))
    return {};
  // The body: yield maximumf(in, out) (either order).
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1)
    return {};
  auto max = yield.getValues()[0].getDefiningOp<arith::MaximumFOp>();
  BlockArgument acc = body.getArgument(op.getNumDpsInputs());
  if (!max || max->getBlock() != &body || body.getOperations().size() != 2 ||
      !isNegativeInfinityFill(op.getDpsInitOperand(0)->get()))
    return {};
  Value other = max.getLhs() == acc ? max.getRhs() : max.getLhs();
  auto otherArg = dyn_cast<BlockArgument>(other);
  if ((max.getLhs() != acc && max.getRhs() != acc) || !otherArg ||
      otherArg.getOwner() != &body ||
      otherArg.getArgNumber() >= op.getNumDpsInputs())
    return {};
  unsigned image = otherArg.getArgNumber();
  AffineMap map = op.getMatchingIndexingMap(op.getDpsInputOperand(image));
  auto n = dyn_cast<AffineDimExpr>(map.getResult(0));
  if (!n || n.getPosition() != 0 || image >= inputs.size() ||
      !inputs[image].defined())
    return {};
  auto rowsMap = linearIn(map.getResult(2), 2, 4);
  auto colsMap = linearIn(map.getResult(3), 3, 5);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (!rowsMap || !colsMap || ranges[4] > kMaxWindow ||
      ranges[5] > kMaxWindow || ranges[4] < 1 || ranges[5] < 1)
    return {};
  auto [sy, dy] = *rowsMap;
  auto [sx, dx] = *colsMap;
  // The pad's left columns: the row maxima are indexed by source column
  // (u = padded column - left), so the schedule can align their vectors to
  // the source's rows (dense loads; the vectors over the left pad select
  // -inf throughout).
  auto padOp =
      op.getDpsInputOperand(image)->get().getDefiningOp<tensor::PadOp>();
  if (!padOp || padOp.getStaticLow().size() != 4 ||
      ShapedType::isDynamic(padOp.getStaticLow()[3]))
    return {};
  int left = (int)padOp.getStaticLow()[3];
  hl::Func padded = inputs[image];
  // Halide dims: x (columns), y (rows), c, n.
  hl::Var px("px"), x("x"), y("y"), c("c"), b("b");
  hl::Func rows{hl::Internal::unique_name(std::string(kRowsPrefix))};
  std::vector<hl::Expr> taps;
  for (int64_t ky = 0; ky < ranges[4]; ++ky)
    taps.push_back(padded(px + left, (int)sy * y + (int)(dy * ky), c, b));
  rows(px, y, c, b) = nanMax(taps);
  hl::Func pool{hl::Internal::unique_name(std::string(kPoolPrefix))};
  taps.clear();
  for (int64_t kx = 0; kx < ranges[5]; ++kx)
    taps.push_back(rows((int)sx * x + (int)(dx * kx) - left, y, c, b));
  pool(x, y, c, b) = nanMax(taps);
  return pool;
}

bool isSeparableMaxPool(const ScheduledReduction &r) {
  return r.func.defined() &&
         llvm::StringRef(r.func.name()).starts_with(kPoolPrefix);
}

std::optional<std::string>
scheduleSeparableMaxPool(const std::vector<ScheduledFunc> &outputs,
                         const std::vector<ScheduledReduction> &reductions,
                         bool naive) {
  const ScheduledReduction *r = nullptr;
  for (const ScheduledReduction &x : reductions)
    if (isSeparableMaxPool(x))
      r = &x;
  if (!r)
    return std::nullopt;
  auto isOutput = [&](const hl::Func &f) {
    return llvm::any_of(outputs, [&](const ScheduledFunc &o) {
      return o.func.name() == f.name();
    });
  };
  hl::Func result = r->result;
  if (naive) {
    if (!isOutput(result))
      result.compute_root();
    return result.name();
  }
  std::optional<hl::Func> rows;
  for (auto &[name, function] :
       hl::Internal::find_transitive_calls(r->func.function()))
    if (llvm::StringRef(name).starts_with(kRowsPrefix))
      rows = hl::Func(function);
  assert(rows && "a separable max pool computes its row maxima");
  // One output of the pool's shape (the pool, or an epilogue of it): tiled
  // itself, the pool inlined into it. Otherwise the pool is tiled (at root
  // unless an output) and the outputs are the caller's.
  const ScheduledFunc &o = outputs.front();
  if (outputs.size() == 1 && reductions.size() == 1 &&
      o.extents == r->extents && o.func.dimensions() == 4 &&
      o.func.outputs() == 1 && o.func.num_update_definitions() == 0) {
    schedulePoolTiles(o.func, r->extents, *rows, true);
    return o.func.name();
  }
  schedulePoolTiles(result, r->extents, *rows, isOutput(result));
  return result.name();
}

} // namespace aicc::avx512
