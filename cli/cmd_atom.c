/* cmd_atom.c - `stemfuse atom El`: the self-consistent LDA atom (orbital
   eigenvalues and total energy), for the neutral ground state, a given
   configuration or a core hole. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_constants.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "potentials/sf_atom.h"
#include "potentials/sf_elements.h"

#include <stdio.h>
#include <string.h>


static int parse_xc(const char *text, sf_atom_xc_backend *xc) {
  if (strcmp(text, "auto") == 0)
    *xc = SF_ATOM_XC_AUTO;
  else if (strcmp(text, "libxc") == 0)
    *xc = SF_ATOM_XC_LIBXC;
  else if (strcmp(text, "builtin") == 0)
    *xc = SF_ATOM_XC_BUILTIN;
  else
    return -1;
  return 0;
}

static void print_atom(const char *symbol, const sf_atom *a, const sf_atom_params *p,
                       const char *xc_name) {
  char cfgtxt[256];
  const sf_atom_config *cfg = sf_atom_config_of(a);
  const sf_atom_grid *g = sf_atom_grid_of(a);
  const double charge = cfg->Z - sf_atom_config_electrons(cfg);
  sf_out("# %s  Z = %d  charge %+g  configuration %s\n", symbol, cfg->Z, charge,
         sf_atom_config_format(cfg, cfgtxt, sizeof cfgtxt));
  sf_out("# %s LDA (Slater exchange + VWN5 correlation, %s)%s\n",
         p->relativity == SF_ATOM_SCALAR_RELATIVISTIC ? "scalar-relativistic" : "non-relativistic",
         xc_name, p->relativistic_xc ? " with MacDonald-Vosko exchange" : "");
  sf_out("# grid: %zu points, r = %.3g .. %g Bohr (log); SCF converged in %d iterations\n", g->n,
         g->r[0], g->r[g->n - 1], sf_atom_iterations(a));
  sf_out("%-8s %10s %18s %16s\n", "orbital", "occupation", "energy_Ha", "energy_eV");
  for (size_t i = 0; i < sf_atom_orbital_count(a); ++i) {
    sf_atom_orbital o;
    char nm[8];
    sf_atom_orbital_get(a, i, &o);
    sf_out("%-8s %10g %18.8f %16.5f\n", sf_atom_subshell_name(o.n, o.l, nm), o.occupation,
           o.energy_Ha, o.energy_Ha * SF_HARTREE_eV);
  }
  const sf_atom_energies e = sf_atom_energies_of(a);
  sf_out("total_energy_Ha     %.8f\n", e.total);
  sf_out("kinetic_Ha          %.8f\n", e.kinetic);
  sf_out("electron_nucleus_Ha %.8f\n", e.electron_nucleus);
  sf_out("hartree_Ha          %.8f\n", e.hartree);
  sf_out("xc_Ha               %.8f\n", e.xc);
}

int sf_cmd_atom(int argc, char **argv) {
  const char *config = NULL, *core_hole = NULL, *xc_text = "auto";
  long points = 4001, max_iter = 200;
  double r_max = 50.0;
  int scalar_rel = 0;
  const sf_cli_option options[] = {
      {"config", 0, SF_OPT_STRING, &config, "TEXT",
       "electron configuration, e.g. \"[Ar] 3d6 4s1\" (default: neutral ground state)"},
      {"core-hole", 0, SF_OPT_STRING, &core_hole, "NL",
       "remove one electron from subshell NL (e.g. 1s, 2p)"},
      {"scalar-relativistic", 0, SF_OPT_FLAG, &scalar_rel, NULL,
       "Koelling-Harmon scalar-relativistic with MacDonald-Vosko exchange (NIST ScRLDA)"},
      {"xc", 0, SF_OPT_STRING, &xc_text, "KIND", "auto (default), libxc or builtin"},
      {"grid-points", 0, SF_OPT_INT, &points, "N", "radial grid points (default 4001)"},
      {"r-max-bohr", 0, SF_OPT_DOUBLE, &r_max, "R", "last grid radius in Bohr (default 50)"},
      {"max-iterations", 0, SF_OPT_INT, &max_iter, "N", "SCF iteration limit (default 200)"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      "atom", "[options] ELEMENT",
      "Solve the spherical all-electron LDA atom (Slater + VWN5, the functional of NIST\n"
      "SRD 141) self-consistently and print the orbital eigenvalues and the total energy\n"
      "in Hartree (and eV). ELEMENT is a symbol (Fe) for Z = 1..92.",
      options, 1, 1};
  const char *pos[1];
  int npos;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  int Z;
  if (sf_element_from_symbol(pos[0], &Z) != SF_OK)
    return sf_cli_usage_error("atom", "%s", sf_error_message());
  if (Z > SF_ATOM_Z_MAX)
    return sf_cli_usage_error("atom", "element %s (Z = %d): the atom solver covers Z = 1..%d",
                              pos[0], Z, SF_ATOM_Z_MAX);
  sf_atom_params p;
  sf_atom_params_default(&p);
  if (parse_xc(xc_text, &p.xc) != 0)
    return sf_cli_usage_error("atom", "--xc %s: expected auto, libxc or builtin", xc_text);
  if (points < 101 || points > 1000000)
    return sf_cli_usage_error("atom", "--grid-points %ld: must be 101 .. 1000000", points);
  if (max_iter < 1 || max_iter > 100000)
    return sf_cli_usage_error("atom", "--max-iterations %ld: must be 1 .. 100000", max_iter);
  if (!(r_max > 1.0))
    return sf_cli_usage_error("atom", "--r-max-bohr %g: must be > 1", r_max);
  p.grid_points = (size_t)points;
  p.max_iterations = (int)max_iter;
  p.r_max_bohr = r_max;
  if (scalar_rel) {
    p.relativity = SF_ATOM_SCALAR_RELATIVISTIC;
    p.relativistic_xc = 1;
  }
  sf_atom_config cfg;
  int status = config ? sf_atom_config_parse(Z, config, &cfg) : sf_atom_config_ground(Z, &cfg);
  if (status != SF_OK)
    return sf_cli_usage_error("atom", "%s", sf_error_message());
  if (core_hole) {
    int n, l;
    if (sf_atom_subshell_parse(core_hole, &n, &l) != SF_OK)
      return sf_cli_usage_error("atom", "--core-hole: %s", sf_error_message());
    int k = sf_atom_config_find(&cfg, n, l);
    if (k < 0 || cfg.shell[k].occupation < 1.0)
      return sf_cli_usage_error("atom", "--core-hole %s: %s has no electron in %s", core_hole,
                                pos[0], core_hole);
    sf_atom_config_set(&cfg, n, l, cfg.shell[k].occupation - 1.0);
  }
  const char *xc_name = p.xc == SF_ATOM_XC_BUILTIN ? "built-in"
                        : (p.xc == SF_ATOM_XC_LIBXC || sf_atom_xc_have_libxc()) ? "libxc"
                                                                                : "built-in";
  sf_atom *a = NULL;
  status = sf_atom_solve(&cfg, &p, &a);
  if (status != SF_OK)
    return sf_cli_fail("atom", status);
  print_atom(pos[0], a, &p, xc_name);
  sf_atom_destroy(a);
  return 0;
}
