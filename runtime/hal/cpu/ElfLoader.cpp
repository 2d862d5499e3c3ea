//===- ElfLoader.cpp - Loads shared objects from memory -------------------===//

#include "hal/cpu/ElfLoader.h"

#include "src/Status.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <mutex>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace aicc;

#if defined(__x86_64__)
static constexpr uint16_t kHostMachine = EM_X86_64;
static constexpr const char *kHostMachineName = "x86-64";
#elif defined(__aarch64__)
static constexpr uint16_t kHostMachine = EM_AARCH64;
static constexpr const char *kHostMachineName = "aarch64";
#else
#error "the CPU driver supports x86-64 and aarch64 hosts"
#endif

aicc_status_t cpu::checkElfHeader(const uint8_t *data, size_t size,
                                  const char *label) {
  Elf64_Ehdr header;
  if (size < sizeof(header))
    return makeStatus(AICC_STATUS_INVALID_MODULE,
                      "%s: %zu bytes is too small for an ELF file", label,
                      size);
  std::memcpy(&header, data, sizeof(header));
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    return makeStatus(AICC_STATUS_INVALID_MODULE,
                      "%s: not an ELF file (bad magic)", label);
  if (header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != ELFDATA2LSB)
    return makeStatus(AICC_STATUS_UNSUPPORTED,
                      "%s: not a 64-bit little-endian ELF file", label);
  if (header.e_machine != kHostMachine)
    return makeStatus(AICC_STATUS_UNSUPPORTED,
                      "%s: ELF machine %u does not match this %s host", label,
                      unsigned(header.e_machine), kHostMachineName);
  if (header.e_type != ET_DYN)
    return makeStatus(AICC_STATUS_UNSUPPORTED,
                      "%s: ELF file is not a shared object (e_type %u)", label,
                      unsigned(header.e_type));
  return nullptr;
}

static bool writeAll(int fd, const uint8_t *data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

static aicc_status_t dlopenPath(const char *path, const char *label,
                                void **outHandle) {
  void *handle = ::dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *error = ::dlerror();
    return makeStatus(AICC_STATUS_UNSUPPORTED, "%s: dlopen failed: %s", label,
                      error ? error : "unknown error");
  }
  *outHandle = handle;
  return nullptr;
}

/// Preferred path: nothing touches the file system.
static bool loadViaMemfd(const uint8_t *data, size_t size, const char *label,
                         void **outHandle, aicc_status_t *outStatus) {
#ifdef MFD_CLOEXEC
  int fd = ::memfd_create("aicc-executable", MFD_CLOEXEC);
  if (fd < 0)
    return false;
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  if (!writeAll(fd, data, size) || ::access(path, R_OK) != 0) {
    ::close(fd);
    return false;
  }
  // dlopen() returns the already loaded object when the name matches one,
  // and descriptor numbers are reused once closed: an executable loaded
  // earlier through the same /proc/self/fd/N (another module, or another
  // session's copy) would be returned instead of this one. Move to a number
  // whose name no loaded object has; the descriptors tried stay open until
  // the end so that the search makes progress.
  std::vector<int> tried;
  while (void *existing = ::dlopen(path, RTLD_NOW | RTLD_NOLOAD)) {
    ::dlclose(existing);
    tried.push_back(fd);
    fd = ::fcntl(fd, F_DUPFD_CLOEXEC, fd + 1);
    if (fd < 0) {
      for (int old : tried)
        ::close(old);
      return false;
    }
    std::snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  }
  *outStatus = dlopenPath(path, label, outHandle);
  // The loader keeps its own mapping; the descriptors are no longer needed.
  ::close(fd);
  for (int old : tried)
    ::close(old);
  return true;
#else
  (void)data, (void)size, (void)label, (void)outHandle, (void)outStatus;
  return false;
#endif
}

static aicc_status_t loadViaTempFile(const uint8_t *data, size_t size,
                                     const char *label, void **outHandle) {
  const char *dir = std::getenv("TMPDIR");
  if (!dir || !*dir)
    dir = "/tmp";
  char path[4096];
  int length =
      std::snprintf(path, sizeof(path), "%s/aicc-executable-XXXXXX.so", dir);
  if (length < 0 || static_cast<size_t>(length) >= sizeof(path))
    return makeStatus(AICC_STATUS_IO_ERROR, "%s: TMPDIR is too long", label);
  int fd = ::mkstemps(path, 3);
  if (fd < 0)
    return makeStatus(AICC_STATUS_IO_ERROR,
                      "%s: cannot create a temporary file in %s: %s", label,
                      dir, std::strerror(errno));
  bool written = writeAll(fd, data, size);
  ::close(fd);
  aicc_status_t status =
      written ? dlopenPath(path, label, outHandle)
              : makeStatus(AICC_STATUS_IO_ERROR, "%s: cannot write %s: %s",
                           label, path, std::strerror(errno));
  ::unlink(path);
  return status;
}

/// Serializes this process's loads and closes (see closeSharedObject).
static std::mutex &loaderMutex() {
  static std::mutex mutex;
  return mutex;
}

void cpu::closeSharedObject(void *handle) {
  if (!handle)
    return;
  std::lock_guard<std::mutex> lock(loaderMutex());
  ::dlclose(handle);
}

aicc_status_t cpu::loadSharedObject(const uint8_t *data, size_t size,
                                    const char *label, void **outHandle) {
  AICC_RETURN_IF_ERROR(checkElfHeader(data, size, label));
  std::lock_guard<std::mutex> lock(loaderMutex());
  aicc_status_t status = nullptr;
  if (std::getenv("AICC_CPU_NO_MEMFD") == nullptr &&
      loadViaMemfd(data, size, label, outHandle, &status))
    return status;
  return loadViaTempFile(data, size, label, outHandle);
}
