/* fuse_reference_tv.c - the two TV solvers of the published code and their
   costTV definitions (sf_fuse_reference.h; fusion-method.md 3.4, 3.5).

   Image rows are the first axis of the published arrays: here row iy
   (m = ny rows), column ix (n = nx columns), x[iy*nx + ix]. Both variants
   are written from the behaviour described in fusion-method.md, including
   the parts that differ from a textbook FGP. */
#include "recon/sf_fuse_reference.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <string.h>

/* Rows are split over OpenMP threads above this many pixels; every value is
   computed the same way whatever the split, so results do not depend on
   the thread count. */
#define PAR_MIN ((size_t)32768)

/* ctvlib_gp_iso: dual gradient projection without momentum. Duals px
   (vertical), py (horizontal), full m x n, from 0. Each iteration forms
   out = b - lambda (px + py - px[row above] - py[column left]) (zero above
   the first row and left of the first column), then px += c (out - out[row
   below]), py += c (out - out[column right]) (0 in the last row/column),
   c = 1/(8 lambda), and projects (px, py) per pixel onto the unit disc. The
   result is the last `out` (before the last dual update), clipped at 0. */
static void tv_ctvlib(size_t nx, size_t ny, const double *b, double lambda, int n_iter,
                      double *px, double *py, double *x) {
  const size_t n = nx * ny;
  const double c = 1.0 / (8.0 * lambda);
  memset(px, 0, n * sizeof *px);
  memset(py, 0, n * sizeof *py);
  for (int it = 0; it < n_iter; it++) {
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (size_t iy = 0; iy < ny; iy++) {
      const double *br = b + iy * nx, *pr = px + iy * nx, *qr = py + iy * nx;
      const double *pu = iy > 0 ? px + (iy - 1) * nx : NULL;
      double *xr = x + iy * nx;
      for (size_t ix = 0; ix < nx; ix++) {
        double up = pu ? pu[ix] : 0.0;
        double left = ix > 0 ? qr[ix - 1] : 0.0;
        xr[ix] = br[ix] - lambda * (pr[ix] + qr[ix] - up - left);
      }
    }
    if (it + 1 == n_iter)
      break; /* the last dual update does not change the returned image */
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (size_t iy = 0; iy < ny; iy++) {
      const double *xr = x + iy * nx, *xd = iy + 1 < ny ? x + (iy + 1) * nx : NULL;
      double *pr = px + iy * nx, *qr = py + iy * nx;
      for (size_t ix = 0; ix < nx; ix++) {
        double dv = xd ? xr[ix] - xd[ix] : 0.0;
        double dh = ix + 1 < nx ? xr[ix] - xr[ix + 1] : 0.0;
        double a = pr[ix] + c * dv, q = qr[ix] + c * dh;
        double d = a * a + q * q;
        if (d > 1.0) {
          double r = sqrt(d);
          a /= r;
          q /= r;
        }
        pr[ix] = a;
        qr[ix] = q;
      }
    }
  }
  for (size_t p = 0; p < n; p++)
    x[p] = x[p] > 0.0 ? x[p] : 0.0;
}

/* The tutorial's linear operator applied to the extrapolated duals (u, v),
   written into x as max(b - lambda L(u, v), 0). u (vertical, rows 0..m-2)
   has its first and last rows zeroed first, in place, as the published
   operator does; v (horizontal, columns 0..n-2) is read with its first
   column taken as 0 without being changed. With u' and v' padded to m x n
   by a zero row / column, L = u' + v' - u'[next row, periodic] - v'[next
   column, periodic]. So u' is zero in rows 0, m-2 and m-1, and v' in
   columns 0 and n-1. */
static void tut_apply_L(size_t nx, size_t ny, const double *b, double lambda, double *u,
                        const double *v, double *x) {
  if (ny >= 2) {
    memset(u, 0, nx * sizeof *u);                 /* row 0 */
    memset(u + (ny - 2) * nx, 0, nx * sizeof *u); /* row m-2 */
  }
#pragma omp parallel for schedule(static) if (nx * ny >= PAR_MIN)
  for (size_t iy = 0; iy < ny; iy++) {
    size_t iyn = iy + 1 < ny ? iy + 1 : 0;
    const double *u0 = iy + 1 < ny ? u + iy * nx : NULL;
    const double *u1 = iyn + 1 < ny ? u + iyn * nx : NULL;
    const double *vr = v + iy * nx, *br = b + iy * nx;
    double *xr = x + iy * nx;
    for (size_t ix = 0; ix < nx; ix++) {
      double v0 = (ix >= 1 && ix + 1 < nx) ? vr[ix] : 0.0;
      double v1 = ix + 2 < nx ? vr[ix + 1] : 0.0; /* v'(ix+1); v'(0) = v'(n-1) = 0 */
      double val = br[ix] - lambda * ((u0 ? u0[ix] : 0.0) + v0 - (u1 ? u1[ix] : 0.0) - v1);
      xr[ix] = val > 0.0 ? val : 0.0;
    }
  }
}

static double clip1(double a) { return a > 1.0 ? 1.0 : (a < -1.0 ? -1.0 : a); }

/* tutorial_fgp_aniso: Beck-Teboulle momentum on the duals, anisotropic
   projection, non-negativity inside, the quirky operator pair: the dual
   update uses backward differences that wrap around inside the first m-1
   rows (resp. n-1 columns), x[i] - x[(i-1) mod (m-1)], and the result is
   built from the extrapolated duals. u, v: extrapolated duals; rp, rq: the
   previous projected duals (all nx*ny, padded). */
static void tv_tutorial(size_t nx, size_t ny, const double *b, double lambda, int n_iter,
                        double *u, double *v, double *rp, double *rq, double *x) {
  const size_t n = nx * ny;
  const double c = 1.0 / (8.0 * lambda);
  memset(u, 0, n * sizeof *u);
  memset(v, 0, n * sizeof *v);
  memset(rp, 0, n * sizeof *rp);
  memset(rq, 0, n * sizeof *rq);
  double t = 1.0;
  for (int it = 0; it < n_iter; it++) {
    tut_apply_L(nx, ny, b, lambda, u, v, x);
    double tn = (1.0 + sqrt(1.0 + 4.0 * t * t)) / 2.0;
    double beta = (t - 1.0) / tn;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (size_t iy = 0; iy < ny; iy++) {
      const double *xr = x + iy * nx;
      if (iy + 1 < ny) { /* vertical dual, rows 0 .. m-2 */
        size_t iyp = iy > 0 ? iy - 1 : ny - 2; /* (iy - 1) mod (m - 1) */
        const double *xp = x + iyp * nx;
        double *ur = u + iy * nx, *rr = rp + iy * nx;
        for (size_t ix = 0; ix < nx; ix++) {
          double pn = clip1(ur[ix] + c * (xr[ix] - xp[ix]));
          ur[ix] = pn + beta * (pn - rr[ix]);
          rr[ix] = pn;
        }
      }
      double *vr = v + iy * nx, *rr = rq + iy * nx;
      for (size_t ix = 0; ix + 1 < nx; ix++) { /* horizontal dual, columns 0 .. n-2 */
        size_t ixp = ix > 0 ? ix - 1 : nx - 2; /* (ix - 1) mod (n - 1) */
        double qn = clip1(vr[ix] + c * (xr[ix] - xr[ixp]));
        vr[ix] = qn + beta * (qn - rr[ix]);
        rr[ix] = qn;
      }
    }
    t = tn;
  }
  tut_apply_L(nx, ny, b, lambda, u, v, x);
}

int sf_fuse_ref_tv_apply(sf_fuse_ref_tv variant, size_t nx, size_t ny, const double *b,
                         double lambda, int n_iter, double *work, double *x) {
  if (!b || !x || nx == 0 || ny == 0 || b == x)
    return sf_error_set(SF_EINVAL, "fuse reference TV: bad arguments (empty image, NULL or "
                                   "aliased arrays)");
  if (!(lambda >= 0.0) || !isfinite(lambda))
    return sf_error_set(SF_EINVAL, "fuse reference TV: lambda_tv = %g: must be >= 0", lambda);
  if (n_iter < 1)
    return sf_error_set(SF_EINVAL, "fuse reference TV: tv_iter = %d: must be >= 1", n_iter);
  if (variant != SF_FUSE_REF_TV_CTVLIB_GP_ISO && variant != SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO)
    return sf_error_set(SF_EINVAL, "fuse reference TV: unknown variant %d", (int)variant);
  const size_t n = nx * ny;
  if (lambda == 0.0) { /* no TV: the prox is the projection onto x >= 0 */
    for (size_t p = 0; p < n; p++)
      x[p] = b[p] > 0.0 ? b[p] : 0.0;
    return SF_OK;
  }
  double *own = NULL;
  if (!work) {
    own = sf_alloc(4 * n, sizeof(double), "reference TV work");
    if (!own)
      return SF_ENOMEM;
    work = own;
  }
  if (variant == SF_FUSE_REF_TV_CTVLIB_GP_ISO)
    tv_ctvlib(nx, ny, b, lambda, n_iter, work, work + n, x);
  else
    tv_tutorial(nx, ny, b, lambda, n_iter, work, work + n, work + 2 * n, work + 3 * n, x);
  sf_free(own);
  return SF_OK;
}

int sf_fuse_ref_cost_tv(sf_fuse_ref_tv variant, size_t nx, size_t ny, const double *x,
                        double *value) {
  if (!x || !value || nx == 0 || ny == 0)
    return sf_error_set(SF_EINVAL, "fuse reference costTV: bad arguments");
  double sum = 0.0;
  if (variant == SF_FUSE_REF_TV_CTVLIB_GP_ISO) {
    for (size_t iy = 0; iy < ny; iy++) {
      size_t iyn = (iy + 1) % ny;
      for (size_t ix = 0; ix < nx; ix++) {
        size_t ixn = (ix + 1) % nx;
        double a = x[iy * nx + ix] - x[iyn * nx + ix];
        double q = x[iy * nx + ix] - x[iy * nx + ixn];
        sum += sqrt(SF_FUSE_REF_COST_EPS + a * a + q * q);
      }
    }
    *value = sum;
    return SF_OK;
  }
  if (variant == SF_FUSE_REF_TV_TUTORIAL_FGP_ANISO) {
    for (size_t iy = 0; iy < ny; iy++)
      for (size_t ix = 0; ix < nx; ix++) {
        size_t p = iy * nx + ix;
        if (iy + 1 < ny)
          sum += (x[p + nx] - x[p]) * (x[p + nx] - x[p]);
        if (ix + 1 < nx)
          sum += (x[p + 1] - x[p]) * (x[p + 1] - x[p]);
      }
    *value = sqrt(sum);
    return SF_OK;
  }
  return sf_error_set(SF_EINVAL, "fuse reference costTV: unknown variant %d", (int)variant);
}
