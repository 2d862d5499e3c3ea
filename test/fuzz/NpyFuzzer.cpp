//===- NpyFuzzer.cpp - libFuzzer harness for the .npy reader --------------===//
//
// npy::parse on arbitrary bytes: a hostile header (huge shapes, overflowing
// sizes, odd dtypes) must end in an error, never a crash or an allocation
// beyond what the bytes hold. An accepted array is checked for consistency
// and round-tripped through serialize().
//
//===----------------------------------------------------------------------===//

#include "Npy.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aicc::npy::Array array;
  std::string error;
  if (!aicc::npy::parse(data, size, &array, &error))
    return 0;
  // What parse accepts is consistent: the data holds exactly
  // elementCount() elements.
  if (array.data.size() !=
      array.elementCount() * aicc::npy::elementSize(array.elementType))
    std::abort();
  std::vector<uint8_t> bytes = aicc::npy::serialize(array, &error);
  aicc::npy::Array again;
  if (!bytes.empty() &&
      (!aicc::npy::parse(bytes.data(), bytes.size(), &again, &error) ||
       again.shape != array.shape || again.data != array.data ||
       again.elementType != array.elementType))
    std::abort();
  return 0;
}
