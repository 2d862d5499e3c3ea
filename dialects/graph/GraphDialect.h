//===- GraphDialect.h - Graph dialect ---------------------------*- C++ -*-===//
#ifndef AICC_DIALECTS_GRAPH_GRAPHDIALECT_H
#define AICC_DIALECTS_GRAPH_GRAPHDIALECT_H

#include "mlir/IR/Dialect.h"
#include "mlir/IR/Location.h"

#include "dialects/graph/GraphDialect.h.inc"

namespace aicc::graph {
/// The ONNX node a location names: the first NameLoc inside it (the
/// importer gives every op `loc("<node name>")`; fused and call-site
/// locations are searched), or "" when there is none.
llvm::StringRef getNodeName(mlir::Location loc);
/// The ONNX op type of a graph op (`graph.Conv` -> "Conv").
llvm::StringRef getOnnxOpType(mlir::Operation *op);
} // namespace aicc::graph

#endif // AICC_DIALECTS_GRAPH_GRAPHDIALECT_H
