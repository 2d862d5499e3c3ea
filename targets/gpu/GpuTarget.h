//===- GpuTarget.h - Kernels to one GPU module (cuda, rocm) -----*- C++ -*-===//
//
// What the cuda and rocm targets share: every outlined kernel of the
// module's exec.executable (linalg on static tensors) is tiled per output
// element with its producers fused (aicc-gpu-tile-and-fuse), bufferized
// (function boundaries, identity layouts, results as out-params), lowered
// to loops and mapped to one gpu.func (aicc-gpu-map-to-kernels) in one
// gpu.module; a subclass turns that module into PTX or HSACO. The schedule
// stages the caller's buffers through the device arena
// (aicc-stage-host-buffers). docs/Pipeline.md, section 4, "GPU targets".
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_GPU_GPUTARGET_H
#define AICC_TARGETS_GPU_GPUTARGET_H

#include "targets/common/Target.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace aicc::gpu {

/// Launch configuration of one kernel, as aicc-gpu-map-to-kernels chose it.
struct KernelLaunch {
  std::string name;
  std::vector<uint32_t> workgroupSize;
  std::vector<uint32_t> workgroupCount;
};

/// Builds `module { gpu.module @kernels { gpu.func ... } }` from the kernels
/// of `module`'s exec.executable, one gpu.func per kernel, with each
/// kernel's launch configuration in `launches`. Errors are emitted on the
/// kernel at fault.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
buildGpuKernelModule(mlir::ModuleOp module, const TargetOptions &options,
                     std::vector<KernelLaunch> &launches);

/// Replaces every arith.remf in the gpu.modules of `kernels` by a call of
/// the device math library's fmod (`f32Function`, `f64Function`; f16 and
/// bf16 through f32), declared in the gpu.module: MLIR's NVVM lowering
/// leaves llvm.frem illegal.
void lowerRemFToCalls(mlir::ModuleOp kernels, llvm::StringRef f32Function,
                      llvm::StringRef f64Function);

/// The dialects, interfaces and translations the GPU pipelines need.
void registerGpuDialects(mlir::DialectRegistry &registry);

/// A GPU target: the shared front end, then serialize().
class GpuTarget : public Target {
public:
  void buildSchedulePipeline(mlir::OpPassManager &pm,
                             const TargetOptions &options) const override;
  mlir::FailureOr<ExecutableBinary>
  compileExecutable(mlir::ModuleOp module,
                    const TargetOptions &options) const override;

protected:
  /// serialize() on a copy of `kernels`; when that fails, compiles each
  /// kernel alone and reports every failing one on its location (the ONNX
  /// node), the back end's messages attached as notes.
  mlir::FailureOr<std::vector<uint8_t>>
  serializeOrBlame(mlir::ModuleOp module, mlir::ModuleOp kernels,
                   llvm::StringRef arch) const;

  /// Checks (and sets up) the toolchain before anything compiles; errors
  /// are emitted at `loc`.
  virtual mlir::LogicalResult checkToolchain(mlir::Location loc) const {
    return mlir::success();
  }

  /// Lowers the gpu.module of `kernels` for `arch` and returns the bytes of
  /// the binary the runtime loads. Errors are emitted on the module.
  virtual mlir::FailureOr<std::vector<uint8_t>>
  serialize(mlir::ModuleOp kernels, llvm::StringRef arch) const = 0;

  /// Adds other encodings of `binary` (ExecutableBinary::alternatives), e.g.
  /// a cubin assembled from the PTX. Errors are emitted at `loc`.
  virtual mlir::LogicalResult addAlternatives(mlir::Location loc,
                                              ExecutableBinary &binary,
                                              llvm::StringRef arch,
                                              const TargetOptions &options) const {
    return mlir::success();
  }
};

/// Registers the GPU passes (aicc-gpu-*).
void registerGpuPasses();

} // namespace aicc::gpu

#endif // AICC_TARGETS_GPU_GPUTARGET_H
