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
// Paged layout (--kv-cache-layout=paged:block=B; the state argument has
// `aicc.kv_block = B` and an `aicc.kv_table:*` argument, the block table,
// comes with it): the slice of the state is only a placeholder for the
// logical prefix, so every read of it must fold. The folded operand then
// leaves the generic, whose body reads the pool through the table:
// `pool[b, table[t floordiv B] * B + t mod B, h, d]` (tensor.extract of the
// table and of the whole pool, indices from linalg.index) — no gather copy
// of the prefix. A read that does not fold is an error.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace aicc::lowering {

#define GEN_PASS_DEF_FOLDKVCACHETRANSPOSEPASS
#include "passes/lowering/Passes.h.inc"

namespace {

/// The `aicc.kv_state:*` argument of `func` that `value` is (a slice of),
/// or null.
BlockArgument kvStateOf(func::FuncOp func, Value value) {
  while (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>())
    value = slice.getSource();
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != &func.getBody().front())
    return {};
  auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                "graph.name");
  if (!name || !name.getValue().starts_with("aicc.kv_state:"))
    return {};
  return arg;
}

bool readsKvState(func::FuncOp func, Value value) {
  return static_cast<bool>(kvStateOf(func, value));
}

/// Whether `value` is `state` or a chain of slices of it that all start at
/// 0 with unit strides (so a slice index is a state index).
bool isPrefixOf(Value value, Value state) {
  while (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType().getRank() != slice.getResultType().getRank() ||
        !llvm::all_of(
            slice.getMixedOffsets(),
            [](OpFoldResult o) { return getConstantIntValue(o) == 0; }) ||
        !llvm::all_of(slice.getMixedStrides(), [](OpFoldResult o) {
          return getConstantIntValue(o) == 1;
        }))
      return false;
    value = slice.getSource();
  }
  return value == state;
}

/// The paged layout of `state`: its block size and the block table
/// argument (`aicc.kv_table:<key>`), or {0, null} when contiguous.
std::pair<int64_t, Value> pagedLayoutOf(func::FuncOp func,
                                        BlockArgument state) {
  auto block =
      func.getArgAttrOfType<IntegerAttr>(state.getArgNumber(), "aicc.kv_block");
  if (!block)
    return {0, Value()};
  StringRef key =
      func.getArgAttrOfType<StringAttr>(state.getArgNumber(), "graph.name")
          .getValue()
          .drop_front(StringRef("aicc.kv_state:").size());
  for (BlockArgument arg : func.getArguments())
    if (auto name =
            func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "graph.name");
        name && name.getValue() == ("aicc.kv_table:" + key).str())
      return {block.getInt(), arg};
  return {block.getInt(), Value()};
}

/// Replaces input `inputIndex` of `generic` (read through `map`, a state
/// index per result) by reads of the paged `pool` through `table` in the
/// body: the token index t (result 1) becomes table[t floordiv block] *
/// block + t mod block. Returns the new generic.
linalg::GenericOp readThroughTable(linalg::GenericOp generic,
                                   unsigned inputIndex, AffineMap map,
                                   Value pool, Value table, int64_t block) {
  OpBuilder b(generic);
  Location loc = generic.getLoc();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  SmallVector<AffineMap> oldMaps = generic.getIndexingMapsArray();
  for (auto [i, input] : llvm::enumerate(generic.getDpsInputs()))
    if (i != inputIndex) {
      inputs.push_back(input);
      maps.push_back(oldMaps[i]);
    }
  for (unsigned i = generic.getNumDpsInputs(); i < oldMaps.size(); ++i)
    maps.push_back(oldMaps[i]);
  auto fresh = linalg::GenericOp::create(b, loc, generic.getResultTypes(),
                                         inputs, generic.getDpsInits(), maps,
                                         generic.getIteratorTypesArray());
  fresh->setDiscardableAttrs(generic->getDiscardableAttrDictionary());
  fresh.getRegion().takeBody(generic.getRegion());
  Block &body = fresh.getRegion().front();
  b.setInsertionPointToStart(&body);
  SmallVector<Value> loops;
  for (unsigned d = 0; d < map.getNumDims(); ++d)
    loops.push_back(linalg::IndexOp::create(b, loc, d));
  auto apply = [&](AffineExpr e, ValueRange operands, unsigned numDims) {
    if (auto dim = dyn_cast<AffineDimExpr>(e))
      return operands[dim.getPosition()];
    if (auto c = dyn_cast<AffineConstantExpr>(e))
      return (Value)arith::ConstantIndexOp::create(b, loc, c.getValue());
    return (Value)affine::AffineApplyOp::create(
        b, loc, AffineMap::get(numDims, 0, e), operands);
  };
  SmallVector<Value> indices;
  for (AffineExpr e : map.getResults())
    indices.push_back(apply(e, loops, map.getNumDims()));
  MLIRContext *ctx = generic.getContext();
  AffineExpr t = getAffineDimExpr(0, ctx);
  Value token = indices[1];
  Value logical = apply(t.floorDiv(block), token, 1);
  Value entry = tensor::ExtractOp::create(b, loc, table, logical);
  Value physical = arith::IndexCastOp::create(b, loc, b.getIndexType(), entry);
  SmallVector<Value> rowOperands = {physical, token};
  indices[1] =
      apply(t * block + getAffineDimExpr(1, ctx) % block, rowOperands, 2);
  Value element = tensor::ExtractOp::create(b, loc, pool, indices);
  body.getArgument(inputIndex).replaceAllUsesWith(element);
  body.eraseArgument(inputIndex);
  generic->replaceAllUsesWith(fresh->getResults());
  generic.erase();
  return fresh;
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
      BlockArgument state = kvStateOf(func, transpose.getInput());
      auto [block, table] = pagedLayoutOf(func, state);
      if (block) {
        if (!table) {
          func.emitError("paged KV state '")
              << func.getArgAttrOfType<StringAttr>(state.getArgNumber(),
                                                   "graph.name")
                     .getValue()
              << "' has no block table argument (aicc.kv_table:*)";
          return signalPassFailure();
        }
        if (!foldable || !isPrefixOf(transpose.getInput(), state)) {
          transpose.emitError("reads the paged KV cache other than as a "
                              "linalg.generic input; the paged layout "
                              "needs attention to read it through the "
                              "block table (use --kv-cache-layout="
                              "contiguous)");
          return signalPassFailure();
        }
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
        if (block) {
          readThroughTable(generic, use.getOperandNumber(),
                           maps[use.getOperandNumber()], state, table, block);
        }
      }
      Value init = transpose.getInit();
      Value input = transpose.getInput();
      transpose.erase();
      // Paged: the placeholder slices of the state, now unused.
      while (auto slice = input.getDefiningOp<tensor::ExtractSliceOp>()) {
        if (!slice->use_empty())
          break;
        input = slice.getSource();
        slice.erase();
      }
      if (Operation *def = init.getDefiningOp();
          def && isa<tensor::EmptyOp>(def) && def->use_empty())
        def->erase();
      ++numFolded;
    }
    // Paged: nothing may read the pool but the bodies that go through the
    // table.
    for (BlockArgument arg : func.getArguments()) {
      if (!kvStateOf(func, arg) || !pagedLayoutOf(func, arg).first)
        continue;
      for (Operation *user : arg.getUsers())
        if (!isa<tensor::ExtractOp>(user) ||
            !user->getParentOfType<linalg::GenericOp>()) {
          user->emitError("reads the paged KV cache other than through its "
                          "block table (use --kv-cache-layout=contiguous)");
          return signalPassFailure();
        }
    }
  }
};

} // namespace
} // namespace aicc::lowering
