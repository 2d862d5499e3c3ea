//===- GraphOpBuilder.h - Building graph ops for one rewritten node -*- C++ -*-===//
//
// The common base of the graph passes that expand one ONNX node into several
// graph ops (aicc-graph-expand-einsum, aicc-graph-expand-recurrent): the
// builder, the node's location (so every new op still names the node) and
// its element type, with the two constructors they all need.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_PASSES_GRAPH_GRAPHOPBUILDER_H
#define AICC_PASSES_GRAPH_GRAPHOPBUILDER_H

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace aicc::graph {

class GraphOpBuilder {
public:
  GraphOpBuilder(mlir::OpBuilder &b, mlir::Location loc,
                 mlir::Type elementType)
      : b(b), loc(loc), elementType(elementType) {}

  /// A tensor of the node's element type.
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape) const {
    return mlir::RankedTensorType::get(shape, elementType);
  }

  /// A 1-D int64 graph.constant (shapes, axes, permutations).
  mlir::Value i64s(llvm::ArrayRef<int64_t> values) {
    auto type = mlir::RankedTensorType::get({(int64_t)values.size()},
                                            b.getIntegerType(64));
    return ConstantOp::create(b, loc,
                              mlir::DenseElementsAttr::get(type, values));
  }

  // Public: the passes' own code builds ops with them too.
  mlir::OpBuilder &b;
  mlir::Location loc;
  mlir::Type elementType;
};

} // namespace aicc::graph

#endif // AICC_PASSES_GRAPH_GRAPHOPBUILDER_H
