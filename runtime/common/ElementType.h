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

#include <cstddef>
#include <cstdint>
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
