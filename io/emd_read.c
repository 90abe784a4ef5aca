/* emd_read.c - read Berkeley EMD 0.2 files (ours, HyperSpy's, Prismatic's). */
#include "io/sf_emd.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_h5.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Number of ulps either side of (last - first)/(n - 1) searched for a step
   that regenerates a full-length calibration vector exactly. */
#define EMD_STEP_SEARCH_ULPS 64

/* A signal found in the file. */
typedef struct emd_signal {
  char *group;             /* HDF5 path of its group */
  char name[SF_NAME_MAX];  /* its (valid, unique) map name */
} emd_signal;

typedef struct emd_signals {
  emd_signal *items;
  size_t count;
  size_t capacity;
  int status;
  const char *path; /* the file, for messages */
} emd_signals;

/* Context of one read, for messages. */
typedef struct emd_in {
  const char *path;
  char detail[256];
} emd_in;

static int h5_fail(emd_in *in, const char *what, const char *object) {
  return sf_error_set(SF_EFORMAT, "%s: reading %s %s failed: %s", in->path, what, object,
                      sf_io_h5_error_detail(in->detail, sizeof in->detail));
}

/* ---- names ---------------------------------------------------------------- */

/* A valid map or group name from any HDF5 link name: characters outside
   [A-Za-z0-9_] become '_', long names are cut. */
static void sanitize_name(const char *raw, char *out, size_t size) {
  size_t n = 0;
  for (; raw[n] && n + 1 < size && n + 1 < SF_NAME_MAX; ++n) {
    char c = raw[n];
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out[n] = ok ? c : '_';
  }
  out[n] = '\0';
  if (n == 0)
    snprintf(out, size, "signal");
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static void signals_free(emd_signals *s) {
  for (size_t i = 0; i < s->count; ++i)
    free(s->items[i].group);
  free(s->items);
  s->items = NULL;
  s->count = s->capacity = 0;
}

static int signals_add(emd_signals *s, const char *group) {
  if (s->count == s->capacity) {
    size_t cap = s->capacity ? 2 * s->capacity : 8;
    emd_signal *items = realloc(s->items, cap * sizeof *items);
    if (!items)
      return sf_error_set(SF_ENOMEM, "%s: listing signals: out of memory", s->path);
    s->items = items;
    s->capacity = cap;
  }
  emd_signal *sig = &s->items[s->count];
  sig->group = strdup(group);
  if (!sig->group)
    return sf_error_set(SF_ENOMEM, "%s: listing signals: out of memory", s->path);
  char name[SF_NAME_MAX];
  sanitize_name(base_name(group), name, sizeof name);
  /* Unique names: a repeated one gets _2, _3, ... */
  snprintf(sig->name, sizeof sig->name, "%s", name);
  for (int k = 2;; ++k) {
    int taken = 0;
    for (size_t i = 0; i < s->count; ++i)
      taken |= strcmp(s->items[i].name, sig->name) == 0;
    if (!taken)
      break;
    char suffix[16];
    int len = snprintf(suffix, sizeof suffix, "_%d", k);
    snprintf(sig->name, sizeof sig->name, "%.*s%s", SF_NAME_MAX - 1 - len, name, suffix);
  }
  s->count++;
  return SF_OK;
}

/* ---- attribute values ---------------------------------------------------- */

/* Read a scalar (or one-element) string attribute; *out is malloc'ed. */
static int attr_read_string(hid_t a, hid_t ftype, char **out) {
  *out = NULL;
  hid_t space = H5Aget_space(a);
  hssize_t npoints = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  if (space >= 0)
    H5Sclose(space);
  if (npoints != 1)
    return SF_EUNSUPPORTED;
  int status = SF_OK;
  htri_t is_vlen = H5Tis_variable_str(ftype);
  hid_t mtype = H5Tcopy(H5T_C_S1);
  if (mtype < 0 || is_vlen < 0)
    status = SF_EFORMAT;
  else if (is_vlen) {
    char *value = NULL;
    H5Tset_size(mtype, H5T_VARIABLE);
    H5Tset_cset(mtype, H5Tget_cset(ftype));
    if (H5Aread(a, mtype, &value) < 0) {
      status = SF_EFORMAT;
    } else {
      *out = strdup(value ? value : "");
      if (!*out)
        status = SF_ENOMEM;
      H5free_memory(value);
    }
  } else {
    size_t size = H5Tget_size(ftype);
    char *value = calloc(size + 1, 1);
    H5Tset_size(mtype, size + 1);
    H5Tset_strpad(mtype, H5T_STR_NULLTERM);
    H5Tset_cset(mtype, H5Tget_cset(ftype));
    if (!value)
      status = SF_ENOMEM;
    else if (H5Aread(a, mtype, value) < 0)
      status = SF_EFORMAT;
    if (status == SF_OK)
      *out = value;
    else
      free(value);
  }
  if (mtype >= 0)
    H5Tclose(mtype);
  return status;
}

/* Read an integer or float attribute as npoints doubles (*values malloc'ed). */
static int attr_read_doubles(hid_t a, size_t npoints, double **values) {
  *values = malloc((npoints ? npoints : 1) * sizeof **values);
  if (!*values)
    return SF_ENOMEM;
  if (npoints && H5Aread(a, H5T_NATIVE_DOUBLE, *values) < 0) {
    free(*values);
    *values = NULL;
    return SF_EFORMAT;
  }
  return SF_OK;
}

/* Store attribute `key` of object `a` in attrs (group `group`). Types that
   have no sf_attrs counterpart (compound, enum, string arrays, ...) are
   skipped with a log message; returns SF_OK for them. */
static int attr_store(emd_in *in, hid_t a, const char *owner, const char *key, sf_attrs *attrs,
                      const char *group) {
  hid_t ftype = H5Aget_type(a);
  hid_t space = H5Aget_space(a);
  H5S_class_t sclass = space >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
  hssize_t npts = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  size_t npoints = npts > 0 ? (size_t)npts : 0;
  if (sclass == H5S_NULL)
    npoints = 0;
  H5T_class_t tclass = ftype >= 0 ? H5Tget_class(ftype) : H5T_NO_CLASS;
  int status = SF_OK, skipped = 0;
  char what[160];
  snprintf(what, sizeof what, "attribute %s of", key);
  if (ftype < 0 || space < 0) {
    status = h5_fail(in, what, owner);
  } else if (tclass == H5T_STRING) {
    char *text = NULL;
    int rc = attr_read_string(a, ftype, &text);
    if (rc == SF_EUNSUPPORTED)
      skipped = 1;
    else if (rc == SF_ENOMEM)
      status = sf_error_set(SF_ENOMEM, "%s: %s %s: out of memory", in->path, what, owner);
    else if (rc != SF_OK)
      status = h5_fail(in, what, owner);
    else
      status = sf_attrs_set_string(attrs, group, key, text);
    free(text);
  } else if (tclass == H5T_INTEGER && sclass != H5S_NULL && npoints == 1) {
    int is_u64 = H5Tget_sign(ftype) == H5T_SGN_NONE && H5Tget_size(ftype) >= 8;
    if (is_u64) {
      uint64_t u = 0;
      if (H5Aread(a, H5T_NATIVE_UINT64, &u) < 0)
        status = h5_fail(in, what, owner);
      else if (u > (uint64_t)INT64_MAX)
        status = sf_attrs_set_double(attrs, group, key, (double)u);
      else
        status = sf_attrs_set_int(attrs, group, key, (int64_t)u);
    } else {
      int64_t v = 0;
      if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
        status = h5_fail(in, what, owner);
      else
        status = sf_attrs_set_int(attrs, group, key, v);
    }
  } else if (tclass == H5T_FLOAT && sclass == H5S_SCALAR) {
    double v = 0.0;
    if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0)
      status = h5_fail(in, what, owner);
    else
      status = sf_attrs_set_double(attrs, group, key, v);
  } else if (tclass == H5T_FLOAT || tclass == H5T_INTEGER) {
    double *values = NULL;
    int rc = attr_read_doubles(a, npoints, &values);
    if (rc == SF_ENOMEM)
      status = sf_error_set(SF_ENOMEM, "%s: %s %s: out of memory", in->path, what, owner);
    else if (rc != SF_OK)
      status = h5_fail(in, what, owner);
    else
      status = sf_attrs_set_doubles(attrs, group, key, values, npoints);
    free(values);
  } else {
    skipped = 1;
  }
  if (skipped) {
    char tname[16];
    sf_log(SF_LOG_INFO, "%s: %s %s: type %s (%zu values) is not kept", in->path, what, owner,
           ftype >= 0 ? sf_io_h5_dtype_text(ftype, tname, sizeof tname) : "unknown", npoints);
  }
  if (ftype >= 0)
    H5Tclose(ftype);
  if (space >= 0)
    H5Sclose(space);
  return status;
}

/* Iterating over the attributes of one object. */
typedef struct attr_walk {
  emd_in *in;
  const char *owner;            /* HDF5 path, for messages */
  sf_attrs *attrs;              /* where the values go */
  const char *group;            /* their attribute group */
  const char *const *skip;      /* names not copied (NULL-terminated) */
  sf_map *map;                  /* non-NULL for a signal: quantity, units */
  int status;
} attr_walk;

static herr_t attr_walk_cb(hid_t obj, const char *key, const H5A_info_t *info, void *data) {
  (void)info;
  attr_walk *w = data;
  for (const char *const *s = w->skip; s && *s; ++s)
    if (strcmp(key, *s) == 0)
      return 0;
  hid_t a = H5Aopen(obj, key, H5P_DEFAULT);
  if (a < 0) {
    char what[160];
    snprintf(what, sizeof what, "attribute %s of", key);
    w->status = h5_fail(w->in, what, w->owner);
    return -1;
  }
  int status = SF_OK;
  if (w->map && (strcmp(key, "quantity") == 0 || strcmp(key, "units") == 0)) {
    /* The map's own quantity and units, when they are strings. */
    sf_attrs tmp = {0};
    status = attr_store(w->in, a, w->owner, key, &tmp, "");
    const char *text = sf_attrs_get_string(&tmp, "", key);
    if (status == SF_OK && text) {
      if (key[0] == 'q')
        snprintf(w->map->quantity, sizeof w->map->quantity, "%s", text);
      else
        snprintf(w->map->units, sizeof w->map->units, "%s", text);
    } else if (status == SF_OK) {
      status = sf_attrs_copy(w->attrs, &tmp);
    }
    sf_attrs_clear(&tmp);
  } else {
    status = attr_store(w->in, a, w->owner, key, w->attrs, w->group);
  }
  H5Aclose(a);
  if (status != SF_OK) {
    w->status = status;
    return -1;
  }
  return 0;
}

static int read_attrs(emd_in *in, hid_t obj, const char *owner, sf_attrs *attrs,
                      const char *group, const char *const *skip, sf_map *map) {
  attr_walk w = {in, owner, attrs, group, skip, map, SF_OK};
  hsize_t idx = 0;
  herr_t rc = H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, attr_walk_cb, &w);
  if (w.status != SF_OK)
    return w.status;
  if (rc < 0)
    return h5_fail(in, "the attributes of", owner);
  return SF_OK;
}

/* Read an integer attribute of obj (0 when absent or not an integer). */
static int64_t attr_int_or_zero(hid_t obj, const char *key) {
  int64_t v = 0;
  if (H5Aexists(obj, key) <= 0)
    return 0;
  hid_t a = H5Aopen(obj, key, H5P_DEFAULT);
  if (a < 0)
    return 0;
  hid_t t = H5Aget_type(a);
  hid_t space = H5Aget_space(a);
  if (t >= 0 && H5Tget_class(t) == H5T_INTEGER && space >= 0 &&
      H5Sget_simple_extent_npoints(space) == 1 && H5Aread(a, H5T_NATIVE_INT64, &v) < 0)
    v = 0;
  if (t >= 0)
    H5Tclose(t);
  if (space >= 0)
    H5Sclose(space);
  H5Aclose(a);
  return v;
}

/* ---- finding the signals ------------------------------------------------- */

static int is_group(hid_t loc, const char *name) {
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
    return 0;
  hid_t obj = H5Oopen(loc, name, H5P_DEFAULT);
  if (obj < 0)
    return 0;
  int yes = H5Iget_type(obj) == H5I_GROUP;
  H5Oclose(obj);
  return yes;
}

/* An EMD signal group: emd_group_type = 1 (any non-zero integer). */
static int is_signal_group(hid_t obj) { return attr_int_or_zero(obj, "emd_group_type") != 0; }

typedef struct find_ctx {
  emd_signals *list;
  const char *prefix; /* "/signals/" or "/" */
} find_ctx;

static herr_t find_cb(hid_t loc, const char *name, const H5L_info_t *info, void *data) {
  find_ctx *ctx = data;
  if (info->type != H5L_TYPE_HARD)
    return 0;
  hid_t obj = H5Oopen(loc, name, H5P_DEFAULT);
  if (obj < 0)
    return 0;
  int take = H5Iget_type(obj) == H5I_GROUP && is_signal_group(obj);
  if (take && strcmp(ctx->prefix, "/") == 0)
    take = H5Lexists(obj, "data", H5P_DEFAULT) > 0;
  H5Oclose(obj);
  if (!take) {
    if (strcmp(ctx->prefix, "/signals/") == 0)
      sf_log(SF_LOG_INFO, "%s: /signals/%s is not an EMD signal group (emd_group_type != 1); "
             "skipped", ctx->list->path, name);
    return 0;
  }
  char *group = malloc(strlen(ctx->prefix) + strlen(name) + 1);
  if (!group) {
    ctx->list->status = sf_error_set(SF_ENOMEM, "%s: out of memory", ctx->list->path);
    return -1;
  }
  sprintf(group, "%s%s", ctx->prefix, name);
  int status = signals_add(ctx->list, group);
  free(group);
  if (status != SF_OK) {
    ctx->list->status = status;
    return -1;
  }
  return 0;
}

/* The signal groups of an open file: the members of /signals or, without
   /signals, every group with emd_group_type = 1 and a `data` dataset. */
static int find_signals(emd_in *in, hid_t file, emd_signals *list) {
  memset(list, 0, sizeof *list);
  list->path = in->path;
  herr_t rc;
  find_ctx ctx = {list, "/signals/"};
  if (is_group(file, "signals")) {
    hid_t g = H5Gopen2(file, "signals", H5P_DEFAULT);
    if (g < 0)
      return h5_fail(in, "group", "/signals");
    hsize_t idx = 0;
    rc = H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, find_cb, &ctx);
    H5Gclose(g);
  } else {
    ctx.prefix = "/";
    rc = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, find_cb, &ctx);
    if (rc >= 0 && list->status == SF_OK && list->count == 0) {
      int64_t major = attr_int_or_zero(file, "version_major");
      if (major >= 1)
        return sf_error_set(SF_EUNSUPPORTED, "%s: EMD version %lld.x files are not read yet; "
                            "only EMD 0.2 (/signals)", in->path, (long long)major);
      return sf_error_set(SF_EFORMAT, "%s: HDF5 file but not EMD: no /signals group and no "
                          "group with emd_group_type = 1 (for a plain HDF5 dataset use "
                          "FILE.h5:/DATASET)", in->path);
    }
  }
  if (list->status != SF_OK) {
    int status = list->status;
    signals_free(list);
    return status;
  }
  if (rc < 0) {
    signals_free(list);
    return h5_fail(in, "the groups of", "the file");
  }
  return SF_OK;
}

/* ---- calibration vectors --------------------------------------------------- */

/* Units without EMD brackets: "[Å]" -> "Å"; "[n_m]" (HyperSpy separates the
   characters with '_') -> "nm"; "[m]*[s]" -> "m * s"; "nm" stays "nm". */
static void strip_units(const char *raw, char *out, size_t size) {
  if (!strchr(raw, '[')) {
    snprintf(out, size, "%s", raw);
    return;
  }
  size_t used = 0;
  out[0] = '\0';
  for (const char *p = strchr(raw, '['); p; p = strchr(p, '[')) {
    const char *end = strchr(p, ']');
    if (!end)
      break;
    const char *s = p + 1;
    size_t len = (size_t)(end - s);
    /* Separated form: every second UTF-8 character is '_'. */
    int separated = len >= 3;
    size_t chars = 0;
    for (size_t i = 0; i < len && separated;) {
      size_t clen = 1;
      while (i + clen < len && ((unsigned char)s[i + clen] & 0xC0) == 0x80)
        ++clen;
      if ((chars % 2 == 1) != (clen == 1 && s[i] == '_'))
        separated = 0;
      i += clen;
      ++chars;
    }
    if (separated && chars % 2 == 0)
      separated = 0;
    if (used && used + 3 < size) {
      memcpy(out + used, " * ", 4);
      used += 3;
    }
    for (size_t i = 0; i < len && used + 1 < size; ++i)
      if (!(separated && s[i] == '_'))
        out[used++] = s[i];
    out[used] = '\0';
    p = end + 1;
  }
}

/* 1 when origin + i*step reproduces v[0..n-1] exactly, as the writer made it. */
static int step_regenerates(const double *v, size_t n, double step) {
  for (size_t i = 0; i < n; ++i)
    if (v[0] + (double)i * step != v[i])
      return 0;
  return 1;
}

/* The step of a full-length calibration vector v[i] = origin + i*step.
   When the origin is not zero, several doubles near the estimate
   (v[n-1] - v[0])/(n - 1) can regenerate the vector exactly. Taken, in
   order: the estimate rounded to the fewest significant decimal digits that
   regenerates it (a step typed as 0.1 reads back as 0.1); v[1] - v[0]
   (exact when the origin is 0); the nearest double to the estimate that
   regenerates it; the estimate itself (vectors written by others). */
static double vector_step(const double *v, size_t n) {
  double estimate = (v[n - 1] - v[0]) / (double)(n - 1);
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {
    snprintf(buf, sizeof buf, "%.*g", digits, estimate);
    double candidate = strtod(buf, NULL);
    if (step_regenerates(v, n, candidate))
      return candidate;
  }
  if (step_regenerates(v, n, v[1] - v[0]))
    return v[1] - v[0];
  double down = estimate, up = estimate;
  for (int k = 0; k < EMD_STEP_SEARCH_ULPS; ++k) {
    down = nextafter(down, -INFINITY);
    up = nextafter(up, INFINITY);
    if (step_regenerates(v, n, down))
      return down;
    if (step_regenerates(v, n, up))
      return up;
  }
  return estimate;
}

/* Calibration of axis `axis` (length n) from dataset dimN of the signal
   group, when it exists; the map's pixel default otherwise. */
static int read_dim(emd_in *in, hid_t g, const char *owner, sf_map *m, int axis, size_t n) {
  char dname[8], downer[SF_NAME_MAX + 300];
  snprintf(dname, sizeof dname, "dim%d", axis + 1);
  snprintf(downer, sizeof downer, "%s/%s", owner, dname);
  if (H5Lexists(g, dname, H5P_DEFAULT) <= 0)
    return SF_OK;
  sf_axis *ax = &m->axis[axis];
  hid_t d = H5Dopen2(g, dname, H5P_DEFAULT);
  if (d < 0)
    return h5_fail(in, "calibration vector", downer);
  int status = SF_OK;
  hid_t t = H5Dget_type(d);
  hid_t space = H5Dget_space(d);
  hssize_t npts = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  if ((cls == H5T_FLOAT || cls == H5T_INTEGER) && npts > 0) {
    size_t m_len = (size_t)npts;
    double *v = sf_alloc(m_len, sizeof *v, "a calibration vector");
    if (!v) {
      status = sf_error_prepend(SF_ENOMEM, "%s: %s", in->path, downer);
    } else if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
      status = h5_fail(in, "calibration vector", downer);
    } else {
      double origin = v[0], step = 1.0;
      if (m_len == n && n >= 2)
        step = vector_step(v, n);
      else if (m_len == 2)
        step = v[1] - v[0];
      else if (m_len >= 2) {
        step = (v[m_len - 1] - v[0]) / (double)(m_len - 1);
        sf_log(SF_LOG_WARN, "%s: %s has %zu values for an axis of %zu; using its mean step",
               in->path, downer, m_len, n);
      }
      if (!isfinite(origin) || !isfinite(step) || step == 0.0) {
        sf_log(SF_LOG_WARN, "%s: %s: origin %g, step %g is not a usable calibration; the axis "
               "is in pixels", in->path, downer, origin, step);
      } else {
        ax->origin = origin;
        ax->step = step;
      }
    }
    sf_free(v);
  } else if (t >= 0 && space >= 0) {
    sf_log(SF_LOG_INFO, "%s: %s is not a numeric vector; the axis is in pixels", in->path,
           downer);
  } else {
    status = h5_fail(in, "calibration vector", downer);
  }
  if (t >= 0)
    H5Tclose(t);
  if (space >= 0)
    H5Sclose(space);
  /* name and units attributes */
  if (status == SF_OK) {
    sf_attrs tmp = {0};
    status = read_attrs(in, d, downer, &tmp, "", NULL, NULL);
    const char *name = sf_attrs_get_string(&tmp, "", "name");
    const char *units = sf_attrs_get_string(&tmp, "", "units");
    if (status == SF_OK && name)
      snprintf(ax->name, sizeof ax->name, "%s", name);
    if (status == SF_OK && units)
      strip_units(units, ax->units, sizeof ax->units);
    sf_attrs_clear(&tmp);
  }
  H5Dclose(d);
  return status;
}

/* ---- one signal -------------------------------------------------------------- */

/* Values from EMD order (ix*ny + iy)*nz + iz into the map's natural order. */
static void untranspose(sf_map *m, const void *src) {
  size_t elt = sf_dtype_size(m->dtype);
  size_t block = m->nz * elt;
  unsigned char *dst = m->data;
  const unsigned char *s = src;
  for (size_t iy = 0; iy < m->ny; ++iy)
    for (size_t ix = 0; ix < m->nx; ++ix)
      memcpy(dst + (iy * m->nx + ix) * block, s + (ix * m->ny + iy) * block, block);
}

static int read_signal(emd_in *in, hid_t file, const emd_signal *sig, sf_imageset *set,
                       sf_map **out) {
  static const char *const skip[] = {"emd_group_type", NULL};
  char owner[SF_NAME_MAX + 256], shape[96] = "", tname[16];
  snprintf(owner, sizeof owner, "signal '%s' (%s)", sig->name, sig->group);
  hid_t g = H5Gopen2(file, sig->group, H5P_DEFAULT);
  if (g < 0)
    return h5_fail(in, "group", sig->group);
  if (H5Lexists(g, "data", H5P_DEFAULT) <= 0) {
    H5Gclose(g);
    return sf_error_set(SF_EFORMAT, "%s: %s has no 'data' dataset", in->path, owner);
  }
  int status = SF_OK;
  hid_t d = H5Dopen2(g, "data", H5P_DEFAULT);
  hid_t t = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
  hid_t space = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
  hsize_t dims[SF_H5_MAX_RANK];
  int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
  sf_dtype dtype = SF_F32;
  void *buf = NULL;
  sf_map *m = NULL;
  if (d < 0 || t < 0 || rank < 0) {
    status = h5_fail(in, "the data of", owner);
    goto done;
  }
  for (int i = 0; i < rank; ++i)
    snprintf(shape + strlen(shape), sizeof shape - strlen(shape), "%s%llu", i ? " x " : "",
             (unsigned long long)dims[i]);
  if (rank != 2 && rank != 3) {
    status = sf_error_set(SF_EUNSUPPORTED, "%s: %s has rank %d (HDF5 shape %s); only images "
                          "(rank 2) and cubes (rank 3) are read", in->path, owner, rank,
                          rank ? shape : "scalar");
    goto done;
  }
  if (!sf_io_h5_numeric_dtype(t, &dtype)) {
    status = sf_error_set(SF_EUNSUPPORTED, "%s: %s has data of type %s; need integers or floats",
                          in->path, owner, sf_io_h5_dtype_text(t, tname, sizeof tname));
    goto done;
  }
  for (int i = 0; i < rank; ++i) {
    if (dims[i] == 0) {
      status = sf_error_set(SF_EFORMAT, "%s: %s is empty (HDF5 shape %s)", in->path, owner,
                            shape);
      goto done;
    }
  }
  status = sf_imageset_add_map(set, sig->name, dtype, (size_t)dims[0], (size_t)dims[1],
                               rank == 3 ? (size_t)dims[2] : 1, &m);
  if (status != SF_OK) {
    sf_error_prepend(status, "%s: %s", in->path, owner);
    goto done;
  }
  buf = sf_alloc(m->nx * m->ny * m->nz, sf_dtype_size(dtype), sig->name);
  if (!buf) {
    status = sf_error_prepend(SF_ENOMEM, "%s: %s", in->path, owner);
    goto done;
  }
  if (H5Dread(d, dtype == SF_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL,
              H5P_DEFAULT, buf) < 0) {
    status = h5_fail(in, "the data of", owner);
    goto done;
  }
  untranspose(m, buf);
  snprintf(m->quantity, sizeof m->quantity, "%s", "");
  for (int a = 0; status == SF_OK && a < rank; ++a)
    status = read_dim(in, g, owner, m, a, (size_t)dims[a]);
  if (status == SF_OK)
    status = read_attrs(in, g, owner, &m->attrs, "", skip, m);
  if (status == SF_OK && out)
    *out = m;
done:
  sf_free(buf);
  if (t >= 0)
    H5Tclose(t);
  if (space >= 0)
    H5Sclose(space);
  if (d >= 0)
    H5Dclose(d);
  H5Gclose(g);
  return status;
}

/* ---- root attributes and groups --------------------------------------------- */

typedef struct root_ctx {
  emd_in *in;
  sf_attrs *attrs;
  int status;
} root_ctx;

static herr_t root_group_cb(hid_t file, const char *name, const H5L_info_t *info, void *data) {
  root_ctx *ctx = data;
  if (info->type != H5L_TYPE_HARD || strcmp(name, "signals") == 0)
    return 0;
  hid_t obj = H5Oopen(file, name, H5P_DEFAULT);
  if (obj < 0)
    return 0;
  if (H5Iget_type(obj) == H5I_GROUP) {
    char group[SF_NAME_MAX], owner[SF_NAME_MAX + 2];
    sanitize_name(name, group, sizeof group);
    snprintf(owner, sizeof owner, "/%s", name);
    ctx->status = read_attrs(ctx->in, obj, owner, ctx->attrs, group, NULL, NULL);
  }
  H5Oclose(obj);
  return ctx->status == SF_OK ? 0 : -1;
}

static int read_root(emd_in *in, hid_t file, sf_attrs *attrs) {
  static const char *const skip[] = {"version_major", "version_minor", NULL};
  SF_TRY(read_attrs(in, file, "/", attrs, "", skip, NULL));
  root_ctx ctx = {in, attrs, SF_OK};
  hsize_t idx = 0;
  herr_t rc = H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, &idx, root_group_cb, &ctx);
  if (ctx.status != SF_OK)
    return ctx.status;
  if (rc < 0)
    return h5_fail(in, "the root groups of", "the file");
  return SF_OK;
}

/* ---- public ------------------------------------------------------------------- */

int sf_io_emd_read(const char *path, sf_imageset **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_io_emd_read: NULL output argument");
  *out = NULL;
  emd_in in = {path, ""};
  sf_h5_quiet q;
  sf_io_h5_quiet_begin(&q);
  hid_t file;
  int status = sf_io_h5_open(path, &file);
  if (status != SF_OK) {
    sf_io_h5_quiet_end(&q);
    return status;
  }
  emd_signals list;
  sf_imageset *set = NULL;
  status = find_signals(&in, file, &list);
  if (status == SF_OK) {
    set = sf_imageset_create();
    status = set ? read_root(&in, file, &set->attrs) : SF_ENOMEM;
    for (size_t i = 0; status == SF_OK && i < list.count; ++i)
      status = read_signal(&in, file, &list.items[i], set, NULL);
    signals_free(&list);
  }
  H5Fclose(file);
  sf_io_h5_quiet_end(&q);
  if (status != SF_OK) {
    sf_imageset_destroy(set);
    return status;
  }
  sf_log(SF_LOG_INFO, "%s: read %zu signal(s)", path, set->count);
  *out = set;
  return SF_OK;
}

/* "a, b, c" (the signal names) into buf. */
static void names_text(const emd_signals *list, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < list->count && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                             list->items[i].name);
  if (list->count == 0)
    snprintf(buf, size, "none");
}

int sf_io_emd_read_signal(const char *path, const char *signal, sf_imageset *set,
                          const char *map_name, sf_dtype dtype, sf_map **out) {
  if (out)
    *out = NULL;
  if (!set || !signal || !*signal)
    return sf_error_set(SF_EINVAL, "%s: reading a signal: no signal name or image set given",
                        path ? path : "(null)");
  const char *name = map_name ? map_name : signal;
  if (!sf_name_is_valid(name))
    return sf_error_set(SF_EINVAL, "%s: signal '%s': map name '%s' is not valid: use 1-%d "
                        "characters from [A-Za-z0-9_]", path, signal, name, SF_NAME_MAX - 1);
  if (sf_imageset_find(set, name))
    return sf_error_set(SF_EINVAL, "%s: signal '%s': map name '%s' is already in the image set",
                        path, signal, name);
  emd_in in = {path, ""};
  sf_h5_quiet q;
  sf_io_h5_quiet_begin(&q);
  hid_t file;
  int status = sf_io_h5_open(path, &file);
  if (status != SF_OK) {
    sf_io_h5_quiet_end(&q);
    return status;
  }
  emd_signals list;
  sf_imageset *tmp = NULL;
  sf_map *m = NULL;
  status = find_signals(&in, file, &list);
  if (status == SF_OK) {
    const emd_signal *sig = NULL;
    for (size_t i = 0; i < list.count && !sig; ++i)
      if (strcmp(list.items[i].name, signal) == 0 ||
          strcmp(base_name(list.items[i].group), signal) == 0)
        sig = &list.items[i];
    if (!sig) {
      char names[1024];
      names_text(&list, names, sizeof names);
      status = sf_error_set(SF_ENOENT, "%s: no signal '%s' (signals: %s)", path, signal, names);
    } else {
      tmp = sf_imageset_create();
      status = tmp ? read_signal(&in, file, sig, tmp, &m) : SF_ENOMEM;
    }
    signals_free(&list);
  }
  H5Fclose(file);
  sf_io_h5_quiet_end(&q);
  if (status == SF_OK)
    status = sf_io_map_adopt(set, m, name, dtype, out);
  sf_imageset_destroy(tmp);
  return status;
}

int sf_io_emd_list(const char *path, char ***names, size_t *n) {
  if (!names || !n)
    return sf_error_set(SF_EINVAL, "sf_io_emd_list: NULL output argument");
  *names = NULL;
  *n = 0;
  emd_in in = {path, ""};
  sf_h5_quiet q;
  sf_io_h5_quiet_begin(&q);
  hid_t file;
  int status = sf_io_h5_open(path, &file);
  if (status != SF_OK) {
    sf_io_h5_quiet_end(&q);
    return status;
  }
  emd_signals list;
  status = find_signals(&in, file, &list);
  H5Fclose(file);
  sf_io_h5_quiet_end(&q);
  if (status != SF_OK)
    return status;
  char **out = calloc(list.count ? list.count : 1, sizeof *out);
  for (size_t i = 0; out && i < list.count; ++i) {
    out[i] = strdup(list.items[i].name);
    if (!out[i]) {
      sf_io_emd_list_free(out, i);
      out = NULL;
    }
  }
  size_t count = list.count;
  signals_free(&list);
  if (!out)
    return sf_error_set(SF_ENOMEM, "%s: listing signals: out of memory", path);
  *names = out;
  *n = count;
  return SF_OK;
}

void sf_io_emd_list_free(char **names, size_t n) {
  if (!names)
    return;
  for (size_t i = 0; i < n; ++i)
    free(names[i]);
  free(names);
}
