/*===- test_kernels.c - Hand-written kernels for the runtime tests -------===*\
|*                                                                            *|
|* Stand-ins for compiler-generated code: each function follows             *|
|* aicc/kernel_abi.h and is compiled by the system C compiler into a shared  *|
|* object that the tests embed in hand-built artifacts. Push constants carry *|
|* the sizes, as generated kernels for static shapes would bake them in.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "aicc/kernel_abi.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef AICC_TEST_BAD_ABI
const uint32_t aicc_kernel_abi_version = AICC_KERNEL_ABI_VERSION + 100;
#else
const uint32_t aicc_kernel_abi_version = AICC_KERNEL_ABI_VERSION;
#endif

/* Does nothing: measures dispatch overhead. */
int32_t empty_kernel(const aicc_kernel_env *env, void *const *bindings,
                     const int64_t *push) {
  (void)env, (void)bindings, (void)push;
  return 0;
}

/* c[i] = a[i] + b[i] for i < push[0]. Bindings: a, b, c. */
int32_t add_f32(const aicc_kernel_env *env, void *const *bindings,
                const int64_t *push) {
  (void)env;
  const float *a = (const float *)bindings[0];
  const float *b = (const float *)bindings[1];
  float *c = (float *)bindings[2];
  for (int64_t i = 0; i < push[0]; ++i)
    c[i] = a[i] + b[i];
  return 0;
}

/* c[i] = a[i] + b[i] for i < push[0], and reads the last byte a kernel may
   read past `a` (AICC_KERNEL_READ_SLACK), as a vectorized kernel's rounded-up
   tail does. Bindings: a, b, c. */
int32_t add_f32_overread(const aicc_kernel_env *env, void *const *bindings,
                         const int64_t *push) {
  const volatile uint8_t *a = (const volatile uint8_t *)bindings[0];
  (void)a[push[0] * (int64_t)sizeof(float) + AICC_KERNEL_READ_SLACK - 1];
  return add_f32(env, bindings, push);
}

/* Closure of mul_rows_parallel's tasks. */
struct mul_rows_closure {
  const float *x, *w;
  float *out;
  int64_t cols;
};

static int mul_row(void *user_context, int row, uint8_t *closure) {
  (void)user_context;
  const struct mul_rows_closure *c = (const struct mul_rows_closure *)closure;
  for (int64_t j = 0; j < c->cols; ++j)
    c->out[row * c->cols + j] =
        c->x[row * c->cols + j] * c->w[row * c->cols + j];
  return 0;
}

/* out = x * w elementwise, one parallel task per row.
   Bindings: x, w, out. Push: rows, cols. */
int32_t mul_rows_parallel(const aicc_kernel_env *env, void *const *bindings,
                          const int64_t *push) {
  struct mul_rows_closure closure = {(const float *)bindings[0],
                                     (const float *)bindings[1],
                                     (float *)bindings[2], push[1]};
  return env->parallel_for(env, mul_row, 0, (int)push[0], (uint8_t *)&closure);
}

/* y[r, c] = max(x[r, c] + bias[c], 0). Bindings: x, bias, y. Push: rows,
   cols. */
int32_t add_bias_relu(const aicc_kernel_env *env, void *const *bindings,
                      const int64_t *push) {
  (void)env;
  const float *x = (const float *)bindings[0];
  const float *bias = (const float *)bindings[1];
  float *y = (float *)bindings[2];
  for (int64_t r = 0; r < push[0]; ++r)
    for (int64_t c = 0; c < push[1]; ++c) {
      float v = x[r * push[1] + c] + bias[c];
      y[r * push[1] + c] = v > 0 ? v : 0;
    }
  return 0;
}

/* Reports an error and fails with code 7. */
int32_t fail_kernel(const aicc_kernel_env *env, void *const *bindings,
                    const int64_t *push) {
  (void)bindings, (void)push;
  env->report_error(env, "deliberate failure from fail_kernel");
  return 7;
}

static int fail_at_five(void *user_context, int index, uint8_t *closure) {
  (void)closure;
  if (index == 5) {
    const aicc_kernel_env *env = (const aicc_kernel_env *)user_context;
    env->report_error(env, "task 5 failed");
    return 42;
  }
  return 0;
}

/* A parallel loop whose task 5 fails; returns what parallel_for returned. */
int32_t parallel_fail(const aicc_kernel_env *env, void *const *bindings,
                      const int64_t *push) {
  (void)bindings, (void)push;
  return env->parallel_for(env, fail_at_five, 0, 64, NULL);
}

struct nested_closure {
  int64_t *out;
  int inner;
};

static int inner_task(void *user_context, int index, uint8_t *closure) {
  (void)user_context;
  int64_t *slot = (int64_t *)closure;
  /* Nested loops run inline on the calling thread, so this is race free. */
  *slot += index;
  return 0;
}

static int outer_task(void *user_context, int index, uint8_t *closure) {
  const aicc_kernel_env *env = (const aicc_kernel_env *)user_context;
  struct nested_closure *c = (struct nested_closure *)closure;
  c->out[index] = 0;
  return env->parallel_for(env, inner_task, 0, c->inner,
                           (uint8_t *)&c->out[index]);
}

/* out[i] = sum_{j < push[1]} j for i < push[0], via nested parallel_for.
   Bindings: out (i64). */
int32_t nested_parallel(const aicc_kernel_env *env, void *const *bindings,
                        const int64_t *push) {
  struct nested_closure closure = {(int64_t *)bindings[0], (int)push[1]};
  return env->parallel_for(env, outer_task, 0, (int)push[0],
                           (uint8_t *)&closure);
}

/* Checks alloc's alignment and that the memory is usable; writes the
   thread count to out[0] and the ABI version to out[1] (i64). */
int32_t scratch_kernel(const aicc_kernel_env *env, void *const *bindings,
                       const int64_t *push) {
  (void)push;
  int64_t *out = (int64_t *)bindings[0];
  uint8_t *scratch = (uint8_t *)env->alloc(env, 1000);
  if (!scratch || ((uintptr_t)scratch % 64) != 0) {
    env->report_error(env, "alloc returned misaligned or no memory");
    return 1;
  }
  memset(scratch, 0xab, 1000);
  env->free(env, scratch);
  env->free(env, NULL);
  out[0] = env->num_threads;
  out[1] = env->abi_version;
  return 0;
}

/* state[0] += 1; out[0] = state[0] (both i64): persistent state. */
int32_t count_runs(const aicc_kernel_env *env, void *const *bindings,
                   const int64_t *push) {
  (void)env, (void)push;
  int64_t *state = (int64_t *)bindings[0];
  int64_t *out = (int64_t *)bindings[1];
  state[0] += 1;
  out[0] = state[0];
  return 0;
}

struct sum_closure {
  const float *x;
  float *partial;
  int64_t chunk;
};

static int sum_chunk(void *user_context, int index, uint8_t *closure) {
  (void)user_context;
  const struct sum_closure *c = (const struct sum_closure *)closure;
  float s = 0;
  for (int64_t i = 0; i < c->chunk; ++i)
    s += c->x[index * c->chunk + i];
  c->partial[index] = s;
  return 0;
}

/* y[0] = sum(x) using parallel chunks and kernel scratch for the partial
   sums. Bindings: x, y. Push: chunks, chunk size. */
int32_t parallel_sum(const aicc_kernel_env *env, void *const *bindings,
                     const int64_t *push) {
  float *partial = (float *)env->alloc(env, sizeof(float) * (size_t)push[0]);
  if (!partial)
    return 1;
  struct sum_closure closure = {(const float *)bindings[0], partial, push[1]};
  int result =
      env->parallel_for(env, sum_chunk, 0, (int)push[0], (uint8_t *)&closure);
  float total = 0;
  for (int64_t i = 0; i < push[0]; ++i)
    total += partial[i];
  ((float *)bindings[1])[0] = total;
  env->free(env, partial);
  return result;
}

/* out[0] = the address of binding 0 (i64), to observe zero-copy weights.
   Bindings: any buffer, out. */
int32_t binding_address(const aicc_kernel_env *env, void *const *bindings,
                        const int64_t *push) {
  (void)env, (void)push;
  ((int64_t *)bindings[1])[0] = (int64_t)(uintptr_t)bindings[0];
  return 0;
}

/* Sets *started (i32 output) to 1, then waits until *flag (i32 input) is
   non-zero; lets a test hold a session in the middle of a run. */
int32_t spin_until_set(const aicc_kernel_env *env, void *const *bindings,
                       const int64_t *push) {
  (void)env, (void)push;
  const int32_t *flag = (const int32_t *)bindings[0];
  int32_t *started = (int32_t *)bindings[1];
  __atomic_store_n(started, 1, __ATOMIC_SEQ_CST);
  while (__atomic_load_n(flag, __ATOMIC_SEQ_CST) == 0)
    __builtin_ia32_pause();
  return 0;
}

/* A stand-in for a decoder with a KV cache (dynamic shapes, format 1.3):
   present = past followed by (id, id) for each new token, along the
   sequence; logits[s] is one-hot at (ids[s] + first + 1) mod V, where
   `first` is present[0], the first token of the whole sequence, so the
   tokens depend on the cache being fed back. Bindings: input_ids (i64
   [1, S]), past (f32 [1, 1, P, 2]), logits (f32 [1, S, V]), present (f32
   [1, 1, P + S, 2]). Push: S, P, V. */
int32_t fake_decoder(const aicc_kernel_env *env, void *const *bindings,
                     const int64_t *push) {
  const int64_t *ids = (const int64_t *)bindings[0];
  const float *past = (const float *)bindings[1];
  float *logits = (float *)bindings[2];
  float *present = (float *)bindings[3];
  int64_t s_len = push[0], p_len = push[1], vocab = push[2];
  if (s_len < 0 || p_len < 0 || vocab <= 0) {
    env->report_error(env, "fake_decoder: negative size");
    return 1;
  }
  if (p_len)
    memmove(present, past, (size_t)(p_len * 2) * sizeof(float));
  for (int64_t s = 0; s < s_len; ++s)
    present[(p_len + s) * 2] = present[(p_len + s) * 2 + 1] = (float)ids[s];
  int64_t first = (int64_t)present[0];
  for (int64_t s = 0; s < s_len; ++s) {
    int64_t next = (ids[s] + first + 1) % vocab;
    for (int64_t v = 0; v < vocab; ++v)
      logits[s * vocab + v] = v == next ? 1.0f : 0.0f;
  }
  return 0;
}
