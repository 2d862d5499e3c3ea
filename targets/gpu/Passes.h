//===- Passes.h - GPU target passes (cuda, rocm) ----------------*- C++ -*-===//
#ifndef AICC_TARGETS_GPU_PASSES_H
#define AICC_TARGETS_GPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace aicc::gpu {

#define GEN_PASS_DECL
#include "targets/gpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/gpu/Passes.h.inc"

} // namespace aicc::gpu

#endif // AICC_TARGETS_GPU_PASSES_H
