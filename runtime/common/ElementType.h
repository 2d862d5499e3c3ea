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
    return 1;
  default:
    return 0;
  }
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
