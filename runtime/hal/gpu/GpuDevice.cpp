//===- GpuDevice.cpp - The device logic shared by the GPU drivers ---------===//

#include "hal/gpu/GpuDevice.h"

#include "src/Status.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <string>

using namespace aicc;
using namespace aicc::hal;

namespace {

/// Kernel arguments beyond this are certainly a mistake (CUDA's parameter
/// space is 4 KiB at most, 512 pointers).
constexpr uint32_t kMaxKernelArguments = 4096;

/// Makes the device current for the lifetime of the scope.
class Current {
public:
  Current(const GpuApi &api, void *device) : api_(api), device_(device) {
    status_ = api_.enter(device_, &saved_);
  }
  ~Current() {
    aicc_status_free(status_);
    if (entered_)
      aicc_status_free(api_.leave(device_, saved_));
  }
  /// The failure of entering (owned by the caller), or null.
  aicc_status_t take() {
    aicc_status_t status = status_;
    status_ = nullptr;
    entered_ = !status;
    return status;
  }
  Current(const Current &) = delete;
  Current &operator=(const Current &) = delete;

private:
  const GpuApi &api_;
  void *device_;
  void *saved_ = nullptr;
  aicc_status_t status_ = nullptr;
  bool entered_ = false;
};

/// An entry point: the function handle and how to launch it.
struct GpuEntry {
  void *function = nullptr;
  uint32_t block[3] = {1, 1, 1};
  uint32_t bindingCount = 0;
  uint32_t pushConstantCount = 0;
};

class GpuExecutable final : public Executable {
public:
  GpuExecutable(const GpuApi &api, void *device, void *module)
      : api_(api), device_(device), module_(module) {}
  ~GpuExecutable() override {
    Current current(api_, device_);
    if (aicc_status_t status = current.take()) {
      aicc_status_free(status);
      return;
    }
    aicc_status_free(api_.moduleUnload(module_));
  }
  void *entryPoint(size_t index) const override {
    return const_cast<GpuEntry *>(&entries_[index]);
  }
  std::vector<GpuEntry> entries_;

private:
  const GpuApi &api_;
  void *device_;
  void *module_;
};

class GpuContext final : public DeviceContext {
public:
  GpuContext(const GpuApi &api, void *device) : api_(api), device_(device) {}
  ~GpuContext() override {
    Current current(api_, device_);
    if (aicc_status_t status = current.take()) {
      aicc_status_free(status);
      return;
    }
    for (void *event : events_)
      aicc_status_free(api_.eventDestroy(event));
    if (stream_)
      aicc_status_free(api_.streamDestroy(stream_));
  }

  aicc_status_t initialize() {
    Current current(api_, device_);
    AICC_RETURN_IF_ERROR(current.take());
    return api_.streamCreate(&stream_);
  }

  aicc_status_t dispatch(void *entry, void *const *bindings,
                         const int64_t *pushConstants) override {
    static const uint32_t kOne[3] = {1, 1, 1};
    return launch(entry, bindings, pushConstants, kOne);
  }

  aicc_status_t begin() override { return api_.enter(device_, &saved_); }

  aicc_status_t finish() override {
    aicc_status_t status = api_.streamSynchronize(stream_);
    aicc_status_t left = api_.leave(device_, saved_);
    if (status) {
      aicc_status_free(left);
      return status;
    }
    return left;
  }

  aicc_status_t launch(void *entryHandle, void *const *bindings,
                       const int64_t *pushConstants,
                       const uint32_t *workgroupCount) override {
    const GpuEntry &entry = *static_cast<const GpuEntry *>(entryHandle);
    // The driver reads each argument through a pointer to it: the binding
    // slots hold the device addresses, the push constants follow.
    uint32_t count = entry.bindingCount + entry.pushConstantCount;
    if (params_.size() < count)
      params_.resize(count);
    for (uint32_t i = 0; i < entry.bindingCount; ++i)
      params_[i] = const_cast<void **>(&bindings[i]);
    for (uint32_t i = 0; i < entry.pushConstantCount; ++i)
      params_[entry.bindingCount + i] =
          const_cast<int64_t *>(&pushConstants[i]);
    return api_.launch(entry.function, workgroupCount, entry.block, stream_,
                       params_.data());
  }

  aicc_status_t copy(CopyKind kind, void *target, const void *source,
                     uint64_t bytes) override {
    return api_.copyAsync(kind, target, source, bytes, stream_);
  }

  aicc_status_t zero(void *target, uint64_t bytes) override {
    return api_.zeroAsync(reinterpret_cast<uint64_t>(target), bytes, stream_);
  }

  bool asynchronous() const override { return true; }

  aicc_status_t prepareTimestamps(size_t count) override {
    Current current(api_, device_);
    AICC_RETURN_IF_ERROR(current.take());
    while (events_.size() < count) {
      void *event = nullptr;
      AICC_RETURN_IF_ERROR(api_.eventCreate(&event));
      events_.push_back(event);
    }
    return nullptr;
  }

  aicc_status_t recordTimestamp(size_t index) override {
    if (index >= events_.size())
      return makeStatus(AICC_STATUS_INTERNAL,
                        "timestamp %zu was not prepared (%zu are)", index,
                        events_.size());
    return api_.eventRecord(events_[index], stream_);
  }

  aicc_status_t elapsedNs(size_t from, size_t to, uint64_t *out) override {
    if (from >= events_.size() || to >= events_.size())
      return makeStatus(AICC_STATUS_INTERNAL, "timestamp out of range");
    Current current(api_, device_);
    AICC_RETURN_IF_ERROR(current.take());
    float ms = 0;
    AICC_RETURN_IF_ERROR(api_.eventElapsedMs(events_[from], events_[to], &ms));
    *out = ms > 0 ? static_cast<uint64_t>(ms * 1e6 + 0.5) : 0;
    return nullptr;
  }

private:
  const GpuApi &api_;
  void *device_;
  void *saved_ = nullptr;
  void *stream_ = nullptr;
  std::vector<void *> params_;
  std::vector<void *> events_;
};

class GpuDevice final : public Device {
public:
  GpuDevice(const GpuApi &api, GpuDescription description)
      : api_(api), description_(std::move(description)) {
    info_.name = description_.name.c_str();
    info_.kind = api.kind;
    info_.description = description_.description.c_str();
    info_.concurrency = description_.multiprocessors;
  }
  ~GpuDevice() override {
    if (description_.release)
      description_.release(description_.handle);
  }

  const aicc_device_info_t &info() const override { return info_; }
  bool supports(aicc_device_kind_t kind) const override {
    return kind == api_.kind;
  }
  bool hasOwnMemory() const override { return true; }

  aicc_status_t loadExecutable(const ExecutableSpec &spec,
                               std::unique_ptr<Executable> *out) override {
    std::string label = "executable " + std::to_string(spec.index);
    if (spec.name && *spec.name)
      label += " ('" + std::string(spec.name) + "')";
    for (const EntryPointSpec &entry : spec.entryPoints) {
      if (entry.bindingCount + uint64_t(entry.pushConstantCount) >
          kMaxKernelArguments)
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "%s: entry point '%s' takes %u buffers and %u push "
                          "constants, more than the %u kernel arguments "
                          "supported",
                          label.c_str(), entry.name, entry.bindingCount,
                          entry.pushConstantCount, kMaxKernelArguments);
      for (uint32_t d = 0; d < 3; ++d)
        if (entry.workgroupSize[d] == 0)
          return makeStatus(AICC_STATUS_INVALID_MODULE,
                            "%s: entry point '%s' has a zero workgroup size",
                            label.c_str(), entry.name);
    }

    Current current(api_, description_.handle);
    AICC_RETURN_IF_ERROR(current.take());
    // Try the images in the API's order of preference (a cubin for this
    // GPU before PTX for the driver's JIT); a binary for another GPU fails
    // to load and the next one is tried.
    std::string failures;
    void *module = nullptr;
    for (size_t f = 0; f < api_.formatCount && !module; ++f) {
      for (const ExecutableImage &image : spec.images) {
        if (std::strcmp(image.format, api_.formats[f]) != 0)
          continue;
        // Text formats (PTX) must end with a NUL; add one if the file's
        // bytes do not.
        std::string text;
        const void *bytes = image.data;
        if (std::strcmp(image.format, "ptx") == 0 &&
            (image.size == 0 || image.data[image.size - 1] != 0)) {
          text.assign(reinterpret_cast<const char *>(image.data), image.size);
          bytes = text.c_str();
        }
        aicc_status_t status = api_.moduleLoad(bytes, &module);
        if (!status)
          break;
        failures += std::string(failures.empty() ? "" : "; ") + image.format +
                    ": " + aicc_status_message(status);
        aicc_status_free(status);
        module = nullptr;
      }
    }
    if (!module) {
      if (!failures.empty())
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "%s cannot be loaded on %s (%s): %s", label.c_str(),
                          info_.name, info_.description, failures.c_str());
      std::string accepted;
      for (size_t f = 0; f < api_.formatCount; ++f)
        accepted += std::string(f ? " or '" : "'") + api_.formats[f] + "'";
      return makeStatus(AICC_STATUS_UNSUPPORTED,
                        "%s: format '%s' cannot run on %s (expected %s)",
                        label.c_str(), spec.format, info_.name,
                        accepted.c_str());
    }

    std::unique_ptr<GpuExecutable> executable(
        new GpuExecutable(api_, description_.handle, module));
    for (const EntryPointSpec &entrySpec : spec.entryPoints) {
      GpuEntry entry;
      if (aicc_status_t status =
              api_.moduleFunction(module, entrySpec.name, &entry.function))
        return annotateStatus(status, "%s: entry point '%s'", label.c_str(),
                              entrySpec.name);
      for (uint32_t d = 0; d < 3; ++d)
        entry.block[d] = entrySpec.workgroupSize[d];
      entry.bindingCount = entrySpec.bindingCount;
      entry.pushConstantCount = entrySpec.pushConstantCount;
      executable->entries_.push_back(entry);
    }
    *out = std::move(executable);
    return nullptr;
  }

  aicc_status_t createContext(uint32_t,
                              std::unique_ptr<DeviceContext> *out) override {
    std::unique_ptr<GpuContext> context(
        new GpuContext(api_, description_.handle));
    AICC_RETURN_IF_ERROR(context->initialize());
    *out = std::move(context);
    return nullptr;
  }

  aicc_status_t allocate(uint64_t bytes, void **out) override {
    Current current(api_, description_.handle);
    AICC_RETURN_IF_ERROR(current.take());
    uint64_t address = 0;
    AICC_RETURN_IF_ERROR(api_.memAlloc(bytes, &address));
    *out = reinterpret_cast<void *>(address);
    return nullptr;
  }

  void deallocate(void *address) override {
    if (!address)
      return;
    Current current(api_, description_.handle);
    if (aicc_status_t status = current.take()) {
      aicc_status_free(status);
      return;
    }
    aicc_status_free(api_.memFree(reinterpret_cast<uint64_t>(address)));
  }

  aicc_status_t upload(void *target, const void *source,
                       uint64_t bytes) override {
    Current current(api_, description_.handle);
    AICC_RETURN_IF_ERROR(current.take());
    return api_.upload(reinterpret_cast<uint64_t>(target), source, bytes);
  }

private:
  const GpuApi &api_;
  GpuDescription description_;
  aicc_device_info_t info_{};
};

} // namespace

std::unique_ptr<Device> hal::createGpuDevice(const GpuApi &api,
                                             GpuDescription description) {
  return std::unique_ptr<Device>(new GpuDevice(api, std::move(description)));
}

void *hal::openGpuLibrary(const char *envVariable,
                          const std::vector<const char *> &names,
                          std::string *error) {
  const char *override = std::getenv(envVariable);
  std::vector<const char *> candidates;
  if (override && *override)
    candidates.push_back(override);
  else
    candidates = names;
  std::string firstError;
  for (const char *name : candidates) {
    void *handle = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle)
      return handle;
    const char *reason = ::dlerror();
    if (firstError.empty()) {
      // The common case, no driver installed, in a few words; anything else
      // (a broken install) with the loader's message.
      if (!reason || std::strstr(reason, "No such file"))
        firstError = std::string(name) + " not found";
      else
        firstError = std::string("cannot load ") + name + ": " + reason;
    }
  }
  *error = firstError;
  return nullptr;
}

std::string hal::formatBytes(uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f GiB",
                double(bytes) / (1024.0 * 1024.0 * 1024.0));
  return buffer;
}
