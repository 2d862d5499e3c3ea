//===- AmxConvGeometry.h - The geometry of the AMX convs --------*- C++ -*-===//
//
// The int8 (AmxKernels.h) and bf16 (AmxBf16Kernels.h) AMX convs read the
// same generic: loops d0..d7 are n, f, ho, wo, c/g, kh, kw and the g
// channels of one dot product (g = 4 bytes for int8, a pair for bf16); the
// activations [N][C/g][g][H][W] are read at (ho*s + kh, wo*s + kw) and the
// weights as [F][C/g][g][Kh][Kw] or, after PackWeights, in AMX layout
// [F][Kh][Kw][C/g][g]. amxConvGeometryOf matches that shape for both; each
// kernel checks its element types, body and tile constraints itself.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_AMXCONVGEOMETRY_H
#define AICC_TARGETS_AVX512_AMXCONVGEOMETRY_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include <optional>

namespace aicc::avx512 {

/// The operands and sizes of a conv the AMX kernels compute.
struct AmxConvGeometry {
  unsigned activations = 0, weights = 1;
  /// channelGroups: C/g, the groups of g channels (loop d4).
  int64_t batch = 1, channelGroups = 0, outChannels = 0;
  int64_t inHeight = 0, inWidth = 0, outHeight = 0, outWidth = 0;
  int64_t kernelHeight = 1, kernelWidth = 1, stride = 1;
  /// Whether the weights' map is the AMX layout's, (f, kh, kw, c/g, j).
  bool amxLayout = false;
};

/// The geometry of `op` when it is such a conv (8 loops, static shapes, a
/// 4-D output read as (n, f, ho, wo), a stride of 1 to 4, the activations'
/// batch and channel groups those of the loops); std::nullopt else.
std::optional<AmxConvGeometry> amxConvGeometryOf(mlir::linalg::GenericOp op);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_AMXCONVGEOMETRY_H
