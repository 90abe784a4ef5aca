/* sf_fuse_reference.h - the reference-compatible fusion mode: the update
   loop of the published code (fusion-method.md sections 3 and 8.11),
   reproduced so that results can be compared with published ones.

   What it does, in order (x, b in normalised units):
     * every chemical map and the HAADF are min-max normalised on their own,
       b <- (b - min) / (max - min) (a constant map becomes 0); the factors
       are kept in sf_fuse_ref_data;
     * HAADF weights w_i from Z, gamma and the weight mode, rounded to IEEE
       binary16 (float16) as the reference stores them;
     * x <- b, optionally 0 where b < x0_threshold (Psi2 still uses b);
     * n_iter times, with no stopping rule:
           r = sum_i w_i x_i^gamma - b_H                      (per pixel)
           x_i <- x_i - [ (1/n_e) gamma w_i x_i^(gamma-1) r
                          + lambda_chem (1 - b_i / (x_i + bkg)) ]
           x <- max(x, 0)
           x_i <- TV prox of x_i with weight lambda_tv, tv_iter fixed inner
                  iterations, variant `ctvlib_gp_iso` or `tutorial_fgp_aniso`
           record costHAADF, costChem, costTV (reference definitions below)
   so lambda_H = 1/n_e, lambda_chem and lambda_tv act as both weights and
   steps, and eps = bkg in the gradient.

   TV variants (fusion-method.md 3.4; our own implementation of the
   described behaviour):
     ctvlib_gp_iso:      non-accelerated dual gradient projection, duals
                         from 0, dual step 1/(8 lambda), isotropic
                         projection, output b - lambda div(P) computed
                         before the last dual update, non-negativity only
                         at the end (the C++ extension of the package);
     tutorial_fgp_aniso: Beck-Teboulle momentum, anisotropic projection
                         (|p| <= 1 and |q| <= 1 separately), non-negativity
                         inside every iteration, the operator pair with the
                         boundary quirks (the dual's first and last rows and
                         columns zeroed, the transpose wrapping around
                         periodically), output built from the extrapolated
                         dual (the tutorial's fusion_utils.py).
   With an exact prox the fixed point of the loop minimises
   (1/n_e) Psi1 + lambda_chem Psi2 + lambda_tv TV, i.e. the paper's
   lambda1 = n_e lambda_chem and lambda2 = n_e lambda_tv; sf_fuse_ref_implied
   gives the default-mode parameters of that objective (on the normalised
   data, with the float16 weights as custom weights), so both modes can be
   compared on one objective.

   Reference cost definitions (each recorded after the TV step):
     costHAADF = 1/2 || sum_i w_i x_i^gamma - b_H ||^2           (no lambda)
     costChem  = sum_ip [ b_ip log(x_ip + 1e-8) - x_ip ]  (a log-LIKELIHOOD:
                 the negative of Psi2, with eps = 1e-8, not bkg)
     costTV    = ctvlib_gp_iso:      sum_i sum_p sqrt(1e-8 + dx^2 + dy^2)
                                     with periodic forward differences;
                 tutorial_fgp_aniso: sum_i sqrt(sum dx^2 + sum dy^2) with
                                     forward differences inside the image
                                     (the Frobenius norm of the gradient).

   Catalogue: sf_fuse_ref_params_default, sf_fuse_ref_tv_parse,
   sf_fuse_ref_tv_name, sf_fuse_float16_round, sf_fuse_ref_weights,
   sf_fuse_ref_data_create, sf_fuse_ref_data_destroy, sf_fuse_ref_implied,
   sf_fuse_ref_tv_apply, sf_fuse_ref_cost_tv, sf_fuse_ref_costs,
   sf_fuse_ref_run, sf_fuse_ref_result_destroy. */
#ifndef SF_FUSE_REFERENCE_H
#define SF_FUSE_REFERENCE_H
#include "recon/sf_fuse.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Reference TV solver variants. Values are frozen. */
typedef enum sf_fuse_ref_tv {
  SF_FUSE_REF_TV_CTVLIB_GP_ISO = 0,     /* "ctvlib_gp_iso" */
  SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO = 1 /* "tutorial_fgp_aniso" */
} sf_fuse_ref_tv;

/* The eps of the reference's costChem and costTV. */
#define SF_FUSE_REF_COST_EPS 1e-8

typedef struct sf_fuse_ref_params {
  double gamma;                    /* HAADF exponent in (0, 4] (default 1.6) */
  sf_fuse_weight_mode weight_mode; /* default SF_FUSE_WEIGHT_Z_MEAN (the tutorial's method 1) */
  double lambda_chem;              /* Poisson weight and step, >= 0 (default 0.006) */
  double lambda_tv;                /* TV weight, >= 0 (default 0.022) */
  double bkg;                      /* eps of the gradient, > 0, normalised units (default 0.01) */
  int n_iter;                      /* outer iterations, >= 1 (default 30) */
  int tv_iter;                     /* inner TV iterations, >= 1 (default 6) */
  sf_fuse_ref_tv tv_variant;       /* default SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO */
  double x0_threshold;             /* x0 = 0 where b < threshold; <= 0: off (default 0) */
  int normalise;                   /* 1: min-max normalise the inputs (default 1) */
  int float16_weights;             /* 1: round the weights to float16 (default 1) */
  int progress;                    /* 1: sf_progress over the iterations (default 0) */
} sf_fuse_ref_params;

/* Normalised inputs and the problem view over them (owned). */
typedef struct sf_fuse_ref_data {
  size_t nx, ny, n_elements;
  double *haadf;                            /* nx*ny normalised b_H */
  double *chem;                             /* n_elements*nx*ny normalised b_i */
  const double *chem_maps[SF_FUSE_MAX_ELEMENTS]; /* pointers into chem */
  double Z[SF_FUSE_MAX_ELEMENTS];
  double weights[SF_FUSE_MAX_ELEMENTS];     /* w_i used (float16-rounded if asked) */
  double haadf_min, haadf_range;            /* b_H,norm = (b_H - min) / range */
  double chem_min[SF_FUSE_MAX_ELEMENTS], chem_range[SF_FUSE_MAX_ELEMENTS];
  sf_fuse_problem problem;                  /* view: normalised maps, custom weights = weights */
} sf_fuse_ref_data;

typedef struct sf_fuse_ref_result {
  size_t nx, ny, n_elements;
  double *x;            /* n_elements*nx*ny maps in normalised units */
  double weights[SF_FUSE_MAX_ELEMENTS]; /* w_i used */
  int n_iter;           /* iterations run (= trace length) */
  double *cost_haadf;   /* n_iter costHAADF values (after each iteration) */
  double *cost_chem;    /* n_iter costChem values (log-likelihood) */
  double *cost_tv;      /* n_iter costTV values */
  double cost0[3];      /* the three costs at x0 (not part of the reference trace) */
  double seconds;       /* wall time of the loop */
} sf_fuse_ref_result;

/** Defaults listed in sf_fuse_ref_params (the tutorial's Co3O4-Mn3O4 values
    without the x0 threshold). */
void sf_fuse_ref_params_default(sf_fuse_ref_params *p);
/** Parse "ctvlib_gp_iso" or "tutorial_fgp_aniso". SF_OK or SF_EINVAL naming the text. */
int sf_fuse_ref_tv_parse(const char *text, sf_fuse_ref_tv *variant);
/** Name of a variant, or "unknown". */
const char *sf_fuse_ref_tv_name(sf_fuse_ref_tv variant);

/** v rounded to the nearest IEEE binary16 value (ties to even), returned as
    a double; +-Inf beyond the float16 range, subnormals kept. */
double sf_fuse_float16_round(double v);

/** Reference HAADF weights (n values into w, caller-owned): sf_fuse_weights
    of the mode, then rounded to float16 when float16 is set. Returns SF_OK
    or SF_EINVAL. */
int sf_fuse_ref_weights(sf_fuse_weight_mode mode, size_t n, const double *Z, double gamma,
                        const double *custom, int float16, double *w);

/** Validate prob (sizes, finite maps, Z > 0) and par, then copy and
    normalise the inputs. On success *out is owned by the caller (free with
    sf_fuse_ref_data_destroy). Returns SF_OK, SF_EINVAL, SF_ENUMERIC or SF_ENOMEM. */
int sf_fuse_ref_data_create(const sf_fuse_problem *prob, const sf_fuse_ref_params *par,
                            sf_fuse_ref_data **out);
/** Free; NULL is a no-op. */
void sf_fuse_ref_data_destroy(sf_fuse_ref_data *d);

/** Default-mode parameters (into *out) whose objective, on data->problem,
    is the one a fixed point of the reference loop minimises:
    (1/n_e) 1/2 ||h - b_H||^2 + lambda_chem Psi2 + lambda_tv TV
    (haadf_sigma = sqrt(n_e), scale fixed at 1, offset 0, custom weights,
    eps = bkg, Poisson, known unit yields); Psi2 differs from the paper's by
    the constant n_e nx ny bkg. Other fields keep their defaults. */
void sf_fuse_ref_implied(const sf_fuse_ref_params *par, size_t n_elements, sf_fuse_params *out);

/** One reference TV prox of b (nx*ny) into x (nx*ny, caller-owned, not
    aliasing b) with weight lambda (>= 0) and exactly n_iter (>= 1) inner
    iterations of the variant. work: 4*nx*ny doubles, caller-owned (NULL: the
    function allocates). Returns SF_OK, SF_EINVAL or SF_ENOMEM. */
int sf_fuse_ref_tv_apply(sf_fuse_ref_tv variant, size_t nx, size_t ny, const double *b,
                         double lambda, int n_iter, double *work, double *x);

/** The reference costTV of one map x (nx*ny) for the variant (see the
    module comment) into *value. Returns SF_OK or SF_EINVAL. */
int sf_fuse_ref_cost_tv(sf_fuse_ref_tv variant, size_t nx, size_t ny, const double *x,
                        double *value);

/** The three reference costs of x (n_e*nx*ny) on the normalised data:
    cost[0] = costHAADF, cost[1] = costChem, cost[2] = costTV (summed over
    elements). Returns SF_OK or SF_EINVAL. */
int sf_fuse_ref_costs(const sf_fuse_ref_data *data, const sf_fuse_ref_params *par,
                      const double *x, double cost[3]);

/** Run the reference loop on prob (normalised internally). On success *out
    is a new result owned by the caller. data_out (may be NULL) receives the
    normalised data (owned by the caller). Returns SF_OK, SF_EINVAL,
    SF_ENUMERIC or SF_ENOMEM. */
int sf_fuse_ref_run(const sf_fuse_problem *prob, const sf_fuse_ref_params *par,
                    sf_fuse_ref_result **out, sf_fuse_ref_data **data_out);
/** Free a result; NULL is a no-op. */
void sf_fuse_ref_result_destroy(sf_fuse_ref_result *r);

#ifdef __cplusplus
}
#endif
#endif
