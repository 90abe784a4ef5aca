/* Stoichiometry: histograms, Gaussian fits recovering known parameters
   within their standard errors, relative concentrations, phase labels and
   the per-phase analysis against the ground truth. */
#include "core/sf_imageset.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "sim/sf_incoherent.h"
#include "sim/sf_phantom.h"
#include "support/testutil.h"
#include "validate/sf_noise.h"
#include "validate/sf_stoich.h"

#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* Statistical bound in standard errors for fitted parameters. */
#define Z_BOUND 4.0
/* The fit's standard errors should match the sampling theory (sigma/sqrt(N)
   for a mean, sigma/sqrt(2N) for a standard deviation) to this fraction. */
#define SE_AGREEMENT 0.25

Test(stoich, histogram_counts_and_range) {
  const double v[6] = {0.05, 0.15, 0.15, 0.95, 1.0, 1.2};
  sf_histogram *h = NULL;
  cr_assert_eq(sf_histogram_create(v, NULL, 6, 10, 0.0, 1.0, &h), SF_OK);
  cr_assert_float_eq(h->bin_width, 0.1, 1e-15);
  cr_assert_float_eq(h->counts[0], 1.0, 0.0);
  cr_assert_float_eq(h->counts[1], 2.0, 0.0);
  cr_assert_float_eq(h->counts[9], 2.0, 0.0); /* 0.95 and hi = 1.0 */
  cr_assert_eq(h->n_in, 5);
  cr_assert_eq(h->n_out, 1);
  sf_histogram_destroy(h);
  const uint8_t mask[6] = {1, 0, 0, 1, 1, 1};
  cr_assert_eq(sf_histogram_create(v, mask, 6, 4, 0.0, 0.0, &h), SF_OK); /* data range */
  cr_assert_float_eq(h->lo, 0.05, 0.0);
  cr_assert_float_eq(h->hi, 1.2, 0.0);
  cr_assert_eq(h->n_in, 4);
  sf_histogram_destroy(h);
  /* Freedman-Diaconis: v_i = i/999, IQR = 500/999, h = 2 IQR / 10 -> 10 bins. */
  static double u[1000];
  for (int i = 0; i < 1000; ++i)
    u[i] = i / 999.0;
  cr_assert_eq(sf_histogram_create(u, NULL, 1000, 0, 0.0, 0.0, &h), SF_OK);
  cr_assert_eq(h->n_bins, 10);
  sf_histogram_destroy(h);
  const double same[3] = {0.3, 0.3, 0.3};
  cr_assert_eq(sf_histogram_create(same, NULL, 3, 0, 0.0, 0.0, &h), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "all 3 values equal"), "%s", sf_error_message());
  sf_histogram_destroy(NULL);
}

/* Two Gaussians, 60000 samples at 0.30 +- 0.03 and 40000 at 0.55 +- 0.05,
   in 200 bins on [0, 1]: the fit (started from the histogram's quantiles)
   recovers counts, means and sigmas within Z_BOUND of its own standard
   errors, and those errors agree with sampling theory. */
Test(stoich, two_gaussian_fit_recovers_known_parameters) {
  enum { N1 = 60000, N2 = 40000 };
  static double v[N1 + N2];
  const double mu[2] = {0.30, 0.55}, sg[2] = {0.03, 0.05};
  sf_rng r;
  sf_rng_init(&r, 31337, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 5), 0);
  for (int i = 0; i < N1 + N2; ++i) {
    int k = i < N1 ? 0 : 1;
    v[i] = mu[k] + sg[k] * sf_rng_normal(&r);
  }
  sf_histogram *h = NULL;
  cr_assert_eq(sf_histogram_create(v, NULL, N1 + N2, 200, 0.0, 1.0, &h), SF_OK);
  sf_gauss_fit fit;
  cr_assert_eq(sf_stoich_fit_gaussians(h, 2, NULL, NULL, &fit), SF_OK, "%s", sf_error_message());
  cr_assert_eq(fit.n_components, 2);
  cr_assert_eq(fit.dof, 200 - 6);
  const double n[2] = {N1, N2};
  for (int k = 0; k < 2; ++k) {
    const sf_gauss *g = &fit.comp[k];
    cr_assert_lt(fabs(g->mean - mu[k]), Z_BOUND * g->mean_err,
                 "component %d: mean %.6f +- %.2e vs %.2f", k, g->mean, g->mean_err, mu[k]);
    cr_assert_lt(fabs(g->sigma - sg[k]), Z_BOUND * g->sigma_err,
                 "component %d: sigma %.6f +- %.2e vs %.3f", k, g->sigma, g->sigma_err, sg[k]);
    cr_assert_lt(fabs(g->count - n[k]), Z_BOUND * g->count_err,
                 "component %d: count %.1f +- %.1f vs %.0f", k, g->count, g->count_err, n[k]);
    double se_mean = sg[k] / sqrt(n[k]), se_sigma = sg[k] / sqrt(2.0 * n[k]);
    cr_assert_float_eq(g->mean_err, se_mean, SE_AGREEMENT * se_mean, "component %d: SE %.3e vs %.3e",
                       k, g->mean_err, se_mean);
    cr_assert_float_eq(g->sigma_err, se_sigma, SE_AGREEMENT * se_sigma);
  }
  /* Starting at given means and widths reaches the same minimum. */
  sf_gauss_fit fit2;
  const double m0[2] = {0.35, 0.5}, s0[2] = {0.02, 0.02};
  cr_assert_eq(sf_stoich_fit_gaussians(h, 2, m0, s0, &fit2), SF_OK);
  for (int k = 0; k < 2; ++k)
    cr_assert_float_eq(fit2.comp[k].mean, fit.comp[k].mean, 1e-3 * fit.comp[k].mean_err);
  sf_histogram_destroy(h);
}

Test(stoich, fit_errors) {
  const double v[4] = {0.5, 0.5, 0.51, 0.51};
  sf_histogram *h = NULL;
  cr_assert_eq(sf_histogram_create(v, NULL, 4, 50, 0.0, 1.0, &h), SF_OK);
  sf_gauss_fit fit;
  cr_assert_eq(sf_stoich_fit_gaussians(h, 1, NULL, NULL, &fit), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "bins occupied"), "%s", sf_error_message());
  cr_assert_eq(sf_stoich_fit_gaussians(h, 0, NULL, NULL, &fit), SF_EINVAL);
  cr_assert_eq(sf_stoich_fit_gaussians(h, 5, NULL, NULL, &fit), SF_EINVAL);
  sf_histogram_destroy(h);
}

Test(stoich, relative_concentration_and_mask) {
  const double a[4] = {2.0, 0.0, 0.01, 3.0}, b[4] = {3.0, 0.0, 0.0, 1.0};
  const double *x[2] = {a, b};
  double ca[4], cb[4];
  double *c[2] = {ca, cb};
  uint8_t mask[4];
  size_t n_mask = 0;
  cr_assert_eq(sf_stoich_relative(x, 2, 4, 0.1, c, mask, &n_mask), SF_OK);
  cr_assert_eq(n_mask, 2);
  cr_assert_float_eq(ca[0], 0.4, 1e-15);
  cr_assert_float_eq(cb[0], 0.6, 1e-15);
  cr_assert_float_eq(ca[3], 0.75, 1e-15);
  cr_assert_eq(mask[1], 0);
  cr_assert_eq(mask[2], 0); /* 0.01 < 0.1 * 5 */
  cr_assert_float_eq(ca[2], 0.0, 0.0);
  const double zero[4] = {0};
  const double *xz[2] = {zero, zero};
  cr_assert_eq(sf_stoich_relative(xz, 2, 4, 0.1, c, mask, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "positive sum"), "%s", sf_error_message());
  cr_assert_eq(sf_stoich_relative(x, 2, 4, 1.5, c, mask, NULL), SF_EINVAL);
}

Test(stoich, dominant_phase_labels) {
  const double core[4] = {6, 2, 0, 5}, shell[4] = {4, 8, 0, 5};
  const double *t[2] = {core, shell};
  uint8_t lab[4];
  cr_assert_eq(sf_stoich_label_dominant(t, 2, 4, 0.0, lab), SF_OK);
  cr_assert_eq(lab[0], 1);
  cr_assert_eq(lab[1], 2);
  cr_assert_eq(lab[2], 0); /* vacuum */
  cr_assert_eq(lab[3], 1); /* tie: the first phase */
  cr_assert_eq(sf_stoich_label_dominant(t, 2, 4, 0.6, lab), SF_OK);
  cr_assert_eq(lab[0], 1);
  cr_assert_eq(lab[3], 0); /* 50 % < 60 % */
}

/* Two phases of two elements with Gaussian noise sigma = 0.1 on each map:
   phase 1 (a, b) = (2, 3), c_A = 0.4; phase 2 (3, 1), c_A = 0.75; plus
   vacuum pixels outside the mask. To second order c = a/(a+b) has mean
   c + s^2 (a - b)/(a + b)^3 and standard deviation s sqrt(a^2 + b^2)/(a + b)^2. */
enum { NP = 2000, NVAC = 500, NTOT = 2 * NP + NVAC };
static double xa[NTOT], xb[NTOT], ta[NTOT], tb[NTOT];
static uint8_t labels[NTOT];
static const double A[2] = {2.0, 3.0}, B[2] = {3.0, 1.0}, SIGMA = 0.1;

static void make_two_phase(void) {
  for (int i = 0; i < NTOT; ++i) {
    sf_rng r;
    sf_rng_init(&r, 4242, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 6), (uint32_t)i);
    int p = i < NP ? 0 : (i < 2 * NP ? 1 : -1);
    ta[i] = p >= 0 ? A[p] : 0.0;
    tb[i] = p >= 0 ? B[p] : 0.0;
    xa[i] = p >= 0 ? ta[i] + SIGMA * sf_rng_normal(&r) : 0.01 * sf_rng_uniform(&r);
    xb[i] = p >= 0 ? tb[i] + SIGMA * sf_rng_normal(&r) : 0.01 * sf_rng_uniform(&r);
    labels[i] = (uint8_t)(p + 1);
  }
}

static double expected_mean(double a, double b) {
  double s = a + b;
  return a / s + SIGMA * SIGMA * (a - b) / (s * s * s);
}

static double expected_sigma(double a, double b) {
  double s = a + b;
  return SIGMA * sqrt(a * a + b * b) / (s * s);
}

static void check_phases(const sf_stoich_result *res) {
  for (int p = 0; p < 2; ++p) {
    const sf_stoich_entry *e = &res->e[0][p];
    double want = expected_mean(A[p], B[p]), ws = expected_sigma(A[p], B[p]);
    cr_assert_lt(fabs(e->g.mean - want), Z_BOUND * e->g.mean_err,
                 "phase %d: c_A %.5f +- %.1e vs %.5f", p, e->g.mean, e->g.mean_err, want);
    cr_assert_lt(fabs(e->g.sigma - ws), Z_BOUND * e->g.sigma_err,
                 "phase %d: sigma %.5f +- %.1e vs %.5f", p, e->g.sigma, e->g.sigma_err, ws);
    cr_assert_float_eq(e->error, e->g.mean - e->truth, 1e-15);
    /* Element B is the complement. */
    const sf_stoich_entry *f = &res->e[1][p];
    double wb = expected_mean(B[p], A[p]);
    cr_assert_lt(fabs(f->g.mean - wb), Z_BOUND * f->g.mean_err, "phase %d: c_B %.5f vs %.5f", p,
                 f->g.mean, wb);
  }
}

/* Labelled mode: one Gaussian per (element, phase) over that phase's pixels. */
Test(stoich, labelled_phases_against_truth_table) {
  make_two_phase();
  const double *x[2] = {xa, xb};
  const double truth[4] = {0.4, 0.6, 0.75, 0.25}; /* [phase][element] */
  sf_stoich_result res;
  cr_assert_eq(sf_stoich_analyse(x, 2, NTOT, labels, 2, truth, NULL, NULL, &res), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(res.n_mask, 2 * NP);
  cr_assert_eq(res.e[0][0].n_pixels, NP);
  cr_assert_float_eq(res.e[0][1].truth, 0.75, 0.0);
  check_phases(&res);
}

/* Mixture mode: the two-component fit of each element's whole histogram,
   components matched to the expected values; same answers. */
Test(stoich, mixture_without_labels) {
  make_two_phase();
  const double *x[2] = {xa, xb};
  const double truth[4] = {0.4, 0.6, 0.75, 0.25};
  sf_stoich_options opt = {0.1, 200, 0.0, 1.0, 0.02};
  sf_stoich_result res;
  cr_assert_eq(sf_stoich_analyse(x, 2, NTOT, NULL, 2, truth, NULL, &opt, &res), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(res.e[0][0].n_pixels, 2 * NP);
  check_phases(&res);
  /* Without expected values the phases take the components in order of
     increasing mean (A: 0.4 then 0.75). */
  cr_assert_eq(sf_stoich_analyse(x, 2, NTOT, NULL, 2, NULL, NULL, &opt, &res), SF_OK);
  cr_assert_lt(res.e[0][0].g.mean, res.e[0][1].g.mean);
  cr_assert(isnan(res.e[0][0].truth) && isnan(res.e[0][0].error));
}

/* Expected values from the truth maps: the truth's relative concentration
   averaged over each phase's pixels (exactly 0.4 and 0.75 here). */
Test(stoich, truth_from_maps) {
  make_two_phase();
  const double *x[2] = {xa, xb}, *t[2] = {ta, tb};
  sf_stoich_result res;
  cr_assert_eq(sf_stoich_analyse(x, 2, NTOT, labels, 2, NULL, t, NULL, &res), SF_OK);
  /* A mean of NP equal values: rounding of the running sum, at most NP ulps. */
  const double tol_sum = NP * DBL_EPSILON;
  cr_assert_float_eq(res.e[0][0].truth, 0.4, tol_sum, "%.17g", res.e[0][0].truth);
  cr_assert_float_eq(res.e[0][1].truth, 0.75, tol_sum);
  cr_assert_float_eq(res.e[1][0].truth, 0.6, tol_sum);
  check_phases(&res);
}

/* An element with the same fraction in both phases (Co in CoS and CoO):
   expected values closer than merge_separation share one component, whose
   mean is 0.5 by symmetry. */
Test(stoich, equal_fractions_share_a_component) {
  static double a[2 * NP], b[2 * NP];
  for (int i = 0; i < 2 * NP; ++i) {
    sf_rng r;
    sf_rng_init(&r, 99, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 7), (uint32_t)i);
    double s = i < NP ? 1.0 : 2.0;
    a[i] = s + SIGMA * sf_rng_normal(&r);
    b[i] = s + SIGMA * sf_rng_normal(&r);
  }
  const double *x[2] = {a, b};
  const double truth[4] = {0.5, 0.5, 0.5, 0.5};
  sf_stoich_result res;
  cr_assert_eq(sf_stoich_analyse(x, 2, 2 * NP, NULL, 2, truth, NULL, NULL, &res), SF_OK, "%s",
               sf_error_message());
  cr_assert_float_eq(res.e[0][0].g.mean, res.e[0][1].g.mean, 0.0);
  cr_assert_lt(fabs(res.e[0][0].g.mean - 0.5), Z_BOUND * res.e[0][0].g.mean_err, "mean %.5f",
               res.e[0][0].g.mean);
}

Test(stoich, analyse_errors) {
  make_two_phase();
  const double *x[2] = {xa, xb};
  sf_stoich_result res;
  cr_assert_eq(sf_stoich_analyse(x, 2, NTOT, NULL, 0, NULL, NULL, NULL, &res), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "0 phases"), "%s", sf_error_message());
  cr_assert_eq(sf_stoich_analyse(x, 0, NTOT, NULL, 1, NULL, NULL, NULL, &res), SF_EINVAL);
  /* A phase with no labelled pixel. */
  cr_assert_eq(sf_stoich_analyse(x, 2, NTOT, labels, 3, NULL, NULL, NULL, &res), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "phase 2 has no labelled pixel"), "%s",
            sf_error_message());
  const double bad[4] = {0.4, NAN, 0.75, 0.25};
  cr_assert_eq(sf_stoich_analyse(x, 2, NTOT, NULL, 2, bad, NULL, NULL, &res), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "truth_fraction[1]"), "%s", sf_error_message());
}

/* The whole cheap path on the paper's Fig. 5 geometry: Ga and O films
   overlapping in projection (Ga2O3 where they overlap), chemical maps from
   the incoherent model, Poisson noise at a stated dose, then the
   stoichiometry of the noisy maps in the overlap. For Poisson counts a, b
   the second-order bias of a/(a+b) vanishes (Var = mean), and its standard
   deviation is sqrt(lambda_a lambda_b / (lambda_a + lambda_b)^3). */
Test(stoich, films_through_incoherent_model_and_noise) {
  enum { NX = 40, NY = 64 };
  sf_phantom *ph = NULL;
  cr_assert_eq(sf_phantom_create(NX, NY, 24, 1.0, &ph), SF_OK);
  sf_phantom_phase ga, ox;
  cr_assert_eq(sf_phantom_phase_init(&ga, "Ga_film"), SF_OK);
  cr_assert_eq(sf_phantom_phase_add_element(&ga, 31, "Ga", 0.05), SF_OK);
  cr_assert_eq(sf_phantom_phase_init(&ox, "O_film"), SF_OK);
  cr_assert_eq(sf_phantom_phase_add_element(&ox, 8, "O", 0.05), SF_OK);
  int iga = 0, iox = 0;
  cr_assert_eq(sf_phantom_add_phase(ph, &ga, &iga), SF_OK);
  cr_assert_eq(sf_phantom_add_phase(ph, &ox, &iox), SF_OK);
  sf_phantom_film films[2] = {{iga, 4.0, 28.0, 8.0}, {iox, 12.0, 36.0, 12.0}};
  cr_assert_eq(sf_phantom_add_films(ph, SF_PHANTOM_AXIS_X, 1.0, 2, films), SF_OK);
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_phantom_project(ph, set), SF_OK);
  sf_incoherent_element el[2] = {{"truth_Ga", 31, 1.0, "EDX_Ga"}, {"truth_O", 8, 1.0, "EDX_O"}};
  sf_incoherent_params ip = {SF_HAADF_PAPER, 1.7, 0.0, SF_BLUR_PERIODIC, NULL};
  cr_assert_eq(sf_incoherent_simulate(set, &ip, 2, el), SF_OK, "%s", sf_error_message());
  /* D a y = 1e5 * 1 * 0.01 = 1000 counts per atom/Å^2: 400 Ga and 600 O counts. */
  sf_noise_modality mods[2] = {
      {.map = "EDX_Ga", .kind = SF_NOISE_CHEMICAL, .dose_e_per_A2 = 1e5, .yield_A2 = 0.01},
      {.map = "EDX_O", .kind = SF_NOISE_CHEMICAL, .dose_e_per_A2 = 1e5, .yield_A2 = 0.01}};
  cr_assert_eq(sf_noise_apply(set, set, 2, mods, 7, 0), SF_OK, "%s", sf_error_message());
  const double *x[2] = {sf_imageset_find(set, "EDX_Ga_noisy")->data,
                        sf_imageset_find(set, "EDX_O_noisy")->data};
  const double *t[2] = {sf_imageset_find(set, "truth_Ga")->data,
                        sf_imageset_find(set, "truth_O")->data};
  const double *tg = sf_imageset_find(set, "thickness_Ga_film")->data;
  const double *to = sf_imageset_find(set, "thickness_O_film")->data;
  static uint8_t lab[NX * NY];
  for (int i = 0; i < NX * NY; ++i)
    lab[i] = tg[i] > 0.0 && to[i] > 0.0; /* the Ga2O3 overlap */
  sf_stoich_result res;
  cr_assert_eq(sf_stoich_analyse(x, 2, NX * NY, lab, 1, NULL, t, NULL, &res), SF_OK, "%s",
               sf_error_message());
  const sf_stoich_entry *e = &res.e[0][0];
  cr_assert_eq(e->n_pixels, 16 * NY);
  cr_assert_float_eq(e->truth, 0.4, NX * NY * DBL_EPSILON);
  double la = 400.0, lb = 600.0, want_sigma = sqrt(la * lb / pow(la + lb, 3));
  cr_assert_lt(fabs(e->g.mean - 0.4), Z_BOUND * e->g.mean_err, "Ga %.5f +- %.1e", e->g.mean,
               e->g.mean_err);
  cr_assert_lt(fabs(e->g.sigma - want_sigma), Z_BOUND * e->g.sigma_err,
               "sigma %.5f +- %.1e vs %.5f", e->g.sigma, e->g.sigma_err, want_sigma);
  cr_assert_float_eq(e->error, e->g.mean - 0.4, 1e-12);
  sf_imageset_destroy(set);
  sf_phantom_destroy(ph);
}
