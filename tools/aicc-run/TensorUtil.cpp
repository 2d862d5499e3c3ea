//===- TensorUtil.cpp - Element conversions for aicc-run ------------------===//

#include "TensorUtil.h"

#include "ElementType.h"

#include <cmath>
#include <cstdio>
#include <cstring>

using namespace aicc;
using namespace aicc::tool;

float tool::halfToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  uint32_t result;
  if (exponent == 0x1f) {
    result = sign | 0x7f800000 | (mantissa << 13); // Inf or NaN.
  } else if (exponent != 0) {
    result = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    result = sign;
  } else {
    // Subnormal: value = mantissa * 2^-24, exact in float.
    float value = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -value : value;
  }
  float value;
  std::memcpy(&value, &result, 4);
  return value;
}

uint16_t tool::floatToHalf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) // Inf or NaN (keep NaN quiet and non-zero).
    return sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0);
  if (abs >= 0x477ff000) // Rounds to >= 65520: overflow to infinity.
    return sign | 0x7c00;
  if (abs < 0x38800000) { // Below the smallest normal half: subnormal or 0.
    float magnitude;
    std::memcpy(&magnitude, &abs, 4);
    // Scale so that one half ulp (2^-24) becomes 1, then round to even.
    float scaled = magnitude * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  uint32_t rounded = abs + 0xfff + ((abs >> 13) & 1); // Round to nearest even.
  return sign | static_cast<uint16_t>((rounded - (112u << 23)) >> 13);
}

float tool::bf16ToFloat(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &wide, 4);
  return value;
}

uint16_t tool::floatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffff) > 0x7f800000)
    return static_cast<uint16_t>((bits >> 16) | 0x40); // Quiet NaN.
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

template <typename T> static T loadAs(const void *data, size_t index) {
  T value;
  std::memcpy(&value, static_cast<const uint8_t *>(data) + index * sizeof(T),
              sizeof(T));
  return value;
}

template <typename T> static void storeAs(void *data, size_t index, T value) {
  std::memcpy(static_cast<uint8_t *>(data) + index * sizeof(T), &value,
              sizeof(T));
}

double tool::loadElement(aicc_element_type_t type, const void *data,
                         size_t index) {
  switch (type) {
  case AICC_ELEMENT_TYPE_F32:
    return loadAs<float>(data, index);
  case AICC_ELEMENT_TYPE_F64:
    return loadAs<double>(data, index);
  case AICC_ELEMENT_TYPE_F16:
    return halfToFloat(loadAs<uint16_t>(data, index));
  case AICC_ELEMENT_TYPE_BF16:
    return bf16ToFloat(loadAs<uint16_t>(data, index));
  case AICC_ELEMENT_TYPE_I8:
    return loadAs<int8_t>(data, index);
  case AICC_ELEMENT_TYPE_I16:
    return loadAs<int16_t>(data, index);
  case AICC_ELEMENT_TYPE_I32:
    return loadAs<int32_t>(data, index);
  case AICC_ELEMENT_TYPE_I64:
    return static_cast<double>(loadAs<int64_t>(data, index));
  case AICC_ELEMENT_TYPE_U8:
    return loadAs<uint8_t>(data, index);
  case AICC_ELEMENT_TYPE_U16:
    return loadAs<uint16_t>(data, index);
  case AICC_ELEMENT_TYPE_U32:
    return loadAs<uint32_t>(data, index);
  case AICC_ELEMENT_TYPE_U64:
    return static_cast<double>(loadAs<uint64_t>(data, index));
  case AICC_ELEMENT_TYPE_BOOL:
    return loadAs<uint8_t>(data, index) != 0 ? 1.0 : 0.0;
  case AICC_ELEMENT_TYPE_I4:
  case AICC_ELEMENT_TYPE_I2:
    return loadAs<int8_t>(data, index);
  case AICC_ELEMENT_TYPE_U4:
  case AICC_ELEMENT_TYPE_U2:
    return loadAs<uint8_t>(data, index);
  case AICC_ELEMENT_TYPE_F8E4M3FN:
  case AICC_ELEMENT_TYPE_F8E4M3FNUZ:
  case AICC_ELEMENT_TYPE_F8E5M2:
  case AICC_ELEMENT_TYPE_F8E5M2FNUZ:
  case AICC_ELEMENT_TYPE_F8E8M0FNU:
  case AICC_ELEMENT_TYPE_F4E2M1FN:
    return narrowFloatValue(type, loadAs<uint8_t>(data, index));
  default:
    return 0;
  }
}

void tool::fillRandom(aicc_element_type_t type, void *data, size_t count,
                      std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> signedInt(-8, 8);
  std::uniform_int_distribution<int> unsignedInt(0, 16);
  std::uniform_int_distribution<int> boolean(0, 1);
  for (size_t i = 0; i < count; ++i) {
    switch (type) {
    case AICC_ELEMENT_TYPE_F32:
      storeAs<float>(data, i, static_cast<float>(real(rng)));
      break;
    case AICC_ELEMENT_TYPE_F64:
      storeAs<double>(data, i, real(rng));
      break;
    case AICC_ELEMENT_TYPE_F16:
      storeAs<uint16_t>(data, i, floatToHalf(static_cast<float>(real(rng))));
      break;
    case AICC_ELEMENT_TYPE_BF16:
      storeAs<uint16_t>(data, i, floatToBf16(static_cast<float>(real(rng))));
      break;
    case AICC_ELEMENT_TYPE_I8:
      storeAs<int8_t>(data, i, static_cast<int8_t>(signedInt(rng)));
      break;
    case AICC_ELEMENT_TYPE_I16:
      storeAs<int16_t>(data, i, static_cast<int16_t>(signedInt(rng)));
      break;
    case AICC_ELEMENT_TYPE_I32:
      storeAs<int32_t>(data, i, signedInt(rng));
      break;
    case AICC_ELEMENT_TYPE_I64:
      storeAs<int64_t>(data, i, signedInt(rng));
      break;
    case AICC_ELEMENT_TYPE_U8:
      storeAs<uint8_t>(data, i, static_cast<uint8_t>(unsignedInt(rng)));
      break;
    case AICC_ELEMENT_TYPE_U16:
      storeAs<uint16_t>(data, i, static_cast<uint16_t>(unsignedInt(rng)));
      break;
    case AICC_ELEMENT_TYPE_U32:
      storeAs<uint32_t>(data, i, static_cast<uint32_t>(unsignedInt(rng)));
      break;
    case AICC_ELEMENT_TYPE_U64:
      storeAs<uint64_t>(data, i, static_cast<uint64_t>(unsignedInt(rng)));
      break;
    case AICC_ELEMENT_TYPE_BOOL:
      storeAs<uint8_t>(data, i, static_cast<uint8_t>(boolean(rng)));
      break;
    default: {
      // float8/float4 bit patterns and int4/int2 values within their range.
      int lo = 0, hi = 255;
      if (type == AICC_ELEMENT_TYPE_F4E2M1FN)
        hi = 15;
      else if (!narrowIntRange(type, &lo, &hi) && !isNarrowFloatType(type))
        break;
      std::uniform_int_distribution<int> value(lo, hi);
      storeAs<int8_t>(data, i, static_cast<int8_t>(value(rng)));
      break;
    }
    }
  }
}

std::string tool::previewElements(aicc_element_type_t type, const void *data,
                                  size_t count, size_t limit) {
  std::string text = "[";
  for (size_t i = 0; i < count && i < limit; ++i) {
    if (i)
      text += ", ";
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.6g", loadElement(type, data, i));
    text += buffer;
  }
  if (count > limit)
    text += ", ...";
  return text + "]";
}

Comparison tool::compare(aicc_element_type_t type, const void *actual,
                         const void *expected, size_t count, double rtol,
                         double atol) {
  Comparison result;
  for (size_t i = 0; i < count; ++i) {
    double a = loadElement(type, actual, i);
    double e = loadElement(type, expected, i);
    bool ok;
    double absError;
    if (std::isnan(a) || std::isnan(e)) {
      ok = std::isnan(a) && std::isnan(e);
      absError = ok ? 0 : INFINITY;
    } else if (std::isinf(a) || std::isinf(e)) {
      ok = a == e;
      absError = ok ? 0 : INFINITY;
    } else {
      absError = std::fabs(a - e);
      ok = absError <= atol + rtol * std::fabs(e);
    }
    double relError =
        absError == 0 ? 0 : (e != 0 ? absError / std::fabs(e) : INFINITY);
    if (absError > result.maxAbsError)
      result.maxAbsError = absError;
    if (relError > result.maxRelError)
      result.maxRelError = relError;
    if (!ok && result.mismatches++ == 0)
      result.firstMismatch = i;
  }
  return result;
}
