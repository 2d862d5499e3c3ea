//===- PoolCodegen.cpp - int8 MaxPool to an RNPU command stream -----------===//
//
// ACT holds two input and two output buffers of `ct` channels each: the
// input as padded planes [ct][hp][wp] (hp = (oh - 1) * sh + kh rows, the
// rows and columns outside x filled with the type's minimum by the DMA, so
// they never win a max), the output as [ct][oh][ow], which is NCHW: one
// DMA_STORE per tile. One POOL_MAX per tile: count = (ow, oh, ct), src0
// strides (sw, sh * wp, hp * wp), window (kw, kh) with strides (1, wp).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/PoolCodegen.h"
#include "targets/npu/CodegenUtil.h"

#include <algorithm>

namespace aicc::npu {

using namespace aicc::rnpu;

namespace {

struct PoolLayout {
  int64_t hp, wp, realRows, realCols, padBottom, padRight;
  int64_t inPlane, outPlane, tileChannels;
};

PoolLayout layoutOf(const MaxPoolParams &p, const RnpuConfig &config) {
  PoolLayout l;
  l.hp = (p.oh - 1) * p.strideH + p.kh;
  l.wp = (p.ow - 1) * p.strideW + p.kw;
  l.realRows = std::max<int64_t>(0, std::min(p.h, l.hp - p.padTop));
  l.realCols = std::max<int64_t>(0, std::min(p.w, l.wp - p.padLeft));
  l.padBottom = l.hp - p.padTop - l.realRows;
  l.padRight = l.wp - p.padLeft - l.realCols;
  l.inPlane = l.hp * l.wp;
  l.outPlane = p.oh * p.ow;
  l.tileChannels = std::min<int64_t>(
      {p.c, 65535, config.actSramBytes / (2 * (l.inPlane + l.outPlane))});
  return l;
}

} // namespace

std::string whyMaxPoolUnsupported(const MaxPoolParams &p,
                                  const RnpuConfig &config) {
  if (p.n < 1 || p.c < 1 || p.h < 1 || p.w < 1 || p.oh < 1 || p.ow < 1 ||
      p.kh < 1 || p.kw < 1 || p.strideH < 1 || p.strideW < 1 ||
      p.padTop < 0 || p.padLeft < 0)
    return "empty or invalid shape";
  if (p.kh > 255 || p.kw > 255)
    return "a window larger than 255 (VEC window limit)";
  if (p.oh > 65535 || p.ow > 65535)
    return "output beyond the VEC loop limits";
  // Every window must hold at least one element of x (else the CPU's max
  // of an all-padding window is -inf).
  if (p.padTop >= p.kh || p.padLeft >= p.kw ||
      (p.oh - 1) * p.strideH >= p.h + p.padTop ||
      (p.ow - 1) * p.strideW >= p.w + p.padLeft)
    return "a pooling window lies entirely in the padding";
  PoolLayout l = layoutOf(p, config);
  if (l.padBottom < 0 || l.padRight < 0)
    return "inconsistent output size";
  if (l.tileChannels < 1)
    return "one padded channel plane does not fit the activation SRAM";
  return "";
}

bool compileMaxPool(const MaxPoolParams &p, const RnpuConfig &config,
                    const std::string &name, uint16_t tag, RnpuEntry &out,
                    std::string &error) {
  error = whyMaxPoolUnsupported(p, config);
  if (!error.empty())
    return false;
  PoolLayout l = layoutOf(p, config);
  const int64_t ct = l.tileChannels;
  const uint32_t inBuf[2] = {0, uint32_t(ct * l.inPlane)};
  const uint32_t outBuf[2] = {uint32_t(2 * ct * l.inPlane),
                              uint32_t(2 * ct * l.inPlane + ct * l.outPlane)};
  enum : uint8_t { kInFull, kInFree, kOutFull, kOutFree };
  enum : uint8_t { kX, kY };

  out = RnpuEntry();
  std::vector<Instruction> &prog = out.program;
  int64_t tile = 0;
  for (int64_t n = 0; n < p.n; ++n)
    for (int64_t c0 = 0; c0 < p.c; c0 += ct, ++tile) {
      const int64_t channels = std::min(ct, p.c - c0);
      const int b = tile % 2;
      if (tile >= 2)
        prog.push_back(Instruction::wait(Queue::Load, kInFree));
      DmaInst in;
      in.space = Space::Act;
      in.binding = kX;
      in.sramAddr = inBuf[b];
      in.padValue = p.isSigned ? 0x80 : 0;
      const bool real = l.realRows > 0 && l.realCols > 0;
      in.dramOffset = uint64_t((n * p.c + c0) * p.h * p.w);
      in.size[0] = uint32_t(l.wp);
      in.padLo[0] = uint16_t(real ? p.padLeft : l.wp);
      in.padHi[0] = uint16_t(real ? l.padRight : 0);
      in.dramStride[0] = 1;
      in.sramStride[0] = 1;
      in.size[1] = uint32_t(l.hp);
      in.padLo[1] = uint16_t(real ? p.padTop : l.hp);
      in.padHi[1] = uint16_t(real ? l.padBottom : 0);
      in.dramStride[1] = p.w;
      in.sramStride[1] = int32_t(l.wp);
      in.size[2] = uint32_t(channels);
      in.dramStride[2] = p.h * p.w;
      in.sramStride[2] = int32_t(l.inPlane);
      prog.push_back(Instruction::dmaLoad(in, tag));
      prog.push_back(Instruction::signal(Queue::Load, kInFull));

      prog.push_back(Instruction::wait(Queue::Compute, kInFull));
      if (tile >= 2)
        prog.push_back(Instruction::wait(Queue::Compute, kOutFree));
      VecInst v;
      v.op = VecOp::PoolMax;
      v.flags = p.isSigned ? (kVecSrc0Signed | kVecOutSigned) : 0;
      v.dstSpace = Space::Act;
      v.src0Space = Space::Act;
      v.count[0] = uint16_t(p.ow);
      v.count[1] = uint16_t(p.oh);
      v.count[2] = uint16_t(channels);
      v.window[0] = uint8_t(p.kw);
      v.window[1] = uint8_t(p.kh);
      v.windowStride[0] = 1;
      v.windowStride[1] = int32_t(l.wp);
      v.src0.addr = inBuf[b];
      v.src0.stride[0] = int32_t(p.strideW);
      v.src0.stride[1] = int32_t(p.strideH * l.wp);
      v.src0.stride[2] = int32_t(l.inPlane);
      v.dst.addr = outBuf[b];
      v.dst.stride[0] = 1;
      v.dst.stride[1] = int32_t(p.ow);
      v.dst.stride[2] = int32_t(l.outPlane);
      prog.push_back(Instruction::vecOp(v, tag));
      prog.push_back(Instruction::signal(Queue::Compute, kInFree));
      prog.push_back(Instruction::signal(Queue::Compute, kOutFull));

      prog.push_back(Instruction::wait(Queue::Store, kOutFull));
      DmaInst st;
      st.space = Space::Act;
      st.binding = kY;
      st.sramAddr = outBuf[b];
      st.dramOffset = uint64_t((n * p.c + c0) * l.outPlane);
      st.size[0] = uint32_t(channels * l.outPlane);
      st.dramStride[0] = 1;
      st.sramStride[0] = 1;
      prog.push_back(Instruction::dmaStore(st, tag));
      prog.push_back(Instruction::signal(Queue::Store, kOutFree));
    }
  prog.push_back(Instruction::end());
  out.name = name;
  out.bindingSizes = {uint64_t(p.n * p.c * p.h * p.w),
                      uint64_t(p.n * p.c * l.outPlane)};
  out.bindingWritable = {false, true};
  return validateEntry(out, config, error);
}

} // namespace aicc::npu
