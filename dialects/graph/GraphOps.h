//===- GraphOps.h - Graph dialect operations --------------------*- C++ -*-===//
#ifndef AICC_DIALECTS_GRAPH_GRAPHOPS_H
#define AICC_DIALECTS_GRAPH_GRAPHOPS_H

#include "dialects/graph/GraphDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include <optional>

namespace aicc::graph {
class GraphDialect;
void registerGraphDialectOperations(GraphDialect *dialect);
} // namespace aicc::graph

#define GET_OP_CLASSES
#include "dialects/graph/GraphOps.h.inc"

namespace aicc::graph {
/// Result types of a graph.Split with `numResults` results (its result
/// count is the node's output count, so it has no InferTypeOpInterface):
/// unranked for an unranked input, a dynamic split dim when `split` is not a
/// constant. Fails with a diagnostic when the sizes, `num_outputs` and the
/// result count disagree.
mlir::LogicalResult
inferSplitResultTypes(std::optional<mlir::Location> loc, mlir::Value input,
                      mlir::Value split, int64_t axis,
                      std::optional<int64_t> numOutputs, unsigned numResults,
                      llvm::SmallVectorImpl<mlir::Type> &types);
} // namespace aicc::graph

#endif // AICC_DIALECTS_GRAPH_GRAPHOPS_H
