/* propagator.c - wave grid, band limit and the Fresnel propagator of a slice. */
#include "sim/sf_propagator.h"

#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "potentials/sf_interaction.h"

#include <math.h>

#define GRID_MAX 65536u

int sf_wavegrid_init(sf_wavegrid *g, size_t nx, size_t ny, double sampling_A, double energy_keV,
                     double band_limit) {
  if (!g)
    return sf_error_set(SF_EINVAL, "wave grid: NULL argument");
  if (nx < 2 || ny < 2 || nx > GRID_MAX || ny > GRID_MAX)
    return sf_error_set(SF_EINVAL, "wave grid: nx = %zu, ny = %zu: each must be in 2..%u", nx,
                        ny, GRID_MAX);
  if (!isfinite(sampling_A) || sampling_A <= 0.0)
    return sf_error_set(SF_EINVAL, "wave grid: sampling_A = %g: must be a finite value > 0",
                        sampling_A);
  if (!isfinite(band_limit) || band_limit <= 0.0 || band_limit > 1.0)
    return sf_error_set(SF_EINVAL,
                        "wave grid: band_limit = %g: must be a fraction of Nyquist in (0, 1]",
                        band_limit);
  double lambda = 0.0;
  SF_TRY(sf_electron_wavelength(energy_keV, &lambda));
  g->nx = nx;
  g->ny = ny;
  g->sampling_A = sampling_A;
  g->energy_keV = energy_keV;
  g->lambda_A = lambda;
  g->band_limit = band_limit;
  g->k_max_invA = band_limit / (2.0 * sampling_A);
  g->alpha_max_mrad = 1000.0 * lambda * g->k_max_invA;
  g->cell_x_A = (double)nx * sampling_A;
  g->cell_y_A = (double)ny * sampling_A;
  return SF_OK;
}

double sf_wavegrid_frequency(size_t i, size_t n, double length_A) {
  const long m = i < (n + 1) / 2 ? (long)i : (long)i - (long)n;
  return (double)m / length_A;
}

int sf_wavegrid_in_band(const sf_wavegrid *g, size_t ix, size_t iy) {
  const double qx = sf_wavegrid_frequency(ix, g->nx, g->cell_x_A);
  const double qy = sf_wavegrid_frequency(iy, g->ny, g->cell_y_A);
  return qx * qx + qy * qy <= g->k_max_invA * g->k_max_invA;
}

double sf_wavegrid_band_fraction(const sf_wavegrid *g) {
  size_t kept = 0;
  for (size_t iy = 0; iy < g->ny; ++iy)
    for (size_t ix = 0; ix < g->nx; ++ix)
      kept += (size_t)sf_wavegrid_in_band(g, ix, iy);
  return (double)kept / ((double)g->nx * (double)g->ny);
}

double sf_propagator_phase(const sf_wavegrid *g, double qx, double qy, double dz_A,
                           double tilt_x_mrad, double tilt_y_mrad) {
  const double tx = tan(1e-3 * tilt_x_mrad), ty = tan(1e-3 * tilt_y_mrad);
  return -SF_PI * g->lambda_A * dz_A * (qx * qx + qy * qy) +
         SF_TWO_PI * dz_A * (qx * tx + qy * ty);
}

int sf_propagator_fill(const sf_wavegrid *g, double dz_A, double tilt_x_mrad, double tilt_y_mrad,
                       double scale, fftwf_complex *P) {
  if (!g || !P)
    return sf_error_set(SF_EINVAL, "propagator: NULL argument");
  if (!isfinite(dz_A) || !isfinite(tilt_x_mrad) || !isfinite(tilt_y_mrad) || !isfinite(scale))
    return sf_error_set(SF_EINVAL,
                        "propagator: dz_A = %g, tilt = (%g, %g) mrad, scale = %g: all must be "
                        "finite",
                        dz_A, tilt_x_mrad, tilt_y_mrad, scale);
  if (fabs(tilt_x_mrad) >= 1000.0 || fabs(tilt_y_mrad) >= 1000.0)
    return sf_error_set(SF_ERANGE, "propagator: tilt (%g, %g) mrad: must be below 1000 mrad",
                        tilt_x_mrad, tilt_y_mrad);
  const double k2max = g->k_max_invA * g->k_max_invA;
  for (size_t iy = 0; iy < g->ny; ++iy) {
    const double qy = sf_wavegrid_frequency(iy, g->ny, g->cell_y_A);
    for (size_t ix = 0; ix < g->nx; ++ix) {
      const double qx = sf_wavegrid_frequency(ix, g->nx, g->cell_x_A);
      fftwf_complex *p = &P[iy * g->nx + ix];
      if (qx * qx + qy * qy > k2max) {
        (*p)[0] = 0.0f;
        (*p)[1] = 0.0f;
        continue;
      }
      const double phase = sf_propagator_phase(g, qx, qy, dz_A, tilt_x_mrad, tilt_y_mrad);
      (*p)[0] = (float)(scale * cos(phase));
      (*p)[1] = (float)(scale * sin(phase));
    }
  }
  return SF_OK;
}

int sf_wave_plan(size_t nx, size_t ny, size_t howmany, fftwf_complex *buf, int sign, int measure,
                 fftwf_plan *plan) {
  if (!plan || !buf || nx < 1 || ny < 1 || howmany < 1 || nx * ny > (size_t)1 << 30 ||
      howmany > ((size_t)1 << 30) / (nx * ny))
    return sf_error_set(SF_EINVAL, "FFT plan: %zu transform(s) of %zu x %zu: invalid", howmany,
                        nx, ny);
  const int n[2] = {(int)ny, (int)nx};
  const int dist = (int)(nx * ny);
  /* Make sure FFTW's threads are initialised (sf_threads_init is idempotent
     for n = 0), so that changing the planner's thread count is safe. */
  SF_TRY(sf_threads_init(0));
  const int saved = fftwf_planner_nthreads();
  fftwf_plan_with_nthreads(1);
  *plan = fftwf_plan_many_dft(2, n, (int)howmany, buf, NULL, 1, dist, buf, NULL, 1, dist, sign,
                              measure ? FFTW_MEASURE : FFTW_ESTIMATE);
  fftwf_plan_with_nthreads(saved);
  if (!*plan)
    return sf_error_set(SF_ENOMEM, "FFTW could not plan %zu transform(s) of %zu x %zu", howmany,
                        nx, ny);
  return SF_OK;
}

void sf_wave_multiply(fftwf_complex *restrict a, fftwf_complex *restrict b, size_t n) {
  float *x = (float *)a;
  const float *y = (const float *)b;
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    const float ar = x[2 * i], ai = x[2 * i + 1], br = y[2 * i], bi = y[2 * i + 1];
    x[2 * i] = ar * br - ai * bi;
    x[2 * i + 1] = ar * bi + ai * br;
  }
}
