//===- RnpuConfig.h - Hardware parameters of the RNPU -----------*- C++ -*-===//
//
// The parameters of one RNPU instance (docs/RNPU.md, "Hardware
// parameters"). The compiler reads them from a JSON file
// (targets/npu/configs/*.json, same key names in snake_case) and stores them
// in the artifact; the runtime only ever sees this plain struct. The
// defaults are the bundled rnpu-16x16 configuration.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_NPU_RNPUCONFIG_H
#define AICC_RUNTIME_HAL_NPU_RNPUCONFIG_H

#include <cstdint>
#include <string>

namespace aicc {
namespace rnpu {

struct RnpuConfig {
  /// MAC array: macRows (R, the reduction depth of one tile) by macCols (C,
  /// the output channels of one tile) int8 x int8 -> int32 multipliers.
  uint32_t macRows = 16;
  uint32_t macCols = 16;
  /// SRAM sizes in bytes.
  uint32_t actSramBytes = 256 * 1024;
  uint32_t wgtSramBytes = 128 * 1024;
  uint32_t accSramBytes = 64 * 1024;
  /// Banks per SRAM (informational in ISA 1.0: the timing model assumes
  /// the compiler's layouts are conflict free).
  uint32_t actSramBanks = 8;
  uint32_t wgtSramBanks = 4;
  uint32_t accSramBanks = 4;
  /// DMA: DRAM bytes moved per cycle and fixed latency per descriptor.
  uint32_t dramBytesPerCycle = 32;
  uint32_t dmaLatencyCycles = 100;
  /// Fixed cost of one GEMM instruction (loop setup, pipeline fill).
  uint32_t gemmSetupCycles = 16;
  /// Vector unit: elements per cycle and fixed cost per VEC instruction.
  uint32_t vecLanes = 16;
  uint32_t vecSetupCycles = 8;
  /// Number of SYNC semaphores.
  uint32_t numSemaphores = 16;
  /// Clock used to turn cycles into time in reports and traces.
  uint32_t clockMhz = 1000;

  /// Empty when the parameters are usable, else what is wrong.
  std::string validate() const;
};

} // namespace rnpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_NPU_RNPUCONFIG_H
