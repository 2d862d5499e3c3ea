//===- ThreadPool.h - The CPU driver's parallel_for pool -------*- C++ -*-===//
//
// One pool per session: `numThreads - 1` workers plus the thread that calls
// parallelFor, which works too. A loop's indices are cut into one
// contiguous block per thread, and thread t (the caller is 0) takes the
// indices of block t one at a time from the block's atomic counter, then
// those left in the other blocks (work stealing): balanced like one shared
// counter for the coarse tasks Halide pipelines produce (one per tile or
// row band), but a thread runs the same tasks loop after loop, run after
// run, so the rows of a tensor a thread wrote in one kernel (or in the last
// run) are still in its cache when the next reads them.
//
// Workers spin for a while (2 ms by default, AICC_POOL_SPIN_US) after a loop
// before sleeping, because a schedule issues parallel loops back to back,
// with serial work between them, and a futex wake-up costs more than a
// small kernel. For the same
// reason the caller spins while waiting for the workers to finish their last
// tasks before it sleeps: with the caller asleep, a loop whose last task a
// worker ran (about half of them) ended in a futex wake-up of the caller,
// tens of microseconds on a virtual machine, once or twice per kernel.
//
// AICC_POOL_STATS=1 makes the pool time every parallel loop and print, when
// it is destroyed, per task function: loops, tasks per loop, wall time per
// loop, the CPU time in tasks of the caller and of the workers (which other
// load does not inflate, as it does wall time), how long the first
// worker took to start and how long the caller waited for the last one
// (stderr). It shows loops too small to split, unbalanced task counts and
// fork-join overhead.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_CPU_THREADPOOL_H
#define AICC_RUNTIME_HAL_CPU_THREADPOOL_H

#include "aicc/kernel_abi.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <pthread.h>
#include <vector>

namespace aicc {
namespace cpu {

class ThreadPool {
public:
  /// Starts `numThreads - 1` workers (fewer if the OS refuses threads).
  explicit ThreadPool(uint32_t numThreads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Threads that run tasks, including the caller.
  uint32_t numThreads() const {
    return static_cast<uint32_t>(workers_.size()) + 1;
  }

  /// Calls fn(userContext, i, closure) for i in [min, min + extent) and
  /// returns 0, or the result of the first failing call (later tasks are
  /// skipped). Runs inline when called from inside a task, when the pool has
  /// no workers, or when another thread is already using the pool.
  int parallelFor(aicc_task_fn fn, void *userContext, int min, int extent,
                  uint8_t *closure);

  /// Returns the number of the default thread count: CPUs this process may
  /// run on.
  static uint32_t defaultThreadCount();

private:
  struct Job {
    aicc_task_fn fn = nullptr;
    void *userContext = nullptr;
    uint8_t *closure = nullptr;
    int min = 0;
    int extent = 0;
    /// Blocks in use (at most numThreads, at most extent).
    int blocks = 0;
    std::atomic<int> result{0};
    /// Guarded by mutex_: whether workers may still join.
    bool open = false;
    /// Workers inside the loop: incremented under mutex_ while open,
    /// decremented without it when a worker leaves.
    std::atomic<int> active{0};
    /// AICC_POOL_STATS: the loop's start, and what workers add to it.
    uint64_t startNs = 0;
    std::atomic<uint64_t> workerBusyNs{0};
    std::atomic<uint64_t> firstWorkerNs{0};
    std::atomic<int> workerTasks{0};
  };

  /// AICC_POOL_STATS: the loops of one task function.
  struct LoopStats {
    uint64_t loops = 0, inlineLoops = 0, tasks = 0, wallNs = 0;
    uint64_t callerBusyNs = 0, workerBusyNs = 0, workerTasks = 0;
    uint64_t joinedLoops = 0, wakeNs = 0, joinWaitNs = 0;
  };

  /// One thread's share of a loop: the indices [next, end) not yet taken,
  /// on a cache line of its own.
  struct alignas(64) Block {
    std::atomic<int64_t> next{0};
    int64_t end = 0;
  };

  static void *workerMain(void *pool);
  void workerLoop();
  /// Runs tasks until none is left; returns the tasks run and adds their
  /// time to `busyNs` when stats are on.
  int runTasks(int self, uint64_t *busyNs = nullptr);
  void printStats();
  static int runInline(aicc_task_fn fn, void *userContext, int min, int extent,
                       uint8_t *closure);

  std::vector<pthread_t> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  int sleepers_ = 0; // guarded by mutex_
  /// Whether the caller sleeps on done_ (after spinning) for the workers to
  /// leave the loop; a leaving worker notifies only then.
  std::atomic<bool> callerWaiting_{false};
  std::atomic<bool> busy_{false};
  /// Workers number themselves 1, 2, ... as they start.
  std::atomic<int> nextWorkerId_{1};
  Job job_;
  std::vector<Block> blocks_;
  /// AICC_POOL_STATS: per task function, printed by the destructor.
  bool stats_ = false;
  /// How long a worker spins for the next loop before it sleeps
  /// (AICC_POOL_SPIN_US, see ThreadPool.cpp).
  int64_t workerSpinNs_;
  std::mutex statsMutex_;
  std::map<aicc_task_fn, LoopStats> statsByFn_;
};

} // namespace cpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_CPU_THREADPOOL_H
