//===- PackWeights.cpp - Constant weights in vector-friendly layout ------===//

#include "targets/avx512/AmxBf16Kernels.h"
#include "targets/avx512/AmxKernels.h"
#include "targets/avx512/Passes.h"
#include "targets/avx512/VectorLayout.h"
#include "targets/avx512/WinogradConv.h"

#include "dialects/graph/GraphOps.h"
#include "passes/graph/ConstantData.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/xxhash.h"
#include <cstring>
#include <limits>

namespace aicc::avx512 {
#define GEN_PASS_DEF_PACKWEIGHTS
#include "targets/avx512/Passes.h.inc"
} // namespace aicc::avx512

using namespace mlir;

namespace aicc::avx512 {
namespace {

/// The raw row-major bytes of a constant, or an empty ref.
ArrayRef<char> rawData(ElementsAttr value) {
  return graph::getElementBytes(value).value_or(ArrayRef<char>());
}

/// A copy of `value` with its dims permuted: dim k of the copy is dim
/// perm[k] of `value`.
ElementsAttr permuteDims(ElementsAttr value, ArrayRef<int64_t> perm,
                         StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> newShape;
  for (int64_t k : perm)
    newShape.push_back(shape[k]);
  auto newType = RankedTensorType::get(newShape, elem);
  if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat())
    return DenseElementsAttr::get(newType, dense.getSplatValue<Attribute>());
  ArrayRef<char> src = rawData(value);
  size_t bytes = elem.getIntOrFloatBitWidth() / 8;
  if (src.size() != type.getNumElements() * bytes)
    return {};
  SmallVector<int64_t> srcStrides(rank, 1);
  for (int64_t k = rank - 2; k >= 0; --k)
    srcStrides[k] = srcStrides[k + 1] * shape[k + 1];
  std::vector<char> dst(src.size());
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t flat = 0, n = type.getNumElements(); flat < n; ++flat) {
    int64_t from = 0;
    for (int64_t k = 0; k < rank; ++k)
      from += idx[k] * srcStrides[perm[k]];
    memcpy(&dst[flat * bytes], &src[from * bytes], bytes);
    for (int64_t k = rank - 1; k >= 0; --k) {
      if (++idx[k] < newShape[k])
        break;
      idx[k] = 0;
    }
  }
  return DenseResourceElementsAttr::get(
      newType, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(
                         ArrayRef<char>(dst), alignof(uint64_t)));
}

/// A copy of `value` whose dim `pos` is moved innermost.
ElementsAttr moveDimInnermost(ElementsAttr value, unsigned pos,
                              StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> perm;
  for (int64_t k = 0; k < type.getRank(); ++k)
    if (k != pos)
      perm.push_back(k);
  perm.push_back(pos);
  return permuteDims(value, perm, name);
}

/// A copy of `value` whose dim `pos` (extent E) is split into E/block
/// panels: the panel index becomes the outermost dim and the position in the
/// panel the innermost, `[E/block][other dims...][block]`, zero-padded to a
/// whole number of panels. One panel is then contiguous in memory.
ElementsAttr blockDim(ElementsAttr value, unsigned pos, int64_t block,
                      StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8 || block < 1)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size(), extent = shape[pos];
  int64_t panels = llvm::divideCeil(extent, block);
  SmallVector<int64_t> newShape = {panels};
  for (int64_t k = 0; k < rank; ++k)
    if (k != pos)
      newShape.push_back(shape[k]);
  newShape.push_back(block);
  auto newType = RankedTensorType::get(newShape, elem);
  if (auto dense = dyn_cast<DenseElementsAttr>(value);
      dense && dense.isSplat() && panels * block == extent)
    return DenseElementsAttr::get(newType, dense.getSplatValue<Attribute>());
  ArrayRef<char> src = rawData(value);
  size_t bytes = elem.getIntOrFloatBitWidth() / 8;
  if (src.size() != type.getNumElements() * bytes)
    return {};
  SmallVector<int64_t> srcStrides(rank, 1);
  for (int64_t k = rank - 2; k >= 0; --k)
    srcStrides[k] = srcStrides[k + 1] * shape[k + 1];
  // The source dim of each destination dim but the first and last.
  SmallVector<int64_t> middle;
  for (int64_t k = 0; k < rank; ++k)
    if (k != pos)
      middle.push_back(k);
  int64_t total = panels * block;
  for (int64_t k : middle)
    total *= shape[k];
  std::vector<char> dst(total * bytes, 0);
  SmallVector<int64_t> idx(newShape.size(), 0);
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t along = idx.front() * block + idx.back();
    if (along < extent) {
      int64_t from = along * srcStrides[pos];
      for (size_t m = 0; m < middle.size(); ++m)
        from += idx[m + 1] * srcStrides[middle[m]];
      memcpy(&dst[flat * bytes], &src[from * bytes], bytes);
    }
    for (int64_t k = newShape.size() - 1; k >= 0; --k) {
      if (++idx[k] < newShape[k])
        break;
      idx[k] = 0;
    }
  }
  return DenseResourceElementsAttr::get(
      newType, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(
                         ArrayRef<char>(dst), alignof(uint64_t)));
}

/// The output loop whose register tiles each read one panel of constant
/// weights indexed by the output dims `dims`, and the panel size: the rows
/// (or vector columns) of one tile. Stored contiguously, a tile's weights
/// are read with sequential loads from a few cache lines instead of one line
/// per row at a large stride; when the weights are the largest input the
/// schedule also keeps their tile loop outermost, so each panel streams
/// through the cache once. std::nullopt when the weights are indexed by
/// both tiled dims or by neither.
std::optional<std::pair<unsigned, int64_t>>
weightPanel(linalg::GenericOp op, const RegisterTile &tile, unsigned dims) {
  AffineMap outMap = op.getIndexingMapsArray()[op.getNumDpsInputs()];
  int rank = outMap.getNumResults();
  auto outType = cast<RankedTensorType>(op.getResult(0).getType());
  std::vector<int> extents;
  for (int k = rank - 1; k >= 0; --k)
    extents.push_back((int)outType.getDimSize(k));
  int v = tile.vectorDim, u = tile.unrollDim;
  bool byV = (dims >> v) & 1, byU = u >= 0 && ((dims >> u) & 1);
  int dim;
  int64_t block;
  if (byV && !byU) {
    dim = v;
    block = tile.width(extents);
  } else if (byU && !byV && tile.rows > 1) {
    dim = u;
    block = tile.rows;
  } else {
    return std::nullopt;
  }
  return std::make_pair(outMap.getDimPosition(rank - 1 - dim), block);
}

/// A matmul with a dynamic output (decode's weight GEMVs, compiled for a
/// dynamic sequence length): the constant weights' tensor position of the
/// output dim they are read in vectors along and the panel size, the width
/// of the register tile scheduleReductionDynamic forms without a hint (the
/// same chooseRegisterTile, dynamic dims taken as kNominalDynamicExtent).
/// Panels of that width make each parallel task's weights (a panel of
/// whole columns for every step of the reduction) one contiguous stream:
/// with M = 1 (a decode step) the kernel reads them once, front to back,
/// instead of 256 bytes every row of the matrix (one 4 KiB page per row,
/// which the hardware prefetchers do not cross). std::nullopt unless the
/// output's innermost dim is static, wider than one tile and vectorized,
/// the weights are indexed by it and not by the tile's other (dynamic) dim.
std::optional<std::pair<unsigned, int64_t>>
dynamicWeightPanel(linalg::GenericOp op, unsigned input) {
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (op.getNumDpsInits() != 1 || !outType || outType.hasStaticShape() ||
      outType.getRank() < 2 || !outType.getElementType().isIntOrFloat())
    return std::nullopt;
  AffineMap outMap = op.getIndexingMapsArray()[op.getNumDpsInputs()];
  if (!outMap.isProjectedPermutation())
    return std::nullopt;
  int rank = outType.getRank();
  TileProblem problem;
  for (int k = rank - 1; k >= 0; --k) {
    int64_t e = outType.getDimSize(k);
    if (!ShapedType::isDynamic(e) && e > std::numeric_limits<int>::max())
      return std::nullopt;
    problem.extents.push_back(ShapedType::isDynamic(e) ? kNominalDynamicExtent
                                                       : (int)e);
  }
  problem.lanes = vectorLanesForBytes(
      llvm::divideCeil(outType.getElementTypeBitWidth(), 8));
  problem.broadcast = 1;
  RegisterTile tile = chooseRegisterTile(problem);
  int v = tile.vectorDim, u = tile.unrollDim;
  if (!tile.vectorize || v != 0 || outType.isDynamicDim(rank - 1) ||
      outType.getDimSize(rank - 1) <= tile.width(problem.extents))
    return std::nullopt;
  unsigned dims = outputDimsOf(op, input);
  if (!(dims & 1u) || (u >= 0 && ((dims >> u) & 1u)))
    return std::nullopt;
  return std::make_pair(outMap.getDimPosition(rank - 1),
                        (int64_t)tile.width(problem.extents));
}

/// A copy of dot-product weights `value` (8-bit, or bf16 pairs) as
/// [F/B][others][B][4 or 2]: dim `fpos` (F, output channels) split into
/// zero-padded panels of `block`, the dims `others` in that order, dim
/// `dpos` (the reduction of 4 or 2) innermost.
ElementsAttr dotProductPanels(ElementsAttr value, ArrayRef<int64_t> others,
                              int64_t fpos, int64_t dpos, int64_t block,
                              StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  Type elem = type.getElementType();
  if (!elem.isInteger(8) && !elem.isBF16())
    return {};
  const int64_t width = elem.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> src = rawData(value);
  if ((int64_t)src.size() != type.getNumElements() * width)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size(), extent = shape[fpos];
  int64_t panels = llvm::divideCeil(extent, block);
  SmallVector<int64_t> srcStrides(rank, 1);
  for (int64_t k = rank - 2; k >= 0; --k)
    srcStrides[k] = srcStrides[k + 1] * shape[k + 1];
  SmallVector<int64_t> newShape = {panels};
  for (int64_t k : others)
    newShape.push_back(shape[k]);
  newShape.append({block, shape[dpos]});
  int64_t total = 1;
  for (int64_t e : newShape)
    total *= e;
  std::vector<char> dst(total * width, 0);
  SmallVector<int64_t> idx(newShape.size(), 0);
  int64_t n = newShape.size();
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t f = idx[0] * block + idx[n - 2];
    if (f < extent) {
      int64_t from = f * srcStrides[fpos] + idx[n - 1] * srcStrides[dpos];
      for (size_t m = 0; m < others.size(); ++m)
        from += idx[m + 1] * srcStrides[others[m]];
      std::memcpy(&dst[flat * width], &src[from * width], width);
    }
    for (int64_t k = n - 1; k >= 0; --k) {
      if (++idx[k] < newShape[k])
        break;
      idx[k] = 0;
    }
  }
  return DenseResourceElementsAttr::get(
      RankedTensorType::get(newShape, type.getElementType()), name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(dst),
                                                    alignof(uint64_t)));
}

/// The weights' panel size of a dot product: the output channels
/// (DotProduct::weightsLoop) one register tile reads, the vectors' lanes
/// when the tile vectorizes them, its rows when it unrolls them; 0 when the
/// tile covers all of them (one panel).
int64_t dotProductPanel(linalg::GenericOp generic, const DotProduct &dot) {
  AffineMap outMap = generic.getIndexingMapsArray()[2];
  auto outType = cast<RankedTensorType>(generic.getResult(0).getType());
  int rank = outMap.getNumResults();
  std::vector<int> extents;
  for (int k = rank - 1; k >= 0; --k)
    extents.push_back((int)outType.getDimSize(k));
  int dim = -1;
  for (int k = 0; k < rank; ++k)
    if (outMap.getDimPosition(k) == dot.weightsLoop)
      dim = rank - 1 - k;
  if (dim < 0)
    return 0;
  const RegisterTile &t = dot.tile;
  int64_t block = dim == t.vectorDim ? t.width(extents)
                  : dim == t.unrollDim ? t.rows
                                       : 0;
  return block > 1 && block < extents[dim] ? block : 0;
}

/// The weights of a dot product (see DotProduct in VectorLayout.h)
/// with the output channels and the reduction of 4 innermost, the other dims
/// in their order: one vector of 16 lanes x 4 bytes is one 64-byte load (or
/// one row's 4 bytes, broadcast, next to the other rows'). The output
/// channels are split into panels of one register tile's
/// (dotProductPanel): [F/B][C/4][Kh][Kw][B][4] for a conv, so the tile's
/// weights are one contiguous stream (each step of the reduction reads the
/// next B x 4 bytes) rather than B x 4 bytes every F x 4. False when the
/// weights already have that layout or cannot be read.
bool packDotProductWeights(linalg::GenericOp generic, const DotProduct &dot,
                           RewriterBase &rewriter) {
  auto constant = generic.getDpsInputOperand(dot.weights)
                      ->get()
                      .getDefiningOp<graph::ConstantOp>();
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  AffineMap m = maps[dot.weights];
  auto positionOf = [&](unsigned loop) -> int64_t {
    for (unsigned k = 0; k < m.getNumResults(); ++k)
      if (auto d = dyn_cast<AffineDimExpr>(m.getResult(k));
          d && d.getPosition() == loop)
        return k;
    return -1;
  };
  int64_t vpos = positionOf(dot.weightsLoop), dpos = positionOf(dot.dotLoop);
  int64_t rank = m.getNumResults();
  int64_t block = dotProductPanel(generic, dot);
  if (!constant || vpos < 0 || dpos < 0 ||
      (vpos == rank - 2 && dpos == rank - 1 && !block))
    return false;
  SmallVector<int64_t> perm;
  for (int64_t k = 0; k < rank; ++k)
    if (k != vpos && k != dpos)
      perm.push_back(k);
  std::string name = "packed";
  if (auto loc = dyn_cast<NameLoc>(constant.getLoc()))
    name = loc.getName().str() + ".packed";
  ElementsAttr packed;
  SmallVector<AffineExpr> results;
  if (block) {
    packed = dotProductPanels(constant.getValue(), perm, vpos, dpos, block,
                              name);
    if (!packed)
      return false;
    AffineExpr f = m.getResult(vpos);
    results.push_back(f.floorDiv(block));
    for (int64_t k : perm)
      results.push_back(m.getResult(k));
    results.append({f % block, m.getResult(dpos)});
  } else {
    perm.append({vpos, dpos});
    packed = permuteDims(constant.getValue(), perm, name);
    if (!packed)
      return false;
    for (int64_t k : perm)
      results.push_back(m.getResult(k));
  }
  rewriter.setInsertionPoint(constant);
  auto newConstant =
      graph::ConstantOp::create(rewriter, constant.getLoc(), packed);
  maps[dot.weights] = AffineMap::get(m.getNumDims(), m.getNumSymbols(), results,
                                     generic.getContext());
  rewriter.modifyOpInPlace(generic, [&] {
    generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    generic.setOperand(dot.weights, newConstant);
  });
  if (constant->use_empty())
    rewriter.eraseOp(constant);
  return true;
}

/// A hash of the first and last 128 bytes of `bytes`: equal data hash
/// alike, and weights that differ almost always differ there, so comparing
/// the few candidates in full is cheaper than hashing every weight.
uint64_t sampleHash(ArrayRef<char> bytes) {
  auto hash = [](ArrayRef<char> part) {
    return llvm::xxh3_64bits(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(part.data()), part.size()));
  };
  size_t n = std::min<size_t>(bytes.size(), 128);
  return llvm::hash_combine(bytes.size(), hash(bytes.take_front(n)),
                            hash(bytes.take_back(n)));
}

/// Merges the graph.constants of `block` that hold the same data (the same
/// attribute, or the same type and bytes) into the first of them. When one
/// initializer feeds several convs or matmuls, each consumer gets its own
/// packed copy (a new dense_resource blob per packing); identical copies
/// would each be a constant of the artifact, since the Serializer shares
/// constants only by attribute.
void mergeIdenticalConstants(Block &block, RewriterBase &rewriter) {
  DenseMap<Attribute, graph::ConstantOp> byAttribute;
  DenseMap<std::pair<Type, uint64_t>, SmallVector<graph::ConstantOp, 1>>
      byBytes;
  for (graph::ConstantOp constant :
       llvm::make_early_inc_range(block.getOps<graph::ConstantOp>())) {
    ElementsAttr value = constant.getValue();
    auto [it, inserted] = byAttribute.try_emplace(value, constant);
    if (!inserted) {
      rewriter.replaceOp(constant, it->second.getResult());
      continue;
    }
    std::optional<ArrayRef<char>> bytes = graph::getElementBytes(value);
    if (!bytes)
      continue;
    SmallVector<graph::ConstantOp, 1> &same =
        byBytes[{value.getType(), sampleHash(*bytes)}];
    auto first = llvm::find_if(same, [&](graph::ConstantOp other) {
      return graph::getElementBytes(other.getValue()) == bytes;
    });
    if (first != same.end()) {
      rewriter.replaceOp(constant, first->getResult());
      continue;
    }
    same.push_back(constant);
  }
}

struct PackWeightsPass : impl::PackWeightsBase<PackWeightsPass> {
  using PackWeightsBase::PackWeightsBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.getNumReductionLoops() > 0 &&
          llvm::any_of(op.getDpsInputs(), [](Value v) {
            return v.getDefiningOp<graph::ConstantOp>() != nullptr;
          }))
        candidates.push_back(op);
    });
    for (linalg::LinalgOp candidate : candidates) {
      // Named ops (conv, matmul) are generalized: the kernel emitter would
      // do it anyway, and only a generic can take a permuted weight map.
      auto generic = dyn_cast<linalg::GenericOp>(candidate.getOperation());
      if (!generic) {
        rewriter.setInsertionPoint(candidate);
        FailureOr<linalg::GenericOp> g =
            linalg::generalizeNamedOp(rewriter, candidate);
        if (failed(g))
          continue;
        generic = *g;
      }
      if (winograd && isWinogradConv(generic) &&
          packWinogradWeights(generic, rewriter))
        continue;
      if (std::optional<AmxConv> conv =
              amx ? amxConvOf(generic) : std::optional<AmxConv>();
          conv && packAmxConvWeights(generic, *conv, rewriter))
        continue;
      if (amx && packAmxBf16Weights(generic, rewriter))
        continue;
      if (std::optional<DotProduct> dot = dotProductOf(generic)) {
        packDotProductWeights(generic, *dot, rewriter);
        continue;
      }
      std::optional<RegisterTile> tile = registerTileFor(generic);
      for (unsigned i = 0; i < generic.getNumDpsInputs(); ++i) {
        auto constant = generic.getDpsInputOperand(i)
                            ->get()
                            .getDefiningOp<graph::ConstantOp>();
        if (!constant)
          continue;
        // The weights in panels of the register tile, when the schedule
        // walks them panel by panel...
        std::optional<std::pair<unsigned, int64_t>> panel;
        std::optional<unsigned> panelPos;
        if (tile)
          panel = weightPanel(generic, *tile, outputDimsOf(generic, i));
        else
          panel = dynamicWeightPanel(generic, i);
        if (panel) {
          AffineMap m = generic.getIndexingMapsArray()[i];
          for (unsigned k = 0; k < m.getNumResults(); ++k)
            if (auto d = dyn_cast<AffineDimExpr>(m.getResult(k));
                d && d.getPosition() == panel->first)
              panelPos = k;
        }
        // ... else with the vectorized dim innermost.
        std::optional<unsigned> pos = stridedVectorPosition(generic, i);
        if (!panelPos && !pos)
          continue;
        std::string name = "packed";
        if (auto loc = dyn_cast<NameLoc>(constant.getLoc()))
          name = loc.getName().str() + ".packed";
        ElementsAttr packed =
            panelPos ? blockDim(constant.getValue(), *panelPos, panel->second,
                                name)
                     : moveDimInnermost(constant.getValue(), *pos, name);
        if (!packed)
          continue;
        rewriter.setInsertionPoint(constant);
        auto newConstant =
            graph::ConstantOp::create(rewriter, constant.getLoc(), packed);
        // The same permutation (and split) of the indexing map's results.
        SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
        AffineMap m = maps[i];
        unsigned moved = panelPos ? *panelPos : *pos;
        SmallVector<AffineExpr> results;
        if (panelPos)
          results.push_back(m.getResult(moved).floorDiv(panel->second));
        for (unsigned k = 0; k < m.getNumResults(); ++k)
          if (k != moved)
            results.push_back(m.getResult(k));
        results.push_back(panelPos ? m.getResult(moved) % panel->second
                                   : m.getResult(moved));
        maps[i] = AffineMap::get(m.getNumDims(), m.getNumSymbols(), results,
                                 &getContext());
        rewriter.modifyOpInPlace(generic, [&] {
          generic.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
          generic.setOperand(i, newConstant);
        });
        if (constant->use_empty())
          rewriter.eraseOp(constant);
      }
    }
    getOperation().walk(
        [&](Block *block) { mergeIdenticalConstants(*block, rewriter); });
  }
};

} // namespace
} // namespace aicc::avx512
