//===- OnnxLegacy.h - Older ONNX opsets to the newest form ------*- C++ -*-===//
//
// The graph dialect mirrors the newest opset. Nodes of older opsets are
// rewritten before import: attributes that became inputs (Squeeze axes,
// Reduce* axes, Split sizes, Slice starts/ends, Pad pads, Clip min/max, TopK
// k, Reshape shape), renamed or retired ops (Upsample → Resize, Scatter →
// ScatterElements) and obsolete attributes (consumed_inputs, is_test).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_COMPILER_ONNX_ONNXLEGACY_H
#define AICC_COMPILER_ONNX_ONNXLEGACY_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include <functional>
#include <string>

namespace onnx {
class NodeProto;
} // namespace onnx

namespace aicc::onnx_import {

enum class LegacyResult { Unchanged, Rewritten, Error };

/// Creates a constant value and returns the name it is registered under.
using ConstantFactory = std::function<std::string(mlir::ElementsAttr)>;

/// Rewrites `node` (of the default domain at `opset`) to the newest form.
LegacyResult normalizeLegacyNode(onnx::NodeProto &node, int64_t opset,
                                 mlir::OpBuilder &builder,
                                 const ConstantFactory &makeConstant,
                                 std::string &error);

/// The value of a Constant node (value, value_float(s), value_int(s)).
mlir::ElementsAttr convertConstantNode(const onnx::NodeProto &node,
                                       mlir::OpBuilder &builder,
                                       llvm::StringRef baseDir,
                                       std::string &error);

} // namespace aicc::onnx_import

#endif // AICC_COMPILER_ONNX_ONNXLEGACY_H
