//===- RnpuSimTest.cpp - Semantics, checks and timing of the simulator ----===//
//
// One test per instruction (expected values worked out by hand or by a
// direct loop over the spec's formula), the memory checks (bounds,
// uninitialized reads, races between queues), deadlock detection, and the
// timing model on small programs whose cycle counts are derived in the
// comments.
//
//===----------------------------------------------------------------------===//

#include "hal/npu/RnpuSim.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

using namespace aicc::rnpu;

namespace {

template <typename T> std::vector<uint8_t> bytesOf(const std::vector<T> &v) {
  std::vector<uint8_t> out(v.size() * sizeof(T));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}
template <typename T> std::vector<T> valuesOf(const std::vector<uint8_t> &b) {
  std::vector<T> out(b.size() / sizeof(T));
  std::memcpy(out.data(), b.data(), out.size() * sizeof(T));
  return out;
}

DmaInst linear(Space space, uint32_t sramAddr, uint8_t binding, size_t bytes) {
  DmaInst d;
  d.space = space;
  d.elemBytes = space == Space::Acc ? 4 : 1;
  d.binding = binding;
  d.sramAddr = sramAddr;
  d.size[0] = uint32_t(bytes / d.elemBytes);
  d.sramStride[0] = d.dramStride[0] = d.elemBytes;
  return d;
}

/// Loads (load queue) -> compute -> stores (store queue), synchronized.
struct Machine {
  RnpuConfig cfg;
  std::vector<std::vector<uint8_t>> dram;
  std::vector<Instruction> loads, computes, stores;

  uint8_t buffer(std::vector<uint8_t> bytes) {
    dram.push_back(std::move(bytes));
    return uint8_t(dram.size() - 1);
  }
  void load(Space space, uint32_t addr, std::vector<uint8_t> bytes) {
    size_t n = bytes.size();
    loads.push_back(
        Instruction::dmaLoad(linear(space, addr, buffer(bytes), n)));
  }
  /// Stores `bytes` bytes of `space` at `addr`; returns the DRAM buffer.
  uint8_t store(Space space, uint32_t addr, size_t bytes) {
    uint8_t b = buffer(std::vector<uint8_t>(bytes, 0xee));
    stores.push_back(Instruction::dmaStore(linear(space, addr, b, bytes)));
    return b;
  }
  std::vector<Instruction> program() const {
    std::vector<Instruction> p = loads;
    p.push_back(Instruction::signal(Queue::Load, 0));
    p.push_back(Instruction::wait(Queue::Compute, 0));
    p.insert(p.end(), computes.begin(), computes.end());
    p.push_back(Instruction::signal(Queue::Compute, 1));
    p.push_back(Instruction::wait(Queue::Store, 1));
    p.insert(p.end(), stores.begin(), stores.end());
    p.push_back(Instruction::end());
    return p;
  }
  std::vector<DramBinding> bindings() {
    std::vector<DramBinding> b;
    for (auto &buf : dram)
      b.push_back({buf.data(), buf.size(), true});
    return b;
  }
  SimResult run(const SimOptions &options = SimOptions()) {
    return simulateProgram(cfg, program(), bindings(), options);
  }
};

/// Runs one VEC over ACT inputs at 0 (src0) and 1024 (src1), result at
/// 2048; returns `n` result bytes.
std::vector<uint8_t> runVec(VecInst v, const std::vector<uint8_t> &src0,
                            const std::vector<uint8_t> &src1, size_t n) {
  Machine m;
  m.load(Space::Act, 0, src0);
  if (!src1.empty())
    m.load(v.op == VecOp::Lut ? Space::Wgt : Space::Act,
           v.op == VecOp::Lut ? 0 : 1024, src1);
  v.src0.addr = 0;
  if (v.op != VecOp::Lut)
    v.src1.addr = 1024;
  v.dst.addr = 2048;
  m.computes.push_back(Instruction::vecOp(v));
  uint8_t out = m.store(Space::Act, 2048, n);
  SimResult r = m.run();
  EXPECT_TRUE(r.status.ok()) << r.status.message;
  return m.dram[out];
}

VecInst elementwise(VecOp op, uint16_t n, uint8_t flags) {
  VecInst v;
  v.op = op;
  v.flags = flags;
  v.count[0] = n;
  v.dst.stride[0] = v.src0.stride[0] = v.src1.stride[0] = 1;
  return v;
}

TEST(RnpuDma, LoadPadsStridesAndRepeats) {
  // DRAM: a 3x4 u8 matrix 1..12. Load a 5x6 box whose border is the pad
  // value 99 (pad 1 on each side of both dims), twice (repeat 2, the second
  // copy 30 bytes further), then store all 60 bytes back.
  Machine m;
  std::vector<uint8_t> src(12);
  for (int i = 0; i < 12; ++i)
    src[i] = uint8_t(i + 1);
  DmaInst d = linear(Space::Act, 100, m.buffer(src), 0);
  d.size[0] = 6;
  d.padLo[0] = d.padHi[0] = 1;
  d.size[1] = 5;
  d.padLo[1] = d.padHi[1] = 1;
  d.sramStride[1] = 6;
  d.dramStride[1] = 4;
  d.padValue = 99;
  d.repeat = 2;
  d.sramRepeatStride = 30;
  m.loads.push_back(Instruction::dmaLoad(d));
  uint8_t out = m.store(Space::Act, 100, 60);
  SimResult r = m.run();
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  for (int rep = 0; rep < 2; ++rep)
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 6; ++j) {
        bool pad = i == 0 || i == 4 || j == 0 || j == 5;
        int want = pad ? 99 : (i - 1) * 4 + (j - 1) + 1;
        EXPECT_EQ(m.dram[out][rep * 30 + i * 6 + j], want) << i << "," << j;
      }
  // DRAM read: only the 12 real elements, twice; written: 60.
  EXPECT_EQ(r.counters.dramBytesRead, 24u);
  EXPECT_EQ(r.counters.dramBytesWritten, 60u);
  EXPECT_EQ(r.counters.sramHighWater[0], 160u);
}

TEST(RnpuDma, StoreTransposesWithStrides) {
  // SRAM holds a 5x6 row-major matrix; the store writes its transpose:
  // DRAM[c*5 + r] = SRAM[r*6 + c].
  Machine m;
  std::vector<uint8_t> a(30);
  for (int i = 0; i < 30; ++i)
    a[i] = uint8_t(i);
  m.load(Space::Act, 0, a);
  uint8_t out = m.buffer(std::vector<uint8_t>(30));
  DmaInst st = linear(Space::Act, 0, out, 0);
  st.size[0] = 6;
  st.dramStride[0] = 5;
  st.size[1] = 5;
  st.sramStride[1] = 6;
  st.dramStride[1] = 1;
  m.stores.push_back(Instruction::dmaStore(st));
  SimResult r = m.run();
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  for (int rr = 0; rr < 5; ++rr)
    for (int c = 0; c < 6; ++c)
      EXPECT_EQ(m.dram[out][c * 5 + rr], rr * 6 + c);
}

/// Computes the reference of one GEMM tile row by the formula.
std::vector<int32_t> gemmReference(const std::vector<uint8_t> &inp,
                                   const std::vector<uint8_t> &wgt, int rows,
                                   bool inpU, int zi, bool wgtU, int zw) {
  std::vector<int32_t> acc(rows * 16, 0);
  for (int n = 0; n < rows; ++n)
    for (int c = 0; c < 16; ++c)
      for (int k = 0; k < 16; ++k) {
        int x = inpU ? inp[n * 16 + k] : int8_t(inp[n * 16 + k]);
        int w = wgtU ? wgt[k * 16 + c] : int8_t(wgt[k * 16 + c]);
        acc[n * 16 + c] += (x - zi) * (w - zw);
      }
  return acc;
}

TEST(RnpuGemm, OneTileWithSignednessAndZeroPoints) {
  std::mt19937 rng(3);
  std::vector<uint8_t> inp(3 * 16), wgt(256);
  for (auto &v : inp)
    v = uint8_t(rng());
  for (auto &v : wgt)
    v = uint8_t(rng());
  struct Case {
    uint8_t flags;
    int zi, zw;
  } cases[] = {{0, 0, 0},
               {kGemmInpUnsigned, 128, 0},
               {kGemmInpUnsigned, 255, -3},
               {kGemmInpUnsigned | kGemmWgtUnsigned, 7, 250},
               {kGemmWgtUnsigned, -128, 0}};
  for (const Case &c : cases) {
    Machine m;
    m.load(Space::Act, 32, inp);
    m.load(Space::Wgt, 512, wgt);
    GemmInst g;
    g.flags = c.flags;
    g.inpZeroPoint = int16_t(c.zi);
    g.wgtZeroPoint = int16_t(c.zw);
    g.accAddr = 128;
    g.inpAddr = 32;
    g.wgtAddr = 512;
    g.rows = 3;
    g.inpRowStride = 16;
    g.accRowStride = 64;
    m.computes.push_back(Instruction::gemmOp(g));
    uint8_t out = m.store(Space::Acc, 128, 3 * 64);
    SimResult r = m.run();
    ASSERT_TRUE(r.status.ok()) << r.status.message;
    EXPECT_EQ(valuesOf<int32_t>(m.dram[out]),
              gemmReference(inp, wgt, 3, c.flags & kGemmInpUnsigned, c.zi,
                            c.flags & kGemmWgtUnsigned, c.zw))
        << "flags " << int(c.flags);
    EXPECT_EQ(r.counters.macs, 3u * 256);
  }
}

TEST(RnpuGemm, LoopsAccumulateAndOverwrite) {
  // outer=2 x inner=3 tiles reduce into the same 2 accumulator rows: input
  // block (j0, j1) at 16*(3*j0 + j1) (+ 96 for the second row), weight
  // block at 256*(3*j0 + j1). A second GEMM with the accumulate flag adds
  // the first tile again; a third without it (elsewhere) starts from zero.
  std::mt19937 rng(5);
  std::vector<uint8_t> inp(2 * 96), wgt(6 * 256);
  for (auto &v : inp)
    v = uint8_t(rng());
  for (auto &v : wgt)
    v = uint8_t(rng());
  Machine m;
  m.load(Space::Act, 0, inp);
  m.load(Space::Wgt, 0, wgt);
  m.load(Space::Acc, 1024, bytesOf(std::vector<int32_t>(16, 12345)));
  GemmInst g;
  g.rows = 2;
  g.inpRowStride = 96;
  g.accRowStride = 64;
  g.outer = 2;
  g.inner = 3;
  g.inpOuterStride = 48;
  g.inpInnerStride = 16;
  g.wgtOuterStride = 768;
  g.wgtInnerStride = 256;
  m.computes.push_back(Instruction::gemmOp(g));
  GemmInst again;
  again.flags = kGemmAccumulate;
  again.rows = 2;
  again.inpRowStride = 96;
  again.accRowStride = 64;
  m.computes.push_back(Instruction::gemmOp(again));
  GemmInst fresh = again;
  fresh.flags = 0;
  fresh.rows = 1;
  fresh.accAddr = 1024; // held 12345s: overwritten, not accumulated
  m.computes.push_back(Instruction::gemmOp(fresh));
  uint8_t out = m.store(Space::Acc, 0, 128);
  uint8_t out2 = m.store(Space::Acc, 1024, 64);
  SimResult r = m.run();
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  std::vector<int32_t> want(32, 0), first(16, 0);
  for (int n = 0; n < 2; ++n)
    for (int t = 0; t < 6; ++t)
      for (int c = 0; c < 16; ++c)
        for (int k = 0; k < 16; ++k) {
          int prod = int8_t(inp[n * 96 + t * 16 + k]) *
                     int8_t(wgt[t * 256 + k * 16 + c]);
          want[n * 16 + c] += prod;
          if (t == 0) {
            want[n * 16 + c] += prod; // the accumulating GEMM
            if (n == 0)
              first[c] += prod;
          }
        }
  EXPECT_EQ(valuesOf<int32_t>(m.dram[out]), want);
  EXPECT_EQ(valuesOf<int32_t>(m.dram[out2]), first);
}

TEST(RnpuGemm, AccumulatorWrapsAroundInt32) {
  Machine m;
  m.load(Space::Act, 0, std::vector<uint8_t>(16, 1));
  std::vector<uint8_t> wgt(256, 0);
  wgt[0] = 2; // acc[0] += 1 * 2
  m.load(Space::Wgt, 0, wgt);
  m.load(Space::Acc, 0, bytesOf(std::vector<int32_t>(16, INT32_MAX)));
  GemmInst g;
  g.flags = kGemmAccumulate;
  m.computes.push_back(Instruction::gemmOp(g));
  uint8_t out = m.store(Space::Acc, 0, 64);
  ASSERT_TRUE(m.run().status.ok());
  auto acc = valuesOf<int32_t>(m.dram[out]);
  EXPECT_EQ(acc[0], INT32_MIN + 1);
  EXPECT_EQ(acc[1], INT32_MAX);
}

/// Runs REQUANT on int32 accumulators (and an optional per-element bias and
/// multiplier operand).
std::vector<uint8_t> requant(const std::vector<int32_t> &acc, VecInst v,
                             const std::vector<int32_t> &bias = {},
                             const std::vector<float> &mult = {}) {
  Machine m;
  m.load(Space::Acc, 0, bytesOf(acc));
  if (!bias.empty())
    m.load(Space::Acc, 16384, bytesOf(bias));
  if (!mult.empty())
    m.load(Space::Acc, 32768, bytesOf(mult));
  v.op = VecOp::Requant;
  v.src0Space = Space::Acc;
  v.count[0] = uint16_t(acc.size());
  v.src0 = {0, {4, 0, 0}};
  v.bias = {16384, {4, 0, 0}};
  v.mult = {32768, {4, 0, 0}};
  v.dst = {0, {1, 0, 0}};
  m.computes.push_back(Instruction::vecOp(v));
  uint8_t out = m.store(Space::Act, 0, acc.size());
  SimResult r = m.run();
  EXPECT_TRUE(r.status.ok()) << r.status.message;
  return m.dram[out];
}

TEST(RnpuVec, RequantRoundsHalfToEvenAndSaturates) {
  VecInst v;
  v.flags = kVecMultImm | kVecOutSigned;
  v.fImm[0] = 0.5f;
  // x * 0.5: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, -3.5 -> -4, 1.5 -> 2,
  // 500 -> 127, -500 -> -128, 0.5 -> 0.
  std::vector<uint8_t> y = requant({5, 7, -5, -7, 3, 1000, -1000, 1}, v);
  std::vector<int8_t> got(y.begin(), y.end());
  EXPECT_EQ(got, (std::vector<int8_t>{2, 4, -2, -4, 2, 127, -128, 0}));
  // Unsigned with zero point 10 and a ReLU clamp at the zero point:
  // 2 + 10, 4 + 10, max(-2 + 10, 10), 255 (saturated).
  v.flags = kVecMultImm;
  v.iImm[0] = 10;
  v.clampLo = 10;
  v.clampHi = 255;
  EXPECT_EQ(requant({5, 7, -5, 100000}, v),
            (std::vector<uint8_t>{12, 14, 10, 255}));
}

TEST(RnpuVec, RequantAddsBiasAndUsesPerChannelMultipliers) {
  VecInst v;
  v.flags = kVecHasBias;
  v.clampLo = 0;
  v.clampHi = 255;
  v.iImm[0] = 3;
  // (acc + bias) * mult + 3: (10 + 90) * 0.25 = 25 -> 28;
  // (-7 + 1) * -1.5 = 9 -> 12; (0 + 5) * 0.1f -> 0.5 (0.1f * 5 rounds to
  // 0.50000000745 in f32? no: f32(5) * 0.1f = 0.5 exactly after rounding)
  // -> 0 -> 3; INT32_MAX + 1 wraps to INT32_MIN, * 1e-9 = -2.1 -> -2 -> 1.
  std::vector<uint8_t> y = requant({10, -7, 5, INT32_MAX}, v, {90, 1, 0, 1},
                                   {0.25f, -1.5f, 0.1f, 1e-9f});
  EXPECT_EQ(y, (std::vector<uint8_t>{28, 12, 3, 1}));
}

TEST(RnpuVec, RequantMatchesTheCpuFormulaOnRandomValues) {
  // y = saturate(rint(f32(acc) * m) + zp), computed here in plain C++ float
  // (aicc's CPU lowering, LowerQuantOps.cpp) on 4096 random cases.
  std::mt19937 rng(11);
  std::vector<int32_t> acc(4096);
  std::vector<float> mult(4096);
  for (size_t i = 0; i < acc.size(); ++i) {
    acc[i] = int32_t(rng()) >> (rng() % 24);
    mult[i] = std::ldexp(float(rng() % 100000) / 100000.0f, -int(rng() % 20));
  }
  VecInst v;
  v.iImm[0] = 128;
  v.clampLo = 0;
  v.clampHi = 255;
  // Two VECs of 2048 elements each (count[0] <= 65535 anyway).
  std::vector<uint8_t> y = requant(acc, v, {}, mult);
  for (size_t i = 0; i < acc.size(); ++i) {
    float t = std::nearbyint(float(acc[i]) * mult[i]) + 128.0f;
    int want = t < 0 ? 0 : t > 255 ? 255 : int(t);
    ASSERT_EQ(y[i], want) << "acc " << acc[i] << " mult " << mult[i];
  }
}

TEST(RnpuVec, QAddFollowsOnnxRuntimesFormula) {
  // v = f32(a*ra + f32(b*rb + k)) through f64, rounded half to even.
  VecInst v = elementwise(VecOp::QAdd, 4, 0);
  v.fImm[0] = 1.0f;
  v.fImm[1] = 1.0f;
  v.fImm[2] = -9.0f; // c_zp - (za + zb) = 3 - 12
  EXPECT_EQ(runVec(v, {10, 0, 250, 5}, {20, 0, 250, 4}, 4),
            (std::vector<uint8_t>{21, 0, 255, 0}));
  v.fImm[0] = 0.5f;
  v.fImm[1] = 0.0f;
  v.fImm[2] = 0.0f; // a/2: 1.5 -> 2, 2.5 -> 2, 3.5 -> 4
  EXPECT_EQ(runVec(v, {3, 5, 7, 0}, {0, 0, 0, 0}, 4),
            (std::vector<uint8_t>{2, 2, 4, 0}));
  // One source, signed in and out: a*0.5 + 0.25.
  v = elementwise(VecOp::QAdd, 3,
                  kVecOneSource | kVecSrc0Signed | kVecOutSigned);
  v.fImm[0] = 0.5f;
  v.fImm[2] = 0.25f;
  std::vector<uint8_t> y = runVec(v, {uint8_t(-3), 1, 127}, {}, 3);
  EXPECT_EQ(std::vector<int8_t>(y.begin(), y.end()),
            (std::vector<int8_t>{-1, 1, 64}));
}

TEST(RnpuVec, QMulAndMinMax) {
  VecInst v = elementwise(VecOp::QMul, 3, 0);
  v.iImm[0] = 2;
  v.iImm[1] = 3;
  v.iImm[2] = 10;
  v.fImm[0] = 0.25f; // (a-2)*(b-3)/4 + 10
  EXPECT_EQ(runVec(v, {6, 2, 100}, {5, 200, 200}, 3),
            (std::vector<uint8_t>{12, 10, 255}));
  // (6-2)(5-3)/4 = 2 -> 12; 0 -> 10; 98*197/4 = 4826.5 -> 255.
  // The zero point is added in f32 before the rounding: 0.49999997 + 11
  // rounds to the f32 11.5, then to 12 (rounding first gives 0 + 11).
  v.iImm[0] = 0;
  v.iImm[1] = 0;
  v.iImm[2] = 11;
  v.fImm[0] = 0.49999997f;
  EXPECT_EQ(runVec(v, {1, 0, 3}, {1, 0, 0}, 3),
            (std::vector<uint8_t>{12, 11, 11}));
  v = elementwise(VecOp::Max, 3,
                  kVecSrc0Signed | kVecSrc1Signed | kVecOutSigned);
  EXPECT_EQ(runVec(v, {0xff, 5, 0x80}, {1, 0xfb, 0x81}, 3),
            (std::vector<uint8_t>{1, 5, 0x81}));
  v = elementwise(VecOp::Max, 3, 0); // unsigned: 255 > 1
  EXPECT_EQ(runVec(v, {0xff, 5, 0x80}, {1, 0xfb, 0x81}, 3),
            (std::vector<uint8_t>{0xff, 0xfb, 0x81}));
  v = elementwise(VecOp::Min, 3, 0);
  EXPECT_EQ(runVec(v, {0xff, 5, 0x80}, {1, 0xfb, 0x81}, 3),
            (std::vector<uint8_t>{1, 5, 0x80}));
}

TEST(RnpuVec, LutIndexesByTheRawByte) {
  std::vector<uint8_t> table(256);
  for (int i = 0; i < 256; ++i)
    table[i] = uint8_t(255 - i);
  VecInst v = elementwise(VecOp::Lut, 4, kVecSrc0Signed);
  v.src1Space = Space::Wgt;
  v.src1 = {};
  // -1 is byte 255 -> 0; 0 -> 255; 127 -> 128; -128 (byte 128) -> 127.
  EXPECT_EQ(runVec(v, {0xff, 0, 127, 0x80}, table, 4),
            (std::vector<uint8_t>{0, 255, 128, 127}));
}

TEST(RnpuVec, PoolingOverWindows) {
  // A 4x4 single-channel image, 2x2 windows with stride 2.
  std::vector<uint8_t> img = {1, 2,  3,  4,  5,  6,  7,  8,
                              9, 10, 11, 12, 13, 14, 15, 250};
  VecInst v;
  v.op = VecOp::PoolMax;
  v.count[0] = 2;
  v.count[1] = 2;
  v.window[0] = v.window[1] = 2;
  v.src0.stride[0] = 2;
  v.src0.stride[1] = 8;
  v.windowStride[0] = 1;
  v.windowStride[1] = 4;
  v.dst.stride[0] = 1;
  v.dst.stride[1] = 2;
  v.clampLo = 0;
  v.clampHi = 255;
  EXPECT_EQ(runVec(v, img, {}, 4), (std::vector<uint8_t>{6, 8, 14, 250}));
  // Average with zero points: sum(x - 1) / 4 + 2 (zero point of y).
  // windows: (1+2+5+6-4)/4 = 2.5 -> 2 -> 4; (3+4+7+8-4)/4 = 4.5 -> 4 -> 6;
  // (9+10+13+14-4)/4 = 10.5 -> 10 -> 12; (11+12+15+250-4)/4 = 71 -> 73.
  v.op = VecOp::PoolAvg;
  v.iImm[0] = 1;
  v.iImm[2] = 2;
  v.fImm[0] = 0.25f;
  EXPECT_EQ(runVec(v, img, {}, 4), (std::vector<uint8_t>{4, 6, 12, 73}));
}

TEST(RnpuVec, CopyAndClamp) {
  VecInst v = elementwise(VecOp::Copy, 4, 0);
  v.src0.stride[0] = 2; // every other byte
  EXPECT_EQ(runVec(v, {1, 0, 2, 0, 3, 0, 4, 0}, {}, 4),
            (std::vector<uint8_t>{1, 2, 3, 4}));
  v = elementwise(VecOp::Clamp, 4, kVecSrc0Signed | kVecOutSigned);
  v.clampLo = -5;
  v.clampHi = 6;
  std::vector<uint8_t> y = runVec(v, {uint8_t(-100), 0, 100, 6}, {}, 4);
  EXPECT_EQ(std::vector<int8_t>(y.begin(), y.end()),
            (std::vector<int8_t>{-5, 0, 6, 6}));
}

// --- Memory checks ---------------------------------------------------------

std::string errorOf(Machine &m) { return m.run().status.message; }

TEST(RnpuChecks, ReadsOfUnwrittenSramFail) {
  Machine m;
  m.load(Space::Act, 0, std::vector<uint8_t>(8, 1));
  VecInst v = elementwise(VecOp::Copy, 9, 0); // one byte too many
  v.dst.addr = 100;
  m.computes.push_back(Instruction::vecOp(v));
  EXPECT_NE(errorOf(m).find("COPY reads ACT[8], which was never written"),
            std::string::npos)
      << errorOf(m);
  Machine g;
  g.load(Space::Act, 0, std::vector<uint8_t>(16, 1));
  g.load(Space::Wgt, 0, std::vector<uint8_t>(256, 1));
  GemmInst acc;
  acc.flags = kGemmAccumulate; // into an accumulator never written
  g.computes.push_back(Instruction::gemmOp(acc));
  EXPECT_NE(errorOf(g).find("(GEMM, compute queue, cycle 209): GEMM reads "
                            "ACC[0], which was never written"),
            std::string::npos)
      << errorOf(g);
  Machine s;
  s.store(Space::Acc, 64, 4);
  EXPECT_NE(errorOf(s).find("DMA_STORE reads ACC[64], which was never "
                            "written"),
            std::string::npos);
}

TEST(RnpuChecks, DramAccessesOutsideBindingsFail) {
  Machine m;
  m.load(Space::Act, 0, std::vector<uint8_t>(8, 1));
  m.loads[0].dma.size[0] = 9;
  EXPECT_EQ(errorOf(m), "instruction 0 (DMA_LOAD): DRAM bytes [0, 9) outside "
                        "binding 0 (8 bytes)");
  m.loads[0].dma.size[0] = 8;
  m.loads[0].dma.dramStride[0] = -1;
  m.loads[0].dma.dramOffset = 6;
  EXPECT_NE(errorOf(m).find("DRAM bytes [-1, 7)"), std::string::npos);
  m.loads[0].dma.binding = 5;
  EXPECT_NE(errorOf(m).find("DRAM binding 5 is not bound (1 bindings)"),
            std::string::npos);
  Machine ro;
  ro.load(Space::Act, 0, std::vector<uint8_t>(8, 1));
  ro.store(Space::Act, 0, 8);
  std::vector<DramBinding> b = ro.bindings();
  b[1].writable = false;
  EXPECT_NE(simulateProgram(ro.cfg, ro.program(), b)
                .status.message.find("DRAM binding 1 is read-only"),
            std::string::npos);
}

TEST(RnpuChecks, NonFiniteMultiplierFails) {
  Machine m;
  m.load(Space::Acc, 0, bytesOf(std::vector<int32_t>{1}));
  m.load(Space::Acc, 64, bytesOf(std::vector<float>{NAN}));
  VecInst v;
  v.op = VecOp::Requant;
  v.src0Space = Space::Acc;
  v.mult.addr = 64;
  m.computes.push_back(Instruction::vecOp(v));
  EXPECT_NE(errorOf(m).find("the multiplier at ACC[64] is not finite"),
            std::string::npos);
}

TEST(RnpuChecks, MissingSyncIsARace) {
  // The compute queue reads what the load queue is still writing.
  RnpuConfig cfg;
  std::vector<uint8_t> x(64, 1), y(64);
  std::vector<DramBinding> b = {{x.data(), 64, false}, {y.data(), 64, true}};
  VecInst copy = elementwise(VecOp::Copy, 64, 0);
  copy.dst.addr = 128;
  std::vector<Instruction> raw = {
      Instruction::dmaLoad(linear(Space::Act, 0, 0, 64)),
      Instruction::vecOp(copy), Instruction::end()};
  // The load runs [0, 102), the copy [0, 12) reading what it writes.
  std::string error = simulateProgram(cfg, raw, b).status.message;
  EXPECT_EQ(error, "instruction 1 (VEC, compute queue, cycle 0): COPY reads "
                   "ACT[0] while the load queue writes it until cycle 102 "
                   "(missing SYNC)");
  // With the SYNC it runs.
  raw.insert(raw.begin() + 1, Instruction::signal(Queue::Load, 0));
  raw.insert(raw.begin() + 2, Instruction::wait(Queue::Compute, 0));
  EXPECT_TRUE(simulateProgram(cfg, raw, b).status.ok());
  // Write after read: the store reads the copy's output while a second copy
  // (compute queue) overwrites it.
  std::vector<Instruction> war = {
      Instruction::dmaLoad(linear(Space::Act, 0, 0, 64)),
      Instruction::signal(Queue::Load, 0),
      Instruction::wait(Queue::Compute, 0),
      Instruction::vecOp(copy),
      Instruction::signal(Queue::Compute, 1),
      Instruction::vecOp(copy),
      Instruction::wait(Queue::Store, 1),
      Instruction::dmaStore(linear(Space::Act, 128, 1, 64)),
      Instruction::end()};
  error = simulateProgram(cfg, war, b).status.message;
  EXPECT_NE(error.find("missing SYNC"), std::string::npos) << error;
}

TEST(RnpuChecks, DeadlocksAreReported) {
  RnpuConfig cfg;
  std::vector<Instruction> p = {Instruction::wait(Queue::Compute, 3),
                                Instruction::end()};
  EXPECT_EQ(simulateProgram(cfg, p, {}).status.message,
            "deadlock: every queue waits on a semaphore no instruction left "
            "can signal: compute queue at instruction 0 waits for 1 on "
            "semaphore 3 (holds 0)");
  // Each queue waits for the other's signal, which comes after its wait.
  p = {Instruction::wait(Queue::Load, 0), Instruction::signal(Queue::Load, 1),
       Instruction::wait(Queue::Store, 1, 2),
       Instruction::signal(Queue::Store, 0), Instruction::end()};
  std::string error = simulateProgram(cfg, p, {}).status.message;
  EXPECT_NE(error.find("load queue at instruction 0 waits for 1 on "
                       "semaphore 0 (holds 0); store queue at instruction 2 "
                       "waits for 2 on semaphore 1 (holds 0)"),
            std::string::npos)
      << error;
  // A count of 2 signalled once is a deadlock too.
  p = {Instruction::signal(Queue::Load, 2),
       Instruction::wait(Queue::Compute, 2, 2), Instruction::end()};
  EXPECT_NE(simulateProgram(cfg, p, {}).status.message.find("(holds 1)"),
            std::string::npos);
}

// --- Timing model ----------------------------------------------------------

TEST(RnpuTiming, CyclesOfASmallProgramByHand) {
  // Default config: DMA 100 + ceil(bytes / 32), GEMM 16 + tiles *
  // max(rows, 16), VEC 8 + rows * ceil(n / 16).
  //   load 1000 B to ACT   [0, 132)     100 + 32
  //   load 256 B to WGT    [132, 240)   100 + 8
  //   GEMM 4 rows, 2x3     [240, 352)   16 + 6 * 16
  //   VEC 4 x 16           [352, 364)   8 + 4 * 1
  //   store 64 B           [364, 466)   100 + 2
  Machine m;
  m.load(Space::Act, 0, std::vector<uint8_t>(1000, 1));
  m.load(Space::Wgt, 0, std::vector<uint8_t>(256, 1));
  GemmInst g;
  g.rows = 4;
  g.outer = 2;
  g.inner = 3;
  g.inpRowStride = 16;
  g.inpInnerStride = 64;
  g.inpOuterStride = 192;
  g.accRowStride = 64;
  m.computes.push_back(Instruction::gemmOp(g, 7));
  VecInst v;
  v.op = VecOp::Requant;
  v.flags = kVecMultImm;
  v.src0Space = Space::Acc;
  v.fImm[0] = 1.0f / 1024;
  v.clampLo = 0;
  v.clampHi = 255;
  v.count[0] = 16;
  v.count[1] = 4;
  v.src0.stride[0] = 4;
  v.src0.stride[1] = 64;
  v.dst = {2048, {1, 16, 0}};
  m.computes.push_back(Instruction::vecOp(v, 7));
  m.store(Space::Act, 2048, 64);
  SimOptions opts;
  opts.collectTrace = true;
  SimResult r = m.run(opts);
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  const Counters &c = r.counters;
  EXPECT_EQ(c.totalCycles, 466u);
  EXPECT_EQ(c.busyCycles[0], 240u);
  EXPECT_EQ(c.busyCycles[1], 124u);
  EXPECT_EQ(c.busyCycles[2], 102u);
  EXPECT_EQ(c.gemmCycles, 112u);
  EXPECT_EQ(c.vecCycles, 12u);
  EXPECT_EQ(c.macs, 6u * 4 * 256);
  EXPECT_DOUBLE_EQ(c.macUtilization, 6144.0 / (466.0 * 256));
  EXPECT_EQ(c.dramBytesRead, 1256u);
  EXPECT_EQ(c.dramBytesWritten, 64u);
  EXPECT_EQ(c.sramHighWater[0], 2112u);
  EXPECT_EQ(c.sramHighWater[1], 256u);
  EXPECT_EQ(c.sramHighWater[2], 256u);
  EXPECT_EQ(c.instructions[unsigned(Opcode::Sync)], 4u);
  // Roofline: max(6144 / 256, ceil(1320 / 32)) = max(24, 42).
  EXPECT_EQ(c.rooflineCycles, 42u);
  // Per tag: GEMM + VEC have tag 7, the rest tag 0.
  ASSERT_EQ(c.perTag.size(), 2u);
  EXPECT_EQ(c.perTag[1].tag, 7);
  EXPECT_EQ(c.perTag[1].firstCycle, 240u);
  EXPECT_EQ(c.perTag[1].lastCycle, 364u);
  EXPECT_EQ(c.perTag[1].macs, 6144u);
  EXPECT_EQ(c.perTag[0].dramBytesRead, 1256u);
  // The trace holds every instruction but END, in start order.
  ASSERT_EQ(r.trace.size(), 9u);
  EXPECT_EQ(r.trace[4].opcode, Opcode::Gemm);
  EXPECT_EQ(r.trace[4].startCycle, 240u);
  EXPECT_EQ(r.trace[4].cycles, 112u);
}

TEST(RnpuTiming, LoadsOverlapComputeAndWaitsTakeTheLastSignal) {
  // Weights (100 + 8 = 108 cycles: [0, 108)), then two 512-byte loads
  // (100 + 16 = 116 each: [108, 224), [224, 340)), each signalling; two
  // GEMMs of 32 rows (16 + 32 = 48 cycles) each waiting for one signal: the
  // first runs [224, 272) while the second load is in flight, the second
  // waits for it: [340, 388).
  RnpuConfig cfg;
  std::vector<uint8_t> x(512, 1), w(256, 1);
  std::vector<DramBinding> b = {{x.data(), 512, false}, {w.data(), 256, false}};
  GemmInst g;
  g.rows = 32;
  g.inpRowStride = 16;
  g.accRowStride = 64;
  GemmInst g2 = g;
  g2.inpAddr = 512;
  std::vector<Instruction> p = {
      Instruction::dmaLoad(linear(Space::Wgt, 0, 1, 256)),
      Instruction::dmaLoad(linear(Space::Act, 0, 0, 512)),
      Instruction::signal(Queue::Load, 0),
      Instruction::dmaLoad(linear(Space::Act, 512, 0, 512)),
      Instruction::signal(Queue::Load, 0),
      Instruction::wait(Queue::Compute, 0),
      Instruction::gemmOp(g),
      Instruction::wait(Queue::Compute, 0),
      Instruction::gemmOp(g2),
      Instruction::end()};
  SimOptions opts;
  opts.collectTrace = true;
  SimResult r = simulateProgram(cfg, p, b, opts);
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  std::vector<std::pair<uint64_t, uint64_t>> gemms;
  for (const TraceEvent &e : r.trace)
    if (e.opcode == Opcode::Gemm)
      gemms.push_back({e.startCycle, e.cycles});
  ASSERT_EQ(gemms.size(), 2u);
  EXPECT_EQ(gemms[0], std::make_pair(uint64_t(224), uint64_t(48)));
  EXPECT_EQ(gemms[1], std::make_pair(uint64_t(340), uint64_t(48)));
  EXPECT_EQ(r.counters.totalCycles, 388u);
  EXPECT_EQ(instructionCycles(p[6], cfg), 48u);
}

TEST(RnpuTrace, EscapesNames) {
  EXPECT_EQ(jsonEscape("a\"b\\c\nd\x01"), "a\\\"b\\\\c\\nd\\u0001");
}

} // namespace
