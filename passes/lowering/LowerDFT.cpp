//===- LowerDFT.cpp - DFT to linalg ---------------------------------------===//
//
// graph.DFT as a direct O(N^2) transform: along the transformed axis, each
// output k is a sum over the input terms m of x[m] times a twiddle factor,
// one linalg.generic (the output dims parallel, m a reduction) with the
// factors in two constant K x M tables computed at compile time in double
// precision (C = cos, S = the signed sin, both scaled):
//
//   re[k] = sum_m xr[m] C[k, m] - xi[m] S[k, m]
//   im[k] = sum_m xi[m] C[k, m] + xr[m] S[k, m]
//
// forward: C = cos(2 pi k m / N), S = -sin; inverse: S = +sin, both / N;
// inverse onesided (irfft, a real output): the Hermitian terms weighted
// 2 / N (1 / N for k = 0 and k = N/2). dft_length N crops or zero-pads
// the input (the sum stops at the input's length). A real input (last dim
// 1) has xi = 0. f16/bf16 accumulate in f32.
//
// dft_length must be a constant. The axis may be a run-time value (opset
// 20 makes it an input) when the output shape does not depend on it: the
// transform is built for every axis that gives the declared output shape
// and the axis value selects one.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <cmath>

using namespace mlir;

namespace aicc::lowering {
namespace {

struct DFTPattern : LoweringPattern<graph::DFTOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::DFTOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    auto elem = cast<FloatType>(inType.getElementType());
    int64_t rank = inType.getRank();
    int64_t inComplex = inType.getDimSize(rank - 1);
    bool inverse = op.getInverse() != 0;
    bool onesided = op.getOnesided() != 0;
    if (rank < 2 || (inComplex != 1 && inComplex != 2) ||
        outType.getRank() != rank)
      return rewriter.notifyMatchFailure(
          op, "needs an input whose last dim is 1 (real) or 2 (complex)");
    if (inverse && onesided && inComplex != 2)
      return rewriter.notifyMatchFailure(
          op, "an inverse onesided DFT needs a complex input");
    std::optional<int64_t> dftLength;
    if (Value l = op.getDftLength()) {
      auto values = constantInts(l);
      if (!values || values->size() != 1 || (*values)[0] < 1)
        return rewriter.notifyMatchFailure(
            op, "dft_length must be a positive compile-time constant");
      dftLength = (*values)[0];
    }
    std::optional<int64_t> constAxis = -2;
    if (Value a = op.getAxis()) {
      auto values = constantInts(a);
      constAxis = values && values->size() == 1
                      ? std::optional<int64_t>((*values)[0])
                      : std::nullopt;
    }
    if (constAxis && *constAxis < 0)
      *constAxis += rank;
    if (constAxis && (*constAxis < 0 || *constAxis > rank - 2))
      return rewriter.notifyMatchFailure(op, "axis is out of range");

    FloatType ft =
        elem.getWidth() < 32 ? (FloatType)rewriter.getF32Type() : elem;
    Location loc = op.getLoc();
    Value x = op.getInput();
    MLIRContext *ctx = rewriter.getContext();

    // The transform along `axis`, or null when its shape is not the
    // declared one.
    auto transform = [&](int64_t axis) -> Value {
      int64_t inLength = inType.getDimSize(axis);
      int64_t n = dftLength ? *dftLength
                            : (inverse && onesided ? 2 * (inLength - 1)
                                                   : inLength);
      if (n < 1)
        return {};
      SmallVector<int64_t> shape(inType.getShape());
      shape[rank - 1] = inverse && onesided ? 1 : 2;
      shape[axis] = !inverse && onesided ? n / 2 + 1 : n;
      if (ArrayRef<int64_t>(shape) != outType.getShape())
        return {};
      int64_t k = shape[axis];
      int64_t m = std::min(inLength, inverse && onesided ? n / 2 + 1 : n);
      if (m < 1 || k * m > (int64_t(1) << 24))
        return {};
      SmallVector<double> cosTable(k * m), sinTable(k * m);
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < m; ++j) {
          // (i * j) mod n keeps the angle accurate for long transforms.
          double angle = 2.0 * M_PI * (double)((i * j) % n) / (double)n;
          double scale = 1.0;
          if (inverse) {
            scale = 1.0 / n;
            if (onesided && j != 0 && !(n % 2 == 0 && j == n / 2))
              scale = 2.0 / n;
          }
          cosTable[i * m + j] = std::cos(angle) * scale;
          sinTable[i * m + j] = (inverse ? 1.0 : -1.0) * std::sin(angle) * scale;
        }
      auto tableType = RankedTensorType::get({k, m}, ft);
      auto table = [&](ArrayRef<double> values) -> Value {
        SmallVector<APFloat> converted;
        for (double v : values) {
          APFloat f(v);
          bool lost;
          f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &lost);
          converted.push_back(f);
        }
        return graph::ConstantOp::create(
            rewriter, loc, DenseElementsAttr::get(tableType, converted));
      };
      Value cosValue = table(cosTable), sinValue = table(sinTable);

      Value init =
          createFilled(rewriter, loc, shape, constScalar(rewriter, loc, ft, 0.0));
      auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
      AffineMap tableMap = AffineMap::get(rank + 1, 0, {d(axis), d(rank)}, ctx);
      SmallVector<AffineExpr> outExprs;
      for (int64_t i = 0; i < rank; ++i)
        outExprs.push_back(d(i));
      AffineMap outMap = AffineMap::get(rank + 1, 0, outExprs, ctx);
      SmallVector<utils::IteratorType> iterators(rank,
                                                 utils::IteratorType::parallel);
      iterators.push_back(utils::IteratorType::reduction);
      auto generic = linalg::GenericOp::create(
          rewriter, loc, init.getType(), ValueRange{cosValue, sinValue},
          ValueRange{init}, SmallVector<AffineMap>{tableMap, tableMap, outMap},
          iterators, [&](OpBuilder &b, Location l, ValueRange args) {
            auto ext = [&](Value v) -> Value {
              return v.getType() == ft
                         ? v
                         : (Value)arith::ExtFOp::create(b, l, ft, v);
            };
            SmallVector<Value> idx;
            for (int64_t i = 0; i < rank; ++i)
              idx.push_back(i == axis ? (Value)linalg::IndexOp::create(b, l, rank)
                                      : (Value)linalg::IndexOp::create(b, l, i));
            idx[rank - 1] = constIndex(b, l, 0);
            Value xr = ext(tensor::ExtractOp::create(b, l, x, idx));
            Value xi = constScalar(b, l, ft, 0.0);
            if (inComplex == 2) {
              idx[rank - 1] = constIndex(b, l, 1);
              xi = ext(tensor::ExtractOp::create(b, l, x, idx));
            }
            Value c = args[0], s = args[1];
            Value re = arith::SubFOp::create(
                b, l, arith::MulFOp::create(b, l, xr, c),
                arith::MulFOp::create(b, l, xi, s));
            Value term = re;
            if (shape[rank - 1] == 2) {
              Value im = arith::AddFOp::create(
                  b, l, arith::MulFOp::create(b, l, xi, c),
                  arith::MulFOp::create(b, l, xr, s));
              Value isRe = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::eq,
                  linalg::IndexOp::create(b, l, rank - 1), constIndex(b, l, 0));
              term = arith::SelectOp::create(b, l, isRe, re, im);
            }
            linalg::YieldOp::create(
                b, l, ValueRange{arith::AddFOp::create(b, l, args[2], term)});
          });
      return generic.getResult(0);
    };

    Value result;
    if (constAxis) {
      result = transform(*constAxis);
      if (!result)
        return rewriter.notifyMatchFailure(
            op, "unsupported dft_length or output shape");
    } else {
      // A run-time axis: every axis giving the declared shape, selected.
      SmallVector<std::pair<int64_t, Value>> candidates;
      for (int64_t a = 0; a <= rank - 2; ++a)
        if (Value v = transform(a))
          candidates.push_back({a, v});
      if (candidates.empty())
        return rewriter.notifyMatchFailure(
            op, "no axis gives the declared output shape");
      SmallVector<Value> inputs = {op.getAxis()};
      for (auto &c : candidates)
        inputs.push_back(c.second);
      result = buildElementwise(
          rewriter, loc, inputs, outType.getShape(), ft,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            Type i64 = b.getI64Type();
            Value axis = a[0];
            if (axis.getType() != i64)
              axis = arith::ExtSIOp::create(b, l, i64, axis);
            Value negative = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, axis, constInt(b, l, i64, 0));
            axis = arith::SelectOp::create(
                b, l, negative,
                arith::AddIOp::create(b, l, axis, constInt(b, l, i64, rank)),
                axis);
            Value v = a[1];
            for (size_t i = 1; i < candidates.size(); ++i) {
              Value is = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::eq, axis,
                  constInt(b, l, i64, candidates[i].first));
              v = arith::SelectOp::create(b, l, is, a[i + 1], v);
            }
            return v;
          });
    }
    if (ft != elem)
      result = buildElementwise(
          rewriter, loc, {result}, outType.getShape(), elem,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::TruncFOp::create(b, l, elem, a[0]);
          });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateDFTPatterns(RewritePatternSet &patterns) {
  patterns.add<DFTPattern>(patterns.getContext());
}

} // namespace aicc::lowering
