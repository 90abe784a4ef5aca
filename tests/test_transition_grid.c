/* Real-space transition potentials on a periodic grid: Parseval against
   T_f(q) on the same frequencies, the plane-wave ionisation probability
   sigma / A (doc section 4 sanity check), exact placement of the atom
   (integer shifts are rolls, sub-pixel shifts keep the norm), localisation
   at the atom, and errors. */
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_transition.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL_PARSEVAL 1e-6   /* float output vs double q-sum */
#define TOL_PLANE_WAVE 2e-3 /* grid Riemann sum vs the 1-D integral, 51 A cell */
#define TOL_SHIFT 1e-6      /* relative to the largest |T| */

static sf_transition_set *oxygen_k(void) {
  sf_transition_params p;
  sf_transition_params_default(&p);
  p.Z = 8;
  snprintf(p.edge, sizeof p.edge, "K");
  p.energy_keV = 300.0;
  p.window_eV = 20.0;
  p.energy_nodes = 2;
  p.q_max_invA = 2.0;
  sf_transition_set *ts = NULL;
  cr_assert_eq(sf_transition_set_create(&p, &ts), SF_OK, "%s", sf_error_message());
  return ts;
}

Test(transition_grid, parseval_and_plane_wave_probability) {
  sf_transition_set *ts = oxygen_k();
  cr_assert_eq(sf_transition_set_count(ts), 6u); /* K: 3 final states per node, 2 nodes */
  const size_t N = 256;
  const double dx = 0.2, L = N * dx, dq = 1.0 / L, qbl = 2.0 / 3.0 * 0.5 / dx;
  sf_tp_grid grid = {N, N, dx, dx, 0.0};
  float *T = malloc(2 * N * N * sizeof *T);
  double prob = 0.0; /* plane wave psi = 1/sqrt(N^2): sum_f sum_R |T_f psi|^2 */
  for (size_t f = 0; f < sf_transition_set_count(ts); ++f) {
    cr_assert_eq(sf_transition_potential_grid(ts, f, &grid, 3.3, 7.1, 0, T), SF_OK, "%s",
                 sf_error_message());
    double real = 0.0, rec = 0.0;
    for (size_t k = 0; k < N * N; ++k)
      real += ((double)T[2 * k] * T[2 * k] + (double)T[2 * k + 1] * T[2 * k + 1]) * dx * dx;
    for (long iy = -(long)N / 2; iy < (long)N / 2; ++iy)
      for (long ix = -(long)N / 2; ix < (long)N / 2; ++ix) {
        const double qx = ix * dq, qy = iy * dq;
        if (qx * qx + qy * qy > qbl * qbl)
          continue;
        double t[2];
        cr_assert_eq(sf_transition_potential_q(ts, f, qx, qy, t), SF_OK);
        rec += (t[0] * t[0] + t[1] * t[1]) * dq * dq;
      }
    cr_assert(fabs(real / rec - 1.0) < TOL_PARSEVAL, "f = %zu: %.10g vs %.10g", f, real, rec);
    sf_transition_state st;
    sf_transition_set_state(ts, f, &st);
    sf_transition_node nd;
    sf_transition_set_node(ts, st.node, &nd);
    prob += nd.weight_eV * real / (L * L);
  }
  double sigma;
  const double beta = qbl / sf_transition_wavenumber_invA(300e3) * 1e3;
  cr_assert_eq(sf_transition_cross_section(ts, beta, &sigma), SF_OK);
  const double expect = sigma * SF_BARN_A2 / (L * L);
  cr_assert(fabs(prob / expect - 1.0) < TOL_PLANE_WAVE, "probability %.6e vs sigma/A %.6e", prob,
            expect);
  /* the weighted potentials carry sqrt(w): same probability directly */
  double prob_w = 0.0;
  for (size_t f = 0; f < sf_transition_set_count(ts); ++f) {
    sf_transition_potential_grid(ts, f, &grid, 3.3, 7.1, 1, T);
    for (size_t k = 0; k < N * N; ++k)
      prob_w += ((double)T[2 * k] * T[2 * k] + (double)T[2 * k + 1] * T[2 * k + 1]) / (N * N);
  }
  cr_assert(fabs(prob_w / prob - 1.0) < TOL_PARSEVAL, "%.8g vs %.8g", prob_w, prob);
  free(T);
  sf_transition_set_destroy(ts);
}

Test(transition_grid, atom_placement_is_exact) {
  sf_transition_set *ts = oxygen_k();
  const size_t nx = 64, ny = 48;
  const double dx = 0.15, dy = 0.2;
  sf_tp_grid grid = {nx, ny, dx, dy, 0.0};
  float *a = malloc(2 * nx * ny * sizeof *a), *b = malloc(2 * nx * ny * sizeof *b);
  for (size_t f = 0; f < 3; ++f) {
    const double x0 = 1.234, y0 = 2.5;
    sf_transition_potential_grid(ts, f, &grid, x0, y0, 0, a);
    sf_transition_potential_grid(ts, f, &grid, x0 + 5 * dx, y0 + 3 * dy, 0, b);
    double amax = 0.0, dmax = 0.0, na = 0.0, nb = 0.0;
    for (size_t iy = 0; iy < ny; ++iy)
      for (size_t ix = 0; ix < nx; ++ix) {
        const size_t k = iy * nx + ix, ks = ((iy + 3) % ny) * nx + (ix + 5) % nx;
        amax = fmax(amax, hypot(a[2 * k], a[2 * k + 1]));
        dmax = fmax(dmax, hypot(a[2 * k] - b[2 * ks], a[2 * k + 1] - b[2 * ks + 1]));
      }
    cr_assert(dmax < TOL_SHIFT * amax, "f = %zu: roll mismatch %.3e of %.3e", f, dmax, amax);
    /* sub-pixel shift: same norm */
    sf_transition_potential_grid(ts, f, &grid, x0 + 0.37 * dx, y0 - 0.61 * dy, 0, b);
    for (size_t iy = 0; iy < ny; ++iy)
      for (size_t ix = 0; ix < nx; ++ix) {
        const size_t k = iy * nx + ix;
        const double pa = (double)a[2 * k] * a[2 * k] + (double)a[2 * k + 1] * a[2 * k + 1];
        const double pb = (double)b[2 * k] * b[2 * k] + (double)b[2 * k + 1] * b[2 * k + 1];
        na += pa;
        nb += pb;
      }
    cr_assert(fabs(nb / na - 1.0) < 1e-5, "f = %zu: norm %.8g vs %.8g", f, nb, na);
  }
  /* |T|^2 summed over the node's final states is a ring of radius ~0.3 A
     around the atom (the m' = +-1 parts vanish on the atom) with the
     symmetry of the sum over m': mirror-symmetric about the atom. */
  double *sum = calloc(nx * ny, sizeof *sum);
  for (size_t f = 0; f < 3; ++f) {
    sf_transition_potential_grid(ts, f, &grid, 10 * dx, 20 * dy, 0, a);
    for (size_t k = 0; k < nx * ny; ++k)
      sum[k] += (double)a[2 * k] * a[2 * k] + (double)a[2 * k + 1] * a[2 * k + 1];
  }
  size_t kmax = 0;
  for (size_t k = 0; k < nx * ny; ++k)
    if (sum[k] > sum[kmax])
      kmax = k;
  const double rx = ((double)(kmax % nx) - 10.0) * dx, ry = ((double)(kmax / nx) - 20.0) * dy;
  cr_assert(hypot(rx, ry) > 0.1 && hypot(rx, ry) < 0.5, "peak %.3f A from the atom",
            hypot(rx, ry));
  for (size_t d = 1; d < 8; ++d)
    for (size_t e = 1; e < 8; ++e) {
      const double c = sum[(20 + e) * nx + 10 + d];
      cr_assert(fabs(sum[(20 + e) * nx + 10 - d] - c) < 1e-5 * sum[kmax]);
      cr_assert(fabs(sum[(20 - e) * nx + 10 + d] - c) < 1e-5 * sum[kmax]);
    }
  free(sum);
  free(a);
  free(b);
  sf_transition_set_destroy(ts);
}

Test(transition_grid, grid_errors) {
  sf_transition_set *ts = oxygen_k();
  float out[2 * 16 * 16];
  sf_tp_grid fine = {16, 16, 0.1, 0.1, 0.0}; /* band limit 3.3 / A > q_max 2 / A */
  cr_assert_eq(sf_transition_potential_grid(ts, 0, &fine, 0, 0, 0, out), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "exceeds the tabulated q_max = 2"), "%s",
            sf_error_message());
  sf_tp_grid bad = {16, 16, -0.1, 0.1, 0.0};
  cr_assert_eq(sf_transition_potential_grid(ts, 0, &bad, 0, 0, 0, out), SF_EINVAL);
  sf_tp_grid ok = {16, 16, 0.5, 0.5, 0.0};
  cr_assert_eq(sf_transition_potential_grid(ts, 1000, &ok, 0, 0, 0, out), SF_ERANGE);
  sf_transition_set_destroy(ts);
}
