//===- ShapeRulesDetectionLoss.cpp - Detection, loss ops ------------------===//
//
// inferReturnTypes for NonMaxSuppression, NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss, following the ONNX specification of the newest
// opset.
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
// Detection and losses
//===----------------------------------------------------------------------===//

LogicalResult NonMaxSuppressionOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    NonMaxSuppressionOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "NonMaxSuppression";
  OptShape bs = shapeOf(adaptor.getBoxes()), ss = shapeOf(adaptor.getScores());
  if (failed(checkRank(location, op, "boxes", bs, 3)) ||
      failed(checkRank(location, op, "scores", ss, 3)) ||
      failed(mergeDim(location, op, dimAt(bs, 2), "dim 2 of boxes", 4,
                      "4 (box coordinates)")) ||
      failed(mergeDim(location, op, dimAt(bs, 0), "dim 0 of boxes",
                      dimAt(ss, 0), "dim 0 of scores")) ||
      failed(mergeDim(location, op, dimAt(bs, 1), "dim 1 of boxes",
                      dimAt(ss, 2), "dim 2 of scores")))
    return failure();
  // One row (batch, class, box) per selected box: data dependent.
  types.push_back(
      RankedTensorType::get({kDyn, 3}, IntegerType::get(context, 64)));
  return success();
}

/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: input (N, C, d...)
/// and target (N, d...); the loss has target's shape for reduction "none" and
/// is a scalar otherwise.
static FailureOr<OptShape> inferLossShape(Loc loc, StringRef op,
                                          StringRef inputName, Value input,
                                          StringRef targetName, Value target,
                                          StringRef weightName, Value weight,
                                          StringRef reduction) {
  if (failed(
          checkOneOf(loc, op, "reduction", reduction, {"none", "sum", "mean"})))
    return failure();
  OptShape is = shapeOf(input), ts = shapeOf(target), ws = shapeOf(weight);
  if (failed(checkMinRank(loc, op, inputName, is, 2)) ||
      failed(checkMinRank(loc, op, targetName, ts, 1)) ||
      failed(checkRank(loc, op, weightName, ws, 1)) ||
      failed(mergeDim(loc, op, dimAt(ws, 0), ("dim 0 of " + weightName).str(),
                      dimAt(is, 1), ("dim 1 of " + inputName).str())))
    return failure();
  if (is && ts && ts->size() + 1 != is->size())
    return emitOptionalError(loc, op, ": ", targetName, " has rank ",
                             ts->size(), " but ", inputName, " has rank ",
                             is->size(), "; expected one less");
  if (reduction != "none")
    return OptShape(Shape());
  if (!is && !ts)
    return OptShape();
  // Dim i of the target pairs with dim 0 (i = 0) or i + 1 of the input.
  size_t rank = ts ? ts->size() : is->size() - 1;
  Shape out;
  for (size_t i = 0; i < rank; ++i) {
    size_t inputDim = i == 0 ? 0 : i + 1;
    auto d = mergeDim(loc, op, dimAt(ts, i),
                      ("dim " + Twine(i) + " of " + targetName).str(),
                      dimAt(is, inputDim),
                      ("dim " + Twine(inputDim) + " of " + inputName).str());
    if (failed(d))
      return failure();
    out.push_back(*d);
  }
  return OptShape(out);
}

LogicalResult NegativeLogLikelihoodLossOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    NegativeLogLikelihoodLossOp::Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  Value input = adaptor.getInput();
  auto shape = inferLossShape(location, "NegativeLogLikelihoodLoss", "input",
                              input, "target", adaptor.getTarget(), "weight",
                              adaptor.getWeight(),
                              strAttr(adaptor.getReductionAttr(), "mean"));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(input)));
  return success();
}

LogicalResult SoftmaxCrossEntropyLossOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    SoftmaxCrossEntropyLossOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  Value scores = adaptor.getScores();
  auto shape = inferLossShape(location, "SoftmaxCrossEntropyLoss", "scores",
                              scores, "labels", adaptor.getLabels(), "weights",
                              adaptor.getWeights(),
                              strAttr(adaptor.getReductionAttr(), "mean"));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(scores)));
  types.push_back(scores.getType());
  return success();
}

} // namespace aicc::graph
