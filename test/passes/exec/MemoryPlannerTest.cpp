//===- MemoryPlannerTest.cpp - Property test of the arena planner ---------===//
//
// Random interval sets with fixed seeds: random lifetimes, CNN-like chains
// with skip connections, and all-alive sets. For every case the plan must
// (1) give every buffer a 64-byte aligned offset, (2) never let two buffers
// alive at the same step share a byte, (3) report the lower bound computed
// here independently by brute force, (4) have arena >= lower bound and
// arena == max(offset + aligned size), and (5) never be worse than the
// greedy placement it started from. The suite prints how close to the lower
// bound the plans are.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/MemoryPlanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace aicc::exec;

namespace {

constexpr uint64_t kAlignment = 64;

uint64_t aligned(uint64_t size) { return (size + 63) / 64 * 64; }

/// Peak of the aligned sizes alive at one step, step by step.
uint64_t bruteForceLowerBound(const std::vector<LiveBuffer> &buffers) {
  int64_t lastStep = 0;
  for (const LiveBuffer &buffer : buffers)
    lastStep = std::max(lastStep, buffer.last);
  uint64_t peak = 0;
  for (int64_t step = 0; step <= lastStep; ++step) {
    uint64_t live = 0;
    for (const LiveBuffer &buffer : buffers)
      if (buffer.first <= step && step <= buffer.last)
        live += aligned(buffer.size);
    peak = std::max(peak, live);
  }
  return peak;
}

/// Checks every invariant of `plan` for `buffers`; returns false (with
/// gtest failures) if one breaks.
bool checkPlan(const std::vector<LiveBuffer> &buffers, const MemoryPlan &plan,
               const char *what, uint64_t seed) {
  SCOPED_TRACE(testing::Message() << what << ", seed " << seed);
  EXPECT_EQ(plan.offsets.size(), buffers.size());
  if (plan.offsets.size() != buffers.size())
    return false;
  uint64_t end = 0;
  for (size_t i = 0; i < buffers.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % kAlignment, 0u) << "buffer " << i;
    end = std::max(end, plan.offsets[i] + aligned(buffers[i].size));
  }
  EXPECT_EQ(plan.arenaSize, end);
  for (size_t i = 0; i < buffers.size(); ++i) {
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      const LiveBuffer &a = buffers[i], &b = buffers[j];
      if (a.last < b.first || b.last < a.first || !a.size || !b.size)
        continue;
      bool disjoint = plan.offsets[i] + a.size <= plan.offsets[j] ||
                      plan.offsets[j] + b.size <= plan.offsets[i];
      EXPECT_TRUE(disjoint)
          << "buffers " << i << " [" << plan.offsets[i] << ", +" << a.size
          << ") and " << j << " [" << plan.offsets[j] << ", +" << b.size
          << ") are alive together and overlap";
      if (!disjoint)
        return false;
    }
  }
  EXPECT_EQ(plan.lowerBound, bruteForceLowerBound(buffers));
  EXPECT_GE(plan.arenaSize, plan.lowerBound);
  EXPECT_LE(plan.arenaSize, plan.greedyArenaSize);
  return !testing::Test::HasFailure();
}

uint64_t randomSize(std::mt19937_64 &rng) {
  // Log-uniform from 1 B to 4 MiB, sometimes a multiple of 64 exactly.
  std::uniform_real_distribution<double> exponent(0.0, 22.0);
  uint64_t size = static_cast<uint64_t>(std::exp2(exponent(rng)));
  if (rng() % 3 == 0)
    size = aligned(size);
  return std::max<uint64_t>(size, 1);
}

/// Buffers with random first steps and lifetimes.
std::vector<LiveBuffer> randomIntervals(std::mt19937_64 &rng, size_t count) {
  int64_t steps = 1 + static_cast<int64_t>(rng() % (2 * count + 1));
  std::vector<LiveBuffer> buffers(count);
  for (LiveBuffer &buffer : buffers) {
    buffer.size = randomSize(rng);
    buffer.first = static_cast<int64_t>(rng() % steps);
    int64_t length = static_cast<int64_t>(rng() % (rng() % 4 ? 4 : steps));
    buffer.last = std::min(steps - 1, buffer.first + length);
  }
  return buffers;
}

/// A CNN-like chain: buffer i is written at step i and read at step i + 1,
/// some live longer (residual connections); sizes shrink and grow by stages.
std::vector<LiveBuffer> chainWithSkips(std::mt19937_64 &rng, size_t count) {
  std::vector<LiveBuffer> buffers(count);
  uint64_t stage = randomSize(rng);
  for (size_t i = 0; i < count; ++i) {
    if (rng() % 8 == 0)
      stage = randomSize(rng);
    buffers[i].size = stage * (1 + rng() % 4);
    buffers[i].first = static_cast<int64_t>(i);
    buffers[i].last =
        static_cast<int64_t>(i + 1 + (rng() % 5 == 0 ? rng() % 6 : 0));
  }
  return buffers;
}

struct Stats {
  unsigned cases = 0, atBound = 0, greedyAtBound = 0;
  double sumRatio = 0, maxRatio = 1, sumGreedyRatio = 0, maxGreedyRatio = 1;

  void add(const MemoryPlan &plan) {
    ++cases;
    if (!plan.lowerBound) {
      ++atBound, ++greedyAtBound;
      sumRatio += 1, sumGreedyRatio += 1;
      return;
    }
    double ratio = double(plan.arenaSize) / plan.lowerBound;
    double greedy = double(plan.greedyArenaSize) / plan.lowerBound;
    atBound += plan.arenaSize == plan.lowerBound;
    greedyAtBound += plan.greedyArenaSize == plan.lowerBound;
    sumRatio += ratio, sumGreedyRatio += greedy;
    maxRatio = std::max(maxRatio, ratio);
    maxGreedyRatio = std::max(maxGreedyRatio, greedy);
  }

  void print(const char *name) const {
    std::printf("[ planner  ] %-16s %5u cases: arena/lower bound mean %.4f "
                "max %.3f, at the bound %.1f%% (greedy only: mean %.4f max "
                "%.3f, at the bound %.1f%%)\n",
                name, cases, sumRatio / cases, maxRatio,
                100.0 * atBound / cases, sumGreedyRatio / cases,
                maxGreedyRatio, 100.0 * greedyAtBound / cases);
  }
};

template <typename Generator>
void runProperty(const char *name, Generator generate, unsigned cases,
                 size_t maxCount, uint64_t seedBase) {
  Stats stats;
  for (unsigned c = 0; c < cases; ++c) {
    uint64_t seed = seedBase + c;
    std::mt19937_64 rng(seed);
    size_t count = 1 + rng() % maxCount;
    std::vector<LiveBuffer> buffers = generate(rng, count);
    PlannerOptions options;
    options.maxIterations = 200;
    MemoryPlan plan = planMemory(buffers, options);
    if (!checkPlan(buffers, plan, name, seed))
      return;
    stats.add(plan);
  }
  stats.print(name);
}

TEST(MemoryPlanner, RandomIntervals) {
  runProperty("random", randomIntervals, 3000, 40, 1000);
}

TEST(MemoryPlanner, LargeRandomIntervals) {
  runProperty("random (large)", randomIntervals, 100, 300, 50000);
}

TEST(MemoryPlanner, ChainsWithSkips) {
  runProperty("chains", chainWithSkips, 2000, 60, 9000);
}

TEST(MemoryPlanner, Empty) {
  MemoryPlan plan = planMemory({});
  EXPECT_EQ(plan.arenaSize, 0u);
  EXPECT_EQ(plan.lowerBound, 0u);
  EXPECT_TRUE(plan.offsets.empty());
}

TEST(MemoryPlanner, AllAliveNeedTheSum) {
  std::vector<LiveBuffer> buffers = {{100, 0, 5}, {64, 0, 5}, {1, 2, 3}};
  MemoryPlan plan = planMemory(buffers);
  EXPECT_TRUE(checkPlan(buffers, plan, "all alive", 0));
  EXPECT_EQ(plan.lowerBound, 128u + 64u + 64u);
  EXPECT_EQ(plan.arenaSize, plan.lowerBound);
}

TEST(MemoryPlanner, DisjointLifetimesShareBytes) {
  std::vector<LiveBuffer> buffers = {{1000, 0, 1}, {1000, 2, 3}, {500, 4, 4}};
  MemoryPlan plan = planMemory(buffers);
  EXPECT_TRUE(checkPlan(buffers, plan, "disjoint", 0));
  EXPECT_EQ(plan.arenaSize, 1024u);
  EXPECT_EQ(plan.offsets, (std::vector<uint64_t>{0, 0, 0}));
}

TEST(MemoryPlanner, ZeroSizedBuffers) {
  std::vector<LiveBuffer> buffers = {{0, 0, 3}, {64, 1, 2}, {0, 1, 1}};
  MemoryPlan plan = planMemory(buffers);
  EXPECT_TRUE(checkPlan(buffers, plan, "zero", 0));
  EXPECT_EQ(plan.arenaSize, 64u);
}

/// The hill climb only accepts orders that do not grow the arena, and its
/// choices come from a fixed seed: the same input gives the same plan.
TEST(MemoryPlanner, HillClimbNeverWorseAndDeterministic) {
  std::mt19937_64 rng(42);
  std::vector<LiveBuffer> buffers = randomIntervals(rng, 80);
  PlannerOptions greedyOnly;
  greedyOnly.maxIterations = 0;
  MemoryPlan greedy = planMemory(buffers, greedyOnly);
  MemoryPlan climbed = planMemory(buffers);
  MemoryPlan again = planMemory(buffers);
  EXPECT_EQ(greedy.iterations, 0u);
  EXPECT_LE(climbed.arenaSize, greedy.arenaSize);
  EXPECT_EQ(climbed.offsets, again.offsets);
  EXPECT_TRUE(checkPlan(buffers, climbed, "deterministic", 42));
}

} // namespace
