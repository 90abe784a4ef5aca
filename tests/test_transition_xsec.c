/* Cross-sections from the transition potentials: the hydrogenic GOS from
   numerical continua, the SIGMAK3-type model against the doc's table, O K
   and Fe L2,3 against the doc's LDA-TP and hydrogenic values, the electron
   count (six 2p electrons, not 18), the optical limit against XCOM, the
   energy quadrature, the 2-D integral of |T_f(q)|^2 against the invariant
   1-D formula, the Bethe prefactor, and bad input. Reference values:
   docs/transition-potentials.md section 7 ([pub], [proto] as tagged there). */
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_quadrature.h"
#include "potentials/sf_transition.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL_GOS 1e-6          /* numerical vs analytic hydrogenic GOS (doc asks 1e-3) */
#define TOL_SIGMAK3_DOC 0.005 /* our hydrogenic model vs the doc's SIGMAK3 column */
#define TOL_LDA_TP 0.05       /* vs the doc's LDA-TP prototype (doc section 8) */
#define TOL_HYDROGENIC 0.10   /* O K LDA vs SIGMAK3 (doc section 8) */
#define TOL_OPTICAL 0.10      /* O at 1 keV vs XCOM 0.122 Mb */
#define TOL_QUADRATURE 0.015  /* 5-node GL vs dense (doc section 8) */
#define TOL_INVARIANT 1e-6    /* 2-D quadrature of |T_f|^2 vs the invariant formula */
#define TOL_COUNT 1e-4        /* electron count from the tables (cubic interpolation) */

static sf_transition_set *make_set(int Z, const char *edge, double keV, double window, int nodes,
                                   int lpmax, int single_onset) {
  sf_transition_params p;
  sf_transition_params_default(&p);
  p.Z = Z;
  snprintf(p.edge, sizeof p.edge, "%s", edge);
  p.energy_keV = keV;
  p.window_eV = window;
  p.energy_nodes = nodes;
  p.lprime_max = lpmax;
  p.single_onset = single_onset;
  p.q_max_invA = 2.0;
  sf_transition_set *ts = NULL;
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_OK, "%s", sf_error_message());
  return ts;
}

/* Pure Coulomb -Zs/r, analytic 1s, numerical continua (per Hartree):
   df/dE = (2 dE / Q^2) 2 sum_l' (2l'+1) I_l'(Q)^2 equals Egerton's hydrogenic
   GOS (Zs = 7.5, E = 800..1300 eV, (Q a0)^2 = 0.5..60). */
Test(transition_xsec, hydrogenic_gos_from_numerical_continua) {
  const double Zs = 7.5;
  sf_atom_grid *g = NULL;
  cr_assert_eq(sf_atom_grid_create(1e-6 / Zs, 50.0, 4001, &g), SF_OK);
  double *V = calloc(g->n, sizeof *V), *ub = calloc(g->n, sizeof *ub),
         *uc = calloc(g->n, sizeof *uc);
  for (size_t i = 0; i < g->n; ++i) {
    V[i] = -Zs / g->r[i];
    ub[i] = 2.0 * pow(Zs, 1.5) * g->r[i] * exp(-Zs * g->r[i]);
  }
  const double Es[] = {800.0, 1300.0}, Q2s[] = {0.5, 5.0, 60.0};
  for (int e = 0; e < 2; ++e) {
    const double dE = Es[e] / SF_HARTREE_eV, eps = dE - 0.5 * Zs * Zs;
    double S[3] = {0, 0, 0};
    for (int lp = 0; lp <= 12; ++lp) {
      cr_assert_eq(sf_continuum_solve(g, V, Zs, Zs, lp, eps, NULL, uc, NULL, NULL), SF_OK);
      for (int q = 0; q < 3; ++q) {
        const double I = sf_transition_radial_integral(g, ub, uc, lp, sqrt(Q2s[q]));
        S[q] += 2.0 * (2 * lp + 1) * I * I;
      }
    }
    for (int q = 0; q < 3; ++q) {
      const double num = 2.0 * dE / Q2s[q] * S[q] / SF_HARTREE_eV;
      const double an = sf_hydrogenic_k_gos(Zs, Es[e], Q2s[q]);
      cr_assert(fabs(num / an - 1.0) < TOL_GOS, "E = %g eV, Q^2 = %g: %.8e vs %.8e", Es[e],
                Q2s[q], num, an);
    }
  }
  free(V);
  free(ub);
  free(uc);
  sf_atom_grid_destroy(g);
}

/* doc section 7.2, SIGMAK3 column (O, edge 532 eV). */
static const struct {
  double keV, beta, sk3[3], lda[3];
} oxygen_table[] = {
    {100, 10, {391, 876, 1482}, {389, 896, 1524}},  {100, 30, {677, 1539, 2658}, {677, 1580, 2740}},
    {100, 100, {814, 1871, 3290}, {815, 1921, 3389}}, {200, 20, {465, 1058, 1826}, {464, 1082, 1877}},
    {200, 50, {545, 1251, 2193}, {545, 1282, 2255}},  {300, 10, {335, 758, 1300}, {333, 773, 1333}},
    {300, 20, {415, 945, 1640}, {413, 967, 1685}},    {300, 30, {444, 1016, 1774}, {443, 1040, 1824}},
    {300, 50, {460, 1055, 1852}, {458, 1079, 1901}},
};
static const double windows[3] = {20, 50, 100};

Test(transition_xsec, hydrogenic_model_reproduces_the_doc_sigmak3_column) {
  for (size_t r = 0; r < sizeof oxygen_table / sizeof oxygen_table[0]; ++r)
    for (int w = 0; w < 3; ++w) {
      double s;
      cr_assert_eq(sf_hydrogenic_k_cross_section(8, 532.0, oxygen_table[r].keV,
                                                 oxygen_table[r].beta, windows[w], &s),
                   SF_OK);
      cr_assert(fabs(s / oxygen_table[r].sk3[w] - 1.0) < TOL_SIGMAK3_DOC,
                "%g keV %g mrad %g eV: %.1f vs %.0f", oxygen_table[r].keV, oxygen_table[r].beta,
                windows[w], s, oxygen_table[r].sk3[w]);
    }
  double s;
  cr_assert_eq(sf_hydrogenic_k_cross_section(8, 532.0, 300.0, 10.0, -5.0, &s), SF_EINVAL);
}

/* O K at 100 and 300 keV (10 and 30 mrad), l' <= 5, 8 nodes: within 5 % of
   the LDA-TP prototype and 10 % of SIGMAK3. */
Test(transition_xsec, oxygen_k_against_lda_tp_and_hydrogenic) {
  const double keVs[2] = {100.0, 300.0};
  const size_t rows[2][2] = {{0, 1}, {5, 7}}; /* table rows for 10 and 30 mrad */
  for (int e = 0; e < 2; ++e)
    for (int w = 0; w < 3; ++w) {
      sf_transition_set *ts = make_set(8, "K", keVs[e], windows[w], 8, 5, 0);
      cr_assert_eq(sf_transition_set_count(ts), 8u * 36u); /* 1 m x sum (2l'+1), l' <= 5 */
      cr_assert(sf_transition_set_max_overlap(ts) < 1e-6, "<es|1s> = %.2e",
                sf_transition_set_max_overlap(ts));
      for (int b = 0; b < 2; ++b) {
        const size_t r = rows[e][b];
        double s;
        cr_assert_eq(sf_transition_cross_section(ts, oxygen_table[r].beta, &s), SF_OK);
        cr_assert(fabs(s / oxygen_table[r].lda[w] - 1.0) < TOL_LDA_TP,
                  "%g keV %g mrad %g eV: %.1f b vs LDA-TP %.0f", keVs[e], oxygen_table[r].beta,
                  windows[w], s, oxygen_table[r].lda[w]);
        cr_assert(fabs(s / oxygen_table[r].sk3[w] - 1.0) < TOL_HYDROGENIC,
                  "%g keV %g mrad %g eV: %.1f b vs SIGMAK3 %.0f", keVs[e], oxygen_table[r].beta,
                  windows[w], s, oxygen_table[r].sk3[w]);
      }
      sf_transition_set_destroy(ts);
    }
}

/* Fe L2,3, dipole, all six electrons at 708 eV (as the prototype): within
   5 % of LDA-TP (doc section 7.3). With the L3/L2 onsets (708/721 eV) and a
   window shorter than the 13 eV splitting only L3 (4 of 6 electrons)
   contributes: exactly 2/3 of the single-onset value. */
Test(transition_xsec, iron_l23_against_lda_tp_and_spin_orbit_share) {
  static const struct {
    double keV, beta, lda[3];
  } fe[] = {{100, 10, {555, 1378, 2468}}, {300, 30, {706, 1782, 3268}}};
  for (int w = 0; w < 3; ++w) {
    for (int r = 0; r < 2; ++r) {
      sf_transition_set *ts = make_set(26, "L23", fe[r].keV, windows[w], 8, -1, 1);
      cr_assert_eq(sf_transition_set_count(ts), 8u * 18u);
      double s;
      cr_assert_eq(sf_transition_cross_section(ts, fe[r].beta, &s), SF_OK);
      cr_assert(fabs(s / fe[r].lda[w] - 1.0) < TOL_LDA_TP, "%g keV %g mrad %g eV: %.1f vs %.0f",
                fe[r].keV, fe[r].beta, windows[w], s, fe[r].lda[w]);
      sf_transition_set_destroy(ts);
    }
  }
  sf_transition_set *one = make_set(26, "L23", 300.0, 10.0, 5, -1, 1);
  sf_transition_set *two = make_set(26, "L23", 300.0, 10.0, 5, -1, 0);
  const sf_edge *e = sf_transition_set_edge(two);
  cr_assert_eq(e->components, 2);
  cr_assert_str_eq(e->component_name[0], "L3");
  cr_assert_float_eq(e->threshold_eV[1], 721.0, 1e-12);
  cr_assert_float_eq(e->electrons[0], 4.0, 1e-12);
  cr_assert_eq(sf_transition_set_nodes(two), 5u); /* the L2 window is empty */
  double s1, s2;
  sf_transition_cross_section(one, 30.0, &s1);
  sf_transition_cross_section(two, 30.0, &s2);
  cr_assert(fabs(s2 / s1 - 2.0 / 3.0) < 1e-12, "L3 share = %.15f", s2 / s1);
  sf_transition_set_destroy(one);
  sf_transition_set_destroy(two);
}

/* Sum over final states at one node of |T_f(q)|^2 against the invariant
   rebuilt here from the public atom, continuum and radial-integral functions:
   the number of electrons that comes out is 6 for Fe L2,3 (py_multislice's
   sqrt(4l+2) factor would give 18) and 2 for O K. */
static void check_count(int Z, const char *edge, int n, int l, double expected) {
  sf_transition_set *ts = make_set(Z, edge, 200.0, 30.0, 3, -1, 1);
  sf_transition_node nd;
  cr_assert_eq(sf_transition_set_node(ts, 1, &nd), SF_OK);
  const double qx = 0.31, qy = -0.17;
  double sumT2 = 0.0;
  for (size_t f = 0; f < sf_transition_set_count(ts); ++f) {
    sf_transition_state st;
    sf_transition_set_state(ts, f, &st);
    if (st.node != 1)
      continue;
    double T[2];
    cr_assert_eq(sf_transition_potential_q(ts, f, qx, qy, T), SF_OK);
    sumT2 += T[0] * T[0] + T[1] * T[1];
  }
  /* independent invariant */
  sf_atom_config cfg;
  sf_atom_config_ground(Z, &cfg);
  sf_atom *a = NULL;
  cr_assert_eq(sf_atom_solve(&cfg, NULL, &a), SF_OK);
  const sf_atom_grid *g = sf_atom_grid_of(a);
  sf_atom_orbital o;
  sf_atom_orbital_find(a, n, l, &o);
  double *uc = calloc(g->n, sizeof *uc);
  const double Q2 = qx * qx + qy * qy + nd.q_z_invA * nd.q_z_invA;
  const double K = SF_TWO_PI * sqrt(Q2) * SF_BOHR_RADIUS_A;
  double S = 0.0;
  for (int lp = l - 1; lp <= l + 1; lp += 2) {
    if (lp < 0)
      continue;
    sf_continuum_solve(g, sf_atom_potential(a), Z, 0.0, lp, nd.epsilon_eV / SF_HARTREE_eV, NULL,
                       uc, NULL, NULL);
    double I[8] = {0};
    for (int lam = 0; lam <= l + lp; ++lam)
      I[lam] = sf_transition_radial_integral(g, o.u, uc, lam, K) / sqrt(SF_HARTREE_eV);
    S += sf_transition_angular_sum(l, lp, I);
  }
  const double gamma = 1.0 + 200.0 / SF_ELECTRON_REST_ENERGY_keV;
  const double C = gamma / (2.0 * SF_PI * SF_PI * SF_BOHR_RADIUS_A * nd.k_n_invA);
  /* S counts one electron per initial m: electrons = (2l+1) sum|T|^2 / (C^2 S / Q^4) */
  const double electrons = (2 * l + 1) * sumT2 / (C * C * S / (Q2 * Q2));
  cr_assert(fabs(electrons - expected) < TOL_COUNT * expected, "%s: %.6f electrons", edge,
            electrons);
  free(uc);
  sf_atom_destroy(a);
  sf_transition_set_destroy(ts);
}

Test(transition_xsec, electron_count_six_for_l23_two_for_k) {
  check_count(26, "L23", 2, 1, 6.0);
  check_count(8, "K", 1, 0, 2.0);
}

/* Integral of sum_f |T_f(q)|^2 over the disc |q| <= k0 beta in polar
   coordinates (exact in phi: |T|^2 is a trigonometric polynomial) equals
   the rotation-invariant 1-D formula of sf_transition_dsigma_deps; and it
   exceeds Egerton's relativistic Bethe form 4 pi a0^2 (R/T)(R/E) int df/dE
   dlnQ^2 by exactly (k0/k_n)^2 (Dwyer's 1/k_n; 1.008 at 100 keV here). */
Test(transition_xsec, polar_integral_matches_invariant_and_bethe) {
  sf_transition_set *ts = make_set(26, "L23", 100.0, 20.0, 2, -1, 1);
  const double beta = 20.0, k0 = sf_transition_wavenumber_invA(100e3);
  double gx[8], gw[8];
  sf_quad_gauss_legendre(8, gx, gw);
  for (size_t j = 0; j < sf_transition_set_nodes(ts); ++j) {
    sf_transition_node nd;
    sf_transition_set_node(ts, j, &nd);
    const double qz = nd.q_z_invA, qmax = k0 * beta * 1e-3;
    const double t0 = log(qz * qz), t1 = log(qmax * qmax + qz * qz);
    const int panels = 80, nphi = 16;
    double sum = 0.0;
    for (int p = 0; p < panels; ++p)
      for (int k = 0; k < 8; ++k) {
        const double t = t0 + (t1 - t0) / panels * (p + 0.5 * (gx[k] + 1.0));
        const double q = sqrt(exp(t) - qz * qz);
        double ring = 0.0;
        for (int a = 0; a < nphi; ++a) {
          const double ph = SF_TWO_PI * (a + 0.5) / nphi;
          for (size_t f = 0; f < sf_transition_set_count(ts); ++f) {
            sf_transition_state st;
            sf_transition_set_state(ts, f, &st);
            if (st.node != j)
              continue;
            double T[2];
            sf_transition_potential_q(ts, f, q * cos(ph), q * sin(ph), T);
            ring += T[0] * T[0] + T[1] * T[1];
          }
        }
        /* d^2q = q dq dphi = (e^t / 2) dt dphi */
        sum += 0.5 * (t1 - t0) / panels * gw[k] * 0.5 * exp(t) * ring * SF_TWO_PI / nphi;
      }
    double d;
    cr_assert_eq(sf_transition_dsigma_deps(ts, j, beta, &d), SF_OK);
    cr_assert(fabs(sum / SF_BARN_A2 / d - 1.0) < TOL_INVARIANT, "node %zu: %.10g vs %.10g", j,
              sum / SF_BARN_A2, d);
    /* Bethe (Egerton form): (R / (pi^2 T)) int d^2q sum|M|^2 / Q^4 with
       sum|M|^2 / Q^4 = sum|T|^2 / C^2. */
    const double mc2 = SF_ELECTRON_REST_ENERGY_keV * 1e3, gamma = 1.0 + 100e3 / mc2;
    const double T = 0.5 * mc2 * (1.0 - 1.0 / (gamma * gamma)), R = 0.5 * SF_HARTREE_eV;
    const double C = gamma / (2.0 * SF_PI * SF_PI * SF_BOHR_RADIUS_A * nd.k_n_invA);
    const double bethe = R / (SF_PI * SF_PI * T) * sum / (C * C);
    const double ratio = sum / bethe, expect = pow(k0 / nd.k_n_invA, 2.0);
    cr_assert(fabs(ratio / expect - 1.0) < 1e-9, "TP / Bethe = %.12f, (k0/kn)^2 = %.12f", ratio,
              expect);
    cr_assert(ratio > 1.0 && ratio < 1.015, "TP / Bethe = %.5f", ratio);
  }
  sf_transition_set_destroy(ts);
}

/* Optical limit at 1000 eV energy loss: photoabsorption
   sigma = (pi e^2 h / m c) df/dE = 1.0975e-16 cm^2 eV df/dE; XCOM gives
   0.122 Mb for O at 1 keV [pub]. */
Test(transition_xsec, oxygen_optical_limit_against_xcom) {
  sf_transition_params p;
  sf_transition_params_default(&p);
  p.Z = 8;
  snprintf(p.edge, sizeof p.edge, "K");
  p.window_start_eV = 999.5;
  p.window_eV = 1.0;
  p.energy_nodes = 1;
  p.q_max_invA = 0.5;
  sf_transition_set *ts = NULL;
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_OK, "%s", sf_error_message());
  sf_transition_node nd;
  sf_transition_set_node(ts, 0, &nd);
  cr_assert_float_eq(nd.energy_loss_eV, 1000.0, 1e-9);
  /* at q_perp = 0: sum|M|^2 = Q^4 sum|T|^2 / C^2, df/dE = (E/R) sum|M|^2 / (K a0)^2 */
  double s = 0.0;
  for (size_t f = 0; f < sf_transition_set_count(ts); ++f) {
    double T[2];
    sf_transition_potential_q(ts, f, 0.0, 0.0, T);
    s += T[0] * T[0] + T[1] * T[1];
  }
  const double gamma = 1.0 + 300.0 / SF_ELECTRON_REST_ENERGY_keV;
  const double C = gamma / (2.0 * SF_PI * SF_PI * SF_BOHR_RADIUS_A * nd.k_n_invA);
  const double Q = nd.q_z_invA, K = SF_TWO_PI * Q * SF_BOHR_RADIUS_A;
  const double M2 = pow(Q, 4) * s / (C * C);
  const double dfdE = (1000.0 / (0.5 * SF_HARTREE_eV)) * M2 / (K * K);
  const double sigma_Mb = 1.0975e-16 * dfdE / 1e-18;
  cr_assert(fabs(dfdE / 1.07e-3 - 1.0) < 0.02, "df/dE = %.4e / eV (prototype 1.07e-3)", dfdE);
  cr_assert(fabs(sigma_Mb / 0.122 - 1.0) < TOL_OPTICAL, "sigma = %.4f Mb", sigma_Mb);
  sf_transition_set_destroy(ts);
}

/* 5-node Gauss-Legendre over 0..50 eV within 1.5 % of a 24-node rule. */
Test(transition_xsec, five_node_quadrature_is_enough) {
  sf_transition_set *a = make_set(8, "K", 300.0, 50.0, 5, -1, 0);
  sf_transition_set *b = make_set(8, "K", 300.0, 50.0, 24, -1, 0);
  double sa, sb;
  sf_transition_cross_section(a, 30.0, &sa);
  sf_transition_cross_section(b, 30.0, &sb);
  cr_assert(fabs(sa / sb - 1.0) < TOL_QUADRATURE, "5 nodes %.1f b, 24 nodes %.1f b", sa, sb);
  sf_transition_set_destroy(a);
  sf_transition_set_destroy(b);
}

Test(transition_xsec, bad_input_is_named) {
  sf_transition_params p;
  sf_transition_params_default(&p);
  sf_transition_set *ts = (sf_transition_set *)&p;
  p.Z = 0;
  snprintf(p.edge, sizeof p.edge, "K");
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_ERANGE);
  cr_assert_null(ts);
  p.Z = 8;
  snprintf(p.edge, sizeof p.edge, "M45"); /* O has no 3d electron */
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "edge M45 of O (Z = 8): the atom has no 3d electron"),
            "%s", sf_error_message());
  snprintf(p.edge, sizeof p.edge, "Q7");
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "edge 'Q7': unknown"), "%s", sf_error_message());
  snprintf(p.edge, sizeof p.edge, "K");
  p.window_start_eV = 400.0; /* 400 .. 450 eV, below the O K onset at 532 eV */
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "window 400 .. 450 eV lies below the onset of O K at 532"),
            "%s", sf_error_message());
  p.window_start_eV = 0.0;
  p.window_eV = 0.0;
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "window_eV = 0"), "%s", sf_error_message());
  p.window_eV = 50.0;
  p.energy_keV = 0.3; /* 300 eV beam cannot lose 532 eV */
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "not below the beam energy"), "%s", sf_error_message());
  /* collection angle beyond the table */
  ts = make_set(8, "K", 300.0, 20.0, 2, -1, 0);
  double s;
  cr_assert_eq(sf_transition_cross_section(ts, 200.0, &s), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "200 mrad"), "%s", sf_error_message());
  double T[2];
  cr_assert_eq(sf_transition_potential_q(ts, 0, 5.0, 0.0, T), SF_ERANGE);
  cr_assert_eq(sf_transition_potential_q(ts, 99999, 0.1, 0.0, T), SF_ERANGE);
  sf_transition_set_destroy(ts);
  sf_transition_set_destroy(NULL);
  /* edges: names and components */
  sf_edge e;
  cr_assert_eq(sf_edge_lookup(78, "M4,5", &e), SF_OK);
  cr_assert(e.n == 3 && e.l == 2 && e.components == 2 && e.tabulated);
  cr_assert_float_eq(e.electrons[0], 6.0, 1e-12); /* M5: 3d5/2 */
  cr_assert_float_eq(e.electrons[1], 4.0, 1e-12);
  cr_assert_float_eq(e.threshold_eV[0], 2122.0, 1e-12);
  cr_assert_eq(sf_edge_lookup(26, "L1", &e), SF_OK);
  cr_assert(e.n == 2 && e.l == 0 && !e.tabulated);
  cr_assert_eq(sf_edge_lookup(26, "L45", &e), SF_EINVAL);
}
