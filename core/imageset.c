/* imageset.c - the calibrated image set. */
#include "core/sf_imageset.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "sf_version.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t sf_dtype_size(sf_dtype dtype) { return dtype == SF_F64 ? sizeof(double) : sizeof(float); }

int sf_name_is_valid(const char *name) {
  size_t n = name ? strlen(name) : 0;
  if (n == 0 || n >= SF_NAME_MAX)
    return 0;
  for (size_t i = 0; i < n; ++i) {
    char c = name[i];
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok)
      return 0;
  }
  return 1;
}

sf_imageset *sf_imageset_create(void) {
  sf_imageset *set = calloc(1, sizeof *set);
  if (!set)
    sf_error_set(SF_ENOMEM, "allocating an image set: out of memory");
  return set;
}

void sf_map_destroy(sf_map *m) {
  if (!m)
    return;
  sf_free(m->data);
  sf_attrs_clear(&m->attrs);
  free(m);
}

void sf_imageset_destroy(sf_imageset *set) {
  if (!set)
    return;
  for (size_t i = 0; i < set->count; ++i)
    sf_map_destroy(set->maps[i]);
  free(set->maps);
  sf_attrs_clear(&set->attrs);
  free(set);
}

sf_map *sf_imageset_find(const sf_imageset *set, const char *name) {
  for (size_t i = 0; i < set->count; ++i)
    if (strcmp(set->maps[i]->name, name) == 0)
      return set->maps[i];
  return NULL;
}

void sf_imageset_truncate(sf_imageset *set, size_t count) {
  while (set->count > count)
    sf_map_destroy(set->maps[--set->count]);
}

sf_map *sf_imageset_detach(sf_imageset *set, const char *name) {
  for (size_t i = 0; i < set->count; ++i) {
    if (strcmp(set->maps[i]->name, name) == 0) {
      sf_map *m = set->maps[i];
      memmove(&set->maps[i], &set->maps[i + 1], (set->count - i - 1) * sizeof *set->maps);
      set->count--;
      return m;
    }
  }
  return NULL;
}

static int reserve_one(sf_imageset *set, const char *name) {
  if (set->count < set->capacity)
    return SF_OK;
  size_t cap = set->capacity ? 2 * set->capacity : 8;
  sf_map **maps = realloc(set->maps, cap * sizeof *maps);
  if (!maps)
    return sf_error_set(SF_ENOMEM, "adding map '%s': out of memory", name);
  set->maps = maps;
  set->capacity = cap;
  return SF_OK;
}

int sf_imageset_attach(sf_imageset *set, sf_map *map) {
  if (sf_imageset_find(set, map->name))
    return sf_error_set(SF_EINVAL, "map name '%s': already in the image set", map->name);
  SF_TRY(reserve_one(set, map->name));
  set->maps[set->count++] = map;
  return SF_OK;
}

static void axis_default(sf_axis *ax, const char *name) {
  snprintf(ax->name, sizeof ax->name, "%s", name);
  snprintf(ax->units, sizeof ax->units, "px");
  ax->origin = 0.0;
  ax->step = 1.0;
}

int sf_imageset_add_map(sf_imageset *set, const char *name, sf_dtype dtype, size_t nx, size_t ny,
                        size_t nz, sf_map **out) {
  if (!sf_name_is_valid(name))
    return sf_error_set(SF_EINVAL, "map name '%s': use 1-%d characters from [A-Za-z0-9_]",
                        name ? name : "", SF_NAME_MAX - 1);
  if (sf_imageset_find(set, name))
    return sf_error_set(SF_EINVAL, "map name '%s': already in the image set", name);
  if (nx == 0 || ny == 0 || nz == 0)
    return sf_error_set(SF_EINVAL, "map '%s': size %zu x %zu x %zu has a zero dimension", name,
                        nx, ny, nz);
  SF_TRY(reserve_one(set, name));
  sf_map *m = calloc(1, sizeof *m);
  if (!m)
    return sf_error_set(SF_ENOMEM, "adding map '%s': out of memory", name);
  snprintf(m->name, sizeof m->name, "%s", name);
  m->dtype = dtype;
  m->nx = nx;
  m->ny = ny;
  m->nz = nz;
  if (ny > SIZE_MAX / nx || nz > SIZE_MAX / (nx * ny)) {
    free(m);
    return sf_error_set(SF_ENOMEM, "map '%s': size %zu x %zu x %zu overflows", name, nx, ny, nz);
  }
  m->data = sf_alloc(nx * ny * nz, sf_dtype_size(dtype), name);
  if (!m->data) {
    free(m);
    return SF_ENOMEM;
  }
  axis_default(&m->axis[0], "x");
  axis_default(&m->axis[1], "y");
  axis_default(&m->axis[2], "z");
  snprintf(m->quantity, sizeof m->quantity, "Intensity");
  set->maps[set->count++] = m;
  if (out)
    *out = m;
  return SF_OK;
}

int sf_imageset_set_provenance(sf_imageset *set, int argc, char *const argv[], int seed_set,
                               uint64_t seed, const char *config_text) {
  size_t len = 1;
  for (int i = 0; i < argc; ++i)
    len += strlen(argv[i]) + 1;
  char *line = malloc(len);
  if (!line)
    return sf_error_set(SF_ENOMEM, "recording the command line: out of memory");
  line[0] = '\0';
  for (int i = 0; i < argc; ++i) {
    if (i)
      strcat(line, " ");
    strcat(line, argv[i]);
  }
  int status = sf_attrs_set_string(&set->attrs, "comments", "generator", "stemfuse");
  if (status == SF_OK)
    status = sf_attrs_set_string(&set->attrs, "comments", "version", SF_VERSION_STRING);
  if (status == SF_OK)
    status = sf_attrs_set_string(&set->attrs, "comments", "git_sha", SF_GIT_SHA);
  if (status == SF_OK)
    status = sf_attrs_set_string(&set->attrs, "comments", "command_line", line);
  if (status == SF_OK && seed_set)
    status = sf_attrs_set_int(&set->attrs, "comments", "seed", (int64_t)seed);
  if (status == SF_OK && config_text)
    status = sf_attrs_set_string(&set->attrs, "comments", "config", config_text);
  free(line);
  return status;
}

static size_t map_index(const sf_map *m, size_t ix, size_t iy, size_t iz) {
  return (iy * m->nx + ix) * m->nz + iz;
}

double sf_map_get(const sf_map *m, size_t ix, size_t iy, size_t iz) {
  size_t k = map_index(m, ix, iy, iz);
  return m->dtype == SF_F64 ? ((const double *)m->data)[k] : (double)((const float *)m->data)[k];
}

void sf_map_set(sf_map *m, size_t ix, size_t iy, size_t iz, double value) {
  size_t k = map_index(m, ix, iy, iz);
  if (m->dtype == SF_F64)
    ((double *)m->data)[k] = value;
  else
    ((float *)m->data)[k] = (float)value;
}

int sf_map_set_axis(sf_map *m, int axis, const char *name, const char *units, double origin,
                    double step) {
  if (axis < 0 || axis > 2)
    return sf_error_set(SF_EINVAL, "map '%s': axis %d does not exist", m->name, axis);
  if (!isfinite(origin) || !isfinite(step) || step == 0.0)
    return sf_error_set(SF_EINVAL, "map '%s' axis %d: origin %g, step %g: need finite values and "
                        "a non-zero step", m->name, axis, origin, step);
  sf_axis *ax = &m->axis[axis];
  snprintf(ax->name, sizeof ax->name, "%s", name);
  snprintf(ax->units, sizeof ax->units, "%s", units ? units : "");
  ax->origin = origin;
  ax->step = step;
  return SF_OK;
}

double sf_axis_length_scale_A(const sf_axis *ax) {
  if (strcmp(ax->units, "Å") == 0 || strcmp(ax->units, "A") == 0)
    return 1.0;
  if (strcmp(ax->units, "nm") == 0)
    return 10.0;
  if (strcmp(ax->units, "pm") == 0)
    return 0.01;
  return 0.0;
}

int sf_map_axis_step_A(const sf_map *m, int axis, double *step_A) {
  double scale = axis >= 0 && axis < 2 ? sf_axis_length_scale_A(&m->axis[axis]) : 0.0;
  if (scale == 0.0)
    return sf_error_set(SF_EINVAL, "map '%s' axis %d: units '%s': need a length (Å, nm or pm); "
                        "calibrate the pixel size", m->name, axis,
                        axis >= 0 && axis < 2 ? m->axis[axis].units : "?");
  *step_A = fabs(m->axis[axis].step) * scale;
  return SF_OK;
}

int sf_map_check_finite(const sf_map *m) {
  size_t n = m->nx * m->ny * m->nz;
  for (size_t k = 0; k < n; ++k) {
    double v = m->dtype == SF_F64 ? ((const double *)m->data)[k] : ((const float *)m->data)[k];
    if (!isfinite(v)) {
      size_t pixel = k / m->nz;
      return sf_error_set(SF_ENUMERIC, "map '%s': value %g at x=%zu, y=%zu%s: NaN or Inf "
                          "is not allowed", m->name, v, pixel % m->nx, pixel / m->nx,
                          m->nz > 1 ? " (in the cube)" : "");
    }
  }
  return SF_OK;
}

int sf_map_same_grid(const sf_map *a, const sf_map *b) { return a->nx == b->nx && a->ny == b->ny; }

int sf_imageset_check_names(const sf_imageset *set) {
  if (!set)
    return sf_error_set(SF_EINVAL, "image set: NULL argument");
  for (size_t i = 0; i < set->count; ++i) {
    const char *a = set->maps[i]->name;
    const size_t len = strlen(a);
    for (size_t j = 0; j < set->count; ++j) {
      const char *b = set->maps[j]->name;
      if (i != j && strlen(b) >= len && strncmp(a, b, len) == 0)
        return sf_error_set(SF_EINVAL,
                            "signal names '%s' and '%s': one is a prefix of the other, which "
                            "HyperSpy 1.7.3 cannot load (docs/file-formats.md); rename one",
                            a, b);
    }
  }
  return SF_OK;
}
