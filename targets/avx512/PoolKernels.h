//===- PoolKernels.h - Max pools as row then column maxima ------*- C++ -*-===//
//
// A 2-D max pool (linalg's pooling_nchw_max, generalized) over an f32 NCHW
// image read through a pad of the same kernel is translated by the policy
// hook (defineSeparableMaxPool) as two Funcs instead of one reduction over
// the window: the maxima down each window's column of KH taps
// (`pool_rows`, per output row: KH dense loads per vector of the row), then
// the maxima across each output's KW columns of those (strided reads, a
// shuffle each, from L1). A 3x3 stride-2 window costs about 6 + 4 loads
// and 3 shuffles per output vector instead of 18 loads and 9 shuffles. The
// schedule (scheduleSeparableMaxPool) vectorizes the row maxima aligned to
// the source's rows (they are indexed by source column, so the vectors over
// the left pad fold to -inf and the others load densely from the image;
// the pad's select is inlined), in tasks of whole channels. ResNet-50's
// 3x3 stride-2 max pool alone, one thread: 0.144 -> 0.056 ms.
//
// Maxima propagate NaN as arith.maximumf does (the translator's select of
// NaN where an operand is NaN).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_POOLKERNELS_H
#define AICC_TARGETS_AVX512_POOLKERNELS_H

#include "targets/halide/SchedulePolicy.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include <optional>
#include <string>
#include <vector>

namespace aicc::avx512 {

/// Whether `op` is a 2-D pooling (max or average) of an f32 NCHW image at
/// least a vector (16 outputs) wide, read through a pad of the same kernel
/// (tensor.pad, folded): one input indexed by the output's loops (the
/// padded image, its channels loop 1), any other by the two window loops
/// alone (the window's shape).
bool isPaddedNchwPooling(mlir::linalg::GenericOp op);

/// The output Func of max pool `op` computed as row maxima then column
/// maxima (see above), or an undefined Func when `op` is not a max pool
/// isPaddedNchwPooling accepts, starting from -inf, with constant strides
/// and dilations and a window of at most 7x7.
Halide::Func defineSeparableMaxPool(
    mlir::linalg::GenericOp op, const std::vector<Halide::Func> &inputs,
    const std::vector<std::optional<Halide::ImageParam>> &params);

/// Whether `r` is the extern of defineSeparableMaxPool.
bool isSeparableMaxPool(const halidegen::ScheduledReduction &r);

/// Schedules the separable max pool among `reductions`, if any: tiles it
/// (or the kernel's one output, when that has the pool's shape and reads
/// it element for element) and returns the name of the Func tiled; the
/// caller schedules the other outputs and reductions. std::nullopt
/// (nothing scheduled) when there is none.
std::optional<std::string> scheduleSeparableMaxPool(
    const std::vector<halidegen::ScheduledFunc> &outputs,
    const std::vector<halidegen::ScheduledReduction> &reductions, bool naive);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_POOLKERNELS_H
