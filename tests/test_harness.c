/* The validation loop: summaries of named values, the paper's Ga2O3 films
   (Ga relative concentration 40 % within 1 %), fused maps better than raw
   maps by a measured margin, target SNRs reached, results independent of
   the thread count and reproducible for a seed, errors naming the map. */
#include "core/sf_alloc.h"
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "support/testutil.h"
#include "validate/sf_harness.h"
#include "validate/sf_recipe.h"

#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

/* The paper's Fig. 5 claim, Ga 40 +- 0.4 %, checked to the issue's +-1 %. */
#define TOL_GA_FRACTION 0.01
/* Measured on the tiny films (4 seeds x 3 realisations): overall PSNR gain
   21.1-23.4 dB; asserted with a margin for other noise draws. */
#define MIN_FILMS_GAIN_dB 15.0
/* Tiny core-shell (3 seeds x 2 realisations): overall gain 7.8-8.0 dB,
   weakest element (O) 4.1-4.4 dB. */
#define MIN_CORESHELL_GAIN_dB 5.0
#define MIN_ELEMENT_GAIN_dB 2.0
/* Concentration RMSE fused / raw measured 0.45-0.49 (core-shell), 0.08-0.13 (films). */
#define MAX_CONC_RATIO_CORESHELL 0.7
#define MAX_CONC_RATIO_FILMS 0.25
/* Target SNRs are solved in closed form (sf_noise_dose_for_snr). */
#define TOL_SNR 1e-9


static const char *coreshell_recipe = "name = \"tiny_coreshell\"\n"
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
                                      "haadf_snr = 20\n"
                                      "chem_snr = 3\n"
                                      "seed = 7\n"
                                      "realisations = 2\n"
                                      "[fuse]\n"
                                      "lambda_tv_mode = \"snr_scaled\"\n"
                                      "lambda_tv = 2\n"
                                      "max_iterations = 150\n";

/* A recipe fixture from the source tree. */
static sf_recipe *recipe_file(const char *relative) {
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load(sf_test_source_path(relative), NULL, 0, &r), SF_OK, "%s",
               sf_error_message());
  return r;
}

static sf_recipe *recipe(const char *text, const char *const *sets, size_t n) {
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load_string(text, strlen(text), "tiny.toml", sets, n, &r), SF_OK, "%s",
               sf_error_message());
  return r;
}

static double stat_mean(const sf_harness_result *res, const char *name) {
  const sf_harness_stat *s = sf_harness_stat_find(res, name);
  cr_assert_not_null(s, "no metric %s", name);
  return s->mean;
}

Test(harness, summary_of_named_values) {
  sf_harness_values v[3];
  memset(v, 0, sizeof v);
  const double a[3] = {1.0, 2.0, 6.0};
  for (int k = 0; k < 3; ++k) {
    cr_assert_eq(sf_harness_values_set(&v[k], "a", a[k]), SF_OK);
    cr_assert_eq(sf_harness_values_set(&v[k], "b", k == 1 ? NAN : 5.0), SF_OK);
  }
  cr_assert_eq(sf_harness_values_set(&v[2], "c", 7.0), SF_OK, "only in the last list");
  cr_assert_eq(sf_harness_values_set(&v[0], "a", 0.0), SF_OK, "replaces");
  cr_assert_float_eq(sf_harness_values_get(&v[0], "a"), 0.0, 0.0);
  cr_assert(isnan(sf_harness_values_get(&v[0], "absent")));
  sf_harness_stat *s = NULL;
  size_t n = 0;
  cr_assert_eq(sf_harness_summarise(v, 3, &s, &n), SF_OK);
  cr_assert_eq(n, 3);
  cr_assert_str_eq(s[0].name, "a");
  cr_assert_float_eq(s[0].mean, 8.0 / 3.0, SF_TOL_DBL * 4);
  /* sample std of {0, 2, 6}: sqrt(((8/3)^2 + (2/3)^2 + (10/3)^2) / 2) = sqrt(28/3) */
  cr_assert_float_eq(s[0].std, sqrt(28.0 / 3.0), 1e-15);
  cr_assert_float_eq(s[0].min, 0.0, 0.0);
  cr_assert_float_eq(s[0].max, 6.0, 0.0);
  cr_assert_eq(s[1].n, 2, "the NaN is left out");
  cr_assert_float_eq(s[1].std, 0.0, 0.0);
  cr_assert_eq(s[2].n, 1);
  cr_assert_float_eq(s[2].std, 0.0, 0.0, "one value: std 0");
  char long_name[SF_HARNESS_NAME_MAX + 1];
  memset(long_name, 'x', sizeof long_name - 1);
  long_name[SF_HARNESS_NAME_MAX] = '\0';
  cr_assert_eq(sf_harness_values_set(&v[0], long_name, 1.0), SF_EINVAL);
  for (int k = 0; k < 3; ++k)
    sf_harness_values_clear(&v[k]);
  sf_free(s);
}

/* The paper's Fig. 5: overlapping Ga and O films, Ga2O3 where they overlap;
   the recovery is not told the yields, yet finds Ga = 40 %. */
Test(harness, ga2o3_films_recover_forty_percent) {
  sf_recipe *r = recipe_file("tests/data/config/recipe_tiny_films.toml");
  sf_harness_result *res = NULL;
  cr_assert_eq(sf_harness_run(&r->p, &res), SF_OK, "%s", sf_error_message());
  cr_assert_eq(res->n_realisations, 3);
  cr_assert_eq(res->groups.n_groups, 1, "only the overlap has two elements");
  cr_assert_str_eq(res->groups.names[0], "Ga_film+O_film");
  for (size_t k = 0; k < 3; ++k) {
    double ga = sf_harness_values_get(&res->real[k], "stoich.Ga_film+O_film.Ga.mean");
    double truth = sf_harness_values_get(&res->real[k], "stoich.Ga_film+O_film.Ga.truth");
    cr_assert_float_eq(truth, 0.4, 1e-12);
    cr_assert(fabs(ga - 0.4) < TOL_GA_FRACTION, "realisation %zu: Ga %.4f", k, ga);
    /* the PSNR gain is the difference of the PSNRs, the SNR gain its amplitude ratio */
    double raw = sf_harness_values_get(&res->real[k], "Ga.raw.psnr_dB");
    double fused = sf_harness_values_get(&res->real[k], "Ga.fused.psnr_dB");
    double gain = sf_harness_values_get(&res->real[k], "Ga.gain.psnr_dB");
    cr_assert_float_eq(gain, fused - raw, 1e-12);
    cr_assert_float_eq(sf_harness_values_get(&res->real[k], "Ga.gain.snr_psnr_pct"),
                       100.0 * pow(10.0, gain / 20.0), 1e-9);
  }
  cr_assert_gt(stat_mean(res, "overall.gain.psnr_dB"), MIN_FILMS_GAIN_dB);
  cr_assert_lt(stat_mean(res, "conc.fused.rmse"),
               MAX_CONC_RATIO_FILMS * stat_mean(res, "conc.raw.rmse"));
  /* a flat region exists (the film plateaus): SNR measured there */
  cr_assert_gt(stat_mean(res, "Ga.flat_pixels"), 16.0);
  cr_assert_gt(stat_mean(res, "Ga.gain.snr_flat_pct"), 100.0);
  /* the target SNRs are met */
  cr_assert_str_eq(res->modality[0].map, "HAADF");
  cr_assert_float_eq(res->modality[0].snr_expected, 20.0, TOL_SNR);
  cr_assert_float_eq(res->modality[1].snr_expected, 4.0, TOL_SNR);
  cr_assert_float_eq(res->modality[2].snr_expected, 4.0, TOL_SNR);
  /* the result keeps realisation 0's maps next to the truth */
  cr_assert_not_null(sf_imageset_find(res->maps, "truth_Ga"));
  cr_assert_not_null(sf_imageset_find(res->maps, "noisy_EDX_Ga"));
  cr_assert_not_null(sf_imageset_find(res->maps, "fused_O"));
  cr_assert_not_null(sf_imageset_find(res->maps, "relconc_Ga"));
  cr_assert_not_null(sf_imageset_find(res->maps, "stderr_O"));
  cr_assert_gt(res->n_trace, 1);
  sf_harness_result_destroy(res);
  sf_recipe_destroy(r);
}

Test(harness, coreshell_fused_beats_raw) {
  sf_recipe *r = recipe(coreshell_recipe, NULL, 0);
  sf_harness_result *res = NULL;
  cr_assert_eq(sf_harness_run(&r->p, &res), SF_OK, "%s", sf_error_message());
  cr_assert_gt(stat_mean(res, "overall.gain.psnr_dB"), MIN_CORESHELL_GAIN_dB);
  const char *el[3] = {"Co", "S", "O"};
  for (int i = 0; i < 3; ++i) {
    char name[64];
    snprintf(name, sizeof name, "%s.gain.psnr_dB", el[i]);
    cr_assert_gt(stat_mean(res, name), MIN_ELEMENT_GAIN_dB, "%s", name);
    snprintf(name, sizeof name, "%s.fused.ssim", el[i]);
    double fused = stat_mean(res, name);
    snprintf(name, sizeof name, "%s.raw.ssim", el[i]);
    cr_assert_gt(fused, stat_mean(res, name), "%s: SSIM fused %g", el[i], fused);
  }
  cr_assert_lt(stat_mean(res, "conc.fused.rmse"),
               MAX_CONC_RATIO_CORESHELL * stat_mean(res, "conc.raw.rmse"));
  /* dominant-phase groups: the core and the shell */
  cr_assert_eq(res->groups.n_groups, 2);
  cr_assert_str_eq(res->groups.names[0], "CoS_core");
  /* the truth of the projected core includes the shell above and below it */
  double o_core = stat_mean(res, "stoich.CoS_core.O.truth");
  cr_assert(o_core > 0.05 && o_core < 0.45, "O in the projected core: %g", o_core);
  sf_harness_result_destroy(res);
  sf_recipe_destroy(r);
}

/* Every value of a realisation, on a grid large enough for the solver and
   the noise draws to split work over threads (128 x 128 x 3 values per pass). */
static void realise_with_threads(int threads, sf_harness_values *v) {
  const char *sets[] = {"phantom.size_A=[128, 128, 52]", "phantom.voxel_A=1",
                        "phantom.supersampling=2", "fuse.max_iterations=40"};
  sf_recipe *r = recipe(coreshell_recipe, sets, 4);
  sf_imageset *truth = NULL;
  cr_assert_eq(sf_harness_truth(&r->p, &truth), SF_OK, "%s", sf_error_message());
  sf_harness_labels g;
  cr_assert_eq(sf_harness_labels_make(&r->p, truth, &g), SF_OK, "%s", sf_error_message());
  omp_set_num_threads(threads);
  memset(v, 0, sizeof *v);
  cr_assert_eq(sf_harness_realise(&r->p, truth, &g, 1, v, NULL, NULL), SF_OK, "%s",
               sf_error_message());
  sf_harness_labels_clear(&g);
  sf_imageset_destroy(truth);
  sf_recipe_destroy(r);
}

Test(harness, independent_of_thread_count) {
  sf_harness_values one, two;
  realise_with_threads(1, &one);
  realise_with_threads(2, &two);
  cr_assert_eq(one.n, two.n);
  cr_assert_gt(one.n, 50, "%zu values", one.n);
  for (size_t i = 0; i < one.n; ++i) {
    cr_assert_str_eq(one.v[i].name, two.v[i].name);
    double a = one.v[i].value, b = two.v[i].value;
    cr_assert((isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0,
              "%s: %.17g (1 thread) vs %.17g (2 threads)", one.v[i].name, a, b);
  }
  sf_harness_values_clear(&one);
  sf_harness_values_clear(&two);
}

Test(harness, seeds_and_realisations) {
  sf_recipe *r = recipe(coreshell_recipe, NULL, 0);
  sf_imageset *truth = NULL;
  cr_assert_eq(sf_harness_truth(&r->p, &truth), SF_OK, "%s", sf_error_message());
  sf_harness_labels g;
  cr_assert_eq(sf_harness_labels_make(&r->p, truth, &g), SF_OK);
  sf_harness_values a, b, c;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  memset(&c, 0, sizeof c);
  cr_assert_eq(sf_harness_realise(&r->p, truth, &g, 0, &a, NULL, NULL), SF_OK);
  cr_assert_eq(sf_harness_realise(&r->p, truth, &g, 0, &b, NULL, NULL), SF_OK);
  cr_assert_eq(sf_harness_realise(&r->p, truth, &g, 1, &c, NULL, NULL), SF_OK);
  double pa = sf_harness_values_get(&a, "Co.raw.psnr_dB");
  cr_assert(memcmp(&pa, &(double){sf_harness_values_get(&b, "Co.raw.psnr_dB")}, sizeof pa) == 0,
            "same seed and realisation: identical");
  cr_assert_neq(pa, sf_harness_values_get(&c, "Co.raw.psnr_dB"), "another realisation differs");
  /* a truth without the element maps: the error names the map */
  sf_imageset *empty = sf_imageset_create();
  sf_harness_values d;
  memset(&d, 0, sizeof d);
  cr_assert_eq(sf_harness_realise(&r->p, empty, &g, 0, &d, NULL, NULL), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "realisation 0: ground truth has no 32 x 32 map "
                                       "'truth_Co'"),
            "%s", sf_error_message());
  sf_imageset_destroy(empty);
  sf_harness_values_clear(&a);
  sf_harness_values_clear(&b);
  sf_harness_values_clear(&c);
  sf_harness_values_clear(&d);
  sf_harness_labels_clear(&g);
  sf_imageset_destroy(truth);
  sf_recipe_destroy(r);
}
