//===- NpuDevice.h - The npu HAL device: the RNPU simulator -----*- C++ -*-===//
//
// A hal::Device whose executables are "rnpu-1.0" blobs (RnpuBlob.h) and
// whose dispatches run the RNPU simulator on the bound host buffers. Not
// registered by the runtime yet: the runtime's device list adds
// `createNpuDevice()` (see docs/RNPU.md, "Plugin boundary").
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

/// The npu device (kind AICC_DEVICE_KIND_NPU, name "npu").
std::unique_ptr<Device> createNpuDevice();

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
