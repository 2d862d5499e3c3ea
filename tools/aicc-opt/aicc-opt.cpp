//===- aicc-opt.cpp - Run aicc passes and pipelines on MLIR --------------===//
//
// mlir-opt with aicc's dialects and passes registered: every registered pass
// or pipeline can run alone, which is how the lit tests check each stage.
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  aicc::registerAllDialects(registry);
  aicc::registerAllPasses();
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &os) {
    os << aicc::getVersionString() << "\n";
  });
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "aicc modular optimizer driver\n", registry));
}
