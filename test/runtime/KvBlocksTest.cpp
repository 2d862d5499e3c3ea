//===- KvBlocksTest.cpp - The paged KV-cache layout (format 1.5)
//-----------===//
//
// The block allocator of a paged KV state pool (runtime/src/KvBlocks.h):
// blocks from a free list as the sequence grows, a reset giving them back
// (the next sequence gets them in another order), writes split at block
// boundaries through the table; a hand-built 1.5 artifact whose KV write
// goes through the table; and the loader's checks of the paged fields.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "src/KvBlocks.h"
#include "src/Session.h"

using namespace aicc;
using namespace aicc::test;

namespace {

TEST(KvBlocks, MapsBlocksFromTheFreeListAsTheSequenceGrows) {
  // 4 blocks of 2 rows of 4 bytes.
  std::vector<uint8_t> pool(32, 0);
  std::vector<int32_t> table(4, -1);
  KvBlocks blocks;
  blocks.init(pool.data(), table.data(), 4, 2, 4, /*reserved=*/false);
  EXPECT_EQ(blocks.mappedBlocks(), 0u);
  EXPECT_EQ(blocks.committedBytes(), 0u);
  ASSERT_TRUE(blocks.mapRows(3)); // rows 0..2: blocks 0 and 1
  EXPECT_EQ(blocks.mappedBlocks(), 2u);
  EXPECT_EQ(blocks.committedBytes(), 16u);
  EXPECT_EQ(table[0], 0);
  EXPECT_EQ(table[1], 1);
  ASSERT_TRUE(blocks.mapRows(4)); // still two blocks
  EXPECT_EQ(blocks.mappedBlocks(), 2u);
  EXPECT_FALSE(blocks.mapRows(9)); // more than 4 blocks hold
  ASSERT_TRUE(blocks.mapRows(8));
  EXPECT_EQ(blocks.committedBytes(), 32u);
}

TEST(KvBlocks, AResetHandsTheBlocksOutInAnotherOrder) {
  std::vector<uint8_t> pool(32, 0);
  std::vector<int32_t> table(4, -1);
  KvBlocks blocks;
  blocks.init(pool.data(), table.data(), 4, 2, 4, /*reserved=*/false);
  ASSERT_TRUE(blocks.map(3));
  blocks.release();
  EXPECT_EQ(blocks.mappedBlocks(), 0u);
  EXPECT_EQ(blocks.committedBytes(), 0u);
  ASSERT_TRUE(blocks.map(4));
  // The last block given back comes first; block 3 was never used.
  EXPECT_EQ(table[0], 2);
  EXPECT_EQ(table[1], 1);
  EXPECT_EQ(table[2], 0);
  EXPECT_EQ(table[3], 3);
}

TEST(KvBlocks, WritesSplitAtBlockBoundariesThroughTheTable) {
  std::vector<uint8_t> pool(32, 0);
  std::vector<int32_t> table(4, -1);
  KvBlocks blocks;
  blocks.init(pool.data(), table.data(), 4, 2, 4, /*reserved=*/false);
  ASSERT_TRUE(blocks.map(4));
  blocks.release(); // the table becomes 3, 2, 1, 0
  ASSERT_TRUE(blocks.mapRows(5));
  ASSERT_EQ(table[0], 3);
  ASSERT_EQ(table[1], 2);
  ASSERT_EQ(table[2], 1);
  std::vector<uint8_t> rows(20);
  for (size_t i = 0; i < rows.size(); ++i)
    rows[i] = static_cast<uint8_t>(i / 4 + 1); // row r holds r + 1
  blocks.write(0, rows.data(), 1);             // row 0
  blocks.write(1, rows.data() + 4, 4);         // rows 1..4, three blocks
  auto rowAt = [&](int physical) { return pool[physical * 4]; };
  EXPECT_EQ(rowAt(6), 1); // logical 0 -> block 3, row 0
  EXPECT_EQ(rowAt(7), 2); // logical 1 -> block 3, row 1
  EXPECT_EQ(rowAt(4), 3); // logical 2 -> block 2, row 0
  EXPECT_EQ(rowAt(5), 4);
  EXPECT_EQ(rowAt(2), 5); // logical 4 -> block 1, row 0
  EXPECT_EQ(rowAt(0), 0); // block 0 unused
}

TEST(KvBlocks, ReservedMemoryIsCommittedOnTouchAndGivenBack) {
  uint64_t size = 64 << 20;
  uint8_t *memory = reservePoolMemory(size);
  ASSERT_NE(memory, nullptr);
  std::vector<int32_t> table(64);
  KvBlocks blocks;
  blocks.init(memory, table.data(), 64, 256, 4096, /*reserved=*/true);
  ASSERT_TRUE(blocks.mapRows(300));
  std::vector<uint8_t> rows(300 * 4096, 7);
  blocks.write(0, rows.data(), 300);
  EXPECT_EQ(blocks.committedBytes(), 2u << 20);
  EXPECT_EQ(memory[uint64_t(table[1]) * (1 << 20)], 7);
  blocks.release();
  // Given back to the system: zero again.
  EXPECT_EQ(memory[0], 0);
  EXPECT_EQ(blocks.committedBytes(), 0u);
  releasePoolMemory(memory, size);
}

/// past: f32[p] (p in 0..12, shape only), x: f32[n, 4] (n in 1..4); the
/// schedule copies x into a paged pool of 8 blocks of 2 rows of 16 bytes at
/// logical row p, then the whole pool to y: f32[16, 4] and the block table
/// to t: i32[8].
ModuleWriter pagedModule(uint32_t blockTokens = 2, uint64_t tableBytes = 32,
                         const char *tableLayout = nullptr,
                         const char *poolLayout = nullptr) {
  ModuleWriter writer;
  writer.setVersion(1, 5);
  writer.addSymbol("n", 1, 4);
  writer.addSymbol("p", 0, 12);
  writer.addInput("past", fb::ElementType::F32, {12});
  writer.setInputDims(0, {{kSym, 1}});
  writer.addInput("x", fb::ElementType::F32, {4, 4});
  writer.setInputDims(1, {{kSym, 0}, {kConst, 4}});
  writer.addOutput("y", fb::ElementType::F32, {16, 4});
  writer.addOutput("t", fb::ElementType::I32, {8});
  writer.addMemorySpace("host", fb::DeviceKind::Cpu, 0, 0);
  uint32_t pool = writer.addStatePool("kv:present.0.key", 0, 256);
  writer.setStatePoolKv(pool, "past", "present.0.key", "contiguous", {kSym, 1},
                        16);
  uint32_t table = writer.addStatePool("kv_table:present.0.key", 0, tableBytes);
  writer.setStatePoolPaged(pool, blockTokens, table);
  if (tableLayout)
    writer.setStatePoolKv(table, "", "", tableLayout, {}, 0);
  if (poolLayout)
    writer.setStatePoolKv(pool, "past", "present.0.key", poolLayout, {kSym, 1},
                          16);
  uint32_t x = writer.addInputBuffer(1);
  uint32_t rows = writer.addBuffer({fb::BufferKind::State, 0, pool, 0, 64});
  uint32_t whole = writer.addBuffer({fb::BufferKind::State, 0, pool, 0, 256});
  uint32_t tableBuffer =
      writer.addBuffer({fb::BufferKind::State, 0, table, 0, tableBytes});
  uint32_t write = writer.addCopy(x, rows);
  writer.setCopyBytes(write, {kSym, 0, kConst, 16, kMul});
  writer.setCopyTargetOffset(write, {kSym, 1, kConst, 16, kMul});
  writer.addCopy(whole, writer.addOutputBuffer(0));
  writer.addCopy(tableBuffer, writer.addOutputBuffer(1));
  return writer;
}

struct Loaded : LoadedSession {
  using LoadedSession::LoadedSession;

  /// Appends rows (row r holds 4 copies of values[r]) after `past`; `y` is
  /// the pool, `t` the table.
  std::string append(int64_t past, const std::vector<float> &values,
                     std::vector<float> *y, std::vector<int32_t> *t) {
    std::vector<float> x;
    for (float v : values)
      x.insert(x.end(), 4, v);
    y->assign(64, -1.0f);
    t->assign(8, -1);
    std::vector<int64_t> pastDims{past},
        xDims{static_cast<int64_t>(values.size()), 4}, yDims{16, 4}, tDims{8};
    aicc_tensor_view_t inputs[2] = {
        {nullptr, AICC_ELEMENT_TYPE_F32, 1, pastDims.data(), 0},
        viewOf(x, AICC_ELEMENT_TYPE_F32, xDims)};
    aicc_tensor_view_t outputs[2] = {viewOf(*y, AICC_ELEMENT_TYPE_F32, yDims),
                                     viewOf(*t, AICC_ELEMENT_TYPE_I32, tDims)};
    return statusText(aicc_session_run(session.session, inputs, 2, outputs, 2));
  }
};

/// The value of logical row `row` of pool `y` through table `t` (2 rows
/// per block).
float logicalRow(const std::vector<float> &y, const std::vector<int32_t> &t,
                 int row) {
  return y[(t[row / 2] * 2 + row % 2) * 4];
}

TEST(KvPaged, WritesThroughTheTableAndCommitsBlocksAsTheSequenceGrows) {
  Loaded loaded(pagedModule());
  ASSERT_EQ(loaded.error, "OK");
  const Session *session =
      reinterpret_cast<const Session *>(loaded.session.session);
  EXPECT_EQ(session->kvReservedBytes(), 256u);
  EXPECT_EQ(session->kvCommittedBytes(), 0u);
  std::vector<float> y;
  std::vector<int32_t> t;
  ASSERT_EQ(loaded.append(0, {1, 2, 3}, &y, &t), "OK");
  EXPECT_EQ(session->stateBytesLastRun(), 48u);
  EXPECT_EQ(session->kvCommittedBytes(), 64u); // 2 blocks of 32 bytes
  ASSERT_EQ(loaded.append(3, {4}, &y, &t), "OK");
  EXPECT_EQ(session->stateBytesLastRun(), 16u);
  EXPECT_EQ(session->kvCommittedBytes(), 64u);
  ASSERT_EQ(loaded.append(4, {5, 6, 7}, &y, &t), "OK");
  EXPECT_EQ(session->kvCommittedBytes(), 128u);
  for (int r = 0; r < 7; ++r)
    EXPECT_EQ(logicalRow(y, t, r), float(r + 1)) << r;
  // Reset: the blocks go back; the next sequence gets them in another order
  // (a real indirection), and its rows land where its table says.
  AICC_ASSERT_OK(aicc_session_reset_state(loaded.session.session));
  EXPECT_EQ(session->kvCommittedBytes(), 0u);
  ASSERT_EQ(loaded.append(0, {10, 11, 12, 13}, &y, &t), "OK");
  EXPECT_EQ(t[0], 3);
  EXPECT_EQ(t[1], 2);
  for (int r = 0; r < 4; ++r)
    EXPECT_EQ(logicalRow(y, t, r), float(r + 10)) << r;
}

TEST(KvPaged, LoaderChecksThePagedFields) {
  RuntimeHandle runtime;
  auto loadError = [&](const ModuleWriter &writer) {
    ModuleHandle module;
    return statusText(
        loadModule(runtime.runtime, writer.finish(), &module.module));
  };
  std::string text = loadError(pagedModule(/*blockTokens=*/0));
  EXPECT_NE(text.find("paged with a block of 0 tokens"), std::string::npos)
      << text;
  // 256 bytes are not whole blocks of 3 rows of 16 bytes.
  text = loadError(pagedModule(/*blockTokens=*/3));
  EXPECT_NE(text.find("are not whole blocks of 48 bytes"), std::string::npos)
      << text;
  // A block larger than the pool.
  text = loadError(pagedModule(/*blockTokens=*/32));
  EXPECT_NE(text.find("does not fit its 256 bytes"), std::string::npos) << text;
  // 8 blocks need a 32-byte table.
  text = loadError(pagedModule(2, /*tableBytes=*/16));
  EXPECT_NE(text.find("holds 16 bytes, not 32"), std::string::npos) << text;
  text = loadError(pagedModule(2, 32, /*tableLayout=*/"contiguous"));
  EXPECT_NE(text.find("is not a \"block_table\" pool"), std::string::npos)
      << text;
  text = loadError(pagedModule(2, 32, nullptr, /*poolLayout=*/"striped"));
  EXPECT_NE(text.find("unknown KV layout 'striped'"), std::string::npos)
      << text;
}

} // namespace
