//===- CodegenUtil.h - Shared steps of the RNPU code generators -*- C++ -*-===//
//
// What the conv, pool and elementwise code generators (ConvCodegen.h,
// PoolCodegen.h, EltwiseCodegen.h) do alike once a program is emitted.
// Plain C++ on the simulator's structs (no MLIR).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_CODEGENUTIL_H
#define AICC_TARGETS_NPU_CODEGENUTIL_H

#include "hal/npu/RnpuBlob.h"

#include <string>

namespace aicc::npu {

/// Checks every instruction of `entry`'s program against `config`; an
/// invalid one is a code generator bug: false with `error` naming it.
inline bool validateEntry(const rnpu::RnpuEntry &entry,
                          const rnpu::RnpuConfig &config, std::string &error) {
  for (size_t i = 0; i < entry.program.size(); ++i) {
    rnpu::Status s = rnpu::validateInstruction(entry.program[i], config, i);
    if (!s.ok()) {
      error = "internal error: emitted an invalid instruction: " + s.message;
      return false;
    }
  }
  return true;
}

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_CODEGENUTIL_H
