//===- AmxKernels.h - 8-bit convolutions on AMX tiles -----------*- C++ -*-===//
//
// On CPUs with AMX-INT8 (--target=avx512-amx, or host on such a CPU) the
// i32 accumulators of the 8-bit convolutions of LowerQuantOps (u8 or s8
// activations x s8 weights) are computed by aicc_amx_conv_i8
// (support/KernelSupport.c), a Halide extern stage, instead of vpdpbusd
// register tiles; the requantize epilogue stays a Halide Func and is tiled
// around the extern's blocks of output channels x rows. Integer sums are
// exact, so results are bit-identical to the VNNI kernels.
//
// Three parts agree on the layouts:
//  - PackWeights (packAmxConvWeights) stores the weights as
//    [Fp][Kh][Kw][Cp/4][4], output channels padded to a multiple of 16 and
//    input channels to a multiple of 64 with zeros: one AMX A tile is 16
//    channels x 64 bytes of one tap.
//  - The translator's policy hook (defineAmxConv) packs the activations per
//    call as [N][Cp/4][phases x rows][vw][4] (AMX's VNNI layout for B: 16
//    pixels x 4 channels per 64-byte row), zero padded, and defines the
//    extern.
//  - The schedule (scheduleAmxKernel) tiles the epilogue by 16-aligned
//    channel blocks, as the extern needs.
//
// Handled: 2-D convs (batch, groups of 1, no dilation) of stride 1 with any
// kernel, 1x1 convs of any stride (a matmul over pixels) and convs of
// stride 2..4 with a window (the activations packed as stride x stride
// phase planes, in which the taps are again offsets), with output channels
// a multiple of 16 and input channels one of 64, or input channels at most
// 4 with a window at most 16 taps wide (the taps of a row folded into K, the
// stem); other convs keep the vpdpbusd kernels.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_AMXKERNELS_H
#define AICC_TARGETS_AVX512_AMXKERNELS_H

#include "targets/avx512/AmxConvGeometry.h"
#include "targets/halide/SchedulePolicy.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <optional>
#include <vector>

namespace aicc::avx512 {

/// Whether `v` is a linalg.fill of a constant `isConstant` accepts, or its
/// generalized form (the Halide translator generalizes named ops: a
/// generic without reductions yielding that constant or an input that is
/// it): the value an accumulator starts from.
bool isConstantFill(mlir::Value v,
                    llvm::function_ref<bool(mlir::Value)> isConstant);

/// Whether `v` is a linalg.fill of constant 0 (integer or float), or its
/// generalized form (isConstantFill): an accumulator that starts at zero.
bool isZeroFill(mlir::Value v);

/// An 8-bit conv the AMX kernels compute (loops d0..d7: n, f, ho, wo, c/4,
/// kh, kw, and the 4 channels of a dot product).
/// channelGroups counts groups of 4 channels; amxLayout: the weights
/// already have the AMX layout (in a kernel, after PackWeights),
/// [Fp][Kh][Kw][Cp/4][4].
struct AmxConv : AmxConvGeometry {
  bool activationsSigned = false;
  /// Whether the taps of a row are folded into K (one group of 4 channels,
  /// e.g. the stem's 7x7 conv of 3 channels): 16 groups of 4 bytes per
  /// packed pixel, group b the pixels of tap column b; the weights keep
  /// Cp/4 = 1 and the extern pads each tap row to 64 bytes.
  bool folded = false;

  int64_t paddedChannels4() const {
    return folded ? channelGroups : (channelGroups + 15) / 16 * 16;
  }
  /// Groups of 4 bytes per pixel of the packed activations.
  int64_t packedGroups() const { return folded ? 16 : paddedChannels4(); }
  int64_t paddedOutChannels() const { return (outChannels + 15) / 16 * 16; }
};

/// The conv `op` computes when AMX should compute it; std::nullopt else.
std::optional<AmxConv> amxConvOf(mlir::linalg::GenericOp op);

/// Replaces the constant weights of `op` (`conv`, not yet in AMX layout)
/// with a copy in the AMX layout and rewrites the indexing map. False when
/// the weights cannot be read.
bool packAmxConvWeights(mlir::linalg::GenericOp op, const AmxConv &conv,
                        mlir::RewriterBase &rewriter);

/// The extern stage computing `op`'s accumulators (see the file comment),
/// or an undefined Func when `op` is not such a conv or its weights are no
/// kernel input.
Halide::Func
defineAmxConv(mlir::linalg::GenericOp op, const std::vector<Halide::Func> &in,
              const std::vector<std::optional<Halide::ImageParam>> &params);

/// Schedules the kernel's AMX extern stages: the epilogue output tiled by
/// blocks of channels x rows with the extern computed per block. Returns
/// false when no reduction is an extern; `rest` then receives nothing, else
/// the reductions still to schedule (when the kernel is not one conv and
/// its epilogue, the externs are computed at root and the rest scheduled as
/// usual).
bool scheduleAmxKernel(const std::vector<halidegen::ScheduledFunc> &outputs,
                       const std::vector<halidegen::ScheduledReduction> &reds,
                       bool naive, bool &done,
                       std::vector<halidegen::ScheduledReduction> &rest);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_AMXKERNELS_H
