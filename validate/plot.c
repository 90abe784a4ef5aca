/* plot.c - line, scatter and bar plots with axes, ticks, labels and a legend. */
#include "validate/sf_plot.h"

#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_MIN_PX 120
#define PLOT_MAX_PX 16384
#define MAX_TICKS 64
#define LABEL_MAX 40
#define WHITE 0xFFFFFFu
#define INK 0x000000u
#define GRID_GRAY 0xE6E6E6u
#define LEGEND_EDGE 0xA0A0A0u
#define DEFAULT_LINE_PX 2
#define DEFAULT_MARKER_PX 7
/* Margin added on each side of the data extent, as a fraction of it. */
#define AUTO_MARGIN 0.05
/* Fill weight of histogram bars over the background (their edges are solid). */
#define BAR_FILL_WEIGHT 0.55

/* Okabe & Ito, "Color Universal Design" (2008): distinguishable with common
   colour-vision deficiencies. Yellow comes last: it is faint on white. */
static const uint32_t palette[] = {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7,
                                   0xE69F00, 0x56B4E9, 0x000000, 0xF0E442};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])

typedef struct plot_series {
  char *name;
  double *x, *y; /* bars: x holds n+1 edges, y n heights */
  size_t n;
  int bars;
  sf_plot_style style;
  uint32_t rgb;
} plot_series;

struct sf_plot {
  int width_px, height_px;
  char *title, *label[2];
  int log_axis[2];
  double fixed[2][2]; /* fixed range per axis in data units; NaN: automatic */
  int text_scale;
  plot_series *series;
  size_t count, capacity;
  size_t next_color;
};

/* One axis after layout. Ranges and tick positions are in transformed units
   (log10 of the value on a log axis). */
typedef struct axis_layout {
  int log;
  double lo, hi;
  int nticks;
  double tick[MAX_TICKS];
  char label[MAX_TICKS][LABEL_MAX];
  int nminor;
  double minor[MAX_TICKS];
} axis_layout;

typedef struct plot_layout {
  sf_plot_rect area;
  axis_layout ax[2]; /* 0: x, 1: y */
  int scale, title_scale, pad, tick_len;
} plot_layout;

/* ---------------------------------------------------------------- life cycle and settings */

sf_plot *sf_plot_create(int width_px, int height_px) {
  if (width_px < PLOT_MIN_PX || height_px < PLOT_MIN_PX || width_px > PLOT_MAX_PX ||
      height_px > PLOT_MAX_PX) {
    sf_error_set(SF_EINVAL, "plot size %d x %d px: each side must be %d to %d", width_px,
                 height_px, PLOT_MIN_PX, PLOT_MAX_PX);
    return NULL;
  }
  sf_plot *p = calloc(1, sizeof *p);
  if (!p) {
    sf_error_set(SF_ENOMEM, "plot: out of memory");
    return NULL;
  }
  p->width_px = width_px;
  p->height_px = height_px;
  for (int a = 0; a < 2; ++a)
    p->fixed[a][0] = p->fixed[a][1] = NAN;
  p->text_scale = width_px >= 1000 ? 2 : 1;
  return p;
}

void sf_plot_destroy(sf_plot *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->count; ++i) {
    free(p->series[i].name);
    free(p->series[i].x);
    free(p->series[i].y);
  }
  free(p->series);
  free(p->title);
  free(p->label[0]);
  free(p->label[1]);
  free(p);
}

static int replace_text(char **slot, const char *text, const char *what) {
  char *copy = NULL;
  if (text && !(copy = strdup(text)))
    return sf_error_set(SF_ENOMEM, "plot %s: out of memory", what);
  free(*slot);
  *slot = copy;
  return SF_OK;
}

int sf_plot_set_title(sf_plot *p, const char *title) {
  return replace_text(&p->title, title, "title");
}

int sf_plot_set_xlabel(sf_plot *p, const char *label) {
  return replace_text(&p->label[0], label, "x label");
}

int sf_plot_set_ylabel(sf_plot *p, const char *label) {
  return replace_text(&p->label[1], label, "y label");
}

static int set_log(sf_plot *p, int axis, int on) {
  double lo = p->fixed[axis][0];
  if (on && !isnan(lo) && !(lo > 0.0))
    return sf_error_set(SF_EINVAL, "plot %c axis: fixed range starts at %g, which a log axis "
                        "cannot show", axis ? 'y' : 'x', lo);
  p->log_axis[axis] = on != 0;
  return SF_OK;
}

int sf_plot_set_log_x(sf_plot *p, int on) { return set_log(p, 0, on); }
int sf_plot_set_log_y(sf_plot *p, int on) { return set_log(p, 1, on); }

static int set_range(sf_plot *p, int axis, double lo, double hi) {
  if (isnan(lo) && isnan(hi)) {
    p->fixed[axis][0] = p->fixed[axis][1] = NAN;
    return SF_OK;
  }
  if (!isfinite(lo) || !isfinite(hi) || !(lo < hi) || (p->log_axis[axis] && !(lo > 0.0)))
    return sf_error_set(SF_EINVAL, "plot %c range [%g, %g]: need finite lo < hi%s",
                        axis ? 'y' : 'x', lo, hi,
                        p->log_axis[axis] ? " and lo > 0 (log axis)" : "");
  p->fixed[axis][0] = lo;
  p->fixed[axis][1] = hi;
  return SF_OK;
}

int sf_plot_set_xrange(sf_plot *p, double lo, double hi) { return set_range(p, 0, lo, hi); }
int sf_plot_set_yrange(sf_plot *p, double lo, double hi) { return set_range(p, 1, lo, hi); }

int sf_plot_set_text_scale(sf_plot *p, int scale) {
  if (scale < 1 || scale > 8)
    return sf_error_set(SF_EINVAL, "plot text scale %d: must be 1 to 8", scale);
  p->text_scale = scale;
  return SF_OK;
}

sf_plot_style sf_plot_line_style(int width_px) {
  sf_plot_style s = {0};
  s.line_width_px = width_px > 0 ? width_px : DEFAULT_LINE_PX;
  return s;
}

sf_plot_style sf_plot_marker_style(sf_plot_marker marker, int size_px) {
  sf_plot_style s = {0};
  s.marker = marker == SF_PLOT_MARKER_NONE ? SF_PLOT_MARKER_CIRCLE : marker;
  s.marker_size_px = size_px > 0 ? size_px : DEFAULT_MARKER_PX;
  return s;
}

/* ---------------------------------------------------------------- series */

static int push_series(sf_plot *p, const char *name, const double *x, size_t nx, const double *y,
                       size_t ny, size_t n, int bars, const sf_plot_style *style) {
  if (p->count == p->capacity) {
    size_t cap = p->capacity ? 2 * p->capacity : 8;
    plot_series *s = realloc(p->series, cap * sizeof *s);
    if (!s)
      return sf_error_set(SF_ENOMEM, "plot series: out of memory");
    p->series = s;
    p->capacity = cap;
  }
  plot_series s = {0};
  s.n = n;
  s.bars = bars;
  s.style = *style;
  s.x = malloc(nx * sizeof *s.x);
  s.y = malloc(ny * sizeof *s.y);
  s.name = name ? strdup(name) : NULL;
  if (!s.x || !s.y || (name && !s.name)) {
    free(s.x);
    free(s.y);
    free(s.name);
    return sf_error_set(SF_ENOMEM, "plot series '%s' of %zu points: out of memory",
                        name ? name : "", n);
  }
  memcpy(s.x, x, nx * sizeof *s.x);
  memcpy(s.y, y, ny * sizeof *s.y);
  if (style->color & 0x1000000u)
    s.rgb = style->color & 0xFFFFFFu;
  else
    s.rgb = palette[p->next_color++ % PALETTE_SIZE];
  if (s.style.marker != SF_PLOT_MARKER_NONE && s.style.marker_size_px <= 0)
    s.style.marker_size_px = DEFAULT_MARKER_PX;
  p->series[p->count++] = s;
  return SF_OK;
}

int sf_plot_add_series(sf_plot *p, const char *name, const double *x, const double *y, size_t n,
                       const sf_plot_style *style) {
  sf_plot_style line = sf_plot_line_style(DEFAULT_LINE_PX);
  if (!style)
    style = &line;
  if (!x || !y || n == 0)
    return sf_error_set(SF_EINVAL, "plot series '%s': no points", name ? name : "");
  if (style->line_width_px <= 0 && style->marker == SF_PLOT_MARKER_NONE)
    return sf_error_set(SF_EINVAL, "plot series '%s': the style has neither a line nor markers",
                        name ? name : "");
  return push_series(p, name, x, n, y, n, n, 0, style);
}

int sf_plot_add_bars(sf_plot *p, const char *name, const double *edges, const double *heights,
                     size_t nbins, const sf_plot_style *style) {
  sf_plot_style fill = {0};
  if (!style)
    style = &fill;
  if (!edges || !heights || nbins == 0)
    return sf_error_set(SF_EINVAL, "histogram '%s': no bins", name ? name : "");
  for (size_t i = 0; i < nbins; ++i)
    if (!(edges[i] < edges[i + 1]))
      return sf_error_set(SF_EINVAL, "histogram '%s': bin edges %zu and %zu (%g, %g) are not "
                          "ascending", name ? name : "", i, i + 1, edges[i], edges[i + 1]);
  return push_series(p, name, edges, nbins + 1, heights, nbins, nbins, 1, style);
}

int sf_plot_series_color(const sf_plot *p, size_t index, uint32_t *rgb) {
  if (index >= p->count)
    return sf_error_set(SF_ERANGE, "plot series %zu does not exist (%zu series)", index,
                        p->count);
  *rgb = p->series[index].rgb;
  return SF_OK;
}

/* ---------------------------------------------------------------- layout */

/* Value in axis units (log10 on a log axis); NaN when it cannot be shown. */
static double axis_value(int log_axis, double v) {
  if (!isfinite(v))
    return NAN;
  if (log_axis)
    return v > 0.0 ? log10(v) : NAN;
  return v;
}

static void widen(double v, double *lo, double *hi) {
  if (isnan(v))
    return;
  if (v < *lo)
    *lo = v;
  if (v > *hi)
    *hi = v;
}

/* Extent of the data along `axis` in axis units; *sticky_lo/hi mark a bar
   baseline at the edge (no margin is added there). 0 when there is no data. */
static int data_extent(const sf_plot *p, int axis, double *lo, double *hi, int *sticky_lo,
                       int *sticky_hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  int baseline = 0;
  for (size_t i = 0; i < p->count; ++i) {
    const plot_series *s = &p->series[i];
    if (!s->bars) {
      for (size_t k = 0; k < s->n; ++k) {
        double u = axis_value(p->log_axis[0], s->x[k]), v = axis_value(p->log_axis[1], s->y[k]);
        if (!isnan(u) && !isnan(v))
          widen(axis ? v : u, lo, hi);
      }
      continue;
    }
    for (size_t k = 0; k < s->n; ++k) {
      double e0 = axis_value(p->log_axis[0], s->x[k]), e1 = axis_value(p->log_axis[0], s->x[k + 1]);
      double h = axis_value(p->log_axis[1], s->y[k]);
      if (isnan(e0) || isnan(e1) || isnan(h))
        continue;
      if (axis == 0) {
        widen(e0, lo, hi);
        widen(e1, lo, hi);
      } else {
        widen(h, lo, hi);
        if (!p->log_axis[1]) {
          widen(0.0, lo, hi);
          baseline = 1;
        }
      }
    }
  }
  *sticky_lo = baseline && *lo == 0.0;
  *sticky_hi = baseline && *hi == 0.0;
  return *lo <= *hi;
}

static void resolve_range(const sf_plot *p, int axis, double *lo, double *hi) {
  int log_axis = p->log_axis[axis];
  if (!isnan(p->fixed[axis][0])) {
    *lo = axis_value(log_axis, p->fixed[axis][0]);
    *hi = axis_value(log_axis, p->fixed[axis][1]);
    return;
  }
  int sticky_lo, sticky_hi;
  if (!data_extent(p, axis, lo, hi, &sticky_lo, &sticky_hi)) {
    *lo = 0.0;
    *hi = 1.0;
    return;
  }
  if (*hi - *lo <= 0.0) {
    double half = log_axis ? 0.5 : (*lo != 0.0 ? 0.1 * fabs(*lo) : 0.5);
    *lo -= half;
    *hi += half;
    return;
  }
  double margin = AUTO_MARGIN * (*hi - *lo);
  if (!sticky_lo)
    *lo -= margin;
  if (!sticky_hi)
    *hi += margin;
}

/* Ticks (at most max_ticks) and their labels for an axis whose range is set. */
static void make_ticks(axis_layout *ax, int max_ticks) {
  double values[MAX_TICKS], step = 0.0;
  int n = 0;
  if (max_ticks < 2)
    max_ticks = 2;
  if (max_ticks > MAX_TICKS)
    max_ticks = MAX_TICKS;
  ax->nminor = 0;
  if (ax->log) {
    sf_plot_log_ticks(pow(10.0, ax->lo), pow(10.0, ax->hi), max_ticks, values, MAX_TICKS, &n);
    /* Minor ticks at 2..9 x 10^k when the decades are few enough to show them. */
    if (ax->hi - ax->lo <= 8.0)
      for (double e = floor(ax->lo); e <= ceil(ax->hi) && ax->nminor < MAX_TICKS; e += 1.0)
        for (int m = 2; m <= 9 && ax->nminor < MAX_TICKS; ++m) {
          double t = e + log10((double)m);
          if (t >= ax->lo && t <= ax->hi)
            ax->minor[ax->nminor++] = t;
        }
  } else {
    sf_plot_nice_ticks(ax->lo, ax->hi, max_ticks, values, MAX_TICKS, &n, &step);
  }
  ax->nticks = n;
  for (int i = 0; i < n; ++i) {
    ax->tick[i] = ax->log ? log10(values[i]) : values[i];
    sf_plot_tick_label(values[i], ax->log ? values[i] : step, ax->label[i], LABEL_MAX);
  }
}

static int widest_label(const axis_layout *ax, int scale) {
  int widest = 0;
  for (int i = 0; i < ax->nticks; ++i) {
    int w;
    sf_plot_text_size(ax->label[i], scale, 0, &w, NULL);
    if (w > widest)
      widest = w;
  }
  return widest;
}

static int compute_layout(const sf_plot *p, plot_layout *L) {
  memset(L, 0, sizeof *L);
  int s = p->text_scale;
  L->scale = s;
  L->title_scale = s + 1;
  if (p->title) {
    int w;
    sf_plot_text_size(p->title, L->title_scale, 0, &w, NULL);
    if (w > p->width_px - 8)
      L->title_scale = s;
  }
  L->pad = 6 * s;
  L->tick_len = 5 * s;
  int text_h = SF_PLOT_FONT_HEIGHT * s;
  int top = p->title ? SF_PLOT_FONT_HEIGHT * L->title_scale + 2 * L->pad : 2 * L->pad;
  int bottom = L->tick_len + 3 + text_h + (p->label[0] ? L->pad + text_h : 0) + L->pad;
  int height = p->height_px - top - bottom;
  for (int a = 0; a < 2; ++a) {
    L->ax[a].log = p->log_axis[a];
    resolve_range(p, a, &L->ax[a].lo, &L->ax[a].hi);
  }
  if (height >= 20)
    make_ticks(&L->ax[1], height / (3 * text_h));
  int left = L->pad + (p->label[1] ? text_h + L->pad : 0) + widest_label(&L->ax[1], s) + 3 +
             L->tick_len;
  int right = 3 * SF_PLOT_FONT_ADVANCE * s + L->pad;
  int width = p->width_px - left - right;
  if (width < 20 || height < 20)
    return sf_error_set(SF_EINVAL, "plot of %d x %d px leaves a data area of %d x %d px for "
                        "its labels; make it larger or the text smaller", p->width_px,
                        p->height_px, width, height);
  L->area = (sf_plot_rect){left, top, width, height};
  /* As many x ticks as fit with their labels two characters apart. */
  axis_layout *x = &L->ax[0];
  for (int max_ticks = width / (4 * SF_PLOT_FONT_ADVANCE * s); ; --max_ticks) {
    make_ticks(x, max_ticks);
    if (max_ticks <= 2 || x->nticks < 2)
      break;
    double spacing = (x->tick[1] - x->tick[0]) / (x->hi - x->lo) * (width - 1);
    if (spacing >= widest_label(x, s) + 2 * SF_PLOT_FONT_ADVANCE * s)
      break;
  }
  return SF_OK;
}

static double to_px(const plot_layout *L, double u) {
  const axis_layout *x = &L->ax[0];
  return L->area.x + (u - x->lo) / (x->hi - x->lo) * (L->area.w - 1);
}

static double to_py(const plot_layout *L, double v) {
  const axis_layout *y = &L->ax[1];
  return L->area.y + (L->area.h - 1) - (v - y->lo) / (y->hi - y->lo) * (L->area.h - 1);
}

int sf_plot_area(const sf_plot *p, sf_plot_rect *area) {
  plot_layout L;
  SF_TRY(compute_layout(p, &L));
  *area = L.area;
  return SF_OK;
}

int sf_plot_data_to_pixel(const sf_plot *p, double x, double y, double *px, double *py) {
  plot_layout L;
  SF_TRY(compute_layout(p, &L));
  double u = axis_value(p->log_axis[0], x), v = axis_value(p->log_axis[1], y);
  if (isnan(u) || isnan(v))
    return sf_error_set(SF_EINVAL, "point (%g, %g) cannot be shown on this plot's axes", x, y);
  *px = to_px(&L, u);
  *py = to_py(&L, v);
  return SF_OK;
}

/* ---------------------------------------------------------------- drawing */

static void draw_bars(sf_plot_canvas *c, const plot_layout *L, const sf_plot *p,
                      const plot_series *s) {
  double base = p->log_axis[1] ? L->ax[1].lo : 0.0;
  for (size_t k = 0; k < s->n; ++k) {
    double e0 = axis_value(p->log_axis[0], s->x[k]), e1 = axis_value(p->log_axis[0], s->x[k + 1]);
    double h = axis_value(p->log_axis[1], s->y[k]);
    if (isnan(e0) || isnan(e1) || isnan(h))
      continue;
    double xa = to_px(L, e0), xb = to_px(L, e1), ya = to_py(L, base), yb = to_py(L, h);
    /* Far-off ends are cut just outside the data area (the clip rectangle). */
    double left = L->area.x - 2.0, right = L->area.x + L->area.w + 1.0;
    double top = L->area.y - 2.0, bottom = L->area.y + L->area.h + 1.0;
    xa = fmax(left, fmin(right, xa));
    xb = fmax(left, fmin(right, xb));
    ya = fmax(top, fmin(bottom, ya));
    yb = fmax(top, fmin(bottom, yb));
    int x0 = (int)lround(xa), x1 = (int)lround(xb);
    int y0 = (int)lround(fmin(ya, yb)), y1 = (int)lround(fmax(ya, yb));
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        sf_plot_canvas_blend(c, x, y, s->rgb, BAR_FILL_WEIGHT);
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){x0, y0, 1, y1 - y0 + 1}, s->rgb);
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){x1, y0, 1, y1 - y0 + 1}, s->rgb);
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){x0, yb < ya ? y0 : y1, x1 - x0 + 1, 1}, s->rgb);
  }
}

static int draw_series(sf_plot_canvas *c, const plot_layout *L, const sf_plot *p,
                       const plot_series *s) {
  if (s->bars) {
    draw_bars(c, L, p, s);
    return SF_OK;
  }
  double *px = malloc(2 * s->n * sizeof *px);
  if (!px)
    return sf_error_set(SF_ENOMEM, "drawing series '%s': out of memory", s->name ? s->name : "");
  double *py = px + s->n;
  for (size_t k = 0; k < s->n; ++k) {
    double u = axis_value(p->log_axis[0], s->x[k]), v = axis_value(p->log_axis[1], s->y[k]);
    px[k] = isnan(u) || isnan(v) ? NAN : to_px(L, u);
    py[k] = isnan(u) || isnan(v) ? NAN : to_py(L, v);
  }
  if (s->style.line_width_px > 0)
    sf_plot_canvas_polyline(c, px, py, s->n, s->style.line_width_px, s->style.dashed, s->rgb);
  if (s->style.marker != SF_PLOT_MARKER_NONE)
    for (size_t k = 0; k < s->n; ++k)
      sf_plot_canvas_marker(c, px[k], py[k], s->style.marker, s->style.marker_size_px, s->rgb);
  free(px);
  return SF_OK;
}

static void draw_frame(sf_plot_canvas *c, sf_plot_rect r, uint32_t rgb) {
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x, r.y, r.w, 1}, rgb);
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x, r.y + r.h - 1, r.w, 1}, rgb);
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x, r.y, 1, r.h}, rgb);
  sf_plot_canvas_fill_rect(c, (sf_plot_rect){r.x + r.w - 1, r.y, 1, r.h}, rgb);
}

static void draw_axes(sf_plot_canvas *c, const plot_layout *L, const sf_plot *p) {
  const sf_plot_rect a = L->area;
  int s = L->scale, text_h = SF_PLOT_FONT_HEIGHT * s;
  draw_frame(c, a, INK);
  const axis_layout *x = &L->ax[0], *y = &L->ax[1];
  int bottom = a.y + a.h;
  for (int i = 0; i < x->nminor; ++i)
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){(int)lround(to_px(L, x->minor[i])), bottom, 1,
                                               L->tick_len / 2 + 1}, INK);
  for (int i = 0; i < y->nminor; ++i)
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){a.x - L->tick_len / 2 - 1,
                                               (int)lround(to_py(L, y->minor[i])),
                                               L->tick_len / 2 + 1, 1}, INK);
  for (int i = 0; i < x->nticks; ++i) {
    int tx = (int)lround(to_px(L, x->tick[i]));
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){tx, bottom, 1, L->tick_len}, INK);
    int w;
    sf_plot_text_size(x->label[i], s, 0, &w, NULL);
    sf_plot_canvas_text(c, tx - w / 2, bottom + L->tick_len + 3, x->label[i], s, 0, INK);
  }
  for (int i = 0; i < y->nticks; ++i) {
    int ty = (int)lround(to_py(L, y->tick[i]));
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){a.x - L->tick_len, ty, L->tick_len, 1}, INK);
    int w;
    sf_plot_text_size(y->label[i], s, 0, &w, NULL);
    sf_plot_canvas_text(c, a.x - L->tick_len - 3 - w, ty - (7 * s) / 2 - s, y->label[i], s, 0,
                        INK);
  }
  if (p->label[0]) {
    int w;
    sf_plot_text_size(p->label[0], s, 0, &w, NULL);
    sf_plot_canvas_text(c, a.x + (a.w - w) / 2, bottom + L->tick_len + 3 + text_h + L->pad,
                        p->label[0], s, 0, INK);
  }
  if (p->label[1]) {
    int h;
    sf_plot_text_size(p->label[1], s, 1, NULL, &h);
    sf_plot_canvas_text(c, L->pad, a.y + (a.h - h) / 2, p->label[1], s, 1, INK);
  }
  if (p->title) {
    int w;
    sf_plot_text_size(p->title, L->title_scale, 0, &w, NULL);
    int tx = a.x + (a.w - w) / 2;
    if (tx + w > p->width_px - 4)
      tx = p->width_px - 4 - w;
    if (tx < 4)
      tx = 4;
    sf_plot_canvas_text(c, tx, L->pad, p->title, L->title_scale, 0, INK);
  }
}

static void draw_grid(sf_plot_canvas *c, const plot_layout *L) {
  const sf_plot_rect a = L->area;
  for (int i = 0; i < L->ax[0].nticks; ++i)
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){(int)lround(to_px(L, L->ax[0].tick[i])), a.y, 1,
                                               a.h}, GRID_GRAY);
  for (int i = 0; i < L->ax[1].nticks; ++i)
    sf_plot_canvas_fill_rect(c, (sf_plot_rect){a.x, (int)lround(to_py(L, L->ax[1].tick[i])), a.w,
                                               1}, GRID_GRAY);
}

/* Pixels of r that carry data (neither background nor grid). */
static long busy_pixels(const sf_plot_canvas *c, sf_plot_rect r) {
  long n = 0;
  for (int y = r.y; y < r.y + r.h; ++y)
    for (int x = r.x; x < r.x + r.w; ++x) {
      uint32_t v = sf_plot_canvas_get(c, x, y);
      n += v != WHITE && v != GRID_GRAY;
    }
  return n;
}

/* The legend, in whichever inner corner of the data area covers the least data. */
static void draw_legend(sf_plot_canvas *c, const plot_layout *L, const sf_plot *p) {
  int s = L->scale, text_h = SF_PLOT_FONT_HEIGHT * s, pad = 4 * s;
  int sample_w = 12 * s + 12, entry_h = text_h + 4 * s;
  int entries = 0, text_w = 0;
  for (size_t i = 0; i < p->count; ++i) {
    const plot_series *ser = &p->series[i];
    if (!ser->name)
      continue;
    int w;
    sf_plot_text_size(ser->name, s, 0, &w, NULL);
    if (w > text_w)
      text_w = w;
    ++entries;
    if (ser->style.marker_size_px + 4 > entry_h)
      entry_h = ser->style.marker_size_px + 4;
  }
  if (!entries)
    return;
  int w = pad + sample_w + pad + text_w + pad, h = pad + entries * entry_h + pad;
  const sf_plot_rect a = L->area;
  int inset = 8;
  int left = a.x + inset, right = a.x + a.w - inset - w;
  int top = a.y + inset, lower = a.y + a.h - inset - h;
  sf_plot_rect corners[4] = {{right, top, w, h}, {left, top, w, h}, {left, lower, w, h},
                             {right, lower, w, h}};
  int best = 0;
  long best_busy = -1;
  for (int k = 0; k < 4; ++k) {
    long busy = busy_pixels(c, corners[k]);
    if (best_busy < 0 || busy < best_busy) {
      best_busy = busy;
      best = k;
    }
  }
  sf_plot_rect box = corners[best];
  sf_plot_canvas_fill_rect(c, box, WHITE);
  draw_frame(c, box, LEGEND_EDGE);
  int row = 0;
  for (size_t i = 0; i < p->count; ++i) {
    const plot_series *ser = &p->series[i];
    if (!ser->name)
      continue;
    int cy = box.y + pad + row * entry_h + entry_h / 2;
    int sx = box.x + pad;
    if (ser->bars) {
      sf_plot_rect r = {sx + 2, cy - text_h / 2, sample_w - 4, text_h};
      for (int y = r.y; y < r.y + r.h; ++y)
        for (int x = r.x; x < r.x + r.w; ++x)
          sf_plot_canvas_blend(c, x, y, ser->rgb, BAR_FILL_WEIGHT);
      draw_frame(c, r, ser->rgb);
    } else {
      if (ser->style.line_width_px > 0) {
        double lx[2] = {sx, sx + sample_w - 1}, ly[2] = {cy, cy};
        sf_plot_canvas_polyline(c, lx, ly, 2, ser->style.line_width_px, ser->style.dashed,
                                ser->rgb);
      }
      if (ser->style.marker != SF_PLOT_MARKER_NONE)
        sf_plot_canvas_marker(c, sx + sample_w / 2, cy, ser->style.marker,
                              ser->style.marker_size_px, ser->rgb);
    }
    sf_plot_canvas_text(c, sx + sample_w + pad, cy - (7 * s) / 2 - s, ser->name, s, 0, INK);
    ++row;
  }
}

int sf_plot_render(const sf_plot *p, sf_plot_canvas **out) {
  if (!p || !out)
    return sf_error_set(SF_EINVAL, "sf_plot_render: plot and output must not be NULL");
  plot_layout L;
  SF_TRY(compute_layout(p, &L));
  sf_plot_canvas *c = sf_plot_canvas_create(p->width_px, p->height_px, WHITE);
  if (!c)
    return SF_ENOMEM;
  draw_grid(c, &L);
  sf_plot_canvas_set_clip(c, &L.area);
  int status = SF_OK;
  for (size_t i = 0; i < p->count && status == SF_OK; ++i)
    status = draw_series(c, &L, p, &p->series[i]);
  if (status == SF_OK)
    draw_legend(c, &L, p);
  sf_plot_canvas_set_clip(c, NULL);
  if (status != SF_OK) {
    sf_plot_canvas_destroy(c);
    return status;
  }
  draw_axes(c, &L, p);
  *out = c;
  return SF_OK;
}

int sf_plot_write_png(const sf_plot *p, const char *path, int force) {
  sf_plot_canvas *c;
  SF_TRY(sf_plot_render(p, &c));
  int status = sf_plot_canvas_write_png(c, path, force);
  sf_plot_canvas_destroy(c);
  return status;
}
