//===- ShapeInference.h - Helpers for graph result-type rules ---*- C++ -*-===//
//
// Building blocks for the result-type inference of graph ops. Conventions:
//  - an operand that is unranked makes dependent results unranked (success);
//  - a dim that depends on a non-constant operand value is dynamic;
//  - an inconsistency (bad axis, mismatched broadcast) is a failure with a
//    diagnostic through emitOptionalError.
// The graph passes (aicc-graph-inline-control-flow, aicc-graph-refine-types)
// re-infer result types as shape subgraphs fold to graph.constant, so
// constant operands are visible through getConstantInts() by then.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_DIALECTS_GRAPH_SHAPEINFERENCE_H
#define AICC_DIALECTS_GRAPH_SHAPEINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeRange.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace aicc::graph {

using mlir::LogicalResult;
using Loc = std::optional<mlir::Location>;

/// Static or dynamic dims are compatible when they can be equal; used by
/// every op's isCompatibleReturnTypes so an inferred type may be less
/// precise than the declared one.
bool areCompatibleReturnTypes(mlir::TypeRange lhs, mlir::TypeRange rhs);

/// The values of an integer tensor produced by a constant, if it is one.
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value value);
/// The values of a float or integer constant tensor as doubles.
std::optional<llvm::SmallVector<double>> getConstantFloats(mlir::Value value);

/// A ranked tensor type, or unranked when `shape` is std::nullopt.
mlir::TensorType makeTensorType(std::optional<llvm::ArrayRef<int64_t>> shape,
                                mlir::Type elementType);
/// Shape of a ranked tensor value, std::nullopt when unranked.
std::optional<llvm::SmallVector<int64_t>> getShape(mlir::Value value);
mlir::Type getElementType(mlir::Value value);

/// Normalizes a possibly negative axis into [0, rank); `what` names the
/// attribute or operand in the diagnostic.
mlir::FailureOr<int64_t> normalizeAxis(Loc loc, int64_t axis, int64_t rank,
                                       llvm::StringRef what = "axis");

/// Multidirectional (NumPy) broadcasting of several shapes.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(Loc loc, llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes);

/// The result shape of a matmul of ranked `a` and `b` with NumPy semantics
/// (rank-1 operands promoted and dropped, batch dims broadcast); errors
/// name `op`.
mlir::FailureOr<llvm::SmallVector<int64_t>>
matmulShape(Loc loc, llvm::SmallVector<int64_t> a,
            llvm::SmallVector<int64_t> b, llvm::StringRef op);

/// Maps an ONNX TensorProto.DataType code to an element type; null if none.
mlir::Type onnxDataTypeToType(mlir::MLIRContext *context, int64_t code);

/// Product of static dims; -1 if any is dynamic or if the product does not
/// fit in int64_t (every static result type is checked with
/// checkTensorSize, so a verified op never has such a shape).
int64_t numElements(llvm::ArrayRef<int64_t> shape);

/// The one checked product of dims in the shape rules and the importer:
/// multiplies the static dims of `shape` (dynamic dims are skipped) with
/// llvm::MulOverflow; std::nullopt when the product does not fit in int64_t.
std::optional<int64_t> checkedProduct(llvm::ArrayRef<int64_t> shape);

/// Fails, with "<what> [d0, d1, ...] has more elements than fit in 64 bits"
/// (or "... is larger than 2^63 bytes" for its byte size, or "... has a
/// negative dim"), when ranked `type` is not a valid tensor size.
LogicalResult checkTensorSize(Loc loc, mlir::Type type, llvm::StringRef what);

// Families used by the generated rules (GraphOnnxOpsInfer.inc).
LogicalResult inferUnary(mlir::MLIRContext *context, Loc loc,
                         mlir::ValueRange operands,
                         llvm::SmallVectorImpl<mlir::Type> &types);
/// inferUnary for ops with an `axis` attribute (Softmax, LpNormalization...):
/// also fails when `axis` is out of range for the input's rank.
LogicalResult inferUnaryAxis(mlir::MLIRContext *context, Loc loc,
                             mlir::ValueRange operands, int64_t axis,
                             llvm::SmallVectorImpl<mlir::Type> &types);
LogicalResult inferUnaryBool(mlir::MLIRContext *context, Loc loc,
                             mlir::ValueRange operands,
                             llvm::SmallVectorImpl<mlir::Type> &types);
LogicalResult inferBroadcast(mlir::MLIRContext *context, Loc loc,
                             mlir::ValueRange operands,
                             llvm::SmallVectorImpl<mlir::Type> &types);
LogicalResult inferCompare(mlir::MLIRContext *context, Loc loc,
                           mlir::ValueRange operands,
                           llvm::SmallVectorImpl<mlir::Type> &types);

} // namespace aicc::graph

#endif // AICC_DIALECTS_GRAPH_SHAPEINFERENCE_H
