//===- NpuTarget.h - The npu target: RNPU command streams -------*- C++ -*-===//
//
// `--target=npu`: code for RNPU, the reference int8 NPU of docs/RNPU.md,
// one executable of format "rnpu-1.0" (runtime/hal/npu/RnpuBlob.h) per
// module for the runtime's npu device (fb::DeviceKind::Npu).
//
// `--target=npu,avx512` (compiler/driver/Partition.cpp) uses the functions
// below: the npu half of the graph pipeline that selects only what RNPU
// runs, the placement of every node for --report=partition, and which
// kernels of the schedule are RNPU kernels.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_NPUTARGET_H
#define AICC_TARGETS_NPU_NPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <string>
#include <vector>

namespace mlir {
class OpPassManager;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace aicc::npu {

/// Registers the npu target and its passes.
void registerNpuTargets();

/// Adds the npu half of a partitioned graph pipeline: every node RNPU runs
/// becomes an RNPU kernel op, the others stay graph ops for a CPU target.
void buildNpuPartitionPipeline(mlir::OpPassManager &pm);

/// Where one graph node runs in a partitioned compile.
struct NodePlacement {
  std::string node;
  /// ONNX op type, e.g. "QLinearConv".
  std::string opType;
  /// Empty when RNPU runs the node, else why not (the CPU runs it).
  std::string whyNotNpu;
};

/// The placement of every graph node of `module` (graph ops after FuseQDQ,
/// constants left out), in program order, with the configured RNPU
/// (--npu-config). Fails with a diagnostic when the config does not load.
mlir::LogicalResult collectNpuPlacement(mlir::ModuleOp module,
                                        std::vector<NodePlacement> &out);

/// Whether `kernel` (a func.func of an exec.executable) is an RNPU kernel,
/// i.e. holds an op that aicc-npu-form-kernels made.
bool isNpuKernel(mlir::func::FuncOp kernel);

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_NPUTARGET_H
