/* interaction.c - relativistic wavelength and interaction constant sigma(E). */
#include "potentials/sf_interaction.h"

#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <math.h>

static int check_energy(const char *what, double energy_keV, const void *out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "%s: NULL output pointer", what);
  if (!isfinite(energy_keV) || energy_keV <= 0.0)
    return sf_error_set(SF_EINVAL, "%s: energy_keV = %g: must be a finite value > 0", what,
                        energy_keV);
  return SF_OK;
}

int sf_electron_wavelength(double energy_keV, double *lambda_A) {
  SF_TRY(check_energy("electron wavelength", energy_keV, lambda_A));
  const double mc2 = SF_ELECTRON_REST_ENERGY_keV;
  *lambda_A = SF_HC_keV_A / sqrt(energy_keV * (energy_keV + 2.0 * mc2));
  return SF_OK;
}

int sf_electron_gamma(double energy_keV, double *gamma) {
  SF_TRY(check_energy("electron gamma", energy_keV, gamma));
  *gamma = 1.0 + energy_keV / SF_ELECTRON_REST_ENERGY_keV;
  return SF_OK;
}

int sf_interaction_sigma(double energy_keV, double *sigma_rad_per_VA) {
  SF_TRY(check_energy("interaction constant", energy_keV, sigma_rad_per_VA));
  double lambda_A = 0.0;
  SF_TRY(sf_electron_wavelength(energy_keV, &lambda_A));
  const double mc2 = SF_ELECTRON_REST_ENERGY_keV;
  const double volts = 1000.0 * energy_keV;
  *sigma_rad_per_VA =
      SF_TWO_PI / (lambda_A * volts) * (mc2 + energy_keV) / (2.0 * mc2 + energy_keV);
  return SF_OK;
}
