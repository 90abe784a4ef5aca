/* cmd_info.c - `stemfuse info FILE`: what an EMD, HDF5 or NPY file holds. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "io/sf_h5.h"
#include "io/sf_npy.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef enum { KIND_UNKNOWN, KIND_HDF5, KIND_NPY } file_kind;

static int sniff(const char *path, file_kind *kind) {
  struct stat st;
  if (stat(path, &st) != 0)
    return sf_error_set(SF_ENOENT, "%s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return sf_error_set(SF_EINVAL, "%s: is a directory, not a file", path);
  unsigned char head[8] = {0};
  FILE *f = fopen(path, "rb");
  if (!f)
    return sf_error_set(SF_EIO, "%s: %s", path, strerror(errno));
  size_t got = fread(head, 1, sizeof head, f);
  fclose(f);
  static const unsigned char hdf5_magic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (got == 8 && memcmp(head, hdf5_magic, 8) == 0)
    *kind = KIND_HDF5;
  else if (got >= 6 && memcmp(head, npy_magic, 6) == 0)
    *kind = KIND_NPY;
  else
    *kind = KIND_UNKNOWN;
  return SF_OK;
}

static const char *dtype_name(sf_dtype d) { return d == SF_F64 ? "float64" : "float32"; }

static void print_axis(const char *label, const sf_axis *ax, size_t n) {
  sf_out("    %-6s %-30s %zu points, origin %g, step %g [%s]\n", label, ax->name, n, ax->origin,
         ax->step, ax->units);
}

static void print_attr(const char *indent, const sf_attr *a) {
  switch (a->type) {
  case SF_ATTR_STRING: {
    /* Long or multi-line text (the embedded config) is shown by its size. */
    size_t len = strlen(a->text), lines = 1;
    for (const char *c = a->text; *c; ++c)
      lines += *c == '\n' && c[1] != '\0';
    if (lines > 1 || len > 100)
      sf_out("%s%s = <text: %zu lines, %zu bytes>\n", indent, a->key, lines, len);
    else
      sf_out("%s%s = \"%s\"\n", indent, a->key, a->text);
    break;
  }
  case SF_ATTR_DOUBLE: sf_out("%s%s = %.17g\n", indent, a->key, a->number); break;
  case SF_ATTR_INT: sf_out("%s%s = %lld\n", indent, a->key, (long long)a->integer); break;
  case SF_ATTR_DOUBLES:
    sf_out("%s%s = [", indent, a->key);
    for (size_t i = 0; i < a->n_values && i < 8; ++i)
      sf_out("%s%g", i ? ", " : "", a->values[i]);
    sf_out("%s] (%zu values)\n", a->n_values > 8 ? ", ..." : "", a->n_values);
    break;
  }
}

static void print_map(const sf_map *m) {
  size_t n = m->nx * m->ny * m->nz;
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  size_t bad = 0;
  for (size_t k = 0; k < n; ++k) {
    double v = m->dtype == SF_F64 ? ((const double *)m->data)[k] : ((const float *)m->data)[k];
    if (!isfinite(v)) {
      ++bad;
      continue;
    }
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
    sum += v;
  }
  if (m->nz > 1)
    sf_out("  %s: %s cube, nx %zu x ny %zu x n %zu (numpy shape (%zu, %zu, %zu))\n", m->name,
           dtype_name(m->dtype), m->nx, m->ny, m->nz, m->ny, m->nx, m->nz);
  else
    sf_out("  %s: %s image, nx %zu x ny %zu (numpy shape (%zu, %zu))\n", m->name,
           dtype_name(m->dtype), m->nx, m->ny, m->ny, m->nx);
  print_axis("x", &m->axis[0], m->nx);
  print_axis("y", &m->axis[1], m->ny);
  if (m->nz > 1)
    print_axis("third", &m->axis[2], m->nz);
  sf_out("    values %s [%s]: min %g, max %g, mean %g", m->quantity, m->units, lo, hi,
         n > bad ? sum / (double)(n - bad) : NAN);
  sf_out(bad ? ", %zu non-finite\n" : "\n", bad);
  for (size_t i = 0; i < m->attrs.count; ++i)
    print_attr("    attr ", &m->attrs.items[i]);
}

static int info_emd(const char *path) {
  sf_imageset *set = NULL;
  SF_TRY(sf_io_emd_read(path, &set));
  sf_out("%s: EMD 0.2, %zu signal%s\n", path, set->count, set->count == 1 ? "" : "s");
  for (size_t i = 0; i < set->count; ++i)
    print_map(set->maps[i]);
  const char *group = NULL;
  for (size_t i = 0; i < set->attrs.count; ++i) {
    const sf_attr *a = &set->attrs.items[i];
    if (!group || strcmp(group, a->group) != 0) {
      group = a->group;
      sf_out("  /%s\n", group[0] ? group : "");
    }
    print_attr("    ", a);
  }
  sf_imageset_destroy(set);
  return SF_OK;
}

static int info_hdf5(const char *path) {
  sf_h5_entry *entries = NULL;
  size_t n = 0;
  SF_TRY(sf_io_h5_list(path, &entries, &n));
  sf_out("%s: HDF5 (not EMD), %zu dataset%s\n", path, n, n == 1 ? "" : "s");
  for (size_t i = 0; i < n; ++i) {
    sf_out("  %s: %s, shape (", entries[i].path, entries[i].dtype);
    for (int r = 0; r < entries[i].rank; ++r)
      sf_out("%s%llu", r ? ", " : "", (unsigned long long)entries[i].dims[r]);
    sf_out(")\n");
  }
  if (n)
    sf_out("  use as FILE:%s in --haadf/--map options; it has no calibration (pixels)\n",
           entries[0].path);
  sf_io_h5_entries_free(entries, n);
  return SF_OK;
}

static int info_npy(const char *path) {
  sf_npy_info info;
  SF_TRY(sf_io_npy_info(path, &info));
  sf_out("%s: NPY %d.%d, dtype %s, %s order, shape (", path, info.version_major,
         info.version_minor, info.descr, info.fortran_order ? "Fortran" : "C");
  for (int r = 0; r < info.rank; ++r)
    sf_out("%s%zu", r ? ", " : "", info.shape[r]);
  sf_out(")\n");
  if (info.rank == 2 || info.rank == 3) {
    sf_imageset *set = sf_imageset_create();
    if (!set)
      return SF_ENOMEM;
    sf_map *m;
    int status = sf_io_npy_read_map(path, set, "array", &m);
    if (status == SF_OK)
      print_map(m);
    sf_imageset_destroy(set);
    return status;
  }
  return SF_OK;
}

static int is_emd(const char *path) {
  char **names = NULL;
  size_t n = 0;
  if (sf_io_emd_list(path, &names, &n) != SF_OK)
    return 0;
  sf_io_emd_list_free(names, n);
  return n > 0;
}

int sf_cmd_info(int argc, char **argv) {
  const sf_cli_option options[] = {{NULL, 0, 0, NULL, NULL, NULL}};
  const sf_cli_spec spec = {
      "info", "FILE",
      "List the signals (EMD) or datasets (HDF5) or the array (NPY) in FILE: names, dtypes,\n"
      "shapes, calibrations, value ranges and attributes.",
      options, 1, 1};
  const char *pos[1];
  int npos;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  const char *path = pos[0];
  file_kind kind = KIND_UNKNOWN;
  int status = sniff(path, &kind);
  if (status == SF_OK) {
    if (kind == KIND_NPY)
      status = info_npy(path);
    else if (kind == KIND_HDF5)
      status = is_emd(path) ? info_emd(path) : info_hdf5(path);
    else
      status = sf_error_set(SF_EFORMAT, "%s: not an EMD/HDF5 or NPY file (unrecognised first "
                            "bytes)", path);
  }
  if (status != SF_OK)
    return sf_cli_fail("info", status);
  return 0;
}
