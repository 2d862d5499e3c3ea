//===- CpuFeatures.cpp - The CPU features of a Halide x86 target ---------===//
//
// Halide 21 (CodeGen_X86::mcpu_target and ::mattrs) compiles x86 code for an
// LLVM CPU named after the newest feature level of the target
// (sapphirerapids, znver4, skylake-avx512, ...) plus attributes for each
// Halide feature. The CPU name brings every extension of that CPU model
// (e.g. avx512fp16 and AMX with sapphirerapids), and LLVM may use any of
// them. So the required features are those the same CPU model and
// attributes enable in LLVM's x86 subtarget tables. The named ISA levels
// avx512-vnni and avx512-amx are compiled for a generic CPU model instead
// (isaLevelCpuModel, KernelObject.h).
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/CpuFeatures.h"

#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Triple.h"
#include "Halide.h"

#include <memory>

namespace aicc::avx512 {
namespace {

using HT = Halide::Target;

/// The LLVM CPU model Halide 21 compiles `t` for.
const char *llvmCpuFor(const HT &t) {
  if (t.has_feature(HT::AVX512_SapphireRapids))
    return "sapphirerapids";
  if (t.has_feature(HT::AVX512_Zen5))
    return "znver5";
  if (t.has_feature(HT::AVX512_Zen4))
    return "znver4";
  if (t.has_feature(HT::AVX512_Cannonlake))
    return "cannonlake";
  if (t.has_feature(HT::AVX512_Skylake))
    return "skylake-avx512";
  if (t.has_feature(HT::AVX512_KNL))
    return "knl";
  if (t.has_feature(HT::AVX2))
    return "haswell";
  if (t.has_feature(HT::AVX))
    return "corei7-avx";
  if (t.has_feature(HT::SSE41))
    return "penryn";
  return "k8";
}

/// The attributes Halide 21 adds to the CPU model for `t`.
std::string llvmAttributesFor(const HT &t) {
  std::string attrs;
  auto add = [&](const char *a) {
    if (!attrs.empty())
      attrs += ",";
    attrs += a;
  };
  if (t.has_feature(HT::FMA))
    add("+fma");
  if (t.has_feature(HT::F16C))
    add("+f16c");
  bool avx512 = t.has_feature(HT::AVX512) || t.has_feature(HT::AVX512_KNL) ||
                t.has_feature(HT::AVX512_Skylake) ||
                t.has_feature(HT::AVX512_Cannonlake);
  if (!avx512)
    return attrs;
  add("+avx512f,+avx512cd");
  if (t.has_feature(HT::AVX512_Skylake) ||
      t.has_feature(HT::AVX512_Cannonlake))
    add("+avx512vl,+avx512bw,+avx512dq");
  if (t.has_feature(HT::AVX512_Cannonlake))
    add("+avx512ifma,+avx512vbmi");
  if (t.has_feature(HT::AVX512_Zen4))
    add("+avx512bf16,+avx512vnni,+avx512bitalg,+avx512vbmi2");
  if (t.has_feature(HT::AVXVNNI))
    add("+avxvnni");
  if (t.has_feature(HT::AVX512_SapphireRapids))
    add("+amx-int8,+amx-bf16");
  return attrs;
}

} // namespace

LlvmCpuModel halideCpuModel(const std::string &halideTarget) {
  HT target(halideTarget);
  return {llvmCpuFor(target), llvmAttributesFor(target)};
}

std::optional<LlvmCpuModel> isaLevelCpuModel(llvm::StringRef level) {
  // x86-64-v4 is AVX-512 F/CD/BW/DQ/VL on x86-64-v3 (AVX2, FMA, F16C, BMI1/2,
  // LZCNT, MOVBE): no vendor's extras (znver4 brings SSE4A, sapphirerapids
  // AVX512-FP16 and AVX-VNNI). Of the extensions Halide's avx512_zen4 level
  // adds, its code needs only VNNI and BF16 (its vpdpbusd and vdpbf16ps
  // patterns); VBMI/VBMI2/IFMA/BITALG stay off, so Cooper Lake qualifies.
  constexpr const char *vnni = "+avx512vnni,+avx512bf16";
  if (level == "avx512-vnni")
    return LlvmCpuModel{"x86-64-v4", vnni};
  if (level == "avx512-amx")
    return LlvmCpuModel{"x86-64-v4",
                        std::string(vnni) + ",+amx-tile,+amx-int8,+amx-bf16"};
  return std::nullopt;
}

mlir::FailureOr<std::vector<std::string>>
requiredCpuFeatures(const LlvmCpuModel &model, std::string &error) {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86TargetMC();
  llvm::Triple triple("x86_64-unknown-linux-gnu");
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return mlir::failure();
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      llvmTarget->createMCSubtargetInfo(triple, model.cpu, model.features));
  if (!subtarget) {
    error = "LLVM has no x86 subtarget information";
    return mlir::failure();
  }
  std::vector<std::string> features;
#define AICC_CPU_FEATURE(name)                                                 \
  if (subtarget->checkFeatures("+" name))                                      \
    features.push_back(name);
#include "aicc/cpu_features.def"
#undef AICC_CPU_FEATURE
  return features;
}

} // namespace aicc::avx512
