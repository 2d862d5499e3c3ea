//===- ElfLoader.h - Loads shared objects from memory ----------*- C++ -*-===//
//
// The dynamic loader only opens files, so an executable's bytes are written
// to an anonymous memfd and opened through /proc/self/fd/N; if that is not
// possible (no memfd_create, no /proc) they go to an unlinked temporary file
// instead. Either way nothing is left on disk.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_CPU_ELFLOADER_H
#define AICC_RUNTIME_HAL_CPU_ELFLOADER_H

#include "aicc/status.h"

#include <cstddef>
#include <cstdint>

namespace aicc {
namespace cpu {

/// Checks that `size` bytes at `data` start like an ELF shared object for
/// the host machine (class, byte order, machine, type), so a wrong binary is
/// a clear error instead of a dlerror() guess. `label` names it in messages.
aicc_status_t checkElfHeader(const uint8_t *data, size_t size,
                             const char *label);

/// dlopen()s the shared object held in `size` bytes at `data` with
/// RTLD_NOW | RTLD_LOCAL and returns the handle in `*outHandle` (owned by the
/// caller, release it with closeSharedObject()).
aicc_status_t loadSharedObject(const uint8_t *data, size_t size,
                               const char *label, void **outHandle);

/// dlclose()s a handle of loadSharedObject(). Loads and closes are
/// serialized: the check that a /proc/self/fd name is free and the dlopen
/// under it must not interleave with another thread's, and ThreadSanitizer
/// does not see the dynamic loader's own lock.
void closeSharedObject(void *handle);

} // namespace cpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_CPU_ELFLOADER_H
