/* plot_canvas.c - the RGB raster of the plots: pixels, rectangles,
   antialiased lines, markers and bitmap text. */
#include "validate/sf_plot.h"

#include "core/sf_status.h"
#include "io/sf_png.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CANVAS_MAX_PX 16384
/* Supersampling grid for marker coverage (per axis). */
#define MARKER_SUBSAMPLES 4

sf_plot_canvas *sf_plot_canvas_create(int width_px, int height_px, uint32_t background_rgb) {
  if (width_px < 1 || height_px < 1 || width_px > CANVAS_MAX_PX || height_px > CANVAS_MAX_PX) {
    sf_error_set(SF_EINVAL, "canvas size %d x %d px: each side must be 1 to %d", width_px,
                 height_px, CANVAS_MAX_PX);
    return NULL;
  }
  sf_plot_canvas *c = calloc(1, sizeof *c);
  size_t n = (size_t)width_px * (size_t)height_px;
  if (c)
    c->rgb = malloc(n * 3);
  if (!c || !c->rgb) {
    free(c);
    sf_error_set(SF_ENOMEM, "canvas of %d x %d px: out of memory", width_px, height_px);
    return NULL;
  }
  c->width_px = width_px;
  c->height_px = height_px;
  c->clip = (sf_plot_rect){0, 0, width_px, height_px};
  for (size_t k = 0; k < n; ++k) {
    c->rgb[3 * k] = (unsigned char)(background_rgb >> 16);
    c->rgb[3 * k + 1] = (unsigned char)(background_rgb >> 8);
    c->rgb[3 * k + 2] = (unsigned char)background_rgb;
  }
  return c;
}

void sf_plot_canvas_destroy(sf_plot_canvas *c) {
  if (!c)
    return;
  free(c->rgb);
  free(c);
}

void sf_plot_canvas_set_clip(sf_plot_canvas *c, const sf_plot_rect *clip) {
  sf_plot_rect all = {0, 0, c->width_px, c->height_px};
  if (!clip) {
    c->clip = all;
    return;
  }
  int x0 = clip->x > 0 ? clip->x : 0, y0 = clip->y > 0 ? clip->y : 0;
  int x1 = clip->x + clip->w < all.w ? clip->x + clip->w : all.w;
  int y1 = clip->y + clip->h < all.h ? clip->y + clip->h : all.h;
  c->clip = (sf_plot_rect){x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0};
}

uint32_t sf_plot_canvas_get(const sf_plot_canvas *c, int x, int y) {
  if (x < 0 || y < 0 || x >= c->width_px || y >= c->height_px)
    return 0;
  const unsigned char *p = c->rgb + 3 * ((size_t)y * (size_t)c->width_px + (size_t)x);
  return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static int in_clip(const sf_plot_canvas *c, int x, int y) {
  return x >= c->clip.x && y >= c->clip.y && x < c->clip.x + c->clip.w &&
         y < c->clip.y + c->clip.h;
}

void sf_plot_canvas_blend(sf_plot_canvas *c, int x, int y, uint32_t rgb, double coverage) {
  if (!(coverage > 0.0) || !in_clip(c, x, y))
    return;
  unsigned char *p = c->rgb + 3 * ((size_t)y * (size_t)c->width_px + (size_t)x);
  unsigned char src[3] = {(unsigned char)(rgb >> 16), (unsigned char)(rgb >> 8),
                          (unsigned char)rgb};
  if (coverage >= 1.0) {
    memcpy(p, src, 3);
    return;
  }
  for (int k = 0; k < 3; ++k)
    p[k] = (unsigned char)lround(p[k] + (src[k] - p[k]) * coverage);
}

void sf_plot_canvas_fill_rect(sf_plot_canvas *c, sf_plot_rect r, uint32_t rgb) {
  int x0 = r.x > c->clip.x ? r.x : c->clip.x;
  int y0 = r.y > c->clip.y ? r.y : c->clip.y;
  int x1 = r.x + r.w < c->clip.x + c->clip.w ? r.x + r.w : c->clip.x + c->clip.w;
  int y1 = r.y + r.h < c->clip.y + c->clip.h ? r.y + r.h : c->clip.y + c->clip.h;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      sf_plot_canvas_blend(c, x, y, rgb, 1.0);
}

/* ---------------------------------------------------------------- lines */

/* Liang-Barsky: the parameter interval [*t0, *t1] of the segment (x0, y0) +
   t (dx, dy) inside [xmin, xmax] x [ymin, ymax]; 0 if nothing is inside. */
static int clip_interval(double x0, double y0, double dx, double dy, double xmin, double ymin,
                         double xmax, double ymax, double *t0, double *t1) {
  double p[4] = {-dx, dx, -dy, dy};
  double q[4] = {x0 - xmin, xmax - x0, y0 - ymin, ymax - y0};
  *t0 = 0.0;
  *t1 = 1.0;
  for (int k = 0; k < 4; ++k) {
    if (p[k] == 0.0) {
      if (q[k] < 0.0)
        return 0;
      continue;
    }
    double t = q[k] / p[k];
    if (p[k] < 0.0) {
      if (t > *t1)
        return 0;
      if (t > *t0)
        *t0 = t;
    } else {
      if (t < *t0)
        return 0;
      if (t < *t1)
        *t1 = t;
    }
  }
  return 1;
}

/* The clip rectangle widened by a line's reach, so far-away ends cost nothing. */
static int clip_to_reach(const sf_plot_canvas *c, double width_px, double x0, double y0,
                         double dx, double dy, double *t0, double *t1) {
  double m = 0.5 * width_px + 2.0;
  return clip_interval(x0, y0, dx, dy, c->clip.x - m, c->clip.y - m,
                       c->clip.x + c->clip.w - 1 + m, c->clip.y + c->clip.h - 1 + m, t0, t1);
}

static double frac_part(double v) { return v - floor(v); }

/* Plot with the axes swapped back for steep lines. */
static void wu_plot(sf_plot_canvas *c, int steep, double a, double b, uint32_t rgb,
                    double coverage) {
  if (steep)
    sf_plot_canvas_blend(c, (int)b, (int)a, rgb, coverage);
  else
    sf_plot_canvas_blend(c, (int)a, (int)b, rgb, coverage);
}

/* Xiaolin Wu's antialiased 1-px line (pixel centres at integer coordinates). */
static void wu_line(sf_plot_canvas *c, double x0, double y0, double x1, double y1,
                    uint32_t rgb) {
  int steep = fabs(y1 - y0) > fabs(x1 - x0);
  double t;
  if (steep) {
    t = x0, x0 = y0, y0 = t;
    t = x1, x1 = y1, y1 = t;
  }
  if (x0 > x1) {
    t = x0, x0 = x1, x1 = t;
    t = y0, y0 = y1, y1 = t;
  }
  double dx = x1 - x0, dy = y1 - y0;
  double gradient = dx == 0.0 ? 1.0 : dy / dx;
  /* First end: the pixel column nearest x0, weighted by how much of it the line covers. */
  double xend = floor(x0 + 0.5);
  double yend = y0 + gradient * (xend - x0);
  double xgap = 1.0 - frac_part(x0 + 0.5);
  double xa = xend;
  wu_plot(c, steep, xa, floor(yend), rgb, (1.0 - frac_part(yend)) * xgap);
  wu_plot(c, steep, xa, floor(yend) + 1.0, rgb, frac_part(yend) * xgap);
  double intery = yend + gradient;
  /* Second end. */
  xend = floor(x1 + 0.5);
  yend = y1 + gradient * (xend - x1);
  xgap = frac_part(x1 + 0.5);
  double xb = xend;
  if (xb > xa) {
    wu_plot(c, steep, xb, floor(yend), rgb, (1.0 - frac_part(yend)) * xgap);
    wu_plot(c, steep, xb, floor(yend) + 1.0, rgb, frac_part(yend) * xgap);
  }
  for (double x = xa + 1.0; x < xb; x += 1.0) {
    wu_plot(c, steep, x, floor(intery), rgb, 1.0 - frac_part(intery));
    wu_plot(c, steep, x, floor(intery) + 1.0, rgb, frac_part(intery));
    intery += gradient;
  }
}

/* A wide line with round caps: coverage from each pixel centre's distance to the segment. */
static void wide_line(sf_plot_canvas *c, double x0, double y0, double x1, double y1,
                      double width, uint32_t rgb) {
  double r = 0.5 * width;
  int xmin = (int)floor(fmin(x0, x1) - r - 1.0), xmax = (int)ceil(fmax(x0, x1) + r + 1.0);
  int ymin = (int)floor(fmin(y0, y1) - r - 1.0), ymax = (int)ceil(fmax(y0, y1) + r + 1.0);
  if (xmin < c->clip.x)
    xmin = c->clip.x;
  if (ymin < c->clip.y)
    ymin = c->clip.y;
  if (xmax > c->clip.x + c->clip.w - 1)
    xmax = c->clip.x + c->clip.w - 1;
  if (ymax > c->clip.y + c->clip.h - 1)
    ymax = c->clip.y + c->clip.h - 1;
  double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
  for (int y = ymin; y <= ymax; ++y)
    for (int x = xmin; x <= xmax; ++x) {
      double t = len2 > 0.0 ? ((x - x0) * dx + (y - y0) * dy) / len2 : 0.0;
      t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
      double d = hypot(x - (x0 + t * dx), y - (y0 + t * dy));
      double coverage = r + 0.5 - d;
      if (coverage > 0.0)
        sf_plot_canvas_blend(c, x, y, rgb, coverage > 1.0 ? 1.0 : coverage);
    }
}

void sf_plot_canvas_line(sf_plot_canvas *c, double x0, double y0, double x1, double y1,
                         double width_px, uint32_t rgb) {
  if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) || c->clip.w <= 0 ||
      c->clip.h <= 0)
    return;
  if (!(width_px >= 1.0))
    width_px = 1.0;
  double dx = x1 - x0, dy = y1 - y0, t0, t1;
  if (!clip_to_reach(c, width_px, x0, y0, dx, dy, &t0, &t1))
    return;
  double ax = x0 + t0 * dx, ay = y0 + t0 * dy, bx = x0 + t1 * dx, by = y0 + t1 * dy;
  if (width_px <= 1.0)
    wu_line(c, ax, ay, bx, by, rgb);
  else
    wide_line(c, ax, ay, bx, by, width_px, rgb);
}

void sf_plot_canvas_polyline(sf_plot_canvas *c, const double *x, const double *y, size_t n,
                             double width_px, int dashed, uint32_t rgb) {
  if (!(width_px >= 1.0))
    width_px = 1.0;
  double on = 4.0 * width_px + 2.0, off = 2.0 * width_px + 3.0, period = on + off;
  double phase = 0.0; /* distance walked into the dash pattern */
  for (size_t i = 0; i + 1 < n; ++i) {
    if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(x[i + 1]) || !isfinite(y[i + 1])) {
      phase = 0.0;
      continue;
    }
    if (!dashed) {
      sf_plot_canvas_line(c, x[i], y[i], x[i + 1], y[i + 1], width_px, rgb);
      continue;
    }
    double dx = x[i + 1] - x[i], dy = y[i + 1] - y[i], len = hypot(dx, dy), t0, t1;
    if (len > 0.0 && clip_to_reach(c, width_px, x[i], y[i], dx, dy, &t0, &t1)) {
      /* Walk the visible part only, dash by dash, keeping the pattern's phase. */
      double s = t0 * len, end = t1 * len;
      while (s < end) {
        double at = fmod(phase + s, period);
        double piece = at < on ? on - at : period - at;
        double stop = s + piece < end ? s + piece : end;
        if (!(stop > s)) /* beyond double resolution on an absurdly long segment */
          break;
        if (at < on)
          sf_plot_canvas_line(c, x[i] + dx * s / len, y[i] + dy * s / len, x[i] + dx * stop / len,
                              y[i] + dy * stop / len, width_px, rgb);
        s = stop;
      }
    }
    phase = fmod(phase + len, period);
  }
}

/* ---------------------------------------------------------------- markers */

/* 1 if (u, v), relative to the marker centre, is inside the shape of size s. */
static int marker_inside(sf_plot_marker shape, double u, double v, double s) {
  double h = 0.5 * s;
  switch (shape) {
  case SF_PLOT_MARKER_CIRCLE:
    return u * u + v * v <= h * h;
  case SF_PLOT_MARKER_SQUARE:
    return fabs(u) <= 0.85 * h && fabs(v) <= 0.85 * h;
  case SF_PLOT_MARKER_DIAMOND:
    return fabs(u) + fabs(v) <= 1.15 * h;
  case SF_PLOT_MARKER_TRIANGLE: {
    /* Pointing up, circumradius 1.2 h, centroid at the centre. */
    double R = 1.2 * h;
    double base = 0.5 * R;           /* v of the base (down is +v) */
    double half = R * 0.8660254037844386;
    if (v > base || v < -R)
      return 0;
    double t = (v + R) / (base + R); /* 0 at the apex, 1 at the base */
    return fabs(u) <= t * half;
  }
  case SF_PLOT_MARKER_CROSS: {
    double w = s > 7.0 ? s / 5.0 : 1.4;
    if (fabs(u) > h || fabs(v) > h)
      return 0;
    return fabs(u - v) <= w * 0.7071067811865476 || fabs(u + v) <= w * 0.7071067811865476;
  }
  default:
    return 0;
  }
}

void sf_plot_canvas_marker(sf_plot_canvas *c, double x, double y, sf_plot_marker shape,
                           double size_px, uint32_t rgb) {
  if (!isfinite(x) || !isfinite(y) || !(size_px > 0.0) || shape == SF_PLOT_MARKER_NONE)
    return;
  double reach = 0.75 * size_px + 1.0;
  if (x < c->clip.x - reach || y < c->clip.y - reach || x > c->clip.x + c->clip.w + reach ||
      y > c->clip.y + c->clip.h + reach)
    return;
  int x0 = (int)floor(x - reach), x1 = (int)ceil(x + reach);
  int y0 = (int)floor(y - reach), y1 = (int)ceil(y + reach);
  const int n = MARKER_SUBSAMPLES;
  for (int py = y0; py <= y1; ++py)
    for (int px = x0; px <= x1; ++px) {
      int hits = 0;
      for (int sy = 0; sy < n; ++sy)
        for (int sx = 0; sx < n; ++sx) {
          double u = px - x + ((double)sx + 0.5) / n - 0.5;
          double v = py - y + ((double)sy + 0.5) / n - 0.5;
          hits += marker_inside(shape, u, v, size_px);
        }
      if (hits)
        sf_plot_canvas_blend(c, px, py, rgb, (double)hits / (double)(n * n));
    }
}

/* ---------------------------------------------------------------- text */

/* Next code point of UTF-8 text; malformed bytes give U+FFFD (no glyph: a box). */
static uint32_t next_codepoint(const unsigned char **s) {
  const unsigned char *p = *s;
  uint32_t cp;
  int extra;
  if (p[0] < 0x80) {
    *s = p + 1;
    return p[0];
  } else if ((p[0] & 0xE0) == 0xC0) {
    cp = p[0] & 0x1Fu;
    extra = 1;
  } else if ((p[0] & 0xF0) == 0xE0) {
    cp = p[0] & 0x0Fu;
    extra = 2;
  } else if ((p[0] & 0xF8) == 0xF0) {
    cp = p[0] & 0x07u;
    extra = 3;
  } else {
    *s = p + 1;
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    if ((p[k] & 0xC0) != 0x80) {
      *s = p + k;
      return 0xFFFD;
    }
    cp = cp << 6 | (p[k] & 0x3Fu);
  }
  *s = p + 1 + extra;
  return cp;
}

static size_t count_codepoints(const char *utf8) {
  size_t n = 0;
  const unsigned char *s = (const unsigned char *)utf8;
  while (*s) {
    next_codepoint(&s);
    ++n;
  }
  return n;
}

void sf_plot_text_size(const char *utf8, int scale, int vertical, int *width_px,
                       int *height_px) {
  size_t n = utf8 ? count_codepoints(utf8) : 0;
  if (scale < 1)
    scale = 1;
  int along = n ? (int)(SF_PLOT_FONT_ADVANCE * n - 1) * scale : 0;
  int across = n ? SF_PLOT_FONT_HEIGHT * scale : 0;
  if (width_px)
    *width_px = vertical ? across : along;
  if (height_px)
    *height_px = vertical ? along : across;
}

void sf_plot_canvas_text(sf_plot_canvas *c, int x, int y, const char *utf8, int scale,
                         int vertical, uint32_t rgb) {
  if (!utf8 || !*utf8)
    return;
  if (scale < 1)
    scale = 1;
  int w, h;
  sf_plot_text_size(utf8, scale, vertical, &w, &h);
  const unsigned char *s = (const unsigned char *)utf8;
  for (int i = 0; *s; ++i) {
    unsigned char rows[SF_PLOT_FONT_HEIGHT];
    sf_plot_font_glyph(next_codepoint(&s), rows);
    for (int r = 0; r < SF_PLOT_FONT_HEIGHT; ++r)
      for (int col = 0; col < SF_PLOT_FONT_WIDTH; ++col) {
        if (!(rows[r] >> (SF_PLOT_FONT_WIDTH - 1 - col) & 1u))
          continue;
        int u0 = (i * SF_PLOT_FONT_ADVANCE + col) * scale; /* along the text */
        int v0 = r * scale;                               /* down the glyph */
        sf_plot_rect block = vertical ? (sf_plot_rect){x + v0, y + h - u0 - scale, scale, scale}
                                      : (sf_plot_rect){x + u0, y + v0, scale, scale};
        sf_plot_canvas_fill_rect(c, block, rgb);
      }
  }
}

int sf_plot_canvas_write_png(const sf_plot_canvas *c, const char *path, int force) {
  if (!c)
    return sf_error_set(SF_EINVAL, "%s: no canvas to write", path ? path : "(null)");
  return sf_io_png_write_rgb8(c->rgb, (size_t)c->width_px, (size_t)c->height_px, path, force);
}
