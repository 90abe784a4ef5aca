/* sf_continuum.h - continuum (free) radial states of an atom's potential,
   normalised per unit energy by matching to Coulomb functions.

   A continuum state of kinetic energy eps > 0 (Hartree) and angular momentum
   l is integrated outward with Numerov on the atom's logarithmic grid
   (x = ln r, u = r^(1/2) y) and matched, by least squares over the grid
   points of [r1, r2], to u = a F_l(eta, kr) + b G_l(eta, kr) (GSL Coulomb
   functions), k = sqrt(2 eps), eta = -Z_ion/k for a potential that tends to
   -Z_ion/r (Z_ion = 0: Riccati-Bessel functions). It is then scaled so that
       u -> sqrt(2/(pi k)) sin(kr - eta ln 2kr - l pi/2 + sigma_l + delta)
   i.e. <u_eps|u_eps'> = delta(eps - eps') per Hartree (multiply by
   1/sqrt(27.211386 eV/Ha) for per-eV states). The amplitude is never taken
   from max|u| on a fixed grid (a pitfall of public codes, see
   docs/transition-potentials.md section 2). The phase shift delta is
   atan2(b, a). Where the grid spacing exceeds what Numerov resolves
   (k dr > 0.6 after refining the grid up to 32 times so that k dr <= 0.04 at
   the matching radius) the state is left at zero; *n_valid says where it ends.

   Catalogue: sf_continuum_kind_parse, sf_continuum_kind_name,
   sf_continuum_solve, sf_continuum_overlap, sf_continuum_orthogonalize. */
#ifndef SF_CONTINUUM_H
#define SF_CONTINUUM_H
#include "potentials/sf_atom.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Which potential the ejected electron sees. */
typedef enum sf_continuum_kind {
  SF_CONTINUUM_GROUND = 0,   /* the neutral ground-state SCF potential (abTEM/GPAW choice) */
  SF_CONTINUUM_CORE_HOLE = 1 /* SCF with one electron removed from the core subshell: -1/r tail */
} sf_continuum_kind;

/** Parse "ground" or "core-hole" into *kind. SF_EINVAL naming the text otherwise. */
int sf_continuum_kind_parse(const char *text, sf_continuum_kind *kind);
/** "ground" or "core-hole". */
const char *sf_continuum_kind_name(sf_continuum_kind kind);

/* Matching radii in Bohr (defaults used when both are 0: 30 and 35). The
   LDA exchange potential of a neutral atom decays only as rho^(1/3), so
   matching at 14..16 Bohr (the prototype's choice) leaves a 2.5e-4 error in
   the normalisation at 1 eV for O; at 30..35 Bohr it is below 1e-5. */
typedef struct sf_continuum_match {
  double r1_bohr, r2_bohr;
} sf_continuum_match;

/** Continuum state of energy energy_Ha > 0 and angular momentum l (0..30) in
    the potential V (Hartree on grid g, including -Z_nuc/r), which tends to
    -Z_ion/r beyond the matching radii. u (g->n doubles, caller-owned) is
    normalised per Hartree; zero for i >= *n_valid (optional output).
    *phase_shift (optional) is delta in radians. match may be NULL (30, 35
    Bohr; the interval is widened to a quarter wavelength when shorter).
    SF_EINVAL for bad arguments (named), SF_ERANGE when the grid cannot
    resolve the wave at the matching radii (the message gives k dr and the
    energy), SF_ENUMERIC when the Coulomb functions fail. GSL's error
    handler is switched off around the Coulomb-function calls (process-wide
    state): do not call this concurrently with code that relies on it. */
int sf_continuum_solve(const sf_atom_grid *g, const double *V, double Z_nuc, double Z_ion, int l,
                       double energy_Ha, const sf_continuum_match *match, double *u,
                       size_t *n_valid, double *phase_shift);

/** Overlap integral of a and b (dr) over the grid. */
double sf_continuum_overlap(const sf_atom_grid *g, const double *a, const double *b);
/** Schmidt step u <- u - <b|u> b against the normalised bound state b;
    returns the overlap <b|u> before the step. */
double sf_continuum_orthogonalize(const sf_atom_grid *g, const double *b, double *u);

#ifdef __cplusplus
}
#endif
#endif
