//===- TestUtil.cpp - Shared helpers of the runtime tests -----------------===//

#include "TestUtil.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace aicc;
using namespace aicc::test;

std::vector<uint8_t> test::readFileBytes(const std::string &path) {
  std::vector<uint8_t> bytes;
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    ADD_FAILURE() << "cannot open " << path;
    return bytes;
  }
  uint8_t buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    bytes.insert(bytes.end(), buffer, buffer + n);
  std::fclose(file);
  return bytes;
}

bool test::writeFileBytes(const std::string &path,
                          const std::vector<uint8_t> &bytes) {
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file)
    return false;
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  return std::fclose(file) == 0 && ok;
}

const std::vector<uint8_t> &test::testKernels() {
  static const std::vector<uint8_t> bytes = readFileBytes(AICC_TEST_KERNELS_SO);
  return bytes;
}

const std::vector<uint8_t> &test::badAbiKernels() {
  static const std::vector<uint8_t> bytes =
      readFileBytes(AICC_TEST_BAD_ABI_KERNELS_SO);
  return bytes;
}

std::string test::makeTempDir(const char *tag) {
  std::string pattern = std::string(AICC_TEST_TMP_DIR) + "/" + tag + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!::mkdtemp(buffer.data())) {
    ADD_FAILURE() << "mkdtemp failed for " << pattern;
    return AICC_TEST_TMP_DIR;
  }
  return buffer.data();
}

namespace {
struct EntrySpec {
  const char *name;
  uint32_t bindings, pushConstants;
};
const EntrySpec kEntries[] = {
    {"empty_kernel", 0, 0},      {"add_f32", 3, 1},
    {"mul_rows_parallel", 3, 2}, {"add_bias_relu", 3, 2},
    {"fail_kernel", 0, 0},       {"parallel_fail", 0, 0},
    {"nested_parallel", 1, 2},   {"scratch_kernel", 1, 0},
    {"count_runs", 2, 0},        {"parallel_sum", 2, 2},
    {"binding_address", 2, 0},   {"spin_until_set", 2, 0},
    {"fake_decoder", 4, 3},      {"add_f32_overread", 3, 1},
};
} // namespace

ExecutableDesc test::testKernelsExecutable(uint32_t segment) {
  ExecutableDesc exe;
  exe.name = "test_kernels";
  exe.segment = segment;
  for (const EntrySpec &entry : kEntries)
    exe.entryPoints.push_back(
        {entry.name, entry.bindings, entry.pushConstants, {}});
  return exe;
}

uint32_t test::entryIndex(const char *name) {
  for (uint32_t i = 0; i < sizeof(kEntries) / sizeof(kEntries[0]); ++i)
    if (std::strcmp(kEntries[i].name, name) == 0)
      return i;
  ADD_FAILURE() << "no test entry point " << name;
  return 0;
}

ModuleWriter test::everyCommandModule(uint32_t *first, uint32_t *second) {
  ModuleWriter writer;
  writer.addInput("a", fb::ElementType::F32, {4});
  writer.addInput("b", fb::ElementType::F32, {4});
  writer.addOutput("c", fb::ElementType::F32, {4});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  writer.addExecutable(testKernelsExecutable(code));
  float w[4] = {1, 2, 3, 4};
  writer.addConstantData("w", w, sizeof(w));
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 64, 16);
  writer.addStatePool("kv", 0, 16);
  writer.addInputBuffer(0);           // 0
  writer.addInputBuffer(1);           // 1
  writer.addOutputBuffer(0);          // 2
  writer.addConstantBuffer(0, 0, 16); // 3
  writer.addArenaBuffer(0, 16, 16);   // 4
  writer.addStateBuffer(0, 0, 16);    // 5
  uint32_t d0 = writer.addDispatch(0, entryIndex("add_f32"), {0, 3, 4}, {4});
  writer.addCopy(4, 5);
  writer.addBarrier();
  uint32_t d1 = writer.addDispatch(0, entryIndex("add_f32"), {1, 5, 2}, {4});
  if (first)
    *first = d0;
  if (second)
    *second = d1;
  return writer;
}

ModuleWriter test::addModule(int64_t n) {
  ModuleWriter writer;
  writer.setName("add");
  writer.addTarget("host");
  writer.addInput("a", fb::ElementType::F32, {n});
  writer.addInput("b", fb::ElementType::F32, {n});
  writer.addOutput("c", fb::ElementType::F32, {n});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  uint32_t exe = writer.addExecutable(testKernelsExecutable(code));
  uint32_t a = writer.addInputBuffer(0);
  uint32_t b = writer.addInputBuffer(1);
  uint32_t c = writer.addOutputBuffer(0);
  writer.addDispatch(exe, entryIndex("add_f32"), {a, b, c}, {n});
  return writer;
}

std::vector<float> test::pipelineWeights(int64_t rows, int64_t cols) {
  std::vector<float> w(static_cast<size_t>(rows * cols));
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.25f * static_cast<float>(static_cast<int>(i % 7) - 3);
  return w;
}

std::vector<float> test::pipelineBias(int64_t cols) {
  std::vector<float> bias(static_cast<size_t>(cols));
  for (size_t i = 0; i < bias.size(); ++i)
    bias[i] = 0.5f * static_cast<float>(static_cast<int>(i % 5) - 2);
  return bias;
}

std::vector<float> test::pipelineReference(int64_t rows, int64_t cols,
                                           const std::vector<float> &x,
                                           const std::vector<float> &w,
                                           const std::vector<float> &bias) {
  std::vector<float> y(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      size_t i = static_cast<size_t>(r * cols + c);
      float v = x[i] * w[i] + bias[static_cast<size_t>(c)];
      y[i] = v > 0 ? v : 0;
    }
  return y;
}

ModuleWriter test::pipelineModule(int64_t rows, int64_t cols,
                                  const std::vector<float> &w,
                                  const std::vector<float> &bias) {
  ModuleWriter writer;
  writer.setName("pipeline");
  writer.setProducer("aicc runtime tests");
  writer.addTarget("host");
  uint64_t n = static_cast<uint64_t>(rows * cols);
  writer.addInput("x", fb::ElementType::F32, {rows, cols});
  writer.addOutput("y", fb::ElementType::F32, {rows, cols});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  uint32_t exe = writer.addExecutable(testKernelsExecutable(code));

  // Both weights in one segment: w at 0, bias at the next 64-byte boundary.
  uint64_t wBytes = n * 4, biasOffset = (wBytes + 63) / 64 * 64;
  std::vector<uint8_t> weights(biasOffset + bias.size() * 4, 0);
  std::memcpy(weights.data(), w.data(), wBytes);
  std::memcpy(weights.data() + biasOffset, bias.data(), bias.size() * 4);
  uint32_t weightSegment = writer.addSegment(std::move(weights));
  uint32_t wConst = writer.addConstant("w", weightSegment, 0, wBytes);
  uint32_t bConst =
      writer.addConstant("bias", weightSegment, biasOffset, bias.size() * 4);

  // The intermediate sits at offset 64 so that offsets are exercised.
  uint32_t space =
      writer.addMemorySpace("host", fb::DeviceKind::Cpu, 64 + wBytes, wBytes);
  uint32_t bx = writer.addInputBuffer(0);
  uint32_t bw = writer.addConstantBuffer(wConst, 0, wBytes);
  uint32_t bb = writer.addConstantBuffer(bConst, 0, bias.size() * 4);
  uint32_t tmp = writer.addArenaBuffer(space, 64, wBytes);
  uint32_t by = writer.addOutputBuffer(0);
  writer.addDispatch(exe, entryIndex("mul_rows_parallel"), {bx, bw, tmp},
                     {rows, cols});
  writer.addBarrier();
  writer.addDispatch(exe, entryIndex("add_bias_relu"), {tmp, bb, by},
                     {rows, cols});
  return writer;
}

RuntimeHandle::RuntimeHandle() {
  aicc_status_t status = aicc_runtime_create(&runtime);
  EXPECT_EQ(status, nullptr) << aicc_status_message(status);
  aicc_status_free(status);
}

aicc_status_t test::loadModule(aicc_runtime_t *runtime,
                               const std::vector<uint8_t> &bytes,
                               aicc_module_t **out) {
  return aicc_module_load_memory(runtime, bytes.data(), bytes.size(),
                                 AICC_MEMORY_COPY, "test.aicc", out);
}

std::string test::statusText(aicc_status_t status) {
  if (!status)
    return "OK";
  std::string text =
      std::string(aicc_status_code_name(aicc_status_code(status))) + ": " +
      aicc_status_message(status);
  aicc_status_free(status);
  return text;
}

test::LoadedSession::LoadedSession(const ModuleWriter &writer,
                                   uint64_t maxRuntimeAllocBytes) {
  error =
      statusText(loadModule(runtime.runtime, writer.finish(), &module.module));
  if (error != "OK")
    return;
  aicc_session_options_t options;
  aicc_session_options_init(&options);
  options.max_runtime_alloc_bytes = maxRuntimeAllocBytes;
  error = statusText(
      aicc_session_create(module.module, &options, &session.session));
}

std::string test::runOneOutput(aicc_session_t *session,
                               const aicc_tensor_view_t *inputs,
                               size_t inputCount, aicc_tensor_view_t *output,
                               std::vector<int64_t> *shape) {
  std::string text =
      statusText(aicc_session_run(session, inputs, inputCount, output, 1));
  if (shape) {
    shape->assign(4, -1);
    size_t rank = 0;
    if (statusText(aicc_session_output_shape(session, 0, shape->data(), 4,
                                             &rank)) == "OK")
      shape->resize(rank);
  }
  return text;
}

static const std::vector<int64_t> kGpuShape = {4};

/// c = (a + b) * w on the GPU as the compiler lays it out: inputs copied
/// into the device arena, two dispatches over arena and constant buffers,
/// the result copied out. `w` sits 64 bytes into its segment next to a
/// constant no buffer uses. With `cubin`, a second executable holds the same
/// entry points as a cubin.
ModuleWriter test::gpuModule(const GpuModuleOptions &options) {
  ModuleWriter writer;
  writer.addTarget(options.rocm ? "rocm" : "cuda");
  uint32_t a = writer.addInput("a", fb::ElementType::F32, kGpuShape);
  uint32_t b = writer.addInput("b", fb::ElementType::F32, kGpuShape);
  uint32_t c = writer.addOutput("c", fb::ElementType::F32, kGpuShape);
  // Real PTX (kernels/add_mul.ptx), NUL-terminated as the contract says.
  std::vector<uint8_t> ptxFile = readFileBytes(AICC_TEST_PTX);
  std::string ptx(ptxFile.begin(), ptxFile.end());
  ExecutableDesc exe;
  exe.name = "kernels";
  exe.device = fb::DeviceKind::Cuda;
  exe.format = "ptx";
  exe.segment = writer.addSegment(ptx.c_str(), ptx.size() + 1);
  if (options.rocm) {
    exe.device = fb::DeviceKind::Rocm;
    exe.format = "hsaco";
    std::string hsaco = std::string("\x7f"
                                    "ELF fake hsaco ") +
                        options.hsacoArch;
    exe.segment = writer.addSegment(hsaco.c_str(), hsaco.size() + 1);
  }
  exe.entryPoints = {{"add", 3, 0, {4}}, {"mul", 3, 0, {4, 1}}};
  uint32_t kernels = writer.addExecutable(exe);
  if (options.cubin) {
    exe.format = "cubin";
    std::string bytes = std::string("\x7f"
                                    "ELF fake cubin ") +
                        options.cubinArch;
    exe.segment = writer.addSegment(bytes.data(), bytes.size());
    writer.addExecutable(exe);
  }
  std::vector<float> weights(20, -1.0f);
  float w[4] = {2, 3, 4, 5};
  std::memcpy(&weights[16], w, sizeof(w));
  uint32_t segment = writer.addSegment(weights.data(), weights.size() * 4);
  writer.addConstant("unused", segment, 16, 16, 16);
  uint32_t wConstant = writer.addConstant("w", segment, 64, 16, 64);

  uint32_t space = writer.addMemorySpace(
      options.rocm ? "rocm-global" : "cuda-global",
      options.rocm ? fb::DeviceKind::Rocm : fb::DeviceKind::Cuda, 256, 64);
  uint32_t inA = writer.addInputBuffer(a), inB = writer.addInputBuffer(b);
  uint32_t outC = writer.addOutputBuffer(c);
  uint32_t dA = writer.addArenaBuffer(space, 0, 16);
  uint32_t dB = writer.addArenaBuffer(space, 64, 16);
  uint32_t dT = writer.addArenaBuffer(space, 128, 16);
  uint32_t dC = writer.addArenaBuffer(space, 192, 16);
  uint32_t dW = writer.addConstantBuffer(wConstant, 0, 16);
  writer.addCopy(inA, dA);
  writer.addCopy(inB, dB);
  writer.addDispatch(kernels, 0, {options.bindInput ? inA : dA, dB, dT}, {},
                     {options.grid});
  writer.addDispatch(kernels, 1, {dT, dW, dC}, {}, {1, 1});
  writer.addCopy(dC, outC);
  return writer;
}

ModuleWriter test::dynamicAddModule(int64_t max) {
  ModuleWriter writer;
  writer.setVersion(1, 3);
  writer.setName("dynamic_add");
  writer.addSymbol("n", 1, max);
  writer.addInput("a", fb::ElementType::F32, {max});
  writer.addInput("b", fb::ElementType::F32, {max});
  writer.addOutput("c", fb::ElementType::F32, {max});
  writer.setInputDims(0, {{kSym, 0}});
  writer.setInputDims(1, {{kSym, 0}});
  writer.setOutputDims(0, {{kSym, 0}});
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  uint32_t exe = writer.addExecutable(testKernelsExecutable(code));
  uint32_t a = writer.addInputBuffer(0);
  uint32_t b = writer.addInputBuffer(1);
  uint32_t c = writer.addOutputBuffer(0);
  uint32_t dispatch = writer.addDispatch(exe, entryIndex("add_f32"), {a, b, c});
  writer.setDispatchPushConstantExprs(dispatch, {{kSym, 0}});
  return writer;
}

ValueAddParts test::valueAddParts(int64_t lo, int64_t outBound,
                                  const char *what) {
  ValueAddParts parts;
  ModuleWriter &writer = parts.writer;
  writer.setVersion(1, 4);
  writer.addInput("n", fb::ElementType::I64, {1});
  writer.addInput("a", fb::ElementType::F32, {64});
  writer.addInput("b", fb::ElementType::F32, {64});
  writer.addOutput("c", fb::ElementType::F32, {outBound});
  parts.v = writer.addValueSymbol("v", lo, 64, {kLoad, 0, 0}, what);
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  parts.exe = writer.addExecutable(testKernelsExecutable(code));
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 0, 0);
  parts.a = writer.addInputBuffer(1);
  parts.b = writer.addInputBuffer(2);
  parts.c = writer.addOutputBuffer(0);
  return parts;
}

/// c[0, v) = a[0, v) + b[0, v) with v = LOAD n[0] in [lo, 64]: the sum goes
/// to a runtime-allocated buffer of 4 * v bytes, which is copied to c.
ModuleWriter test::valueAddModule(int64_t lo) {
  ValueAddParts parts = valueAddParts(lo, 64, kValueAddWhat);
  ModuleWriter &writer = parts.writer;
  uint32_t v = parts.v;
  writer.setName("value_add");
  writer.setOutputDims(0, {{kSym, v}});
  // Allocation 0, its whole size.
  uint32_t t = writer.addBuffer({fb::BufferKind::Arena, 0, 0, 0, 0});
  writer.setBufferSizeExpr(t, {kConst, 4, kSym, v, kMul});
  uint32_t dispatch = writer.addDispatch(parts.exe, entryIndex("add_f32"),
                                         {parts.a, parts.b, t});
  writer.setDispatchPushConstantExprs(dispatch, {{kSym, v}});
  uint32_t copy = writer.addCopy(t, parts.c);
  writer.setCopyBytes(copy, {kConst, 4, kSym, v, kMul});
  return std::move(parts.writer);
}

ModuleWriter test::fakeDecoderModule() {
  ModuleWriter writer;
  writer.setVersion(1, 3);
  writer.setName("fake_decoder");
  // Sorted by name, as the compiler writes them.
  uint32_t past = writer.addSymbol("past_sequence", 0, kFakeMaxPast);
  uint32_t seq = writer.addSymbol("sequence", 1, kFakeMaxSequence);
  uint32_t total =
      writer.addSymbol("total_sequence", 1, kFakeMaxPast + kFakeMaxSequence);
  int64_t maxTotal = kFakeMaxPast + kFakeMaxSequence;
  writer.addInput("input_ids", fb::ElementType::I64, {1, kFakeMaxSequence});
  writer.setInputDims(0, {{kConst, 1}, {kSym, seq}});
  writer.addInput("attention_mask", fb::ElementType::I64, {1, maxTotal});
  writer.setInputDims(1, {{kConst, 1}, {kSym, total}});
  writer.addInput("past_key_values.0.key", fb::ElementType::F32,
                  {1, 1, kFakeMaxPast, 2});
  writer.setInputDims(2, {{kConst, 1}, {kConst, 1}, {kSym, past}, {kConst, 2}});
  writer.addOutput("logits", fb::ElementType::F32,
                   {1, kFakeMaxSequence, kFakeVocabulary});
  writer.setOutputDims(0,
                       {{kConst, 1}, {kSym, seq}, {kConst, kFakeVocabulary}});
  writer.addOutput("present.0.key", fb::ElementType::F32, {1, 1, maxTotal, 2});
  writer.setOutputDims(
      1,
      {{kConst, 1}, {kConst, 1}, {kSym, past, kSym, seq, kAdd}, {kConst, 2}});
  writer.addAssumption({kSym, total}, {kSym, past, kSym, seq, kAdd},
                       "node 'mask_concat' (Concat)");
  uint32_t code = writer.addSegment(testKernels().data(), testKernels().size());
  uint32_t exe = writer.addExecutable(testKernelsExecutable(code));
  uint32_t ids = writer.addInputBuffer(0);
  uint32_t pastBuffer = writer.addInputBuffer(2);
  uint32_t logits = writer.addOutputBuffer(0);
  uint32_t present = writer.addOutputBuffer(1);
  uint32_t dispatch = writer.addDispatch(exe, entryIndex("fake_decoder"),
                                         {ids, pastBuffer, logits, present});
  writer.setDispatchPushConstantExprs(
      dispatch, {{kSym, seq}, {kSym, past}, {kConst, kFakeVocabulary}});
  return writer;
}

std::vector<int64_t> test::fakeDecoderTokens(std::vector<int64_t> prompt,
                                             size_t count) {
  std::vector<int64_t> tokens;
  int64_t first = prompt.front(), last = prompt.back();
  for (size_t i = 0; i < count; ++i) {
    last = (last + first + 1) % kFakeVocabulary;
    tokens.push_back(last);
  }
  return tokens;
}
