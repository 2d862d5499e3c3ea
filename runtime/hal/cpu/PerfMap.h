//===- PerfMap.h - perf map files for kernels loaded from memory -*- C++
//-*-===//
//
// Kernel libraries are loaded from a memfd (ElfLoader.h), so `perf report`
// cannot find their symbols and shows bare addresses. perf reads
// /tmp/perf-<pid>.map, lines of "START SIZE name" in hex, for code it cannot
// attribute otherwise; with AICC_PERF_MAP=1 in the environment the CPU
// driver appends one line per function symbol of every library it loads
// (entry points are named after their kernel, `k<N>_<ONNX node>`, so the
// report names the ONNX node).
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_CPU_PERFMAP_H
#define AICC_RUNTIME_HAL_CPU_PERFMAP_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace aicc {
namespace cpu {

/// Whether AICC_PERF_MAP is set to something other than "" or "0".
bool perfMapEnabled();

/// Path of this process's perf map: /tmp/perf-<pid>.map.
std::string perfMapPath();

/// Appends a line per defined function symbol of the ELF shared object in
/// `size` bytes at `data` (its .symtab, or .dynsym when stripped), which the
/// dynamic loader loaded as `handle`. Names are "aicc:<symbol>". Returns
/// the number of lines written, or -1 when the image cannot be read or the
/// file cannot be written: the map is a debugging aid, so failures never
/// fail a load.
int appendPerfMap(const uint8_t *data, size_t size, void *handle);

} // namespace cpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_CPU_PERFMAP_H
