//===- RocmDriver.cpp - The ROCm driver (HIP module API through dlopen) ---===//
//
// Loads libamdhip64.so (or $AICC_HIP_LIBRARY) at runtime discovery; the
// runtime neither links against ROCm nor needs it installed. The HIP types
// and prototypes used are declared here as in hip_runtime_api.h. Kernels are
// HSACO code objects loaded with hipModuleLoadData and launched with
// hipModuleLaunchKernel; everything else is GpuDevice.cpp's, shared with
// CUDA. HIP keeps a current device per thread: each call sets the session's
// device and restores the caller's afterwards.
//
//===----------------------------------------------------------------------===//

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

// From hip_runtime_api.h.
using hipError_t = int;
using hipDevice_t = int;
using hipDeviceptr_t = void *;
using hipModule_t = void *;
using hipFunction_t = void *;
using hipStream_t = void *;
using hipEvent_t = void *;
constexpr hipError_t hipSuccess = 0;
constexpr hipError_t hipErrorOutOfMemory = 2;
constexpr unsigned hipStreamNonBlocking = 1;

struct HipFunctions {
  hipError_t (*hipInit)(unsigned);
  hipError_t (*hipDriverGetVersion)(int *);
  const char *(*hipGetErrorName)(hipError_t);
  const char *(*hipGetErrorString)(hipError_t);
  hipError_t (*hipGetDeviceCount)(int *);
  hipError_t (*hipDeviceGet)(hipDevice_t *, int);
  hipError_t (*hipDeviceGetName)(char *, int, hipDevice_t);
  hipError_t (*hipDeviceTotalMem)(size_t *, hipDevice_t);
  hipError_t (*hipGetDevice)(int *);
  hipError_t (*hipSetDevice)(int);
  hipError_t (*hipModuleLoadData)(hipModule_t *, const void *);
  hipError_t (*hipModuleUnload)(hipModule_t);
  hipError_t (*hipModuleGetFunction)(hipFunction_t *, hipModule_t,
                                     const char *);
  hipError_t (*hipMalloc)(void **, size_t);
  hipError_t (*hipFree)(void *);
  hipError_t (*hipMemcpyHtoD)(hipDeviceptr_t, const void *, size_t);
  hipError_t (*hipMemcpyHtoDAsync)(hipDeviceptr_t, const void *, size_t,
                                   hipStream_t);
  hipError_t (*hipMemcpyDtoHAsync)(void *, hipDeviceptr_t, size_t, hipStream_t);
  hipError_t (*hipMemcpyDtoDAsync)(hipDeviceptr_t, hipDeviceptr_t, size_t,
                                   hipStream_t);
  hipError_t (*hipMemsetD8Async)(hipDeviceptr_t, unsigned char, size_t,
                                 hipStream_t);
  hipError_t (*hipStreamCreateWithFlags)(hipStream_t *, unsigned);
  hipError_t (*hipStreamDestroy)(hipStream_t);
  hipError_t (*hipStreamSynchronize)(hipStream_t);
  hipError_t (*hipModuleLaunchKernel)(hipFunction_t, unsigned, unsigned,
                                      unsigned, unsigned, unsigned, unsigned,
                                      unsigned, hipStream_t, void **, void **);
  hipError_t (*hipEventCreate)(hipEvent_t *);
  hipError_t (*hipEventDestroy)(hipEvent_t);
  hipError_t (*hipEventRecord)(hipEvent_t, hipStream_t);
  hipError_t (*hipEventElapsedTime)(float *, hipEvent_t, hipEvent_t);
};

HipFunctions hip;

template <typename Fn>
bool resolve(void *library, Fn *slot, const char *name, std::string *missing) {
  if (void *symbol = ::dlsym(library, name)) {
    *slot = reinterpret_cast<Fn>(symbol);
    return true;
  }
  *missing = name;
  return false;
}

bool loadHip(std::string *error) {
  static std::once_flag once;
  static std::string loadError;
  std::call_once(once, [] {
    void *library = openGpuLibrary(
        "AICC_HIP_LIBRARY",
        {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5"}, &loadError);
    if (!library)
      return;
    std::string m;
#define AICC_RESOLVE(fn) resolve(library, &hip.fn, #fn, &m)
    bool ok =
        AICC_RESOLVE(hipInit) && AICC_RESOLVE(hipDriverGetVersion) &&
        AICC_RESOLVE(hipGetErrorName) && AICC_RESOLVE(hipGetErrorString) &&
        AICC_RESOLVE(hipGetDeviceCount) && AICC_RESOLVE(hipDeviceGet) &&
        AICC_RESOLVE(hipDeviceGetName) && AICC_RESOLVE(hipDeviceTotalMem) &&
        AICC_RESOLVE(hipGetDevice) && AICC_RESOLVE(hipSetDevice) &&
        AICC_RESOLVE(hipModuleLoadData) && AICC_RESOLVE(hipModuleUnload) &&
        AICC_RESOLVE(hipModuleGetFunction) && AICC_RESOLVE(hipMalloc) &&
        AICC_RESOLVE(hipFree) && AICC_RESOLVE(hipMemcpyHtoD) &&
        AICC_RESOLVE(hipMemcpyHtoDAsync) && AICC_RESOLVE(hipMemcpyDtoHAsync) &&
        AICC_RESOLVE(hipMemcpyDtoDAsync) && AICC_RESOLVE(hipMemsetD8Async) &&
        AICC_RESOLVE(hipStreamCreateWithFlags) &&
        AICC_RESOLVE(hipStreamDestroy) && AICC_RESOLVE(hipStreamSynchronize) &&
        AICC_RESOLVE(hipModuleLaunchKernel) && AICC_RESOLVE(hipEventCreate) &&
        AICC_RESOLVE(hipEventDestroy) && AICC_RESOLVE(hipEventRecord) &&
        AICC_RESOLVE(hipEventElapsedTime);
#undef AICC_RESOLVE
    if (!ok) {
      loadError = "the HIP runtime library lacks " + m;
      hip = HipFunctions{};
    }
  });
  *error = loadError;
  return loadError.empty();
}

aicc_status_t check(hipError_t result, const char *call,
                    aicc_status_code_t code = AICC_STATUS_INTERNAL) {
  if (result == hipSuccess)
    return nullptr;
  const char *name = hip.hipGetErrorName(result);
  const char *text = hip.hipGetErrorString(result);
  if (result == hipErrorOutOfMemory)
    code = AICC_STATUS_OUT_OF_MEMORY;
  return makeStatus(code, "rocm: %s failed: %s (%d: %s)", call,
                    name ? name : "unknown hipError_t", int(result),
                    text ? text : "no description");
}

void *fromAddress(uint64_t address) {
  return reinterpret_cast<void *>(address);
}

aicc_status_t enter(void *device, void **saved) {
  int previous = 0;
  AICC_RETURN_IF_ERROR(check(hip.hipGetDevice(&previous), "hipGetDevice"));
  *saved = reinterpret_cast<void *>(intptr_t(previous));
  return check(hip.hipSetDevice(int(reinterpret_cast<intptr_t>(device))),
               "hipSetDevice");
}
aicc_status_t leave(void *, void *saved) {
  return check(hip.hipSetDevice(int(reinterpret_cast<intptr_t>(saved))),
               "hipSetDevice");
}
aicc_status_t moduleLoad(const void *image, void **module) {
  return check(hip.hipModuleLoadData(module, image), "hipModuleLoadData",
               AICC_STATUS_UNSUPPORTED);
}
aicc_status_t moduleUnload(void *module) {
  return check(hip.hipModuleUnload(module), "hipModuleUnload");
}
aicc_status_t moduleFunction(void *module, const char *name, void **function) {
  return check(hip.hipModuleGetFunction(function, module, name),
               "hipModuleGetFunction", AICC_STATUS_NOT_FOUND);
}
aicc_status_t memAlloc(uint64_t bytes, uint64_t *address) {
  void *pointer = nullptr;
  AICC_RETURN_IF_ERROR(check(hip.hipMalloc(&pointer, bytes), "hipMalloc"));
  *address = reinterpret_cast<uint64_t>(pointer);
  return nullptr;
}
aicc_status_t memFree(uint64_t address) {
  return check(hip.hipFree(fromAddress(address)), "hipFree");
}
aicc_status_t upload(uint64_t target, const void *source, uint64_t bytes) {
  return check(hip.hipMemcpyHtoD(fromAddress(target), source, bytes),
               "hipMemcpyHtoD");
}
aicc_status_t copyAsync(CopyKind kind, void *target, const void *source,
                        uint64_t bytes, void *stream) {
  switch (kind) {
  case CopyKind::HostToDevice:
    return check(hip.hipMemcpyHtoDAsync(target, source, bytes, stream),
                 "hipMemcpyHtoDAsync");
  case CopyKind::DeviceToHost:
    return check(hip.hipMemcpyDtoHAsync(target, const_cast<void *>(source),
                                        bytes, stream),
                 "hipMemcpyDtoHAsync");
  case CopyKind::DeviceToDevice:
    return check(hip.hipMemcpyDtoDAsync(target, const_cast<void *>(source),
                                        bytes, stream),
                 "hipMemcpyDtoDAsync");
  case CopyKind::HostToHost:
    break;
  }
  return makeStatus(AICC_STATUS_INTERNAL, "rocm: host-to-host copy enqueued");
}
aicc_status_t zeroAsync(uint64_t target, uint64_t bytes, void *stream) {
  return check(hip.hipMemsetD8Async(fromAddress(target), 0, bytes, stream),
               "hipMemsetD8Async");
}
aicc_status_t streamCreate(void **stream) {
  return check(hip.hipStreamCreateWithFlags(stream, hipStreamNonBlocking),
               "hipStreamCreateWithFlags");
}
aicc_status_t streamDestroy(void *stream) {
  return check(hip.hipStreamDestroy(stream), "hipStreamDestroy");
}
aicc_status_t streamSynchronize(void *stream) {
  return check(hip.hipStreamSynchronize(stream), "hipStreamSynchronize",
               AICC_STATUS_KERNEL_FAILED);
}
aicc_status_t launch(void *function, const uint32_t *grid,
                     const uint32_t *block, void *stream, void **params) {
  return check(hip.hipModuleLaunchKernel(function, grid[0], grid[1], grid[2],
                                         block[0], block[1], block[2], 0,
                                         stream, params, nullptr),
               "hipModuleLaunchKernel", AICC_STATUS_KERNEL_FAILED);
}
aicc_status_t eventCreate(void **event) {
  return check(hip.hipEventCreate(event), "hipEventCreate");
}
aicc_status_t eventDestroy(void *event) {
  return check(hip.hipEventDestroy(event), "hipEventDestroy");
}
aicc_status_t eventRecord(void *event, void *stream) {
  return check(hip.hipEventRecord(event, stream), "hipEventRecord");
}
aicc_status_t eventElapsedMs(void *start, void *end, float *ms) {
  return check(hip.hipEventElapsedTime(ms, start, end), "hipEventElapsedTime");
}

const char *const kRocmFormats[] = {"hsaco"};

const GpuApi kRocmApi = {
    "rocm",
    AICC_DEVICE_KIND_ROCM,
    kRocmFormats,
    1,
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

} // namespace

DriverProbe hal::probeRocmDevices() {
  DriverProbe probe;
  probe.name = "rocm";
  if (!loadHip(&probe.error))
    return probe;
  auto fail = [&](aicc_status_t status) {
    probe.setError(status);
    return std::move(probe);
  };
  if (aicc_status_t status = check(hip.hipInit(0), "hipInit"))
    return fail(status);
  int count = 0;
  if (aicc_status_t status =
          check(hip.hipGetDeviceCount(&count), "hipGetDeviceCount"))
    return fail(status);
  if (count == 0) {
    probe.error = "no ROCm device";
    return probe;
  }
  int version = 0;
  hip.hipDriverGetVersion(&version);
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    hipDevice_t device = 0;
    char name[256] = "";
    size_t memory = 0;
    aicc_status_t status =
        check(hip.hipDeviceGet(&device, ordinal), "hipDeviceGet");
    if (!status)
      status = check(hip.hipDeviceGetName(name, sizeof(name) - 1, device),
                     "hipDeviceGetName");
    if (!status)
      status =
          check(hip.hipDeviceTotalMem(&memory, device), "hipDeviceTotalMem");
    if (status) {
      probe.addDeviceError(ordinal, status);
      continue;
    }
    char description[512];
    // HIP encodes major * 10^7 + minor * 10^5 + patch.
    std::snprintf(description, sizeof(description), "%s, %s, HIP %d.%d", name,
                  formatBytes(memory).c_str(), version / 10000000,
                  version / 100000 % 100);
    GpuDescription desc;
    desc.name = "rocm:" + std::to_string(ordinal);
    desc.description = description;
    desc.handle = reinterpret_cast<void *>(intptr_t(ordinal));
    probe.devices.push_back(createGpuDevice(kRocmApi, std::move(desc)));
  }
  if (!probe.devices.empty())
    probe.error.clear();
  return probe;
}
