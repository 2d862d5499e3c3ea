//===- SchedulePolicy.h - How a target schedules translated kernels -*- C++ -*-===//
//
// The seam between the target-neutral linalg → Halide translation
// (LinalgToHalide.cpp) and a target's schedules: the translator asks the
// policy which dim of a reduction to unroll in a register tile and which
// inputs to read through a repacked copy, then hands it the Funcs to
// schedule. The avx512 target's policy is targets/avx512/HalideSchedule.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_HALIDE_SCHEDULEPOLICY_H
#define AICC_TARGETS_HALIDE_SCHEDULEPOLICY_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "Halide.h"
#include <optional>
#include <vector>

namespace aicc::halidegen {

/// An extent of ScheduledFunc/ScheduledReduction known only at run time (a
/// kernel over dynamic shapes).
constexpr int kDynamicExtent = -1;

/// Whether `extents` has a dim known only at run time.
inline bool hasDynamicExtent(const std::vector<int> &extents) {
  for (int e : extents)
    if (e == kDynamicExtent)
      return true;
  return false;
}

/// A Func to materialize and its static extents (or kDynamicExtent),
/// innermost first.
struct ScheduledFunc {
  Halide::Func func;
  std::vector<int> extents;
  /// A folded pad (ScheduledReduction::paddedInputs): the padding before
  /// its innermost dim and that dim's extent in the padded source (0 for
  /// other Funcs).
  int innerLowPad = 0;
  int innerSourceExtent = 0;
};

/// How a target wants a reduction's register tiles formed and ordered,
/// decided from the linalg op (its maps, strides and constant operands)
/// before it becomes Halide Funcs.
struct TileHint {
  /// Whether the fields below were decided; a schedule falls back to its
  /// own choice for reductions without a hint.
  bool valid = false;
  /// Halide dim of the output computed in vectors, and of the one unrolled
  /// in a register tile (-1: none).
  int vectorDim = 0;
  int unrollDim = -1;
  /// Lanes of one vector; 0: the vector dim is narrower and not vectorized.
  int lanes = 0;
  /// Vectors along vectorDim and rows along unrollDim in one tile.
  int vectors = 1;
  int rows = 1;
  /// Rows of the output plane (Halide dims 1) one task covers when dims 0
  /// and 1 are fused into one vectorized plane (a 1x1 conv of stride 1 as
  /// an 8-bit dot product); 0: not flattened.
  int flatRows = 0;
  /// Bit k set: the reduction's largest input (its weights, usually) is
  /// indexed by the output's Halide dim k. A schedule keeps the tile loop
  /// of such a dim outside the others so that input's panel is read from
  /// memory once and then reused from cache.
  unsigned largestInputDims = 0;
  /// Whether the innermost reduction var (RDom dim 0) is vectorized too,
  /// atomically, inside the vector lanes: an 8-bit dot product of 4 that
  /// the target turns into one instruction per vector (AVX512-VNNI).
  bool vectorizeReduction = false;
  /// A dynamic contraction whose output's innermost dim strides through
  /// its largest input by whole rows while the reduction is contiguous
  /// (decode attention's Q·Kᵀ over the KV cache state, marked
  /// `aicc.kv_dot` by aicc-fold-kv-cache-transpose): computed as one dot
  /// product of contiguous vectors per output element.
  bool kvDot = false;
};

/// A reduction (a Func with an update over `rdom`) and the pure copy of it
/// that consumers read (undefined for multi-result reductions).
struct ScheduledReduction {
  Halide::Func func;
  Halide::Func result;
  Halide::RDom rdom;
  std::vector<int> extents;
  TileHint tile;
  /// Padded copies of inputs (tensor.pad in the same kernel, the fusion
  /// policy's folded padding) the reduction reads in place: the schedule
  /// computes them per task next to the reduction's tiles instead of
  /// inlining the pad's select into every load.
  std::vector<ScheduledFunc> paddedInputs;
};

class SchedulePolicy {
public:
  virtual ~SchedulePolicy();

  /// How to tile reduction `op`: the Halide dim (0 = innermost tensor dim)
  /// of its output to unroll in a register tile, and which output dims its
  /// largest input is indexed by.
  virtual TileHint registerTile(mlir::linalg::GenericOp op) const = 0;

  /// For input `input` of `op`: the tensor position of a dim the schedule
  /// vectorizes although the input does not have it innermost; the
  /// translator then reads the input through a copy with that dim innermost.
  /// std::nullopt reads the input in place.
  virtual std::optional<unsigned>
  repackedInputDim(mlir::linalg::GenericOp op, unsigned input) const = 0;

  /// Whether the repacked copy of input `input` of `op` (see
  /// repackedInputDim) merges the input's two innermost dims into one
  /// (rows x columns of an image: one run of pixels), so that a schedule
  /// fusing the output's two innermost dims reads it with the fused index
  /// (`x + W * y`, which Halide folds back into the fused var; with the
  /// dims separate it does not, scaled by the repacked dim's stride, and
  /// the loads become gathers). Only static dims.
  virtual bool flattensRepackedPlane(mlir::linalg::GenericOp op,
                                     unsigned input) const {
    return false;
  }

  /// A reduction `op` (one output) the target computes with a routine of
  /// its own (a Halide extern stage, e.g. AMX tile kernels) instead of an
  /// update over an RDom: the Func defining its output, or an undefined
  /// Func to translate it as usual. `inputs` are the Funcs of op's inputs,
  /// `params` the kernel's input buffers they read, where they are one,
  /// `init` the Func of op's init (the value the reduction starts from;
  /// undefined where the translator has none). scheduleKernel then gets it
  /// as a ScheduledReduction whose `func` is the returned Func.
  virtual Halide::Func
  externReduction(mlir::linalg::GenericOp op,
                  const std::vector<Halide::Func> &inputs,
                  const std::vector<std::optional<Halide::ImageParam>> &params,
                  const Halide::Func &init) const {
    return {};
  }

  /// Materializes `f` at root (or as an output) with the target's schedule.
  virtual void scheduleFunc(const ScheduledFunc &f, bool isOutput,
                            bool naive) const = 0;

  /// Schedules a kernel's outputs and reductions; everything else is
  /// inlined. `naive` (-O0) only materializes what must be.
  virtual void
  scheduleKernel(const std::vector<ScheduledFunc> &outputs,
                 const std::vector<ScheduledReduction> &reductions,
                 bool naive) const = 0;
};

} // namespace aicc::halidegen

#endif // AICC_TARGETS_HALIDE_SCHEDULEPOLICY_H
