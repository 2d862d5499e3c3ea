/*===- aicc/kernel_abi.h - Calling convention of aicc CPU kernels -*- C -*-===*\
|*                                                                            *|
|* The contract between the CPU driver and the code the compiler emits into   *|
|* an `elf-x86_64` executable. Generated code includes (or mirrors) this      *|
|* header; it never links against the runtime, every service it needs comes   *|
|* through the aicc_kernel_env it is called with. docs/Runtime.md explains    *|
|* how Halide AOT pipelines map onto it.                                      *|
|*                                                                            *|
|* Changing the layout of aicc_kernel_env or the kernel signature requires    *|
|* bumping AICC_KERNEL_ABI_VERSION; appending members at the end does not     *|
|* (kernels check abi_version before using new members).                      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef AICC_KERNEL_ABI_H
#define AICC_KERNEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Version of this ABI, stored in aicc_kernel_env::abi_version.
#define AICC_KERNEL_ABI_VERSION 1u

/// Name of the optional `const uint32_t` a kernel library may export; when
/// present, the driver refuses libraries whose value differs from
/// AICC_KERNEL_ABI_VERSION.
#define AICC_KERNEL_ABI_VERSION_SYMBOL "aicc_kernel_abi_version"

/// One task of a parallel loop. Same shape as Halide's halide_task_t:
/// `user_context` is the aicc_kernel_env the kernel was called with, `index`
/// the loop index, `closure` the pointer passed to parallel_for. Returns 0 on
/// success.
typedef int (*aicc_task_fn)(void *user_context, int index, uint8_t *closure);

/// Services the runtime offers a running kernel. Valid only for the duration
/// of the kernel call; all function pointers are non-NULL.
typedef struct aicc_kernel_env {
  /// AICC_KERNEL_ABI_VERSION of the runtime.
  uint32_t abi_version;
  /// Number of threads parallel_for may use (>= 1, including the caller).
  uint32_t num_threads;
  /// Calls fn((void *)env, i, closure) for every i in [min, min + extent) on
  /// the session's thread pool and returns when all calls finished. Returns 0
  /// if every call returned 0, else the non-zero result of a failing call;
  /// tasks not yet started when a call fails are skipped. A parallel_for
  /// issued from inside a task runs inline on the calling thread.
  int (*parallel_for)(const struct aicc_kernel_env *env, aicc_task_fn fn,
                      int min, int extent, uint8_t *closure);
  /// Returns at least `bytes` bytes of 64-byte aligned scratch memory, or NULL
  /// when out of memory. Thread safe.
  void *(*alloc)(const struct aicc_kernel_env *env, size_t bytes);
  /// Releases memory from alloc (NULL is a no-op). Thread safe.
  void (*free)(const struct aicc_kernel_env *env, void *ptr);
  /// Records `msg` (copied) as the reason the current dispatch fails; the
  /// first message of a dispatch wins. Thread safe.
  void (*report_error)(const struct aicc_kernel_env *env, const char *msg);
  /// Opaque to kernels.
  void *runtime_data;
} aicc_kernel_env;

/// Bytes past the end of a buffer that a kernel may read (never write): the
/// rounded-up last vectors of a tile. The runtime keeps that many readable
/// bytes after every buffer it binds (docs/Runtime.md, "Memory a kernel may
/// read"); the compiler pads the constant segment by as many.
#define AICC_KERNEL_READ_SLACK 1024u

/// An entry point. `bindings[i]` is the base address of the i-th buffer the
/// dispatch binds (inputs, constants, arena ranges, outputs: whatever the
/// schedule lists, in its order); constants and inputs must not be written.
/// `push_constants` holds the dispatch's int64 push constants (may be NULL
/// when there are none); a kernel over dynamic shapes reads the run-time
/// extents of its buffers' dynamic dims from them (docs/Pipeline.md, section
/// 4) and fails with report_error when one is negative or too large. Returns 0 on success; any other value fails the run
/// with the message given to report_error.
typedef int32_t (*aicc_kernel_fn)(const aicc_kernel_env *env,
                                  void *const *bindings,
                                  const int64_t *push_constants);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AICC_KERNEL_ABI_H */
