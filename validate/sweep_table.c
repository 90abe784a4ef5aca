/* sweep_table.c - tables of named columns for the sweeps. */
#include "validate/sf_sweep.h"

#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_sweep_table_create(size_t n_rows, size_t n_cols, const char *const *cols,
                          sf_sweep_table **out) {
  if (!out || (n_cols && !cols))
    return sf_error_set(SF_EINVAL, "sf_sweep_table_create: NULL argument");
  *out = NULL;
  sf_sweep_table *t = calloc(1, sizeof *t);
  if (t) {
    t->cols = calloc(n_cols ? n_cols : 1, sizeof *t->cols);
    size_t cells = n_rows * n_cols;
    t->v = malloc((cells > 0 ? cells : 1) * sizeof *t->v);
  }
  if (!t || !t->cols || !t->v) {
    sf_sweep_table_destroy(t);
    return sf_error_set(SF_ENOMEM, "cannot allocate a %zu x %zu sweep table", n_rows, n_cols);
  }
  t->n_rows = n_rows;
  t->n_cols = n_cols;
  for (size_t c = 0; c < n_cols; ++c) {
    if (strlen(cols[c]) >= SF_SWEEP_COL_MAX) {
      sf_sweep_table_destroy(t);
      return sf_error_set(SF_EINVAL, "sweep column name '%s' is too long", cols[c]);
    }
    snprintf(t->cols[c], SF_SWEEP_COL_MAX, "%s", cols[c]);
  }
  for (size_t i = 0; i < n_rows * n_cols; ++i)
    t->v[i] = NAN;
  *out = t;
  return SF_OK;
}

void sf_sweep_table_destroy(sf_sweep_table *t) {
  if (!t)
    return;
  free(t->cols);
  free(t->v);
  free(t);
}

int sf_sweep_table_col(const sf_sweep_table *t, const char *name) {
  if (!t || !name)
    return -1;
  for (size_t c = 0; c < t->n_cols; ++c)
    if (strcmp(t->cols[c], name) == 0)
      return (int)c;
  return -1;
}

double sf_sweep_table_get(const sf_sweep_table *t, size_t row, const char *name) {
  int c = sf_sweep_table_col(t, name);
  if (c < 0 || row >= t->n_rows)
    return NAN;
  return t->v[row * t->n_cols + (size_t)c];
}
