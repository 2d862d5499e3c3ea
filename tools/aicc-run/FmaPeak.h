//===- FmaPeak.h - Measures the fp32 FMA peak of this machine ---*- C++ -*-===//
//
// `aicc-run --profile` reports each kernel's GFLOP/s as a fraction of what
// the cores can do at most: a loop of independent fp32 fused multiply-adds
// in the widest vectors the CPU has (AVX-512, else AVX2+FMA, else scalar),
// run on a number of threads at once, best of five trials.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_TOOLS_AICC_RUN_FMAPEAK_H
#define AICC_TOOLS_AICC_RUN_FMAPEAK_H

#include <cstdint>

namespace aicc {
namespace tool {

struct FmaPeak {
  /// GFLOP/s of all threads together (an FMA counts 2 FLOPs).
  double gflops = 0;
  /// "AVX-512", "AVX2+FMA" or "scalar".
  const char *isa = "";
};

/// Runs the FMA loop on `threads` threads at once for `seconds` in all
/// (five trials of a fifth each) and returns the best trial.
FmaPeak measureFmaPeak(uint32_t threads, double seconds);

} // namespace tool
} // namespace aicc

#endif // AICC_TOOLS_AICC_RUN_FMAPEAK_H
