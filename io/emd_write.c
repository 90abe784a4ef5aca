/* emd_write.c - write an image set as a Berkeley EMD 0.2 file. */
#include "io/sf_emd.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "io/sf_h5.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deflate level for cubes: level 4 is close to the best ratio at a fraction
   of the time of level 9 on float data after shuffling. */
#define EMD_DEFLATE_LEVEL 4
/* Upper bound on the bytes of one cube chunk. */
#define EMD_CHUNK_BYTES ((size_t)1 << 20)

/* Context of one write, for messages. */
typedef struct emd_out {
  const char *path; /* the final path, named in messages */
  char detail[256]; /* scratch for HDF5 error details */
} emd_out;

static int h5_fail(emd_out *o, const char *what, const char *object) {
  return sf_error_set(SF_EIO, "%s: writing %s%s%s failed: %s", o->path, what, object ? " " : "",
                      object ? object : "", sf_io_h5_error_detail(o->detail, sizeof o->detail));
}

/* ---- attributes ----------------------------------------------------------- */

static hid_t string_type(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0)
    return t;
  if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

/* Write one attribute `key` of type `ftype` (file) / `mtype` (memory) with
   dataspace `space` on `obj`. Closes space. */
static int attr_write(emd_out *o, hid_t obj, const char *owner, const char *key, hid_t ftype,
                      hid_t mtype, hid_t space, const void *value) {
  int status = SF_OK;
  hid_t a = space >= 0 ? H5Acreate2(obj, key, ftype, space, H5P_DEFAULT, H5P_DEFAULT)
                       : H5I_INVALID_HID;
  if (a < 0 || H5Awrite(a, mtype, value) < 0) {
    char what[160];
    snprintf(what, sizeof what, "attribute %s of", key);
    status = h5_fail(o, what, owner);
  }
  if (a >= 0)
    H5Aclose(a);
  if (space >= 0)
    H5Sclose(space);
  return status;
}

static int attr_write_string(emd_out *o, hid_t obj, const char *owner, const char *key,
                             const char *text) {
  hid_t t = string_type();
  if (t < 0)
    return h5_fail(o, "a string type for", owner);
  const char *value = text ? text : "";
  int status = attr_write(o, obj, owner, key, t, t, H5Screate(H5S_SCALAR), &value);
  H5Tclose(t);
  return status;
}

static int attr_write_int64(emd_out *o, hid_t obj, const char *owner, const char *key,
                            int64_t value) {
  return attr_write(o, obj, owner, key, H5T_STD_I64LE, H5T_NATIVE_INT64, H5Screate(H5S_SCALAR),
                    &value);
}

static int attr_write_double(emd_out *o, hid_t obj, const char *owner, const char *key,
                             double value) {
  return attr_write(o, obj, owner, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, H5Screate(H5S_SCALAR),
                    &value);
}

static int attr_write_doubles(emd_out *o, hid_t obj, const char *owner, const char *key,
                              const double *values, size_t n) {
  static const double none = 0.0;
  hsize_t dim = (hsize_t)n;
  hid_t space = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_NULL);
  return attr_write(o, obj, owner, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space,
                    n ? values : &none);
}

static int attr_write_one(emd_out *o, hid_t obj, const char *owner, const sf_attr *at) {
  switch (at->type) {
  case SF_ATTR_STRING: return attr_write_string(o, obj, owner, at->key, at->text);
  case SF_ATTR_DOUBLE: return attr_write_double(o, obj, owner, at->key, at->number);
  case SF_ATTR_INT: return attr_write_int64(o, obj, owner, at->key, at->integer);
  case SF_ATTR_DOUBLES: return attr_write_doubles(o, obj, owner, at->key, at->values,
                                                  at->n_values);
  }
  return sf_error_set(SF_EINVAL, "%s: attribute %s of %s has unknown type %d", o->path, at->key,
                      owner, (int)at->type);
}

/* ---- validation before anything is created -------------------------------- */

static int key_is_one_of(const char *key, const char *const *reserved) {
  for (; *reserved; ++reserved)
    if (strcmp(key, *reserved) == 0)
      return 1;
  return 0;
}

static int check_set(const sf_imageset *set, const char *path) {
  static const char *const signal_reserved[] = {"emd_group_type", "quantity", "units", NULL};
  static const char *const root_reserved[] = {"version_major", "version_minor", NULL};
  for (size_t i = 0; i < set->count; ++i) {
    const sf_map *m = set->maps[i];
    if (!sf_name_is_valid(m->name))
      return sf_error_set(SF_EINVAL, "%s: map name '%s': use 1-%d characters from "
                          "[A-Za-z0-9_]", path, m->name, SF_NAME_MAX - 1);
    for (size_t j = 0; j < i; ++j)
      if (strcmp(set->maps[j]->name, m->name) == 0)
        return sf_error_set(SF_EINVAL, "%s: map name '%s' appears twice", path, m->name);
    for (size_t k = 0; k < m->attrs.count; ++k) {
      const sf_attr *at = &m->attrs.items[k];
      if (at->group[0])
        return sf_error_set(SF_EINVAL, "%s: map '%s' attribute %s/%s: a signal's own "
                            "attributes must be in group \"\"", path, m->name, at->group,
                            at->key);
      if (!at->key[0] || key_is_one_of(at->key, signal_reserved))
        return sf_error_set(SF_EINVAL, "%s: map '%s' attribute '%s': empty or reserved name "
                            "(emd_group_type, quantity and units are written by the EMD "
                            "writer)", path, m->name, at->key);
    }
  }
  for (size_t k = 0; k < set->attrs.count; ++k) {
    const sf_attr *at = &set->attrs.items[k];
    if (!at->group[0]) {
      if (!at->key[0] || key_is_one_of(at->key, root_reserved))
        return sf_error_set(SF_EINVAL, "%s: root attribute '%s': empty or reserved name "
                            "(version_major and version_minor are written by the EMD "
                            "writer)", path, at->key);
      continue;
    }
    if (!sf_name_is_valid(at->group) || strcmp(at->group, "signals") == 0)
      return sf_error_set(SF_EINVAL, "%s: attribute group '%s' (key %s): use 1-%d characters "
                          "from [A-Za-z0-9_], and not 'signals'", path, at->group, at->key,
                          SF_NAME_MAX - 1);
    if (!at->key[0])
      return sf_error_set(SF_EINVAL, "%s: attribute group '%s' has an attribute with an empty "
                          "name", path, at->group);
  }
  return SF_OK;
}

/* HyperSpy 1.7.3 (emd.py, read_file with stack_group) stacks the signals of
   every group whose path contains another group's path, i.e. of names that
   start with another signal's name ("HAADF" and "HAADF_fused"), and then
   fails to load the file unless stack_group=False is passed. */
static void warn_hyperspy_prefixes(const sf_imageset *set, const char *path) {
  for (size_t i = 0; i < set->count; ++i) {
    const char *a = set->maps[i]->name;
    size_t len = strlen(a);
    for (size_t j = 0; j < set->count; ++j) {
      const char *b = set->maps[j]->name;
      if (i != j && strlen(b) > len && strncmp(a, b, len) == 0) {
        sf_log(SF_LOG_WARN, "%s: signal name '%s' starts with signal name '%s': HyperSpy 1.7.3 "
               "opens this file only with hs.load(path, stack_group=False)", path, b, a);
        return;
      }
    }
  }
}

/* ---- signals ------------------------------------------------------------------ */

/* Bracketed units for a calibration vector: "Å" -> "[Å]", "" -> "". The
   ASCII spelling "A" would be read by pint as ampere, so it becomes "Å". */
static void bracket_units(const char *units, char *buf, size_t size, const char *map,
                          int axis) {
  const char *u = units ? units : "";
  if (strcmp(u, "A") == 0 || strcmp(u, "1/A") == 0) {
    sf_log(SF_LOG_INFO, "map '%s' axis %d: units '%s' written as Ångström", map, axis, u);
    u = strcmp(u, "A") == 0 ? "Å" : "1/Å";
  }
  if (!u[0])
    snprintf(buf, size, "%s", "");
  else if (u[0] == '[' && u[strlen(u) - 1] == ']')
    snprintf(buf, size, "%s", u);
  else
    snprintf(buf, size, "[%s]", u);
}

static int write_dim(emd_out *o, hid_t group, const sf_map *m, int axis, size_t n) {
  char name[8], owner[160], units[SF_UNITS_MAX + 8];
  snprintf(name, sizeof name, "dim%d", axis + 1);
  snprintf(owner, sizeof owner, "/signals/%s/%s", m->name, name);
  const sf_axis *ax = &m->axis[axis];
  double *v = sf_alloc(n, sizeof *v, "a calibration vector");
  if (!v)
    return sf_error_prepend(SF_ENOMEM, "%s: %s", o->path, owner);
  for (size_t i = 0; i < n; ++i)
    v[i] = ax->origin + (double)i * ax->step;
  int status = SF_OK;
  hsize_t dim = (hsize_t)n;
  hid_t space = H5Screate_simple(1, &dim, NULL);
  hid_t d = space >= 0 ? H5Dcreate2(group, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                    H5P_DEFAULT)
                       : H5I_INVALID_HID;
  if (d < 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
    status = h5_fail(o, "calibration vector", owner);
  sf_free(v);
  bracket_units(ax->units, units, sizeof units, m->name, axis);
  if (status == SF_OK)
    status = attr_write_string(o, d, owner, "name", ax->name);
  if (status == SF_OK)
    status = attr_write_string(o, d, owner, "units", units);
  if (d >= 0)
    H5Dclose(d);
  if (space >= 0)
    H5Sclose(space);
  return status;
}

/* Chunk shape for a cube (nx, ny, nz): whole spectra where they fit, then a
   square patch of pixels, at most EMD_CHUNK_BYTES per chunk. */
static void cube_chunk(const sf_map *m, hsize_t chunk[3]) {
  size_t elt = sf_dtype_size(m->dtype);
  size_t cz = m->nz;
  if (cz * elt > EMD_CHUNK_BYTES)
    cz = EMD_CHUNK_BYTES / elt;
  size_t pixels = EMD_CHUNK_BYTES / (cz * elt);
  size_t side = 1;
  while ((side + 1) * (side + 1) <= pixels)
    ++side;
  size_t cy = side < m->ny ? side : m->ny;
  size_t cx = pixels / cy;
  if (cx > m->nx)
    cx = m->nx;
  if (cx == 0)
    cx = 1;
  chunk[0] = cx;
  chunk[1] = cy;
  chunk[2] = cz;
}

/* The map's values in EMD order: (ix*ny + iy)*nz + iz. */
static void *transposed_copy(const sf_map *m) {
  size_t elt = sf_dtype_size(m->dtype);
  size_t nx = m->nx, ny = m->ny, nz = m->nz;
  unsigned char *dst = sf_alloc(nx * ny * nz, elt, m->name);
  if (!dst)
    return NULL;
  const unsigned char *src = m->data;
  size_t block = nz * elt;
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix)
      memcpy(dst + (ix * ny + iy) * block, src + (iy * nx + ix) * block, block);
  return dst;
}

static int write_data(emd_out *o, hid_t group, const sf_map *m, const char *owner) {
  int cube = m->nz > 1;
  hsize_t dims[3] = {m->nx, m->ny, m->nz};
  hid_t ftype = m->dtype == SF_F64 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE;
  hid_t mtype = m->dtype == SF_F64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
  void *buf = transposed_copy(m);
  if (!buf)
    return sf_error_prepend(SF_ENOMEM, "%s: %s", o->path, owner);
  int status = SF_OK;
  hid_t d = H5I_INVALID_HID;
  hid_t space = H5Screate_simple(cube ? 3 : 2, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (space < 0 || dcpl < 0) {
    status = h5_fail(o, "the dataspace of", owner);
    goto done;
  }
  if (cube) {
    hsize_t chunk[3];
    cube_chunk(m, chunk);
    if (H5Pset_chunk(dcpl, 3, chunk) < 0) {
      status = h5_fail(o, "the chunk layout of", owner);
      goto done;
    }
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
      if (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, EMD_DEFLATE_LEVEL) < 0) {
        status = h5_fail(o, "the compression filters of", owner);
        goto done;
      }
    } else {
      sf_log(SF_LOG_WARN, "%s: the HDF5 library has no deflate filter; %s is not compressed",
             o->path, owner);
    }
  }
  d = H5Dcreate2(group, "data", ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (d < 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
    status = h5_fail(o, "the data of", owner);
done:
  if (d >= 0)
    H5Dclose(d);
  if (dcpl >= 0)
    H5Pclose(dcpl);
  if (space >= 0)
    H5Sclose(space);
  sf_free(buf);
  return status;
}

static int check_map_content(emd_out *o, const sf_map *m) {
  if (!m->data || (m->dtype != SF_F32 && m->dtype != SF_F64))
    return sf_error_set(SF_EINVAL, "%s: map '%s' has no data or an unknown dtype %d", o->path,
                        m->name, (int)m->dtype);
  if (m->nx == 0 || m->ny == 0 || m->nz == 0)
    return sf_error_set(SF_EINVAL, "%s: map '%s': size %zu x %zu x %zu has a zero dimension",
                        o->path, m->name, m->nx, m->ny, m->nz);
  if (m->ny > SIZE_MAX / m->nx || m->nz > SIZE_MAX / (m->nx * m->ny) ||
      m->nx * m->ny * m->nz > SIZE_MAX / sf_dtype_size(m->dtype))
    return sf_error_set(SF_ENOMEM, "%s: map '%s': size %zu x %zu x %zu overflows", o->path,
                        m->name, m->nx, m->ny, m->nz);
  return SF_OK;
}

static int write_signal(emd_out *o, hid_t signals, const sf_map *m) {
  char owner[SF_NAME_MAX + 16];
  snprintf(owner, sizeof owner, "/signals/%s", m->name);
  SF_TRY(check_map_content(o, m));
  hid_t g = H5Gcreate2(signals, m->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0)
    return h5_fail(o, "group", owner);
  int status = attr_write_int64(o, g, owner, "emd_group_type", 1);
  if (status == SF_OK)
    status = attr_write_string(o, g, owner, "quantity", m->quantity);
  if (status == SF_OK)
    status = attr_write_string(o, g, owner, "units", m->units);
  for (size_t k = 0; status == SF_OK && k < m->attrs.count; ++k)
    status = attr_write_one(o, g, owner, &m->attrs.items[k]);
  if (status == SF_OK)
    status = write_data(o, g, m, owner);
  size_t lengths[3] = {m->nx, m->ny, m->nz};
  int rank = m->nz > 1 ? 3 : 2;
  for (int a = 0; status == SF_OK && a < rank; ++a)
    status = write_dim(o, g, m, a, lengths[a]);
  H5Gclose(g);
  return status;
}

/* ---- the file ------------------------------------------------------------------ */

/* Open root group `name`, creating it when it does not exist yet. */
static hid_t group_open_or_create(hid_t file, const char *name) {
  htri_t exists = H5Lexists(file, name, H5P_DEFAULT);
  if (exists > 0)
    return H5Gopen2(file, name, H5P_DEFAULT);
  if (exists < 0)
    return H5I_INVALID_HID;
  return H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

static int write_attr_groups(emd_out *o, hid_t file, const sf_attrs *attrs) {
  for (size_t k = 0; k < attrs->count; ++k) {
    const sf_attr *at = &attrs->items[k];
    char owner[SF_NAME_MAX + 2];
    snprintf(owner, sizeof owner, "/%s", at->group);
    if (!at->group[0]) {
      SF_TRY(attr_write_one(o, file, "/", at));
      continue;
    }
    hid_t g = group_open_or_create(file, at->group);
    if (g < 0)
      return h5_fail(o, "group", owner);
    int status = attr_write_one(o, g, owner, at);
    H5Gclose(g);
    SF_TRY(status);
  }
  return SF_OK;
}

static int write_file(emd_out *o, hid_t file, const sf_imageset *set) {
  SF_TRY(attr_write_int64(o, file, "/", "version_major", 0));
  SF_TRY(attr_write_int64(o, file, "/", "version_minor", 2));
  hid_t signals = H5Gcreate2(file, "signals", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (signals < 0)
    return h5_fail(o, "group", "/signals");
  int status = SF_OK;
  for (size_t i = 0; status == SF_OK && i < set->count; ++i)
    status = write_signal(o, signals, set->maps[i]);
  H5Gclose(signals);
  SF_TRY(status);
  return write_attr_groups(o, file, &set->attrs);
}

int sf_io_emd_write(const sf_imageset *set, const char *path, int force) {
  if (!set || !path)
    return sf_error_set(SF_EINVAL, "EMD output: no image set or no path given");
  SF_TRY(check_set(set, path));
  warn_hyperspy_prefixes(set, path);
  sf_atomic_file af;
  SF_TRY(sf_atomic_begin(path, force, &af));
  emd_out o = {path, ""};
  sf_h5_quiet q;
  sf_io_h5_quiet_begin(&q);
  int status = SF_OK;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0)
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  hid_t file = fapl >= 0 ? H5Fcreate(af.tmp_path, H5F_ACC_EXCL, H5P_DEFAULT, fapl)
                         : H5I_INVALID_HID;
  if (file < 0)
    status = sf_error_set(SF_EIO, "%s: cannot create the temporary file %s: %s", path,
                          af.tmp_path, sf_io_h5_error_detail(o.detail, sizeof o.detail));
  else
    status = write_file(&o, file, set);
  if (file >= 0 && H5Fclose(file) < 0 && status == SF_OK)
    status = h5_fail(&o, "the file", "(closing)");
  if (fapl >= 0)
    H5Pclose(fapl);
  sf_io_h5_quiet_end(&q);
  if (status != SF_OK) {
    sf_atomic_abort(&af);
    return status;
  }
  status = sf_atomic_commit(&af);
  if (status == SF_OK)
    sf_log(SF_LOG_INFO, "%s: wrote %zu signal(s)", path, set->count);
  return status;
}
