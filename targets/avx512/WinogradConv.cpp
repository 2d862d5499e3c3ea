//===- WinogradConv.cpp - 3x3 fp32 convs by Winograd F(2x2, 3x3) ---------===//
//
// See WinogradConv.h. The tiles' arithmetic is C (aicc_wino_f23_conv in
// support/WinogradSupport.c): its register tiles (3 vectors of 16 tiles x 8
// output channels), the even/odd deinterleave of the input rows and the
// interleave of the output's are written out there.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/WinogradConv.h"
#include "targets/avx512/HalideSchedule.h"

#include "dialects/graph/GraphOps.h"
#include "passes/graph/ConstantData.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"

#include <cstdlib>
#include <cstring>

namespace hl = Halide;
using namespace mlir;

namespace aicc::avx512 {

using halidegen::ScheduledFunc;
using halidegen::ScheduledReduction;

namespace {

/// Input and output channels from which Winograd pays (measured on Zen 5,
/// 2 threads: see docs/Pipeline.md).
constexpr int64_t kMinChannels = 64;
/// The fewest 2x2 tiles per image. Measured in ResNet-50 (Zen 5, kernel
/// ms, direct -> Winograd, 1 thread | 2 threads, best of 3-5): 56x56 (784
/// tiles) 64 -> 64 0.91 -> 0.65 | 0.48 -> 0.40; 28x28 (196) 128 -> 128
/// 0.92 -> 0.55 | 0.48 -> 0.34; 14x14 (49) 256 -> 256 0.94 -> 0.65 | 0.50
/// -> 0.39; 7x7 (16) 512 -> 512 0.91 -> 0.74 | 0.48 -> 0.42.
constexpr int64_t kMinTiles = 16;
/// The fewest tiles per image for the extern per block of the epilogue
/// (56x56: 0.65 ms on 1 thread against 0.66-0.89 in the parallel mode);
/// smaller maps compute the whole output in one call whose phases (input
/// transform, GEMMs by point, output transform) run in parallel (28x28:
/// 0.55-0.61 against 0.67 per block).
constexpr int64_t kMinBlockTiles = 256;

/// Points per output channel and input channel in the transformed weights:
/// the 16 of a 4x4 tile and 2 of zeros, stored [3][3][2][Fp/8][C][8] so
/// that the generic's map of them keeps kh and kw as dims (linalg infers the
/// loops' extents from such dims). Point-major: the GEMMs of one point read
/// its output channels' panels as one stream.
constexpr int64_t kWinogradPoints = 18;

/// The block argument `v` is, or null.
BlockArgument blockArg(Value v, Block &body) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner() == &body ? arg : BlockArgument();
}

/// Whether `op`'s body is out + in0 * in1 in f32.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value lhs = add.getLhs(), rhs = add.getRhs();
  if (blockArg(rhs, body) && blockArg(rhs, body).getArgNumber() == 2)
    std::swap(lhs, rhs);
  BlockArgument acc = blockArg(lhs, body);
  auto mul = rhs.getDefiningOp<arith::MulFOp>();
  if (!acc || acc.getArgNumber() != 2 || !mul)
    return false;
  BlockArgument a = blockArg(mul.getLhs(), body),
                b = blockArg(mul.getRhs(), body);
  return a && b &&
         ((a.getArgNumber() == 0 && b.getArgNumber() == 1) ||
          (a.getArgNumber() == 1 && b.getArgNumber() == 0));
}

/// The conv's loops are (n, f, h, w, c, kh, kw); the maps of its input,
/// weights (as `weights`) and output.
bool hasConvMaps(linalg::GenericOp op, AffineMap weights) {
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  return maps.size() == 3 &&
         maps[0] == AffineMap::get(7, 0, {d(0), d(4), d(2) + d(5), d(3) + d(6)},
                                   ctx) &&
         maps[1] == weights &&
         maps[2] == AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx);
}

AffineMap directWeightsMap(MLIRContext *ctx) {
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  return AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx);
}

AffineMap winogradWeightsMap(MLIRContext *ctx) {
  auto d = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
  return AffineMap::get(7, 0,
                        {d(5), d(6), getAffineConstantExpr(0, ctx),
                         d(1).floorDiv(8), d(4), d(1) % 8},
                        ctx);
}

/// The static shapes of a conv with the maps of hasConvMaps: input
/// [N][C][H+2][W+2] and output [N][F][H][W], f32.
struct ConvShape {
  int64_t n, c, f, h, w;
};

std::optional<ConvShape> convShapeOf(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 7 || op.getNumReductionLoops() != 3)
    return std::nullopt;
  auto in = dyn_cast<RankedTensorType>(op.getDpsInputOperand(0)->get().getType());
  auto out = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!in || !out || !in.hasStaticShape() || !out.hasStaticShape() ||
      in.getRank() != 4 || out.getRank() != 4 || !in.getElementType().isF32() ||
      !out.getElementType().isF32())
    return std::nullopt;
  ConvShape s{out.getDimSize(0), in.getDimSize(1), out.getDimSize(1),
              out.getDimSize(2), out.getDimSize(3)};
  if (in.getDimSize(0) != s.n || in.getDimSize(2) != s.h + 2 ||
      in.getDimSize(3) != s.w + 2 || s.h < 1 || s.w < 1 ||
      s.c * s.f * 16 > (int64_t(1) << 31) || s.w + 2 > (int64_t(1) << 20) ||
      s.h + 2 > (int64_t(1) << 20))
    return std::nullopt;
  return s;
}

int64_t tilesOf(const ConvShape &s) { return ((s.h + 1) / 2) * ((s.w + 1) / 2); }

/// The threshold `name` overrides for measurements and tests
/// (AICC_WINOGRAD_MIN_CHANNELS, _MIN_TILES, _MAX_TILES, _MIN_BLOCK_TILES),
/// else `fallback`.
int64_t thresholdFromEnv(const char *name, int64_t fallback) {
  const char *e = std::getenv(name);
  return e ? std::atoll(e) : fallback;
}

int64_t minBlockTiles() {
  return thresholdFromEnv("AICC_WINOGRAD_MIN_BLOCK_TILES", kMinBlockTiles);
}

int64_t minChannels() {
  return thresholdFromEnv("AICC_WINOGRAD_MIN_CHANNELS", kMinChannels);
}

} // namespace

bool isWinogradConv(linalg::GenericOp op) {
  std::optional<ConvShape> s = convShapeOf(op);
  if (!s || !hasConvMaps(op, directWeightsMap(op.getContext())) ||
      !isMultiplyAccumulate(op))
    return false;
  auto weights = op.getDpsInputOperand(1)->get();
  auto wType = dyn_cast<RankedTensorType>(weights.getType());
  if (!weights.getDefiningOp<graph::ConstantOp>() || !wType ||
      wType.getShape() != ArrayRef<int64_t>{s->f, s->c, 3, 3} ||
      !wType.getElementType().isF32())
    return false;
  int64_t min = minChannels();
  int64_t minTiles = thresholdFromEnv("AICC_WINOGRAD_MIN_TILES", kMinTiles);
  int64_t maxTiles = thresholdFromEnv("AICC_WINOGRAD_MAX_TILES", INT64_MAX);
  return s->c >= min && s->f >= min && tilesOf(*s) >= minTiles &&
         tilesOf(*s) <= maxTiles;
}

bool packWinogradWeights(linalg::GenericOp op, RewriterBase &rewriter) {
  auto constant =
      op.getDpsInputOperand(1)->get().getDefiningOp<graph::ConstantOp>();
  std::optional<ConvShape> s = convShapeOf(op);
  if (!constant || !s)
    return false;
  int64_t c = s->c, f = s->f, fp8 = (f + 7) / 8;
  std::vector<char> splat;
  std::optional<ArrayRef<char>> bytes;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      dense && dense.isSplat()) {
    float value = dense.getSplatValue<APFloat>().convertToFloat();
    splat.resize(f * c * 9 * 4);
    for (int64_t k = 0; k < f * c * 9; ++k)
      std::memcpy(&splat[k * 4], &value, 4);
    bytes = ArrayRef<char>(splat);
  } else {
    bytes = graph::getElementBytes(constant.getValue());
  }
  if (!bytes || (int64_t)bytes->size() != f * c * 9 * 4)
    return false;
  const char *g = bytes->data();
  std::vector<float> u(fp8 * kWinogradPoints * c * 8, 0.0f);
  for (int64_t fo = 0; fo < f; ++fo)
    for (int64_t ci = 0; ci < c; ++ci) {
      float k[9];
      std::memcpy(k, g + (fo * c + ci) * 9 * 4, sizeof(k));
      // U = G g G^T with G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
      double t[4][3], v[4][4];
      for (int j = 0; j < 3; ++j) {
        t[0][j] = k[j];
        t[1][j] = 0.5 * ((double)k[j] + k[3 + j] + k[6 + j]);
        t[2][j] = 0.5 * ((double)k[j] - k[3 + j] + k[6 + j]);
        t[3][j] = k[6 + j];
      }
      for (int i = 0; i < 4; ++i) {
        v[i][0] = t[i][0];
        v[i][1] = 0.5 * (t[i][0] + t[i][1] + t[i][2]);
        v[i][2] = 0.5 * (t[i][0] - t[i][1] + t[i][2]);
        v[i][3] = t[i][2];
      }
      for (int p = 0; p < 16; ++p)
        u[((p * fp8 + fo / 8) * c + ci) * 8 + fo % 8] = (float)v[p / 4][p % 4];
    }
  std::string name = "winograd";
  if (auto loc = dyn_cast<NameLoc>(constant.getLoc()))
    name = loc.getName().str() + ".winograd";
  auto type =
      RankedTensorType::get({3, 3, 2, fp8, c, 8}, rewriter.getF32Type());
  ArrayRef<char> data(reinterpret_cast<const char *>(u.data()),
                      u.size() * sizeof(float));
  auto attr = DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(data, alignof(uint64_t)));
  rewriter.setInsertionPoint(constant);
  auto newConstant = graph::ConstantOp::create(rewriter, constant.getLoc(), attr);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps[1] = winogradWeightsMap(op.getContext());
  rewriter.modifyOpInPlace(op, [&] {
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    op.setOperand(1, newConstant);
    op->setAttr(kWinogradAttr, rewriter.getStringAttr("f2x2_3x3"));
  });
  if (constant->use_empty())
    rewriter.eraseOp(constant);
  return true;
}

namespace {

/// The kernel input that `op`'s input is a zero padding of by one pixel on
/// each side of its two inner dims, in the same kernel (the fusion policy
/// folds such a pad into a Winograd conv): the input's ImageParam, found in
/// the pad Func `padded`; std::nullopt otherwise.
std::optional<hl::Parameter> paddedSource(linalg::GenericOp op,
                                                    const hl::Func &padded) {
  auto pad = op.getDpsInputOperand(0)->get().getDefiningOp<tensor::PadOp>();
  if (!pad || !padded.defined() || !isa<BlockArgument>(pad.getSource()) ||
      pad.getStaticLow() != ArrayRef<int64_t>{0, 0, 1, 1} ||
      pad.getStaticHigh() != ArrayRef<int64_t>{0, 0, 1, 1})
    return std::nullopt;
  auto yield = cast<tensor::YieldOp>(pad.getRegion().front().getTerminator());
  auto zero = yield.getValue().getDefiningOp<arith::ConstantOp>();
  auto value = zero ? dyn_cast<FloatAttr>(zero.getValue()) : FloatAttr();
  if (!value || !value.getValue().isZero())
    return std::nullopt;
  struct Finder : hl::Internal::IRVisitor {
    std::vector<hl::Parameter> found;
    using hl::Internal::IRVisitor::visit;
    void visit(const hl::Internal::Call *c) override {
      if (c->param.defined() &&
          !llvm::any_of(found, [&](const hl::Parameter &p) {
            return p.same_as(c->param);
          }))
        found.push_back(c->param);
      hl::Internal::IRVisitor::visit(c);
    }
  } finder;
  std::map<std::string, hl::Internal::Function> fns =
      hl::Internal::find_transitive_calls(padded.function());
  fns.emplace(padded.name(), padded.function());
  for (auto &[name, fn] : fns)
    for (const hl::Expr &e : fn.definition().values())
      e.accept(&finder);
  if (finder.found.size() != 1 || finder.found.front().dimensions() != 4 ||
      finder.found.front().type() != hl::Float(32))
    return std::nullopt;
  return finder.found.front();
}

} // namespace

hl::Func defineWinogradConv(
    linalg::GenericOp op, const std::vector<hl::Func> &inputs,
    const std::vector<std::optional<hl::ImageParam>> &params,
    const hl::Func &init) {
  if (!op->hasAttr(kWinogradAttr))
    return hl::Func();
  std::optional<ConvShape> s = convShapeOf(op);
  if (!s || !hasConvMaps(op, winogradWeightsMap(op.getContext())) ||
      inputs.size() != 2 || params.size() != 2 || !params[1] ||
      (!params[0] && !inputs[0].defined()))
    llvm::report_fatal_error("a conv marked aicc.winograd that the Winograd "
                             "kernel cannot compute");
  // The input: a kernel input holding the padded image, the image itself
  // (a pad folded into the kernel: the extern reads zeros past it), or a
  // Func of the kernel computed at root (see scheduleWinogradKernel).
  std::optional<hl::Parameter> source =
      params[0] ? std::nullopt : paddedSource(op, inputs[0]);
  std::vector<hl::ExternFuncArgument> args = {
      hl::user_context_value(),
      params[0] ? hl::ExternFuncArgument(params[0]->parameter())
      : source  ? hl::ExternFuncArgument(*source)
                : hl::ExternFuncArgument(inputs[0]),
      hl::ExternFuncArgument(params[1]->parameter()),
      hl::Expr((int32_t)s->c),
      hl::Expr((int32_t)s->f),
      hl::Expr((int32_t)s->h),
      hl::Expr((int32_t)s->w),
      hl::Expr((int32_t)(tilesOf(*s) < minBlockTiles() ? 1 : 0)),
      hl::Expr((int32_t)(source ? 1 : 0))};
  hl::Func ext(hl::Internal::unique_name("wino_f23"));
  ext.define_extern("aicc_wino_f23_conv", args, hl::Float(32), 4);
  hl::Func conv(hl::Internal::unique_name("winograd"));
  hl::Var x("x"), y("y"), f("f"), n("n");
  if (init.defined())
    conv(x, y, f, n) = init(x, y, f, n) + ext(x, y, f, n);
  else
    conv(x, y, f, n) = ext(x, y, f, n);
  return conv;
}

namespace {

/// The extern stage of a Func defineWinogradConv returned, or an undefined
/// Func.
hl::Func winogradExtern(const hl::Func &conv) {
  if (!conv.defined() || conv.name().rfind("winograd", 0) != 0)
    return hl::Func();
  hl::Func found;
  for (const auto &[name, fn] :
       hl::Internal::find_transitive_calls(conv.function()))
    if (fn.has_extern_definition() &&
        fn.extern_function_name() == "aicc_wino_f23_conv")
      found = hl::Func(fn);
  return found;
}

} // namespace

bool scheduleWinogradKernel(const std::vector<ScheduledFunc> &outputs,
                            const std::vector<ScheduledReduction> &reds,
                            bool naive, bool &done,
                            std::vector<ScheduledReduction> &rest) {
  std::vector<std::pair<const ScheduledReduction *, hl::Func>> winos;
  rest.clear();
  for (const ScheduledReduction &r : reds) {
    if (hl::Func ext = winogradExtern(r.func); ext.defined())
      winos.push_back({&r, ext});
    else
      rest.push_back(r);
  }
  if (winos.empty()) {
    rest.clear();
    return false;
  }
  done = false;
  // An input the kernel computes (not a kernel input): at root, whole.
  for (auto &[r, ext] : winos)
    for (const hl::ExternFuncArgument &arg : ext.function().extern_arguments())
      if (arg.is_func())
        hl::Func(hl::Internal::Function(arg.func)).compute_root();
  // One conv and its epilogue (bias, residual, ReLU): the output in blocks
  // of rows x output channels, the extern per block.
  auto parallelExtern = [](const hl::Func &ext) {
    const auto &args = ext.function().extern_arguments();
    const hl::Internal::IntImm *p =
        args.size() > 7 && args[7].is_expr()
            ? args[7].expr.as<hl::Internal::IntImm>()
            : nullptr;
    return p && p->value != 0;
  };
  if (!naive && winos.size() == 1 && rest.empty() && outputs.size() == 1 &&
      !parallelExtern(winos.front().second)) {
    const ScheduledReduction &r = *winos.front().first;
    hl::Func ext = winos.front().second;
    const ScheduledFunc &o = outputs.front();
    if (o.func.name() != r.func.name() && o.extents == r.extents &&
        o.func.dimensions() == 4 && o.func.outputs() == 1 &&
        o.func.num_update_definitions() == 0 &&
        !halidegen::hasDynamicExtent(o.extents)) {
      hl::Func out = o.func;
      int w = o.extents[0], h = o.extents[1], f = o.extents[2],
          n = o.extents[3];
      // Blocks of whole tile rows, at least 28 tiles (2 register tiles of
      // 16), and 64 output channels, 128 past 128 input channels: the
      // block's transformed input (16 x C x tiles) and products (16 x 64 x
      // tiles) stay in L2, and the weights (16 x C x F) are read once per
      // row block. Measured on Zen 5, 2 threads (kernel ms): 56x56 64->64
      // blocks of 2 rows 0.30, 4 rows 0.36, 8 rows 0.37; 28x28 128->128
      // 4 rows x 64 channels 0.31, 2 x 64 0.33; 14x14 256->256 6 rows x
      // 128 channels 0.39, 4 x 128 0.40, 4 x 64 0.47, 14 x 32 1.22.
      int tileRow = (w + 1) / 2;
      int hBlock = 2 * std::max(1, (28 + tileRow - 1) / tileRow);
      int c = (int)ext.function().extern_arguments()[3].expr.as<
                  hl::Internal::IntImm>()->value;
      int fBlock = c > 128 ? 128 : 64;
      fBlock = std::min(fBlock, (f + 7) / 8 * 8);
      if (const char *e = std::getenv("AICC_WINOGRAD_BLOCK")) {
        int a = 0, b = 0;
        if (sscanf(e, "%d,%d", &a, &b) == 2 && a > 0 && a % 2 == 0 &&
            b > 0 && b % 8 == 0) {
          hBlock = a;
          fBlock = b;
        }
      }
      hBlock = std::min(hBlock, (h + 1) / 2 * 2);
      auto tasks = [&] {
        return n * ((f + fBlock - 1) / fBlock) * ((h + hBlock - 1) / hBlock);
      };
      while (tasks() < 4 && hBlock > 2)
        hBlock -= 2;
      tileExternEpilogue(out, ext, w, fBlock, hBlock, /*parallelBatch=*/true);
      done = true;
      rest.clear();
      return true;
    }
  }
  for (auto &[r, ext] : winos)
    ext.compute_root();
  return true;
}

} // namespace aicc::avx512
