//===- FlattenPointwiseConvs.cpp - 1x1 convs over the flattened map -------===//
//
// See Passes.td. A 1x1 stride-1 conv on an NCHW map reads and writes each
// channel plane densely, so it is the same conv on the map reshaped to one
// row of H*W pixels ([N, C, 1, H*W], a view of the same bytes). The avx512
// schedule vectorizes a conv's innermost dim: on 56- or 28-wide rows the
// last vector of each row is half empty and every other row starts in the
// middle of a cache line; on the flattened row every vector is full and
// aligned. The elementwise ops reading the conv (its bias Add, residual Add
// and ReLU, which dispatch formation fuses into its kernel) are rewritten on
// the flattened shape too, their other operands read through the same view,
// and the result is reshaped back for the ops after them. A 1x1 conv of
// stride 2 is first rewritten to stride 1 on a subsampled copy of its input
// (subsample), which the same rule may then flatten.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/Passes.h"
#include "targets/avx512/VectorLayout.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/Statistic.h"

#define DEBUG_TYPE "aicc-avx512-flatten-pointwise-convs"

STATISTIC(numFlattened, "1x1 convs computed over the flattened map");
STATISTIC(numSubsampled, "1x1 stride-2 convs computed on a subsampled copy");
STATISTIC(numEpilogueOps, "elementwise ops moved to the flattened shape");

namespace aicc::avx512 {
#define GEN_PASS_DEF_FLATTENPOINTWISECONVS
#include "targets/avx512/Passes.h.inc"
} // namespace aicc::avx512

using namespace mlir;

namespace aicc::avx512 {
namespace {

/// Marks a conv computed on a subsampled copy of its input (see
/// subsample), for flatRow; dropped when the pass ends.
constexpr llvm::StringLiteral kSubsampledAttr = "aicc.subsampled";

/// [a, b, H, W] -> [a, b, H * W / row, row].
RankedTensorType flatType(RankedTensorType t, int64_t row) {
  ArrayRef<int64_t> s = t.getShape();
  return RankedTensorType::get({s[0], s[1], s[2] * s[3] / row, row},
                               t.getElementType());
}

SmallVector<ReassociationIndices> lastTwo() {
  return {ReassociationIndices{0}, ReassociationIndices{1},
          ReassociationIndices{2, 3}};
}

/// `v` ([a, b, H, W]) viewed as [a, b, 1, H * W]: a collapse and an expand,
/// which the canonicalizer folds against the reshapes around them.
Value toFlat(OpBuilder &b, Location loc, Value v, int64_t row) {
  auto t = cast<RankedTensorType>(v.getType());
  ArrayRef<int64_t> s = t.getShape();
  auto rows = RankedTensorType::get({s[0], s[1], s[2] * s[3]},
                                    t.getElementType());
  Value c = tensor::CollapseShapeOp::create(b, loc, rows, v, lastTwo());
  return tensor::ExpandShapeOp::create(b, loc, flatType(t, row), c,
                                       lastTwo());
}

/// `v` ([a, b, 1, H * W]) viewed as `type` ([a, b, H, W]).
Value fromFlat(OpBuilder &b, Location loc, Value v, RankedTensorType type) {
  ArrayRef<int64_t> s = type.getShape();
  auto rows = RankedTensorType::get({s[0], s[1], s[2] * s[3]},
                                    type.getElementType());
  Value c = tensor::CollapseShapeOp::create(b, loc, rows, v, lastTwo());
  return tensor::ExpandShapeOp::create(b, loc, type, c, lastTwo());
}

/// Whether input map `m` of a 4-loop op reads no element along loops 2 and
/// 3 (the map's rows and columns): a broadcast (a per-channel bias or
/// scale), which reads the same on the flattened loops.
bool ignoresMap(AffineMap m) {
  return !m.isFunctionOfDim(2) && !m.isFunctionOfDim(3);
}

/// An elementwise generic over a static [a, b, H, W] shape whose inputs are
/// read element for element or broadcast along the map: it computes the
/// same on [a, b, 1, H * W].
bool isFlattenableElementwise(linalg::GenericOp op, RankedTensorType type) {
  if (op->getNumResults() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 4 || op.getNumReductionLoops() != 0 ||
      op.hasIndexSemantics() || op->getResult(0).getType() != type)
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap m = op.getMatchingIndexingMap(&operand);
    if (m.isIdentity()) {
      auto t = dyn_cast<RankedTensorType>(operand.get().getType());
      if (!t || t.getShape() != type.getShape())
        return false;
      continue;
    }
    if (op.isDpsInit(&operand) || !ignoresMap(m))
      return false;
  }
  return true;
}

/// The init of a conv computed on the flattened shape: a fill, or a
/// broadcast of the bias, into a tensor.empty, cloned with the flat type.
/// Null when the init is anything else.
Value flattenInit(OpBuilder &b, Value init, int64_t row) {
  Operation *def = init.getDefiningOp();
  auto type = cast<RankedTensorType>(init.getType());
  // (It may be shared: CSE merges equal bias broadcasts of several convs.)
  if (!def || def->getNumResults() != 1)
    return {};
  auto linalgOp = dyn_cast<linalg::LinalgOp>(def);
  if (!linalgOp || linalgOp.getNumDpsInits() != 1 ||
      !linalgOp.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>())
    return {};
  if (auto generic = dyn_cast<linalg::GenericOp>(def)) {
    if (!isFlattenableElementwise(generic, type))
      return {};
    // Only broadcasts: an input read in place would need a view of its own.
    for (OpOperand *in : generic.getDpsInputOperands())
      if (!ignoresMap(generic.getMatchingIndexingMap(in)))
        return {};
    // Its body reads no output element.
    if (generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)))
      return {};
  } else if (!isa<linalg::FillOp>(def)) {
    return {};
  }
  IRMapping map;
  Value empty =
      tensor::EmptyOp::create(b, def->getLoc(), flatType(type, row).getShape(),
                              type.getElementType());
  map.map(linalgOp.getDpsInits()[0], empty);
  Operation *clone = b.clone(*def, map);
  clone->getResult(0).setType(flatType(type, row));
  return clone->getResult(0);
}

/// The last op of the chain of elementwise ops reading `conv`, each the
/// only user of the one before (what `flatten` moves to the flat shape).
Operation *chainEnd(linalg::Conv2DNchwFchwOp conv) {
  auto type = cast<RankedTensorType>(conv->getResult(0).getType());
  Operation *last = conv;
  while (last->getResult(0).hasOneUse()) {
    auto user = dyn_cast<linalg::GenericOp>(*last->getUsers().begin());
    if (!user || !isFlattenableElementwise(user, type))
      break;
    last = user;
  }
  return last;
}

/// Whether `conv` reads and writes static f32 tensors and its weights are a
/// constant: what both rewrites of this pass require.
bool isStaticF32ConstantConv(linalg::Conv2DNchwFchwOp conv) {
  auto in = dyn_cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filter = dyn_cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto out = dyn_cast<RankedTensorType>(conv->getResult(0).getType());
  return in && filter && out && in.hasStaticShape() &&
         filter.hasStaticShape() && out.hasStaticShape() &&
         in.getElementType().isF32() && filter.getElementType().isF32() &&
         out.getElementType().isF32() &&
         conv.getInputs()[1].getDefiningOp<graph::ConstantOp>();
}

/// The row length of the view a 1x1 stride-1 fp32 conv on rows that waste
/// vector lanes (wider than a vector, not a multiple of one) is computed
/// on, or nullopt to keep it:
///   - the expansions scheduleChannelPanelTasks (HalideSchedule.cpp)
///     computes as a task per panel of output channels: the whole map as
///     one row (its tiles walk it; a 28x28 map's 784 pixels in 49 full
///     vectors);
///   - other convs of at least 64 input and output channels on maps of a
///     multiple of 64 pixels (ResNet-50's 56x56 convs 64 -> 64, 256 -> 64
///     and 256 -> 128): rows of 64 pixels, 4 full aligned vectors, so the
///     schedules that make a task of each row (blocked accumulators) keep
///     their tasks. bench/profile, 2 threads, share of ResNet-50's samples:
///     256 -> 64 (x2) 2.6% -> 2.3%, 256 -> 128 2.4% -> 2.2%. Thinner convs
///     (MobileNetV2's 144 -> 24 on 56x56) were not measured and keep their
///     shape.
/// A conv whose result (after its elementwise chain) is padded for a
/// depthwise conv or a pooling keeps its shape too: the pad folds into that
/// kernel together with the conv (FusionPolicy), which a view in between
/// would prevent. (A pad read by a dense conv is a copy of its own either
/// way.)
std::optional<int64_t> flatRow(linalg::Conv2DNchwFchwOp conv) {
  if (!isStaticF32ConstantConv(conv))
    return std::nullopt;
  auto in = cast<RankedTensorType>(conv.getInputs()[0].getType());
  auto filter = cast<RankedTensorType>(conv.getInputs()[1].getType());
  auto out = cast<RankedTensorType>(conv->getResult(0).getType());
  if (llvm::any_of(conv.getStrides().getValues<int64_t>(),
                   [](int64_t s) { return s != 1; }))
    return std::nullopt;
  ArrayRef<int64_t> x = in.getShape(), w = filter.getShape(),
                    y = out.getShape();
  if (w[2] != 1 || w[3] != 1 || x[2] != y[2] || x[3] != y[3])
    return std::nullopt;
  int64_t c = x[1], f = y[1], h = y[2], width = y[3];
  constexpr int lanes = 16;
  if (h <= 1 || width <= lanes || width % lanes == 0)
    return std::nullopt;
  // A stride-2 conv computed on its subsampled copy (see subsample): the
  // whole map as one row. (Kernel alone, one thread, 256 -> 512 on 56x56
  // -> 28x28: on the 28-wide rows 0.97 ms, flattened 0.88 ms, the strided
  // conv 0.91 ms; on 14x14 maps, 512 -> 1024, the flattened 196 pixels
  // were slower, 0.95 ms against 0.83 on the rows.)
  if (conv->hasAttr(kSubsampledAttr))
    return h * width;
  auto foldedPad = [](Operation *user) {
    return isa<tensor::PadOp>(user) &&
           llvm::any_of(user->getUsers(), [](Operation *padUser) {
             return !isa<linalg::Conv2DNchwFchwOp>(padUser);
           });
  };
  if (llvm::any_of(chainEnd(conv)->getUsers(), foldedPad))
    return std::nullopt;
  if (c <= kMaxPanelTaskReduction && f >= kMinPanelTaskChannels &&
      4 * c * h * width <= kMaxPanelTaskInputBytes)
    return h * width;
  if (c >= 64 && f >= 64 && (h * width) % (4 * lanes) == 0)
    return 4 * lanes;
  return std::nullopt;
}

void flatten(linalg::Conv2DNchwFchwOp conv, int64_t row) {
  OpBuilder b(conv);
  Location loc = conv.getLoc();
  auto outType = cast<RankedTensorType>(conv->getResult(0).getType());
  Value init = flattenInit(b, conv.getOutputs()[0], row);
  if (!init)
    return;
  Operation *oldInit = conv.getOutputs()[0].getDefiningOp();
  IRMapping map;
  map.map(conv.getInputs()[0], toFlat(b, loc, conv.getInputs()[0], row));
  map.map(conv.getOutputs()[0], init);
  Operation *flatConv = b.clone(*conv, map);
  flatConv->getResult(0).setType(flatType(outType, row));
  ++numFlattened;

  // The elementwise chain reading the conv, each op its only user.
  Value tail = flatConv->getResult(0);
  Operation *last = conv;
  SmallVector<Operation *> dead = {conv};
  while (last->getResult(0).hasOneUse()) {
    auto user = dyn_cast<linalg::GenericOp>(*last->getUsers().begin());
    if (!user || !isFlattenableElementwise(user, outType))
      break;
    b.setInsertionPoint(user);
    IRMapping m;
    for (OpOperand &operand : user->getOpOperands()) {
      Value v = operand.get();
      if (v == last->getResult(0)) {
        m.map(v, tail);
      } else if (user.getMatchingIndexingMap(&operand).isIdentity() &&
                 !m.contains(v)) {
        if (user.isDpsInit(&operand) && v.getDefiningOp<tensor::EmptyOp>())
          m.map(v, tensor::EmptyOp::create(b, user.getLoc(),
                                           flatType(outType, row).getShape(),
                                           outType.getElementType()));
        else
          m.map(v, toFlat(b, user.getLoc(), v, row));
      }
    }
    Operation *clone = b.clone(*user, m);
    clone->getResult(0).setType(flatType(outType, row));
    tail = clone->getResult(0);
    last = user;
    dead.push_back(user);
    ++numEpilogueOps;
  }
  b.setInsertionPoint(last);
  last->getResult(0).replaceAllUsesWith(fromFlat(b, loc, tail, outType));
  for (Operation *op : llvm::reverse(dead))
    op->erase();
  if (oldInit && oldInit->use_empty())
    oldInit->erase();
}

/// Whether `conv` is an fp32 1x1 conv of stride 2 (both dims), dilation 1,
/// with constant weights on a static map: the downsample convs of
/// ResNet-style networks.
bool isStride2Pointwise(linalg::Conv2DNchwFchwOp conv) {
  if (!isStaticF32ConstantConv(conv))
    return false;
  if (llvm::any_of(conv.getStrides().getValues<int64_t>(),
                   [](int64_t s) { return s != 2; }) ||
      llvm::any_of(conv.getDilations().getValues<int64_t>(),
                   [](int64_t d) { return d != 1; }))
    return false;
  ArrayRef<int64_t> w =
      cast<RankedTensorType>(conv.getInputs()[1].getType()).getShape();
  return w[2] == 1 && w[3] == 1;
}

/// A 1x1 stride-2 conv is the same conv of stride 1 on the subsampled map
/// x[:, :, ::2, ::2]: the copy (a linalg.generic reading every second
/// pixel of every second row) replaces the conv's input, so the conv reads
/// a dense map a quarter of the size (in cache) instead of every second
/// element of every second row of the whole map.
void subsample(linalg::Conv2DNchwFchwOp conv) {
  OpBuilder b(conv);
  Location loc = conv.getLoc();
  Value x = conv.getInputs()[0];
  auto in = cast<RankedTensorType>(x.getType());
  auto out = cast<RankedTensorType>(conv->getResult(0).getType());
  ArrayRef<int64_t> s = in.getShape();
  SmallVector<int64_t> shape = {s[0], s[1], out.getShape()[2],
                                out.getShape()[3]};
  MLIRContext *ctx = b.getContext();
  AffineExpr n, c, h, w;
  bindDims(ctx, n, c, h, w);
  AffineMap read = AffineMap::get(4, 0, {n, c, h * 2, w * 2}, ctx);
  AffineMap id = AffineMap::getMultiDimIdentityMap(4, ctx);
  Value empty = tensor::EmptyOp::create(b, loc, shape, in.getElementType());
  auto copy = linalg::GenericOp::create(
      b, loc, TypeRange{empty.getType()}, ValueRange{x}, ValueRange{empty},
      ArrayRef<AffineMap>{read, id},
      SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
      [](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, args[0]);
      });
  // (A new op: a named conv memoizes its indexing maps, which depend on
  // its strides.)
  auto dense = linalg::Conv2DNchwFchwOp::create(
      b, loc, TypeRange{out},
      ValueRange{copy->getResult(0), conv.getInputs()[1]},
      ValueRange{conv.getOutputs()[0]}, b.getI64TensorAttr({1, 1}),
      conv.getDilationsAttr());
  dense->setAttr(kSubsampledAttr, b.getUnitAttr());
  conv->replaceAllUsesWith(dense);
  conv->erase();
  ++numSubsampled;
}

struct FlattenPointwiseConvsPass
    : public impl::FlattenPointwiseConvsBase<FlattenPointwiseConvsPass> {
  void runOnOperation() override {
    SmallVector<linalg::Conv2DNchwFchwOp> strided;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (isStride2Pointwise(conv))
        strided.push_back(conv);
    });
    for (linalg::Conv2DNchwFchwOp conv : strided)
      subsample(conv);
    SmallVector<std::pair<linalg::Conv2DNchwFchwOp, int64_t>> convs;
    getOperation().walk([&](linalg::Conv2DNchwFchwOp conv) {
      if (std::optional<int64_t> row = flatRow(conv))
        convs.push_back({conv, *row});
    });
    for (auto [conv, row] : convs)
      flatten(conv, row);
    getOperation().walk([](linalg::Conv2DNchwFchwOp conv) {
      conv->removeAttr(kSubsampledAttr);
    });
    if (convs.empty())
      return;
    // A view back to [a, b, H, W] read through a view to [a, b, 1, H * W]
    // (a flattened conv reading another's result) is the value itself.
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace aicc::avx512
