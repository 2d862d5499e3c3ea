//===- LowPrecisionKernels.cpp - bf16/fp16 operands read narrow ----------===//
//
// See Passes.td. aicc-graph-convert-precision (--precision=bf16|fp16)
// leaves convs and matmuls whose operands are `extf` of bf16/f16 tensors.
//
// Weights: an `extf` of a bf16/f16 constant feeding a reduction is folded
// into the reduction's body, so the weights stay narrow in memory (and
// PackWeights packs the narrow constant) instead of a kernel widening them
// on every run.
//
// bf16 dot products (option dot-products, where the kernels may use
// AVX512-BF16): a conv or matmul of extf(bf16 activation) and extf(bf16
// constant) is rewritten to read the bf16 tensors directly, with the
// reduction over input channels (conv) or K (matmul) split into [C/2][2]
// and the pair as the innermost reduction loop: the shape of AVX512-BF16's
// vdpbf16ps (16 f32 lanes, each += a dot product of 2 bf16 pairs), which
// Halide emits for an atomic vectorized reduction of 2 over f32(bf16) *
// f32(bf16) (CodeGen_X86's "dot_product" pattern with narrow type
// BFloat(16)). VectorLayout's dotProductOf then gives the register tile,
// PackWeights packs the weights with the pair innermost, and the schedule
// vectorizes the pair.
//
// The f32 products of two bf16 values are exact, so only the accumulation
// order differs from the f32 conv of the rounded operands.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/Passes.h"

#include "dialects/graph/GraphOps.h"
#include "passes/graph/ConstantData.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <cstring>

namespace aicc::avx512 {
#define GEN_PASS_DEF_LOWPRECISIONKERNELS
#include "targets/avx512/Passes.h.inc"
} // namespace aicc::avx512

using namespace mlir;

namespace aicc::avx512 {
namespace {

/// The bf16/f16 tensor that `v` is `extf` of (an elementwise identity-map
/// generic whose body is one arith.extf to f32), or null.
Value narrowSource(Value v) {
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getNumResults() != 1 ||
      generic.getNumReductionLoops() != 0 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return {};
  Block &body = generic.getRegion().front();
  if (body.getOperations().size() != 2)
    return {};
  // int8w weights (aicc-graph-convert-precision): sitofp of an i8 tensor.
  if (auto toFloat = dyn_cast<arith::SIToFPOp>(body.front())) {
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (yield.getNumOperands() != 1 ||
        yield.getOperand(0) != toFloat.getResult() ||
        toFloat.getIn() != body.getArgument(0) ||
        !toFloat.getIn().getType().isInteger(8) ||
        !toFloat.getType().isF32())
      return {};
    return generic.getDpsInputs()[0];
  }
  auto ext = dyn_cast<arith::ExtFOp>(body.front());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (!ext || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != ext.getResult() ||
      ext.getIn() != body.getArgument(0) ||
      !(ext.getIn().getType().isBF16() || ext.getIn().getType().isF16()) ||
      !ext.getType().isF32())
    return {};
  return generic.getDpsInputs()[0];
}

/// The bf16 tensor that `v` is `extf` of, or null.
Value bf16Source(Value v) {
  Value source = narrowSource(v);
  if (!source || !cast<ShapedType>(source.getType()).getElementType().isBF16())
    return {};
  return source;
}

/// The bf16 constant that `v` extends, or null.
graph::ConstantOp bf16Constant(Value v) {
  Value source = bf16Source(v);
  return source ? source.getDefiningOp<graph::ConstantOp>() : nullptr;
}

/// `constant`'s data as a constant of `shape` (same element count).
Value reshapeConstant(OpBuilder &b, graph::ConstantOp constant,
                      ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(constant.getType()).getElementType());
  ElementsAttr value = constant.getValue();
  ElementsAttr reshaped;
  if (auto dense = dyn_cast<DenseElementsAttr>(value))
    reshaped = dense.reshape(type);
  else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
    reshaped = DenseResourceElementsAttr::get(type, resource.getRawHandle());
  if (!reshaped)
    return {};
  return graph::ConstantOp::create(b, constant.getLoc(), reshaped);
}

/// `constant`'s bytes as `rows` rows of `rowIn` bytes, each followed by
/// zeros up to `rowOut` bytes, in a constant of `shape` named after it with
/// `suffix`.
Value zeroPaddedRowsConstant(OpBuilder &b, graph::ConstantOp constant,
                             int64_t rows, int64_t rowIn, int64_t rowOut,
                             ArrayRef<int64_t> shape, StringRef suffix) {
  std::optional<ArrayRef<char>> bytes =
      graph::getElementBytes(constant.getValue());
  if (!bytes || (int64_t)bytes->size() != rows * rowIn || rowOut < rowIn)
    return {};
  std::vector<char> data(rows * rowOut, 0);
  for (int64_t r = 0; r < rows; ++r)
    std::memcpy(&data[r * rowOut], bytes->data() + r * rowIn, rowIn);
  std::string name = suffix.str();
  if (auto loc = dyn_cast<NameLoc>(constant.getLoc()))
    name = loc.getName().str() + "." + name;
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(constant.getType()).getElementType());
  return graph::ConstantOp::create(
      b, constant.getLoc(),
      DenseResourceElementsAttr::get(
          type, name,
          HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(data),
                                                        alignof(uint64_t))));
}

/// `constant` ([F][C][kh][kw] bf16, C odd) with a zero input channel
/// appended, as [F][(C+1)/2][2][kh][kw] (the same bytes as [F][C+1][kh][kw]).
Value evenChannelsConstant(OpBuilder &b, graph::ConstantOp constant) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(constant.getType()).getShape();
  int64_t taps = s[2] * s[3];
  return zeroPaddedRowsConstant(b, constant, s[0], s[1] * taps * 2,
                                (s[1] + 1) * taps * 2,
                                {s[0], (s[1] + 1) / 2, 2, s[2], s[3]}, "even");
}

/// `constant` ([F][C][kh][kw] bf16) with its window columns in pairs,
/// [F][C][kh][Q][2] with Q = ceil(kw / 2), the last column zero when kw is
/// odd.
Value pairedColumnsConstant(OpBuilder &b, graph::ConstantOp constant) {
  ArrayRef<int64_t> s = cast<RankedTensorType>(constant.getType()).getShape();
  int64_t kw = s[3], q = (kw + 1) / 2;
  return zeroPaddedRowsConstant(b, constant, s[0] * s[1] * s[2], kw * 2,
                                q * 2 * 2, {s[0], s[1], s[2], q, 2},
                                "columns");
}

/// `source` ([d0..., C, ...]) with dim `dim` split into [C/2][2].
Value splitPairs(OpBuilder &b, Location loc, Value source, int64_t dim) {
  auto type = cast<RankedTensorType>(source.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> groups;
  for (int64_t k = 0; k < type.getRank(); ++k) {
    if (k == dim) {
      groups.push_back({(int64_t)shape.size(), (int64_t)shape.size() + 1});
      shape.append({type.getDimSize(k) / 2, 2});
      continue;
    }
    groups.push_back({(int64_t)shape.size()});
    shape.push_back(type.getDimSize(k));
  }
  return tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), source,
      groups);
}

/// The body acc + f32(a) * f32(b).
void yieldBf16MultiplyAdd(OpBuilder &b, Location loc, ValueRange args) {
  Type f32 = b.getF32Type();
  Value a = arith::ExtFOp::create(b, loc, f32, args[0]);
  Value w = arith::ExtFOp::create(b, loc, f32, args[1]);
  Value product = arith::MulFOp::create(b, loc, a, w);
  Value sum = arith::AddFOp::create(b, loc, args[2], product);
  linalg::YieldOp::create(b, loc, sum);
}

bool isStaticBf16(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() && type.getElementType().isBF16();
}

/// conv_2d_nchw_fchw over extf(bf16 image, maybe zero-padded) and extf(bf16
/// constant weights). An odd channel count (a first RGB conv) gets one zero
/// channel, in the image's padding and the weights, so it too is made of
/// pairs.
LogicalResult rewriteConv(linalg::Conv2DNchwFchwOp conv, IRRewriter &rewriter) {
  Value image = conv.getInputs()[0], filter = conv.getInputs()[1];
  graph::ConstantOp weights = bf16Constant(filter);
  if (!weights)
    return failure();
  auto pad = image.getDefiningOp<tensor::PadOp>();
  Value source = bf16Source(pad ? pad.getSource() : image);
  if (!source || !isStaticBf16(source))
    return failure();
  if (pad) {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !matchPattern(padValue, m_AnyZeroFloat()))
      return failure();
  }
  auto wType = cast<RankedTensorType>(weights.getType());
  if (!wType.hasStaticShape() || wType.getRank() != 4)
    return failure();
  bool oddChannels = wType.getDimSize(1) % 2 != 0;
  // The image's padding (static), plus the zero channel.
  SmallVector<int64_t> low(4, 0), high(4, 0);
  if (pad) {
    for (auto [k, l, h] : llvm::enumerate(pad.getMixedLowPad(),
                                          pad.getMixedHighPad())) {
      std::optional<int64_t> lv = getConstantIntValue(l),
                             hv = getConstantIntValue(h);
      if (!lv || !hv)
        return failure();
      low[k] = *lv;
      high[k] = *hv;
    }
  }
  if (oddChannels)
    high[1] += 1;
  SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
  SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
  if (strides.size() != 2 || dilations.size() != 2)
    return failure();
  // An odd channel count with a stride of 2 along the rows (ResNet-50's
  // 7x7 RGB stem): pairs of adjacent window columns instead of channels.
  // Output column x reads image columns 2x + kw, so the columns 2q and
  // 2q + 1 of the window are the image pair x + q of the rows split into
  // [W/2][2]: a dot product of 2 with the image read in place, its vectors
  // along the output row at unit step (dense 64-byte loads, dense stores).
  // The channel pairs instead pad 3 channels to 4 (a third more work), read
  // a pair copy of the image, and with a stride of 2 tile along the output
  // channels, each accumulator stored as a 16-lane scatter: 1.1 ms, about
  // the fp32 stem's time, on one Zen 5 core.
  bool columnPairs = oddChannels && strides[1] == 2 && dilations[1] == 1;
  if (columnPairs) {
    oddChannels = false;
    high[1] -= 1;
    auto sourceType = cast<RankedTensorType>(source.getType());
    auto outType = cast<RankedTensorType>(conv.getResultTypes()[0]);
    int64_t q = (wType.getDimSize(3) + 1) / 2;
    int64_t width = sourceType.getDimSize(3) + low[3] + high[3];
    // Every column pair a window reads lies in the (zero) padded rows.
    int64_t needed = 2 * (outType.getDimSize(3) - 1) + 2 * q;
    int64_t paddedWidth = std::max(width, needed);
    paddedWidth += paddedWidth % 2;
    high[3] += paddedWidth - width;
  }

  Location loc = conv.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(conv);
  ArrayRef<int64_t> ws = wType.getShape();
  rewriter.setInsertionPoint(weights);
  Value packed =
      columnPairs   ? pairedColumnsConstant(rewriter, weights)
      : oddChannels ? evenChannelsConstant(rewriter, weights)
                    : reshapeConstant(rewriter, weights,
                                      {ws[0], ws[1] / 2, 2, ws[2], ws[3]});
  if (!packed)
    return failure();
  rewriter.setInsertionPoint(conv);
  Value input = source;
  if (pad || oddChannels || low[3] + high[3] > 0) {
    Value zero = arith::ConstantOp::create(
        rewriter, loc, rewriter.getFloatAttr(rewriter.getBF16Type(), 0.0));
    auto sourceType = cast<RankedTensorType>(source.getType());
    SmallVector<int64_t> shape;
    for (int64_t k = 0; k < 4; ++k)
      shape.push_back(sourceType.getDimSize(k) + low[k] + high[k]);
    input = tensor::PadOp::create(
        rewriter, loc, RankedTensorType::get(shape, rewriter.getBF16Type()),
        source, getAsIndexOpFoldResult(ctx, low),
        getAsIndexOpFoldResult(ctx, high), zero);
  }
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
  iterators.append(4, utils::IteratorType::reduction);
  SmallVector<AffineMap> maps;
  if (columnPairs) {
    // [N][C][H][W/2][2] and [F][C][kh][Q][2]. Loops: n, f, oh, ow, c, kh,
    // q, the pair.
    input = splitPairs(rewriter, loc, input, 3);
    maps = {AffineMap::get(8, 0,
                           {d(0), d(4), d(2) * strides[0] + d(5) * dilations[0],
                            d(3) + d(6), d(7)},
                           ctx),
            AffineMap::get(8, 0, {d(1), d(4), d(5), d(6), d(7)}, ctx)};
  } else {
    // [N][C/2][2][H][W] and [F][C/2][2][kh][kw]. Loops: n, f, oh, ow, c/2,
    // kh, kw, c%2.
    input = splitPairs(rewriter, loc, input, 1);
    maps = {AffineMap::get(8, 0,
                           {d(0), d(4), d(7),
                            d(2) * strides[0] + d(5) * dilations[0],
                            d(3) * strides[1] + d(6) * dilations[1]},
                           ctx),
            AffineMap::get(8, 0, {d(1), d(4), d(7), d(5), d(6)}, ctx)};
  }
  maps.push_back(AffineMap::get(8, 0, {d(0), d(1), d(2), d(3)}, ctx));
  auto generic = linalg::GenericOp::create(
      rewriter, loc, conv.getResultTypes(), ValueRange{input, packed},
      conv.getOutputs(), maps, iterators, yieldBf16MultiplyAdd);
  rewriter.replaceOp(conv, generic.getResults());
  return success();
}

/// matmul (default maps) of extf(bf16 [M, K]) and extf(bf16 constant
/// [K, N]) with an even K.
LogicalResult rewriteMatmul(linalg::MatmulOp matmul, IRRewriter &rewriter) {
  if (matmul.hasUserDefinedMaps())
    return failure();
  Value lhs = matmul.getInputs()[0], rhs = matmul.getInputs()[1];
  graph::ConstantOp weights = bf16Constant(rhs);
  // A [..., M, K] activation collapsed to [M, K] (a MatMul of rank > 2).
  auto collapse = lhs.getDefiningOp<tensor::CollapseShapeOp>();
  Value source = bf16Source(collapse ? collapse.getSrc() : lhs);
  if (!weights || !source || !isStaticBf16(source))
    return failure();
  auto wType = cast<RankedTensorType>(weights.getType());
  if (!wType.hasStaticShape() || wType.getRank() != 2 ||
      wType.getDimSize(0) % 2 != 0)
    return failure();
  Location loc = matmul.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  rewriter.setInsertionPoint(matmul);
  if (collapse)
    source = tensor::CollapseShapeOp::create(
        rewriter, loc,
        cast<RankedTensorType>(collapse.getType())
            .clone(rewriter.getBF16Type()),
        source, collapse.getReassociationIndices());
  Value input = splitPairs(rewriter, loc, source, 1);
  rewriter.setInsertionPoint(weights);
  Value packed = reshapeConstant(
      rewriter, weights, {wType.getDimSize(0) / 2, 2, wType.getDimSize(1)});
  if (!packed)
    return failure();
  rewriter.setInsertionPoint(matmul);
  // Loops: m, n, k/2, k%2.
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {d(0), d(2), d(3)}, ctx),
                                 AffineMap::get(4, 0, {d(2), d(3), d(1)}, ctx),
                                 AffineMap::get(4, 0, {d(0), d(1)}, ctx)};
  SmallVector<utils::IteratorType> iterators = {
      utils::IteratorType::parallel, utils::IteratorType::parallel,
      utils::IteratorType::reduction, utils::IteratorType::reduction};
  auto generic = linalg::GenericOp::create(
      rewriter, loc, matmul.getResultTypes(), ValueRange{input, packed},
      matmul.getOutputs(), maps, iterators, yieldBf16MultiplyAdd);
  rewriter.replaceOp(matmul, generic.getResults());
  return success();
}

/// Reads the narrow constants that `op`'s inputs widen (extf of a bf16/f16
/// graph.constant, sitofp of an int8w one) in its body instead (a named op
/// is generalized first).
void foldWeightExtensions(linalg::LinalgOp op, IRRewriter &rewriter) {
  SmallVector<std::pair<unsigned, Value>> narrow;
  for (auto [i, input] : llvm::enumerate(op.getDpsInputs()))
    if (Value source = narrowSource(input);
        source && source.getDefiningOp<graph::ConstantOp>())
      narrow.push_back({(unsigned)i, source});
  if (narrow.empty())
    return;
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
    if (failed(g))
      return;
    generic = *g;
  }
  Block &body = generic.getRegion().front();
  for (auto [i, source] : narrow) {
    BlockArgument arg = body.getArgument(i);
    rewriter.setInsertionPointToStart(&body);
    Type narrowType = cast<ShapedType>(source.getType()).getElementType();
    arg.setType(narrowType);
    Operation *widen =
        narrowType.isInteger(8)
            ? arith::SIToFPOp::create(rewriter, generic.getLoc(),
                                      rewriter.getF32Type(), arg)
                  .getOperation()
            : arith::ExtFOp::create(rewriter, generic.getLoc(),
                                    rewriter.getF32Type(), arg)
                  .getOperation();
    arg.replaceAllUsesExcept(widen->getResult(0), widen);
    rewriter.modifyOpInPlace(generic, [&] { generic->setOperand(i, source); });
  }
}

struct LowPrecisionKernelsPass
    : public impl::LowPrecisionKernelsBase<LowPrecisionKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op.getNumReductionLoops() > 0)
        candidates.push_back(op);
    });
    for (linalg::LinalgOp op : candidates) {
      if (dotProducts) {
        if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op.getOperation());
            conv && succeeded(rewriteConv(conv, rewriter)))
          continue;
        if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation());
            matmul && succeeded(rewriteMatmul(matmul, rewriter)))
          continue;
      }
      foldWeightExtensions(op, rewriter);
    }
    // The f32 copies the rewritten ops no longer read (extf generics, pads,
    // reshapes and the original weight constants).
    bool changed = true;
    while (changed) {
      changed = false;
      getOperation().walk([&](Operation *op) {
        if (op->use_empty() && op->getNumResults() > 0 &&
            isa<linalg::GenericOp, tensor::PadOp, tensor::CollapseShapeOp,
                graph::ConstantOp, tensor::EmptyOp>(op)) {
          op->erase();
          changed = true;
        }
      });
    }
  }
};

} // namespace
} // namespace aicc::avx512
