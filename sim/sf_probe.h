/* sf_probe.h - the STEM probe: condenser aperture, aberration function in
   Krivanek's polar notation, normalisation, and partial coherence (focal
   spread by Gauss-Hermite quadrature over defocus, source size as a Gaussian
   blur of the finished images).

   Probe in Fourier space at frequency q (1/A), alpha = lambda |q| (rad),
   phi = atan2(qy, qx):
       psi(q) = A(alpha) exp(-i chi(alpha, phi)) exp(-2 pi i q.r_p) / norm
       chi    = (2 pi / lambda) sum_{n,m} C_nm alpha^(n+1) / (n+1) cos(m (phi - phi_nm))
   (C_nm in A, phi_nm in rad; C10 defocus, C12 two-fold astigmatism, C21 axial
   coma, C23 three-fold astigmatism, C30 = Cs, C32, C34, C41, C43, C45,
   C50 = C5, C52, C54, C56). Sign convention: defocus = -C10 and a positive
   defocus is underfocus (Kirkland, abTEM): with C30 = 0 and C10 = -d the
   probe focuses at depth d below the entrance surface; Scherzer conditions
   (C30 > 0) have C10 < 0. With C10 alone chi = pi lambda C10 q^2, so a probe
   with C10 = z equals the focused probe propagated by z through vacuum.

   A(alpha) = 1 for alpha <= alpha_p - e/2, 0 for alpha >= alpha_p + e/2 and
   linear in between (e = edge_mrad; e = 0 is a hard edge where the
   pixel-centre angle decides). The probe is normalised to unit total
   intensity on its grid: sum over pixels of |psi(r)|^2 = 1.

   Catalogue: sf_aberrations_clear, sf_aberrations_set, sf_aberrations_get,
   sf_aberrations_set_defocus, sf_aberrations_chi, sf_probe_params_default,
   sf_probe_check, sf_probe_beams, sf_probe_coefficients, sf_probe_wave,
   sf_probe_focal_nodes, sf_probe_source_blur. */
#ifndef SF_PROBE_H
#define SF_PROBE_H
#include "sim/sf_propagator.h"

#include <fftw3.h>
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Aberration coefficients (A) and their azimuths (rad), Krivanek notation. */
typedef struct sf_aberrations {
  double C10_A;                /* defocus coefficient: defocus = -C10 */
  double C12_A, phi12_rad;     /* two-fold astigmatism */
  double C21_A, phi21_rad;     /* axial coma */
  double C23_A, phi23_rad;     /* three-fold astigmatism */
  double C30_A;                /* spherical aberration Cs */
  double C32_A, phi32_rad;     /* star aberration */
  double C34_A, phi34_rad;     /* four-fold astigmatism */
  double C41_A, phi41_rad;     /* fourth-order axial coma */
  double C43_A, phi43_rad;     /* three-lobe aberration */
  double C45_A, phi45_rad;     /* five-fold astigmatism */
  double C50_A;                /* fifth-order spherical aberration C5 */
  double C52_A, phi52_rad;
  double C54_A, phi54_rad;
  double C56_A, phi56_rad;     /* six-fold astigmatism */
} sf_aberrations;

/* Probe-forming optics and partial coherence. */
typedef struct sf_probe_params {
  double semiangle_mrad;     /* condenser aperture semi-angle alpha_p (> 0) */
  double edge_mrad;          /* width of the linear aperture edge (>= 0; 0 = hard) */
  sf_aberrations aberrations;
  double focal_spread_A;     /* standard deviation of defocus (>= 0; 0 = none) */
  int focal_nodes;           /* Gauss-Hermite nodes over defocus (1..64; default 7) */
  double source_sigma_A;     /* standard deviation of the Gaussian source (>= 0; 0 = none) */
} sf_probe_params;

/* One plane wave of the probe: an FFT bin inside the aperture. */
typedef struct sf_probe_beam {
  size_t ix, iy;         /* FFT bin on the grid the beams were made for */
  double qx_invA, qy_invA;
  double amplitude;      /* A(alpha) */
  double chi_rad;        /* chi at the nominal aberrations */
} sf_probe_beam;

/** Set every coefficient and angle to 0. */
void sf_aberrations_clear(sf_aberrations *ab);

/** Set coefficient `name` ("C10", "C12", ..., "C56"; also "Cs" = C30 and
    "C5" = C50) to C_A (A) with azimuth phi_rad (ignored for round
    aberrations). SF_EINVAL naming the name and listing the valid ones, or
    naming a non-finite value. */
int sf_aberrations_set(sf_aberrations *ab, const char *name, double C_A, double phi_rad);

/** Read coefficient `name` (as in sf_aberrations_set) into *C_A and *phi_rad
    (either may be NULL). SF_EINVAL for an unknown name. */
int sf_aberrations_get(const sf_aberrations *ab, const char *name, double *C_A, double *phi_rad);

/** Set the defocus (A, positive = underfocus): C10 = -defocus_A. */
void sf_aberrations_set_defocus(sf_aberrations *ab, double defocus_A);

/** Aberration phase chi (rad) at scattering angle alpha_rad and azimuth
    phi_rad for wavelength lambda_A (formula above). */
double sf_aberrations_chi(const sf_aberrations *ab, double lambda_A, double alpha_rad,
                          double phi_rad);

/** Defaults: 20 mrad, hard edge, no aberrations, no focal spread (7 nodes
    when enabled), no source size. */
void sf_probe_params_default(sf_probe_params *p);

/** Check p on grid g before any work: finite values in range (SF_EINVAL
    naming the key), and the aperture inside the band limit: SF_ERANGE when
    alpha_p + e/2 > alpha_max ("sampling too coarse for the aperture", naming
    the semi-angle, alpha_max, the sampling and the largest sampling that
    would do). */
int sf_probe_check(const sf_probe_params *p, const sf_wavegrid *g);

/** The beams of the probe on grid g: every FFT bin with A > 0 whose signed
    indices (mx, my) are both multiples of `stride` (1: all bins; f for the
    PRISM beams q = (f mx / Lx, f my / Ly)), in row-major bin order. *beams
    (sf_alloc'ed, caller frees with sf_free) and *n_beams. Runs sf_probe_check.
    SF_ENOMEM. */
int sf_probe_beams(const sf_probe_params *p, const sf_wavegrid *g, size_t stride,
                   sf_probe_beam **beams, size_t *n_beams);

/** Complex coefficients of the probe at position (x_A, y_A) with an extra
    defocus defocus_offset_A (A; focal-spread node) into c[j]:
       c_j = scale A_j exp(-i (chi_j - pi lambda q_j^2 defocus_offset)) exp(-2 pi i q_j.r_p)
    for the n beams (phases in double precision). With
    scale = 1 / sqrt(N sum_j A_j^2) and an unnormalised inverse FFT over N
    pixels the probe has unit intensity. */
void sf_probe_coefficients(const sf_probe_beam *beams, size_t n, double scale, double lambda_A,
                           double x_A, double y_A, double defocus_offset_A, fftwf_complex *c);

/** The probe of p centred at (x_A, y_A) in real space on grid g, normalised
    to unit intensity, into psi (nx*ny fftwf_complex, caller-owned). Plans an
    FFTW transform (FFTW_ESTIMATE): call from one thread. */
int sf_probe_wave(const sf_probe_params *p, const sf_wavegrid *g, double x_A, double y_A,
                  fftwf_complex *psi);

/** Gauss-Hermite quadrature of a Gaussian distribution of defocus with
    standard deviation sigma_A (> 0): n nodes (1..64) defocus_A[k] (A, offsets
    from the nominal defocus) and weights weight[k] (sum 1), so that
    sum_k w_k g(d_k) = <g(d)> exactly for polynomials g of degree < 2n.
    SF_EINVAL for a bad n or sigma. */
int sf_probe_focal_nodes(double sigma_A, int n, double *defocus_A, double *weight);

/** Source size: convolve an nx x ny image (data[iy*nx + ix], in place) with a
    2-D Gaussian of standard deviation sigma_A (A; 0 leaves it unchanged) on
    a scan grid with steps step_x_A, step_y_A. periodic = 1 when the scan
    covers whole periods of the specimen, otherwise mirrored edges. The
    kernel is sampled at pixel offsets, truncated at 6 sigma and normalised,
    so the image sum is kept. SF_EINVAL, SF_ENOMEM. */
int sf_probe_source_blur(double *img, size_t nx, size_t ny, double step_x_A, double step_y_A,
                         double sigma_A, int periodic);

#ifdef __cplusplus
}
#endif
#endif
