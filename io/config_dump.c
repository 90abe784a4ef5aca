/* config_dump.c - the fully resolved configuration (every schema key with its
   value or default) as commented TOML: what --dump-config prints and what
   outputs record. */
#include "io/config_internal.h"

#include "core/sf_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "# help (type ...)" - one comment line per line of help. */
static void put_help(sf_cfg_buf *b, const sf_config_key *k, const char *lead) {
  const char *h = k->help ? k->help : "";
  do {
    const char *nl = strchr(h, '\n');
    size_t len = nl ? (size_t)(nl - h) : strlen(h);
    sf_cfg_buf_printf(b, "%s# ", lead);
    sf_cfg_buf_putn(b, h, len);
    if (!nl) {
      sf_cfg_buf_puts(b, len ? " (" : "(");
      sf_cfg_describe_key(b, k);
      sf_cfg_buf_puts(b, ")");
    }
    sf_cfg_buf_putc(b, '\n');
    h = nl ? nl + 1 : NULL;
  } while (h);
}

static void put_key(sf_cfg_buf *b, const sf_config_key *k, const sf_cfg_node *table,
                    const sf_cfg_value *def) {
  put_help(b, k, "");
  const sf_cfg_node *n = sf_cfg_node_child(table, k->key);
  if (n && n->type == SF_CFG_N_VALUE) {
    sf_cfg_buf_printf(b, "%s = ", k->key);
    sf_cfg_format_value(b, &n->value, false);
    sf_cfg_buf_puts(b, n->from_set ? "  # --set\n" : "\n");
  } else if (k->default_value) {
    sf_cfg_buf_printf(b, "%s = ", k->key);
    sf_cfg_format_value(b, def, false);
    sf_cfg_buf_puts(b, "  # default\n");
  } else {
    sf_cfg_buf_printf(b, "# %s = ?  (required, missing)\n", k->key);
  }
}

/* All keys of `table` (schema order) against the document table `node`. */
static void put_group(sf_cfg_buf *b, const sf_config_schema *s, const sf_cfg_value *defaults,
                      const char *table, const sf_cfg_node *node) {
  for (size_t i = 0; i < s->n_keys; ++i)
    if (strcmp(sf_cfg_key_table(&s->keys[i]), table) == 0)
      put_key(b, &s->keys[i], node, &defaults[i]);
}

/* An array table without elements: its keys as a commented template. */
static void put_template(sf_cfg_buf *b, const sf_config_schema *s, const sf_cfg_value *defaults,
                         const char *table) {
  sf_cfg_buf_printf(b, "\n# [[%s]]: none given. Each [[%s]] element takes:\n", table, table);
  for (size_t i = 0; i < s->n_keys; ++i) {
    const sf_config_key *k = &s->keys[i];
    if (strcmp(sf_cfg_key_table(k), table) != 0)
      continue;
    put_help(b, k, "#   ");
    sf_cfg_buf_printf(b, "#   %s = ", k->key);
    if (k->default_value)
      sf_cfg_format_value(b, &defaults[i], false);
    else
      sf_cfg_buf_puts(b, "?");
    sf_cfg_buf_putc(b, '\n');
  }
}

static void put_table(sf_cfg_buf *b, const sf_config *cfg, const sf_config_schema *s,
                      const sf_cfg_value *defaults, const char *table) {
  if (!sf_cfg_is_array_table(s, table)) {
    sf_cfg_buf_printf(b, "\n[%s]\n", table);
    put_group(b, s, defaults, table, sf_cfg_resolve(cfg, table));
    return;
  }
  size_t n = sf_config_count(cfg, table);
  if (n == 0) {
    put_template(b, s, defaults, table);
    return;
  }
  for (size_t e = 1; e <= n; ++e) {
    char elem[1024];
    snprintf(elem, sizeof elem, "%s.%zu", table, e);
    sf_cfg_buf_printf(b, "\n[[%s]]\n", table);
    put_group(b, s, defaults, table, sf_cfg_resolve(cfg, elem));
  }
}

int sf_config_dump(const sf_config *cfg, const sf_config_schema *schema, char **text) {
  if (!cfg || !schema || !text)
    return sf_error_set(SF_EINVAL, "sf_config_dump: NULL argument");
  *text = NULL;
  sf_cfg_value *local = NULL;
  const sf_cfg_value *defaults = cfg->defaults;
  if (cfg->schema != schema) {
    SF_TRY(sf_cfg_schema_prepare(schema, &local));
    defaults = local;
  }
  sf_cfg_buf b = {0};
  sf_cfg_buf_printf(&b,
                    "# stemfuse configuration '%s', fully resolved: every key with its value "
                    "or default.\n",
                    schema->name ? schema->name : "");
  put_group(&b, schema, defaults, "", cfg->root);
  for (size_t i = 0; i < schema->n_keys; ++i) {
    const char *t = sf_cfg_key_table(&schema->keys[i]);
    bool seen = !t[0];
    for (size_t j = 0; j < i && !seen; ++j)
      seen = strcmp(sf_cfg_key_table(&schema->keys[j]), t) == 0;
    if (!seen)
      put_table(&b, cfg, schema, defaults, t);
  }
  /* Array tables without keys still keep their element count. */
  if (schema->array_tables)
    for (const char *const *a = schema->array_tables; *a; ++a) {
      bool has_keys = false;
      for (size_t i = 0; i < schema->n_keys && !has_keys; ++i)
        has_keys = strcmp(sf_cfg_key_table(&schema->keys[i]), *a) == 0;
      if (!has_keys)
        for (size_t e = 0; e < sf_config_count(cfg, *a); ++e)
          sf_cfg_buf_printf(&b, "\n[[%s]]\n", *a);
    }
  if (local) {
    for (size_t i = 0; i < schema->n_keys; ++i)
      sf_cfg_value_free(&local[i]);
    free(local);
  }
  return sf_cfg_buf_take(&b, text);
}
