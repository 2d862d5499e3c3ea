//===- RnpuIsa.h - RNPU instruction set: structs, encoding ------*- C++ -*-===//
//
// RNPU ISA 1.0 (docs/RNPU.md). One struct per instruction kind, held in an
// `Instruction`; `encodeProgram` serializes a program into the binary
// command stream (16-byte header, 128-byte little-endian instructions) and
// `decodeProgram` parses and validates one. A command stream comes from an
// untrusted artifact: decoding checks every field (opcode, enums, reserved
// bytes, ranges, overflow of sizes and strides) and returns a message naming
// the instruction and field instead of ever crashing. Checks that need the
// hardware parameters (SRAM bounds, semaphore count) are in
// `validateInstruction`, which the simulator runs on every instruction.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_NPU_RNPUISA_H
#define AICC_RUNTIME_HAL_NPU_RNPUISA_H

#include "hal/npu/RnpuConfig.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aicc {
namespace rnpu {

constexpr uint16_t kIsaVersionMajor = 1;
constexpr uint16_t kIsaVersionMinor = 0;
/// "RNPU" read as a little-endian uint32.
constexpr uint32_t kMagic = 0x55504e52;
constexpr size_t kHeaderBytes = 16;
constexpr size_t kInstructionBytes = 128;
/// No instruction may touch more elements than this (bounds simulation time).
constexpr uint64_t kMaxElementsPerInstruction = uint64_t(1) << 32;

/// Result of an operation: empty message means success.
struct Status {
  std::string message;
  bool ok() const { return message.empty(); }
  static Status success() { return {}; }
  static Status error(std::string m) { return {std::move(m)}; }
};

enum class Opcode : uint8_t {
  DmaLoad = 1,
  DmaStore = 2,
  Gemm = 3,
  Vec = 4,
  Sync = 5,
  End = 6,
};

/// On-chip memories. ACC holds int32 (accumulators) and the VEC parameters
/// (f32 multipliers, int32 biases); ACT and WGT hold 8-bit values.
enum class Space : uint8_t { Act = 0, Wgt = 1, Acc = 2 };
constexpr unsigned kNumSpaces = 3;

/// The three in-order queues. DMA_LOAD runs on Load, GEMM and VEC on
/// Compute, DMA_STORE on Store; SYNC names its queue.
enum class Queue : uint8_t { Load = 0, Compute = 1, Store = 2 };
constexpr unsigned kNumQueues = 3;

/// DMA_LOAD (DRAM -> SRAM, with padding) and DMA_STORE (SRAM -> DRAM).
///
///   for r < repeat, i3 < size[3], ..., i0 < size[0]:
///     s = sramAddr + r*sramRepeatStride + sum_d i_d*sramStride[d]
///     if padLo[d] <= i_d < size[d] - padHi[d] for every d:
///       m = dramOffset + r*dramRepeatStride
///           + sum_d (i_d - padLo[d])*dramStride[d]
///       load: SRAM[s] = DRAM[m]          store: DRAM[m] = SRAM[s]
///     else (load only):  SRAM[s] = padValue
/// Elements are elemBytes (1 or 4) wide; strides are in bytes.
struct DmaInst {
  Space space = Space::Act;
  uint8_t elemBytes = 1;
  uint8_t binding = 0;
  uint64_t dramOffset = 0;
  uint32_t sramAddr = 0;
  uint32_t padValue = 0;
  uint32_t size[4] = {1, 1, 1, 1};
  int64_t dramStride[4] = {0, 0, 0, 0};
  int32_t sramStride[4] = {0, 0, 0, 0};
  uint16_t padLo[4] = {0, 0, 0, 0};
  uint16_t padHi[4] = {0, 0, 0, 0};
  uint32_t repeat = 1;
  int32_t sramRepeatStride = 0;
  int64_t dramRepeatStride = 0;
};

enum GemmFlags : uint8_t {
  kGemmAccumulate = 1 << 0,
  kGemmInpUnsigned = 1 << 1,
  kGemmWgtUnsigned = 1 << 2,
};

/// GEMM: a two-level affine loop over tiles; a tile multiplies `rows` input
/// rows (macRows bytes each, ACT) by one macRows x macCols weight block
/// (row-major [k][c], WGT) into `rows` accumulator rows (macCols int32
/// each, ACC):
///
///   for j0 < outer, j1 < inner, n < rows:
///     a = accAddr + j0*accOuterStride + j1*accInnerStride + n*accRowStride
///     x = inpAddr + j0*inpOuterStride + j1*inpInnerStride + n*inpRowStride
///     w = wgtAddr + j0*wgtOuterStride + j1*wgtInnerStride
///     ACC[a][c] += sum_k (ACT[x+k] - inpZeroPoint) * (WGT[w+k*C+c] -
///     wgtZeroPoint)
///
/// Without kGemmAccumulate every accumulator row the instruction writes is
/// zeroed first. Operands are read as unsigned or signed 8-bit per flag.
struct GemmInst {
  uint8_t flags = 0;
  int16_t inpZeroPoint = 0;
  int16_t wgtZeroPoint = 0;
  uint32_t accAddr = 0;
  uint32_t inpAddr = 0;
  uint32_t wgtAddr = 0;
  uint16_t rows = 1;
  uint16_t outer = 1;
  uint16_t inner = 1;
  int32_t accRowStride = 0;
  int32_t inpRowStride = 0;
  int32_t accOuterStride = 0;
  int32_t inpOuterStride = 0;
  int32_t wgtOuterStride = 0;
  int32_t accInnerStride = 0;
  int32_t inpInnerStride = 0;
  int32_t wgtInnerStride = 0;
};

enum class VecOp : uint8_t {
  Requant = 1, ///< ACC int32 (+ bias) -> 8-bit, f32 multiplier
  QAdd = 2,    ///< ONNX Runtime's QLinearAdd
  QMul = 3,    ///< ONNX Runtime's QLinearMul
  Max = 4,     ///< elementwise max of src0, src1
  Min = 5,     ///< elementwise min of src0, src1
  Lut = 6,     ///< 256-entry table lookup
  PoolMax = 7, ///< max over a window of src0
  PoolAvg = 8, ///< integer window sum, then requantized
  Copy = 9,    ///< dst = src0
  Clamp = 10,  ///< dst = clamp(src0, clampLo, clampHi)
};

enum VecFlags : uint8_t {
  kVecSrc0Signed = 1 << 0,
  kVecSrc1Signed = 1 << 1,
  kVecOutSigned = 1 << 2,
  kVecHasBias = 1 << 3,   ///< Requant: add the int32 bias operand
  kVecMultImm = 1 << 4,   ///< Requant: multiplier is fImm[0], not an operand
  kVecOneSource = 1 << 5, ///< QAdd: no src1 term
};

/// A VEC operand: a byte address and byte strides for loop levels 0..2.
struct VecOperand {
  uint32_t addr = 0;
  int32_t stride[3] = {0, 0, 0};
};

/// VEC: a three-level loop over output elements (count[0] innermost), each
/// operand addressed as addr + sum_d i_d*stride[d]; the pool ops also loop
/// over a window (window[1] x window[0]) of src0 with windowStride.
/// docs/RNPU.md gives each op's formula and rounding.
struct VecInst {
  VecOp op = VecOp::Copy;
  uint8_t flags = 0;
  Space dstSpace = Space::Act;
  Space src0Space = Space::Act;
  Space src1Space = Space::Act;
  uint16_t count[3] = {1, 1, 1};
  uint8_t window[2] = {1, 1};
  VecOperand dst, src0, src1, mult, bias;
  int32_t windowStride[2] = {0, 0};
  int16_t iImm[3] = {0, 0, 0};
  /// Every result is saturated to its type (s8 or u8 by kVecOutSigned) and
  /// clamped to [clampLo, clampHi] (e.g. a fused ReLU: clampLo = the zero
  /// point); the defaults clamp nothing.
  int16_t clampLo = -32768;
  int16_t clampHi = 32767;
  float fImm[3] = {0, 0, 0};
};

enum class SyncKind : uint8_t { Signal = 0, Wait = 1 };

/// SYNC on `queue`: Signal adds `count` to the semaphore once every earlier
/// instruction of that queue has finished; Wait blocks the queue until the
/// semaphore holds at least `count`, then subtracts it.
struct SyncInst {
  Queue queue = Queue::Load;
  SyncKind kind = SyncKind::Signal;
  uint8_t semaphore = 0;
  uint16_t count = 1;
};

struct Instruction {
  Opcode opcode = Opcode::End;
  /// Free for the compiler (e.g. the layer index); counters and the trace
  /// are grouped by it.
  uint16_t tag = 0;
  DmaInst dma;
  GemmInst gemm;
  VecInst vec;
  SyncInst sync;

  static Instruction dmaLoad(const DmaInst &d, uint16_t tag = 0);
  static Instruction dmaStore(const DmaInst &d, uint16_t tag = 0);
  static Instruction gemmOp(const GemmInst &g, uint16_t tag = 0);
  static Instruction vecOp(const VecInst &v, uint16_t tag = 0);
  static Instruction signal(Queue q, uint8_t sem, uint16_t count = 1);
  static Instruction wait(Queue q, uint8_t sem, uint16_t count = 1);
  static Instruction end();
};

const char *opcodeName(Opcode op);
const char *spaceName(Space space);
const char *queueName(Queue queue);
const char *vecOpName(VecOp op);
/// The queue an instruction runs on.
Queue queueOf(const Instruction &inst);

/// One line of assembly-like text for an instruction (for listings, error
/// reports and `rnpu-sim --disassemble`); not parsed back.
std::string disassemble(const Instruction &inst);

/// Serializes a program (header + instructions). Does not validate.
std::vector<uint8_t> encodeProgram(const std::vector<Instruction> &program);
/// Encodes one instruction into exactly kInstructionBytes bytes.
void encodeInstruction(const Instruction &inst, uint8_t *out);

/// Parses and checks a command stream: header (magic, version, sizes),
/// every instruction's encoding and its configuration-independent fields,
/// exactly one END, last.
Status decodeProgram(const uint8_t *data, size_t size,
                     std::vector<Instruction> *out);
/// Decodes one instruction (encoding checks only); `index` is for messages.
Status decodeInstruction(const uint8_t *bytes, size_t index, Instruction *out);

/// Checks an instruction against the hardware parameters: SRAM bounds of
/// every access, alignment, semaphore numbers, zero point ranges.
Status validateInstruction(const Instruction &inst, const RnpuConfig &config,
                           size_t index);

} // namespace rnpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_NPU_RNPUISA_H
