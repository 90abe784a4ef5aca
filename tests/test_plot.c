/* Plots: the font, text boxes, antialiased lines, ticks, the viridis map,
   line/scatter/bar plots and heat maps, read back from the PNG files. */
#include "core/sf_status.h"
#include "support/testutil.h"
#include "validate/sf_plot.h"

#include <criterion/criterion.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WHITE 0xFFFFFFu
#define BLACK 0x000000u
/* Relative slack when checking that ticks are multiples of their step. */
#define TOL_TICK 1e-9
/* Pixel coordinates computed two ways agree to rounding. */
#define TOL_PIXEL 1e-9
/* Documented worst case of the 16-anchor viridis against matplotlib's table. */
#define TOL_VIRIDIS_LEVELS 7

/* ---------------------------------------------------------------- helpers */

typedef struct image {
  unsigned char *px; /* RGB */
  int width, height;
} image;

static image read_rgb_png(const char *path) {
  image im = {0};
  FILE *fp = fopen(path, "rb");
  cr_assert_not_null(fp, "cannot open %s", path);
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    fclose(fp);
    cr_assert_fail("libpng could not read %s", path);
  }
  png_init_io(png, fp);
  png_read_info(png, info);
  cr_assert_eq(png_get_color_type(png, info), PNG_COLOR_TYPE_RGB);
  cr_assert_eq(png_get_bit_depth(png, info), 8);
  im.width = (int)png_get_image_width(png, info);
  im.height = (int)png_get_image_height(png, info);
  im.px = malloc((size_t)im.width * (size_t)im.height * 3);
  for (int y = 0; y < im.height; ++y)
    png_read_row(png, im.px + (size_t)y * (size_t)im.width * 3, NULL);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  fclose(fp);
  return im;
}

static uint32_t pixel(const image *im, int x, int y) {
  const unsigned char *p = im->px + 3 * ((size_t)y * (size_t)im->width + (size_t)x);
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static int luminance_loss(uint32_t rgb) { /* 0 for white, up to 3*255 for black */
  return 765 - (int)(rgb >> 16) - (int)(rgb >> 8 & 0xFF) - (int)(rgb & 0xFF);
}

/* ---------------------------------------------------------------- font and text */

Test(plot_font, covers_printable_ascii_with_distinct_glyphs) {
  unsigned char glyphs[95][SF_PLOT_FONT_HEIGHT];
  for (uint32_t ch = 32; ch <= 126; ++ch) {
    unsigned char *rows = glyphs[ch - 32];
    cr_assert_eq(sf_plot_font_glyph(ch, rows), 1, "no glyph for %u '%c'", ch, (char)ch);
    int ink = 0;
    for (int r = 0; r < SF_PLOT_FONT_HEIGHT; ++r) {
      cr_assert_lt(rows[r], 1u << SF_PLOT_FONT_WIDTH, "glyph '%c' row %d is too wide", (char)ch,
                   r);
      ink += rows[r] != 0;
    }
    if (ch == ' ')
      cr_assert_eq(ink, 0, "space has ink");
    else
      cr_assert_gt(ink, 0, "glyph '%c' (%u) has no set pixel", (char)ch, ch);
  }
  for (int a = 0; a < 95; ++a)
    for (int b = a + 1; b < 95; ++b)
      cr_assert_neq(memcmp(glyphs[a], glyphs[b], SF_PLOT_FONT_HEIGHT), 0,
                    "'%c' and '%c' look the same", a + 32, b + 32);
}

Test(plot_font, symbols_aliases_and_replacement_box) {
  unsigned char a[SF_PLOT_FONT_HEIGHT], b[SF_PLOT_FONT_HEIGHT], box[SF_PLOT_FONT_HEIGHT];
  static const uint32_t symbols[] = {0x00C5, 0x00B5, 0x00B0, 0x00B1, 0x00B2, 0x00B3, 0x00D7,
                                     0x03B1, 0x03B2, 0x03B3, 0x0394, 0x03B8, 0x03BB, 0x03C3};
  for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; ++i)
    cr_assert_eq(sf_plot_font_glyph(symbols[i], a), 1, "U+%04X", symbols[i]);
  sf_plot_font_glyph(0x00C5, a); /* Å */
  sf_plot_font_glyph(0x212B, b); /* ANGSTROM SIGN */
  cr_assert_eq(memcmp(a, b, sizeof a), 0);
  sf_plot_font_glyph(0x03BC, a); /* Greek mu */
  sf_plot_font_glyph(0x00B5, b); /* micro sign */
  cr_assert_eq(memcmp(a, b, sizeof a), 0);
  cr_assert_eq(sf_plot_font_glyph(0x4E00, box), 0, "CJK should have no glyph");
  for (uint32_t ch = 32; ch <= 126; ++ch) {
    sf_plot_font_glyph(ch, a);
    cr_assert_neq(memcmp(a, box, sizeof a), 0, "'%c' looks like the replacement box", (char)ch);
  }
}

/* Every non-white pixel of c lies inside [x0, x0+w) x [y0, y0+h); returns the count. */
static int ink_inside_only(const sf_plot_canvas *c, int x0, int y0, int w, int h) {
  int inside = 0;
  for (int y = 0; y < c->height_px; ++y)
    for (int x = 0; x < c->width_px; ++x) {
      if (sf_plot_canvas_get(c, x, y) == WHITE)
        continue;
      cr_assert(x >= x0 && x < x0 + w && y >= y0 && y < y0 + h,
                "ink at (%d, %d) outside the box (%d, %d) %d x %d", x, y, x0, y0, w, h);
      ++inside;
    }
  return inside;
}

Test(plot_text, ink_stays_inside_the_box_which_is_tight) {
  const char *text = "Hg|y 42 Å";
  int n = 9, scale = 2;
  int w, h;
  sf_plot_text_size(text, scale, 0, &w, &h);
  cr_assert_eq(w, (6 * n - 1) * scale, "width %d for %d characters", w, n);
  cr_assert_eq(h, 10 * scale);
  sf_plot_canvas *c = sf_plot_canvas_create(200, 80, WHITE);
  sf_plot_canvas_text(c, 17, 23, text, scale, 0, 0x112233);
  cr_assert_gt(ink_inside_only(c, 17, 23, w, h), 100);
  /* Tight: 'H' touches the left edge, '|' reaches row 8 (descender) and 'Å' row 0. */
  int left = 0, top = 0, low = 0;
  for (int y = 23; y < 23 + h; ++y)
    left += sf_plot_canvas_get(c, 17, y) == 0x112233;
  for (int x = 17; x < 17 + w; ++x) {
    top += sf_plot_canvas_get(c, x, 23) == 0x112233;
    low += sf_plot_canvas_get(c, x, 23 + 8 * scale) == 0x112233;
  }
  cr_assert_gt(left, 0);
  cr_assert_gt(top, 0);
  cr_assert_gt(low, 0);
  sf_plot_canvas_destroy(c);
}

Test(plot_text, vertical_text_stays_inside_its_rotated_box) {
  const char *text = "PSNR (dB)";
  int w, h;
  sf_plot_text_size(text, 1, 1, &w, &h);
  cr_assert_eq(w, 10);
  cr_assert_eq(h, 6 * 9 - 1);
  sf_plot_canvas *c = sf_plot_canvas_create(60, 90, WHITE);
  sf_plot_canvas_text(c, 20, 15, text, 1, 1, BLACK);
  cr_assert_gt(ink_inside_only(c, 20, 15, w, h), 40);
  /* Reading upwards: the first letter 'P' sits at the bottom of the box and
     its stem (glyph column 0) on the box's last row; its top (glyph row 1) is
     on the left. */
  int stem = 0;
  for (int x = 20; x < 30; ++x)
    stem += sf_plot_canvas_get(c, x, 15 + h - 1) == BLACK;
  cr_assert_eq(stem, 7, "the stem of 'P' should be 7 pixels along the bottom row");
  cr_assert_eq(sf_plot_canvas_get(c, 20 + 1, 15 + h - 1), BLACK);
  cr_assert_eq(sf_plot_canvas_get(c, 20, 15 + h - 1), WHITE);
  sf_plot_canvas_destroy(c);
}

Test(plot_text, clipping_and_malformed_utf8) {
  sf_plot_canvas *c = sf_plot_canvas_create(40, 20, WHITE);
  sf_plot_rect clip = {0, 0, 10, 20};
  sf_plot_canvas_set_clip(c, &clip);
  sf_plot_canvas_text(c, 2, 2, "MMMMMM", 1, 0, BLACK);
  cr_assert_gt(ink_inside_only(c, 0, 0, 10, 20), 0);
  sf_plot_canvas_destroy(c);
  /* A stray continuation byte becomes one replacement box. */
  int w;
  sf_plot_text_size("a\x80" "b", 1, 0, &w, NULL);
  cr_assert_eq(w, 6 * 3 - 1);
  sf_plot_text_size("", 1, 0, &w, NULL);
  cr_assert_eq(w, 0);
}

/* ---------------------------------------------------------------- lines and markers */

Test(plot_lines, one_pixel_wu_line_spreads_unit_coverage_per_column) {
  sf_plot_canvas *c = sf_plot_canvas_create(80, 60, WHITE);
  sf_plot_canvas_line(c, 10.0, 10.3, 60.0, 35.8, 1.0, BLACK);
  /* Interior columns: total darkness of exactly one pixel, up to rounding
     of the two blended pixels (one level each per channel). */
  for (int x = 12; x <= 58; ++x) {
    int loss = 0;
    for (int y = 0; y < 60; ++y)
      loss += luminance_loss(sf_plot_canvas_get(c, x, y));
    cr_assert(abs(loss - 765) <= 6, "column %d carries %d/765", x, loss);
  }
  sf_plot_canvas_destroy(c);
  /* A horizontal line on pixel centres is solid and one pixel thick. */
  c = sf_plot_canvas_create(40, 20, WHITE);
  sf_plot_canvas_line(c, 5.0, 9.0, 30.0, 9.0, 1.0, 0x336699);
  for (int x = 6; x <= 29; ++x) {
    cr_assert_eq(sf_plot_canvas_get(c, x, 9), 0x336699u, "x = %d", x);
    cr_assert_eq(sf_plot_canvas_get(c, x, 8), WHITE);
    cr_assert_eq(sf_plot_canvas_get(c, x, 10), WHITE);
  }
  sf_plot_canvas_destroy(c);
}

Test(plot_lines, wide_lines_have_their_width_and_far_ends_are_clipped) {
  sf_plot_canvas *c = sf_plot_canvas_create(100, 100, WHITE);
  sf_plot_canvas_line(c, -1e12, 50.0, 1e12, 50.0, 5.0, 0xAA0000);
  for (int x = 0; x < 100; ++x) {
    for (int y = 48; y <= 52; ++y)
      cr_assert_eq(sf_plot_canvas_get(c, x, y), 0xAA0000u, "(%d, %d)", x, y);
    cr_assert_eq(sf_plot_canvas_get(c, x, 46), WHITE);
    cr_assert_eq(sf_plot_canvas_get(c, x, 54), WHITE);
  }
  /* Nothing at all for non-finite ends. */
  sf_plot_canvas_line(c, NAN, 10.0, 50.0, 10.0, 3.0, BLACK);
  sf_plot_canvas_line(c, 0.0, 10.0, INFINITY, 10.0, 3.0, BLACK);
  for (int x = 0; x < 100; ++x)
    cr_assert_eq(sf_plot_canvas_get(c, x, 10), WHITE);
  sf_plot_canvas_destroy(c);
}

Test(plot_lines, polylines_break_at_nan_and_dash) {
  sf_plot_canvas *c = sf_plot_canvas_create(100, 40, WHITE);
  double x[4] = {5.0, 30.0, 60.0, 95.0}, y[4] = {10.0, 10.0, NAN, 10.0};
  sf_plot_canvas_polyline(c, x, y, 4, 3.0, 0, BLACK);
  cr_assert_eq(sf_plot_canvas_get(c, 20, 10), BLACK);
  for (int px = 35; px <= 90; ++px)
    cr_assert_eq(sf_plot_canvas_get(c, px, 10), WHITE, "line drawn through NaN at x = %d", px);
  double dx[2] = {-1e9, 1e9}, dy[2] = {30.0, 30.0};
  sf_plot_canvas_polyline(c, dx, dy, 2, 2.0, 1, BLACK);
  int on = 0, off = 0;
  for (int px = 0; px < 100; ++px) {
    uint32_t v = sf_plot_canvas_get(c, px, 30);
    on += v == BLACK;
    off += v == WHITE;
  }
  /* Pattern 4w+2 = 10 px on, 2w+3 = 7 px off (round caps lengthen dashes a little). */
  cr_assert(on > 40 && off > 20, "dashes: %d px on, %d px off", on, off);
  sf_plot_canvas_destroy(c);
}

Test(plot_lines, markers_are_centred_and_sized) {
  sf_plot_marker shapes[4] = {SF_PLOT_MARKER_CIRCLE, SF_PLOT_MARKER_SQUARE,
                              SF_PLOT_MARKER_TRIANGLE, SF_PLOT_MARKER_DIAMOND};
  for (int k = 0; k < 4; ++k) {
    sf_plot_canvas *c = sf_plot_canvas_create(40, 40, WHITE);
    sf_plot_canvas_marker(c, 20.0, 20.0, shapes[k], 9.0, 0x00AA00);
    cr_assert_eq(sf_plot_canvas_get(c, 20, 20), 0x00AA00u, "shape %d centre", k);
    cr_assert(ink_inside_only(c, 13, 13, 15, 15) > 20, "shape %d", k);
    sf_plot_canvas_destroy(c);
  }
}

/* ---------------------------------------------------------------- ticks and colours */

Test(plot_ticks, nice_ticks_use_125_steps_and_are_minimal) {
  double t[64], step;
  int n;
  cr_assert_eq(sf_plot_nice_ticks(0.0, 1.0, 6, t, 64, &n, &step), SF_OK);
  cr_assert_eq(n, 6);
  cr_assert_float_eq(step, 0.2, 1e-15);
  cr_assert_eq(t[0], 0.0);
  cr_assert_float_eq(t[5], 1.0, 1e-15);
  cr_assert_eq(sf_plot_nice_ticks(-3.7, 12.2, 8, t, 64, &n, &step), SF_OK);
  cr_assert_eq(step, 2.0);
  cr_assert_eq(n, 8);
  cr_assert_eq(t[0], -2.0);
  cr_assert_eq(t[7], 12.0);
  /* Properties over many ranges. */
  static const double ranges[][2] = {{0.013, 0.0171}, {-1e6, 3e6},    {7.0, 7.000001},
                                     {-0.5, 0.5},     {1e-9, 5e-9},   {99.0, 1001.0},
                                     {-273.15, 1e3},  {0.0, 1e-300 * 1e290}};
  for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; ++r)
    for (int max_ticks = 3; max_ticks <= 10; ++max_ticks) {
      double lo = ranges[r][0], hi = ranges[r][1];
      cr_assert_eq(sf_plot_nice_ticks(lo, hi, max_ticks, t, 64, &n, &step), SF_OK);
      cr_assert(n >= 1 && n <= max_ticks, "[%g, %g] max %d: %d ticks", lo, hi, max_ticks, n);
      double mant = step / pow(10.0, floor(log10(step) + TOL_TICK));
      cr_assert(fabs(mant - 1.0) < 1e-9 || fabs(mant - 2.0) < 1e-9 || fabs(mant - 5.0) < 1e-9,
                "step %g is not 1, 2 or 5 x 10^k", step);
      for (int i = 0; i < n; ++i) {
        cr_assert(t[i] >= lo - TOL_TICK * (hi - lo) && t[i] <= hi + TOL_TICK * (hi - lo));
        cr_assert(fabs(t[i] / step - round(t[i] / step)) < 1e-6, "%g is no multiple of %g",
                  t[i], step);
      }
      /* Minimal: the next smaller 1-2-5 step would give too many ticks. */
      double smaller = fabs(mant - 1.0) < 1e-9 ? step / 2.0 : fabs(mant - 2.0) < 1e-9 ? step / 2.0
                                                                                   : step * 0.4;
      double count = floor(hi / smaller + TOL_TICK) - ceil(lo / smaller - TOL_TICK) + 1.0;
      cr_assert_gt(count, max_ticks, "[%g, %g]: step %g was not the smallest", lo, hi, step);
    }
  cr_assert_eq(sf_plot_nice_ticks(1.0, 1.0, 5, t, 64, &n, &step), SF_EINVAL);
  cr_assert_eq(sf_plot_nice_ticks(0.0, NAN, 5, t, 64, &n, &step), SF_EINVAL);
}

Test(plot_ticks, log_ticks_are_decades_or_125) {
  double t[64];
  int n;
  cr_assert_eq(sf_plot_log_ticks(1.0, 1e4, 10, t, 64, &n), SF_OK);
  cr_assert_eq(n, 5);
  for (int i = 0; i < 5; ++i)
    cr_assert_float_eq(t[i], pow(10.0, i), 1e-12 * pow(10.0, i));
  cr_assert_eq(sf_plot_log_ticks(1e-6, 1e6, 5, t, 64, &n), SF_OK);
  cr_assert_eq(n, 5, "every third decade of 13");
  cr_assert_float_eq(t[0], 1e-6, 1e-18);
  cr_assert_float_eq(t[1], 1e-3, 1e-15);
  cr_assert_float_eq(t[4], 1e6, 1e-6);
  cr_assert_eq(sf_plot_log_ticks(3.0, 40.0, 8, t, 64, &n), SF_OK);
  cr_assert_eq(n, 3);
  cr_assert_float_eq(t[0], 5.0, 1e-12);
  cr_assert_float_eq(t[1], 10.0, 1e-12);
  cr_assert_float_eq(t[2], 20.0, 1e-12);
  cr_assert_eq(sf_plot_log_ticks(0.0, 10.0, 5, t, 64, &n), SF_EINVAL);
}

Test(plot_ticks, labels_are_short_and_exact) {
  static const struct {
    double v, step;
    const char *text;
  } cases[] = {
      {0.1 + 0.2, 0.1, "0.3"},   {-0.0, 0.1, "0.0"},     {1e-17, 0.1, "0.0"},
      {2.5e6, 5e5, "2.5e6"},     {1e-5, 1e-5, "1e-5"},   {1000.0, 1000.0, "1000"},
      {0.001, 0.001, "0.001"},   {12.5, 2.5, "12.5"},    {-2.0, 1.0, "-2"},
      {1e5, 1e5, "1e5"},         {-3e-4, 1e-4, "-3e-4"}, {0.05, 0.05, "0.05"},
      {99999.9, 0.1, "99999.9"}, {1.5, 0.0, "1.5"},      {-1e-12, 0.5, "0.0"},
      {0.2, 0.2, "0.2"},         {9.99e5, 1e3, "9.99e5"}, {0.0, 0.0, "0"},
      {-0.0, 2.0, "0"},          {-7e-4, 0.0, "-7e-4"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    char buf[40];
    sf_plot_tick_label(cases[i].v, cases[i].step, buf, sizeof buf);
    cr_assert_str_eq(buf, cases[i].text, "label of %.17g (step %g)", cases[i].v, cases[i].step);
  }
}

Test(plot_color, viridis_ends_anchors_and_monotonic_lightness) {
  /* matplotlib viridis entries 0 and 255: (0.267004, 0.004874, 0.329415) and
     (0.993248, 0.906157, 0.143936), times 255 and rounded. */
  cr_assert_eq(sf_plot_viridis(0.0), 0x440154u);
  cr_assert_eq(sf_plot_viridis(1.0), 0xFDE725u);
  cr_assert_eq(sf_plot_viridis(-3.0), 0x440154u);
  cr_assert_eq(sf_plot_viridis(7.0), 0xFDE725u);
  cr_assert_eq(sf_plot_viridis(NAN), 0xC0C0C0u);
  /* Entry 128 of matplotlib's table, (0.127568, 0.566949, 0.550556), at t = 128/255. */
  uint32_t mid = sf_plot_viridis(128.0 / 255.0);
  int ref[3] = {33, 145, 140};
  for (int ch = 0; ch < 3; ++ch)
    cr_assert(abs((int)(mid >> (16 - 8 * ch) & 0xFF) - ref[ch]) <= TOL_VIRIDIS_LEVELS,
              "channel %d of viridis(0.502) = %06X", ch, mid);
  double previous = -1.0;
  for (int k = 0; k <= 1000; ++k) {
    uint32_t c = sf_plot_viridis(k / 1000.0);
    double lum = 0.2126 * (c >> 16) + 0.7152 * (c >> 8 & 0xFF) + 0.0722 * (c & 0xFF);
    cr_assert_geq(lum, previous - 0.75, "lightness falls at t = %g", k / 1000.0);
    previous = lum;
  }
}

/* ---------------------------------------------------------------- line and scatter plots */

Test(plot_xy, rendered_png_has_data_axes_and_white_background) {
  sf_plot *p = sf_plot_create(400, 300);
  cr_assert_not_null(p);
  sf_plot_set_title(p, "quadratic");
  sf_plot_set_xlabel(p, "x (Å)");
  sf_plot_set_ylabel(p, "y");
  double x[4] = {0.0, 1.0, 2.0, 3.0}, y[4] = {0.0, 1.0, 4.0, 9.0};
  sf_plot_style line = sf_plot_line_style(3);
  line.color = SF_PLOT_RGB(0xD55E00);
  cr_assert_eq(sf_plot_add_series(p, NULL, x, y, 4, &line), SF_OK);
  double sx[2] = {0.5, 2.5}, sy[2] = {7.0, 1.0};
  cr_assert_eq(sf_plot_add_series(p, NULL, sx, sy, 2, NULL), SF_OK);
  sf_plot_style dots = sf_plot_marker_style(SF_PLOT_MARKER_CIRCLE, 9);
  cr_assert_eq(sf_plot_add_series(p, NULL, sx, sy, 2, &dots), SF_OK);
  uint32_t c1, c2;
  cr_assert_eq(sf_plot_series_color(p, 1, &c1), SF_OK);
  cr_assert_eq(sf_plot_series_color(p, 2, &c2), SF_OK);
  cr_assert_eq(c1, 0x0072B2u, "first palette colour (Okabe-Ito blue)");
  cr_assert_eq(c2, 0xD55E00u, "second palette colour");
  const char *path = sf_test_path("xy.png");
  cr_assert_eq(sf_plot_write_png(p, path, 0), SF_OK, "%s", sf_error_message());
  image im = read_rgb_png(path);
  cr_assert_eq(im.width, 400);
  cr_assert_eq(im.height, 300);
  cr_assert_eq(pixel(&im, 0, 0), WHITE);
  cr_assert_eq(pixel(&im, 399, 299), WHITE);
  cr_assert_eq(pixel(&im, 399, 0), WHITE);
  /* The line's vertices and the markers land where the data map. */
  for (int i = 0; i < 4; ++i) {
    double px, py;
    cr_assert_eq(sf_plot_data_to_pixel(p, x[i], y[i], &px, &py), SF_OK);
    cr_assert_eq(pixel(&im, (int)lround(px), (int)lround(py)), 0xD55E00u, "vertex %d at (%g, %g)",
                 i, px, py);
  }
  for (int i = 0; i < 2; ++i) {
    double px, py;
    sf_plot_data_to_pixel(p, sx[i], sy[i], &px, &py);
    cr_assert_eq(pixel(&im, (int)lround(px), (int)lround(py)), c2, "marker %d", i);
  }
  /* The frame: black lines on the outer rows and columns of the data area. */
  sf_plot_rect a;
  cr_assert_eq(sf_plot_area(p, &a), SF_OK);
  for (int yy = a.y; yy < a.y + a.h; ++yy) {
    cr_assert_eq(pixel(&im, a.x, yy), BLACK, "left axis at y = %d", yy);
    cr_assert_eq(pixel(&im, a.x + a.w - 1, yy), BLACK, "right frame at y = %d", yy);
  }
  for (int xx = a.x; xx < a.x + a.w; ++xx) {
    cr_assert_eq(pixel(&im, xx, a.y + a.h - 1), BLACK, "bottom axis at x = %d", xx);
    cr_assert_eq(pixel(&im, xx, a.y), BLACK, "top frame at x = %d", xx);
  }
  /* Tick marks below the bottom axis at the x ticks (0, 0.5, ..., 3 or 0, 1, 2, 3). */
  double px0, py0, px3, py3;
  sf_plot_data_to_pixel(p, 0.0, 0.0, &px0, &py0);
  sf_plot_data_to_pixel(p, 3.0, 0.0, &px3, &py3);
  cr_assert_eq(pixel(&im, (int)lround(px0), a.y + a.h), BLACK, "tick at x = 0");
  cr_assert_eq(pixel(&im, (int)lround(px3), a.y + a.h + 2), BLACK, "tick at x = 3");
  /* Automatic range: 5 % margins, so x = 0 sits 5/110 of the width in. */
  cr_assert_float_eq(px0, a.x + (a.w - 1) * (0.15 / 3.3), TOL_PIXEL);
  /* Tick labels (dark pixels) below the ticks. */
  int label_ink = 0;
  for (int yy = a.y + a.h + 6; yy < a.y + a.h + 20 && yy < 300; ++yy)
    for (int xx = (int)px0 - 6; xx <= (int)px0 + 6; ++xx)
      label_ink += pixel(&im, xx, yy) == BLACK;
  cr_assert_gt(label_ink, 5, "no label under the x = 0 tick");
  free(im.px);
  sf_plot_destroy(p);
}

Test(plot_xy, nan_points_break_lines_and_legend_avoids_data) {
  sf_plot *p = sf_plot_create(360, 260);
  /* Data along the top-left to bottom-right diagonal: the legend goes to a free corner. */
  double x[5] = {0.0, 1.0, 2.0, 3.0, 4.0}, y[5] = {4.0, 3.0, NAN, 1.0, 0.0};
  sf_plot_style line = sf_plot_line_style(3); /* 3 px: full coverage 0.7 px off the centre line */
  line.color = SF_PLOT_RGB(0x009E73);
  cr_assert_eq(sf_plot_add_series(p, "falling", x, y, 5, &line), SF_OK);
  sf_plot_canvas *c;
  cr_assert_eq(sf_plot_render(p, &c), SF_OK, "%s", sf_error_message());
  double ax, ay, bx, by, mx, my;
  sf_plot_data_to_pixel(p, 0.0, 4.0, &ax, &ay);
  sf_plot_data_to_pixel(p, 1.0, 3.0, &bx, &by);
  sf_plot_data_to_pixel(p, 2.0, 2.0, &mx, &my);
  cr_assert_eq(sf_plot_canvas_get(c, (int)lround((ax + bx) / 2), (int)lround((ay + by) / 2)),
               0x009E73u, "segment between finite points");
  cr_assert_neq(sf_plot_canvas_get(c, (int)lround(mx), (int)lround(my)), 0x009E73u,
                "the line continued through the NaN point");
  for (int i = 0; i < 5; ++i) {
    double px, py;
    if (sf_plot_data_to_pixel(p, x[i], y[i], &px, &py) != SF_OK)
      continue;
    cr_assert_eq(sf_plot_canvas_get(c, (int)lround(px), (int)lround(py)), 0x009E73u,
                 "point %d covered by the legend", i);
  }
  /* The legend is there: its gray frame and the series' sample line. */
  int frame = 0;
  for (int yy = 0; yy < c->height_px; ++yy)
    for (int xx = 0; xx < c->width_px; ++xx)
      frame += sf_plot_canvas_get(c, xx, yy) == 0xA0A0A0u;
  cr_assert_gt(frame, 40, "no legend frame");
  sf_plot_canvas_destroy(c);
  sf_plot_destroy(p);
}

Test(plot_xy, log_axis_maps_decades_evenly_and_skips_nonpositive_values) {
  sf_plot *p = sf_plot_create(300, 240);
  sf_plot_set_log_y(p, 1);
  double x[4] = {1.0, 2.0, 3.0, 4.0}, y[4] = {10.0, 1000.0, -5.0, 0.0};
  cr_assert_eq(sf_plot_add_series(p, "y", x, y, 4, NULL), SF_OK);
  double px, p10, p100, p1000;
  cr_assert_eq(sf_plot_data_to_pixel(p, 1.0, 10.0, &px, &p10), SF_OK);
  cr_assert_eq(sf_plot_data_to_pixel(p, 1.0, 100.0, &px, &p100), SF_OK);
  cr_assert_eq(sf_plot_data_to_pixel(p, 1.0, 1000.0, &px, &p1000), SF_OK);
  cr_assert_float_eq(p100, 0.5 * (p10 + p1000), TOL_PIXEL);
  cr_assert_lt(p1000, p10, "larger values are higher up");
  cr_assert_eq(sf_plot_data_to_pixel(p, 1.0, 0.0, &px, &p10), SF_EINVAL);
  sf_plot_canvas *c;
  cr_assert_eq(sf_plot_render(p, &c), SF_OK);
  sf_plot_canvas_destroy(c);
  cr_assert_eq(sf_plot_set_yrange(p, 0.0, 10.0), SF_EINVAL);
  cr_assert_eq(sf_plot_set_yrange(p, 1.0, 1e4), SF_OK);
  sf_plot_data_to_pixel(p, 1.0, 100.0, &px, &p100);
  sf_plot_rect a;
  sf_plot_area(p, &a);
  cr_assert_float_eq(p100, a.y + 0.5 * (a.h - 1), TOL_PIXEL, "100 is mid-way in [1, 1e4]");
  sf_plot_destroy(p);
}

Test(plot_xy, histogram_bars_start_at_zero_with_curve_on_top) {
  sf_plot *p = sf_plot_create(400, 300);
  double edges[5] = {0.0, 1.0, 2.0, 3.0, 4.0}, h[4] = {2.0, 8.0, 6.0, 1.0};
  sf_plot_style bars = {0};
  bars.color = SF_PLOT_RGB(0x0072B2);
  cr_assert_eq(sf_plot_add_bars(p, "counts", edges, h, 4, &bars), SF_OK);
  double gx[50], gy[50];
  for (int i = 0; i < 50; ++i) {
    gx[i] = 4.0 * i / 49.0;
    gy[i] = 8.0 * exp(-0.5 * pow((gx[i] - 1.8) / 0.9, 2));
  }
  sf_plot_style fit = sf_plot_line_style(2);
  fit.color = SF_PLOT_RGB(0xD55E00);
  cr_assert_eq(sf_plot_add_series(p, "Gaussian fit", gx, gy, 50, &fit), SF_OK);
  const char *path = sf_test_path("hist.png");
  cr_assert_eq(sf_plot_write_png(p, path, 0), SF_OK, "%s", sf_error_message());
  image im = read_rgb_png(path);
  sf_plot_rect a;
  sf_plot_area(p, &a);
  double px, py;
  /* Bars rest on y = 0, which is the bottom of the axis (no margin below a baseline). */
  sf_plot_data_to_pixel(p, 2.5, 0.0, &px, &py);
  cr_assert_float_eq(py, a.y + a.h - 1.0, TOL_PIXEL);
  /* The top edge of bin 0 (height 2) is drawn in the bar colour (the curve
     passes 0.8 above it there). */
  sf_plot_data_to_pixel(p, 0.5, 2.0, &px, &py);
  cr_assert_eq(pixel(&im, (int)lround(px), (int)lround(py)), 0x0072B2u);
  /* Inside the bar: the colour at 55 % over white (or over a grid line). */
  uint32_t in = pixel(&im, (int)lround(px), (int)lround(py) + 10);
  uint32_t over_white = 0;
  for (int ch = 2; ch >= 0; --ch) {
    int col = (int)(0x0072B2u >> (8 * ch) & 0xFF);
    over_white = over_white << 8 | (uint32_t)lround(255 + (col - 255) * 0.55);
  }
  uint32_t over_grid = 0;
  for (int ch = 2; ch >= 0; --ch) {
    int col = (int)(0x0072B2u >> (8 * ch) & 0xFF);
    over_grid = over_grid << 8 | (uint32_t)lround(0xE6 + (col - 0xE6) * 0.55);
  }
  cr_assert(in == over_white || in == over_grid, "bar fill %06X", in);
  /* The fit curve's peak vertex is drawn over the bars. */
  sf_plot_data_to_pixel(p, gx[22], gy[22], &px, &py);
  cr_assert_eq(pixel(&im, (int)lround(px), (int)lround(py)), 0xD55E00u);
  free(im.px);
  sf_plot_destroy(p);
}

Test(plot_xy, invalid_requests_are_rejected_with_reasons) {
  sf_error_clear();
  cr_assert_null(sf_plot_create(50, 400));
  cr_assert_not_null(strstr(sf_error_message(), "50 x 400"), "%s", sf_error_message());
  sf_plot *p = sf_plot_create(300, 200);
  double x[2] = {0.0, 1.0}, y[2] = {1.0, 2.0};
  cr_assert_eq(sf_plot_add_series(p, "a", x, y, 0, NULL), SF_EINVAL);
  sf_plot_style none = {0};
  cr_assert_eq(sf_plot_add_series(p, "a", x, y, 2, &none), SF_EINVAL);
  cr_assert_not_null(strstr(sf_error_message(), "neither a line nor markers"));
  double edges[3] = {0.0, 2.0, 1.0}, h[2] = {1.0, 1.0};
  cr_assert_eq(sf_plot_add_bars(p, "b", edges, h, 2, NULL), SF_EINVAL);
  cr_assert_not_null(strstr(sf_error_message(), "not ascending"), "%s", sf_error_message());
  cr_assert_eq(sf_plot_set_xrange(p, 2.0, 1.0), SF_EINVAL);
  cr_assert_eq(sf_plot_set_text_scale(p, 0), SF_EINVAL);
  cr_assert_eq(sf_plot_series_color(p, 0, &(uint32_t){0}), SF_ERANGE);
  cr_assert_eq(sf_plot_add_series(p, "a", x, y, 2, NULL), SF_OK);
  const char *path = sf_test_path("twice.png");
  cr_assert_eq(sf_plot_write_png(p, path, 0), SF_OK);
  cr_assert_eq(sf_plot_write_png(p, path, 0), SF_EEXIST);
  cr_assert_eq(sf_plot_write_png(p, path, 1), SF_OK);
  /* Text too large for the canvas leaves no data area. */
  cr_assert_eq(sf_plot_set_text_scale(p, 8), SF_OK);
  sf_plot_canvas *c = NULL;
  cr_assert_eq(sf_plot_render(p, &c), SF_EINVAL);
  cr_assert_null(c);
  sf_plot_destroy(p);
  sf_plot_destroy(NULL);
}

/* ---------------------------------------------------------------- heat maps */

Test(plot_heatmap, corner_cells_carry_the_colours_of_min_and_max) {
  enum { NX = 4, NY = 3 };
  double z[NX * NY];
  for (int iy = 0; iy < NY; ++iy)
    for (int ix = 0; ix < NX; ++ix)
      z[iy * NX + ix] = 10.0 + 3.0 * ix + 1.0 * iy; /* min 10 at (0, 0), max 21 at (3, 2) */
  double dose[NX] = {10.0, 100.0, 1000.0, 1e4}, gamma[NY] = {0.1, 0.2, 0.5};
  sf_plot_heatmap hm = {0};
  hm.z = z;
  hm.nx = NX;
  hm.ny = NY;
  hm.xv = dose;
  hm.yv = gamma;
  hm.title = "PSNR (dB)";
  hm.xlabel = "dose (e/Å²)";
  hm.ylabel = "γ";
  sf_plot_canvas *c;
  sf_plot_rect r;
  cr_assert_eq(sf_plot_heatmap_render(&hm, &c, &r), SF_OK, "%s", sf_error_message());
  const char *path = sf_test_path("heat.png");
  cr_assert_eq(sf_plot_heatmap_png(z, NX, NY, dose, gamma, "PSNR (dB)", "dose (e/Å²)", "γ", 0,
                                   path, 0),
               SF_OK, "%s", sf_error_message());
  image im = read_rgb_png(path);
  cr_assert_eq(im.width, 640);
  cr_assert_eq(im.height, 480);
  cr_assert_eq(memcmp(im.px, c->rgb, 640 * 480 * 3), 0, "PNG differs from the rendered canvas");
  /* Cell (0, 0) is at the bottom left and has the minimum: viridis(0). */
  cr_assert_eq(pixel(&im, r.x, r.y + r.h - 1), 0x440154u);
  /* Cell (3, 2), top right, has the maximum: viridis(1). */
  cr_assert_eq(pixel(&im, r.x + r.w - 1, r.y), 0xFDE725u);
  /* Cell (0, 2), top left: z = 12, t = 2/11. */
  cr_assert_eq(pixel(&im, r.x, r.y), sf_plot_viridis(2.0 / 11.0));
  /* Cell (3, 0), bottom right: z = 19, t = 9/11. */
  cr_assert_eq(pixel(&im, r.x + r.w - 1, r.y + r.h - 1), sf_plot_viridis(9.0 / 11.0));
  /* A frame just outside the cells, white background in the corner. */
  cr_assert_eq(pixel(&im, r.x - 1, r.y + r.h / 2), BLACK);
  cr_assert_eq(pixel(&im, r.x + r.w, r.y + r.h / 2), BLACK);
  cr_assert_eq(pixel(&im, 0, 0), WHITE);
  /* The colour bar (right of the cells) shows both ends of the map. */
  int low = 0, high = 0;
  for (int x = r.x + r.w + 1; x < 640; ++x) {
    low += pixel(&im, x, r.y + r.h - 1) == 0x440154u;
    high += pixel(&im, x, r.y) == 0xFDE725u;
  }
  cr_assert_gt(low, 5);
  cr_assert_gt(high, 5);
  free(im.px);
  sf_plot_canvas_destroy(c);
}

Test(plot_heatmap, log_colour_nan_cells_and_fixed_range) {
  double z[3] = {1.0, 10.0, 100.0};
  sf_plot_heatmap hm = {0};
  hm.z = z;
  hm.nx = 3;
  hm.ny = 1;
  hm.log_color = 1;
  hm.width_px = 320;
  hm.height_px = 200;
  sf_plot_canvas *c;
  sf_plot_rect r;
  cr_assert_eq(sf_plot_heatmap_render(&hm, &c, &r), SF_OK, "%s", sf_error_message());
  cr_assert_eq(c->width_px, 320);
  int y = r.y + r.h / 2;
  cr_assert_eq(sf_plot_canvas_get(c, r.x, y), sf_plot_viridis(0.0));
  cr_assert_eq(sf_plot_canvas_get(c, r.x + r.w / 2, y), sf_plot_viridis(0.5),
               "10 is mid-way between 1 and 100 on a log scale");
  cr_assert_eq(sf_plot_canvas_get(c, r.x + r.w - 1, y), sf_plot_viridis(1.0));
  sf_plot_canvas_destroy(c);
  /* Non-finite and (with log colour) non-positive cells are gray. */
  z[1] = NAN;
  z[2] = -4.0;
  cr_assert_eq(sf_plot_heatmap_render(&hm, &c, &r), SF_OK);
  cr_assert_eq(sf_plot_canvas_get(c, r.x + r.w / 2, y), 0xC0C0C0u);
  cr_assert_eq(sf_plot_canvas_get(c, r.x + r.w - 1, y), 0xC0C0C0u);
  sf_plot_canvas_destroy(c);
  /* A fixed linear range clips: z = 100 above zmax = 50 shows viridis(1). */
  z[1] = 25.0;
  z[2] = 100.0;
  hm.log_color = 0;
  hm.zmin = 0.0;
  hm.zmax = 50.0;
  cr_assert_eq(sf_plot_heatmap_render(&hm, &c, &r), SF_OK);
  cr_assert_eq(sf_plot_canvas_get(c, r.x + r.w / 2, y), sf_plot_viridis(0.5));
  cr_assert_eq(sf_plot_canvas_get(c, r.x + r.w - 1, y), sf_plot_viridis(1.0));
  sf_plot_canvas_destroy(c);
  hm.log_color = 1;
  cr_assert_eq(sf_plot_heatmap_render(&hm, &c, &r), SF_EINVAL, "log colour with zmin = 0");
  hm.nx = 0;
  cr_assert_eq(sf_plot_heatmap_render(&hm, &c, &r), SF_EINVAL);
}
