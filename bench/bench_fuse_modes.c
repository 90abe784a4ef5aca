/* bench_fuse_modes.c - reference-compatible mode against the default mode.

   On synthetic 256x256x3 data (piecewise-constant phantom, Poisson chemical
   maps at a few counts per pixel, Poisson HAADF) both modes run 30 outer
   iterations with 3 inner TV iterations (the published tutorial's settings
   for its 256x256 X-EDS example: gamma 1.6, z_mean weights, lambda_chem
   0.08, lambda_tv 0.15, bkg 0.24). Prints the best time of each mode, the
   time per iteration, the speed-up against the published Python loop
   (about 4 s on 2 cores) and the value each result reaches on the objective
   the reference loop's fixed point minimises (on the normalised data, with
   the float16 weights), so that the modes compare on one scale. Never
   pass/fail. Usage: bench_fuse_modes [repeats] (default 3). */
#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "recon/sf_fuse.h"
#include "recon/sf_fuse_reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { NE = 3, N = 256, ITER = 30, TV_ITER = 3 };
static const double Z[NE] = {66, 21, 8}; /* Dy, Sc, O as in the tutorial */
#define PUBLISHED_S 4.0

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int region(size_t ix, size_t iy) {
  double u = (ix + 0.5) / N, v = (iy + 0.5) / N;
  if ((u - 0.3) * (u - 0.3) + (v - 0.35) * (v - 0.35) < 0.04)
    return 1;
  if (u > 0.55 && u < 0.9 && v > 0.2 && v < 0.6)
    return 2;
  if (u > 0.2 && u < 0.5 && v > 0.7 && v < 0.9)
    return 3;
  return 0;
}

int main(int argc, char **argv) {
  int repeats = argc > 1 ? atoi(argv[1]) : 3;
  if (repeats < 1)
    repeats = 1;
  sf_threads_init(0);
  static const double conc[4][NE] = {{0, 0, 2}, {6, 0, 3}, {0, 5, 4}, {3, 3, 2}};
  const size_t n = (size_t)N * N;
  double *haadf = sf_alloc(n, sizeof(double), "bench HAADF");
  double *chem = sf_alloc(NE * n, sizeof(double), "bench maps");
  if (!haadf || !chem) {
    sf_log(SF_LOG_ERROR, "bench_fuse_modes: %s", sf_error_message());
    return 1;
  }
  for (size_t p = 0; p < n; p++) {
    int g = region(p % N, p / N);
    sf_rng r;
    sf_rng_init(&r, 42, SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE, 8), (uint32_t)p);
    double h = 0.0;
    for (int i = 0; i < NE; i++) {
      h += pow(Z[i] * conc[g][i], 1.6);
      chem[i * n + p] = sf_rng_poisson(&r, conc[g][i]);
    }
    haadf[p] = sf_rng_poisson(&r, 200.0 + h / 20.0);
  }
  const double *maps[NE] = {chem, chem + n, chem + 2 * n};
  sf_fuse_problem prob = {N, N, NE, haadf, maps, Z, NULL, NULL, NULL};
  sf_fuse_ref_params rp;
  sf_fuse_ref_params_default(&rp);
  rp.lambda_chem = 0.08;
  rp.lambda_tv = 0.15;
  rp.bkg = 0.24;
  rp.n_iter = ITER;
  rp.tv_iter = TV_ITER;
  int st = SF_OK;
  double t_ref[2] = {1e30, 1e30};
  sf_fuse_ref_result *keep = NULL;
  sf_fuse_ref_data *data = NULL;
  for (int v = 0; v < 2 && st == SF_OK; v++) {
    rp.tv_variant = v ? SF_FUSE_REF_TV_CTVLIB_GP_ISO : SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO;
    for (int r = 0; r < repeats && st == SF_OK; r++) {
      sf_fuse_ref_result *res = NULL;
      sf_fuse_ref_data *d = NULL;
      double t0 = now_s();
      st = sf_fuse_ref_run(&prob, &rp, &res, &d);
      double t = now_s() - t0;
      if (st == SF_OK && t < t_ref[v])
        t_ref[v] = t;
      if (st == SF_OK && v == 0 && !keep) {
        keep = res;
        data = d;
      } else {
        sf_fuse_ref_result_destroy(res);
        sf_fuse_ref_data_destroy(d);
      }
    }
  }
  rp.tv_variant = SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO;
  /* the default solver on the implied objective, same iteration counts */
  sf_fuse_params ip;
  sf_fuse_ref_implied(&rp, NE, &ip);
  ip.max_iter = ITER;
  ip.tv_max_iter = TV_ITER;
  ip.tol_x = ip.tol_cost = 0.0;
  ip.tv_tol = 0.0;
  sf_fuse_solver *s = NULL;
  double t_def = 1e30, f_def = NAN, f_ref = NAN;
  if (st == SF_OK)
    st = sf_fuse_solver_create(&data->problem, &ip, &s);
  for (int r = 0; r < repeats && st == SF_OK; r++) {
    sf_fuse_result *res = NULL;
    double t0 = now_s();
    st = sf_fuse_solver_run(s, NULL, &res);
    double t = now_s() - t0;
    if (st == SF_OK) {
      if (t < t_def)
        t_def = t;
      f_def = res->trace[res->n_trace - 1].total;
    }
    sf_fuse_result_destroy(res);
  }
  const double ones[NE] = {1, 1, 1};
  sf_fuse_nuisance nu = {1.0, 0.0, ones};
  sf_fuse_cost c;
  if (st == SF_OK && sf_fuse_solver_evaluate(s, keep->x, &nu, &c, NULL, NULL) == SF_OK)
    f_ref = c.total;
  if (st != SF_OK) {
    sf_log(SF_LOG_ERROR, "bench_fuse_modes: %s", sf_error_message());
  } else {
    sf_out("threads %d; %dx%dx%d, %d outer x %d TV iterations, best of %d\n", sf_threads_count(),
           N, N, NE, ITER, TV_ITER, repeats);
    sf_out("  reference mode (tutorial_fgp_aniso): %.4f s = %.3f ms per iteration; speed-up vs "
           "the published %.0f s: %.0fx\n",
           t_ref[0], 1e3 * t_ref[0] / ITER, PUBLISHED_S, PUBLISHED_S / t_ref[0]);
    sf_out("  reference mode (ctvlib_gp_iso):      %.4f s = %.3f ms per iteration; speed-up "
           "%.0fx\n",
           t_ref[1], 1e3 * t_ref[1] / ITER, PUBLISHED_S / t_ref[1]);
    sf_out("  default mode (same objective):       %.4f s = %.3f ms per iteration; speed-up "
           "%.0fx\n",
           t_def, 1e3 * t_def / ITER, PUBLISHED_S / t_def);
    sf_out("  objective (1/n_e) Psi1 + lambda_chem Psi2 + lambda_tv TV after %d iterations: "
           "reference %.6f, default %.6f\n",
           ITER, f_ref, f_def);
  }
  sf_fuse_solver_destroy(s);
  sf_fuse_ref_result_destroy(keep);
  sf_fuse_ref_data_destroy(data);
  sf_free(haadf);
  sf_free(chem);
  return st == SF_OK ? 0 : 1;
}
