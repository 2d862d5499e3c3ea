//===- ThreadPool.cpp - The CPU driver's parallel_for pool ----------------===//

#include "hal/cpu/ThreadPool.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <sched.h>
#include <string>
#include <thread>
#include <time.h>

using namespace aicc::cpu;

/// True while this thread runs a task, so nested loops run inline instead of
/// waiting for workers that are busy with the outer loop.
static thread_local bool t_inTask = false;

/// How long a worker spins for the next loop before it sleeps, by default.
/// A model's schedule issues parallel loops back to back, with serial
/// kernels (or the run's own bookkeeping) of up to a few hundred
/// microseconds between them; a worker asleep by then costs the next loop
/// a futex wake-up: 50-60 us of the caller's time on the loaded 2-vCPU KVM
/// guest this was measured on (aicc-bench-fork-join), more than many
/// kernels take, and the worker joins the loop late. AICC_POOL_SPIN_US
/// overrides it (0: sleep at once).
static constexpr int64_t kDefaultWorkerSpinNs = 2000000;

/// How long the caller of a loop spins for workers still running its last
/// tasks before it sleeps: longer than most tasks.
static constexpr int64_t kJoinSpinNs = 500000;

/// How long a spin only pauses; after that it also yields the CPU once per
/// clock read (sched_yield: a few hundred nanoseconds when nothing else
/// wants the core, so a quiet machine still sees the next loop at once),
/// so that on a machine with more runnable threads than cores a spinning
/// worker does not take the time slices of the threads doing the work.
static constexpr int64_t kPureSpinNs = 50000;

/// Pauses between two reads of the clock while spinning (a pause is 10-140
/// cycles, depending on the CPU: spins are timed, not counted).
static constexpr int kPausesPerClockRead = 32;

static inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static uint64_t nowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + ts.tv_nsec;
}

/// CPU time of the calling thread: the time in tasks AICC_POOL_STATS
/// counts, which a thread descheduled by other load does not inflate.
static uint64_t threadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + ts.tv_nsec;
}

/// Spins (pausing) while `condition` holds, for at most `ns`; reads the
/// clock once per kPausesPerClockRead pauses.
template <typename Condition>
static void spinWhile(Condition condition, int64_t ns) {
  if (ns <= 0 || !condition())
    return;
  uint64_t start = nowNs(), end = start + static_cast<uint64_t>(ns);
  uint64_t yieldFrom = start + static_cast<uint64_t>(kPureSpinNs);
  for (;;) {
    for (int i = 0; i < kPausesPerClockRead; ++i) {
      cpuRelax();
      if (!condition())
        return;
    }
    uint64_t now = nowNs();
    if (now >= end)
      return;
    if (now >= yieldFrom)
      sched_yield();
  }
}

ThreadPool::ThreadPool(uint32_t numThreads) {
  const char *stats = std::getenv("AICC_POOL_STATS");
  stats_ = stats && *stats && std::string(stats) != "0";
  workerSpinNs_ = kDefaultWorkerSpinNs;
  if (const char *spin = std::getenv("AICC_POOL_SPIN_US")) {
    char *end = nullptr;
    long long micros = std::strtoll(spin, &end, 10);
    if (end != spin && *end == 0 && micros >= 0 && micros <= 1000000)
      workerSpinNs_ = micros * 1000;
  }
  if (numThreads == 0)
    numThreads = 1;
  blocks_ = std::vector<Block>(numThreads);
  workers_.reserve(numThreads - 1);
  for (uint32_t i = 1; i < numThreads; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, &ThreadPool::workerMain, this) != 0)
      break; // Run with the workers we got.
    workers_.push_back(thread);
  }
}

ThreadPool::~ThreadPool() {
  if (stats_)
    printStats();
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
  const int self = nextWorkerId_.fetch_add(1);
  uint64_t seen = 0;
  for (;;) {
    auto waiting = [&] {
      return generation_.load(std::memory_order_acquire) == seen &&
             !stop_.load(std::memory_order_relaxed);
    };
    spinWhile(waiting, workerSpinNs_);
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
    if (stats_) {
      uint64_t start = nowNs(), zero = 0, busy = 0;
      job_.firstWorkerNs.compare_exchange_strong(zero, start);
      int tasks = runTasks(self, &busy);
      job_.workerBusyNs.fetch_add(busy, std::memory_order_relaxed);
      job_.workerTasks.fetch_add(tasks, std::memory_order_relaxed);
    } else {
      runTasks(self);
    }
    // The caller spins on `active` and sleeps only after setting
    // callerWaiting_ (both seq_cst, so one of the two sees the other's
    // store): the last worker out wakes it only when it sleeps.
    if (job_.active.fetch_sub(1) == 1 && callerWaiting_.load()) {
      std::lock_guard<std::mutex> done(mutex_);
      done_.notify_one();
    }
  }
}

int ThreadPool::runTasks(int self, uint64_t *busyNs) {
  const int blocks = job_.blocks;
  int tasks = 0;
  // The own block first, then the others' leftovers.
  for (int b = 0; b < blocks; ++b) {
    Block &block = blocks_[(self + b) % blocks];
    for (;;) {
      int64_t i = block.next.fetch_add(1, std::memory_order_relaxed);
      if (i >= block.end)
        break;
      if (job_.result.load(std::memory_order_relaxed) != 0)
        return tasks;
      uint64_t start = busyNs ? threadCpuNs() : 0;
      int result = job_.fn(job_.userContext, job_.min + static_cast<int>(i),
                           job_.closure);
      ++tasks;
      if (busyNs)
        *busyNs += threadCpuNs() - start;
      if (result != 0) {
        int expected = 0;
        job_.result.compare_exchange_strong(expected, result);
        return tasks;
      }
    }
  }
  return tasks;
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
      busy_.exchange(true, std::memory_order_acquire)) {
    if (!stats_)
      return runInline(fn, userContext, min, extent, closure);
    uint64_t start = nowNs(), cpu = threadCpuNs();
    int result = runInline(fn, userContext, min, extent, closure);
    uint64_t wall = nowNs() - start;
    cpu = threadCpuNs() - cpu;
    std::lock_guard<std::mutex> lock(statsMutex_);
    LoopStats &s = statsByFn_[fn];
    ++s.loops;
    ++s.inlineLoops;
    s.tasks += extent;
    s.wallNs += wall;
    s.callerBusyNs += cpu;
    return result;
  }

  bool notify;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_.fn = fn;
    job_.userContext = userContext;
    job_.closure = closure;
    job_.min = min;
    job_.extent = extent;
    // Blocks of extent / blocks indices, the first extent % blocks one
    // longer.
    int blocks = static_cast<int>(
        std::min<int64_t>(extent, static_cast<int64_t>(numThreads())));
    job_.blocks = blocks;
    int64_t start = 0;
    for (int b = 0; b < blocks; ++b) {
      int64_t size = extent / blocks + (b < extent % blocks ? 1 : 0);
      blocks_[b].next.store(start, std::memory_order_relaxed);
      blocks_[b].end = start + size;
      start += size;
    }
    job_.result.store(0, std::memory_order_relaxed);
    job_.open = true;
    job_.active.store(0, std::memory_order_relaxed);
    if (stats_) {
      job_.startNs = nowNs();
      job_.workerBusyNs.store(0, std::memory_order_relaxed);
      job_.firstWorkerNs.store(0, std::memory_order_relaxed);
      job_.workerTasks.store(0, std::memory_order_relaxed);
    }
    generation_.fetch_add(1, std::memory_order_release);
    notify = sleepers_ > 0;
  }
  if (notify)
    wake_.notify_all();

  t_inTask = true;
  uint64_t callerBusy = 0;
  int callerTasks = runTasks(0, stats_ ? &callerBusy : nullptr);
  uint64_t callerDone = stats_ ? nowNs() : 0;
  t_inTask = false;

  // No worker may join after this, and the job lives until all that joined
  // have left it: spin for them (they run their last task), then sleep.
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_.open = false;
  }
  spinWhile([this] { return job_.active.load() != 0; }, kJoinSpinNs);
  if (job_.active.load() != 0) {
    std::unique_lock<std::mutex> lock(mutex_);
    callerWaiting_.store(true);
    done_.wait(lock, [this] { return job_.active.load() == 0; });
    callerWaiting_.store(false);
  }
  int result = job_.result.load(std::memory_order_relaxed);
  if (stats_) {
    uint64_t end = nowNs();
    std::lock_guard<std::mutex> lock(statsMutex_);
    LoopStats &s = statsByFn_[fn];
    ++s.loops;
    s.tasks += extent;
    s.wallNs += end - job_.startNs;
    s.callerBusyNs += callerBusy;
    s.workerBusyNs += job_.workerBusyNs.load(std::memory_order_relaxed);
    s.workerTasks += job_.workerTasks.load(std::memory_order_relaxed);
    s.joinWaitNs += end - callerDone;
    if (uint64_t first = job_.firstWorkerNs.load()) {
      ++s.joinedLoops;
      s.wakeNs += first > job_.startNs ? first - job_.startNs : 0;
    }
    (void)callerTasks;
  }
  busy_.store(false, std::memory_order_release);
  return result;
}

void ThreadPool::printStats() {
  std::lock_guard<std::mutex> lock(statsMutex_);
  std::vector<std::pair<aicc_task_fn, LoopStats>> rows(statsByFn_.begin(),
                                                       statsByFn_.end());
  std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
    return a.second.wallNs > b.second.wallNs;
  });
  LoopStats total;
  for (const auto &[fn, s] : rows) {
    total.loops += s.loops;
    total.inlineLoops += s.inlineLoops;
    total.tasks += s.tasks;
    total.wallNs += s.wallNs;
    total.callerBusyNs += s.callerBusyNs;
    total.workerBusyNs += s.workerBusyNs;
    total.joinedLoops += s.joinedLoops;
    total.wakeNs += s.wakeNs;
    total.joinWaitNs += s.joinWaitNs;
  }
  std::fprintf(stderr,
               "pool stats (%u threads): per task function, sorted by wall "
               "time; per loop, in us: wall time, CPU time in tasks of the "
               "caller and the workers, time until the first worker started, "
               "the caller's wait for the last\n"
               "%10s %7s %8s %10s %10s %10s %8s %8s %8s  %s\n",
               numThreads(), "wall ms", "loops", "tasks/lp", "wall/lp",
               "caller cpu", "worker cpu", "wake", "joinwait", "inline",
               "function (nearest symbol)");
  auto row = [&](const LoopStats &s, const char *name) {
    double loops = s.loops ? static_cast<double>(s.loops) : 1.0;
    double joined = s.joinedLoops ? static_cast<double>(s.joinedLoops) : 1.0;
    std::fprintf(stderr,
                 "%10.3f %7llu %8.1f %10.1f %10.1f %10.1f %8.1f %8.1f "
                 "%8llu  %s\n",
                 s.wallNs * 1e-6, static_cast<unsigned long long>(s.loops),
                 s.tasks / loops, s.wallNs * 1e-3 / loops,
                 s.callerBusyNs * 1e-3 / loops, s.workerBusyNs * 1e-3 / loops,
                 s.wakeNs * 1e-3 / joined, s.joinWaitNs * 1e-3 / loops,
                 static_cast<unsigned long long>(s.inlineLoops), name);
  };
  for (const auto &[fn, s] : rows) {
    Dl_info info;
    char name[64];
    const char *symbol = nullptr;
    if (dladdr(reinterpret_cast<void *>(fn), &info) && info.dli_sname)
      symbol = info.dli_sname;
    std::snprintf(name, sizeof(name), "%p", reinterpret_cast<void *>(fn));
    std::string label =
        std::string(name) + (symbol ? " " : "") + (symbol ? symbol : "");
    row(s, label.c_str());
  }
  row(total, "total");
}
