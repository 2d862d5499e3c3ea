//===- CudaTarget.h - NVIDIA GPUs: kernels to PTX ---------------*- C++ -*-===//
#ifndef AICC_TARGETS_CUDA_CUDATARGET_H
#define AICC_TARGETS_CUDA_CUDATARGET_H

namespace aicc::cuda {

/// Registers the cuda target.
void registerCudaTarget();

} // namespace aicc::cuda

#endif // AICC_TARGETS_CUDA_CUDATARGET_H
