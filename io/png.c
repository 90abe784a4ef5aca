/* png.c - maps and RGB rasters as 8-bit PNG files through libpng. */
#include "io/sf_png.h"

#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "sf_version.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest width or height a PNG can state (2^31 - 1). */
#define PNG_DIM_MAX ((size_t)0x7fffffff)

/* ---------------------------------------------------------------- libpng encoding */

typedef struct png_error_box {
  char message[256];
} png_error_box;

static void on_png_error(png_structp png, png_const_charp msg) {
  png_error_box *box = png_get_error_ptr(png);
  if (box)
    snprintf(box->message, sizeof box->message, "%s", msg ? msg : "unknown error");
  png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg) {
  (void)png;
  sf_log(SF_LOG_DEBUG, "libpng warning: %s", msg ? msg : "");
}

/* Everything that may longjmp, kept out of the function that calls setjmp. */
static void encode_rows(png_structp png, png_infop info, FILE *fp, const unsigned char *pixels,
                        size_t width, size_t height, int channels, const char *description) {
  png_init_io(png, fp);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8,
               channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  char software_key[] = "Software";
  char software[64];
  snprintf(software, sizeof software, "stemfuse %s", SF_VERSION_STRING);
  char description_key[] = "Description";
  char description_text[512];
  snprintf(description_text, sizeof description_text, "%s", description ? description : "");
  png_text text[2];
  memset(text, 0, sizeof text);
  text[0].compression = PNG_TEXT_COMPRESSION_NONE;
  text[0].key = software_key;
  text[0].text = software;
  text[1].compression = PNG_TEXT_COMPRESSION_NONE;
  text[1].key = description_key;
  text[1].text = description_text;
  png_set_text(png, info, text, description && *description ? 2 : 1);
  png_write_info(png, info);
  size_t row_bytes = width * (size_t)channels;
  for (size_t y = 0; y < height; ++y)
    png_write_row(png, pixels + y * row_bytes);
  png_write_end(png, NULL);
}

static int encode_png(FILE *fp, const char *path, const unsigned char *pixels, size_t width,
                      size_t height, int channels, const char *description) {
  png_error_box box = {""};
  png_structp png =
      png_create_write_struct(PNG_LIBPNG_VER_STRING, &box, on_png_error, on_png_warning);
  if (!png)
    return sf_error_set(SF_ENOMEM, "%s: cannot create a libpng writer", path);
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, NULL);
    return sf_error_set(SF_ENOMEM, "%s: cannot create libpng image information", path);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return sf_error_set(SF_EIO, "%s: libpng: %s", path, box.message);
  }
  encode_rows(png, info, fp, pixels, width, height, channels, description);
  png_destroy_write_struct(&png, &info);
  return SF_OK;
}

/* Encode pixels (channels 1 or 3) into `path` through a temporary file. */
static int write_png_file(const char *path, int force, const unsigned char *pixels,
                          size_t width, size_t height, int channels, const char *description) {
  if (!path)
    return sf_error_set(SF_EINVAL, "PNG output path is NULL");
  if (width == 0 || height == 0 || width > PNG_DIM_MAX || height > PNG_DIM_MAX)
    return sf_error_set(SF_EINVAL, "%s: image size %zu x %zu: each side must be 1 to %zu "
                        "pixels", path, width, height, PNG_DIM_MAX);
  sf_atomic_file af;
  SF_TRY(sf_atomic_begin(path, force, &af));
  FILE *fp = fopen(af.tmp_path, "wb");
  if (!fp) {
    int status = sf_error_set(SF_EIO, "%s: cannot create %s: %s", path, af.tmp_path,
                              strerror(errno));
    sf_atomic_abort(&af);
    return status;
  }
  int status = encode_png(fp, path, pixels, width, height, channels, description);
  if (fclose(fp) != 0 && status == SF_OK)
    status = sf_error_set(SF_EIO, "%s: closing %s: %s", path, af.tmp_path, strerror(errno));
  if (status != SF_OK) {
    sf_atomic_abort(&af);
    return status;
  }
  return sf_atomic_commit(&af);
}

int sf_io_png_write_rgb8(const unsigned char *rgb, size_t width, size_t height, const char *path,
                         int force) {
  if (!rgb)
    return sf_error_set(SF_EINVAL, "%s: RGB pixel buffer is NULL", path ? path : "(null)");
  return write_png_file(path, force, rgb, width, height, 3, NULL);
}

/* ---------------------------------------------------------------- percentile scaling */

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (numpy.percentile default). */
static double percentile_of_sorted(const double *a, size_t n, double percent) {
  double pos = percent / 100.0 * (double)(n - 1);
  size_t i = (size_t)floor(pos);
  if (i >= n - 1)
    return a[n - 1];
  double f = pos - (double)i;
  return a[i] + f * (a[i + 1] - a[i]);
}

int sf_io_png_percentile_range(const sf_map *m, size_t iz, double lo_percentile,
                               double hi_percentile, double *lo, double *hi, size_t *n_finite) {
  if (!m || !lo || !hi)
    return sf_error_set(SF_EINVAL, "sf_io_png_percentile_range: NULL argument");
  if (!(lo_percentile >= 0.0 && lo_percentile < hi_percentile && hi_percentile <= 100.0))
    return sf_error_set(SF_EINVAL, "map '%s': percentiles %g and %g: need 0 <= low < high "
                        "<= 100", m->name, lo_percentile, hi_percentile);
  if (iz >= m->nz)
    return sf_error_set(SF_ERANGE, "map '%s': slice iz = %zu does not exist (nz = %zu)",
                        m->name, iz, m->nz);
  size_t npix = m->nx * m->ny;
  double *values = malloc((npix ? npix : 1) * sizeof *values);
  if (!values)
    return sf_error_set(SF_ENOMEM, "map '%s': percentiles of %zu pixels: out of memory",
                        m->name, npix);
  size_t n = 0;
  for (size_t iy = 0; iy < m->ny; ++iy)
    for (size_t ix = 0; ix < m->nx; ++ix) {
      double v = sf_map_get(m, ix, iy, iz);
      if (isfinite(v))
        values[n++] = v;
    }
  if (n == 0) {
    *lo = *hi = 0.0;
  } else {
    qsort(values, n, sizeof *values, compare_double);
    *lo = percentile_of_sorted(values, n, lo_percentile);
    *hi = percentile_of_sorted(values, n, hi_percentile);
  }
  free(values);
  if (n_finite)
    *n_finite = n;
  return SF_OK;
}

/* 0..255 for v on the clipped linear scale [lo, hi]; see sf_png.h. */
static unsigned char gray_level(double v, double lo, double hi) {
  if (isnan(v))
    return 0;
  if (!(hi > lo))
    return v > hi ? 255 : (v < lo ? 0 : 128);
  double t = (v - lo) / (hi - lo);
  if (t <= 0.0)
    return 0;
  if (t >= 1.0)
    return 255;
  return (unsigned char)lround(t * 255.0);
}

/* Scale slice iz of m into dst[(iy*nx + ix)*stride]; describes the scale in note. */
static int scale_slice(const sf_map *m, size_t iz, double lo_p, double hi_p, unsigned char *dst,
                       size_t stride, char *note, size_t note_size) {
  double lo, hi;
  size_t n_finite;
  SF_TRY(sf_io_png_percentile_range(m, iz, lo_p, hi_p, &lo, &hi, &n_finite));
  for (size_t iy = 0; iy < m->ny; ++iy)
    for (size_t ix = 0; ix < m->nx; ++ix)
      dst[(iy * m->nx + ix) * stride] = gray_level(sf_map_get(m, ix, iy, iz), lo, hi);
  snprintf(note, note_size, "map '%s' slice %zu: 0 = %.9g (percentile %g), 255 = %.9g "
           "(percentile %g), %zu finite pixels", m->name, iz, lo, lo_p, hi, hi_p, n_finite);
  return SF_OK;
}

int sf_io_png_write_map(const sf_map *m, size_t iz, const char *path, double lo_percentile,
                        double hi_percentile, int force) {
  if (!m || !path)
    return sf_error_set(SF_EINVAL, "sf_io_png_write_map: map and path must not be NULL");
  size_t npix = m->nx * m->ny;
  unsigned char *gray = malloc(npix ? npix : 1);
  if (!gray)
    return sf_error_set(SF_ENOMEM, "%s: map '%s' (%zu x %zu): out of memory", path, m->name,
                        m->nx, m->ny);
  char note[400];
  int status = scale_slice(m, iz, lo_percentile, hi_percentile, gray, 1, note, sizeof note);
  if (status != SF_OK) {
    free(gray);
    return sf_error_prepend(status, "%s", path);
  }
  char description[512];
  snprintf(description, sizeof description, "%s; row 0 is iy = 0", note);
  status = write_png_file(path, force, gray, m->nx, m->ny, 1, description);
  free(gray);
  return status;
}

int sf_io_png_write_rgb(const sf_map *r, const sf_map *g, const sf_map *b, const char *path,
                        double lo_p, double hi_p, int force) {
  const sf_map *maps[3] = {r, g, b};
  static const char *const channel[3] = {"red", "green", "blue"};
  if (!path)
    return sf_error_set(SF_EINVAL, "sf_io_png_write_rgb: path must not be NULL");
  const sf_map *ref = NULL;
  for (int c = 0; c < 3; ++c) {
    const sf_map *m = maps[c];
    if (!m)
      continue;
    if (m->nz != 1)
      return sf_error_set(SF_EINVAL, "%s: %s map '%s' is a cube (nz = %zu); an RGB overlay "
                          "needs 2-D maps", path, channel[c], m->name, m->nz);
    if (!ref)
      ref = m;
    else if (!sf_map_same_grid(ref, m))
      return sf_error_set(SF_EINVAL, "%s: maps '%s' (%zu x %zu) and '%s' (%zu x %zu) differ in "
                          "size", path, ref->name, ref->nx, ref->ny, m->name, m->nx, m->ny);
  }
  if (!ref)
    return sf_error_set(SF_EINVAL, "%s: an RGB overlay needs at least one map", path);
  size_t npix = ref->nx * ref->ny;
  unsigned char *rgb = calloc(npix, 3);
  if (!rgb)
    return sf_error_set(SF_ENOMEM, "%s: RGB overlay of %zu x %zu: out of memory", path, ref->nx,
                        ref->ny);
  char description[1024] = "";
  size_t used = 0;
  int status = SF_OK;
  for (int c = 0; c < 3 && status == SF_OK; ++c) {
    if (!maps[c])
      continue;
    char note[320];
    status = scale_slice(maps[c], 0, lo_p, hi_p, rgb + c, 3, note, sizeof note);
    if (status == SF_OK && used < sizeof description)
      used += (size_t)snprintf(description + used, sizeof description - used, "%s%s: %s",
                               used ? "; " : "", channel[c], note);
  }
  if (status == SF_OK)
    status = write_png_file(path, force, rgb, ref->nx, ref->ny, 3, description);
  else
    sf_error_prepend(status, "%s", path);
  free(rgb);
  return status;
}
