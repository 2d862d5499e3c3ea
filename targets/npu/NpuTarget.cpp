//===- NpuTarget.cpp - The npu target: RNPU command streams ---------------===//
//
// Where the npu target sits (docs/RNPU.md, compiler section): its graph
// pipeline checks, after FuseQDQ, that RNPU runs every node and fails
// listing all that it does not (aicc-npu-check-support); code generation
// per op is targets/npu/ConvCodegen.*. Handing the generated streams to the
// exec schedule (one npu dispatch per supported node instead of the linalg
// lowering) is the next step; until then compileExecutable reports it.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/NpuTarget.h"

#include "targets/common/Target.h"
#include "targets/npu/NpuConfig.h"
#include "targets/npu/Passes.h"

#include "hal/npu/RnpuBlob.h"

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
  }

  FailureOr<ExecutableBinary>
  compileExecutable(ModuleOp module, const TargetOptions &) const override {
    return emitError(module.getLoc())
           << "--target=npu: every node runs on RNPU, but handing RNPU "
              "command streams to the exec schedule is not implemented yet "
              "(docs/RNPU.md, compiler section)";
  }
};

} // namespace

void registerNpuTargets() {
  registerTarget(std::make_unique<NpuTarget>());
  registerAiccNpuPasses();
}

} // namespace aicc::npu
