//===- NpuConfig.cpp - The RNPU hardware config from JSON -----------------===//

#include "targets/npu/NpuConfig.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <set>

using namespace llvm;

namespace aicc::npu {

namespace {

cl::opt<std::string> npuConfigPath(
    "npu-config",
    cl::desc("RNPU hardware config (JSON, docs/RNPU.md) for --target=npu; "
             "default: the bundled rnpu-16x16"),
    cl::value_desc("file"), cl::init(""));

struct Field {
  const char *key;
  uint32_t rnpu::RnpuConfig::*member;
};

const Field kFields[] = {
    {"mac_rows", &rnpu::RnpuConfig::macRows},
    {"mac_cols", &rnpu::RnpuConfig::macCols},
    {"act_sram_bytes", &rnpu::RnpuConfig::actSramBytes},
    {"wgt_sram_bytes", &rnpu::RnpuConfig::wgtSramBytes},
    {"acc_sram_bytes", &rnpu::RnpuConfig::accSramBytes},
    {"act_sram_banks", &rnpu::RnpuConfig::actSramBanks},
    {"wgt_sram_banks", &rnpu::RnpuConfig::wgtSramBanks},
    {"acc_sram_banks", &rnpu::RnpuConfig::accSramBanks},
    {"dram_bytes_per_cycle", &rnpu::RnpuConfig::dramBytesPerCycle},
    {"dma_latency_cycles", &rnpu::RnpuConfig::dmaLatencyCycles},
    {"gemm_setup_cycles", &rnpu::RnpuConfig::gemmSetupCycles},
    {"vec_lanes", &rnpu::RnpuConfig::vecLanes},
    {"vec_setup_cycles", &rnpu::RnpuConfig::vecSetupCycles},
    {"num_semaphores", &rnpu::RnpuConfig::numSemaphores},
    {"clock_mhz", &rnpu::RnpuConfig::clockMhz},
};

} // namespace

StringRef getNpuConfigOption() { return npuConfigPath; }

bool parseNpuConfig(StringRef text, rnpu::RnpuConfig &config,
                    std::string &error) {
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed) {
    error = "invalid JSON: " + toString(parsed.takeError());
    return false;
  }
  const json::Object *object = parsed->getAsObject();
  if (!object) {
    error = "the config must be a JSON object";
    return false;
  }
  std::set<std::string> known = {"name", "isa_version"};
  for (const Field &field : kFields)
    known.insert(field.key);
  for (const auto &entry : *object)
    if (!known.count(entry.first.str())) {
      error = "unknown key '" + entry.first.str() + "'";
      return false;
    }
  rnpu::RnpuConfig result;
  for (const char *key : {"name", "isa_version"}) {
    const json::Value *value = object->get(key);
    if (!value) {
      error = std::string("missing key '") + key + "'";
      return false;
    }
    if (!value->getAsString()) {
      error = std::string("key '") + key + "' must be a string";
      return false;
    }
  }
  if (*object->getString("isa_version") != "1.0") {
    error = "key 'isa_version' is '" + object->getString("isa_version")->str() +
            "'; this compiler emits RNPU ISA 1.0";
    return false;
  }
  for (const Field &field : kFields) {
    const json::Value *value = object->get(field.key);
    if (!value) {
      error = std::string("missing key '") + field.key + "'";
      return false;
    }
    std::optional<int64_t> number = value->getAsInteger();
    if (!number || *number < 0 || *number > int64_t(UINT32_MAX)) {
      error = std::string("key '") + field.key +
              "' must be an integer in [0, 2^32)";
      return false;
    }
    result.*field.member = uint32_t(*number);
  }
  std::string invalid = result.validate();
  if (!invalid.empty()) {
    error = invalid;
    return false;
  }
  config = result;
  return true;
}

bool loadNpuConfig(StringRef path, rnpu::RnpuConfig &config,
                   std::string &error) {
  if (path.empty()) {
    config = rnpu::RnpuConfig();
    return true;
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = "cannot read '" + path.str() + "': " + buffer.getError().message();
    return false;
  }
  if (!parseNpuConfig((*buffer)->getBuffer(), config, error)) {
    error = "'" + path.str() + "': " + error;
    return false;
  }
  return true;
}

} // namespace aicc::npu
