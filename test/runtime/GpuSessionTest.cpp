//===- GpuSessionTest.cpp - Sessions on a device with its own memory ------===//
//
// A fake GPU (FakeGpu below) keeps its "device memory" in separate host
// allocations it tracks, queues launches and copies on a fake stream that
// only runs at finish(), and records every operation. The tests build
// modules shaped like the GPU artifact contract (docs/Artifact.md, "GPU
// modules") with the runtime's writer and check that dispatches only ever
// see device addresses, that copies move caller tensors in and out in the
// schedule's order, that constants are uploaded once per module and device,
// and that the results are right only because the run waits for the stream.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "hal/Hal.h"
#include "src/Runtime.h"
#include "src/Status.h"

#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

using namespace aicc;
using namespace aicc::test;

namespace {

/// What the fake GPU saw, shared by the device, its contexts and the test.
struct FakeState {
  std::mutex mutex;
  /// Live device allocations: base -> size.
  std::map<uintptr_t, uint64_t> allocations;
  int allocationCount = 0;
  int uploads = 0;
  int loads = 0;
  /// Formats of the images offered for each load.
  std::vector<std::vector<std::string>> offered;
  /// Operations in the order the stream executed them.
  std::vector<std::string> ops;
  /// Contract violations (host addresses where device ones belong, ...).
  std::vector<std::string> violations;
  /// Fail the next finish() (an asynchronous kernel fault).
  bool faultOnFinish = false;

  bool isDevice(const void *p, uint64_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    auto address = reinterpret_cast<uintptr_t>(p);
    auto it = allocations.upper_bound(address);
    if (it == allocations.begin())
      return false;
    --it;
    return address >= it->first && address + bytes <= it->first + it->second;
  }
  void violation(std::string text) {
    std::lock_guard<std::mutex> lock(mutex);
    violations.push_back(std::move(text));
  }
  void op(std::string text) {
    std::lock_guard<std::mutex> lock(mutex);
    ops.push_back(std::move(text));
  }
};

/// Kernels over n = grid.x * block.x floats.
struct FakeEntry {
  std::string name;
  uint32_t bindings;
  uint32_t block[3];
};

class FakeExecutable final : public hal::Executable {
public:
  void *entryPoint(size_t index) const override {
    return const_cast<FakeEntry *>(&entries[index]);
  }
  std::vector<FakeEntry> entries;
};

class FakeContext final : public hal::DeviceContext {
public:
  explicit FakeContext(std::shared_ptr<FakeState> state)
      : state_(std::move(state)) {}

  aicc_status_t dispatch(void *, void *const *, const int64_t *) override {
    state_->violation("dispatch() called instead of launch()");
    return nullptr;
  }
  aicc_status_t begin() override {
    if (inRun_)
      state_->violation("begin() twice");
    inRun_ = true;
    return nullptr;
  }
  aicc_status_t finish() override {
    if (!inRun_)
      state_->violation("finish() without begin()");
    inRun_ = false;
    for (auto &op : queue_)
      op();
    queue_.clear();
    if (state_->faultOnFinish) {
      state_->faultOnFinish = false;
      return makeFault();
    }
    return nullptr;
  }
  aicc_status_t launch(void *entryHandle, void *const *bindings,
                       const int64_t *, const uint32_t *grid) override {
    checkInRun("launch");
    const FakeEntry &entry = *static_cast<FakeEntry *>(entryHandle);
    uint64_t n = uint64_t(grid[0]) * entry.block[0];
    std::vector<float *> args;
    for (uint32_t i = 0; i < entry.bindings; ++i) {
      if (!state_->isDevice(bindings[i], n * 4))
        state_->violation("launch of " + entry.name + ": binding " +
                          std::to_string(i) + " is not device memory");
      args.push_back(static_cast<float *>(bindings[i]));
    }
    char text[128];
    std::snprintf(text, sizeof(text), "launch %s %ux%ux%u %ux%ux%u",
                  entry.name.c_str(), grid[0], grid[1], grid[2], entry.block[0],
                  entry.block[1], entry.block[2]);
    std::string op = text, name = entry.name;
    enqueue(1000, [=] {
      for (uint64_t i = 0; i < n; ++i) {
        if (name == "add")
          args[2][i] = args[0][i] + args[1][i];
        else if (name == "mul")
          args[2][i] = args[0][i] * args[1][i];
        else if (name == "accumulate") // state += a; out = state
          args[2][i] = args[1][i] += args[0][i];
      }
      state_->op(op);
    });
    return nullptr;
  }
  aicc_status_t copy(hal::CopyKind kind, void *target, const void *source,
                     uint64_t bytes) override {
    checkInRun("copy");
    bool toDevice = state_->isDevice(target, bytes);
    bool fromDevice = state_->isDevice(source, bytes);
    static const char *const kNames[] = {"H2H", "H2D", "D2H", "D2D"};
    const char *name = kNames[int(kind)];
    bool expectTo = kind == hal::CopyKind::HostToDevice ||
                    kind == hal::CopyKind::DeviceToDevice;
    bool expectFrom = kind == hal::CopyKind::DeviceToHost ||
                      kind == hal::CopyKind::DeviceToDevice;
    if (kind == hal::CopyKind::HostToHost || toDevice != expectTo ||
        fromDevice != expectFrom)
      state_->violation(std::string(name) + " copy between the wrong memories");
    std::string op = std::string(name) + " " + std::to_string(bytes);
    enqueue(10, [=] {
      std::memcpy(target, source, bytes);
      state_->op(op);
    });
    return nullptr;
  }
  aicc_status_t zero(void *target, uint64_t bytes) override {
    checkInRun("zero");
    if (!state_->isDevice(target, bytes))
      state_->violation("zero of host memory");
    enqueue(1, [=] {
      std::memset(target, 0, bytes);
      state_->op("zero " + std::to_string(bytes));
    });
    return nullptr;
  }
  bool asynchronous() const override { return true; }
  aicc_status_t prepareTimestamps(size_t count) override {
    timestamps_.assign(count, 0);
    return nullptr;
  }
  aicc_status_t recordTimestamp(size_t index) override {
    checkInRun("timestamp");
    enqueue(0, [=] { timestamps_.at(index) = clock_; });
    return nullptr;
  }
  aicc_status_t elapsedNs(size_t from, size_t to, uint64_t *out) override {
    *out = timestamps_.at(to) - timestamps_.at(from);
    return nullptr;
  }

private:
  static aicc_status_t makeFault() {
    // The same shape of message a real driver gives.
    return makeStatus(
        AICC_STATUS_KERNEL_FAILED,
        "fake: cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS");
  }
  void checkInRun(const char *what) {
    if (!inRun_)
      state_->violation(std::string(what) + " outside begin()/finish()");
  }
  /// The fake stream: runs at finish(); each op advances the clock.
  void enqueue(uint64_t ns, std::function<void()> op) {
    queue_.push_back([this, ns, op] {
      clock_ += ns;
      op();
    });
  }

  std::shared_ptr<FakeState> state_;
  bool inRun_ = false;
  std::vector<std::function<void()>> queue_;
  std::vector<uint64_t> timestamps_;
  uint64_t clock_ = 0;
};

class FakeGpu final : public hal::Device {
public:
  explicit FakeGpu(std::shared_ptr<FakeState> state)
      : state_(std::move(state)) {
    info_.name = "cuda:0";
    info_.kind = AICC_DEVICE_KIND_CUDA;
    info_.description = "fake GPU";
    info_.concurrency = 1;
  }
  const aicc_device_info_t &info() const override { return info_; }
  bool supports(aicc_device_kind_t kind) const override {
    return kind == AICC_DEVICE_KIND_CUDA;
  }
  bool hasOwnMemory() const override { return true; }

  aicc_status_t loadExecutable(const hal::ExecutableSpec &spec,
                               std::unique_ptr<hal::Executable> *out) override {
    std::vector<std::string> formats;
    for (const hal::ExecutableImage &image : spec.images)
      formats.push_back(image.format);
    std::unique_ptr<FakeExecutable> exe(new FakeExecutable());
    for (const hal::EntryPointSpec &entry : spec.entryPoints)
      exe->entries.push_back({entry.name,
                              entry.bindingCount,
                              {entry.workgroupSize[0], entry.workgroupSize[1],
                               entry.workgroupSize[2]}});
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->offered.push_back(formats);
    ++state_->loads;
    *out = std::move(exe);
    return nullptr;
  }
  aicc_status_t
  createContext(uint32_t, std::unique_ptr<hal::DeviceContext> *out) override {
    out->reset(new FakeContext(state_));
    return nullptr;
  }
  aicc_status_t allocate(uint64_t bytes, void **out) override {
    void *memory = std::aligned_alloc(256, (bytes + 255) & ~uint64_t(255));
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->allocations[reinterpret_cast<uintptr_t>(memory)] = bytes;
    ++state_->allocationCount;
    *out = memory;
    return nullptr;
  }
  void deallocate(void *address) override {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      if (!state_->allocations.erase(reinterpret_cast<uintptr_t>(address)))
        state_->violations.push_back("free of an unknown address");
    }
    std::free(address);
  }
  aicc_status_t upload(void *target, const void *source,
                       uint64_t bytes) override {
    if (!state_->isDevice(target, bytes) || state_->isDevice(source, bytes))
      state_->violation("upload between the wrong memories");
    std::memcpy(target, source, bytes);
    std::lock_guard<std::mutex> lock(state_->mutex);
    ++state_->uploads;
    return nullptr;
  }

private:
  std::shared_ptr<FakeState> state_;
  aicc_device_info_t info_{};
};

/// A runtime with the CPU and the fake GPU, plus a CUDA-less "rocm" driver.
struct FakeRuntime {
  std::shared_ptr<FakeState> state = std::make_shared<FakeState>();
  aicc_runtime_t *runtime = nullptr;
  FakeRuntime() {
    std::vector<hal::DriverProbe> drivers(3);
    drivers[0].name = "cpu";
    drivers[0].devices.push_back(hal::createCpuDevice());
    drivers[1].name = "cuda";
    drivers[1].devices.emplace_back(new FakeGpu(state));
    drivers[2].name = "rocm";
    drivers[2].error = "libamdhip64.so not found";
    runtime = reinterpret_cast<aicc_runtime_t *>(
        Runtime::createWith(std::move(drivers)));
  }
  ~FakeRuntime() { aicc_runtime_release(runtime); }
};

const std::vector<int64_t> kShape = {4};

class GpuSessionTest : public ::testing::Test {
protected:
  aicc_status_t create(const ModuleWriter &writer, aicc_session_t **session,
                       const char *device = "cuda") {
    aicc_module_release(module_);
    module_ = nullptr;
    AICC_RETURN_IF_ERROR(loadModule(fake.runtime, writer.finish(), &module_));
    aicc_session_options_t options;
    aicc_session_options_init(&options);
    options.device = device;
    return aicc_session_create(module_, &options, session);
  }

  std::vector<float> run(aicc_session_t *session, std::vector<float> a,
                         std::vector<float> b) {
    std::vector<float> c(4, -99.0f);
    aicc_tensor_view_t inputs[] = {viewOf(a, AICC_ELEMENT_TYPE_F32, kShape),
                                   viewOf(b, AICC_ELEMENT_TYPE_F32, kShape)};
    aicc_tensor_view_t outputs[] = {viewOf(c, AICC_ELEMENT_TYPE_F32, kShape)};
    std::string status =
        statusText(aicc_session_run(session, inputs, 2, outputs, 1));
    EXPECT_EQ(status, "OK");
    return c;
  }

  void TearDown() override {
    aicc_module_release(module_);
    module_ = nullptr;
  }

  FakeRuntime fake;
  aicc_module_t *module_ = nullptr;
};

TEST_F(GpuSessionTest, RunsInDeviceMemoryInScheduleOrder) {
  SessionHandle s;
  AICC_ASSERT_OK(create(gpuModule(), &s.session));
  aicc_device_info_t info;
  AICC_ASSERT_OK(aicc_session_device_info(s.session, &info));
  EXPECT_STREQ(info.name, "cuda:0");

  // Reference: (a + b) * w computed here.
  std::vector<float> a = {1, 2, 3, 4}, b = {0.5f, -2, 10, 1};
  const float w[4] = {2, 3, 4, 5};
  for (int round = 0; round < 2; ++round) {
    fake.state->ops.clear();
    std::vector<float> c = run(s.session, a, b);
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(c[i], (a[i] + b[i]) * w[i]) << i;
    EXPECT_EQ(fake.state->ops, (std::vector<std::string>{
                                   "H2D 16", "H2D 16", "launch add 1x1x1 4x1x1",
                                   "launch mul 1x1x1 4x1x1", "D2H 16"}));
    a[0] += 1;
  }
  EXPECT_EQ(fake.state->violations, std::vector<std::string>{});
}

TEST_F(GpuSessionTest, UploadsConstantsOncePerModuleAndDevice) {
  {
    SessionHandle first, second;
    AICC_ASSERT_OK(create(gpuModule(), &first.session));
    aicc_session_options_t options;
    aicc_session_options_init(&options);
    options.device = "cuda:0";
    AICC_ASSERT_OK(aicc_session_create(module_, &options, &second.session));
    // One constant block (one upload: both constants share a segment, only
    // `w` is named by a buffer) and one arena per session.
    EXPECT_EQ(fake.state->uploads, 1);
    EXPECT_EQ(fake.state->allocationCount, 3);
    EXPECT_EQ(fake.state->loads, 1);
    std::vector<float> c = run(second.session, {1, 1, 1, 1}, {0, 0, 0, 1});
    EXPECT_EQ(c, (std::vector<float>{2, 3, 4, 10}));
    c = run(first.session, {0, 0, 0, 0}, {1, 1, 1, 1});
    EXPECT_EQ(c, (std::vector<float>{2, 3, 4, 5}));
  }
  // The sessions freed their arenas; the module still holds its constants.
  EXPECT_EQ(fake.state->allocations.size(), 1u);
  aicc_module_release(module_);
  module_ = nullptr;
  EXPECT_EQ(fake.state->allocations.size(), 0u);
  EXPECT_EQ(fake.state->violations, std::vector<std::string>{});
}

TEST_F(GpuSessionTest, OffersOtherBinariesOfTheSameCode) {
  SessionHandle s;
  AICC_ASSERT_OK(create(gpuModule({/*cubin=*/true}), &s.session));
  // Only the dispatched executable is loaded, with the cubin as an
  // alternative image.
  ASSERT_EQ(fake.state->offered.size(), 1u);
  EXPECT_EQ(fake.state->offered[0], (std::vector<std::string>{"ptx", "cubin"}));
  std::vector<float> c = run(s.session, {1, 2, 3, 4}, {1, 1, 1, 1});
  EXPECT_EQ(c, (std::vector<float>{4, 9, 16, 25}));
}

TEST_F(GpuSessionTest, RejectsDispatchesOfHostMemory) {
  SessionHandle s;
  std::string text = statusText(create(
      gpuModule({/*cubin=*/false, "sm_90", /*bindInput=*/true}), &s.session));
  EXPECT_NE(text.find("command 2: the dispatch of 'add' binds buffer 0 "
                      "(input), which is host memory; on device 'cuda:0'"),
            std::string::npos)
      << text;
  EXPECT_EQ(fake.state->allocations.size(), 1u) << "only the constants";
}

TEST_F(GpuSessionTest, ProfilesWithDeviceTimestamps) {
  SessionHandle s;
  AICC_ASSERT_OK(create(gpuModule(), &s.session));
  AICC_ASSERT_OK(aicc_session_set_profiling(s.session, 1));
  run(s.session, {1, 2, 3, 4}, {1, 1, 1, 1});
  run(s.session, {1, 2, 3, 4}, {1, 1, 1, 1});
  // The fake stream's clock: 10 ns a copy, 1000 ns a launch.
  const uint64_t expected[] = {10, 10, 1000, 1000, 10};
  for (size_t i = 0; i < 5; ++i) {
    aicc_command_profile_t profile;
    AICC_ASSERT_OK(aicc_session_command_profile(s.session, i, &profile));
    EXPECT_EQ(profile.run_count, 2u) << i;
    EXPECT_EQ(profile.last_ns, expected[i]) << i;
    EXPECT_EQ(profile.total_ns, 2 * expected[i]) << i;
  }
}

TEST_F(GpuSessionTest, ReportsAsynchronousFailures) {
  SessionHandle s;
  AICC_ASSERT_OK(create(gpuModule(), &s.session));
  fake.state->faultOnFinish = true;
  std::vector<float> a(4), b(4), c(4);
  aicc_tensor_view_t inputs[] = {viewOf(a, AICC_ELEMENT_TYPE_F32, kShape),
                                 viewOf(b, AICC_ELEMENT_TYPE_F32, kShape)};
  aicc_tensor_view_t outputs[] = {viewOf(c, AICC_ELEMENT_TYPE_F32, kShape)};
  std::string text =
      statusText(aicc_session_run(s.session, inputs, 2, outputs, 1));
  EXPECT_NE(text.find("KERNEL_FAILED: test.aicc: run on device 'cuda:0': "
                      "fake: cuStreamSynchronize failed"),
            std::string::npos)
      << text;
  // The session stays usable.
  EXPECT_EQ(run(s.session, {1, 1, 1, 1}, {0, 0, 0, 0}),
            (std::vector<float>{2, 3, 4, 5}));
}

TEST_F(GpuSessionTest, ConcurrentSessionsShareOneUpload) {
  // Threads create sessions of one module at once (the first uploads the
  // constants under the module's lock) and run them; scripts/runtime-tsan.sh
  // runs this under ThreadSanitizer.
  AICC_ASSERT_OK(loadModule(fake.runtime, gpuModule().finish(), &module_));
  constexpr int kThreads = 4, kRuns = 20;
  std::vector<std::string> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      aicc_session_options_t options;
      aicc_session_options_init(&options);
      options.device = "cuda";
      aicc_session_t *session = nullptr;
      std::string status =
          statusText(aicc_session_create(module_, &options, &session));
      if (status != "OK") {
        failures[t] = status;
        return;
      }
      for (int r = 0; r < kRuns && failures[t].empty(); ++r) {
        std::vector<float> a = {float(t), float(r), 1, 2}, b = {1, 1, 1, 1};
        std::vector<float> c(4, -1);
        aicc_tensor_view_t inputs[] = {
            viewOf(a, AICC_ELEMENT_TYPE_F32, kShape),
            viewOf(b, AICC_ELEMENT_TYPE_F32, kShape)};
        aicc_tensor_view_t outputs[] = {
            viewOf(c, AICC_ELEMENT_TYPE_F32, kShape)};
        status = statusText(aicc_session_run(session, inputs, 2, outputs, 1));
        if (status != "OK")
          failures[t] = status;
        else if (c != std::vector<float>{(t + 1) * 2.0f, (r + 1) * 3.0f, 8, 15})
          failures[t] = "wrong result in run " + std::to_string(r);
      }
      aicc_session_destroy(session);
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(failures[t], "") << "thread " << t;
  EXPECT_EQ(fake.state->uploads, 1);
  EXPECT_EQ(fake.state->loads, 1);
  EXPECT_EQ(fake.state->violations, std::vector<std::string>{});
}

/// out = (state += a): a device state pool, zeroed at creation and by
/// aicc_session_reset_state.
TEST_F(GpuSessionTest, KeepsStateInDeviceMemory) {
  ModuleWriter writer;
  uint32_t a = writer.addInput("a", fb::ElementType::F32, kShape);
  writer.addInput("b", fb::ElementType::F32, kShape);
  uint32_t c = writer.addOutput("c", fb::ElementType::F32, kShape);
  std::string ptx = "// fake PTX";
  ExecutableDesc exe;
  exe.device = fb::DeviceKind::Cuda;
  exe.format = "ptx";
  exe.segment = writer.addSegment(ptx.c_str(), ptx.size() + 1);
  exe.entryPoints = {{"accumulate", 3, 0, {2}}};
  writer.addExecutable(exe);
  uint32_t space =
      writer.addMemorySpace("cuda-global", fb::DeviceKind::Cuda, 32, 32);
  uint32_t pool = writer.addStatePool("acc", space, 16);
  uint32_t dA = writer.addArenaBuffer(space, 0, 16);
  uint32_t dC = writer.addArenaBuffer(space, 16, 16);
  uint32_t state = writer.addStateBuffer(pool, 0, 16);
  writer.addCopy(writer.addInputBuffer(a), dA);
  writer.addDispatch(0, 0, {dA, state, dC}, {}, {2});
  writer.addCopy(dC, writer.addOutputBuffer(c));

  SessionHandle s;
  AICC_ASSERT_OK(create(writer, &s.session));
  EXPECT_EQ(fake.state->ops, std::vector<std::string>{"zero 16"});
  EXPECT_EQ(run(s.session, {1, 2, 3, 4}, {0, 0, 0, 0}),
            (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(run(s.session, {1, 2, 3, 4}, {0, 0, 0, 0}),
            (std::vector<float>{2, 4, 6, 8}));
  AICC_ASSERT_OK(aicc_session_reset_state(s.session));
  EXPECT_EQ(run(s.session, {1, 1, 1, 1}, {0, 0, 0, 0}),
            (std::vector<float>{1, 1, 1, 1}));
  EXPECT_EQ(fake.state->violations, std::vector<std::string>{});
}

TEST_F(GpuSessionTest, SelectsDevicesByKindAndSaysWhyOneIsMissing) {
  // auto: the GPU for a GPU module, the CPU for a CPU module.
  SessionHandle gpu, cpu;
  AICC_ASSERT_OK(create(gpuModule(), &gpu.session, "auto"));
  aicc_device_info_t info;
  AICC_ASSERT_OK(aicc_session_device_info(gpu.session, &info));
  EXPECT_STREQ(info.name, "cuda:0");
  AICC_ASSERT_OK(create(addModule(4), &cpu.session, "auto"));
  AICC_ASSERT_OK(aicc_session_device_info(cpu.session, &info));
  EXPECT_STREQ(info.name, "cpu");

  SessionHandle s;
  std::string text = statusText(create(gpuModule(), &s.session, "rocm"));
  EXPECT_NE(text.find("NOT_FOUND: test.aicc: no rocm device: libamdhip64.so "
                      "not found (available: cpu, cuda:0, auto)"),
            std::string::npos)
      << text;
  text = statusText(create(gpuModule(), &s.session, "cpu"));
  EXPECT_NE(text.find("device 'cpu' cannot run executable 0, which was built "
                      "for cuda"),
            std::string::npos)
      << text;

  ASSERT_EQ(aicc_runtime_driver_count(fake.runtime), 3u);
  aicc_driver_info_t driver;
  AICC_ASSERT_OK(aicc_runtime_driver_info(fake.runtime, 1, &driver));
  EXPECT_STREQ(driver.name, "cuda");
  EXPECT_EQ(driver.device_count, 1u);
  EXPECT_EQ(driver.error, nullptr);
  AICC_ASSERT_OK(aicc_runtime_driver_info(fake.runtime, 2, &driver));
  EXPECT_STREQ(driver.name, "rocm");
  EXPECT_EQ(driver.device_count, 0u);
  EXPECT_STREQ(driver.error, "libamdhip64.so not found");
  EXPECT_NE(statusText(aicc_runtime_driver_info(fake.runtime, 3, &driver)),
            "OK");
}

TEST(GpuRuntimeTest, RealRuntimeListsEveryDriver) {
  RuntimeHandle rt;
  ASSERT_EQ(aicc_runtime_driver_count(rt.runtime), 4u);
  const char *names[] = {"cpu", "cuda", "rocm", "npu"};
  for (size_t i = 0; i < 4; ++i) {
    aicc_driver_info_t driver;
    AICC_ASSERT_OK(aicc_runtime_driver_info(rt.runtime, i, &driver));
    EXPECT_STREQ(driver.name, names[i]);
    // Either devices or a reason, never neither.
    EXPECT_NE(driver.device_count == 0, driver.error == nullptr) << names[i];
  }
}

} // namespace
