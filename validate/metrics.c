/* metrics.c - MSE, PSNR, NRMSE, SSIM, SNR, scale alignment and improvement. */
#include "validate/sf_metrics.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <string.h>

#define USE(mask, i) (!(mask) || (mask)[i])

static int check_finite(const double *v, const uint8_t *mask, size_t n, const char *what) {
  for (size_t i = 0; i < n; ++i)
    if (USE(mask, i) && !isfinite(v[i]))
      return sf_error_set(SF_EINVAL, "metrics: %s at pixel %zu = %g: must be finite", what, i,
                          v[i]);
  return SF_OK;
}

/* Sums over the mask, after checking the inputs. */
typedef struct pixel_sums {
  size_t n;
  double sq_err, t_min, t_max;
} pixel_sums;

static int pixel_stats(const double *x, double s, const double *t, const uint8_t *mask, size_t n,
                       pixel_sums *out) {
  SF_TRY(check_finite(x, mask, n, "estimate"));
  SF_TRY(check_finite(t, mask, n, "truth"));
  pixel_sums r = {0, 0.0, INFINITY, -INFINITY};
  for (size_t i = 0; i < n; ++i) {
    if (!USE(mask, i))
      continue;
    double d = s * x[i] - t[i];
    r.sq_err += d * d;
    if (t[i] < r.t_min)
      r.t_min = t[i];
    if (t[i] > r.t_max)
      r.t_max = t[i];
    r.n++;
  }
  if (r.n == 0)
    return sf_error_set(SF_EINVAL, "metrics: no pixel selected (empty mask or image)");
  *out = r;
  return SF_OK;
}

static double psnr_from(double mse, double peak) {
  return mse == 0.0 ? INFINITY : 10.0 * log10(peak * peak / mse);
}

int sf_metrics_mse(const double *x, const double *truth, const uint8_t *mask, size_t n,
                   double *mse) {
  pixel_sums r;
  SF_TRY(pixel_stats(x, 1.0, truth, mask, n, &r));
  *mse = r.sq_err / (double)r.n;
  return SF_OK;
}

int sf_metrics_psnr(const double *x, const double *truth, const uint8_t *mask, size_t n,
                    double *psnr_dB) {
  pixel_sums r;
  SF_TRY(pixel_stats(x, 1.0, truth, mask, n, &r));
  if (!(r.t_max > 0.0))
    return sf_error_set(SF_ERANGE, "PSNR: peak max(truth) = %g: must be > 0", r.t_max);
  *psnr_dB = psnr_from(r.sq_err / (double)r.n, r.t_max);
  return SF_OK;
}

int sf_metrics_nrmse(const double *x, const double *truth, const uint8_t *mask, size_t n,
                     double *nrmse) {
  pixel_sums r;
  SF_TRY(pixel_stats(x, 1.0, truth, mask, n, &r));
  if (!(r.t_max > r.t_min))
    return sf_error_set(SF_ERANGE, "NRMSE: the truth is constant (%g): range zero", r.t_max);
  *nrmse = sqrt(r.sq_err / (double)r.n) / (r.t_max - r.t_min);
  return SF_OK;
}

int sf_metrics_snr(const double *x, const uint8_t *mask, size_t n, double *snr) {
  SF_TRY(check_finite(x, mask, n, "map"));
  size_t m = 0;
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i)
    if (USE(mask, i)) {
      sum += x[i];
      ++m;
    }
  if (m < 2)
    return sf_error_set(SF_EINVAL, "SNR: %zu pixels in the region: need at least 2", m);
  double mean = sum / (double)m, ss = 0.0;
  for (size_t i = 0; i < n; ++i)
    if (USE(mask, i))
      ss += (x[i] - mean) * (x[i] - mean);
  double sd = sqrt(ss / (double)(m - 1));
  *snr = sd > 0.0 ? mean / sd : INFINITY;
  return SF_OK;
}

int sf_metrics_scale(const double *x, const double *truth, const uint8_t *mask, size_t n,
                     double *scale) {
  SF_TRY(check_finite(x, mask, n, "estimate"));
  SF_TRY(check_finite(truth, mask, n, "truth"));
  double xt = 0.0, xx = 0.0;
  for (size_t i = 0; i < n; ++i)
    if (USE(mask, i)) {
      xt += x[i] * truth[i];
      xx += x[i] * x[i];
    }
  if (!(xx > 0.0))
    return sf_error_set(SF_ENUMERIC, "scale alignment: the estimate is zero on the mask");
  *scale = xt / xx;
  return SF_OK;
}

/* Normalised 1-D Gaussian window of SF_SSIM_WINDOW taps. */
static void ssim_window(double *w) {
  const int r = SF_SSIM_WINDOW / 2;
  double sum = 0.0;
  for (int k = -r; k <= r; ++k) {
    w[k + r] = exp(-0.5 * (k * k) / (SF_SSIM_SIGMA * SF_SSIM_SIGMA));
    sum += w[k + r];
  }
  for (int k = 0; k < SF_SSIM_WINDOW; ++k)
    w[k] /= sum;
}

/* 'Valid' separable filtering of the five SSIM moments: out[c] are
   (nx - W + 1) x (ny - W + 1) images of E[x], E[t], E[x^2], E[t^2], E[xt]. */
static void ssim_moments(const double *x, double s, const double *t, size_t nx, size_t ny,
                         const double *w, double *rows, double *out) {
  const size_t W = SF_SSIM_WINDOW, ox = nx - W + 1, oy = ny - W + 1;
  /* Horizontal pass into rows[c][iy][jx], c = moment. */
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t jx = 0; jx < ox; ++jx) {
      double acc[5] = {0, 0, 0, 0, 0};
      for (size_t k = 0; k < W; ++k) {
        double a = s * x[iy * nx + jx + k], b = t[iy * nx + jx + k];
        acc[0] += w[k] * a;
        acc[1] += w[k] * b;
        acc[2] += w[k] * a * a;
        acc[3] += w[k] * b * b;
        acc[4] += w[k] * a * b;
      }
      for (int c = 0; c < 5; ++c)
        rows[(c * ny + iy) * ox + jx] = acc[c];
    }
  /* Vertical pass. */
  for (int c = 0; c < 5; ++c)
    for (size_t jy = 0; jy < oy; ++jy)
      for (size_t jx = 0; jx < ox; ++jx) {
        double acc = 0.0;
        for (size_t k = 0; k < W; ++k)
          acc += w[k] * rows[(c * ny + jy + k) * ox + jx];
        out[(c * oy + jy) * ox + jx] = acc;
      }
}

static int ssim_scaled(const double *x, double s, const double *t, size_t nx, size_t ny,
                       double L, double *ssim) {
  if (nx < SF_SSIM_WINDOW || ny < SF_SSIM_WINDOW)
    return sf_error_set(SF_EINVAL, "SSIM: image %zu x %zu is smaller than the %d x %d window",
                        nx, ny, SF_SSIM_WINDOW, SF_SSIM_WINDOW);
  SF_TRY(check_finite(x, NULL, nx * ny, "estimate"));
  SF_TRY(check_finite(t, NULL, nx * ny, "truth"));
  if (!(L > 0.0)) {
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < nx * ny; ++i) {
      lo = t[i] < lo ? t[i] : lo;
      hi = t[i] > hi ? t[i] : hi;
    }
    L = hi - lo;
  }
  if (!(L > 0.0) || !isfinite(L))
    return sf_error_set(SF_ERANGE, "SSIM: dynamic range L = %g: the truth is constant; give L",
                        L);
  const size_t ox = nx - SF_SSIM_WINDOW + 1, oy = ny - SF_SSIM_WINDOW + 1;
  double *rows = sf_alloc(5 * ny * ox, sizeof(double), "SSIM row moments");
  double *mom = sf_alloc(5 * oy * ox, sizeof(double), "SSIM moments");
  if (!rows || !mom) {
    sf_free(rows);
    sf_free(mom);
    return SF_ENOMEM;
  }
  double w[SF_SSIM_WINDOW];
  ssim_window(w);
  ssim_moments(x, s, t, nx, ny, w, rows, mom);
  const double C1 = (SF_SSIM_K1 * L) * (SF_SSIM_K1 * L);
  const double C2 = (SF_SSIM_K2 * L) * (SF_SSIM_K2 * L);
  const size_t m = ox * oy;
  double sum = 0.0;
  for (size_t i = 0; i < m; ++i) {
    double mx = mom[i], mt = mom[m + i];
    double vx = mom[2 * m + i] - mx * mx, vt = mom[3 * m + i] - mt * mt;
    double cxt = mom[4 * m + i] - mx * mt;
    sum += (2.0 * mx * mt + C1) * (2.0 * cxt + C2) /
           ((mx * mx + mt * mt + C1) * (vx + vt + C2));
  }
  sf_free(rows);
  sf_free(mom);
  *ssim = sum / (double)m;
  return SF_OK;
}

int sf_metrics_ssim(const double *x, const double *truth, size_t nx, size_t ny,
                    double dynamic_range, double *ssim) {
  return ssim_scaled(x, 1.0, truth, nx, ny, dynamic_range, ssim);
}

int sf_metrics_compare(const double *x, const double *truth, size_t nx, size_t ny,
                       const uint8_t *mask, int align, sf_metrics *out) {
  const size_t n = nx * ny;
  double s = 1.0;
  if (align)
    SF_TRY(sf_metrics_scale(x, truth, mask, n, &s));
  pixel_sums r;
  SF_TRY(pixel_stats(x, s, truth, mask, n, &r));
  sf_metrics m;
  m.n = r.n;
  m.scale = s;
  m.mse = r.sq_err / (double)r.n;
  m.rmse = sqrt(m.mse);
  m.nrmse = r.t_max > r.t_min ? m.rmse / (r.t_max - r.t_min) : NAN;
  m.psnr_dB = r.t_max > 0.0 ? psnr_from(m.mse, r.t_max) : NAN;
  m.ssim = NAN;
  if (nx >= SF_SSIM_WINDOW && ny >= SF_SSIM_WINDOW) {
    int status = ssim_scaled(x, s, truth, nx, ny, 0.0, &m.ssim);
    if (status == SF_ERANGE)
      m.ssim = NAN; /* constant truth: SSIM undefined */
    else if (status != SF_OK)
      return status;
  }
  *out = m;
  return SF_OK;
}

/* Copy of an image map as doubles (caller frees with sf_free). */
static double *map_values(const sf_map *m) {
  double *v = sf_alloc(m->nx * m->ny, sizeof(double), m->name);
  if (v)
    for (size_t i = 0; i < m->nx * m->ny; ++i)
      v[i] = sf_map_get(m, i % m->nx, i / m->nx, 0);
  return v;
}

int sf_metrics_compare_maps(const sf_map *estimate, const sf_map *truth, const uint8_t *mask,
                            int align, sf_metrics *out) {
  if (!sf_map_same_grid(estimate, truth) || estimate->nz != 1 || truth->nz != 1)
    return sf_error_set(SF_EINVAL, "metrics: maps '%s' (%zu x %zu x %zu) and '%s' (%zu x %zu x "
                        "%zu) are not images on one grid", estimate->name, estimate->nx,
                        estimate->ny, estimate->nz, truth->name, truth->nx, truth->ny, truth->nz);
  double *x = map_values(estimate), *t = map_values(truth);
  int status = (x && t) ? SF_OK : SF_ENOMEM;
  if (status == SF_OK)
    status = sf_metrics_compare(x, t, truth->nx, truth->ny, mask, align, out);
  if (status != SF_OK && status != SF_ENOMEM)
    sf_error_prepend(status, "comparing '%s' with '%s'", estimate->name, truth->name);
  sf_free(x);
  sf_free(t);
  return status;
}

int sf_metrics_compare_set(const sf_imageset *set, size_t n, const char *const *est,
                           const char *const *truth, const uint8_t *mask, int align,
                           sf_metrics *per, sf_metrics *overall) {
  if (n == 0)
    return sf_error_set(SF_EINVAL, "metrics: no elements to compare");
  double sq = 0.0, t_min = INFINITY, t_max = -INFINITY, ssim_sum = 0.0;
  size_t total = 0, n_ssim = 0;
  for (size_t k = 0; k < n; ++k) {
    const sf_map *e = sf_imageset_find(set, est[k]), *t = sf_imageset_find(set, truth[k]);
    if (!e || !t)
      return sf_error_set(SF_ENOENT, "metrics: map '%s' not found", !e ? est[k] : truth[k]);
    SF_TRY(sf_metrics_compare_maps(e, t, mask, align, &per[k]));
    sq += per[k].mse * (double)per[k].n;
    total += per[k].n;
    for (size_t i = 0; i < t->nx * t->ny; ++i) {
      if (!USE(mask, i))
        continue;
      double v = sf_map_get(t, i % t->nx, i / t->nx, 0);
      t_min = v < t_min ? v : t_min;
      t_max = v > t_max ? v : t_max;
    }
    if (!isnan(per[k].ssim)) {
      ssim_sum += per[k].ssim;
      ++n_ssim;
    }
  }
  if (overall) {
    overall->n = total;
    overall->scale = NAN;
    overall->mse = sq / (double)total;
    overall->rmse = sqrt(overall->mse);
    overall->nrmse = t_max > t_min ? overall->rmse / (t_max - t_min) : NAN;
    overall->psnr_dB = t_max > 0.0 ? psnr_from(overall->mse, t_max) : NAN;
    overall->ssim = n_ssim ? ssim_sum / (double)n_ssim : NAN;
  }
  return SF_OK;
}

int sf_metrics_improvement(const double *raw, const double *fused, const double *truth,
                           const uint8_t *mask, const uint8_t *region, size_t n, int align,
                           sf_metrics_gain *gain) {
  sf_metrics_gain g;
  memset(&g, 0, sizeof g);
  g.scale_raw = g.scale_fused = 1.0;
  if (align) {
    SF_TRY(sf_metrics_scale(raw, truth, mask, n, &g.scale_raw));
    SF_TRY(sf_metrics_scale(fused, truth, mask, n, &g.scale_fused));
  }
  pixel_sums rr, rf;
  SF_TRY(pixel_stats(raw, g.scale_raw, truth, mask, n, &rr));
  SF_TRY(pixel_stats(fused, g.scale_fused, truth, mask, n, &rf));
  if (!(rr.t_max > 0.0))
    return sf_error_set(SF_ERANGE, "improvement: peak max(truth) = %g: must be > 0", rr.t_max);
  g.psnr_raw_dB = psnr_from(rr.sq_err / (double)rr.n, rr.t_max);
  g.psnr_fused_dB = psnr_from(rf.sq_err / (double)rf.n, rf.t_max);
  g.psnr_gain_dB = g.psnr_fused_dB - g.psnr_raw_dB;
  SF_TRY(sf_metrics_snr(raw, region, n, &g.snr_raw));
  SF_TRY(sf_metrics_snr(fused, region, n, &g.snr_fused));
  g.snr_ratio_pct = 100.0 * g.snr_fused / g.snr_raw;
  g.snr_increase_pct = g.snr_ratio_pct - 100.0;
  *gain = g;
  return SF_OK;
}
