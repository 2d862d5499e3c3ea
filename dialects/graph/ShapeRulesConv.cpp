//===- ShapeRulesConv.cpp - Result types of convolution ops ---------------===//
//
// inferReturnTypes for Conv, ConvInteger, QLinearConv, DeformConv,
// ConvTranspose and CausalConvWithState, following the ONNX specification
// of the newest opset. The forward convolutions share one rule
// (inferConvShape) over the sliding-window helpers.
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

/// Operands and attributes common to Conv, ConvInteger, QLinearConv and
/// DeformConv.
struct ConvArgs {
  StringRef op;
  Value x, w, bias; // bias may be null
  std::optional<ArrayRef<int64_t>> kernelShape, strides, dilations, pads;
  StringRef autoPad = "NOTSET";
  int64_t group = 1;
};

/// The convolution attributes Conv, ConvInteger and QLinearConv share.
template <typename Adaptor>
ConvArgs convArgsOf(StringRef op, Adaptor adaptor, Value bias) {
  return ConvArgs{op,
                  adaptor.getX(),
                  adaptor.getW(),
                  bias,
                  arrayAttr(adaptor.getKernelShapeAttr()),
                  arrayAttr(adaptor.getStridesAttr()),
                  arrayAttr(adaptor.getDilationsAttr()),
                  arrayAttr(adaptor.getPadsAttr()),
                  strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
                  intAttr(adaptor.getGroupAttr(), 1)};
}

/// Result shape (N, M, spatial...) of a convolution, std::nullopt if X is
/// unranked.
FailureOr<OptShape> inferConvShape(Loc loc, const ConvArgs &a) {
  StringRef op = a.op;
  if (failed(checkPositive(loc, op, "group", a.group)))
    return failure();
  OptShape xs = shapeOf(a.x), ws = shapeOf(a.w);
  if (failed(checkMinRank(loc, op, "X", xs, 3)) ||
      failed(checkMinRank(loc, op, "W", ws, 3)) ||
      failed(checkSameRank(loc, op, "W", ws, "X", xs)))
    return failure();
  if (!xs)
    return OptShape();
  size_t n = xs->size() - 2;
  Window win;
  if (failed(readWindow(loc, op, n, a.strides, a.dilations, a.pads, a.autoPad,
                        /*ceilMode=*/false, win)))
    return failure();
  auto kernel = readKernel(loc, op, n, a.kernelShape, ws);
  if (failed(kernel))
    return failure();
  win.kernel = *kernel;

  int64_t channels = (*xs)[1];
  int64_t outChannels = dimAt(ws, 0), channelsPerGroup = dimAt(ws, 1);
  if (failed(divideDim(loc, op, channels, "channels of X", a.group, "group")) ||
      failed(divideDim(loc, op, outChannels, "output channels of W (dim 0)",
                       a.group, "group")))
    return failure();
  if (!isDyn(channels) && !isDyn(channelsPerGroup) &&
      channelsPerGroup * a.group != channels)
    return emitOptionalError(loc, op, ": W has ", channelsPerGroup,
                             " input channels per group (dim 1), but X has ",
                             channels, " channels and group is ", a.group);
  if (a.bias) {
    OptShape bs = shapeOf(a.bias);
    if (failed(checkRank(loc, op, "B", bs, 1)))
      return failure();
    auto m = mergeDim(loc, op, dimAt(bs, 0), "dim 0 of B", outChannels,
                      "output channels of W (dim 0)");
    if (failed(m))
      return failure();
    outChannels = *m;
  }
  auto spatial =
      windowOutput(loc, op, ArrayRef<int64_t>(*xs).drop_front(2), win);
  if (failed(spatial))
    return failure();
  Shape out = {(*xs)[0], outChannels};
  out.append(spatial->begin(), spatial->end());
  return OptShape(out);
}

} // namespace

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> location,
                                       ConvOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  auto shape =
      inferConvShape(location, convArgsOf("Conv", adaptor, adaptor.getB()));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  return success();
}

LogicalResult ConvIntegerOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> location,
                                              ConvIntegerOp::Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  auto shape =
      inferConvShape(location, convArgsOf("ConvInteger", adaptor, Value()));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, IntegerType::get(context, 32)));
  return success();
}

LogicalResult QLinearConvOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              QLinearConvOp::Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  auto shape = inferConvShape(
      location, convArgsOf("QLinearConv", adaptor, adaptor.getB()));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getYZeroPoint())));
  return success();
}

LogicalResult DeformConvOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             DeformConvOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "DeformConv";
  ConvArgs a{op,
             adaptor.getX(),
             adaptor.getW(),
             adaptor.getB(),
             arrayAttr(adaptor.getKernelShapeAttr()),
             arrayAttr(adaptor.getStridesAttr()),
             arrayAttr(adaptor.getDilationsAttr()),
             arrayAttr(adaptor.getPadsAttr()),
             "NOTSET",
             intAttr(adaptor.getGroupAttr(), 1)};
  int64_t offsetGroup = intAttr(adaptor.getOffsetGroupAttr(), 1);
  if (failed(checkPositive(location, op, "offset_group", offsetGroup)))
    return failure();
  auto shape = inferConvShape(location, a);
  if (failed(shape))
    return failure();
  OptShape out = *shape;
  OptShape offset = shapeOf(adaptor.getOffset());
  if (failed(checkSameRank(location, op, "offset", offset, "X",
                           shapeOf(adaptor.getX()))))
    return failure();
  if (out) {
    if (failed(divideDim(location, op, dimAt(shapeOf(adaptor.getX()), 1),
                         "channels of X", offsetGroup, "offset_group")))
      return failure();
    // The offset carries the output grid; use it where the formula cannot.
    for (size_t i = 0; i < out->size(); ++i) {
      if (i == 1)
        continue;
      auto d = mergeDim(
          location, op, (*out)[i], ("dim " + Twine(i) + " of the output").str(),
          dimAt(offset, i), ("dim " + Twine(i) + " of offset").str());
      if (failed(d))
        return failure();
      (*out)[i] = *d;
    }
  }
  types.push_back(tensorOf(out, elemOf(adaptor.getX())));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    ConvTransposeOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "ConvTranspose";
  Value x = adaptor.getX();
  int64_t group = intAttr(adaptor.getGroupAttr(), 1);
  if (failed(checkPositive(location, op, "group", group)))
    return failure();
  OptShape xs = shapeOf(x), ws = shapeOf(adaptor.getW());
  if (failed(checkMinRank(location, op, "X", xs, 3)) ||
      failed(checkMinRank(location, op, "W", ws, 3)) ||
      failed(checkSameRank(location, op, "W", ws, "X", xs)))
    return failure();
  if (!xs) {
    types.push_back(UnrankedTensorType::get(elemOf(x)));
    return success();
  }
  size_t n = xs->size() - 2;
  Window win;
  StringRef autoPad = strAttr(adaptor.getAutoPadAttr(), "NOTSET");
  if (failed(readWindow(location, op, n, arrayAttr(adaptor.getStridesAttr()),
                        arrayAttr(adaptor.getDilationsAttr()),
                        arrayAttr(adaptor.getPadsAttr()), autoPad,
                        /*ceilMode=*/false, win)))
    return failure();
  auto kernel =
      readKernel(location, op, n, arrayAttr(adaptor.getKernelShapeAttr()), ws);
  if (failed(kernel))
    return failure();

  // W is (C, M/group, k...).
  int64_t channels = (*xs)[1];
  if (failed(mergeDim(location, op, dimAt(ws, 0), "dim 0 of W", channels,
                      "channels of X")) ||
      failed(
          divideDim(location, op, channels, "channels of X", group, "group")))
    return failure();
  int64_t outChannels = mulDims(dimAt(ws, 1), group);
  if (Value b = adaptor.getB()) {
    OptShape bs = shapeOf(b);
    if (failed(checkRank(location, op, "B", bs, 1)))
      return failure();
    auto m = mergeDim(location, op, dimAt(bs, 0), "dim 0 of B", outChannels,
                      "output channels (dim 1 of W x group)");
    if (failed(m))
      return failure();
    outChannels = *m;
  }

  Shape outputPadding(n, 0);
  if (auto padding = arrayAttr(adaptor.getOutputPaddingAttr())) {
    if (failed(
            checkLength(location, op, "output_padding", padding->size(), n)) ||
        failed(checkAllNonNegative(location, op, "output_padding", *padding)))
      return failure();
    outputPadding.assign(padding->begin(), padding->end());
  }

  Shape out = {(*xs)[0], outChannels};
  if (auto outputShape = arrayAttr(adaptor.getOutputShapeAttr())) {
    // Some exporters include N and C; only the spatial dims matter.
    ArrayRef<int64_t> spatial = *outputShape;
    if (spatial.size() == n + 2)
      spatial = spatial.drop_front(2);
    if (failed(checkLength(location, op, "output_shape", spatial.size(), n)) ||
        failed(checkAllPositive(location, op, "output_shape", spatial)))
      return failure();
    out.append(spatial.begin(), spatial.end());
  } else {
    bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
    for (size_t i = 0; i < n; ++i) {
      int64_t in = (*xs)[i + 2], k = (*kernel)[i];
      if (isDyn(in) || (!same && isDyn(k))) {
        out.push_back(kDyn);
        continue;
      }
      if (same) {
        out.push_back(in * win.strides[i]);
        continue;
      }
      int64_t effective = (k - 1) * win.dilations[i] + 1;
      int64_t size = win.strides[i] * (in - 1) + outputPadding[i] + effective -
                     win.pads[i] - win.pads[i + n];
      if (size < 0)
        return emitOptionalError(
            location, op, ": spatial dim ", i, " has negative output size ",
            size, " (input ", in, ", pads ", win.pads[i], "+", win.pads[i + n],
            ", dilated kernel ", effective, ", stride ", win.strides[i],
            ", output_padding ", outputPadding[i], ")");
      out.push_back(size);
    }
  }
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

LogicalResult CausalConvWithStateOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    CausalConvWithStateOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "CausalConvWithState";
  if (failed(checkOneOf(location, op, "activation",
                        strAttr(adaptor.getActivationAttr(), "none"),
                        {"none", "silu", "swish"})))
    return failure();
  Value input = adaptor.getInput();
  OptShape xs = shapeOf(input), ws = shapeOf(adaptor.getWeight()),
           bs = shapeOf(adaptor.getBias()),
           ps = shapeOf(adaptor.getPastState());
  if (failed(checkRank(location, op, "input", xs, 3)) ||
      failed(checkRank(location, op, "weight", ws, 3)) ||
      failed(checkRank(location, op, "bias", bs, 1)) ||
      failed(checkRank(location, op, "past_state", ps, 3)))
    return failure();
  // Depthwise: weight is (C, 1, k), state is (B, C, k - 1).
  auto channels = mergeDim(location, op, dimAt(xs, 1), "dim 1 of input",
                           dimAt(ws, 0), "dim 0 of weight");
  if (failed(channels) ||
      failed(mergeDim(location, op, dimAt(ws, 1), "dim 1 of weight", 1,
                      "1 (depthwise)")) ||
      failed(mergeDim(location, op, dimAt(bs, 0), "dim 0 of bias", *channels,
                      "channels")))
    return failure();
  int64_t k = dimAt(ws, 2);
  if (!isDyn(k) && failed(checkPositive(location, op, "dim 2 of weight", k)))
    return failure();
  int64_t stateLen = isDyn(k) ? kDyn : k - 1;
  auto batch = mergeDim(location, op, dimAt(xs, 0), "dim 0 of input",
                        dimAt(ps, 0), "dim 0 of past_state");
  if (failed(batch) ||
      failed(mergeDim(location, op, dimAt(ps, 1), "dim 1 of past_state",
                      *channels, "channels")))
    return failure();
  auto state = mergeDim(location, op, dimAt(ps, 2), "dim 2 of past_state",
                        stateLen, "kernel size - 1");
  if (failed(state))
    return failure();
  Type elem = elemOf(input);
  Shape outShape = {*batch, *channels, dimAt(xs, 2)};
  types.push_back(RankedTensorType::get(outShape, elem));
  types.push_back(RankedTensorType::get({*batch, *channels, *state}, elem));
  return success();
}

} // namespace aicc::graph
