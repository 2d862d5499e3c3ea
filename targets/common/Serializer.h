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

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aicc {

/// The compiled form of a module's exec.executable.
struct ExecutableBinary {
  /// Binary format, e.g. "elf-x86_64".
  std::string format = "elf-x86_64";
  /// The bytes (for the CPU, the ELF shared object).
  std::vector<uint8_t> data;
  /// The entry-point symbol of each kernel, by kernel name (the symbol of
  /// the func.func in the exec.executable). Kernels not listed are their own
  /// entry point; kernels the target deduplicated map to the same symbol and
  /// share one entry point.
  std::map<std::string, std::string> entryPoints;
  /// CPU features the code needs, e.g. {"avx512f"}.
  std::vector<std::string> requiredFeatures;
};

struct SerializeOptions {
  /// Written as the artifact's producer.
  std::string producer = "aicc";
  /// Module name; empty: the module's sym_name, else "main".
  std::string name;
  /// Target names the module was compiled for, e.g. {"avx512"}.
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

} // namespace aicc

#endif // AICC_TARGETS_COMMON_SERIALIZER_H
