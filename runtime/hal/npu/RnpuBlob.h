//===- RnpuBlob.h - The "rnpu-1.0" executable format ------------*- C++ -*-===//
//
// What the npu compiler target stores as one executable of the artifact
// (format string "rnpu-1.0") and the npu device loads: the hardware
// parameters the code was compiled for and one command stream per entry
// point, with the size and writability of every DRAM binding the stream
// uses. Decoding validates everything once at load time (config, every
// instruction, every DRAM access against the declared binding sizes), so a
// dispatch with buffers at least that large cannot go out of bounds.
//
// Layout (little endian, byte-packed):
//   u32 magic "RNPX" | u16 ABI major (1) | u16 ABI minor (0)
//   u32 number of config values (15) | u32 values, in docs/RNPU.md's
//     parameter table order (mac_rows ... clock_mhz)
//   u32 entry count, then per entry:
//     u32 name length | name bytes | u32 binding count (<= 256)
//     per binding: u64 size in bytes | u8 writable (0 or 1)
//     u64 command stream length | command stream (docs/RNPU.md)
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_NPU_RNPUBLOB_H
#define AICC_RUNTIME_HAL_NPU_RNPUBLOB_H

#include "hal/npu/RnpuConfig.h"
#include "hal/npu/RnpuIsa.h"

#include <string>
#include <vector>

namespace aicc {
namespace rnpu {

constexpr const char *kBlobFormat = "rnpu-1.0";
constexpr uint32_t kBlobMagic = 0x58504e52; // "RNPX"
constexpr uint16_t kBlobAbiMajor = 1;
constexpr uint16_t kBlobAbiMinor = 0;

struct RnpuEntry {
  std::string name;
  std::vector<uint64_t> bindingSizes;
  std::vector<bool> bindingWritable;
  std::vector<Instruction> program;
};

struct RnpuBlob {
  RnpuConfig config;
  std::vector<RnpuEntry> entries;
};

/// Serializes `blob` (programs encoded with encodeProgram). No validation.
std::vector<uint8_t> encodeBlob(const RnpuBlob &blob);
/// Parses and validates a blob.
Status decodeBlob(const uint8_t *data, size_t size, RnpuBlob *out);

} // namespace rnpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_NPU_RNPUBLOB_H
