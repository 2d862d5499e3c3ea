//===- ScratchCache.cpp - Reused scratch memory of CPU kernels ------------===//

#include "hal/cpu/ScratchCache.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

using namespace aicc::cpu;

namespace {

/// Each block starts with a header of one alignment unit holding its
/// capacity (the usable bytes after the header).
constexpr size_t kHeader = ScratchCache::kAlignment;

/// Requests up to this size are rounded to the alignment, larger ones to
/// pages, so that the repeated requests of one kernel map to a few sizes.
constexpr size_t kPage = 4096;

/// A cached block serves a request when it wastes at most this much: the
/// request's size again plus a page (a huge block kept for a small request
/// would make the next huge request allocate anew).
bool fits(size_t capacity, size_t request) {
  return capacity >= request && capacity - request <= request + kPage;
}

size_t roundUp(size_t bytes, size_t unit) {
  size_t rounded = (bytes + unit - 1) & ~(unit - 1);
  return rounded < bytes ? 0 : rounded; // 0: overflow.
}

size_t &capacityOf(void *ptr) {
  return *reinterpret_cast<size_t *>(static_cast<uint8_t *>(ptr) - kHeader);
}

} // namespace

ScratchCache::~ScratchCache() {
  for (const Block &block : free_)
    std::free(block.base);
}

void *ScratchCache::allocate(size_t bytes) {
  size_t request = roundUp(bytes ? bytes : 1, kAlignment);
  if (request > kPage)
    request = roundUp(request, kPage);
  if (request == 0 || request > SIZE_MAX - kHeader)
    return nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = std::lower_bound(
        free_.begin(), free_.end(), request,
        [](const Block &block, size_t size) { return block.capacity < size; });
    if (it != free_.end() && fits(it->capacity, request)) {
      void *base = it->base;
      cachedBytes_ -= it->capacity;
      free_.erase(it);
      return static_cast<uint8_t *>(base) + kHeader;
    }
    ++systemAllocations_;
  }
  void *base = std::aligned_alloc(kAlignment, kHeader + request);
  if (!base)
    return nullptr;
  void *ptr = static_cast<uint8_t *>(base) + kHeader;
  capacityOf(ptr) = request;
  return ptr;
}

void ScratchCache::release(void *ptr) {
  if (!ptr)
    return;
  size_t capacity = capacityOf(ptr);
  void *base = static_cast<uint8_t *>(ptr) - kHeader;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cachedBytes_ + capacity <= maxCachedBytes_) {
      auto it = std::lower_bound(free_.begin(), free_.end(), capacity,
                                 [](const Block &block, size_t size) {
                                   return block.capacity < size;
                                 });
      free_.insert(it, Block{base, capacity});
      cachedBytes_ += capacity;
      return;
    }
  }
  std::free(base);
}

size_t ScratchCache::cachedBytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  return cachedBytes_;
}

size_t ScratchCache::systemAllocations() {
  std::lock_guard<std::mutex> lock(mutex_);
  return systemAllocations_;
}
