/* sf_fuse_imageset.h - fused recovery on image sets: the adapter between
   the calibrated image sets of the pipeline (core/sf_imageset.h) and the
   solvers of recon/ (default mode sf_fuse.h, reference-compatible mode
   sf_fuse_reference.h, automatic lambda sf_fuse_autolambda.h,
   multi-resolution start sf_fuse_multires.h, standard errors
   sf_uncertainty.h).

   Input: a set holding a HAADF map and one chemical map per element (2-D,
   same grid, any dtype), the elements named by symbol (Z from
   potentials/sf_elements.h). Output, added to a caller's set, for each
   element El (symbol as given):
       El_fused    the recovered map x_i (default mode: units of the
                   chemical map divided by its yield; reference mode: the
                   normalised units of the published code)
       El_relconc  x_i / sum_k x_k, the relative concentration, inside the
                   mask sum_k x_k > relconc_min * max_p sum_k x_k and
                   relconc_outside (default NaN) elsewhere
       El_stderr   the Hessian standard error of x_i (sf_uncertainty.h; NaN
                   where masked or on the bound; in reference mode from the
                   objective the reference loop minimises, in normalised units)
   all float64 with the HAADF map's axis calibration, and in attribute group
   "fusion" every parameter, the weights, the stop reason, the lambdas
   used (after automatic choice), the nuisance values, the mean standard
   error and the cost history as arrays cost_haadf, cost_chem, cost_tv
   (cost_definition says which definitions: "default" for Psi1,
   lambda-free Psi2 and TV of sf_fuse.h, entry 0 the start; "reference" for
   costHAADF, costChem, costTV of sf_fuse_reference.h, one entry per
   iteration) and cost_total (the mode's objective with its lambdas). The
   names obey the signal-name rule of docs/file-formats.md only if the
   caller's set holds no map named after a prefix of them (such as a map
   called "Co" beside "Co_fused"); the run checks the names of the output set
   and fails with SF_EINVAL otherwise. On any failure the output set is left
   as it was (maps and attributes).

   Catalogue: sf_fuse_mode_parse, sf_fuse_mode_name,
   sf_fuse_imageset_params_default, sf_fuse_imageset_map_name,
   sf_fuse_imageset_run. */
#ifndef SF_FUSE_IMAGESET_H
#define SF_FUSE_IMAGESET_H
#include "core/sf_imageset.h"
#include "recon/sf_fuse.h"
#include "recon/sf_fuse_autolambda.h"
#include "recon/sf_fuse_multires.h"
#include "recon/sf_fuse_reference.h"
#include "recon/sf_uncertainty.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Which solver. Values are frozen. */
typedef enum sf_fuse_mode {
  SF_FUSE_MODE_DEFAULT = 0,  /* "default": sf_fuse.h */
  SF_FUSE_MODE_REFERENCE = 1 /* "reference": sf_fuse_reference.h */
} sf_fuse_mode;

/* The attribute group of the outputs. */
#define SF_FUSE_ATTR_GROUP "fusion"

/* One element: its symbol and the name of its chemical map in the input set. */
typedef struct sf_fuse_imageset_element {
  const char *symbol; /* "Co" (case-sensitive, sf_element_from_symbol) */
  const char *map;    /* map name in the input set */
} sf_fuse_imageset_element;

typedef struct sf_fuse_imageset_params {
  sf_fuse_mode mode;                   /* default SF_FUSE_MODE_DEFAULT */
  sf_fuse_params solver;               /* default mode (sf_fuse_params_default) */
  sf_fuse_ref_params reference;        /* reference mode (sf_fuse_ref_params_default) */
  const double *custom_weights;        /* n_elements weights for weight mode custom
                                          (either mode), else NULL */
  const double *yield;                 /* default mode: known yields (n_elements), or NULL */
  int auto_lambda;                     /* 1: choose lambda_tv (sf_fuse_autolambda.h) before
                                          the solve; default mode only (default 0) */
  sf_fuse_autolambda_params autolambda; /* its parameters (seed included) */
  int use_multires;                    /* 1: multi-resolution start; default mode only
                                          (default 0) */
  sf_fuse_multires_params multires;    /* its parameters */
  int standard_errors;                 /* 1: El_stderr maps (default 1) */
  sf_fuse_se_params se;                /* standard-error options */
  double relconc_min;                  /* mask of El_relconc, fraction of the largest
                                          sum_k x_k, in [0, 1) (default 0.05) */
  double relconc_outside;              /* El_relconc outside the mask (default NaN) */
  int progress;                        /* 1: progress reports over the iterations (default 0) */
} sf_fuse_imageset_params;

typedef struct sf_fuse_imageset_summary {
  sf_fuse_mode mode;
  size_t n_elements;
  double lambda_chem, lambda_tv; /* used (after the automatic choice) */
  int iterations;                /* outer iterations of the full-resolution solve */
  sf_fuse_stop stop;             /* reference mode: always max_iter */
  double objective;              /* final default-mode objective (reference mode: of the
                                    objective its fixed point minimises) */
  double mean_se;                /* mean standard error (NaN when not computed) */
  double seconds_solve;          /* wall time of the full-resolution solve */
  double seconds;                /* wall time of the whole run */
} sf_fuse_imageset_summary;

/** Parse "default" or "reference". SF_OK or SF_EINVAL naming the text. */
int sf_fuse_mode_parse(const char *text, sf_fuse_mode *mode);
/** Name of a mode, or "unknown". */
const char *sf_fuse_mode_name(sf_fuse_mode mode);

/** Defaults listed in sf_fuse_imageset_params (custom_weights and yield NULL). */
void sf_fuse_imageset_params_default(sf_fuse_imageset_params *p);

/** Output map name "<symbol>_<kind>" (kind "fused", "relconc" or "stderr")
    into buf (size bytes). SF_EINVAL when it does not fit or is not a
    valid map name. */
int sf_fuse_imageset_map_name(const char *symbol, const char *kind, char *buf, size_t size);

/** Run the fused recovery of the maps `elements` (n_elements, 1 ..
    SF_FUSE_MAX_ELEMENTS, distinct symbols) with the HAADF map named haadf,
    both from `in`, and add the outputs listed in the module comment to
    `out` (may be `in`; maps added at its end, attributes in group
    "fusion"). summary (may be NULL) receives the figures of the run.
    Errors (messages name the map, element or value): SF_ENOENT for a
    missing map, SF_EINVAL for an unknown or duplicate element symbol, maps
    of different sizes, a cube, bad parameters, negative Poisson counts or
    a name clash in `out`; SF_ENUMERIC for NaN or Inf in a map; SF_ENOMEM.
    On failure `out` is unchanged. */
int sf_fuse_imageset_run(const sf_imageset *in, const char *haadf, size_t n_elements,
                         const sf_fuse_imageset_element *elements,
                         const sf_fuse_imageset_params *par, sf_imageset *out,
                         sf_fuse_imageset_summary *summary);

#ifdef __cplusplus
}
#endif
#endif
