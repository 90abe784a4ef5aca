/* `stemfuse potential`: the written slices hold the atoms' projected
   potential (plane integrals from f_e(0), depth split of the finite
   projection, infinite = finite when summed), calibrated axes and the
   provenance attributes; transmission functions on request; outputs are
   never overwritten without --force; bad requests fail before any work with
   the right exit status and message. */
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "io/sf_xyz.h"
#include "potentials/sf_scattering.h"
#include "sim/sf_structure.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Plane integral of the summed map vs 2 pi a0e f_e(0): the automatic cutoff
   keeps it within its tolerance (1e-3 by default). */
#define TOL_PLANE 1e-3
/* Maps that agree to rounding (sums of weights that add to one). */
#define TOL_SAME_REL 1e-10
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

static sf_imageset *load(const char *path) {
  sf_imageset *set = NULL;
  cr_assert_eq(sf_io_emd_read(path, &set), SF_OK, "%s", sf_error_message());
  return set;
}

static const sf_map *map(const sf_imageset *set, const char *name) {
  const sf_map *m = sf_imageset_find(set, name);
  cr_assert_not_null(m, "map %s missing", name);
  return m;
}

static double plane_integral(const sf_map *m, size_t iz) {
  double s = 0.0;
  for (size_t iy = 0; iy < m->ny; ++iy)
    for (size_t ix = 0; ix < m->nx; ++ix)
      s += sf_map_get(m, ix, iy, iz);
  return s * m->axis[0].step * m->axis[1].step;
}

static double fe0_integral(int Z) {
  sf_scatfac sf;
  cr_assert_eq(sf_scatfac_init(&sf, SF_SCATFAC_KIRKLAND, Z), SF_OK);
  return SF_TWO_PI_A0E_VA2 * sf_scatfac_fe(&sf, 0.0);
}

Test(potential_cli, one_atom_finite_slices) {
  const char *out = sf_test_path("si.emd");
  char args[1024], *text = NULL;
  snprintf(args, sizeof args,
           "potential --element Si --box-A 6 --sampling-A 0.1 --slice-A 2 "
           "--parameterization kirkland --projection finite -o %s",
           out);
  cr_assert_eq(run(args, &text), 0, "%s", text);
  cr_assert(strstr(text, "3 slices of 2 Å (finite projection, kirkland)"), "%s", text);
  free(text);
  cr_assert(sf_test_file_exists(sf_test_path("si.png")));
  sf_imageset *set = load(out);
  const sf_map *cube = map(set, "slices_vz"), *sum = map(set, "projected_vz");
  cr_assert_eq(cube->nx, 60);
  cr_assert_eq(cube->ny, 60);
  cr_assert_eq(cube->nz, 3);
  cr_assert_float_eq(cube->axis[0].step, 0.1, 1e-12);
  cr_assert_float_eq(cube->axis[2].step, 2.0, 1e-12);
  cr_assert_str_eq(cube->axis[0].units, "Å");
  cr_assert_str_eq(cube->units, "V·Å");
  cr_assert_str_eq(sf_attrs_get_string(&cube->attrs, "", "potential_projection"), "finite");
  cr_assert_str_eq(sf_attrs_get_string(&cube->attrs, "", "potential_parameterization"),
                   "kirkland");
  cr_assert(strstr(sf_attrs_get_string(&cube->attrs, "", "potential_doi"), "10."));
  double v = 0.0;
  cr_assert_eq(sf_attrs_get_double(&cube->attrs, "", "slice_thickness_A", &v), SF_OK);
  cr_assert_eq(v, 2.0);
  cr_assert_eq(sf_attrs_get_double(&cube->attrs, "", "band_limit_fraction", &v), SF_OK);
  cr_assert_float_eq(v, 2.0 / 3.0, 1e-15);
  /* The atom sits at z = 3, mid slice 1 (faces at +-1 A): most of its integral
     is there, the tails above and below are equal. */
  const double total = plane_integral(sum, 0), expected = fe0_integral(14);
  cr_assert(fabs(total / expected - 1.0) < TOL_PLANE, "plane integral %.6g vs f_e(0) %.6g",
            total, expected);
  const double s0 = plane_integral(cube, 0), s1 = plane_integral(cube, 1),
               s2 = plane_integral(cube, 2);
  cr_assert(s1 > 0.8 * total && s1 < 0.95 * total, "middle slice holds %.4g of %.4g", s1, total);
  cr_assert_float_eq(s0, s2, TOL_SAME_REL * total, "tails %.10g vs %.10g", s0, s2);
  cr_assert_float_eq(s0 + s1 + s2, total, TOL_SAME_REL * total);
  sf_imageset_destroy(set);
}

Test(potential_cli, infinite_and_finite_agree_when_summed) {
  sf_structure *s = NULL;
  cr_assert_eq(sf_structure_create(5.0, 5.0, 6.0, &s), SF_OK);
  cr_assert_eq(sf_structure_append(s, 8, 1.2, 1.3, 0.7, 1.0, 0.0), SF_OK);
  cr_assert_eq(sf_structure_append(s, 79, 3.1, 3.4, 2.0, 1.0, 0.0), SF_OK);
  cr_assert_eq(sf_structure_append(s, 22, 2.5, 0.6, 4.4, 1.0, 0.0), SF_OK);
  const char *xyz = sf_test_path("three.xyz");
  cr_assert_eq(sf_io_xyz_write(s, xyz, SF_XYZ_KIRKLAND, "three atoms", 0), SF_OK);
  sf_structure_destroy(s);
  const char *fin = sf_test_path("fin.emd"), *inf = sf_test_path("inf.emd");
  char args[1024];
  snprintf(args, sizeof args,
           "potential --xyz %s --sampling-A 0.1 --slice-A 1.5 --projection finite --no-png -o %s",
           xyz, fin);
  cr_assert_eq(run(args, NULL), 0);
  snprintf(args, sizeof args, "potential --xyz %s --sampling-A 0.1 --slice-A 1.5 --no-png -o %s",
           xyz, inf);
  cr_assert_eq(run(args, NULL), 0);
  cr_assert(!sf_test_file_exists(sf_test_path("fin.png")));
  sf_imageset *a = load(fin), *b = load(inf);
  const sf_map *fa = map(a, "projected_vz"), *ib = map(b, "projected_vz");
  const sf_map *fc = map(a, "slices_vz"), *ic = map(b, "slices_vz");
  cr_assert_eq(fc->nz, 4);
  cr_assert_str_eq(sf_attrs_get_string(&ic->attrs, "", "potential_projection"), "infinite");
  double peak = 0.0, worst = 0.0;
  for (size_t iy = 0; iy < fa->ny; ++iy)
    for (size_t ix = 0; ix < fa->nx; ++ix) {
      const double x = sf_map_get(fa, ix, iy, 0), y = sf_map_get(ib, ix, iy, 0);
      peak = fmax(peak, fabs(y));
      worst = fmax(worst, fabs(x - y));
    }
  cr_assert(worst <= TOL_SAME_REL * peak, "finite sum differs from infinite by %.3g (peak %.4g)",
            worst, peak);
  /* Infinite: slice 3 (z in [4.5, 6)) is empty, the Ti at z = 4.4 lies in slice 2;
     finite: Ti's depth tail reaches slice 3. */
  cr_assert_eq(plane_integral(ic, 3), 0.0);
  cr_assert(plane_integral(fc, 3) > 0.01 * fe0_integral(22));
  const double expected = fe0_integral(8) + fe0_integral(79) + fe0_integral(22);
  cr_assert(fabs(plane_integral(ib, 0) / expected - 1.0) < TOL_PLANE);
  sf_imageset_destroy(a);
  sf_imageset_destroy(b);
}

Test(potential_cli, crystal_with_transmission_functions) {
  const char *out = sf_test_path("sto.emd");
  char args[1024], *text = NULL;
  snprintf(args, sizeof args,
           "potential --crystal SrTiO3 --cells 2x2x1 --zone 001 --sampling-A 0.1 --slice-A %.6f "
           "--energy-keV 300 -o %s",
           A_STO / 2, out);
  cr_assert_eq(run(args, &text), 0, "%s", text);
  free(text);
  sf_imageset *set = load(out);
  const sf_map *cube = map(set, "slices_vz");
  cr_assert_eq(cube->nz, 2);
  cr_assert_eq(cube->nx, 79); /* 2 a / 0.1 A rounded up */
  /* Slice 0: SrO layer (4 Sr + 4 O); slice 1: TiO2 (4 Ti + 8 O). */
  const double e0 = 4 * (fe0_integral(38) + fe0_integral(8));
  const double e1 = 4 * (fe0_integral(22) + 2 * fe0_integral(8));
  cr_assert(fabs(plane_integral(cube, 0) / e0 - 1.0) < TOL_PLANE, "SrO %.6g vs %.6g",
            plane_integral(cube, 0), e0);
  cr_assert(fabs(plane_integral(cube, 1) / e1 - 1.0) < TOL_PLANE, "TiO2 %.6g vs %.6g",
            plane_integral(cube, 1), e1);
  const sf_map *re = map(set, "transmission_real"), *im = map(set, "transmission_imag");
  cr_assert_eq(re->nz, 2);
  double e = 0.0;
  cr_assert_eq(sf_attrs_get_double(&re->attrs, "", "energy_keV", &e), SF_OK);
  cr_assert_eq(e, 300.0);
  /* |t|^2 averages to at most 1 (the band limit only removes power) and close to it. */
  double p = 0.0;
  for (size_t iy = 0; iy < re->ny; ++iy)
    for (size_t ix = 0; ix < re->nx; ++ix) {
      const double x = sf_map_get(re, ix, iy, 0), y = sf_map_get(im, ix, iy, 0);
      p += x * x + y * y;
    }
  p /= (double)(re->nx * re->ny);
  cr_assert(p <= 1.0 + 1e-5 && p > 0.9, "mean |t|^2 = %.6f", p);
  sf_imageset_destroy(set);
}

Test(potential_cli, no_overwrite_without_force) {
  const char *out = sf_test_path("o.emd");
  FILE *f = fopen(sf_test_path("o.png"), "w");
  fputs("keep", f);
  fclose(f);
  char args[1024], *text = NULL;
  snprintf(args, sizeof args, "potential --element C --box-A 4 --sampling-A 0.2 -o %s", out);
  cr_assert_eq(run(args, &text), 1);
  cr_assert(strstr(text, "o.png: output already exists"), "%s", text);
  free(text);
  cr_assert(!sf_test_file_exists(out), "nothing is written when an output exists");
  snprintf(args, sizeof args, "potential --element C --box-A 4 --sampling-A 0.2 --force -o %s",
           out);
  cr_assert_eq(run(args, NULL), 0);
  cr_assert(sf_test_file_exists(out));
}

Test(potential_cli, bad_requests_fail_before_work) {
  const char *out = sf_test_path("bad.emd");
  const struct {
    const char *args, *message;
    int status;
  } cases[] = {
      {"--element Xx --box-A 5", "--element Xx", 2},
      {"--element Si --box-A 5 --parameterization doyle", "--parameterization doyle", 2},
      {"--element Si --box-A 5 --projection half", "--projection half", 2},
      {"--element Si --box-A 5 --sampling-A -0.1", "--sampling-A -0.1", 2},
      {"--element Si --box-A 5 --slice-A 0", "--slice-A 0", 2},
      {"--element Si --box-A 5 --slice-A 6", "thicker than the box", 2},
      {"--element Si", "--box-A 0", 2},
      {"--element Si --box-A 5 --crystal Si", "exactly one of", 2},
      {"--crystal SrTiO3 --slice-A 9", "thicker than the structure", 1},
      {"--crystal Unobtainium", "Unobtainium", 1},
      {"--crystal SrTiO3 --zone 00", "--zone 00", 2},
      {"--element Si --box-A 5 --energy-keV -3", "--energy-keV -3", 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    char args[1024], *text = NULL;
    snprintf(args, sizeof args, "potential %s -o %s", cases[i].args, out);
    cr_assert_eq(run(args, &text), cases[i].status, "%s: %s", cases[i].args, text);
    cr_assert(strstr(text, cases[i].message), "%s: expected '%s' in: %s", cases[i].args,
              cases[i].message, text);
    free(text);
    cr_assert(!sf_test_file_exists(out), "%s wrote an output", cases[i].args);
  }
}
