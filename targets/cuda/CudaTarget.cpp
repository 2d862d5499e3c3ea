//===- CudaTarget.cpp - NVIDIA GPUs: kernels to PTX -----------------------===//
//
// The gpu.module of targets/gpu through MLIR's NVVM pipeline
// (gpu-lower-to-nvvm-pipeline) to PTX text, which the CUDA driver JIT
// compiles for the device at module load; when the toolkit's ptxas is found
// (or --gpu-cubin=on), a cubin for the --gpu-arch chip goes next to it, so a
// GPU of that chip loads machine code without a JIT. Traps
// (../shared/design/GPU.md):
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
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

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

/// The CUDA toolkit's ptxas: $CUDA_HOME/bin/ptxas when a toolkit is named
/// (setCudaHome ran), else the first on $PATH; empty when there is none.
std::string findPtxas() {
  for (const char *name : {"CUDA_HOME", "CUDA_ROOT", "CUDA_PATH"}) {
    const char *home = std::getenv(name);
    if (!home)
      continue;
    // The toolkit named there, not another one's assembler from PATH.
    std::string path = std::string(home) + "/bin/ptxas";
    return llvm::sys::fs::can_execute(path) ? path : std::string();
  }
  llvm::ErrorOr<std::string> onPath = llvm::sys::findProgramByName("ptxas");
  return onPath ? *onPath : std::string();
}

/// Assembles `ptx` (NUL-terminated text) for `arch` with `ptxas`. On failure
/// returns the reason (ptxas's own message when it ran).
llvm::Expected<std::vector<uint8_t>>
assembleCubin(llvm::StringRef ptxas, llvm::ArrayRef<uint8_t> ptx,
              llvm::StringRef arch) {
  llvm::SmallString<128> ptxPath, cubinPath, logPath;
  for (auto [path, suffix] :
       {std::pair{&ptxPath, "ptx"}, {&cubinPath, "cubin"}, {&logPath, "log"}})
    if (std::error_code error = llvm::sys::fs::createTemporaryFile(
            "aicc-cuda", suffix, *path))
      return llvm::createStringError(error, "cannot create a temporary file");
  auto cleanup = llvm::make_scope_exit([&] {
    for (const llvm::SmallString<128> *path : {&ptxPath, &cubinPath, &logPath})
      llvm::sys::fs::remove(*path);
  });
  {
    std::error_code error;
    llvm::raw_fd_ostream os(ptxPath, error);
    if (error)
      return llvm::createStringError(error, "cannot write %s",
                                     ptxPath.c_str());
    size_t size = ptx.size();
    while (size && ptx[size - 1] == 0)
      --size;
    os.write(reinterpret_cast<const char *>(ptx.data()), size);
    os.close();
    if (os.has_error())
      return llvm::createStringError(os.error(), "cannot write %s",
                                     ptxPath.c_str());
  }
  std::string archFlag = "-arch=" + arch.str();
  llvm::SmallVector<llvm::StringRef> args = {
      ptxas, archFlag, "-O3", ptxPath, "-o", cubinPath};
  std::optional<llvm::StringRef> redirects[] = {
      std::nullopt, llvm::StringRef(logPath), llvm::StringRef(logPath)};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &message);
  if (rc != 0) {
    std::string log;
    if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
      log = llvm::StringRef((*buffer)->getBuffer()).trim().str();
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(), "%s %s failed%s%s",
        ptxas.str().c_str(), archFlag.c_str(), log.empty() ? "" : ": ",
        log.empty() ? message.c_str() : log.c_str());
  }
  auto cubin = llvm::MemoryBuffer::getFile(cubinPath, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!cubin)
    return llvm::createStringError(cubin.getError(), "cannot read %s",
                                   cubinPath.c_str());
  llvm::StringRef bytes = (*cubin)->getBuffer();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

class CudaTarget : public gpu::GpuTarget {
public:
  llvm::StringRef getName() const override { return "cuda"; }
  llvm::StringRef getDescription() const override {
    return "NVIDIA GPUs through CUDA: PTX for the --gpu-arch chip (default "
           "sm_90, H100) and, with ptxas, its cubin";
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

  LogicalResult addAlternatives(Location loc, ExecutableBinary &binary,
                                llvm::StringRef arch,
                                const TargetOptions &options) const override {
    if (options.gpuCubin == GpuCubin::Off)
      return success();
    std::string ptxas = findPtxas();
    if (ptxas.empty()) {
      if (options.gpuCubin == GpuCubin::Auto)
        return success(); // PTX only; the driver compiles it at load.
      return emitError(loc) << "--gpu-cubin=on needs the CUDA toolkit's "
                               "ptxas: set CUDA_HOME or put it on PATH";
    }
    llvm::Expected<std::vector<uint8_t>> cubin =
        assembleCubin(ptxas, binary.data, arch);
    if (!cubin) {
      std::string reason = llvm::toString(cubin.takeError());
      if (options.gpuCubin == GpuCubin::On)
        return emitError(loc) << "cannot assemble a cubin for " << arch
                              << ": " << reason;
      emitWarning(loc) << "no cubin for " << arch << " (" << reason
                       << "); the artifact holds PTX only, which the driver "
                          "compiles when the module loads";
      return success();
    }
    binary.alternatives.push_back({"cubin", std::move(*cubin)});
    return success();
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
