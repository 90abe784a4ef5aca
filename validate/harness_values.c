/* harness_values.c - named numbers of a realisation and their summary over
   realisations (mean +- sample standard deviation). */
#include "validate/sf_harness.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_harness_values_set(sf_harness_values *vals, const char *name, double value) {
  if (!vals || !name)
    return sf_error_set(SF_EINVAL, "sf_harness_values_set: NULL argument");
  if (strlen(name) >= SF_HARNESS_NAME_MAX)
    return sf_error_set(SF_EINVAL, "metric name '%s' is longer than %d characters", name,
                        SF_HARNESS_NAME_MAX - 1);
  for (size_t i = 0; i < vals->n; ++i)
    if (strcmp(vals->v[i].name, name) == 0) {
      vals->v[i].value = value;
      return SF_OK;
    }
  if (vals->n == vals->cap) {
    size_t cap = vals->cap ? 2 * vals->cap : 64;
    sf_harness_value *v = realloc(vals->v, cap * sizeof *v);
    if (!v)
      return sf_error_set(SF_ENOMEM, "cannot grow the metric list to %zu entries", cap);
    vals->v = v;
    vals->cap = cap;
  }
  snprintf(vals->v[vals->n].name, SF_HARNESS_NAME_MAX, "%s", name);
  vals->v[vals->n].value = value;
  vals->n++;
  return SF_OK;
}

double sf_harness_values_get(const sf_harness_values *vals, const char *name) {
  if (!vals || !name)
    return NAN;
  for (size_t i = 0; i < vals->n; ++i)
    if (strcmp(vals->v[i].name, name) == 0)
      return vals->v[i].value;
  return NAN;
}

void sf_harness_values_clear(sf_harness_values *vals) {
  if (!vals)
    return;
  free(vals->v);
  vals->v = NULL;
  vals->n = vals->cap = 0;
}

int sf_harness_summarise(const sf_harness_values *lists, size_t n, sf_harness_stat **stats,
                         size_t *n_stats) {
  if (!stats || !n_stats || (n && !lists))
    return sf_error_set(SF_EINVAL, "sf_harness_summarise: NULL argument");
  *stats = NULL;
  *n_stats = 0;
  size_t cap = 0;
  for (size_t k = 0; k < n; ++k)
    cap += lists[k].n;
  if (cap == 0)
    return SF_OK;
  sf_harness_stat *s = sf_alloc(cap, sizeof *s, "metric summary");
  if (!s)
    return SF_ENOMEM;
  size_t m = 0;
  for (size_t k = 0; k < n; ++k)
    for (size_t i = 0; i < lists[k].n; ++i) {
      const char *name = lists[k].v[i].name;
      size_t j = 0;
      while (j < m && strcmp(s[j].name, name) != 0)
        ++j;
      if (j < m)
        continue;
      sf_harness_stat *st = &s[m++];
      snprintf(st->name, sizeof st->name, "%s", name);
      /* two-pass mean and variance over the lists where the value is finite */
      double sum = 0.0, lo = INFINITY, hi = -INFINITY;
      size_t cnt = 0;
      for (size_t q = 0; q < n; ++q) {
        double v = sf_harness_values_get(&lists[q], name);
        if (!isfinite(v))
          continue;
        sum += v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        ++cnt;
      }
      st->n = cnt;
      st->mean = cnt ? sum / (double)cnt : NAN;
      double ss = 0.0;
      for (size_t q = 0; q < n && cnt; ++q) {
        double v = sf_harness_values_get(&lists[q], name);
        if (isfinite(v))
          ss += (v - st->mean) * (v - st->mean);
      }
      st->std = cnt > 1 ? sqrt(ss / (double)(cnt - 1)) : (cnt == 1 ? 0.0 : NAN);
      st->min = cnt ? lo : NAN;
      st->max = cnt ? hi : NAN;
    }
  *stats = s;
  *n_stats = m;
  return SF_OK;
}

const sf_harness_stat *sf_harness_stat_find(const sf_harness_result *r, const char *name) {
  if (!r || !name)
    return NULL;
  for (size_t i = 0; i < r->n_stats; ++i)
    if (strcmp(r->stats[i].name, name) == 0)
      return &r->stats[i];
  return NULL;
}
