/* PNG output: grayscale scaling and clipping, orientation, RGB overlays,
   raw RGB rasters and the error paths (including a libpng error). */
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "io/sf_png.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Percentile values are interpolated in double precision. */
#define TOL_PERCENTILE 1e-12

/* A decoded PNG: 8-bit samples, `channels` per pixel, row 0 first. */
typedef struct image {
  unsigned char *px;
  size_t width, height;
  int channels;
  char software[64];
  char description[512];
} image;

/* Read an 8-bit gray or RGB PNG with libpng's reading API. */
static image read_png(const char *path) {
  image im = {0};
  FILE *fp = fopen(path, "rb");
  cr_assert_not_null(fp, "cannot open %s", path);
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  cr_assert(png && info);
  if (setjmp(png_jmpbuf(png))) {
    fclose(fp);
    cr_assert_fail("libpng could not read %s", path);
  }
  png_init_io(png, fp);
  png_read_info(png, info);
  im.width = png_get_image_width(png, info);
  im.height = png_get_image_height(png, info);
  cr_assert_eq(png_get_bit_depth(png, info), 8);
  int type = png_get_color_type(png, info);
  cr_assert(type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_RGB, "colour type %d", type);
  im.channels = type == PNG_COLOR_TYPE_GRAY ? 1 : 3;
  im.px = malloc(im.width * im.height * (size_t)im.channels);
  for (size_t y = 0; y < im.height; ++y)
    png_read_row(png, im.px + y * im.width * (size_t)im.channels, NULL);
  png_read_end(png, info);
  png_textp text;
  int ntext = 0;
  png_get_text(png, info, &text, &ntext);
  for (int i = 0; i < ntext; ++i) {
    if (strcmp(text[i].key, "Software") == 0)
      snprintf(im.software, sizeof im.software, "%s", text[i].text);
    if (strcmp(text[i].key, "Description") == 0)
      snprintf(im.description, sizeof im.description, "%s", text[i].text);
  }
  png_destroy_read_struct(&png, &info, NULL);
  fclose(fp);
  return im;
}

static unsigned char at(const image *im, size_t x, size_t y, int c) {
  return im->px[(y * im->width + x) * (size_t)im->channels + (size_t)c];
}

/* Number of directory entries other than . and .. (no temporaries left). */
static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static sf_map *new_map(sf_imageset *set, const char *name, size_t nx, size_t ny, size_t nz) {
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, name, SF_F64, nx, ny, nz, &m), SF_OK);
  return m;
}

Test(png, full_range_ramp_reads_back_as_its_values) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = new_map(set, "ramp", 256, 3, 1);
  for (size_t iy = 0; iy < 3; ++iy)
    for (size_t ix = 0; ix < 256; ++ix)
      sf_map_set(m, ix, iy, 0, 2.0 * (double)ix - 100.0); /* -100 .. 410 */
  const char *path = sf_test_path("ramp.png");
  cr_assert_eq(sf_io_png_write_map(m, 0, path, 0.0, 100.0, 0), SF_OK, "%s", sf_error_message());
  image im = read_png(path);
  cr_assert_eq(im.width, 256u);
  cr_assert_eq(im.height, 3u);
  cr_assert_eq(im.channels, 1);
  for (size_t y = 0; y < 3; ++y)
    for (size_t x = 0; x < 256; ++x)
      cr_assert_eq(at(&im, x, y, 0), x, "pixel (%zu, %zu) = %d", x, y, at(&im, x, y, 0));
  cr_assert_not_null(strstr(im.software, "stemfuse"), "Software chunk: '%s'", im.software);
  cr_assert_not_null(strstr(im.description, "map 'ramp'"), "Description: '%s'", im.description);
  cr_assert_not_null(strstr(im.description, "row 0 is iy = 0"));
  free(im.px);
  sf_imageset_destroy(set);
}

Test(png, row_zero_is_iy_zero_and_column_zero_is_ix_zero) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = new_map(set, "dots", 4, 3, 1);
  sf_map_set(m, 1, 0, 0, 2.0); /* top row, second column: white */
  sf_map_set(m, 3, 2, 0, 1.0); /* bottom row, last column: mid-gray */
  const char *path = sf_test_path("dots.png");
  cr_assert_eq(sf_io_png_write_map(m, 0, path, 0.0, 100.0, 0), SF_OK);
  image im = read_png(path);
  cr_assert_eq(im.width, 4u);
  cr_assert_eq(im.height, 3u);
  for (size_t y = 0; y < 3; ++y)
    for (size_t x = 0; x < 4; ++x) {
      int want = (x == 1 && y == 0) ? 255 : (x == 3 && y == 2) ? 128 : 0;
      cr_assert_eq(at(&im, x, y, 0), want, "pixel (%zu, %zu)", x, y);
    }
  free(im.px);
  sf_imageset_destroy(set);
}

Test(png, values_are_clipped_at_the_percentiles) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = new_map(set, "v", 10, 10, 1);
  for (size_t k = 0; k < 100; ++k) /* values 0..99, shuffled by a stride */
    sf_map_set(m, (k * 37) % 100 % 10, (k * 37) % 100 / 10, 0, (double)k);
  /* numpy.percentile(arange(100), [10, 90]) = [9.9, 89.1] */
  double lo, hi;
  size_t n;
  cr_assert_eq(sf_io_png_percentile_range(m, 0, 10.0, 90.0, &lo, &hi, &n), SF_OK);
  cr_assert_float_eq(lo, 9.9, TOL_PERCENTILE);
  cr_assert_float_eq(hi, 89.1, TOL_PERCENTILE);
  cr_assert_eq(n, 100u);
  const char *path = sf_test_path("clip.png");
  cr_assert_eq(sf_io_png_write_map(m, 0, path, 10.0, 90.0, 0), SF_OK);
  image im = read_png(path);
  int zeros = 0, whites = 0;
  for (size_t k = 0; k < 100; ++k) {
    size_t i = (k * 37) % 100;
    int g = at(&im, i % 10, i / 10, 0);
    long want = k <= 9 ? 0 : k >= 90 ? 255 : lround(((double)k - 9.9) / (89.1 - 9.9) * 255.0);
    cr_assert_eq(g, want, "value %zu gave %d, expected %ld", k, g, want);
    zeros += g == 0;
    whites += g == 255;
  }
  /* Clipped: 0..9 below the 10th percentile and 90..99 above the 90th; in
     addition 10 scales to 0.32 and 89 to 254.68, which round to 0 and 255. */
  cr_assert_eq(zeros, 11);
  cr_assert_eq(whites, 11);
  /* Value 50 sits at index (50 * 37) % 100 = 50, pixel (0, 5): (50 - 9.9) / 79.2 * 255 = 129.11 */
  cr_assert_eq(at(&im, 0, 5, 0), 129);
  free(im.px);
  sf_imageset_destroy(set);
}

Test(png, nan_is_black_constant_is_mid_gray_and_inf_saturates) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = new_map(set, "flat", 3, 2, 1);
  for (size_t k = 0; k < 6; ++k)
    sf_map_set(m, k % 3, k / 3, 0, 7.0);
  sf_map_set(m, 0, 0, 0, NAN);
  sf_map_set(m, 1, 1, 0, INFINITY);
  sf_map_set(m, 2, 1, 0, -INFINITY);
  const char *path = sf_test_path("flat.png");
  cr_assert_eq(sf_io_png_write_map(m, 0, path, 0.5, 99.5, 0), SF_OK);
  image im = read_png(path);
  cr_assert_eq(at(&im, 0, 0, 0), 0, "NaN");
  cr_assert_eq(at(&im, 1, 0, 0), 128, "constant");
  cr_assert_eq(at(&im, 2, 0, 0), 128, "constant");
  cr_assert_eq(at(&im, 0, 1, 0), 128, "constant");
  cr_assert_eq(at(&im, 1, 1, 0), 255, "+Inf");
  cr_assert_eq(at(&im, 2, 1, 0), 0, "-Inf");
  free(im.px);
  /* Infinite values do not enter the percentiles. */
  double lo, hi;
  size_t n;
  cr_assert_eq(sf_io_png_percentile_range(m, 0, 0.0, 100.0, &lo, &hi, &n), SF_OK);
  cr_assert_eq(n, 3u);
  cr_assert_eq(lo, 7.0);
  cr_assert_eq(hi, 7.0);
  sf_imageset_destroy(set);
}

Test(png, cube_slices_are_chosen_by_iz) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = new_map(set, "cube", 2, 1, 3);
  sf_map_set(m, 0, 0, 1, 1.0); /* slice 1: left white, right black */
  sf_map_set(m, 1, 0, 2, 1.0); /* slice 2: the other way round */
  cr_assert_eq(sf_io_png_write_map(m, 1, sf_test_path("s1.png"), 0.0, 100.0, 0), SF_OK);
  cr_assert_eq(sf_io_png_write_map(m, 2, sf_test_path("s2.png"), 0.0, 100.0, 0), SF_OK);
  image a = read_png(sf_test_path("s1.png")), b = read_png(sf_test_path("s2.png"));
  cr_assert_eq(at(&a, 0, 0, 0), 255);
  cr_assert_eq(at(&a, 1, 0, 0), 0);
  cr_assert_eq(at(&b, 0, 0, 0), 0);
  cr_assert_eq(at(&b, 1, 0, 0), 255);
  free(a.px);
  free(b.px);
  sf_error_clear();
  cr_assert_eq(sf_io_png_write_map(m, 3, sf_test_path("s3.png"), 0.0, 100.0, 0), SF_ERANGE);
  cr_assert_not_null(strstr(sf_error_message(), "iz = 3 does not exist (nz = 3)"), "%s",
                     sf_error_message());
  cr_assert_eq(sf_test_file_exists(sf_test_path("s3.png")), 0);
  sf_imageset_destroy(set);
}

Test(png, rgb_overlay_scales_each_channel_on_its_own) {
  sf_imageset *set = sf_imageset_create();
  sf_map *r = new_map(set, "Fe", 4, 3, 1), *b = new_map(set, "O", 4, 3, 1);
  for (size_t iy = 0; iy < 3; ++iy)
    for (size_t ix = 0; ix < 4; ++ix) {
      sf_map_set(r, ix, iy, 0, 1000.0 * (double)ix); /* 0..3000 -> 0, 85, 170, 255 */
      sf_map_set(b, ix, iy, 0, 0.5 * (double)iy);    /* 0..1 -> 0, 128, 255 */
    }
  const char *path = sf_test_path("rgb.png");
  cr_assert_eq(sf_io_png_write_rgb(r, NULL, b, path, 0.0, 100.0, 0), SF_OK, "%s",
               sf_error_message());
  image im = read_png(path);
  cr_assert_eq(im.channels, 3);
  cr_assert_eq(im.width, 4u);
  cr_assert_eq(im.height, 3u);
  static const int red[4] = {0, 85, 170, 255}, blue[3] = {0, 128, 255};
  for (size_t y = 0; y < 3; ++y)
    for (size_t x = 0; x < 4; ++x) {
      cr_assert_eq(at(&im, x, y, 0), red[x], "R at (%zu, %zu)", x, y);
      cr_assert_eq(at(&im, x, y, 1), 0, "G at (%zu, %zu)", x, y);
      cr_assert_eq(at(&im, x, y, 2), blue[y], "B at (%zu, %zu)", x, y);
    }
  cr_assert_not_null(strstr(im.description, "red: map 'Fe'"), "%s", im.description);
  cr_assert_not_null(strstr(im.description, "blue: map 'O'"), "%s", im.description);
  free(im.px);
  sf_imageset_destroy(set);
}

Test(png, rgb_overlay_rejects_mismatched_sizes_cubes_and_no_maps) {
  sf_imageset *set = sf_imageset_create();
  sf_map *a = new_map(set, "Mn", 4, 3, 1), *b = new_map(set, "Co", 5, 3, 1);
  sf_map *c = new_map(set, "cube", 4, 3, 2);
  const char *path = sf_test_path("bad.png");
  sf_error_clear();
  cr_assert_eq(sf_io_png_write_rgb(a, b, NULL, path, 0.5, 99.5, 0), SF_EINVAL);
  cr_assert_not_null(strstr(sf_error_message(), "maps 'Mn' (4 x 3) and 'Co' (5 x 3) differ in "
                            "size"), "%s", sf_error_message());
  cr_assert_eq(sf_io_png_write_rgb(NULL, a, c, path, 0.5, 99.5, 0), SF_EINVAL);
  cr_assert_not_null(strstr(sf_error_message(), "'cube' is a cube (nz = 2)"), "%s",
                     sf_error_message());
  cr_assert_eq(sf_io_png_write_rgb(NULL, NULL, NULL, path, 0.5, 99.5, 0), SF_EINVAL);
  cr_assert_not_null(strstr(sf_error_message(), "at least one map"));
  cr_assert_eq(sf_test_file_exists(path), 0);
  sf_imageset_destroy(set);
}

Test(png, rgb8_raster_round_trips_exactly) {
  enum { W = 7, H = 5 };
  unsigned char rgb[W * H * 3];
  for (size_t k = 0; k < sizeof rgb; ++k)
    rgb[k] = (unsigned char)(k * 29 + 3);
  const char *path = sf_test_path("raw.png");
  cr_assert_eq(sf_io_png_write_rgb8(rgb, W, H, path, 0), SF_OK);
  image im = read_png(path);
  cr_assert_eq(im.width, (size_t)W);
  cr_assert_eq(im.height, (size_t)H);
  cr_assert_eq(im.channels, 3);
  cr_assert_eq(memcmp(im.px, rgb, sizeof rgb), 0);
  free(im.px);
}

Test(png, outputs_are_not_overwritten_without_force) {
  unsigned char one[3] = {10, 20, 30}, two[3] = {40, 50, 60};
  const char *path = sf_test_path("once.png");
  cr_assert_eq(sf_io_png_write_rgb8(one, 1, 1, path, 0), SF_OK);
  sf_error_clear();
  cr_assert_eq(sf_io_png_write_rgb8(two, 1, 1, path, 0), SF_EEXIST);
  cr_assert_not_null(strstr(sf_error_message(), path));
  image im = read_png(path);
  cr_assert_eq(im.px[0], 10);
  free(im.px);
  cr_assert_eq(sf_io_png_write_rgb8(two, 1, 1, path, 1), SF_OK);
  im = read_png(path);
  cr_assert_eq(im.px[0], 40);
  free(im.px);
  cr_assert_eq(sf_io_png_write_rgb8(one, 1, 1, sf_test_path("no/such/dir.png"), 0), SF_ENOENT);
  cr_assert_eq(count_entries(sf_test_tmpdir()), 1, "temporary files were left behind");
}

Test(png, bad_arguments_are_rejected) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = new_map(set, "m", 2, 2, 1);
  const char *path = sf_test_path("x.png");
  sf_error_clear();
  cr_assert_eq(sf_io_png_write_map(m, 0, path, 60.0, 40.0, 0), SF_EINVAL);
  cr_assert_not_null(strstr(sf_error_message(), "percentiles 60 and 40"), "%s",
                     sf_error_message());
  cr_assert_not_null(strstr(sf_error_message(), path), "%s", sf_error_message());
  cr_assert_eq(sf_io_png_write_map(m, 0, path, -1.0, 50.0, 0), SF_EINVAL);
  cr_assert_eq(sf_io_png_write_map(m, 0, path, 0.0, 100.5, 0), SF_EINVAL);
  unsigned char px[3] = {0};
  cr_assert_eq(sf_io_png_write_rgb8(px, 0, 1, path, 0), SF_EINVAL);
  cr_assert_eq(sf_io_png_write_rgb8(NULL, 1, 1, path, 0), SF_EINVAL);
  cr_assert_eq(sf_test_file_exists(path), 0);
  sf_imageset_destroy(set);
}

Test(png, a_libpng_error_is_caught_and_leaves_no_file) {
  /* libpng refuses widths above its default user limit (1,000,000 pixels)
     inside png_set_IHDR, which longjmps through the error handler. */
  size_t width = 1000001;
  unsigned char *row = calloc(width, 3);
  const char *path = sf_test_path("wide.png");
  sf_error_clear();
  cr_assert_eq(sf_io_png_write_rgb8(row, width, 1, path, 0), SF_EIO);
  cr_assert_not_null(strstr(sf_error_message(), "libpng"), "%s", sf_error_message());
  cr_assert_not_null(strstr(sf_error_message(), path), "%s", sf_error_message());
  cr_assert_eq(sf_test_file_exists(path), 0);
  cr_assert_eq(count_entries(sf_test_tmpdir()), 0, "a temporary file was left behind");
  free(row);
}
