/* recipe_load.c - parse, override, validate and resolve a validation recipe.

   The schema check (io/sf_config.h) catches unknown keys, wrong types and
   numbers out of range; this file checks what the schema cannot: element
   symbols, formulas, phase names used by the shape, array lengths, a
   non-empty grid, doses that give counts. Every problem is one line
   "origin: table.key = value: reason", all problems are reported together,
   and the status is that of the first. */
#include "validate/sf_recipe.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest phantom, in voxels (the phantom stores a fraction per phase and voxel). */
#define MAX_VOXELS 268435456.0

/* ---- problem collection ---- */

typedef struct problems {
  const sf_config *cfg;
  const char *name; /* source name for values that come from defaults */
  char *text;
  size_t len, cap;
  int status;
} problems;

static void add_line(problems *pr, int status, const char *line) {
  size_t n = strlen(line);
  if (pr->len + n + 2 > pr->cap) {
    size_t cap = pr->cap ? pr->cap : 256;
    while (pr->len + n + 2 > cap)
      cap *= 2;
    char *t = realloc(pr->text, cap);
    if (!t) {
      if (pr->status == SF_OK)
        pr->status = SF_ENOMEM;
      return;
    }
    pr->text = t;
    pr->cap = cap;
  }
  if (pr->len)
    pr->text[pr->len++] = '\n';
  memcpy(pr->text + pr->len, line, n + 1);
  pr->len += n;
  if (pr->status == SF_OK)
    pr->status = status;
}

/* Text of a value as written in TOML, for messages. */
static void value_text(const sf_config *cfg, const char *table, const char *key, char *buf,
                       size_t size) {
  buf[0] = '\0';
  const sf_config_schema *s = sf_recipe_schema();
  const char *schema_table = table;
  char base[32];
  const char *dot = table ? strchr(table, '.') : NULL;
  if (dot && (size_t)(dot - table) < sizeof base) {
    memcpy(base, table, (size_t)(dot - table));
    base[dot - table] = '\0';
    schema_table = base;
  }
  sf_config_type type = SF_CFG_STRING;
  for (size_t i = 0; i < s->n_keys; ++i)
    if (strcmp(s->keys[i].key, key) == 0 &&
        strcmp(s->keys[i].table ? s->keys[i].table : "", schema_table ? schema_table : "") == 0)
      type = s->keys[i].type;
  size_t len = 0;
  switch (type) {
  case SF_CFG_NUMBER:
  case SF_CFG_INT: {
    double v = 0.0;
    if (sf_config_get_number(cfg, table, key, &v) == SF_OK)
      snprintf(buf, size, "%.10g", v);
    break;
  }
  case SF_CFG_STRING: {
    const char *v = NULL;
    if (sf_config_get_string(cfg, table, key, &v) == SF_OK)
      snprintf(buf, size, "\"%s\"", v);
    break;
  }
  case SF_CFG_BOOL: {
    bool v = false;
    if (sf_config_get_bool(cfg, table, key, &v) == SF_OK)
      snprintf(buf, size, "%s", v ? "true" : "false");
    break;
  }
  case SF_CFG_NUMBERS: {
    double *v = NULL;
    size_t n = 0;
    if (sf_config_get_numbers(cfg, table, key, &v, &n) == SF_OK) {
      len += (size_t)snprintf(buf, size, "[");
      for (size_t i = 0; i < n && len < size; ++i)
        len += (size_t)snprintf(buf + len, size - len, "%s%.10g", i ? ", " : "", v[i]);
      if (len < size)
        snprintf(buf + len, size - len, "]");
      sf_free(v);
    }
    break;
  }
  case SF_CFG_STRINGS: {
    const char *const *v = NULL;
    size_t n = 0;
    if (sf_config_get_strings(cfg, table, key, &v, &n) == SF_OK) {
      len += (size_t)snprintf(buf, size, "[");
      for (size_t i = 0; i < n && len < size; ++i)
        len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"", i ? ", " : "", v[i]);
      if (len < size)
        snprintf(buf + len, size - len, "]");
    }
    break;
  }
  }
}

/* One problem about table.key: "origin: table.key = value: reason". */
static void problem(problems *pr, int status, const char *table, const char *key, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
static void problem(problems *pr, int status, const char *table, const char *key, const char *fmt,
                    ...) {
  char origin[512], value[512], reason[1024], line[2304];
  sf_config_origin(pr->cfg, table, key, origin, sizeof origin);
  int from_default = strcmp(origin, "default") == 0;
  if (from_default)
    snprintf(origin, sizeof origin, "%s", pr->name);
  value_text(pr->cfg, table, key, value, sizeof value);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  snprintf(line, sizeof line, "%s: %s%s%s = %s%s: %s", origin, table && *table ? table : "",
           table && *table ? "." : "", key, value, from_default ? " (default)" : "", reason);
  add_line(pr, status, line);
}

/* A problem about a whole table (no single key). */
static void table_problem(problems *pr, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void table_problem(problems *pr, int status, const char *fmt, ...) {
  char reason[1024], line[1600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  snprintf(line, sizeof line, "%s: %s", pr->name, reason);
  add_line(pr, status, line);
}

/* ---- typed reads (the schema has been validated, so these succeed) ---- */

static double num(const sf_config *cfg, const char *table, const char *key) {
  double v = 0.0;
  sf_config_get_number(cfg, table, key, &v);
  return v;
}

static int64_t integer(const sf_config *cfg, const char *table, const char *key) {
  int64_t v = 0;
  sf_config_get_int(cfg, table, key, &v);
  return v;
}

static const char *str(const sf_config *cfg, const char *table, const char *key) {
  const char *v = "";
  sf_config_get_string(cfg, table, key, &v);
  return v ? v : "";
}

static bool boolean(const sf_config *cfg, const char *table, const char *key) {
  bool v = false;
  sf_config_get_bool(cfg, table, key, &v);
  return v;
}

/* Up to `cap` numbers into out; returns the count in the file (may exceed cap). */
static size_t nums(const sf_config *cfg, const char *table, const char *key, double *out,
                   size_t cap) {
  double *v = NULL;
  size_t n = 0;
  if (sf_config_get_numbers(cfg, table, key, &v, &n) != SF_OK)
    return 0;
  for (size_t i = 0; i < n && i < cap; ++i)
    out[i] = v[i];
  sf_free(v);
  return n;
}

static int choice(const char *text, const char *const *names) {
  for (int i = 0; names[i]; ++i)
    if (strcmp(text, names[i]) == 0)
      return i;
  return -1;
}

/* ---- phases ---- */

/* "Ga2O3", "Co0.64S0.36", "CH3COOH" into symbols and amounts (repeats summed).
   Returns the number of elements, or -1 with a reason in why. */
static int parse_formula(const char *f, char sym[][SF_PHANTOM_SYMBOL_MAX], double *amount,
                         int *Z, size_t cap, char *why, size_t why_size) {
  size_t n = 0;
  const char *s = f;
  if (!*s) {
    snprintf(why, why_size, "empty formula");
    return -1;
  }
  while (*s) {
    if (*s < 'A' || *s > 'Z') {
      snprintf(why, why_size, "expected an element symbol at '%s'", s);
      return -1;
    }
    char symbol[8];
    size_t k = 0;
    symbol[k++] = *s++;
    while (*s >= 'a' && *s <= 'z' && k < 3)
      symbol[k++] = *s++;
    symbol[k] = '\0';
    double a = 1.0;
    if ((*s >= '0' && *s <= '9') || *s == '.') {
      char *end;
      a = strtod(s, &end);
      if (end == s || !isfinite(a) || a <= 0.0) {
        snprintf(why, why_size, "bad amount after '%s'", symbol);
        return -1;
      }
      s = end;
    }
    int z = 0;
    if (sf_element_from_symbol(symbol, &z) != SF_OK) {
      snprintf(why, why_size, "'%s' is not an element symbol", symbol);
      return -1;
    }
    size_t j = 0;
    while (j < n && Z[j] != z)
      ++j;
    if (j == n) {
      if (n == cap) {
        snprintf(why, why_size, "more than %zu elements", cap);
        return -1;
      }
      snprintf(sym[n], SF_PHANTOM_SYMBOL_MAX, "%s", symbol);
      Z[n] = z;
      amount[n] = 0.0;
      ++n;
    }
    amount[j] += a;
  }
  return (int)n;
}

static void read_phases(const sf_config *cfg, problems *pr, sf_recipe_params *p) {
  size_t count = sf_config_count(cfg, "phase");
  if (count == 0) {
    table_problem(pr, SF_EINVAL, "[[phase]]: a recipe needs at least one [[phase]]");
    return;
  }
  if (count > SF_RECIPE_MAX_PHASES) {
    table_problem(pr, SF_ERANGE, "[[phase]]: %zu phases, at most %d", count,
                  SF_RECIPE_MAX_PHASES);
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    char t[32];
    snprintf(t, sizeof t, "phase.%zu", i + 1);
    const char *name = str(cfg, t, "name");
    if (!sf_name_is_valid(name) || strlen(name) >= SF_PHANTOM_NAME_MAX) {
      problem(pr, SF_EINVAL, t, "name", "phase names use [A-Za-z0-9_] and < %d characters",
              SF_PHANTOM_NAME_MAX);
      continue;
    }
    for (size_t j = 0; j < p->n_phases; ++j)
      if (strcmp(p->phases[j].phase.name, name) == 0)
        problem(pr, SF_EINVAL, t, "name", "a phase of this name is already defined");
    const char *formula = str(cfg, t, "formula");
    const char *const *els = NULL;
    size_t n_els = 0;
    sf_config_get_strings(cfg, t, "elements", &els, &n_els);
    double amounts[SF_PHANTOM_MAX_ELEMENTS + 1];
    size_t n_am = nums(cfg, t, "amounts", amounts, SF_PHANTOM_MAX_ELEMENTS + 1);
    char sym[SF_PHANTOM_MAX_ELEMENTS][SF_PHANTOM_SYMBOL_MAX];
    int Z[SF_PHANTOM_MAX_ELEMENTS];
    int n = 0;
    if (*formula && n_els) {
      problem(pr, SF_EINVAL, t, "formula", "give a formula or elements + amounts, not both");
      continue;
    }
    if (*formula) {
      char why[256];
      n = parse_formula(formula, sym, amounts, Z, SF_PHANTOM_MAX_ELEMENTS, why, sizeof why);
      if (n < 0) {
        problem(pr, SF_EINVAL, t, "formula", "%s", why);
        continue;
      }
    } else if (n_els) {
      if (n_els > SF_PHANTOM_MAX_ELEMENTS) {
        problem(pr, SF_ERANGE, t, "elements", "at most %d elements per phase",
                SF_PHANTOM_MAX_ELEMENTS);
        continue;
      }
      if (n_am != n_els) {
        problem(pr, SF_EINVAL, t, "amounts", "%zu amounts for %zu elements", n_am, n_els);
        continue;
      }
      int bad = 0;
      for (size_t k = 0; k < n_els; ++k) {
        if (sf_element_from_symbol(els[k], &Z[k]) != SF_OK) {
          problem(pr, SF_EINVAL, t, "elements", "'%s' is not an element symbol", els[k]);
          bad = 1;
          break;
        }
        snprintf(sym[k], sizeof sym[k], "%s", els[k]);
        for (size_t j = 0; j < k; ++j)
          if (Z[j] == Z[k]) {
            problem(pr, SF_EINVAL, t, "elements", "'%s' is listed twice", els[k]);
            bad = 1;
          }
      }
      if (bad)
        continue;
      n = (int)n_els;
    } else {
      problem(pr, SF_EINVAL, t, "formula",
              "missing element: give the composition as formula or as elements + amounts");
      continue;
    }
    double total = 0.0;
    for (int k = 0; k < n; ++k)
      total += amounts[k];
    if (!(total > 0.0)) {
      problem(pr, SF_EINVAL, t, "amounts", "the amounts sum to zero");
      continue;
    }
    const char *symbols[SF_PHANTOM_MAX_ELEMENTS];
    for (int k = 0; k < n; ++k)
      symbols[k] = sym[k];
    sf_recipe_phase *rp = &p->phases[p->n_phases];
    rp->density_per_A3 = num(cfg, t, "density_per_A3");
    if (sf_phantom_phase_from_amounts(&rp->phase, name, (size_t)n, Z, symbols, amounts,
                                      rp->density_per_A3) != SF_OK) {
      problem(pr, SF_EINVAL, t, "name", "%s", sf_error_message());
      continue;
    }
    p->n_phases++;
  }
}

/* Distinct elements over the phases in order of first appearance. */
static void collect_elements(sf_recipe_params *p) {
  p->n_elements = 0;
  for (size_t i = 0; i < p->n_phases; ++i) {
    const sf_phantom_phase *ph = &p->phases[i].phase;
    for (size_t k = 0; k < ph->n; ++k) {
      if (sf_recipe_element_index(p, ph->Z[k]) >= 0 || p->n_elements == SF_RECIPE_MAX_ELEMENTS)
        continue;
      p->Z[p->n_elements] = ph->Z[k];
      snprintf(p->symbol[p->n_elements], SF_PHANTOM_SYMBOL_MAX, "%s", ph->symbol[k]);
      p->n_elements++;
    }
  }
}

static size_t distinct_elements(const sf_recipe_params *p) {
  int seen[SF_RECIPE_MAX_PHASES * SF_PHANTOM_MAX_ELEMENTS];
  size_t n = 0;
  for (size_t i = 0; i < p->n_phases; ++i)
    for (size_t k = 0; k < p->phases[i].phase.n; ++k) {
      size_t j = 0;
      while (j < n && seen[j] != p->phases[i].phase.Z[k])
        ++j;
      if (j == n)
        seen[n++] = p->phases[i].phase.Z[k];
    }
  return n;
}

/* [chem]: the order and yields of the chemical maps. */
static void read_chem(const sf_config *cfg, problems *pr, sf_recipe_params *p) {
  if (distinct_elements(p) > SF_RECIPE_MAX_ELEMENTS) {
    table_problem(pr, SF_ERANGE, "[[phase]]: more than %d distinct elements",
                  SF_RECIPE_MAX_ELEMENTS);
    return;
  }
  const char *const *els = NULL;
  size_t n = 0;
  sf_config_get_strings(cfg, "chem", "elements", &els, &n);
  if (n) {
    int Z[SF_RECIPE_MAX_ELEMENTS];
    char sym[SF_RECIPE_MAX_ELEMENTS][SF_PHANTOM_SYMBOL_MAX];
    int ok = 1;
    if (n > SF_RECIPE_MAX_ELEMENTS) {
      problem(pr, SF_ERANGE, "chem", "elements", "at most %d elements", SF_RECIPE_MAX_ELEMENTS);
      return;
    }
    for (size_t k = 0; k < n; ++k) {
      if (sf_element_from_symbol(els[k], &Z[k]) != SF_OK) {
        problem(pr, SF_EINVAL, "chem", "elements", "'%s' is not an element symbol", els[k]);
        ok = 0;
        continue;
      }
      snprintf(sym[k], sizeof sym[k], "%s", els[k]);
      if (sf_recipe_element_index(p, Z[k]) < 0) {
        problem(pr, SF_EINVAL, "chem", "elements", "element '%s' is in no [[phase]]", els[k]);
        ok = 0;
      }
      for (size_t j = 0; j < k; ++j)
        if (Z[j] == Z[k]) {
          problem(pr, SF_EINVAL, "chem", "elements", "'%s' is listed twice", els[k]);
          ok = 0;
        }
    }
    for (size_t e = 0; e < p->n_elements; ++e) {
      size_t k = 0;
      while (k < n && Z[k] != p->Z[e])
        ++k;
      if (k == n) {
        problem(pr, SF_EINVAL, "chem", "elements",
                "missing element '%s' (in a [[phase]]): every element needs a chemical map",
                p->symbol[e]);
        ok = 0;
      }
    }
    if (!ok)
      return;
    for (size_t k = 0; k < n; ++k) {
      p->Z[k] = Z[k];
      snprintf(p->symbol[k], SF_PHANTOM_SYMBOL_MAX, "%s", sym[k]);
    }
  }
  double y[SF_RECIPE_MAX_ELEMENTS + 1];
  size_t ny = nums(cfg, "chem", "yields", y, SF_RECIPE_MAX_ELEMENTS + 1);
  if (ny && ny != p->n_elements)
    problem(pr, SF_EINVAL, "chem", "yields", "%zu yields for %zu elements", ny, p->n_elements);
  for (size_t k = 0; k < p->n_elements; ++k)
    p->yield_rel[k] = ny == p->n_elements ? y[k] : 1.0;
  p->chem_yield_A2 = num(cfg, "chem", "yield_A2");
  snprintf(p->chem_prefix, sizeof p->chem_prefix, "%s", str(cfg, "chem", "signal"));
}

/* ---- phantom ---- */

static int phase_ref(const sf_config *cfg, problems *pr, const sf_recipe_params *p,
                     const char *table, const char *key) {
  const char *name = str(cfg, table, key);
  if (!*name) {
    problem(pr, SF_EINVAL, table, key, "required for this shape: name a [[phase]]");
    return -1;
  }
  int i = sf_recipe_phase_index(p, name);
  if (i < 0) {
    char list[512];
    size_t len = 0;
    list[0] = '\0';
    for (size_t k = 0; k < p->n_phases && len < sizeof list; ++k)
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                              p->phases[k].phase.name);
    problem(pr, SF_EINVAL, table, key, "no [[phase]] of this name (phases: %s)", list);
  }
  return i;
}

/* 1 when a shape key of [phantom] holds its schema default ("", 0, [] or "x"). */
static int at_default(const sf_config *cfg, const char *key) {
  const sf_config_schema *s = sf_recipe_schema();
  for (size_t i = 0; i < s->n_keys; ++i) {
    const sf_config_key *k = &s->keys[i];
    if (!k->table || strcmp(k->table, "phantom") != 0 || strcmp(k->key, key) != 0)
      continue;
    switch (k->type) {
    case SF_CFG_NUMBER:
      return num(cfg, "phantom", key) == 0.0;
    case SF_CFG_NUMBERS: {
      double v[1];
      return nums(cfg, "phantom", key, v, 1) == 0;
    }
    case SF_CFG_STRING: {
      const char *v = str(cfg, "phantom", key);
      return strcmp(key, "film_axis") == 0 ? strcmp(v, "x") == 0 : *v == '\0';
    }
    default:
      return 0;
    }
  }
  return 0;
}

static void read_phantom(const sf_config *cfg, problems *pr, sf_recipe_params *p) {
  static const char *const shape_names[] = {"sphere", "core_shell", "cuboid", "films", NULL};
  p->shape = (sf_recipe_shape)choice(str(cfg, "phantom", "shape"), shape_names);
  p->voxel_A = num(cfg, "phantom", "voxel_A");
  p->supersampling = (int)integer(cfg, "phantom", "supersampling");
  double size[4];
  size_t ns = nums(cfg, "phantom", "size_A", size, 4);
  size_t dims[3] = {0, 0, 0};
  if (ns != 3) {
    problem(pr, SF_EINVAL, "phantom", "size_A", "expected 3 values (x, y, z)");
  } else {
    static const char axis[3] = {'x', 'y', 'z'};
    double voxels = 1.0;
    for (int a = 0; a < 3; ++a) {
      double n = floor(size[a] / p->voxel_A + 0.5);
      if (n < 1.0) {
        problem(pr, SF_EINVAL, "phantom", "size_A",
                "zero-size phantom: %g voxels along %c (size_A / voxel_A = %g / %g)", n, axis[a],
                size[a], p->voxel_A);
        n = 0.0;
      }
      dims[a] = (size_t)n;
      voxels *= n;
    }
    if (voxels > MAX_VOXELS)
      problem(pr, SF_ERANGE, "phantom", "size_A", "%.3g voxels, at most %.3g", voxels,
              MAX_VOXELS);
  }
  p->nx = dims[0];
  p->ny = dims[1];
  p->nz = dims[2];

  /* keys that belong to other shapes */
  static const struct {
    const char *key;
    unsigned shapes; /* bit per sf_recipe_shape */
  } owned[] = {
      {"centre_A", 1u << SF_RECIPE_SPHERE | 1u << SF_RECIPE_CORE_SHELL},
      {"radius_A", 1u << SF_RECIPE_SPHERE | 1u << SF_RECIPE_CORE_SHELL},
      {"core_radius_A", 1u << SF_RECIPE_CORE_SHELL},
      {"phase", 1u << SF_RECIPE_SPHERE | 1u << SF_RECIPE_CUBOID},
      {"core_phase", 1u << SF_RECIPE_CORE_SHELL},
      {"shell_phase", 1u << SF_RECIPE_CORE_SHELL},
      {"lo_A", 1u << SF_RECIPE_CUBOID},
      {"hi_A", 1u << SF_RECIPE_CUBOID},
      {"film_axis", 1u << SF_RECIPE_FILMS},
      {"films_z0_A", 1u << SF_RECIPE_FILMS},
  };
  if ((int)p->shape < 0)
    return;
  /* a key of another shape set to something other than its default (the
     resolved configuration lists every key with its default) */
  for (size_t i = 0; i < sizeof owned / sizeof owned[0]; ++i)
    if (sf_config_has(cfg, "phantom", owned[i].key) && !(owned[i].shapes & (1u << p->shape)) &&
        !at_default(cfg, owned[i].key))
      problem(pr, SF_EINVAL, "phantom", owned[i].key, "does not apply to shape '%s'",
              sf_recipe_shape_name(p->shape));
  size_t n_films = sf_config_count(cfg, "film");
  if (n_films && p->shape != SF_RECIPE_FILMS)
    table_problem(pr, SF_EINVAL, "[[film]]: films apply to shape 'films' only (shape is '%s')",
                  sf_recipe_shape_name(p->shape));

  bool used[SF_RECIPE_MAX_PHASES] = {false};
  double c[4];
  size_t nc = nums(cfg, "phantom", "centre_A", c, 4);
  for (int a = 0; a < 3; ++a)
    p->centre_A[a] = (double)dims[a] * p->voxel_A / 2.0;
  if (nc == 3)
    for (int a = 0; a < 3; ++a)
      p->centre_A[a] = c[a];
  else if (nc != 0)
    problem(pr, SF_EINVAL, "phantom", "centre_A", "expected 3 values (x, y, z) or []");
  p->radius_A = num(cfg, "phantom", "radius_A");
  p->core_radius_A = num(cfg, "phantom", "core_radius_A");
  switch (p->shape) {
  case SF_RECIPE_SPHERE:
  case SF_RECIPE_CUBOID:
    p->shape_phase = phase_ref(cfg, pr, p, "phantom", "phase");
    if (p->shape_phase >= 0)
      used[p->shape_phase] = true;
    if (p->shape == SF_RECIPE_SPHERE && !(p->radius_A > 0.0))
      problem(pr, SF_EINVAL, "phantom", "radius_A", "a sphere needs a radius > 0");
    if (p->shape == SF_RECIPE_CUBOID) {
      size_t nl = nums(cfg, "phantom", "lo_A", p->lo_A, 3);
      size_t nh = nums(cfg, "phantom", "hi_A", p->hi_A, 3);
      if (nl != 3)
        problem(pr, SF_EINVAL, "phantom", "lo_A", "expected 3 values (x, y, z)");
      else if (nh != 3)
        problem(pr, SF_EINVAL, "phantom", "hi_A", "expected 3 values (x, y, z)");
      else
        for (int a = 0; a < 3; ++a)
          if (!(p->hi_A[a] > p->lo_A[a])) {
            problem(pr, SF_EINVAL, "phantom", "hi_A", "must exceed lo_A on every axis");
            break;
          }
    }
    break;
  case SF_RECIPE_CORE_SHELL:
    p->core_phase = phase_ref(cfg, pr, p, "phantom", "core_phase");
    p->shell_phase = phase_ref(cfg, pr, p, "phantom", "shell_phase");
    if (p->core_phase >= 0)
      used[p->core_phase] = true;
    if (p->shell_phase >= 0)
      used[p->shell_phase] = true;
    if (p->core_phase >= 0 && p->core_phase == p->shell_phase)
      problem(pr, SF_EINVAL, "phantom", "shell_phase", "core and shell are the same phase");
    if (!(p->core_radius_A > 0.0))
      problem(pr, SF_EINVAL, "phantom", "core_radius_A", "must be > 0");
    else if (!(p->radius_A > p->core_radius_A))
      problem(pr, SF_EINVAL, "phantom", "radius_A", "the outer radius must exceed core_radius_A");
    break;
  case SF_RECIPE_FILMS: {
    p->film_axis = strcmp(str(cfg, "phantom", "film_axis"), "y") == 0 ? SF_PHANTOM_AXIS_Y
                                                                        : SF_PHANTOM_AXIS_X;
    p->films_z0_A = num(cfg, "phantom", "films_z0_A");
    if (n_films == 0)
      table_problem(pr, SF_EINVAL, "[[film]]: shape 'films' needs at least one [[film]]");
    if (n_films > SF_RECIPE_MAX_FILMS)
      table_problem(pr, SF_ERANGE, "[[film]]: %zu films, at most %d", n_films,
                    SF_RECIPE_MAX_FILMS);
    for (size_t f = 0; f < n_films && f < SF_RECIPE_MAX_FILMS; ++f) {
      char t[32];
      snprintf(t, sizeof t, "film.%zu", f + 1);
      int ph = phase_ref(cfg, pr, p, t, "phase");
      if (ph >= 0)
        used[ph] = true;
      p->films[f].phase = ph;
      p->films[f].lo_A = num(cfg, t, "lo_A");
      p->films[f].hi_A = num(cfg, t, "hi_A");
      p->films[f].thickness_A = num(cfg, t, "thickness_A");
      if (!(p->films[f].hi_A > p->films[f].lo_A))
        problem(pr, SF_EINVAL, t, "hi_A", "must exceed lo_A");
    }
    p->n_films = n_films < SF_RECIPE_MAX_FILMS ? n_films : SF_RECIPE_MAX_FILMS;
    break;
  }
  }
  for (size_t i = 0; i < p->n_phases; ++i)
    if (!used[i]) {
      char t[32];
      snprintf(t, sizeof t, "phase.%zu", i + 1);
      problem(pr, SF_EINVAL, t, "name", "phase is not used by the phantom shape '%s'",
              sf_recipe_shape_name(p->shape));
    }
}

/* ---- modalities, recovery, report, sweep ---- */

static void read_haadf_noise(const sf_config *cfg, problems *pr, sf_recipe_params *p) {
  static const char *const forms[] = {"paper", "linear", NULL};
  p->form = choice(str(cfg, "haadf", "form"), forms) == 1 ? SF_HAADF_LINEAR : SF_HAADF_PAPER;
  p->gamma_true = num(cfg, "haadf", "gamma_true");
  p->blur_fwhm_A = num(cfg, "haadf", "blur_fwhm_A");
  p->boundary =
      strcmp(str(cfg, "haadf", "blur_boundary"), "periodic") == 0 ? SF_BLUR_PERIODIC
                                                                   : SF_BLUR_REFLECT;
  p->detector_fraction = num(cfg, "haadf", "detector_fraction");

  p->haadf_dose_e_per_A2 = num(cfg, "noise", "haadf_dose_e_per_A2");
  p->chem_dose_e_per_A2 = num(cfg, "noise", "chem_dose_e_per_A2");
  p->haadf_snr = num(cfg, "noise", "haadf_snr");
  p->chem_snr = num(cfg, "noise", "chem_snr");
  p->haadf_read_noise_counts = num(cfg, "noise", "haadf_read_noise_counts");
  p->chem_read_noise_counts = num(cfg, "noise", "chem_read_noise_counts");
  p->mask_fraction = num(cfg, "noise", "mask_fraction");
  p->seed = (uint64_t)integer(cfg, "noise", "seed");
  p->realisations = (int)integer(cfg, "noise", "realisations");
  if (p->haadf_snr == 0.0 && !(p->haadf_dose_e_per_A2 > 0.0))
    problem(pr, SF_EINVAL, "noise", "haadf_dose_e_per_A2",
            "must be > 0 (no counts) unless noise.haadf_snr is set");
  if (p->chem_snr == 0.0 && !(p->chem_dose_e_per_A2 > 0.0))
    problem(pr, SF_EINVAL, "noise", "chem_dose_e_per_A2",
            "must be > 0 (no counts) unless noise.chem_snr is set");
}

static void read_fuse(const sf_config *cfg, problems *pr, sf_recipe_params *p) {
  const char *form = str(cfg, "fuse", "form");
  p->fuse_form = strcmp(form, "same") == 0     ? p->form
                 : strcmp(form, "linear") == 0 ? SF_HAADF_LINEAR
                                               : SF_HAADF_PAPER;
  p->fuse_gamma = num(cfg, "fuse", "gamma");
  if (p->fuse_gamma == 0.0)
    p->fuse_gamma = p->gamma_true;
  else if (p->fuse_gamma < 0.1)
    problem(pr, SF_ERANGE, "fuse", "gamma", "must be 0 (the true gamma) or in [0.1, 4]");
  const char *wm = str(cfg, "fuse", "weight_mode");
  p->weight_auto = strcmp(wm, "auto") == 0;
  p->weight_mode = SF_FUSE_WEIGHT_PAPER;
  if (!p->weight_auto)
    sf_fuse_weight_mode_parse(wm, &p->weight_mode);
  double w[SF_RECIPE_MAX_ELEMENTS + 1];
  size_t nw = nums(cfg, "fuse", "custom_weights", w, SF_RECIPE_MAX_ELEMENTS + 1);
  if (!p->weight_auto && p->weight_mode == SF_FUSE_WEIGHT_CUSTOM) {
    if (nw != p->n_elements)
      problem(pr, SF_EINVAL, "fuse", "custom_weights", "%zu weights for %zu elements", nw,
              p->n_elements);
    else
      for (size_t k = 0; k < nw; ++k)
        p->custom_weights[k] = w[k];
  } else if (nw) {
    problem(pr, SF_EINVAL, "fuse", "custom_weights", "needs weight_mode = \"custom\"");
  }
  p->known_yields = strcmp(str(cfg, "fuse", "yields"), "known") == 0;
  p->haadf_sigma_known = strcmp(str(cfg, "fuse", "haadf_sigma"), "known") == 0;
  p->lambda_chem = num(cfg, "fuse", "lambda_chem");
  p->lambda_tv = num(cfg, "fuse", "lambda_tv");
  const char *lambda_mode = str(cfg, "fuse", "lambda_tv_mode");
  p->lambda_mode = strcmp(lambda_mode, "snr_scaled") == 0 ? SF_RECIPE_LAMBDA_SNR_SCALED
                   : strcmp(lambda_mode, "auto") == 0     ? SF_RECIPE_LAMBDA_AUTO
                                                          : SF_RECIPE_LAMBDA_FIXED;
  sf_fuse_chem_model_parse(str(cfg, "fuse", "chem_model"), &p->chem_model);
  p->eps = num(cfg, "fuse", "eps");
  p->max_iter = (int)integer(cfg, "fuse", "max_iterations");
  p->tv_max_iter = (int)integer(cfg, "fuse", "tv_iterations");
  p->tol_x = num(cfg, "fuse", "tol_x");
  p->tol_cost = num(cfg, "fuse", "tol_cost");
  p->fit_offset = boolean(cfg, "fuse", "fit_offset");
  p->accelerate = boolean(cfg, "fuse", "accelerate");
  if (p->chem_model == SF_FUSE_CHEM_POISSON && p->chem_read_noise_counts > 0.0)
    problem(pr, SF_EINVAL, "fuse", "chem_model",
            "read-out noise makes counts negative, which the Poisson model rejects: use "
            "\"lsq\" with noise.chem_read_noise_counts > 0");
  if (!p->known_yields && !(p->lambda_chem > 0.0))
    problem(pr, SF_EINVAL, "fuse", "lambda_chem", "estimated yields need lambda_chem > 0");
}

static void read_report(const sf_config *cfg, problems *pr, sf_recipe_params *p) {
  size_t n = nums(cfg, "report", "profile_A", p->profile_A, 4);
  p->have_profile = n == 4;
  if (n != 0 && n != 4)
    problem(pr, SF_EINVAL, "report", "profile_A", "expected 4 values (x0, y0, x1, y1) or []");
  if (p->have_profile) {
    double ext[2] = {(double)p->nx * p->voxel_A, (double)p->ny * p->voxel_A};
    for (int k = 0; k < 4; ++k) {
      /* map coordinates: pixel centres run from voxel/2 to extent - voxel/2 */
      double lo = p->voxel_A / 2.0, hi = ext[k % 2] - p->voxel_A / 2.0;
      if (p->profile_A[k] < lo - 1e-9 || p->profile_A[k] > hi + 1e-9) {
        problem(pr, SF_ERANGE, "report", "profile_A",
                "end outside the field of view (pixel centres span %g .. %g Å)", lo, hi);
        break;
      }
    }
    if (p->profile_A[0] == p->profile_A[2] && p->profile_A[1] == p->profile_A[3])
      problem(pr, SF_EINVAL, "report", "profile_A", "zero-length segment");
  }
  p->profile_width_px = num(cfg, "report", "profile_width_px");
  p->metrics_on_mask = strcmp(str(cfg, "report", "metrics_region"), "specimen") == 0;
  double fr[5];
  n = nums(cfg, "report", "flat_region_px", fr, 5);
  p->have_flat_region = n == 4;
  if (n != 0 && n != 4)
    problem(pr, SF_EINVAL, "report", "flat_region_px", "expected 4 values (x0, y0, x1, y1) or []");
  if (p->have_flat_region) {
    for (int k = 0; k < 4; ++k)
      p->flat_region_px[k] = (size_t)fr[k];
    if (!(fr[2] > fr[0] && fr[3] > fr[1]) || fr[2] > (double)p->nx || fr[3] > (double)p->ny ||
        fr[0] != floor(fr[0]) || fr[1] != floor(fr[1]) || fr[2] != floor(fr[2]) ||
        fr[3] != floor(fr[3]))
      problem(pr, SF_EINVAL, "report", "flat_region_px",
              "need whole pixels 0 <= x0 < x1 <= %zu, 0 <= y0 < y1 <= %zu", p->nx, p->ny);
  }
  static const char *const labels[] = {"dominant_phase", "phase_combination", "mixture", NULL};
  p->stoich_labels = (sf_recipe_labels)choice(str(cfg, "report", "stoich_labels"), labels);
  p->stoich_min_phase_fraction = num(cfg, "report", "stoich_min_phase_fraction");
  p->stoich_erode_px = (int)integer(cfg, "report", "stoich_erode_px");
  p->stoich_bins = (size_t)integer(cfg, "report", "stoich_bins");
  p->stoich_mask_fraction = num(cfg, "report", "stoich_mask_fraction");
  p->write_emd = boolean(cfg, "report", "write_emd");
}

static size_t grid(const sf_config *cfg, problems *pr, const char *key, double *out) {
  size_t n = nums(cfg, "sweep", key, out, SF_RECIPE_MAX_GRID);
  if (n > SF_RECIPE_MAX_GRID) {
    problem(pr, SF_ERANGE, "sweep", key, "at most %d values", SF_RECIPE_MAX_GRID);
    n = SF_RECIPE_MAX_GRID;
  }
  return n;
}

static void read_sweep(const sf_config *cfg, problems *pr, sf_recipe_params *p) {
  const char *const *kinds = NULL;
  size_t nk = 0;
  sf_config_get_strings(cfg, "sweep", "kinds", &kinds, &nk);
  p->sweep_kinds = 0;
  for (size_t k = 0; k < nk; ++k)
    p->sweep_kinds |= strcmp(kinds[k], "dose") == 0    ? SF_RECIPE_SWEEP_DOSE
                      : strcmp(kinds[k], "gamma") == 0 ? SF_RECIPE_SWEEP_GAMMA
                                                       : SF_RECIPE_SWEEP_LAMBDA;
  double hd[SF_RECIPE_MAX_GRID], cd[SF_RECIPE_MAX_GRID];
  size_t nhd = grid(cfg, pr, "haadf_dose_e_per_A2", hd);
  size_t ncd = grid(cfg, pr, "chem_dose_e_per_A2", cd);
  if ((nhd == 0) != (ncd == 0))
    problem(pr, SF_EINVAL, "sweep", nhd ? "chem_dose_e_per_A2" : "haadf_dose_e_per_A2",
            "a dose grid needs both haadf_dose_e_per_A2 and chem_dose_e_per_A2");
  p->sweep_use_dose = nhd && ncd;
  if (p->sweep_use_dose) {
    p->n_sweep_haadf = nhd;
    p->n_sweep_chem = ncd;
    memcpy(p->sweep_haadf, hd, nhd * sizeof *hd);
    memcpy(p->sweep_chem, cd, ncd * sizeof *cd);
  } else {
    p->n_sweep_haadf = grid(cfg, pr, "haadf_snr", p->sweep_haadf);
    p->n_sweep_chem = grid(cfg, pr, "chem_snr", p->sweep_chem);
  }
  p->n_sweep_gamma_true = grid(cfg, pr, "gamma_true", p->sweep_gamma_true);
  p->n_sweep_gamma_assumed = grid(cfg, pr, "gamma_assumed", p->sweep_gamma_assumed);
  p->n_sweep_lambda = grid(cfg, pr, "lambda_tv", p->sweep_lambda);
  p->sweep_realisations = (int)integer(cfg, "sweep", "realisations");
  if ((p->sweep_kinds & SF_RECIPE_SWEEP_DOSE) && (!p->n_sweep_haadf || !p->n_sweep_chem))
    problem(pr, SF_EINVAL, "sweep", p->sweep_use_dose ? "haadf_dose_e_per_A2" : "haadf_snr",
            "the dose sweep needs values on both axes");
  if ((p->sweep_kinds & SF_RECIPE_SWEEP_GAMMA) &&
      (!p->n_sweep_gamma_true || !p->n_sweep_gamma_assumed))
    problem(pr, SF_EINVAL, "sweep", "gamma_true", "the gamma sweep needs values on both axes");
  if ((p->sweep_kinds & SF_RECIPE_SWEEP_LAMBDA) && p->n_sweep_lambda < 3)
    problem(pr, SF_EINVAL, "sweep", "lambda_tv", "the lambda sweep needs at least 3 values");
}

/* ---- entry points ---- */

int sf_recipe_from_config(sf_config *cfg, const char *name, sf_recipe **out) {
  if (!cfg || !out)
    return sf_error_set(SF_EINVAL, "sf_recipe_from_config: NULL argument");
  *out = NULL;
  const char *label = name ? name : "recipe";
  int st = sf_config_validate(cfg, sf_recipe_schema());
  if (st != SF_OK)
    return st;
  sf_recipe *r = calloc(1, sizeof *r);
  if (!r)
    return sf_error_set(SF_ENOMEM, "%s: cannot allocate the recipe", label);
  problems pr = {cfg, label, NULL, 0, 0, SF_OK};
  sf_recipe_params *p = &r->p;
  const char *title = str(cfg, NULL, "name");
  if (!*title || strlen(title) >= SF_RECIPE_NAME_MAX)
    problem(&pr, SF_EINVAL, NULL, "name", "must be 1 to %d characters", SF_RECIPE_NAME_MAX - 1);
  for (const char *c = title; *c; ++c)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
          *c == '_' || *c == '-')) {
      problem(&pr, SF_EINVAL, NULL, "name", "use [A-Za-z0-9_-] only");
      break;
    }
  snprintf(p->name, sizeof p->name, "%s", title);
  snprintf(p->description, sizeof p->description, "%s", str(cfg, NULL, "description"));
  read_phases(cfg, &pr, p);
  collect_elements(p);
  read_chem(cfg, &pr, p);
  read_phantom(cfg, &pr, p);
  read_haadf_noise(cfg, &pr, p);
  read_fuse(cfg, &pr, p);
  read_report(cfg, &pr, p);
  read_sweep(cfg, &pr, p);
  if (pr.status != SF_OK) {
    st = pr.text ? sf_error_set(pr.status, "%s", pr.text)
                 : sf_error_set(pr.status, "%s: out of memory while checking", label);
    free(pr.text);
    free(r);
    return st;
  }
  free(pr.text);
  r->source = strdup(label);
  if (!r->source || sf_config_dump(cfg, sf_recipe_schema(), &r->config_text) != SF_OK) {
    sf_recipe_destroy(r);
    return sf_error_set(SF_ENOMEM, "%s: cannot record the resolved configuration", label);
  }
  *out = r;
  return SF_OK;
}

static int apply_sets(sf_config *cfg, const char *const *sets, size_t n_sets) {
  for (size_t k = 0; k < n_sets; ++k)
    SF_TRY(sf_config_set(cfg, sets[k]));
  return SF_OK;
}

int sf_recipe_load(const char *path, const char *const *sets, size_t n_sets, sf_recipe **out) {
  if (!path || !out || (n_sets && !sets))
    return sf_error_set(SF_EINVAL, "sf_recipe_load: NULL argument");
  *out = NULL;
  sf_config *cfg = NULL;
  SF_TRY(sf_config_parse_file(path, &cfg));
  int st = apply_sets(cfg, sets, n_sets);
  if (st == SF_OK)
    st = sf_recipe_from_config(cfg, path, out);
  sf_config_destroy(cfg);
  return st;
}

int sf_recipe_load_string(const char *text, size_t length, const char *name,
                          const char *const *sets, size_t n_sets, sf_recipe **out) {
  if (!text || !out || (n_sets && !sets))
    return sf_error_set(SF_EINVAL, "sf_recipe_load_string: NULL argument");
  *out = NULL;
  sf_config *cfg = NULL;
  SF_TRY(sf_config_parse_string(text, length, name ? name : "recipe", &cfg));
  int st = apply_sets(cfg, sets, n_sets);
  if (st == SF_OK)
    st = sf_recipe_from_config(cfg, name, out);
  sf_config_destroy(cfg);
  return st;
}

void sf_recipe_destroy(sf_recipe *r) {
  if (!r)
    return;
  free(r->source);
  free(r->config_text);
  free(r);
}
