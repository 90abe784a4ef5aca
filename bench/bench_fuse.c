/* bench_fuse.c - speed of the fused multi-modal solver.

   Prints, for synthetic three-element data (piecewise-constant phantom,
   Poisson chemical maps at a few counts per pixel, Poisson HAADF) of
   256x256x3 and 1024x1024x3:
   * time per outer iteration (30 iterations, 3 dual TV iterations each);
   * the nominal bytes the iteration reads and writes (counted by the solver,
     8 per double per pass) and the fraction of the memory-bandwidth bound
     reached: (bytes / bandwidth) / time, with the bandwidth of a streaming
     triad measured in the same run (arrays of 3 x 64 MiB, far beyond the
     caches, best of 5; 24 bytes per element as in STREAM);
   * the time of 30 iterations with 3 TV iterations on 256x256x3 (the
     published Python tutorial takes about 4 s for that on 2 cores).
   Never pass/fail. Usage: bench_fuse [repeats [size]] (default 3 repeats, the
   best run of each size is reported; a size runs only that size). */
#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "recon/sf_fuse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { NE = 3 };

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Streaming triad a = b + s c, best of 5, in bytes per second. */
static double triad_bandwidth(void) {
  const size_t n = (size_t)8 << 20; /* 64 MiB per array */
  double *a = sf_alloc(n, sizeof *a, "triad"), *b = sf_alloc(n, sizeof *b, "triad"),
         *c = sf_alloc(n, sizeof *c, "triad");
  if (!a || !b || !c) {
    sf_free(a), sf_free(b), sf_free(c);
    return NAN;
  }
  long nn = (long)n;
#pragma omp parallel for schedule(static)
  for (long i = 0; i < nn; i++) {
    a[i] = 0.0;
    b[i] = 1.0 + (double)(i % 7);
    c[i] = 2.0 - (double)(i % 5);
  }
  double best = 1e30;
  for (int r = 0; r < 5; r++) {
    double t0 = now_s(), s = 0.5 + r;
#pragma omp parallel for schedule(static)
    for (long i = 0; i < nn; i++)
      a[i] = b[i] + s * c[i];
    double dt = now_s() - t0;
    if (dt < best)
      best = dt;
  }
  volatile double sink = a[n / 3];
  (void)sink;
  sf_free(a), sf_free(b), sf_free(c);
  return 24.0 * (double)n / best;
}

/* Region of a pixel in the phantom (0 background). */
static int region(size_t ix, size_t iy, size_t nx, size_t ny) {
  double u = (ix + 0.5) / (double)nx, v = (iy + 0.5) / (double)ny;
  if ((u - 0.3) * (u - 0.3) + (v - 0.35) * (v - 0.35) < 0.04)
    return 1;
  if (u > 0.55 && u < 0.9 && v > 0.2 && v < 0.6)
    return 2;
  if (u > 0.2 && u < 0.5 && v > 0.7 && v < 0.9)
    return 3;
  return 0;
}

typedef struct data {
  size_t nx, ny;
  double *haadf, *chem[NE];
} data;

static int make_data(size_t nx, size_t ny, data *d) {
  static const double conc[4][NE] = {{0, 0, 2}, {6, 0, 3}, {0, 5, 4}, {3, 3, 2}};
  static const double Z[NE] = {42, 26, 8};
  size_t n = nx * ny;
  d->nx = nx;
  d->ny = ny;
  d->haadf = sf_alloc(n, sizeof(double), "bench HAADF");
  for (int i = 0; i < NE; i++)
    d->chem[i] = sf_alloc(n, sizeof(double), "bench map");
  if (!d->haadf || !d->chem[0] || !d->chem[1] || !d->chem[2])
    return SF_ENOMEM;
  double hmax = 0.0;
  for (int g = 0; g < 4; g++) {
    double h = 0.0;
    for (int i = 0; i < NE; i++)
      h += pow(Z[i] * conc[g][i], 1.7);
    if (h > hmax)
      hmax = h;
  }
  for (size_t p = 0; p < n; p++) {
    int g = region(p % nx, p / nx, nx, ny);
    sf_rng r;
    sf_rng_init(&r, 42, SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE, 7), (uint32_t)p);
    double h = 0.0;
    for (int i = 0; i < NE; i++) {
      h += pow(Z[i] * conc[g][i], 1.7);
      d->chem[i][p] = sf_rng_poisson(&r, conc[g][i]);
    }
    d->haadf[p] = sf_rng_poisson(&r, 200.0 + 2000.0 * h / hmax);
  }
  return SF_OK;
}

static void free_data(data *d) {
  sf_free(d->haadf);
  for (int i = 0; i < NE; i++)
    sf_free(d->chem[i]);
}

/* Best of `repeats` runs of 30 iterations x 3 TV iterations; fills the result
   figures of the best run. */
static int run_size(size_t nx, int repeats, double bandwidth) {
  data d;
  int st = make_data(nx, nx, &d);
  if (st != SF_OK) {
    free_data(&d);
    return st;
  }
  static const double Z[NE] = {42, 26, 8};
  sf_fuse_problem prob = {.nx = nx, .ny = nx, .n_elements = NE, .haadf = d.haadf,
                          .chem = (const double *const *)d.chem, .Z = Z};
  sf_fuse_params par;
  sf_fuse_params_default(&par);
  par.max_iter = 30;
  par.tol_x = par.tol_cost = 0.0; /* fixed work: exactly 30 iterations */
  par.tv_max_iter = 3;
  par.tv_tol = 0.0;
  par.fit_offset = 1;
  sf_fuse_solver *s = NULL;
  st = sf_fuse_solver_create(&prob, &par, &s);
  if (st != SF_OK) {
    free_data(&d);
    return st;
  }
  double best = 1e30, bytes = 0.0;
  int iters = 0, evals = 0, backtracks = 0;
  for (int r = 0; r < repeats && st == SF_OK; r++) {
    sf_fuse_result *res = NULL;
    st = sf_fuse_solver_run(s, NULL, &res);
    if (st == SF_OK && res->seconds < best) {
      best = res->seconds;
      bytes = res->bytes;
      iters = res->iterations;
      evals = res->evaluations;
      backtracks = res->backtracks;
    }
    sf_fuse_result_destroy(res);
  }
  if (st == SF_OK) {
    double per_iter = best / iters, bytes_iter = bytes / iters;
    double bound = bytes_iter / bandwidth;
    sf_out("%zux%zux%d: %d iterations in %.4f s = %.3f ms per iteration "
           "(%d evaluations, %d backtracks)\n",
           nx, nx, NE, iters, best, 1e3 * per_iter, evals, backtracks);
    sf_out("  bytes per iteration %.1f MB; bandwidth bound %.3f ms; fraction of the bound "
           "reached %.2f\n",
           bytes_iter / 1e6, 1e3 * bound, bound / per_iter);
    if (nx == 256)
      sf_out("  (the 256x256 working set fits in the L3 cache: this size is compute-bound and "
             "its fraction compares with DRAM bandwidth for reference only)\n");
    if (nx == 256)
      sf_out("  30 iterations x 3 TV iterations on 256x256x3: %.3f s (published Python "
             "tutorial: about 4 s on 2 cores; speed-up %.0fx)\n",
             best * 30.0 / iters, 4.0 / (best * 30.0 / iters));
  }
  sf_fuse_solver_destroy(s);
  free_data(&d);
  return st;
}

int main(int argc, char **argv) {
  int repeats = argc > 1 ? atoi(argv[1]) : 3;
  if (repeats < 1)
    repeats = 1;
  if (getenv("SF_BENCH_DEBUG"))
    sf_log_set_level(SF_LOG_DEBUG);
  sf_threads_init(0);
  double bw = triad_bandwidth();
  sf_out("threads %d; streaming triad bandwidth %.2f GB/s\n", sf_threads_count(), bw / 1e9);
  const size_t sizes[] = {256, 1024};
  size_t only = argc > 2 ? (size_t)atol(argv[2]) : 0;
  for (int k = 0; k < 2; k++) {
    if (only && sizes[k] != only)
      continue;
    int st = run_size(sizes[k], k == 0 ? repeats : (repeats > 2 ? 2 : repeats), bw);
    if (st != SF_OK) {
      sf_log(SF_LOG_ERROR, "bench_fuse: %s", sf_error_message());
      return 1;
    }
  }
  return 0;
}
