//===- Partition.cpp - --target=npu,avx512: NPU with CPU fallback ---------===//
//
// The steps, after the graph pipeline (FuseQDQ included):
//   1. The accelerator's selection: aicc-npu-form-kernels in partition mode
//      turns every node RNPU runs into an RNPU kernel op and leaves the rest
//      (Softmax, float ops, what the selection refuses) as graph ops.
//   2. The CPU target's graph passes, the lowering to linalg, the CPU
//      target's configuration passes and the exec pipeline, as for
//      --target=avx512: dispatch formation gives every RNPU op a kernel of
//      its own (the fusion policy never merges it) and plans one host arena.
//   3. The RNPU kernels move from the schedule's executable into an
//      executable of their own (@npu_kernels) and their dispatches are
//      renamed; each executable is compiled by its target.
//   4. One artifact: two executables, one schedule, a Barrier where the
//      device changes. Memory is shared: the simulated RNPU's DRAM is host
//      memory (its DMA engine reads and writes the session's host buffers),
//      so no copies are needed between the devices (docs/RNPU.md).
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/Partition.h"

#include "compiler/Pipelines.h"
#include "dialects/exec/ExecOps.h"
#include "passes/exec/Passes.h"
#include "passes/lowering/Passes.h"
#include "targets/common/Serializer.h"
#include "targets/npu/NpuTarget.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSet.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace aicc {

namespace {

constexpr llvm::StringLiteral kNpuExecutable = "npu_kernels";

/// Moves the RNPU kernels of the module's executable into a new executable
/// and renames their dispatches. Returns the (cpu, npu) executables; either
/// may be empty of kernels.
FailureOr<std::pair<exec::ExecutableOp, exec::ExecutableOp>>
splitExecutables(ModuleOp module) {
  auto executables = llvm::to_vector(module.getOps<exec::ExecutableOp>());
  if (executables.size() != 1)
    return module.emitError("expected one exec.executable to partition, "
                            "found ")
           << executables.size();
  exec::ExecutableOp cpu = executables.front();
  std::string name = kNpuExecutable.str();
  for (int i = 1; module.lookupSymbol(name); ++i)
    name = kNpuExecutable.str() + "_" + std::to_string(i);
  OpBuilder builder(module.getContext());
  builder.setInsertionPointAfter(cpu);
  auto npu = exec::ExecutableOp::create(builder, cpu.getLoc(), name);
  SmallVector<func::FuncOp> moved;
  for (auto kernel :
       llvm::make_early_inc_range(cpu.getBody().getOps<func::FuncOp>()))
    if (npu::isNpuKernel(kernel)) {
      kernel->moveBefore(&npu.getBodyBlock(), npu.getBodyBlock().end());
      moved.push_back(kernel);
    }
  llvm::StringSet<> names;
  for (func::FuncOp kernel : moved)
    names.insert(kernel.getSymName());
  MLIRContext *ctx = module.getContext();
  module.walk([&](exec::DispatchOp dispatch) {
    SymbolRefAttr kernel = dispatch.getKernel();
    if (kernel.getRootReference() != cpu.getSymNameAttr() ||
        !names.contains(kernel.getLeafReference().getValue()))
      return;
    dispatch.setKernelAttr(SymbolRefAttr::get(
        npu.getSymNameAttr(),
        {FlatSymbolRefAttr::get(ctx, kernel.getLeafReference())}));
  });
  return std::make_pair(cpu, npu);
}

bool hasKernels(exec::ExecutableOp executable) {
  return !executable.getBody().getOps<func::FuncOp>().empty();
}

/// Compiles `executable` with `target` while the module's other
/// executables are detached (a target compiles every executable it sees).
FailureOr<ExecutableBinary> compileOne(ModuleOp module,
                                       exec::ExecutableOp executable,
                                       const Target &target,
                                       const TargetOptions &options) {
  SmallVector<Operation *> detached;
  for (auto other : llvm::to_vector(module.getOps<exec::ExecutableOp>()))
    if (other != executable) {
      other->remove();
      detached.push_back(other);
    }
  llvm::scope_exit reattach([&] {
    for (Operation *op : detached)
      module.getBody()->push_back(op);
  });
  return target.compileExecutable(module, options);
}

void printPartitionReport(ModuleOp module, const PartitionTargets &targets,
                          const std::vector<npu::NodePlacement> &placements,
                          llvm::raw_ostream &os) {
  StringRef acc = targets.accelerator->getName();
  StringRef host = targets.host->getName();
  size_t onAccelerator = llvm::count_if(
      placements, [](const npu::NodePlacement &p) { return p.whyNotNpu.empty(); });
  os << "partition (--target=" << targets.spelling << "): " << onAccelerator
     << " of " << placements.size() << " nodes on " << acc << ", "
     << placements.size() - onAccelerator << " on " << host << "\n";
  size_t width = std::max(acc.size(), host.size()) + 2;
  for (const npu::NodePlacement &p : placements) {
    StringRef where = p.whyNotNpu.empty() ? acc : host;
    os << "  " << where << std::string(width - where.size(), ' ') << "node '"
       << p.node << "' (ai.onnx::" << p.opType << ")";
    if (!p.whyNotNpu.empty())
      os << ": " << p.whyNotNpu;
    os << "\n";
  }
  // Dispatches per executable, once the schedule exists.
  size_t npuDispatches = 0, cpuDispatches = 0;
  bool scheduled = false;
  module.walk([&](exec::DispatchOp dispatch) {
    scheduled = true;
    func::FuncOp kernel = dispatch.lookupKernel();
    if (kernel && npu::isNpuKernel(kernel))
      ++npuDispatches;
    else
      ++cpuDispatches;
  });
  if (scheduled)
    os << "dispatches: " << npuDispatches << " on " << acc << ", "
       << cpuDispatches << " on " << host << "\n";
}

} // namespace

bool isTargetList(StringRef target) { return target.contains(','); }

LogicalResult parseTargetList(StringRef list, PartitionTargets &out,
                              std::string &error) {
  SmallVector<StringRef> names;
  list.split(names, ',');
  auto usage = [&](const std::string &why) {
    error = "--target=" + list.str() + ": " + why +
            " (a target list is an accelerator, then a CPU target for the "
            "nodes it cannot run, e.g. --target=npu,avx512)";
    return failure();
  };
  if (names.size() != 2)
    return usage("expected two targets");
  const Target *first = lookupTarget(names[0].trim());
  const Target *second = lookupTarget(names[1].trim());
  if (!first)
    return usage("unknown target '" + names[0].trim().str() + "'");
  if (!second)
    return usage("unknown target '" + names[1].trim().str() + "'");
  if (first->getDeviceKind() != fb::DeviceKind::Npu)
    return usage("the first target must be an accelerator that partitions "
                 "(npu), not '" + first->getName().str() + "'");
  if (second->getDeviceKind() != fb::DeviceKind::Cpu)
    return usage("the second target must be a CPU target, not '" +
                 second->getName().str() + "'");
  out.accelerator = first;
  out.host = second;
  out.spelling = (first->getName() + "," + second->getName()).str();
  return success();
}

LogicalResult runPartitionedCompiler(ModuleOp module,
                                     const PartitionTargets &targets,
                                     TargetOptions &options,
                                     PartitionStage stage, StringRef report,
                                     llvm::raw_ostream &reportOS,
                                     std::vector<uint8_t> &artifact,
                                     PipelineRunner runPipeline,
                                     StringRef producer) {
  std::vector<npu::NodePlacement> placements;
  if (failed(npu::collectNpuPlacement(module, placements)))
    return failure();
  auto printReport = [&] {
    if (report == "partition")
      printPartitionReport(module, targets, placements, reportOS);
  };
  // 1-2. Selection, then the CPU target's graph passes and the lowering.
  if (failed(runPipeline(module, [&](OpPassManager &pm) {
        npu::buildNpuPartitionPipeline(pm);
        targets.host->buildGraphPipeline(pm, options);
      })))
    return failure();
  if (failed(runPipeline(module, buildGraphToLinalgPipeline)) ||
      failed(lowering::reportUnloweredOps(module, targets.host->getName())))
    return failure();
  if (stage == PartitionStage::Linalg) {
    printReport();
    return success();
  }
  if (failed(runPipeline(module, [&](OpPassManager &pm) {
        targets.host->buildConfigurationPipeline(pm, options);
        buildExecPipeline(pm, [&](OpPassManager &nested) {
          targets.host->buildSchedulePipeline(nested, options);
        });
      })))
    return failure();
  // 3. One executable per device.
  FailureOr<std::pair<exec::ExecutableOp, exec::ExecutableOp>> split =
      splitExecutables(module);
  if (failed(split))
    return failure();
  auto [cpu, npuExecutable] = *split;
  printReport();
  if (report == "memory")
    exec::printMemoryReport(module, reportOS);
  if (report == "fusion")
    exec::printFusionReport(module, reportOS);
  if (stage != PartitionStage::Artifact)
    return success();
  std::vector<NamedExecutableBinary> binaries;
  for (auto [executable, target] :
       {std::make_pair(npuExecutable, targets.accelerator),
        std::make_pair(cpu, targets.host)}) {
    if (!hasKernels(executable))
      continue;
    FailureOr<ExecutableBinary> binary =
        compileOne(module, executable, *target, options);
    if (failed(binary))
      return failure();
    binaries.push_back({executable.getSymName().str(), std::move(*binary)});
  }
  if (binaries.empty()) {
    // A module of copies only: any binary gives the serializer its format.
    FailureOr<ExecutableBinary> binary =
        targets.host->compileExecutable(module, options);
    if (failed(binary))
      return failure();
    binaries.push_back({cpu.getSymName().str(), std::move(*binary)});
  }
  SerializeOptions serializeOptions;
  serializeOptions.producer = producer.str();
  serializeOptions.targets = {targets.accelerator->getName().str(),
                              targets.host->getName().str()};
  return serializePartitionedModule(module, binaries, artifact,
                                    serializeOptions);
}

} // namespace aicc
