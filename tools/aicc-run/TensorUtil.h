//===- TensorUtil.h - Element conversions for aicc-run ----------*- C++ -*-===//
//
// aicc-run prints, randomizes and compares tensors of every element type the
// runtime supports; these helpers convert single elements to and from double
// (including the 16-bit float formats, which C++17 has no type for).
//
//===----------------------------------------------------------------------===//

#ifndef AICC_TOOLS_AICC_RUN_TENSORUTIL_H
#define AICC_TOOLS_AICC_RUN_TENSORUTIL_H

#include "aicc/runtime.h"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace aicc {
namespace tool {

/// IEEE binary16 <-> float, round to nearest even.
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
/// bfloat16 <-> float, round to nearest even.
float bf16ToFloat(uint16_t bits);
uint16_t floatToBf16(float value);

/// Reads element `index` of a buffer of `type` as a double.
double loadElement(aicc_element_type_t type, const void *data, size_t index);

/// Fills `count` elements of `type` at `data` with reproducible values:
/// floats uniform in [-1, 1), signed integers in [-8, 8], unsigned in
/// [0, 16], bools 0 or 1.
void fillRandom(aicc_element_type_t type, void *data, size_t count,
                std::mt19937_64 &rng);

/// The first `limit` elements, "[1, 2, 3, ...]".
std::string previewElements(aicc_element_type_t type, const void *data,
                            size_t count, size_t limit = 8);

/// Result of comparing an actual tensor with an expected one.
struct Comparison {
  double maxAbsError = 0;
  double maxRelError = 0;
  size_t mismatches = 0;
  /// First element out of tolerance (valid if mismatches > 0).
  size_t firstMismatch = 0;
};

/// Compares like numpy.isclose: |actual - expected| <= atol + rtol *
/// |expected|, with NaN equal only to NaN and infinities only to themselves.
Comparison compare(aicc_element_type_t type, const void *actual,
                   const void *expected, size_t count, double rtol,
                   double atol);

} // namespace tool
} // namespace aicc

#endif // AICC_TOOLS_AICC_RUN_TENSORUTIL_H
