/* sf_attrs.h - free-form, typed provenance attributes grouped by name.

   An attribute has a group ("comments", "microscope", "sample", "simulation",
   or "" for a signal's own attributes), a key and a typed value: a string, a
   double, an integer or an array of doubles. Setting an existing
   (group, key) replaces its value. An empty sf_attrs (all zero) is valid.

   Catalogue: sf_attrs_set_string, sf_attrs_set_double, sf_attrs_set_int,
   sf_attrs_set_doubles, sf_attrs_find, sf_attrs_get_string,
   sf_attrs_get_double, sf_attrs_copy, sf_attrs_clear. */
#ifndef SF_ATTRS_H
#define SF_ATTRS_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_attr_type {
  SF_ATTR_STRING = 0,
  SF_ATTR_DOUBLE = 1,
  SF_ATTR_INT = 2,
  SF_ATTR_DOUBLES = 3
} sf_attr_type;

typedef struct sf_attr {
  char *group;
  char *key;
  sf_attr_type type;
  char *text;      /* SF_ATTR_STRING */
  double number;   /* SF_ATTR_DOUBLE */
  int64_t integer; /* SF_ATTR_INT */
  double *values;  /* SF_ATTR_DOUBLES */
  size_t n_values;
} sf_attr;

typedef struct sf_attrs {
  sf_attr *items;
  size_t count;
  size_t capacity;
} sf_attrs;

int sf_attrs_set_string(sf_attrs *a, const char *group, const char *key, const char *text);
int sf_attrs_set_double(sf_attrs *a, const char *group, const char *key, double value);
int sf_attrs_set_int(sf_attrs *a, const char *group, const char *key, int64_t value);
int sf_attrs_set_doubles(sf_attrs *a, const char *group, const char *key, const double *values,
                         size_t n);

/** The attribute (group, key), or NULL. */
const sf_attr *sf_attrs_find(const sf_attrs *a, const char *group, const char *key);
/** String value, or NULL when absent or not a string. */
const char *sf_attrs_get_string(const sf_attrs *a, const char *group, const char *key);
/** Numeric value (double or int) into *out; SF_ENOENT when absent or not numeric. */
int sf_attrs_get_double(const sf_attrs *a, const char *group, const char *key, double *out);

/** Append copies of every attribute of src to dst (replacing equal keys). */
int sf_attrs_copy(sf_attrs *dst, const sf_attrs *src);
/** Free all attributes; leaves an empty, reusable sf_attrs. */
void sf_attrs_clear(sf_attrs *a);

#ifdef __cplusplus
}
#endif
#endif
