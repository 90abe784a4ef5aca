/* transition_hydrogenic.c - the hydrogenic K-shell model: analytic
   generalised oscillator strength and the SIGMAK3-type cross-section
   (R. F. Egerton, Electron Energy-Loss Spectroscopy in the Electron
   Microscope, 3rd ed., Springer 2011, App. B; formulas as restated in
   docs/transition-potentials.md section 7.2). Used to validate the LDA
   transition potentials: a pure Coulomb atom must reproduce the GOS, and
   O K must land within a few per cent of the model. Zs = Z - 0.5,
   R = 13.6057 eV (Hartree/2), 4 pi a0^2 R^2-type prefactor 3.5166e8 b
   (Egerton's constant). */
#include "potentials/sf_transition.h"

#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_quadrature.h"

#include <math.h>

#define RYDBERG_eV (0.5 * SF_HARTREE_eV)

double sf_hydrogenic_k_gos(double Zs, double E_eV, double Qa0_sq) {
  const double R = RYDBERG_eV;
  const double q = Qa0_sq / (Zs * Zs);
  const double k2 = E_eV / (R * Zs * Zs) - 1.0;
  const double x = q - k2 + 1.0;
  double c, d;
  if (k2 > 0.0) {
    const double k = sqrt(k2);
    c = exp(-(2.0 / k) * atan2(2.0 * k, x));
    d = 1.0 - exp(-2.0 * SF_PI / k);
  } else if (k2 < 0.0) {
    const double a = sqrt(-k2);
    c = exp(-(1.0 / a) * log((x + 2.0 * a) / (x - 2.0 * a)));
    d = 1.0;
  } else {
    c = exp(-4.0 / x);
    d = 1.0;
  }
  const double den = x * x + 4.0 * k2;
  return 256.0 * (E_eV / R) / (R * pow(Zs, 4.0)) * (c / d) * (q + k2 / 3.0 + 1.0 / 3.0) /
         (den * den * den);
}

double sf_hydrogenic_k_dsigma_deps(int Z, double E_eV, double energy_keV, double beta_mrad) {
  const double R = RYDBERG_eV, mc2 = SF_ELECTRON_REST_ENERGY_keV * 1e3;
  const double Zs = Z - 0.5;
  const double gamma = 1.0 + energy_keV * 1e3 / mc2;
  const double T = 0.5 * mc2 * (1.0 - 1.0 / (gamma * gamma));
  const double p0 = sqrt((T / R) / (1.0 - 2.0 * T / mc2));
  const double pp = sqrt(p0 * p0 - (E_eV / R) * (gamma - E_eV / (2.0 * mc2)));
  const double qmin = E_eV * E_eV / (4.0 * R * T) +
                      E_eV * E_eV * E_eV / (8.0 * gamma * gamma * gamma * R * T * T);
  const double sb = sin(0.5 * beta_mrad * 1e-3);
  const double qmax = qmin + 4.0 * p0 * pp * sb * sb;
  /* integral of df/dE d ln(Q a0)^2: composite 8-point Gauss-Legendre. */
  double gx[8], gw[8];
  sf_quad_gauss_legendre(8, gx, gw);
  const double t0 = log(qmin), t1 = log(qmax);
  const int panels = (int)ceil((t1 - t0) / 0.25) + 1;
  const double dt = (t1 - t0) / panels;
  double s = 0.0;
  for (int p = 0; p < panels; ++p)
    for (int k = 0; k < 8; ++k) {
      const double t = t0 + dt * (p + 0.5 * (gx[k] + 1.0));
      s += 0.5 * dt * gw[k] * sf_hydrogenic_k_gos(Zs, E_eV, exp(t));
    }
  return 3.5166e8 * (R / T) * (R / E_eV) * s;
}

int sf_hydrogenic_k_cross_section(int Z, double edge_eV, double energy_keV, double beta_mrad,
                                  double window_eV, double *barn) {
  if (!barn)
    return sf_error_set(SF_EINVAL, "hydrogenic cross-section: NULL result");
  if (Z < 1 || !(edge_eV > 0.0) || !(energy_keV > 0.0) || !(beta_mrad > 0.0) ||
      !(window_eV > 0.0))
    return sf_error_set(SF_EINVAL,
                        "hydrogenic K cross-section: Z = %d, edge %g eV, %g keV, %g mrad, window "
                        "%g eV: all must be positive",
                        Z, edge_eV, energy_keV, beta_mrad, window_eV);
  double gx[8], gw[8];
  sf_quad_gauss_legendre(8, gx, gw);
  const int panels = (int)ceil(window_eV / 5.0) + 1;
  const double dE = window_eV / panels;
  double s = 0.0;
  for (int p = 0; p < panels; ++p)
    for (int k = 0; k < 8; ++k) {
      const double E = edge_eV + dE * (p + 0.5 * (gx[k] + 1.0));
      s += 0.5 * dE * gw[k] * sf_hydrogenic_k_dsigma_deps(Z, E, energy_keV, beta_mrad);
    }
  *barn = s;
  return SF_OK;
}
