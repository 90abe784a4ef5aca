/* sf_interaction.h - relativistic electron wavelength and the interaction
   constant that turns a projected potential into a phase shift.

   For a beam of kinetic energy E (keV), with m0c^2 = 510.99895 keV and
   hc = 12.39842 keV*A (CODATA 2018, core/sf_constants.h):

       lambda = hc / sqrt(E (E + 2 m0c^2))                       [A]
                (Kirkland, Advanced Computing in Electron Microscopy,
                 2nd ed., Springer 2010, eq. 2.5)
       sigma  = (2 pi / (lambda V)) (m0c^2 + eV) / (2 m0c^2 + eV) [rad/(V*A)]
                with V = 1000 E the accelerating voltage in volts
                (Kirkland 2010, eq. 5.6; equal to 2 pi m e lambda / h^2
                 with the relativistic mass m = gamma m0)
       gamma  = 1 + E / m0c^2

   A slice of projected potential v_z (V*A) shifts the phase by sigma*v_z (rad).

   Catalogue: sf_electron_wavelength, sf_electron_gamma, sf_interaction_sigma. */
#ifndef SF_INTERACTION_H
#define SF_INTERACTION_H
#ifdef __cplusplus
extern "C" {
#endif

/** Relativistic wavelength in A of an electron of kinetic energy energy_keV
    (> 0, finite) into *lambda_A. SF_EINVAL naming the value otherwise. */
int sf_electron_wavelength(double energy_keV, double *lambda_A);

/** Lorentz factor gamma = 1 + E/m0c^2 (dimensionless) into *gamma.
    SF_EINVAL for a non-positive or non-finite energy. */
int sf_electron_gamma(double energy_keV, double *gamma);

/** Interaction constant sigma in rad/(V*A) at energy_keV (> 0) into
    *sigma_rad_per_VA. SF_EINVAL naming the value otherwise. */
int sf_interaction_sigma(double energy_keV, double *sigma_rad_per_VA);

#ifdef __cplusplus
}
#endif
#endif
