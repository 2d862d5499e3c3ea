//===- NpuConvCodegenTest.cpp - The npu target's conv code generator -----===//
//
// Compiles random QLinearConvs with targets/npu/ConvCodegen, runs the
// command stream on the RNPU simulator and compares every output byte with
// an independent reference: the integer conv and the requantization rule of
// docs/Quantization.md (aicc's int8 CPU path), written out here in loops.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/ConvCodegen.h"

#include "hal/npu/RnpuSim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

using namespace aicc;
using namespace aicc::npu;
using namespace aicc::rnpu;

namespace {

/// The CPU rule: int32 (x - x_zp)(w - w_zp) + bias, then
/// saturate(rne(f32(acc) * multiplier) + y_zp), clamped.
std::vector<uint8_t> reference(const QConvParams &p,
                               const std::vector<uint8_t> &x) {
  int64_t oh = p.outH(), ow = p.outW();
  std::vector<uint8_t> y(p.n * p.cout * oh * ow);
  auto xv = [&](uint8_t b) {
    return p.xSigned ? int32_t(int8_t(b)) : int32_t(b);
  };
  auto wv = [&](uint8_t b) {
    return p.wSigned ? int32_t(int8_t(b)) : int32_t(b);
  };
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t co = 0; co < p.cout; ++co) {
      float mult =
          p.xScale * (p.wScale.size() == 1 ? p.wScale[0] : p.wScale[co]);
      mult = mult / p.yScale;
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int32_t acc = p.bias.empty() ? 0 : p.bias[co];
          for (int64_t ci = p.depthwise ? co : 0;
               ci < (p.depthwise ? co + 1 : p.cin); ++ci)
            for (int64_t a = 0; a < p.kh; ++a)
              for (int64_t b = 0; b < p.kw; ++b) {
                int64_t r = i * p.strideH + a - p.padTop;
                int64_t c = j * p.strideW + b - p.padLeft;
                if (r < 0 || r >= p.h || c < 0 || c >= p.w)
                  continue;
                int32_t xq = xv(x[((n * p.cin + ci) * p.h + r) * p.w + c]);
                int32_t wq = wv(
                    p.weights[p.depthwise
                                  ? (co * p.kh + a) * p.kw + b
                                  : ((co * p.cin + ci) * p.kh + a) * p.kw + b]);
                acc += (xq - p.xZeroPoint) * (wq - p.wZeroPoint);
              }
          float v = std::nearbyint(float(acc) * mult) + float(p.yZeroPoint);
          float lo = p.ySigned ? -128 : 0, hi = p.ySigned ? 127 : 255;
          v = std::min(std::max(v, lo), hi);
          v = std::min(std::max(v, float(p.clampLo)), float(p.clampHi));
          y[((n * p.cout + co) * oh + i) * ow + j] = uint8_t(int32_t(v));
        }
    }
  return y;
}

struct Shape {
  int64_t n, cin, h, w, cout, k, stride, padLo, padHi;
  bool xSigned, wSigned, ySigned, perChannel, bias;
  bool depthwise = false;
};

QConvParams randomConv(const Shape &s, std::mt19937 &rng) {
  QConvParams p;
  p.n = s.n, p.cin = s.cin, p.h = s.h, p.w = s.w, p.cout = s.cout;
  p.kh = p.kw = s.k;
  p.strideH = p.strideW = s.stride;
  p.padTop = p.padLeft = s.padLo;
  p.padBottom = p.padRight = s.padHi;
  p.xSigned = s.xSigned, p.wSigned = s.wSigned, p.ySigned = s.ySigned;
  std::uniform_int_distribution<int> byte(0, 255), zp(-20, 20);
  std::uniform_real_distribution<float> scale(0.001f, 0.02f);
  p.xZeroPoint = s.xSigned ? zp(rng) : 128 + zp(rng);
  p.wZeroPoint = s.perChannel ? 0 : (s.wSigned ? zp(rng) : 128 + zp(rng));
  p.yZeroPoint = s.ySigned ? zp(rng) : 100 + zp(rng);
  p.xScale = scale(rng);
  p.yScale = scale(rng) * 8;
  p.wScale.resize(s.perChannel ? s.cout : 1);
  for (float &v : p.wScale)
    v = scale(rng);
  p.depthwise = s.depthwise;
  p.weights.resize(p.cout * (p.depthwise ? 1 : p.cin) * p.kh * p.kw);
  for (uint8_t &v : p.weights)
    v = uint8_t(byte(rng));
  if (s.bias) {
    std::uniform_int_distribution<int32_t> b(-5000, 5000);
    for (int64_t c = 0; c < p.cout; ++c)
      p.bias.push_back(b(rng));
  }
  return p;
}

/// A random input for `p`: one byte of `rng` per element, in order.
std::vector<uint8_t> randomInput(const QConvParams &p, std::mt19937 &rng) {
  std::vector<uint8_t> x(p.n * p.cin * p.h * p.w);
  for (uint8_t &v : x)
    v = uint8_t(rng());
  return x;
}

/// Compiles and simulates `p` on `x`; returns y, or fails the test.
std::vector<uint8_t> runOnRnpu(const QConvParams &p, const RnpuConfig &config,
                               const std::vector<uint8_t> &x,
                               Counters *counters = nullptr,
                               int64_t *tileRows = nullptr) {
  CompiledConv conv;
  std::string error;
  EXPECT_TRUE(compileConv(p, config, "conv", 1, conv, error)) << error;
  if (!error.empty())
    return {};
  std::vector<uint8_t> y(conv.entry.bindingSizes[4], 0xEE);
  std::vector<uint8_t> xCopy = x;
  std::vector<DramBinding> bindings = {
      {xCopy.data(), xCopy.size(), false},
      {conv.packedWeights.data(), conv.packedWeights.size(), false},
      {conv.biasBytes.data(), conv.biasBytes.size(), false},
      {conv.multiplierBytes.data(), conv.multiplierBytes.size(), false},
      {y.data(), y.size(), true}};
  std::vector<uint8_t> stream = encodeProgram(conv.entry.program);
  SimResult r =
      simulate(config, stream.data(), stream.size(), bindings, SimOptions());
  EXPECT_TRUE(r.status.ok()) << r.status.message;
  if (counters)
    *counters = r.counters;
  if (tileRows)
    *tileRows = conv.tileRows;
  // The blob round-trips and validates against the declared bindings.
  RnpuBlob blob{config, {conv.entry}};
  std::vector<uint8_t> bytes = encodeBlob(blob);
  RnpuBlob decoded;
  Status s = decodeBlob(bytes.data(), bytes.size(), &decoded);
  EXPECT_TRUE(s.ok()) << s.message;
  return y;
}

void checkShape(const Shape &s, const RnpuConfig &config, unsigned seed) {
  std::mt19937 rng(seed);
  QConvParams p = randomConv(s, rng);
  std::vector<uint8_t> x(p.n * p.cin * p.h * p.w);
  std::uniform_int_distribution<int> byte(0, 255);
  for (uint8_t &v : x)
    v = uint8_t(byte(rng));
  std::vector<uint8_t> want = reference(p, x);
  std::vector<uint8_t> got = runOnRnpu(p, config, x);
  ASSERT_EQ(got.size(), want.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < got.size(); ++i)
    mismatches += got[i] != want[i];
  EXPECT_EQ(mismatches, 0u) << "of " << got.size() << " outputs";
}

} // namespace

TEST(NpuConvCodegen, Conv3x3Pad1MatchesTheCpuRule) {
  checkShape({1, 8, 10, 12, 16, 3, 1, 1, 1, false, true, false, true, true},
             RnpuConfig(), 1);
}

TEST(NpuConvCodegen, Stride2OddChannelsSignedActivations) {
  checkShape({1, 19, 13, 11, 37, 3, 2, 1, 0, true, true, true, false, true},
             RnpuConfig(), 2);
}

TEST(NpuConvCodegen, UnsignedWeightsWithZeroPointNoBias1x1) {
  checkShape({2, 33, 7, 9, 20, 1, 1, 0, 0, false, false, false, false, false},
             RnpuConfig(), 3);
}

TEST(NpuConvCodegen, SmallSramForcesManyDoubleBufferedTiles) {
  RnpuConfig config;
  config.actSramBytes = 8192;
  config.accSramBytes = 8192;
  std::mt19937 rng(4);
  QConvParams p = randomConv(
      {1, 16, 20, 20, 32, 3, 1, 1, 1, false, true, false, true, true}, rng);
  std::vector<uint8_t> x = randomInput(p, rng);
  int64_t tileRows = 0;
  Counters counters;
  std::vector<uint8_t> got = runOnRnpu(p, config, x, &counters, &tileRows);
  EXPECT_EQ(got, reference(p, x));
  EXPECT_GE(tileRows, 1);
  EXPECT_LT(tileRows, 5) << "expected several tiles with 8 KiB SRAMs";
}

TEST(NpuConvCodegen, FusedClampIsApplied) {
  std::mt19937 rng(5);
  QConvParams p = randomConv(
      {1, 4, 6, 6, 8, 3, 1, 1, 1, false, true, false, false, true}, rng);
  p.clampLo = int16_t(p.yZeroPoint); // a fused ReLU
  p.clampHi = 200;
  std::vector<uint8_t> x = randomInput(p, rng);
  EXPECT_EQ(runOnRnpu(p, RnpuConfig(), x), reference(p, x));
}

TEST(NpuConvCodegen, ResNetLayerKeepsTheMacArrayBusy) {
  // conv2_x of ResNet-18 on the default 16x16 config (simulated RNPU).
  std::mt19937 rng(6);
  QConvParams p = randomConv(
      {1, 64, 56, 56, 64, 3, 1, 1, 1, false, true, false, true, true}, rng);
  std::vector<uint8_t> x = randomInput(p, rng);
  Counters counters;
  std::vector<uint8_t> got = runOnRnpu(p, RnpuConfig(), x, &counters);
  EXPECT_EQ(got, reference(p, x));
  std::printf("simulated RNPU conv2_x: MAC utilization %.1f%%, %llu cycles\n",
              100 * counters.macUtilization,
              (unsigned long long)counters.totalCycles);
  EXPECT_GT(counters.macUtilization, 0.70) << "simulated RNPU MAC utilization";
}

TEST(NpuConvCodegen, WeightsLargerThanWgtRunInOutputChannelGroups) {
  // 48 output channels = 3 blocks; WGT holds 2 blocks of 3x3x32: two
  // groups, the second one partial, each reloading weights, bias and
  // multipliers.
  RnpuConfig config;
  config.wgtSramBytes = 2 * 9 * 2 * 256;
  checkShape({2, 20, 9, 10, 40, 3, 1, 1, 1, false, true, false, true, true},
             config, 7);
  config.wgtSramBytes = 9 * 2 * 256; // one block per group
  checkShape({1, 20, 9, 10, 40, 3, 2, 1, 1, true, true, true, true, true},
             config, 8);
}

TEST(NpuConvCodegen, ResNetStage3And4LayersNeedGroupsAndStayBusy) {
  // conv3_x (128 channels, 28x28) and conv4_x (256, 14x14) of ResNet-18:
  // their weights exceed the 128 KiB WGT (simulated RNPU, default config).
  for (auto [c, hw] : {std::pair<int64_t, int64_t>{128, 28}, {256, 14}}) {
    std::mt19937 rng{static_cast<unsigned>(c)};
    QConvParams p = randomConv(
        {1, c, hw, hw, c, 3, 1, 1, 1, false, true, false, true, true}, rng);
    std::vector<uint8_t> x = randomInput(p, rng);
    Counters counters;
    std::vector<uint8_t> got = runOnRnpu(p, RnpuConfig(), x, &counters);
    EXPECT_EQ(got, reference(p, x));
    std::printf("simulated RNPU conv %lldx%lld, %lld channels: MAC "
                "utilization %.1f%%, %llu cycles\n",
                (long long)hw, (long long)hw, (long long)c,
                100 * counters.macUtilization,
                (unsigned long long)counters.totalCycles);
    EXPECT_GT(counters.macUtilization, 0.70);
  }
}

TEST(NpuConvCodegen, BlockLargerThanWgtIsRefusedWithAReason) {
  // 3x3x1024 weights of one output block: 144 KiB > WGT; a 28x28 input
  // does not fit ACT for the weight-streaming schedule either.
  QConvParams p;
  p.cin = 1024, p.cout = 16, p.h = p.w = 28, p.kh = p.kw = 3;
  p.wScale = {0.01f};
  std::string why = whyConvUnsupported(p, RnpuConfig());
  EXPECT_NE(why.find("one output channel block (147456 B) exceed the weight "
                     "SRAM (131072 B) and the layer does not fit the "
                     "weight-streaming schedule"),
            std::string::npos)
      << why;
}

TEST(NpuConvCodegen, BlockLargerThanWgtStreamsKernelRows) {
  // The same weights on a 7x7 input: the weight-streaming schedule loads
  // them in chunks of one kernel row (48 KiB) and accumulates.
  checkShape({1, 1024, 7, 7, 24, 3, 1, 1, 1, false, true, false, true, true},
             RnpuConfig(), 30);
}

TEST(NpuConvCodegen, DepthwiseThroughDiagonalWeightBlocks) {
  // MobileNetV2's depthwise 3x3 convs, stride 1 and 2, channel counts that
  // are not multiples of 16, and output channel groups.
  checkShape(
      {1, 40, 11, 9, 40, 3, 1, 1, 1, false, true, false, true, true, true},
      RnpuConfig(), 9);
  checkShape(
      {2, 19, 12, 12, 19, 3, 2, 1, 1, true, true, true, false, true, true},
      RnpuConfig(), 10);
  RnpuConfig config;
  config.wgtSramBytes = 9 * 256; // one diagonal block chain per group
  checkShape(
      {1, 48, 8, 8, 48, 3, 2, 0, 1, false, false, false, false, true, true},
      config, 11);
}

TEST(NpuConvCodegen, ChannelsLastIsAMatMul) {
  // Y[M][N] = A[M][K] x B[K][N] as a channels-last 1x1 conv over one row of
  // M pixels; compared with the NCHW reference on transposed data.
  std::mt19937 rng(12);
  const int64_t m = 37, k = 70, n = 45;
  QConvParams p = randomConv(
      {1, k, 1, m, n, 1, 1, 0, 0, false, true, false, true, false}, rng);
  std::vector<uint8_t> a(m * k);
  for (uint8_t &v : a)
    v = uint8_t(rng());
  // NCHW x[0][k][0][m] = A[m][k].
  std::vector<uint8_t> x(k * m);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < k; ++j)
      x[j * m + i] = a[i * k + j];
  std::vector<uint8_t> want = reference(p, x); // [n][m]
  p.channelsLast = true;
  std::vector<uint8_t> got = runOnRnpu(p, RnpuConfig(), a); // [m][n]
  ASSERT_EQ(got.size(), size_t(m * n));
  size_t mismatches = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      mismatches += got[i * n + j] != want[j * m + i];
  EXPECT_EQ(mismatches, 0u);
}

namespace {

/// The layer's own MACs (no padded channels, no flat-row columns) over its
/// simulated cycles and over its roofline bound.
struct LayerProfile {
  uint64_t macs, computeCycles, dramCycles, bound, cycles;
  double utilization, ofBound;
};

LayerProfile profileLayer(const Shape &shape, unsigned seed,
                          const RnpuConfig &config, bool print) {
  std::mt19937 rng(seed);
  QConvParams p = randomConv(shape, rng);
  std::vector<uint8_t> x = randomInput(p, rng);
  Counters counters;
  std::vector<uint8_t> got = runOnRnpu(p, config, x, &counters);
  EXPECT_EQ(got, reference(p, x));
  LayerProfile l;
  const uint64_t array = uint64_t(config.macRows) * config.macCols;
  l.macs = uint64_t(p.n * p.outH() * p.outW() * p.cout * p.kh * p.kw) *
           (p.depthwise ? 1 : p.cin);
  l.computeCycles = (l.macs + array - 1) / array;
  uint64_t bytes = counters.dramBytesRead + counters.dramBytesWritten;
  l.dramCycles = (bytes + config.dramBytesPerCycle - 1) /
                 config.dramBytesPerCycle;
  l.bound = std::max(l.computeCycles, l.dramCycles);
  l.cycles = counters.totalCycles;
  l.utilization = double(l.macs) / (double(l.cycles) * array);
  l.ofBound = double(l.bound) / double(l.cycles);
  if (print)
    std::printf("simulated RNPU conv %lldx%lld %lld->%lld stride %lld: MACs "
                "%llu, compute %llu, DRAM %llu (%llu B), bound %llu, "
                "simulated %llu cycles (load %llu, compute %llu, store "
                "%llu busy), utilization %.1f%%, %.1f%% of bound\n",
                (long long)p.h, (long long)p.w, (long long)p.cin,
                (long long)p.cout, (long long)p.strideH,
                (unsigned long long)l.macs,
                (unsigned long long)l.computeCycles,
                (unsigned long long)l.dramCycles, (unsigned long long)bytes,
                (unsigned long long)l.bound, (unsigned long long)l.cycles,
                (unsigned long long)counters.busyCycles[0],
                (unsigned long long)counters.busyCycles[1],
                (unsigned long long)counters.busyCycles[2],
                100 * l.utilization, 100 * l.ofBound);
  return l;
}

} // namespace

TEST(NpuConvCodegen, ResNetLayer4StreamsWeightsAndStaysBusy) {
  // ResNet-18's 3x3 convs of layer3 and layer4 (simulated RNPU, default
  // config), stride 1 and the stride-2 first conv of each stage. They run
  // the weight-streaming schedule: input loaded once, one GEMM per kernel
  // tap over all output rows (flat rows, phase planes for stride 2),
  // weights double-buffered in WGT. Utilization counts only the layer's
  // own MACs.
  struct Layer {
    int64_t cin, hw, cout, stride;
  };
  for (Layer s : {Layer{512, 7, 512, 1}, Layer{256, 14, 512, 2},
                  Layer{256, 14, 256, 1}, Layer{128, 28, 256, 2}}) {
    LayerProfile l = profileLayer({1, s.cin, s.hw, s.hw, s.cout, 3, s.stride,
                                   1, 1, false, true, false, true, true},
                                  unsigned(s.cin + s.stride), RnpuConfig(),
                                  true);
    EXPECT_GT(l.utilization, 0.70);
  }
}

TEST(NpuConvCodegen, StreamedScheduleMatchesTheCpuRule) {
  // Small layers that take the weight-streaming schedule: stride 1 and 2,
  // odd sizes and channel counts, s8 activations, asymmetric padding, a
  // 1x1, several output channel groups and weight chunks of kernel rows
  // (a 16 KiB WGT: one 3x3x64 block is 9 KiB, two buffers of 8 KiB).
  checkShape({1, 40, 7, 7, 70, 3, 1, 1, 1, false, true, false, true, true},
             RnpuConfig(), 21);
  checkShape({1, 19, 9, 11, 37, 3, 2, 1, 1, true, true, true, false, true},
             RnpuConfig(), 22);
  checkShape({1, 24, 8, 10, 40, 3, 2, 0, 1, false, true, false, true, true},
             RnpuConfig(), 23);
  checkShape({1, 33, 5, 6, 50, 1, 1, 0, 0, false, false, false, false, false},
             RnpuConfig(), 24);
  checkShape({1, 20, 6, 6, 24, 5, 2, 2, 2, false, true, false, true, true},
             RnpuConfig(), 25);
  RnpuConfig config;
  config.wgtSramBytes = 16384;
  checkShape({1, 64, 7, 7, 48, 3, 1, 1, 1, false, true, false, true, true},
             config, 26);
  checkShape({1, 64, 9, 9, 40, 3, 2, 1, 1, true, true, true, false, true},
             config, 27);
  // A 12 KiB ACT holds the sw phase planes but not the kw shifted planes.
  config = RnpuConfig();
  config.actSramBytes = 12288;
  checkShape({1, 64, 7, 7, 48, 3, 1, 1, 1, false, true, false, true, true},
             config, 28);
  checkShape({1, 40, 9, 8, 40, 3, 2, 1, 1, false, true, false, true, true},
             config, 29);
}
