//===- ShapeRefinement.h - Re-inference and folding ----------*- C++ -*-===//
//
// Helpers shared by aicc-graph-inline-control-flow, aicc-graph-refine-types
// and aicc-graph-check-static-shapes: once control flow is inlined, the ops
// behind it are re-inferred from their (now known) operands and folded, so
// shape subgraphs become constants as they do at import.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_GRAPH_SHAPEREFINEMENT_H
#define AICC_PASSES_GRAPH_SHAPEREFINEMENT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Operation.h"
#include <string>

namespace aicc::graph {

/// Re-infers `op`'s result types from its operands (InferTypeOpInterface,
/// and the Split rule) and folds it. Ops with regions, terminators and
/// constants are left alone. Sets `changed` when a type or the op changed
/// and `erased` when the op was folded away (its results replaced by
/// constants or operands). Fails, with a diagnostic, when the op's
/// inference rule rejects its operands.
mlir::LogicalResult refineAndFold(mlir::Operation *op, bool &changed,
                                  bool &erased);

/// Sets the function's result types to those of the values it returns.
void updateFunctionResultTypes(mlir::func::FuncOp func);

/// The `--input-value=<name>=...` flags (space-separated) for the graph
/// inputs `values` are computed from, through chains of up to 8 ops; ""
/// when they depend on no named graph input.
std::string inputValueFlags(mlir::func::FuncOp func,
                            llvm::ArrayRef<mlir::Value> values);

} // namespace aicc::graph

#endif // AICC_PASSES_GRAPH_SHAPEREFINEMENT_H
