/*===- aicc/status.h - Status objects of the aicc C API ----------*- C -*-===*\
|*                                                                            *|
|* Every fallible aicc_* function returns an aicc_status_t. NULL means        *|
|* success; anything else is an error the caller owns and must release with   *|
|* aicc_status_free(). A status carries a code and a human readable message   *|
|* that names what went wrong (the input, the table and index, the file).     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef AICC_STATUS_H
#define AICC_STATUS_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define AICC_API __declspec(dllexport)
#else
#define AICC_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// Error categories. Values are stable across releases.
typedef enum aicc_status_code_e {
  AICC_STATUS_OK = 0,
  /// A parameter is NULL, out of range or inconsistent (e.g. a tensor view
  /// whose shape does not match the module's signature).
  AICC_STATUS_INVALID_ARGUMENT = 1,
  /// A named object (input, device, entry point symbol) does not exist.
  AICC_STATUS_NOT_FOUND = 2,
  /// Reading a file or mapping memory failed.
  AICC_STATUS_IO_ERROR = 3,
  /// The artifact failed verification: truncated, corrupt or inconsistent.
  AICC_STATUS_INVALID_MODULE = 4,
  /// Valid, but not runnable here: format version, device, binary format or
  /// CPU feature this runtime or machine does not support.
  AICC_STATUS_UNSUPPORTED = 5,
  /// An allocation failed.
  AICC_STATUS_OUT_OF_MEMORY = 6,
  /// A kernel returned non-zero.
  AICC_STATUS_KERNEL_FAILED = 7,
  /// The object is in use by another thread (e.g. a session already running).
  AICC_STATUS_BUSY = 8,
  /// A bug in the runtime.
  AICC_STATUS_INTERNAL = 9,
} aicc_status_code_t;

/// Opaque error object; NULL is success.
typedef struct aicc_status_s *aicc_status_t;

/// Returns the code of `status` (AICC_STATUS_OK for NULL). `status` is
/// borrowed.
AICC_API aicc_status_code_t aicc_status_code(aicc_status_t status);

/// Returns the message of `status` ("" for NULL). The string is owned by
/// `status` and valid until aicc_status_free(status).
AICC_API const char *aicc_status_message(aicc_status_t status);

/// Releases `status` (owned by the caller; NULL is a no-op).
AICC_API void aicc_status_free(aicc_status_t status);

/// Returns a static name for `code`, e.g. "INVALID_MODULE".
AICC_API const char *aicc_status_code_name(aicc_status_code_t code);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AICC_STATUS_H */
