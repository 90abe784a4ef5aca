/* plot_ticks.c - tick positions at "nice" values and their labels. */
#include "validate/sf_plot.h"

#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Relative slack when deciding whether a multiple of the step lies in the range. */
#define TICK_SLACK 1e-9

/* Multiples k*step inside [lo, hi]: first and last k. */
static void multiples_in(double lo, double hi, double step, double *k0, double *k1) {
  *k0 = ceil(lo / step - TICK_SLACK);
  *k1 = floor(hi / step + TICK_SLACK);
}

int sf_plot_nice_ticks(double lo, double hi, int max_ticks, double *ticks, int capacity,
                       int *count, double *step) {
  if (!count || !isfinite(lo) || !isfinite(hi) || !(lo < hi) || max_ticks < 2)
    return sf_error_set(SF_EINVAL, "ticks for the range [%g, %g] with at most %d: need a finite "
                        "range lo < hi and at least 2 ticks", lo, hi, max_ticks);
  double raw = (hi - lo) / (max_ticks - 1);
  double mag = pow(10.0, floor(log10(raw)) - 1.0);
  static const double mantissa[3] = {1.0, 2.0, 5.0};
  double s = 0.0, k0 = 0.0, k1 = -1.0;
  /* The smallest 1-2-5 step (starting a decade below the raw spacing) with few enough ticks. */
  for (int i = 0; i < 12; ++i) {
    s = mantissa[i % 3] * mag * pow(10.0, i / 3);
    multiples_in(lo, hi, s, &k0, &k1);
    if (k1 - k0 + 1.0 <= max_ticks)
      break;
  }
  int n = (int)(k1 - k0 + 1.0);
  for (int i = 0; i < n && i < capacity; ++i) {
    double k = k0 + i;
    ticks[i] = k == 0.0 ? 0.0 : k * s;
  }
  *count = n < capacity ? n : capacity;
  if (step)
    *step = s;
  return SF_OK;
}

int sf_plot_log_ticks(double lo, double hi, int max_ticks, double *ticks, int capacity,
                      int *count) {
  if (!count || !isfinite(lo) || !isfinite(hi) || !(lo > 0.0) || !(lo < hi) || max_ticks < 2)
    return sf_error_set(SF_EINVAL, "log ticks for the range [%g, %g] with at most %d: need "
                        "0 < lo < hi and at least 2 ticks", lo, hi, max_ticks);
  double a = log10(lo), b = log10(hi);
  int n = 0;
  if (b - a < 2.0) {
    /* Under two decades: 1, 2 and 5 times the powers of ten. */
    static const double mantissa[3] = {1.0, 2.0, 5.0};
    for (double e = floor(a); e <= floor(b); e += 1.0)
      for (int m = 0; m < 3; ++m) {
        double v = mantissa[m] * pow(10.0, e);
        if (v >= lo * (1.0 - TICK_SLACK) && v <= hi * (1.0 + TICK_SLACK)) {
          if (n < capacity)
            ticks[n] = v;
          ++n;
        }
      }
    if (n >= 2 && n <= max_ticks) {
      *count = n < capacity ? n : capacity;
      return SF_OK;
    }
    if (n < 2)
      return sf_plot_nice_ticks(lo, hi, max_ticks, ticks, capacity, count, NULL);
    n = 0; /* too many: powers of ten only */
  }
  double e0 = ceil(a - TICK_SLACK), e1 = floor(b + TICK_SLACK);
  double stride = ceil((e1 - e0 + 1.0) / max_ticks);
  if (stride < 1.0)
    stride = 1.0;
  for (double e = e0; e <= e1; e += 1.0) {
    if (fmod(fmod(e, stride) + stride, stride) != 0.0)
      continue;
    if (n < capacity)
      ticks[n] = pow(10.0, e);
    ++n;
  }
  *count = n < capacity ? n : capacity;
  return SF_OK;
}

/* Decimals needed to write `step` exactly (at most 10). */
static int decimals_for(double step) {
  int d = (int)-floor(log10(step) + TICK_SLACK);
  if (d < 0)
    d = 0;
  while (d < 10) {
    double scaled = step * pow(10.0, d);
    if (fabs(scaled - round(scaled)) <= 1e-6 * scaled)
      break;
    ++d;
  }
  return d;
}

/* Drop trailing zeros of a decimal fraction ("2.50" -> "2.5", "3.0" -> "3"). */
static void strip_zeros(char *s) {
  if (!strchr(s, '.'))
    return;
  size_t n = strlen(s);
  while (n > 0 && s[n - 1] == '0')
    s[--n] = '\0';
  if (n > 0 && s[n - 1] == '.')
    s[--n] = '\0';
}

void sf_plot_tick_label(double v, double step, char *buf, size_t size) {
  if (!buf || size == 0)
    return;
  step = fabs(step);
  if (!isfinite(v)) {
    snprintf(buf, size, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    return;
  }
  if (step > 0.0 && fabs(v) < step * TICK_SLACK)
    v = 0.0; /* rounding residue of a tick at zero */
  double av = fabs(v);
  char text[64];
  if (v != 0.0 && (av >= 1e5 || av < 1e-3)) {
    int e = (int)floor(log10(av));
    double mant = v / pow(10.0, e);
    int d = 6;
    if (step > 0.0) {
      d = e - (int)floor(log10(step) + TICK_SLACK);
      d = d < 0 ? 0 : (d > 6 ? 6 : d);
    }
    snprintf(text, sizeof text, "%.*f", d, mant);
    if (strcmp(text, "10") == 0 || strncmp(text, "10.", 3) == 0 || strcmp(text, "-10") == 0 ||
        strncmp(text, "-10.", 4) == 0) { /* rounding carried into the next decade */
      e += 1;
      snprintf(text, sizeof text, "%.*f", d, v / pow(10.0, e));
    }
    strip_zeros(text);
    size_t n = strlen(text);
    snprintf(text + n, sizeof text - n, "e%d", e);
  } else {
    int d = step > 0.0 ? decimals_for(step) : 6;
    snprintf(text, sizeof text, "%.*f", d, v);
    if (step <= 0.0)
      strip_zeros(text);
    /* "-0.00" after rounding is zero. */
    int all_zero = 1;
    for (const char *q = text; *q; ++q)
      if (*q >= '1' && *q <= '9')
        all_zero = 0;
    if (all_zero && text[0] == '-')
      memmove(text, text + 1, strlen(text));
  }
  snprintf(buf, size, "%s", text);
}
