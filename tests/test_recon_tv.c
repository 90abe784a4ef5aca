/* test_recon_tv.c - the difference pair and the isotropic TV prox.

   Checks: exact adjointness <Dx, p> = <x, D*p> on random inputs of several
   shapes (boundaries included); TV of known images; the prox of a constant
   image; the closed form of the prox of a two-level step (separate, merged and
   clipped at 0); agreement to 1e-12 with an independent solver (Chambolle-Pock
   primal-dual) on small random problems, both certified by duality gaps at
   rounding level; warm start; several maps at once; argument errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "recon/sf_tv.h"
#include "support/testutil.h"

/* Adjointness holds to rounding: a few ulps of the sum of |terms|. */
#define TOL_ADJOINT 1e-12
/* FGP (2000 dual iterations) against Chambolle-Pock (run until the iterates
   stop moving): both reach the unique minimiser to rounding, certified by
   duality gaps at rounding level (gap >= 1/2 ||x - x*||^2). */
#define TOL_PROX_CROSS 1e-12
#define TOL_GAP 1e-13
/* Weighted prox: gap-certified to ||x - x*|| <= sqrt(2 max(w) gap) ~ 1e-6, in
   practice both reach the minimiser to rounding; asserted at 1e-10. */
#define TOL_PROX_WEIGHTED 1e-10
/* Closed-form step prox, FGP run to a tight tolerance. */
#define TOL_PROX_STEP 1e-9

static double *random_array(size_t n, uint32_t sub, double lo, double hi) {
  double *a = malloc(n * sizeof *a);
  sf_rng r;
  sf_rng_init(&r, 12345, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 1), sub);
  for (size_t i = 0; i < n; i++)
    a[i] = lo + (hi - lo) * sf_rng_uniform(&r);
  return a;
}

Test(recon_tv, adjoint_pair_exact) {
  const size_t shapes[][2] = {{1, 1}, {1, 7}, {9, 1}, {5, 3}, {3, 5}, {17, 11}, {64, 33}};
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    size_t nx = shapes[s][0], ny = shapes[s][1], n = nx * ny;
    double *x = random_array(n, (uint32_t)(3 * s), -1, 1);
    double *px = random_array(n, (uint32_t)(3 * s + 1), -2, 2);
    double *py = random_array(n, (uint32_t)(3 * s + 2), -2, 2);
    double *gx = malloc(n * sizeof *gx), *gy = malloc(n * sizeof *gy), *dt = malloc(n * sizeof *dt);
    cr_assert_eq(sf_tv_gradient(nx, ny, x, gx, gy), SF_OK);
    cr_assert_eq(sf_tv_gradient_adjoint(nx, ny, px, py, dt), SF_OK);
    double lhs = 0.0, rhs = 0.0, mag = 0.0;
    for (size_t i = 0; i < n; i++) {
      lhs += gx[i] * px[i] + gy[i] * py[i];
      rhs += x[i] * dt[i];
      mag += fabs(gx[i] * px[i]) + fabs(gy[i] * py[i]) + fabs(x[i] * dt[i]);
    }
    cr_assert(fabs(lhs - rhs) <= TOL_ADJOINT * (mag > 1 ? mag : 1), "%zu x %zu: <Dx,p> = %.17g, <x,D*p> = %.17g",
              nx, ny, lhs, rhs);
    /* non-existent entries: D writes 0 there */
    for (size_t iy = 0; iy < ny; iy++)
      cr_assert_eq(gx[iy * nx + nx - 1], 0.0);
    for (size_t ix = 0; ix < nx; ix++)
      cr_assert_eq(gy[(ny - 1) * nx + ix], 0.0);
    free(x), free(px), free(py), free(gx), free(gy), free(dt);
  }
}

Test(recon_tv, adjoint_is_negative_divergence) {
  /* a unit dual at one interior pixel: D* e = +1 at the pixel, -1 at the neighbour */
  size_t nx = 4, ny = 3;
  double px[12] = {0}, py[12] = {0}, out[12];
  px[1 * 4 + 1] = 1.0; /* horizontal dual between (ix 1) and (ix 2) on row 1 */
  cr_assert_eq(sf_tv_gradient_adjoint(nx, ny, px, py, out), SF_OK);
  for (int i = 0; i < 12; i++) {
    double want = i == 5 ? -1.0 : i == 6 ? 1.0 : 0.0;
    cr_assert_float_eq(out[i], want, SF_TOL_DBL);
  }
}

Test(recon_tv, tv_value_known_images) {
  /* a vertical edge of height 2 over 3 rows: TV = 3 * 2 */
  double x[12] = {1, 1, 3, 3, 1, 1, 3, 3, 1, 1, 3, 3}, tv;
  cr_assert_eq(sf_tv_value(4, 3, x, &tv), SF_OK);
  cr_assert_float_eq(tv, 6.0, 1e-14);
  /* a single bright pixel at (1, 1) of a 3x3 zero image:
     at (1,1): sqrt(1+1); at (0,1) and (1,0): 1 each */
  double y[9] = {0, 0, 0, 0, 1, 0, 0, 0, 0};
  cr_assert_eq(sf_tv_value(3, 3, y, &tv), SF_OK);
  cr_assert_float_eq(tv, 2.0 + sqrt(2.0), 1e-14);
}

static double tv_objective(size_t nx, size_t ny, const double *x, const double *b, double lambda) {
  double tv, d = 0.0;
  sf_tv_value(nx, ny, x, &tv);
  for (size_t i = 0; i < nx * ny; i++)
    d += 0.5 * (x[i] - b[i]) * (x[i] - b[i]);
  return d + lambda * tv;
}

static void run_prox(size_t nx, size_t ny, const double *b, double lambda, int nonneg, int max_iter,
                     double tol, double *x, sf_tv_prox_info *info) {
  sf_tv_prox *tv = NULL;
  cr_assert_eq(sf_tv_prox_create(nx, ny, 1, &tv), SF_OK);
  sf_tv_prox_params p;
  sf_tv_prox_params_default(&p);
  p.max_iter = max_iter;
  p.tol = tol;
  p.nonneg = nonneg;
  cr_assert_eq(sf_tv_prox_apply(tv, 0, 1, b, NULL, &lambda, &p, x, info), SF_OK, "%s",
               sf_error_message());
  sf_tv_prox_destroy(tv);
}

Test(recon_tv, prox_of_constant_image_is_itself) {
  double b[35], x[35];
  for (int i = 0; i < 35; i++)
    b[i] = 2.5;
  sf_tv_prox_info info;
  run_prox(7, 5, b, 0.8, 1, 50, 1e-12, x, &info);
  for (int i = 0; i < 35; i++)
    cr_assert_float_eq(x[i], 2.5, 1e-14);
}

/* Two-level step constant along y: left k columns at a, the rest at c. */
static void step_case(double a, double c, double lambda, double want_a, double want_c) {
  const size_t nx = 8, ny = 3, k = 3;
  double b[24], x[24];
  for (size_t iy = 0; iy < ny; iy++)
    for (size_t ix = 0; ix < nx; ix++)
      b[iy * nx + ix] = ix < k ? a : c;
  sf_tv_prox_info info;
  run_prox(nx, ny, b, lambda, 1, 200000, 1e-15, x, &info);
  for (size_t iy = 0; iy < ny; iy++)
    for (size_t ix = 0; ix < nx; ix++)
      cr_assert(fabs(x[iy * nx + ix] - (ix < k ? want_a : want_c)) <= TOL_PROX_STEP,
                "a %g c %g lambda %g: pixel (%zu, %zu) = %.12g, want %.12g", a, c, lambda, ix, iy,
                x[iy * nx + ix], ix < k ? want_a : want_c);
}

Test(recon_tv, prox_two_level_step_closed_form) {
  /* levels move toward each other by lambda * (edge length 3) / (area 3*3 or 3*5) */
  step_case(1.0, 3.0, 0.6, 1.0 + 0.6 / 3.0, 3.0 - 0.6 / 5.0);
  /* lambda/3 + lambda/5 >= 2: both at the mean (3*1 + 5*3)/8 */
  step_case(1.0, 3.0, 5.0, 2.25, 2.25);
  /* the lower level would go negative: clipped at 0, the upper one unaffected */
  step_case(-1.0, 2.0, 0.6, 0.0, 2.0 - 0.6 / 5.0);
}

/* Chambolle-Pock primal-dual (Chambolle & Pock, JMIV 40, 120 (2011), theta = 1,
   fixed steps tau = sigma = 0.99/sqrt(8)) for min_{x>=0} 1/2||x-b||^2 +
   lambda ||D x||_{2,1}: a different algorithm from FGP, run until the iterates
   stop moving; its dual y / lambda is returned in (ux, uy). */
static void chambolle_pock(size_t nx, size_t ny, const double *b, const double *w,
                           double lambda, double *x, double *ux, double *uy) {
  size_t n = nx * ny;
  double *xb = calloc(n, sizeof *xb), *xo = calloc(n, sizeof *xo);
  double *gx = malloc(n * sizeof *gx), *gy = malloc(n * sizeof *gy), *dt = malloc(n * sizeof *dt);
  const double tau = 0.99 / sqrt(8.0), sigma = 0.99 / sqrt(8.0);
  for (size_t i = 0; i < n; i++) {
    x[i] = xb[i] = b[i] > 0 ? b[i] : 0;
    ux[i] = uy[i] = 0.0;
  }
  for (int it = 0; it < 200000; it++) {
    sf_tv_gradient(nx, ny, xb, gx, gy);
    for (size_t i = 0; i < n; i++) {
      double vx = lambda * ux[i] + sigma * gx[i], vy = lambda * uy[i] + sigma * gy[i];
      double nrm = sqrt(vx * vx + vy * vy) / lambda;
      if (nrm < 1)
        nrm = 1;
      ux[i] = vx / nrm / lambda;
      uy[i] = vy / nrm / lambda;
    }
    sf_tv_gradient_adjoint(nx, ny, ux, uy, dt);
    double change = 0.0;
    for (size_t i = 0; i < n; i++) {
      xo[i] = x[i];
      /* prox of tau (1/2 (x - b)^2 / w + [x >= 0]) */
      double wi = w ? w[i] : 1.0;
      double v = ((x[i] - tau * lambda * dt[i]) / tau + b[i] / wi) / (1.0 / tau + 1.0 / wi);
      x[i] = v > 0 ? v : 0;
      change = fmax(change, fabs(x[i] - xo[i]));
    }
    for (size_t i = 0; i < n; i++)
      xb[i] = 2.0 * x[i] - xo[i];
    if (it > 100 && change == 0.0)
      break;
  }
  free(xb), free(xo), free(gx), free(gy), free(dt);
}

/* Duality gap lambda (TV(x) - <D x, p>) >= P(x) - P* >= 1/2 ||x - x*||^2 for a
   dual p in the unit discs with x = P_C(b - lambda D* p). */
static double duality_gap(size_t nx, size_t ny, const double *x, const double *px,
                          const double *py, double lambda) {
  size_t n = nx * ny;
  double *gx = malloc(n * sizeof *gx), *gy = malloc(n * sizeof *gy), g = 0.0;
  sf_tv_gradient(nx, ny, x, gx, gy);
  for (size_t i = 0; i < n; i++) {
    cr_assert(px[i] * px[i] + py[i] * py[i] <= 1.0 + 1e-12);
    g += sqrt(gx[i] * gx[i] + gy[i] * gy[i]) - (gx[i] * px[i] + gy[i] * py[i]);
  }
  free(gx), free(gy);
  return lambda * g;
}

Test(recon_tv, prox_matches_chambolle_pock) {
  const size_t shapes[][2] = {{5, 4}, {7, 6}, {1, 9}};
  const double lambdas[] = {0.05, 0.3, 1.0};
  for (size_t s = 0; s < 3; s++) {
    size_t nx = shapes[s][0], ny = shapes[s][1], n = nx * ny;
    double *b = random_array(n, 100 + (uint32_t)s, -0.5, 2.0);
    double *xf = malloc(n * sizeof *xf), *xc = malloc(n * sizeof *xc);
    double *ux = malloc(n * sizeof *ux), *uy = malloc(n * sizeof *uy);
    sf_tv_prox *tv = NULL;
    cr_assert_eq(sf_tv_prox_create(nx, ny, 1, &tv), SF_OK);
    sf_tv_prox_params p;
    sf_tv_prox_params_default(&p);
    p.max_iter = 2000;
    p.tol = 0.0;
    cr_assert_eq(sf_tv_prox_apply(tv, 0, 1, b, NULL, &lambdas[s], &p, xf, NULL), SF_OK);
    const double *px, *py;
    sf_tv_prox_dual(tv, 0, &px, &py);
    double gap_fgp = duality_gap(nx, ny, xf, px, py, lambdas[s]);
    sf_tv_prox_destroy(tv);
    chambolle_pock(nx, ny, b, NULL, lambdas[s], xc, ux, uy);
    /* certify CP through its dual: x(u) = P_C(b - lambda D* u) */
    double *xu = malloc(n * sizeof *xu);
    sf_tv_gradient_adjoint(nx, ny, ux, uy, xu);
    for (size_t i = 0; i < n; i++)
      xu[i] = fmax(0.0, b[i] - lambdas[s] * xu[i]);
    double gap_cp = duality_gap(nx, ny, xu, ux, uy, lambdas[s]);
    cr_assert(gap_fgp <= TOL_GAP && gap_cp <= TOL_GAP, "duality gaps FGP %.3g, CP %.3g", gap_fgp,
              gap_cp);
    free(xu), free(ux), free(uy);
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
      cr_assert(xf[i] >= 0.0);
      worst = fmax(worst, fabs(xf[i] - xc[i]));
    }
    cr_assert(worst <= TOL_PROX_CROSS, "%zu x %zu lambda %g: max |FGP - CP| = %.3g", nx, ny,
              lambdas[s], worst);
    /* and FGP's objective is not above CP's */
    double of = tv_objective(nx, ny, xf, b, lambdas[s]), oc = tv_objective(nx, ny, xc, b, lambdas[s]);
    cr_assert(of <= oc + 1e-12, "objective FGP %.15g, CP %.15g", of, oc);
    free(b), free(xf), free(xc);
  }
}

Test(recon_tv, weighted_prox_matches_chambolle_pock) {
  /* min_{x>=0} 1/2 sum (x - b)^2 / w + lambda TV(x) with weights over two
     decades (the prox in a diagonal metric, as the fusion solver uses it) */
  size_t nx = 6, ny = 5, n = nx * ny;
  double *b = random_array(n, 300, -0.5, 2.0), *w = random_array(n, 301, -1.0, 1.0);
  for (size_t i = 0; i < n; i++)
    w[i] = pow(10.0, w[i]);
  double lambda = 0.3, xf[30], xc[30], ux[30], uy[30], xu[30];
  sf_tv_prox *tv = NULL;
  cr_assert_eq(sf_tv_prox_create(nx, ny, 1, &tv), SF_OK);
  sf_tv_prox_params p;
  sf_tv_prox_params_default(&p);
  p.max_iter = 20000;
  p.tol = 0.0;
  cr_assert_eq(sf_tv_prox_apply(tv, 0, 1, b, w, &lambda, &p, xf, NULL), SF_OK);
  const double *px, *py;
  sf_tv_prox_dual(tv, 0, &px, &py);
  /* the same certificate: at x(p) = P_C(b - lambda w D* p) the gap is
     lambda (TV(x) - <Dx, p>) >= 1/2 ||x - x*||^2 / max(w) */
  double gap_fgp = duality_gap(nx, ny, xf, px, py, lambda);
  chambolle_pock(nx, ny, b, w, lambda, xc, ux, uy);
  sf_tv_gradient_adjoint(nx, ny, ux, uy, xu);
  for (size_t i = 0; i < n; i++)
    xu[i] = fmax(0.0, b[i] - lambda * w[i] * xu[i]);
  double gap_cp = duality_gap(nx, ny, xu, ux, uy, lambda);
  cr_assert(gap_fgp <= TOL_GAP && gap_cp <= TOL_GAP, "duality gaps FGP %.3g, CP %.3g", gap_fgp,
            gap_cp);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    worst = fmax(worst, fabs(xf[i] - xc[i]));
  cr_assert(worst <= TOL_PROX_WEIGHTED, "max |FGP - CP| = %.3g", worst);
  sf_tv_prox_destroy(tv);
  free(b), free(w);
}

Test(recon_tv, prox_decreases_objective_and_warm_start_helps) {
  size_t nx = 32, ny = 24, n = nx * ny;
  double *b = random_array(n, 7, 0.0, 4.0);
  double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2);
  sf_tv_prox *tv = NULL;
  cr_assert_eq(sf_tv_prox_create(nx, ny, 1, &tv), SF_OK);
  sf_tv_prox_params p;
  sf_tv_prox_params_default(&p);
  p.max_iter = 5000;
  p.tol = 1e-8;
  double lambda = 0.4;
  sf_tv_prox_info i1, i2;
  cr_assert_eq(sf_tv_prox_apply(tv, 0, 1, b, NULL, &lambda, &p, x1, &i1), SF_OK);
  cr_assert_eq(sf_tv_prox_apply(tv, 0, 1, b, NULL, &lambda, &p, x2, &i2), SF_OK);
  /* warm start: the second call starts at the converged dual */
  cr_assert(i2.iterations < i1.iterations / 4, "cold %d, warm %d iterations", i1.iterations,
            i2.iterations);
  double worst = 0.0;
  for (size_t i = 0; i < n; i++)
    worst = fmax(worst, fabs(x1[i] - x2[i]));
  cr_assert(worst < 1e-5, "warm result differs by %g", worst);
  cr_assert(tv_objective(nx, ny, x1, b, lambda) < tv_objective(nx, ny, b, b, lambda));
  /* after reset the dual starts from 0 again */
  sf_tv_prox_reset(tv);
  const double *px, *py;
  sf_tv_prox_dual(tv, 0, &px, &py);
  for (size_t i = 0; i < n; i++)
    cr_assert(px[i] == 0.0 && py[i] == 0.0);
  sf_tv_prox_destroy(tv);
  free(b), free(x1), free(x2);
}

Test(recon_tv, prox_several_maps_and_zero_lambda) {
  size_t nx = 6, ny = 5, n = nx * ny;
  double *b = random_array(3 * n, 9, -1.0, 3.0);
  double x[90], single[30];
  double lam[3] = {0.2, 0.0, 0.7};
  sf_tv_prox *tv = NULL;
  cr_assert_eq(sf_tv_prox_create(nx, ny, 3, &tv), SF_OK);
  sf_tv_prox_params p;
  sf_tv_prox_params_default(&p);
  p.max_iter = 100000;
  p.tol = 1e-14;
  cr_assert_eq(sf_tv_prox_apply(tv, 0, 3, b, NULL, lam, &p, x, NULL), SF_OK);
  /* lambda 0: clamp only */
  for (size_t i = 0; i < n; i++)
    cr_assert_eq(x[n + i], b[n + i] > 0 ? b[n + i] : 0.0);
  /* each map equals the single-map prox */
  for (int m = 0; m < 3; m += 2) {
    sf_tv_prox_info info;
    run_prox(nx, ny, b + m * n, lam[m], 1, 100000, 1e-14, single, &info);
    for (size_t i = 0; i < n; i++)
      cr_assert(fabs(x[m * n + i] - single[i]) < 1e-10);
  }
  sf_tv_prox_destroy(tv);
  free(b);
}

Test(recon_tv, errors) {
  double a[4] = {0}, out[4];
  cr_assert_eq(sf_tv_gradient(0, 2, a, out, out), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "nx = 0") != NULL, "%s", sf_error_message());
  sf_tv_prox *tv = NULL;
  cr_assert_eq(sf_tv_prox_create(2, 2, 0, &tv), SF_EINVAL);
  cr_assert_eq(sf_tv_prox_create(2, 2, 1, &tv), SF_OK);
  sf_tv_prox_params p;
  sf_tv_prox_params_default(&p);
  double lam = -0.5;
  cr_assert_eq(sf_tv_prox_apply(tv, 0, 1, a, NULL, &lam, &p, out, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "lambda = -0.5") != NULL, "%s", sf_error_message());
  lam = 0.5;
  cr_assert_eq(sf_tv_prox_apply(tv, 1, 1, a, NULL, &lam, &p, out, NULL), SF_EINVAL);
  double bad[4] = {1, NAN, 0, 2};
  cr_assert_eq(sf_tv_prox_apply(tv, 0, 1, bad, NULL, &lam, &p, out, NULL), SF_ENUMERIC);
  sf_tv_prox_destroy(tv);
  sf_tv_prox_destroy(NULL);
}
