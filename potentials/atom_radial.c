/* atom_radial.c - bound states of a spherical potential on the log grid.

   Non-relativistic: Numerov in x = ln r with u = r^(1/2) y,
       y'' = g y,  g = (l + 1/2)^2 + 2 r^2 (V - eps).
   Scalar-relativistic (Koelling-Harmon): the large component P and
   w = dP/dx obey the linear system
       P' = w,
       w' = w + [l(l+1) + 2 M r^2 (V - eps)] P - s (w - P),
       M = 1 + (eps - V)/(2c^2),  s = (dV/dx) / (2 M c^2),
   integrated with the implicit fourth-order Adams-Moulton rule.

   The eigenvalue is found by bisection on the node count of the outward
   solution (docs/transition-potentials.md, section 1.3): integration stops
   at r_tp + 30/kappa beyond the outermost classical turning point, and one
   extra node is counted when u u' < 0 there (the node just above an
   eigenvalue lies beyond the stop). The state is the outward solution at the
   lower bracket up to the turning point, continued by the decaying solution
   integrated inward from r_tp + 50/kappa and matched at r_tp. */
#include "potentials/sf_atom.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define ATOM_C_AU 137.035999084
#define RESCALE_LIMIT 1e100

typedef struct radial_problem {
  const sf_atom_grid *g;
  const double *V;
  const double *dVdx; /* scalar-relativistic only */
  double Z;
  int l;
  sf_atom_relativity rel;
} radial_problem;

/* Outermost classically allowed point for energy eps; 0 when none. */
static size_t turning_point(const radial_problem *p, double eps) {
  const double ll = 0.5 * p->l * (p->l + 1);
  for (size_t i = p->g->n - 1; i > 0; --i) {
    const double r = p->g->r[i];
    if (eps - p->V[i] - ll / (r * r) > 0.0)
      return i;
  }
  return 0;
}

static size_t stop_index(const radial_problem *p, size_t i_tp, double eps) {
  const sf_atom_grid *g = p->g;
  const double kappa = sqrt(2.0 * fabs(eps));
  const double r_stop = g->r[i_tp] + (kappa > 0 ? 30.0 / kappa : g->r[g->n - 1]);
  if (r_stop >= g->r[g->n - 1])
    return g->n - 1;
  size_t i = (size_t)ceil((log(r_stop) - g->x0) / g->h);
  if (i >= g->n)
    i = g->n - 1;
  if (i < i_tp + 2)
    i = i_tp + 2 < g->n ? i_tp + 2 : g->n - 1;
  return i;
}

/* Non-relativistic outward Numerov to i_stop. Returns the node count
   (including the tail criterion). If u is non-NULL, stores u = r^(1/2) y. */
static int numerov_out(const radial_problem *p, double eps, size_t i_stop, double *u) {
  const sf_atom_grid *g = p->g;
  const double h2 = g->h * g->h / 12.0;
  const double lh = p->l + 0.5;
  const double lh2 = lh * lh;
  double f[3], y[3];
  for (int k = 0; k < 2; ++k) {
    const double r = g->r[k];
    y[k] = pow(r, lh) * (1.0 - p->Z * r / (p->l + 1.0));
    f[k] = 1.0 - h2 * (lh2 + 2.0 * r * r * (p->V[k] - eps));
  }
  if (u) {
    u[0] = y[0];
    u[1] = y[1];
  }
  int nodes = 0;
  for (size_t i = 1; i < i_stop; ++i) {
    const double r = g->r[i + 1];
    f[2] = 1.0 - h2 * (lh2 + 2.0 * r * r * (p->V[i + 1] - eps));
    y[2] = ((12.0 - 10.0 * f[1]) * y[1] - f[0] * y[0]) / f[2];
    if ((y[2] < 0.0) != (y[1] < 0.0))
      ++nodes;
    if (fabs(y[2]) > RESCALE_LIMIT) {
      y[1] /= RESCALE_LIMIT;
      y[2] /= RESCALE_LIMIT;
      if (u)
        for (size_t k = 0; k <= i; ++k)
          u[k] /= RESCALE_LIMIT;
    }
    if (u)
      u[i + 1] = y[2];
    y[0] = y[1];
    y[1] = y[2];
    f[0] = f[1];
    f[1] = f[2];
  }
  /* Tail: u = r^(1/2) y decreasing in magnitude means a node lies ahead. */
  const double us = sqrt(g->r[i_stop]) * y[1], up = sqrt(g->r[i_stop - 1]) * y[0];
  if (us * (us - up) < 0.0)
    ++nodes;
  if (u)
    for (size_t k = 0; k <= i_stop; ++k)
      u[k] *= sqrt(g->r[k]);
  return nodes;
}

/* Scalar-relativistic coefficient matrix [[0,1],[a21,a22]] at point i. */
static void sr_coeffs(const radial_problem *p, size_t i, double eps, double *a21, double *a22) {
  const double c2 = ATOM_C_AU * ATOM_C_AU;
  const double r = p->g->r[i];
  const double M = 1.0 + (eps - p->V[i]) / (2.0 * c2);
  const double s = p->dVdx[i] / (2.0 * M * c2);
  *a21 = p->l * (p->l + 1.0) + 2.0 * M * r * r * (p->V[i] - eps) + s;
  *a22 = 1.0 - s;
}

/* Scalar-relativistic outward Adams-Moulton (4th order). Same contract as numerov_out. */
static int sr_out(const radial_problem *p, double eps, size_t i_stop, double *u) {
  const sf_atom_grid *g = p->g;
  const double h = g->h;
  const double zc = p->Z / ATOM_C_AU;
  double gam2 = p->l * (p->l + 1.0) + 1.0 - zc * zc;
  const double gam = gam2 > 0.0 ? sqrt(gam2) : 0.5;
  double P[4], W[4], fP[4], fW[4]; /* ring of the last four points */
  for (int k = 0; k < 3; ++k) {
    const double r = g->r[k];
    P[k] = pow(r, gam);
    W[k] = gam * P[k];
    double a21, a22;
    sr_coeffs(p, (size_t)k, eps, &a21, &a22);
    fP[k] = W[k];
    fW[k] = a21 * P[k] + a22 * W[k];
    if (u)
      u[k] = P[k];
  }
  int nodes = 0;
  for (size_t i = 2; i < i_stop; ++i) {
    /* Points i-2, i-1, i are in slots (i-2)%4.. ; the new one goes to (i+1)%4. */
    const int c0 = (int)(i % 4), c1 = (int)((i - 1) % 4), c2 = (int)((i - 2) % 4),
              nx = (int)((i + 1) % 4);
    const double k9 = 9.0 * h / 24.0;
    const double rp = P[c0] + h / 24.0 * (19.0 * fP[c0] - 5.0 * fP[c1] + fP[c2]);
    const double rw = W[c0] + h / 24.0 * (19.0 * fW[c0] - 5.0 * fW[c1] + fW[c2]);
    double a21, a22;
    sr_coeffs(p, i + 1, eps, &a21, &a22);
    /* (I - k9 A) z = rhs, A = [[0,1],[a21,a22]]. */
    const double m11 = 1.0, m12 = -k9, m21 = -k9 * a21, m22 = 1.0 - k9 * a22;
    const double det = m11 * m22 - m12 * m21;
    double pn = (rp * m22 - m12 * rw) / det;
    double wn = (m11 * rw - m21 * rp) / det;
    if ((pn < 0.0) != (P[c0] < 0.0))
      ++nodes;
    P[nx] = pn;
    W[nx] = wn;
    fP[nx] = wn;
    fW[nx] = a21 * pn + a22 * wn;
    if (fabs(pn) > RESCALE_LIMIT) {
      for (int k = 0; k < 4; ++k) {
        P[k] /= RESCALE_LIMIT;
        W[k] /= RESCALE_LIMIT;
        fP[k] /= RESCALE_LIMIT;
        fW[k] /= RESCALE_LIMIT;
      }
      if (u)
        for (size_t k = 0; k <= i; ++k)
          u[k] /= RESCALE_LIMIT;
    }
    if (u)
      u[i + 1] = P[nx];
  }
  const int last = (int)(i_stop % 4);
  if (P[last] * W[last] < 0.0)
    ++nodes;
  return nodes;
}

static int count_nodes(const radial_problem *p, double eps, double *u, size_t *i_tp_out,
                       size_t *i_stop_out) {
  size_t i_tp = turning_point(p, eps);
  if (i_tp_out)
    *i_tp_out = i_tp;
  if (i_tp == 0) {
    if (i_stop_out)
      *i_stop_out = 0;
    return 0; /* everywhere forbidden: no node */
  }
  size_t i_stop = stop_index(p, i_tp, eps);
  if (i_stop_out)
    *i_stop_out = i_stop;
  return p->rel == SF_ATOM_SCALAR_RELATIVISTIC ? sr_out(p, eps, i_stop, u)
                                               : numerov_out(p, eps, i_stop, u);
}

/* Replace u beyond the turning point i_tp by the decaying solution integrated
   inward from i_end (where u ~ e^-50 of its value at r_tp), scaled to match
   u[i_tp]. Inward integration of a decaying state is stable, so the tail is
   clean (no growing admixture) and does not jitter between SCF iterations. */
static void inward_tail(const radial_problem *p, double eps, size_t i_tp, size_t i_end,
                        double *u) {
  const sf_atom_grid *g = p->g;
  const double kappa = sqrt(2.0 * fabs(eps));
  const double h = g->h;
  if (p->rel == SF_ATOM_NONRELATIVISTIC) {
    const double h2 = h * h / 12.0;
    const double lh2 = (p->l + 0.5) * (p->l + 0.5);
#define FN(i) (1.0 - h2 * (lh2 + 2.0 * g->r[i] * g->r[i] * (p->V[i] - eps)))
    /* y = u / sqrt(r); WKB start u ~ exp(-kappa r). */
    double y2 = exp(-kappa * (g->r[i_end] - g->r[i_end - 1])) / sqrt(g->r[i_end]);
    double y1 = 1.0 / sqrt(g->r[i_end - 1]);
    double f2 = FN(i_end), f1 = FN(i_end - 1);
    u[i_end] = y2;
    u[i_end - 1] = y1;
    for (size_t i = i_end - 1; i > i_tp; --i) {
      const double f0 = FN(i - 1);
      const double y0 = ((12.0 - 10.0 * f1) * y1 - f2 * y2) / f0;
      u[i - 1] = y0;
      if (fabs(y0) > RESCALE_LIMIT)
        for (size_t k = i - 1; k <= i_end; ++k)
          u[k] /= RESCALE_LIMIT;
      y2 = u[i];
      y1 = u[i - 1];
      f2 = f1;
      f1 = f0;
    }
#undef FN
    for (size_t i = i_tp; i <= i_end; ++i)
      u[i] *= sqrt(g->r[i]);
  } else {
    /* Adams-Moulton backwards in x for (P, w). */
    double P[4], W[4], fP[4], fW[4];
    for (int k = 0; k < 3; ++k) {
      const size_t i = i_end - (size_t)k;
      double a21, a22;
      P[k] = exp(-kappa * (g->r[i] - g->r[i_end - 2]));
      W[k] = -kappa * g->r[i] * P[k];
      sr_coeffs(p, i, eps, &a21, &a22);
      fP[k] = W[k];
      fW[k] = a21 * P[k] + a22 * W[k];
      u[i] = P[k];
    }
    const double k9 = -9.0 * h / 24.0;
    for (size_t s = 2; i_end - s > i_tp; ++s) {
      const size_t i = i_end - s; /* new point i - 1 */
      const int c0 = (int)(s % 4), c1 = (int)((s - 1) % 4), c2 = (int)((s - 2) % 4),
                nx = (int)((s + 1) % 4);
      const double rp = P[c0] - h / 24.0 * (19.0 * fP[c0] - 5.0 * fP[c1] + fP[c2]);
      const double rw = W[c0] - h / 24.0 * (19.0 * fW[c0] - 5.0 * fW[c1] + fW[c2]);
      double a21, a22;
      sr_coeffs(p, i - 1, eps, &a21, &a22);
      const double m12 = -k9, m21 = -k9 * a21, m22 = 1.0 - k9 * a22;
      const double det = m22 - m12 * m21;
      P[nx] = (rp * m22 - m12 * rw) / det;
      W[nx] = (rw - m21 * rp) / det;
      fP[nx] = W[nx];
      fW[nx] = a21 * P[nx] + a22 * W[nx];
      u[i - 1] = P[nx];
      if (fabs(P[nx]) > RESCALE_LIMIT) {
        for (int k = 0; k < 4; ++k) {
          P[k] /= RESCALE_LIMIT;
          W[k] /= RESCALE_LIMIT;
          fP[k] /= RESCALE_LIMIT;
          fW[k] /= RESCALE_LIMIT;
        }
        for (size_t k = i - 1; k <= i_end; ++k)
          u[k] /= RESCALE_LIMIT;
      }
    }
  }
}

/* dV/dx from r V with fourth-order central differences (one-sided at the ends). */
static void potential_derivative(const sf_atom_grid *g, const double *V, double *dVdx) {
  const size_t n = g->n;
  const double h = g->h;
#define W(i) (g->r[i] * V[i])
  for (size_t i = 0; i < n; ++i) {
    double dW;
    if (i >= 2 && i + 2 < n)
      dW = (W(i - 2) - 8.0 * W(i - 1) + 8.0 * W(i + 1) - W(i + 2)) / (12.0 * h);
    else if (i < 2)
      dW = (-25.0 * W(i) + 48.0 * W(i + 1) - 36.0 * W(i + 2) + 16.0 * W(i + 3) - 3.0 * W(i + 4)) /
           (12.0 * h);
    else
      dW = (25.0 * W(i) - 48.0 * W(i - 1) + 36.0 * W(i - 2) - 16.0 * W(i - 3) + 3.0 * W(i - 4)) /
           (12.0 * h);
    dVdx[i] = (dW - W(i)) / g->r[i];
  }
#undef W
}

int sf_atom_radial_bound(const sf_atom_grid *g, const double *V, double Z_nuc, int n, int l,
                         sf_atom_relativity rel, double *energy_Ha, double *u) {
  char nm[8];
  if (!g || !V || !energy_Ha || !u)
    return sf_error_set(SF_EINVAL, "sf_atom_radial_bound: NULL argument");
  if (n < 1 || l < 0 || l >= n)
    return sf_error_set(SF_EINVAL, "bound state n = %d, l = %d: need 0 <= l < n", n, l);
  if (rel != SF_ATOM_NONRELATIVISTIC && rel != SF_ATOM_SCALAR_RELATIVISTIC)
    return sf_error_set(SF_EINVAL, "bound state: relativity %d unknown", (int)rel);
  radial_problem p = {g, V, NULL, Z_nuc, l, rel};
  double *dVdx = NULL;
  if (rel == SF_ATOM_SCALAR_RELATIVISTIC) {
    dVdx = sf_alloc(g->n, sizeof(double), "potential derivative");
    if (!dVdx)
      return SF_ENOMEM;
    potential_derivative(g, V, dVdx);
    p.dVdx = dVdx;
  }
  const int target = n - l - 1;
  const double zz = Z_nuc > 1.0 ? Z_nuc : 1.0;
  double lo = -1.5 * zz * zz / (2.0 * n * n) - 10.0, hi = -1e-14;
  int status = SF_OK;
  for (int k = 0; k < 60 && count_nodes(&p, lo, NULL, NULL, NULL) > target; ++k)
    lo *= 2.0;
  if (count_nodes(&p, lo, NULL, NULL, NULL) > target) {
    status = sf_error_set(SF_ENUMERIC, "bound state %s: no lower energy bracket found",
                          sf_atom_subshell_name(n, l, nm));
    goto done;
  }
  if (count_nodes(&p, hi, NULL, NULL, NULL) <= target) {
    status = sf_error_set(SF_ENUMERIC,
                          "bound state %s is not bound in this potential on a grid to "
                          "r = %g Bohr (fewer than %d nodes at E = 0)",
                          sf_atom_subshell_name(n, l, nm), g->r[g->n - 1], target + 1);
    goto done;
  }
  for (int it = 0; it < 400; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi)
      break;
    if (count_nodes(&p, mid, NULL, NULL, NULL) > target)
      hi = mid;
    else
      lo = mid;
  }
  /* The state at the lower bracket up to the turning point, then the
     decaying tail integrated inward and matched there. */
  memset(u, 0, g->n * sizeof *u);
  size_t i_tp, i_stop;
  count_nodes(&p, lo, u, &i_tp, &i_stop);
  if (i_tp == 0 || i_stop < 2) {
    status = sf_error_set(SF_ENUMERIC, "bound state %s: no classically allowed region",
                          sf_atom_subshell_name(n, l, nm));
    goto done;
  }
  {
    const double kappa = sqrt(2.0 * fabs(lo));
    const double r_end = g->r[i_tp] + 50.0 / kappa;
    size_t i_end = g->n - 1;
    if (r_end < g->r[g->n - 1])
      i_end = (size_t)ceil((log(r_end) - g->x0) / g->h);
    if (i_end > g->n - 1)
      i_end = g->n - 1;
    const double u_tp = u[i_tp];
    for (size_t i = i_tp + 1; i < g->n; ++i)
      u[i] = 0.0;
    if (i_end >= i_tp + 4 && u_tp != 0.0) {
      inward_tail(&p, lo, i_tp, i_end, u);
      const double scale = u_tp / u[i_tp];
      for (size_t i = i_tp; i <= i_end; ++i)
        u[i] *= scale;
    }
  }
  double *u2 = sf_alloc(g->n, sizeof(double), "bound state norm");
  if (!u2) {
    status = SF_ENOMEM;
    goto done;
  }
  size_t imax = 0;
  for (size_t i = 0; i < g->n; ++i) {
    u2[i] = u[i] * u[i];
    if (fabs(u[i]) > fabs(u[imax]))
      imax = i;
  }
  const double norm = sf_atom_grid_integrate(g, u2);
  sf_free(u2);
  if (!(norm > 0.0) || !isfinite(norm)) {
    status = sf_error_set(SF_ENUMERIC, "bound state %s: norm %g is not positive and finite",
                          sf_atom_subshell_name(n, l, nm), norm);
    goto done;
  }
  const double scale = (u[imax] < 0.0 ? -1.0 : 1.0) / sqrt(norm);
  for (size_t i = 0; i < g->n; ++i)
    u[i] *= scale;
  *energy_Ha = lo;
done:
  sf_free(dVdx);
  return status;
}
