//===- CpuFeatures.cpp - Host CPU feature queries -------------------------===//

#include "hal/cpu/CpuFeatures.h"

#include <cstdio>
#include <cstring>

using namespace aicc::cpu;

FeatureSupport aicc::cpu::hostHasFeature(const char *name) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  // __builtin_cpu_supports takes only string literals, hence the table.
#define AICC_FEATURE(str)                                                      \
  if (std::strcmp(name, str) == 0)                                             \
    return __builtin_cpu_supports(str) ? FeatureSupport::Present               \
                                       : FeatureSupport::Missing;
  AICC_FEATURE("sse2")
  AICC_FEATURE("sse3")
  AICC_FEATURE("ssse3")
  AICC_FEATURE("sse4.1")
  AICC_FEATURE("sse4.2")
  AICC_FEATURE("popcnt")
  AICC_FEATURE("avx")
  AICC_FEATURE("avx2")
  AICC_FEATURE("fma")
  AICC_FEATURE("f16c")
  AICC_FEATURE("bmi")
  AICC_FEATURE("bmi2")
  AICC_FEATURE("avx512f")
  AICC_FEATURE("avx512bw")
  AICC_FEATURE("avx512dq")
  AICC_FEATURE("avx512vl")
  AICC_FEATURE("avx512cd")
  AICC_FEATURE("avx512vnni")
  AICC_FEATURE("avx512bf16")
  AICC_FEATURE("avx512fp16")
  AICC_FEATURE("avx512vbmi")
  AICC_FEATURE("avx512vbmi2")
  AICC_FEATURE("avx512ifma")
  AICC_FEATURE("avx512bitalg")
  AICC_FEATURE("avx512vpopcntdq")
  AICC_FEATURE("avxvnni")
  AICC_FEATURE("amx-tile")
  AICC_FEATURE("amx-int8")
  AICC_FEATURE("amx-bf16")
  AICC_FEATURE("gfni")
  AICC_FEATURE("vaes")
  AICC_FEATURE("vpclmulqdq")
#undef AICC_FEATURE
#else
  (void)name;
#endif
  return FeatureSupport::Unknown;
}

std::string aicc::cpu::hostCpuName() {
  std::string name = "x86-64 CPU";
  FILE *file = std::fopen("/proc/cpuinfo", "r");
  if (!file)
    return name;
  char line[256];
  while (std::fgets(line, sizeof(line), file)) {
    if (std::strncmp(line, "model name", 10) != 0)
      continue;
    const char *colon = std::strchr(line, ':');
    if (!colon)
      break;
    const char *value = colon + 1;
    while (*value == ' ' || *value == '\t')
      ++value;
    name = value;
    while (!name.empty() && (name.back() == '\n' || name.back() == ' '))
      name.pop_back();
    break;
  }
  std::fclose(file);
  return name;
}
