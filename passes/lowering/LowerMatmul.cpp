//===- LowerMatmul.cpp - MatMul, Gemm, MatMulInteger to linalg -----------===//
//
// NumPy matmul semantics: 1-D operands are promoted to matrices and the
// promoted dims dropped from the result; batch dims broadcast. The common
// shapes become named ops (activations x weights: one linalg.matmul over the
// flattened rows; equal batch dims: linalg.batch_matmul), everything else
// (broadcast batch dims, transposed Gemm operands) a linalg.generic
// contraction with projected-permutation maps.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// out[loops(outDims)] += a[...] * b[...] over a loop nest `loopShape`, with
/// `reductionDims` reduced; `init` is the accumulator (of the output type).
Value buildContraction(OpBuilder &b, Location loc, LoopOperand lhs,
                       LoopOperand rhs, ArrayRef<int64_t> loopShape,
                       ArrayRef<int64_t> reductionDims, Value init) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0, e = loopShape.size(); i < e; ++i) {
    if (llvm::is_contained(reductionDims, i)) {
      iterators.push_back(utils::IteratorType::reduction);
    } else {
      iterators.push_back(utils::IteratorType::parallel);
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  SmallVector<AffineMap> maps = {
      lhs.map, rhs.map, AffineMap::get(loopShape.size(), 0, outExprs, ctx)};
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ValueRange{lhs.value, rhs.value},
      ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nloc, ValueRange blockArgs) {
        SmallVector<Value> args = toSignlessScalars(nb, nloc, blockArgs);
        Value product = scalarMul(nb, nloc, args[0], args[1]);
        linalg::YieldOp::create(
            nb, nloc,
            fromSignlessScalar(nb, nloc, scalarAdd(nb, nloc, args[2], product),
                               blockArgs[2].getType()));
      });
  return generic.getResult(0);
}

/// NumPy matmul of signless `lhs` and `rhs` (same element type) accumulated
/// into a tensor of `resultShape` initialised from `init` (a tensor of the
/// result shape) or zero.
Value buildMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                  ArrayRef<int64_t> resultShape, Value init = nullptr) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Type elementType = lhsType.getElementType();
  SmallVector<int64_t> lhsShape(lhsType.getShape());
  SmallVector<int64_t> rhsShape(rhsType.getShape());
  if (lhsShape.size() == 1) {
    lhsShape.insert(lhsShape.begin(), 1);
    lhs = reshapeTo(b, loc, lhs, lhsShape);
  }
  if (rhsShape.size() == 1) {
    rhsShape.push_back(1);
    rhs = reshapeTo(b, loc, rhs, rhsShape);
  }
  int64_t m = lhsShape[lhsShape.size() - 2];
  int64_t k = lhsShape.back();
  int64_t n = rhsShape.back();
  ArrayRef<int64_t> lhsBatch = ArrayRef<int64_t>(lhsShape).drop_back(2);
  ArrayRef<int64_t> rhsBatch = ArrayRef<int64_t>(rhsShape).drop_back(2);
  // Broadcast batch shape.
  SmallVector<int64_t> batch;
  size_t batchRank = std::max(lhsBatch.size(), rhsBatch.size());
  for (size_t i = 0; i < batchRank; ++i) {
    int64_t l = i + lhsBatch.size() >= batchRank
                    ? lhsBatch[i + lhsBatch.size() - batchRank]
                    : 1;
    int64_t r = i + rhsBatch.size() >= batchRank
                    ? rhsBatch[i + rhsBatch.size() - batchRank]
                    : 1;
    batch.push_back(std::max(l, r));
  }
  SmallVector<int64_t> fullShape(batch);
  fullShape.append({m, n});
  Value acc = init ? reshapeTo(b, loc, init, fullShape)
                   : createFilled(b, loc, fullShape,
                                  constScalar(b, loc, toSignless(elementType), 0.0),
                                  elementType);
  // Named ops compute with arith on the element type: signless only.
  bool named = !isUnsignedInt(elementType);
  Value result;
  if (named && rhsBatch.empty()) {
    // The rows of all batches at once against one matrix.
    int64_t rows = product(lhsBatch) * m;
    Value lhs2 = reshapeTo(b, loc, lhs, {rows, k});
    Value acc2 = reshapeTo(b, loc, acc, {rows, n});
    result = linalg::MatmulOp::create(b, loc, TypeRange{acc2.getType()},
                                      ValueRange{lhs2, rhs}, ValueRange{acc2})
                 .getResult(0);
  } else if (named && lhsBatch == rhsBatch) {
    int64_t batches = product(lhsBatch);
    Value lhs3 = reshapeTo(b, loc, lhs, {batches, m, k});
    Value rhs3 = reshapeTo(b, loc, rhs, {batches, k, n});
    Value acc3 = reshapeTo(b, loc, acc, {batches, m, n});
    result = linalg::BatchMatmulOp::create(b, loc, TypeRange{acc3.getType()},
                                           ValueRange{lhs3, rhs3},
                                           ValueRange{acc3})
                 .getResult(0);
  } else {
    // Loops: batch..., m, n, k.
    SmallVector<int64_t> loopShape(batch);
    int64_t r = batch.size();
    loopShape.append({m, n, k});
    SmallVector<int64_t> lhsDims, rhsDims;
    for (size_t i = 0; i < lhsBatch.size(); ++i)
      lhsDims.push_back(batchRank - lhsBatch.size() + i);
    lhsDims.append({r, r + 2});
    for (size_t i = 0; i < rhsBatch.size(); ++i)
      rhsDims.push_back(batchRank - rhsBatch.size() + i);
    rhsDims.append({r + 2, r + 1});
    result = buildContraction(b, loc, readInto(b, loc, lhs, loopShape, lhsDims),
                              readInto(b, loc, rhs, loopShape, rhsDims),
                              loopShape, {r + 2}, acc);
  }
  return reshapeTo(b, loc, result, resultShape);
}

/// NumPy matmul with dynamic dims: one linalg.generic contraction (batch...,
/// m, n, k) into a zero-filled tensor of the result's sizes. Batch dims of
/// static size 1 against a larger one are broadcast; other dims are read as
/// they are (the analysis assumed equal dims equal).
Value buildDynamicMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         ArrayRef<OpFoldResult> resultSizes) {
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  Type elementType = lhsType.getElementType();
  ArrayRef<int64_t> lhsShape = lhsType.getShape();
  ArrayRef<int64_t> rhsShape = rhsType.getShape();
  SmallVector<int64_t> loopShape = staticShapeOf(resultSizes);
  int64_t r = loopShape.size() - 2;
  int64_t k = lhsShape.back();
  if (ShapedType::isDynamic(k))
    k = rhsShape[rhsShape.size() - 2];
  loopShape.push_back(k);
  int64_t batchRank = r;
  SmallVector<int64_t> lhsDims, rhsDims;
  for (int64_t i = 0, e = lhsShape.size() - 2; i < e; ++i)
    lhsDims.push_back(batchRank - e + i);
  lhsDims.append({r, r + 2});
  for (int64_t i = 0, e = rhsShape.size() - 2; i < e; ++i)
    rhsDims.push_back(batchRank - e + i);
  rhsDims.append({r + 2, r + 1});
  Value acc = createFilledSized(b, loc, resultSizes,
                           constScalar(b, loc, toSignless(elementType), 0.0),
                           elementType);
  return buildContraction(b, loc, readInto(b, loc, lhs, loopShape, lhsDims),
                          readInto(b, loc, rhs, loopShape, rhsDims),
                          loopShape, {r + 2}, acc);
}

struct MatMulPattern : LoweringPattern<graph::MatMulOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::MatMulOp op,
                      PatternRewriter &rewriter) const override {
    if (hasDynamicDims(op)) {
      if (std::string why = whyNotKnownIntOrFloat(op); !why.empty())
        return rewriter.notifyMatchFailure(op, why);
      if (cast<RankedTensorType>(op.getA().getType()).getRank() < 2 ||
          cast<RankedTensorType>(op.getB().getType()).getRank() < 2)
        return rewriter.notifyMatchFailure(
            op, "a 1-D operand with dynamic dims is not supported yet");
      Value result =
          buildDynamicMatmul(rewriter, op.getLoc(), op.getA(), op.getB(),
                             *getKnownDimSizes(op->getResult(0)));
      rewriter.replaceOp(op, result);
      return success();
    }
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Value result = buildMatmul(rewriter, loc, op.getA(), op.getB(),
                               resultType.getShape());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Y = alpha * op(A) * op(B) + beta * C.
struct GemmPattern : LoweringPattern<graph::GemmOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::GemmOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotKnownIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type elementType = resultType.getElementType();
    bool isFloat = isa<FloatType>(elementType);
    if (isUnsignedInt(elementType))
      return rewriter.notifyMatchFailure(
          op, "unsigned integer Gemm is not supported");
    Value a = op.getA();
    Value bm = op.getB();
    Value c = op.getC();
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    if (!isFloat && (alpha != 1.0 || beta != 1.0))
      return rewriter.notifyMatchFailure(
          op, "integer Gemm with alpha or beta other than 1 is not supported");
    int64_t m = resultType.getDimSize(0), n = resultType.getDimSize(1);
    int64_t k = cast<RankedTensorType>(a.getType()).getDimSize(op.getTransA() ? 0 : 1);
    SmallVector<OpFoldResult> shape = *getKnownDimSizes(op->getResult(0));

    // C (broadcast) is the accumulator when it needs no scaling.
    Value init;
    bool cInAccumulator = c && alpha == 1.0 && beta == 1.0;
    if (cInAccumulator)
      init = buildElementwiseSized(rewriter, loc, {c}, shape, elementType,
                              [](OpBuilder &, Location, ValueRange args) {
                                return args[0];
                              });
    else
      init = createFilledSized(rewriter, loc, shape,
                          constScalar(rewriter, loc, elementType, 0.0));
    Value product;
    if (!op.getTransA() && !op.getTransB()) {
      product = linalg::MatmulOp::create(rewriter, loc, TypeRange{init.getType()},
                                         ValueRange{a, bm}, ValueRange{init})
                    .getResult(0);
    } else {
      // Loops (m, n, k).
      MLIRContext *ctx = rewriter.getContext();
      AffineExpr dm = getAffineDimExpr(0, ctx), dn = getAffineDimExpr(1, ctx),
                 dk = getAffineDimExpr(2, ctx);
      LoopOperand lhs{a, AffineMap::get(3, 0,
                                        op.getTransA() ? ArrayRef<AffineExpr>{dk, dm}
                                                       : ArrayRef<AffineExpr>{dm, dk},
                                        ctx)};
      LoopOperand rhs{bm, AffineMap::get(3, 0,
                                         op.getTransB() ? ArrayRef<AffineExpr>{dn, dk}
                                                        : ArrayRef<AffineExpr>{dk, dn},
                                         ctx)};
      product = buildContraction(rewriter, loc, lhs, rhs, {m, n, k}, {2}, init);
    }
    Value result = product;
    if (!cInAccumulator && (alpha != 1.0 || c)) {
      SmallVector<Value> inputs = {product};
      if (c)
        inputs.push_back(c);
      result = buildElementwiseSized(
          rewriter, loc, inputs, shape, elementType,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value y = args[0];
            if (alpha != 1.0)
              y = arith::MulFOp::create(
                  b, l, constScalar(b, l, elementType, alpha), y);
            if (args.size() > 1) {
              Value cv = args[1];
              if (beta != 1.0)
                cv = arith::MulFOp::create(
                    b, l, constScalar(b, l, elementType, beta), cv);
              y = arith::AddFOp::create(b, l, y, cv);
            }
            return y;
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Y (i32) = (A - a_zero_point) x (B - b_zero_point), widened to i32 first.
struct MatMulIntegerPattern : LoweringPattern<graph::MatMulIntegerOp> {
  using LoweringPattern::LoweringPattern;
  LogicalResult lower(graph::MatMulIntegerOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type i32 = toSignless(resultType.getElementType());
    // Widens x and subtracts its zero point; `rowwise` zero points of a 1-D
    // lhs zero point apply along dim -2 (rows of A).
    auto widen = [&](Value x, Value zeroPoint, bool isLhs) -> Value {
      auto xType = cast<RankedTensorType>(x.getType());
      bool xUnsigned = isUnsignedInt(xType.getElementType());
      SmallVector<Value> inputs = {x};
      bool zpUnsigned = false;
      if (zeroPoint) {
        auto zpType = cast<RankedTensorType>(zeroPoint.getType());
        zpUnsigned = isUnsignedInt(zpType.getElementType());
        Value zp = zeroPoint;
        if (isLhs && zpType.getRank() == 1 && xType.getRank() >= 2 &&
            zpType.getNumElements() > 1)
          zp = reshapeTo(rewriter, loc, zp, {zpType.getDimSize(0), 1});
        inputs.push_back(zp);
      }
      return buildElementwise(
          rewriter, loc, inputs, xType.getShape(), i32,
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value v = convertScalar(b, l, args[0], i32, xUnsigned, false);
            if (args.size() > 1)
              v = arith::SubIOp::create(
                  b, l, v, convertScalar(b, l, args[1], i32, zpUnsigned, false));
            return v;
          });
    };
    Value lhs = widen(op.getA(), op.getAZeroPoint(), true);
    Value rhs = widen(op.getB(), op.getBZeroPoint(), false);
    Value result = buildMatmul(rewriter, loc, lhs, rhs, resultType.getShape());
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateMatmulPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulPattern, GemmPattern, MatMulIntegerPattern>(
      patterns.getContext());
}

} // namespace aicc::lowering
