/* sf_plot.h - small self-contained raster plots for reports, written as PNG.

   Line and scatter plots with several named series, optional log axes,
   ticks at "nice" values (1, 2, 5 x 10^k) with numeric labels, axis titles, a
   title and a legend; histograms (bars) with overlaid curves; heat maps of
   2-D arrays in the viridis colour map with a colour bar. Everything is drawn
   into an RGB canvas and written through sf_io_png_write_rgb8 (temporary name,
   rename; no overwrite without force).

   Conventions. Colours are 0xRRGGBB. Canvas pixel (x, y) has its centre at
   integer coordinates (x, y), x to the right, y down, row 0 at the top of the
   picture. Lines are antialiased: 1-px lines with Xiaolin Wu's algorithm,
   wider ones by the distance of each pixel centre to the segment (round caps).
   Text uses a built-in 5 x 7 bitmap font in a 6 x 10 cell (printable ASCII 32
   to 126 plus a few symbols: Å µ ° ± ² ³ × α β γ Δ θ λ σ; anything else shows
   as a box), UTF-8 encoded, scaled by integer factors. Non-finite data points
   are skipped and break a line; so are non-positive values on a log axis.

   Catalogue: canvas - sf_plot_canvas_create, sf_plot_canvas_destroy,
   sf_plot_canvas_set_clip, sf_plot_canvas_get, sf_plot_canvas_blend,
   sf_plot_canvas_fill_rect, sf_plot_canvas_line, sf_plot_canvas_polyline,
   sf_plot_canvas_marker,
   sf_plot_canvas_text, sf_plot_text_size, sf_plot_canvas_write_png; font -
   sf_plot_font_glyph; colour - sf_plot_viridis; ticks - sf_plot_nice_ticks,
   sf_plot_log_ticks, sf_plot_tick_label; plots - sf_plot_create,
   sf_plot_destroy, sf_plot_set_title, sf_plot_set_xlabel, sf_plot_set_ylabel,
   sf_plot_set_log_x, sf_plot_set_log_y, sf_plot_set_xrange, sf_plot_set_yrange,
   sf_plot_set_text_scale, sf_plot_line_style, sf_plot_marker_style,
   sf_plot_add_series, sf_plot_add_bars, sf_plot_series_color, sf_plot_area,
   sf_plot_data_to_pixel, sf_plot_render, sf_plot_write_png; heat maps -
   sf_plot_heatmap_render, sf_plot_heatmap_write_png, sf_plot_heatmap_png. */
#ifndef SF_PLOT_H
#define SF_PLOT_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- canvas */

/* A rectangle of pixels: columns x .. x+w-1, rows y .. y+h-1. */
typedef struct sf_plot_rect {
  int x, y, w, h;
} sf_plot_rect;

/* An 8-bit RGB raster. */
typedef struct sf_plot_canvas {
  int width_px, height_px;
  unsigned char *rgb; /* width*height*3 bytes, row-major, row 0 at the top; owned */
  sf_plot_rect clip;  /* drawing is limited to this rectangle */
} sf_plot_canvas;

/** A canvas of width_px x height_px (1 to 16384 each) filled with
    background_rgb, or NULL (SF_EINVAL or SF_ENOMEM recorded). */
sf_plot_canvas *sf_plot_canvas_create(int width_px, int height_px, uint32_t background_rgb);
/** Free the canvas; NULL is a no-op. */
void sf_plot_canvas_destroy(sf_plot_canvas *c);
/** Limit drawing to `clip` (intersected with the canvas); NULL: the whole canvas. */
void sf_plot_canvas_set_clip(sf_plot_canvas *c, const sf_plot_rect *clip);
/** Colour of pixel (x, y) as 0xRRGGBB; 0 outside the canvas. */
uint32_t sf_plot_canvas_get(const sf_plot_canvas *c, int x, int y);
/** Mix rgb into pixel (x, y) with weight coverage in [0, 1] (1: replace);
    pixels outside the clip rectangle are left alone. */
void sf_plot_canvas_blend(sf_plot_canvas *c, int x, int y, uint32_t rgb, double coverage);
/** Fill rectangle r with rgb (clipped). */
void sf_plot_canvas_fill_rect(sf_plot_canvas *c, sf_plot_rect r, uint32_t rgb);
/** Antialiased line from (x0, y0) to (x1, y1) in pixel coordinates, width_px
    >= 1 wide (values below 1 draw 1 px). Non-finite ends draw nothing. */
void sf_plot_canvas_line(sf_plot_canvas *c, double x0, double y0, double x1, double y1,
                         double width_px, uint32_t rgb);
/** Antialiased polyline through the n points (x[i], y[i]) in pixel
    coordinates; a non-finite point breaks the line. dashed != 0 draws dashes
    (4 w + 2 px on, 2 w + 3 px off for width w, continuing round corners). */
void sf_plot_canvas_polyline(sf_plot_canvas *c, const double *x, const double *y, size_t n,
                             double width_px, int dashed, uint32_t rgb);

/* Marker shapes for scatter series. */
typedef enum sf_plot_marker {
  SF_PLOT_MARKER_NONE = 0,
  SF_PLOT_MARKER_CIRCLE = 1,
  SF_PLOT_MARKER_SQUARE = 2,
  SF_PLOT_MARKER_TRIANGLE = 3,
  SF_PLOT_MARKER_DIAMOND = 4,
  SF_PLOT_MARKER_CROSS = 5
} sf_plot_marker;

/** Filled, antialiased marker of the given shape centred on (x, y), size_px
    across. */
void sf_plot_canvas_marker(sf_plot_canvas *c, double x, double y, sf_plot_marker shape,
                           double size_px, uint32_t rgb);

/** Draw UTF-8 text with its top-left corner at (x, y), each font pixel a
    scale x scale block (scale >= 1). vertical != 0 rotates it 90 degrees
    counter-clockwise (reading upwards), still with the box's top-left corner
    at (x, y). Ink stays inside the box given by sf_plot_text_size. */
void sf_plot_canvas_text(sf_plot_canvas *c, int x, int y, const char *utf8, int scale,
                         int vertical, uint32_t rgb);
/** Width and height in pixels of the box sf_plot_canvas_text fills for this
    text (horizontal: (6n - 1) x 10 font pixels for n characters, times scale;
    vertical: the two swapped). Empty text: 0 x 0. */
void sf_plot_text_size(const char *utf8, int scale, int vertical, int *width_px,
                       int *height_px);

/** Write the canvas as an RGB PNG (see sf_io_png_write_rgb8). */
int sf_plot_canvas_write_png(const sf_plot_canvas *c, const char *path, int force);

/* ---------------------------------------------------------------- font */

#define SF_PLOT_FONT_WIDTH 5   /* glyph columns */
#define SF_PLOT_FONT_HEIGHT 10 /* glyph rows: 1 above the capitals, 7 cap height, 2 descender */
#define SF_PLOT_FONT_ADVANCE 6 /* horizontal step between characters */

/** Bitmap of the glyph for a Unicode code point: bit (4 - col) of rows[row]
    is set where the glyph has ink (col 0 is the left column). Returns 1 if the
    font has the glyph, 0 otherwise (rows then hold the replacement box). */
int sf_plot_font_glyph(uint32_t codepoint, unsigned char rows[SF_PLOT_FONT_HEIGHT]);

/* ---------------------------------------------------------------- colour */

/** The viridis colour map at t in [0, 1] (clamped; NaN gives the "bad value"
    gray 0xC0C0C0), as 0xRRGGBB. Linear interpolation between 16 anchors
    sampled from matplotlib's viridis table (CC0; van der Walt & Smith 2015). */
uint32_t sf_plot_viridis(double t);

/* ---------------------------------------------------------------- ticks */

/** Ticks for a linear axis [lo, hi]: all multiples of a step 1, 2 or 5 x 10^k
    inside the range, the smallest such step giving at most max_ticks (>= 2)
    ticks. Writes up to `capacity` values to ticks, their number to *count and
    the step to *step (optional). SF_EINVAL for a non-finite or empty range. */
int sf_plot_nice_ticks(double lo, double hi, int max_ticks, double *ticks, int capacity,
                       int *count, double *step);
/** Ticks for a log axis over data values [lo, hi] (0 < lo < hi): powers of ten
    (every m-th power when there are more than max_ticks), and for ranges under
    two decades also 2 x and 5 x 10^k. Values in data units, ascending. */
int sf_plot_log_ticks(double lo, double hi, int max_ticks, double *ticks, int capacity,
                      int *count);
/** Label text for a tick value: plain decimals with as many digits as `step`
    (the tick spacing; 0 to format v alone) needs, zero included ("0.0" for
    step 0.5), or mantissa-exponent form ("2.5e6", "1e-5") when |v| >= 1e5 or
    0 < |v| < 1e-3. Never "-0". */
void sf_plot_tick_label(double v, double step, char *buf, size_t size);

/* ---------------------------------------------------------------- line, scatter and bar plots */

typedef struct sf_plot sf_plot; /* opaque */

/* Marks an explicit colour in sf_plot_style.color; 0 means "next palette colour". */
#define SF_PLOT_RGB(hex) (0x1000000u | ((uint32_t)(hex)&0xFFFFFFu))

/* How a series is drawn. A zeroed style draws nothing: use sf_plot_line_style
   or sf_plot_marker_style, or pass NULL for a 2-px line. */
typedef struct sf_plot_style {
  uint32_t color;        /* 0: the next colour of the palette; SF_PLOT_RGB(0xRRGGBB) */
  int line_width_px;     /* 0: no connecting line */
  int dashed;            /* 1: dashed line */
  sf_plot_marker marker; /* SF_PLOT_MARKER_NONE: no markers */
  int marker_size_px;    /* marker size; 0: 7 px */
} sf_plot_style;

/** A solid line width_px wide in the next palette colour. */
sf_plot_style sf_plot_line_style(int width_px);
/** Markers only (a scatter series) in the next palette colour. */
sf_plot_style sf_plot_marker_style(sf_plot_marker marker, int size_px);

/** An empty plot of width_px x height_px (120 to 16384 each), or NULL
    (SF_EINVAL or SF_ENOMEM recorded). */
sf_plot *sf_plot_create(int width_px, int height_px);
/** Free the plot; NULL is a no-op. */
void sf_plot_destroy(sf_plot *p);
/** Title above the plot (UTF-8, copied; NULL clears it). SF_ENOMEM on failure. */
int sf_plot_set_title(sf_plot *p, const char *title);
/** Title of the x axis, under the tick labels (UTF-8, copied; NULL clears it). */
int sf_plot_set_xlabel(sf_plot *p, const char *label);
/** Title of the y axis, written upwards left of the tick labels (UTF-8, copied; NULL clears it). */
int sf_plot_set_ylabel(sf_plot *p, const char *label);
/** Logarithmic x axis (on != 0). SF_EINVAL if a fixed x range starts at <= 0. */
int sf_plot_set_log_x(sf_plot *p, int on);
/** Logarithmic y axis (on != 0). SF_EINVAL if a fixed y range starts at <= 0. */
int sf_plot_set_log_y(sf_plot *p, int on);
/** Fixed x range in data units (lo < hi, lo > 0 on a log axis); NaN, NaN
    returns to the automatic range (data extent plus 5 % margins). */
int sf_plot_set_xrange(sf_plot *p, double lo, double hi);
/** Fixed y range in data units, as sf_plot_set_xrange. Bars make the
    automatic range start exactly at 0 on a linear axis. */
int sf_plot_set_yrange(sf_plot *p, double lo, double hi);
/** Text scale for ticks, labels and legend (1 to 8; the title is one step
    larger). Default: 1, or 2 for plots at least 1000 px wide. */
int sf_plot_set_text_scale(sf_plot *p, int scale);

/** Add a series of n points (x[i], y[i]) (copied). name: legend text, or
    NULL for no legend entry; style NULL: a 2-px line. Series are drawn in
    the order added. SF_EINVAL for n == 0, NULL arrays or a style that draws
    nothing. */
int sf_plot_add_series(sf_plot *p, const char *name, const double *x, const double *y, size_t n,
                       const sf_plot_style *style);
/** Add a histogram: nbins bars, bar i spanning edges[i] .. edges[i+1] from 0
    (or the bottom of a log axis) to heights[i] (copied; edges ascending).
    style NULL: filled bars in the next palette colour. */
int sf_plot_add_bars(sf_plot *p, const char *name, const double *edges, const double *heights,
                     size_t nbins, const sf_plot_style *style);
/** Colour (0xRRGGBB) series `index` (0-based, in the order added) is drawn in. */
int sf_plot_series_color(const sf_plot *p, size_t index, uint32_t *rgb);

/** Pixel rectangle of the data area; the frame lies on its outer rows and
    columns, and the axis range maps onto it edge to edge. */
int sf_plot_area(const sf_plot *p, sf_plot_rect *area);
/** Pixel coordinates of the data point (x, y) in the rendered plot.
    SF_EINVAL for a non-finite point or a non-positive one on a log axis. */
int sf_plot_data_to_pixel(const sf_plot *p, double x, double y, double *px, double *py);

/** Render into a new canvas (*out owned by the caller; free with
    sf_plot_canvas_destroy). */
int sf_plot_render(const sf_plot *p, sf_plot_canvas **out);
/** Render and write as PNG (no overwrite unless force). */
int sf_plot_write_png(const sf_plot *p, const char *path, int force);

/* ---------------------------------------------------------------- heat maps */

/* A heat map of z on an nx x ny grid of equal cells. Cell (ix, iy) is drawn
   in column ix from the left and row iy from the BOTTOM (the y axis points
   up, as for a plot, unlike sf_io_png_write_map). Axis ticks sit at cell
   centres, labelled with xv[ix] and yv[iy] (or the indices when NULL), which
   suits log-spaced grids such as dose x dose. Non-finite cells (and
   non-positive ones with log_color) are gray 0xC0C0C0. */
typedef struct sf_plot_heatmap {
  const double *z;            /* z[iy*nx + ix] */
  size_t nx, ny;
  const double *xv, *yv;      /* nx and ny axis values, or NULL */
  const char *title, *xlabel, *ylabel, *zlabel; /* NULL: none */
  int log_color;              /* 1: colour by log10(z) */
  double zmin, zmax;          /* colour range; equal (e.g. both 0): min and max of the data */
  int annotate;               /* 1: print each cell's value in it when it fits */
  int width_px, height_px;    /* 0: 640 x 480 */
} sf_plot_heatmap;

/** Render the heat map into a new canvas (*out owned by the caller); *cells
    (optional) gets the pixel rectangle covered by the cells. */
int sf_plot_heatmap_render(const sf_plot_heatmap *hm, sf_plot_canvas **out, sf_plot_rect *cells);
/** Render and write as PNG (no overwrite unless force). */
int sf_plot_heatmap_write_png(const sf_plot_heatmap *hm, const char *path, int force);
/** Shorthand: a 640 x 480 heat map of z[iy*nx + ix] with the given labels. */
int sf_plot_heatmap_png(const double *z, size_t nx, size_t ny, const double *xv,
                        const double *yv, const char *title, const char *xlabel,
                        const char *ylabel, int log_color, const char *path, int force);

#ifdef __cplusplus
}
#endif
#endif
