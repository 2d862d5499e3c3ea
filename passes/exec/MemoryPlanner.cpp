//===- MemoryPlanner.cpp - Static arena placement -------------------------===//
//
// placeInOrder() is the greedy step: buffers in a given order, each at the
// smallest gap between the already placed buffers it is alive with that can
// hold it, else above all of them. The initial order is by decreasing size,
// which is optimal on the chain-like graphs of most CNNs. The hill climb
// then takes a buffer that ends at the peak address, swaps it with an
// earlier buffer of the order and keeps the new order if the arena did not
// grow; it stops at the lower bound or after maxIterations.
//
//===----------------------------------------------------------------------===//

#include "passes/exec/MemoryPlanner.h"

#include <algorithm>
#include <cassert>
#include <numeric>
#include <random>
#include <utility>

using namespace aicc::exec;

uint64_t aicc::exec::alignTo(uint64_t size, uint64_t alignment) {
  assert(alignment && (alignment & (alignment - 1)) == 0 &&
         "alignment must be a power of two");
  return (size + alignment - 1) & ~(alignment - 1);
}

uint64_t aicc::exec::computeLowerBound(const std::vector<LiveBuffer> &buffers,
                                       uint64_t alignment) {
  // Sweep: +size at `first`, -size after `last`; at equal steps releases go
  // first (a buffer dying at step t-1 does not overlap one born at step t).
  std::vector<std::pair<int64_t, uint64_t>> starts, ends;
  for (const LiveBuffer &buffer : buffers) {
    uint64_t size = alignTo(buffer.size, alignment);
    starts.push_back({buffer.first, size});
    ends.push_back({buffer.last + 1, size});
  }
  std::sort(starts.begin(), starts.end());
  std::sort(ends.begin(), ends.end());
  uint64_t live = 0, peak = 0;
  size_t e = 0;
  for (const auto &[step, size] : starts) {
    for (; e < ends.size() && ends[e].first <= step; ++e)
      live -= ends[e].second;
    live += size;
    peak = std::max(peak, live);
  }
  return peak;
}

namespace {

class Placer {
public:
  Placer(const std::vector<LiveBuffer> &buffers, uint64_t alignment)
      : buffers_(buffers), sizes_(buffers.size()) {
    for (size_t i = 0; i < buffers.size(); ++i)
      sizes_[i] = alignTo(buffers[i].size, alignment);
  }

  /// Places the buffers in `order`; writes `offsets` and returns the arena
  /// size.
  uint64_t place(const std::vector<size_t> &order,
                 std::vector<uint64_t> &offsets) {
    offsets.assign(buffers_.size(), 0);
    placed_.clear();
    uint64_t arena = 0;
    std::vector<std::pair<uint64_t, uint64_t>> busy; // (offset, end)
    for (size_t index : order) {
      const LiveBuffer &buffer = buffers_[index];
      uint64_t size = sizes_[index];
      busy.clear();
      for (size_t other : placed_) {
        const LiveBuffer &o = buffers_[other];
        if (o.last < buffer.first || buffer.last < o.first || !sizes_[other])
          continue;
        busy.push_back({offsets[other], offsets[other] + sizes_[other]});
      }
      std::sort(busy.begin(), busy.end());
      uint64_t end = 0, best = 0, bestGap = UINT64_MAX;
      bool found = false;
      for (const auto &[offset, busyEnd] : busy) {
        if (offset > end) {
          uint64_t gap = offset - end;
          if (gap >= size && gap < bestGap) {
            best = end;
            bestGap = gap;
            found = true;
          }
        }
        end = std::max(end, busyEnd);
      }
      offsets[index] = found ? best : end;
      arena = std::max(arena, offsets[index] + size);
      placed_.push_back(index);
    }
    return arena;
  }

  uint64_t alignedSize(size_t index) const { return sizes_[index]; }

private:
  const std::vector<LiveBuffer> &buffers_;
  std::vector<uint64_t> sizes_;
  std::vector<size_t> placed_;
};

} // namespace

MemoryPlan aicc::exec::planMemory(const std::vector<LiveBuffer> &buffers,
                                  const PlannerOptions &options) {
  MemoryPlan plan;
  size_t count = buffers.size();
  plan.lowerBound = computeLowerBound(buffers, options.alignment);
  Placer placer(buffers, options.alignment);

  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    uint64_t sa = placer.alignedSize(a), sb = placer.alignedSize(b);
    if (sa != sb)
      return sa > sb;
    // Longer-lived first: they constrain more of the schedule.
    return buffers[a].last - buffers[a].first >
           buffers[b].last - buffers[b].first;
  });
  plan.arenaSize = placer.place(order, plan.offsets);
  plan.greedyArenaSize = plan.arenaSize;
  if (count < 2)
    return plan;

  std::mt19937_64 rng(options.seed);
  std::vector<uint64_t> offsets;
  std::vector<size_t> position(count), peak;
  for (unsigned iteration = 0; iteration < options.maxIterations &&
                               plan.arenaSize > plan.lowerBound;
       ++iteration) {
    ++plan.iterations;
    for (size_t i = 0; i < count; ++i)
      position[order[i]] = i;
    peak.clear();
    for (size_t i = 0; i < count; ++i)
      if (plan.offsets[i] + placer.alignedSize(i) == plan.arenaSize)
        peak.push_back(i);
    size_t from = position[peak[rng() % peak.size()]];
    // Prefer moving the peak buffer earlier; from the front, move it later.
    size_t to = from ? rng() % from : 1 + rng() % (count - 1);
    std::swap(order[from], order[to]);
    uint64_t arena = placer.place(order, offsets);
    if (arena <= plan.arenaSize) {
      plan.arenaSize = arena;
      plan.offsets.swap(offsets);
    } else {
      std::swap(order[from], order[to]);
    }
  }
  return plan;
}
