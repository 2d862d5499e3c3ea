//===- Avx512Target.cpp - Kernels to one x86-64 shared object ------------===//

#include "targets/avx512/Avx512Target.h"
#include "targets/avx512/CpuFeatures.h"
#include "targets/avx512/EntryPoints.h"
#include "targets/avx512/HalideSchedule.h"
#include "targets/avx512/KernelObject.h"
#include "targets/avx512/Passes.h"
#include "targets/halide/LinalgToHalide.h"

#include "dialects/exec/ExecOps.h"
#include "mlir/Pass/PassManager.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <csignal>
#include <cstring>
#include <unistd.h>

using namespace mlir;

#ifndef AICC_LLVM_TOOLS_DIR
#define AICC_LLVM_TOOLS_DIR ""
#endif

namespace aicc::avx512 {

using halidegen::CompiledKernel;
using halidegen::HalideCompileOptions;

std::string halideTargetFor(const Avx512Options &options) {
  if (options.cpu == "host")
    return "host";
  // Halide's smallest level with its VNNI (vpdpbusd) and BF16 (vdpbf16ps)
  // patterns; Halide would compile it for CPU znver4 (SSE4A: SIGILL on
  // Intel), so its bitcode is compiled for isaLevelCpuModel instead:
  // AVX-512 F/CD/BW/DQ/VL + VNNI + BF16 (Zen 4, Sapphire Rapids, Cooper
  // Lake; Cascade Lake and Ice Lake lack BF16 and need --target=avx512).
  if (options.cpu == "avx512-vnni" || options.cpu == "avx512-amx")
    return "x86-64-linux-avx512_skylake-avx512_cannonlake-avx512_zen4";
  // AVX-512 F/CD/BW/DQ/VL: every AVX-512 server CPU since Skylake-SP.
  return "x86-64-linux-avx512_skylake";
}

bool usesAmx(const std::string &cpu) {
  if (cpu == "avx512-amx")
    return true;
  if (cpu != "host")
    return false;
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  // AMX-BF16 too: the bf16 kernels of --precision=bf16 (AmxBf16Kernels.h);
  // every AMX CPU so far has both.
  return features.lookup("amx-tile") && features.lookup("amx-int8") &&
         features.lookup("amx-bf16");
}

namespace {

/// Structural key of a kernel: its printed body under a fixed name.
std::string kernelKey(func::FuncOp kernel) {
  func::FuncOp clone = kernel.clone();
  clone.setSymName("k");
  std::string key;
  llvm::raw_string_ostream os(key);
  clone->print(os, OpPrintingFlags().useLocalScope().elideLargeElementsAttrs(
                       1 << 30));
  clone->erase();
  return key;
}

/// ld.lld from the LLVM the compiler was built with, else from PATH.
std::string findLinker() {
  for (const char *name : {"ld.lld", "ld.lld-22"}) {
    if (*AICC_LLVM_TOOLS_DIR) {
      SmallString<256> p(AICC_LLVM_TOOLS_DIR);
      llvm::sys::path::append(p, name);
      if (llvm::sys::fs::can_execute(p))
        return std::string(p);
    }
    if (auto found = llvm::sys::findProgramByName(name))
      return *found;
  }
  return "";
}

/// The scratch directory of the compile in progress, for onInterrupt (a
/// signal handler may only read memory like this, not an std::string).
char scratchDirOnSignal[4096];

/// Run by LLVM's handler of SIGINT/SIGTERM after it has removed the
/// registered scratch files: removes the then empty directory and dies of
/// SIGINT (LLVM does not say which signal came; a process started with
/// SIGINT ignored, as test harnesses do, must die all the same, so its
/// default action is restored first).
void onInterrupt() {
  if (scratchDirOnSignal[0])
    (void)::rmdir(scratchDirOnSignal);
  ::signal(SIGINT, SIG_DFL);
  ::raise(SIGINT);
  ::_exit(128 + SIGINT);
}

} // namespace

FailureOr<KernelLibrary> buildKernelLibrary(ArrayRef<func::FuncOp> kernels,
                                            Location loc,
                                            const Avx512Options &options) {
  SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("aicc-avx512", dir)) {
    emitError(loc) << "cannot create a temporary directory: " << ec.message();
    return failure();
  }
  // Every file written here is also removed if the compile is interrupted
  // (Ctrl-C, SIGTERM: LLVM's signal handler removes registered files), so
  // a killed compile leaves at most the empty directory behind, not the
  // kernels' objects.
  std::vector<std::string> scratchFiles;
  if (dir.size() < sizeof(scratchDirOnSignal)) {
    std::memcpy(scratchDirOnSignal, dir.c_str(), dir.size() + 1);
    llvm::sys::SetInterruptFunction(onInterrupt);
  }
  llvm::scope_exit cleanup([&] {
    llvm::sys::SetInterruptFunction(nullptr);
    scratchDirOnSignal[0] = 0;
    (void)llvm::sys::fs::remove_directories(dir);
    for (const std::string &f : scratchFiles)
      llvm::sys::DontRemoveFileOnSignal(f);
  });
  auto pathIn = [&](StringRef name) {
    SmallString<256> p(dir);
    llvm::sys::path::append(p, name);
    scratchFiles.push_back(std::string(p));
    (void)llvm::sys::RemoveFileOnSignal(p);
    return std::string(p);
  };

  Avx512SchedulePolicy policy;
  policy.amx = usesAmx(options.cpu);
  HalideCompileOptions halideOptions;
  halideOptions.target = halideTargetFor(options);
  halideOptions.policy = &policy;
  halideOptions.naiveSchedule = options.optLevel == 0;
  // The named ISA levels compile Halide's bitcode for their generic CPU
  // model; the others keep the CPU model Halide chooses.
  std::optional<LlvmCpuModel> levelModel = isaLevelCpuModel(options.cpu);
  halideOptions.emitBitcode = levelModel.has_value();
  LlvmCpuModel cpuModel =
      levelModel ? *levelModel : halideCpuModel(halideOptions.target);

  // Compile each distinct kernel once.
  KernelLibrary library;
  llvm::StringMap<size_t> byKey;
  std::vector<std::unique_ptr<CompiledKernel>> compiled;
  std::vector<std::string> objects;
  std::vector<EntryPoint> entries;
  bool failedAny = false;
  for (size_t i = 0; i < kernels.size(); ++i) {
    func::FuncOp kernel = kernels[i];
    std::string key = kernelKey(kernel);
    auto it = byKey.find(key);
    size_t index;
    if (it != byKey.end()) {
      index = it->second;
    } else {
      index = compiled.size();
      // Named after the first kernel that uses it, so that profilers (the
      // perf map) name the node whose loops take the time.
      std::string fn = "aicc_hl_" + std::to_string(index) + "_" +
                       kernel.getSymName().str();
      std::string object = pathIn(fn + ".o");
      std::string halideOutput = levelModel ? pathIn(fn + ".bc") : object;
      FailureOr<CompiledKernel> k = halidegen::compileKernelWithHalide(
          kernel, fn, halideOutput, halideOptions);
      if (succeeded(k) && levelModel) {
        if (llvm::Error err =
                compileBitcodeForCpu(halideOutput, object, *levelModel)) {
          kernel.emitError("cannot compile kernel '")
              << kernel.getSymName() << "' for " << options.cpu << ": "
              << llvm::toString(std::move(err));
          k = failure();
        }
        // The debugging aid's assembly (LinalgToHalide.cpp) is Halide's CPU
        // model's; replace it with the code that runs.
        const char *asmDir = getenv("AICC_HALIDE_ASM_DIR");
        if (asmDir && succeeded(k))
          llvm::consumeError(compileBitcodeForCpu(
              halideOutput,
              std::string(asmDir) + "/" + kernel.getSymName().str() + ".s",
              *levelModel, /*assembly=*/true));
      }
      if (failed(k)) {
        failedAny = true;
        compiled.push_back(nullptr);
      } else {
        compiled.push_back(std::make_unique<CompiledKernel>(std::move(*k)));
        objects.push_back(object);
      }
      byKey[key] = index;
    }
    if (compiled[index]) {
      std::string name = kernel.getSymName().str();
      entries.push_back({name, compiled[index].get()});
      library.entryPoints.push_back(name);
      library.bindingCounts.push_back(compiled[index]->buffers.size());
    }
    if (options.progress)
      options.progress(i + 1, kernels.size());
  }
  if (failedAny)
    return failure();
  library.uniqueKernels = compiled.size();

  std::string entryObject = pathIn("entries.o");
  if (llvm::Error err = writeEntryPointsObject(entries, entryObject)) {
    emitError(loc) << llvm::toString(std::move(err));
    return failure();
  }
  std::string supportObject = pathIn("support.o");
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(supportObject, ec);
    ArrayRef<unsigned char> bytes = kernelSupportObject();
    out.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    if (ec) {
      emitError(loc) << "cannot write " << supportObject << ": "
                     << ec.message();
      return failure();
    }
  }

  // Link.
  std::string linker = findLinker();
  if (linker.empty()) {
    emitError(loc) << "cannot find ld.lld (install lld-22)";
    return failure();
  }
  std::string output = pathIn("kernels.so");
  std::string log = pathIn("link.log");
  std::vector<std::string> args = {linker,    "-shared", "--gc-sections",
                                   "-O2",     "-o",      output,
                                   entryObject, supportObject};
  args.insert(args.end(), objects.begin(), objects.end());
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(linker, argRefs, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &execError);
  if (rc != 0) {
    auto text = llvm::MemoryBuffer::getFile(log);
    emitError(loc) << "linking the kernel library failed"
                   << (execError.empty() ? "" : ": " + execError) << "\n"
                   << (text ? (*text)->getBuffer() : "");
    return failure();
  }
  auto so = llvm::MemoryBuffer::getFile(output, /*IsText=*/false,
                                        /*RequiresNullTerminator=*/false);
  if (!so) {
    emitError(loc) << "cannot read the linked kernel library";
    return failure();
  }
  library.elf.assign((*so)->getBufferStart(), (*so)->getBufferEnd());
  std::string featureError;
  FailureOr<std::vector<std::string>> features =
      requiredCpuFeatures(cpuModel, featureError);
  if (failed(features)) {
    emitError(loc) << "cannot list the CPU features of the kernels: "
                   << featureError;
    return failure();
  }
  // The AMX kernels live in the support object (compiled for AMX whatever
  // the Halide target); Halide's target lists AMX only for host on such a
  // CPU.
  if (policy.amx)
    for (const char *amx : {"amx-tile", "amx-int8", "amx-bf16"})
      if (!llvm::is_contained(*features, amx))
        features->push_back(amx);
  library.requiredFeatures = std::move(*features);
  return library;
}

namespace {

/// The kernels of the module's exec.executable.
SmallVector<func::FuncOp> collectKernels(ModuleOp module) {
  SmallVector<func::FuncOp> kernels;
  module.walk([&](exec::ExecutableOp executable) {
    for (auto f : executable.getBody().getOps<func::FuncOp>())
      kernels.push_back(f);
  });
  return kernels;
}

/// avx512 and avx512-vnni (fixed AVX-512 feature levels) and host (the
/// compiling CPU) share everything but the Halide target.
class Avx512Target : public Target {
public:
  Avx512Target(StringRef name, StringRef description)
      : name(name), description(description) {}

  StringRef getName() const override { return name; }
  StringRef getDescription() const override { return description; }
  fb::DeviceKind getDeviceKind() const override { return fb::DeviceKind::Cpu; }
  StringRef getBinaryFormat() const override { return "elf-x86_64"; }

  void buildConfigurationPipeline(OpPassManager &pm,
                                  const TargetOptions &options) const override {
    // bf16/fp16 operands (--precision) read narrow; bf16 ones as
    // vdpbf16ps dot products where the kernels may use AVX512-BF16.
    pm.addNestedPass<func::FuncOp>(
        createLowPrecisionKernels(LowPrecisionKernelsOptions{
            /*dotProducts=*/hasBf16DotProducts()}));
    pm.addNestedPass<func::FuncOp>(createFlattenPointwiseConvs());
    pm.addNestedPass<func::FuncOp>(
        createPackWeights(PackWeightsOptions{
            /*amx=*/usesAmx(name),
            /*winograd=*/options.convAlgorithm != "direct"}));
    pm.addNestedPass<func::FuncOp>(createMarkFoldedPadding());
  }

  FailureOr<ExecutableBinary>
  compileExecutable(ModuleOp module,
                    const TargetOptions &options) const override {
    Avx512Options avx512Options;
    avx512Options.cpu = getName().str();
    avx512Options.optLevel = options.optLevel;
    avx512Options.progress = options.progress;
    FailureOr<KernelLibrary> library = buildKernelLibrary(
        collectKernels(module), module.getLoc(), avx512Options);
    if (failed(library))
      return failure();
    ExecutableBinary binary;
    binary.device = getDeviceKind();
    binary.format = getBinaryFormat().str();
    binary.data = std::move(library->elf);
    for (const std::string &entry : library->entryPoints)
      binary.entryPoints[entry] = entry;
    binary.requiredFeatures = std::move(library->requiredFeatures);
    return binary;
  }

private:
  /// Whether the kernels may use AVX512-BF16: avx512-vnni and avx512-amx
  /// (their level includes it) and host on a CPU that has it.
  bool hasBf16DotProducts() const {
    if (name == "avx512-vnni" || name == "avx512-amx")
      return true;
    return name == "host" &&
           llvm::sys::getHostCPUFeatures().lookup("avx512bf16");
  }

  std::string name, description;
};

} // namespace

void registerAvx512Targets() {
  registerTarget(std::make_unique<Avx512Target>(
      "avx512", "x86-64 CPUs with AVX-512 F/CD/BW/DQ/VL (Skylake-SP, Zen 4 "
                "and every later AVX-512 CPU); int8 dot products with "
                "vpmaddwd"));
  registerTarget(std::make_unique<Avx512Target>(
      "avx512-vnni",
      "x86-64 CPUs with AVX-512 F/CD/BW/DQ/VL + VNNI + BF16 (Zen 4, "
      "Sapphire Rapids, Cooper Lake); int8 dot products with vpdpbusd"));
  registerTarget(std::make_unique<Avx512Target>(
      "avx512-amx",
      "x86-64 CPUs with the avx512-vnni level and AMX-INT8 (Sapphire Rapids "
      "and later Xeons); 8-bit convs (tdpbusd) and --precision=bf16 "
      "matmuls and convs (tdpbf16ps) on AMX tiles, the rest as avx512-vnni"));
  registerTarget(std::make_unique<Avx512Target>(
      "host", "x86-64 with every extension of this CPU (e.g. AVX-512 VNNI, "
              "BF16, FP16); runs on CPUs that have them all"));
  registerAiccAvx512Passes();
}

} // namespace aicc::avx512
