/* sf_atom.h - spherical all-electron LDA atom (Kohn-Sham, spin-unpolarised).

   The solver works in Hartree atomic units on a logarithmic radial grid
   r_i = exp(x0 + i h). Radial functions are u = r R, normalised so that
   sum_i-integral u^2 dr = 1. Bound states are found by Numerov integration in
   x = ln r (u = r^(1/2) y) with node counting and bisection (a scalar-
   relativistic Koelling-Harmon variant integrates the large component with a
   fourth-order Adams-Moulton scheme). The potential is
   V = -Z/r + V_H + v_xc with Slater exchange + VWN5 correlation (the
   functional of NIST SRD 141: libxc XC_LDA_X + XC_LDA_C_VWN when the build has
   libxc, and a hand-coded version of the same formulas as a cross-check),
   iterated to self-consistency with Anderson mixing of r V. Open shells are
   spherically averaged (fractional occupations). Ground-state configurations
   for Z = 1..92 are built in; ions and core-hole configurations are made by
   changing occupations. Reference values: Kotochigova, Levine, Shirley,
   Stiles & Clark, Phys. Rev. A 55, 191 (1997), doi:10.1103/PhysRevA.55.191
   (NIST SRD 141). Physics and recipe: docs/transition-potentials.md.

   Catalogue: sf_atom_grid_create, sf_atom_grid_destroy, sf_atom_grid_integrate,
   sf_atom_grid_cumulative, sf_atom_xc_builtin, sf_atom_xc_eval,
   sf_atom_xc_have_libxc, sf_atom_config_ground, sf_atom_config_parse,
   sf_atom_config_set, sf_atom_config_find, sf_atom_config_electrons,
   sf_atom_config_format, sf_atom_subshell_parse, sf_atom_subshell_name,
   sf_atom_radial_bound, sf_atom_params_default, sf_atom_solve, sf_atom_destroy,
   sf_atom_grid_of, sf_atom_config_of, sf_atom_potential, sf_atom_total_energy,
   sf_atom_energies_of, sf_atom_iterations, sf_atom_orbital_count,
   sf_atom_orbital_get, sf_atom_orbital_find. */
#ifndef SF_ATOM_H
#define SF_ATOM_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* ---- Radial grid ---------------------------------------------------- */

/* Logarithmic grid r_i = exp(x0 + i h), i = 0..n-1, radii in Bohr. */
typedef struct sf_atom_grid {
  size_t n;  /* number of points (>= 16) */
  double x0; /* ln r_0 */
  double h;  /* step in x = ln r */
  double *r; /* radii in Bohr, owned */
} sf_atom_grid;

/** Grid of n points from r_min_bohr to r_max_bohr (both > 0, r_min < r_max,
    n >= 16). On success *out is owned by the caller (sf_atom_grid_destroy).
    SF_EINVAL names the bad value; SF_ENOMEM. */
int sf_atom_grid_create(double r_min_bohr, double r_max_bohr, size_t n, sf_atom_grid **out);
/** Free a grid. NULL is a no-op. */
void sf_atom_grid_destroy(sf_atom_grid *g);
/** Integral of f(r) dr over the grid (f sampled at g->r), as the integral of
    f r dx with the fourth-order end-corrected trapezoid rule (interior
    weights 1; exponentially accurate for integrands that vanish at both ends). */
double sf_atom_grid_integrate(const sf_atom_grid *g, const double *f);
/** Cumulative integrals of f(r) dr with local cubic (fourth-order) rules:
    from_origin != 0: out[i] = integral from r_0 to r_i;
    from_origin == 0: out[i] = integral from r_i to r_{n-1}.
    out (n doubles) is caller-owned and may not alias f. */
void sf_atom_grid_cumulative(const sf_atom_grid *g, const double *f, int from_origin, double *out);

/* ---- Exchange-correlation: Slater exchange + VWN5 correlation ------- */

typedef enum sf_atom_xc_backend {
  SF_ATOM_XC_AUTO = 0,    /* libxc when the build has it, else the hand-coded version */
  SF_ATOM_XC_LIBXC = 1,   /* libxc XC_LDA_X + XC_LDA_C_VWN (SF_EUNSUPPORTED without libxc) */
  SF_ATOM_XC_BUILTIN = 2  /* hand-coded formulas (docs/transition-potentials.md) */
} sf_atom_xc_backend;

/** Hand-coded Slater exchange + VWN5 (Ceperley-Alder fit) correlation for one
    density rho (electrons / Bohr^3, >= 0): energy per electron *exc and
    potential *vxc = d(rho exc)/d rho, both in Hartree. rho <= 0 gives 0. */
void sf_atom_xc_builtin(double rho, double *exc, double *vxc);
/** exc[i], vxc[i] (Hartree) for np densities rho[i] with the chosen backend.
    With relativistic != 0 the exchange part is multiplied by the
    MacDonald-Vosko factors (J. Phys. C 12, 2977 (1979)). Caller owns all
    arrays. SF_EUNSUPPORTED for SF_ATOM_XC_LIBXC in a build without libxc;
    SF_EINVAL for an unknown backend. */
int sf_atom_xc_eval(sf_atom_xc_backend backend, int relativistic, size_t np, const double *rho,
                    double *exc, double *vxc);
/** 1 when the build links libxc, else 0. */
int sf_atom_xc_have_libxc(void);

/* ---- Configurations --------------------------------------------------- */

#define SF_ATOM_Z_MAX 92
#define SF_ATOM_MAX_ORBITALS 32

typedef struct sf_atom_shell {
  int n, l;          /* principal and orbital quantum numbers, 0 <= l < n */
  double occupation; /* electrons, 0 .. 2(2l+1) */
} sf_atom_shell;

/* An electron configuration, shells sorted by (n, l). */
typedef struct sf_atom_config {
  int Z; /* nuclear charge 1..92 */
  int count;
  sf_atom_shell shell[SF_ATOM_MAX_ORBITALS];
} sf_atom_config;

/** Ground-state configuration of the neutral atom Z (1..92) as used by NIST
    SRD 141 (aufbau with the experimental exceptions, e.g. Cr 3d5 4s1,
    Cu 3d10 4s1, Pd 4d10, Pt 4f14 5d9 6s1, U 5f3 6d1 7s2). SF_ERANGE for Z
    outside 1..92. */
int sf_atom_config_ground(int Z, sf_atom_config *cfg);
/** Parse a configuration such as "[Ar] 3d6 4s2", "1s2 2s2 2p4" or
    "[Xe]4f14 5d9 6s1" (occupations may be fractional: "3d6.5") for nuclear
    charge Z. SF_EINVAL naming the token that is not a shell, an occupation
    beyond 2(2l+1), or a repeated shell. */
int sf_atom_config_parse(int Z, const char *text, sf_atom_config *cfg);
/** Set the occupation of shell (n, l), adding the shell when absent
    (core hole: occupation - 1). SF_EINVAL for an invalid shell or an
    occupation outside 0 .. 2(2l+1). */
int sf_atom_config_set(sf_atom_config *cfg, int n, int l, double occupation);
/** Index of shell (n, l) in cfg, or -1. */
int sf_atom_config_find(const sf_atom_config *cfg, int n, int l);
/** Number of electrons. */
double sf_atom_config_electrons(const sf_atom_config *cfg);
/** "1s2 2s2 2p4" into buf (size bytes); returns buf. */
char *sf_atom_config_format(const sf_atom_config *cfg, char *buf, size_t size);
/** Parse a subshell name "1s", "2p", "3d", "4f" into n, l. SF_EINVAL otherwise. */
int sf_atom_subshell_parse(const char *text, int *n, int *l);
/** "2p" style name of (n, l) into buf (>= 8 bytes); returns buf. */
char *sf_atom_subshell_name(int n, int l, char *buf);

/* ---- Bound states in a given potential -------------------------------- */

typedef enum sf_atom_relativity {
  SF_ATOM_NONRELATIVISTIC = 0,
  SF_ATOM_SCALAR_RELATIVISTIC = 1 /* Koelling-Harmon, J. Phys. C 10, 3107 (1977) */
} sf_atom_relativity;

/** Bound state (n, l) of the potential V (Hartree, V[i] at g->r[i],
    including the nucleus; V ~ -Z_nuc/r near the origin): eigenvalue *energy_Ha
    and u (n doubles, caller-owned, normalised, largest lobe positive; zero
    beyond r_tp + 50/kappa). Node counting with bisection to machine
    precision, outward integration stopped 30/kappa beyond the outermost
    turning point r_tp, the tail integrated inward and matched at r_tp. SF_EINVAL for bad quantum numbers; SF_ENUMERIC (message
    naming the state) when the state is not bound in V or the grid is too
    short. With SF_ATOM_SCALAR_RELATIVISTIC the large component P is
    returned and normalised (integral of P^2 = 1). */
int sf_atom_radial_bound(const sf_atom_grid *g, const double *V, double Z_nuc, int n, int l,
                         sf_atom_relativity rel, double *energy_Ha, double *u);

/* ---- Self-consistent atom -------------------------------------------- */

typedef struct sf_atom_params {
  size_t grid_points;   /* default 4001 */
  double r_min_bohr;    /* first radius; 0: 1e-6 / Z */
  double r_max_bohr;    /* last radius; default 50 */
  int max_iterations;   /* default 200 */
  double mixing;        /* Anderson/linear mixing parameter, default 0.3 */
  int history;          /* Anderson history length, 0 = linear mixing; default 6 */
  double tol_energy_Ha; /* |E_k - E_{k-1}| limit, default 1e-9 */
  double tol_potential; /* max |r (V_out - V_in)| limit (Hartree Bohr), default 1e-7 */
  sf_atom_relativity relativity; /* default non-relativistic */
  int relativistic_xc;  /* MacDonald-Vosko exchange correction, default 0 */
  sf_atom_xc_backend xc;/* default SF_ATOM_XC_AUTO */
} sf_atom_params;

/* Energy terms of a converged atom, Hartree. */
typedef struct sf_atom_energies {
  double total;
  double kinetic;
  double electron_nucleus;
  double hartree;
  double xc;
  double eigenvalue_sum; /* sum of f_nl eps_nl */
  double xc_potential;   /* int rho v_xc (for the LDA virial 2T + E_en + E_H + 3 int rho (v_xc - e_xc) = 0) */
} sf_atom_energies;

/* One orbital of a converged atom (pointers owned by the atom). */
typedef struct sf_atom_orbital {
  int n, l;
  double occupation;
  double energy_Ha;
  const double *u; /* u = r R on the atom's grid (large component when scalar-relativistic) */
} sf_atom_orbital;

typedef struct sf_atom sf_atom; /* opaque */

/** Defaults listed in sf_atom_params. */
void sf_atom_params_default(sf_atom_params *p);
/** Self-consistent LDA solution for configuration cfg (params NULL: defaults).
    On success *out is owned by the caller (sf_atom_destroy). SF_EMAXITER when
    not converged within max_iterations: the message carries the iteration
    history (energy, energy change and potential residual per iteration).
    SF_EINVAL for bad parameters (named), SF_ENUMERIC for an unbound orbital
    or a non-finite result, SF_ENOMEM. */
int sf_atom_solve(const sf_atom_config *cfg, const sf_atom_params *params, sf_atom **out);
/** Free an atom. NULL is a no-op. */
void sf_atom_destroy(sf_atom *a);

/** The radial grid (owned by the atom). */
const sf_atom_grid *sf_atom_grid_of(const sf_atom *a);
/** The configuration solved. */
const sf_atom_config *sf_atom_config_of(const sf_atom *a);
/** Self-consistent potential V(r) in Hartree, including -Z/r (owned by the atom). */
const double *sf_atom_potential(const sf_atom *a);
/** Total energy in Hartree. */
double sf_atom_total_energy(const sf_atom *a);
/** All energy terms in Hartree. */
sf_atom_energies sf_atom_energies_of(const sf_atom *a);
/** SCF iterations used. */
int sf_atom_iterations(const sf_atom *a);
/** Number of orbitals (shells of the configuration with occupation > 0 and
    those with occupation 0 that were listed). */
size_t sf_atom_orbital_count(const sf_atom *a);
/** Orbital i (0 .. count-1) in configuration order. SF_ERANGE for a bad index. */
int sf_atom_orbital_get(const sf_atom *a, size_t i, sf_atom_orbital *out);
/** Orbital (n, l). SF_ENOENT naming the subshell when the atom has none. */
int sf_atom_orbital_find(const sf_atom *a, int n, int l, sf_atom_orbital *out);

#ifdef __cplusplus
}
#endif
#endif
