//===- Driver.cpp - The aicc command-line driver -------------------------===//
//
// aicc <model.onnx> [--input-shape=x:1x3x224x224] --target=avx512 -o out.aicc
// aicc <model.onnx> --emit=graph|linalg|exec [-o out.mlir]
//
// Diagnostics are printed as "aicc: error: <message>"; messages about a node
// name it with its op type, domain and opset (the importer does that), so
// locations are not printed again.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"
#include "compiler/Registration.h"
#include "compiler/Pipelines.h"
#include "compiler/onnx/OnnxImporter.h"
#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"
#include "passes/exec/Passes.h"
#include "passes/lowering/Passes.h"
#include "targets/avx512/Avx512Target.h"
#include "targets/avx512/Passes.h"
#include "targets/common/Serializer.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include <chrono>

using namespace mlir;
namespace cl = llvm::cl;

namespace aicc {
namespace {

enum class EmitKind { Graph, Linalg, Exec, Artifact };

struct Options {
  cl::OptionCategory category{"aicc options"};
  cl::opt<std::string> input{cl::Positional, cl::Required,
                             cl::desc("<model.onnx | model.onnxtxt>"),
                             cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::cat(category)};
  cl::opt<EmitKind> emit{
      "emit", cl::desc("What to produce (default: aicc with --target, else "
                       "graph)"),
      cl::values(
          clEnumValN(EmitKind::Graph, "graph",
                     "the imported graph-dialect MLIR"),
          clEnumValN(EmitKind::Linalg, "linalg",
                     "MLIR after lowering to linalg on tensors"),
          clEnumValN(EmitKind::Exec, "exec",
                     "MLIR of the planned schedule and its kernels"),
          clEnumValN(EmitKind::Artifact, "aicc",
                     "the .aicc artifact (needs --target)")),
      cl::cat(category)};
  cl::opt<std::string> target{
      "target",
      cl::desc("Device to compile for: avx512 (any AVX-512 CPU) or host "
               "(every feature of this machine)"),
      cl::value_desc("avx512|host"), cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::Prefix,
                             cl::desc("Optimization level 0-3 (default 3)"),
                             cl::init(3), cl::cat(category)};
  cl::opt<std::string> report{
      "report", cl::desc("Print a report to stderr: memory (arena, lower "
                         "bound, no-sharing sum)"),
      cl::value_desc("memory"), cl::cat(category)};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Static shape of a graph input with symbolic or unknown dims, "
               "e.g. --input-shape=input_ids:1x128 (repeatable; "
               "'name:' for a scalar)"),
      cl::value_desc("name:d0xd1x..."), cl::cat(category)};
  cl::list<std::string> inputValues{
      "input-value",
      cl::desc("Compile-time value of a graph input that determines shapes "
               "(a Reshape's shape, a Slice's starts...); the input leaves "
               "the signature (repeatable)"),
      cl::value_desc("name=@file.npy|name=v0,v1,..."), cl::cat(category)};
};

/// The ONNX node a location names: a NameLoc, possibly inside a FusedLoc or
/// CallSiteLoc.
std::string nodeName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (std::string n = nodeName(inner); !n.empty())
        return n;
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return nodeName(call.getCallee());
  return "";
}

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
  // Messages from later stages say what failed, the location says where.
  std::string message = diag.str();
  std::string node = nodeName(diag.getLocation());
  if (!node.empty() && !StringRef(message).starts_with("node '") &&
      !StringRef(message).contains("'" + node + "'"))
    os << "node '" << node << "': ";
  os << message << "\n";
  for (Diagnostic &note : diag.getNotes())
    os << "aicc: note: " << note.str() << "\n";
}

/// Progress for long compiles: a line that updates in place on a terminal,
/// quarter marks otherwise; silent for compiles under two seconds.
class Progress {
public:
  void update(size_t done, size_t total) {
    double elapsed = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (elapsed < 2.0 && !shown)
      return;
    shown = true;
    if (llvm::sys::Process::StandardErrIsDisplayed()) {
      llvm::errs() << "\raicc: compiling kernels " << done << "/" << total;
      if (done == total)
        llvm::errs() << "\n";
      return;
    }
    unsigned quarter = total ? (4 * done) / total : 4;
    if (quarter != lastQuarter || done == total) {
      llvm::errs() << "aicc: compiling kernels " << done << "/" << total
                   << "\n";
      lastQuarter = quarter;
    }
  }

private:
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
  bool shown = false;
  unsigned lastQuarter = 0;
};

LogicalResult runPipeline(ModuleOp module,
                          llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  build(pm);
  return pm.run(module);
}

/// The kernels of the module's exec.executable.
SmallVector<func::FuncOp> collectKernels(ModuleOp module) {
  SmallVector<func::FuncOp> kernels;
  module.walk([&](exec::ExecutableOp executable) {
    for (auto f : executable.getBody().getOps<func::FuncOp>())
      kernels.push_back(f);
  });
  return kernels;
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
      "  aicc model.onnx --target=avx512 -o model.aicc\n"
      "  aicc model.onnx --input-shape=x:1x3x224x224 --target=host -o m.aicc\n"
      "  aicc model.onnx --emit=graph -o model.mlir\n");

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
  for (const std::string &spec : options.inputValues) {
    std::string error;
    if (failed(parseInputValue(spec, importOptions, error))) {
      llvm::errs() << "aicc: error: " << error << "\n";
      return 1;
    }
  }
  OwningOpRef<ModuleOp> module =
      importOnnxFile(context, options.input, importOptions);
  if (!module)
    return 1;

  bool hasTarget = !options.target.empty();
  if (hasTarget && options.target != "avx512" && options.target != "host") {
    llvm::errs() << "aicc: error: unknown --target '" << options.target
                 << "' (available: avx512, host)\n";
    return 1;
  }
  if (options.optLevel > 3) {
    llvm::errs() << "aicc: error: -O" << options.optLevel
                 << " is not a level (0-3)\n";
    return 1;
  }
  EmitKind emit = options.emit.getNumOccurrences()
                      ? options.emit.getValue()
                      : (hasTarget ? EmitKind::Artifact : EmitKind::Graph);
  if (emit == EmitKind::Artifact && !hasTarget) {
    llvm::errs() << "aicc: error: --emit=aicc needs --target\n";
    return 1;
  }
  if (emit == EmitKind::Artifact && options.output == "-") {
    llvm::errs() << "aicc: error: give the artifact a file name with -o\n";
    return 1;
  }

  std::vector<uint8_t> artifact;
  if (emit != EmitKind::Graph) {
    StringRef targetName = hasTarget ? StringRef(options.target) : "avx512";
    if (failed(runPipeline(*module, buildGraphToLinalgPipeline)) ||
        failed(lowering::reportUnloweredOps(*module, targetName)))
      return 1;
    if (emit != EmitKind::Linalg &&
        failed(runPipeline(*module, [](OpPassManager &pm) {
          pm.addNestedPass<func::FuncOp>(avx512::createPackWeights());
          buildExecPipeline(pm);
        })))
      return 1;
    if (options.report == "memory")
      exec::printMemoryReport(*module, llvm::errs());
    else if (!options.report.empty()) {
      llvm::errs() << "aicc: error: unknown --report '" << options.report
                   << "' (available: memory)\n";
      return 1;
    }
    if (emit == EmitKind::Artifact) {
      avx512::Avx512Options targetOptions;
      targetOptions.cpu = options.target;
      targetOptions.optLevel = options.optLevel;
      Progress progress;
      targetOptions.progress = [&](size_t done, size_t total) {
        progress.update(done, total);
      };
      FailureOr<avx512::KernelLibrary> library =
          avx512::buildKernelLibrary(collectKernels(*module),
                                     module->getLoc(), targetOptions);
      if (failed(library))
        return 1;
      ExecutableBinary binary;
      binary.format = "elf-x86_64";
      binary.data = std::move(library->elf);
      for (const std::string &entry : library->entryPoints)
        binary.entryPoints[entry] = entry;
      binary.requiredFeatures = library->requiredFeatures;
      SerializeOptions serializeOptions;
      serializeOptions.producer = getVersionString();
      serializeOptions.targets = {options.target};
      if (failed(serializeModule(*module, binary, artifact, serializeOptions)))
        return 1;
    }
  }

  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    llvm::errs() << "aicc: error: " << error << "\n";
    return 1;
  }
  if (emit == EmitKind::Artifact) {
    out->os().write(reinterpret_cast<const char *>(artifact.data()),
                    artifact.size());
  } else {
    module->print(out->os());
    out->os() << "\n";
  }
  out->keep();
  return 0;
}

} // namespace aicc
