//===- CpuFeatures.h - Host CPU feature queries ----------------*- C++ -*-===//
//
// Executables list the instruction set extensions they were compiled for
// ("avx512f", "avx512vnni", ...). Checking them before dlopen turns what
// would be a SIGILL in the middle of a run into a clear error at session
// creation.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_CPU_CPUFEATURES_H
#define AICC_RUNTIME_HAL_CPU_CPUFEATURES_H

#include <string>

namespace aicc {
namespace cpu {

/// Result of asking whether the host has a feature.
enum class FeatureSupport { Present, Missing, Unknown };

/// Looks up `name` (GCC's __builtin_cpu_supports spelling, e.g. "avx2",
/// "avx512bw", "avx512vnni"). Unknown names are reported as such rather than
/// guessed.
FeatureSupport hostHasFeature(const char *name);

/// Asks Linux for the AMX tile data state (arch_prctl ARCH_REQ_XCOMP_PERM,
/// XFEATURE_XTILEDATA), which a process needs before its first tile
/// instruction; idempotent. Returns 0, or the errno of the refusal (ENOSYS
/// on other systems).
int requestAmxTileData();

/// Returns the host CPU's model name (from /proc/cpuinfo), or "x86-64 CPU".
std::string hostCpuName();

} // namespace cpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_CPU_CPUFEATURES_H
