//===- RnpuDeviceTest.cpp - The npu HAL device and the rnpu-1.0 blob ------===//
//
// A blob holding a tiled conv loads on the npu device and dispatches to the
// reference result; bad blobs (format, ABI, truncation, DRAM accesses
// beyond the declared bindings, unknown entry points) are refused at load
// with a status, and a failing program fails its dispatch.
//
//===----------------------------------------------------------------------===//

#include "RnpuPrograms.h"
#include "hal/npu/NpuDevice.h"
#include "hal/npu/RnpuBlob.h"

#include <gtest/gtest.h>

using namespace aicc;
using namespace aicc::rnpu;
using namespace rnpu_test;

namespace {

/// Status code and message, freeing the status.
std::pair<aicc_status_code_t, std::string> take(aicc_status_t s) {
  std::pair<aicc_status_code_t, std::string> r = {aicc_status_code(s),
                                                  aicc_status_message(s)};
  aicc_status_free(s);
  return r;
}

struct ConvBlob {
  ConvLayer layer;
  ConvProgram conv;
  std::vector<uint8_t> bytes;
};

ConvBlob convBlob() {
  ConvBlob b;
  b.layer.H = 6;
  b.layer.W = 7;
  b.layer.Cin = 20;
  b.layer.Cout = 24;
  b.layer.xZeroPoint = 9;
  b.layer.yZeroPoint = 2;
  b.layer.randomize(21);
  RnpuConfig cfg;
  b.conv = buildConvProgram(b.layer, cfg, 2);
  RnpuBlob blob;
  RnpuEntry e;
  e.name = "conv_0";
  const ConvLayer &l = b.layer;
  e.bindingSizes = {l.x.size(), b.conv.packedWeights.size(), 4 * l.bias.size(),
                    4 * l.mult.size(), size_t(l.H) * l.W * l.Cout};
  e.bindingWritable = {false, false, false, false, true};
  e.program = b.conv.program;
  RnpuEntry other = e;
  other.name = "other";
  blob.entries = {other, e};
  b.bytes = encodeBlob(blob);
  return b;
}

hal::ExecutableSpec specOf(const std::vector<uint8_t> &bytes,
                           std::vector<const char *> entries = {"conv_0"}) {
  hal::ExecutableSpec spec;
  spec.name = "npu_exec";
  spec.format = kBlobFormat;
  spec.data = bytes.data();
  spec.size = bytes.size();
  spec.entryPointNames = std::move(entries);
  return spec;
}

TEST(RnpuDevice, DispatchesAConvBlob) {
  ConvBlob b = convBlob();
  std::unique_ptr<hal::Device> device = hal::createNpuDevice();
  EXPECT_STREQ(device->info().name, "npu");
  EXPECT_TRUE(device->supports(AICC_DEVICE_KIND_NPU));
  EXPECT_FALSE(device->supports(AICC_DEVICE_KIND_CPU));
  std::unique_ptr<hal::Executable> exe;
  auto [code, message] = take(device->loadExecutable(specOf(b.bytes), &exe));
  ASSERT_EQ(code, AICC_STATUS_OK) << message;
  std::unique_ptr<hal::DeviceContext> ctx;
  ASSERT_EQ(take(device->createContext(0, &ctx)).first, AICC_STATUS_OK);
  hal::npuSetTracing(ctx.get(), true);
  ConvLayer &l = b.layer;
  std::vector<uint8_t> y(size_t(l.H) * l.W * l.Cout, 0xee);
  void *bindings[5] = {l.x.data(), b.conv.packedWeights.data(), l.bias.data(),
                       l.mult.data(), y.data()};
  auto [dcode, dmessage] =
      take(ctx->dispatch(exe->entryPoint(0), bindings, nullptr));
  ASSERT_EQ(dcode, AICC_STATUS_OK) << dmessage;
  EXPECT_EQ(y, l.reference());
  const auto &records = hal::npuDispatchRecords(ctx.get());
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].entryName, "conv_0");
  EXPECT_EQ(records[0].counters.macs,
            uint64_t(l.H) * l.W * 2 * 2 * 9 * 256); // CB = COB = 2
  EXPECT_FALSE(records[0].trace.empty());
  EXPECT_EQ(exe->entryPoint(1), nullptr);
}

TEST(RnpuDevice, RefusesBadBlobs) {
  ConvBlob b = convBlob();
  std::unique_ptr<hal::Device> device = hal::createNpuDevice();
  std::unique_ptr<hal::Executable> exe;
  auto load = [&](const std::vector<uint8_t> &bytes,
                  std::vector<const char *> entries = {"conv_0"},
                  const char *format = kBlobFormat) {
    hal::ExecutableSpec spec = specOf(bytes, entries);
    spec.format = format;
    return take(device->loadExecutable(spec, &exe));
  };
  auto r = load(b.bytes, {"conv_0"}, "elf-x86_64");
  EXPECT_EQ(r.first, AICC_STATUS_UNSUPPORTED);
  EXPECT_NE(r.second.find("has format 'elf-x86_64', not 'rnpu-1.0'"),
            std::string::npos);
  r = load(b.bytes, {"conv_0", "missing"});
  EXPECT_NE(r.second.find("has no entry point 'missing'"), std::string::npos);
  std::vector<uint8_t> bad = b.bytes;
  bad[4] = 2;
  r = load(bad);
  EXPECT_EQ(r.first, AICC_STATUS_INVALID_MODULE);
  EXPECT_NE(r.second.find("ABI version 2.0 is not supported"),
            std::string::npos);
  for (size_t cut :
       {size_t(3), size_t(40), b.bytes.size() / 2, b.bytes.size() - 1}) {
    bad.assign(b.bytes.begin(), b.bytes.begin() + long(cut));
    r = load(bad);
    EXPECT_EQ(r.first, AICC_STATUS_INVALID_MODULE) << cut;
  }
  bad = b.bytes;
  bad.push_back(0);
  EXPECT_NE(load(bad).second.find("1 bytes after the last entry"),
            std::string::npos);
  // The output binding declared one byte short: the last store overflows.
  RnpuBlob blob;
  ASSERT_TRUE(decodeBlob(b.bytes.data(), b.bytes.size(), &blob).ok());
  blob.entries[1].bindingSizes[4] -= 1;
  r = load(encodeBlob(blob));
  EXPECT_NE(r.second.find("entry 'conv_0': instruction"), std::string::npos);
  EXPECT_NE(r.second.find("outside binding 4"), std::string::npos) << r.second;
  blob.entries[1].bindingSizes[4] += 1;
  blob.entries[1].bindingWritable[4] = false;
  EXPECT_NE(load(encodeBlob(blob)).second.find("binding 4 is read-only"),
            std::string::npos);
  blob.entries[1].bindingWritable[4] = true;
  blob.config.macRows = 0;
  EXPECT_NE(load(encodeBlob(blob)).second.find("mac_rows = 0"),
            std::string::npos);
}

TEST(RnpuDevice, CorruptedBlobsNeverCrash) {
  ConvBlob b = convBlob();
  std::unique_ptr<hal::Device> device = hal::createNpuDevice();
  std::mt19937 rng(13);
  int loaded = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::vector<uint8_t> bytes = b.bytes;
    for (int f = 0, n = 1 + int(rng() % 3); f < n; ++f)
      bytes[rng() % bytes.size()] ^= uint8_t(1u << (rng() % 8));
    std::unique_ptr<hal::Executable> exe;
    auto r = take(device->loadExecutable(specOf(bytes), &exe));
    if (r.first != AICC_STATUS_OK) {
      EXPECT_FALSE(r.second.empty());
      continue;
    }
    ++loaded;
    // Loaded: the blob's declared binding sizes were validated, so running
    // it on buffers that large is safe whatever it computes.
    RnpuBlob blob;
    ASSERT_TRUE(decodeBlob(bytes.data(), bytes.size(), &blob).ok());
    const RnpuEntry *entry = nullptr;
    for (const RnpuEntry &e : blob.entries)
      if (e.name == "conv_0")
        entry = &e;
    ASSERT_NE(entry, nullptr);
    std::vector<std::vector<uint8_t>> buffers;
    std::vector<void *> bindings;
    for (uint64_t size : entry->bindingSizes) {
      if (size > (uint64_t(1) << 24))
        break; // a corrupted size: not worth allocating
      buffers.emplace_back(size, 1);
      bindings.push_back(buffers.back().data());
    }
    if (bindings.size() != entry->bindingSizes.size())
      continue;
    std::unique_ptr<hal::DeviceContext> ctx;
    ASSERT_EQ(take(device->createContext(0, &ctx)).first, AICC_STATUS_OK);
    take(ctx->dispatch(exe->entryPoint(0), bindings.data(), nullptr));
  }
  EXPECT_GT(loaded, 0);
}

TEST(RnpuDevice, FailingProgramFailsTheDispatch) {
  // Stores ACT bytes nothing wrote.
  RnpuBlob blob;
  RnpuEntry e;
  e.name = "bad";
  e.bindingSizes = {16};
  e.bindingWritable = {true};
  DmaInst st;
  st.size[0] = 16;
  st.sramStride[0] = st.dramStride[0] = 1;
  e.program = {Instruction::dmaStore(st), Instruction::end()};
  blob.entries = {e};
  std::vector<uint8_t> bytes = encodeBlob(blob);
  std::unique_ptr<hal::Device> device = hal::createNpuDevice();
  std::unique_ptr<hal::Executable> exe;
  ASSERT_EQ(take(device->loadExecutable(specOf(bytes, {"bad"}), &exe)).first,
            AICC_STATUS_OK);
  std::unique_ptr<hal::DeviceContext> ctx;
  ASSERT_EQ(take(device->createContext(0, &ctx)).first, AICC_STATUS_OK);
  uint8_t out[16];
  void *bindings[1] = {out};
  auto r = take(ctx->dispatch(exe->entryPoint(0), bindings, nullptr));
  EXPECT_EQ(r.first, AICC_STATUS_KERNEL_FAILED);
  EXPECT_NE(r.second.find("simulated RNPU: bad: instruction 0 (DMA_STORE, "
                          "store queue, cycle 0): DMA_STORE reads ACT[0], "
                          "which was never written"),
            std::string::npos)
      << r.second;
  void *none[1] = {nullptr};
  r = take(ctx->dispatch(exe->entryPoint(0), none, nullptr));
  EXPECT_EQ(r.first, AICC_STATUS_INVALID_ARGUMENT);
}

/// A host CPU stand-in: records what the npu device forwards to it.
struct FakeHost {
  std::vector<std::pair<void *, const int64_t *>> dispatches;
  std::vector<void *const *> bindings;
  uint32_t contextThreads = 0;
};

class FakeHostDevice final : public hal::Device {
public:
  explicit FakeHostDevice(FakeHost &log) : log_(log) {
    info_.name = "cpu";
    info_.kind = AICC_DEVICE_KIND_CPU;
  }
  const aicc_device_info_t &info() const override { return info_; }
  bool supports(aicc_device_kind_t kind) const override {
    return kind == AICC_DEVICE_KIND_CPU;
  }
  aicc_status_t loadExecutable(const hal::ExecutableSpec &spec,
                               std::unique_ptr<hal::Executable> *out) override {
    struct Exe final : hal::Executable {
      std::vector<int> entries;
      void *entryPoint(size_t i) const override {
        return const_cast<int *>(&entries[i]);
      }
    };
    auto exe = std::make_unique<Exe>();
    exe->entries.resize(spec.entryPointNames.size());
    *out = std::move(exe);
    return nullptr;
  }
  aicc_status_t createContext(uint32_t numThreads,
                              std::unique_ptr<hal::DeviceContext> *out) override {
    struct Context final : hal::DeviceContext {
      FakeHost &log;
      explicit Context(FakeHost &log) : log(log) {}
      aicc_status_t dispatch(void *entry, void *const *bindings,
                             const int64_t *push) override {
        log.dispatches.push_back({entry, push});
        log.bindings.push_back(bindings);
        return nullptr;
      }
    };
    log_.contextThreads = numThreads;
    *out = std::make_unique<Context>(log_);
    return nullptr;
  }

private:
  FakeHost &log_;
  aicc_device_info_t info_{};
};

TEST(RnpuDevice, RunsAPartitionedModulesCpuCodeOnItsHost) {
  FakeHost log;
  std::unique_ptr<hal::Device> device =
      hal::createNpuDevice(std::make_unique<FakeHostDevice>(log));
  EXPECT_TRUE(device->supports(AICC_DEVICE_KIND_NPU));
  EXPECT_TRUE(device->supports(AICC_DEVICE_KIND_CPU));
  EXPECT_FALSE(device->supports(AICC_DEVICE_KIND_CUDA));
  // A CPU executable goes to the host device (the format is not RNPU's).
  hal::ExecutableSpec cpuSpec;
  cpuSpec.device = AICC_DEVICE_KIND_CPU;
  cpuSpec.format = "elf-x86_64";
  cpuSpec.entryPointNames = {"k1_softmax", "k2_dq"};
  std::unique_ptr<hal::Executable> cpuExe;
  ASSERT_EQ(take(device->loadExecutable(cpuSpec, &cpuExe)).first,
            AICC_STATUS_OK);
  ConvBlob b = convBlob();
  hal::ExecutableSpec npuSpec = specOf(b.bytes);
  npuSpec.device = AICC_DEVICE_KIND_NPU;
  std::unique_ptr<hal::Executable> npuExe;
  ASSERT_EQ(take(device->loadExecutable(npuSpec, &npuExe)).first,
            AICC_STATUS_OK);
  std::unique_ptr<hal::DeviceContext> ctx;
  ASSERT_EQ(take(device->createContext(3, &ctx)).first, AICC_STATUS_OK);
  EXPECT_EQ(log.contextThreads, 3u);
  // One context runs both, in order: the NPU conv, then a CPU kernel with
  // its bindings and push constants passed through.
  ConvLayer &l = b.layer;
  std::vector<uint8_t> y(size_t(l.H) * l.W * l.Cout, 0xee);
  void *bindings[5] = {l.x.data(), b.conv.packedWeights.data(), l.bias.data(),
                       l.mult.data(), y.data()};
  ASSERT_EQ(take(ctx->dispatch(npuExe->entryPoint(0), bindings, nullptr)).first,
            AICC_STATUS_OK);
  EXPECT_EQ(y, l.reference());
  EXPECT_TRUE(log.dispatches.empty());
  void *cpuBindings[1] = {y.data()};
  int64_t push[1] = {42};
  ASSERT_EQ(take(ctx->dispatch(cpuExe->entryPoint(1), cpuBindings, push)).first,
            AICC_STATUS_OK);
  ASSERT_EQ(log.dispatches.size(), 1u);
  EXPECT_NE(log.dispatches[0].first, nullptr);
  EXPECT_EQ(log.dispatches[0].second, push);
  EXPECT_EQ(log.bindings[0], cpuBindings);
  EXPECT_EQ(cpuExe->entryPoint(2), nullptr);
  // Only the RNPU dispatch has simulator counters.
  EXPECT_EQ(hal::npuDispatchRecords(ctx.get()).size(), 1u);
}

} // namespace
