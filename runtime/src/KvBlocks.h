//===- KvBlocks.h - Blocks of a paged KV-cache state pool -------*- C++ -*-===//
//
// --kv-cache-layout=paged:block=B (docs/Artifact.md "Paged KV cache"): a
// KV state pool is `blocks` physical blocks of B token rows, and a block
// table (int32 per logical block, another state pool that the kernels read)
// says where each logical block of the sequence lies. The session reserves
// the pool's address range without committing it (reservePoolMemory) and
// hands blocks out from a free list as the sequence grows, so the memory a
// session uses follows the sequence, not the maximum length; a reset gives
// the blocks back (and their memory to the system), and the next sequence
// gets them in another order (the table is a real indirection).
//
//===----------------------------------------------------------------------===//
#ifndef AICC_RUNTIME_SRC_KVBLOCKS_H
#define AICC_RUNTIME_SRC_KVBLOCKS_H

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#define AICC_KV_BLOCKS_MMAP 1
#endif

namespace aicc {

/// Reserves `size` bytes of zeroed memory that is committed page by page on
/// first touch (mmap with MAP_NORESERVE), or null. Free with
/// releasePoolMemory.
inline uint8_t *reservePoolMemory(uint64_t size) {
#ifdef AICC_KV_BLOCKS_MMAP
  void *memory = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return memory == MAP_FAILED ? nullptr : static_cast<uint8_t *>(memory);
#else
  return static_cast<uint8_t *>(std::calloc(1, size));
#endif
}

inline void releasePoolMemory(uint8_t *memory, uint64_t size) {
  if (!memory)
    return;
#ifdef AICC_KV_BLOCKS_MMAP
  munmap(memory, size);
#else
  (void)size;
  std::free(memory);
#endif
}

/// The block allocator of one paged pool.
class KvBlocks {
public:
  /// `blocks` blocks of `blockTokens` rows of `rowBytes` at `base`, the
  /// table (`blocks` int32) at `table`. `reserved`: `base` comes from
  /// reservePoolMemory (released blocks are given back to the system).
  void init(uint8_t *base, int32_t *table, uint32_t blocks,
            uint32_t blockTokens, uint64_t rowBytes, bool reserved) {
    base_ = base;
    table_ = table;
    blocks_ = blocks;
    blockTokens_ = blockTokens;
    rowBytes_ = rowBytes;
    reserved_ = reserved;
    mapped_ = 0;
    // A stack: block 0 is handed out first.
    free_.clear();
    for (uint32_t i = blocks; i-- > 0;)
      free_.push_back(static_cast<int32_t>(i));
    std::memset(table_, 0, sizeof(int32_t) * blocks_);
  }

  /// Maps logical blocks [0, count) (taking the missing ones from the free
  /// list). False when the pool has fewer blocks.
  bool map(uint64_t count) {
    if (count > blocks_)
      return false;
    while (mapped_ < count) {
      table_[mapped_++] = free_.back();
      free_.pop_back();
    }
    return true;
  }
  /// Maps the blocks that hold rows [0, rows).
  bool mapRows(uint64_t rows) {
    return map((rows + blockTokens_ - 1) / blockTokens_);
  }

  /// Gives every mapped block back: the last mapped is the first handed
  /// out again. Their memory returns to the system (reads see zeros).
  void release() {
    for (uint32_t i = 0; i < mapped_; ++i) {
      free_.push_back(table_[i]);
      discard(table_[i]);
      table_[i] = 0;
    }
    mapped_ = 0;
  }

  /// Copies `rows` rows from `source` to logical rows [firstRow, firstRow +
  /// rows), which must be mapped.
  void write(uint64_t firstRow, const uint8_t *source, uint64_t rows) const {
    while (rows) {
      uint64_t block = firstRow / blockTokens_,
               offset = firstRow % blockTokens_;
      uint64_t n = std::min<uint64_t>(rows, blockTokens_ - offset);
      std::memcpy(base_ + (uint64_t(table_[block]) * blockTokens_ + offset) *
                              rowBytes_,
                  source, n * rowBytes_);
      source += n * rowBytes_;
      firstRow += n;
      rows -= n;
    }
  }

  uint32_t mappedBlocks() const { return mapped_; }
  uint32_t blocks() const { return blocks_; }
  uint64_t blockBytes() const { return uint64_t(blockTokens_) * rowBytes_; }
  /// Bytes of the blocks in use (what a sequence of this length needs).
  uint64_t committedBytes() const { return mapped_ * blockBytes(); }
  const int32_t *table() const { return table_; }

private:
  /// Returns block `block`'s whole pages to the system.
  void discard(int32_t block) {
#ifdef AICC_KV_BLOCKS_MMAP
    if (!reserved_)
      return;
    uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    uintptr_t begin =
        reinterpret_cast<uintptr_t>(base_) + uint64_t(block) * blockBytes();
    uintptr_t end = begin + blockBytes();
    begin = (begin + page - 1) / page * page;
    end = end / page * page;
    if (end > begin)
      madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED);
#else
    (void)block;
#endif
  }

  uint8_t *base_ = nullptr;
  int32_t *table_ = nullptr;
  uint32_t blocks_ = 0, blockTokens_ = 1, mapped_ = 0;
  uint64_t rowBytes_ = 0;
  bool reserved_ = false;
  std::vector<int32_t> free_;
};

} // namespace aicc

#endif // AICC_RUNTIME_SRC_KVBLOCKS_H
