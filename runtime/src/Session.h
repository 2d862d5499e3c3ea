//===- Session.h - A module bound to a device, and its executor -*- C++ -*-===//
//
// Creating a session does all the work that does not depend on the inputs:
// it picks the device, loads the module's code there (shared across
// sessions), allocates one 64-byte aligned arena per memory space and the
// state pools, resolves every buffer the schedule names to an address and
// decodes the schedule into a flat array of prepared commands. A run then
// only patches the input/output addresses into the binding slots that refer
// to them and walks that array, which keeps per-dispatch overhead to an
// indirect call.
//
// On a device with its own memory (a GPU) arenas, device state pools and the
// module's constants live in device memory, caller tensors stay in host
// memory, every copy is classified once (host->device, device->host, ...)
// and enqueued on the context's stream, dispatches are launched with their
// grid, and a run ends by waiting for the stream.
//
// A dynamic module (format 1.3) adds one step before the walk: bind the
// symbols from the input shapes, check ranges, consistency and the
// compiler's assumptions, and evaluate the output shapes, the push constants
// (written into their slots of pushConstants_) and the copy sizes (into the
// prepared copies). Nothing is allocated per run.
//
// Format 1.4 adds value symbols, evaluated from the inputs' data after the
// dim symbols, and runtime-allocated buffers: sized per run, kept between
// runs and reallocated only when a run needs more than they hold (within
// max_runtime_alloc_bytes), their binding slots patched like the caller's.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_SRC_SESSION_H
#define AICC_RUNTIME_SRC_SESSION_H

#include "aicc/runtime.h"
#include "hal/Hal.h"
#include "src/IntExpr.h"
#include "src/KvBlocks.h"
#include "src/Module.h"

#include <atomic>
#include <memory>
#include <vector>

namespace aicc {

class Session {
public:
  static aicc_status_t
  create(Module *module, const aicc_session_options_t &options, Session **out);
  ~Session();

  aicc_status_t run(const aicc_tensor_view_t *inputs, size_t inputCount,
                    const aicc_tensor_view_t *outputs, size_t outputCount);
  aicc_status_t resetState();

  /// Format 1.3: binds the symbols from the shapes of `inputs` and computes
  /// the output shapes without running (aicc_session_infer_shapes).
  aicc_status_t inferShapes(const aicc_tensor_view_t *inputs,
                            size_t inputCount);
  /// The shape of output `index` of the latest run or inferShapes (the
  /// static shape before any).
  const std::vector<int64_t> &outputDims(size_t index) const {
    return outputDims_[index];
  }
  Module &module() const { return *module_; }

  /// Profiling (aicc_session_set_profiling and friends).
  aicc_status_t setProfiling(bool enabled);
  aicc_status_t resetProfile();
  aicc_status_t commandProfile(size_t index, aicc_command_profile_t *out) const;

  const aicc_device_info_t &deviceInfo() const { return device_->info(); }

  /// Bytes the latest run copied into state pools (the KV-cache writes of a
  /// --kv-cache module; docs/Runtime.md "Generation").
  uint64_t stateBytesLastRun() const { return stateBytesLastRun_; }
  /// KV-cache memory: the bytes of the KV state pools in use (contiguous:
  /// the whole pool; paged: the blocks mapped for the sequence) and the
  /// bytes reserved for them (the maximum length).
  uint64_t kvCommittedBytes() const;
  uint64_t kvReservedBytes() const;
  /// Whether input `index` is read by the schedule (false: shape only).
  bool inputIsRead(size_t index) const {
    return index >= inputRead_.size() || inputRead_[index];
  }

private:
  explicit Session(Module *module);

  aicc_status_t initialize(const aicc_session_options_t &options);
  aicc_status_t selectDevice(const char *name);
  aicc_status_t allocateMemory();
  aicc_status_t prepareSchedule();
  /// Address of buffer `index` for everything but inputs and outputs.
  uint8_t *staticBufferAddress(uint32_t index) const;
  /// Whether buffer `index` lives in device memory (always false on devices
  /// without memory of their own).
  bool inDeviceMemory(uint32_t index) const;
  /// Reads the timestamps of an asynchronous profiled run into profile_.
  aicc_status_t collectTimestamps();
  /// Checks count, element types and shapes of `views`, and with
  /// `checkMemory` that each holds its tensor's bytes.
  aicc_status_t checkViews(const aicc_tensor_view_t *views, size_t count,
                           bool isInput, bool checkMemory = true) const;
  /// Dynamic modules: binds symbolValues_ from the input shapes, checks
  /// ranges and assumptions, and computes inputDims_/outputDims_.
  aicc_status_t bindShapes(const aicc_tensor_view_t *inputs, size_t count);
  /// Dynamic modules: evaluates push constants and copy sizes for the bound
  /// symbols, and checks copies touching caller memory.
  aicc_status_t evaluateSchedule(const aicc_tensor_view_t *inputs,
                                 const aicc_tensor_view_t *outputs);
  std::string symbolValuesText() const;
  /// 1.4: evaluates the value symbols, in order, from the inputs' values
  /// (after the dim symbols are bound) and checks their ranges.
  aicc_status_t bindValueSymbols(const aicc_tensor_view_t *inputs,
                                 size_t count);
  /// 1.4: sizes the runtime-allocated buffers for the bound symbols, checks
  /// the limit, (re)allocates and patches their binding slots.
  aicc_status_t allocateRuntimeBuffers();
  /// Bytes of buffer `index` in this run (runtime-allocated: evaluated).
  uint64_t bufferBytes(uint32_t index) const;
  /// Walks the prepared schedule; `Profile` adds a clock read after each
  /// command, so the common path has none.
  template <bool Profile> aicc_status_t runCommands();
  aicc_status_t commandError(uint32_t commandIndex, aicc_status_t status);

  /// PagedCopy: the KV-cache write into a paged pool (pushOffset indexes
  /// pagedCopies_).
  enum class CommandKind : uint8_t {
    Dispatch,
    Launch,
    Copy,
    Barrier,
    PagedCopy
  };
  struct PreparedCommand {
    CommandKind kind;
    /// Copy: between which memories.
    hal::CopyKind copyKind;
    /// Index of the first binding slot (dispatch: binding_count slots; copy:
    /// source then target).
    uint32_t firstSlot;
    /// Dispatch: offset into pushConstants_, or UINT32_MAX for none.
    uint32_t pushOffset;
    /// Index in the artifact's schedule, for messages.
    uint32_t commandIndex;
    /// Dispatch: the device's entry point handle.
    void *entry;
    union {
      /// Copy: bytes to copy.
      uint64_t copyBytes;
      /// Launch: offset of its grid (3 entries, missing dimensions 1) in
      /// grids_. (A union keeps the command at 32 bytes, as on the CPU.)
      uint32_t gridOffset;
    };
  };
  /// A binding slot that points into a caller tensor, patched every run.
  struct IoPatch {
    uint32_t slot;
    bool isOutput;
    uint32_t tensor;
    uint64_t offset;
  };

  Module *module_;
  hal::Device *device_ = nullptr;
  std::unique_ptr<hal::DeviceContext> context_;
  const Module::DeviceCode *code_ = nullptr;
  /// device_->hasOwnMemory() and context_->asynchronous(), read once.
  bool ownMemory_ = false;
  bool asynchronous_ = false;
  /// 64-byte aligned, one per memory space / state pool (null when empty);
  /// host memory, or device memory where the matching flag is set.
  std::vector<uint8_t *> arenas_;
  std::vector<bool> arenaOnDevice_;
  std::vector<uint8_t *> statePools_;
  std::vector<bool> statePoolOnDevice_;
  std::vector<uint64_t> statePoolSizes_;
  std::vector<PreparedCommand> commands_;
  std::vector<void *> slots_;
  std::vector<int64_t> pushConstants_;
  std::vector<uint32_t> grids_;
  std::vector<IoPatch> ioPatches_;
  /// Per run: where each input is read from and each output written to,
  /// when not the caller's memory (null: in place). A view is staged when
  /// the schedule reads it and kKernelReadSlack bytes past its end could
  /// leave its last page; staged outputs are copied back by unstageOutputs.
  void stageViews(const aicc_tensor_view_t *inputs, size_t inputCount,
                  const aicc_tensor_view_t *outputs, size_t outputCount);
  void unstageOutputs(const aicc_tensor_view_t *outputs, size_t outputCount);
  std::vector<uint8_t *> stagedInputs_, stagedOutputs_;
  uint8_t *staging_ = nullptr;
  uint64_t stagingBytes_ = 0;
  /// Format 1.3: per-run integers.
  struct DynamicPush {
    uint32_t index;   // into pushConstants_
    uint32_t command; // schedule index
    uint32_t constant;
    IntProgram program;
  };
  struct DynamicCopy {
    uint32_t prepared; // index into commands_
    IntProgram program;
  };
  /// A copy (of commands_[prepared]) whose source or target is caller
  /// memory: its range must lie inside the caller's view.
  struct CallerCopy {
    uint32_t prepared;
    bool isOutput;
    uint32_t tensor;
    uint64_t offset;
  };
  /// A copy into a state pool at a per-run byte offset (format 1.4).
  struct KvCopyOffset {
    uint32_t prepared; // index into commands_
    uint32_t slot;     // its target slot
    void *base;        // the target's address without the offset
    IntProgram program;
    /// Paged target: index into kvBlocks_ and the pool's row bytes.
    int32_t paged = -1;
    uint64_t rowBytes = 0;
  };
  std::vector<KvCopyOffset> kvCopyOffsets_;
  /// Paged KV pools (format 1.5): the block allocator of each, and per
  /// state pool its index in kvBlocks_ (-1: not paged).
  std::vector<KvBlocks> kvBlocks_;
  std::vector<int32_t> kvBlocksOfPool_;
  /// Per state pool: memory from reservePoolMemory; a KV cache pool.
  std::vector<bool> statePoolReserved_, statePoolKv_;
  /// A paged copy of the latest run: rows [firstRow, firstRow + rows).
  struct PagedCopy {
    int32_t blocks;
    uint64_t firstRow, rows;
  };
  std::vector<PagedCopy> pagedCopies_;
  /// Copies whose target is a state pool, and their bytes in the latest run.
  std::vector<uint32_t> stateCopies_;
  uint64_t stateBytesLastRun_ = 0;
  std::vector<bool> inputRead_;
  /// Outputs the schedule may read after writing them (see initialize).
  std::vector<bool> outputRead_;
  std::vector<DynamicPush> dynamicPushes_;
  std::vector<DynamicCopy> dynamicCopies_;
  std::vector<CallerCopy> callerCopies_;
  std::vector<int64_t> symbolValues_;
  /// 1.4: runtime-allocated buffers. A slot bound to buffer `buffer` (whose
  /// `ref` is its allocation); each allocation is kept between runs and
  /// grows when a run needs more.
  struct RuntimeSlot {
    uint32_t slot;
    uint32_t buffer;
  };
  struct RuntimeAllocation {
    uint8_t *data = nullptr;
    uint64_t capacity = 0;
    uint64_t needed = 0;
  };
  std::vector<RuntimeSlot> runtimeSlots_;
  std::vector<RuntimeAllocation> runtimeAllocations_;
  /// Per buffer: its bytes in this run when runtime-allocated, else -1.
  std::vector<int64_t> runtimeBufferBytes_;
  std::vector<uint32_t> runtimeBuffers_;
  uint64_t runtimeAllocLimit_ = 0;
  /// 1.4: the inputs value symbols read, rebuilt per run.
  std::vector<IntExprInput> valueInputs_;
  /// Whether runs bind symbols and evaluate expressions.
  bool dynamic_ = false;
  /// The actual shapes of the current run (static shapes otherwise).
  std::vector<std::vector<int64_t>> inputDims_, outputDims_;
  std::atomic<bool> running_{false};
  bool profiling_ = false;
  /// One entry per command of the schedule (sized when profiling starts).
  std::vector<aicc_command_profile_t> profile_;
};

} // namespace aicc

#endif // AICC_RUNTIME_SRC_SESSION_H
