/*===- WinogradSupport.c - Winograd F(2x2, 3x3) fp32 convolutions --------===*\
|*                                                                            *|
|* Included by KernelSupport.c. aicc_wino_f23_conv computes a block of a      *|
|* 3x3, stride-1 fp32 conv (targets/avx512/WinogradConv.h) by Winograd's      *|
|* minimal filtering F(2x2, 3x3) (Lavin & Gray 2015): 2x2 output tiles from   *|
|* 4x4 input tiles, V = B^T d B, M[p] = V[p] . U[p] over the input channels   *|
|* (16 independent GEMMs, p the 16 points of a tile), Y = A^T M A. The        *|
|* weights U = G g G^T were transformed at compile time (PackWeights).        *|
|*                                                                            *|
|* Vectors run along the tiles of a tile row (16 tiles, 32 pixels), so the    *|
|* NCHW input and output are read and written as whole rows: the input        *|
|* transform deinterleaves even/odd columns, the output transform             *|
|* interleaves the two columns of each tile back.                             *|
\*===----------------------------------------------------------------------===*/

#include <immintrin.h>

#define AICC_WINO_TARGET __attribute__((target("avx512f,fma")))

/* Output channels per register tile (U is [18][Fp/8][C][8], points 16 and
 * 17 unused). */
#define AICC_WINO_NF 8

/* Floats of the weights the GEMMs prefetch ahead of the ones they read (a
 * panel of 8 channels x 256 input channels). */
#ifndef AICC_WINO_PREFETCH
#define AICC_WINO_PREFETCH 2048
#endif

/* acc[v][j] += V[p][c][t0 + 16 v] * U[c][j] over c, stored to
 * M[p][f + j][t0 + 16 v]: NTV vectors of 16 tiles x 8 output channels. */
#define AICC_WINO_MICRO(NTV)                                                   \
  AICC_WINO_TARGET static inline __attribute__((always_inline)) void           \
  aicc_wino_micro##NTV(const float *v, int64_t vstride, const float *u,        \
                       int32_t c_count, float *m, int64_t mstride) {           \
    __m512 acc[NTV][AICC_WINO_NF];                                             \
    _Pragma("GCC unroll 4") for (int a = 0; a < NTV; ++a)                     \
      _Pragma("GCC unroll 8") for (int j = 0; j < AICC_WINO_NF; ++j)          \
        acc[a][j] = _mm512_setzero_ps();                                       \
    for (int32_t c = 0; c < c_count; ++c) {                                    \
      _mm_prefetch((const char *)(u + AICC_WINO_PREFETCH), _MM_HINT_T0);      \
      __m512 x[NTV];                                                           \
      _Pragma("GCC unroll 4") for (int a = 0; a < NTV; ++a)                   \
        x[a] = _mm512_loadu_ps(v + 16 * a);                                    \
      _Pragma("GCC unroll 8") for (int j = 0; j < AICC_WINO_NF; ++j) {        \
        __m512 b = _mm512_set1_ps(u[j]);                                       \
        _Pragma("GCC unroll 4") for (int a = 0; a < NTV; ++a)                 \
          acc[a][j] = _mm512_fmadd_ps(x[a], b, acc[a][j]);                     \
      }                                                                        \
      v += vstride;                                                            \
      u += AICC_WINO_NF;                                                       \
    }                                                                          \
    _Pragma("GCC unroll 8") for (int j = 0; j < AICC_WINO_NF; ++j)            \
      _Pragma("GCC unroll 4") for (int a = 0; a < NTV; ++a)                   \
        _mm512_storeu_ps(m + j * mstride + 16 * a, acc[a][j]);                 \
  }

AICC_WINO_MICRO(1)
AICC_WINO_MICRO(2)
AICC_WINO_MICRO(3)

static int64_t aicc_wino_offset(const halide_buffer_t *b, const int64_t *at) {
  int64_t off = 0;
  for (int i = 0; i < b->dimensions; ++i)
    off += (at[i] - b->dim[i].min) * b->dim[i].stride;
  return off;
}

/* One call's geometry and scratch: image n's input rows, the transformed
 * input V[p][c][t] and products M[p][f][t] of tiles t = (ty - ty0) * tw + tx
 * (tpad of them, a multiple of 16), out's rows y0..y1 and channels f0.. */
typedef struct aicc_wino_job {
  const float *in, *u;
  float *V, *M, *out;
  int64_t is_y, is_c, os_y, os_f, u_fb, u_p, tiles, tpad;
  int32_t c_count, fcount, f0, fblocks, w, h, tw, ty0, ty1, y0, y1;
  /* 1: `in` is the image itself, read as if padded by one pixel of zeros;
   * 0: `in` is the padded image. */
  int32_t pad;
} aicc_wino_job;

/* Input transform of channels [c_begin, c_end): V = B^T d B. */
AICC_WINO_TARGET
static void aicc_wino_input(const aicc_wino_job *j, int32_t c_begin,
                            int32_t c_end) {
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14,
                                        12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15,
                                       13, 11, 9, 7, 5, 3, 1);
  /* The source's columns and rows (the padded ones' when pad is 0). */
  const int32_t pad = j->pad, ws = j->w + 2 - 2 * pad, hs = j->h + 2 - 2 * pad;
  const int32_t tw = j->tw;
  const int64_t tpad = j->tpad, tiles = j->tiles;
  const int64_t ps = (int64_t)j->c_count * tpad;
  for (int32_t c = c_begin; c < c_end; ++c) {
    const float *ichan = j->in + c * j->is_c;
    float *vc = j->V + (int64_t)c * tpad;
    /* The lanes past the last tile: zeros (read by the GEMM, their
     * results dropped). */
    if (tpad > tiles)
      for (int p = 0; p < 16; ++p)
        _mm512_mask_storeu_ps(
            vc + p * ps + tpad - 16,
            (__mmask16)(0xffffu << (16 - (tpad - tiles))),
            _mm512_setzero_ps());
    for (int32_t ty = j->ty0; ty < j->ty1; ++ty) {
      for (int32_t tx = 0; tx < tw; tx += 16) {
        int32_t nt = tw - tx < 16 ? tw - tx : 16;
        __mmask16 tmask = (__mmask16)((1u << nt) - 1);
        __m512 d[4][4];
#pragma GCC unroll 16
        for (int i = 0; i < 4; ++i) {
          int32_t y = 2 * ty + i - pad;
          if (y < 0 || y >= hs) {
#pragma GCC unroll 16
            for (int k = 0; k < 4; ++k)
              d[i][k] = _mm512_setzero_ps();
            continue;
          }
          const float *row = ichan + y * j->is_y;
          int32_t x = 2 * tx;
          /* Padded columns x .. x + 33 of the row: source columns from
           * x - pad, zeros outside [0, ws) (masked lanes do not fault). */
          __m512 a0, a1, b0, b1;
#define AICC_WINO_LOAD(dst, at)                                                \
  do {                                                                         \
    int32_t first = (at) - pad, lo = first < 0 ? -first : 0;                   \
    int32_t hi = ws - first < 16 ? ws - first : 16;                            \
    if (lo == 0 && hi == 16)                                                   \
      dst = _mm512_loadu_ps(row + first);                                      \
    else if (hi > lo)                                                          \
      dst = _mm512_maskz_loadu_ps(                                             \
          (__mmask16)(((1u << hi) - 1) & ~((1u << lo) - 1)), row + first);      \
    else                                                                       \
      dst = _mm512_setzero_ps();                                               \
  } while (0)
          AICC_WINO_LOAD(a0, x);
          AICC_WINO_LOAD(a1, x + 16);
          AICC_WINO_LOAD(b0, x + 2);
          AICC_WINO_LOAD(b1, x + 18);
#undef AICC_WINO_LOAD
          d[i][0] = _mm512_permutex2var_ps(a0, even, a1);
          d[i][1] = _mm512_permutex2var_ps(a0, odd, a1);
          d[i][2] = _mm512_permutex2var_ps(b0, even, b1);
          d[i][3] = _mm512_permutex2var_ps(b0, odd, b1);
        }
        /* B^T d B: rows, then columns. */
        __m512 r[4][4];
#pragma GCC unroll 16
        for (int k = 0; k < 4; ++k) {
          r[0][k] = _mm512_sub_ps(d[0][k], d[2][k]);
          r[1][k] = _mm512_add_ps(d[1][k], d[2][k]);
          r[2][k] = _mm512_sub_ps(d[2][k], d[1][k]);
          r[3][k] = _mm512_sub_ps(d[1][k], d[3][k]);
        }
        float *vt = vc + (int64_t)(ty - j->ty0) * tw + tx;
#pragma GCC unroll 16
        for (int i = 0; i < 4; ++i) {
          __m512 v0 = _mm512_sub_ps(r[i][0], r[i][2]);
          __m512 v1 = _mm512_add_ps(r[i][1], r[i][2]);
          __m512 v2 = _mm512_sub_ps(r[i][2], r[i][1]);
          __m512 v3 = _mm512_sub_ps(r[i][1], r[i][3]);
          _mm512_mask_storeu_ps(vt + (4 * i + 0) * ps, tmask, v0);
          _mm512_mask_storeu_ps(vt + (4 * i + 1) * ps, tmask, v1);
          _mm512_mask_storeu_ps(vt + (4 * i + 2) * ps, tmask, v2);
          _mm512_mask_storeu_ps(vt + (4 * i + 3) * ps, tmask, v3);
        }
      }
    }
  }
}

/* The GEMMs of point p, channel blocks [fb_begin, fb_end) of 8:
 * M[p][f][t] = sum_c V[p][c][t] U[(f0 + f)/8][p][c][f%8]. */
AICC_WINO_TARGET
static void aicc_wino_gemm(const aicc_wino_job *j, int p, int32_t fb_begin,
                           int32_t fb_end) {
  const int64_t tpad = j->tpad, tv = tpad / 16;
  const float *vp = j->V + (int64_t)p * j->c_count * tpad;
  for (int32_t fb = fb_begin; fb < fb_end; ++fb) {
    const float *up = j->u + (int64_t)(j->f0 / 8 + fb) * j->u_fb + p * j->u_p;
    float *mp = j->M + ((int64_t)p * j->fblocks * 8 + fb * 8) * tpad;
    int64_t t = 0;
    for (; t + 3 <= tv; t += 3)
      aicc_wino_micro3(vp + t * 16, tpad, up, j->c_count, mp + t * 16, tpad);
    if (tv - t == 2)
      aicc_wino_micro2(vp + t * 16, tpad, up, j->c_count, mp + t * 16, tpad);
    else if (tv - t == 1)
      aicc_wino_micro1(vp + t * 16, tpad, up, j->c_count, mp + t * 16, tpad);
  }
}

/* Output transform of channels [f_begin, f_end) (of the call's): A^T M A
 * into out's rows. */
AICC_WINO_TARGET
static void aicc_wino_output(const aicc_wino_job *j, int32_t f_begin,
                             int32_t f_end) {
  const __m512i lo = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18,
                                      2, 17, 1, 16, 0);
  const __m512i hi = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11,
                                      26, 10, 25, 9, 24, 8);
  const int64_t tpad = j->tpad;
  const int64_t mps = (int64_t)j->fblocks * 8 * tpad;
  const int32_t tw = j->tw, w = j->w;
  for (int32_t f = f_begin; f < f_end; ++f) {
    float *ochan = j->out + f * j->os_f;
    const float *mf = j->M + (int64_t)f * tpad;
    for (int32_t ty = j->ty0; ty < j->ty1; ++ty) {
      for (int32_t tx = 0; tx < tw; tx += 16) {
        const float *mt = mf + (int64_t)(ty - j->ty0) * tw + tx;
        __m512 m[16];
#pragma GCC unroll 16
        for (int p = 0; p < 16; ++p)
          m[p] = _mm512_loadu_ps(mt + p * mps);
        /* A^T over rows: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3. */
        __m512 s[2][4];
#pragma GCC unroll 16
        for (int k = 0; k < 4; ++k) {
          s[0][k] = _mm512_add_ps(_mm512_add_ps(m[k], m[4 + k]), m[8 + k]);
          s[1][k] = _mm512_sub_ps(_mm512_sub_ps(m[4 + k], m[8 + k]), m[12 + k]);
        }
        int32_t x = 2 * tx;
        int32_t left = w - x;
        __mmask16 k0 = left >= 16 ? (__mmask16)0xffff
                                  : (__mmask16)((1u << left) - 1);
        __mmask16 k1 = left >= 32  ? (__mmask16)0xffff
                       : left > 16 ? (__mmask16)((1u << (left - 16)) - 1)
                                   : (__mmask16)0;
#pragma GCC unroll 16
        for (int i = 0; i < 2; ++i) {
          int32_t y = 2 * ty + i;
          if (y < j->y0 || y >= j->y1)
            continue;
          __m512 e = _mm512_add_ps(_mm512_add_ps(s[i][0], s[i][1]), s[i][2]);
          __m512 o = _mm512_sub_ps(_mm512_sub_ps(s[i][1], s[i][2]), s[i][3]);
          float *orow = ochan + y * j->os_y + x;
          _mm512_mask_storeu_ps(orow, k0, _mm512_permutex2var_ps(e, lo, o));
          if (k1)
            _mm512_mask_storeu_ps(orow + 16, k1,
                                  _mm512_permutex2var_ps(e, hi, o));
        }
      }
    }
  }
}

/* Tasks of the parallel phases (aicc_wino_f23_conv's `parallel`). */
#define AICC_WINO_CHANNEL_TASKS 8
#define AICC_WINO_FBLOCKS_PER_TASK 8

static int aicc_wino_input_task(void *user_context, int i, uint8_t *closure) {
  const aicc_wino_job *j = (const aicc_wino_job *)closure;
  int32_t per = (j->c_count + AICC_WINO_CHANNEL_TASKS - 1) /
                AICC_WINO_CHANNEL_TASKS;
  int32_t b = i * per, e = b + per < j->c_count ? b + per : j->c_count;
  if (b < e)
    aicc_wino_input(j, b, e);
  return 0;
}

static int aicc_wino_gemm_task(void *user_context, int i, uint8_t *closure) {
  const aicc_wino_job *j = (const aicc_wino_job *)closure;
  int32_t groups = (j->fblocks + AICC_WINO_FBLOCKS_PER_TASK - 1) /
                   AICC_WINO_FBLOCKS_PER_TASK;
  int p = i / groups;
  int32_t b = (i % groups) * AICC_WINO_FBLOCKS_PER_TASK;
  int32_t e = b + AICC_WINO_FBLOCKS_PER_TASK < j->fblocks
                  ? b + AICC_WINO_FBLOCKS_PER_TASK
                  : j->fblocks;
  aicc_wino_gemm(j, p, b, e);
  return 0;
}

static int aicc_wino_output_task(void *user_context, int i, uint8_t *closure) {
  const aicc_wino_job *j = (const aicc_wino_job *)closure;
  int32_t per = (j->fcount + AICC_WINO_CHANNEL_TASKS - 1) /
                AICC_WINO_CHANNEL_TASKS;
  int32_t b = i * per, e = b + per < j->fcount ? b + per : j->fcount;
  if (b < e)
    aicc_wino_output(j, b, e);
  return 0;
}

/* out (dims x, y, f, n) = the conv of `in` (the input padded by one pixel
 * on each side: dims x [0, w + 2), y [0, h + 2), c, n; with `pad`, the
 * image itself, x [0, w), y [0, h), padded with zeros here) with the 3x3
 * weights whose transform `u` is [3][3][2][fp/8][c][8] (dims 8, c, fp/8, 2,
 * 3, 3: point p of a tile at [p / 6][p / 2 % 3][p % 2], dense),
 * without bias. out's block: all of its columns, rows from an even one,
 * channels from a multiple of 8. `parallel`: the call computes a large block
 * (the whole output) on the runtime's threads, in three parallel phases
 * (input transform by channels, the GEMMs by point x 64 output channels,
 * output transform by channels); else the caller's task computes it. */
AICC_WINO_TARGET
int aicc_wino_f23_conv(void *user_context, halide_buffer_t *in,
                       halide_buffer_t *u, int32_t c_count, int32_t f_count,
                       int32_t h, int32_t w, int32_t parallel, int32_t pad,
                       halide_buffer_t *out) {
  const int32_t ws = w + 2 - 2 * pad, hs = h + 2 - 2 * pad;
  if (in->host == NULL || u->host == NULL) {
    /* Bounds query: all of the padded input's rows, columns and channels
     * of out's images, and all of the weights. */
    if (in->host == NULL) {
      int32_t ext[3] = {ws, hs, c_count};
      for (int i = 0; i < 3; ++i) {
        in->dim[i].min = 0;
        in->dim[i].extent = ext[i];
      }
      in->dim[3].min = out->dim[3].min;
      in->dim[3].extent = out->dim[3].extent;
    }
    if (u->host == NULL) {
      int32_t fp8 = (f_count + 7) / 8;
      int32_t ext[6] = {8, c_count, fp8, 2, 3, 3};
      for (int i = 0; i < 6; ++i) {
        u->dim[i].min = 0;
        u->dim[i].extent = ext[i];
      }
    }
    return 0;
  }
  const halide_dimension_t *od = out->dim;
  if (in->dimensions != 4 || u->dimensions != 6 || out->dimensions != 4 ||
      in->dim[0].stride != 1 || od[0].stride != 1 || u->dim[0].stride != 1 ||
      u->dim[1].stride != 8 || u->dim[2].stride != 8 * (int64_t)c_count ||
      u->dim[2].extent * 8 < f_count ||
      u->dim[3].stride != u->dim[2].stride * u->dim[2].extent ||
      u->dim[4].stride != 2 * u->dim[3].stride ||
      u->dim[5].stride != 6 * u->dim[3].stride ||
      od[0].min != 0 || od[0].extent != w || od[1].min % 2 != 0 ||
      od[2].min % 8 != 0 || od[2].min + od[2].extent > f_count ||
      (pad != 0 && pad != 1) ||
      in->dim[0].min > 0 || in->dim[0].min + in->dim[0].extent < ws ||
      in->dim[1].min > 0 || in->dim[1].min + in->dim[1].extent < hs ||
      in->dim[2].min > 0 || in->dim[2].min + in->dim[2].extent < c_count)
    return -1;
  aicc_wino_job j;
  j.pad = pad;
  j.c_count = c_count;
  j.w = w;
  j.h = h;
  j.tw = (w + 1) / 2; /* tiles per row */
  j.y0 = od[1].min;
  j.y1 = od[1].min + od[1].extent;
  j.ty0 = j.y0 / 2;
  j.ty1 = (j.y1 + 1) / 2;
  j.tiles = (int64_t)(j.ty1 - j.ty0) * j.tw;
  j.tpad = (j.tiles + 15) / 16 * 16;
  j.f0 = od[2].min;
  j.fcount = od[2].extent;
  j.fblocks = (j.fcount + 7) / 8;
  j.is_y = in->dim[1].stride;
  j.is_c = in->dim[2].stride;
  j.os_y = od[1].stride;
  j.os_f = od[2].stride;
  j.u = (const float *)u->host;
  j.u_fb = u->dim[2].stride;
  j.u_p = u->dim[3].stride;
  const int64_t vbytes = 16 * (int64_t)c_count * j.tpad * 4;
  const int64_t mbytes = 16 * (int64_t)j.fblocks * 8 * j.tpad * 4;
  /* 64 bytes of slack: the output transform's last loads of a row read
   * up to 15 floats past the block's tiles. */
  char *scratch = (char *)halide_malloc(user_context, vbytes + mbytes + 128);
  if (!scratch)
    return halide_error_out_of_memory(user_context);
  j.V = (float *)(((uintptr_t)scratch + 63) & ~(uintptr_t)63);
  j.M = j.V + vbytes / 4;
  int result = 0;
  for (int32_t n = od[3].min; n < od[3].min + od[3].extent && !result; ++n) {
    int64_t ic[4] = {0, 0, 0, n};
    j.in = (const float *)in->host + aicc_wino_offset(in, ic);
    int64_t oc[4] = {0, j.y0, j.f0, n};
    j.out = (float *)out->host + aicc_wino_offset(out, oc) -
            (int64_t)j.y0 * j.os_y;
    if (parallel) {
      int32_t groups = (j.fblocks + AICC_WINO_FBLOCKS_PER_TASK - 1) /
                       AICC_WINO_FBLOCKS_PER_TASK;
      result = halide_do_par_for(user_context, aicc_wino_input_task, 0,
                                 AICC_WINO_CHANNEL_TASKS, (uint8_t *)&j);
      if (!result)
        result = halide_do_par_for(user_context, aicc_wino_gemm_task, 0,
                                   16 * groups, (uint8_t *)&j);
      if (!result)
        result = halide_do_par_for(user_context, aicc_wino_output_task, 0,
                                   AICC_WINO_CHANNEL_TASKS, (uint8_t *)&j);
      continue;
    }
    aicc_wino_input(&j, 0, c_count);
    for (int p = 0; p < 16; ++p)
      aicc_wino_gemm(&j, p, 0, j.fblocks);
    aicc_wino_output(&j, 0, j.fcount);
  }
  halide_free(user_context, scratch);
  return result;
}
