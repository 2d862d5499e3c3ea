//===- PerfMap.cpp - perf map files for kernels loaded from memory --------===//
//
// Reads the symbol table from the bytes the library was loaded from, not from
// the mapped image: section headers are not part of any loaded segment.
// Every offset is checked against the buffer before use; a malformed table
// writes nothing.
//
//===----------------------------------------------------------------------===//

#include "hal/cpu/PerfMap.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <mutex>
#include <unistd.h>

using namespace aicc;

bool cpu::perfMapEnabled() {
  const char *value = std::getenv("AICC_PERF_MAP");
  return value && *value && std::strcmp(value, "0") != 0;
}

std::string cpu::perfMapPath() {
  return "/tmp/perf-" + std::to_string(::getpid()) + ".map";
}

/// Whether [offset, offset + count * size) lies within `total` bytes.
static bool fits(uint64_t offset, uint64_t count, uint64_t size,
                 uint64_t total) {
  if (size && count > total / size)
    return false;
  return offset <= total && count * size <= total - offset;
}

int cpu::appendPerfMap(const uint8_t *data, size_t size, void *handle) {
  link_map *map = nullptr;
  if (::dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || !map)
    return -1;
  uintptr_t base = map->l_addr;

  Elf64_Ehdr header;
  if (size < sizeof(header))
    return -1;
  std::memcpy(&header, data, sizeof(header));
  if (header.e_shentsize != sizeof(Elf64_Shdr) ||
      !fits(header.e_shoff, header.e_shnum, sizeof(Elf64_Shdr), size))
    return -1;
  auto section = [&](uint32_t index) {
    Elf64_Shdr shdr;
    std::memcpy(&shdr, data + header.e_shoff + index * sizeof(Elf64_Shdr),
                sizeof(shdr));
    return shdr;
  };
  // Prefer the full symbol table (static functions such as Halide's
  // per-stage closures) to the dynamic one.
  int symtab = -1;
  for (uint32_t i = 0; i < header.e_shnum; ++i) {
    uint32_t type = section(i).sh_type;
    if (type == SHT_SYMTAB || (type == SHT_DYNSYM && symtab < 0))
      symtab = static_cast<int>(i);
  }
  if (symtab < 0)
    return -1;
  Elf64_Shdr symbols = section(static_cast<uint32_t>(symtab));
  if (symbols.sh_link >= header.e_shnum)
    return -1;
  Elf64_Shdr strings = section(symbols.sh_link);
  uint64_t count = symbols.sh_size / sizeof(Elf64_Sym);
  if (!fits(symbols.sh_offset, count, sizeof(Elf64_Sym), size) ||
      !fits(strings.sh_offset, strings.sh_size, 1, size))
    return -1;
  const char *names = reinterpret_cast<const char *>(data + strings.sh_offset);

  std::string text;
  int lines = 0;
  for (uint64_t i = 0; i < count; ++i) {
    Elf64_Sym symbol;
    std::memcpy(&symbol, data + symbols.sh_offset + i * sizeof(Elf64_Sym),
                sizeof(symbol));
    if (ELF64_ST_TYPE(symbol.st_info) != STT_FUNC ||
        symbol.st_shndx == SHN_UNDEF || symbol.st_size == 0 ||
        symbol.st_name >= strings.sh_size)
      continue;
    const char *name = names + symbol.st_name;
    size_t length = strnlen(name, strings.sh_size - symbol.st_name);
    if (length == 0 || length == strings.sh_size - symbol.st_name)
      continue; // Empty, or not terminated inside the table.
    char prefix[64];
    std::snprintf(prefix, sizeof(prefix), "%llx %llx aicc:",
                  (unsigned long long)(base + symbol.st_value),
                  (unsigned long long)symbol.st_size);
    text += prefix;
    text.append(name, length);
    text += '\n';
    ++lines;
  }

  // Sessions may load modules from several threads; keep lines whole.
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  int fd = ::open(perfMapPath().c_str(),
                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  const char *next = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t written = ::write(fd, next, left);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0) {
      ::close(fd);
      return -1;
    }
    next += written;
    left -= static_cast<size_t>(written);
  }
  ::close(fd);
  return lines;
}
