//===- RnpuBlob.cpp - The "rnpu-1.0" executable format --------------------===//

#include "hal/npu/RnpuBlob.h"

#include "hal/npu/RnpuSim.h"

namespace aicc {
namespace rnpu {

namespace {

/// The config fields in docs/RNPU.md's table order.
std::vector<uint32_t *> configFields(RnpuConfig &c) {
  return {&c.macRows,          &c.macCols,         &c.actSramBytes,
          &c.wgtSramBytes,     &c.accSramBytes,    &c.actSramBanks,
          &c.wgtSramBanks,     &c.accSramBanks,    &c.dramBytesPerCycle,
          &c.dmaLatencyCycles, &c.gemmSetupCycles, &c.vecLanes,
          &c.vecSetupCycles,   &c.numSemaphores,   &c.clockMhz};
}

struct Writer {
  std::vector<uint8_t> out;
  void u8(uint8_t v) { out.push_back(v); }
  void u16(uint16_t v) {
    for (int i = 0; i < 2; ++i)
      out.push_back(uint8_t(v >> (8 * i)));
  }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i)
      out.push_back(uint8_t(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i)
      out.push_back(uint8_t(v >> (8 * i)));
  }
  void bytes(const uint8_t *p, size_t n) { out.insert(out.end(), p, p + n); }
};

/// A bounds-checked cursor: reads past the end set `overrun`.
struct Reader {
  const uint8_t *data;
  size_t size, pos = 0;
  bool overrun = false;
  bool have(uint64_t n) {
    if (overrun || n > size - pos) {
      overrun = true;
      return false;
    }
    return true;
  }
  uint64_t le(int bytes) {
    if (!have(uint64_t(bytes)))
      return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= uint64_t(data[pos + i]) << (8 * i);
    pos += size_t(bytes);
    return v;
  }
  const uint8_t *take(uint64_t n) {
    if (!have(n))
      return nullptr;
    const uint8_t *p = data + pos;
    pos += size_t(n);
    return p;
  }
};

} // namespace

std::vector<uint8_t> encodeBlob(const RnpuBlob &blob) {
  Writer w;
  w.u32(kBlobMagic);
  w.u16(kBlobAbiMajor);
  w.u16(kBlobAbiMinor);
  RnpuConfig config = blob.config;
  std::vector<uint32_t *> fields = configFields(config);
  w.u32(uint32_t(fields.size()));
  for (uint32_t *f : fields)
    w.u32(*f);
  w.u32(uint32_t(blob.entries.size()));
  for (const RnpuEntry &e : blob.entries) {
    w.u32(uint32_t(e.name.size()));
    w.bytes(reinterpret_cast<const uint8_t *>(e.name.data()), e.name.size());
    w.u32(uint32_t(e.bindingSizes.size()));
    for (size_t i = 0; i < e.bindingSizes.size(); ++i) {
      w.u64(e.bindingSizes[i]);
      w.u8(i < e.bindingWritable.size() && e.bindingWritable[i] ? 1 : 0);
    }
    std::vector<uint8_t> stream = encodeProgram(e.program);
    w.u64(stream.size());
    w.bytes(stream.data(), stream.size());
  }
  return w.out;
}

Status decodeBlob(const uint8_t *data, size_t size, RnpuBlob *out) {
  *out = RnpuBlob();
  if (!data)
    return Status::error("rnpu blob: empty");
  Reader r{data, size};
  if (r.le(4) != kBlobMagic)
    return Status::error("rnpu blob: bad magic (not an " +
                         std::string(kBlobFormat) + " executable)");
  uint64_t major = r.le(2), minor = r.le(2);
  if (major != kBlobAbiMajor || minor > kBlobAbiMinor)
    return Status::error("rnpu blob: ABI version " + std::to_string(major) +
                         "." + std::to_string(minor) +
                         " is not supported (this runtime implements " +
                         std::to_string(kBlobAbiMajor) + "." +
                         std::to_string(kBlobAbiMinor) + ")");
  RnpuBlob blob;
  std::vector<uint32_t *> fields = configFields(blob.config);
  if (r.le(4) != fields.size())
    return Status::error("rnpu blob: expected " +
                         std::to_string(fields.size()) + " config values");
  for (uint32_t *f : fields)
    *f = uint32_t(r.le(4));
  if (r.overrun)
    return Status::error("rnpu blob: truncated");
  if (std::string why = blob.config.validate(); !why.empty())
    return Status::error("rnpu blob: configuration: " + why);
  uint64_t entries = r.le(4);
  for (uint64_t i = 0; i < entries && !r.overrun; ++i) {
    RnpuEntry e;
    uint64_t nameLength = r.le(4);
    const uint8_t *name = r.take(nameLength);
    if (!name)
      break;
    e.name.assign(reinterpret_cast<const char *>(name), size_t(nameLength));
    std::string pre = "rnpu blob: entry '" + e.name + "': ";
    uint64_t bindings = r.le(4);
    if (bindings > 256)
      return Status::error(pre + std::to_string(bindings) +
                           " bindings (at most 256)");
    for (uint64_t b = 0; b < bindings; ++b) {
      e.bindingSizes.push_back(r.le(8));
      uint64_t writable = r.le(1);
      if (writable > 1)
        return Status::error(pre + "bad writable flag");
      e.bindingWritable.push_back(writable == 1);
    }
    uint64_t streamLength = r.le(8);
    const uint8_t *stream = r.take(streamLength);
    if (!stream)
      break;
    Status s = decodeProgram(stream, size_t(streamLength), &e.program);
    if (!s.ok())
      return Status::error(pre + s.message);
    // Every instruction and DRAM access, against the declared bindings.
    for (size_t k = 0; k < e.program.size(); ++k) {
      const Instruction &inst = e.program[k];
      if ((s = validateInstruction(inst, blob.config, k)).ok() &&
          (inst.opcode == Opcode::DmaLoad || inst.opcode == Opcode::DmaStore))
        s = checkDmaAgainstBindings(inst, k, e.bindingSizes, e.bindingWritable);
      if (!s.ok())
        return Status::error(pre + s.message);
    }
    blob.entries.push_back(std::move(e));
  }
  if (r.overrun)
    return Status::error("rnpu blob: truncated");
  if (r.pos != size)
    return Status::error("rnpu blob: " + std::to_string(size - r.pos) +
                         " bytes after the last entry");
  *out = std::move(blob);
  return Status::success();
}

} // namespace rnpu
} // namespace aicc
