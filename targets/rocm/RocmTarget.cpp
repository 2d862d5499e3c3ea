//===- RocmTarget.cpp - AMD GPUs: kernels to HSACO ------------------------===//
//
// The gpu.module of targets/gpu through ROCDL and LLVM's AMDGPU back end to
// one HSACO code object (an AMDGPU ELF), linked by ld.lld. MLIR looks for
// `llvm/bin/ld.lld` and the device libraries (`amdgcn/bitcode/ocml.bc`,
// `ockl.bc`, for math functions) under one toolkit directory; aicc builds
// one in a temporary directory from $ROCM_PATH (when it has them) or from
// Debian's ld.lld-22 and rocm-device-libs (../shared/design/GPU.md).
//
//===----------------------------------------------------------------------===//

#include "targets/rocm/RocmTarget.h"
#include "targets/gpu/GpuTarget.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/GPUToROCDL/GPUToROCDLPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/ROCDL/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/ROCDL/ROCDLToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>

using namespace mlir;

namespace aicc::rocm {
namespace {

/// Debian's device libraries (rocm-device-libs).
constexpr const char *kDebianDeviceLibs = "/usr/lib/x86_64-linux-gnu/amdgcn";

/// A toolkit directory for gpu-module-to-binary: `llvm/bin/ld.lld` and
/// `amdgcn` links under a new temporary directory (removed by the caller),
/// or $ROCM_PATH when it has both. Fails with a message in `error`.
FailureOr<std::string> makeToolkit(std::string &error, bool &temporary) {
  temporary = false;
  if (const char *rocm = std::getenv("ROCM_PATH")) {
    llvm::SmallString<256> lld(rocm), bitcode(rocm);
    llvm::sys::path::append(lld, "llvm", "bin", "ld.lld");
    llvm::sys::path::append(bitcode, "amdgcn", "bitcode");
    if (llvm::sys::fs::can_execute(lld) &&
        llvm::sys::fs::is_directory(bitcode))
      return std::string(rocm);
  }
  std::string lld;
  for (llvm::StringRef name : {"ld.lld-22", "ld.lld"}) {
    if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name)) {
      lld = *path;
      break;
    }
  }
  if (lld.empty()) {
    llvm::SmallString<128> path("/usr/lib/llvm-22/bin/ld.lld");
    if (llvm::sys::fs::can_execute(path))
      lld = path.str().str();
  }
  if (lld.empty()) {
    error = "ld.lld (LLVM 22) is needed to link HSACO code objects; install "
            "lld-22";
    return failure();
  }
  llvm::SmallString<256> dir;
  if (llvm::sys::fs::createUniqueDirectory("aicc-rocm", dir)) {
    error = "cannot create a temporary toolkit directory";
    return failure();
  }
  temporary = true;
  llvm::SmallString<256> bin(dir);
  llvm::sys::path::append(bin, "llvm", "bin");
  llvm::SmallString<256> link(bin);
  llvm::sys::path::append(link, "ld.lld");
  llvm::SmallString<256> amdgcn(dir);
  llvm::sys::path::append(amdgcn, "amdgcn");
  if (llvm::sys::fs::create_directories(bin) ||
      llvm::sys::fs::create_link(lld, link)) {
    error = "cannot set up the toolkit directory " + dir.str().str();
    return failure();
  }
  std::string deviceLibs = kDebianDeviceLibs;
  if (const char *rocm = std::getenv("ROCM_PATH")) {
    llvm::SmallString<256> candidate(rocm);
    llvm::sys::path::append(candidate, "amdgcn");
    if (llvm::sys::fs::is_directory(candidate))
      deviceLibs = candidate.str().str();
  }
  if (llvm::sys::fs::is_directory(deviceLibs))
    (void)llvm::sys::fs::create_link(deviceLibs, amdgcn);
  return dir.str().str();
}

class RocmTarget : public gpu::GpuTarget {
public:
  llvm::StringRef getName() const override { return "rocm"; }
  llvm::StringRef getDescription() const override {
    return "AMD GPUs through ROCm/HIP: an HSACO code object for the "
           "--gpu-arch chip (default gfx90a, MI200)";
  }
  fb::DeviceKind getDeviceKind() const override {
    return fb::DeviceKind::Rocm;
  }
  llvm::StringRef getBinaryFormat() const override { return "hsaco"; }
  std::vector<std::string> getGpuArchs() const override {
    return {"gfx90a", "gfx942", "gfx908", "gfx1030", "gfx1100"};
  }

protected:
  FailureOr<std::vector<uint8_t>>
  serialize(ModuleOp kernels, llvm::StringRef arch) const override {
    MLIRContext *context = kernels.getContext();
    DialectRegistry registry;
    registry.insert<ROCDL::ROCDLDialect>();
    ROCDL::registerROCDLTargetInterfaceExternalModels(registry);
    registerBuiltinDialectTranslation(registry);
    registerGPUDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    registerROCDLDialectTranslation(registry);
    context->appendDialectRegistry(registry);

    std::string error;
    bool temporary = false;
    FailureOr<std::string> toolkit = makeToolkit(error, temporary);
    if (failed(toolkit))
      return emitError(kernels.getLoc()) << error;
    llvm::scope_exit cleanup([&] {
      if (temporary)
        (void)llvm::sys::fs::remove_directories(*toolkit);
    });

    gpu::lowerRemFToCalls(kernels, "__ocml_fmod_f32", "__ocml_fmod_f64");
    PassManager pm(context);
    GpuROCDLAttachTargetOptions attach;
    attach.chip = arch.str();
    attach.optLevel = 3;
    attach.abiVersion = "500";
    pm.addPass(createGpuROCDLAttachTarget(attach));
    pm.addPass(createLowerAffinePass());
    pm.addPass(createSCFToControlFlowPass());
    OpPassManager &module = pm.nest<::mlir::gpu::GPUModuleOp>();
    module.addPass(memref::createExpandStridedMetadataPass());
    module.addPass(createLowerAffinePass());
    ConvertGpuOpsToROCDLOpsOptions rocdl;
    rocdl.chipset = arch.str();
    rocdl.runtime = ::mlir::gpu::amd::Runtime::HIP;
    rocdl.useBarePtrCallConv = true;
    module.addPass(createConvertGpuOpsToROCDLOps(rocdl));
    // Math ops the ROCDL lowering has no library call for (isinf, isnan,
    // ...) become LLVM intrinsics.
    module.addPass(createConvertMathToLLVMPass());
    module.addPass(createCanonicalizerPass());
    module.addPass(createCSEPass());
    module.addPass(createReconcileUnrealizedCastsPass());
    GpuModuleToBinaryPassOptions binary;
    binary.compilationTarget = "bin";
    binary.toolkitPath = *toolkit;
    pm.addPass(createGpuModuleToBinaryPass(binary));
    if (failed(pm.run(kernels)))
      return emitError(kernels.getLoc())
             << "cannot compile the kernels to an HSACO code object for "
             << arch;
    std::vector<uint8_t> hsaco;
    kernels.walk([&](::mlir::gpu::BinaryOp op) {
      for (Attribute attr : op.getObjects()) {
        llvm::StringRef bytes =
            cast<::mlir::gpu::ObjectAttr>(attr).getObject().getValue();
        hsaco.assign(bytes.begin(), bytes.end());
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (hsaco.empty())
      return emitError(kernels.getLoc())
             << "the ROCDL pipeline produced no code object";
    return hsaco;
  }
};

} // namespace

void registerRocmTarget() {
  registerTarget(std::make_unique<RocmTarget>());
}

} // namespace aicc::rocm
