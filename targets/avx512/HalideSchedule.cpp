//===- HalideSchedule.cpp - Schedules for translated kernels -------------===//
//
// A first, general schedule: every materialized Func gets its innermost dim
// vectorized by one 512-bit register (16 fp32 lanes) and its outermost
// non-trivial dim parallel; reductions vectorize their update over the
// innermost pure dim with the reduction loops inside, so each vector of
// outputs accumulates across the reduction. Tiled matmul/conv schedules come
// with the performance work.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/HalideSchedule.h"
#include "llvm/ADT/STLExtras.h"

namespace hl = Halide;

namespace aicc::avx512 {
namespace {

void scheduleStage(hl::Stage stage, const std::vector<hl::Var> &vars,
                   int lanes, const std::vector<int> &extents) {
  int rank = vars.size();
  if (rank == 0)
    return;
  if (extents[0] >= lanes)
    stage.vectorize(vars[0], lanes,
                    extents[0] % lanes ? hl::TailStrategy::GuardWithIf
                                       : hl::TailStrategy::Auto);
  // Parallelize the outermost dim with more than one iteration.
  for (int k = rank - 1; k >= 1; --k) {
    if (extents[k] > 1) {
      stage.parallel(vars[k]);
      return;
    }
  }
  if (extents[0] >= 16 * lanes) {
    hl::Var outer("po"), inner("pi");
    stage.split(vars[0], outer, inner, 8 * lanes,
                hl::TailStrategy::GuardWithIf);
    stage.parallel(outer);
  }
}

void scheduleFunc(const ScheduledFunc &sf, bool isOutput, bool naive) {
  hl::Func f = sf.func;
  if (!isOutput)
    f.compute_root();
  if (naive)
    return;
  int bytes = std::max(1, f.types()[0].bytes());
  int lanes = std::max(4, 64 / bytes);
  std::vector<hl::Var> vars = f.args();
  if (vars.size() != sf.extents.size())
    return;
  scheduleStage(f, vars, lanes, sf.extents);
  for (int u = 0; u < f.num_update_definitions(); ++u)
    scheduleStage(f.update(u), vars, lanes, sf.extents);
}

} // namespace

void scheduleKernel(const std::vector<ScheduledFunc> &outputs,
                    const std::vector<ScheduledFunc> &reductions, bool naive) {
  for (const ScheduledFunc &f : outputs)
    scheduleFunc(f, /*isOutput=*/true, naive);
  for (const ScheduledFunc &f : reductions) {
    bool isOutput = llvm::any_of(outputs, [&](const ScheduledFunc &o) {
      return o.func.name() == f.func.name();
    });
    if (!isOutput)
      scheduleFunc(f, /*isOutput=*/false, naive);
  }
}

} // namespace aicc::avx512
