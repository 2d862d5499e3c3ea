/*===- ConcurrentSessions.c - Many threads over one loaded module --------===*\
|*                                                                          *|
|*   aicc-concurrent-sessions MODULE X.npy Y.npy [THREADS [RUNS]]           *|
|*                                                                          *|
|* Loads MODULE once and starts THREADS threads (default 8) that each       *|
|* retain the module, create their own session (thread pools of 1 to 3      *|
|* threads), run it RUNS times (default 20) on X and compare every result   *|
|* bit for bit with Y, then release everything; the main thread drops its   *|
|* own reference while they run. Two more threads share one session: each   *|
|* run is either correct or refused with BUSY, never a wrong result.        *|
|* Plain C against the public header, as an embedding application would     *|
|* use the runtime; scripts/runtime-tsan.sh runs it under ThreadSanitizer.  *|
|* X and Y are .npy files (version 1.0, f32) written by                     *|
|* aicc-make-test-module.                                                   *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "aicc/runtime.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  float *data;
  int64_t dims[2];
  size_t count;
} Array;

/* Reads a 2-D f32 .npy (version 1.0) as aicc-make-test-module writes it. */
static int readNpy(const char *path, Array *out) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return 0;
  unsigned char head[10];
  if (fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY\x01", 7)) {
    fclose(f);
    return 0;
  }
  size_t headerLength = (size_t)head[8] | ((size_t)head[9] << 8);
  char *header = calloc(headerLength + 1, 1);
  long long rows = 0, cols = 0;
  int ok = fread(header, 1, headerLength, f) == headerLength &&
           strstr(header, "'<f4'") != NULL;
  const char *shape = ok ? strstr(header, "'shape': (") : NULL;
  ok = shape && sscanf(shape, "'shape': (%lld, %lld)", &rows, &cols) == 2;
  free(header);
  if (!ok || rows <= 0 || cols <= 0) {
    fclose(f);
    return 0;
  }
  out->dims[0] = rows;
  out->dims[1] = cols;
  out->count = (size_t)(rows * cols);
  out->data = malloc(out->count * sizeof(float));
  ok = fread(out->data, sizeof(float), out->count, f) == out->count;
  fclose(f);
  return ok;
}

static aicc_module_t *module;
static Array x, y;
static int runs = 20;
static aicc_session_t *shared;

static aicc_status_t runOnce(aicc_session_t *session, int *wrong) {
  float *result = malloc(y.count * sizeof(float));
  aicc_tensor_view_t in = {x.data, AICC_ELEMENT_TYPE_F32, 2, x.dims,
                           x.count * sizeof(float)};
  aicc_tensor_view_t out = {result, AICC_ELEMENT_TYPE_F32, 2, y.dims,
                            y.count * sizeof(float)};
  aicc_status_t status = aicc_session_run(session, &in, 1, &out, 1);
  if (!status && memcmp(result, y.data, y.count * sizeof(float)))
    *wrong = 1;
  free(result);
  return status;
}

/* Own session: every run must succeed and be exact. */
static void *ownSession(void *arg) {
  intptr_t index = (intptr_t)arg;
  aicc_module_t *m = (aicc_module_t *)module;
  aicc_session_options_t options;
  aicc_session_options_init(&options);
  options.num_threads = 1 + (uint32_t)(index % 3);
  aicc_session_t *session = NULL;
  aicc_status_t status = aicc_session_create(m, &options, &session);
  if (status) {
    fprintf(stderr, "thread %d: %s\n", (int)index, aicc_status_message(status));
    aicc_status_free(status);
    aicc_module_release(m);
    return (void *)1;
  }
  intptr_t failed = 0;
  for (int r = 0; r < runs && !failed; ++r) {
    int wrong = 0;
    status = runOnce(session, &wrong);
    if (status) {
      fprintf(stderr, "thread %d run %d: %s\n", (int)index, r,
              aicc_status_message(status));
      aicc_status_free(status);
      failed = 1;
    } else if (wrong) {
      fprintf(stderr, "thread %d run %d: wrong result\n", (int)index, r);
      failed = 1;
    }
  }
  aicc_session_destroy(session);
  aicc_module_release(m);
  return (void *)failed;
}

/* Shared session: OK and exact, or BUSY. */
static void *sharedSession(void *arg) {
  (void)arg;
  intptr_t failed = 0;
  for (int r = 0; r < runs && !failed; ++r) {
    int wrong = 0;
    aicc_status_t status = runOnce(shared, &wrong);
    if (status) {
      if (aicc_status_code(status) != AICC_STATUS_BUSY) {
        fprintf(stderr, "shared session: %s\n", aicc_status_message(status));
        failed = 1;
      }
      aicc_status_free(status);
    } else if (wrong) {
      fprintf(stderr, "shared session run %d: wrong result\n", r);
      failed = 1;
    }
  }
  return (void *)failed;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 6) {
    fprintf(stderr, "usage: %s MODULE X.npy Y.npy [THREADS [RUNS]]\n", argv[0]);
    return 2;
  }
  int threads = argc > 4 ? atoi(argv[4]) : 8;
  if (argc > 5)
    runs = atoi(argv[5]);
  if (threads < 1 || threads > 256 || runs < 1 || !readNpy(argv[2], &x) ||
      !readNpy(argv[3], &y) || x.count != y.count) {
    fprintf(stderr, "error: bad arguments or .npy files\n");
    return 2;
  }
  aicc_runtime_t *runtime = NULL;
  aicc_status_t status = aicc_runtime_create(&runtime);
  if (!status)
    status = aicc_module_load_file(runtime, argv[1], &module);
  if (!status)
    status = aicc_session_create(module, NULL, &shared);
  if (status) {
    fprintf(stderr, "error: %s\n", aicc_status_message(status));
    return 1;
  }
  pthread_t *ids = calloc((size_t)threads + 2, sizeof(pthread_t));
  for (int t = 0; t < threads; ++t) {
    aicc_module_retain(module); /* released by the thread */
    pthread_create(&ids[t], NULL, ownSession, (void *)(intptr_t)t);
  }
  pthread_create(&ids[threads], NULL, sharedSession, NULL);
  pthread_create(&ids[threads + 1], NULL, sharedSession, NULL);
  /* The threads keep the module alive. */
  aicc_module_release(module);
  int failures = 0;
  for (int t = 0; t < threads + 2; ++t) {
    void *result = NULL;
    pthread_join(ids[t], &result);
    failures += result != NULL;
  }
  aicc_session_destroy(shared);
  aicc_runtime_release(runtime);
  free(ids);
  free(x.data);
  free(y.data);
  if (failures) {
    fprintf(stderr, "%d of %d threads failed\n", failures, threads + 2);
    return 1;
  }
  printf("%d threads x %d runs on one module: all results exact\n", threads + 2,
         runs);
  return 0;
}
