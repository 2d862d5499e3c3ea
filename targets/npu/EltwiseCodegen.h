//===- EltwiseCodegen.h - int8 QLinearAdd to an RNPU stream -----*- C++ -*-===//
//
// The npu target's code generator for a quantized elementwise add of two
// tensors of the same shape (QLinearAdd, e.g. a residual Add of a QDQ model
// after FuseQDQ): both inputs stream through ACT in double-buffered tiles,
// one VEC QADD per tile computes ONNX Runtime's formula (docs/RNPU.md,
// "Numerics"), and the tile is stored back. Plain C++ on the simulator's
// structs (no MLIR), like ConvCodegen.h.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_NPU_ELTWISECODEGEN_H
#define AICC_TARGETS_NPU_ELTWISECODEGEN_H

#include "hal/npu/RnpuBlob.h"
#include "hal/npu/RnpuConfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace aicc::npu {

/// c = QLinearAdd(a, b) (or QLinearMul) over `elements` elements; a and c
/// have the same layout, b too unless `dims` is set.
struct QAddParams {
  int64_t elements = 0;
  bool aSigned = false, bSigned = false, cSigned = false;
  float aScale = 1, bScale = 1, cScale = 1;
  int32_t aZeroPoint = 0, bZeroPoint = 0, cZeroPoint = 0;
  /// QLinearMul (VEC QMUL) instead of QLinearAdd (VEC QADD).
  bool mul = false;
  /// A broadcasting b: c as three loop levels (innermost first, product =
  /// elements) and b's element stride on each level (0 where b is
  /// broadcast). Empty when b has c's shape.
  std::vector<int64_t> dims, bStrides;
};

/// QMUL's ratio with the f32 operations of aicc's CPU lowering:
/// f32(a_scale * b_scale) / c_scale.
float qmulRatio(const QAddParams &p);

/// The three loop levels and b strides (innermost first) of c's shape
/// `cShape` with b of shape `bShape` broadcast to it (numpy rules), or
/// false when more than three levels remain after merging.
bool broadcastLevels(const std::vector<int64_t> &cShape,
                     const std::vector<int64_t> &bShape,
                     std::vector<int64_t> &dims,
                     std::vector<int64_t> &bStrides);

/// QADD's immediates computed with the f32 operations of aicc's CPU
/// lowering (LowerQuantOps.cpp): r_a = a_scale / c_scale, r_b = b_scale /
/// c_scale, k = c_zp - fma(r_a, a_zp, f32(r_b * b_zp)).
void qaddImmediates(const QAddParams &p, float &ra, float &rb, float &k);

/// Empty when RNPU (with `config`) can run `p`, else why not.
std::string whyQAddUnsupported(const QAddParams &p,
                               const rnpu::RnpuConfig &config);

/// Compiles `p` into the entry named `name` (bindings: 0 a, 1 b, 2 c); on
/// failure returns false and sets `error`. A broadcasting b is loaded into
/// ACT once; a and c stream in tiles of whole outer-level slabs.
bool compileQAdd(const QAddParams &p, const rnpu::RnpuConfig &config,
                 const std::string &name, uint16_t tag, rnpu::RnpuEntry &out,
                 std::string &error);

} // namespace aicc::npu

#endif // AICC_TARGETS_NPU_ELTWISECODEGEN_H
