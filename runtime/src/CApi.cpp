//===- CApi.cpp - The extern "C" surface of the runtime -------------------===//
//
// Thin wrappers: check every pointer the caller passes, convert between the
// opaque C handles and the C++ objects, and leave out-parameters untouched
// on failure. No C++ type crosses this boundary.
//
//===----------------------------------------------------------------------===//

#include "aicc/runtime.h"

#include "ElementType.h"
#include "src/IntExpr.h"
#include "src/Module.h"
#include "src/Runtime.h"
#include "src/Session.h"
#include "src/Status.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace aicc;

static Runtime *unwrap(aicc_runtime_t *runtime) {
  return reinterpret_cast<Runtime *>(runtime);
}
static const Runtime *unwrap(const aicc_runtime_t *runtime) {
  return reinterpret_cast<const Runtime *>(runtime);
}
static Module *unwrap(aicc_module_t *module) {
  return reinterpret_cast<Module *>(module);
}
static const Module *unwrap(const aicc_module_t *module) {
  return reinterpret_cast<const Module *>(module);
}
static Session *unwrap(aicc_session_t *session) {
  return reinterpret_cast<Session *>(session);
}
static const Session *unwrap(const aicc_session_t *session) {
  return reinterpret_cast<const Session *>(session);
}

#define AICC_CHECK_ARG(cond)                                                   \
  do {                                                                         \
    if (!(cond))                                                               \
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT, "%s: '%s' is false",     \
                        __func__, #cond);                                      \
  } while (0)

static void fillTensorInfo(const TensorInfo &tensor, aicc_tensor_info_t *out) {
  out->name = tensor.name.c_str();
  out->element_type = tensor.elementType;
  out->rank = tensor.dims.size();
  out->dims = tensor.dims.data();
  out->byte_size = static_cast<size_t>(tensor.byteSize);
}

static aicc_status_t findTensor(const std::vector<TensorInfo> &tensors,
                                const char *name, const char *what,
                                size_t *out) {
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].name == name) {
      *out = i;
      return nullptr;
    }
  }
  std::string names;
  for (size_t i = 0; i < tensors.size(); ++i)
    names += (i ? ", " : "") + tensors[i].name;
  return makeStatus(AICC_STATUS_NOT_FOUND,
                    "no %s named '%s' (the module's %ss: %s)", what, name, what,
                    names.empty() ? "none" : names.c_str());
}

extern "C" {

const char *aicc_runtime_version(void) { return AICC_RUNTIME_VERSION_STRING; }

size_t aicc_element_type_size(aicc_element_type_t type) {
  return elementTypeSize(type);
}

const char *aicc_element_type_name(aicc_element_type_t type) {
  return elementTypeName(type);
}

const char *aicc_device_kind_name(aicc_device_kind_t kind) {
  switch (kind) {
  case AICC_DEVICE_KIND_CPU:
    return "cpu";
  case AICC_DEVICE_KIND_CUDA:
    return "cuda";
  case AICC_DEVICE_KIND_ROCM:
    return "rocm";
  case AICC_DEVICE_KIND_NPU:
    return "npu";
  }
  return "unknown";
}

//===--- Runtime ---===//

aicc_status_t aicc_runtime_create(aicc_runtime_t **out_runtime) {
  AICC_CHECK_ARG(out_runtime);
  Runtime *runtime = nullptr;
  AICC_RETURN_IF_ERROR(Runtime::create(&runtime));
  *out_runtime = reinterpret_cast<aicc_runtime_t *>(runtime);
  return nullptr;
}

void aicc_runtime_retain(aicc_runtime_t *runtime) {
  if (runtime)
    unwrap(runtime)->retain();
}

void aicc_runtime_release(aicc_runtime_t *runtime) {
  if (runtime)
    unwrap(runtime)->release();
}

size_t aicc_runtime_device_count(const aicc_runtime_t *runtime) {
  return runtime ? unwrap(runtime)->deviceCount() : 0;
}

aicc_status_t aicc_runtime_device_info(const aicc_runtime_t *runtime,
                                       size_t index,
                                       aicc_device_info_t *out_info) {
  AICC_CHECK_ARG(runtime && out_info);
  if (index >= unwrap(runtime)->deviceCount())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "device index %zu out of range (%zu devices)", index,
                      unwrap(runtime)->deviceCount());
  *out_info = unwrap(runtime)->device(index).info();
  return nullptr;
}

size_t aicc_runtime_driver_count(const aicc_runtime_t *runtime) {
  return runtime ? unwrap(runtime)->drivers().size() : 0;
}

aicc_status_t aicc_runtime_driver_info(const aicc_runtime_t *runtime,
                                       size_t index,
                                       aicc_driver_info_t *out_info) {
  AICC_CHECK_ARG(runtime && out_info);
  const auto &drivers = unwrap(runtime)->drivers();
  if (index >= drivers.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "driver index %zu out of range (%zu drivers)", index,
                      drivers.size());
  const Runtime::Driver &driver = drivers[index];
  out_info->name = driver.name.c_str();
  out_info->device_count = driver.deviceCount;
  out_info->error = driver.error.empty() ? nullptr : driver.error.c_str();
  return nullptr;
}

//===--- Module ---===//

aicc_status_t aicc_module_load_file(aicc_runtime_t *runtime, const char *path,
                                    aicc_module_t **out_module) {
  AICC_CHECK_ARG(runtime && path && out_module);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeStatus(AICC_STATUS_IO_ERROR, "cannot open '%s': %s", path,
                      std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return makeStatus(AICC_STATUS_IO_ERROR, "'%s' is not a regular file", path);
  }
  if (info.st_size == 0) {
    ::close(fd);
    return makeStatus(AICC_STATUS_INVALID_MODULE,
                      "%s: the file is empty, not an .aicc module", path);
  }
  size_t size = static_cast<size_t>(info.st_size);
  void *mapping = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int mapErrno = errno;
  ::close(fd); // The mapping keeps the file alive.
  if (mapping == MAP_FAILED)
    return makeStatus(AICC_STATUS_IO_ERROR, "cannot map '%s': %s", path,
                      std::strerror(mapErrno));
  ModuleStorage storage;
  storage.kind = ModuleStorage::Kind::Mapped;
  storage.data = static_cast<const uint8_t *>(mapping);
  storage.size = size;
  storage.mappedLength = size;
  Module *module = nullptr;
  AICC_RETURN_IF_ERROR(Module::load(unwrap(runtime), storage, path, &module));
  *out_module = reinterpret_cast<aicc_module_t *>(module);
  return nullptr;
}

aicc_status_t aicc_module_load_memory(aicc_runtime_t *runtime, const void *data,
                                      size_t size, aicc_memory_mode_t mode,
                                      const char *name,
                                      aicc_module_t **out_module) {
  AICC_CHECK_ARG(runtime && out_module && (data || size == 0));
  AICC_CHECK_ARG(mode == AICC_MEMORY_BORROW || mode == AICC_MEMORY_COPY);
  if (!name)
    name = "<memory>";
  ModuleStorage storage;
  storage.size = size;
  if (mode == AICC_MEMORY_BORROW) {
    if (reinterpret_cast<uintptr_t>(data) % 64 != 0)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "%s: borrowed module memory must be 64-byte aligned "
                        "(use AICC_MEMORY_COPY)",
                        name);
    storage.kind = ModuleStorage::Kind::Borrowed;
    storage.data = static_cast<const uint8_t *>(data);
  } else {
    // Exactly `size` bytes, so that tools like AddressSanitizer flag any
    // read past the end of the artifact.
    void *copy = nullptr;
    if (::posix_memalign(&copy, 64, size ? size : 1) != 0)
      return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                        "%s: cannot allocate %zu bytes", name, size);
    if (size)
      std::memcpy(copy, data, size);
    storage.kind = ModuleStorage::Kind::Owned;
    storage.data = static_cast<const uint8_t *>(copy);
  }
  Module *module = nullptr;
  AICC_RETURN_IF_ERROR(Module::load(unwrap(runtime), storage, name, &module));
  *out_module = reinterpret_cast<aicc_module_t *>(module);
  return nullptr;
}

void aicc_module_retain(aicc_module_t *module) {
  if (module)
    unwrap(module)->retain();
}

void aicc_module_release(aicc_module_t *module) {
  if (module)
    unwrap(module)->release();
}

size_t aicc_module_input_count(const aicc_module_t *module) {
  return module ? unwrap(module)->inputs().size() : 0;
}

size_t aicc_module_output_count(const aicc_module_t *module) {
  return module ? unwrap(module)->outputs().size() : 0;
}

aicc_status_t aicc_module_input_info(const aicc_module_t *module, size_t index,
                                     aicc_tensor_info_t *out_info) {
  AICC_CHECK_ARG(module && out_info);
  const auto &inputs = unwrap(module)->inputs();
  if (index >= inputs.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "input index %zu out of range (%zu inputs)", index,
                      inputs.size());
  fillTensorInfo(inputs[index], out_info);
  return nullptr;
}

aicc_status_t aicc_module_output_info(const aicc_module_t *module, size_t index,
                                      aicc_tensor_info_t *out_info) {
  AICC_CHECK_ARG(module && out_info);
  const auto &outputs = unwrap(module)->outputs();
  if (index >= outputs.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "output index %zu out of range (%zu outputs)", index,
                      outputs.size());
  fillTensorInfo(outputs[index], out_info);
  return nullptr;
}

aicc_status_t aicc_module_find_input(const aicc_module_t *module,
                                     const char *name, size_t *out_index) {
  AICC_CHECK_ARG(module && name && out_index);
  return findTensor(unwrap(module)->inputs(), name, "input", out_index);
}

aicc_status_t aicc_module_find_output(const aicc_module_t *module,
                                      const char *name, size_t *out_index) {
  AICC_CHECK_ARG(module && name && out_index);
  return findTensor(unwrap(module)->outputs(), name, "output", out_index);
}

aicc_status_t aicc_module_properties(const aicc_module_t *module,
                                     aicc_module_properties_t *out_properties) {
  AICC_CHECK_ARG(module && out_properties);
  *out_properties = unwrap(module)->properties();
  return nullptr;
}

aicc_status_t
aicc_module_memory_space_info(const aicc_module_t *module, size_t index,
                              aicc_memory_space_info_t *out_info) {
  AICC_CHECK_ARG(module && out_info);
  const fb::AiccModule &root = unwrap(module)->root();
  const auto *spaces =
      root.memory_plan() ? root.memory_plan()->spaces() : nullptr;
  size_t count = spaces ? spaces->size() : 0;
  if (index >= count)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "memory space index %zu out of range (%zu spaces)", index,
                      count);
  const fb::MemorySpace *space = spaces->Get(static_cast<uint32_t>(index));
  out_info->name = space->name() ? space->name()->c_str() : "";
  out_info->device = static_cast<aicc_device_kind_t>(space->device());
  out_info->arena_size = space->arena_size();
  out_info->lower_bound = space->lower_bound();
  return nullptr;
}

/// Executable `index` of `module`, or an out-of-range status.
static aicc_status_t getExecutable(const aicc_module_t *module, size_t index,
                                   const fb::Executable **out) {
  const fb::AiccModule &root = unwrap(module)->root();
  size_t count = root.executables() ? root.executables()->size() : 0;
  if (index >= count)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "executable index %zu out of range (%zu executables)",
                      index, count);
  *out = root.executables()->Get(static_cast<uint32_t>(index));
  return nullptr;
}

aicc_status_t aicc_module_executable_info(const aicc_module_t *module,
                                          size_t index,
                                          aicc_executable_info_t *out_info) {
  AICC_CHECK_ARG(module && out_info);
  const fb::Executable *exe;
  if (aicc_status_t status = getExecutable(module, index, &exe))
    return status;
  const fb::AiccModule &root = unwrap(module)->root();
  out_info->name = exe->name() ? exe->name()->c_str() : "";
  out_info->device = static_cast<aicc_device_kind_t>(exe->device());
  out_info->format = exe->format()->c_str();
  out_info->byte_size = root.segments()->Get(exe->segment())->length();
  out_info->entry_point_count = exe->entry_points()->size();
  out_info->required_feature_count =
      exe->required_features() ? exe->required_features()->size() : 0;
  return nullptr;
}

aicc_status_t aicc_module_required_feature(const aicc_module_t *module,
                                           size_t executable, size_t feature,
                                           const char **out_name) {
  AICC_CHECK_ARG(module && out_name);
  const fb::Executable *exe;
  if (aicc_status_t status = getExecutable(module, executable, &exe))
    return status;
  const auto *features = exe->required_features();
  size_t featureCount = features ? features->size() : 0;
  if (feature >= featureCount)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "feature index %zu out of range (%zu features)", feature,
                      featureCount);
  *out_name = features->Get(static_cast<uint32_t>(feature))->c_str();
  return nullptr;
}

aicc_status_t aicc_module_entry_point_info(const aicc_module_t *module,
                                           size_t executable, size_t entry,
                                           const char **out_name,
                                           uint32_t *out_binding_count) {
  AICC_CHECK_ARG(module && out_name && out_binding_count);
  const fb::Executable *exe;
  if (aicc_status_t status = getExecutable(module, executable, &exe))
    return status;
  const auto *entries = exe->entry_points();
  if (entry >= entries->size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "entry point index %zu out of range (%u entry points)",
                      entry, entries->size());
  const fb::EntryPoint *ep = entries->Get(static_cast<uint32_t>(entry));
  *out_name = ep->name()->c_str();
  *out_binding_count = ep->binding_count();
  return nullptr;
}

aicc_status_t aicc_module_command_info(const aicc_module_t *module,
                                       size_t index,
                                       aicc_command_info_t *out_info) {
  AICC_CHECK_ARG(module && out_info);
  const fb::AiccModule &root = unwrap(module)->root();
  size_t count = root.commands() ? root.commands()->size() : 0;
  if (index >= count)
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "command index %zu out of range (%zu commands)", index,
                      count);
  // The verifier checked every index used below.
  const fb::Command *command =
      root.commands()->Get(static_cast<uint32_t>(index));
  aicc_command_info_t info{};
  switch (command->op_type()) {
  case fb::CommandOp::Dispatch: {
    const fb::Dispatch *dispatch = command->op_as_Dispatch();
    const fb::Executable *exe = root.executables()->Get(dispatch->executable());
    info.kind = AICC_COMMAND_KIND_DISPATCH;
    info.name =
        exe->entry_points()->Get(dispatch->entry_point())->name()->c_str();
    info.executable = dispatch->executable();
    info.entry_point = dispatch->entry_point();
    info.has_cost =
        dispatch->flops().has_value() && dispatch->bytes().has_value();
    info.flops = dispatch->flops().value_or(0);
    info.bytes = dispatch->bytes().value_or(0);
    break;
  }
  case fb::CommandOp::Copy: {
    const fb::Copy *copy = command->op_as_Copy();
    info.kind = AICC_COMMAND_KIND_COPY;
    info.name = "copy";
    info.has_cost = 1;
    info.bytes = 2 * root.memory_plan()->buffers()->Get(copy->source())->size();
    break;
  }
  default:
    info.kind = AICC_COMMAND_KIND_BARRIER;
    info.name = "barrier";
    break;
  }
  *out_info = info;
  return nullptr;
}

//===--- Session ---===//

void aicc_session_options_init(aicc_session_options_t *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof(*options));
  options->struct_size = sizeof(*options);
  options->device = "auto";
  options->num_threads = 0;
}

aicc_status_t aicc_session_create(aicc_module_t *module,
                                  const aicc_session_options_t *options,
                                  aicc_session_t **out_session) {
  AICC_CHECK_ARG(module && out_session);
  aicc_session_options_t resolved;
  aicc_session_options_init(&resolved);
  if (options) {
    // Members the caller's header did not have keep their defaults.
    constexpr size_t kFirstVersionSize =
        offsetof(aicc_session_options_t, num_threads) + sizeof(uint32_t);
    if (options->struct_size < kFirstVersionSize)
      return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                        "aicc_session_create: options->struct_size is %zu; "
                        "initialize options with aicc_session_options_init",
                        options->struct_size);
    std::memcpy(&resolved, options,
                std::min(options->struct_size, sizeof(resolved)));
    resolved.struct_size = sizeof(resolved);
  }
  Session *session = nullptr;
  AICC_RETURN_IF_ERROR(Session::create(unwrap(module), resolved, &session));
  *out_session = reinterpret_cast<aicc_session_t *>(session);
  return nullptr;
}

void aicc_session_destroy(aicc_session_t *session) { delete unwrap(session); }

aicc_status_t aicc_session_device_info(const aicc_session_t *session,
                                       aicc_device_info_t *out_info) {
  AICC_CHECK_ARG(session && out_info);
  *out_info = unwrap(session)->deviceInfo();
  return nullptr;
}

aicc_status_t aicc_session_run(aicc_session_t *session,
                               const aicc_tensor_view_t *inputs,
                               size_t input_count,
                               const aicc_tensor_view_t *outputs,
                               size_t output_count) {
  AICC_CHECK_ARG(session);
  return unwrap(session)->run(inputs, input_count, outputs, output_count);
}

aicc_status_t aicc_session_reset_state(aicc_session_t *session) {
  AICC_CHECK_ARG(session);
  return unwrap(session)->resetState();
}

aicc_module_t *aicc_session_module(const aicc_session_t *session) {
  return session ? reinterpret_cast<aicc_module_t *>(&unwrap(session)->module())
                 : nullptr;
}

//===--- Dynamic shapes ---===//

int aicc_module_is_dynamic(const aicc_module_t *module) {
  return module && unwrap(module)->isDynamic() ? 1 : 0;
}

size_t aicc_module_symbol_count(const aicc_module_t *module) {
  return module ? unwrap(module)->symbols().size() : 0;
}

aicc_status_t aicc_module_symbol_info(const aicc_module_t *module, size_t index,
                                      aicc_symbol_info_t *out_info) {
  AICC_CHECK_ARG(module && out_info);
  const auto &symbols = unwrap(module)->symbols();
  if (index >= symbols.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "symbol index %zu out of range (%zu symbols)", index,
                      symbols.size());
  out_info->name = symbols[index].name.c_str();
  out_info->min = symbols[index].min;
  out_info->max = symbols[index].max;
  return nullptr;
}

static aicc_status_t dimSymbol(const std::vector<TensorInfo> &tensors,
                               const char *what, size_t index, size_t dim,
                               int64_t *out_symbol) {
  if (index >= tensors.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "%s index %zu out of range (%zu %ss)", what, index,
                      tensors.size(), what);
  const TensorInfo &tensor = tensors[index];
  if (dim >= tensor.dims.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "%s '%s': dim %zu out of range (rank %zu)", what,
                      tensor.name.c_str(), dim, tensor.dims.size());
  int64_t value = 0;
  if (tensor.dimExprs.empty() ||
      isConstIntExpr(tensor.dimExprs[dim].code, tensor.dimExprs[dim].size,
                     &value))
    *out_symbol = -1;
  else
    *out_symbol = tensor.symbols[dim] >= 0 ? tensor.symbols[dim] : -2;
  return nullptr;
}

aicc_status_t aicc_module_input_dim_symbol(const aicc_module_t *module,
                                           size_t index, size_t dim,
                                           int64_t *out_symbol) {
  AICC_CHECK_ARG(module && out_symbol);
  return dimSymbol(unwrap(module)->inputs(), "input", index, dim, out_symbol);
}

aicc_status_t aicc_module_output_dim_symbol(const aicc_module_t *module,
                                            size_t index, size_t dim,
                                            int64_t *out_symbol) {
  AICC_CHECK_ARG(module && out_symbol);
  return dimSymbol(unwrap(module)->outputs(), "output", index, dim, out_symbol);
}

aicc_status_t aicc_session_infer_shapes(aicc_session_t *session,
                                        const aicc_tensor_view_t *inputs,
                                        size_t input_count) {
  AICC_CHECK_ARG(session);
  return unwrap(session)->inferShapes(inputs, input_count);
}

aicc_status_t aicc_session_output_shape(const aicc_session_t *session,
                                        size_t index, int64_t *out_dims,
                                        size_t capacity, size_t *out_rank) {
  AICC_CHECK_ARG(session && out_rank && (out_dims || capacity == 0));
  const Session &s = *unwrap(session);
  if (index >= s.module().outputs().size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "output index %zu out of range (%zu outputs)", index,
                      s.module().outputs().size());
  const std::vector<int64_t> &dims = s.outputDims(index);
  if (capacity < dims.size())
    return makeStatus(AICC_STATUS_INVALID_ARGUMENT,
                      "output '%s' has rank %zu, more than the capacity %zu",
                      s.module().outputs()[index].name.c_str(), dims.size(),
                      capacity);
  std::copy(dims.begin(), dims.end(), out_dims);
  *out_rank = dims.size();
  return nullptr;
}

//===--- Profiling ---===//

aicc_status_t aicc_session_set_profiling(aicc_session_t *session, int enabled) {
  AICC_CHECK_ARG(session);
  return unwrap(session)->setProfiling(enabled != 0);
}

aicc_status_t
aicc_session_command_profile(const aicc_session_t *session, size_t index,
                             aicc_command_profile_t *out_profile) {
  AICC_CHECK_ARG(session && out_profile);
  return unwrap(session)->commandProfile(index, out_profile);
}

aicc_status_t aicc_session_reset_profile(aicc_session_t *session) {
  AICC_CHECK_ARG(session);
  return unwrap(session)->resetProfile();
}

} // extern "C"
