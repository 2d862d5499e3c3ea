//===- NpuDevice.cpp - The npu HAL device: the RNPU simulator -------------===//
//
// Loading decodes and validates the whole blob once (every instruction and
// every DRAM access against the binding sizes it declares); a dispatch binds
// the session's buffers (the executor passes at least the declared bytes)
// and runs the simulator synchronously. Failures come back as
// AICC_STATUS_KERNEL_FAILED with the simulator's message.
//
//===----------------------------------------------------------------------===//

#include "hal/npu/NpuDevice.h"

#include "hal/npu/RnpuBlob.h"
#include "src/Status.h"

#include <cstring>

using namespace aicc;

namespace {

class NpuExecutable final : public hal::Executable {
public:
  /// What an entry point handle points to.
  struct Entry {
    const rnpu::RnpuConfig *config;
    const rnpu::RnpuEntry *entry;
  };

  /// `entryIndices[i]` is the blob entry of the module's entry point i.
  NpuExecutable(rnpu::RnpuBlob blob, const std::vector<size_t> &entryIndices)
      : blob_(std::move(blob)) {
    for (size_t i : entryIndices)
      entries_.push_back({&blob_.config, &blob_.entries[i]});
  }
  void *entryPoint(size_t index) const override {
    if (index >= entries_.size())
      return nullptr;
    return const_cast<Entry *>(&entries_[index]);
  }

private:
  rnpu::RnpuBlob blob_;
  std::vector<Entry> entries_;
};

class NpuContext final : public hal::DeviceContext {
public:
  aicc_status_t dispatch(void *entryHandle, void *const *bindings,
                         const int64_t * /*pushConstants*/) override {
    const auto *e = static_cast<const NpuExecutable::Entry *>(entryHandle);
    if (!e)
      return makeStatus(AICC_STATUS_INTERNAL, "npu: null entry point");
    const rnpu::RnpuEntry &entry = *e->entry;
    std::vector<rnpu::DramBinding> dram;
    for (size_t i = 0; i < entry.bindingSizes.size(); ++i) {
      uint8_t *data = bindings ? static_cast<uint8_t *>(bindings[i]) : nullptr;
      if (!data && entry.bindingSizes[i] != 0)
        return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                          "npu: %s: binding %zu is null", entry.name.c_str(),
                          i);
      dram.push_back(
          {data, entry.bindingSizes[i], bool(entry.bindingWritable[i])});
    }
    rnpu::SimOptions options;
    options.collectTrace = tracing_;
    rnpu::SimResult r =
        rnpu::simulateProgram(*e->config, entry.program, dram, options);
    if (!r.status.ok())
      return makeStatus(AICC_STATUS_KERNEL_FAILED, "simulated RNPU: %s: %s",
                        entry.name.c_str(), r.status.message.c_str());
    records_.push_back(
        {entry.name, *e->config, std::move(r.counters), std::move(r.trace)});
    return nullptr;
  }

  std::vector<hal::NpuDispatchRecord> records_;
  bool tracing_ = false;
};

class NpuDevice final : public hal::Device {
public:
  NpuDevice() {
    info_.name = "npu";
    info_.kind = AICC_DEVICE_KIND_NPU;
    info_.description = "RNPU ISA 1.0 simulator (simulated RNPU)";
    info_.concurrency = 1;
  }
  const aicc_device_info_t &info() const override { return info_; }
  bool supports(aicc_device_kind_t kind) const override {
    return kind == AICC_DEVICE_KIND_NPU;
  }
  aicc_status_t loadExecutable(const hal::ExecutableSpec &spec,
                               std::unique_ptr<hal::Executable> *out) override {
    if (std::strcmp(spec.format, rnpu::kBlobFormat) != 0)
      return makeStatus(AICC_STATUS_UNSUPPORTED,
                        "npu: executable %u (%s) has format '%s', not '%s'",
                        spec.index, spec.name, spec.format, rnpu::kBlobFormat);
    rnpu::RnpuBlob blob;
    rnpu::Status s = rnpu::decodeBlob(spec.data, spec.size, &blob);
    if (!s.ok())
      return makeStatus(AICC_STATUS_INVALID_MODULE,
                        "npu: executable %u (%s): %s", spec.index, spec.name,
                        s.message.c_str());
    std::vector<size_t> indices;
    for (const char *name : spec.entryPointNames) {
      size_t found = blob.entries.size();
      for (size_t i = 0; i < blob.entries.size(); ++i)
        if (blob.entries[i].name == name)
          found = i;
      if (found == blob.entries.size())
        return makeStatus(AICC_STATUS_INVALID_MODULE,
                          "npu: executable %u (%s) has no entry point '%s'",
                          spec.index, spec.name, name);
      indices.push_back(found);
    }
    *out = std::make_unique<NpuExecutable>(std::move(blob), indices);
    return nullptr;
  }
  aicc_status_t
  createContext(uint32_t /*numThreads*/,
                std::unique_ptr<hal::DeviceContext> *out) override {
    *out = std::make_unique<NpuContext>();
    return nullptr;
  }

private:
  aicc_device_info_t info_;
};

} // namespace

std::unique_ptr<hal::Device> hal::createNpuDevice() {
  return std::make_unique<NpuDevice>();
}

const std::vector<hal::NpuDispatchRecord> &
hal::npuDispatchRecords(const DeviceContext *context) {
  return static_cast<const NpuContext *>(context)->records_;
}

void hal::npuClearDispatchRecords(DeviceContext *context) {
  static_cast<NpuContext *>(context)->records_.clear();
}

void hal::npuSetTracing(DeviceContext *context, bool enabled) {
  static_cast<NpuContext *>(context)->tracing_ = enabled;
}
