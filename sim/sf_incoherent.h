/* sf_incoherent.h - the linear incoherent imaging model: HAADF and chemical maps
   from projected element maps.

   Given ground-truth projected number densities x_i (atoms per Å^2, e.g. the
   "truth_<symbol>" maps of sf_phantom_project), the HAADF is one of two
   documented forms, evaluated per pixel:
       paper:   H = sum_i (Z_i x_i)^gamma   (Schwartz et al. 2022, Eq. 1)
       linear:  H = sum_i Z_i^gamma x_i      (linear in the amount of material)
   and the chemical map of element i is C_i = y_i x_i with a relative yield
   y_i. An optional Gaussian probe blur (FWHM in Å) is applied to H and to every
   C_i after the model is evaluated (the image is the object function
   convolved with the probe intensity): a separable convolution with a
   sampled Gaussian truncated at 6 sigma and normalised to unit sum, with
   periodic or reflecting (half-sample symmetric) boundaries; both conserve
   the image sum. The HAADF is in arbitrary units; noise at a stated dose is
   added by validate/sf_noise.h. Definitions: docs/validation-model.md.

   Catalogue: sf_incoherent_form_parse, sf_incoherent_form_name,
   sf_incoherent_boundary_parse, sf_incoherent_boundary_name,
   sf_incoherent_haadf, sf_incoherent_blur, sf_incoherent_simulate. */
#ifndef SF_INCOHERENT_H
#define SF_INCOHERENT_H
#include "core/sf_imageset.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_haadf_form {
  SF_HAADF_PAPER = 0, /* sum_i (Z_i x_i)^gamma */
  SF_HAADF_LINEAR = 1 /* sum_i Z_i^gamma x_i */
} sf_haadf_form;

typedef enum sf_blur_boundary {
  SF_BLUR_PERIODIC = 0, /* the image repeats */
  SF_BLUR_REFLECT = 1   /* mirrored about the outer pixel edges: x[-1] = x[0] */
} sf_blur_boundary;

/** "paper" or "linear" into *form; SF_EINVAL naming the text otherwise. */
int sf_incoherent_form_parse(const char *text, sf_haadf_form *form);
/** "paper", "linear" or "unknown". */
const char *sf_incoherent_form_name(sf_haadf_form form);
/** "periodic" or "reflect" into *boundary; SF_EINVAL naming the text otherwise. */
int sf_incoherent_boundary_parse(const char *text, sf_blur_boundary *boundary);
/** "periodic", "reflect" or "unknown". */
const char *sf_incoherent_boundary_name(sf_blur_boundary boundary);

/** HAADF of `form` with exponent gamma (finite, > 0) at npix pixels from
    n_el element maps x[i] (caller-owned arrays of npix values, >= 0, atoms
    per Å^2) with atomic numbers Z[i] (> 0), written to out (caller-owned,
    npix values, arbitrary units). SF_EINVAL naming the element and pixel for
    a negative or non-finite x, or naming a bad gamma or Z. */
int sf_incoherent_haadf(sf_haadf_form form, double gamma, size_t n_el, const int *Z,
                        const double *const *x, size_t npix, double *out);

/** Blur the nx x ny image img (data[iy*nx + ix], in place) with a Gaussian of
    full width at half maximum fwhm_A (Å; 0 leaves the image unchanged) on a
    grid of pixel size sampling_x_A x sampling_y_A (Å, > 0). The kernel is
    sampled at integer pixel offsets, truncated at ceil(6 sigma) pixels and
    normalised to unit sum; sigma = fwhm / (2 sqrt(2 ln 2)). SF_EINVAL for a
    bad size or boundary, SF_ENOMEM when the work row cannot be allocated. */
int sf_incoherent_blur(double *img, size_t nx, size_t ny, double sampling_x_A,
                       double sampling_y_A, double fwhm_A, sf_blur_boundary boundary);

typedef struct sf_incoherent_element {
  const char *truth_map; /* input map of x_i in the set, e.g. "truth_Co" */
  int Z;                 /* atomic number (> 0) */
  double yield;          /* relative chemical yield y_i (finite, >= 0) */
  const char *chem_map;  /* output chemical map, e.g. "EDX_Co"; NULL: no chemical map */
} sf_incoherent_element;

typedef struct sf_incoherent_params {
  sf_haadf_form form;
  double gamma;              /* HAADF exponent (true value of the simulation) */
  double blur_fwhm_A;        /* probe blur FWHM in Å; 0: none */
  sf_blur_boundary boundary; /* boundary of the blur */
  const char *haadf_map;     /* output HAADF map name; NULL: "HAADF" */
} sf_incoherent_params;

/** Add the HAADF and chemical maps to `set` from the n_el truth maps named in
    el[] (all on one grid; the blur uses the truth maps' x/y axis steps,
    which must be in Å ("Å" or "A") or nm). Output maps are double, carry the truth maps' axes,
    and attributes: form, gamma, blur_fwhm_A, boundary, and Z and yield
    arrays (HAADF) or Z and yield (chemical maps); the set gets the same in
    group "simulation". SF_ENOENT for a missing truth map, SF_EINVAL for a
    bad parameter (named), mismatched grids, uncalibrated axes when a blur is
    asked for, or an output name already present; nothing is added then. */
int sf_incoherent_simulate(sf_imageset *set, const sf_incoherent_params *params, size_t n_el,
                           const sf_incoherent_element *el);

#ifdef __cplusplus
}
#endif
#endif
