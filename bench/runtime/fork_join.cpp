//===- fork_join.cpp - Fork-join cost of the CPU driver's thread pool -----===//
//
// Times ThreadPool::parallelFor over empty tasks (the cost of a parallel
// loop beyond its work) on T threads: back to back (the workers still spin
// from the previous loop), and after a gap of serial work on the caller
// (the workers may have gone to sleep: the cost of waking them), for a few
// task counts. Prints the median and the 90th percentile per loop in
// microseconds.
//
//   aicc-bench-fork-join [threads=2] [loops=20000]
//
//===----------------------------------------------------------------------===//

#include "hal/cpu/ThreadPool.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using aicc::cpu::ThreadPool;
using Clock = std::chrono::steady_clock;

namespace {

int emptyTask(void *, int, uint8_t *) { return 0; }

/// Busy work of about `micros` on the calling thread.
void spinFor(double micros) {
  auto end = Clock::now() + std::chrono::duration<double, std::micro>(micros);
  while (Clock::now() < end) {
  }
}

void measure(ThreadPool &pool, int tasks, double gapMicros, int loops) {
  std::vector<double> times;
  times.reserve(loops);
  for (int i = 0; i < loops; ++i) {
    if (gapMicros > 0)
      spinFor(gapMicros);
    auto start = Clock::now();
    pool.parallelFor(emptyTask, nullptr, 0, tasks, nullptr);
    times.push_back(
        std::chrono::duration<double, std::micro>(Clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  std::printf("%8u %6d %8.0f %10.2f %10.2f\n", pool.numThreads(), tasks,
              gapMicros, times[times.size() / 2], times[times.size() * 9 / 10]);
}

} // namespace

int main(int argc, char **argv) {
  unsigned threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int loops = argc > 2 ? std::atoi(argv[2]) : 20000;
  ThreadPool pool(threads);
  std::printf("%8s %6s %8s %10s %10s\n", "threads", "tasks", "gap us",
              "median us", "p90 us");
  for (double gap : {0.0, 20.0, 200.0, 2000.0})
    for (int tasks : {2, 8, 64})
      measure(pool, tasks, gap,
              gap >= 2000  ? std::max(1, loops / 100)
              : gap >= 200 ? std::max(1, loops / 10)
                           : loops);
  return 0;
}
