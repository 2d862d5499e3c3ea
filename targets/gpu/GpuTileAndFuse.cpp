//===- GpuTileAndFuse.cpp - One output element per GPU thread -------------===//
//
// Tiles the root op of a kernel (the op computing the returned values) with
// tile size 1 along its parallel loops into one scf.forall and fuses the
// kernel's producers into the body, so the kernel is one parallel loop
// nest. Kernels this cannot tile are left alone (aicc-gpu-map-to-kernels
// then runs their loop nests one after the other in one workgroup).
//
//===----------------------------------------------------------------------===//

#include "targets/gpu/Passes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace aicc::gpu {
#define GEN_PASS_DEF_GPUTILEANDFUSE
#include "targets/gpu/Passes.h.inc"
} // namespace aicc::gpu

using namespace mlir;

namespace {

/// The single op that defines every returned value of `function`, or null.
Operation *getRootOp(func::FuncOp function) {
  if (!function.getBody().hasOneBlock())
    return nullptr;
  Operation *root = nullptr;
  for (Value value :
       function.getBody().front().getTerminator()->getOperands()) {
    Operation *producer = value.getDefiningOp();
    if (!producer || (root && root != producer))
      return nullptr;
    root = producer;
  }
  return root;
}

struct GpuTileAndFusePass
    : public aicc::gpu::impl::GpuTileAndFuseBase<GpuTileAndFusePass> {
  using GpuTileAndFuseBase::GpuTileAndFuseBase;

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    auto root = dyn_cast_or_null<TilingInterface>(getRootOp(function));
    if (!root)
      return;
    SmallVector<utils::IteratorType> iterators = root.getLoopIteratorTypes();
    if (!llvm::is_contained(iterators, utils::IteratorType::parallel))
      return;
    // Empty tensors (a zero-sized dim, e.g. a reduction over an empty set)
    // leave nothing to tile, and tiling their ops would divide by zero.
    auto isEmpty = [](Type type) {
      auto shaped = dyn_cast<ShapedType>(type);
      return shaped && shaped.hasStaticShape() && shaped.getNumElements() == 0;
    };
    WalkResult empty = function.walk([&](Operation *op) {
      for (Type type : llvm::concat<const Type>(op->getOperandTypes(),
                                                op->getResultTypes()))
        if (isEmpty(type))
          return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (empty.wasInterrupted() ||
        llvm::any_of(function.getArgumentTypes(), isEmpty))
      return;
    OpBuilder builder(root);
    for (const Range &range : root.getIterationDomain(builder)) {
      std::optional<int64_t> size = getConstantIntValue(range.size);
      if (!size || *size <= 0)
        return;
    }
    SmallVector<OpFoldResult> tileSizes;
    for (utils::IteratorType iterator : iterators)
      tileSizes.push_back(builder.getIndexAttr(
          iterator == utils::IteratorType::parallel ? 1 : 0));
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(tileSizes);
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);

    IRRewriter rewriter(&getContext());
    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, root, options);
    if (failed(result))
      return; // Not tileable: the kernel keeps its loop nests.
    for (OpResult value : root->getResults())
      if (Value replacement = result->replacements.lookup(value))
        rewriter.replaceAllUsesWith(value, replacement);
    // Fusion leaves the original producers and the slices it took of them
    // unused; erase them so the kernel is the loop nest alone.
    while (true) {
      Operation *dead = nullptr;
      function.walk([&](Operation *op) {
        if (op == function || !isOpTriviallyDead(op))
          return WalkResult::advance();
        dead = op;
        return WalkResult::interrupt();
      });
      if (!dead)
        break;
      rewriter.eraseOp(dead);
    }
  }
};

} // namespace
