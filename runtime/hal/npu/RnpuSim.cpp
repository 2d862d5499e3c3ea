//===- RnpuSim.cpp - Functional and timing simulator of the RNPU ----------===//
//
// The timeline: each queue has the cycle at which it becomes free; the next
// instruction to run is the queue head that can start earliest (a SYNC wait
// can start once its semaphore holds enough signals, at the cycle of the
// last signal it consumes). The functional effect of an instruction is
// applied when it starts, so the functional order is the timing order; for
// a program whose queues are correctly synchronized it is also the order
// of any real execution. Accesses that would be unordered on hardware (a
// byte accessed by two queues during overlapping cycles, one of them
// writing) are reported as races instead.
//
// Integer arithmetic is done in uint32_t where int32 wraps (two's
// complement, as aicc's CPU code wraps); float steps follow docs/RNPU.md
// literally in float or double, never contracted (see CMakeLists.txt).
//
//===----------------------------------------------------------------------===//

#include "hal/npu/RnpuSim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>

namespace aicc {
namespace rnpu {

namespace {

using i128 = __int128;

/// Signals of one semaphore not yet consumed: (cycle, count) in order.
struct Semaphore {
  std::deque<std::pair<uint64_t, uint64_t>> pending;
  uint64_t available = 0;
};

class Simulator {
public:
  Simulator(const RnpuConfig &config, const std::vector<DramBinding> &bindings,
            const SimOptions &options)
      : cfg_(config), bindings_(bindings), options_(options) {}

  SimResult run(const std::vector<Instruction> &program);

private:
  /// Allocates the SRAMs and their bookkeeping (after the config is valid).
  void allocate() {
    const uint64_t sizes[kNumSpaces] = {cfg_.actSramBytes, cfg_.wgtSramBytes,
                                        cfg_.accSramBytes};
    for (unsigned s = 0; s < kNumSpaces; ++s) {
      mem_[s].assign(sizes[s], 0);
      init_[s].assign(sizes[s], 0);
      if (options_.checkRaces) {
        writeEnd_[s].assign(sizes[s], 0);
        writeQueue_[s].assign(sizes[s], 0);
        readEnd_[s].assign(sizes[s], 0);
        readQueue_[s].assign(sizes[s], 0);
      }
    }
  }

  Status checkDram(const Instruction &inst, size_t index) const;
  void execute(const Instruction &inst);
  void dma(const DmaInst &d, bool isLoad);
  void gemm(const GemmInst &g);
  void vec(const VecInst &v);

  /// Checks and returns SRAM bytes [addr, addr + len) for reading by the
  /// current instruction; null after an error.
  const uint8_t *readSram(Space space, int64_t addr, size_t len,
                          const char *what);
  uint8_t *writeSram(Space space, int64_t addr, size_t len);
  void fail(const std::string &message) {
    if (error_.empty())
      error_ = prefix() + message;
  }
  std::string prefix() const {
    return "instruction " + std::to_string(curIndex_) + " (" +
           opcodeName(curOpcode_) + ", " + queueName(curQueue_) +
           " queue, cycle " + std::to_string(curStart_) + "): ";
  }
  std::string describe(Space space, int64_t addr) const {
    return std::string(spaceName(space)) + "[" + std::to_string(addr) + "]";
  }

  const RnpuConfig &cfg_;
  const std::vector<DramBinding> &bindings_;
  SimOptions options_;
  std::vector<uint8_t> mem_[kNumSpaces], init_[kNumSpaces];
  std::vector<uint64_t> writeEnd_[kNumSpaces], readEnd_[kNumSpaces];
  std::vector<uint8_t> writeQueue_[kNumSpaces], readQueue_[kNumSpaces];
  std::vector<int32_t> weightScratch_;
  std::string error_;
  Counters counters_;
  // The instruction being executed.
  size_t curIndex_ = 0;
  Opcode curOpcode_ = Opcode::End;
  Queue curQueue_ = Queue::Load;
  uint64_t curStart_ = 0, curEnd_ = 0;
  uint64_t curMacs_ = 0, curDramRead_ = 0, curDramWritten_ = 0;
};

const uint8_t *Simulator::readSram(Space space, int64_t addr, size_t len,
                                   const char *what) {
  unsigned s = unsigned(space);
  // validateInstruction proved the bounds; keep a cheap guard regardless.
  if (addr < 0 || uint64_t(addr) + len > mem_[s].size()) {
    fail(std::string(what) + " reads " + describe(space, addr) +
         " outside the SRAM");
    return nullptr;
  }
  for (size_t i = 0; i < len; ++i) {
    size_t a = size_t(addr) + i;
    if (!init_[s][a]) {
      fail(std::string(what) + " reads " + describe(space, int64_t(a)) +
           ", which was never written");
      return nullptr;
    }
    if (!options_.checkRaces)
      continue;
    uint8_t q = uint8_t(curQueue_);
    if (writeQueue_[s][a] != q && writeEnd_[s][a] > curStart_) {
      fail(std::string(what) + " reads " + describe(space, int64_t(a)) +
           " while the " + queueName(Queue(writeQueue_[s][a])) +
           " queue writes it until cycle " + std::to_string(writeEnd_[s][a]) +
           " (missing SYNC)");
      return nullptr;
    }
    if (readQueue_[s][a] == q || readEnd_[s][a] <= curStart_ ||
        readEnd_[s][a] < curEnd_) {
      readEnd_[s][a] = std::max(readEnd_[s][a], curEnd_);
      readQueue_[s][a] = q;
    }
  }
  return mem_[s].data() + addr;
}

uint8_t *Simulator::writeSram(Space space, int64_t addr, size_t len) {
  unsigned s = unsigned(space);
  if (addr < 0 || uint64_t(addr) + len > mem_[s].size()) {
    fail("writes " + describe(space, addr) + " outside the SRAM");
    return nullptr;
  }
  for (size_t i = 0; i < len; ++i) {
    size_t a = size_t(addr) + i;
    init_[s][a] = 1;
    if (!options_.checkRaces)
      continue;
    uint8_t q = uint8_t(curQueue_);
    if (writeQueue_[s][a] != q && writeEnd_[s][a] > curStart_) {
      fail("writes " + describe(space, int64_t(a)) + " while the " +
           queueName(Queue(writeQueue_[s][a])) +
           " queue writes it until cycle " + std::to_string(writeEnd_[s][a]) +
           " (missing SYNC)");
      return nullptr;
    }
    if (readQueue_[s][a] != q && readEnd_[s][a] > curStart_) {
      fail("writes " + describe(space, int64_t(a)) + " while the " +
           queueName(Queue(readQueue_[s][a])) + " queue reads it until cycle " +
           std::to_string(readEnd_[s][a]) + " (missing SYNC)");
      return nullptr;
    }
    writeEnd_[s][a] = curEnd_;
    writeQueue_[s][a] = q;
  }
  counters_.sramHighWater[s] =
      std::max<uint64_t>(counters_.sramHighWater[s], uint64_t(addr) + len);
  return mem_[s].data() + addr;
}

/// The DRAM bytes a DMA touches lie in its binding (checked before running).
Status Simulator::checkDram(const Instruction &inst, size_t index) const {
  std::vector<uint64_t> sizes;
  std::vector<bool> writable;
  for (const DramBinding &b : bindings_) {
    // A null buffer can only back an empty binding.
    sizes.push_back(b.data ? b.size : 0);
    writable.push_back(b.writable);
  }
  return checkDmaAgainstBindings(inst, index, sizes, writable);
}

void Simulator::dma(const DmaInst &d, bool isLoad) {
  const unsigned e = d.elemBytes;
  uint8_t padBytes[4];
  for (unsigned i = 0; i < 4; ++i)
    padBytes[i] = uint8_t(d.padValue >> (8 * i));
  uint8_t *dram = bindings_[d.binding].data;
  for (uint32_t r = 0; r < d.repeat; ++r)
    for (uint32_t i3 = 0; i3 < d.size[3]; ++i3)
      for (uint32_t i2 = 0; i2 < d.size[2]; ++i2)
        for (uint32_t i1 = 0; i1 < d.size[1]; ++i1)
          for (uint32_t i0 = 0; i0 < d.size[0]; ++i0) {
            const uint32_t idx[4] = {i0, i1, i2, i3};
            int64_t s = int64_t(d.sramAddr) + int64_t(r) * d.sramRepeatStride;
            int64_t m = int64_t(d.dramOffset) + int64_t(r) * d.dramRepeatStride;
            bool padded = false;
            for (int k = 0; k < 4; ++k) {
              s += int64_t(idx[k]) * d.sramStride[k];
              if (idx[k] < d.padLo[k] || idx[k] >= d.size[k] - d.padHi[k])
                padded = true;
              else
                m += (int64_t(idx[k]) - d.padLo[k]) * d.dramStride[k];
            }
            if (isLoad) {
              uint8_t *dst = writeSram(d.space, s, e);
              if (!dst)
                return;
              if (padded) {
                std::memcpy(dst, padBytes, e);
              } else {
                std::memcpy(dst, dram + m, e);
                curDramRead_ += e;
              }
            } else {
              const uint8_t *src = readSram(d.space, s, e, "DMA_STORE");
              if (!src)
                return;
              std::memcpy(dram + m, src, e);
              curDramWritten_ += e;
            }
          }
}

int32_t load32(const uint8_t *p) {
  uint32_t v = uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
               uint32_t(p[3]) << 24;
  return int32_t(v);
}
void store32(uint8_t *p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
  p[3] = uint8_t(v >> 24);
}

void Simulator::gemm(const GemmInst &g) {
  const unsigned R = cfg_.macRows, C = cfg_.macCols;
  auto accRow = [&](uint32_t j0, uint32_t j1, uint32_t n) {
    return int64_t(g.accAddr) + int64_t(j0) * g.accOuterStride +
           int64_t(j1) * g.accInnerStride + int64_t(n) * g.accRowStride;
  };
  if (!(g.flags & kGemmAccumulate)) {
    for (uint32_t j0 = 0; j0 < g.outer; ++j0)
      for (uint32_t j1 = 0; j1 < g.inner; ++j1)
        for (uint32_t n = 0; n < g.rows; ++n) {
          uint8_t *acc = writeSram(Space::Acc, accRow(j0, j1, n), 4 * C);
          if (!acc)
            return;
          std::memset(acc, 0, 4 * C);
        }
  }
  bool inpUnsigned = g.flags & kGemmInpUnsigned;
  bool wgtUnsigned = g.flags & kGemmWgtUnsigned;
  weightScratch_.resize(size_t(R) * C);
  int32_t x[256];
  for (uint32_t j0 = 0; j0 < g.outer; ++j0)
    for (uint32_t j1 = 0; j1 < g.inner; ++j1) {
      int64_t w = int64_t(g.wgtAddr) + int64_t(j0) * g.wgtOuterStride +
                  int64_t(j1) * g.wgtInnerStride;
      const uint8_t *wgt = readSram(Space::Wgt, w, size_t(R) * C, "GEMM");
      if (!wgt)
        return;
      for (size_t i = 0; i < size_t(R) * C; ++i)
        weightScratch_[i] =
            (wgtUnsigned ? int32_t(wgt[i]) : int32_t(int8_t(wgt[i]))) -
            g.wgtZeroPoint;
      for (uint32_t n = 0; n < g.rows; ++n) {
        int64_t xa = int64_t(g.inpAddr) + int64_t(j0) * g.inpOuterStride +
                     int64_t(j1) * g.inpInnerStride +
                     int64_t(n) * g.inpRowStride;
        const uint8_t *inp = readSram(Space::Act, xa, R, "GEMM");
        if (!inp)
          return;
        int64_t aa = accRow(j0, j1, n);
        if (!readSram(Space::Acc, aa, 4 * C, "GEMM"))
          return;
        uint8_t *acc = writeSram(Space::Acc, aa, 4 * C);
        if (!acc)
          return;
        for (unsigned k = 0; k < R; ++k)
          x[k] = (inpUnsigned ? int32_t(inp[k]) : int32_t(int8_t(inp[k]))) -
                 g.inpZeroPoint;
        for (unsigned c = 0; c < C; ++c) {
          // |x|, |w| <= 255: a row sum fits int64 for any R this models.
          int64_t sum = 0;
          for (unsigned k = 0; k < R; ++k)
            sum += int64_t(x[k]) * weightScratch_[size_t(k) * C + c];
          uint32_t v = uint32_t(load32(acc + 4 * c)) + uint32_t(sum);
          store32(acc + 4 * c, v);
        }
      }
    }
  curMacs_ = uint64_t(g.outer) * g.inner * g.rows * R * C;
}

/// Float to the clamped integer result: t is already integral (or inf).
int32_t clampToInt(float t, int lo, int hi) {
  if (!(t >= float(lo)))
    return lo;
  if (t > float(hi))
    return hi;
  return int32_t(t);
}

void Simulator::vec(const VecInst &v) {
  const bool s0 = v.flags & kVecSrc0Signed, s1 = v.flags & kVecSrc1Signed;
  auto val = [](uint8_t b, bool isSigned) {
    return isSigned ? int32_t(int8_t(b)) : int32_t(b);
  };
  const bool outSigned = v.flags & kVecOutSigned;
  const int lo = std::max<int>(v.clampLo, outSigned ? -128 : 0);
  const int hi = std::min<int>(v.clampHi, outSigned ? 127 : 255);
  const char *name = vecOpName(v.op);
  for (uint32_t i2 = 0; i2 < v.count[2]; ++i2)
    for (uint32_t i1 = 0; i1 < v.count[1]; ++i1)
      for (uint32_t i0 = 0; i0 < v.count[0]; ++i0) {
        auto at = [&](const VecOperand &o) {
          return int64_t(o.addr) + int64_t(i0) * o.stride[0] +
                 int64_t(i1) * o.stride[1] + int64_t(i2) * o.stride[2];
        };
        int32_t result = 0;
        switch (v.op) {
        case VecOp::Requant: {
          const uint8_t *a = readSram(Space::Acc, at(v.src0), 4, name);
          if (!a)
            return;
          uint32_t acc = uint32_t(load32(a));
          if (v.flags & kVecHasBias) {
            const uint8_t *b = readSram(Space::Acc, at(v.bias), 4, name);
            if (!b)
              return;
            acc += uint32_t(load32(b));
          }
          float m = v.fImm[0];
          if (!(v.flags & kVecMultImm)) {
            int64_t ma = at(v.mult);
            const uint8_t *mp = readSram(Space::Acc, ma, 4, name);
            if (!mp)
              return;
            uint32_t bits = uint32_t(load32(mp));
            std::memcpy(&m, &bits, 4);
            if (!std::isfinite(m)) {
              fail("the multiplier at " + describe(Space::Acc, ma) +
                   " is not finite");
              return;
            }
          }
          float t = std::nearbyint(float(int32_t(acc)) * m);
          t = t + float(v.iImm[0]);
          result = clampToInt(t, lo, hi);
          break;
        }
        case VecOp::QAdd: {
          const uint8_t *a = readSram(Space::Act, at(v.src0), 1, name);
          if (!a)
            return;
          double ra = v.fImm[0], rb = v.fImm[1], k = v.fImm[2];
          float inner = float(k);
          if (!(v.flags & kVecOneSource)) {
            const uint8_t *b = readSram(v.src1Space, at(v.src1), 1, name);
            if (!b)
              return;
            inner = float(double(val(*b, s1)) * rb + k);
          }
          float t = float(double(val(*a, s0)) * ra + double(inner));
          result = clampToInt(std::nearbyint(t), lo, hi);
          break;
        }
        case VecOp::QMul: {
          const uint8_t *a = readSram(Space::Act, at(v.src0), 1, name);
          const uint8_t *b =
              a ? readSram(v.src1Space, at(v.src1), 1, name) : nullptr;
          if (!b)
            return;
          int32_t p = (val(*a, s0) - v.iImm[0]) * (val(*b, s1) - v.iImm[1]);
          // The zero point is added in f32 before the rounding (as the
          // CPU path and ONNX Runtime's QLinearMul do).
          float scaled = float(p) * v.fImm[0];
          float t = std::nearbyint(scaled + float(v.iImm[2]));
          result = clampToInt(t, lo, hi);
          break;
        }
        case VecOp::Max:
        case VecOp::Min: {
          const uint8_t *a = readSram(Space::Act, at(v.src0), 1, name);
          const uint8_t *b =
              a ? readSram(v.src1Space, at(v.src1), 1, name) : nullptr;
          if (!b)
            return;
          int32_t x = val(*a, s0), y = val(*b, s1);
          result = v.op == VecOp::Max ? std::max(x, y) : std::min(x, y);
          result = std::min(std::max(result, lo), hi);
          break;
        }
        case VecOp::Lut: {
          const uint8_t *a = readSram(Space::Act, at(v.src0), 1, name);
          if (!a)
            return;
          const uint8_t *t =
              readSram(v.src1Space, int64_t(v.src1.addr) + *a, 1, name);
          if (!t)
            return;
          result = std::min(std::max(val(*t, outSigned), lo), hi);
          break;
        }
        case VecOp::PoolMax:
        case VecOp::PoolAvg: {
          int32_t best = 0, sum = 0;
          for (uint32_t w1 = 0; w1 < v.window[1]; ++w1)
            for (uint32_t w0 = 0; w0 < v.window[0]; ++w0) {
              int64_t addr = at(v.src0) + int64_t(w0) * v.windowStride[0] +
                             int64_t(w1) * v.windowStride[1];
              const uint8_t *a = readSram(Space::Act, addr, 1, name);
              if (!a)
                return;
              int32_t x = val(*a, s0);
              best = (w0 == 0 && w1 == 0) ? x : std::max(best, x);
              sum += x - v.iImm[0];
            }
          if (v.op == VecOp::PoolMax) {
            result = std::min(std::max(best, lo), hi);
          } else {
            float t = std::nearbyint(float(sum) * v.fImm[0]) + float(v.iImm[2]);
            result = clampToInt(t, lo, hi);
          }
          break;
        }
        case VecOp::Copy:
        case VecOp::Clamp: {
          const uint8_t *a = readSram(Space::Act, at(v.src0), 1, name);
          if (!a)
            return;
          result = std::min(std::max(val(*a, s0), lo), hi);
          break;
        }
        }
        uint8_t *d = writeSram(Space::Act, at(v.dst), 1);
        if (!d)
          return;
        *d = uint8_t(result);
      }
}

void Simulator::execute(const Instruction &inst) {
  switch (inst.opcode) {
  case Opcode::DmaLoad:
    dma(inst.dma, true);
    break;
  case Opcode::DmaStore:
    dma(inst.dma, false);
    break;
  case Opcode::Gemm:
    gemm(inst.gemm);
    break;
  case Opcode::Vec:
    vec(inst.vec);
    break;
  case Opcode::Sync:
  case Opcode::End:
    break;
  }
}

SimResult Simulator::run(const std::vector<Instruction> &program) {
  SimResult result;
  if (std::string why = cfg_.validate(); !why.empty()) {
    result.status = Status::error("RNPU configuration: " + why);
    return result;
  }
  if (program.empty() || program.back().opcode != Opcode::End) {
    result.status = Status::error("command stream: does not end with END");
    return result;
  }
  // Validate everything before running (or allocating) anything.
  std::vector<size_t> queues[kNumQueues];
  for (size_t i = 0; i < program.size(); ++i) {
    const Instruction &inst = program[i];
    if (inst.opcode == Opcode::End && i + 1 != program.size()) {
      result.status = Status::error("instruction " + std::to_string(i) +
                                    " (END): instructions after END");
      return result;
    }
    Status s = validateInstruction(inst, cfg_, i);
    if (s.ok())
      s = checkDram(inst, i);
    if (!s.ok()) {
      result.status = s;
      return result;
    }
    if (inst.opcode != Opcode::End)
      queues[unsigned(queueOf(inst))].push_back(i);
  }

  allocate();
  std::vector<Semaphore> sems(cfg_.numSemaphores);
  uint64_t queueTime[kNumQueues] = {0, 0, 0};
  size_t head[kNumQueues] = {0, 0, 0};
  std::map<uint16_t, TagCounters> tags;
  while (true) {
    int best = -1;
    uint64_t bestStart = 0;
    bool anyLeft = false;
    for (unsigned q = 0; q < kNumQueues; ++q) {
      if (head[q] == queues[q].size())
        continue;
      anyLeft = true;
      const Instruction &inst = program[queues[q][head[q]]];
      uint64_t start = queueTime[q];
      if (inst.opcode == Opcode::Sync && inst.sync.kind == SyncKind::Wait) {
        const Semaphore &sem = sems[inst.sync.semaphore];
        if (sem.available < inst.sync.count)
          continue; // blocked
        uint64_t need = inst.sync.count;
        for (const auto &[cycle, count] : sem.pending) {
          start = std::max(start, cycle);
          if (count >= need)
            break;
          need -= count;
        }
      }
      if (best < 0 || start < bestStart ||
          (start == bestStart &&
           queues[q][head[q]] < queues[best][head[best]])) {
        best = int(q);
        bestStart = start;
      }
    }
    if (!anyLeft)
      break;
    if (best < 0) {
      std::string msg = "deadlock: every queue waits on a semaphore no "
                        "instruction left can signal:";
      for (unsigned q = 0; q < kNumQueues; ++q) {
        if (head[q] == queues[q].size())
          continue;
        size_t i = queues[q][head[q]];
        const SyncInst &y = program[i].sync;
        msg += std::string(" ") + queueName(Queue(q)) +
               " queue at instruction " + std::to_string(i) + " waits for " +
               std::to_string(y.count) + " on semaphore " +
               std::to_string(y.semaphore) + " (holds " +
               std::to_string(sems[y.semaphore].available) + ");";
      }
      msg.pop_back();
      result.status = Status::error(msg);
      break;
    }
    unsigned q = unsigned(best);
    size_t index = queues[q][head[q]++];
    const Instruction &inst = program[index];
    uint64_t cycles = instructionCycles(inst, cfg_);
    curIndex_ = index;
    curOpcode_ = inst.opcode;
    curQueue_ = Queue(q);
    curStart_ = bestStart;
    curEnd_ = bestStart + cycles;
    curMacs_ = curDramRead_ = curDramWritten_ = 0;
    if (inst.opcode == Opcode::Sync) {
      Semaphore &sem = sems[inst.sync.semaphore];
      if (inst.sync.kind == SyncKind::Signal) {
        sem.pending.push_back({curEnd_, inst.sync.count});
        sem.available += inst.sync.count;
      } else {
        uint64_t need = inst.sync.count;
        sem.available -= need;
        while (need) {
          auto &front = sem.pending.front();
          uint64_t take = std::min(need, front.second);
          front.second -= take;
          need -= take;
          if (front.second == 0)
            sem.pending.pop_front();
        }
      }
    }
    if (options_.maxCycles && curEnd_ > options_.maxCycles) {
      result.status = Status::error(
          prefix() + "would end at cycle " + std::to_string(curEnd_) +
          ", after the limit of " + std::to_string(options_.maxCycles));
      break;
    }
    execute(inst);
    queueTime[q] = curEnd_;
    Counters &c = counters_;
    c.instructions[unsigned(inst.opcode)]++;
    c.busyCycles[q] += cycles;
    if (inst.opcode == Opcode::Gemm)
      c.gemmCycles += cycles;
    if (inst.opcode == Opcode::Vec)
      c.vecCycles += cycles;
    c.macs += curMacs_;
    c.dramBytesRead += curDramRead_;
    c.dramBytesWritten += curDramWritten_;
    auto [it, fresh] = tags.try_emplace(inst.tag);
    TagCounters &t = it->second;
    if (fresh) {
      t.tag = inst.tag;
      t.firstCycle = curStart_;
    }
    t.instructions++;
    t.firstCycle = std::min(t.firstCycle, curStart_);
    t.lastCycle = std::max(t.lastCycle, curEnd_);
    t.busyCycles[q] += cycles;
    t.macs += curMacs_;
    t.dramBytesRead += curDramRead_;
    t.dramBytesWritten += curDramWritten_;
    if (options_.collectTrace) {
      TraceEvent e;
      e.index = index;
      e.opcode = inst.opcode;
      e.vecOp = inst.vec.op;
      e.syncKind = inst.sync.kind;
      e.queue = Queue(q);
      e.tag = inst.tag;
      e.startCycle = curStart_;
      e.cycles = cycles;
      result.trace.push_back(e);
    }
    if (!error_.empty()) {
      result.status = Status::error(error_);
      break;
    }
  }
  Counters &c = counters_;
  c.instructions[unsigned(Opcode::End)] += result.status.ok() ? 1 : 0;
  c.totalCycles = std::max({queueTime[0], queueTime[1], queueTime[2]});
  double peak = double(c.totalCycles) * cfg_.macRows * cfg_.macCols;
  c.macUtilization = peak > 0 ? double(c.macs) / peak : 0.0;
  auto roofline = [&](uint64_t macs, uint64_t dramBytes) {
    uint64_t mac = uint64_t(cfg_.macRows) * cfg_.macCols;
    uint64_t bw = cfg_.dramBytesPerCycle;
    return std::max((macs + mac - 1) / mac, (dramBytes + bw - 1) / bw);
  };
  c.rooflineCycles = roofline(c.macs, c.dramBytesRead + c.dramBytesWritten);
  for (auto &entry : tags) {
    TagCounters &t = entry.second;
    t.rooflineCycles = roofline(t.macs, t.dramBytesRead + t.dramBytesWritten);
    c.perTag.push_back(t);
  }
  result.counters = c;
  return result;
}

} // namespace

Status checkDmaAgainstBindings(const Instruction &inst, size_t index,
                               const std::vector<uint64_t> &sizes,
                               const std::vector<bool> &writable) {
  if (inst.opcode != Opcode::DmaLoad && inst.opcode != Opcode::DmaStore)
    return Status::success();
  const DmaInst &d = inst.dma;
  std::string pre = "instruction " + std::to_string(index) + " (" +
                    opcodeName(inst.opcode) + "): ";
  if (d.binding >= sizes.size())
    return Status::error(pre + "DRAM binding " + std::to_string(d.binding) +
                         " is not bound (" + std::to_string(sizes.size()) +
                         " bindings)");
  if (inst.opcode == Opcode::DmaStore &&
      !(d.binding < writable.size() && writable[d.binding]))
    return Status::error(pre + "DRAM binding " + std::to_string(d.binding) +
                         " is read-only");
  using i128 = __int128;
  i128 lo = i128(d.dramOffset), hi = lo;
  for (int i = 0; i < 5; ++i) {
    i128 count =
        i < 4 ? i128(d.size[i]) - d.padLo[i] - d.padHi[i] : i128(d.repeat);
    i128 stride = i < 4 ? i128(d.dramStride[i]) : i128(d.dramRepeatStride);
    if (count == 0)
      return Status::success(); // all padding: DRAM is not accessed
    i128 span = (count - 1) * stride;
    (span < 0 ? lo : hi) += span;
  }
  hi += d.elemBytes;
  uint64_t size = sizes[d.binding];
  if (lo < 0 || hi > i128(size)) {
    auto clip = [](i128 v) {
      const i128 big = i128(1) << 62;
      return std::to_string(int64_t(v < -big ? -big : v > big ? big : v));
    };
    return Status::error(pre + "DRAM bytes [" + clip(lo) + ", " + clip(hi) +
                         ") outside binding " + std::to_string(d.binding) +
                         " (" + std::to_string(size) + " bytes)");
  }
  return Status::success();
}

uint64_t instructionCycles(const Instruction &inst, const RnpuConfig &cfg) {
  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore: {
    const DmaInst &d = inst.dma;
    uint64_t bytes = uint64_t(d.repeat) * d.elemBytes;
    for (int i = 0; i < 4; ++i)
      bytes *= d.size[i];
    uint64_t bw = std::max<uint32_t>(cfg.dramBytesPerCycle, 1);
    return cfg.dmaLatencyCycles + (bytes + bw - 1) / bw;
  }
  case Opcode::Gemm: {
    const GemmInst &g = inst.gemm;
    uint64_t perTile = std::max<uint64_t>(g.rows, cfg.macRows);
    return cfg.gemmSetupCycles + uint64_t(g.outer) * g.inner * perTile;
  }
  case Opcode::Vec: {
    const VecInst &v = inst.vec;
    uint64_t lanes = std::max<uint32_t>(cfg.vecLanes, 1);
    return cfg.vecSetupCycles + uint64_t(v.count[2]) * v.count[1] *
                                    ((v.count[0] + lanes - 1) / lanes) *
                                    v.window[0] * v.window[1];
  }
  case Opcode::Sync:
  case Opcode::End:
    return 0;
  }
  return 0;
}

SimResult simulateProgram(const RnpuConfig &config,
                          const std::vector<Instruction> &program,
                          const std::vector<DramBinding> &bindings,
                          const SimOptions &options) {
  Simulator sim(config, bindings, options);
  return sim.run(program);
}

SimResult simulate(const RnpuConfig &config, const uint8_t *stream, size_t size,
                   const std::vector<DramBinding> &bindings,
                   const SimOptions &options) {
  std::vector<Instruction> program;
  Status s = decodeProgram(stream, size, &program);
  if (!s.ok()) {
    SimResult result;
    result.status = s;
    return result;
  }
  return simulateProgram(config, program, bindings, options);
}

std::string jsonEscape(const std::string &s) {
  std::string out;
  for (unsigned char ch : s) {
    switch (ch) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (ch < 0x20 || ch == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", ch);
        out += buf;
      } else {
        out += char(ch);
      }
    }
  }
  return out;
}

std::string chromeTraceJson(const SimResult &result, const RnpuConfig &config,
                            const std::string &processName) {
  TraceSegment segment;
  segment.events = &result.trace;
  return chromeTraceJson(std::vector<TraceSegment>{segment}, config,
                         processName);
}

std::string chromeTraceJson(const std::vector<TraceSegment> &segments,
                            const RnpuConfig &config,
                            const std::string &processName) {
  double mhz = config.clockMhz ? double(config.clockMhz) : 1.0;
  auto micros = [&](uint64_t cycles) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.3f", double(cycles) / mhz);
    return std::string(buf);
  };
  std::string out = "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  out += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":0,\"tid\":0,"
         "\"args\":{\"name\":\"" +
         jsonEscape(processName) + "\"}}";
  for (unsigned q = 0; q < kNumQueues; ++q)
    out += ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":0,\"tid\":" +
           std::to_string(q) + ",\"args\":{\"name\":\"" +
           jsonEscape(std::string(queueName(Queue(q))) + " queue") + "\"}}";
  for (const TraceSegment &segment : segments) {
    if (!segment.events)
      continue;
    std::string prefix = segment.label.empty() ? "" : segment.label + ": ";
    for (const TraceEvent &e : *segment.events) {
      std::string name = prefix + opcodeName(e.opcode);
      if (e.opcode == Opcode::Vec)
        name += std::string(" ") + vecOpName(e.vecOp);
      if (e.opcode == Opcode::Sync)
        name += e.syncKind == SyncKind::Wait ? " wait" : " signal";
      out += ",\n{\"name\":\"" + jsonEscape(name) +
             "\",\"cat\":\"rnpu\",\"ph\":\"X\",\"pid\":0,\"tid\":" +
             std::to_string(unsigned(e.queue)) +
             ",\"ts\":" + micros(segment.startCycle + e.startCycle) +
             ",\"dur\":" + micros(e.cycles) +
             ",\"args\":{\"instruction\":" + std::to_string(e.index) +
             ",\"tag\":" + std::to_string(e.tag) +
             ",\"cycles\":" + std::to_string(e.cycles) + "}}";
    }
  }
  out += "\n]}\n";
  return out;
}

} // namespace rnpu
} // namespace aicc
