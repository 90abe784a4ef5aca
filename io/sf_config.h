/* sf_config.h - configuration files: a strict TOML subset, schemas and overrides.

   stemfuse reads run configurations written in a small, strict subset of TOML
   (docs: file-formats.md section 7): `#` comments, `[table]` and dotted
   `[table.sub]` headers, arrays of tables `[[name]]`, bare keys
   (A-Z a-z 0-9 _ -), and values that are decimal integers (64-bit, optional
   sign, `_` separators), finite floats, basic "..." strings (escapes \" \\ \b
   \f \n \r \t \uXXXX \UXXXXXXXX) and literal '...' strings, booleans, and flat
   arrays of one kind (numbers, strings or booleans; multi-line with comments
   and a trailing comma). Anything else - inline tables, dates, multi-line
   strings, dotted or quoted keys, inf/nan, nested or mixed arrays, duplicate
   keys, redefined tables, unterminated strings, missing values - is an
   SF_EFORMAT error "file:line: table.key = value: reason". The document
   remembers where every value came from (file:line, or "--set"). Limits: a
   file of at most 1 MiB, at most 10000 keys and sub-tables per table, keys
   of at most 255 characters, headers at most 32 levels deep.

   A subsystem declares its keys in an sf_config_schema. sf_config_validate()
   rejects unknown tables and keys (with a "did you mean" hint), wrong types,
   numbers out of range, strings outside their choices and missing required
   keys; the typed getters then return each value or its declared default, and
   sf_config_dump() writes the fully resolved configuration as TOML.

   Arrays of tables: the element i of [[detector]] (1-based, in file order) is
   addressed as table "detector.i" by the getters, by sf_config_set()
   ("detector.2.inner_mrad=80") and in messages. In such paths an all-digit
   component is always an index.

   Catalogue: sf_config_create, sf_config_parse_file, sf_config_parse_string,
   sf_config_destroy, sf_config_set, sf_config_validate, sf_config_get_number,
   sf_config_get_int, sf_config_get_string, sf_config_get_bool,
   sf_config_get_numbers, sf_config_get_strings, sf_config_count,
   sf_config_has, sf_config_origin, sf_config_dump, sf_config_to_json,
   sf_config_to_toml. */
#ifndef SF_CONFIG_H
#define SF_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* ---- Types ---------------------------------------------------------------- */

/** A parsed configuration document (opaque). */
typedef struct sf_config sf_config;

/** The type a schema key expects. */
typedef enum sf_config_type {
  SF_CFG_NUMBER = 0,  /* integer or float, read as double */
  SF_CFG_INT = 1,     /* integer, read as int64_t */
  SF_CFG_STRING = 2,  /* basic or literal string */
  SF_CFG_BOOL = 3,    /* true / false */
  SF_CFG_NUMBERS = 4, /* flat array of numbers, possibly empty, read as doubles */
  SF_CFG_STRINGS = 5  /* flat array of strings, possibly empty */
} sf_config_type;

/** One key a subsystem accepts. Units belong in the key name (energy_keV). */
typedef struct sf_config_key {
  const char *table; /* "beam", "sim.prism", an array-table name, or NULL / "" for top level */
  const char *key;   /* bare key */
  sf_config_type type;
  const char *default_value; /* TOML text ("300", "\"multislice\"", "[70, 200]"); NULL = required */
  double min, max;           /* inclusive range of a number (each element for NUMBERS);
                                min == max == 0 means unchecked; use -HUGE_VAL / HUGE_VAL
                                for a one-sided range */
  const char *const *choices; /* NULL-terminated allowed strings (STRING, STRINGS), or NULL */
  const char *help;           /* one line, written as a comment by sf_config_dump() */
} sf_config_key;

/** The keys of one command or subsystem. Tables are the distinct `table`
    fields; an array table's keys apply to each of its [[name]] elements
    (array-table elements hold keys only, no sub-tables). */
typedef struct sf_config_schema {
  const char *name; /* "simulate": used in messages and the dump header */
  const sf_config_key *keys;
  size_t n_keys;
  const char *const *array_tables; /* NULL-terminated names written [[name]], or NULL */
} sf_config_schema;

/* ---- Documents ------------------------------------------------------------ */

/** An empty document (no file: every key takes its default). On success the
    caller owns *out; free it with sf_config_destroy(). */
int sf_config_create(sf_config **out);

/** Parse the file at `path`. SF_ENOENT / SF_EIO if it cannot be read,
    SF_EFORMAT with "path:line: ..." if it is not in the subset. On success
    *out is owned by the caller. */
int sf_config_parse_file(const char *path, sf_config **out);

/** Parse `length` bytes of `text` (need not be NUL-terminated); `name` is the
    file name used in messages and origins. As sf_config_parse_file(). */
int sf_config_parse_string(const char *text, size_t length, const char *name, sf_config **out);

/** Free a document and everything the getters returned by reference. NULL is a no-op. */
void sf_config_destroy(sf_config *cfg);

/** Apply one override "table.key=value" (as `--set`): the value is TOML
    ("300", "1.5e-3", "\"a b\"", "[70, 200]", "true"); text that is not valid
    TOML and does not start with a quote or bracket is taken as a string, so
    "output.name=abc" works. "detector.2.inner_mrad=80" sets a key of the
    second [[detector]]; index count+1 appends a new element. Missing tables
    are created. The value's origin becomes "--set". Invalidates an earlier
    sf_config_validate(). SF_EFORMAT / SF_EINVAL with a "--set: ..." message. */
int sf_config_set(sf_config *cfg, const char *assignment);

/* ---- Schema --------------------------------------------------------------- */

/** Check every table and key of `cfg` against `schema` and attach the schema
    for the getters. All problems are reported, one per line, each starting
    with its origin ("file:line: table.key = value: reason"); the status is
    that of the first (SF_EINVAL for unknown, mistyped or missing keys,
    SF_ERANGE for numbers out of range). A malformed schema (a default that
    does not parse or fit its own type and range) is SF_EINVAL. `schema` must
    outlive `cfg` or the next validation. */
int sf_config_validate(sf_config *cfg, const sf_config_schema *schema);

/* ---- Typed getters (after sf_config_validate) -----------------------------
   `table` is a schema table, "name.i" for element i (1-based) of an array
   table, or NULL / "" for the top level. Each returns the configured value or
   the schema default. A key the schema does not declare, a type that does not
   match the declaration, or a call before validation is a programming error:
   SF_EINVAL. An element index beyond sf_config_count() is SF_ERANGE. */

/** Number (SF_CFG_NUMBER or SF_CFG_INT key) as a double, in the unit its name states. */
int sf_config_get_number(const sf_config *cfg, const char *table, const char *key, double *value);
/** Integer (SF_CFG_INT key). */
int sf_config_get_int(const sf_config *cfg, const char *table, const char *key, int64_t *value);
/** String (SF_CFG_STRING key); *value is owned by cfg and lives until sf_config_destroy(). */
int sf_config_get_string(const sf_config *cfg, const char *table, const char *key,
                         const char **value);
/** Boolean (SF_CFG_BOOL key). */
int sf_config_get_bool(const sf_config *cfg, const char *table, const char *key, bool *value);
/** Array of numbers (SF_CFG_NUMBERS key): *values is a new array of *n doubles
    owned by the caller (free with sf_free; NULL when *n is 0). */
int sf_config_get_numbers(const sf_config *cfg, const char *table, const char *key, double **values,
                          size_t *n);
/** Array of strings (SF_CFG_STRINGS key): *values points to *n strings owned by
    cfg (valid until sf_config_destroy()). */
int sf_config_get_strings(const sf_config *cfg, const char *table, const char *key,
                          const char *const **values, size_t *n);

/* ---- Inspection (no schema needed) ---------------------------------------- */

/** Number of [[array_table]] elements in the document (0 if none). */
size_t sf_config_count(const sf_config *cfg, const char *array_table);
/** true if table.key was given in the file or by --set (false: default applies). */
bool sf_config_has(const sf_config *cfg, const char *table, const char *key);
/** Where table.key came from, written to buf: "run.toml:12", "--set" or
    "default" when absent. SF_EINVAL for a NULL or zero-sized buffer. */
int sf_config_origin(const sf_config *cfg, const char *table, const char *key, char *buf,
                     size_t size);

/* ---- Output --------------------------------------------------------------- */

/** The fully resolved configuration as TOML: every key of `schema`, grouped
    by table in schema order, with its value or default and the help text as
    a comment (defaults and overrides are marked). Parsing the text back gives
    the same values. Call after sf_config_validate(cfg, schema). *text is
    malloc'ed and owned by the caller (free()). */
int sf_config_dump(const sf_config *cfg, const sf_config_schema *schema, char **text);

/** The raw document (no schema) as JSON: tables as objects, arrays of tables
    as arrays of objects, integers as integers, floats with 17 significant
    digits, strings escaped. *json is malloc'ed, owned by the caller (free()). */
int sf_config_to_json(const sf_config *cfg, char **json);

/** The raw document as normalised TOML (top-level keys, then each table under
    its full dotted header); parses back to the same document. *text is
    malloc'ed, owned by the caller (free()). */
int sf_config_to_toml(const sf_config *cfg, char **text);

#ifdef __cplusplus
}
#endif
#endif
