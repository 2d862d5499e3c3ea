//===- Status.cpp - aicc_status_t implementation --------------------------===//

#include "Status.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

struct aicc_status_s {
  aicc_status_code_t code;
  /// Set on the static out-of-memory status so that freeing it is a no-op.
  bool isStatic;
  char message[1]; // NUL-terminated, allocated to fit.
};

static aicc_status_s outOfMemoryStatus = {AICC_STATUS_OUT_OF_MEMORY, true, {0}};

static aicc_status_t allocateStatus(aicc_status_code_t code, const char *text,
                                    size_t length) {
  auto *status = static_cast<aicc_status_s *>(
      std::malloc(offsetof(aicc_status_s, message) + length + 1));
  if (!status)
    return &outOfMemoryStatus;
  status->code = code;
  status->isStatic = false;
  std::memcpy(status->message, text, length);
  status->message[length] = '\0';
  return status;
}

static aicc_status_t makeStatusV(aicc_status_code_t code, const char *format,
                                 va_list args) {
  char stackBuffer[512];
  va_list copy;
  va_copy(copy, args);
  int length = std::vsnprintf(stackBuffer, sizeof(stackBuffer), format, copy);
  va_end(copy);
  if (length < 0)
    return allocateStatus(code, "", 0);
  if (static_cast<size_t>(length) < sizeof(stackBuffer))
    return allocateStatus(code, stackBuffer, static_cast<size_t>(length));
  char *text =
      static_cast<char *>(std::malloc(static_cast<size_t>(length) + 1));
  if (!text)
    return &outOfMemoryStatus;
  std::vsnprintf(text, static_cast<size_t>(length) + 1, format, args);
  aicc_status_t status =
      allocateStatus(code, text, static_cast<size_t>(length));
  std::free(text);
  return status;
}

aicc_status_t aicc::makeStatus(aicc_status_code_t code, const char *format,
                               ...) {
  va_list args;
  va_start(args, format);
  aicc_status_t status = makeStatusV(code, format, args);
  va_end(args);
  return status;
}

aicc_status_t aicc::annotateStatus(aicc_status_t status, const char *format,
                                   ...) {
  if (!status)
    return nullptr;
  char prefix[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(prefix, sizeof(prefix), format, args);
  va_end(args);
  const char *message = aicc_status_message(status);
  size_t prefixLength = std::strlen(prefix),
         messageLength = std::strlen(message);
  char *text =
      static_cast<char *>(std::malloc(prefixLength + messageLength + 3));
  if (!text)
    return status; // Keep the original error rather than lose it.
  std::memcpy(text, prefix, prefixLength);
  std::memcpy(text + prefixLength, ": ", 2);
  std::memcpy(text + prefixLength + 2, message, messageLength + 1);
  aicc_status_t annotated = allocateStatus(aicc_status_code(status), text,
                                           prefixLength + messageLength + 2);
  std::free(text);
  if (annotated == &outOfMemoryStatus)
    return status;
  aicc_status_free(status);
  return annotated;
}

extern "C" {

aicc_status_code_t aicc_status_code(aicc_status_t status) {
  return status ? status->code : AICC_STATUS_OK;
}

const char *aicc_status_message(aicc_status_t status) {
  if (!status)
    return "";
  if (status == &outOfMemoryStatus)
    return "out of memory";
  return status->message;
}

void aicc_status_free(aicc_status_t status) {
  if (status && !status->isStatic)
    std::free(status);
}

const char *aicc_status_code_name(aicc_status_code_t code) {
  switch (code) {
  case AICC_STATUS_OK:
    return "OK";
  case AICC_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case AICC_STATUS_NOT_FOUND:
    return "NOT_FOUND";
  case AICC_STATUS_IO_ERROR:
    return "IO_ERROR";
  case AICC_STATUS_INVALID_MODULE:
    return "INVALID_MODULE";
  case AICC_STATUS_UNSUPPORTED:
    return "UNSUPPORTED";
  case AICC_STATUS_OUT_OF_MEMORY:
    return "OUT_OF_MEMORY";
  case AICC_STATUS_KERNEL_FAILED:
    return "KERNEL_FAILED";
  case AICC_STATUS_BUSY:
    return "BUSY";
  case AICC_STATUS_INTERNAL:
    return "INTERNAL";
  }
  return "UNKNOWN";
}

} // extern "C"
