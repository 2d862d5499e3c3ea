//===- CheckSupport.cpp - Fail listing every op RNPU cannot run -----------===//
//
// One error for all unsupported ops of a module (issue 11, item 4): a user
// sees in a single run everything that keeps the model off the NPU.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/NpuConfig.h"
#include "targets/npu/NpuSupport.h"
#include "targets/npu/Passes.h"

#include "dialects/graph/GraphDialect.h"
#include "dialects/graph/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;

namespace aicc::npu {

#define GEN_PASS_DEF_CHECKSUPPORT
#include "targets/npu/Passes.h.inc"

namespace {

struct CheckSupportPass : impl::CheckSupportBase<CheckSupportPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    rnpu::RnpuConfig config;
    std::string error;
    if (!loadNpuConfig(configPath, config, error)) {
      emitError(module.getLoc()) << "--npu-config: " << error;
      return signalPassFailure();
    }
    std::string list;
    int nodes = 0, unsupported = 0;
    module.walk([&](Operation *op) {
      if (!isa<graph::GraphDialect>(op->getDialect()))
        return;
      std::string why = whyUnsupported(op, config);
      if (!isa<graph::ConstantOp>(op))
        ++nodes;
      if (why.empty())
        return;
      ++unsupported;
      StringRef name = graph::getNodeName(op->getLoc());
      list += "\n  node '" + (name.empty() ? std::string("?") : name.str()) +
              "' (ai.onnx::" + graph::getOnnxOpType(op).str() + "): " + why;
    });
    if (!unsupported)
      return;
    emitError(module.getLoc())
        << "RNPU cannot run " << unsupported << " of " << nodes << " node"
        << (nodes == 1 ? "" : "s") << " (--target=npu):" << list;
    signalPassFailure();
  }
};

} // namespace

} // namespace aicc::npu
