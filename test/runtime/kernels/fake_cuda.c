/*===- fake_cuda.c - A stand-in for libcuda.so.1 in the runtime tests -----===*\
|*                                                                            *|
|* Implements the CUDA driver API functions the runtime's CUDA driver         *|
|* resolves, over host memory, so the real driver code (dlopen, contexts,     *|
|* module load with cubin-then-PTX fallback, launches, async copies, events)  *|
|* runs in CI without a GPU: aicc-run loads it through AICC_CUDA_LIBRARY.     *|
|*                                                                            *|
|* "Device memory" is tracked malloc'd blocks: a launch or copy given a host  *|
|* address where a device one belongs fails, calls outside a pushed context   *|
|* fail with CUDA_ERROR_INVALID_CONTEXT, and a kernel that reaches outside    *|
|* its buffers leaves a sticky CUDA_ERROR_ILLEGAL_ADDRESS that                *|
|* cuStreamSynchronize reports, as on a GPU. Kernels, by name, over           *|
|* n = gridDim.x * blockDim.x floats: add (c = a + b), mul (c = a * b). Any   *|
|* other kernel is launched as a no-op: one of a PTX image (as the compiler  *|
|* writes it) is found by its `.entry NAME(` and the launch checks that each *|
|* of its `.param`s is a device address; one of a real cubin or HSACO is     *|
|* found by its symbol name, parameters unchecked. So compiled artifacts run *|
|* end to end structurally (their numbers are not computed).                 *|
|* The device is "Fake GPU (aicc tests)", sm_90; a cubin loads only if its    *|
|* bytes name sm_90. Every call is traced to stderr when AICC_FAKE_CUDA_TRACE *|
|* is set; AICC_FAKE_CUDA_DEVICES=0 makes cuInit fail with NO_DEVICE.         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#define _GNU_SOURCE /* memmem */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum {
  CUDA_SUCCESS = 0,
  CUDA_ERROR_INVALID_VALUE = 1,
  CUDA_ERROR_NO_DEVICE = 100,
  CUDA_ERROR_INVALID_CONTEXT = 201,
  CUDA_ERROR_NO_BINARY_FOR_GPU = 209,
  CUDA_ERROR_NOT_FOUND = 500,
  CUDA_ERROR_ILLEGAL_ADDRESS = 700,
};

#define EXPORT __attribute__((visibility("default")))

/* The binary a "cubin" (any ELF image) must name to load; fake_hip.c sets
   "gfx90a" for its HSACO images. */
#ifndef FAKE_GPU_ARCH
#define FAKE_GPU_ARCH "sm_90"
#endif

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static int context;        /* The primary context's address is its handle. */
static __thread int depth; /* Pushes minus pops on this thread. */
static CUresult sticky;    /* An asynchronous fault. */
static double clockMs;     /* The fake stream's clock. */

struct Block {
  uintptr_t base;
  size_t size;
};
static struct Block blocks[4096];
static int blockCount;

static void trace(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void trace(const char *format, ...) {
  if (!getenv("AICC_FAKE_CUDA_TRACE"))
    return;
  va_list args;
  va_start(args, format);
  fputs("fake-cuda: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
}

static int isDevice(uintptr_t p, size_t bytes) {
  int found = 0;
  pthread_mutex_lock(&mutex);
  for (int i = 0; i < blockCount && !found; ++i)
    found = p >= blocks[i].base && p + bytes <= blocks[i].base + blocks[i].size;
  pthread_mutex_unlock(&mutex);
  return found;
}

#define NEED_CONTEXT()                                                         \
  do {                                                                         \
    if (depth <= 0)                                                            \
      return CUDA_ERROR_INVALID_CONTEXT;                                       \
  } while (0)

EXPORT CUresult cuInit(unsigned flags) {
  (void)flags;
  const char *devices = getenv("AICC_FAKE_CUDA_DEVICES");
  return devices && strcmp(devices, "0") == 0 ? CUDA_ERROR_NO_DEVICE
                                              : CUDA_SUCCESS;
}
EXPORT CUresult cuDriverGetVersion(int *version) {
  *version = 13000;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
  case CUDA_SUCCESS:
    *name = "CUDA_SUCCESS";
    break;
  case CUDA_ERROR_INVALID_VALUE:
    *name = "CUDA_ERROR_INVALID_VALUE";
    break;
  case CUDA_ERROR_NO_DEVICE:
    *name = "CUDA_ERROR_NO_DEVICE";
    break;
  case CUDA_ERROR_INVALID_CONTEXT:
    *name = "CUDA_ERROR_INVALID_CONTEXT";
    break;
  case CUDA_ERROR_NO_BINARY_FOR_GPU:
    *name = "CUDA_ERROR_NO_BINARY_FOR_GPU";
    break;
  case CUDA_ERROR_NOT_FOUND:
    *name = "CUDA_ERROR_NOT_FOUND";
    break;
  case CUDA_ERROR_ILLEGAL_ADDRESS:
    *name = "CUDA_ERROR_ILLEGAL_ADDRESS";
    break;
  default:
    *name = 0;
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGetErrorString(CUresult error, const char **text) {
  switch (error) {
  case CUDA_ERROR_NO_DEVICE:
    *text = "no CUDA-capable device is detected";
    break;
  case CUDA_ERROR_NO_BINARY_FOR_GPU:
    *text = "no kernel image is available for execution on the device";
    break;
  case CUDA_ERROR_ILLEGAL_ADDRESS:
    *text = "an illegal memory access was encountered";
    break;
  default:
    *text = "fake error";
    break;
  }
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  if (ordinal != 0)
    return CUDA_ERROR_INVALID_VALUE;
  *device = 0;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetName(char *name, int length, CUdevice device) {
  (void)device;
  snprintf(name, (size_t)length, "%s", "Fake GPU (aicc tests)");
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice device) {
  (void)device;
  *bytes = (size_t)1 << 30;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGetAttribute(int *value, int attribute,
                                     CUdevice device) {
  (void)device;
  switch (attribute) {
  case 75:
    *value = 9;
    break; /* compute capability major */
  case 76:
    *value = 0;
    break; /* minor */
  case 16:
    *value = 4;
    break; /* multiprocessors */
  default:
    return CUDA_ERROR_INVALID_VALUE;
  }
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRetain(void **ctx, CUdevice device) {
  (void)device;
  *ctx = &context;
  trace("cuDevicePrimaryCtxRetain");
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
  (void)device;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxPushCurrent_v2(void *ctx) {
  if (ctx != &context)
    return CUDA_ERROR_INVALID_CONTEXT;
  ++depth;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxPopCurrent_v2(void **ctx) {
  if (depth <= 0)
    return CUDA_ERROR_INVALID_CONTEXT;
  --depth;
  if (ctx)
    *ctx = &context;
  return CUDA_SUCCESS;
}

/* A kernel found in PTX text: its parameter count. */
struct Generic {
  char name[256];
  int params;
  struct Generic *next;
};
struct Module {
  int isCubin;
  char *text; /* PTX images: the text. */
  char *elf;  /* ELF images (cubin, HSACO): the bytes. */
  size_t elfSize;
  struct Generic *kernels; /* Looked up so far. */
};
EXPORT CUresult cuModuleLoadData(void **module, const void *image) {
  NEED_CONTEXT();
  const char *bytes = (const char *)image;
  int isCubin = memcmp(bytes,
                       "\x7f"
                       "ELF",
                       4) == 0;
  /* A real ELF (64-bit, little-endian) ends with its section headers; the
     tests' fake images are NUL-terminated text after "\x7fELF". */
  size_t size = strlen(bytes);
  if (isCubin && bytes[4] == 2 && bytes[5] == 1) {
    uint64_t shoff;
    uint16_t shentsize, shnum;
    memcpy(&shoff, bytes + 0x28, 8);
    memcpy(&shentsize, bytes + 0x3a, 2);
    memcpy(&shnum, bytes + 0x3c, 2);
    size = shoff + (size_t)shentsize * shnum;
  }
  if (isCubin && !memmem(bytes, size, FAKE_GPU_ARCH, strlen(FAKE_GPU_ARCH))) {
    trace("cuModuleLoadData(cubin) -> CUDA_ERROR_NO_BINARY_FOR_GPU");
    return CUDA_ERROR_NO_BINARY_FOR_GPU;
  }
  struct Module *m = calloc(1, sizeof(struct Module));
  m->isCubin = isCubin;
  if (!isCubin) {
    m->text = strdup(bytes);
  } else {
    m->elf = malloc(size);
    memcpy(m->elf, bytes, size);
    m->elfSize = size;
  }
  *module = m;
  trace("cuModuleLoadData(%s)", isCubin ? "cubin" : "ptx");
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleUnload(void *module) {
  NEED_CONTEXT();
  struct Module *m = module;
  while (m->kernels) {
    struct Generic *next = m->kernels->next;
    free(m->kernels);
    m->kernels = next;
  }
  free(m->text);
  free(m->elf);
  free(m);
  return CUDA_SUCCESS;
}
/* Finds `.entry NAME(` in PTX text and counts its `.param`s; -1 if absent.
   In an ELF image only the symbol name is looked for (0: parameters not
   checked). */
static int countParams(const struct Module *m, const char *name) {
  if (m->elf)
    return memmem(m->elf, m->elfSize, name, strlen(name)) ? 0 : -1;
  const char *text = m->text;
  char pattern[300];
  snprintf(pattern, sizeof(pattern), ".entry %s(", name);
  const char *at = text ? strstr(text, pattern) : 0;
  if (!at)
    return -1;
  const char *end = strchr(at, ')');
  int count = 0;
  for (const char *p = strstr(at, ".param"); p && end && p < end;
       p = strstr(p + 6, ".param"))
    ++count;
  return count;
}
static const char *const kernels[] = {"add", "mul"};
EXPORT CUresult cuModuleGetFunction(void **function, void *module,
                                    const char *name) {
  NEED_CONTEXT();
  (void)module;
  for (size_t i = 0; i < sizeof(kernels) / sizeof(kernels[0]); ++i) {
    if (strcmp(kernels[i], name) == 0) {
      *function = (void *)kernels[i];
      return CUDA_SUCCESS;
    }
  }
  struct Module *m = module;
  int params = countParams(m, name);
  if (params < 0 || strlen(name) >= sizeof(((struct Generic *)0)->name))
    return CUDA_ERROR_NOT_FOUND;
  struct Generic *kernel = calloc(1, sizeof(struct Generic));
  strcpy(kernel->name, name);
  kernel->params = params;
  kernel->next = m->kernels;
  m->kernels = kernel;
  *function = kernel;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *address, size_t bytes) {
  NEED_CONTEXT();
  void *p = malloc(bytes);
  pthread_mutex_lock(&mutex);
  if (blockCount == (int)(sizeof(blocks) / sizeof(blocks[0]))) {
    pthread_mutex_unlock(&mutex);
    free(p);
    return 2; /* CUDA_ERROR_OUT_OF_MEMORY */
  }
  blocks[blockCount].base = (uintptr_t)p;
  blocks[blockCount].size = bytes;
  ++blockCount;
  pthread_mutex_unlock(&mutex);
  *address = (CUdeviceptr)(uintptr_t)p;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr address) {
  NEED_CONTEXT();
  pthread_mutex_lock(&mutex);
  for (int i = 0; i < blockCount; ++i) {
    if (blocks[i].base == (uintptr_t)address) {
      blocks[i] = blocks[--blockCount];
      pthread_mutex_unlock(&mutex);
      free((void *)(uintptr_t)address);
      return CUDA_SUCCESS;
    }
  }
  pthread_mutex_unlock(&mutex);
  return CUDA_ERROR_INVALID_VALUE;
}
static CUresult copy(const char *what, void *target, int targetOnDevice,
                     const void *source, int sourceOnDevice, size_t bytes) {
  NEED_CONTEXT();
  if (isDevice((uintptr_t)target, bytes) != targetOnDevice ||
      isDevice((uintptr_t)source, bytes) != sourceOnDevice) {
    trace("%s %zu: wrong kind of memory", what, bytes);
    return CUDA_ERROR_INVALID_VALUE;
  }
  memcpy(target, source, bytes);
  clockMs += 0.001;
  trace("%s %zu", what, bytes);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr target, const void *source,
                                size_t bytes) {
  return copy("cuMemcpyHtoD", (void *)(uintptr_t)target, 1, source, 0, bytes);
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr target, const void *source,
                                     size_t bytes, void *stream) {
  (void)stream;
  return copy("cuMemcpyHtoDAsync", (void *)(uintptr_t)target, 1, source, 0,
              bytes);
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void *target, CUdeviceptr source,
                                     size_t bytes, void *stream) {
  (void)stream;
  return copy("cuMemcpyDtoHAsync", target, 0, (void *)(uintptr_t)source, 1,
              bytes);
}
EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr target, CUdeviceptr source,
                                     size_t bytes, void *stream) {
  (void)stream;
  return copy("cuMemcpyDtoDAsync", (void *)(uintptr_t)target, 1,
              (void *)(uintptr_t)source, 1, bytes);
}
EXPORT CUresult cuMemsetD8Async(CUdeviceptr target, unsigned char value,
                                size_t bytes, void *stream) {
  NEED_CONTEXT();
  (void)stream;
  if (!isDevice((uintptr_t)target, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  memset((void *)(uintptr_t)target, value, bytes);
  trace("cuMemsetD8Async %zu", bytes);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamCreate(void **stream, unsigned flags) {
  NEED_CONTEXT();
  (void)flags;
  *stream = malloc(1);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamDestroy_v2(void *stream) {
  NEED_CONTEXT();
  free(stream);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamSynchronize(void *stream) {
  NEED_CONTEXT();
  (void)stream;
  CUresult result = sticky;
  sticky = CUDA_SUCCESS; /* Sticky on a GPU; cleared here so tests go on. */
  trace("cuStreamSynchronize -> %d", result);
  return result;
}
EXPORT CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy,
                               unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned shared, void *stream,
                               void **params, void **extra) {
  NEED_CONTEXT();
  (void)stream;
  if (shared != 0 || extra)
    return CUDA_ERROR_INVALID_VALUE;
  size_t n = (size_t)gx * bx;
  if (function != (void *)kernels[0] && function != (void *)kernels[1]) {
    struct Generic *kernel = function;
    trace("cuLaunchKernel %s grid %ux%ux%u block %ux%ux%u (%d parameters)",
          kernel->name, gx, gy, gz, bx, by, bz, kernel->params);
    for (int i = 0; i < kernel->params; ++i)
      if (!isDevice((uintptr_t) * (CUdeviceptr *)params[i], 1))
        sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
    clockMs += 0.25;
    return CUDA_SUCCESS;
  }
  const char *name = (const char *)function;
  trace("cuLaunchKernel %s grid %ux%ux%u block %ux%ux%u", name, gx, gy, gz, bx,
        by, bz);
  float *args[3];
  for (int i = 0; i < 3; ++i) {
    CUdeviceptr address = *(CUdeviceptr *)params[i];
    if (!isDevice((uintptr_t)address, n * sizeof(float))) {
      /* Found when the kernel runs: reported by the next synchronize. */
      sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
      return CUDA_SUCCESS;
    }
    args[i] = (float *)(uintptr_t)address;
  }
  for (size_t i = 0; i < n; ++i)
    args[2][i] = strcmp(name, "add") == 0 ? args[0][i] + args[1][i]
                                          : args[0][i] * args[1][i];
  clockMs += 0.25;
  return CUDA_SUCCESS;
}
struct Event {
  double ms;
};
EXPORT CUresult cuEventCreate(void **event, unsigned flags) {
  NEED_CONTEXT();
  (void)flags;
  *event = calloc(1, sizeof(struct Event));
  return CUDA_SUCCESS;
}
EXPORT CUresult cuEventDestroy_v2(void *event) {
  NEED_CONTEXT();
  free(event);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuEventRecord(void *event, void *stream) {
  NEED_CONTEXT();
  (void)stream;
  ((struct Event *)event)->ms = clockMs;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuEventElapsedTime_v2(float *ms, void *start, void *end) {
  NEED_CONTEXT();
  *ms = (float)(((struct Event *)end)->ms - ((struct Event *)start)->ms);
  return CUDA_SUCCESS;
}
