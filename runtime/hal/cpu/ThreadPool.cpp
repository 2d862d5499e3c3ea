//===- ThreadPool.cpp - The CPU driver's parallel_for pool ----------------===//

#include "hal/cpu/ThreadPool.h"

#include <sched.h>
#include <thread>

using namespace aicc::cpu;

/// True while this thread runs a task, so nested loops run inline instead of
/// waiting for workers that are busy with the outer loop.
static thread_local bool t_inTask = false;

/// Spin iterations (with a pause each) a worker waits for the next loop
/// before it sleeps: a few tens of microseconds.
static constexpr int kSpinIterations = 4000;

/// Spin iterations the caller of a loop waits for workers still running its
/// last tasks before it sleeps (about 15-20 ns each on the Xeon this was
/// measured on: a few hundred microseconds, longer than most tasks).
static constexpr int kJoinSpinIterations = 20000;

static inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

ThreadPool::ThreadPool(uint32_t numThreads) {
  if (numThreads == 0)
    numThreads = 1;
  workers_.reserve(numThreads - 1);
  for (uint32_t i = 1; i < numThreads; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, &ThreadPool::workerMain, this) != 0)
      break; // Run with the workers we got.
    workers_.push_back(thread);
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
  }
  wake_.notify_all();
  for (pthread_t thread : workers_)
    pthread_join(thread, nullptr);
}

uint32_t ThreadPool::defaultThreadCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0)
      return static_cast<uint32_t>(count);
  }
  unsigned count = std::thread::hardware_concurrency();
  return count ? count : 1;
}

void *ThreadPool::workerMain(void *pool) {
  t_inTask = true; // Everything a worker runs is a task.
  static_cast<ThreadPool *>(pool)->workerLoop();
  return nullptr;
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  for (;;) {
    for (int spin = 0; spin < kSpinIterations &&
                       generation_.load(std::memory_order_acquire) == seen &&
                       !stop_.load(std::memory_order_relaxed);
         ++spin)
      cpuRelax();
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_.load() && generation_.load() == seen) {
      ++sleepers_;
      wake_.wait(lock);
      --sleepers_;
    }
    if (stop_.load())
      return;
    seen = generation_.load();
    if (!job_.open)
      continue; // The caller already finished that loop on its own.
    job_.active.fetch_add(1, std::memory_order_relaxed);
    lock.unlock();
    runTasks();
    // The caller spins on `active` and sleeps only after setting
    // callerWaiting_ (both seq_cst, so one of the two sees the other's
    // store): the last worker out wakes it only when it sleeps.
    if (job_.active.fetch_sub(1) == 1 && callerWaiting_.load()) {
      std::lock_guard<std::mutex> done(mutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::runTasks() {
  const int64_t extent = job_.extent;
  for (;;) {
    int64_t i = job_.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= extent || job_.result.load(std::memory_order_relaxed) != 0)
      return;
    int result =
        job_.fn(job_.userContext, job_.min + static_cast<int>(i), job_.closure);
    if (result != 0) {
      int expected = 0;
      job_.result.compare_exchange_strong(expected, result);
      return;
    }
  }
}

int ThreadPool::runInline(aicc_task_fn fn, void *userContext, int min,
                          int extent, uint8_t *closure) {
  bool wasInTask = t_inTask;
  t_inTask = true;
  int result = 0;
  for (int i = 0; i < extent && result == 0; ++i)
    result = fn(userContext, min + i, closure);
  t_inTask = wasInTask;
  return result;
}

int ThreadPool::parallelFor(aicc_task_fn fn, void *userContext, int min,
                            int extent, uint8_t *closure) {
  if (extent <= 0)
    return 0;
  if (t_inTask || workers_.empty() || extent == 1 ||
      busy_.exchange(true, std::memory_order_acquire))
    return runInline(fn, userContext, min, extent, closure);

  bool notify;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_.fn = fn;
    job_.userContext = userContext;
    job_.closure = closure;
    job_.min = min;
    job_.extent = extent;
    job_.next.store(0, std::memory_order_relaxed);
    job_.result.store(0, std::memory_order_relaxed);
    job_.open = true;
    job_.active.store(0, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    notify = sleepers_ > 0;
  }
  if (notify)
    wake_.notify_all();

  t_inTask = true;
  runTasks();
  t_inTask = false;

  // No worker may join after this, and the job lives until all that joined
  // have left it: spin for them (they run their last task), then sleep.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_.open = false;
  }
  for (int spin = 0; spin < kJoinSpinIterations && job_.active.load() != 0;
       ++spin)
    cpuRelax();
  if (job_.active.load() != 0) {
    std::unique_lock<std::mutex> lock(mutex_);
    callerWaiting_.store(true);
    done_.wait(lock, [this] { return job_.active.load() == 0; });
    callerWaiting_.store(false);
  }
  int result = job_.result.load(std::memory_order_relaxed);
  busy_.store(false, std::memory_order_release);
  return result;
}
