/* h5_dataset.c - generic HDF5 input: list datasets, read one numeric dataset
   into a float64 map, and the helpers shared by the io/ HDF5 code. */
#include "io/sf_h5.h"

#include "core/sf_status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* At most this many dataset paths are listed in a "no such dataset" message. */
#define SF_H5_LIST_IN_MESSAGE 10

/* ---- shared helpers ---------------------------------------------------- */

void sf_io_h5_quiet_begin(sf_h5_quiet *q) {
  q->func = NULL;
  q->client_data = NULL;
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->client_data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void sf_io_h5_quiet_end(const sf_h5_quiet *q) {
  H5Eset_auto2(H5E_DEFAULT, q->func, q->client_data);
}

typedef struct error_walk {
  char *buf;
  size_t size;
} error_walk;

static herr_t error_walk_cb(unsigned n, const H5E_error2_t *err, void *data) {
  error_walk *w = data;
  if (n == 0 && err->desc)
    snprintf(w->buf, w->size, "%s", err->desc);
  return 0;
}

char *sf_io_h5_error_detail(char *buf, size_t size) {
  if (size == 0)
    return buf;
  buf[0] = '\0';
  error_walk w = {buf, size};
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, error_walk_cb, &w);
  return buf;
}

int sf_io_h5_open(const char *path, hid_t *file) {
  *file = H5I_INVALID_HID;
  if (!path || !*path)
    return sf_error_set(SF_EINVAL, "HDF5 input: the file path is empty");
  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT)
      return sf_error_set(SF_ENOENT, "%s: no such file", path);
    return sf_error_set(SF_EIO, "%s: cannot access: %s", path, strerror(errno));
  }
  if (S_ISDIR(st.st_mode))
    return sf_error_set(SF_EINVAL, "%s: is a directory, not an HDF5 file", path);
  if (access(path, R_OK) != 0)
    return sf_error_set(SF_EIO, "%s: cannot read: %s", path, strerror(errno));
  char detail[256];
  htri_t is_hdf5 = H5Fis_hdf5(path);
  if (is_hdf5 == 0)
    return sf_error_set(SF_EFORMAT, "%s: not an HDF5 file (no HDF5 signature)", path);
  if (is_hdf5 < 0)
    return sf_error_set(SF_EFORMAT, "%s: cannot be read as HDF5 (corrupt or truncated?): %s",
                        path, sf_io_h5_error_detail(detail, sizeof detail));
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0)
    return sf_error_set(SF_EIO, "%s: HDF5 property list: %s", path,
                        sf_io_h5_error_detail(detail, sizeof detail));
  H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  if (f < 0)
    sf_io_h5_error_detail(detail, sizeof detail);
  H5Pclose(fapl);
  if (f < 0)
    return sf_error_set(SF_EFORMAT, "%s: corrupt or truncated HDF5 file, cannot open it: %s",
                        path, detail);
  *file = f;
  return SF_OK;
}

char *sf_io_h5_dtype_text(hid_t type, char *buf, size_t size) {
  size_t bits = 8 * H5Tget_size(type);
  switch (H5Tget_class(type)) {
  case H5T_INTEGER:
    snprintf(buf, size, "%s%zu", H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int", bits);
    break;
  case H5T_FLOAT: snprintf(buf, size, "float%zu", bits); break;
  case H5T_STRING: snprintf(buf, size, "string"); break;
  case H5T_COMPOUND: snprintf(buf, size, "compound"); break;
  case H5T_ENUM: snprintf(buf, size, "enum"); break;
  case H5T_BITFIELD: snprintf(buf, size, "bitfield"); break;
  case H5T_OPAQUE: snprintf(buf, size, "opaque"); break;
  case H5T_REFERENCE: snprintf(buf, size, "reference"); break;
  case H5T_VLEN: snprintf(buf, size, "vlen"); break;
  case H5T_ARRAY: snprintf(buf, size, "array"); break;
  case H5T_TIME: snprintf(buf, size, "time"); break;
  default: snprintf(buf, size, "unknown"); break;
  }
  return buf;
}

int sf_io_h5_numeric_dtype(hid_t type, sf_dtype *dtype) {
  H5T_class_t cls = H5Tget_class(type);
  size_t size = H5Tget_size(type);
  if (cls == H5T_INTEGER) {
    *dtype = size <= 2 ? SF_F32 : SF_F64;
    return 1;
  }
  if (cls == H5T_FLOAT) {
    *dtype = size <= 4 ? SF_F32 : SF_F64;
    return 1;
  }
  return 0;
}

int sf_io_map_adopt(sf_imageset *set, sf_map *src, const char *name, sf_dtype dtype,
                    sf_map **out) {
  sf_map *dst = NULL;
  SF_TRY(sf_imageset_add_map(set, name, dtype, src->nx, src->ny, src->nz, &dst));
  if (dtype == src->dtype) {
    void *data = dst->data;
    dst->data = src->data;
    src->data = data;
  } else {
    size_t n = src->nx * src->ny * src->nz;
    if (dtype == SF_F64) {
      const float *s = src->data;
      double *d = dst->data;
      for (size_t k = 0; k < n; ++k)
        d[k] = s[k];
    } else {
      const double *s = src->data;
      float *d = dst->data;
      for (size_t k = 0; k < n; ++k)
        d[k] = (float)s[k];
    }
  }
  memcpy(dst->axis, src->axis, sizeof dst->axis);
  memcpy(dst->quantity, src->quantity, sizeof dst->quantity);
  memcpy(dst->units, src->units, sizeof dst->units);
  sf_attrs attrs = dst->attrs;
  dst->attrs = src->attrs;
  src->attrs = attrs;
  if (out)
    *out = dst;
  return SF_OK;
}

/* ---- listing ------------------------------------------------------------- */

typedef struct list_ctx {
  sf_h5_entry *items;
  size_t count;
  size_t capacity;
  int status;
  const char *file_path;
} list_ctx;

static int entry_fill(sf_h5_entry *e, hid_t dset, const char *name) {
  size_t len = strlen(name) + 2;
  e->path = malloc(len);
  if (!e->path)
    return SF_ENOMEM;
  snprintf(e->path, len, "%s%s", name[0] == '/' ? "" : "/", name);
  hid_t space = H5Dget_space(dset);
  hid_t type = H5Dget_type(dset);
  hsize_t dims[SF_H5_MAX_RANK];
  int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
  e->rank = rank > 0 ? rank : 0;
  for (int i = 0; i < e->rank; ++i)
    e->dims[i] = (uint64_t)dims[i];
  if (type >= 0)
    sf_io_h5_dtype_text(type, e->dtype, sizeof e->dtype);
  else
    snprintf(e->dtype, sizeof e->dtype, "unknown");
  if (type >= 0)
    H5Tclose(type);
  if (space >= 0)
    H5Sclose(space);
  return SF_OK;
}

static herr_t list_cb(hid_t group, const char *name, const H5L_info_t *info, void *data) {
  list_ctx *ctx = data;
  if (info->type != H5L_TYPE_HARD)
    return 0;
  hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
  if (obj < 0)
    return 0;
  if (H5Iget_type(obj) == H5I_DATASET) {
    if (ctx->count == ctx->capacity) {
      size_t cap = ctx->capacity ? 2 * ctx->capacity : 16;
      sf_h5_entry *items = realloc(ctx->items, cap * sizeof *items);
      if (!items) {
        H5Oclose(obj);
        ctx->status = sf_error_set(SF_ENOMEM, "%s: listing datasets: out of memory",
                                   ctx->file_path);
        return -1;
      }
      ctx->items = items;
      ctx->capacity = cap;
    }
    sf_h5_entry *e = &ctx->items[ctx->count];
    memset(e, 0, sizeof *e);
    if (entry_fill(e, obj, name) != SF_OK) {
      H5Oclose(obj);
      ctx->status = sf_error_set(SF_ENOMEM, "%s: listing datasets: out of memory",
                                 ctx->file_path);
      return -1;
    }
    ctx->count++;
  }
  H5Oclose(obj);
  return 0;
}

static int entry_compare(const void *a, const void *b) {
  return strcmp(((const sf_h5_entry *)a)->path, ((const sf_h5_entry *)b)->path);
}

void sf_io_h5_entries_free(sf_h5_entry *entries, size_t n) {
  if (!entries)
    return;
  for (size_t i = 0; i < n; ++i)
    free(entries[i].path);
  free(entries);
}

/* List the datasets of an open file. */
static int list_open(hid_t file, const char *path, sf_h5_entry **entries, size_t *n) {
  list_ctx ctx = {NULL, 0, 0, SF_OK, path};
  herr_t rc = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, list_cb, &ctx);
  if (rc < 0 && ctx.status == SF_OK) {
    char detail[256];
    ctx.status = sf_error_set(SF_EFORMAT, "%s: cannot walk the HDF5 groups: %s", path,
                              sf_io_h5_error_detail(detail, sizeof detail));
  }
  if (ctx.status != SF_OK) {
    sf_io_h5_entries_free(ctx.items, ctx.count);
    return ctx.status;
  }
  if (ctx.count > 1)
    qsort(ctx.items, ctx.count, sizeof *ctx.items, entry_compare);
  *entries = ctx.items;
  *n = ctx.count;
  return SF_OK;
}

int sf_io_h5_list(const char *path, sf_h5_entry **entries, size_t *n) {
  if (!entries || !n)
    return sf_error_set(SF_EINVAL, "sf_io_h5_list: NULL output argument");
  *entries = NULL;
  *n = 0;
  sf_h5_quiet q;
  sf_io_h5_quiet_begin(&q);
  hid_t file;
  int status = sf_io_h5_open(path, &file);
  if (status == SF_OK) {
    status = list_open(file, path, entries, n);
    H5Fclose(file);
  }
  sf_io_h5_quiet_end(&q);
  return status;
}

/* ---- reading one dataset ------------------------------------------------ */

/* "(datasets: /a, /b)" or "(N datasets in the file)" into buf. */
static void describe_datasets(hid_t file, const char *path, char *buf, size_t size) {
  sf_h5_entry *entries = NULL;
  size_t n = 0;
  buf[0] = '\0';
  if (list_open(file, path, &entries, &n) != SF_OK)
    return;
  if (n == 0) {
    snprintf(buf, size, "(the file holds no datasets)");
  } else if (n <= SF_H5_LIST_IN_MESSAGE) {
    size_t used = (size_t)snprintf(buf, size, "(datasets:");
    for (size_t i = 0; i < n && used < size; ++i)
      used += (size_t)snprintf(buf + used, size - used, "%s %s", i ? "," : "", entries[i].path);
    if (used < size)
      snprintf(buf + used, size - used, ")");
  } else {
    snprintf(buf, size, "(%zu datasets in the file; `stemfuse info %s` lists them)", n, path);
  }
  sf_io_h5_entries_free(entries, n);
}

/* "ny x nx" style shape text. */
static void shape_text(const hsize_t *dims, int rank, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, "%s%llu", i ? " x " : "",
                             (unsigned long long)dims[i]);
  if (rank == 0)
    snprintf(buf, size, "scalar");
}

static int read_dataset_into(hid_t file, const char *path, const char *dpath, sf_imageset *tmp,
                             const char *name, sf_map **out) {
  char detail[512];
  htri_t exists = H5Lexists(file, dpath, H5P_DEFAULT);
  hid_t dset = exists > 0 ? H5Oopen(file, dpath, H5P_DEFAULT) : H5I_INVALID_HID;
  if (dset >= 0 && H5Iget_type(dset) != H5I_DATASET) {
    H5Oclose(dset);
    describe_datasets(file, path, detail, sizeof detail);
    return sf_error_set(SF_ENOENT, "%s: '%s' is a group, not a dataset %s", path, dpath, detail);
  }
  if (dset < 0) {
    describe_datasets(file, path, detail, sizeof detail);
    return sf_error_set(SF_ENOENT, "%s: no dataset '%s' %s", path, dpath, detail);
  }
  int status = SF_OK;
  hid_t space = H5Dget_space(dset);
  hid_t type = H5Dget_type(dset);
  hsize_t dims[SF_H5_MAX_RANK];
  int rank = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
  char shape[128], tname[16];
  sf_dtype dtype;
  if (rank < 0 || type < 0) {
    status = sf_error_set(SF_EFORMAT, "%s: dataset '%s': cannot read its shape or type: %s", path,
                          dpath, sf_io_h5_error_detail(detail, sizeof detail));
    goto done;
  }
  shape_text(dims, rank, shape, sizeof shape);
  if (rank != 2 && rank != 3) {
    status = sf_error_set(SF_EUNSUPPORTED, "%s: dataset '%s' has rank %d (shape %s); need a 2-D "
                          "image (ny, nx) or a 3-D cube (ny, nx, nz)", path, dpath, rank, shape);
    goto done;
  }
  if (!sf_io_h5_numeric_dtype(type, &dtype)) {
    status = sf_error_set(SF_EUNSUPPORTED, "%s: dataset '%s' has type %s; need integers or "
                          "floats", path, dpath, sf_io_h5_dtype_text(type, tname, sizeof tname));
    goto done;
  }
  for (int i = 0; i < rank; ++i) {
    if (dims[i] == 0) {
      status = sf_error_set(SF_EFORMAT, "%s: dataset '%s' is empty (shape %s)", path, dpath,
                            shape);
      goto done;
    }
  }
  sf_map *m = NULL;
  status = sf_imageset_add_map(tmp, name, SF_F64, (size_t)dims[1], (size_t)dims[0],
                               rank == 3 ? (size_t)dims[2] : 1, &m);
  if (status != SF_OK)
    goto done;
  if (H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m->data) < 0) {
    status = sf_error_set(SF_EFORMAT, "%s: dataset '%s': reading the values failed: %s", path,
                          dpath, sf_io_h5_error_detail(detail, sizeof detail));
    goto done;
  }
  status = sf_attrs_set_string(&m->attrs, "", "source_file", path);
  if (status == SF_OK)
    status = sf_attrs_set_string(&m->attrs, "", "source_dataset", dpath);
  if (status == SF_OK)
    *out = m;
done:
  if (type >= 0)
    H5Tclose(type);
  if (space >= 0)
    H5Sclose(space);
  H5Oclose(dset);
  return status;
}

int sf_io_h5_read_map(const char *path, const char *dataset, sf_imageset *set,
                      const char *map_name, sf_map **out) {
  if (out)
    *out = NULL;
  if (!set || !dataset || !*dataset)
    return sf_error_set(SF_EINVAL, "%s: reading a dataset: no dataset path or image set given",
                        path ? path : "(null)");
  size_t len = strlen(dataset) + 2;
  char *dpath = malloc(len);
  if (!dpath)
    return sf_error_set(SF_ENOMEM, "%s: out of memory", path ? path : "(null)");
  snprintf(dpath, len, "%s%s", dataset[0] == '/' ? "" : "/", dataset);
  const char *name = map_name;
  if (!name) {
    const char *slash = strrchr(dpath, '/');
    name = slash ? slash + 1 : dpath;
  }
  int status = SF_OK;
  if (!sf_name_is_valid(name))
    status = sf_error_set(SF_EINVAL, "%s: dataset '%s': map name '%s' is not valid: use "
                          "1-%d characters from [A-Za-z0-9_]", path ? path : "(null)", dpath,
                          name, SF_NAME_MAX - 1);
  else if (sf_imageset_find(set, name))
    status = sf_error_set(SF_EINVAL, "%s: dataset '%s': map name '%s' is already in the image "
                          "set", path ? path : "(null)", dpath, name);
  if (status != SF_OK) {
    free(dpath);
    return status;
  }
  sf_imageset *tmp = sf_imageset_create();
  if (!tmp) {
    free(dpath);
    return SF_ENOMEM;
  }
  sf_h5_quiet q;
  sf_io_h5_quiet_begin(&q);
  hid_t file;
  status = sf_io_h5_open(path, &file);
  sf_map *m = NULL;
  if (status == SF_OK) {
    status = read_dataset_into(file, path, dpath, tmp, name, &m);
    H5Fclose(file);
  }
  sf_io_h5_quiet_end(&q);
  if (status == SF_OK)
    status = sf_io_map_adopt(set, m, name, SF_F64, out);
  sf_imageset_destroy(tmp);
  free(dpath);
  return status;
}
