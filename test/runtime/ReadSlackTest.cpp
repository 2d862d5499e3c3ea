//===- ReadSlackTest.cpp - Kernels' reads past a buffer stay mapped -------===//
//
// Kernels may read AICC_KERNEL_READ_SLACK bytes past a buffer (kernel_abi.h;
// docs/Runtime.md, "Memory a kernel may read"). These tests put a caller's
// output that later kernels read, and a constant at the very end of an
// artifact, right before an unmapped page, and run a kernel that reads the
// last byte of the slack: without the runtime's staging and copying the
// process dies with SIGSEGV.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "aicc/kernel_abi.h"

#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

using namespace aicc;
using namespace aicc::test;

namespace {

/// Two pages, the second PROT_NONE: `end()` is the first unreadable byte.
struct GuardedPage {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  uint8_t *base = nullptr;
  GuardedPage() {
    void *memory = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED)
      return;
    base = static_cast<uint8_t *>(memory);
    if (mprotect(base + page, page, PROT_NONE) != 0) {
      munmap(base, 2 * page);
      base = nullptr;
    }
  }
  ~GuardedPage() {
    if (base)
      munmap(base, 2 * page);
  }
  uint8_t *end() const { return base + page; }
};

constexpr int64_t kCount = 64; // floats: 256 bytes, a multiple of 64

std::vector<float> ramp(float scale) {
  std::vector<float> values(kCount);
  for (int64_t i = 0; i < kCount; ++i)
    values[i] = scale * static_cast<float>(i);
  return values;
}

} // namespace

// Tests that an output the schedule reads back (c = a + b, then d = c + b by
// a kernel that reads past c) is read from memory with slack when the
// caller's view of it ends right before an unmapped page.
TEST(ReadSlackTest, OutputReadBackEndingAtAPage) {
  ModuleWriter writer;
  writer.setName("read_back");
  writer.addTarget("host");
  writer.addInput("a", fb::ElementType::F32, {kCount});
  writer.addInput("b", fb::ElementType::F32, {kCount});
  writer.addOutput("c", fb::ElementType::F32, {kCount});
  writer.addOutput("d", fb::ElementType::F32, {kCount});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  uint32_t exe = writer.addExecutable(testKernelsExecutable(code));
  uint32_t a = writer.addInputBuffer(0), b = writer.addInputBuffer(1);
  uint32_t c = writer.addOutputBuffer(0), d = writer.addOutputBuffer(1);
  writer.addDispatch(exe, entryIndex("add_f32"), {a, b, c}, {kCount});
  writer.addDispatch(exe, entryIndex("add_f32_overread"), {c, b, d}, {kCount});
  LoadedSession loaded(writer);
  ASSERT_EQ(loaded.error, "OK");

  GuardedPage guard;
  ASSERT_NE(guard.base, nullptr);
  std::vector<float> av = ramp(1.0f), bv = ramp(0.5f), dv(kCount, -1.0f);
  auto *cData = reinterpret_cast<float *>(guard.end() - kCount * sizeof(float));
  std::vector<int64_t> dims = {kCount};
  aicc_tensor_view_t inputs[] = {viewOf(av, AICC_ELEMENT_TYPE_F32, dims),
                                 viewOf(bv, AICC_ELEMENT_TYPE_F32, dims)};
  aicc_tensor_view_t outputs[] = {
      {cData, AICC_ELEMENT_TYPE_F32, 1, dims.data(), kCount * sizeof(float)},
      viewOf(dv, AICC_ELEMENT_TYPE_F32, dims)};
  for (int run = 0; run < 2; ++run) {
    std::memset(cData, 0, kCount * sizeof(float));
    AICC_ASSERT_OK(
        aicc_session_run(loaded.session.session, inputs, 2, outputs, 2));
    for (int64_t i = 0; i < kCount; ++i) {
      ASSERT_EQ(cData[i], av[i] + bv[i]) << "c[" << i << "], run " << run;
      ASSERT_EQ(dv[i], av[i] + 2 * bv[i]) << "d[" << i << "], run " << run;
    }
  }
}

// Tests that a constant ending at the very end of an artifact used in place
// (borrowed memory right before an unmapped page) is read with slack: the
// runtime copies it.
TEST(ReadSlackTest, ConstantAtTheEndOfABorrowedArtifact) {
  std::vector<float> w = ramp(2.0f);
  ModuleWriter writer;
  writer.setName("constant_last");
  writer.addTarget("host");
  writer.addInput("a", fb::ElementType::F32, {kCount});
  writer.addOutput("c", fb::ElementType::F32, {kCount});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  uint32_t exe = writer.addExecutable(testKernelsExecutable(code));
  // The constant's segment is added last: its last byte is the file's.
  uint32_t constant =
      writer.addConstantData("w", w.data(), w.size() * sizeof(float));
  uint32_t wb = writer.addConstantBuffer(constant, 0, w.size() * sizeof(float));
  uint32_t a = writer.addInputBuffer(0), c = writer.addOutputBuffer(0);
  writer.addDispatch(exe, entryIndex("add_f32_overread"), {wb, a, c}, {kCount});
  std::vector<uint8_t> bytes = writer.finish();
  ASSERT_FALSE(bytes.empty());
  ASSERT_EQ(bytes.size() % 64, 0u);

  // Enough pages for the artifact, the last followed by a PROT_NONE page.
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t pages = (bytes.size() + page - 1) / page;
  void *memory = mmap(nullptr, (pages + 1) * page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  auto *base = static_cast<uint8_t *>(memory);
  ASSERT_EQ(mprotect(base + pages * page, page, PROT_NONE), 0);
  uint8_t *data = base + pages * page - bytes.size();
  std::memcpy(data, bytes.data(), bytes.size());

  {
    RuntimeHandle runtime;
    ModuleHandle module;
    AICC_ASSERT_OK(aicc_module_load_memory(runtime.runtime, data, bytes.size(),
                                           AICC_MEMORY_BORROW, "constant_last",
                                           &module.module));
    SessionHandle session;
    AICC_ASSERT_OK(
        aicc_session_create(module.module, nullptr, &session.session));
    std::vector<float> av = ramp(1.0f), cv(kCount, -1.0f);
    std::vector<int64_t> dims = {kCount};
    aicc_tensor_view_t input = viewOf(av, AICC_ELEMENT_TYPE_F32, dims);
    aicc_tensor_view_t output = viewOf(cv, AICC_ELEMENT_TYPE_F32, dims);
    AICC_ASSERT_OK(aicc_session_run(session.session, &input, 1, &output, 1));
    for (int64_t i = 0; i < kCount; ++i)
      ASSERT_EQ(cv[i], w[i] + av[i]) << "c[" << i << "]";
  }
  munmap(memory, (pages + 1) * page);
}
