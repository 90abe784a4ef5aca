/* alloc.c - aligned allocation with overflow checks. */
#include "core/sf_alloc.h"

#include "core/sf_status.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *sf_alloc(size_t count, size_t size, const char *what) {
  char text[32];
  if (size != 0 && count > SIZE_MAX / size) {
    sf_error_set(SF_ENOMEM, "allocating %s: %zu x %zu bytes overflows", what ? what : "array",
                 count, size);
    return NULL;
  }
  size_t bytes = count * size;
  void *ptr = NULL;
  if (posix_memalign(&ptr, SF_ALIGNMENT, bytes ? bytes : SF_ALIGNMENT) != 0) {
    sf_error_set(SF_ENOMEM, "allocating %s: %s failed", what ? what : "array",
                 sf_format_bytes(text, sizeof text, (double)bytes));
    return NULL;
  }
  memset(ptr, 0, bytes);
  return ptr;
}

void sf_free(void *ptr) { free(ptr); }

char *sf_format_bytes(char *buf, size_t size, double bytes) {
  static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  snprintf(buf, size, u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
  return buf;
}
