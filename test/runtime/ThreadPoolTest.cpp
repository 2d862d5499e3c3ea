//===- ThreadPoolTest.cpp - The CPU driver's parallel_for pool ------------===//

#include "hal/cpu/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>
#include <vector>

using aicc::cpu::ThreadPool;

namespace {

struct Counts {
  std::vector<std::atomic<int>> hits;
  explicit Counts(size_t n) : hits(n) {}
};

int countTask(void *, int index, uint8_t *closure) {
  reinterpret_cast<Counts *>(closure)->hits[index].fetch_add(1);
  return 0;
}

TEST(ThreadPoolTest, RunsEveryIndexExactlyOnce) {
  for (uint32_t threads : {1u, 2u, 3u, 8u}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.numThreads(), threads);
    for (int extent : {0, 1, 2, 7, 1000}) {
      Counts counts(1000 + 10);
      ASSERT_EQ(pool.parallelFor(countTask, nullptr, 10, extent,
                                 reinterpret_cast<uint8_t *>(&counts)),
                0);
      for (int i = 0; i < 1010; ++i)
        ASSERT_EQ(counts.hits[i].load(), i >= 10 && i < 10 + extent ? 1 : 0)
            << "threads " << threads << " extent " << extent << " i " << i;
    }
  }
}

struct ThreadIds {
  std::mutex mutex;
  std::set<std::thread::id> ids;
};

int recordThread(void *, int, uint8_t *closure) {
  auto *ids = reinterpret_cast<ThreadIds *>(closure);
  // Long enough that several workers get a share.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::lock_guard<std::mutex> lock(ids->mutex);
  ids->ids.insert(std::this_thread::get_id());
  return 0;
}

TEST(ThreadPoolTest, UsesTheWorkers) {
  ThreadPool pool(4);
  ThreadIds ids;
  ASSERT_EQ(pool.parallelFor(recordThread, nullptr, 0, 64,
                             reinterpret_cast<uint8_t *>(&ids)),
            0);
  EXPECT_GT(ids.ids.size(), 1u);
}

int failAbove(void *, int index, uint8_t *) { return index >= 50 ? -3 : 0; }

TEST(ThreadPoolTest, ReturnsAFailure) {
  ThreadPool pool(4);
  for (int round = 0; round < 50; ++round)
    ASSERT_EQ(pool.parallelFor(failAbove, nullptr, 0, 100, nullptr), -3);
  ThreadPool serial(1);
  EXPECT_EQ(serial.parallelFor(failAbove, nullptr, 0, 100, nullptr), -3);
}

struct Nested {
  ThreadPool *pool;
  std::atomic<int> inner{0};
};

int innerTask(void *, int, uint8_t *closure) {
  reinterpret_cast<Nested *>(closure)->inner.fetch_add(1);
  return 0;
}

int outerTask(void *, int, uint8_t *closure) {
  auto *nested = reinterpret_cast<Nested *>(closure);
  return nested->pool->parallelFor(innerTask, nullptr, 0, 10, closure);
}

TEST(ThreadPoolTest, NestedLoopsRunInline) {
  ThreadPool pool(4);
  Nested nested;
  nested.pool = &pool;
  ASSERT_EQ(pool.parallelFor(outerTask, nullptr, 0, 20,
                             reinterpret_cast<uint8_t *>(&nested)),
            0);
  EXPECT_EQ(nested.inner.load(), 200);
}

TEST(ThreadPoolTest, ManyBackToBackLoops) {
  ThreadPool pool(3);
  Counts counts(16);
  for (int round = 0; round < 2000; ++round)
    ASSERT_EQ(pool.parallelFor(countTask, nullptr, 0, 16,
                               reinterpret_cast<uint8_t *>(&counts)),
              0);
  for (auto &hits : counts.hits)
    EXPECT_EQ(hits.load(), 2000);
}

struct Finished {
  std::atomic<int> count{0};
  int sleepMicros = 0;
};

int sleepThenCount(void *, int index, uint8_t *closure) {
  auto *finished = reinterpret_cast<Finished *>(closure);
  // Odd tasks last long: a worker still runs one when the caller has run
  // out of tasks, which it then spins for, or (past its spin) sleeps for.
  if (index % 2)
    std::this_thread::sleep_for(
        std::chrono::microseconds(finished->sleepMicros));
  finished->count.fetch_add(1);
  return 0;
}

TEST(ThreadPoolTest, ReturnsOnlyAfterTheLastTask) {
  ThreadPool pool(2);
  for (int sleepMicros : {0, 50, 2000, 20000})
    for (int round = 0; round < 10; ++round) {
      Finished finished;
      finished.sleepMicros = sleepMicros;
      ASSERT_EQ(pool.parallelFor(sleepThenCount, nullptr, 0, 3,
                                 reinterpret_cast<uint8_t *>(&finished)),
                0);
      ASSERT_EQ(finished.count.load(), 3)
          << "sleep " << sleepMicros << " us, round " << round;
    }
}

struct FirstWorkerTask {
  std::thread::id caller;
  std::atomic<int> index{-1};
};

int recordFirstWorkerTask(void *, int index, uint8_t *closure) {
  auto *first = reinterpret_cast<FirstWorkerTask *>(closure);
  if (std::this_thread::get_id() != first->caller) {
    int none = -1;
    first->index.compare_exchange_strong(none, index);
  } else if (index == 0) {
    // Keep the caller on its first task until a worker has taken one.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (first->index.load() < 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
  }
  return 0;
}

TEST(ThreadPoolTest, EachThreadStartsWithItsOwnBlock) {
  // Each thread owns a contiguous block of the indices (the caller the
  // first) and takes others' only when its own are done: while the caller
  // runs index 0, the worker of a 2-thread pool starts at index 4 of 8
  // (with one shared counter it would take index 1).
  ThreadPool pool(2);
  for (int round = 0; round < 5; ++round) {
    FirstWorkerTask first;
    first.caller = std::this_thread::get_id();
    ASSERT_EQ(pool.parallelFor(recordFirstWorkerTask, nullptr, 0, 8,
                               reinterpret_cast<uint8_t *>(&first)),
              0);
    EXPECT_EQ(first.index.load(), 4) << "round " << round;
  }
}

/// Sets an environment variable for the scope (the pool reads its
/// settings when constructed).
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }

private:
  const char *name_;
};

TEST(ThreadPoolTest, WorkersThatSleepAtOnceStillRunEveryLoop) {
  // AICC_POOL_SPIN_US=0: workers sleep after every loop, so each loop wakes
  // them (the futex path, which spinning workers skip).
  ScopedEnv spin("AICC_POOL_SPIN_US", "0");
  ThreadPool pool(3);
  Counts counts(16);
  for (int round = 0; round < 500; ++round) {
    ASSERT_EQ(pool.parallelFor(countTask, nullptr, 0, 16,
                               reinterpret_cast<uint8_t *>(&counts)),
              0);
    if (round % 50 == 0)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  for (auto &hits : counts.hits)
    EXPECT_EQ(hits.load(), 500);
}

TEST(ThreadPoolTest, StatsCountLoopsAndTasks) {
  ScopedEnv stats("AICC_POOL_STATS", "1");
  testing::internal::CaptureStderr();
  {
    ThreadPool pool(2);
    Counts counts(16);
    for (int round = 0; round < 7; ++round)
      ASSERT_EQ(pool.parallelFor(countTask, nullptr, 0, 16,
                                 reinterpret_cast<uint8_t *>(&counts)),
                0);
    // A loop of one task runs inline.
    ASSERT_EQ(pool.parallelFor(countTask, nullptr, 0, 1,
                               reinterpret_cast<uint8_t *>(&counts)),
              0);
  }
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("pool stats (2 threads)"), std::string::npos) << out;
  // One row for countTask: 8 loops, 113 tasks (14.1 per loop), 1 inline.
  EXPECT_NE(out.find("      8     14.1"), std::string::npos) << out;
  EXPECT_NE(out.find("       1  "), std::string::npos) << out;
}

TEST(ThreadPoolTest, WithoutStatsPrintsNothing) {
  testing::internal::CaptureStderr();
  {
    ThreadPool pool(2);
    Counts counts(4);
    ASSERT_EQ(pool.parallelFor(countTask, nullptr, 0, 4,
                               reinterpret_cast<uint8_t *>(&counts)),
              0);
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(ThreadPoolTest, DefaultThreadCountIsPositive) {
  EXPECT_GE(ThreadPool::defaultThreadCount(), 1u);
}

} // namespace
