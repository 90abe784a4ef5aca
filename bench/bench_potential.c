/* bench_potential.c - time to build the slices of SrTiO3 [001], per atom and
   per slice, against one 2-D FFT of the same grid (the cost floor of a
   multislice step).

   Case: 4 x 4 cells (a = 3.905 A) laterally, 5 cells thick, slices of a/2
   (10 slices: SrO and TiO2 layers alternate), 0.05 A target sampling
   (312 x 312 pixels of 0.05006 A), Kirkland, automatic cutoff at 1e-3 of the
   plane integral, 2/3-Nyquist band limit, 300 keV. Prints measured figures
   only; never passes or fails on time.

   Also: the finite projection (potentials/sf_slice_finite.h) of the same
   slices, and both builds as a fraction of a multislice run on the same
   cell (sim/sf_multislice.h): 400 probes (20 x 20, step a/5), one thread,
   the time per probe measured on 40 of them and scaled to 400.

   Usage: bench_potential [repeats]   (default 5) */
#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "potentials/sf_projpot.h"
#include "potentials/sf_slice_finite.h"
#include "potentials/sf_slicing.h"
#include "sim/sf_multislice.h"

#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define A_STO 3.905
#define CELLS 4
#define THICK 5

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int fail(const char *what) {
  fprintf(stderr, "bench_potential: %s: %s\n", what, sf_error_message());
  return 1;
}

int main(int argc, char **argv) {
  const int repeats = argc > 1 ? atoi(argv[1]) : 5;
  if (repeats < 1) {
    fprintf(stderr, "usage: bench_potential [repeats >= 1]\n");
    return 2;
  }
  if (sf_threads_init(0) != SF_OK)
    return fail("threads");

  /* structure */
  const double frac[5][3] = {{0, 0, 0}, {.5, .5, .5}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}};
  const int Z[5] = {38, 22, 8, 8, 8};
  sf_slice_atom atoms[5 * CELLS * CELLS * THICK];
  size_t n_atoms = 0;
  for (int cz = 0; cz < THICK; ++cz)
    for (int cy = 0; cy < CELLS; ++cy)
      for (int cx = 0; cx < CELLS; ++cx)
        for (int k = 0; k < 5; ++k)
          atoms[n_atoms++] = (sf_slice_atom){Z[k], (cx + frac[k][0]) * A_STO,
                                             (cy + frac[k][1]) * A_STO, (cz + frac[k][2]) * A_STO};
  sf_slicing *slices = NULL;
  if (sf_slicing_create(atoms, n_atoms, 0.0, A_STO / 2, 0, &slices) != SF_OK)
    return fail("slicing");
  const size_t n_slices = sf_slicing_count(slices);

  /* grid */
  const double extent = CELLS * A_STO;
  const size_t n = (size_t)(extent / 0.05); /* 312 */
  const double h = extent / (double)n;
  sf_projpot *pp = NULL;
  if (sf_projpot_create(n, n, h, NULL, &pp) != SF_OK)
    return fail("set-up");
  double *vz = sf_alloc(n * n, sizeof *vz, "projected potential");
  fftwf_complex *t = fftwf_alloc_complex(n * n);
  if (!vz || !t)
    return fail("allocation");

  /* first pass: includes making the per-element radial tables */
  double t0 = now_s();
  for (size_t k = 0; k < n_slices; ++k) {
    size_t m = 0;
    const sf_slice_atom *sl = sf_slicing_atoms(slices, k, &m);
    if (sf_projpot_slice(pp, sl, m, 300.0, vz, t) != SF_OK)
      return fail("slice");
  }
  const double first_s = now_s() - t0;

  /* warm passes: v_z only, and v_z + transmission; the fastest pass of each
     is reported (least disturbed by other load on the machine) */
  double vz_s = 1e300, slice_s = 1e300;
  for (int r = 0; r < repeats; ++r) {
    double pass_vz = 0.0, pass_slice = 0.0;
    for (size_t k = 0; k < n_slices; ++k) {
      size_t m = 0;
      const sf_slice_atom *sl = sf_slicing_atoms(slices, k, &m);
      double a = now_s();
      sf_projpot_vz(pp, sl, m, vz);
      double b = now_s();
      sf_projpot_slice(pp, sl, m, 300.0, vz, t);
      double c = now_s();
      pass_vz += b - a;
      pass_slice += c - b;
    }
    vz_s = pass_vz < vz_s ? pass_vz : vz_s;
    slice_s = pass_slice < slice_s ? pass_slice : slice_s;
  }

  /* one 2-D single-precision FFT of the grid (in place, as multislice does);
     fastest of 50 */
  double fft_est_s = 1e300, fft_meas_s = 1e300;
  fftwf_plan est = fftwf_plan_dft_2d((int)n, (int)n, t, t, FFTW_FORWARD, FFTW_ESTIMATE);
  for (int r = 0; r < 50; ++r) {
    t0 = now_s();
    fftwf_execute(est);
    const double d = now_s() - t0;
    fft_est_s = d < fft_est_s ? d : fft_est_s;
  }
  fftwf_destroy_plan(est);
  fftwf_plan meas = fftwf_plan_dft_2d((int)n, (int)n, t, t, FFTW_FORWARD, FFTW_MEASURE);
  for (int r = 0; r < 50; ++r) {
    t0 = now_s();
    fftwf_execute(meas);
    const double d = now_s() - t0;
    fft_meas_s = d < fft_meas_s ? d : fft_meas_s;
  }
  fftwf_destroy_plan(meas);

  /* the same with a fixed 3 A cutoff (cheaper; drops up to 17 % of Sr's plane integral) */
  sf_projpot_options fixed;
  sf_projpot_options_default(&fixed);
  fixed.r_cut_A = 3.0;
  sf_projpot *pp3 = NULL;
  if (sf_projpot_create(n, n, h, &fixed, &pp3) != SF_OK)
    return fail("set-up (3 A cutoff)");
  double vz3_s = 1e300;
  for (int r = 0; r <= repeats; ++r) { /* pass 0 makes the tables */
    double pass = 0.0;
    for (size_t k = 0; k < n_slices; ++k) {
      size_t m = 0;
      const sf_slice_atom *sl = sf_slicing_atoms(slices, k, &m);
      const double a = now_s();
      sf_projpot_vz(pp3, sl, m, vz);
      pass += now_s() - a;
    }
    if (r > 0 && pass < vz3_s)
      vz3_s = pass;
  }
  sf_projpot_destroy(pp3);

  const double atom_slices = (double)n_atoms; /* each atom lies in exactly one slice */
  printf("bench_potential: SrTiO3 [001] %dx%d cells x %d thick, %zu atoms, %zu slices of %.4f A\n",
         CELLS, CELLS, THICK, n_atoms, n_slices, A_STO / 2);
  printf("  grid %zu x %zu, sampling %.5f A, Kirkland, automatic cutoff (1e-3), band limit 2/3, "
         "%d thread(s), fastest of %d passes\n",
         n, n, h, sf_threads_count(), repeats);
  const int shown[3] = {38, 22, 8};
  const char *names[3] = {"Sr", "Ti", "O"};
  for (int z = 0; z < 3; ++z)
    printf("  cutoff radius %-2s: %.2f A\n", names[z],
           sf_vz_table_r_cut(sf_projpot_table(pp, shown[z])));
  printf("  first build of all slices (with radial tables): %.3f s\n", first_s);
  printf("  v_z of all slices:            %.4f s  = %.2f us per atom per slice\n", vz_s,
         1e6 * vz_s / atom_slices);
  printf("  v_z + transmission, all slices: %.4f s = %.2f us per atom per slice, %.2f ms per slice\n",
         slice_s, 1e6 * slice_s / atom_slices, 1e3 * slice_s / (double)n_slices);
  printf("  v_z of all slices, fixed 3 A cutoff: %.4f s = %.2f us per atom per slice\n", vz3_s,
         1e6 * vz3_s / atom_slices);
  printf("  one 2-D FFT %zu x %zu (fftwf, in place): %.3f ms (ESTIMATE), %.3f ms (MEASURE)\n", n, n,
         1e3 * fft_est_s, 1e3 * fft_meas_s);
  printf("  building one slice costs %.1f FFTs (MEASURE); a multislice step needs 2 FFTs\n",
         slice_s / (double)n_slices / fft_meas_s);

  /* finite projection: first pass (makes the depth-weight tables), then the
     fastest of `repeats` passes with a fresh builder each (tables included)
     and with a warm builder (tables cached) */
  double *stack = sf_alloc(n_slices * n * n, sizeof *stack, "slices");
  if (!stack)
    return fail("allocation");
  double fin_first_s = 0.0, fin_s = 1e300, fin_warm_s = 1e300;
  sf_slice_finite *warm = NULL;
  if (sf_slice_finite_create(pp, &warm) != SF_OK)
    return fail("finite builder");
  for (int r = 0; r <= repeats; ++r) {
    t0 = now_s();
    if (sf_slice_stack_vz(pp, NULL, SF_PROJECTION_FINITE, atoms, n_atoms, 0.0, A_STO / 2,
                          n_slices, stack) != SF_OK)
      return fail("finite slices");
    const double d = now_s() - t0;
    if (r == 0)
      fin_first_s = d;
    else if (d < fin_s)
      fin_s = d;
    t0 = now_s();
    if (sf_slice_stack_vz(pp, warm, SF_PROJECTION_FINITE, atoms, n_atoms, 0.0, A_STO / 2,
                          n_slices, stack) != SF_OK)
      return fail("finite slices (warm)");
    const double dw = now_s() - t0;
    if (r > 0 && dw < fin_warm_s)
      fin_warm_s = dw;
  }
  sf_slice_finite_destroy(warm);
  sf_free(stack);
  printf("  finite projection, all slices: %.3f s first, %.3f s with new weight tables, "
         "%.3f s with cached tables\n", fin_first_s, fin_s, fin_warm_s);

  /* multislice on the same cell: one thread, 40 probes timed, scaled to 400 */
  sf_stem_params p;
  sf_stem_params_default(&p);
  p.nx = p.ny = n;
  p.sampling_A = h;
  p.slice_thickness_A = A_STO / 2;
  p.n_slices = n_slices;
  p.threads = 1;
  p.progress = 0;
  sf_detector det;
  sf_detector_init(&det, "ADF", 30.0, 100.0, 0, 0.0);
  p.detectors.detectors = &det;
  p.detectors.n_detectors = 1;
  sf_wavegrid g;
  sf_multislice *ms = NULL;
  sf_specimen *spec = NULL;
  sf_scan *scan = NULL;
  sf_stem_result *res = NULL;
  if (sf_stem_params_grid(&p, &g) != SF_OK || sf_multislice_create(&p, &ms) != SF_OK ||
      sf_specimen_create(&g, n_slices, A_STO / 2, &spec) != SF_OK ||
      sf_specimen_build(spec, pp, atoms, n_atoms, 0.0) != SF_OK ||
      sf_scan_grid_create(0.0, 0.0, A_STO / 5, A_STO / 5, 20, 2, &scan) != SF_OK ||
      sf_multislice_result_create(ms, scan, &res) != SF_OK)
    return fail("multislice set-up");
  t0 = now_s();
  if (sf_multislice_run(ms, spec, scan, res, NULL) != SF_OK)
    return fail("multislice run");
  const double per_probe_s = (now_s() - t0) / (double)scan->n;
  const double run_s = 400.0 * per_probe_s;
  printf("  multislice, 1 thread: %.2f ms per probe through %zu slices (%.3f ms per probe per "
         "slice); a 400-probe run: %.2f s\n", 1e3 * per_probe_s, n_slices,
         1e3 * per_probe_s / (double)n_slices, run_s);
  printf("  slice building as a fraction of that run (same thread count): infinite v_z + t "
         "%.2f %%, finite v_z %.2f %% (cached tables %.2f %%)\n", 100.0 * slice_s / run_s,
         100.0 * fin_s / run_s, 100.0 * fin_warm_s / run_s);
  sf_stem_result_destroy(res);
  sf_scan_destroy(scan);
  sf_specimen_destroy(spec);
  sf_multislice_destroy(ms);

  sf_free(vz);
  fftwf_free(t);
  sf_projpot_destroy(pp);
  sf_slicing_destroy(slices);
  return 0;
}
