/* EMD 0.2 output and input: exact round trips, the on-disk layout that
   HyperSpy/ncempy/Prismatic expect (reversed axes, bracketed units, int64
   version attributes), atomic writing, read errors, and files written by
   others (HyperSpy-style 2-element calibrations, integer data, Prismatic's
   signal groups outside /signals). */
#include "io/sf_emd.h"
#include "core/sf_status.h"
#include "io/sf_h5.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Test pattern of file-formats.md section 8: value(iy, ix) = 1000*iy + ix,
   plus 1e6*iz in a cube. Every value is an integer below 2^24, so it is
   exact in float32 and every comparison below is exact. */
static double pattern(size_t ix, size_t iy, size_t iz) {
  return 1e6 * (double)iz + 1000.0 * (double)iy + (double)ix;
}

static sf_map *add_pattern_map(sf_imageset *set, const char *name, sf_dtype dtype, size_t nx,
                               size_t ny, size_t nz) {
  sf_map *m = NULL;
  cr_assert_eq(sf_imageset_add_map(set, name, dtype, nx, ny, nz, &m), SF_OK, "%s",
               sf_error_message());
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix)
      for (size_t iz = 0; iz < nz; ++iz)
        sf_map_set(m, ix, iy, iz, pattern(ix, iy, iz));
  return m;
}

static const double sim_values[4] = {0.5, -2.25, 1e-300, 6.02214076e23};

/* Two images and two cubes (float32 and float64, nx != ny), calibrations
   that are not exact binary fractions, and attributes of every type. */
static sf_imageset *make_set(void) {
  sf_imageset *set = sf_imageset_create();
  cr_assert_not_null(set);
  sf_map *a = add_pattern_map(set, "img32", SF_F32, 7, 5, 1);
  cr_assert_eq(sf_map_set_axis(a, 0, "x", "Å", -1.5, 0.25), SF_OK);
  cr_assert_eq(sf_map_set_axis(a, 1, "y", "Å", 2.0, 0.1), SF_OK);
  snprintf(a->quantity, sizeof a->quantity, "HAADF intensity");
  snprintf(a->units, sizeof a->units, "fraction of incident");
  cr_assert_eq(sf_attrs_set_string(&a->attrs, "", "detector", "HAADF 70–200 mrad, Å"), SF_OK);
  cr_assert_eq(sf_attrs_set_double(&a->attrs, "", "inner_mrad", 70.0), SF_OK);
  cr_assert_eq(sf_attrs_set_int(&a->attrs, "", "frames", -3), SF_OK);
  cr_assert_eq(sf_attrs_set_doubles(&a->attrs, "", "edges_mrad", (double[]){70, 200}, 2), SF_OK);
  cr_assert_eq(sf_attrs_set_doubles(&a->attrs, "", "one", (double[]){0.1}, 1), SF_OK);
  cr_assert_eq(sf_attrs_set_doubles(&a->attrs, "", "none", NULL, 0), SF_OK);

  sf_map *b = add_pattern_map(set, "img64", SF_F64, 6, 9, 1);
  cr_assert_eq(sf_map_set_axis(b, 0, "x", "nm", 0.0, 0.0123), SF_OK);
  b->quantity[0] = '\0';

  sf_map *c = add_pattern_map(set, "cube32", SF_F32, 4, 3, 5);
  cr_assert_eq(sf_map_set_axis(c, 0, "x", "Å", 0.0, 0.25), SF_OK);
  cr_assert_eq(sf_map_set_axis(c, 1, "y", "Å", 0.0, 0.25), SF_OK);
  cr_assert_eq(sf_map_set_axis(c, 2, "Energy loss", "eV", 100.0, 0.5), SF_OK);
  snprintf(c->units, sizeof c->units, "counts");

  sf_map *d = add_pattern_map(set, "cube64", SF_F64, 3, 2, 6);
  cr_assert_eq(sf_map_set_axis(d, 2, "Scattering angle (bin centre)", "mrad", 0.5, 1.0), SF_OK);
  cr_assert_eq(sf_attrs_set_double(&d->attrs, "", "bin_width_mrad", 1.0), SF_OK);

  char *argv[] = {"stemfuse", "simulate", "--seed", "42"};
  cr_assert_eq(sf_imageset_set_provenance(set, 4, argv, 1, 42, "[beam]\nenergy_keV = 300\n"),
               SF_OK);
  cr_assert_eq(sf_attrs_set_double(&set->attrs, "microscope", "beam_energy_keV", 300.0), SF_OK);
  cr_assert_eq(sf_attrs_set_double(&set->attrs, "microscope", "C30_mm", -0.013), SF_OK);
  cr_assert_eq(sf_attrs_set_string(&set->attrs, "sample", "formula", "Co3O4"), SF_OK);
  cr_assert_eq(sf_attrs_set_double(&set->attrs, "sample", "thickness_A", 195.265), SF_OK);
  cr_assert_eq(sf_attrs_set_doubles(&set->attrs, "simulation", "cost_trace", sim_values, 4),
               SF_OK);
  cr_assert_eq(sf_attrs_set_int(&set->attrs, "simulation", "frozen_phonons", 30), SF_OK);
  cr_assert_eq(sf_attrs_set_int(&set->attrs, "user", "big", INT64_MIN + 1), SF_OK);
  cr_assert_eq(sf_attrs_set_string(&set->attrs, "user", "note", ""), SF_OK);
  cr_assert_eq(sf_attrs_set_string(&set->attrs, "", "title", "round trip"), SF_OK);
  return set;
}

static void assert_attr_equal(const sf_attr *want, const sf_attrs *got, const char *where) {
  const sf_attr *at = sf_attrs_find(got, want->group, want->key);
  cr_assert_not_null(at, "%s: attribute %s/%s missing", where, want->group, want->key);
  cr_assert_eq(at->type, want->type, "%s: %s/%s type", where, want->group, want->key);
  switch (want->type) {
  case SF_ATTR_STRING: cr_assert_str_eq(at->text, want->text); break;
  case SF_ATTR_DOUBLE: cr_assert(at->number == want->number, "%s: %s", where, want->key); break;
  case SF_ATTR_INT: cr_assert_eq(at->integer, want->integer); break;
  case SF_ATTR_DOUBLES:
    cr_assert_eq(at->n_values, want->n_values, "%s: %s length", where, want->key);
    for (size_t i = 0; i < want->n_values; ++i)
      cr_assert(at->values[i] == want->values[i], "%s: %s[%zu]", where, want->key, i);
    break;
  }
}

static void assert_attrs_equal(const sf_attrs *want, const sf_attrs *got, const char *where) {
  cr_assert_eq(got->count, want->count, "%s: %zu attributes, want %zu", where, got->count,
               want->count);
  for (size_t k = 0; k < want->count; ++k)
    assert_attr_equal(&want->items[k], got, where);
}

static void assert_maps_equal(const sf_map *want, const sf_map *got) {
  cr_assert_str_eq(got->name, want->name);
  cr_assert_eq(got->dtype, want->dtype, "%s: dtype", want->name);
  cr_assert_eq(got->nx, want->nx);
  cr_assert_eq(got->ny, want->ny);
  cr_assert_eq(got->nz, want->nz);
  cr_assert_eq(memcmp(got->data, want->data, want->nx * want->ny * want->nz *
                      sf_dtype_size(want->dtype)), 0, "%s: values differ", want->name);
  int rank = want->nz > 1 ? 3 : 2;
  for (int a = 0; a < rank; ++a) {
    cr_assert_str_eq(got->axis[a].name, want->axis[a].name);
    cr_assert_str_eq(got->axis[a].units, want->axis[a].units);
    cr_assert(got->axis[a].origin == want->axis[a].origin, "%s axis %d origin %.17g != %.17g",
              want->name, a, got->axis[a].origin, want->axis[a].origin);
    cr_assert(got->axis[a].step == want->axis[a].step, "%s axis %d step %.17g != %.17g",
              want->name, a, got->axis[a].step, want->axis[a].step);
  }
  cr_assert_str_eq(got->quantity, want->quantity);
  cr_assert_str_eq(got->units, want->units);
  assert_attrs_equal(&want->attrs, &got->attrs, want->name);
}

/* Every HDF5 file, group, dataset, named type and attribute the library
   opened has been closed again (also on error paths). */
static void assert_no_open_hdf5_objects(void) {
  ssize_t open_ids = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
  cr_assert_eq(open_ids, 0, "%zd HDF5 identifiers are still open", open_ids);
}

Test(emd, round_trip_is_exact) {
  sf_imageset *set = make_set();
  const char *path = sf_test_path("round.emd");
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_OK, "%s", sf_error_message());
  sf_imageset *back = NULL;
  cr_assert_eq(sf_io_emd_read(path, &back), SF_OK, "%s", sf_error_message());
  cr_assert_eq(back->count, set->count);
  for (size_t i = 0; i < set->count; ++i) {
    const sf_map *got = sf_imageset_find(back, set->maps[i]->name);
    cr_assert_not_null(got, "map %s missing", set->maps[i]->name);
    assert_maps_equal(set->maps[i], got);
  }
  /* The asymmetric pattern lands on the right pixel in natural order. */
  const sf_map *img = sf_imageset_find(back, "img32");
  cr_assert(sf_map_get(img, 5, 3, 0) == 3005.0);
  cr_assert(((const float *)img->data)[3 * 7 + 5] == 3005.0f);
  const sf_map *cube = sf_imageset_find(back, "cube32");
  cr_assert(sf_map_get(cube, 2, 1, 4) == 4001002.0);
  assert_attrs_equal(&set->attrs, &back->attrs, "image set");
  cr_assert_str_eq(sf_attrs_get_string(&back->attrs, "comments", "generator"), "stemfuse");
  sf_imageset_destroy(back);
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}

/* Steps typed as decimals with non-zero origins (several doubles regenerate
   such a vector), and computed steps with origin 0, come back exactly. */
Test(emd, calibrations_round_trip_exactly) {
  static const double origins[] = {100.0, -12.345, 2.0, 0.5, 1e4, -0.001, 532.25};
  static const double steps[] = {0.1, 0.0123, 0.3, 0.05, 0.7, 1.1e-3, 0.025};
  sf_imageset *set = sf_imageset_create();
  for (int k = 0; k < 7; ++k) {
    char name[16];
    snprintf(name, sizeof name, "m%d", k);
    sf_map *m = add_pattern_map(set, name, SF_F32, 2 + (size_t)k, 3, 40 + 37 * (size_t)k);
    cr_assert_eq(sf_map_set_axis(m, 2, "Energy loss", "eV", origins[k], steps[k]), SF_OK);
    cr_assert_eq(sf_map_set_axis(m, 0, "x", "Å", 0.0, 3.905 / (160.0 + k)), SF_OK);
    cr_assert_eq(sf_map_set_axis(m, 1, "y", "1/Å", origins[k], steps[6 - k]), SF_OK);
  }
  const char *path = sf_test_path("calibrations.emd");
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_OK, "%s", sf_error_message());
  sf_imageset *back = NULL;
  cr_assert_eq(sf_io_emd_read(path, &back), SF_OK, "%s", sf_error_message());
  for (size_t i = 0; i < set->count; ++i)
    assert_maps_equal(set->maps[i], sf_imageset_find(back, set->maps[i]->name));
  sf_imageset_destroy(back);
  sf_imageset_destroy(set);
}

/* ---- the layout on disk, read with the HDF5 API directly ------------------- */

static int64_t read_int64_attr(hid_t obj, const char *name, int *is_int64) {
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  cr_assert_geq(a, 0, "attribute %s missing", name);
  hid_t t = H5Aget_type(a);
  *is_int64 = H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) == 8 &&
              H5Tget_sign(t) == H5T_SGN_2;
  int64_t v = -1;
  cr_assert_geq(H5Aread(a, H5T_NATIVE_INT64, &v), 0);
  H5Tclose(t);
  H5Aclose(a);
  return v;
}

/* A variable-length UTF-8 string attribute (malloc'ed copy). */
static char *read_vlen_utf8_attr(hid_t obj, const char *name) {
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  cr_assert_geq(a, 0, "attribute %s missing", name);
  hid_t t = H5Aget_type(a);
  cr_assert_eq(H5Tget_class(t), H5T_STRING);
  cr_assert_gt(H5Tis_variable_str(t), 0, "attribute %s is not variable-length", name);
  cr_assert_eq(H5Tget_cset(t), H5T_CSET_UTF8, "attribute %s is not UTF-8", name);
  char *value = NULL;
  cr_assert_geq(H5Aread(a, t, &value), 0);
  char *copy = strdup(value);
  H5free_memory(value);
  H5Tclose(t);
  H5Aclose(a);
  return copy;
}

static void assert_string_attr(hid_t obj, const char *name, const char *want) {
  char *got = read_vlen_utf8_attr(obj, name);
  cr_assert_str_eq(got, want, "attribute %s", name);
  free(got);
}

/* dimN of a signal: its length, values origin + i*step, name and units. */
static void assert_dim(hid_t g, const char *dim, size_t n, double origin, double step,
                       const char *name, const char *units) {
  hid_t d = H5Dopen2(g, dim, H5P_DEFAULT);
  cr_assert_geq(d, 0, "%s missing", dim);
  hid_t t = H5Dget_type(d);
  cr_assert(H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 8, "%s is not float64", dim);
  hid_t s = H5Dget_space(d);
  cr_assert_eq(H5Sget_simple_extent_npoints(s), (hssize_t)n, "%s is not full-length", dim);
  double *v = malloc(n * sizeof *v);
  cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
  for (size_t i = 0; i < n; ++i)
    cr_assert(v[i] == origin + (double)i * step, "%s[%zu] = %g", dim, i, v[i]);
  free(v);
  assert_string_attr(d, "name", name);
  assert_string_attr(d, "units", units);
  H5Sclose(s);
  H5Tclose(t);
  H5Dclose(d);
}

Test(emd, layout_on_disk_is_emd_0_2_with_reversed_axes) {
  sf_imageset *set = make_set();
  sf_map *px = add_pattern_map(set, "pixels", SF_F32, 2, 3, 1);
  cr_assert_eq(sf_map_set_axis(px, 0, "x", "A", 0.0, 0.5), SF_OK); /* ASCII Ångström */
  const char *path = sf_test_path("layout.emd");
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_OK, "%s", sf_error_message());

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  cr_assert_geq(f, 0);
  int is_int64 = 0;
  cr_assert_eq(read_int64_attr(f, "version_major", &is_int64), 0);
  cr_assert(is_int64, "version_major is not int64");
  cr_assert_eq(read_int64_attr(f, "version_minor", &is_int64), 2);
  cr_assert(is_int64, "version_minor is not int64");

  /* Image: HDF5 shape (nx, ny) = (7, 5), element [ix][iy] = 1000*iy + ix. */
  hid_t g = H5Gopen2(f, "/signals/img32", H5P_DEFAULT);
  cr_assert_geq(g, 0);
  cr_assert_eq(read_int64_attr(g, "emd_group_type", &is_int64), 1);
  cr_assert(is_int64);
  assert_string_attr(g, "quantity", "HAADF intensity");
  assert_string_attr(g, "units", "fraction of incident");
  assert_string_attr(g, "detector", "HAADF 70–200 mrad, Å");
  hid_t d = H5Dopen2(g, "data", H5P_DEFAULT);
  hid_t t = H5Dget_type(d);
  cr_assert(H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 4, "img32 data is not float32");
  hid_t s = H5Dget_space(d);
  hsize_t dims[3];
  cr_assert_eq(H5Sget_simple_extent_dims(s, dims, NULL), 2);
  cr_assert_eq(dims[0], 7);
  cr_assert_eq(dims[1], 5);
  float img[7][5];
  cr_assert_geq(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, img), 0);
  for (int ix = 0; ix < 7; ++ix)
    for (int iy = 0; iy < 5; ++iy)
      cr_assert(img[ix][iy] == 1000.0f * (float)iy + (float)ix, "[%d][%d] = %g", ix, iy,
                img[ix][iy]);
  cr_assert(img[5][3] == 3005.0f);
  H5Sclose(s);
  H5Tclose(t);
  H5Dclose(d);
  assert_dim(g, "dim1", 7, -1.5, 0.25, "x", "[Å]");
  assert_dim(g, "dim2", 5, 2.0, 0.1, "y", "[Å]");
  cr_assert_eq(H5Lexists(g, "dim3", H5P_DEFAULT), 0, "an image has no dim3");
  H5Gclose(g);

  /* Cube: (nx, ny, nz) = (4, 3, 5), chunked, shuffled and deflated. */
  g = H5Gopen2(f, "/signals/cube32", H5P_DEFAULT);
  d = H5Dopen2(g, "data", H5P_DEFAULT);
  s = H5Dget_space(d);
  cr_assert_eq(H5Sget_simple_extent_dims(s, dims, NULL), 3);
  cr_assert(dims[0] == 4 && dims[1] == 3 && dims[2] == 5);
  float cube[4][3][5];
  cr_assert_geq(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, cube), 0);
  for (int ix = 0; ix < 4; ++ix)
    for (int iy = 0; iy < 3; ++iy)
      for (int iz = 0; iz < 5; ++iz)
        cr_assert(cube[ix][iy][iz] == (float)pattern((size_t)ix, (size_t)iy, (size_t)iz));
  hid_t dcpl = H5Dget_create_plist(d);
  cr_assert_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
  int shuffle = 0, deflate = 0;
  for (int i = 0; i < H5Pget_nfilters(dcpl); ++i) {
    unsigned flags = 0, cd[8];
    size_t ncd = 8;
    H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
    shuffle |= id == H5Z_FILTER_SHUFFLE;
    deflate |= id == H5Z_FILTER_DEFLATE;
  }
  cr_assert(shuffle && deflate, "cube filters: shuffle %d, deflate %d", shuffle, deflate);
  H5Pclose(dcpl);
  H5Sclose(s);
  H5Dclose(d);
  assert_dim(g, "dim3", 5, 100.0, 0.5, "Energy loss", "[eV]");
  assert_string_attr(g, "units", "counts");
  H5Gclose(g);

  g = H5Gopen2(f, "/signals/img64", H5P_DEFAULT);
  d = H5Dopen2(g, "data", H5P_DEFAULT);
  t = H5Dget_type(d);
  cr_assert(H5Tget_class(t) == H5T_FLOAT && H5Tget_size(t) == 8, "img64 data is not float64");
  H5Tclose(t);
  H5Dclose(d);
  assert_dim(g, "dim2", 9, 0.0, 1.0, "y", "[px]");
  H5Gclose(g);

  g = H5Gopen2(f, "/signals/pixels", H5P_DEFAULT);
  assert_dim(g, "dim1", 2, 0.0, 0.5, "x", "[Å]"); /* never "[A]" (ampere) */
  H5Gclose(g);

  /* Attribute groups at the root, named after the attribute group. */
  g = H5Gopen2(f, "/comments", H5P_DEFAULT);
  cr_assert_geq(g, 0);
  assert_string_attr(g, "generator", "stemfuse");
  assert_string_attr(g, "command_line", "stemfuse simulate --seed 42");
  cr_assert_eq(read_int64_attr(g, "seed", &is_int64), 42);
  H5Gclose(g);
  g = H5Gopen2(f, "/microscope", H5P_DEFAULT);
  hid_t a = H5Aopen(g, "beam_energy_keV", H5P_DEFAULT);
  double kev = 0.0;
  cr_assert_geq(H5Aread(a, H5T_NATIVE_DOUBLE, &kev), 0);
  cr_assert(kev == 300.0);
  H5Aclose(a);
  H5Gclose(g);
  g = H5Gopen2(f, "/simulation", H5P_DEFAULT);
  a = H5Aopen(g, "cost_trace", H5P_DEFAULT);
  s = H5Aget_space(a);
  cr_assert_eq(H5Sget_simple_extent_ndims(s), 1);
  cr_assert_eq(H5Sget_simple_extent_npoints(s), 4);
  H5Sclose(s);
  H5Aclose(a);
  H5Gclose(g);
  cr_assert_gt(H5Lexists(f, "/sample", H5P_DEFAULT), 0);
  cr_assert_gt(H5Lexists(f, "/user", H5P_DEFAULT), 0);
  assert_string_attr(f, "title", "round trip");
  H5Fclose(f);
  sf_imageset_destroy(set);
}

/* ---- atomic writing ------------------------------------------------------------ */

static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc((size_t)len + 1);
  cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return buf;
}

static void spit(const char *path, const unsigned char *buf, size_t n) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(buf, 1, n, f), n);
  fclose(f);
}

static int entries_in(const char *dir, int dot_only) {
  DIR *d = opendir(dir);
  cr_assert_not_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      n += !dot_only || e->d_name[0] == '.';
  closedir(d);
  return n;
}

Test(emd, existing_file_is_kept_without_force_and_replaced_with_force) {
  sf_imageset *first = sf_imageset_create();
  add_pattern_map(first, "first", SF_F32, 3, 2, 1);
  const char *path = sf_test_path("keep.emd");
  cr_assert_eq(sf_io_emd_write(first, path, 0), SF_OK, "%s", sf_error_message());
  size_t n_before = 0;
  unsigned char *before = slurp(path, &n_before);

  sf_imageset *second = sf_imageset_create();
  add_pattern_map(second, "second", SF_F64, 4, 4, 1);
  cr_assert_eq(sf_io_emd_write(second, path, 0), SF_EEXIST);
  cr_assert(strstr(sf_error_message(), path), "message: %s", sf_error_message());
  size_t n_after = 0;
  unsigned char *after = slurp(path, &n_after);
  cr_assert(n_after == n_before && memcmp(before, after, n_before) == 0, "file changed");
  cr_assert_eq(entries_in(sf_test_tmpdir(), 0), 1);

  cr_assert_eq(sf_io_emd_write(second, path, 1), SF_OK, "%s", sf_error_message());
  sf_imageset *back = NULL;
  cr_assert_eq(sf_io_emd_read(path, &back), SF_OK, "%s", sf_error_message());
  cr_assert_eq(back->count, 1);
  cr_assert_str_eq(back->maps[0]->name, "second");
  cr_assert_eq(entries_in(sf_test_tmpdir(), 0), 1);
  free(before);
  free(after);
  sf_imageset_destroy(back);
  sf_imageset_destroy(first);
  sf_imageset_destroy(second);
}

/* Temporary files seen in the output directory when an error was raised. */
static int temporaries_at_error = -1;

static void count_temporaries(int status, const char *message) {
  (void)status;
  (void)message;
  temporaries_at_error = entries_in(sf_test_tmpdir(), 1);
}

Test(emd, failure_part_way_leaves_no_file_behind) {
  sf_imageset *set = sf_imageset_create();
  add_pattern_map(set, "good", SF_F32, 3, 2, 1);
  /* A second map whose size overflows: detected while writing it, after
     the first signal is already in the temporary file. */
  sf_map fake;
  memset(&fake, 0, sizeof fake);
  snprintf(fake.name, sizeof fake.name, "huge");
  fake.dtype = SF_F32;
  fake.nx = fake.ny = (size_t)1 << 40;
  fake.nz = 1;
  fake.data = set->maps[0]->data;
  sf_map *maps[2] = {set->maps[0], &fake};
  sf_imageset view = *set;
  view.maps = maps;
  view.count = 2;

  const char *path = sf_test_path("broken.emd");
  sf_error_handler *previous = sf_error_set_handler(count_temporaries);
  int status = sf_io_emd_write(&view, path, 0);
  sf_error_set_handler(previous);
  cr_assert_eq(status, SF_ENOMEM, "%s", sf_error_message());
  cr_assert(strstr(sf_error_message(), path) && strstr(sf_error_message(), "huge"), "message: %s",
            sf_error_message());
  cr_assert_eq(temporaries_at_error, 1, "the temporary file existed when the error was raised");
  cr_assert_eq(entries_in(sf_test_tmpdir(), 0), 0, "something was left behind");
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}

Test(emd, invalid_names_are_rejected_before_writing) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m = add_pattern_map(set, "ok", SF_F32, 2, 2, 1);
  const char *path = sf_test_path("names.emd");

  cr_assert_eq(sf_attrs_set_string(&set->attrs, "bad group", "k", "v"), SF_OK);
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "bad group"), "message: %s", sf_error_message());
  sf_attrs_clear(&set->attrs);

  cr_assert_eq(sf_attrs_set_string(&set->attrs, "signals", "k", "v"), SF_OK);
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'signals'"), "message: %s", sf_error_message());
  sf_attrs_clear(&set->attrs);

  cr_assert_eq(sf_attrs_set_int(&set->attrs, "", "version_major", 1), SF_OK);
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "version_major"), "message: %s", sf_error_message());
  sf_attrs_clear(&set->attrs);

  cr_assert_eq(sf_attrs_set_string(&m->attrs, "", "quantity", "x"), SF_OK);
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "quantity"), "message: %s", sf_error_message());
  sf_attrs_clear(&m->attrs);

  cr_assert_eq(sf_attrs_set_string(&m->attrs, "sub", "k", "x"), SF_OK);
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "sub/k"), "message: %s", sf_error_message());
  sf_attrs_clear(&m->attrs);

  snprintf(m->name, sizeof m->name, "no-dash");
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "no-dash"), "message: %s", sf_error_message());
  cr_assert_eq(entries_in(sf_test_tmpdir(), 0), 0);
  sf_imageset_destroy(set);
}

/* ---- read errors --------------------------------------------------------------- */

/* stderr redirected into a file between capture_begin and capture_end. */
static int captured_fd = -1;

static void capture_begin(void) {
  fflush(stderr);
  captured_fd = dup(2);
  FILE *f = fopen(sf_test_path("stderr.txt"), "w");
  cr_assert_not_null(f);
  dup2(fileno(f), 2);
  fclose(f);
}

/* What was printed (malloc'ed text). */
static char *capture_end(void) {
  fflush(stderr);
  dup2(captured_fd, 2);
  close(captured_fd);
  const char *cap = sf_test_path("stderr.txt");
  FILE *f = fopen(cap, "r");
  char *text = calloc(8192, 1);
  size_t n = fread(text, 1, 8191, f);
  text[n] = '\0';
  fclose(f);
  remove(cap);
  return text;
}

/* Run sf_io_emd_read with stderr captured; returns the status and stores
   how many bytes were printed to stderr. */
static int read_capturing_stderr(const char *path, size_t *printed) {
  sf_imageset *set = (sf_imageset *)1;
  capture_begin();
  int status = sf_io_emd_read(path, &set);
  char *text = capture_end();
  cr_assert_null(set, "the output is NULL on failure");
  *printed = strlen(text);
  free(text);
  return status;
}

Test(emd, names_hyperspy_would_stack_are_warned_about) {
  sf_imageset *set = sf_imageset_create();
  add_pattern_map(set, "Co", SF_F32, 2, 2, 1);
  add_pattern_map(set, "Mn", SF_F32, 2, 2, 1);
  capture_begin();
  int status = sf_io_emd_write(set, sf_test_path("distinct.emd"), 0);
  char *text = capture_end();
  cr_assert_eq(status, SF_OK, "%s", sf_error_message());
  cr_assert_str_eq(text, "", "no warning for names that are not prefixes: %s", text);
  free(text);
  add_pattern_map(set, "Co_fused", SF_F32, 2, 2, 1);
  capture_begin();
  status = sf_io_emd_write(set, sf_test_path("prefix.emd"), 0);
  text = capture_end();
  cr_assert_eq(status, SF_OK, "%s", sf_error_message());
  cr_assert(strstr(text, "'Co_fused' starts with signal name 'Co'") &&
                strstr(text, "stack_group=False"),
            "stderr: %s", text);
  free(text);
  sf_imageset_destroy(set);
}

static void write_small_emd(const char *path) {
  sf_imageset *set = make_set();
  cr_assert_eq(sf_io_emd_write(set, path, 1), SF_OK, "%s", sf_error_message());
  sf_imageset_destroy(set);
}

Test(emd, read_errors_name_the_file) {
  size_t printed = 0;
  H5E_auto2_t func_before = NULL;
  void *data_before = NULL;
  H5Eget_auto2(H5E_DEFAULT, &func_before, &data_before);

  const char *missing = sf_test_path("missing.emd");
  cr_assert_eq(read_capturing_stderr(missing, &printed), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), missing), "message: %s", sf_error_message());

  const char *text = sf_test_write_text("notes.emd", "just some text, not HDF5\n");
  cr_assert_eq(read_capturing_stderr(text, &printed), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), text), "message: %s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "not an HDF5 file"), "message: %s", sf_error_message());
  cr_assert_eq(printed, 0);

  const char *whole = sf_test_path("whole.emd");
  write_small_emd(whole);
  size_t n = 0;
  unsigned char *bytes = slurp(whole, &n);
  const char *cut = sf_test_path("cut.emd");
  spit(cut, bytes, n / 2);
  free(bytes);
  cr_assert_eq(read_capturing_stderr(cut, &printed), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), cut), "message: %s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "truncated"), "message: %s", sf_error_message());
  cr_assert_eq(printed, 0, "the HDF5 library printed its error stack");

  /* The caller's HDF5 error printer is back in place. */
  H5E_auto2_t func_after = NULL;
  void *data_after = NULL;
  H5Eget_auto2(H5E_DEFAULT, &func_after, &data_after);
  cr_assert(func_after == func_before && data_after == data_before);
  assert_no_open_hdf5_objects();
}

Test(emd, plain_hdf5_is_not_emd) {
  const char *path = sf_test_path("plain.h5");
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t dims[2] = {4, 3};
  hid_t s = H5Screate_simple(2, dims, NULL);
  hid_t d = H5Dcreate2(f, "HAADF", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(d);
  H5Sclose(s);
  H5Fclose(f);
  size_t printed = 0;
  cr_assert_eq(read_capturing_stderr(path, &printed), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), path), "message: %s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "not EMD"), "message: %s", sf_error_message());
  cr_assert_eq(printed, 0);
  assert_no_open_hdf5_objects();
}

/* An EMD file with one signal `name` whose data has the given HDF5 shape. */
static void write_emd_with_shape(const char *path, int rank, const hsize_t *dims) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t g = H5Gcreate2(f, "/signals", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t sg = H5Gcreate2(g, "odd", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int64_t one = 1;
  hid_t as = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(sg, "emd_group_type", H5T_STD_I64LE, as, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT64, &one);
  H5Aclose(a);
  H5Sclose(as);
  hid_t s = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(sg, "data", H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(d);
  H5Sclose(s);
  H5Gclose(sg);
  H5Gclose(g);
  H5Fclose(f);
}

Test(emd, signals_of_rank_other_than_2_or_3_and_empty_ones_are_refused) {
  const char *path = sf_test_path("rank4.emd");
  write_emd_with_shape(path, 4, (hsize_t[]){2, 2, 2, 2});
  size_t printed = 0;
  cr_assert_eq(read_capturing_stderr(path, &printed), SF_EUNSUPPORTED);
  cr_assert(strstr(sf_error_message(), path) && strstr(sf_error_message(), "rank 4") &&
                strstr(sf_error_message(), "odd"),
            "message: %s", sf_error_message());
  const char *path1 = sf_test_path("rank1.emd");
  write_emd_with_shape(path1, 1, (hsize_t[]){8});
  cr_assert_eq(read_capturing_stderr(path1, &printed), SF_EUNSUPPORTED);
  cr_assert(strstr(sf_error_message(), "rank 1"), "message: %s", sf_error_message());
  const char *empty = sf_test_path("empty.emd");
  write_emd_with_shape(empty, 2, (hsize_t[]){0, 3});
  cr_assert_eq(read_capturing_stderr(empty, &printed), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "empty"), "message: %s", sf_error_message());
  assert_no_open_hdf5_objects();
}

/* ---- files written by others ----------------------------------------------------- */

static void write_string_attr(hid_t obj, const char *name, const char *text, int vlen) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (vlen)
    H5Tset_size(t, H5T_VARIABLE);
  else
    H5Tset_size(t, strlen(text)); /* fixed-length, not NUL-terminated, ASCII */
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, t, vlen ? (const void *)&text : (const void *)text);
  H5Aclose(a);
  H5Sclose(s);
  H5Tclose(t);
}

static void write_int_attr(hid_t obj, const char *name, int32_t v) {
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(obj, name, H5T_STD_I32LE, s, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT32, &v);
  H5Aclose(a);
  H5Sclose(s);
}

static void write_dim(hid_t g, const char *name, const double *v, size_t n, const char *axis,
                      const char *units, int vlen) {
  hsize_t len = n;
  hid_t s = H5Screate_simple(1, &len, NULL);
  hid_t d = H5Dcreate2(g, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  write_string_attr(d, "name", axis, vlen);
  write_string_attr(d, "units", units, vlen);
  H5Dclose(d);
  H5Sclose(s);
}

/* A signal group at `group` holding data of file type `ftype` in EMD order
   (nx, ny[, nz]) with the pattern values. */
static hid_t write_foreign_signal(hid_t f, const char *group, hid_t ftype, size_t nx, size_t ny,
                                  size_t nz) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t g = H5Gcreate2(f, group, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  H5Pclose(lcpl);
  write_int_attr(g, "emd_group_type", 1);
  hsize_t dims[3] = {nx, ny, nz};
  double *v = malloc(nx * ny * nz * sizeof *v);
  for (size_t ix = 0; ix < nx; ++ix)
    for (size_t iy = 0; iy < ny; ++iy)
      for (size_t iz = 0; iz < nz; ++iz)
        v[(ix * ny + iy) * nz + iz] = pattern(ix, iy, iz) / (nz > 1 ? 1000.0 : 1.0);
  hid_t s = H5Screate_simple(nz > 1 ? 3 : 2, dims, NULL);
  hid_t d = H5Dcreate2(g, "data", ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  H5Sclose(s);
  free(v);
  return g;
}

Test(emd, hyperspy_style_file_reads_with_two_element_calibrations) {
  const char *path = sf_test_path("hyperspy_style.emd");
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_int_attr(f, "version_major", 0);
  write_int_attr(f, "version_minor", 2);
  /* int16 image 4 x 3: HyperSpy writes [offset, offset + scale] and separates
     the characters of units with '_'. */
  hid_t g = write_foreign_signal(f, "/signals/haadf", H5T_STD_I16LE, 4, 3, 1);
  write_dim(g, "dim1", (double[]){0.5, 0.75}, 2, "x", "[n_m]", 1);
  write_dim(g, "dim2", (double[]){-1.0, -0.5}, 2, "y", "nm", 0);
  write_string_attr(g, "signal_type", "", 1);
  H5Gclose(g);
  /* int32 cube 3 x 2 x 4 with values / 1000 rounded: no dims at all. */
  g = write_foreign_signal(f, "/signals/EELS SI", H5T_STD_I32LE, 3, 2, 4);
  H5Gclose(g);
  hid_t mic = H5Gcreate2(f, "/microscope", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  write_string_attr(mic, "name", "Titan", 0);
  write_int_attr(mic, "voltage_kV", 300);
  H5Gclose(mic);
  H5Fclose(f);

  sf_imageset *set = NULL;
  cr_assert_eq(sf_io_emd_read(path, &set), SF_OK, "%s", sf_error_message());
  cr_assert_eq(set->count, 2);
  const sf_map *m = sf_imageset_find(set, "haadf");
  cr_assert_not_null(m);
  cr_assert_eq(m->dtype, SF_F32, "int16 data become float32");
  cr_assert(m->nx == 4 && m->ny == 3 && m->nz == 1);
  cr_assert(sf_map_get(m, 3, 2, 0) == 2003.0);
  cr_assert(m->axis[0].origin == 0.5 && m->axis[0].step == 0.25);
  cr_assert_str_eq(m->axis[0].units, "nm");
  cr_assert(m->axis[1].origin == -1.0 && m->axis[1].step == 0.5);
  cr_assert_str_eq(m->axis[1].units, "nm");
  cr_assert_str_eq(sf_attrs_get_string(&m->attrs, "", "signal_type"), "");
  cr_assert_str_eq(m->quantity, "");

  const sf_map *c = sf_imageset_find(set, "EELS_SI"); /* invalid characters replaced */
  cr_assert_not_null(c);
  cr_assert_eq(c->dtype, SF_F64, "int32 data become float64");
  cr_assert(c->nx == 3 && c->ny == 2 && c->nz == 4);
  /* pattern/1000 stored as int32: 1000*iz + iy (ix/1000 rounds away) */
  cr_assert(sf_map_get(c, 2, 1, 3) == 3001.0);
  cr_assert_str_eq(c->axis[2].units, "px", "an axis without a vector is in pixels");
  cr_assert(c->axis[2].origin == 0.0 && c->axis[2].step == 1.0);

  cr_assert_str_eq(sf_attrs_get_string(&set->attrs, "microscope", "name"), "Titan");
  const sf_attr *kv = sf_attrs_find(&set->attrs, "microscope", "voltage_kV");
  cr_assert(kv && kv->type == SF_ATTR_INT && kv->integer == 300);
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}

Test(emd, prismatic_style_signal_groups_outside_signals) {
  const char *path = sf_test_path("prismatic_style.emd");
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  write_int_attr(f, "version_major", 0);
  write_int_attr(f, "version_minor", 2);
  hid_t g = write_foreign_signal(
      f, "/4DSTEM_simulation/data/realslices/annular_detector_depth0000", H5T_IEEE_F32LE, 5, 4,
      1);
  write_dim(g, "dim1", (double[]){0.0, 0.1, 0.2, 0.30000000000000004, 0.4}, 5, "R_x", "[n_m]",
            0);
  H5Gclose(g);
  H5Fclose(f);
  char **names = NULL;
  size_t n = 0;
  cr_assert_eq(sf_io_emd_list(path, &names, &n), SF_OK, "%s", sf_error_message());
  cr_assert_eq(n, 1);
  cr_assert_str_eq(names[0], "annular_detector_depth0000");
  sf_io_emd_list_free(names, n);

  sf_imageset *set = NULL;
  cr_assert_eq(sf_io_emd_read(path, &set), SF_OK, "%s", sf_error_message());
  const sf_map *m = sf_imageset_find(set, "annular_detector_depth0000");
  cr_assert_not_null(m);
  cr_assert(sf_map_get(m, 4, 3, 0) == 3004.0);
  cr_assert(m->axis[0].step == 0.1, "step %.17g", m->axis[0].step);
  cr_assert_str_eq(m->axis[0].name, "R_x");
  cr_assert_str_eq(m->axis[0].units, "nm");
  sf_imageset_destroy(set);
}

Test(emd, file_written_by_hyperspy_1_7_3) {
  /* tests/data/emd_hyperspy.emd: written by HyperSpy 1.7.3 (see
     tests/data/emd_hyperspy.py): a 7 x 5 float32 image 1000*iy + ix with
     scale 0.25 Å and offsets (-1, 2). */
  const char *path = sf_test_source_path("tests/data/emd_hyperspy.emd");
  sf_imageset *set = NULL;
  cr_assert_eq(sf_io_emd_read(path, &set), SF_OK, "%s", sf_error_message());
  const sf_map *m = sf_imageset_find(set, "pattern");
  cr_assert_not_null(m);
  cr_assert(m->nx == 7 && m->ny == 5 && m->nz == 1 && m->dtype == SF_F32);
  cr_assert(sf_map_get(m, 5, 3, 0) == 3005.0);
  cr_assert(m->axis[0].origin == -1.0 && m->axis[0].step == 0.25);
  cr_assert(m->axis[1].origin == 2.0 && m->axis[1].step == 0.25);
  cr_assert_str_eq(m->axis[0].units, "Å");
  cr_assert_str_eq(m->axis[1].units, "Å");
  sf_imageset_destroy(set);
}

/* ---- one signal at a time ---------------------------------------------------------- */

Test(emd, one_signal_is_read_and_converted) {
  const char *path = sf_test_path("one.emd");
  write_small_emd(path);
  char **names = NULL;
  size_t n = 0;
  cr_assert_eq(sf_io_emd_list(path, &names, &n), SF_OK, "%s", sf_error_message());
  cr_assert_eq(n, 4);
  /* HDF5 iteration order: alphabetical */
  cr_assert_str_eq(names[0], "cube32");
  cr_assert_str_eq(names[1], "cube64");
  cr_assert_str_eq(names[2], "img32");
  cr_assert_str_eq(names[3], "img64");
  sf_io_emd_list_free(names, n);

  sf_imageset *set = sf_imageset_create();
  sf_map *m = NULL;
  cr_assert_eq(sf_io_emd_read_signal(path, "cube32", set, "eels", SF_F64, &m), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(set->count, 1);
  cr_assert_eq(m, set->maps[0]);
  cr_assert_str_eq(m->name, "eels");
  cr_assert_eq(m->dtype, SF_F64);
  cr_assert(sf_map_get(m, 3, 2, 4) == pattern(3, 2, 4));
  cr_assert(m->axis[2].origin == 100.0 && m->axis[2].step == 0.5);
  cr_assert_str_eq(m->axis[2].name, "Energy loss");
  cr_assert_str_eq(m->units, "counts");

  cr_assert_eq(sf_io_emd_read_signal(path, "Fe", set, NULL, SF_F64, NULL), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "no signal 'Fe'") &&
                strstr(sf_error_message(), "cube32, cube64, img32, img64") &&
                strstr(sf_error_message(), path),
            "message: %s", sf_error_message());
  cr_assert_eq(sf_io_emd_read_signal(path, "img32", set, "eels", SF_F64, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "already"), "message: %s", sf_error_message());
  cr_assert_eq(set->count, 1, "a failed read leaves the set unchanged");
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}
