//===- ScratchCache.h - Reused scratch memory of CPU kernels ----*- C++ -*-===//
//
// The memory kernels ask for while they run (Halide's halide_malloc: a
// folded pad's planes, an expand conv's channels, a row group's rows), once
// per parallel task and kernel call. Large requests from the C library come
// from mmap, or from a heap it trims back to the OS on free, so each call
// page-faults its scratch memory in again: on MobileNetV2 ~2,000 page
// faults per inference, a sixth of its CPU time in the kernel's fault
// handler (and, with two threads, TLB shootdowns on every munmap). The
// cache keeps freed blocks (up to a limit) and hands them out again, best
// fit, so a model's steady state allocates nothing from the OS.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_HAL_CPU_SCRATCHCACHE_H
#define AICC_RUNTIME_HAL_CPU_SCRATCHCACHE_H

#include <cstddef>
#include <mutex>
#include <vector>

namespace aicc {
namespace cpu {

class ScratchCache {
public:
  /// Bytes of freed blocks kept for reuse by default; beyond that a freed
  /// block goes back to the C library.
  static constexpr size_t kDefaultMaxCachedBytes = size_t(64) << 20;
  /// Alignment of every block handed out (a cache line, an AVX-512 vector).
  static constexpr size_t kAlignment = 64;

  explicit ScratchCache(size_t maxCachedBytes = kDefaultMaxCachedBytes)
      : maxCachedBytes_(maxCachedBytes) {}
  ~ScratchCache();
  ScratchCache(const ScratchCache &) = delete;
  ScratchCache &operator=(const ScratchCache &) = delete;

  /// At least `bytes` bytes (at least 1), kAlignment-aligned; nullptr when
  /// out of memory. Thread-safe.
  void *allocate(size_t bytes);
  /// Returns a block from allocate() (nullptr: nothing). Thread-safe.
  void release(void *ptr);

  /// Bytes of the blocks cached now (for tests).
  size_t cachedBytes();
  /// Blocks allocated from the C library so far (for tests).
  size_t systemAllocations();

private:
  struct Block {
    void *base;
    size_t capacity;
  };

  std::mutex mutex_;
  /// Free blocks, sorted by capacity.
  std::vector<Block> free_;
  size_t cachedBytes_ = 0;
  size_t systemAllocations_ = 0;
  const size_t maxCachedBytes_;
};

} // namespace cpu
} // namespace aicc

#endif // AICC_RUNTIME_HAL_CPU_SCRATCHCACHE_H
