//===- ShapeRulesNormalization.cpp - Result types of normalization ops ----===//
//
// inferReturnTypes for BatchNormalization, LayerNormalization and Dropout,
// following the ONNX specification of the newest opset. Dropout's mask
// result always exists.
//
// Conventions are those of ShapeInference.h; shared helpers are in
// ShapeRulesNNHelpers.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "dialects/graph/ShapeRulesNNHelpers.h"

using namespace mlir;

namespace aicc::graph {
using namespace nn_rules;

//===----------------------------------------------------------------------===//
// Normalization, dropout
//===----------------------------------------------------------------------===//

LogicalResult BatchNormalizationOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    BatchNormalizationOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "BatchNormalization";
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x);
  if (failed(checkMinRank(location, op, "X", xs, 1)))
    return failure();
  int64_t channels = xs ? (xs->size() > 1 ? (*xs)[1] : 1) : kDyn;
  struct Param {
    StringRef name;
    Value value;
  };
  for (Param p :
       {Param{"scale", adaptor.getScale()}, Param{"B", adaptor.getB()},
        Param{"input_mean", adaptor.getInputMean()},
        Param{"input_var", adaptor.getInputVar()}}) {
    OptShape s = shapeOf(p.value);
    if (failed(checkRank(location, op, p.name, s, 1)))
      return failure();
    auto c = mergeDim(location, op, dimAt(s, 0), ("dim 0 of " + p.name).str(),
                      channels, "channels of X");
    if (failed(c))
      return failure();
    channels = *c;
  }
  types.push_back(x.getType());
  Type statsElem = elemOf(adaptor.getInputMean());
  types.push_back(RankedTensorType::get({channels}, statsElem));
  types.push_back(RankedTensorType::get({channels}, statsElem));
  return success();
}

LogicalResult LayerNormalizationOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    LayerNormalizationOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "LayerNormalization";
  Value x = adaptor.getX();
  int64_t stashCode = intAttr(adaptor.getStashTypeAttr(), 1);
  Type stash = onnxDataTypeToType(context, stashCode);
  if (!stash)
    return emitOptionalError(location, op, ": stash_type ", stashCode,
                             " is not a supported ONNX data type");
  OptShape xs = shapeOf(x);
  OptShape stats;
  if (xs) {
    int64_t rank = xs->size();
    auto axis = normalizeAxis(location, intAttr(adaptor.getAxisAttr(), -1),
                              rank, "axis");
    if (failed(axis))
      return failure();
    stats = *xs;
    for (int64_t i = *axis; i < rank; ++i)
      (*stats)[i] = 1;
  }
  types.push_back(x.getType());
  types.push_back(tensorOf(stats, stash));
  types.push_back(tensorOf(stats, stash));
  return success();
}

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location>,
                                          DropoutOp::Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  Value data = adaptor.getData();
  types.push_back(data.getType());
  types.push_back(tensorOf(shapeOf(data), IntegerType::get(context, 1)));
  return success();
}

} // namespace aicc::graph
