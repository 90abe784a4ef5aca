/* sf_fuse_autolambda.h - automatic choice of lambda_tv (and optionally
   lambda_chem) for the default fusion mode without ground truth.

   Counts: Poisson thinning cross-validation. Each chemical map b (counts)
   is split pixel by pixel into two halves, a ~ Binomial(b, p) and
   c = b - a, with core/sf_rng.h (purpose SF_RNG_PURPOSE_SPLIT, stream
   index = element, one substream per pixel, so the split depends only on
   the seed). If b ~ Poisson(mu) then a ~ Poisson(p mu) and c ~ Poisson((1-p)
   mu), independent. For every lambda on the grid the solver recovers x from
   the training half (the HAADF in full, the yields multiplied by p so that
   x keeps the units of the full data) and the held-out half is scored by
   its Poisson negative log-likelihood under the mean (1-p) y_i (x_i + eps):
       NLL = sum_ip [ m_ip - c_ip log m_ip ],  m = (1 - p) y (x + eps).
   With folds = 2 the roles of the halves are swapped and the two scores
   summed. The minimum over the grid is refined by a parabola in log lambda
   through the best point and its neighbours (kept inside them).

   Rescaling for the full data. The training half carries a fraction p of
   the dose, and the lambda that is best for it is not the one for the full
   data. lambda_tv multiplies TV of the predicted maps y x, whose size
   follows the dose. Two rules were considered:
     * a fixed prior (MAP): the NLL of the counts grows in proportion to the
       dose d while a prior exp(-beta TV(x)) does not, so the coefficient of
       TV(x), lambda_tv d, stays constant: lambda_tv ~ 1/d, i.e.
           lambda_tv(full) = p lambda_tv(half)          (exponent 1);
     * a noise-scaled threshold (TV denoising): the best weight grows with
       the noise amplitude, sigma ~ 1/sqrt(d) in units of x, giving
       lambda_tv ~ d^(-1/2), i.e. sqrt(p) lambda_tv(half) (exponent 1/2).
   Measured on a 64 x 64 three-element phantom at doses of 0.5 to 16
   counts per unit concentration (tests/test_recon_autolambda.c,
   docs/fusion-real-data.md), the held-out optimum on the half and the ground-truth
   optimum on the full data differ by a factor 1.7 to 2.3 for p = 1/2
   (exponent 0.8 to 1.1): the fixed-prior rule, the default
   (tv_exponent = 1), puts the choice within a factor 0.86 to 1.09 of the
   ground-truth optimum, the other within 1.2 to 1.5. With two folds the
   factor uses sqrt(p (1 - p)) for p. lambda_chem is the weight of a true
   NLL (1 for counts) and is not rescaled.

   Not counts (a map with a non-integer or negative value): thinning does
   not apply. Near the data the Poisson term is a weighted least-squares
   term, lambda_chem sum (x - b)^2 / (2 m) with m the map level, so the
   problem is TV denoising with weight mu = lambda_tv m / lambda_chem per
   unit of TV(x); the weight that suits TV denoising grows with the noise
   amplitude sigma (mu ~ c sigma). With a robust noise estimate sigma_i of
   each map (sf_fuse_haadf_noise_estimate) and its mean m_i the rule is
       Poisson model:  lambda_tv = c lambda_chem median_i(sigma_i / m_i)
       least squares:  lambda_tv = c lambda_chem median_i(sigma_i)
   (c = fallback_c; for counts sigma^2 = m and the first form reads
   c lambda_chem / sqrt(m)); lambda_chem is kept.

   Catalogue: sf_fuse_autolambda_params_default, sf_fuse_thin_binomial,
   sf_fuse_maps_are_counts, sf_fuse_autolambda_fallback,
   sf_fuse_autolambda_run, sf_fuse_autolambda_result_destroy. */
#ifndef SF_FUSE_AUTOLAMBDA_H
#define SF_FUSE_AUTOLAMBDA_H
#include "recon/sf_fuse.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_FUSE_AUTOLAMBDA_MAX_GRID 64

typedef struct sf_fuse_autolambda_params {
  uint64_t seed;        /* seed of the split (default 1) */
  double p;             /* training fraction, in (0, 1) (default 0.5) */
  int folds;            /* 1 or 2 (default 2: both halves train and score) */
  size_t n_tv;          /* lambda_tv grid points, 1..SF_FUSE_AUTOLAMBDA_MAX_GRID (default 9) */
  double tv_min;        /* grid, log-spaced, in units of the chemical maps of the
                           training half; > 0 (default 0.02) */
  double tv_max;        /* >= tv_min (default 5) */
  size_t n_chem;        /* lambda_chem grid points; <= 1: lambda_chem fixed at the
                           parameters' value (default 1) */
  double chem_min;      /* > 0 (default 0.25) */
  double chem_max;      /* >= chem_min (default 4) */
  double tv_exponent;   /* lambda_tv(full) = p^tv_exponent lambda_tv(half) (default 1) */
  int max_iter;         /* iteration cap of each trial solve (default 300) */
  double fallback_c;    /* constant of the non-count rule (default 1) */
  int progress;         /* 1: sf_progress over the trial solves (default 0) */
} sf_fuse_autolambda_params;

typedef struct sf_fuse_autolambda_result {
  int counts;           /* 1: thinning cross-validation; 0: the fallback rule */
  double lambda_tv;     /* chosen for the full data */
  double lambda_chem;   /* chosen for the full data */
  double lambda_tv_half;   /* best on the training half (refined), counts only */
  double lambda_chem_half; /* best lambda_chem on the grid, counts only */
  size_t n_tv, n_chem;  /* grid shape (n_chem >= 1) */
  double *grid_tv;      /* n_tv values */
  double *grid_chem;    /* n_chem values */
  double *score;        /* n_chem*n_tv held-out NLL values, score[ic*n_tv + it];
                           NULL for the fallback */
  int solves;           /* trial solves run */
  double seconds;       /* wall time */
  char rule[160];       /* one line saying what was done */
} sf_fuse_autolambda_result;

/** Defaults listed in sf_fuse_autolambda_params. */
void sf_fuse_autolambda_params_default(sf_fuse_autolambda_params *p);

/** Binomial thinning of n counts (integer-valued, >= 0): a[k] ~ Binomial(
    counts[k], p) and b[k] = counts[k] - a[k] (arrays caller-owned, n each; b
    may be NULL). Pixel k uses the substream k of stream
    SF_RNG_STREAM(SF_RNG_PURPOSE_SPLIT, stream_index) of the seed. Returns
    SF_OK, or SF_EINVAL (p outside [0, 1], a negative, non-integer or
    non-finite count, naming the pixel) or SF_ERANGE (n >= 2^32). */
int sf_fuse_thin_binomial(size_t n, const double *counts, double p, uint64_t seed,
                          uint32_t stream_index, double *a, double *b);

/** 1 when every value of every chemical map of prob is a finite,
    non-negative integer, 0 otherwise (index of the first failing element
    into *which, may be NULL). */
int sf_fuse_maps_are_counts(const sf_fuse_problem *prob, size_t *which);

/** The rule for maps that are not counts (module comment), into
    *lambda_tv; lambda_chem is the parameters' value. Returns SF_OK,
    SF_EINVAL or SF_ENOMEM. */
int sf_fuse_autolambda_fallback(const sf_fuse_problem *prob, const sf_fuse_params *par,
                                const sf_fuse_autolambda_params *ap, double *lambda_tv);

/** Choose lambda_tv (and lambda_chem when ap->n_chem > 1) for prob with the
    other parameters from par (default mode; estimate_yield is honoured).
    On success *out is a new result owned by the caller. Returns SF_OK,
    SF_EINVAL, SF_ENUMERIC or SF_ENOMEM. */
int sf_fuse_autolambda_run(const sf_fuse_problem *prob, const sf_fuse_params *par,
                           const sf_fuse_autolambda_params *ap,
                           sf_fuse_autolambda_result **out);
/** Free a result; NULL is a no-op. */
void sf_fuse_autolambda_result_destroy(sf_fuse_autolambda_result *r);

#ifdef __cplusplus
}
#endif
#endif
