//===- EntryPoints.cpp - aicc kernel ABI wrappers for Halide code --------===//

#include "targets/avx512/EntryPoints.h"
#include "targets/avx512/KernelObject.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"
#include <set>

namespace aicc::avx512 {

namespace {
/// Must match aicc_hl_buffer_desc / aicc_hl_kernel_desc in KernelSupport.c.
constexpr int kMaxRank = 8;
constexpr int kMaxPushConstants = 64;

std::string entryIR(const std::vector<EntryPoint> &entries) {
  std::string ir;
  llvm::raw_string_ostream os(ir);
  os << "%bufdesc = type { i8, i8, i16, [" << kMaxRank << " x i32] }\n"
     << "%kerneldesc = type { i32, ptr, ptr, ptr, i32, i32 }\n"
     << "declare i32 @aicc_hl_dispatch(ptr, ptr, ptr, ptr)\n\n";
  std::set<std::string> declared;
  for (const EntryPoint &e : entries)
    if (declared.insert(e.kernel->functionName).second)
      os << "declare i32 @" << e.kernel->functionName << "_argv(ptr)\n";
  for (size_t i = 0; i < entries.size(); ++i) {
    const EntryPoint &e = entries[i];
    const halidegen::CompiledKernel &k = *e.kernel;
    os << "@buffers." << i << " = private unnamed_addr constant ["
       << k.buffers.size() << " x %bufdesc] [";
    for (size_t b = 0; b < k.buffers.size(); ++b) {
      const halidegen::HalideBufferDesc &d = k.buffers[b];
      os << (b ? ", " : "") << "%bufdesc { i8 " << (int)d.typeCode << ", i8 "
         << (int)d.bits << ", i16 " << d.extents.size() << ", ["
         << kMaxRank << " x i32] [";
      for (int r = 0; r < kMaxRank; ++r)
        os << (r ? ", " : "") << "i32 "
           << (r < (int)d.extents.size() ? d.extents[r] : 0);
      os << "] }";
    }
    os << "]\n";
    os << "@name." << i << " = private unnamed_addr constant ["
       << e.name.size() + 1 << " x i8] c\"" << e.name << "\\00\"\n";
    os << "@desc." << i << " = private unnamed_addr constant %kerneldesc { i32 "
       << k.buffers.size() << ", ptr @buffers." << i << ", ptr @"
       << k.functionName << "_argv, ptr @name." << i << ", i32 "
       << (k.hasStatus ? 1 : 0) << ", i32 " << k.numPushConstants << " }\n";
    os << "define i32 @" << e.name
       << "(ptr %env, ptr %bindings, ptr %push) {\n"
       << "  %r = tail call i32 @aicc_hl_dispatch(ptr %env, ptr %bindings, "
          "ptr %push, ptr @desc."
       << i << ")\n  ret i32 %r\n}\n\n";
  }
  return ir;
}
} // namespace

llvm::Error writeEntryPointsObject(const std::vector<EntryPoint> &entries,
                                   const std::string &path) {
  for (const EntryPoint &e : entries) {
    for (const halidegen::HalideBufferDesc &d : e.kernel->buffers)
      if (d.extents.size() > (size_t)kMaxRank)
        return llvm::createStringError("kernel '" + e.name + "' has a buffer "
                                       "of rank > 8");
    if (e.kernel->numPushConstants > kMaxPushConstants)
      return llvm::createStringError(
          "kernel '" + e.name + "' takes " +
          std::to_string(e.kernel->numPushConstants) +
          " push constants; at most " + std::to_string(kMaxPushConstants));
  }
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::LLVMContext context;
  llvm::SMDiagnostic diag;
  std::unique_ptr<llvm::Module> module =
      llvm::parseAssemblyString(entryIR(entries), diag, context);
  if (!module) {
    std::string msg;
    llvm::raw_string_ostream os(msg);
    diag.print("entry-points", os);
    return llvm::createStringError("internal error in entry points: " + msg);
  }
  llvm::Triple triple("x86_64-unknown-linux-gnu");
  module->setTargetTriple(triple);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("no x86-64 code generator: " + error);
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, "x86-64", "", targetOptions, llvm::Reloc::PIC_));
  return emitMachineCode(*module, *machine, path);
}

} // namespace aicc::avx512
