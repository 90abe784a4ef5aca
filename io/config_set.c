/* config_set.c - `--set table.key=value` overrides applied to a parsed document. */
#include "io/config_internal.h"

#include "core/sf_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SET_PARTS_MAX 32
#define SET_PART_LEN 256

static bool is_index(const char *s) {
  if (!*s)
    return false;
  for (; *s; ++s)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

static void trim(const char **a, const char **b) {
  while (*a < *b && (**a == ' ' || **a == '\t'))
    ++*a;
  while (*b > *a && ((*b)[-1] == ' ' || (*b)[-1] == '\t'))
    --*b;
}

/* A new table (or array element when key is NULL) created by --set. */
static sf_cfg_node *add_table(sf_cfg_node *parent, sf_cfg_node_type type, const char *key) {
  sf_cfg_node *n = sf_cfg_node_new(type, key, 0);
  if (!n)
    return NULL;
  n->from_set = true;
  n->defined = type == SF_CFG_N_TABLE && key == NULL;
  if (sf_cfg_node_add(parent, n) != SF_OK) {
    sf_cfg_node_free(n);
    return NULL;
  }
  return n;
}

/* Split "a.b.c" into trimmed bare components; the dotted text goes to `shown`. */
static int split_path(const char *a, const char *b, char parts[][SET_PART_LEN], size_t *n_parts,
                      char *shown, size_t shown_size, const char *assignment) {
  *n_parts = 0;
  shown[0] = '\0';
  const char *p = a;
  for (;;) {
    const char *dot = memchr(p, '.', (size_t)(b - p));
    const char *e = dot ? dot : b;
    const char *s = p, *t = e;
    trim(&s, &t);
    size_t len = (size_t)(t - s);
    if (len == 0)
      return sf_error_set(SF_EINVAL, "--set %s: empty name in the key path", assignment);
    if (len >= SET_PART_LEN || *n_parts == SET_PARTS_MAX)
      return sf_error_set(SF_EINVAL, "--set %s: key path too long", assignment);
    memcpy(parts[*n_parts], s, len);
    parts[*n_parts][len] = '\0';
    if (!sf_cfg_is_bare_key(parts[*n_parts]))
      return sf_error_set(SF_EINVAL, "--set %s: '%s' is not a bare key (letters, digits, '_', '-')",
                          assignment, parts[*n_parts]);
    size_t used = strlen(shown);
    snprintf(shown + used, shown_size - used, "%s%s", used ? "." : "", parts[*n_parts]);
    ++*n_parts;
    if (!dot)
      return SF_OK;
    p = dot + 1;
  }
}

/* Walk the tables of parts[0 .. n-2]; an all-digit part after a name is a
   1-based index. With create false nothing is changed (a dry run that finds
   every error first), and *out may be NULL when the table does not exist yet. */
static int walk(sf_config *cfg, char parts[][SET_PART_LEN], size_t n_parts, const char *shown,
                bool create, sf_cfg_node **out) {
  const char *key = parts[n_parts - 1];
  sf_cfg_node *t = cfg->root;
  char walked[SET_PARTS_MAX * SET_PART_LEN];
  walked[0] = '\0';
  for (size_t i = 0; i + 1 < n_parts; ++i) {
    const char *name = parts[i];
    size_t used = strlen(walked);
    snprintf(walked + used, sizeof walked - used, "%s%s", used ? "." : "", name);
    if (is_index(name))
      return sf_error_set(SF_EINVAL,
                          "--set: %s: '%s' looks like an index, but what precedes it "
                          "is not an array of tables",
                          shown, name);
    sf_cfg_node *c = sf_cfg_node_child(t, name);
    bool indexed = i + 2 < n_parts && is_index(parts[i + 1]);
    if (c && c->type == SF_CFG_N_VALUE)
      return sf_error_set(SF_EINVAL, "--set: %s: %s holds a value, not a table", shown, walked);
    if (indexed) {
      size_t idx = strlen(parts[i + 1]) > 9 ? (size_t)-1 : (size_t)strtoul(parts[i + 1], NULL, 10);
      size_t count = c && c->type == SF_CFG_N_AOT ? c->n_kids : 0;
      if (c && c->type != SF_CFG_N_AOT)
        return sf_error_set(SF_EINVAL, "--set: %s: %s is a table, not an array of tables", shown,
                            walked);
      if (idx == 0)
        return sf_error_set(SF_EINVAL, "--set: %s: array indices start at 1", shown);
      if (idx > count + 1)
        return sf_error_set(SF_ERANGE,
                            "--set: %s: there %s %zu [[%s]] element%s; index %zu is neither one "
                            "of them nor the next (%zu)",
                            shown, count == 1 ? "is" : "are", count, walked, count == 1 ? "" : "s",
                            idx, count + 1);
      if (create && !c && !(c = add_table(t, SF_CFG_N_AOT, name)))
        return SF_ENOMEM;
      if (!c)
        t = NULL;
      else if (idx == count + 1)
        t = create ? add_table(c, SF_CFG_N_TABLE, NULL) : NULL;
      else
        t = c->kids[idx - 1];
      if (create && !t)
        return SF_ENOMEM;
      used = strlen(walked);
      snprintf(walked + used, sizeof walked - used, ".%s", parts[i + 1]);
      ++i;
      continue;
    }
    if (c && c->type == SF_CFG_N_AOT)
      return sf_error_set(SF_EINVAL,
                          "--set: %s: %s is an array of tables; name an element, e.g. %s.1.%s",
                          shown, walked, walked, key);
    if (create && !c && !(c = add_table(t, SF_CFG_N_TABLE, name)))
      return SF_ENOMEM;
    t = c;
  }
  sf_cfg_node *old = sf_cfg_node_child(t, key);
  if (old && old->type != SF_CFG_N_VALUE)
    return sf_error_set(SF_EINVAL, "--set: %s: %s is a table, not a key", shown, shown);
  *out = t;
  return SF_OK;
}

int sf_config_set(sf_config *cfg, const char *assignment) {
  if (!cfg || !assignment)
    return sf_error_set(SF_EINVAL, "sf_config_set: NULL argument");
  const char *eq = strchr(assignment, '=');
  if (!eq)
    return sf_error_set(SF_EINVAL, "--set %s: expected table.key=value", assignment);
  const char *pa = assignment, *pb = eq;
  trim(&pa, &pb);
  if (pa == pb)
    return sf_error_set(SF_EINVAL, "--set %s: missing key before '='", assignment);
  char parts[SET_PARTS_MAX][SET_PART_LEN];
  size_t n_parts;
  char shown[SET_PARTS_MAX * SET_PART_LEN];
  SF_TRY(split_path(pa, pb, parts, &n_parts, shown, sizeof shown, assignment));
  const char *key = parts[n_parts - 1];
  if (is_index(key))
    return sf_error_set(SF_EINVAL, "--set: %s: the last part must be a key, not an index", shown);

  /* The value: TOML, or a bare word taken as a string. */
  const char *va = eq + 1, *vb = eq + 1 + strlen(eq + 1);
  trim(&va, &vb);
  size_t vlen = (size_t)(vb - va);
  char *vtext = malloc(vlen + 1);
  if (!vtext)
    return sf_error_set(SF_ENOMEM, "--set: out of memory");
  memcpy(vtext, va, vlen);
  vtext[vlen] = '\0';
  sf_cfg_value v;
  int status = sf_cfg_parse_value_text(vtext, "--set", shown, &v);
  if (status != SF_OK) {
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", sf_error_message());
    bool word = vlen > 0 && !strchr("\"'[{", vtext[0]) && sf_cfg_text_ok(vtext);
    if (!word) {
      free(vtext);
      return sf_error_set(status, "%s", saved);
    }
    memset(&v, 0, sizeof v);
    v.kind = SF_CFG_K_STRING;
    v.s = vtext;
    vtext = NULL;
    sf_error_clear();
  }
  free(vtext);

  sf_cfg_node *t;
  status = walk(cfg, parts, n_parts, shown, false, &t);
  if (status == SF_OK)
    status = walk(cfg, parts, n_parts, shown, true, &t);
  if (status != SF_OK) {
    sf_cfg_value_free(&v);
    return status;
  }
  sf_cfg_node *old = sf_cfg_node_child(t, key);

  sf_cfg_buf b = {0};
  sf_cfg_format_value(&b, &v, false);
  char *text;
  if (sf_cfg_buf_take(&b, &text) != SF_OK) {
    sf_cfg_value_free(&v);
    return SF_ENOMEM;
  }
  sf_cfg_node *n = old;
  if (!n) {
    n = sf_cfg_node_new(SF_CFG_N_VALUE, key, 0);
    if (!n || sf_cfg_node_add(t, n) != SF_OK) {
      sf_cfg_node_free(n);
      sf_cfg_value_free(&v);
      free(text);
      return sf_error_set(SF_ENOMEM, "--set: out of memory");
    }
  }
  sf_cfg_value_free(&n->value);
  free(n->text);
  n->value = v;
  n->text = text;
  n->line = 0;
  n->from_set = true;
  cfg->schema = NULL; /* validate again */
  return SF_OK;
}
