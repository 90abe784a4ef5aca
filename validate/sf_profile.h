/* sf_profile.h - line profiles across maps, averaged over a band.

   A profile runs along the segment (x0, y0) -> (x1, y1), given in pixel
   coordinates (pixel (ix, iy) has its centre at (ix, iy)) or in the maps'
   calibrated units (Å or nm, converted with each axis's origin and step).
   Samples are spaced one pixel apart along the segment, starting at its
   first end: n = floor(length_px + 1e-9) + 1. At each sample the value is the mean
   of bilinear interpolations at w = max(1, round(width_px)) points spaced
   one pixel apart on the perpendicular, centred on the line (offsets
   (j - (w - 1) / 2) px, j = 0..w-1; 10 px in the paper). Points outside
   [0, nx - 1] x [0, ny - 1] are left out of the mean; a sample with none
   inside is NAN. Positions are the distance from the first end, in Å when
   the x and y axes are in Å or nm (in pixels otherwise). Several maps on the
   same grid share one segment. Definitions: docs/validation-model.md.

   Catalogue: sf_profile_bilinear, sf_profile_extract, sf_profile_destroy. */
#ifndef SF_PROFILE_H
#define SF_PROFILE_H
#include "core/sf_imageset.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_profile_units {
  SF_PROFILE_PIXELS = 0,    /* coordinates and width in pixels */
  SF_PROFILE_CALIBRATED = 1 /* coordinates in the axes' units (Å or nm), width in Å */
} sf_profile_units;

typedef struct sf_profile {
  size_t n;             /* samples along the line */
  size_t n_maps;        /* maps profiled */
  size_t band_points;   /* w, points averaged across the line */
  double *position;     /* n distances from the first end */
  char position_units[SF_UNITS_MAX]; /* "Å" or "px" */
  double **values;      /* values[m][k]: map m, sample k */
  char (*names)[SF_NAME_MAX]; /* names[m] */
  double x0_px, y0_px, x1_px, y1_px; /* the segment in pixel coordinates */
} sf_profile;

/** Bilinear interpolation of image map m at pixel coordinates (x, y) inside
    [0, nx - 1] x [0, ny - 1]; NAN outside. */
double sf_profile_bilinear(const sf_map *m, double x, double y);

/** Profile the n_maps image maps (same grid and axes) along (x0, y0) -> (x1,
    y1) with a band of the given width (pixels, or Å with
    SF_PROFILE_CALIBRATED). *out is owned by the caller (sf_profile_destroy).
    SF_EINVAL for maps on different grids or cubes, an end outside the map,
    a zero-length segment, a non-finite or negative width, or (with
    SF_PROFILE_CALIBRATED) axes not in Å or nm or non-square pixels; SF_ENOMEM. */
int sf_profile_extract(const sf_map *const *maps, size_t n_maps, double x0, double y0, double x1,
                       double y1, double width, sf_profile_units units, sf_profile **out);
/** Free a profile. NULL is a no-op. */
void sf_profile_destroy(sf_profile *p);

#ifdef __cplusplus
}
#endif
#endif
