//===- Serializer.h - Writes planned exec modules as .aicc ------*- C++ -*-===//
//
// The last step of compilation: walks the planned exec.schedule of a module
// and writes the .aicc artifact (docs/Artifact.md) with the runtime's
// aicc::ModuleWriter: the signature from the graph.name attributes, the
// target's compiled executable, the weights, the memory plan and the command
// list. Targets call it once they have compiled the module's exec.executable
// into one binary.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_TARGETS_COMMON_SERIALIZER_H
#define AICC_TARGETS_COMMON_SERIALIZER_H

#include "targets/common/Target.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aicc {

struct SerializeOptions {
  /// Written as the artifact's producer.
  std::string producer = "aicc";
  /// Module name; empty: the module's sym_name, else "main".
  std::string name;
  /// Names of the targets the module was compiled for.
  std::vector<std::string> targets;
};

/// Serializes `module`, which holds one planned exec.schedule (after
/// aicc-plan-memory) whose dispatches all call kernels of one
/// exec.executable compiled into `binary`, into `out`. On failure emits a
/// diagnostic on the offending op and returns failure; `out` is then
/// unspecified.
mlir::LogicalResult serializeModule(mlir::ModuleOp module,
                                    const ExecutableBinary &binary,
                                    std::vector<uint8_t> &out,
                                    const SerializeOptions &options = {});

/// The binary of the exec.executable named `executable`.
struct NamedExecutableBinary {
  std::string executable;
  ExecutableBinary binary;
};

/// Serializes a partitioned module (--target=npu,avx512): its dispatches
/// call kernels of several exec.executables, each compiled into one of
/// `binaries`. The artifact gets one executable per binary (in order), and
/// a Barrier command wherever consecutive dispatches run on different
/// device kinds. The planned memory spaces are host memory, which every
/// device of a partitioned module addresses (the simulated NPU's DRAM is
/// host memory; docs/RNPU.md, "Partitioning").
mlir::LogicalResult
serializePartitionedModule(mlir::ModuleOp module,
                           llvm::ArrayRef<NamedExecutableBinary> binaries,
                           std::vector<uint8_t> &out,
                           const SerializeOptions &options = {});

} // namespace aicc

#endif // AICC_TARGETS_COMMON_SERIALIZER_H
