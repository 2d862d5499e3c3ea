//===- EltwiseCodegen.cpp - int8 QLinearAdd to an RNPU stream -------------===//
//
// Tiles of T elements (T ≤ 65535, a VEC count, and six tiles fit ACT: a, b
// and c, double buffered). Per tile: the load queue loads a and b, the
// compute queue runs one QADD, the store queue writes c; the semaphores are
// the conv's (in full/free, out full/free).
//
//===----------------------------------------------------------------------===//

#include "targets/npu/EltwiseCodegen.h"

#include <algorithm>
#include <cmath>

namespace aicc::npu {

using namespace aicc::rnpu;

void qaddImmediates(const QAddParams &p, float &ra, float &rb, float &k) {
  ra = p.aScale / p.cScale;
  rb = p.bScale / p.cScale;
  float za = float(p.aZeroPoint), zb = float(p.bZeroPoint);
  float ta = ra * za, tb = rb * zb;
  float sum = ta + tb;
  k = float(p.cZeroPoint) - sum;
}

namespace {

int64_t tileElements(const RnpuConfig &config) {
  return std::min<int64_t>(65535, config.actSramBytes / 6);
}

} // namespace

std::string whyQAddUnsupported(const QAddParams &p, const RnpuConfig &config) {
  if (p.elements <= 0)
    return "empty tensors";
  if (tileElements(config) < 1)
    return "ACT SRAM is too small for six elements";
  float ra, rb, k;
  qaddImmediates(p, ra, rb, k);
  if (!std::isfinite(ra) || !std::isfinite(rb) || !std::isfinite(k))
    return "the scales give a non-finite QADD multiplier";
  return "";
}

bool compileQAdd(const QAddParams &p, const RnpuConfig &config,
                 const std::string &name, uint16_t tag, RnpuEntry &out,
                 std::string &error) {
  error = whyQAddUnsupported(p, config);
  if (!error.empty())
    return false;
  const int64_t t = tileElements(config);
  const uint32_t aBuf[2] = {0, uint32_t(t)};
  const uint32_t bBuf[2] = {uint32_t(2 * t), uint32_t(3 * t)};
  const uint32_t cBuf[2] = {uint32_t(4 * t), uint32_t(5 * t)};
  enum : uint8_t { kInFull, kInFree, kOutFull, kOutFree };
  enum : uint8_t { kA, kB, kC };
  float ra, rb, k;
  qaddImmediates(p, ra, rb, k);

  out = RnpuEntry();
  std::vector<Instruction> &prog = out.program;
  auto dma = [&](uint8_t binding, uint32_t addr, int64_t offset,
                 int64_t count) {
    DmaInst d;
    d.space = Space::Act;
    d.elemBytes = 1;
    d.binding = binding;
    d.sramAddr = addr;
    d.dramOffset = uint64_t(offset);
    d.size[0] = uint32_t(count);
    d.sramStride[0] = 1;
    d.dramStride[0] = 1;
    return d;
  };
  int64_t tile = 0;
  for (int64_t e0 = 0; e0 < p.elements; e0 += t, ++tile) {
    const int64_t count = std::min(t, p.elements - e0);
    const int b = tile % 2;
    if (tile >= 2)
      prog.push_back(Instruction::wait(Queue::Load, kInFree));
    prog.push_back(Instruction::dmaLoad(dma(kA, aBuf[b], e0, count), tag));
    prog.push_back(Instruction::dmaLoad(dma(kB, bBuf[b], e0, count), tag));
    prog.push_back(Instruction::signal(Queue::Load, kInFull));

    prog.push_back(Instruction::wait(Queue::Compute, kInFull));
    if (tile >= 2)
      prog.push_back(Instruction::wait(Queue::Compute, kOutFree));
    VecInst v;
    v.op = VecOp::QAdd;
    v.flags = (p.aSigned ? kVecSrc0Signed : 0) |
              (p.bSigned ? kVecSrc1Signed : 0) |
              (p.cSigned ? kVecOutSigned : 0);
    v.dstSpace = Space::Act;
    v.src0Space = Space::Act;
    v.src1Space = Space::Act;
    v.count[0] = uint16_t(count);
    v.dst.addr = cBuf[b];
    v.dst.stride[0] = 1;
    v.src0.addr = aBuf[b];
    v.src0.stride[0] = 1;
    v.src1.addr = bBuf[b];
    v.src1.stride[0] = 1;
    v.fImm[0] = ra;
    v.fImm[1] = rb;
    v.fImm[2] = k;
    prog.push_back(Instruction::vecOp(v, tag));
    prog.push_back(Instruction::signal(Queue::Compute, kInFree));
    prog.push_back(Instruction::signal(Queue::Compute, kOutFull));

    prog.push_back(Instruction::wait(Queue::Store, kOutFull));
    prog.push_back(Instruction::dmaStore(dma(kC, cBuf[b], e0, count), tag));
    prog.push_back(Instruction::signal(Queue::Store, kOutFree));
  }
  prog.push_back(Instruction::end());
  out.name = name;
  out.bindingSizes = {uint64_t(p.elements), uint64_t(p.elements),
                      uint64_t(p.elements)};
  out.bindingWritable = {false, false, true};
  for (size_t i = 0; i < prog.size(); ++i) {
    Status s = validateInstruction(prog[i], config, i);
    if (!s.ok()) {
      error = "internal error: emitted an invalid instruction: " + s.message;
      return false;
    }
  }
  return true;
}

} // namespace aicc::npu
