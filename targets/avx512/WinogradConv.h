//===- WinogradConv.h - 3x3 fp32 convs by Winograd F(2x2, 3x3) --*- C++ -*-===//
//
// A 3x3, stride-1 fp32 conv (dilation 1, one group, constant weights, enough
// channels to pay) computed by Winograd's minimal filtering F(2x2, 3x3)
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015):
// 2x2 output tiles from 4x4 input tiles, 16 GEMMs over the input channels
// instead of 36 multiply-adds per output (2.25x fewer), plus input and
// output transforms whose cost scales with channels x tiles.
//
// Three parts agree on the layouts:
//  - PackWeights (packWinogradWeights) replaces the weights [F][C][3][3]
//    with their transform U = G g G^T, stored [3][3][2][Fp/8][C][8] (the 16
//    points of a 4x4 tile, point p at [p / 6][p / 2 % 3][p % 2], and 2 of
//    zeros: 18 = 3x3x2 so that kh and kw stay dims of the map; output
//    channels padded to a multiple of 8 with zeros, 8 innermost), and marks
//    the conv with `aicc.winograd`. The generic's map of the weights becomes
//    (kh, kw, 0, f floordiv 8, c, f mod 8): it is no longer
//    the conv's arithmetic, so a marked conv is always computed by the
//    extern below.
//  - The translator's policy hook (defineWinogradConv) defines the conv as
//    the extern stage aicc_wino_f23_conv (support/WinogradSupport.c) plus
//    the conv's init (the bias).
//  - The schedule (scheduleWinogradKernel), on maps of at least 256 tiles,
//    tiles the epilogue by blocks of an even number of rows x 8-aligned
//    output channels and calls the extern per block: its transformed input,
//    GEMMs and output transform stay in L2 and the epilogue (bias, residual,
//    ReLU) reads the block from there. On smaller maps the extern computes
//    the whole output at root, its three phases parallel on the runtime's
//    pool (halide_do_par_for from C), and the epilogue follows.
//  - The conv's pad (one zero pixel around the image) folds into its kernel
//    (the fusion policy's padConsumer): the extern then reads the unpadded
//    kernel input, zeros outside it.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_WINOGRADCONV_H
#define AICC_TARGETS_AVX512_WINOGRADCONV_H

#include "targets/halide/SchedulePolicy.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include <optional>
#include <vector>

namespace aicc::avx512 {

/// The attribute marking a conv whose weights packWinogradWeights
/// transformed.
constexpr const char *kWinogradAttr = "aicc.winograd";

/// Whether `op` (a generalized conv, weights not yet packed) is a conv
/// Winograd F(2x2, 3x3) computes faster than the direct kernel.
bool isWinogradConv(mlir::linalg::GenericOp op);

/// Replaces the constant weights of `op` (isWinogradConv) with their
/// transform, rewrites the map and marks the op. False when the weights
/// cannot be read (nothing changed).
bool packWinogradWeights(mlir::linalg::GenericOp op,
                         mlir::RewriterBase &rewriter);

/// For a marked conv: its output (init + the extern); an undefined Func for
/// other ops. `init` is the Func of the conv's init (undefined: zero).
Halide::Func
defineWinogradConv(mlir::linalg::GenericOp op,
                   const std::vector<Halide::Func> &inputs,
                   const std::vector<std::optional<Halide::ImageParam>> &params,
                   const Halide::Func &init);

/// Schedules a kernel with Winograd convs; false (nothing done) without.
/// `rest` gets the other reductions, for the usual schedule, and `done`
/// whether the kernel is fully scheduled.
bool scheduleWinogradKernel(
    const std::vector<halidegen::ScheduledFunc> &outputs,
    const std::vector<halidegen::ScheduledReduction> &reductions, bool naive,
    bool &done, std::vector<halidegen::ScheduledReduction> &rest);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_WINOGRADCONV_H
