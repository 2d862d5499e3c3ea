//===- Session.cpp - A module bound to a device, and its executor ---------===//

#include "src/Session.h"

#include "ElementType.h"
#include "src/IntExpr.h"
#include "src/Module.h"
#include "src/Runtime.h"
#include "src/Status.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include <unistd.h>

using namespace aicc;

/// Upper bound on --threads / num_threads; more is certainly a mistake.
static constexpr uint32_t kMaxThreads = 1024;
/// More than the verifier allows one command to bind or push (2^16 each), so
/// checking the running totals against it keeps 32-bit slot indices valid.
static constexpr uint32_t kMaxBindingsPerCommand = 1u << 17;

Session::Session(Module *module) : module_(module) { module_->retain(); }

Session::~Session() {
  std::free(staging_);
  // The pool's threads must stop before the memory their tasks used goes.
  context_.reset();
  for (size_t i = 0; i < arenas_.size(); ++i)
    arenaOnDevice_[i] ? device_->deallocate(arenas_[i]) : std::free(arenas_[i]);
  for (size_t i = 0; i < statePools_.size(); ++i) {
    if (statePoolOnDevice_[i])
      device_->deallocate(statePools_[i]);
    else if (statePoolReserved_[i])
      releasePoolMemory(statePools_[i], statePoolSizes_[i]);
    else
      std::free(statePools_[i]);
  }
  for (RuntimeAllocation &allocation : runtimeAllocations_)
    std::free(allocation.data);
  module_->release();
}

aicc_status_t Session::create(Module *module,
                              const aicc_session_options_t &options,
                              Session **out) {
  Session *session = new (std::nothrow) Session(module);
  if (!session)
    return makeStatus(AICC_STATUS_OUT_OF_MEMORY, "out of memory");
  if (aicc_status_t status = session->initialize(options)) {
    delete session;
    return annotateStatus(status, "%s", module->name().c_str());
  }
  *out = session;
  return nullptr;
}

aicc_status_t Session::initialize(const aicc_session_options_t &options) {
  if (options.num_threads > kMaxThreads)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "num_threads %u exceeds the maximum of %u",
                      options.num_threads, kMaxThreads);
  AICC_RETURN_IF_ERROR(selectDevice(options.device));
  AICC_RETURN_IF_ERROR(module_->codeFor(*device_, &code_));
  ownMemory_ = device_->hasOwnMemory();
  AICC_RETURN_IF_ERROR(device_->createContext(options.num_threads, &context_));
  asynchronous_ = context_->asynchronous();
  AICC_RETURN_IF_ERROR(allocateMemory());
  for (const TensorInfo &info : module_->inputs())
    inputDims_.push_back(info.dims);
  for (const TensorInfo &info : module_->outputs())
    outputDims_.push_back(info.dims);
  symbolValues_.assign(module_->symbols().size(), 0);
  runtimeAllocLimit_ = options.max_runtime_alloc_bytes
                           ? options.max_runtime_alloc_bytes
                           : AICC_DEFAULT_MAX_RUNTIME_ALLOC_BYTES;
  AICC_RETURN_IF_ERROR(prepareSchedule());
  dynamic_ = module_->isDynamic() || !dynamicPushes_.empty() ||
             !dynamicCopies_.empty() || module_->hasValueSymbols() ||
             !runtimeSlots_.empty();
  return nullptr;
}

/// Reports which part of the module `device` cannot run, or null.
static aicc_status_t checkDeviceFits(const fb::AiccModule &root,
                                     const hal::Device &device) {
  if (const auto *executables = root.executables()) {
    for (uint32_t i = 0; i < executables->size(); ++i) {
      auto kind =
          static_cast<aicc_device_kind_t>(executables->Get(i)->device());
      if (!device.supports(kind))
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "device '%s' cannot run executable %u, which was "
                          "built for %s",
                          device.info().name, i, aicc_device_kind_name(kind));
    }
  }
  if (root.memory_plan() && root.memory_plan()->spaces()) {
    const auto *spaces = root.memory_plan()->spaces();
    for (uint32_t i = 0; i < spaces->size(); ++i) {
      auto kind = static_cast<aicc_device_kind_t>(spaces->Get(i)->device());
      // Host memory is there for every device (a GPU's host-side space).
      bool hostSpace = kind == AICC_DEVICE_KIND_CPU && device.hasOwnMemory();
      if (!hostSpace && !device.supports(kind))
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "device '%s' cannot hold memory space %u, which "
                          "belongs to %s",
                          device.info().name, i, aicc_device_kind_name(kind));
    }
  }
  return nullptr;
}

/// Whether `root` holds an executable built for `kind`.
static bool hasExecutableFor(const fb::AiccModule &root,
                             aicc_device_kind_t kind) {
  if (const auto *executables = root.executables())
    for (const fb::Executable *executable : *executables)
      if (static_cast<aicc_device_kind_t>(executable->device()) == kind)
        return true;
  return false;
}

aicc_status_t Session::selectDevice(const char *name) {
  Runtime &runtime = *module_->runtime();
  std::string available;
  for (size_t i = 0; i < runtime.deviceCount(); ++i)
    available += std::string(i ? ", " : "") + runtime.device(i).info().name;

  if (!name || std::strcmp(name, "auto") == 0) {
    // The first accelerator that fits wins, then the CPU (a module is built
    // for one kind of device, so at most one kind fits anyway).
    aicc_status_t firstError = nullptr;
    std::vector<hal::Device *> order;
    for (int cpu = 0; cpu < 2; ++cpu)
      for (size_t i = 0; i < runtime.deviceCount(); ++i)
        if ((runtime.device(i).info().kind == AICC_DEVICE_KIND_CPU) == cpu)
          order.push_back(&runtime.device(i));
    for (hal::Device *candidate : order) {
      // An accelerator that can also run CPU code (the npu device runs the
      // CPU part of a partitioned module) is chosen only for a module with
      // code for it.
      if (candidate->info().kind != AICC_DEVICE_KIND_CPU &&
          !hasExecutableFor(module_->root(), candidate->info().kind))
        continue;
      aicc_status_t status = checkDeviceFits(module_->root(), *candidate);
      if (!status) {
        aicc_status_free(firstError);
        device_ = candidate;
        return nullptr;
      }
      if (!firstError)
        firstError = status;
      else
        aicc_status_free(status);
    }
    return annotateStatus(firstError,
                          "no available device (%s) can run this module",
                          available.c_str());
  }
  hal::Device *device = runtime.findDevice(name);
  if (!device) {
    // "cuda" on a machine whose CUDA driver found nothing says why.
    std::string why = runtime.driverError(name);
    if (!why.empty())
      return makeStatus(AICC_STATUS_NOT_FOUND,
                        "no %s device: %s (available: %s, auto)", name,
                        why.c_str(), available.c_str());
    return makeStatus(AICC_STATUS_NOT_FOUND,
                      "no device named '%s' (available: %s, auto)", name,
                      available.c_str());
  }
  AICC_RETURN_IF_ERROR(checkDeviceFits(module_->root(), *device));
  device_ = device;
  return nullptr;
}


static uint8_t *allocateAligned(uint64_t size) {
  if (size == 0)
    return nullptr;
  uint64_t rounded = (size + kKernelReadSlack + 63) & ~uint64_t(63);
  return static_cast<uint8_t *>(std::aligned_alloc(64, rounded));
}

/// Whether memory space `space` of `root` is device memory on a device with
/// memory of its own (every space but the host's).
static bool spaceOnDevice(const fb::AiccModule &root, uint32_t space,
                          bool ownMemory) {
  return ownMemory && root.memory_plan()->spaces()->Get(space)->device() !=
                          fb::DeviceKind::Cpu;
}

aicc_status_t Session::allocateMemory() {
  const fb::AiccModule &root = module_->root();
  if (root.memory_plan() && root.memory_plan()->spaces()) {
    const auto *spaces = root.memory_plan()->spaces();
    for (uint32_t i = 0; i < spaces->size(); ++i) {
      uint64_t size = spaces->Get(i)->arena_size();
      bool onDevice = spaceOnDevice(root, i, ownMemory_);
      // Arenas are not cleared: the plan writes every byte before reading it.
      uint8_t *arena = nullptr;
      if (onDevice && size) {
        void *memory = nullptr;
        if (aicc_status_t status = device_->allocate(size, &memory))
          return annotateStatus(status,
                                "cannot allocate the %llu byte arena of "
                                "memory space %u on device '%s'",
                                (unsigned long long)size, i,
                                device_->info().name);
        arena = static_cast<uint8_t *>(memory);
      } else {
        arena = allocateAligned(size);
        if (size && !arena)
          return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                            "cannot allocate the %llu byte arena of memory "
                            "space %u",
                            (unsigned long long)size, i);
      }
      arenas_.push_back(arena);
      arenaOnDevice_.push_back(onDevice);
    }
  }
  if (const auto *pools = root.state_pools()) {
    for (uint32_t i = 0; i < pools->size(); ++i) {
      uint64_t size = pools->Get(i)->size();
      bool onDevice = spaceOnDevice(root, pools->Get(i)->space(), ownMemory_);
      uint8_t *pool = nullptr;
      const flatbuffers::String *layout = pools->Get(i)->layout();
      bool paged = layout &&
                   std::string_view(layout->c_str(), layout->size()) == "paged";
      statePoolKv_.push_back(pools->Get(i)->kv_present() != nullptr);
      statePoolReserved_.push_back(paged && !onDevice);
      if (paged && (onDevice ||
                    spaceOnDevice(
                        root, pools->Get(pools->Get(i)->block_table())->space(),
                        ownMemory_)))
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "state pool %u: the paged KV-cache layout needs "
                          "host memory (device '%s' has its own; compile "
                          "with --kv-cache-layout=contiguous)",
                          i, device_->info().name);
      if (paged) {
        // Reserved, committed as the sequence's blocks are written.
        pool = reservePoolMemory(size);
        if (size && !pool)
          return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                            "cannot reserve the %llu byte paged state pool %u",
                            (unsigned long long)size, i);
      } else if (onDevice && size) {
        void *memory = nullptr;
        if (aicc_status_t status = device_->allocate(size, &memory))
          return annotateStatus(status,
                                "cannot allocate the %llu byte state pool %u "
                                "on device '%s'",
                                (unsigned long long)size, i,
                                device_->info().name);
        pool = static_cast<uint8_t *>(memory);
      } else {
        pool = allocateAligned(size);
        if (size && !pool)
          return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                            "cannot allocate the %llu byte state pool %u",
                            (unsigned long long)size, i);
        if (pool)
          std::memset(pool, 0, size);
      }
      statePools_.push_back(pool);
      statePoolOnDevice_.push_back(onDevice && pool);
      statePoolSizes_.push_back(size);
    }
    // Paged pools: their block allocators (the verifier checked the sizes
    // and the tables).
    kvBlocksOfPool_.assign(pools->size(), -1);
    for (uint32_t i = 0; i < pools->size(); ++i) {
      if (!statePoolReserved_[i])
        continue;
      const fb::StatePool *pool = pools->Get(i);
      uint64_t blockBytes = uint64_t(pool->block_tokens()) * pool->row_bytes();
      kvBlocksOfPool_[i] = static_cast<int32_t>(kvBlocks_.size());
      kvBlocks_.emplace_back();
      kvBlocks_.back().init(
          statePools_[i],
          reinterpret_cast<int32_t *>(statePools_[pool->block_table()]),
          static_cast<uint32_t>(pool->size() / blockBytes),
          pool->block_tokens(), pool->row_bytes(), /*reserved=*/true);
    }
  }
  // State starts zeroed on the device too.
  bool anyOnDevice = false;
  for (bool onDevice : statePoolOnDevice_)
    anyOnDevice |= onDevice;
  if (anyOnDevice) {
    AICC_RETURN_IF_ERROR(context_->begin());
    aicc_status_t status = nullptr;
    for (size_t i = 0; i < statePools_.size() && !status; ++i)
      if (statePoolOnDevice_[i])
        status = context_->zero(statePools_[i], statePoolSizes_[i]);
    aicc_status_t finished = context_->finish();
    if (status) {
      aicc_status_free(finished);
      return status;
    }
    return finished;
  }
  return nullptr;
}

uint8_t *Session::staticBufferAddress(uint32_t index) const {
  const fb::AiccModule &root = module_->root();
  const fb::Buffer *buffer = root.memory_plan()->buffers()->Get(index);
  uint8_t *base = nullptr;
  switch (buffer->kind()) {
  case fb::BufferKind::Arena:
    base = arenas_[buffer->space()];
    break;
  case fb::BufferKind::State:
    base = statePools_[buffer->ref()];
    break;
  case fb::BufferKind::Constant: {
    // Weights are used in place; kernels must not write them (the mapping
    // is read-only, so a write faults instead of corrupting the file).
    // The module's upload to this device, or its copy of a constant at the
    // very end of the artifact (Module::codeFor).
    if (ownMemory_ || (buffer->ref() < code_->constantAddresses.size() &&
                       code_->constantAddresses[buffer->ref()])) {
      base = static_cast<uint8_t *>(code_->constantAddresses[buffer->ref()]);
      break;
    }
    const fb::Constant *constant = root.constants()->Get(buffer->ref());
    base = const_cast<uint8_t *>(module_->segmentData(constant->segment())) +
           constant->offset();
    break;
  }
  default:
    return nullptr; // Inputs and outputs are patched per run.
  }
  return base ? base + buffer->offset() : nullptr;
}

bool Session::inDeviceMemory(uint32_t index) const {
  if (!ownMemory_)
    return false;
  const fb::Buffer *buffer =
      module_->root().memory_plan()->buffers()->Get(index);
  switch (buffer->kind()) {
  case fb::BufferKind::Arena:
    return arenaOnDevice_[buffer->space()];
  case fb::BufferKind::State:
    return statePoolOnDevice_[buffer->ref()];
  case fb::BufferKind::Constant:
    return true;
  default:
    return false; // Caller tensors are host memory.
  }
}

/// A buffer kind for messages.
static const char *bufferKindName(fb::BufferKind kind) {
  switch (kind) {
  case fb::BufferKind::Arena:
    return "arena";
  case fb::BufferKind::Constant:
    return "constant";
  case fb::BufferKind::Input:
    return "input";
  case fb::BufferKind::Output:
    return "output";
  case fb::BufferKind::State:
    return "state";
  }
  return "unknown";
}

aicc_status_t Session::prepareSchedule() {
  const fb::AiccModule &root = module_->root();
  const auto *schedule = root.commands();
  if (!schedule)
    return nullptr;
  const auto *buffers =
      root.memory_plan() ? root.memory_plan()->buffers() : nullptr;
  commands_.reserve(schedule->size());
  // The executor walks these; keep two to a cache line.
  static_assert(sizeof(PreparedCommand) == 32, "a prepared command grew");

  // 1.4: runtime-allocated buffers (size_expr), numbered by `ref`.
  if (buffers)
    for (uint32_t b = 0; b < buffers->size(); ++b) {
      if (!buffers->Get(b)->size_expr())
        continue;
      if (ownMemory_)
        return makeStatus(AICC_STATUS_UNSUPPORTED,
                          "buffer %u is runtime-allocated (its size depends "
                          "on input values), which device '%s' does not "
                          "support; run this module on the CPU",
                          b, device_->info().name);
      runtimeBuffers_.push_back(b);
      uint32_t ref = buffers->Get(b)->ref();
      if (ref >= runtimeAllocations_.size()) {
        if (ref >= buffers->size())
          return makeStatus(AICC_STATUS_INVALID_MODULE,
                            "buffer %u: runtime allocation %u is not below "
                            "the buffer count %u",
                            b, ref, buffers->size());
        runtimeAllocations_.resize(ref + 1);
      }
    }
  if (!runtimeBuffers_.empty())
    runtimeBufferBytes_.assign(buffers->size(), -1);

  // Inputs no buffer refers to are read for their shape only (the past
  // input of a --kv-cache pair): their data may be NULL.
  inputRead_.assign(module_->inputs().size(), false);
  for (uint32_t b = 0; buffers && b < buffers->size(); ++b)
    if (buffers->Get(b)->kind() == fb::BufferKind::Input &&
        buffers->Get(b)->ref() < inputRead_.size())
      inputRead_[buffers->Get(b)->ref()] = true;
  // Outputs the schedule may read back (a model output that later kernels
  // consume, e.g. a KV `present`): named by more than one binding or copy.
  // Writes alone never pass a buffer's end, reads may (kKernelReadSlack).
  std::vector<uint32_t> outputUses(module_->outputs().size(), 0);
  auto countUse = [&](uint32_t b) {
    if (b < buffers->size() &&
        buffers->Get(b)->kind() == fb::BufferKind::Output &&
        buffers->Get(b)->ref() < outputUses.size())
      ++outputUses[buffers->Get(b)->ref()];
  };
  for (uint32_t i = 0; schedule && buffers && i < schedule->size(); ++i) {
    const fb::Command *op = schedule->Get(i);
    if (const fb::Dispatch *dispatch = op->op_as_Dispatch()) {
      if (dispatch->bindings())
        for (uint32_t b : *dispatch->bindings())
          countUse(b);
    } else if (const fb::Copy *copy = op->op_as_Copy()) {
      countUse(copy->source());
      countUse(copy->target());
    }
  }
  outputRead_.assign(outputUses.size(), false);
  for (size_t o = 0; o < outputUses.size(); ++o)
    outputRead_[o] = outputUses[o] > 1;
  auto addSlot = [&](uint32_t bufferIndex) {
    const fb::Buffer *buffer = buffers->Get(bufferIndex);
    uint32_t slot = static_cast<uint32_t>(slots_.size());
    if (buffer->size_expr())
      runtimeSlots_.push_back({slot, bufferIndex});
    bool isInput = buffer->kind() == fb::BufferKind::Input;
    if (isInput || buffer->kind() == fb::BufferKind::Output)
      ioPatches_.push_back({slot, !isInput, buffer->ref(), buffer->offset()});
    slots_.push_back(staticBufferAddress(bufferIndex));
  };

  for (uint32_t i = 0; i < schedule->size(); ++i) {
    if (slots_.size() > UINT32_MAX - kMaxBindingsPerCommand ||
        pushConstants_.size() > UINT32_MAX - kMaxBindingsPerCommand)
      return makeStatus(AICC_STATUS_UNSUPPORTED,
                        "the schedule binds more than 2^32 buffers");
    PreparedCommand command{};
    command.commandIndex = i;
    command.firstSlot = static_cast<uint32_t>(slots_.size());
    command.pushOffset = UINT32_MAX;
    const fb::Command *op = schedule->Get(i);
    switch (op->op_type()) {
    case fb::CommandOp::Dispatch: {
      const fb::Dispatch *dispatch = op->op_as_Dispatch();
      command.kind = ownMemory_ ? CommandKind::Launch : CommandKind::Dispatch;
      command.entry = code_->executables[dispatch->executable()]->entryPoint(
          dispatch->entry_point());
      if (ownMemory_) {
        command.gridOffset = static_cast<uint32_t>(grids_.size());
        uint32_t grid[3] = {1, 1, 1};
        if (const auto *count = dispatch->workgroup_count())
          for (uint32_t d = 0; d < count->size() && d < 3; ++d)
            grid[d] = count->Get(d);
        grids_.insert(grids_.end(), grid, grid + 3);
      }
      if (const auto *bindings = dispatch->bindings()) {
        for (uint32_t b : *bindings) {
          // Kernels of a device with its own memory address only that
          // memory: caller tensors reach them through the schedule's copies.
          if (ownMemory_ && !inDeviceMemory(b))
            return makeStatus(
                AICC_STATUS_INVALID_MODULE,
                "command %u: the dispatch of '%s' binds buffer %u (%s), "
                "which is host memory; on device '%s' dispatches bind only "
                "device memory and the schedule copies inputs and outputs "
                "(docs/Artifact.md, GPU modules)",
                i,
                root.executables()
                    ->Get(dispatch->executable())
                    ->entry_points()
                    ->Get(dispatch->entry_point())
                    ->name()
                    ->c_str(),
                b, bufferKindName(buffers->Get(b)->kind()),
                device_->info().name);
          addSlot(b);
        }
      }
      if (const auto *exprs = dispatch->push_constant_exprs()) {
        if (exprs->size()) {
          command.pushOffset = static_cast<uint32_t>(pushConstants_.size());
          for (uint32_t p = 0; p < exprs->size(); ++p) {
            dynamicPushes_.push_back(
                {static_cast<uint32_t>(pushConstants_.size()), i, p,
                 intProgram(exprs->Get(p))});
            pushConstants_.push_back(0);
          }
        }
      } else if (const auto *push = dispatch->push_constants()) {
        if (push->size()) {
          command.pushOffset = static_cast<uint32_t>(pushConstants_.size());
          pushConstants_.insert(pushConstants_.end(), push->begin(),
                                push->end());
        }
      }
      break;
    }
    case fb::CommandOp::Copy: {
      const fb::Copy *copy = op->op_as_Copy();
      command.kind = CommandKind::Copy;
      command.copyBytes = buffers->Get(copy->source())->size();
      if (copy->bytes())
        dynamicCopies_.push_back({static_cast<uint32_t>(commands_.size()),
                                  intProgram(copy->bytes())});
      if (module_->isDynamic() || module_->hasValueSymbols()) {
        for (uint32_t b : {copy->source(), copy->target()}) {
          fb::BufferKind kind = buffers->Get(b)->kind();
          if (kind == fb::BufferKind::Input || kind == fb::BufferKind::Output)
            callerCopies_.push_back({static_cast<uint32_t>(commands_.size()),
                                     kind == fb::BufferKind::Output,
                                     buffers->Get(b)->ref(),
                                     buffers->Get(b)->offset()});
        }
      }
      bool fromDevice = inDeviceMemory(copy->source());
      bool toDevice = inDeviceMemory(copy->target());
      command.copyKind = fromDevice ? (toDevice ? hal::CopyKind::DeviceToDevice
                                                : hal::CopyKind::DeviceToHost)
                                    : (toDevice ? hal::CopyKind::HostToDevice
                                                : hal::CopyKind::HostToHost);
      addSlot(copy->source());
      addSlot(copy->target());
      // --kv-cache: a copy into a state pool at the cache's length.
      if (copy->target_offset()) {
        const fb::Buffer *target = buffers->Get(copy->target());
        int32_t paged = target->kind() == fb::BufferKind::State &&
                                target->ref() < kvBlocksOfPool_.size()
                            ? kvBlocksOfPool_[target->ref()]
                            : -1;
        uint64_t rowBytes =
            paged >= 0
                ? module_->root().state_pools()->Get(target->ref())->row_bytes()
                : 0;
        kvCopyOffsets_.push_back(
            {static_cast<uint32_t>(commands_.size()), command.firstSlot + 1,
             slots_[command.firstSlot + 1], intProgram(copy->target_offset()),
             paged, rowBytes});
        // Paged: written block by block through the table.
        if (paged >= 0 && command.copyKind == hal::CopyKind::HostToHost) {
          command.kind = CommandKind::PagedCopy;
          command.pushOffset = static_cast<uint32_t>(pagedCopies_.size());
          pagedCopies_.push_back({paged, 0, 0});
        }
      }
      if (buffers->Get(copy->target())->kind() == fb::BufferKind::State)
        stateCopies_.push_back(static_cast<uint32_t>(commands_.size()));
      break;
    }
    default:
      // Everything on one CPU device runs in order; a barrier matters once
      // several devices share a schedule.
      command.kind = CommandKind::Barrier;
      break;
    }
    commands_.push_back(command);
  }
  return nullptr;
}

/// The shape of `info` for messages: a dynamic dim shows its symbol (or
/// its bound).
static std::string describeExpected(const TensorInfo &info,
                                    const std::vector<int64_t> &dims,
                                    const std::vector<std::string> &names) {
  if (info.dimExprs.empty())
    return describeTensor(info.elementType, dims.size(), dims.data());
  std::string text =
      std::string(aicc_element_type_name(info.elementType)) + "[";
  for (size_t d = 0; d < info.dimExprs.size(); ++d) {
    if (d)
      text += ",";
    int64_t value = 0;
    const IntProgram &program = info.dimExprs[d];
    if (isConstIntExpr(program.code, program.size, &value))
      text += std::to_string(value);
    else
      text += formatIntExpr(program.code, program.size, names) +
              "<=" + std::to_string(info.dims[d]);
  }
  return text + "]";
}

aicc_status_t Session::checkViews(const aicc_tensor_view_t *views, size_t count,
                                  bool isInput, bool checkMemory) const {
  const std::vector<TensorInfo> &infos =
      isInput ? module_->inputs() : module_->outputs();
  const std::vector<std::vector<int64_t>> &actual =
      isInput ? inputDims_ : outputDims_;
  const char *what = isInput ? "input" : "output";
  if (count != infos.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT, "expected %zu %ss, got %zu",
                      infos.size(), what, count);
  if (count && !views)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT, "the %s array is NULL",
                      what);
  for (size_t i = 0; i < count; ++i) {
    const aicc_tensor_view_t &view = views[i];
    const TensorInfo &info = infos[i];
    const std::vector<int64_t> &dims = actual[i];
    bool shapeOk = view.element_type == info.elementType &&
                   view.rank == dims.size() &&
                   (view.rank == 0 || view.dims != nullptr);
    // An output's dynamic dims are the runtime's to say
    // (aicc_session_output_shape); the view only has to hold the bytes.
    for (size_t d = 0; shapeOk && d < view.rank; ++d) {
      int64_t constant = 0;
      bool anyValue = !isInput && !info.dimExprs.empty() &&
                      !isConstIntExpr(info.dimExprs[d].code,
                                      info.dimExprs[d].size, &constant);
      shapeOk = anyValue || view.dims[d] == dims[d];
    }
    if (!shapeOk) {
      std::string expected =
          describeExpected(info, dims, module_->symbolNames());
      std::string actualText =
          view.rank && !view.dims
              ? std::string(aicc_element_type_name(view.element_type)) +
                    "[<NULL dims>]"
              : describeTensor(view.element_type, view.rank, view.dims);
      return makeStatus(
          AICC_STATUS_INVALID_ARGUMENT, "%s %zu ('%s'): expected %s, got %s",
          what, i, info.name.c_str(), expected.c_str(), actualText.c_str());
    }
    if (!checkMemory || (isInput && i < inputRead_.size() && !inputRead_[i]))
      continue;
    uint64_t byteSize = info.byteSize;
    if (!info.dimExprs.empty()) {
      byteSize = aicc_element_type_size(info.elementType);
      for (int64_t dim : dims)
        byteSize *= static_cast<uint64_t>(dim); // <= the upper bound's size
    }
    if (view.byte_size < byteSize)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "%s %zu ('%s'): the view holds %zu bytes, the tensor "
                        "needs %llu",
                        what, i, info.name.c_str(), view.byte_size,
                        (unsigned long long)byteSize);
    if (!view.data && byteSize)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "%s %zu ('%s'): data is NULL", what, i,
                        info.name.c_str());
  }
  return nullptr;
}

std::string Session::symbolValuesText() const {
  std::string text;
  const std::vector<SymbolInfo> &symbols = module_->symbols();
  for (size_t s = 0; s < symbols.size(); ++s)
    text += (s ? ", " : "") + symbols[s].name + " = " +
            std::to_string(symbolValues_[s]);
  return text;
}

aicc_status_t Session::bindShapes(const aicc_tensor_view_t *inputs,
                                  size_t count) {
  const std::vector<TensorInfo> &infos = module_->inputs();
  const std::vector<SymbolInfo> &symbols = module_->symbols();
  const std::vector<std::string> &names = module_->symbolNames();
  if (count != infos.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "expected %zu inputs, got %zu", infos.size(), count);
  if (count && !inputs)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT, "the input array is NULL");
  // Ranks first, so that every dim read below exists.
  for (size_t i = 0; i < count; ++i) {
    const TensorInfo &info = infos[i];
    const aicc_tensor_view_t &view = inputs[i];
    if (view.rank != info.dims.size() || (view.rank && !view.dims)) {
      std::string actual =
          view.rank && !view.dims
              ? std::string(aicc_element_type_name(view.element_type)) +
                    "[<NULL dims>]"
              : describeTensor(view.element_type, view.rank, view.dims);
      return makeStatus(
          AICC_STATUS_INVALID_ARGUMENT, "input %zu ('%s'): expected %s, got %s",
          i, info.name.c_str(),
          describeExpected(info, info.dims, names).c_str(), actual.c_str());
    }
  }
  // Bind every symbol from its input dim and check its range.
  for (size_t s = 0; s < symbols.size(); ++s) {
    const SymbolInfo &symbol = symbols[s];
    if (symbol.isValue)
      continue; // Bound from the values below.
    int64_t value = inputs[symbol.input].dims[symbol.dim];
    if (value < symbol.min || value > symbol.max)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "input '%s' dim %u (%s) is %lld, outside %lld..%lld",
                        infos[symbol.input].name.c_str(), symbol.dim,
                        symbol.name.c_str(), static_cast<long long>(value),
                        static_cast<long long>(symbol.min),
                        static_cast<long long>(symbol.max));
    symbolValues_[s] = value;
  }
  // Every other input dim must agree.
  for (size_t i = 0; i < count; ++i) {
    const TensorInfo &info = infos[i];
    const aicc_tensor_view_t &view = inputs[i];
    std::vector<int64_t> &dims = inputDims_[i];
    for (size_t d = 0; d < info.dimExprs.size(); ++d) {
      int64_t expected = 0;
      const IntProgram &program = info.dimExprs[d];
      int64_t symbol = info.symbols[d];
      if (symbol >= 0)
        expected = symbolValues_[static_cast<size_t>(symbol)];
      else
        isConstIntExpr(program.code, program.size, &expected);
      if (view.dims[d] != expected) {
        if (symbol < 0)
          return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                            "input '%s' dim %zu is %lld, expected %lld (%s)",
                            info.name.c_str(), d,
                            static_cast<long long>(view.dims[d]),
                            static_cast<long long>(expected),
                            describeExpected(info, info.dims, names).c_str());
        const SymbolInfo &bound = symbols[static_cast<size_t>(symbol)];
        return makeStatus(
            AICC_STATUS_INVALID_ARGUMENT,
            "input '%s' dim %zu (%s) is %lld, but input '%s' dim %u set %s "
            "to %lld (range %lld..%lld)",
            info.name.c_str(), d, bound.name.c_str(),
            static_cast<long long>(view.dims[d]),
            infos[bound.input].name.c_str(), bound.dim, bound.name.c_str(),
            static_cast<long long>(expected), static_cast<long long>(bound.min),
            static_cast<long long>(bound.max));
      }
      dims[d] = expected;
    }
  }
  if (module_->hasValueSymbols())
    AICC_RETURN_IF_ERROR(bindValueSymbols(inputs, count));
  // Assumptions.
  for (const AssumptionInfo &assumption : module_->assumptions()) {
    int64_t lhs = 0, rhs = 0;
    bool ok = evalIntExpr(assumption.lhs.code, assumption.lhs.size,
                          symbolValues_.data(), symbolValues_.size(), &lhs) &&
              evalIntExpr(assumption.rhs.code, assumption.rhs.size,
                          symbolValues_.data(), symbolValues_.size(), &rhs);
    if (!ok || lhs != rhs) {
      std::string lhsText =
          formatIntExpr(assumption.lhs.code, assumption.lhs.size, names);
      std::string rhsText =
          formatIntExpr(assumption.rhs.code, assumption.rhs.size, names);
      return makeStatus(
          AICC_STATUS_INVALID_ARGUMENT,
          "these input shapes break an assumption of the compiler%s%s: %s "
          "(= %lld) must equal %s (= %lld) (%s)",
          assumption.what.empty() ? "" : " at ", assumption.what.c_str(),
          lhsText.c_str(), static_cast<long long>(lhs), rhsText.c_str(),
          static_cast<long long>(rhs), symbolValuesText().c_str());
    }
  }
  // Output shapes.
  const std::vector<TensorInfo> &outputs = module_->outputs();
  for (size_t o = 0; o < outputs.size(); ++o) {
    const TensorInfo &info = outputs[o];
    for (size_t d = 0; d < info.dimExprs.size(); ++d) {
      int64_t value = 0;
      const IntProgram &program = info.dimExprs[d];
      if (!evalIntExpr(program.code, program.size, symbolValues_.data(),
                       symbolValues_.size(), &value) ||
          value < 0 || value > info.dims[d])
        return makeStatus(
            AICC_STATUS_INVALID_MODULE,
            "output '%s' dim %zu (%s) evaluates to %lld, "
            "outside 0..%lld, for %s",
            info.name.c_str(), d,
            formatIntExpr(program.code, program.size, names).c_str(),
            static_cast<long long>(value), static_cast<long long>(info.dims[d]),
            symbolValuesText().c_str());
      outputDims_[o][d] = value;
    }
  }
  return nullptr;
}

aicc_status_t Session::bindValueSymbols(const aicc_tensor_view_t *inputs,
                                        size_t count) {
  // Element types and shapes first: a value is read as the declared type.
  AICC_RETURN_IF_ERROR(
      checkViews(inputs, count, /*isInput=*/true, /*checkMemory=*/false));
  const std::vector<TensorInfo> &infos = module_->inputs();
  valueInputs_.assign(count, IntExprInput());
  for (size_t i = 0; i < count; ++i) {
    const TensorInfo &info = infos[i];
    IntExprInput &input = valueInputs_[i];
    input.type = info.elementType;
    input.name = info.name.c_str();
    // The verifier lets the LOAD family read static inputs only.
    if (!info.dimExprs.empty())
      continue;
    input.count = info.byteSize / std::max<size_t>(
                                      aicc_element_type_size(info.elementType),
                                      1);
    if (inputs[i].data && inputs[i].byte_size >= info.byteSize)
      input.data = inputs[i].data;
  }
  const std::vector<SymbolInfo> &symbols = module_->symbols();
  for (size_t s = 0; s < symbols.size(); ++s) {
    const SymbolInfo &symbol = symbols[s];
    if (!symbol.isValue)
      continue;
    // Messages only: the common path builds no strings.
    auto describe = [&] {
      return symbol.what.empty() ? "symbol '" + symbol.name + "'"
                                 : symbol.what;
    };
    std::string error;
    int64_t value = 0;
    // Only the symbols before it (the verifier checked the program).
    if (!evalIntExpr(symbol.def.code, symbol.def.size, symbolValues_.data(),
                     s, valueInputs_.data(), valueInputs_.size(), &value,
                     &error)) {
      bool noData = error.rfind("needs the values", 0) == 0;
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "%s: %s%s", describe().c_str(), error.c_str(),
                        noData ? "; this module's output shapes depend on "
                                 "input values"
                               : "");
    }
    if (value < symbol.min || value > symbol.max)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "%s is %lld, outside %lld..%lld", describe().c_str(),
                        static_cast<long long>(value),
                        static_cast<long long>(symbol.min),
                        static_cast<long long>(symbol.max));
    symbolValues_[s] = value;
  }
  return nullptr;
}

uint64_t Session::bufferBytes(uint32_t index) const {
  if (index < runtimeBufferBytes_.size() && runtimeBufferBytes_[index] >= 0)
    return static_cast<uint64_t>(runtimeBufferBytes_[index]);
  return module_->root().memory_plan()->buffers()->Get(index)->size();
}

aicc_status_t Session::allocateRuntimeBuffers() {
  const auto *buffers = module_->root().memory_plan()->buffers();
  for (RuntimeAllocation &allocation : runtimeAllocations_)
    allocation.needed = 0;
  for (uint32_t b : runtimeBuffers_) {
    const fb::Buffer *buffer = buffers->Get(b);
    IntProgram program = intProgram(buffer->size_expr());
    int64_t bytes = 0;
    std::string error;
    if (!evalIntExpr(program.code, program.size, symbolValues_.data(),
                     symbolValues_.size(), nullptr, 0, &bytes, &error) ||
        bytes < 0)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "buffer %u: its size %s is %s for %s", b,
                        formatIntExpr(program.code, program.size,
                                      module_->symbolNames())
                            .c_str(),
                        error.empty() ? std::to_string(bytes).c_str()
                                      : error.c_str(),
                        symbolValuesText().c_str());
    runtimeBufferBytes_[b] = bytes;
    uint64_t end = 0;
    if (__builtin_add_overflow(buffer->offset(), static_cast<uint64_t>(bytes),
                               &end))
      end = UINT64_MAX;
    RuntimeAllocation &allocation = runtimeAllocations_[buffer->ref()];
    allocation.needed = std::max(allocation.needed, end);
  }
  uint64_t total = 0;
  for (const RuntimeAllocation &allocation : runtimeAllocations_) {
    uint64_t rounded = allocation.needed > UINT64_MAX - 63
                           ? UINT64_MAX
                           : (allocation.needed + 63) & ~uint64_t(63);
    total = rounded > UINT64_MAX - total ? UINT64_MAX : total + rounded;
  }
  if (total > runtimeAllocLimit_)
    return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                      "buffers whose size depends on input values need %llu "
                      "bytes in this run, more than the limit of %llu bytes "
                      "(aicc_session_options_t.max_runtime_alloc_bytes) for %s",
                      (unsigned long long)total,
                      (unsigned long long)runtimeAllocLimit_,
                      symbolValuesText().c_str());
  for (size_t a = 0; a < runtimeAllocations_.size(); ++a) {
    RuntimeAllocation &allocation = runtimeAllocations_[a];
    // At least one aligned block, so that no binding is null.
    uint64_t needed = std::max<uint64_t>(allocation.needed, 64);
    if (allocation.capacity >= needed)
      continue;
    std::free(allocation.data);
    allocation.capacity = 0;
    allocation.data = allocateAligned(needed);
    if (!allocation.data)
      return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                        "cannot allocate the %llu bytes of runtime-allocated "
                        "buffer %zu for %s",
                        (unsigned long long)needed, a,
                        symbolValuesText().c_str());
    allocation.capacity = needed;
  }
  for (const RuntimeSlot &slot : runtimeSlots_) {
    const fb::Buffer *buffer = buffers->Get(slot.buffer);
    slots_[slot.slot] =
        runtimeAllocations_[buffer->ref()].data + buffer->offset();
  }
  return nullptr;
}

aicc_status_t Session::evaluateSchedule(const aicc_tensor_view_t *inputs,
                                        const aicc_tensor_view_t *outputs) {
  if (!runtimeBuffers_.empty())
    AICC_RETURN_IF_ERROR(allocateRuntimeBuffers());
  for (const DynamicPush &push : dynamicPushes_) {
    if (!evalIntExpr(push.program.code, push.program.size, symbolValues_.data(),
                     symbolValues_.size(), &pushConstants_[push.index]))
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "command %u: push constant %u (%s) overflows int64 "
                        "for %s",
                        push.command, push.constant,
                        formatIntExpr(push.program.code, push.program.size,
                                      module_->symbolNames())
                            .c_str(),
                        symbolValuesText().c_str());
  }
  for (const DynamicCopy &copy : dynamicCopies_) {
    PreparedCommand &command = commands_[copy.prepared];
    const fb::Copy *source =
        module_->root().commands()->Get(command.commandIndex)->op_as_Copy();
    // Both buffers bound the copy: with value symbols (1.4) a copy may join
    // buffers of different (upper-bound) sizes.
    uint64_t limit = std::min(bufferBytes(source->source()),
                              bufferBytes(source->target()));
    int64_t bytes = 0;
    if (!evalIntExpr(copy.program.code, copy.program.size, symbolValues_.data(),
                     symbolValues_.size(), &bytes) ||
        bytes < 0 || static_cast<uint64_t>(bytes) > limit)
      return makeStatus(AICC_STATUS_INVALID_MODULE,
                        "command %u: the copy size %s is %lld for %s, "
                        "outside 0..%llu",
                        command.commandIndex,
                        formatIntExpr(copy.program.code, copy.program.size,
                                      module_->symbolNames())
                            .c_str(),
                        static_cast<long long>(bytes),
                        symbolValuesText().c_str(), (unsigned long long)limit);
    command.copyBytes = static_cast<uint64_t>(bytes);
  }
  for (const KvCopyOffset &copy : kvCopyOffsets_) {
    PreparedCommand &command = commands_[copy.prepared];
    const fb::Copy *source =
        module_->root().commands()->Get(command.commandIndex)->op_as_Copy();
    const fb::Buffer *target =
        module_->root().memory_plan()->buffers()->Get(source->target());
    int64_t offset = 0;
    if (!evalIntExpr(copy.program.code, copy.program.size, symbolValues_.data(),
                     symbolValues_.size(), &offset) ||
        offset < 0 || target->kind() != fb::BufferKind::State ||
        target->offset() + static_cast<uint64_t>(offset) + command.copyBytes >
            statePoolSizes_[target->ref()])
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "command %u: the KV-cache write at byte offset %s = "
                        "%lld (%llu bytes) does not fit its state pool for %s",
                        command.commandIndex,
                        formatIntExpr(copy.program.code, copy.program.size,
                                      module_->symbolNames())
                            .c_str(),
                        static_cast<long long>(offset),
                        (unsigned long long)command.copyBytes,
                        symbolValuesText().c_str());
    slots_[copy.slot] = static_cast<uint8_t *>(copy.base) + offset;
    if (copy.paged >= 0) {
      // Paged: logical rows, mapped to blocks (taken from the free list as
      // the sequence grows) before any kernel reads the table.
      KvBlocks &blocks = kvBlocks_[copy.paged];
      uint64_t row = copy.rowBytes;
      if (target->offset() != 0 || row == 0 ||
          static_cast<uint64_t>(offset) % row || command.copyBytes % row ||
          command.kind != CommandKind::PagedCopy ||
          !blocks.mapRows((static_cast<uint64_t>(offset) + command.copyBytes) /
                          row))
        return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                          "command %u: the paged KV-cache write of %llu bytes "
                          "at byte %lld is not whole rows of %llu bytes "
                          "within its %u blocks",
                          command.commandIndex,
                          (unsigned long long)command.copyBytes,
                          static_cast<long long>(offset),
                          (unsigned long long)row, blocks.blocks());
      pagedCopies_[command.pushOffset] = {copy.paged,
                                          static_cast<uint64_t>(offset) / row,
                                          command.copyBytes / row};
    }
  }
  stateBytesLastRun_ = 0;
  for (uint32_t prepared : stateCopies_)
    stateBytesLastRun_ += commands_[prepared].copyBytes;
  for (const CallerCopy &copy : callerCopies_) {
    const PreparedCommand &command = commands_[copy.prepared];
    const aicc_tensor_view_t &view =
        copy.isOutput ? outputs[copy.tensor] : inputs[copy.tensor];
    if (command.copyBytes && (copy.offset > view.byte_size ||
                              command.copyBytes > view.byte_size - copy.offset))
      return makeStatus(
          AICC_STATUS_INVALID_ARGUMENT,
          "command %u copies %llu bytes at offset %llu of %s '%s', whose "
          "view holds %zu bytes (give views of the tensors' upper-bound "
          "size for this module)",
          command.commandIndex, (unsigned long long)command.copyBytes,
          (unsigned long long)copy.offset, copy.isOutput ? "output" : "input",
          (copy.isOutput ? module_->outputs() : module_->inputs())[copy.tensor]
              .name.c_str(),
          view.byte_size);
  }
  return nullptr;
}

aicc_status_t Session::inferShapes(const aicc_tensor_view_t *inputs,
                                   size_t inputCount) {
  if (running_.exchange(true, std::memory_order_acquire))
    return makeStatus(AICC_STATUS_BUSY,
                      "%s: the session is already running on another thread; "
                      "use one session per thread",
                      module_->name().c_str());
  aicc_status_t status = nullptr;
  if (dynamic_)
    status = bindShapes(inputs, inputCount);
  if (!status)
    status = checkViews(inputs, inputCount, /*isInput=*/true,
                        /*checkMemory=*/false);
  running_.store(false, std::memory_order_release);
  return status ? annotateStatus(status, "%s", module_->name().c_str())
                : nullptr;
}

aicc_status_t Session::commandError(uint32_t commandIndex,
                                    aicc_status_t status) {
  const fb::AiccModule &root = module_->root();
  const fb::Dispatch *dispatch =
      root.commands()->Get(commandIndex)->op_as_Dispatch();
  if (!dispatch)
    return annotateStatus(status, "%s: command %u", module_->name().c_str(),
                          commandIndex);
  const fb::Executable *exe = root.executables()->Get(dispatch->executable());
  return annotateStatus(
      status, "%s: command %u (dispatch of '%s' in executable %u)",
      module_->name().c_str(), commandIndex,
      exe->entry_points()->Get(dispatch->entry_point())->name()->c_str(),
      dispatch->executable());
}

/// Nanoseconds of a monotonic clock.
static inline uint64_t nowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

template <bool Profile> aicc_status_t Session::runCommands() {
  void **slots = slots_.data();
  const int64_t *push = pushConstants_.data();
  hal::DeviceContext &context = *context_;
  // An asynchronous device times commands with timestamps on its stream
  // (timestamp i + 1 follows command i), read after the run.
  const bool timestamps = Profile && asynchronous_;
  if (timestamps)
    AICC_RETURN_IF_ERROR(context.recordTimestamp(0));
  uint64_t start = Profile && !timestamps ? nowNs() : 0;
  for (const PreparedCommand &command : commands_) {
    switch (command.kind) {
    case CommandKind::Dispatch: {
      const int64_t *pushConstants = command.pushOffset == UINT32_MAX
                                         ? nullptr
                                         : push + command.pushOffset;
      if (aicc_status_t status = context.dispatch(
              command.entry, slots + command.firstSlot, pushConstants))
        return commandError(command.commandIndex, status);
      break;
    }
    case CommandKind::Launch: {
      const int64_t *pushConstants = command.pushOffset == UINT32_MAX
                                         ? nullptr
                                         : push + command.pushOffset;
      if (aicc_status_t status =
              context.launch(command.entry, slots + command.firstSlot,
                             pushConstants, grids_.data() + command.gridOffset))
        return commandError(command.commandIndex, status);
      break;
    }
    case CommandKind::Copy:
      if (!command.copyBytes)
        break;
      if (command.copyKind == hal::CopyKind::HostToHost) {
        std::memmove(slots[command.firstSlot + 1], slots[command.firstSlot],
                     command.copyBytes);
      } else if (aicc_status_t status = context.copy(
                     command.copyKind, slots[command.firstSlot + 1],
                     slots[command.firstSlot], command.copyBytes)) {
        return commandError(command.commandIndex, status);
      }
      break;
    case CommandKind::PagedCopy: {
      const PagedCopy &copy = pagedCopies_[command.pushOffset];
      kvBlocks_[copy.blocks].write(
          copy.firstRow, static_cast<const uint8_t *>(slots[command.firstSlot]),
          copy.rows);
      break;
    }
    case CommandKind::Barrier:
      break;
    }
    if (timestamps) {
      if (aicc_status_t status =
              context.recordTimestamp(command.commandIndex + 1))
        return commandError(command.commandIndex, status);
    } else if (Profile) {
      // One clock read per command: each command's time runs from the end
      // of the previous one, so the times add up to the whole schedule.
      uint64_t end = nowNs();
      aicc_command_profile_t &entry = profile_[command.commandIndex];
      uint64_t elapsed = end - start;
      entry.last_ns = elapsed;
      entry.total_ns += elapsed;
      if (entry.run_count == 0 || elapsed < entry.min_ns)
        entry.min_ns = elapsed;
      ++entry.run_count;
      start = end;
    }
  }
  return nullptr;
}

/// Whether reading kKernelReadSlack bytes past the end of `view` could
/// touch a page the view does not reach into (which may be unmapped).
static bool slackLeavesPage(const aicc_tensor_view_t &view) {
  static const uint64_t pageSize = [] {
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? static_cast<uint64_t>(size) : uint64_t(4096);
  }();
  if (!view.data || view.byte_size == 0)
    return false;
  uint64_t last = reinterpret_cast<uintptr_t>(view.data) + view.byte_size - 1;
  return last / pageSize != (last + kKernelReadSlack) / pageSize;
}

void Session::stageViews(const aicc_tensor_view_t *inputs, size_t inputCount,
                         const aicc_tensor_view_t *outputs,
                         size_t outputCount) {
  stagedInputs_.assign(inputCount, nullptr);
  stagedOutputs_.assign(outputCount, nullptr);
  if (ownMemory_)
    return; // copied to and from the device, never read in place
  // First the views to stage (marked with a non-null placeholder), then
  // their places in the staging buffer.
  uint64_t needed = 0;
  auto mark = [&](const aicc_tensor_view_t &view, uint8_t *&staged) {
    if (!slackLeavesPage(view))
      return;
    staged = static_cast<uint8_t *>(view.data);
    needed += (view.byte_size + 63) & ~uint64_t(63);
  };
  for (size_t i = 0; i < inputCount; ++i)
    if (i < inputRead_.size() && inputRead_[i])
      mark(inputs[i], stagedInputs_[i]);
  for (size_t o = 0; o < outputCount; ++o)
    if (o < outputRead_.size() && outputRead_[o])
      mark(outputs[o], stagedOutputs_[o]);
  if (needed == 0)
    return;
  if (needed > stagingBytes_) {
    std::free(staging_);
    staging_ = allocateAligned(needed);
    stagingBytes_ = staging_ ? needed : 0;
    if (!staging_) {
      // Out of memory: use the caller's memory.
      stagedInputs_.assign(inputCount, nullptr);
      stagedOutputs_.assign(outputCount, nullptr);
      return;
    }
  }
  uint64_t offset = 0;
  auto place = [&](const aicc_tensor_view_t &view, uint8_t *&staged) {
    if (!staged)
      return;
    staged = staging_ + offset;
    offset += (view.byte_size + 63) & ~uint64_t(63);
  };
  for (size_t i = 0; i < inputCount; ++i) {
    place(inputs[i], stagedInputs_[i]);
    if (stagedInputs_[i])
      std::memcpy(stagedInputs_[i], inputs[i].data, inputs[i].byte_size);
  }
  for (size_t o = 0; o < outputCount; ++o)
    place(outputs[o], stagedOutputs_[o]);
}

void Session::unstageOutputs(const aicc_tensor_view_t *outputs,
                             size_t outputCount) {
  for (size_t o = 0; o < outputCount && o < stagedOutputs_.size(); ++o) {
    if (!stagedOutputs_[o])
      continue;
    // The bytes of this run's shape (a dynamic output may hold fewer than
    // its view), never more than the view.
    uint64_t bytes = aicc_element_type_size(module_->outputs()[o].elementType);
    for (int64_t dim : outputDims_[o])
      bytes *= static_cast<uint64_t>(dim);
    std::memcpy(outputs[o].data, stagedOutputs_[o],
                std::min<uint64_t>(bytes, outputs[o].byte_size));
  }
}

aicc_status_t Session::run(const aicc_tensor_view_t *inputs, size_t inputCount,
                           const aicc_tensor_view_t *outputs,
                           size_t outputCount) {
  if (running_.exchange(true, std::memory_order_acquire))
    return makeStatus(AICC_STATUS_BUSY,
                      "%s: the session is already running on another thread; "
                      "use one session per thread",
                      module_->name().c_str());
  aicc_status_t status = nullptr;
  if (dynamic_)
    status = bindShapes(inputs, inputCount);
  if (!status)
    status = checkViews(inputs, inputCount, /*isInput=*/true);
  if (!status)
    status = checkViews(outputs, outputCount, /*isInput=*/false);
  if (!status && dynamic_)
    status = evaluateSchedule(inputs, outputs);
  if (status) {
    running_.store(false, std::memory_order_release);
    return annotateStatus(status, "%s", module_->name().c_str());
  }
  stageViews(inputs, inputCount, outputs, outputCount);
  for (const IoPatch &patch : ioPatches_) {
    const aicc_tensor_view_t &view =
        patch.isOutput ? outputs[patch.tensor] : inputs[patch.tensor];
    uint8_t *staged = patch.isOutput ? stagedOutputs_[patch.tensor]
                                     : stagedInputs_[patch.tensor];
    uint8_t *base = staged ? staged : static_cast<uint8_t *>(view.data);
    slots_[patch.slot] = base ? base + patch.offset : nullptr;
  }
  if (!ownMemory_) {
    status = profiling_ ? runCommands<true>() : runCommands<false>();
    if (!status)
      unstageOutputs(outputs, outputCount);
  } else {
    // Enqueue everything, then wait for the stream: outputs are valid when
    // the run returns.
    status = context_->begin();
    if (!status) {
      status = profiling_ ? runCommands<true>() : runCommands<false>();
      aicc_status_t finished = context_->finish();
      if (status)
        aicc_status_free(finished);
      else if (finished)
        status = annotateStatus(finished, "%s: run on device '%s'",
                                module_->name().c_str(), device_->info().name);
    } else {
      status = annotateStatus(status, "%s", module_->name().c_str());
    }
    if (!status && profiling_ && asynchronous_)
      status = collectTimestamps();
  }
  running_.store(false, std::memory_order_release);
  return status;
}

aicc_status_t Session::collectTimestamps() {
  for (const PreparedCommand &command : commands_) {
    uint64_t elapsed = 0;
    if (aicc_status_t status = context_->elapsedNs(
            command.commandIndex, command.commandIndex + 1, &elapsed))
      return commandError(command.commandIndex, status);
    aicc_command_profile_t &entry = profile_[command.commandIndex];
    entry.last_ns = elapsed;
    entry.total_ns += elapsed;
    if (entry.run_count == 0 || elapsed < entry.min_ns)
      entry.min_ns = elapsed;
    ++entry.run_count;
  }
  return nullptr;
}

aicc_status_t Session::setProfiling(bool enabled) {
  if (running_.exchange(true, std::memory_order_acquire))
    return makeStatus(AICC_STATUS_BUSY,
                      "%s: cannot change profiling while the session runs",
                      module_->name().c_str());
  if (enabled && !profiling_) {
    if (asynchronous_) {
      if (aicc_status_t status =
              context_->prepareTimestamps(commands_.size() + 1)) {
        running_.store(false, std::memory_order_release);
        return annotateStatus(status, "%s: profiling", module_->name().c_str());
      }
    }
    profile_.assign(commands_.size(), aicc_command_profile_t{});
  }
  profiling_ = enabled;
  running_.store(false, std::memory_order_release);
  return nullptr;
}

aicc_status_t Session::resetProfile() {
  if (running_.exchange(true, std::memory_order_acquire))
    return makeStatus(AICC_STATUS_BUSY,
                      "%s: cannot reset the profile while the session runs",
                      module_->name().c_str());
  profile_.assign(commands_.size(), aicc_command_profile_t{});
  running_.store(false, std::memory_order_release);
  return nullptr;
}

aicc_status_t Session::commandProfile(size_t index,
                                      aicc_command_profile_t *out) const {
  if (index >= commands_.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "command index %zu out of range (%zu commands)", index,
                      commands_.size());
  *out = index < profile_.size() ? profile_[index] : aicc_command_profile_t{};
  return nullptr;
}

uint64_t Session::kvCommittedBytes() const {
  uint64_t bytes = 0;
  for (size_t i = 0; i < statePools_.size(); ++i)
    if (statePoolKv_[i])
      bytes += kvBlocksOfPool_[i] >= 0
                   ? kvBlocks_[kvBlocksOfPool_[i]].committedBytes()
                   : statePoolSizes_[i];
  return bytes;
}

uint64_t Session::kvReservedBytes() const {
  uint64_t bytes = 0;
  for (size_t i = 0; i < statePools_.size(); ++i)
    if (statePoolKv_[i])
      bytes += statePoolSizes_[i];
  return bytes;
}

aicc_status_t Session::resetState() {
  if (running_.exchange(true, std::memory_order_acquire))
    return makeStatus(AICC_STATUS_BUSY,
                      "%s: cannot reset state while the session runs",
                      module_->name().c_str());
  aicc_status_t status = nullptr;
  bool onDevice = false;
  // Paged pools give their blocks back (and their memory to the system)
  // rather than being zeroed (which would commit all of it).
  for (KvBlocks &blocks : kvBlocks_)
    blocks.release();
  for (size_t i = 0; i < statePools_.size(); ++i) {
    if (statePools_[i] && !statePoolOnDevice_[i] && !statePoolReserved_[i])
      std::memset(statePools_[i], 0, statePoolSizes_[i]);
    onDevice |= statePoolOnDevice_[i];
  }
  if (onDevice) {
    status = context_->begin();
    if (!status) {
      for (size_t i = 0; i < statePools_.size() && !status; ++i)
        if (statePoolOnDevice_[i])
          status = context_->zero(statePools_[i], statePoolSizes_[i]);
      aicc_status_t finished = context_->finish();
      if (status)
        aicc_status_free(finished);
      else
        status = finished;
    }
    if (status)
      status =
          annotateStatus(status, "%s: reset state", module_->name().c_str());
  }
  running_.store(false, std::memory_order_release);
  return status;
}
