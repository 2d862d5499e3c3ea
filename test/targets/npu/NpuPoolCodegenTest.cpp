//===- NpuPoolCodegenTest.cpp - The npu target's MaxPool generator --------===//
//
// Compiles int8 max pools with targets/npu/PoolCodegen, runs them on the
// RNPU simulator and compares every output byte with ONNX's MaxPool written
// out in loops (padding never wins: it is -inf in ONNX).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/PoolCodegen.h"

#include "hal/npu/RnpuSim.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

using namespace aicc;
using namespace aicc::npu;
using namespace aicc::rnpu;

namespace {

std::vector<uint8_t> reference(const MaxPoolParams &p,
                               const std::vector<uint8_t> &x) {
  std::vector<uint8_t> y(p.n * p.c * p.oh * p.ow);
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c = 0; c < p.c; ++c)
      for (int64_t i = 0; i < p.oh; ++i)
        for (int64_t j = 0; j < p.ow; ++j) {
          int best = -1000;
          for (int64_t a = 0; a < p.kh; ++a)
            for (int64_t b = 0; b < p.kw; ++b) {
              int64_t r = i * p.strideH + a - p.padTop;
              int64_t s = j * p.strideW + b - p.padLeft;
              if (r < 0 || r >= p.h || s < 0 || s >= p.w)
                continue;
              uint8_t v = x[((n * p.c + c) * p.h + r) * p.w + s];
              best = std::max(best, p.isSigned ? int(int8_t(v)) : int(v));
            }
          y[((n * p.c + c) * p.oh + i) * p.ow + j] = uint8_t(best);
        }
  return y;
}

/// ONNX's output size, floor or ceil mode.
int64_t outSize(int64_t in, int64_t k, int64_t s, int64_t lo, int64_t hi,
                bool ceil) {
  int64_t span = in + lo + hi - k;
  return (ceil ? (span + s - 1) / s : span / s) + 1;
}

void check(MaxPoolParams p, int64_t padBottom, int64_t padRight, bool ceil,
           const RnpuConfig &config, unsigned seed,
           Counters *counters = nullptr) {
  p.oh = outSize(p.h, p.kh, p.strideH, p.padTop, padBottom, ceil);
  p.ow = outSize(p.w, p.kw, p.strideW, p.padLeft, padRight, ceil);
  std::mt19937 rng(seed);
  std::vector<uint8_t> x(p.n * p.c * p.h * p.w);
  for (uint8_t &v : x)
    v = uint8_t(rng());
  RnpuEntry entry;
  std::string error;
  ASSERT_TRUE(compileMaxPool(p, config, "pool", 1, entry, error)) << error;
  std::vector<uint8_t> y(entry.bindingSizes[1], 0xEE), xCopy = x;
  std::vector<DramBinding> bindings = {{xCopy.data(), xCopy.size(), false},
                                       {y.data(), y.size(), true}};
  std::vector<uint8_t> stream = encodeProgram(entry.program);
  SimResult r =
      simulate(config, stream.data(), stream.size(), bindings, SimOptions());
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  EXPECT_EQ(y, reference(p, x));
  if (counters)
    *counters = r.counters;
}

} // namespace

TEST(NpuPoolCodegen, ResNetStemMaxPool) {
  // ResNet-18's 3x3 stride-2 pad-1 max pool on 64 channels (u8), 32x32.
  MaxPoolParams p;
  p.c = 64, p.h = p.w = 32, p.kh = p.kw = 3, p.strideH = p.strideW = 2;
  p.padTop = p.padLeft = 1;
  Counters counters;
  check(p, 1, 1, false, RnpuConfig(), 1, &counters);
  std::printf("simulated RNPU max pool 64x32x32: %llu cycles\n",
              (unsigned long long)counters.totalCycles);
}

TEST(NpuPoolCodegen, SignedCeilModeOddSizesAndBatch) {
  MaxPoolParams p;
  p.n = 2, p.c = 5, p.h = 9, p.w = 11, p.kh = 2, p.kw = 3;
  p.strideH = 2, p.strideW = 3, p.isSigned = true;
  check(p, 0, 0, true, RnpuConfig(), 2);
  p.padTop = 1, p.padLeft = 0;
  check(p, 1, 2, false, RnpuConfig(), 3);
}

TEST(NpuPoolCodegen, SmallActForcesManyChannelTiles) {
  RnpuConfig config;
  config.actSramBytes = 2048; // 2 channels of 17x17 + 8x8 per buffer pair
  MaxPoolParams p;
  p.c = 7, p.h = p.w = 15, p.kh = p.kw = 3, p.strideH = p.strideW = 2;
  p.padTop = p.padLeft = 1;
  check(p, 1, 1, false, config, 4);
}

TEST(NpuPoolCodegen, WindowsInsidePaddingAreRefused) {
  MaxPoolParams p;
  p.c = 1, p.h = p.w = 4, p.kh = p.kw = 2, p.padTop = 2, p.oh = p.ow = 3;
  EXPECT_NE(whyMaxPoolUnsupported(p, RnpuConfig()).find("entirely in the "
                                                        "padding"),
            std::string::npos);
}
