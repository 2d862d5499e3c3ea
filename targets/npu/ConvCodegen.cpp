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
//
//===----------------------------------------------------------------------===//

#include "targets/npu/ConvCodegen.h"

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
  if (l.groupBlocks == 0)
    return "the weights of one output channel block (" +
           std::to_string(l.blockBytes) + " B) exceed the weight SRAM (" +
           std::to_string(config.wgtSramBytes) +
           " B); reduction tiling is not implemented yet";
  if (p.depthwise && (p.cin != p.cout || config.macRows != config.macCols))
    return "a depthwise conv needs as many output as input channels and a "
           "square MAC array (diagonal weight blocks)";
  if (l.ow > 65535 || p.kh > 65535 || p.kw * l.rb > 65535 || p.cout > 65535)
    return "output width, kernel or channels beyond the GEMM/VEC loop limits";
  if (chooseTileRows(p, l, config) == 0)
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

  // Constants: weight blocks, bias and multipliers padded to coutP.
  const uint8_t wPad = uint8_t(p.wZeroPoint);
  out.packedWeights.assign(l.wgtBytes, wPad);
  for (int64_t kh = 0; kh < p.kh; ++kh)
    for (int64_t kw = 0; kw < p.kw; ++kw)
      for (int64_t co = 0; co < p.cout; ++co)
        for (int64_t ci = p.depthwise ? co : 0;
             ci < (p.depthwise ? co + 1 : p.cin); ++ci) {
          // Group-major: [group][kh][kw][rb][block in group][R][C]; a
          // depthwise conv's blocks are diagonal (input channel = output
          // channel), the rest of each block holds w's zero point.
          int64_t group = co / l.c / l.groupBlocks;
          int64_t first = group * l.groupBlocks;
          int64_t nb = std::min(l.groupBlocks, l.cob - first);
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
  enum : uint8_t { kX, kW, kBias, kMult, kY };

  std::vector<Instruction> &prog = out.entry.program;
  auto load1d = [&](Space space, uint8_t elem, uint8_t binding, uint32_t addr,
                    uint64_t offset, int64_t count) {
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
  };

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
    load1d(Space::Wgt, 1, kW, 0, uint64_t(first * l.blockBytes),
           nb * l.blockBytes);
    load1d(Space::Acc, 4, kBias, biasBase, uint64_t(co0 * 4), nb * l.c);
    load1d(Space::Acc, 4, kMult, multBase, uint64_t(co0 * 4), nb * l.c);
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
            GemmInst g;
            g.flags = (p.xSigned ? 0 : kGemmInpUnsigned) |
                      (p.wSigned ? 0 : kGemmWgtUnsigned);
            g.inpZeroPoint = int16_t(p.xZeroPoint);
            g.wgtZeroPoint = int16_t(p.wZeroPoint);
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
        VecInst v;
        v.op = VecOp::Requant;
        v.flags = kVecHasBias | (p.ySigned ? kVecOutSigned : 0);
        v.dstSpace = Space::Act;
        v.src0Space = Space::Acc;
        v.count[0] = uint16_t(coutG);
        v.count[1] = uint16_t(l.ow);
        v.count[2] = uint16_t(rows);
        v.dst.addr = outBuf[b];
        v.dst.stride[0] = 1;
        v.dst.stride[1] = int32_t(coutG);
        v.dst.stride[2] = int32_t(l.ow * coutG);
        v.src0.addr = accBase;
        v.src0.stride[0] = 4;
        v.src0.stride[1] = int32_t(nb * l.c * 4);
        v.src0.stride[2] = int32_t(l.ow * nb * l.c * 4);
        v.mult.addr = multBase;
        v.mult.stride[0] = 4;
        v.bias.addr = biasBase;
        v.bias.stride[0] = 4;
        v.iImm[0] = int16_t(p.yZeroPoint);
        v.clampLo = p.clampLo;
        v.clampHi = p.clampHi;
        prog.push_back(Instruction::vecOp(v, tag));
        prog.push_back(Instruction::signal(Queue::Compute, kOutFull));

        // Store queue: the tile's output rows, back to NCHW.
        prog.push_back(Instruction::wait(Queue::Store, kOutFull));
        DmaInst st;
        st.space = Space::Act;
        st.binding = kY;
        st.sramAddr = outBuf[b];
        const int64_t yc = p.channelsLast ? 1 : l.oh * l.ow;
        const int64_t yw = p.channelsLast ? p.cout : 1;
        const int64_t yh = l.ow * yw;
        st.dramOffset =
            uint64_t(n * p.cout * l.oh * l.ow + co0 * yc + oh0 * yh);
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
        prog.push_back(Instruction::signal(Queue::Store, kOutFree));
      }
    if (group + 1 < l.groups)
      prog.push_back(Instruction::signal(Queue::Compute, kWeightsFree));
  }
  prog.push_back(Instruction::end());

  out.entry.name = name;
  out.entry.bindingSizes = {
      uint64_t(p.n * p.cin * p.h * p.w), uint64_t(out.packedWeights.size()),
      uint64_t(out.biasBytes.size()), uint64_t(out.multiplierBytes.size()),
      uint64_t(p.n * p.cout * l.oh * l.ow)};
  out.entry.bindingWritable = {false, false, false, false, true};
  for (size_t i = 0; i < prog.size(); ++i) {
    Status s = validateInstruction(prog[i], config, i);
    if (!s.ok()) {
      error = "internal error: emitted an invalid instruction: " + s.message;
      return false;
    }
  }
  return true;
}

} // namespace aicc::npu
