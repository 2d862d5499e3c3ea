//===- Target.h - The interface every code generation target implements -*- C++ -*-===//
//
// A target turns the outlined kernels of a module (the exec.executable that
// dispatch formation produced) into one executable binary for one kind of
// device, in the spirit of IREE's HAL TargetBackend. The driver and the
// serializer only see this interface: they look a target up by its
// `--target` name in the registry and never name a target themselves.
//
// What a new target implements, and in which files: targets/README.md.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_COMMON_TARGET_H
#define AICC_TARGETS_COMMON_TARGET_H

#include "aicc/schemas/aicc_generated.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace aicc {

/// The compiled form of a module's exec.executable.
struct ExecutableBinary {
  /// The device kind that runs the binary.
  fb::DeviceKind device{};
  /// Binary format the runtime's driver for `device` loads, e.g. an ELF
  /// shared object for x86-64 (the target's getBinaryFormat()).
  std::string format;
  /// The bytes.
  std::vector<uint8_t> data;
  /// The entry-point symbol of each kernel, by kernel name (the symbol of
  /// the func.func in the exec.executable). Kernels not listed are their own
  /// entry point; kernels the target deduplicated map to the same symbol and
  /// share one entry point.
  std::map<std::string, std::string> entryPoints;
  /// Device features the code needs (for a CPU, the instruction set
  /// extensions, e.g. "avx512f", "avx512vnni"); the runtime refuses to load
  /// a binary that needs a feature the device lacks.
  std::vector<std::string> requiredFeatures;
  /// GPU only: the block size (1-3 dims) of each entry point, by entry-point
  /// symbol; empty on the CPU.
  std::map<std::string, std::vector<uint32_t>> workgroupSizes;
  /// GPU only: the grid size (1-3 dims) that every dispatch of a kernel
  /// launches, by kernel name; empty on the CPU.
  std::map<std::string, std::vector<uint32_t>> workgroupCounts;
  /// Other encodings of the same code with the same entry points, which the
  /// runtime's driver may load instead (the CUDA target's cubin next to its
  /// PTX). Each becomes an executable of its own; dispatches name the main
  /// one (docs/Artifact.md, "GPU modules").
  struct Alternative {
    std::string format;
    std::vector<uint8_t> data;
  };
  std::vector<Alternative> alternatives;
};

/// Whether the CUDA target assembles a cubin next to its PTX (--gpu-cubin).
enum class GpuCubin {
  /// When the CUDA toolkit's ptxas is found.
  Auto,
  /// Always; a missing ptxas is an error.
  On,
  /// Never: PTX only, compiled by the driver when the module loads.
  Off,
};

/// Options of one compilation that every target understands.
struct TargetOptions {
  /// -O level, 0-3; 0 turns the schedule heuristics off.
  unsigned optLevel = 3;
  /// Called with (done, total) while kernels are compiled.
  std::function<void(size_t, size_t)> progress;
  /// GPU targets: the chip (--gpu-arch, e.g. "sm_90", "gfx90a"); empty means
  /// the target's default (getGpuArchs().front()).
  std::string gpuArch;
  /// The CUDA target: whether to add a cubin (--gpu-cubin).
  GpuCubin gpuCubin = GpuCubin::Auto;
  /// --kv-cache: empty (off), "auto" (Optimum past/present names) or
  /// "PAST:PRESENT,...": those cache pairs become persistent state
  /// (aicc-graph-kv-cache-in-place, docs/Pipeline.md "KV cache in place").
  std::string kvCache;
  /// --conv-algorithm: "auto" (the target picks, e.g. avx512's Winograd
  /// F(2x2, 3x3) for large 3x3 stride-1 fp32 convs) or "direct" (every conv
  /// by its direct kernel).
  std::string convAlgorithm = "auto";
};

/// A code generation target.
class Target {
public:
  virtual ~Target();

  /// The `--target` name, e.g. the name of an instruction set.
  virtual llvm::StringRef getName() const = 0;
  /// One line for `aicc --list-targets`.
  virtual llvm::StringRef getDescription() const = 0;
  /// The kind of device that runs the target's binaries.
  virtual fb::DeviceKind getDeviceKind() const = 0;
  /// The executable format written into the artifact.
  virtual llvm::StringRef getBinaryFormat() const = 0;

  /// Adds the target's passes that run on graph ops after the graph
  /// pipeline (FuseQDQ included) and before the lowering to linalg:
  /// capability checks and op selection, while each op still is one ONNX
  /// node. The default adds nothing.
  virtual void buildGraphPipeline(mlir::OpPassManager &pm,
                                  const TargetOptions &options) const;

  /// Adds the target's passes that run on linalg on tensors, after graph
  /// lowering and before dispatch formation (weight layouts, target-specific
  /// rewrites). The default adds nothing.
  virtual void buildConfigurationPipeline(mlir::OpPassManager &pm,
                                          const TargetOptions &options) const;

  /// Adds the target's passes that run on the exec schedule after dispatch
  /// formation and before memory planning (a GPU target stages the caller's
  /// host buffers through its device arena). The default adds nothing.
  virtual void buildSchedulePipeline(mlir::OpPassManager &pm,
                                     const TargetOptions &options) const;

  /// The chips `--gpu-arch` accepts, the default first; empty for targets
  /// that take no `--gpu-arch` (CPUs).
  virtual std::vector<std::string> getGpuArchs() const { return {}; }

  /// Compiles every kernel of `module`'s exec.executable (the module is
  /// memory planned) into one binary. Errors are emitted on the offending
  /// kernel or op.
  virtual mlir::FailureOr<ExecutableBinary>
  compileExecutable(mlir::ModuleOp module,
                    const TargetOptions &options) const = 0;
};

/// Adds `target` to the registry; its name must be new.
void registerTarget(std::unique_ptr<Target> target);

/// The registered target called `name`, or null.
const Target *lookupTarget(llvm::StringRef name);

/// Every registered target, sorted by name.
std::vector<const Target *> getRegisteredTargets();

} // namespace aicc

#endif // AICC_TARGETS_COMMON_TARGET_H
