/* prism_grid.c - PRISM sizes: reduced S-matrix grid, beam count and the
   memory estimate made before any work. */
#include "sim/sf_prism.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"

#include <math.h>

/* 1 when n has no prime factor above 7 (FFTW is fastest on such sizes). */
static int smooth(size_t n) {
  static const size_t primes[] = {2, 3, 5, 7};
  for (size_t i = 0; i < 4; ++i)
    while (n % primes[i] == 0)
      n /= primes[i];
  return n == 1;
}

/* Smallest multiple of f above 2 m_max whose factors are 2, 3, 5 and 7. */
static size_t reduced_size(double k_max_L, int f) {
  const size_t m_max = (size_t)floor(k_max_L);
  const size_t fs = (size_t)f;
  size_t n = (2 * m_max + 1 + fs - 1) / fs * fs;
  while (!smooth(n))
    n += fs;
  return n;
}

int sf_prism_reduced_grid(const sf_wavegrid *g, int f, size_t *nx_red, size_t *ny_red) {
  if (!g || !nx_red || !ny_red)
    return sf_error_set(SF_EINVAL, "PRISM grid: NULL argument");
  if (f < 1 || f > 64)
    return sf_error_set(SF_EINVAL, "PRISM: prism_f = %d: must be in 1..64", f);
  *nx_red = reduced_size(g->k_max_invA * g->cell_x_A, f);
  *ny_red = reduced_size(g->k_max_invA * g->cell_y_A, f);
  return SF_OK;
}

int sf_prism_beam_count(const sf_stem_params *p, int f, size_t *n_beams) {
  if (!p || !n_beams)
    return sf_error_set(SF_EINVAL, "PRISM beams: NULL argument");
  if (f < 1 || f > 64)
    return sf_error_set(SF_EINVAL, "PRISM: prism_f = %d: must be in 1..64", f);
  sf_wavegrid g;
  SF_TRY(sf_stem_params_grid(p, &g));
  sf_probe_beam *beams = NULL;
  SF_TRY(sf_probe_beams(&p->probe, &g, (size_t)f, &beams, n_beams));
  sf_free(beams);
  return SF_OK;
}

int sf_prism_memory_estimate(const sf_stem_params *p, double *bytes) {
  if (!p || !bytes)
    return sf_error_set(SF_EINVAL, "PRISM memory estimate: NULL argument");
  sf_wavegrid g;
  SF_TRY(sf_stem_params_grid(p, &g));
  size_t nxr = 0, nyr = 0, nb = 0;
  SF_TRY(sf_prism_reduced_grid(&g, p->prism_f, &nxr, &nyr));
  SF_TRY(sf_prism_beam_count(p, p->prism_f, &nb));
  const double cplx = 8.0, N = (double)g.nx * (double)g.ny, Nr = (double)nxr * (double)nyr;
  const double Nw = Nr / ((double)p->prism_f * (double)p->prism_f);
  const double n_depths = (double)(p->n_depths ? p->n_depths : 1);
  const double threads = (double)(p->threads > 0 ? p->threads : sf_threads_count());
  double b = n_depths * (double)nb * Nr * cplx;                 /* the S-matrix */
  b += threads * (N + Nr + 8.0 * (Nw + (double)nb)) * cplx;     /* per-thread waves, 8 windows */
  b += threads * ((double)g.nx + (double)g.ny) * sizeof(double); /* plane-wave factors */
  b += N * sf_wavegrid_band_fraction(&g) * 8.0;                 /* crop map */
  b += Nw * 32.0;                                               /* window detector lookup */
  *bytes = b;
  return SF_OK;
}
