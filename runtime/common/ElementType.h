//===- ElementType.h - Element sizes and tensor descriptions ----*- C++ -*-===//
//
// Header-only helpers about aicc_element_type_t shared by the runtime (the C
// API, session argument checks), its .npy library and aicc-run, so that the
// size table and the "f32[2,3]" spelling exist once. Like everything under
// runtime/, no LLVM, MLIR or Halide.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_COMMON_ELEMENTTYPE_H
#define AICC_RUNTIME_COMMON_ELEMENTTYPE_H

#include "aicc/runtime.h"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace aicc {

/// Size in bytes of one element of `type` (0 for UNKNOWN and anything the
/// runtime does not know). aicc_element_type_size() returns this.
inline size_t elementTypeSize(aicc_element_type_t type) {
  switch (type) {
  case AICC_ELEMENT_TYPE_F64:
  case AICC_ELEMENT_TYPE_I64:
  case AICC_ELEMENT_TYPE_U64:
    return 8;
  case AICC_ELEMENT_TYPE_F32:
  case AICC_ELEMENT_TYPE_I32:
  case AICC_ELEMENT_TYPE_U32:
    return 4;
  case AICC_ELEMENT_TYPE_F16:
  case AICC_ELEMENT_TYPE_BF16:
  case AICC_ELEMENT_TYPE_I16:
  case AICC_ELEMENT_TYPE_U16:
    return 2;
  case AICC_ELEMENT_TYPE_I8:
  case AICC_ELEMENT_TYPE_U8:
  case AICC_ELEMENT_TYPE_BOOL:
  case AICC_ELEMENT_TYPE_F8E4M3FN:
  case AICC_ELEMENT_TYPE_F8E4M3FNUZ:
  case AICC_ELEMENT_TYPE_F8E5M2:
  case AICC_ELEMENT_TYPE_F8E5M2FNUZ:
  case AICC_ELEMENT_TYPE_F8E8M0FNU:
  case AICC_ELEMENT_TYPE_F4E2M1FN:
  case AICC_ELEMENT_TYPE_I4:
  case AICC_ELEMENT_TYPE_U4:
  case AICC_ELEMENT_TYPE_I2:
  case AICC_ELEMENT_TYPE_U2:
    return 1;
  default:
    return 0;
  }
}

/// Short name of `type` ("f32", "i64", "bool", "f8e4m3fn", "i4", ...;
/// "unknown"). aicc_element_type_name() returns this.
inline const char *elementTypeName(aicc_element_type_t type) {
  switch (type) {
  case AICC_ELEMENT_TYPE_F32:
    return "f32";
  case AICC_ELEMENT_TYPE_F64:
    return "f64";
  case AICC_ELEMENT_TYPE_F16:
    return "f16";
  case AICC_ELEMENT_TYPE_BF16:
    return "bf16";
  case AICC_ELEMENT_TYPE_I8:
    return "i8";
  case AICC_ELEMENT_TYPE_I16:
    return "i16";
  case AICC_ELEMENT_TYPE_I32:
    return "i32";
  case AICC_ELEMENT_TYPE_I64:
    return "i64";
  case AICC_ELEMENT_TYPE_U8:
    return "u8";
  case AICC_ELEMENT_TYPE_U16:
    return "u16";
  case AICC_ELEMENT_TYPE_U32:
    return "u32";
  case AICC_ELEMENT_TYPE_U64:
    return "u64";
  case AICC_ELEMENT_TYPE_BOOL:
    return "bool";
  case AICC_ELEMENT_TYPE_F8E4M3FN:
    return "f8e4m3fn";
  case AICC_ELEMENT_TYPE_F8E4M3FNUZ:
    return "f8e4m3fnuz";
  case AICC_ELEMENT_TYPE_F8E5M2:
    return "f8e5m2";
  case AICC_ELEMENT_TYPE_F8E5M2FNUZ:
    return "f8e5m2fnuz";
  case AICC_ELEMENT_TYPE_F8E8M0FNU:
    return "f8e8m0fnu";
  case AICC_ELEMENT_TYPE_F4E2M1FN:
    return "f4e2m1fn";
  case AICC_ELEMENT_TYPE_I4:
    return "i4";
  case AICC_ELEMENT_TYPE_U4:
    return "u4";
  case AICC_ELEMENT_TYPE_I2:
    return "i2";
  case AICC_ELEMENT_TYPE_U2:
    return "u2";
  default:
    return "unknown";
  }
}

/// The range of the values of a 4- or 2-bit integer type, stored one per
/// byte; false for every other type (any byte value is valid there).
inline bool narrowIntRange(aicc_element_type_t type, int *lo, int *hi) {
  switch (type) {
  case AICC_ELEMENT_TYPE_I4:
    *lo = -8, *hi = 7;
    return true;
  case AICC_ELEMENT_TYPE_U4:
    *lo = 0, *hi = 15;
    return true;
  case AICC_ELEMENT_TYPE_I2:
    *lo = -2, *hi = 1;
    return true;
  case AICC_ELEMENT_TYPE_U2:
    *lo = 0, *hi = 3;
    return true;
  default:
    return false;
  }
}

/// True for the float8/float4 types, whose bytes are bit patterns.
inline bool isNarrowFloatType(aicc_element_type_t type) {
  return type >= AICC_ELEMENT_TYPE_F8E4M3FN &&
         type <= AICC_ELEMENT_TYPE_F4E2M1FN;
}

/// The value of the float8/float4 bit pattern `bits` of `type` (exact; NaN
/// for the types' NaN encodings, 0 for any other type).
inline double narrowFloatValue(aicc_element_type_t type, uint8_t bits) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (type == AICC_ELEMENT_TYPE_F8E8M0FNU)
    return bits == 0xff ? nan : std::ldexp(1.0, int(bits) - 127);
  int expBits, manBits, bias;
  switch (type) {
  case AICC_ELEMENT_TYPE_F8E4M3FN:
    expBits = 4, manBits = 3, bias = 7;
    break;
  case AICC_ELEMENT_TYPE_F8E4M3FNUZ:
    expBits = 4, manBits = 3, bias = 8;
    break;
  case AICC_ELEMENT_TYPE_F8E5M2:
    expBits = 5, manBits = 2, bias = 15;
    break;
  case AICC_ELEMENT_TYPE_F8E5M2FNUZ:
    expBits = 5, manBits = 2, bias = 16;
    break;
  case AICC_ELEMENT_TYPE_F4E2M1FN:
    expBits = 2, manBits = 1, bias = 1;
    bits &= 0xf;
    break;
  default:
    return 0;
  }
  int width = 1 + expBits + manBits;
  bool negative = (bits >> (width - 1)) & 1;
  int exp = (bits >> manBits) & ((1 << expBits) - 1);
  int man = bits & ((1 << manBits) - 1);
  bool fnuz = type == AICC_ELEMENT_TYPE_F8E4M3FNUZ ||
              type == AICC_ELEMENT_TYPE_F8E5M2FNUZ;
  if (fnuz && bits == 0x80)
    return nan;
  if (type == AICC_ELEMENT_TYPE_F8E4M3FN && (bits & 0x7f) == 0x7f)
    return nan;
  if (type == AICC_ELEMENT_TYPE_F8E5M2 && exp == 31)
    return man ? nan
               : (negative ? -std::numeric_limits<double>::infinity()
                           : std::numeric_limits<double>::infinity());
  double value = exp == 0
                     ? std::ldexp(man, 1 - bias - manBits)
                     : std::ldexp((1 << manBits) + man, exp - bias - manBits);
  return negative ? -value : value;
}

/// A tensor's type as messages print it: "f32[2,3]", "i64[]" for a scalar.
inline std::string describeTensor(aicc_element_type_t type, size_t rank,
                                  const int64_t *dims) {
  std::string text = aicc_element_type_name(type);
  text += "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      text += ",";
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

} // namespace aicc

#endif // AICC_RUNTIME_COMMON_ELEMENTTYPE_H
