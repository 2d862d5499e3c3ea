//===- RnpuIsaTest.cpp - RNPU encoding, decoding and validation -----------===//
//
// The binary command stream round-trips, and every malformed stream or
// out-of-range field is rejected with a message (never a crash), including
// random corruptions of a valid program. The bundled JSON configuration
// matches RnpuConfig's defaults.
//
//===----------------------------------------------------------------------===//

#include "RnpuPrograms.h"
#include "hal/npu/RnpuSim.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

using namespace aicc::rnpu;
using namespace rnpu_test;

namespace {

/// One instruction of every kind, with non-default values in every field.
std::vector<Instruction> everyKind() {
  DmaInst d;
  d.space = Space::Act;
  d.binding = 3;
  d.dramOffset = 0x123456789aULL;
  d.sramAddr = 77;
  d.padValue = 9;
  for (int i = 0; i < 4; ++i) {
    d.size[i] = uint32_t(3 + i);
    d.dramStride[i] = -int64_t(1000 + i);
    d.sramStride[i] = 5 + i;
    d.padLo[i] = uint16_t(i % 2);
    d.padHi[i] = 1;
  }
  d.repeat = 2;
  d.sramRepeatStride = -4;
  d.dramRepeatStride = 1 << 20;
  GemmInst g;
  g.flags = kGemmAccumulate | kGemmInpUnsigned;
  g.inpZeroPoint = 200;
  g.wgtZeroPoint = -3;
  g.accAddr = 64;
  g.inpAddr = 16;
  g.wgtAddr = 256;
  g.rows = 5;
  g.outer = 2;
  g.inner = 3;
  g.accRowStride = 64;
  g.inpRowStride = -16;
  g.accOuterStride = 4;
  g.inpOuterStride = 1;
  g.wgtOuterStride = 512;
  g.accInnerStride = 8;
  g.inpInnerStride = 2;
  g.wgtInnerStride = 256;
  VecInst v;
  v.op = VecOp::Requant;
  v.flags = kVecHasBias | kVecOutSigned;
  v.src0Space = Space::Acc;
  v.count[0] = 7;
  v.count[1] = 8;
  v.count[2] = 9;
  v.dst = {1, {1, 7, 56}};
  v.src0 = {4, {4, 28, -4}};
  v.bias = {8, {4, 0, 0}};
  v.mult = {12, {4, 0, 0}};
  v.iImm[0] = -5;
  v.clampLo = -100;
  v.clampHi = 100;
  v.fImm[0] = 0.25f;
  VecInst pool;
  pool.op = VecOp::PoolAvg;
  pool.flags = kVecSrc0Signed | kVecOutSigned;
  pool.window[0] = 3;
  pool.window[1] = 2;
  pool.windowStride[0] = 16;
  pool.windowStride[1] = -160;
  pool.fImm[0] = 1.0f / 6;
  pool.iImm[0] = 4;
  pool.iImm[2] = -2;
  DmaInst st;
  st.space = Space::Acc;
  st.elemBytes = 4;
  st.size[0] = 16;
  st.sramStride[0] = 4;
  st.dramStride[0] = 4;
  return {Instruction::dmaLoad(d, 11),
          Instruction::gemmOp(g, 12),
          Instruction::vecOp(v, 13),
          Instruction::vecOp(pool, 14),
          Instruction::signal(Queue::Compute, 5, 3),
          Instruction::wait(Queue::Store, 5, 2),
          Instruction::dmaStore(st, 65535),
          Instruction::end()};
}

std::string decodeError(const std::vector<uint8_t> &bytes) {
  std::vector<Instruction> program;
  return decodeProgram(bytes.data(), bytes.size(), &program).message;
}

/// The error decoding a one-instruction program (+ END) gives after
/// `mutate` changes its first instruction's bytes.
template <typename F>
std::string mutatedError(const Instruction &inst, F mutate) {
  std::vector<uint8_t> bytes = encodeProgram({inst, Instruction::end()});
  mutate(bytes.data() + kHeaderBytes);
  return decodeError(bytes);
}

TEST(RnpuIsa, RoundTripsEveryInstructionKind) {
  std::vector<Instruction> program = everyKind();
  std::vector<uint8_t> bytes = encodeProgram(program);
  ASSERT_EQ(bytes.size(), kHeaderBytes + program.size() * kInstructionBytes);
  // Header: "RNPU", version 1.0, count, instruction size.
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "RNPU");
  EXPECT_EQ(bytes[4], 1);
  EXPECT_EQ(bytes[6], 0);
  EXPECT_EQ(bytes[8], program.size());
  EXPECT_EQ(bytes[12], 128);
  std::vector<Instruction> decoded;
  Status s = decodeProgram(bytes.data(), bytes.size(), &decoded);
  ASSERT_TRUE(s.ok()) << s.message;
  ASSERT_EQ(decoded.size(), program.size());
  EXPECT_EQ(encodeProgram(decoded), bytes);
  EXPECT_EQ(decoded[0].dma.dramOffset, 0x123456789aULL);
  EXPECT_EQ(decoded[0].dma.dramStride[3], -1003);
  EXPECT_EQ(decoded[1].gemm.wgtZeroPoint, -3);
  EXPECT_EQ(decoded[1].gemm.inpRowStride, -16);
  EXPECT_EQ(decoded[2].vec.src0.stride[2], -4);
  EXPECT_EQ(decoded[2].vec.fImm[0], 0.25f);
  EXPECT_EQ(decoded[3].vec.windowStride[1], -160);
  EXPECT_EQ(decoded[4].sync.count, 3);
  EXPECT_EQ(decoded[5].sync.kind, SyncKind::Wait);
  EXPECT_EQ(decoded[6].tag, 65535);
}

TEST(RnpuIsa, EncodingIsLittleEndianAtTheDocumentedOffsets) {
  GemmInst g;
  g.accAddr = 0x01020304;
  g.rows = 0x0a0b;
  g.wgtInnerStride = -2;
  uint8_t b[kInstructionBytes];
  encodeInstruction(Instruction::gemmOp(g, 0x3344), b);
  EXPECT_EQ(b[0], uint8_t(Opcode::Gemm));
  EXPECT_EQ(b[2], 0x44);
  EXPECT_EQ(b[3], 0x33);
  EXPECT_EQ(b[8], 0x04);
  EXPECT_EQ(b[11], 0x01);
  EXPECT_EQ(b[20], 0x0b);
  EXPECT_EQ(b[21], 0x0a);
  EXPECT_EQ(b[56], 0xfe);
  EXPECT_EQ(b[59], 0xff);
}

TEST(RnpuIsa, RejectsBadHeaders) {
  std::vector<uint8_t> good = encodeProgram({Instruction::end()});
  EXPECT_EQ(decodeError(good), "");
  EXPECT_NE(decodeError({}).find("shorter than its 16-byte header"),
            std::string::npos);
  auto bad = good;
  bad[0] = 'X';
  EXPECT_NE(decodeError(bad).find("bad magic"), std::string::npos);
  bad = good;
  bad[4] = 2;
  EXPECT_NE(decodeError(bad).find("ISA version 2.0 is not supported"),
            std::string::npos);
  bad = good;
  bad[6] = 1; // a newer minor version
  EXPECT_NE(decodeError(bad).find("ISA version 1.1"), std::string::npos);
  bad = good;
  bad[8] = 2; // count says 2, one present
  EXPECT_NE(decodeError(bad).find("do not hold the 2 instructions"),
            std::string::npos);
  bad = good;
  bad.pop_back();
  EXPECT_NE(decodeError(bad).find("do not hold"), std::string::npos);
  bad = good;
  bad[12] = 64;
  EXPECT_NE(decodeError(bad).find("instruction size"), std::string::npos);
  EXPECT_NE(decodeError(encodeProgram({})).find("END missing"),
            std::string::npos);
  EXPECT_NE(decodeError(encodeProgram({Instruction::signal(Queue::Load, 0)}))
                .find("does not end with END"),
            std::string::npos);
  EXPECT_NE(decodeError(encodeProgram({Instruction::end(), Instruction::end()}))
                .find("instruction 0 (END): instructions after END"),
            std::string::npos);
}

TEST(RnpuIsa, RejectsMalformedInstructions) {
  Instruction dma = everyKind()[0];
  Instruction gemm = everyKind()[1];
  Instruction vec = everyKind()[2];
  Instruction pool = everyKind()[3];
  Instruction sync = everyKind()[4];
  struct Case {
    Instruction inst;
    std::function<void(uint8_t *)> mutate;
    const char *expected;
  };
  std::vector<Case> cases = {
      {dma, [](uint8_t *p) { p[0] = 0; }, "instruction 0: bad opcode 0"},
      {dma, [](uint8_t *p) { p[0] = 7; }, "bad opcode 7"},
      {dma, [](uint8_t *p) { p[1] = 3; }, "bad SRAM space 3"},
      {dma, [](uint8_t *p) { p[4] = 2; }, "element size 2 for ACT"},
      {dma, [](uint8_t *p) { p[6] = 1; }, "reserved bytes are not zero"},
      {dma, [](uint8_t *p) { p[127] = 1; }, "reserved bytes are not zero"},
      {dma, [](uint8_t *p) { std::memset(p + 24, 0, 4); }, "size[0] is 0"},
      {dma, [](uint8_t *p) { p[96] = 9; }, "padding of dim 0 exceeds"},
      {dma, [](uint8_t *p) { std::memset(p + 104, 0, 4); }, "repeat count 0"},
      {dma, [](uint8_t *p) { p[21] = 1; }, "does not fit an 8-bit element"},
      {dma,
       [](uint8_t *p) {
         for (int i = 0; i < 4; ++i)
           p[24 + 4 * i + 3] = 0x7f; // sizes near 2^31
       },
       "more than 2^32 elements"},
      {gemm, [](uint8_t *p) { p[1] = 0x80; }, "unknown flags"},
      {gemm, [](uint8_t *p) { p[20] = p[21] = 0; }, "zero loop count"},
      {gemm,
       [](uint8_t *p) {
         p[4] = 0;
         p[5] = 1;
       },
       "input zero point 256"},
      {gemm,
       [](uint8_t *p) {
         p[6] = 200;
         p[7] = 0;
       },
       "weight zero point 200"},
      {gemm, [](uint8_t *p) { p[60] = 1; }, "reserved bytes are not zero"},
      {vec, [](uint8_t *p) { p[1] = 11; }, "bad VEC op 11"},
      {vec, [](uint8_t *p) { p[1] = 0; }, "bad VEC op 0"},
      {vec, [](uint8_t *p) { p[4] |= 0x40; }, "unknown flags"},
      {vec, [](uint8_t *p) { p[4] |= kVecOneSource; }, "flag not allowed"},
      {vec, [](uint8_t *p) { p[5] = 1; }, "destination must be in ACT"},
      {vec, [](uint8_t *p) { p[6] = 0; }, "src0 must be in ACC"},
      {vec, [](uint8_t *p) { p[7] = 9; }, "bad SRAM space"},
      {vec, [](uint8_t *p) { p[8] = p[9] = 0; }, "count[0] is 0"},
      {vec, [](uint8_t *p) { p[14] = 2; }, "window on a non-pooling op"},
      {vec,
       [](uint8_t *p) {
         p[110] = 200;
         p[111] = 0;
       },
       "clamp [200, 100] leaves no value"},
      {vec,
       [](uint8_t *p) {
         p[4] |= kVecMultImm;
         p[119] = 0x7f;
         p[118] = 0xc0;
       },
       "non-finite float immediate 0"},
      {vec, [](uint8_t *p) { p[114] = 1; }, "reserved bytes are not zero"},
      {pool,
       [](uint8_t *p) {
         p[104] = 0;
         p[105] = 0x80;
       },
       "source zero point -32768 outside [-128, 255]"},
      {sync, [](uint8_t *p) { p[1] = 3; }, "bad queue 3"},
      {sync, [](uint8_t *p) { p[4] = 2; }, "bad kind 2"},
      {sync, [](uint8_t *p) { p[6] = p[7] = 0; }, "count 0"},
      {sync, [](uint8_t *p) { p[8] = 1; }, "reserved bytes are not zero"},
      {Instruction::end(), [](uint8_t *p) { p[5] = 1; }, "reserved bytes"},
  };
  for (const Case &c : cases) {
    std::string error = mutatedError(c.inst, c.mutate);
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << "expected '" << c.expected << "', got '" << error << "'";
  }
}

TEST(RnpuIsa, ValidationChecksSramBoundsAndSemaphores) {
  RnpuConfig cfg;
  auto error = [&](const Instruction &inst) {
    return validateInstruction(inst, cfg, 4).message;
  };
  DmaInst d;
  d.sramAddr = cfg.actSramBytes - 10;
  d.size[0] = 10;
  d.sramStride[0] = 1;
  EXPECT_EQ(error(Instruction::dmaLoad(d)), "");
  d.size[0] = 11;
  EXPECT_EQ(error(Instruction::dmaLoad(d)),
            "instruction 4 (DMA_LOAD): the SRAM side accesses ACT bytes "
            "[262134, 262145) outside the 262144-byte SRAM");
  d.size[0] = 2;
  d.sramAddr = 0;
  d.sramStride[0] = -1; // reaches below address 0
  EXPECT_NE(error(Instruction::dmaLoad(d)).find("[-1, 1)"), std::string::npos);
  d.sramStride[0] = 1;
  d.space = Space::Acc;
  d.elemBytes = 4;
  d.sramStride[0] = 2;
  EXPECT_NE(error(Instruction::dmaLoad(d)).find("not a multiple of 4"),
            std::string::npos);
  d.sramStride[0] = 4;
  d.repeat = 3;
  d.sramRepeatStride = 0x7ffffffc; // overflows 32-bit arithmetic
  EXPECT_NE(error(Instruction::dmaLoad(d)).find("outside"), std::string::npos);

  GemmInst g;
  g.accAddr = cfg.accSramBytes - 64;
  EXPECT_EQ(error(Instruction::gemmOp(g)), "");
  g.rows = 2;
  g.accRowStride = 64;
  EXPECT_NE(error(Instruction::gemmOp(g)).find("the accumulator accesses ACC"),
            std::string::npos);
  g.accRowStride = 0;
  g.wgtAddr = cfg.wgtSramBytes - 255;
  EXPECT_NE(error(Instruction::gemmOp(g)).find("the weight accesses WGT"),
            std::string::npos);
  g.wgtAddr = 0;
  g.inner = 100;
  g.inpInnerStride = 4096;
  EXPECT_NE(error(Instruction::gemmOp(g)).find("the input accesses ACT"),
            std::string::npos);

  VecInst v;
  v.op = VecOp::Lut;
  v.src1Space = Space::Wgt;
  v.src1.addr = cfg.wgtSramBytes - 255;
  EXPECT_NE(error(Instruction::vecOp(v)).find("the table lies outside WGT"),
            std::string::npos);
  v.op = VecOp::PoolMax;
  v.window[0] = 3;
  v.windowStride[0] = int32_t(cfg.actSramBytes);
  EXPECT_NE(error(Instruction::vecOp(v)).find("src0 accesses ACT"),
            std::string::npos);

  EXPECT_EQ(error(Instruction::signal(Queue::Load, 15)), "");
  EXPECT_EQ(error(Instruction::signal(Queue::Load, 16)),
            "instruction 4 (SYNC): semaphore 16 does not exist (16 "
            "semaphores)");
}

TEST(RnpuIsa, CorruptedStreamsNeverCrash) {
  // Random byte flips of a valid program: each is either rejected with a
  // message or runs (possibly failing) to completion.
  RnpuConfig cfg;
  ConvLayer layer;
  layer.H = 4;
  layer.W = 5;
  layer.Cin = 3;
  layer.Cout = 5;
  layer.randomize(1);
  ConvProgram conv = buildConvProgram(layer, cfg);
  std::vector<uint8_t> good = encodeProgram(conv.program);
  std::vector<uint8_t> x = layer.x, y(layer.H * layer.W * layer.Cout);
  std::vector<uint8_t> w(conv.packedWeights.begin(), conv.packedWeights.end());
  std::vector<uint8_t> bias(64), mult(64);
  std::memcpy(bias.data(), layer.bias.data(), 4 * layer.Cout);
  std::memcpy(mult.data(), layer.mult.data(), 4 * layer.Cout);
  std::mt19937 rng(7);
  int rejected = 0, failed = 0, ran = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    std::vector<uint8_t> bytes = good;
    int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[rng() % bytes.size()] ^= uint8_t(1u << (rng() % 8));
    if (trial % 100 == 0)
      bytes.resize(rng() % bytes.size());
    std::vector<DramBinding> bindings = {{x.data(), x.size(), false},
                                         {w.data(), w.size(), false},
                                         {bias.data(), 4 * 5, false},
                                         {mult.data(), 4 * 5, false},
                                         {y.data(), y.size(), true}};
    SimOptions options;
    options.maxCycles = 100000; // the program itself takes < 10000
    SimResult r = simulate(cfg, bytes.data(), bytes.size(), bindings, options);
    if (r.status.ok())
      ++ran;
    else if (r.counters.totalCycles == 0)
      ++rejected;
    else
      ++failed;
  }
  EXPECT_GT(rejected, 0);
  EXPECT_EQ(rejected + failed + ran, 1500);
}

/// The flat "key": number pairs of a JSON object (enough for the config).
std::map<std::string, std::string> readFlatJson(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while ((pos = text.find('"', pos)) != std::string::npos) {
    size_t end = text.find('"', pos + 1);
    std::string key = text.substr(pos + 1, end - pos - 1);
    size_t colon = text.find(':', end);
    size_t valueEnd = text.find_first_of(",}", colon);
    std::string value = text.substr(colon + 1, valueEnd - colon - 1);
    value.erase(0, value.find_first_not_of(" \n\""));
    value.erase(value.find_last_not_of(" \n\"") + 1);
    out[key] = value;
    pos = valueEnd;
  }
  return out;
}

TEST(RnpuConfig, BundledJsonMatchesTheDefaults) {
  auto json =
      readFlatJson(AICC_SOURCE_DIR "/targets/npu/configs/rnpu-16x16.json");
  RnpuConfig c;
  std::map<std::string, uint32_t> expected = {
      {"mac_rows", c.macRows},
      {"mac_cols", c.macCols},
      {"act_sram_bytes", c.actSramBytes},
      {"wgt_sram_bytes", c.wgtSramBytes},
      {"acc_sram_bytes", c.accSramBytes},
      {"act_sram_banks", c.actSramBanks},
      {"wgt_sram_banks", c.wgtSramBanks},
      {"acc_sram_banks", c.accSramBanks},
      {"dram_bytes_per_cycle", c.dramBytesPerCycle},
      {"dma_latency_cycles", c.dmaLatencyCycles},
      {"gemm_setup_cycles", c.gemmSetupCycles},
      {"vec_lanes", c.vecLanes},
      {"vec_setup_cycles", c.vecSetupCycles},
      {"num_semaphores", c.numSemaphores},
      {"clock_mhz", c.clockMhz}};
  for (const auto &[key, value] : expected) {
    ASSERT_TRUE(json.count(key)) << key << " missing from the JSON";
    EXPECT_EQ(json[key], std::to_string(value)) << key;
  }
  EXPECT_EQ(json["name"], "rnpu-16x16");
  EXPECT_EQ(json["isa_version"], "1.0");
  EXPECT_EQ(json.size(), expected.size() + 2) << "a key without a field";
  EXPECT_EQ(c.validate(), "");
  c.macRows = 0;
  EXPECT_EQ(c.validate(), "mac_rows = 0 is outside [1, 256]");
}

} // namespace
