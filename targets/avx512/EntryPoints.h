//===- EntryPoints.h - aicc kernel ABI wrappers for Halide code -*- C++ -*-===//
//
// Each entry point of a kernel library has aicc's kernel signature
// (runtime/include/aicc/kernel_abi.h) and forwards to aicc_hl_dispatch
// (KernelSupport.c) with its push constants and a constant descriptor of its
// buffers' shapes (a static extent, or the push constant holding a dynamic
// one, per dim) and the Halide pipeline's _argv function. They are generated as
// LLVM IR and compiled in-process for x86-64.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_ENTRYPOINTS_H
#define AICC_TARGETS_AVX512_ENTRYPOINTS_H

#include "targets/halide/LinalgToHalide.h"
#include "llvm/Support/Error.h"
#include <string>
#include <vector>

namespace aicc::avx512 {

struct EntryPoint {
  std::string name;              ///< exported symbol
  const halidegen::CompiledKernel *kernel; ///< the pipeline it calls
};

/// Writes an x86-64 ELF object defining every entry point.
llvm::Error writeEntryPointsObject(const std::vector<EntryPoint> &entries,
                                   const std::string &path);

/// The kernel-support object compiled from KernelSupport.c with aicc.
llvm::ArrayRef<unsigned char> kernelSupportObject();

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_ENTRYPOINTS_H
