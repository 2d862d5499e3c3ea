//===- MemoryPlanner.h - Static arena placement -----------------*- C++ -*-===//
//
// Places buffers with known live ranges in one arena so that buffers alive
// at the same step never share bytes: greedy by size with best-fit gaps
// (TFLite's arena planner), then a bounded hill climb over the placement
// order that stops at the lower bound (Vela). Plain C++ with no MLIR, so the
// property test can drive it with random interval sets. See
// docs/Pipeline.md (section 3) and TECHNIQUES.md, "Static memory planning".
//
//===----------------------------------------------------------------------===//

#ifndef AICC_PASSES_EXEC_MEMORYPLANNER_H
#define AICC_PASSES_EXEC_MEMORYPLANNER_H

#include <cstdint>
#include <vector>

namespace aicc::exec {

/// A buffer to place: `size` bytes alive from step `first` to step `last`,
/// both included (first <= last).
struct LiveBuffer {
  uint64_t size = 0;
  int64_t first = 0;
  int64_t last = 0;
};

struct PlannerOptions {
  /// Every offset is a multiple of this (a power of two); sizes are rounded
  /// up to it before placement.
  uint64_t alignment = 64;
  /// Hill-climb steps after the greedy placement (0: greedy only).
  unsigned maxIterations = 100;
  /// Seed of the hill climb's choices; the plan is a function of the input
  /// and the options.
  uint64_t seed = 0x5eed;
};

struct MemoryPlan {
  /// Byte offset of each buffer, in input order.
  std::vector<uint64_t> offsets;
  /// max(offset + aligned size): the arena the plan needs.
  uint64_t arenaSize = 0;
  /// max over steps of the sum of the aligned sizes alive at that step; no
  /// plan needs less, and arenaSize >= lowerBound always.
  uint64_t lowerBound = 0;
  /// Arena size of the greedy placement before the hill climb.
  uint64_t greedyArenaSize = 0;
  /// Hill-climb steps taken.
  unsigned iterations = 0;
};

/// Rounds `size` up to a multiple of `alignment` (a power of two).
uint64_t alignTo(uint64_t size, uint64_t alignment);

/// The lower bound of `buffers` (see MemoryPlan::lowerBound).
uint64_t computeLowerBound(const std::vector<LiveBuffer> &buffers,
                           uint64_t alignment);

/// Places `buffers`; see the file comment.
MemoryPlan planMemory(const std::vector<LiveBuffer> &buffers,
                      const PlannerOptions &options = {});

} // namespace aicc::exec

#endif // AICC_PASSES_EXEC_MEMORYPLANNER_H
