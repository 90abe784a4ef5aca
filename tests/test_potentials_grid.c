/* Real-space superposition on a periodic grid: conservation of the plane
   integral (with the cutoff accounted for and without), the exact
   pixel-cell averages near the nucleus, sub-pixel shifts, periodicity,
   linearity, thread-count independence and bad input. */
#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_projpot.h"
#include "potentials/sf_vz_table.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <omp.h>
#include <string.h>

/* Sum of pixels x h^2 against the closed-form integral of the cut-off
   profile (measured: <= 7e-7 relative, from the mid/far-zone approximations). */
#define TOL_GRID_INTEGRAL 1e-5
/* ... and against 2 pi a0 e f_e(0) with the automatic cutoff at 1e-4 (brief: 1e-3). */
#define TOL_GRID_VS_FE0 1e-3
/* Integral unchanged by a sub-pixel shift (brief: 1e-4). */
#define TOL_SHIFT_INTEGRAL 1e-4
/* Centre of mass of the pixel values against the atom position, A. The
   residual is aliasing of the pixel-averaged profile (its Fourier transform
   at multiples of 1/h); measured <= 3e-5 A at h = 0.05 A. */
#define TOL_CENTRE_OF_MASS_A 1e-4
/* Exact cell averages against nested GSL quadrature of the closed form. */
#define TOL_CELL_EXACT 1e-10

static const int elements[5] = {8, 14, 22, 38, 79};

static void quiet_gsl(void) { gsl_set_error_handler_off(); }
TestSuite(grid, .init = quiet_gsl);

static sf_projpot *make(size_t n, double h, int param, double r_cut, double tol) {
  sf_projpot_options o;
  sf_projpot_options_default(&o);
  o.param = (sf_scatfac_param)param;
  o.r_cut_A = r_cut;
  if (tol > 0)
    o.cutoff_tol = tol;
  sf_projpot *pp = NULL;
  cr_assert_eq(sf_projpot_create(n, n, h, &o, &pp), SF_OK, "%s", sf_error_message());
  return pp;
}

static double grid_sum(const double *v, size_t n, double h) {
  double s = 0.0;
  for (size_t i = 0; i < n * n; ++i)
    s += v[i];
  return s * h * h;
}

/* --- the closed-form integral of the cut-off profile --- */

typedef struct cut_ctx {
  const sf_scatfac *sf;
  double rc, v_rc, dv_rc, x;
} cut_ctx;

static double cut_profile(const cut_ctx *c, double r) {
  if (r >= c->rc)
    return 0.0;
  return sf_scatfac_vz(c->sf, r) - c->v_rc - (r - c->rc) * c->dv_rc;
}

static double cut_ring(double r, void *p) { return SF_TWO_PI * r * cut_profile(p, r); }

Test(grid, cutoff_integral_closed_form_matches_quadrature) {
  /* Integral of v_c = v - v(rc) - (r - rc) v'(rc) over r < rc equals
     2 pi a0e f_e(0) - tail(rc) - pi rc^2 v(rc) + (pi/3) rc^3 v'(rc). */
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p)
    for (int e = 0; e < 5; ++e) {
      sf_scatfac sf;
      sf_scatfac_init(&sf, (sf_scatfac_param)p, elements[e]);
      for (double rc = 2.0; rc <= 8.0; rc += 3.0) {
        cut_ctx c = {&sf, rc, sf_scatfac_vz(&sf, rc), sf_scatfac_vz_dr(&sf, rc), 0};
        gsl_function f = {cut_ring, &c};
        double q = 0, err = 0;
        gsl_integration_qags(&f, 0.0, rc, 0.0, 1e-13, 2000, w, &q, &err);
        cr_assert(fabs(sf_vz_cutoff_total(&sf, rc) / q - 1.0) < 1e-10, "%s Z %d rc %g",
                  sf_scatfac_param_name(p), elements[e], rc);
      }
    }
  gsl_integration_workspace_free(w);
}

Test(grid, integral_with_the_cutoff_accounted_for) {
  /* Pixel values are cell averages, so Sum v_ij h^2 = Integral v_c d^2r for
     any atom position (the periodic wrap keeps every part of the disc). */
  const size_t n = 96;
  const double h = 0.05;
  double *v = sf_alloc(n * n, sizeof *v, "test");
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p) {
    sf_projpot *pp = make(n, h, p, 3.0, 0);
    for (int e = 0; e < 5; ++e) {
      const sf_slice_atom atom = {elements[e], 1.2345, 2.0101, 0.0};
      cr_assert_eq(sf_projpot_vz(pp, &atom, 1, v), SF_OK);
      const sf_vz_table *t = sf_projpot_table(pp, elements[e]);
      const double total = sf_vz_table_total(t);
      const double sum = grid_sum(v, n, h);
      cr_assert(fabs(sum / total - 1.0) < TOL_GRID_INTEGRAL, "%s Z %d: %.10g vs %.10g",
                sf_scatfac_param_name(p), elements[e], sum, total);
      /* the cutoff at 3 A is visible against f_e(0) for the long-tailed Sr */
      if (elements[e] == 38)
        cr_assert(sum < 0.9 * sf_scatfac_vz_total(sf_vz_table_scatfac(t)));
    }
    sf_projpot_destroy(pp);
  }
  sf_free(v);
}

Test(grid, integral_without_cutoff_is_2pi_a0e_fe0) {
  /* Automatic cutoff at 1e-4 of the integral: Sum v_ij h^2 = 47.8776 V A^2 x f_e(0). */
  const size_t n = 64;
  const double h = 0.1;
  double *v = sf_alloc(n * n, sizeof *v, "test");
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p) {
    sf_projpot *pp = make(n, h, p, 0.0, 1e-4);
    for (int e = 0; e < 5; ++e) {
      const sf_slice_atom atom = {elements[e], 0.37, 5.81, 0.0};
      cr_assert_eq(sf_projpot_vz(pp, &atom, 1, v), SF_OK);
      sf_scatfac sf;
      sf_scatfac_init(&sf, (sf_scatfac_param)p, elements[e]);
      const double expected = SF_TWO_PI_A0E_VA2 * sf_scatfac_fe(&sf, 0.0);
      const double sum = grid_sum(v, n, h);
      cr_assert(fabs(sum / expected - 1.0) < TOL_GRID_VS_FE0, "%s Z %d: %.8g vs %.8g",
                sf_scatfac_param_name(p), elements[e], sum, expected);
      cr_assert(fabs(sum / expected - 1.0) < 1.1e-4, "within the cutoff tolerance");
    }
    sf_projpot_destroy(pp);
  }
  sf_free(v);
}

/* --- exact cell averages near the nucleus --- */

typedef struct cell_ctx {
  cut_ctx cut;
  double y2;
  gsl_integration_workspace *inner;
} cell_ctx;

static double inner_y(double y, void *p) {
  const cut_ctx *c = p;
  return cut_profile(c, sqrt(c->x * c->x + y * y));
}

/* Integral_0^X Integral_0^Y v_c, nested adaptive quadrature (singularity at a corner). */
static double outer_x(double x, void *p) {
  cell_ctx *c = p;
  c->cut.x = x;
  gsl_function f = {inner_y, &c->cut};
  double r = 0, err = 0;
  gsl_integration_qags(&f, 0.0, c->y2, 1e-15, 1e-13, 1000, c->inner, &r, &err);
  return r;
}

static double corner_reference(cell_ctx *c, gsl_integration_workspace *w, double X, double Y) {
  if (X == 0.0 || Y == 0.0)
    return 0.0;
  c->y2 = fabs(Y);
  gsl_function f = {outer_x, c};
  double r = 0, err = 0;
  gsl_integration_qags(&f, 0.0, fabs(X), 1e-15, 1e-13, 1000, w, &r, &err);
  return ((X < 0) != (Y < 0)) ? -r : r;
}

Test(grid, near_cells_are_exact_cell_averages) {
  /* The cell holding the nucleus (log singularity of K0) and its neighbours:
     the corner method against independent nested quadrature of v_c. */
  gsl_integration_workspace *w1 = gsl_integration_workspace_alloc(1000),
                            *w2 = gsl_integration_workspace_alloc(1000);
  const double h = 0.05;
  const double cells[4][2] = {{0.0, 0.0}, {0.013, -0.021}, {0.06, 0.01}, {-0.11, 0.09}};
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p) {
    sf_vz_table *t = NULL;
    cr_assert_eq(sf_vz_table_create((sf_scatfac_param)p, 79, h, 3.0, &t), SF_OK);
    const sf_scatfac *sf = sf_vz_table_scatfac(t);
    cell_ctx c = {{sf, 3.0, sf_scatfac_vz(sf, 3.0), sf_scatfac_vz_dr(sf, 3.0), 0}, 0, w2};
    for (int k = 0; k < 4; ++k) {
      const double x1 = cells[k][0] - h / 2, x2 = cells[k][0] + h / 2;
      const double y1 = cells[k][1] - h / 2, y2 = cells[k][1] + h / 2;
      const double ref = (corner_reference(&c, w1, x2, y2) - corner_reference(&c, w1, x1, y2) -
                          corner_reference(&c, w1, x2, y1) + corner_reference(&c, w1, x1, y1)) /
                         (h * h);
      const double got = sf_vz_table_pixel(t, cells[k][0], cells[k][1]);
      cr_assert(fabs(got / ref - 1.0) < TOL_CELL_EXACT, "%s cell (%g, %g): %.15g vs %.15g",
                sf_scatfac_param_name(p), cells[k][0], cells[k][1], got, ref);
    }
    /* the centre cell average is finite although v_z(0) is not (Kirkland, Lobato) */
    cr_assert(isfinite(sf_vz_table_pixel(t, 0.0, 0.0)));
    sf_vz_table_destroy(t);
  }
  gsl_integration_workspace_free(w1);
  gsl_integration_workspace_free(w2);
}

Test(grid, subpixel_shifts_keep_integral_and_move_centre_of_mass) {
  /* Grid of 8 A > 2 r_cut, so the centre of mass needs no wrapping. */
  const size_t n = 160;
  const double h = 0.05;
  const double shifts[4][2] = {{4.0, 4.0}, {4.0137, 4.0411}, {4.025, 4.025}, {4.0499, 3.9751}};
  double *v = sf_alloc(n * n, sizeof *v, "test");
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p) {
    sf_projpot *pp = make(n, h, p, 3.0, 0);
    for (int e = 0; e < 5; ++e) {
      double first = 0.0;
      for (int s = 0; s < 4; ++s) {
        const sf_slice_atom atom = {elements[e], shifts[s][0], shifts[s][1], 0.0};
        cr_assert_eq(sf_projpot_vz(pp, &atom, 1, v), SF_OK);
        double sum = 0, mx = 0, my = 0;
        for (size_t iy = 0; iy < n; ++iy)
          for (size_t ix = 0; ix < n; ++ix) {
            sum += v[iy * n + ix];
            mx += v[iy * n + ix] * (double)ix * h;
            my += v[iy * n + ix] * (double)iy * h;
          }
        mx /= sum;
        my /= sum;
        if (s == 0)
          first = sum;
        cr_assert(fabs(sum / first - 1.0) < TOL_SHIFT_INTEGRAL, "%s Z %d shift %d",
                  sf_scatfac_param_name(p), elements[e], s);
        cr_assert(fabs(mx - shifts[s][0]) < TOL_CENTRE_OF_MASS_A &&
                      fabs(my - shifts[s][1]) < TOL_CENTRE_OF_MASS_A,
                  "%s Z %d: centre (%.6f, %.6f) for atom (%.4f, %.4f)", sf_scatfac_param_name(p),
                  elements[e], mx, my, shifts[s][0], shifts[s][1]);
      }
    }
    sf_projpot_destroy(pp);
  }
  sf_free(v);
}

Test(grid, peak_is_at_the_atom_and_symmetric) {
  const size_t n = 64;
  const double h = 0.05;
  double *v = sf_alloc(n * n, sizeof *v, "test");
  sf_projpot *pp = make(n, h, SF_SCATFAC_KIRKLAND, 1.5, 0);
  const sf_slice_atom atom = {38, 10 * h, 20 * h, 0.0}; /* on pixel (10, 20) */
  sf_projpot_vz(pp, &atom, 1, v);
  size_t best = 0;
  for (size_t i = 0; i < n * n; ++i)
    if (v[i] > v[best])
      best = i;
  cr_assert_eq(best, 20 * n + 10);
  /* four-fold symmetry about the atom */
  for (int d = 1; d < 8; ++d) {
    const double a = v[20 * n + 10 + d], b = v[20 * n + 10 - d], c = v[(20 + d) * n + 10],
                 e = v[(20 - d) * n + 10];
    cr_assert(fabs(a - b) < 1e-12 * a && fabs(a - c) < 1e-12 * a && fabs(a - e) < 1e-12 * a);
  }
  sf_projpot_destroy(pp);
  sf_free(v);
}

Test(grid, periodic_superposition_and_linearity) {
  const size_t n = 48;
  const double h = 0.1, L = n * h;
  double *a = sf_alloc(n * n, sizeof *a, "test"), *b = sf_alloc(n * n, sizeof *b, "test"),
         *c = sf_alloc(n * n, sizeof *c, "test");
  sf_projpot *pp = make(n, h, SF_SCATFAC_LOBATO, 0.0, 0);
  /* an atom and its periodic image give the same map */
  const sf_slice_atom at1 = {22, 0.33, 4.61, 0.0}, at2 = {22, 0.33 + L, 4.61 - 2 * L, 7.0};
  sf_projpot_vz(pp, &at1, 1, a);
  sf_projpot_vz(pp, &at2, 1, b);
  for (size_t i = 0; i < n * n; ++i)
    cr_assert(fabs(a[i] - b[i]) <= 1e-10 * fabs(a[i]) + 1e-12, "pixel %zu", i);
  /* superposition is linear: v(A + B) = v(A) + v(B) */
  const sf_slice_atom pair[2] = {{8, 1.0, 1.0, 0.0}, {38, 3.3, 0.2, 0.0}};
  sf_projpot_vz(pp, &pair[0], 1, a);
  sf_projpot_vz(pp, &pair[1], 1, b);
  sf_projpot_vz(pp, pair, 2, c);
  for (size_t i = 0; i < n * n; ++i)
    cr_assert(fabs(c[i] - a[i] - b[i]) <= 1e-12 * fabs(c[i]));
  /* no atoms: zero */
  sf_projpot_vz(pp, NULL, 0, c);
  for (size_t i = 0; i < n * n; ++i)
    cr_assert_eq(c[i], 0.0);
  sf_projpot_destroy(pp);
  sf_free(a);
  sf_free(b);
  sf_free(c);
}

Test(grid, result_does_not_depend_on_thread_count) {
  const size_t n = 80;
  const double h = 0.05;
  double *one = sf_alloc(n * n, sizeof *one, "test"), *many = sf_alloc(n * n, sizeof *many, "test");
  sf_slice_atom atoms[30];
  for (int i = 0; i < 30; ++i)
    atoms[i] = (sf_slice_atom){elements[i % 5], 0.137 * i, 0.291 * i * i, 0.0};
  sf_projpot *pp = make(n, h, SF_SCATFAC_KIRKLAND, 0.0, 0);
  omp_set_num_threads(1);
  cr_assert_eq(sf_projpot_vz(pp, atoms, 30, one), SF_OK);
  omp_set_num_threads(4);
  cr_assert_eq(sf_projpot_vz(pp, atoms, 30, many), SF_OK);
  cr_assert_eq(memcmp(one, many, n * n * sizeof *one), 0, "bit-identical for 1 and 4 threads");
  sf_projpot_destroy(pp);
  sf_free(one);
  sf_free(many);
}

Test(grid, bad_input_is_rejected_with_a_message) {
  sf_projpot *pp = NULL;
  cr_assert_eq(sf_projpot_create(64, 64, 0.0, NULL, &pp), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "sampling_A = 0"), "%s", sf_error_message());
  cr_assert_null(pp);
  cr_assert_eq(sf_projpot_create(64, 64, -0.05, NULL, &pp), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "sampling_A = -0.05"));
  cr_assert_eq(sf_projpot_create(64, 64, NAN, NULL, &pp), SF_EINVAL);
  cr_assert_eq(sf_projpot_create(1, 64, 0.05, NULL, &pp), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "nx = 1"));
  sf_projpot_options o;
  sf_projpot_options_default(&o);
  o.r_cut_A = 0.1;
  cr_assert_eq(sf_projpot_create(64, 64, 0.05, &o, &pp), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "r_cut_A = 0.1"), "%s", sf_error_message());
  sf_projpot_options_default(&o);
  o.band_limit = 1.5;
  cr_assert_eq(sf_projpot_create(64, 64, 0.05, &o, &pp), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "band_limit = 1.5"));
  sf_projpot_options_default(&o);
  o.param = (sf_scatfac_param)9;
  cr_assert_eq(sf_projpot_create(64, 64, 0.05, &o, &pp), SF_EINVAL);
  sf_projpot_options_default(&o);
  o.cutoff_tol = 0.0;
  cr_assert_eq(sf_projpot_create(64, 64, 0.05, &o, &pp), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "cutoff_tol = 0"));

  sf_projpot_options_default(&o);
  o.param = SF_SCATFAC_PENG;
  cr_assert_eq(sf_projpot_create(32, 32, 0.1, &o, &pp), SF_OK);
  double v[32 * 32];
  const sf_slice_atom bad_z[2] = {{8, 0, 0, 0}, {99, 1, 1, 0}};
  cr_assert_eq(sf_projpot_vz(pp, bad_z, 2, v), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "atom 1") && strstr(sf_error_message(), "Z = 99") &&
                strstr(sf_error_message(), "peng"),
            "%s", sf_error_message());
  const sf_slice_atom z0 = {0, 1, 1, 0};
  cr_assert_eq(sf_projpot_vz(pp, &z0, 1, v), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "Z = 0"), "%s", sf_error_message());
  const sf_slice_atom nan_pos = {8, NAN, 1, 0};
  cr_assert_eq(sf_projpot_vz(pp, &nan_pos, 1, v), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "atom 0"));
  sf_projpot_destroy(pp);
  sf_projpot_destroy(NULL);
  sf_vz_table_destroy(NULL);

  sf_vz_table *t = NULL;
  cr_assert_eq(sf_vz_table_create(SF_SCATFAC_KIRKLAND, 8, 0.05, 0.1, &t), SF_ERANGE);
  cr_assert_eq(sf_vz_table_create(SF_SCATFAC_KIRKLAND, 104, 0.05, 3.0, &t), SF_ERANGE);
  cr_assert_eq(sf_vz_table_create(SF_SCATFAC_KIRKLAND, 8, -1.0, 3.0, &t), SF_EINVAL);
  cr_assert_null(t);
}
