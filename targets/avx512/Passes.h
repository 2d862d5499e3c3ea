//===- Passes.h - avx512 target passes --------------------------*- C++ -*-===//
#ifndef AICC_TARGETS_AVX512_PASSES_H
#define AICC_TARGETS_AVX512_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Pass/Pass.h"

namespace aicc::avx512 {

#define GEN_PASS_DECL
#include "targets/avx512/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/avx512/Passes.h.inc"

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_PASSES_H
