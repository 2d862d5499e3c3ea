//===- AmxConvGeometry.cpp - The geometry of the AMX convs ----------------===//
//
// See AmxConvGeometry.h.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/AmxConvGeometry.h"

using namespace mlir;

namespace aicc::avx512 {

std::optional<AmxConvGeometry> amxConvGeometryOf(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 8)
    return std::nullopt;
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() || outType.getRank() != 4)
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps[2] != AffineMap::get(8, 0, {d(0), d(1), d(2), d(3)}, ctx))
    return std::nullopt;
  // The activations: [N][C/g][g][H][W] read at (ho*s + kh, wo*s + kw).
  auto activationsStride = [&](AffineMap m) -> std::optional<int64_t> {
    if (m.getNumResults() != 5 || m.getResult(0) != d(0) ||
        m.getResult(1) != d(4) || m.getResult(2) != d(7))
      return std::nullopt;
    for (int64_t s = 1; s <= 4; ++s)
      if (m.getResult(3) == d(2) * s + d(5) &&
          m.getResult(4) == d(3) * s + d(6))
        return s;
    return std::nullopt;
  };
  AffineMap plain = AffineMap::get(8, 0, {d(1), d(4), d(7), d(5), d(6)}, ctx);
  AffineMap amx = AffineMap::get(8, 0, {d(1), d(5), d(6), d(4), d(7)}, ctx);
  int activations = -1;
  for (unsigned i = 0; i < 2; ++i)
    if (activationsStride(maps[i]) &&
        (maps[1 - i] == plain || maps[1 - i] == amx))
      activations = i;
  if (activations < 0)
    return std::nullopt;
  AmxConvGeometry conv;
  conv.activations = activations;
  conv.weights = 1 - activations;
  conv.stride = *activationsStride(maps[conv.activations]);
  conv.amxLayout = maps[conv.weights] == amx;
  auto actType = dyn_cast<RankedTensorType>(
      op.getDpsInputOperand(conv.activations)->get().getType());
  auto wType = dyn_cast<RankedTensorType>(
      op.getDpsInputOperand(conv.weights)->get().getType());
  if (!actType || !actType.hasStaticShape() || !wType ||
      !wType.hasStaticShape())
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  conv.batch = outType.getDimSize(0);
  conv.outChannels = outType.getDimSize(1);
  conv.outHeight = outType.getDimSize(2);
  conv.outWidth = outType.getDimSize(3);
  conv.channelGroups = ranges[4];
  conv.kernelHeight = ranges[5];
  conv.kernelWidth = ranges[6];
  conv.inHeight = actType.getDimSize(3);
  conv.inWidth = actType.getDimSize(4);
  if (actType.getDimSize(1) != conv.channelGroups ||
      actType.getDimSize(0) != conv.batch)
    return std::nullopt;
  return conv;
}

} // namespace aicc::avx512
