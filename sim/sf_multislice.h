/* sf_multislice.h - the elastic STEM engine: parameters, the specimen's
   transmission functions, the multislice plan/execute pair, and the driver
   that runs multislice or PRISM over frozen-phonon configurations.

   Multislice (Kirkland 2010, ch. 6; docs/engine.md): with t_n the band-
   limited transmission function of slice n and P the band-limited Fresnel
   propagator of one slice thickness dz (sf_propagator.h),
       psi_{n+1} = IFFT[ P . FFT[ t_n psi_n ] ],
   in single precision (fftwf), starting from the probe (sf_probe.h) of unit
   intensity. Detectors read the Fourier-space wave P . FFT[t_n psi_n] after
   each recorded depth, so recording costs no extra FFT; what the band limit
   removes is reported per probe ("band_limit_loss"). Intensities are
   accumulated in double.

   Plan / execute: sf_multislice_create validates everything and makes the
   propagator, the probe beams, the detector lookup, per-thread buffers and
   the FFTW plans. FFTW_ESTIMATE is the default: its plans depend only on the
   problem, so results are bit-identical from run to run and for any thread
   count; FFTW_MEASURE (fft_measure = 1) times candidate algorithms, which is
   about 10 % faster on 312^2 grids but may pick another algorithm in another
   run (differences at single-precision rounding); it overwrites the planning
   buffers, which are filled only afterwards. The plans are single-threaded and executed with fftwf_execute_dft on
   per-thread buffers, so one plan serves all threads. Planning is not
   thread-safe: create engines from one thread. sf_multislice_run computes
   every probe entirely in one thread (OpenMP over batches of probes) and
   writes its record by scan index, so results are bit-identical for any
   thread count.

   A sf_specimen holds the transmission functions of all slices of one
   configuration (nx*ny single-precision complex values per slice); build it
   with a sf_projpot made on the same grid (same nx, ny, sampling and band
   limit) or fill it directly.

   Frozen phonons: the driver sf_stem_simulate asks a callback for the atoms
   of configuration c = 0 .. n-1 (e.g. displaced by potentials/sf_phonon.h
   with a stream seeded by (seed, c)), builds its specimen, runs it and adds
   its intensities to the result; the mean and the per-pixel standard error
   come from sf_stem_result_get.

   Catalogue: sf_stem_params_default, sf_stem_params_grid,
   sf_stem_params_check, sf_stem_memory_estimate, sf_specimen_create,
   sf_specimen_destroy, sf_specimen_slices, sf_specimen_thickness_A,
   sf_specimen_transmission, sf_specimen_grid, sf_specimen_build,
   sf_specimen_build_projected, sf_multislice_create,
   sf_multislice_destroy, sf_multislice_grid, sf_multislice_params,
   sf_multislice_depth_slices, sf_multislice_propagate,
   sf_multislice_result_create, sf_multislice_run, sf_stem_simulate,
   sf_stem_attrs. */
#ifndef SF_MULTISLICE_H
#define SF_MULTISLICE_H
#include "core/sf_attrs.h"
#include "core/sf_progress.h"
#include "potentials/sf_projpot.h"
#include "potentials/sf_slice_finite.h"
#include "sim/sf_detector.h"
#include "sim/sf_probe.h"
#include "sim/sf_propagator.h"
#include "sim/sf_scan.h"

#include <fftw3.h>
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_stem_algorithm {
  SF_STEM_MULTISLICE = 0, /* one multislice run per probe position */
  SF_STEM_PRISM = 1       /* S-matrix with interpolation factor prism_f (sf_prism.h) */
} sf_stem_algorithm;

/* Everything a STEM simulation needs besides the atoms and the scan. */
typedef struct sf_stem_params {
  size_t nx, ny;            /* wave grid (pixels) */
  double sampling_A;        /* pixel side (A) */
  double energy_keV;        /* beam energy */
  double band_limit;        /* kept fraction of Nyquist (default 2/3) */
  double slice_thickness_A; /* dz (A) */
  size_t n_slices;          /* slices of the specimen */
  const size_t *depth_slices; /* record after these slice counts (increasing, in
                                 1..n_slices; caller-owned, copied); NULL: exit only */
  size_t n_depths;
  double tilt_x_mrad, tilt_y_mrad; /* beam tilt in the propagator (default 0) */
  sf_probe_params probe;
  sf_detector_params detectors;
  sf_stem_algorithm algorithm;
  int prism_f;              /* PRISM interpolation factor (>= 1; default 4) */
  int threads;              /* <= 0: sf_threads_count() */
  size_t batch;             /* probes per FFT batch of a thread (>= 1; default 1) */
  int fft_measure;          /* 0: FFTW_ESTIMATE (default, reproducible), 1: FFTW_MEASURE */
  double memory_limit_bytes; /* > 0: refuse a run whose estimate exceeds it; 0: no limit */
  int source_periodic;      /* source blur: -1 auto (scan covers the cell), 0 mirror, 1 periodic */
  int progress;             /* 1: report progress with time left (default) */
  sf_projection_mode projection; /* infinite (default) or finite: each atom's potential split
                                    between the slices it reaches (potentials/sf_slice_finite.h) */
} sf_stem_params;

typedef struct sf_specimen sf_specimen;     /* opaque */
typedef struct sf_multislice sf_multislice; /* opaque */

/* The atoms of configuration `index` (0-based): set *atoms and *n_atoms
   (the array stays owned by the callback and must stay valid until the next
   call or the end of sf_stem_simulate). Return SF_OK or a status with a
   message. */
typedef int sf_configuration_fn(void *user, size_t index, const sf_slice_atom **atoms,
                                size_t *n_atoms);

/* Called at each recorded depth d with the Fourier-space wave
   Psi(q) = (1/N) sum_r psi(r) exp(-2 pi i q.r) (FFT bin order), so that
   psi(r) = sum_q Psi(q) exp(2 pi i q.r). The visitor must not modify psi_q. */
typedef void sf_wave_visit_fn(void *user, size_t depth_index, fftwf_complex *psi_q);

/** Defaults: 300 keV, band limit 2/3, probe defaults (20 mrad), 1 mrad
    radial bins, multislice, prism_f 4, batch 1, FFTW_ESTIMATE, automatic
    blur edges, progress on. Grid, slices and detectors must be set. */
void sf_stem_params_default(sf_stem_params *p);

/** The wave grid of p into *g (SF_EINVAL naming a bad grid value). */
int sf_stem_params_grid(const sf_stem_params *p, sf_wavegrid *g);

/** Validate p (and the scan, if non-NULL) before any work: grid, slice
    thickness and count, depths, probe (the aperture must fit inside the band
    limit: SF_ERANGE), detectors (none beyond alpha_max: SF_ERANGE), scan
    inside the cell [0, nx h] x [0, ny h] (SF_ERANGE), source size with a
    grid scan, PRISM factor, and the memory estimate against
    memory_limit_bytes (SF_ENOMEM stating the estimate and the limit). */
int sf_stem_params_check(const sf_stem_params *p, const sf_scan *scan);

/** Estimated peak bytes of a run of p over the scan (specimen, buffers,
    plans' arrays, result, S-matrix for PRISM) into *bytes. */
int sf_stem_memory_estimate(const sf_stem_params *p, const sf_scan *scan, double *bytes);

/** A specimen of n_slices (>= 1) slices of thickness_A (> 0) on grid g,
    every transmission function 1 (vacuum). *out owned by the caller. */
int sf_specimen_create(const sf_wavegrid *g, size_t n_slices, double thickness_A,
                       sf_specimen **out);
/** Free. NULL is a no-op. */
void sf_specimen_destroy(sf_specimen *s);
/** Number of slices. */
size_t sf_specimen_slices(const sf_specimen *s);
/** Slice thickness in A. */
double sf_specimen_thickness_A(const sf_specimen *s);
/** Transmission function of slice k (nx*ny values, owned by s; NULL for k
    out of range). Write to it only through a specimen you own and do not
    run at the same time; whatever is written must be band-limited to the
    grid's disc for the multislice to be alias-free. */
fftwf_complex *sf_specimen_transmission(const sf_specimen *s, size_t k);

/** The grid the specimen was made for. */
const sf_wavegrid *sf_specimen_grid(const sf_specimen *s);

/** Fill every slice from the atoms (z in A; slice k covers
    z0_A + k dz <= z < z0_A + (k+1) dz; an atom outside all slices is
    SF_ERANGE) with sf_projpot_slice at the grid's energy. pp must be made on
    the same grid: its band limit is compared with the grid's (SF_EINVAL on
    a mismatch). Uses pp's threads (call from one thread). */
int sf_specimen_build(sf_specimen *s, sf_projpot *pp, const sf_slice_atom *atoms,
                      size_t n_atoms, double z0_A);
/** As sf_specimen_build, with the finite projection when `finite` is non-NULL
    (a builder made from the same pp): every slice gets each atom's slab
    integral between its faces instead of whole atoms assigned by depth. */
int sf_specimen_build_projected(sf_specimen *s, sf_projpot *pp, sf_slice_finite *finite,
                                const sf_slice_atom *atoms, size_t n_atoms, double z0_A);

/** Plan an engine for p (validated with sf_stem_params_check without a
    scan). Creates FFTW plans (one thread only). *out owned by the caller.
    SF_EINVAL/SF_ERANGE as for the check, SF_ENOMEM. */
int sf_multislice_create(const sf_stem_params *p, sf_multislice **out);
/** Free. NULL is a no-op. */
void sf_multislice_destroy(sf_multislice *ms);

/** The engine's grid and parameters (detectors and depths point into ms). */
const sf_wavegrid *sf_multislice_grid(const sf_multislice *ms);
const sf_stem_params *sf_multislice_params(const sf_multislice *ms);
/** Recorded depths as slice counts (n = sf_multislice_params(ms)->n_depths,
    at least 1). */
const size_t *sf_multislice_depth_slices(const sf_multislice *ms);

/** Propagate the real-space wave psi (nx*ny, 64-byte aligned as from
    sf_alloc or fftwf_malloc; overwritten) through the specimen, calling
    visit at every recorded depth (see sf_wave_visit_fn). Thread-safe for
    distinct psi. SF_EINVAL when the specimen does not match the engine
    (slices, thickness). */
int sf_multislice_propagate(const sf_multislice *ms, const sf_specimen *spec, fftwf_complex *psi,
                            sf_wave_visit_fn *visit, void *user);

/** A result for the engine's detectors and depths over the scan. */
int sf_multislice_result_create(const sf_multislice *ms, const sf_scan *scan,
                                sf_stem_result **out);

/** Run every probe of the scan through the specimen (one configuration),
    averaging focal-spread nodes, and commit it to res (source blur applied
    there). progress may be NULL. Checks the scan against the cell first.
    Uses the engine's per-thread buffers: one engine must not run two scans
    at the same time. */
int sf_multislice_run(sf_multislice *ms, const sf_specimen *spec, const sf_scan *scan,
                      sf_stem_result *res, sf_progress *progress);

/** The whole simulation: validate p and the scan (memory included) before
    any work, make the engine and a projected-potential builder from popt
    (NULL: defaults; its band limit is replaced by p->band_limit), then for
    each configuration c in 0..n_configs-1 get its atoms from fn, build the
    specimen (z0_A: the entrance plane) and run multislice or PRISM.
    *out (owned by the caller) holds the mean over configurations. */
int sf_stem_simulate(const sf_stem_params *p, const sf_projpot_options *popt, double z0_A,
                     sf_configuration_fn *fn, void *user, size_t n_configs,
                     const sf_scan *scan, sf_stem_result **out);

/** Record the parameters of p in attrs under `group` (energy_keV,
    convergence_semiangle_mrad, aberrations, defocus_A, alpha_max_mrad,
    band_limit_fraction, sampling_A, grid, slice_thickness_A, n_slices,
    algorithm, prism_f, focal spread, source size). */
int sf_stem_attrs(const sf_stem_params *p, sf_attrs *attrs, const char *group);

#ifdef __cplusplus
}
#endif
#endif
