//===- ConvCodegen.h - int8 convolution to an RNPU command stream -*- C++
//-*-===//
//
// The npu target's code generator for one quantized 2-D convolution
// (QLinearConv, group 1 or depthwise): it packs the weights into RNPU GEMM
// blocks, the bias and the per-channel requantization multipliers into DRAM
// constants, tiles the output over rows to the SRAM budgets of an RnpuConfig
// and emits a double-buffered command stream (docs/RNPU.md, compiler section).
// Plain C++ on the simulator's structs (no MLIR), so unit tests can drive it.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_CONVCODEGEN_H
#define AICC_TARGETS_NPU_CONVCODEGEN_H

#include "hal/npu/RnpuBlob.h"
#include "hal/npu/RnpuConfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aicc::npu {

/// A QLinearConv with static shapes, its parameters read from constants.
/// Tensors are NCHW (x, y) and OIHW (w), as aicc stores them.
struct QConvParams {
  int64_t n = 1, cin = 0, h = 0, w = 0;
  int64_t cout = 0, kh = 1, kw = 1;
  int64_t strideH = 1, strideW = 1;
  int64_t padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;
  bool xSigned = false, wSigned = true, ySigned = false;
  int32_t xZeroPoint = 0, wZeroPoint = 0, yZeroPoint = 0;
  float xScale = 1.0f, yScale = 1.0f;
  /// One value (per tensor) or cout values (per output channel).
  std::vector<float> wScale;
  /// x and y are NHWC instead of NCHW. A QLinearMatMul A[M][K] x B[K][N]
  /// is the 1x1 conv with n = 1, h = 1, w = M, cin = K, cout = N, weights
  /// B transposed, channels last.
  bool channelsLast = false;
  /// A depthwise conv (group = cin = cout): one input channel per output
  /// channel, weights [cout][1][kh][kw].
  bool depthwise = false;
  /// cout * cin * kh * kw raw bytes (int8 or uint8); cout * kh * kw when
  /// depthwise.
  std::vector<uint8_t> weights;
  /// cout values, or empty.
  std::vector<int32_t> bias;
  /// Optional clamp of the quantized output (a fused ReLU / Clip).
  int16_t clampLo = -32768, clampHi = 32767;

  int64_t outH() const { return (h + padTop + padBottom - kh) / strideH + 1; }
  int64_t outW() const { return (w + padLeft + padRight - kw) / strideW + 1; }
};

/// What the compiled conv needs at run time. Bindings: 0 x (input, NCHW
/// bytes), 1 packed weights, 2 bias (int32), 3 multipliers (f32), 4 y
/// (output, NCHW bytes); bindings 1-3 are the constants below.
struct CompiledConv {
  rnpu::RnpuEntry entry;
  std::vector<uint8_t> packedWeights;
  std::vector<uint8_t> biasBytes;
  std::vector<uint8_t> multiplierBytes;
  /// Output rows per tile the tiler chose.
  int64_t tileRows = 0;
};

/// Empty when RNPU (with `config`) can run `p`, else why not.
std::string whyConvUnsupported(const QConvParams &p,
                               const rnpu::RnpuConfig &config);

/// The requantization multiplier of output channel `c`, computed with the
/// f32 operations of aicc's CPU lowering (LowerQuantOps.cpp):
/// f32(x_scale * w_scale[c]) / y_scale.
float requantMultiplier(const QConvParams &p, int64_t c);

/// Compiles `p` for `config` into the entry named `name`; on failure returns
/// false and sets `error`. Every instruction is validated against `config`.
bool compileConv(const QConvParams &p, const rnpu::RnpuConfig &config,
                 const std::string &name, uint16_t tag, CompiledConv &out,
                 std::string &error);

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_CONVCODEGEN_H
