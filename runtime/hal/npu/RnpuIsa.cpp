//===- RnpuIsa.cpp - RNPU instruction encoding, decoding and checks -------===//
//
// The byte layout of every instruction is in docs/RNPU.md ("Binary
// encoding"); the offsets below are that table. All multi-byte fields are
// little endian and written byte by byte, so the stream is the same on any
// host. Decoding rejects anything the table does not allow, including
// non-zero reserved bytes, so that a future ISA minor version can use them.
//
//===----------------------------------------------------------------------===//

#include "hal/npu/RnpuIsa.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace aicc {
namespace rnpu {

namespace {

using i128 = __int128;

void put8(uint8_t *p, size_t off, uint8_t v) { p[off] = v; }
void put16(uint8_t *p, size_t off, uint16_t v) {
  p[off] = uint8_t(v);
  p[off + 1] = uint8_t(v >> 8);
}
void put32(uint8_t *p, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[off + i] = uint8_t(v >> (8 * i));
}
void put64(uint8_t *p, size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[off + i] = uint8_t(v >> (8 * i));
}
void putF32(uint8_t *p, size_t off, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  put32(p, off, bits);
}

uint8_t get8(const uint8_t *p, size_t off) { return p[off]; }
uint16_t get16(const uint8_t *p, size_t off) {
  return uint16_t(p[off] | (p[off + 1] << 8));
}
uint32_t get32(const uint8_t *p, size_t off) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= uint32_t(p[off + i]) << (8 * i);
  return v;
}
uint64_t get64(const uint8_t *p, size_t off) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= uint64_t(p[off + i]) << (8 * i);
  return v;
}
float getF32(const uint8_t *p, size_t off) {
  uint32_t bits = get32(p, off);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

void putOperand(uint8_t *p, size_t off, const VecOperand &o) {
  put32(p, off, o.addr);
  for (int d = 0; d < 3; ++d)
    put32(p, off + 4 + 4 * d, uint32_t(o.stride[d]));
}
VecOperand getOperand(const uint8_t *p, size_t off) {
  VecOperand o;
  o.addr = get32(p, off);
  for (int d = 0; d < 3; ++d)
    o.stride[d] = int32_t(get32(p, off + 4 + 4 * d));
  return o;
}

std::string where(size_t index, const char *op) {
  return "instruction " + std::to_string(index) + " (" + op + "): ";
}

/// Bytes [from, to) of an instruction must be zero.
bool reservedZero(const uint8_t *p, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i)
    if (p[i])
      return false;
  return true;
}

/// [lo, hi) of the bytes an affine access touches: base + sum_d i_d*s_d for
/// i_d < n_d, each access `width` bytes wide. Exact in 128 bits.
struct Extent {
  i128 lo = 0, hi = 0;
};
Extent extentOf(i128 base, const i128 *counts, const i128 *strides, int dims,
                i128 width) {
  Extent e{base, base};
  for (int d = 0; d < dims; ++d) {
    i128 span = (counts[d] - 1) * strides[d];
    if (span < 0)
      e.lo += span;
    else
      e.hi += span;
  }
  e.hi += width;
  return e;
}

std::string str128(i128 v) {
  if (v == 0)
    return "0";
  bool neg = v < 0;
  std::string s;
  while (v != 0) {
    int digit = int(v % 10);
    s.insert(s.begin(), char('0' + (digit < 0 ? -digit : digit)));
    v /= 10;
  }
  return neg ? "-" + s : s;
}

/// An error unless [e.lo, e.hi) lies in [0, size).
Status checkSram(const Extent &e, uint64_t size, Space space,
                 const std::string &prefix, const char *what) {
  if (e.lo >= 0 && e.hi <= i128(size))
    return Status::success();
  return Status::error(prefix + what + " accesses " + spaceName(space) +
                       " bytes [" + str128(e.lo) + ", " + str128(e.hi) +
                       ") outside the " + std::to_string(size) + "-byte SRAM");
}

bool isPool(VecOp op) { return op == VecOp::PoolMax || op == VecOp::PoolAvg; }

/// Whether src1 is read by `v`.
bool readsSrc1(const VecInst &v) {
  switch (v.op) {
  case VecOp::QAdd:
    return !(v.flags & kVecOneSource);
  case VecOp::QMul:
  case VecOp::Max:
  case VecOp::Min:
  case VecOp::Lut:
    return true;
  default:
    return false;
  }
}

/// Range of 8-bit values of the given signedness.
void typeRange(bool isSigned, int *lo, int *hi) {
  *lo = isSigned ? -128 : 0;
  *hi = isSigned ? 127 : 255;
}

Status checkDmaFields(const DmaInst &d, bool isLoad, const std::string &pre) {
  if (unsigned(d.space) >= kNumSpaces)
    return Status::error(pre + "bad SRAM space " +
                         std::to_string(unsigned(d.space)));
  unsigned want = d.space == Space::Acc ? 4 : 1;
  if (d.elemBytes != want)
    return Status::error(pre + "element size " + std::to_string(d.elemBytes) +
                         " for " + spaceName(d.space) + " (must be " +
                         std::to_string(want) + ")");
  uint64_t elements = d.repeat;
  if (d.repeat == 0)
    return Status::error(pre + "repeat count 0");
  for (int i = 0; i < 4; ++i) {
    if (d.size[i] == 0)
      return Status::error(pre + "size[" + std::to_string(i) + "] is 0");
    if (uint64_t(d.padLo[i]) + d.padHi[i] > d.size[i])
      return Status::error(pre + "padding of dim " + std::to_string(i) +
                           " exceeds its size");
    if (!isLoad && (d.padLo[i] || d.padHi[i]))
      return Status::error(pre + "DMA_STORE cannot pad");
    if (elements > kMaxElementsPerInstruction / d.size[i])
      return Status::error(pre + "more than 2^32 elements");
    elements *= d.size[i];
  }
  if (!isLoad && d.padValue)
    return Status::error(pre + "DMA_STORE has a pad value");
  if (d.elemBytes == 1 && d.padValue > 255)
    return Status::error(pre + "pad value " + std::to_string(d.padValue) +
                         " does not fit an 8-bit element");
  return Status::success();
}

Status checkZeroPoint(int zp, bool isUnsigned, const std::string &pre,
                      const char *what) {
  int lo = isUnsigned ? 0 : -128, hi = isUnsigned ? 255 : 127;
  if (zp < lo || zp > hi)
    return Status::error(pre + what + " zero point " + std::to_string(zp) +
                         " outside [" + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
  return Status::success();
}

Status checkGemmFields(const GemmInst &g, const std::string &pre) {
  if (g.flags & ~(kGemmAccumulate | kGemmInpUnsigned | kGemmWgtUnsigned))
    return Status::error(pre + "unknown flags");
  if (g.rows == 0 || g.outer == 0 || g.inner == 0)
    return Status::error(pre + "zero loop count");
  Status s =
      checkZeroPoint(g.inpZeroPoint, g.flags & kGemmInpUnsigned, pre, "input");
  if (!s.ok())
    return s;
  return checkZeroPoint(g.wgtZeroPoint, g.flags & kGemmWgtUnsigned, pre,
                        "weight");
}

Status checkVecFields(const VecInst &v, const std::string &pre) {
  if (v.op < VecOp::Requant || v.op > VecOp::Clamp)
    return Status::error(pre + "bad VEC op " + std::to_string(unsigned(v.op)));
  if (v.flags & ~0x3f)
    return Status::error(pre + "unknown flags");
  if (unsigned(v.dstSpace) >= kNumSpaces ||
      unsigned(v.src0Space) >= kNumSpaces ||
      unsigned(v.src1Space) >= kNumSpaces)
    return Status::error(pre + "bad SRAM space");
  for (int d = 0; d < 3; ++d)
    if (v.count[d] == 0)
      return Status::error(pre + "count[" + std::to_string(d) + "] is 0");
  if (v.window[0] == 0 || v.window[1] == 0)
    return Status::error(pre + "zero window");
  if (!isPool(v.op) && (v.window[0] != 1 || v.window[1] != 1))
    return Status::error(pre + "window on a non-pooling op");
  if (v.dstSpace != Space::Act)
    return Status::error(pre + "destination must be in ACT");
  Space want0 = v.op == VecOp::Requant ? Space::Acc : Space::Act;
  if (v.src0Space != want0)
    return Status::error(pre + "src0 must be in " + spaceName(want0));
  if (readsSrc1(v)) {
    bool ok = v.src1Space == Space::Act ||
              (v.op == VecOp::Lut && v.src1Space == Space::Wgt);
    if (!ok)
      return Status::error(pre + "src1 cannot be in " + spaceName(v.src1Space));
  }
  uint8_t allowed = kVecSrc0Signed | kVecSrc1Signed | kVecOutSigned;
  if (v.op == VecOp::Requant)
    allowed |= kVecHasBias | kVecMultImm;
  if (v.op == VecOp::QAdd)
    allowed |= kVecOneSource;
  if (v.flags & ~allowed)
    return Status::error(pre + "flag not allowed for " + vecOpName(v.op));
  bool s0 = v.flags & kVecSrc0Signed, s1 = v.flags & kVecSrc1Signed,
       out = v.flags & kVecOutSigned;
  if ((v.op == VecOp::Max || v.op == VecOp::Min) && (s0 != s1 || s0 != out))
    return Status::error(pre + "MAX/MIN operands and result must share "
                               "signedness");
  if ((v.op == VecOp::PoolMax || v.op == VecOp::Copy || v.op == VecOp::Clamp) &&
      s0 != out)
    return Status::error(pre + std::string(vecOpName(v.op)) +
                         " source and result must share signedness");
  int lo, hi;
  typeRange(out, &lo, &hi);
  if (std::max<int>(v.clampLo, lo) > std::min<int>(v.clampHi, hi))
    return Status::error(pre + "clamp [" + std::to_string(v.clampLo) + ", " +
                         std::to_string(v.clampHi) +
                         "] leaves no value of the result type");
  // Zero points of 8-bit sources (QMUL: a_zp, b_zp; POOL_AVG: x_zp) lie in
  // [-128, 255], which keeps the integer products and window sums exact in
  // int32.
  int sourceZeroPoints = v.op == VecOp::QMul      ? 2
                         : v.op == VecOp::PoolAvg ? 1
                                                  : 0;
  for (int i = 0; i < sourceZeroPoints; ++i)
    if (v.iImm[i] < -128 || v.iImm[i] > 255)
      return Status::error(pre + "source zero point " +
                           std::to_string(v.iImm[i]) + " outside [-128, 255]");
  int floats = 0;
  switch (v.op) {
  case VecOp::Requant:
    floats = (v.flags & kVecMultImm) ? 1 : 0;
    break;
  case VecOp::QAdd:
    floats = 3;
    break;
  case VecOp::QMul:
  case VecOp::PoolAvg:
    floats = 1;
    break;
  default:
    break;
  }
  for (int i = 0; i < floats; ++i)
    if (!std::isfinite(v.fImm[i]))
      return Status::error(pre + "non-finite float immediate " +
                           std::to_string(i));
  return Status::success();
}

} // namespace

const char *opcodeName(Opcode op) {
  switch (op) {
  case Opcode::DmaLoad:
    return "DMA_LOAD";
  case Opcode::DmaStore:
    return "DMA_STORE";
  case Opcode::Gemm:
    return "GEMM";
  case Opcode::Vec:
    return "VEC";
  case Opcode::Sync:
    return "SYNC";
  case Opcode::End:
    return "END";
  }
  return "?";
}

const char *spaceName(Space space) {
  switch (space) {
  case Space::Act:
    return "ACT";
  case Space::Wgt:
    return "WGT";
  case Space::Acc:
    return "ACC";
  }
  return "?";
}

const char *queueName(Queue queue) {
  switch (queue) {
  case Queue::Load:
    return "load";
  case Queue::Compute:
    return "compute";
  case Queue::Store:
    return "store";
  }
  return "?";
}

const char *vecOpName(VecOp op) {
  switch (op) {
  case VecOp::Requant:
    return "REQUANT";
  case VecOp::QAdd:
    return "QADD";
  case VecOp::QMul:
    return "QMUL";
  case VecOp::Max:
    return "MAX";
  case VecOp::Min:
    return "MIN";
  case VecOp::Lut:
    return "LUT";
  case VecOp::PoolMax:
    return "POOL_MAX";
  case VecOp::PoolAvg:
    return "POOL_AVG";
  case VecOp::Copy:
    return "COPY";
  case VecOp::Clamp:
    return "CLAMP";
  }
  return "?";
}

Queue queueOf(const Instruction &inst) {
  switch (inst.opcode) {
  case Opcode::DmaLoad:
    return Queue::Load;
  case Opcode::DmaStore:
    return Queue::Store;
  case Opcode::Sync:
    return inst.sync.queue;
  default:
    return Queue::Compute;
  }
}

namespace {
template <typename T> std::string list(const T *v, int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i)
    s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}
std::string operand(Space space, const VecOperand &o) {
  return std::string(spaceName(space)) + "[" + std::to_string(o.addr) + "]" +
         list(o.stride, 3);
}
std::string flt(float f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(f));
  return buf;
}
} // namespace

std::string disassemble(const Instruction &inst) {
  std::string s = opcodeName(inst.opcode);
  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore: {
    const DmaInst &d = inst.dma;
    bool load = inst.opcode == Opcode::DmaLoad;
    std::string sram = std::string(spaceName(d.space)) + "[" +
                       std::to_string(d.sramAddr) + "]";
    std::string dram = "b" + std::to_string(d.binding) + "[" +
                       std::to_string(d.dramOffset) + "]";
    s += " " + (load ? sram + " <- " + dram : dram + " <- " + sram);
    s += " size=" + list(d.size, 4) + " sram_stride=" + list(d.sramStride, 4) +
         " dram_stride=" + list(d.dramStride, 4);
    if (d.elemBytes != 1)
      s += " elem=" + std::to_string(d.elemBytes);
    bool pad = false;
    for (int i = 0; i < 4; ++i)
      pad = pad || d.padLo[i] || d.padHi[i];
    if (pad)
      s += " pad_lo=" + list(d.padLo, 4) + " pad_hi=" + list(d.padHi, 4) +
           " pad_value=" + std::to_string(d.padValue);
    if (d.repeat != 1)
      s += " repeat=" + std::to_string(d.repeat) +
           " sram_repeat_stride=" + std::to_string(d.sramRepeatStride) +
           " dram_repeat_stride=" + std::to_string(d.dramRepeatStride);
    break;
  }
  case Opcode::Gemm: {
    const GemmInst &g = inst.gemm;
    s += std::string(g.flags & kGemmAccumulate ? " acc+=" : " acc=") + "ACC[" +
         std::to_string(g.accAddr) + "] inp=ACT[" + std::to_string(g.inpAddr) +
         "] wgt=WGT[" + std::to_string(g.wgtAddr) +
         "] rows=" + std::to_string(g.rows) + " (acc " +
         std::to_string(g.accRowStride) + ", inp " +
         std::to_string(g.inpRowStride) + ") outer=" + std::to_string(g.outer) +
         " (acc " + std::to_string(g.accOuterStride) + ", inp " +
         std::to_string(g.inpOuterStride) + ", wgt " +
         std::to_string(g.wgtOuterStride) +
         ") inner=" + std::to_string(g.inner) + " (acc " +
         std::to_string(g.accInnerStride) + ", inp " +
         std::to_string(g.inpInnerStride) + ", wgt " +
         std::to_string(g.wgtInnerStride) + ") " +
         (g.flags & kGemmInpUnsigned ? "u8" : "s8") + "-" +
         std::to_string(g.inpZeroPoint) + " x " +
         (g.flags & kGemmWgtUnsigned ? "u8" : "s8") + "-" +
         std::to_string(g.wgtZeroPoint);
    break;
  }
  case Opcode::Vec: {
    const VecInst &v = inst.vec;
    s += std::string(" ") + vecOpName(v.op) + " count=" + list(v.count, 3) +
         " dst=" + operand(v.dstSpace, v.dst) +
         " src0=" + operand(v.src0Space, v.src0);
    if (readsSrc1(v))
      s += " src1=" + operand(v.src1Space, v.src1);
    if (isPool(v.op))
      s += " window=" + list(v.window, 2) + list(v.windowStride, 2);
    if (v.op == VecOp::Requant) {
      s += (v.flags & kVecMultImm) ? " mult=" + flt(v.fImm[0])
                                   : " mult=" + operand(Space::Acc, v.mult);
      if (v.flags & kVecHasBias)
        s += " bias=" + operand(Space::Acc, v.bias);
    } else if (v.op == VecOp::QAdd || v.op == VecOp::QMul ||
               v.op == VecOp::PoolAvg) {
      s += " f=" + flt(v.fImm[0]);
      if (v.op == VecOp::QAdd)
        s += "," + flt(v.fImm[1]) + "," + flt(v.fImm[2]);
    }
    s += " i=" + list(v.iImm, 3) + " clamp=[" + std::to_string(v.clampLo) +
         "," + std::to_string(v.clampHi) + "] " +
         (v.flags & kVecSrc0Signed ? "s8" : "u8") + "->" +
         (v.flags & kVecOutSigned ? "s8" : "u8");
    break;
  }
  case Opcode::Sync:
    s += std::string(" ") + queueName(inst.sync.queue) +
         (inst.sync.kind == SyncKind::Wait ? " wait" : " signal") + " s" +
         std::to_string(inst.sync.semaphore) +
         (inst.sync.count != 1 ? " x" + std::to_string(inst.sync.count) : "");
    break;
  case Opcode::End:
    break;
  }
  if (inst.tag)
    s += " tag=" + std::to_string(inst.tag);
  return s;
}

Instruction Instruction::dmaLoad(const DmaInst &d, uint16_t tag) {
  Instruction i;
  i.opcode = Opcode::DmaLoad;
  i.tag = tag;
  i.dma = d;
  return i;
}
Instruction Instruction::dmaStore(const DmaInst &d, uint16_t tag) {
  Instruction i = dmaLoad(d, tag);
  i.opcode = Opcode::DmaStore;
  return i;
}
Instruction Instruction::gemmOp(const GemmInst &g, uint16_t tag) {
  Instruction i;
  i.opcode = Opcode::Gemm;
  i.tag = tag;
  i.gemm = g;
  return i;
}
Instruction Instruction::vecOp(const VecInst &v, uint16_t tag) {
  Instruction i;
  i.opcode = Opcode::Vec;
  i.tag = tag;
  i.vec = v;
  return i;
}
Instruction Instruction::signal(Queue q, uint8_t sem, uint16_t count) {
  Instruction i;
  i.opcode = Opcode::Sync;
  i.sync = {q, SyncKind::Signal, sem, count};
  return i;
}
Instruction Instruction::wait(Queue q, uint8_t sem, uint16_t count) {
  Instruction i = signal(q, sem, count);
  i.sync.kind = SyncKind::Wait;
  return i;
}
Instruction Instruction::end() { return Instruction(); }

void encodeInstruction(const Instruction &inst, uint8_t *p) {
  std::memset(p, 0, kInstructionBytes);
  put8(p, 0, uint8_t(inst.opcode));
  put16(p, 2, inst.tag);
  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore: {
    const DmaInst &d = inst.dma;
    put8(p, 1, uint8_t(d.space));
    put8(p, 4, d.elemBytes);
    put8(p, 5, d.binding);
    put64(p, 8, d.dramOffset);
    put32(p, 16, d.sramAddr);
    put32(p, 20, d.padValue);
    for (int i = 0; i < 4; ++i) {
      put32(p, 24 + 4 * i, d.size[i]);
      put64(p, 40 + 8 * i, uint64_t(d.dramStride[i]));
      put32(p, 72 + 4 * i, uint32_t(d.sramStride[i]));
      put16(p, 88 + 2 * i, d.padLo[i]);
      put16(p, 96 + 2 * i, d.padHi[i]);
    }
    put32(p, 104, d.repeat);
    put32(p, 108, uint32_t(d.sramRepeatStride));
    put64(p, 112, uint64_t(d.dramRepeatStride));
    break;
  }
  case Opcode::Gemm: {
    const GemmInst &g = inst.gemm;
    put8(p, 1, g.flags);
    put16(p, 4, uint16_t(g.inpZeroPoint));
    put16(p, 6, uint16_t(g.wgtZeroPoint));
    put32(p, 8, g.accAddr);
    put32(p, 12, g.inpAddr);
    put32(p, 16, g.wgtAddr);
    put16(p, 20, g.rows);
    put16(p, 22, g.outer);
    put16(p, 24, g.inner);
    const int32_t strides[8] = {
        g.accRowStride,   g.inpRowStride,   g.accOuterStride, g.inpOuterStride,
        g.wgtOuterStride, g.accInnerStride, g.inpInnerStride, g.wgtInnerStride};
    for (int i = 0; i < 8; ++i)
      put32(p, 28 + 4 * i, uint32_t(strides[i]));
    break;
  }
  case Opcode::Vec: {
    const VecInst &v = inst.vec;
    put8(p, 1, uint8_t(v.op));
    put8(p, 4, v.flags);
    put8(p, 5, uint8_t(v.dstSpace));
    put8(p, 6, uint8_t(v.src0Space));
    put8(p, 7, uint8_t(v.src1Space));
    for (int d = 0; d < 3; ++d)
      put16(p, 8 + 2 * d, v.count[d]);
    put8(p, 14, v.window[0]);
    put8(p, 15, v.window[1]);
    putOperand(p, 16, v.dst);
    putOperand(p, 32, v.src0);
    putOperand(p, 48, v.src1);
    putOperand(p, 64, v.mult);
    putOperand(p, 80, v.bias);
    put32(p, 96, uint32_t(v.windowStride[0]));
    put32(p, 100, uint32_t(v.windowStride[1]));
    for (int i = 0; i < 3; ++i)
      put16(p, 104 + 2 * i, uint16_t(v.iImm[i]));
    put16(p, 110, uint16_t(v.clampLo));
    put16(p, 112, uint16_t(v.clampHi));
    for (int i = 0; i < 3; ++i)
      putF32(p, 116 + 4 * i, v.fImm[i]);
    break;
  }
  case Opcode::Sync:
    put8(p, 1, uint8_t(inst.sync.queue));
    put8(p, 4, uint8_t(inst.sync.kind));
    put8(p, 5, inst.sync.semaphore);
    put16(p, 6, inst.sync.count);
    break;
  case Opcode::End:
    break;
  }
}

std::vector<uint8_t> encodeProgram(const std::vector<Instruction> &program) {
  std::vector<uint8_t> out(kHeaderBytes + program.size() * kInstructionBytes);
  put32(out.data(), 0, kMagic);
  put16(out.data(), 4, kIsaVersionMajor);
  put16(out.data(), 6, kIsaVersionMinor);
  put32(out.data(), 8, uint32_t(program.size()));
  put16(out.data(), 12, uint16_t(kInstructionBytes));
  for (size_t i = 0; i < program.size(); ++i)
    encodeInstruction(program[i],
                      out.data() + kHeaderBytes + i * kInstructionBytes);
  return out;
}

Status decodeInstruction(const uint8_t *p, size_t index, Instruction *out) {
  Instruction inst;
  uint8_t opcode = get8(p, 0);
  if (opcode < uint8_t(Opcode::DmaLoad) || opcode > uint8_t(Opcode::End))
    return Status::error("instruction " + std::to_string(index) +
                         ": bad opcode " + std::to_string(opcode));
  inst.opcode = Opcode(opcode);
  inst.tag = get16(p, 2);
  std::string pre = where(index, opcodeName(inst.opcode));
  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore: {
    DmaInst &d = inst.dma;
    d.space = Space(get8(p, 1));
    d.elemBytes = get8(p, 4);
    d.binding = get8(p, 5);
    if (!reservedZero(p, 6, 8) || !reservedZero(p, 120, 128))
      return Status::error(pre + "reserved bytes are not zero");
    d.dramOffset = get64(p, 8);
    d.sramAddr = get32(p, 16);
    d.padValue = get32(p, 20);
    for (int i = 0; i < 4; ++i) {
      d.size[i] = get32(p, 24 + 4 * i);
      d.dramStride[i] = int64_t(get64(p, 40 + 8 * i));
      d.sramStride[i] = int32_t(get32(p, 72 + 4 * i));
      d.padLo[i] = get16(p, 88 + 2 * i);
      d.padHi[i] = get16(p, 96 + 2 * i);
    }
    d.repeat = get32(p, 104);
    d.sramRepeatStride = int32_t(get32(p, 108));
    d.dramRepeatStride = int64_t(get64(p, 112));
    Status s = checkDmaFields(d, inst.opcode == Opcode::DmaLoad, pre);
    if (!s.ok())
      return s;
    break;
  }
  case Opcode::Gemm: {
    GemmInst &g = inst.gemm;
    g.flags = get8(p, 1);
    g.inpZeroPoint = int16_t(get16(p, 4));
    g.wgtZeroPoint = int16_t(get16(p, 6));
    g.accAddr = get32(p, 8);
    g.inpAddr = get32(p, 12);
    g.wgtAddr = get32(p, 16);
    g.rows = get16(p, 20);
    g.outer = get16(p, 22);
    g.inner = get16(p, 24);
    if (!reservedZero(p, 26, 28) || !reservedZero(p, 60, 128))
      return Status::error(pre + "reserved bytes are not zero");
    int32_t *strides[8] = {&g.accRowStride,   &g.inpRowStride,
                           &g.accOuterStride, &g.inpOuterStride,
                           &g.wgtOuterStride, &g.accInnerStride,
                           &g.inpInnerStride, &g.wgtInnerStride};
    for (int i = 0; i < 8; ++i)
      *strides[i] = int32_t(get32(p, 28 + 4 * i));
    Status s = checkGemmFields(g, pre);
    if (!s.ok())
      return s;
    break;
  }
  case Opcode::Vec: {
    VecInst &v = inst.vec;
    v.op = VecOp(get8(p, 1));
    v.flags = get8(p, 4);
    v.dstSpace = Space(get8(p, 5));
    v.src0Space = Space(get8(p, 6));
    v.src1Space = Space(get8(p, 7));
    for (int d = 0; d < 3; ++d)
      v.count[d] = get16(p, 8 + 2 * d);
    v.window[0] = get8(p, 14);
    v.window[1] = get8(p, 15);
    v.dst = getOperand(p, 16);
    v.src0 = getOperand(p, 32);
    v.src1 = getOperand(p, 48);
    v.mult = getOperand(p, 64);
    v.bias = getOperand(p, 80);
    v.windowStride[0] = int32_t(get32(p, 96));
    v.windowStride[1] = int32_t(get32(p, 100));
    for (int i = 0; i < 3; ++i)
      v.iImm[i] = int16_t(get16(p, 104 + 2 * i));
    v.clampLo = int16_t(get16(p, 110));
    v.clampHi = int16_t(get16(p, 112));
    if (!reservedZero(p, 114, 116))
      return Status::error(pre + "reserved bytes are not zero");
    for (int i = 0; i < 3; ++i)
      v.fImm[i] = getF32(p, 116 + 4 * i);
    Status s = checkVecFields(v, pre);
    if (!s.ok())
      return s;
    break;
  }
  case Opcode::Sync: {
    SyncInst &y = inst.sync;
    uint8_t queue = get8(p, 1), kind = get8(p, 4);
    if (queue >= kNumQueues)
      return Status::error(pre + "bad queue " + std::to_string(queue));
    if (kind > uint8_t(SyncKind::Wait))
      return Status::error(pre + "bad kind " + std::to_string(kind));
    y.queue = Queue(queue);
    y.kind = SyncKind(kind);
    y.semaphore = get8(p, 5);
    y.count = get16(p, 6);
    if (y.count == 0)
      return Status::error(pre + "count 0");
    if (!reservedZero(p, 8, 128))
      return Status::error(pre + "reserved bytes are not zero");
    break;
  }
  case Opcode::End:
    if (!reservedZero(p, 1, 2) || !reservedZero(p, 4, 128))
      return Status::error(pre + "reserved bytes are not zero");
    break;
  }
  *out = inst;
  return Status::success();
}

Status decodeProgram(const uint8_t *data, size_t size,
                     std::vector<Instruction> *out) {
  out->clear();
  if (!data || size < kHeaderBytes)
    return Status::error("command stream: shorter than its 16-byte header");
  if (get32(data, 0) != kMagic)
    return Status::error("command stream: bad magic (not an RNPU program)");
  uint16_t major = get16(data, 4), minor = get16(data, 6);
  if (major != kIsaVersionMajor || minor > kIsaVersionMinor)
    return Status::error("command stream: ISA version " +
                         std::to_string(major) + "." + std::to_string(minor) +
                         " is not supported (this simulator implements " +
                         std::to_string(kIsaVersionMajor) + "." +
                         std::to_string(kIsaVersionMinor) + ")");
  uint32_t count = get32(data, 8);
  if (get16(data, 12) != kInstructionBytes || get16(data, 14) != 0)
    return Status::error("command stream: bad instruction size or reserved "
                         "header bytes");
  if ((size - kHeaderBytes) % kInstructionBytes != 0 ||
      (size - kHeaderBytes) / kInstructionBytes != count)
    return Status::error("command stream: " + std::to_string(size) +
                         " bytes do not hold the " + std::to_string(count) +
                         " instructions of its header");
  if (count == 0)
    return Status::error("command stream: no instructions (END missing)");
  out->resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    Status s = decodeInstruction(
        data + kHeaderBytes + size_t(i) * kInstructionBytes, i, &(*out)[i]);
    if (!s.ok()) {
      out->clear();
      return s;
    }
    bool isEnd = (*out)[i].opcode == Opcode::End;
    if (isEnd != (i + 1 == count)) {
      out->clear();
      return Status::error(isEnd ? "instruction " + std::to_string(i) +
                                       " (END): instructions after END"
                                 : "command stream: does not end with END");
    }
  }
  return Status::success();
}

Status validateInstruction(const Instruction &inst, const RnpuConfig &cfg,
                           size_t index) {
  std::string pre = where(index, opcodeName(inst.opcode));
  const uint64_t sramBytes[kNumSpaces] = {cfg.actSramBytes, cfg.wgtSramBytes,
                                          cfg.accSramBytes};
  const i128 R = cfg.macRows, C = cfg.macCols;
  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore: {
    const DmaInst &d = inst.dma;
    Status s = checkDmaFields(d, inst.opcode == Opcode::DmaLoad, pre);
    if (!s.ok())
      return s;
    if (d.space == Space::Acc) {
      bool aligned = d.sramAddr % 4 == 0 && d.sramRepeatStride % 4 == 0;
      for (int i = 0; i < 4; ++i)
        aligned = aligned && d.sramStride[i] % 4 == 0;
      if (!aligned)
        return Status::error(pre + "ACC address or stride not a multiple "
                                   "of 4");
    }
    i128 counts[5], strides[5];
    for (int i = 0; i < 4; ++i) {
      counts[i] = d.size[i];
      strides[i] = d.sramStride[i];
    }
    counts[4] = d.repeat;
    strides[4] = d.sramRepeatStride;
    return checkSram(extentOf(d.sramAddr, counts, strides, 5, d.elemBytes),
                     sramBytes[unsigned(d.space)], d.space, pre,
                     "the SRAM side");
  }
  case Opcode::Gemm: {
    const GemmInst &g = inst.gemm;
    Status s = checkGemmFields(g, pre);
    if (!s.ok())
      return s;
    if (g.accAddr % 4 || g.accRowStride % 4 || g.accOuterStride % 4 ||
        g.accInnerStride % 4)
      return Status::error(pre + "ACC address or stride not a multiple of 4");
    i128 counts[3] = {g.rows, g.outer, g.inner};
    i128 acc[3] = {g.accRowStride, g.accOuterStride, g.accInnerStride};
    i128 inp[3] = {g.inpRowStride, g.inpOuterStride, g.inpInnerStride};
    i128 wgt[2] = {g.wgtOuterStride, g.wgtInnerStride};
    if (!(s = checkSram(extentOf(g.accAddr, counts, acc, 3, 4 * C),
                        cfg.accSramBytes, Space::Acc, pre, "the accumulator"))
             .ok() ||
        !(s = checkSram(extentOf(g.inpAddr, counts, inp, 3, R),
                        cfg.actSramBytes, Space::Act, pre, "the input"))
             .ok())
      return s;
    return checkSram(extentOf(g.wgtAddr, counts + 1, wgt, 2, R * C),
                     cfg.wgtSramBytes, Space::Wgt, pre, "the weight");
  }
  case Opcode::Vec: {
    const VecInst &v = inst.vec;
    Status s = checkVecFields(v, pre);
    if (!s.ok())
      return s;
    i128 counts[5] = {v.count[0], v.count[1], v.count[2], v.window[0],
                      v.window[1]};
    auto check = [&](const VecOperand &o, Space space, i128 width, bool window,
                     const char *what) {
      i128 strides[5] = {o.stride[0], o.stride[1], o.stride[2],
                         v.windowStride[0], v.windowStride[1]};
      if (width == 4 &&
          (o.addr % 4 || o.stride[0] % 4 || o.stride[1] % 4 || o.stride[2] % 4))
        return Status::error(pre + what +
                             ": ACC address or stride not a "
                             "multiple of 4");
      return checkSram(extentOf(o.addr, counts, strides, window ? 5 : 3, width),
                       sramBytes[unsigned(space)], space, pre, what);
    };
    bool requant = v.op == VecOp::Requant;
    if (!(s = check(v.dst, v.dstSpace, 1, false, "the destination")).ok() ||
        !(s = check(v.src0, v.src0Space, requant ? 4 : 1, isPool(v.op), "src0"))
             .ok())
      return s;
    if (v.op == VecOp::Lut) {
      if (v.src1.addr + uint64_t(256) > sramBytes[unsigned(v.src1Space)])
        return Status::error(pre + "the table lies outside " +
                             spaceName(v.src1Space));
    } else if (readsSrc1(v) &&
               !(s = check(v.src1, v.src1Space, 1, false, "src1")).ok()) {
      return s;
    }
    if (requant && !(v.flags & kVecMultImm) &&
        !(s = check(v.mult, Space::Acc, 4, false, "the multiplier")).ok())
      return s;
    if (requant && (v.flags & kVecHasBias) &&
        !(s = check(v.bias, Space::Acc, 4, false, "the bias")).ok())
      return s;
    return Status::success();
  }
  case Opcode::Sync:
    if (inst.sync.semaphore >= cfg.numSemaphores)
      return Status::error(pre + "semaphore " +
                           std::to_string(inst.sync.semaphore) +
                           " does not exist (" +
                           std::to_string(cfg.numSemaphores) + " semaphores)");
    return Status::success();
  case Opcode::End:
    return Status::success();
  }
  return Status::error(pre + "bad opcode");
}

} // namespace rnpu
} // namespace aicc
