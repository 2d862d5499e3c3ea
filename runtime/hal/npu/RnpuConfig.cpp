//===- RnpuConfig.cpp - Checks of the RNPU hardware parameters ------------===//

#include "hal/npu/RnpuConfig.h"

namespace aicc {
namespace rnpu {

std::string RnpuConfig::validate() const {
  auto range = [](const char *name, uint64_t v, uint64_t lo, uint64_t hi) {
    if (v >= lo && v <= hi)
      return std::string();
    return std::string(name) + " = " + std::to_string(v) + " is outside [" +
           std::to_string(lo) + ", " + std::to_string(hi) + "]";
  };
  // The simulator keeps ~20 bytes of state per SRAM byte.
  const uint64_t kMaxSram = uint64_t(16) << 20;
  std::string why;
  for (std::string s :
       {range("mac_rows", macRows, 1, 256), range("mac_cols", macCols, 1, 256),
        range("act_sram_bytes", actSramBytes, macRows, kMaxSram),
        range("wgt_sram_bytes", wgtSramBytes, uint64_t(macRows) * macCols,
              kMaxSram),
        range("acc_sram_bytes", accSramBytes, 4 * uint64_t(macCols), kMaxSram),
        range("act_sram_banks", actSramBanks, 1, 1024),
        range("wgt_sram_banks", wgtSramBanks, 1, 1024),
        range("acc_sram_banks", accSramBanks, 1, 1024),
        range("dram_bytes_per_cycle", dramBytesPerCycle, 1, 1 << 20),
        range("dma_latency_cycles", dmaLatencyCycles, 0, 1 << 20),
        range("gemm_setup_cycles", gemmSetupCycles, 0, 1 << 20),
        range("vec_lanes", vecLanes, 1, 1 << 16),
        range("vec_setup_cycles", vecSetupCycles, 0, 1 << 20),
        range("num_semaphores", numSemaphores, 1, 256),
        range("clock_mhz", clockMhz, 1, 1 << 20)})
    if (why.empty())
      why = s;
  return why;
}

} // namespace rnpu
} // namespace aicc
