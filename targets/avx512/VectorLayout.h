//===- VectorLayout.h - Which dims the avx512 schedule vectorizes -*- C++ -*-===//
//
// The avx512 schedule (HalideSchedule.cpp) computes reductions in register
// tiles: a vector along the output's innermost dim times a few rows of a
// "broadcast dim" (a parallel dim that some input is indexed by while not
// depending on the innermost dim: a conv's output channels, a matmul's rows
// of A). When the innermost dim is narrower than a vector the roles swap and
// the broadcast dim is vectorized; inputs indexed by it must then have it
// innermost in memory to be read with vector loads. These queries are shared
// by the kernel translator and the weight-packing pass so both agree.
//
//===----------------------------------------------------------------------===//
#ifndef AICC_TARGETS_AVX512_VECTORLAYOUT_H
#define AICC_TARGETS_AVX512_VECTORLAYOUT_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include <optional>

namespace aicc::avx512 {

/// Lanes of one 512-bit register for elements of `bytes` bytes (16 for
/// fp32, 32 for f16/bf16, 64 for int8; at least 4, so f64 vectors hold 8
/// and 1-byte bools 64). The schedule vectorizes by this many lanes, and
/// the layout queries below use the same count so both agree per type.
int64_t vectorLanesForBytes(int64_t bytes);

/// The Halide dim (0 = innermost tensor dim) of `op`'s output to unroll in
/// a register tile, or -1 if there is none.
int broadcastDim(mlir::linalg::GenericOp op);

/// Bit k set: the largest shaped input of `op` (by static element count;
/// ties go to the later input, the weights of a matmul or conv) is indexed
/// by the output's Halide dim k (0 = innermost). 0 when no input is larger
/// than a cache line's worth or the output map is not a permutation.
unsigned largestInputDims(mlir::linalg::GenericOp op);

/// For a reduction whose schedule vectorizes the broadcast dim: the tensor
/// position of that dim in input `input` when the input is indexed by it but
/// does not have it innermost (and so would be read with a large stride).
std::optional<unsigned> stridedVectorPosition(mlir::linalg::GenericOp op,
                                              unsigned input);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_VECTORLAYOUT_H
