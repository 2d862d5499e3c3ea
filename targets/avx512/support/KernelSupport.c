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

#include "WinogradSupport.c"

/*===- AMX int8 convolutions --------------------------------------------===*\
|* The i32 accumulators of an 8-bit conv (or 1x1 conv, i.e. a matmul) that   *|
|* targets/avx512/AmxKernels.cpp hands to AMX-INT8 as a Halide extern stage:  *|
|* C[f][p] += sum_k W[f][k] * X[k][p] over 16x16 tiles of output channels f   *|
|* and "virtual" pixels p (row-major over a row of `vw` pixels, the padded    *|
|* input width for a stride-1 conv: tap (a, b) is then the offset a*vw + b). *|
|* A (weights, [Fp][Kh][Kw][Cp] bytes, Fp a multiple of 16 and Cp of 64, zero *|
|* padded) is loaded as 16 rows x 64 bytes; B (the activations, packed per    *|
|* call as [N][Cp/4][plane][4], zero padded) as 16 rows of 16 pixels x 4      *|
|* channels, AMX's VNNI layout. Integer sums are exact, so the results are    *|
|* those of the vpdpbusd kernels bit for bit.                                 *|
|* Only called on CPUs with AMX-INT8 whose process has been granted the tile  *|
|* state (the runtime's CPU device asks the kernel for it at load).           *|
\*===----------------------------------------------------------------------===*/

#if defined(__x86_64__) && defined(__GNUC__) &&                               \
    (__GNUC__ >= 11 || defined(__clang__))
#include <immintrin.h>

#define AICC_AMX_TARGET                                                        \
  __attribute__((target("amx-tile,amx-int8,avx512f,avx512bw,avx512vl")))

typedef struct aicc_amx_tilecfg {
  uint8_t palette_id;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} aicc_amx_tilecfg;

/* Flags of aicc_amx_conv_i8. */
#define AICC_AMX_ACT_SIGNED 1
/* The taps of a row are folded into K (convs of few channels, the stem):
 * the weights are [fp][taps_h][kw][4] (kw = wk / 4, one group of 4
 * channels), a tap row of wk < cp bytes, copied per call into zero-padded
 * rows of cp bytes; packed holds cp/4 groups of 4 bytes per pixel, group b
 * the pixels of tap column b, and ts row phases only. */
#define AICC_AMX_FOLDED 2
#define AICC_AMX_FOLDED_MAX_TAPS_H 16

static int64_t amx_offset(const halide_buffer_t *b, const int64_t *coords) {
  int64_t off = 0;
  for (int d = 0; d < b->dimensions; ++d)
    off += (coords[d] - b->dim[d].min) * (int64_t)b->dim[d].stride;
  return off;
}

/* Copies the valid part of a 16x16 i32 tile (rows: channels f0.., columns:
 * virtual pixels pv0..) from `tile` into `out`. */
AICC_AMX_TARGET
static void amx_store_tile(const int32_t *tile, halide_buffer_t *out,
                           int64_t n, int64_t f0, int64_t fend, int64_t pv0,
                           int64_t pend, int32_t vw) {
  const halide_dimension_t *d = out->dim;
  int32_t *base = (int32_t *)out->host;
  /* Runs of consecutive valid pixels: (first column, length, offset). */
  int cols[16], lens[16];
  int64_t offs[16];
  int runs = 0;
  for (int c = 0; c < 16;) {
    int64_t pv = pv0 + c;
    if (pv >= pend)
      break;
    int64_t h = pv / vw, w = pv % vw;
    if (w < d[0].min || w >= d[0].min + d[0].extent || h < d[1].min ||
        h >= d[1].min + d[1].extent) {
      ++c;
      continue;
    }
    int len = 1;
    while (c + len < 16 && w + len < d[0].min + d[0].extent &&
           pv + len < pend)
      ++len;
    cols[runs] = c;
    lens[runs] = len;
    offs[runs] = (w - d[0].min) * (int64_t)d[0].stride +
                 (h - d[1].min) * (int64_t)d[1].stride +
                 (n - d[3].min) * (int64_t)d[3].stride;
    ++runs;
    c += len;
  }
  for (int r = 0; r < 16 && f0 + r < fend; ++r) {
    int64_t rowOff = (f0 + r - d[2].min) * (int64_t)d[2].stride;
    for (int k = 0; k < runs; ++k) {
      __mmask16 m = (__mmask16)((1u << lens[k]) - 1);
      __m512i v = _mm512_maskz_loadu_epi32(m, tile + r * 16 + cols[k]);
      if (d[0].stride == 1)
        _mm512_mask_storeu_epi32(base + rowOff + offs[k], m, v);
      else
        for (int e = 0; e < lens[k]; ++e)
          base[rowOff + offs[k] + e * (int64_t)d[0].stride] =
              tile[r * 16 + cols[k] + e];
    }
  }
}

/* One block of up to 32 channels x 32 virtual pixels: 2x2 accumulator tiles
 * (tmm0-3), A in tmm4-5, B in tmm6-7. `two_f`/`two_p`: whether the second
 * row/column of tiles is computed. */
#define AICC_AMX_BLOCK(DP)                                                     \
  do {                                                                         \
    _tile_zero(0);                                                             \
    _tile_zero(1);                                                             \
    _tile_zero(2);                                                             \
    _tile_zero(3);                                                             \
    for (int32_t a = 0; a < taps_h; ++a)                                       \
      for (int32_t b = 0; b < taps_w; ++b) {                                   \
        const int8_t *wrow = wbase + (a * taps_w + b) * wtap;                  \
        const uint8_t *xcol =                                                  \
            xbase + ((int64_t)((a % ts) * tsw + b % tsw) * phase_plane + pv0 +  \
                     (a / ts) * vw + b / tsw) *                                \
                        4;                                                     \
        for (int32_t k = 0; k < cp; k += 64) {                                 \
          const uint8_t *x = xcol + (int64_t)(k / 4) * xstride;                \
          _tile_loadd(4, wrow + k, wst);                                       \
          _tile_loadd(6, x, xstride);                                          \
          DP(0, 4, 6);                                                         \
          if (two_p) {                                                         \
            _tile_loadd(7, x + 64, xstride);                                   \
            DP(1, 4, 7);                                                       \
          }                                                                    \
          if (two_f) {                                                         \
            _tile_loadd(5, wrow + k + 16 * wst, wst);                          \
            DP(2, 5, 6);                                                       \
            if (two_p)                                                         \
              DP(3, 5, 7);                                                     \
          }                                                                    \
        }                                                                      \
      }                                                                        \
  } while (0)

/* The accumulators of channels [f, f+16) x pixels [pv, pv+16) to `out`:
 * straight from the tile when they are all valid and dense there. */
#define AICC_AMX_STORE(T, F0, PV0)                                             \
  do {                                                                         \
    if (dense && (F0) + 16 <= fend && (PV0) + 16 <= pend) {                    \
      int32_t *dst = obase + ((F0) - d[2].min) * (int64_t)d[2].stride +        \
                     (n - d[3].min) * (int64_t)d[3].stride + ((PV0) - pstart); \
      _tile_stored(T, dst, d[2].stride * 4);                                   \
    } else {                                                                   \
      _tile_stored(T, scratch, 64);                                            \
      amx_store_tile(scratch, out, n, (F0), fend, (PV0), pend, vw);            \
    }                                                                          \
  } while (0)

/* One block and its stores (f0, two_f, pv0, two_p, wbase, wst, wtap set). */
#define AICC_AMX_BLOCK_AND_STORE()                                             \
  do {                                                                         \
    if (flags & AICC_AMX_ACT_SIGNED)                                           \
      AICC_AMX_BLOCK(_tile_dpbssd);                                            \
    else                                                                       \
      AICC_AMX_BLOCK(_tile_dpbsud);                                            \
    AICC_AMX_STORE(0, f0, pv0);                                                \
    if (two_p)                                                                 \
      AICC_AMX_STORE(1, f0, pv0 + 16);                                         \
    if (two_f) {                                                               \
      AICC_AMX_STORE(2, f0 + 16, pv0);                                         \
      if (two_p)                                                               \
        AICC_AMX_STORE(3, f0 + 16, pv0 + 16);                                  \
    }                                                                          \
  } while (0)

/* The accumulators of out's region: out is [N][F][H][W] int32 (Halide dims
 * w, h, f, n); packed is the activations [N][cp/4][plane][4] and weights
 * [fp][taps_h][taps_w][cp] (dims 4, cp/4, taps_w, taps_h, fp), `plane`
 * pixels of rows of `vw` per 4 channels (dims 4, vw, plane / vw, cp/4, n).
 * A conv of stride ts > 1 with a window reads ts*ts phase planes of
 * `phase_plane` pixels each (AmxKernels.cpp, PackedGeometry): tap (a, b) is
 * plane (a % ts, b % ts) at the offset (a / ts)*vw + b / ts; ts is 1 for
 * the others (one plane). */
AICC_AMX_TARGET
int aicc_amx_conv_i8(halide_buffer_t *packed, halide_buffer_t *weights,
                     int32_t cp, int32_t taps_h, int32_t taps_w, int32_t vw,
                     int32_t plane, int32_t fp, int32_t flags, int32_t ts,
                     int32_t phase_plane, int32_t wk, halide_buffer_t *out) {
  int folded = (flags & AICC_AMX_FOLDED) != 0;
  if (packed->host == NULL || weights->host == NULL) {
    /* Bounds query: the whole of both inputs, the output's images. */
    if (packed->host == NULL) {
      int32_t ext[4] = {4, vw, plane / vw, cp / 4};
      for (int i = 0; i < 4; ++i) {
        packed->dim[i].min = 0;
        packed->dim[i].extent = ext[i];
      }
      packed->dim[4].min = out->dim[3].min;
      packed->dim[4].extent = out->dim[3].extent;
    }
    if (weights->host == NULL) {
      int32_t ext[5] = {4, cp / 4, taps_w, taps_h, fp};
      if (folded) {
        ext[1] = 1;
        ext[2] = wk / 4;
      }
      for (int i = 0; i < 5; ++i) {
        weights->dim[i].min = 0;
        weights->dim[i].extent = ext[i];
      }
    }
    return 0;
  }
  const halide_dimension_t *d = out->dim;
  /* Channel blocks start at multiples of 16 (the schedule's tiles), so
   * that every A tile lies in the zero-padded weights. */
  if (d[2].min % 16 != 0 || d[2].min + d[2].extent > fp ||
      packed->dimensions != 5 || weights->dimensions != 5 ||
      out->dimensions != 4 || packed->dim[1].stride != 4 ||
      packed->dim[2].stride != 4 * vw ||
      (int64_t)packed->dim[2].extent * vw < plane ||
      packed->dim[3].extent < cp / 4 || weights->dim[1].stride != 4 ||
      ts < 1 ||
      (int64_t)ts * (folded ? 1 : ts) * phase_plane > plane ||
      (folded && (taps_w != 1 || wk > cp || wk % 4 != 0 ||
                  weights->dim[2].stride != 4 ||
                  weights->dim[3].stride != wk ||
                  weights->dim[4].stride != taps_h * wk)) ||
      (!folded && wk != cp))
    return -1;
  int32_t tsw = folded ? 1 : ts;
  int64_t fend = d[2].min + d[2].extent;
  int64_t pstart = (int64_t)d[1].min * vw + d[0].min;
  int64_t pend = (int64_t)(d[1].min + d[1].extent - 1) * vw + d[0].min +
                 d[0].extent;
  /* Rows vw apart (the schedule pads them to vw when the output is
   * narrower): whole tiles stored in place, the columns past the image in
   * the padding (a tile within [pstart, pend) ends before the last row's). */
  int dense = d[0].stride == 1 && d[0].min == 0 && d[0].extent <= vw &&
              d[1].stride == vw;
  int32_t *obase = (int32_t *)out->host;
  int32_t scratch[256] __attribute__((aligned(64)));
  aicc_amx_tilecfg cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.palette_id = 1;
  for (int t = 0; t < 8; ++t) {
    cfg.colsb[t] = 64;
    cfg.rows[t] = 16;
  }
  _tile_loadconfig(&cfg);
  int64_t wstride = (int64_t)taps_h * taps_w * cp;
  int64_t xstride = packed->dim[3].stride;
  /* Folded: the A tiles' rows are read straight from the weights, 64
   * bytes from each tap row (the bytes past the row are the next taps',
   * multiplied by zero activations), except for a block whose last row
   * would read past the buffer: its rows are copied, zero padded. */
  int8_t wcopy[32 * AICC_AMX_FOLDED_MAX_TAPS_H * 64] __attribute__((aligned(64)));
  if (folded && (taps_h > AICC_AMX_FOLDED_MAX_TAPS_H || cp != 64))
    return -1;
  int64_t wbytes = (int64_t)weights->dim[4].extent * weights->dim[4].stride;
  /* Pixels outer (each block of 32 pixels' activations stays in L1 while
   * the weights of all of out's channels stream past), measured a little
   * faster on int8 ResNet-50 than channels outer even where one channel
   * block's weights would stay in L1 instead; the folded convs (their
   * weights copied per channel block) keep channels outer. */
  int pixels_outer = !folded;
  for (int64_t n = d[3].min; n < d[3].min + d[3].extent; ++n) {
    int64_t xc[5] = {0, 0, 0, 0, n};
    const uint8_t *xbase = (const uint8_t *)packed->host + amx_offset(packed, xc);
    for (int64_t f0 = d[2].min; !pixels_outer && f0 < fend; f0 += 32) {
      int two_f = f0 + 16 < fend;
      int64_t wc[5] = {0, 0, 0, 0, f0};
      int64_t woff = amx_offset(weights, wc);
      const int8_t *wbase = (const int8_t *)weights->host + woff;
      int64_t wst = wstride, wtap = cp;
      if (folded) {
        int64_t nrows = two_f ? 32 : 16;
        wst = (int64_t)taps_h * wk;
        wtap = wk;
        if (woff + (nrows - 1) * wst + (taps_h - 1) * wtap + 64 > wbytes) {
          for (int64_t o = 0; o < nrows; ++o)
            for (int32_t a = 0; a < taps_h; ++a) {
              int64_t src = woff + o * wst + a * wtap;
              __mmask64 m = src + wk <= wbytes ? _cvtu64_mask64(
                                                     (~0ull) >> (64 - wk))
                                               : 0;
              _mm512_store_si512(
                  wcopy + (o * taps_h + a) * 64,
                  _mm512_maskz_loadu_epi8(
                      m, (const int8_t *)weights->host + src));
            }
          wbase = wcopy;
          wst = (int64_t)taps_h * 64;
          wtap = 64;
        }
      }
      for (int64_t pv0 = pstart; pv0 < pend; pv0 += 32) {
        int two_p = pv0 + 16 < pend;
        AICC_AMX_BLOCK_AND_STORE();
      }
    }
    /* Pixels outer, channels inner: the activations of 32 pixels stay in
     * L1 while every channel block's weights stream past them. */
    if (pixels_outer)
      for (int64_t pv0 = pstart; pv0 < pend; pv0 += 32) {
        int two_p = pv0 + 16 < pend;
        for (int64_t f0 = d[2].min; f0 < fend; f0 += 32) {
          int two_f = f0 + 16 < fend;
          int64_t wc[5] = {0, 0, 0, 0, f0};
          const int8_t *wbase =
              (const int8_t *)weights->host + amx_offset(weights, wc);
          int64_t wst = wstride, wtap = cp;
          AICC_AMX_BLOCK_AND_STORE();
        }
      }
  }
  _tile_release();
  return 0;
}
#endif

/*===- AMX bf16 matmuls and convolutions --------------------------------===*\
|* The f32 accumulators of the bf16 matmuls and convs of --precision=bf16    *|
|* that targets/avx512/AmxBf16Kernels.cpp hands to AMX-BF16 (tdpbf16ps) as   *|
|* Halide extern stages. tdpbf16ps: C[m][n] += sum_k A[m][2k] B[k][2n] +     *|
|* A[m][2k+1] B[k][2n+1] over tiles of 16 rows x 64 bytes (A: 16 rows x 32   *|
|* bf16 of the reduction, B: 16 pairs of the reduction x 16 columns x 2, the *|
|* VNNI-2 layout; C: 16 x 16 f32). Every product of two bf16 values is exact *|
|* in f32; only the order of the f32 sums differs from the vdpbf16ps        *|
|* kernels. Functions apart from the int8 ones above (own tile config and   *|
|* store helpers) so that the two evolve independently.                     *|
|* Only called on CPUs with AMX-BF16 whose process has been granted the     *|
|* tile state (the runtime's CPU device asks the kernel for it at load).    *|
\*===----------------------------------------------------------------------===*/

#if defined(__x86_64__) && defined(__GNUC__) &&                               \
    (__GNUC__ >= 11 || defined(__clang__))
#include <immintrin.h>

#define AICC_AMX_BF16_TARGET                                                   \
  __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl")))

typedef struct aicc_amx_bf16_tilecfg {
  uint8_t palette_id;
  uint8_t start_row;
  uint8_t reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} aicc_amx_bf16_tilecfg;

AICC_AMX_BF16_TARGET
static void amx_bf16_config(void) {
  aicc_amx_bf16_tilecfg cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.palette_id = 1;
  for (int t = 0; t < 8; ++t) {
    cfg.colsb[t] = 64;
    cfg.rows[t] = 16;
  }
  _tile_loadconfig(&cfg);
}

static int64_t amx_bf16_offset(const halide_buffer_t *b,
                               const int64_t *coords) {
  int64_t off = 0;
  for (int d = 0; d < b->dimensions; ++d)
    off += (coords[d] - b->dim[d].min) * (int64_t)b->dim[d].stride;
  return off;
}

/* Copies rows [0, nrows) x columns [0, ncols) of a 16x16 f32 tile into
 * `dst` (row r at dst + r * row_stride, column c at + c * col_stride). */
AICC_AMX_BF16_TARGET
static void amx_bf16_copy_tile(const float *tile, float *dst, int nrows,
                               int ncols, int64_t row_stride,
                               int64_t col_stride) {
  __mmask16 m = (__mmask16)((1u << ncols) - 1);
  for (int r = 0; r < nrows; ++r) {
    if (col_stride == 1) {
      __m512 v = _mm512_maskz_loadu_ps(m, tile + r * 16);
      _mm512_mask_storeu_ps(dst + r * row_stride, m, v);
    } else {
      for (int c = 0; c < ncols; ++c)
        dst[r * row_stride + c * col_stride] = tile[r * 16 + c];
    }
  }
}

/* The f32 result of a bf16 matmul, out[m][n] = sum_k A[m][k] B[k][n] (Halide
 * dims of out: n, m). `a` holds the activations [Mp][Kp/2][2] (dims 2, k/2,
 * m; kp a multiple of 32; mp rows, zero padded past M, at least 15 past the
 * last row of out's region: the last tile of 16 rows), `b` the weights in
 * VNNI-2 pairs by blocks of 16 columns, [Np/16][Kp/2][16][2] (dims 2, 16,
 * k/2, n/16; np a multiple of 16): each B tile is 1 KiB in one piece. The
 * columns of out's region must start at a multiple of 16. */
AICC_AMX_BF16_TARGET
int aicc_amx_matmul_bf16(halide_buffer_t *a, halide_buffer_t *b, int32_t kp,
                         int32_t mp, int32_t np, halide_buffer_t *out) {
  if (a->host == NULL || b->host == NULL) {
    if (a->host == NULL) {
      int32_t ext[3] = {2, kp / 2, mp};
      for (int i = 0; i < 3; ++i) {
        a->dim[i].min = 0;
        a->dim[i].extent = ext[i];
      }
    }
    if (b->host == NULL) {
      int32_t ext[4] = {2, 16, kp / 2, np / 16};
      for (int i = 0; i < 4; ++i) {
        b->dim[i].min = 0;
        b->dim[i].extent = ext[i];
      }
    }
    return 0;
  }
  const halide_dimension_t *d = out->dim;
  int64_t nbegin = d[0].min, nend = d[0].min + d[0].extent;
  int64_t mbegin = d[1].min, mend = d[1].min + d[1].extent;
  if (out->dimensions != 2 || a->dimensions != 3 || b->dimensions != 4 ||
      nbegin % 16 != 0 || nend > np || a->dim[0].stride != 1 ||
      a->dim[1].stride != 2 || a->dim[1].extent < kp / 2 ||
      a->dim[2].min > mbegin ||
      a->dim[2].min + a->dim[2].extent < mend + 15 ||
      b->dim[0].stride != 1 || b->dim[1].stride != 2 ||
      b->dim[2].stride != 32 || b->dim[2].extent < kp / 2 ||
      (int64_t)b->dim[3].extent * 16 < np || b->dim[3].min != 0)
    return -1;
  int64_t astride = a->dim[2].stride, bstride = b->dim[3].stride;
  const uint16_t *abase = (const uint16_t *)a->host;
  const uint16_t *bbase = (const uint16_t *)b->host;
  float *obase = (float *)out->host;
  float scratch[256] __attribute__((aligned(64)));
  amx_bf16_config();
  for (int64_t m0 = mbegin; m0 < mend; m0 += 32) {
    int two_m = m0 + 16 < mend;
    const uint16_t *arow = abase + (m0 - a->dim[2].min) * astride;
    for (int64_t n0 = nbegin; n0 < nend; n0 += 32) {
      int two_n = n0 + 16 < nend;
      const uint16_t *bcol = bbase + (n0 / 16) * bstride;
      _tile_zero(0);
      _tile_zero(1);
      _tile_zero(2);
      _tile_zero(3);
      for (int32_t k = 0; k < kp; k += 32) {
        const uint16_t *bk = bcol + (int64_t)(k / 2) * 32;
        _tile_loadd(4, arow + k, astride * 2);
        _tile_loadd(6, bk, 64);
        _tile_dpbf16ps(0, 4, 6);
        if (two_n) {
          _tile_loadd(7, bk + bstride, 64);
          _tile_dpbf16ps(1, 4, 7);
        }
        if (two_m) {
          _tile_loadd(5, arow + 16 * astride + k, astride * 2);
          _tile_dpbf16ps(2, 5, 6);
          if (two_n)
            _tile_dpbf16ps(3, 5, 7);
        }
      }
#define AICC_AMX_BF16_STORE_MM(T, M0, N0)                                      \
  do {                                                                         \
    int rows = (int)(mend - (M0) < 16 ? mend - (M0) : 16);                     \
    int cols = (int)(nend - (N0) < 16 ? nend - (N0) : 16);                     \
    float *dst = obase + ((M0) - d[1].min) * (int64_t)d[1].stride +           \
                 ((N0) - d[0].min) * (int64_t)d[0].stride;                     \
    if (rows == 16 && cols == 16 && d[0].stride == 1) {                        \
      _tile_stored(T, dst, d[1].stride * 4);                                   \
    } else {                                                                   \
      _tile_stored(T, scratch, 64);                                            \
      amx_bf16_copy_tile(scratch, dst, rows, cols, d[1].stride, d[0].stride);  \
    }                                                                          \
  } while (0)
      AICC_AMX_BF16_STORE_MM(0, m0, n0);
      if (two_n)
        AICC_AMX_BF16_STORE_MM(1, m0, n0 + 16);
      if (two_m) {
        AICC_AMX_BF16_STORE_MM(2, m0 + 16, n0);
        if (two_n)
          AICC_AMX_BF16_STORE_MM(3, m0 + 16, n0 + 16);
      }
#undef AICC_AMX_BF16_STORE_MM
    }
  }
  _tile_release();
  return 0;
}

/* Copies the valid part of a 16x16 f32 tile (rows: channels f0.., columns:
 * virtual pixels pv0.., `vw` per row of the image) into out ([N][F][H][W],
 * Halide dims w, h, f, n). */
AICC_AMX_BF16_TARGET
static void amx_bf16_store_conv_tile(const float *tile, halide_buffer_t *out,
                                     int64_t n, int64_t f0, int64_t fend,
                                     int64_t pv0, int64_t pend, int32_t vw) {
  const halide_dimension_t *d = out->dim;
  float *base = (float *)out->host;
  int rows = (int)(fend - f0 < 16 ? fend - f0 : 16);
  for (int c = 0; c < 16;) {
    int64_t pv = pv0 + c;
    if (pv >= pend)
      break;
    int64_t h = pv / vw, w = pv % vw;
    if (w < d[0].min || w >= d[0].min + d[0].extent || h < d[1].min ||
        h >= d[1].min + d[1].extent) {
      ++c;
      continue;
    }
    int len = 1;
    while (c + len < 16 && w + len < d[0].min + d[0].extent &&
           pv + len < pend)
      ++len;
    float *dst = base + (w - d[0].min) * (int64_t)d[0].stride +
                 (h - d[1].min) * (int64_t)d[1].stride +
                 (n - d[3].min) * (int64_t)d[3].stride +
                 (f0 - d[2].min) * (int64_t)d[2].stride;
    /* The run's columns as rows of a 16-wide tile starting at column c. */
    amx_bf16_copy_tile(tile + c, dst, rows, len, d[2].stride, d[0].stride);
    c += len;
  }
}

/* The f32 accumulators of out's region of a bf16 conv: out is [N][F][H][W]
 * (Halide dims w, h, f, n); packed the activations [N][Cp/2][plane][2]
 * (dims 2, vw, plane / vw, cp/2, n), `plane` pixels in rows of `vw` per
 * channel pair, zero padded; weights [Fp][Kh][Kw][Cp/2][2] (dims 2, cp/2,
 * taps_w, taps_h, fp), Fp a multiple of 16 and Cp of 32, zero padded. As
 * aicc_amx_conv_i8: tiles of 16 channels x 16 "virtual" pixels, tap (a, b)
 * the offset a*vw + b of a stride-1 conv (or a 1x1 conv's picked pixels).
 * A conv of stride s > 1 with a window has its image split in s*s phases
 * (pixel (s*y + pa, s*x + pb) at (y, x) of phase pa*s + pb, each phase
 * plane / (s*s) pixels): tap (a, b) is then a stride-1 tap (a/s, b/s) of
 * phase (a%s)*s + b%s. `phases` is s (1: one plane). */
AICC_AMX_BF16_TARGET
int aicc_amx_conv_bf16(halide_buffer_t *packed, halide_buffer_t *weights,
                       int32_t cp, int32_t taps_h, int32_t taps_w, int32_t vw,
                       int32_t plane, int32_t fp, int32_t phases,
                       halide_buffer_t *out) {
  if (packed->host == NULL || weights->host == NULL) {
    if (packed->host == NULL) {
      int32_t ext[4] = {2, vw, plane / vw, cp / 2};
      for (int i = 0; i < 4; ++i) {
        packed->dim[i].min = 0;
        packed->dim[i].extent = ext[i];
      }
      packed->dim[4].min = out->dim[3].min;
      packed->dim[4].extent = out->dim[3].extent;
    }
    if (weights->host == NULL) {
      int32_t ext[5] = {2, cp / 2, taps_w, taps_h, fp};
      for (int i = 0; i < 5; ++i) {
        weights->dim[i].min = 0;
        weights->dim[i].extent = ext[i];
      }
    }
    return 0;
  }
  const halide_dimension_t *d = out->dim;
  if (d[2].min % 16 != 0 || d[2].min + d[2].extent > fp || phases < 1 ||
      plane % (phases * phases) != 0 ||
      packed->dimensions != 5 || weights->dimensions != 5 ||
      out->dimensions != 4 || packed->dim[1].stride != 2 ||
      packed->dim[2].stride != 2 * vw ||
      (int64_t)packed->dim[2].extent * vw < plane ||
      packed->dim[3].extent < cp / 2 || weights->dim[1].stride != 2)
    return -1;
  int64_t fend = d[2].min + d[2].extent;
  int64_t pstart = (int64_t)d[1].min * vw + d[0].min;
  int64_t pend = (int64_t)(d[1].min + d[1].extent - 1) * vw + d[0].min +
                 d[0].extent;
  int dense = d[0].stride == 1 && d[0].min == 0 && d[0].extent == vw &&
              d[1].stride == vw;
  float *obase = (float *)out->host;
  float scratch[256] __attribute__((aligned(64)));
  amx_bf16_config();
  int64_t wstride = (int64_t)taps_h * taps_w * cp;
  int64_t xstride = packed->dim[3].stride;
  int64_t phase_px = plane / (phases * phases);
  for (int64_t n = d[3].min; n < d[3].min + d[3].extent; ++n) {
    int64_t xc[5] = {0, 0, 0, 0, n};
    const uint16_t *xbase =
        (const uint16_t *)packed->host + amx_bf16_offset(packed, xc);
    for (int64_t f0 = d[2].min; f0 < fend; f0 += 32) {
      int two_f = f0 + 16 < fend;
      int64_t wc[5] = {0, 0, 0, 0, f0};
      const uint16_t *wbase =
          (const uint16_t *)weights->host + amx_bf16_offset(weights, wc);
      for (int64_t pv0 = pstart; pv0 < pend; pv0 += 32) {
        int two_p = pv0 + 16 < pend;
        _tile_zero(0);
        _tile_zero(1);
        _tile_zero(2);
        _tile_zero(3);
        for (int32_t ta = 0; ta < taps_h; ++ta)
          for (int32_t tb = 0; tb < taps_w; ++tb) {
            const uint16_t *wrow = wbase + (ta * taps_w + tb) * cp;
            int64_t phase = (ta % phases) * phases + tb % phases;
            const uint16_t *xcol =
                xbase + (phase * phase_px + pv0 + (ta / phases) * vw +
                         tb / phases) *
                            2;
            for (int32_t k = 0; k < cp; k += 32) {
              const uint16_t *x = xcol + (int64_t)(k / 2) * xstride;
              _tile_loadd(4, wrow + k, wstride * 2);
              _tile_loadd(6, x, xstride * 2);
              _tile_dpbf16ps(0, 4, 6);
              if (two_p) {
                _tile_loadd(7, x + 32, xstride * 2);
                _tile_dpbf16ps(1, 4, 7);
              }
              if (two_f) {
                _tile_loadd(5, wrow + k + 16 * wstride, wstride * 2);
                _tile_dpbf16ps(2, 5, 6);
                if (two_p)
                  _tile_dpbf16ps(3, 5, 7);
              }
            }
          }
#define AICC_AMX_BF16_STORE_CONV(T, F0, PV0)                                   \
  do {                                                                         \
    if (dense && (F0) + 16 <= fend && (PV0) + 16 <= pend) {                    \
      float *dst = obase + ((F0) - d[2].min) * (int64_t)d[2].stride +          \
                   (n - d[3].min) * (int64_t)d[3].stride + ((PV0) - pstart);   \
      _tile_stored(T, dst, d[2].stride * 4);                                   \
    } else {                                                                   \
      _tile_stored(T, scratch, 64);                                            \
      amx_bf16_store_conv_tile(scratch, out, n, (F0), fend, (PV0), pend, vw);  \
    }                                                                          \
  } while (0)
        AICC_AMX_BF16_STORE_CONV(0, f0, pv0);
        if (two_p)
          AICC_AMX_BF16_STORE_CONV(1, f0, pv0 + 16);
        if (two_f) {
          AICC_AMX_BF16_STORE_CONV(2, f0 + 16, pv0);
          if (two_p)
            AICC_AMX_BF16_STORE_CONV(3, f0 + 16, pv0 + 16);
        }
#undef AICC_AMX_BF16_STORE_CONV
      }
    }
  }
  _tile_release();
  return 0;
}
#endif
