//===- Passes.h - exec-level passes -----------------------------*- C++ -*-===//
#ifndef AICC_PASSES_EXEC_PASSES_H
#define AICC_PASSES_EXEC_PASSES_H

#include "dialects/exec/ExecDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace aicc::exec {

#define GEN_PASS_DECL
#include "passes/exec/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/exec/Passes.h.inc"

/// Prints, per memory space of every planned exec.schedule in `module`, the
/// arena size, the lower bound and the no-sharing sum (the bytes all arena
/// buffers would take without reuse): the `--report=memory` of the driver.
void printMemoryReport(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace aicc::exec

#endif // AICC_PASSES_EXEC_PASSES_H
