/* simulate_check.c - the checks of a `stemfuse simulate` setup before any
   work, each error naming the configuration key it comes from, and the
   memory and time estimates of the summary. */
#include "sim/sf_simulate_config.h"

#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "sim/sf_prism.h"

#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int fail_at(const sf_config *cfg, const char *table, const char *key, const char *value,
                   int status) {
  char origin[512];
  if (!cfg || sf_config_origin(cfg, table, key, origin, sizeof origin) != SF_OK)
    snprintf(origin, sizeof origin, "default");
  return sf_error_prepend(status, "%s: %s.%s = %s", origin, table, key, value);
}

static const char *cfg_origin_or_default(const sf_config *cfg, const char *table,
                                         const char *key) {
  static _Thread_local char origin[512];
  if (!cfg || sf_config_origin(cfg, table, key, origin, sizeof origin) != SF_OK)
    snprintf(origin, sizeof origin, "default");
  return origin;
}

/* The scan key the user gave (for messages). */
static const char *scan_key(const sf_config *cfg) {
  if (cfg && sf_config_has(cfg, "scan", "positions_A"))
    return "positions_A";
  if (cfg && sf_config_has(cfg, "scan", "window_A"))
    return "window_A";
  return "window_frac";
}

int sf_simulate_setup_check(const sf_simulate_setup *s) {
  if (!s)
    return sf_error_set(SF_EINVAL, "simulate: NULL setup");
  const sf_config *cfg = s->cfg;
  const sf_stem_params *p = &s->params;
  char text[64];
  sf_wavegrid g;
  SF_TRY(sf_stem_params_grid(p, &g));

  /* 1. The aperture inside the band limit: the sampling. */
  int status = sf_probe_check(&p->probe, &g);
  if (status == SF_ERANGE) {
    double h = 0.0;
    if (cfg)
      sf_config_get_number(cfg, "potential", "sampling_A", &h);
    snprintf(text, sizeof text, "%g", h);
    return fail_at(cfg, "potential", "sampling_A", text, status);
  }
  if (status != SF_OK)
    return sf_error_prepend(status, "[probe]");

  /* 2. Each detector inside the band limit. */
  for (size_t i = 0; i < p->detectors.n_detectors; ++i) {
    sf_detector_params one = p->detectors;
    one.detectors = &p->detectors.detectors[i];
    one.n_detectors = 1;
    status = sf_detector_check(&one, g.alpha_max_mrad);
    if (status != SF_OK) {
      char table[32];
      snprintf(table, sizeof table, "detector.%zu", i + 1);
      snprintf(text, sizeof text, "%g", p->detectors.detectors[i].outer_mrad);
      return fail_at(cfg, table, status == SF_ERANGE ? "outer_mrad" : "name",
                     status == SF_ERANGE ? text : p->detectors.detectors[i].name, status);
    }
  }
  status = sf_detector_check(&p->detectors, g.alpha_max_mrad); /* names used twice */
  if (status != SF_OK)
    return fail_at(cfg, "detector", "name", "(all detectors)", status);

  /* 3. The scan inside the cell. */
  status = sf_scan_check_cell(s->scan, g.cell_x_A, g.cell_y_A);
  if (status != SF_OK)
    return fail_at(cfg, "scan", scan_key(cfg), "(scan)", status);

  /* 4. Memory. */
  double bytes = 0.0;
  SF_TRY(sf_stem_memory_estimate(p, s->scan, &bytes));
  if (p->memory_limit_bytes > 0 && bytes > p->memory_limit_bytes) {
    sf_error_set(SF_ENOMEM,
                 "the run needs about %.4g MiB (%s, %zu x %zu grid, %zu slices, %zu probes, %zu "
                 "depths) but the memory limit is %.4g MiB: use a coarser sampling, fewer "
                 "probes, depths or threads, or multislice instead of PRISM",
                 bytes / 1048576.0, p->algorithm == SF_STEM_PRISM ? "PRISM" : "multislice",
                 p->nx, p->ny, p->n_slices, s->scan->n, p->n_depths > 0 ? p->n_depths : 1,
                 p->memory_limit_bytes / 1048576.0);
    double limit = 0.0;
    if (cfg)
      sf_config_get_number(cfg, "sim", "memory_limit_MiB", &limit);
    if (limit > 0) {
      snprintf(text, sizeof text, "%g", limit);
      return fail_at(cfg, "sim", "memory_limit_MiB", text, SF_ENOMEM);
    }
    return sf_error_prepend(SF_ENOMEM, "%s: sim.memory_limit_MiB = 0 (the physical memory, "
                            "%.4g MiB)", cfg_origin_or_default(cfg, "sim", "memory_limit_MiB"),
                            p->memory_limit_bytes / 1048576.0);
  }

  /* 5. Everything else (slices, depths, PRISM factor, batch, source size with a list). */
  SF_TRY(sf_stem_params_check(p, s->scan));

  /* 6. The names of everything that will be written. */
  sf_imageset *plan = sf_imageset_create();
  if (!plan)
    return SF_ENOMEM;
  status = sf_simulate_output_names(s, plan);
  if (status == SF_OK)
    status = sf_imageset_check_names(plan);
  sf_imageset_destroy(plan);
  if (status != SF_OK)
    return sf_error_prepend(status, "output names (detector names with their suffixes)");
  return SF_OK;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Seconds of one single-precision complex FFT of nx x ny (best of three). */
static int time_fft(size_t nx, size_t ny, double *seconds) {
  fftwf_complex *buf = fftwf_malloc(nx * ny * sizeof *buf);
  if (!buf)
    return sf_error_set(SF_ENOMEM, "simulate: FFT timing buffer of %zu x %zu", nx, ny);
  const int saved = fftwf_planner_nthreads();
  fftwf_plan_with_nthreads(1);
  fftwf_plan plan = fftwf_plan_dft_2d((int)ny, (int)nx, buf, buf, FFTW_FORWARD, FFTW_ESTIMATE);
  fftwf_plan_with_nthreads(saved);
  if (!plan) {
    fftwf_free(buf);
    return sf_error_set(SF_ENOMEM, "simulate: FFT plan of %zu x %zu", nx, ny);
  }
  memset(buf, 0, nx * ny * sizeof *buf);
  double best = HUGE_VAL;
  for (int k = 0; k < 3; ++k) {
    double t0 = now_s();
    fftwf_execute(plan);
    double dt = now_s() - t0;
    best = dt < best ? dt : best;
  }
  fftwf_destroy_plan(plan);
  fftwf_free(buf);
  *seconds = best;
  return SF_OK;
}

int sf_simulate_estimate(const sf_simulate_setup *s, sf_simulate_cost *cost) {
  if (!s || !cost)
    return sf_error_set(SF_EINVAL, "simulate: NULL argument");
  memset(cost, 0, sizeof *cost);
  const sf_stem_params *p = &s->params;
  SF_TRY(sf_stem_memory_estimate(p, s->scan, &cost->memory_bytes));
  SF_TRY(time_fft(p->nx, p->ny, &cost->fft_s));
  const double threads = (double)(p->threads > 0 ? p->threads : sf_threads_count());
  const double configs = (double)(s->configurations > 0 ? s->configurations : 1);
  const double nodes = p->probe.focal_spread_A > 0 ? (double)p->probe.focal_nodes : 1.0;
  const double slices = (double)p->n_slices;
  const double overhead = 1.15; /* measured engine overhead over its FFTs (engine.md §11) */
  /* Specimen: about one potential FFT pair per slice. */
  double t = configs * slices * 2.0 * cost->fft_s * overhead;
  if (p->algorithm == SF_STEM_PRISM) {
    SF_TRY(sf_prism_beam_count(p, p->prism_f, &cost->prism_beams));
    size_t nxr = 0, nyr = 0;
    sf_wavegrid g;
    SF_TRY(sf_stem_params_grid(p, &g));
    SF_TRY(sf_prism_reduced_grid(&g, p->prism_f, &nxr, &nyr));
    const double win = (double)(nxr / (size_t)p->prism_f) * (double)(nyr / (size_t)p->prism_f);
    /* S-matrix: 2 FFTs per beam and slice; formation: beams x window pixels per probe. */
    t += configs * (double)cost->prism_beams * 2.0 * slices * cost->fft_s * overhead / threads;
    t += configs * nodes * (double)s->scan->n * (double)cost->prism_beams * win * 4e-9 / threads;
  } else {
    t += configs * nodes * (double)s->scan->n * 2.0 * slices * cost->fft_s * overhead / threads;
  }
  cost->time_s = t;
  return SF_OK;
}
