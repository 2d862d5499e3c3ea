//===- OnnxTensor.cpp - ONNX TensorProto to MLIR attributes --------------===//
//
// Every encoding of ONNX tensor data: raw_data (little-endian bytes), the
// typed repeated fields (float_data, int32_data holding 8/16-bit values and
// fp16/bf16 bit patterns, int64_data, double_data, uint64_data) and external
// data files (location/offset/length relative to the model's directory,
// whose real path, symbolic links resolved, must stay inside it).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/OnnxTensor.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/BuiltinDialect.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "onnx/onnx_pb.h"

using namespace mlir;

namespace aicc::onnx_import {

std::string onnxDataTypeName(int dataType) {
  switch (dataType) {
  case 0: return "undefined";
  case 1: return "float";
  case 2: return "uint8";
  case 3: return "int8";
  case 4: return "uint16";
  case 5: return "int16";
  case 6: return "int32";
  case 7: return "int64";
  case 8: return "string";
  case 9: return "bool";
  case 10: return "float16";
  case 11: return "double";
  case 12: return "uint32";
  case 13: return "uint64";
  case 14: return "complex64";
  case 15: return "complex128";
  case 16: return "bfloat16";
  case 17: return "float8e4m3fn";
  case 18: return "float8e4m3fnuz";
  case 19: return "float8e5m2";
  case 20: return "float8e5m2fnuz";
  case 21: return "uint4";
  case 22: return "int4";
  case 23: return "float4e2m1";
  case 24: return "float8e8m0";
  case 25: return "uint2";
  case 26: return "int2";
  default: return "data type " + std::to_string(dataType);
  }
}

namespace {

/// Storage bits of one element in ONNX's encodings (complex counts both
/// parts). ONNX stores a bool in one byte (raw_data, external data) or one
/// int32_data value, never packed as bits.
unsigned elementBits(Type t) {
  if (t.isInteger(1))
    return 8;
  if (auto c = dyn_cast<ComplexType>(t))
    return 2 * c.getElementType().getIntOrFloatBitWidth();
  return t.getIntOrFloatBitWidth();
}

/// Reads the external data of `tensor` into `bytes`.
LogicalResult readExternal(const onnx::TensorProto &tensor, StringRef baseDir,
                           int64_t expected, std::string &bytes,
                           std::string &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : tensor.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset" || kv.key() == "length") {
      char *end = nullptr;
      long long v = strtoll(kv.value().c_str(), &end, 10);
      if (kv.value().empty() || *end || v < 0) {
        error = "external data " + kv.key() + " '" + kv.value() +
                "' is not a non-negative integer";
        return failure();
      }
      (kv.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty()) {
    error = "external data has no 'location'";
    return failure();
  }
  if (llvm::sys::path::is_absolute(location) ||
      StringRef(location).contains("..")) {
    error = "external data location '" + location +
            "' must be a relative path inside the model's directory";
    return failure();
  }
  SmallString<256> path(baseDir);
  llvm::sys::path::append(path, location);
  // The lexical check above is not enough: a symbolic link inside the
  // model's directory (the file or a directory on the way) may lead anywhere.
  // Resolve both real paths and require the file to stay inside (as ONNX's
  // own checker does).
  SmallString<256> realBase, realFile;
  if (std::error_code ec = llvm::sys::fs::real_path(
          baseDir.empty() ? StringRef(".") : baseDir, realBase)) {
    error = "cannot resolve the model's directory '" + baseDir.str() +
            "': " + ec.message();
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::real_path(path, realFile)) {
    error = "cannot read external data file '" + std::string(path) +
            "': " + ec.message();
    return failure();
  }
  StringRef inside = realFile;
  bool baseIsRoot = llvm::sys::path::is_separator(realBase.back());
  if (!inside.consume_front(realBase) ||
      (!baseIsRoot &&
       (inside.empty() || !llvm::sys::path::is_separator(inside.front())))) {
    error = "external data location '" + location + "' resolves to '" +
            std::string(realFile) + "', outside the model's directory '" +
            std::string(realBase) +
            "' (symbolic links must not lead out of it)";
    return failure();
  }
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(realFile, status)) {
    error = "cannot read external data file '" + std::string(path) +
            "': " + ec.message();
    return failure();
  }
  if (status.type() != llvm::sys::fs::file_type::regular_file) {
    error = "external data file '" + std::string(path) + "' " +
            (status.type() == llvm::sys::fs::file_type::directory_file
                 ? "is a directory"
                 : "is not a regular file");
    return failure();
  }
  auto file = llvm::MemoryBuffer::getFile(realFile, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file) {
    error = "cannot read external data file '" + std::string(path) +
            "': " + file.getError().message();
    return failure();
  }
  int64_t size = (*file)->getBufferSize();
  if (length < 0)
    length = size - offset;
  if (offset > size || length > size - offset) {
    error = "external data range [" + std::to_string(offset) + ", " +
            std::to_string(offset + length) + ") is outside '" + location +
            "' (" + std::to_string(size) + " bytes)";
    return failure();
  }
  if (length != expected) {
    error = "external data has " + std::to_string(length) +
            " bytes, the tensor needs " + std::to_string(expected);
    return failure();
  }
  bytes.assign((*file)->getBufferStart() + offset, length);
  return success();
}

/// Collects the tensor's values as little-endian bytes in MLIR's dense
/// layout (one element per storage unit, sub-byte types unpacked).
LogicalResult collectBytes(const onnx::TensorProto &t, Type elem,
                           int64_t count, StringRef baseDir,
                           std::string &bytes, std::string &error) {
  unsigned bits = elementBits(elem);
  int64_t packedBytes = (count * bits + 7) / 8;
  std::string packed;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    if (failed(readExternal(t, baseDir, packedBytes, packed, error)))
      return failure();
  } else if (t.has_raw_data()) {
    packed = t.raw_data();
    if ((int64_t)packed.size() != packedBytes) {
      error = "raw_data has " + std::to_string(packed.size()) +
              " bytes, the tensor needs " + std::to_string(packedBytes);
      return failure();
    }
  } else {
    // Typed fields.
    auto put = [&](uint64_t v, unsigned nbytes) {
      for (unsigned i = 0; i < nbytes; ++i)
        packed.push_back(char((v >> (8 * i)) & 0xff));
    };
    auto checkCount = [&](int64_t have, int64_t want, StringRef field) {
      if (have == want)
        return success();
      error = field.str() + " has " + std::to_string(have) +
              " values, the tensor needs " + std::to_string(want);
      return failure();
    };
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::COMPLEX64: {
      // Complex values are (real, imaginary) pairs of the same field.
      int64_t want = t.data_type() == onnx::TensorProto::FLOAT ? count
                                                                : 2 * count;
      if (failed(checkCount(t.float_data_size(), want, "float_data")))
        return failure();
      for (float f : t.float_data())
        put(llvm::bit_cast<uint32_t>(f), 4);
      break;
    }
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::COMPLEX128: {
      int64_t want = t.data_type() == onnx::TensorProto::DOUBLE ? count
                                                                 : 2 * count;
      if (failed(checkCount(t.double_data_size(), want, "double_data")))
        return failure();
      for (double d : t.double_data())
        put(llvm::bit_cast<uint64_t>(d), 8);
      break;
    }
    case onnx::TensorProto::INT64:
      if (failed(checkCount(t.int64_data_size(), count, "int64_data")))
        return failure();
      for (int64_t v : t.int64_data())
        put(v, 8);
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      if (failed(checkCount(t.uint64_data_size(), count, "uint64_data")))
        return failure();
      for (uint64_t v : t.uint64_data())
        put(v, bits / 8);
      break;
    default: {
      // int32_data carries int32, 8/16-bit ints, bool, fp16/bf16 bits and
      // float8; sub-byte types pack two (or four) values per int32.
      if (bits >= 8) {
        if (failed(checkCount(t.int32_data_size(), count, "int32_data")))
          return failure();
        for (int32_t v : t.int32_data())
          put((uint32_t)v, bits / 8);
      } else {
        int64_t perWord = 8 / bits;
        if (failed(checkCount(t.int32_data_size(),
                              (count + perWord - 1) / perWord, "int32_data")))
          return failure();
        for (int32_t v : t.int32_data())
          packed.push_back(char(v & 0xff));
      }
      break;
    }
    }
  }
  if (bits >= 8) {
    bytes = std::move(packed);
    return success();
  }
  // Unpack sub-byte values, low bits first, into one byte each.
  bytes.clear();
  unsigned perByte = 8 / bits, mask = (1u << bits) - 1;
  for (int64_t i = 0; i < count; ++i) {
    uint8_t byte = packed[i / perByte];
    bytes.push_back(char((byte >> ((i % perByte) * bits)) & mask));
  }
  return success();
}

} // namespace

ElementsAttr convertTensor(MLIRContext *ctx, const onnx::TensorProto &tensor,
                           StringRef baseDir, int64_t inlineLimit,
                           std::string &error) {
  Type elem = graph::onnxDataTypeToType(ctx, tensor.data_type());
  if (!elem) {
    error = "tensor element type '" + onnxDataTypeName(tensor.data_type()) +
            "' is not supported";
    return {};
  }
  SmallVector<int64_t> dims;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || (d > 0 && count > (int64_t(1) << 40) / d)) {
      error = "tensor has an invalid dim " + std::to_string(d);
      return {};
    }
    dims.push_back(d);
    count *= d;
  }
  auto type = RankedTensorType::get(dims, elem);
  std::string bytes;
  if (failed(collectBytes(tensor, elem, count, baseDir, bytes, error)))
    return {};
  unsigned bits = elementBits(elem);
  // Booleans and sub-byte integers are built value by value: MLIR's dense
  // storage for them differs from one byte per element.
  if (auto it = dyn_cast<IntegerType>(elem); it && it.getWidth() < 8) {
    SmallVector<APInt> values;
    for (int64_t i = 0; i < count; ++i) {
      uint8_t b = bytes[i];
      if (it.getWidth() == 1)
        b = b != 0;
      values.push_back(APInt(it.getWidth(), b, /*isSigned=*/false,
                             /*implicitTrunc=*/true));
    }
    return DenseElementsAttr::get(type, values);
  }
  if (count > inlineLimit && bits >= 8) {
    std::string key = tensor.name().empty() ? "constant" : tensor.name();
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(bytes.data(), bytes.size()), alignof(uint64_t));
    return DenseResourceElementsAttr::get(type, key, std::move(blob));
  }
  bool detectedSplat = false;
  if (!DenseElementsAttr::isValidRawBuffer(
          type, ArrayRef<char>(bytes.data(), bytes.size()), detectedSplat)) {
    error = "tensor data does not match its type";
    return {};
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(bytes.data(), bytes.size()));
}

} // namespace aicc::onnx_import
