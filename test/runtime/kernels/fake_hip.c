/*===- fake_hip.c - A stand-in for libamdhip64.so in the runtime tests ----===*\
|*                                                                            *|
|* The HIP module API over fake_cuda.c's fake device (HIP's error codes      *|
|* equal CUDA's for everything used here): aicc-run loads it through         *|
|* AICC_HIP_LIBRARY to run the runtime's ROCm driver without a GPU. HSACO    *|
|* images (ELF) load only if their bytes name gfx90a. hipSetDevice makes the *|
|* device current on the calling thread (what the CUDA calls underneath     *|
|* check as a pushed context).                                               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#define FAKE_GPU_ARCH "gfx90a"
#include "fake_cuda.c"

typedef int hipError_t;

EXPORT hipError_t hipInit(unsigned flags) { return cuInit(flags); }
EXPORT hipError_t hipDriverGetVersion(int *version) {
  *version = 60000000;
  return 0;
}
EXPORT const char *hipGetErrorName(hipError_t error) {
  switch (error) {
  case CUDA_SUCCESS:
    return "hipSuccess";
  case CUDA_ERROR_INVALID_VALUE:
    return "hipErrorInvalidValue";
  case CUDA_ERROR_NO_DEVICE:
    return "hipErrorNoDevice";
  case CUDA_ERROR_INVALID_CONTEXT:
    return "hipErrorInvalidContext";
  case CUDA_ERROR_NO_BINARY_FOR_GPU:
    return "hipErrorNoBinaryForGpu";
  case CUDA_ERROR_NOT_FOUND:
    return "hipErrorNotFound";
  case CUDA_ERROR_ILLEGAL_ADDRESS:
    return "hipErrorIllegalAddress";
  default:
    return "hipErrorUnknown";
  }
}
EXPORT const char *hipGetErrorString(hipError_t error) {
  const char *text = 0;
  cuGetErrorString(error, &text);
  return text;
}
EXPORT hipError_t hipGetDeviceCount(int *count) {
  return cuDeviceGetCount(count);
}
EXPORT hipError_t hipDeviceGet(int *device, int ordinal) {
  return cuDeviceGet(device, ordinal);
}
EXPORT hipError_t hipDeviceGetName(char *name, int length, int device) {
  return cuDeviceGetName(name, length, device);
}
EXPORT hipError_t hipDeviceTotalMem(size_t *bytes, int device) {
  return cuDeviceTotalMem_v2(bytes, device);
}
EXPORT hipError_t hipGetDevice(int *device) {
  *device = 0;
  return 0;
}
EXPORT hipError_t hipSetDevice(int device) {
  if (device != 0)
    return 101; /* hipErrorInvalidDevice */
  depth = 1;
  return 0;
}
EXPORT hipError_t hipModuleLoadData(void **module, const void *image) {
  return cuModuleLoadData(module, image);
}
EXPORT hipError_t hipModuleUnload(void *module) {
  return cuModuleUnload(module);
}
EXPORT hipError_t hipModuleGetFunction(void **function, void *module,
                                       const char *name) {
  return cuModuleGetFunction(function, module, name);
}
EXPORT hipError_t hipMalloc(void **pointer, size_t bytes) {
  CUdeviceptr address = 0;
  hipError_t result = cuMemAlloc_v2(&address, bytes);
  *pointer = (void *)(uintptr_t)address;
  return result;
}
EXPORT hipError_t hipFree(void *pointer) {
  return cuMemFree_v2((CUdeviceptr)(uintptr_t)pointer);
}
EXPORT hipError_t hipMemcpyHtoD(void *target, const void *source,
                                size_t bytes) {
  return cuMemcpyHtoD_v2((CUdeviceptr)(uintptr_t)target, source, bytes);
}
EXPORT hipError_t hipMemcpyHtoDAsync(void *target, const void *source,
                                     size_t bytes, void *stream) {
  return cuMemcpyHtoDAsync_v2((CUdeviceptr)(uintptr_t)target, source, bytes,
                              stream);
}
EXPORT hipError_t hipMemcpyDtoHAsync(void *target, void *source, size_t bytes,
                                     void *stream) {
  return cuMemcpyDtoHAsync_v2(target, (CUdeviceptr)(uintptr_t)source, bytes,
                              stream);
}
EXPORT hipError_t hipMemcpyDtoDAsync(void *target, void *source, size_t bytes,
                                     void *stream) {
  return cuMemcpyDtoDAsync_v2((CUdeviceptr)(uintptr_t)target,
                              (CUdeviceptr)(uintptr_t)source, bytes, stream);
}
EXPORT hipError_t hipMemsetD8Async(void *target, unsigned char value,
                                   size_t bytes, void *stream) {
  return cuMemsetD8Async((CUdeviceptr)(uintptr_t)target, value, bytes, stream);
}
EXPORT hipError_t hipStreamCreateWithFlags(void **stream, unsigned flags) {
  return cuStreamCreate(stream, flags);
}
EXPORT hipError_t hipStreamDestroy(void *stream) {
  return cuStreamDestroy_v2(stream);
}
EXPORT hipError_t hipStreamSynchronize(void *stream) {
  return cuStreamSynchronize(stream);
}
EXPORT hipError_t hipModuleLaunchKernel(void *function, unsigned gx,
                                        unsigned gy, unsigned gz, unsigned bx,
                                        unsigned by, unsigned bz,
                                        unsigned shared, void *stream,
                                        void **params, void **extra) {
  return cuLaunchKernel(function, gx, gy, gz, bx, by, bz, shared, stream,
                        params, extra);
}
EXPORT hipError_t hipEventCreate(void **event) {
  return cuEventCreate(event, 0);
}
EXPORT hipError_t hipEventDestroy(void *event) {
  return cuEventDestroy_v2(event);
}
EXPORT hipError_t hipEventRecord(void *event, void *stream) {
  return cuEventRecord(event, stream);
}
EXPORT hipError_t hipEventElapsedTime(float *ms, void *start, void *end) {
  return cuEventElapsedTime_v2(ms, start, end);
}
