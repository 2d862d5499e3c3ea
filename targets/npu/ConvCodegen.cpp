//===- ConvCodegen.cpp - int8 convolution to an RNPU command stream -------===//
//
// Mapping (docs/RNPU.md, "Worked example" and compiler section): x is loaded
// per tile of output rows from NCHW DRAM into ACT as padded HWC rows, input
// channels rounded up to R and borders padded by the DMA with x's zero point;
// weights are packed once into blocks [kh][kw][cb][cob][R][C] (padding with
// w's zero point, so padded products are 0); one GEMM per output row and
// output channel block runs the whole reduction (outer = kh, inner = (kw,
// input channel block)); one REQUANT per tile adds the bias, multiplies by
// the per-channel f32 multiplier, adds y's zero point, saturates and clamps;
// one DMA_STORE per tile writes NCHW. Input and output buffers are double
// buffered with the semaphores of the worked example. When the weights do
// not fit WGT, the output channel blocks are split into groups that do; the
// groups run one after the other over all tiles, each loading its weights,
// bias and multipliers once the previous group is done with them.
// Layers whose whole input fits ACT and whose rows are narrower than the
// array (ow < R) take the weight-streaming schedule instead (StreamPlan
// below): input loaded once, one GEMM per kernel tap over all output rows,
// weights double-buffered in WGT in chunks of output blocks x kernel rows.
//
//===----------------------------------------------------------------------===//

#include "targets/npu/ConvCodegen.h"
#include "targets/npu/CodegenUtil.h"

#include <algorithm>
#include <cstring>

namespace aicc::npu {

using namespace aicc::rnpu;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Sizes every part of the mapping depends on.
struct Layout {
  int64_t r, c, cb, cinP, cob, coutP, wp, oh, ow;
  /// Input channel blocks one output block reduces over: cb, or 1 for a
  /// depthwise conv (its weight blocks are diagonal).
  int64_t rb;
  int64_t wgtBytes;
  /// Weight bytes of one output channel block (all kh, kw, input blocks).
  int64_t blockBytes;
  /// Output channel blocks per group: the weights of one group fit WGT;
  /// groups run one after the other, each reloading weights, bias and
  /// multipliers (0: not even one block fits).
  int64_t groupBlocks, groups;
  /// Output channels of the widest group.
  int64_t groupChannels(const QConvParams &p) const {
    return std::min(p.cout, groupBlocks * c);
  }
  int64_t inRows(int64_t t, int64_t sh, int64_t kh) const {
    return (t - 1) * sh + kh;
  }
};

Layout layoutOf(const QConvParams &p, const RnpuConfig &config) {
  Layout l;
  l.r = config.macRows;
  l.c = config.macCols;
  l.cb = ceilDiv(p.cin, l.r);
  l.cinP = l.cb * l.r;
  l.cob = ceilDiv(p.cout, l.c);
  l.coutP = l.cob * l.c;
  l.wp = p.w + p.padLeft + p.padRight;
  l.oh = p.outH();
  l.ow = p.outW();
  l.rb = p.depthwise ? 1 : l.cb;
  l.wgtBytes = p.kh * p.kw * l.rb * l.cob * l.r * l.c;
  l.blockBytes = p.kh * p.kw * l.rb * l.r * l.c;
  l.groupBlocks = std::min<int64_t>(l.cob, config.wgtSramBytes / l.blockBytes);
  l.groups = l.groupBlocks ? ceilDiv(l.cob, l.groupBlocks) : 0;
  return l;
}

/// ACT bytes of one input and one output buffer for tiles of `t` rows.
int64_t actBytes(const QConvParams &p, const Layout &l, int64_t t) {
  return l.inRows(t, p.strideH, p.kh) * l.wp * l.cinP +
         t * l.ow * l.groupChannels(p);
}

int64_t accBytes(const Layout &l, int64_t t) {
  return (t * l.ow + 2) * l.groupBlocks * l.c * 4;
}

/// The most output rows per tile that fit SRAM (double-buffered ACT), or 0.
int64_t chooseTileRows(const QConvParams &p, const Layout &l,
                       const RnpuConfig &config) {
  int64_t best = 0;
  for (int64_t t = 1; t <= std::min<int64_t>(l.oh, 65535); ++t) {
    if (2 * actBytes(p, l, t) > config.actSramBytes ||
        accBytes(l, t) > config.accSramBytes)
      break;
    best = t;
  }
  return best;
}

/// Whether the weight-streaming schedule (below) can run `p`, whatever it
/// costs: the way to run a layer whose output channel block alone exceeds
/// WGT (it streams the weights in chunks of kernel rows).
bool streamable(const QConvParams &p, const Layout &l,
                const RnpuConfig &config);

void appendBytes(std::vector<uint8_t> &out, const void *data, size_t size) {
  const auto *bytes = static_cast<const uint8_t *>(data);
  out.insert(out.end(), bytes, bytes + size);
}

} // namespace

std::string whyConvUnsupported(const QConvParams &p, const RnpuConfig &config) {
  if (p.n < 1 || p.cin < 1 || p.h < 1 || p.w < 1 || p.cout < 1 || p.kh < 1 ||
      p.kw < 1 || p.strideH < 1 || p.strideW < 1)
    return "empty or invalid shape";
  if (p.padTop < 0 || p.padLeft < 0 || p.padBottom < 0 || p.padRight < 0)
    return "negative padding";
  if (p.h + p.padTop + p.padBottom < p.kh ||
      p.w + p.padLeft + p.padRight < p.kw)
    return "kernel larger than the padded input";
  if (p.xSigned ? (p.xZeroPoint < -128 || p.xZeroPoint > 127)
                : (p.xZeroPoint < 0 || p.xZeroPoint > 255))
    return "x zero point outside its type";
  if (p.wScale.size() != 1 && int64_t(p.wScale.size()) != p.cout)
    return "w_scale is neither per tensor nor per output channel";
  if (config.numSemaphores < 6)
    return "the conv's command stream needs 6 semaphores";
  Layout l = layoutOf(p, config);
  if (l.groupBlocks == 0 && !streamable(p, l, config))
    return "the weights of one output channel block (" +
           std::to_string(l.blockBytes) + " B) exceed the weight SRAM (" +
           std::to_string(config.wgtSramBytes) +
           " B) and the layer does not fit the weight-streaming schedule "
           "(batch 1, whole input in ACT, one kernel row of a block in half "
           "of WGT)";
  if (p.depthwise && (p.cin != p.cout || config.macRows != config.macCols))
    return "a depthwise conv needs as many output as input channels and a "
           "square MAC array (diagonal weight blocks)";
  if (l.ow > 65535 || p.kh > 65535 || p.kw * l.rb > 65535 || p.cout > 65535)
    return "output width, kernel or channels beyond the GEMM/VEC loop limits";
  if (l.groupBlocks > 0 && chooseTileRows(p, l, config) == 0)
    return "one output row does not fit the activation/accumulator SRAM";
  for (int64_t c = 0; c < p.cout; ++c) {
    float m = requantMultiplier(p, c);
    if (!(m == m) || m == __builtin_huge_valf() || m == -__builtin_huge_valf())
      return "non-finite requantization multiplier";
  }
  return "";
}

float requantMultiplier(const QConvParams &p, int64_t c) {
  float ws = p.wScale.size() == 1 ? p.wScale[0] : p.wScale[c];
  volatile float product = p.xScale * ws; // f32, no contraction
  return product / p.yScale;
}

namespace {

/// Packs the weights group-major, [group][kh][kw][rb][block in group][R][C]
/// with `groupBlocks` output channel blocks per group (a depthwise conv's
/// blocks are diagonal: input channel = output channel; the rest of each
/// block holds w's zero point, so padded products are 0), and the bias and
/// multipliers padded to coutP.
void packConstants(const QConvParams &p, const Layout &l, int64_t groupBlocks,
                   CompiledConv &out) {
  const uint8_t wPad = uint8_t(p.wZeroPoint);
  out.packedWeights.assign(l.wgtBytes, wPad);
  for (int64_t kh = 0; kh < p.kh; ++kh)
    for (int64_t kw = 0; kw < p.kw; ++kw)
      for (int64_t co = 0; co < p.cout; ++co)
        for (int64_t ci = p.depthwise ? co : 0;
             ci < (p.depthwise ? co + 1 : p.cin); ++ci) {
          int64_t group = co / l.c / groupBlocks;
          int64_t first = group * groupBlocks;
          int64_t nb = std::min(groupBlocks, l.cob - first);
          int64_t block =
              ((kh * p.kw + kw) * l.rb + (p.depthwise ? 0 : ci / l.r)) * nb +
              (co / l.c - first);
          int64_t dst = first * l.blockBytes + block * l.r * l.c +
                        (ci % l.r) * l.c + co % l.c;
          int64_t src = p.depthwise
                            ? (co * p.kh + kh) * p.kw + kw
                            : ((co * p.cin + ci) * p.kh + kh) * p.kw + kw;
          out.packedWeights[dst] = p.weights[src];
        }
  for (int64_t co = 0; co < l.coutP; ++co) {
    int32_t b = co < p.cout && !p.bias.empty() ? p.bias[co] : 0;
    float m = co < p.cout ? requantMultiplier(p, co) : 0.0f;
    appendBytes(out.biasBytes, &b, 4);
    appendBytes(out.multiplierBytes, &m, 4);
  }
}

/// The weight-streaming schedule for layers whose whole input fits ACT
/// (ResNet-18's layer3/layer4, MobileNetV2's late 1x1 convs): the input is
/// loaded once, split by the DMA into planes [pr][q][i][j][cinP] (padded row
/// pr + sh*i). With shifted planes (the default when they fit) plane q = b
/// holds column j = padded column b + sw*j for j < ow, and output (t, x) of
/// kernel tap (a, b) reads plane (a % sh, b) at pixel (t + a/sh) * ow + x;
/// with phase planes q = pc holds padded column pc + sw*j for j < Wph and
/// the tap reads plane (a % sh, b % sw) at (t + a/sh) * Wph + x + b/sw.
/// Either is linear in the flat index t * W + x, so one GEMM per tap covers
/// every output row at once ("flat rows"; phase planes compute Wph - ow
/// unused columns per row, never stored), which keeps rows >= R when
/// ow < R. Weights stream through two WGT buffers in chunks
/// (an output channel group x a range of kernel rows), double-buffered
/// against the GEMMs; all biases and multipliers sit in ACC from the start.
struct StreamPlan {
  /// Column planes: sw phases of wph columns, or (shifted) one plane per
  /// kernel column b of exactly ow columns (column x = padded column
  /// x * sw + b), which leaves no unused columns between rows.
  bool shifted = false;
  int64_t colPlanes = 0;
  int64_t hph = 0, wph = 0, planeBytes = 0, inBytes = 0;
  int64_t flatRows = 0;
  int64_t groupBlocks = 0, groups = 0;
  /// Kernel rows per weight chunk, and the bytes of the largest chunk.
  int64_t chunkKh = 0, chunkBytes = 0;
  int64_t outBytes = 0;
};

bool planStreamed(const QConvParams &p, const Layout &l,
                  const RnpuConfig &config, StreamPlan &s, bool force) {
  if (p.depthwise || p.n != 1 || config.numSemaphores < 5)
    return false;
  const int64_t sh = p.strideH, sw = p.strideW;
  const int64_t rp = l.inRows(l.oh, sh, p.kh);
  s.hph = ceilDiv(rp, sh);
  // Shifted column planes when they fit ACT with two output buffers, else
  // the sw phases.
  const int64_t blockOutBytes = l.oh * l.ow * l.c; // one block's output
  s.shifted = sh * p.kw * s.hph * l.ow * l.cinP + 2 * blockOutBytes <=
              config.actSramBytes;
  s.colPlanes = s.shifted ? p.kw : sw;
  s.wph = s.shifted ? l.ow : ceilDiv(l.wp, sw);
  s.flatRows = (l.oh - 1) * s.wph + l.ow;
  // Cheaper than one GEMM per output row? (GEMM cost max(rows, R).)
  if (!force && std::max<int64_t>(s.flatRows, l.r) >=
                    l.oh * std::max<int64_t>(l.ow, l.r))
    return false;
  if (s.flatRows > 65535 || l.rb > 65535)
    return false;
  s.planeBytes = s.hph * s.wph * l.cinP;
  s.inBytes = sh * s.colPlanes * s.planeBytes;
  // ACC: all biases and multipliers, then the accumulators of one group.
  const int64_t paramBytes = 2 * l.coutP * 4;
  const int64_t accPerBlock = s.flatRows * l.c * 4;
  if (config.accSramBytes < paramBytes + accPerBlock)
    return false;
  const int64_t accBlocks = (config.accSramBytes - paramBytes) / accPerBlock;
  // WGT: two chunk buffers. A chunk of kernel rows of one block:
  const int64_t rowBlockBytes = p.kw * l.rb * l.r * l.c;
  const int64_t half = config.wgtSramBytes / 2;
  if (rowBlockBytes > half)
    return false;
  if (l.blockBytes <= half) {
    s.chunkKh = p.kh;
    s.groupBlocks = std::min({l.cob, accBlocks, half / l.blockBytes});
  } else {
    s.groupBlocks = 1;
    s.chunkKh = half / rowBlockBytes;
  }
  // ACT: the input planes and two output buffers of a group.
  if (s.inBytes + 2 * blockOutBytes > config.actSramBytes)
    return false;
  s.groupBlocks = std::min(
      s.groupBlocks, (config.actSramBytes - s.inBytes) / (2 * blockOutBytes));
  s.groups = ceilDiv(l.cob, s.groupBlocks);
  s.chunkBytes = s.chunkKh * rowBlockBytes * s.groupBlocks;
  s.outBytes = l.oh * l.ow * std::min(p.cout, s.groupBlocks * l.c);
  return true;
}

bool streamable(const QConvParams &p, const Layout &l,
                const RnpuConfig &config) {
  StreamPlan plan;
  return planStreamed(p, l, config, plan, /*force=*/true);
}

/// The bindings of a compiled conv.
enum : uint8_t { kX, kW, kBias, kMult, kY };

/// A 1-D DMA load of `count` elements of `elem` bytes from DRAM `offset` of
/// `binding` to SRAM `addr` of `space`.
void pushLoad1d(std::vector<Instruction> &prog, uint16_t tag, Space space,
                uint8_t elem, uint8_t binding, uint32_t addr, uint64_t offset,
                int64_t count) {
  DmaInst d;
  d.space = space;
  d.elemBytes = elem;
  d.binding = binding;
  d.sramAddr = addr;
  d.dramOffset = offset;
  d.size[0] = uint32_t(count);
  d.sramStride[0] = elem;
  d.dramStride[0] = elem;
  prog.push_back(Instruction::dmaLoad(d, tag));
}

/// A GEMM of the conv with its operands' signedness and zero points; the
/// caller sets the addresses, counts and strides.
GemmInst convGemm(const QConvParams &p, bool accumulate) {
  GemmInst g;
  g.flags = (p.xSigned ? 0 : kGemmInpUnsigned) |
            (p.wSigned ? 0 : kGemmWgtUnsigned) |
            (accumulate ? kGemmAccumulate : 0);
  g.inpZeroPoint = int16_t(p.xZeroPoint);
  g.wgtZeroPoint = int16_t(p.wZeroPoint);
  return g;
}

/// REQUANT of `rows` output rows of a group of `nb` channel blocks
/// (`coutG` real channels) from the accumulators at `accBase` (pixel stride
/// nb * C * 4, row stride `accRowBytes`) to the output buffer at `dst`
/// ([row][pixel][channel]), with the multipliers and biases at `multAddr`
/// and `biasAddr`.
void pushRequant(std::vector<Instruction> &prog, uint16_t tag,
                 const QConvParams &p, const Layout &l, int64_t nb,
                 int64_t coutG, int64_t rows, uint32_t dst, uint32_t accBase,
                 int64_t accRowBytes, uint32_t multAddr, uint32_t biasAddr) {
  VecInst v;
  v.op = VecOp::Requant;
  v.flags = kVecHasBias | (p.ySigned ? kVecOutSigned : 0);
  v.dstSpace = Space::Act;
  v.src0Space = Space::Acc;
  v.count[0] = uint16_t(coutG);
  v.count[1] = uint16_t(l.ow);
  v.count[2] = uint16_t(rows);
  v.dst.addr = dst;
  v.dst.stride[0] = 1;
  v.dst.stride[1] = int32_t(coutG);
  v.dst.stride[2] = int32_t(l.ow * coutG);
  v.src0.addr = accBase;
  v.src0.stride[0] = 4;
  v.src0.stride[1] = int32_t(nb * l.c * 4);
  v.src0.stride[2] = int32_t(accRowBytes);
  v.mult.addr = multAddr;
  v.mult.stride[0] = 4;
  v.bias.addr = biasAddr;
  v.bias.stride[0] = 4;
  v.iImm[0] = int16_t(p.yZeroPoint);
  v.clampLo = p.clampLo;
  v.clampHi = p.clampHi;
  prog.push_back(Instruction::vecOp(v, tag));
}

/// The DMA store of `rows` output rows from `oh0` of channels [co0, co0 +
/// coutG) of image `n`, from the output buffer at `sramAddr` to Y (NCHW or
/// NHWC).
void pushStore(std::vector<Instruction> &prog, uint16_t tag,
               const QConvParams &p, const Layout &l, uint32_t sramAddr,
               int64_t n, int64_t co0, int64_t coutG, int64_t oh0,
               int64_t rows) {
  DmaInst st;
  st.space = Space::Act;
  st.binding = kY;
  st.sramAddr = sramAddr;
  const int64_t yc = p.channelsLast ? 1 : l.oh * l.ow;
  const int64_t yw = p.channelsLast ? p.cout : 1;
  const int64_t yh = l.ow * yw;
  st.dramOffset = uint64_t(n * p.cout * l.oh * l.ow + co0 * yc + oh0 * yh);
  st.size[0] = uint32_t(coutG);
  st.sramStride[0] = 1;
  st.dramStride[0] = yc;
  st.size[1] = uint32_t(l.ow);
  st.sramStride[1] = int32_t(coutG);
  st.dramStride[1] = yw;
  st.size[2] = uint32_t(rows);
  st.sramStride[2] = int32_t(l.ow * coutG);
  st.dramStride[2] = yh;
  prog.push_back(Instruction::dmaStore(st, tag));
}

/// Ends the program and fills in the entry point (name, binding sizes and
/// access); false, with `error`, when an emitted instruction is invalid.
bool finishEntry(const QConvParams &p, const Layout &l,
                 const RnpuConfig &config, const std::string &name,
                 CompiledConv &out, std::string &error) {
  std::vector<Instruction> &prog = out.entry.program;
  prog.push_back(Instruction::end());
  out.entry.name = name;
  out.entry.bindingSizes = {
      uint64_t(p.n * p.cin * p.h * p.w), uint64_t(out.packedWeights.size()),
      uint64_t(out.biasBytes.size()), uint64_t(out.multiplierBytes.size()),
      uint64_t(p.n * p.cout * l.oh * l.ow)};
  out.entry.bindingWritable = {false, false, false, false, true};
  return validateEntry(out.entry, config, error);
}

bool emitStreamed(const QConvParams &p, const Layout &l, const StreamPlan &s,
                  const RnpuConfig &config, const std::string &name,
                  uint16_t tag, CompiledConv &out, std::string &error) {
  const int64_t sh = p.strideH, sw = p.strideW;
  out.tileRows = l.oh;
  // ACT: the input planes, then two output buffers. ACC: multipliers,
  // biases, then the accumulators [flat row][block in group][C].
  const uint32_t outBuf[2] = {uint32_t(s.inBytes),
                              uint32_t(s.inBytes + s.outBytes)};
  const uint32_t multBase = 0;
  const uint32_t biasBase = uint32_t(l.coutP * 4);
  const uint32_t accBase = uint32_t(2 * l.coutP * 4);
  const uint32_t wgtBuf[2] = {0, uint32_t(config.wgtSramBytes / 2)};
  enum : uint8_t { kInReady, kWFull, kWFree, kOutFull, kOutFree };

  std::vector<Instruction> &prog = out.entry.program;

  // Load queue: multipliers, biases and the input planes, once.
  pushLoad1d(prog, tag, Space::Acc, 4, kMult, multBase, 0, l.coutP);
  pushLoad1d(prog, tag, Space::Acc, 4, kBias, biasBase, 0, l.coutP);
  const int64_t xc = p.channelsLast ? 1 : p.h * p.w;
  const int64_t xw = p.channelsLast ? p.cin : 1;
  const int64_t xh = p.w * xw;
  // Plane index range [lo, lo + count) of a phase that holds real data.
  auto span = [](int64_t phase, int64_t stride, int64_t padLo, int64_t extent,
                 int64_t size, int64_t &lo, int64_t &count) {
    lo = std::max<int64_t>(0, ceilDiv(padLo - phase, stride));
    int64_t end = std::max<int64_t>(0, ceilDiv(extent + padLo - phase, stride));
    end = std::min(end, size);
    lo = std::min(lo, size);
    count = std::max<int64_t>(0, end - lo);
  };
  for (int64_t pr = 0; pr < sh; ++pr)
    for (int64_t pc = 0; pc < s.colPlanes; ++pc) {
      int64_t r0, rn, c0, cn;
      span(pr, sh, p.padTop, p.h, s.hph, r0, rn);
      span(pc, sw, p.padLeft, p.w, s.wph, c0, cn);
      const bool real = rn > 0 && cn > 0;
      DmaInst in;
      in.space = Space::Act;
      in.binding = kX;
      in.sramAddr = uint32_t((pr * s.colPlanes + pc) * s.planeBytes);
      in.padValue = uint8_t(p.xZeroPoint);
      in.dramOffset =
          real ? uint64_t((pr + sh * r0 - p.padTop) * xh +
                          (pc + sw * c0 - p.padLeft) * xw)
               : 0;
      in.size[0] = uint32_t(l.cinP);
      in.padHi[0] = uint16_t(l.cinP - p.cin);
      in.dramStride[0] = xc;
      in.sramStride[0] = 1;
      in.size[1] = uint32_t(s.wph);
      in.padLo[1] = uint16_t(real ? c0 : s.wph);
      in.padHi[1] = uint16_t(real ? s.wph - c0 - cn : 0);
      in.dramStride[1] = sw * xw;
      in.sramStride[1] = int32_t(l.cinP);
      in.size[2] = uint32_t(s.hph);
      in.padLo[2] = uint16_t(real ? r0 : s.hph);
      in.padHi[2] = uint16_t(real ? s.hph - r0 - rn : 0);
      in.dramStride[2] = sh * xh;
      in.sramStride[2] = int32_t(s.wph * l.cinP);
      prog.push_back(Instruction::dmaLoad(in, tag));
    }
  prog.push_back(Instruction::signal(Queue::Load, kInReady));
  prog.push_back(Instruction::wait(Queue::Compute, kInReady));

  int64_t chunk = 0;
  for (int64_t group = 0; group < s.groups; ++group) {
    const int64_t first = group * s.groupBlocks;
    const int64_t nb = std::min(s.groupBlocks, l.cob - first);
    const int64_t co0 = first * l.c;
    const int64_t coutG = std::min(p.cout, co0 + nb * l.c) - co0;
    const int64_t rowBytes = p.kw * l.rb * nb * l.r * l.c;
    for (int64_t k0 = 0; k0 < p.kh; k0 += s.chunkKh, ++chunk) {
      const int64_t k1 = std::min(p.kh, k0 + s.chunkKh);
      const uint32_t wb = wgtBuf[chunk % 2];
      // Load queue: the chunk's weights, once its buffer is free.
      if (chunk >= 2)
        prog.push_back(Instruction::wait(Queue::Load, kWFree));
      pushLoad1d(prog, tag, Space::Wgt, 1, kW, wb,
                 uint64_t(first * l.blockBytes + k0 * rowBytes),
                 (k1 - k0) * rowBytes);
      prog.push_back(Instruction::signal(Queue::Load, kWFull));
      // Compute queue: one GEMM per block and kernel tap over all rows.
      prog.push_back(Instruction::wait(Queue::Compute, kWFull));
      for (int64_t cob = 0; cob < nb; ++cob)
        for (int64_t a = k0; a < k1; ++a)
          for (int64_t b = 0; b < p.kw; ++b) {
            GemmInst g = convGemm(p, /*accumulate=*/a != 0 || b != 0);
            g.accAddr = uint32_t(accBase + cob * l.c * 4);
            g.accRowStride = int32_t(nb * l.c * 4);
            const int64_t plane =
                (a % sh) * s.colPlanes + (s.shifted ? b : b % sw);
            g.inpAddr = uint32_t(plane * s.planeBytes +
                                 ((a / sh) * s.wph + (s.shifted ? 0 : b / sw)) *
                                     l.cinP);
            g.inpRowStride = int32_t(l.cinP);
            g.wgtAddr = uint32_t(wb + ((a - k0) * p.kw + b) * l.rb * nb *
                                          l.r * l.c +
                                 cob * l.r * l.c);
            g.rows = uint16_t(s.flatRows);
            g.inner = uint16_t(l.rb);
            g.inpInnerStride = int32_t(l.r);
            g.wgtInnerStride = int32_t(nb * l.r * l.c);
            prog.push_back(Instruction::gemmOp(g, tag));
          }
      prog.push_back(Instruction::signal(Queue::Compute, kWFree));
    }
    // REQUANT the group into an output buffer, then store it (NCHW/NHWC).
    const int ob = group % 2;
    if (group >= 2)
      prog.push_back(Instruction::wait(Queue::Compute, kOutFree));
    pushRequant(prog, tag, p, l, nb, coutG, l.oh, outBuf[ob], accBase,
                s.wph * nb * l.c * 4, uint32_t(multBase + co0 * 4),
                uint32_t(biasBase + co0 * 4));
    prog.push_back(Instruction::signal(Queue::Compute, kOutFull));

    prog.push_back(Instruction::wait(Queue::Store, kOutFull));
    pushStore(prog, tag, p, l, outBuf[ob], /*n=*/0, co0, coutG, /*oh0=*/0,
              l.oh);
    prog.push_back(Instruction::signal(Queue::Store, kOutFree));
  }
  return finishEntry(p, l, config, name, out, error);
}

} // namespace

bool compileConv(const QConvParams &p, const RnpuConfig &config,
                 const std::string &name, uint16_t tag, CompiledConv &out,
                 std::string &error) {
  error = whyConvUnsupported(p, config);
  if (!error.empty())
    return false;
  Layout l = layoutOf(p, config);
  const int64_t tileRows = chooseTileRows(p, l, config);
  out = CompiledConv();
  out.tileRows = tileRows;

  StreamPlan plan;
  if (planStreamed(p, l, config, plan, /*force=*/l.groupBlocks == 0)) {
    packConstants(p, l, plan.groupBlocks, out);
    return emitStreamed(p, l, plan, config, name, tag, out, error);
  }
  packConstants(p, l, l.groupBlocks, out);

  // SRAM plan. ACT: input buffers 0 and 1, output buffers 0 and 1.
  // ACC: accumulators, bias, multipliers of one output channel group.
  // WGT: the weight blocks of one group.
  const int64_t gc = l.groupBlocks * l.c; // padded channels of a group
  const int64_t inBytes = l.inRows(tileRows, p.strideH, p.kh) * l.wp * l.cinP;
  const int64_t outBytes = tileRows * l.ow * l.groupChannels(p);
  const uint32_t inBuf[2] = {0, uint32_t(inBytes)};
  const uint32_t outBuf[2] = {uint32_t(2 * inBytes),
                              uint32_t(2 * inBytes + outBytes)};
  const uint32_t accBase = 0;
  const uint32_t biasBase = uint32_t(tileRows * l.ow * gc * 4);
  const uint32_t multBase = biasBase + uint32_t(gc * 4);
  enum : uint8_t {
    kWeightsReady,
    kInFull,
    kInFree,
    kOutFull,
    kOutFree,
    kWeightsFree
  };

  std::vector<Instruction> &prog = out.entry.program;

  int64_t tile = 0;
  for (int64_t group = 0; group < l.groups; ++group) {
    const int64_t first = group * l.groupBlocks; // first channel block
    const int64_t nb = std::min(l.groupBlocks, l.cob - first);
    const int64_t co0 = first * l.c;
    const int64_t coutG = std::min(p.cout, co0 + nb * l.c) - co0;
    // Weights, bias and multipliers of the group, once the previous group
    // no longer reads them.
    if (group > 0)
      prog.push_back(Instruction::wait(Queue::Load, kWeightsFree));
    pushLoad1d(prog, tag, Space::Wgt, 1, kW, 0, uint64_t(first * l.blockBytes),
               nb * l.blockBytes);
    pushLoad1d(prog, tag, Space::Acc, 4, kBias, biasBase, uint64_t(co0 * 4),
               nb * l.c);
    pushLoad1d(prog, tag, Space::Acc, 4, kMult, multBase, uint64_t(co0 * 4),
               nb * l.c);
    prog.push_back(Instruction::signal(Queue::Load, kWeightsReady));
    prog.push_back(Instruction::wait(Queue::Compute, kWeightsReady));

    for (int64_t n = 0; n < p.n; ++n)
      for (int64_t oh0 = 0; oh0 < l.oh; oh0 += tileRows, ++tile) {
        const int64_t rows = std::min(tileRows, l.oh - oh0);
        const int b = tile % 2;
        // Load queue: the padded input rows of this tile.
        const int64_t rin = l.inRows(rows, p.strideH, p.kh);
        const int64_t p0 = oh0 * p.strideH;
        const int64_t rs = std::max<int64_t>(0, p0 - p.padTop);
        const int64_t re = std::min<int64_t>(p.h, p0 + rin - p.padTop);
        const int64_t padLo = std::max<int64_t>(0, p.padTop - p0);
        const int64_t real = std::max<int64_t>(0, re - rs);
        if (tile >= 2)
          prog.push_back(Instruction::wait(Queue::Load, kInFree));
        DmaInst in;
        in.space = Space::Act;
        in.binding = kX;
        in.sramAddr = inBuf[b];
        in.padValue = uint8_t(p.xZeroPoint);
        // x strides of a channel, a pixel and a row (NCHW or NHWC).
        const int64_t xc = p.channelsLast ? 1 : p.h * p.w;
        const int64_t xw = p.channelsLast ? p.cin : 1;
        const int64_t xh = p.w * xw;
        in.dramOffset = uint64_t(n * p.cin * p.h * p.w + (real ? rs : 0) * xh);
        in.size[0] = uint32_t(l.cinP);
        in.padHi[0] = uint16_t(l.cinP - p.cin);
        in.dramStride[0] = xc;
        in.sramStride[0] = 1;
        in.size[1] = uint32_t(l.wp);
        in.padLo[1] = uint16_t(p.padLeft);
        in.padHi[1] = uint16_t(p.padRight);
        in.dramStride[1] = xw;
        in.sramStride[1] = int32_t(l.cinP);
        in.size[2] = uint32_t(rin);
        in.padLo[2] = uint16_t(real ? padLo : rin);
        in.padHi[2] = uint16_t(real ? rin - padLo - real : 0);
        in.dramStride[2] = xh;
        in.sramStride[2] = int32_t(l.wp * l.cinP);
        prog.push_back(Instruction::dmaLoad(in, tag));
        prog.push_back(Instruction::signal(Queue::Load, kInFull));

        // Compute queue: GEMMs over the whole reduction, then REQUANT.
        prog.push_back(Instruction::wait(Queue::Compute, kInFull));
        for (int64_t t = 0; t < rows; ++t)
          for (int64_t cob = 0; cob < nb; ++cob) {
            GemmInst g = convGemm(p, /*accumulate=*/false);
            g.accAddr = uint32_t(accBase + (t * l.ow * nb + cob) * l.c * 4);
            g.inpAddr = uint32_t(inBuf[b] + t * p.strideH * l.wp * l.cinP +
                                 (p.depthwise ? (first + cob) * l.r : 0));
            g.wgtAddr = uint32_t(cob * l.r * l.c);
            g.rows = uint16_t(l.ow);
            g.accRowStride = int32_t(nb * l.c * 4);
            g.inpRowStride = int32_t(p.strideW * l.cinP);
            g.outer = uint16_t(p.kh);
            g.inpOuterStride = int32_t(l.wp * l.cinP);
            g.wgtOuterStride = int32_t(p.kw * l.rb * nb * l.r * l.c);
            g.inner = uint16_t(p.kw * l.rb);
            g.inpInnerStride = int32_t(p.depthwise ? l.cinP : l.r);
            g.wgtInnerStride = int32_t(nb * l.r * l.c);
            prog.push_back(Instruction::gemmOp(g, tag));
          }
        prog.push_back(Instruction::signal(Queue::Compute, kInFree));
        if (tile >= 2)
          prog.push_back(Instruction::wait(Queue::Compute, kOutFree));
        pushRequant(prog, tag, p, l, nb, coutG, rows, outBuf[b], accBase,
                    l.ow * nb * l.c * 4, multBase, biasBase);
        prog.push_back(Instruction::signal(Queue::Compute, kOutFull));

        // Store queue: the tile's output rows, back to NCHW.
        prog.push_back(Instruction::wait(Queue::Store, kOutFull));
        pushStore(prog, tag, p, l, outBuf[b], n, co0, coutG, oh0, rows);
        prog.push_back(Instruction::signal(Queue::Store, kOutFree));
      }
    if (group + 1 < l.groups)
      prog.push_back(Instruction::signal(Queue::Compute, kWeightsFree));
  }
  return finishEntry(p, l, config, name, out, error);
}

} // namespace aicc::npu
