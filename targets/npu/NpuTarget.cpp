//===- NpuTarget.cpp - The npu target: RNPU command streams ---------------===//
//
// Where the npu target sits (docs/RNPU.md, compiler section): its graph
// pipeline checks, after FuseQDQ, that RNPU runs every node and fails
// listing all that it does not (aicc-npu-check-support); code generation
// per op is targets/npu/ConvCodegen.*, run by aicc-npu-form-kernels, which
// leaves one opaque kernel op per node for dispatch formation;
// compileExecutable collects their streams into one rnpu-1.0 blob.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/NpuTarget.h"

#include "targets/common/Target.h"
#include "targets/npu/NpuConfig.h"
#include "targets/npu/NpuSupport.h"
#include "targets/npu/Passes.h"

#include "hal/npu/RnpuBlob.h"

#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

namespace aicc::npu {

namespace {

class NpuTarget final : public Target {
public:
  llvm::StringRef getName() const override { return "npu"; }
  llvm::StringRef getDescription() const override {
    return "RNPU reference int8 NPU (simulated; docs/RNPU.md), command "
           "streams in rnpu-1.0 blobs; --npu-config=FILE";
  }
  fb::DeviceKind getDeviceKind() const override { return fb::DeviceKind::Npu; }
  llvm::StringRef getBinaryFormat() const override { return rnpu::kBlobFormat; }

  void buildGraphPipeline(OpPassManager &pm,
                          const TargetOptions &) const override {
    CheckSupportOptions options;
    options.configPath = getNpuConfigOption().str();
    pm.addPass(createCheckSupport(options));
    FormKernelsOptions formOptions;
    formOptions.configPath = options.configPath;
    pm.addPass(createFormKernels(formOptions));
  }

  FailureOr<ExecutableBinary>
  compileExecutable(ModuleOp module,
                    const TargetOptions &options) const override {
    rnpu::RnpuConfig config;
    std::string error;
    if (!loadNpuConfig(getNpuConfigOption(), config, error))
      return emitError(module.getLoc()) << "--npu-config: " << error;
    SmallVector<func::FuncOp> kernels;
    module.walk([&](exec::ExecutableOp executable) {
      for (auto f : executable.getBody().getOps<func::FuncOp>())
        kernels.push_back(f);
    });
    rnpu::RnpuBlob blob;
    blob.config = config;
    ExecutableBinary binary;
    for (func::FuncOp kernel : kernels) {
      FailureOr<rnpu::RnpuEntry> entry = compileKernel(kernel);
      if (failed(entry))
        return failure();
      blob.entries.push_back(std::move(*entry));
      binary.entryPoints[kernel.getSymName().str()] = kernel.getSymName().str();
      if (options.progress)
        options.progress(blob.entries.size(), kernels.size());
    }
    binary.device = getDeviceKind();
    binary.format = getBinaryFormat().str();
    binary.data = rnpu::encodeBlob(blob);
    return binary;
  }

private:
  /// The RNPU entry of one kernel: the stream of its one npu op, with the
  /// stream's bindings (x, weights, bias, multipliers, y) renumbered to the
  /// kernel's (arguments, then results).
  static FailureOr<rnpu::RnpuEntry> compileKernel(func::FuncOp kernel) {
    linalg::GenericOp npuOp;
    int count = 0;
    kernel.walk([&](linalg::GenericOp op) {
      if (op->hasAttr("aicc.npu.stream")) {
        npuOp = op;
        ++count;
      }
    });
    if (count != 1)
      return kernel.emitError()
             << "kernel '" << kernel.getSymName() << "' holds " << count
             << " RNPU ops; the npu target compiles kernels of exactly one "
                "(an op it did not select reached it)";
    auto stream = npuOp->getAttrOfType<StringAttr>("aicc.npu.stream");
    rnpu::RnpuEntry entry;
    entry.name = kernel.getSymName().str();
    rnpu::Status status = rnpu::decodeProgram(
        reinterpret_cast<const uint8_t *>(stream.getValue().data()),
        stream.getValue().size(), &entry.program);
    if (!status.ok())
      return npuOp.emitError() << "invalid RNPU stream: " << status.message;
    auto bytesOf = [](Type type) -> uint64_t {
      auto shaped = cast<ShapedType>(type);
      return uint64_t(shaped.getNumElements()) *
             ((shaped.getElementTypeBitWidth() + 7) / 8);
    };
    unsigned numArgs = kernel.getNumArguments();
    for (Type t : kernel.getArgumentTypes()) {
      entry.bindingSizes.push_back(bytesOf(t));
      entry.bindingWritable.push_back(false);
    }
    for (Type t : kernel.getResultTypes()) {
      entry.bindingSizes.push_back(bytesOf(t));
      entry.bindingWritable.push_back(true);
    }
    // Stream binding -> kernel binding.
    SmallVector<int> remap;
    for (Value input : npuOp.getDpsInputs()) {
      auto arg = dyn_cast<BlockArgument>(input);
      if (!arg || arg.getOwner()->getParentOp() != kernel)
        return npuOp.emitError()
               << "an operand of the RNPU op is not a kernel argument";
      remap.push_back(arg.getArgNumber());
    }
    int result = -1;
    auto ret = cast<func::ReturnOp>(kernel.getBody().front().getTerminator());
    for (OpOperand &operand : ret->getOpOperands())
      if (operand.get() == npuOp.getResult(0))
        result = numArgs + operand.getOperandNumber();
    if (result < 0)
      return npuOp.emitError() << "the RNPU op's result is not a kernel result";
    remap.push_back(result);
    for (rnpu::Instruction &inst : entry.program)
      if (inst.opcode == rnpu::Opcode::DmaLoad ||
          inst.opcode == rnpu::Opcode::DmaStore)
        inst.dma.binding = uint8_t(remap[inst.dma.binding]);
    return entry;
  }
};

} // namespace

void buildNpuPartitionPipeline(OpPassManager &pm) {
  FormKernelsOptions options;
  options.configPath = getNpuConfigOption().str();
  options.partition = true;
  pm.addPass(createFormKernels(options));
}

LogicalResult collectNpuPlacement(ModuleOp module,
                                  std::vector<NodePlacement> &out) {
  rnpu::RnpuConfig config;
  std::string error;
  if (!loadNpuConfig(getNpuConfigOption(), config, error))
    return emitError(module.getLoc()) << "--npu-config: " << error;
  module.walk([&](Operation *op) {
    if (!isa<graph::GraphDialect>(op->getDialect()) ||
        isa<graph::ConstantOp>(op))
      return;
    NodePlacement placement;
    StringRef name = graph::getNodeName(op->getLoc());
    placement.node = name.empty() ? "?" : name.str();
    placement.opType = graph::getOnnxOpType(op).str();
    placement.whyNotNpu = whyUnsupported(op, config);
    out.push_back(std::move(placement));
  });
  return success();
}

bool isNpuKernel(func::FuncOp kernel) {
  bool found = false;
  kernel.walk([&](linalg::GenericOp op) {
    if (op->hasAttr("aicc.npu.stream")) {
      found = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return found;
}

void registerNpuTargets() {
  registerTarget(std::make_unique<NpuTarget>());
  registerAiccNpuPasses();
}

} // namespace aicc::npu
