//===- Runtime.cpp - The runtime object and its devices -------------------===//

#include "src/Runtime.h"

#include <cstring>

using namespace aicc;

aicc_status_t Runtime::create(Runtime **out) {
  Runtime *runtime = new Runtime();
  // The CPU is always there; GPU and NPU drivers will probe here (dlopen of
  // their user-mode libraries) and add a device only when one is present.
  runtime->devices_.push_back(hal::createCpuDevice());
  *out = runtime;
  return nullptr;
}

void Runtime::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete this;
}

hal::Device *Runtime::findDevice(const char *name) const {
  for (const auto &device : devices_)
    if (std::strcmp(device->info().name, name) == 0)
      return device.get();
  return nullptr;
}
