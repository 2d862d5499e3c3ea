//===- FusionPolicy.cpp - Producer-consumer fusion of dispatches ----------===//
//
// The fusion grouping policy: an elementwise op joins the dispatch of the op
// producing one of its operands when that result has no other use, is read
// element for element (identity indexing map, same shape) and comes from an
// elementwise op or a reduction (conv, matmul, pooling). Chains of
// elementwise ops (GELU's Div/Erf/Add/Mul/Mul) become one kernel, and a
// conv's or matmul's epilogue (bias, ReLU/Clip, residual Add, scale) joins
// its kernel, where the avx512 schedule computes it on the register tile of
// the reduction. Each group holds at most one reduction (but see below),
// whose result is internal to the kernel when an epilogue follows, so no
// intermediate tensor is written to memory.
//
// In functions with the unit attribute `aicc.fold_padding` (set by targets
// whose schedules compute folded pads per parallel task: avx512, host),
// padding folds into the reduction reading it: a statically shaped
// tensor.pad whose only use is a depthwise conv or a pooling (a reduction
// reading it along every output dim) joins that op's kernel, so the padded
// copy is not written to memory and read back. When the pad's source is
// the last group's pointwise conv (with its epilogue) on rows of 16 or more
// elements, that group takes the pad and the depthwise conv too: the
// expand -> depthwise part of an inverted residual block is one kernel with
// two reductions, the expand computed per task for the task's channels.
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

/// Ops in one kernel at most: a long chain compiles slowly in Halide and
/// gains little once its intermediates stay in registers.
constexpr size_t kMaxGroupSize = 16;

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

/// The group a depthwise conv (or pooling) and its folded `pads` join: the
/// last group formed, when it computes the pads' source with a reduction
/// (an expand conv and its epilogue, as in MobileNetV2's inverted residual
/// blocks) and nothing outside it and the pads reads its results. The
/// schedule then computes that reduction per task of the depthwise conv,
/// for the task's channels, so the expanded tensor is never written out.
std::optional<size_t> producerGroupOfPads(
    ArrayRef<Operation *> pads, ArrayRef<SmallVector<Operation *>> groups,
    const DenseMap<Operation *, size_t> &groupOf, ArrayRef<bool> hasReduction) {
  if (pads.size() != 1 || groups.empty())
    return std::nullopt;
  Operation *source =
      cast<tensor::PadOp>(pads.front()).getSource().getDefiningOp();
  auto it = source ? groupOf.find(source) : groupOf.end();
  if (it == groupOf.end() || it->second != groups.size() - 1 ||
      !hasReduction[it->second] || groups[it->second].back() != source ||
      groups[it->second].size() + 2 > kMaxGroupSize)
    return std::nullopt;
  // Rows of at least 16 elements: the producer is then tiled along its
  // rows with channels unrolled, as the depthwise conv is, and a task
  // computes its own channels (on narrower maps its vectors run along the
  // channels, and the fusion measured slower).
  auto padType = cast<tensor::PadOp>(pads.front()).getSourceType();
  if (padType.getRank() < 3 || padType.getShape().back() < 16)
    return std::nullopt;
  // One reduction in the producer group (the schedule computes one per
  // task), pointwise (a 1x1 conv: one reduction loop longer than 1, over
  // the input channels), so a task's rows need no window of the producer's
  // input.
  unsigned reductions = 0;
  for (Operation *op : groups[it->second]) {
    if (isReduction(op)) {
      ++reductions;
      auto linalgOp = cast<linalg::LinalgOp>(op);
      unsigned windows = 0;
      for (auto [type, range] : llvm::zip(linalgOp.getIteratorTypesArray(),
                                          linalgOp.getStaticLoopRanges()))
        windows += type == utils::IteratorType::reduction && range != 1;
      if (windows != 1)
        return std::nullopt;
    }
    for (Operation *user : op->getUsers())
      if (user != pads.front() && !llvm::is_contained(groups[it->second], user))
        return std::nullopt;
  }
  if (reductions != 1)
    return std::nullopt;
  return it->second;
}

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
    // Targets whose kernels compute folded pads per task say so (the
    // avx512 target's aicc-avx512-mark-folded-padding).
    Operation *parent = body.getParentOp();
    bool foldPadding = parent && parent->hasAttr("aicc.fold_padding");
    for (Operation &op : body.without_terminator()) {
      if (!needsDispatch(&op))
        continue;
      if (Operation *consumer = foldPadding ? padConsumer(&op) : nullptr) {
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
      auto pads = padsOf.find(&op);
      if (pads != padsOf.end()) {
        if (std::optional<size_t> producer = producerGroupOfPads(
                pads->second, groups, groupOf, hasReduction)) {
          // The group of the reduction producing the pads' source (an
          // expand conv and its epilogue) takes the pads and this op.
          for (Operation *pad : pads->second) {
            groups[*producer].push_back(pad);
            groupOf[pad] = *producer;
          }
          groups[*producer].push_back(&op);
          groupOf[&op] = *producer;
          continue;
        }
      }
      groupOf[&op] = groups.size();
      groups.push_back({});
      if (pads != padsOf.end())
        for (Operation *pad : pads->second) {
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
