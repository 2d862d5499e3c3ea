//===- ShapeRulesRecurrent.cpp - Result types of recurrent ops ------------===//
//
// inferReturnTypes for RNN, GRU and LSTM, following the ONNX specification
// of the newest opset; one rule (inferRecurrent) serves all three. Y_h
// and LSTM's Y_c always exist.
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

namespace {

/// Shared rule for RNN (1 gate), GRU (3) and LSTM (4). Pushes Y and then
/// `numStates` copies of the final-state type (Y_h, and Y_c for LSTM).
LogicalResult inferRecurrent(Loc loc, StringRef op, int64_t gates, Value x,
                             Value w, Value r, Value initialH,
                             StringRef direction, IntegerAttr hiddenSizeAttr,
                             int64_t layout, unsigned numStates,
                             SmallVectorImpl<Type> &types) {
  if (failed(checkOneOf(loc, op, "direction", direction,
                        {"forward", "reverse", "bidirectional"})))
    return failure();
  if (layout != 0 && layout != 1)
    return emitOptionalError(loc, op, ": layout must be 0 or 1, got ", layout);
  int64_t numDirections = direction == "bidirectional" ? 2 : 1;
  OptShape xs = shapeOf(x), ws = shapeOf(w), rs = shapeOf(r),
           hs = shapeOf(initialH);
  if (failed(checkRank(loc, op, "X", xs, 3)) ||
      failed(checkRank(loc, op, "W", ws, 3)) ||
      failed(checkRank(loc, op, "R", rs, 3)) ||
      failed(checkRank(loc, op, "initial_h", hs, 3)))
    return failure();

  int64_t hidden = dimAt(rs, 2);
  if (hiddenSizeAttr) {
    int64_t attr = hiddenSizeAttr.getValue().getSExtValue();
    if (failed(checkPositive(loc, op, "hidden_size", attr)))
      return failure();
    auto merged = mergeDim(loc, op, attr, "hidden_size", hidden, "dim 2 of R");
    if (failed(merged))
      return failure();
    hidden = *merged;
  }
  if (isDyn(hidden) && !isDyn(dimAt(ws, 1))) {
    auto fromW = divideDim(loc, op, dimAt(ws, 1), "dim 1 of W", gates,
                           "the number of gates");
    if (failed(fromW))
      return failure();
    hidden = *fromW;
  }
  if (failed(mergeDim(loc, op, dimAt(ws, 0), "dim 0 of W", numDirections,
                      "the number of directions")) ||
      failed(mergeDim(loc, op, dimAt(rs, 0), "dim 0 of R", numDirections,
                      "the number of directions")) ||
      failed(mergeDim(loc, op, dimAt(ws, 1), "dim 1 of W",
                      mulDims(gates, hidden), "gates x hidden_size")) ||
      failed(mergeDim(loc, op, dimAt(rs, 1), "dim 1 of R",
                      mulDims(gates, hidden), "gates x hidden_size")))
    return failure();

  int64_t seq = dimAt(xs, layout == 0 ? 0 : 1);
  auto batch = mergeDim(loc, op, dimAt(xs, layout == 0 ? 1 : 0), "batch of X",
                        dimAt(hs, layout == 0 ? 1 : 0), "batch of initial_h");
  if (failed(batch))
    return failure();
  Type elem = elemOf(x);
  Shape y = layout == 0 ? Shape{seq, numDirections, *batch, hidden}
                        : Shape{*batch, seq, numDirections, hidden};
  Shape state = layout == 0 ? Shape{numDirections, *batch, hidden}
                            : Shape{*batch, numDirections, hidden};
  types.push_back(RankedTensorType::get(y, elem));
  for (unsigned i = 0; i < numStates; ++i)
    types.push_back(RankedTensorType::get(state, elem));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Recurrent networks
//===----------------------------------------------------------------------===//

LogicalResult RNNOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      RNNOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferRecurrent(location, "RNN", 1, adaptor.getX(), adaptor.getW(),
                        adaptor.getR(), adaptor.getInitialH(),
                        strAttr(adaptor.getDirectionAttr(), "forward"),
                        adaptor.getHiddenSizeAttr(),
                        intAttr(adaptor.getLayoutAttr(), 0), 1, types);
}

LogicalResult GRUOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      GRUOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  return inferRecurrent(location, "GRU", 3, adaptor.getX(), adaptor.getW(),
                        adaptor.getR(), adaptor.getInitialH(),
                        strAttr(adaptor.getDirectionAttr(), "forward"),
                        adaptor.getHiddenSizeAttr(),
                        intAttr(adaptor.getLayoutAttr(), 0), 1, types);
}

LogicalResult LSTMOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       LSTMOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  return inferRecurrent(location, "LSTM", 4, adaptor.getX(), adaptor.getW(),
                        adaptor.getR(), adaptor.getInitialH(),
                        strAttr(adaptor.getDirectionAttr(), "forward"),
                        adaptor.getHiddenSizeAttr(),
                        intAttr(adaptor.getLayoutAttr(), 0), 2, types);
}

} // namespace aicc::graph
