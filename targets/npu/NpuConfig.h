//===- NpuConfig.h - The RNPU hardware config from JSON ---------*- C++ -*-===//
//
// `--npu-config=FILE`: one JSON object with every key of docs/RNPU.md's
// parameter table, read with llvm::json into the simulator's plain struct
// rnpu::RnpuConfig. Every key is required, unknown keys and wrong types are
// errors naming the key; without the option the bundled
// targets/npu/configs/rnpu-16x16.json values (RnpuConfig's defaults) apply.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_NPUCONFIG_H
#define AICC_TARGETS_NPU_NPUCONFIG_H

#include "hal/npu/RnpuConfig.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace aicc::npu {

/// Parses the JSON text of a config; on failure returns false and sets
/// `error` (naming the key at fault).
bool parseNpuConfig(llvm::StringRef json, rnpu::RnpuConfig &config,
                    std::string &error);

/// Reads and parses `path`; "" gives the bundled default config.
bool loadNpuConfig(llvm::StringRef path, rnpu::RnpuConfig &config,
                   std::string &error);

/// The value of aicc's `--npu-config` option ("" when not given).
llvm::StringRef getNpuConfigOption();

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_NPUCONFIG_H
