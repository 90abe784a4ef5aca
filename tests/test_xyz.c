/* XYZ structure files: Kirkland (and Prismatic's comma variant) and extended
   XYZ reading, exact write-read round trips, and every error path with the
   file and line in the message. */
#include "core/sf_status.h"
#include "io/sf_xyz.h"
#include "sim/sf_structure.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values read from text equal the decimal literal to double rounding. */
#define TOL_PARSE 1e-15

static sf_structure *read_ok(const char *fixture, sf_xyz_format fmt, char *comment, size_t n) {
  sf_structure *s = NULL;
  const char *path = sf_test_source_path(fixture);
  int status = sf_io_xyz_read(path, fmt, &s, comment, n);
  cr_assert_eq(status, SF_OK, "%s: %s", fixture, sf_error_message());
  cr_assert_not_null(s);
  return s;
}

/* The read fails with `status` and the message names the file and line. */
static void read_fails(const char *fixture, int status, const char *file_line, const char *what) {
  sf_structure *s = NULL;
  const char *path = sf_test_source_path(fixture);
  int got = sf_io_xyz_read(path, SF_XYZ_AUTO, &s, NULL, 0);
  cr_assert_eq(got, status, "%s: status %d (%s), expected %d", fixture, got, sf_error_message(),
               status);
  cr_assert_null(s);
  const char *msg = sf_error_message();
  cr_assert(strstr(msg, file_line), "%s: message '%s' lacks '%s'", fixture, msg, file_line);
  cr_assert(strstr(msg, what), "%s: message '%s' lacks '%s'", fixture, msg, what);
}

Test(xyz, kirkland_fixture) {
  char comment[128];
  sf_structure *s = read_ok("tests/data/xyz_kirkland_sto.xyz", SF_XYZ_AUTO, comment,
                            sizeof comment);
  cr_assert_str_eq(comment, "SrTiO3 [001] unit cell, a = 3.9053 A (Kirkland XYZ fixture)");
  cr_assert_eq(s->count, 5);
  for (int k = 0; k < 3; ++k)
    cr_assert_float_eq(s->cell_A[k], 3.9053, TOL_PARSE);
  cr_assert_eq(s->Z[0], 38);
  cr_assert_eq(s->Z[1], 22);
  cr_assert_eq(sf_structure_count_Z(s, 8), 3);
  cr_assert_float_eq(s->x_A[1], 1.95265, TOL_PARSE);
  cr_assert_float_eq(s->z_A[3], 1.95265, TOL_PARSE);
  cr_assert_float_eq(s->occupancy[4], 0.5, TOL_PARSE);
  cr_assert_float_eq(s->u_rms_A[0], 0.0835, TOL_PARSE);
  cr_assert_float_eq(s->u_rms_A[2], 0.0872, TOL_PARSE);
  cr_assert_eq(s->tag[0], -1);
  sf_structure_destroy(s);
}

Test(xyz, prismatic_commas) {
  sf_structure *s = read_ok("tests/data/xyz_prismatic_commas.xyz", SF_XYZ_KIRKLAND, NULL, 0);
  cr_assert_eq(s->count, 2);
  cr_assert_float_eq(s->cell_A[1], 5.43, TOL_PARSE);
  cr_assert_eq(s->Z[1], 14);
  cr_assert_float_eq(s->y_A[1], 1.3575, TOL_PARSE);
  cr_assert_float_eq(s->u_rms_A[1], 0.076, TOL_PARSE);
  sf_structure_destroy(s);
}

/* Decision: a missing -1 ends the list at the end of the file; blank lines
   between atoms are skipped. */
Test(xyz, missing_terminator_is_accepted) {
  sf_structure *s = read_ok("tests/data/xyz_no_terminator.xyz", SF_XYZ_AUTO, NULL, 0);
  cr_assert_eq(s->count, 2);
  cr_assert_eq(s->Z[0], 79);
  cr_assert_float_eq(s->y_A[1], 2.039125, TOL_PARSE);
  sf_structure_destroy(s);
}

Test(xyz, kirkland_errors_name_file_and_line) {
  read_fails("tests/data/xyz_bad_line.xyz", SF_EFORMAT, "xyz_bad_line.xyz:5:",
             "expected 6 values");
  read_fails("tests/data/xyz_bad_element.xyz", SF_EFORMAT, "xyz_bad_element.xyz:4:",
             "unknown element Z = 0");
  read_fails("tests/data/xyz_bad_occupancy.xyz", SF_ERANGE, "xyz_bad_occupancy.xyz:5:",
             "occupancy 1.2 outside [0, 1]");
  read_fails("tests/data/xyz_negative_rms.xyz", SF_ERANGE, "xyz_negative_rms.xyz:3:",
             "negative rms displacement");
}

Test(xyz, more_kirkland_errors) {
  const char *p = sf_test_write_text("sym.xyz", "c\n4 4 4\n8 0 0 0 1 0\nQq 1 1 1 1 0\n-1\n");
  sf_structure *s = NULL;
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "sym.xyz:4"), "%s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "'Qq'"), "%s", sf_error_message());
  /* A symbol in the Z column is accepted. */
  p = sf_test_write_text("symok.xyz", "c\n4 4 4\nSr 0 0 0 1 0\n-1\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_OK, "%s", sf_error_message());
  cr_assert_eq(s->Z[0], 38);
  sf_structure_destroy(s);
  s = NULL;
  p = sf_test_write_text("num.xyz", "c\n4 4 4\n8 0 0 0 1 0\n8 0.5 abc 0 1 0\n-1\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "num.xyz:4: y 'abc' is not a finite number"), "%s",
            sf_error_message());
  p = sf_test_write_text("cell.xyz", "c\n4 4\n8 0 0 0 1 0\n-1\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "cell.xyz:2: malformed cell line"), "%s",
            sf_error_message());
  p = sf_test_write_text("negcell.xyz", "c\n4 -4 4\n8 0 0 0 1 0\n-1\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "negcell.xyz:2: cell length b = -4"), "%s",
            sf_error_message());
  p = sf_test_write_text("empty.xyz", "c\n4 4 4\n-1\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "empty.xyz:3: no atoms"), "%s", sf_error_message());
  cr_assert_eq(sf_io_xyz_read(sf_test_path("absent.xyz"), SF_XYZ_AUTO, &s, NULL, 0), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "absent.xyz"), "%s", sf_error_message());
  cr_assert_null(s);
}

Test(xyz, extended_ase_with_extra_columns) {
  char comment[128];
  sf_structure *s = read_ok("tests/data/xyz_ext_ase.xyz", SF_XYZ_AUTO, comment, sizeof comment);
  cr_assert_str_eq(comment, "ASE style, with forces");
  cr_assert_eq(s->count, 3);
  cr_assert_float_eq(s->cell_A[0], 5.0, TOL_PARSE);
  cr_assert_float_eq(s->cell_A[1], 6.0, TOL_PARSE);
  cr_assert_float_eq(s->cell_A[2], 7.0, TOL_PARSE);
  cr_assert_eq(s->Z[0], 30);
  cr_assert_eq(s->Z[1], 16);
  cr_assert_eq(s->Z[2], 8);
  /* Columns after the 3 skipped force components. */
  cr_assert_float_eq(s->x_A[1], 1.25, TOL_PARSE);
  cr_assert_float_eq(s->z_A[2], 3.5, TOL_PARSE);
  cr_assert_float_eq(s->occupancy[1], 0.9, TOL_PARSE);
  cr_assert_float_eq(s->u_rms_A[0], 0.0894, TOL_PARSE);
  cr_assert_float_eq(s->u_rms_A[2], 0.0835, TOL_PARSE);
  sf_structure_destroy(s);
}

Test(xyz, extended_default_properties) {
  sf_structure *s = read_ok("tests/data/xyz_ext_default_props.xyz", SF_XYZ_AUTO, NULL, 0);
  cr_assert_eq(s->count, 2);
  cr_assert_eq(s->Z[1], 14);
  cr_assert_float_eq(s->cell_A[2], 5.431020511, TOL_PARSE);
  cr_assert_float_eq(s->occupancy[0], 1.0, TOL_PARSE);
  cr_assert_float_eq(s->u_rms_A[1], 0.0, TOL_PARSE);
  cr_assert_float_eq(s->z_A[1], 1.35775513, TOL_PARSE);
  sf_structure_destroy(s);
}

Test(xyz, extended_errors_name_file_and_line) {
  read_fails("tests/data/xyz_ext_count_mismatch.xyz", SF_EFORMAT, "xyz_ext_count_mismatch.xyz:4:",
             "atom count mismatch: the header says 3 atoms");
  read_fails("tests/data/xyz_ext_nonorthogonal.xyz", SF_EUNSUPPORTED,
             "xyz_ext_nonorthogonal.xyz:2:", "non-orthogonal cell");
  read_fails("tests/data/xyz_ext_bad_symbol.xyz", SF_EFORMAT, "xyz_ext_bad_symbol.xyz:4",
             "unknown element symbol 'Xx'");
  /* More atom lines than the header announces. */
  const char *p = sf_test_write_text(
      "extra.xyz", "1\nLattice=\"4 0 0 0 4 0 0 0 4\" Properties=species:S:1:pos:R:3\n"
                   "O 0 0 0\nO 1 1 1\n");
  sf_structure *s = NULL;
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "extra.xyz:4: atom count mismatch"), "%s",
            sf_error_message());
  /* A second frame is not an error: the first one is read. */
  p = sf_test_write_text("frames.xyz",
                         "1\nLattice=\"4 0 0 0 4 0 0 0 4\"\nO 0 0 0\n"
                         "1\nLattice=\"4 0 0 0 4 0 0 0 4\"\nO 1 1 1\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_OK, "%s", sf_error_message());
  cr_assert_eq(s->count, 1);
  cr_assert_float_eq(s->x_A[0], 0.0, TOL_PARSE);
  sf_structure_destroy(s);
  s = NULL;
  p = sf_test_write_text("nolat.xyz", "1\nProperties=species:S:1:pos:R:3\nO 0 0 0\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "nolat.xyz:2: no Lattice="), "%s", sf_error_message());
  p = sf_test_write_text("occ.xyz", "1\nLattice=\"4 0 0 0 4 0 0 0 4\" "
                                    "Properties=species:S:1:pos:R:3:occupancy:R:1\nO 0 0 0 -0.5\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "occ.xyz:3: occupancy -0.5 outside [0, 1]"), "%s",
            sf_error_message());
  p = sf_test_write_text("cols.xyz", "1\nLattice=\"4 0 0 0 4 0 0 0 4\"\nO 0 0\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "cols.xyz:3: malformed atom line"), "%s",
            sf_error_message());
  /* A plain XYZ (count, comment, atoms) has no cell: the message says so. */
  p = sf_test_write_text("plain.xyz", "1\nwater oxygen\nO 0 0 0\n");
  cr_assert_eq(sf_io_xyz_read(p, SF_XYZ_AUTO, &s, NULL, 0), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "plain.xyz:2:"), "%s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "Lattice"), "%s", sf_error_message());
  cr_assert_null(s);
}

/* Awkward values (thirds, tiny and large magnitudes) survive a write-read
   cycle bit for bit in both formats. */
Test(xyz, round_trip_is_exact) {
  sf_structure *s = NULL;
  cr_assert_eq(sf_structure_create(10.0 / 3.0, 7.123456789012345, 12.5, &s), SF_OK);
  cr_assert_eq(sf_structure_append(s, 38, 0.1, 0.2, 0.3, 1.0, 0.0835), SF_OK);
  cr_assert_eq(sf_structure_append(s, 8, 1.0 / 3.0, 2.0 / 3.0, 1e-17, 0.9, sqrt(0.5) / 10),
               SF_OK);
  cr_assert_eq(sf_structure_append(s, 79, 3.3333333333333335, -0.0, 12.499999999999998, 0.123,
                                   0.0),
               SF_OK);
  cr_assert_eq(sf_structure_append(s, 1, 1e-300, 6.02214076e23, 5.0, 0.0, 1.0), SF_OK);
  for (int fmt = SF_XYZ_KIRKLAND; fmt <= SF_XYZ_EXTENDED; ++fmt) {
    const char *path = sf_test_path(fmt == SF_XYZ_KIRKLAND ? "rt_k.xyz" : "rt_e.xyz");
    cr_assert_eq(sf_io_xyz_write(s, path, (sf_xyz_format)fmt, "round\ntrip \"test\"", 0), SF_OK,
                 "%s", sf_error_message());
    sf_structure *t = NULL;
    char comment[64];
    cr_assert_eq(sf_io_xyz_read(path, SF_XYZ_AUTO, &t, comment, sizeof comment), SF_OK, "%s",
                 sf_error_message());
    cr_assert_str_eq(comment, fmt == SF_XYZ_KIRKLAND ? "round trip \"test\"" : "round trip 'test'");
    cr_assert_eq(t->count, s->count);
    for (int k = 0; k < 3; ++k)
      cr_assert(t->cell_A[k] == s->cell_A[k], "cell %d: %.17g vs %.17g", k, t->cell_A[k],
                s->cell_A[k]);
    for (size_t i = 0; i < s->count; ++i) {
      cr_assert_eq(t->Z[i], s->Z[i]);
      cr_assert(t->x_A[i] == s->x_A[i] && t->y_A[i] == s->y_A[i] && t->z_A[i] == s->z_A[i],
                "atom %zu position differs", i);
      cr_assert(t->occupancy[i] == s->occupancy[i] && t->u_rms_A[i] == s->u_rms_A[i],
                "atom %zu occupancy/u_rms differ", i);
    }
    sf_structure_destroy(t);
    /* No overwrite without force; with force the file is replaced. */
    cr_assert_eq(sf_io_xyz_write(s, path, (sf_xyz_format)fmt, NULL, 0), SF_EEXIST);
    cr_assert(strstr(sf_error_message(), "already exists"), "%s", sf_error_message());
    cr_assert_eq(sf_io_xyz_write(s, path, (sf_xyz_format)fmt, NULL, 1), SF_OK);
  }
  sf_structure_destroy(s);
}

/* The Kirkland writer's text: comment, cell, one line per atom, -1. */
Test(xyz, kirkland_layout) {
  sf_structure *s = NULL;
  cr_assert_eq(sf_structure_create(4, 5, 6, &s), SF_OK);
  cr_assert_eq(sf_structure_append(s, 14, 0.5, 1.25, 2, 1, 0.076), SF_OK);
  const char *path = sf_test_path("layout.xyz");
  cr_assert_eq(sf_io_xyz_write(s, path, SF_XYZ_KIRKLAND, "Si atom", 0), SF_OK);
  FILE *f = fopen(path, "r");
  char text[256] = {0};
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  cr_assert_str_eq(text, "Si atom\n4 5 6\n14  0.5  1.25  2  1  0.076\n-1\n");
  sf_structure_destroy(s);
}
