/* atom_scf.c - the self-consistent LDA atom: Thomas-Fermi start, orbitals in
   the input potential, density, Hartree and exchange-correlation potential,
   total energy, and Anderson mixing of r V until the energy and the
   potential residual are both below their tolerances.

   Total energy (docs/transition-potentials.md, section 1.1):
     E = [sum f eps - int rho V_in] - Z int rho/r + 1/2 int rho V_H + int rho e_xc
   with V_in the potential whose orbitals built rho. */
#include "potentials/sf_atom.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_log.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCF_HISTORY_MAX 16
#define SCF_REPORT_MAX 12

struct sf_atom {
  sf_atom_config cfg;
  sf_atom_params params;
  sf_atom_grid *grid;
  size_t norb;
  double *u;   /* norb x n */
  double *eps; /* norb */
  double *V;   /* n */
  sf_atom_energies energies;
  int iterations;
};

void sf_atom_params_default(sf_atom_params *p) {
  memset(p, 0, sizeof *p);
  p->grid_points = 4001;
  p->r_min_bohr = 0.0;
  p->r_max_bohr = 50.0;
  p->max_iterations = 200;
  p->mixing = 0.3;
  p->history = 6;
  p->tol_energy_Ha = 1e-9;
  p->tol_potential = 1e-7;
  p->relativity = SF_ATOM_NONRELATIVISTIC;
  p->relativistic_xc = 0;
  p->xc = SF_ATOM_XC_AUTO;
}

void sf_atom_destroy(sf_atom *a) {
  if (!a)
    return;
  sf_atom_grid_destroy(a->grid);
  sf_free(a->u);
  sf_free(a->eps);
  sf_free(a->V);
  free(a);
}

/* Thomas-Fermi screened potential (dftatom's fit), Z_eff clipped at >= 1. */
static void thomas_fermi(const sf_atom_grid *g, double Z, double *V) {
  const double alpha = 0.7280642371, beta = -0.5430794693, gamma = 0.3612163121;
  const double b = cbrt(128.0 * Z / (9.0 * SF_PI * SF_PI));
  for (size_t i = 0; i < g->n; ++i) {
    const double x = g->r[i] * b, sx = sqrt(x);
    const double t = 1.0 + alpha * sx + beta * x * exp(-gamma * sx);
    double zeff = Z * t * t * exp(-2.0 * alpha * sx);
    if (zeff < 1.0)
      zeff = 1.0;
    V[i] = -zeff / g->r[i];
  }
}

typedef struct scf_work {
  double *rho_w;  /* sum f u^2 (= 4 pi r^2 rho) */
  double *rho;    /* density */
  double *tmp, *q, *p;
  double *exc, *vxc;
  double *Vout;
} scf_work;

/* Orbitals in V_in (parallel over orbitals; each is deterministic). */
static int solve_orbitals(sf_atom *a, const double *Vin) {
  const sf_atom_grid *g = a->grid;
  int fail = -1;
  int *st = calloc(a->norb, sizeof *st);
  if (!st)
    return sf_error_set(SF_ENOMEM, "atom: out of memory");
#pragma omp parallel for schedule(dynamic)
  for (size_t k = 0; k < a->norb; ++k)
    st[k] = sf_atom_radial_bound(g, Vin, a->cfg.Z, a->cfg.shell[k].n, a->cfg.shell[k].l,
                                 a->params.relativity, &a->eps[k], a->u + k * g->n);
  for (size_t k = 0; k < a->norb && fail < 0; ++k)
    if (st[k] != SF_OK)
      fail = (int)k;
  free(st);
  if (fail >= 0) /* repeat serially so the message is recorded in this thread */
    return sf_atom_radial_bound(g, Vin, a->cfg.Z, a->cfg.shell[fail].n, a->cfg.shell[fail].l,
                                a->params.relativity, &a->eps[fail], a->u + (size_t)fail * g->n);
  return SF_OK;
}

/* Density, output potential and energies from the orbitals of V_in. */
static int evaluate(sf_atom *a, const double *Vin, scf_work *w, sf_atom_energies *E) {
  const sf_atom_grid *g = a->grid;
  const size_t n = g->n;
  const double Z = a->cfg.Z;
  memset(w->rho_w, 0, n * sizeof(double));
  double esum = 0.0;
  for (size_t k = 0; k < a->norb; ++k) {
    const double f = a->cfg.shell[k].occupation;
    const double *u = a->u + k * n;
    esum += f * a->eps[k];
    for (size_t i = 0; i < n; ++i)
      w->rho_w[i] += f * u[i] * u[i];
  }
  for (size_t i = 0; i < n; ++i)
    w->rho[i] = w->rho_w[i] / (4.0 * SF_PI * g->r[i] * g->r[i]);
  /* Hartree: V_H = q(r)/r + int_r^inf 4 pi r' rho dr'. */
  sf_atom_grid_cumulative(g, w->rho_w, 1, w->q);
  for (size_t i = 0; i < n; ++i)
    w->tmp[i] = w->rho_w[i] / g->r[i];
  sf_atom_grid_cumulative(g, w->tmp, 0, w->p);
  SF_TRY(sf_atom_xc_eval(a->params.xc, a->params.relativistic_xc, n, w->rho, w->exc, w->vxc));
  for (size_t i = 0; i < n; ++i) {
    const double vh = w->q[i] / g->r[i] + w->p[i];
    w->Vout[i] = -Z / g->r[i] + vh + w->vxc[i];
    w->q[i] = vh; /* keep V_H for the energy */
  }
  for (size_t i = 0; i < n; ++i)
    w->tmp[i] = w->rho_w[i] * Vin[i];
  const double rho_vin = sf_atom_grid_integrate(g, w->tmp);
  for (size_t i = 0; i < n; ++i)
    w->tmp[i] = w->rho_w[i] / g->r[i];
  const double en = -Z * sf_atom_grid_integrate(g, w->tmp);
  for (size_t i = 0; i < n; ++i)
    w->tmp[i] = w->rho_w[i] * w->q[i];
  const double eh = 0.5 * sf_atom_grid_integrate(g, w->tmp);
  for (size_t i = 0; i < n; ++i)
    w->tmp[i] = w->rho_w[i] * w->exc[i];
  const double exc = sf_atom_grid_integrate(g, w->tmp);
  for (size_t i = 0; i < n; ++i)
    w->tmp[i] = w->rho_w[i] * w->vxc[i];
  E->xc_potential = sf_atom_grid_integrate(g, w->tmp);
  E->eigenvalue_sum = esum;
  E->kinetic = esum - rho_vin;
  E->electron_nucleus = en;
  E->hartree = eh;
  E->xc = exc;
  E->total = E->kinetic + en + eh + exc;
  if (!isfinite(E->total))
    return sf_error_set(SF_ENUMERIC, "atom Z = %d: total energy is not finite", a->cfg.Z);
  return SF_OK;
}

/* Solve the small dense system M x = b (m <= SCF_HISTORY_MAX) by Gaussian
   elimination with partial pivoting. Returns 0 on success. */
static int small_solve(int m, double M[SCF_HISTORY_MAX][SCF_HISTORY_MAX], double *b) {
  for (int c = 0; c < m; ++c) {
    int piv = c;
    for (int r = c + 1; r < m; ++r)
      if (fabs(M[r][c]) > fabs(M[piv][c]))
        piv = r;
    if (fabs(M[piv][c]) < 1e-300)
      return -1;
    if (piv != c) {
      for (int k = 0; k < m; ++k) {
        double t = M[c][k];
        M[c][k] = M[piv][k];
        M[piv][k] = t;
      }
      double t = b[c];
      b[c] = b[piv];
      b[piv] = t;
    }
    for (int r = c + 1; r < m; ++r) {
      const double f = M[r][c] / M[c][c];
      for (int k = c; k < m; ++k)
        M[r][k] -= f * M[c][k];
      b[r] -= f * b[c];
    }
  }
  for (int c = m - 1; c >= 0; --c) {
    double s = b[c];
    for (int k = c + 1; k < m; ++k)
      s -= M[c][k] * b[k];
    b[c] = s / M[c][c];
  }
  return 0;
}

/* Anderson mixing of x = r V_in with residual f = r (V_out - V_in).
   hx/hf hold the last `have` iterates (slot it % cap). */
static void anderson(size_t n, int have, int cap, int cur, double beta, double **hx, double **hf,
                     double *xnew) {
  const double *xk = hx[cur], *fk = hf[cur];
  int m = have - 1;
  if (m > SCF_HISTORY_MAX)
    m = SCF_HISTORY_MAX;
  double gam[SCF_HISTORY_MAX] = {0};
  if (m > 0) {
    double M[SCF_HISTORY_MAX][SCF_HISTORY_MAX], b[SCF_HISTORY_MAX];
    int slot[SCF_HISTORY_MAX];
    for (int j = 0; j < m; ++j)
      slot[j] = ((cur - 1 - j) % cap + cap) % cap;
    double trace = 0.0;
    for (int j = 0; j < m; ++j) {
      for (int k = 0; k <= j; ++k) {
        double s = 0.0;
        for (size_t i = 0; i < n; ++i)
          s += (fk[i] - hf[slot[j]][i]) * (fk[i] - hf[slot[k]][i]);
        M[j][k] = M[k][j] = s;
      }
      double s = 0.0;
      for (size_t i = 0; i < n; ++i)
        s += (fk[i] - hf[slot[j]][i]) * fk[i];
      b[j] = s;
      trace += M[j][j];
    }
    for (int j = 0; j < m; ++j)
      M[j][j] += 1e-12 * trace / m;
    if (small_solve(m, M, b) == 0)
      for (int j = 0; j < m; ++j)
        gam[j] = b[j];
    for (size_t i = 0; i < n; ++i) {
      double xb = xk[i], fb = fk[i];
      for (int j = 0; j < m; ++j) {
        xb -= gam[j] * (xk[i] - hx[slot[j]][i]);
        fb -= gam[j] * (fk[i] - hf[slot[j]][i]);
      }
      xnew[i] = xb + beta * fb;
    }
    return;
  }
  for (size_t i = 0; i < n; ++i)
    xnew[i] = xk[i] + beta * fk[i];
}

static int check_params(const sf_atom_config *cfg, const sf_atom_params *p) {
  if (cfg->Z < 1 || cfg->Z > SF_ATOM_Z_MAX)
    return sf_error_set(SF_ERANGE, "atom: Z = %d outside 1..%d", cfg->Z, SF_ATOM_Z_MAX);
  if (cfg->count < 1)
    return sf_error_set(SF_EINVAL, "atom Z = %d: empty configuration", cfg->Z);
  if (p->grid_points < 101)
    return sf_error_set(SF_EINVAL, "atom: grid_points = %zu: must be >= 101", p->grid_points);
  if (p->max_iterations < 1)
    return sf_error_set(SF_EINVAL, "atom: max_iterations = %d: must be >= 1", p->max_iterations);
  if (!(p->mixing > 0.0 && p->mixing <= 1.0))
    return sf_error_set(SF_EINVAL, "atom: mixing = %g: must be in (0, 1]", p->mixing);
  if (p->history < 0 || p->history > SCF_HISTORY_MAX)
    return sf_error_set(SF_EINVAL, "atom: history = %d: must be 0..%d", p->history,
                        SCF_HISTORY_MAX);
  if (!(p->tol_energy_Ha > 0.0) || !(p->tol_potential > 0.0))
    return sf_error_set(SF_EINVAL, "atom: tolerances %g Ha, %g: must be > 0", p->tol_energy_Ha,
                        p->tol_potential);
  const double ne = sf_atom_config_electrons(cfg);
  if (ne > cfg->Z + 1.0 + 1e-12)
    return sf_error_set(SF_EINVAL,
                        "atom Z = %d: %g electrons: anions beyond charge -1 are not bound in LDA",
                        cfg->Z, ne);
  if (!(ne > 0.0))
    return sf_error_set(SF_EINVAL, "atom Z = %d: no electrons", cfg->Z);
  return SF_OK;
}

typedef struct scf_record {
  double E, dE, res;
} scf_record;

static int report_no_convergence(const sf_atom *a, const scf_record *rec, int nrec, int iters) {
  char cfgtxt[256], hist[1600];
  size_t used = 0;
  int first = nrec > SCF_REPORT_MAX ? nrec - SCF_REPORT_MAX : 0;
  hist[0] = '\0';
  for (int k = first; k < nrec && used < sizeof hist; ++k) {
    int w = snprintf(hist + used, sizeof hist - used, "%s%d: E = %.9f, dE = %.2e, res = %.2e",
                     k > first ? "; " : "", k + 1, rec[k].E, rec[k].dE, rec[k].res);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  return sf_error_set(SF_EMAXITER,
                      "SCF for Z = %d (%s) did not converge in %d iterations (tolerances: "
                      "|dE| < %g Ha, max|r dV| < %g); iteration history%s: %s",
                      a->cfg.Z, sf_atom_config_format(&a->cfg, cfgtxt, sizeof cfgtxt), iters,
                      a->params.tol_energy_Ha, a->params.tol_potential,
                      first > 0 ? " (last iterations)" : "", hist);
}

int sf_atom_solve(const sf_atom_config *cfg, const sf_atom_params *params, sf_atom **out) {
  if (!cfg || !out)
    return sf_error_set(SF_EINVAL, "sf_atom_solve: NULL argument");
  *out = NULL;
  sf_atom_params p;
  if (params)
    p = *params;
  else
    sf_atom_params_default(&p);
  SF_TRY(check_params(cfg, &p));
  if (p.r_min_bohr <= 0.0)
    p.r_min_bohr = 1e-6 / cfg->Z;
  sf_atom *a = calloc(1, sizeof *a);
  if (!a)
    return sf_error_set(SF_ENOMEM, "atom: out of memory");
  a->cfg = *cfg;
  a->params = p;
  a->norb = (size_t)cfg->count;
  int status = sf_atom_grid_create(p.r_min_bohr, p.r_max_bohr, p.grid_points, &a->grid);
  if (status != SF_OK) {
    sf_atom_destroy(a);
    return status;
  }
  const size_t n = a->grid->n;
  const int cap = p.history + 1;
  scf_work w;
  double *block = sf_alloc(n * (9 + 2 * (size_t)cap), sizeof(double), "atom SCF work");
  a->u = sf_alloc(n * a->norb, sizeof(double), "atom orbitals");
  a->eps = sf_alloc(a->norb, sizeof(double), "atom eigenvalues");
  a->V = sf_alloc(n, sizeof(double), "atom potential");
  scf_record *rec = calloc((size_t)p.max_iterations, sizeof *rec);
  double *hx[SCF_HISTORY_MAX + 1], *hf[SCF_HISTORY_MAX + 1];
  if (!block || !a->u || !a->eps || !a->V || !rec) {
    sf_free(block);
    free(rec);
    sf_atom_destroy(a);
    return sf_error_set(SF_ENOMEM, "atom: out of memory");
  }
  w.rho_w = block;
  w.rho = block + n;
  w.tmp = block + 2 * n;
  w.q = block + 3 * n;
  w.p = block + 4 * n;
  w.exc = block + 5 * n;
  w.vxc = block + 6 * n;
  w.Vout = block + 7 * n;
  double *Vin = block + 8 * n;
  for (int k = 0; k < cap; ++k) {
    hx[k] = block + (9 + 2 * (size_t)k) * n;
    hf[k] = block + (10 + 2 * (size_t)k) * n;
  }
  thomas_fermi(a->grid, cfg->Z, Vin);
  double E_prev = NAN;
  int converged = 0, it, nrec = 0, nh = 0, slot = 0, last = -1, backtracks = 0;
  sf_atom_energies E = {0};
  for (it = 0; it < p.max_iterations; ++it) {
    status = solve_orbitals(a, Vin);
    if (status == SF_ENUMERIC && last >= 0 && backtracks < 40) {
      /* An orbital is unbound in the extrapolated potential: step back
         halfway towards the last good input and restart the history. */
      ++backtracks;
      sf_log(SF_LOG_DEBUG, "atom Z = %d SCF %d: %s; halving the step", cfg->Z, it + 1,
             sf_error_message());
      for (size_t i = 0; i < n; ++i)
        Vin[i] = 0.5 * (Vin[i] + hx[last][i] / a->grid->r[i]);
      nh = 0;
      status = SF_OK;
      continue;
    }
    if (status == SF_OK)
      status = evaluate(a, Vin, &w, &E);
    if (status != SF_OK) {
      sf_error_prepend(status, "SCF for Z = %d, iteration %d", cfg->Z, it + 1);
      break;
    }
    const int cur = slot;
    slot = (slot + 1) % cap;
    last = cur;
    nh = nh < cap ? nh + 1 : cap;
    double res = 0.0;
    size_t imax = 0;
    for (size_t i = 0; i < n; ++i) {
      const double r = a->grid->r[i];
      hx[cur][i] = r * Vin[i];
      hf[cur][i] = r * (w.Vout[i] - Vin[i]);
      if (fabs(hf[cur][i]) > res) {
        res = fabs(hf[cur][i]);
        imax = i;
      }
    }
    rec[nrec].E = E.total;
    rec[nrec].dE = nrec ? E.total - E_prev : NAN;
    rec[nrec].res = res;
    sf_log(SF_LOG_DEBUG, "atom Z = %d SCF %d: E = %.10f dE = %.3e res = %.3e at r = %.4g",
           cfg->Z, it + 1, E.total, rec[nrec].dE, res, a->grid->r[imax]);
    ++nrec;
    if (!isfinite(res)) {
      status = sf_error_set(SF_ENUMERIC, "SCF for Z = %d: non-finite potential at iteration %d",
                            cfg->Z, it + 1);
      break;
    }
    if (nrec > 1 && fabs(E.total - E_prev) < p.tol_energy_Ha && res < p.tol_potential) {
      converged = 1;
      break;
    }
    E_prev = E.total;
    anderson(n, p.history > 0 ? nh : 1, cap, cur, p.mixing, hx, hf, w.tmp);
    for (size_t i = 0; i < n; ++i)
      Vin[i] = w.tmp[i] / a->grid->r[i];
  }
  if (status == SF_OK && !converged)
    status = report_no_convergence(a, rec, nrec, it);
  if (status == SF_OK) {
    memcpy(a->V, Vin, n * sizeof(double));
    a->energies = E;
    a->iterations = it + 1;
  }
  sf_free(block);
  free(rec);
  if (status != SF_OK) {
    sf_atom_destroy(a);
    return status;
  }
  *out = a;
  return SF_OK;
}

const sf_atom_grid *sf_atom_grid_of(const sf_atom *a) { return a->grid; }
const sf_atom_config *sf_atom_config_of(const sf_atom *a) { return &a->cfg; }
const double *sf_atom_potential(const sf_atom *a) { return a->V; }
double sf_atom_total_energy(const sf_atom *a) { return a->energies.total; }
sf_atom_energies sf_atom_energies_of(const sf_atom *a) { return a->energies; }
int sf_atom_iterations(const sf_atom *a) { return a->iterations; }
size_t sf_atom_orbital_count(const sf_atom *a) { return a->norb; }

int sf_atom_orbital_get(const sf_atom *a, size_t i, sf_atom_orbital *out) {
  if (!a || !out)
    return sf_error_set(SF_EINVAL, "sf_atom_orbital_get: NULL argument");
  if (i >= a->norb)
    return sf_error_set(SF_ERANGE, "atom orbital index %zu: the atom has %zu orbitals", i,
                        a->norb);
  out->n = a->cfg.shell[i].n;
  out->l = a->cfg.shell[i].l;
  out->occupation = a->cfg.shell[i].occupation;
  out->energy_Ha = a->eps[i];
  out->u = a->u + i * a->grid->n;
  return SF_OK;
}

int sf_atom_orbital_find(const sf_atom *a, int n, int l, sf_atom_orbital *out) {
  if (!a || !out)
    return sf_error_set(SF_EINVAL, "sf_atom_orbital_find: NULL argument");
  for (size_t i = 0; i < a->norb; ++i)
    if (a->cfg.shell[i].n == n && a->cfg.shell[i].l == l)
      return sf_atom_orbital_get(a, i, out);
  char nm[8];
  return sf_error_set(SF_ENOENT, "atom Z = %d has no %s subshell", a->cfg.Z,
                      sf_atom_subshell_name(n, l, nm));
}
