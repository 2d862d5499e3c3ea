//===- Avx512Target.h - Kernels to one x86-64 shared object -----*- C++ -*-===//
//
// The avx512 and host targets: the outlined kernels of a module are
// translated to Halide (targets/halide) with the AVX-512 schedule, compiled,
// and linked with their entry points and aicc's kernel-support code into one
// ELF shared object that the runtime's CPU driver loads (docs/Pipeline.md §4).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_AVX512TARGET_H
#define AICC_TARGETS_AVX512_AVX512TARGET_H

#include "targets/common/Target.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace aicc::avx512 {

/// Whether kernels for `cpu` (an Avx512Options::cpu) compute 8-bit convs
/// with AMX-INT8 and bf16 matmuls and convs with AMX-BF16: avx512-amx, and
/// host on a CPU with both.
bool usesAmx(const std::string &cpu);

struct Avx512Options {
  /// "avx512": AVX-512 F/CD/BW/DQ/VL, runs on any AVX-512 machine;
  /// "avx512-vnni": AVX-512 F/CD/BW/DQ/VL + VNNI + BF16 (Zen 4, Sapphire
  /// Rapids, Cooper Lake; compiled for a generic CPU, KernelObject.h);
  /// "avx512-amx": that level plus AMX-INT8 and AMX-BF16 (Sapphire Rapids
  /// and later Xeons; AmxKernels.h, AmxBf16Kernels.h); "host": every
  /// feature of the compiling machine.
  std::string cpu = "avx512";
  /// -O level; 0 disables the schedule heuristics.
  int optLevel = 3;
  /// Called after each kernel with (done, total) for progress reporting.
  std::function<void(size_t, size_t)> progress;
};

/// One compiled library. Entry point i runs kernel i of the input.
struct KernelLibrary {
  std::vector<uint8_t> elf;
  std::vector<std::string> entryPoints;
  std::vector<uint32_t> bindingCounts;
  /// CPU features the code needs (for the artifact's executable table).
  std::vector<std::string> requiredFeatures;
  /// Number of distinct kernels compiled after deduplication.
  size_t uniqueKernels = 0;
};

/// Compiles `kernels` (func.func of linalg on tensors; arguments = inputs,
/// results = outputs). Identical kernels share code. Errors are emitted on
/// the offending kernel or op.
/// `loc` locates errors that belong to no kernel; a model without kernels
/// (only views, copies and constants) gets a library with no entry points.
mlir::FailureOr<KernelLibrary>
buildKernelLibrary(llvm::ArrayRef<mlir::func::FuncOp> kernels,
                   mlir::Location loc, const Avx512Options &options);

/// The Halide target string for `options.cpu`.
std::string halideTargetFor(const Avx512Options &options);

/// Registers the avx512, avx512-vnni and host targets and the avx512 passes.
void registerAvx512Targets();

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_AVX512TARGET_H
