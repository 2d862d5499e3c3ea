//===- CpuFeatures.h - The CPU features of a Halide x86 target --*- C++ -*-===//
//
// An artifact lists every instruction set extension its code may use, and
// the runtime refuses to load it on a CPU that lacks one (never SIGILL).
// What the code may use is what the LLVM CPU model and attributes it is
// compiled for enable, so that is what gets listed.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_CPUFEATURES_H
#define AICC_TARGETS_AVX512_CPUFEATURES_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>
#include <vector>

namespace aicc::avx512 {

/// An LLVM x86 CPU model and feature attributes: what kernels are compiled
/// for, hence every extension their code may use.
struct LlvmCpuModel {
  /// LLVM CPU name, e.g. "x86-64-v4", "skylake-avx512", "sapphirerapids".
  std::string cpu;
  /// Comma-separated LLVM subtarget features, e.g. "+avx512vnni".
  std::string features;
};

/// The CPU model Halide 21 compiles `halideTarget` (e.g.
/// "x86-64-linux-avx512_skylake" or "host") for: the CPU named after its
/// newest feature level, which brings every extension of that CPU model.
LlvmCpuModel halideCpuModel(const std::string &halideTarget);

/// The CPU model of a named ISA level whose kernels aicc compiles itself
/// (KernelObject.h): "avx512-vnni" is x86-64-v4 (AVX-512 F/CD/BW/DQ/VL on
/// the x86-64-v3 base) + AVX512-VNNI + AVX512-BF16, "avx512-amx" that +
/// AMX-TILE/INT8/BF16; no vendor-specific extension, so the code runs on
/// every CPU with those features (Zen 4, Sapphire Rapids, ...). None for
/// other names ("avx512", "host"), which keep Halide's own CPU model.
std::optional<LlvmCpuModel> isaLevelCpuModel(llvm::StringRef level);

/// The features, among those the runtime can check
/// (runtime/include/aicc/cpu_features.def), that code compiled for `model`
/// may use. Fails with a message if LLVM has no x86 target.
mlir::FailureOr<std::vector<std::string>>
requiredCpuFeatures(const LlvmCpuModel &model, std::string &error);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_CPUFEATURES_H
