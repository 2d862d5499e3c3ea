//===- AmxKernels.cpp - 8-bit convolutions on AMX tiles -------------------===//
//
// See AmxKernels.h. The tile loops themselves are C (aicc_amx_conv_i8 in
// support/KernelSupport.c): AMX tiles need a configuration and fixed tile
// registers that Halide 21 only produces for its own matmul pattern
// (ExtractTileOperations), which the translated convs do not have.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/AmxKernels.h"
#include "targets/avx512/HalideSchedule.h"

#include "dialects/graph/GraphOps.h"
#include "passes/graph/ConstantData.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"

#include <cstring>

namespace hl = Halide;
using namespace mlir;

namespace aicc::avx512 {

using halidegen::ScheduledFunc;
using halidegen::ScheduledReduction;

/// Whether `v` is a constant 0, integer or float.
static bool isZeroConstant(Value v) {
  auto c = v.getDefiningOp<arith::ConstantOp>();
  if (!c)
    return false;
  if (auto attr = dyn_cast<IntegerAttr>(c.getValue()))
    return attr.getValue().isZero();
  auto attr = dyn_cast<FloatAttr>(c.getValue());
  return attr && attr.getValue().isZero();
}

bool isConstantFill(Value v, llvm::function_ref<bool(Value)> isConstant) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    return isConstant(fill.getDpsInputOperand(0)->get());
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumReductionLoops() != 0 ||
      generic.getNumDpsInits() != 1)
    return false;
  Block &body = generic.getRegion().front();
  Value yielded = cast<linalg::YieldOp>(body.getTerminator()).getValues()[0];
  if (auto arg = dyn_cast<BlockArgument>(yielded)) {
    if (arg.getOwner() != &body ||
        arg.getArgNumber() >= generic.getNumDpsInputs())
      return false;
    yielded = generic.getDpsInputOperand(arg.getArgNumber())->get();
  }
  return isConstant(yielded);
}

bool isZeroFill(Value v) { return isConstantFill(v, isZeroConstant); }

namespace {

/// The block argument `v` comes from, through unrealized casts.
Value throughCasts(Value v) {
  while (auto cast = v.getDefiningOp<UnrealizedConversionCastOp>())
    v = cast.getOperand(0);
  return v;
}


/// The packed activations' geometry: per 4 channels, `phases` planes of
/// `rows` x `vw` pixels, of which the first `validRows` rows hold the image,
/// then zeros (the last tiles of virtual pixels read past the image).
///  - stride 1: one plane, the input image; tap (a, b) is the offset
///    a*vw + b from an output pixel's virtual pixel ho*vw + wo.
///  - 1x1 of stride s: one plane of the strided pixels (the output's).
///  - stride s > 1 with a window: s*s phase planes, plane (pa, pb) holding
///    the input pixels (s*i + pa, s*j + pb) at (i, j); tap (a, b) reads plane
///    (a % s, b % s) at the offset (a / s)*vw + b / s, so that the taps are
///    again offsets from ho*vw + wo.
struct PackedGeometry {
  int64_t vw, validRows, rows, phases, tapStride;
};

PackedGeometry packedGeometry(const AmxConv &conv) {
  PackedGeometry g;
  bool pointwise = conv.kernelHeight == 1 && conv.kernelWidth == 1;
  int64_t s = conv.stride;
  if (conv.folded) {
    // The columns are folded (the packing reads s*wo + b): stride-s row
    // phases only.
    g.vw = conv.outWidth;
    g.validRows = (conv.inHeight + s - 1) / s;
    g.tapStride = s;
    g.phases = s;
    g.rows = g.validRows + (32 + g.vw - 1) / g.vw + 1;
    return g;
  }
  if (s == 1 || !pointwise) {
    g.vw = (conv.inWidth + s - 1) / s;
    g.validRows = (conv.inHeight + s - 1) / s;
    g.tapStride = s;
  } else {
    g.vw = conv.outWidth;
    g.validRows = conv.outHeight;
    g.tapStride = 1;
  }
  g.phases = g.tapStride * g.tapStride;
  // 2 tiles of 16 pixels past the last virtual pixel, and a row for the
  // taps' columns.
  g.rows = g.validRows + (32 + g.vw - 1) / g.vw + 1;
  // Planes of whole 64-byte lines, so that the rows of a B tile (one per
  // 4 channels, a plane apart) are all aligned alike: a tile whose first
  // row is aligned does not split a cache line in any row.
  while ((g.vw * g.rows) % 16)
    ++g.rows;
  return g;
}

} // namespace

std::optional<AmxConv> amxConvOf(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 8)
    return std::nullopt;
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() || outType.getRank() != 4 ||
      !outType.getElementType().isInteger(32) ||
      !isZeroFill(op.getDpsInitOperand(0)->get()))
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < 8; ++d)
    if ((iterators[d] == utils::IteratorType::reduction) != (d >= 4))
      return std::nullopt;
  // The body: acc + ext(a) * ext(b), with the signedness of each ext.
  Block &body = op.getRegion().front();
  std::optional<bool> signedIn[2];
  for (Operation &inner : body.without_terminator()) {
    if (!isa<arith::ExtSIOp, arith::ExtUIOp, arith::MulIOp, arith::AddIOp,
             UnrealizedConversionCastOp>(inner))
      return std::nullopt;
    if (isa<arith::ExtSIOp, arith::ExtUIOp>(inner)) {
      auto arg = dyn_cast<BlockArgument>(throughCasts(inner.getOperand(0)));
      if (!arg || arg.getArgNumber() > 1 ||
          !inner.getOperand(0).getType().isInteger(8))
        return std::nullopt;
      signedIn[arg.getArgNumber()] = isa<arith::ExtSIOp>(inner);
    }
  }
  if (!signedIn[0] || !signedIn[1])
    return std::nullopt;
  std::optional<AmxConvGeometry> geometry = amxConvGeometryOf(op);
  if (!geometry)
    return std::nullopt;
  AmxConv conv;
  static_cast<AmxConvGeometry &>(conv) = *geometry;
  conv.activationsSigned = *signedIn[conv.activations];
  // s8 weights (AMX has the other forms too; ONNX Runtime's tool makes
  // these).
  if (!*signedIn[conv.weights])
    return std::nullopt;
  auto wType = cast<RankedTensorType>(
      op.getDpsInputOperand(conv.weights)->get().getType());
  if (op.getStaticLoopRanges()[7] != 4)
    return std::nullopt;
  conv.folded = conv.channelGroups == 1 && conv.kernelWidth > 1 &&
                conv.kernelWidth * 4 <= 64 && conv.kernelHeight <= 16;
  if (conv.amxLayout &&
      wType.getShape() !=
          ArrayRef<int64_t>({conv.paddedOutChannels(), conv.kernelHeight,
                             conv.kernelWidth, conv.paddedChannels4(), 4}))
    return std::nullopt;
  // Whole 16 x 64-byte tiles of weights: padding the constant instead would
  // change the loop ranges linalg infers from it (TODO: pad in the extern).
  if (conv.outChannels % 16 || (!conv.folded && conv.channelGroups % 16))
    return std::nullopt;
  // Sizes the C routine indexes with 32-bit values.
  PackedGeometry g = packedGeometry(conv);
  if (conv.packedGroups() * 4 * g.phases * g.rows * g.vw * conv.batch >
      std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return conv;
}

bool packAmxConvWeights(linalg::GenericOp op, const AmxConv &conv,
                        RewriterBase &rewriter) {
  auto constant = op.getDpsInputOperand(conv.weights)
                      ->get()
                      .getDefiningOp<graph::ConstantOp>();
  if (!constant || conv.amxLayout)
    return false;
  ArrayRef<char> src =
      graph::getElementBytes(constant.getValue()).value_or(ArrayRef<char>());
  int64_t f = conv.outChannels, c4 = conv.channelGroups,
          kh = conv.kernelHeight, kw = conv.kernelWidth;
  std::vector<char> splat;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      dense && dense.isSplat()) {
    splat.assign(f * c4 * 4 * kh * kw,
                 (char)dense.getSplatValue<APInt>().getZExtValue());
    src = splat;
  }
  if ((int64_t)src.size() != f * c4 * 4 * kh * kw)
    return false;
  int64_t fp = conv.paddedOutChannels(), cp4 = conv.paddedChannels4();
  // [F][C/4][4][Kh][Kw] -> [Fp][Kh][Kw][Cp/4][4], zero padded.
  std::vector<char> dst(fp * kh * kw * cp4 * 4, 0);
  for (int64_t o = 0; o < f; ++o)
    for (int64_t c = 0; c < c4 * 4; ++c)
      for (int64_t a = 0; a < kh; ++a)
        for (int64_t b = 0; b < kw; ++b)
          dst[((o * kh + a) * kw + b) * cp4 * 4 + c] =
              src[((o * c4 * 4 + c) * kh + a) * kw + b];
  std::string name = "amx";
  if (auto loc = dyn_cast<NameLoc>(constant.getLoc()))
    name = loc.getName().str() + ".amx";
  auto type = RankedTensorType::get({fp, kh, kw, cp4, 4},
                                    rewriter.getIntegerType(8));
  ElementsAttr packed = DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(ArrayRef<char>(dst),
                                                    alignof(uint64_t)));
  rewriter.setInsertionPoint(constant);
  auto newConstant =
      graph::ConstantOp::create(rewriter, constant.getLoc(), packed);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  maps[conv.weights] =
      AffineMap::get(8, 0, {d(1), d(5), d(6), d(4), d(7)}, ctx);
  rewriter.modifyOpInPlace(op, [&] {
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    op.setOperand(conv.weights, newConstant);
  });
  if (constant->use_empty())
    rewriter.eraseOp(constant);
  return true;
}

hl::Func
defineAmxConv(linalg::GenericOp op, const std::vector<hl::Func> &in,
              const std::vector<std::optional<hl::ImageParam>> &params) {
  std::optional<AmxConv> found = amxConvOf(op);
  if (!found || !found->amxLayout)
    return {};
  const AmxConv &conv = *found;
  if (!params[conv.weights] || !in[conv.activations].defined())
    return {};
  hl::Func act = in[conv.activations];
  PackedGeometry g = packedGeometry(conv);
  int64_t cp4 = conv.packedGroups();
  // [N][Cp/4][phases * rows][vw][4]: Halide dims (j, x, y, c4, n).
  hl::Var j("j"), x("x"), y("y"), c4("c4"), n("n");
  hl::Func packed("amx_packed");
  hl::Type t = act.types()[0];
  hl::Expr cc = hl::min(c4, (int)conv.channelGroups - 1);
  // A 1x1 conv of stride 1 on a narrow image (W < 8, where vectors of W
  // lanes were slower than the copy itself): the image's rows are the
  // packed plane's (vw = W), so its pixels are one run: zeros, then an
  // update copying the image with x and y fused into 16-pixel vectors
  // (dense loads, as the image's strides are static).
  bool flat = g.phases == 1 && conv.stride == 1 && conv.kernelHeight == 1 &&
              conv.kernelWidth == 1 && g.vw < 8 && !conv.folded &&
              conv.channelGroups == cp4 && g.vw * g.validRows >= 16;
  bool phased = !flat && !conv.folded && g.phases > 1 &&
                conv.channelGroups == cp4 && g.vw >= 2;
  // Phased: columns [0, vw - 1) in whole vectors of `width` (the last one
  // overlapping: a predicated strided load would be a gather), then the
  // last column.
  int inner = (int)g.vw - 1, width = 16;
  while (width > 4 && width > inner)
    width /= 2;
  int whole = inner >= width ? inner / width * width : inner;
  hl::RDom r(0, (int)(phased ? whole : g.vw), 0,
             (int)(phased ? g.phases * g.rows : g.validRows), "r");
  hl::RDom r2(std::max(0, inner - width), width, 0, (int)(g.phases * g.rows),
              "r2");
  bool overlap = phased && inner >= width && whole < inner;
  hl::RDom q(0, (int)(g.phases * g.rows), "q");
  if (flat) {
    packed(j, x, y, c4, n) = hl::cast(t, 0);
    packed(j, r.x, r.y, c4, n) = act(r.x, r.y, j, c4, n);
  } else if (conv.folded) {
    // Group c4 of row phase y / rows: the pixels of tap column c4.
    int s = (int)g.tapStride, rows = (int)g.rows;
    hl::Func bounded = hl::BoundaryConditions::constant_exterior(
        act, hl::cast(t, 0),
        {{0, (int)conv.inWidth}, {0, (int)conv.inHeight}});
    packed(j, x, y, c4, n) = hl::select(
        c4 < (int)conv.kernelWidth,
        bounded(x * s + c4, (y % rows) * s + y / rows, j, 0, n),
        hl::cast(t, 0));
  } else if (g.phases == 1) {
    int s = (int)conv.stride;
    hl::Expr yc = hl::min(y, (int)g.validRows - 1) * s;
    packed(j, x, y, c4, n) =
        hl::select(y < (int)g.validRows && c4 < (int)conv.channelGroups,
                   act(x * s, yc, j, cc, n), hl::cast(t, 0));
  } else if (phased) {
    // Phase plane (pa, pb) = (phase / s, phase % s), row i of it. Valid
    // outputs read pixels of the image only, so what the planes hold past
    // it is free: zeros, then an update copying columns [0, vw - 1) (all in
    // the image: dense strided loads) with the row clamped, and one of
    // the last column, clamped.
    int s = (int)g.tapStride, rows = (int)g.rows;
    int lastX = (int)g.vw - 1;
    auto row = [&](hl::Expr y) {
      hl::Expr phase = y / rows;
      return hl::min((y % rows) * s + phase / s, (int)conv.inHeight - 1);
    };
    auto col = [&](hl::Expr x, hl::Expr y) { return x * s + (y / rows) % s; };
    packed(j, x, y, c4, n) = hl::cast(t, 0);
    packed(j, r.x, r.y, c4, n) =
        act(col(r.x, r.y), row(r.y), j, c4, n);
    if (overlap)
      packed(j, r2.x, r2.y, c4, n) =
          act(col(r2.x, r2.y), row(r2.y), j, c4, n);
    packed(j, lastX, q, c4, n) =
        act(hl::min(col(lastX, q), (int)conv.inWidth - 1), row(q), j, c4, n);
  } else {
    // The same planes, zeros past the image.
    int s = (int)g.tapStride, rows = (int)g.rows;
    hl::Expr phase = y / rows, i = y % rows;
    hl::Func bounded = hl::BoundaryConditions::constant_exterior(
        act, hl::cast(t, 0),
        {{0, (int)conv.inWidth}, {0, (int)conv.inHeight}});
    packed(j, x, y, c4, n) =
        hl::select(c4 < (int)conv.channelGroups,
                   bounded(x * s + phase % s, i * s + phase / s, j, cc, n),
                   hl::cast(t, 0));
  }
  packed.compute_root()
      .bound(j, 0, 4)
      .bound(x, 0, (int)g.vw)
      .bound(y, 0, (int)(g.phases * g.rows))
      .bound(c4, 0, (int)cp4)
      .bound(n, 0, (int)conv.batch);
  // Dense 16-pixel loads of 4 channel rows, interleaved into one 64-byte
  // store (x and y are not fused: the clamp of y would make each lane's
  // address a gather).
  packed.unroll(j).parallel(c4);
  if (flat) {
    if (g.vw >= 4)
      packed.vectorize(x, (int)g.vw);
    hl::RVar p("p"), po("po"), pi("pi");
    packed.update()
        .fuse(r.x, r.y, p)
        .split(p, po, pi, 16, hl::TailStrategy::GuardWithIf)
        .reorder(j, pi, po, c4, n)
        .unroll(j)
        .vectorize(pi)
        .parallel(c4);
  } else if (phased) {
    hl::RVar xo("xo"), xi("xi"), xo2("xo2"), xi2("xi2");
    packed.vectorize(x, 16, hl::TailStrategy::GuardWithIf);
    packed.update(0)
        .split(r.x, xo, xi, width, hl::TailStrategy::GuardWithIf)
        .reorder(j, xi, xo, r.y, c4, n)
        .unroll(j)
        .vectorize(xi)
        .parallel(c4);
    int next = 1;
    if (overlap)
      packed.update(next++)
          .split(r2.x, xo2, xi2, width, hl::TailStrategy::GuardWithIf)
          .reorder(j, xi2, xo2, r2.y, c4, n)
          .unroll(j)
          .vectorize(xi2)
          .parallel(c4);
    packed.update(next).reorder(j, q, c4, n).unroll(j).parallel(c4);
  } else if (g.vw >= 16 ||
             (g.vw > 8 && conv.stride == 1 && !conv.folded)) {
    // Also rows of 9..15 pixels (14 in ResNet-50) of dense loads: one
    // masked vector, not 14 lanes loaded and stored in pieces.
    packed.vectorize(x, 16, hl::TailStrategy::GuardWithIf);
  } else if (g.vw >= 4) {
    packed.vectorize(x, (int)g.vw);
  }

  std::vector<hl::ExternFuncArgument> args = {
      packed,
      hl::ExternFuncArgument(params[conv.weights]->parameter()),
      hl::Expr((int32_t)(cp4 * 4)),
      hl::Expr((int32_t)conv.kernelHeight),
      hl::Expr((int32_t)(conv.folded ? 1 : conv.kernelWidth)),
      hl::Expr((int32_t)g.vw),
      hl::Expr((int32_t)(g.vw * g.rows * g.phases)),
      hl::Expr((int32_t)conv.paddedOutChannels()),
      hl::Expr((int32_t)((conv.activationsSigned ? 1 : 0) |
                         (conv.folded ? 2 : 0))),
      hl::Expr((int32_t)g.tapStride),
      hl::Expr((int32_t)(g.vw * g.rows)),
      hl::Expr((int32_t)(conv.folded ? conv.kernelWidth * 4 : cp4 * 4))};
  hl::Func ext("amx_conv");
  ext.define_extern("aicc_amx_conv_i8", args, hl::Int(32), 4);
  return ext;
}

bool scheduleAmxKernel(const std::vector<ScheduledFunc> &outputs,
                       const std::vector<ScheduledReduction> &reds,
                       bool naive, bool &done,
                       std::vector<ScheduledReduction> &rest) {
  std::vector<const ScheduledReduction *> externs;
  for (const ScheduledReduction &r : reds) {
    if (r.func.defined() && r.func.is_extern())
      externs.push_back(&r);
    else
      rest.push_back(r);
  }
  if (externs.empty()) {
    rest.clear();
    return false;
  }
  done = false;
  // The accumulators' rows padded to the virtual row width (the taps' read
  // width of a windowed conv), so that aicc_amx_conv_i8 stores whole tiles
  // straight to them instead of copying the valid pixels out of each tile.
  for (const ScheduledReduction *r : externs) {
    hl::Func ext = r->func;
    const std::vector<hl::ExternFuncArgument> &args =
        ext.function().extern_arguments();
    std::optional<int64_t> vw;
    if (args.size() > 5 && args[5].is_expr())
      vw = hl::Internal::as_const_int(args[5].expr);
    if (vw && *vw > 1 && ext.dimensions() == 4 && !r->extents.empty() &&
        r->extents[0] != *vw)
      ext.align_storage(ext.args()[0], (int)*vw);
  }
  auto isOutput = [&](const hl::Func &f) {
    return llvm::any_of(outputs, [&](const ScheduledFunc &o) {
      return o.func.name() == f.name();
    });
  };
  // One conv and its epilogue (bias, requantize, residual, ReLU): the
  // output in blocks of 16-aligned channels x rows, the extern per block.
  if (!naive && externs.size() == 1 && rest.empty() && outputs.size() == 1) {
    const ScheduledReduction &r = *externs.front();
    const ScheduledFunc &o = outputs.front();
    if (!isOutput(r.func) && o.extents == r.extents &&
        o.func.dimensions() == 4 && o.func.outputs() == 1 &&
        o.func.num_update_definitions() == 0 &&
        !halidegen::hasDynamicExtent(o.extents)) {
      hl::Func out = o.func, ext = r.func;
      int w = o.extents[0], h = o.extents[1], f = o.extents[2];
      int fBlock = f % 64 == 0 || f > 64 ? 64 : (f + 15) / 16 * 16;
      // About 256 pixels (64 KiB of accumulators per block of 64 channels).
      int hBlock = std::max(1, std::min(h, 256 / std::max(1, w)));
      // Blocks starting at whole 64-byte lines of the packed activations
      // (hBlock * vw pixels of 4 bytes), when a few rows less do it.
      std::optional<int64_t> vw;
      const auto &args = ext.function().extern_arguments();
      if (args.size() > 5 && args[5].is_expr())
        vw = hl::Internal::as_const_int(args[5].expr);
      for (int b = hBlock; vw && *vw > 0 && b < h && b > hBlock / 2; --b)
        if ((b * *vw) % 16 == 0) {
          hBlock = b;
          break;
        }
      // At least 8 tasks, a few per thread: the pool hands them out one at
      // a time, and a thread that joins late would otherwise leave the
      // other most of a 4-task conv (ResNet-50's 14x14 layers, measured
      // about 3:1 on 2 threads). Channel blocks of 32 first (the extern's
      // 2x2 tiles of 16 channels x 16 pixels stay whole), then fewer rows.
      auto tasks = [&] {
        return ((f + fBlock - 1) / fBlock) * ((h + hBlock - 1) / hBlock);
      };
      if (tasks() < 8 && fBlock == 64)
        fBlock = 32;
      while (tasks() < 8 && hBlock > 1)
        hBlock = (hBlock + 1) / 2;
      tileExternEpilogue(out, ext, w, fBlock, hBlock,
                         /*parallelBatch=*/false);
      done = true;
      rest.clear();
      return true;
    }
  }
  for (const ScheduledReduction *r : externs)
    if (!isOutput(r->func))
      hl::Func(r->func).compute_root();
  return true;
}

} // namespace aicc::avx512
