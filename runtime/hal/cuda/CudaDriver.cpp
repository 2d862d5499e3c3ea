//===- CudaDriver.cpp - The CUDA driver (driver API through dlopen) -------===//
//
// Loads libcuda.so.1 (or $AICC_CUDA_LIBRARY) at runtime discovery, so the
// runtime neither links against CUDA nor needs it installed. The few driver
// API types and prototypes used are declared here, as in cuda.h; every
// function is resolved by its versioned symbol name (cuMemAlloc_v2, ...), as
// cuda.h's macros would (CudaApi.h; CudaApiCheck.cpp compares them with
// cuda.h when the toolkit is there at build time). Each device uses its primary
// context, pushed around every call and popped after, so an embedder's own CUDA
// state is untouched.
//
//===----------------------------------------------------------------------===//

#include "hal/cuda/CudaApi.h"
#include "hal/gpu/GpuDevice.h"

#include "src/Status.h"

#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <mutex>
#include <string>

using namespace aicc;
using namespace aicc::hal;

namespace {

using namespace aicc::cuda;

Functions cu;

/// Resolves `*slot` from the first of the names that the library defines
/// (the versioned symbol first); false if none is.
template <typename Fn>
bool resolve(void *library, Fn *slot, std::initializer_list<const char *> names,
             std::string *missing) {
  for (const char *name : names) {
    if (void *symbol = ::dlsym(library, name)) {
      *slot = reinterpret_cast<Fn>(symbol);
      return true;
    }
  }
  *missing = *names.begin();
  return false;
}

/// dlopen + dlsym once per process; the library stays loaded.
bool loadCuda(std::string *error) {
  static std::once_flag once;
  static std::string loadError;
  std::call_once(once, [] {
    void *library =
        openGpuLibrary("AICC_CUDA_LIBRARY", {"libcuda.so.1"}, &loadError);
    if (!library)
      return;
    std::string missing;
    bool ok =
        resolve(library, &cu.cuInit, {"cuInit"}, &missing) &&
        resolve(library, &cu.cuDriverGetVersion, {"cuDriverGetVersion"},
                &missing) &&
        resolve(library, &cu.cuGetErrorName, {"cuGetErrorName"}, &missing) &&
        resolve(library, &cu.cuGetErrorString, {"cuGetErrorString"},
                &missing) &&
        resolve(library, &cu.cuDeviceGetCount, {"cuDeviceGetCount"},
                &missing) &&
        resolve(library, &cu.cuDeviceGet, {"cuDeviceGet"}, &missing) &&
        resolve(library, &cu.cuDeviceGetName, {"cuDeviceGetName"}, &missing) &&
        resolve(library, &cu.cuDeviceTotalMem, {"cuDeviceTotalMem_v2"},
                &missing) &&
        resolve(library, &cu.cuDeviceGetAttribute, {"cuDeviceGetAttribute"},
                &missing) &&
        resolve(library, &cu.cuDevicePrimaryCtxRetain,
                {"cuDevicePrimaryCtxRetain"}, &missing) &&
        resolve(library, &cu.cuDevicePrimaryCtxRelease,
                {"cuDevicePrimaryCtxRelease_v2", "cuDevicePrimaryCtxRelease"},
                &missing) &&
        resolve(library, &cu.cuCtxPushCurrent, {"cuCtxPushCurrent_v2"},
                &missing) &&
        resolve(library, &cu.cuCtxPopCurrent, {"cuCtxPopCurrent_v2"},
                &missing) &&
        resolve(library, &cu.cuModuleLoadData, {"cuModuleLoadData"},
                &missing) &&
        resolve(library, &cu.cuModuleUnload, {"cuModuleUnload"}, &missing) &&
        resolve(library, &cu.cuModuleGetFunction, {"cuModuleGetFunction"},
                &missing) &&
        resolve(library, &cu.cuMemAlloc, {"cuMemAlloc_v2"}, &missing) &&
        resolve(library, &cu.cuMemFree, {"cuMemFree_v2"}, &missing) &&
        resolve(library, &cu.cuMemcpyHtoD, {"cuMemcpyHtoD_v2"}, &missing) &&
        resolve(library, &cu.cuMemcpyHtoDAsync, {"cuMemcpyHtoDAsync_v2"},
                &missing) &&
        resolve(library, &cu.cuMemcpyDtoHAsync, {"cuMemcpyDtoHAsync_v2"},
                &missing) &&
        resolve(library, &cu.cuMemcpyDtoDAsync, {"cuMemcpyDtoDAsync_v2"},
                &missing) &&
        resolve(library, &cu.cuMemsetD8Async, {"cuMemsetD8Async"}, &missing) &&
        resolve(library, &cu.cuStreamCreate, {"cuStreamCreate"}, &missing) &&
        resolve(library, &cu.cuStreamDestroy, {"cuStreamDestroy_v2"},
                &missing) &&
        resolve(library, &cu.cuStreamSynchronize, {"cuStreamSynchronize"},
                &missing) &&
        resolve(library, &cu.cuLaunchKernel, {"cuLaunchKernel"}, &missing) &&
        resolve(library, &cu.cuEventCreate, {"cuEventCreate"}, &missing) &&
        resolve(library, &cu.cuEventDestroy, {"cuEventDestroy_v2"}, &missing) &&
        resolve(library, &cu.cuEventRecord, {"cuEventRecord"}, &missing) &&
        // _v2 since CUDA 12.8; the same contract as the original.
        resolve(library, &cu.cuEventElapsedTime,
                {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, &missing);
    if (!ok) {
      loadError =
          "the CUDA driver library lacks " + missing + " (driver too old?)";
      cu = Functions{};
    }
  });
  *error = loadError;
  return loadError.empty();
}

/// Null for CUDA_SUCCESS, otherwise a status naming the call and the error.
aicc_status_t check(CUresult result, const char *call,
                    aicc_status_code_t code = AICC_STATUS_INTERNAL) {
  if (result == CUDA_SUCCESS)
    return nullptr;
  const char *name = nullptr, *text = nullptr;
  if (cu.cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = "unknown CUresult";
  if (cu.cuGetErrorString(result, &text) != CUDA_SUCCESS || !text)
    text = "no description";
  if (result == CUDA_ERROR_OUT_OF_MEMORY)
    code = AICC_STATUS_OUT_OF_MEMORY;
  return makeStatus(code, "cuda: %s failed: %s (%d: %s)", call, name,
                    int(result), text);
}

//===--- The GpuApi table ---===//

/// A device's handle: its ordinal and its primary context, retained on first
/// use (discovery creates no context: a process that only lists devices or
/// runs on the CPU pays nothing on the GPUs).
struct CudaDeviceHandle {
  CUdevice device;
  std::mutex mutex;
  CUcontext context = nullptr;
};

aicc_status_t enter(void *handle, void **) {
  auto *device = static_cast<CudaDeviceHandle *>(handle);
  CUcontext context;
  {
    std::lock_guard<std::mutex> lock(device->mutex);
    if (!device->context)
      AICC_RETURN_IF_ERROR(
          check(cu.cuDevicePrimaryCtxRetain(&device->context, device->device),
                "cuDevicePrimaryCtxRetain"));
    context = device->context;
  }
  return check(cu.cuCtxPushCurrent(context), "cuCtxPushCurrent");
}
aicc_status_t leave(void *, void *) {
  CUcontext popped = nullptr;
  return check(cu.cuCtxPopCurrent(&popped), "cuCtxPopCurrent");
}
aicc_status_t moduleLoad(const void *image, void **module) {
  return check(cu.cuModuleLoadData(module, image), "cuModuleLoadData",
               AICC_STATUS_UNSUPPORTED);
}
aicc_status_t moduleUnload(void *module) {
  return check(cu.cuModuleUnload(module), "cuModuleUnload");
}
aicc_status_t moduleFunction(void *module, const char *name, void **function) {
  return check(cu.cuModuleGetFunction(function, module, name),
               "cuModuleGetFunction", AICC_STATUS_NOT_FOUND);
}
aicc_status_t memAlloc(uint64_t bytes, uint64_t *address) {
  CUdeviceptr pointer = 0;
  AICC_RETURN_IF_ERROR(check(cu.cuMemAlloc(&pointer, bytes), "cuMemAlloc"));
  *address = pointer;
  return nullptr;
}
aicc_status_t memFree(uint64_t address) {
  return check(cu.cuMemFree(address), "cuMemFree");
}
aicc_status_t upload(uint64_t target, const void *source, uint64_t bytes) {
  return check(cu.cuMemcpyHtoD(target, source, bytes), "cuMemcpyHtoD");
}
aicc_status_t copyAsync(CopyKind kind, void *target, const void *source,
                        uint64_t bytes, void *stream) {
  auto device = [](const void *p) { return reinterpret_cast<CUdeviceptr>(p); };
  switch (kind) {
  case CopyKind::HostToDevice:
    return check(cu.cuMemcpyHtoDAsync(device(target), source, bytes, stream),
                 "cuMemcpyHtoDAsync");
  case CopyKind::DeviceToHost:
    return check(cu.cuMemcpyDtoHAsync(target, device(source), bytes, stream),
                 "cuMemcpyDtoHAsync");
  case CopyKind::DeviceToDevice:
    return check(
        cu.cuMemcpyDtoDAsync(device(target), device(source), bytes, stream),
        "cuMemcpyDtoDAsync");
  case CopyKind::HostToHost:
    break;
  }
  return makeStatus(AICC_STATUS_INTERNAL, "cuda: host-to-host copy enqueued");
}
aicc_status_t zeroAsync(uint64_t target, uint64_t bytes, void *stream) {
  return check(cu.cuMemsetD8Async(target, 0, bytes, stream), "cuMemsetD8Async");
}
aicc_status_t streamCreate(void **stream) {
  return check(cu.cuStreamCreate(stream, CU_STREAM_NON_BLOCKING),
               "cuStreamCreate");
}
aicc_status_t streamDestroy(void *stream) {
  return check(cu.cuStreamDestroy(stream), "cuStreamDestroy");
}
aicc_status_t streamSynchronize(void *stream) {
  // Kernel faults surface here.
  return check(cu.cuStreamSynchronize(stream), "cuStreamSynchronize",
               AICC_STATUS_KERNEL_FAILED);
}
aicc_status_t launch(void *function, const uint32_t *grid,
                     const uint32_t *block, void *stream, void **params) {
  return check(cu.cuLaunchKernel(function, grid[0], grid[1], grid[2], block[0],
                                 block[1], block[2], 0, stream, params,
                                 nullptr),
               "cuLaunchKernel", AICC_STATUS_KERNEL_FAILED);
}
aicc_status_t eventCreate(void **event) {
  return check(cu.cuEventCreate(event, CU_EVENT_DEFAULT), "cuEventCreate");
}
aicc_status_t eventDestroy(void *event) {
  return check(cu.cuEventDestroy(event), "cuEventDestroy");
}
aicc_status_t eventRecord(void *event, void *stream) {
  return check(cu.cuEventRecord(event, stream), "cuEventRecord");
}
aicc_status_t eventElapsedMs(void *start, void *end, float *ms) {
  return check(cu.cuEventElapsedTime(ms, start, end), "cuEventElapsedTime");
}

const char *const kCudaFormats[] = {"cubin", "ptx"};

const GpuApi kCudaApi = {
    "cuda",
    AICC_DEVICE_KIND_CUDA,
    kCudaFormats,
    2,
    enter,
    leave,
    moduleLoad,
    moduleUnload,
    moduleFunction,
    memAlloc,
    memFree,
    upload,
    copyAsync,
    zeroAsync,
    streamCreate,
    streamDestroy,
    streamSynchronize,
    launch,
    eventCreate,
    eventDestroy,
    eventRecord,
    eventElapsedMs,
};

void releaseDevice(void *handle) {
  auto *device = static_cast<CudaDeviceHandle *>(handle);
  if (device->context)
    cu.cuDevicePrimaryCtxRelease(device->device);
  delete device;
}

} // namespace

DriverProbe hal::probeCudaDevices() {
  DriverProbe probe;
  probe.name = "cuda";
  if (!loadCuda(&probe.error))
    return probe;
  auto fail = [&](aicc_status_t status) {
    probe.setError(status);
    return std::move(probe);
  };
  if (aicc_status_t status = check(cu.cuInit(0), "cuInit"))
    return fail(status);
  int count = 0;
  if (aicc_status_t status =
          check(cu.cuDeviceGetCount(&count), "cuDeviceGetCount"))
    return fail(status);
  if (count == 0) {
    probe.error = "no CUDA device";
    return probe;
  }
  int driverVersion = 0;
  cu.cuDriverGetVersion(&driverVersion);
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    CUdevice device = 0;
    char name[256] = "";
    size_t memory = 0;
    int major = 0, minor = 0, sms = 0;
    aicc_status_t status =
        check(cu.cuDeviceGet(&device, ordinal), "cuDeviceGet");
    if (!status)
      status = check(cu.cuDeviceGetName(name, sizeof(name) - 1, device),
                     "cuDeviceGetName");
    if (!status)
      status = check(cu.cuDeviceTotalMem(&memory, device), "cuDeviceTotalMem");
    if (!status)
      status = check(
          cu.cuDeviceGetAttribute(
              &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
          "cuDeviceGetAttribute");
    if (!status)
      status = check(
          cu.cuDeviceGetAttribute(
              &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
          "cuDeviceGetAttribute");
    if (!status)
      status =
          check(cu.cuDeviceGetAttribute(
                    &sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
                "cuDeviceGetAttribute");
    if (status) {
      probe.addDeviceError(ordinal, status);
      continue;
    }
    char description[512];
    std::snprintf(description, sizeof(description),
                  "%s, sm_%d%d, %s, %d SMs, driver %d.%d", name, major, minor,
                  formatBytes(memory).c_str(), sms, driverVersion / 1000,
                  driverVersion % 1000 / 10);
    GpuDescription desc;
    desc.name = "cuda:" + std::to_string(ordinal);
    desc.description = description;
    desc.multiprocessors = sms > 0 ? uint32_t(sms) : 1;
    auto *handle = new CudaDeviceHandle();
    handle->device = device;
    desc.handle = handle;
    desc.release = releaseDevice;
    probe.devices.push_back(createGpuDevice(kCudaApi, std::move(desc)));
  }
  if (!probe.devices.empty())
    probe.error.clear();
  return probe;
}
