//===- AmxBf16Kernels.h - bf16 matmuls and convs on AMX tiles ---*- C++ -*-===//
//
// On CPUs with AMX-BF16 (--target=avx512-amx, or host on such a CPU) the f32
// accumulators of the bf16 dot products of --precision=bf16
// (LowPrecisionKernels: f32 += f32(bf16) * f32(bf16) with the reduction
// split into pairs) are computed by tdpbf16ps tiles in Halide extern stages
// (support/KernelSupport.c: aicc_amx_matmul_bf16, aicc_amx_conv_bf16)
// instead of vdpbf16ps register tiles, which run at half the rate of the
// f32 FMAs they replace. The epilogue (bias, GELU, residual, ReLU) stays a
// Halide Func. Products of two bf16 values are exact in f32: only the order
// of the f32 sums differs from the vdpbf16ps kernels.
//
// Three parts agree on the layouts (as AmxKernels.h does for int8):
//  - PackWeights (packAmxBf16Weights) stores the weights at compile time
//    in AMX's layouts: a matmul's [K/2][2][N] as VNNI-2 pairs by blocks of
//    16 columns, [N/16][K/2][16][2] (a B tile, 16 pairs x 16 columns x 2,
//    is 1 KiB in one piece), a conv's [F][C/2][2][Kh][Kw] as
//    [F][Kh][Kw][C/2][2] (A tiles: 16 channels x 32 bf16 of one tap).
//  - The translator's policy hook (defineAmxBf16) copies the activations
//    per call into the extern's layout (a matmul's rows padded with zeros
//    to the last 16-row tile; a conv's channel pairs interleaved per pixel,
//    [N][C/2][phases][rows][vw][2]) and defines the extern.
//  - The schedule: a conv's epilogue is tiled by 16-aligned channel blocks
//    (scheduleAmxKernel, shared with int8); a matmul's by blocks of rows x
//    64 columns (scheduleAmxBf16Matmul).
//
// Handled: matmuls with K a multiple of 32 and N of 16; 2-D convs (batch,
// groups of 1, no dilation, strides up to 4: a strided window reads s*s
// phase planes of the image, each a stride-1 conv) with output channels a
// multiple of 16 and input channels one of 32. Others keep the vdpbf16ps
// kernels.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_AMXBF16KERNELS_H
#define AICC_TARGETS_AVX512_AMXBF16KERNELS_H

#include "targets/avx512/AmxConvGeometry.h"
#include "targets/halide/SchedulePolicy.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include <optional>
#include <vector>

namespace aicc::avx512 {

/// A bf16 matmul the AMX kernels compute (loops d0..d3: m, n, k/2 and the
/// pair).
struct AmxBf16Matmul {
  unsigned activations = 0, weights = 1;
  int64_t m = 0, n = 0, k = 0;
  /// Whether the weights already have the AMX layout [N/16][K/2][16][2].
  bool amxLayout = false;
  /// Rows of the per-call copy of the activations: M, zero padded to a
  /// multiple of 16, plus a tile of 16 (a block of rows may start anywhere).
  int64_t paddedRows() const { return (m + 15) / 16 * 16 + 16; }
};

/// A bf16 conv the AMX kernels compute (loops d0..d7: n, f, ho, wo, c/2,
/// kh, kw, and the pair).
/// channelGroups counts channel pairs; amxLayout: the weights already have
/// the AMX layout [F][Kh][Kw][C/2][2].
struct AmxBf16Conv : AmxConvGeometry {};

/// The bf16 matmul / conv `op` computes when AMX should compute it (with
/// `anyInit`, also when it accumulates onto a tensor other than zeros);
/// std::nullopt else.
std::optional<AmxBf16Matmul> amxBf16MatmulOf(mlir::linalg::GenericOp op,
                                             bool anyInit = false);
std::optional<AmxBf16Conv> amxBf16ConvOf(mlir::linalg::GenericOp op,
                                         bool anyInit = false);

/// Replaces the constant weights of `op` (a bf16 matmul or conv AMX
/// computes, not yet in AMX layout) with a copy in the AMX layout and
/// rewrites the indexing map; an init other than zeros (a bias) becomes an
/// elementwise add after `op`. False when `op` is no such op or its
/// weights cannot be read.
bool packAmxBf16Weights(mlir::linalg::GenericOp op,
                        mlir::RewriterBase &rewriter);

/// The extern stage computing `op`'s f32 accumulators, or an undefined Func
/// when `op` is no bf16 matmul or conv in AMX layout.
Halide::Func
defineAmxBf16(mlir::linalg::GenericOp op, const std::vector<Halide::Func> &in,
              const std::vector<std::optional<Halide::ImageParam>> &params);

/// Schedules a kernel of one AMX bf16 matmul extern and its epilogue (a 2-D
/// output of the same shape): the output in blocks of rows x 64 columns,
/// parallel, the extern computed per block. False (nothing scheduled) for
/// any other kernel.
bool scheduleAmxBf16Matmul(
    const std::vector<halidegen::ScheduledFunc> &outputs,
    const std::vector<halidegen::ScheduledReduction> &reds, bool naive);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_AMXBF16KERNELS_H
