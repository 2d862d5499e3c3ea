//===- HalideSchedule.cpp - Schedules for translated kernels -------------===//
//
// Materialized Funcs get their innermost dim vectorized by one 512-bit
// register (16 fp32 lanes, 64 int8 lanes) and their outermost non-trivial
// dim parallel.
//
// Reductions (matmul, conv, pooling...) are computed in register tiles, the
// classic Halide matmul schedule: the pure copy consumers read is split into
// tiles of (2 vectors of the innermost dim) × (a few rows of the dim a
// broadcast operand varies with, e.g. output channels of a conv or rows of
// A in a matmul); the reduction is computed per tile with the reduction
// loops outside the fully unrolled tile, so its accumulators live in
// registers and each loaded vector feeds several FMAs.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/HalideSchedule.h"
#include "targets/avx512/VectorLayout.h"
#include "llvm/ADT/STLExtras.h"

namespace hl = Halide;

namespace aicc::avx512 {

using halidegen::ScheduledFunc;
using halidegen::ScheduledReduction;

namespace {

int lanesFor(const hl::Func &f) {
  return vectorLanesForBytes(f.types()[0].bytes());
}

/// Parallelizes the outermost dim with more than one iteration.
void parallelizeOutermost(hl::Stage stage, const std::vector<hl::Var> &vars,
                          const std::vector<int> &extents, int lanes) {
  int rank = vars.size();
  for (int k = rank - 1; k >= 1; --k) {
    if (extents[k] > 1) {
      stage.parallel(vars[k]);
      return;
    }
  }
  if (rank >= 1 && extents[0] >= 16 * lanes) {
    hl::Var outer("po"), inner("pi");
    stage.split(vars[0], outer, inner, 8 * lanes,
                hl::TailStrategy::GuardWithIf);
    stage.parallel(outer);
  }
}

void scheduleStage(hl::Stage stage, const std::vector<hl::Var> &vars,
                   int lanes, const std::vector<int> &extents) {
  if (vars.empty())
    return;
  if (extents[0] >= lanes)
    stage.vectorize(vars[0], lanes,
                    extents[0] % lanes ? hl::TailStrategy::GuardWithIf
                                       : hl::TailStrategy::Auto);
  parallelizeOutermost(stage, vars, extents, lanes);
}

} // namespace

int Avx512SchedulePolicy::registerTileDim(mlir::linalg::GenericOp op) const {
  return broadcastDim(op);
}

std::optional<unsigned>
Avx512SchedulePolicy::repackedInputDim(mlir::linalg::GenericOp op,
                                       unsigned input) const {
  return stridedVectorPosition(op, input);
}

void Avx512SchedulePolicy::scheduleFunc(const ScheduledFunc &sf,
                                        bool isOutput, bool naive) const {
  hl::Func f = sf.func;
  if (!isOutput)
    f.compute_root();
  if (naive)
    return;
  std::vector<hl::Var> vars = f.args();
  if (vars.size() != sf.extents.size())
    return;
  int lanes = lanesFor(f);
  scheduleStage(f, vars, lanes, sf.extents);
  for (int u = 0; u < f.num_update_definitions(); ++u)
    scheduleStage(f.update(u), vars, lanes, sf.extents);
}

namespace {

hl::TailStrategy tailFor(int extent, int factor) {
  return extent % factor == 0 ? hl::TailStrategy::Auto
                              : hl::TailStrategy::GuardWithIf;
}

/// Register-tiled reduction; `isOutput` says whether r.result is a kernel
/// output (else it is computed at root).
void scheduleReduction(const ScheduledReduction &r, bool isOutput) {
  hl::Func g = r.result, f = r.func;
  std::vector<hl::Var> vars = g.args();
  const std::vector<int> &ext = r.extents;
  int rank = vars.size();
  if (!isOutput)
    g.compute_root();
  // Scalars and empty outputs need no tiles.
  if (rank == 0 || (int)ext.size() != rank || llvm::is_contained(ext, 0)) {
    f.compute_at(g, hl::Var::outermost());
    return;
  }
  int lanes = lanesFor(g);
  // The vector dim: the innermost dim when it fills a register, else the
  // broadcast dim (e.g. output channels of a conv on a small image: its
  // weights become gathers, still far faster than scalar code).
  int v = 0;
  int u = r.unrollDim >= 1 && r.unrollDim < rank && ext[r.unrollDim] > 1
              ? r.unrollDim
              : -1;
  if (ext[0] < lanes && u >= 0 && ext[u] >= lanes)
    std::swap(v, u);
  bool vectorize = ext[v] >= lanes;
  int vt = vectorize && ext[v] >= 2 * lanes ? 2 : 1;
  int tileV = vectorize ? lanes * vt : ext[v];
  int tileU = u >= 0 ? std::min(ext[u], vt == 2 ? 4 : 8) : 1;

  hl::Var vo("vo"), vi("vi"), uo("uo"), ui("ui");
  std::vector<hl::VarOrRVar> order;
  g.split(vars[v], vo, vi, tileV, tailFor(ext[v], tileV));
  order.push_back(vi);
  if (u >= 0) {
    g.split(vars[u], uo, ui, tileU, tailFor(ext[u], tileU));
    order.push_back(ui);
  }
  order.push_back(vo);
  if (u >= 0)
    order.push_back(uo);
  // Remaining dims keep their order outside the tile.
  std::vector<int> outer;
  for (int k = 0; k < rank; ++k)
    if (k != u && k != v) {
      order.push_back(vars[k]);
      outer.push_back(k);
    }
  g.reorder(order);
  if (vectorize)
    g.vectorize(vi, lanes);
  if (u >= 0)
    g.unroll(ui);
  // Parallel: the outermost loop with more than one iteration.
  bool parallel = false;
  for (auto it = outer.rbegin(); it != outer.rend(); ++it)
    if (ext[*it] > 1) {
      g.parallel(vars[*it]);
      parallel = true;
      break;
    }
  if (!parallel && u >= 0 && ext[u] > tileU)
    g.parallel(uo);
  else if (!parallel && ext[v] > tileV)
    g.parallel(vo);

  f.compute_at(g, vo);
  // The accumulator tile is stored vector dim first so each accumulator is
  // one contiguous register.
  if (v != 0) {
    std::vector<hl::Var> storage = {vars[v]};
    for (int k = 0; k < rank; ++k)
      if (k != v)
        storage.push_back(vars[k]);
    f.reorder_storage(storage);
  }
  if (vectorize)
    f.vectorize(vars[v], lanes);
  if (u >= 0)
    f.unroll(vars[u]);
  std::vector<hl::VarOrRVar> updateOrder = {vars[v]};
  if (u >= 0)
    updateOrder.push_back(vars[u]);
  for (int d = 0; d < r.rdom.dimensions(); ++d)
    updateOrder.push_back(r.rdom[d]);
  for (int k = 0; k < rank; ++k)
    if (k != u && k != v)
      updateOrder.push_back(vars[k]);
  hl::Stage update = f.update();
  update.reorder(updateOrder);
  if (vectorize) {
    update.vectorize(vars[v], lanes);
    if (vt > 1)
      update.unroll(vars[v]);
  }
  if (u >= 0)
    update.unroll(vars[u]);
}

} // namespace

void Avx512SchedulePolicy::scheduleKernel(
    const std::vector<ScheduledFunc> &outputs,
    const std::vector<ScheduledReduction> &reductions, bool naive) const {
  auto isOutput = [&](const hl::Func &f) {
    return f.defined() &&
           llvm::any_of(outputs, [&](const ScheduledFunc &o) {
             return o.func.name() == f.name();
           });
  };
  std::vector<std::string> tiled;
  if (!naive) {
    for (const ScheduledReduction &r : reductions) {
      if (!r.result.defined())
        continue;
      scheduleReduction(r, isOutput(r.result));
      tiled.push_back(r.result.name());
    }
  }
  for (const ScheduledFunc &f : outputs)
    if (!llvm::is_contained(tiled, f.func.name()))
      scheduleFunc(f, /*isOutput=*/true, naive);
  for (const ScheduledReduction &r : reductions) {
    if (!naive && r.result.defined())
      continue;
    ScheduledFunc sf{r.func, r.extents};
    if (!isOutput(r.func))
      scheduleFunc(sf, /*isOutput=*/false, naive);
    if (r.result.defined() && !isOutput(r.result))
      hl::Func(r.result).compute_root();
  }
}

} // namespace aicc::avx512
