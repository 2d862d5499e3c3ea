//===- Runtime.h - The runtime object and its devices ----------*- C++ -*-===//

#ifndef AICC_RUNTIME_SRC_RUNTIME_H
#define AICC_RUNTIME_SRC_RUNTIME_H

#include "hal/Hal.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace aicc {

/// Owns the devices; immutable after creation, so it is shared freely.
class Runtime {
public:
  /// Discovers the devices of every driver (CPU, then the GPU drivers,
  /// which load their libraries with dlopen).
  static aicc_status_t create(Runtime **out);
  /// A runtime with exactly the given drivers' devices (tests inject fake
  /// devices this way).
  static Runtime *createWith(std::vector<hal::DriverProbe> drivers);

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release();

  size_t deviceCount() const { return devices_.size(); }
  hal::Device &device(size_t index) const { return *devices_[index]; }

  /// Returns the device called `name`, or for a driver name ("cuda") that
  /// driver's first device, or null.
  hal::Device *findDevice(const char *name) const;

  /// The drivers probed, in order: name, devices found, why none.
  struct Driver {
    std::string name;
    size_t deviceCount = 0;
    std::string error;
  };
  const std::vector<Driver> &drivers() const { return drivers_; }
  /// Why driver `name` has no device ("libcuda.so.1 not found"); empty when
  /// `name` is no driver or it has devices.
  std::string driverError(const char *name) const;

private:
  Runtime() = default;
  void addDriver(hal::DriverProbe probe);

  std::atomic<int> refs_{1};
  std::vector<std::unique_ptr<hal::Device>> devices_;
  std::vector<Driver> drivers_;
};

} // namespace aicc

#endif // AICC_RUNTIME_SRC_RUNTIME_H
