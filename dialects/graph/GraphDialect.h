//===- GraphDialect.h - Graph dialect ---------------------------*- C++ -*-===//
#ifndef AICC_DIALECTS_GRAPH_GRAPHDIALECT_H
#define AICC_DIALECTS_GRAPH_GRAPHDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/graph/GraphDialect.h.inc"

#endif // AICC_DIALECTS_GRAPH_GRAPHDIALECT_H
