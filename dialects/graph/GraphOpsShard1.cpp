//===- GraphOpsShard1.cpp - Graph dialect operations, shard 1 ------------===//

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace aicc::graph;

#define GET_OP_DEFS_1
#include "dialects/graph/GraphOps.cpp.inc"
