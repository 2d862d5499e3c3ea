//===- NpuTarget.h - The npu target: RNPU command streams -------*- C++ -*-===//
//
// `--target=npu`: code for RNPU, the reference int8 NPU of docs/RNPU.md,
// one executable of format "rnpu-1.0" (runtime/hal/npu/RnpuBlob.h) per
// module for the runtime's npu device (fb::DeviceKind::Npu).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_NPUTARGET_H
#define AICC_TARGETS_NPU_NPUTARGET_H

namespace aicc::npu {

/// Registers the npu target and its passes.
void registerNpuTargets();

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_NPUTARGET_H
