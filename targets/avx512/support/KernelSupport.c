/*===- KernelSupport.c - Glue between Halide pipelines and aicc's runtime -===*\
|*                                                                            *|
|* Linked into every avx512 kernel library the compiler emits. It provides    *|
|* the Halide runtime entry points the generated pipelines call, routed to    *|
|* the aicc_kernel_env the kernel was dispatched with (Halide's user_context) *|
|* so parallel loops run on the aicc runtime's thread pool and scratch memory *|
|* comes from its allocator: there is no second thread pool. It also holds    *|
|* aicc_hl_dispatch, which every entry point calls to wrap the raw binding    *|
|* pointers in halide_buffer_t descriptors of the kernel's shapes (static, or *|
|* for dynamic dims the dispatch's push constants).                           *|
|*                                                                            *|
|* Compiled when aicc is built and embedded in the aicc binary.               *|
\*===----------------------------------------------------------------------===*/

#include "HalideRuntime.h"
#include "aicc/kernel_abi.h"

#include <stdint.h>
#include <string.h>

const uint32_t aicc_kernel_abi_version = AICC_KERNEL_ABI_VERSION;

#define AICC_HL_MAX_RANK 8
#define AICC_HL_MAX_BUFFERS 64
/* Must match kMaxPushConstants in EntryPoints.cpp. */
#define AICC_HL_MAX_PUSH 64

/* Layout shared with the entry points the compiler generates (see
 * targets/avx512/EntryPoints.cpp): keep the two in step. */
typedef struct aicc_hl_buffer_desc {
  uint8_t code;  /* halide_type_code_t */
  uint8_t bits;
  uint16_t rank;
  /* Innermost first, Halide's order. A negative value -1 - p is a dynamic
   * extent: the dispatch's push constant p. */
  int32_t extents[AICC_HL_MAX_RANK];
} aicc_hl_buffer_desc;

typedef struct aicc_hl_kernel_desc {
  int32_t num_buffers;
  const aicc_hl_buffer_desc *buffers;
  int (*argv_fn)(void **args);
  const char *name;
  /* Non-zero: the pipeline has one more output, a rank-0 int32 status
   * (aicc::halidegen::KernelStatus in LinalgToHalide.h), not a binding. */
  int32_t has_status;
  /* Push constants the pipeline takes as int32 scalars, after the user
   * context and before the buffers (the kernel's trailing index
   * arguments). */
  int32_t num_push;
} aicc_hl_kernel_desc;

/* Messages without the C library's formatting: "kernel 'NAME': " + text. */
typedef struct aicc_hl_message {
  char text[256];
  size_t length;
} aicc_hl_message;

static void message_append(aicc_hl_message *m, const char *s) {
  while (*s && m->length + 1 < sizeof(m->text))
    m->text[m->length++] = *s++;
  m->text[m->length] = 0;
}

static void message_append_int(aicc_hl_message *m, int64_t v) {
  char digits[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do {
    digits[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0)
    message_append(m, "-");
  char one[2] = {0, 0};
  while (n) {
    one[0] = digits[--n];
    message_append(m, one);
  }
}

static void message_start(aicc_hl_message *m,
                          const aicc_hl_kernel_desc *desc) {
  m->length = 0;
  m->text[0] = 0;
  message_append(m, "kernel '");
  message_append(m, desc->name ? desc->name : "?");
  message_append(m, "': ");
}

/* A binding of no elements may be NULL (any other NULL binding is an
 * error); Halide may still read one vector at its clamped first element. */
static uint8_t empty_binding[64] __attribute__((aligned(64)));

/* The messages of the status codes. */
static const char *status_message(int32_t code) {
  switch (code) {
  case 1:
    return "integer division by zero";
  case 2:
    return "index out of range (an index read from the data is outside the "
           "dimension it indexes)";
  default:
    return "run-time check failed";
  }
}

int aicc_hl_dispatch(const aicc_kernel_env *env, void *const *bindings,
                     const int64_t *push_constants,
                     const aicc_hl_kernel_desc *desc) {
  /* Descriptors for up to AICC_HL_MAX_BUFFERS buffers live on the stack;
   * a kernel with more (a Concat of many inputs) gets them from the
   * runtime's allocator. */
  halide_buffer_t small_buffers[AICC_HL_MAX_BUFFERS + 1];
  halide_dimension_t small_dims[AICC_HL_MAX_BUFFERS][AICC_HL_MAX_RANK];
  void *small_args[AICC_HL_MAX_BUFFERS + 2 + AICC_HL_MAX_PUSH];
  halide_buffer_t *buffers = small_buffers;
  void **args = small_args;
  halide_dimension_t(*dims)[AICC_HL_MAX_RANK] = small_dims;
  void *heap = NULL;
  int32_t status = 0;
  const void *user_context = env;
  int n = desc->num_buffers;
  int num_push = desc->num_push;
  int32_t push[AICC_HL_MAX_PUSH];
  aicc_hl_message msg;
  if (n < 0) {
    env->report_error(env, "kernel has a negative buffer count");
    return -1;
  }
  if (num_push < 0 || num_push > AICC_HL_MAX_PUSH) {
    env->report_error(env, "kernel has a bad push constant count");
    return -1;
  }
  if (num_push > 0 && !push_constants) {
    message_start(&msg, desc);
    message_append(&msg, "the dispatch passes no push constants, the kernel "
                         "needs ");
    message_append_int(&msg, num_push);
    env->report_error(env, msg.text);
    return -1;
  }
  /* Push constants are extents, offsets, steps and sizes: int32 in Halide.
   * Offsets and steps may be negative (value-dependent Slice and Pad); a
   * push constant used as an extent is checked below. */
  for (int p = 0; p < num_push; ++p) {
    int64_t v = push_constants[p];
    if (v < -(int64_t)INT32_MAX || v > INT32_MAX) {
      message_start(&msg, desc);
      message_append(&msg, "push constant ");
      message_append_int(&msg, p);
      message_append(&msg, " is ");
      message_append_int(&msg, v);
      message_append(&msg, ", outside -2147483647..2147483647");
      env->report_error(env, msg.text);
      return -1;
    }
    push[p] = (int32_t)v;
  }
  /* Extents and dense strides; Halide addresses at most 2^31 - 1 elements
   * per buffer. Checked before any memory is allocated. */
  for (int i = 0; i < n; ++i) {
    const aicc_hl_buffer_desc *d = &desc->buffers[i];
    int64_t elements = 1;
    for (int k = 0; k < d->rank; ++k) {
      int32_t e = d->extents[k];
      if (e < 0) {
        int p = -1 - e;
        if (p >= num_push) {
          message_start(&msg, desc);
          message_append(&msg, "buffer ");
          message_append_int(&msg, i);
          message_append(&msg, " needs push constant ");
          message_append_int(&msg, p);
          message_append(&msg, ", the dispatch has ");
          message_append_int(&msg, num_push);
          env->report_error(env, msg.text);
          return -1;
        }
        e = push[p];
        if (e < 0) {
          message_start(&msg, desc);
          message_append(&msg, "buffer ");
          message_append_int(&msg, i);
          message_append(&msg, " has a negative extent (push constant ");
          message_append_int(&msg, p);
          message_append(&msg, ")");
          env->report_error(env, msg.text);
          return -1;
        }
      }
      elements *= e; /* both <= 2^31 - 1: no int64 overflow */
      if (elements > INT32_MAX) {
        message_start(&msg, desc);
        message_append(&msg, "buffer ");
        message_append_int(&msg, i);
        message_append(&msg, " has more than 2^31 - 1 elements");
        env->report_error(env, msg.text);
        return -1;
      }
    }
    if (!bindings[i] && elements > 0) {
      message_start(&msg, desc);
      message_append(&msg, "buffer ");
      message_append_int(&msg, i);
      message_append(&msg, " is bound to NULL");
      env->report_error(env, msg.text);
      return -1;
    }
  }
  if (n > AICC_HL_MAX_BUFFERS) {
    /* halide_buffer_t and pointers first (8-byte aligned), then dims. */
    size_t bytes = (size_t)(n + 1) * sizeof(halide_buffer_t) +
                   (size_t)(n + 2 + num_push) * sizeof(void *) +
                   (size_t)n * sizeof(halide_dimension_t[AICC_HL_MAX_RANK]);
    heap = env->alloc(env, bytes);
    if (!heap) {
      env->report_error(env, "out of memory for a kernel's buffer table");
      return -1;
    }
    buffers = (halide_buffer_t *)heap;
    args = (void **)(buffers + n + 1);
    dims = (halide_dimension_t(*)[AICC_HL_MAX_RANK])(args + n + 2 + num_push);
  }
  args[0] = (void *)&user_context;
  for (int p = 0; p < num_push; ++p)
    args[1 + p] = &push[p];
  void **buffer_args = args + num_push;
  for (int i = 0; i < n; ++i) {
    const aicc_hl_buffer_desc *d = &desc->buffers[i];
    halide_buffer_t *b = &buffers[i];
    memset(b, 0, sizeof(*b));
    b->host = (uint8_t *)bindings[i];
    if (!b->host)
      b->host = empty_binding;
    b->type.code = d->code;
    b->type.bits = d->bits;
    b->type.lanes = 1;
    b->dimensions = d->rank;
    b->dim = dims[i];
    int32_t stride = 1;
    for (int k = 0; k < d->rank; ++k) {
      int32_t e = d->extents[k] >= 0 ? d->extents[k] : push[-1 - d->extents[k]];
      dims[i][k].min = 0;
      dims[i][k].extent = e;
      dims[i][k].stride = stride;
      dims[i][k].flags = 0;
      stride *= e;
    }
    buffer_args[i + 1] = b;
  }
  if (desc->has_status) {
    halide_buffer_t *b = &buffers[n];
    memset(b, 0, sizeof(*b));
    b->host = (uint8_t *)&status;
    b->type.code = halide_type_int;
    b->type.bits = 32;
    b->type.lanes = 1;
    buffer_args[n + 1] = b;
  }
  int result = desc->argv_fn(args);
  if (heap)
    env->free(env, heap);
  if (result == 0 && status != 0) {
    env->report_error(env, status_message(status));
    return -1;
  }
  return result;
}

/* Halide runtime entry points, routed to the aicc runtime. */

int halide_do_par_for(void *user_context, halide_task_t task, int min,
                      int size, uint8_t *closure) {
  const aicc_kernel_env *env = (const aicc_kernel_env *)user_context;
  return env->parallel_for(env, (aicc_task_fn)task, min, size, closure);
}

void *halide_malloc(void *user_context, size_t bytes) {
  const aicc_kernel_env *env = (const aicc_kernel_env *)user_context;
  /* A scratch Func of a dynamic extent 0: not NULL (out of memory). */
  return env->alloc(env, bytes ? bytes : 1);
}

void halide_free(void *user_context, void *ptr) {
  const aicc_kernel_env *env = (const aicc_kernel_env *)user_context;
  env->free(env, ptr);
}

void halide_error(void *user_context, const char *msg) {
  const aicc_kernel_env *env = (const aicc_kernel_env *)user_context;
  env->report_error(env, msg);
}

int halide_error_out_of_memory(void *user_context) {
  halide_error(user_context, "out of memory in a kernel");
  return halide_error_code_out_of_memory;
}
