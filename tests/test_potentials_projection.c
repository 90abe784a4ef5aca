/* Atomic potentials: the closed-form projections against direct numerical
   integration of the 3-D potential, the plane integral against f_e(0), the
   finite (slab) projection, and the reference values of
   shared/docs/physics/elastic-multislice.md section 2. */
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_scattering.h"

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_expint.h>
#include <math.h>
#include <string.h>

/* Closed form of v_z against GSL quadrature of V along z. */
#define TOL_PROJECTION_VS_QUADRATURE 1e-6
/* Plane integral of v_z against 2 pi a0 e f_e(0). */
#define TOL_PLANE_INTEGRAL 1e-6
/* Sum of slab integrals against the infinite projection, and slab against quadrature. */
#define TOL_SLAB_SUM 1e-10
#define TOL_SLAB_VS_QUADRATURE 1e-9
/* Derivatives against central differences. */
#define TOL_DERIVATIVE 1e-6

static const int elements[5] = {8, 14, 22, 38, 79}; /* O Si Ti Sr Au */
static const double radii[6] = {0.02, 0.1, 0.3, 0.7, 1.5, 3.0};

static sf_scatfac make(int p, int Z) {
  sf_scatfac sf;
  cr_assert_eq(sf_scatfac_init(&sf, (sf_scatfac_param)p, Z), SF_OK);
  return sf;
}

typedef struct quad_ctx {
  const sf_scatfac *sf;
  double r;
} quad_ctx;

static double potential_along_z(double z, void *p) {
  const quad_ctx *c = p;
  return sf_scatfac_potential(c->sf, sqrt(c->r * c->r + z * z));
}

static double vz_ring(double r, void *p) {
  const quad_ctx *c = p;
  return SF_TWO_PI * r * sf_scatfac_vz(c->sf, r);
}

static void quiet_gsl(void) { gsl_set_error_handler_off(); }

TestSuite(projection, .init = quiet_gsl);

Test(projection, two_pi_a0_e_is_h2_over_2pi_m0_e) {
  /* 2 pi a0 e = h^2 / (2 pi m0 e), in V A^2 (SI constants, exact 2019 values + CODATA 2018 m0). */
  const double h = 6.62607015e-34, m0 = 9.1093837015e-31, e = 1.602176634e-19;
  const double si = h * h / (SF_TWO_PI * m0 * e) * 1e20;
  cr_assert(fabs(SF_TWO_PI_A0E_VA2 / si - 1.0) < 1e-9, "%.10f vs %.10f", SF_TWO_PI_A0E_VA2, si);
  cr_assert(fabs(SF_TWO_PI_A0E_VA2 - 47.8776) < 1e-4);
}

Test(projection, infinite_projection_equals_z_integral_of_the_3d_potential) {
  /* v_z(r) = Integral_{-inf}^{inf} V(sqrt(r^2 + z^2)) dz = 2 Integral_0^inf ... */
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p)
    for (int e = 0; e < 5; ++e) {
      const sf_scatfac sf = make(p, elements[e]);
      for (int k = 0; k < 6; ++k) {
        quad_ctx c = {&sf, radii[k]};
        gsl_function f = {potential_along_z, &c};
        double half = 0, err = 0;
        cr_assert_eq(gsl_integration_qagiu(&f, 0.0, 0.0, 1e-12, 2000, w, &half, &err), GSL_SUCCESS);
        const double vz = sf_scatfac_vz(&sf, radii[k]);
        cr_assert(fabs(2.0 * half / vz - 1.0) < TOL_PROJECTION_VS_QUADRATURE,
                  "%s Z %d r %g: closed %.12g quadrature %.12g", sf_scatfac_param_name(p),
                  elements[e], radii[k], vz, 2.0 * half);
      }
    }
  gsl_integration_workspace_free(w);
}

Test(projection, plane_integral_is_2pi_a0e_fe0) {
  /* Integral v_z d^2r = 2 pi a0 e f_e(q = 0): the q = 0 Fourier component of
     v_z(r) = 2 pi a0 e Integral f_e(q) exp(2 pi i q.r) d^2q. Units: V A^2 x A = V A^3. */
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p)
    for (int e = 0; e < 5; ++e) {
      const sf_scatfac sf = make(p, elements[e]);
      quad_ctx c = {&sf, 0.0};
      gsl_function f = {vz_ring, &c};
      double inner = 0, outer = 0, err = 0;
      /* split at 1 A: the log singularity (integrable, r ln r) sits at 0 */
      gsl_integration_qags(&f, 0.0, 1.0, 0.0, 1e-13, 2000, w, &inner, &err);
      gsl_integration_qagiu(&f, 1.0, 0.0, 1e-13, 2000, w, &outer, &err);
      const double expected = SF_TWO_PI_A0E_VA2 * sf_scatfac_fe(&sf, 0.0);
      cr_assert(fabs((inner + outer) / expected - 1.0) < TOL_PLANE_INTEGRAL,
                "%s Z %d: %.10g vs %.10g", sf_scatfac_param_name(p), elements[e], inner + outer,
                expected);
      cr_assert(fabs(sf_scatfac_vz_total(&sf) / expected - 1.0) < 1e-15);
      /* the closed-form disc integral at R and at infinity */
      cr_assert(fabs(sf_scatfac_vz_disc(&sf, INFINITY) / expected - 1.0) < 1e-15);
      double disc = 0;
      gsl_integration_qags(&f, 0.0, 0.7, 0.0, 1e-13, 2000, w, &disc, &err);
      cr_assert(fabs(sf_scatfac_vz_disc(&sf, 0.7) / disc - 1.0) < TOL_PLANE_INTEGRAL);
      cr_assert_eq(sf_scatfac_vz_disc(&sf, 0.0), 0.0);
    }
  gsl_integration_workspace_free(w);
}

Test(projection, reference_values_of_the_physics_notes) {
  /* elastic-multislice.md section 2 table, v_z (V A) and V (V) at 0.1/0.5/1.0 A,
     printed with 4 significant digits: agreement within half a unit. */
  static const struct {
    int Z, p;
    double vz[3], v[3];
  } ref[] = {
      {8, SF_SCATFAC_KIRKLAND, {253.2, 28.89, 2.606}, {723.0, 34.70, 2.159}},
      {8, SF_SCATFAC_LOBATO, {254.3, 29.55, 2.820}, {724.3, 35.23, 2.317}},
      {14, SF_SCATFAC_KIRKLAND, {413.5, 76.12, 19.65}, {1177, 66.43, 12.39}},
      {14, SF_SCATFAC_LOBATO, {413.6, 76.30, 19.76}, {1177, 66.59, 12.42}},
      {14, SF_SCATFAC_PENG, {415.9, 75.52, 19.67}, {1139, 65.84, 12.58}},
      {38, SF_SCATFAC_KIRKLAND, {894.8, 134.7, 38.32}, {2733, 120.8, 19.89}},
      {38, SF_SCATFAC_LOBATO, {894.0, 133.3, 39.21}, {2733, 118.2, 20.60}},
  };
  const double r[3] = {0.1, 0.5, 1.0};
  for (size_t i = 0; i < sizeof ref / sizeof ref[0]; ++i) {
    const sf_scatfac sf = make(ref[i].p, ref[i].Z);
    for (int k = 0; k < 3; ++k) {
      const double vz = sf_scatfac_vz(&sf, r[k]), v = sf_scatfac_potential(&sf, r[k]);
      const double half_vz = 0.5 * pow(10.0, floor(log10(ref[i].vz[k])) - 3.0);
      const double half_v = 0.5 * pow(10.0, floor(log10(ref[i].v[k])) - 3.0);
      cr_assert(fabs(vz - ref[i].vz[k]) <= half_vz * 1.0001, "Z %d %s vz(%g) = %.5g", ref[i].Z,
                sf_scatfac_param_name(ref[i].p), r[k], vz);
      cr_assert(fabs(v - ref[i].v[k]) <= half_v * 1.0001, "Z %d %s V(%g) = %.5g", ref[i].Z,
                sf_scatfac_param_name(ref[i].p), r[k], v);
    }
  }
  /* "v_z(0.05 A) is 646.52 (Kirkland) and 646.60 (Lobato); v_z(0.2 A) is 222.64 and 222.80" (Si) */
  const sf_scatfac k = make(SF_SCATFAC_KIRKLAND, 14), l = make(SF_SCATFAC_LOBATO, 14);
  cr_assert(fabs(sf_scatfac_vz(&k, 0.05) - 646.52) < 0.005);
  cr_assert(fabs(sf_scatfac_vz(&l, 0.05) - 646.60) < 0.005);
  cr_assert(fabs(sf_scatfac_vz(&k, 0.2) - 222.64) < 0.005);
  cr_assert(fabs(sf_scatfac_vz(&l, 0.2) - 222.80) < 0.005);
}

Test(projection, derivative_and_laplacian_match_finite_differences) {
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p)
    for (int e = 0; e < 5; ++e) {
      const sf_scatfac sf = make(p, elements[e]);
      for (int k = 1; k < 6; ++k) {
        const double r = radii[k], d = 1e-4 * r;
        const double vm = sf_scatfac_vz(&sf, r - d), v0 = sf_scatfac_vz(&sf, r),
                     vp = sf_scatfac_vz(&sf, r + d);
        const double d1 = (vp - vm) / (2.0 * d);
        const double lap = (vp - 2.0 * v0 + vm) / (d * d) + d1 / r;
        const double a1 = sf_scatfac_vz_dr(&sf, r), al = sf_scatfac_vz_laplacian(&sf, r);
        cr_assert(fabs(a1 - d1) < TOL_DERIVATIVE * fabs(a1) + 1e-9, "%s Z %d r %g dv %g %g",
                  sf_scatfac_param_name(p), elements[e], r, a1, d1);
        cr_assert(fabs(al - lap) < 1e-4 * fabs(al) + 1e-6, "%s Z %d r %g lap %g %g",
                  sf_scatfac_param_name(p), elements[e], r, al, lap);
      }
    }
}

Test(projection, slabs_over_consecutive_slices_sum_to_the_infinite_projection) {
  /* Slices of 1.953 A (SrTiO3 a/2) from -20 to +20 A around the atom plus the
     two semi-infinite ends: Sum_n Integral_{z_n}^{z_n+1} V dz = v_z. The atom
     sits 0.3 A below a slice boundary, as it does after a displacement. */
  const double dz = 1.9525, z0 = -0.3 - 10.0 * dz;
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p)
    for (int e = 0; e < 5; ++e) {
      const sf_scatfac sf = make(p, elements[e]);
      for (int k = 0; k < 6; ++k) {
        double sum = 0, part = 0;
        cr_assert_eq(sf_scatfac_vz_slab(&sf, radii[k], -INFINITY, z0, &part), SF_OK);
        sum += part;
        for (int n = 0; n < 20; ++n) {
          cr_assert_eq(sf_scatfac_vz_slab(&sf, radii[k], z0 + n * dz, z0 + (n + 1) * dz, &part),
                       SF_OK);
          cr_assert(part >= 0.0 || p == SF_SCATFAC_PENG);
          sum += part;
        }
        cr_assert_eq(sf_scatfac_vz_slab(&sf, radii[k], z0 + 20 * dz, INFINITY, &part), SF_OK);
        sum += part;
        const double vz = sf_scatfac_vz(&sf, radii[k]);
        cr_assert(fabs(sum / vz - 1.0) < TOL_SLAB_SUM, "%s Z %d r %g: %.15g vs %.15g",
                  sf_scatfac_param_name(p), elements[e], radii[k], sum, vz);
      }
    }
}

Test(projection, slab_matches_quadrature_and_is_symmetric) {
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(2000);
  const double slabs[4][2] = {{-0.5, 0.7}, {0.2, 1.9}, {-3.0, -0.05}, {1.0, 4.0}};
  for (int p = 0; p < SF_SCATFAC_COUNT; ++p)
    for (int e = 0; e < 5; ++e) {
      const sf_scatfac sf = make(p, elements[e]);
      for (int k = 0; k < 6; ++k)
        for (int s = 0; s < 4; ++s) {
          quad_ctx c = {&sf, radii[k]};
          gsl_function f = {potential_along_z, &c};
          double q = 0, err = 0, slab = 0, mirror = 0;
          const double pts[3] = {slabs[s][0], 0.0, slabs[s][1]};
          if (slabs[s][0] < 0.0 && slabs[s][1] > 0.0) /* peak at z = 0 inside */
            gsl_integration_qagp(&f, (double *)pts, 3, 0.0, 1e-13, 2000, w, &q, &err);
          else
            gsl_integration_qags(&f, slabs[s][0], slabs[s][1], 0.0, 1e-13, 2000, w, &q, &err);
          cr_assert_eq(sf_scatfac_vz_slab(&sf, radii[k], slabs[s][0], slabs[s][1], &slab), SF_OK);
          cr_assert_eq(sf_scatfac_vz_slab(&sf, radii[k], -slabs[s][1], -slabs[s][0], &mirror),
                       SF_OK);
          cr_assert(fabs(slab / q - 1.0) < TOL_SLAB_VS_QUADRATURE, "%s Z %d r %g [%g, %g]",
                    sf_scatfac_param_name(p), elements[e], radii[k], slabs[s][0], slabs[s][1]);
          cr_assert(fabs(mirror / slab - 1.0) < 1e-13);
        }
    }
  gsl_integration_workspace_free(w);
}

Test(projection, slab_on_the_axis) {
  /* At r = 0 a Kirkland Lorentzian term 2 pi^2 a0e a exp(-k z)/z integrates to
     2 pi^2 a0e a [E1(k z1) - E1(k z2)] for 0 < z1 < z2. Check the sum against
     that formula plus the Gaussian erf terms. */
  const sf_scatfac sf = make(SF_SCATFAC_KIRKLAND, 14);
  const double z1 = 0.4, z2 = 2.5, pi = SF_PI, a0e = SF_A0E_VA2;
  double expected = 0.0;
  for (int i = 0; i < 3; ++i) {
    const double k = 2.0 * pi * sqrt(sf.b[i]);
    expected += 2.0 * pi * pi * a0e * sf.a[i] * (gsl_sf_expint_E1(k * z1) - gsl_sf_expint_E1(k * z2));
    const double s = pi / sqrt(sf.d[i]);
    expected += 2.0 * pow(pi, 2.5) * a0e * sf.c[i] * pow(sf.d[i], -1.5) * 0.5 * sqrt(pi) / s *
                (erf(s * z2) - erf(s * z1));
  }
  double got = 0;
  cr_assert_eq(sf_scatfac_vz_slab(&sf, 0.0, z1, z2, &got), SF_OK);
  cr_assert(fabs(got / expected - 1.0) < 1e-13, "%.15g vs %.15g", got, expected);
  cr_assert_eq(sf_scatfac_vz_slab(&sf, 0.0, -z2, -z1, &got), SF_OK);
  cr_assert(fabs(got / expected - 1.0) < 1e-13);
  /* Peng is finite at the nucleus: the slab through it is fine */
  const sf_scatfac peng = make(SF_SCATFAC_PENG, 14);
  cr_assert_eq(sf_scatfac_vz_slab(&peng, 0.0, -1.0, 1.0, &got), SF_OK);
  cr_assert(got > 0.0 && got < sf_scatfac_vz(&peng, 0.0));
}

Test(projection, slab_errors) {
  const sf_scatfac sf = make(SF_SCATFAC_LOBATO, 8);
  double out = 0;
  cr_assert_eq(sf_scatfac_vz_slab(&sf, 0.0, -1.0, 1.0, &out), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "contains the nucleus"), "%s", sf_error_message());
  cr_assert_eq(sf_scatfac_vz_slab(&sf, 0.5, 2.0, 1.0, &out), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "z1_A = 2"), "%s", sf_error_message());
  cr_assert_eq(sf_scatfac_vz_slab(&sf, -0.1, 0.0, 1.0, &out), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "r_A = -0.1"));
  cr_assert_eq(sf_scatfac_vz_slab(&sf, NAN, 0.0, 1.0, &out), SF_EINVAL);
  cr_assert_eq(sf_scatfac_vz_slab(&sf, 0.3, 1.0, 1.0, &out), SF_OK);
  cr_assert_eq(out, 0.0);
  cr_assert(isnan(sf_scatfac_vz(&sf, -1.0)));
  cr_assert(isinf(sf_scatfac_vz(&sf, 0.0)));
}
