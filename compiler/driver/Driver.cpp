//===- Driver.cpp - The aicc command-line driver -------------------------===//
//
// aicc <model.onnx> [--input-shape=x:1x3x224x224] --emit=graph [-o out.mlir]
//
// Diagnostics are printed as "aicc: error: <message>"; messages about a node
// name it with its op type, domain and opset (the importer does that), so
// locations are not printed again.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"
#include "compiler/Registration.h"
#include "compiler/onnx/OnnxImporter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace aicc {
namespace {

enum class EmitKind { Graph };

struct Options {
  cl::OptionCategory category{"aicc options"};
  cl::opt<std::string> input{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.onnxtxt>"),
                             cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::cat(category)};
  cl::opt<EmitKind> emit{
      "emit", cl::desc("What to produce"), cl::init(EmitKind::Graph),
      cl::values(clEnumValN(EmitKind::Graph, "graph",
                            "the imported graph-dialect MLIR")),
      cl::cat(category)};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Static shape of a graph input with symbolic or unknown dims, "
               "e.g. --input-shape=input_ids:1x128 (repeatable; "
               "'name:' for a scalar)"),
      cl::value_desc("name:d0xd1x..."), cl::cat(category)};
};

void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  os << "aicc: ";
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    llvm::WithColor(os, llvm::HighlightColor::Error) << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    llvm::WithColor(os, llvm::HighlightColor::Warning) << "warning: ";
    break;
  default:
    llvm::WithColor(os, llvm::HighlightColor::Note) << "note: ";
    break;
  }
  os << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    os << "aicc: note: " << note.str() << "\n";
}

} // namespace

int runAiccMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  Options options;
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << getVersionString() << " (MLIR/LLVM " LLVM_VERSION_STRING ")\n";
  });
  cl::HideUnrelatedOptions({&options.category, &cl::getGeneralCategory()});
  cl::ParseCommandLineOptions(
      argc, argv,
      "aicc: ahead-of-time compiler for ONNX models\n\n"
      "  aicc model.onnx --emit=graph -o model.mlir\n"
      "  aicc model.onnx --input-shape=x:1x3x224x224 --emit=graph\n");

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  context.printStackTraceOnDiagnostic(false);
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });

  ImportOptions importOptions;
  for (const std::string &spec : options.inputShapes) {
    std::string error;
    if (failed(parseInputShape(spec, importOptions, error))) {
      llvm::errs() << "aicc: error: " << error << "\n";
      return 1;
    }
  }
  OwningOpRef<ModuleOp> module =
      importOnnxFile(context, options.input, importOptions);
  if (!module)
    return 1;

  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    llvm::errs() << "aicc: error: " << error << "\n";
    return 1;
  }
  switch (options.emit) {
  case EmitKind::Graph:
    module->print(out->os());
    out->os() << "\n";
    break;
  }
  out->keep();
  return 0;
}

} // namespace aicc
