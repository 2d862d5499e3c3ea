//===- CpuFeatures.cpp - Host CPU feature queries -------------------------===//

#include "hal/cpu/CpuFeatures.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cerrno>
#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace aicc::cpu;

namespace {

/// AICC_CPU_DISABLE=f1,f2,... makes the runtime treat those features as
/// missing, like oneDNN's ONEDNN_MAX_CPU_ISA: to try on a capable machine
/// what happens on a smaller one (an artifact that needs them is refused).
bool isDisabled(const char *name) {
  const char *list = std::getenv("AICC_CPU_DISABLE");
  if (!list)
    return false;
  size_t length = std::strlen(name);
  for (const char *p = list; *p;) {
    const char *end = std::strchr(p, ',');
    size_t n = end ? static_cast<size_t>(end - p) : std::strlen(p);
    if (n == length && std::strncmp(p, name, n) == 0)
      return true;
    if (!end)
      break;
    p = end + 1;
  }
  return false;
}

} // namespace

FeatureSupport aicc::cpu::hostHasFeature(const char *name) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  // __builtin_cpu_supports takes only string literals, hence the table.
#define AICC_CPU_FEATURE(str)                                                  \
  if (std::strcmp(name, str) == 0)                                             \
    return isDisabled(name) || !__builtin_cpu_supports(str)                    \
               ? FeatureSupport::Missing                                       \
               : FeatureSupport::Present;
#include "aicc/cpu_features.def"
#undef AICC_CPU_FEATURE
#else
  (void)name;
#endif
  return FeatureSupport::Unknown;
}

int aicc::cpu::requestAmxTileData() {
#if defined(__linux__) && defined(__x86_64__)
  // From the kernel's uapi/asm/prctl.h and fpu/xstate.h (older C libraries
  // lack them).
  constexpr long kArchGetXcompPerm = 0x1022, kArchReqXcompPerm = 0x1023;
  constexpr unsigned kXfeatureXtiledata = 18;
  unsigned long permitted = 0;
  if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &permitted) == 0 &&
      (permitted >> kXfeatureXtiledata) & 1)
    return 0;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0)
    return 0;
  return errno ? errno : EPERM;
#else
  return ENOSYS;
#endif
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
