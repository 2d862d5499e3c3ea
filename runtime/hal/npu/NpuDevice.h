//===- NpuDevice.h - The npu HAL device: the RNPU simulator -----*- C++ -*-===//
//
// A hal::Device whose executables are "rnpu-1.0" blobs (RnpuBlob.h) and
// whose dispatches run the RNPU simulator on the bound host buffers; the
// runtime registers it (src/Runtime.cpp) with the CPU device as its host
// (see docs/RNPU.md, "Plugin boundary" and "Partitioning").
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_NPU_NPUDEVICE_H
#define AICC_RUNTIME_HAL_NPU_NPUDEVICE_H

#include "hal/Hal.h"
#include "hal/npu/RnpuSim.h"

#include <memory>
#include <string>
#include <vector>

namespace aicc {
namespace hal {

/// The npu device (kind AICC_DEVICE_KIND_NPU, name "npu"). With `host`
/// (the CPU device of the machine) it also runs the CPU executables of a
/// partitioned module (--target=npu,avx512) on that device: the simulated
/// NPU shares host memory with the CPU, so both run on the same buffers.
std::unique_ptr<Device> createNpuDevice(std::unique_ptr<Device> host = nullptr);

/// What one dispatch on the npu device did.
struct NpuDispatchRecord {
  std::string entryName;
  rnpu::RnpuConfig config;
  rnpu::Counters counters;
  /// Empty unless tracing was enabled on the context.
  std::vector<rnpu::TraceEvent> trace;
};

/// Counters of the dispatches of an npu DeviceContext (one created by
/// createNpuDevice()'s createContext; anything else is undefined), in
/// order, and whether to collect traces (--trace). For --profile and
/// --trace in aicc-run.
const std::vector<NpuDispatchRecord> &
npuDispatchRecords(const DeviceContext *context);
void npuClearDispatchRecords(DeviceContext *context);
void npuSetTracing(DeviceContext *context, bool enabled);

} // namespace hal
} // namespace aicc

#endif // AICC_RUNTIME_HAL_NPU_NPUDEVICE_H
