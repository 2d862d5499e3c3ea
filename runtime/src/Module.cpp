//===- Module.cpp - A loaded, verified artifact ---------------------------===//

#include "src/Module.h"

#include "src/Runtime.h"
#include "src/Status.h"

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

static TensorInfo decodeTensor(const fb::TensorDesc &tensor) {
  TensorInfo info;
  info.name = tensor.name()->str();
  info.elementType = static_cast<aicc_element_type_t>(tensor.element_type());
  if (const auto *shape = tensor.shape())
    info.dims.assign(shape->begin(), shape->end());
  // Verified not to overflow.
  info.byteSize = aicc_element_type_size(info.elementType);
  for (int64_t dim : info.dims)
    info.byteSize *= static_cast<uint64_t>(dim);
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

aicc_status_t Module::executablesFor(
    hal::Device &device,
    const std::vector<std::unique_ptr<hal::Executable>> **out) {
  std::lock_guard<std::mutex> lock(codeMutex_);
  for (const auto &loaded : code_) {
    if (loaded->device == &device) {
      *out = &loaded->executables;
      return nullptr;
    }
  }
  std::unique_ptr<LoadedCode> loaded(new (std::nothrow) LoadedCode());
  if (!loaded)
    return makeStatus(AICC_STATUS_OUT_OF_MEMORY, "%s: out of memory",
                      name_.c_str());
  loaded->device = &device;
  const auto *executables = root_->executables();
  for (uint32_t i = 0; executables && i < executables->size(); ++i) {
    const fb::Executable *exe = executables->Get(i);
    hal::ExecutableSpec spec;
    spec.index = i;
    spec.name = exe->name() ? exe->name()->c_str() : "";
    spec.format = exe->format()->c_str();
    spec.data = segmentData(exe->segment());
    spec.size = root_->segments()->Get(exe->segment())->length();
    for (const fb::EntryPoint *entry : *exe->entry_points())
      spec.entryPointNames.push_back(entry->name()->c_str());
    if (const auto *features = exe->required_features())
      for (const flatbuffers::String *feature : *features)
        spec.requiredFeatures.push_back(feature->c_str());
    std::unique_ptr<hal::Executable> executable;
    if (aicc_status_t status = device.loadExecutable(spec, &executable))
      return annotateStatus(status, "%s", name_.c_str());
    loaded->executables.push_back(std::move(executable));
  }
  code_.push_back(std::move(loaded));
  *out = &code_.back()->executables;
  return nullptr;
}
