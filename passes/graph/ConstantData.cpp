//===- ConstantData.cpp - Reading and writing graph.constant data --------===//

#include "passes/graph/ConstantData.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include <cstring>

using namespace mlir;

namespace aicc::graph {

std::optional<unsigned> elementStorageBytes(Type elem) {
  if (auto complex = dyn_cast<ComplexType>(elem)) {
    std::optional<unsigned> part =
        elementStorageBytes(complex.getElementType());
    return part ? std::optional<unsigned>(2 * *part) : std::nullopt;
  }
  if (!elem.isIntOrFloat() || elem.isInteger(1) || elem.isIndex())
    return std::nullopt;
  return (elem.getIntOrFloatBitWidth() + 7) / 8;
}

std::optional<ArrayRef<char>> getElementBytes(ElementsAttr value) {
  auto type = cast<ShapedType>(value.getType());
  std::optional<unsigned> bytes = elementStorageBytes(type.getElementType());
  if (!bytes || !type.hasStaticShape())
    return std::nullopt;
  ArrayRef<char> data;
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (dense.isSplat())
      return std::nullopt;
    data = dense.getRawData();
  } else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return std::nullopt;
    data = blob->getData();
  } else {
    return std::nullopt;
  }
  if ((int64_t)data.size() != type.getNumElements() * (int64_t)*bytes)
    return std::nullopt;
  return data;
}

StringRef getResourceKey(ElementsAttr value) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    return resource.getRawHandle().getKey();
  return "";
}

ElementsAttr makeElements(RankedTensorType type, ArrayRef<char> bytes,
                          bool asResource, StringRef key) {
  if (asResource)
    return DenseResourceElementsAttr::get(
        type, key.empty() ? "constant" : key,
        HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                      alignof(uint64_t)));
  bool detectedSplat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, bytes, detectedSplat))
    return {};
  return DenseElementsAttr::getFromRawBuffer(type, bytes);
}

/// The `bits`-wide little-endian integer at `data`.
static APInt readBits(const char *data, unsigned bits) {
  uint64_t word = 0;
  std::memcpy(&word, data, (bits + 7) / 8);
  return APInt(bits, word, /*isSigned=*/false, /*implicitTrunc=*/true);
}

std::optional<SmallVector<double>> readAsDoubles(ElementsAttr value) {
  auto type = cast<ShapedType>(value.getType());
  Type elem = type.getElementType();
  if (!type.hasStaticShape() || !elem.isIntOrFloat() ||
      elem.getIntOrFloatBitWidth() > 64)
    return std::nullopt;
  bool isUnsigned = elem.isUnsignedInteger() || elem.isInteger(1);
  SmallVector<double> out;
  out.reserve(type.getNumElements());
  auto toDouble = [](APFloat v) {
    bool lost;
    v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    return v.convertToDouble();
  };
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (isa<FloatType>(elem))
      for (const APFloat &v : dense.getValues<APFloat>())
        out.push_back(toDouble(v));
    else
      for (const APInt &v : dense.getValues<APInt>())
        out.push_back(isUnsigned ? (double)v.getZExtValue()
                                 : (double)v.getSExtValue());
    return out;
  }
  std::optional<ArrayRef<char>> bytes = getElementBytes(value);
  if (!bytes)
    return std::nullopt;
  unsigned stride = *elementStorageBytes(elem);
  unsigned bits = elem.getIntOrFloatBitWidth();
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    APInt v = readBits(bytes->data() + i * stride, bits);
    if (auto ft = dyn_cast<FloatType>(elem))
      out.push_back(toDouble(APFloat(ft.getFloatSemantics(), v)));
    else
      out.push_back(isUnsigned ? (double)v.getZExtValue()
                               : (double)v.getSExtValue());
  }
  return out;
}

ElementsAttr makeFloatElements(RankedTensorType type, ArrayRef<double> values,
                               bool asResource, StringRef key) {
  auto ft = dyn_cast<FloatType>(type.getElementType());
  if (!ft || (int64_t)values.size() != type.getNumElements())
    return {};
  unsigned stride = *elementStorageBytes(ft);
  std::vector<char> bytes(values.size() * stride);
  for (auto [i, d] : llvm::enumerate(values)) {
    APFloat v(d);
    bool lost;
    v.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    uint64_t word = v.bitcastToAPInt().getZExtValue();
    std::memcpy(&bytes[i * stride], &word, stride);
  }
  return makeElements(type, bytes, asResource, key);
}

} // namespace aicc::graph
