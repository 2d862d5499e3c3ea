//===- KernelCost.cpp - FLOP and byte counts of kernels -------------------===//

#include "targets/common/KernelCost.h"

#include "dialects/exec/ExecOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Interfaces/CastInterfaces.h"

#include <limits>

using namespace mlir;

/// a * b, saturating at the largest uint64_t (a count that large is wrong
/// either way, but must not wrap to something plausible).
static uint64_t saturatingMul(uint64_t a, uint64_t b) {
  if (a && b > std::numeric_limits<uint64_t>::max() / a)
    return std::numeric_limits<uint64_t>::max();
  return a * b;
}

static uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  return b > std::numeric_limits<uint64_t>::max() - a
             ? std::numeric_limits<uint64_t>::max()
             : a + b;
}

/// Whether `op` is arithmetic the FLOP count includes.
static bool isCountedArithmetic(Operation *op) {
  StringRef dialect = op->getName().getDialectNamespace();
  if (dialect != "arith" && dialect != "math")
    return false;
  return !op->hasTrait<OpTrait::ConstantLike>() && !isa<CastOpInterface>(op);
}

uint64_t aicc::countBodyArithmetic(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.getBlock())
    return 0;
  uint64_t count = 0;
  linalgOp.getBlock()->walk([&](Operation *inner) {
    if (isCountedArithmetic(inner))
      ++count;
  });
  return count;
}

std::optional<uint64_t> aicc::countKernelFlops(func::FuncOp kernel) {
  uint64_t total = 0;
  bool known = true;
  kernel.walk([&](linalg::LinalgOp op) {
    uint64_t perIteration = countBodyArithmetic(op);
    if (perIteration == 0)
      return;
    uint64_t iterations = 1;
    for (int64_t range : op.getStaticLoopRanges()) {
      if (ShapedType::isDynamic(range) || range < 0) {
        known = false;
        return;
      }
      iterations = saturatingMul(iterations, static_cast<uint64_t>(range));
    }
    total = saturatingAdd(total, saturatingMul(perIteration, iterations));
  });
  if (!known)
    return std::nullopt;
  return total;
}

std::optional<uint64_t> aicc::countOperandBytes(ValueRange operands) {
  uint64_t total = 0;
  for (Value operand : operands) {
    auto type = dyn_cast<ShapedType>(operand.getType());
    if (!type)
      return std::nullopt;
    std::optional<uint64_t> bytes = exec::getByteSize(type);
    if (!bytes)
      return std::nullopt;
    total = saturatingAdd(total, *bytes);
  }
  return total;
}
