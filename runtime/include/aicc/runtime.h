/*===- aicc/runtime.h - The aicc runtime C API ------------------*- C -*-===*\
|*                                                                            *|
|* Objects:                                                                   *|
|*   aicc_runtime_t  the process-wide entry point; discovers devices.         *|
|*                   Reference counted (retain/release).                      *|
|*   aicc_module_t   a loaded, verified .aicc artifact. Immutable, so any     *|
|*                   number of threads may use it and create sessions from it *|
|*                   at once. Reference counted; retains its runtime.         *|
|*   aicc_session_t  a module bound to one device, owning its arenas,         *|
|*                   persistent state and thread pool. One run at a time per  *|
|*                   session; use one session per concurrent caller.          *|
|*                   Created/destroyed; retains its module.                   *|
|*   aicc_tensor_view_t  a plain struct describing caller-owned memory.       *|
|*                                                                            *|
|* Conventions: fallible functions return aicc_status_t (NULL = success, see  *|
|* status.h) and write results through `out_*` parameters, which are left     *|
|* untouched on failure. "Borrowed" means the callee neither frees nor keeps  *|
|* the pointer after returning; "owned by X" says who frees a result.         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef AICC_RUNTIME_H
#define AICC_RUNTIME_H

#include "aicc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Version of the runtime library (also printed by aicc-run --version).
#define AICC_RUNTIME_VERSION_STRING "0.1.0"

/// Highest artifact format version this runtime reads: any file whose major
/// version equals AICC_FORMAT_VERSION_MAJOR.
#define AICC_FORMAT_VERSION_MAJOR 1
#define AICC_FORMAT_VERSION_MINOR 5

/// Returns AICC_RUNTIME_VERSION_STRING of the loaded library (static string).
AICC_API const char *aicc_runtime_version(void);

/*===--------------------------------------------------------------------===*/
/* Element types and devices                                                */
/*===--------------------------------------------------------------------===*/

/// Tensor element types; values equal aicc.fb.ElementType in aicc.fbs.
typedef enum aicc_element_type_e {
  AICC_ELEMENT_TYPE_UNKNOWN = 0,
  AICC_ELEMENT_TYPE_F32 = 1,
  AICC_ELEMENT_TYPE_F64 = 2,
  AICC_ELEMENT_TYPE_F16 = 3,
  AICC_ELEMENT_TYPE_BF16 = 4,
  AICC_ELEMENT_TYPE_I8 = 5,
  AICC_ELEMENT_TYPE_I16 = 6,
  AICC_ELEMENT_TYPE_I32 = 7,
  AICC_ELEMENT_TYPE_I64 = 8,
  AICC_ELEMENT_TYPE_U8 = 9,
  AICC_ELEMENT_TYPE_U16 = 10,
  AICC_ELEMENT_TYPE_U32 = 11,
  AICC_ELEMENT_TYPE_U64 = 12,
  AICC_ELEMENT_TYPE_BOOL = 13,
  /* One byte per element (format 1.2): the float8/float4 types hold their
     bit pattern (as NumPy's ml_dtypes does), I4/I2 a sign-extended value in
     [-8, 7] / [-2, 1], U4/U2 a value in [0, 15] / [0, 3]. */
  AICC_ELEMENT_TYPE_F8E4M3FN = 14,
  AICC_ELEMENT_TYPE_F8E4M3FNUZ = 15,
  AICC_ELEMENT_TYPE_F8E5M2 = 16,
  AICC_ELEMENT_TYPE_F8E5M2FNUZ = 17,
  AICC_ELEMENT_TYPE_F8E8M0FNU = 18,
  AICC_ELEMENT_TYPE_F4E2M1FN = 19,
  AICC_ELEMENT_TYPE_I4 = 20,
  AICC_ELEMENT_TYPE_U4 = 21,
  AICC_ELEMENT_TYPE_I2 = 22,
  AICC_ELEMENT_TYPE_U2 = 23,
} aicc_element_type_t;

/// The largest aicc_element_type_t value.
#define AICC_ELEMENT_TYPE_LAST AICC_ELEMENT_TYPE_U2

/// Returns the size in bytes of one element (0 for UNKNOWN or invalid).
AICC_API size_t aicc_element_type_size(aicc_element_type_t type);

/// Returns a static short name ("f32", "i64", "bool", "f8e4m3fn", "i4", ...;
/// "unknown").
AICC_API const char *aicc_element_type_name(aicc_element_type_t type);

/// Device kinds; values equal aicc.fb.DeviceKind in aicc.fbs.
typedef enum aicc_device_kind_e {
  AICC_DEVICE_KIND_CPU = 0,
  AICC_DEVICE_KIND_CUDA = 1,
  AICC_DEVICE_KIND_ROCM = 2,
  AICC_DEVICE_KIND_NPU = 3,
} aicc_device_kind_t;

/// Returns a static name ("cpu", "cuda", "rocm", "npu"; "unknown").
AICC_API const char *aicc_device_kind_name(aicc_device_kind_t kind);

/// Describes one device. Strings are owned by the runtime and live as long as
/// it does.
typedef struct aicc_device_info_s {
  /// Name used to select the device: "cpu", or for GPUs the driver and the
  /// ordinal, "cuda:0", "rocm:1".
  const char *name;
  aicc_device_kind_t kind;
  /// Free-form description: the CPU model; for a GPU its name, arch
  /// ("sm_90"), memory, multiprocessors and driver version.
  const char *description;
  /// Hardware threads usable by the device (CPU), multiprocessors (SMs /
  /// CUs) of a GPU, or 1.
  uint32_t concurrency;
} aicc_device_info_t;

/*===--------------------------------------------------------------------===*/
/* Runtime                                                                  */
/*===--------------------------------------------------------------------===*/

typedef struct aicc_runtime_s aicc_runtime_t;

/// Creates a runtime and discovers devices (at least "cpu").
/// `out_runtime` receives a new reference owned by the caller.
AICC_API aicc_status_t aicc_runtime_create(aicc_runtime_t **out_runtime);

/// Adds a reference to `runtime` (borrowed; NULL is a no-op).
AICC_API void aicc_runtime_retain(aicc_runtime_t *runtime);

/// Drops a reference (NULL is a no-op); the last one frees the runtime.
AICC_API void aicc_runtime_release(aicc_runtime_t *runtime);

/// Returns the number of devices of `runtime` (borrowed).
AICC_API size_t aicc_runtime_device_count(const aicc_runtime_t *runtime);

/// Writes the description of device `index` of `runtime` (borrowed) to
/// `out_info` (caller-owned struct; its strings are owned by the runtime).
AICC_API aicc_status_t aicc_runtime_device_info(const aicc_runtime_t *runtime,
                                                size_t index,
                                                aicc_device_info_t *out_info);

/// A driver the runtime probed when it was created: "cpu", "cuda", "rocm".
/// GPU drivers load their user-mode library (libcuda.so.1, libamdhip64.so)
/// with dlopen; a missing library or GPU leaves the driver without devices
/// and says why. Strings are owned by the runtime.
typedef struct aicc_driver_info_s {
  const char *name;
  /// Devices the driver contributed to aicc_runtime_device_info.
  size_t device_count;
  /// Why the driver has no device, e.g. "libcuda.so.1 not found" or
  /// "cuInit failed: CUDA_ERROR_NO_DEVICE (...)"; NULL when it has some.
  const char *error;
} aicc_driver_info_t;

/// Returns the number of drivers of `runtime` (borrowed).
AICC_API size_t aicc_runtime_driver_count(const aicc_runtime_t *runtime);

/// Writes the description of driver `index` of `runtime` (borrowed) to
/// `out_info` (caller-owned struct; its strings are owned by the runtime).
AICC_API aicc_status_t aicc_runtime_driver_info(const aicc_runtime_t *runtime,
                                                size_t index,
                                                aicc_driver_info_t *out_info);

/*===--------------------------------------------------------------------===*/
/* Module                                                                   */
/*===--------------------------------------------------------------------===*/

typedef struct aicc_module_s aicc_module_t;

/// Maps the file at `path` (borrowed) read-only, verifies it completely and
/// returns a module in `out_module` (new reference owned by the caller). The
/// module retains `runtime` and keeps the mapping until released. The file
/// must not be truncated while mapped.
AICC_API aicc_status_t aicc_module_load_file(aicc_runtime_t *runtime,
                                             const char *path,
                                             aicc_module_t **out_module);

/// How aicc_module_load_memory treats the caller's bytes.
typedef enum aicc_memory_mode_e {
  /// Use the bytes in place: they must be 64-byte aligned, unchanged and
  /// alive until the module is destroyed (last release).
  AICC_MEMORY_BORROW = 0,
  /// Copy the bytes into a 64-byte aligned allocation owned by the module.
  AICC_MEMORY_COPY = 1,
} aicc_memory_mode_t;

/// Verifies and loads an artifact from `size` bytes at `data` (borrowed or
/// copied, see `mode`). `name` (borrowed, may be NULL) names it in messages.
AICC_API aicc_status_t aicc_module_load_memory(aicc_runtime_t *runtime,
                                               const void *data, size_t size,
                                               aicc_memory_mode_t mode,
                                               const char *name,
                                               aicc_module_t **out_module);

/// Adds a reference to `module` (NULL is a no-op).
AICC_API void aicc_module_retain(aicc_module_t *module);

/// Drops a reference (NULL is a no-op); the last one unmaps the artifact and
/// unloads its code. Sessions hold references, so this is safe while they
/// live.
AICC_API void aicc_module_release(aicc_module_t *module);

/// Number of inputs / outputs of the module's signature.
AICC_API size_t aicc_module_input_count(const aicc_module_t *module);
AICC_API size_t aicc_module_output_count(const aicc_module_t *module);

/// Describes a tensor of the signature. Pointers are owned by the module and
/// valid until it is destroyed.
typedef struct aicc_tensor_info_s {
  const char *name;
  aicc_element_type_t element_type;
  size_t rank;
  const int64_t *dims;
  /// Product of dims times the element size.
  size_t byte_size;
} aicc_tensor_info_t;

/// Writes the description of input / output `index` to `out_info`.
AICC_API aicc_status_t aicc_module_input_info(const aicc_module_t *module,
                                              size_t index,
                                              aicc_tensor_info_t *out_info);
AICC_API aicc_status_t aicc_module_output_info(const aicc_module_t *module,
                                               size_t index,
                                               aicc_tensor_info_t *out_info);

/// Finds the input / output called `name` (borrowed); NOT_FOUND if none.
AICC_API aicc_status_t aicc_module_find_input(const aicc_module_t *module,
                                              const char *name,
                                              size_t *out_index);
AICC_API aicc_status_t aicc_module_find_output(const aicc_module_t *module,
                                               const char *name,
                                               size_t *out_index);

/// Summary of a module, for tools. Strings are owned by the module.
typedef struct aicc_module_properties_s {
  uint32_t version_major;
  uint32_t version_minor;
  const char *producer;
  const char *name;
  /// Comma separated target names ("" when none).
  const char *targets;
  size_t executable_count;
  size_t constant_count;
  /// Sum of the sizes of all constants.
  uint64_t constant_bytes;
  size_t memory_space_count;
  size_t buffer_count;
  size_t state_pool_count;
  /// Number of commands in the schedule, and how many are dispatches.
  size_t command_count;
  size_t dispatch_count;
  /// Size of the artifact in bytes.
  uint64_t file_size;
} aicc_module_properties_t;

AICC_API aicc_status_t aicc_module_properties(
    const aicc_module_t *module, aicc_module_properties_t *out_properties);

/// One memory space of the plan. Strings are owned by the module.
typedef struct aicc_memory_space_info_s {
  const char *name;
  aicc_device_kind_t device;
  uint64_t arena_size;
  uint64_t lower_bound;
} aicc_memory_space_info_t;

AICC_API aicc_status_t
aicc_module_memory_space_info(const aicc_module_t *module, size_t index,
                              aicc_memory_space_info_t *out_info);

/// One executable. Strings are owned by the module.
typedef struct aicc_executable_info_s {
  const char *name;
  aicc_device_kind_t device;
  /// e.g. "elf-x86_64".
  const char *format;
  uint64_t byte_size;
  size_t entry_point_count;
  /// Device features the code needs (aicc_module_required_feature).
  size_t required_feature_count;
} aicc_executable_info_t;

AICC_API aicc_status_t
aicc_module_executable_info(const aicc_module_t *module, size_t index,
                            aicc_executable_info_t *out_info);

/// Writes the name (owned by the module) of device feature `feature` that
/// executable `executable` needs, e.g. "avx512vnni" for a CPU.
AICC_API aicc_status_t aicc_module_required_feature(
    const aicc_module_t *module, size_t executable, size_t feature,
    const char **out_name);

/// Writes the name (owned by the module) and binding count of entry point
/// `entry` of executable `executable`.
AICC_API aicc_status_t aicc_module_entry_point_info(
    const aicc_module_t *module, size_t executable, size_t entry,
    const char **out_name, uint32_t *out_binding_count);

/// Kind of a command of the schedule.
typedef enum aicc_command_kind_e {
  AICC_COMMAND_KIND_DISPATCH = 0,
  AICC_COMMAND_KIND_COPY = 1,
  AICC_COMMAND_KIND_BARRIER = 2,
} aicc_command_kind_t;

/// Describes command `index` of the schedule. Strings are owned by the
/// module.
typedef struct aicc_command_info_s {
  aicc_command_kind_t kind;
  /// Dispatch: the entry point's name (for compiled modules the kernel name
  /// `k<N>_<ONNX node>`); "copy" or "barrier" otherwise.
  const char *name;
  /// Dispatch: executable and entry point indices (0 otherwise).
  uint32_t executable;
  uint32_t entry_point;
  /// Whether the artifact records the cost below (format 1.1 dispatches
  /// written by the compiler; copies always have it).
  int has_cost;
  /// Arithmetic operations of one call as the compiler counted them
  /// (docs/Artifact.md, "Kernel cost"); 0 for copies and barriers.
  uint64_t flops;
  /// Bytes one call reads plus writes (a copy: twice its size).
  uint64_t bytes;
} aicc_command_info_t;

/// Writes the description of command `index` (< command_count of
/// aicc_module_properties) of `module` (borrowed) to `out_info`.
AICC_API aicc_status_t aicc_module_command_info(const aicc_module_t *module,
                                                size_t index,
                                                aicc_command_info_t *out_info);

/*===--------------------------------------------------------------------===*/
/* Session                                                                  */
/*===--------------------------------------------------------------------===*/

typedef struct aicc_session_s aicc_session_t;

/// Options of aicc_session_create. Initialize with
/// aicc_session_options_init(), then set what you need. New members are only
/// ever appended; `struct_size` tells the library which ones the caller
/// knows, so programs built against an older header keep working.
typedef struct aicc_session_options_s {
  /// sizeof(aicc_session_options_t) as the caller compiled it (set by
  /// aicc_session_options_init).
  size_t struct_size;
  /// Device name ("cpu", "cuda:0"), a driver name for its first device
  /// ("cuda", "rocm"), or "auto" (a GPU or NPU that can run the module
  /// before the CPU); NULL means "auto". Borrowed during aicc_session_create
  /// only.
  const char *device;
  /// Threads of the CPU thread pool including the caller; 0 = one per core
  /// available to the process. Ignored by GPUs.
  uint32_t num_threads;
  /// Format 1.4: the most bytes a run may allocate for buffers whose size
  /// depends on input values (runtime-allocated buffers); a run that needs
  /// more fails with OUT_OF_MEMORY before any command runs. 0 = the default,
  /// AICC_DEFAULT_MAX_RUNTIME_ALLOC_BYTES.
  uint64_t max_runtime_alloc_bytes;
} aicc_session_options_t;

/// Default of aicc_session_options_t.max_runtime_alloc_bytes (4 GiB).
#define AICC_DEFAULT_MAX_RUNTIME_ALLOC_BYTES (UINT64_C(4) << 30)

/// Fills `options` (caller-owned) with defaults.
AICC_API void aicc_session_options_init(aicc_session_options_t *options);

/// Binds `module` (retained by the session) to a device: loads its code,
/// allocates arenas and zeroed state pools, starts the thread pool (CPU) or
/// creates the session's stream (GPU: arenas and state live in device
/// memory, the module's constants are uploaded once per device and shared
/// by its sessions; see docs/Runtime.md).
/// `options` is borrowed and may be NULL for defaults. `out_session` receives
/// a session owned by the caller (aicc_session_destroy).
AICC_API aicc_status_t aicc_session_create(
    aicc_module_t *module, const aicc_session_options_t *options,
    aicc_session_t **out_session);

/// Stops the thread pool and frees everything the session owns (NULL is a
/// no-op). Must not race with aicc_session_run on the same session.
AICC_API void aicc_session_destroy(aicc_session_t *session);

/// Returns the module of `session` (borrowed: the session holds a
/// reference).
AICC_API aicc_module_t *aicc_session_module(const aicc_session_t *session);

/// Writes the device info of `session` (strings owned by the runtime).
AICC_API aicc_status_t aicc_session_device_info(const aicc_session_t *session,
                                                aicc_device_info_t *out_info);

/// A tensor in caller memory. The runtime never frees or keeps `data`/`dims`
/// beyond the call they are passed to.
typedef struct aicc_tensor_view_s {
  /// Base address; dense, C (row-major) order. Inputs are only read, in
  /// place or from a copy taken when the run starts (docs/Runtime.md,
  /// "Memory a kernel may read"): an input changed during a run has no
  /// defined effect.
  void *data;
  aicc_element_type_t element_type;
  size_t rank;
  const int64_t *dims;
  /// Bytes available at `data`; must be at least product(dims) * elem size.
  size_t byte_size;
} aicc_tensor_view_t;

/// Runs the module's schedule once. `inputs` (borrowed, `input_count` views
/// in signature order) and `outputs` (borrowed, `output_count` views in
/// signature order, whose memory receives the results) must match the
/// signature's element types and shapes exactly; for a dynamic module
/// (format 1.3, aicc_module_is_dynamic) the inputs may have any shape within
/// the symbols' ranges, and an output view's dynamic dims are not compared
/// (pass the upper bounds of aicc_module_output_info or the shape from
/// aicc_session_infer_shapes): its byte_size must hold the actual output,
/// whose shape aicc_session_output_shape reports after the run. Returns BUSY
/// when another thread is running the same session. Output contents are
/// unspecified after a failed run. On a GPU the inputs are copied to the device
/// and the outputs back on the session's stream, which is synchronized before
/// returning.
AICC_API aicc_status_t aicc_session_run(aicc_session_t *session,
                                        const aicc_tensor_view_t *inputs,
                                        size_t input_count,
                                        const aicc_tensor_view_t *outputs,
                                        size_t output_count);

/*===--------------------------------------------------------------------===*/
/* Dynamic shapes (format 1.3, docs/Runtime.md "Dynamic shapes")            */
/*===--------------------------------------------------------------------===*/

/// Whether `module` has dynamic dims: then the dims of aicc_tensor_info_t are
/// the upper bounds and runs accept any shape within the symbols' ranges.
AICC_API int aicc_module_is_dynamic(const aicc_module_t *module);

/// A symbol (dimension variable) of a dynamic module, e.g. "sequence" with
/// range [1, 512]. `name` is owned by the module.
typedef struct aicc_symbol_info_s {
  const char *name;
  int64_t min;
  int64_t max;
} aicc_symbol_info_t;

/// Number of symbols of `module` (0 for a static one).
AICC_API size_t aicc_module_symbol_count(const aicc_module_t *module);
AICC_API aicc_status_t aicc_module_symbol_info(const aicc_module_t *module,
                                               size_t index,
                                               aicc_symbol_info_t *out_info);

/// What dim `dim` of input / output `index` is: the index of its symbol when
/// the dim is exactly a symbol, -1 when it is static (its value is the
/// tensor info's dims[dim]), -2 when it is another expression of the
/// symbols (outputs only; aicc_session_output_shape gives its value).
AICC_API aicc_status_t aicc_module_input_dim_symbol(const aicc_module_t *module,
                                                    size_t index, size_t dim,
                                                    int64_t *out_symbol);
AICC_API aicc_status_t aicc_module_output_dim_symbol(
    const aicc_module_t *module, size_t index, size_t dim, int64_t *out_symbol);

/// Binds the symbols of `session`'s module from the shapes of `inputs` (only
/// rank, dims and element type are read; data may be NULL), checks ranges,
/// consistency and the compiler's assumptions, and computes the output
/// shapes (aicc_session_output_shape) without running. Lets a caller size
/// its output buffers exactly. For a static module it only checks. Format
/// 1.4: when output shapes depend on input values (value symbols), the views
/// of the inputs those values come from must carry their data, which is
/// read (not kept); without it this returns INVALID_ARGUMENT saying which
/// input's values are needed.
AICC_API aicc_status_t
aicc_session_infer_shapes(aicc_session_t *session,
                          const aicc_tensor_view_t *inputs, size_t input_count);

/// Writes the shape of output `index` for the inputs of the latest
/// aicc_session_run or aicc_session_infer_shapes of `session` whose input
/// shapes passed the checks (before any: the signature's dims, upper bounds
/// for dynamic ones) to `out_dims`
/// (caller-owned, `capacity` entries) and its rank to `out_rank`.
/// INVALID_ARGUMENT when `capacity` is less than the rank.
AICC_API aicc_status_t aicc_session_output_shape(const aicc_session_t *session,
                                                 size_t index,
                                                 int64_t *out_dims,
                                                 size_t capacity,
                                                 size_t *out_rank);

/*===--------------------------------------------------------------------===*/
/* Generation (docs/Runtime.md "Generation")                                */
/*===--------------------------------------------------------------------===*/

/// A token-by-token decoding loop over a session of a decoder module with a
/// KV cache as inputs and outputs (ONNX "with past" exports): inputs
/// `input_ids` [batch 1, sequence], optional `attention_mask` [1, past +
/// sequence] (filled with ones) and `position_ids` [1, sequence] (past ..
/// past + sequence - 1), and past/present pairs (`past_key_values.N.key` ->
/// `present.N.key`, the same for `.value`); output `logits` [1, sequence,
/// vocabulary] f32. The loop keeps the cache on the host: each run's present
/// tensors become the next run's past (buffers are swapped, not copied).
typedef struct aicc_generator_s aicc_generator_t;

typedef struct aicc_generator_options_s {
  /// sizeof(aicc_generator_options_t) as the caller compiled it.
  size_t struct_size;
  /// Names of the token input and the logits output; NULL: "input_ids",
  /// "logits". Borrowed during aicc_generator_create only.
  const char *input_ids;
  const char *logits;
  /// "PAST:PRESENT,..." pairs of cache tensors; NULL: pair every input named
  /// past_key_values.* / past.* with the output named present.* with the
  /// same suffix.
  const char *kv_cache;
} aicc_generator_options_t;

AICC_API void aicc_generator_options_init(aicc_generator_options_t *options);

/// Creates a generator over `session` (borrowed; must outlive the generator
/// and not be run by anyone else meanwhile). Fails with a message naming the
/// input or output that does not fit the pattern above.
AICC_API aicc_status_t aicc_generator_create(
    aicc_session_t *session, const aicc_generator_options_t *options,
    aicc_generator_t **out_generator);

AICC_API void aicc_generator_destroy(aicc_generator_t *generator);

/// Empties the cache (the next call is a prefill again).
AICC_API aicc_status_t aicc_generator_reset(aicc_generator_t *generator);

/// Runs `count` tokens (borrowed) after what the cache holds (a prompt at
/// first), appends them to the cache and returns the logits of the last one
/// (`out_logits`, owned by the generator, valid until its next call;
/// `out_vocabulary` entries).
AICC_API aicc_status_t aicc_generator_prefill(aicc_generator_t *generator,
                                              const int64_t *tokens,
                                              size_t count,
                                              const float **out_logits,
                                              size_t *out_vocabulary);

/// aicc_generator_prefill of one token.
AICC_API aicc_status_t aicc_generator_step(aicc_generator_t *generator,
                                           int64_t token,
                                           const float **out_logits,
                                           size_t *out_vocabulary);

/// Tokens the cache holds.
AICC_API size_t aicc_generator_length(const aicc_generator_t *generator);

/// What the latest prefill or step moved for the KV cache: `cache_bytes`,
/// the cache bytes copied (in place, --kv-cache: the runtime's count of
/// bytes written into the state pools; otherwise the past tensors passed in
/// plus the present tensors written out), and `new_bytes`, the K/V of the
/// new tokens alone (the least any layout must move). `in_place` is 1 when
/// the cache is session state (a module compiled with --kv-cache).
/// `kv_committed_bytes`: the KV state memory in use after the latest call
/// (contiguous layout: the whole state; paged, --kv-cache-layout=paged: the
/// blocks mapped for the sequence, which grow with it), `kv_reserved_bytes`:
/// the state's bytes for the maximum length (both 0 unless in place).
typedef struct aicc_generator_stats_s {
  uint64_t cache_bytes;
  uint64_t new_bytes;
  int in_place;
  uint64_t kv_committed_bytes;
  uint64_t kv_reserved_bytes;
} aicc_generator_stats_t;
AICC_API aicc_status_t aicc_generator_stats(const aicc_generator_t *generator,
                                            aicc_generator_stats_t *out_stats);

/// Zeroes the session's persistent state pools (e.g. to start a new
/// sequence with an empty KV cache).
AICC_API aicc_status_t aicc_session_reset_state(aicc_session_t *session);

/*===--------------------------------------------------------------------===*/
/* Profiling                                                                */
/*===--------------------------------------------------------------------===*/

/// Turns per-command timing of `session` on (`enabled` != 0) or off. While
/// on, every aicc_session_run reads a monotonic clock around each command of
/// the schedule (on a GPU: records an event on the session's stream between
/// commands and reads the elapsed device times after the run); while off,
/// runs read no clock at all. Turning it on clears the counters. Returns BUSY
/// while the session runs.
AICC_API aicc_status_t aicc_session_set_profiling(aicc_session_t *session,
                                                  int enabled);

/// Timings of one command of the schedule, accumulated over the profiled
/// runs since profiling was turned on (or aicc_session_reset_profile).
typedef struct aicc_command_profile_s {
  /// Profiled runs that executed the command.
  uint64_t run_count;
  /// Wall time of the command in the latest profiled run, and the sum and
  /// minimum over all of them, in nanoseconds.
  uint64_t last_ns;
  uint64_t total_ns;
  uint64_t min_ns;
} aicc_command_profile_t;

/// Writes the timings of command `index` (same numbering as
/// aicc_module_command_info) of `session` (borrowed) to `out_profile`
/// (caller-owned). All zero when nothing was profiled. Must not race with
/// aicc_session_run on the same session (read between runs).
AICC_API aicc_status_t
aicc_session_command_profile(const aicc_session_t *session, size_t index,
                             aicc_command_profile_t *out_profile);

/// Clears the counters of `session`; BUSY while the session runs.
AICC_API aicc_status_t aicc_session_reset_profile(aicc_session_t *session);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AICC_RUNTIME_H */
