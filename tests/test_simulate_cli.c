/* test_simulate_cli.c - `stemfuse simulate`: outputs, names, parameters and
   physics of a small case (4 atoms, 64 x 64 grid, 16 probes), and every
   refusal before any work (schema errors with file:line, band limit,
   sampling, scan, memory, existing output), each leaving no output. */
#include <criterion/criterion.h>

#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "sim/sf_simulate_config.h"
#include "support/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A float32 cube against double maps: bins and loss are rounded to single. */
#define TOL_CUBE_SUM 1e-5
/* The relativistic wavelength formula against the engine's constants. */
#define TOL_ALPHA_REL 1e-6

/* Cell 8 x 8 x 4 Å, one atom per column, planes at z = 0 and 2 (two slices). */
static const char *const XYZ =
    "four atoms\n"
    "8 8 4\n"
    "38 2 2 0 1 0.08\n"
    "22 6 6 2 1 0.07\n"
    "8 2 6 2 1 0.09\n"
    "8 6 2 0 1 0.09\n"
    "-1\n";

/* 64 x 64 pixels of 0.125 Å: alpha_max = 52.5 mrad at 300 kV. */
static const char *const BASE =
    "[structure]\n"                             /* 1 */
    "file = \"four.xyz\"\n"                     /* 2 */
    "[potential]\n"                             /* 3 */
    "sampling_A = 0.125\n"                      /* 4 */
    "slice_A = 2\n"                             /* 5 */
    "[probe]\n"                                 /* 6 */
    "semiangle_mrad = 20\n"                     /* 7 */
    "[scan]\n"                                  /* 8 */
    "window_A = [0, 0, 8, 8]\n"                 /* 9 */
    "step_A = 2\n"                              /* 10 */
    "[[detector]]\n"                            /* 11 */
    "name = \"ADF\"\n"                          /* 12 */
    "inner_mrad = 30\n"                         /* 13 */
    "outer_mrad = 50\n"                         /* 14 */
    "[[detector]]\n"                            /* 15 */
    "name = \"BF\"\n"                           /* 16 */
    "inner_mrad = 0\n"                          /* 17 */
    "outer_mrad = 20\n"                         /* 18 */
    "[phonons]\n"                               /* 19 */
    "seed = 7\n"                                /* 20 */
    "[output]\n"                                /* 21 */
    "depths_A = [2, 4]\n"                       /* 22 */
    "[sim]\n"                                   /* 23 */
    "threads = 2\n";                            /* 24 */

/* Write four.xyz and NAME.toml = BASE + extra; returns the config path. */
static const char *write_config(const char *name, const char *extra) {
  sf_test_write_text("four.xyz", XYZ);
  size_t n = strlen(BASE) + strlen(extra) + 1;
  char *text = malloc(n);
  snprintf(text, n, "%s%s", BASE, extra);
  char file[128];
  snprintf(file, sizeof file, "%s.toml", name);
  const char *path = sf_test_write_text(file, text);
  free(text);
  return path;
}

static char *run(const char *args, int *rc) {
  char *out = NULL;
  *rc = sf_test_run_cli(args, &out);
  return out;
}

/* Run a config that must be refused: non-zero exit, `needle` in the
   output, and no .emd or preview left behind. */
static void expect_refusal(const char *name, const char *extra, const char *sets,
                           const char *needle, const char *needle2) {
  const char *cfg = write_config(name, extra);
  char out[512], png[512], args[2048];
  snprintf(out, sizeof out, "%s", sf_test_path(name));
  strcat(out, ".emd");
  snprintf(png, sizeof png, "%s_ADF_d00_mean.png", sf_test_path(name));
  snprintf(args, sizeof args, "simulate '%s' %s -o '%s'", cfg, sets, out);
  int rc = 0;
  char *text = run(args, &rc);
  cr_assert_neq(rc, 0, "%s: must fail:\n%s", name, text);
  cr_assert(strstr(text, needle), "%s: expected '%s' in:\n%s", name, needle, text);
  if (needle2)
    cr_assert(strstr(text, needle2), "%s: expected '%s' in:\n%s", name, needle2, text);
  cr_assert_not(sf_test_file_exists(out), "%s: %s written", name, out);
  cr_assert_not(sf_test_file_exists(png), "%s: %s written", name, png);
  cr_assert_null(strstr(text, "probes "), "%s: work started:\n%s", name, text);
  free(text);
}

static double lambda_300kV_A(void) {
  /* lambda = h c / sqrt(E (E + 2 m c^2)): E = 300 keV, m c^2 = 510.99895 keV,
     h c = 12.398419843 keV Å (CODATA 2018) */
  const double E = 300.0, mc2 = 510.99895000;
  return 12.398419843320026 / sqrt(E * (E + 2.0 * mc2));
}

static sf_imageset *simulate_ok(const char *name, const char *sets) {
  const char *cfg = write_config(name, "");
  char out[512], args[2048];
  snprintf(out, sizeof out, "%s.emd", sf_test_path(name));
  snprintf(args, sizeof args, "simulate '%s' %s -o '%s'", cfg, sets, out);
  int rc = 0;
  char *text = run(args, &rc);
  cr_assert_eq(rc, 0, "%s", text);
  cr_assert(strstr(text, "grid: 64 x 64 pixels of 0.125"), "%s", text);
  cr_assert(strstr(text, "scan: 4 x 4 = 16 probes"), "%s", text);
  cr_assert(strstr(text, "estimate: memory about"), "%s", text);
  free(text);
  sf_imageset *set = NULL;
  cr_assert_eq(sf_io_emd_read(out, &set), SF_OK, "%s", sf_error_message());
  return set;
}

Test(simulate_cli, writes_maps_cube_series_and_parameters) {
  sf_imageset *set = simulate_ok("static", "");
  /* names: <subject>_dNN_<kind>, none a prefix of another */
  cr_assert_eq(sf_imageset_check_names(set), SF_OK, "%s", sf_error_message());
  static const char *const names[] = {
      "ADF_d00_mean", "ADF_d00_stderr", "BF_d00_mean", "BF_d00_stderr", "band_limit_loss_d00_mean",
      "ADF_radial_bins_d00", "ADF_d01_mean", "ADF_d01_stderr", "BF_d01_mean",
      "BF_d01_stderr", "band_limit_loss_d01_mean", "ADF_radial_bins_d01"};
  cr_assert_eq(set->count, sizeof names / sizeof names[0]);
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
    cr_assert(sf_imageset_find(set, names[i]), "missing %s", names[i]);
  /* PNG previews of the mean maps */
  cr_assert(sf_test_file_exists(sf_test_path("static_ADF_d01_mean.png")));
  cr_assert(sf_test_file_exists(sf_test_path("static_BF_d00_mean.png")));
  cr_assert_not(sf_test_file_exists(sf_test_path("static_ADF_d00_stderr.png")));

  /* parameters and provenance */
  const double alpha_max = 1000.0 * lambda_300kV_A() * (2.0 / 3.0) / (2.0 * 0.125);
  double v = 0.0;
  cr_assert_eq(sf_attrs_get_double(&set->attrs, "microscope", "alpha_max_mrad", &v), SF_OK);
  cr_assert_float_eq(v, alpha_max, TOL_ALPHA_REL * alpha_max);
  const char *config = sf_attrs_get_string(&set->attrs, "comments", "config");
  cr_assert(config && strstr(config, "[probe]") && strstr(config, "semiangle_mrad = 20"));
  cr_assert(strstr(config, "energy_keV = 300"), "defaults resolved in /comments/config");
  const sf_attr *seed = sf_attrs_find(&set->attrs, "comments", "seed");
  cr_assert(seed);
  cr_assert_eq(seed->type == SF_ATTR_INT ? seed->integer : (int64_t)seed->number, 7);
  const char *lattice = sf_attrs_get_string(&set->attrs, "simulation", "lattice");
  cr_assert(lattice && strcmp(lattice, "static") == 0);
  const char *param = sf_attrs_get_string(&set->attrs, "potential", "potential_parameterization");
  cr_assert(param && strcmp(param, "kirkland") == 0);
  cr_assert_eq(sf_attrs_get_double(&set->attrs, "microscope", "sampling_A", &v), SF_OK);
  cr_assert_float_eq(v, 0.125, 1e-15);
  cr_assert_eq(sf_attrs_get_double(&set->attrs, "microscope", "slice_thickness_A", &v), SF_OK);
  cr_assert_float_eq(v, 2.0, 1e-15);

  /* thickness tags carry the depth; scan axes in Å */
  sf_map *adf1 = sf_imageset_find(set, "ADF_d01_mean");
  cr_assert_eq(sf_attrs_get_double(&adf1->attrs, "", "thickness_A", &v), SF_OK);
  cr_assert_float_eq(v, 4.0, 1e-5);
  cr_assert_eq(adf1->nx, 4);
  cr_assert_float_eq(adf1->axis[0].step, 2.0, 1e-12);
  cr_assert_str_eq(adf1->axis[0].units, "Å");

  /* physics: sum of radial bins + band-limit loss = 1; ADF = bins 30..49;
     a static lattice has a zero standard error */
  for (int d = 0; d < 2; ++d) {
    char nm[64];
    snprintf(nm, sizeof nm, "ADF_radial_bins_d%02d", d);
    const sf_map *cube = sf_imageset_find(set, nm);
    snprintf(nm, sizeof nm, "band_limit_loss_d%02d_mean", d);
    const sf_map *loss = sf_imageset_find(set, nm);
    snprintf(nm, sizeof nm, "ADF_d%02d_mean", d);
    const sf_map *adf = sf_imageset_find(set, nm);
    snprintf(nm, sizeof nm, "ADF_d%02d_stderr", d);
    const sf_map *se = sf_imageset_find(set, nm);
    cr_assert_eq(cube->nz, (size_t)ceil(alpha_max));
    for (size_t iy = 0; iy < 4; ++iy)
      for (size_t ix = 0; ix < 4; ++ix) {
        double sum = 0.0, ring = 0.0;
        for (size_t k = 0; k < cube->nz; ++k) {
          const double b = sf_map_get(cube, ix, iy, k);
          sum += b;
          if (k >= 30 && k < 50)
            ring += b;
        }
        cr_assert_float_eq(sum + sf_map_get(loss, ix, iy, 0), 1.0, TOL_CUBE_SUM);
        cr_assert_float_eq(ring, sf_map_get(adf, ix, iy, 0), TOL_CUBE_SUM);
        cr_assert_eq(sf_map_get(se, ix, iy, 0), 0.0);
      }
  }
  /* the Sr column (2, 2) Å = scan pixel (1, 1) scatters more than the O column (1, 3) */
  cr_assert_gt(sf_map_get(adf1, 1, 1, 0), 2.0 * sf_map_get(adf1, 1, 3, 0));
  sf_imageset_destroy(set);
}

Test(simulate_cli, frozen_phonons_give_a_standard_error) {
  sf_imageset *set = simulate_ok("fp", "--set phonons.configurations=3 --set probe.C30_mm=1.2 "
                                       "--set probe.defocus_A=50");
  /* units: C30 in mm becomes Å; defocus (underfocus positive) is -C10 */
  double C = 0.0;
  cr_assert_eq(sf_attrs_get_double(&set->attrs, "microscope", "C30_A", &C), SF_OK);
  cr_assert_float_eq(C, 1.2e7, 1e-6);
  cr_assert_eq(sf_attrs_get_double(&set->attrs, "microscope", "C10_A", &C), SF_OK);
  cr_assert_float_eq(C, -50.0, 1e-12);
  const sf_map *mean = sf_imageset_find(set, "ADF_d01_mean");
  const sf_map *se = sf_imageset_find(set, "ADF_d01_stderr");
  cr_assert(mean && se);
  double v = 0.0;
  cr_assert_eq(sf_attrs_get_double(&mean->attrs, "", "configurations", &v), SF_OK);
  cr_assert_float_eq(v, 3.0, 0.0);
  double max_rel = 0.0;
  for (size_t i = 0; i < 16; ++i) {
    const double m = sf_map_get(mean, i % 4, i / 4, 0), s = sf_map_get(se, i % 4, i / 4, 0);
    cr_assert(m > 0 && s >= 0 && s < m, "pixel %zu: mean %g SE %g", i, m, s);
    max_rel = fmax(max_rel, s / m);
  }
  cr_assert_gt(max_rel, 1e-4, "displaced configurations must differ");
  const char *lattice = sf_attrs_get_string(&set->attrs, "simulation", "lattice");
  cr_assert(lattice && strstr(lattice, "frozen phonons"));
  sf_imageset_destroy(set);
}

Test(simulate_cli, dump_config_resolves_defaults_and_overrides) {
  const char *cfg = write_config("dump", "");
  char args[1024];
  snprintf(args, sizeof args, "simulate '%s' --set beam.energy_keV=200 --dump-config", cfg);
  int rc = 0;
  char *text = run(args, &rc);
  cr_assert_eq(rc, 0, "%s", text);
  cr_assert(strstr(text, "energy_keV = 200"), "%s", text);
  cr_assert(strstr(text, "algorithm = \"multislice\""), "%s", text);
  cr_assert(strstr(text, "[[detector]]"), "%s", text);
  free(text);
}

Test(simulate_cli, schema_errors_name_file_and_line) {
  expect_refusal("unknown", "[beam]\nenergy = 300\n", "", "unknown.toml:26: beam.energy = 300",
                 "energy_keV");
  expect_refusal("string", "[beam]\nenergy_keV = \"300\"\n", "",
                 "string.toml:26: beam.energy_keV = \"300\"", "number");
  expect_refusal("negative", "[beam]\nenergy_keV = -300\n", "",
                 "negative.toml:26: beam.energy_keV = -300", "must be in");
}

Test(simulate_cli, physics_refusals_before_any_work) {
  expect_refusal("beyond", "", "--set detector.1.outer_mrad=80",
                 "--set: detector.1.outer_mrad = 80", "beyond the band limit");
  expect_refusal("coarse", "", "--set potential.sampling_A=0.5",
                 "potential.sampling_A = 0.5", "sampling too coarse");
  expect_refusal("outside", "", "--set 'scan.window_A=[0, 0, 12, 8]'", "scan.window_A",
                 "outside the cell");
  expect_refusal("memory", "", "--set sim.memory_limit_MiB=0.01",
                 "sim.memory_limit_MiB = 0.01", "memory limit");
  /* 8000 x 8000 pixels and 400 slices: more than any machine's memory */
  expect_refusal("huge", "",
                 "--set potential.sampling_A=0.001 --set potential.slice_A=0.01 "
                 "--set output.depths_A=[]",
                 "physical memory", "the run needs about");
  expect_refusal("depth", "", "--set 'output.depths_A=[2, 9]'", "output.depths_A",
                 "within 1..2 slices");
  expect_refusal("clash", "", "--set detector.2.name=ADF_d00_mean",
                 "'ADF_d00_mean' and 'ADF_d00_mean_d00_mean'", "one is a prefix");
}

Test(simulate_cli, existing_output_needs_force) {
  const char *cfg = write_config("exists", "");
  const char *out = sf_test_write_text("exists.emd", "keep me");
  char args[1024];
  snprintf(args, sizeof args, "simulate '%s' -o '%s'", cfg, out);
  int rc = 0;
  char *text = run(args, &rc);
  cr_assert_neq(rc, 0);
  cr_assert(strstr(text, "exists"), "%s", text);
  cr_assert_null(strstr(text, "probes "), "%s", text);
  free(text);
  FILE *f = fopen(out, "r");
  char buf[16] = "";
  cr_assert(f && fgets(buf, sizeof buf, f));
  fclose(f);
  cr_assert_str_eq(buf, "keep me");
  cr_assert_not(sf_test_file_exists(sf_test_path("exists_ADF_d00_mean.png")));
}

Test(simulate_names, hyperspy_prefix_rule) {
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_imageset_add_map(set, "HAADF_mean", SF_F32, 1, 1, 1, NULL), SF_OK);
  cr_assert_eq(sf_imageset_add_map(set, "HAADF_stderr", SF_F32, 1, 1, 1, NULL), SF_OK);
  cr_assert_eq(sf_imageset_add_map(set, "Co_fused", SF_F32, 1, 1, 1, NULL), SF_OK);
  cr_assert_eq(sf_imageset_add_map(set, "C_fused", SF_F32, 1, 1, 1, NULL), SF_OK);
  cr_assert_eq(sf_imageset_check_names(set), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_imageset_add_map(set, "HAADF", SF_F32, 1, 1, 1, NULL), SF_OK);
  cr_assert_eq(sf_imageset_check_names(set), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'HAADF' and 'HAADF_mean'"), "%s", sf_error_message());
  sf_imageset_destroy(set);

  char name[SF_NAME_MAX];
  cr_assert_eq(sf_simulate_map_name(name, sizeof name, "HAADF", 0, 1, "mean"), SF_OK);
  cr_assert_str_eq(name, "HAADF_mean");
  cr_assert_eq(sf_simulate_map_name(name, sizeof name, "HAADF", 3, 11, "stderr"), SF_OK);
  cr_assert_str_eq(name, "HAADF_d03_stderr");
  cr_assert_eq(sf_simulate_map_name(name, sizeof name, "ADF_radial_bins", 7, 101, NULL), SF_OK);
  cr_assert_str_eq(name, "ADF_radial_bins_d007");
  char small[8];
  cr_assert_eq(sf_simulate_map_name(small, sizeof small, "HAADF", 0, 1, "mean"), SF_EINVAL);
}
