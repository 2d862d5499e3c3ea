//===- CorruptionTest.cpp - Damaged artifacts are errors, never crashes ---===//
//
// Truncates a valid module at every length and changes every byte of it,
// and asserts that each load fails with a status. Modules are loaded from
// exact-size heap copies, so under AddressSanitizer (scripts/runtime-asan.sh)
// any read past the end of the artifact is reported.
//
// Checksums make every single-byte change detectable, which would hide bugs
// in the structural checks behind the checksum test; the "resealed" cases
// therefore recompute the checksums after damaging the FlatBuffer, so the
// FlatBuffers verifier and the semantic checks see the damage themselves.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <random>

using namespace aicc;
using namespace aicc::test;

namespace {

class CorruptionTest : public ::testing::Test {
protected:
  void SetUp() override {
    // Every kind of table: signature, two segments, constants, arena, state,
    // all command types.
    std::vector<float> w = pipelineWeights(3, 5), bias = pipelineBias(5);
    ModuleWriter writer = pipelineModule(3, 5, w, bias);
    writer.addStatePool("kv", 0, 64);
    uint32_t state = writer.addStateBuffer(0, 0, 16);
    uint32_t arena = writer.addArenaBuffer(0, 0, 16);
    writer.addCopy(arena, state);
    writer.addBarrier();
    file_ = writer.finish();
    uint32_t prefix;
    std::memcpy(&prefix, file_.data(), 4);
    fbSize_ = prefix + 4;
  }

  /// Loads `bytes` from an exact-size copy; returns the status code.
  aicc_status_code_t load(const std::vector<uint8_t> &bytes) {
    // An empty vector has no data pointer; load one byte of nothing.
    static const uint8_t none = 0;
    aicc_module_t *module = nullptr;
    aicc_status_t status = aicc_module_load_memory(
        rt_.runtime, bytes.empty() ? &none : bytes.data(), bytes.size(),
        AICC_MEMORY_COPY, "corrupt.aicc", &module);
    aicc_status_code_t code = aicc_status_code(status);
    if (status) {
      // Every message must be a readable sentence that names the artifact.
      EXPECT_EQ(
          std::string(aicc_status_message(status)).rfind("corrupt.aicc: ", 0),
          0u)
          << aicc_status_message(status);
    }
    aicc_status_free(status);
    aicc_module_release(module);
    return code;
  }

  RuntimeHandle rt_;
  std::vector<uint8_t> file_;
  size_t fbSize_ = 0;
};

TEST_F(CorruptionTest, TheUndamagedFileLoads) {
  EXPECT_EQ(load(file_), AICC_STATUS_OK);
  EXPECT_GT(file_.size(), fbSize_);
}

TEST_F(CorruptionTest, EveryTruncationIsAnError) {
  for (size_t length = 0; length < file_.size(); ++length) {
    std::vector<uint8_t> truncated(file_.begin(), file_.begin() + length);
    ASSERT_EQ(load(truncated), AICC_STATUS_INVALID_MODULE)
        << "truncated to " << length << " of " << file_.size() << " bytes";
  }
}

TEST_F(CorruptionTest, EveryByteChangeIsAnError) {
  std::vector<uint8_t> damaged = file_;
  for (size_t i = 0; i < damaged.size(); ++i) {
    // Vary the change: single bits, and whole-byte patterns.
    uint8_t mask =
        i % 3 == 0 ? uint8_t(1u << (i % 8)) : uint8_t(0x5a + 37 * (i % 7));
    damaged[i] ^= mask;
    aicc_status_code_t code = load(damaged);
    ASSERT_TRUE(code == AICC_STATUS_INVALID_MODULE ||
                code == AICC_STATUS_UNSUPPORTED)
        << "byte " << i << " ^ " << int(mask) << " loaded with code " << code;
    damaged[i] ^= mask;
  }
}

TEST_F(CorruptionTest, RandomMultiByteDamageIsAnError) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> damaged = file_;
    int changes = 1 + round % 8;
    for (int c = 0; c < changes; ++c) {
      size_t at = rng() % damaged.size();
      damaged[at] = static_cast<uint8_t>(damaged[at] ^ (1 + rng() % 255));
    }
    ASSERT_NE(load(damaged), AICC_STATUS_OK) << "round " << round;
  }
}

TEST_F(CorruptionTest, OutOfRangeElementTypeIsAnError) {
  // Found by aicc-fuzz-artifact-resealed: the stored code became an
  // aicc_element_type_t before it was range-checked (undefined behaviour,
  // reported by UBSan in build-fuzz; the seed corpus replays that input).
  for (uint8_t code :
       {uint8_t(AICC_ELEMENT_TYPE_LAST + 1), uint8_t(250), uint8_t(255)}) {
    std::vector<uint8_t> damaged = file_;
    auto *module = fb::GetMutableSizePrefixedAiccModule(damaged.data());
    auto *input =
        module->mutable_signature()->mutable_inputs()->GetMutableObject(0);
    ASSERT_TRUE(input->mutate_element_type(static_cast<fb::ElementType>(code)));
    ASSERT_TRUE(ModuleWriter::resealChecksums(damaged));
    aicc_module_t *loaded = nullptr;
    aicc_status_t status =
        aicc_module_load_memory(rt_.runtime, damaged.data(), damaged.size(),
                                AICC_MEMORY_COPY, "corrupt.aicc", &loaded);
    ASSERT_EQ(aicc_status_code(status), AICC_STATUS_INVALID_MODULE);
    EXPECT_NE(std::string(aicc_status_message(status))
                  .find("has unknown element type " + std::to_string(code)),
              std::string::npos)
        << aicc_status_message(status);
    aicc_status_free(status);
  }
}

TEST_F(CorruptionTest, MisalignedEightByteVectorsAreErrors) {
  // Found by aicc-fuzz-artifact-resealed (kept in data/ and in the fuzz seed
  // corpus): FlatBuffers that verify, but whose vector of 8-byte elements
  // (Segment structs, a tensor's shape) starts at a 4-byte boundary. Reading
  // them is undefined behaviour; the loader must reject them first (UBSan in
  // build-fuzz checks the reads).
  const std::pair<const char *, const char *> cases[] = {
      {"misaligned_segments.aicc", "the segment table is not 8-byte aligned"},
      {"misaligned_shape.aicc", "its shape is not 8-byte aligned"},
  };
  for (auto [file, message] : cases) {
    std::vector<uint8_t> bytes =
        readFileBytes(std::string(AICC_TEST_DATA_DIR) + "/" + file);
    ASSERT_FALSE(bytes.empty()) << file;
    ModuleWriter::resealChecksums(bytes);
    aicc_module_t *loaded = nullptr;
    aicc_status_t status =
        aicc_module_load_memory(rt_.runtime, bytes.data(), bytes.size(),
                                AICC_MEMORY_COPY, "corrupt.aicc", &loaded);
    ASSERT_EQ(aicc_status_code(status), AICC_STATUS_INVALID_MODULE) << file;
    EXPECT_NE(std::string(aicc_status_message(status)).find(message),
              std::string::npos)
        << aicc_status_message(status);
    aicc_status_free(status);
  }
}

TEST_F(CorruptionTest, ResealedFlatBufferDamageNeverCrashes) {
  // Damage inside the FlatBuffer with valid checksums: the structural checks
  // alone must catch whatever would make the module unsafe. Some changes
  // (a name, a push constant) legitimately still load; nothing may crash,
  // and loaded modules are not run because push constants are opaque sizes.
  std::mt19937 rng(99);
  size_t loaded = 0, rejected = 0;
  for (size_t i = 0; i < fbSize_; ++i) {
    for (int variant = 0; variant < 3; ++variant) {
      std::vector<uint8_t> damaged = file_;
      uint8_t value = variant == 0   ? uint8_t(damaged[i] ^ 0x01)
                      : variant == 1 ? uint8_t(0xff)
                                     : uint8_t(rng());
      if (value == damaged[i])
        continue;
      damaged[i] = value;
      ModuleWriter::resealChecksums(damaged);
      (load(damaged) == AICC_STATUS_OK ? loaded : rejected) += 1;
    }
  }
  // Most structural damage must be caught by the verifiers themselves.
  EXPECT_GT(rejected, loaded);
  RecordProperty("loaded", static_cast<int>(loaded));
  RecordProperty("rejected", static_cast<int>(rejected));
}

TEST_F(CorruptionTest, TruncatedFilesOnDisk) {
  std::string dir = makeTempDir("corruption");
  for (size_t length : {size_t(1), size_t(11), size_t(12), fbSize_ - 1, fbSize_,
                        fbSize_ + 1, file_.size() - 1}) {
    std::string path = dir + "/truncated.aicc";
    ASSERT_TRUE(writeFileBytes(
        path, std::vector<uint8_t>(file_.begin(), file_.begin() + length)));
    aicc_module_t *module = nullptr;
    std::string text =
        statusText(aicc_module_load_file(rt_.runtime, path.c_str(), &module));
    EXPECT_EQ(text.rfind("INVALID_MODULE: " + path + ": ", 0), 0u)
        << length << ": " << text;
    EXPECT_EQ(module, nullptr);
  }
}

} // namespace
