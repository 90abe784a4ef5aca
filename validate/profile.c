/* profile.c - band-averaged line profiles with bilinear interpolation. */
#include "validate/sf_profile.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Relative tolerance for square pixels and for the segment length rounding. */
#define SQUARE_PIXEL_TOL 1e-9
#define LENGTH_ROUND_TOL 1e-9

double sf_profile_bilinear(const sf_map *m, double x, double y) {
  const double xmax = (double)(m->nx - 1), ymax = (double)(m->ny - 1);
  if (!(x >= 0.0 && x <= xmax && y >= 0.0 && y <= ymax))
    return NAN;
  size_t ix = m->nx > 1 ? (size_t)floor(x) : 0, iy = m->ny > 1 ? (size_t)floor(y) : 0;
  if (m->nx > 1 && ix > m->nx - 2)
    ix = m->nx - 2;
  if (m->ny > 1 && iy > m->ny - 2)
    iy = m->ny - 2;
  double fx = x - (double)ix, fy = y - (double)iy;
  size_t jx = m->nx > 1 ? ix + 1 : ix, jy = m->ny > 1 ? iy + 1 : iy;
  double v00 = sf_map_get(m, ix, iy, 0), v10 = sf_map_get(m, jx, iy, 0);
  double v01 = sf_map_get(m, ix, jy, 0), v11 = sf_map_get(m, jx, jy, 0);
  return (1.0 - fy) * ((1.0 - fx) * v00 + fx * v10) + fy * ((1.0 - fx) * v01 + fx * v11);
}

void sf_profile_destroy(sf_profile *p) {
  if (!p)
    return;
  if (p->values)
    for (size_t m = 0; m < p->n_maps; ++m)
      sf_free(p->values[m]);
  free(p->values);
  free(p->names);
  sf_free(p->position);
  free(p);
}

static int same_axis(const sf_axis *a, const sf_axis *b) {
  return a->origin == b->origin && a->step == b->step && strcmp(a->units, b->units) == 0;
}

static int check_maps(const sf_map *const *maps, size_t n_maps) {
  if (n_maps == 0 || !maps)
    return sf_error_set(SF_EINVAL, "profile: no maps given");
  for (size_t k = 0; k < n_maps; ++k) {
    const sf_map *m = maps[k];
    if (m->nz != 1)
      return sf_error_set(SF_EINVAL, "profile: map '%s' is a cube (nz = %zu)", m->name, m->nz);
    if (!sf_map_same_grid(m, maps[0]) || !same_axis(&m->axis[0], &maps[0]->axis[0]) ||
        !same_axis(&m->axis[1], &maps[0]->axis[1]))
      return sf_error_set(SF_EINVAL, "profile: map '%s' is not on the grid of '%s'", m->name,
                          maps[0]->name);
  }
  return SF_OK;
}

/* Convert the segment and width to pixels; *step_A is the pixel size in Å or 0. */
static int to_pixels(const sf_map *m, sf_profile_units units, double c[4], double *width,
                     double *sx_A, double *sy_A) {
  double kx = sf_axis_length_scale_A(&m->axis[0]), ky = sf_axis_length_scale_A(&m->axis[1]);
  *sx_A = kx * fabs(m->axis[0].step);
  *sy_A = ky * fabs(m->axis[1].step);
  if (units == SF_PROFILE_PIXELS)
    return SF_OK;
  if (units != SF_PROFILE_CALIBRATED)
    return sf_error_set(SF_EINVAL, "profile: units = %d: must be pixels or calibrated",
                        (int)units);
  if (kx == 0.0 || ky == 0.0)
    return sf_error_set(SF_EINVAL, "profile: map '%s' axes are in '%s' and '%s': calibrated "
                        "coordinates need Å or nm", m->name, m->axis[0].units, m->axis[1].units);
  if (fabs(*sx_A - *sy_A) > SQUARE_PIXEL_TOL * *sx_A)
    return sf_error_set(SF_EINVAL, "profile: map '%s' pixels are %g x %g Å: calibrated "
                        "profiles need square pixels", m->name, *sx_A, *sy_A);
  c[0] = (c[0] - m->axis[0].origin) / m->axis[0].step;
  c[1] = (c[1] - m->axis[1].origin) / m->axis[1].step;
  c[2] = (c[2] - m->axis[0].origin) / m->axis[0].step;
  c[3] = (c[3] - m->axis[1].origin) / m->axis[1].step;
  *width /= *sx_A;
  return SF_OK;
}

static sf_profile *profile_alloc(size_t n, size_t n_maps) {
  sf_profile *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  p->n = n;
  p->n_maps = n_maps;
  p->position = sf_alloc(n, sizeof(double), "profile positions");
  p->values = calloc(n_maps, sizeof *p->values);
  p->names = calloc(n_maps, sizeof *p->names);
  int ok = p->position && p->values && p->names;
  for (size_t m = 0; ok && m < n_maps; ++m)
    ok = (p->values[m] = sf_alloc(n, sizeof(double), "profile values")) != NULL;
  if (!ok) {
    sf_profile_destroy(p);
    return NULL;
  }
  return p;
}

int sf_profile_extract(const sf_map *const *maps, size_t n_maps, double x0, double y0, double x1,
                       double y1, double width, sf_profile_units units, sf_profile **out) {
  *out = NULL;
  SF_TRY(check_maps(maps, n_maps));
  const sf_map *m0 = maps[0];
  double c[4] = {x0, y0, x1, y1};
  for (int i = 0; i < 4; ++i)
    if (!isfinite(c[i]))
      return sf_error_set(SF_EINVAL, "profile: segment coordinate %d = %g: must be finite", i,
                          c[i]);
  if (!isfinite(width) || width < 0.0)
    return sf_error_set(SF_EINVAL, "profile: width = %g: must be finite and >= 0", width);
  double sx_A, sy_A;
  SF_TRY(to_pixels(m0, units, c, &width, &sx_A, &sy_A));
  const double xmax = (double)(m0->nx - 1), ymax = (double)(m0->ny - 1);
  for (int e = 0; e < 2; ++e)
    if (!(c[2 * e] >= 0.0 && c[2 * e] <= xmax && c[2 * e + 1] >= 0.0 && c[2 * e + 1] <= ymax))
      return sf_error_set(SF_EINVAL, "profile: end %d at pixel (%g, %g) lies outside the map "
                          "'%s' (0..%zu, 0..%zu)", e, c[2 * e], c[2 * e + 1], m0->name,
                          m0->nx - 1, m0->ny - 1);
  double dx = c[2] - c[0], dy = c[3] - c[1], length = hypot(dx, dy);
  if (!(length > 0.0))
    return sf_error_set(SF_EINVAL, "profile: the segment has zero length");
  const double ux = dx / length, uy = dy / length; /* unit vector along the line */
  const double px = -uy, py = ux;                  /* unit vector across it */
  const size_t n = (size_t)floor(length * (1.0 + LENGTH_ROUND_TOL)) + 1;
  long w = lround(width);
  if (w < 1)
    w = 1;
  sf_profile *p = profile_alloc(n, n_maps);
  if (!p)
    return sf_error_set(SF_ENOMEM, "profile: out of memory for %zu samples x %zu maps", n,
                        n_maps);
  p->band_points = (size_t)w;
  p->x0_px = c[0];
  p->y0_px = c[1];
  p->x1_px = c[2];
  p->y1_px = c[3];
  /* Physical length of one pixel step along the line. */
  int in_A = sx_A > 0.0 && sy_A > 0.0;
  double step = in_A ? hypot(ux * sx_A, uy * sy_A) : 1.0;
  snprintf(p->position_units, sizeof p->position_units, "%s", in_A ? "Å" : "px");
  for (size_t m = 0; m < n_maps; ++m)
    snprintf(p->names[m], SF_NAME_MAX, "%s", maps[m]->name);
  for (size_t k = 0; k < n; ++k) {
    p->position[k] = (double)k * step;
    double cx = c[0] + (double)k * ux, cy = c[1] + (double)k * uy;
    for (size_t m = 0; m < n_maps; ++m) {
      double sum = 0.0;
      long used = 0;
      for (long j = 0; j < w; ++j) {
        double off = (double)j - 0.5 * (double)(w - 1);
        double v = sf_profile_bilinear(maps[m], cx + off * px, cy + off * py);
        if (!isnan(v)) {
          sum += v;
          ++used;
        }
      }
      p->values[m][k] = used ? sum / (double)used : NAN;
    }
  }
  *out = p;
  return SF_OK;
}
