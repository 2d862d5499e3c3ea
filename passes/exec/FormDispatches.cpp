//===- FormDispatches.cpp - The three dispatch formation passes in one ----===//
//
// `aicc-form-dispatches` runs aicc-form-dispatch-regions (default policy),
// aicc-clone-producers-into-dispatch-regions and
// aicc-outline-dispatch-regions on the module as one dynamic pipeline, so a
// single flag (with the entry-point and executable-name options) still
// turns @main on tensors into an exec.executable and an exec.schedule.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/Passes.h"

#include "mlir/Pass/PassManager.h"

namespace aicc::exec {
#define GEN_PASS_DEF_FORMDISPATCHES
#include "passes/exec/Passes.h.inc"
} // namespace aicc::exec

using namespace mlir;
using namespace aicc;
using namespace aicc::exec;

namespace {

struct FormDispatchesPass
    : public exec::impl::FormDispatchesBase<FormDispatchesPass> {
  using FormDispatchesBase::FormDispatchesBase;

  void runOnOperation() override {
    OpPassManager pm(ModuleOp::getOperationName());
    addDispatchFormationPasses(pm, /*policy=*/nullptr, entryPoint,
                               executableName);
    if (failed(runPipeline(pm, getOperation())))
      signalPassFailure();
  }
};

} // namespace

void aicc::exec::addDispatchFormationPasses(
    OpPassManager &pm, std::shared_ptr<const DispatchGroupingPolicy> policy,
    StringRef entryPoint, StringRef executableName) {
  FormDispatchRegionsOptions formOptions;
  formOptions.entryPoint = entryPoint.str();
  pm.addPass(createFormDispatchRegions(std::move(policy), formOptions));
  CloneProducersIntoDispatchRegionsOptions cloneOptions;
  cloneOptions.entryPoint = entryPoint.str();
  pm.addPass(createCloneProducersIntoDispatchRegions(cloneOptions));
  OutlineDispatchRegionsOptions outlineOptions;
  outlineOptions.entryPoint = entryPoint.str();
  outlineOptions.executableName = executableName.str();
  pm.addPass(createOutlineDispatchRegions(outlineOptions));
}
