//===- KernelObject.h - Halide bitcode to a CPU model's object -*- C++ -*-===//
//
// Halide 21 chooses the LLVM CPU a kernel is compiled for itself, after the
// newest feature level of its target (CodeGen_X86::mcpu_target): the level
// with VNNI and BF16 (avx512_zen4) compiles for `znver4`, whose extras
// (SSE4A's insertq/extrq) die with SIGILL on Intel. For the named ISA
// levels aicc therefore takes Halide's optimized bitcode and compiles it
// itself, for a generic CPU with exactly the level's features.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_KERNELOBJECT_H
#define AICC_TARGETS_AVX512_KERNELOBJECT_H

#include "targets/avx512/CpuFeatures.h"
#include "llvm/Support/Error.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"
#include <string>

namespace aicc::avx512 {

/// Compiles `bitcodePath` (a kernel's LLVM bitcode as Halide writes it:
/// optimized, each function carrying Halide's target-cpu, tune-cpu and
/// target-features) to the x86-64 object `objectPath` for `model`. Every
/// defined function's target-cpu and target-features become the model's;
/// tune-cpu (scheduling only, never instructions) stays Halide's. The code
/// generation options are Halide's (fast floating point unless the module
/// asks for per-instruction flags, PIC, -O3). `assembly` writes assembly
/// text instead of an object (AICC_HALIDE_ASM_DIR).
llvm::Error compileBitcodeForCpu(const std::string &bitcodePath,
                                 const std::string &objectPath,
                                 const LlvmCpuModel &model,
                                 bool assembly = false);

/// Compiles `module` with `machine` (whose data layout it takes) into
/// `path`: object code, or assembly text when `assembly`. The always-inliner
/// runs first (Halide's bitcode leaves always_inline functions to it).
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            const std::string &path, bool assembly = false);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_KERNELOBJECT_H
