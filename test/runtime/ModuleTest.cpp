//===- ModuleTest.cpp - Writer/loader round trips and load-time checks ----===//
//
// Every semantic rule of the loader has a case here that breaks exactly that
// rule in an otherwise valid module and checks the message names it.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "Checksum.h"

#include <cstring>
#include <functional>

using namespace aicc;
using namespace aicc::test;

namespace {

class ModuleTest : public ::testing::Test {
protected:
  /// Loads `bytes`; returns "OK" or "CODE: message".
  std::string load(const std::vector<uint8_t> &bytes) {
    ModuleHandle module;
    return statusText(loadModule(rt.runtime, bytes, &module.module));
  }

  RuntimeHandle rt;
};

TEST_F(ModuleTest, WriterLaysOutAlignedSegmentsAndChecksums) {
  std::vector<float> w = pipelineWeights(4, 8), bias = pipelineBias(8);
  std::vector<uint8_t> file = pipelineModule(4, 8, w, bias).finish();
  ASSERT_GE(file.size(), 12u);
  EXPECT_EQ(std::memcmp(file.data() + 8, "AICC", 4), 0);
  uint32_t prefix;
  std::memcpy(&prefix, file.data(), 4);
  flatbuffers::Verifier verifier(file.data(), prefix + 4);
  ASSERT_TRUE(fb::VerifySizePrefixedAiccModuleBuffer(verifier));
  const fb::AiccModule *root = fb::GetSizePrefixedAiccModule(file.data());
  ASSERT_EQ(root->segments()->size(), 2u);
  uint64_t end = prefix + 4;
  for (const fb::Segment *segment : *root->segments()) {
    EXPECT_EQ(segment->offset() % 64, 0u);
    EXPECT_GE(segment->offset(), end);
    EXPECT_LT(segment->offset() - end, 64u);
    EXPECT_EQ(segment->checksum(),
              checksum64(file.data() + segment->offset(), segment->length()));
    end = segment->offset() + segment->length();
  }
  EXPECT_EQ(end, file.size());
  EXPECT_EQ(root->version_major(), 1);
  EXPECT_EQ(root->producer()->str(), "aicc runtime tests");
  // The weights are stored verbatim.
  const fb::Constant *wConst = root->constants()->Get(0);
  const uint8_t *stored = file.data() +
                          root->segments()->Get(wConst->segment())->offset() +
                          wConst->offset();
  EXPECT_EQ(std::memcmp(stored, w.data(), w.size() * 4), 0);
}

TEST_F(ModuleTest, ChecksumDetectsEverySingleWordChange) {
  std::vector<uint8_t> bytes(1000);
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(i * 7);
  uint64_t base = checksum64(bytes.data(), bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] ^= 0x10;
    EXPECT_NE(checksum64(bytes.data(), bytes.size()), base) << i;
    bytes[i] ^= 0x10;
  }
  // The zeroed window ignores its contents and only its contents.
  uint64_t zeroed = checksum64(bytes.data(), bytes.size(), 80);
  bytes[83] ^= 1;
  EXPECT_EQ(checksum64(bytes.data(), bytes.size(), 80), zeroed);
  bytes[88] ^= 1;
  EXPECT_NE(checksum64(bytes.data(), bytes.size(), 80), zeroed);
  // Length matters even for trailing zeros.
  std::vector<uint8_t> a(16, 0), b(17, 0);
  EXPECT_NE(checksum64(a.data(), a.size()), checksum64(b.data(), b.size()));
}

TEST_F(ModuleTest, RoundTripsSignatureAndProperties) {
  std::vector<float> w = pipelineWeights(5, 3), bias = pipelineBias(3);
  std::vector<uint8_t> file = pipelineModule(5, 3, w, bias).finish();
  ModuleHandle module;
  AICC_ASSERT_OK(loadModule(rt.runtime, file, &module.module));

  ASSERT_EQ(aicc_module_input_count(module.module), 1u);
  ASSERT_EQ(aicc_module_output_count(module.module), 1u);
  aicc_tensor_info_t info;
  AICC_ASSERT_OK(aicc_module_input_info(module.module, 0, &info));
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.element_type, AICC_ELEMENT_TYPE_F32);
  ASSERT_EQ(info.rank, 2u);
  EXPECT_EQ(info.dims[0], 5);
  EXPECT_EQ(info.dims[1], 3);
  EXPECT_EQ(info.byte_size, 60u);
  AICC_ASSERT_OK(aicc_module_output_info(module.module, 0, &info));
  EXPECT_STREQ(info.name, "y");
  EXPECT_NE(statusText(aicc_module_output_info(module.module, 1, &info))
                .find("out of range"),
            std::string::npos);

  size_t index = 99;
  AICC_ASSERT_OK(aicc_module_find_input(module.module, "x", &index));
  EXPECT_EQ(index, 0u);
  std::string missing =
      statusText(aicc_module_find_input(module.module, "nope", &index));
  EXPECT_NE(missing.find("NOT_FOUND"), std::string::npos);
  EXPECT_NE(missing.find("'nope'"), std::string::npos);
  EXPECT_NE(missing.find("x"), std::string::npos);

  aicc_module_properties_t props;
  AICC_ASSERT_OK(aicc_module_properties(module.module, &props));
  EXPECT_EQ(props.version_major, 1u);
  EXPECT_EQ(props.version_minor, 2u);
  EXPECT_STREQ(props.producer, "aicc runtime tests");
  EXPECT_STREQ(props.name, "pipeline");
  EXPECT_STREQ(props.targets, "host");
  EXPECT_EQ(props.executable_count, 1u);
  EXPECT_EQ(props.constant_count, 2u);
  EXPECT_EQ(props.constant_bytes, (15u + 3u) * 4u);
  EXPECT_EQ(props.memory_space_count, 1u);
  EXPECT_EQ(props.buffer_count, 5u);
  EXPECT_EQ(props.command_count, 3u);
  EXPECT_EQ(props.dispatch_count, 2u);
  EXPECT_EQ(props.file_size, file.size());

  aicc_memory_space_info_t space;
  AICC_ASSERT_OK(aicc_module_memory_space_info(module.module, 0, &space));
  EXPECT_STREQ(space.name, "host");
  EXPECT_EQ(space.device, AICC_DEVICE_KIND_CPU);
  EXPECT_EQ(space.arena_size, 64u + 60u);
  EXPECT_EQ(space.lower_bound, 60u);

  aicc_executable_info_t exe;
  AICC_ASSERT_OK(aicc_module_executable_info(module.module, 0, &exe));
  EXPECT_STREQ(exe.name, "test_kernels");
  EXPECT_STREQ(exe.format, "elf-x86_64");
  EXPECT_EQ(exe.byte_size, testKernels().size());
  const char *entryName;
  uint32_t bindings;
  AICC_ASSERT_OK(aicc_module_entry_point_info(
      module.module, 0, entryIndex("add_f32"), &entryName, &bindings));
  EXPECT_STREQ(entryName, "add_f32");
  EXPECT_EQ(bindings, 3u);
}

TEST_F(ModuleTest, LoadsFromFileAndRejectsMissingOrEmptyFiles) {
  std::string dir = makeTempDir("module-file");
  std::string path = dir + "/add.aicc";
  std::string error;
  ASSERT_TRUE(addModule(8).writeFile(path, &error)) << error;
  {
    ModuleHandle module;
    AICC_ASSERT_OK(
        aicc_module_load_file(rt.runtime, path.c_str(), &module.module));
    EXPECT_EQ(aicc_module_input_count(module.module), 2u);
  }
  ModuleHandle module;
  std::string text = statusText(aicc_module_load_file(
      rt.runtime, (dir + "/missing.aicc").c_str(), &module.module));
  EXPECT_NE(text.find("IO_ERROR: cannot open"), std::string::npos) << text;
  ASSERT_TRUE(writeFileBytes(dir + "/empty.aicc", {}));
  text = statusText(aicc_module_load_file(
      rt.runtime, (dir + "/empty.aicc").c_str(), &module.module));
  EXPECT_NE(text.find("INVALID_MODULE"), std::string::npos) << text;
  EXPECT_NE(text.find("empty"), std::string::npos) << text;
  text = statusText(
      aicc_module_load_file(rt.runtime, dir.c_str(), &module.module));
  EXPECT_NE(text.find("not a regular file"), std::string::npos) << text;
  EXPECT_EQ(module.module, nullptr);
}

TEST_F(ModuleTest, BorrowedMemoryMustBeAligned) {
  std::vector<uint8_t> file = addModule(4).finish();
  void *aligned = nullptr;
  ASSERT_EQ(posix_memalign(&aligned, 64, file.size() + 64), 0);
  std::memcpy(aligned, file.data(), file.size());
  {
    ModuleHandle module;
    AICC_ASSERT_OK(aicc_module_load_memory(rt.runtime, aligned, file.size(),
                                           AICC_MEMORY_BORROW, "borrowed",
                                           &module.module));
  }
  uint8_t *misaligned = static_cast<uint8_t *>(aligned) + 8;
  std::memmove(misaligned, aligned, file.size());
  ModuleHandle module;
  std::string text = statusText(
      aicc_module_load_memory(rt.runtime, misaligned, file.size(),
                              AICC_MEMORY_BORROW, "borrowed", &module.module));
  EXPECT_NE(text.find("64-byte aligned"), std::string::npos) << text;
  // Copy mode accepts any alignment.
  AICC_ASSERT_OK(aicc_module_load_memory(rt.runtime, misaligned, file.size(),
                                         AICC_MEMORY_COPY, "copied",
                                         &module.module));
  std::free(aligned);
}

TEST_F(ModuleTest, RejectsNullArguments) {
  ModuleHandle module;
  EXPECT_NE(
      statusText(aicc_module_load_file(rt.runtime, nullptr, &module.module))
          .find("INVALID_ARGUMENT"),
      std::string::npos);
  EXPECT_NE(statusText(aicc_module_load_file(nullptr, "x", &module.module))
                .find("INVALID_ARGUMENT"),
            std::string::npos);
  EXPECT_NE(statusText(aicc_runtime_create(nullptr)).find("INVALID_ARGUMENT"),
            std::string::npos);
  EXPECT_NE(statusText(aicc_session_run(nullptr, nullptr, 0, nullptr, 0))
                .find("INVALID_ARGUMENT"),
            std::string::npos);
  // Releasing NULL is a no-op.
  aicc_module_release(nullptr);
  aicc_runtime_release(nullptr);
  aicc_session_destroy(nullptr);
  aicc_status_free(nullptr);
  EXPECT_EQ(aicc_status_code(nullptr), AICC_STATUS_OK);
  EXPECT_STREQ(aicc_status_message(nullptr), "");
}

TEST_F(ModuleTest, VersionPolicy) {
  ModuleWriter newer = addModule(4);
  newer.setVersion(1, 7); // A newer minor version is still readable.
  EXPECT_EQ(load(newer.finish()), "OK");
  ModuleWriter major = addModule(4);
  major.setVersion(2, 0);
  std::string text = load(major.finish());
  EXPECT_NE(text.find("UNSUPPORTED"), std::string::npos) << text;
  EXPECT_NE(text.find("format version 2.0 is not supported"), std::string::npos)
      << text;
}

/// A module that breaks one rule, and the message that must name it.
struct BrokenCase {
  const char *name;
  std::function<void(ModuleWriter &)> breakIt;
  const char *message;
};

/// A valid base with every kind of buffer and command, for BrokenCase to
/// damage (TestUtil's everyCommandModule).
ModuleWriter baseModule() { return everyCommandModule(); }

class BrokenModuleTest : public ModuleTest,
                         public ::testing::WithParamInterface<BrokenCase> {};

TEST_F(ModuleTest, BaseModuleOfBrokenCasesIsValidAndRuns) {
  ModuleHandle module;
  AICC_ASSERT_OK(loadModule(rt.runtime, baseModule().finish(), &module.module));
  SessionHandle session;
  AICC_ASSERT_OK(aicc_session_create(module.module, nullptr, &session.session));
  std::vector<float> a = {1, 2, 3, 4}, b = {10, 20, 30, 40}, c(4);
  std::vector<int64_t> dims = {4};
  aicc_tensor_view_t inputs[2] = {viewOf(a, AICC_ELEMENT_TYPE_F32, dims),
                                  viewOf(b, AICC_ELEMENT_TYPE_F32, dims)};
  aicc_tensor_view_t output = viewOf(c, AICC_ELEMENT_TYPE_F32, dims);
  AICC_ASSERT_OK(aicc_session_run(session.session, inputs, 2, &output, 1));
  // c = b + (a + w), computed through the arena, a copy and the state pool.
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(c[i], b[i] + a[i] + float(i + 1));
}

TEST_P(BrokenModuleTest, IsRejectedWithAMessageNamingTheProblem) {
  ModuleWriter writer = baseModule();
  GetParam().breakIt(writer);
  std::string text = load(writer.finish());
  EXPECT_EQ(text.rfind("INVALID_MODULE: test.aicc: ", 0), 0u) << text;
  EXPECT_NE(text.find(GetParam().message), std::string::npos) << text;
}

const BrokenCase kBrokenCases[] = {
    {"DispatchExecutable", [](ModuleWriter &w) { w.addDispatch(5, 0, {}); },
     "command 4: dispatch names executable 5, but the module has 1"},
    {"DispatchEntryPoint", [](ModuleWriter &w) { w.addDispatch(0, 99, {}); },
     "dispatch names entry point 99 of executable 0"},
    {"BindingCount",
     [](ModuleWriter &w) {
       w.addDispatch(0, entryIndex("add_f32"), {0, 1}, {4});
     },
     "binds 2 buffers, the entry point takes 3"},
    {"BindingIndex",
     [](ModuleWriter &w) {
       w.addDispatch(0, entryIndex("add_f32"), {0, 1, 17}, {4});
     },
     "binding 2 names buffer 17, but the buffer table has 6"},
    {"PushConstantCount",
     [](ModuleWriter &w) {
       w.addDispatch(0, entryIndex("add_f32"), {0, 1, 2});
     },
     "passes 0 push constants, the entry point takes 1"},
    {"WorkgroupRank",
     [](ModuleWriter &w) {
       w.addDispatch(0, entryIndex("add_f32"), {0, 1, 2}, {4}, {1, 1, 1, 1});
     },
     "4-D workgroup count"},
    {"ArenaOverrun", [](ModuleWriter &w) { w.addArenaBuffer(0, 60, 8); },
     "buffer 6: bytes [60, +8) exceed its arena (64 bytes)"},
    {"ArenaOffsetOverflow",
     [](ModuleWriter &w) { w.addArenaBuffer(0, UINT64_MAX - 2, 16); },
     "exceed its arena"},
    {"ArenaSpace", [](ModuleWriter &w) { w.addArenaBuffer(3, 0, 8); },
     "buffer 6: memory space 3 does not exist"},
    {"ConstantBufferOverrun",
     [](ModuleWriter &w) { w.addConstantBuffer(0, 8, 16); },
     "exceed its constant (16 bytes)"},
    {"ConstantBufferRef", [](ModuleWriter &w) { w.addConstantBuffer(4, 0, 4); },
     "buffer 6: constant 4 does not exist"},
    {"InputBufferOverrun",
     [](ModuleWriter &w) {
       w.addBuffer({fb::BufferKind::Input, 0, 0, 4, 16});
     },
     "exceed its input tensor (16 bytes)"},
    {"OutputRef",
     [](ModuleWriter &w) {
       w.addBuffer({fb::BufferKind::Output, 0, 4, 0, 4});
     },
     "buffer 6: output 4 does not exist"},
    {"StateRef",
     [](ModuleWriter &w) {
       w.addBuffer({fb::BufferKind::State, 0, 2, 0, 4});
     },
     "buffer 6: state pool 2 does not exist"},
    {"StateSpace",
     [](ModuleWriter &w) {
       w.addBuffer({fb::BufferKind::State, 1, 0, 0, 4});
     },
     "differs from that of state pool 0"},
    {"StateOverrun", [](ModuleWriter &w) { w.addStateBuffer(0, 8, 16); },
     "exceed its state pool (16 bytes)"},
    {"BufferKind",
     [](ModuleWriter &w) {
       w.addBuffer({static_cast<fb::BufferKind>(9), 0, 0, 0, 4});
     },
     "buffer 6: unknown kind 9"},
    {"ConstantSegment", [](ModuleWriter &w) { w.addConstant("x", 9, 0, 4); },
     "constant 1: segment 9 does not exist"},
    {"ConstantOverrun", [](ModuleWriter &w) { w.addConstant("x", 1, 0, 17); },
     "constant 1: bytes [0, +17) exceed segment 1 (16 bytes)"},
    {"ConstantAlignmentValue",
     [](ModuleWriter &w) { w.addConstant("x", 1, 0, 4, 3); },
     "alignment 3 is not a power of two"},
    {"ConstantAlignmentTooLarge",
     [](ModuleWriter &w) { w.addConstant("x", 1, 0, 4, 128); },
     "alignment 128 is not a power of two in [1, 64]"},
    {"ConstantMisaligned",
     [](ModuleWriter &w) { w.addConstant("x", 1, 4, 4, 8); },
     "constant 1: offset 4 is not aligned to 8"},
    {"ExecutableSegment",
     [](ModuleWriter &w) {
       ExecutableDesc exe = testKernelsExecutable(7);
       w.addExecutable(exe);
     },
     "executable 1: segment 7 does not exist"},
    {"ExecutableDevice",
     [](ModuleWriter &w) {
       ExecutableDesc exe = testKernelsExecutable(0);
       exe.device = static_cast<fb::DeviceKind>(9);
       w.addExecutable(exe);
     },
     "executable 1: unknown device kind 9"},
    {"ExecutableFormat",
     [](ModuleWriter &w) {
       ExecutableDesc exe = testKernelsExecutable(0);
       exe.format = "";
       w.addExecutable(exe);
     },
     "executable 1: empty format string"},
    {"EntryPointName",
     [](ModuleWriter &w) {
       ExecutableDesc exe = testKernelsExecutable(0);
       exe.entryPoints[2].name = "";
       w.addExecutable(exe);
     },
     "executable 1: entry point 2 has an empty name"},
    {"EntryPointBindings",
     [](ModuleWriter &w) {
       ExecutableDesc exe = testKernelsExecutable(0);
       exe.entryPoints[0].bindingCount = 1u << 20;
       w.addExecutable(exe);
     },
     "declares 1048576 bindings"},
    {"EmptyFeature",
     [](ModuleWriter &w) {
       ExecutableDesc exe = testKernelsExecutable(0);
       exe.requiredFeatures = {"avx2", ""};
       w.addExecutable(exe);
     },
     "executable 1: required feature 1 is empty"},
    {"SpaceLowerBound",
     [](ModuleWriter &w) { w.addMemorySpace("x", fb::DeviceKind::Cpu, 8, 9); },
     "memory space 1: lower bound 9 exceeds the arena size 8"},
    {"SpaceDevice",
     [](ModuleWriter &w) {
       w.addMemorySpace("x", static_cast<fb::DeviceKind>(7), 8, 0);
     },
     "memory space 1: unknown device kind 7"},
    {"SpaceHuge",
     [](ModuleWriter &w) {
       w.addMemorySpace("x", fb::DeviceKind::Cpu, UINT64_MAX, 0);
     },
     "is not addressable"},
    {"StatePoolSpace", [](ModuleWriter &w) { w.addStatePool("x", 4, 8); },
     "state pool 1: memory space 4 does not exist"},
    {"CopySize",
     [](ModuleWriter &w) {
       w.addArenaBuffer(0, 32, 8);
       w.addCopy(4, 6);
     },
     "command 4: copy from buffer 4 (16 bytes) to buffer 6 (8 bytes) changes "
     "the size"},
    {"CopyIntoConstant", [](ModuleWriter &w) { w.addCopy(4, 3); },
     "command 4: copy target buffer 3 is read-only"},
    {"CopyIntoInput", [](ModuleWriter &w) { w.addCopy(4, 0); },
     "copy target buffer 0 is read-only"},
    {"CopyIndex", [](ModuleWriter &w) { w.addCopy(4, 40); },
     "copy names buffer 4 -> 40, but the buffer table has 6"},
    {"DuplicateInput",
     [](ModuleWriter &w) { w.addInput("a", fb::ElementType::F32, {4}); },
     "input 2: name 'a' is used twice"},
    {"EmptyOutputName",
     [](ModuleWriter &w) { w.addOutput("", fb::ElementType::F32, {4}); },
     "output 1 has an empty name"},
    {"NegativeDim",
     [](ModuleWriter &w) {
       w.addInput("d", fb::ElementType::F32, {2, -1});
     },
     "input 2 ('d') has dimension 1 = -1"},
    {"ShapeOverflow",
     [](ModuleWriter &w) {
       w.addInput("d", fb::ElementType::F64, {1ll << 40, 1ll << 40});
     },
     "input 2 ('d') is too large"},
    {"UnknownElementType",
     [](ModuleWriter &w) {
       w.addOutput("d", static_cast<fb::ElementType>(99), {1});
     },
     "output 1 ('d') has unknown element type 99"},
    {"UnknownElementTypeZero",
     [](ModuleWriter &w) { w.addOutput("d", fb::ElementType::Unknown, {1}); },
     "unknown element type 0"},
    {"Rank",
     [](ModuleWriter &w) {
       w.addInput("d", fb::ElementType::F32, std::vector<int64_t>(33, 1));
     },
     "has rank 33, more than the supported 32"},
};

INSTANTIATE_TEST_SUITE_P(Rules, BrokenModuleTest,
                         ::testing::ValuesIn(kBrokenCases),
                         [](const ::testing::TestParamInfo<BrokenCase> &info) {
                           return std::string(info.param.name);
                         });

/// Edits a finished file through the mutable FlatBuffers API, then reseals
/// the checksums so that only the semantic checks can object.
std::vector<uint8_t>
editFile(std::function<void(fb::AiccModule &, std::vector<uint8_t> &)> edit,
         bool resealSegments = true) {
  std::vector<uint8_t> file = baseModule().finish();
  edit(*fb::GetMutableSizePrefixedAiccModule(file.data()), file);
  EXPECT_TRUE(ModuleWriter::resealChecksums(file, resealSegments));
  return file;
}

TEST_F(ModuleTest, RejectsMisalignedSegment) {
  std::string text =
      load(editFile([](fb::AiccModule &m, std::vector<uint8_t> &) {
        auto *segment = m.mutable_segments()->GetMutableObject(1);
        segment->mutate_offset(segment->offset() - 8);
      }));
  EXPECT_NE(text.find("segment 1: offset"), std::string::npos) << text;
  EXPECT_NE(text.find("is not a multiple of 64"), std::string::npos) << text;
}

TEST_F(ModuleTest, RejectsOverlappingSegments) {
  std::string text =
      load(editFile([](fb::AiccModule &m, std::vector<uint8_t> &) {
        auto *segment = m.mutable_segments()->GetMutableObject(0);
        segment->mutate_offset(0);
      }));
  EXPECT_NE(text.find("segment 0: offset 0 overlaps the FlatBuffer"),
            std::string::npos)
      << text;
}

TEST_F(ModuleTest, RejectsSegmentPastTheEnd) {
  std::string text = load(editFile(
      [](fb::AiccModule &m, std::vector<uint8_t> &) {
        auto *segment = m.mutable_segments()->GetMutableObject(1);
        segment->mutate_length(segment->length() + 1000);
      },
      /*resealSegments=*/false));
  EXPECT_NE(text.find("segment 1: bytes"), std::string::npos) << text;
  EXPECT_NE(text.find("the file is truncated"), std::string::npos) << text;
}

TEST_F(ModuleTest, RejectsTrailingBytes) {
  std::vector<uint8_t> file = baseModule().finish();
  file.resize(file.size() + 3, 0);
  std::string text = load(file);
  EXPECT_NE(text.find("the file has 3 bytes after its last segment"),
            std::string::npos)
      << text;
}

TEST_F(ModuleTest, RejectsNonZeroPadding) {
  ModuleWriter writer = baseModule();
  // A 3-byte segment is followed by 61 bytes of padding.
  writer.addSegment(std::vector<uint8_t>{1, 2, 3});
  writer.addSegment(std::vector<uint8_t>{4, 5});
  std::vector<uint8_t> file = writer.finish();
  ASSERT_EQ(load(file), "OK");
  const fb::AiccModule *root = fb::GetSizePrefixedAiccModule(file.data());
  const fb::Segment *small = root->segments()->Get(2);
  uint64_t padding = small->offset() + small->length();
  ASSERT_EQ(root->segments()->Get(3)->offset() - padding, 61u);
  file[padding + 60] = 1;
  std::string text = load(file);
  EXPECT_NE(text.find("padding byte at offset " + std::to_string(padding + 60) +
                      " before segment 3 is not zero"),
            std::string::npos)
      << text;
}

TEST_F(ModuleTest, RejectsBadChecksums) {
  std::vector<uint8_t> file = baseModule().finish();
  const fb::AiccModule *root = fb::GetSizePrefixedAiccModule(file.data());
  uint64_t weights = root->segments()->Get(1)->offset();
  file[weights + 5] ^= 0x40;
  std::string text = load(file);
  EXPECT_NE(text.find("segment 1: checksum mismatch"), std::string::npos)
      << text;
  file[weights + 5] ^= 0x40;
  EXPECT_EQ(load(file), "OK");
  // A change inside the FlatBuffer that keeps it verifiable: a push constant.
  const fb::Dispatch *dispatch = root->commands()->Get(0)->op_as_Dispatch();
  const uint8_t *push =
      reinterpret_cast<const uint8_t *>(dispatch->push_constants()->Data());
  file[push - file.data()] ^= 1;
  text = load(file);
  EXPECT_NE(text.find("FlatBuffer checksum mismatch"), std::string::npos)
      << text;
}

TEST_F(ModuleTest, RejectsUnknownCommandType) {
  std::string text =
      load(editFile([](fb::AiccModule &m, std::vector<uint8_t> &) {
        // The generated API has no mutator for a union's type; write the byte.
        auto *barrier = reinterpret_cast<flatbuffers::Table *>(
            m.mutable_commands()->GetMutableObject(2));
        *barrier->GetAddressOf(fb::Command::VT_OP_TYPE) = 9;
      }));
  EXPECT_NE(text.find("command 2: unknown command type 9"), std::string::npos)
      << text;
}

TEST_F(ModuleTest, RejectsCommandsWithoutTheirTable) {
  // The FlatBuffers verifier accepts a union whose value is absent; the
  // writer never produces one, so build the file by hand.
  for (fb::CommandOp type : {fb::CommandOp::Dispatch, fb::CommandOp::Copy}) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<flatbuffers::Offset<fb::Command>> commands = {
        fb::CreateCommand(fbb, type, 0)};
    auto commandsVec = fbb.CreateVector(commands);
    fb::AiccModuleBuilder root(fbb);
    root.add_version_major(1);
    root.add_commands(commandsVec);
    root.add_checksum(1);
    fb::FinishSizePrefixedAiccModuleBuffer(fbb, root.Finish());
    std::vector<uint8_t> file(fbb.GetBufferPointer(),
                              fbb.GetBufferPointer() + fbb.GetSize());
    ASSERT_TRUE(ModuleWriter::resealChecksums(file));
    std::string text = load(file);
    EXPECT_NE(text.find(type == fb::CommandOp::Dispatch
                            ? "command 0: dispatch without its table"
                            : "command 0: copy without its table"),
              std::string::npos)
        << text;
  }
}

TEST_F(ModuleTest, RejectsForeignFiles) {
  std::vector<uint8_t> file = baseModule().finish();
  file[8] = 'X';
  std::string text = load(file);
  EXPECT_NE(text.find("not an .aicc module (file identifier 'XICC'"),
            std::string::npos)
      << text;
  EXPECT_NE(load({1, 2, 3}).find("too small"), std::string::npos);
  std::vector<uint8_t> elf = testKernels();
  EXPECT_NE(load(elf).find("INVALID_MODULE"), std::string::npos);
}

} // namespace
