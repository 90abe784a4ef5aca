/* sf_stoich.h - stoichiometry from element maps: relative concentrations,
   histograms and Gaussian fits, with errors against the ground truth.

   Relative concentration c_ip = x_ip / sum_k x_kp on the specimen mask
   (pixels whose sum_k x_kp >= mask_fraction * its maximum, and > 0). The
   values of c_i are histogrammed and fitted by weighted nonlinear least
   squares (GSL gsl_multifit_nlinear, Levenberg-Marquardt trust region) with
   a sum of K Gaussians integrated over each bin,
       n_b = sum_k N_k [Phi((e_{b+1} - mu_k) / sigma_k) - Phi((e_b - mu_k) / sigma_k)],
   (Phi the standard normal CDF, e_b the bin edges; N_k is the number of
   pixels in component k), so binning does not widen sigma. Weights are
   Poisson: 1 / max(n_b, 1) in a first fit, then 1 / max(model_b, 1) from
   that fit in a second; parameter standard errors are the square roots of
   the diagonal of (J^T W J)^-1 (not rescaled by chi^2/dof, which is
   reported). A phase is reported as mean +- sigma (the spread of the
   pixels) with the standard errors of both. Two ways to assign pixels to
   phases: with a label map, one Gaussian per (element, phase) over that
   phase's pixels; without, a K-Gaussian mixture per element whose
   components start at the expected concentrations (phases whose expected
   values differ by at most merge_separation share one component).
   Definitions: docs/validation-model.md.

   Catalogue: sf_histogram_create, sf_histogram_destroy,
   sf_stoich_fit_gaussians, sf_stoich_relative, sf_stoich_label_dominant,
   sf_stoich_analyse. */
#ifndef SF_STOICH_H
#define SF_STOICH_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_STOICH_MAX_COMPONENTS 4 /* Gaussians in one fit, and phases */
#define SF_STOICH_MAX_ELEMENTS 8

/* Histograms */

typedef struct sf_histogram {
  size_t n_bins;
  double lo, hi;     /* range; bin b covers [lo + b w, lo + (b + 1) w), the last includes hi */
  double bin_width;  /* w = (hi - lo) / n_bins */
  double *counts;    /* n_bins counts */
  size_t n_in;       /* selected values inside [lo, hi] */
  size_t n_out;      /* selected values outside */
} sf_histogram;

/** Histogram of the n values v (caller-owned; mask, n bytes, non-zero = use,
    may be NULL). n_bins = 0 chooses the Freedman-Diaconis width 2 IQR
    n^(-1/3) (clamped to 10..1000 bins); lo >= hi takes the range of the
    selected values. *out is owned by the caller (sf_histogram_destroy).
    SF_EINVAL for no selected value, a non-finite value or range; SF_ERANGE
    when an automatic range has zero width (all values equal). */
int sf_histogram_create(const double *v, const uint8_t *mask, size_t n, size_t n_bins, double lo,
                        double hi, sf_histogram **out);
/** Free a histogram. NULL is a no-op. */
void sf_histogram_destroy(sf_histogram *h);

/* Gaussian fits */

typedef struct sf_gauss {
  double count, mean, sigma;             /* N_k, mu_k, sigma_k (sigma > 0) */
  double count_err, mean_err, sigma_err; /* standard errors */
} sf_gauss;

typedef struct sf_gauss_fit {
  size_t n_components;
  sf_gauss comp[SF_STOICH_MAX_COMPONENTS]; /* sorted by mean */
  double chi2;       /* weighted sum of squared residuals of the final fit */
  size_t dof;        /* n_bins - 3 n_components */
  size_t iterations; /* of the final fit */
} sf_gauss_fit;

/** Fit n_components (1..SF_STOICH_MAX_COMPONENTS) bin-integrated Gaussians
    to the histogram. initial_means (n_components values, or NULL: the
    (k + 1/2)/K quantiles of the histogram) and initial_sigmas (or NULL: the
    histogram's standard deviation / K, at least one bin) start the fit.
    SF_ERANGE when fewer than 3 bins per component are occupied,
    SF_EMAXITER without convergence, SF_ENUMERIC when the fit breaks down. */
int sf_stoich_fit_gaussians(const sf_histogram *h, size_t n_components,
                            const double *initial_means, const double *initial_sigmas,
                            sf_gauss_fit *fit);

/* Relative concentrations and phases */

/** c[i][p] = x[i][p] / sum_k x[k][p] for the n_el maps of npix values, on
    the mask sum >= mask_fraction * max(sum) and sum > 0 (c = 0 elsewhere).
    c[i] are caller-owned arrays; mask (npix bytes, optional) receives 1 on
    the mask; *n_mask (optional) the count. SF_EINVAL for a non-finite x or
    mask_fraction outside [0, 1], or when no pixel has a positive sum. */
int sf_stoich_relative(const double *const *x, size_t n_el, size_t npix, double mask_fraction,
                       double *const *c, uint8_t *mask, size_t *n_mask);
/** Phase labels from path lengths thickness[p] (n_phases maps of npix, e.g.
    the "thickness_<phase>" maps of sf_phantom_project): labels[q] = p + 1
    for the phase with the longest path at pixel q when its share of the
    total path is >= min_fraction (in [0, 1]), else 0. */
int sf_stoich_label_dominant(const double *const *thickness, size_t n_phases, size_t npix,
                             double min_fraction, uint8_t *labels);

typedef struct sf_stoich_options {
  double mask_fraction;    /* specimen mask threshold (fraction of max sum), [0, 1] */
  size_t n_bins;           /* 0: Freedman-Diaconis */
  double lo, hi;           /* histogram range; lo >= hi: the data range */
  double merge_separation; /* mixture mode: expected values this close share a component */
} sf_stoich_options;

typedef struct sf_stoich_entry {
  sf_gauss g;          /* fitted component: mean and sigma of c (fractions, 0..1) */
  double chi2_per_dof; /* of the fit this entry came from */
  size_t n_pixels;     /* pixels in the histogram that was fitted */
  double truth;        /* expected relative concentration; NAN when unknown */
  double error;        /* g.mean - truth; NAN when unknown */
} sf_stoich_entry;

typedef struct sf_stoich_result {
  size_t n_elements, n_phases;
  size_t n_mask; /* pixels in the specimen mask */
  sf_stoich_entry e[SF_STOICH_MAX_ELEMENTS][SF_STOICH_MAX_COMPONENTS]; /* [element][phase] */
} sf_stoich_result;

/** Stoichiometry of the n_el recovered maps x (npix values each). With
    labels (npix bytes, 0 = none, p + 1 = phase p) each (element, phase) is
    fitted with one Gaussian over the masked pixels of that phase; without
    (NULL), each element's masked histogram is fitted with a mixture as
    described above. Expected values: truth_fraction[p * n_el + i] when
    given; otherwise, with labels and truth_maps (n_el ground-truth maps),
    the mean over phase p's pixels of the truth's relative concentration;
    otherwise NAN (and mixture components start at quantiles). opt may be
    NULL for defaults (mask 0.1, Freedman-Diaconis bins, data range,
    merge 0.02). SF_EINVAL for bad sizes or options; fit errors as
    sf_stoich_fit_gaussians, prefixed with the element and phase. */
int sf_stoich_analyse(const double *const *x, size_t n_el, size_t npix, const uint8_t *labels,
                      size_t n_phases, const double *truth_fraction,
                      const double *const *truth_maps, const sf_stoich_options *opt,
                      sf_stoich_result *res);

#ifdef __cplusplus
}
#endif
#endif
