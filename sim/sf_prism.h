/* sf_prism.h - PRISM: STEM probes formed from a scattering matrix
   (C. Ophus, Adv. Struct. Chem. Imaging 3, 13 (2017),
   doi:10.1186/s40679-017-0046-1).

   1. Beams: every f-th Fourier bin inside the probe aperture,
      q_j = (f mx / Lx, f my / Ly) (sf_probe_beams with stride f).
   2. S-matrix: each plane wave exp(2 pi i q_j.r) is run through the specimen
      by the multislice engine; at every recorded depth its Fourier-space
      wave (band-limited to k_max) is moved onto a reduced real-space grid of
      nx' x ny' pixels, the smallest FFT-friendly multiple of f per axis that
      holds every frequency |m| <= k_max L (exact Fourier interpolation:
      nothing inside the band limit is lost), and stored as S_j(r').
   3. Probe at r_p: psi(r') = sum_j c_j S_j(r') with the probe coefficients
      c_j = A_j exp(-i chi_j) exp(-2 pi i q_j.r_p) / sqrt(N_w sum A^2),
      evaluated only in the window of (nx'/f) x (ny'/f) pixels (Lx/f x Ly/f)
      centred on the pixel nearest r_p (the cropping).
   4. Detection: the window is Fourier transformed (N_w pixels, frequency
      step f/L) and measured by the detectors (sf_detector.h) with the same
      band limit; in vacuum the window holds exactly one period of the
      probe, so its intensity is 1.

   f = 1 takes every beam and the whole cell: the result equals multislice on
   the same grid up to single-precision rounding. For f > 1 the probe is
   periodic with period L/f and truncated to the window, which changes the
   result where the probe or its scattered intensity reaches beyond L/(2f);
   the diffraction sampling is f/L (so radial bins finer than
   1000 lambda f / L mrad are unevenly filled). Memory: n_depths x beams x
   nx' ny' complex floats; sf_prism_memory_estimate gives it before the run.
   Each frozen-phonon configuration needs its own S-matrix.

   Catalogue: sf_prism_reduced_grid, sf_prism_beam_count,
   sf_prism_memory_estimate, sf_prism_smatrix_build,
   sf_prism_smatrix_destroy, sf_prism_smatrix_beams,
   sf_prism_smatrix_grid, sf_prism_run. */
#ifndef SF_PRISM_H
#define SF_PRISM_H
#include "core/sf_progress.h"
#include "sim/sf_detector.h"
#include "sim/sf_multislice.h"
#include "sim/sf_scan.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_smatrix sf_smatrix; /* opaque */

/** Reduced grid of the S-matrix for grid g and factor f (1..64): the
    smallest multiple of f per axis above 2 floor(k_max L) whose factors are
    2, 3, 5 and 7 only, into *nx_red, *ny_red. */
int sf_prism_reduced_grid(const sf_wavegrid *g, int f, size_t *nx_red, size_t *ny_red);

/** Number of PRISM beams of p at factor f into *n_beams. */
int sf_prism_beam_count(const sf_stem_params *p, int f, size_t *n_beams);

/** Bytes of the PRISM-specific memory of p at factor p->prism_f (S-matrix
    for all recorded depths, per-thread window and beam buffers) into
    *bytes; sf_stem_memory_estimate adds the rest. */
int sf_prism_memory_estimate(const sf_stem_params *p, double *bytes);

/** Build the S-matrix of the specimen with the engine ms (its grid, probe,
    depths, detectors, threads) at factor f (1..64), parallel over beams
    (each beam in one thread, so the result does not depend on the thread
    count). Plans FFTW transforms (call from one thread). Refuses with
    SF_ENOMEM when p->memory_limit_bytes is set and the S-matrix does not
    fit. progress may be NULL. *out owned by the caller. */
int sf_prism_smatrix_build(const sf_multislice *ms, const sf_specimen *spec, int f,
                           sf_progress *progress, sf_smatrix **out);
/** Free. NULL is a no-op. */
void sf_prism_smatrix_destroy(sf_smatrix *S);

/** Number of beams of S. */
size_t sf_prism_smatrix_beams(const sf_smatrix *S);
/** Reduced grid and window of S (any pointer may be NULL). */
void sf_prism_smatrix_grid(const sf_smatrix *S, size_t *nx_red, size_t *ny_red,
                           size_t *nx_window, size_t *ny_window);

/** Form every probe of the scan from S (averaging focal-spread nodes),
    measure it, and commit the configuration to res (made by
    sf_multislice_result_create with the engine that built S). The scan must
    lie in the cell (SF_ERANGE). progress may be NULL. */
int sf_prism_run(const sf_smatrix *S, const sf_scan *scan, sf_stem_result *res,
                 sf_progress *progress);

#ifdef __cplusplus
}
#endif
#endif
