//===- NpuEltwiseCodegenTest.cpp - The npu target's QLinearAdd generator --===//
//
// Compiles QLinearAdds with targets/npu/EltwiseCodegen, runs the command
// stream on the RNPU simulator and compares every output byte with ONNX
// Runtime's formula as aicc's CPU lowering computes it (LowerQuantOps.cpp),
// written out here: r_a = f32(a_s / c_s), r_b = f32(b_s / c_s),
// k = f32(c_zp - f32(f32(r_a*a_zp) + f32(r_b*b_zp))),
// c = saturate(rne(f32(f64(a)*r_a + f64(f32(f64(b)*r_b + f64(k)))))).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/EltwiseCodegen.h"

#include "hal/npu/RnpuSim.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace aicc;
using namespace aicc::npu;
using namespace aicc::rnpu;

namespace {

std::vector<uint8_t> reference(const QAddParams &p,
                               const std::vector<uint8_t> &a,
                               const std::vector<uint8_t> &b) {
  volatile float sa = p.aScale, sb = p.bScale, sc = p.cScale;
  float ra = sa / sc, rb = sb / sc;
  volatile float ta = ra * float(p.aZeroPoint), tb = rb * float(p.bZeroPoint);
  volatile float sum = ta + tb;
  float k = float(p.cZeroPoint) - sum;
  std::vector<uint8_t> c(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    double av = p.aSigned ? int8_t(a[i]) : a[i];
    double bv = p.bSigned ? int8_t(b[i]) : b[i];
    float inner = float(bv * double(rb) + double(k));
    float t = float(av * double(ra) + double(inner));
    float r = std::nearbyint(t);
    float lo = p.cSigned ? -128 : 0, hi = p.cSigned ? 127 : 255;
    c[i] = uint8_t(int32_t(std::min(std::max(r, lo), hi)));
  }
  return c;
}

void check(const QAddParams &p, const RnpuConfig &config, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> a(p.elements), b(p.elements);
  for (auto &v : a)
    v = uint8_t(rng());
  for (auto &v : b)
    v = uint8_t(rng());
  RnpuEntry entry;
  std::string error;
  ASSERT_TRUE(compileQAdd(p, config, "add", 1, entry, error)) << error;
  std::vector<uint8_t> c(p.elements, 0xEE);
  std::vector<DramBinding> bindings = {{a.data(), a.size(), false},
                                       {b.data(), b.size(), false},
                                       {c.data(), c.size(), true}};
  SimResult r = simulateProgram(config, entry.program, bindings, SimOptions());
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  std::vector<uint8_t> want = reference(p, a, b);
  size_t mismatches = 0;
  for (size_t i = 0; i < c.size(); ++i)
    mismatches += c[i] != want[i];
  EXPECT_EQ(mismatches, 0u);
  // Outputs spread over the range (a saturated result would hide errors).
  std::vector<bool> seen(256);
  size_t distinct = 0;
  for (uint8_t v : c)
    distinct += !seen[v] ? (seen[v] = true, 1) : 0;
  EXPECT_GT(distinct, 50u);
}

TEST(NpuEltwiseCodegen, QAddOneTile) {
  QAddParams p;
  p.elements = 1000;
  p.aScale = 0.05f, p.bScale = 0.031f, p.cScale = 0.07f;
  p.aZeroPoint = 128, p.bZeroPoint = 120, p.cZeroPoint = 131;
  check(p, RnpuConfig(), 1);
}

TEST(NpuEltwiseCodegen, QAddManyDoubleBufferedTiles) {
  // ResNet-18's layer1 residual (64x56x56) on an 8 KiB ACT: 147 tiles.
  QAddParams p;
  p.elements = 64 * 56 * 56;
  p.aScale = 0.02f, p.bScale = 0.045f, p.cScale = 0.05f;
  p.aZeroPoint = 0, p.bZeroPoint = 133, p.cZeroPoint = 7;
  RnpuConfig config;
  config.actSramBytes = 8 * 1024;
  check(p, config, 2);
}

TEST(NpuEltwiseCodegen, QAddSigned) {
  QAddParams p;
  p.elements = 70001;
  p.aSigned = true, p.bSigned = false, p.cSigned = true;
  p.aScale = 0.011f, p.bScale = 0.02f, p.cScale = 0.03f;
  p.aZeroPoint = -5, p.bZeroPoint = 100, p.cZeroPoint = -20;
  check(p, RnpuConfig(), 3);
}

} // namespace
