/* log.c - levelled stderr logging and stdout output. */
#include "core/sf_log.h"

#include <stdarg.h>
#include <stdio.h>

static sf_log_level current_level = SF_LOG_NOTE;

void sf_log_set_level(sf_log_level level) { current_level = level; }

sf_log_level sf_log_get_level(void) { return current_level; }

static const char *level_prefix(sf_log_level level) {
  switch (level) {
  case SF_LOG_ERROR: return "error: ";
  case SF_LOG_WARN: return "warning: ";
  case SF_LOG_DEBUG: return "debug: ";
  default: return "";
  }
}

void sf_log(sf_log_level level, const char *fmt, ...) {
  if (level > current_level)
    return;
  char line[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  /* One fprintf per line keeps lines from parallel threads whole. */
  fprintf(stderr, "%s%s\n", level_prefix(level), line);
}

void sf_out(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
}
