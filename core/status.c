/* status.c - status texts and the thread-local last-error message. */
#include "core/sf_status.h"

#include <stdio.h>
#include <string.h>

#define SF_ERROR_CAPACITY 2048

static _Thread_local char error_text[SF_ERROR_CAPACITY];
static sf_error_handler *error_handler = NULL;

const char *sf_strerror(int status) {
  switch (status) {
  case SF_OK: return "success";
  case SF_EINVAL: return "invalid argument";
  case SF_ENOMEM: return "out of memory";
  case SF_EIO: return "input/output error";
  case SF_ERANGE: return "value out of range";
  case SF_EMAXITER: return "iteration limit reached";
  case SF_EFORMAT: return "malformed input";
  case SF_ENOENT: return "not found";
  case SF_EEXIST: return "already exists";
  case SF_ENUMERIC: return "numerical failure (NaN, Inf or breakdown)";
  case SF_EUNSUPPORTED: return "not supported";
  default: return "unknown status";
  }
}

int sf_error_vset(int status, const char *fmt, va_list ap) {
  vsnprintf(error_text, sizeof error_text, fmt, ap);
  if (error_handler)
    error_handler(status, error_text);
  return status;
}

int sf_error_set(int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sf_error_vset(status, fmt, ap);
  va_end(ap);
  return status;
}

int sf_error_prepend(int status, const char *fmt, ...) {
  char old[SF_ERROR_CAPACITY];
  memcpy(old, error_text, sizeof old);
  if (!old[0])
    snprintf(old, sizeof old, "%s", sf_strerror(status));
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(error_text, sizeof error_text, fmt, ap);
  va_end(ap);
  size_t used = n < 0 ? 0 : (size_t)n;
  if (used + 2 < sizeof error_text) {
    memcpy(error_text + used, ": ", 3);
    used += 2;
    size_t room = sizeof error_text - used - 1;
    size_t len = strlen(old);
    memcpy(error_text + used, old, len < room ? len : room);
    error_text[used + (len < room ? len : room)] = '\0';
  }
  return status;
}

const char *sf_error_message(void) { return error_text; }

void sf_error_clear(void) { error_text[0] = '\0'; }

sf_error_handler *sf_error_set_handler(sf_error_handler *handler) {
  sf_error_handler *previous = error_handler;
  error_handler = handler;
  return previous;
}
