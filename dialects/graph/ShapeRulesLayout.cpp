//===- ShapeRulesLayout.cpp - Result types of layout ops ------------------===//
//
// inferReturnTypes for the layout and sampling ops DepthToSpace,
// SpaceToDepth, GridSample, AffineGrid, CenterCropPad, Col2Im, Pad and
// Resize, following the ONNX specification of the newest opset. Col2Im
// uses the sliding-window helpers.
//
// Conventions are those of ShapeInference.h; shared helpers are in
// ShapeRulesNNHelpers.h.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/GraphOps.h"
#include "dialects/graph/ShapeInference.h"
#include "dialects/graph/ShapeRulesNNHelpers.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;

namespace aicc::graph {
using namespace nn_rules;

//===----------------------------------------------------------------------===//
// Layout and sampling
//===----------------------------------------------------------------------===//

/// The checked `blocksize` (positive) and `mode` (DCR or CRD) of
/// DepthToSpace and SpaceToDepth.
template <typename Adaptor>
FailureOr<int64_t> checkedBlockSize(Loc location, StringRef op,
                                    Adaptor adaptor) {
  IntegerAttr blockAttr = adaptor.getProperties().blocksize;
  if (!blockAttr)
    return missingAttr(location, op, "blocksize");
  int64_t block = blockAttr.getValue().getSExtValue();
  if (failed(checkPositive(location, op, "blocksize", block)) ||
      failed(checkOneOf(location, op, "mode",
                        strAttr(adaptor.getModeAttr(), "DCR"), {"DCR", "CRD"})))
    return failure();
  return block;
}

LogicalResult DepthToSpaceOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> location,
                                               DepthToSpaceOp::Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  StringRef op = "DepthToSpace";
  FailureOr<int64_t> blockSize = checkedBlockSize(location, op, adaptor);
  if (failed(blockSize))
    return failure();
  int64_t block = *blockSize;
  Value input = adaptor.getInput();
  OptShape s = shapeOf(input);
  if (failed(checkRank(location, op, "input", s, 4)))
    return failure();
  if (s) {
    auto c = divideDim(location, op, (*s)[1], "dim 1 of input", block * block,
                       "blocksize * blocksize");
    if (failed(c))
      return failure();
    *s = {(*s)[0], *c, mulDims((*s)[2], block), mulDims((*s)[3], block)};
  }
  types.push_back(tensorOf(s, elemOf(input)));
  return success();
}

LogicalResult SpaceToDepthOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> location,
                                               SpaceToDepthOp::Adaptor adaptor,
                                               SmallVectorImpl<Type> &types) {
  StringRef op = "SpaceToDepth";
  FailureOr<int64_t> blockSize = checkedBlockSize(location, op, adaptor);
  if (failed(blockSize))
    return failure();
  int64_t block = *blockSize;
  Value input = adaptor.getInput();
  OptShape s = shapeOf(input);
  if (failed(checkRank(location, op, "input", s, 4)))
    return failure();
  if (s) {
    auto h =
        divideDim(location, op, (*s)[2], "dim 2 of input", block, "blocksize");
    auto w =
        divideDim(location, op, (*s)[3], "dim 3 of input", block, "blocksize");
    if (failed(h) || failed(w))
      return failure();
    *s = {(*s)[0], mulDims((*s)[1], block * block), *h, *w};
  }
  types.push_back(tensorOf(s, elemOf(input)));
  return success();
}

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             GridSampleOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "GridSample";
  Value x = adaptor.getX();
  OptShape xs = shapeOf(x), gs = shapeOf(adaptor.getGrid());
  if (failed(checkMinRank(location, op, "X", xs, 3)) ||
      failed(checkMinRank(location, op, "grid", gs, 3)) ||
      failed(checkSameRank(location, op, "grid", gs, "X", xs)))
    return failure();
  if (!xs && !gs) {
    types.push_back(UnrankedTensorType::get(elemOf(x)));
    return success();
  }
  int64_t rank = xs ? xs->size() : gs->size();
  auto batch = mergeDim(location, op, dimAt(xs, 0), "dim 0 of X", dimAt(gs, 0),
                        "dim 0 of grid");
  if (failed(batch) ||
      failed(mergeDim(location, op, dimAt(gs, rank - 1),
                      ("dim " + Twine(rank - 1) + " of grid").str(), rank - 2,
                      "the number of spatial dims of X")))
    return failure();
  Shape out = {*batch, dimAt(xs, 1)};
  for (int64_t i = 1; i < rank - 1; ++i)
    out.push_back(dimAt(gs, i));
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

LogicalResult AffineGridOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             AffineGridOp::Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  StringRef op = "AffineGrid";
  Value theta = adaptor.getTheta();
  OptShape ts = shapeOf(theta), sizeShape = shapeOf(adaptor.getSize());
  if (failed(checkRank(location, op, "theta", ts, 3)) ||
      failed(checkRank(location, op, "size", sizeShape, 1)))
    return failure();
  auto size = getConstantInts(adaptor.getSize());
  // The number of spatial dims: from size's values or length, else theta.
  int64_t sizeLength = size ? (int64_t)size->size() : dimAt(sizeShape, 0);
  if (!isDyn(sizeLength) && sizeLength != 4 && sizeLength != 5)
    return emitOptionalError(
        location, op, ": size must have 4 or 5 elements, got ", sizeLength);
  if (size && failed(checkAllNonNegative(location, op, "size", *size)))
    return failure();
  int64_t spatial = isDyn(sizeLength) ? dimAt(ts, 1) : sizeLength - 2;
  if (spatial != 2 && spatial != 3) {
    types.push_back(UnrankedTensorType::get(elemOf(theta)));
    return success();
  }
  int64_t batch = dimAt(ts, 0);
  if (failed(mergeDim(location, op, dimAt(ts, 1), "dim 1 of theta", spatial,
                      "the number of spatial dims")) ||
      failed(mergeDim(location, op, dimAt(ts, 2), "dim 2 of theta", spatial + 1,
                      "the number of spatial dims + 1")))
    return failure();
  Shape out(spatial + 2, kDyn);
  if (size) {
    auto b = mergeDim(location, op, batch, "dim 0 of theta", (*size)[0],
                      "N in size");
    if (failed(b))
      return failure();
    batch = *b;
    for (int64_t i = 0; i < spatial; ++i)
      out[i + 1] = (*size)[i + 2];
  }
  out[0] = batch;
  out[spatial + 1] = spatial;
  types.push_back(RankedTensorType::get(out, elemOf(theta)));
  return success();
}

LogicalResult CenterCropPadOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location,
    CenterCropPadOp::Adaptor adaptor, SmallVectorImpl<Type> &types) {
  StringRef op = "CenterCropPad";
  Value input = adaptor.getInputData();
  OptShape s = shapeOf(input);
  if (failed(checkRank(location, op, "shape", shapeOf(adaptor.getShape()), 1)))
    return failure();
  if (s) {
    int64_t rank = s->size();
    SmallVector<int64_t> axes;
    if (auto attr = arrayAttr(adaptor.getAxesAttr())) {
      for (int64_t a : *attr) {
        auto axis = normalizeAxis(location, a, rank, "axes");
        if (failed(axis))
          return failure();
        axes.push_back(*axis);
      }
    } else {
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    }
    auto values = getConstantInts(adaptor.getShape());
    if (values && (failed(checkLength(location, op, "shape", values->size(),
                                      axes.size())) ||
                   failed(checkAllNonNegative(location, op, "shape", *values))))
      return failure();
    for (auto [i, axis] : llvm::enumerate(axes))
      (*s)[axis] = values ? (*values)[i] : kDyn;
  }
  types.push_back(tensorOf(s, elemOf(input)));
  return success();
}

LogicalResult Col2ImOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Col2ImOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef op = "Col2Im";
  Value input = adaptor.getInput();
  OptShape xs = shapeOf(input), is = shapeOf(adaptor.getImageShape()),
           bs = shapeOf(adaptor.getBlockShape());
  if (failed(checkRank(location, op, "input", xs, 3)) ||
      failed(checkRank(location, op, "image_shape", is, 1)) ||
      failed(checkRank(location, op, "block_shape", bs, 1)))
    return failure();
  auto image = getConstantInts(adaptor.getImageShape());
  auto block = getConstantInts(adaptor.getBlockShape());
  int64_t n = image ? image->size() : dimAt(is, 0);
  auto merged = mergeDim(location, op, n, "length of image_shape",
                         block ? (int64_t)block->size() : dimAt(bs, 0),
                         "length of block_shape");
  if (failed(merged))
    return failure();
  n = *merged;
  if (isDyn(n)) {
    types.push_back(UnrankedTensorType::get(elemOf(input)));
    return success();
  }
  if (image && failed(checkAllPositive(location, op, "image_shape", *image)))
    return failure();
  if (block && failed(checkAllPositive(location, op, "block_shape", *block)))
    return failure();
  Window win;
  if (failed(readWindow(location, op, n, arrayAttr(adaptor.getStridesAttr()),
                        arrayAttr(adaptor.getDilationsAttr()),
                        arrayAttr(adaptor.getPadsAttr()), "NOTSET", false,
                        win)))
    return failure();

  int64_t channels = kDyn;
  if (block) {
    std::optional<int64_t> blockSize = checkedProduct(*block);
    if (!blockSize)
      return checkTensorSize(location,
                             RankedTensorType::get(*block, elemOf(input)),
                             "Col2Im block_shape");
    auto c = divideDim(location, op, dimAt(xs, 1), "dim 1 of input", *blockSize,
                       "the block size");
    if (failed(c))
      return failure();
    channels = *c;
  }
  if (image && block) {
    // The number of blocks must match the sliding-window count.
    win.kernel.assign(block->begin(), block->end());
    auto counts = windowOutput(location, op, *image, win);
    if (failed(counts))
      return failure();
    std::optional<int64_t> numBlocks = checkedProduct(*counts);
    if (!numBlocks)
      return checkTensorSize(location,
                             RankedTensorType::get(*counts, elemOf(input)),
                             "Col2Im block counts");
    if (failed(mergeDim(location, op, dimAt(xs, 2), "dim 2 of input",
                        *numBlocks, "the number of blocks")))
      return failure();
  }
  Shape out = {dimAt(xs, 0), channels};
  for (int64_t i = 0; i < n; ++i)
    out.push_back(image ? (*image)[i] : kDyn);
  types.push_back(RankedTensorType::get(out, elemOf(input)));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      PadOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &types) {
  StringRef op = "Pad";
  if (failed(checkOneOf(location, op, "mode",
                        strAttr(adaptor.getModeAttr(), "constant"),
                        {"constant", "reflect", "edge", "wrap"})))
    return failure();
  Value data = adaptor.getData();
  OptShape s = shapeOf(data);
  if (failed(checkRank(location, op, "pads", shapeOf(adaptor.getPads()), 1)))
    return failure();
  if (!s) {
    types.push_back(data.getType());
    return success();
  }
  int64_t rank = s->size();
  std::optional<SmallVector<int64_t>> axes;
  if (Value axesValue = adaptor.getAxes()) {
    if (auto values = getConstantInts(axesValue)) {
      axes.emplace();
      for (int64_t a : *values) {
        auto axis = normalizeAxis(location, a, rank, "axes");
        if (failed(axis))
          return failure();
        axes->push_back(*axis);
      }
    }
  } else {
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  if (!axes) {
    types.push_back(RankedTensorType::get(Shape(rank, kDyn), elemOf(data)));
    return success();
  }
  auto pads = getConstantInts(adaptor.getPads());
  size_t numAxes = axes->size();
  if (pads &&
      failed(checkLength(location, op, "pads", pads->size(), 2 * numAxes)))
    return failure();
  Shape out = *s;
  for (size_t i = 0; i < numAxes; ++i) {
    int64_t axis = (*axes)[i];
    if (!pads || isDyn((*s)[axis])) {
      out[axis] = kDyn;
      continue;
    }
    int64_t size = (*s)[axis] + (*pads)[i] + (*pads)[i + numAxes];
    if (size < 0)
      return emitOptionalError(location, op, ": dim ", axis, " of size ",
                               (*s)[axis], " padded by ", (*pads)[i], " and ",
                               (*pads)[i + numAxes], " has negative size ",
                               size);
    out[axis] = size;
  }
  types.push_back(RankedTensorType::get(out, elemOf(data)));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         ResizeOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &types) {
  StringRef op = "Resize";
  StringRef policy = strAttr(adaptor.getKeepAspectRatioPolicyAttr(), "stretch");
  if (failed(checkOneOf(location, op, "keep_aspect_ratio_policy", policy,
                        {"stretch", "not_larger", "not_smaller"})))
    return failure();
  // Older exporters pass an empty tensor for the unused one of the two.
  auto isGiven = [](Value v) {
    if (!v)
      return false;
    OptShape s = shapeOf(v);
    return !(s && s->size() == 1 && (*s)[0] == 0);
  };
  Value scales = isGiven(adaptor.getScales()) ? adaptor.getScales() : Value();
  Value sizes = isGiven(adaptor.getSizes()) ? adaptor.getSizes() : Value();
  if (scales && sizes)
    return emitOptionalError(location, op,
                             ": scales and sizes must not both be given");
  if (!scales && !sizes)
    return emitOptionalError(location, op,
                             ": one of scales and sizes is required");
  Value x = adaptor.getX();
  OptShape s = shapeOf(x);
  if (!s) {
    types.push_back(x.getType());
    return success();
  }
  int64_t rank = s->size();
  SmallVector<int64_t> axes;
  if (auto attr = arrayAttr(adaptor.getAxesAttr())) {
    for (int64_t a : *attr) {
      auto axis = normalizeAxis(location, a, rank, "axes");
      if (failed(axis))
        return failure();
      axes.push_back(*axis);
    }
  } else {
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  Shape out = *s;
  if (scales) {
    auto values = getConstantFloats(scales);
    if (values && failed(checkLength(location, op, "scales", values->size(),
                                     axes.size())))
      return failure();
    for (auto [i, axis] : llvm::enumerate(axes)) {
      if (!values || isDyn((*s)[axis])) {
        out[axis] = kDyn;
        continue;
      }
      // floor(in * scale) on the exact f32 scale, as ONNX's shape inference
      // and reference do; a float product would round 40 * 1.4f up to 56.
      double scale = (*values)[i];
      if (!(scale > 0))
        return emitOptionalError(location, op,
                                 ": scales must be positive, got ", scale);
      auto size = checkedSize(location, op, axis,
                              std::floor((double)(*s)[axis] * scale));
      if (failed(size))
        return failure();
      out[axis] = *size;
    }
  } else {
    auto values = getConstantInts(sizes);
    if (values &&
        failed(checkLength(location, op, "sizes", values->size(), axes.size())))
      return failure();
    if (values && failed(checkAllPositive(location, op, "sizes", *values)))
      return failure();
    bool anyDynamic =
        llvm::any_of(axes, [&](int64_t a) { return isDyn((*s)[a]); });
    if (!values || (policy != "stretch" && anyDynamic)) {
      for (int64_t axis : axes)
        out[axis] = kDyn;
    } else if (policy == "stretch") {
      for (auto [i, axis] : llvm::enumerate(axes))
        out[axis] = (*values)[i];
    } else {
      double scale = policy == "not_larger"
                         ? std::numeric_limits<double>::infinity()
                         : 0.0;
      for (auto [i, axis] : llvm::enumerate(axes)) {
        double r = (double)(*values)[i] / (double)(*s)[axis];
        scale =
            policy == "not_larger" ? std::min(scale, r) : std::max(scale, r);
      }
      for (int64_t axis : axes) {
        auto size = checkedSize(location, op, axis,
                                std::floor(scale * (double)(*s)[axis] + 0.5));
        if (failed(size))
          return failure();
        out[axis] = *size;
      }
    }
  }
  types.push_back(RankedTensorType::get(out, elemOf(x)));
  return success();
}

} // namespace aicc::graph
