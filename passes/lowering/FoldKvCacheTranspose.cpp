//===- FoldKvCacheTranspose.cpp - Attention reads the KV state in place ---===//
//
// aicc-graph-kv-cache-in-place keeps each layer's cache as a state argument
// `aicc.kv_state:*` of [1, T_max, H, D] and gives attention the prefix as
// Transpose(Slice(state)): after the lowering a linalg.transpose of a
// tensor.extract_slice of the argument, which the kernels materialize (a
// [1, H, D, T] copy of K and a [1, H, T, D] copy of V per layer and step,
// each as large as the whole cache, so a decode step cost grew with the
// length). Here each such transpose is folded into the linalg.generic ops
// that read it: their indexing map for that operand is composed with the
// permutation, so the Q·Kᵀ and P·V contractions read the token-major state
// directly (V's rows of D contiguous floats; K's with a stride of H·D) and
// the copy is gone. Q·Kᵀ is marked `aicc.kv_dot`: its output's innermost
// dim (the position j) steps K by whole token rows while the reduction is
// contiguous, so the avx512 schedule computes it as dot products of
// contiguous vectors (HalideSchedule.cpp, scheduleKvDotDynamic).
//
// Only transposes of the state (through an extract_slice) whose every user
// reads it as a linalg.generic input are folded; anything else keeps its
// transpose. A no-op without --kv-cache.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace aicc::lowering {

#define GEN_PASS_DEF_FOLDKVCACHETRANSPOSEPASS
#include "passes/lowering/Passes.h.inc"

namespace {

/// Whether `value` is (a slice of) a `aicc.kv_state:*` argument of `func`.
bool readsKvState(func::FuncOp func, Value value) {
  while (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>())
    value = slice.getSource();
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != &func.getBody().front())
    return false;
  auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                "graph.name");
  return name && name.getValue().starts_with("aicc.kv_state:");
}

/// Whether `generic` (one output) reads the state through `map` with a
/// reduction loop innermost (a static multiple of 16 iterations) and the
/// output's innermost loop further out:
/// Q·Kᵀ, whose output steps K by whole token rows. Marked `aicc.kv_dot`
/// for the target's schedule (a dot product of contiguous vectors per
/// output element rather than vectors along the output).
bool isStridedDot(linalg::GenericOp generic, AffineMap map) {
  if (generic.getNumDpsInits() != 1 || map.getNumResults() < 2)
    return false;
  AffineMap out = generic.getIndexingMapsArray().back();
  if (out.getNumResults() == 0)
    return false;
  auto inner = dyn_cast<AffineDimExpr>(map.getResults().back());
  auto outInner = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!inner || !outInner ||
      generic.getIteratorTypesArray()[inner.getPosition()] !=
          utils::IteratorType::reduction)
    return false;
  // Whole vectors of 16 floats along the reduction (the head dim).
  int64_t length = generic.getStaticLoopRanges()[inner.getPosition()];
  if (ShapedType::isDynamic(length) || length < 16 || length % 16)
    return false;
  return llvm::any_of(map.getResults().drop_back(), [&](AffineExpr e) {
    return e == outInner;
  });
}

struct FoldKvCacheTransposePass
    : impl::FoldKvCacheTransposePassBase<FoldKvCacheTransposePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.getBody().empty())
      return;
    SmallVector<linalg::TransposeOp> transposes;
    func.walk([&](linalg::TransposeOp op) {
      if (readsKvState(func, op.getInput()))
        transposes.push_back(op);
    });
    for (linalg::TransposeOp transpose : transposes) {
      Value result = transpose.getResult()[0];
      bool foldable = !result.use_empty();
      for (OpOperand &use : result.getUses()) {
        auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
        foldable &= generic && generic.isDpsInput(&use);
      }
      if (!foldable)
        continue;
      // result[idx] = input[j] with j[perm[k]] = idx[k]: the read of input
      // dim perm[k] is the user's index expression for result dim k.
      ArrayRef<int64_t> perm = transpose.getPermutation();
      for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
        auto generic = cast<linalg::GenericOp>(use.getOwner());
        SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
        AffineMap map = maps[use.getOperandNumber()];
        SmallVector<AffineExpr> exprs(perm.size());
        for (auto [k, p] : llvm::enumerate(perm))
          exprs[p] = map.getResult(k);
        maps[use.getOperandNumber()] = AffineMap::get(
            map.getNumDims(), map.getNumSymbols(), exprs, func.getContext());
        generic.setIndexingMapsAttr(
            Builder(func.getContext()).getAffineMapArrayAttr(maps));
        use.set(transpose.getInput());
        if (isStridedDot(generic, maps[use.getOperandNumber()]))
          generic->setAttr("aicc.kv_dot", UnitAttr::get(func.getContext()));
      }
      Value init = transpose.getInit();
      transpose.erase();
      if (Operation *def = init.getDefiningOp();
          def && isa<tensor::EmptyOp>(def) && def->use_empty())
        def->erase();
      ++numFolded;
    }
  }
};

} // namespace
} // namespace aicc::lowering
