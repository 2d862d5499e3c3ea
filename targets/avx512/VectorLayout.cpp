//===- VectorLayout.cpp - Which dims the avx512 schedule vectorizes ------===//

#include "targets/avx512/VectorLayout.h"

#include <limits>

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

std::optional<LargestInput> largestInput(linalg::GenericOp op) {
  auto maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[op.getNumDpsInputs()];
  int64_t rank = outMap.getNumResults();
  if (rank == 0 || rank > 32 || !outMap.isProjectedPermutation())
    return std::nullopt;
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
    return std::nullopt;
  return LargestInput{(unsigned)largest, outputDimsOf(op, largest)};
}

unsigned outputDimsOf(linalg::GenericOp op, unsigned input) {
  auto maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[op.getNumDpsInputs()];
  int64_t rank = outMap.getNumResults();
  if (rank > 32 || !outMap.isProjectedPermutation())
    return 0;
  unsigned dims = 0;
  for (int64_t k = 0; k < rank; ++k)
    if (maps[input].isFunctionOfDim(outMap.getDimPosition(k)))
      dims |= 1u << (rank - 1 - k);
  return dims;
}

namespace {

/// Of AVX-512's 32 vector registers, the accumulators may use this many;
/// the rest hold the loaded vectors and broadcasts of one reduction step.
constexpr int kMaxAccumulators = 24;
/// Enough accumulators to hide the FMA latency on both FMA ports.
constexpr int kEnoughAccumulators = 20;

/// The fraction of the computed elements that are real when `extent`
/// elements are covered by tiles of `tile`.
double tileEfficiency(int extent, int tile) {
  int tiles = (extent + tile - 1) / tile;
  return double(extent) / double(tiles * tile);
}

} // namespace

RegisterTile chooseRegisterTile(const std::vector<int> &extents, int broadcast,
                                int lanes) {
  RegisterTile t;
  t.lanes = lanes;
  int rank = extents.size();
  int v = 0;
  int u = broadcast >= 1 && broadcast < rank && extents[broadcast] > 1
              ? broadcast
              : -1;
  if (extents[0] < lanes && u >= 0 && extents[u] >= lanes)
    std::swap(v, u);
  t.vectorDim = v;
  t.unrollDim = u;
  t.vectorize = extents[v] >= lanes;
  int extV = extents[v], extU = u >= 0 ? extents[u] : 1;
  double bestScore = -1;
  int maxVectors = t.vectorize ? std::min(4, (extV + lanes - 1) / lanes) : 1;
  for (int vectors = 1; vectors <= maxVectors; ++vectors) {
    int maxRows = std::max(1, std::min(extU, kMaxAccumulators / vectors));
    for (int rows = 1; rows <= maxRows; ++rows) {
      int acc = vectors * rows;
      double score =
          (t.vectorize ? tileEfficiency(extV, vectors * lanes) : 1.0) *
          tileEfficiency(extU, rows) *
          std::min(acc, kEnoughAccumulators) / double(kEnoughAccumulators);
      // Among equals, the later (more accumulators) wins.
      if (score >= bestScore - 1e-9) {
        t.vectors = vectors;
        t.rows = rows;
        bestScore = std::max(score, bestScore);
      }
    }
  }
  return t;
}

std::optional<RegisterTile> registerTileFor(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() || outType.getRank() == 0 ||
      outType.getNumElements() == 0 ||
      !outType.getElementType().isIntOrFloat())
    return std::nullopt;
  std::vector<int> extents;
  for (int64_t k = outType.getRank() - 1; k >= 0; --k) {
    if (outType.getDimSize(k) > std::numeric_limits<int>::max())
      return std::nullopt;
    extents.push_back((int)outType.getDimSize(k));
  }
  int64_t lanes = vectorLanesForBytes(
      llvm::divideCeil(outType.getElementTypeBitWidth(), 8));
  return chooseRegisterTile(extents, broadcastDim(op), lanes);
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
