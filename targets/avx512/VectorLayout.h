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

/// The largest shaped input of a reduction (by static element count; ties
/// go to the later input, the weights of a matmul or conv) and the output's
/// Halide dims (bit k: dim k, 0 = innermost) it is indexed by.
struct LargestInput {
  unsigned input = 0;
  unsigned dims = 0;
};
/// std::nullopt when no input is larger than a cache line or the output map
/// is not a permutation.
std::optional<LargestInput> largestInput(mlir::linalg::GenericOp op);

/// The output's Halide dims (bit k: dim k) that input `input` of `op` is
/// indexed by; 0 when the output map is not a permutation.
unsigned outputDimsOf(mlir::linalg::GenericOp op, unsigned input);

/// A reduction's register tile as the avx512 schedule forms it: `vectors`
/// vectors of `lanes` along Halide dim `vectorDim` (or the whole dim when
/// it is narrower than a vector) times `rows` of dim `unrollDim` (-1: none).
struct RegisterTile {
  int vectorDim = 0;
  int unrollDim = -1;
  int lanes = 16;
  bool vectorize = false;
  int vectors = 1;
  int rows = 1;
  /// A 1x1 conv of stride 1 computed over its flattened H x W plane (an
  /// 8-bit dot product, see DotProduct): the vectors run along the pixels
  /// of `flatRows` whole rows (Halide dims 0 and 1 fused) instead of along
  /// one row, so rows narrower than a vector or not a whole number of
  /// vectors (ResNet-50's 14-, 28- and 56-wide maps) waste no lanes and
  /// store densely. 0: not flattened.
  int flatRows = 0;
  /// Elements of the vector dim in one tile.
  int width(const std::vector<int> &extents) const {
    return vectorize ? vectors * lanes : extents[vectorDim];
  }
};

/// Elements of accumulators a conv's task may keep in memory between
/// blocks of its reduction (with the block's weights and input rows, within
/// L1; HalideSchedule.cpp, blockedReductionFor).
constexpr int64_t kMaxBlockedAccumulators = 8192;

/// The 1x1 convs scheduleChannelPanelTasks (HalideSchedule.cpp) computes as
/// a task per panel of output channels (ResNet-50's expansions): at most
/// this long a reduction, at least this many output channels, and at most
/// this many input bytes, which a task rereads per panel from L2
/// (ResNet-50's 64 x 56 x 56 floats: 0.8 MB). FlattenPointwiseConvs
/// computes those on the flattened map.
constexpr int64_t kMaxPanelTaskReduction = 128;
constexpr int64_t kMinPanelTaskChannels = 256;
constexpr int64_t kMaxPanelTaskInputBytes = 1 << 20;

/// What the tile choice needs to know about a reduction besides its output
/// extents (Halide order, innermost first).
struct TileProblem {
  std::vector<int> extents;
  /// The broadcast dim (see broadcastDim), -1 for none.
  int broadcast = -1;
  int lanes = 16;
  /// Multiply-adds per output element (the reduction loops' trip count).
  int64_t reductionSize = 1;
  /// Reduction loops (a conv's input channels and window: 3; a matmul: 1).
  int reductionLoops = 0;
  /// The largest step of the innermost output loop in an input's index
  /// (a stride-2 conv reads its image with step 2).
  int64_t innerStep = 1;
  /// Whether every input indexed by the broadcast dim is a constant (conv
  /// weights, which PackWeights lays out for vector loads along it).
  bool broadcastInputsConstant = false;
};

/// The register tile: vectors along the innermost dim, or along the
/// broadcast dim when that dim fills vectors and is cheaper (the innermost
/// is narrow or wastes lanes, or its reads are strided) — output stores
/// then scatter, which only pays when each output element takes many
/// multiply-adds; among tiles, the least padding waste with enough
/// accumulators to hide the FMA latency (at most 24 of the 32 registers).
RegisterTile chooseRegisterTile(const TileProblem &problem);

/// The extent a dynamic dim is assumed to have when choosing the register
/// tile of a reduction with a dynamic output (HalideSchedule.cpp's
/// scheduleReductionDynamic, and PackWeights, which packs constant weights
/// in that tile's panels): long enough that the tile's padding waste does
/// not matter.
constexpr int kNominalDynamicExtent = 240;

/// The tile the schedule uses for reduction `op`, from its static output
/// shape; std::nullopt for dynamic or empty outputs.
std::optional<RegisterTile> registerTileFor(mlir::linalg::GenericOp op);

/// For a reduction whose tile vectorizes a dim other than the innermost:
/// the tensor position of that dim in input `input` when the input is
/// indexed by it but does not have it innermost (and so would be read with
/// a large stride unless repacked).
std::optional<unsigned> stridedVectorPosition(mlir::linalg::GenericOp op,
                                              unsigned input);

/// An 8-bit integer dot-product reduction (the narrow integer convolutions
/// and matmuls of passes/lowering/LowerQuantOps.cpp): an i32 accumulator
/// += ext(a) * ext(b) of two 8-bit inputs whose innermost loop is a
/// reduction of 4, the shape of AVX512-VNNI's vpdpbusd (16 lanes of dot
/// products of 4 u8 x s8 pairs; Halide emits it for an atomic vectorized
/// reduction of 4 on avx512_zen4 / avx512_sapphirerapids, and pairs of
/// vpmaddwd on avx512_skylake). The weights are packed at compile time with
/// the output dim they vary with (F, e.g. output channels) and the
/// reduction of 4 innermost ([..][F][4]), the other input is read through a
/// per-call copy with the reduction of 4 innermost. The tile vectorizes
/// either the activations' innermost output dim (a conv's output pixels,
/// read with step 1: 64 contiguous bytes per vector, 4 bytes of weights
/// broadcast per row, dense stores) or F (one 64-byte load of weights per
/// vector, 4 bytes of activations broadcast per row, scattered stores)
/// when the pixels are too few or strided.
///
/// A bf16 dot product has the same form with an f32 accumulator += ext(a)
/// * ext(b) of two bf16 inputs and a reduction of 2: AVX512-BF16's
/// vdpbf16ps (16 lanes of dot products of 2 bf16 pairs), from
/// LowPrecisionKernels.cpp.
struct DotProduct {
  /// The constant input (weights) and the other one (activations).
  unsigned weights = 0;
  unsigned activations = 1;
  /// Loops: the output loop the weights vary with (packed next to the 4)
  /// and the reduction of 4.
  unsigned weightsLoop = 0;
  unsigned dotLoop = 0;
  /// The register tile (vectorDim/unrollDim in Halide dims).
  RegisterTile tile;
};
std::optional<DotProduct> dotProductOf(mlir::linalg::GenericOp op);

} // namespace aicc::avx512

#endif // AICC_TARGETS_AVX512_VECTORLAYOUT_H
