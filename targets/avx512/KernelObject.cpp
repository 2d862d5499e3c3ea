//===- KernelObject.cpp - Halide bitcode to an object for a CPU model -----===//
//
// Halide's emit step (LLVM_Output.cpp emit_file and CodeGen_Internal.cpp
// make_target_machine / get_target_options in Halide 21) redone with the
// LLVM aicc is built with, for a CPU model aicc chooses. The bitcode is
// Halide's after its -O3 pipeline; only instruction selection onwards runs
// here, so the IR (and the integer and floating-point operations it
// specifies) is Halide's; only which instructions implement it changes.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/KernelObject.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/AlwaysInliner.h"

namespace aicc::avx512 {
namespace {

/// A boolean module flag Halide sets ("halide_use_pic", ...).
bool moduleFlag(const llvm::Module &module, llvm::StringRef name,
                bool otherwise) {
  auto *md = llvm::mdconst::extract_or_null<llvm::ConstantInt>(
      module.getModuleFlag(name));
  return md ? !md->isZero() : otherwise;
}

} // namespace

llvm::Error compileBitcodeForCpu(const std::string &bitcodePath,
                                 const std::string &objectPath,
                                 const LlvmCpuModel &model, bool assembly) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto buffer = llvm::MemoryBuffer::getFile(bitcodePath);
  if (!buffer)
    return llvm::createStringError("cannot read " + bitcodePath + ": " +
                                   buffer.getError().message());
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> parsed =
      llvm::parseBitcodeFile((*buffer)->getMemBufferRef(), context);
  if (!parsed)
    return llvm::createStringError("cannot read Halide's bitcode " +
                                   bitcodePath + ": " +
                                   llvm::toString(parsed.takeError()));
  llvm::Module &module = **parsed;
  for (llvm::Function &fn : module) {
    if (fn.isDeclaration())
      continue;
    fn.addFnAttr("target-cpu", model.cpu);
    fn.addFnAttr("target-features", model.features);
  }

  llvm::Triple triple(module.getTargetTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return llvm::createStringError("no x86-64 code generator: " + error);
  // Halide's get_target_options. LLVM 22 has no UnsafeFPMath: fast-math
  // reaches code generation as the instructions' flags, which Halide sets.
  bool strict =
      moduleFlag(module, "halide_per_instruction_fast_math_flags", false);
  llvm::TargetOptions options;
  options.AllowFPOpFusion =
      strict ? llvm::FPOpFusion::Strict : llvm::FPOpFusion::Fast;
  options.NoInfsFPMath = !strict;
  options.NoNaNsFPMath = !strict;
  options.HonorSignDependentRoundingFPMathOption = !strict;
  options.FunctionSections = true;
  options.UseInitArray = true;
  options.FloatABIType = llvm::FloatABI::Hard;
  options.MCOptions.X86RelaxRelocations = false;
  bool pic = moduleFlag(module, "halide_use_pic", true);
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, model.cpu, model.features, options,
      pic ? llvm::Reloc::PIC_ : llvm::Reloc::Static, llvm::CodeModel::Small,
      llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return llvm::createStringError("cannot create an x86-64 target machine "
                                   "for CPU '" +
                                   model.cpu + "'");
  return emitMachineCode(module, *machine, objectPath, assembly);
}

llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            const std::string &path, bool assembly) {
  module.setDataLayout(machine.createDataLayout());
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError("cannot write " + path + ": " +
                                   ec.message());
  llvm::legacy::PassManager pm;
  pm.add(new llvm::TargetLibraryInfoWrapperPass(machine.getTargetTriple()));
  pm.add(llvm::createAlwaysInlinerLegacyPass());
  if (machine.addPassesToEmitFile(pm, out, nullptr,
                                  assembly ? llvm::CodeGenFileType::AssemblyFile
                                           : llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("cannot emit x86-64 object code");
  pm.run(module);
  out.flush();
  if (out.has_error())
    return llvm::createStringError("cannot write " + path);
  return llvm::Error::success();
}

} // namespace aicc::avx512
