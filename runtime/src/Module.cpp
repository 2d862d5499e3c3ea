//===- Module.cpp - A loaded, verified artifact ---------------------------===//

#include "src/Module.h"

#include "src/IntExpr.h"
#include "src/Runtime.h"
#include "src/Status.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <sys/mman.h>

using namespace aicc;

void ModuleStorage::release() {
  switch (kind) {
  case Kind::Mapped:
    if (data)
      ::munmap(const_cast<uint8_t *>(data), mappedLength);
    break;
  case Kind::Owned:
    std::free(const_cast<uint8_t *>(data));
    break;
  case Kind::Borrowed:
    break;
  }
  data = nullptr;
  size = 0;
}

IntProgram aicc::intProgram(const fb::IntExpr *expr) {
  IntProgram program;
  if (expr && expr->code() && expr->code()->size()) {
    program.code = expr->code()->data();
    program.size = expr->code()->size();
  }
  return program;
}

static TensorInfo decodeTensor(const fb::TensorDesc &tensor) {
  TensorInfo info;
  info.name = tensor.name()->str();
  info.elementType = static_cast<aicc_element_type_t>(tensor.element_type());
  if (const auto *shape = tensor.shape())
    info.dims.assign(shape->begin(), shape->end());
  if (const auto *dims = tensor.dims()) {
    for (const fb::IntExpr *expr : *dims) {
      IntProgram program = intProgram(expr);
      int64_t symbol = -1;
      if (!isSymIntExpr(program.code, program.size, &symbol))
        symbol = -1;
      info.dimExprs.push_back(program);
      info.symbols.push_back(symbol);
    }
  }
  // Verified not to overflow, except the upper bound of a dynamic tensor
  // over value symbols (1.4), which saturates.
  info.byteSize = aicc_element_type_size(info.elementType);
  for (int64_t dim : info.dims)
    if (__builtin_mul_overflow(info.byteSize, static_cast<uint64_t>(dim),
                               &info.byteSize)) {
      info.byteSize = UINT64_MAX;
      break;
    }
  return info;
}

aicc_status_t Module::load(Runtime *runtime, ModuleStorage storage,
                           const char *name, Module **out) {
  const fb::AiccModule *root = nullptr;
  if (aicc_status_t status = verifyModule(storage.data, storage.size, &root)) {
    storage.release();
    return annotateStatus(status, "%s", name);
  }

  Module *module = new (std::nothrow) Module();
  if (!module) {
    storage.release();
    return makeStatus(AICC_STATUS_OUT_OF_MEMORY, "%s: out of memory", name);
  }
  module->runtime_ = runtime;
  runtime->retain();
  module->storage_ = storage;
  module->root_ = root;
  module->name_ = name;
  if (root->producer())
    module->producer_ = root->producer()->str();
  if (root->name())
    module->moduleName_ = root->name()->str();
  if (const auto *targets = root->targets()) {
    for (uint32_t i = 0; i < targets->size(); ++i) {
      if (i)
        module->targets_ += ",";
      module->targets_ += targets->Get(i)->str();
    }
  }
  if (const fb::Signature *signature = root->signature()) {
    if (signature->inputs())
      for (const fb::TensorDesc *tensor : *signature->inputs())
        module->inputs_.push_back(decodeTensor(*tensor));
    if (signature->outputs())
      for (const fb::TensorDesc *tensor : *signature->outputs())
        module->outputs_.push_back(decodeTensor(*tensor));
  }

  for (const TensorInfo &info : module->inputs_)
    module->dynamic_ |= !info.dimExprs.empty();
  for (const TensorInfo &info : module->outputs_)
    module->dynamic_ |= !info.dimExprs.empty();
  if (const auto *symbols = root->symbols()) {
    for (const fb::Symbol *symbol : *symbols) {
      SymbolInfo info{symbol->name()->str(), symbol->min(), symbol->max(), 0,
                      0};
      // 1.4: a value symbol, computed from the inputs' values.
      info.def = intProgram(symbol->def());
      info.isValue = symbol->def() != nullptr;
      if (symbol->what())
        info.what = symbol->what()->str();
      module->hasValueSymbols_ |= info.isValue;
      module->symbolNames_.push_back(info.name);
      module->symbols_.push_back(info);
    }
    // The verifier proved every dim symbol is some input dim.
    for (size_t s = 0; s < module->symbols_.size(); ++s) {
      if (module->symbols_[s].isValue)
        continue;
      bool found = false;
      for (uint32_t i = 0; i < module->inputs_.size() && !found; ++i)
        for (uint32_t d = 0; d < module->inputs_[i].symbols.size() && !found;
             ++d)
          if (module->inputs_[i].symbols[d] == static_cast<int64_t>(s)) {
            module->symbols_[s].input = i;
            module->symbols_[s].dim = d;
            found = true;
          }
    }
  }
  if (const auto *assumptions = root->assumptions())
    for (const fb::Assumption *assumption : *assumptions)
      module->assumptions_.push_back(
          {intProgram(assumption->lhs()), intProgram(assumption->rhs()),
           assumption->what() ? assumption->what()->str() : std::string()});

  aicc_module_properties_t &p = module->properties_;
  p.version_major = root->version_major();
  p.version_minor = root->version_minor();
  p.producer = module->producer_.c_str();
  p.name = module->moduleName_.c_str();
  p.targets = module->targets_.c_str();
  p.executable_count = root->executables() ? root->executables()->size() : 0;
  if (const auto *constants = root->constants()) {
    p.constant_count = constants->size();
    for (const fb::Constant *constant : *constants)
      p.constant_bytes += constant->size();
  }
  if (const fb::MemoryPlan *plan = root->memory_plan()) {
    p.memory_space_count = plan->spaces() ? plan->spaces()->size() : 0;
    p.buffer_count = plan->buffers() ? plan->buffers()->size() : 0;
  }
  p.state_pool_count = root->state_pools() ? root->state_pools()->size() : 0;
  if (const auto *commands = root->commands()) {
    p.command_count = commands->size();
    for (const fb::Command *command : *commands)
      if (command->op_type() == fb::CommandOp::Dispatch)
        ++p.dispatch_count;
  }
  p.file_size = storage.size;
  *out = module;
  return nullptr;
}

Module::~Module() {
  code_.clear(); // Unload code before unmapping the file it came from.
  storage_.release();
  runtime_->release();
}

void Module::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete this;
}

const uint8_t *Module::segmentData(uint32_t index) const {
  return storage_.data + root_->segments()->Get(index)->offset();
}

Module::DeviceCode::~DeviceCode() {
  executables.clear();
  if (constantBlock)
    device->deallocate(constantBlock);
}

aicc_status_t Module::codeFor(hal::Device &device, const DeviceCode **out) {
  std::lock_guard<std::mutex> lock(codeMutex_);
  for (const auto &loaded : code_) {
    if (loaded->device == &device) {
      *out = loaded.get();
      return nullptr;
    }
  }
  std::unique_ptr<DeviceCode> loaded(new (std::nothrow) DeviceCode());
  if (!loaded)
    return makeStatus(AICC_STATUS_OUT_OF_MEMORY, "out of memory");
  loaded->device = &device;
  AICC_RETURN_IF_ERROR(loadExecutables(*loaded));
  // Host memory uses constants in place, but a kernel's read past the last
  // one must stay inside the artifact's bytes (the compiler pads the
  // constant segment; a file from elsewhere may not).
  AICC_RETURN_IF_ERROR(
      uploadConstants(*loaded, /*tailOnly=*/!device.hasOwnMemory()));
  code_.push_back(std::move(loaded));
  *out = code_.back().get();
  return nullptr;
}

/// Whether two executables hold the same code in different binaries: same
/// device kind and the same entry point names in the same order.
static bool sameEntryPoints(const fb::Executable &a, const fb::Executable &b) {
  if (a.device() != b.device() ||
      a.entry_points()->size() != b.entry_points()->size())
    return false;
  for (uint32_t e = 0; e < a.entry_points()->size(); ++e)
    if (a.entry_points()->Get(e)->name()->str() !=
        b.entry_points()->Get(e)->name()->str())
      return false;
  return true;
}

aicc_status_t Module::loadExecutables(DeviceCode &code) {
  hal::Device &device = *code.device;
  const auto *executables = root_->executables();
  uint32_t count = executables ? executables->size() : 0;
  // On a device with its own memory only the executables dispatches name are
  // loaded; the others are alternative binaries of them (PTX and cubin).
  std::vector<bool> used(count, !device.hasOwnMemory());
  if (const auto *commands = root_->commands())
    for (const fb::Command *command : *commands)
      if (const fb::Dispatch *dispatch = command->op_as_Dispatch())
        used[dispatch->executable()] = true;

  code.executables.resize(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (!used[i])
      continue;
    const fb::Executable *exe = executables->Get(i);
    hal::ExecutableSpec spec;
    spec.index = i;
    spec.name = exe->name() ? exe->name()->c_str() : "";
    spec.device = static_cast<aicc_device_kind_t>(exe->device());
    spec.format = exe->format()->c_str();
    spec.data = segmentData(exe->segment());
    spec.size = root_->segments()->Get(exe->segment())->length();
    spec.images.push_back({spec.format, spec.data, spec.size});
    if (device.hasOwnMemory()) {
      for (uint32_t j = 0; j < count; ++j) {
        const fb::Executable *other = executables->Get(j);
        if (j != i && sameEntryPoints(*exe, *other))
          spec.images.push_back(
              {other->format()->c_str(), segmentData(other->segment()),
               root_->segments()->Get(other->segment())->length()});
      }
    }
    for (const fb::EntryPoint *entry : *exe->entry_points()) {
      spec.entryPointNames.push_back(entry->name()->c_str());
      hal::EntryPointSpec entrySpec;
      entrySpec.name = entry->name()->c_str();
      entrySpec.bindingCount = entry->binding_count();
      entrySpec.pushConstantCount = entry->push_constant_count();
      if (const auto *size = entry->workgroup_size())
        for (uint32_t d = 0; d < size->size() && d < 3; ++d)
          entrySpec.workgroupSize[d] = size->Get(d);
      spec.entryPoints.push_back(entrySpec);
    }
    if (const auto *features = exe->required_features())
      for (const flatbuffers::String *feature : *features)
        spec.requiredFeatures.push_back(feature->c_str());
    // The session that asked adds the module's name.
    AICC_RETURN_IF_ERROR(device.loadExecutable(spec, &code.executables[i]));
  }
  return nullptr;
}

aicc_status_t Module::uploadConstants(DeviceCode &code, bool tailOnly) {
  // Every constant a buffer names goes into one device allocation. The used
  // bytes of each segment are copied as one range (from 64 bytes below its
  // first constant) to a 256-byte aligned offset of the block, so every
  // constant keeps its offset, and hence its alignment, relative to its
  // segment's 64-byte aligned start.
  const auto *constants = root_->constants();
  uint32_t constantCount = constants ? constants->size() : 0;
  code.constantAddresses.assign(constantCount, nullptr);
  std::vector<bool> used(constantCount, false);
  if (root_->memory_plan() && root_->memory_plan()->buffers())
    for (const fb::Buffer *buffer : *root_->memory_plan()->buffers())
      if (buffer->kind() == fb::BufferKind::Constant)
        used[buffer->ref()] = true;
  if (tailOnly) {
    for (uint32_t c = 0; c < constantCount; ++c) {
      const fb::Constant *constant = constants->Get(c);
      uint64_t end = root_->segments()->Get(constant->segment())->offset() +
                     constant->offset() + constant->size(); // verified
      used[c] = used[c] && (end > storage_.size ||
                            storage_.size - end < kKernelReadSlack);
    }
  }

  struct Range {
    uint64_t begin = UINT64_MAX, end = 0, blockOffset = 0;
  };
  uint32_t segmentCount = root_->segments() ? root_->segments()->size() : 0;
  std::vector<Range> ranges(segmentCount);
  for (uint32_t c = 0; c < constantCount; ++c) {
    if (!used[c])
      continue;
    const fb::Constant *constant = constants->Get(c);
    Range &range = ranges[constant->segment()];
    range.begin = std::min<uint64_t>(range.begin, constant->offset() & ~63ull);
    range.end =
        std::max<uint64_t>(range.end, constant->offset() + constant->size());
  }
  uint64_t total = 0;
  for (Range &range : ranges) {
    if (range.begin >= range.end)
      continue;
    range.blockOffset = total;
    total += (range.end - range.begin + 255) & ~uint64_t(255);
  }
  if (total == 0)
    return nullptr;
  hal::Device &device = *code.device;
  if (aicc_status_t status =
          device.allocate(total + kKernelReadSlack, &code.constantBlock))
    return annotateStatus(status,
                          "cannot allocate the %llu bytes of constants on "
                          "device '%s'",
                          (unsigned long long)total, device.info().name);
  code.constantBlockSize = total;
  auto *block = static_cast<uint8_t *>(code.constantBlock);
  for (uint32_t s = 0; s < segmentCount; ++s) {
    const Range &range = ranges[s];
    if (range.begin >= range.end)
      continue;
    if (aicc_status_t status = device.upload(block + range.blockOffset,
                                             segmentData(s) + range.begin,
                                             range.end - range.begin))
      return annotateStatus(status,
                            "uploading the constants of segment %u to device "
                            "'%s'",
                            s, device.info().name);
  }
  for (uint32_t c = 0; c < constantCount; ++c) {
    if (!used[c])
      continue;
    const fb::Constant *constant = constants->Get(c);
    const Range &range = ranges[constant->segment()];
    code.constantAddresses[c] =
        block + range.blockOffset + (constant->offset() - range.begin);
  }
  return nullptr;
}
