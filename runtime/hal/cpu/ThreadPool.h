//===- ThreadPool.h - The CPU driver's parallel_for pool -------*- C++ -*-===//
//
// One pool per session: `numThreads - 1` workers plus the thread that calls
// parallelFor, which works too. Tasks are handed out one index at a time
// from an atomic counter, which balances well for the coarse tasks Halide
// pipelines produce (one per tile or row band). Workers spin briefly after a
// loop before sleeping, because a schedule usually issues parallel loops back
// to back and a futex wake-up costs more than a small kernel. For the same
// reason the caller spins while waiting for the workers to finish their last
// tasks before it sleeps: with the caller asleep, a loop whose last task a
// worker ran (about half of them) ended in a futex wake-up of the caller,
// tens of microseconds on a virtual machine, once or twice per kernel.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_CPU_THREADPOOL_H
#define AICC_RUNTIME_HAL_CPU_THREADPOOL_H

#include "aicc/kernel_abi.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
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
    std::atomic<int64_t> next{0};
    std::atomic<int> result{0};
    /// Guarded by mutex_: whether workers may still join.
    bool open = false;
    /// Workers inside the loop: incremented under mutex_ while open,
    /// decremented without it when a worker leaves.
    std::atomic<int> active{0};
  };

  static void *workerMain(void *pool);
  void workerLoop();
  void runTasks();
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
  Job job_;
};

} // namespace cpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_CPU_THREADPOOL_H
