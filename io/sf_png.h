/* sf_png.h - maps and RGB rasters as 8-bit PNG images (libpng 1.6).

   A map slice becomes an 8-bit grayscale image: values are clipped to the
   given lower and upper percentiles of the slice's finite values (in percent,
   e.g. 0.5 and 99.5; linear interpolation between order statistics, as
   numpy.percentile's default) and scaled linearly, so the lower percentile
   value is 0 and the upper one 255 (rounded to nearest). NaN pixels are 0,
   +Inf 255 and -Inf 0; a map whose percentile range is empty (a constant map)
   is mid-gray, 128. Orientation follows the image convention of HyperSpy and
   matplotlib's imshow: PNG row 0 (the top of the picture) is iy = 0, and
   column 0 is ix = 0. Three maps can be overlaid as the red, green and blue
   channels, each scaled on its own. Every file is written under a temporary
   name and renamed (io/sf_atomic.h) and carries a "Software" text chunk;
   libpng errors are caught (setjmp) and returned as SF_EIO.

   Catalogue: sf_io_png_write_map, sf_io_png_write_rgb, sf_io_png_write_rgb8,
   sf_io_png_percentile_range. */
#ifndef SF_PNG_H
#define SF_PNG_H
#include "core/sf_imageset.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/** The values at the lo_percentile and hi_percentile (percent, 0 <= lo < hi
    <= 100) of the finite values of slice iz of m, into *lo and *hi; *n_finite
    (optional) gets how many finite values there were. With no finite value,
    *lo = *hi = 0. SF_EINVAL for bad percentiles, SF_ERANGE for iz >= nz. */
int sf_io_png_percentile_range(const sf_map *m, size_t iz, double lo_percentile,
                               double hi_percentile, double *lo, double *hi, size_t *n_finite);

/** Write slice iz of map m as an 8-bit grayscale PNG of nx x ny pixels (row 0
    = iy 0), clipped to the lo/hi percentiles (percent) and scaled linearly.
    An existing file is replaced only with force != 0 (else SF_EEXIST). */
int sf_io_png_write_map(const sf_map *m, size_t iz, const char *path, double lo_percentile,
                        double hi_percentile, int force);

/** Write an RGB overlay of three 2-D maps (red, green, blue; any may be NULL,
    giving a zero channel, but not all three). Each channel is clipped to its
    own lo/hi percentiles (percent) and scaled linearly; row 0 = iy 0. Maps of
    different sizes are SF_EINVAL naming both maps and their sizes; cubes
    (nz > 1) are SF_EINVAL. */
int sf_io_png_write_rgb(const sf_map *r, const sf_map *g, const sf_map *b, const char *path,
                        double lo_p, double hi_p, int force);

/** Write an 8-bit RGB PNG from `rgb`: width*height*3 bytes, row-major, row 0
    at the top, bytes R, G, B per pixel (the caller keeps ownership). */
int sf_io_png_write_rgb8(const unsigned char *rgb, size_t width, size_t height, const char *path,
                         int force);

#ifdef __cplusplus
}
#endif
#endif
