//===- ShapeRulesPooling.cpp - Result types of pooling ops ----------------===//
//
// inferReturnTypes for MaxPool, AveragePool, LpPool, the Global*Pool ops,
// MaxUnpool, MaxRoiPool and RoiAlign, following the ONNX specification of
// the newest opset. MaxPool's Indices result always exists.
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

/// Attributes common to MaxPool, AveragePool and LpPool.
struct PoolArgs {
  StringRef op;
  Value x;
  DenseI64ArrayAttr kernelShape;
  std::optional<ArrayRef<int64_t>> strides, dilations, pads;
  StringRef autoPad = "NOTSET";
  bool ceilMode = false;
};

/// The pooling attributes every pool op has (MaxPool, AveragePool, LpPool).
template <typename Adaptor>
PoolArgs poolArgsOf(StringRef op, Adaptor adaptor) {
  return PoolArgs{op,
                  adaptor.getX(),
                  adaptor.getProperties().kernel_shape,
                  arrayAttr(adaptor.getStridesAttr()),
                  arrayAttr(adaptor.getDilationsAttr()),
                  arrayAttr(adaptor.getPadsAttr()),
                  strAttr(adaptor.getAutoPadAttr(), "NOTSET"),
                  intAttr(adaptor.getCeilModeAttr(), 0) != 0};
}

FailureOr<OptShape> inferPoolShape(Loc loc, const PoolArgs &a) {
  StringRef op = a.op;
  if (!a.kernelShape)
    return missingAttr(loc, op, "kernel_shape");
  OptShape xs = shapeOf(a.x);
  if (failed(checkMinRank(loc, op, "X", xs, 3)))
    return failure();
  if (!xs)
    return OptShape();
  size_t n = xs->size() - 2;
  Window win;
  if (failed(readWindow(loc, op, n, a.strides, a.dilations, a.pads, a.autoPad,
                        a.ceilMode, win)))
    return failure();
  auto kernel = readKernel(loc, op, n, a.kernelShape.asArrayRef(), {});
  if (failed(kernel))
    return failure();
  win.kernel = *kernel;
  auto spatial =
      windowOutput(loc, op, ArrayRef<int64_t>(*xs).drop_front(2), win);
  if (failed(spatial))
    return failure();
  Shape out = {(*xs)[0], (*xs)[1]};
  out.append(spatial->begin(), spatial->end());
  return OptShape(out);
}

/// GlobalAveragePool, GlobalMaxPool, GlobalLpPool: (N, C, 1, ..., 1).
LogicalResult inferGlobalPool(Loc loc, StringRef op, Value x,
                              SmallVectorImpl<Type> &types) {
  OptShape xs = shapeOf(x);
  if (failed(checkMinRank(loc, op, "X", xs, 2)))
    return failure();
  if (xs)
    for (size_t i = 2; i < xs->size(); ++i)
      (*xs)[i] = 1;
  types.push_back(tensorOf(xs, elemOf(x)));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          MaxPoolOp::Adaptor adaptor,
                                          SmallVectorImpl<Type> &types) {
  auto shape = inferPoolShape(location, poolArgsOf("MaxPool", adaptor));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  types.push_back(tensorOf(*shape, IntegerType::get(context, 64)));
  return success();
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              AveragePoolOp::Adaptor adaptor,
                                              SmallVectorImpl<Type> &types) {
  auto shape = inferPoolShape(location, poolArgsOf("AveragePool", adaptor));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  return success();
}

LogicalResult LpPoolOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         LpPoolOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  auto shape = inferPoolShape(location, poolArgsOf("LpPool", adaptor));
  if (failed(shape))
    return failure();
  types.push_back(tensorOf(*shape, elemOf(adaptor.getX())));
  return success();
}

LogicalResult GlobalAveragePoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    GlobalAveragePoolOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferGlobalPool(location, "GlobalAveragePool", adaptor.getX(), types);
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    GlobalMaxPoolOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  return inferGlobalPool(location, "GlobalMaxPool", adaptor.getX(), types);
}

LogicalResult GlobalLpPoolOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> location,
                                               GlobalLpPoolOp::Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  return inferGlobalPool(location, "GlobalLpPool", adaptor.getX(), types);
}

LogicalResult MaxUnpoolOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            MaxUnpoolOp::Adaptor adaptor,
                                            SmallVectorImpl<Type> &types) {
  StringRef op = "MaxUnpool";
  DenseI64ArrayAttr kernelAttr = adaptor.getProperties().kernel_shape;
  if (!kernelAttr)
    return missingAttr(location, op, "kernel_shape");
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x);
  if (failed(checkMinRank(location, op, "X", xs, 3)) ||
      failed(
          checkSameRank(location, op, "I", shapeOf(adaptor.getI()), "X", xs)))
    return failure();
  if (!xs) {
    types.push_back(UnrankedTensorType::get(elemOf(x)));
    return success();
  }
  size_t n = xs->size() - 2;
  Window win;
  if (failed(readWindow(location, op, n, arrayAttr(adaptor.getStridesAttr()),
                        std::nullopt, arrayAttr(adaptor.getPadsAttr()),
                        "NOTSET", false, win)))
    return failure();
  auto kernel = readKernel(location, op, n, kernelAttr.asArrayRef(), {});
  if (failed(kernel))
    return failure();

  Shape out(xs->size(), kDyn);
  if (Value outputShape = adaptor.getOutputShape()) {
    if (auto values = getConstantInts(outputShape)) {
      if (failed(checkLength(location, op, "output_shape", values->size(),
                             xs->size())) ||
          failed(checkAllNonNegative(location, op, "output_shape", *values)))
        return failure();
      out.assign(values->begin(), values->end());
    } else {
      out[0] = (*xs)[0];
      out[1] = (*xs)[1];
    }
    types.push_back(RankedTensorType::get(out, elemOf(x)));
    return success();
  }
  out[0] = (*xs)[0];
  out[1] = (*xs)[1];
  for (size_t i = 0; i < n; ++i) {
    int64_t in = (*xs)[i + 2];
    if (isDyn(in))
      continue;
    int64_t size = (in - 1) * win.strides[i] - win.pads[i] - win.pads[i + n] +
                   (*kernel)[i];
    if (size < 0)
      return emitOptionalError(location, op, ": spatial dim ", i,
                               " has negative output size ", size);
    out[i + 2] = size;
  }
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

LogicalResult MaxRoiPoolOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             MaxRoiPoolOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "MaxRoiPool";
  DenseI64ArrayAttr pooled = adaptor.getProperties().pooled_shape;
  if (!pooled)
    return missingAttr(location, op, "pooled_shape");
  if (failed(checkLength(location, op, "pooled_shape", pooled.size(), 2)) ||
      failed(
          checkAllPositive(location, op, "pooled_shape", pooled.asArrayRef())))
    return failure();
  OptShape xs = shapeOf(adaptor.getX()), rs = shapeOf(adaptor.getRois());
  if (failed(checkRank(location, op, "X", xs, 4)) ||
      failed(checkRank(location, op, "rois", rs, 2)) ||
      failed(mergeDim(location, op, dimAt(rs, 1), "dim 1 of rois", 5,
                      "5 (batch index and box corners)")))
    return failure();
  Shape out = {dimAt(rs, 0), dimAt(xs, 1), pooled[0], pooled[1]};
  types.push_back(RankedTensorType::get(out, elemOf(adaptor.getX())));
  return success();
}

LogicalResult RoiAlignOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           RoiAlignOp::Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  StringRef op = "RoiAlign";
  int64_t height = intAttr(adaptor.getOutputHeightAttr(), 1);
  int64_t width = intAttr(adaptor.getOutputWidthAttr(), 1);
  if (failed(checkPositive(location, op, "output_height", height)) ||
      failed(checkPositive(location, op, "output_width", width)))
    return failure();
  OptShape xs = shapeOf(adaptor.getX()), rs = shapeOf(adaptor.getRois()),
           bs = shapeOf(adaptor.getBatchIndices());
  if (failed(checkRank(location, op, "X", xs, 4)) ||
      failed(checkRank(location, op, "rois", rs, 2)) ||
      failed(checkRank(location, op, "batch_indices", bs, 1)) ||
      failed(mergeDim(location, op, dimAt(rs, 1), "dim 1 of rois", 4,
                      "4 (box corners)")))
    return failure();
  auto numRois = mergeDim(location, op, dimAt(rs, 0), "dim 0 of rois",
                          dimAt(bs, 0), "dim 0 of batch_indices");
  if (failed(numRois))
    return failure();
  Shape out = {*numRois, dimAt(xs, 1), height, width};
  types.push_back(RankedTensorType::get(out, elemOf(adaptor.getX())));
  return success();
}

} // namespace aicc::graph
