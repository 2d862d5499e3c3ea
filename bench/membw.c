// membw.c - Memory bandwidth bound for decode GEMVs (bench/membw).
//
// A STREAM-like triad (a = b + s*c, 3 streams, written a counted once) and
// a read-only sum (one stream: what a weight GEMV does) over buffers of
// --mb MiB per array, on 1..T threads (pthreads, the array split in equal
// contiguous chunks). Prints the best of --reps repetitions in GB/s.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  float *a, *b, *c;
  size_t begin, end;
  int kind; // 0 triad, 1 read
  double sum;
  pthread_barrier_t *barrier;
  int reps;
  double *times;
  double *cpu;
  int id;
} Task;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double cpuNow(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void *work(void *p) {
  Task *t = (Task *)p;
  for (int r = 0; r < t->reps; ++r) {
    pthread_barrier_wait(t->barrier);
    double start = now(), cpuStart = cpuNow();
    if (t->kind == 0) {
      for (size_t i = t->begin; i < t->end; ++i)
        t->a[i] = t->b[i] + 3.0f * t->c[i];
    } else {
      float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      size_t i = t->begin;
      for (; i + 8 <= t->end; i += 8) {
        s0 += t->b[i]; s1 += t->b[i + 1]; s2 += t->b[i + 2]; s3 += t->b[i + 3];
        s4 += t->b[i + 4]; s5 += t->b[i + 5]; s6 += t->b[i + 6]; s7 += t->b[i + 7];
      }
      t->sum += s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
    }
    double cpu = cpuNow() - cpuStart;
    if (cpu > t->cpu[r * 64 + t->id])
      t->cpu[r * 64 + t->id] = cpu;
    pthread_barrier_wait(t->barrier);
    if (t->id == 0)
      t->times[r] = now() - start;
  }
  return NULL;
}

int main(int argc, char **argv) {
  size_t mb = 512;
  int maxThreads = 2, reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--mb")) mb = strtoul(argv[i + 1], 0, 10);
    else if (!strcmp(argv[i], "--threads")) maxThreads = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--reps")) reps = atoi(argv[i + 1]);
  }
  size_t n = mb * 1024 * 1024 / sizeof(float);
  float *a = aligned_alloc(64, n * 4), *b = aligned_alloc(64, n * 4),
        *c = aligned_alloc(64, n * 4);
  if (!a || !b || !c) {
    fprintf(stderr, "membw: cannot allocate 3 x %zu MiB\n", mb);
    return 1;
  }
  for (size_t i = 0; i < n; ++i) { a[i] = 0; b[i] = 1; c[i] = 2; }
  printf("membw: %zu MiB per array, best of %d\n", mb, reps);
  for (int kind = 1; kind >= 0; --kind) {
    for (int threads = 1; threads <= maxThreads; ++threads) {
      pthread_barrier_t barrier;
      pthread_barrier_init(&barrier, NULL, threads);
      double *times = calloc(reps, sizeof(double));
      double *cpu = calloc(reps * 64, sizeof(double));
      Task tasks[64];
      pthread_t ids[64];
      for (int t = 0; t < threads; ++t) {
        tasks[t] = (Task){a, b, c, n * t / threads, n * (t + 1) / threads,
                          kind, 0, &barrier, reps, times, cpu, t};
        if (t) pthread_create(&ids[t], NULL, work, &tasks[t]);
      }
      work(&tasks[0]);
      for (int t = 1; t < threads; ++t) pthread_join(ids[t], NULL);
      // Wall: the slowest thread's span; CPU: the longest on-CPU time of a
      // thread (what the bandwidth is while the threads run, on a machine
      // whose other load preempts them).
      double best = times[0], bestCpu = 1e30;
      for (int r = 1; r < reps; ++r) if (times[r] < best) best = times[r];
      for (int r = 0; r < reps; ++r) {
        double worst = 0;
        for (int t = 0; t < threads; ++t)
          if (cpu[r * 64 + t] > worst) worst = cpu[r * 64 + t];
        if (worst < bestCpu) bestCpu = worst;
      }
      double bytes = (kind == 0 ? 3.0 : 1.0) * n * sizeof(float);
      printf("%-6s threads=%d  wall %.1f GB/s  on-CPU %.1f GB/s\n",
             kind == 0 ? "triad" : "read", threads, bytes / best / 1e9,
             bytes / bestCpu / 1e9);
      free(times);
      free(cpu);
      pthread_barrier_destroy(&barrier);
    }
  }
  return 0;
}
