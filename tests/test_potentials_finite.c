/* Finite projection: an atom's slices add up to its infinite projection; an
   atom mid-slice keeps all but its depth tail; a cut atom splits its
   integral as the 3-D potential implies; weights, attributes and errors. */
#include "core/sf_attrs.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "potentials/sf_projpot.h"
#include "potentials/sf_scattering.h"
#include "potentials/sf_slice_finite.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N 64
#define H_A 0.1
/* Sum over slices vs infinite map: rounding of sums of weights that add to one. */
#define TOL_SUM_REL 1e-10
/* Fractions of an atom's integral in a slice vs the 3-D potential: the cutoff
   of v_c (tolerance 1e-4 here) and the O(h^4) cell quadrature of the
   weight; observed at most 4.8e-5 at h = 0.1 A. */
#define TOL_FRACTION 1e-4
/* Tabulated weight vs direct slab / v_z ratio (linear interpolation in sqrt(r)
   on 257 nodes; observed at most 1.2e-5). */
#define TOL_WEIGHT 5e-5

static sf_projpot *make_pp(double cutoff_tol) {
  sf_projpot_options opt;
  sf_projpot_options_default(&opt);
  opt.cutoff_tol = cutoff_tol;
  sf_projpot *pp = NULL;
  cr_assert_eq(sf_projpot_create(N, N, H_A, &opt, &pp), SF_OK, "%s", sf_error_message());
  return pp;
}

static double map_sum(const double *m) {
  double s = 0.0;
  for (size_t i = 0; i < (size_t)N * N; ++i)
    s += m[i];
  return s * H_A * H_A;
}

/* Integral of V over the slab a <= z <= b (0 <= a < b, b may be INFINITY) and
   the whole plane, from the 3-D potential alone: with P(z) = 2 pi
   Int_{|z|}^inf V(s) s ds, Int_a^b P dz = 2 pi Int_a^inf V(s) s (min(s, b) - a) ds
   (Simpson in u = sqrt(s - a), which removes the Yukawa 1/s near s = a = 0). */
static double slab_volume(const sf_scatfac *sf, double a, double b) {
  const double u_max = sqrt(60.0);
  const int n = 200000;
  const double du = u_max / n;
  double sum = 0.0;
  for (int i = 0; i <= n; ++i) {
    const double u = i * du, s = a + u * u;
    double f = 0.0;
    if (s > 0.0)
      f = sf_scatfac_potential(sf, s) * s * (fmin(s, b) - a) * 2.0 * u;
    const double wgt = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    sum += wgt * f;
  }
  return 2.0 * SF_PI * sum * du / 3.0;
}

/* Fraction of the atom's volume integral of V with z - z_a in [lo, hi]. */
static double depth_fraction(const sf_scatfac *sf, double lo, double hi) {
  const double total = 2.0 * slab_volume(sf, 0.0, INFINITY);
  double part = 0.0;
  if (lo < 0.0 && hi > 0.0)
    part = slab_volume(sf, 0.0, -lo) + slab_volume(sf, 0.0, hi);
  else if (lo >= 0.0)
    part = slab_volume(sf, lo, hi);
  else
    part = slab_volume(sf, -hi, -lo);
  return part / total;
}

Test(finite, slices_sum_to_infinite_projection) {
  sf_projpot *pp = make_pp(1e-3);
  sf_slice_finite *f = NULL;
  cr_assert_eq(sf_slice_finite_create(pp, &f), SF_OK);
  /* Three elements at depths on, near and between slice faces. */
  const sf_slice_atom atoms[] = {
      {14, 2.013, 3.171, 3.3}, {38, 4.55, 1.02, 4.0}, {8, 0.31, 5.97, 5.93}, {79, 3.2, 3.2, 1.0}};
  const size_t n = sizeof atoms / sizeof atoms[0];
  const size_t n_slices = 9;
  double *stack = calloc(n_slices * N * N, sizeof *stack);
  double *inf = calloc(N * N, sizeof *inf);
  cr_assert_eq(sf_slice_stack_vz(pp, f, SF_PROJECTION_FINITE, atoms, n, 0.0, 1.0, n_slices,
                                 stack), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_projpot_vz(pp, atoms, n, inf), SF_OK);
  double peak = 0.0, worst = 0.0;
  int nonzero_slices = 0;
  for (size_t k = 0; k < n_slices; ++k) {
    double mx = 0.0;
    for (size_t i = 0; i < (size_t)N * N; ++i)
      mx = fmax(mx, fabs(stack[k * N * N + i]));
    nonzero_slices += mx > 0.0;
  }
  for (size_t i = 0; i < (size_t)N * N; ++i) {
    double s = 0.0;
    for (size_t k = 0; k < n_slices; ++k)
      s += stack[k * N * N + i];
    peak = fmax(peak, fabs(inf[i]));
    worst = fmax(worst, fabs(s - inf[i]));
  }
  cr_assert(worst <= TOL_SUM_REL * peak, "sum of slices differs by %.3g V*A (peak %.4g)", worst,
            peak);
  /* The potential really is split: more than the 4 centre slices carry some. */
  cr_assert_geq(nonzero_slices, 6, "only %d slices non-zero", nonzero_slices);
  free(stack);
  free(inf);
  sf_slice_finite_destroy(f);
  sf_projpot_destroy(pp);
}

Test(finite, atom_mid_slice_keeps_all_but_its_depth_tail) {
  sf_projpot *pp = make_pp(1e-4);
  const sf_slice_atom atom = {14, 3.237, 3.118, 6.0}; /* slice 1 of [4, 8): faces at +-2 A */
  double *fin = calloc(N * N, sizeof *fin), *inf = calloc(N * N, sizeof *inf);
  sf_slice_finite *f = NULL;
  cr_assert_eq(sf_slice_finite_create(pp, &f), SF_OK);
  cr_assert_eq(sf_slice_finite_vz(f, &atom, 1, 0.0, 4.0, 3, 1, fin), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(sf_projpot_vz(pp, &atom, 1, inf), SF_OK);
  sf_scatfac sf;
  cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_KIRKLAND, 14), SF_OK);
  const double expected = depth_fraction(&sf, -2.0, 2.0);
  const double tail = 1.0 - expected;
  const double got = map_sum(fin) / map_sum(inf);
  cr_assert(tail > 1e-3 && tail < 0.05, "depth tail beyond +-2 A: %.4g", tail);
  cr_assert(fabs(got - expected) <= TOL_FRACTION, "mid-slice fraction %.6f, 3-D potential %.6f",
            got, expected);
  /* Pixel by pixel: never above the infinite value, never below it by more
     than the tail; at the nucleus the depth weight tends to one. */
  size_t ic = 0;
  for (size_t i = 0; i < (size_t)N * N; ++i) {
    cr_assert(fin[i] <= inf[i] * (1.0 + 1e-12) + 1e-15, "pixel %zu: %.6g > %.6g", i, fin[i],
              inf[i]);
    if (inf[i] > inf[ic])
      ic = i;
  }
  cr_assert(fin[ic] >= (1.0 - tail) * inf[ic], "centre pixel %.6g vs infinite %.6g", fin[ic],
            inf[ic]);
  cr_assert(fabs(fin[ic] / inf[ic] - 1.0) < 2e-3, "centre pixel ratio %.6f", fin[ic] / inf[ic]);
  /* The neighbour slices hold the tail. */
  double *s0 = calloc(N * N, sizeof *s0), *s2 = calloc(N * N, sizeof *s2);
  cr_assert_eq(sf_slice_finite_vz(f, &atom, 1, 0.0, 4.0, 3, 0, s0), SF_OK);
  cr_assert_eq(sf_slice_finite_vz(f, &atom, 1, 0.0, 4.0, 3, 2, s2), SF_OK);
  cr_assert_float_eq(map_sum(s0), map_sum(s2), 1e-9 * map_sum(inf), "symmetric tails");
  cr_assert(fabs(map_sum(s0) / map_sum(inf) - 0.5 * tail) <= TOL_FRACTION);
  free(s0);
  free(s2);
  free(fin);
  free(inf);
  sf_slice_finite_destroy(f);
  sf_projpot_destroy(pp);
}

Test(finite, cut_atom_splits_as_the_3d_potential_implies) {
  sf_projpot *pp = make_pp(1e-4);
  sf_slice_finite *f = NULL;
  cr_assert_eq(sf_slice_finite_create(pp, &f), SF_OK);
  const int Zs[] = {14, 38};
  const double offsets[] = {0.6, 0.15, 0.0};
  for (size_t e = 0; e < 2; ++e) {
    sf_scatfac sf;
    cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_KIRKLAND, Zs[e]), SF_OK);
    for (size_t o = 0; o < 3; ++o) {
      /* Face at z = 4; the atom d below it, in slice 1 of [0,4), [4,8). */
      const sf_slice_atom atom = {Zs[e], 3.21, 3.17, 4.0 + offsets[o]};
      double *s0 = calloc(N * N, sizeof *s0), *s1 = calloc(N * N, sizeof *s1);
      cr_assert_eq(sf_slice_finite_vz(f, &atom, 1, 0.0, 4.0, 2, 0, s0), SF_OK);
      cr_assert_eq(sf_slice_finite_vz(f, &atom, 1, 0.0, 4.0, 2, 1, s1), SF_OK);
      const double a0 = map_sum(s0), a1 = map_sum(s1);
      const double got = a0 / (a0 + a1);
      const double expected =
          offsets[o] == 0.0 ? 0.5 : depth_fraction(&sf, -INFINITY, -offsets[o]);
      cr_assert(fabs(got - expected) <= TOL_FRACTION,
                "Z %d, %g A past the face: upper slice holds %.6f, 3-D potential %.6f", Zs[e],
                offsets[o], got, expected);
      if (offsets[o] == 0.0) /* on the face: both halves equal pixel by pixel */
        for (size_t i = 0; i < (size_t)N * N; ++i)
          cr_assert_float_eq(s0[i], s1[i], 1e-12 * fabs(s1[i]) + 1e-15);
      free(s0);
      free(s1);
    }
  }
  sf_slice_finite_destroy(f);
  sf_projpot_destroy(pp);
}

Test(finite, weights_match_direct_slab_integrals) {
  sf_projpot *pp = make_pp(1e-3);
  sf_slice_finite *f = NULL;
  cr_assert_eq(sf_slice_finite_create(pp, &f), SF_OK);
  sf_scatfac sf;
  cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_KIRKLAND, 14), SF_OK);
  const double slabs[][2] = {{-0.3, 1.7}, {0.2, 1.0}, {-INFINITY, -0.4}, {-1.0, INFINITY}};
  const double radii[] = {0.003, 0.05, 0.21, 0.77, 1.5, 2.4};
  for (size_t s = 0; s < 4; ++s)
    for (size_t i = 0; i < 6; ++i) {
      double w = -1.0, slab = 0.0;
      cr_assert_eq(sf_slice_finite_weight(f, 14, slabs[s][0], slabs[s][1], radii[i], &w), SF_OK);
      cr_assert_eq(sf_scatfac_vz_slab(&sf, radii[i], slabs[s][0], slabs[s][1], &slab), SF_OK);
      const double direct = slab / sf_scatfac_vz(&sf, radii[i]);
      cr_assert(fabs(w - direct) <= TOL_WEIGHT, "slab [%g, %g], r %g: table %.6f, direct %.6f",
                slabs[s][0], slabs[s][1], radii[i], w, direct);
    }
  double w = 0.0;
  cr_assert_eq(sf_slice_finite_weight(f, 14, -0.5, 0.5, 0.0, &w), SF_OK);
  cr_assert_eq(w, 1.0);
  cr_assert_eq(sf_slice_finite_weight(f, 14, 0.0, 0.5, 0.0, &w), SF_OK);
  cr_assert_eq(w, 0.5);
  cr_assert_eq(sf_slice_finite_weight(f, 14, 0.1, 0.5, 0.0, &w), SF_OK);
  cr_assert_eq(w, 0.0);
  sf_slice_finite_destroy(f);
  sf_projpot_destroy(pp);
}

Test(finite, attributes_record_the_mode) {
  sf_projpot *pp = make_pp(1e-3);
  sf_attrs attrs;
  memset(&attrs, 0, sizeof attrs);
  cr_assert_eq(sf_slice_attrs(pp, SF_PROJECTION_FINITE, 1.95, &attrs, "potential"), SF_OK);
  cr_assert_str_eq(sf_attrs_get_string(&attrs, "potential", "potential_projection"), "finite");
  cr_assert_str_eq(sf_attrs_get_string(&attrs, "potential", "potential_parameterization"),
                   "kirkland");
  double dz = 0.0;
  cr_assert_eq(sf_attrs_get_double(&attrs, "potential", "slice_thickness_A", &dz), SF_OK);
  cr_assert_eq(dz, 1.95);
  sf_attrs_clear(&attrs);
  sf_projection_mode m = SF_PROJECTION_FINITE;
  cr_assert_eq(sf_projection_mode_from_name("infinite", &m), SF_OK);
  cr_assert_eq(m, SF_PROJECTION_INFINITE);
  cr_assert_str_eq(sf_projection_mode_name(SF_PROJECTION_FINITE), "finite");
  sf_projpot_destroy(pp);
}

Test(finite, errors_name_the_problem) {
  sf_projpot *pp = make_pp(1e-3);
  sf_slice_finite *f = NULL;
  cr_assert_eq(sf_slice_finite_create(pp, &f), SF_OK);
  double *vz = calloc(N * N, sizeof *vz);
  sf_projection_mode m;
  cr_assert_eq(sf_projection_mode_from_name("half", &m), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'half'"), "%s", sf_error_message());
  const sf_slice_atom bad = {200, 1.0, 1.0, 1.0};
  cr_assert_eq(sf_slice_finite_vz(f, &bad, 1, 0.0, 1.0, 4, 0, vz), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "atom 0"), "%s", sf_error_message());
  const sf_slice_atom nan_atom = {14, 1.0, 1.0, NAN};
  cr_assert_eq(sf_slice_finite_vz(f, &nan_atom, 1, 0.0, 1.0, 4, 0, vz), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "not finite"), "%s", sf_error_message());
  const sf_slice_atom ok = {14, 1.0, 1.0, 1.0};
  cr_assert_eq(sf_slice_finite_vz(f, &ok, 1, 0.0, 1.0, 4, 4, vz), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "slice 4 of 4"), "%s", sf_error_message());
  cr_assert_eq(sf_slice_finite_vz(f, &ok, 1, 0.0, -1.0, 4, 0, vz), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "thickness_A = -1"), "%s", sf_error_message());
  double w;
  cr_assert_eq(sf_slice_finite_weight(f, 14, 1.0, 0.5, 0.1, &w), SF_EINVAL);
  free(vz);
  sf_slice_finite_destroy(f);
  sf_projpot_destroy(pp);
}

Test(finite, same_bits_for_any_thread_count) {
  sf_projpot *pp = make_pp(1e-3);
  const sf_slice_atom atoms[] = {{38, 1.1, 2.2, 0.4}, {8, 4.4, 1.7, 1.9}, {22, 3.0, 5.1, 2.6}};
  const size_t n_slices = 3, npix = (size_t)N * N;
  double *one = calloc(n_slices * npix, sizeof *one), *two = calloc(n_slices * npix, sizeof *two);
  cr_assert_eq(sf_threads_init(1), SF_OK);
  cr_assert_eq(sf_slice_stack_vz(pp, NULL, SF_PROJECTION_FINITE, atoms, 3, 0.0, 1.0, n_slices,
                                 one), SF_OK);
  cr_assert_eq(sf_threads_init(2), SF_OK);
  cr_assert_eq(sf_slice_stack_vz(pp, NULL, SF_PROJECTION_FINITE, atoms, 3, 0.0, 1.0, n_slices,
                                 two), SF_OK);
  cr_assert_eq(memcmp(one, two, n_slices * npix * sizeof *one), 0);
  free(one);
  free(two);
  sf_projpot_destroy(pp);
}
