//===- ScratchCacheTest.cpp - Reused scratch memory of CPU kernels --------===//

#include "hal/cpu/ScratchCache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

using aicc::cpu::ScratchCache;

namespace {

bool aligned(void *ptr) {
  return reinterpret_cast<uintptr_t>(ptr) % ScratchCache::kAlignment == 0;
}

// Tests that a kernel's repeated requests (the same sizes every call, as
// per-task buffers are) reuse the blocks of the previous call instead of
// allocating from the C library again.
TEST(ScratchCacheTest, ReusesFreedBlocks) {
  ScratchCache cache;
  std::vector<size_t> sizes = {1, 100, 4096, 300 * 1024, 350 * 1024};
  for (int call = 0; call < 5; ++call) {
    std::vector<void *> blocks;
    for (size_t size : sizes) {
      void *ptr = cache.allocate(size);
      ASSERT_NE(ptr, nullptr);
      EXPECT_TRUE(aligned(ptr));
      std::memset(ptr, 0xab, size); // The whole request is usable.
      blocks.push_back(ptr);
    }
    for (void *ptr : blocks)
      cache.release(ptr);
  }
  EXPECT_EQ(cache.systemAllocations(), sizes.size());
  EXPECT_GT(cache.cachedBytes(), 650u * 1024);
}

// Tests that live blocks are never handed out twice and that a block much
// larger than a request is not used for it.
TEST(ScratchCacheTest, DistinctLiveBlocksAndBoundedWaste) {
  ScratchCache cache;
  void *big = cache.allocate(1 << 20);
  cache.release(big);
  void *small = cache.allocate(1000);
  EXPECT_NE(small, big);
  void *a = cache.allocate(1 << 20);
  void *b = cache.allocate(1 << 20);
  EXPECT_EQ(a, big);
  EXPECT_NE(a, b);
  cache.release(a);
  cache.release(b);
  cache.release(small);
  cache.release(nullptr);
}

// Tests that freed blocks beyond the limit go back to the C library and
// that impossible sizes fail instead of wrapping around.
TEST(ScratchCacheTest, LimitAndOverflow) {
  ScratchCache cache(/*maxCachedBytes=*/64 * 1024);
  void *a = cache.allocate(48 * 1024);
  void *b = cache.allocate(48 * 1024);
  cache.release(a);
  cache.release(b);
  EXPECT_LE(cache.cachedBytes(), 64u * 1024);
  EXPECT_GT(cache.cachedBytes(), 0u);
  EXPECT_EQ(cache.allocate(SIZE_MAX), nullptr);
  EXPECT_EQ(cache.allocate(SIZE_MAX - 100), nullptr);
}

// Tests concurrent use from the threads of a parallel loop.
TEST(ScratchCacheTest, ThreadSafe) {
  ScratchCache cache;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        size_t size = 64 + 4096 * ((i + t) % 7);
        auto *ptr = static_cast<uint8_t *>(cache.allocate(size));
        ASSERT_NE(ptr, nullptr);
        ptr[0] = ptr[size - 1] = uint8_t(t);
        EXPECT_EQ(ptr[0], uint8_t(t));
        cache.release(ptr);
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  EXPECT_LE(cache.systemAllocations(), 4u * 7);
}

} // namespace
