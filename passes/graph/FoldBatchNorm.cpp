//===- FoldBatchNorm.cpp - BatchNormalization into Conv/Gemm weights -----===//
//
// Inference BatchNormalization is an affine map per channel,
// y = (x - mean) * s + B with s = scale / sqrt(var + epsilon). When x is a
// Conv or Gemm with constant weights used only by the BatchNormalization,
// the map is folded into those weights: W[c, ...] * s[c] and a new bias.
// Values are computed in double and rounded once to the element type.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/Passes.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/graph/ConstantData.h"
#include "llvm/Support/Debug.h"
#include <cmath>

#define DEBUG_TYPE "aicc-graph-fold-batchnorm"

using namespace mlir;

namespace aicc::graph {

#define GEN_PASS_DEF_FOLDBATCHNORMPASS
#include "passes/graph/Passes.h.inc"

namespace {

/// The value of a graph.constant operand, or null.
ElementsAttr constantValue(Value v) {
  if (!v)
    return {};
  auto constant = v.getDefiningOp<ConstantOp>();
  return constant ? constant.getValue() : ElementsAttr();
}

/// A new constant of `type` holding `values`; stored like `like` (a
/// dense_resource if it was one or if it is large).
Value createConstant(PatternRewriter &rewriter, Location loc,
                     RankedTensorType type, ArrayRef<double> values,
                     ElementsAttr like, StringRef name) {
  bool asResource = (like && isa<DenseResourceElementsAttr>(like)) ||
                    type.getNumElements() > kInlineElementLimit;
  StringRef key = like ? getResourceKey(like) : StringRef();
  ElementsAttr attr =
      makeFloatElements(type, values, asResource, key.empty() ? name : key);
  if (!attr)
    return {};
  return ConstantOp::create(rewriter, loc, attr);
}


struct FoldBatchNorm : OpRewritePattern<BatchNormalizationOp> {
  FoldBatchNorm(MLIRContext *ctx, GraphFoldCounters *counters)
      : OpRewritePattern(ctx), counters(counters) {}

  LogicalResult matchAndRewrite(BatchNormalizationOp bn,
                                PatternRewriter &rewriter) const override {
    if (bn.getTrainingMode() != 0)
      return rewriter.notifyMatchFailure(bn, "training mode");
    if (!bn.getRunningMean().use_empty() || !bn.getRunningVar().use_empty())
      return rewriter.notifyMatchFailure(bn, "running statistics are used");
    Operation *producer = bn.getX().getDefiningOp();
    if (!producer || !isa<ConvOp, GemmOp>(producer))
      return rewriter.notifyMatchFailure(bn, "input is not a Conv or Gemm");
    if (!bn.getX().hasOneUse())
      return rewriter.notifyMatchFailure(bn, "the producer has other uses");
    auto type = dyn_cast<RankedTensorType>(bn.getX().getType());
    if (!type || !type.hasStaticShape() || type.getRank() < 2 ||
        !isa<FloatType>(type.getElementType()) || type != bn.getY().getType())
      return rewriter.notifyMatchFailure(bn, "not a static float tensor");
    int64_t channels = type.getDimSize(1);

    // s = scale / sqrt(var + epsilon) per channel; B is the shift.
    SmallVector<SmallVector<double>, 4> params;
    for (Value v :
         {bn.getScale(), bn.getB(), bn.getInputMean(), bn.getInputVar()}) {
      ElementsAttr attr = constantValue(v);
      std::optional<SmallVector<double>> values =
          attr ? readAsDoubles(attr) : std::nullopt;
      if (!values || (int64_t)values->size() != channels)
        return rewriter.notifyMatchFailure(
            bn, "scale, B, mean and var are not constants of one value per "
                "channel");
      params.push_back(std::move(*values));
    }
    double epsilon = bn.getEpsilon().convertToDouble();
    SmallVector<double> s(channels), mean = params[2];
    for (int64_t c = 0; c < channels; ++c)
      s[c] = params[0][c] / std::sqrt(params[3][c] + epsilon);
    ArrayRef<double> shift = params[1];

    Location fusedLoc =
        FusedLoc::get(rewriter.getContext(), {producer->getLoc(), bn.getLoc()});
    if (auto conv = dyn_cast<ConvOp>(producer)) {
      if (failed(foldIntoConv(conv, s, mean, shift, fusedLoc, rewriter)))
        return failure();
    } else if (failed(foldIntoGemm(cast<GemmOp>(producer), s, mean, shift,
                                   fusedLoc, rewriter))) {
      return failure();
    }
    LLVM_DEBUG(llvm::dbgs() << "folded " << bn.getLoc() << " into "
                            << producer->getLoc() << "\n");
    rewriter.replaceAllUsesWith(bn.getY(), bn.getX());
    rewriter.eraseOp(bn);
    if (counters)
      ++counters->folded;
    return success();
  }

private:
  /// W[m, ...] *= s[m]; bias = (bias - mean) * s + shift.
  LogicalResult foldIntoConv(ConvOp conv, ArrayRef<double> s,
                             ArrayRef<double> mean, ArrayRef<double> shift,
                             Location fusedLoc,
                             PatternRewriter &rewriter) const {
    int64_t channels = s.size();
    ElementsAttr weightAttr = constantValue(conv.getW());
    auto weightType = dyn_cast<RankedTensorType>(conv.getW().getType());
    if (!weightAttr || !weightType || weightType.getRank() < 1 ||
        weightType.getDimSize(0) != channels)
      return rewriter.notifyMatchFailure(conv, "weights are not constant");
    std::optional<SmallVector<double>> weights = readAsDoubles(weightAttr);
    SmallVector<double> bias(channels, 0.0);
    ElementsAttr biasAttr;
    if (Value b = conv.getB()) {
      biasAttr = constantValue(b);
      std::optional<SmallVector<double>> values =
          biasAttr ? readAsDoubles(biasAttr) : std::nullopt;
      if (!values || (int64_t)values->size() != channels)
        return rewriter.notifyMatchFailure(conv, "bias is not constant");
      bias = std::move(*values);
    }
    if (!weights)
      return rewriter.notifyMatchFailure(conv, "weights cannot be read");
    int64_t perChannel = weights->size() / channels;
    for (int64_t i = 0, e = weights->size(); i < e; ++i)
      (*weights)[i] *= s[i / perChannel];
    auto folded = buildFolded(conv, weightType, *weights, weightAttr, bias,
                              biasAttr, s, mean, shift, fusedLoc, rewriter);
    if (failed(folded))
      return rewriter.notifyMatchFailure(conv, "cannot build the weights");
    auto [newWeight, newBias] = *folded;
    rewriter.modifyOpInPlace(conv, [&] {
      conv.getWMutable().set(newWeight);
      conv.getBMutable().assign(newBias);
      conv->setLoc(fusedLoc);
    });
    return success();
  }

  /// bias = (bias - mean) * s + shift, then the scaled weights and the bias
  /// as new constants before `op` at `fusedLoc`.
  FailureOr<std::pair<Value, Value>>
  buildFolded(Operation *op, RankedTensorType weightType,
              ArrayRef<double> weights, ElementsAttr weightAttr,
              MutableArrayRef<double> bias, ElementsAttr biasAttr,
              ArrayRef<double> s, ArrayRef<double> mean,
              ArrayRef<double> shift, Location fusedLoc,
              PatternRewriter &rewriter) const {
    int64_t channels = s.size();
    for (int64_t c = 0; c < channels; ++c)
      bias[c] = (bias[c] - mean[c]) * s[c] + shift[c];
    rewriter.setInsertionPoint(op);
    std::string name = getNodeName(op->getLoc()).str();
    Value newWeight = createConstant(rewriter, fusedLoc, weightType, weights,
                                     weightAttr, name + ".weight");
    auto biasType =
        RankedTensorType::get({channels}, weightType.getElementType());
    Value newBias = createConstant(rewriter, fusedLoc, biasType, bias, biasAttr,
                                   name + ".bias");
    if (!newWeight || !newBias)
      return failure();
    if (counters)
      counters->bytes += (weightType.getNumElements() + channels) *
                         weightType.getElementTypeBitWidth() / 8;
    return std::make_pair(newWeight, newBias);
  }

  /// Column n of op(B) *= s[n]; C = (beta * C - mean) * s + shift, beta = 1.
  LogicalResult foldIntoGemm(GemmOp gemm, ArrayRef<double> s,
                             ArrayRef<double> mean, ArrayRef<double> shift,
                             Location fusedLoc,
                             PatternRewriter &rewriter) const {
    int64_t channels = s.size();
    ElementsAttr weightAttr = constantValue(gemm.getB());
    auto weightType = dyn_cast<RankedTensorType>(gemm.getB().getType());
    if (!weightAttr || !weightType || weightType.getRank() != 2)
      return rewriter.notifyMatchFailure(gemm, "weights are not constant");
    bool transB = gemm.getTransB() != 0;
    if (weightType.getDimSize(transB ? 0 : 1) != channels)
      return rewriter.notifyMatchFailure(gemm, "weights do not match");
    std::optional<SmallVector<double>> weights = readAsDoubles(weightAttr);
    if (!weights)
      return rewriter.notifyMatchFailure(gemm, "weights cannot be read");
    // C broadcasts to [M, N]: a scalar or one value per column folds.
    SmallVector<double> bias(channels, 0.0);
    ElementsAttr biasAttr;
    double beta = gemm.getBeta().convertToDouble();
    if (Value c = gemm.getC()) {
      biasAttr = constantValue(c);
      auto cType = dyn_cast<RankedTensorType>(c.getType());
      std::optional<SmallVector<double>> values =
          biasAttr ? readAsDoubles(biasAttr) : std::nullopt;
      bool perColumn = cType && cType.getRank() >= 1 &&
                       cType.getDimSize(cType.getRank() - 1) == channels &&
                       cType.getNumElements() == channels;
      if (!values || (values->size() != 1 && !perColumn))
        return rewriter.notifyMatchFailure(gemm,
                                           "C is not a constant scalar or row");
      for (int64_t n = 0; n < channels; ++n)
        bias[n] = beta * (*values)[values->size() == 1 ? 0 : n];
    }
    int64_t cols = weightType.getDimSize(1);
    for (int64_t i = 0, e = weights->size(); i < e; ++i)
      (*weights)[i] *= s[transB ? i / cols : i % cols];
    auto folded = buildFolded(gemm, weightType, *weights, weightAttr, bias,
                              biasAttr, s, mean, shift, fusedLoc, rewriter);
    if (failed(folded))
      return rewriter.notifyMatchFailure(gemm, "cannot build the weights");
    auto [newWeight, newBias] = *folded;
    rewriter.modifyOpInPlace(gemm, [&] {
      gemm.getBMutable().set(newWeight);
      gemm.getCMutable().assign(newBias);
      gemm.setBetaAttr(rewriter.getF32FloatAttr(1.0f));
      gemm->setLoc(fusedLoc);
    });
    return success();
  }

  GraphFoldCounters *counters;
};

struct FoldBatchNormPass : impl::FoldBatchNormPassBase<FoldBatchNormPass> {
  void runOnOperation() override {
    GraphFoldCounters counters;
    RewritePatternSet patterns(&getContext());
    populateFoldBatchNormPatterns(patterns, &counters);
    // Only this rewrite: folding and constant CSE are the canonicalizer's.
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
    numFolded += counters.folded;
  }
};

} // namespace

void populateFoldBatchNormPatterns(RewritePatternSet &patterns,
                                   GraphFoldCounters *counters) {
  patterns.add<FoldBatchNorm>(patterns.getContext(), counters);
}

} // namespace aicc::graph
