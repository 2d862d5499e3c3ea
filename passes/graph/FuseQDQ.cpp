//===- FuseQDQ.cpp - DequantizeLinear -> op -> QuantizeLinear to QLinear ops
//-===//
//
// A QDQ model (ONNX Runtime's quantize_static with QuantFormat.QDQ) spells
// every quantized op as float math between DequantizeLinear and
// QuantizeLinear. This pass turns such groups into the quantized ops that
// compute in integers (QLinearMatMul, QLinearConv, QGemm) or requantize once
// (QLinearAdd, QLinearMul, QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax,
// QLinearAveragePool, QLinearGlobalAveragePool, QLinearConcat) — the groups
// ONNX Runtime's own QDQ transformer fuses, so both compute the same
// integers (docs/Quantization.md); a MaxPool between a DequantizeLinear and
// a QuantizeLinear of the same parameters runs on the 8-bit tensor, as
// ONNX Runtime drops such pairs. A group is fused when:
//
//   - the QuantizeLinear's input is the only use of the op,
//   - every quantized input of the op is a DequantizeLinear of i8/ui8 with
//     per-tensor parameters (a weight of MatMul/Conv/Gemm may be per channel
//     along its output axis) and no block_size,
//   - a Conv/Gemm bias, if any, is a DequantizeLinear of int32 with zero
//     point 0 and scale x_scale * w_scale (what ONNX Runtime's tool
//     writes; the integer kernels add the int32 bias to the accumulator),
//   - the QuantizeLinear quantizes per tensor to i8/ui8.
//
// DequantizeLinear ops left without uses are erased. quantize_dynamic's
// MatMulInteger -> Cast -> Mul(scale) [-> Add(bias)] becomes
// MatMulIntegerToFloat, as ONNX Runtime's optimizer fuses it.
//
//===----------------------------------------------------------------------===//

#include "passes/graph/ConstantData.h"
#include "passes/graph/Passes.h"

#include "dialects/graph/GraphOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/Debug.h"

#include <algorithm>
#include <cmath>

#define DEBUG_TYPE "aicc-graph-fuse-qdq"

using namespace mlir;

namespace aicc::graph {

#define GEN_PASS_DEF_FUSEQDQPASS
#include "passes/graph/Passes.h.inc"

namespace {

bool isI8OrU8(Type type) {
  auto intType = dyn_cast<IntegerType>(type);
  return intType && intType.getWidth() == 8;
}

RankedTensorType staticType(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

bool isPerTensor(Value param) {
  RankedTensorType type = staticType(param);
  return type && type.getNumElements() == 1;
}

/// The quantized tensor behind a DequantizeLinear: x, scale and zero point
/// (null when absent: `zeroPointOf` makes a constant 0 once the whole group
/// has matched, so a failed match leaves the IR alone).
struct Dequantized {
  Value x, scale, zeroPoint;
};

/// Whether a bias DequantizeLinear's scale is x_scale * w_scale (per tensor,
/// or per channel with w_scale), the scale the integer kernels give the
/// int32 bias. ONNX Runtime's quantizer writes that product; a model with
/// another bias scale keeps its float Conv/Gemm, which computes it exactly.
/// Constant scales only; a relative tolerance of 1e-6 accepts the product
/// rounded to f32.
bool isProductScale(Value biasScale, Value xScale, Value wScale) {
  auto values = [](Value v) -> std::optional<SmallVector<double>> {
    auto constant = v.getDefiningOp<ConstantOp>();
    if (!constant)
      return std::nullopt;
    return readAsDoubles(constant.getValue());
  };
  std::optional<SmallVector<double>> b = values(biasScale), x = values(xScale),
                                     w = values(wScale);
  if (!b || !x || !w || x->size() != 1)
    return false;
  size_t n = std::max(b->size(), w->size());
  if ((b->size() != 1 && b->size() != n) || (w->size() != 1 && w->size() != n))
    return false;
  for (size_t i = 0; i < n; ++i) {
    double expected = (*x)[0] * (*w)[w->size() == 1 ? 0 : i];
    double actual = (*b)[b->size() == 1 ? 0 : i];
    if (!(std::abs(actual - expected) <= 1e-6 * std::abs(expected)))
      return false;
  }
  return true;
}

/// The zero point of `d`, a new constant 0 of x's type when it has none.
Value zeroPointOf(PatternRewriter &rewriter, const Dequantized &d) {
  if (d.zeroPoint)
    return d.zeroPoint;
  auto type = RankedTensorType::get(
      {}, cast<RankedTensorType>(d.x.getType()).getElementType());
  return ConstantOp::create(rewriter, d.x.getLoc(),
                            DenseElementsAttr::get(type, APInt(8, 0)));
}

/// `v` as the output of a DequantizeLinear of i8/ui8 (or i32 when `bias`)
/// with per-tensor parameters, or per channel along `channelAxis` (of x)
/// when it is >= 0.
std::optional<Dequantized> matchDequantize(Value v, int64_t channelAxis = -1,
                                           bool bias = false) {
  auto dq = v.getDefiningOp<DequantizeLinearOp>();
  if (!dq || dq.getBlockSize() != 0)
    return std::nullopt;
  RankedTensorType xType = staticType(dq.getX());
  if (!xType)
    return std::nullopt;
  Type element = xType.getElementType();
  if (bias ? !element.isSignlessInteger(32) : !isI8OrU8(element))
    return std::nullopt;
  Value scale = dq.getXScale(), zeroPoint = dq.getXZeroPoint();
  RankedTensorType scaleType = staticType(scale);
  if (!scaleType || !scaleType.getElementType().isF32())
    return std::nullopt;
  if (!isPerTensor(scale)) {
    int64_t rank = xType.getRank();
    int64_t axis = dq.getAxis() < 0 ? dq.getAxis() + rank : dq.getAxis();
    if (channelAxis < 0 || axis != channelAxis || scaleType.getRank() != 1 ||
        scaleType.getDimSize(0) != xType.getDimSize(axis))
      return std::nullopt;
    if (zeroPoint && staticType(zeroPoint) !=
                         RankedTensorType::get(scaleType.getShape(), element))
      return std::nullopt;
  } else if (zeroPoint && !isPerTensor(zeroPoint)) {
    return std::nullopt;
  }
  if (bias) {
    // int32 biases: zero point 0 only.
    if (zeroPoint) {
      // Dense, or a resource (large per-channel zero points): all bytes 0.
      auto constant = zeroPoint.getDefiningOp<ConstantOp>();
      if (!constant)
        return std::nullopt;
      if (auto dense = dyn_cast<DenseIntElementsAttr>(constant.getValue())) {
        if (llvm::any_of(dense.getValues<APInt>(),
                         [](const APInt &z) { return !z.isZero(); }))
          return std::nullopt;
      } else {
        std::optional<ArrayRef<char>> bytes =
            getElementBytes(constant.getValue());
        if (!bytes || llvm::any_of(*bytes, [](char c) { return c != 0; }))
          return std::nullopt;
      }
    }
    return Dequantized{dq.getX(), scale, Value()};
  }
  return Dequantized{dq.getX(), scale, zeroPoint};
}

/// The QuantizeLinear that is the only use of `op`'s result: per tensor, to
/// i8/ui8.
QuantizeLinearOp matchQuantize(Operation *op) {
  if (op->getNumResults() != 1 || !op->getResult(0).hasOneUse())
    return {};
  auto q = dyn_cast<QuantizeLinearOp>(*op->getResult(0).getUsers().begin());
  if (!q || q.getBlockSize() != 0 || !isPerTensor(q.getYScale()) ||
      !staticType(q.getYScale()).getElementType().isF32() ||
      (q.getYZeroPoint() && !isPerTensor(q.getYZeroPoint())))
    return {};
  RankedTensorType yType = staticType(q.getY());
  if (!yType || !isI8OrU8(yType.getElementType()))
    return {};
  return q;
}

/// The zero point of `q` (a constant 0 of its output type when absent).
Value quantizeZeroPoint(PatternRewriter &rewriter, QuantizeLinearOp q) {
  if (Value zp = q.getYZeroPoint())
    return zp;
  auto type = RankedTensorType::get({}, staticType(q.getY()).getElementType());
  return ConstantOp::create(rewriter, q.getLoc(),
                            DenseElementsAttr::get(type, APInt(8, 0)));
}

/// Replaces `q` with the graph op `name` (operands, segment sizes when
/// given, attributes); its location fuses the op's and the QuantizeLinear's.
void replaceWithQLinear(PatternRewriter &rewriter, Operation *op,
                        QuantizeLinearOp q, StringRef name,
                        ArrayRef<Value> operands, ArrayRef<int32_t> segments,
                        ArrayRef<NamedAttribute> attrs) {
  Location loc = rewriter.getFusedLoc({op->getLoc(), q.getLoc()});
  OperationState state(loc, name);
  for (Value v : operands)
    if (v) // absent optional operands (segment size 0)
      state.addOperands(v);
  state.addTypes(q.getY().getType());
  state.addAttributes(attrs);
  if (!segments.empty())
    state.addAttribute("operandSegmentSizes",
                       rewriter.getDenseI32ArrayAttr(segments));
  Operation *fused = rewriter.create(state);
  LLVM_DEBUG(llvm::dbgs() << "fused " << op->getName() << " at " << op->getLoc()
                          << " into " << name << "\n");
  rewriter.replaceOp(q, fused->getResults());
}

/// The named attributes of `op` in `names` that it has.
SmallVector<NamedAttribute> copyAttrs(Operation *op,
                                      ArrayRef<StringRef> names) {
  SmallVector<NamedAttribute> attrs;
  for (StringRef name : names)
    if (Attribute a = op->getAttr(name))
      attrs.push_back(
          NamedAttribute(StringAttr::get(op->getContext(), name), a));
  return attrs;
}

struct FuseMatMul : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    QuantizeLinearOp q = matchQuantize(op);
    RankedTensorType bType = staticType(op.getB());
    if (!q || !bType)
      return failure();
    auto a = matchDequantize(op.getA());
    auto b = matchDequantize(op.getB(),
                             bType.getRank() >= 2 ? bType.getRank() - 1 : -1);
    if (!a || !b)
      return failure();
    replaceWithQLinear(rewriter, op, q, "graph.QLinearMatMul",
                       {a->x, a->scale, zeroPointOf(rewriter, *a), b->x,
                        b->scale, zeroPointOf(rewriter, *b), q.getYScale(),
                        quantizeZeroPoint(rewriter, q)},
                       {}, {});
    return success();
  }
};

struct FuseConv : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    QuantizeLinearOp q = matchQuantize(op);
    if (!q)
      return failure();
    auto x = matchDequantize(op.getX());
    auto w = matchDequantize(op.getW(), 0);
    std::optional<Dequantized> bias;
    if (op.getB()) {
      bias = matchDequantize(op.getB(), 0, /*bias=*/true);
      if (!bias)
        return failure();
    }
    if (!x || !w || (bias && !isProductScale(bias->scale, x->scale, w->scale)))
      return failure();
    SmallVector<Value> operands = {x->x,
                                   x->scale,
                                   zeroPointOf(rewriter, *x),
                                   w->x,
                                   w->scale,
                                   zeroPointOf(rewriter, *w),
                                   q.getYScale(),
                                   quantizeZeroPoint(rewriter, q)};
    if (bias)
      operands.push_back(bias->x);
    replaceWithQLinear(rewriter, op, q, "graph.QLinearConv", operands, {},
                       copyAttrs(op, {"auto_pad", "dilations", "group",
                                      "kernel_shape", "pads", "strides"}));
    return success();
  }
};

struct FuseGemm : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    QuantizeLinearOp q = matchQuantize(op);
    if (!q || op.getBeta().convertToDouble() != 1.0)
      return failure();
    auto a = matchDequantize(op.getA());
    auto b = matchDequantize(op.getB(), op.getTransB() ? 0 : 1);
    std::optional<Dequantized> c;
    if (op.getC()) {
      c = matchDequantize(op.getC(), 0, /*bias=*/true);
      if (!c)
        return failure();
    }
    if (!a || !b || (c && !isProductScale(c->scale, a->scale, b->scale)))
      return failure();
    replaceWithQLinear(rewriter, op, q, "graph.QGemm",
                       {a->x, a->scale, zeroPointOf(rewriter, *a), b->x,
                        b->scale, zeroPointOf(rewriter, *b), c ? c->x : Value(),
                        q.getYScale(), quantizeZeroPoint(rewriter, q)},
                       {1, 1, 1, 1, 1, 1, c ? 1 : 0, 1, 1},
                       copyAttrs(op, {"alpha", "transA", "transB"}));
    return success();
  }
};

/// Add and Mul: QLinearAdd / QLinearMul (per tensor).
template <typename OpTy> struct FuseBinary : OpRewritePattern<OpTy> {
  FuseBinary(MLIRContext *ctx, StringRef name)
      : OpRewritePattern<OpTy>(ctx), name(name) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    QuantizeLinearOp q = matchQuantize(op);
    if (!q)
      return failure();
    auto a = matchDequantize(op->getOperand(0));
    auto b = matchDequantize(op->getOperand(1));
    if (!a || !b)
      return failure();
    replaceWithQLinear(rewriter, op, q, name,
                       {a->x, a->scale, zeroPointOf(rewriter, *a), b->x,
                        b->scale, zeroPointOf(rewriter, *b), q.getYScale(),
                        quantizeZeroPoint(rewriter, q)},
                       {1, 1, 1, 1, 1, 1, 1, 1}, {});
    return success();
  }
  std::string name;
};

/// Ops of one quantized input: Sigmoid, LeakyRelu, Softmax, AveragePool,
/// GlobalAveragePool.
template <typename OpTy> struct FuseUnary : OpRewritePattern<OpTy> {
  FuseUnary(MLIRContext *ctx, StringRef name, ArrayRef<StringRef> attrs,
            bool segments)
      : OpRewritePattern<OpTy>(ctx), name(name),
        attrNames(attrs.begin(), attrs.end()), segments(segments) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    QuantizeLinearOp q = matchQuantize(op);
    if (!q)
      return failure();
    auto x = matchDequantize(op->getOperand(0));
    if (!x)
      return failure();
    SmallVector<StringRef> names(attrNames.begin(), attrNames.end());
    SmallVector<NamedAttribute> attrs = copyAttrs(op, names);
    if (std::is_same_v<OpTy, SoftmaxOp>)
      attrs.push_back(
          rewriter.getNamedAttr("opset", rewriter.getI64IntegerAttr(13)));
    SmallVector<int32_t> sizes;
    if (segments)
      sizes = {1, 1, 1, 1, 1};
    replaceWithQLinear(rewriter, op, q, name,
                       {x->x, x->scale, zeroPointOf(rewriter, *x),
                        q.getYScale(), quantizeZeroPoint(rewriter, q)},
                       sizes, attrs);
    return success();
  }
  std::string name;
  SmallVector<std::string> attrNames;
  bool segments;
};

struct FuseAveragePool : FuseUnary<AveragePoolOp> {
  using FuseUnary::FuseUnary;
  LogicalResult matchAndRewrite(AveragePoolOp op,
                                PatternRewriter &rewriter) const override {
    // QLinearAveragePool has no dilations.
    if (auto d = op.getDilations();
        d && llvm::any_of(*d, [](int64_t v) { return v != 1; }))
      return failure();
    return FuseUnary::matchAndRewrite(op, rewriter);
  }
};

struct FuseConcat : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    QuantizeLinearOp q = matchQuantize(op);
    if (!q)
      return failure();
    SmallVector<Dequantized> inputs;
    for (Value input : op.getInputs()) {
      auto x = matchDequantize(input);
      if (!x)
        return failure();
      inputs.push_back(*x);
    }
    SmallVector<Value> operands = {q.getYScale(),
                                   quantizeZeroPoint(rewriter, q)};
    for (const Dequantized &x : inputs)
      operands.append({x.x, x.scale, zeroPointOf(rewriter, x)});
    replaceWithQLinear(rewriter, op, q, "graph.QLinearConcat", operands, {},
                       copyAttrs(op, {"axis"}));
    return success();
  }
};

/// Whether `v` is an f32 tensor of one element (`n` < 0) or, else, of one
/// element or of shape [n].
bool isF32ScaleOf(Value v, int64_t n = -1) {
  RankedTensorType type = staticType(v);
  if (!type || !type.getElementType().isF32())
    return false;
  if (type.getNumElements() == 1)
    return true;
  return n >= 0 && type.getRank() == 1 && type.getDimSize(0) == n;
}

/// Whether `a` and `b` hold the same scalar quantization parameter: the
/// same value, or constants of one element equal as doubles (a scale or a
/// zero point), both absent included.
bool sameScalarParam(Value a, Value b) {
  if (a == b)
    return true;
  if (!a || !b || !isPerTensor(a) || !isPerTensor(b) ||
      getElementTypeOrSelf(a.getType()) != getElementTypeOrSelf(b.getType()))
    return false;
  auto ca = a.getDefiningOp<ConstantOp>(), cb = b.getDefiningOp<ConstantOp>();
  if (!ca || !cb)
    return false;
  std::optional<SmallVector<double>> va = readAsDoubles(ca.getValue()),
                                     vb = readAsDoubles(cb.getValue());
  return va && vb && va->size() == 1 && vb->size() == 1 &&
         va->front() == vb->front();
}

/// DequantizeLinear -> MaxPool -> QuantizeLinear with the same per-tensor
/// scale and zero point on both sides (ONNX Runtime's quantize_static
/// writes them so) becomes MaxPool of the 8-bit tensor: the max of
/// dequantized values is the dequantized max (a monotonic map), and
/// quantizing a dequantized value gives it back (|x - zp| <= 255, so
/// round(((x - zp) * s) / s) is x - zp), so the integers are the same; the
/// pads, lowest of the type (0 for u8), never win a window that holds an
/// input element. ONNX Runtime's QDQ transformer drops such DQ/Q pairs too
/// (its MaxPool runs on u8). ResNet-50's stem then stores u8 instead of f32
/// and its max pool reads 4x fewer bytes.
struct FuseMaxPool : OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getIndices().use_empty() || !op.getY().hasOneUse())
      return failure();
    auto q = dyn_cast<QuantizeLinearOp>(*op.getY().getUsers().begin());
    auto dq = op.getX().getDefiningOp<DequantizeLinearOp>();
    if (!q || !dq || q.getBlockSize() != 0 || dq.getBlockSize() != 0)
      return failure();
    RankedTensorType xType = staticType(dq.getX()), yType = staticType(q.getY());
    if (!xType || !yType || !isI8OrU8(xType.getElementType()) ||
        xType.getElementType() != yType.getElementType() ||
        !isPerTensor(dq.getXScale()) ||
        !sameScalarParam(dq.getXScale(), q.getYScale()) ||
        !sameScalarParam(dq.getXZeroPoint(), q.getYZeroPoint()))
      return failure();
    Location loc = rewriter.getFusedLoc({op.getLoc(), q.getLoc()});
    OperationState state(loc, op->getName());
    state.addOperands(dq.getX());
    state.addTypes({yType, op.getIndices().getType()});
    state.addAttributes(op->getAttrs());
    Operation *pool = rewriter.create(state);
    LLVM_DEBUG(llvm::dbgs() << "MaxPool at " << op.getLoc()
                            << " on the quantized tensor\n");
    rewriter.replaceOp(q, pool->getResult(0));
    rewriter.eraseOp(op);
    return success();
  }
};

/// quantize_dynamic's matmul, MatMulInteger -> Cast(f32) -> Mul(scale)
/// [-> Add(bias of [N])], becomes MatMulIntegerToFloat: ONNX Runtime's
/// optimizer fuses the same chain (MatMulIntegerToFloatFusion), and its
/// kernel rounds f32(acc) * (a_scale * b_scale) and then the bias addition,
/// which the fused op reproduces (docs/Quantization.md); left as float Mul
/// and Add, aicc's kernels would contract the two into a fused multiply-add.
/// The scale is Mul(a_scale, b_scale) (one scalar, the other a scalar or
/// per column) or one such tensor (then a_scale is 1).
struct FuseMatMulIntegerToFloat : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType yType = staticType(op.getResult());
    if (!yType || !yType.getElementType().isF32() || yType.getRank() < 1)
      return failure();
    int64_t n = yType.getShape().back();
    for (int k = 0; k < 2; ++k) {
      auto cast = op->getOperand(k).getDefiningOp<CastOp>();
      Value scale = op->getOperand(1 - k);
      if (!cast || !cast->hasOneUse())
        continue;
      auto mm = cast.getInput().getDefiningOp<MatMulIntegerOp>();
      if (!mm || !mm->hasOneUse() || staticType(mm.getResult()) == nullptr ||
          staticType(mm.getResult()).getShape() != yType.getShape())
        continue;
      Value aScale, bScale;
      auto product = scale.getDefiningOp<MulOp>();
      if (product && isF32ScaleOf(product->getOperand(0)) &&
          isF32ScaleOf(product->getOperand(1), n) &&
          staticType(product.getResult()) &&
          staticType(product.getResult()).getRank() <= 1) {
        aScale = product->getOperand(0);
        bScale = product->getOperand(1);
      } else if (product && isF32ScaleOf(product->getOperand(1)) &&
                 isF32ScaleOf(product->getOperand(0), n) &&
                 staticType(product.getResult()) &&
                 staticType(product.getResult()).getRank() <= 1) {
        aScale = product->getOperand(1);
        bScale = product->getOperand(0);
      } else if (isF32ScaleOf(scale, n) && staticType(scale).getRank() <= 1) {
        aScale = ConstantOp::create(
            rewriter, op.getLoc(),
            DenseElementsAttr::get(
                RankedTensorType::get({}, rewriter.getF32Type()), 1.0f));
        bScale = scale;
      } else {
        continue;
      }
      // A bias of [N] added to the product alone.
      Operation *root = op;
      Value bias;
      if (op->hasOneUse())
        if (auto add = dyn_cast<AddOp>(*op->getUsers().begin()))
          for (int j = 0; j < 2; ++j) {
            Value other = add->getOperand(1 - j);
            RankedTensorType biasType = staticType(other);
            if (add->getOperand(j) == op.getResult() && biasType &&
                biasType.getElementType().isF32() &&
                biasType.getRank() == 1 && biasType.getDimSize(0) == n &&
                staticType(add.getResult()) == yType) {
              bias = other;
              root = add;
              break;
            }
          }
      Location loc = rewriter.getFusedLoc({mm.getLoc(), root->getLoc()});
      OperationState state(loc, "graph.MatMulIntegerToFloat");
      state.addOperands({mm.getA(), mm.getB(), aScale, bScale});
      if (Value az = mm.getAZeroPoint())
        state.addOperands(az);
      if (Value bz = mm.getBZeroPoint())
        state.addOperands(bz);
      if (bias)
        state.addOperands(bias);
      state.addAttribute(
          "operandSegmentSizes",
          rewriter.getDenseI32ArrayAttr(
              {1, 1, 1, 1, mm.getAZeroPoint() ? 1 : 0,
               mm.getBZeroPoint() ? 1 : 0, bias ? 1 : 0}));
      state.addTypes(yType);
      Operation *fused = rewriter.create(state);
      LLVM_DEBUG(llvm::dbgs() << "fused MatMulInteger at " << mm.getLoc()
                              << " into MatMulIntegerToFloat\n");
      rewriter.replaceOp(root, fused->getResults());
      return success();
    }
    return failure();
  }
};

struct FuseQDQPass : impl::FuseQDQPassBase<FuseQDQPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FuseMatMul, FuseConv, FuseGemm, FuseConcat, FuseMaxPool,
                 FuseMatMulIntegerToFloat>(ctx);
    patterns.add<FuseBinary<AddOp>>(ctx, "graph.QLinearAdd");
    patterns.add<FuseBinary<MulOp>>(ctx, "graph.QLinearMul");
    patterns.add<FuseUnary<SigmoidOp>>(ctx, "graph.QLinearSigmoid",
                                       ArrayRef<StringRef>{}, true);
    patterns.add<FuseUnary<LeakyReluOp>>(ctx, "graph.QLinearLeakyRelu",
                                         ArrayRef<StringRef>{"alpha"}, true);
    patterns.add<FuseUnary<SoftmaxOp>>(ctx, "graph.QLinearSoftmax",
                                       ArrayRef<StringRef>{"axis"}, false);
    patterns.add<FuseUnary<GlobalAveragePoolOp>>(
        ctx, "graph.QLinearGlobalAveragePool", ArrayRef<StringRef>{}, false);
    patterns.add<FuseAveragePool>(
        ctx, "graph.QLinearAveragePool",
        ArrayRef<StringRef>{"auto_pad", "ceil_mode", "count_include_pad",
                            "kernel_shape", "pads", "strides"},
        true);
    GreedyRewriteConfig config;
    config.enableFolding(false).enableConstantCSE(false);
    // Every fused group replaces one QuantizeLinear.
    auto countQuantize = [&] {
      unsigned n = 0;
      getOperation().walk([&](QuantizeLinearOp) { ++n; });
      return n;
    };
    unsigned before = countQuantize();
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
    numFused += before - countQuantize();
  }
};

} // namespace
} // namespace aicc::graph
