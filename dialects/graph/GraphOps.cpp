//===- GraphOps.cpp - Graph dialect operations ---------------------------===//
//
// Op definitions are generated in shards (GraphOps.cpp.inc with
// -op-shard-count) so the four translation units compile in parallel; this
// file holds shard 0, graph.constant and the generated family rules.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace aicc::graph;

#define GET_OP_DEFS_0
#include "dialects/graph/GraphOps.cpp.inc"

namespace aicc::graph {

LogicalResult ConstantOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange, DictionaryAttr attrs,
    OpaqueProperties properties, RegionRange, SmallVectorImpl<Type> &types) {
  ConstantOp::Adaptor adaptor({}, attrs, properties);
  types.push_back(adaptor.getValue().getType());
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

#include "dialects/graph/GraphOnnxOpsInfer.inc"

} // namespace aicc::graph
