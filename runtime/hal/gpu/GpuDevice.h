//===- GpuDevice.h - The device logic shared by the GPU drivers -*- C++ -*-===//
//
// CUDA (hal/cuda) and ROCm (hal/rocm) drive their GPUs the same way: a
// context made current around each call, modules loaded from the artifact's
// binaries, kernels launched with a grid and block size on one stream per
// session, asynchronous copies, events for timing. The logic lives once in
// GpuDevice.cpp; each API supplies a GpuApi: a table of small functions that
// call its library (loaded with dlopen) and turn every failure into an
// aicc status naming the call and the driver's error string.
//
// Handles (modules, functions, streams, events, contexts) travel as void *;
// device addresses as uint64_t (CUdeviceptr, hipDeviceptr_t).
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_GPU_GPUDEVICE_H
#define AICC_RUNTIME_HAL_GPU_GPUDEVICE_H

#include "hal/Hal.h"

#include <string>

namespace aicc {
namespace hal {

/// One GPU API. Every function returns null or a status that names the API
/// call that failed and the driver's error (e.g. "cuMemAlloc failed:
/// CUDA_ERROR_OUT_OF_MEMORY (out of memory)").
struct GpuApi {
  /// Driver and device-name prefix: "cuda", "rocm".
  const char *name;
  aicc_device_kind_t kind;
  /// Binary formats the API loads, most preferred first ({"cubin", "ptx"}).
  const char *const *formats;
  size_t formatCount;

  /// Makes device `ordinal` current on the calling thread; `*saved`
  /// receives what leave() restores.
  aicc_status_t (*enter)(void *device, void **saved);
  aicc_status_t (*leave)(void *device, void *saved);

  aicc_status_t (*moduleLoad)(const void *image, void **module);
  aicc_status_t (*moduleUnload)(void *module);
  aicc_status_t (*moduleFunction)(void *module, const char *name,
                                  void **function);

  aicc_status_t (*memAlloc)(uint64_t bytes, uint64_t *address);
  aicc_status_t (*memFree)(uint64_t address);
  /// Synchronous host-to-device copy (module load).
  aicc_status_t (*upload)(uint64_t target, const void *source, uint64_t bytes);
  /// Asynchronous copies on `stream`.
  aicc_status_t (*copyAsync)(CopyKind kind, void *target, const void *source,
                             uint64_t bytes, void *stream);
  aicc_status_t (*zeroAsync)(uint64_t target, uint64_t bytes, void *stream);

  aicc_status_t (*streamCreate)(void **stream);
  aicc_status_t (*streamDestroy)(void *stream);
  aicc_status_t (*streamSynchronize)(void *stream);
  /// Launches `function` with `params` (pointers to each argument).
  aicc_status_t (*launch)(void *function, const uint32_t *grid,
                          const uint32_t *block, void *stream, void **params);

  aicc_status_t (*eventCreate)(void **event);
  aicc_status_t (*eventDestroy)(void *event);
  aicc_status_t (*eventRecord)(void *event, void *stream);
  aicc_status_t (*eventElapsedMs)(void *start, void *end, float *ms);
};

/// What probing found out about one GPU.
struct GpuDescription {
  /// "cuda:0".
  std::string name;
  /// "NVIDIA H100 80GB HBM3, sm_90, 79.1 GiB, 132 SMs".
  std::string description;
  /// Multiprocessors (SMs, CUs), or 1 when unknown.
  uint32_t multiprocessors = 1;
  /// The API's handle of the device (its context), passed to enter/leave;
  /// released by `release` when the device goes.
  void *handle = nullptr;
  void (*release)(void *handle) = nullptr;
};

/// A device of `api` (which must outlive it; the tables are static).
std::unique_ptr<Device> createGpuDevice(const GpuApi &api,
                                        GpuDescription description);

/// dlopen()s the first of `names` that loads (or `$envVariable` instead when
/// set). On failure returns null and a one-line reason in `*error`
/// ("libcuda.so.1 not found").
void *openGpuLibrary(const char *envVariable,
                     const std::vector<const char *> &names,
                     std::string *error);

/// "79.1 GiB".
std::string formatBytes(uint64_t bytes);

} // namespace hal
} // namespace aicc

#endif // AICC_RUNTIME_HAL_GPU_GPUDEVICE_H
