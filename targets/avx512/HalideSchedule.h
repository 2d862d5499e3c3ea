//===- HalideSchedule.h - The avx512 schedule of translated kernels -*- C++ -*-===//
//
// The avx512 target's SchedulePolicy for the Halide kernel translator
// (targets/halide): register-tiled reductions, one 512-bit vector per
// innermost iteration, parallel outermost loops on the runtime's pool.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_HALIDESCHEDULE_H
#define AICC_TARGETS_AVX512_HALIDESCHEDULE_H

#include "targets/halide/SchedulePolicy.h"

namespace aicc::avx512 {

class Avx512SchedulePolicy : public halidegen::SchedulePolicy {
public:
  halidegen::TileHint registerTile(mlir::linalg::GenericOp op) const override;
  std::optional<unsigned> repackedInputDim(mlir::linalg::GenericOp op,
                                           unsigned input) const override;
  bool flattensRepackedPlane(mlir::linalg::GenericOp op,
                             unsigned input) const override;

  /// The fp32 convs PackWeights marked for Winograd (WinogradConv.h); with
  /// `amx`: the 8-bit convs PackWeights laid out for AMX, as an extern
  /// stage (AmxKernels.h).
  Halide::Func externReduction(
      mlir::linalg::GenericOp op, const std::vector<Halide::Func> &inputs,
      const std::vector<std::optional<Halide::ImageParam>> &params,
      const Halide::Func &init) const override;

  /// Materializes `f` at root (or as an output), vectorized along its
  /// innermost dim and parallel over its outermost non-trivial one.
  void scheduleFunc(const halidegen::ScheduledFunc &f, bool isOutput,
                    bool naive) const override;

  /// Outputs and reductions are materialized, vectorized along their
  /// innermost dim by one 512-bit register and parallelized over their
  /// outermost dim on the runtime's thread pool; everything else is
  /// inlined.
  void scheduleKernel(const std::vector<halidegen::ScheduledFunc> &outputs,
                      const std::vector<halidegen::ScheduledReduction> &reductions,
                      bool naive) const override;

  /// Whether the kernels may use AMX-INT8 (AmxKernels.h).
  bool amx = false;
};

/// Schedules the 4-D output `out` (Halide dims w, h, f, n; rows `w` wide)
/// of an extern conv's epilogue (AmxKernels.h, WinogradConv.h) in blocks of
/// `fBlock` channels x `hBlock` rows, parallel over the blocks (and the
/// batch too with `parallelBatch`, else the batch loop is outside), and
/// computes the extern `ext` per block, so the epilogue reads its block
/// while it is in cache.
void tileExternEpilogue(Halide::Func out, Halide::Func ext, int w, int fBlock,
                        int hBlock, bool parallelBatch);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_HALIDESCHEDULE_H
