//===- LowerGridSample.cpp - GridSample to linalg -------------------------===//
//
// graph.GridSample over an input N x C x d1..dr and a grid
// N x o1..or x r becomes one parallel generic over the output
// N x C x o1..or. Each output element reads its r normalized coordinates
// from the grid (the last grid dim lists them innermost-dim first, x before
// y), denormalizes them (align_corners: [-1, 1] -> [0, d-1], else
// [-0.5, d-0.5]), and then, like ONNX's reference evaluator and PyTorch:
//
// - padding_mode border clamps a coordinate outside the borders into
//   [0, d-1]; reflection reflects it back between the borders;
// - nearest rounds the coordinate half to even and reads one element;
//   linear blends the 2^r neighbours (floor and floor+1) and cubic the 4^r
//   neighbours (floor-1 .. floor+2, Keys' kernel with a = -0.75), with
//   separable weights;
// - a neighbour outside the input reads 0 (zeros), the clamped index
//   (border) or the reflected index (reflection).
//
// The arithmetic is in f32 (f64 when the input or grid is f64), as the
// reference computes the coordinates in float32. Float inputs only.
//
// graph.RoiAlign, the other bilinear sampler, is one parallel generic over
// the output R x C x PH x PW: each bin averages (avg) or takes the largest
// weighted corner (max) of sampling_ratio^2 bilinear samples (the samples
// unrolled; sampling_ratio must be positive, since 0 makes their number
// depend on the roi values), in f64 like the reference: a sample outside
// [-1, size] counts as 0, coordinates are clamped at 0 and at the last
// row/column, and half_pixel shifts the roi by -0.5 (output_half_pixel
// makes it at least 1 x 1 instead).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/LoweringPattern.h"
#include "passes/lowering/LoweringUtils.h"
#include "passes/lowering/Passes.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace aicc::lowering {
namespace {

/// Builds the scalar arithmetic of one output element.
class GridSampleBody {
public:
  GridSampleBody(OpBuilder &b, Location loc, FloatType ft)
      : b(b), loc(loc), ft(ft) {}

  Value cst(double v) { return constScalar(b, loc, ft, v); }
  Value add(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value floor(Value x) { return math::FloorOp::create(b, loc, x); }
  Value lt(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, y);
  }
  Value gt(Value x, Value y) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }

  /// The reference's _gs_reflect: reflects `x` by the nearer border until it
  /// lies in [lo, hi].
  Value reflect(Value x, double lo, double hi) {
    double range = hi - lo;
    if (range <= 0)
      return cst(lo);
    // Below lo: dx = lo - x; above hi: dx = x - hi.
    Value below = lt(x, cst(lo));
    Value above = gt(x, cst(hi));
    Value dx = select(below, sub(cst(lo), x), sub(x, cst(hi)));
    Value n = floor(div(dx, cst(range)));
    Value r = sub(dx, mul(n, cst(range)));
    Value half = mul(n, cst(0.5));
    Value even = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                       floor(half), half);
    // Even n: the near border + r; odd n: the far border - r.
    Value fromBelow = select(even, add(cst(lo), r), sub(cst(hi), r));
    Value fromAbove = select(even, sub(cst(hi), r), add(cst(lo), r));
    return select(below, fromBelow, select(above, fromAbove, x));
  }

  Value outside(Value x, double lo, double hi) {
    return arith::OrIOp::create(b, loc, lt(x, cst(lo)), gt(x, cst(hi)));
  }

  Value clampF(Value x, double lo, double hi) {
    return select(lt(x, cst(lo)), cst(lo), select(gt(x, cst(hi)), cst(hi), x));
  }

  /// Keys' cubic convolution weights of the 4 taps at offsets -1..2 from the
  /// floor, for the fraction `t` in [0, 1).
  SmallVector<Value, 4> cubicWeights(Value t) {
    const double a = -0.75;
    auto far = [&](Value x) { // |x| in [1, 2)
      // ((a * x - 5a) * x + 8a) * x - 4a
      Value v = sub(mul(cst(a), x), cst(5 * a));
      v = add(mul(v, x), cst(8 * a));
      return sub(mul(v, x), cst(4 * a));
    };
    auto near = [&](Value x) { // |x| in [0, 1)
      // ((a + 2) * x - (a + 3)) * x * x + 1
      Value v = sub(mul(cst(a + 2), x), cst(a + 3));
      return add(mul(mul(v, x), x), cst(1.0));
    };
    Value oneMinus = sub(cst(1.0), t);
    return {far(add(t, cst(1.0))), near(t), near(oneMinus),
            far(add(oneMinus, cst(1.0)))};
  }

  OpBuilder &b;
  Location loc;
  FloatType ft;
};

struct GridSamplePattern : LoweringPattern<graph::GridSampleOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::GridSampleOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto gridType = cast<RankedTensorType>(op.getGrid().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    auto xElem = dyn_cast<FloatType>(xType.getElementType());
    auto gridElem = dyn_cast<FloatType>(gridType.getElementType());
    if (!xElem || !gridElem)
      return rewriter.notifyMatchFailure(
          op, "only float inputs and grids are supported");
    int64_t rank = xType.getRank();
    int64_t r = rank - 2;
    if (r < 1 || gridType.getRank() != rank ||
        gridType.getDimSize(rank - 1) != r ||
        gridType.getDimSize(0) != xType.getDimSize(0))
      return rewriter.notifyMatchFailure(
          op, "needs X of shape N x C x d1..dr and grid of shape "
              "N x o1..or x r");
    StringRef mode = op.getMode();
    // Opset 16 spelled them bilinear and bicubic.
    if (mode == "bilinear")
      mode = "linear";
    else if (mode == "bicubic")
      mode = "cubic";
    StringRef padding = op.getPaddingMode();
    if (mode != "nearest" && mode != "linear" && mode != "cubic")
      return rewriter.notifyMatchFailure(op, "mode='" + op.getMode() +
                                                 "' is not supported");
    if (padding != "zeros" && padding != "border" && padding != "reflection")
      return rewriter.notifyMatchFailure(
          op, "padding_mode='" + padding + "' is not supported");
    int64_t taps = mode == "cubic" ? 4 : mode == "linear" ? 2 : 1;
    int64_t numTaps = 1;
    for (int64_t i = 0; i < r; ++i)
      numTaps *= taps;
    if (numTaps > 4096)
      return rewriter.notifyMatchFailure(
          op, "too many interpolation taps (at most 4096 per output element)");
    bool alignCorners = op.getAlignCorners() != 0;
    SmallVector<int64_t> dims(xType.getShape().drop_front(2));

    FloatType ft = (xElem.isF64() || gridElem.isF64())
                       ? (FloatType)rewriter.getF64Type()
                       : (FloatType)rewriter.getF32Type();
    Value x = op.getX();
    Value grid = op.getGrid();
    Location loc = op.getLoc();
    auto toFt = [&](OpBuilder &b, Location l, Value v) -> Value {
      auto t = cast<FloatType>(v.getType());
      if (t == ft)
        return v;
      if (t.getWidth() < ft.getWidth())
        return arith::ExtFOp::create(b, l, ft, v);
      return arith::TruncFOp::create(b, l, ft, v);
    };

    Value result = buildParallel(
        rewriter, loc, {}, yType.getShape(), xElem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          GridSampleBody g(b, l, ft);
          Value n = linalg::IndexOp::create(b, l, 0);
          Value c = linalg::IndexOp::create(b, l, 1);
          SmallVector<Value> gridIdx = {n};
          for (int64_t i = 0; i < r; ++i)
            gridIdx.push_back(linalg::IndexOp::create(b, l, 2 + i));
          gridIdx.push_back(Value());

          // Denormalized, padded coordinate of every spatial dim i (dim i of
          // X reads grid component r-1-i).
          SmallVector<Value> coord(r);
          SmallVector<double> lo(r), hi(r);
          for (int64_t i = 0; i < r; ++i) {
            double d = dims[i];
            gridIdx.back() = constIndex(b, l, r - 1 - i);
            Value nx = toFt(b, l, tensor::ExtractOp::create(b, l, grid, gridIdx));
            Value v = alignCorners
                          ? g.mul(g.add(nx, g.cst(1.0)), g.cst((d - 1) / 2))
                          : g.div(g.sub(g.mul(g.add(nx, g.cst(1.0)), g.cst(d)),
                                        g.cst(1.0)),
                                  g.cst(2.0));
            if (mode == "nearest")
              v = math::RoundEvenOp::create(b, l, v);
            lo[i] = alignCorners ? 0.0 : -0.5;
            hi[i] = alignCorners ? d - 1 : d - 0.5;
            // Only a coordinate outside the borders moves (as in the
            // reference: -0.3 stays for linear and cubic taps).
            if (padding == "border")
              v = g.select(g.outside(v, lo[i], hi[i]), g.clampF(v, 0.0, d - 1),
                           v);
            else if (padding == "reflection")
              v = g.reflect(v, lo[i], hi[i]);
            coord[i] = v;
          }

          // Reads X at the integer (as float) position `pos`, padded.
          auto pixel = [&](ArrayRef<Value> pos) -> Value {
            SmallVector<Value> idx = {n, c};
            Value inside;
            for (int64_t i = 0; i < r; ++i) {
              double d = dims[i];
              Value p = pos[i];
              if (padding == "reflection")
                p = g.reflect(p, lo[i], hi[i]);
              if (padding == "zeros") {
                Value ok = arith::AndIOp::create(
                    b, l, g.lt(p, g.cst(d)),
                    arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, p,
                                          g.cst(0.0)));
                inside =
                    inside ? (Value)arith::AndIOp::create(b, l, inside, ok) : ok;
              }
              // Clamp before the conversion: border mode and a safe read for
              // the zeros mode. fptosi truncates like the reference's int().
              p = g.clampF(p, 0.0, d - 1);
              Value pi = arith::FPToSIOp::create(b, l, b.getI64Type(), p);
              idx.push_back(
                  arith::IndexCastOp::create(b, l, b.getIndexType(), pi));
            }
            Value v = toFt(b, l, tensor::ExtractOp::create(b, l, x, idx));
            if (inside)
              v = g.select(inside, v, g.cst(0.0));
            return v;
          };

          Value out;
          if (mode == "nearest") {
            out = pixel(coord);
          } else {
            // Per dim: the first tap position and the tap weights.
            SmallVector<Value> base(r);
            SmallVector<SmallVector<Value, 4>> weights(r);
            for (int64_t i = 0; i < r; ++i) {
              Value f = g.floor(coord[i]);
              Value t = g.sub(coord[i], f);
              if (mode == "linear") {
                base[i] = f;
                weights[i] = {g.sub(g.cst(1.0), t), t};
              } else {
                base[i] = g.sub(f, g.cst(1.0));
                weights[i] = g.cubicWeights(t);
              }
            }
            out = g.cst(0.0);
            for (int64_t k = 0; k < numTaps; ++k) {
              SmallVector<Value> pos(r);
              Value w;
              int64_t rest = k;
              for (int64_t i = r - 1; i >= 0; --i) {
                int64_t o = rest % taps;
                rest /= taps;
                pos[i] = o == 0 ? base[i] : g.add(base[i], g.cst((double)o));
                w = w ? g.mul(w, weights[i][o]) : weights[i][o];
              }
              out = g.add(out, g.mul(w, pixel(pos)));
            }
          }
          if (out.getType() == xElem)
            return out;
          if (xElem.getWidth() < ft.getWidth())
            return arith::TruncFOp::create(b, l, xElem, out);
          return arith::ExtFOp::create(b, l, xElem, out);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RoiAlignPattern : LoweringPattern<graph::RoiAlignOp> {
  using LoweringPattern::LoweringPattern;

  LogicalResult lower(graph::RoiAlignOp op,
                      PatternRewriter &rewriter) const override {
    if (std::string why = whyNotStaticIntOrFloat(op); !why.empty())
      return rewriter.notifyMatchFailure(op, why);
    auto xType = cast<RankedTensorType>(op.getX().getType());
    auto yType = cast<RankedTensorType>(op.getY().getType());
    auto elem = dyn_cast<FloatType>(xType.getElementType());
    StringRef mode = op.getMode();
    StringRef coordMode = op.getCoordinateTransformationMode();
    int64_t ratio = op.getSamplingRatio();
    if (!elem || xType.getRank() != 4 || yType.getRank() != 4)
      return rewriter.notifyMatchFailure(op, "needs a float N x C x H x W input");
    if (mode != "avg" && mode != "max")
      return rewriter.notifyMatchFailure(op, "mode must be avg or max");
    if (coordMode != "half_pixel" && coordMode != "output_half_pixel")
      return rewriter.notifyMatchFailure(
          op, "coordinate_transformation_mode must be half_pixel or "
              "output_half_pixel");
    if (ratio <= 0 || ratio > 16)
      return rewriter.notifyMatchFailure(
          op, "sampling_ratio must be in [1, 16] (0 makes the number of "
              "samples depend on the roi values)");
    bool halfPixel = coordMode == "half_pixel";
    int64_t batch = xType.getDimSize(0);
    int64_t height = xType.getDimSize(2), width = xType.getDimSize(3);
    int64_t pooledH = yType.getDimSize(2), pooledW = yType.getDimSize(3);
    double scale = op.getSpatialScale().convertToDouble();
    Value x = op.getX(), rois = op.getRois(), batchIndices = op.getBatchIndices();
    FloatType ft = rewriter.getF64Type();

    Value result = buildParallel(
        rewriter, op.getLoc(), {}, yType.getShape(), elem,
        [&](OpBuilder &b, Location l, ValueRange) -> Value {
          GridSampleBody g(b, l, ft);
          auto ext = [&](Value v) -> Value {
            auto t = cast<FloatType>(v.getType());
            return t == ft ? v : (Value)arith::ExtFOp::create(b, l, ft, v);
          };
          Value r = linalg::IndexOp::create(b, l, 0);
          Value c = linalg::IndexOp::create(b, l, 1);
          Value ph = linalg::IndexOp::create(b, l, 2);
          Value pw = linalg::IndexOp::create(b, l, 3);
          auto roi = [&](int64_t i) {
            Value v = ext(tensor::ExtractOp::create(
                b, l, rois, ValueRange{r, constIndex(b, l, i)}));
            return g.sub(g.mul(v, g.cst(scale)), g.cst(halfPixel ? 0.5 : 0.0));
          };
          Value startW = roi(0), startH = roi(1);
          Value roiW = g.sub(roi(2), startW), roiH = g.sub(roi(3), startH);
          if (!halfPixel) {
            roiW = g.select(g.lt(roiW, g.cst(1.0)), g.cst(1.0), roiW);
            roiH = g.select(g.lt(roiH, g.cst(1.0)), g.cst(1.0), roiH);
          }
          Value binH = g.div(roiH, g.cst((double)pooledH));
          Value binW = g.div(roiW, g.cst((double)pooledW));
          Type i64 = b.getI64Type();
          Value n = toSignlessScalar(
              b, l, tensor::ExtractOp::create(b, l, batchIndices, ValueRange{r}));
          n = arith::MaxSIOp::create(b, l, n, constInt(b, l, i64, 0));
          n = arith::MinSIOp::create(b, l, n, constInt(b, l, i64, batch - 1));
          Value nIdx = arith::IndexCastOp::create(b, l, b.getIndexType(), n);
          auto toF = [&](Value index) -> Value {
            return arith::SIToFPOp::create(
                b, l, ft, arith::IndexCastOp::create(b, l, i64, index));
          };
          Value phF = toF(ph), pwF = toF(pw);
          // (low index, high index, fraction) of a clamped coordinate.
          auto corners = [&](Value v, int64_t size) {
            v = g.select(g.lt(v, g.cst(0.0)), g.cst(0.0), v);
            Value low = g.floor(v);
            Value atEnd = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE,
                                                low, g.cst((double)size - 1));
            low = g.select(atEnd, g.cst((double)size - 1), low);
            v = g.select(atEnd, low, v);
            Value high = g.select(atEnd, low, g.add(low, g.cst(1.0)));
            auto idx = [&](Value f) -> Value {
              return arith::IndexCastOp::create(
                  b, l, b.getIndexType(),
                  arith::FPToSIOp::create(b, l, i64, f));
            };
            return std::make_tuple(idx(low), idx(high), g.sub(v, low));
          };
          Value out;
          for (int64_t iy = 0; iy < ratio; ++iy)
            for (int64_t ix = 0; ix < ratio; ++ix) {
              Value yy = g.add(g.add(startH, g.mul(phF, binH)),
                               g.mul(g.cst((iy + 0.5) / ratio), binH));
              Value xx = g.add(g.add(startW, g.mul(pwF, binW)),
                               g.mul(g.cst((ix + 0.5) / ratio), binW));
              Value outside = arith::OrIOp::create(
                  b, l, g.outside(yy, -1.0, (double)height),
                  g.outside(xx, -1.0, (double)width));
              auto [yLow, yHigh, ly] = corners(yy, height);
              auto [xLow, xHigh, lx] = corners(xx, width);
              Value hy = g.sub(g.cst(1.0), ly), hx = g.sub(g.cst(1.0), lx);
              auto at = [&](Value yi, Value xi) {
                return ext(tensor::ExtractOp::create(
                    b, l, x, ValueRange{nIdx, c, yi, xi}));
              };
              Value terms[4] = {g.mul(g.mul(hy, hx), at(yLow, xLow)),
                                g.mul(g.mul(hy, lx), at(yLow, xHigh)),
                                g.mul(g.mul(ly, hx), at(yHigh, xLow)),
                                g.mul(g.mul(ly, lx), at(yHigh, xHigh))};
              Value v;
              if (mode == "avg") {
                v = g.add(g.add(terms[0], terms[1]), g.add(terms[2], terms[3]));
              } else {
                // maximumf, not select chains: a chain repeats its operands
                // and the kernel's expression grows exponentially.
                v = terms[0];
                for (int k = 1; k < 4; ++k)
                  v = arith::MaximumFOp::create(b, l, v, terms[k]);
              }
              v = g.select(outside, g.cst(0.0), v);
              if (!out)
                out = v;
              else if (mode == "avg")
                out = g.add(out, v);
              else
                out = arith::MaximumFOp::create(b, l, out, v);
            }
          if (mode == "avg")
            out = g.div(out, g.cst((double)(ratio * ratio)));
          return elem == ft ? out : (Value)arith::TruncFOp::create(b, l, elem, out);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateGridSamplePatterns(RewritePatternSet &patterns) {
  patterns.add<GridSamplePattern, RoiAlignPattern>(patterns.getContext());
}

} // namespace aicc::lowering
