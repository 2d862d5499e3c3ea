//===- ShapeRulesSignal.cpp - Result types of signal ops ------------------===//
//
// inferReturnTypes for the signal-processing ops DFT, STFT, the window
// functions, MelWeightMatrix and TfIdfVectorizer, following the ONNX
// specification of the newest opset.
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
// Signal processing
//===----------------------------------------------------------------------===//

LogicalResult DFTOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      DFTOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  StringRef op = "DFT";
  Value input = adaptor.getInput();
  OptShape s = shapeOf(input);
  if (failed(checkMinRank(location, op, "input", s, 2)))
    return failure();
  if (!s) {
    types.push_back(input.getType());
    return success();
  }
  int64_t rank = s->size();
  if (failed(checkComplexDim(location, op, "the last dim of input",
                             (*s)[rank - 1])))
    return failure();
  bool inverse = intAttr(adaptor.getInverseAttr(), 0) != 0;
  bool onesided = intAttr(adaptor.getOnesidedAttr(), 0) != 0;

  std::optional<int64_t> axis = -2;
  if (Value axisValue = adaptor.getAxis())
    axis = constantScalar(axisValue);
  Shape out = *s;
  out[rank - 1] = onesided && inverse ? 1 : 2;
  if (!axis) {
    // Without onesided or dft_length the transformed axis keeps its size,
    // so only those make the unknown axis matter.
    bool keepsSizes = !onesided && !adaptor.getDftLength();
    if (!keepsSizes)
      for (int64_t i = 0; i < rank - 1; ++i)
        out[i] = kDyn;
    types.push_back(RankedTensorType::get(out, elemOf(input)));
    return success();
  }
  // Valid axes are [-r, -2] and [0, r - 2]: the last dim holds re/im.
  if (*axis < -rank || *axis > rank - 2 || *axis == -1)
    return emitOptionalError(location, op, ": axis ", *axis,
                             " is out of range for input of rank ", rank);
  int64_t a = *axis < 0 ? *axis + rank : *axis;
  int64_t length = (*s)[a];
  if (Value lengthValue = adaptor.getDftLength()) {
    std::optional<int64_t> l = constantScalar(lengthValue);
    length = l ? *l : kDyn;
    if (l && failed(checkPositive(location, op, "dft_length", *l)))
      return failure();
  } else if (onesided && inverse && !isDyn(length)) {
    length = 2 * (length - 1);
    if (failed(checkPositive(location, op, "dft_length", length)))
      return failure();
  }
  if (isDyn(length))
    out[a] = kDyn;
  else
    out[a] = onesided && !inverse ? length / 2 + 1 : length;
  types.push_back(RankedTensorType::get(out, elemOf(input)));
  return success();
}

LogicalResult STFTOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       STFTOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  StringRef op = "STFT";
  Value signal = adaptor.getSignal();
  OptShape s = shapeOf(signal), ws = shapeOf(adaptor.getWindow());
  if (failed(checkRank(location, op, "signal", s, 3)) ||
      failed(checkRank(location, op, "window", ws, 1)))
    return failure();
  if (failed(checkComplexDim(location, op, "dim 2 of signal", dimAt(s, 2))))
    return failure();
  int64_t signalLength = dimAt(s, 1);
  std::optional<int64_t> step = constantScalar(adaptor.getFrameStep());
  if (step && failed(checkPositive(location, op, "frame_step", *step)))
    return failure();

  int64_t frameLength;
  if (Value fl = adaptor.getFrameLength()) {
    std::optional<int64_t> value = constantScalar(fl);
    frameLength = value ? *value : kDyn;
    if (value && failed(checkPositive(location, op, "frame_length", *value)))
      return failure();
    auto merged = mergeDim(location, op, frameLength, "frame_length",
                           dimAt(ws, 0), "the window length");
    if (failed(merged))
      return failure();
    frameLength = *merged;
  } else if (adaptor.getWindow()) {
    frameLength = dimAt(ws, 0);
  } else {
    frameLength = signalLength;
  }

  int64_t frames = kDyn;
  if (step && !isDyn(signalLength) && !isDyn(frameLength)) {
    if (frameLength > signalLength)
      return emitOptionalError(location, op, ": frame_length ", frameLength,
                               " exceeds the signal length ", signalLength);
    frames = (signalLength - frameLength) / *step + 1;
  }
  bool onesided = intAttr(adaptor.getOnesidedAttr(), 1) != 0;
  int64_t bins = frameLength;
  if (onesided && !isDyn(frameLength))
    bins = frameLength / 2 + 1;
  types.push_back(
      RankedTensorType::get({dimAt(s, 0), frames, bins, 2}, elemOf(signal)));
  return success();
}

/// BlackmanWindow, HammingWindow, HannWindow: a 1-D tensor of `size`.
static LogicalResult inferWindowFunction(MLIRContext *context, Loc loc,
                                         StringRef op, Value size,
                                         IntegerAttr outputDatatype,
                                         SmallVectorImpl<Type> &types) {
  auto elem = dataTypeAttr(context, loc, op, intAttr(outputDatatype, 1));
  if (failed(elem))
    return failure();
  std::optional<int64_t> n = constantScalar(size);
  if (n && failed(checkNonNegative(loc, op, "size", *n)))
    return failure();
  types.push_back(RankedTensorType::get({n ? *n : kDyn}, *elem));
  return success();
}

LogicalResult BlackmanWindowOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    BlackmanWindowOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferWindowFunction(context, location, "BlackmanWindow",
                             adaptor.getSize(), adaptor.getOutputDatatypeAttr(),
                             types);
}

LogicalResult HammingWindowOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    HammingWindowOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferWindowFunction(context, location, "HammingWindow",
                             adaptor.getSize(), adaptor.getOutputDatatypeAttr(),
                             types);
}

LogicalResult HannWindowOp::inferReturnTypes(MLIRContext *context,
                                             std::optional<Location> location,
                                             HannWindowOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  return inferWindowFunction(context, location, "HannWindow", adaptor.getSize(),
                             adaptor.getOutputDatatypeAttr(), types);
}

LogicalResult MelWeightMatrixOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    MelWeightMatrixOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "MelWeightMatrix";
  auto elem = dataTypeAttr(context, location, op,
                           intAttr(adaptor.getOutputDatatypeAttr(), 1));
  if (failed(elem))
    return failure();
  std::optional<int64_t> bins = constantScalar(adaptor.getNumMelBins());
  std::optional<int64_t> dftLength = constantScalar(adaptor.getDftLength());
  if ((bins && failed(checkPositive(location, op, "num_mel_bins", *bins))) ||
      (dftLength &&
       failed(checkPositive(location, op, "dft_length", *dftLength))))
    return failure();
  Shape out = {dftLength ? *dftLength / 2 + 1 : kDyn, bins ? *bins : kDyn};
  types.push_back(RankedTensorType::get(out, *elem));
  return success();
}

LogicalResult TfIdfVectorizerOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    TfIdfVectorizerOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "TfIdfVectorizer";
  DenseI64ArrayAttr indexes = adaptor.getProperties().ngram_indexes;
  if (!indexes)
    return missingAttr(location, op, "ngram_indexes");
  if (indexes.size() == 0)
    return emitOptionalError(location, op, ": ngram_indexes must not be empty");
  if (failed(checkAllNonNegative(location, op, "ngram_indexes",
                                 indexes.asArrayRef())))
    return failure();
  OptShape s = shapeOf(adaptor.getX());
  if (failed(checkRankEither(location, op, "X", s, 1, 2)))
    return failure();
  int64_t width = *llvm::max_element(indexes.asArrayRef()) + 1;
  Type f32 = Float32Type::get(context);
  if (!s) {
    types.push_back(UnrankedTensorType::get(f32));
    return success();
  }
  Shape out = s->size() == 1 ? Shape{width} : Shape{(*s)[0], width};
  types.push_back(RankedTensorType::get(out, f32));
  return success();
}

} // namespace aicc::graph
