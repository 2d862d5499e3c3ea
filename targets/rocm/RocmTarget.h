//===- RocmTarget.h - AMD GPUs: kernels to HSACO ----------------*- C++ -*-===//
#ifndef AICC_TARGETS_ROCM_ROCMTARGET_H
#define AICC_TARGETS_ROCM_ROCMTARGET_H

namespace aicc::rocm {

/// Registers the rocm target.
void registerRocmTarget();

} // namespace aicc::rocm

#endif // AICC_TARGETS_ROCM_ROCMTARGET_H
