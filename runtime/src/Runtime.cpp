//===- Runtime.cpp - The runtime object and its devices -------------------===//

#include "src/Runtime.h"

#include "hal/npu/NpuDevice.h"

#include <cstring>
#include <new>

using namespace aicc;

aicc_status_t Runtime::create(Runtime **out) {
  std::vector<hal::DriverProbe> drivers;
  // The CPU is always there and listed first; the GPU drivers add a device
  // per GPU they find, or say why they found none.
  hal::DriverProbe cpu;
  cpu.name = "cpu";
  cpu.devices.push_back(hal::createCpuDevice());
  drivers.push_back(std::move(cpu));
  drivers.push_back(hal::probeCudaDevices());
  drivers.push_back(hal::probeRocmDevices());
  // The RNPU simulator (docs/RNPU.md) is always present; the host CPU runs
  // the CPU part of a partitioned module (--target=npu,avx512) with it.
  hal::DriverProbe npu;
  npu.name = "npu";
  npu.devices.push_back(hal::createNpuDevice(hal::createCpuDevice()));
  drivers.push_back(std::move(npu));
  *out = createWith(std::move(drivers));
  return nullptr;
}

Runtime *Runtime::createWith(std::vector<hal::DriverProbe> drivers) {
  Runtime *runtime = new Runtime();
  for (hal::DriverProbe &probe : drivers)
    runtime->addDriver(std::move(probe));
  return runtime;
}

void Runtime::addDriver(hal::DriverProbe probe) {
  Driver driver;
  driver.name = probe.name;
  driver.deviceCount = probe.devices.size();
  driver.error = probe.error;
  if (driver.deviceCount == 0 && driver.error.empty())
    driver.error = "no device found";
  if (driver.deviceCount)
    driver.error.clear();
  for (auto &device : probe.devices)
    devices_.push_back(std::move(device));
  drivers_.push_back(std::move(driver));
}

void Runtime::release() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete this;
}

hal::Device *Runtime::findDevice(const char *name) const {
  for (const auto &device : devices_)
    if (std::strcmp(device->info().name, name) == 0)
      return device.get();
  // A kind name ("cuda") selects the first device of that kind ("cuda:0").
  for (const auto &device : devices_)
    if (std::strcmp(aicc_device_kind_name(device->info().kind), name) == 0)
      return device.get();
  return nullptr;
}

std::string Runtime::driverError(const char *name) const {
  for (const Driver &driver : drivers_)
    if (driver.name == name)
      return driver.error;
  return std::string();
}
