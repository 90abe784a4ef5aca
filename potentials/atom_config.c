/* atom_config.c - electron configurations: the built-in ground states of
   Z = 1..92, parsing ("[Ar] 3d6 4s2"), occupations and subshell names.

   Ground states follow the Madelung (n + l, then n) filling order, with the
   experimental exceptions used by NIST SRD 141 (Kotochigova et al., Phys.
   Rev. A 55, 191 (1997)): Cr, Cu, Nb, Mo, Ru, Rh, Pd, Ag, La, Ce, Gd, Pt,
   Au, Ac, Th, Pa, U. */
#include "potentials/sf_atom.h"

#include "core/sf_status.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char l_letters[] = "spdfghi";

/* Madelung filling order up to 7p. */
static const int madelung[][2] = {{1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {4, 0}, {3, 2},
                                  {4, 1}, {5, 0}, {4, 2}, {5, 1}, {6, 0}, {4, 3}, {5, 2},
                                  {6, 1}, {7, 0}, {5, 3}, {6, 2}, {7, 1}};

static const struct {
  int Z;
  const char *config;
} exceptions[] = {
    {24, "[Ar] 3d5 4s1"},      {29, "[Ar] 3d10 4s1"},       {41, "[Kr] 4d4 5s1"},
    {42, "[Kr] 4d5 5s1"},      {44, "[Kr] 4d7 5s1"},        {45, "[Kr] 4d8 5s1"},
    {46, "[Kr] 4d10"},         {47, "[Kr] 4d10 5s1"},       {57, "[Xe] 5d1 6s2"},
    {58, "[Xe] 4f1 5d1 6s2"},  {64, "[Xe] 4f7 5d1 6s2"},    {78, "[Xe] 4f14 5d9 6s1"},
    {79, "[Xe] 4f14 5d10 6s1"}, {89, "[Rn] 6d1 7s2"},       {90, "[Rn] 6d2 7s2"},
    {91, "[Rn] 5f2 6d1 7s2"},  {92, "[Rn] 5f3 6d1 7s2"},
};

static const struct {
  const char *name;
  int Z;
} noble_cores[] = {{"He", 2}, {"Ne", 10}, {"Ar", 18}, {"Kr", 36}, {"Xe", 54}, {"Rn", 86}};

static int cmp_shell(const void *a, const void *b) {
  const sf_atom_shell *x = a, *y = b;
  if (x->n != y->n)
    return x->n < y->n ? -1 : 1;
  return x->l < y->l ? -1 : (x->l > y->l);
}

static void sort_shells(sf_atom_config *cfg) {
  qsort(cfg->shell, (size_t)cfg->count, sizeof cfg->shell[0], cmp_shell);
}

/* Plain aufbau filling of `electrons` electrons. */
static void aufbau(int Z, int electrons, sf_atom_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->Z = Z;
  int left = electrons;
  for (size_t k = 0; k < sizeof madelung / sizeof madelung[0] && left > 0; ++k) {
    int cap = 2 * (2 * madelung[k][1] + 1);
    int occ = left < cap ? left : cap;
    cfg->shell[cfg->count].n = madelung[k][0];
    cfg->shell[cfg->count].l = madelung[k][1];
    cfg->shell[cfg->count].occupation = occ;
    cfg->count++;
    left -= occ;
  }
  sort_shells(cfg);
}

int sf_atom_config_find(const sf_atom_config *cfg, int n, int l) {
  for (int i = 0; i < cfg->count; ++i)
    if (cfg->shell[i].n == n && cfg->shell[i].l == l)
      return i;
  return -1;
}

int sf_atom_config_set(sf_atom_config *cfg, int n, int l, double occupation) {
  if (n < 1 || l < 0 || l >= n || l > 6)
    return sf_error_set(SF_EINVAL, "subshell n = %d, l = %d: need 0 <= l < n, l <= 6", n, l);
  if (!(occupation >= 0.0) || occupation > 2.0 * (2 * l + 1) || !isfinite(occupation)) {
    char nm[16];
    return sf_error_set(SF_EINVAL, "subshell %s: occupation %g outside 0 .. %d",
                        sf_atom_subshell_name(n, l, nm), occupation, 2 * (2 * l + 1));
  }
  int i = sf_atom_config_find(cfg, n, l);
  if (i < 0) {
    if (cfg->count >= SF_ATOM_MAX_ORBITALS)
      return sf_error_set(SF_ERANGE, "configuration: more than %d subshells",
                          SF_ATOM_MAX_ORBITALS);
    i = cfg->count++;
    cfg->shell[i].n = n;
    cfg->shell[i].l = l;
  }
  cfg->shell[i].occupation = occupation;
  sort_shells(cfg);
  return SF_OK;
}

double sf_atom_config_electrons(const sf_atom_config *cfg) {
  double s = 0.0;
  for (int i = 0; i < cfg->count; ++i)
    s += cfg->shell[i].occupation;
  return s;
}

char *sf_atom_subshell_name(int n, int l, char *buf) {
  if (l >= 0 && l < 7 && n > 0 && n < 100)
    snprintf(buf, 8, "%d%c", n, l_letters[l]);
  else
    snprintf(buf, 8, "?");
  return buf;
}

/* Parse "2p" (n and the letter) at s; returns characters used, 0 if none. */
static size_t parse_nl(const char *s, int *n, int *l) {
  size_t k = 0;
  int nn = 0;
  while (isdigit((unsigned char)s[k]) && k < 3)
    nn = 10 * nn + (s[k++] - '0');
  if (k == 0 || nn < 1)
    return 0;
  const char *p = strchr(l_letters, tolower((unsigned char)s[k]));
  if (!p || !s[k])
    return 0;
  int ll = (int)(p - l_letters);
  if (ll >= nn)
    return 0;
  *n = nn;
  *l = ll;
  return k + 1;
}

int sf_atom_subshell_parse(const char *text, int *n, int *l) {
  if (!text || !n || !l)
    return sf_error_set(SF_EINVAL, "subshell: NULL argument");
  size_t k = parse_nl(text, n, l);
  if (k == 0 || text[k] != '\0')
    return sf_error_set(SF_EINVAL, "subshell '%s': expected n followed by s, p, d or f "
                                   "(e.g. 1s, 2p, 3d)", text);
  return SF_OK;
}

int sf_atom_config_parse(int Z, const char *text, sf_atom_config *cfg) {
  if (!text || !cfg)
    return sf_error_set(SF_EINVAL, "configuration: NULL argument");
  if (Z < 1 || Z > SF_ATOM_Z_MAX)
    return sf_error_set(SF_ERANGE, "configuration: Z = %d outside 1..%d", Z, SF_ATOM_Z_MAX);
  sf_atom_config c;
  memset(&c, 0, sizeof c);
  c.Z = Z;
  const char *s = text;
  int any = 0;
  while (*s) {
    while (isspace((unsigned char)*s) || *s == ',')
      ++s;
    if (!*s)
      break;
    if (*s == '[') {
      const char *close = strchr(s, ']');
      size_t len = close ? (size_t)(close - s - 1) : 0;
      int core = -1;
      for (size_t k = 0; close && k < sizeof noble_cores / sizeof noble_cores[0]; ++k)
        if (strlen(noble_cores[k].name) == len && strncmp(s + 1, noble_cores[k].name, len) == 0)
          core = noble_cores[k].Z;
      if (core < 0)
        return sf_error_set(SF_EINVAL,
                            "configuration '%s': unknown core '%.*s' (use [He], [Ne], [Ar], "
                            "[Kr], [Xe] or [Rn])",
                            text, close ? (int)(close - s + 1) : (int)strlen(s), s);
      if (any)
        return sf_error_set(SF_EINVAL, "configuration '%s': the core must come first", text);
      aufbau(Z, core, &c);
      s = close + 1;
      any = 1;
      continue;
    }
    int n, l;
    size_t k = parse_nl(s, &n, &l);
    char *end = NULL;
    double occ = (k && !isspace((unsigned char)s[k])) ? strtod(s + k, &end) : 0.0;
    if (k == 0 || !end || end == s + k || (*end && !isspace((unsigned char)*end) && *end != ',')) {
      size_t tl = strcspn(s, " \t\n,");
      return sf_error_set(SF_EINVAL,
                          "configuration '%s': token '%.*s' is not a subshell with occupation "
                          "(e.g. 3d6)",
                          text, (int)tl, s);
    }
    if (sf_atom_config_find(&c, n, l) >= 0) {
      char nm[8];
      return sf_error_set(SF_EINVAL, "configuration '%s': subshell %s given twice", text,
                          sf_atom_subshell_name(n, l, nm));
    }
    SF_TRY(sf_atom_config_set(&c, n, l, occ));
    s = end;
    any = 1;
  }
  if (c.count == 0)
    return sf_error_set(SF_EINVAL, "configuration '%s': no subshells", text);
  *cfg = c;
  return SF_OK;
}

int sf_atom_config_ground(int Z, sf_atom_config *cfg) {
  if (!cfg)
    return sf_error_set(SF_EINVAL, "configuration: NULL argument");
  if (Z < 1 || Z > SF_ATOM_Z_MAX)
    return sf_error_set(SF_ERANGE, "ground-state configuration: Z = %d outside 1..%d", Z,
                        SF_ATOM_Z_MAX);
  for (size_t k = 0; k < sizeof exceptions / sizeof exceptions[0]; ++k)
    if (exceptions[k].Z == Z)
      return sf_atom_config_parse(Z, exceptions[k].config, cfg);
  aufbau(Z, Z, cfg);
  return SF_OK;
}

char *sf_atom_config_format(const sf_atom_config *cfg, char *buf, size_t size) {
  size_t used = 0;
  if (size)
    buf[0] = '\0';
  for (int i = 0; i < cfg->count && used < size; ++i) {
    char nm[8];
    double occ = cfg->shell[i].occupation;
    int w;
    if (occ == floor(occ))
      w = snprintf(buf + used, size - used, "%s%s%d", i ? " " : "",
                   sf_atom_subshell_name(cfg->shell[i].n, cfg->shell[i].l, nm), (int)occ);
    else
      w = snprintf(buf + used, size - used, "%s%s%g", i ? " " : "",
                   sf_atom_subshell_name(cfg->shell[i].n, cfg->shell[i].l, nm), occ);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  return buf;
}
