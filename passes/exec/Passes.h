//===- Passes.h - exec-level passes -----------------------------*- C++ -*-===//
#ifndef AICC_PASSES_EXEC_PASSES_H
#define AICC_PASSES_EXEC_PASSES_H

#include "dialects/exec/ExecDialect.h"
#include "passes/exec/DispatchGroupingPolicy.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace aicc::exec {

#define GEN_PASS_DECL
#include "passes/exec/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/exec/Passes.h.inc"

/// aicc-form-dispatch-regions grouping ops with `policy` (the fusion seam,
/// passes/exec/DispatchGroupingPolicy.h); null means the default policy,
/// one op per region.
std::unique_ptr<mlir::Pass> createFormDispatchRegions(
    std::shared_ptr<const DispatchGroupingPolicy> policy,
    const FormDispatchRegionsOptions &options = {});

/// Adds the three dispatch formation passes, in order, to `pm` (on
/// modules): aicc-form-dispatch-regions with `policy` (null: the default),
/// aicc-clone-producers-into-dispatch-regions and
/// aicc-outline-dispatch-regions.
void addDispatchFormationPasses(
    mlir::OpPassManager &pm,
    std::shared_ptr<const DispatchGroupingPolicy> policy = nullptr,
    llvm::StringRef entryPoint = "main",
    llvm::StringRef executableName = "kernels");

/// Prints, per memory space of every planned exec.schedule in `module`, the
/// arena size, the lower bound and the no-sharing sum (the bytes all arena
/// buffers would take without reuse): the `--report=memory` of the driver.
void printMemoryReport(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Prints, per exec.schedule in `module`, how many kernels one per ONNX node
/// would take against the dispatches after fusion, and the ONNX nodes of
/// every dispatch computing several (FusionReport.cpp): the
/// `--report=fusion` of the driver.
void printFusionReport(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace aicc::exec

#endif // AICC_PASSES_EXEC_PASSES_H
