/* Generic HDF5 input (listing, any integer/float dataset into a float64 map in
   numpy order) and the source specs "file.emd:SIGNAL", "file.h5:/dataset",
   "file.npy", including their error messages. */
#include "io/sf_h5.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "io/sf_npy.h"
#include "io/sf_source.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* value(iy, ix) = 1000*iy + ix (file-formats.md section 8), plus 1e6*iz. */
static double pattern(size_t ix, size_t iy, size_t iz) {
  return 1e6 * (double)iz + 1000.0 * (double)iy + (double)ix;
}

/* A dataset `name` of file type `ftype` and numpy shape dims (rank 1-3)
   holding the pattern in natural C order (iy, ix[, iz]); rank 1 holds k. */
static void write_dataset(hid_t f, const char *name, hid_t ftype, int rank, const hsize_t *dims) {
  size_t n = 1;
  for (int i = 0; i < rank; ++i)
    n *= (size_t)dims[i];
  double *v = malloc((n ? n : 1) * sizeof *v);
  size_t ny = (size_t)dims[0], nx = rank > 1 ? (size_t)dims[1] : 1,
         nz = rank > 2 ? (size_t)dims[2] : 1;
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix)
      for (size_t iz = 0; iz < nz; ++iz)
        v[(iy * nx + ix) * nz + iz] = rank == 1 ? (double)iy : pattern(ix, iy, iz);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t s = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(f, name, ftype, s, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert_geq(d, 0, "creating %s", name);
  if (n)
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  H5Sclose(s);
  H5Pclose(lcpl);
  free(v);
}

/* Like the real experimental files: root datasets, no attributes. */
static const char *make_h5(const char *name) {
  const char *path = sf_test_path(name);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert_geq(f, 0);
  write_dataset(f, "HAADF", H5T_IEEE_F32LE, 2, (hsize_t[]){5, 7});
  write_dataset(f, "Co", H5T_STD_I16LE, 2, (hsize_t[]){5, 7});
  write_dataset(f, "maps/Mn", H5T_STD_U8LE, 2, (hsize_t[]){3, 4});
  write_dataset(f, "maps/SI", H5T_IEEE_F64LE, 3, (hsize_t[]){3, 4, 2});
  write_dataset(f, "profile", H5T_STD_I32LE, 1, (hsize_t[]){6});
  write_dataset(f, "nothing", H5T_IEEE_F32LE, 2, (hsize_t[]){0, 5});
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t d = H5Dcreate2(f, "note", t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const char *text = "a string";
  H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text);
  H5Dclose(d);
  H5Sclose(s);
  H5Tclose(t);
  H5Fclose(f);
  return path;
}

/* Every HDF5 file, group, dataset, named type and attribute the library
   opened has been closed again (also on error paths). */
static void assert_no_open_hdf5_objects(void) {
  ssize_t open_ids = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
  cr_assert_eq(open_ids, 0, "%zd HDF5 identifiers are still open", open_ids);
}

Test(h5, list_finds_every_dataset_sorted) {
  const char *path = make_h5("list.h5");
  sf_h5_entry *e = NULL;
  size_t n = 0;
  cr_assert_eq(sf_io_h5_list(path, &e, &n), SF_OK, "%s", sf_error_message());
  cr_assert_eq(n, 7);
  const char *paths[7] = {"/Co", "/HAADF", "/maps/Mn", "/maps/SI", "/note", "/nothing",
                          "/profile"};
  const char *types[7] = {"int16", "float32", "uint8", "float64", "string", "float32", "int32"};
  const int ranks[7] = {2, 2, 2, 3, 0, 2, 1};
  for (size_t i = 0; i < n; ++i) {
    cr_assert_str_eq(e[i].path, paths[i]);
    cr_assert_str_eq(e[i].dtype, types[i], "%s", paths[i]);
    cr_assert_eq(e[i].rank, ranks[i], "%s", paths[i]);
  }
  cr_assert(e[1].dims[0] == 5 && e[1].dims[1] == 7, "HAADF is (ny, nx) = (5, 7)");
  cr_assert(e[3].dims[0] == 3 && e[3].dims[1] == 4 && e[3].dims[2] == 2);
  sf_io_h5_entries_free(e, n);
  sf_io_h5_entries_free(NULL, 0);
  assert_no_open_hdf5_objects();
}

static void assert_pattern_map(const sf_map *m, size_t nx, size_t ny, size_t nz) {
  cr_assert_eq(m->dtype, SF_F64);
  cr_assert(m->nx == nx && m->ny == ny && m->nz == nz, "%s: %zu x %zu x %zu", m->name, m->nx,
            m->ny, m->nz);
  const double *v = m->data;
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix)
      for (size_t iz = 0; iz < nz; ++iz)
        cr_assert(v[(iy * nx + ix) * nz + iz] == pattern(ix, iy, iz), "%s[%zu,%zu,%zu]",
                  m->name, iy, ix, iz);
  for (int a = 0; a < 3; ++a) {
    cr_assert_str_eq(m->axis[a].units, "px");
    cr_assert(m->axis[a].origin == 0.0 && m->axis[a].step == 1.0);
  }
}

Test(h5, datasets_of_any_numeric_type_read_in_numpy_order) {
  const char *path = make_h5("read.h5");
  sf_imageset *set = sf_imageset_create();
  sf_map *m = NULL;
  cr_assert_eq(sf_io_h5_read_map(path, "/HAADF", set, NULL, &m), SF_OK, "%s",
               sf_error_message());
  cr_assert_str_eq(m->name, "HAADF");
  assert_pattern_map(m, 7, 5, 1);
  cr_assert(sf_map_get(m, 5, 3, 0) == 3005.0, "numpy data[3, 5] is (ix 5, iy 3)");
  cr_assert_str_eq(sf_attrs_get_string(&m->attrs, "", "source_file"), path);
  cr_assert_str_eq(sf_attrs_get_string(&m->attrs, "", "source_dataset"), "/HAADF");

  cr_assert_eq(sf_io_h5_read_map(path, "Co", set, "cobalt", &m), SF_OK, "%s",
               sf_error_message());
  cr_assert_str_eq(m->name, "cobalt");
  assert_pattern_map(m, 7, 5, 1);
  /* uint8: values above 255 were clipped to 255 when the file was written. */
  cr_assert_eq(sf_io_h5_read_map(path, "/maps/Mn", set, NULL, &m), SF_OK, "%s",
               sf_error_message());
  cr_assert(m->nx == 4 && m->ny == 3 && m->nz == 1);
  cr_assert(sf_map_get(m, 3, 0, 0) == 3.0);
  cr_assert(sf_map_get(m, 0, 1, 0) == 255.0, "1000 saturates at 255 in uint8");

  cr_assert_eq(sf_io_h5_read_map(path, "/maps/SI", set, NULL, &m), SF_OK, "%s",
               sf_error_message());
  assert_pattern_map(m, 4, 3, 2);
  cr_assert_eq(set->count, 4);
  sf_imageset_destroy(set);
}

Test(h5, read_errors_name_file_and_dataset) {
  const char *path = make_h5("errors.h5");
  sf_imageset *set = sf_imageset_create();

  cr_assert_eq(sf_io_h5_read_map(path, "/Fe", set, NULL, NULL), SF_ENOENT);
  const char *msg = sf_error_message();
  cr_assert(strstr(msg, path) && strstr(msg, "'/Fe'"), "message: %s", msg);
  cr_assert(strstr(msg, "/Co, /HAADF, /maps/Mn, /maps/SI, /note, /nothing, /profile"),
            "the available datasets are listed: %s", msg);

  cr_assert_eq(sf_io_h5_read_map(path, "/maps", set, NULL, NULL), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "is a group"), "message: %s", sf_error_message());

  cr_assert_eq(sf_io_h5_read_map(path, "/no/such/group", set, "x", NULL), SF_ENOENT);

  cr_assert_eq(sf_io_h5_read_map(path, "/profile", set, NULL, NULL), SF_EUNSUPPORTED);
  cr_assert(strstr(sf_error_message(), "rank 1") && strstr(sf_error_message(), "'/profile'"),
            "message: %s", sf_error_message());

  cr_assert_eq(sf_io_h5_read_map(path, "/nothing", set, NULL, NULL), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "empty") && strstr(sf_error_message(), path),
            "message: %s", sf_error_message());

  cr_assert_eq(sf_io_h5_read_map(path, "/note", set, "note", NULL), SF_EUNSUPPORTED);

  cr_assert_eq(sf_io_h5_read_map(path, "/HAADF", set, "bad name", NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "bad name"), "message: %s", sf_error_message());

  cr_assert_eq(sf_io_h5_read_map(path, "/HAADF", set, NULL, NULL), SF_OK);
  cr_assert_eq(sf_io_h5_read_map(path, "/Co", set, "HAADF", NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "already"), "message: %s", sf_error_message());

  const char *missing = sf_test_path("missing.h5");
  cr_assert_eq(sf_io_h5_read_map(missing, "/HAADF", set, "m", NULL), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), missing), "message: %s", sf_error_message());
  const char *text = sf_test_write_text("text.h5", "not hdf5");
  sf_h5_entry *e = NULL;
  size_t n = 0;
  cr_assert_eq(sf_io_h5_list(text, &e, &n), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "not an HDF5 file"), "message: %s", sf_error_message());
  cr_assert_eq(set->count, 1, "failed reads leave the set unchanged");
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}

Test(h5, many_datasets_are_counted_not_listed) {
  const char *path = sf_test_path("many.h5");
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  for (int i = 0; i < 12; ++i) {
    char name[16];
    snprintf(name, sizeof name, "d%02d", i);
    write_dataset(f, name, H5T_IEEE_F32LE, 2, (hsize_t[]){2, 2});
  }
  H5Fclose(f);
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_io_h5_read_map(path, "/x", set, NULL, NULL), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "12 datasets") && !strstr(sf_error_message(), "/d03"),
            "message: %s", sf_error_message());
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}

/* ---- source specs ------------------------------------------------------------ */

/* An EMD file with a float32 image "HAADF" (7 x 5, 0.25 Å) and a float32 "Co". */
static const char *make_emd(const char *name) {
  sf_imageset *set = sf_imageset_create();
  const char *maps[2] = {"HAADF", "Co"};
  for (int k = 0; k < 2; ++k) {
    sf_map *m = NULL;
    cr_assert_eq(sf_imageset_add_map(set, maps[k], SF_F32, 7, 5, 1, &m), SF_OK);
    for (size_t iy = 0; iy < 5; ++iy)
      for (size_t ix = 0; ix < 7; ++ix)
        sf_map_set(m, ix, iy, 0, pattern(ix, iy, 0) + k);
    sf_map_set_axis(m, 0, "x", "Å", 0.0, 0.25);
    sf_map_set_axis(m, 1, "y", "Å", 0.0, 0.25);
  }
  const char *path = sf_test_path(name);
  cr_assert_eq(sf_io_emd_write(set, path, 0), SF_OK, "%s", sf_error_message());
  sf_imageset_destroy(set);
  return path;
}

Test(source, emd_h5_and_npy_specs_load_float64_maps) {
  const char *emd = make_emd("maps.emd");
  const char *h5 = make_h5("maps.h5");
  char spec[600];
  sf_imageset *set = sf_imageset_create();
  sf_map *m = NULL;

  snprintf(spec, sizeof spec, "%s:Co", emd);
  cr_assert_eq(sf_io_load_map(spec, set, NULL, &m), SF_OK, "%s", sf_error_message());
  cr_assert_str_eq(m->name, "Co");
  cr_assert_eq(m->dtype, SF_F64, "float32 signals are converted to float64");
  cr_assert(sf_map_get(m, 5, 3, 0) == 3006.0);
  cr_assert(m->axis[0].step == 0.25);
  cr_assert_str_eq(m->axis[0].units, "Å");

  snprintf(spec, sizeof spec, "%s:/HAADF", h5);
  cr_assert_eq(sf_io_load_map(spec, set, NULL, &m), SF_OK, "%s", sf_error_message());
  cr_assert_str_eq(m->name, "HAADF");
  assert_pattern_map(m, 7, 5, 1);

  /* .hdf5 extension, no leading '/', nested dataset, explicit map name */
  const char *h5b = sf_test_path("maps.HDF5");
  cr_assert_eq(rename(make_h5("other.h5"), h5b), 0);
  snprintf(spec, sizeof spec, "%s:maps/SI", h5b);
  cr_assert_eq(sf_io_load_map(spec, set, "spectra", &m), SF_OK, "%s", sf_error_message());
  cr_assert_str_eq(m->name, "spectra");
  assert_pattern_map(m, 4, 3, 2);

  /* .npy (float32 on disk) */
  sf_imageset *tmp = sf_imageset_create();
  sf_map *src = NULL;
  cr_assert_eq(sf_imageset_add_map(tmp, "src", SF_F32, 7, 5, 1, &src), SF_OK);
  for (size_t iy = 0; iy < 5; ++iy)
    for (size_t ix = 0; ix < 7; ++ix)
      sf_map_set(src, ix, iy, 0, pattern(ix, iy, 0));
  const char *npy = sf_test_path("Mn-map.npy");
  cr_assert_eq(sf_io_npy_write_map(src, npy, 0), SF_OK, "%s", sf_error_message());
  sf_imageset_destroy(tmp);
  cr_assert_eq(sf_io_load_map(npy, set, NULL, &m), SF_OK, "%s", sf_error_message());
  cr_assert_str_eq(m->name, "Mn_map", "the file stem, made valid");
  assert_pattern_map(m, 7, 5, 1);
  cr_assert_eq(set->count, 4);
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}

Test(source, spec_errors_say_what_to_write) {
  const char *emd = make_emd("choose.emd");
  const char *h5 = make_h5("choose.h5");
  char spec[600];
  sf_imageset *set = sf_imageset_create();

  cr_assert_eq(sf_io_load_map(emd, set, NULL, NULL), SF_EINVAL);
  const char *msg = sf_error_message();
  cr_assert(strstr(msg, "names no signal") && strstr(msg, ":SIGNAL") &&
                strstr(msg, "signals: Co, HAADF"),
            "message: %s", msg);

  cr_assert_eq(sf_io_load_map(h5, set, NULL, NULL), SF_EINVAL);
  msg = sf_error_message();
  cr_assert(strstr(msg, "names no dataset") && strstr(msg, ":/DATASET") &&
                strstr(msg, "/HAADF (5 x 7 float32)") && strstr(msg, "/Co (5 x 7 int16)"),
            "message: %s", msg);

  snprintf(spec, sizeof spec, "%s:", emd);
  cr_assert_eq(sf_io_load_map(spec, set, NULL, NULL), SF_EINVAL);

  snprintf(spec, sizeof spec, "%s:Fe", emd);
  cr_assert_eq(sf_io_load_map(spec, set, NULL, NULL), SF_ENOENT);
  msg = sf_error_message();
  cr_assert(strstr(msg, spec) && strstr(msg, "no signal 'Fe'") && strstr(msg, "Co, HAADF"),
            "message: %s", msg);

  snprintf(spec, sizeof spec, "%s:/Fe", h5);
  cr_assert_eq(sf_io_load_map(spec, set, NULL, NULL), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "no dataset '/Fe'"), "message: %s", sf_error_message());

  cr_assert_eq(sf_io_load_map("image.tif", set, NULL, NULL), SF_EUNSUPPORTED);
  cr_assert(strstr(sf_error_message(), "image.tif") && strstr(sf_error_message(), "FILE.npy"),
            "message: %s", sf_error_message());

  const char *missing = sf_test_path("absent.emd");
  snprintf(spec, sizeof spec, "%s:HAADF", missing);
  cr_assert_eq(sf_io_load_map(spec, set, NULL, NULL), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), missing), "message: %s", sf_error_message());
  cr_assert_eq(sf_io_load_map(missing, set, NULL, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "cannot list them") &&
                strstr(sf_error_message(), "no such file"),
            "message: %s", sf_error_message());

  cr_assert_eq(sf_io_load_map(sf_test_path("absent.npy"), set, NULL, NULL), SF_ENOENT);

  snprintf(spec, sizeof spec, "%s:HAADF", emd);
  cr_assert_eq(sf_io_load_map(spec, set, "bad-name", NULL), SF_EINVAL);
  cr_assert_eq(set->count, 0, "failed loads leave the set unchanged");
  sf_imageset_destroy(set);
  assert_no_open_hdf5_objects();
}
