/* tv.c - the forward-difference pair D, D* and the isotropic TV value. */
#include "recon/sf_tv.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "recon/sf_recon_loops.h"

#include <math.h>

static int check_args(const char *fn, size_t nx, size_t ny, const void *a, const void *b,
                      const void *c) {
  if (nx == 0 || ny == 0)
    return sf_error_set(SF_EINVAL, "%s: image size nx = %zu, ny = %zu: both must be >= 1", fn,
                        nx, ny);
  if (!a || !b || !c)
    return sf_error_set(SF_EINVAL, "%s: NULL array", fn);
  return SF_OK;
}

int sf_tv_gradient(size_t nx, size_t ny, const double *x, double *gx, double *gy) {
  SF_TRY(check_args("sf_tv_gradient", nx, ny, x, gx, gy));
  long nrow = (long)ny;
#pragma omp parallel for schedule(static) if (nx * ny >= SF_RECON_PAR_MIN)
  for (long iy = 0; iy < nrow; iy++) {
    const double *xr = x + (size_t)iy * nx;
    double *gxr = gx + (size_t)iy * nx;
    double *gyr = gy + (size_t)iy * nx;
    for (size_t ix = 0; ix + 1 < nx; ix++)
      gxr[ix] = xr[ix + 1] - xr[ix];
    gxr[nx - 1] = 0.0;
    if ((size_t)iy + 1 < ny) {
      for (size_t ix = 0; ix < nx; ix++)
        gyr[ix] = xr[ix + nx] - xr[ix];
    } else {
      for (size_t ix = 0; ix < nx; ix++)
        gyr[ix] = 0.0;
    }
  }
  return SF_OK;
}

int sf_tv_gradient_adjoint(size_t nx, size_t ny, const double *gx, const double *gy,
                           double *out) {
  SF_TRY(check_args("sf_tv_gradient_adjoint", nx, ny, gx, gy, out));
  long nrow = (long)ny;
#pragma omp parallel for schedule(static) if (nx * ny >= SF_RECON_PAR_MIN)
  for (long iy = 0; iy < nrow; iy++) {
    size_t row = (size_t)iy * nx;
    int has_up = iy > 0, has_down = (size_t)iy + 1 < ny;
    for (size_t ix = 0; ix < nx; ix++) {
      size_t i = row + ix;
      double v = 0.0;
      if (ix > 0)
        v += gx[i - 1];
      if (ix + 1 < nx)
        v -= gx[i];
      if (has_up)
        v += gy[i - nx];
      if (has_down)
        v -= gy[i];
      out[i] = v;
    }
  }
  return SF_OK;
}

int sf_tv_value(size_t nx, size_t ny, const double *x, double *tv) {
  SF_TRY(check_args("sf_tv_value", nx, ny, x, tv, tv));
  double *rows = sf_alloc(ny, sizeof *rows, "TV row sums");
  if (!rows)
    return SF_ENOMEM;
  long nrow = (long)ny;
#pragma omp parallel for schedule(static) if (nx * ny >= SF_RECON_PAR_MIN)
  for (long iy = 0; iy < nrow; iy++) {
    const double *xr = x + (size_t)iy * nx;
    int has_down = (size_t)iy + 1 < ny;
    double s = 0.0;
    for (size_t ix = 0; ix < nx; ix++) {
      double dx = ix + 1 < nx ? xr[ix + 1] - xr[ix] : 0.0;
      double dy = has_down ? xr[ix + nx] - xr[ix] : 0.0;
      s += sqrt(dx * dx + dy * dy);
    }
    rows[iy] = s;
  }
  double total = 0.0;
  for (size_t iy = 0; iy < ny; iy++)
    total += rows[iy];
  sf_free(rows);
  *tv = total;
  return SF_OK;
}
