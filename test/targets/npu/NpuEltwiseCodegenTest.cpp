//===- NpuEltwiseCodegenTest.cpp - The npu target's QLinearAdd generator --===//
//
// Compiles QLinearAdds with targets/npu/EltwiseCodegen, runs the command
// stream on the RNPU simulator and compares every output byte with ONNX
// Runtime's formula as aicc's CPU lowering computes it (LowerQuantOps.cpp),
// written out here: r_a = f32(a_s / c_s), r_b = f32(b_s / c_s),
// k = f32(c_zp - fma(r_a, a_zp, f32(r_b*b_zp))),
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
  volatile float tb = rb * float(p.bZeroPoint);
  volatile float sum = std::fma(ra, float(p.aZeroPoint), tb);
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

namespace {

/// aicc's CPU rule for c = a op b with b read at `bIndex(i)`: QLinearAdd as
/// above, QLinearMul as saturate(rne(f32(f32((a - a_zp)(b - b_zp)) * ratio) +
/// c_zp)) with ratio = f32(f32(a_s * b_s) / c_s) (the zero point added in
/// f32 before the rounding, as ONNX Runtime's MLAS does).
std::vector<uint8_t> referenceBinary(const QAddParams &p,
                                     const std::vector<uint8_t> &a,
                                     const std::vector<uint8_t> &b,
                                     const std::vector<int64_t> &bIndex) {
  std::vector<uint8_t> bFull(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    bFull[i] = b[bIndex[i]];
  if (!p.mul)
    return reference(p, a, bFull);
  volatile float product = p.aScale * p.bScale;
  float ratio = product / p.cScale;
  std::vector<uint8_t> c(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    int32_t av = p.aSigned ? int8_t(a[i]) : a[i];
    int32_t bv = p.bSigned ? int8_t(bFull[i]) : bFull[i];
    float prod = float(av - p.aZeroPoint) * float(bv - p.bZeroPoint);
    volatile float scaled = prod * ratio; // f32, no contraction
    float r = std::nearbyint(scaled + float(p.cZeroPoint));
    float lo = p.cSigned ? -128 : 0, hi = p.cSigned ? 127 : 255;
    c[i] = uint8_t(int32_t(std::min(std::max(r, lo), hi)));
  }
  return c;
}

/// c of shape `cShape`, b of `bShape` broadcast to it (numpy rules).
void checkBinary(QAddParams p, const std::vector<int64_t> &cShape,
                 const std::vector<int64_t> &bShape, const RnpuConfig &config,
                 unsigned seed) {
  p.elements = 1;
  for (int64_t d : cShape)
    p.elements *= d;
  int64_t bElements = 1;
  for (int64_t d : bShape)
    bElements *= d;
  if (bShape != cShape)
    ASSERT_TRUE(broadcastLevels(cShape, bShape, p.dims, p.bStrides));
  // b's index of every element of c.
  std::vector<int64_t> bIndex(p.elements);
  for (int64_t i = 0; i < p.elements; ++i) {
    int64_t rest = i, index = 0, stride = 1;
    for (size_t k = 0; k < cShape.size(); ++k) {
      size_t d = cShape.size() - 1 - k;
      int64_t coord = rest % cShape[d];
      rest /= cShape[d];
      if (k < bShape.size()) {
        int64_t bSize = bShape[bShape.size() - 1 - k];
        index += (bSize == 1 ? 0 : coord) * stride;
        stride *= bSize;
      }
    }
    bIndex[i] = index;
  }
  std::mt19937 rng(seed);
  std::vector<uint8_t> a(p.elements), b(bElements);
  for (auto &v : a)
    v = uint8_t(rng());
  for (auto &v : b)
    v = uint8_t(rng());
  RnpuEntry entry;
  std::string error;
  ASSERT_TRUE(compileQAdd(p, config, "binary", 1, entry, error)) << error;
  std::vector<uint8_t> c(p.elements, 0xEE);
  std::vector<DramBinding> bindings = {{a.data(), a.size(), false},
                                       {b.data(), b.size(), false},
                                       {c.data(), c.size(), true}};
  SimResult r = simulateProgram(config, entry.program, bindings, SimOptions());
  ASSERT_TRUE(r.status.ok()) << r.status.message;
  std::vector<uint8_t> want = referenceBinary(p, a, b, bIndex);
  size_t mismatches = 0;
  for (size_t i = 0; i < c.size(); ++i)
    mismatches += c[i] != want[i];
  EXPECT_EQ(mismatches, 0u) << "of " << c.size();
  std::vector<bool> seen(256);
  size_t distinct = 0;
  for (uint8_t v : c)
    distinct += !seen[v] ? (seen[v] = true, 1) : 0;
  EXPECT_GT(distinct, 30u);
}

QAddParams mulParams(bool aSigned, bool bSigned, bool cSigned) {
  QAddParams p;
  p.mul = true;
  p.aSigned = aSigned, p.bSigned = bSigned, p.cSigned = cSigned;
  p.aScale = 0.05f, p.bScale = 0.031f, p.cScale = 0.13f;
  p.aZeroPoint = aSigned ? -3 : 120, p.bZeroPoint = bSigned ? 5 : 131;
  p.cZeroPoint = cSigned ? 2 : 118;
  return p;
}

} // namespace

TEST(NpuEltwiseCodegen, QMulSameShapeMatchesTheCpuRule) {
  checkBinary(mulParams(false, false, false), {2, 3, 40, 50}, {2, 3, 40, 50},
              RnpuConfig(), 11);
  RnpuConfig small;
  small.actSramBytes = 8192; // many double-buffered tiles
  checkBinary(mulParams(true, false, true), {1, 7, 33, 31}, {1, 7, 33, 31},
              small, 12);
}

TEST(NpuEltwiseCodegen, BroadcastingAddAndMul) {
  QAddParams add;
  add.aScale = 0.05f, add.bScale = 0.031f, add.cScale = 0.07f;
  add.aZeroPoint = 128, add.bZeroPoint = 120, add.cZeroPoint = 125;
  // A per-channel operand (x + b[c]), a row operand, batch x channel.
  checkBinary(add, {2, 16, 9, 11}, {1, 16, 1, 1}, RnpuConfig(), 13);
  checkBinary(add, {3, 5, 7}, {7}, RnpuConfig(), 14);
  checkBinary(mulParams(false, true, false), {4, 6, 10, 3}, {1, 6, 10, 1},
              RnpuConfig(), 15);
  RnpuConfig small;
  small.actSramBytes = 4096; // tiles of a few slabs
  checkBinary(mulParams(false, false, false), {40, 8, 12}, {1, 8, 1}, small,
              16);
  std::vector<int64_t> dims, strides;
  EXPECT_FALSE(broadcastLevels({2, 3, 4, 5}, {2, 1, 4, 1}, dims, strides))
      << "four alternating levels do not fit VEC's three";
}
