/* tv_prox.c - constrained isotropic TV proximal operator by FGP on the dual.

   For one map with input b, TV weight lambda and per-pixel data weights w
   (the problem is min 1/2 sum (x - b)^2 / w + lambda TV(x)) the dual pair
   p = (px, py) lives in the unit disc at every pixel, and
       x(p) = P_C(b - lambda w D* p),     C = {x >= 0} (or R^n),
       p    <- Proj_disc(r + sigma D x(r)),
   with the momentum point r = p_k + ((t_{k-1} - 1) / t_k) (p_k - p_{k-1}).
   The dual Hessian is lambda^2 D W D*; the diagonal dual step of T. Pock and
   A. Chambolle (ICCV 2011, doi:10.1109/ICCV.2011.6126441, alpha = 2) gives
   sigma_e = 1 / (4 lambda (w_p + w_p')) for the edge between pixels p and p';
   both components at a pixel use the smaller of their two edges, so the
   projection stays the Euclidean one. For w = 1 this is the usual 1/(8 lambda).
   One dual iteration is one sweep over the rows (x from r for row iy, then p
   from x for row iy - 1); the new dual overwrites p_{k-1}, whose only use was
   forming r at the same pixel, and the two buffers swap. The entries of px in the last column and
   of py in the last row stay exactly 0, so they drop out of D* without tests.
   The result is x(p) from the last dual p, not from the momentum point. */
#include "recon/sf_tv.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "recon/sf_recon_loops.h"

#include <math.h>
#include <omp.h>
#include <string.h>

struct sf_tv_prox {
  size_t nx, ny, n_maps;
  double *duals;  /* 4 fields of n_maps*nx*ny: A.x, A.y, B.x, B.y */
  int *current;   /* per map: 0 if A holds p_k, 1 if B does */
  double *rows;   /* 3 sums per (map, row): change^2, x^2, restart test */
  double *t;      /* momentum parameter per map */
  double *beta;   /* extrapolation weight of the next iteration per map */
  double *change; /* last measured relative change of x per map */
  int *state;     /* per map: 0 inactive, 1 iterating, 2 converged */
  double *ones;   /* nx ones: the weights when none are given */
};

void sf_tv_prox_params_default(sf_tv_prox_params *p) {
  p->max_iter = 100;
  p->tol = 1e-4;
  p->nonneg = 1;
  p->restart = 1;
}

int sf_tv_prox_create(size_t nx, size_t ny, size_t n_maps, sf_tv_prox **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_tv_prox_create: NULL output");
  *out = NULL;
  if (nx == 0 || ny == 0 || n_maps == 0)
    return sf_error_set(SF_EINVAL,
                        "sf_tv_prox_create: nx = %zu, ny = %zu, n_maps = %zu: all must be >= 1",
                        nx, ny, n_maps);
  size_t n = nx * ny;
  if (n / nx != ny || (n * n_maps) / n_maps != n || n * n_maps > ((size_t)-1) / 32)
    return sf_error_set(SF_ENOMEM, "sf_tv_prox_create: %zu x %zu x %zu maps overflow", nx, ny,
                        n_maps);
  sf_tv_prox *tv = sf_alloc(1, sizeof *tv, "TV prox");
  if (!tv)
    return SF_ENOMEM;
  tv->nx = nx;
  tv->ny = ny;
  tv->n_maps = n_maps;
  tv->duals = sf_alloc(4 * n * n_maps, sizeof(double), "TV dual fields");
  tv->current = sf_alloc(n_maps, sizeof(int), "TV dual index");
  tv->rows = sf_alloc(3 * ny * n_maps, sizeof(double), "TV row sums");
  tv->t = sf_alloc(n_maps, sizeof(double), "TV momentum");
  tv->beta = sf_alloc(n_maps, sizeof(double), "TV momentum");
  tv->change = sf_alloc(n_maps, sizeof(double), "TV change");
  tv->state = sf_alloc(n_maps, sizeof(int), "TV map state");
  tv->ones = sf_alloc(nx, sizeof(double), "TV unit weights");
  if (!tv->duals || !tv->current || !tv->rows || !tv->t || !tv->beta || !tv->change ||
      !tv->state || !tv->ones) {
    sf_tv_prox_destroy(tv);
    return SF_ENOMEM;
  }
  for (size_t i = 0; i < nx; i++)
    tv->ones[i] = 1.0;
  *out = tv;
  return SF_OK;
}

void sf_tv_prox_destroy(sf_tv_prox *tv) {
  if (!tv)
    return;
  sf_free(tv->duals);
  sf_free(tv->current);
  sf_free(tv->rows);
  sf_free(tv->t);
  sf_free(tv->beta);
  sf_free(tv->change);
  sf_free(tv->state);
  sf_free(tv->ones);
  sf_free(tv);
}

void sf_tv_prox_reset(sf_tv_prox *tv) {
  if (!tv)
    return;
  memset(tv->duals, 0, 4 * tv->nx * tv->ny * tv->n_maps * sizeof(double));
  memset(tv->current, 0, tv->n_maps * sizeof(int));
}

/* Dual field f (0: x, 1: y) of buffer `which` (0: A, 1: B) of map k. */
static double *field(const sf_tv_prox *tv, size_t k, int which, int f) {
  size_t n = tv->nx * tv->ny;
  return tv->duals + ((size_t)(2 * which + f) * tv->n_maps + k) * n;
}

void sf_tv_prox_dual(const sf_tv_prox *tv, size_t k, const double **px, const double **py) {
  if (!tv || k >= tv->n_maps) {
    *px = NULL;
    *py = NULL;
    return;
  }
  *px = field(tv, k, tv->current[k], 0);
  *py = field(tv, k, tv->current[k], 1);
}

/* x row = P_C(b - lambda w D* r) with r = p + beta (p - q); returns the sums of
   (x_new - x_old)^2 (when sums > 1) and x_new^2 (when sums > 0) in s[0], s[1].
   (D* r)_ix = r.x[ix-1] - r.x[ix] + r.y[up] - r.y[ix]; missing terms are 0. */
static void primal_row(size_t nx, size_t iy, const double *px, const double *py,
                       const double *qx, const double *qy, double beta, double lambda,
                       const double *b, const double *wr, double *x, int nonneg, int sums,
                       double s[2]) {
  const size_t row = iy * nx;
  const double *pxr = px + row, *pyr = py + row, *qxr = qx + row, *qyr = qy + row;
  const double *br = b + row;
  double *xr = x + row;
  double sd = 0.0, sx = 0.0;
  const double *pyu = iy > 0 ? pyr - nx : pyr, *qyu = iy > 0 ? qyr - nx : qyr;
  const double up_on = iy > 0 ? 1.0 : 0.0;
  const double b1 = 1.0 + beta;
  /* pixel 0 has no left neighbour; the others form one vectorisable loop */
  {
    double rx = b1 * pxr[0] - beta * qxr[0];
    double ry = b1 * pyr[0] - beta * qyr[0];
    double ru = up_on * (b1 * pyu[0] - beta * qyu[0]);
    double v = br[0] - lambda * wr[0] * ((ru - ry) - rx);
    if (nonneg) /* max(v, 0) without a branch; NaN passes through to the sums */
      v = 0.5 * (v + fabs(v));
    if (sums > 1)
      sd += (v - xr[0]) * (v - xr[0]);
    sx += v * v;
    xr[0] = v;
  }
  const double keep = nonneg ? 0.5 : 1.0, flip = nonneg ? 0.5 : 0.0;
#define SF_TV_PRIMAL_VALUE                                                                   \
  double rx = b1 * pxr[ix] - beta * qxr[ix];                                                 \
  double rl = b1 * pxr[ix - 1] - beta * qxr[ix - 1];                                         \
  double ry = b1 * pyr[ix] - beta * qyr[ix];                                                 \
  double ru = up_on * (b1 * pyu[ix] - beta * qyu[ix]);                                       \
  double v = br[ix] - lambda * wr[ix] * ((rl - rx) + (ru - ry));                             \
  v = keep * v + flip * fabs(v); /* max(v, 0) when nonneg, else v */
  if (sums > 1) {
#pragma omp simd reduction(+ : sd, sx)
    for (size_t ix = 1; ix < nx; ix++) {
      SF_TV_PRIMAL_VALUE
      double d = v - xr[ix];
      sd += d * d;
      sx += v * v;
      xr[ix] = v;
    }
  } else {
#pragma omp simd reduction(+ : sx)
    for (size_t ix = 1; ix < nx; ix++) {
      SF_TV_PRIMAL_VALUE
      sx += v * v;
      xr[ix] = v;
    }
  }
#undef SF_TV_PRIMAL_VALUE
  s[0] = sd;
  s[1] = sx;
}

/* New dual (written over q) = Proj(r + sigma D x), sigma = 1 / (4 lambda (w_p +
   max(w_right, w_down))); returns the restart test sum <r - p_new, p_new - p>.
   The last column has no x-difference and px = 0 there; the last row has no
   y-difference and py = 0 there (its step uses w_down = w_p, which is only
   smaller than needed). */
static double dual_row(size_t nx, size_t ny, size_t iy, const double *px, const double *py,
                       double *qx, double *qy, double beta, double lambda, const double *wr,
                       const double *wd, const double *x) {
  const size_t row = iy * nx;
  const double c4 = 1.0 / (4.0 * lambda);
  const double *pxr = px + row, *pyr = py + row;
  double *qxr = qx + row, *qyr = qy + row;
  const double *xr = x + row;
  const double *xd = iy + 1 < ny ? xr + nx : xr; /* last row: differences of 0 */
  const double b1 = 1.0 + beta;
  double acc = 0.0;
  const size_t last = nx - 1;
  /* in chunks: the step and the norms vectorise, then the square roots,
     then the scaling and the restart sum; the projection divides by
     max(1, |u|) = sqrt(max(1, |u|^2)) with the arithmetic max
     (a + b + |a - b|) / 2, as a comparison would block vectorisation under
     the default -ftrapping-math; inside the disc the divisor is 1 */
  enum { CHUNK = SF_RECON_CHUNK };
  double ux[CHUNK], uy[CHUNK], sc[CHUNK];
  for (size_t c0 = 0; c0 < last; c0 += CHUNK) {
    const size_t m = last - c0 < CHUNK ? last - c0 : CHUNK;
    const double *px0 = pxr + c0, *py0 = pyr + c0, *qx0 = qxr + c0, *qy0 = qyr + c0;
    const double *x0 = xr + c0, *xd0 = xd + c0, *w0 = wr + c0, *wd0 = wd + c0;
#pragma omp simd
    for (size_t k = 0; k < m; k++) {
      double rx = b1 * px0[k] - beta * qx0[k];
      double ry = b1 * py0[k] - beta * qy0[k];
      double a = w0[k + 1], d = wd0[k];
      double c = c4 / (w0[k] + 0.5 * (a + d + fabs(a - d)));
      ux[k] = rx + c * (x0[k + 1] - x0[k]);
      uy[k] = ry + c * (xd0[k] - x0[k]);
      double n2 = ux[k] * ux[k] + uy[k] * uy[k];
      sc[k] = 0.5 * (n2 + 1.0 + fabs(n2 - 1.0));
    }
    sf_recon_sqrt_inplace(sc, m);
    double *qxw = qxr + c0, *qyw = qyr + c0;
#pragma omp simd reduction(+ : acc)
    for (size_t k = 0; k < m; k++) {
      double rx = b1 * px0[k] - beta * qxw[k];
      double ry = b1 * py0[k] - beta * qyw[k];
      double s = 1.0 / sc[k];
      double vx = ux[k] * s, vy = uy[k] * s;
      acc += (rx - vx) * (vx - px0[k]) + (ry - vy) * (vy - py0[k]);
      qxw[k] = vx;
      qyw[k] = vy;
    }
  }
  {
    size_t ix = nx - 1;
    double ry = b1 * pyr[ix] - beta * qyr[ix];
    double u = ry + c4 / (wr[ix] + wd[ix]) * (xd[ix] - xr[ix]);
    u = u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
    acc += (ry - u) * (u - pyr[ix]);
    qxr[ix] = 0.0;
    qyr[ix] = u;
  }
  return acc;
}

/* Weight rows of map k at row iy (ones without weights) and the row below. */
static void weight_rows(const sf_tv_prox *tv, const double *w, size_t k, size_t iy,
                        const double **wr, const double **wd) {
  if (!w) {
    *wr = *wd = tv->ones;
    return;
  }
  const size_t nx = tv->nx, n = nx * tv->ny;
  *wr = w + k * n + iy * nx;
  *wd = iy + 1 < tv->ny ? *wr + nx : *wr;
}

int sf_tv_prox_apply(sf_tv_prox *tv, size_t first, size_t count, const double *b,
                     const double *weight, const double *lambda, const sf_tv_prox_params *params,
                     double *x, sf_tv_prox_info *info) {
  if (!tv || !b || !lambda || !params || !x)
    return sf_error_set(SF_EINVAL, "sf_tv_prox_apply: NULL argument");
  if (count == 0 || first + count > tv->n_maps || first + count < first)
    return sf_error_set(SF_EINVAL, "sf_tv_prox_apply: maps %zu..%zu outside 0..%zu", first,
                        first + count - 1, tv->n_maps - 1);
  if (params->max_iter < 1 || !(params->tol >= 0.0))
    return sf_error_set(SF_EINVAL, "sf_tv_prox_apply: max_iter = %d, tol = %g: need >= 1, >= 0",
                        params->max_iter, params->tol);
  for (size_t k = 0; k < count; k++)
    if (!(lambda[k] >= 0.0) || !isfinite(lambda[k]))
      return sf_error_set(SF_EINVAL, "sf_tv_prox_apply: map %zu: lambda = %g: must be >= 0",
                          first + k, lambda[k]);
  const size_t nx = tv->nx, ny = tv->ny, n = nx * ny;
  const int nonneg = params->nonneg != 0;
  int iterations = 0, restarts = 0;
  double worst_change = 0.0;

  for (size_t k = 0; k < count; k++) {
    tv->state[first + k] = lambda[k] > 0.0 ? 1 : 0;
    tv->t[first + k] = 1.0;
    tv->beta[first + k] = 0.0;
    tv->change[first + k] = 0.0;
    if (lambda[k] == 0.0) {
      for (size_t i = 0; i < n; i++) {
        double v = b[k * n + i];
        x[k * n + i] = nonneg ? 0.5 * (v + fabs(v)) : v;
      }
    }
  }

  const long jobs = (long)(count * ny);
  for (int it = 1; it <= params->max_iter; it++) {
    int active = 0;
    for (size_t k = 0; k < count; k++)
      active += tv->state[first + k] == 1;
    if (!active)
      break;
    iterations = it;
    /* sums: 0 none; 1 ||x||^2 only (first iteration: x holds no iterate yet); 2 both */
    const int sums = params->tol > 0.0 ? (it > 1 ? 2 : 1) : 0;
    /* One sweep per dual iteration. Each thread takes a block of rows and,
       row by row, computes the primal row iy from the momentum point and then
       the dual row iy - 1 (which needs the primal rows iy - 1 and iy), while
       both are in cache. The dual row at the end of a block needs the first
       primal row of the next block: it is done after a barrier. A dual row is
       overwritten only after every primal row that reads it is done. The
       partition does not change any value. */
#pragma omp parallel if (count * n >= SF_RECON_PAR_MIN)
    {
      const size_t nt = (size_t)omp_get_num_threads(), id = (size_t)omp_get_thread_num();
      const size_t r0 = ny * id / nt, r1 = ny * (id + 1) / nt;
      for (size_t k = 0; k < count && r0 < r1; k++) {
        const size_t m = first + k;
        if (tv->state[m] != 1)
          continue;
        const int cur = tv->current[m];
        const double *px = field(tv, m, cur, 0), *py = field(tv, m, cur, 1);
        double *qx = field(tv, m, !cur, 0), *qy = field(tv, m, !cur, 1);
        for (size_t iy = r0; iy < r1; iy++) {
          const double *wr, *wd;
          weight_rows(tv, weight, k, iy, &wr, &wd);
          primal_row(nx, iy, px, py, qx, qy, tv->beta[m], lambda[k], b + k * n, wr, x + k * n,
                     nonneg, sums, tv->rows + 3 * (m * ny + iy));
          if (iy > r0) {
            weight_rows(tv, weight, k, iy - 1, &wr, &wd);
            tv->rows[3 * (m * ny + iy - 1) + 2] = dual_row(
                nx, ny, iy - 1, px, py, qx, qy, tv->beta[m], lambda[k], wr, wd, x + k * n);
          }
        }
      }
#pragma omp barrier
      for (size_t k = 0; k < count && r0 < r1; k++) {
        const size_t m = first + k;
        if (tv->state[m] != 1)
          continue;
        const int cur = tv->current[m];
        const double *wr, *wd;
        weight_rows(tv, weight, k, r1 - 1, &wr, &wd);
        tv->rows[3 * (m * ny + r1 - 1) + 2] =
            dual_row(nx, ny, r1 - 1, field(tv, m, cur, 0), field(tv, m, cur, 1),
                     field(tv, m, !cur, 0), field(tv, m, !cur, 1), tv->beta[m], lambda[k], wr, wd,
                     x + k * n);
      }
    }
    for (size_t k = 0; k < count; k++) {
      const size_t m = first + k;
      if (tv->state[m] != 1)
        continue;
      double sd = 0.0, sx = 0.0, acc = 0.0;
      for (size_t iy = 0; iy < ny; iy++) {
        sd += tv->rows[3 * (m * ny + iy)];
        sx += tv->rows[3 * (m * ny + iy) + 1];
        acc += tv->rows[3 * (m * ny + iy) + 2];
      }
      if (sums && (!isfinite(sd) || !isfinite(sx)))
        return sf_error_set(SF_ENUMERIC,
                            "sf_tv_prox_apply: map %zu: non-finite values at dual iteration %d "
                            "(NaN or Inf in the input?)",
                            m, it);
      tv->current[m] = !tv->current[m];
      if (sums && it > 1) {
        double rel = sx > 0.0 ? sqrt(sd / sx) : sqrt(sd);
        tv->change[m] = rel;
        if (rel <= params->tol)
          tv->state[m] = 2;
      }
      double t_old = tv->t[m];
      if (params->restart && acc > 0.0) {
        tv->t[m] = 1.0;
        tv->beta[m] = 0.0;
        restarts++;
      } else {
        double t_new = 0.5 * (1.0 + sqrt(1.0 + 4.0 * t_old * t_old));
        tv->beta[m] = (t_old - 1.0) / t_new;
        tv->t[m] = t_new;
      }
    }
  }
  for (size_t k = 0; k < count; k++)
    if (tv->change[first + k] > worst_change)
      worst_change = tv->change[first + k];
  /* final primal from the last dual */
#pragma omp parallel for schedule(static) if (count * n >= SF_RECON_PAR_MIN)
  for (long j = 0; j < jobs; j++) {
    size_t k = (size_t)j / ny, iy = (size_t)j % ny, m = first + k;
    if (tv->state[m] == 0)
      continue;
    int cur = tv->current[m];
    double unused[2];
    const double *wr, *wd;
    weight_rows(tv, weight, k, iy, &wr, &wd);
    primal_row(nx, iy, field(tv, m, cur, 0), field(tv, m, cur, 1), field(tv, m, !cur, 0),
               field(tv, m, !cur, 1), 0.0, lambda[k], b + k * n, wr, x + k * n, nonneg, 0,
               unused);
  }
  if (info) {
    info->iterations = iterations;
    info->restarts = restarts;
    info->rel_change = worst_change;
  }
  return SF_OK;
}
