/* incoherent_blur.c - separable Gaussian probe blur with periodic or reflecting edges. */
#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "sim/sf_incoherent.h"

#include <math.h>
#include <string.h>

/* FWHM = 2 sqrt(2 ln 2) sigma. */
#define FWHM_PER_SIGMA 2.3548200450309493
/* Kernel half-width in standard deviations: the mass beyond 6 sigma is 2e-9. */
#define KERNEL_SIGMAS 6.0

/* Index of sample i (any integer) on an axis of n samples under the boundary rule. */
static size_t fold_index(long i, size_t n, sf_blur_boundary boundary) {
  long ln = (long)n;
  if (boundary == SF_BLUR_PERIODIC) {
    long m = i % ln;
    return (size_t)(m < 0 ? m + ln : m);
  }
  /* Half-sample symmetric: period 2n, mirrored about -1/2 and n - 1/2. */
  long m = i % (2 * ln);
  if (m < 0)
    m += 2 * ln;
  return (size_t)(m >= ln ? 2 * ln - 1 - m : m);
}

/* Normalised sampled Gaussian w[0..2r] for offsets -r..r; returns r, or -1 on ENOMEM. */
static long make_kernel(double sigma_px, double **w_out) {
  long r = (long)ceil(KERNEL_SIGMAS * sigma_px);
  if (r < 1)
    r = 1;
  double *w = sf_alloc((size_t)(2 * r + 1), sizeof(double), "blur kernel");
  if (!w)
    return -1;
  double sum = 0.0;
  for (long k = -r; k <= r; ++k) {
    double t = (double)k / sigma_px;
    w[k + r] = exp(-0.5 * t * t);
    sum += w[k + r];
  }
  for (long k = 0; k <= 2 * r; ++k)
    w[k] /= sum;
  *w_out = w;
  return r;
}

/* Convolve along one axis: `count` lines of `n` samples, sample j of line l at
   data[l*line_stride + j*stride]. src is a copy of data. */
static void convolve_axis(double *data, const double *src, size_t n, size_t stride, size_t count,
                          size_t line_stride, const double *w, long r,
                          sf_blur_boundary boundary) {
#pragma omp parallel for schedule(static)
  for (size_t l = 0; l < count; ++l) {
    const double *in = src + l * line_stride;
    double *out = data + l * line_stride;
    for (size_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (long k = -r; k <= r; ++k)
        acc += w[k + r] * in[fold_index((long)j - k, n, boundary) * stride];
      out[j * stride] = acc;
    }
  }
}

int sf_incoherent_blur(double *img, size_t nx, size_t ny, double sampling_x_A,
                       double sampling_y_A, double fwhm_A, sf_blur_boundary boundary) {
  if (!img || nx == 0 || ny == 0)
    return sf_error_set(SF_EINVAL, "probe blur: empty image (%zu x %zu)", nx, ny);
  if (!isfinite(fwhm_A) || fwhm_A < 0.0)
    return sf_error_set(SF_EINVAL, "probe blur: blur_fwhm_A = %g: must be finite and >= 0",
                        fwhm_A);
  if (!isfinite(sampling_x_A) || !isfinite(sampling_y_A) || sampling_x_A <= 0.0 ||
      sampling_y_A <= 0.0)
    return sf_error_set(SF_EINVAL, "probe blur: sampling %g x %g Å: must be finite and > 0",
                        sampling_x_A, sampling_y_A);
  if (boundary != SF_BLUR_PERIODIC && boundary != SF_BLUR_REFLECT)
    return sf_error_set(SF_EINVAL, "probe blur: boundary = %d: must be periodic or reflect",
                        (int)boundary);
  if (fwhm_A == 0.0)
    return SF_OK;
  double sigma_A = fwhm_A / FWHM_PER_SIGMA;
  double *tmp = sf_alloc(nx * ny, sizeof(double), "probe blur scratch image");
  if (!tmp)
    return SF_ENOMEM;
  double *w = NULL;
  long r = make_kernel(sigma_A / sampling_x_A, &w);
  if (r < 0) {
    sf_free(tmp);
    return SF_ENOMEM;
  }
  memcpy(tmp, img, nx * ny * sizeof(double));
  convolve_axis(img, tmp, nx, 1, ny, nx, w, r, boundary); /* rows: along x */
  sf_free(w);
  w = NULL;
  r = make_kernel(sigma_A / sampling_y_A, &w);
  if (r < 0) {
    sf_free(tmp);
    return SF_ENOMEM;
  }
  memcpy(tmp, img, nx * ny * sizeof(double));
  convolve_axis(img, tmp, ny, nx, nx, 1, w, r, boundary); /* columns: along y */
  sf_free(w);
  sf_free(tmp);
  return SF_OK;
}
