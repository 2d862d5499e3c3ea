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

namespace aicc::graph {
class GraphDialect;
void registerGraphDialectOperations(GraphDialect *dialect);
} // namespace aicc::graph

#define GET_OP_CLASSES
#include "dialects/graph/GraphOps.h.inc"

#endif // AICC_DIALECTS_GRAPH_GRAPHOPS_H
