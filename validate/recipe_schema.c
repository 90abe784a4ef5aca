/* recipe_schema.c - the keys of a validation recipe (docs/validation.md). */
#include "validate/sf_recipe.h"

#include <math.h>
#include <stddef.h>

static const char *const shapes[] = {"sphere", "core_shell", "cuboid", "films", NULL};
static const char *const axes[] = {"x", "y", NULL};
static const char *const forms[] = {"paper", "linear", NULL};
static const char *const fuse_forms[] = {"same", "paper", "linear", NULL};
static const char *const boundaries[] = {"reflect", "periodic", NULL};
static const char *const prefixes[] = {"EDX", "EELS", NULL};
static const char *const weight_modes[] = {"auto",        "paper", "sum",        "z_mean",
                                           "zgamma_mean", "z_sum", "zgamma_sum", "custom",
                                           NULL};
static const char *const yield_modes[] = {"known", "estimate", NULL};
static const char *const sigma_modes[] = {"known", "estimate", NULL};
static const char *const lambda_modes[] = {"fixed", "snr_scaled", "auto", NULL};
static const char *const chem_models[] = {"poisson", "lsq", NULL};
static const char *const regions[] = {"all", "specimen", NULL};
static const char *const label_modes[] = {"dominant_phase", "phase_combination", "mixture", NULL};
static const char *const sweep_kinds[] = {"dose", "gamma", "lambda", NULL};
static const char *const arrays[] = {"phase", "film", NULL};

#define INF HUGE_VAL

static const sf_config_key keys[] = {
    {NULL, "name", SF_CFG_STRING, "\"recipe\"", 0, 0, NULL,
     "Name of the experiment ([A-Za-z0-9_-], used in titles)"},
    {NULL, "description", SF_CFG_STRING, "\"\"", 0, 0, NULL, "One line shown in the report"},

    {"phantom", "shape", SF_CFG_STRING, NULL, 0, 0, shapes,
     "Phantom shape: sphere, core_shell, cuboid or films"},
    {"phantom", "size_A", SF_CFG_NUMBERS, "[128, 128, 128]", 0, INF, NULL,
     "Phantom size along x, y (the field of view) and z (the beam), Å"},
    {"phantom", "voxel_A", SF_CFG_NUMBER, "2", 1e-3, 1e3, NULL,
     "Voxel edge = pixel size of the maps, Å"},
    {"phantom", "supersampling", SF_CFG_INT, "4", 1, 16, NULL,
     "Sub-voxel samples per axis on curved surfaces"},
    {"phantom", "centre_A", SF_CFG_NUMBERS, "[]", -INF, INF, NULL,
     "Centre of a sphere or core-shell particle, Å ([] = centre of the box)"},
    {"phantom", "radius_A", SF_CFG_NUMBER, "0", 0, INF, NULL,
     "Sphere radius, or outer radius of a core-shell particle, Å"},
    {"phantom", "core_radius_A", SF_CFG_NUMBER, "0", 0, INF, NULL, "Core radius, Å (core_shell)"},
    {"phantom", "phase", SF_CFG_STRING, "\"\"", 0, 0, NULL,
     "Phase of the sphere or cuboid (a [[phase]] name)"},
    {"phantom", "core_phase", SF_CFG_STRING, "\"\"", 0, 0, NULL, "Core phase (core_shell)"},
    {"phantom", "shell_phase", SF_CFG_STRING, "\"\"", 0, 0, NULL, "Shell phase (core_shell)"},
    {"phantom", "lo_A", SF_CFG_NUMBERS, "[]", -INF, INF, NULL, "Cuboid low corner x, y, z, Å"},
    {"phantom", "hi_A", SF_CFG_NUMBERS, "[]", -INF, INF, NULL, "Cuboid high corner x, y, z, Å"},
    {"phantom", "film_axis", SF_CFG_STRING, "\"x\"", 0, 0, axes,
     "Lateral axis along which [[film]] extents lo_A..hi_A run (films)"},
    {"phantom", "films_z0_A", SF_CFG_NUMBER, "0", -INF, INF, NULL,
     "Entry face of the first film along z, Å; the films stack from there"},

    {"phase", "name", SF_CFG_STRING, NULL, 0, 0, NULL, "Phase name ([A-Za-z0-9_])"},
    {"phase", "formula", SF_CFG_STRING, "\"\"", 0, 0, NULL,
     "Composition as a formula, e.g. \"Ga2O3\", \"Co0.5S0.5\" (or give elements + amounts)"},
    {"phase", "elements", SF_CFG_STRINGS, "[]", 0, 0, NULL, "Element symbols (without formula)"},
    {"phase", "amounts", SF_CFG_NUMBERS, "[]", 0, INF, NULL,
     "Relative amounts of the elements (atom fractions or stoichiometric numbers)"},
    {"phase", "density_per_A3", SF_CFG_NUMBER, NULL, 1e-6, 10, NULL,
     "Total number density, atoms per Å^3 (CoO 0.1034, CoS 0.0790, Ga2O3 0.0958)"},

    {"film", "phase", SF_CFG_STRING, NULL, 0, 0, NULL, "Phase of the film"},
    {"film", "lo_A", SF_CFG_NUMBER, NULL, -INF, INF, NULL, "Film start along film_axis, Å"},
    {"film", "hi_A", SF_CFG_NUMBER, NULL, -INF, INF, NULL, "Film end along film_axis, Å"},
    {"film", "thickness_A", SF_CFG_NUMBER, NULL, 1e-6, INF, NULL, "Film thickness along z, Å"},

    {"haadf", "form", SF_CFG_STRING, "\"paper\"", 0, 0, forms,
     "paper: sum (Z x)^gamma; linear: sum Z^gamma x"},
    {"haadf", "gamma_true", SF_CFG_NUMBER, "1.7", 0.1, 4, NULL, "True HAADF exponent"},
    {"haadf", "blur_fwhm_A", SF_CFG_NUMBER, "0", 0, 1e4, NULL, "Probe blur FWHM, Å (0: none)"},
    {"haadf", "blur_boundary", SF_CFG_STRING, "\"reflect\"", 0, 0, boundaries,
     "Boundary of the blur"},
    {"haadf", "detector_fraction", SF_CFG_NUMBER, "0.5", 1e-9, 1, NULL,
     "Fraction of the electrons reaching the HAADF detector at the brightest pixel"},

    {"chem", "elements", SF_CFG_STRINGS, "[]", 0, 0, NULL,
     "Elements with chemical maps, in recovery order ([] = all, in order of appearance)"},
    {"chem", "yields", SF_CFG_NUMBERS, "[]", 1e-12, INF, NULL,
     "Relative yield of each element's map ([] = all 1)"},
    {"chem", "yield_A2", SF_CFG_NUMBER, "1e-3", 1e-30, 1e6, NULL,
     "Counts per incident electron per atom/Å^2 of signal, Å^2"},
    {"chem", "signal", SF_CFG_STRING, "\"EDX\"", 0, 0, prefixes,
     "Name prefix of the chemical maps"},

    {"noise", "haadf_dose_e_per_A2", SF_CFG_NUMBER, "1e4", 0, INF, NULL,
     "HAADF dose, electrons per Å^2 (used when haadf_snr = 0)"},
    {"noise", "chem_dose_e_per_A2", SF_CFG_NUMBER, "1e5", 0, INF, NULL,
     "Chemical dose, electrons per Å^2 (used when chem_snr = 0)"},
    {"noise", "haadf_snr", SF_CFG_NUMBER, "0", 0, 1e6, NULL,
     "Target HAADF SNR over the specimen mask (0: use the dose)"},
    {"noise", "chem_snr", SF_CFG_NUMBER, "0", 0, 1e6, NULL,
     "Target SNR of every chemical map over the mask (0: use the dose)"},
    {"noise", "haadf_read_noise_counts", SF_CFG_NUMBER, "0", 0, INF, NULL,
     "Gaussian read-out noise of the HAADF, counts"},
    {"noise", "chem_read_noise_counts", SF_CFG_NUMBER, "0", 0, INF, NULL,
     "Gaussian read-out noise of the chemical maps, counts"},
    {"noise", "mask_fraction", SF_CFG_NUMBER, "0.1", 0, 0.999, NULL,
     "Specimen mask: signal >= mask_fraction x maximum"},
    {"noise", "seed", SF_CFG_INT, "1", 0, 9.0e15, NULL, "Seed of the noise streams"},
    {"noise", "realisations", SF_CFG_INT, "3", 1, 1000, NULL,
     "Noise realisations (metrics are mean +- std over them)"},

    {"fuse", "form", SF_CFG_STRING, "\"same\"", 0, 0, fuse_forms,
     "HAADF model assumed by the recovery (same = haadf.form)"},
    {"fuse", "gamma", SF_CFG_NUMBER, "0", 0, 4, NULL,
     "Gamma assumed by the recovery (0 = haadf.gamma_true)"},
    {"fuse", "weight_mode", SF_CFG_STRING, "\"auto\"", 0, 0, weight_modes,
     "HAADF weights (auto: (Z x)^gamma for paper, Z^gamma x for linear)"},
    {"fuse", "custom_weights", SF_CFG_NUMBERS, "[]", 0, INF, NULL,
     "Weights for weight_mode = custom, one per element"},
    {"fuse", "yields", SF_CFG_STRING, "\"known\"", 0, 0, yield_modes,
     "known: true map sensitivities; estimate: fitted (no cross-sections)"},
    {"fuse", "haadf_sigma", SF_CFG_STRING, "\"known\"", 0, 0, sigma_modes,
     "HAADF noise level: known (RMS of the noise model over the mask) or estimate (from the "
     "image)"},
    {"fuse", "lambda_chem", SF_CFG_NUMBER, "1", 0, INF, NULL, "Weight of the chemical term"},
    {"fuse", "lambda_tv", SF_CFG_NUMBER, "0.5", 0, INF, NULL,
     "TV weight, units of the chemical maps (counts)"},
    {"fuse", "lambda_tv_mode", SF_CFG_STRING, "\"fixed\"", 0, 0, lambda_modes,
     "fixed; snr_scaled: lambda_tv / mean expected chemical SNR; auto: cross-validated"},
    {"fuse", "chem_model", SF_CFG_STRING, "\"poisson\"", 0, 0, chem_models,
     "Chemical fidelity: poisson or lsq"},
    {"fuse", "eps", SF_CFG_NUMBER, "1e-2", 1e-12, INF, NULL, "Poisson background, units of x"},
    {"fuse", "max_iterations", SF_CFG_INT, "500", 1, 1000000, NULL, "Iteration cap"},
    {"fuse", "tol_x", SF_CFG_NUMBER, "1e-5", 0, 1, NULL, "Relative change of x to stop"},
    {"fuse", "tol_cost", SF_CFG_NUMBER, "1e-9", 0, 1, NULL, "Relative change of the cost to stop"},
    {"fuse", "tv_iterations", SF_CFG_INT, "10", 1, 10000, NULL, "Dual iterations per TV prox"},
    {"fuse", "fit_offset", SF_CFG_BOOL, "false", 0, 0, NULL, "Fit a HAADF offset"},
    {"fuse", "accelerate", SF_CFG_BOOL, "true", 0, 0, NULL, "FISTA momentum"},

    {"report", "profile_A", SF_CFG_NUMBERS, "[]", -INF, INF, NULL,
     "Line profile x0, y0, x1, y1 in Å ([] = horizontal through the centre)"},
    {"report", "profile_width_px", SF_CFG_NUMBER, "10", 1, 1000, NULL,
     "Width of the profile band, pixels (10 in the paper)"},
    {"report", "metrics_region", SF_CFG_STRING, "\"all\"", 0, 0, regions,
     "Pixels of the image metrics: all, or the specimen mask"},
    {"report", "flat_region_px", SF_CFG_NUMBERS, "[]", 0, INF, NULL,
     "x0, y0, x1, y1 (half-open) of a flat region for map SNRs ([] = automatic)"},
    {"report", "stoich_labels", SF_CFG_STRING, "\"dominant_phase\"", 0, 0, label_modes,
     "Pixels of each phase: dominant_phase, phase_combination or mixture"},
    {"report", "stoich_min_phase_fraction", SF_CFG_NUMBER, "0.5", 0, 1, NULL,
     "dominant_phase: least share of the path through the phase"},
    {"report", "stoich_erode_px", SF_CFG_INT, "1", 0, 100, NULL,
     "Drop labelled pixels within this distance of another label"},
    {"report", "stoich_bins", SF_CFG_INT, "0", 0, 1000, NULL,
     "Histogram bins (0: Freedman-Diaconis)"},
    {"report", "stoich_mask_fraction", SF_CFG_NUMBER, "0.1", 0, 1, NULL,
     "Concentration mask: summed maps >= fraction x maximum"},
    {"report", "write_emd", SF_CFG_BOOL, "true", 0, 0, NULL,
     "Write the maps of the first realisation as maps.emd"},

    {"sweep", "kinds", SF_CFG_STRINGS, "[\"dose\", \"gamma\", \"lambda\"]", 0, 0, sweep_kinds,
     "Sweeps `stemfuse sweep` runs"},
    {"sweep", "haadf_snr", SF_CFG_NUMBERS, "[1, 2, 4, 8, 16, 32]", 1e-3, 1e6, NULL,
     "Dose grid: HAADF SNRs"},
    {"sweep", "chem_snr", SF_CFG_NUMBERS, "[0.5, 1, 2, 4, 8]", 1e-3, 1e6, NULL,
     "Dose grid: chemical SNRs"},
    {"sweep", "haadf_dose_e_per_A2", SF_CFG_NUMBERS, "[]", 1e-12, INF, NULL,
     "Dose grid in HAADF doses instead of SNRs (with chem_dose_e_per_A2)"},
    {"sweep", "chem_dose_e_per_A2", SF_CFG_NUMBERS, "[]", 1e-12, INF, NULL,
     "Dose grid in chemical doses instead of SNRs"},
    {"sweep", "gamma_true", SF_CFG_NUMBERS, "[1.5, 1.7, 1.9]", 0.1, 4, NULL,
     "Gamma sweep: true gammas"},
    {"sweep", "gamma_assumed", SF_CFG_NUMBERS, "[1.0, 1.4, 1.6, 1.7, 1.8, 2.0]", 0.1, 4, NULL,
     "Gamma sweep: gammas assumed by the recovery"},
    {"sweep", "lambda_tv", SF_CFG_NUMBERS, "[0.01, 0.03, 0.1, 0.3, 1, 3, 10]", 0, INF, NULL,
     "Lambda sweep: TV weights (as fuse.lambda_tv, same mode)"},
    {"sweep", "realisations", SF_CFG_INT, "1", 1, 100, NULL,
     "Noise realisations per grid point"},
};

static const sf_config_schema schema = {"recipe", keys, sizeof keys / sizeof keys[0], arrays};

const sf_config_schema *sf_recipe_schema(void) { return &schema; }
