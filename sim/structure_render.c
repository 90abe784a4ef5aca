/* structure_render.c - a projected preview of an atom list: discs whose
   height scales as Z^1.7 (roughly HAADF-like), summed along z. */
#include "sim/sf_structure.h"

#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>

/* Exponent of the Z contrast in the preview (HAADF intensities scale
   roughly as Z^1.7). */
#define PREVIEW_Z_EXPONENT 1.7

int sf_structure_project(const sf_structure *s, double pixel_A, double radius_A,
                         sf_imageset *set, const char *name, sf_map **out) {
  if (!s || !set || !name)
    return sf_error_set(SF_EINVAL, "sf_structure_project: NULL argument");
  if (out)
    *out = NULL;
  if (!(pixel_A > 0.0) || !isfinite(pixel_A))
    return sf_error_set(SF_EINVAL, "projection: pixel size %g Å: must be finite and > 0",
                        pixel_A);
  if (!(radius_A > 0.0) || !isfinite(radius_A))
    return sf_error_set(SF_EINVAL, "projection: disc radius %g Å: must be finite and > 0",
                        radius_A);
  double nxd = fmax(1.0, round(s->cell_A[0] / pixel_A));
  double nyd = fmax(1.0, round(s->cell_A[1] / pixel_A));
  if (nxd * nyd > 1e8)
    return sf_error_set(SF_ERANGE, "projection: %.0f x %.0f pixels is too large (pixel %g Å)", nxd,
                        nyd, pixel_A);
  size_t nx = (size_t)nxd, ny = (size_t)nyd;
  double hx = s->cell_A[0] / (double)nx, hy = s->cell_A[1] / (double)ny;
  sf_map *m = NULL;
  SF_TRY(sf_imageset_add_map(set, name, SF_F64, nx, ny, 1, &m));
  SF_TRY(sf_map_set_axis(m, 0, "x", "Å", 0.5 * hx, hx));
  SF_TRY(sf_map_set_axis(m, 1, "y", "Å", 0.5 * hy, hy));
  snprintf(m->quantity, sizeof m->quantity, "Projected occupancy * Z^1.7");
  SF_TRY(sf_attrs_set_double(&m->attrs, "", "disc_radius_A", radius_A));
  SF_TRY(sf_attrs_set_double(&m->attrs, "", "z_exponent", PREVIEW_Z_EXPONENT));
  double *img = m->data;
  /* The edge is a linear ramp one pixel wide centred on the radius. */
  double h = hx > hy ? hx : hy;
  double reach = radius_A + 0.5 * h;
  for (size_t i = 0; i < s->count; ++i) {
    double weight = s->occupancy[i] * pow((double)s->Z[i], PREVIEW_Z_EXPONENT);
    if (weight == 0.0)
      continue;
    long x0 = (long)floor((s->x_A[i] - reach) / hx - 0.5);
    long x1 = (long)ceil((s->x_A[i] + reach) / hx - 0.5);
    long y0 = (long)floor((s->y_A[i] - reach) / hy - 0.5);
    long y1 = (long)ceil((s->y_A[i] + reach) / hy - 0.5);
    for (long iy = y0; iy <= y1; ++iy) {
      double dy = ((double)iy + 0.5) * hy - s->y_A[i];
      long wy = iy % (long)ny;
      wy += wy < 0 ? (long)ny : 0;
      for (long ix = x0; ix <= x1; ++ix) {
        double dx = ((double)ix + 0.5) * hx - s->x_A[i];
        double r = sqrt(dx * dx + dy * dy);
        double w = (reach - r) / h;
        if (w <= 0.0)
          continue;
        long wx = ix % (long)nx;
        wx += wx < 0 ? (long)nx : 0;
        img[(size_t)wy * nx + (size_t)wx] += weight * (w > 1.0 ? 1.0 : w);
      }
    }
  }
  if (out)
    *out = m;
  return SF_OK;
}
