//===- Checksum.h - aicc-hash64, the integrity checksum ----*- C++ -*-===//
//
// The writer stores a checksum of the FlatBuffer and of every segment; the
// loader recomputes them so that a corrupt file (a flipped byte anywhere) is
// an error before any code runs, not a wrong result or a crash inside
// dlopen. The hash only has to detect accidents, not attacks, but it must be
// fast enough to run over gigabytes of weights at load time: it reads 8-byte
// little-endian words into four independent lanes (memory bound on modern
// CPUs) and every step is a bijection of the lane state, so a change confined
// to one aligned 8-byte word always changes the result. docs/Artifact.md
// specifies the algorithm so that other writers can reproduce it.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_COMMON_CHECKSUM_H
#define AICC_RUNTIME_COMMON_CHECKSUM_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace aicc {

namespace detail {
constexpr uint64_t kHashPrime = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kHashPrime2 = 0xC2B2AE3D27D4EB4Full;

inline uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t hashRound(uint64_t lane, uint64_t word) {
  return rotl64((lane ^ word) * kHashPrime, 29);
}

inline uint64_t loadWord(const uint8_t *p) {
  uint64_t w;
  std::memcpy(&w, p, 8); // little-endian hosts only (checked by the loader)
  return w;
}
} // namespace detail

/// Computes aicc-hash64 of `size` bytes at `data`. The 8 bytes at
/// `zeroedOffset` (a multiple of 8, or SIZE_MAX for none) are read as zeros,
/// which lets a buffer carry its own checksum.
inline uint64_t checksum64(const void *data, size_t size,
                           size_t zeroedOffset = SIZE_MAX) {
  using namespace detail;
  const uint8_t *bytes = static_cast<const uint8_t *>(data);
  uint64_t lanes[4] = {0x243F6A8885A308D3ull, 0x13198A2E03707344ull,
                       0xA4093822299F31D0ull, 0x082EFA98EC4E6C89ull};
  size_t pos = 0;
  auto word = [&](size_t at) -> uint64_t {
    return at == zeroedOffset ? 0 : loadWord(bytes + at);
  };
  if (zeroedOffset == SIZE_MAX) {
    // Hot path for segments: no per-word comparison.
    for (; pos + 32 <= size; pos += 32) {
      lanes[0] = hashRound(lanes[0], loadWord(bytes + pos));
      lanes[1] = hashRound(lanes[1], loadWord(bytes + pos + 8));
      lanes[2] = hashRound(lanes[2], loadWord(bytes + pos + 16));
      lanes[3] = hashRound(lanes[3], loadWord(bytes + pos + 24));
    }
  } else {
    for (; pos + 32 <= size; pos += 32)
      for (int k = 0; k < 4; ++k)
        lanes[k] = hashRound(lanes[k], word(pos + 8 * k));
  }
  int lane = 0;
  for (; pos + 8 <= size; pos += 8, ++lane)
    lanes[lane] = hashRound(lanes[lane], word(pos));
  if (pos < size) {
    uint64_t tail = 0;
    std::memcpy(&tail, bytes + pos, size - pos);
    lanes[lane] = hashRound(lanes[lane], tail);
  }
  uint64_t h = kHashPrime2;
  for (uint64_t l : lanes)
    h = rotl64((h ^ l) * kHashPrime2, 31);
  h ^= static_cast<uint64_t>(size);
  // MurmurHash3's fmix64: a bijection that spreads every bit.
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

} // namespace aicc

#endif // AICC_RUNTIME_COMMON_CHECKSUM_H
