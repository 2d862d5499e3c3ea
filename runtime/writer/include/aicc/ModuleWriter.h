//===- ModuleWriter.h - Builds .aicc artifacts ------------------*- C++ -*-===//
//
// aicc::ModuleWriter collects the parts of a module (signature, segments,
// executables, constants, memory plan, schedule) and lays out the file:
// size-prefixed FlatBuffer, then every segment at the next 64-byte boundary
// with zero padding, then the checksums. It is the one place that knows the
// layout rules of docs/Artifact.md, shared by the compiler's serializer
// (targets/common) and the runtime tests.
//
// The writer does not validate indices or sizes: the loader does, and tests
// use the writer to build deliberately inconsistent modules. Everything here
// is plain C++17 with no exceptions and no LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_WRITER_MODULEWRITER_H
#define AICC_RUNTIME_WRITER_MODULEWRITER_H

#include "aicc/schemas/aicc_generated.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aicc {

/// Format version this writer emits by default.
constexpr uint16_t kFormatVersionMajor = 1;
constexpr uint16_t kFormatVersionMinor = 2;
/// The minor version of artifacts with dynamic shapes (symbols, IntExpr
/// dims, push constant expressions); static artifacts keep
/// kFormatVersionMinor and their bytes.
constexpr uint16_t kDynamicShapesVersionMinor = 3;
/// The minor version of artifacts with value symbols (Symbol.def, the LOAD
/// family of IntExpr opcodes) or runtime-allocated buffers
/// (Buffer.size_expr).
constexpr uint16_t kValueSymbolsVersionMinor = 4;
/// 1.4: KV-cache state pools (StatePool.kv_*, Copy.target_offset).
constexpr uint16_t kKvStateVersionMinor = 4;
/// 1.5: the paged KV-cache layout (StatePool.block_tokens, block_table).
constexpr uint16_t kKvPagedVersionMinor = 5;
/// File offsets of segments are multiples of this.
constexpr size_t kSegmentAlignment = 64;

/// Returns the size in bytes of one element of `type` (0 for Unknown).
size_t elementTypeSize(fb::ElementType type);

/// A function of an executable.
struct EntryPointDesc {
  std::string name;
  uint32_t bindingCount = 0;
  uint32_t pushConstantCount = 0;
  /// GPU only; empty on the CPU.
  std::vector<uint32_t> workgroupSize;
};

/// Code for one device kind; its binary lives in segment `segment`.
struct ExecutableDesc {
  std::string name;
  fb::DeviceKind device = fb::DeviceKind::Cpu;
  std::string format = "elf-x86_64";
  uint32_t segment = 0;
  std::vector<EntryPointDesc> entryPoints;
  /// CPU features the code needs, e.g. {"avx512f", "avx512vnni"}.
  std::vector<std::string> requiredFeatures;
};

/// An entry of the buffer table (see aicc.fbs, table Buffer).
struct BufferDesc {
  fb::BufferKind kind = fb::BufferKind::Arena;
  uint32_t space = 0;
  uint32_t ref = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// Builds one .aicc file. Every add* returns the index of what it added, the
/// number later parts use to refer to it.
class ModuleWriter {
public:
  ModuleWriter();

  /// Header fields. The version defaults to kFormatVersionMajor/Minor; tests
  /// override it to exercise the loader's version check.
  void setVersion(uint16_t major, uint16_t minor);
  void setProducer(std::string producer);
  void setName(std::string name);
  void addTarget(std::string target);

  /// Signature.
  uint32_t addInput(std::string name, fb::ElementType type,
                    std::vector<int64_t> shape);
  uint32_t addOutput(std::string name, fb::ElementType type,
                     std::vector<int64_t> shape);

  /// Dynamic shapes (1.3): an IntExpr postfix program (docs/Artifact.md).
  using IntExprCode = std::vector<int64_t>;
  /// Gives input/output `index` one expression per dim (its `shape` then
  /// holds the upper bounds).
  void setInputDims(uint32_t index, std::vector<IntExprCode> dims);
  void setOutputDims(uint32_t index, std::vector<IntExprCode> dims);
  /// Appends symbol `name` with the inclusive range [min, max].
  uint32_t addSymbol(std::string name, int64_t min, int64_t max);
  /// 1.4: appends value symbol `name` in [min, max], computed before each
  /// run by `def` (which may use LOAD/FMULFLOOR/FRANGE); `what` says what it
  /// is for run-time errors.
  uint32_t addValueSymbol(std::string name, int64_t min, int64_t max,
                          IntExprCode def, std::string what);
  /// 1.4: makes buffer `index` runtime-allocated: `bytes` per run.
  void setBufferSizeExpr(uint32_t index, IntExprCode bytes);
  /// Appends the run-time check lhs == rhs; `what` names the ONNX node.
  uint32_t addAssumption(IntExprCode lhs, IntExprCode rhs, std::string what);
  /// The push constants of dispatch `command` as expressions, evaluated per
  /// run (replaces its push_constants).
  void setDispatchPushConstantExprs(uint32_t command,
                                    std::vector<IntExprCode> exprs);
  /// The bytes copy `command` copies per run.
  void setCopyBytes(uint32_t command, IntExprCode bytes);
  /// Bytes added to the target's offset per run (a copy into a state pool
  /// at the cache's current length; format 1.4).
  void setCopyTargetOffset(uint32_t command, IntExprCode offset);
  /// Describes state pool `pool` as the KV cache of a --kv-cache pair.
  void setStatePoolKv(uint32_t pool, std::string past, std::string present,
                      std::string layout, IntExprCode length,
                      uint64_t rowBytes);
  /// Describes KV pool `pool` as paged (layout "paged"): blocks of
  /// `blockTokens` rows, its block table in state pool `tablePool`, which
  /// becomes layout "block_table" (format 1.5).
  void setStatePoolPaged(uint32_t pool, uint32_t blockTokens,
                         uint32_t tablePool);

  /// Appends a segment holding a copy of `size` bytes at `data`. Its file
  /// offset is assigned by finish().
  uint32_t addSegment(const void *data, size_t size);
  uint32_t addSegment(std::vector<uint8_t> bytes);

  /// Declares `size` bytes at `offset` of segment `segment` as a constant.
  uint32_t addConstant(std::string name, uint32_t segment, uint64_t offset,
                       uint64_t size, uint32_t alignment = 64);
  /// Convenience: a new segment holding `data`, and a constant covering it.
  uint32_t addConstantData(std::string name, const void *data, size_t size);

  uint32_t addExecutable(ExecutableDesc executable);

  /// Memory plan.
  uint32_t addMemorySpace(std::string name, fb::DeviceKind device,
                          uint64_t arenaSize, uint64_t lowerBound);
  uint32_t addStatePool(std::string name, uint32_t space, uint64_t size);
  uint32_t addBuffer(const BufferDesc &buffer);
  uint32_t addArenaBuffer(uint32_t space, uint64_t offset, uint64_t size);
  uint32_t addConstantBuffer(uint32_t constant, uint64_t offset, uint64_t size);
  /// A buffer covering all of input / output `index` (size from the
  /// signature, which must be added first).
  uint32_t addInputBuffer(uint32_t input);
  uint32_t addOutputBuffer(uint32_t output);
  uint32_t addStateBuffer(uint32_t pool, uint64_t offset, uint64_t size);

  /// Schedule; returns the command index.
  uint32_t addDispatch(uint32_t executable, uint32_t entryPoint,
                       std::vector<uint32_t> bindings,
                       std::vector<int64_t> pushConstants = {},
                       std::vector<uint32_t> workgroupCount = {});
  /// Records the FLOPs and bytes of dispatch `command` (the optional
  /// `flops`/`bytes` fields); dispatches without a call store neither.
  void setDispatchCost(uint32_t command, uint64_t flops, uint64_t bytes);
  uint32_t addCopy(uint32_t source, uint32_t target);
  uint32_t addBarrier();

  /// Lays out and returns the complete file.
  std::vector<uint8_t> finish() const;

  /// finish() and write the result to `path`; on failure returns false and
  /// sets `*error` (if non-null).
  bool writeFile(const std::string &path, std::string *error = nullptr) const;

  /// Recomputes the FlatBuffer checksum (and, if `segments` is true, the
  /// checksums of the segments that lie inside the file) of `file` after a
  /// caller edited it in place. Returns false, changing nothing, if `file` is
  /// not a size-prefixed .aicc FlatBuffer that passes the FlatBuffers
  /// verifier. For tests that need a file which is intact byte-wise but
  /// semantically wrong.
  static bool resealChecksums(std::vector<uint8_t> &file, bool segments = true);

private:
  struct TensorEntry {
    std::string name;
    fb::ElementType type;
    std::vector<int64_t> shape;
    std::vector<IntExprCode> dims;
    bool hasDims = false;
  };
  struct SymbolEntry {
    std::string name;
    int64_t min, max;
    IntExprCode def;
    bool hasDef = false;
    std::string what;
  };
  struct AssumptionEntry {
    IntExprCode lhs, rhs;
    std::string what;
  };
  struct ConstantEntry {
    std::string name;
    uint32_t segment;
    uint64_t offset, size;
    uint32_t alignment;
  };
  struct SpaceEntry {
    std::string name;
    fb::DeviceKind device;
    uint64_t arenaSize, lowerBound;
  };
  struct PoolEntry {
    std::string name;
    uint32_t space;
    uint64_t size;
    bool isKv = false;
    std::string kvPast, kvPresent, layout;
    IntExprCode length;
    uint64_t rowBytes = 0;
    uint32_t blockTokens = 0, blockTable = 0;
  };
  struct CommandEntry {
    fb::CommandOp type;
    uint32_t executable = 0, entryPoint = 0;
    std::vector<uint32_t> bindings;
    std::vector<int64_t> pushConstants;
    std::vector<uint32_t> workgroupCount;
    uint32_t source = 0, target = 0;
    bool hasCost = false;
    uint64_t flops = 0, bytes = 0;
    std::vector<IntExprCode> pushConstantExprs;
    bool hasPushConstantExprs = false;
    IntExprCode copyBytes;
    bool hasCopyBytes = false;
    IntExprCode copyTargetOffset;
    bool hasCopyTargetOffset = false;
  };

  static uint64_t tensorByteSize(const TensorEntry &tensor);

  uint16_t versionMajor_ = kFormatVersionMajor;
  uint16_t versionMinor_ = kFormatVersionMinor;
  std::string producer_ = "aicc";
  std::string name_;
  std::vector<std::string> targets_;
  std::vector<TensorEntry> inputs_, outputs_;
  std::vector<std::vector<uint8_t>> segments_;
  std::vector<ConstantEntry> constants_;
  std::vector<ExecutableDesc> executables_;
  std::vector<SpaceEntry> spaces_;
  std::vector<PoolEntry> pools_;
  std::vector<BufferDesc> buffers_;
  /// 1.4: per buffer, its size expression (runtime-allocated) if any.
  std::vector<std::pair<uint32_t, IntExprCode>> bufferSizeExprs_;
  std::vector<CommandEntry> commands_;
  std::vector<SymbolEntry> symbols_;
  std::vector<AssumptionEntry> assumptions_;
};

} // namespace aicc

#endif // AICC_RUNTIME_WRITER_MODULEWRITER_H
