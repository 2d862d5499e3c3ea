//===- Registration.cpp - Dialects and passes aicc registers -------------===//

#include "compiler/Registration.h"
#include "dialects/graph/GraphDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace aicc {

void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, mlir::func::FuncDialect>();
}

void registerAllPasses() { mlir::registerTransformsPasses(); }

const char *getVersionString() { return "aicc " AICC_VERSION; }

} // namespace aicc
