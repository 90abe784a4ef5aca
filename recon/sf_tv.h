/* sf_tv.h - isotropic total variation: the forward-difference pair and the
   constrained TV proximal operator (accelerated dual projection, FGP).

   Images are nx*ny doubles in natural C order, x[iy*nx + ix]. The difference
   operator D maps an image to a pair of "dual" fields of the same padded size:
       gx[iy*nx+ix] = x[iy][ix+1] - x[iy][ix]   (0 in the last column)
       gy[iy*nx+ix] = x[iy+1][ix] - x[iy][ix]   (0 in the last row)
   so the entries of the last column of gx and the last row of gy do not exist
   (D writes 0 there and D* ignores them). D* is the exact adjoint (a negative
   divergence): <D x, (px, py)> = <x, D*(px, py)> for all inputs, and
   ||D||^2 <= 8. The isotropic TV is TV(x) = sum |(D x)_p|_2 (a missing
   neighbour contributes 0).

   The proximal operator solves, per map,
       prox(b) = argmin_{x >= 0} 1/2 sum_p (x_p - b_p)^2 / w_p + lambda TV(x)
   (w = 1 unless per-pixel weights are given: the prox in a diagonal metric)
   by the fast gradient projection on the dual of A. Beck and M. Teboulle,
   IEEE Trans. Image Process. 18, 2419 (2009), doi:10.1109/TIP.2009.2028250,
   with non-negativity inside every iteration, the isotropic projection of the
   dual pair onto the unit disc, a diagonal dual step for the weights (T. Pock
   and A. Chambolle, ICCV 2011), adaptive momentum restart (B. O'Donoghue and
   E. Candes, Found. Comput. Math. 15, 715 (2015)), duals kept per map between
   calls (warm start), and a stop on the relative change of x with a cap. Work
   is split over rows with OpenMP; results do not depend on the thread count.

   Catalogue: sf_tv_gradient, sf_tv_gradient_adjoint, sf_tv_value,
   sf_tv_prox_params_default, sf_tv_prox_create, sf_tv_prox_destroy,
   sf_tv_prox_reset, sf_tv_prox_apply, sf_tv_prox_dual. */
#ifndef SF_TV_H
#define SF_TV_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* ---- difference pair and TV value ---- */

/** Forward differences gx, gy (each nx*ny, caller-owned) of the image x
    (nx*ny). Units: those of x per pixel. Entries that do not exist (last
    column of gx, last row of gy) are set to 0. Returns SF_OK or SF_EINVAL. */
int sf_tv_gradient(size_t nx, size_t ny, const double *x, double *gx, double *gy);

/** Adjoint of sf_tv_gradient (negative divergence): out = D*(gx, gy), all
    nx*ny, caller-owned; the non-existent entries of gx, gy are ignored, so
    <D x, g> = <x, D* g> holds to rounding. Returns SF_OK or SF_EINVAL. */
int sf_tv_gradient_adjoint(size_t nx, size_t ny, const double *gx, const double *gy,
                           double *out);

/** Isotropic total variation of x (nx*ny) in the units of x, into *tv.
    Returns SF_OK or SF_EINVAL. */
int sf_tv_value(size_t nx, size_t ny, const double *x, double *tv);

/* ---- proximal operator ---- */

typedef struct sf_tv_prox_params {
  int max_iter;  /* cap on dual iterations per call (default 100) */
  double tol;    /* stop when ||x_k - x_{k-1}|| <= tol ||x_k|| (default 1e-4); 0: run to the cap */
  int nonneg;    /* 1: constrain x >= 0 inside the iterations (default 1) */
  int restart;   /* 1: adaptive momentum restart (default 1) */
} sf_tv_prox_params;

typedef struct sf_tv_prox_info {
  int iterations;     /* largest number of dual iterations over the maps */
  int restarts;       /* momentum restarts, summed over the maps */
  double rel_change;  /* largest final relative change of x over the maps (0 if not measured) */
} sf_tv_prox_info;

typedef struct sf_tv_prox sf_tv_prox; /* opaque: duals and row sums for n_maps maps */

/** Defaults listed in sf_tv_prox_params. */
void sf_tv_prox_params_default(sf_tv_prox_params *p);

/** Workspace for n_maps images of nx*ny (duals start at 0). Allocates
    4*n_maps*nx*ny doubles. On success *out is owned by the caller. Returns
    SF_OK, SF_EINVAL or SF_ENOMEM. */
int sf_tv_prox_create(size_t nx, size_t ny, size_t n_maps, sf_tv_prox **out);
/** Free the workspace; NULL is a no-op. */
void sf_tv_prox_destroy(sf_tv_prox *tv);
/** Set all duals to 0 (forget the warm start). */
void sf_tv_prox_reset(sf_tv_prox *tv);

/** Apply the prox to maps first..first+count-1: b and x are count*nx*ny
    doubles, map k at offset k*nx*ny, caller-owned and not overlapping;
    weight (same layout, values > 0 and finite, not checked) gives the
    per-pixel metric w, or NULL for w = 1; lambda[k] >= 0 is the TV weight of
    map k (with w = 1 in units of x). The dual of each map starts from its
    value at the end of the previous call. x must not alias b. info may be
    NULL. Returns SF_OK, SF_EINVAL or SF_ENUMERIC. */
int sf_tv_prox_apply(sf_tv_prox *tv, size_t first, size_t count, const double *b,
                     const double *weight, const double *lambda,
                     const sf_tv_prox_params *params, double *x, sf_tv_prox_info *info);

/** Read-only view of the dual pair (px, py) of map k (each nx*ny, padded as
    for sf_tv_gradient), or NULL pointers when k is out of range. */
void sf_tv_prox_dual(const sf_tv_prox *tv, size_t k, const double **px, const double **py);

#ifdef __cplusplus
}
#endif
#endif
