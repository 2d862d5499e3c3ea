//===- PackWeights.cpp - Constant weights in vector-friendly layout ------===//

#include "targets/avx512/Passes.h"
#include "targets/avx512/VectorLayout.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"

namespace aicc::avx512 {
#define GEN_PASS_DEF_PACKWEIGHTS
#include "targets/avx512/Passes.h.inc"
} // namespace aicc::avx512

using namespace mlir;

namespace aicc::avx512 {
namespace {

/// The raw row-major bytes of a constant, or an empty ref.
ArrayRef<char> rawData(ElementsAttr value) {
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob())
      return blob->getData();
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    if (!dense.isSplat())
      return dense.getRawData();
  return {};
}

/// A copy of `value` whose dim `pos` is moved innermost.
ElementsAttr moveDimInnermost(ElementsAttr value, unsigned pos,
                              StringRef name) {
  auto type = cast<RankedTensorType>(value.getType());
  Type elem = type.getElementType();
  if (!elem.isIntOrFloat() || elem.getIntOrFloatBitWidth() % 8)
    return {};
  auto permutedType = [&] {
    SmallVector<int64_t> shape;
    for (int64_t k = 0; k < type.getRank(); ++k)
      if (k != pos)
        shape.push_back(type.getDimSize(k));
    shape.push_back(type.getDimSize(pos));
    return RankedTensorType::get(shape, elem);
  };
  if (auto dense = dyn_cast<DenseElementsAttr>(value); dense && dense.isSplat())
    return DenseElementsAttr::get(permutedType(),
                                  dense.getSplatValue<Attribute>());
  ArrayRef<char> src = rawData(value);
  size_t bytes = elem.getIntOrFloatBitWidth() / 8;
  if (src.size() != type.getNumElements() * bytes)
    return {};
  ArrayRef<int64_t> shape = type.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> perm;
  for (int64_t k = 0; k < rank; ++k)
    if (k != pos)
      perm.push_back(k);
  perm.push_back(pos);
  SmallVector<int64_t> newShape, srcStrides(rank, 1);
  for (int64_t k = rank - 2; k >= 0; --k)
    srcStrides[k] = srcStrides[k + 1] * shape[k + 1];
  for (int64_t k : perm)
    newShape.push_back(shape[k]);
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
  auto newType = RankedTensorType::get(newShape, elem);
  return DenseResourceElementsAttr::get(
      newType, name, HeapAsmResourceBlob::allocateAndCopyWithAlign(
                         ArrayRef<char>(dst), alignof(uint64_t)));
}

struct PackWeightsPass : impl::PackWeightsBase<PackWeightsPass> {
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
      for (unsigned i = 0; i < generic.getNumDpsInputs(); ++i) {
        std::optional<unsigned> pos = stridedVectorPosition(generic, i);
        auto constant = generic.getDpsInputOperand(i)
                            ->get()
                            .getDefiningOp<graph::ConstantOp>();
        if (!pos || !constant)
          continue;
        std::string name = "packed";
        if (auto loc = dyn_cast<NameLoc>(constant.getLoc()))
          name = loc.getName().str() + ".packed";
        ElementsAttr packed = moveDimInnermost(constant.getValue(), *pos, name);
        if (!packed)
          continue;
        rewriter.setInsertionPoint(constant);
        auto newConstant =
            graph::ConstantOp::create(rewriter, constant.getLoc(), packed);
        // Same permutation on the indexing map's results.
        SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
        AffineMap m = maps[i];
        SmallVector<AffineExpr> results;
        for (unsigned k = 0; k < m.getNumResults(); ++k)
          if (k != *pos)
            results.push_back(m.getResult(k));
        results.push_back(m.getResult(*pos));
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
  }
};

} // namespace
} // namespace aicc::avx512
