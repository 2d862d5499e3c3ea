//===- Driver.cpp - The aicc command-line driver -------------------------===//
//
// aicc <model.onnx> [--dim batch=1] --target=<name> -o out.aicc
// aicc <model.onnx> --emit=graph|linalg|exec [-o out.mlir]
//
// Diagnostics are printed as "aicc: error: <message>"; messages about a node
// name it with its op type, domain and opset (the importer does that), so
// locations are not printed again.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Driver.h"
#include "compiler/driver/Partition.h"
#include "compiler/Registration.h"
#include "compiler/Pipelines.h"
#include "compiler/onnx/OnnxImporter.h"
#include "dialects/exec/ExecOps.h"
#include "dialects/graph/GraphOps.h"
#include "passes/exec/Passes.h"
#include "passes/graph/Passes.h"
#include "passes/graph/Precision.h"
#include "passes/lowering/Passes.h"
#include "targets/RegisterAll.h"
#include "targets/common/Serializer.h"
#include "targets/common/Target.h"
#include "onnx/onnx_pb.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"
#include "llvm/TargetParser/Host.h"
#include <chrono>
#include <climits>

using namespace mlir;
namespace cl = llvm::cl;

namespace aicc {
namespace {

enum class EmitKind { Graph, Linalg, Exec, Artifact };

struct Options {
  cl::OptionCategory category{"aicc options"};
  cl::opt<std::string> input{cl::Positional,
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
      "target", cl::desc("Target to compile for (--list-targets names them), "
                         "or an accelerator with CPU fallback, e.g. "
                         "npu,avx512"),
      cl::value_desc("name"), cl::cat(category)};
  cl::opt<std::string> gpuArch{
      "gpu-arch",
      cl::desc("GPU chip of --target=cuda (sm_90 default, sm_80, ...) or "
               "--target=rocm (gfx90a default, gfx942, ...)"),
      cl::value_desc("chip"), cl::cat(category)};
  cl::opt<GpuCubin> gpuCubin{
      "gpu-cubin",
      cl::desc("--target=cuda: also store a cubin for the chip, assembled "
               "with the CUDA toolkit's ptxas"),
      cl::values(clEnumValN(GpuCubin::Auto, "auto",
                            "when ptxas is found (default)"),
                 clEnumValN(GpuCubin::On, "on", "always; no ptxas is an error"),
                 clEnumValN(GpuCubin::Off, "off",
                            "PTX only, compiled by the driver at load")),
      cl::init(GpuCubin::Auto), cl::cat(category)};
  cl::opt<bool> listTargets{"list-targets",
                            cl::desc("List the targets and exit"),
                            cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::Prefix,
                             cl::desc("Optimization level 0-3 (default 3)"),
                             cl::init(3), cl::cat(category)};
  cl::opt<std::string> report{
      "report", cl::desc("Print a report to stderr: memory (arena, lower "
                         "bound, no-sharing sum), fusion (kernels before "
                         "and after fusion, what fused with what), "
                         "partition (where each node runs and why, with a "
                         "--target list), precision (the ops --precision "
                         "converted and their weight bytes)"),
      cl::value_desc("memory|fusion|partition|precision"), cl::cat(category)};
  cl::opt<std::string> precision{
      "precision",
      cl::desc("Arithmetic of Conv, MatMul and Gemm with constant weights: "
               "fp32 (default), bf16 (bf16 operands and f32 accumulation, "
               "AVX512-BF16 vdpbf16ps: --target=avx512-vnni or host; AMX-BF16 "
               "tiles: --target=avx512-amx or host on AMX CPUs), fp16 "
               "(fp16 weights, f32 math), int8w (MatMul weights int8 with "
               "a per-column scale, f32 math: decode GEMVs read 4x fewer "
               "bytes); scripts/check-precision measures the error against "
               "fp32"),
      cl::value_desc("fp32|bf16|fp16|int8w"), cl::init("fp32"), cl::cat(category)};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Static shape of a graph input with symbolic or unknown dims, "
               "e.g. --input-shape=input_ids:1x128 (repeatable; "
               "'name:' for a scalar)"),
      cl::value_desc("name:d0xd1x..."), cl::cat(category)};
  cl::list<std::string> dims{
      "dim",
      cl::desc("Value of a symbolic dim, for every input that uses it, e.g. "
               "--dim batch=1 --dim past_sequence=9, or a range that keeps "
               "it dynamic, --dim sequence=1..512 (inclusive; the graph "
               "stage only so far) (repeatable)"),
      cl::value_desc("symbol=N|symbol=LO..HI"), cl::cat(category)};
  // Expanded by the aicc tool before parsing (tools/aicc/DeployConfig.cpp);
  // declared here for --help.
  cl::opt<std::string> config{
      "config",
      cl::desc("Read the deployment (model, targets, precision, quantization, "
               "dims, input shapes and values) from a JSON file; options on "
               "the command line override it (docs/Deployment.md)"),
      cl::value_desc("deploy.json"), cl::cat(category)};
  cl::list<std::string> inputValues{
      "input-value",
      cl::desc("Compile-time value of a graph input that determines shapes "
               "(a Reshape's shape, a Slice's starts...); the input leaves "
               "the signature (repeatable)"),
      cl::value_desc("name=@file.npy|name=v0,v1,..."), cl::cat(category)};
  cl::opt<std::string> kvCache{
      "kv-cache",
      cl::desc("Make KV-cache pairs persistent session state updated in "
               "place: 'auto' (past_key_values.N.* <-> present.N.*) or "
               "PAST:PRESENT,... (docs/Pipeline.md, KV cache in place)"),
      cl::value_desc("auto|PAST:PRESENT,..."), cl::cat(category)};
  cl::opt<std::string> convAlgorithm{
      "conv-algorithm",
      cl::desc("How convs are computed: auto (default) lets the target pick "
               "a fast algorithm where it pays (avx512: Winograd F(2x2,3x3) "
               "for 3x3 stride-1 fp32 convs of >= 64 input and output "
               "channels on maps of >= 16 2x2 tiles, 2.25x fewer "
               "multiply-adds; its rounding differs from the direct sum by "
               "about 1e-6 of the output's scale, and its transformed "
               "weights take 2x the bytes in the artifact), direct the "
               "direct kernel for every conv"),
      cl::value_desc("auto|direct"), cl::init("auto"), cl::cat(category)};
  cl::opt<std::string> kvCacheLayout{
      "kv-cache-layout",
      cl::desc("Layout of the --kv-cache state: contiguous (default; one "
               "buffer of the maximum length) or paged[:block=N] (blocks of "
               "N tokens, default 16, through a block table; memory grows "
               "with the sequence)"),
      cl::value_desc("contiguous|paged:block=N"), cl::init("contiguous"),
      cl::cat(category)};
};

/// Converts an MLIR diagnostic to the form both entry points report: a
/// message about a node names it once (later stages say what failed, the
/// location says where).
CompileDiagnostic toCompileDiagnostic(Diagnostic &diag) {
  CompileDiagnostic result;
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    result.severity = CompileDiagnostic::Severity::Error;
    break;
  case DiagnosticSeverity::Warning:
    result.severity = CompileDiagnostic::Severity::Warning;
    break;
  default:
    result.severity = CompileDiagnostic::Severity::Note;
    break;
  }
  std::string message = diag.str();
  result.node = graph::getNodeName(diag.getLocation()).str();
  const std::string &node = result.node;
  if (!node.empty() && !StringRef(message).starts_with("node '") &&
      !StringRef(message).contains("'" + node + "'"))
    message = "node '" + node + "': " + message;
  result.message = std::move(message);
  for (Diagnostic &note : diag.getNotes())
    result.notes.push_back(note.str());
  return result;
}

void printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  CompileDiagnostic converted = toCompileDiagnostic(diag);
  os << "aicc: ";
  switch (converted.severity) {
  case CompileDiagnostic::Severity::Error:
    llvm::WithColor(os, llvm::HighlightColor::Error) << "error: ";
    break;
  case CompileDiagnostic::Severity::Warning:
    llvm::WithColor(os, llvm::HighlightColor::Warning) << "warning: ";
    break;
  case CompileDiagnostic::Severity::Note:
    llvm::WithColor(os, llvm::HighlightColor::Note) << "note: ";
    break;
  }
  os << converted.message << "\n";
  for (const std::string &note : converted.notes)
    os << "aicc: note: " << note << "\n";
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

/// Whether runAiccMain registered MLIR's command-line options (compileModel
/// does not: applyPassManagerCLOptions fails without them).
bool commandLineOptionsRegistered = false;

LogicalResult runPipeline(ModuleOp module,
                          llvm::function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  // Hidden options for developers: --mlir-timing (time per pass),
  // --mlir-print-ir-after-all, ...
  if (commandLineOptionsRegistered) {
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    auto timing = std::make_unique<DefaultTimingManager>();
    applyDefaultTimingManagerCLOptions(*timing);
    if (timing->isEnabled())
      pm.enableTiming(std::move(timing));
  }
  build(pm);
  return pm.run(module);
}

/// --report=precision: the ops --precision converted (node, op, weight
/// bytes before and after) and the totals.
void printPrecisionReport(ModuleOp module, StringRef precision,
                          llvm::raw_ostream &os) {
  int64_t ops = 0, f32Bytes = 0, narrowBytes = 0;
  os << "precision " << precision << ": ops with lower-precision operands\n";
  module.walk([&](Operation *op) {
    if (!op->hasAttr("aicc.precision"))
      return;
    ++ops;
    int64_t elements = 0, narrowWidth = 2;
    for (Value operand : op->getOperands())
      if (auto castOp = operand.getDefiningOp<graph::CastOp>())
        if (castOp.getInput().getDefiningOp<graph::ConstantOp>()) {
          elements = cast<RankedTensorType>(castOp.getType()).getNumElements();
          // int8w weights are 1 byte (their scales are not counted).
          narrowWidth = llvm::divideCeil(
              cast<RankedTensorType>(castOp.getInput().getType())
                  .getElementTypeBitWidth(),
              8);
        }
    f32Bytes += 4 * elements;
    narrowBytes += narrowWidth * elements;
    StringRef node = graph::getNodeName(op->getLoc());
    os << "  " << (node.empty() ? StringRef("<unnamed>") : node) << " ("
       << op->getName().stripDialect() << "): " << elements
       << " weights, " << 4 * elements << " -> " << narrowWidth * elements
       << " bytes\n";
  });
  os << "  " << ops << " ops; weights " << f32Bytes << " -> " << narrowBytes
     << " bytes; error against fp32: scripts/check-precision\n";
}

/// Why --conv-algorithm=`algorithm` is not one, or "" when it is.
std::string checkConvAlgorithm(StringRef algorithm) {
  if (algorithm == "auto" || algorithm == "direct")
    return "";
  return "--conv-algorithm='" + algorithm.str() + "': expected auto or direct";
}

/// Why `target` cannot compile --precision=`precision`, or "" when it can.
/// bf16 needs AVX512-BF16 (vdpbf16ps): without it Halide would emulate the
/// bf16 dot products with shifts and f32 FMAs, slower than fp32, so the
/// request is an error rather than a silent slowdown.
std::string checkPrecision(StringRef precision, const Target *target,
                           bool partitioned) {
  if (precision != "fp32" && !graph::isLowerPrecision(precision))
    return "unknown --precision '" + precision.str() +
           "' (available: fp32, bf16, fp16, int8w)";
  if (precision == "fp32" || !target)
    return "";
  if (partitioned)
    return "--precision=" + precision.str() +
           " is not supported with a target list yet";
  if (precision != "bf16")
    return "";
  StringRef name = target->getName();
  if (name == "avx512-vnni" || name == "avx512-amx")
    return "";
  if (name == "host") {
    if (llvm::sys::getHostCPUFeatures().lookup("avx512bf16"))
      return "";
    return "--precision=bf16 needs AVX512-BF16 (vdpbf16ps), which this CPU "
           "lacks; compile with --target=avx512-vnni for a CPU that has it, "
           "or use --precision=fp32";
  }
  if (name == "avx512")
    return "--precision=bf16 needs AVX512-BF16 (vdpbf16ps), which "
           "--target=avx512 (Skylake-SP level) lacks; use "
           "--target=avx512-vnni (Zen 4, Sapphire Rapids) or --target=host";
  return "--precision=bf16 is not supported by --target=" + name.str() +
         " (only avx512-vnni, avx512-amx and host)";
}

/// A warning for --precision=bf16 on --target=host where vdpbf16ps is slow,
/// or "". Intel's CPUs with AMX (Sapphire Rapids and later) run vdpbf16ps
/// zmm at half the multiply-add rate of f32 FMAs (measured on this
/// project's Xeon: 41 vs 82 G multiply-adds/s per core), so compute-bound
/// convs and matmuls get slower than fp32; their bf16 peak is AMX-BF16,
/// which the kernels use there (AmxBf16Kernels.h) when the CPU also has
/// AMX-INT8 (every AMX CPU so far). Zen 4 runs vdpbf16ps at twice the
/// multiply-adds of an FMA.
std::string precisionWarning(StringRef precision, const Target *target) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (precision != "bf16" || !target || target->getName() != "host" ||
      !features.lookup("amx-bf16") ||
      (features.lookup("amx-tile") && features.lookup("amx-int8")))
    return "";
  return "--precision=bf16: this CPU (AMX-BF16, Intel Sapphire Rapids or "
         "later) runs vdpbf16ps at half the multiply-add rate of f32 FMAs, "
         "so compute-bound convs and matmuls are slower than with fp32 "
         "(aicc's AMX kernels need AMX-INT8 too; docs/Pipeline.md, Lower "
         "precisions)";
}

/// The compiler proper, shared by `aicc` and compileModel: graph rewrites
/// (every kind), then for all but Graph the lowering to linalg, for Exec and
/// Artifact the target configuration and the exec pipeline, and for Artifact
/// the kernels and the serialized module in `artifact`. The memory report
/// goes to `reportOS` when `report` is "memory".
LogicalResult runCompiler(ModuleOp module, EmitKind emit, const Target *target,
                          TargetOptions &targetOptions, StringRef report,
                          llvm::raw_ostream &reportOS,
                          std::vector<uint8_t> &artifact,
                          const PartitionTargets *partition = nullptr,
                          StringRef precision = "fp32") {
  // Graph-level rewrites for every --emit kind, --emit=graph included;
  // value symbols only where dynamic dims compile (the CPU targets).
  bool valueSymbols = !partition && (!target || target->getDeviceKind() ==
                                                    fb::DeviceKind::Cpu);
  if (failed(runPipeline(module, [&](OpPassManager &pm) {
        buildGraphPipelineFor(pm, valueSymbols);
      })))
    return failure();
  // --kv-cache: past/present pairs become state (before any lowering).
  // (--kv-cache-layout=paged:block=N: the module's aicc.kv_block, set by
  // setKvCacheLayout.)
  if (!targetOptions.kvCache.empty() &&
      failed(runPipeline(module, [&](OpPassManager &pm) {
        buildKvCachePipeline(pm, targetOptions.kvCache);
      })))
    return failure();
  // --precision=bf16|fp16: lower-precision operands for the matrix products.
  if (precision != "fp32") {
    if (failed(runPipeline(module, [&](OpPassManager &pm) {
          pm.addNestedPass<func::FuncOp>(graph::createConvertPrecisionPass(
              graph::ConvertPrecisionPassOptions{precision.str()}));
        })))
      return failure();
    if (report == "precision")
      printPrecisionReport(module, precision, reportOS);
  }
  if (emit == EmitKind::Graph)
    return success();
  // --target=npu,avx512 (compiler/driver/Partition.cpp).
  if (partition)
    return runPartitionedCompiler(
        module, *partition, targetOptions,
        emit == EmitKind::Linalg ? PartitionStage::Linalg
        : emit == EmitKind::Exec ? PartitionStage::Exec
                                 : PartitionStage::Artifact,
        report, reportOS, artifact, runPipeline, getVersionString());
  // Target-specific graph passes (op selection, capability checks).
  if (target && failed(runPipeline(module, [&](OpPassManager &pm) {
        target->buildGraphPipeline(pm, targetOptions);
      })))
    return failure();
  StringRef targetName = target ? target->getName() : "";
  // Dynamic dims: only the CPU targets (avx512, host) compile them.
  bool allowDynamicDims =
      !target || target->getDeviceKind() == fb::DeviceKind::Cpu;
  if (failed(runPipeline(module,
                         [&](OpPassManager &pm) {
                           buildGraphToLinalgPipelineFor(pm, targetName,
                                                      allowDynamicDims);
                         })) ||
      failed(lowering::reportUnloweredOps(module, targetName)))
    return failure();
  if (emit == EmitKind::Linalg)
    return success();
  // Without --target, --emit=exec shows the target-neutral schedule.
  if (failed(runPipeline(module, [&](OpPassManager &pm) {
        if (!target) {
          buildExecPipeline(pm);
          return;
        }
        target->buildConfigurationPipeline(pm, targetOptions);
        buildExecPipeline(pm, [&](OpPassManager &nested) {
          target->buildSchedulePipeline(nested, targetOptions);
        });
      })))
    return failure();
  if (report == "memory")
    exec::printMemoryReport(module, reportOS);
  if (report == "fusion")
    exec::printFusionReport(module, reportOS);
  if (emit != EmitKind::Artifact)
    return success();
  FailureOr<ExecutableBinary> binary =
      target->compileExecutable(module, targetOptions);
  if (failed(binary))
    return failure();
  SerializeOptions serializeOptions;
  serializeOptions.producer = getVersionString();
  serializeOptions.targets = {target->getName().str()};
  return serializeModule(module, *binary, artifact, serializeOptions);
}

/// Writes what `write` prints to `path` ("-": stdout), streaming (a model's
/// MLIR can be gigabytes). A file is written next to its destination under a
/// temporary name and renamed over it only once it is complete, so a failed
/// write (a full disk) never destroys what was there.
LogicalResult writeOutput(StringRef path,
                          llvm::function_ref<void(llvm::raw_ostream &)> write) {
  if (path == "-") {
    write(llvm::outs());
    llvm::outs().flush();
    if (llvm::outs().has_error()) {
      llvm::outs().clear_error();
      llvm::errs() << "aicc: error: cannot write to standard output\n";
      return failure();
    }
    return success();
  }
  auto report = [&](std::error_code ec) {
    llvm::errs() << "aicc: error: cannot write '" << path
                 << "': " << ec.message() << "\n";
    return failure();
  };
  auto writeAll = [&](llvm::raw_fd_ostream &os) -> LogicalResult {
    write(os);
    os.close();
    if (std::error_code ec = os.error()) {
      os.clear_error();
      return report(ec);
    }
    return success();
  };
  // A device or pipe (/dev/null, a fifo) is written in place.
  llvm::sys::fs::file_status status;
  if (!llvm::sys::fs::status(path, status) &&
      llvm::sys::fs::exists(status) &&
      !llvm::sys::fs::is_regular_file(status)) {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return report(ec);
    return writeAll(os);
  }
  SmallString<256> directory(path);
  llvm::sys::path::remove_filename(directory);
  SmallString<256> pattern(directory);
  llvm::sys::path::append(pattern, "." +
                                       llvm::sys::path::filename(path).str() +
                                       "-%%%%%%.tmp");
  int fd;
  SmallString<256> temporary;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(pattern, fd, temporary))
    return report(ec);
  llvm::scope_exit removeTemporary(
      [&] { (void)llvm::sys::fs::remove(temporary); });
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (failed(writeAll(os)))
      return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path))
    return report(ec);
  removeTemporary.release();
  return success();
}

/// Checks `arch` (--gpu-arch; "" = the target's default) against what
/// `target` accepts; fills `error` when it is not valid.
LogicalResult checkGpuArch(const Target *target, StringRef arch,
                           std::string &error) {
  if (arch.empty())
    return success();
  std::vector<std::string> archs = target ? target->getGpuArchs()
                                          : std::vector<std::string>{};
  if (archs.empty()) {
    error = "--gpu-arch needs a GPU target (--target=cuda or --target=rocm)";
    return failure();
  }
  if (llvm::is_contained(archs, arch.str()))
    return success();
  error = "unknown --gpu-arch '" + arch.str() + "' for --target=" +
          target->getName().str() + " (valid: " + llvm::join(archs, ", ") +
          ")";
  return failure();
}

/// --kv-cache-layout=paged:block=N (`block` > 0): marks `module` with
/// `aicc.kv_block = N` for aicc-graph-kv-cache-in-place.
void setKvCacheLayout(ModuleOp module, int64_t block) {
  if (block > 0)
    module->setAttr(
        "aicc.kv_block",
        IntegerAttr::get(IntegerType::get(module.getContext(), 64), block));
}


std::string listTargetNames() {
  std::string names;
  for (const Target *t : getRegisteredTargets())
    names += (names.empty() ? "" : ", ") + t->getName().str();
  return names;
}

void printTargets(llvm::raw_ostream &os) {
  size_t width = 0;
  for (const Target *t : getRegisteredTargets())
    width = std::max(width, t->getName().size());
  for (const Target *t : getRegisteredTargets())
    os << "  " << t->getName() << std::string(width + 2 - t->getName().size(), ' ')
       << t->getDescription() << "\n";
}

} // namespace

std::optional<int64_t> parseKvCacheLayout(const std::string &text) {
  StringRef layout = text;
  if (layout.empty() || layout == "contiguous")
    return 0;
  if (layout == "paged")
    return 16;
  int64_t block = 0;
  if (!layout.consume_front("paged:block=") || layout.getAsInteger(10, block) ||
      block < 1 || block > 65536)
    return std::nullopt;
  return block;
}

int runAiccMain(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  Options options;
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  commandLineOptionsRegistered = true;
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << getVersionString() << " (MLIR/LLVM " LLVM_VERSION_STRING ")\n";
  });
  // --help shows aicc's own options. LLVM's and MLIR's stay usable (e.g.
  // --mlir-print-debuginfo) but become ReallyHidden, which also keeps them
  // out of llvm::cl's "Did you mean" for a mistyped flag (it suggests only
  // aicc's options and the generic ones: --help, --version...).
  cl::HideUnrelatedOptions(options.category);
  registerAllTargets();
  std::string example = "<target>";
  if (!getRegisteredTargets().empty())
    example = getRegisteredTargets().front()->getName().str();
  std::string overview =
      "aicc: ahead-of-time compiler for ONNX models\n\n"
      "  aicc model.onnx --target=" + example + " -o model.aicc\n"
      "  aicc model.onnx --dim batch=1 --target=" + example +
      " -o model.aicc\n"
      "  aicc model.onnx --emit=graph -o model.mlir\n"
      "  aicc --list-targets\n";
  cl::ParseCommandLineOptions(argc, argv, overview);
  if (options.listTargets) {
    printTargets(llvm::outs());
    return 0;
  }
  if (options.input.empty()) {
    llvm::errs() << "aicc: error: no input model (aicc --help shows the "
                    "usage)\n";
    return 1;
  }
  int64_t kvBlock = 0;
  if (std::optional<int64_t> block =
          parseKvCacheLayout(options.kvCacheLayout)) {
    kvBlock = *block;
  } else {
    llvm::errs() << "aicc: error: --kv-cache-layout='" << options.kvCacheLayout
                 << "' is not a layout (contiguous, paged or paged:block=N "
                    "with N in 1..65536)\n";
    return 1;
  }
  if (kvBlock && options.kvCache.empty()) {
    llvm::errs() << "aicc: error: --kv-cache-layout=" << options.kvCacheLayout
                 << " needs --kv-cache (auto or PAST:PRESENT,...)\n";
    return 1;
  }
  if (options.target.getNumOccurrences() && options.target.empty()) {
    llvm::errs() << "aicc: error: --target needs a name (available: "
                 << listTargetNames() << ")\n";
    return 1;
  }
  if (options.output != "-" &&
      llvm::sys::fs::equivalent(options.input, options.output)) {
    llvm::errs() << "aicc: error: -o '" << options.output
                 << "' is the input model; choose another output file\n";
    return 1;
  }
  const Target *target = nullptr;
  PartitionTargets partition;
  bool partitioned = isTargetList(options.target);
  if (partitioned) {
    std::string error;
    if (failed(parseTargetList(options.target, partition, error))) {
      llvm::errs() << "aicc: error: " << error << "\n";
      return 1;
    }
    target = partition.host;
  } else if (!options.target.empty()) {
    target = lookupTarget(options.target);
    if (!target) {
      llvm::errs() << "aicc: error: unknown --target '" << options.target
                   << "' (available: " << listTargetNames() << ")\n";
      return 1;
    }
  }

  {
    std::string error;
    if (failed(checkGpuArch(target, options.gpuArch, error))) {
      llvm::errs() << "aicc: error: " << error << "\n";
      return 1;
    }
  }
  if (options.gpuCubin.getNumOccurrences() &&
      (!target || target->getName() != "cuda")) {
    llvm::errs() << "aicc: error: --gpu-cubin needs --target=cuda\n";
    return 1;
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  context.printStackTraceOnDiagnostic(false);
  ScopedDiagnosticHandler handler(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });

  // Options are checked before the model is read.
  bool hasTarget = target != nullptr;
  if (std::string error = checkConvAlgorithm(options.convAlgorithm);
      !error.empty()) {
    llvm::errs() << "aicc: error: " << error << "\n";
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
  // Without --target the default product is graph MLIR text; written under
  // an .aicc name it would only fail later, in aicc-run.
  if (!hasTarget && !options.emit.getNumOccurrences() &&
      llvm::StringRef(options.output).ends_with(".aicc")) {
    llvm::errs() << "aicc: error: '" << options.output
                 << "' names an artifact, but no --target was given (e.g. "
                    "--target=avx512 or --target=host; aicc --list-targets "
                    "names them all); for the imported graph use --emit=graph\n";
    return 1;
  }
  if (emit == EmitKind::Artifact && options.output == "-") {
    llvm::errs() << "aicc: error: give the artifact a file name with -o\n";
    return 1;
  }
  if (!options.report.empty() && options.report != "memory" &&
      options.report != "fusion" && options.report != "partition" &&
      options.report != "precision") {
    llvm::errs() << "aicc: error: unknown --report '" << options.report
                 << "' (available: memory, fusion, partition, precision)\n";
    return 1;
  }
  if (std::string error =
          checkPrecision(options.precision, target, partitioned);
      !error.empty()) {
    llvm::errs() << "aicc: error: " << error << "\n";
    return 1;
  }
  if (std::string warning = precisionWarning(options.precision, target);
      !warning.empty())
    llvm::WithColor::warning(llvm::errs(), "aicc") << warning << "\n";
  if (options.report == "precision" && options.precision == "fp32") {
    llvm::errs() << "aicc: error: --report=precision needs --precision=bf16 "
                    "or fp16\n";
    return 1;
  }
  if (options.report == "partition" && !partitioned) {
    llvm::errs() << "aicc: error: --report=partition needs a target list, "
                    "e.g. --target=npu,avx512\n";
    return 1;
  }

  ImportOptions importOptions;
  for (const std::string &spec : options.inputShapes) {
    std::string error;
    if (failed(parseInputShape(spec, importOptions, error))) {
      llvm::errs() << "aicc: error: " << error << "\n";
      return 1;
    }
  }
  for (const std::string &spec : options.dims) {
    std::string error;
    if (failed(parseDimValue(spec, importOptions, error))) {
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
  TargetOptions targetOptions;
  targetOptions.optLevel = options.optLevel;
  targetOptions.gpuArch = options.gpuArch;
  targetOptions.gpuCubin = options.gpuCubin;
  targetOptions.kvCache = options.kvCache;
  targetOptions.convAlgorithm = options.convAlgorithm;
  setKvCacheLayout(*module, kvBlock);
  Progress progress;
  targetOptions.progress = [&](size_t done, size_t total) {
    progress.update(done, total);
  };
  std::vector<uint8_t> artifact;
  if (failed(runCompiler(*module, emit, target, targetOptions, options.report,
                         llvm::errs(), artifact,
                         partitioned ? &partition : nullptr,
                         options.precision)))
    return 1;

  auto write = [&](llvm::raw_ostream &os) {
    if (emit == EmitKind::Artifact) {
      os.write(reinterpret_cast<const char *>(artifact.data()),
               artifact.size());
      return;
    }
    module->print(os);
    os << "\n";
  };
  if (failed(writeOutput(options.output, write)))
    return 1;
  return 0;
}

CompileResult compileModel(const CompileOptions &options) {
  CompileResult result;
  auto fail = [&](std::string message) {
    CompileDiagnostic diag;
    diag.message = std::move(message);
    result.diagnostics.push_back(std::move(diag));
    return std::move(result);
  };
  registerAllTargets();
  const Target *target = lookupTarget(options.target);
  PartitionTargets partition;
  bool partitioned = isTargetList(options.target);
  if (partitioned) {
    std::string listError;
    if (failed(parseTargetList(options.target, partition, listError)))
      return fail(listError);
    target = partition.host;
  }
  if (!target)
    return fail("unknown target '" + options.target +
                "' (available: " + listTargetNames() + ")");
  if (options.optLevel > 3)
    return fail("opt level " + std::to_string(options.optLevel) +
                " is not a level (0-3)");
  if (!options.report.empty() && options.report != "memory" &&
      options.report != "fusion" &&
      (options.report != "partition" || !partitioned) &&
      (options.report != "precision" || options.precision == "fp32"))
    return fail("unknown report '" + options.report +
                "' (available: memory, fusion; partition with a target "
                "list; precision with bf16 or fp16)");
  if (std::string error = checkPrecision(options.precision, target,
                                         partitioned);
      !error.empty())
    return fail(error);
  if (std::string warning = precisionWarning(options.precision, target);
      !warning.empty()) {
    CompileDiagnostic diag;
    diag.severity = CompileDiagnostic::Severity::Warning;
    diag.message = warning;
    result.diagnostics.push_back(std::move(diag));
  }
  {
    std::string archError;
    if (failed(checkGpuArch(target, options.gpuArch, archError)))
      return fail(archError);
  }
  ImportOptions importOptions;
  importOptions.baseDir = options.baseDir;
  std::string error;
  for (const std::string &spec : options.inputShapes)
    if (failed(parseInputShape(spec, importOptions, error)))
      return fail(error);
  for (const std::string &spec : options.dims)
    if (failed(parseDimValue(spec, importOptions, error)))
      return fail(error);
  for (const std::string &spec : options.inputValues)
    if (failed(parseInputValue(spec, importOptions, error)))
      return fail(error);

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  context.printStackTraceOnDiagnostic(false);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    result.diagnostics.push_back(toCompileDiagnostic(diag));
    return success();
  });

  OwningOpRef<ModuleOp> module;
  if (!options.modelPath.empty()) {
    module = importOnnxFile(context, options.modelPath, importOptions);
  } else {
    onnx::ModelProto model;
    google::protobuf::io::CodedInputStream stream(
        reinterpret_cast<const uint8_t *>(options.modelBytes.data()),
        options.modelBytes.size());
    stream.SetTotalBytesLimit(INT_MAX);
    if (options.modelBytes.empty() || !model.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage() || !model.has_graph() ||
        model.ir_version() <= 0)
      return fail("the model bytes are not an ONNX model (the protobuf does "
                  "not parse, or it has no graph or IR version)");
    module = importOnnxModel(context, model, importOptions);
  }
  bool hasError = llvm::any_of(result.diagnostics, [](auto &diag) {
    return diag.severity == CompileDiagnostic::Severity::Error;
  });
  if (!module || hasError) {
    if (!hasError)
      return fail("the model did not import");
    return result;
  }

  TargetOptions targetOptions;
  targetOptions.optLevel = options.optLevel;
  targetOptions.gpuArch = options.gpuArch;
  targetOptions.kvCache = options.kvCache;
  if (std::string error = checkConvAlgorithm(options.convAlgorithm);
      !error.empty())
    return fail(error);
  targetOptions.convAlgorithm = options.convAlgorithm;
  if (!options.kvCache.empty())
    setKvCacheLayout(*module, options.kvBlock);
  if (options.progress)
    targetOptions.progress = options.progress;
  std::vector<uint8_t> artifact;
  llvm::raw_string_ostream reportOS(result.report);
  LogicalResult compiled =
      runCompiler(*module, EmitKind::Artifact, target, targetOptions,
                  options.report, reportOS, artifact,
                  partitioned ? &partition : nullptr, options.precision);
  reportOS.flush();
  if (failed(compiled) || artifact.empty()) {
    if (llvm::none_of(result.diagnostics, [](auto &diag) {
          return diag.severity == CompileDiagnostic::Severity::Error;
        }))
      return fail("the compile failed without a diagnostic");
    return result;
  }
  result.artifact = std::move(artifact);
  return result;
}

std::vector<std::string> getTargetNames() {
  registerAllTargets();
  std::vector<std::string> names;
  for (const Target *t : getRegisteredTargets())
    names.push_back(t->getName().str());
  return names;
}

} // namespace aicc
