/* Sweeps: table shape and columns, physics trends (the concentration error
   falls with dose along the diagonal and with the chemical SNR; a wrong
   gamma biases the stoichiometry, the right one does not; the L-curve's
   misfit grows and its TV falls with lambda), and the written folder. */
#include "core/sf_status.h"
#include "support/testutil.h"
#include "validate/sf_recipe.h"
#include "validate/sf_sweep.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Target SNRs and the doses solved for them are exact up to rounding. */
#define TOL_SNR 1e-9
/* The films' Ga fraction at the true gamma (the paper's 40 +- 0.4 %). */
#define TOL_GA_AT_TRUE_GAMMA 0.01
/* A gamma off by 0.3 or more must show: measured errors 0.053 (1.4), 0.030
   (2.0) and 0.168 (1.0) against 0.0035 at 1.7; asserted 3x the tolerance. */
#define MIN_GAMMA_ERROR 0.02
/* Monotonic L-curve within rounding of converged solutions. */
#define TOL_LCURVE_REL 1e-6

static const char *coreshell = "name = \"tiny_coreshell\"\n"
                               "[phantom]\n"
                               "shape = \"core_shell\"\n"
                               "size_A = [64, 64, 64]\n"
                               "voxel_A = 2\n"
                               "core_phase = \"CoS_core\"\n"
                               "shell_phase = \"CoO_shell\"\n"
                               "core_radius_A = 14\n"
                               "radius_A = 24\n"
                               "[[phase]]\n"
                               "name = \"CoS_core\"\n"
                               "formula = \"CoS\"\n"
                               "density_per_A3 = 0.0790\n"
                               "[[phase]]\n"
                               "name = \"CoO_shell\"\n"
                               "formula = \"CoO\"\n"
                               "density_per_A3 = 0.1034\n"
                               "[haadf]\n"
                               "form = \"linear\"\n"
                               "[noise]\n"
                               "seed = 7\n"
                               "[fuse]\n"
                               "lambda_tv_mode = \"snr_scaled\"\n"
                               "lambda_tv = 2\n"
                               "max_iterations = 400\n"
                               "[sweep]\n"
                               "kinds = [\"dose\", \"lambda\"]\n"
                               "haadf_snr = [2, 8, 32]\n"
                               "chem_snr = [0.5, 2, 8]\n"
                               "lambda_tv = [0.03, 0.1, 0.3, 1, 3, 10, 30]\n";


/* A recipe fixture from the source tree. */
static sf_recipe *recipe_file(const char *relative) {
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load(sf_test_source_path(relative), NULL, 0, &r), SF_OK, "%s",
               sf_error_message());
  return r;
}

static sf_recipe *recipe(const char *text) {
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load_string(text, strlen(text), "tiny.toml", NULL, 0, &r), SF_OK, "%s",
               sf_error_message());
  return r;
}

Test(sweep, table_api) {
  const char *cols[] = {"a", "b"};
  sf_sweep_table *t = NULL;
  cr_assert_eq(sf_sweep_table_create(3, 2, cols, &t), SF_OK);
  cr_assert_eq(sf_sweep_table_col(t, "b"), 1);
  cr_assert_eq(sf_sweep_table_col(t, "c"), -1);
  cr_assert(isnan(sf_sweep_table_get(t, 0, "a")), "cells start as NAN");
  t->v[2 * 2 + 1] = 5.0;
  cr_assert_float_eq(sf_sweep_table_get(t, 2, "b"), 5.0, 0.0);
  cr_assert(isnan(sf_sweep_table_get(t, 3, "b")), "row out of range");
  size_t row;
  cr_assert_eq(sf_sweep_lcurve_corner(t, &row), SF_ERANGE, "no corner_distance column");
  sf_sweep_table_destroy(t);
  sf_sweep_table_destroy(NULL);
  char long_name[SF_SWEEP_COL_MAX + 1];
  memset(long_name, 'x', SF_SWEEP_COL_MAX);
  long_name[SF_SWEEP_COL_MAX] = '\0';
  const char *bad[] = {long_name};
  cr_assert_eq(sf_sweep_table_create(1, 1, bad, &t), SF_EINVAL);
}

Test(sweep, dose_grid_trends) {
  sf_recipe *r = recipe(coreshell);
  sf_sweep_table *t = NULL;
  cr_assert_eq(sf_sweep_dose(&r->p, NULL, &t), SF_OK, "%s", sf_error_message());
  cr_assert_eq(t->n_rows, 9);
  cr_assert_geq(sf_sweep_table_col(t, "conc_rmse"), 0);
  cr_assert_geq(sf_sweep_table_col(t, "psnr_dB"), 0);
  cr_assert_geq(sf_sweep_table_col(t, "median_se"), 0);
  /* rows run HAADF fastest; the target SNRs are reached */
  for (size_t ic = 0; ic < 3; ++ic)
    for (size_t ih = 0; ih < 3; ++ih) {
      size_t row = ic * 3 + ih;
      cr_assert_float_eq(sf_sweep_table_get(t, row, "haadf_axis"), r->p.sweep_haadf[ih], 0.0);
      cr_assert_float_eq(sf_sweep_table_get(t, row, "haadf_snr"), r->p.sweep_haadf[ih],
                         TOL_SNR * r->p.sweep_haadf[ih]);
      cr_assert_float_eq(sf_sweep_table_get(t, row, "chem_snr"), r->p.sweep_chem[ic],
                         TOL_SNR * r->p.sweep_chem[ic]);
    }
  /* without read noise the dose for SNR S is S^2 / (counts per dose): x16 per x4 in SNR */
  double d0 = sf_sweep_table_get(t, 0, "chem_dose_e_per_A2");
  double d1 = sf_sweep_table_get(t, 3, "chem_dose_e_per_A2");
  cr_assert_float_eq(d1 / d0, 16.0, 16.0 * TOL_SNR);
  /* along the diagonal (both doses up) the concentration error falls and the PSNR rises */
  for (size_t k = 0; k + 1 < 3; ++k) {
    size_t a = k * 3 + k, b = (k + 1) * 3 + (k + 1);
    double ea = sf_sweep_table_get(t, a, "conc_rmse"), eb = sf_sweep_table_get(t, b, "conc_rmse");
    cr_assert_lt(eb, ea, "diagonal step %zu: %g -> %g", k, ea, eb);
    cr_assert_gt(sf_sweep_table_get(t, b, "psnr_dB"), sf_sweep_table_get(t, a, "psnr_dB"));
  }
  /* at every HAADF SNR, more chemical dose lowers the error */
  for (size_t ih = 0; ih < 3; ++ih)
    for (size_t ic = 0; ic + 1 < 3; ++ic)
      cr_assert_lt(sf_sweep_table_get(t, (ic + 1) * 3 + ih, "conc_rmse"),
                   sf_sweep_table_get(t, ic * 3 + ih, "conc_rmse"), "HAADF SNR column %zu", ih);
  /* the fused maps beat the raw ones everywhere on the grid */
  for (size_t row = 0; row < 9; ++row)
    cr_assert_gt(sf_sweep_table_get(t, row, "psnr_dB"), sf_sweep_table_get(t, row, "psnr_raw_dB"));
  sf_sweep_table_destroy(t);
  sf_recipe_destroy(r);
}

Test(sweep, gamma_sweep_biases_stoichiometry) {
  sf_recipe *r = recipe_file("tests/data/config/recipe_tiny_films.toml");
  sf_sweep_table *t = NULL;
  cr_assert_eq(sf_sweep_gamma(&r->p, NULL, &t), SF_OK, "%s", sf_error_message());
  cr_assert_eq(t->n_rows, 4);
  cr_assert_geq(sf_sweep_table_col(t, "conc_bias_Ga"), 0);
  double err[4], bias[4];
  for (size_t a = 0; a < 4; ++a) {
    cr_assert_float_eq(sf_sweep_table_get(t, a, "gamma_true"), 1.7, 0.0);
    err[a] = sf_sweep_table_get(t, a, "stoich_error");
    bias[a] = sf_sweep_table_get(t, a, "conc_bias_Ga");
  }
  /* assumed = true: the paper's 40 % */
  cr_assert_lt(err[2], TOL_GA_AT_TRUE_GAMMA);
  /* the error grows away from the true gamma, on both sides */
  cr_assert_gt(err[0], err[1]);
  cr_assert_gt(err[1], MIN_GAMMA_ERROR);
  cr_assert_gt(err[3], MIN_GAMMA_ERROR);
  /* too small a gamma under-weights the heavy element's HAADF: Ga is over-estimated */
  cr_assert_gt(bias[0], 0.0);
  cr_assert_gt(bias[1], 0.0);
  cr_assert_lt(bias[3], 0.0);
  sf_sweep_table_destroy(t);
  sf_recipe_destroy(r);
}

/* the automatic lambda's concentration error relative to the sweep's optimum */
#define TOL_AUTO_LAMBDA_RMSE 1.5

Test(sweep, lambda_lcurve) {
  sf_recipe *r = recipe(coreshell);
  /* a converged solution at every lambda: the L-curve is then monotonic */
  r->p.haadf_snr = 20.0;
  r->p.chem_snr = 3.0;
  sf_sweep_table *t = NULL;
  cr_assert_eq(sf_sweep_lambda(&r->p, NULL, &t), SF_OK, "%s", sf_error_message());
  cr_assert_eq(t->n_rows, 7);
  for (size_t k = 0; k + 1 < t->n_rows; ++k) {
    double m0 = sf_sweep_table_get(t, k, "misfit"), m1 = sf_sweep_table_get(t, k + 1, "misfit");
    double v0 = sf_sweep_table_get(t, k, "tv"), v1 = sf_sweep_table_get(t, k + 1, "tv");
    cr_assert_lt(sf_sweep_table_get(t, k, "lambda_tv"), sf_sweep_table_get(t, k + 1, "lambda_tv"));
    cr_assert_geq(m1, m0 * (1.0 - TOL_LCURVE_REL), "misfit must not fall: %g -> %g", m0, m1);
    cr_assert_leq(v1, v0 * (1.0 + TOL_LCURVE_REL), "TV must not grow: %g -> %g", v0, v1);
  }
  /* the SNR-scaled mode divides by the expected chemical SNR */
  cr_assert_float_eq(sf_sweep_table_get(t, 3, "lambda_tv_used"), 1.0 / 3.0, 1e-12);
  size_t corner;
  cr_assert_eq(sf_sweep_lcurve_corner(t, &corner), SF_OK, "%s", sf_error_message());
  cr_assert(corner > 0 && corner + 1 < t->n_rows, "the corner is interior: row %zu", corner);
  /* the ends are on the chord, interior points below it */
  cr_assert_float_eq(sf_sweep_table_get(t, 0, "corner_distance"), 0.0, 1e-12);
  cr_assert_gt(sf_sweep_table_get(t, corner, "corner_distance"), 0.0);
  /* the corner is not the worst choice of the sweep */
  double worst = 0.0;
  for (size_t k = 0; k < t->n_rows; ++k) {
    double e = sf_sweep_table_get(t, k, "nrmse");
    worst = e > worst ? e : worst;
  }
  cr_assert_lt(sf_sweep_table_get(t, corner, "nrmse"), worst);
  /* the recovery's own automatic choice against the truth-optimal lambda */
  double best = INFINITY, best_lambda = 0.0;
  for (size_t k = 0; k < t->n_rows; ++k) {
    double e = sf_sweep_table_get(t, k, "conc_rmse");
    if (e < best) {
      best = e;
      best_lambda = sf_sweep_table_get(t, k, "lambda_tv_used");
    }
  }
  double auto_lambda, auto_conc, auto_nrmse;
  cr_assert_eq(sf_sweep_lambda_auto(&r->p, NULL, &auto_lambda, &auto_conc, &auto_nrmse), SF_OK,
               "%s", sf_error_message());
  /* measured (core-shell, HAADF SNR 20, chemical SNR 3): optimum lambda 3.33 with concentration
     RMSE 0.0441; automatic 0.286 with 0.0538, i.e. 1.22x the optimal error although lambda is 12x
     smaller (the error is flat around its minimum). Asserted: within 1.5x of the optimum. */
  cr_assert_lt(auto_conc, TOL_AUTO_LAMBDA_RMSE * best, "automatic %g (conc RMSE %g) vs optimum %g (%g)",
               auto_lambda, auto_conc, best_lambda, best);
  sf_sweep_table_destroy(t);
  sf_recipe_destroy(r);
}

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  cr_assert_not_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
  closedir(d);
  return n;
}

Test(sweep, run_writes_the_folder) {
  const char *sets[] = {"sweep.haadf_snr=[4, 16]", "sweep.chem_snr=[1, 4]",
                        "sweep.lambda_tv=[0.3, 1, 3]", "fuse.max_iterations=60"};
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load_string(coreshell, strlen(coreshell), "tiny.toml", sets, 4, &r),
               SF_OK, "%s", sf_error_message());
  const char *dir = sf_test_path("sweep-out");
  char *summary = NULL;
  cr_assert_eq(sf_sweep_run(r, 0, dir, 0, 0, NULL, &summary), SF_OK, "%s", sf_error_message());
  cr_assert(strstr(summary, "dose grid"), "%s", summary);
  cr_assert(strstr(summary, "L-curve corner"), "%s", summary);
  free(summary);
  const char *files[] = {"dose_grid.csv", "dose_conc_rmse.png", "dose_nrmse.png",
                         "dose_psnr.png", "lambda_sweep.csv", "lambda_lcurve.png",
                         "lambda_error.png", "sweep.json", "config.toml", "index.html"};
  char path[1024];
  for (size_t i = 0; i < sizeof files / sizeof files[0]; ++i) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    cr_assert(sf_test_file_exists(path), "missing %s", files[i]);
  }
  cr_assert_eq(count_entries(dir), (int)(sizeof files / sizeof files[0]),
               "only the documented files");
  /* the CSV: a header and one row per grid point */
  snprintf(path, sizeof path, "%s/dose_grid.csv", dir);
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f);
  char line[4096];
  cr_assert_not_null(fgets(line, sizeof line, f));
  cr_assert_eq(strncmp(line, "haadf_axis,chem_axis,haadf_dose_e_per_A2", 40), 0, "%s", line);
  int rows = 0;
  while (fgets(line, sizeof line, f))
    ++rows;
  fclose(f);
  cr_assert_eq(rows, 4);
  /* an existing folder is kept unless forced; no sweep asked for is an error */
  cr_assert_eq(sf_sweep_run(r, 0, dir, 0, 0, NULL, NULL), SF_EEXIST);
  r->p.sweep_kinds = 0;
  cr_assert_eq(sf_sweep_run(r, 0, sf_test_path("none"), 0, 0, NULL, NULL), SF_EINVAL);
  cr_assert(!sf_test_file_exists(sf_test_path("none")));
  sf_recipe_destroy(r);
}
