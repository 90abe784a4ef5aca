/* sf_phonon.h - frozen-phonon displacements in the Einstein model, and the
   conversions between the thermal-vibration conventions.

   Model: every atom vibrates independently of the others; in configuration k
   atom i is displaced by (dx, dy, dz), three independent Gaussians of zero
   mean and standard deviation u_i, where u_i is the 1-D rms displacement
   (u_rms, Å): <dx^2> = <dy^2> = <dz^2> = u_i^2, the 3-D mean square is
   3 u_i^2, and the isotropic Debye-Waller factor is B = 8 pi^2 u_i^2
   (B = 0.5 Å^2 gives u_rms = 0.0796 Å). Kirkland's "wobble", the Prismatic
   XYZ column and abTEM's per-axis sigmas are u_rms; muSTEM's .xtl holds
   <u^2> = u_rms^2 = B / 8 pi^2. u_i comes from a per-element table when one
   is given and set for the atom's element, otherwise from the atom's own
   u_rms.

   Occupancy: a site with occupancy occ is occupied, in each configuration,
   with probability occ (a Bernoulli draw from the atom's own stream after its
   three displacements), so averaging intensities over configurations
   averages over the occupational disorder as well as over the vibrations.
   The alternative, weighting the atom's potential by occ, is a virtual
   crystal that channels like no real column; it is not used here.

   Random numbers: atom i of configuration k draws from the Philox stream
   (seed, SF_RNG_STREAM(SF_RNG_PURPOSE_PHONON, k), substream i): normals for
   dx, dy, dz (two uniforms each, Box-Muller), then one uniform for the
   occupancy. Configuration k is therefore the same whatever the thread
   count, the number of configurations drawn, or the order in which they are
   drawn; atoms are limited to 2^32 and configurations to 2^48.

   Catalogue: sf_phonon_rms_init, sf_phonon_rms_set, sf_phonon_u_rms_from_B,
   sf_phonon_B_from_u_rms, sf_phonon_thermal_parse, sf_phonon_displacements. */
#ifndef SF_PHONON_H
#define SF_PHONON_H
#include "potentials/sf_elements.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Per-element 1-D rms displacements (Å), indexed by Z; a negative entry
   means "not set: use the atom's own u_rms". */
typedef struct sf_phonon_rms {
  double u_rms_A[SF_ELEMENT_Z_MAX + 1];
} sf_phonon_rms;

/* --- per-element table --- */

/** Mark every element as not set. */
void sf_phonon_rms_init(sf_phonon_rms *table);
/** Set element Z's u_rms (Å, finite and >= 0). SF_ERANGE for a bad Z or value. */
int sf_phonon_rms_set(sf_phonon_rms *table, int Z, double u_rms_A);

/* --- conventions --- */

/** u_rms (Å) = sqrt(B / (8 pi^2)) for a Debye-Waller factor B (Å^2, >= 0); NAN for B < 0. */
double sf_phonon_u_rms_from_B(double B_A2);
/** B (Å^2) = 8 pi^2 u_rms^2. */
double sf_phonon_B_from_u_rms(double u_rms_A);
/** Parse a thermal setting "[El:]B=v" (Debye-Waller factor, Å^2), "[El:]u2=v"
    (mean-square 1-D displacement <u^2>, Å^2) or "[El:]u=v" / "[El:]u_rms=v"
    (1-D rms displacement, Å) into *u_rms_A (Å). *Z gets the element of the
    optional "El:" prefix (a symbol such as "Sr"), or 0 when there is none.
    SF_EINVAL with a message quoting the text when it does not parse, the
    element is unknown or the value is negative. */
int sf_phonon_thermal_parse(const char *text, int *Z, double *u_rms_A);

/* --- displacements --- */

/** Displacements of configuration `config` for n atoms: d_A[3i..3i+2] =
    (dx, dy, dz) of atom i in Å (caller-owned, 3n doubles). Z[i] (1..103)
    selects the per-element value of `rms` (may be NULL); u_rms_A[i] (Å,
    >= 0) is used otherwise. If `present` is non-NULL, present[i] = 1 when
    the site is occupied in this configuration (probability occupancy[i],
    which must then be given, each in [0, 1]), else 0. Runs in parallel over
    atoms (OpenMP); the result does not depend on the thread count.
    SF_ERANGE naming the atom for a bad Z, u_rms or occupancy, or for more
    than 2^32 atoms or config >= 2^48. */
int sf_phonon_displacements(size_t n, const int *Z, const double *u_rms_A,
                            const double *occupancy, const sf_phonon_rms *rms, uint64_t seed,
                            uint64_t config, double *d_A, unsigned char *present);

#ifdef __cplusplus
}
#endif
#endif
