//===- Hal.h - Hardware abstraction layer of the runtime --------*- C++ -*-===//
//
// A driver exposes a Device. The core asks it to load executables (once per
// module, shared by all sessions of that module) and to create a
// DeviceContext per session (thread pool, streams, scratch); the executor
// then issues dispatches through the context. Everything a device needs to
// know about the artifact is passed in plain structs, so drivers do not
// depend on the FlatBuffers schema.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_HAL_H
#define AICC_RUNTIME_HAL_HAL_H

#include "aicc/runtime.h"

#include <cstddef>
#include <cstdint>
#include <memory>
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

/// What a driver needs to load an executable.
struct ExecutableSpec {
  /// Index in the module and name, for messages.
  uint32_t index = 0;
  const char *name = "";
  /// Binary format string of the artifact, e.g. "elf-x86_64".
  const char *format = "";
  /// The binary, inside the module's mapping (valid while loading only).
  const uint8_t *data = nullptr;
  size_t size = 0;
  std::vector<const char *> entryPointNames;
  std::vector<const char *> requiredFeatures;
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
};

/// The CPU driver's device (hal/cpu).
std::unique_ptr<Device> createCpuDevice();

} // namespace hal
} // namespace aicc

#endif // AICC_RUNTIME_HAL_HAL_H
