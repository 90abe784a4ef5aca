/* sf_transition.h - core-loss transition potentials (Dwyer) and inelastic
   cross-sections for K, L, M and N edges, from the LDA atom (sf_atom.h) and
   its continuum states (sf_continuum.h).

   A transition f takes the atom from |n l m> to |eps l' m'> (energy loss
   dE = E_edge + eps). Its transition potential, with the continuous 2-D
   transform and spatial frequencies without 2 pi (k = 1/lambda), is
       T_f(q) = gamma / (2 pi^2 a0 k_n) * M_f(K) / (q_perp^2 + q_z^2)   [A^2 eV^-1/2]
       M_f = sqrt(N_e) <eps l' m'| exp(-i K.r) |n l m>,  K = 2 pi (q_x, q_y, -q_z)
   (Dwyer, Ultramicroscopy 104, 141 (2005); Dwyer, Findlay & Allen, Phys. Rev.
   B 77, 184107 (2008), doi:10.1103/PhysRevB.77.184107), expanded with Wigner
   3j symbols, complex Y_lm with the Condon-Shortley phase and radial integrals
   I_lambda(K) = int u_eps,l'(r) j_lambda(K r) u_nl(r) dr (continuum per eV).
   Electron count: the sum over the initial m is explicit, so each transition
   carries N_e = f_nl / (2l+1) (2 for a closed subshell), never sqrt(4l+2) on
   top (the error of py_multislice and of abTEM before PR #368). Spin-orbit
   partners (L3/L2, M5/M4) are separate components with their own tabulated
   thresholds and (2j+1) shares of the electrons. An energy-loss window is
   covered by Gauss-Legendre nodes in eps; node j is its own incoherent set of
   final states, with weight w_j (eV). Numbers of final states per node (dipole,
   l' = l +- 1): K 3, L2,3 18, M4,5 50. Full derivation and validation:
   docs/transition-potentials.md.

   A sf_transition_set is the expensive part (atom SCF, continua, radial-
   integral tables); evaluating T_f(q), real-space T_f(R) on any grid or a
   cross-section from it is cheap. A built set is read-only, so evaluation
   is thread-safe (sf_transition_potential_grid plans FFTW and must not run
   concurrently with other FFTW planning).

   Catalogue: sf_transition_wavenumber_invA, sf_transition_ylm, sf_transition_bessel_array,
   sf_transition_matrix_element, sf_transition_angular_sum,
   sf_transition_radial_integral, sf_edge_lookup, sf_transition_params_default,
   sf_transition_params_key, sf_transition_set_create, sf_transition_set_destroy,
   sf_transition_set_params, sf_transition_set_edge, sf_transition_set_count,
   sf_transition_set_nodes, sf_transition_set_node, sf_transition_set_state,
   sf_transition_set_max_overlap, sf_transition_potential_q,
   sf_transition_potential_grid, sf_transition_dsigma_deps,
   sf_transition_cross_section, sf_hydrogenic_k_gos, sf_hydrogenic_k_dsigma_deps,
   sf_hydrogenic_k_cross_section, sf_tp_cache_path, sf_tp_cache_store,
   sf_tp_cache_load, sf_transition_set_create_cached. */
#ifndef SF_TRANSITION_H
#define SF_TRANSITION_H
#include "potentials/sf_atom.h"
#include "potentials/sf_continuum.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* ---- Kinematics and angular algebra ------------------------------------ */

/** Wavenumber k = 1/lambda (A^-1, no 2 pi) of an electron of kinetic energy
    energy_eV: sqrt(E (E + 2 m0 c^2)) / (h c). */
double sf_transition_wavenumber_invA(double energy_eV);

/** Complex spherical harmonic Y_lm(theta, phi) with the Condon-Shortley
    phase (Y_11 = -sqrt(3/8pi) sin(theta) e^(i phi)) into out[0] (real) and
    out[1] (imaginary). |m| <= l required (else 0). */
void sf_transition_ylm(int l, int m, double cos_theta, double phi, double out[2]);

/** <eps l' m'| exp(-i K.r) |n l m> (no electron-count factor) for a K of
    direction (cos_theta, phi), given the radial integrals I[lambda] at |K|,
    lambda = 0 .. l + l' (only |l - l'| <= lambda, l + l' + lambda even are
    used). Result in out[0] + i out[1], in the units of I. SF_EINVAL for
    |m| > l or |m'| > l'. */
int sf_transition_matrix_element(int l, int m, int lp, int mp, const double *I,
                                 double cos_theta, double phi, double out[2]);

/** Rotation-invariant sum over m and m' of |<eps l' m'| exp(-iK.r) |n l m>|^2:
    sum_lambda (2l+1)(2l'+1)(2lambda+1) (l' lambda l; 0 0 0)^2 I[lambda]^2. */
double sf_transition_angular_sum(int l, int lp, const double *I);

/** Spherical Bessel functions j_0(x) .. j_lmax(x), x >= 0, lmax <= 127, into
    j (lmax + 1 doubles, caller-owned); relative accuracy ~1e-14. */
void sf_transition_bessel_array(int lmax, double x, double *j);
/** Radial integral int u_c(r) j_lambda(K r) u_b(r) dr on grid g (K in
    Bohr^-1, lambda <= 63; units of u_b * u_c * Bohr). */
double sf_transition_radial_integral(const sf_atom_grid *g, const double *u_b, const double *u_c,
                                     int lambda, double K_inv_bohr);

/* ---- Edges --------------------------------------------------------------- */

#define SF_EDGE_MAX_COMPONENTS 2

/* An ionisation edge: the subshell (n, l) and its spin-orbit components. */
typedef struct sf_edge {
  int Z;
  int n, l;
  char name[8];       /* "K", "L1", "L23", "L3", "M45", ... */
  int components;     /* 1 or 2 */
  char component_name[SF_EDGE_MAX_COMPONENTS][8]; /* "L3", "L2" (or the edge name) */
  double threshold_eV[SF_EDGE_MAX_COMPONENTS];    /* energy loss at each onset */
  double electrons[SF_EDGE_MAX_COMPONENTS];       /* electrons of each component */
  int tabulated;      /* 1: thresholds from the table, 0: from -eps_nl of the LDA atom or the user */
} sf_edge;

/** Resolve edge `name` of element Z: K, L1, L23 (also "L2,3"), L2, L3, M1,
    M23, M2, M3, M45 ("M4,5"), M4, M5, N1, N23, N45, N67 (also N2..N7, O1,
    O23, O45). electrons come from the ground-state configuration;
    thresholds from the built-in table (O K 532, Fe L3/L2 708/721,
    Pt M5/M4 2122/2202 eV, docs/transition-potentials.md section 3.5) or,
    when absent, are set to 0 with tabulated = 0 (the caller supplies them).
    SF_EINVAL for an unknown edge name (message lists the valid ones),
    SF_ENOENT naming the element and subshell when the atom has no electron
    there, SF_ERANGE for Z outside 1..92. */
int sf_edge_lookup(int Z, const char *name, sf_edge *out);

/* ---- Transition sets ------------------------------------------------------ */

typedef struct sf_transition_params {
  int Z;                     /* element 1..92 */
  char edge[8];              /* edge name (see sf_edge_lookup) */
  double energy_keV;         /* incident electron energy */
  double window_eV;          /* width of the energy-loss window (> 0) */
  double window_start_eV;    /* energy loss where the window starts; 0: the first onset.
                                A window (partly) below an onset uses only the part above it */
  int energy_nodes;          /* Gauss-Legendre nodes per component over its window (default 5) */
  int lprime_max;            /* -1: dipole only (l' = l +- 1, default); else all l' = 0..lprime_max */
  sf_continuum_kind continuum; /* default SF_CONTINUUM_GROUND */
  double edge_eV;            /* > 0: threshold of the first component (others keep the tabulated
                                splitting); 0: table, else -eps_nl of the LDA atom (warned) */
  double q_max_invA;         /* largest |q| (A^-1, no 2 pi) tabulated; default 8 */
  double dK_inv_bohr;        /* radial-integral table step in K (Bohr^-1); default 0.05 */
  size_t grid_points;        /* atom grid points; default 4001 */
  int scalar_relativistic;   /* bound states from the scalar-relativistic atom (default 0) */
  int single_onset;          /* 1: all electrons of a spin-orbit pair at the first onset (as the
                                prototype's L2,3 numbers); 0 (default): L3/L2, M5/M4 onsets */
} sf_transition_params;

/* One final state f. */
typedef struct sf_transition_state {
  size_t node;          /* energy node index */
  int component;        /* spin-orbit component of the edge */
  int l, m, lp, mp;     /* initial (l, m) and final (l', m') */
  double electrons;     /* N_e of this transition (per m): f_nl share / (2l+1) */
} sf_transition_state;

/* One energy node. */
typedef struct sf_transition_node {
  int component;
  double epsilon_eV;     /* continuum kinetic energy above the component's threshold */
  double weight_eV;      /* quadrature weight */
  double energy_loss_eV; /* threshold + epsilon */
  double k_n_invA;       /* wavenumber after the loss */
  double q_z_invA;       /* k_0 - k_n */
} sf_transition_node;

typedef struct sf_transition_set sf_transition_set; /* opaque */

/** Defaults listed in sf_transition_params (Z = 0, edge "" must be set). */
void sf_transition_params_default(sf_transition_params *p);
/** Canonical text of every parameter that determines the set (cache key);
    returns buf (size >= 512 recommended). */
char *sf_transition_params_key(const sf_transition_params *p, char *buf, size_t size);

/** Build the set: ground-state atom (and core-hole atom when asked),
    continua at every node and l', radial-integral tables up to q_max.
    Errors: SF_ERANGE (Z), SF_EINVAL (unknown edge, window <= 0, bad
    parameter, each named), SF_ENOENT (the atom has no such subshell),
    SF_ERANGE when the window lies entirely below the onset (the message
    names window and onset) or the beam energy does not exceed the energy
    loss, SF_EMAXITER / SF_ENUMERIC from the SCF. On success *out is owned by the caller. */
int sf_transition_set_create(const sf_transition_params *p, sf_transition_set **out);
/** Free a set. NULL is a no-op. */
void sf_transition_set_destroy(sf_transition_set *ts);

/** The parameters (with defaults filled in). */
const sf_transition_params *sf_transition_set_params(const sf_transition_set *ts);
/** The edge with the thresholds used. */
const sf_edge *sf_transition_set_edge(const sf_transition_set *ts);
/** Number of final states (transitions f over all nodes). */
size_t sf_transition_set_count(const sf_transition_set *ts);
/** Number of energy nodes. */
size_t sf_transition_set_nodes(const sf_transition_set *ts);
/** Node j. SF_ERANGE for a bad index. */
int sf_transition_set_node(const sf_transition_set *ts, size_t j, sf_transition_node *out);
/** Final state f. SF_ERANGE for a bad index. */
int sf_transition_set_state(const sf_transition_set *ts, size_t f, sf_transition_state *out);
/** Largest |<eps l|n l>| over the channels with l' = l (after the Schmidt
    step for the core-hole continuum); 0 when there are none. */
double sf_transition_set_max_overlap(const sf_transition_set *ts);

/** T_f(q) in A^2 eV^-1/2 (not multiplied by the node weight) at the
    transverse frequency (qx, qy) in A^-1 (no 2 pi), into out[0] + i out[1].
    SF_ERANGE when |q| is beyond the table (q_max_invA). */
int sf_transition_potential_q(const sf_transition_set *ts, size_t f, double qx_invA,
                              double qy_invA, double out[2]);

/* A periodic real-space grid for transition potentials. */
typedef struct sf_tp_grid {
  size_t nx, ny;         /* pixels */
  double sampling_x_A;   /* pixel size along x (A) */
  double sampling_y_A;   /* pixel size along y (A) */
  double band_limit;     /* fraction of the Nyquist frequency kept (0: 2/3) */
} sf_tp_grid;

/** Real-space transition potential of final state f for an atom at (x_A,
    y_A) on the periodic grid: T(R) = (1/(dx dy)) IFFT[T(q) e^(-2 pi i q.R_a)]
    over the band-limited frequencies (eV^-1/2), or, when weighted != 0,
    multiplied by sqrt(weight_eV) of its node (dimensionless). With weights,
    for a wave with sum |psi|^2 = 1 over the grid, sum_f sum_R |T_f psi|^2 is
    the ionisation probability per incident electron (sigma / cell area for
    a plane wave).
    out holds 2 nx ny floats (re, im interleaved; out[2*(iy*nx+ix)]),
    caller-owned. SF_ERANGE when the band limit exceeds q_max_invA;
    SF_EINVAL for a bad grid; SF_ENOMEM. */
int sf_transition_potential_grid(const sf_transition_set *ts, size_t f, const sf_tp_grid *grid,
                                 double x_A, double y_A, int weighted, float *out);

/** dsigma/d(eps) at node j in barn/eV, summed over its final states, for a
    collection semi-angle beta_mrad (|q_perp| <= k0 beta), from the
    rotation-invariant angular sum and a quadrature in ln(q^2 + q_z^2).
    SF_ERANGE when k0 beta exceeds the table. */
int sf_transition_dsigma_deps(const sf_transition_set *ts, size_t j, double beta_mrad,
                              double *barn_per_eV);
/** Cross-section over the energy window in barn: sum_j w_j dsigma/deps(j). */
int sf_transition_cross_section(const sf_transition_set *ts, double beta_mrad, double *barn);

/* ---- Hydrogenic K-shell model (Egerton, EELS in the Electron Microscope,
        3rd ed., App. B; SIGMAK3-type) --------------------------------------- */

/** Hydrogenic K-shell generalised oscillator strength df/dE (per eV) at
    energy loss E_eV for effective charge Zs and (Q a0)^2, threshold Zs^2 R
    (R = 13.6057 eV); both branches (E above and below Zs^2 R). */
double sf_hydrogenic_k_gos(double Zs, double E_eV, double Qa0_sq);
/** dsigma/dE (barn/eV) of the hydrogenic K model (Zs = Z - 0.5) at energy
    loss E_eV for beam energy_keV and collection semi-angle beta_mrad. */
double sf_hydrogenic_k_dsigma_deps(int Z, double E_eV, double energy_keV, double beta_mrad);
/** sigma (barn) over [edge_eV, edge_eV + window_eV] of the hydrogenic K model.
    SF_EINVAL for non-positive arguments. */
int sf_hydrogenic_k_cross_section(int Z, double edge_eV, double energy_keV, double beta_mrad,
                                  double window_eV, double *barn);

/* ---- Disk cache (potentials/tp_cache.c) ----------------------------------- */

/** Path of the cache file of parameter set p in directory dir
    (dir/tp-<16 hex digits of the key hash>.sftp) into buf. */
char *sf_tp_cache_path(const char *dir, const sf_transition_params *p, char *buf, size_t size);
/** Write ts to its cache file in dir (atomically; an existing entry is
    replaced). SF_ENOENT when dir does not exist, SF_EIO. */
int sf_tp_cache_store(const char *dir, const sf_transition_set *ts);
/** Load the set of parameters p from dir into *out. SF_ENOENT when there is
    no entry; SF_EFORMAT for a corrupt or foreign file, or one whose stored
    key differs from p (hash collision); SF_EIO. */
int sf_tp_cache_load(const char *dir, const sf_transition_params *p, sf_transition_set **out);
/** Load from dir when cached, else build and store (dir NULL: no cache). A
    corrupt entry is reported with a warning and rebuilt. *hit (optional) is
    1 when the set came from the cache. */
int sf_transition_set_create_cached(const sf_transition_params *p, const char *dir,
                                    sf_transition_set **out, int *hit);

#ifdef __cplusplus
}
#endif
#endif
