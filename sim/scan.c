/* scan.c - probe positions: grids, windows and lists. */
#include "sim/sf_scan.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdlib.h>

#define SCAN_MAX_POSITIONS ((size_t)1 << 28)
#define CELL_TOL_A 1e-9

static int scan_alloc(size_t nx, size_t ny, sf_scan **out) {
  if (nx == 0 || ny == 0 || nx > SCAN_MAX_POSITIONS / ny)
    return sf_error_set(SF_EINVAL, "scan: %zu x %zu positions: need 1..%zu in all", nx, ny,
                        SCAN_MAX_POSITIONS);
  sf_scan *s = calloc(1, sizeof *s);
  if (!s)
    return sf_error_set(SF_ENOMEM, "scan: out of memory");
  s->nx = nx;
  s->ny = ny;
  s->n = nx * ny;
  s->x_A = sf_alloc(s->n, sizeof(double), "scan positions");
  s->y_A = sf_alloc(s->n, sizeof(double), "scan positions");
  s->step_x_A = s->step_y_A = 1.0;
  if (!s->x_A || !s->y_A) {
    sf_scan_destroy(s);
    return SF_ENOMEM;
  }
  *out = s;
  return SF_OK;
}

int sf_scan_grid_create(double x0_A, double y0_A, double step_x_A, double step_y_A, size_t nx,
                        size_t ny, sf_scan **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "scan: NULL output pointer");
  *out = NULL;
  if (!isfinite(x0_A) || !isfinite(y0_A))
    return sf_error_set(SF_EINVAL, "scan: origin (%g, %g) A: must be finite", x0_A, y0_A);
  if (!isfinite(step_x_A) || !isfinite(step_y_A) || step_x_A <= 0.0 || step_y_A <= 0.0)
    return sf_error_set(SF_EINVAL, "scan: step (%g, %g) A: must be finite and > 0", step_x_A,
                        step_y_A);
  sf_scan *s = NULL;
  SF_TRY(scan_alloc(nx, ny, &s));
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix) {
      s->x_A[iy * nx + ix] = x0_A + (double)ix * step_x_A;
      s->y_A[iy * nx + ix] = y0_A + (double)iy * step_y_A;
    }
  s->is_grid = 1;
  s->origin_x_A = x0_A;
  s->origin_y_A = y0_A;
  s->step_x_A = step_x_A;
  s->step_y_A = step_y_A;
  *out = s;
  return SF_OK;
}

/* Positions x0 + i step < x1 (leaving out one within 1e-9 step of x1). */
static size_t window_count(double x0, double x1, double step) {
  const double r = (x1 - x0) / step;
  size_t n = (size_t)ceil(r);
  if (n > 0 && r - (double)(n - 1) < 1e-9)
    --n;
  return n;
}

int sf_scan_window_create(double x0_A, double y0_A, double x1_A, double y1_A, double step_A,
                          sf_scan **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "scan: NULL output pointer");
  *out = NULL;
  if (!isfinite(step_A) || step_A <= 0.0)
    return sf_error_set(SF_EINVAL, "scan: step_A = %g: must be finite and > 0", step_A);
  if (!isfinite(x0_A) || !isfinite(x1_A) || !isfinite(y0_A) || !isfinite(y1_A) ||
      !(x1_A > x0_A) || !(y1_A > y0_A))
    return sf_error_set(SF_EINVAL,
                        "scan: window [%g, %g) x [%g, %g) A: must be finite and non-empty",
                        x0_A, x1_A, y0_A, y1_A);
  const double rx = (x1_A - x0_A) / step_A, ry = (y1_A - y0_A) / step_A;
  if (rx > (double)SCAN_MAX_POSITIONS || ry > (double)SCAN_MAX_POSITIONS)
    return sf_error_set(SF_EINVAL, "scan: window %g x %g A with step %g A: too many positions",
                        x1_A - x0_A, y1_A - y0_A, step_A);
  return sf_scan_grid_create(x0_A, y0_A, step_A, step_A, window_count(x0_A, x1_A, step_A),
                             window_count(y0_A, y1_A, step_A), out);
}

int sf_scan_window_nyquist_create(double x0_A, double y0_A, double x1_A, double y1_A,
                                  double lambda_A, double semiangle_mrad, sf_scan **out) {
  if (!isfinite(lambda_A) || !isfinite(semiangle_mrad) || lambda_A <= 0.0 ||
      semiangle_mrad <= 0.0) {
    if (out)
      *out = NULL;
    return sf_error_set(SF_EINVAL,
                        "scan: Nyquist step needs lambda_A = %g and semiangle_mrad = %g > 0",
                        lambda_A, semiangle_mrad);
  }
  return sf_scan_window_create(x0_A, y0_A, x1_A, y1_A,
                               sf_scan_nyquist_step_A(lambda_A, semiangle_mrad), out);
}

int sf_scan_list_create(const double *x_A, const double *y_A, size_t n, sf_scan **out) {
  if (!out || !x_A || !y_A)
    return sf_error_set(SF_EINVAL, "scan: NULL argument");
  *out = NULL;
  for (size_t i = 0; i < n; ++i)
    if (!isfinite(x_A[i]) || !isfinite(y_A[i]))
      return sf_error_set(SF_EINVAL, "scan: position %zu = (%g, %g) A: must be finite", i,
                          x_A[i], y_A[i]);
  sf_scan *s = NULL;
  SF_TRY(scan_alloc(n, 1, &s));
  for (size_t i = 0; i < n; ++i) {
    s->x_A[i] = x_A[i];
    s->y_A[i] = y_A[i];
  }
  *out = s;
  return SF_OK;
}

void sf_scan_destroy(sf_scan *s) {
  if (!s)
    return;
  sf_free(s->x_A);
  sf_free(s->y_A);
  free(s);
}

double sf_scan_nyquist_step_A(double lambda_A, double semiangle_mrad) {
  return lambda_A / (4.0 * 1e-3 * semiangle_mrad);
}

int sf_scan_check_cell(const sf_scan *s, double cell_x_A, double cell_y_A) {
  if (!s)
    return sf_error_set(SF_EINVAL, "scan: NULL argument");
  for (size_t i = 0; i < s->n; ++i) {
    const double x = s->x_A[i], y = s->y_A[i];
    if (x < -CELL_TOL_A || x > cell_x_A + CELL_TOL_A || y < -CELL_TOL_A ||
        y > cell_y_A + CELL_TOL_A)
      return sf_error_set(SF_ERANGE,
                          "scan: position %zu = (%g, %g) A lies outside the cell [0, %g] x "
                          "[0, %g] A",
                          i, x, y, cell_x_A, cell_y_A);
  }
  return SF_OK;
}

static int whole_multiple(double extent, double cell) {
  const double r = extent / cell;
  return r >= 0.5 && fabs(r - floor(r + 0.5)) < 1e-9 * r;
}

int sf_scan_covers_period(const sf_scan *s, double cell_x_A, double cell_y_A) {
  if (!s || !s->is_grid)
    return 0;
  return whole_multiple((double)s->nx * s->step_x_A, cell_x_A) &&
         whole_multiple((double)s->ny * s->step_y_A, cell_y_A);
}
