//===- Partition.h - --target=npu,avx512: NPU with CPU fallback -*- C++ -*-===//
//
// A `--target` list compiles one model for two devices: the accelerator
// (first, today the npu target) runs every node it selects, the CPU target
// (second) runs the rest. The result is one schedule whose dispatches call
// kernels of two executables, one per target, serialized as one artifact
// with a Barrier wherever the device changes (docs/RNPU.md,
// "Partitioning"). The driver calls runPartitionedCompiler after its graph
// pipeline, instead of the single-target steps.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_COMPILER_DRIVER_PARTITION_H
#define AICC_COMPILER_DRIVER_PARTITION_H

#include "targets/common/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace aicc {

/// The targets of a `--target` list.
struct PartitionTargets {
  /// Runs the nodes it selects (npu).
  const Target *accelerator = nullptr;
  /// Runs every other node (a CPU target: avx512, avx512-vnni, host).
  const Target *host = nullptr;
  /// The list as given, for messages ("npu,avx512").
  std::string spelling;
};

/// Whether a `--target` value is a list ("npu,avx512").
bool isTargetList(llvm::StringRef target);

/// Resolves a `--target` list; fails with `error` when it is not an
/// accelerator followed by a CPU target.
mlir::LogicalResult parseTargetList(llvm::StringRef list,
                                    PartitionTargets &out, std::string &error);

/// How far runPartitionedCompiler goes.
enum class PartitionStage { Linalg, Exec, Artifact };

/// Runs a pass pipeline on a module (the driver's runPipeline).
using PipelineRunner = llvm::function_ref<mlir::LogicalResult(
    mlir::ModuleOp, llvm::function_ref<void(mlir::OpPassManager &)>)>;

/// Compiles `module` (graph ops after the graph pipeline) for `targets` up
/// to `stage`; for Artifact the serialized module is `artifact`. `report`
/// "partition" prints where each node runs and why to `reportOS`, "memory"
/// the memory report.
mlir::LogicalResult
runPartitionedCompiler(mlir::ModuleOp module, const PartitionTargets &targets,
                       TargetOptions &options, PartitionStage stage,
                       llvm::StringRef report, llvm::raw_ostream &reportOS,
                       std::vector<uint8_t> &artifact,
                       PipelineRunner runPipeline, llvm::StringRef producer);

} // namespace aicc

#endif // AICC_COMPILER_DRIVER_PARTITION_H
