//===- RegisterAll.cpp - Every target aicc is built with -----------------===//
//
// The one list of targets: a new target adds its registration call here
// (targets/README.md).
//
//===----------------------------------------------------------------------===//

#include "targets/RegisterAll.h"
#include "targets/avx512/Avx512Target.h"
#include "targets/npu/NpuTarget.h"
#include "targets/cuda/CudaTarget.h"
#include "targets/gpu/GpuTarget.h"
#include "targets/rocm/RocmTarget.h"

#include <mutex>

void aicc::registerAllTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    avx512::registerAvx512Targets();
    npu::registerNpuTargets();
    cuda::registerCudaTarget();
    rocm::registerRocmTarget();
    gpu::registerGpuPasses();
  });
}
