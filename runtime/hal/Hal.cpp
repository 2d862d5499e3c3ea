//===- Hal.cpp - Host-memory defaults of the device interface -------------===//
//
// Devices without memory of their own (the CPU) inherit these: "device
// memory" is host memory, a copy is a memmove and there are no timestamps.
//
//===----------------------------------------------------------------------===//

#include "hal/Hal.h"

#include "src/Status.h"

#include <cstdlib>
#include <cstring>

using namespace aicc;
using namespace aicc::hal;

aicc_status_t DeviceContext::copy(CopyKind, void *target, const void *source,
                                  uint64_t bytes) {
  std::memmove(target, source, bytes);
  return nullptr;
}

aicc_status_t DeviceContext::zero(void *target, uint64_t bytes) {
  std::memset(target, 0, bytes);
  return nullptr;
}

static aicc_status_t noTimestamps() {
  return makeStatus(AICC_STATUS_UNSUPPORTED,
                    "this device has no timestamps (it runs synchronously)");
}

aicc_status_t DeviceContext::prepareTimestamps(size_t) {
  return noTimestamps();
}
aicc_status_t DeviceContext::recordTimestamp(size_t) { return noTimestamps(); }
aicc_status_t DeviceContext::elapsedNs(size_t, size_t, uint64_t *) {
  return noTimestamps();
}

aicc_status_t Device::allocate(uint64_t bytes, void **out) {
  uint64_t rounded = (bytes + 255) & ~uint64_t(255);
  void *memory = rounded >= bytes ? std::aligned_alloc(256, rounded) : nullptr;
  if (!memory)
    return makeStatus(AICC_STATUS_OUT_OF_MEMORY,
                      "cannot allocate %llu bytes of host memory",
                      (unsigned long long)bytes);
  *out = memory;
  return nullptr;
}

void Device::deallocate(void *address) { std::free(address); }

aicc_status_t Device::upload(void *target, const void *source, uint64_t bytes) {
  std::memcpy(target, source, bytes);
  return nullptr;
}

void DriverProbe::setError(aicc_status_t status) {
  error = aicc_status_message(status);
  std::string prefix = std::string(name) + ": ";
  if (error.compare(0, prefix.size(), prefix) == 0)
    error.erase(0, prefix.size());
  aicc_status_free(status);
}

void DriverProbe::addDeviceError(int ordinal, aicc_status_t status) {
  std::string message = aicc_status_message(status);
  aicc_status_free(status);
  error += (error.empty() ? "" : "; ") + std::string("GPU ") +
           std::to_string(ordinal) + ": " + message;
}
