//===- HalideSchedule.cpp - Schedules for translated kernels -------------===//
//
// Materialized Funcs get their innermost dim vectorized by one 512-bit
// register (16 fp32 lanes, 64 int8 lanes) and their outermost non-trivial
// dim parallel.
//
// Reductions (matmul, conv, pooling...) are computed in register tiles, the
// classic Halide matmul schedule: the pure copy consumers read is split into
// tiles of (2 vectors of the innermost dim) × (a few rows of the dim a
// broadcast operand varies with, e.g. output channels of a conv or rows of
// A in a matmul); the reduction is computed per tile with the reduction
// loops outside the fully unrolled tile, so its accumulators live in
// registers and each loaded vector feeds several FMAs.
//
// Kernels over dynamic shapes (extents kDynamicExtent, known at run time)
// have their own schedules below (scheduleFuncDynamic,
// scheduleReductionDynamic): the same vectors and register tiles, with
// GuardWithIf tails wherever an extent is dynamic, and the parallel loop
// over the outermost dim that may be non-trivial.
//
//===----------------------------------------------------------------------===//

#include "targets/avx512/HalideSchedule.h"
#include "targets/avx512/AmxBf16Kernels.h"
#include "targets/avx512/AmxKernels.h"
#include "targets/avx512/PoolKernels.h"
#include "targets/avx512/VectorLayout.h"
#include "targets/avx512/WinogradConv.h"
#include "llvm/ADT/STLExtras.h"
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <tuple>

namespace hl = Halide;

namespace aicc::avx512 {

using halidegen::ScheduledFunc;
using halidegen::ScheduledReduction;

namespace {

/// Stores `f` with its dim `v` innermost in memory (first in Halide's
/// storage order), so each accumulator of a tile along `v` is one contiguous
/// register.
void storeDimFirst(hl::Func f, int v) {
  if (v == 0)
    return;
  std::vector<hl::Var> fvars = f.args();
  std::vector<hl::Var> storage = {fvars[v]};
  for (int k = 0; k < (int)fvars.size(); ++k)
    if (k != v)
      storage.push_back(fvars[k]);
  f.reorder_storage(storage);
}

int lanesFor(const hl::Func &f) {
  return vectorLanesForBytes(f.types()[0].bytes());
}

/// Elements of a Func below which its loop stays serial: a parallel loop
/// over fewer costs more in the thread pool (a fork-join, the output's
/// cache lines written by two cores) than the work it splits.
constexpr int64_t kMinParallelElements = 4096;

/// Tasks a parallel loop over the dims of a Func should have at least, so
/// that 2-4 threads balance (3 channels on 2 threads run 2 tasks on one of
/// them: 67% of the second core used; 16 tasks on 3 threads, 89%).
constexpr int kMinParallelTasks = 16;

/// Guarded when `factor` does not divide `extent` (the last piece is short).
hl::TailStrategy tailFor(int extent, int factor) {
  return extent % factor == 0 ? hl::TailStrategy::Auto
                              : hl::TailStrategy::GuardWithIf;
}

/// Loop `v` of `trips` iterations split into at most `count` chunks of
/// whole iterations: the loop over chunks (named v_chunks), the iterations
/// inside one (v_rows), the chunk size and the number of chunks.
struct ChunkSplit {
  hl::Var chunks, rows;
  int size, count;
};
template <typename StageOrFunc>
ChunkSplit splitIntoChunks(StageOrFunc &stage, const hl::Var &v, int64_t trips,
                           int64_t count) {
  int size = (int)((trips + count - 1) / count);
  ChunkSplit c{hl::Var(v.name() + "_chunks"), hl::Var(v.name() + "_rows"), size,
               (int)((trips + size - 1) / size)};
  stage.split(v, c.chunks, c.rows, size, tailFor((int)trips, size));
  return c;
}

/// Parallelizes the outermost dim with more than one iteration; when it has
/// fewer than kMinParallelTasks iterations, fused with (chunks of) the dims
/// inside it (the innermost, vectorized one excepted) until there are
/// enough. Funcs of fewer than kMinParallelElements elements stay serial.
void parallelizeOutermost(hl::Stage stage, const std::vector<hl::Var> &vars,
                          const std::vector<int> &extents, int lanes) {
  int rank = vars.size();
  int64_t elements = 1;
  for (int e : extents)
    elements *= e;
  if (elements < kMinParallelElements)
    return;
  // Fusing pure dims only: an update's reduction loops may sit between them.
  bool fusable = stage.get_schedule().rvars().empty();
  for (int k = rank - 1; k >= 1; --k) {
    if (extents[k] > 1) {
      hl::Var task = vars[k];
      int64_t tasks = extents[k];
      for (int j = k - 1; fusable && j >= 1 && tasks < kMinParallelTasks;
           --j) {
        hl::Var inner = vars[j];
        int64_t trips = extents[j];
        // Only as many chunks of a long dim as the tasks need.
        int64_t need = (kMinParallelTasks + tasks - 1) / tasks;
        if (trips > 2 * need) {
          ChunkSplit c = splitIntoChunks(stage, vars[j], trips, need);
          inner = c.chunks;
          trips = c.count;
        }
        hl::Var fused(inner.name() + "_" + task.name());
        stage.fuse(inner, task, fused);
        task = fused;
        tasks *= trips;
        if (inner.name() != vars[j].name())
          break; // Chunks: the rows inside them are not fusable.
      }
      // Tasks of fewer than kMinParallelElements elements (the pads before
      // 3x3 convs on small maps: ResNet-50's layer4, 512 planes of 9x9),
      // and any 8-bit Func's: at most kMinParallelTasks tasks of whole
      // iterations, as one such plane is less work than a task costs the
      // thread pool (fp32 layer4 pads: 512 tasks of 81 elements, 0.2 ms a
      // call in the pool's per-task overhead).
      bool smallTasks = lanes == 64 || elements / tasks < kMinParallelElements;
      if (smallTasks && tasks > kMinParallelTasks && task.same_as(vars[k])) {
        task = splitIntoChunks(stage, vars[k], tasks, kMinParallelTasks).chunks;
      }
      stage.parallel(task);
      return;
    }
  }
  if (rank >= 1 && extents[0] >= 16 * lanes) {
    hl::Var outer("po"), inner("pi");
    stage.split(vars[0], outer, inner, 8 * lanes,
                hl::TailStrategy::GuardWithIf);
    stage.parallel(outer);
  }
}

void scheduleStage(hl::Stage stage, const std::vector<hl::Var> &vars,
                   int lanes, const std::vector<int> &extents) {
  if (vars.empty())
    return;
  if (extents[0] >= lanes)
    stage.vectorize(vars[0], lanes,
                    extents[0] % lanes ? hl::TailStrategy::GuardWithIf
                                       : hl::TailStrategy::Auto);
  // A row narrower than a vector but at least half of one (the padded
  // 9-wide rows of a 7x7 map): one vector of exactly that many lanes
  // rather than scalars.
  else if (2 * extents[0] >= lanes)
    stage.vectorize(vars[0], extents[0]);
  parallelizeOutermost(stage, vars, extents, lanes);
}

/// The per-call copy of a dot product's activations with its reduction
/// group innermost: an 8-bit one's 4 ([..][C/4][H][W][4], see DotProduct in
/// VectorLayout.h) or a bf16 one's pair ([..][C/2][H][W][2],
/// LowPrecisionKernels.cpp). The group is narrower than a vector, so
/// scheduleStage would copy it one element at a time (in ResNet-50
/// --precision=bf16 every conv's input, ~11 M elements a run, went through
/// such a scalar loop). Instead the group is unrolled inside vectors of
/// pixels of the (fused) H×W plane, 16 for 8 bits and 32 for bf16: dense
/// loads from the group's channel planes, interleaved by Halide into one
/// (8-bit) or two (bf16) dense 64-byte stores. Returns false (nothing
/// scheduled) for other Funcs.
bool schedulePackedActivations(hl::Func f, const std::vector<hl::Var> &vars,
                               const std::vector<int> &extents) {
  if (f.types().size() != 1 || f.num_update_definitions() != 0 ||
      vars.size() < 3 || vars.size() != extents.size() ||
      f.name().rfind("packed", 0) != 0)
    return false;
  hl::Type type = f.types()[0];
  int group = type.bytes() == 1 ? 4 : type == hl::BFloat(16) ? 2 : 0;
  if (!group || extents[0] != group)
    return false;
  const int lanes = group == 4 ? 16 : 32;
  // A copy whose H x W plane is already one dim (the translator's
  // "packedplane", see SchedulePolicy::flattensRepackedPlane): that dim in
  // vectors, the source read densely at (hw / W, hw % W).
  bool flatPlane = f.name().rfind("packedplane", 0) == 0;
  hl::Var plane = flatPlane ? vars[1] : hl::Var("hw");
  int64_t planeSize =
      flatPlane ? extents[1] : (int64_t)extents[1] * extents[2];
  if (planeSize > std::numeric_limits<int>::max())
    return false;
  // The whole plane, as the tensor has it (a strided conv reads less of
  // it): the fused index then reads the source densely.
  f.bound(vars[0], 0, group);
  // (A flat plane: as much as its conv reads, which rounds its last tile
  // up past the plane by less than one tile of 48 pixels: the copy reads
  // that many bytes past the end of its source, within what a kernel may
  // read, docs/Runtime.md.)
  if (!flatPlane) {
    f.bound(vars[1], 0, extents[1]);
    f.bound(vars[2], 0, extents[2]);
    f.fuse(vars[1], vars[2], plane);
  }
  f.unroll(vars[0]);
  if (planeSize >= lanes)
    f.vectorize(plane, lanes, hl::TailStrategy::ShiftInwards);
  else if (planeSize >= 2)
    f.vectorize(plane, (int)planeSize);
  // Parallel over the outermost dim with more than one iteration (the
  // channel blocks; the fused plane when there is one block), in at most
  // kMinParallelTasks tasks: a block of a small map is a few hundred bytes
  // (ResNet-50's layer4, 512 blocks of 7x7x4), less than a task costs.
  int firstOuter = flatPlane ? 2 : 3;
  std::vector<hl::Var> outer(vars.begin() + firstOuter, vars.end());
  std::vector<int> outerExtents(extents.begin() + firstOuter, extents.end());
  for (int k = (int)outer.size() - 1; k >= 0; --k)
    if (outerExtents[k] > 1) {
      int blocks = outerExtents[k];
      if (blocks > kMinParallelTasks) {
        f.parallel(
            splitIntoChunks(f, outer[k], blocks, kMinParallelTasks).chunks);
      } else {
        f.parallel(outer[k]);
      }
      return true;
    }
  return true;
}

/// A bf16 kernel output whose rows are narrower than half a vector of 32
/// lanes (--precision=bf16's block outputs of ResNet-50 on 14x14 and 7x7
/// maps, the bf16 copy the next conv reads beside the f32 residual):
/// scheduleStage would convert and store them one element at a time
/// (1.5 M elements a run); instead the rows and the dim outside them are
/// fused into one dense plane (the output buffer's bounds and strides are
/// constants, so the fused index stays a ramp) and vectorized across row
/// ends. Returns false (nothing scheduled) for other Funcs.
bool scheduleNarrowBf16Output(hl::Func f, const std::vector<hl::Var> &vars,
                              const std::vector<int> &extents) {
  const int lanes = 32;
  if (f.types().size() != 1 || f.types()[0] != hl::BFloat(16) ||
      f.num_update_definitions() != 0 || vars.size() < 2 ||
      vars.size() != extents.size() || 2 * extents[0] >= lanes ||
      (int64_t)extents[0] * extents[1] < lanes ||
      (int64_t)extents[0] * extents[1] > std::numeric_limits<int>::max())
    return false;
  hl::Var plane(vars[1].name() + "_" + vars[0].name());
  f.fuse(vars[0], vars[1], plane);
  std::vector<hl::Var> fused = {plane};
  std::vector<int> fusedExtents = {extents[0] * extents[1]};
  for (size_t k = 2; k < vars.size(); ++k) {
    fused.push_back(vars[k]);
    fusedExtents.push_back(extents[k]);
  }
  scheduleStage(f, fused, lanes, fusedExtents);
  return true;
}

/// An 8-bit Func (the u8/i8 pad before an int8 3x3 conv) whose rows are
/// 16 to 31 bytes wide (ResNet-50's 30-, 29-, 16- and 15-wide padded rows):
/// scheduleStage would copy them one byte at a time (a 64-lane vector does
/// not fit, nor half of one; rows of 32 to 63 bytes take one vector of
/// exactly the row, which measured faster than 32 lanes and a masked
/// tail: 0.004 vs 0.015 ms for layer1's 58-wide pads). Instead vectors of
/// 16 lanes along the row, the last one guarded (masked loads and
/// stores). One core, aicc-run --profile: layer2's 30-wide pads 0.026 ->
/// 0.015 ms, layer3's 16-wide 0.011 -> 0.002 ms, its stride-2 29-wide
/// 0.046-0.093 -> 0.028 ms. Returns false (nothing scheduled) for other
/// Funcs.
bool scheduleNarrowByteRows(hl::Func f, const std::vector<hl::Var> &vars,
                            const std::vector<int> &extents) {
  const int lanes = 16;
  if (f.types().size() != 1 || f.types()[0].bytes() != 1 ||
      f.num_update_definitions() != 0 || vars.empty() ||
      vars.size() != extents.size() || extents[0] < lanes ||
      extents[0] >= 2 * lanes)
    return false;
  f.vectorize(vars[0], lanes,
              extents[0] % lanes ? hl::TailStrategy::GuardWithIf
                                 : hl::TailStrategy::Auto);
  parallelizeOutermost(f, vars, extents, 64);
  return true;
}

/// Folded pads (ScheduledReduction::paddedInputs) once per call, where a
/// schedule does not compute them per task (inlined, their select would be
/// computed on every load of every window).
void computePaddedInputsAtRoot(const ScheduledReduction &r) {
  for (const ScheduledFunc &p : r.paddedInputs)
    hl::Func(p.func).compute_root();
}

//===----------------------------------------------------------------------===//
// Dynamic extents
//===----------------------------------------------------------------------===//

using halidegen::kDynamicExtent;

bool isDynamic(int extent) { return extent == kDynamicExtent; }

/// Elements per parallel task below which a dynamic outer dim is split into
/// chunks of several rows (a task per row of a [?, 64] tensor would cost
/// more in the thread pool than it computes).
constexpr int kMinTaskElements = 4096;

/// Parallelizes the outermost dim that may have more than one iteration
/// (dynamic, or static > 1), in tasks of at least kMinTaskElements elements
/// when the dims inside it are static.
void parallelizeOutermostDynamic(hl::Stage stage,
                                 const std::vector<hl::Var> &vars,
                                 const std::vector<int> &extents, int lanes) {
  int rank = vars.size();
  for (int k = rank - 1; k >= 1; --k) {
    if (!isDynamic(extents[k]) && extents[k] <= 1)
      continue;
    int64_t inner = 1;
    for (int j = 0; j < k; ++j)
      inner = isDynamic(extents[j]) ? kMinTaskElements : inner * extents[j];
    if (isDynamic(extents[k]) && inner < kMinTaskElements) {
      hl::Var outer("po"), innerVar("pi");
      int rows = (int)((kMinTaskElements + inner - 1) / inner);
      stage.split(vars[k], outer, innerVar, rows,
                  hl::TailStrategy::GuardWithIf);
      stage.parallel(outer);
      return;
    }
    stage.parallel(vars[k]);
    return;
  }
  if (rank >= 1 && (isDynamic(extents[0]) || extents[0] >= 16 * lanes)) {
    hl::Var outer("po"), inner("pi");
    stage.split(vars[0], outer, inner, 8 * lanes,
                hl::TailStrategy::GuardWithIf);
    stage.parallel(outer);
  }
}

/// scheduleStage for a Func with a dynamic extent: the innermost dim in
/// vectors (a guarded tail when its extent is dynamic), the outermost
/// parallel.
void scheduleStageDynamic(hl::Stage stage, const std::vector<hl::Var> &vars,
                          int lanes, const std::vector<int> &extents) {
  if (vars.empty())
    return;
  if (isDynamic(extents[0]) || extents[0] >= lanes)
    stage.vectorize(vars[0], lanes,
                    !isDynamic(extents[0]) && extents[0] % lanes == 0
                        ? hl::TailStrategy::Auto
                        : hl::TailStrategy::GuardWithIf);
  parallelizeOutermostDynamic(stage, vars, extents, lanes);
}

/// scheduleFunc's body for a Func with a dynamic extent.
void scheduleFuncDynamic(const ScheduledFunc &sf) {
  hl::Func f = sf.func;
  std::vector<hl::Var> vars = f.args();
  if (vars.size() != sf.extents.size())
    return;
  int lanes = lanesFor(f);
  scheduleStageDynamic(f, vars, lanes, sf.extents);
  for (int u = 0; u < f.num_update_definitions(); ++u)
    scheduleStageDynamic(f.update(u), vars, lanes, sf.extents);
}

/// scheduleReduction for a reduction with a dynamic output extent. The
/// register tile of the static schedule (vectors along the hint's vector
/// dim, rows of its unrolled dim), tails guarded where the extent is
/// dynamic; the tile loops of the vector and unrolled dims, then the other
/// dims, with the outermost loop that may be non-trivial parallel. The
/// accumulators are computed per tile.
/// Decode attention's Q·Kᵀ over the token-major KV cache state (the
/// contraction aicc-fold-kv-cache-transpose marks `aicc.kv_dot`): the
/// output's innermost dim (the cache position j) steps K by a whole token
/// row, while the reduction (the head dim, static, a multiple of 16) is
/// contiguous in both operands. Vectors along j would load K in scalars
/// (one per lane); instead each output element is a dot product of
/// contiguous vectors: the reduction split by 16, factored (rfactor) into
/// one vector accumulator, summed across its lanes once. Tasks are tiles
/// of 64 positions (64 token rows of the cache, read once from memory).
bool scheduleKvDotDynamic(const ScheduledReduction &r, bool isOutput) {
  hl::Func g = r.result, f = r.func;
  std::vector<hl::Var> vars = g.args();
  int rank = vars.size();
  const int lanes = 16;
  if (rank < 1 || (int)r.extents.size() != rank || r.rdom.dimensions() != 1 ||
      !r.paddedInputs.empty())
    return false;
  std::optional<int64_t> length =
      hl::Internal::as_const_int(r.rdom[0].extent());
  if (!length || *length < lanes || *length % lanes)
    return false;
  if (!isOutput)
    g.compute_root();
  hl::Var jo("jo"), ji("ji");
  g.split(vars[0], jo, ji, 64, hl::TailStrategy::GuardWithIf);
  std::vector<hl::VarOrRVar> order = {ji};
  for (int k = 1; k < rank; ++k)
    order.push_back(vars[k]);
  order.push_back(jo);
  g.reorder(order);
  g.parallel(jo);
  f.compute_at(g, ji);
  hl::RVar ko("ko"), ki("ki");
  hl::Var kv("kv");
  f.update().split(r.rdom[0], ko, ki, lanes);
  hl::Func partial = f.update().rfactor(ki, kv);
  partial.compute_at(f, hl::Var::outermost());
  partial.vectorize(kv);
  partial.update().vectorize(kv);
  f.update().atomic().vectorize(ki);
  return true;
}

/// Reduction streams of a decode GEMV: a decode step reads each weight
/// once, so its matmuls are bound by how fast one core streams the panels
/// in, and a core streams several sequential streams faster than one (its
/// L2 prefetcher runs ahead on each). The reduction (K, static) is split
/// into kGemvStreams parts of K/S steps walked side by side, the part
/// innermost and unrolled: each step reads one row of each part, S
/// cache-line streams through the panel instead of one. Measured with a C
/// model of the kernel (one thread, CPU time, a [768, 50257] panel-packed
/// weight): int8 weights 6-7 GB/s with one stream, 10 GB/s with 4; fp32
/// 9-12 GB/s with one, 12-14 GB/s with 4. (Software prefetch does the same
/// for int8, but Halide's prefetch directive emits prefetchnta, which
/// helps neither.) In the 12-layer gpt2_past with --precision=int8w, one
/// thread, L = 128: 20.0 -> 14.0 CPU ms per decode step; fp32 steps stay
/// within the shared machine's noise (~40 ms, near its read bandwidth).
/// 8 streams measured 2-3% better than 4, within noise. Accumulation order
/// changes (the parts' terms interleave in each accumulator), as any
/// reassociation of a float sum.
constexpr int kGemvStreams = 4;

/// The streams to split a dynamic reduction's K into: kGemvStreams for a
/// matmul-shaped reduction with vectors along a static dim and rows along a
/// dynamic one (a decoder's weight matmuls, whose M = 1 specialization is
/// the GEMV) over one static K of at least 64 steps per stream, else 1.
int gemvStreams(const ScheduledReduction &r, bool vectorize, int u, int v) {
  const std::vector<int> &ext = r.extents;
  if (!vectorize || u < 0 || v < 0 || u >= (int)ext.size() ||
      v >= (int)ext.size() || !isDynamic(ext[u]) || isDynamic(ext[v]) ||
      r.rdom.dimensions() != 1)
    return 1;
  std::optional<int64_t> length =
      hl::Internal::as_const_int(r.rdom[0].extent());
  if (!length || *length % kGemvStreams || *length / kGemvStreams < 64)
    return 1;
  // Only a sum (`f(..) = f(..) + term`), which Halide lets the split RVars
  // be reordered for (it refuses updates it cannot prove associative).
  hl::Func f = r.func;
  if (!f.has_update_definition() || f.num_update_definitions() != 1)
    return 1;
  hl::Tuple values = f.update_values();
  const auto *add = values.size() == 1
                        ? values[0].as<hl::Internal::Add>()
                        : nullptr;
  auto isSelf = [&](const hl::Expr &e) {
    const auto *call = e.as<hl::Internal::Call>();
    return call && call->name == f.name();
  };
  if (!add || !(isSelf(add->a) || isSelf(add->b)))
    return 1;
  return kGemvStreams;
}

void scheduleReductionDynamic(const ScheduledReduction &r, bool isOutput) {
  if (r.tile.kvDot && scheduleKvDotDynamic(r, isOutput))
    return;
  computePaddedInputsAtRoot(r);
  hl::Func g = r.result, f = r.func;
  std::vector<hl::Var> vars = g.args();
  const std::vector<int> &ext = r.extents;
  int rank = vars.size();
  if (!isOutput)
    g.compute_root();
  if (rank == 0 || (int)ext.size() != rank) {
    f.compute_at(g, hl::Var::outermost());
    return;
  }
  int lanes = lanesFor(g);
  int v = 0, u = -1, vectors = 1, rows = 1;
  bool vectorize = isDynamic(ext[0]) || ext[0] >= lanes;
  if (r.tile.valid) {
    v = r.tile.vectorDim;
    u = r.tile.unrollDim;
    vectorize = r.tile.lanes > 0;
    if (r.tile.lanes)
      lanes = r.tile.lanes;
    vectors = r.tile.vectors;
    rows = r.tile.rows;
  } else {
    // No hint (registerTileFor decides from static shapes): the tile of a
    // problem whose dynamic dims are long.
    TileProblem problem;
    for (int e : ext)
      problem.extents.push_back(isDynamic(e) ? kNominalDynamicExtent : e);
    problem.lanes = lanes;
    // Rows of the next dim in the tile (a matmul's rows of A).
    problem.broadcast = rank >= 2 ? 1 : -1;
    RegisterTile tile = chooseRegisterTile(problem);
    v = tile.vectorDim;
    u = tile.unrollDim;
    vectorize = tile.vectorize;
    lanes = tile.lanes;
    vectors = tile.vectors;
    rows = tile.rows;
  }
  if (v < 0 || v >= rank || u >= rank || u == v) {
    v = 0;
    u = -1;
  }
  // A static vector dim narrower than the tile: one vector of exactly its
  // width (as in the static schedule).
  // A dynamic vector dim: one vector by at most 4 rows. Its guarded tail
  // unrolled over the tile takes Halide long to compile: 12 s for 3 x 8 on
  // a [2, ?, ?] attention-scores kernel, 2.8 s for 2 x 4, 1.8 s for 1 x 4.
  if (isDynamic(ext[v])) {
    vectors = 1;
    rows = std::min(rows, 4);
  }
  int tileV = vectorize ? lanes * vectors : 1;
  int accLanes = lanes;
  if (vectorize && !isDynamic(ext[v]) && ext[v] < tileV) {
    vectors = std::max(1, ext[v] / lanes);
    tileV = ext[v] < lanes ? ext[v] : lanes * vectors;
    accLanes = std::min(lanes, tileV);
  }
  int tileU = u >= 0 ? rows : 1;
  if (u >= 0 && !isDynamic(ext[u]) && ext[u] < tileU)
    tileU = std::max(1, ext[u]);
  auto tail = [&](int extent, int factor) {
    return !isDynamic(extent) && extent % factor == 0
               ? hl::TailStrategy::Auto
               : hl::TailStrategy::GuardWithIf;
  };
  hl::Var vo("vo"), vi("vi"), uo("uo"), ui("ui");
  // As in the static schedule: when the largest input (the weights) is
  // indexed by only one of the two tiled dims, that dim's tile loop goes
  // outside the other dims, so each weight panel is reused from cache.
  unsigned weights = r.tile.largestInputDims;
  auto indexes = [&](int dim) { return dim >= 0 && (weights >> dim) & 1; };
  bool weightsOuterV = u >= 0 && indexes(v) && !indexes(u);
  bool weightsOuterU = u >= 0 && indexes(u) && !indexes(v);
  bool outerAfterRest = weightsOuterU || weightsOuterV;
  auto several = [&](int extent, int tileSize) {
    return isDynamic(extent) || extent > tileSize;
  };
  // The tile loops of `stage` with `rows` rows of the unrolled dim per
  // tile; returns the loops innermost first and whether each may run more
  // than once.
  auto scheduleTiles = [&](hl::Stage stage, int rows) {
    stage.split(vars[v], vo, vi, tileV, tail(ext[v], tileV));
    if (u >= 0)
      stage.split(vars[u], uo, ui, rows, tail(ext[u], rows));
    std::vector<std::pair<hl::Var, bool>> loops;
    std::pair<hl::Var, bool> vTiles = {vo, several(ext[v], tileV)};
    std::pair<hl::Var, bool> uTiles = {uo,
                                       u >= 0 && several(ext[u], rows)};
    auto inner = weightsOuterV ? uTiles : vTiles;
    auto outer = weightsOuterV ? vTiles : uTiles;
    loops.push_back({vi, false});
    if (u >= 0)
      loops.push_back({ui, false});
    loops.push_back(inner);
    if (u >= 0 && !outerAfterRest)
      loops.push_back(outer);
    for (int k = 0; k < rank; ++k)
      if (k != u && k != v && !(outerAfterRest && indexes(k)))
        loops.push_back({vars[k], several(ext[k], 1)});
    if (u >= 0 && outerAfterRest)
      loops.push_back(outer);
    for (int k = 0; k < rank; ++k)
      if (k != u && k != v && outerAfterRest && indexes(k))
        loops.push_back({vars[k], several(ext[k], 1)});
    std::vector<hl::VarOrRVar> order;
    for (auto &l : loops)
      order.push_back(l.first);
    stage.reorder(order);
    if (vectorize)
      stage.vectorize(vi, std::min(lanes, tileV));
    if (u >= 0)
      stage.unroll(ui);
    size_t first = u >= 0 ? 2 : 1;
    for (size_t k = loops.size(); k-- > first;)
      if (loops[k].second) {
        stage.parallel(loops[k].first);
        break;
      }
    return loops;
  };
  // A decode step (one row: M = 1 of a matmul compiled for a dynamic M)
  // is a GEMV: a specialization with one row per tile, so the tile is its
  // vectors alone, with no guarded rows around them (with the general
  // tile's rows, each step of the reduction tested whether each of the
  // rows exists and kept the accumulators in memory). Each task streams
  // its panel of weights (PackWeights lays a panel out contiguously) once.
  // The same for decode attention's probabilities x V (one query row, the
  // reduction over the cache).
  if (isOutput && u >= 0 && vectorize && isDynamic(ext[u]) &&
      !isDynamic(ext[v]) && tileU > 1)
    scheduleTiles(g.specialize(g.output_buffer().dim(u).extent() == 1), 1);
  std::vector<std::pair<hl::Var, bool>> loops = scheduleTiles(g, tileU);
  size_t firstOuter = u >= 0 ? 2 : 1;
  // The accumulators per tile, at the loop just outside it.
  f.compute_at(g, loops[firstOuter].first);
  std::vector<hl::Var> fvars = f.args();
  int fRank = fvars.size();
  storeDimFirst(f, v);
  // A dynamic vector dim may be narrower than a vector: its last vector is
  // guarded (shifting it inwards would read before the start).
  hl::TailStrategy accTail = isDynamic(ext[v]) ? hl::TailStrategy::GuardWithIf
                                               : hl::TailStrategy::Auto;
  if (vectorize)
    f.vectorize(fvars[v], accLanes, accTail);
  if (u >= 0)
    f.unroll(fvars[u]);
  std::vector<hl::VarOrRVar> updateOrder = {fvars[v]};
  if (u >= 0)
    updateOrder.push_back(fvars[u]);
  for (int d = 0; d < r.rdom.dimensions(); ++d)
    updateOrder.push_back(r.rdom[d]);
  for (int k = 0; k < fRank; ++k)
    if (k != u && k != v)
      updateOrder.push_back(fvars[k]);
  hl::Stage update = f.update();
  int streams = gemvStreams(r, vectorize, u, v);
  hl::RVar ks("ks"), kk("kk");
  if (streams > 1) {
    int length = *hl::Internal::as_const_int(r.rdom[0].extent());
    update.split(r.rdom[0], ks, kk, length / streams);
    auto at = llvm::find_if(updateOrder, [&](const hl::VarOrRVar &x) {
      return x.name() == r.rdom[0].name();
    });
    *at = kk;
    updateOrder.insert(at, ks);
  }
  update.reorder(updateOrder);
  if (streams > 1)
    update.unroll(ks);
  // A static vector dim that ends in a partial vector: rounding the
  // update's last vector up would read the inputs past their end (the last
  // row of an unpacked [K, N] weight matrix, N = 100: 12 floats past it).
  // Its loads are predicated instead (masked AVX-512 loads).
  hl::TailStrategy updateTail = accTail;
  if (!isDynamic(ext[v]) && ext[v] % accLanes)
    updateTail = hl::TailStrategy::PredicateLoads;
  if (vectorize) {
    update.vectorize(fvars[v], accLanes, updateTail);
    if (tileV > accLanes)
      update.unroll(fvars[v]);
  }
  if (u >= 0)
    update.unroll(fvars[u]);
}

} // namespace

halidegen::TileHint
Avx512SchedulePolicy::registerTile(mlir::linalg::GenericOp op) const {
  halidegen::TileHint hint;
  // Decode attention's Q·Kᵀ over the KV cache state (scheduleKvDotDynamic).
  if (op->hasAttr("aicc.kv_dot")) {
    auto type =
        llvm::dyn_cast<mlir::RankedTensorType>(op.getResult(0).getType());
    hint.kvDot = type && !type.hasStaticShape();
  }
  std::optional<LargestInput> largest = largestInput(op);
  hint.largestInputDims = largest ? largest->dims : 0u;
  if (std::optional<RegisterTile> tile = registerTileFor(op)) {
    hint.valid = true;
    hint.vectorDim = tile->vectorDim;
    hint.unrollDim = tile->unrollDim;
    hint.lanes = tile->vectorize ? tile->lanes : 0;
    hint.vectors = tile->vectors;
    hint.rows = tile->rows;
    hint.flatRows = tile->flatRows;
    hint.vectorizeReduction = dotProductOf(op).has_value();
  }
  // A pooling over a folded pad (max pools other than PoolKernels.cpp's,
  // average pools): tiles of one vector along the rows x 8 channels, like
  // a depthwise conv's, rather than several rows of one channel. The tile
  // loop of the unrolled dim goes outermost (see scheduleReduction), so a
  // task pads its own channels' planes (in a sliding window of rows,
  // slidingPadRows) where tiles along the output rows made each task pad
  // all 64 channels' rows of its window (374 KB for a 3x3 stride-2 pool on
  // 112x112, through L2). Alone, one thread (aicc-run --profile): that max
  // pool 0.144 -> 0.100 ms (2 vectors x 8 channels 0.107, 1 x 16 0.109,
  // 4 x 8 0.127), the average pool 0.138-0.141 -> 0.100 ms.
  if (hint.valid && hint.lanes == 16 && isPaddedNchwPooling(op)) {
    hint.vectorDim = 0;
    hint.unrollDim = 2;
    hint.vectors = 1;
    hint.rows = 8;
  }
  return hint;
}

std::optional<unsigned>
Avx512SchedulePolicy::repackedInputDim(mlir::linalg::GenericOp op,
                                       unsigned input) const {
  return stridedVectorPosition(op, input);
}

bool Avx512SchedulePolicy::flattensRepackedPlane(mlir::linalg::GenericOp op,
                                                 unsigned input) const {
  std::optional<DotProduct> dot = dotProductOf(op);
  return dot && dot->tile.flatRows > 0 && input == dot->activations;
}

Halide::Func Avx512SchedulePolicy::externReduction(
    mlir::linalg::GenericOp op, const std::vector<Halide::Func> &inputs,
    const std::vector<std::optional<Halide::ImageParam>> &params,
    const Halide::Func &init) const {
  if (Halide::Func wino = defineWinogradConv(op, inputs, params, init);
      wino.defined())
    return wino;
  if (Halide::Func pool = defineSeparableMaxPool(op, inputs, params);
      pool.defined())
    return pool;
  if (!amx)
    return Halide::Func();
  Halide::Func conv = defineAmxConv(op, inputs, params);
  return conv.defined() ? conv : defineAmxBf16(op, inputs, params);
}

void Avx512SchedulePolicy::scheduleFunc(const ScheduledFunc &sf,
                                        bool isOutput, bool naive) const {
  hl::Func f = sf.func;
  if (!isOutput)
    f.compute_root();
  if (naive)
    return;
  if (halidegen::hasDynamicExtent(sf.extents))
    return scheduleFuncDynamic(sf);
  std::vector<hl::Var> vars = f.args();
  if (vars.size() != sf.extents.size())
    return;
  if (!isOutput && schedulePackedActivations(f, vars, sf.extents))
    return;
  if (isOutput && scheduleNarrowBf16Output(f, vars, sf.extents))
    return;
  if (isOutput && scheduleNarrowByteRows(f, vars, sf.extents))
    return;
  int lanes = lanesFor(f);
  scheduleStage(f, vars, lanes, sf.extents);
  for (int u = 0; u < f.num_update_definitions(); ++u)
    scheduleStage(f.update(u), vars, lanes, sf.extents);
}

namespace {

/// A conv's accumulators per parallel task, its input-channel loop in
/// blocks (see blockedReductionFor).
struct ReductionBlock {
  /// The RDom dim split into blocks and the block size.
  int dim = -1;
  int block = 1;
};

// kMaxBlockedAccumulators (VectorLayout.h): the accumulators a task may
// keep in memory between blocks of its reduction.

// kMaxPanelTaskReduction, kMinPanelTaskChannels, kMaxPanelTaskInputBytes
// (VectorLayout.h): the convs scheduleChannelPanelTasks takes.

/// scheduleNarrowRowsTransposed's limits: the reduction per tile (longer
/// ones amortize the scattered epilogue; shorter ones, MobileNetV2's expand
/// convs 64 -> 384 on 14x14, keep their schedule, not measured here) and
/// the accumulators of a task.
constexpr int64_t kMinNarrowRowsReduction = 256;
constexpr int64_t kMaxNarrowRowsReduction = 512;
constexpr int64_t kMaxNarrowRowsAccumulators = 10000;

/// Whether `f` holds one f32 value per point, computed by a reduction of
/// `r` that reads no folded padding: the fp32 conv schedules below.
bool isPlainF32Reduction(const ScheduledReduction &r, const hl::Func &f) {
  return f.types().size() == 1 && f.types()[0] == hl::Float(32) &&
         r.rdom.dimensions() > 0 && r.paddedInputs.empty();
}

/// Whether a convolution's reduction runs in blocks of input channels:
/// instead of streaming all of a tile's weights (a 3x3 conv's 64 x 9 x 64
/// floats, 147 KB) from L2 for every register tile, a task (a row of
/// output pixels) keeps its accumulators in memory (at most
/// kMaxBlockedAccumulators floats) and walks its tiles once per block of
/// input channels, whose weights and input rows stay in L1: the classic
/// oneDNN / MLAS loop order. Only fp32 convolutions (a reduction over at
/// least the input channels and one more dim, or a 1x1 conv's channels
/// alone when long) whose task holds several tiles. `maxBlockSteps`, if
/// set, bounds the reduction steps of one block (input channels times the
/// window).
std::optional<ReductionBlock>
blockedReductionFor(const ScheduledReduction &r, const hl::Func &f,
                    int64_t taskElements, int64_t tileElements,
                    int64_t maxBlockSteps = 0) {
  if (!isPlainF32Reduction(r, f))
    return std::nullopt;
  if (taskElements > kMaxBlockedAccumulators ||
      taskElements < 2 * tileElements)
    return std::nullopt;
  // The longest reduction dim (a conv's input channels) is blocked; the
  // other dims (the window) run inside a block.
  int dim = -1;
  int64_t longest = 0, others = 1;
  std::vector<int64_t> extents;
  for (int d = 0; d < r.rdom.dimensions(); ++d) {
    std::optional<int64_t> e = hl::Internal::as_const_int(r.rdom[d].extent());
    if (!e)
      return std::nullopt;
    extents.push_back(*e);
    if (*e > longest) {
      longest = *e;
      dim = d;
    }
  }
  for (int d = 0; d < (int)extents.size(); ++d)
    if (d != dim)
      others *= extents[d];
  // The blocked dim is the outermost reduction loop (the RVars keep their
  // order).
  if (dim != r.rdom.dimensions() - 1)
    return std::nullopt;
  // Matmuls (one reduction dim) keep their schedule; so do convs whose
  // reduction is short (MobileNetV2's 1x1 convs of 144 or 192 channels:
  // no gain measured).
  if (r.rdom.dimensions() < 3 || longest * others < 256)
    return std::nullopt;
  // Block: about 128 multiply-adds per accumulator (64 channels of a 1x1
  // conv, 8 of a 3x3: 16 KB of weights per 64 output channels), a divisor
  // of the channels (no tail), at least 4 channels.
  int64_t want = std::max<int64_t>(4, 128 / others);
  if (maxBlockSteps > 0)
    want = std::max<int64_t>(4, std::min(want, maxBlockSteps / others));
  int block = 0;
  for (int64_t b = std::min(want, longest / 2); b >= 4; --b)
    if (longest % b == 0) {
      block = b;
      break;
    }
  if (!block)
    return std::nullopt;
  return ReductionBlock{dim, block};
}

/// The input buffers a stage reads, through the Funcs inlined into it:
/// loads from kernel arguments (ImageParams) with their parameters.
std::vector<hl::Parameter> paramsReadBy(const std::vector<hl::Expr> &values) {
  struct Finder : hl::Internal::IRVisitor {
    using hl::Internal::IRVisitor::visit;
    std::vector<hl::Parameter> params;
    std::set<std::string> seen;
    void visit(const hl::Internal::Call *c) override {
      if (c->call_type == hl::Internal::Call::Image && c->param.defined() &&
          seen.insert(c->param.name()).second)
        params.push_back(c->param);
      // Pure Funcs (inlined into the stage) read their inputs in place.
      if (c->call_type == hl::Internal::Call::Halide && c->func.defined()) {
        hl::Internal::Function fn(c->func);
        if (!fn.has_update_definition() && seen.insert(fn.name()).second)
          for (const hl::Expr &v : fn.values())
            v.accept(this);
      }
      hl::Internal::IRVisitor::visit(c);
    }
  } finder;
  for (const hl::Expr &v : values)
    v.accept(&finder);
  return finder.params;
}

/// The packed weights a blocked conv reads (PackWeights' panels
/// [C/T][..][T] of the tile's T = `tileV` output channels, the reduction's
/// dims in between) prefetched one block of its reduction ahead: at each
/// step of the innermost reduction loop, the same step of the next block.
/// Used where each task is one weight panel, which the call then reads once
/// (a conv on a map narrower than a vector, vectors along its channels).
/// A task's panel is one contiguous stream, but a block's weights (8 input
/// channels x 9 taps x 48 channels of a 3x3 conv, 13.8 KB) are read from
/// memory by the block's first row of register tiles, as fast as its FMAs
/// consume them (192 bytes per 21 FMAs, several times what a core draws
/// from DRAM), and from L1 by the other rows: the core waits at each block.
/// ResNet-50's layer4 reads 60 MB of weights per run (more than the L3) this
/// way. The prefetched block is in L1 by the time the next block starts.
/// Layer4-shaped chains of 8 convs with distinct weights (2 threads, Zen 5):
/// 3x3 512 -> 512 on 7x7 354 -> 450 GFLOP/s, 1x1 2048 -> 512 361 -> 407,
/// 512 -> 2048 350 -> 409 (ONNX Runtime 373, 421, 375).
void prefetchNextWeightBlock(const ScheduledReduction &r, hl::Stage update,
                             const hl::Parameter &panels,
                             const ReductionBlock &block,
                             const hl::RVar &blockInner) {
  int dims = r.rdom.dimensions();
  // The loop the prefetch is issued in and offset from: the innermost
  // reduction loop with more than one step (a 3x3 conv's kx, a 1x1 conv's
  // input channels in the block). The dims inside it have one step, so one
  // of its steps is one step of T weights in the panel, and a block is
  // `blockSteps` of them.
  std::optional<hl::VarOrRVar> loop;
  int64_t blockSteps = block.block;
  for (int d = 0; d < dims; ++d) {
    if (d == block.dim)
      continue;
    int64_t e = *hl::Internal::as_const_int(r.rdom[d].extent());
    blockSteps *= e;
    if (!loop && e > 1)
      loop = r.rdom[d];
  }
  if (!loop)
    loop = blockInner;
  update.prefetch(panels, *loop, *loop, (int)blockSteps,
                  hl::PrefetchBoundStrategy::NonFaulting);
}

/// The weights of `f`'s update in PackWeights' panels of `tileV` output
/// channels, [C/T][..][T] with the dims of `r`'s reduction in between in
/// its order (T innermost in Halide's order, then the RDom's dims, then the
/// panel), which prefetchNextWeightBlock addresses; none when the weights
/// are laid out otherwise (one panel of all channels) or the reduction's
/// extents are not constants.
std::optional<hl::Parameter> weightPanelsOf(const ScheduledReduction &r,
                                            const hl::Func &f, int tileV) {
  int dims = r.rdom.dimensions();
  std::vector<int64_t> extents;
  for (int d = 0; d < dims; ++d) {
    std::optional<int64_t> e = hl::Internal::as_const_int(r.rdom[d].extent());
    if (!e)
      return std::nullopt;
    extents.push_back(*e);
  }
  for (const hl::Parameter &p : paramsReadBy(f.update_values().as_vector())) {
    if (p.type() != hl::Float(32) || p.dimensions() != dims + 2)
      continue;
    auto extentOf = [&](int k) {
      return hl::Internal::as_const_int(p.extent_constraint(k));
    };
    bool panels = extentOf(0) == std::optional<int64_t>(tileV);
    for (int d = 0; d < dims && panels; ++d)
      panels = extentOf(d + 1) == std::optional<int64_t>(extents[d]);
    if (panels)
      return p;
  }
  return std::nullopt;
}

/// The most bytes of weights in one block of a reduction whose next block
/// is prefetched (prefetchNextWeightBlock): the block being computed, the
/// next one and the input rows stay in L1 (48 KB on Zen 5 and Sapphire
/// Rapids). A 1x1 conv 2048 -> 512 on 7x7 in blocks of 128 input channels
/// (24 KB for 48 output channels) ran 0.467 ms on one thread, in blocks of
/// 64 (12 KB) 0.430, of 32 0.448; 3x3 convs keep their blocks of 8 input
/// channels (18 KB for 64 output channels: in blocks of 4, eight 3x3 convs
/// 256 -> 256 on 14x14 took 8.5-8.9 instead of 8.3-8.4 ms).
constexpr int64_t kMaxPrefetchedBlockBytes = 20 * 1024;

/// The accumulators of a task computed at `task` (the parallel loop) and
/// the reduction in blocks (see blockedReductionFor): per block of the
/// blocked dim, the register tiles of the task in the order g walks them,
/// each the same tile as scheduleReduction's (`vTilesInner`: g's tile loop
/// of the vector dim is inside that of the unrolled dim).
void scheduleBlockedAccumulators(const ScheduledReduction &r, hl::Func g,
                                 hl::Func f, hl::Var task,
                                 const RegisterTile &tile,
                                 const std::vector<int> &ext, int tileV,
                                 int tileU, bool vTilesInner,
                                 ReductionBlock block,
                                 std::optional<hl::Parameter> prefetched =
                                     std::nullopt) {
  int v = tile.vectorDim, u = tile.unrollDim, lanes = tile.lanes;
  f.compute_at(g, task);
  std::vector<hl::Var> fvars = f.args();
  int fRank = fvars.size();
  storeDimFirst(f, v);
  // Along the innermost dim, whole tiles (the last one reads past the end
  // of its row, as scheduleReduction's tiles do). Along another dim (output
  // channels, e.g. 512 in panels of 48), whole vectors and a guarded last
  // tile of fewer vectors: rounding up to a tile would read the bias past
  // its end.
  bool wholeTiles = v == 0 || ext[v] % tileV == 0;
  int align = wholeTiles ? tileV : lanes;
  if (ext[v] % align)
    f.align_bounds(fvars[v], align);
  f.vectorize(fvars[v], lanes);
  hl::Stage update = f.update();
  hl::Var fvo("fvo"), fvi("fvi"), fuo("fuo"), fui("fui"), fvv("fvv");
  if (wholeTiles) {
    update.split(fvars[v], fvo, fvi, tileV);
  } else {
    // fvi: one vector; fvv: the tile's vectors (guarded: Halide partitions
    // the tile loop into whole tiles and the last one).
    hl::Var vectorsOf("fvs");
    update.split(fvars[v], vectorsOf, fvi, lanes);
    update.split(vectorsOf, fvo, fvv, tileV / lanes,
                 hl::TailStrategy::GuardWithIf);
  }
  if (u >= 0)
    update.split(fvars[u], fuo, fui, tileU, tailFor(ext[u], tileU));
  hl::RVar rco("rco"), rci("rci");
  update.split(r.rdom[block.dim], rco, rci, block.block);
  std::vector<hl::VarOrRVar> order = {fvi};
  if (!wholeTiles)
    order.push_back(fvv);
  if (u >= 0)
    order.push_back(fui);
  for (int d = 0; d < r.rdom.dimensions(); ++d)
    if (d != block.dim)
      order.push_back(r.rdom[d]);
  order.push_back(rci);
  if (u >= 0 && !vTilesInner)
    order.push_back(fuo);
  order.push_back(fvo);
  if (u >= 0 && vTilesInner)
    order.push_back(fuo);
  for (int k = 0; k < fRank; ++k)
    if (k != u && k != v)
      order.push_back(fvars[k]);
  order.push_back(rco);
  update.reorder(order);
  if (wholeTiles) {
    update.vectorize(fvi, lanes);
    if (tileV > lanes)
      update.unroll(fvi);
  } else {
    update.vectorize(fvi);
    update.unroll(fvv);
  }
  if (u >= 0)
    update.unroll(fui);
  if (prefetched)
    prefetchNextWeightBlock(r, update, *prefetched, block, rci);
}

/// A blocked conv (see blockedReductionFor) whose register tiles hold
/// vectors along a dim other than the output's innermost (output channels
/// x rows of pixels, an NCHW conv on a map at least a vector wide): each
/// task (the dims other than those two, e.g. a row of pixels) computes the
/// accumulators of all its pixels and channels, then stores its output in
/// vectors along the innermost dim, gathering from the accumulators,
/// instead of one 16-lane scatter per accumulator (the same loop nest for a
/// 3x3 conv 64 -> 64 on 56x56 in Halide's Python bindings: 126 -> 135
/// GFLOP/s on one core; in aicc within the noise of the loaded machine it
/// was measured on). False when it does not apply.
bool scheduleTransposedBlocked(const ScheduledReduction &r, hl::Func g,
                               hl::Func f, const std::vector<int> &ext,
                               const RegisterTile &tile, int tileV,
                               int tileU) {
  int v = tile.vectorDim, u = tile.unrollDim, lanes = tile.lanes;
  int rank = ext.size();
  if (!tile.vectorize || v == 0 || u != 0 || ext[0] < lanes ||
      ext[v] < lanes || !r.paddedInputs.empty())
    return false;
  std::vector<hl::Var> vars = g.args();
  // The task: the other dims with more than one element, fused.
  std::vector<int> taskDims;
  int64_t tasks = 1;
  for (int k = 1; k < rank; ++k)
    if (k != v && ext[k] > 1) {
      taskDims.push_back(k);
      tasks *= ext[k];
    }
  if (tasks < 2)
    return false;
  int64_t taskElements = (int64_t)ext[0] * ext[v];
  std::optional<ReductionBlock> block =
      blockedReductionFor(r, f, taskElements, (int64_t)tileV * tileU);
  if (!block)
    return false;
  hl::Var xo("xo"), xi("xi");
  g.split(vars[0], xo, xi, lanes,
          ext[0] % lanes ? hl::TailStrategy::ShiftInwards
                         : hl::TailStrategy::Auto);
  std::vector<hl::VarOrRVar> order = {xi, xo, vars[v]};
  for (int k = 1; k < rank; ++k)
    if (k != v && ext[k] <= 1)
      order.push_back(vars[k]);
  for (int k : taskDims)
    order.push_back(vars[k]);
  g.reorder(order);
  g.vectorize(xi);
  hl::Var task = vars[taskDims.front()];
  for (size_t i = 1; i < taskDims.size(); ++i) {
    hl::Var next("tf" + std::to_string(i));
    g.fuse(task, vars[taskDims[i]], next);
    task = next;
  }
  g.parallel(task);
  scheduleBlockedAccumulators(r, g, f, task, tile, ext, tileV, tileU,
                              /*vTilesInner=*/true, *block);
  return true;
}

/// The number of steps of `r`'s reduction (the product of its extents);
/// nullopt when an extent is not a constant.
std::optional<int64_t> constantReductionSize(const ScheduledReduction &r) {
  int64_t size = 1;
  for (int d = 0; d < r.rdom.dimensions(); ++d) {
    std::optional<int64_t> e = hl::Internal::as_const_int(r.rdom[d].extent());
    if (!e)
      return std::nullopt;
    size *= *e;
  }
  return size;
}

/// Reductions of at most this many steps keep their accumulator tile in
/// registers from its initial value to its store (see
/// registerAccumulators).
constexpr int64_t kMaxRegisterAccumulatorSteps = 32;
/// On maps of at most kSmallMapPixels pixels (7x7), reductions of up to
/// this many steps do too (see registerAccumulators).
constexpr int64_t kSmallMapPixels = 49;
constexpr int64_t kMaxSmallMapRegisterAccumulatorSteps = 320;

/// Whether the accumulator tile of `r` (reduction Func `f`, a sum) is
/// unrolled along its vectors as well as its rows, in its initial value,
/// its update and the copy into the result, so that every access to the
/// tile has a constant index and LLVM keeps the whole tile in registers.
/// With a loop over the tile's vectors in the initial value and the copy
/// (the default), the tile lives in a stack buffer: per accumulator one
/// store of the initial value, a load before the reduction, a store after
/// it and a load and store to copy it into the result (LLVM splits that
/// copy into 256-bit halves). Against a reduction of 16 to 32 steps that
/// is a third of the work: MobileNetV2's expand convs fused with their
/// depthwise convs (16 -> 96 on 112x112, 24 -> 144 on 56x56: 16 and 24
/// steps) and its stem (3x3x3 = 27 steps). Alone, one thread: the 112x112
/// expand -> stride-2 depthwise kernel 0.374 -> 0.310 ms, 56x56 stride 2
/// 0.179 -> 0.162 ms. On 7x7 maps, where a task's tiles are few, up to 320
/// steps: MobileNetV2's 160 -> 960 expand convs 0.073-0.084 -> 0.064-0.073
/// ms each and its 320 -> 1280 conv 0.172-0.179 -> 0.165-0.167 (one
/// thread, in the model; its 960-step convs measured the same either way).
/// Longer reductions keep the loops: over ResNet-50's convs (64 steps and
/// more on 14x14 to 56x56 maps, 512 and more on 7x7) the unrolled tiles
/// measured 2-5% slower inside the model (though not alone), so they keep
/// the default.
bool registerAccumulators(const ScheduledReduction &r, const hl::Func &f) {
  if (f.outputs() != 1 || f.types().front() != hl::Float(32) ||
      f.num_update_definitions() != 1)
    return false;
  std::optional<int64_t> steps = constantReductionSize(r);
  bool smallMap = r.extents.size() >= 2 &&
                  (int64_t)r.extents[0] * r.extents[1] <= kSmallMapPixels;
  if (!steps || *steps > (smallMap ? kMaxSmallMapRegisterAccumulatorSteps
                                   : kMaxRegisterAccumulatorSteps))
    return false;
  // A sum (a conv's multiply-adds), not a max (pooling).
  return f.update_value().as<hl::Internal::Add>() != nullptr;
}

/// A 1x1 conv with a short reduction (at most 128 input channels) and many
/// output channels on a large map, tiled with vectors along the rows and
/// rows of output channels (ResNet-50's expansions 64 -> 256 on 56x56 and
/// 128 -> 512 on 28x28, with the residual add and ReLU). The default
/// schedule's task is a row of pixels for all channels: its tiles then
/// store into (and read the residual from) every output plane in turn, 256
/// interleaved streams that the hardware prefetchers cannot follow, so each
/// store and residual load waits on memory. Here a task is one panel of
/// output channels for the whole map: its tiles walk its planes in order
/// (tileU streams), while the input (at most 128 planes, 0.4-0.8 MB) is
/// reread from L2 per panel. False when it does not apply.
bool scheduleChannelPanelTasks(const ScheduledReduction &r, hl::Func g,
                               hl::Func f, const std::vector<int> &ext,
                               const RegisterTile &tile, int tileV,
                               int tileU) {
  int v = tile.vectorDim, u = tile.unrollDim, lanes = tile.lanes;
  int rank = ext.size();
  if (!tile.vectorize || rank != 4 || v != 0 || u != 2 ||
      !isPlainF32Reduction(r, f))
    return false;
  std::optional<int64_t> reductionSize = constantReductionSize(r);
  if (!reductionSize)
    return false;
  int64_t reduction = *reductionSize;
  int panels = (ext[u] + tileU - 1) / tileU;
  // At least 256 output planes (interleaved streams, see above); with 64
  // (64 -> 64 on 56x56) the row tasks measured faster (0.21 vs 0.25 ms).
  int64_t plane = (int64_t)ext[0] * ext[1];
  if (reduction > kMaxPanelTaskReduction || ext[u] < kMinPanelTaskChannels ||
      panels < 8 ||
      plane < 512 || 4 * reduction * plane > kMaxPanelTaskInputBytes)
    return false;
  std::vector<hl::Var> vars = g.args();
  hl::Var vo("vo"), vi("vi"), uo("uo"), ui("ui");
  g.split(vars[v], vo, vi, tileV, tailFor(ext[v], tileV));
  g.split(vars[u], uo, ui, tileU, tailFor(ext[u], tileU));
  g.reorder(vi, ui, vo, vars[1], uo, vars[3]);
  g.vectorize(vi, lanes);
  g.unroll(ui);
  hl::Var task = uo;
  if (ext[3] > 1) {
    hl::Var panelBatch("panel_batch");
    g.fuse(uo, vars[3], panelBatch);
    task = panelBatch;
  }
  g.parallel(task);
  // The accumulators per tile, as scheduleReduction's default.
  f.compute_at(g, vo);
  std::vector<hl::Var> fvars = f.args();
  f.vectorize(fvars[v], lanes);
  f.unroll(fvars[u]);
  std::vector<hl::VarOrRVar> order = {fvars[v], fvars[u]};
  for (int d = 0; d < r.rdom.dimensions(); ++d)
    order.push_back(r.rdom[d]);
  for (int k = 0; k < (int)fvars.size(); ++k)
    if (k != u && k != v)
      order.push_back(fvars[k]);
  hl::Stage update = f.update();
  update.reorder(order);
  update.vectorize(fvars[v], lanes);
  if (tile.vectors > 1)
    update.unroll(fvars[v]);
  update.unroll(fvars[u]);
  return true;
}

/// A conv with a short reduction on rows narrower than a vector but at
/// least half one (ResNet-50's layer3 1x1 convs, 256 -> 1024 on 14x14 with
/// the residual add and ReLU), tiled with vectors of output channels and
/// rows of pixels. The default schedule stores each accumulator with a
/// 16-lane scatter into the output planes and gathers the residual the same
/// way: with 256 reduction steps per tile that epilogue is a large share of
/// the kernel. Here a task (one panel of output channels, as the default's)
/// keeps its whole map of accumulators (14x14x48, 37 KB) and applies the
/// epilogue along the rows in half vectors (the second shifted inwards):
/// dense residual loads and output stores, 8-lane gathers from L1. False
/// when it does not apply.
bool scheduleNarrowRowsTransposed(const ScheduledReduction &r, hl::Func g,
                                  hl::Func f, const std::vector<int> &ext,
                                  const RegisterTile &tile, int tileV,
                                  int tileU) {
  int v = tile.vectorDim, u = tile.unrollDim, lanes = tile.lanes;
  if (!tile.vectorize || ext.size() != 4 || v != 2 || u != 0 ||
      ext[0] >= lanes || 2 * ext[0] < lanes || ext[3] != 1 || ext[v] < 256 ||
      !isPlainF32Reduction(r, f))
    return false;
  std::optional<int64_t> reductionSize = constantReductionSize(r);
  if (!reductionSize)
    return false;
  int64_t reduction = *reductionSize;
  if (reduction < kMinNarrowRowsReduction ||
      reduction > kMaxNarrowRowsReduction ||
      (int64_t)ext[0] * ext[1] * tileV > kMaxNarrowRowsAccumulators)
    return false;
  std::vector<hl::Var> vars = g.args();
  hl::Var co("co"), ci("ci");
  g.split(vars[v], co, ci, tileV, tailFor(ext[v], tileV));
  g.reorder(vars[0], ci, vars[1], co, vars[3]);
  g.vectorize(vars[0], lanes / 2, hl::TailStrategy::ShiftInwards);
  g.parallel(co);
  f.compute_at(g, co);
  storeDimFirst(f, v);
  std::vector<hl::Var> fvars = f.args();
  f.vectorize(fvars[v], lanes);
  hl::Stage update = f.update();
  hl::Var fuo("fuo"), fui("fui");
  update.split(fvars[u], fuo, fui, tileU, tailFor(ext[u], tileU));
  std::vector<hl::VarOrRVar> order = {fvars[v], fui};
  for (int d = 0; d < r.rdom.dimensions(); ++d)
    order.push_back(r.rdom[d]);
  order.push_back(fuo);
  order.push_back(fvars[1]);
  order.push_back(fvars[3]);
  update.reorder(order);
  update.vectorize(fvars[v], lanes);
  if (tileV > lanes)
    update.unroll(fvars[v]);
  update.unroll(fui);
  return true;
}

/// An 8-bit 1x1 conv of stride 1 over its flattened plane (see
/// RegisterTile::flatRows in VectorLayout.h): output dims 0 and 1 (x, y) of
/// `flatRows` whole rows fused into one run of pixels, contiguous in the
/// activations' per-call copy ([C/4][H][W][4]: 16 pixels x 4 channels are
/// 64 bytes), in the output and in the epilogue's other inputs (a residual).
/// A task is the tile's rows of output channels (one panel of PackWeights'
/// weights) x `flatRows` rows (the whole plane: see flatPlaneTile); its
/// accumulators stay in a buffer of the task (at most 128 KB, in L2) filled
/// tile by tile (`vectors` vectors of the run x the channels,
/// in registers during the reduction), then the epilogue runs along the run
/// in whole vectors (the last shifted inwards): dense loads and stores.
/// Halide folds the fused index (p % W + (p / W) * W) back into p, so the
/// loads stay dense. False (nothing scheduled) when it does not apply.
bool scheduleFlatPlaneDot(const ScheduledReduction &r, hl::Func g, hl::Func f,
                          const std::vector<int> &ext) {
  const halidegen::TileHint &t = r.tile;
  int rank = ext.size(), u = t.unrollDim, rows = t.flatRows;
  const int lanes = 16;
  if (!t.valid || rows <= 0 || t.vectorDim != 0 || t.lanes != lanes ||
      u < 2 || u >= rank || r.rdom.dimensions() < 1 ||
      !r.paddedInputs.empty() || ext[1] % rows || ext[u] % t.rows ||
      (int64_t)ext[0] * rows < (int64_t)lanes * t.vectors ||
      (int)g.args().size() != rank || (int)f.args().size() != rank)
    return false;
  int width = ext[0], channels = t.rows, vectors = t.vectors;
  std::vector<hl::Var> vars = g.args();
  hl::Var yo("yo"), yi("yi"), p("p"), po("po"), pi("pi"), co("co"), ci("ci");
  g.split(vars[1], yo, yi, rows)
      .fuse(vars[0], yi, p)
      .split(p, po, pi, lanes, hl::TailStrategy::ShiftInwards)
      .split(vars[u], co, ci, channels);
  std::vector<hl::VarOrRVar> order = {pi, po, ci, yo, co};
  for (int k = 2; k < rank; ++k)
    if (k != u)
      order.push_back(vars[k]);
  g.reorder(order);
  g.vectorize(pi);
  // The tasks: row blocks inside channel panels (a panel's weights reread
  // from cache by its row blocks), then the other dims.
  hl::Var task("flat_task");
  g.fuse(yo, co, task);
  for (int k = 2; k < rank; ++k)
    if (k != u && ext[k] > 1) {
      hl::Var next(task.name() + "_" + vars[k].name());
      g.fuse(task, vars[k], next);
      task = next;
    }
  g.parallel(task);
  // The task's accumulators, x innermost (the run contiguous).
  f.compute_at(g, task);
  std::vector<hl::Var> fv = f.args();
  // Whole rows; the run rounded up to whole tiles, its last tile computing
  // a few pixels past the task's rows (the next rows, or past the plane:
  // the activations' copy is then that much longer, see
  // schedulePackedActivations) that the epilogue never reads. (An update
  // cannot shift its last tile inwards, which would add twice; a guarded
  // tile is computed in scalars.)
  f.bound(fv[0], 0, width).bound_extent(fv[u], channels);
  for (int k = 2; k < rank; ++k)
    if (k != u)
      f.bound_extent(fv[k], 1);
  hl::Var fp("fp");
  f.fuse(fv[0], fv[1], fp).vectorize(fp, lanes, hl::TailStrategy::RoundUp);
  hl::Stage update = f.update();
  hl::Var fq("fq"), fqo("fqo"), fqi("fqi"), fqv("fqv"), fql("fql");
  update.fuse(fv[0], fv[1], fq)
      .split(fq, fqo, fqi, lanes * vectors, hl::TailStrategy::RoundUp)
      .split(fqi, fqv, fql, lanes);
  std::vector<hl::VarOrRVar> updateOrder = {r.rdom[0], fql, fqv, fv[u]};
  for (int d = 1; d < r.rdom.dimensions(); ++d)
    updateOrder.push_back(r.rdom[d]);
  updateOrder.push_back(fqo);
  for (int k = 2; k < rank; ++k)
    if (k != u)
      updateOrder.push_back(fv[k]);
  update.reorder(updateOrder);
  update.atomic().vectorize(r.rdom[0]);
  update.vectorize(fql);
  if (vectors > 1)
    update.unroll(fqv);
  update.unroll(fv[u]);
  return true;
}

/// The accumulators of a reduction with folded padding (a depthwise conv,
/// pooling) along a dim of `extent` elements, lanes/2 < extent < lanes (the
/// 14-wide rows of MobileNetV2's blocks 8-14): one full vector, its extra
/// lanes computed from the pad (a buffer of the task, which bounds
/// inference widens; its reads outside the source are zeros) and never
/// stored. A vector of 14 lanes is split by LLVM into pieces of 8, 4 and 2
/// lanes, each accumulator then taking three registers and three FMAs per
/// tap: 0.083 -> 0.066 ms for MobileNetV2's 384-channel depthwise conv on
/// 14x14. Rows narrower than half a vector but wider than a quarter of one
/// (7-wide rows) take half vectors the same way (`lanes` is then 8): a
/// 7-lane vector is loaded from the pad in pieces of 4, 2 and 1 put
/// together with shuffles, three shuffles per FMA on the port the FMAs
/// need; 8 lanes, the pad's rows growing from 9 to 10 elements, load in one
/// instruction: 0.077 -> 0.043 ms for MobileNetV2's 960-channel depthwise
/// conv on 7x7 in a 160 -> 960 -> 160 block alone (one thread; inside the
/// whole model, on a loaded machine, the three such kernels measured the
/// same either way, 0.25-0.30 ms).
std::pair<int, hl::TailStrategy> paddedRowAccumulators(int extent, int lanes) {
  (void)extent;
  return {lanes, hl::TailStrategy::RoundUp};
}

/// Whether `r` (extents `ext`, register tile `tile`) reads a folded pad
/// (a depthwise conv or pooling) in tiles of one vector along rows
/// narrower than a vector, with channels (Halide dim 2 or further out)
/// unrolled: what pairedRowsTile and wholeRowsTileChannels retile.
bool isNarrowRowPaddedTile(const ScheduledReduction &r,
                           const std::vector<int> &ext,
                           const RegisterTile &tile) {
  int u = tile.unrollDim;
  return !r.paddedInputs.empty() && tile.vectorize && tile.vectorDim == 0 &&
         !r.tile.vectorizeReduction && u >= 2 && ext.size() >= 3 &&
         (size_t)u < ext.size() && ext[0] < tile.lanes;
}

/// Output rows per register tile of depthwise conv (or pooling) `r`,
/// which reads a folded pad, on rows narrower than a vector (one vector per
/// row, `tile.rows` channels unrolled): 2 where its rows pair up, else 1.
/// Each channel's accumulators then cover two output rows: every broadcast
/// weight serves two FMAs, and the 4 pad rows of the pair's 3x3 window are
/// loaded once for both (12 loads instead of 18), 1.2 loads per FMA
/// instead of 2, the loads being what bounds a depthwise conv.
int pairedRowsTile(const ScheduledReduction &r, const std::vector<int> &ext,
                   const RegisterTile &tile) {
  if (!isNarrowRowPaddedTile(r, ext, tile) || ext[1] < 4 || ext[1] % 2 != 0 ||
      tile.rows < 4 || tile.rows % 2 != 0)
    return 1;
  return 2;
}

/// Channels per register tile of depthwise conv (or pooling) `r`, which
/// reads a folded pad, on maps of an odd 3 to 7 rows narrower than a vector
/// (MobileNetV2's 7x7 blocks), where the rows do not pair up
/// (pairedRowsTile): the tile then covers all the map's rows (one vector
/// each) of as many of its `tile.rows` channels as 21 accumulators hold (3
/// channels of 7 rows), so each tap's broadcast weight serves every row and
/// the pad rows are loaded once per tap for all of them: 1.14 loads per FMA
/// instead of 2 (one row of 24 channels, each FMA with its own weight).
/// The task keeps its `tile.rows` channels (in tiles of the result, run in
/// turn; times producerPanelTiles' panels where an expand conv is fused in,
/// so the producer's tiling is unchanged). MobileNetV2's 960-channel
/// depthwise conv on 7x7 alone, one thread: 0.0257 -> 0.019-0.020 ms (28
/// accumulators, 4 channels, measured the same); its 96 -> 576 -> 160 block
/// with the fused stride-2 depthwise conv 14x14 -> 7x7: 0.122-0.124 ->
/// 0.117-0.118 ms. 0 where it does not apply.
int wholeRowsTileChannels(const ScheduledReduction &r,
                          const std::vector<int> &ext,
                          const RegisterTile &tile) {
  int u = tile.unrollDim;
  if (!isNarrowRowPaddedTile(r, ext, tile) || ext[1] < 3 || ext[1] > 7 ||
      ext[1] % 2 == 0 || tile.rows < 2)
    return 0;
  for (int c = 21 / ext[1]; c >= 1; --c)
    if (tile.rows % c == 0 && ext[u] % tile.rows == 0)
      return c < tile.rows ? c : 0;
  return 0;
}

/// Where a producer of r's folded pad (an expand conv before a depthwise
/// conv) is computed per task: at each row of the pad, for the task's
/// channels, when r has one padded input of rank 3 or more whose channels
/// are dim `channelDim` (r's unrolled dim, the tasks' channels) and rows dim
/// 1. The pad's loops then run rows outside channels, and the producer's
/// accumulators of one row (all the task's channels) go from L1 into the
/// pad, instead of the task's whole expanded planes being written to a
/// buffer in L2 and copied into the pad.
std::optional<std::pair<hl::Func, hl::Var>>
producerPerPadRow(const ScheduledReduction &r, int channelDim) {
  if (r.paddedInputs.size() != 1 || channelDim < 2)
    return std::nullopt;
  hl::Func pad = r.paddedInputs.front().func;
  std::vector<hl::Var> padVars = pad.args();
  if ((int)padVars.size() <= channelDim)
    return std::nullopt;
  std::vector<hl::VarOrRVar> order;
  order.push_back(padVars[0]);
  order.push_back(padVars[channelDim]);
  for (int k = 1; k < (int)padVars.size(); ++k)
    if (k != channelDim)
      order.push_back(padVars[k]);
  pad.reorder(order);
  return std::make_pair(pad, padVars[1]);
}

/// The tile of a reduction reading a folded pad (a depthwise conv) along
/// rows a whole number of vectors wide that its tile's vectors do not
/// divide (a 112-wide row in tiles of 2 vectors: the last tile half empty,
/// and the pad each task fills widened from 114 to 130 elements): one
/// vector per tile instead, and up to 16 channels unrolled; rows of at
/// most 7 vectors, the whole row (below). Each FMA of a
/// depthwise conv loads its own pad vector, so the FMA latency that more
/// accumulators would hide is not what bounds it. MobileNetV2's 32-channel
/// depthwise conv on 112x112: 0.40 -> 0.25 ms (one thread); on 56- and
/// 28-wide rows (no whole vectors either way) one-vector tiles measured
/// slower.
void fitPaddedRowTile(RegisterTile &tile, const std::vector<int> &ext) {
  int u = tile.unrollDim;
  if (!tile.vectorize || tile.vectorDim != 0 || u < 0 ||
      (size_t)u >= ext.size() || ext[0] % tile.lanes != 0 ||
      ext[0] % (tile.lanes * tile.vectors) == 0)
    return;
  int channels = ext[u], best = 1;
  double bestEfficiency = -1;
  for (int rows = 1; rows <= std::min(channels, 16); ++rows) {
    int tiles = (channels + rows - 1) / rows;
    double efficiency = double(channels) / double(tiles * rows);
    if (efficiency >= bestEfficiency - 1e-9) {
      best = rows;
      bestEfficiency = efficiency;
    }
  }
  tile.vectors = 1;
  tile.rows = best;
  // Rows of at most 7 vectors: the whole row per tile and as many channels
  // as 28 accumulators hold. Each tap's broadcast weight then serves the
  // row's vectors (one load per FMA and a 1/7th) instead of one vector
  // (two loads per FMA). MobileNetV2's 32-channel depthwise conv on
  // 112x112 alone, one thread: 0.121 ms (1 vector x 16 channels) -> 0.099
  // (7 x 2) -> 0.086 (7 x 4).
  int rowVectors = ext[0] / tile.lanes;
  if (rowVectors > 1 && rowVectors <= 7) {
    int rows = 0;
    for (int r = 28 / rowVectors; r >= 1 && !rows; --r)
      if (channels % r == 0)
        rows = r;
    tile.vectors = rowVectors;
    tile.rows = std::max(rows, 1);
  }
}

/// A producer of a folded pad (an expand conv before a depthwise conv) on
/// rows narrower than a vector but more than half of one (MobileNetV2's
/// 14x14 blocks), whose own tile runs its vectors along the channels (the
/// tile PackWeights packed its weights for): retiled for a task of the
/// depthwise conv, one vector along its rows (rounded up, see
/// scheduleReduction) times the task's channels unrolled along
/// `channelDim`, so each task computes only its own channels, row by row
/// into the pad. The packed weights are then read as broadcasts, one per
/// channel and input channel, which any panel layout serves.
bool retileNarrowRowProducer(ScheduledReduction &p, int channelDim) {
  halidegen::TileHint &t = p.tile;
  if (!t.valid || t.lanes <= 0 || t.vectorDim != channelDim ||
      channelDim <= 0 || (size_t)channelDim >= p.extents.size() ||
      t.vectorizeReduction)
    return false;
  int w = p.extents[0];
  if (w >= t.lanes || 2 * w <= t.lanes)
    return false;
  t.vectorDim = 0;
  t.unrollDim = channelDim;
  t.vectors = 1;
  t.rows = std::min(p.extents[channelDim], 24);
  t.largestInputDims = 1u << channelDim;
  return true;
}

/// A producer of a folded pad (an expand conv before a depthwise conv) on
/// rows narrower than a vector but more than half of one (MobileNetV2's
/// 14x14 blocks) or wider than one vector but narrower than two (its 28x28
/// blocks), computed per task of the depthwise conv over the task's
/// whole planes, its rows and columns fused into one dense plane (14 x 14 =
/// 196 pixels in 13 vectors, the last rounded up: its extra lanes read the
/// next plane, or at most 60 bytes past the end of the input, which
/// kernels may read, and are never read back) and tiled in 2 vectors of
/// that plane x `rows` channels. Computed per row of the pad instead
/// (retileNarrowRowProducer), each row is one vector of 16 lanes for 14
/// pixels (14 vectors a plane), and each of its 24 FMAs per reduction step
/// takes its own broadcast weight: one load per FMA. Measured with a C
/// model of the two inner loops on Zen 5 (one thread, 96 steps, data in
/// L1): 1 vector x 24 channels 214-224 GFLOP/s, 2 vectors x 12 channels
/// 234-248. MobileNetV2's blocks alone, one thread, the expand ->
/// depthwise kernel: 96 -> 576 -> 96 on 14x14 149 -> 141-143 us, with the
/// stride-2 depthwise conv 138-142 -> 134-136 us, 64 -> 384 -> 64 74-75 ->
/// 72 us; 32 -> 192 -> 32 on 28x28 (rows in 2 vectors, the second a
/// quarter empty, and per row the 24 accumulators through memory around a
/// reduction of only 32 steps) 0.152-0.155 -> 0.141-0.143 ms for the whole
/// block. The pad's rows are built from the planes as before. Only for
/// tasks of whole planes: where tasks split the rows, a task's plane starts
/// at a row Halide does not know, and the fused index no longer simplifies
/// to a ramp (each vector a gather). False (nothing scheduled) when it does
/// not apply.
bool scheduleFlatPlaneProducer(const ScheduledReduction &p, hl::Func g,
                               hl::Var task, int channelDim, int channels,
                               bool unrollChannelTiles) {
  const halidegen::TileHint &t = p.tile;
  hl::Func f = p.func;
  std::vector<hl::Var> fv = f.args();
  int lanes = lanesFor(f);
  if (!t.valid || t.lanes <= 0 || t.vectorizeReduction || lanes != 16 ||
      f.outputs() != 1 || f.types().front() != hl::Float(32) ||
      f.num_update_definitions() != 1 || halidegen::hasDynamicExtent(p.extents) ||
      p.extents.size() != fv.size() || fv.size() < 3 || channelDim < 2 ||
      (size_t)channelDim >= fv.size() ||
      p.rdom.dimensions() == 0 || channels <= 0)
    return false;
  int w = p.extents[0];
  // Rows of more than one vector but less than two (28-wide: 49 vectors a
  // plane instead of 56), whose producer PackWeights tiled along them.
  bool wide = t.vectorDim == 0 && t.unrollDim == channelDim && w > lanes &&
              w < 2 * lanes;
  bool narrow = t.vectorDim == channelDim && w < lanes && 2 * w > lanes;
  if (!wide && !narrow)
    return false;
  int rows = 0;
  for (int d = 12; d >= 1 && !rows; --d)
    if (channels % d == 0)
      rows = d;
  if (rows < 6)
    return false;
  f.compute_at(g, task);
  hl::Var xy("xy"), xyo("xyo"), xyi("xyi"), xyl("xyl"), co("co"), ci("ci");
  f.fuse(fv[0], fv[1], xy).vectorize(xy, lanes, hl::TailStrategy::RoundUp);
  hl::Stage update = f.update();
  // The plane in whole vectors (the last rounded up), in pairs of vectors
  // with a guarded last pair: 13 vectors for 196 pixels, not 14.
  update.fuse(fv[0], fv[1], xy)
      .split(xy, xy, xyl, lanes, hl::TailStrategy::RoundUp)
      .split(xy, xyo, xyi, 2, hl::TailStrategy::GuardWithIf)
      .fuse(xyl, xyi, xyi)
      .split(fv[channelDim], co, ci, rows, hl::TailStrategy::RoundUp);
  std::vector<hl::VarOrRVar> order{xyi, ci};
  for (int d = 0; d < p.rdom.dimensions(); ++d)
    order.push_back(p.rdom[d]);
  order.push_back(xyo);
  order.push_back(co);
  for (int k = 2; k < (int)fv.size(); ++k)
    if (k != channelDim)
      order.push_back(fv[k]);
  update.reorder(order).vectorize(xyi, lanes).unroll(xyi).unroll(ci);
  // Tasks of whole weight panels (producerPanelTiles): the channel tiles
  // unrolled, so each one's offset in the panel is a constant.
  if (unrollChannelTiles)
    update.unroll(co);
  return true;
}

/// Per-task pad buffers from this size on are computed in a sliding window
/// (see slidingPadRows).
constexpr int64_t kSlidingPadMinBytes = 64 * 1024;

/// Whether the folded pad of depthwise conv (or pooling) `r` is computed
/// row by row in a sliding window (stored per task, computed at the task's
/// loop over output rows: Halide then computes each pad row once, only the
/// rows the next output row adds, into a buffer folded to a few rows)
/// instead of whole planes per task. A task of `channels` channels over
/// `rows` output rows would otherwise write its padded planes (and the
/// expand conv computed into them, see producerPerPadRow) to a buffer that
/// leaves L1, then read them back for the window: on MobileNetV2's 112x112
/// block (16 -> 96 expand, stride-2 depthwise, 6 channels per task) the
/// buffer is 350 KB per task, with the 800 KB input read by every task it
/// no longer fits a 1 MiB L2 (Zen 5; Sapphire Rapids' 2 MiB holds both).
/// Small planes keep whole-plane pads (a sliding window costs a few
/// branches per output row and recomputes nothing either way): below 64 KB
/// per task, about L1 (48 KB on Zen 5 and Sapphire Rapids) plus what
/// streams through it.
bool slidingPadRows(const ScheduledReduction &r, int channels, int rows) {
  if (r.paddedInputs.size() != 1 || rows < 8 || r.extents.size() < 3 ||
      r.extents[1] <= 0)
    return false;
  const std::vector<int> &pe = r.paddedInputs.front().extents;
  if (pe.size() < 3)
    return false;
  // The pad rows of a task's `rows` output rows (of r.extents[1]).
  int64_t padRows = int64_t(pe[1]) * rows / r.extents[1];
  return int64_t(pe[0]) * padRows * channels * 4 >= kSlidingPadMinBytes;
}

/// Whether the rows of folded pad `p` are computed in vectors aligned to
/// its source's rows (the pad's loop over a row starts innerLowPad elements
/// before a multiple of the vector: one vector of zeros and the left pad,
/// then the source row in dense loads and stores, its last vector selecting
/// the right pad) rather than from the pad's first element. From the
/// first, every vector reads the source one element off its row (the left
/// pad), which Halide loads as a vector one lane short (the first of a
/// buffer's rows may not be read before its start) and LLVM assembles from
/// pieces of 8, 4, 2 and 1 lanes with shuffles: ~25 instructions per row
/// of a 28-wide source. MobileNetV2's 192-channel depthwise conv on 28x28
/// alone, one thread: 58 -> 51 us; fused with its expand conv 114 -> 103
/// us. Only for sources at least a vector wide: a 14-wide row would take
/// three vectors instead of two.
bool alignPadRowsToSource(const halidegen::ScheduledFunc &p, int lanes) {
  return p.innerLowPad > 0 && p.innerLowPad < lanes &&
         p.innerSourceExtent >= lanes && !p.extents.empty() &&
         p.extents[0] >= lanes;
}

/// How many of depthwise conv r's channel tiles (of `tileU` channels) one
/// task takes so that the task's channels are whole weight panels of its
/// producer: an expand conv on rows narrower than a vector, retiled per task
/// (retileNarrowRowProducer), whose weights PackWeights laid out in panels
/// of its own tile's width P along the channels. With tasks of tileU < P
/// channels the producer's weight index is (task * tileU + c) mod P, which
/// Halide does not simplify: each of its 24 unrolled channels then reads
/// its broadcast weight through a pointer of its own, 13 of them spilled
/// and reloaded every reduction step (MobileNetV2's 14x14 blocks, P = 48,
/// tileU = 24: the expand loop at ~72% of the FMA peak). Tasks of P
/// channels index c mod P with c < P: one base pointer.
int producerPanelTiles(const ScheduledReduction &r,
                       const std::vector<ScheduledReduction> &producers,
                       int u, int tileU) {
  if (producers.size() != 1 || r.paddedInputs.size() != 1 || u < 0 ||
      tileU <= 0 || (size_t)u >= r.extents.size())
    return 1;
  const ScheduledReduction &p = producers.front();
  const halidegen::TileHint &t = p.tile;
  if (!t.valid || t.lanes <= 0 || t.vectorDim != u || t.vectorizeReduction ||
      p.extents.size() <= (size_t)u || p.extents[u] != r.extents[u])
    return 1;
  int w = p.extents[0];
  if (w >= t.lanes || 2 * w <= t.lanes)
    return 1;
  int panel = t.vectors * t.lanes;
  if (panel <= tileU || panel % tileU != 0 || r.extents[u] % panel != 0 ||
      r.extents[u] / panel < 4)
    return 1;
  return panel / tileU;
}

/// A matmul's weights streamed from memory: PackWeights' panels [N/T][K][T]
/// of the register tile's T columns, each panel read by the R row tiles of
/// its task in turn (the panel loop outside the row tiles). The first row
/// tile of a panel reads it from DRAM at the rate of 24 FMAs per 192 bytes,
/// far above what a core draws from memory, and waits; the other R - 1 read
/// it from L2. So while row tile t of panel p runs, it prefetches rows
/// [t q, (t + 1) q) of panel p + 1, q = ceil(K / R) (at reduction step k,
/// row t q + k / R, addressed K rows past the same row of panel p: panels
/// are contiguous, and x86 prefetches never fault, past the end of the
/// buffer neither), and LinalgToHalide's IssueRepeatedPrefetchesOnce issues
/// each such row once, every R steps (3 prefetch instructions per 16 steps
/// of 24 FMAs for BERT's matmuls). `rowTileLoop` is the loop of the row tiles,
/// which the reduction is computed in. One thread, CPU time, six 768 ->
/// 3072 -> 768 feed-forward blocks with distinct weights (113 MB): 30.3 ->
/// 29.0 ms; GPT-2's 768 x 50257 LM head on 128 rows alone: 45.3 -> 41.2 ms.
/// Prefetching every panel row at every step instead (the same row of
/// panel p + 1 in each row tile) made the blocks 6% slower: as slow as the
/// prefetch instructions alone, pointed at the current panel.
void prefetchNextWeightPanel(const ScheduledReduction &r, hl::Func f, int tileV,
                             int rowTiles, const std::string &rowTileLoop) {
  if (r.rdom.dimensions() != 1 || rowTiles < 2)
    return;
  std::optional<int64_t> k = hl::Internal::as_const_int(r.rdom[0].extent());
  if (!k || *k < 64)
    return;
  for (const hl::Parameter &p : paramsReadBy(f.update_values().as_vector())) {
    if (p.dimensions() != 3 || p.type() != hl::Float(32))
      continue;
    std::optional<int64_t> lanes =
        hl::Internal::as_const_int(p.extent_constraint(0));
    std::optional<int64_t> rows =
        hl::Internal::as_const_int(p.extent_constraint(1));
    std::optional<int64_t> panels =
        hl::Internal::as_const_int(p.extent_constraint(2));
    if (!lanes || !rows || !panels || *lanes != tileV || *rows != *k ||
        *panels < 2)
      continue;
    // The loops by their lowered names (prefetch offsets are in terms of
    // the loops around the prefetch).
    hl::Var tile(rowTileLoop);
    hl::Var step(f.name() + ".s1." + r.rdom[0].name());
    // (The row depends on k only through k / R, which the lowering pass
    // recognizes.)
    int rowsPerTile = (int)((*k + rowTiles - 1) / rowTiles);
    hl::Expr offset = (int)*k + tile * rowsPerTile + step / rowTiles - step;
    f.update().prefetch(p, r.rdom[0], r.rdom[0], offset,
                        hl::PrefetchBoundStrategy::NonFaulting);
    return;
  }
}

/// A conv on a small map (at most 7x7) whose tasks are (weight panel, row)
/// pairs, a panel's `rows` tasks consecutive (task = row + rows * panel,
/// `task` the fused parallel loop): the first task of a panel reads it
/// from DRAM where the weights of a whole network do not stay in the L3
/// (MobileNetV2's 7x7 convs, 0.6-1.6 MB each: in the model 30% slower
/// than alone), at a rate far above what a core draws from memory. As in
/// prefetchNextWeightPanel, each task prefetches its share of the next
/// panel (rows [t q, (t + 1) q) of it for row t, q = ceil(K / rows)),
/// spread over its reduction steps. Only where the map has at most 49
/// pixels, the reduction at most 960 steps and the output at most 1280
/// channels (not ResNet-50's 7x7 convs, 512 to 4608 steps into 512 or 2048
/// channels, whose schedules are tuned apart). Each task issues one
/// 192-byte row of prefetches every `rows` steps (LinalgToHalide's
/// IssueRepeatedPrefetchesOnce). A chain of 30 such convs (960 <-> 320, 36
/// MB of weights, one thread): median 0.146 -> 0.127 ms per conv (0.115
/// with the weights in cache). MobileNetV2 in the model, one thread:
/// 960 -> 320 0.137-0.162 -> 0.121-0.125 ms, 960 -> 160 0.073-0.088 ->
/// 0.068-0.071, 576 -> 160 0.045-0.054 -> 0.042-0.044; 320 -> 1280 the same.
void prefetchNextPanelAcrossRows(const ScheduledReduction &r, hl::Func f,
                                 const std::vector<int> &ext, int v,
                                 int tileV, int rows, hl::Var task) {
  if (rows < 2 || ext.size() < 3 || (int64_t)ext[0] * ext[1] > 49 ||
      ext[v] > 1280)
    return;
  // The one reduction dim longer than 1 (a 1x1 conv's input channels).
  int dim = -1;
  for (int d = 0; d < r.rdom.dimensions(); ++d) {
    std::optional<int64_t> e = hl::Internal::as_const_int(r.rdom[d].extent());
    if (!e)
      return;
    if (*e == 1)
      continue;
    if (dim >= 0)
      return;
    dim = d;
  }
  if (dim < 0)
    return;
  std::optional<int64_t> k = hl::Internal::as_const_int(r.rdom[dim].extent());
  if (!k || *k < 64 || *k > 960)
    return;
  // PackWeights' panels: [panels][K][1...][tileV], innermost first.
  for (const hl::Parameter &p : paramsReadBy(f.update_values().as_vector())) {
    int d = p.dimensions();
    if (d < 3 || p.type() != hl::Float(32))
      continue;
    std::vector<std::optional<int64_t>> e;
    for (int i = 0; i < d; ++i)
      e.push_back(hl::Internal::as_const_int(p.extent_constraint(i)));
    bool panelsOf = e[0] && *e[0] == tileV && e[d - 2] && *e[d - 2] == *k &&
                    e[d - 1] && *e[d - 1] >= 2;
    for (int i = 1; panelsOf && i < d - 2; ++i)
      panelsOf = e[i] && *e[i] == 1;
    if (!panelsOf)
      continue;
    hl::Var step(f.name() + ".s1." + r.rdom[dim].name());
    int rowsPerTask = (int)((*k + rows - 1) / rows);
    hl::Expr row = task % rows;
    hl::Expr offset = (int)*k + row * rowsPerTask + step / rows - step;
    f.update().prefetch(p, r.rdom[dim], r.rdom[dim], offset,
                        hl::PrefetchBoundStrategy::NonFaulting);
    return;
  }
}

/// Register-tiled reduction; `isOutput` says whether r.result is a kernel
/// output (else it is computed at root).
///
/// Loops, innermost first: the tile (vector lanes, unrolled rows), then the
/// tiles of the vector dim and of the unrolled dim, then the other output
/// dims. When the largest input (the weights) is indexed by only one of the
/// two tiled dims, that dim's tile loop goes outside the other output dims:
/// each panel of weights is then read from memory once and reused from
/// cache for every tile of the other operand (a matmul's B panel for all
/// rows of A, a conv's filters for all pixels), instead of the whole weight
/// tensor streaming through the cache once per tile.
///
/// `producers` are reductions of the same kernel that r's folded pads read
/// (an expand conv before a depthwise conv): each is computed per task of
/// r, for the task's channels, in its own register tiles (`at` set, with
/// no parallel loop of its own), so its result never leaves the cache.
void scheduleReduction(const ScheduledReduction &r, bool isOutput,
                       const std::vector<ScheduledReduction> &producers = {},
                       std::optional<std::pair<hl::Func, hl::Var>> at = {}) {
  if (halidegen::hasDynamicExtent(r.extents)) {
    for (const ScheduledReduction &p : producers)
      scheduleReductionDynamic(p, /*isOutput=*/false);
    return scheduleReductionDynamic(r, isOutput);
  }
  hl::Func g = r.result, f = r.func;
  std::vector<hl::Var> vars = g.args();
  const std::vector<int> &ext = r.extents;
  int rank = vars.size();
  if (at)
    g.compute_at(at->first, at->second);
  else if (!isOutput)
    g.compute_root();
  // Scalars and empty outputs need no tiles.
  if (rank == 0 || (int)ext.size() != rank || llvm::is_contained(ext, 0)) {
    f.compute_at(g, hl::Var::outermost());
    computePaddedInputsAtRoot(r);
    for (const ScheduledReduction &p : producers)
      scheduleReduction(p, /*isOutput=*/false);
    return;
  }
  // The vector dim, the unrolled dim and the tile's size (shared with
  // PackWeights, which lays constant weights out in the tile's panels).
  RegisterTile tile;
  if (r.tile.valid) {
    tile.vectorDim = r.tile.vectorDim;
    tile.unrollDim = r.tile.unrollDim;
    tile.lanes = r.tile.lanes ? r.tile.lanes : lanesFor(g);
    tile.vectorize = r.tile.lanes > 0;
    tile.vectors = r.tile.vectors;
    tile.rows = r.tile.rows;
  } else {
    TileProblem problem;
    problem.extents = ext;
    problem.lanes = lanesFor(g);
    tile = chooseRegisterTile(problem);
  }
  if (!r.paddedInputs.empty() && !at)
    fitPaddedRowTile(tile, ext);
  int lanes = tile.lanes, v = tile.vectorDim, u = tile.unrollDim;
  bool vectorize = tile.vectorize;
  int tileV = tile.width(ext);
  int tileU = u >= 0 ? tile.rows : 1;

  // A dot product's tile (see DotProduct in VectorLayout.h) shifts inwards
  // at the end of its vector dim rather than guarding: its lanes hold 4
  // reduction steps each, which a guarded tail would compute in scalars.
  bool dot = r.tile.vectorizeReduction && vectorize && r.rdom.dimensions() > 0;
  bool dotShift = dot && ext[v] >= tileV;
  if (!at && dot && producers.empty() && scheduleFlatPlaneDot(r, g, f, ext))
    return;
  if (!at && !dot && producers.empty() &&
      (scheduleTransposedBlocked(r, g, f, ext, tile, tileV, tileU) ||
       scheduleChannelPanelTasks(r, g, f, ext, tile, tileV, tileU) ||
       scheduleNarrowRowsTransposed(r, g, f, ext, tile, tileV, tileU)))
    return;
  // A producer per task (`at`) whose rows are narrower than a vector but
  // more than half of one (see retileNarrowRowProducer): one whole vector
  // per row, rounded up into the per-row buffer it is computed in. Its last
  // lanes read a few elements past the row (the next row, or at most 60
  // bytes past the end of its input, which kernels may read:
  // docs/Runtime.md, "Memory a kernel may read") and are never stored to
  // the pad. (A vector of exactly the row's lanes is split by LLVM into
  // pieces of 8, 4 and 2; a guarded one is computed in scalars; predicated
  // loads measured 1.4x slower than the unfused kernels: Halide pads the
  // broadcast weights of such a vector with zeros, one more shuffle per
  // FMA.)
  bool roundedRow = at && vectorize && !dot && r.paddedInputs.empty() &&
                    ext[v] < lanes && 2 * ext[v] > lanes;
  // Output rows per tile (pairedRowsTile), the tile's channels halved.
  int rowTile = !at && !dot ? pairedRowsTile(r, ext, tile) : 1;
  if (rowTile > 1)
    tileU /= rowTile;
  // All rows of a small odd map per tile (wholeRowsTileChannels), the
  // task's channels in tiles of wholeRowsChannels run in turn.
  int wholeRowsChannels = 0;
  int channelTileU = tileU;
  if (rowTile == 1 && !at && !dot)
    wholeRowsChannels = wholeRowsTileChannels(r, ext, tile);
  int wholeRowsTaskTiles = 1;
  if (wholeRowsChannels > 0) {
    rowTile = ext[1];
    wholeRowsTaskTiles = tileU / wholeRowsChannels;
    tileU = wholeRowsChannels;
  }
  hl::Var vo("vo"), vi("vi"), uo("uo"), ui("ui");
  g.split(vars[v], vo, vi, tileV,
          dotShift     ? hl::TailStrategy::ShiftInwards
          : roundedRow ? hl::TailStrategy::RoundUp
                       : tailFor(ext[v], tileV));
  if (u >= 0)
    g.split(vars[u], uo, ui, tileU, tailFor(ext[u], tileU));
  hl::Var yi("yi");
  if (rowTile > 1)
    g.split(vars[1], vars[1], yi, rowTile, hl::TailStrategy::RoundUp);

  // Which tile loop keeps the weights in cache (see above). With folded
  // padding (a depthwise conv or pooling reading a pad of the same
  // kernel), the unrolled dim's tiles (channels) go outermost instead, so
  // each task pads its own channels' planes once.
  unsigned weights = r.tile.largestInputDims;
  if (!r.paddedInputs.empty() && u >= 0)
    weights = 1u << u;
  auto indexes = [&](int dim) { return dim >= 0 && (weights >> dim) & 1; };
  bool weightsOuterV = u >= 0 && indexes(v) && !indexes(u);
  bool weightsOuterU = u >= 0 && indexes(u) && !indexes(v);
  hl::Var inner = weightsOuterV ? uo : vo;
  std::optional<hl::Var> outer;
  if (u >= 0)
    outer = weightsOuterV ? vo : uo;
  bool outerAfterRest = weightsOuterU || weightsOuterV;

  // Loops innermost first, with their trip counts.
  std::vector<std::pair<hl::VarOrRVar, int>> loops;
  auto trips = [&](const hl::Var &tileLoop) {
    bool isV = tileLoop.name() == vo.name();
    int e = isV ? ext[v] : ext[u], t = isV ? tileV : tileU;
    return (e + t - 1) / t;
  };
  loops.push_back({vi, tileV});
  if (u >= 0)
    loops.push_back({ui, tileU});
  if (rowTile > 1)
    loops.push_back({yi, rowTile});
  loops.push_back({inner, trips(inner)});
  if (outer && !outerAfterRest)
    loops.push_back({*outer, trips(*outer)});
  // Other dims: those the weights do not vary with inside the weights'
  // tile loop, the rest outside it.
  auto dimTrips = [&](int k) {
    return k == 1 && rowTile > 1 ? ext[k] / rowTile : ext[k];
  };
  for (int k = 0; k < rank; ++k)
    if (k != u && k != v && !(outerAfterRest && indexes(k)))
      loops.push_back({vars[k], dimTrips(k)});
  if (outer && outerAfterRest)
    loops.push_back({*outer, trips(*outer)});
  for (int k = 0; k < rank; ++k)
    if (k != u && k != v && outerAfterRest && indexes(k))
      loops.push_back({vars[k], dimTrips(k)});
  std::vector<hl::VarOrRVar> order;
  for (auto &l : loops)
    order.push_back(l.first);
  g.reorder(order);
  if (vectorize)
    g.vectorize(vi, lanes);
  bool unrollTile = vectorize && tileV > lanes && !r.tile.vectorizeReduction &&
                    registerAccumulators(r, f);
  if (unrollTile)
    g.unroll(vi);
  if (u >= 0)
    g.unroll(ui);
  if (rowTile > 1)
    g.unroll(yi);
  // Tasks of whole weight panels of the producer (producerPanelTiles): the
  // channel tiles' loop split, its inner part serial inside the task.
  int taskTiles = 1, panelTiles = 1;
  if (!at && outer && outerAfterRest) {
    panelTiles = producerPanelTiles(r, producers, u, channelTileU);
    taskTiles = wholeRowsTaskTiles * panelTiles;
  }
  if (taskTiles > 1) {
    hl::Var tasksVar(outer->name() + "_tasks"), inTask(outer->name() + "_in");
    for (size_t k = 0; k < loops.size(); ++k) {
      if (loops[k].first.is_rvar || loops[k].first.var.name() != outer->name())
        continue;
      int n = loops[k].second;
      g.split(*outer, tasksVar, inTask, taskTiles, hl::TailStrategy::Auto);
      loops[k] = {inTask, taskTiles};
      loops.insert(loops.begin() + k + 1, {tasksVar, n / taskTiles});
      break;
    }
  }

  // Parallel: the outermost loops outside the tile, fused until there are
  // enough tasks for the thread pool to balance.
  // With folded padding a task pads its planes: fewer, larger tasks (of
  // whole channels rather than rows, which would pad rows twice).
  const int kEnoughTasks = r.paddedInputs.empty() ? 8 : 4;
  size_t firstOuter = (u >= 0 ? 2 : 1) + (rowTile > 1 ? 1 : 0);
  std::vector<size_t> parallelLoops;
  int tasks = 1;
  // The serial loop over output rows inside a task, if any (see
  // slidingPadRows below).
  std::optional<std::pair<hl::Var, int>> rowLoop;
  // Whether the tasks split r's rows (each computes part of a plane).
  bool rowsInTasks = false;
  for (size_t k = loops.size();
       !at && k-- > firstOuter && tasks < kEnoughTasks;) {
    if (loops[k].second <= 1 && parallelLoops.empty())
      continue;
    // With folded padding, a loop fused in for more tasks (rows) is split
    // into just enough chunks: a task pads its chunk and the window's halo
    // once, not every row's window.
    int trips = loops[k].second, need = (kEnoughTasks + tasks - 1) / tasks;
    if (!r.paddedInputs.empty() && !parallelLoops.empty() && k > firstOuter &&
        trips > need && !loops[k].first.is_rvar) {
      hl::Var var = loops[k].first.var;
      ChunkSplit c = splitIntoChunks(g, var, trips, need);
      loops[k] = {c.chunks, c.count};
      if (rank >= 3 && var.name() == vars[1].name())
        rowLoop = {c.rows, c.size};
    }
    parallelLoops.push_back(k);
    tasks *= loops[k].second;
    if (rank >= 3 && !loops[k].first.is_rvar &&
        (loops[k].first.var.name() == vars[1].name() ||
         loops[k].first.var.name() == vars[1].name() + "_chunks"))
      rowsInTasks = true;
  }
  // The accumulators are computed per tile, at the loop just outside it
  // (or the parallel loop that loop is fused into).
  hl::Var computeAt = inner;
  std::optional<hl::Var> parallelVar;
  if (tasks > 1 && !parallelLoops.empty()) {
    hl::VarOrRVar fused = loops[parallelLoops.front()].first;
    bool fusedInner = false;
    for (size_t i = 1; i < parallelLoops.size(); ++i) {
      hl::Var next("pf" + std::to_string(i));
      g.fuse(loops[parallelLoops[i]].first, fused, next);
      fused = next;
      fusedInner |= parallelLoops[i] == firstOuter;
    }
    g.parallel(fused);
    parallelVar = fused.var;
    if (fusedInner)
      computeAt = fused.var;
  }
  // The task's loop over output rows (rows not split into chunks: the row
  // loop when it is not one of the parallel loops), where a large folded
  // pad is computed in a sliding window (slidingPadRows).
  if (!rowLoop && rank >= 3 && u != 1 && v != 1) {
    for (size_t k = firstOuter; k < loops.size(); ++k)
      if (!loops[k].first.is_rvar &&
          loops[k].first.var.name() == vars[1].name() &&
          !llvm::is_contained(parallelLoops, k))
        rowLoop = {vars[1], dimTrips(1)};
  }
  bool slide = !r.paddedInputs.empty() && rowLoop && u >= 0 && rowTile == 1 &&
               computeAt.name() == inner.name() &&
               slidingPadRows(r, tileU * taskTiles, rowLoop->second);
  // Folded padding: the padded planes a task reads, computed per task into
  // a buffer that stays in cache (once per call without a parallel loop),
  // in vectors along their rows.
  for (const halidegen::ScheduledFunc &p : r.paddedInputs) {
    hl::Func pad = p.func;
    hl::LoopLevel task = parallelVar ? hl::LoopLevel(g, *parallelVar)
                                     : hl::LoopLevel(g, hl::Var::outermost());
    if (slide)
      pad.store_at(task).compute_at(g, rowLoop->first);
    else
      pad.compute_at(task);
    std::vector<hl::Var> padVars = pad.args();
    int padLanes = lanesFor(pad);
    if (padVars.empty() || p.extents.empty())
      continue;
    // Rows whose source is at least a vector wide: vectors aligned to the
    // source row (see alignPadRowsToSource).
    if (alignPadRowsToSource(p, padLanes))
      pad.align_bounds(padVars[0], padLanes, p.innerLowPad)
          .vectorize(padVars[0], padLanes);
    // Guarded vectors: Halide then partitions the rows into borders and a
    // steady state of dense loads (the pad's interior read is likely()).
    else if (p.extents[0] >= padLanes)
      pad.vectorize(padVars[0], padLanes, hl::TailStrategy::GuardWithIf);
    // Rows narrower than a vector but more than half of one: one whole
    // vector per row, the row's storage rounded up (its extra lanes are
    // never read). A vector of exactly the row's 9 or 15 lanes is stored
    // by LLVM in pieces of 8, 4, 2 and 1: MobileNetV2's 960-channel
    // depthwise conv on 7x7 alone, one thread, 30 -> 26 us; the 96 -> 576
    // expand -> stride-2 depthwise kernel on 14x14 132-134 -> 126-128 us.
    else if (2 * p.extents[0] >= padLanes)
      pad.vectorize(padVars[0], padLanes, hl::TailStrategy::RoundUp);
  }
  // Producers of the pads, per task: for a task of `channels` channels
  // (r's unrolled dim), the producer's tile along that dim shrinks to a
  // divisor of it (the rest of its accumulators as more vectors), so a
  // task computes no channel of another task.
  for (const ScheduledReduction &p : producers) {
    ScheduledReduction perTask = p;
    int channels = u >= 0 ? tileU * taskTiles : 0;
    if (parallelVar && u >= 0 && !slide && !rowsInTasks &&
        scheduleFlatPlaneProducer(p, g, *parallelVar, u, channels,
                                  panelTiles > 1))
      continue;
    if (parallelVar && u >= 0)
      retileNarrowRowProducer(perTask, u);
    bool channelTile = perTask.tile.valid && perTask.tile.unrollDim == u &&
                       u >= 0 && (size_t)u < perTask.extents.size();
    // A producer tiled otherwise (vectors along the channels, on small
    // maps) would compute a whole tile of channels per task: once per call.
    if (!channelTile) {
      scheduleReduction(p, /*isOutput=*/false);
      continue;
    }
    if (parallelVar && perTask.tile.rows > 0) {
      int rows = std::gcd(perTask.tile.rows, channels);
      int pv = perTask.tile.vectorDim;
      int lanesP = perTask.tile.lanes > 0 ? perTask.tile.lanes : 1;
      int maxVectors = std::max(1, (perTask.extents[pv] + lanesP - 1) / lanesP);
      perTask.tile.vectors =
          std::max(perTask.tile.vectors, std::min({4, maxVectors, 24 / rows}));
      perTask.tile.rows = rows;
    }
    std::optional<std::pair<hl::Func, hl::Var>> rowAt =
        parallelVar ? producerPerPadRow(r, u) : std::nullopt;
    scheduleReduction(perTask, /*isOutput=*/false, {},
                      rowAt ? *rowAt
                            : std::make_pair(g, parallelVar ? *parallelVar
                                                            : hl::Var::outermost()));
    // A task of whole weight panels: the producer's loop over its channel
    // tiles (named "uo" by the call above) unrolled, so each tile's channel
    // offset in the panel is a constant (task * panel + tile * rows, which
    // the simplifier folds in `mod panel`; as a loop it is
    // (tile + task * tiles) * rows, which it does not).
    if (panelTiles > 1)
      perTask.result.unroll(hl::Var("uo"));
  }

  // The reduction in blocks of input channels (see blockedReductionFor):
  // the accumulators of the whole task, computed at the parallel loop.
  // With a task per weight panel (the panels' loop outermost and alone
  // parallel), each block's successor is prefetched
  // (prefetchNextWeightBlock). Tasks that share a panel (a panel's rows of
  // pixels fused into the parallel loop: ResNet-50's layer3, 4 panels of 64
  // channels on 14x14 maps) read it from the L2 or L3 after the first:
  // there the prefetches cost more than they save (eight 3x3 convs 256 ->
  // 256, stride 2, 28x28 -> 14x14, one thread: 8.5-8.7 -> 9.9-10.2 ms).
  // Nor do those tasks wait on the weights from DRAM: 3x3 convs 256 -> 256
  // on 14x14 (4 x 14 row tasks, 2 threads, Zen 5) take the same CPU time
  // per conv in a chain of 8 (19 MB of weights, L3-resident) as in a chain
  // of 16 (38 MB, from DRAM each run): 1007-1013 vs 1003-1016 us; the
  // hardware prefetcher keeps up with a panel's stream (about 4 GB/s).
  // Measured slower on the 16-conv chain: the shared-panel prefetch (CPU
  // 1017-1023 -> 1061-1080 us; with its locality rewritten to T0 1078-1136,
  // T1 1055-1086, issued per block step rci 1120-1174), tasks of whole
  // 32-channel panels with 2 x 14 register tiles (8 tasks, prefetch
  // applies: 8.42 -> 8.70 ms quiet without the prefetch, 2.7x slower with
  // it, the prefetch loop inside kx keeping LLVM from holding the
  // accumulators in registers; ResNet-50's layer3 conv2 1.00 -> 1.08 ms),
  // 3 x 7 tiles in 48-channel panels (84 tasks, 1050-1070 -> 1070-1086 us)
  // and 4 x 7 tiles (28 accumulators: spills). Tasks of 2 or 7 rows (28 or
  // 8 tasks) ran within the noise of 14 single rows.
  std::optional<ReductionBlock> block;
  std::optional<hl::Parameter> panels;
  if (!at && !dot && producers.empty() && parallelVar &&
      computeAt.name() == inner.name()) {
    bool taskPerPanel = weightsOuterV && parallelLoops.size() == 1 &&
                        !loops[parallelLoops.front()].first.is_rvar &&
                        loops[parallelLoops.front()].first.var.name() ==
                            outer->name();
    if (taskPerPanel)
      panels = weightPanelsOf(r, f, tileV);
    int64_t taskElements = 1;
    for (size_t k = 0; k < parallelLoops.back(); ++k)
      taskElements *= loops[k].second;
    if (vectorize && ext[v] >= lanes)
      block = blockedReductionFor(
          r, f, taskElements, (int64_t)tileV * tileU,
          panels ? kMaxPrefetchedBlockBytes / (4 * tileV) : 0);
  }
  if (block) {
    scheduleBlockedAccumulators(r, g, f, *parallelVar, tile, ext, tileV, tileU,
                                inner.name() == vo.name(), *block,
                                panels);
    return;
  }
  f.compute_at(g, computeAt);
  // The reduction's own vars (an epilogue output's dims correspond to them
  // by position).
  std::vector<hl::Var> fvars = f.args();
  int fRank = fvars.size();
  // The accumulator tile is stored vector dim first so each accumulator is
  // one contiguous register.
  storeDimFirst(f, v);
  // The accumulators of a dim narrower than a vector are one vector of
  // exactly that many lanes: shifting a full vector inwards would read
  // inputs before their start, and a guarded (masked) vectorized update is
  // computed in scalars by Halide. A dim at least a vector wide shifts its
  // last partial vector inwards onto valid elements.
  int accLanes = vectorize && ext[v] < lanes ? ext[v] : lanes;
  hl::TailStrategy accTail = hl::TailStrategy::Auto;
  if (vectorize && ext[v] < lanes && 2 * ext[v] > lanes &&
      !r.paddedInputs.empty())
    std::tie(accLanes, accTail) = paddedRowAccumulators(ext[v], lanes);
  else if (vectorize && 2 * ext[v] < lanes && 4 * ext[v] > lanes &&
           !r.paddedInputs.empty())
    std::tie(accLanes, accTail) = paddedRowAccumulators(ext[v], lanes / 2);
  if (roundedRow) {
    accLanes = lanes;
    accTail = hl::TailStrategy::RoundUp;
  }
  // A tile in registers (registerAccumulators) on rows wider than a
  // vector that its vectors do not divide (56 or 28 wide): the last vector
  // rounded up rather than shifted inwards onto the one before it. Two
  // overlapping vectors in the tile keep LLVM from holding it in registers
  // (the tile goes back to a stack buffer, and the load of the shifted
  // vector after the stores it overlaps fails store forwarding). Its extra
  // lanes read at most 15 elements past the row (the next row, or past the
  // buffer, within AICC_KERNEL_READ_SLACK: docs/Runtime.md, "Memory a kernel
  // may read") and are never stored; a folded pad it reads is computed that
  // much wider. MobileNetV2's expand -> depthwise blocks alone, one thread:
  // 24 -> 144 on 56x56 0.213 -> 0.181 ms, the same with stride 2 0.161 ->
  // 0.151, 32 -> 192 on 28x28 0.088 -> 0.081.
  if (unrollTile && ext[v] > lanes && ext[v] % lanes != 0)
    accTail = hl::TailStrategy::RoundUp;
  if (vectorize)
    f.vectorize(fvars[v], accLanes, accTail);
  if (unrollTile)
    f.unroll(fvars[v]);
  if (u >= 0)
    f.unroll(fvars[u]);
  if (rowTile > 1)
    f.unroll(fvars[1]);
  // A dot product of 4: its reduction var innermost, vectorized with the
  // tile's lanes into one vector reduction per accumulator.
  std::vector<hl::VarOrRVar> updateOrder;
  if (dot)
    updateOrder.push_back(r.rdom[0]);
  updateOrder.push_back(fvars[v]);
  if (u >= 0)
    updateOrder.push_back(fvars[u]);
  if (rowTile > 1)
    updateOrder.push_back(fvars[1]);
  for (int d = dot ? 1 : 0; d < r.rdom.dimensions(); ++d)
    updateOrder.push_back(r.rdom[d]);
  for (int k = 0; k < fRank; ++k)
    if (k != u && k != v && !(k == 1 && rowTile > 1))
      updateOrder.push_back(fvars[k]);
  hl::Stage update = f.update();
  update.reorder(updateOrder);
  if (dot)
    update.atomic().vectorize(r.rdom[0]);
  if (vectorize) {
    update.vectorize(fvars[v], accLanes, accTail);
    if (tile.vectors > 1)
      update.unroll(fvars[v]);
  }
  if (u >= 0)
    update.unroll(fvars[u]);
  if (rowTile > 1)
    update.unroll(fvars[1]);
  // The weights' panel loop outside the row tiles, the accumulators
  // computed per row tile (not at a parallel loop the row tiles are fused
  // into).
  if (vectorize && !dot && !at && producers.empty() && weightsOuterV &&
      r.paddedInputs.empty() && computeAt.name() == inner.name() &&
      isPlainF32Reduction(r, f))
    prefetchNextWeightPanel(r, f, tileV, trips(inner),
                            g.name() + ".s0." + vars[u].name() + "." +
                                uo.name());
  // Tasks of one row of a small map each, a panel's rows consecutive
  // (prefetchNextPanelAcrossRows).
  // (The parallel loops, outermost first, fused into task = row + rows *
  // (... + panel): the panels' loop, loops of one trip, the rows.)
  auto isLoop = [&](size_t k, const std::string &name) {
    return !loops[k].first.is_rvar && loops[k].first.var.name() == name;
  };
  bool rowsInPanels = parallelVar && parallelLoops.size() >= 2 && rank >= 3 &&
                      outer && isLoop(parallelLoops.front(), outer->name()) &&
                      isLoop(parallelLoops.back(), vars[1].name());
  for (size_t i = 1; rowsInPanels && i + 1 < parallelLoops.size(); ++i)
    rowsInPanels = loops[parallelLoops[i]].second == 1;
  if (vectorize && !dot && !at && producers.empty() && weightsOuterV &&
      r.paddedInputs.empty() && rowsInPanels && isPlainF32Reduction(r, f))
  {
    // The parallel loop by its lowered name (Halide names a fused var
    // after the vars fused into it: "d2.pf2").
    std::string taskLoop;
    for (const hl::Internal::Dim &d :
         g.function().definition().schedule().dims()) {
      const std::string &n = d.var;
      const std::string &p = parallelVar->name();
      if (n == p || (n.size() > p.size() &&
                     n.compare(n.size() - p.size() - 1, p.size() + 1,
                               "." + p) == 0))
        taskLoop = g.name() + ".s0." + n;
    }
    if (!taskLoop.empty())
      prefetchNextPanelAcrossRows(r, f, ext, v, tileV,
                                  loops[parallelLoops.back()].second,
                                  hl::Var(taskLoop));
  }
}

/// The pure Funcs of row kernel `a` computed from its reductions per row
/// (LayerNorm's mean and inverse standard deviation from the lane sums,
/// with divisions and a square root): once per row at `at`, not inlined
/// into every element of the row.
void computePerRowFuncsAt(hl::Func a, hl::Var at, int rowDims,
                          const std::vector<ScheduledReduction> &reductions) {
  std::set<std::string> reductionNames;
  for (const ScheduledReduction &r : reductions) {
    reductionNames.insert(r.func.name());
    reductionNames.insert(r.result.name());
  }
  for (auto &[name, function] :
       hl::Internal::find_transitive_calls(a.function())) {
    if (name == a.name() || reductionNames.count(name) ||
        function.has_update_definition() ||
        (int)function.dimensions() > rowDims || function.dimensions() == 0)
      continue;
    std::map<std::string, hl::Internal::Function> calls =
        hl::Internal::find_transitive_calls(function);
    bool perRow = llvm::any_of(reductionNames, [&](const std::string &r) {
      return calls.count(r) != 0;
    });
    if (perRow)
      hl::Func(function).compute_at(a, at);
  }
}

/// The pure Funcs of the rows of row kernel `a` (its dims) that its
/// reductions read (a bias Add and a residual Add before a LayerNorm): once
/// per task at `at`, in vectors, rather than inlined into each reduction
/// and the normalization (three times for a LayerNorm, in the narrow
/// vectors of its lane-split sums). Not what another output reads (computed
/// at root) nor a plain read of an input.
void computeReducedRowsAt(hl::Func a, hl::Var at,
                          const std::vector<ScheduledFunc> &outputs,
                          const std::vector<ScheduledReduction> &reductions,
                          int lanes) {
  std::set<std::string> skip = {a.name()};
  for (const ScheduledFunc &o : outputs) {
    skip.insert(o.func.name());
    if (o.func.name() == a.name())
      continue;
    for (auto &[name, function] :
         hl::Internal::find_transitive_calls(o.func.function()))
      skip.insert(name);
  }
  std::map<std::string, hl::Internal::Function> readByReductions;
  for (const ScheduledReduction &r : reductions) {
    skip.insert(r.func.name());
    skip.insert(r.result.name());
    for (auto &[name, function] :
         hl::Internal::find_transitive_calls(r.func.function()))
      readByReductions.emplace(name, function);
  }
  std::map<std::string, hl::Internal::Function> candidates;
  for (auto &[name, function] : readByReductions) {
    if (skip.count(name) || function.has_update_definition() ||
        function.dimensions() != a.dimensions() || function.outputs() != 1)
      continue;
    const auto *call = function.values()[0].as<hl::Internal::Call>();
    if (call && (call->call_type == hl::Internal::Call::Image ||
                 call->call_type == hl::Internal::Call::Halide))
      continue;
    candidates.emplace(name, function);
  }
  // Only the last of a chain (the bias Add feeds the residual Add, which
  // the reductions read): what a Func other than the candidates reads.
  std::set<std::string> readOutside;
  std::map<std::string, hl::Internal::Function> all = readByReductions;
  for (auto &[name, function] : hl::Internal::find_transitive_calls(a.function()))
    all.emplace(name, function);
  for (auto &[name, function] : all) {
    if (candidates.count(name))
      continue;
    for (auto &[callee, unused] : hl::Internal::find_direct_calls(function))
      readOutside.insert(callee);
  }
  for (auto &[name, function] : candidates) {
    if (!readOutside.count(name))
      continue;
    hl::Func f(function);
    f.compute_at(a, at);
    f.vectorize(f.args()[0], lanes, hl::TailStrategy::GuardWithIf);
  }
}

/// Elements of one parallel task of a row kernel (at least): a task per
/// row of a short row costs more in the thread pool than it computes.
constexpr int kMinRowTaskElements = 8192;

/// A row kernel (the fusion policy's row groups: Softmax, LayerNorm,
/// RMSNorm, a reduction with the ops around it): every reduction reduces
/// the innermost dims of the output `anchor` and keeps its outer dims (the
/// rows). Each reduction is computed per row inside the anchor's row loop,
/// its partial sums in vectors along the reduced row (rfactor) where its
/// update is associative, so the row is read from L1 by each reduction and
/// by the normalization, and only the anchor is written. Returns false
/// (scheduling nothing) when the kernel is not of this form.
bool scheduleRowKernel(const ScheduledFunc &anchor,
                       const std::vector<ScheduledFunc> &outputs,
                       const std::vector<ScheduledReduction> &reductions) {
  const std::vector<int> &ext = anchor.extents;
  int n = ext.size();
  if (reductions.empty() || halidegen::hasDynamicExtent(ext) ||
      anchor.func.outputs() != 1 || anchor.func.num_update_definitions() ||
      (int)anchor.func.dimensions() != n || llvm::is_contained(ext, 0))
    return false;
  // The rows: the anchor's outer dims that every reduction keeps. A
  // lane-split reduction (LayerNorm's MLAS-exact statistics: per row, a few
  // partial sums, one per SIMD lane) has its lanes innermost before them.
  int rowDims = n;
  std::vector<int> laneDims;
  for (const ScheduledReduction &r : reductions) {
    int m = r.extents.size();
    if (!r.result.defined() || !r.paddedInputs.empty() ||
        halidegen::hasDynamicExtent(r.extents))
      return false;
    int kept = 0;
    while (kept < m && kept < n - 1 &&
           r.extents[m - 1 - kept] == ext[n - 1 - kept])
      ++kept;
    int lanesOf = 1;
    for (int k = 0; k < m - kept; ++k)
      lanesOf *= r.extents[k];
    // (A reduction of the anchor's own shape, a conv or matmul with its
    // epilogue, is no row reduction.)
    if (kept == 0 || m - kept > 1 || lanesOf > 16 ||
        (m - kept == 1 && r.extents[0] == ext[0]))
      return false;
    laneDims.push_back(m - kept);
    rowDims = std::min(rowDims, kept);
    for (const ScheduledFunc &o : outputs)
      if (o.func.name() == r.func.name() || o.func.name() == r.result.name())
        return false;
  }
  if (rowDims == 0)
    return false;
  // The other outputs must not read the reductions (they are computed
  // inside the anchor's loops) and get the plain schedule.
  for (const ScheduledFunc &o : outputs) {
    if (o.func.name() == anchor.func.name())
      continue;
    std::map<std::string, hl::Internal::Function> calls =
        hl::Internal::find_transitive_calls(o.func.function());
    for (const ScheduledReduction &r : reductions)
      if (calls.count(r.func.name()) || calls.count(r.result.name()))
        return false;
  }
  hl::Func a = anchor.func;
  std::vector<hl::Var> vars = a.args();
  int lanes = lanesFor(a);
  int row = n - rowDims; // the innermost row dim
  int64_t rowElements = 1;
  for (int k = 0; k < row; ++k)
    rowElements *= ext[k];
  if (ext[0] >= lanes)
    a.vectorize(vars[0], lanes,
                ext[0] % lanes ? hl::TailStrategy::GuardWithIf
                               : hl::TailStrategy::Auto);
  // Parallel: the outermost row dim with several rows; when that is the
  // innermost row dim, in chunks of rows of at least kMinRowTaskElements.
  hl::Var at = vars[row];
  // The loop a task runs in (outermost without a parallel loop).
  hl::Var task = hl::Var::outermost();
  int outer = -1;
  for (int k = n - 1; k >= row; --k)
    if (ext[k] > 1) {
      outer = k;
      break;
    }
  if (outer > row) {
    a.parallel(vars[outer]);
    task = vars[outer];
  } else if (outer == row) {
    int64_t chunk = std::max<int64_t>(
        1, (kMinRowTaskElements + rowElements - 1) / rowElements);
    if (chunk >= ext[row]) {
      // One task.
    } else if (chunk == 1) {
      a.parallel(vars[row]);
      task = vars[row];
    } else {
      hl::Var ro("ro"), ri("ri");
      a.split(vars[row], ro, ri, (int)chunk, tailFor(ext[row], (int)chunk));
      a.parallel(ro);
      at = ri;
      task = ro;
    }
  }
  // Lane-split reductions (a chain of vector additions per row, in a fixed
  // order) are latency bound row by row: they are computed for the task's
  // rows, kRowsInterleaved rows interleaved, as are the ops computing the
  // per-row statistics from them; the normalization then runs per row.
  bool lanesSplit = llvm::any_of(laneDims, [](int d) { return d > 0; });
  hl::Var statsAt = lanesSplit ? task : at;
  for (auto [r, lanesDim] : llvm::zip(reductions, laneDims)) {
    hl::Func f = r.func;
    f.compute_at(a, statsAt);
    if (lanesSplit) {
      // The partial sums of the lanes, one vector: each lane keeps its
      // order of summation (the lowering's bit-exact arithmetic).
      std::vector<hl::Var> fvars = f.args();
      hl::Var lane = fvars[0];
      if (lanesDim)
        f.vectorize(lane);
      int rowVar = lanesDim;
      for (int u = 0; u < f.num_update_definitions(); ++u) {
        hl::Stage update = f.update(u);
        if (rowVar < (int)fvars.size() && r.rdom.dimensions() > 0) {
          constexpr int kRowsInterleaved = 8;
          hl::Var yo("yo"), yi("yi");
          update.split(fvars[rowVar], yo, yi, kRowsInterleaved,
                       hl::TailStrategy::GuardWithIf);
          std::vector<hl::VarOrRVar> order;
          if (lanesDim)
            order.push_back(lane);
          order.push_back(yi);
          for (int d = 0; d < r.rdom.dimensions(); ++d)
            order.push_back(r.rdom[d]);
          order.push_back(yo);
          update.reorder(order);
          update.unroll(yi);
        }
        if (lanesDim)
          update.vectorize(lane);
      }
      continue;
    }
    // Partial reductions in vector lanes along the innermost reduced dim.
    if (r.rdom.dimensions() == 0 || f.num_update_definitions() != 1)
      continue;
    std::optional<int64_t> extent0 =
        hl::Internal::as_const_int(hl::Internal::simplify(r.rdom[0].extent()));
    if (!extent0 || *extent0 < 2 * lanes || *extent0 % lanes)
      continue;
    // Sums (reassociated, as ONNX Runtime's vectorized reductions are) and
    // the max (min) with a NaN flag the translator makes of a
    // NaN-propagating max (min): updates rfactor can prove associative.
    // Others (an op wrapped in strict_float) stay a scalar loop along the
    // row.
    std::vector<hl::Expr> values = f.update_values().as_vector();
    for (hl::Expr &value : values)
      while (const auto *let = value.as<hl::Internal::Let>())
        value = let->body;
    bool sum = values.size() == 1 && values[0].as<hl::Internal::Add>();
    bool flaggedMax = values.size() == 2 &&
                      (values[0].as<hl::Internal::Max>() ||
                       values[0].as<hl::Internal::Min>()) &&
                      values[1].as<hl::Internal::Or>();
    if (!sum && !flaggedMax)
      continue;
    hl::RVar rxo("rxo"), rxi("rxi");
    hl::Var u("u");
    hl::Func partial =
        f.update().split(r.rdom[0], rxo, rxi, lanes).rfactor(rxi, u);
    partial.compute_at(a, at).vectorize(u);
    partial.update().vectorize(u);
  }
  computePerRowFuncsAt(a, statsAt, rowDims, reductions);
  if (lanesSplit)
    computeReducedRowsAt(a, statsAt, outputs, reductions, lanes);
  return true;
}

/// Whether epilogue output `o` has the dims of reduction `r` (innermost
/// first) followed by outer dims of extent 1: the epilogue of a
/// [1, S, K] x [K, N] MatMul computed as a [S, N] matmul (FusionPolicy
/// folds the expand_shape between them into the kernel). Its reshape
/// indexes the reduction element for element, so Halide's bounds of the
/// reduction per tile of `o` are that tile.
bool addsOuterUnitDims(const ScheduledFunc &o, const ScheduledReduction &r) {
  size_t n = r.extents.size();
  if (n == 0 || o.extents.size() <= n ||
      (size_t)o.func.dimensions() != o.extents.size() ||
      (size_t)r.result.dimensions() != n ||
      !std::equal(r.extents.begin(), r.extents.end(), o.extents.begin()))
    return false;
  return std::all_of(o.extents.begin() + n, o.extents.end(),
                     [](int e) { return e == 1; });
}

} // namespace

/// An elementwise kernel that holds 8-bit intermediate tensors (a QDQ
/// chain: DQ -> op -> Q -> DQ -> ...) computes its intermediate Funcs per
/// vector of the output instead of inlining them. Inlined, the chain is one
/// expression (each Q's clamps and NaN selects, erf's edge selects, the
/// QLinearAdd terms), and Halide's bounds inference on it (boxes_required
/// -> bounds_of_expr_in_scope -> simplify) took minutes per kernel: the
/// int8 BERT's QDQ GELU (DQ, Div, Erf, Q, QLinearAdd, QLinearMul twice),
/// issue 9. Binding repeated operands with Lets or compiling without strict
/// float did not help; cutting the chain does. Per vector, each Func's
/// bounds are those of its own definition, and its values stay in a buffer
/// of one vector. The chain is the translator's Funcs of linalg.generic ops
/// ("generic_N"; not the Funcs that read the kernel's inputs).
static void computeQdqChainPerVector(const ScheduledFunc &out) {
  hl::Func o = out.func;
  if (out.extents.empty() || halidegen::hasDynamicExtent(out.extents) ||
      o.num_update_definitions() != 0 || o.args().size() != out.extents.size())
    return;
  std::vector<hl::Func> chain;
  bool quantized = false;
  for (auto &[name, function] :
       hl::Internal::find_transitive_calls(o.function())) {
    hl::Func f(function);
    if (name == o.name() || !llvm::StringRef(name).starts_with("generic") ||
        f.outputs() != 1 || f.num_update_definitions() != 0 || f.args().empty())
      continue;
    quantized |= f.types()[0].bits() == 8;
    chain.push_back(f);
  }
  // Rows narrower than a vector keep the chain inline (per element, each
  // Func would be computed in scalars).
  int lanes = lanesFor(o);
  if (!quantized || out.extents[0] < lanes)
    return;
  for (hl::Func f : chain)
    f.compute_at(o, o.args()[0])
        .vectorize(f.args()[0], lanes, hl::TailStrategy::GuardWithIf);
}

void Avx512SchedulePolicy::scheduleKernel(
    const std::vector<ScheduledFunc> &outputs,
    const std::vector<ScheduledReduction> &reductions, bool naive) const {
  // AMX extern stages (AmxKernels.cpp, AmxBf16Kernels.cpp) first; the rest
  // as usual.
  if (amx && scheduleAmxBf16Matmul(outputs, reductions, naive))
    return;
  bool winoDone = false;
  std::vector<ScheduledReduction> winoRest;
  if (scheduleWinogradKernel(outputs, reductions, naive, winoDone, winoRest)) {
    if (!winoDone)
      scheduleKernel(outputs, winoRest, naive);
    return;
  }
  bool amxDone = false;
  std::vector<ScheduledReduction> amxRest;
  if (scheduleAmxKernel(outputs, reductions, naive, amxDone, amxRest)) {
    if (!amxDone)
      scheduleKernel(outputs, amxRest, naive);
    return;
  }
  auto isOutput = [&](const hl::Func &f) {
    return f.defined() &&
           llvm::any_of(outputs, [&](const ScheduledFunc &o) {
             return o.func.name() == f.name();
           });
  };
  // The default schedule of reductions `rs` and of the outputs other than
  // `scheduled`: each reduction with a result register-tiled
  // (scheduleReduction), the outputs it does not tile materialized, the
  // other reductions at root.
  auto scheduleRest = [&](const std::vector<ScheduledReduction> &rs,
                          const std::string &scheduled) {
    std::vector<std::string> tiled{scheduled};
    if (!naive) {
      for (const ScheduledReduction &r : rs) {
        if (!r.result.defined())
          continue;
        scheduleReduction(r, isOutput(r.result));
        tiled.push_back(r.result.name());
      }
    }
    for (const ScheduledFunc &f : outputs)
      if (!llvm::is_contained(tiled, f.func.name()))
        scheduleFunc(f, /*isOutput=*/true, naive);
    for (const ScheduledReduction &r : rs) {
      if (naive || !r.result.defined())
        computePaddedInputsAtRoot(r);
      if (!naive && r.result.defined())
        continue;
      ScheduledFunc sf{r.func, r.extents};
      if (!isOutput(r.func))
        scheduleFunc(sf, /*isOutput=*/false, naive);
      if (r.result.defined() && !isOutput(r.result))
        hl::Func(r.result).compute_root();
    }
  };
  // A max pool as row and column maxima (PoolKernels.cpp): its own tiles;
  // the kernel's other outputs and reductions as usual.
  if (std::optional<std::string> pooled =
          scheduleSeparableMaxPool(outputs, reductions, naive)) {
    std::vector<ScheduledReduction> rest;
    for (const ScheduledReduction &r : reductions)
      if (!isSeparableMaxPool(r))
        rest.push_back(r);
    scheduleRest(rest, *pooled);
    return;
  }
  // One reduction and an epilogue of the same shape (the fusion policy's
  // conv + bias + ReLU, or matmul + bias): the output is tiled like the
  // reduction and the reduction computed per tile of it, so the epilogue
  // works on the accumulators while they are in registers and the
  // reduction's result is never stored.
  // A depthwise conv whose folded pad reads another reduction of the
  // kernel (the fusion policy's expand conv -> depthwise conv): the
  // depthwise conv is scheduled as the kernel's reduction, the other per
  // task of it (see scheduleReduction).
  std::vector<ScheduledReduction> producers;
  const ScheduledReduction *main = nullptr;
  if (!naive && reductions.size() == 2 && outputs.size() == 1) {
    for (int m = 0; m < 2; ++m) {
      const ScheduledReduction &r = reductions[m], &p = reductions[1 - m];
      if (r.paddedInputs.empty() || !p.result.defined() || isOutput(p.result) ||
          isOutput(p.func) || halidegen::hasDynamicExtent(p.extents))
        continue;
      bool read = llvm::any_of(r.paddedInputs, [&](const ScheduledFunc &pad) {
        return hl::Internal::find_transitive_calls(pad.func.function())
            .count(p.result.name());
      });
      if (read) {
        main = &r;
        producers.push_back(p);
      }
    }
  }
  if (main) {
    const ScheduledReduction &r = *main;
    const ScheduledFunc &o = outputs.front();
    if (r.result.defined() && !isOutput(r.result) && !isOutput(r.func) &&
        o.extents == r.extents &&
        o.func.dimensions() == r.result.dimensions() && o.func.outputs() == 1 &&
        o.func.num_update_definitions() == 0) {
      ScheduledReduction epilogue = r;
      epilogue.result = o.func;
      epilogue.extents = o.extents;
      scheduleReduction(epilogue, /*isOutput=*/true, producers);
      return;
    }
    if (r.result.defined() && isOutput(r.result)) {
      scheduleReduction(r, /*isOutput=*/true, producers);
      for (const ScheduledFunc &f : outputs)
        if (f.func.name() != r.result.name())
          scheduleFunc(f, /*isOutput=*/true, naive);
      return;
    }
  }
  if (!naive && reductions.size() == 1 && outputs.size() == 1) {
    const ScheduledReduction &r = reductions.front();
    const ScheduledFunc &o = outputs.front();
    // The output has the reduction's dims (the epilogue reads it element
    // for element; through a reshape, Halide's bounds of the reduction per
    // output tile would span the whole tensor and recompute it).
    // Outer dims of extent 1 beyond the reduction's (a [1, S, N] bias Add
    // of a [S, N] matmul) index it in place too.
    auto sameShape = [&] {
      return (o.extents == r.extents &&
              o.func.dimensions() == r.result.dimensions()) ||
             addsOuterUnitDims(o, r);
    };
    if (r.result.defined() && !isOutput(r.result) && !isOutput(r.func) &&
        sameShape() && o.func.outputs() == 1 &&
        o.func.num_update_definitions() == 0) {
      ScheduledReduction epilogue = r;
      epilogue.result = o.func;
      epilogue.extents = o.extents;
      scheduleReduction(epilogue, /*isOutput=*/true);
      return;
    }
  }
  // Row kernels: reductions over the innermost dims of the output, with
  // the ops around them (Softmax, LayerNorm).
  if (!naive && !outputs.empty()) {
    // The widest output, one reading the reductions among those (a
    // residual Add returned beside the LayerNorm it feeds reads none).
    auto readsReductions = [&](const ScheduledFunc &o) {
      std::map<std::string, hl::Internal::Function> calls =
          hl::Internal::find_transitive_calls(o.func.function());
      return llvm::any_of(reductions, [&](const ScheduledReduction &r) {
        return calls.count(r.func.name()) != 0;
      });
    };
    const ScheduledFunc *anchor = &outputs.front();
    for (const ScheduledFunc &o : outputs)
      if (o.extents.size() > anchor->extents.size() ||
          (o.extents.size() == anchor->extents.size() &&
           !readsReductions(*anchor) && readsReductions(o)))
        anchor = &o;
    if (scheduleRowKernel(*anchor, outputs, reductions)) {
      for (const ScheduledFunc &f : outputs)
        if (f.func.name() != anchor->func.name())
          scheduleFunc(f, /*isOutput=*/true, naive);
      return;
    }
  }
  scheduleRest(reductions, "");
  if (!naive && reductions.empty() && outputs.size() == 1)
    computeQdqChainPerVector(outputs.front());
}

void tileExternEpilogue(hl::Func out, hl::Func ext, int w, int fBlock,
                        int hBlock, bool parallelBatch) {
  std::vector<hl::Var> v = out.args(); // w, h, f, n
  hl::Var fo("fo"), fi("fi"), ho("ho"), hi("hi"), tile("tile");
  out.split(v[2], fo, fi, fBlock, hl::TailStrategy::GuardWithIf)
      .split(v[1], ho, hi, hBlock, hl::TailStrategy::GuardWithIf)
      .reorder(v[0], hi, fi, ho, fo, v[3])
      .fuse(ho, fo, tile);
  if (parallelBatch)
    out.fuse(tile, v[3], tile);
  // Rows narrower than 16 (14, 7 in ResNet-50) in one masked vector of 16
  // or 8 lanes: a vector of exactly w lanes (14, 7) was assembled from and
  // stored in pieces (load and insert, extract and store).
  if (w >= 16)
    out.vectorize(v[0], 16, hl::TailStrategy::GuardWithIf);
  else if (w >= 4)
    out.vectorize(v[0], w > 8 ? 16 : 8, hl::TailStrategy::GuardWithIf);
  out.parallel(tile);
  ext.compute_at(out, tile);
}

} // namespace aicc::avx512
