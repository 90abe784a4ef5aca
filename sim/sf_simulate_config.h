/* sf_simulate_config.h - a STEM simulation described by a configuration file:
   the schema of `stemfuse simulate`, its translation into the engine's
   parameters, the checks made before any work, the run over frozen-phonon
   configurations and the export of the result.

   Tables (docs/simulate.md lists every key; units are in key names):
   [structure] an XYZ file (path relative to the config file) or a crystal
   builder (crystal, zone, cells, or a particle shape with vacuum);
   [potential] parameterization, projection, sampling_A, slice_A,
   band_limit; [beam] energy_keV and tilt; [probe] semiangle_mrad,
   defocus_A (positive = underfocus), C30_mm, C50_mm, the other aberrations
   C<nm>_A with azimuths phi<nm>_deg, source_size_A (Gaussian standard
   deviation), focal_spread_A; [scan] window_A or window_frac, step_A (0:
   the probe's Nyquist step), or positions_A; [[detector]] name, inner_mrad,
   outer_mrad, segments, rotation_deg; [phonons] configurations (0: static
   lattice), seed, thermal (per-element "El:B=...", "El:u_rms=..."); [output]
   depths_A, radial_bin_mrad, com, png; [sim] algorithm, prism_f, threads,
   batch, memory_limit_MiB (0: the physical memory).

   Grid: square pixels. nx is the smallest 2,3,5,7-smooth count with
   a / nx <= sampling_A (so sampling_A is the largest pixel side), ny the
   matching count for b; a cell whose b is not a whole number of pixels
   within 1 % of a pixel is refused. Slices: n = ceil(c / slice_A) slices of
   dz = c / n; the entrance plane is half a slice above the lowest atom, so
   atomic planes spaced by dz lie at slice centres (no atom sits on a slice
   boundary, and thermal displacements below dz / 2 keep every atom in its
   slice); atoms above the entrance or below the exit are kept in the first
   or last slice.

   Output names follow the HyperSpy rule (no name is a prefix of another):
   <subject>[_d<NN>]_<kind>, kind "mean" or "stderr" (sf_simulate_map_name).

   Catalogue: sf_simulate_config_schema, sf_simulate_setup_create,
   sf_simulate_setup_destroy, sf_simulate_setup_check,
   sf_simulate_output_names, sf_simulate_estimate, sf_simulate_run,
   sf_simulate_to_imageset, sf_simulate_map_name. */
#ifndef SF_SIMULATE_CONFIG_H
#define SF_SIMULATE_CONFIG_H
#include "core/sf_imageset.h"
#include "io/sf_config.h"
#include "potentials/sf_phonon.h"
#include "potentials/sf_projpot.h"
#include "sim/sf_detector.h"
#include "sim/sf_multislice.h"
#include "sim/sf_scan.h"
#include "sim/sf_structure.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Everything a run needs, resolved from a validated configuration. */
typedef struct sf_simulate_setup {
  const sf_config *cfg;         /* the configuration (not owned; for messages) */
  sf_stem_params params;        /* detectors and depths point into this struct */
  sf_detector *detectors;       /* owned */
  size_t *depth_slices;         /* owned (NULL: exit surface only) */
  sf_projpot_options potential;
  sf_structure *structure;      /* owned: the specimen's atoms and cell */
  char structure_source[512];   /* "file x.xyz" or "crystal SrTiO3 [001] 4x4x5" */
  sf_scan *scan;                /* owned */
  size_t configurations;        /* 0: static lattice; N: frozen phonons */
  uint64_t seed;
  sf_phonon_rms rms;            /* per-element u_rms (A) from [phonons] thermal */
  int rms_set;                  /* 1 when any element of rms is set */
  double z0_A;                  /* entrance plane */
  double strain_y;              /* relative mismatch b / (ny h) - 1 of the grid */
  int png;                      /* 1: PNG previews */
} sf_simulate_setup;

/* Cost of a run, for the summary. */
typedef struct sf_simulate_cost {
  double memory_bytes;   /* sf_stem_memory_estimate */
  double fft_s;          /* one measured single-precision FFT of the grid */
  double time_s;         /* estimated wall time of the whole run */
  size_t prism_beams;    /* PRISM beams (0 for multislice) */
} sf_simulate_cost;

/** The schema of `stemfuse simulate` (static storage). */
const sf_config_schema *sf_simulate_config_schema(void);

/** Resolve cfg (already validated against sf_simulate_config_schema()) into
    a setup: build or read the structure (file paths relative to config_dir,
    which may be NULL for the working directory), choose the grid and the
    slices, fill the engine parameters, make the scan. Errors that belong to
    one key start with its origin: "file:line: table.key = value: reason".
    memory_limit_MiB = 0 becomes the physical memory. *out owned by the
    caller; cfg must outlive it. */
int sf_simulate_setup_create(const sf_config *cfg, const char *config_dir,
                             sf_simulate_setup **out);
/** Free. NULL is a no-op. */
void sf_simulate_setup_destroy(sf_simulate_setup *s);

/** Every check before any work, each error naming the key it comes from:
    sampling too coarse for the aperture (potential.sampling_A), a detector
    beyond the band limit (detector.i.outer_mrad), the scan outside the cell
    (scan), the memory estimate above the limit (sim.memory_limit_MiB), then
    sf_stem_params_check for the rest, and the planned output names
    (sf_imageset_check_names). */
int sf_simulate_setup_check(const sf_simulate_setup *s);

/** Add a 1 x 1 placeholder map for every name the run will write
    (sf_simulate_to_imageset) to `plan`, so that names and preview paths can
    be checked before any work. */
int sf_simulate_output_names(const sf_simulate_setup *s, sf_imageset *plan);

/** Memory and time estimates (the time from one FFT of the grid, timed now,
    times the FFTs of the run, divided over the threads). */
int sf_simulate_estimate(const sf_simulate_setup *s, sf_simulate_cost *cost);

/** Run the simulation: configuration c gets the structure displaced by
    sf_structure_phonon(seed, c) (static lattice: as it is; partial
    occupancy then refused), clamped into the slices. *out owned by the
    caller. */
int sf_simulate_run(const sf_simulate_setup *s, sf_stem_result **out);

/** Add the maps of res (sf_stem_result_to_imageset) and the parameters:
    "microscope" (sf_stem_attrs), "potential" (sf_projpot_attrs),
    "simulation" (structure, atoms, cell, configurations, seed, phonon
    model, grid, z0, wall time wall_s). */
int sf_simulate_to_imageset(const sf_simulate_setup *s, const sf_stem_result *res,
                            double wall_s, sf_imageset *set);

/** Output map name <subject>[_d<NN>][_<kind>] into buf: the depth tag is
    present when n_depths > 1, zero-padded to the width of n_depths - 1 (at
    least 2 digits), so names of one set never differ only in tag length;
    kind may be NULL or "" (no suffix). SF_EINVAL when the name does not fit
    SF_NAME_MAX or size. */
int sf_simulate_map_name(char *buf, size_t size, const char *subject, size_t depth,
                         size_t n_depths, const char *kind);

#ifdef __cplusplus
}
#endif
#endif
