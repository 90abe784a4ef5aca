/* bench_multislice.c - speed of the elastic STEM engine: time per probe per
   slice against the bare FFT time of the same grid (the bound: a multislice
   step is two FFTs), the PRISM speed-up over multislice at f = 2 and f = 4
   with the column intensities of each, and peak memory.

   Case: SrTiO3 [001] (a = 3.905 A; Sr (0,0,0), Ti (1/2,1/2,1/2),
   O (1/2,1/2,0), (1/2,0,1/2), (0,1/2,1/2)), 4 x 4 cells, 5 cells thick,
   slices of a/2 (10), 300 kV, 20 mrad, no aberrations, one configuration,
   20 x 20 probes over one unit cell (step a/20), 1 mrad radial bins,
   Kirkland potentials, band limit 2/3. Sampling 0.05 A (312 x 312 pixels of
   0.05006 A): alpha_max is then 131 mrad, so the HAADF is 70-130 mrad (a
   70-200 mrad detector needs a sampling of 0.0328 A or finer and is refused;
   the refusal is printed). With --fine the same run is made at 480 x 480
   (0.0325 A, alpha_max 202 mrad) with HAADF 70-200 mrad.

   Prints measured figures only; never passes or fails on time.

   Usage: bench_multislice [--fine] [--measure] [threads] */
#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "sim/sf_multislice.h"
#include "sim/sf_prism.h"

#include <fftw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define A_STO 3.905
#define CELLS 4
#define THICK 5
#define SCAN 20

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double peak_rss_MiB(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_maxrss / 1024.0; /* Linux: KiB */
}

static int fail(const char *what) {
  fprintf(stderr, "bench_multislice: %s: %s\n", what, sf_error_message());
  return 1;
}

/* The atoms (one static configuration) for the driver. */
typedef struct atoms_t {
  sf_slice_atom a[5 * CELLS * CELLS * THICK];
  size_t n;
} atoms_t;

static int give_atoms(void *user, size_t index, const sf_slice_atom **atoms, size_t *n) {
  (void)index;
  atoms_t *t = user;
  *atoms = t->a;
  *n = t->n;
  return SF_OK;
}

/* Bare FFT time of an n x n single-precision complex transform (single-
   threaded plan, in place), fastest of `reps` forward + backward pairs. */
static double fft_time(size_t n, int measure, int reps) {
  fftwf_complex *b = sf_alloc(n * n, sizeof *b, "bench");
  fftwf_plan fw = NULL, bw = NULL;
  if (!b || sf_wave_plan(n, n, 1, b, FFTW_FORWARD, measure, &fw) != SF_OK ||
      sf_wave_plan(n, n, 1, b, FFTW_BACKWARD, measure, &bw) != SF_OK)
    return NAN;
  for (size_t i = 0; i < n * n; ++i)
    b[i][0] = (float)(i % 7) * 0.1f;
  double best = INFINITY;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_s();
    for (int k = 0; k < 10; ++k) {
      fftwf_execute_dft(fw, b, b);
      fftwf_execute_dft(bw, b, b);
      for (size_t i = 0; i < n * n; ++i) { /* keep values bounded */
        b[i][0] *= 1.0f / (float)(n * n);
        b[i][1] *= 1.0f / (float)(n * n);
      }
    }
    best = fmin(best, (now_s() - t0) / 20.0);
  }
  /* subtract the rescaling loop, timed alone */
  double scale = INFINITY;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now_s();
    for (int k = 0; k < 10; ++k)
      for (size_t i = 0; i < n * n; ++i) {
        b[i][0] *= 1.0f;
        b[i][1] *= 1.0f;
      }
    scale = fmin(scale, (now_s() - t0) / 20.0);
  }
  fftwf_destroy_plan(fw);
  fftwf_destroy_plan(bw);
  sf_free(b);
  return best - scale;
}

static void column_values(const sf_stem_result *r, double v[4]) {
  double img[SCAN * SCAN];
  sf_stem_result_get(r, 0, "HAADF", img, NULL);
  v[0] = img[0];                               /* Sr column (0, 0) */
  v[1] = img[(SCAN / 2) * SCAN + SCAN / 2];    /* Ti-O column (1/2, 1/2) */
  v[2] = img[0 * SCAN + SCAN / 2];             /* O column (1/2, 0) */
  v[3] = img[(SCAN / 4) * SCAN + SCAN / 4];    /* interstitial (1/4, 1/4) */
}

int main(int argc, char **argv) {
  int fine = 0, measure = 0, threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--fine") == 0)
      fine = 1;
    else if (strcmp(argv[i], "--measure") == 0)
      measure = 1;
    else if (atoi(argv[i]) > 0)
      threads = atoi(argv[i]);
    else {
      fprintf(stderr, "usage: bench_multislice [--fine] [--measure] [threads]\n");
      return 2;
    }
  }
  sf_log_set_level(SF_LOG_WARN);
  if (sf_threads_init(threads) != SF_OK)
    return fail("threads");
  threads = sf_threads_count();

  atoms_t at;
  at.n = 0;
  const double frac[5][3] = {{0, 0, 0}, {.5, .5, .5}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}};
  const int Z[5] = {38, 22, 8, 8, 8};
  for (int cz = 0; cz < THICK; ++cz)
    for (int cy = 0; cy < CELLS; ++cy)
      for (int cx = 0; cx < CELLS; ++cx)
        for (int k = 0; k < 5; ++k)
          at.a[at.n++] = (sf_slice_atom){Z[k], (cx + frac[k][0]) * A_STO,
                                         (cy + frac[k][1]) * A_STO, (cz + frac[k][2]) * A_STO};

  const double extent = CELLS * A_STO;
  const size_t n = fine ? 480 : (size_t)(extent / 0.05); /* 312 */
  sf_stem_params p;
  sf_stem_params_default(&p);
  p.nx = p.ny = n;
  p.sampling_A = extent / (double)n;
  p.slice_thickness_A = A_STO / 2;
  p.n_slices = 2 * THICK;
  p.threads = threads;
  p.fft_measure = measure;
  p.progress = 0;
  sf_detector dets[1];
  sf_detector_init(&dets[0], "HAADF", 70.0, 200.0, 0, 0.0);
  p.detectors.detectors = dets;
  p.detectors.n_detectors = 1;
  sf_wavegrid g;
  if (sf_stem_params_grid(&p, &g) != SF_OK)
    return fail("grid");
  printf("SrTiO3 [001] %dx%dx%d cells, %zu slices of %.4f A, 300 kV, 20 mrad, %d thread(s), "
         "FFTW_%s\n",
         CELLS, CELLS, THICK, p.n_slices, p.slice_thickness_A, threads,
         measure ? "MEASURE" : "ESTIMATE");
  printf("grid %zu x %zu at %.5f A: alpha_max = %.1f mrad (band limit 2/3)\n", n, n,
         p.sampling_A, g.alpha_max_mrad);
  if (sf_stem_params_check(&p, NULL) != SF_OK) {
    printf("HAADF 70-200 mrad refused: %s\n", sf_error_message());
    dets[0].outer_mrad = 130.0;
  }
  printf("detector HAADF %.0f-%.0f mrad, radial bins of 1 mrad, %d x %d probes (step a/%d)\n",
         dets[0].inner_mrad, dets[0].outer_mrad, SCAN, SCAN, SCAN);
  sf_scan *scan = NULL;
  if (sf_scan_grid_create(0.0, 0.0, A_STO / SCAN, A_STO / SCAN, SCAN, SCAN, &scan) != SF_OK)
    return fail("scan");

  /* 1. bare FFT */
  const double t_fft = fft_time(n, measure, 5);
  printf("\nbare FFT %zu x %zu (single-threaded plan): %.3f ms per transform\n", n, n,
         1e3 * t_fft);

  /* 2. set-up and specimen */
  double t0 = now_s();
  sf_multislice *ms = NULL;
  if (sf_multislice_create(&p, &ms) != SF_OK)
    return fail("engine");
  const double t_plan = now_s() - t0;
  sf_projpot *pp = NULL;
  sf_specimen *spec = NULL;
  if (sf_projpot_create(n, n, p.sampling_A, NULL, &pp) != SF_OK ||
      sf_specimen_create(&g, p.n_slices, p.slice_thickness_A, &spec) != SF_OK)
    return fail("specimen");
  t0 = now_s();
  if (sf_specimen_build(spec, pp, at.a, at.n, 0.0) != SF_OK)
    return fail("specimen build");
  const double t_spec = now_s() - t0;
  printf("engine plan %.2f s; specimen (10 transmission functions) %.2f s\n", t_plan, t_spec);

  /* 3. multislice, all threads */
  sf_stem_result *ref = NULL;
  if (sf_multislice_result_create(ms, scan, &ref) != SF_OK)
    return fail("result");
  t0 = now_s();
  if (sf_multislice_run(ms, spec, scan, ref, NULL) != SF_OK)
    return fail("multislice");
  const double t_ms = now_s() - t0;
  const double per = t_ms * threads / (double)(scan->n * p.n_slices);
  printf("\nmultislice: %.2f s wall for %zu probes = %.3f ms per probe per slice per thread\n",
         t_ms, scan->n, 1e3 * per);
  printf("  ratio to 2 bare FFTs per slice: %.3f (engine overhead %.1f %%)\n",
         per / (2.0 * t_fft), 100.0 * (per / (2.0 * t_fft) - 1.0));

  /* single thread on 40 probes: the overhead without sharing the cores */
  sf_stem_params p1 = p;
  p1.threads = 1;
  sf_multislice *ms1 = NULL;
  sf_scan *s40 = NULL;
  sf_stem_result *r40 = NULL;
  if (sf_multislice_create(&p1, &ms1) != SF_OK ||
      sf_scan_grid_create(0.0, 0.0, A_STO / SCAN, A_STO / SCAN, SCAN, 2, &s40) != SF_OK ||
      sf_multislice_result_create(ms1, s40, &r40) != SF_OK)
    return fail("single-thread engine");
  t0 = now_s();
  if (sf_multislice_run(ms1, spec, s40, r40, NULL) != SF_OK)
    return fail("single-thread run");
  const double per1 = (now_s() - t0) / (double)(s40->n * p.n_slices);
  printf("  1 thread, 40 probes: %.3f ms per probe per slice, ratio to 2 bare FFTs %.3f "
         "(overhead %.1f %%)\n",
         1e3 * per1, per1 / (2.0 * t_fft), 100.0 * (per1 / (2.0 * t_fft) - 1.0));
  sf_stem_result_destroy(r40);
  sf_scan_destroy(s40);
  sf_multislice_destroy(ms1);

  double col_ref[4];
  column_values(ref, col_ref);
  printf("  HAADF at Sr, Ti-O, O columns and (1/4, 1/4): %.5g %.5g %.5g %.5g\n", col_ref[0],
         col_ref[1], col_ref[2], col_ref[3]);
  double img[SCAN * SCAN], mean = 0.0;
  sf_stem_result_get(ref, 0, "HAADF", img, NULL);
  for (int i = 0; i < SCAN * SCAN; ++i)
    mean += img[i] / (SCAN * SCAN);
  printf("  cell mean %.5g\n", mean);
  if (g.alpha_max_mrad > 135.0) { /* the cube gives any detector after the run */
    const size_t nb = sf_stem_result_record_layout(ref)->n_bins;
    double *cube = sf_alloc(scan->n * nb, sizeof *cube, "bench");
    double m135 = 0.0;
    if (cube && sf_stem_result_bins(ref, 0, cube) == SF_OK)
      for (size_t i = 0; i < scan->n; ++i)
        for (size_t k = 70; k < 135; ++k)
          m135 += cube[i * nb + k] / (double)scan->n;
    printf("  from the radial-bin cube: HAADF 70-135 mrad cell mean %.5g\n", m135);
    sf_free(cube);
  }
  printf("  peak resident set so far %.1f MiB\n", peak_rss_MiB());
  const double t_total_ms = t_ms + t_spec;

  /* 4. PRISM */
  const int fs[2] = {2, 4};
  for (int k = 0; k < 2; ++k) {
    t0 = now_s();
    sf_smatrix *S = NULL;
    if (sf_prism_smatrix_build(ms, spec, fs[k], NULL, &S) != SF_OK)
      return fail("S-matrix");
    const double t_build = now_s() - t0;
    sf_stem_result *r = NULL;
    if (sf_multislice_result_create(ms, scan, &r) != SF_OK)
      return fail("result");
    t0 = now_s();
    if (sf_prism_run(S, scan, r, NULL) != SF_OK)
      return fail("PRISM run");
    const double t_run = now_s() - t0;
    size_t nxr, nyr, nxw, nyw;
    sf_prism_smatrix_grid(S, &nxr, &nyr, &nxw, &nyw);
    double col[4];
    column_values(r, col);
    const double speedup = t_total_ms / (t_spec + t_build + t_run);
    printf("\nPRISM f = %d: %zu beams, S-matrix %zu x %zu, window %zu x %zu\n", fs[k],
           sf_prism_smatrix_beams(S), nxr, nyr, nxw, nyw);
    printf("  S-matrix %.2f s + probes %.2f s (+ specimen %.2f s): speed-up over multislice "
           "%.2f (%.2f without the shared specimen)\n",
           t_build, t_run, t_spec, speedup, t_ms / (t_build + t_run));
    printf("  HAADF at columns %.5g %.5g %.5g %.5g: relative to multislice %+.2f %% %+.2f %% "
           "%+.2f %% %+.2f %%\n",
           col[0], col[1], col[2], col[3], 100 * (col[0] / col_ref[0] - 1),
           100 * (col[1] / col_ref[1] - 1), 100 * (col[2] / col_ref[2] - 1),
           100 * (col[3] / col_ref[3] - 1));
    double im2[SCAN * SCAN], m2 = 0.0;
    sf_stem_result_get(r, 0, "HAADF", im2, NULL);
    for (int i = 0; i < SCAN * SCAN; ++i)
      m2 += im2[i] / (SCAN * SCAN);
    printf("  cell mean %.5g (%+.2f %%); peak resident set so far %.1f MiB\n", m2,
           100 * (m2 / mean - 1), peak_rss_MiB());
    sf_stem_result_destroy(r);
    sf_prism_smatrix_destroy(S);
  }

  /* 5. the whole driver once (plan + potential + run), as a user calls it */
  sf_stem_result *res = NULL;
  t0 = now_s();
  if (sf_stem_simulate(&p, NULL, 0.0, give_atoms, &at, 1, scan, &res) != SF_OK)
    return fail("driver");
  printf("\nsf_stem_simulate (multislice, everything included): %.2f s\n", now_s() - t0);
  double need = 0.0;
  sf_stem_memory_estimate(&p, scan, &need);
  printf("memory estimate of that run %.1f MiB; peak resident set of this bench %.1f MiB\n",
         need / 1048576.0, peak_rss_MiB());
  sf_stem_result_destroy(res);
  sf_stem_result_destroy(ref);
  sf_specimen_destroy(spec);
  sf_projpot_destroy(pp);
  sf_multislice_destroy(ms);
  sf_scan_destroy(scan);
  return 0;
}
