/* sf_harness.h - the validation loop: ground truth -> noise -> fused recovery
   -> metrics, over N noise realisations, summarised as mean +- std.

   The ground truth of a recipe (validate/sf_recipe.h) is its voxel phantom
   projected along z ("truth_<El>" in atoms per Å^2, "thickness_<phase>" in
   Å) and the noiseless linear incoherent model ("HAADF", "<prefix>_<El>").
   Realisation k draws Poisson (+ read-out) noise on every modality with the
   recipe's seed and realisation k (validate/sf_noise.h: each pixel has its
   own substream), recovers the element maps with recon/sf_fuse.h and
   measures, per element and overall: PSNR, RMSE, NRMSE and SSIM of the raw
   (noisy) chemical maps and of the fused maps against the truth (each
   scale-aligned, since counts and recovered maps have different units), the
   PSNR gain and the SNR gains (from the PSNR, and over a flat region when
   there is one), the RMSE of the relative concentrations x_i / sum_k x_k on
   the specimen mask (fused, and raw counts divided by their true
   sensitivities), the stoichiometry of each phase group (Gaussian fit of the
   histogram; sample moments when the fit fails), the mean Hessian standard
   error, and the recovery's iterations, stop reason and cost. Every number
   is a named value ("Co.fused.psnr_dB", "overall.gain.psnr_dB",
   "conc.fused.rmse", "stoich.CoS_core.Co.mean", ...); the run summarises
   each name over the realisations. Names and definitions:
   docs/validation.md. Nothing depends on the thread count: the noise draws
   per pixel substream and the recovery sums in a fixed order.

   Catalogue: sf_harness_truth, sf_harness_labels_make,
   sf_harness_labels_clear, sf_harness_realise, sf_harness_detail_clear,
   sf_harness_run, sf_harness_result_destroy, sf_harness_values_set,
   sf_harness_values_get, sf_harness_values_clear, sf_harness_summarise,
   sf_harness_stat_find. */
#ifndef SF_HARNESS_H
#define SF_HARNESS_H
#include "core/sf_imageset.h"
#include "recon/sf_fuse.h"
#include "validate/sf_recipe.h"
#include "validate/sf_stoich.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_HARNESS_NAME_MAX 96

/* Named numbers of one realisation (NAN where undefined). */
typedef struct sf_harness_value {
  char name[SF_HARNESS_NAME_MAX];
  double value;
} sf_harness_value;

typedef struct sf_harness_values {
  sf_harness_value *v; /* owned */
  size_t n, cap;
} sf_harness_values;

/* Mean +- sample std (n - 1) of one named value over the realisations where it is finite. */
typedef struct sf_harness_stat {
  char name[SF_HARNESS_NAME_MAX];
  double mean, std, min, max;
  size_t n; /* finite values */
} sf_harness_stat;

/* Phase groups of the stoichiometry report. */
typedef struct sf_harness_labels {
  size_t n_groups;                                         /* 0..SF_STOICH_MAX_COMPONENTS */
  char names[SF_STOICH_MAX_COMPONENTS][SF_HARNESS_NAME_MAX]; /* "CoS_core", "Ga_film+O_film" */
  size_t n_pixels[SF_STOICH_MAX_COMPONENTS];
  uint8_t *labels; /* nx*ny, 0 = none, g + 1 = group g; NULL in mixture mode (owned) */
} sf_harness_labels;

/* Modality facts that do not depend on the realisation. */
typedef struct sf_harness_modality {
  char map[SF_NAME_MAX];     /* "HAADF", "EDX_Co" */
  double dose_e_per_A2;      /* dose applied (solved in target-SNR mode) */
  double snr_expected;       /* expected SNR over the mask */
  double mean_counts;        /* mean expected counts over the mask */
  double counts_per_x;       /* chemical: expected counts per atom/Å^2 (dose a yield); HAADF: 0 */
} sf_harness_modality;

/* What one realisation leaves behind for a report (optional). */
typedef struct sf_harness_detail {
  sf_imageset *maps;     /* "noisy_HAADF", "noisy_<prefix>_<El>" (counts), "fused_<El>"
                            (recovered x), "relconc_<El>", "relconc_truth_<El>" (on the
                            concentration mask), "stderr_<El>" (Hessian SE); owned */
  sf_fuse_cost *trace;   /* cost per iteration (owned) */
  int n_trace;
  sf_stoich_result stoich;
  /* [element][group]: 1 = Gaussian fit, 0 = sample moments */
  unsigned char stoich_fitted[SF_STOICH_MAX_ELEMENTS][SF_STOICH_MAX_COMPONENTS];
  char stoich_note[256]; /* why fits were not used */
} sf_harness_detail;

typedef struct sf_harness_result {
  sf_recipe_params p;           /* the recipe that ran */
  sf_imageset *maps;            /* truth, noiseless model, and realisation 0's maps (owned) */
  sf_harness_labels groups;     /* stoichiometry phase groups */
  size_t n_modalities;          /* 1 + n_elements */
  sf_harness_modality modality[1 + SF_RECIPE_MAX_ELEMENTS];
  sf_fuse_cost *trace;          /* realisation 0's cost history (owned) */
  int n_trace;
  sf_stoich_result stoich;      /* realisation 0 */
  unsigned char stoich_fitted[SF_STOICH_MAX_ELEMENTS][SF_STOICH_MAX_COMPONENTS];
  char stoich_note[256];
  size_t n_realisations;
  sf_harness_values *real;      /* per realisation (owned) */
  size_t n_stats;
  sf_harness_stat *stats;       /* summary over the realisations (owned) */
  double seconds;               /* wall time */
} sf_harness_result;

/* ---- named values ---- */

/** Set (or replace) name = value. SF_ENOMEM, or SF_EINVAL for a name of
    SF_HARNESS_NAME_MAX characters or more. */
int sf_harness_values_set(sf_harness_values *vals, const char *name, double value);
/** The value called name, or NAN when absent. */
double sf_harness_values_get(const sf_harness_values *vals, const char *name);
/** Free the values (leaves an empty, reusable list). */
void sf_harness_values_clear(sf_harness_values *vals);
/** Mean, std, min, max of every name over the n lists (names in order of
    first appearance). *stats (sf_free) gets *n_stats entries. */
int sf_harness_summarise(const sf_harness_values *lists, size_t n, sf_harness_stat **stats,
                         size_t *n_stats);
/** The summary entry called name, or NULL. */
const sf_harness_stat *sf_harness_stat_find(const sf_harness_result *r, const char *name);

/* ---- the loop ---- */

/** Ground truth of the recipe: a new image set (*out, caller-owned) with the
    projected maps "truth_<El>" (atoms per Å^2), "thickness_<phase>" (Å), the
    noiseless "HAADF" (arbitrary units) and "<prefix>_<El>" (y_rel x), axes
    in Å. Errors of the phantom and the incoherent model. */
int sf_harness_truth(const sf_recipe_params *p, sf_imageset **out);

/** Stoichiometry phase groups from the truth's thickness maps, as the
    recipe's report.stoich_labels says (dominant phase or phase combination,
    eroded by stoich_erode_px, groups of fewer than 10 pixels or with a single
    element dropped, at most SF_STOICH_MAX_COMPONENTS kept), or none in
    mixture mode. Free with sf_harness_labels_clear. */
int sf_harness_labels_make(const sf_recipe_params *p, const sf_imageset *truth,
                           sf_harness_labels *out);
/** Free the label map. */
void sf_harness_labels_clear(sf_harness_labels *l);

/** One realisation on `truth` (from sf_harness_truth): noise, recovery,
    metrics into *vals (appended). groups from sf_harness_labels_make.
    modality (optional, 1 + n_elements entries) receives the doses and SNRs;
    detail (optional) keeps the maps, trace and stoichiometry (free with
    sf_harness_detail_clear). Errors of the stages, prefixed with the
    realisation. */
int sf_harness_realise(const sf_recipe_params *p, const sf_imageset *truth,
                       const sf_harness_labels *groups, uint32_t realisation,
                       sf_harness_values *vals, sf_harness_modality *modality,
                       sf_harness_detail *detail);
/** Free what a detail holds. */
void sf_harness_detail_clear(sf_harness_detail *d);

/** The whole loop: truth, p->realisations realisations (with progress),
    summary. *out owned by the caller (sf_harness_result_destroy). */
int sf_harness_run(const sf_recipe_params *p, sf_harness_result **out);
/** Free a result. NULL is a no-op. */
void sf_harness_result_destroy(sf_harness_result *r);

#ifdef __cplusplus
}
#endif
#endif
