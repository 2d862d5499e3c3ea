//===- CpuFeatures.h - The CPU features of a Halide x86 target --*- C++ -*-===//
//
// An artifact lists every instruction set extension its code may use, and
// the runtime refuses to load it on a CPU that lacks one (never SIGILL).
// What the code may use is what the LLVM CPU model and attributes that
// Halide compiles with enable, so that is what gets listed.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_CPUFEATURES_H
#define AICC_TARGETS_AVX512_CPUFEATURES_H

#include "mlir/Support/LLVM.h"
#include <string>
#include <vector>

namespace aicc::avx512 {

/// The features, among those the runtime can check
/// (runtime/include/aicc/cpu_features.def), that code Halide generates for
/// `halideTarget` (e.g. "x86-64-linux-avx512_skylake" or "host") may use.
/// Fails with a message if LLVM has no x86 target.
mlir::FailureOr<std::vector<std::string>>
requiredCpuFeatures(const std::string &halideTarget, std::string &error);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_CPUFEATURES_H
