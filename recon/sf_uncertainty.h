/* sf_uncertainty.h - per-pixel standard errors of recovered element maps from
   the Hessian of the smooth part of the fusion objective.

   F = Psi1 + lambda_chem Psi2 (sf_fuse.h) couples the elements only within a
   pixel, so its Hessian with respect to x (scale s, offset c and yields y
   held at given values) is exactly block-diagonal with one n_e x n_e block per
   pixel p, "diagonal + rank 1":
       H_p = D_p + u_p u_p^T,   u_i = (s / sigma_H) gamma w_i x_i^(gamma-1),
       D_ii = (s r_p / sigma_H^2) gamma (gamma-1) w_i x_i^(gamma-2) + lambda_chem c_i,
       r_p = s h_p + c - b_H,p,  c_i = b_i / (x_i + eps)^2 (Poisson) or y_i^2 (LSQ).
   The Gauss-Newton option drops the r_p term (then H_p is positive definite
   wherever lambda_chem c_i > 0 or u has full support). Powers of x use
   max(x, x_min), since x^(gamma-2) diverges at 0 for gamma < 2. Elements on
   the non-negativity bound (x_ip <= x_min) are held there: their SE is NaN
   (a Hessian SE does not describe an estimate on a bound) and the others'
   SE comes from the block of the free elements, factorised by Cholesky:
   SE_ip = sqrt([H_free^-1]_ii). Pixels whose free block is not positive
   definite (or that have no free element) are masked (all SE = NaN).

   Caveats: SE is a standard deviation only when F is a true negative
   log-likelihood: sigma_H the HAADF noise, chemical maps in counts and
   lambda_chem = 1. TV is not included (the SE describes the data term, not
   the prior), nor is the uncertainty of s, c and y. The units are those of x.

   Catalogue: sf_fuse_se_params_default, sf_fuse_hessian_blocks,
   sf_fuse_standard_errors. */
#ifndef SF_UNCERTAINTY_H
#define SF_UNCERTAINTY_H
#include "recon/sf_fuse.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_fuse_se_params {
  double x_min;     /* clamp for the powers of x, units of x; <= 0: 1e-3 * mean(x) (default 0) */
  int gauss_newton; /* 1: drop the residual-curvature term (default 0) */
} sf_fuse_se_params;

typedef struct sf_fuse_se_summary {
  double mean_se;                              /* mean of all finite SE values */
  double mean_se_element[SF_FUSE_MAX_ELEMENTS]; /* mean finite SE per element */
  size_t n_valid;                              /* pixels with a positive-definite free block */
  size_t n_masked;                             /* pixels masked */
  size_t n_at_bound;                           /* (pixel, element) values held at the bound */
  double x_min;                                /* clamp used */
} sf_fuse_se_summary;

/** Defaults listed in sf_fuse_se_params. */
void sf_fuse_se_params_default(sf_fuse_se_params *p);

/** Hessian blocks of F at x (n_e*nx*ny, >= 0) with the nuisance values nu:
    blocks[(p*n_e + i)*n_e + k] = d^2 F / dx_ip dx_kp (nx*ny*n_e*n_e doubles,
    caller-owned; units of F per unit of x squared). x_min as in
    sf_fuse_se_params (here <= 0 means no clamp). Returns SF_OK or SF_EINVAL. */
int sf_fuse_hessian_blocks(const sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *nu,
                           int gauss_newton, double x_min, double *blocks);

/** Standard-error maps at x (use a result's x, scale, offset and yield):
    se gets n_e*nx*ny values in units of x (NaN where masked or on the bound),
    valid (nx*ny, may be NULL) gets 1 where the free block is positive
    definite, summary (may be
    NULL) the averages. All arrays caller-owned. Returns SF_OK, SF_EINVAL or
    SF_ENOMEM. */
int sf_fuse_standard_errors(const sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *nu,
                            const sf_fuse_se_params *params, double *se, unsigned char *valid,
                            sf_fuse_se_summary *summary);

#ifdef __cplusplus
}
#endif
#endif
