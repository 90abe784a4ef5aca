/* transition_edges.c - ionisation edges: names (K, L1, L23, M45, ...), the
   subshell and spin-orbit components they cover, and the tabulated onsets.

   Tabulated onsets [pub], docs/transition-potentials.md section 3.5:
   O K 532 eV; Fe L3/L2 708/721 eV; Pt M5/M4 2122/2202 eV. Other edges take
   their onset from the caller (or -eps_nl of the LDA atom, see
   sf_transition_set_create). */
#include "potentials/sf_transition.h"

#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const struct {
  int Z;
  const char *component;
  double onset_eV;
} edge_table[] = {
    {8, "K", 532.0},  {26, "L3", 708.0},  {26, "L2", 721.0},
    {78, "M5", 2122.0}, {78, "M4", 2202.0},
};

static double table_onset(int Z, const char *component) {
  for (size_t k = 0; k < sizeof edge_table / sizeof edge_table[0]; ++k)
    if (edge_table[k].Z == Z && strcmp(edge_table[k].component, component) == 0)
      return edge_table[k].onset_eV;
  return 0.0;
}

/* Subshell index 1..7 of a shell letter -> (l, twice j); j2 = 0 for s. */
static int index_to_lj(int idx, int *l, int *j2) {
  static const int L[8] = {-1, 0, 1, 1, 2, 2, 3, 3};
  static const int J2[8] = {0, 1, 1, 3, 3, 5, 5, 7};
  if (idx < 1 || idx > 7)
    return -1;
  *l = L[idx];
  *j2 = J2[idx];
  return 0;
}

static int bad_name(const char *name) {
  return sf_error_set(SF_EINVAL,
                      "edge '%s': unknown (use K, L1, L23, L2, L3, M1, M23, M45, M4, M5, N1, "
                      "N23, N45, N67, ... ; L2,3 and M4,5 are accepted too)",
                      name);
}

int sf_edge_lookup(int Z, const char *name, sf_edge *out) {
  if (!name || !out)
    return sf_error_set(SF_EINVAL, "sf_edge_lookup: NULL argument");
  if (Z < 1 || Z > SF_ATOM_Z_MAX)
    return sf_error_set(SF_ERANGE, "edge %s: Z = %d outside 1..%d", name, Z, SF_ATOM_Z_MAX);
  /* Normalise "L2,3" / "M4,5" to "L23" / "M45". */
  char nm[8];
  size_t k = 0;
  for (const char *s = name; *s; ++s) {
    if (*s == ',')
      continue;
    if (k + 1 >= sizeof nm)
      return bad_name(name);
    nm[k++] = (char)toupper((unsigned char)*s);
  }
  nm[k] = '\0';
  static const char shells[] = "KLMNOP";
  const char *p = strchr(shells, nm[0]);
  if (!nm[0] || !p)
    return bad_name(name);
  const int n = (int)(p - shells) + 1;
  sf_edge e;
  memset(&e, 0, sizeof e);
  e.Z = Z;
  e.n = n;
  snprintf(e.name, sizeof e.name, "%s", nm);
  int l, j2a, j2b = -1;
  if (n == 1) {
    if (nm[1])
      return bad_name(name);
    l = 0;
    j2a = 1;
  } else {
    const size_t len = strlen(nm);
    if (len == 2 && isdigit((unsigned char)nm[1])) {
      if (index_to_lj(nm[1] - '0', &l, &j2a) != 0)
        return bad_name(name);
    } else if (len == 3 && isdigit((unsigned char)nm[1]) && nm[2] == nm[1] + 1 && nm[1] != '1' &&
               (nm[1] - '0') % 2 == 0) {
      int l2;
      if (index_to_lj(nm[1] - '0', &l, &j2a) != 0 || index_to_lj(nm[2] - '0', &l2, &j2b) != 0 ||
          l2 != l)
        return bad_name(name);
    } else {
      return bad_name(name);
    }
    if (l >= n)
      return bad_name(name);
  }
  e.l = l;
  /* Electrons from the ground state. */
  sf_atom_config cfg;
  SF_TRY(sf_atom_config_ground(Z, &cfg));
  const int i = sf_atom_config_find(&cfg, n, l);
  const double occ = i >= 0 ? cfg.shell[i].occupation : 0.0;
  if (!(occ > 0.0)) {
    char sub[8];
    const char *sym = sf_element_symbol(Z);
    return sf_error_set(SF_ENOENT, "edge %s of %s (Z = %d): the atom has no %s electron", nm,
                        sym ? sym : "?", Z, sf_atom_subshell_name(n, l, sub));
  }
  const double cap = 2.0 * (2 * l + 1);
  if (j2b < 0) {
    e.components = 1;
    snprintf(e.component_name[0], sizeof e.component_name[0], "%s", nm);
    e.electrons[0] = l == 0 ? occ : occ * (j2a + 1) / cap;
  } else {
    /* Higher j first: it has the lower onset (L3 before L2). */
    e.components = 2;
    snprintf(e.component_name[0], sizeof e.component_name[0], "%c%c", nm[0], nm[2]);
    snprintf(e.component_name[1], sizeof e.component_name[1], "%c%c", nm[0], nm[1]);
    e.electrons[0] = occ * (j2b + 1) / cap;
    e.electrons[1] = occ * (j2a + 1) / cap;
  }
  e.tabulated = 1;
  for (int c = 0; c < e.components; ++c) {
    e.threshold_eV[c] = table_onset(Z, e.component_name[c]);
    if (e.threshold_eV[c] <= 0.0)
      e.tabulated = 0;
  }
  if (!e.tabulated)
    for (int c = 0; c < e.components; ++c)
      e.threshold_eV[c] = 0.0;
  *out = e;
  return SF_OK;
}
