//===- KvStateTest.cpp - KV-cache state pools written in place (1.4) -------===//
//
// Hand-built 1.4 artifacts: a copy into a state pool at a per-run offset
// (Copy.target_offset), an input read for its shape only (data NULL), the
// session's count of bytes written into state, aicc_session_reset_state,
// and the loader's checks of target_offset.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "src/Session.h"

using namespace aicc;
using namespace aicc::test;

namespace {

/// past: f32[p] (p in 0..8, shape only), x: f32[n, 4] (n in 1..4); the
/// schedule copies x into a 16-row state pool at row p, then the whole pool
/// to y: f32[16, 4].
ModuleWriter kvModule(uint64_t poolBytes = 256) {
  ModuleWriter writer;
  writer.setVersion(1, 4);
  writer.addSymbol("n", 1, 4);
  writer.addSymbol("p", 0, 8);
  writer.addInput("past", fb::ElementType::F32, {8});
  writer.setInputDims(0, {{kSym, 1}});
  writer.addInput("x", fb::ElementType::F32, {4, 4});
  writer.setInputDims(1, {{kSym, 0}, {kConst, 4}});
  writer.addOutput("y", fb::ElementType::F32, {16, 4});
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 0, 0);
  uint32_t pool = writer.addStatePool("kv:present.0.key", 0, poolBytes);
  writer.setStatePoolKv(pool, "past", "present.0.key", "contiguous",
                        {kSym, 1}, 16);
  uint32_t x = writer.addInputBuffer(1);
  uint32_t rows = writer.addBuffer({fb::BufferKind::State, 0, pool, 0, 64});
  uint32_t whole =
      writer.addBuffer({fb::BufferKind::State, 0, pool, 0, poolBytes});
  uint32_t y = writer.addOutputBuffer(0);
  uint32_t write = writer.addCopy(x, rows);
  writer.setCopyBytes(write, {kSym, 0, kConst, 16, kMul});
  writer.setCopyTargetOffset(write, {kSym, 1, kConst, 16, kMul});
  writer.addCopy(whole, y);
  return writer;
}

struct Loaded : LoadedSession {
  using LoadedSession::LoadedSession;

  /// Appends `rows` rows (row r holds 4 copies of values[r]) after `past`.
  std::string append(int64_t past, const std::vector<float> &values,
                     std::vector<float> *y) {
    std::vector<float> x;
    for (float v : values)
      x.insert(x.end(), 4, v);
    y->assign(64, -1.0f);
    std::vector<int64_t> pastDims{past},
        xDims{static_cast<int64_t>(values.size()), 4}, yDims{16, 4};
    aicc_tensor_view_t inputs[2] = {
        {nullptr, AICC_ELEMENT_TYPE_F32, 1, pastDims.data(), 0},
        viewOf(x, AICC_ELEMENT_TYPE_F32, xDims)};
    aicc_tensor_view_t output = viewOf(*y, AICC_ELEMENT_TYPE_F32, yDims);
    return statusText(
        aicc_session_run(session.session, inputs, 2, &output, 1));
  }
};

TEST(KvState, AppendsAtThePastLengthInPlace) {
  Loaded loaded(kvModule());
  ASSERT_EQ(loaded.error, "OK");
  const Session *session =
      reinterpret_cast<const Session *>(loaded.session.session);
  EXPECT_FALSE(session->inputIsRead(0)); // past: shape only
  EXPECT_TRUE(session->inputIsRead(1));
  std::vector<float> y;
  ASSERT_EQ(loaded.append(0, {1, 2, 3}, &y), "OK");
  EXPECT_EQ(session->stateBytesLastRun(), 48u);
  ASSERT_EQ(loaded.append(3, {4}, &y), "OK");
  EXPECT_EQ(session->stateBytesLastRun(), 16u);
  ASSERT_EQ(loaded.append(4, {5, 6}, &y), "OK");
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 4; ++c)
      ASSERT_EQ(y[r * 4 + c], r < 6 ? float(r + 1) : 0.0f) << r << " " << c;
  // Reset: the pool is zero again.
  AICC_ASSERT_OK(aicc_session_reset_state(loaded.session.session));
  ASSERT_EQ(loaded.append(0, {7}, &y), "OK");
  EXPECT_EQ(y[0], 7.0f);
  EXPECT_EQ(y[4], 0.0f);
}

TEST(KvState, LoaderChecksTheTargetOffset) {
  // p (<= 8) rows + n (<= 4) rows of 16 bytes need 192 bytes.
  RuntimeHandle runtime;
  ModuleHandle module;
  std::string text = statusText(
      loadModule(runtime.runtime, kvModule(128).finish(), &module.module));
  EXPECT_NE(text.find("command 0: the copy can write up to byte 192 of state "
                      "pool 0, which holds 128"),
            std::string::npos)
      << text;
  // Only copies into state pools take an offset.
  ModuleWriter writer;
  writer.setVersion(1, 4);
  writer.addSymbol("n", 1, 4);
  writer.addInput("x", fb::ElementType::F32, {4, 4});
  writer.setInputDims(0, {{kSym, 0}, {kConst, 4}});
  writer.addOutput("y", fb::ElementType::F32, {4, 4});
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 0, 0);
  uint32_t copy =
      writer.addCopy(writer.addInputBuffer(0), writer.addOutputBuffer(0));
  writer.setCopyTargetOffset(copy, {kConst, 0});
  ModuleHandle other;
  text = statusText(
      loadModule(runtime.runtime, writer.finish(), &other.module));
  EXPECT_NE(text.find("a copy with a target offset must write a state pool"),
            std::string::npos)
      << text;
}

} // namespace
