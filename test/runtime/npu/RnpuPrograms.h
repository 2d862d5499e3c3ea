//===- RnpuPrograms.h - Hand-tiled RNPU programs for the tests --*- C++ -*-===//
//
// Generators of complete RNPU programs, written the way the npu compiler
// target is meant to tile (docs/RNPU.md, "Worked example"), and naive
// reference loops that compute the same layer directly from the formulas
// of the spec (no tiling, no SRAM):
//   - a 3x3, stride 1, pad 1 conv over NHWC u8 activations with s8 weights,
//     tiled over output rows with double-buffered input and output tiles;
//   - a matmul Y[M][N] = A[M][K] x B[K][N] with zero points on both sides.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_TEST_RUNTIME_NPU_RNPUPROGRAMS_H
#define AICC_TEST_RUNTIME_NPU_RNPUPROGRAMS_H

#include "hal/npu/RnpuIsa.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace rnpu_test {

using namespace aicc::rnpu;

inline int ceilDiv(int a, int b) { return (a + b - 1) / b; }

/// requantize(acc) of docs/RNPU.md with an unsigned result.
inline uint8_t requantU8(int32_t acc, float mult, int zp, int lo = 0,
                         int hi = 255) {
  float t = std::nearbyint(float(acc) * mult) + float(zp);
  if (!(t >= float(lo)))
    return uint8_t(lo);
  if (t > float(hi))
    return uint8_t(hi);
  return uint8_t(int(t));
}

struct ConvLayer {
  int H = 8, W = 8, Cin = 16, Cout = 16;
  int xZeroPoint = 0, yZeroPoint = 0;
  bool relu = false;
  /// x [H][W][Cin] u8, w [Cout][Cin][3][3] s8, bias [Cout], mult [Cout].
  std::vector<uint8_t> x;
  std::vector<int8_t> w;
  std::vector<int32_t> bias;
  std::vector<float> mult;

  void randomize(unsigned seed) {
    std::mt19937 rng(seed);
    auto u = [&](int lo, int hi) {
      return std::uniform_int_distribution<int>(lo, hi)(rng);
    };
    x.resize(size_t(H) * W * Cin);
    w.resize(size_t(Cout) * Cin * 9);
    bias.resize(Cout);
    mult.resize(Cout);
    for (auto &v : x)
      v = uint8_t(u(0, 255));
    for (auto &v : w)
      v = int8_t(u(-127, 127));
    for (auto &v : bias)
      v = u(-20000, 20000);
    // Multipliers around 1 / (typical |acc|), so outputs use the range.
    for (auto &v : mult)
      v = float(u(1, 1000)) * 1e-6f;
  }

  /// The naive reference: y [H][W][Cout] u8.
  std::vector<uint8_t> reference() const {
    std::vector<uint8_t> y(size_t(H) * W * Cout);
    for (int h = 0; h < H; ++h)
      for (int x0 = 0; x0 < W; ++x0)
        for (int co = 0; co < Cout; ++co) {
          int32_t acc = bias[co];
          for (int kh = 0; kh < 3; ++kh)
            for (int kw = 0; kw < 3; ++kw) {
              int ih = h + kh - 1, iw = x0 + kw - 1;
              for (int ci = 0; ci < Cin; ++ci) {
                int xv = (ih < 0 || ih >= H || iw < 0 || iw >= W)
                             ? xZeroPoint
                             : x[(size_t(ih) * W + iw) * Cin + ci];
                acc += (xv - xZeroPoint) *
                       w[((size_t(co) * Cin + ci) * 3 + kh) * 3 + kw];
              }
            }
          y[(size_t(h) * W + x0) * Cout + co] =
              requantU8(acc, mult[co], yZeroPoint, relu ? yZeroPoint : 0);
        }
    return y;
  }
};

/// What a conv program needs bound: binding 0 = x, 1 = packed weights,
/// 2 = bias, 3 = multipliers, 4 = y.
struct ConvProgram {
  std::vector<Instruction> program;
  std::vector<int8_t> packedWeights;
  int tileRows = 0;
};

/// Packs w [Cout][Cin][3][3] into the GEMM block order
/// [kh][kw][cb][cob][k][c] (block = macRows x macCols, zero padded).
inline std::vector<int8_t> packConvWeights(const ConvLayer &l, int R, int C) {
  int CB = ceilDiv(l.Cin, R), COB = ceilDiv(l.Cout, C);
  std::vector<int8_t> packed(size_t(9) * CB * COB * R * C, 0);
  for (int kh = 0; kh < 3; ++kh)
    for (int kw = 0; kw < 3; ++kw)
      for (int cb = 0; cb < CB; ++cb)
        for (int cob = 0; cob < COB; ++cob)
          for (int k = 0; k < R; ++k)
            for (int c = 0; c < C; ++c) {
              int ci = cb * R + k, co = cob * C + c;
              if (ci >= l.Cin || co >= l.Cout)
                continue;
              size_t block = ((size_t(kh * 3 + kw) * CB + cb) * COB + cob);
              packed[block * R * C + size_t(k) * C + c] =
                  l.w[((size_t(co) * l.Cin + ci) * 3 + kh) * 3 + kw];
            }
  return packed;
}

/// The tiled, double-buffered program of docs/RNPU.md's worked example.
/// `tileRows` 0 picks the largest that fits the SRAMs.
inline ConvProgram buildConvProgram(const ConvLayer &l, const RnpuConfig &cfg,
                                    int tileRows = 0) {
  const int R = int(cfg.macRows), C = int(cfg.macCols);
  const int CB = ceilDiv(l.Cin, R), COB = ceilDiv(l.Cout, C);
  const int cinP = CB * R, coutP = COB * C, Wp = l.W + 2;
  const int accRowBytes = 4 * C;
  // ACC: [tile rows][W][COB] accumulator rows, then bias and multipliers.
  const int paramBytes = 2 * 4 * coutP;
  if (tileRows == 0) {
    tileRows = l.H;
    auto fits = [&](int t) {
      uint64_t acc = uint64_t(t) * l.W * COB * accRowBytes + paramBytes;
      uint64_t act =
          2 * uint64_t(t + 2) * Wp * cinP + 2 * uint64_t(t) * l.W * l.Cout;
      return acc <= cfg.accSramBytes && act <= cfg.actSramBytes;
    };
    while (tileRows > 1 && !fits(tileRows))
      --tileRows;
  }
  ConvProgram out;
  out.tileRows = tileRows;
  out.packedWeights = packConvWeights(l, R, C);
  const uint32_t inTileBytes = uint32_t(tileRows + 2) * Wp * cinP;
  const uint32_t outTileBytes = uint32_t(tileRows) * l.W * l.Cout;
  const uint32_t inBuf[2] = {0, inTileBytes};
  const uint32_t outBuf[2] = {2 * inTileBytes, 2 * inTileBytes + outTileBytes};
  const uint32_t biasAddr = uint32_t(tileRows) * l.W * COB * accRowBytes;
  const uint32_t multAddr = biasAddr + 4 * coutP;
  enum : uint8_t { kWgtReady, kInFull, kInFree, kOutFull, kOutFree };
  std::vector<Instruction> &p = out.program;

  DmaInst wl; // the whole packed weight tensor, one contiguous copy
  wl.space = Space::Wgt;
  wl.binding = 1;
  wl.size[0] = uint32_t(out.packedWeights.size());
  wl.sramStride[0] = 1;
  wl.dramStride[0] = 1;
  p.push_back(Instruction::dmaLoad(wl));
  for (int param = 0; param < 2; ++param) { // bias, then multipliers
    DmaInst d;
    d.space = Space::Acc;
    d.elemBytes = 4;
    d.binding = uint8_t(2 + param);
    d.sramAddr = param ? multAddr : biasAddr;
    d.size[0] = uint32_t(coutP);
    d.padHi[0] = uint16_t(coutP - l.Cout); // padded channels: 0, 0.0f
    d.sramStride[0] = 4;
    d.dramStride[0] = 4;
    p.push_back(Instruction::dmaLoad(d));
  }
  p.push_back(Instruction::signal(Queue::Load, kWgtReady));
  p.push_back(Instruction::wait(Queue::Compute, kWgtReady));

  int tile = 0;
  for (int h0 = 0; h0 < l.H; h0 += tileRows, ++tile) {
    const int rows = std::min(tileRows, l.H - h0);
    const int b = tile % 2;
    // Load input rows h0-1 .. h0+rows with the borders padded by x's zero
    // point: [rows+2][W+2][cinP].
    if (tile >= 2)
      p.push_back(Instruction::wait(Queue::Load, kInFree));
    DmaInst in;
    in.space = Space::Act;
    in.binding = 0;
    in.sramAddr = inBuf[b];
    in.padValue = uint32_t(l.xZeroPoint);
    in.size[0] = uint32_t(cinP);
    in.padHi[0] = uint16_t(cinP - l.Cin);
    in.sramStride[0] = 1;
    in.dramStride[0] = 1;
    in.size[1] = uint32_t(Wp);
    in.padLo[1] = 1;
    in.padHi[1] = 1;
    in.sramStride[1] = cinP;
    in.dramStride[1] = l.Cin;
    in.size[2] = uint32_t(rows + 2);
    in.padLo[2] = h0 == 0 ? 1 : 0;
    in.padHi[2] = h0 + rows >= l.H ? 1 : 0;
    in.sramStride[2] = Wp * cinP;
    in.dramStride[2] = int64_t(l.W) * l.Cin;
    in.dramOffset = uint64_t(h0 - 1 + in.padLo[2]) * l.W * l.Cin;
    p.push_back(Instruction::dmaLoad(in));
    p.push_back(Instruction::signal(Queue::Load, kInFull));

    // One GEMM per output row and output channel block: rows = the W
    // pixels, outer = kh, inner = (kw, input channel block).
    p.push_back(Instruction::wait(Queue::Compute, kInFull));
    for (int r = 0; r < rows; ++r)
      for (int cob = 0; cob < COB; ++cob) {
        GemmInst g;
        g.flags = kGemmInpUnsigned; // overwrite, u8 input, s8 weights
        g.inpZeroPoint = int16_t(l.xZeroPoint);
        g.accAddr = uint32_t((r * l.W * COB + cob) * accRowBytes);
        g.inpAddr = inBuf[b] + uint32_t(r * Wp * cinP);
        g.wgtAddr = uint32_t(cob * R * C);
        g.rows = uint16_t(l.W);
        g.accRowStride = COB * accRowBytes;
        g.inpRowStride = cinP;
        g.outer = 3;
        g.inpOuterStride = Wp * cinP;
        g.wgtOuterStride = 3 * CB * COB * R * C;
        g.inner = uint16_t(3 * CB);
        g.inpInnerStride = R;
        g.wgtInnerStride = COB * R * C;
        p.push_back(Instruction::gemmOp(g));
      }
    p.push_back(Instruction::signal(Queue::Compute, kInFree));
    // Requantize + bias (+ ReLU) into the output tile [rows][W][Cout].
    if (tile >= 2)
      p.push_back(Instruction::wait(Queue::Compute, kOutFree));
    VecInst v;
    v.op = VecOp::Requant;
    v.flags = kVecHasBias;
    v.src0Space = Space::Acc;
    v.count[0] = uint16_t(l.Cout);
    v.count[1] = uint16_t(rows * l.W);
    v.src0 = {0, {4, COB * accRowBytes, 0}};
    v.bias = {biasAddr, {4, 0, 0}};
    v.mult = {multAddr, {4, 0, 0}};
    v.dst = {outBuf[b], {1, l.Cout, 0}};
    v.iImm[0] = int16_t(l.yZeroPoint);
    v.clampLo = int16_t(l.relu ? l.yZeroPoint : 0);
    v.clampHi = 255;
    p.push_back(Instruction::vecOp(v));
    p.push_back(Instruction::signal(Queue::Compute, kOutFull));

    p.push_back(Instruction::wait(Queue::Store, kOutFull));
    DmaInst st;
    st.space = Space::Act;
    st.binding = 4;
    st.sramAddr = outBuf[b];
    st.dramOffset = uint64_t(h0) * l.W * l.Cout;
    st.size[0] = uint32_t(rows * l.W * l.Cout);
    st.sramStride[0] = 1;
    st.dramStride[0] = 1;
    p.push_back(Instruction::dmaStore(st));
    p.push_back(Instruction::signal(Queue::Store, kOutFree));
  }
  p.push_back(Instruction::end());
  return out;
}

} // namespace rnpu_test

#endif // AICC_TEST_RUNTIME_NPU_RNPUPROGRAMS_H
