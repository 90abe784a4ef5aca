/* transition_set.c - building a transition-potential set: parameters, the
   ground-state (and core-hole) atom, edge onsets, Gauss-Legendre energy
   nodes, continuum states and the radial-integral tables I_lambda(K). */
#include "potentials/transition_internal.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"
#include "potentials/sf_quadrature.h"

#include <gsl/gsl_sf_coupling.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sf_transition_params_default(sf_transition_params *p) {
  memset(p, 0, sizeof *p);
  p->energy_keV = 300.0;
  p->window_eV = 50.0;
  p->window_start_eV = 0.0;
  p->energy_nodes = 5;
  p->lprime_max = -1;
  p->continuum = SF_CONTINUUM_GROUND;
  p->edge_eV = 0.0;
  p->q_max_invA = 8.0;
  p->dK_inv_bohr = 0.05;
  p->grid_points = 4001;
  p->scalar_relativistic = 0;
}

char *sf_transition_params_key(const sf_transition_params *p, char *buf, size_t size) {
  /* %.17g keeps every bit of the doubles. */
  snprintf(buf, size,
           "sftp-v1 Z=%d edge=%s energy_keV=%.17g window_eV=%.17g window_start_eV=%.17g "
           "nodes=%d lprime_max=%d continuum=%s edge_eV=%.17g q_max_invA=%.17g "
           "dK_inv_bohr=%.17g grid_points=%zu scalar_relativistic=%d single_onset=%d",
           p->Z, p->edge, p->energy_keV, p->window_eV, p->window_start_eV, p->energy_nodes,
           p->lprime_max, sf_continuum_kind_name(p->continuum), p->edge_eV, p->q_max_invA,
           p->dK_inv_bohr, p->grid_points, p->scalar_relativistic, p->single_onset);
  return buf;
}

int tp_params_check(const sf_transition_params *p, sf_transition_params *q) {
  if (!p)
    return sf_error_set(SF_EINVAL, "transition parameters: NULL");
  *q = *p;
  if (q->Z < 1 || q->Z > SF_ATOM_Z_MAX)
    return sf_error_set(SF_ERANGE, "transition potentials: Z = %d outside 1..%d", q->Z,
                        SF_ATOM_Z_MAX);
  if (!(q->energy_keV > 0.0) || !isfinite(q->energy_keV))
    return sf_error_set(SF_EINVAL, "transition potentials: energy_keV = %g: must be > 0",
                        q->energy_keV);
  if (!(q->window_eV > 0.0) || !isfinite(q->window_eV))
    return sf_error_set(SF_EINVAL, "transition potentials: window_eV = %g: must be > 0",
                        q->window_eV);
  if (!(q->window_start_eV >= 0.0) || !isfinite(q->window_start_eV))
    return sf_error_set(SF_EINVAL, "transition potentials: window_start_eV = %g: must be >= 0",
                        q->window_start_eV);
  if (q->energy_nodes == 0)
    q->energy_nodes = 5;
  if (q->energy_nodes < 1 || q->energy_nodes > SF_QUAD_GL_MAX)
    return sf_error_set(SF_EINVAL, "transition potentials: energy_nodes = %d: must be 1..%d",
                        q->energy_nodes, SF_QUAD_GL_MAX);
  if (q->lprime_max < -1 || q->lprime_max > TP_LP_MAX - 1)
    return sf_error_set(SF_EINVAL,
                        "transition potentials: lprime_max = %d: must be -1 (dipole) .. %d",
                        q->lprime_max, TP_LP_MAX - 1);
  if (q->continuum != SF_CONTINUUM_GROUND && q->continuum != SF_CONTINUUM_CORE_HOLE)
    return sf_error_set(SF_EINVAL, "transition potentials: continuum kind %d unknown",
                        (int)q->continuum);
  if (!(q->edge_eV >= 0.0) || !isfinite(q->edge_eV))
    return sf_error_set(SF_EINVAL, "transition potentials: edge_eV = %g: must be >= 0",
                        q->edge_eV);
  if (q->q_max_invA == 0.0)
    q->q_max_invA = 8.0;
  if (!(q->q_max_invA > 0.0 && q->q_max_invA <= 100.0))
    return sf_error_set(SF_EINVAL, "transition potentials: q_max_invA = %g: must be in (0, 100]",
                        q->q_max_invA);
  if (q->dK_inv_bohr == 0.0)
    q->dK_inv_bohr = 0.05;
  if (!(q->dK_inv_bohr > 0.0 && q->dK_inv_bohr <= 1.0))
    return sf_error_set(SF_EINVAL, "transition potentials: dK_inv_bohr = %g: must be in (0, 1]",
                        q->dK_inv_bohr);
  if (q->grid_points == 0)
    q->grid_points = 4001;
  if (q->grid_points < 1001 || q->grid_points > 200001)
    return sf_error_set(SF_EINVAL, "transition potentials: grid_points = %zu: must be 1001..200001",
                        q->grid_points);
  return SF_OK;
}

void sf_transition_set_destroy(sf_transition_set *ts) {
  if (!ts)
    return;
  free(ts->nodes);
  free(ts->states);
  sf_free(ts->I);
  sf_free(ts->coef);
  free(ts);
}

static double threej(int j1, int j2, int j3, int m1, int m2, int m3) {
  return gsl_sf_coupling_3j(2 * j1, 2 * j2, 2 * j3, 2 * m1, 2 * m2, 2 * m3);
}

int tp_set_finish(struct sf_transition_set *ts) {
  const int l = ts->edge.l;
  const double mc2 = SF_ELECTRON_REST_ENERGY_keV * 1e3, E0 = ts->p.energy_keV * 1e3;
  ts->k0_invA = sf_transition_wavenumber_invA(E0);
  ts->gamma = 1.0 + E0 / mc2;
  for (size_t j = 0; j < ts->n_nodes; ++j) {
    sf_transition_node *nd = &ts->nodes[j];
    if (!(nd->energy_loss_eV < E0))
      return sf_error_set(SF_ERANGE,
                          "edge %s: energy loss %g eV is not below the beam energy %g keV",
                          ts->edge.name, nd->energy_loss_eV, ts->p.energy_keV);
    nd->k_n_invA = sf_transition_wavenumber_invA(E0 - nd->energy_loss_eV);
    nd->q_z_invA = ts->k0_invA - nd->k_n_invA;
  }
  size_t per_node = 0;
  for (int a = 0; a < ts->n_lp; ++a)
    per_node += (size_t)(2 * l + 1) * (size_t)(2 * ts->lp[a] + 1);
  ts->n_states = per_node * ts->n_nodes;
  free(ts->states);
  sf_free(ts->coef);
  ts->states = calloc(ts->n_states, sizeof *ts->states);
  ts->coef = sf_alloc(ts->n_states * (size_t)(ts->lam_max + 1), sizeof(double),
                      "transition coefficients");
  if (!ts->states || !ts->coef)
    return sf_error_set(SF_ENOMEM, "transition set: out of memory");
  size_t f = 0;
  for (size_t j = 0; j < ts->n_nodes; ++j) {
    const int c = ts->nodes[j].component;
    const double Ne = ts->edge.electrons[c] / (2 * l + 1);
    for (int m = -l; m <= l; ++m)
      for (int a = 0; a < ts->n_lp; ++a) {
        const int lp = ts->lp[a];
        for (int mp = -lp; mp <= lp; ++mp, ++f) {
          sf_transition_state *st = &ts->states[f];
          st->node = j;
          st->component = c;
          st->l = l;
          st->m = m;
          st->lp = lp;
          st->mp = mp;
          st->electrons = Ne;
          const int mu = m - mp;
          double *cf = ts->coef + f * (size_t)(ts->lam_max + 1);
          const int lmin = l > lp ? l - lp : lp - l;
          for (int lam = lmin; lam <= l + lp; lam += 2) {
            if (mu > lam || mu < -lam)
              continue;
            const double sign = ((mp + mu) % 2 == 0) ? 1.0 : -1.0;
            cf[lam] = sqrt(Ne) *
                      sqrt(4.0 * SF_PI * (2 * l + 1) * (2 * lp + 1) * (2 * lam + 1)) *
                      threej(lp, lam, l, 0, 0, 0) * threej(lp, lam, l, -mp, -mu, m) * sign;
          }
        }
      }
  }
  return SF_OK;
}

/* Onsets: table, user value, or -eps_nl of the LDA atom (warned). */
static int resolve_onsets(sf_transition_set *ts, const sf_atom_orbital *orb) {
  sf_edge *e = &ts->edge;
  const char *sym = sf_element_symbol(e->Z);
  if (!e->tabulated || ts->p.single_onset) {
    /* No tabulated spin-orbit splitting (or not wanted): one component with
       all electrons at the first onset. */
    if (e->components == 2) {
      e->electrons[0] += e->electrons[1];
      e->electrons[1] = 0.0;
      e->components = 1;
      snprintf(e->component_name[0], sizeof e->component_name[0], "%s", e->name);
    }
    if (ts->p.edge_eV > 0.0) {
      e->threshold_eV[0] = ts->p.edge_eV;
    } else if (e->tabulated) {
      /* keep the tabulated first onset */
    } else {
      e->threshold_eV[0] = -orb->energy_Ha * SF_HARTREE_eV;
      sf_log(SF_LOG_WARN,
             "%s %s: no tabulated onset; using -eps_nl of the LDA atom, %.1f eV (LDA puts core "
             "levels 20-40 eV too shallow; give the measured onset with edge_eV)",
             sym ? sym : "?", e->name, e->threshold_eV[0]);
    }
  } else if (ts->p.edge_eV > 0.0) {
    const double shift = ts->p.edge_eV - e->threshold_eV[0];
    for (int c = 0; c < e->components; ++c)
      e->threshold_eV[c] += shift;
  }
  return SF_OK;
}

static int make_nodes(sf_transition_set *ts) {
  const sf_edge *e = &ts->edge;
  const double start = ts->p.window_start_eV > 0.0 ? ts->p.window_start_eV : e->threshold_eV[0];
  const double end = start + ts->p.window_eV;
  const int ng = ts->p.energy_nodes;
  double x[SF_QUAD_GL_MAX], w[SF_QUAD_GL_MAX];
  SF_TRY(sf_quad_gauss_legendre(ng, x, w));
  ts->nodes = calloc((size_t)(ng * e->components), sizeof *ts->nodes);
  if (!ts->nodes)
    return sf_error_set(SF_ENOMEM, "transition set: out of memory");
  ts->n_nodes = 0;
  for (int c = 0; c < e->components; ++c) {
    const double lo = fmax(0.0, start - e->threshold_eV[c]), hi = end - e->threshold_eV[c];
    if (!(hi > lo))
      continue;
    for (int k = 0; k < ng; ++k) {
      sf_transition_node *nd = &ts->nodes[ts->n_nodes++];
      nd->component = c;
      nd->epsilon_eV = lo + 0.5 * (x[k] + 1.0) * (hi - lo);
      nd->weight_eV = 0.5 * w[k] * (hi - lo);
      nd->energy_loss_eV = e->threshold_eV[c] + nd->epsilon_eV;
    }
  }
  if (ts->n_nodes == 0) {
    const char *sym = sf_element_symbol(e->Z);
    return sf_error_set(SF_ERANGE,
                        "energy-loss window %g .. %g eV lies below the onset of %s %s at %g eV",
                        start, end, sym ? sym : "?", e->name, e->threshold_eV[0]);
  }
  return SF_OK;
}

/* Radial-integral tables for every (node, l', lambda) from the continua
   (per eV) and the bound state, parallel over K. */
static int build_tables(sf_transition_set *ts, const sf_atom_grid *g, const double *ub,
                        const double *uc) {
  const size_t n = g->n;
  double umax = 0.0;
  for (size_t i = 0; i < n; ++i)
    umax = fmax(umax, fabs(ub[i]));
  size_t i_lo = 0, i_hi = n - 1;
  while (i_lo < n && fabs(ub[i_lo]) < 1e-14 * umax)
    ++i_lo;
  while (i_hi > i_lo && fabs(ub[i_hi]) < 1e-14 * umax)
    --i_hi;
  double qz_max = 0.0;
  for (size_t j = 0; j < ts->n_nodes; ++j)
    qz_max = fmax(qz_max, ts->nodes[j].q_z_invA);
  const double K_max =
      SF_TWO_PI * sqrt(ts->p.q_max_invA * ts->p.q_max_invA + qz_max * qz_max) * SF_BOHR_RADIUS_A;
  ts->dK = ts->p.dK_inv_bohr;
  ts->nK = (size_t)ceil(K_max / ts->dK) + 4;
  const size_t nl = (size_t)(ts->lam_max + 1), ncomb = ts->n_nodes * (size_t)ts->n_lp;
  ts->I = sf_alloc(ncomb * nl * ts->nK, sizeof(double), "radial-integral tables");
  if (!ts->I)
    return SF_ENOMEM;
  /* Integration weights (end-corrected trapezoid; the integrand vanishes at
     both ends of [i_lo, i_hi]). */
  const int lam_max = ts->lam_max;
  const long nK = (long)ts->nK;
  int alloc_failed = 0;
#pragma omp parallel
  {
    double jb[TP_LAMBDA_MAX + 1];
    double *acc = malloc(ncomb * nl * sizeof *acc);
    if (!acc) {
#pragma omp atomic write
      alloc_failed = 1;
    }
#pragma omp for schedule(static)
    for (long iK = 0; iK < nK; ++iK) {
      if (!acc)
        continue;
      const double K = (double)iK * ts->dK;
      memset(acc, 0, ncomb * nl * sizeof *acc);
      for (size_t i = i_lo; i <= i_hi; ++i) {
        sf_transition_bessel_array(lam_max, K * g->r[i], jb);
        const double wb = g->r[i] * ub[i];
        for (size_t c = 0; c < ncomb; ++c) {
          const int a = (int)(c % (size_t)ts->n_lp);
          const int lp = ts->lp[a], l = ts->edge.l;
          const double pr = wb * uc[c * n + i];
          const int lmin = l > lp ? l - lp : lp - l;
          for (int lam = lmin; lam <= l + lp; lam += 2)
            acc[c * nl + (size_t)lam] += pr * jb[lam];
        }
      }
      for (size_t c = 0; c < ncomb; ++c)
        for (size_t lam = 0; lam < nl; ++lam)
          ts->I[(c * nl + lam) * ts->nK + (size_t)iK] = acc[c * nl + lam] * g->h;
    }
    free(acc);
  }
  if (alloc_failed)
    return sf_error_set(SF_ENOMEM, "radial-integral tables: out of memory");
  for (size_t k = 0; k < ncomb * nl * ts->nK; ++k)
    if (!isfinite(ts->I[k]))
      return sf_error_set(SF_ENUMERIC, "radial-integral tables: non-finite value");
  return SF_OK;
}

int sf_transition_set_create(const sf_transition_params *params, sf_transition_set **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_transition_set_create: out is NULL");
  *out = NULL;
  sf_transition_set *ts = calloc(1, sizeof *ts);
  if (!ts)
    return sf_error_set(SF_ENOMEM, "transition set: out of memory");
  sf_atom *gs = NULL, *ch = NULL;
  double *uc = NULL;
  int status = tp_params_check(params, &ts->p);
  if (status == SF_OK)
    status = sf_edge_lookup(ts->p.Z, ts->p.edge, &ts->edge);
  sf_atom_params ap;
  sf_atom_params_default(&ap);
  ap.grid_points = ts->p.grid_points;
  if (ts->p.scalar_relativistic) {
    ap.relativity = SF_ATOM_SCALAR_RELATIVISTIC;
    ap.relativistic_xc = 1;
  }
  sf_atom_config cfg;
  if (status == SF_OK)
    status = sf_atom_config_ground(ts->p.Z, &cfg);
  if (status == SF_OK) {
    status = sf_atom_solve(&cfg, &ap, &gs);
    if (status != SF_OK)
      sf_error_prepend(status, "ground-state atom");
  }
  sf_atom_orbital orb;
  if (status == SF_OK)
    status = sf_atom_orbital_find(gs, ts->edge.n, ts->edge.l, &orb);
  if (status == SF_OK)
    status = resolve_onsets(ts, &orb);
  if (status == SF_OK)
    status = make_nodes(ts);
  const int l = ts->edge.l;
  if (status == SF_OK) {
    ts->n_lp = 0;
    if (ts->p.lprime_max < 0) {
      if (l > 0)
        ts->lp[ts->n_lp++] = l - 1;
      ts->lp[ts->n_lp++] = l + 1;
    } else {
      for (int lp = 0; lp <= ts->p.lprime_max; ++lp)
        ts->lp[ts->n_lp++] = lp;
    }
    ts->lam_max = l + ts->lp[ts->n_lp - 1];
    status = tp_set_finish(ts); /* kinematics (q_z) needed for the table range */
  }
  /* Potential of the ejected electron. */
  const sf_atom *cont_atom = gs;
  double Z_ion = 0.0;
  if (status == SF_OK && ts->p.continuum == SF_CONTINUUM_CORE_HOLE) {
    const int k = sf_atom_config_find(&cfg, ts->edge.n, l);
    status = sf_atom_config_set(&cfg, ts->edge.n, l, cfg.shell[k].occupation - 1.0);
    if (status == SF_OK)
      status = sf_atom_solve(&cfg, &ap, &ch);
    if (status != SF_OK)
      sf_error_prepend(status, "core-hole atom");
    cont_atom = ch;
    Z_ion = 1.0;
  }
  const sf_atom_grid *g = gs ? sf_atom_grid_of(gs) : NULL;
  if (status == SF_OK) {
    const size_t ncomb = ts->n_nodes * (size_t)ts->n_lp;
    uc = sf_alloc(ncomb * g->n, sizeof(double), "continuum states");
    if (!uc)
      status = SF_ENOMEM;
    const double per_eV = 1.0 / sqrt(SF_HARTREE_eV);
    for (size_t c = 0; c < ncomb && status == SF_OK; ++c) {
      const size_t j = c / (size_t)ts->n_lp;
      const int lp = ts->lp[c % (size_t)ts->n_lp];
      double *u = uc + c * g->n;
      status = sf_continuum_solve(g, sf_atom_potential(cont_atom), ts->p.Z, Z_ion, lp,
                                  ts->nodes[j].epsilon_eV / SF_HARTREE_eV, NULL, u, NULL, NULL);
      if (status != SF_OK)
        break;
      if (lp == l) {
        double ov;
        if (ts->p.continuum == SF_CONTINUUM_CORE_HOLE) {
          const double before = sf_continuum_orthogonalize(g, orb.u, u);
          ov = sf_continuum_overlap(g, orb.u, u);
          sf_log(SF_LOG_DEBUG, "eps = %g eV, l' = %d: <eps l|n l> = %.3e before, %.3e after Schmidt",
                 ts->nodes[j].epsilon_eV, lp, before, ov);
        } else {
          ov = sf_continuum_overlap(g, orb.u, u);
        }
        ts->max_overlap = fmax(ts->max_overlap, fabs(ov));
      }
      for (size_t i = 0; i < g->n; ++i)
        u[i] *= per_eV;
    }
  }
  if (status == SF_OK)
    status = build_tables(ts, g, orb.u, uc);
  sf_free(uc);
  sf_atom_destroy(gs);
  sf_atom_destroy(ch);
  if (status != SF_OK) {
    sf_transition_set_destroy(ts);
    return status;
  }
  if (ts->max_overlap > 1e-6)
    sf_log(SF_LOG_WARN, "%s: largest <eps l|n l> = %.2e exceeds 1e-6", ts->edge.name,
           ts->max_overlap);
  *out = ts;
  return SF_OK;
}

const sf_transition_params *sf_transition_set_params(const sf_transition_set *ts) {
  return &ts->p;
}
const sf_edge *sf_transition_set_edge(const sf_transition_set *ts) { return &ts->edge; }
size_t sf_transition_set_count(const sf_transition_set *ts) { return ts->n_states; }
size_t sf_transition_set_nodes(const sf_transition_set *ts) { return ts->n_nodes; }
double sf_transition_set_max_overlap(const sf_transition_set *ts) { return ts->max_overlap; }

int sf_transition_set_node(const sf_transition_set *ts, size_t j, sf_transition_node *out) {
  if (!ts || !out)
    return sf_error_set(SF_EINVAL, "sf_transition_set_node: NULL argument");
  if (j >= ts->n_nodes)
    return sf_error_set(SF_ERANGE, "energy node %zu: the set has %zu", j, ts->n_nodes);
  *out = ts->nodes[j];
  return SF_OK;
}

int sf_transition_set_state(const sf_transition_set *ts, size_t f, sf_transition_state *out) {
  if (!ts || !out)
    return sf_error_set(SF_EINVAL, "sf_transition_set_state: NULL argument");
  if (f >= ts->n_states)
    return sf_error_set(SF_ERANGE, "final state %zu: the set has %zu", f, ts->n_states);
  *out = ts->states[f];
  return SF_OK;
}
