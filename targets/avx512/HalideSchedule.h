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

/// Schedules a kernel's Funcs for AVX-512: outputs and reductions are
/// materialized, vectorized along their innermost dim by one 512-bit
/// register and parallelized over their outermost dim on the runtime's
/// thread pool; everything else is inlined. `naive` (-O0) only
/// materializes what must be.
void scheduleKernel(const std::vector<ScheduledFunc> &outputs,
                    const std::vector<ScheduledFunc> &reductions, bool naive);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_HALIDESCHEDULE_H
