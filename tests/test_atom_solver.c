/* The pieces of the atom solver: grid quadrature, hydrogen-like levels of a
   pure Coulomb potential, the exchange-correlation functional (hand-coded
   against libxc), configurations, and errors (bad input, an SCF that does
   not converge, with its iteration history). */
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_atom.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL_HYDROGEN_REL 1e-9 /* -Z^2/2n^2, doc section 7.1 */
#define TOL_XC_REL 1e-12      /* hand-coded vs libxc */
#define TOL_QUAD_REL 1e-10    /* quadrature of smooth integrands */
#define TOL_ORTHO 1e-9        /* overlap of different bound states */

Test(atom_solver, grid_quadrature_is_exact_for_smooth_integrands) {
  sf_atom_grid *g = NULL;
  cr_assert_eq(sf_atom_grid_create(1e-6, 60.0, 4001, &g), SF_OK);
  double *f = calloc(g->n, sizeof *f), *c = calloc(g->n, sizeof *c);
  /* int_0^inf r^2 e^-r dr = 2 */
  for (size_t i = 0; i < g->n; ++i)
    f[i] = g->r[i] * g->r[i] * exp(-g->r[i]);
  cr_assert(fabs(sf_atom_grid_integrate(g, f) - 2.0) < 2.0 * TOL_QUAD_REL);
  /* cumulative: int_0^r x^2 e^-x dx = 2 - e^-r (r^2 + 2r + 2) */
  sf_atom_grid_cumulative(g, f, 1, c);
  for (size_t i = 0; i < g->n; i += 250) {
    const double r = g->r[i], ex = 2.0 - exp(-r) * (r * r + 2.0 * r + 2.0);
    cr_assert(fabs(c[i] - ex) < 1e-10 * 2.0, "r = %g: %.3e", r, c[i] - ex);
  }
  sf_atom_grid_cumulative(g, f, 0, c);
  cr_assert(fabs(c[0] - 2.0) < 2.0 * TOL_QUAD_REL);
  free(f);
  free(c);
  sf_atom_grid_destroy(g);
  cr_assert_eq(sf_atom_grid_create(0.0, 50.0, 100, &g), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "r_min_bohr = 0"));
  cr_assert_eq(sf_atom_grid_create(1e-6, 50.0, 8, &g), SF_EINVAL);
}

/* Bound states of -Z/r: eps = -Z^2 / (2 n^2), Z = 1, 26, 92. */
Test(atom_solver, hydrogen_like_levels) {
  const int Zs[] = {1, 26, 92};
  for (int k = 0; k < 3; ++k) {
    const int Z = Zs[k];
    sf_atom_grid *g = NULL;
    cr_assert_eq(sf_atom_grid_create(1e-6 / Z, 200.0 / Z, 4001, &g), SF_OK);
    double *V = calloc(g->n, sizeof *V), *u = calloc(g->n, sizeof *u),
           *u1 = calloc(g->n, sizeof *u), *w = calloc(g->n, sizeof *w);
    for (size_t i = 0; i < g->n; ++i)
      V[i] = -Z / g->r[i];
    for (int n = 1; n <= 4; ++n)
      for (int l = 0; l < n; ++l) {
        double e;
        cr_assert_eq(sf_atom_radial_bound(g, V, Z, n, l, SF_ATOM_NONRELATIVISTIC, &e, u), SF_OK,
                     "%s", sf_error_message());
        const double ex = -(double)Z * Z / (2.0 * n * n);
        cr_assert(fabs(e - ex) < TOL_HYDROGEN_REL * fabs(ex), "Z = %d n = %d l = %d: %.15g", Z,
                  n, l, e);
        /* normalised, and orthogonal to the 1s... of the same l (n = 1, 2 for s) */
        for (size_t i = 0; i < g->n; ++i)
          w[i] = u[i] * u[i];
        cr_assert(fabs(sf_atom_grid_integrate(g, w) - 1.0) < TOL_QUAD_REL);
        if (l == 0 && n == 1)
          memcpy(u1, u, g->n * sizeof *u);
        if (l == 0 && n > 1) {
          for (size_t i = 0; i < g->n; ++i)
            w[i] = u[i] * u1[i];
          cr_assert(fabs(sf_atom_grid_integrate(g, w)) < TOL_ORTHO, "<1s|%ds> = %.3e", n,
                    sf_atom_grid_integrate(g, w));
        }
      }
    /* the analytic 1s: u = 2 Z^(3/2) r e^(-Z r) */
    double e;
    sf_atom_radial_bound(g, V, Z, 1, 0, SF_ATOM_NONRELATIVISTIC, &e, u);
    double maxdiff = 0.0;
    for (size_t i = 0; i < g->n; ++i) {
      const double ua = 2.0 * pow(Z, 1.5) * g->r[i] * exp(-Z * g->r[i]);
      if (fabs(u[i] - ua) > maxdiff)
        maxdiff = fabs(u[i] - ua);
    }
    cr_assert(maxdiff < 1e-8 * pow(Z, 0.5), "Z = %d: max |u - u_exact| = %.3e", Z, maxdiff);
    free(V);
    free(u);
    free(u1);
    free(w);
    sf_atom_grid_destroy(g);
  }
}

Test(atom_solver, unbound_state_is_an_error) {
  sf_atom_grid *g = NULL;
  cr_assert_eq(sf_atom_grid_create(1e-6, 50.0, 2001, &g), SF_OK);
  double *V = calloc(g->n, sizeof *V), *u = calloc(g->n, sizeof *u), e;
  for (size_t i = 0; i < g->n; ++i) /* a short-range well with one s state at most */
    V[i] = -1.0 * exp(-g->r[i]) / g->r[i];
  cr_assert_eq(sf_atom_radial_bound(g, V, 1.0, 3, 0, SF_ATOM_NONRELATIVISTIC, &e, u),
               SF_ENUMERIC);
  cr_assert(strstr(sf_error_message(), "3s is not bound"), "%s", sf_error_message());
  cr_assert_eq(sf_atom_radial_bound(g, V, 1.0, 1, 1, SF_ATOM_NONRELATIVISTIC, &e, u), SF_EINVAL);
  free(V);
  free(u);
  sf_atom_grid_destroy(g);
}

Test(atom_solver, builtin_vwn5_matches_libxc) {
  if (!sf_atom_xc_have_libxc()) {
    cr_assert_eq(sf_atom_xc_eval(SF_ATOM_XC_LIBXC, 0, 0, NULL, NULL, NULL), SF_EUNSUPPORTED);
    cr_skip_test("this build has no libxc");
  }
  enum { N = 61 };
  double rho[N], e1[N], v1[N], e2[N], v2[N];
  for (int i = 0; i < N; ++i)
    rho[i] = pow(10.0, -8.0 + 0.25 * i); /* 1e-8 .. 1e7 electrons / Bohr^3 */
  for (int rel = 0; rel <= 1; ++rel) {
    cr_assert_eq(sf_atom_xc_eval(SF_ATOM_XC_BUILTIN, rel, N, rho, e1, v1), SF_OK);
    cr_assert_eq(sf_atom_xc_eval(SF_ATOM_XC_LIBXC, rel, N, rho, e2, v2), SF_OK);
    for (int i = 0; i < N; ++i) {
      cr_assert(fabs(e1[i] - e2[i]) < TOL_XC_REL * fabs(e2[i]), "rho = %g: exc %.17g vs %.17g",
                rho[i], e1[i], e2[i]);
      cr_assert(fabs(v1[i] - v2[i]) < TOL_XC_REL * fabs(v2[i]), "rho = %g: vxc %.17g vs %.17g",
                rho[i], v1[i], v2[i]);
    }
  }
  /* The potential is d(rho exc)/d rho: check by a central difference. */
  for (int i = 8; i < N; i += 8) {
    const double r = rho[i], d = 1e-5 * r;
    double ep, vp, em, vm, e, v;
    sf_atom_xc_builtin(r + d, &ep, &vp);
    sf_atom_xc_builtin(r - d, &em, &vm);
    sf_atom_xc_builtin(r, &e, &v);
    const double num = ((r + d) * ep - (r - d) * em) / (2.0 * d);
    cr_assert(fabs(num - v) < 1e-8 * fabs(v), "rho = %g: %.12g vs %.12g", r, num, v);
  }
}

Test(atom_solver, ground_state_configurations) {
  sf_atom_config c;
  char buf[256];
  cr_assert_eq(sf_atom_config_ground(8, &c), SF_OK);
  cr_assert_str_eq(sf_atom_config_format(&c, buf, sizeof buf), "1s2 2s2 2p4");
  cr_assert_eq(sf_atom_config_ground(26, &c), SF_OK);
  cr_assert_str_eq(sf_atom_config_format(&c, buf, sizeof buf),
                   "1s2 2s2 2p6 3s2 3p6 3d6 4s2");
  cr_assert_eq(sf_atom_config_ground(29, &c), SF_OK);
  cr_assert_str_eq(sf_atom_config_format(&c, buf, sizeof buf),
                   "1s2 2s2 2p6 3s2 3p6 3d10 4s1");
  cr_assert_eq(sf_atom_config_ground(78, &c), SF_OK);
  cr_assert_str_eq(sf_atom_config_format(&c, buf, sizeof buf),
                   "1s2 2s2 2p6 3s2 3p6 3d10 4s2 4p6 4d10 4f14 5s2 5p6 5d9 6s1");
  cr_assert_eq(sf_atom_config_ground(46, &c), SF_OK);
  cr_assert_eq(sf_atom_config_find(&c, 5, 0), -1); /* Pd 4d10 5s0 */
  cr_assert_eq(sf_atom_config_ground(92, &c), SF_OK);
  cr_assert_str_eq(sf_atom_config_format(&c, buf, sizeof buf),
                   "1s2 2s2 2p6 3s2 3p6 3d10 4s2 4p6 4d10 4f14 5s2 5p6 5d10 5f3 6s2 6p6 6d1 7s2");
  for (int Z = 1; Z <= SF_ATOM_Z_MAX; ++Z) {
    cr_assert_eq(sf_atom_config_ground(Z, &c), SF_OK);
    cr_assert_float_eq(sf_atom_config_electrons(&c), (double)Z, 1e-12, "Z = %d", Z);
  }
  cr_assert_eq(sf_atom_config_ground(93, &c), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "Z = 93"));
  cr_assert_eq(sf_atom_config_parse(26, "[Ar]3d6.5 4s1.5", &c), SF_OK);
  cr_assert_float_eq(sf_atom_config_electrons(&c), 26.0, 1e-12);
  cr_assert_eq(sf_atom_config_parse(26, "[Ar] 3d6 4x2", &c), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'4x2'"), "%s", sf_error_message());
  cr_assert_eq(sf_atom_config_parse(26, "[Ar] 3d11", &c), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "3d: occupation 11 outside 0 .. 10"), "%s",
            sf_error_message());
  cr_assert_eq(sf_atom_config_parse(26, "[Zz] 3d6", &c), SF_EINVAL);
  cr_assert_eq(sf_atom_config_parse(26, "1s2 1s2", &c), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "1s given twice"));
  int n, l;
  cr_assert_eq(sf_atom_subshell_parse("4f", &n, &l), SF_OK);
  cr_assert(n == 4 && l == 3);
  cr_assert_eq(sf_atom_subshell_parse("2d", &n, &l), SF_EINVAL);
}

Test(atom_solver, scf_that_does_not_converge_reports_its_history) {
  sf_atom_config c;
  sf_atom_config_ground(26, &c);
  sf_atom_params p;
  sf_atom_params_default(&p);
  p.max_iterations = 4;
  sf_atom *a = (sf_atom *)&c; /* must be reset to NULL on failure */
  cr_assert_eq(sf_atom_solve(&c, &p, &a), SF_EMAXITER);
  cr_assert_null(a);
  const char *m = sf_error_message();
  cr_assert(strstr(m, "SCF for Z = 26 (1s2 2s2 2p6 3s2 3p6 3d6 4s2) did not converge in 4"), "%s",
            m);
  cr_assert(strstr(m, "iteration history"), "%s", m);
  cr_assert(strstr(m, "1: E = -12"), "%s", m); /* each iteration's energy ... */
  cr_assert(strstr(m, "res = "), "%s", m);      /* ... and potential residual */
  /* bad parameters are named */
  sf_atom_params_default(&p);
  p.mixing = 1.5;
  cr_assert_eq(sf_atom_solve(&c, &p, &a), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "mixing = 1.5"));
  sf_atom_params_default(&p);
  c.Z = 0;
  cr_assert_eq(sf_atom_solve(&c, &p, &a), SF_ERANGE);
  /* an atom without the requested subshell */
  sf_atom_config_ground(8, &c);
  cr_assert_eq(sf_atom_solve(&c, NULL, &a), SF_OK);
  sf_atom_orbital o;
  cr_assert_eq(sf_atom_orbital_find(a, 3, 2, &o), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "no 3d subshell"));
  sf_atom_destroy(a);
  sf_atom_destroy(NULL);
}

/* Janak's theorem, dE/df_nl = eps_nl, checks the total-energy expression
   against the eigenvalues (O 2p, central difference in the occupation);
   the builtin functional gives the libxc atom. */
Test(atom_solver, janak_theorem_and_backends) {
  sf_atom_config c;
  sf_atom_params p;
  sf_atom_params_default(&p);
  p.xc = SF_ATOM_XC_BUILTIN;
  /* E at f = 4 -+ df and 4 -+ 2 df; Richardson-extrapolated central difference. */
  double E[4];
  const double df = 0.01, offs[4] = {-df, df, -2 * df, 2 * df};
  for (int k = 0; k < 4; ++k) {
    sf_atom_config_ground(8, &c);
    sf_atom_config_set(&c, 2, 1, 4.0 + offs[k]);
    sf_atom *a = NULL;
    cr_assert_eq(sf_atom_solve(&c, &p, &a), SF_OK, "%s", sf_error_message());
    E[k] = sf_atom_total_energy(a);
    sf_atom_destroy(a);
  }
  sf_atom *b = NULL;
  sf_atom_config_ground(8, &c);
  cr_assert_eq(sf_atom_solve(&c, &p, &b), SF_OK, "%s", sf_error_message());
  sf_atom_orbital o;
  sf_atom_orbital_find(b, 2, 1, &o);
  const double d1 = (E[1] - E[0]) / (2.0 * df), d2 = (E[3] - E[2]) / (4.0 * df);
  const double dEdf = (4.0 * d1 - d2) / 3.0;
  cr_assert(fabs(dEdf - o.energy_Ha) < 1e-6, "dE/df = %.9f, eps_2p = %.9f", dEdf, o.energy_Ha);
  cr_assert(fabs(sf_atom_total_energy(b) - (-74.473077)) < 2e-6);
  sf_atom_destroy(b);
}
