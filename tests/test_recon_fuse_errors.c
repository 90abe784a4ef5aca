/* test_recon_fuse_errors.c - bad input to the fusion solver: each case
   returns the right status and a message naming the element (index and
   name), the pixel where there is one, and the offending value. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/sf_status.h"
#include "recon/sf_fuse.h"
#include "recon/sf_uncertainty.h"
#include "support/testutil.h"

enum { NX = 4, NY = 3, NP = NX * NY, NE = 3 };

typedef struct fixture {
  double haadf[NP], chem[NE][NP], Z[NE], yield[NE], custom[NE];
  const double *maps[NE];
  const char *names[NE];
  sf_fuse_problem prob;
  sf_fuse_params par;
} fixture;

static void make(fixture *f) {
  memset(f, 0, sizeof *f);
  static const char *names[NE] = {"Co", "Fe", "O"};
  for (int i = 0; i < NE; i++) {
    f->Z[i] = 8.0 + 10.0 * i;
    f->yield[i] = 1.0;
    f->custom[i] = 1.0;
    f->names[i] = names[i];
    for (int p = 0; p < NP; p++)
      f->chem[i][p] = 1.0 + (p + i) % 3;
    f->maps[i] = f->chem[i];
  }
  for (int p = 0; p < NP; p++)
    f->haadf[p] = 100.0 + 10.0 * p;
  f->prob = (sf_fuse_problem){.nx = NX, .ny = NY, .n_elements = NE, .haadf = f->haadf,
                              .chem = f->maps, .Z = f->Z, .yield = f->yield,
                              .custom_weights = f->custom, .names = f->names};
  sf_fuse_params_default(&f->par);
}

static void expect(fixture *f, int status, const char *a, const char *b, const char *c) {
  sf_fuse_solver *s = NULL;
  sf_error_clear();
  int st = sf_fuse_solver_create(&f->prob, &f->par, &s);
  const char *msg = sf_error_message();
  cr_assert_eq(st, status, "status %d (%s), want %d", st, msg, status);
  cr_assert_null(s);
  cr_assert(!a || strstr(msg, a), "message \"%s\" lacks \"%s\"", msg, a);
  cr_assert(!b || strstr(msg, b), "message \"%s\" lacks \"%s\"", msg, b);
  cr_assert(!c || strstr(msg, c), "message \"%s\" lacks \"%s\"", msg, c);
}

Test(recon_fuse_errors, valid_fixture_is_accepted) {
  fixture f;
  make(&f);
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f.prob, &f.par, &s), SF_OK, "%s", sf_error_message());
  sf_fuse_solver_destroy(s);
  sf_fuse_solver_destroy(NULL);
  sf_fuse_result_destroy(NULL);
}

Test(recon_fuse_errors, nan_and_inf_in_maps) {
  fixture f;
  make(&f);
  f.chem[1][1 * NX + 2] = NAN;
  expect(&f, SF_ENUMERIC, "chemical map 1 (Fe)", "(ix 2, iy 1)", "nan");
  make(&f);
  f.haadf[5] = INFINITY;
  expect(&f, SF_ENUMERIC, "HAADF map", "(ix 1, iy 1)", "inf");
}

Test(recon_fuse_errors, negative_counts_for_poisson) {
  fixture f;
  make(&f);
  f.chem[2][NP - 1] = -3.0;
  expect(&f, SF_EINVAL, "chemical map 2 (O)", "(ix 3, iy 2) = -3", "counts must be >= 0");
  /* signed data are fine for the least-squares model */
  f.par.chem_model = SF_FUSE_CHEM_LSQ;
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f.prob, &f.par, &s), SF_OK, "%s", sf_error_message());
  sf_fuse_solver_destroy(s);
}

Test(recon_fuse_errors, gamma_outside_range) {
  fixture f;
  const double bad[] = {0.0, -1.0, 4.5, NAN};
  const char *text[] = {"gamma = 0", "gamma = -1", "gamma = 4.5", "gamma = nan"};
  for (int k = 0; k < 4; k++) {
    make(&f);
    f.par.gamma = bad[k];
    expect(&f, SF_EINVAL, text[k], "(0, 4]", NULL);
  }
  make(&f);
  f.par.gamma = 4.0;
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f.prob, &f.par, &s), SF_OK);
  sf_fuse_solver_destroy(s);
}

Test(recon_fuse_errors, element_count_and_sizes) {
  fixture f;
  make(&f);
  f.prob.n_elements = 0;
  expect(&f, SF_EINVAL, "n_elements = 0", NULL, NULL);
  f.prob.n_elements = SF_FUSE_MAX_ELEMENTS + 1;
  expect(&f, SF_EINVAL, "n_elements = 17", NULL, NULL);
  make(&f);
  f.prob.nx = 0;
  expect(&f, SF_EINVAL, "nx = 0", NULL, NULL);
  make(&f);
  f.maps[1] = NULL;
  expect(&f, SF_EINVAL, "chemical map 1 (Fe) is NULL", NULL, NULL);
}

Test(recon_fuse_errors, negative_lambdas_and_bad_options) {
  fixture f;
  make(&f);
  f.par.lambda_chem = -1.0;
  expect(&f, SF_EINVAL, "lambda_chem = -1", NULL, NULL);
  make(&f);
  f.par.lambda_tv = -0.5;
  expect(&f, SF_EINVAL, "lambda_tv = -0.5", NULL, NULL);
  make(&f);
  f.par.eps = 0.0;
  expect(&f, SF_EINVAL, "eps = 0", "Poisson", NULL);
  make(&f);
  f.par.estimate_yield = 1;
  f.par.lambda_chem = 0.0;
  expect(&f, SF_EINVAL, "lambda_chem = 0", "yields", NULL);
  make(&f);
  f.par.scale_mode = SF_FUSE_SCALE_FIXED;
  f.par.scale = -2.0;
  expect(&f, SF_EINVAL, "scale = -2", NULL, NULL);
  make(&f);
  f.par.step_shrink = 1.0;
  expect(&f, SF_EINVAL, "step_shrink = 1", NULL, NULL);
}

Test(recon_fuse_errors, atomic_numbers_yields_and_weights) {
  fixture f;
  make(&f);
  f.Z[2] = 0.0;
  expect(&f, SF_EINVAL, "element 2 (O)", "Z = 0", NULL);
  make(&f);
  f.yield[0] = -2.0;
  expect(&f, SF_EINVAL, "element 0 (Co)", "yield = -2", NULL);
  make(&f);
  f.par.weight_mode = SF_FUSE_WEIGHT_CUSTOM;
  f.custom[1] = -0.5;
  expect(&f, SF_EINVAL, "element 1 (Fe)", "custom weight = -0.5", NULL);
  make(&f);
  f.par.weight_mode = SF_FUSE_WEIGHT_CUSTOM;
  f.prob.custom_weights = NULL;
  expect(&f, SF_EINVAL, "custom", NULL, NULL);
}

Test(recon_fuse_errors, bad_points_and_initial_guesses) {
  fixture f;
  make(&f);
  sf_fuse_solver *s = NULL;
  cr_assert_eq(sf_fuse_solver_create(&f.prob, &f.par, &s), SF_OK);
  double x[NE * NP];
  for (int q = 0; q < NE * NP; q++)
    x[q] = 1.0;
  x[2 * NP + 5] = -0.25;
  sf_fuse_cost c;
  cr_assert_eq(sf_fuse_solver_evaluate(s, x, NULL, &c, NULL, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "element 2 (O)") &&
                strstr(sf_error_message(), "(ix 1, iy 1) = -0.25"),
            "%s", sf_error_message());
  x[2 * NP + 5] = NAN;
  sf_fuse_result *r = NULL;
  cr_assert_eq(sf_fuse_solver_run(s, x, &r), SF_ENUMERIC);
  cr_assert_null(r);
  cr_assert(strstr(sf_error_message(), "element 2 (O)") && strstr(sf_error_message(), "nan"),
            "%s", sf_error_message());
  /* Hessian SE with a negative x */
  x[2 * NP + 5] = -1.0;
  double se[NE * NP];
  const double y[NE] = {1, 1, 1};
  sf_fuse_nuisance nu = {.scale = 1.0, .offset = 0.0, .yield = y};
  sf_fuse_se_params sp;
  sf_fuse_se_params_default(&sp);
  cr_assert_eq(sf_fuse_standard_errors(s, x, &nu, &sp, se, NULL, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "element 2 (O)"), "%s", sf_error_message());
  /* set_params keeps the old parameters on error */
  sf_fuse_params bad = f.par;
  bad.gamma = 9.0;
  cr_assert_eq(sf_fuse_solver_set_params(s, &bad), SF_EINVAL);
  cr_assert_float_eq(sf_fuse_solver_params(s)->gamma, f.par.gamma, 0.0);
  sf_fuse_solver_destroy(s);
}

Test(recon_fuse_errors, option_names) {
  sf_fuse_chem_model m;
  cr_assert_eq(sf_fuse_chem_model_parse("lsq", &m), SF_OK);
  cr_assert_eq(m, SF_FUSE_CHEM_LSQ);
  cr_assert_eq(sf_fuse_chem_model_parse("gauss", &m), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "\"gauss\""));
  cr_assert_str_eq(sf_fuse_chem_model_name(SF_FUSE_CHEM_POISSON), "poisson");
  cr_assert_str_eq(sf_fuse_stop_name(SF_FUSE_STOP_STALLED), "stalled");
}
