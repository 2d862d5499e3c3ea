//===- Status.h - Making aicc_status_t values -------------------*- C++ -*-===//
//
// The runtime builds errors with printf-style messages; without exceptions,
// every internal function that can fail returns aicc_status_t and callers
// propagate it with AICC_RETURN_IF_ERROR.
//
//===----------------------------------------------------------------------===//

#ifndef AICC_RUNTIME_SRC_STATUS_H
#define AICC_RUNTIME_SRC_STATUS_H

#include "aicc/status.h"

namespace aicc {

/// Returns a new status with `code` and a formatted message. Never returns
/// NULL for a non-OK code: if the status itself cannot be allocated, a static
/// out-of-memory status (which aicc_status_free ignores) is returned.
aicc_status_t makeStatus(aicc_status_code_t code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/// Returns a new status with `status`'s code and "<prefix>: <message>";
/// consumes `status`.
aicc_status_t annotateStatus(aicc_status_t status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

} // namespace aicc

#define AICC_RETURN_IF_ERROR(expr)                                             \
  do {                                                                         \
    aicc_status_t aiccStatus_ = (expr);                                        \
    if (aiccStatus_)                                                           \
      return aiccStatus_;                                                      \
  } while (0)

#endif // AICC_RUNTIME_SRC_STATUS_H
