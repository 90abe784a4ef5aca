/* `stemfuse structure`: the written XYZ holds the requested structure (atom
   counts, composition, cell, thermal factors, seeded substitution), the PNG
   preview has the calibrated size, outputs are never overwritten without
   --force, and bad requests fail with the right exit status and message. */
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "io/sf_xyz.h"
#include "sim/sf_structure.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL_EXACT 1e-12
#define A_STO 3.9053

static int run(const char *args, char **out) {
  char *text = NULL;
  int rc = sf_test_run_cli(args, &text);
  if (out)
    *out = text;
  else
    free(text);
  return rc;
}

static sf_structure *load(const char *path) {
  sf_structure *s = NULL;
  cr_assert_eq(sf_io_xyz_read(path, SF_XYZ_AUTO, &s, NULL, 0), SF_OK, "%s", sf_error_message());
  return s;
}

/* Width and height from a PNG's IHDR chunk. */
static void png_size(const char *path, unsigned *w, unsigned *h) {
  unsigned char head[24];
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "%s missing", path);
  cr_assert_eq(fread(head, 1, sizeof head, f), sizeof head);
  fclose(f);
  cr_assert(memcmp(head + 1, "PNG", 3) == 0 && memcmp(head + 12, "IHDR", 4) == 0);
  *w = (unsigned)head[16] << 24 | (unsigned)head[17] << 16 | (unsigned)head[18] << 8 | head[19];
  *h = (unsigned)head[20] << 24 | (unsigned)head[21] << 16 | (unsigned)head[22] << 8 | head[23];
}

Test(structure_cli, srtio3_supercell) {
  char args[1024], *out = NULL;
  const char *xyz = sf_test_path("sto.xyz");
  snprintf(args, sizeof args, "structure --crystal SrTiO3 --cells 4x4x5 --zone 001 -o '%s'", xyz);
  cr_assert_eq(run(args, &out), 0, "%s", out);
  cr_assert(strstr(out, "400 atoms"), "%s", out);
  free(out);
  sf_structure *s = load(xyz);
  cr_assert_eq(s->count, 400);
  cr_assert_eq(sf_structure_count_Z(s, 38), 80);
  cr_assert_eq(sf_structure_count_Z(s, 22), 80);
  cr_assert_eq(sf_structure_count_Z(s, 8), 240);
  cr_assert_float_eq(s->cell_A[0], 4 * A_STO, TOL_EXACT);
  cr_assert_float_eq(s->cell_A[2], 5 * A_STO, TOL_EXACT);
  /* Database default for Sr: B = 0.55 Å^2. */
  cr_assert_float_eq(s->u_rms_A[0], sqrt(0.55 / (8 * SF_PI * SF_PI)), TOL_EXACT);
  unsigned w = 0, h = 0;
  png_size(sf_test_path("sto.png"), &w, &h);
  cr_assert_eq(w, 156); /* round(4 a / 0.1 Å) */
  cr_assert_eq(h, 156);
  /* Never overwritten without --force; nothing changes on the refusal. */
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "already exists"), "%s", out);
  free(out);
  snprintf(args, sizeof args,
           "structure --crystal SrTiO3 --cells 2x2x2 -o '%s' --force --thermal Sr:B=0.6 "
           "--thermal O:u=0.1 --pixel-A 0.05",
           xyz);
  cr_assert_eq(run(args, &out), 0, "%s", out);
  free(out);
  sf_structure_destroy(s);
  s = load(xyz);
  cr_assert_eq(s->count, 40);
  for (size_t i = 0; i < s->count; ++i) {
    if (s->Z[i] == 38)
      cr_assert_float_eq(s->u_rms_A[i], sqrt(0.6 / (8 * SF_PI * SF_PI)), TOL_EXACT);
    if (s->Z[i] == 8)
      cr_assert_float_eq(s->u_rms_A[i], 0.1, TOL_EXACT);
  }
  png_size(sf_test_path("sto.png"), &w, &h);
  cr_assert_eq(w, 156); /* round(2 a / 0.05 Å) */
  sf_structure_destroy(s);
}

Test(structure_cli, mn_substitution_is_seeded) {
  char args[1024], *out = NULL;
  const char *a = sf_test_path("mn_a.xyz"), *b = sf_test_path("mn_b.xyz");
  for (int k = 0; k < 2; ++k) {
    snprintf(args, sizeof args,
             "structure --crystal Co3O4 --cells 2x2x1 --substitute Co:Mn:0.25:Co_oct --seed 11 "
             "--no-png -o '%s'",
             k ? b : a);
    cr_assert_eq(run(args, &out), 0, "%s", out);
    free(out);
  }
  sf_structure *sa = load(a), *sb = load(b);
  cr_assert_eq(sa->count, 224);
  cr_assert_eq(sf_structure_count_Z(sa, 25), 16); /* 25 % of 64 octahedral Co */
  cr_assert_eq(sf_structure_count_Z(sa, 27), 96 - 16);
  for (size_t i = 0; i < sa->count; ++i)
    cr_assert_eq(sa->Z[i], sb->Z[i]);
  cr_assert(!sf_test_file_exists(sf_test_path("mn_a.png")), "--no-png writes no preview");
  sf_structure_destroy(sa);
  sf_structure_destroy(sb);
}

Test(structure_cli, particles) {
  char args[1024], *out = NULL;
  const char *cs = sf_test_path("cs.xyz");
  snprintf(args, sizeof args,
           "structure --core-shell CoS:CoO --core-radius-A 8 --shell-A 4 --zone 001 -o '%s'", cs);
  cr_assert_eq(run(args, &out), 0, "%s", out);
  free(out);
  sf_structure *s = load(cs);
  cr_assert(sf_structure_count_Z(s, 16) > 0 && sf_structure_count_Z(s, 8) > 0);
  double lo[3], hi[3];
  cr_assert_eq(sf_structure_bounds(s, lo, hi), SF_OK);
  for (int k = 0; k < 3; ++k) {
    cr_assert_float_eq(lo[k], 5.0, TOL_EXACT, "5 Å of vacuum");
    cr_assert(hi[k] - lo[k] <= 2 * 12.0 + 1e-9);
  }
  sf_structure_destroy(s);
  /* A sphere carved from an XYZ input, in the input's own frame. */
  const char *ball = sf_test_path("ball.xyz");
  snprintf(args, sizeof args, "structure --input '%s' --cells 3x3x3 --sphere-A 3 -o '%s'",
           sf_test_source_path("tests/data/xyz_kirkland_sto.xyz"), ball);
  cr_assert_eq(run(args, &out), 0, "%s", out);
  free(out);
  s = load(ball);
  /* Centre of the 3x3x3 block = (1.5, 1.5, 1.5) a, a Ti site: the Ti and
     its 6 O at a/2 = 1.95 Å; the 8 Sr at a sqrt3/2 = 3.38 Å and the next O at
     a sqrt5/2 = 4.37 Å lie outside 3 Å. */
  cr_assert_eq(s->count, 7);
  cr_assert_eq(sf_structure_count_Z(s, 22), 1);
  cr_assert_eq(sf_structure_count_Z(s, 38), 0);
  sf_structure_destroy(s);
}

Test(structure_cli, errors) {
  char args[1024], *out = NULL;
  cr_assert_eq(run("structure --crystal SrTiO3", &out), 2);
  cr_assert(strstr(out, "missing -o"), "%s", out);
  free(out);
  snprintf(args, sizeof args, "structure --crystal Si --zone 1x0 -o '%s'", sf_test_path("e.xyz"));
  cr_assert_eq(run(args, &out), 2);
  cr_assert(strstr(out, "--zone 1x0"), "%s", out);
  free(out);
  snprintf(args, sizeof args, "structure --crystal Unobtainium -o '%s'", sf_test_path("e.xyz"));
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "'Unobtainium' is not in the database"), "%s", out);
  free(out);
  snprintf(args, sizeof args, "structure --crystal Ga2O3-beta --zone 010 -o '%s'",
           sf_test_path("e.xyz"));
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "nearest"), "%s", out);
  free(out);
  cr_assert(!sf_test_file_exists(sf_test_path("e.xyz")), "failed runs leave no output");
  snprintf(args, sizeof args, "structure --input '%s' -o '%s'",
           sf_test_source_path("tests/data/xyz_bad_occupancy.xyz"), sf_test_path("e.xyz"));
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "xyz_bad_occupancy.xyz:5: occupancy 1.2"), "%s", out);
  free(out);
  cr_assert_eq(run("structure --list", &out), 0);
  cr_assert(strstr(out, "Co_oct") && strstr(out, "Schmidbauer"), "%s", out);
  free(out);
}
