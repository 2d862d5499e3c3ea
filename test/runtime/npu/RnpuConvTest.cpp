//===- RnpuConvTest.cpp - End-to-end int8 layers on the RNPU simulator ----===//
//
// Hand-tiled int8 3x3 convolutions (padding, channel counts that are not
// multiples of 16, several tiles double-buffered with SYNC tokens) and an
// int8 matmul with zero points on both operands, compared bit for bit with
// naive reference loops; the MAC utilization of a ResNet-18 3x3 layer
// (64 -> 64 channels, 56x56) with the default configuration; and the
// Chrome trace of a run, checked with Python's json module.
//
//===----------------------------------------------------------------------===//

#include "RnpuPrograms.h"
#include "hal/npu/RnpuSim.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

using namespace aicc::rnpu;
using namespace rnpu_test;

namespace {

struct ConvRun {
  SimResult result;
  std::vector<uint8_t> y;
  int tileRows = 0;
};

ConvRun runConv(const ConvLayer &l, const RnpuConfig &cfg, int tileRows = 0,
                const SimOptions &options = SimOptions(),
                bool throughBinary = true) {
  ConvProgram conv = buildConvProgram(l, cfg, tileRows);
  ConvRun run;
  run.tileRows = conv.tileRows;
  run.y.assign(size_t(l.H) * l.W * l.Cout, 0xee);
  std::vector<uint8_t> x = l.x;
  std::vector<uint8_t> w(conv.packedWeights.begin(), conv.packedWeights.end());
  std::vector<int32_t> bias = l.bias;
  std::vector<float> mult = l.mult;
  std::vector<DramBinding> bindings = {
      {x.data(), x.size(), false},
      {w.data(), w.size(), false},
      {reinterpret_cast<uint8_t *>(bias.data()), 4 * bias.size(), false},
      {reinterpret_cast<uint8_t *>(mult.data()), 4 * mult.size(), false},
      {run.y.data(), run.y.size(), true}};
  if (throughBinary) {
    std::vector<uint8_t> stream = encodeProgram(conv.program);
    run.result = simulate(cfg, stream.data(), stream.size(), bindings, options);
  } else {
    run.result = simulateProgram(cfg, conv.program, bindings, options);
  }
  return run;
}

TEST(RnpuConv, SmallLayersMatchTheReference) {
  RnpuConfig cfg;
  struct Case {
    int H, W, Cin, Cout, zx, zy, tileRows;
    bool relu;
  } cases[] = {
      {9, 11, 20, 40, 7, 3, 2, true},    // 5 tiles, the last one short
      {6, 5, 16, 16, 0, 0, 0, false},    // one tile
      {7, 13, 3, 5, 255, 128, 3, true},  // RGB-like input, few outputs
      {12, 4, 48, 17, 100, 0, 1, false}, // one row per tile
  };
  for (const Case &c : cases) {
    ConvLayer l;
    l.H = c.H;
    l.W = c.W;
    l.Cin = c.Cin;
    l.Cout = c.Cout;
    l.xZeroPoint = c.zx;
    l.yZeroPoint = c.zy;
    l.relu = c.relu;
    l.randomize(unsigned(c.H * 1000 + c.Cin));
    ConvRun run = runConv(l, cfg, c.tileRows);
    ASSERT_TRUE(run.result.status.ok()) << run.result.status.message;
    std::vector<uint8_t> want = l.reference();
    EXPECT_EQ(run.y, want) << c.H << "x" << c.W << " " << c.Cin << "->"
                           << c.Cout;
    // The outputs are not all saturated (the test would be weak).
    int distinct = 0;
    std::vector<bool> seen(256);
    for (uint8_t v : want)
      if (!seen[v]) {
        seen[v] = true;
        ++distinct;
      }
    EXPECT_GT(distinct, 20);
  }
}

TEST(RnpuConv, RandomShapesAndArraySizesMatchTheReference) {
  // Random layers, tile heights and MAC array shapes (the generator packs
  // weights for the configured R x C).
  std::mt19937 rng(77);
  auto u = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  const std::pair<uint32_t, uint32_t> arrays[] = {
      {16, 16}, {8, 8}, {32, 16}, {4, 32}};
  for (int trial = 0; trial < 16; ++trial) {
    RnpuConfig cfg;
    cfg.macRows = arrays[trial % 4].first;
    cfg.macCols = arrays[trial % 4].second;
    ConvLayer l;
    l.H = u(1, 12);
    l.W = u(1, 20);
    l.Cin = u(1, 40);
    l.Cout = u(1, 40);
    l.xZeroPoint = u(0, 255);
    l.yZeroPoint = u(0, 255);
    l.relu = u(0, 1);
    l.randomize(unsigned(trial));
    int tileRows = u(0, l.H);
    ConvRun run = runConv(l, cfg, tileRows);
    ASSERT_TRUE(run.result.status.ok())
        << "trial " << trial << ": " << run.result.status.message;
    ASSERT_EQ(run.y, l.reference())
        << "trial " << trial << ": " << l.H << "x" << l.W << " " << l.Cin
        << "->" << l.Cout << " on " << cfg.macRows << "x" << cfg.macCols << ", "
        << run.tileRows << " rows per tile";
  }
}

TEST(RnpuConv, DroppingADoubleBufferingTokenIsCaught) {
  // Without the wait for "input buffer free", the load of tile 2 overwrites
  // buffer 0 while tile 0's GEMMs may still read it.
  RnpuConfig cfg;
  ConvLayer l;
  l.H = 8;
  l.W = 8;
  l.Cin = 16;
  l.Cout = 16;
  l.randomize(2);
  ConvProgram conv = buildConvProgram(l, cfg, 2);
  bool dropped = false;
  for (size_t i = 0; i < conv.program.size() && !dropped; ++i) {
    const Instruction &inst = conv.program[i];
    if (inst.opcode == Opcode::Sync && inst.sync.kind == SyncKind::Wait &&
        inst.sync.queue == Queue::Load) {
      conv.program.erase(conv.program.begin() + long(i));
      dropped = true;
    }
  }
  ASSERT_TRUE(dropped);
  std::vector<uint8_t> x = l.x, y(l.H * l.W * l.Cout);
  std::vector<uint8_t> w(conv.packedWeights.begin(), conv.packedWeights.end());
  std::vector<DramBinding> bindings = {
      {x.data(), x.size(), false},
      {w.data(), w.size(), false},
      {reinterpret_cast<uint8_t *>(l.bias.data()), 64, false},
      {reinterpret_cast<uint8_t *>(const_cast<float *>(l.mult.data())), 64,
       false},
      {y.data(), y.size(), true}};
  SimResult r = simulateProgram(cfg, conv.program, bindings);
  EXPECT_NE(r.status.message.find("missing SYNC"), std::string::npos)
      << r.status.message;
}

TEST(RnpuConv, ResNet18LayerUtilization) {
  // ResNet-18's conv2_x 3x3 layers: 64 -> 64 channels on 56x56.
  RnpuConfig cfg;
  ConvLayer l;
  l.H = l.W = 56;
  l.Cin = l.Cout = 64;
  l.xZeroPoint = 5;
  l.yZeroPoint = 0;
  l.relu = true;
  l.randomize(18);
  ConvRun run = runConv(l, cfg);
  ASSERT_TRUE(run.result.status.ok()) << run.result.status.message;
  EXPECT_EQ(run.y, l.reference());
  const Counters &c = run.result.counters;
  uint64_t usefulMacs = uint64_t(56) * 56 * 64 * 64 * 9;
  EXPECT_EQ(c.macs, usefulMacs); // channels are multiples of 16: no waste
  // Roofline bound: max(compute cycles, DRAM cycles).
  uint64_t computeBound = usefulMacs / (cfg.macRows * cfg.macCols);
  uint64_t dramBytes = c.dramBytesRead + c.dramBytesWritten;
  uint64_t dramBound = dramBytes / cfg.dramBytesPerCycle;
  EXPECT_EQ(c.rooflineCycles, std::max(computeBound, dramBound));
  ASSERT_EQ(c.perTag.size(), 1u);
  EXPECT_EQ(c.perTag[0].rooflineCycles, c.rooflineCycles);
  std::printf(
      "simulated RNPU (rnpu-16x16), ResNet-18 3x3 conv 64->64 "
      "56x56, %d output rows per tile:\n"
      "  total %llu cycles (%.1f us at %u MHz), MAC utilization "
      "%.1f%%\n"
      "  compute busy %llu (GEMM %llu, VEC %llu), load busy %llu, "
      "store busy %llu\n"
      "  DRAM read %llu B, written %llu B; roofline bound %llu "
      "cycles (compute %llu, DRAM %llu): %.1f%% of the bound\n"
      "  SRAM high-water: ACT %llu, WGT %llu, ACC %llu bytes\n",
      run.tileRows, (unsigned long long)c.totalCycles,
      double(c.totalCycles) / cfg.clockMhz, cfg.clockMhz,
      100 * c.macUtilization, (unsigned long long)c.busyCycles[1],
      (unsigned long long)c.gemmCycles, (unsigned long long)c.vecCycles,
      (unsigned long long)c.busyCycles[0], (unsigned long long)c.busyCycles[2],
      (unsigned long long)c.dramBytesRead,
      (unsigned long long)c.dramBytesWritten,
      (unsigned long long)std::max(computeBound, dramBound),
      (unsigned long long)computeBound, (unsigned long long)dramBound,
      100.0 * double(std::max(computeBound, dramBound)) / double(c.totalCycles),
      (unsigned long long)c.sramHighWater[0],
      (unsigned long long)c.sramHighWater[1],
      (unsigned long long)c.sramHighWater[2]);
  RecordProperty("mac_utilization_percent",
                 std::to_string(100 * c.macUtilization));
  EXPECT_GE(c.macUtilization, 0.70);
}

TEST(RnpuConv, DepthwiseStride2ThroughDiagonalWeightBlocks) {
  // A depthwise 3x3 conv, stride 2, pad 1 (MobileNetV2's downsampling
  // blocks), as GEMMs whose weight blocks are diagonal: input row = 16
  // channels of one pixel, block[k][c] = w[c] if k == c. The stride is the
  // input row stride (two pixels). 1/16 of the array does useful work,
  // the throughput of a 16-lane vector unit.
  const int H = 9, W = 11, Ch = 20, zx = 77, zy = 6;
  const int Ho = (H - 1) / 2 + 1, Wo = (W - 1) / 2 + 1;
  const int CB = ceilDiv(Ch, 16), cP = CB * 16, Wp = W + 2;
  std::mt19937 rng(31);
  std::vector<uint8_t> x(size_t(H) * W * Ch);
  std::vector<int8_t> w(size_t(Ch) * 9);
  std::vector<int32_t> bias(Ch);
  std::vector<float> mult(Ch);
  for (auto &v : x)
    v = uint8_t(rng());
  for (auto &v : w)
    v = int8_t(int(rng() % 255) - 127);
  for (auto &v : bias)
    v = int32_t(rng() % 4001) - 2000;
  for (auto &v : mult)
    v = float(1 + rng() % 1000) * 4e-5f;
  // Diagonal blocks [kh][kw][cb][16][16].
  std::vector<uint8_t> packed(size_t(9) * CB * 256, 0);
  for (int t = 0; t < 9; ++t)
    for (int c = 0; c < Ch; ++c)
      packed[(size_t(t) * CB + c / 16) * 256 + (c % 16) * 16 + c % 16] =
          uint8_t(w[size_t(c) * 9 + t]);
  std::vector<uint8_t> y(size_t(Ho) * Wo * Ch, 0xee);
  std::vector<DramBinding> bindings = {
      {x.data(), x.size(), false},
      {packed.data(), packed.size(), false},
      {reinterpret_cast<uint8_t *>(bias.data()), 4 * bias.size(), false},
      {reinterpret_cast<uint8_t *>(mult.data()), 4 * mult.size(), false},
      {y.data(), y.size(), true}};
  const uint32_t outAddr = uint32_t((H + 2) * Wp * cP);
  const uint32_t biasAddr = uint32_t(Ho * Wo * CB * 64);
  const uint32_t multAddr = biasAddr + uint32_t(cP * 4);
  std::vector<Instruction> p;
  DmaInst in;
  in.padValue = zx;
  in.size[0] = uint32_t(cP);
  in.padHi[0] = uint16_t(cP - Ch);
  in.sramStride[0] = in.dramStride[0] = 1;
  in.size[1] = uint32_t(Wp);
  in.padLo[1] = in.padHi[1] = 1;
  in.sramStride[1] = cP;
  in.dramStride[1] = Ch;
  in.size[2] = uint32_t(H + 2);
  in.padLo[2] = in.padHi[2] = 1;
  in.sramStride[2] = Wp * cP;
  in.dramStride[2] = W * Ch;
  p.push_back(Instruction::dmaLoad(in));
  DmaInst wl;
  wl.space = Space::Wgt;
  wl.binding = 1;
  wl.size[0] = uint32_t(packed.size());
  wl.sramStride[0] = wl.dramStride[0] = 1;
  p.push_back(Instruction::dmaLoad(wl));
  for (int param = 0; param < 2; ++param) {
    DmaInst d;
    d.space = Space::Acc;
    d.elemBytes = 4;
    d.binding = uint8_t(2 + param);
    d.sramAddr = param ? multAddr : biasAddr;
    d.size[0] = uint32_t(cP);
    d.padHi[0] = uint16_t(cP - Ch);
    d.sramStride[0] = d.dramStride[0] = 4;
    p.push_back(Instruction::dmaLoad(d));
  }
  p.push_back(Instruction::signal(Queue::Load, 0));
  p.push_back(Instruction::wait(Queue::Compute, 0));
  for (int ho = 0; ho < Ho; ++ho)
    for (int cb = 0; cb < CB; ++cb) {
      GemmInst g;
      g.flags = kGemmInpUnsigned;
      g.inpZeroPoint = zx;
      g.accAddr = uint32_t((ho * Wo * CB + cb) * 64);
      g.inpAddr = uint32_t(2 * ho * Wp * cP + cb * 16);
      g.wgtAddr = uint32_t(cb * 256);
      g.rows = uint16_t(Wo);
      g.accRowStride = CB * 64;
      g.inpRowStride = 2 * cP; // stride 2
      g.outer = 3;             // kh
      g.inpOuterStride = Wp * cP;
      g.wgtOuterStride = 3 * CB * 256;
      g.inner = 3; // kw
      g.inpInnerStride = cP;
      g.wgtInnerStride = CB * 256;
      p.push_back(Instruction::gemmOp(g));
    }
  VecInst v;
  v.op = VecOp::Requant;
  v.flags = kVecHasBias;
  v.src0Space = Space::Acc;
  v.count[0] = Ch;
  v.count[1] = uint16_t(Ho * Wo);
  v.src0 = {0, {4, CB * 64, 0}};
  v.bias = {biasAddr, {4, 0, 0}};
  v.mult = {multAddr, {4, 0, 0}};
  v.dst = {outAddr, {1, Ch, 0}};
  v.iImm[0] = zy;
  p.push_back(Instruction::vecOp(v));
  p.push_back(Instruction::signal(Queue::Compute, 1));
  p.push_back(Instruction::wait(Queue::Store, 1));
  DmaInst st;
  st.binding = 4;
  st.sramAddr = outAddr;
  st.size[0] = uint32_t(y.size());
  st.sramStride[0] = st.dramStride[0] = 1;
  p.push_back(Instruction::dmaStore(st));
  p.push_back(Instruction::end());
  SimResult r = simulateProgram(RnpuConfig(), p, bindings);
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  for (int ho = 0; ho < Ho; ++ho)
    for (int wo = 0; wo < Wo; ++wo)
      for (int c = 0; c < Ch; ++c) {
        int32_t acc = bias[c];
        for (int kh = 0; kh < 3; ++kh)
          for (int kw = 0; kw < 3; ++kw) {
            int ih = 2 * ho + kh - 1, iw = 2 * wo + kw - 1;
            int xv = (ih < 0 || ih >= H || iw < 0 || iw >= W)
                         ? zx
                         : x[(size_t(ih) * W + iw) * Ch + c];
            acc += (xv - zx) * w[size_t(c) * 9 + kh * 3 + kw];
          }
        ASSERT_EQ(y[(size_t(ho) * Wo + wo) * Ch + c],
                  requantU8(acc, mult[c], zy))
            << ho << "," << wo << "," << c;
      }
}

TEST(RnpuMatmul, ZeroPointsOnBothOperandsMatchTheReference) {
  // Y[M][N] = requant(sum_k (A[m][k] - za) * (B[k][n] - zb) + bias[n]),
  // A u8, B s8 with a non-zero zero point, K and N not multiples of 16:
  // K is padded with za (A) and zb (B) so the padding contributes 0.
  const int M = 37, K = 70, N = 45, za = 131, zb = -3, zy = 9;
  const int KB = ceilDiv(K, 16), NB = ceilDiv(N, 16);
  std::mt19937 rng(9);
  std::vector<uint8_t> a(M * K);
  std::vector<int8_t> bm(K * N);
  std::vector<int32_t> bias(N);
  std::vector<float> mult(N);
  for (auto &v : a)
    v = uint8_t(rng());
  for (auto &v : bm)
    v = int8_t(rng());
  for (auto &v : bias)
    v = int32_t(rng() % 20001) - 10000;
  for (auto &v : mult)
    v = float(1 + rng() % 1000) * 2e-6f;
  // B packed in GEMM blocks [kb][nb][16][16], padded with zb.
  std::vector<uint8_t> packed(size_t(KB) * NB * 256, uint8_t(int8_t(zb)));
  for (int k = 0; k < K; ++k)
    for (int n = 0; n < N; ++n)
      packed[(size_t(k / 16) * NB + n / 16) * 256 + (k % 16) * 16 + n % 16] =
          uint8_t(bm[k * N + n]);
  std::vector<uint8_t> y(M * N, 0xee);
  std::vector<DramBinding> bindings = {
      {a.data(), a.size(), false},
      {packed.data(), packed.size(), false},
      {reinterpret_cast<uint8_t *>(bias.data()), 4 * bias.size(), false},
      {reinterpret_cast<uint8_t *>(mult.data()), 4 * mult.size(), false},
      {y.data(), y.size(), true}};
  // SRAM: A [M][KB*16] at ACT 0, Y [M][N] after it; B in WGT at 0;
  // ACC: [M][NB] rows, then bias and multipliers.
  const uint32_t yAddr = uint32_t(M * KB * 16);
  const uint32_t biasAddr = uint32_t(M * NB * 64),
                 multAddr = biasAddr + NB * 64;
  std::vector<Instruction> p;
  DmaInst la;
  la.binding = 0;
  la.padValue = za;
  la.size[0] = uint32_t(KB * 16);
  la.padHi[0] = uint16_t(KB * 16 - K);
  la.sramStride[0] = la.dramStride[0] = 1;
  la.size[1] = M;
  la.sramStride[1] = KB * 16;
  la.dramStride[1] = K;
  p.push_back(Instruction::dmaLoad(la, 1));
  DmaInst lb;
  lb.space = Space::Wgt;
  lb.binding = 1;
  lb.size[0] = uint32_t(packed.size());
  lb.sramStride[0] = lb.dramStride[0] = 1;
  p.push_back(Instruction::dmaLoad(lb, 1));
  for (int param = 0; param < 2; ++param) {
    DmaInst d;
    d.space = Space::Acc;
    d.elemBytes = 4;
    d.binding = uint8_t(2 + param);
    d.sramAddr = param ? multAddr : biasAddr;
    d.size[0] = uint32_t(NB * 16);
    d.padHi[0] = uint16_t(NB * 16 - N);
    d.sramStride[0] = d.dramStride[0] = 4;
    p.push_back(Instruction::dmaLoad(d, 1));
  }
  p.push_back(Instruction::signal(Queue::Load, 0));
  p.push_back(Instruction::wait(Queue::Compute, 0));
  GemmInst g; // one GEMM: outer = output column blocks, inner = K blocks
  g.flags = kGemmInpUnsigned;
  g.inpZeroPoint = za;
  g.wgtZeroPoint = zb;
  g.rows = M;
  g.inpRowStride = KB * 16;
  g.accRowStride = NB * 64;
  g.outer = uint16_t(NB);
  g.accOuterStride = 64;
  g.wgtOuterStride = 256;
  g.inner = uint16_t(KB);
  g.inpInnerStride = 16;
  g.wgtInnerStride = NB * 256;
  p.push_back(Instruction::gemmOp(g, 1));
  VecInst v;
  v.op = VecOp::Requant;
  v.flags = kVecHasBias;
  v.src0Space = Space::Acc;
  v.count[0] = N;
  v.count[1] = M;
  v.src0 = {0, {4, NB * 64, 0}};
  v.bias = {biasAddr, {4, 0, 0}};
  v.mult = {multAddr, {4, 0, 0}};
  v.dst = {yAddr, {1, N, 0}};
  v.iImm[0] = zy;
  v.clampLo = 0;
  v.clampHi = 255;
  p.push_back(Instruction::vecOp(v, 1));
  p.push_back(Instruction::signal(Queue::Compute, 1));
  p.push_back(Instruction::wait(Queue::Store, 1));
  DmaInst st;
  st.binding = 4;
  st.sramAddr = yAddr;
  st.size[0] = uint32_t(M * N);
  st.sramStride[0] = st.dramStride[0] = 1;
  p.push_back(Instruction::dmaStore(st, 1));
  p.push_back(Instruction::end());
  std::vector<uint8_t> stream = encodeProgram(p);
  SimResult r = simulate(RnpuConfig(), stream.data(), stream.size(), bindings);
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      int32_t acc = bias[n];
      for (int k = 0; k < K; ++k)
        acc += (a[m * K + k] - za) * (bm[k * N + n] - zb);
      ASSERT_EQ(y[m * N + n], requantU8(acc, mult[n], zy))
          << "y[" << m << "][" << n << "]";
    }
  EXPECT_EQ(r.counters.macs, uint64_t(NB) * KB * M * 256);
}

TEST(RnpuTrace, ChromeTraceIsValidJson) {
  RnpuConfig cfg;
  ConvLayer l;
  l.H = 6;
  l.W = 7;
  l.Cin = 16;
  l.Cout = 32;
  l.randomize(4);
  SimOptions options;
  options.collectTrace = true;
  ConvRun run = runConv(l, cfg, 2, options);
  ASSERT_TRUE(run.result.status.ok()) << run.result.status.message;
  ASSERT_FALSE(run.result.trace.empty());
  std::string json =
      chromeTraceJson(run.result, cfg, "simulated RNPU \"16x16\"\n");
  std::string path = AICC_NPU_TEST_TMP_DIR "/rnpu-trace.json";
  {
    std::ofstream out(path);
    out << json;
  }
  // Python checks the structure: metadata rows for the three queues, and
  // one complete event per executed instruction, in order on each row.
  std::string script =
      "import json, sys\n"
      "t = json.load(open(sys.argv[1]))\n"
      "ev = t['traceEvents']\n"
      "names = {e['tid']: e['args']['name'] for e in ev "
      "if e['name'] == 'thread_name'}\n"
      "assert names == {0: 'load queue', 1: 'compute queue', "
      "2: 'store queue'}, names\n"
      "assert ev[0]['args']['name'] == 'simulated RNPU \"16x16\"\\n'\n"
      "x = [e for e in ev if e['ph'] == 'X']\n"
      "assert len(x) == int(sys.argv[2]), len(x)\n"
      "for tid in range(3):\n"
      "    row = [e for e in x if e['tid'] == tid]\n"
      "    for a, b in zip(row, row[1:]):\n"
      "        assert a['ts'] + a['dur'] <= b['ts'] + 1e-9, (a, b)\n"
      "assert any(e['name'].endswith('VEC REQUANT') for e in x)\n";
  std::string scriptPath = AICC_NPU_TEST_TMP_DIR "/check-trace.py";
  {
    std::ofstream out(scriptPath);
    out << script;
  }
  std::string cmd = std::string(AICC_NPU_TEST_PYTHON) + " " + scriptPath + " " +
                    path + " " + std::to_string(run.result.trace.size());
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;

  // Two dispatches on one timeline: the second starts where the first
  // ended, labelled by entry name.
  uint64_t end = run.result.counters.totalCycles;
  json = chromeTraceJson(
      {{"conv_0", &run.result.trace, 0}, {"conv\"1", &run.result.trace, end}},
      cfg);
  EXPECT_NE(json.find("\"name\":\"conv\\\"1: GEMM\""), std::string::npos);
  {
    std::ofstream out(path);
    out << json;
  }
  cmd = std::string(AICC_NPU_TEST_PYTHON) + " " + scriptPath + " " + path +
        " " + std::to_string(2 * run.result.trace.size());
  // (Without the check of the first trace's process name.)
  script.replace(script.find("assert ev[0]"),
                 script.find("x = [e") - script.find("assert ev[0]"), "");
  {
    std::ofstream out(scriptPath);
    out << script;
  }
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

} // namespace
