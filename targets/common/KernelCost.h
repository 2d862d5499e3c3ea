//===- KernelCost.h - FLOP and byte counts of kernels -----------*- C++ -*-===//
//
// The serializer records per dispatch how much arithmetic one call performs
// and how many bytes it moves, so that `aicc-run --profile` can print
// GFLOP/s, the fraction of the machine's peak and bandwidth per kernel. The
// rule (docs/Artifact.md, "Kernel cost"):
//
//   FLOPs of a kernel = sum over its linalg ops of
//       (arithmetic ops in the op's body) x (product of its loop ranges)
//
// where the arithmetic ops are those of the `arith` and `math` dialects
// except constants and casts. A multiply-add reduction (matmul, conv) has a
// mul and an add in its body, so it counts 2 x M x N x K, the usual useful
// FLOP count; an elementwise op counts one per body op per element (ReLU 1,
// add 1, exp 1); fills, copies and transposes count 0. Ops outside linalg
// (tensor.pad, reshapes) count 0. Loops the compiler padded (e.g. packed
// weights) count their padded extent: the work the kernel does.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_TARGETS_COMMON_KERNELCOST_H
#define AICC_TARGETS_COMMON_KERNELCOST_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"

#include <cstdint>
#include <optional>

namespace aicc {

/// Arithmetic ops one iteration of the linalg op `op` performs (0 if `op`
/// is not a linalg structured op).
uint64_t countBodyArithmetic(mlir::Operation *op);

/// FLOPs of one call of `kernel` by the rule above, or std::nullopt when a
/// linalg op with arithmetic has a dynamic loop range.
std::optional<uint64_t> countKernelFlops(mlir::func::FuncOp kernel);

/// Bytes a dispatch with the given operands (memrefs or tensors) reads and
/// writes: the sum of their sizes; std::nullopt when one is not static.
std::optional<uint64_t> countOperandBytes(mlir::ValueRange operands);

} // namespace aicc

#endif // AICC_TARGETS_COMMON_KERNELCOST_H
