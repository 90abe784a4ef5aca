/* sf_fuse_internal.h - internal to recon/: the solver's state and the
   evaluation of the objective shared by fuse_model.c, fuse_solver.c and
   uncertainty.c. Not part of the public API.

   Catalogue: sf_fuse_eval_point, sf_fuse_point_terms, sf_fuse_update_yields,
   sf_fuse_scale_is_held. */
#ifndef SF_FUSE_INTERNAL_H
#define SF_FUSE_INTERNAL_H
#include "recon/sf_fuse.h"
#include "recon/sf_tv.h"

#include <stddef.h>

#define SF_FUSE_NAME_MAX 32
#define SF_FUSE_NBUF 7 /* work arrays of n_e*nx*ny: x, x_old, z, x_trial, v, g, metric */

struct sf_fuse_solver {
  size_t nx, ny, n, ne; /* n = nx*ny pixels, ne elements */
  sf_fuse_params par;
  const double *haadf;
  const double *chem[SF_FUSE_MAX_ELEMENTS];
  double Z[SF_FUSE_MAX_ELEMENTS];
  double custom[SF_FUSE_MAX_ELEMENTS];
  int have_custom;
  double w[SF_FUSE_MAX_ELEMENTS];           /* HAADF weights */
  double yield_known[SF_FUSE_MAX_ELEMENTS]; /* problem yields (1 if none given) */
  char names[SF_FUSE_MAX_ELEMENTS][SF_FUSE_NAME_MAX];
  double sigma_h;                           /* sigma_H in use */
  double haadf_mean;                        /* mean of b_H */
  double chem_sum[SF_FUSE_MAX_ELEMENTS];    /* B_i = sum_p b_ip */
  double chem_sq[SF_FUSE_MAX_ELEMENTS];     /* sum_p b_ip^2 */
  double yield_cur[SF_FUSE_MAX_ELEMENTS];   /* yields in use (estimated ones change) */
  double held_scale;                        /* s held for scale mode INITIAL */
  int have_held_scale;
  double *buf[SF_FUSE_NBUF];                /* n_e*n each */
  double *h;                                /* n: HAADF model at the last evaluation */
  double *rbuf;                             /* n: residual factors s r / sigma_H^2 */
  double *rows;                             /* ny * rows_k per-row partial sums */
  size_t rows_k;
  sf_tv_prox *tv;
  double bytes;                             /* nominal traffic counter of a run */
  int evaluations;
};

/* Everything one evaluation returns. */
typedef struct sf_fuse_point {
  double psi1, psi2, tv;          /* tv = sum_i y_i TV(x_i), only when requested (else 0) */
  double scale, offset;
  double yield[SF_FUSE_MAX_ELEMENTS];
  double mag;                     /* magnitude of the summed terms, for rounding tolerances */
  double gd;                      /* <g, x - z> when z, g were given */
  double dd[SF_FUSE_MAX_ELEMENTS]; /* sum (x_i - z_i)^2 / M_i when z, g were given */
  double dx2, xx;                 /* ||x - xref||^2 and ||x||^2 when xref was given */
  /* per-element sums: sum x, sum b log(x+eps) (Poisson), TV(x), and for
     estimated LSQ yields <x,b>, ||x||^2; E = 1/2 ||y x - b||^2 (LSQ) */
  double X[SF_FUSE_MAX_ELEMENTS], L[SF_FUSE_MAX_ELEMENTS], T[SF_FUSE_MAX_ELEMENTS];
  double Sxb[SF_FUSE_MAX_ELEMENTS], Sxx[SF_FUSE_MAX_ELEMENTS], E[SF_FUSE_MAX_ELEMENTS];
} sf_fuse_point;

/* What to compute in one evaluation. */
typedef struct sf_fuse_eval_opts {
  const sf_fuse_nuisance *fixed; /* NULL: nuisance values per the parameters */
  double *grad;                  /* NULL: no gradient */
  double *metric;                /* with grad: the per-pixel step metric M (n_e*n) */
  int want_tv;                   /* 1: also sum_i TV(x_i) */
  const double *z, *g, *zmetric; /* all non-NULL: sums for the sufficient-decrease test */
  const double *xref;            /* non-NULL: sums for the relative change of x */
} sf_fuse_eval_opts;

/** Evaluate F (and what opts asks for) at x (n_e*n, >= 0). Two passes over
    the pixels with per-row partial sums reduced in row order. Returns SF_OK
    or SF_ENUMERIC (non-finite cost). */
int sf_fuse_eval_point(sf_fuse_solver *s, const double *x, const sf_fuse_eval_opts *opts,
                       sf_fuse_point *pt);

/** Psi2, the TV term and the magnitude of pt from its per-element sums and
    yields (after the yields changed). */
void sf_fuse_point_terms(const sf_fuse_solver *s, sf_fuse_point *pt);

/** Closed-form yields minimising lambda_chem Psi2 + lambda_tv sum y_i TV(x_i)
    at the point's sums; stores them in pt and in the solver, and updates the
    point's terms. Requires lambda_chem > 0. */
void sf_fuse_update_yields(sf_fuse_solver *s, sf_fuse_point *pt);

/** 1 if the scale is held fixed during a run (modes INITIAL and FIXED, and
    FIT with estimated yields). */
int sf_fuse_scale_is_held(const sf_fuse_params *par);

#endif
