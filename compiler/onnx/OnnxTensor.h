//===- OnnxTensor.h - ONNX TensorProto to MLIR attributes -------*- C++ -*-===//
#ifndef AICC_COMPILER_ONNX_ONNXTENSOR_H
#define AICC_COMPILER_ONNX_ONNXTENSOR_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include <string>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace aicc::onnx_import {

/// Human-readable ONNX data type name ("float", "string", ...).
std::string onnxDataTypeName(int dataType);

/// Converts a TensorProto to an ElementsAttr: raw_data, the typed fields
/// or external data (relative to `baseDir`). Tensors with more than
/// `inlineLimit` elements become dense_resource blobs. On failure returns
/// null and sets `error`.
mlir::ElementsAttr convertTensor(mlir::MLIRContext *context,
                                 const onnx::TensorProto &tensor,
                                 llvm::StringRef baseDir, int64_t inlineLimit,
                                 std::string &error);

} // namespace aicc::onnx_import

#endif // AICC_COMPILER_ONNX_ONNXTENSOR_H
