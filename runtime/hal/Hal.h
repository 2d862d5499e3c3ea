//===- Hal.h - Hardware abstraction layer of the runtime --------*- C++ -*-===//
//
// A driver exposes a Device. The core asks it to load executables (once per
// module, shared by all sessions of that module) and to create a
// DeviceContext per session (thread pool, stream, scratch); the executor
// then issues dispatches and copies through the context. Everything a device
// needs to know about the artifact is passed in plain structs, so drivers do
// not depend on the FlatBuffers schema.
//
// Memory: a device either uses host memory (the CPU: hasOwnMemory() is
// false, buffers are host pointers used in place, a copy is a memmove) or
// owns memory of its own (a GPU). For the latter the core allocates arenas,
// device state pools and one block of constants per module through the
// device, and moves caller tensors in and out with the schedule's copies,
// which the context enqueues on its stream. A device address is carried in
// a `void *` (a CUdeviceptr / hipDeviceptr_t fits one on 64-bit hosts); the
// core only ever adds offsets to it, never dereferences it.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_HAL_H
#define AICC_RUNTIME_HAL_HAL_H

#include "aicc/runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace aicc {
namespace hal {

/// Code of one executable, loaded on a device. Immutable after load, so all
/// sessions of a module share it from any thread.
class Executable {
public:
  virtual ~Executable() = default;
  /// Device-specific handle of entry point `index` (a function pointer on the
  /// CPU), resolved at load time.
  virtual void *entryPoint(size_t index) const = 0;
};

/// An entry point as the artifact declares it.
struct EntryPointSpec {
  const char *name = "";
  uint32_t bindingCount = 0;
  uint32_t pushConstantCount = 0;
  /// GPU block size; missing dimensions are 1.
  uint32_t workgroupSize[3] = {1, 1, 1};
};

/// One binary of an executable: its format and bytes (inside the module's
/// mapping, valid while loading only).
struct ExecutableImage {
  const char *format = "";
  const uint8_t *data = nullptr;
  size_t size = 0;
};

/// What a driver needs to load an executable.
struct ExecutableSpec {
  /// Index in the module and name, for messages.
  uint32_t index = 0;
  const char *name = "";
  /// Device kind the executable was built for.
  aicc_device_kind_t device = AICC_DEVICE_KIND_CPU;
  /// Binary format string of the artifact, e.g. "elf-x86_64".
  const char *format = "";
  /// The binary, inside the module's mapping (valid while loading only).
  const uint8_t *data = nullptr;
  size_t size = 0;
  std::vector<const char *> entryPointNames;
  /// The same entry points with their binding counts and block sizes.
  std::vector<EntryPointSpec> entryPoints;
  std::vector<const char *> requiredFeatures;
  /// Other binaries of the same code for the same device kind (e.g. a cubin
  /// next to the PTX: executables of the module with the same device and the
  /// same entry point names). A driver may load whichever fits the device
  /// best; the first image is always {format, data, size} above.
  std::vector<ExecutableImage> images;
};

/// How a copy moves bytes between host memory and device memory.
enum class CopyKind : uint8_t {
  HostToHost,
  HostToDevice,
  DeviceToHost,
  DeviceToDevice,
};

/// Per-session device state. Used by one thread at a time (the session's
/// run), never concurrently.
class DeviceContext {
public:
  virtual ~DeviceContext() = default;
  /// Runs entry point handle `entry` to completion with the given buffer
  /// addresses and push constants. On failure returns a status with the
  /// kernel's reported message; the caller adds which command failed.
  virtual aicc_status_t dispatch(void *entry, void *const *bindings,
                                 const int64_t *pushConstants) = 0;

  //===--- Devices with their own memory (GPUs) ---===//
  // The core calls the functions below only for devices whose
  // Device::hasOwnMemory() is true; the defaults are the host-memory
  // behaviour.

  /// Prepares the calling thread for a run (e.g. makes the driver's context
  /// current). Every begin() is followed by one finish().
  virtual aicc_status_t begin() { return nullptr; }
  /// Waits until everything enqueued since begin() is done and undoes
  /// begin(); reports the first asynchronous failure.
  virtual aicc_status_t finish() { return nullptr; }
  /// Enqueues a dispatch with GPU grid `workgroupCount` (3 entries, missing
  /// dimensions 1); the block size is the entry point's.
  virtual aicc_status_t launch(void *entry, void *const *bindings,
                               const int64_t *pushConstants,
                               const uint32_t *workgroupCount) {
    (void)workgroupCount;
    return dispatch(entry, bindings, pushConstants);
  }
  /// Enqueues a copy of `bytes` bytes (regions do not overlap unless both
  /// are the same kind of memory).
  virtual aicc_status_t copy(CopyKind kind, void *target, const void *source,
                             uint64_t bytes);
  /// Enqueues zeroing `bytes` bytes of device memory at `target`.
  virtual aicc_status_t zero(void *target, uint64_t bytes);

  /// Asynchronous contexts time commands with events on their stream instead
  /// of host clock reads: timestamps are enqueued between commands and read
  /// after finish().
  virtual bool asynchronous() const { return false; }
  /// Creates `count` timestamp slots (events).
  virtual aicc_status_t prepareTimestamps(size_t count);
  /// Enqueues timestamp `index`.
  virtual aicc_status_t recordTimestamp(size_t index);
  /// Nanoseconds between two recorded timestamps (after finish()).
  virtual aicc_status_t elapsedNs(size_t from, size_t to, uint64_t *out);
};

/// One device of a driver.
class Device {
public:
  virtual ~Device() = default;
  virtual const aicc_device_info_t &info() const = 0;
  /// Whether this device can run code and own memory of `kind`.
  virtual bool supports(aicc_device_kind_t kind) const = 0;
  /// Loads one executable. Thread safe.
  virtual aicc_status_t loadExecutable(const ExecutableSpec &spec,
                                       std::unique_ptr<Executable> *out) = 0;
  /// Creates the per-session context. `numThreads` 0 means the default.
  virtual aicc_status_t createContext(uint32_t numThreads,
                                      std::unique_ptr<DeviceContext> *out) = 0;

  /// Whether the device has memory of its own that kernels address (a GPU).
  /// When false, device memory is host memory: the core uses host pointers
  /// in place and none of the functions below is called.
  virtual bool hasOwnMemory() const { return false; }
  /// Allocates `bytes` (> 0) of device memory, aligned to at least 256
  /// bytes. Thread safe.
  virtual aicc_status_t allocate(uint64_t bytes, void **out);
  /// Frees what allocate() returned (null is a no-op). Thread safe.
  virtual void deallocate(void *address);
  /// Copies `bytes` host bytes to device memory and waits (module load).
  /// Thread safe.
  virtual aicc_status_t upload(void *target, const void *source,
                               uint64_t bytes);
};

/// The CPU driver's device (hal/cpu).
std::unique_ptr<Device> createCpuDevice();

/// Result of probing one driver (GPU drivers load their user-mode library
/// at runtime and find zero or more devices).
struct DriverProbe {
  /// "cuda", "rocm", ...
  const char *name = "";
  std::vector<std::unique_ptr<Device>> devices;
  /// Why the driver has no devices ("libcuda.so.1 not found", "no CUDA
  /// device"), empty when it has some.
  std::string error;

  /// Sets `error` to the message of `status` (freed) without its
  /// "<name>: " prefix (the listing names the driver already).
  void setError(aicc_status_t status);
  /// Adds "GPU <ordinal>: <message of status>" (freed) to `error`: one
  /// broken GPU does not hide the others.
  void addDeviceError(int ordinal, aicc_status_t status);
};

/// Probes the CUDA driver API (hal/cuda): dlopen of libcuda.so.1 (or
/// $AICC_CUDA_LIBRARY), cuInit and one device per GPU.
DriverProbe probeCudaDevices();
/// Probes the HIP runtime (hal/rocm): dlopen of libamdhip64.so (or
/// $AICC_HIP_LIBRARY), one device per GPU.
DriverProbe probeRocmDevices();

} // namespace hal
} // namespace aicc

#endif // AICC_RUNTIME_HAL_HAL_H
