/* attrs.c - grouped, typed attributes. */
#include "core/sf_attrs.h"

#include "core/sf_status.h"

#include <stdlib.h>
#include <string.h>

static void attr_free_value(sf_attr *at) {
  free(at->text);
  free(at->values);
  at->text = NULL;
  at->values = NULL;
  at->n_values = 0;
}

/* Slot for (group, key): the existing one (value freed) or a new one. */
static sf_attr *attr_slot(sf_attrs *a, const char *group, const char *key) {
  if (!group)
    group = "";
  for (size_t i = 0; i < a->count; ++i) {
    if (strcmp(a->items[i].group, group) == 0 && strcmp(a->items[i].key, key) == 0) {
      attr_free_value(&a->items[i]);
      return &a->items[i];
    }
  }
  if (a->count == a->capacity) {
    size_t cap = a->capacity ? 2 * a->capacity : 16;
    sf_attr *items = realloc(a->items, cap * sizeof *items);
    if (!items)
      return NULL;
    a->items = items;
    a->capacity = cap;
  }
  sf_attr *at = &a->items[a->count];
  memset(at, 0, sizeof *at);
  at->group = strdup(group);
  at->key = strdup(key);
  if (!at->group || !at->key) {
    free(at->group);
    free(at->key);
    return NULL;
  }
  a->count++;
  return at;
}

static int no_memory(const char *key) {
  return sf_error_set(SF_ENOMEM, "storing attribute %s: out of memory", key);
}

int sf_attrs_set_string(sf_attrs *a, const char *group, const char *key, const char *text) {
  sf_attr *at = attr_slot(a, group, key);
  if (!at || !(at->text = strdup(text ? text : "")))
    return no_memory(key);
  at->type = SF_ATTR_STRING;
  return SF_OK;
}

int sf_attrs_set_double(sf_attrs *a, const char *group, const char *key, double value) {
  sf_attr *at = attr_slot(a, group, key);
  if (!at)
    return no_memory(key);
  at->type = SF_ATTR_DOUBLE;
  at->number = value;
  return SF_OK;
}

int sf_attrs_set_int(sf_attrs *a, const char *group, const char *key, int64_t value) {
  sf_attr *at = attr_slot(a, group, key);
  if (!at)
    return no_memory(key);
  at->type = SF_ATTR_INT;
  at->integer = value;
  return SF_OK;
}

int sf_attrs_set_doubles(sf_attrs *a, const char *group, const char *key, const double *values,
                         size_t n) {
  sf_attr *at = attr_slot(a, group, key);
  if (!at || !(at->values = malloc((n ? n : 1) * sizeof(double))))
    return no_memory(key);
  if (n)
    memcpy(at->values, values, n * sizeof(double));
  at->n_values = n;
  at->type = SF_ATTR_DOUBLES;
  return SF_OK;
}

const sf_attr *sf_attrs_find(const sf_attrs *a, const char *group, const char *key) {
  if (!group)
    group = "";
  for (size_t i = 0; i < a->count; ++i)
    if (strcmp(a->items[i].group, group) == 0 && strcmp(a->items[i].key, key) == 0)
      return &a->items[i];
  return NULL;
}

const char *sf_attrs_get_string(const sf_attrs *a, const char *group, const char *key) {
  const sf_attr *at = sf_attrs_find(a, group, key);
  return at && at->type == SF_ATTR_STRING ? at->text : NULL;
}

int sf_attrs_get_double(const sf_attrs *a, const char *group, const char *key, double *out) {
  const sf_attr *at = sf_attrs_find(a, group, key);
  if (at && at->type == SF_ATTR_DOUBLE) {
    *out = at->number;
    return SF_OK;
  }
  if (at && at->type == SF_ATTR_INT) {
    *out = (double)at->integer;
    return SF_OK;
  }
  return SF_ENOENT;
}

int sf_attrs_copy(sf_attrs *dst, const sf_attrs *src) {
  for (size_t i = 0; i < src->count; ++i) {
    const sf_attr *s = &src->items[i];
    int status = SF_OK;
    switch (s->type) {
    case SF_ATTR_STRING: status = sf_attrs_set_string(dst, s->group, s->key, s->text); break;
    case SF_ATTR_DOUBLE: status = sf_attrs_set_double(dst, s->group, s->key, s->number); break;
    case SF_ATTR_INT: status = sf_attrs_set_int(dst, s->group, s->key, s->integer); break;
    case SF_ATTR_DOUBLES:
      status = sf_attrs_set_doubles(dst, s->group, s->key, s->values, s->n_values);
      break;
    }
    if (status != SF_OK)
      return status;
  }
  return SF_OK;
}

void sf_attrs_clear(sf_attrs *a) {
  for (size_t i = 0; i < a->count; ++i) {
    attr_free_value(&a->items[i]);
    free(a->items[i].group);
    free(a->items[i].key);
  }
  free(a->items);
  memset(a, 0, sizeof *a);
}
