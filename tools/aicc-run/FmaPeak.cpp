//===- FmaPeak.cpp - Measures the fp32 FMA peak of this machine -----------===//
//
// Twelve independent accumulators cover the FMA latency times the number of
// FMA ports of current x86 cores (4 cycles x 2 ports), so the loop is bound
// by FMA throughput. The clock is read every few thousand iterations only.
//
//===----------------------------------------------------------------------===//

#include "FmaPeak.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace aicc::tool;

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kChains = 12;
constexpr long kItersPerCheck = 4096;

/// Keeps the accumulators alive so the loop is not optimized away.
std::atomic<float> sink{0};

double elapsed(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

#if defined(__x86_64__)
__attribute__((target("avx512f"))) uint64_t fmaLoopAvx512(double seconds) {
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_ps(0.001f * c);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  uint64_t iterations = 0;
  auto start = Clock::now();
  do {
    for (long i = 0; i < kItersPerCheck; ++i)
      for (int c = 0; c < kChains; ++c)
        acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    iterations += kItersPerCheck;
  } while (elapsed(start) < seconds);
  float lanes[16];
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm512_add_ps(sum, acc[c]);
  _mm512_storeu_ps(lanes, sum);
  sink.store(lanes[0] + lanes[15], std::memory_order_relaxed);
  return iterations * kChains * 16 * 2;
}

__attribute__((target("avx2,fma"))) uint64_t fmaLoopAvx2(double seconds) {
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm256_set1_ps(0.001f * c);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  uint64_t iterations = 0;
  auto start = Clock::now();
  do {
    for (long i = 0; i < kItersPerCheck; ++i)
      for (int c = 0; c < kChains; ++c)
        acc[c] = _mm256_fmadd_ps(acc[c], a, b);
    iterations += kItersPerCheck;
  } while (elapsed(start) < seconds);
  float lanes[8];
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c)
    sum = _mm256_add_ps(sum, acc[c]);
  _mm256_storeu_ps(lanes, sum);
  sink.store(lanes[0] + lanes[7], std::memory_order_relaxed);
  return iterations * kChains * 8 * 2;
}
#endif

uint64_t fmaLoopScalar(double seconds) {
  float acc[kChains];
  for (int c = 0; c < kChains; ++c)
    acc[c] = 0.001f * c;
  uint64_t iterations = 0;
  auto start = Clock::now();
  do {
    for (long i = 0; i < kItersPerCheck; ++i)
      for (int c = 0; c < kChains; ++c)
        acc[c] = acc[c] * 0.999999f + 1e-7f;
    iterations += kItersPerCheck;
  } while (elapsed(start) < seconds);
  float sum = 0;
  for (float value : acc)
    sum += value;
  sink.store(sum, std::memory_order_relaxed);
  return iterations * kChains * 2;
}

/// GFLOP/s of `loop` run on `threads` threads at once for `seconds`.
double runTrial(uint64_t (*loop)(double), uint32_t threads, double seconds) {
  std::vector<uint64_t> flops(threads, 0);
  std::atomic<uint32_t> ready{0};
  std::atomic<bool> go{false};
  auto worker = [&](uint32_t index) {
    ready.fetch_add(1);
    while (!go.load(std::memory_order_acquire))
      std::this_thread::yield();
    flops[index] = loop(seconds);
  };
  std::vector<std::thread> pool;
  for (uint32_t t = 1; t < threads; ++t)
    pool.emplace_back(worker, t);
  while (ready.load() + 1 < threads)
    std::this_thread::yield();
  auto start = Clock::now();
  go.store(true, std::memory_order_release);
  worker(0);
  for (std::thread &thread : pool)
    thread.join();
  double time = elapsed(start);
  uint64_t total = 0;
  for (uint64_t count : flops)
    total += count;
  return time > 0 ? total / time * 1e-9 : 0;
}

} // namespace

FmaPeak aicc::tool::measureFmaPeak(uint32_t threads, double seconds) {
  FmaPeak peak;
  uint64_t (*loop)(double) = fmaLoopScalar;
  peak.isa = "scalar";
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) {
    loop = fmaLoopAvx512;
    peak.isa = "AVX-512";
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    loop = fmaLoopAvx2;
    peak.isa = "AVX2+FMA";
  }
#endif
  if (threads == 0)
    threads = 1;
  // The best of several short trials: other processes on the machine only
  // ever make a trial slower, so the fastest is the closest to the peak.
  constexpr int kTrials = 5;
  for (int trial = 0; trial < kTrials; ++trial) {
    double gflops = runTrial(loop, threads, seconds / kTrials);
    if (gflops > peak.gflops)
      peak.gflops = gflops;
  }
  return peak;
}
