/* sf_fuse.h - fused multi-modal recovery of elemental maps from one HAADF
   image and n_e chemical (EELS/EDX) maps.

   The element maps x = (x_1 .. x_ne), each nx*ny in natural C order
   (x[i*nx*ny + iy*nx + ix]), solve
       min_{x >= 0}  F(x) + lambda_tv sum_i y_i TV(x_i),
       F(x) = Psi1(x) + lambda_chem Psi2(x),
       Psi1 = 1/2 sum_p ((b_H,p - s h_p(x) - c) / sigma_H)^2,
       h_p(x) = sum_i w_i x_ip^gamma                    (HAADF model)
       Psi2 = sum_ip [ y_i (x_ip + eps) - b_ip log(y_i (x_ip + eps)) ]   (Poisson)
           or 1/2 sum_ip (y_i x_ip - b_ip)^2                              (least squares)
   TV is the isotropic total variation of sf_tv.h, taken of the predicted
   chemical maps y_i x_i (with the default yields y = 1 it is sum_i TV(x_i)),
   so lambda_tv is in units of the chemical maps. The weights w_i come from
   the atomic numbers Z_i and gamma by a named mode (sf_fuse_weight_mode);
   `paper` gives h = sum_i (Z_i x_i)^gamma. sigma_H is the HAADF noise level
   in HAADF units (estimated from the data unless given), so Psi1 is a
   chi-square-like, unit-free number and the HAADF units do not matter; with
   sigma_H = 1 Psi1 is the literal 1/2 ||b_H - (s h + c)||^2.

   Scale and offset. The scale s (and the offset c when fit_offset is set) are
   eliminated exactly ("variable projection"): F(x) is the objective minimised
   in closed form over them at the given x (s = <h - mean h, b_H - mean b_H> /
   ||h - mean h||^2 clamped at >= 0 and c = mean(b_H - s h); without the
   offset s = <h, b_H - c> / ||h||^2), and the gradient of F is the partial
   gradient at those optimal values (envelope theorem). The solver is then a
   descent method on one function of x and a consistent minimisation of the
   joint objective over (x, s, c).

   Yields. Known yields (problem.yield, default 1) are constants. Estimated
   yields (estimate_yield = 1) are a block of the minimisation: after every
   accepted step in x they take their exact minimiser at that x,
       Poisson: y_i = sum_p b_ip / (sum_p x_ip + n eps + (lambda_tv /
                lambda_chem) TV(x_i)),
       LSQ:     y_i = max(0, (<x_i, b_i> - (lambda_tv / lambda_chem) TV(x_i)) /
                ||x_i||^2),
   so every step still lowers the same objective (block coordinate descent).

   What x means (the relation to concentration):
   * yields known: y_i x_i is the expected value of chemical map i, so x_i is
     in the units of map i divided by its yield. x_i / sum_k x_k is a relative
     concentration only if the yields are the true relative sensitivities
     (cross-section times detector efficiency) of the maps.
   * yields estimated: the per-element scale of each map is unknown; y_i
     absorbs it and the relative scale between the elements comes only from
     the HAADF model (the weights and gamma), which is the paper's "no
     cross-sections" claim. The problem in (x, s, y) has one degenerate
     direction (x -> a x, y -> y / a, s -> s / a^gamma, which leaves Psi2 up to
     eps and the TV term unchanged), so s is held fixed (fitted once at the
     initial guess, or given) and the HAADF fixes the absolute scale of x.
     Then x_i / sum_k x_k is the relative concentration (atomic fraction in the
     sense of the HAADF model) and b_i / y_i is map i in the units of x. This
     needs elements whose HAADF contributions vary independently across the
     field; a fitted offset can absorb the contribution of an element present
     everywhere at a constant level, so leave fit_offset off when the HAADF
     background is known.

   eps is a background in the units of x; with y = 1, Psi2 equals the paper's
   sum(x - b log(x + eps)) plus the constant n_e*nx*ny*eps (it is the exact
   Poisson negative log-likelihood of mean y (x + eps), without the log b!
   terms), which keeps Psi2 bounded below when the yields are estimated.

   Algorithm: accelerated proximal gradient (FISTA) on F with the TV prox and
   non-negativity, in a diagonal per-pixel metric M (step tau M_ip with
   M_ip = 1 / (Gauss-Newton curvature of F at pixel p for element i, plus a
   floor of a tenth of that curvature at the element's mean values), computed
   at every gradient evaluation), so that the step adapts to the local
   curvature of the Poisson term, which is not Lipschitz. The prox in that
   metric is the weighted TV prox of sf_tv.h (warm-started duals per
   element). The global step tau is found by backtracking on the sufficient
   decrease F(x+) <= F(z) + <grad F(z), x+ - z> + ||x+ - z||^2_{M^-1} / (2 tau)
   and grown by step_grow after a step that used less than half of that
   curvature budget. A monotone safeguard rejects a step that raises the total
   cost: with momentum the momentum is restarted and the step repeated from
   the last iterate; without, tau is shortened. It stops when both the
   relative change of x and the relative change of the total cost fall below
   their tolerances (converged), at the iteration cap, or when no decreasing
   step is found (stalled); the reason is reported. The objective is not
   convex for gamma != 1 (and through s): different starts can end in
   different local minima. Pixels are split over OpenMP threads with fixed
   per-row partial sums: results do not depend on the thread count. All work
   arrays are allocated when the solver is created.

   Catalogue: sf_fuse_params_default, sf_fuse_weight_mode_parse,
   sf_fuse_weight_mode_name, sf_fuse_chem_model_parse, sf_fuse_chem_model_name,
   sf_fuse_stop_name, sf_fuse_weights, sf_fuse_haadf_noise_estimate,
   sf_fuse_problem_check, sf_fuse_solver_create, sf_fuse_solver_destroy,
   sf_fuse_solver_set_params, sf_fuse_solver_params, sf_fuse_solver_weights,
   sf_fuse_solver_haadf_sigma, sf_fuse_solver_evaluate, sf_fuse_solver_run,
   sf_fuse_result_destroy, sf_fuse_solve. */
#ifndef SF_FUSE_H
#define SF_FUSE_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of elements (per-pixel blocks live on the stack). */
#define SF_FUSE_MAX_ELEMENTS 16

/* ---- options ---- */

/* HAADF weights w_i in h = sum_i w_i x_i^gamma. Values are frozen. */
typedef enum sf_fuse_weight_mode {
  SF_FUSE_WEIGHT_PAPER = 0,       /* "paper": w_i = Z_i^gamma, i.e. h = sum (Z_i x_i)^gamma */
  SF_FUSE_WEIGHT_SUM = 1,         /* "sum": w_i = 1 */
  SF_FUSE_WEIGHT_Z_MEAN = 2,      /* "z_mean": w_i = Z_i / mean(Z) */
  SF_FUSE_WEIGHT_ZGAMMA_MEAN = 3, /* "zgamma_mean": w_i = Z_i^gamma / mean(Z^gamma) */
  SF_FUSE_WEIGHT_Z_SUM = 4,       /* "z_sum": w_i = Z_i / sum(Z) */
  SF_FUSE_WEIGHT_ZGAMMA_SUM = 5,  /* "zgamma_sum": w_i = Z_i^gamma / sum(Z^gamma) */
  SF_FUSE_WEIGHT_CUSTOM = 6       /* "custom": problem.custom_weights */
} sf_fuse_weight_mode;

/* Chemical-map fidelity Psi2. Values are frozen. */
typedef enum sf_fuse_chem_model {
  SF_FUSE_CHEM_POISSON = 0, /* "poisson": Poisson NLL, maps in counts (>= 0) */
  SF_FUSE_CHEM_LSQ = 1      /* "lsq": 1/2 ||y x - b||^2, for high-count data */
} sf_fuse_chem_model;

/* How the HAADF scale s is obtained. Values are frozen. */
typedef enum sf_fuse_scale_mode {
  SF_FUSE_SCALE_FIT = 0,     /* optimal at every x (variable projection) */
  SF_FUSE_SCALE_INITIAL = 1, /* optimal at the initial guess, then held */
  SF_FUSE_SCALE_FIXED = 2    /* params.scale */
} sf_fuse_scale_mode;

/* Why a run stopped. Values are frozen. */
typedef enum sf_fuse_stop {
  SF_FUSE_STOP_NONE = 0,      /* not run */
  SF_FUSE_STOP_CONVERGED = 1, /* relative changes of x and of the cost below tolerance */
  SF_FUSE_STOP_MAX_ITER = 2,  /* iteration cap reached first */
  SF_FUSE_STOP_STALLED = 3    /* no step decreases the cost (at rounding level) */
} sf_fuse_stop;

typedef struct sf_fuse_params {
  double gamma;                    /* HAADF exponent, in (0, 4] (default 1.7) */
  sf_fuse_weight_mode weight_mode; /* default SF_FUSE_WEIGHT_PAPER */
  double lambda_chem;              /* weight of Psi2, >= 0 (default 1: statistical weight
                                      when sigma_H is the HAADF noise and maps are counts) */
  double lambda_tv;                /* weight of TV, >= 0, in units of the cost per unit of
                                      the chemical maps (default 0.5, for maps in counts) */
  sf_fuse_chem_model chem_model;   /* default SF_FUSE_CHEM_POISSON */
  double eps;                      /* Poisson background in units of x, > 0 (default 1e-2) */
  double haadf_sigma;              /* HAADF noise in HAADF units; <= 0: estimated by
                                      sf_fuse_haadf_noise_estimate (default 0) */
  sf_fuse_scale_mode scale_mode;   /* default SF_FUSE_SCALE_FIT; with estimate_yield FIT
                                      acts as INITIAL (see the module comment) */
  double scale;                    /* s for SF_FUSE_SCALE_FIXED, > 0 (default 1) */
  int fit_offset;                  /* 1: fit the offset c too (default 0) */
  double offset;                   /* c when not fitted, HAADF units (default 0) */
  int estimate_yield;              /* 1: estimate one yield per element (default 0;
                                      needs lambda_chem > 0) */
  int max_iter;                    /* outer iteration cap, >= 1 (default 1000) */
  double tol_x;                    /* ||x_k - x_{k-1}|| <= tol_x ||x_k|| (default 1e-5) */
  double tol_cost;                 /* |Phi_k - Phi_{k-1}| <= tol_cost max(1, |Phi_k|)
                                      (default 1e-9); both tolerances 0: run to the cap */
  int accelerate;                  /* 1: FISTA momentum with restart (default 1) */
  double step_grow;                /* step growth after a clean step, >= 1 (default 1.25) */
  double step_shrink;              /* backtracking factor, in (0, 1) (default 0.5) */
  int max_backtracks;              /* trials per iteration (default 40) */
  int tv_max_iter;                 /* dual iterations per TV prox (default 10) */
  double tv_tol;                   /* relative change stop of the TV prox (default 1e-4) */
  int progress;                    /* 1: sf_progress report over the iterations (default 0) */
} sf_fuse_params;

/* ---- the problem ---- */

typedef struct sf_fuse_problem {
  size_t nx, ny;                /* pixels per map (>= 1) */
  size_t n_elements;            /* 1 .. SF_FUSE_MAX_ELEMENTS */
  const double *haadf;          /* b_H, nx*ny, any units */
  const double *const *chem;    /* b_i, n_elements maps of nx*ny (counts for Poisson) */
  const double *Z;              /* atomic number of element i (> 0); bound to chem[i] */
  const double *yield;          /* known yields y_i > 0, or NULL for all 1 */
  const double *custom_weights; /* w_i >= 0 for SF_FUSE_WEIGHT_CUSTOM, else ignored */
  const char *const *names;     /* element names for messages, or NULL */
} sf_fuse_problem;

/* ---- costs, nuisance values and results ---- */

/* The cost terms at one iterate, all true values of the stated objective. */
typedef struct sf_fuse_cost {
  double psi1;      /* Psi1 (dimensionless, no lambda) */
  double psi2;      /* Psi2 without lambda_chem (NLL with its correct sign, or LSQ) */
  double tv;        /* sum_i y_i TV(x_i) without lambda_tv, units of the chemical maps */
  double chem_term; /* lambda_chem * psi2 */
  double tv_term;   /* lambda_tv * tv */
  double total;     /* psi1 + chem_term + tv_term */
  double scale;     /* s at this iterate */
  double offset;    /* c at this iterate, HAADF units */
  double step;      /* global step tau that produced the iterate (0 for the start) */
} sf_fuse_cost;

/* Fixed nuisance values for sf_fuse_solver_evaluate (partial derivatives). */
typedef struct sf_fuse_nuisance {
  double scale;        /* s */
  double offset;       /* c, HAADF units */
  const double *yield; /* n_elements yields */
} sf_fuse_nuisance;

typedef struct sf_fuse_result {
  size_t nx, ny, n_elements;
  double *x;            /* n_elements*nx*ny recovered maps (element-major) */
  double *yield;        /* n_elements yields at the solution */
  double scale, offset; /* s and c at the solution */
  double haadf_sigma;   /* sigma_H used, HAADF units */
  double weights[SF_FUSE_MAX_ELEMENTS]; /* w_i used */
  sf_fuse_cost *trace;  /* n_trace entries: [0] the start, [k] after iteration k */
  int n_trace;
  int iterations;       /* accepted outer iterations */
  sf_fuse_stop stop;    /* why it stopped */
  double rel_change_x;  /* last ||x_k - x_{k-1}|| / ||x_k|| */
  double rel_change_cost; /* last |Phi_k - Phi_{k-1}| / max(1, |Phi_k|) */
  double step;          /* last global step tau */
  int evaluations;      /* evaluations of F */
  int backtracks;       /* rejected trial steps (sufficient decrease) */
  int restarts;         /* momentum restarts (cost increase) */
  long tv_iterations;   /* dual TV iterations, summed over calls */
  double bytes;         /* nominal bytes read + written by all passes (8 per double) */
  double seconds;       /* wall time of the run */
} sf_fuse_result;

typedef struct sf_fuse_solver sf_fuse_solver; /* opaque: problem view, parameters, workspace */

/* ---- functions ---- */

/** Defaults as listed in sf_fuse_params. */
void sf_fuse_params_default(sf_fuse_params *p);

/** Parse "paper", "sum", "z_mean", "zgamma_mean", "z_sum", "zgamma_sum",
    "custom". Returns SF_OK or SF_EINVAL (message names the text). */
int sf_fuse_weight_mode_parse(const char *text, sf_fuse_weight_mode *mode);
/** Name of a weight mode ("paper", ...), or "unknown". */
const char *sf_fuse_weight_mode_name(sf_fuse_weight_mode mode);
/** Parse "poisson" or "lsq". Returns SF_OK or SF_EINVAL. */
int sf_fuse_chem_model_parse(const char *text, sf_fuse_chem_model *model);
/** Name of a chemical model ("poisson", "lsq"), or "unknown". */
const char *sf_fuse_chem_model_name(sf_fuse_chem_model model);
/** Name of a stop reason ("converged", "max_iter", "stalled", "none"). */
const char *sf_fuse_stop_name(sf_fuse_stop stop);

/** HAADF weights w (n entries, caller-owned, double precision) for the mode,
    from Z (n atomic numbers > 0), gamma and, for custom mode, custom (n
    values >= 0, not all 0). Returns SF_OK or SF_EINVAL naming the element. */
int sf_fuse_weights(sf_fuse_weight_mode mode, size_t n, const double *Z, double gamma,
                    const double *custom, double *w);

/** Robust noise level of an image (HAADF units): 1.4826 median|d - median d| / sqrt 2
    over the horizontal first differences d (vertical if nx == 1), falling back to
    the RMS of d / sqrt 2, then to 1, when that is 0. Returns SF_OK, SF_EINVAL or SF_ENOMEM. */
int sf_fuse_haadf_noise_estimate(size_t nx, size_t ny, const double *image, double *sigma);

/** Check a problem and parameters: sizes, finite data, non-negative Poisson maps,
    gamma in (0, 4], lambdas >= 0, Z and yields > 0, weights. Messages name the
    element (index and name) and the offending value. Returns SF_OK, SF_EINVAL
    or SF_ENUMERIC (NaN/Inf in a map). */
int sf_fuse_problem_check(const sf_fuse_problem *prob, const sf_fuse_params *par);

/** Validate, copy the parameters, keep a view of the problem's arrays (which
    must outlive the solver) and allocate all work arrays (about
    (7 n_e + 2) nx ny doubles plus the TV duals, 4 n_e nx ny). On success
    *out is owned by the caller. Returns SF_OK, SF_EINVAL, SF_ENUMERIC or SF_ENOMEM. */
int sf_fuse_solver_create(const sf_fuse_problem *prob, const sf_fuse_params *par,
                          sf_fuse_solver **out);
/** Free the solver; NULL is a no-op. */
void sf_fuse_solver_destroy(sf_fuse_solver *s);
/** Replace the parameters (validated as in create), e.g. for a lambda sweep.
    Returns SF_OK or SF_EINVAL; on error the old parameters stay. */
int sf_fuse_solver_set_params(sf_fuse_solver *s, const sf_fuse_params *par);
/** The solver's parameters (read-only view). */
const sf_fuse_params *sf_fuse_solver_params(const sf_fuse_solver *s);
/** The HAADF weights w_i in use (n_elements values, read-only view). */
const double *sf_fuse_solver_weights(const sf_fuse_solver *s);
/** sigma_H in use (HAADF units). */
double sf_fuse_solver_haadf_sigma(const sf_fuse_solver *s);

/** Evaluate the objective at x (n_e*nx*ny, >= 0, caller-owned). With fixed ==
    NULL the nuisance values follow the parameters: s and c fitted at this x
    when they are fitted (a held scale is the one of the last run, or fitted
    at x if there was none), yields known or, when estimated, the values of
    the last run (1 before any run); otherwise fixed->scale, offset and yield
    are used as given. Fills *cost (TV included), the yields used into
    yield (n_e, may be NULL), and the gradient of F = Psi1 + lambda_chem Psi2
    with respect to x into grad (n_e*nx*ny, may be NULL). Returns SF_OK,
    SF_EINVAL (negative or non-finite x) or SF_ENUMERIC. */
int sf_fuse_solver_evaluate(sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *fixed,
                            sf_fuse_cost *cost, double *yield, double *grad);

/** Run the solver from x0 (n_e*nx*ny, caller-owned; negative values are
    clamped to 0) or, with x0 == NULL, from x0_i = max(b_i, 0) / y_i. On success
    *out is a new result owned by the caller (free with sf_fuse_result_destroy),
    also when the iteration cap was reached: check (*out)->stop. Returns SF_OK,
    SF_EINVAL, SF_ENUMERIC or SF_ENOMEM. */
int sf_fuse_solver_run(sf_fuse_solver *s, const double *x0, sf_fuse_result **out);

/** Free a result; NULL is a no-op. */
void sf_fuse_result_destroy(sf_fuse_result *r);

/** One-shot: create a solver, run it from x0 (may be NULL), destroy it. */
int sf_fuse_solve(const sf_fuse_problem *prob, const sf_fuse_params *par, const double *x0,
                  sf_fuse_result **out);

#ifdef __cplusplus
}
#endif
#endif
