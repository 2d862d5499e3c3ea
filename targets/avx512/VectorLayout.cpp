//===- VectorLayout.cpp - Which dims the avx512 schedule vectorizes ------===//

#include "targets/avx512/VectorLayout.h"
#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

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

namespace {

/// The best tile with vectors along `v` and rows along `u` (-1: none), and
/// its score: the fraction of useful lanes and rows times how well its
/// accumulators hide the FMA latency.
std::pair<RegisterTile, double> bestTile(const std::vector<int> &extents,
                                         int v, int u, int lanes,
                                         bool partialVector = false) {
  RegisterTile t;
  t.lanes = lanes;
  t.vectorDim = v;
  t.unrollDim = u;
  t.vectorize =
      extents[v] >= lanes || (partialVector && 4 * extents[v] >= lanes);
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
  return {t, bestScore};
}

/// Whether `m` reads weights PackWeights laid out in panels: its first
/// result is `d floordiv c` and its last `d mod c`. In a kernel the
/// weights are an argument, no longer a constant; the tile chosen for them
/// must still be the one PackWeights packed for.
bool isPackedPanel(AffineMap m) {
  unsigned n = m.getNumResults();
  if (n < 2)
    return false;
  auto first = dyn_cast<AffineBinaryOpExpr>(m.getResult(0));
  auto last = dyn_cast<AffineBinaryOpExpr>(m.getResult(n - 1));
  return first && last && first.getKind() == AffineExprKind::FloorDiv &&
         last.getKind() == AffineExprKind::Mod &&
         first.getLHS() == last.getLHS() &&
         isa<AffineConstantExpr>(first.getRHS()) &&
         first.getRHS() == last.getRHS();
}

/// Whether `m` reads an 8-bit dot product's weights in PackWeights' panels
/// of output channels, [d floordiv B][..][d mod B][4].
bool isDotProductPanel(AffineMap m) {
  unsigned n = m.getNumResults();
  if (n < 3)
    return false;
  auto first = dyn_cast<AffineBinaryOpExpr>(m.getResult(0));
  auto mod = dyn_cast<AffineBinaryOpExpr>(m.getResult(n - 2));
  return first && mod && first.getKind() == AffineExprKind::FloorDiv &&
         mod.getKind() == AffineExprKind::Mod &&
         first.getLHS() == mod.getLHS() &&
         isa<AffineDimExpr>(first.getLHS()) &&
         isa<AffineConstantExpr>(first.getRHS()) &&
         first.getRHS() == mod.getRHS();
}

/// Parallel tasks a thread pool of 2 or 4 threads runs in whole rounds:
/// the mean over both of tasks / (threads x rounds).
double taskBalance(int64_t tasks) {
  double sum = 0;
  for (int64_t threads : {2, 4})
    sum += double(tasks) / double(threads * ((tasks + threads - 1) / threads));
  return sum / 2;
}

/// The tile `across` (vectors along a conv's channels, dim `b`, times one
/// whole row of pixels of a map narrower than a vector) with the number of
/// vectors that balances the conv's parallel tasks best. Each panel of the
/// tile's channels is one task when there are at least 8 of them
/// (HalideSchedule.cpp, scheduleReduction), and a count that 2 and 4
/// threads do not divide leaves a core idle at the end: ResNet-50's
/// 512-channel convs on 7x7 maps in 11 panels of 48 run 6 tasks on one of 2
/// cores and 5 on the other (17 vectors of channels against 15, the last
/// panel being 32 wide). Panels of 2 vectors (16 of 32 channels, 14
/// accumulators of 7 pixels) run as fast per core as those of 3 for a 3x3
/// conv 512 -> 512 and 3-6% slower for 1x1 convs (one thread, 8 convs with
/// distinct weights: 7.50-7.62 vs 7.65-7.69 ms; 2048 -> 512 3.66 vs
/// 3.45-3.57 ms): so they are taken where they balance the tasks by more
/// than that (512 channels: 11 -> 16 tasks), not for 2048 channels (43 ->
/// 64 tasks) or MobileNetV2's 1280 (27 -> 40).
RegisterTile balancedPanels(const std::vector<int> &ext, int b,
                            RegisterTile across) {
  constexpr int kMinPanelTasks = 8;
  constexpr double kTwoVectorRate = 0.94;
  if (!across.vectorize || across.unrollDim != 0 || across.rows != ext[0] ||
      ext.size() != 4 || b != 2)
    return across;
  auto score = [&](int vectors) {
    int width = vectors * across.lanes;
    int64_t panels = (ext[b] + width - 1) / width;
    if (panels < kMinPanelTasks || vectors * ext[0] > kMaxAccumulators)
      return -1.0;
    return tileEfficiency(ext[b], width) * taskBalance(panels) *
           (vectors == 2 ? kTwoVectorRate : 1.0);
  };
  double current = score(across.vectors);
  if (across.vectors != 3 || current < 0 || score(2) <= current)
    return across;
  across.vectors = 2;
  return across;
}

} // namespace

namespace {

/// Reductions at most this long take stridedStemTile's tile.
constexpr int64_t kMaxStridedStemReduction = 256;

/// The tile of a conv reading its input with a stride along the vector dim
/// and a short reduction (an RGB stem: ResNet-50's 7x7 stride-2 conv, 147
/// steps, MobileNetV2's 3x3 stride-2 conv, 27): 2 vectors x 8 rows (output
/// channels) instead of bestTile's one vector x 22 rows (or 2 x 11). Each
/// strided vector is two loads (nearly always split across cache lines) and
/// a shuffle, each row a broadcast weight: per step 1 x 22 does 24 loads
/// for 22 FMAs (load-bound), 2 x 8 12 loads and 2 shuffles for 16 FMAs;
/// and 8 rows divide both stems' channels (64, 32), so PackWeights' panels
/// and the tiles have no ragged last one. One thread, aicc-run --profile,
/// the conv alone: ResNet-50's 1.07-1.12 -> 0.99-1.03 ms (2 x 12 and 3 x 8
/// within that noise, 1 x 16 1.12, 7 x 4 1.58: 7 shuffles per 28 FMAs);
/// MobileNetV2's 0.137-0.141 -> 0.123 ms (2 x 12 0.129, 2 x 16 0.171).
/// The shuffles share the FMAs' pipes, which holds these tiles near 90% of
/// the FMA peak; an input copy with even and odd columns apart would need
/// none. Longer reductions keep their tile.
RegisterTile stridedStemTile(RegisterTile inner, const std::vector<int> &ext,
                             const TileProblem &p) {
  int u = inner.unrollDim, v = inner.vectorDim;
  if (p.reductionSize > kMaxStridedStemReduction || !inner.vectorize ||
      v != 0 || u < 0 || ext[v] < 2 * p.lanes || ext[u] % 8 != 0)
    return inner;
  inner.vectors = 2;
  inner.rows = 8;
  return inner;
}

} // namespace

RegisterTile chooseRegisterTile(const TileProblem &p) {
  const std::vector<int> &ext = p.extents;
  int rank = ext.size();
  int b = p.broadcast >= 1 && p.broadcast < rank && ext[p.broadcast] > 1
              ? p.broadcast
              : -1;
  auto [inner, innerScore] = bestTile(ext, 0, b, p.lanes);
  if (b < 0 || ext[b] < p.lanes)
    return inner;
  // Vectors along the broadcast dim: always when the innermost dim does not
  // fill a vector (its weights are then packed or repacked for it), else
  // only for constant weights and when it scores better.
  auto [across, acrossScore] = bestTile(ext, b, 0, p.lanes);
  if (ext[0] < p.lanes) {
    // Vectors along a non-constant input's outer dim would need a
    // transposed copy of it per call (a depthwise conv's image on a 14x14
    // map): a masked vector along the innermost dim is cheaper when it is
    // at least a quarter full.
    if (!p.broadcastInputsConstant && 4 * ext[0] >= p.lanes)
      return bestTile(ext, 0, b, p.lanes, /*partialVector=*/true).first;
    return balancedPanels(ext, b, across);
  }
  if (!p.broadcastInputsConstant)
    return inner;
  // Strided reads along the innermost dim cost a shuffle per vector, on
  // the port the FMAs need.
  if (p.innerStep > 1)
    innerScore *= 0.75;
  // Each accumulator of the other tile is stored as a scatter of `lanes`
  // elements: about lanes cycles against reductionSize / 2 of FMAs.
  double r = double(p.reductionSize);
  // A scatter whose lanes span more than the L1 TLB reaches (64 pages of 4
  // KiB: one vector's lanes, 64 bytes apart per element of the output
  // plane, on planes of more than 4096 elements, e.g. ResNet's 112x112
  // stem) misses the TLB on every lane:
  // ~8x the cost (measured: the 7x7 stride-2 stem conv, reduction 147, runs
  // 2.3x slower with vectors along its 64 channels).
  int64_t plane = 1;
  for (int k = 0; k < b; ++k)
    plane *= ext[k];
  double scatterCost = 2.0 * p.lanes;
  if (plane > 4096)
    scatterCost *= 8;
  // A conv whose task (a row of pixels, all output channels) keeps its
  // accumulators in L1 stores its output in vectors along the row, without
  // scatters (HalideSchedule.cpp, scheduleTransposedBlocked): ResNet-50's
  // 1x1 conv 256 -> 128 on 56x56, 87 -> 101-112 GFLOP/s on one core
  // (CPU time, loaded machine). Not matmuls: their one reduction loop
  // never takes that schedule. Only with more channels than one tile of 4
  // vectors: 256 -> 64 on 56x56 showed no gain that way (its share of
  // ResNet-50's perf samples 2.7-2.8% -> 2.9-3.1%, about the noise), its
  // task's input rows then read by a single tile.
  if (rank == 4 && b == 2 && p.lanes == 16 && p.reductionLoops >= 3 &&
      p.reductionSize >= 256 && ext[b] > 4 * p.lanes &&
      (int64_t)ext[0] * ext[b] <= kMaxBlockedAccumulators)
    scatterCost = 0;
  acrossScore *= r / (r + scatterCost);
  if (acrossScore > innerScore)
    return across;
  return p.innerStep > 1 ? stridedStemTile(inner, ext, p) : inner;
}

std::optional<RegisterTile> registerTileFor(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1)
    return std::nullopt;
  if (std::optional<DotProduct> dot = dotProductOf(op))
    return dot->tile;
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() || outType.getRank() == 0 ||
      outType.getNumElements() == 0 ||
      !outType.getElementType().isIntOrFloat())
    return std::nullopt;
  auto maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[op.getNumDpsInputs()];
  if (!outMap.isProjectedPermutation())
    return std::nullopt;
  TileProblem p;
  for (int64_t k = outType.getRank() - 1; k >= 0; --k) {
    if (outType.getDimSize(k) > std::numeric_limits<int>::max())
      return std::nullopt;
    p.extents.push_back((int)outType.getDimSize(k));
  }
  p.broadcast = broadcastDim(op);
  p.lanes = vectorLanesForBytes(
      llvm::divideCeil(outType.getElementTypeBitWidth(), 8));
  // 8-bit results on rows narrower than a 64-lane vector (a u8 max pool
  // on 56-wide rows): 32- or 16-lane vectors, else the tile is scalar.
  if (outType.getElementTypeBitWidth() == 8)
    while (p.lanes > 16 && p.extents[0] < p.lanes)
      p.lanes /= 2;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  for (auto [k, type] : llvm::enumerate(op.getIteratorTypesArray()))
    if (type == utils::IteratorType::reduction && k < ranges.size() &&
        !ShapedType::isDynamic(ranges[k])) {
      p.reductionSize *= ranges[k];
      ++p.reductionLoops;
    }
  unsigned innerLoop = outMap.getDimPosition(outMap.getNumResults() - 1);
  int rank = outMap.getNumResults();
  unsigned bLoop = p.broadcast >= 1 && p.broadcast < rank
                       ? outMap.getDimPosition(rank - 1 - p.broadcast)
                       : ~0u;
  p.broadcastInputsConstant = bLoop != ~0u;
  for (unsigned i = 0; i < op.getNumDpsInputs(); ++i) {
    AffineMap m = maps[i];
    for (AffineExpr e : m.getResults()) {
      // The coefficient of the innermost loop in this index.
      e.walk([&](AffineExpr sub) {
        auto bin = dyn_cast<AffineBinaryOpExpr>(sub);
        if (!bin || bin.getKind() != AffineExprKind::Mul)
          return;
        auto d = dyn_cast<AffineDimExpr>(bin.getLHS());
        auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
        if (d && c && d.getPosition() == innerLoop)
          p.innerStep = std::max(p.innerStep, std::abs(c.getValue()));
      });
    }
    if (bLoop != ~0u && m.isFunctionOfDim(bLoop) &&
        !op.getDpsInputOperand(i)->get().getDefiningOp<graph::ConstantOp>() &&
        !isPackedPanel(m))
      p.broadcastInputsConstant = false;
  }
  return chooseRegisterTile(p);
}

namespace {

/// The most i32 accumulators a task of a flattened 1x1 conv keeps in memory
/// (its plane x its channels; see flatPlaneTile): 128 KB, within L2 (a
/// 56x56 plane x 8 channels: 100 KB).
constexpr int64_t kMaxFlatAccumulators = 32768;

/// Whether `e` is `d<loop>`, plus only loops of one iteration (a 1x1
/// window's kh, kw).
bool isLoopPlusUnitLoops(AffineExpr e, unsigned loop,
                         ArrayRef<int64_t> ranges) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return d.getPosition() == loop;
  auto add = dyn_cast<AffineBinaryOpExpr>(e);
  if (!add || add.getKind() != AffineExprKind::Add)
    return false;
  auto unit = [&](AffineExpr x) {
    auto d = dyn_cast<AffineDimExpr>(x);
    return d && d.getPosition() < ranges.size() &&
           ranges[d.getPosition()] == 1;
  };
  return (isLoopPlusUnitLoops(add.getLHS(), loop, ranges) &&
          unit(add.getRHS())) ||
         (unit(add.getLHS()) && isLoopPlusUnitLoops(add.getRHS(), loop, ranges));
}

/// The tile of an 8-bit 1x1 conv of stride 1 computed over its flattened
/// plane (RegisterTile::flatRows): the activations (`a`, of type `actType`)
/// read output rows y and columns x (Halide dims 1 and 0) as their last two
/// dims, of exactly the output's H x W, so `flatRows` whole rows are one
/// contiguous run of pixels. Vectors run along that run (16 pixels x 4
/// channels, 64 contiguous bytes per load), rows along the output channels
/// (dim `weightsDim`; 4 bytes of weights broadcast per row). Only for rows
/// that are not a whole number of vectors (on 16-, 32-, 64-wide rows the
/// row tile wastes nothing): ResNet-50's 14-, 28- and 56-wide maps, whose
/// row tiles leave 12% of their lanes idle (56 = 3.5 vectors) or (14-wide
/// rows, vectors along the channels) store with byte scatters and read
/// the residual with byte gathers. Not when the run covers its vectors
/// badly (7x7: 49 pixels in 4 vectors).
std::optional<RegisterTile>
flatPlaneTile(AffineMap outMap, AffineMap w, AffineMap a,
              RankedTensorType actType, ArrayRef<int64_t> ranges,
              const std::vector<int> &extents, int activationsDim,
              int weightsDim, int64_t reduction) {
  int rank = extents.size();
  if (rank < 3 || activationsDim != 0 || weightsDim < 2 ||
      extents[0] % 16 == 0 || actType.getRank() < 2)
    return std::nullopt;
  unsigned xLoop = outMap.getDimPosition(rank - 1);
  unsigned yLoop = outMap.getDimPosition(rank - 2);
  int64_t n = a.getNumResults();
  if (n != actType.getRank() || w.isFunctionOfDim(xLoop) ||
      w.isFunctionOfDim(yLoop) ||
      !isLoopPlusUnitLoops(a.getResult(n - 1), xLoop, ranges) ||
      !isLoopPlusUnitLoops(a.getResult(n - 2), yLoop, ranges) ||
      actType.getDimSize(n - 1) != extents[0] ||
      actType.getDimSize(n - 2) != extents[1])
    return std::nullopt;
  for (int64_t k = 0; k + 2 < n; ++k)
    if (a.getResult(k).isFunctionOfDim(xLoop) ||
        a.getResult(k).isFunctionOfDim(yLoop))
      return std::nullopt;
  // A task is a whole plane (flatRows = H): with fewer rows, Halide does
  // not fold the task's first row out of the accumulators' index
  // (((q / W + y0) * W + q % W) - y0 * W, behind lets), cannot vectorize
  // the update atomically and computes it in scalars. Vectors along the run
  // and rows of channels: the most lanes used; one vector x 16 channels
  // loads as much as it computes (17 loads per 16 dot products), so it
  // counts less. At most 3 vectors: the last tile of the plane, rounded up,
  // then reads at most 47 bytes past the activations (HalideSchedule.cpp,
  // scheduleFlatPlaneDot).
  static const std::pair<int, int> kTiles[] = {{2, 8}, {3, 8}, {1, 16}};
  int width = extents[0], height = extents[1], channels = extents[weightsDim];
  int64_t run = (int64_t)height * width;
  RegisterTile best;
  double bestScore = 0;
  for (auto [vectors, channelRows] : kTiles) {
    if (channels % channelRows || run < 16 * vectors ||
        run * channelRows > kMaxFlatAccumulators)
      continue;
    double score = tileEfficiency((int)run, 16 * vectors) *
                   (vectors == 1 ? 0.9 : 1.0);
    if (score > bestScore + 1e-9) {
      bestScore = score;
      best.vectors = vectors;
      best.rows = channelRows;
      best.flatRows = height;
    }
  }
  // A run that fills its tiles badly (14x14: 196 pixels in 7 tiles of 32)
  // only pays against the channel-vectorized tile's scattered epilogue when
  // the reduction is short: ResNet-50's layer3 256 -> 1024 (with the
  // residual add) 0.237 -> 0.173 ms on one core, its 1024 -> 256 0.131 ->
  // 0.146 ms.
  // Nor when the reduction is too short to pay for the accumulators'
  // round trip through the task's buffer (zeroed, loaded and stored per
  // tile, read by the epilogue): MobileNetV2's expand convs 24 -> 144 on
  // 56x56, 0.053 -> 0.063 ms flattened.
  if (bestScore < 0.85 || (bestScore < 0.95 && reduction > 256) ||
      reduction < 64)
    return std::nullopt;
  best.lanes = 16;
  best.vectorize = true;
  best.vectorDim = 0;
  best.unrollDim = weightsDim;
  return best;
}

} // namespace

std::optional<DotProduct> dotProductOf(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return std::nullopt;
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() || outType.getRank() < 2 ||
      outType.getNumElements() > std::numeric_limits<int>::max())
    return std::nullopt;
  auto elementIs = [](Value v, auto predicate) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    return t && t.hasStaticShape() && predicate(t.getElementType());
  };
  auto is8Bit = [](Type t) { return t.isInteger(8); };
  auto isBF16 = [](Type t) { return t.isBF16(); };
  Value in0 = op.getDpsInputs()[0], in1 = op.getDpsInputs()[1];
  // i32 += 8-bit x 8-bit in dot products of 4 (VNNI's vpdpbusd), or f32 +=
  // bf16 x bf16 in dot products of 2 (AVX512-BF16's vdpbf16ps, the form
  // of LowPrecisionKernels.cpp).
  bool int8Dot = outType.getElementType().isInteger(32) &&
                 elementIs(in0, is8Bit) && elementIs(in1, is8Bit);
  bool bf16Dot = outType.getElementType().isF32() && elementIs(in0, isBF16) &&
                 elementIs(in1, isBF16);
  if (!int8Dot && !bf16Dot)
    return std::nullopt;
  // The body: acc + ext(a) * ext(b), nothing else (a u8 input is
  // reinterpreted as signless i8 first).
  for (Operation &inner : op.getRegion().front().without_terminator())
    if (int8Dot ? !isa<arith::ExtSIOp, arith::ExtUIOp, arith::MulIOp,
                       arith::AddIOp, UnrealizedConversionCastOp>(inner)
                : !isa<arith::ExtFOp, arith::MulFOp, arith::AddFOp>(inner))
      return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  unsigned numLoops = ranges.size();
  DotProduct dot;
  dot.dotLoop = numLoops - 1;
  if (iterators[dot.dotLoop] != utils::IteratorType::reduction ||
      ranges[dot.dotLoop] != (int8Dot ? 4 : 2))
    return std::nullopt;
  auto maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[2];
  int64_t rank = outMap.getNumResults();
  if (!outMap.isProjectedPermutation())
    return std::nullopt;
  // The weights: the constant input, or (in a kernel, where constants are
  // arguments) the one PackWeights laid out with the reduction of 4
  // innermost and a parallel loop the other input does not read next to it.
  auto packed = [&](unsigned i) {
    AffineMap m = maps[i], other = maps[1 - i];
    int64_t n = m.getNumResults();
    if (n < 2)
      return false;
    auto last = dyn_cast<AffineDimExpr>(m.getResult(n - 1));
    auto next = dyn_cast<AffineDimExpr>(m.getResult(n - 2));
    // Or the position in a panel of output channels (PackWeights'
    // [F/B][..][B][4]).
    if (auto mod = dyn_cast<AffineBinaryOpExpr>(m.getResult(n - 2));
        mod && isDotProductPanel(m))
      next = dyn_cast<AffineDimExpr>(mod.getLHS());
    return last && next && last.getPosition() == dot.dotLoop &&
           iterators[next.getPosition()] == utils::IteratorType::parallel &&
           !other.isFunctionOfDim(next.getPosition());
  };
  bool c0 = (bool)op.getDpsInputs()[0].getDefiningOp<graph::ConstantOp>();
  bool c1 = (bool)op.getDpsInputs()[1].getDefiningOp<graph::ConstantOp>();
  if (c0 != c1)
    dot.weights = c1 ? 1 : 0;
  else if (packed(0) != packed(1))
    dot.weights = packed(1) ? 1 : 0;
  else
    return std::nullopt;
  dot.activations = 1 - dot.weights;
  AffineMap w = maps[dot.weights], a = maps[dot.activations];
  // Both read the reduction of 4 as a plain index.
  auto plainIn = [&](AffineMap m, unsigned loop) {
    return llvm::any_of(m.getResults(), [&](AffineExpr e) {
      auto d = dyn_cast<AffineDimExpr>(e);
      return d && d.getPosition() == loop;
    });
  };
  if (!plainIn(w, dot.dotLoop) || !plainIn(a, dot.dotLoop))
    return std::nullopt;
  // The weights' output dim (packed next to the 4): the innermost output
  // dim the weights index plainly (or as panel and position in it) and the
  // activations do not.
  auto inPanel = [&](AffineMap m, unsigned loop) {
    if (!isDotProductPanel(m))
      return false;
    auto mod = cast<AffineBinaryOpExpr>(m.getResult(m.getNumResults() - 2));
    return cast<AffineDimExpr>(mod.getLHS()).getPosition() == loop;
  };
  int weightsDim = -1;
  for (int64_t k = rank - 1; k >= 0 && weightsDim < 0; --k) {
    unsigned loop = outMap.getDimPosition(k);
    if ((plainIn(w, loop) || inPanel(w, loop)) && !a.isFunctionOfDim(loop)) {
      weightsDim = rank - 1 - k;
      dot.weightsLoop = loop;
    }
  }
  if (weightsDim < 0)
    return std::nullopt;
  // The activations' output dim: the innermost one they vary with and the
  // weights do not.
  int activationsDim = -1;
  for (int64_t k = rank - 1; k >= 0 && activationsDim < 0; --k) {
    unsigned loop = outMap.getDimPosition(k);
    if (a.isFunctionOfDim(loop) && !w.isFunctionOfDim(loop) &&
        outType.getDimSize(k) > 1)
      activationsDim = rank - 1 - k;
  }
  std::vector<int> extents;
  for (int64_t k = rank - 1; k >= 0; --k)
    extents.push_back((int)outType.getDimSize(k));
  // Whether the activations read output loop `loop` with a step of at most
  // `maxStep` (with step 1 their vectors of 16 x 4 bytes are 64 contiguous
  // bytes once the 4 is innermost; with step 2, two loads and a shuffle).
  auto stepAtMost = [&](unsigned loop, int64_t maxStep) {
    bool small = true;
    for (AffineExpr e : a.getResults())
      e.walk([&](AffineExpr sub) {
        auto bin = dyn_cast<AffineBinaryOpExpr>(sub);
        if (!bin || bin.getKind() != AffineExprKind::Mul)
          return;
        auto d = dyn_cast<AffineDimExpr>(bin.getLHS());
        auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
        if (d && d.getPosition() == loop &&
            (!c || c.getValue() < 1 || c.getValue() > maxStep))
          small = false;
      });
    return small;
  };
  // Stride 2 along the pixels only on planes of more than 4096 outputs
  // (ResNet-50's 7x7 stride-2 stem, 112x112): there the other orientation's
  // scatters miss the TLB on every lane (see chooseRegisterTile), while on
  // smaller maps the shuffle per step costs more than the scatters (the
  // 3x3 stride-2 conv of layer2, 28x28: 841 -> 532 GOP/s on one core).
  int64_t plane = rank >= 2 ? (int64_t)extents[0] * extents[1] : extents[0];
  int64_t maxStep = plane > 4096 ? 2 : 1;
  // Two orientations: vectors along the activations' dim (a conv's output
  // pixels: dense stores, the weights broadcast 4 bytes at a time), when it
  // is the innermost output dim, read with step 1 and at least one vector
  // wide with little padding; else vectors along the weights' dim (output
  // channels: the activations broadcast, each accumulator stored with a
  // scatter), which needs at least one vector.
  RegisterTile &t = dot.tile;
  t.lanes = 16;
  t.vectorize = true;
  // Multiply-adds per output.
  int64_t reduction = 1;
  for (auto [k, type] : llvm::enumerate(iterators))
    if (type == utils::IteratorType::reduction)
      reduction *= ranges[k];
  // On a tie, 2 vectors rather than 1 (56-wide rows: 2 x 32 or 4 x 16
  // pixels): with 8 rows instead of 16 a reduction step loads 2 vectors and
  // 8 broadcasts for 16 dot products, not 1 and 16. Not for short
  // reductions (MobileNetV2's expand convs 24 -> 144 on 56x56 measured
  // 0.053 -> 0.059 ms that way).
  auto bestVectors = [&](int extent) {
    int best = 1;
    double bestScore = -1;
    for (int vectors = 1; vectors <= 4; ++vectors) {
      double score = tileEfficiency(extent, vectors * 16);
      if (score > bestScore + 1e-9 ||
          (vectors == 2 && extent >= 32 && reduction >= 64 &&
           score > bestScore - 1e-9)) {
        best = vectors;
        bestScore = score;
      }
    }
    return std::make_pair(best, bestScore);
  };
  if (int8Dot)
    if (std::optional<RegisterTile> flat = flatPlaneTile(
            outMap, w, a,
            cast<RankedTensorType>(op.getDpsInputs()[dot.activations].getType()),
            ranges, extents, activationsDim, weightsDim, reduction)) {
      t = *flat;
      return dot;
    }
  bool alongActivations = false;
  if (activationsDim == 0 && extents[0] >= 16 &&
      stepAtMost(outMap.getDimPosition(rank - 1), maxStep)) {
    auto [vectors, score] = bestVectors(extents[0]);
    // A row that takes one vector with lanes to spare (28 wide: 2 vectors
    // of 16, the second shifted inwards, 87.5% of their lanes) goes along
    // the output channels when the reduction is long enough to pay for
    // the scattered stores: ResNet-50 int8's layer2 3x3 convs, 128 -> 128
    // on 28x28 (1152 steps), 0.30-0.32 -> 0.25 ms on one core (720-770 ->
    // 918 GOP/s). The 1-vector tile of 16 rows loads a broadcast per dot
    // product besides its vector; the other loads 2 weight vectors and 8
    // broadcasts per 16. (On 56-wide rows, 2 vectors x 8 rows, both
    // measured alike.)
    bool spareLanes =
        vectors == 1 && extents[0] < 32 && score < 0.9 && reduction >= 512;
    if (score >= 0.8 && !spareLanes) {
      alongActivations = true;
      t.vectorDim = 0;
      t.unrollDim = weightsDim;
      t.vectors = vectors;
    }
  }
  if (!alongActivations) {
    // At least one vector (the last partial tile shifts inwards).
    int extW = extents[weightsDim];
    if (extW < 16)
      return std::nullopt;
    t.vectorDim = weightsDim;
    t.unrollDim = activationsDim;
    t.vectors =
        extW >= 32 && tileEfficiency(extW, 32) >= tileEfficiency(extW, 16) ? 2
                                                                           : 1;
  }
  // Rows: up to 24 accumulators, the fewest padded rows.
  if (t.unrollDim >= 0) {
    int extU = extents[t.unrollDim];
    int maxRows = std::max(1, 24 / t.vectors);
    double best = -1;
    for (int rows = 1; rows <= std::min(extU, maxRows); ++rows) {
      double score =
          tileEfficiency(extU, rows) * std::min(rows * t.vectors, 16) / 16.0;
      if (score >= best - 1e-9) {
        best = score;
        t.rows = rows;
      }
    }
  }
  return dot;
}

std::optional<unsigned> stridedVectorPosition(linalg::GenericOp op,
                                              unsigned input) {
  if (op.getNumReductionLoops() == 0 || op.getNumDpsInits() != 1)
    return std::nullopt;
  if (std::optional<DotProduct> dot = dotProductOf(op)) {
    // The activations with the reduction of 4 innermost; the weights are
    // packed by PackWeights.
    if (input != dot->activations)
      return std::nullopt;
    AffineMap m = op.getIndexingMapsArray()[input];
    for (unsigned p = 0; p + 1 < m.getNumResults(); ++p) {
      auto d = dyn_cast<AffineDimExpr>(m.getResult(p));
      if (d && d.getPosition() == dot->dotLoop)
        return p;
    }
    return std::nullopt;
  }
  std::optional<RegisterTile> tile = registerTileFor(op);
  AffineMap outMap = op.getIndexingMapsArray()[op.getNumDpsInputs()];
  int64_t rank = outMap.getNumResults();
  if (!tile || rank < 2 || tile->vectorDim < 1 || !tile->vectorize)
    return std::nullopt;
  unsigned vLoop = outMap.getDimPosition(rank - 1 - tile->vectorDim);
  unsigned innerLoop = outMap.getDimPosition(rank - 1);
  AffineMap m = op.getIndexingMapsArray()[input];
  if (m.isFunctionOfDim(innerLoop) || !m.isFunctionOfDim(vLoop))
    return std::nullopt;
  for (unsigned p = 0; p + 1 < m.getNumResults(); ++p) {
    auto d = dyn_cast<AffineDimExpr>(m.getResult(p));
    if (d && d.getPosition() == vLoop)
      return p;
  }
  return std::nullopt;
}

} // namespace aicc::avx512
