/* sf_constants.h - mathematical constants and physical constants (CODATA 2018).

   Units are in the names. Physical constants: E. Tiesinga et al., "CODATA
   recommended values of the fundamental physical constants: 2018",
   Rev. Mod. Phys. 93, 025010 (2021), doi:10.1103/RevModPhys.93.025010. */
#ifndef SF_CONSTANTS_H
#define SF_CONSTANTS_H

#define SF_PI 3.14159265358979323846
#define SF_TWO_PI 6.28318530717958647693

/* Electron rest energy m0 c^2 in keV. */
#define SF_ELECTRON_REST_ENERGY_keV 510.99895000
/* Planck constant times speed of light, h c, in keV * Angstrom. */
#define SF_HC_keV_A 12.398419843320026
/* Bohr radius in Angstrom. */
#define SF_BOHR_RADIUS_A 0.529177210903
/* Hartree energy in eV. */
#define SF_HARTREE_eV 27.211386245988
/* e^2 / (4 pi eps0) in eV * Angstrom. */
#define SF_COULOMB_eV_A 14.399645478425668
/* Avogadro-free cross-section unit: 1 barn = 1e-8 Angstrom^2. */
#define SF_BARN_A2 1e-8

#endif
