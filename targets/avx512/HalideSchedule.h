//===- HalideSchedule.h - Schedules for translated kernels ------*- C++ -*-===//
#ifndef AICC_TARGETS_AVX512_HALIDESCHEDULE_H
#define AICC_TARGETS_AVX512_HALIDESCHEDULE_H

#include "Halide.h"
#include <vector>

namespace aicc::avx512 {

/// A Func to materialize and its static extents, innermost first.
struct ScheduledFunc {
  Halide::Func func;
  std::vector<int> extents;
};

/// A reduction (a Func with an update over `rdom`) and the pure copy of it
/// that consumers read (undefined for multi-result reductions).
struct ScheduledReduction {
  Halide::Func func;
  Halide::Func result;
  Halide::RDom rdom;
  std::vector<int> extents;
  /// Halide dim unrolled in a register tile, -1 for none.
  int unrollDim = -1;
};

/// Materializes `f` at root (or as an output), vectorized along its
/// innermost dim and parallel over its outermost non-trivial one.
void scheduleFunc(const ScheduledFunc &f, bool isOutput, bool naive);

/// Schedules a kernel's Funcs for AVX-512: outputs and reductions are
/// materialized, vectorized along their innermost dim by one 512-bit
/// register and parallelized over their outermost dim on the runtime's
/// thread pool; everything else is inlined. `naive` (-O0) only
/// materializes what must be.
void scheduleKernel(const std::vector<ScheduledFunc> &outputs,
                    const std::vector<ScheduledReduction> &reductions,
                    bool naive);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_HALIDESCHEDULE_H
