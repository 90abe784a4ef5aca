/* vz_table.c - radial lookup tables of the cut-off projected potential and
   the pixel-cell averages built from them (see sf_vz_table.h). */
#include "potentials/sf_vz_table.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_quadrature.h"

#include <math.h>
#include <stdlib.h>

#define LOG_R_MIN_A 1e-4      /* smallest radius in the u = ln r tables */
#define LOG_NODES_PER_UNIT 400 /* nodes per unit of ln r (du = 0.0025) */
#define FAR_NODES_MAX 262144   /* cap on the r^2 table */
#define EDGE_GL_ORDER 8        /* Gauss-Legendre order per panel of the edge integrals */
#define EDGE_PANEL 1.0         /* panel width in s for the edge integrals */

struct sf_vz_table {
  sf_scatfac sf;
  double h, rc;
  double v_rc, dv_rc; /* v_z and dv_z/dr at r_c */
  double g_rc;        /* G(r_c) = total / (2 pi) */
  double total;
  /* u = ln r tables: per node v_c, dv_c/du, G, dG/du */
  size_t n_log;
  double u0, du, inv_du;
  double *log_tab;
  /* r^2 table of v_c + h^2/24 lap v_c */
  size_t n_far;
  double s0, ds, inv_ds;
  double *far_tab;
  double r_mid;
  double gx[EDGE_GL_ORDER], gw[EDGE_GL_ORDER];
};

/* --- closed forms of the cut-off profile --- */

static double vc_direct(const sf_vz_table *t, double r) {
  if (r >= t->rc)
    return 0.0;
  return sf_scatfac_vz(&t->sf, r) - t->v_rc - (r - t->rc) * t->dv_rc;
}

static double dvc_direct(const sf_vz_table *t, double r) {
  if (r >= t->rc)
    return 0.0;
  return sf_scatfac_vz_dr(&t->sf, r) - t->dv_rc;
}

static double lapc_direct(const sf_vz_table *t, double r) {
  if (r >= t->rc)
    return 0.0;
  return sf_scatfac_vz_laplacian(&t->sf, r) - t->dv_rc / r;
}

/* G(R) = Integral_0^R v_c(r) r dr. */
static double g_direct(const sf_vz_table *t, double R) {
  if (R >= t->rc)
    return t->g_rc;
  const double R2 = R * R;
  return sf_scatfac_vz_disc(&t->sf, R) / SF_TWO_PI - 0.5 * t->v_rc * R2 -
         t->dv_rc * (R2 * R / 3.0 - 0.5 * t->rc * R2);
}

/* --- table lookups --- */

static double hermite(const double *p, size_t stride, double du, double f) {
  const double p0 = p[0], m0 = p[1], p1 = p[stride], m1 = p[stride + 1];
  const double g = 1.0 - f;
  return (1.0 + 2.0 * f) * g * g * p0 + f * g * g * du * m0 + f * f * (3.0 - 2.0 * f) * p1 -
         f * f * g * du * m1;
}

static double log_lookup(const sf_vz_table *t, double r, int column) {
  const double x = (log(r) - t->u0) * t->inv_du;
  size_t k = (size_t)x;
  if (k > t->n_log - 2)
    k = t->n_log - 2;
  return hermite(t->log_tab + 4 * k + column, 4, t->du, x - (double)k);
}

double sf_vz_table_vz(const sf_vz_table *t, double r) {
  if (!(r >= 0.0))
    return NAN;
  if (r >= t->rc)
    return 0.0;
  if (r < LOG_R_MIN_A)
    return vc_direct(t, r);
  return log_lookup(t, r, 0);
}

static double g_lookup(const sf_vz_table *t, double R) {
  if (R >= t->rc)
    return t->g_rc;
  if (R < LOG_R_MIN_A)
    return g_direct(t, R);
  return log_lookup(t, R, 2);
}

double sf_vz_table_disc(const sf_vz_table *t, double R) {
  if (!(R >= 0.0))
    return NAN;
  return SF_TWO_PI * g_lookup(t, R);
}

double sf_vz_table_total(const sf_vz_table *t) { return t->total; }
double sf_vz_table_r_cut(const sf_vz_table *t) { return t->rc; }
double sf_vz_table_reach(const sf_vz_table *t) { return fmax(t->rc, t->r_mid); }
double sf_vz_table_sampling(const sf_vz_table *t) { return t->h; }
const sf_scatfac *sf_vz_table_scatfac(const sf_vz_table *t) { return &t->sf; }

/* Laplacian-corrected profile at squared radius s (far zone). */
static double far_lookup(const sf_vz_table *t, double s) {
  if (s >= t->rc * t->rc)
    return 0.0;
  const double x = (s - t->s0) * t->inv_ds; /* >= 0: far zone starts beyond s0 */
  long k = (long)x;
  if (k < 1)
    k = 1;
  if (k > (long)t->n_far - 3)
    k = (long)t->n_far - 3;
  const double f = x - (double)k;
  const double *p = t->far_tab + k - 1;
  /* Four-point Lagrange through nodes -1, 0, 1, 2. */
  const double fp = f + 1.0, fm = f - 1.0, fmm = f - 2.0;
  const double sixth = 1.0 / 6.0;
  const double wm = -sixth * f * fm * fmm;
  const double w0 = 0.5 * fp * fm * fmm;
  const double w1 = -0.5 * fp * f * fmm;
  const double w2 = sixth * fp * f * fm;
  return wm * p[0] + w0 * p[1] + w1 * p[2] + w2 * p[3];
}

/* --- exact cell averages: the corner function F --- */

/* Integral_0^{asinh(L/p)} G(p cosh s) / cosh s ds: the integral of v_c over
   the triangle (atom, (p, 0), (p, L)) in polar coordinates, p, L > 0. */
static double edge_integral(const sf_vz_table *t, double p, double L) {
  const double S = asinh(L / p);
  const int panels = (int)ceil(S / EDGE_PANEL);
  const double width = S / panels;
  double sum = 0.0;
  for (int k = 0; k < panels; ++k) {
    const double mid = (k + 0.5) * width, half = 0.5 * width;
    double part = 0.0;
    for (int i = 0; i < EDGE_GL_ORDER; ++i) {
      const double c = cosh(mid + half * t->gx[i]);
      part += t->gw[i] * g_lookup(t, p * c) / c;
    }
    sum += half * part;
  }
  return sum;
}

/* F(x, y) = Integral_0^x Integral_0^y v_c(sqrt(x'^2 + y'^2)) dy' dx' (signed). */
static double corner_f(const sf_vz_table *t, double x, double y) {
  const double ax = fabs(x), ay = fabs(y);
  if (ax == 0.0 || ay == 0.0)
    return 0.0;
  const double f = edge_integral(t, ax, ay) + edge_integral(t, ay, ax);
  return ((x < 0.0) != (y < 0.0)) ? -f : f;
}

double sf_vz_table_cell_exact(const sf_vz_table *t, double dx, double dy, double wx,
                              double wy) {
  const double x1 = dx - 0.5 * wx, x2 = dx + 0.5 * wx;
  const double y1 = dy - 0.5 * wy, y2 = dy + 0.5 * wy;
  const double integral =
      corner_f(t, x2, y2) - corner_f(t, x1, y2) - corner_f(t, x2, y1) + corner_f(t, x1, y1);
  return integral / (wx * wy);
}

void sf_vz_table_near_block(const sf_vz_table *t, double fx, double fy, double *block) {
  enum { NC = SF_VZ_NEAR_SIZE + 1 };
  double cx[NC], cy[NC], F[NC * NC];
  const double h = t->h;
  for (int k = 0; k < NC; ++k) {
    cx[k] = (k - SF_VZ_NEAR_HALF - 0.5) * h - fx;
    cy[k] = (k - SF_VZ_NEAR_HALF - 0.5) * h - fy;
  }
  for (int j = 0; j < NC; ++j)
    for (int i = 0; i < NC; ++i)
      F[j * NC + i] = corner_f(t, cx[i], cy[j]);
  const double inv_area = 1.0 / (h * h);
  for (int j = 0; j < SF_VZ_NEAR_SIZE; ++j)
    for (int i = 0; i < SF_VZ_NEAR_SIZE; ++i)
      block[j * SF_VZ_NEAR_SIZE + i] = (F[(j + 1) * NC + i + 1] - F[(j + 1) * NC + i] -
                                        F[j * NC + i + 1] + F[j * NC + i]) *
                                       inv_area;
}

/* 3 x 3 Gauss-Legendre average over the cell (mid zone). */
static double cell_gauss3(const sf_vz_table *t, double dx, double dy) {
  const double g = 0.5 * t->h * sqrt(0.6);
  static const double w[3] = {5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0};
  const double off[3] = {-g, 0.0, g};
  double sum = 0.0;
  for (int j = 0; j < 3; ++j) {
    const double y = dy + off[j];
    double row = 0.0;
    for (int i = 0; i < 3; ++i) {
      const double x = dx + off[i];
      row += w[i] * sf_vz_table_vz(t, sqrt(x * x + y * y));
    }
    sum += w[j] * row;
  }
  return sum;
}

double sf_vz_table_pixel(const sf_vz_table *t, double dx, double dy) {
  const double h = t->h, near = (SF_VZ_NEAR_HALF + 0.5) * h;
  if (fabs(dx) < near && fabs(dy) < near)
    return sf_vz_table_cell_exact(t, dx, dy, h, h);
  const double s = dx * dx + dy * dy;
  if (s < t->r_mid * t->r_mid)
    return cell_gauss3(t, dx, dy);
  return t->n_far ? far_lookup(t, s) : 0.0;
}

void sf_vz_table_add_row(const sf_vz_table *t, double x, double dy, long jx_lo, long jx_hi,
                         long skip_lo, long skip_hi, double *row, size_t nx) {
  const double h = t->h, dy2 = dy * dy;
  const double mid2 = t->r_mid * t->r_mid, rc2 = t->rc * t->rc;
  long m = jx_lo % (long)nx;
  size_t ix = (size_t)(m < 0 ? m + (long)nx : m);
  for (long jx = jx_lo; jx <= jx_hi; ++jx, ix = ix + 1 == nx ? 0 : ix + 1) {
    if (jx >= skip_lo && jx <= skip_hi)
      continue;
    const double dx = (double)jx * h - x;
    const double s = dx * dx + dy2;
    if (s < mid2)
      row[ix] += cell_gauss3(t, dx, dy);
    else if (s < rc2)
      row[ix] += far_lookup(t, s);
  }
}

/* --- cutoff radius --- */

double sf_vz_cutoff_total(const sf_scatfac *sf, double rc) {
  const double v = sf_scatfac_vz(sf, rc), dv = sf_scatfac_vz_dr(sf, rc);
  return sf_scatfac_vz_disc(sf, rc) - SF_PI * v * rc * rc + SF_PI * dv * rc * rc * rc / 3.0;
}

int sf_vz_cutoff_radius(const sf_scatfac *sf, double tol, double *r_cut_A) {
  if (!sf || !r_cut_A)
    return sf_error_set(SF_EINVAL, "cutoff radius: NULL argument");
  if (!(tol > 0.0 && tol < 1.0))
    return sf_error_set(SF_EINVAL, "cutoff radius: cutoff_tol = %g: must lie in (0, 1)", tol);
  const double total = sf_scatfac_vz_total(sf);
  const int steps = (int)lround((SF_VZ_CUTOFF_MAX_A - SF_VZ_CUTOFF_MIN_A) / SF_VZ_CUTOFF_STEP_A);
  for (int k = 0; k <= steps; ++k) {
    const double rc = SF_VZ_CUTOFF_MIN_A + k * SF_VZ_CUTOFF_STEP_A;
    if (fabs(1.0 - sf_vz_cutoff_total(sf, rc) / total) <= tol) {
      *r_cut_A = rc;
      return SF_OK;
    }
  }
  return sf_error_set(SF_ERANGE,
                      "cutoff radius: Z = %d (%s): no radius up to %g A keeps the plane "
                      "integral within cutoff_tol = %g",
                      sf->Z, sf_scatfac_param_name(sf->param), SF_VZ_CUTOFF_MAX_A, tol);
}

/* --- creation --- */

void sf_vz_table_destroy(sf_vz_table *t) {
  if (!t)
    return;
  sf_free(t->log_tab);
  sf_free(t->far_tab);
  free(t);
}

int sf_vz_table_create(sf_scatfac_param param, int Z, double h, double rc, sf_vz_table **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "v_z table: NULL output pointer");
  *out = NULL;
  if (!isfinite(h) || h <= 0.0)
    return sf_error_set(SF_EINVAL, "v_z table: sampling_A = %g: must be a finite value > 0", h);
  if (!isfinite(rc) || rc < 3.0 * h || rc > SF_VZ_CUTOFF_MAX_A)
    return sf_error_set(SF_ERANGE,
                        "v_z table: r_cut_A = %g: must lie in [3 * sampling_A, %g] = [%g, %g] A",
                        rc, SF_VZ_CUTOFF_MAX_A, 3.0 * h, SF_VZ_CUTOFF_MAX_A);
  sf_scatfac sf;
  SF_TRY(sf_scatfac_init(&sf, param, Z));

  sf_vz_table *t = calloc(1, sizeof *t);
  if (!t)
    return sf_error_set(SF_ENOMEM, "v_z table: out of memory");
  t->sf = sf;
  t->h = h;
  t->rc = rc;
  t->v_rc = sf_scatfac_vz(&sf, rc);
  t->dv_rc = sf_scatfac_vz_dr(&sf, rc);
  const double R2 = rc * rc;
  t->total = sf_vz_cutoff_total(&sf, rc);
  t->g_rc = t->total / SF_TWO_PI;
  int status = sf_quad_gauss_legendre(EDGE_GL_ORDER, t->gx, t->gw);
  if (status != SF_OK) {
    sf_vz_table_destroy(t);
    return status;
  }

  /* u = ln r tables. */
  t->u0 = log(LOG_R_MIN_A);
  const double u_end = log(rc);
  t->n_log = (size_t)ceil((u_end - t->u0) * LOG_NODES_PER_UNIT) + 1;
  t->du = (u_end - t->u0) / (double)(t->n_log - 1);
  t->inv_du = 1.0 / t->du;
  t->log_tab = sf_alloc(4 * t->n_log, sizeof(double), "v_z radial table");
  if (!t->log_tab) {
    sf_vz_table_destroy(t);
    return SF_ENOMEM;
  }
  for (size_t k = 0; k < t->n_log; ++k) {
    const double r = k + 1 == t->n_log ? rc : exp(t->u0 + (double)k * t->du);
    double *row = t->log_tab + 4 * k;
    row[0] = vc_direct(t, r);
    row[1] = r * dvc_direct(t, r);
    row[2] = g_direct(t, r);
    row[3] = r * r * row[0];
  }

  /* r^2 table for the far zone: ds small enough that the step in r at r_mid
     is at most h/16. */
  t->ds = h * h;
  if (R2 / t->ds > FAR_NODES_MAX)
    t->ds = R2 / FAR_NODES_MAX;
  t->r_mid = fmax(SF_VZ_MID_PIXELS * h, 8.0 * t->ds / h);
  if (t->r_mid < rc) {
    t->s0 = 0.25 * t->r_mid * t->r_mid;
    t->inv_ds = 1.0 / t->ds;
    t->n_far = (size_t)ceil((R2 - t->s0) * t->inv_ds) + 3;
    t->far_tab = sf_alloc(t->n_far, sizeof(double), "v_z far-zone table");
    if (!t->far_tab) {
      sf_vz_table_destroy(t);
      return SF_ENOMEM;
    }
    for (size_t k = 0; k < t->n_far; ++k) {
      const double r = sqrt(t->s0 + (double)k * t->ds);
      t->far_tab[k] = r < rc ? vc_direct(t, r) + h * h / 24.0 * lapc_direct(t, r) : 0.0;
    }
  }
  *out = t;
  return SF_OK;
}
