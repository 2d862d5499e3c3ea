//===- NpuDevice.cpp - The npu HAL device: the RNPU simulator -------------===//
//
// Loading decodes and validates the whole blob once (every instruction and
// every DRAM access against the binding sizes it declares); a dispatch binds
// the session's buffers (the executor passes at least the declared bytes)
// and runs the simulator synchronously. Failures come back as
// AICC_STATUS_KERNEL_FAILED with the simulator's message.
//
// Partitioned modules (--target=npu,avx512): the device models an SoC whose
// NPU shares DRAM with a host CPU. Given the host's device, it also loads
// CPU executables (through that device) and runs their dispatches on a host
// context of its own, so one session runs both executables of the module
// in schedule order; the NPU's DRAM is host memory, so no copies are needed.
//
//===----------------------------------------------------------------------===//

#include "hal/npu/NpuDevice.h"

#include "hal/npu/RnpuBlob.h"
#include "src/Status.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

using namespace aicc;

namespace {

class NpuExecutable final : public hal::Executable {
public:
  /// What an entry point handle points to: an RNPU stream, or (host set)
  /// an entry point of a host CPU executable.
  struct Entry {
    const rnpu::RnpuConfig *config;
    const rnpu::RnpuEntry *entry;
    void *host = nullptr;
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

/// A host CPU executable of a partitioned module, loaded by the host
/// device; its handles are Entry records with `host` set.
class HostExecutable final : public hal::Executable {
public:
  HostExecutable(std::unique_ptr<hal::Executable> code, size_t count)
      : code_(std::move(code)) {
    for (size_t i = 0; i < count; ++i)
      entries_.push_back({nullptr, nullptr, code_->entryPoint(i)});
  }
  void *entryPoint(size_t index) const override {
    if (index >= entries_.size())
      return nullptr;
    return const_cast<NpuExecutable::Entry *>(&entries_[index]);
  }

private:
  std::unique_ptr<hal::Executable> code_;
  std::vector<NpuExecutable::Entry> entries_;
};

/// An environment variable's value, or "" (unset).
std::string environment(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

class NpuContext final : public hal::DeviceContext {
public:
  explicit NpuContext(std::unique_ptr<hal::DeviceContext> host)
      : host_(std::move(host)),
        profilePath_(environment("AICC_NPU_PROFILE")),
        tracePath_(environment("AICC_NPU_TRACE")) {
    tracing_ = !tracePath_.empty();
  }

  /// AICC_NPU_PROFILE / AICC_NPU_TRACE: the session's counters and trace
  /// are written when it ends (docs/RNPU.md, "Partitioning").
  ~NpuContext() override {
    if (!profilePath_.empty() && profilePath_ != "0")
      writeProfile();
    if (!tracePath_.empty())
      writeTrace();
  }

  aicc_status_t dispatch(void *entryHandle, void *const *bindings,
                         const int64_t *pushConstants) override {
    const auto *e = static_cast<const NpuExecutable::Entry *>(entryHandle);
    if (!e)
      return makeStatus(AICC_STATUS_INTERNAL, "npu: null entry point");
    if (e->host) {
      if (!host_)
        return makeStatus(AICC_STATUS_INTERNAL, "npu: no host context");
      return host_->dispatch(e->host, bindings, pushConstants);
    }
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

private:
  /// Per entry point, in first-dispatch order: dispatches, simulated
  /// cycles, MACs, DRAM bytes and roofline cycles of one dispatch (the
  /// simulator is deterministic), and the totals of one run.
  void writeProfile() const {
    FILE *out = profilePath_ == "stdout" ? stdout : stderr;
    bool toFile = profilePath_ != "1" && profilePath_ != "stderr" &&
                  profilePath_ != "stdout";
    if (toFile && !(out = std::fopen(profilePath_.c_str(), "w"))) {
      std::fprintf(stderr, "npu: cannot write the profile to %s\n",
                   profilePath_.c_str());
      return;
    }
    std::vector<std::string> order;
    std::map<std::string, std::pair<size_t, const hal::NpuDispatchRecord *>>
        byEntry;
    for (const hal::NpuDispatchRecord &r : records_) {
      auto [it, inserted] = byEntry.try_emplace(r.entryName, 0, &r);
      if (inserted)
        order.push_back(r.entryName);
      ++it->second.first;
    }
    auto ull = [](uint64_t v) { return (unsigned long long)v; };
    std::fprintf(out,
                 "simulated RNPU profile: %zu dispatches of %zu entry points\n"
                 "  %-28s %6s %12s %7s %12s %12s %12s\n",
                 records_.size(), order.size(), "entry", "calls", "cycles",
                 "MAC%", "MACs", "DRAM bytes", "roofline");
    uint64_t cycles = 0, macs = 0, bytes = 0, roofline = 0, peak = 0;
    for (const std::string &name : order) {
      const hal::NpuDispatchRecord &r = *byEntry[name].second;
      const rnpu::Counters &c = r.counters;
      uint64_t dram = c.dramBytesRead + c.dramBytesWritten;
      std::fprintf(out, "  %-28s %6zu %12llu %6.1f%% %12llu %12llu %12llu\n",
                   name.c_str(), byEntry[name].first, ull(c.totalCycles),
                   100 * c.macUtilization, ull(c.macs), ull(dram),
                   ull(c.rooflineCycles));
      cycles += c.totalCycles;
      macs += c.macs;
      bytes += dram;
      roofline += c.rooflineCycles;
      peak = uint64_t(r.config.macRows) * r.config.macCols;
    }
    double utilization =
        cycles && peak ? 100.0 * double(macs) / (double(cycles) * peak) : 0;
    std::fprintf(out,
                 "  one run: %llu cycles, MAC utilization %.1f%%, %llu MACs, "
                 "%llu DRAM bytes, roofline %llu cycles\n",
                 ull(cycles), utilization, ull(macs), ull(bytes),
                 ull(roofline));
    if (toFile)
      std::fclose(out);
  }

  /// The dispatches one after another on one timeline.
  void writeTrace() const {
    if (records_.empty())
      return;
    std::vector<rnpu::TraceSegment> segments;
    uint64_t start = 0;
    for (const hal::NpuDispatchRecord &r : records_) {
      segments.push_back({r.entryName, &r.trace, start});
      start += r.counters.totalCycles;
    }
    std::string json = rnpu::chromeTraceJson(segments, records_.front().config);
    FILE *out = std::fopen(tracePath_.c_str(), "w");
    if (!out || std::fwrite(json.data(), 1, json.size(), out) != json.size())
      std::fprintf(stderr, "npu: cannot write the trace to %s\n",
                   tracePath_.c_str());
    if (out)
      std::fclose(out);
  }

  /// Runs the host CPU dispatches of a partitioned module (null without a
  /// host device).
  std::unique_ptr<hal::DeviceContext> host_;
  std::string profilePath_, tracePath_;
};

class NpuDevice final : public hal::Device {
public:
  explicit NpuDevice(std::unique_ptr<hal::Device> host)
      : host_(std::move(host)) {
    info_.name = "npu";
    info_.kind = AICC_DEVICE_KIND_NPU;
    info_.description = "RNPU ISA 1.0 simulator (simulated RNPU)";
    info_.concurrency = 1;
  }
  const aicc_device_info_t &info() const override { return info_; }
  bool supports(aicc_device_kind_t kind) const override {
    return kind == AICC_DEVICE_KIND_NPU ||
           (host_ && host_->supports(kind));
  }
  aicc_status_t loadExecutable(const hal::ExecutableSpec &spec,
                               std::unique_ptr<hal::Executable> *out) override {
    if (spec.device != AICC_DEVICE_KIND_NPU && host_) {
      std::unique_ptr<hal::Executable> code;
      if (aicc_status_t status = host_->loadExecutable(spec, &code))
        return status;
      *out = std::make_unique<HostExecutable>(std::move(code),
                                              spec.entryPointNames.size());
      return nullptr;
    }
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
  createContext(uint32_t numThreads,
                std::unique_ptr<hal::DeviceContext> *out) override {
    std::unique_ptr<hal::DeviceContext> host;
    if (host_)
      if (aicc_status_t status = host_->createContext(numThreads, &host))
        return status;
    *out = std::make_unique<NpuContext>(std::move(host));
    return nullptr;
  }

private:
  aicc_device_info_t info_;
  /// The host CPU that shares the NPU's DRAM, or null.
  std::unique_ptr<hal::Device> host_;
};

} // namespace

std::unique_ptr<hal::Device>
hal::createNpuDevice(std::unique_ptr<Device> host) {
  return std::make_unique<NpuDevice>(std::move(host));
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
