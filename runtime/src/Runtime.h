//===- Runtime.h - The runtime object and its devices ----------*- C++ -*-===//

#ifndef AICC_RUNTIME_SRC_RUNTIME_H
#define AICC_RUNTIME_SRC_RUNTIME_H

#include "hal/Hal.h"

#include <atomic>
#include <memory>
#include <vector>

namespace aicc {

/// Owns the devices; immutable after creation, so it is shared freely.
class Runtime {
public:
  static aicc_status_t create(Runtime **out);

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release();

  size_t deviceCount() const { return devices_.size(); }
  hal::Device &device(size_t index) const { return *devices_[index]; }

  /// Returns the device called `name`, or null.
  hal::Device *findDevice(const char *name) const;

private:
  Runtime() = default;

  std::atomic<int> refs_{1};
  std::vector<std::unique_ptr<hal::Device>> devices_;
};

} // namespace aicc

#endif // AICC_RUNTIME_SRC_RUNTIME_H
