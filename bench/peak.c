/*===- peak.c - Measured fp32 FMA peak of this machine (AVX-512) ----------===*
 *
 * bench/run compiles this at run time (cc -O2 -mavx512f -pthread) and runs
 *   peak THREADS ITERATIONS
 * Each thread runs 16 independent chains of 512-bit fused multiply-adds
 * (enough to cover the FMA latency on two FMA ports) from a common start
 * barrier; the line printed is the aggregate GFLOP/s (2 FLOPs per lane per
 * FMA, 16 lanes), i.e. THREADS * ITERATIONS * 16 * 16 * 2 / slowest thread.
 *
 *===----------------------------------------------------------------------===*/
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long iterations;
static pthread_barrier_t barrier;

struct Slot {
  double seconds;
  float sink;
};

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void *work(void *arg) {
  struct Slot *slot = arg;
  const __m512 b = _mm512_set1_ps(0.9999999f), c = _mm512_set1_ps(1e-7f);
  __m512 a0 = _mm512_set1_ps(1.0f), a1 = _mm512_set1_ps(1.1f),
         a2 = _mm512_set1_ps(1.2f), a3 = _mm512_set1_ps(1.3f),
         a4 = _mm512_set1_ps(1.4f), a5 = _mm512_set1_ps(1.5f),
         a6 = _mm512_set1_ps(1.6f), a7 = _mm512_set1_ps(1.7f),
         a8 = _mm512_set1_ps(1.8f), a9 = _mm512_set1_ps(1.9f),
         a10 = _mm512_set1_ps(2.0f), a11 = _mm512_set1_ps(2.1f),
         a12 = _mm512_set1_ps(2.2f), a13 = _mm512_set1_ps(2.3f),
         a14 = _mm512_set1_ps(2.4f), a15 = _mm512_set1_ps(2.5f);
  pthread_barrier_wait(&barrier);
  double start = now();
  for (long i = 0; i < iterations; ++i) {
#define FMA(x) x = _mm512_fmadd_ps(x, b, c)
    FMA(a0); FMA(a1); FMA(a2); FMA(a3); FMA(a4); FMA(a5); FMA(a6); FMA(a7);
    FMA(a8); FMA(a9); FMA(a10); FMA(a11); FMA(a12); FMA(a13); FMA(a14);
    FMA(a15);
#undef FMA
  }
  slot->seconds = now() - start;
  __m512 s = _mm512_add_ps(
      _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                    _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7))),
      _mm512_add_ps(
          _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)),
          _mm512_add_ps(_mm512_add_ps(a12, a13), _mm512_add_ps(a14, a15))));
  slot->sink = _mm512_reduce_add_ps(s);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: peak THREADS ITERATIONS\n");
    return 2;
  }
  int threads = atoi(argv[1]);
  iterations = atol(argv[2]);
  if (threads < 1 || iterations < 1)
    return 2;
  pthread_t *ids = calloc(threads, sizeof(pthread_t));
  struct Slot *slots = calloc(threads, sizeof(struct Slot));
  pthread_barrier_init(&barrier, NULL, threads);
  for (int t = 0; t < threads; ++t)
    pthread_create(&ids[t], NULL, work, &slots[t]);
  double slowest = 0, sink = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(ids[t], NULL);
    if (slots[t].seconds > slowest)
      slowest = slots[t].seconds;
    sink += slots[t].sink;
  }
  double flops = (double)threads * iterations * 16 * 16 * 2;
  printf("%.3f GFLOP/s (%d threads, %.3f s, sink %g)\n", flops / slowest / 1e9,
         threads, slowest, sink);
  return 0;
}
