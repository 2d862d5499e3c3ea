//===- VectorLayout.cpp - Which dims the avx512 schedule vectorizes ------===//

#include "targets/avx512/VectorLayout.h"

using namespace mlir;

namespace aicc::avx512 {

int64_t vectorLanesForBytes(int64_t bytes) {
  return std::max<int64_t>(4, 64 / std::max<int64_t>(1, bytes));
}

int broadcastDim(linalg::GenericOp op) {
  AffineMap outMap = op.getIndexingMapsArray()[op.getNumDpsInputs()];
  int64_t rank = outMap.getNumResults();
  if (rank < 2 || !outMap.isProjectedPermutation())
    return -1;
  unsigned innerLoop = outMap.getDimPosition(rank - 1);
  auto maps = op.getIndexingMapsArray();
  for (unsigned i = 0; i < op.getNumDpsInputs(); ++i) {
    AffineMap m = maps[i];
    if (m.isFunctionOfDim(innerLoop))
      continue;
    // Prefer dims nearer the inside.
    for (int64_t k = rank - 2; k >= 0; --k)
      if (m.isFunctionOfDim(outMap.getDimPosition(k)))
        return rank - 1 - k;
  }
  return 1;
}

unsigned largestInputDims(linalg::GenericOp op) {
  auto maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[op.getNumDpsInputs()];
  int64_t rank = outMap.getNumResults();
  if (rank == 0 || rank > 32 || !outMap.isProjectedPermutation())
    return 0;
  int largest = -1;
  int64_t largestSize = 16;
  for (unsigned i = 0; i < op.getNumDpsInputs(); ++i) {
    auto type = dyn_cast<RankedTensorType>(
        op.getDpsInputOperand(i)->get().getType());
    if (!type || !type.hasStaticShape())
      continue;
    if (type.getNumElements() >= largestSize) {
      largest = i;
      largestSize = type.getNumElements();
    }
  }
  if (largest < 0)
    return 0;
  unsigned mask = 0;
  for (int64_t k = 0; k < rank; ++k)
    if (maps[largest].isFunctionOfDim(outMap.getDimPosition(k)))
      mask |= 1u << (rank - 1 - k);
  return mask;
}

std::optional<unsigned> stridedVectorPosition(linalg::GenericOp op,
                                              unsigned input) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
    return std::nullopt;
  AffineMap outMap = op.getIndexingMapsArray()[op.getNumDpsInputs()];
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  int64_t rank = outMap.getNumResults();
  int u = broadcastDim(op);
  if (!outType || rank < 2 || u < 1)
    return std::nullopt;
  // The schedule's lane count is that of the output's element type.
  int64_t lanes = vectorLanesForBytes(
      llvm::divideCeil(outType.getElementTypeBitWidth(), 8));
  if (outType.getDimSize(rank - 1) >= lanes ||
      outType.getDimSize(rank - 1 - u) < lanes)
    return std::nullopt;
  unsigned uLoop = outMap.getDimPosition(rank - 1 - u);
  unsigned innerLoop = outMap.getDimPosition(rank - 1);
  AffineMap m = op.getIndexingMapsArray()[input];
  if (m.isFunctionOfDim(innerLoop) || !m.isFunctionOfDim(uLoop))
    return std::nullopt;
  for (unsigned p = 0; p + 1 < m.getNumResults(); ++p) {
    auto d = dyn_cast<AffineDimExpr>(m.getResult(p));
    if (d && d.getPosition() == uLoop)
      return p;
  }
  return std::nullopt;
}

} // namespace aicc::avx512
