/* Relativistic wavelength and interaction constant against the table of
   shared/docs/physics/elastic-multislice.md section 1 (values from
   lambda = hc/sqrt(E(E + 2 m0c^2)) and
   sigma = (2 pi/(lambda V)) (m0c^2 + eV)/(2 m0c^2 + eV) with CODATA 2018). */
#include "core/sf_status.h"
#include "core/sf_constants.h"
#include "potentials/sf_interaction.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* The table prints lambda with 6 decimals, sigma with 6 significant digits
   and gamma with 5 decimals: agreement within half a unit of the last digit. */
#define TOL_LAMBDA_A 0.5e-6
#define TOL_GAMMA 0.5e-5

static const struct {
  double keV, lambda_A, sigma, gamma;
} table[] = {
    {60.0, 0.048661, 1.13569e-3, 1.11742},  {80.0, 0.041757, 1.00871e-3, 1.15656},
    {100.0, 0.037014, 9.24396e-4, 1.19570}, {200.0, 0.025079, 7.28840e-4, 1.39139},
    {300.0, 0.019687, 6.52616e-4, 1.58709},
};

Test(interaction, wavelength_sigma_gamma_match_the_table) {
  for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i) {
    double lambda = 0, sigma = 0, gamma = 0;
    cr_assert_eq(sf_electron_wavelength(table[i].keV, &lambda), SF_OK);
    cr_assert_eq(sf_interaction_sigma(table[i].keV, &sigma), SF_OK);
    cr_assert_eq(sf_electron_gamma(table[i].keV, &gamma), SF_OK);
    cr_assert(fabs(lambda - table[i].lambda_A) <= TOL_LAMBDA_A, "%g keV: lambda %.8f", table[i].keV,
              lambda);
    /* half a unit in the 6th significant digit */
    cr_assert(fabs(sigma - table[i].sigma) <= 0.5e-5 * table[i].sigma * 1.0001,
              "%g keV: sigma %.8e", table[i].keV, sigma);
    cr_assert(fabs(gamma - table[i].gamma) <= TOL_GAMMA, "%g keV: gamma %.7f", table[i].keV, gamma);
  }
}

Test(interaction, sigma_equals_2pi_m_e_lambda_over_h2) {
  /* sigma = 2 pi gamma m0 e lambda / h^2 in SI, converted to rad/(V A). */
  const double h = 6.62607015e-34, m0 = 9.1093837015e-31, e = 1.602176634e-19;
  for (double keV = 20.0; keV <= 1000.0; keV *= 1.7) {
    double lambda = 0, sigma = 0, gamma = 0;
    sf_electron_wavelength(keV, &lambda);
    sf_interaction_sigma(keV, &sigma);
    sf_electron_gamma(keV, &gamma);
    const double si = 2.0 * SF_PI * gamma * m0 * e * (lambda * 1e-10) / (h * h); /* rad/(V m) */
    cr_assert(fabs(si * 1e-10 / sigma - 1.0) < 1e-8, "%g keV: %g vs %g", keV, si * 1e-10, sigma);
  }
}

Test(interaction, non_relativistic_limit) {
  /* For E << m0c^2: lambda -> h/sqrt(2 m0 E) = 12.2643/sqrt(E[eV]) A. */
  double lambda = 0;
  sf_electron_wavelength(1e-3, &lambda); /* 1 eV */
  cr_assert(fabs(lambda - 12.2642598) < 1e-5, "%.8f", lambda);
}

Test(interaction, bad_energies_are_rejected) {
  double out = 0;
  cr_assert_eq(sf_electron_wavelength(0.0, &out), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "energy_keV = 0"), "%s", sf_error_message());
  cr_assert_eq(sf_interaction_sigma(-200.0, &out), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "energy_keV = -200"), "%s", sf_error_message());
  cr_assert_eq(sf_interaction_sigma(NAN, &out), SF_EINVAL);
  cr_assert_eq(sf_electron_gamma(INFINITY, &out), SF_EINVAL);
  cr_assert_eq(sf_interaction_sigma(300.0, NULL), SF_EINVAL);
}
