/* config_tree.c - the configuration document tree: nodes, values, lookup and
   the small text buffer the emitters share. */
#include "io/config_internal.h"

#include "core/sf_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Text buffer ---- */

static bool buf_reserve(sf_cfg_buf *b, size_t extra) {
  if (b->failed)
    return false;
  if (b->len + extra + 1 <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *data = realloc(b->data, cap);
  if (!data) {
    b->failed = true;
    return false;
  }
  b->data = data;
  b->cap = cap;
  return true;
}

void sf_cfg_buf_putn(sf_cfg_buf *b, const char *s, size_t n) {
  if (!buf_reserve(b, n))
    return;
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void sf_cfg_buf_puts(sf_cfg_buf *b, const char *s) { sf_cfg_buf_putn(b, s, strlen(s)); }

void sf_cfg_buf_putc(sf_cfg_buf *b, char c) { sf_cfg_buf_putn(b, &c, 1); }

void sf_cfg_buf_printf(sf_cfg_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !buf_reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

int sf_cfg_buf_take(sf_cfg_buf *b, char **out) {
  if (!buf_reserve(b, 0)) {
    sf_cfg_buf_free(b);
    return sf_error_set(SF_ENOMEM, "configuration text: out of memory");
  }
  b->data[b->len] = '\0';
  *out = b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return SF_OK;
}

void sf_cfg_buf_free(sf_cfg_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
  b->failed = false;
}

/* ---- Values and nodes ---- */

void sf_cfg_value_free(sf_cfg_value *v) {
  if (!v)
    return;
  free(v->s);
  for (size_t i = 0; i < v->n_items; ++i)
    sf_cfg_value_free(&v->items[i]);
  free(v->items);
  free(v->strv);
  memset(v, 0, sizeof *v);
}

sf_cfg_node *sf_cfg_node_new(sf_cfg_node_type type, const char *key, int line) {
  sf_cfg_node *n = calloc(1, sizeof *n);
  if (!n) {
    sf_error_set(SF_ENOMEM, "configuration: out of memory");
    return NULL;
  }
  n->type = type;
  n->line = line;
  if (key) {
    n->key = strdup(key);
    if (!n->key) {
      free(n);
      sf_error_set(SF_ENOMEM, "configuration: out of memory");
      return NULL;
    }
  }
  return n;
}

void sf_cfg_node_free(sf_cfg_node *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->n_kids; ++i)
    sf_cfg_node_free(n->kids[i]);
  free(n->kids);
  free(n->key);
  free(n->text);
  sf_cfg_value_free(&n->value);
  free(n);
}

int sf_cfg_node_add(sf_cfg_node *parent, sf_cfg_node *child) {
  if (parent->n_kids == parent->cap_kids) {
    size_t cap = parent->cap_kids ? 2 * parent->cap_kids : 8;
    sf_cfg_node **kids = realloc(parent->kids, cap * sizeof *kids);
    if (!kids)
      return sf_error_set(SF_ENOMEM, "configuration: out of memory");
    parent->kids = kids;
    parent->cap_kids = cap;
  }
  parent->kids[parent->n_kids++] = child;
  return SF_OK;
}

sf_cfg_node *sf_cfg_node_child(const sf_cfg_node *table, const char *key) {
  if (!table || table->type != SF_CFG_N_TABLE)
    return NULL;
  for (size_t i = 0; i < table->n_kids; ++i)
    if (strcmp(table->kids[i]->key, key) == 0)
      return table->kids[i];
  return NULL;
}

bool sf_cfg_is_bare_key(const char *s) {
  if (!s || !*s)
    return false;
  for (; *s; ++s) {
    char c = *s;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
}

/* An all-digit component "12" as a 1-based index; 0 if it is not one. */
static size_t parse_index(const char *s, size_t n) {
  if (n == 0 || n > 9)
    return 0;
  size_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = 10 * v + (size_t)(s[i] - '0');
  }
  return v;
}

sf_cfg_node *sf_cfg_resolve(const sf_config *cfg, const char *path) {
  if (!cfg || !cfg->root)
    return NULL;
  sf_cfg_node *t = cfg->root;
  if (!path || !*path)
    return t;
  const char *p = path;
  char part[256];
  while (*p) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (n == 0 || n >= sizeof part)
      return NULL;
    memcpy(part, p, n);
    part[n] = '\0';
    p += n + (dot ? 1 : 0);
    if (dot && !*p)
      return NULL; /* trailing dot */
    sf_cfg_node *c = sf_cfg_node_child(t, part);
    if (!c)
      return NULL;
    if (c->type == SF_CFG_N_TABLE) {
      t = c;
    } else if (c->type == SF_CFG_N_AOT) {
      /* the next component must be a 1-based index */
      const char *dot2 = strchr(p, '.');
      size_t n2 = dot2 ? (size_t)(dot2 - p) : strlen(p);
      size_t idx = parse_index(p, n2);
      if (idx == 0 || idx > c->n_kids)
        return NULL;
      t = c->kids[idx - 1];
      p += n2 + (dot2 ? 1 : 0);
      if (dot2 && !*p)
        return NULL;
    } else {
      return NULL;
    }
  }
  return t;
}

void sf_cfg_origin_text(const sf_config *cfg, const sf_cfg_node *n, char *buf, size_t size) {
  if (!n)
    snprintf(buf, size, "default");
  else if (n->from_set)
    snprintf(buf, size, "--set");
  else if (n->line > 0)
    snprintf(buf, size, "%s:%d", cfg->name ? cfg->name : "(no file)", n->line);
  else
    snprintf(buf, size, "%s", cfg->name ? cfg->name : "(no file)");
}

/* ---- Public: lifecycle and inspection ---- */

int sf_config_create(sf_config **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_config_create: out is NULL");
  *out = NULL;
  sf_config *cfg = calloc(1, sizeof *cfg);
  if (!cfg)
    return sf_error_set(SF_ENOMEM, "configuration: out of memory");
  cfg->root = sf_cfg_node_new(SF_CFG_N_TABLE, NULL, 0);
  if (!cfg->root) {
    free(cfg);
    return SF_ENOMEM;
  }
  cfg->root->defined = true;
  *out = cfg;
  return SF_OK;
}

void sf_config_destroy(sf_config *cfg) {
  if (!cfg)
    return;
  sf_cfg_node_free(cfg->root);
  for (size_t i = 0; i < cfg->n_defaults; ++i)
    sf_cfg_value_free(&cfg->defaults[i]);
  free(cfg->defaults);
  free(cfg->name);
  free(cfg);
}

size_t sf_config_count(const sf_config *cfg, const char *array_table) {
  if (!cfg || !array_table || !*array_table)
    return 0;
  const char *dot = strrchr(array_table, '.');
  const sf_cfg_node *parent = cfg->root;
  const char *last = array_table;
  if (dot) {
    char parent_path[512];
    size_t n = (size_t)(dot - array_table);
    if (n >= sizeof parent_path)
      return 0;
    memcpy(parent_path, array_table, n);
    parent_path[n] = '\0';
    parent = sf_cfg_resolve(cfg, parent_path);
    last = dot + 1;
  }
  const sf_cfg_node *a = sf_cfg_node_child(parent, last);
  return a && a->type == SF_CFG_N_AOT ? a->n_kids : 0;
}

static const sf_cfg_node *find_value(const sf_config *cfg, const char *table, const char *key) {
  if (!cfg || !key)
    return NULL;
  const sf_cfg_node *t = sf_cfg_resolve(cfg, table);
  const sf_cfg_node *v = sf_cfg_node_child(t, key);
  return v && v->type == SF_CFG_N_VALUE ? v : NULL;
}

bool sf_config_has(const sf_config *cfg, const char *table, const char *key) {
  return find_value(cfg, table, key) != NULL;
}

int sf_config_origin(const sf_config *cfg, const char *table, const char *key, char *buf,
                     size_t size) {
  if (!buf || size == 0)
    return sf_error_set(SF_EINVAL, "sf_config_origin: no buffer");
  if (!cfg) {
    buf[0] = '\0';
    return sf_error_set(SF_EINVAL, "sf_config_origin: cfg is NULL");
  }
  sf_cfg_origin_text(cfg, find_value(cfg, table, key), buf, size);
  return SF_OK;
}
