//===- EltwiseCodegen.cpp - int8 QLinearAdd/Mul to an RNPU stream ---------===//
//
// Same shapes: tiles of T elements (T ≤ 65535, a VEC count, and six tiles fit ACT: a, b
// and c, double buffered). Per tile: the load queue loads a and b, the
// compute queue runs one QADD (QMUL), the store queue writes c; the
// semaphores are the conv's (in full/free, out full/free). A broadcasting
// b: see compileBroadcast.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/EltwiseCodegen.h"
#include "targets/npu/CodegenUtil.h"

#include <algorithm>
#include <cmath>

namespace aicc::npu {

using namespace aicc::rnpu;

void qaddImmediates(const QAddParams &p, float &ra, float &rb, float &k) {
  ra = p.aScale / p.cScale;
  rb = p.bScale / p.cScale;
  float za = float(p.aZeroPoint), zb = float(p.bZeroPoint);
  volatile float tb = rb * zb;      // f32, no contraction
  float sum = std::fma(ra, za, tb); // as MLAS's compiled scalar code
  k = float(p.cZeroPoint) - sum;
}

float qmulRatio(const QAddParams &p) {
  volatile float product = p.aScale * p.bScale; // f32, no contraction
  return product / p.cScale;
}

bool broadcastLevels(const std::vector<int64_t> &cShape,
                     const std::vector<int64_t> &bShape,
                     std::vector<int64_t> &dims,
                     std::vector<int64_t> &bStrides) {
  // Innermost first: (size, broadcast) per dim of c, size-1 dims dropped,
  // neighbours with the same kind merged.
  std::vector<std::pair<int64_t, bool>> levels;
  for (size_t i = 0; i < cShape.size(); ++i) {
    size_t d = cShape.size() - 1 - i;
    int64_t bSize = i < bShape.size() ? bShape[bShape.size() - 1 - i] : 1;
    if (cShape[d] == 1)
      continue;
    bool broadcast = bSize == 1;
    if (!broadcast && bSize != cShape[d])
      return false;
    if (!levels.empty() && levels.back().second == broadcast)
      levels.back().first *= cShape[d];
    else
      levels.push_back({cShape[d], broadcast});
  }
  if (levels.size() > 3)
    return false;
  dims.assign(3, 1);
  bStrides.assign(3, 0);
  int64_t stride = 1;
  for (size_t i = 0; i < levels.size(); ++i) {
    dims[i] = levels[i].first;
    if (!levels[i].second) {
      bStrides[i] = stride;
      stride *= levels[i].first;
    }
  }
  return true;
}

namespace {

int64_t tileElements(const RnpuConfig &config) {
  return std::min<int64_t>(65535, config.actSramBytes / 6);
}

/// b's elements (one past its highest index) when broadcasting.
int64_t bElementsOf(const QAddParams &p) {
  int64_t n = 1;
  for (size_t i = 0; i < p.dims.size(); ++i)
    n += (p.dims[i] - 1) * p.bStrides[i];
  return n;
}

/// Outer-level slabs per tile of a broadcasting op: b once, then two a and
/// two c buffers of k slabs in ACT.
int64_t tileSlabs(const QAddParams &p, const RnpuConfig &config) {
  int64_t slab = p.dims[0] * p.dims[1];
  int64_t free = config.actSramBytes - bElementsOf(p);
  return free <= 0 ? 0 : std::min<int64_t>({p.dims[2], 65535, free / (4 * slab)});
}

/// The QADD / QMUL of one tile.
VecInst binaryVec(const QAddParams &p) {
  VecInst v;
  v.flags = (p.aSigned ? kVecSrc0Signed : 0) |
            (p.bSigned ? kVecSrc1Signed : 0) | (p.cSigned ? kVecOutSigned : 0);
  v.dstSpace = Space::Act;
  v.src0Space = Space::Act;
  v.src1Space = Space::Act;
  if (p.mul) {
    v.op = VecOp::QMul;
    v.iImm[0] = int16_t(p.aZeroPoint);
    v.iImm[1] = int16_t(p.bZeroPoint);
    v.iImm[2] = int16_t(p.cZeroPoint);
    v.fImm[0] = qmulRatio(p);
  } else {
    v.op = VecOp::QAdd;
    qaddImmediates(p, v.fImm[0], v.fImm[1], v.fImm[2]);
  }
  return v;
}

} // namespace

std::string whyQAddUnsupported(const QAddParams &p, const RnpuConfig &config) {
  if (p.elements <= 0)
    return "empty tensors";
  if (tileElements(config) < 1)
    return "ACT SRAM is too small for six elements";
  if (p.mul) {
    if (!std::isfinite(qmulRatio(p)))
      return "the scales give a non-finite QMUL ratio";
    for (int32_t z : {p.aZeroPoint, p.bZeroPoint})
      if (z < -128 || z > 255)
        return "a zero point outside the 8-bit range";
  } else {
    float ra, rb, k;
    qaddImmediates(p, ra, rb, k);
    if (!std::isfinite(ra) || !std::isfinite(rb) || !std::isfinite(k))
      return "the scales give a non-finite QADD multiplier";
  }
  if (!p.dims.empty()) {
    if (p.dims.size() != 3 || p.bStrides.size() != 3 ||
        p.dims[0] * p.dims[1] * p.dims[2] != p.elements)
      return "internal error: inconsistent broadcast levels";
    if (p.dims[0] > 65535 || p.dims[1] > 65535)
      return "broadcast levels beyond the VEC loop limits";
    if (tileSlabs(p, config) < 1)
      return "the broadcast operand and one slab of the output do not fit "
             "the activation SRAM";
  }
  return "";
}

namespace {

/// A broadcasting b: b is loaded into ACT once; tiles of k outer-level
/// slabs of a stream through two buffers, one VEC per tile reads b with its
/// level strides (0 on broadcast levels), c goes back through two buffers.
bool compileBroadcast(const QAddParams &p, const RnpuConfig &config,
                      const std::string &name, uint16_t tag, RnpuEntry &out,
                      std::string &error) {
  const int64_t bElements = bElementsOf(p);
  const int64_t slab = p.dims[0] * p.dims[1];
  const int64_t k = tileSlabs(p, config);
  const int64_t t = k * slab;
  const uint32_t bBase = 0;
  const uint32_t aBuf[2] = {uint32_t(bElements), uint32_t(bElements + t)};
  const uint32_t cBuf[2] = {uint32_t(bElements + 2 * t),
                            uint32_t(bElements + 3 * t)};
  enum : uint8_t { kInFull, kInFree, kOutFull, kOutFree };
  enum : uint8_t { kA, kB, kC };
  out = RnpuEntry();
  std::vector<Instruction> &prog = out.program;
  auto dma = [&](uint8_t binding, uint32_t addr, int64_t offset,
                 int64_t count) {
    DmaInst d;
    d.space = Space::Act;
    d.binding = binding;
    d.sramAddr = addr;
    d.dramOffset = uint64_t(offset);
    d.size[0] = uint32_t(count);
    d.sramStride[0] = 1;
    d.dramStride[0] = 1;
    return d;
  };
  prog.push_back(Instruction::dmaLoad(dma(kB, bBase, 0, bElements), tag));
  int64_t tile = 0;
  for (int64_t s0 = 0; s0 < p.dims[2]; s0 += k, ++tile) {
    const int64_t slabs = std::min(k, p.dims[2] - s0);
    const int buf = tile % 2;
    if (tile >= 2)
      prog.push_back(Instruction::wait(Queue::Load, kInFree));
    prog.push_back(
        Instruction::dmaLoad(dma(kA, aBuf[buf], s0 * slab, slabs * slab), tag));
    prog.push_back(Instruction::signal(Queue::Load, kInFull));

    prog.push_back(Instruction::wait(Queue::Compute, kInFull));
    if (tile >= 2)
      prog.push_back(Instruction::wait(Queue::Compute, kOutFree));
    VecInst v = binaryVec(p);
    v.count[0] = uint16_t(p.dims[0]);
    v.count[1] = uint16_t(p.dims[1]);
    v.count[2] = uint16_t(slabs);
    v.src0.addr = aBuf[buf];
    v.dst.addr = cBuf[buf];
    for (VecOperand *o : {&v.src0, &v.dst}) {
      o->stride[0] = 1;
      o->stride[1] = int32_t(p.dims[0]);
      o->stride[2] = int32_t(slab);
    }
    v.src1.addr = uint32_t(bBase + s0 * p.bStrides[2]);
    for (int i = 0; i < 3; ++i)
      v.src1.stride[i] = int32_t(p.bStrides[i]);
    prog.push_back(Instruction::vecOp(v, tag));
    prog.push_back(Instruction::signal(Queue::Compute, kInFree));
    prog.push_back(Instruction::signal(Queue::Compute, kOutFull));

    prog.push_back(Instruction::wait(Queue::Store, kOutFull));
    prog.push_back(Instruction::dmaStore(
        dma(kC, cBuf[buf], s0 * slab, slabs * slab), tag));
    prog.push_back(Instruction::signal(Queue::Store, kOutFree));
  }
  prog.push_back(Instruction::end());
  out.name = name;
  out.bindingSizes = {uint64_t(p.elements), uint64_t(bElements),
                      uint64_t(p.elements)};
  out.bindingWritable = {false, false, true};
  return validateEntry(out, config, error);
}

} // namespace

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
  if (!p.dims.empty())
    return compileBroadcast(p, config, name, tag, out, error);

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
    VecInst v = binaryVec(p);
    v.count[0] = uint16_t(count);
    v.dst.addr = cBuf[b];
    v.dst.stride[0] = 1;
    v.src0.addr = aBuf[b];
    v.src0.stride[0] = 1;
    v.src1.addr = bBuf[b];
    v.src1.stride[0] = 1;
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
  return validateEntry(out, config, error);
}

} // namespace aicc::npu
