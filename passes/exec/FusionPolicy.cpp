//===- FusionPolicy.cpp - Producer-consumer fusion of dispatches ----------===//
//
// The fusion grouping policy: an elementwise op joins the dispatch of the op
// producing one of its operands when that result has no other use, is read
// element for element (identity indexing map, same shape) and comes from an
// elementwise op or a reduction (conv, matmul, pooling). Chains of
// elementwise ops (GELU's Div/Erf/Add/Mul/Mul) become one kernel, and a
// conv's or matmul's epilogue (bias, ReLU/Clip, residual Add, scale) joins
// its kernel, where the avx512 schedule computes it on the register tile of
// the reduction, also through an expand_shape that only adds outer unit
// dims (a [1, S, K] x [K, N] MatMul is a [S, K] x [K, N] matmul expanded to
// [1, S, N] before its bias Add). Each group holds at most one reduction
// (but see below), whose result is internal to the kernel when an epilogue
// follows, so no intermediate tensor is written to memory.
//
// In functions with the unit attribute `aicc.fold_padding` (set by targets
// whose schedules compute folded pads per parallel task: avx512, host),
// padding folds into the reduction reading it: a statically shaped
// tensor.pad whose only use is a depthwise conv or a pooling (a reduction
// reading it along every output dim) joins that op's kernel, so the padded
// copy is not written to memory and read back. When the pad's source is
// the last group's pointwise conv (with its epilogue) on rows of more than
// 8 elements, that group takes the pad and the depthwise conv too: the
// expand -> depthwise part of an inverted residual block is one kernel with
// two reductions, the expand computed per task for the task's channels.
//
// In functions with the unit attribute `aicc.fuse_rows` (avx512, host),
// reductions fuse with their neighbours in row groups, decided by the
// structure of the linalg ops, not by which ONNX node they came from:
//   - a row reduction (parallel loops first, then reduction loops; one
//     value per row; every input it reduces read row by row in place)
//     starts a row group, or joins the elementwise group producing its
//     input when every op of that group computes the same rows in place;
//   - an op computing the group's rows in place (an elementwise op, one
//     reading a reduction's per-row result through a broadcast, another
//     row reduction of the same rows, a reshape of unit dims after the
//     rows) joins it;
//   - rows longer than kMaxRowBytes do not fuse (a row must stay in cache
//     while each reduction and the normalization read it).
// Softmax (max, exp-sum, divide), LayerNorm and RMSNorm in their lowered or
// decomposed forms (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add)
// and a residual Add before them each become one kernel, which the avx512
// schedule computes row by row (HalideSchedule.cpp, scheduleRowKernel).
// There, and for elementwise chains, a producer may be read more than once
// (GELU reads its input twice: x * (1 + erf(x / sqrt 2)) / 2) as long as
// no op outside the group reads a group result before the group's last
// op; a result also read outside becomes one more output of the kernel.
// When an elementwise op reads two such groups (the tanh GELU's x / 2 and
// its tanh chain), they merge. Conv and matmul groups keep the rules
// above (the reduction's result read once), but their elementwise members
// may be read by several ops of the epilogue (BERT's and GPT-2's GELU on
// the bias Add of fc1: the MatMul, bias and GELU are one kernel).
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

/// Whether `views` (the reshapes between a contraction and its epilogue,
/// consumer first) only add unit dims to the contraction's result, each
/// read once: a MatMul [1, S, K] x [K, N] is a [S, K] x [K, N] matmul
/// expanded to [1, S, N], and its bias Add reads the expanded result.
/// Dims of extent 1 outermost keep the reduction's dims at the same
/// positions from the innermost, as the avx512 epilogue schedule needs.
bool addsOuterUnitDims(ArrayRef<Operation *> views) {
  if (views.empty())
    return false;
  for (Operation *view : views) {
    auto expand = dyn_cast<tensor::ExpandShapeOp>(view);
    if (!expand || !expand.getSrc().hasOneUse() ||
        !expand.getSrcType().hasStaticShape() ||
        !expand.getResultType().hasStaticShape())
      return false;
    ArrayRef<int64_t> src = expand.getSrcType().getShape();
    ArrayRef<int64_t> dst = expand.getResultType().getShape();
    int64_t added = dst.size() - src.size();
    if (added <= 0 || dst.drop_front(added) != src ||
        llvm::any_of(dst.take_front(added), [](int64_t d) { return d != 1; }))
      return false;
  }
  return true;
}

/// Whether `op` has a result of 8-bit elements (a quantized tensor).
bool hasByteValues(Operation *op) {
  return llvm::any_of(op->getResultTypes(), [](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return shaped && shaped.getElementType().isInteger(8);
  });
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
  // A Winograd conv (targets/avx512/WinogradConv.h) reads its input's
  // rows itself, zeros past the image: the padded copy is never made.
  if (consumer->hasAttr("aicc.winograd") && use.getOperandNumber() == 0)
    return consumer;
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
  // Rows of more than half a vector (9 or more floats: MobileNetV2's
  // 14x14 blocks and wider): the producer is then tiled along its rows
  // with channels unrolled, as the depthwise conv is (rows narrower than a
  // vector in one predicated vector; f32 only, the 8-bit kernels' vectors
  // hold 64 elements), and a task computes its own channels. On 7-wide
  // rows a vector would be less than half used and the fusion is not taken.
  auto padType = cast<tensor::PadOp>(pads.front()).getSourceType();
  int64_t width = padType.getRank() < 3 ? 0 : padType.getShape().back();
  if (width < 16 && (2 * width <= 16 || !padType.getElementType().isF32()))
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

//===----------------------------------------------------------------------===//
// Row groups: reductions with their neighbours
//===----------------------------------------------------------------------===//

/// Bytes of one row's elements above which a row reduction does not fuse
/// with its neighbours: the fused kernel keeps a row (and the reductions'
/// results) in L1/L2 while it reads it once per reduction and once for the
/// normalization; a longer row would be read back from memory each time,
/// as separate kernels do.
constexpr int64_t kMaxRowBytes = 64 * 1024;

/// Whether `map`, over loops whose first `numRows` are the row loops, reads
/// rows in place: every result that uses a row loop is that loop alone, and
/// the row loops it uses come in order (the row itself, its per-row
/// results, or a broadcast over some row dims, like an attention mask
/// shared by the heads; not a transpose of rows).
bool readsRowsInPlace(AffineMap map, unsigned numRows) {
  int last = -1;
  for (AffineExpr e : map.getResults()) {
    bool usesRow = false;
    for (unsigned i = 0; i < numRows; ++i)
      usesRow |= e.isFunctionOfDim(i);
    if (!usesRow)
      continue;
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (!dim || (int)dim.getPosition() <= last)
      return false;
    last = dim.getPosition();
  }
  return true;
}

/// The element size in bytes of a statically shaped tensor value.
int64_t elementBytes(Value v) {
  auto type = cast<ShapedType>(v.getType());
  return std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
}

/// For a linalg op whose first rows.size() loops are parallel, of the
/// extents `rows`, and read every operand row in place: the bytes of one
/// row of its iteration space (the product of the other loops' extents
/// times the output element size); std::nullopt otherwise.
std::optional<int64_t> rowBytesIn(linalg::LinalgOp l, ArrayRef<int64_t> rows) {
  unsigned p = rows.size();
  if (l.getNumLoops() < p)
    return std::nullopt;
  SmallVector<int64_t> ranges = l.getStaticLoopRanges();
  auto iterators = l.getIteratorTypesArray();
  for (unsigned i = 0; i < p; ++i)
    if (ranges[i] != rows[i] || iterators[i] != utils::IteratorType::parallel)
      return std::nullopt;
  AffineMap out = l.getMatchingIndexingMap(l.getDpsInitOperand(0));
  if (out.getNumResults() < p)
    return std::nullopt;
  for (unsigned i = 0; i < p; ++i)
    if (out.getResult(i) != getAffineDimExpr(i, out.getContext()))
      return std::nullopt;
  for (OpOperand &operand : l->getOpOperands())
    if (isa<ShapedType>(operand.get().getType()) &&
        !readsRowsInPlace(l.getMatchingIndexingMap(&operand), p))
      return std::nullopt;
  int64_t bytes = elementBytes(l->getResult(0));
  for (unsigned i = p; i < ranges.size(); ++i)
    bytes *= ranges[i];
  return bytes;
}

/// Partial results per row of a lane-split row reduction, at most: one
/// vector of them.
constexpr int64_t kMaxRowLanes = 16;

/// The rows of a row reduction: a statically shaped single-result linalg op
/// whose parallel loops come first and whose reduction loops (at least one)
/// follow, writing one value per row (output map d0, ..., d(p-1), p >= 1;
/// or one value per row and lane, a last parallel loop of at most
/// kMaxRowLanes after the reductions) and reading every operand row in
/// place: a Softmax's max and sum, a LayerNorm's mean and variance,
/// ReduceMean over the last axes. Returns the extents of the row loops.
std::optional<SmallVector<int64_t>> rowsOfReduction(Operation *op) {
  linalg::LinalgOp l = asSimpleLinalg(op);
  if (!l || l.getNumReductionLoops() == 0)
    return std::nullopt;
  unsigned n = l.getNumLoops(), r = l.getNumReductionLoops();
  auto iterators = l.getIteratorTypesArray();
  unsigned p = 0;
  while (p < n && iterators[p] == utils::IteratorType::parallel)
    ++p;
  if (p == 0)
    return std::nullopt;
  // The reduction loops follow the rows; parallel loops after them are the
  // lanes of a lane-split reduction, kept per row (LayerNorm's statistics
  // as MLAS computes them: a few partial sums per row, see laneSums in
  // LowerReduction.cpp), at most kMaxRowLanes of them.
  for (unsigned i = p; i < n; ++i)
    if ((i < p + r) != (iterators[i] == utils::IteratorType::reduction))
      return std::nullopt;
  SmallVector<int64_t> ranges = l.getStaticLoopRanges();
  AffineMap out = l.getMatchingIndexingMap(l.getDpsInitOperand(0));
  if (out.getNumResults() != n - r)
    return std::nullopt;
  int64_t lanes = 1;
  for (unsigned i = p + r; i < n; ++i) {
    if (out.getResult(p + i - (p + r)) != getAffineDimExpr(i, out.getContext()))
      return std::nullopt;
    lanes *= ranges[i];
  }
  if (lanes > kMaxRowLanes || n - (p + r) > 1)
    return std::nullopt;
  SmallVector<int64_t> rows(ranges.begin(), ranges.begin() + p);
  std::optional<int64_t> bytes = rowBytesIn(l, rows);
  if (!bytes)
    return std::nullopt;
  // An input the reduction loops index is one row per output element: it
  // has every row loop at its place (a matmul's operands lack one of them;
  // they are shared by several rows).
  for (OpOperand *input : l.getDpsInputOperands()) {
    if (!isa<ShapedType>(input->get().getType()))
      continue;
    AffineMap map = l.getMatchingIndexingMap(input);
    bool reduces = false;
    for (unsigned i = p; i < n; ++i)
      reduces |= map.isFunctionOfDim(i);
    if (!reduces)
      continue;
    if (map.getNumResults() < p)
      return std::nullopt;
    for (unsigned i = 0; i < p; ++i)
      if (map.getResult(i) != getAffineDimExpr(i, map.getContext()))
        return std::nullopt;
  }
  // The reduced row is the input's: bytes of the widest input element.
  int64_t inputBytes = 0;
  for (OpOperand *input : l.getDpsInputOperands())
    if (isa<ShapedType>(input->get().getType()))
      inputBytes = std::max(inputBytes, elementBytes(input->get()));
  int64_t rowElements = *bytes / elementBytes(l->getResult(0));
  if (rowElements * std::max<int64_t>(inputBytes, 1) > kMaxRowBytes)
    return std::nullopt;
  return rows;
}

/// Whether the reshape `op` (tensor.expand_shape / collapse_shape, static)
/// keeps the first rows.size() dims of both shapes as the rows: dim k < p
/// of the collapsed side maps to dim k of the expanded side, with only unit
/// dims beyond the rows beside it.
bool isRowReshape(Operation *op, ArrayRef<int64_t> rows) {
  SmallVector<ReassociationIndices> groups;
  RankedTensorType expanded, collapsed;
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
    groups = e.getReassociationIndices();
    expanded = e.getResultType();
    collapsed = e.getSrcType();
  } else if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
    groups = c.getReassociationIndices();
    expanded = c.getSrcType();
    collapsed = c.getResultType();
  } else {
    return false;
  }
  unsigned p = rows.size();
  if (!expanded.hasStaticShape() || !collapsed.hasStaticShape() ||
      collapsed.getRank() < p || groups.size() < p)
    return false;
  for (unsigned k = 0; k < p; ++k) {
    if (collapsed.getDimSize(k) != rows[k] || groups[k].front() != (int64_t)k)
      return false;
    for (int64_t d : ArrayRef<int64_t>(groups[k]).drop_front())
      if (d < p || expanded.getDimSize(d) != 1)
        return false;
  }
  return true;
}

/// Whether `op` computes rows `rows` in place (a row reduction of them, an
/// elementwise or broadcasting op over them, or a reshape keeping them):
/// a row group with these rows can compute it per row.
bool isRowCompatible(Operation *op, ArrayRef<int64_t> rows) {
  if (isRowReshape(op, rows))
    return true;
  linalg::LinalgOp l = asSimpleLinalg(op);
  if (!l)
    return false;
  if (l.getNumReductionLoops() > 0) {
    std::optional<SmallVector<int64_t>> own = rowsOfReduction(op);
    return own && ArrayRef<int64_t>(*own) == rows;
  }
  std::optional<int64_t> bytes = rowBytesIn(l, rows);
  return bytes && *bytes <= kMaxRowBytes;
}

class FusionPolicy final : public DispatchGroupingPolicy {
public:
  StringRef getName() const override { return "fusion"; }

  LogicalResult
  formGroups(Block &body,
             SmallVectorImpl<DispatchGroup> &groups) const override {
    // Group index of each grouped op, whether a group has a reduction, and
    // whether one of them is a contraction (a reduction that is no row
    // reduction: conv, matmul, pooling).
    DenseMap<Operation *, size_t> groupOf;
    SmallVector<bool> hasReduction, hasContraction;
    // The rows of a row group (a group computed row by row: row
    // reductions and the ops around them); empty for other groups.
    SmallVector<SmallVector<int64_t>> rowsOf;
    // Ops of each group that need a dispatch (reshapes do not count).
    SmallVector<size_t> sizeOf;
    // Pads waiting for the reduction they fold into.
    DenseMap<Operation *, SmallVector<Operation *, 1>> padsOf;
    // Targets whose kernels compute folded pads per task say so (the
    // avx512 target's aicc-avx512-mark-folded-padding).
    Operation *parent = body.getParentOp();
    bool foldPadding = parent && parent->hasAttr("aicc.fold_padding");
    // Targets whose schedules compute row groups per row, and kernels with
    // several outputs of one elementwise chain, say so too (the avx512
    // target's aicc-avx512-mark-folded-padding); elsewhere reductions are
    // kernels of their own and a chain ends at a producer read twice.
    bool fuseRows = parent && parent->hasAttr("aicc.fuse_rows");

    // Whether `op` (after every op of group `g`) may join it with the
    // reshapes `views`: no op outside the group reads a result of the group
    // before `op` (the region is created at its last op).
    auto mayJoin = [&](size_t g, Operation *op, ArrayRef<Operation *> views) {
      if (sizeOf[g] >= kMaxGroupSize)
        return false;
      auto isMember = [&](Operation *user) {
        return user == op || llvm::is_contained(views, user) ||
               llvm::is_contained(groups[g], user);
      };
      auto check = [&](Operation *member) {
        for (Operation *user : member->getUsers()) {
          Operation *ancestor = body.findAncestorOpInBlock(*user);
          if (!ancestor || isMember(ancestor))
            continue;
          if (!op->isBeforeInBlock(ancestor))
            return false;
        }
        return true;
      };
      return llvm::all_of(groups[g], check) && llvm::all_of(views, check);
    };
    // The same check for the ops `members` (a merge of groups) and `op`.
    auto mayJoinOps = [&](ArrayRef<Operation *> members, Operation *op) {
      llvm::SmallPtrSet<Operation *, 16> set(members.begin(), members.end());
      set.insert(op);
      for (Operation *member : members)
        for (Operation *user : member->getUsers()) {
          Operation *ancestor = body.findAncestorOpInBlock(*user);
          if (ancestor && !set.contains(ancestor) &&
              !op->isBeforeInBlock(ancestor))
            return false;
        }
      return true;
    };
    auto addTo = [&](size_t g, Operation *op) {
      groups[g].push_back(op);
      groupOf[op] = g;
    };

    for (Operation &op : body.without_terminator()) {
      if (!needsDispatch(&op))
        continue;
      if (Operation *consumer = foldPadding ? padConsumer(&op) : nullptr) {
        padsOf[consumer].push_back(&op);
        continue;
      }
      std::optional<SmallVector<int64_t>> ownRows =
          fuseRows ? rowsOfReduction(&op) : std::nullopt;
      std::optional<size_t> target;
      Operation *targetProducer = nullptr;
      SmallVector<Operation *> targetViews;
      SmallVector<int64_t> targetRows;
      // Groups other than the target that `op` could join as well.
      SmallVector<size_t> mergeable;
      for (OpOperand &operand : op.getOpOperands()) {
        auto linalgOp = dyn_cast<linalg::LinalgOp>(&op);
        if (!linalgOp || !linalgOp.isDpsInput(&operand))
          continue;
        // The producer, through reshapes of a row group's rows.
        Operation *producer = operand.get().getDefiningOp();
        SmallVector<Operation *> views;
        while (producer && !groupOf.count(producer) && isViewOp(producer) &&
               isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(producer) &&
               views.size() < 4) {
          views.push_back(producer);
          producer = producer->getOperand(0).getDefiningOp();
        }
        auto it = producer ? groupOf.find(producer) : groupOf.end();
        if (it == groupOf.end())
          continue;
        size_t g = it->second;
        bool joins = false;
        SmallVector<int64_t> rows = rowsOf[g];
        if (hasContraction[g]) {
          // The epilogue of a conv or matmul: element for element, the
          // only reader of the group's last result (through reshapes that
          // add outer unit dims: a [1, S, K] x [K, N] MatMul's bias Add).
          // In row-fusing functions an elementwise member may be read by
          // several ops of the epilogue (GELU reads the bias Add twice).
          // Not for an epilogue with 8-bit tensors (a QDQ chain): a QDQ
          // GELU in an int8 matmul's kernel took Halide's bounds inference
          // minutes (77 s for a 16-row feed-forward block), where as a
          // kernel of its own its intermediates are computed per vector
          // (computeQdqChainPerVector in targets/avx512/HalideSchedule.cpp).
          bool quantized = hasByteValues(&op) ||
                           llvm::any_of(groups[g], hasByteValues);
          bool viewsFold = views.empty() ||
                           (!quantized && addsOuterUnitDims(views));
          bool readOnce = operand.get().hasOneUse() &&
                          groups[g].back() == producer &&
                          sizeOf[g] < kMaxGroupSize;
          bool sharedMember = fuseRows && !quantized && views.empty() &&
                              isElementwise(producer) &&
                              mayJoin(g, &op, views);
          joins = viewsFold && isElementwise(&op) &&
                  readsElementwise(linalgOp, operand) &&
                  (readOnce || sharedMember) &&
                  (isElementwise(producer) || isReduction(producer));
        } else if (views.empty() && isElementwise(&op) &&
                   readsElementwise(linalgOp, operand) &&
                   (isElementwise(producer) || isReduction(producer)) &&
                   (rows.empty() || isRowCompatible(&op, rows))) {
          // An elementwise chain (or the normalization of a row group).
          joins = fuseRows ? mayJoin(g, &op, views)
                           : operand.get().hasOneUse() &&
                                 groups[g].back() == producer &&
                                 sizeOf[g] < kMaxGroupSize;
        } else if (fuseRows) {
          // A row group: the op (a row reduction, or an op reading its
          // results per row) and the reshapes in between keep its rows. A
          // group of elementwise ops becomes one with the rows of a row
          // reduction reading it.
          if (rows.empty() && ownRows &&
              llvm::all_of(groups[g], [&](Operation *member) {
                return isRowCompatible(member, *ownRows);
              }))
            rows = *ownRows;
          joins = !rows.empty() && isRowCompatible(&op, rows) &&
                  llvm::all_of(views,
                               [&](Operation *view) {
                                 return isRowCompatible(view, rows);
                               }) &&
                  mayJoin(g, &op, views);
        }
        if (!joins)
          continue;
        if (fuseRows && !hasContraction[g] && views.empty())
          mergeable.push_back(g);
        // Prefer the epilogue of a conv or matmul, then the nearest
        // producer (a residual Add joins the conv just before it, not the
        // shortcut branch).
        bool better = !target ||
                      (hasContraction[g] && !hasContraction[*target]) ||
                      (hasContraction[g] == hasContraction[*target] &&
                       targetProducer->isBeforeInBlock(producer));
        if (better) {
          target = g;
          targetProducer = producer;
          targetViews = views;
          targetRows = rows;
        }
      }
      if (target && !hasContraction[*target]) {
        // Merge the other groups `op` reads that it could join: the
        // region is then created at `op`, after both.
        for (size_t g : mergeable) {
          if (g == *target || groups[g].empty() ||
              sizeOf[*target] + sizeOf[g] >= kMaxGroupSize)
            continue;
          ArrayRef<int64_t> rows = targetRows;
          if (!rowsOf[g].empty() && ArrayRef<int64_t>(rowsOf[g]) != rows)
            continue;
          if (!rows.empty() && !llvm::all_of(groups[g], [&](Operation *member) {
                return isRowCompatible(member, rows);
              }))
            continue;
          SmallVector<Operation *> both(groups[*target]);
          both.append(groups[g]);
          both.append(targetViews);
          if (!mayJoinOps(both, &op))
            continue;
          for (Operation *member : groups[g])
            addTo(*target, member);
          sizeOf[*target] += sizeOf[g];
          hasReduction[*target] = hasReduction[*target] || hasReduction[g];
          groups[g].clear();
          sizeOf[g] = 0;
        }
      }
      if (target) {
        for (Operation *view : llvm::reverse(targetViews))
          addTo(*target, view);
        addTo(*target, &op);
        ++sizeOf[*target];
        rowsOf[*target] = targetRows;
        hasReduction[*target] = hasReduction[*target] || isReduction(&op);
        continue;
      }
      auto pads = padsOf.find(&op);
      // A Winograd conv computes its output from the whole input (its
      // extern reads a kernel input), never per task of a producer.
      if (pads != padsOf.end() && !op.hasAttr("aicc.winograd")) {
        if (std::optional<size_t> producer = producerGroupOfPads(
                pads->second, groups, groupOf, hasReduction)) {
          // The group of the reduction producing the pads' source (an
          // expand conv and its epilogue) takes the pads and this op.
          for (Operation *pad : pads->second)
            addTo(*producer, pad);
          addTo(*producer, &op);
          sizeOf[*producer] += 1 + pads->second.size();
          continue;
        }
      }
      size_t g = groups.size();
      groups.push_back({});
      if (pads != padsOf.end())
        for (Operation *pad : pads->second)
          addTo(g, pad);
      addTo(g, &op);
      hasReduction.push_back(isReduction(&op));
      hasContraction.push_back(isReduction(&op) && !ownRows);
      rowsOf.push_back(ownRows ? *ownRows : SmallVector<int64_t>());
      sizeOf.push_back(groups[g].size());
    }
    // Groups merged into others.
    llvm::erase_if(groups, [](const DispatchGroup &g) { return g.empty(); });
    return success();
  }
};

} // namespace

std::shared_ptr<const DispatchGroupingPolicy> createFusionPolicy() {
  return std::make_shared<FusionPolicy>();
}

} // namespace aicc::exec
