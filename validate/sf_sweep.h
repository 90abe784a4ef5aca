/* sf_sweep.h - parameter sweeps of the validation loop: dose grid, gamma
   sweep and lambda sweep, as tables, CSV files, heat maps and curves.

   Each grid point runs sweep.realisations noise realisations of the recipe
   (validate/sf_harness.h) with the point's parameters and records the mean
   (and, with more than one realisation, the standard deviation) of its
   metrics in one row of a table of named columns:
   * dose grid (the paper's Fig. 6a): HAADF x chemical target SNR (or dose)
     -> overall NRMSE and PSNR of the fused maps, relative-concentration
     RMSE, median Hessian standard error, the doses and SNRs reached;
   * gamma sweep: true gamma (simulation) x assumed gamma (recovery) ->
     stoichiometry error (mean |fitted mean - truth| over phase groups and
     elements) and concentration RMSE and bias;
   * lambda sweep: TV weight -> data misfit (Psi1 + lambda_chem x chemical
     misfit) and TV of the solution (the L-curve), NRMSE and concentration
     RMSE; the ground-truth-optimal lambda (smallest concentration RMSE, and
     smallest NRMSE) is compared with the automatic choice at the L-curve
     corner: in (log misfit, log TV) scaled to [0, 1] on both axes, the point
     farthest below the chord joining the two ends (the triangle criterion;
     the Menger curvature is reported too).
   sf_sweep_run writes, for the sweeps asked for, into a folder written
   under a temporary name and renamed when complete: dose_grid.csv,
   dose_nrmse.png, dose_psnr.png, dose_conc_rmse.png; gamma_sweep.csv,
   gamma_stoich_error.png, gamma_conc_rmse.png; lambda_sweep.csv,
   lambda_lcurve.png, lambda_error.png; sweep.json (choices, provenance,
   resolved recipe), config.toml and index.html. Progress with time left is
   reported over all grid points. Definitions: docs/validation.md.

   Catalogue: sf_sweep_table_create, sf_sweep_table_destroy,
   sf_sweep_table_col, sf_sweep_table_get, sf_sweep_dose, sf_sweep_gamma,
   sf_sweep_lambda, sf_sweep_lcurve_corner, sf_sweep_lambda_auto, sf_sweep_run. */
#ifndef SF_SWEEP_H
#define SF_SWEEP_H
#include "core/sf_progress.h"
#include "validate/sf_recipe.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_SWEEP_COL_MAX 64

/* A table of n_rows x n_cols numbers with named columns (NAN where undefined). */
typedef struct sf_sweep_table {
  size_t n_rows, n_cols;
  char (*cols)[SF_SWEEP_COL_MAX]; /* column names (owned) */
  double *v;                      /* v[row * n_cols + col] (owned) */
} sf_sweep_table;

/** A table of n_rows rows and the n_cols named columns, all NAN. *out
    owned by the caller (sf_sweep_table_destroy). */
int sf_sweep_table_create(size_t n_rows, size_t n_cols, const char *const *cols,
                          sf_sweep_table **out);
/** Free a table. NULL is a no-op. */
void sf_sweep_table_destroy(sf_sweep_table *t);
/** Index of the column called name, or -1. */
int sf_sweep_table_col(const sf_sweep_table *t, const char *name);
/** Value at (row, column name); NAN when the column or row does not exist. */
double sf_sweep_table_get(const sf_sweep_table *t, size_t row, const char *name);

/* The sweeps take an optional progress report (core/sf_progress.h, may be
   NULL) and add one unit per grid point and realisation, so that one report
   with time left covers a whole `stemfuse sweep`. */

/** Dose grid: row ic * n_haadf + ih for chemical value ic and HAADF value
    ih of the recipe's sweep grids (target SNRs, or doses when
    sweep.haadf_dose_e_per_A2 is set). Columns: haadf_axis, chem_axis,
    haadf_dose_e_per_A2, chem_dose_e_per_A2 (mean over the chemical maps),
    haadf_snr, chem_snr (expected, mean over the maps), lambda_tv (used),
    nrmse, nrmse_std, psnr_dB, psnr_dB_std, psnr_raw_dB, ssim, conc_rmse,
    conc_rmse_std, conc_rmse_raw, median_se (median Hessian SE over the
    specimen), iterations. */
int sf_sweep_dose(const sf_recipe_params *p, sf_progress *prog, sf_sweep_table **out);
/** Gamma sweep: row it * n_assumed + ia. Columns: gamma_true,
    gamma_assumed, stoich_error, stoich_error_std, conc_rmse, conc_rmse_std,
    psnr_dB, then conc_bias_<El> per element. */
int sf_sweep_gamma(const sf_recipe_params *p, sf_progress *prog, sf_sweep_table **out);
/** Lambda sweep: one row per sweep.lambda_tv value, in the recipe's lambda
    mode, sorted by lambda. Columns: lambda_tv (as configured),
    lambda_tv_used, misfit, psi1, chem_misfit, tv, curvature (signed Menger
    curvature of the scaled L-curve, NAN at the ends), corner_distance
    (distance below the chord of the ends), nrmse, psnr_dB, conc_rmse,
    conc_rmse_std, iterations. */
int sf_sweep_lambda(const sf_recipe_params *p, sf_progress *prog, sf_sweep_table **out);
/** The L-curve corner of a lambda table: the row with the largest
    corner_distance; SF_ERANGE without a point below the chord. */
int sf_sweep_lcurve_corner(const sf_sweep_table *t, size_t *row);
/** The recovery's own automatic choice at the recipe's dose: one grid point
    with fuse.lambda_tv_mode = auto (Poisson-thinning cross-validation per
    realisation). Means over the sweep realisations of the chosen lambda_tv,
    the concentration RMSE and the NRMSE, for comparison with the lambda
    sweep's ground-truth optimum. */
int sf_sweep_lambda_auto(const sf_recipe_params *p, sf_progress *prog, double *lambda_tv,
                         double *conc_rmse, double *nrmse);

/** Run the sweeps in `kinds` (SF_RECIPE_SWEEP_* bits; 0: the recipe's
    sweep.kinds) and write the folder `dir` (see above). argc/argv are
    recorded as provenance. *summary (optional, malloc'ed) gets a few lines
    with the main findings. SF_EEXIST when dir exists and !force; nothing is
    left behind on failure. */
int sf_sweep_run(const sf_recipe *recipe, unsigned kinds, const char *dir, int force, int argc,
                 char *const argv[], char **summary);

#ifdef __cplusplus
}
#endif
#endif
