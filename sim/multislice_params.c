/* multislice_params.c - STEM parameters: defaults, checks before any work,
   and the memory estimate. */
#include "sim/sf_multislice.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "sim/sf_prism.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sf_stem_params_default(sf_stem_params *p) {
  if (!p)
    return;
  memset(p, 0, sizeof *p);
  p->energy_keV = 300.0;
  p->band_limit = SF_BAND_LIMIT_DEFAULT;
  sf_probe_params_default(&p->probe);
  sf_detector_params_default(&p->detectors);
  p->algorithm = SF_STEM_MULTISLICE;
  p->prism_f = 4;
  p->batch = 1;
  p->fft_measure = 0;
  p->source_periodic = -1;
  p->progress = 1;
}

int sf_stem_params_grid(const sf_stem_params *p, sf_wavegrid *g) {
  if (!p || !g)
    return sf_error_set(SF_EINVAL, "STEM parameters: NULL argument");
  return sf_wavegrid_init(g, p->nx, p->ny, p->sampling_A, p->energy_keV, p->band_limit);
}

/* Everything but the scan and the memory. */
static int check_params(const sf_stem_params *p, sf_wavegrid *g) {
  SF_TRY(sf_stem_params_grid(p, g));
  if (!isfinite(p->slice_thickness_A) || p->slice_thickness_A <= 0.0)
    return sf_error_set(SF_EINVAL, "STEM: slice_thickness_A = %g: must be finite and > 0",
                        p->slice_thickness_A);
  if (p->n_slices < 1 || p->n_slices > 1000000)
    return sf_error_set(SF_EINVAL, "STEM: n_slices = %zu: must be in 1..1000000", p->n_slices);
  if (p->n_depths > 0 && !p->depth_slices)
    return sf_error_set(SF_EINVAL, "STEM: %zu depths but a NULL depth list", p->n_depths);
  for (size_t d = 0; d < p->n_depths; ++d) {
    const size_t k = p->depth_slices[d];
    if (k < 1 || k > p->n_slices || (d > 0 && k <= p->depth_slices[d - 1]))
      return sf_error_set(SF_EINVAL,
                          "STEM: depth %zu = %zu slices: depths must increase within 1..%zu",
                          d, k, p->n_slices);
  }
  if (!isfinite(p->tilt_x_mrad) || !isfinite(p->tilt_y_mrad) || fabs(p->tilt_x_mrad) >= 1000.0 ||
      fabs(p->tilt_y_mrad) >= 1000.0)
    return sf_error_set(SF_EINVAL, "STEM: tilt (%g, %g) mrad: must be finite, below 1000",
                        p->tilt_x_mrad, p->tilt_y_mrad);
  SF_TRY(sf_probe_check(&p->probe, g));
  SF_TRY(sf_detector_check(&p->detectors, g->alpha_max_mrad));
  if (p->algorithm != SF_STEM_MULTISLICE && p->algorithm != SF_STEM_PRISM)
    return sf_error_set(SF_EINVAL, "STEM: algorithm %d: must be multislice (0) or PRISM (1)",
                        (int)p->algorithm);
  if (p->algorithm == SF_STEM_PRISM && (p->prism_f < 1 || p->prism_f > 64))
    return sf_error_set(SF_EINVAL, "STEM: prism_f = %d: must be in 1..64", p->prism_f);
  if (p->batch < 1 || p->batch > 256)
    return sf_error_set(SF_EINVAL, "STEM: batch = %zu: must be in 1..256", p->batch);
  if (!isfinite(p->memory_limit_bytes) || p->memory_limit_bytes < 0.0)
    return sf_error_set(SF_EINVAL, "STEM: memory_limit_bytes = %g: must be finite and >= 0",
                        p->memory_limit_bytes);
  if (p->source_periodic < -1 || p->source_periodic > 1)
    return sf_error_set(SF_EINVAL, "STEM: source_periodic = %d: must be -1, 0 or 1",
                        p->source_periodic);
  return SF_OK;
}

static int thread_count(const sf_stem_params *p) {
  return p->threads > 0 ? p->threads : sf_threads_count();
}

int sf_stem_memory_estimate(const sf_stem_params *p, const sf_scan *scan, double *bytes) {
  if (!p || !bytes)
    return sf_error_set(SF_EINVAL, "STEM memory estimate: NULL argument");
  sf_wavegrid g;
  SF_TRY(check_params(p, &g));
  const double N = (double)g.nx * (double)g.ny, cplx = 8.0;
  const double threads = (double)thread_count(p);
  const size_t n_depths = p->n_depths ? p->n_depths : 1;
  double b = 0.0;
  b += (double)p->n_slices * N * cplx;          /* specimen */
  b += N * 2.0 * sizeof(double) + N * cplx;     /* projected potential v_z and its work wave */
  b += N * cplx;                                /* propagator */
  b += N * sf_wavegrid_band_fraction(&g) * 32.0; /* detector lookup (upper bound) */
  b += threads * (double)p->batch * N * cplx;   /* per-thread waves */
  if (scan)
    b += (double)sf_stem_result_bytes(&p->detectors, g.alpha_max_mrad, scan->n, n_depths);
  if (p->algorithm == SF_STEM_PRISM) {
    double prism = 0.0;
    SF_TRY(sf_prism_memory_estimate(p, &prism));
    b += prism;
  }
  *bytes = b;
  return SF_OK;
}

int sf_stem_params_check(const sf_stem_params *p, const sf_scan *scan) {
  if (!p)
    return sf_error_set(SF_EINVAL, "STEM parameters: NULL argument");
  sf_wavegrid g;
  SF_TRY(check_params(p, &g));
  if (!sf_projection_mode_name(p->projection))
    return sf_error_set(SF_EINVAL, "STEM: projection mode %d: must be infinite or finite",
                        (int)p->projection);
  if (scan) {
    SF_TRY(sf_scan_check_cell(scan, g.cell_x_A, g.cell_y_A));
    if (p->probe.source_sigma_A > 0.0 && !scan->is_grid)
      return sf_error_set(SF_EINVAL,
                          "STEM: a source size (source_sigma_A = %g) needs a grid scan, not "
                          "a list of positions",
                          p->probe.source_sigma_A);
  }
  if (p->memory_limit_bytes > 0.0) {
    double need = 0.0;
    SF_TRY(sf_stem_memory_estimate(p, scan, &need));
    if (need > p->memory_limit_bytes) {
      char a[32], b[32];
      sf_format_bytes(a, sizeof a, need);
      sf_format_bytes(b, sizeof b, p->memory_limit_bytes);
      return sf_error_set(SF_ENOMEM,
                          "STEM: the run needs about %s (%s, %zu x %zu grid, %zu slices) but "
                          "the memory limit is %s: use fewer threads, a coarser grid, a larger "
                          "PRISM factor or multislice",
                          a, p->algorithm == SF_STEM_PRISM ? "PRISM" : "multislice", p->nx,
                          p->ny, p->n_slices, b);
    }
  }
  return SF_OK;
}

