//===- GraphOpsShard3.cpp - Graph dialect operations, shard 3 ------------===//

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace aicc::graph;

#define GET_OP_DEFS_3
#include "dialects/graph/GraphOps.cpp.inc"
