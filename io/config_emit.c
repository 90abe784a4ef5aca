/* config_emit.c - writing values and raw documents as TOML and JSON. */
#include "io/config_internal.h"

#include "core/sf_status.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sf_cfg_format_double(sf_cfg_buf *b, double x, bool json) {
  char text[48];
  if (json) {
    snprintf(text, sizeof text, "%.17g", x);
    sf_cfg_buf_puts(b, text);
    if (!strpbrk(text, ".eE"))
      sf_cfg_buf_puts(b, ".0");
    return;
  }
  /* Fewest significant digits that read back to x. */
  int p = 0;
  for (; p < 17; ++p) {
    snprintf(text, sizeof text, "%.*e", p, x);
    if (strtod(text, NULL) == x)
      break;
  }
  char *e = strchr(text, 'e');
  int exp10 = e ? atoi(e + 1) : 0;
  if (e && exp10 >= -5 && exp10 < 5) {
    /* Plain notation with at least one decimal: 300.0, 0.0244, -0.0 */
    int decimals = p - exp10;
    snprintf(text, sizeof text, "%.*f", decimals < 1 ? 1 : decimals, x);
  } else if (e) {
    /* "1e+05" -> "1e5", "2.5e-07" -> "2.5e-7" */
    char *d = e + 1;
    char *s = d + (*d == '+' || *d == '-');
    char *z = s;
    while (*z == '0' && z[1])
      ++z;
    if (*d == '+')
      memmove(d, z, strlen(z) + 1);
    else
      memmove(s, z, strlen(z) + 1);
  }
  sf_cfg_buf_puts(b, text);
}

/* A string in double quotes with the escapes TOML and JSON share. */
static void put_quoted(sf_cfg_buf *b, const char *s) {
  sf_cfg_buf_putc(b, '"');
  for (const unsigned char *c = (const unsigned char *)s; *c; ++c) {
    switch (*c) {
    case '"': sf_cfg_buf_puts(b, "\\\""); break;
    case '\\': sf_cfg_buf_puts(b, "\\\\"); break;
    case '\b': sf_cfg_buf_puts(b, "\\b"); break;
    case '\t': sf_cfg_buf_puts(b, "\\t"); break;
    case '\n': sf_cfg_buf_puts(b, "\\n"); break;
    case '\f': sf_cfg_buf_puts(b, "\\f"); break;
    case '\r': sf_cfg_buf_puts(b, "\\r"); break;
    default:
      if (*c < 0x20 || *c == 0x7F)
        sf_cfg_buf_printf(b, "\\u%04X", (unsigned)*c);
      else
        sf_cfg_buf_putc(b, (char)*c);
    }
  }
  sf_cfg_buf_putc(b, '"');
}

void sf_cfg_format_value(sf_cfg_buf *b, const sf_cfg_value *v, bool json) {
  switch (v->kind) {
  case SF_CFG_K_INT: sf_cfg_buf_printf(b, "%" PRId64, v->i); break;
  case SF_CFG_K_FLOAT: sf_cfg_format_double(b, v->f, json); break;
  case SF_CFG_K_STRING: put_quoted(b, v->s); break;
  case SF_CFG_K_BOOL: sf_cfg_buf_puts(b, v->b ? "true" : "false"); break;
  case SF_CFG_K_ARRAY:
    sf_cfg_buf_putc(b, '[');
    for (size_t i = 0; i < v->n_items; ++i) {
      if (i)
        sf_cfg_buf_puts(b, ", ");
      sf_cfg_format_value(b, &v->items[i], json);
    }
    sf_cfg_buf_putc(b, ']');
    break;
  }
}

/* ---- JSON ---- */

static void indent(sf_cfg_buf *b, int depth) {
  for (int i = 0; i < depth; ++i)
    sf_cfg_buf_puts(b, "  ");
}

static void json_node(sf_cfg_buf *b, const sf_cfg_node *n, int depth);

static void json_table(sf_cfg_buf *b, const sf_cfg_node *t, int depth) {
  if (t->n_kids == 0) {
    sf_cfg_buf_puts(b, "{}");
    return;
  }
  sf_cfg_buf_puts(b, "{\n");
  for (size_t i = 0; i < t->n_kids; ++i) {
    indent(b, depth + 1);
    put_quoted(b, t->kids[i]->key);
    sf_cfg_buf_puts(b, ": ");
    json_node(b, t->kids[i], depth + 1);
    sf_cfg_buf_puts(b, i + 1 < t->n_kids ? ",\n" : "\n");
  }
  indent(b, depth);
  sf_cfg_buf_putc(b, '}');
}

static void json_node(sf_cfg_buf *b, const sf_cfg_node *n, int depth) {
  if (n->type == SF_CFG_N_VALUE) {
    sf_cfg_format_value(b, &n->value, true);
  } else if (n->type == SF_CFG_N_TABLE) {
    json_table(b, n, depth);
  } else {
    sf_cfg_buf_puts(b, "[\n");
    for (size_t i = 0; i < n->n_kids; ++i) {
      indent(b, depth + 1);
      json_table(b, n->kids[i], depth + 1);
      sf_cfg_buf_puts(b, i + 1 < n->n_kids ? ",\n" : "\n");
    }
    indent(b, depth);
    sf_cfg_buf_putc(b, ']');
  }
}

int sf_config_to_json(const sf_config *cfg, char **json) {
  if (!cfg || !json)
    return sf_error_set(SF_EINVAL, "sf_config_to_json: NULL argument");
  *json = NULL;
  sf_cfg_buf b = {0};
  json_table(&b, cfg->root, 0);
  sf_cfg_buf_putc(&b, '\n');
  return sf_cfg_buf_take(&b, json);
}

/* ---- Normalised TOML ---- */

static void toml_values(sf_cfg_buf *b, const sf_cfg_node *t) {
  for (size_t i = 0; i < t->n_kids; ++i) {
    const sf_cfg_node *k = t->kids[i];
    if (k->type != SF_CFG_N_VALUE)
      continue;
    sf_cfg_buf_printf(b, "%s = ", k->key);
    sf_cfg_format_value(b, &k->value, false);
    sf_cfg_buf_putc(b, '\n');
  }
}

static void toml_tables(sf_cfg_buf *b, const sf_cfg_node *t, const char *path) {
  for (size_t i = 0; i < t->n_kids; ++i) {
    const sf_cfg_node *k = t->kids[i];
    if (k->type == SF_CFG_N_VALUE)
      continue;
    size_t len = strlen(path) + strlen(k->key) + 2;
    char *sub = malloc(len);
    if (!sub) {
      b->failed = true;
      return;
    }
    snprintf(sub, len, "%s%s%s", path, path[0] ? "." : "", k->key);
    if (k->type == SF_CFG_N_TABLE) {
      bool has_values = false, has_tables = false;
      for (size_t j = 0; j < k->n_kids; ++j) {
        if (k->kids[j]->type == SF_CFG_N_VALUE)
          has_values = true;
        else
          has_tables = true;
      }
      if (has_values || !has_tables) {
        sf_cfg_buf_printf(b, "%s[%s]\n", b->len ? "\n" : "", sub);
        toml_values(b, k);
      }
      toml_tables(b, k, sub);
    } else {
      for (size_t j = 0; j < k->n_kids; ++j) {
        sf_cfg_buf_printf(b, "%s[[%s]]\n", b->len ? "\n" : "", sub);
        toml_values(b, k->kids[j]);
        toml_tables(b, k->kids[j], sub);
      }
    }
    free(sub);
  }
}

int sf_config_to_toml(const sf_config *cfg, char **text) {
  if (!cfg || !text)
    return sf_error_set(SF_EINVAL, "sf_config_to_toml: NULL argument");
  *text = NULL;
  sf_cfg_buf b = {0};
  toml_values(&b, cfg->root);
  toml_tables(&b, cfg->root, "");
  return sf_cfg_buf_take(&b, text);
}
