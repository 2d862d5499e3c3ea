//===- CpuDevice.cpp - The CPU driver -------------------------------------===//
//
// Executables are ELF shared objects that follow aicc/kernel_abi.h. Loading
// one checks the host has the CPU features it needs, dlopen()s it from memory
// and resolves every entry point once; a dispatch is then a direct call
// through the resolved pointer with the session's aicc_kernel_env.
//
//===----------------------------------------------------------------------===//

#include "hal/Hal.h"
#include "hal/cpu/CpuFeatures.h"
#include "hal/cpu/ElfLoader.h"
#include "hal/cpu/PerfMap.h"
#include "hal/cpu/ScratchCache.h"
#include "hal/cpu/ThreadPool.h"
#include "src/Status.h"

#include "aicc/kernel_abi.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <string>

using namespace aicc;

namespace {

/// Format strings the CPU driver accepts.
#if defined(__x86_64__)
constexpr const char *kHostElfFormat = "elf-x86_64";
#elif defined(__aarch64__)
constexpr const char *kHostElfFormat = "elf-aarch64";
#endif

class CpuExecutable final : public hal::Executable {
public:
  CpuExecutable(void *handle, std::vector<void *> entries)
      : handle_(handle), entries_(std::move(entries)) {}
  ~CpuExecutable() override { cpu::closeSharedObject(handle_); }
  void *entryPoint(size_t index) const override { return entries_[index]; }

private:
  void *handle_;
  std::vector<void *> entries_;
};

/// Per-session state: the pool and the environment kernels see. The
/// environment's runtime_data points back here.
class CpuContext final : public hal::DeviceContext {
public:
  explicit CpuContext(uint32_t numThreads) : pool_(numThreads) {
    env_.abi_version = AICC_KERNEL_ABI_VERSION;
    env_.num_threads = pool_.numThreads();
    env_.parallel_for = &CpuContext::parallelFor;
    env_.alloc = &CpuContext::alloc;
    env_.free = &CpuContext::free;
    env_.report_error = &CpuContext::reportError;
    env_.runtime_data = this;
  }

  aicc_status_t dispatch(void *entry, void *const *bindings,
                         const int64_t *pushConstants) override {
    auto fn = reinterpret_cast<aicc_kernel_fn>(entry);
    int32_t result = fn(&env_, bindings, pushConstants);
    if (result == 0 && !errorReported_.load(std::memory_order_relaxed))
      return nullptr;
    return takeError(result);
  }

private:
  static CpuContext *self(const aicc_kernel_env *env) {
    return static_cast<CpuContext *>(env->runtime_data);
  }

  static int parallelFor(const aicc_kernel_env *env, aicc_task_fn fn, int min,
                         int extent, uint8_t *closure) {
    return self(env)->pool_.parallelFor(fn, const_cast<aicc_kernel_env *>(env),
                                        min, extent, closure);
  }

  /// Kernels' scratch memory comes from the session's cache, so repeated
  /// calls reuse the pages of the last one (ScratchCache.h).
  static void *alloc(const aicc_kernel_env *env, size_t bytes) {
    return self(env)->scratch_.allocate(bytes);
  }

  static void free(const aicc_kernel_env *env, void *ptr) {
    self(env)->scratch_.release(ptr);
  }

  static void reportError(const aicc_kernel_env *env, const char *msg) {
    CpuContext *context = self(env);
    std::lock_guard<std::mutex> lock(context->errorMutex_);
    if (!context->errorReported_.load(std::memory_order_relaxed)) {
      context->errorMessage_ = msg ? msg : "";
      context->errorReported_.store(true, std::memory_order_relaxed);
    }
  }

  /// Builds the status of a failed (or error-reporting) dispatch and resets
  /// the error slot for the next one.
  aicc_status_t takeError(int32_t result) {
    std::lock_guard<std::mutex> lock(errorMutex_);
    aicc_status_t status = nullptr;
    if (result != 0)
      status = makeStatus(
          AICC_STATUS_KERNEL_FAILED, "kernel returned %d: %s", int(result),
          errorReported_.load() ? errorMessage_.c_str() : "(no message)");
    // A message without a failure code is dropped: the kernel recovered.
    errorReported_.store(false, std::memory_order_relaxed);
    errorMessage_.clear();
    return status;
  }

  cpu::ThreadPool pool_;
  cpu::ScratchCache scratch_;
  aicc_kernel_env env_;
  std::atomic<bool> errorReported_{false};
  std::mutex errorMutex_;
  std::string errorMessage_;
};

class CpuDevice final : public hal::Device {
public:
  CpuDevice() : description_(cpu::hostCpuName()) {
    info_.name = "cpu";
    info_.kind = AICC_DEVICE_KIND_CPU;
    info_.description = description_.c_str();
    info_.concurrency = cpu::ThreadPool::defaultThreadCount();
  }

  const aicc_device_info_t &info() const override { return info_; }

  bool supports(aicc_device_kind_t kind) const override {
    return kind == AICC_DEVICE_KIND_CPU;
  }

  /// AMX kernels need the tile state granted to the process first (else
  /// their first tile instruction faults).
  static aicc_status_t enableAmxIfNeeded(const hal::ExecutableSpec &spec,
                                         const std::string &label) {
    bool amx = false;
    for (const char *feature : spec.requiredFeatures)
      amx |= std::strncmp(feature, "amx-", 4) == 0;
    if (!amx)
      return nullptr;
    if (int err = cpu::requestAmxTileData())
      return makeStatus(AICC_STATUS_UNSUPPORTED,
                        "%s uses AMX, but Linux refused this process the AMX "
                        "tile state (arch_prctl ARCH_REQ_XCOMP_PERM): %s",
                        label.c_str(), std::strerror(err));
    return nullptr;
  }

  aicc_status_t loadExecutable(const hal::ExecutableSpec &spec,
                               std::unique_ptr<hal::Executable> *out) override {
    std::string label = "executable " + std::to_string(spec.index);
    if (spec.name && *spec.name)
      label += " ('" + std::string(spec.name) + "')";
    if (std::strcmp(spec.format, kHostElfFormat) != 0)
      return makeStatus(AICC_STATUS_UNSUPPORTED,
                        "%s: format '%s' cannot run on the CPU (expected '%s')",
                        label.c_str(), spec.format, kHostElfFormat);
    for (const char *feature : spec.requiredFeatures) {
      switch (cpu::hostHasFeature(feature)) {
      case cpu::FeatureSupport::Present:
        break;
      case cpu::FeatureSupport::Missing:
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "%s needs CPU feature '%s', which this CPU (%s) "
                          "lacks",
                          label.c_str(), feature, description_.c_str());
      case cpu::FeatureSupport::Unknown:
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "%s needs CPU feature '%s', which this runtime "
                          "does not know",
                          label.c_str(), feature);
      }
    }

    AICC_RETURN_IF_ERROR(enableAmxIfNeeded(spec, label));

    void *handle = nullptr;
    AICC_RETURN_IF_ERROR(
        cpu::loadSharedObject(spec.data, spec.size, label.c_str(), &handle));

    if (auto *symbol = static_cast<const uint32_t *>(
            ::dlsym(handle, AICC_KERNEL_ABI_VERSION_SYMBOL))) {
      uint32_t version = *symbol; // Read before dlclose unmaps it.
      if (version != AICC_KERNEL_ABI_VERSION) {
        cpu::closeSharedObject(handle);
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "%s was built for kernel ABI version %u, this "
                          "runtime provides %u",
                          label.c_str(), version, AICC_KERNEL_ABI_VERSION);
      }
    }

    std::vector<void *> entries;
    entries.reserve(spec.entryPointNames.size());
    for (const char *name : spec.entryPointNames) {
      ::dlerror();
      void *symbol = ::dlsym(handle, name);
      if (!symbol) {
        cpu::closeSharedObject(handle);
        return makeStatus(AICC_STATUS_NOT_FOUND,
                          "%s: entry point '%s' is not defined by its ELF",
                          label.c_str(), name);
      }
      entries.push_back(symbol);
    }
    if (cpu::perfMapEnabled())
      (void)cpu::appendPerfMap(spec.data, spec.size, handle);
    out->reset(new CpuExecutable(handle, std::move(entries)));
    return nullptr;
  }

  aicc_status_t
  createContext(uint32_t numThreads,
                std::unique_ptr<hal::DeviceContext> *out) override {
    if (numThreads == 0)
      numThreads = info_.concurrency;
    out->reset(new CpuContext(numThreads));
    return nullptr;
  }

private:
  std::string description_;
  aicc_device_info_t info_;
};

} // namespace

std::unique_ptr<hal::Device> hal::createCpuDevice() {
  return std::unique_ptr<hal::Device>(new CpuDevice());
}
