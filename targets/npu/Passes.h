//===- Passes.h - npu target passes -----------------------------*- C++ -*-===//
#ifndef AICC_TARGETS_NPU_PASSES_H
#define AICC_TARGETS_NPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace aicc::npu {

#define GEN_PASS_DECL
#include "targets/npu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "targets/npu/Passes.h.inc"

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_PASSES_H
