//===- Npy.h - Reading and writing NumPy .npy files ------------*- C++ -*-===//
//
// The .npy format (numpy.lib.format): a magic string, a version, a Python
// dict literal describing dtype, memory order and shape, then the raw data.
// Versions 1.0, 2.0 (4-byte header length) and 3.0 (UTF-8 header) are read;
// files are written as 1.0, or 2.0 when the header needs it. Only what the
// runtime can consume is accepted: little-endian, C order, plain numeric and
// bool dtypes; anything else is an error that says what to change.
//
// This is tool code (aicc-run, tests), not part of libaicc_runtime.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_UTIL_NPY_H
#define AICC_RUNTIME_UTIL_NPY_H

#include "aicc/runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace aicc {
namespace npy {

/// A dense, C-order, little-endian array.
struct Array {
  aicc_element_type_t elementType = AICC_ELEMENT_TYPE_UNKNOWN;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  /// Product of the dimensions (1 for a scalar).
  uint64_t elementCount() const;
};

/// Size in bytes of one element (0 for UNKNOWN); aicc::elementTypeSize, the
/// table aicc_element_type_size() also returns.
size_t elementSize(aicc_element_type_t type);

/// The .npy dtype string written for `type`, e.g. "<f4", "|b1"; "" if the
/// format has no such dtype (bf16). The one-byte float8/float4 types are
/// written as "|u1" (their bit patterns, as ml_dtypes arrays viewed as
/// uint8), I4/I2 as "|i1" and U4/U2 as "|u1".
const char *dtypeDescr(aicc_element_type_t type);

/// NumPy has no float8/float4/int4/int2 dtypes (ml_dtypes' are not in the
/// .npy format): such tensors travel one byte per element. When `type` is
/// one of them and `array` holds "|u1" bytes (float8/float4 bit patterns,
/// U4/U2) or "|i1"/"|u1" values (I4/I2), checks every value against the
/// type's range and makes `array` a `type` array. Returns false, with
/// `*error` naming the first element out of range (an int4 holding 100),
/// never wrapping it; any other array or type is left as it is (true).
bool adoptNarrowType(Array *array, aicc_element_type_t type,
                     std::string *error);

/// Parses a whole .npy file held in memory. On failure returns false and
/// sets `*error` to a message that does not name the file.
bool parse(const uint8_t *bytes, size_t size, Array *out, std::string *error);

/// Reads and parses `path`; messages start with the path. `path` must be a
/// regular file (not a directory, device or FIFO). The header is read first
/// and the data size it declares is checked against the file size and
/// against `maxDataBytes` before the data is allocated or read, so a hostile
/// file cannot make the reader allocate more than the file holds.
bool readFile(const std::string &path, Array *out, std::string *error,
              uint64_t maxDataBytes = UINT64_MAX);

/// Returns the .npy encoding of `array` (version 1.0 unless the header is too
/// long, then 2.0); empty if `array` cannot be written (bf16, inconsistent
/// data size), with `*error` set.
std::vector<uint8_t> serialize(const Array &array, std::string *error);

/// serialize() and write to `path`.
bool writeFile(const std::string &path, const Array &array, std::string *error);

} // namespace npy
} // namespace aicc

#endif // AICC_RUNTIME_UTIL_NPY_H
