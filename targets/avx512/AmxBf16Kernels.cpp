//===- AmxBf16Kernels.cpp - bf16 matmuls and convs on AMX tiles -----------===//
//
// See AmxBf16Kernels.h. The tile loops are C (support/KernelSupport.c), as
// for the int8 AMX convs (AmxKernels.cpp): Halide 21 forms AMX tiles only
// for its own matmul pattern.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/AmxBf16Kernels.h"
#include "targets/avx512/AmxKernels.h"

#include "dialects/graph/GraphOps.h"
#include "passes/graph/ConstantData.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"

#include <cstring>
#include <limits>

namespace hl = Halide;
using namespace mlir;

namespace aicc::avx512 {

using halidegen::ScheduledFunc;
using halidegen::ScheduledReduction;

namespace {

/// Whether `op` is f32 (static shape, zero init unless `anyInit`) +=
/// f32(bf16) * f32(bf16) over `loops` loops, the last `reductions` of them
/// reductions, the last a pair.
bool isBf16DotProduct(linalg::GenericOp op, unsigned loops,
                      unsigned reductions, bool anyInit) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != loops)
    return false;
  auto outType = dyn_cast<RankedTensorType>(op.getResult(0).getType());
  if (!outType || !outType.hasStaticShape() ||
      !outType.getElementType().isF32() ||
      (!anyInit && !isZeroFill(op.getDpsInitOperand(0)->get())))
    return false;
  for (Value in : op.getDpsInputs()) {
    auto t = dyn_cast<RankedTensorType>(in.getType());
    if (!t || !t.hasStaticShape() || !t.getElementType().isBF16())
      return false;
  }
  auto iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < loops; ++d)
    if ((iterators[d] == utils::IteratorType::reduction) !=
        (d >= loops - reductions))
      return false;
  if (op.getStaticLoopRanges()[loops - 1] != 2)
    return false;
  // The body: acc + extf(a) * extf(b).
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || body.getOperations().size() != 5)
    return false;
  Value acc = body.getArgument(2);
  Value product = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  if (add.getLhs() != acc && add.getRhs() != acc)
    return false;
  auto mul = product.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  bool seen[2] = {false, false};
  for (Value factor : {mul.getLhs(), mul.getRhs()}) {
    auto ext = factor.getDefiningOp<arith::ExtFOp>();
    auto arg = ext ? dyn_cast<BlockArgument>(ext.getIn()) : nullptr;
    if (!arg || arg.getOwner() != &body || arg.getArgNumber() > 1)
      return false;
    seen[arg.getArgNumber()] = true;
  }
  return seen[0] && seen[1];
}

/// The bf16 constant `op` reads as input `i`, or null.
graph::ConstantOp constantInput(linalg::GenericOp op, unsigned i) {
  return op.getDpsInputOperand(i)->get().getDefiningOp<graph::ConstantOp>();
}

/// The 2-byte elements of a bf16 constant (a splat expanded), or empty.
std::vector<uint16_t> constantElements(graph::ConstantOp constant) {
  auto type = cast<RankedTensorType>(constant.getType());
  int64_t count = type.getNumElements();
  std::vector<uint16_t> out;
  if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      dense && dense.isSplat()) {
    ArrayRef<char> raw = dense.getRawData();
    if (raw.size() != 2)
      return {};
    uint16_t v;
    std::memcpy(&v, raw.data(), 2);
    out.assign(count, v);
    return out;
  }
  ArrayRef<char> src = graph::getElementBytes(constant.getValue())
                           .value_or(ArrayRef<char>());
  if ((int64_t)src.size() != count * 2)
    return {};
  out.resize(count);
  std::memcpy(out.data(), src.data(), src.size());
  return out;
}

/// Replaces input `i` of `op` (constant `constant`) with `data` of `shape`
/// read through `map`.
void replaceWeights(linalg::GenericOp op, unsigned i,
                    graph::ConstantOp constant, ArrayRef<uint16_t> data,
                    ArrayRef<int64_t> shape, AffineMap map,
                    RewriterBase &rewriter) {
  std::string name = "amx_bf16";
  if (auto loc = dyn_cast<NameLoc>(constant.getLoc()))
    name = loc.getName().str() + ".amx";
  auto type = RankedTensorType::get(shape, rewriter.getBF16Type());
  ArrayRef<char> bytes(reinterpret_cast<const char *>(data.data()),
                       data.size() * 2);
  ElementsAttr packed = DenseResourceElementsAttr::get(
      type, name,
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                    alignof(uint64_t)));
  rewriter.setInsertionPoint(constant);
  auto newConstant =
      graph::ConstantOp::create(rewriter, constant.getLoc(), packed);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps[i] = map;
  rewriter.modifyOpInPlace(op, [&] {
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    op.setOperand(i, newConstant);
  });
  if (constant->use_empty())
    rewriter.eraseOp(constant);
}

} // namespace

std::optional<AmxBf16Matmul> amxBf16MatmulOf(linalg::GenericOp op,
                                             bool anyInit) {
  if (!isBf16DotProduct(op, 4, 2, anyInit))
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  auto maps = op.getIndexingMapsArray();
  if (maps[2] != AffineMap::get(4, 0, {d(0), d(1)}, ctx))
    return std::nullopt;
  AffineMap act = AffineMap::get(4, 0, {d(0), d(2), d(3)}, ctx);
  AffineMap plain = AffineMap::get(4, 0, {d(2), d(3), d(1)}, ctx);
  AffineMap amx =
      AffineMap::get(4, 0, {d(1).floorDiv(16), d(2), d(1) % 16, d(3)}, ctx);
  AmxBf16Matmul mm;
  if (maps[0] == act && (maps[1] == plain || maps[1] == amx)) {
    mm.activations = 0;
    mm.weights = 1;
  } else if (maps[1] == act && (maps[0] == plain || maps[0] == amx)) {
    mm.activations = 1;
    mm.weights = 0;
  } else {
    return std::nullopt;
  }
  mm.amxLayout = maps[mm.weights] == amx;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  mm.m = ranges[0];
  mm.n = ranges[1];
  mm.k = ranges[2] * 2;
  // Whole tiles of weights (padding the constant would change the loop
  // ranges linalg infers from it).
  if (mm.k % 32 || mm.n % 16 || mm.m < 1)
    return std::nullopt;
  // Sizes the C routine indexes with 32-bit values.
  if (mm.paddedRows() * mm.k > std::numeric_limits<int32_t>::max() ||
      mm.k * mm.n > std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return mm;
}

std::optional<AmxBf16Conv> amxBf16ConvOf(linalg::GenericOp op,
                                         bool anyInit) {
  if (!isBf16DotProduct(op, 8, 4, anyInit))
    return std::nullopt;
  std::optional<AmxConvGeometry> geometry = amxConvGeometryOf(op);
  if (!geometry)
    return std::nullopt;
  AmxBf16Conv conv;
  static_cast<AmxConvGeometry &>(conv) = *geometry;
  // Whole 16 x 64-byte tiles of weights.
  if (conv.outChannels % 16 || conv.channelGroups % 16)
    return std::nullopt;
  int64_t rows = conv.inHeight + 64 * conv.stride;
  if (conv.channelGroups * 2 * rows * (conv.inWidth + conv.stride) *
          conv.batch >
      std::numeric_limits<int32_t>::max())
    return std::nullopt;
  return conv;
}

namespace {

/// Makes `op` accumulate from zero and adds its former init (a bias, the
/// fusion policy's) in an elementwise op after it: the extern computes
/// the dot products alone.
void splitInit(linalg::GenericOp op, RewriterBase &rewriter) {
  Value init = op.getDpsInitOperand(0)->get();
  if (isZeroFill(init))
    return;
  Location loc = op.getLoc();
  auto type = cast<RankedTensorType>(op.getResult(0).getType());
  rewriter.setInsertionPoint(op);
  Value zero = arith::ConstantOp::create(rewriter, loc,
                                         rewriter.getF32FloatAttr(0.0f));
  Value empty = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                        type.getElementType());
  Value fill =
      linalg::FillOp::create(rewriter, loc, zero, empty).getResult(0);
  rewriter.modifyOpInPlace(op, [&] {
    op.getDpsInitOperand(0)->set(fill);
  });
  rewriter.setInsertionPointAfter(op);
  AffineMap id = rewriter.getMultiDimIdentityMap(type.getRank());
  // A broadcast init (the bias) is read through its map instead, so that
  // it is not materialized in a kernel of its own.
  AffineMap initMap = id;
  linalg::GenericOp folded;
  if (auto broadcast = init.getDefiningOp<linalg::GenericOp>();
      broadcast && broadcast.getNumDpsInputs() == 1 &&
      broadcast.getNumDpsInits() == 1 &&
      broadcast.getNumReductionLoops() == 0 &&
      broadcast.getIndexingMapsArray()[1] == id) {
    Block &body = broadcast.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    if (body.getOperations().size() == 1 &&
        yield.getValues()[0] == body.getArgument(0)) {
      initMap = broadcast.getIndexingMapsArray()[0];
      init = broadcast.getDpsInputs()[0];
      folded = broadcast;
    }
  }
  SmallVector<utils::IteratorType> parallel(type.getRank(),
                                            utils::IteratorType::parallel);
  Value out = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                      type.getElementType());
  auto add = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, ValueRange{op.getResult(0), init},
      ValueRange{out}, SmallVector<AffineMap>{id, initMap, id}, parallel,
      [](OpBuilder &b, Location l, ValueRange args) {
        Value sum = arith::AddFOp::create(b, l, args[1], args[0]);
        linalg::YieldOp::create(b, l, sum);
      });
  rewriter.replaceAllUsesExcept(op.getResult(0), add.getResult(0), add);
  if (folded && folded->use_empty())
    rewriter.eraseOp(folded);
}

} // namespace

bool packAmxBf16Weights(linalg::GenericOp op, RewriterBase &rewriter) {
  MLIRContext *ctx = op.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  if (std::optional<AmxBf16Matmul> mm = amxBf16MatmulOf(op, true)) {
    graph::ConstantOp constant = constantInput(op, mm->weights);
    if (!constant || mm->amxLayout)
      return false;
    splitInit(op, rewriter);
    std::vector<uint16_t> src = constantElements(constant);
    int64_t k2 = mm->k / 2, n = mm->n;
    if ((int64_t)src.size() != k2 * 2 * n)
      return false;
    // [K/2][2][N] -> [N/16][K/2][16][2].
    std::vector<uint16_t> dst(src.size());
    for (int64_t q = 0; q < k2; ++q)
      for (int64_t j = 0; j < 2; ++j)
        for (int64_t c = 0; c < n; ++c)
          dst[(((c / 16) * k2 + q) * 16 + c % 16) * 2 + j] =
              src[(q * 2 + j) * n + c];
    replaceWeights(
        op, mm->weights, constant, dst, {n / 16, k2, 16, 2},
        AffineMap::get(4, 0, {d(1).floorDiv(16), d(2), d(1) % 16, d(3)}, ctx),
        rewriter);
    return true;
  }
  if (std::optional<AmxBf16Conv> conv = amxBf16ConvOf(op, true)) {
    graph::ConstantOp constant = constantInput(op, conv->weights);
    if (!constant || conv->amxLayout)
      return false;
    splitInit(op, rewriter);
    std::vector<uint16_t> src = constantElements(constant);
    int64_t f = conv->outChannels, c = conv->channelGroups * 2,
            kh = conv->kernelHeight, kw = conv->kernelWidth;
    if ((int64_t)src.size() != f * c * kh * kw)
      return false;
    // [F][C/2][2][Kh][Kw] -> [F][Kh][Kw][C/2][2].
    std::vector<uint16_t> dst(src.size());
    for (int64_t o = 0; o < f; ++o)
      for (int64_t i = 0; i < c; ++i)
        for (int64_t a = 0; a < kh; ++a)
          for (int64_t b = 0; b < kw; ++b)
            dst[((o * kh + a) * kw + b) * c + i] =
                src[((o * c + i) * kh + a) * kw + b];
    replaceWeights(op, conv->weights, constant, dst,
                   {f, kh, kw, c / 2, 2},
                   AffineMap::get(8, 0, {d(1), d(5), d(6), d(4), d(7)}, ctx),
                   rewriter);
    return true;
  }
  return false;
}

namespace {

hl::Func defineMatmul(const AmxBf16Matmul &mm,
                      const std::vector<hl::Func> &in,
                      const std::vector<std::optional<hl::ImageParam>> &params) {
  if (!params[mm.weights] || !in[mm.activations].defined())
    return {};
  hl::Func act = in[mm.activations];
  // [Mp][K/2][2]: Halide dims (j, q, m), zero rows past M.
  hl::Var j("j"), q("q"), m("m"), jq("jq");
  hl::Func packed("amx_bf16_rows");
  int64_t rows = mm.paddedRows();
  packed(j, q, m) = hl::select(m < (int)mm.m,
                               act(j, q, hl::min(m, (int)mm.m - 1)),
                               hl::cast(act.types()[0], 0));
  packed.compute_root()
      .bound(j, 0, 2)
      .bound(q, 0, (int)(mm.k / 2))
      .bound(m, 0, (int)rows)
      .fuse(j, q, jq)
      .vectorize(jq, 32)
      .parallel(m, 16);
  std::vector<hl::ExternFuncArgument> args = {
      packed, hl::ExternFuncArgument(params[mm.weights]->parameter()),
      hl::Expr((int32_t)mm.k), hl::Expr((int32_t)rows),
      hl::Expr((int32_t)mm.n)};
  hl::Func ext("amx_bf16_matmul");
  ext.define_extern("aicc_amx_matmul_bf16", args, hl::Float(32), 2);
  return ext;
}

hl::Func defineConv(const AmxBf16Conv &conv, const std::vector<hl::Func> &in,
                    const std::vector<std::optional<hl::ImageParam>> &params) {
  if (!params[conv.weights] || !in[conv.activations].defined())
    return {};
  hl::Func act = in[conv.activations];
  // A plane of `rows` x `vw` pixels per channel pair (and phase), of which
  // the first `validRows` rows hold the image (a 1x1 conv's strided pixels
  // already picked; a window of stride s: s*s phases, pixel (s*y + pa,
  // s*x + pb) at (y, x) of phase pa*s + pb), then zeros (the last tiles of
  // virtual pixels read past it).
  bool pointwise = conv.kernelHeight == 1 && conv.kernelWidth == 1;
  int s = (int)conv.stride;
  int phases = pointwise ? 1 : s;
  int64_t vw, validRows;
  if (pointwise && s > 1) {
    vw = conv.outWidth;
    validRows = conv.outHeight;
  } else {
    vw = (conv.inWidth + phases - 1) / phases;
    validRows = (conv.inHeight + phases - 1) / phases;
  }
  int64_t rows = validRows + (32 + vw - 1) / vw + 1;
  int64_t c2 = conv.channelGroups;
  // [N][C/2][phases*phases][rows][vw][2]: Halide dims (j, x, y, c2, n),
  // y = phase * rows + row.
  hl::Var j("j"), x("x"), y("y"), c("c2"), n("n");
  hl::Func packed("amx_bf16_packed");
  hl::Expr zero = hl::cast(act.types()[0], 0);
  if (phases == 1) {
    hl::Expr yc = hl::min(y, (int)validRows - 1) * s;
    packed(j, x, y, c, n) =
        hl::select(y < (int)validRows, act(x * s, yc, j, c, n), zero);
  } else {
    hl::Expr phase = y / (int)rows, row = y % (int)rows;
    hl::Expr ih = row * phases + phase / phases;
    hl::Expr iw = x * phases + phase % phases;
    hl::Expr inside = row < (int)validRows && ih < (int)conv.inHeight &&
                      iw < (int)conv.inWidth;
    packed(j, x, y, c, n) = hl::select(
        inside,
        act(hl::min(iw, (int)conv.inWidth - 1),
            hl::min(ih, (int)conv.inHeight - 1), j, c, n),
        zero);
  }
  packed.compute_root()
      .bound(j, 0, 2)
      .bound(x, 0, (int)vw)
      .bound(y, 0, (int)(rows * phases * phases))
      .bound(c, 0, (int)c2)
      .bound(n, 0, (int)conv.batch);
  // Dense 16-pixel loads of both channels of a pair, interleaved into one
  // 64-byte store.
  packed.unroll(j).parallel(c);
  if (vw >= 16)
    packed.vectorize(x, 16, hl::TailStrategy::GuardWithIf);
  else if (vw >= 4)
    packed.vectorize(x, (int)vw);
  std::vector<hl::ExternFuncArgument> args = {
      packed,
      hl::ExternFuncArgument(params[conv.weights]->parameter()),
      hl::Expr((int32_t)(c2 * 2)),
      hl::Expr((int32_t)conv.kernelHeight),
      hl::Expr((int32_t)conv.kernelWidth),
      hl::Expr((int32_t)vw),
      hl::Expr((int32_t)(vw * rows * phases * phases)),
      hl::Expr((int32_t)conv.outChannels),
      hl::Expr((int32_t)phases)};
  hl::Func ext("amx_bf16_conv");
  ext.define_extern("aicc_amx_conv_bf16", args, hl::Float(32), 4);
  return ext;
}

} // namespace

hl::Func
defineAmxBf16(linalg::GenericOp op, const std::vector<hl::Func> &in,
              const std::vector<std::optional<hl::ImageParam>> &params) {
  if (std::optional<AmxBf16Matmul> mm = amxBf16MatmulOf(op))
    return mm->amxLayout ? defineMatmul(*mm, in, params) : hl::Func();
  if (std::optional<AmxBf16Conv> conv = amxBf16ConvOf(op))
    return conv->amxLayout ? defineConv(*conv, in, params) : hl::Func();
  return {};
}

bool scheduleAmxBf16Matmul(const std::vector<ScheduledFunc> &outputs,
                           const std::vector<ScheduledReduction> &reds,
                           bool naive) {
  if (naive || reds.size() != 1 || outputs.size() != 1)
    return false;
  const ScheduledReduction &r = reds.front();
  const ScheduledFunc &o = outputs.front();
  if (!r.func.defined() || !r.func.is_extern() ||
      r.func.extern_function_name() != "aicc_amx_matmul_bf16" ||
      o.func.name() == r.func.name() || o.extents != r.extents ||
      o.func.dimensions() != 2 || o.func.outputs() != 1 ||
      o.func.num_update_definitions() != 0 ||
      halidegen::hasDynamicExtent(o.extents))
    return false;
  hl::Func out = o.func, ext = r.func;
  std::vector<hl::Var> v = out.args(); // n, m
  int n = o.extents[0], m = o.extents[1];
  // Blocks of 64 rows x 64 columns (16 KiB of accumulators, 2x2 tiles
  // twice over), the row blocks of one column block consecutive: that
  // block's K x 64 weights (up to 384 KiB for K = 3072) stay in L2 while
  // the rows pass, so the weights stream from memory once per call.
  int nBlock = n % 64 == 0 || n > 64 ? 64 : (n + 15) / 16 * 16;
  int mBlock = std::min(m, 64);
  hl::Var no("no"), ni("ni"), mo("mo"), mi("mi"), tile("tile");
  out.split(v[0], no, ni, nBlock, hl::TailStrategy::GuardWithIf)
      .split(v[1], mo, mi, mBlock, hl::TailStrategy::GuardWithIf)
      .reorder(ni, mi, mo, no)
      .fuse(mo, no, tile);
  if (n >= 16)
    out.vectorize(ni, 16, hl::TailStrategy::GuardWithIf);
  out.parallel(tile);
  ext.compute_at(out, tile);
  return true;
}

} // namespace aicc::avx512
