/* Continuum states: exact against analytic Coulomb and free waves,
   normalisation per unit energy (asymptotic amplitude sqrt(2/(pi k))),
   orthogonality to the bound states of the same l in the atom's own
   potential (ground) and after Schmidt orthogonalisation (core hole), and
   errors. */
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_atom.h"
#include "potentials/sf_continuum.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <gsl/gsl_sf_bessel.h>
#include <gsl/gsl_sf_coulomb.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL_WAVE 2e-6      /* |u - A F| / A, analytic potentials, r <= 20 Bohr */
#define TOL_AMPLITUDE 1e-4 /* asymptotic amplitude vs sqrt(2/(pi k)) (doc section 8) */
#define TOL_OVERLAP 1e-6   /* |<eps l|n l>| (doc section 3.4) */

static double amplitude(double k) { return sqrt(2.0 / (SF_PI * k)); }

/* Pure Coulomb -Z/r: u = sqrt(2/(pi k)) F_l(-Z/k, kr), phase shift 0. */
Test(continuum, coulomb_waves_are_exact) {
  const double Z = 7.5;
  sf_atom_grid *g = NULL;
  cr_assert_eq(sf_atom_grid_create(1e-6 / Z, 50.0, 4001, &g), SF_OK);
  double *V = calloc(g->n, sizeof *V), *u = calloc(g->n, sizeof *u);
  for (size_t i = 0; i < g->n; ++i)
    V[i] = -Z / g->r[i];
  const double energies[] = {0.01, 0.5, 3.7, 20.0}; /* 0.27 .. 544 eV */
  for (int e = 0; e < 4; ++e)
    for (int l = 0; l <= 5; ++l) {
      size_t nv;
      double delta;
      cr_assert_eq(sf_continuum_solve(g, V, Z, Z, l, energies[e], NULL, u, &nv, &delta), SF_OK,
                   "%s", sf_error_message());
      cr_assert_eq(nv, g->n);
      const double k = sqrt(2.0 * energies[e]), A = amplitude(k);
      cr_assert(fabs(delta) < 1e-6, "E = %g l = %d: delta = %.3e", energies[e], l, delta);
      double maxd = 0.0;
      for (size_t i = 0; i < g->n && g->r[i] <= 20.0; ++i) {
        gsl_sf_result F, Fp, G, Gp;
        double ef, eg;
        gsl_sf_coulomb_wave_FG_e(-Z / k, k * g->r[i], l, 0, &F, &Fp, &G, &Gp, &ef, &eg);
        maxd = fmax(maxd, fabs(u[i] - A * F.val));
      }
      cr_assert(maxd < TOL_WAVE * A, "E = %g l = %d: max |u - A F| / A = %.3e", energies[e], l,
                maxd / A);
    }
  free(V);
  free(u);
  sf_atom_grid_destroy(g);
}

/* V = 0: u = sqrt(2/(pi k)) kr j_l(kr) (Riccati-Bessel, eta = 0), r <= 20 Bohr. */
Test(continuum, free_waves_are_riccati_bessel) {
  sf_atom_grid *g = NULL;
  cr_assert_eq(sf_atom_grid_create(1e-7, 50.0, 4001, &g), SF_OK);
  double *V = calloc(g->n, sizeof *V), *u = calloc(g->n, sizeof *u);
  for (int l = 0; l <= 4; ++l) {
    cr_assert_eq(sf_continuum_solve(g, V, 0.0, 0.0, l, 1.3, NULL, u, NULL, NULL), SF_OK);
    const double k = sqrt(2.6), A = amplitude(k);
    double maxd = 0.0;
    for (size_t i = 0; i < g->n && g->r[i] <= 20.0; ++i)
      maxd = fmax(maxd, fabs(u[i] - A * k * g->r[i] * gsl_sf_bessel_jl(l, k * g->r[i])));
    cr_assert(maxd < TOL_WAVE * A, "l = %d: %.3e", l, maxd / A);
  }
  free(V);
  free(u);
  sf_atom_grid_destroy(g);
}

/* Fit a sin + b cos of the asymptotic Coulomb phase over [ra, rb]. */
static double fitted_amplitude(const sf_atom_grid *g, const double *u, double k, double eta,
                               int l, double ra, double rb) {
  double sFF = 0, sFG = 0, sGG = 0, suF = 0, suG = 0;
  for (size_t i = 0; i < g->n; ++i) {
    if (g->r[i] < ra || g->r[i] > rb)
      continue;
    gsl_sf_result F, Fp, G, Gp;
    double ef, eg;
    gsl_sf_coulomb_wave_FG_e(eta, k * g->r[i], l, 0, &F, &Fp, &G, &Gp, &ef, &eg);
    sFF += F.val * F.val;
    sFG += F.val * G.val;
    sGG += G.val * G.val;
    suF += u[i] * F.val;
    suG += u[i] * G.val;
  }
  const double det = sFF * sGG - sFG * sFG;
  const double a = (suF * sGG - suG * sFG) / det, b = (suG * sFF - suF * sFG) / det;
  return sqrt(a * a + b * b);
}

static sf_atom *oxygen(const sf_atom_config *cfg) {
  sf_atom *a = NULL;
  cr_assert_eq(sf_atom_solve(cfg, NULL, &a), SF_OK, "%s", sf_error_message());
  return a;
}

/* In the O atom's SCF potential (neutral: Z_ion = 0), the amplitude measured
   far out (40..50 Bohr) is sqrt(2/(pi k)), and the states are orthogonal to
   the bound 1s, 2s (l = 0) and 2p (l = 1). */
Test(continuum, oxygen_ground_potential_normalisation_and_orthogonality) {
  sf_atom_config cfg;
  sf_atom_config_ground(8, &cfg);
  sf_atom *a = oxygen(&cfg);
  const sf_atom_grid *g = sf_atom_grid_of(a);
  const double *V = sf_atom_potential(a);
  double *u = calloc(g->n, sizeof *u);
  sf_atom_orbital s1, s2, p2;
  sf_atom_orbital_find(a, 1, 0, &s1);
  sf_atom_orbital_find(a, 2, 0, &s2);
  sf_atom_orbital_find(a, 2, 1, &p2);
  const double eps_eV[] = {0.25, 1.0, 7.5, 25.0, 50.0, 100.0};
  for (int e = 0; e < 6; ++e) {
    const double E = eps_eV[e] / SF_HARTREE_eV, k = sqrt(2.0 * E);
    for (int l = 0; l <= 2; ++l) {
      cr_assert_eq(sf_continuum_solve(g, V, 8.0, 0.0, l, E, NULL, u, NULL, NULL), SF_OK, "%s",
                   sf_error_message());
      const double A = fitted_amplitude(g, u, k, 0.0, l, 40.0, 50.0);
      cr_assert(fabs(A / amplitude(k) - 1.0) < TOL_AMPLITUDE, "%g eV l = %d: A / A0 - 1 = %.3e",
                eps_eV[e], l, A / amplitude(k) - 1.0);
      if (l == 0) {
        cr_assert(fabs(sf_continuum_overlap(g, u, s1.u)) < TOL_OVERLAP, "%g eV: <es|1s> = %.2e",
                  eps_eV[e], sf_continuum_overlap(g, u, s1.u));
        cr_assert(fabs(sf_continuum_overlap(g, u, s2.u)) < TOL_OVERLAP, "%g eV: <es|2s> = %.2e",
                  eps_eV[e], sf_continuum_overlap(g, u, s2.u));
      }
      if (l == 1)
        cr_assert(fabs(sf_continuum_overlap(g, u, p2.u)) < TOL_OVERLAP, "%g eV: <ep|2p> = %.2e",
                  eps_eV[e], sf_continuum_overlap(g, u, p2.u));
    }
  }
  free(u);
  sf_atom_destroy(a);
}

/* Core-hole potential (O 1s1: tail -1/r, eta = -1/k): the amplitude is
   again sqrt(2/(pi k)); the es state overlaps the ground-state 1s (different
   potentials) until it is Schmidt-orthogonalised. */
Test(continuum, core_hole_potential_and_schmidt_step) {
  sf_atom_config cfg;
  sf_atom_config_ground(8, &cfg);
  sf_atom *gs = oxygen(&cfg);
  sf_atom_config_set(&cfg, 1, 0, 1.0);
  sf_atom *ch = oxygen(&cfg);
  const sf_atom_grid *g = sf_atom_grid_of(ch);
  double *u = calloc(g->n, sizeof *u);
  sf_atom_orbital s1;
  sf_atom_orbital_find(gs, 1, 0, &s1);
  const double E = 10.0 / SF_HARTREE_eV, k = sqrt(2.0 * E);
  cr_assert_eq(sf_continuum_solve(g, sf_atom_potential(ch), 8.0, 1.0, 0, E, NULL, u, NULL, NULL),
               SF_OK, "%s", sf_error_message());
  const double A = fitted_amplitude(g, u, k, -1.0 / k, 0, 40.0, 50.0);
  cr_assert(fabs(A / amplitude(k) - 1.0) < TOL_AMPLITUDE, "A / A0 - 1 = %.3e",
            A / amplitude(k) - 1.0);
  const double before = sf_continuum_orthogonalize(g, s1.u, u);
  cr_assert(fabs(before) > 1e-4, "<es|1s> before = %.3e", before);
  cr_assert(fabs(sf_continuum_overlap(g, u, s1.u)) < 1e-12);
  free(u);
  sf_atom_destroy(gs);
  sf_atom_destroy(ch);
}

Test(continuum, bad_input) {
  sf_atom_grid *g = NULL;
  cr_assert_eq(sf_atom_grid_create(1e-6, 50.0, 401, &g), SF_OK);
  double *V = calloc(g->n, sizeof *V), *u = calloc(g->n, sizeof *u);
  cr_assert_eq(sf_continuum_solve(g, V, 0, 0, 0, -1.0, NULL, u, NULL, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "-1 Ha: must be > 0"));
  cr_assert_eq(sf_continuum_solve(g, V, 0, 0, -1, 1.0, NULL, u, NULL, NULL), SF_EINVAL);
  sf_continuum_match m = {40.0, 60.0};
  /* matching beyond the grid */
  cr_assert_eq(sf_continuum_solve(g, V, 0, 0, 0, 1.0, &m, u, NULL, NULL), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "beyond the grid"), "%s", sf_error_message());
  /* 400 points to 50 Bohr cannot carry a 30 keV electron at 16 Bohr */
  cr_assert_eq(sf_continuum_solve(g, V, 0, 0, 0, 1000.0, NULL, u, NULL, NULL), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "use more grid points"), "%s", sf_error_message());
  sf_continuum_kind kind;
  cr_assert_eq(sf_continuum_kind_parse("core-hole", &kind), SF_OK);
  cr_assert_eq(kind, SF_CONTINUUM_CORE_HOLE);
  cr_assert_eq(sf_continuum_kind_parse("Z+1", &kind), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'Z+1'"));
  free(V);
  free(u);
  sf_atom_grid_destroy(g);
}
