/* sf_propagator.h - the wave grid of the elastic STEM engine and the Fresnel
   propagator of one slice, with its explicit band limit.

   A sf_wavegrid is a periodic grid of nx x ny square pixels of side
   sampling_A (A) for electrons of energy_keV. Pixel (ix, iy) is centred on
   (ix h, iy h) and stored at [iy * nx + ix]. FFT bin i of an axis of n
   pixels holds the spatial frequency m / (n h) with m = i for i < (n+1)/2
   and m = i - n otherwise (1/A, no factor 2 pi; forward transform
   exp(-2 pi i q.r)). The scattering angle of a frequency is alpha = lambda |q|
   (rad; small-angle form, the one the Fresnel propagator uses).

   Band limit: every wave and transmission function keeps only the disc
   |q| <= k_max = band_limit / (2 h) (band_limit = 2/3 of Nyquist by default,
   Kirkland's choice, so that the product of two band-limited functions does
   not alias into the disc). The largest valid scattering angle is
   alpha_max = lambda k_max (mrad in alpha_max_mrad): no detector may reach
   beyond it and the probe aperture must lie inside it. The rule is the one
   of sf_projpot_transmission: a bin is kept when qx^2 + qy^2 <= k_max^2.

   Propagator of a slice of thickness dz (A), optionally for a tilted beam
   (tilt angles theta_x, theta_y):
       P(q) = exp(-i pi lambda dz q^2) exp(2 pi i dz (qx tan theta_x + qy tan theta_y))
   inside the disc, 0 outside; multiplied by a caller-given real scale (the
   engine folds the 1/(nx ny) of the unnormalised FFTW pair into it).

   Wave helpers shared by the engines: sf_wave_plan makes a single-threaded
   in-place FFTW plan of `howmany` contiguous grids (executed later with
   fftwf_execute_dft on other 64-byte-aligned buffers by any thread), and
   sf_wave_multiply multiplies two complex arrays element by element.

   Catalogue: sf_wavegrid_init, sf_wavegrid_frequency, sf_wavegrid_in_band,
   sf_wavegrid_band_fraction, sf_propagator_fill, sf_propagator_phase,
   sf_wave_plan, sf_wave_multiply. */
#ifndef SF_PROPAGATOR_H
#define SF_PROPAGATOR_H
#include <fftw3.h>
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_BAND_LIMIT_DEFAULT (2.0 / 3.0)

/* A periodic wave grid (read-only after sf_wavegrid_init). */
typedef struct sf_wavegrid {
  size_t nx, ny;         /* pixels (>= 2 each) */
  double sampling_A;     /* pixel side h (A) */
  double energy_keV;     /* beam energy */
  double lambda_A;       /* relativistic wavelength (A) */
  double band_limit;     /* kept fraction of Nyquist, in (0, 1] */
  double k_max_invA;     /* band_limit / (2 h) (1/A) */
  double alpha_max_mrad; /* 1000 lambda k_max: largest valid scattering angle (mrad) */
  double cell_x_A;       /* period nx h (A) */
  double cell_y_A;       /* period ny h (A) */
} sf_wavegrid;

/** Fill *g for nx x ny pixels (each in 2..65536) of side sampling_A (> 0,
    A) at energy_keV (> 0) with band_limit in (0, 1] (fraction of Nyquist;
    SF_BAND_LIMIT_DEFAULT = 2/3). SF_EINVAL naming the bad value. */
int sf_wavegrid_init(sf_wavegrid *g, size_t nx, size_t ny, double sampling_A, double energy_keV,
                     double band_limit);

/** Spatial frequency (1/A) of FFT bin i of an axis of n bins of period
    length_A: m / length_A with m = i for i < (n+1)/2, i - n otherwise. */
double sf_wavegrid_frequency(size_t i, size_t n, double length_A);

/** 1 when bin (ix, iy) of g lies inside the band-limit disc, 0 otherwise. */
int sf_wavegrid_in_band(const sf_wavegrid *g, size_t ix, size_t iy);

/** Fraction of the nx*ny bins inside the band-limit disc (about
    pi band_limit^2 / 4). */
double sf_wavegrid_band_fraction(const sf_wavegrid *g);

/** Propagator phase (rad) at frequency (qx, qy) (1/A) for a slice of
    thickness dz_A and beam tilt (tilt_x_mrad, tilt_y_mrad): the argument of
    P above, -pi lambda dz q^2 + 2 pi dz (qx tan tx + qy tan ty). */
double sf_propagator_phase(const sf_wavegrid *g, double qx_invA, double qy_invA, double dz_A,
                           double tilt_x_mrad, double tilt_y_mrad);

/** Write scale * P(q) of a slice of thickness dz_A (finite, may be negative
    for back-propagation) with beam tilt (tilt_x_mrad, tilt_y_mrad) into P
    (nx*ny fftwf_complex in FFT bin order, caller-owned), zero outside the
    band-limit disc. The phase is evaluated in double precision. SF_EINVAL
    for NULL or non-finite arguments. */
int sf_propagator_fill(const sf_wavegrid *g, double dz_A, double tilt_x_mrad, double tilt_y_mrad,
                       double scale, fftwf_complex *P);

/** Plan `howmany` (>= 1) in-place 2-D transforms of nx x ny (row-major,
    consecutive) on buf (64-byte aligned, howmany*nx*ny values; overwritten
    when measure = 1) in direction sign (FFTW_FORWARD or FFTW_BACKWARD),
    single-threaded, with FFTW_MEASURE (measure = 1) or FFTW_ESTIMATE. The
    planner's thread setting is restored afterwards. Not thread-safe (FFTW's
    planner). *plan: destroy with fftwf_destroy_plan. SF_ENOMEM when FFTW
    cannot plan. */
int sf_wave_plan(size_t nx, size_t ny, size_t howmany, fftwf_complex *buf, int sign, int measure,
                 fftwf_plan *plan);

/** a[i] *= b[i] for i < n (single-precision complex; b is read only, and
    not const-qualified so that plain fftwf_complex arrays pass under
    ISO C17, as in FFTW's own interface). */
void sf_wave_multiply(fftwf_complex *a, fftwf_complex *b, size_t n);

#ifdef __cplusplus
}
#endif
#endif
