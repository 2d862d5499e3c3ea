//===- CudaApiCheck.cpp - CudaApi.h against the toolkit's cuda.h ----------===//
//
// Built only when cuda.h is found at configure time (it is never needed to
// build or run the runtime). Fails the build if a declaration of CudaApi.h
// disagrees with cuda.h: constants, type sizes, and for every function the
// argument count and each argument's and the result's size (the calling
// convention passes same-size integers and pointers alike). The function
// each member is resolved as (cuMemAlloc_v2 for cuMemAlloc) is the one
// cuda.h's macros name.
//
//===----------------------------------------------------------------------===//

#include "hal/cuda/CudaApi.h"

// The types of our declarations, taken before cuda.h's macros rename the
// function names (cuMemAlloc -> cuMemAlloc_v2).
namespace ours {
using namespace aicc::cuda;
#define AICC_OURS(fn) using fn##_t = decltype(aicc::cuda::Functions::fn);
AICC_OURS(cuInit)
AICC_OURS(cuDriverGetVersion)
AICC_OURS(cuGetErrorName)
AICC_OURS(cuGetErrorString)
AICC_OURS(cuDeviceGetCount)
AICC_OURS(cuDeviceGet)
AICC_OURS(cuDeviceGetName)
AICC_OURS(cuDeviceTotalMem)
AICC_OURS(cuDeviceGetAttribute)
AICC_OURS(cuDevicePrimaryCtxRetain)
AICC_OURS(cuDevicePrimaryCtxRelease)
AICC_OURS(cuCtxPushCurrent)
AICC_OURS(cuCtxPopCurrent)
AICC_OURS(cuModuleLoadData)
AICC_OURS(cuModuleUnload)
AICC_OURS(cuModuleGetFunction)
AICC_OURS(cuMemAlloc)
AICC_OURS(cuMemFree)
AICC_OURS(cuMemcpyHtoD)
AICC_OURS(cuMemcpyHtoDAsync)
AICC_OURS(cuMemcpyDtoHAsync)
AICC_OURS(cuMemcpyDtoDAsync)
AICC_OURS(cuMemsetD8Async)
AICC_OURS(cuStreamCreate)
AICC_OURS(cuStreamDestroy)
AICC_OURS(cuStreamSynchronize)
AICC_OURS(cuLaunchKernel)
AICC_OURS(cuEventCreate)
AICC_OURS(cuEventDestroy)
AICC_OURS(cuEventRecord)
AICC_OURS(cuEventElapsedTime)
#undef AICC_OURS
} // namespace ours

#include <cuda.h>

namespace {

template <typename A, typename B> struct SameShape;
template <typename RA, typename... A, typename RB, typename... B>
struct SameShape<RA (*)(A...), RB (*)(B...)> {
  static constexpr bool value = sizeof(RA) == sizeof(RB) &&
                                sizeof...(A) == sizeof...(B) &&
                                ((sizeof(A) == sizeof(B)) && ...);
};

// `&::fn` expands cuda.h's macro (the versioned symbol the driver resolves);
// `fn##_t` does not.
#define AICC_CHECK(fn)                                                         \
  static_assert(SameShape<decltype(&::fn), ours::fn##_t>::value,               \
                #fn " in CudaApi.h does not match cuda.h")
AICC_CHECK(cuInit);
AICC_CHECK(cuDriverGetVersion);
AICC_CHECK(cuGetErrorName);
AICC_CHECK(cuGetErrorString);
AICC_CHECK(cuDeviceGetCount);
AICC_CHECK(cuDeviceGet);
AICC_CHECK(cuDeviceGetName);
AICC_CHECK(cuDeviceTotalMem);
AICC_CHECK(cuDeviceGetAttribute);
AICC_CHECK(cuDevicePrimaryCtxRetain);
AICC_CHECK(cuDevicePrimaryCtxRelease);
AICC_CHECK(cuCtxPushCurrent);
AICC_CHECK(cuCtxPopCurrent);
AICC_CHECK(cuModuleLoadData);
AICC_CHECK(cuModuleUnload);
AICC_CHECK(cuModuleGetFunction);
AICC_CHECK(cuMemAlloc);
AICC_CHECK(cuMemFree);
AICC_CHECK(cuMemcpyHtoD);
AICC_CHECK(cuMemcpyHtoDAsync);
AICC_CHECK(cuMemcpyDtoHAsync);
AICC_CHECK(cuMemcpyDtoDAsync);
AICC_CHECK(cuMemsetD8Async);
AICC_CHECK(cuStreamCreate);
AICC_CHECK(cuStreamDestroy);
AICC_CHECK(cuStreamSynchronize);
AICC_CHECK(cuLaunchKernel);
AICC_CHECK(cuEventCreate);
AICC_CHECK(cuEventDestroy);
AICC_CHECK(cuEventRecord);
AICC_CHECK(cuEventElapsedTime);
#undef AICC_CHECK

static_assert(sizeof(::CUdeviceptr) == sizeof(ours::CUdeviceptr), "");
static_assert(sizeof(::CUresult) == sizeof(ours::CUresult), "");
static_assert(sizeof(::CUdevice) == sizeof(ours::CUdevice), "");
static_assert(::CUDA_SUCCESS == ours::CUDA_SUCCESS, "");
static_assert(::CUDA_ERROR_OUT_OF_MEMORY == ours::CUDA_ERROR_OUT_OF_MEMORY, "");
static_assert(::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT ==
                  ours::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
              "");
static_assert(::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR ==
                  ours::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
              "");
static_assert(::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR ==
                  ours::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
              "");
static_assert(::CU_STREAM_NON_BLOCKING == ours::CU_STREAM_NON_BLOCKING, "");
static_assert(::CU_EVENT_DEFAULT == ours::CU_EVENT_DEFAULT, "");

} // namespace
