/* NPY reading and writing: round trips, hand-built files of every supported
   dtype and order, and every header error with its reason. */
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "io/sf_npy.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- fixtures */

static void write_bytes(const char *path, const void *bytes, size_t n) {
  FILE *fp = fopen(path, "wb");
  cr_assert_not_null(fp, "cannot create %s", path);
  cr_assert_eq(fwrite(bytes, 1, n, fp), n);
  cr_assert_eq(fclose(fp), 0);
}

/* An NPY file of format version major.0 whose header dict is `dict`, padded
   as numpy pads it (spaces, final newline, data at a multiple of 64), then
   `data`. Returns the path in the test's temporary directory. */
static const char *make_npy(const char *name, int major, const char *dict, const void *data,
                            size_t data_len) {
  size_t prefix = major == 1 ? 10 : 12;
  size_t header_len = strlen(dict) + 1;
  header_len += (64 - (prefix + header_len) % 64) % 64;
  size_t total = prefix + header_len + data_len;
  unsigned char *buf = malloc(total);
  cr_assert_not_null(buf);
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = (unsigned char)major;
  buf[7] = 0;
  for (size_t b = 0; b < prefix - 8; ++b)
    buf[8 + b] = (unsigned char)(header_len >> (8 * b));
  memset(buf + prefix, ' ', header_len);
  memcpy(buf + prefix, dict, strlen(dict));
  buf[prefix + header_len - 1] = '\n';
  if (data_len)
    memcpy(buf + prefix + header_len, data, data_len);
  const char *path = sf_test_path(name);
  write_bytes(path, buf, total);
  free(buf);
  return path;
}

/* Little-endian bytes of v (n bytes), or big-endian when big != 0. */
static void put_uint(unsigned char *dst, uint64_t v, size_t n, int big) {
  for (size_t i = 0; i < n; ++i)
    dst[big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *dst, double v, int big) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  put_uint(dst, u, 8, big);
}

/* Read `path` as map "M" into a fresh set; returns the status. */
static int read_into(sf_imageset **set, const char *path, sf_map **m) {
  *set = sf_imageset_create();
  cr_assert_not_null(*set);
  return sf_io_npy_read_map(path, *set, "M", m);
}

/* Expect reading `path` to fail with `status` and a message naming the file
   and containing `reason`; the set must stay empty. */
static void expect_read_error(const char *path, int status, const char *reason) {
  sf_imageset *set;
  sf_map *m = NULL;
  sf_error_clear();
  int got = read_into(&set, path, &m);
  const char *msg = sf_error_message();
  cr_assert_eq(got, status, "status %d (%s), expected %d; message: %s", got, sf_strerror(got),
               status, msg);
  cr_assert_not_null(strstr(msg, path), "message does not name the file: %s", msg);
  cr_assert_not_null(strstr(msg, reason), "message lacks '%s': %s", reason, msg);
  cr_assert_eq(set->count, 0u, "a failed read left a map in the set");
  cr_assert_null(m);
  sf_imageset_destroy(set);
}

/* ---------------------------------------------------------------- round trips */

Test(npy, round_trip_f4_image_keeps_values_shape_and_dtype) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, "A", SF_F32, 5, 3, 1, &m), SF_OK);
  for (size_t iy = 0; iy < 3; ++iy)
    for (size_t ix = 0; ix < 5; ++ix)
      sf_map_set(m, ix, iy, 0, 10.0 * (double)iy + (double)ix + 0.25);
  sf_map_set(m, 4, 2, 0, -1.5e-30); /* a value far from the others */
  const char *path = sf_test_path("a.npy");
  cr_assert_eq(sf_io_npy_write_map(m, path, 0), SF_OK, "%s", sf_error_message());

  sf_npy_info info;
  cr_assert_eq(sf_io_npy_info(path, &info), SF_OK, "%s", sf_error_message());
  cr_assert_eq(info.version_major, 1);
  cr_assert_str_eq(info.descr, "<f4");
  cr_assert_eq(info.fortran_order, 0);
  cr_assert_eq(info.rank, 2);
  cr_assert_eq(info.shape[0], 3u); /* numpy shape (ny, nx) */
  cr_assert_eq(info.shape[1], 5u);
  cr_assert_eq(info.data_offset % 64, 0u, "data start at %zu, not a multiple of 64",
               info.data_offset);
  cr_assert_eq(info.data_bytes, 15u * 4u);

  sf_map *r;
  cr_assert_eq(sf_io_npy_read_map(path, set, "B", &r), SF_OK, "%s", sf_error_message());
  cr_assert_eq(r->dtype, SF_F32);
  cr_assert_eq(r->nx, 5u);
  cr_assert_eq(r->ny, 3u);
  cr_assert_eq(r->nz, 1u);
  cr_assert_eq(memcmp(r->data, m->data, 15 * sizeof(float)), 0, "float32 data differ");
  cr_assert_eq(sf_map_get(r, 2, 1, 0), 12.25);
  cr_assert_eq(sf_imageset_find(set, "B"), r);
  sf_imageset_destroy(set);
}

Test(npy, round_trip_f8_cube_is_bit_exact_with_nan_and_inf) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, "C", SF_F64, 4, 3, 2, &m), SF_OK);
  for (size_t iy = 0; iy < 3; ++iy)
    for (size_t ix = 0; ix < 4; ++ix)
      for (size_t iz = 0; iz < 2; ++iz)
        sf_map_set(m, ix, iy, iz, 1.0 / 3.0 + 100.0 * (double)iy + 10.0 * (double)ix +
                                      (double)iz);
  sf_map_set(m, 0, 0, 1, NAN);
  sf_map_set(m, 3, 2, 0, -INFINITY);
  const char *path = sf_test_path("c.npy");
  cr_assert_eq(sf_io_npy_write_map(m, path, 0), SF_OK, "%s", sf_error_message());

  sf_npy_info info;
  cr_assert_eq(sf_io_npy_info(path, &info), SF_OK);
  cr_assert_str_eq(info.descr, "<f8");
  cr_assert_eq(info.rank, 3);
  cr_assert_eq(info.shape[0], 3u);
  cr_assert_eq(info.shape[1], 4u);
  cr_assert_eq(info.shape[2], 2u);

  sf_map *r;
  cr_assert_eq(sf_io_npy_read_map(path, set, "D", &r), SF_OK, "%s", sf_error_message());
  cr_assert_eq(r->dtype, SF_F64);
  cr_assert_eq(r->nx, 4u);
  cr_assert_eq(r->ny, 3u);
  cr_assert_eq(r->nz, 2u);
  cr_assert_eq(memcmp(r->data, m->data, 24 * sizeof(double)), 0, "float64 data differ");
  cr_assert(isnan(sf_map_get(r, 0, 0, 1)));
  cr_assert(isinf(sf_map_get(r, 3, 2, 0)) && sf_map_get(r, 3, 2, 0) < 0);
  cr_assert_eq(sf_map_get(r, 2, 1, 1), 1.0 / 3.0 + 100.0 + 20.0 + 1.0);
  sf_imageset_destroy(set);
}

Test(npy, writer_header_is_numpy_text_and_refuses_overwrite) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(set, "A", SF_F64, 2, 7, 1, &m), SF_OK);
  const char *path = sf_test_path("w.npy");
  cr_assert_eq(sf_io_npy_write_map(m, path, 0), SF_OK);
  FILE *fp = fopen(path, "rb");
  unsigned char head[256];
  size_t n = fread(head, 1, sizeof head, fp);
  fclose(fp);
  /* As numpy.save writes it: 10-byte preamble, 118-byte padded dict, 112 data bytes. */
  cr_assert_eq(n, 240u, "file has %zu bytes, expected 240 (128 header + 112 data)", n);
  cr_assert_eq(memcmp(head, "\x93NUMPY\x01\x00", 8), 0);
  size_t header_len = head[8] | (size_t)head[9] << 8;
  cr_assert_eq(header_len, 118u);
  const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (7, 2), }";
  cr_assert_eq(memcmp(head + 10, dict, strlen(dict)), 0, "header text differs");
  cr_assert_eq(head[127], '\n');
  for (size_t k = 10 + strlen(dict); k < 127; ++k)
    cr_assert_eq(head[k], ' ', "padding byte %zu is not a space", k);

  sf_map_set(m, 1, 6, 0, 42.0);
  sf_error_clear();
  cr_assert_eq(sf_io_npy_write_map(m, path, 0), SF_EEXIST);
  cr_assert_not_null(strstr(sf_error_message(), path));
  sf_map *r;
  cr_assert_eq(sf_io_npy_read_map(path, set, "old", &r), SF_OK);
  cr_assert_eq(sf_map_get(r, 1, 6, 0), 0.0, "refused write changed the file");
  cr_assert_eq(sf_io_npy_write_map(m, path, 1), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_io_npy_read_map(path, set, "new", &r), SF_OK);
  cr_assert_eq(sf_map_get(r, 1, 6, 0), 42.0);
  sf_imageset_destroy(set);
}

/* ---------------------------------------------------------------- hand-built files */

Test(npy, fortran_order_gives_the_same_map_as_c_order) {
  /* a[i][j] = 10 i + j, numpy shape (2, 3): ny = 2, nx = 3. */
  unsigned char c_order[6 * 8], f_order[6 * 8];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      put_f64(c_order + 8 * (i * 3 + j), 10.0 * i + j, 0);
      put_f64(f_order + 8 * (j * 2 + i), 10.0 * i + j, 0);
    }
  const char *pc = make_npy("c.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                            "'shape': (2, 3), }", c_order, sizeof c_order);
  const char *pf = make_npy("f.npy", 1, "{'descr': '<f8', 'fortran_order': True, "
                            "'shape': (2, 3), }", f_order, sizeof f_order);
  sf_imageset *set = sf_imageset_create();
  sf_map *mc, *mf;
  cr_assert_eq(sf_io_npy_read_map(pc, set, "c", &mc), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_io_npy_read_map(pf, set, "f", &mf), SF_OK, "%s", sf_error_message());
  cr_assert_eq(mc->nx, 3u);
  cr_assert_eq(mc->ny, 2u);
  cr_assert_eq(mf->nx, 3u);
  cr_assert_eq(mf->ny, 2u);
  for (size_t iy = 0; iy < 2; ++iy)
    for (size_t ix = 0; ix < 3; ++ix) {
      cr_assert_eq(sf_map_get(mc, ix, iy, 0), 10.0 * (double)iy + (double)ix);
      cr_assert_eq(sf_map_get(mf, ix, iy, 0), 10.0 * (double)iy + (double)ix,
                   "Fortran-order pixel (%zu, %zu)", ix, iy);
    }
  sf_imageset_destroy(set);
}

Test(npy, fortran_order_cube_of_int32_matches_c_order) {
  /* a[i][j][k] = 100 i + 10 j + k - 50, shape (2, 3, 4). */
  unsigned char c_order[24 * 4], f_order[24 * 4];
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) {
        uint64_t v = (uint64_t)(int64_t)(100 * i + 10 * j + k - 50);
        put_uint(c_order + 4 * ((i * 3 + j) * 4 + k), v, 4, 0);
        put_uint(f_order + 4 * (i + 2 * (j + 3 * k)), v, 4, 0);
      }
  const char *pc = make_npy("c3.npy", 1, "{'descr': '<i4', 'fortran_order': False, "
                            "'shape': (2, 3, 4)}", c_order, sizeof c_order);
  const char *pf = make_npy("f3.npy", 1, "{\"shape\": (2, 3, 4), \"fortran_order\": True, "
                            "\"descr\": \"<i4\"}", f_order, sizeof f_order);
  sf_imageset *set = sf_imageset_create();
  sf_map *mc, *mf;
  cr_assert_eq(sf_io_npy_read_map(pc, set, "c", &mc), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_io_npy_read_map(pf, set, "f", &mf), SF_OK, "%s", sf_error_message());
  cr_assert_eq(mf->dtype, SF_F64);
  cr_assert_eq(mf->nx, 3u);
  cr_assert_eq(mf->ny, 2u);
  cr_assert_eq(mf->nz, 4u);
  for (size_t iy = 0; iy < 2; ++iy)
    for (size_t ix = 0; ix < 3; ++ix)
      for (size_t iz = 0; iz < 4; ++iz) {
        double want = 100.0 * (double)iy + 10.0 * (double)ix + (double)iz - 50.0;
        cr_assert_eq(sf_map_get(mc, ix, iy, iz), want);
        cr_assert_eq(sf_map_get(mf, ix, iy, iz), want, "(%zu, %zu, %zu)", ix, iy, iz);
      }
  sf_imageset_destroy(set);
}

Test(npy, versions_2_and_3_headers_are_read) {
  unsigned char data[4 * 8];
  for (int k = 0; k < 4; ++k)
    put_f64(data + 8 * k, 0.5 * k, 0);
  const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  const char *p2 = make_npy("v2.npy", 2, dict, data, sizeof data);
  const char *p3 = make_npy("v3.npy", 3, dict, data, sizeof data);
  sf_npy_info info;
  cr_assert_eq(sf_io_npy_info(p2, &info), SF_OK, "%s", sf_error_message());
  cr_assert_eq(info.version_major, 2);
  cr_assert_eq(info.data_offset, 128u); /* 12-byte preamble + 60-byte dict, padded */
  cr_assert_eq(sf_io_npy_info(p3, &info), SF_OK, "%s", sf_error_message());
  cr_assert_eq(info.version_major, 3);
  sf_imageset *set = sf_imageset_create();
  sf_map *m2, *m3;
  cr_assert_eq(sf_io_npy_read_map(p2, set, "v2", &m2), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_io_npy_read_map(p3, set, "v3", &m3), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_map_get(m2, 1, 1, 0), 1.5);
  cr_assert_eq(sf_map_get(m3, 0, 1, 0), 1.0);
  sf_imageset_destroy(set);
}

/* One integer dtype: six values (shape (2, 3)) including both extremes. */
typedef struct int_case {
  const char *descr;
  size_t size;
  int is_signed;
  int64_t values[6];
} int_case;

Test(npy, every_integer_dtype_decodes_with_its_extremes) {
  static const int_case cases[] = {
      {"<i1", 1, 1, {INT8_MIN, INT8_MAX, -1, 0, 5, 100}},
      {"|i1", 1, 1, {INT8_MIN, INT8_MAX, -2, 1, 7, -100}},
      {"<i2", 2, 1, {INT16_MIN, INT16_MAX, -1, 0, 300, -300}},
      {"<i4", 4, 1, {INT32_MIN, INT32_MAX, -1, 0, 70000, -70000}},
      {"<i8", 8, 1, {INT64_MIN, INT64_MAX, -1, 0, (int64_t)1 << 53, -((int64_t)1 << 40)}},
      {"<u1", 1, 0, {0, UINT8_MAX, 1, 2, 128, 127}},
      {"|u1", 1, 0, {0, UINT8_MAX, 3, 4, 200, 17}},
      {"<u2", 2, 0, {0, UINT16_MAX, 1, 256, 32768, 1000}},
      {"<u4", 4, 0, {0, (int64_t)UINT32_MAX, 1, 65536, (int64_t)1 << 31, 123456789}},
      {"<u8", 8, 0, {0, -1 /* UINT64_MAX */, 1, (int64_t)1 << 53, INT64_MIN /* 2^63 */,
                     987654321}},
  };
  sf_imageset *set = sf_imageset_create();
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
    const int_case *t = &cases[c];
    unsigned char data[6 * 8];
    for (int k = 0; k < 6; ++k)
      put_uint(data + t->size * (size_t)k, (uint64_t)t->values[k], t->size, 0);
    char dict[128], name[32], file[32];
    snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (2, 3), }",
             t->descr);
    snprintf(name, sizeof name, "m%zu", c);
    snprintf(file, sizeof file, "int%zu.npy", c);
    const char *path = make_npy(file, 1, dict, data, 6 * t->size);
    sf_map *m;
    cr_assert_eq(sf_io_npy_read_map(path, set, name, &m), SF_OK, "%s: %s", t->descr,
                 sf_error_message());
    cr_assert_eq(m->dtype, SF_F64, "%s should give a float64 map", t->descr);
    for (int k = 0; k < 6; ++k) {
      double want = t->is_signed ? (double)t->values[k] : (double)(uint64_t)t->values[k];
      cr_assert_eq(sf_map_get(m, (size_t)k % 3, (size_t)k / 3, 0), want, "%s element %d: %.17g",
                   t->descr, k, sf_map_get(m, (size_t)k % 3, (size_t)k / 3, 0));
    }
  }
  /* Spot checks of the expected numbers themselves. */
  cr_assert_eq(sf_map_get(sf_imageset_find(set, "m0"), 0, 0, 0), -128.0);
  cr_assert_eq(sf_map_get(sf_imageset_find(set, "m4"), 0, 0, 0), -9223372036854775808.0);
  cr_assert_eq(sf_map_get(sf_imageset_find(set, "m9"), 1, 0, 0), 18446744073709551615.0);
  sf_imageset_destroy(set);
}

Test(npy, bool_and_float32_dtypes) {
  unsigned char b[4] = {0, 1, 1, 0};
  const char *pb = make_npy("b.npy", 1, "{'descr': '|b1', 'fortran_order': False, "
                            "'shape': (2, 2), }", b, sizeof b);
  float f[4] = {1.5f, -2.25f, 3.0e-38f, 1.0e38f};
  unsigned char fb[16];
  for (int k = 0; k < 4; ++k) {
    uint32_t u;
    memcpy(&u, &f[k], 4);
    put_uint(fb + 4 * k, u, 4, 0);
  }
  const char *pf = make_npy("f4.npy", 1, "{'descr': '<f4', 'fortran_order': False, "
                            "'shape': (1, 4), }", fb, sizeof fb);
  sf_imageset *set = sf_imageset_create();
  sf_map *mb, *mf;
  cr_assert_eq(sf_io_npy_read_map(pb, set, "b", &mb), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_map_get(mb, 0, 0, 0), 0.0);
  cr_assert_eq(sf_map_get(mb, 1, 0, 0), 1.0);
  cr_assert_eq(sf_map_get(mb, 0, 1, 0), 1.0);
  cr_assert_eq(sf_io_npy_read_map(pf, set, "f", &mf), SF_OK, "%s", sf_error_message());
  cr_assert_eq(mf->dtype, SF_F32);
  cr_assert_eq(mf->nx, 4u);
  cr_assert_eq(mf->ny, 1u);
  for (int k = 0; k < 4; ++k)
    cr_assert_eq(((float *)mf->data)[k], f[k]);
  sf_imageset_destroy(set);
}

Test(npy, big_endian_files_are_byte_swapped) {
  unsigned char le[4 * 8], be[4 * 8], le2[4 * 2], be2[4 * 2];
  const double v[4] = {-1.0 / 7.0, 2.5e100, 0.0, 6.02214076e23};
  const int16_t w[4] = {-32768, 32767, -2, 258};
  for (int k = 0; k < 4; ++k) {
    put_f64(le + 8 * k, v[k], 0);
    put_f64(be + 8 * k, v[k], 1);
    put_uint(le2 + 2 * k, (uint64_t)(int64_t)w[k], 2, 0);
    put_uint(be2 + 2 * k, (uint64_t)(int64_t)w[k], 2, 1);
  }
  const char *pl = make_npy("le.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                            "'shape': (2, 2), }", le, sizeof le);
  const char *pb = make_npy("be.npy", 1, "{'descr': '>f8', 'fortran_order': False, "
                            "'shape': (2, 2), }", be, sizeof be);
  const char *pb2 = make_npy("be2.npy", 1, "{'descr': '>i2', 'fortran_order': False, "
                             "'shape': (2, 2), }", be2, sizeof be2);
  const char *pl2 = make_npy("le2.npy", 1, "{'descr': '<i2', 'fortran_order': False, "
                             "'shape': (2, 2), }", le2, sizeof le2);
  sf_imageset *set = sf_imageset_create();
  sf_map *ml, *mb, *ml2, *mb2;
  cr_assert_eq(sf_io_npy_read_map(pl, set, "le", &ml), SF_OK);
  cr_assert_eq(sf_io_npy_read_map(pb, set, "be", &mb), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_io_npy_read_map(pl2, set, "le2", &ml2), SF_OK);
  cr_assert_eq(sf_io_npy_read_map(pb2, set, "be2", &mb2), SF_OK, "%s", sf_error_message());
  for (int k = 0; k < 4; ++k) {
    cr_assert_eq(sf_map_get(mb, (size_t)k % 2, (size_t)k / 2, 0), v[k]);
    cr_assert_eq(sf_map_get(ml, (size_t)k % 2, (size_t)k / 2, 0), v[k]);
    cr_assert_eq(sf_map_get(mb2, (size_t)k % 2, (size_t)k / 2, 0), (double)w[k]);
    cr_assert_eq(sf_map_get(ml2, (size_t)k % 2, (size_t)k / 2, 0), (double)w[k]);
  }
  sf_imageset_destroy(set);
}

Test(npy, python2_long_suffix_and_tight_spacing_are_accepted) {
  unsigned char data[2 * 8];
  put_f64(data, 3.0, 0);
  put_f64(data + 8, 4.0, 0);
  const char *p = make_npy("py2.npy", 1, "{'descr':'<f8','fortran_order':False,"
                           "'shape':(1L,2L)}", data, sizeof data);
  sf_imageset *set;
  sf_map *m;
  cr_assert_eq(read_into(&set, p, &m), SF_OK, "%s", sf_error_message());
  cr_assert_eq(m->nx, 2u);
  cr_assert_eq(sf_map_get(m, 1, 0, 0), 4.0);
  sf_imageset_destroy(set);
}

/* ---------------------------------------------------------------- errors */

static const unsigned char six_doubles[48];

Test(npy, wrong_magic_is_rejected) {
  const char *p = sf_test_path("magic.npy");
  write_bytes(p, "\x93NUMPX\x01\x00\x00\x00", 10);
  expect_read_error(p, SF_EFORMAT, "not an NPY file");
  const char *q = sf_test_path("short.npy");
  write_bytes(q, "\x93NU", 3);
  expect_read_error(q, SF_EFORMAT, "magic");
}

Test(npy, unknown_version_is_rejected) {
  const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
  const char *p = make_npy("v4.npy", 4, dict, six_doubles, sizeof six_doubles);
  expect_read_error(p, SF_EUNSUPPORTED, "version 4.0 is not known");
  /* 1.1 is not a version either. */
  const char *q = make_npy("v11.npy", 1, dict, six_doubles, sizeof six_doubles);
  FILE *fp = fopen(q, "r+b");
  fseek(fp, 7, SEEK_SET);
  fputc(1, fp);
  fclose(fp);
  expect_read_error(q, SF_EUNSUPPORTED, "version 1.1");
}

Test(npy, header_length_past_end_of_file_is_rejected) {
  unsigned char b[40];
  memset(b, ' ', sizeof b);
  memcpy(b, "\x93NUMPY\x01\x00", 8);
  b[8] = 0x00; /* header length 0x1000 = 4096 bytes, file 40 bytes */
  b[9] = 0x10;
  const char *p = sf_test_path("hlen.npy");
  write_bytes(p, b, sizeof b);
  expect_read_error(p, SF_EFORMAT, "header length 4096 runs past the end of the file");
  /* A file that stops inside the preamble. */
  const char *q = sf_test_path("pre.npy");
  write_bytes(q, "\x93NUMPY\x02\x00\x10", 9);
  expect_read_error(q, SF_EFORMAT, "preamble");
}

Test(npy, missing_keys_are_named) {
  expect_read_error(make_npy("k1.npy", 1, "{'fortran_order': False, 'shape': (2, 3), }",
                             six_doubles, 48),
                    SF_EFORMAT, "missing key 'descr'");
  expect_read_error(make_npy("k2.npy", 1, "{'descr': '<f8', 'shape': (2, 3), }", six_doubles,
                             48),
                    SF_EFORMAT, "missing key 'fortran_order'");
  expect_read_error(make_npy("k3.npy", 1, "{'descr': '<f8', 'fortran_order': False, }",
                             six_doubles, 48),
                    SF_EFORMAT, "missing key 'shape'");
}

Test(npy, malformed_dicts_are_rejected_with_reasons) {
  expect_read_error(make_npy("d1.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (2, 3), 'extra': 1}", six_doubles, 48),
                    SF_EFORMAT, "unexpected key 'extra'");
  expect_read_error(make_npy("d2.npy", 1, "{'descr': '<f8', 'descr': '<f8', "
                             "'fortran_order': False, 'shape': (2, 3)}", six_doubles, 48),
                    SF_EFORMAT, "key 'descr' appears twice");
  expect_read_error(make_npy("d3.npy", 1, "{'descr': '<f8', 'fortran_order': 0, "
                             "'shape': (2, 3)}", six_doubles, 48),
                    SF_EFORMAT, "True or False");
  expect_read_error(make_npy("d4.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (6)}", six_doubles, 48),
                    SF_EFORMAT, "not a tuple");
  expect_read_error(make_npy("d5.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': [2, 3]}", six_doubles, 48),
                    SF_EFORMAT, "shape tuple");
  expect_read_error(make_npy("d6.npy", 1, "['descr', '<f8']", six_doubles, 48), SF_EFORMAT,
                    "expected '{'");
  expect_read_error(make_npy("d7.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (2, 3)} x", six_doubles, 48),
                    SF_EFORMAT, "unexpected text after the header dict");
  expect_read_error(make_npy("d8.npy", 1, "{'descr': '<f8, 'fortran_order': False, "
                             "'shape': (2, 3)}", six_doubles, 48),
                    SF_EFORMAT, "expected ',' or '}'");
  expect_read_error(make_npy("d9.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (2, -3)}", six_doubles, 48),
                    SF_EFORMAT, "non-negative integer");
}

Test(npy, unsupported_dtypes_are_named) {
  expect_read_error(make_npy("t1.npy", 1, "{'descr': '<c8', 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "dtype '<c8' (complex) is not supported");
  expect_read_error(make_npy("t2.npy", 1, "{'descr': '|O', 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "dtype '|O' (Python object)");
  expect_read_error(make_npy("t3.npy", 1, "{'descr': '<U3', 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "dtype '<U3' (unicode string)");
  expect_read_error(make_npy("t4.npy", 1, "{'descr': '<f2', 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 12),
                    SF_EUNSUPPORTED, "dtype '<f2' (floating point)");
  expect_read_error(make_npy("t5.npy", 1, "{'descr': '=f8', 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "native byte order");
  expect_read_error(make_npy("t6.npy", 1, "{'descr': '|f8', 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "only valid for 1-byte types");
  expect_read_error(make_npy("t7.npy", 1, "{'descr': [('x', '<f8')], 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "structured dtype");
}

Test(npy, data_size_must_match_the_shape) {
  expect_read_error(make_npy("s1.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (2, 3), }", six_doubles, 40),
                    SF_EFORMAT, "shape (2, 3) of <f8 needs 48 bytes of data but the file "
                                "holds 40 (truncated)");
  expect_read_error(make_npy("s2.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (2, 2), }", six_doubles, 48),
                    SF_EFORMAT, "(trailing bytes)");
  expect_read_error(make_npy("s3.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (99999999999, 99999999999, 99999999999), }",
                             six_doubles, 48),
                    SF_EFORMAT, "overflows");
}

Test(npy, rank_must_be_2_or_3) {
  expect_read_error(make_npy("r1.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (6,), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "array of rank 1");
  expect_read_error(make_npy("r4.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (1, 2, 3, 1), }", six_doubles, 48),
                    SF_EUNSUPPORTED, "array of rank 4");
  expect_read_error(make_npy("r0.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (), }", six_doubles, 8),
                    SF_EUNSUPPORTED, "array of rank 0");
  expect_read_error(make_npy("rz.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                             "'shape': (0, 3), }", six_doubles, 0),
                    SF_EINVAL, "axis 0 of the array has length 0");
  /* The header itself is fine: sf_io_npy_info accepts any rank. */
  sf_npy_info info;
  cr_assert_eq(sf_io_npy_info(sf_test_path("r1.npy"), &info), SF_OK);
  cr_assert_eq(info.rank, 1);
  cr_assert_eq(info.shape[0], 6u);
}

Test(npy, missing_file_and_bad_map_names) {
  expect_read_error(sf_test_path("absent.npy"), SF_ENOENT, "cannot open");
  const char *p = make_npy("ok.npy", 1, "{'descr': '<f8', 'fortran_order': False, "
                           "'shape': (2, 3), }", six_doubles, 48);
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_io_npy_read_map(p, set, "A", NULL), SF_OK);
  sf_error_clear();
  cr_assert_eq(sf_io_npy_read_map(p, set, "A", NULL), SF_EINVAL);
  cr_assert_not_null(strstr(sf_error_message(), "'A' is already in the image set"), "%s",
                     sf_error_message());
  cr_assert_eq(sf_io_npy_read_map(p, set, "bad name", NULL), SF_EINVAL);
  cr_assert_eq(set->count, 1u);
  sf_imageset_destroy(set);
}
