/* config_internal.h - private structures shared by io/config_*.c (not installed).

   The document is a tree of nodes: tables (ordered children), arrays of
   tables (ordered element tables) and values. Every node remembers the line
   it was written on, or that it came from --set. Symbols here carry the
   prefix sf_cfg_ and are not part of the public API.

   Catalogue: sf_cfg_buf_*, sf_cfg_value_free, sf_cfg_value_copy,
   sf_cfg_node_new, sf_cfg_node_free, sf_cfg_node_add, sf_cfg_node_child,
   sf_cfg_resolve, sf_cfg_origin_text, sf_cfg_parse_value_text,
   sf_cfg_format_value, sf_cfg_format_double, sf_cfg_text_ok,
   sf_cfg_is_bare_key, sf_cfg_key_table, sf_cfg_is_array_table,
   sf_cfg_schema_prepare, sf_cfg_describe_key. */
#ifndef SF_CONFIG_INTERNAL_H
#define SF_CONFIG_INTERNAL_H
#include "io/sf_config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Growable text buffer ---- */
typedef struct sf_cfg_buf {
  char *data;
  size_t len, cap;
  bool failed; /* an allocation failed; further appends are ignored */
} sf_cfg_buf;

void sf_cfg_buf_putn(sf_cfg_buf *b, const char *s, size_t n);
void sf_cfg_buf_puts(sf_cfg_buf *b, const char *s);
void sf_cfg_buf_putc(sf_cfg_buf *b, char c);
void sf_cfg_buf_printf(sf_cfg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Hand the text to the caller (malloc'ed) or record SF_ENOMEM; frees b on failure. */
int sf_cfg_buf_take(sf_cfg_buf *b, char **out);
void sf_cfg_buf_free(sf_cfg_buf *b);

/* ---- Values ---- */
typedef enum sf_cfg_kind {
  SF_CFG_K_INT,
  SF_CFG_K_FLOAT,
  SF_CFG_K_STRING,
  SF_CFG_K_BOOL,
  SF_CFG_K_ARRAY
} sf_cfg_kind;

typedef struct sf_cfg_value {
  sf_cfg_kind kind;
  int64_t i;
  double f;
  bool b;
  char *s;                    /* STRING (UTF-8, no NUL inside) */
  struct sf_cfg_value *items; /* ARRAY: scalars of one kind (INT and FLOAT may mix) */
  size_t n_items;
  char **strv; /* ARRAY of strings: n_items borrowed pointers + NULL */
} sf_cfg_value;

void sf_cfg_value_free(sf_cfg_value *v);

/* ---- Nodes ---- */
typedef enum sf_cfg_node_type { SF_CFG_N_VALUE, SF_CFG_N_TABLE, SF_CFG_N_AOT } sf_cfg_node_type;

typedef struct sf_cfg_node {
  sf_cfg_node_type type;
  char *key;     /* NULL for the root and for array elements */
  int line;      /* line of the key or header (0 when from --set) */
  bool from_set; /* created or last assigned by sf_config_set */
  bool defined;  /* table: written with its own header (the root counts as defined) */
  char *text;    /* value: text shown in messages (source text or normalised) */
  sf_cfg_value value;
  struct sf_cfg_node **kids; /* table: children in order; AOT: element tables */
  size_t n_kids, cap_kids;
} sf_cfg_node;

struct sf_config {
  char *name; /* file name for messages */
  sf_cfg_node *root;
  const sf_config_schema *schema; /* set by a successful sf_config_validate */
  sf_cfg_value *defaults;         /* schema defaults, parsed, one per key */
  size_t n_defaults;
};

sf_cfg_node *sf_cfg_node_new(sf_cfg_node_type type, const char *key, int line);
void sf_cfg_node_free(sf_cfg_node *n);
/** Append child (table child or AOT element); SF_ENOMEM on failure. */
int sf_cfg_node_add(sf_cfg_node *parent, sf_cfg_node *child);
/** The child of a table with this key, or NULL. */
sf_cfg_node *sf_cfg_node_child(const sf_cfg_node *table, const char *key);

/** Find the table named by a dotted path ("beam", "detector.2", NULL or "" =
    root); an all-digit component after an array of tables is a 1-based
    index. NULL if absent (no error recorded). */
sf_cfg_node *sf_cfg_resolve(const sf_config *cfg, const char *path);

/** "file:line", "--set" or "default" (n == NULL) into buf. */
void sf_cfg_origin_text(const sf_config *cfg, const sf_cfg_node *n, char *buf, size_t size);

/** Parse a whole value written as TOML text (a schema default or a --set
    value). `origin` prefixes messages. On failure *v is left empty. */
int sf_cfg_parse_value_text(const char *text, const char *origin, const char *what,
                            sf_cfg_value *v);

/** Append the value in TOML syntax (also valid JSON for numbers and booleans
    when json is true: strings are then JSON-escaped and floats use 17
    significant digits). */
void sf_cfg_format_value(sf_cfg_buf *b, const sf_cfg_value *v, bool json);
/** Append a float as the shortest text that reads back exactly (always with
    '.' or an exponent); json: always 17 significant digits. */
void sf_cfg_format_double(sf_cfg_buf *b, double x, bool json);

/* ---- Schema helpers (config_schema.c) ---- */

/** The table of a schema key ("" for top level). */
const char *sf_cfg_key_table(const sf_config_key *k);
/** true if `name` is listed in schema->array_tables. */
bool sf_cfg_is_array_table(const sf_config_schema *s, const char *name);
/** Check the schema itself and parse every default (NULL entry for a
    required key is an empty value). *defaults has s->n_keys entries; free each
    with sf_cfg_value_free, then free(). SF_EINVAL for a malformed schema. */
int sf_cfg_schema_prepare(const sf_config_schema *s, sf_cfg_value **defaults);
/** Append "number in [1, 10000]", "one of 'a', 'b'", ... for comments. */
void sf_cfg_describe_key(sf_cfg_buf *b, const sf_config_key *k);

/** true if text is valid UTF-8 without control characters (tab and newlines included). */
bool sf_cfg_text_ok(const char *text);

/** true if s is a non-empty bare key (A-Z a-z 0-9 _ -). */
bool sf_cfg_is_bare_key(const char *s);

#endif
