/* plot_heatmap.c - heat maps of 2-D arrays in viridis with a colour bar. */
#include "validate/sf_plot.h"

#include "core/sf_log.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEATMAP_DEFAULT_W 640
#define HEATMAP_DEFAULT_H 480
#define HEATMAP_MAX_PX 16384
#define MAX_TICKS 64
#define LABEL_MAX 40
#define WHITE 0xFFFFFFu
#define INK 0x000000u
/* Cell text is black above this luminance (0..255) of the cell colour, white below. */
#define DARK_CELL_LUMINANCE 140.0

/* Everything placed before drawing. */
typedef struct heatmap_layout {
  int scale, title_scale, pad, tick_len, text_h;
  sf_plot_rect cells, bar;
  double zlo, zhi; /* colour range in colour units (log10 z with log_color) */
  int nticks;
  double tick[MAX_TICKS]; /* colour bar ticks in colour units */
  char tick_label[MAX_TICKS][LABEL_MAX];
  int bar_label_w;
} heatmap_layout;

static double color_value(const sf_plot_heatmap *hm, double z) {
  if (!isfinite(z))
    return NAN;
  if (hm->log_color)
    return z > 0.0 ? log10(z) : NAN;
  return z;
}

/* Colour range: fixed, or the data extent; a single value is widened around itself. */
static void color_range(const sf_plot_heatmap *hm, double *lo, double *hi) {
  if (isfinite(hm->zmin) && isfinite(hm->zmax) && hm->zmin < hm->zmax) {
    *lo = color_value(hm, hm->zmin);
    *hi = color_value(hm, hm->zmax);
    return;
  }
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t k = 0; k < hm->nx * hm->ny; ++k) {
    double v = color_value(hm, hm->z[k]);
    if (isnan(v))
      continue;
    *lo = fmin(*lo, v);
    *hi = fmax(*hi, v);
  }
  if (!(*lo <= *hi)) {
    sf_log(SF_LOG_WARN, "heat map '%s': no finite%s value to colour", hm->title ? hm->title : "",
           hm->log_color ? " positive" : "");
    *lo = 0.0;
    *hi = 1.0;
  } else if (*lo == *hi) {
    double half = hm->log_color ? 0.5 : (*lo != 0.0 ? 0.1 * fabs(*lo) : 0.5);
    *lo -= half;
    *hi += half;
  }
}

static uint32_t cell_color(const sf_plot_heatmap *hm, const heatmap_layout *L, double z) {
  double v = color_value(hm, z);
  if (isnan(v))
    return sf_plot_viridis(NAN);
  return sf_plot_viridis((v - L->zlo) / (L->zhi - L->zlo));
}

/* Label of axis value i (the index when there are no values). */
static void axis_label(const double *values, size_t i, char *buf, size_t size) {
  if (values)
    sf_plot_tick_label(values[i], 0.0, buf, size);
  else
    snprintf(buf, size, "%zu", i);
}

static int widest_axis_label(const double *values, size_t n, int scale) {
  int widest = 0;
  for (size_t i = 0; i < n; ++i) {
    char text[LABEL_MAX];
    int w;
    axis_label(values, i, text, sizeof text);
    sf_plot_text_size(text, scale, 0, &w, NULL);
    if (w > widest)
      widest = w;
  }
  return widest;
}

static int layout_heatmap(const sf_plot_heatmap *hm, int width, int height, heatmap_layout *L) {
  memset(L, 0, sizeof *L);
  int s = width >= 1000 ? 2 : 1;
  L->scale = s;
  L->title_scale = s + 1;
  if (hm->title) {
    int w;
    sf_plot_text_size(hm->title, L->title_scale, 0, &w, NULL);
    if (w > width - 8)
      L->title_scale = s;
  }
  L->pad = 6 * s;
  L->tick_len = 5 * s;
  L->text_h = SF_PLOT_FONT_HEIGHT * s;
  color_range(hm, &L->zlo, &L->zhi);
  int top = hm->title ? SF_PLOT_FONT_HEIGHT * L->title_scale + 2 * L->pad : 2 * L->pad;
  int bottom = L->tick_len + 3 + L->text_h + (hm->xlabel ? L->pad + L->text_h : 0) + L->pad;
  int h = height - top - bottom;
  /* Colour bar ticks: as many as fit at three text heights apart. */
  int max_ticks = h / (3 * L->text_h);
  if (max_ticks < 2)
    max_ticks = 2;
  if (max_ticks > MAX_TICKS)
    max_ticks = MAX_TICKS;
  double values[MAX_TICKS], step = 0.0;
  int n = 0;
  if (hm->log_color)
    sf_plot_log_ticks(pow(10.0, L->zlo), pow(10.0, L->zhi), max_ticks, values, MAX_TICKS, &n);
  else
    sf_plot_nice_ticks(L->zlo, L->zhi, max_ticks, values, MAX_TICKS, &n, &step);
  L->nticks = n;
  for (int i = 0; i < n; ++i) {
    L->tick[i] = hm->log_color ? log10(values[i]) : values[i];
    sf_plot_tick_label(values[i], hm->log_color ? values[i] : step, L->tick_label[i], LABEL_MAX);
    int w;
    sf_plot_text_size(L->tick_label[i], s, 0, &w, NULL);
    if (w > L->bar_label_w)
      L->bar_label_w = w;
  }
  int left = L->pad + (hm->ylabel ? L->text_h + L->pad : 0) +
             widest_axis_label(hm->yv, hm->ny, s) + 3 + L->tick_len;
  int bar_w = 16 * s, gap = 12 * s;
  int right = gap + bar_w + L->tick_len + 3 + L->bar_label_w +
              (hm->zlabel ? L->pad + L->text_h : 0) + 2 * L->pad;
  int w = width - left - right;
  if (w < 20 || h < 20)
    return sf_error_set(SF_EINVAL, "heat map of %d x %d px leaves %d x %d px for the cells; "
                        "make it larger", width, height, w, h);
  L->cells = (sf_plot_rect){left, top, w, h};
  L->bar = (sf_plot_rect){left + w + gap, top, bar_w, h};
  return SF_OK;
}

/* Pixel span [*a, *b] of cell i of n along a side of `len` pixels starting at `origin`. */
static void cell_span(int origin, int len, size_t i, size_t n, int *a, int *b) {
  *a = origin + (int)((size_t)len * i / n);
  *b = origin + (int)((size_t)len * (i + 1) / n) - 1;
}

static void draw_cells(sf_plot_canvas *c, const sf_plot_heatmap *hm, const heatmap_layout *L) {
  const sf_plot_rect r = L->cells;
  for (size_t iy = 0; iy < hm->ny; ++iy) {
    int y0, y1; /* row iy counted from the bottom */
    cell_span(0, r.h, iy, hm->ny, &y0, &y1);
    int top = r.y + r.h - 1 - y1, bottom = r.y + r.h - 1 - y0;
    for (size_t ix = 0; ix < hm->nx; ++ix) {
      int x0, x1;
      cell_span(r.x, r.w, ix, hm->nx, &x0, &x1);
      double z = hm->z[iy * hm->nx + ix];
      uint32_t rgb = cell_color(hm, L, z);
      sf_plot_canvas_fill_rect(c, (sf_plot_rect){x0, top, x1 - x0 + 1, bottom - top + 1}, rgb);
      if (!hm->annotate || !isfinite(z))
        continue;
      char text[32];
      snprintf(text, sizeof text, "%.3g", z);
      int tw, th;
      sf_plot_text_size(text, L->scale, 0, &tw, &th);
      if (tw > x1 - x0 - 1 || th > bottom - top - 1)
        continue;
      double lum = 0.299 * (rgb >> 16) + 0.587 * (rgb >> 8 & 0xFF) + 0.114 * (rgb & 0xFF);
      sf_plot_canvas_text(c, (x0 + x1 + 1 - tw) / 2, (top + bottom + 1 - th) / 2 + L->scale / 2,
                          text, L->scale, 0, lum > DARK_CELL_LUMINANCE ? INK : WHITE);
    }
  }
}

static void draw_frame(sf_plot_canvas *c, sf_plot_rect r) {
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x, r.y, r.w, 1}, INK);
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x, r.y + r.h - 1, r.w, 1}, INK);
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x, r.y, 1, r.h}, INK);
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x + r.w - 1, r.y, 1, r.h}, INK);
}

/* Every stride-th cell gets a tick, so that labels keep `room` pixels apart. */
static size_t label_stride(int len, size_t n, int room) {
  double cell = (double)len / (double)n;
  size_t stride = 1;
  while (stride < n && cell * (double)stride < room)
    ++stride;
  return stride;
}

static void draw_axes(sf_plot_canvas *c, const sf_plot_heatmap *hm, const heatmap_layout *L,
                      int width) {
  const sf_plot_rect r = L->cells;
  int s = L->scale;
  draw_frame(c, (sf_plot_rect){r.x - 1, r.y - 1, r.w + 2, r.h + 2});
  size_t xs = label_stride(r.w, hm->nx,
                           widest_axis_label(hm->xv, hm->nx, s) + 2 * SF_PLOT_FONT_ADVANCE * s);
  for (size_t ix = 0; ix < hm->nx; ix += xs) {
    int a, b;
    cell_span(r.x, r.w, ix, hm->nx, &a, &b);
    int tx = (a + b) / 2;
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){tx, r.y + r.h + 1, 1, L->tick_len}, INK);
    char text[LABEL_MAX];
    int w;
    axis_label(hm->xv, ix, text, sizeof text);
    sf_plot_text_size(text, s, 0, &w, NULL);
    sf_plot_canvas_text(c, tx - w / 2, r.y + r.h + 1 + L->tick_len + 3, text, s, 0, INK);
  }
  size_t ys = label_stride(r.h, hm->ny, 2 * L->text_h);
  for (size_t iy = 0; iy < hm->ny; iy += ys) {
    int a, b;
    cell_span(0, r.h, iy, hm->ny, &a, &b);
    int ty = r.y + r.h - 1 - (a + b) / 2;
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x - 1 - L->tick_len, ty, L->tick_len, 1}, INK);
    char text[LABEL_MAX];
    int w;
    axis_label(hm->yv, iy, text, sizeof text);
    sf_plot_text_size(text, s, 0, &w, NULL);
    sf_plot_canvas_text(c, r.x - 1 - L->tick_len - 3 - w, ty - (7 * s) / 2 - s, text, s, 0, INK);
  }
  if (hm->xlabel) {
    int w;
    sf_plot_text_size(hm->xlabel, s, 0, &w, NULL);
    sf_plot_canvas_text(c, r.x + (r.w - w) / 2, r.y + r.h + 1 + L->tick_len + 3 + L->text_h +
                        L->pad, hm->xlabel, s, 0, INK);
  }
  if (hm->ylabel) {
    int h;
    sf_plot_text_size(hm->ylabel, s, 1, NULL, &h);
    sf_plot_canvas_text(c, L->pad, r.y + (r.h - h) / 2, hm->ylabel, s, 1, INK);
  }
  if (hm->title) {
    int w;
    sf_plot_text_size(hm->title, L->title_scale, 0, &w, NULL);
    int tx = r.x + (r.w - w) / 2;
    if (tx + w > width - 4)
      tx = width - 4 - w;
    if (tx < 4)
      tx = 4;
    sf_plot_canvas_text(c, tx, L->pad, hm->title, L->title_scale, 0, INK);
  }
}

static void draw_color_bar(sf_plot_canvas *c, const sf_plot_heatmap *hm,
                           const heatmap_layout *L) {
  const sf_plot_rect b = L->bar;
  int s = L->scale;
  for (int row = 0; row < b.h; ++row) {
    double t = b.h > 1 ? 1.0 - (double)row / (b.h - 1) : 0.5;
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){b.x, b.y + row, b.w, 1}, sf_plot_viridis(t));
  }
  draw_frame(c, (sf_plot_rect){b.x - 1, b.y - 1, b.w + 2, b.h + 2});
  for (int i = 0; i < L->nticks; ++i) {
    double t = (L->tick[i] - L->zlo) / (L->zhi - L->zlo);
    int ty = b.y + (int)lround((1.0 - t) * (b.h - 1));
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){b.x + b.w + 1, ty, L->tick_len, 1}, INK);
    sf_plot_canvas_text(c, b.x + b.w + 1 + L->tick_len + 3, ty - (7 * s) / 2 - s,
                        L->tick_label[i], s, 0, INK);
  }
  if (hm->zlabel) {
    int h;
    sf_plot_text_size(hm->zlabel, s, 1, NULL, &h);
    sf_plot_canvas_text(c, b.x + b.w + 1 + L->tick_len + 3 + L->bar_label_w + L->pad,
                        b.y + (b.h - h) / 2, hm->zlabel, s, 1, INK);
  }
}

int sf_plot_heatmap_render(const sf_plot_heatmap *hm, sf_plot_canvas **out, sf_plot_rect *cells) {
  if (!hm || !out || !hm->z || hm->nx == 0 || hm->ny == 0)
    return sf_error_set(SF_EINVAL, "heat map: need z values and nx, ny >= 1");
  int width = hm->width_px ? hm->width_px : HEATMAP_DEFAULT_W;
  int height = hm->height_px ? hm->height_px : HEATMAP_DEFAULT_H;
  if (width < 1 || height < 1 || width > HEATMAP_MAX_PX || height > HEATMAP_MAX_PX)
    return sf_error_set(SF_EINVAL, "heat map size %d x %d px: each side must be 1 to %d", width,
                        height, HEATMAP_MAX_PX);
  if (hm->log_color && isfinite(hm->zmin) && isfinite(hm->zmax) && hm->zmin < hm->zmax &&
      !(hm->zmin > 0.0))
    return sf_error_set(SF_EINVAL, "heat map colour range [%g, %g]: a log colour scale needs "
                        "zmin > 0", hm->zmin, hm->zmax);
  heatmap_layout L;
  SF_TRY(layout_heatmap(hm, width, height, &L));
  sf_plot_canvas *c = sf_plot_canvas_create(width, height, WHITE);
  if (!c)
    return SF_ENOMEM;
  draw_cells(c, hm, &L);
  draw_axes(c, hm, &L, width);
  draw_color_bar(c, hm, &L);
  if (cells)
    *cells = L.cells;
  *out = c;
  return SF_OK;
}

int sf_plot_heatmap_write_png(const sf_plot_heatmap *hm, const char *path, int force) {
  sf_plot_canvas *c;
  SF_TRY(sf_plot_heatmap_render(hm, &c, NULL));
  int status = sf_plot_canvas_write_png(c, path, force);
  sf_plot_canvas_destroy(c);
  return status;
}

int sf_plot_heatmap_png(const double *z, size_t nx, size_t ny, const double *xv,
                        const double *yv, const char *title, const char *xlabel,
                        const char *ylabel, int log_color, const char *path, int force) {
  sf_plot_heatmap hm = {0};
  hm.z = z;
  hm.nx = nx;
  hm.ny = ny;
  hm.xv = xv;
  hm.yv = yv;
  hm.title = title;
  hm.xlabel = xlabel;
  hm.ylabel = ylabel;
  hm.log_color = log_color;
  return sf_plot_heatmap_write_png(&hm, path, force);
}
