//===- GpuTarget.cpp - Kernels to one GPU module (cuda, rocm) -------------===//

#include "targets/gpu/GpuTarget.h"
#include "targets/gpu/Passes.h"

#include "dialects/exec/ExecOps.h"
#include "passes/exec/Passes.h"
#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUCommon/GPUToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/TensorTilingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace aicc::gpu {

void registerGpuDialects(DialectRegistry &registry) {
  registry.insert<affine::AffineDialect, arith::ArithDialect,
                  bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  func::FuncDialect, ::mlir::gpu::GPUDialect,
                  index::IndexDialect, linalg::LinalgDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  tensor::TensorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerTilingInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerTilingInterfaceExternalModels(registry);
  // The LLVM lowering of the gpu.module's ops (convert-gpu-to-nvvm/rocdl).
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  ::mlir::gpu::registerConvertGpuToLLVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
}

namespace {

/// The kernels of the module's exec.executable.
SmallVector<func::FuncOp> collectKernels(ModuleOp module) {
  SmallVector<func::FuncOp> kernels;
  module.walk([&](exec::ExecutableOp executable) {
    for (auto function : executable.getBody().getOps<func::FuncOp>())
      kernels.push_back(function);
  });
  return kernels;
}

/// linalg on tensors → one gpu.func per func.func (docs/Pipeline.md).
void buildKernelPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createGpuTileAndFuse());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createGpuMapToKernels());
  pm.addPass(createParallelForToNestedForsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
}

std::vector<uint32_t> toDims(DenseI32ArrayAttr attr) {
  std::vector<uint32_t> dims;
  if (attr)
    for (int32_t dim : attr.asArrayRef())
      dims.push_back(static_cast<uint32_t>(dim));
  return dims;
}

} // namespace

FailureOr<OwningOpRef<ModuleOp>>
buildGpuKernelModule(ModuleOp module, const TargetOptions &options,
                     std::vector<KernelLaunch> &launches) {
  MLIRContext *context = module.getContext();
  DialectRegistry registry;
  registerGpuDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadDialect<::mlir::gpu::GPUDialect, memref::MemRefDialect,
                       scf::SCFDialect>();

  Location loc = module.getLoc();
  OwningOpRef<ModuleOp> result = ModuleOp::create(loc);
  (*result)->setAttr(::mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                     UnitAttr::get(context));
  OpBuilder builder = OpBuilder::atBlockEnd(result->getBody());
  auto gpuModule = ::mlir::gpu::GPUModuleOp::create(builder, loc, "kernels");

  SmallVector<func::FuncOp> kernels = collectKernels(module);
  for (auto [index, kernel] : llvm::enumerate(kernels)) {
    OwningOpRef<ModuleOp> scratch = ModuleOp::create(kernel.getLoc());
    scratch->getBody()->push_back(kernel.clone());
    PassManager pm(context);
    buildKernelPipeline(pm);
    if (failed(pm.run(*scratch)))
      return kernel.emitError("cannot compile kernel @")
             << kernel.getSymName() << " for the GPU";
    auto compiled = scratch->lookupSymbol<::mlir::gpu::GPUModuleOp>("kernels");
    if (!compiled)
      return kernel.emitError("kernel @")
             << kernel.getSymName() << " produced no GPU code";
    for (Operation &op :
         llvm::make_early_inc_range(compiled.getBody()->getOperations())) {
      if (op.hasTrait<OpTrait::IsTerminator>())
        continue;
      if (auto function = dyn_cast<::mlir::gpu::GPUFuncOp>(op))
        launches.push_back(
            {function.getName().str(),
             toDims(function.getKnownBlockSizeAttr()),
             toDims(function->getAttrOfType<DenseI32ArrayAttr>(
                 "aicc.workgroup_count"))});
      op.moveBefore(gpuModule.getBody(), gpuModule.getBody()->end());
    }
    if (options.progress)
      options.progress(index + 1, kernels.size());
  }
  return result;
}

void lowerRemFToCalls(ModuleOp kernels, StringRef f32Function,
                      StringRef f64Function) {
  kernels.walk([&](::mlir::gpu::GPUModuleOp gpuModule) {
    SmallVector<arith::RemFOp> rems;
    gpuModule.walk([&](arith::RemFOp rem) { rems.push_back(rem); });
    for (arith::RemFOp rem : rems) {
      auto type = dyn_cast<FloatType>(rem.getType());
      if (!type || type.getWidth() > 64)
        continue;
      OpBuilder builder(rem);
      Location loc = rem.getLoc();
      bool isF64 = type.isF64();
      Type callType = isF64 ? Type(builder.getF64Type())
                            : Type(builder.getF32Type());
      StringRef name = isF64 ? f64Function : f32Function;
      if (!gpuModule.lookupSymbol(name)) {
        OpBuilder top = OpBuilder::atBlockBegin(gpuModule.getBody());
        auto declaration = func::FuncOp::create(
            top, loc, name,
            top.getFunctionType({callType, callType}, {callType}));
        declaration.setPrivate();
      }
      Value lhs = rem.getLhs(), rhs = rem.getRhs();
      if (callType != type) {
        lhs = arith::ExtFOp::create(builder, loc, callType, lhs);
        rhs = arith::ExtFOp::create(builder, loc, callType, rhs);
      }
      Value result = func::CallOp::create(builder, loc, name,
                                          TypeRange{callType},
                                          ValueRange{lhs, rhs})
                         .getResult(0);
      if (callType != type)
        result = arith::TruncFOp::create(builder, loc, type, result);
      rem.replaceAllUsesWith(result);
      rem.erase();
    }
  });
}

void GpuTarget::buildSchedulePipeline(OpPassManager &pm,
                                      const TargetOptions &) const {
  pm.addPass(exec::createStageHostBuffers());
}

FailureOr<std::vector<uint8_t>>
GpuTarget::serializeOrBlame(ModuleOp module, ModuleOp kernels,
                            StringRef arch) const {
  MLIRContext *context = kernels.getContext();
  std::vector<std::string> messages;
  FailureOr<std::vector<uint8_t>> bytes = failure();
  {
    OwningOpRef<ModuleOp> all = kernels.clone();
    ScopedDiagnosticHandler capture(context, [&](Diagnostic &diagnostic) {
      if (diagnostic.getSeverity() == DiagnosticSeverity::Error)
        messages.push_back(diagnostic.str());
      return success();
    });
    bytes = serialize(*all, arch);
  }
  if (succeeded(bytes))
    return bytes;
  // Find the kernels at fault: compile each alone and report its failure on
  // the kernel (its location names the ONNX node).
  SmallVector<std::string> names;
  kernels.walk([&](::mlir::gpu::GPUFuncOp function) {
    names.push_back(function.getName().str());
  });
  bool blamed = false;
  for (const std::string &name : names) {
    OwningOpRef<ModuleOp> single = kernels.clone();
    Location location = single->getLoc();
    single->walk([&](::mlir::gpu::GPUFuncOp function) {
      if (function.getName() == name)
        location = function.getLoc();
    });
    SmallVector<::mlir::gpu::GPUFuncOp> others;
    single->walk([&](::mlir::gpu::GPUFuncOp function) {
      if (function.getName() != name)
        others.push_back(function);
    });
    for (::mlir::gpu::GPUFuncOp function : others)
      function.erase();
    std::vector<std::string> kernelMessages;
    LogicalResult compiled = success();
    {
      ScopedDiagnosticHandler capture(context, [&](Diagnostic &diagnostic) {
        if (diagnostic.getSeverity() == DiagnosticSeverity::Error)
          kernelMessages.push_back(diagnostic.str());
        return success();
      });
      compiled = serialize(*single, arch);
    }
    if (succeeded(compiled))
      continue;
    blamed = true;
    InFlightDiagnostic error = emitError(location)
                               << "kernel @" << name << " cannot be compiled "
                               << "for " << getName() << " " << arch;
    for (const std::string &message : kernelMessages)
      error.attachNote() << message;
  }
  if (!blamed) {
    InFlightDiagnostic error = emitError(module.getLoc())
                               << "the kernels cannot be compiled for "
                               << getName() << " " << arch;
    for (const std::string &message : messages)
      error.attachNote() << message;
  }
  return failure();
}

FailureOr<ExecutableBinary>
GpuTarget::compileExecutable(ModuleOp module,
                             const TargetOptions &options) const {
  if (failed(checkToolchain(module.getLoc())))
    return failure();
  std::vector<KernelLaunch> launches;
  FailureOr<OwningOpRef<ModuleOp>> kernels =
      buildGpuKernelModule(module, options, launches);
  if (failed(kernels))
    return failure();
  std::string arch = options.gpuArch;
  if (arch.empty())
    arch = getGpuArchs().front();
  FailureOr<std::vector<uint8_t>> bytes =
      serializeOrBlame(module, **kernels, arch);
  if (failed(bytes))
    return failure();
  ExecutableBinary binary;
  binary.device = getDeviceKind();
  binary.format = getBinaryFormat().str();
  binary.data = std::move(*bytes);
  for (KernelLaunch &launch : launches) {
    binary.entryPoints[launch.name] = launch.name;
    binary.workgroupSizes[launch.name] = std::move(launch.workgroupSize);
    binary.workgroupCounts[launch.name] = std::move(launch.workgroupCount);
  }
  if (failed(addAlternatives(module.getLoc(), binary, arch, options)))
    return failure();
  return binary;
}

void registerGpuPasses() {
  registerAiccGpuPasses();
  PassPipelineRegistration<>(
      "aicc-gpu-lower-kernels",
      "Outlined kernels (func.func on tensors) → gpu.func kernels in "
      "gpu.module @kernels (the cuda/rocm front end)",
      buildKernelPipeline);
}

} // namespace aicc::gpu
