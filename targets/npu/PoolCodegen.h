//===- PoolCodegen.h - int8 MaxPool to an RNPU command stream ---*- C++ -*-===//
//
// The npu target's code generator for a 2-D max pool over 8-bit data (the
// DequantizeLinear -> MaxPool -> QuantizeLinear of a QDQ model with the
// same scale and zero point on both sides, which is exactly a max pool of
// the integers): channel tiles stream through ACT double-buffered, borders
// padded by the DMA with the type's minimum, one VEC POOL_MAX per tile.
// Plain C++ on the simulator's structs (no MLIR), like ConvCodegen.h.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_POOLCODEGEN_H
#define AICC_TARGETS_NPU_POOLCODEGEN_H

#include "hal/npu/RnpuBlob.h"
#include "hal/npu/RnpuConfig.h"

#include <cstdint>
#include <string>

namespace aicc::npu {

/// y = MaxPool(x), x [n][c][h][w] and y [n][c][oh][ow] (NCHW bytes).
struct MaxPoolParams {
  int64_t n = 1, c = 0, h = 0, w = 0;
  int64_t kh = 1, kw = 1, strideH = 1, strideW = 1;
  int64_t padTop = 0, padLeft = 0;
  /// The output size (from the result type: ceil_mode and the end pads
  /// are in it).
  int64_t oh = 0, ow = 0;
  bool isSigned = false;
};

/// Empty when RNPU (with `config`) can run `p`, else why not.
std::string whyMaxPoolUnsupported(const MaxPoolParams &p,
                                  const rnpu::RnpuConfig &config);

/// Compiles `p` into the entry named `name` (bindings: 0 x, 1 y); on
/// failure returns false and sets `error`.
bool compileMaxPool(const MaxPoolParams &p, const rnpu::RnpuConfig &config,
                    const std::string &name, uint16_t tag,
                    rnpu::RnpuEntry &out, std::string &error);

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_POOLCODEGEN_H
