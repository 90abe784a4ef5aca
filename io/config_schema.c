/* config_schema.c - schema checks, validation of a document against a schema,
   and the typed getters. */
#include "io/config_internal.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_ 1024  /* longest dotted table.key path */
#define HINT_LEN_MAX 64 /* names longer than this get no "did you mean" */
#define MAX_REPORTED 50 /* validation errors listed before "... and N more" */

/* ---- Schema lookups ---- */

const char *sf_cfg_key_table(const sf_config_key *k) { return k->table ? k->table : ""; }

bool sf_cfg_is_array_table(const sf_config_schema *s, const char *name) {
  if (!s->array_tables)
    return false;
  for (const char *const *a = s->array_tables; *a; ++a)
    if (strcmp(*a, name) == 0)
      return true;
  return false;
}

/* A table that has keys, is an array table, or lies above one of those. */
static bool table_known(const sf_config_schema *s, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; i < s->n_keys; ++i) {
    const char *t = sf_cfg_key_table(&s->keys[i]);
    if (strcmp(t, name) == 0 || (strncmp(t, name, len) == 0 && t[len] == '.'))
      return true;
  }
  if (s->array_tables)
    for (const char *const *a = s->array_tables; *a; ++a)
      if (strcmp(*a, name) == 0 || (strncmp(*a, name, len) == 0 && (*a)[len] == '.'))
        return true;
  return false;
}

static long find_key(const sf_config_schema *s, const char *table, const char *key) {
  for (size_t i = 0; i < s->n_keys; ++i)
    if (strcmp(sf_cfg_key_table(&s->keys[i]), table) == 0 && strcmp(s->keys[i].key, key) == 0)
      return (long)i;
  return -1;
}

static void join(char *out, size_t size, const char *table, const char *key) {
  snprintf(out, size, "%s%s%s", table, table[0] ? "." : "", key);
}

/* ---- "Did you mean" ---- */

/* Case-insensitive Levenshtein distance (SIZE_MAX-ish for long names). */
static size_t distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > HINT_LEN_MAX || lb > HINT_LEN_MAX)
    return (size_t)-1 / 2;
  size_t row[HINT_LEN_MAX + 1], prev[HINT_LEN_MAX + 1];
  for (size_t j = 0; j <= lb; ++j)
    prev[j] = j;
  for (size_t i = 1; i <= la; ++i) {
    row[0] = i;
    for (size_t j = 1; j <= lb; ++j) {
      size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
      size_t best = prev[j - 1] + cost;
      if (prev[j] + 1 < best)
        best = prev[j] + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
    }
    memcpy(prev, row, (lb + 1) * sizeof *row);
  }
  return prev[lb];
}

/* Close enough to suggest: a small edit, or the candidate is the name plus a
   unit suffix ("energy" -> "energy_keV"). Returns a score, lower is better. */
static size_t closeness(const char *typed, const char *candidate) {
  size_t len = strlen(typed);
  size_t limit = len / 3 + 1;
  if (limit > 4)
    limit = 4;
  size_t d = distance(typed, candidate);
  if (d <= limit)
    return d;
  if (len >= 3 && strncasecmp(candidate, typed, len) == 0 && candidate[len] == '_')
    return limit + 1;
  return (size_t)-1;
}

static const char *best_key_in(const sf_config_schema *s, const char *table, const char *typed,
                               size_t *score) {
  const char *best = NULL;
  *score = (size_t)-1;
  for (size_t i = 0; i < s->n_keys; ++i) {
    if (strcmp(sf_cfg_key_table(&s->keys[i]), table) != 0)
      continue;
    size_t c = closeness(typed, s->keys[i].key);
    if (c < *score) {
      *score = c;
      best = s->keys[i].key;
    }
  }
  return best;
}

/* " (did you mean 'x'?)" or a list of the table's keys, for an unknown key. */
static void key_hint(sf_cfg_buf *b, const sf_config_schema *s, const char *table,
                     const char *typed) {
  size_t score;
  const char *best = best_key_in(s, table, typed, &score);
  if (best) {
    sf_cfg_buf_printf(b, " (did you mean '%s'?)", best);
    return;
  }
  /* The key may belong to another table. */
  for (size_t i = 0; i < s->n_keys; ++i) {
    const char *t = sf_cfg_key_table(&s->keys[i]);
    size_t allowed = strlen(typed) >= 5 ? 1 : 0; /* short names: exact match only */
    if (strcmp(t, table) != 0 && distance(typed, s->keys[i].key) <= allowed) {
      if (t[0])
        sf_cfg_buf_printf(b, " (did you mean '%s' under [%s]?)", s->keys[i].key, t);
      else
        sf_cfg_buf_printf(b, " (did you mean '%s' at the top, before any [table]?)",
                          s->keys[i].key);
      return;
    }
  }
  size_t listed = 0;
  for (size_t i = 0; i < s->n_keys; ++i) {
    if (strcmp(sf_cfg_key_table(&s->keys[i]), table) != 0)
      continue;
    if (listed == 0)
      sf_cfg_buf_printf(b, "; %s%s%s accepts: ", table[0] ? "[" : "",
                        table[0] ? table : "the top level", table[0] ? "]" : "");
    else
      sf_cfg_buf_puts(b, ", ");
    if (listed == 12) {
      sf_cfg_buf_puts(b, "...");
      break;
    }
    sf_cfg_buf_puts(b, s->keys[i].key);
    ++listed;
  }
  if (listed == 0)
    sf_cfg_buf_printf(b, "; schema '%s' has no keys %s%s%s", s->name ? s->name : "",
                      table[0] ? "in [" : "at the top level", table, table[0] ? "]" : "");
}

static void table_hint(sf_cfg_buf *b, const sf_config_schema *s, const char *typed) {
  const char *best = NULL;
  size_t score = (size_t)-1;
  bool best_array = false;
  for (size_t i = 0; i < s->n_keys; ++i) {
    const char *t = sf_cfg_key_table(&s->keys[i]);
    if (!t[0])
      continue;
    size_t c = closeness(typed, t);
    if (c < score) {
      score = c;
      best = t;
      best_array = sf_cfg_is_array_table(s, t);
    }
  }
  if (s->array_tables)
    for (const char *const *a = s->array_tables; *a; ++a) {
      size_t c = closeness(typed, *a);
      if (c < score) {
        score = c;
        best = *a;
        best_array = true;
      }
    }
  if (best)
    sf_cfg_buf_printf(b, " (did you mean %s%s%s?)", best_array ? "[[" : "[", best,
                      best_array ? "]]" : "]");
}

/* ---- Value checks ---- */

static const char *type_name(sf_config_type t) {
  switch (t) {
  case SF_CFG_NUMBER: return "number";
  case SF_CFG_INT: return "integer";
  case SF_CFG_STRING: return "string";
  case SF_CFG_BOOL: return "boolean";
  case SF_CFG_NUMBERS: return "array of numbers";
  case SF_CFG_STRINGS: return "array of strings";
  }
  return "value";
}

static bool ranged(const sf_config_key *k) { return !(k->min == 0 && k->max == 0); }

static void describe_range(sf_cfg_buf *b, const sf_config_key *k) {
  if (isinf(k->min) && isinf(k->max))
    sf_cfg_buf_puts(b, "any number");
  else if (isinf(k->min))
    sf_cfg_buf_printf(b, "<= %.10g", k->max);
  else if (isinf(k->max))
    sf_cfg_buf_printf(b, ">= %.10g", k->min);
  else
    sf_cfg_buf_printf(b, "in [%.10g, %.10g]", k->min, k->max);
}

static void describe_choices(sf_cfg_buf *b, const sf_config_key *k) {
  sf_cfg_buf_puts(b, "one of ");
  for (const char *const *c = k->choices; *c; ++c)
    sf_cfg_buf_printf(b, "%s'%s'", c == k->choices ? "" : ", ", *c);
}

void sf_cfg_describe_key(sf_cfg_buf *b, const sf_config_key *k) {
  sf_cfg_buf_puts(b, type_name(k->type));
  if (ranged(k) && !(isinf(k->min) && isinf(k->max)) &&
      (k->type == SF_CFG_NUMBER || k->type == SF_CFG_INT || k->type == SF_CFG_NUMBERS)) {
    sf_cfg_buf_puts(b, k->type == SF_CFG_NUMBERS ? ", each " : " ");
    describe_range(b, k);
  }
  if (k->choices && (k->type == SF_CFG_STRING || k->type == SF_CFG_STRINGS)) {
    sf_cfg_buf_puts(b, k->type == SF_CFG_STRINGS ? ", each " : ", ");
    describe_choices(b, k);
  }
  if (!k->default_value)
    sf_cfg_buf_puts(b, ", required");
}

static bool is_number(const sf_cfg_value *v) {
  return v->kind == SF_CFG_K_INT || v->kind == SF_CFG_K_FLOAT;
}
static double as_double(const sf_cfg_value *v) {
  return v->kind == SF_CFG_K_INT ? (double)v->i : v->f;
}

/* Range check of one number; appends the reason and returns SF_ERANGE if outside. */
static int check_range(const sf_config_key *k, const sf_cfg_value *v, size_t element,
                       sf_cfg_buf *why) {
  double x = as_double(v);
  if (!ranged(k) || (x >= k->min && x <= k->max))
    return SF_OK;
  if (element) {
    sf_cfg_buf_printf(why, "element %zu (", element);
    sf_cfg_format_value(why, v, false);
    sf_cfg_buf_puts(why, ") must be ");
  } else {
    sf_cfg_buf_puts(why, "must be ");
  }
  describe_range(why, k);
  return SF_ERANGE;
}

static int check_choice(const sf_config_key *k, const char *s, size_t element, sf_cfg_buf *why) {
  if (!k->choices)
    return SF_OK;
  const char *best = NULL;
  size_t score = (size_t)-1;
  for (const char *const *c = k->choices; *c; ++c) {
    if (strcmp(*c, s) == 0)
      return SF_OK;
    size_t d = closeness(s, *c);
    if (d < score) {
      score = d;
      best = *c;
    }
  }
  if (element)
    sf_cfg_buf_printf(why, "element %zu must be ", element);
  else
    sf_cfg_buf_puts(why, "must be ");
  describe_choices(why, k);
  if (best)
    sf_cfg_buf_printf(why, " (did you mean '%s'?)", best);
  return SF_EINVAL;
}

/* SF_OK, or SF_EINVAL / SF_ERANGE with the reason appended to `why`. */
static int check_value(const sf_config_key *k, const sf_cfg_value *v, sf_cfg_buf *why) {
  switch (k->type) {
  case SF_CFG_NUMBER:
    if (!is_number(v)) {
      sf_cfg_buf_puts(why, "expected a number");
      return SF_EINVAL;
    }
    return check_range(k, v, 0, why);
  case SF_CFG_INT:
    if (v->kind != SF_CFG_K_INT) {
      sf_cfg_buf_puts(why, "expected an integer");
      return SF_EINVAL;
    }
    return check_range(k, v, 0, why);
  case SF_CFG_STRING:
    if (v->kind != SF_CFG_K_STRING) {
      sf_cfg_buf_puts(why, "expected a string (in quotes)");
      return SF_EINVAL;
    }
    return check_choice(k, v->s, 0, why);
  case SF_CFG_BOOL:
    if (v->kind != SF_CFG_K_BOOL) {
      sf_cfg_buf_puts(why, "expected true or false");
      return SF_EINVAL;
    }
    return SF_OK;
  case SF_CFG_NUMBERS:
    if (v->kind != SF_CFG_K_ARRAY || (v->n_items && !is_number(&v->items[0]))) {
      sf_cfg_buf_puts(why, "expected an array of numbers, e.g. [70, 200]");
      return SF_EINVAL;
    }
    for (size_t i = 0; i < v->n_items; ++i)
      SF_TRY(check_range(k, &v->items[i], i + 1, why));
    return SF_OK;
  case SF_CFG_STRINGS:
    if (v->kind != SF_CFG_K_ARRAY || (v->n_items && v->items[0].kind != SF_CFG_K_STRING)) {
      sf_cfg_buf_puts(why, "expected an array of strings, e.g. [\"a\", \"b\"]");
      return SF_EINVAL;
    }
    for (size_t i = 0; i < v->n_items; ++i)
      SF_TRY(check_choice(k, v->items[i].s, i + 1, why));
    return SF_OK;
  }
  sf_cfg_buf_puts(why, "unknown type in schema");
  return SF_EINVAL;
}

/* ---- Schema self-check ---- */

static bool bare_path(const char *p) {
  if (!*p)
    return true;
  char part[NAME_MAX_];
  while (*p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n == 0 || n >= sizeof part)
      return false;
    memcpy(part, p, n);
    part[n] = '\0';
    if (!sf_cfg_is_bare_key(part))
      return false;
    bool all_digits = true;
    for (size_t i = 0; i < n; ++i)
      all_digits = all_digits && part[i] >= '0' && part[i] <= '9';
    if (all_digits)
      return false; /* all-digit parts are array indices */
    p += n;
    if (dot) {
      ++p;
      if (!*p)
        return false;
    }
  }
  return true;
}

static void free_defaults(sf_cfg_value *d, size_t n) {
  if (!d)
    return;
  for (size_t i = 0; i < n; ++i)
    sf_cfg_value_free(&d[i]);
  free(d);
}

int sf_cfg_schema_prepare(const sf_config_schema *s, sf_cfg_value **defaults) {
  *defaults = NULL;
  const char *sname = s->name ? s->name : "(unnamed)";
  if (s->n_keys && !s->keys)
    return sf_error_set(SF_EINVAL, "schema '%s': keys is NULL", sname);
  if (s->array_tables)
    for (const char *const *a = s->array_tables; *a; ++a) {
      if (!(*a)[0] || !bare_path(*a))
        return sf_error_set(SF_EINVAL, "schema '%s': array table '%s' is not a dotted bare name",
                            sname, *a);
      for (const char *const *b = s->array_tables; *b; ++b) {
        size_t len = strlen(*b);
        if (strncmp(*a, *b, len) == 0 && (*a)[len] == '.')
          return sf_error_set(SF_EINVAL,
                              "schema '%s': [[%s]] inside [[%s]]: elements of an "
                              "array table hold keys only",
                              sname, *a, *b);
      }
    }
  sf_cfg_value *d = calloc(s->n_keys ? s->n_keys : 1, sizeof *d);
  if (!d)
    return sf_error_set(SF_ENOMEM, "schema '%s': out of memory", sname);
  for (size_t i = 0; i < s->n_keys; ++i) {
    const sf_config_key *k = &s->keys[i];
    const char *t = sf_cfg_key_table(k);
    char name[NAME_MAX_];
    join(name, sizeof name, t, k->key ? k->key : "(null)");
    int bad = 0;
    if (!k->key || !sf_cfg_is_bare_key(k->key) || !bare_path(t) || !bare_path(k->key))
      bad = sf_error_set(SF_EINVAL,
                         "schema '%s': %s: table and key must be bare names (not "
                         "all digits)",
                         sname, name);
    else if (find_key(s, t, k->key) != (long)i)
      bad = sf_error_set(SF_EINVAL, "schema '%s': %s declared twice", sname, name);
    else if (table_known(s, name))
      bad = sf_error_set(SF_EINVAL, "schema '%s': %s is both a key and a table", sname, name);
    else if ((unsigned)k->type > SF_CFG_STRINGS)
      bad = sf_error_set(SF_EINVAL, "schema '%s': %s: unknown type %d", sname, name, (int)k->type);
    else if (k->min > k->max || isnan(k->min) || isnan(k->max))
      bad =
          sf_error_set(SF_EINVAL, "schema '%s': %s: min %g > max %g", sname, name, k->min, k->max);
    else if (k->choices && k->type != SF_CFG_STRING && k->type != SF_CFG_STRINGS)
      bad = sf_error_set(SF_EINVAL, "schema '%s': %s: choices given for a %s", sname, name,
                         type_name(k->type));
    if (!bad && s->array_tables)
      for (const char *const *a = s->array_tables; *a; ++a) {
        size_t len = strlen(*a);
        if (strncmp(t, *a, len) == 0 && t[len] == '.')
          bad = sf_error_set(SF_EINVAL,
                             "schema '%s': %s: elements of [[%s]] hold keys only, no tables", sname,
                             name, *a);
      }
    if (!bad && k->default_value) {
      char origin[NAME_MAX_ + 64];
      snprintf(origin, sizeof origin, "schema '%s' default", sname);
      bad = sf_cfg_parse_value_text(k->default_value, origin, name, &d[i]);
      if (bad) {
        char saved[1024];
        snprintf(saved, sizeof saved, "%s", sf_error_message());
        bad = sf_error_set(SF_EINVAL, "%s", saved);
      } else {
        sf_cfg_buf why = {0};
        if (check_value(k, &d[i], &why) != SF_OK) {
          bad = sf_error_set(SF_EINVAL, "schema '%s' default: %s = %s: %s", sname, name,
                             k->default_value, why.data ? why.data : "");
        }
        sf_cfg_buf_free(&why);
      }
    }
    if (bad) {
      free_defaults(d, s->n_keys);
      return bad;
    }
  }
  *defaults = d;
  return SF_OK;
}

/* ---- Validation ---- */

typedef struct vctx {
  sf_config *cfg;
  const sf_config_schema *s;
  sf_cfg_buf msgs;
  int first_status;
  size_t n_errors;
} vctx;

static void report(vctx *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report(vctx *c, int status, const char *fmt, ...) {
  if (c->n_errors == 0)
    c->first_status = status;
  ++c->n_errors;
  if (c->n_errors > MAX_REPORTED)
    return;
  char line[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (c->msgs.len)
    sf_cfg_buf_putc(&c->msgs, '\n');
  sf_cfg_buf_puts(&c->msgs, line);
}

static void validate_table(vctx *c, const sf_cfg_node *t, const char *schema_path,
                           const char *shown);

static void validate_child(vctx *c, const sf_cfg_node *n, const char *schema_path,
                           const char *shown) {
  char origin[NAME_MAX_ + 32], full[NAME_MAX_], sub[NAME_MAX_];
  sf_cfg_origin_text(c->cfg, n, origin, sizeof origin);
  join(full, sizeof full, shown, n->key);
  join(sub, sizeof sub, schema_path, n->key);
  sf_cfg_buf why = {0};
  if (n->type == SF_CFG_N_VALUE) {
    long ki = find_key(c->s, schema_path, n->key);
    if (ki < 0) {
      key_hint(&why, c->s, schema_path, n->key);
      report(c, SF_EINVAL, "%s: %s = %s: unknown key%s", origin, full, n->text,
             why.data ? why.data : "");
    } else {
      int st = check_value(&c->s->keys[ki], &n->value, &why);
      if (st != SF_OK)
        report(c, st, "%s: %s = %s: %s", origin, full, n->text, why.data ? why.data : "");
    }
  } else if (n->type == SF_CFG_N_TABLE) {
    if (sf_cfg_is_array_table(c->s, sub))
      report(c, SF_EINVAL, "%s: [%s]: %s is an array of tables; write [[%s]]", origin, full, sub,
             sub);
    else if (table_known(c->s, sub))
      validate_table(c, n, sub, full);
    else {
      table_hint(&why, c->s, sub);
      report(c, SF_EINVAL, "%s: [%s]: unknown table%s", origin, full, why.data ? why.data : "");
    }
  } else {
    if (sf_cfg_is_array_table(c->s, sub)) {
      for (size_t i = 0; i < n->n_kids; ++i) {
        char elem[NAME_MAX_ + 32];
        snprintf(elem, sizeof elem, "%s.%zu", full, i + 1);
        validate_table(c, n->kids[i], sub, elem);
      }
    } else if (table_known(c->s, sub)) {
      report(c, SF_EINVAL, "%s: [[%s]]: %s is a table, not an array of tables; write [%s]", origin,
             full, sub, sub);
    } else {
      table_hint(&why, c->s, sub);
      report(c, SF_EINVAL, "%s: [[%s]]: unknown table%s", origin, full, why.data ? why.data : "");
    }
  }
  sf_cfg_buf_free(&why);
}

static void validate_table(vctx *c, const sf_cfg_node *t, const char *schema_path,
                           const char *shown) {
  for (size_t i = 0; i < t->n_kids; ++i)
    validate_child(c, t->kids[i], schema_path, shown);
}

static void check_required(vctx *c) {
  for (size_t i = 0; i < c->s->n_keys; ++i) {
    const sf_config_key *k = &c->s->keys[i];
    if (k->default_value)
      continue;
    const char *t = sf_cfg_key_table(k);
    char origin[NAME_MAX_ + 32], full[NAME_MAX_];
    if (sf_cfg_is_array_table(c->s, t)) {
      size_t n = sf_config_count(c->cfg, t);
      for (size_t e = 1; e <= n; ++e) {
        char elem[NAME_MAX_];
        snprintf(elem, sizeof elem, "%s.%zu", t, e);
        const sf_cfg_node *table = sf_cfg_resolve(c->cfg, elem);
        if (sf_cfg_node_child(table, k->key))
          continue;
        sf_cfg_origin_text(c->cfg, table, origin, sizeof origin);
        report(c, SF_EINVAL, "%s: [[%s]] element %zu: required key %s is missing", origin, t, e,
               k->key);
      }
      continue;
    }
    const sf_cfg_node *table = sf_cfg_resolve(c->cfg, t);
    const sf_cfg_node *v = sf_cfg_node_child(table, k->key);
    if (v && v->type == SF_CFG_N_VALUE)
      continue;
    if (v)
      continue; /* a table in its place was reported already */
    snprintf(origin, sizeof origin, "%s", c->cfg->name ? c->cfg->name : "(no file)");
    if (table && table != c->cfg->root && table->line > 0 && !table->from_set)
      sf_cfg_origin_text(c->cfg, table, origin, sizeof origin);
    join(full, sizeof full, t, k->key);
    if (t[0])
      report(c, SF_EINVAL, "%s: %s: required key is missing (set %s under [%s])", origin, full,
             k->key, t);
    else
      report(c, SF_EINVAL,
             "%s: %s: required key is missing (set it at the top, before any "
             "[table])",
             origin, full);
  }
}

int sf_config_validate(sf_config *cfg, const sf_config_schema *schema) {
  if (!cfg || !schema)
    return sf_error_set(SF_EINVAL, "sf_config_validate: NULL argument");
  cfg->schema = NULL;
  sf_cfg_value *defaults;
  SF_TRY(sf_cfg_schema_prepare(schema, &defaults));
  vctx c = {.cfg = cfg, .s = schema};
  validate_table(&c, cfg->root, "", "");
  check_required(&c);
  if (c.n_errors) {
    free_defaults(defaults, schema->n_keys);
    if (c.n_errors > MAX_REPORTED)
      sf_cfg_buf_printf(&c.msgs, "\n... and %zu more", c.n_errors - MAX_REPORTED);
    sf_error_set(c.first_status, "%s", c.msgs.data ? c.msgs.data : "invalid configuration");
    sf_cfg_buf_free(&c.msgs);
    return c.first_status;
  }
  sf_cfg_buf_free(&c.msgs);
  free_defaults(cfg->defaults, cfg->n_defaults);
  cfg->defaults = defaults;
  cfg->n_defaults = schema->n_keys;
  cfg->schema = schema;
  return SF_OK;
}

/* ---- Getters ---- */

/* Resolve table.key for a getter: the value in the document or the default. */
static int lookup(const sf_config *cfg, const char *fn, const char *table, const char *key,
                  sf_config_type want, const sf_cfg_value **out) {
  const char *t = table ? table : "";
  if (!cfg || !key)
    return sf_error_set(SF_EINVAL, "%s: NULL argument", fn);
  if (!cfg->schema)
    return sf_error_set(SF_EINVAL, "%s(%s%s%s): configuration not validated against a schema", fn,
                        t, t[0] ? "." : "", key);
  const sf_config_schema *s = cfg->schema;
  /* "name.i" addresses element i of an array table. */
  char schema_table[NAME_MAX_];
  snprintf(schema_table, sizeof schema_table, "%s", t);
  size_t index = 0;
  const char *dot = strrchr(t, '.');
  if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1)) {
    size_t n = (size_t)(dot - t);
    if (n < sizeof schema_table) {
      memcpy(schema_table, t, n);
      schema_table[n] = '\0';
      index = strlen(dot + 1) > 9 ? (size_t)-1 : (size_t)strtoul(dot + 1, NULL, 10);
    }
  }
  bool array = sf_cfg_is_array_table(s, schema_table);
  if (index && !array)
    return sf_error_set(SF_EINVAL, "%s(%s.%s): %s is not an array table of schema '%s'", fn, t, key,
                        schema_table, s->name ? s->name : "");
  if (!index && array)
    return sf_error_set(SF_EINVAL,
                        "%s(%s.%s): %s is an array table; name an element, e.g. "
                        "'%s.1'",
                        fn, t, key, t, t);
  long ki = find_key(s, schema_table, key);
  if (ki < 0)
    return sf_error_set(SF_EINVAL, "%s: %s%s%s is not a key of schema '%s'", fn, schema_table,
                        schema_table[0] ? "." : "", key, s->name ? s->name : "");
  const sf_config_key *k = &s->keys[ki];
  if (k->type != want && !(want == SF_CFG_NUMBER && k->type == SF_CFG_INT))
    return sf_error_set(SF_EINVAL, "%s: %s%s%s is declared as a %s", fn, schema_table,
                        schema_table[0] ? "." : "", key, type_name(k->type));
  if (index) {
    size_t count = sf_config_count(cfg, schema_table);
    if (index > count)
      return sf_error_set(SF_ERANGE, "%s(%s.%s): [[%s]] has %zu element%s", fn, t, key,
                          schema_table, count, count == 1 ? "" : "s");
  }
  const sf_cfg_node *v = sf_cfg_node_child(sf_cfg_resolve(cfg, t), key);
  if (v && v->type == SF_CFG_N_VALUE) {
    *out = &v->value;
    return SF_OK;
  }
  if (!k->default_value)
    return sf_error_set(SF_ENOENT, "%s: %s.%s: required key is missing", fn, t, key);
  *out = &cfg->defaults[ki];
  return SF_OK;
}

int sf_config_get_number(const sf_config *cfg, const char *table, const char *key, double *value) {
  const sf_cfg_value *v;
  if (!value)
    return sf_error_set(SF_EINVAL, "sf_config_get_number: value is NULL");
  SF_TRY(lookup(cfg, "sf_config_get_number", table, key, SF_CFG_NUMBER, &v));
  *value = as_double(v);
  return SF_OK;
}

int sf_config_get_int(const sf_config *cfg, const char *table, const char *key, int64_t *value) {
  const sf_cfg_value *v;
  if (!value)
    return sf_error_set(SF_EINVAL, "sf_config_get_int: value is NULL");
  SF_TRY(lookup(cfg, "sf_config_get_int", table, key, SF_CFG_INT, &v));
  *value = v->i;
  return SF_OK;
}

int sf_config_get_string(const sf_config *cfg, const char *table, const char *key,
                         const char **value) {
  const sf_cfg_value *v;
  if (!value)
    return sf_error_set(SF_EINVAL, "sf_config_get_string: value is NULL");
  SF_TRY(lookup(cfg, "sf_config_get_string", table, key, SF_CFG_STRING, &v));
  *value = v->s;
  return SF_OK;
}

int sf_config_get_bool(const sf_config *cfg, const char *table, const char *key, bool *value) {
  const sf_cfg_value *v;
  if (!value)
    return sf_error_set(SF_EINVAL, "sf_config_get_bool: value is NULL");
  SF_TRY(lookup(cfg, "sf_config_get_bool", table, key, SF_CFG_BOOL, &v));
  *value = v->b;
  return SF_OK;
}

int sf_config_get_numbers(const sf_config *cfg, const char *table, const char *key, double **values,
                          size_t *n) {
  const sf_cfg_value *v;
  if (!values || !n)
    return sf_error_set(SF_EINVAL, "sf_config_get_numbers: NULL output");
  *values = NULL;
  *n = 0;
  SF_TRY(lookup(cfg, "sf_config_get_numbers", table, key, SF_CFG_NUMBERS, &v));
  if (v->n_items) {
    double *x = sf_alloc(v->n_items, sizeof *x, "configuration numbers");
    if (!x)
      return SF_ENOMEM;
    for (size_t i = 0; i < v->n_items; ++i)
      x[i] = as_double(&v->items[i]);
    *values = x;
  }
  *n = v->n_items;
  return SF_OK;
}

int sf_config_get_strings(const sf_config *cfg, const char *table, const char *key,
                          const char *const **values, size_t *n) {
  static const char *const empty[1] = {NULL};
  const sf_cfg_value *v;
  if (!values || !n)
    return sf_error_set(SF_EINVAL, "sf_config_get_strings: NULL output");
  *values = empty;
  *n = 0;
  SF_TRY(lookup(cfg, "sf_config_get_strings", table, key, SF_CFG_STRINGS, &v));
  if (v->n_items)
    *values = (const char *const *)v->strv;
  *n = v->n_items;
  return SF_OK;
}
