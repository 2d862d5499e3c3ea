//===- CudaTarget.cpp - NVIDIA GPUs: kernels to PTX -----------------------===//
//
// The gpu.module of targets/gpu through MLIR's NVVM pipeline
// (gpu-lower-to-nvvm-pipeline) to PTX text, which the CUDA driver JIT
// compiles for the device at module load. Traps (../shared/design/GPU.md):
// the PTX version must be given with the chip (+ptx80 for sm_90), and
// libdevice (math functions) is linked only when CUDA_HOME names the
// toolkit.
//
//===----------------------------------------------------------------------===//

#include "targets/cuda/CudaTarget.h"
#include "targets/gpu/GpuTarget.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Pipelines/Passes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "llvm/Support/FileSystem.h"

#include <cstdlib>

using namespace mlir;

namespace aicc::cuda {
namespace {

/// The CUDA toolkit used for libdevice: $CUDA_HOME (or $CUDA_ROOT,
/// $CUDA_PATH), else /usr/local/cuda when it exists. A variable naming no
/// directory is an error (MLIR would report it and go on without libdevice).
LogicalResult setCudaHome(Location loc) {
  for (const char *name : {"CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"}) {
    const char *value = std::getenv(name);
    if (!value)
      continue;
    if (!llvm::sys::fs::is_directory(value))
      return emitError(loc) << name << "='" << value
                            << "' is not a directory; point it at the CUDA "
                               "toolkit or unset it";
    return success();
  }
  if (llvm::sys::fs::is_directory("/usr/local/cuda"))
    ::setenv("CUDA_HOME", "/usr/local/cuda", /*overwrite=*/0);
  return success();
}

/// The PTX ISA version for `arch`: 8.0 covers up to sm_90a; Blackwell needs
/// 8.7.
std::string ptxFeaturesFor(llvm::StringRef arch) {
  unsigned version = 0;
  if (arch.drop_front(3).take_while(llvm::isDigit).getAsInteger(10, version))
    return "+ptx80";
  return version >= 100 ? "+ptx87" : "+ptx80";
}

class CudaTarget : public gpu::GpuTarget {
public:
  llvm::StringRef getName() const override { return "cuda"; }
  llvm::StringRef getDescription() const override {
    return "NVIDIA GPUs through CUDA: PTX for the --gpu-arch chip (default "
           "sm_90, H100), JIT-compiled by the driver";
  }
  fb::DeviceKind getDeviceKind() const override {
    return fb::DeviceKind::Cuda;
  }
  llvm::StringRef getBinaryFormat() const override { return "ptx"; }
  std::vector<std::string> getGpuArchs() const override {
    return {"sm_90", "sm_80", "sm_86", "sm_89", "sm_90a", "sm_100", "sm_120"};
  }

protected:
  LogicalResult checkToolchain(Location loc) const override {
    return setCudaHome(loc);
  }

  FailureOr<std::vector<uint8_t>>
  serialize(ModuleOp kernels, llvm::StringRef arch) const override {
    MLIRContext *context = kernels.getContext();
    DialectRegistry registry;
    registry.insert<NVVM::NVVMDialect>();
    NVVM::registerNVVMTargetInterfaceExternalModels(registry);
    NVVM::registerConvertGpuToNVVMInterface(registry);
    registerConvertNVVMToLLVMInterface(registry);
    registerBuiltinDialectTranslation(registry);
    registerGPUDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    registerNVVMDialectTranslation(registry);
    context->appendDialectRegistry(registry);

    gpu::lowerRemFToCalls(kernels, "__nv_fmodf", "__nv_fmod");
    ::mlir::gpu::GPUToNVVMPipelineOptions options;
    options.cubinChip = arch.str();
    options.cubinFeatures = ptxFeaturesFor(arch);
    options.cubinFormat = "isa";
    options.optLevel = 3;
    options.kernelUseBarePtrCallConv = true;
    options.hostUseBarePtrCallConv = true;
    PassManager pm(context);
    ::mlir::gpu::buildLowerToNVVMPassPipeline(pm, options);
    if (failed(pm.run(kernels)))
      return emitError(kernels.getLoc())
             << "cannot compile the kernels to PTX for " << arch;
    std::vector<uint8_t> ptx;
    WalkResult found = kernels.walk([&](::mlir::gpu::BinaryOp binary) {
      for (Attribute attr : binary.getObjects()) {
        auto object = cast<::mlir::gpu::ObjectAttr>(attr);
        llvm::StringRef text = object.getObject().getValue();
        ptx.assign(text.begin(), text.end());
        ptx.push_back(0); // NUL-terminated for cuModuleLoadData.
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (!found.wasInterrupted())
      return emitError(kernels.getLoc()) << "the NVVM pipeline produced no PTX";
    llvm::StringRef text(reinterpret_cast<const char *>(ptx.data()),
                         ptx.size());
    size_t unresolved = text.find(".extern .func");
    if (unresolved != llvm::StringRef::npos && text.find("__nv_") !=
                                                   llvm::StringRef::npos)
      return emitError(kernels.getLoc())
             << "the kernels call CUDA libdevice math functions, but "
             << "libdevice was not found: set CUDA_HOME to the CUDA toolkit";
    return ptx;
  }
};

} // namespace

void registerCudaTarget() {
  registerTarget(std::make_unique<CudaTarget>());
}

} // namespace aicc::cuda
