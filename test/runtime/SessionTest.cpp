//===- SessionTest.cpp - Running modules through the C API ----------------===//
//
// Every expected value is computed here from the inputs, independently of the
// runtime and of the kernels' own code paths.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "aicc/kernel_abi.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <thread>

using namespace aicc;
using namespace aicc::test;

namespace {

class SessionTest : public ::testing::Test {
protected:
  /// Loads `writer`'s module and creates a session with `threads` threads.
  void open(const ModuleWriter &writer, uint32_t threads = 0,
            const char *device = nullptr) {
    AICC_ASSERT_OK(loadModule(rt.runtime, writer.finish(), &module.module));
    aicc_session_options_t options;
    aicc_session_options_init(&options);
    options.num_threads = threads;
    if (device)
      options.device = device;
    AICC_ASSERT_OK(
        aicc_session_create(module.module, &options, &session.session));
  }

  std::string run(std::vector<aicc_tensor_view_t> inputs,
                  std::vector<aicc_tensor_view_t> outputs) {
    return statusText(aicc_session_run(session.session, inputs.data(),
                                       inputs.size(), outputs.data(),
                                       outputs.size()));
  }

  /// A module with one dispatch of `entry` over the given buffers.
  static ModuleWriter singleDispatch(const char *entry,
                                     std::vector<int64_t> push = {}) {
    ModuleWriter writer;
    uint32_t code =
        writer.addSegment(testKernels().data(), testKernels().size());
    writer.addExecutable(testKernelsExecutable(code));
    writer.addDispatch(0, entryIndex(entry), {}, std::move(push));
    return writer;
  }

  RuntimeHandle rt;
  ModuleHandle module;
  SessionHandle session;
};

std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  std::vector<float> values(n);
  for (float &v : values)
    v = dist(rng);
  return values;
}

TEST_F(SessionTest, RuntimeListsTheCpu) {
  ASSERT_GE(aicc_runtime_device_count(rt.runtime), 1u);
  aicc_device_info_t info;
  AICC_ASSERT_OK(aicc_runtime_device_info(rt.runtime, 0, &info));
  EXPECT_STREQ(info.name, "cpu");
  EXPECT_EQ(info.kind, AICC_DEVICE_KIND_CPU);
  EXPECT_GE(info.concurrency, 1u);
  EXPECT_NE(std::strlen(info.description), 0u);
  EXPECT_NE(statusText(aicc_runtime_device_info(rt.runtime, 99, &info))
                .find("out of range"),
            std::string::npos);
}

TEST_F(SessionTest, AddsTwoVectors) {
  const int64_t n = 1000;
  open(addModule(n));
  std::vector<float> a = randomFloats(n, 1), b = randomFloats(n, 2), c(n);
  std::vector<int64_t> dims = {n};
  ASSERT_EQ(run({viewOf(a, AICC_ELEMENT_TYPE_F32, dims),
                 viewOf(b, AICC_ELEMENT_TYPE_F32, dims)},
                {viewOf(c, AICC_ELEMENT_TYPE_F32, dims)}),
            "OK");
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(c[i], a[i] + b[i]) << i;
  aicc_device_info_t info;
  AICC_ASSERT_OK(aicc_session_device_info(session.session, &info));
  EXPECT_STREQ(info.name, "cpu");
}

class PipelineTest : public SessionTest,
                     public ::testing::WithParamInterface<uint32_t> {};

TEST_P(PipelineTest, MatchesReference) {
  const int64_t rows = 37, cols = 19;
  std::vector<float> w = pipelineWeights(rows, cols), bias = pipelineBias(cols);
  open(pipelineModule(rows, cols, w, bias), GetParam());
  std::vector<int64_t> dims = {rows, cols};
  for (unsigned round = 0; round < 3; ++round) {
    std::vector<float> x = randomFloats(rows * cols, 10 + round);
    std::vector<float> y(rows * cols, -1.0f);
    ASSERT_EQ(run({viewOf(x, AICC_ELEMENT_TYPE_F32, dims)},
                  {viewOf(y, AICC_ELEMENT_TYPE_F32, dims)}),
              "OK");
    EXPECT_EQ(y, pipelineReference(rows, cols, x, w, bias));
  }
}

INSTANTIATE_TEST_SUITE_P(Threads, PipelineTest,
                         ::testing::Values(0u, 1u, 2u, 4u));

TEST_F(SessionTest, UsesWeightsInPlace) {
  // The kernel reports the address of the constant it is bound to; with a
  // borrowed buffer it must point into that very buffer.
  ModuleWriter writer;
  writer.addOutput("address", fb::ElementType::I64, {1});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  float w[16] = {};
  // Laid out as the compiler does: the kernels' read slack after the last
  // constant (a constant closer to the end is copied; ReadSlackTest).
  std::vector<uint8_t> segment(sizeof(w) + AICC_KERNEL_READ_SLACK, 0);
  uint32_t constant = writer.addConstant(
      "w", writer.addSegment(std::move(segment)), 0, sizeof(w));
  uint32_t wBuffer = writer.addConstantBuffer(constant, 0, sizeof(w));
  uint32_t out = writer.addOutputBuffer(0);
  writer.addDispatch(0, entryIndex("binding_address"), {wBuffer, out});
  std::vector<uint8_t> file = writer.finish();

  void *memory = nullptr;
  ASSERT_EQ(posix_memalign(&memory, 64, file.size()), 0);
  std::memcpy(memory, file.data(), file.size());
  AICC_ASSERT_OK(aicc_module_load_memory(rt.runtime, memory, file.size(),
                                         AICC_MEMORY_BORROW, "borrowed",
                                         &module.module));
  AICC_ASSERT_OK(aicc_session_create(module.module, nullptr, &session.session));
  std::vector<int64_t> address(1), dims = {1};
  ASSERT_EQ(run({}, {viewOf(address, AICC_ELEMENT_TYPE_I64, dims)}), "OK");
  const fb::AiccModule *root = fb::GetSizePrefixedAiccModule(file.data());
  uintptr_t expected =
      reinterpret_cast<uintptr_t>(memory) + root->segments()->Get(1)->offset();
  EXPECT_EQ(static_cast<uintptr_t>(address[0]), expected);
  EXPECT_EQ(expected % 64, 0u);
  aicc_session_destroy(session.session);
  session.session = nullptr;
  aicc_module_release(module.module);
  module.module = nullptr;
  std::free(memory);
}

TEST_F(SessionTest, RejectsMismatchedTensors) {
  open(addModule(4));
  std::vector<float> a(4), b(4), c(4);
  std::vector<int32_t> ints(4);
  std::vector<int64_t> dims = {4}, wrongDims = {2, 2};
  auto good = [&](std::vector<float> &v) {
    return viewOf(v, AICC_ELEMENT_TYPE_F32, dims);
  };

  std::string text = run({good(a)}, {good(c)});
  EXPECT_NE(text.find("INVALID_ARGUMENT: test.aicc: expected 2 inputs, got 1"),
            std::string::npos)
      << text;
  text = run({good(a), viewOf(ints, AICC_ELEMENT_TYPE_I32, dims)}, {good(c)});
  EXPECT_NE(text.find("input 1 ('b'): expected f32[4], got i32[4]"),
            std::string::npos)
      << text;
  text = run({good(a), viewOf(b, AICC_ELEMENT_TYPE_F32, wrongDims)}, {good(c)});
  EXPECT_NE(text.find("input 1 ('b'): expected f32[4], got f32[2,2]"),
            std::string::npos)
      << text;
  aicc_tensor_view_t small = good(c);
  small.byte_size = 12;
  text = run({good(a), good(b)}, {small});
  EXPECT_NE(text.find("output 0 ('c'): the view holds 12 bytes, the tensor "
                      "needs 16"),
            std::string::npos)
      << text;
  aicc_tensor_view_t null = good(c);
  null.data = nullptr;
  text = run({good(a), good(b)}, {null});
  EXPECT_NE(text.find("output 0 ('c'): data is NULL"), std::string::npos)
      << text;
  aicc_tensor_view_t noDims = good(a);
  noDims.dims = nullptr;
  text = run({noDims, good(b)}, {good(c)});
  EXPECT_NE(text.find("got f32[<NULL dims>]"), std::string::npos) << text;
  EXPECT_NE(
      statusText(aicc_session_run(session.session, nullptr, 2, nullptr, 1))
          .find("the input array is NULL"),
      std::string::npos);
  // The session is still usable after rejected calls.
  EXPECT_EQ(run({good(a), good(b)}, {good(c)}), "OK");
}

TEST_F(SessionTest, KernelFailureCarriesItsMessage) {
  open(singleDispatch("fail_kernel"));
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string text = run({}, {});
    EXPECT_EQ(text, "KERNEL_FAILED: test.aicc: command 0 (dispatch of "
                    "'fail_kernel' in executable 0): kernel returned 7: "
                    "deliberate failure from fail_kernel");
  }
}

TEST_F(SessionTest, ParallelForReturnsTheFailingTasksResult) {
  open(singleDispatch("parallel_fail"), 4);
  std::string text = run({}, {});
  EXPECT_NE(text.find("kernel returned 42: task 5 failed"), std::string::npos)
      << text;
}

TEST_F(SessionTest, NestedParallelForRunsInline) {
  ModuleWriter writer;
  writer.addOutput("sums", fb::ElementType::I64, {16});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  uint32_t out = writer.addOutputBuffer(0);
  writer.addDispatch(0, entryIndex("nested_parallel"), {out}, {16, 100});
  open(writer, 4);
  std::vector<int64_t> sums(16, -1), dims = {16};
  ASSERT_EQ(run({}, {viewOf(sums, AICC_ELEMENT_TYPE_I64, dims)}), "OK");
  for (int64_t s : sums)
    EXPECT_EQ(s, 99 * 100 / 2);
}

TEST_F(SessionTest, KernelEnvironmentAndScratch) {
  ModuleWriter writer;
  writer.addOutput("info", fb::ElementType::I64, {2});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  writer.addDispatch(0, entryIndex("scratch_kernel"),
                     {writer.addOutputBuffer(0)});
  open(writer, 3);
  std::vector<int64_t> info(2), dims = {2};
  ASSERT_EQ(run({}, {viewOf(info, AICC_ELEMENT_TYPE_I64, dims)}), "OK");
  EXPECT_EQ(info[0], 3);
  EXPECT_EQ(info[1], 1); // AICC_KERNEL_ABI_VERSION
}

TEST_F(SessionTest, ParallelSumUsesEveryChunk) {
  const int64_t chunks = 64, chunk = 32;
  ModuleWriter writer;
  writer.addInput("x", fb::ElementType::F32, {chunks * chunk});
  writer.addOutput("sum", fb::ElementType::F32, {1});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  writer.addDispatch(0, entryIndex("parallel_sum"),
                     {writer.addInputBuffer(0), writer.addOutputBuffer(0)},
                     {chunks, chunk});
  open(writer, 4);
  // Small integers: every summation order gives the exact result.
  std::vector<float> x(chunks * chunk);
  double expected = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(i % 13);
    expected += x[i];
  }
  std::vector<float> sum(1);
  std::vector<int64_t> xDims = {chunks * chunk}, sumDims = {1};
  for (int round = 0; round < 20; ++round) {
    sum[0] = -1;
    ASSERT_EQ(run({viewOf(x, AICC_ELEMENT_TYPE_F32, xDims)},
                  {viewOf(sum, AICC_ELEMENT_TYPE_F32, sumDims)}),
              "OK");
    ASSERT_EQ(sum[0], expected);
  }
}

TEST_F(SessionTest, StatePersistsAcrossRunsUntilReset) {
  ModuleWriter writer;
  writer.addOutput("count", fb::ElementType::I64, {1});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 0, 0);
  writer.addStatePool("counter", 0, 8);
  uint32_t state = writer.addStateBuffer(0, 0, 8);
  writer.addDispatch(0, entryIndex("count_runs"),
                     {state, writer.addOutputBuffer(0)});
  open(writer);
  std::vector<int64_t> count(1), dims = {1};
  for (int64_t expected = 1; expected <= 3; ++expected) {
    ASSERT_EQ(run({}, {viewOf(count, AICC_ELEMENT_TYPE_I64, dims)}), "OK");
    EXPECT_EQ(count[0], expected);
  }
  AICC_ASSERT_OK(aicc_session_reset_state(session.session));
  ASSERT_EQ(run({}, {viewOf(count, AICC_ELEMENT_TYPE_I64, dims)}), "OK");
  EXPECT_EQ(count[0], 1);

  // A second session has its own state.
  SessionHandle other;
  AICC_ASSERT_OK(aicc_session_create(module.module, nullptr, &other.session));
  aicc_tensor_view_t view = viewOf(count, AICC_ELEMENT_TYPE_I64, dims);
  AICC_ASSERT_OK(aicc_session_run(other.session, nullptr, 0, &view, 1));
  EXPECT_EQ(count[0], 1);
}

TEST_F(SessionTest, CopiesThroughTheArena) {
  const int64_t n = 33;
  ModuleWriter writer;
  writer.addInput("x", fb::ElementType::F32, {n});
  writer.addOutput("y", fb::ElementType::F32, {n});
  writer.addOutput("tail", fb::ElementType::F32, {3});
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 512, n * 4);
  uint32_t x = writer.addInputBuffer(0);
  uint32_t arena = writer.addArenaBuffer(0, 128, n * 4);
  uint32_t y = writer.addOutputBuffer(0);
  // Sub-range views: the last 3 elements of x straight into "tail".
  uint32_t xTail =
      writer.addBuffer({fb::BufferKind::Input, 0, 0, (n - 3) * 4, 12});
  uint32_t tail = writer.addOutputBuffer(1);
  writer.addCopy(x, arena);
  writer.addBarrier();
  writer.addCopy(arena, y);
  writer.addCopy(xTail, tail);
  open(writer);
  std::vector<float> in = randomFloats(n, 5), out(n), tailOut(3);
  std::vector<int64_t> dims = {n}, tailDims = {3};
  ASSERT_EQ(run({viewOf(in, AICC_ELEMENT_TYPE_F32, dims)},
                {viewOf(out, AICC_ELEMENT_TYPE_F32, dims),
                 viewOf(tailOut, AICC_ELEMENT_TYPE_F32, tailDims)}),
            "OK");
  EXPECT_EQ(out, in);
  EXPECT_EQ(tailOut, std::vector<float>(in.end() - 3, in.end()));
}

TEST_F(SessionTest, ConcurrentRunOfOneSessionIsBusy) {
  ModuleWriter writer;
  writer.addInput("flag", fb::ElementType::I32, {1});
  writer.addOutput("started", fb::ElementType::I32, {1});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  writer.addDispatch(0, entryIndex("spin_until_set"),
                     {writer.addInputBuffer(0), writer.addOutputBuffer(0)});
  open(writer, 1);
  // The kernel must see the flag change during the run, so the input is
  // read in place: it starts a page, so the 1 KiB a kernel may read past it
  // lies in its page and the session does not stage a copy.
  std::unique_ptr<int32_t, decltype(&std::free)> flagPage(
      static_cast<int32_t *>(std::aligned_alloc(4096, 4096)), &std::free);
  ASSERT_NE(flagPage, nullptr);
  int32_t *flag = flagPage.get();
  flag[0] = 0;
  std::vector<int32_t> started(1, 0);
  std::vector<int64_t> dims = {1};
  aicc_tensor_view_t in = {flag, AICC_ELEMENT_TYPE_I32, dims.size(),
                            dims.data(), sizeof(int32_t)};
  aicc_tensor_view_t out = viewOf(started, AICC_ELEMENT_TYPE_I32, dims);
  std::string firstResult;
  std::thread first([&] {
    firstResult =
        statusText(aicc_session_run(session.session, &in, 1, &out, 1));
  });
  while (__atomic_load_n(&started[0], __ATOMIC_SEQ_CST) == 0)
    std::this_thread::yield();
  std::string text =
      statusText(aicc_session_run(session.session, &in, 1, &out, 1));
  EXPECT_NE(text.find("BUSY"), std::string::npos) << text;
  EXPECT_NE(statusText(aicc_session_reset_state(session.session)).find("BUSY"),
            std::string::npos);
  __atomic_store_n(&flag[0], 1, __ATOMIC_SEQ_CST);
  first.join();
  EXPECT_EQ(firstResult, "OK");
}

TEST_F(SessionTest, SessionKeepsItsModuleAlive) {
  open(addModule(4));
  aicc_module_release(module.module);
  module.module = nullptr;
  std::vector<float> a = {1, 2, 3, 4}, b = {1, 1, 1, 1}, c(4);
  std::vector<int64_t> dims = {4};
  ASSERT_EQ(run({viewOf(a, AICC_ELEMENT_TYPE_F32, dims),
                 viewOf(b, AICC_ELEMENT_TYPE_F32, dims)},
                {viewOf(c, AICC_ELEMENT_TYPE_F32, dims)}),
            "OK");
  EXPECT_EQ(c, (std::vector<float>{2, 3, 4, 5}));
}

TEST_F(SessionTest, ManyDispatches) {
  ModuleWriter writer;
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  for (int i = 0; i < 1000; ++i)
    writer.addDispatch(0, entryIndex("empty_kernel"), {});
  open(writer);
  aicc_module_properties_t props;
  AICC_ASSERT_OK(aicc_module_properties(module.module, &props));
  EXPECT_EQ(props.dispatch_count, 1000u);
  EXPECT_EQ(run({}, {}), "OK");
}

TEST_F(SessionTest, LoadsCodeThroughATemporaryFileWithoutMemfd) {
  ASSERT_EQ(setenv("AICC_CPU_NO_MEMFD", "1", 1), 0);
  open(addModule(2));
  unsetenv("AICC_CPU_NO_MEMFD");
  std::vector<float> a = {1, 2}, b = {3, 4}, c(2);
  std::vector<int64_t> dims = {2};
  ASSERT_EQ(run({viewOf(a, AICC_ELEMENT_TYPE_F32, dims),
                 viewOf(b, AICC_ELEMENT_TYPE_F32, dims)},
                {viewOf(c, AICC_ELEMENT_TYPE_F32, dims)}),
            "OK");
  EXPECT_EQ(c, (std::vector<float>{4, 6}));
}

/// Session creation failures: what the device cannot run.
class SessionCreateTest : public SessionTest {
protected:
  std::string create(const ModuleWriter &writer, const char *device = nullptr,
                     uint32_t threads = 0) {
    ModuleHandle m;
    std::string loaded =
        statusText(loadModule(rt.runtime, writer.finish(), &m.module));
    if (loaded != "OK")
      return "load failed: " + loaded;
    aicc_session_options_t options;
    aicc_session_options_init(&options);
    if (device)
      options.device = device;
    options.num_threads = threads;
    SessionHandle s;
    return statusText(aicc_session_create(m.module, &options, &s.session));
  }

  static ModuleWriter withExecutable(ExecutableDesc exe,
                                     std::vector<uint8_t> code) {
    ModuleWriter writer;
    exe.segment = writer.addSegment(std::move(code));
    writer.addExecutable(std::move(exe));
    return writer;
  }
};

TEST_F(SessionCreateTest, DeviceSelection) {
  EXPECT_EQ(create(addModule(2), "cpu"), "OK");
  EXPECT_EQ(create(addModule(2), "auto"), "OK");
  std::string text = create(addModule(2), "gpu");
  EXPECT_NE(text.find("NOT_FOUND: test.aicc: no device named 'gpu' "
                      "(available: cpu, npu, auto)"),
            std::string::npos)
      << text;
  ModuleHandle m;
  AICC_ASSERT_OK(loadModule(rt.runtime, addModule(2).finish(), &m.module));
  aicc_session_options_t uninitialized = {};
  uninitialized.device = "cpu";
  SessionHandle s;
  text = statusText(aicc_session_create(m.module, &uninitialized, &s.session));
  EXPECT_NE(text.find("initialize options with aicc_session_options_init"),
            std::string::npos)
      << text;
  text = create(addModule(2), "cpu", 5000);
  EXPECT_NE(text.find("num_threads 5000 exceeds the maximum"),
            std::string::npos)
      << text;
}

TEST_F(SessionCreateTest, RejectsCodeForOtherDevices) {
  ExecutableDesc exe = testKernelsExecutable(0);
  exe.device = fb::DeviceKind::Cuda;
  exe.format = "ptx";
  std::string text = create(withExecutable(exe, testKernels()), "cpu");
  EXPECT_NE(text.find("UNSUPPORTED: test.aicc: device 'cpu' cannot run "
                      "executable 0, which was built for cuda"),
            std::string::npos)
      << text;
  text = create(withExecutable(exe, testKernels()));
  EXPECT_NE(text.find("no available device (cpu, npu) can run this module"),
            std::string::npos)
      << text;
  ModuleWriter npuSpace = addModule(2);
  npuSpace.addMemorySpace("npu-sram", fb::DeviceKind::Npu, 64, 0);
  text = create(npuSpace, "cpu");
  EXPECT_NE(text.find("cannot hold memory space 0, which belongs to npu"),
            std::string::npos)
      << text;
}

TEST_F(SessionCreateTest, RejectsOtherBinaryFormats) {
  ExecutableDesc exe = testKernelsExecutable(0);
  exe.format = "elf-aarch64";
  std::string text = create(withExecutable(exe, testKernels()));
  EXPECT_NE(text.find("format 'elf-aarch64' cannot run on the CPU"),
            std::string::npos)
      << text;
}

TEST_F(SessionCreateTest, RejectsCodeThatIsNotElf) {
  ExecutableDesc exe = testKernelsExecutable(0);
  std::string text =
      create(withExecutable(exe, std::vector<uint8_t>(100, 0x42)));
  EXPECT_NE(text.find("executable 0 ('test_kernels'): not an ELF file"),
            std::string::npos)
      << text;
}

TEST_F(SessionCreateTest, RejectsMissingEntryPoints) {
  ExecutableDesc exe = testKernelsExecutable(0);
  exe.entryPoints.push_back({"does_not_exist", 0, 0, {}});
  std::string text = create(withExecutable(exe, testKernels()));
  EXPECT_NE(text.find("NOT_FOUND"), std::string::npos) << text;
  EXPECT_NE(text.find("entry point 'does_not_exist' is not defined"),
            std::string::npos)
      << text;
}

TEST_F(SessionCreateTest, RejectsOtherKernelAbiVersions) {
  ExecutableDesc exe = testKernelsExecutable(0);
  std::string text = create(withExecutable(exe, badAbiKernels()));
  EXPECT_NE(text.find("was built for kernel ABI version 101, this runtime "
                      "provides 1"),
            std::string::npos)
      << text;
}

TEST_F(SessionCreateTest, ChecksCpuFeatures) {
  ExecutableDesc exe = testKernelsExecutable(0);
  exe.requiredFeatures = {"sse2"}; // Every x86-64 CPU has it.
  EXPECT_EQ(create(withExecutable(exe, testKernels())), "OK");
  exe.requiredFeatures = {"sse2", "quantum-simd"};
  std::string text = create(withExecutable(exe, testKernels()));
  EXPECT_NE(text.find("needs CPU feature 'quantum-simd', which this runtime "
                      "does not know"),
            std::string::npos)
      << text;
}

// Every feature an LLVM CPU model may bring to the kernels is one the runtime
// can check: AMD's SSE4A (znver4's insertq) is refused on Intel CPUs, not
// SIGILL, and accepted on AMD ones.
TEST_F(SessionCreateTest, KnowsVendorCpuFeatures) {
  ExecutableDesc exe = testKernelsExecutable(0);
  for (const char *feature : {"sse4a", "lzcnt", "movbe", "fma4", "xop", "tbm",
                              "avx512fp16", "amx-tile"}) {
    exe.requiredFeatures = {feature};
    std::string text = create(withExecutable(exe, testKernels()));
    EXPECT_EQ(text.find("does not know"), std::string::npos)
        << feature << ": " << text;
    if (text != "OK")
      EXPECT_NE(text.find(std::string("needs CPU feature '") + feature +
                          "', which this CPU"),
                std::string::npos)
          << text;
  }
}

} // namespace
