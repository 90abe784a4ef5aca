/* sf_recipe.h - validation recipes: one TOML file describing a whole
   ground-truth -> noise -> recovery -> metrics experiment.

   A recipe (the files in datasets/; schema below, reference docs/validation.md)
   has the tables [phantom] with [[phase]] and [[film]] (the voxel phantom of
   sim/sf_phantom.h: shape, field size and voxel in Å, phases with their
   composition by formula or by element symbols and amounts, and a total
   number density in atoms per Å^3), [haadf] (form, true gamma, probe blur,
   detector fraction), [chem] (elements with chemical maps and their
   yields), [noise] (dose in electrons per Å^2 or a target SNR per modality,
   read-out noise, seed, number of realisations), [fuse] (the assumed model
   and the parameters of recon/sf_fuse.h), [report] (line profile,
   metric region, stoichiometry options) and [sweep] (grids for
   `stemfuse sweep`). Loading parses the file, applies `--set` overrides,
   checks it against the schema and then checks its meaning (known element
   symbols, phases used by the shape, a non-empty grid, positive doses ...),
   reporting each problem as "file:line: table.key = value: reason" before
   any work starts. The loaded recipe is plain data (sf_recipe_params, freely
   copied, e.g. by sweeps) plus the fully resolved configuration text that
   every output records.

   Catalogue: sf_recipe_schema, sf_recipe_load, sf_recipe_load_string,
   sf_recipe_from_config, sf_recipe_destroy, sf_recipe_element_index,
   sf_recipe_phase_index, sf_recipe_build_phantom, sf_recipe_fuse_params,
   sf_recipe_fuse_weights, sf_recipe_shape_name. */
#ifndef SF_RECIPE_H
#define SF_RECIPE_H
#include "io/sf_config.h"
#include "recon/sf_fuse.h"
#include "sim/sf_incoherent.h"
#include "sim/sf_phantom.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_RECIPE_MAX_ELEMENTS SF_PHANTOM_MAX_ELEMENTS /* distinct elements in a recipe */
#define SF_RECIPE_MAX_PHASES SF_PHANTOM_MAX_PHASES
#define SF_RECIPE_MAX_FILMS 16
#define SF_RECIPE_MAX_GRID 64 /* values along one sweep axis */
#define SF_RECIPE_NAME_MAX 64

/* Phantom shapes. Values are frozen. */
typedef enum sf_recipe_shape {
  SF_RECIPE_SPHERE = 0,     /* one ball of phantom.phase */
  SF_RECIPE_CORE_SHELL = 1, /* ball of shell_phase, core ball of core_phase */
  SF_RECIPE_CUBOID = 2,     /* axis-aligned box of phantom.phase */
  SF_RECIPE_FILMS = 3       /* [[film]] slabs stacked along z */
} sf_recipe_shape;

/* How pixels are grouped into phases for the stoichiometry report. */
typedef enum sf_recipe_labels {
  SF_RECIPE_LABELS_DOMINANT = 0,    /* phase with the longest path (>= min fraction) */
  SF_RECIPE_LABELS_COMBINATION = 1, /* the set of phases a column crosses */
  SF_RECIPE_LABELS_MIXTURE = 2      /* no labels: Gaussian mixture per element */
} sf_recipe_labels;

/* Sweeps (bits of sweep_kinds). Values are frozen. */
enum { SF_RECIPE_SWEEP_DOSE = 1, SF_RECIPE_SWEEP_GAMMA = 2, SF_RECIPE_SWEEP_LAMBDA = 4 };

/* How lambda_tv is chosen. */
typedef enum sf_recipe_lambda_mode {
  SF_RECIPE_LAMBDA_FIXED = 0,     /* fuse.lambda_tv as given (units of the chemical maps) */
  SF_RECIPE_LAMBDA_SNR_SCALED = 1, /* fuse.lambda_tv / mean expected chemical SNR */
  SF_RECIPE_LAMBDA_AUTO = 2        /* chosen per realisation by Poisson-thinning
                                      cross-validation (recon/sf_fuse_autolambda.h) */
} sf_recipe_lambda_mode;

typedef struct sf_recipe_phase {
  sf_phantom_phase phase; /* composition as number densities (atoms per Å^3) */
  double density_per_A3;  /* total number density, atoms per Å^3 */
} sf_recipe_phase;

/* Everything a run needs, as plain data (copy freely). */
typedef struct sf_recipe_params {
  char name[SF_RECIPE_NAME_MAX];
  char description[256];
  /* [phantom] */
  sf_recipe_shape shape;
  size_t nx, ny, nz;      /* voxels (round(size_A / voxel_A)) */
  double voxel_A;         /* voxel edge, Å */
  int supersampling;      /* sub-voxel samples per axis for curved surfaces */
  double centre_A[3];     /* sphere / core-shell centre, Å */
  double radius_A;        /* sphere radius or core-shell outer radius, Å */
  double core_radius_A;   /* core-shell core radius, Å */
  int shape_phase;        /* sphere / cuboid phase (0-based) */
  int core_phase, shell_phase; /* core-shell phases (0-based) */
  double lo_A[3], hi_A[3];     /* cuboid corners, Å */
  sf_phantom_axis film_axis;
  double films_z0_A;           /* z of the first film's entry face, Å */
  size_t n_films;
  struct {
    int phase; /* 0-based */
    double lo_A, hi_A, thickness_A;
  } films[SF_RECIPE_MAX_FILMS];
  size_t n_phases;
  sf_recipe_phase phases[SF_RECIPE_MAX_PHASES];
  /* elements in the order of the chemical maps and of the recovery */
  size_t n_elements;
  int Z[SF_RECIPE_MAX_ELEMENTS];
  char symbol[SF_RECIPE_MAX_ELEMENTS][SF_PHANTOM_SYMBOL_MAX];
  double yield_rel[SF_RECIPE_MAX_ELEMENTS]; /* relative chemical yields of the model */
  /* [haadf] */
  sf_haadf_form form;
  double gamma_true;
  double blur_fwhm_A;
  sf_blur_boundary boundary;
  double detector_fraction;
  /* [chem] */
  double chem_yield_A2; /* counts per incident electron per (atom per Å^2), Å^2 */
  char chem_prefix[16]; /* "EDX" or "EELS": chemical map names <prefix>_<symbol> */
  /* [noise] */
  double haadf_dose_e_per_A2, chem_dose_e_per_A2; /* used when the SNR below is 0 */
  double haadf_snr, chem_snr;                     /* > 0: target SNR over the mask */
  double haadf_read_noise_counts, chem_read_noise_counts;
  double mask_fraction;
  uint64_t seed;
  int realisations;
  /* [fuse] */
  sf_haadf_form fuse_form; /* HAADF model assumed by the recovery */
  double fuse_gamma;       /* gamma assumed (resolved: never 0) */
  int weight_auto;         /* 1: weights follow fuse_form; 0: fuse.weight_mode */
  sf_fuse_weight_mode weight_mode;
  double custom_weights[SF_RECIPE_MAX_ELEMENTS];
  int known_yields; /* 1: the solver gets the true expected counts per unit x */
  int haadf_sigma_known; /* 1: sigma_H = RMS Poisson + read noise over the mask; 0: estimated */
  double lambda_chem, lambda_tv;
  sf_recipe_lambda_mode lambda_mode;
  sf_fuse_chem_model chem_model;
  double eps;
  int max_iter, tv_max_iter;
  double tol_x, tol_cost;
  int fit_offset, accelerate;
  /* [report] */
  int have_profile;
  double profile_A[4]; /* x0, y0, x1, y1 in Å (map coordinates) */
  double profile_width_px;
  int metrics_on_mask; /* 1: image metrics over the specimen mask; 0: all pixels */
  int have_flat_region;
  size_t flat_region_px[4]; /* x0, y0, x1, y1 (half-open) */
  sf_recipe_labels stoich_labels;
  double stoich_min_phase_fraction;
  int stoich_erode_px;
  size_t stoich_bins;
  double stoich_mask_fraction;
  int write_emd;
  /* [sweep] */
  unsigned sweep_kinds; /* SF_RECIPE_SWEEP_* bits */
  int sweep_use_dose;   /* 1: dose grid in doses; 0: in SNRs */
  size_t n_sweep_haadf, n_sweep_chem, n_sweep_gamma_true, n_sweep_gamma_assumed, n_sweep_lambda;
  double sweep_haadf[SF_RECIPE_MAX_GRID], sweep_chem[SF_RECIPE_MAX_GRID];
  double sweep_gamma_true[SF_RECIPE_MAX_GRID], sweep_gamma_assumed[SF_RECIPE_MAX_GRID];
  double sweep_lambda[SF_RECIPE_MAX_GRID];
  int sweep_realisations;
} sf_recipe_params;

typedef struct sf_recipe {
  sf_recipe_params p;
  char *source;      /* the recipe file name (or the name given to _load_string) */
  char *config_text; /* fully resolved configuration (sf_config_dump), recorded by outputs */
} sf_recipe;

/** The recipe schema (static storage). */
const sf_config_schema *sf_recipe_schema(void);

/** Parse the recipe file `path`, apply the n_sets overrides sets[k]
    ("table.key=value", as --set), validate and resolve it. *out is owned by
    the caller (sf_recipe_destroy). Errors: SF_ENOENT / SF_EIO (file),
    SF_EFORMAT (syntax), SF_EINVAL / SF_ERANGE (schema or meaning), each
    message line "file:line: table.key = value: reason". */
int sf_recipe_load(const char *path, const char *const *sets, size_t n_sets, sf_recipe **out);
/** As sf_recipe_load from `length` bytes of text; `name` labels messages. */
int sf_recipe_load_string(const char *text, size_t length, const char *name,
                          const char *const *sets, size_t n_sets, sf_recipe **out);
/** Validate and resolve an already parsed (and overridden) document; cfg is
    not kept. `name` labels the source. */
int sf_recipe_from_config(sf_config *cfg, const char *name, sf_recipe **out);
/** Free a recipe. NULL is a no-op. */
void sf_recipe_destroy(sf_recipe *r);

/** Index (0-based) of element Z among p->Z, or -1. */
int sf_recipe_element_index(const sf_recipe_params *p, int Z);
/** Index (0-based) of the phase called `name`, or -1. */
int sf_recipe_phase_index(const sf_recipe_params *p, const char *name);
/** "sphere", "core_shell", "cuboid", "films" or "unknown". */
const char *sf_recipe_shape_name(sf_recipe_shape shape);

/** Build the voxel phantom described by p (phases registered in recipe
    order, so phase k has number k + 1). *out owned by the caller
    (sf_phantom_destroy). Errors of sim/sf_phantom.h. */
int sf_recipe_build_phantom(const sf_recipe_params *p, sf_phantom **out);

/** Solver parameters for the recovery: gamma, weight mode, lambdas
    (lambda_tv as configured; the harness scales it in SNR-scaled mode),
    model, tolerances, iterations, yields estimated or not. */
void sf_recipe_fuse_params(const sf_recipe_params *p, sf_fuse_params *par);
/** The custom HAADF weights (n_elements values, caller-owned w) the recovery
    uses in mode SF_FUSE_WEIGHT_CUSTOM: Z_i^gamma for the linear model with
    automatic weights, fuse.custom_weights otherwise. */
void sf_recipe_fuse_weights(const sf_recipe_params *p, double *w);

#ifdef __cplusplus
}
#endif
#endif
