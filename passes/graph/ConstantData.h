//===- ConstantData.h - Reading and writing graph.constant data -*- C++ -*-===//
//
// graph.constant holds a DenseElementsAttr (small values, splats, bools) or
// a DenseResourceElementsAttr (weights, as a blob of row-major
// little-endian bytes). These helpers give the graph passes one view of
// both: the element bytes, the values as doubles, and new constants built
// the same way as the importer builds them.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_GRAPH_CONSTANTDATA_H
#define AICC_PASSES_GRAPH_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include <optional>

namespace aicc::graph {

/// Constants with more elements than this are built as dense_resource
/// blobs (the importer's default inline limit).
constexpr int64_t kInlineElementLimit = 1024;

/// Bytes one element takes in a constant's row-major data (complex: both
/// parts; sub-byte integers and floats: one byte), or nullopt for i1, which
/// MLIR stores as bits.
std::optional<unsigned> elementStorageBytes(mlir::Type elem);

/// The row-major bytes of a non-splat constant, or nullopt (splats, bools,
/// a resource whose blob is missing).
std::optional<llvm::ArrayRef<char>> getElementBytes(mlir::ElementsAttr value);

/// The key of a dense_resource constant, or "".
llvm::StringRef getResourceKey(mlir::ElementsAttr value);

/// A constant of `type` with `bytes` as its row-major data: a dense_resource
/// named after `key` (made unique) when `asResource`, else dense elements.
mlir::ElementsAttr makeElements(mlir::RankedTensorType type,
                                llvm::ArrayRef<char> bytes, bool asResource,
                                llvm::StringRef key);

/// The values of a float or integer constant, converted to double.
std::optional<llvm::SmallVector<double>>
readAsDoubles(mlir::ElementsAttr value);

/// A float constant of `type` holding `values` rounded to its element type.
mlir::ElementsAttr makeFloatElements(mlir::RankedTensorType type,
                                     llvm::ArrayRef<double> values,
                                     bool asResource, llvm::StringRef key);

} // namespace aicc::graph

#endif // AICC_PASSES_GRAPH_CONSTANTDATA_H
