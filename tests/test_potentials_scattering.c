/* Scattering-factor parameterizations: values against the published rows
   evaluated by hand, the data README's cross-check table, selection by name,
   ranges, and agreement between the three fits. */
#include "core/sf_status.h"
#include "potentials/sf_scattering.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* The generated tables hold the CSV digits exactly, so a hand evaluation of
   the same row agrees to rounding. */
#define TOL_SAME_FORMULA 1e-14
/* The README table prints f_e with 6 decimals. */
#define TOL_README_A 0.5e-6

static sf_scatfac make(sf_scatfac_param p, int Z) {
  sf_scatfac sf;
  cr_assert_eq(sf_scatfac_init(&sf, p, Z), SF_OK, "%s", sf_error_message());
  return sf;
}

Test(scattering, kirkland_si_by_hand) {
  /* kirkland_2010.csv row 14 (Si): a1,b1,a2,b2,a3,b3,c1,d1,c2,d2,c3,d3 */
  const double a[3] = {1.06543892e+00, 1.20143691e-01, 1.80915263e-01};
  const double b[3] = {1.04118455e+00, 6.87113368e+01, 8.87533926e-02};
  const double c[3] = {1.12065620e+00, 3.05452816e-02, 1.59963502e+00};
  const double d[3] = {3.70062619e+00, 2.14097897e-01, 9.99096638e+00};
  const sf_scatfac sf = make(SF_SCATFAC_KIRKLAND, 14);
  for (double q = 0.0; q <= 6.0; q += 0.5) {
    double f = 0.0;
    for (int i = 0; i < 3; ++i)
      f += a[i] / (q * q + b[i]) + c[i] * exp(-d[i] * q * q);
    cr_assert(fabs(sf_scatfac_fe(&sf, q) / f - 1.0) < TOL_SAME_FORMULA, "q = %g", q);
  }
  /* README: Kirkland Si f_e(0.5) = 1.965830 A */
  cr_assert(fabs(sf_scatfac_fe(&sf, 0.5) - 1.965830) < TOL_README_A);
}

Test(scattering, lobato_sr_by_hand) {
  /* lobato_2014.csv row 38 (Sr): a1..a5, b1..b5 */
  const double a[5] = {4.770925092998260e+00, 1.475978501552834e+00, 3.044513555441887e-01,
                       3.594749819167283e-03, 3.000855492282790e-07};
  const double b[5] = {1.336688813304128e+01, 1.337383795771967e+00, 1.775323694377828e-01,
                       7.791050330018268e-03, 2.822551396485372e-04};
  const sf_scatfac sf = make(SF_SCATFAC_LOBATO, 38);
  for (double q = 0.0; q <= 6.0; q += 0.5) {
    double f = 0.0;
    for (int i = 0; i < 5; ++i)
      f += a[i] * (2.0 + b[i] * q * q) / ((1.0 + b[i] * q * q) * (1.0 + b[i] * q * q));
    cr_assert(fabs(sf_scatfac_fe(&sf, q) / f - 1.0) < TOL_SAME_FORMULA, "q = %g", q);
  }
}

Test(scattering, peng_au_by_hand_with_s_equal_q_over_2) {
  /* peng_1996.csv row 79 (Au): a1..a5, b1..b5 with f = sum a exp(-b s^2), s = q/2 */
  const double a[5] = {0.3055, 1.3945, 2.9617, 3.8990, 2.0026};
  const double b[5] = {0.0596, 0.5827, 3.1035, 11.9693, 47.9106};
  const sf_scatfac sf = make(SF_SCATFAC_PENG, 79);
  for (double q = 0.0; q <= 6.0; q += 0.5) {
    const double s = 0.5 * q;
    double f = 0.0;
    for (int i = 0; i < 5; ++i)
      f += a[i] * exp(-b[i] * s * s);
    cr_assert(fabs(sf_scatfac_fe(&sf, q) / f - 1.0) < TOL_SAME_FORMULA, "q = %g", q);
  }
}

Test(scattering, readme_cross_check_table) {
  /* shared/data/README.md "Physics-level consistency": f_e in A at q = 0, 0.5, 1, 2. */
  static const struct {
    int Z;
    double f[3][4]; /* Kirkland, Lobato, Peng */
  } rows[] = {
      {6, {{2.511358, 1.170045, 0.412703, 0.116831},
           {2.509700, 1.169156, 0.412795, 0.117158},
           {2.509200, 1.168904, 0.414141, 0.117773}}},
      {14, {{5.814284, 1.965830, 0.742282, 0.270219},
            {5.836000, 1.967708, 0.742909, 0.270509},
            {5.818200, 1.973077, 0.741301, 0.266683}}},
      {38, {{13.055193, 3.898870, 1.728368, 0.650170},
            {13.109900, 3.864877, 1.742044, 0.647262},
            {13.108800, 3.871294, 1.720436, 0.658991}}},
      {79, {{10.553353, 6.034583, 3.070813, 1.208178},
            {10.575800, 6.040211, 3.065495, 1.209576},
            {10.563300, 6.034052, 3.065342, 1.199478}}},
  };
  const double qs[4] = {0.0, 0.5, 1.0, 2.0};
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; ++r)
    for (int p = 0; p < SF_SCATFAC_COUNT; ++p) {
      const sf_scatfac sf = make((sf_scatfac_param)p, rows[r].Z);
      for (int k = 0; k < 4; ++k) {
        const double f = sf_scatfac_fe(&sf, qs[k]);
        cr_assert(fabs(f - rows[r].f[p][k]) < TOL_README_A, "Z %d %s q %g: %.7f vs %.6f",
                  rows[r].Z, sf_scatfac_param_name((sf_scatfac_param)p), qs[k], f,
                  rows[r].f[p][k]);
      }
    }
}

Test(scattering, forward_scattering_closed_forms) {
  /* f_e(0): Kirkland sum a/b + sum c; Lobato 2 sum a; Peng sum a. */
  for (int Z = 1; Z <= 98; ++Z) {
    const sf_scatfac k = make(SF_SCATFAC_KIRKLAND, Z), l = make(SF_SCATFAC_LOBATO, Z),
                     p = make(SF_SCATFAC_PENG, Z);
    double fk = 0, fl = 0, fp = 0;
    for (int i = 0; i < 3; ++i)
      fk += k.a[i] / k.b[i] + k.c[i];
    for (int i = 0; i < 5; ++i) {
      fl += 2.0 * l.a[i];
      fp += p.a[i];
    }
    cr_assert(fabs(sf_scatfac_fe(&k, 0.0) / fk - 1.0) < TOL_SAME_FORMULA);
    cr_assert(fabs(sf_scatfac_fe(&l, 0.0) / fl - 1.0) < 1e-12); /* alternating-sign sums */
    cr_assert(fabs(sf_scatfac_fe(&p, 0.0) / fp - 1.0) < TOL_SAME_FORMULA);
    /* physically positive and decreasing over the fitted range */
    for (double q = 0.05; q <= 12.0; q += 0.05) {
      cr_assert(sf_scatfac_fe(&k, q) > 0.0 && sf_scatfac_fe(&k, q) < sf_scatfac_fe(&k, q - 0.05),
                "Kirkland Z %d q %g", Z, q);
      cr_assert(sf_scatfac_fe(&l, q) > 0.0 && sf_scatfac_fe(&l, q) < sf_scatfac_fe(&l, q - 0.05),
                "Lobato Z %d q %g", Z, q);
    }
  }
}

/* Agreement between fits, O Si Ti Sr Au, 0 <= q <= 4 1/A (pointwise relative
   to Kirkland). The fits reproduce different atomic calculations (Dirac-Fock
   for Kirkland and Peng, relativistic Hartree-Fock for Lobato): f_e(0) is
   proportional to <r^2> and depends on the outer shells adopted, so Lobato
   and Kirkland differ by up to 2 % at q = 0 for O (1.98 % measured); Peng's
   five Gaussians fall off too fast in the tail and deviate by up to about
   10 % near q = 4 1/A (data README; 7.5 % measured for Sr). A corrupted
   coefficient gives far more than 20 %. */
#define TOL_LOBATO_VS_KIRKLAND 0.025
#define TOL_PENG_VS_KIRKLAND_Q_LE_2 0.03
#define TOL_PENG_VS_KIRKLAND_Q_LE_4 0.10

Test(scattering, parameterizations_agree_within_fit_errors) {
  const int Zs[5] = {8, 14, 22, 38, 79};
  for (int e = 0; e < 5; ++e) {
    const sf_scatfac k = make(SF_SCATFAC_KIRKLAND, Zs[e]), l = make(SF_SCATFAC_LOBATO, Zs[e]),
                     p = make(SF_SCATFAC_PENG, Zs[e]);
    double worst_l = 0, worst_p2 = 0, worst_p4 = 0;
    for (int i = 0; i <= 400; ++i) {
      const double q = 0.01 * i;
      const double fk = sf_scatfac_fe(&k, q);
      const double dl = fabs(sf_scatfac_fe(&l, q) / fk - 1.0);
      const double dp = fabs(sf_scatfac_fe(&p, q) / fk - 1.0);
      worst_l = fmax(worst_l, dl);
      if (q <= 2.0)
        worst_p2 = fmax(worst_p2, dp);
      worst_p4 = fmax(worst_p4, dp);
    }
    cr_assert(worst_l < TOL_LOBATO_VS_KIRKLAND, "Z %d Lobato %.4f", Zs[e], worst_l);
    cr_assert(worst_p2 < TOL_PENG_VS_KIRKLAND_Q_LE_2, "Z %d Peng q<=2 %.4f", Zs[e], worst_p2);
    cr_assert(worst_p4 < TOL_PENG_VS_KIRKLAND_Q_LE_4, "Z %d Peng q<=4 %.4f", Zs[e], worst_p4);
  }
}

Test(scattering, selection_by_name) {
  sf_scatfac_param p = SF_SCATFAC_PENG;
  cr_assert_eq(sf_scatfac_param_from_name(NULL, &p), SF_OK);
  cr_assert_eq(p, SF_SCATFAC_KIRKLAND, "the default is Kirkland");
  cr_assert_eq(sf_scatfac_param_from_name("lobato", &p), SF_OK);
  cr_assert_eq(p, SF_SCATFAC_LOBATO);
  cr_assert_eq(sf_scatfac_param_from_name("Peng", &p), SF_OK);
  cr_assert_eq(p, SF_SCATFAC_PENG);
  cr_assert_eq(sf_scatfac_param_from_name("kirkland", &p), SF_OK);
  cr_assert_eq(p, SF_SCATFAC_KIRKLAND);
  for (int i = 0; i < SF_SCATFAC_COUNT; ++i) {
    sf_scatfac_param back;
    cr_assert_eq(sf_scatfac_param_from_name(sf_scatfac_param_name((sf_scatfac_param)i), &back),
                 SF_OK);
    cr_assert_eq((int)back, i);
  }
  cr_assert_eq(sf_scatfac_param_from_name("doyle-turner", &p), SF_EINVAL);
  const char *m = sf_error_message();
  cr_assert(strstr(m, "'doyle-turner'"), "%s", m);
  cr_assert(strstr(m, "kirkland") && strstr(m, "lobato") && strstr(m, "peng"), "%s", m);
  cr_assert_eq(sf_scatfac_param_from_name("", &p), SF_EINVAL);
  cr_assert_null(sf_scatfac_param_name((sf_scatfac_param)7));
}

Test(scattering, provenance_and_ranges) {
  const char *dois[3] = {"10.1007/978-1-4419-6533-2", "10.1107/S205327331401643X",
                         "10.1107/S0108767395014371"};
  const int zmax[3] = {103, 103, 98};
  for (int i = 0; i < SF_SCATFAC_COUNT; ++i) {
    const sf_scatfac_info *info = sf_scatfac_info_get((sf_scatfac_param)i);
    cr_assert_not_null(info);
    cr_assert_str_eq(info->doi, dois[i]);
    cr_assert_eq(info->z_max, zmax[i]);
    cr_assert_eq(info->q_max_invA, 12.0, "all three were fitted over 0..12 1/A");
    cr_assert(strlen(info->citation) > 20 && strlen(info->formula) > 10);
  }
  cr_assert(strstr(sf_scatfac_info_get(SF_SCATFAC_LOBATO)->citation, "Acta Cryst. A70"));
  cr_assert_null(sf_scatfac_info_get((sf_scatfac_param)-1));
}

Test(scattering, atomic_numbers_outside_a_table) {
  sf_scatfac sf;
  cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_PENG, 99), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "Z = 99") && strstr(sf_error_message(), "peng"), "%s",
            sf_error_message());
  cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_KIRKLAND, 103), SF_OK);
  cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_LOBATO, 104), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "Z = 104"));
  cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_KIRKLAND, 0), SF_ERANGE);
  cr_assert_eq(sf_scatfac_init(&sf, (sf_scatfac_param)5, 8), SF_EINVAL);
  cr_assert_eq(sf_scatfac_init(NULL, SF_SCATFAC_KIRKLAND, 8), SF_EINVAL);
}
