//===- RnpuSim.h - Functional and timing simulator of the RNPU --*- C++ -*-===//
//
// `simulate` runs an RNPU command stream (docs/RNPU.md) against DRAM buffers
// the host binds: it decodes and validates every instruction first (bounds
// of every SRAM and DRAM access included), then executes the three in-order
// queues (load, compute, store) on a cycle timeline, each instruction
// starting when its queue is free and, for a SYNC wait, its semaphore has
// been signalled. Execution is bit exact; it stops with an error at the
// first read of SRAM never written, at a data race between queues (an
// access overlapping in time with another queue's access to the same byte,
// i.e. a missing SYNC), or at a deadlock (waits no signal can satisfy).
//
// No LLVM, no exceptions, no JSON library: part of the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_NPU_RNPUSIM_H
#define AICC_RUNTIME_HAL_NPU_RNPUSIM_H

#include "hal/npu/RnpuConfig.h"
#include "hal/npu/RnpuIsa.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aicc {
namespace rnpu {

/// A DRAM buffer: DMA addresses are (binding index, byte offset into it).
struct DramBinding {
  uint8_t *data = nullptr;
  uint64_t size = 0;
  /// DMA_STORE into a read-only binding is an error.
  bool writable = true;
};

/// Counters of the instructions with one tag (e.g. one layer).
struct TagCounters {
  uint16_t tag = 0;
  uint64_t instructions = 0;
  /// First start and last end of its instructions, in cycles.
  uint64_t firstCycle = 0;
  uint64_t lastCycle = 0;
  uint64_t busyCycles[kNumQueues] = {0, 0, 0};
  uint64_t macs = 0;
  uint64_t dramBytesRead = 0;
  uint64_t dramBytesWritten = 0;
  /// max(macs / (macRows * macCols), DRAM bytes / dramBytesPerCycle).
  uint64_t rooflineCycles = 0;
};

struct Counters {
  /// Cycle at which the last queue finished.
  uint64_t totalCycles = 0;
  /// Busy cycles of each queue's engine (load DMA, compute, store DMA).
  uint64_t busyCycles[kNumQueues] = {0, 0, 0};
  /// Compute split: GEMM and VEC cycles.
  uint64_t gemmCycles = 0;
  uint64_t vecCycles = 0;
  /// Instructions executed, by opcode (index = opcode value).
  uint64_t instructions[8] = {};
  uint64_t dramBytesRead = 0;
  uint64_t dramBytesWritten = 0;
  /// Multiply-accumulates issued by GEMM (macRows * macCols per tile row).
  uint64_t macs = 0;
  /// macs / (totalCycles * macRows * macCols).
  double macUtilization = 0;
  /// The roofline bound: max(macs / (macRows * macCols),
  /// (dramBytesRead + dramBytesWritten) / dramBytesPerCycle), rounded up.
  uint64_t rooflineCycles = 0;
  /// One past the highest byte written, per SRAM (ACT, WGT, ACC).
  uint64_t sramHighWater[kNumSpaces] = {0, 0, 0};
  /// By tag, ascending.
  std::vector<TagCounters> perTag;
};

/// One executed instruction on the timeline.
struct TraceEvent {
  size_t index = 0;
  Opcode opcode = Opcode::End;
  VecOp vecOp = VecOp::Copy;
  SyncKind syncKind = SyncKind::Signal;
  Queue queue = Queue::Load;
  uint16_t tag = 0;
  uint64_t startCycle = 0;
  uint64_t cycles = 0;
};

struct SimOptions {
  bool collectTrace = false;
  /// Report cross-queue data races (needs 18 bytes of bookkeeping per SRAM
  /// byte); off only for experiments.
  bool checkRaces = true;
  /// When non-zero, an instruction that would end after this cycle stops
  /// the run with an error before it executes: the simulation work is
  /// proportional to cycles, so this bounds the time an untrusted stream
  /// can take.
  uint64_t maxCycles = 0;
};

struct SimResult {
  Status status;
  Counters counters;
  std::vector<TraceEvent> trace;
};

/// Decodes, validates and runs a binary command stream. DRAM contents are
/// updated in place by DMA_STORE (also when a later instruction fails).
SimResult simulate(const RnpuConfig &config, const uint8_t *stream, size_t size,
                   const std::vector<DramBinding> &bindings,
                   const SimOptions &options = SimOptions());

/// The same on an already decoded program (must end with END, once).
SimResult simulateProgram(const RnpuConfig &config,
                          const std::vector<Instruction> &program,
                          const std::vector<DramBinding> &bindings,
                          const SimOptions &options = SimOptions());

/// Checks the DRAM side of a DMA_LOAD/DMA_STORE against binding sizes
/// (and, for a store, writability); success for other instructions.
Status checkDmaAgainstBindings(const Instruction &inst, size_t index,
                               const std::vector<uint64_t> &sizes,
                               const std::vector<bool> &writable);

/// The cycles one instruction takes in the timing model (docs/RNPU.md,
/// "Timing model"); 0 for SYNC and END.
uint64_t instructionCycles(const Instruction &inst, const RnpuConfig &config);

/// A Chrome trace ("traceEvents", one row per queue, timestamps in
/// microseconds at config.clockMhz) of `result.trace`. `processName` names
/// the process row (escaped).
std::string chromeTraceJson(const SimResult &result, const RnpuConfig &config,
                            const std::string &processName = "simulated RNPU");
/// The events of one run placed on a combined timeline (e.g. the
/// dispatches of a model, one after another).
struct TraceSegment {
  /// Prefixed to the event names ("conv_0: GEMM"); may be empty.
  std::string label;
  const std::vector<TraceEvent> *events = nullptr;
  /// Where the run starts on the combined timeline, in cycles.
  uint64_t startCycle = 0;
};
/// A Chrome trace of several runs (same layout as above).
std::string chromeTraceJson(const std::vector<TraceSegment> &segments,
                            const RnpuConfig &config,
                            const std::string &processName = "simulated RNPU");
/// Escapes `s` as the contents of a JSON string literal.
std::string jsonEscape(const std::string &s);

} // namespace rnpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_NPU_RNPUSIM_H
