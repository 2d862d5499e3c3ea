//===- Registration.cpp - Dialects and passes aicc registers -------------===//

#include "compiler/Registration.h"
#include "compiler/Pipelines.h"
#include "dialects/exec/ExecDialect.h"
#include "dialects/graph/GraphDialect.h"
#include "passes/exec/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/lowering/Passes.h"
#include "targets/RegisterAll.h"
#include "targets/gpu/GpuTarget.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace aicc {

void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, mlir::func::FuncDialect>();
  registry.insert<exec::ExecDialect>();
  registry.insert<mlir::linalg::LinalgDialect, mlir::tensor::TensorDialect,
                  mlir::arith::ArithDialect, mlir::math::MathDialect>();
  // The GPU targets' dialects and interfaces (bufferization, tiling), so
  // aicc-opt parses their passes' IR.
  gpu::registerGpuDialects(registry);
}

void registerAllPasses() {
  mlir::registerTransformsPasses();
  graph::registerAiccGraphPasses();
  lowering::registerAiccLoweringPasses();
  exec::registerExecPasses();
  registerAllTargets();
  registerPipelines();
}

const char *getVersionString() { return "aicc " AICC_VERSION; }

} // namespace aicc
