//===- ArtifactFuzzer.cpp - libFuzzer harness for the artifact loader -----===//
//
// aicc_module_load_memory on arbitrary bytes, and every query of a module
// that loads. Built twice: aicc-fuzz-artifact passes the bytes as they are
// (nearly every mutation is caught by the checksums), and
// aicc-fuzz-artifact-resealed (AICC_FUZZ_RESEAL) first recomputes the
// FlatBuffer and segment checksums the way a writer would, so the mutations
// reach the structural verifier behind them. Sessions are not created: with
// resealed checksums the kernels' code itself may be mutated, and running it
// would test the mutation, not the runtime.
//
//===----------------------------------------------------------------------===//

#include "aicc/ModuleWriter.h"
#include "aicc/runtime.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

aicc_runtime_t *runtime() {
  static aicc_runtime_t *rt = [] {
    aicc_runtime_t *r = nullptr;
    if (aicc_status_t status = aicc_runtime_create(&r)) {
      aicc_status_free(status);
      std::abort();
    }
    return r;
  }();
  return rt;
}

void check(aicc_status_t status) { aicc_status_free(status); }

/// Every query of the C API on a module that loaded.
void inspect(const aicc_module_t *module) {
  for (size_t i = 0, n = aicc_module_input_count(module); i < n; ++i) {
    aicc_tensor_info_t info;
    check(aicc_module_input_info(module, i, &info));
  }
  for (size_t i = 0, n = aicc_module_output_count(module); i < n; ++i) {
    aicc_tensor_info_t info;
    check(aicc_module_output_info(module, i, &info));
  }
  aicc_module_properties_t properties;
  if (aicc_status_t status = aicc_module_properties(module, &properties)) {
    aicc_status_free(status);
    return;
  }
  for (size_t i = 0; i < properties.memory_space_count; ++i) {
    aicc_memory_space_info_t info;
    check(aicc_module_memory_space_info(module, i, &info));
  }
  for (size_t e = 0; e < properties.executable_count; ++e) {
    aicc_executable_info_t info;
    if (aicc_status_t status = aicc_module_executable_info(module, e, &info)) {
      aicc_status_free(status);
      continue;
    }
    for (size_t f = 0; f < info.required_feature_count; ++f) {
      const char *feature = nullptr;
      check(aicc_module_required_feature(module, e, f, &feature));
    }
    for (size_t p = 0; p < info.entry_point_count; ++p) {
      const char *name = nullptr;
      uint32_t bindings = 0;
      check(aicc_module_entry_point_info(module, e, p, &name, &bindings));
    }
  }
  for (size_t c = 0; c < properties.command_count; ++c) {
    aicc_command_info_t info;
    check(aicc_module_command_info(module, c, &info));
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
#ifdef AICC_FUZZ_RESEAL
  aicc::ModuleWriter::resealChecksums(bytes);
#endif
  aicc_module_t *module = nullptr;
  aicc_status_t status = aicc_module_load_memory(
      runtime(), bytes.data(), bytes.size(), AICC_MEMORY_COPY, "fuzz", &module);
  if (status) {
    aicc_status_free(status);
    return 0;
  }
  inspect(module);
  aicc_module_release(module);
  return 0;
}
