//===- FusionPolicy.cpp - Producer-consumer fusion of dispatches ----------===//
//
// The fusion grouping policy: an elementwise op joins the dispatch of the op
// producing one of its operands when that result has no other use, is read
// element for element (identity indexing map, same shape) and comes from an
// elementwise op or a reduction (conv, matmul, pooling). Chains of
// elementwise ops (GELU's Div/Erf/Add/Mul/Mul) become one kernel, and a
// conv's or matmul's epilogue (bias, ReLU/Clip, residual Add, scale) joins
// its kernel, where the avx512 schedule computes it on the register tile of
// the reduction. Each group holds at most one reduction, whose result is
// internal to the kernel when an epilogue follows, so no intermediate tensor
// is written to memory.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/DispatchGroupingPolicy.h"
#include "passes/exec/DispatchUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace aicc::exec {
namespace {

/// A statically shaped single-result linalg op.
linalg::LinalgOp asSimpleLinalg(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || op->getNumResults() != 1 ||
      linalgOp.getNumDpsInits() != 1)
    return {};
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.hasStaticShape())
    return {};
  return linalgOp;
}

/// A linalg op computing each output element from the same element of its
/// inputs (or broadcasts of them): all loops parallel, identity output map.
bool isElementwise(Operation *op) {
  linalg::LinalgOp l = asSimpleLinalg(op);
  return l && l.getNumReductionLoops() == 0 &&
         l.getNumLoops() == l.getRank(l.getDpsInitOperand(0)) &&
         l.getMatchingIndexingMap(l.getDpsInitOperand(0)).isIdentity();
}

bool isReduction(Operation *op) {
  linalg::LinalgOp l = asSimpleLinalg(op);
  return l && l.getNumReductionLoops() > 0;
}

/// Whether `consumer` reads `operand` element for element.
bool readsElementwise(linalg::LinalgOp consumer, OpOperand &operand) {
  if (operand.getOwner() != consumer.getOperation() ||
      !consumer.isDpsInput(&operand))
    return false;
  if (operand.get().getType() != consumer->getResult(0).getType() &&
      cast<ShapedType>(operand.get().getType()).getShape() !=
          cast<ShapedType>(consumer->getResult(0).getType()).getShape())
    return false;
  return consumer.getMatchingIndexingMap(&operand).isIdentity();
}

/// The reduction a statically shaped tensor.pad folds into: its only user,
/// when that is a reduction (conv, pooling) reading it as an input.
Operation *padConsumer(Operation *op) {
  auto pad = dyn_cast<tensor::PadOp>(op);
  if (!pad || !pad.getResult().hasOneUse() ||
      !pad.getSourceType().hasStaticShape() ||
      !pad.getResultType().hasStaticShape() || !pad.getLow().empty() ||
      !pad.getHigh().empty())
    return nullptr;
  OpOperand &use = *pad.getResult().getUses().begin();
  auto consumer = dyn_cast<linalg::LinalgOp>(use.getOwner());
  if (!consumer || consumer->getBlock() != op->getBlock() ||
      !isReduction(consumer) || !consumer.isDpsInput(&use) ||
      !needsDispatch(consumer))
    return nullptr;
  // Only reductions that read the pad along every output dim (a depthwise
  // conv, pooling): each task of their schedule pads its own channels once.
  // A full conv reads every input channel for each output channel, so each
  // task would pad the whole input again.
  AffineMap read = consumer.getMatchingIndexingMap(&use);
  AffineMap out =
      consumer.getMatchingIndexingMap(consumer.getDpsInitOperand(0));
  if (!out.isProjectedPermutation())
    return nullptr;
  for (AffineExpr e : out.getResults())
    if (!read.isFunctionOfDim(cast<AffineDimExpr>(e).getPosition()))
      return nullptr;
  return consumer;
}

/// Ops in one kernel at most: a long chain compiles slowly in Halide and
/// gains little once its intermediates stay in registers.
constexpr size_t kMaxGroupSize = 16;

class FusionPolicy final : public DispatchGroupingPolicy {
public:
  StringRef getName() const override { return "fusion"; }

  LogicalResult
  formGroups(Block &body,
             SmallVectorImpl<DispatchGroup> &groups) const override {
    // Group index of each grouped op, and whether a group has a reduction.
    DenseMap<Operation *, size_t> groupOf;
    SmallVector<bool> hasReduction;
    // Pads waiting for the reduction they fold into.
    DenseMap<Operation *, SmallVector<Operation *, 1>> padsOf;
    for (Operation &op : body.without_terminator()) {
      if (!needsDispatch(&op))
        continue;
      if (Operation *consumer = padConsumer(&op)) {
        padsOf[consumer].push_back(&op);
        continue;
      }
      std::optional<size_t> target;
      Operation *targetProducer = nullptr;
      if (isElementwise(&op)) {
        auto consumer = cast<linalg::LinalgOp>(&op);
        for (OpOperand &operand : op.getOpOperands()) {
          Operation *producer = operand.get().getDefiningOp();
          auto it = producer ? groupOf.find(producer) : groupOf.end();
          if (it == groupOf.end() || !operand.get().hasOneUse() ||
              !readsElementwise(consumer, operand) ||
              groups[it->second].size() >= kMaxGroupSize)
            continue;
          // The producer must be the group's last op so far: the region
          // takes its place, and nothing in between may need its results.
          if (groups[it->second].back() != producer)
            continue;
          if (!isElementwise(producer) && !isReduction(producer))
            continue;
          // Prefer the epilogue of a reduction, then the nearest producer
          // (a residual Add joins the conv just before it, not the
          // shortcut branch).
          bool better =
              !target ||
              (hasReduction[it->second] && !hasReduction[*target]) ||
              (hasReduction[it->second] == hasReduction[*target] &&
               targetProducer->isBeforeInBlock(producer));
          if (better) {
            target = it->second;
            targetProducer = producer;
          }
        }
      }
      if (target) {
        groups[*target].push_back(&op);
        groupOf[&op] = *target;
        continue;
      }
      groupOf[&op] = groups.size();
      groups.push_back({});
      if (auto it = padsOf.find(&op); it != padsOf.end())
        for (Operation *pad : it->second) {
          groups.back().push_back(pad);
          groupOf[pad] = groups.size() - 1;
        }
      groups.back().push_back(&op);
      hasReduction.push_back(isReduction(&op));
    }
    return success();
  }
};

} // namespace

std::shared_ptr<const DispatchGroupingPolicy> createFusionPolicy() {
  return std::make_shared<FusionPolicy>();
}

} // namespace aicc::exec
