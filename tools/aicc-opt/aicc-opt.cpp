//===- aicc-opt.cpp - Run aicc passes and pipelines on MLIR --------------===//
//
// mlir-opt with aicc's dialects and passes registered: every registered pass
// or pipeline can run alone, which is how the lit tests check each stage.
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  aicc::registerAllDialects(registry);
  aicc::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "aicc modular optimizer driver\n", registry));
}
