/* sf_scattering.h - electron scattering factors of neutral atoms from the
   published parameterizations, and the atomic potentials they imply.

   Three parameterizations are built in (generated from the published tables,
   see sf_tables.h and the citations in sf_scatfac_info):
     "kirkland" (default)  Kirkland 2010, 3 Lorentzians + 3 Gaussians, Z 1..103
     "lobato"              Lobato & Van Dyck 2014, 5 terms,              Z 1..103
     "peng"                Peng et al. 1996 (s < 6 1/A), 5 Gaussians,    Z 1..98
   Each was fitted over 0 <= q <= 12 1/A; outside that range the formulas are
   extrapolations (q_max_invA in the info record).

   Conventions (data README): q = 2 sin(theta)/lambda = 1/d in 1/A, with no
   factor 2 pi; f_e in A (first Born approximation, non-relativistic; the
   relativistic correction enters only through sigma, see sf_interaction.h).
   The 3-D potential and its projection along z follow by Fourier transform
   (Kirkland 2010, App. C):
       V(r)   = 2 pi a0 e Integral f_e(q) exp(2 pi i q.r) d^3q          [V]
       v_z(r) = Integral V dz = 2 pi a0 e Integral f_e(q) exp(2 pi i q.r) d^2q  [V*A]
   with 2 pi a0 e = 47.8776 V*A^2 = h^2/(2 pi m0 e) (SF_TWO_PI_A0E_VA2).
   Hence Integral v_z d^2r = 2 pi a0 e f_e(0) (V*A^3): sf_scatfac_vz_total().

   A sf_scatfac holds the coefficients of one element in one
   parameterization; the evaluation functions are pure, thread-safe and do
   not allocate. Closed forms (K0, K1, K2: modified Bessel functions; x = k r):
     Kirkland  v_z = 4 pi^2 a0e sum a_i K0(2 pi r sqrt(b_i))
                   + 2 pi^2 a0e sum (c_i/d_i) exp(-pi^2 r^2/d_i)
     Lobato    v_z = 4 pi^2 a0e sum (a_i/b_i) [K0(x) + (x/2) K1(x)], x = 2 pi r/sqrt(b_i)
     Peng      v_z = 8 pi^2 a0e sum (a_i/b_i) exp(-4 pi^2 r^2/b_i)

   Catalogue: sf_scatfac_param_from_name, sf_scatfac_param_name,
   sf_scatfac_info_get, sf_scatfac_init, sf_scatfac_fe, sf_scatfac_potential,
   sf_scatfac_vz, sf_scatfac_vz_dr, sf_scatfac_vz_laplacian,
   sf_scatfac_vz_disc, sf_scatfac_vz_total, sf_scatfac_vz_slab. */
#ifndef SF_SCATTERING_H
#define SF_SCATTERING_H
#include "core/sf_constants.h"
#ifdef __cplusplus
extern "C" {
#endif

/* a0 e = Bohr radius times e/(4 pi eps0) = 7.61996 V*A^2, and 2 pi a0 e. */
#define SF_A0E_VA2 (SF_BOHR_RADIUS_A * SF_COULOMB_eV_A)
#define SF_TWO_PI_A0E_VA2 (SF_TWO_PI * SF_A0E_VA2)

/* Parameterizations. Values are frozen (they may be stored in files). */
typedef enum sf_scatfac_param {
  SF_SCATFAC_KIRKLAND = 0,
  SF_SCATFAC_LOBATO = 1,
  SF_SCATFAC_PENG = 2
} sf_scatfac_param;
#define SF_SCATFAC_DEFAULT SF_SCATFAC_KIRKLAND
#define SF_SCATFAC_COUNT 3

/* What a parameterization is and where it comes from. */
typedef struct sf_scatfac_info {
  sf_scatfac_param param;
  const char *name;      /* "kirkland", "lobato", "peng" */
  const char *citation;  /* authors, title, journal or book, year */
  const char *doi;       /* "10.1107/..." */
  const char *formula;   /* f_e(q) as text, q in 1/A */
  const char *fitted_to; /* what the fit reproduces */
  int z_max;             /* parameters exist for Z = 1..z_max */
  double q_max_invA;     /* fitted range is 0 <= q <= q_max_invA (1/A) */
} sf_scatfac_info;

/* Coefficients of one element in one parameterization (filled by sf_scatfac_init). */
typedef struct sf_scatfac {
  sf_scatfac_param param;
  int Z;
  /* Kirkland: a[0..2] (1/A), b[0..2] (1/A^2) Lorentzians; c[0..2] (A), d[0..2] (A^2) Gaussians.
     Lobato:   a[0..4] (A), b[0..4] (A^2).
     Peng:     a[0..4] (A), b[0..4] (A^2, for s = q/2). */
  double a[5], b[5], c[3], d[3];
} sf_scatfac;

/* --- Selection by name --- */

/** Parameterization for a name: "kirkland", "lobato" or "peng" (case-
    insensitive); NULL selects the default (Kirkland). SF_EINVAL for any other
    name, with a message naming it and listing the valid names. */
int sf_scatfac_param_from_name(const char *name, sf_scatfac_param *param);
/** Name of a parameterization ("kirkland", ...), or NULL if invalid. */
const char *sf_scatfac_param_name(sf_scatfac_param param);
/** Static description (citation, DOI, ranges), or NULL if invalid. */
const sf_scatfac_info *sf_scatfac_info_get(sf_scatfac_param param);

/* --- One element --- */

/** Fill *sf with the coefficients of element Z. SF_EINVAL for an invalid
    parameterization or NULL; SF_ERANGE naming Z and the table when Z is
    outside the table (Z 1..103; Peng 1..98). */
int sf_scatfac_init(sf_scatfac *sf, sf_scatfac_param param, int Z);

/** Electron scattering factor f_e(q) in A at q in 1/A (no 2 pi). */
double sf_scatfac_fe(const sf_scatfac *sf, double q_invA);

/** 3-D atomic potential V(r) in V at distance r_A >= 0 from the nucleus
    (+INFINITY at r = 0 for Kirkland and Lobato; NAN for r < 0 or NAN). */
double sf_scatfac_potential(const sf_scatfac *sf, double r_A);

/** Infinite projection v_z(r) = Integral V dz in V*A at radius r_A >= 0
    (+INFINITY at r = 0 for Kirkland and Lobato: logarithmic; NAN for r < 0). */
double sf_scatfac_vz(const sf_scatfac *sf, double r_A);

/** Radial derivative dv_z/dr in V (V*A per A) at r_A > 0. */
double sf_scatfac_vz_dr(const sf_scatfac *sf, double r_A);

/** 2-D Laplacian of v_z, d2v/dr2 + (1/r) dv/dr, in V/A at r_A > 0. */
double sf_scatfac_vz_laplacian(const sf_scatfac *sf, double r_A);

/** Integral of v_z over the disc of radius R_A >= 0 in V*A^3 (closed form;
    R_A = INFINITY gives sf_scatfac_vz_total). */
double sf_scatfac_vz_disc(const sf_scatfac *sf, double R_A);

/** Integral of v_z over the whole plane: 2 pi a0 e f_e(0), in V*A^3. */
double sf_scatfac_vz_total(const sf_scatfac *sf);

/** Finite projection Integral_{z1}^{z2} V(sqrt(r^2 + z^2)) dz in V*A, for an
    atom at z = 0 and the slab z1_A <= z <= z2_A (A; +-INFINITY allowed).
    Gaussian terms use erf differences; Lorentzian (Yukawa) terms are
    integrated numerically after z = r sinh(t) (composite Gauss-Legendre, about
    1e-13 relative), and with exponential integrals at r = 0.
    SF_EINVAL for r_A < 0, NaN or z1_A > z2_A; SF_ERANGE at r_A = 0 when the
    slab contains the nucleus (the integral diverges logarithmically). */
int sf_scatfac_vz_slab(const sf_scatfac *sf, double r_A, double z1_A, double z2_A,
                       double *vz_VA);

#ifdef __cplusplus
}
#endif
#endif
