/* sf_fuse_multires.h - multi-resolution start for the default fusion mode:
   a coarse solve whose upsampled result is the initial guess of the
   full-resolution solve (the paper's remedy against spurious atoms at
   atomic resolution: start from a reconstruction below the first Bragg
   peaks).

   Coarse data, for a reduction factor f (coarse grid ceil(nx/f) x
   ceil(ny/f) for binning, round(nx/f) x round(ny/f) for Fourier):
     * binning: chemical maps are summed over f x f blocks (counts stay
       counts, Poisson statistics stay exact), the HAADF is averaged; a
       partial block at the right or bottom edge is scaled to a full one
       (its sum times f^2 / pixels), area ratio a = f^2;
     * Fourier cropping: every map keeps the frequencies below 1/(2f) cycles
       per pixel (the spectrum cropped to the coarse grid, no wrap-around),
       then the chemical maps are scaled by the pixel-area ratio
       a = (nx ny)/(cnx cny) so that they hold counts per coarse pixel and
       clipped at 0 (ringing), the HAADF kept as an average (the real part
       of the inverse transform).
   The coarse problem is solved with the same parameters (lambda_tv
   unchanged: TV of the coarse predicted maps; the HAADF noise is
   re-estimated on the coarse HAADF, or a given one divided by sqrt(a); a
   fixed scale s is divided by a^gamma, since coarse x holds a times more
   per pixel). FFTW plans are made inside, so the Fourier functions are not
   thread-safe (FFTW's planner).
   The coarse x is divided by the area ratio and upsampled: bilinear
   interpolation between coarse pixel centres (binning) or zero-padding of
   the spectrum (Fourier), clipped at 0.

   Catalogue: sf_fuse_multires_params_default, sf_fuse_multires_method_parse,
   sf_fuse_multires_method_name, sf_fuse_multires_coarse_size,
   sf_fuse_multires_reduce, sf_fuse_multires_expand,
   sf_fuse_multires_initial. */
#ifndef SF_FUSE_MULTIRES_H
#define SF_FUSE_MULTIRES_H
#include "recon/sf_fuse.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* How the coarse data are made. Values are frozen. */
typedef enum sf_fuse_multires_method {
  SF_FUSE_MULTIRES_FOURIER = 0, /* "fourier": crop the spectrum */
  SF_FUSE_MULTIRES_BIN = 1      /* "bin": f x f block sums */
} sf_fuse_multires_method;

typedef struct sf_fuse_multires_params {
  sf_fuse_multires_method method; /* default SF_FUSE_MULTIRES_FOURIER */
  double factor;                  /* reduction factor f > 1; integer for binning (default 2) */
  int coarse_max_iter;            /* iteration cap of the coarse solve (default 300) */
} sf_fuse_multires_params;

typedef struct sf_fuse_multires_info {
  size_t cnx, cny;       /* coarse grid */
  double area_ratio;     /* a: f^2 (binning) or (nx ny) / (cnx cny) (Fourier) */
  int coarse_iterations; /* iterations of the coarse solve */
  sf_fuse_stop coarse_stop;
  double seconds;        /* wall time of the coarse stage (reduce, solve, expand) */
} sf_fuse_multires_info;

/** Defaults listed in sf_fuse_multires_params. */
void sf_fuse_multires_params_default(sf_fuse_multires_params *p);
/** Parse "fourier" or "bin". SF_OK or SF_EINVAL naming the text. */
int sf_fuse_multires_method_parse(const char *text, sf_fuse_multires_method *method);
/** Name of a method, or "unknown". */
const char *sf_fuse_multires_method_name(sf_fuse_multires_method method);

/** Coarse grid for nx x ny and the parameters into *cnx, *cny. SF_EINVAL
    when the factor is not > 1 (or not an integer for binning) or the coarse
    grid would have fewer than 2 pixels along an axis. */
int sf_fuse_multires_coarse_size(const sf_fuse_multires_params *mp, size_t nx, size_t ny,
                                 size_t *cnx, size_t *cny);

/** Reduce one map (nx*ny) to the coarse grid (cnx*cny from
    sf_fuse_multires_coarse_size, out caller-owned). sum = 1: block sums
    (binning) or values scaled by the area ratio (Fourier); sum = 0:
    averages. Fourier output is real and not clipped. Returns SF_OK,
    SF_EINVAL or SF_ENOMEM. */
int sf_fuse_multires_reduce(const sf_fuse_multires_params *mp, size_t nx, size_t ny,
                            const double *in, int sum, double *out);

/** Expand one coarse map (cnx*cny) to nx*ny (out caller-owned): bilinear
    between pixel centres (binning) or spectral zero padding (Fourier); values
    keep their level (a constant stays the same constant). Returns SF_OK,
    SF_EINVAL or SF_ENOMEM. */
int sf_fuse_multires_expand(const sf_fuse_multires_params *mp, size_t cnx, size_t cny,
                            const double *in, size_t nx, size_t ny, double *out);

/** Coarse solve of prob with par and the upsampled initial guess into x0
    (n_elements*nx*ny, caller-owned, >= 0), in the units of the full
    resolution x. info may be NULL. Returns SF_OK, SF_EINVAL, SF_ENUMERIC or
    SF_ENOMEM. */
int sf_fuse_multires_initial(const sf_fuse_problem *prob, const sf_fuse_params *par,
                             const sf_fuse_multires_params *mp, double *x0,
                             sf_fuse_multires_info *info);

#ifdef __cplusplus
}
#endif
#endif
