//===- FoldConstants.cpp - Data movement and casts of constants ----------===//
//
// The graph ops' folders (GraphFolders.cpp) evaluate small dense constants
// element by element and stop at 65536 elements so that the importer never
// duplicates weights. This pass folds the ops that rearrange or convert a
// whole weight (Transpose, the reshape family, Cast) on its bytes instead,
// whatever its size and whether it is dense or a dense_resource blob: a
// reshape keeps the blob, a transpose or cast writes a new one and is done
// only when the old weight has no other use.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/graph/ConstantData.h"
#include "llvm/Support/Debug.h"
#include <cstring>

#define DEBUG_TYPE "aicc-graph-fold-constants"

using namespace mlir;

namespace aicc::graph {

#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "passes/graph/Passes.h.inc"

namespace {

/// The graph.constant feeding `v`, or null.
ConstantOp constantOf(Value v) { return v.getDefiningOp<ConstantOp>(); }

/// The static ranked result type of `op`, or null.
RankedTensorType staticResultType(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

/// Replaces `op` by a graph.constant holding `value`, located at the
/// source constant and the op.
void replaceWithConstant(PatternRewriter &rewriter, Operation *op,
                         ConstantOp source, ElementsAttr value,
                         GraphFoldCounters *counters, int64_t bytes) {
  Location loc =
      FusedLoc::get(rewriter.getContext(), {source.getLoc(), op->getLoc()});
  LLVM_DEBUG(llvm::dbgs() << "folding " << op->getName() << " at "
                          << op->getLoc() << " (" << bytes << " bytes)\n");
  rewriter.setInsertionPoint(op);
  rewriter.replaceOp(op, ConstantOp::create(rewriter, loc, value));
  if (counters) {
    ++counters->folded;
    counters->bytes += bytes;
  }
}

/// Reshape, Squeeze, Unsqueeze, Flatten: the same data under a new type.
template <typename OpTy> struct FoldReshapeLike : OpRewritePattern<OpTy> {
  FoldReshapeLike(MLIRContext *ctx, GraphFoldCounters *counters)
      : OpRewritePattern<OpTy>(ctx), counters(counters) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    ConstantOp source = constantOf(op->getOperand(0));
    RankedTensorType type = staticResultType(op);
    if (!source || !type)
      return rewriter.notifyMatchFailure(op, "not a constant of static type");
    ElementsAttr value = source.getValue();
    auto sourceType = cast<ShapedType>(value.getType());
    if (sourceType.getElementType() != type.getElementType() ||
        sourceType.getNumElements() != type.getNumElements())
      return rewriter.notifyMatchFailure(op, "element count differs");
    ElementsAttr folded;
    if (auto dense = dyn_cast<DenseElementsAttr>(value))
      folded = dense.reshape(type);
    else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
      // The blob is shared, not copied.
      folded = DenseResourceElementsAttr::get(type, resource.getRawHandle());
    if (!folded)
      return rewriter.notifyMatchFailure(op, "unknown constant kind");
    replaceWithConstant(rewriter, op, source, folded, counters, 0);
    return success();
  }

  GraphFoldCounters *counters;
};

/// Whether folding `op` into a new copy of `source`'s data is worth it: a
/// weight (dense_resource) that has other uses would be stored twice.
bool mayCopy(ConstantOp source) {
  return !isa<DenseResourceElementsAttr>(source.getValue()) ||
         source->hasOneUse();
}

struct FoldTranspose : OpRewritePattern<TransposeOp> {
  FoldTranspose(MLIRContext *ctx, GraphFoldCounters *counters)
      : OpRewritePattern(ctx), counters(counters) {}

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    ConstantOp source = constantOf(op.getData());
    RankedTensorType type = staticResultType(op);
    if (!source || !type)
      return rewriter.notifyMatchFailure(op, "not a constant of static type");
    if (!mayCopy(source))
      return rewriter.notifyMatchFailure(
          op, "the weight has other uses; a transposed copy would double it");
    ElementsAttr value = source.getValue();
    auto sourceType = cast<RankedTensorType>(value.getType());
    int64_t rank = sourceType.getRank();
    SmallVector<int64_t> perm;
    if (std::optional<ArrayRef<int64_t>> p = op.getPerm())
      perm.assign(p->begin(), p->end());
    else
      for (int64_t d = rank - 1; d >= 0; --d)
        perm.push_back(d);
    if ((int64_t)perm.size() != rank || type.getRank() != rank)
      return rewriter.notifyMatchFailure(op, "perm does not match the rank");

    // Input offset of each output element, in output order.
    SmallVector<int64_t> inStrides(rank, 1);
    for (int64_t d = rank - 2; d >= 0; --d)
      inStrides[d] = inStrides[d + 1] * sourceType.getDimSize(d + 1);
    int64_t count = type.getNumElements();
    auto forEachSource = [&](llvm::function_ref<void(int64_t, int64_t)> fn) {
      SmallVector<int64_t> idx(rank, 0);
      for (int64_t flat = 0; flat < count; ++flat) {
        int64_t from = 0;
        for (int64_t d = 0; d < rank; ++d)
          from += idx[d] * inStrides[perm[d]];
        fn(flat, from);
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++idx[d] < type.getDimSize(d))
            break;
          idx[d] = 0;
        }
      }
    };

    auto dense = dyn_cast<DenseElementsAttr>(value);
    if (dense && dense.isSplat()) {
      replaceWithConstant(
          rewriter, op, source,
          DenseElementsAttr::get(type, dense.getSplatValue<Attribute>()),
          counters, 0);
      return success();
    }
    if (dense && sourceType.getElementType().isInteger(1)) {
      SmallVector<bool> in(dense.getValues<bool>()), out(count);
      forEachSource([&](int64_t to, int64_t from) { out[to] = in[from]; });
      replaceWithConstant(rewriter, op, source,
                          DenseElementsAttr::get(type, ArrayRef<bool>(out)),
                          counters, count);
      return success();
    }
    std::optional<ArrayRef<char>> bytes = getElementBytes(value);
    if (!bytes)
      return rewriter.notifyMatchFailure(op, "constant data is not readable");
    unsigned stride = *elementStorageBytes(sourceType.getElementType());
    std::vector<char> out(bytes->size());
    forEachSource([&](int64_t to, int64_t from) {
      std::memcpy(&out[to * stride], bytes->data() + from * stride, stride);
    });
    ElementsAttr folded =
        makeElements(type, out, isa<DenseResourceElementsAttr>(value),
                     getResourceKey(value));
    if (!folded)
      return rewriter.notifyMatchFailure(op, "cannot build the constant");
    replaceWithConstant(rewriter, op, source, folded, counters, out.size());
    return success();
  }

  GraphFoldCounters *counters;
};

/// Cast to a float type of 16 bits or more, from a float type or an integer
/// type of at most 32 bits: every source value is exact in double, so the
/// result is rounded once, as ONNX's Cast does.
struct FoldCast : OpRewritePattern<CastOp> {
  FoldCast(MLIRContext *ctx, GraphFoldCounters *counters)
      : OpRewritePattern(ctx), counters(counters) {}

  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    ConstantOp source = constantOf(op.getInput());
    RankedTensorType type = staticResultType(op);
    if (!source || !type)
      return rewriter.notifyMatchFailure(op, "not a constant of static type");
    Type from = cast<ShapedType>(source.getType()).getElementType();
    Type to = type.getElementType();
    bool fromOk = isa<FloatType>(from) ||
                  (from.isInteger() && from.getIntOrFloatBitWidth() <= 32);
    if (from == to || !fromOk || !isa<FloatType>(to) ||
        to.getIntOrFloatBitWidth() < 16)
      return rewriter.notifyMatchFailure(op, "not a cast this pass folds");
    if (!mayCopy(source))
      return rewriter.notifyMatchFailure(
          op, "the weight has other uses; a converted copy would add to it");
    ElementsAttr value = source.getValue();
    std::optional<SmallVector<double>> values = readAsDoubles(value);
    if (!values)
      return rewriter.notifyMatchFailure(op, "constant data is not readable");
    ElementsAttr folded =
        makeFloatElements(type, *values, isa<DenseResourceElementsAttr>(value),
                          getResourceKey(value));
    if (!folded)
      return rewriter.notifyMatchFailure(op, "cannot build the constant");
    replaceWithConstant(rewriter, op, source, folded, counters,
                        type.getNumElements() * to.getIntOrFloatBitWidth() / 8);
    return success();
  }

  GraphFoldCounters *counters;
};

struct FoldConstantsPass : impl::FoldConstantsPassBase<FoldConstantsPass> {
  void runOnOperation() override {
    GraphFoldCounters counters;
    RewritePatternSet patterns(&getContext());
    populateFoldConstantsPatterns(patterns, &counters);
    // Only these rewrites: the ops' own folders are the canonicalizer's.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
    numFolded += counters.folded;
    numBytes += counters.bytes;
  }
};

} // namespace

void populateFoldConstantsPatterns(RewritePatternSet &patterns,
                                   GraphFoldCounters *counters) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<FoldReshapeLike<ReshapeOp>, FoldReshapeLike<SqueezeOp>,
               FoldReshapeLike<UnsqueezeOp>, FoldReshapeLike<FlattenOp>,
               FoldTranspose, FoldCast>(ctx, counters);
}

} // namespace aicc::graph
