/* test_fuse_cli.c - `stemfuse fuse` end to end on a small generated phantom.

   The test writes its inputs itself (HDF5 datasets, an NPY file and an EMD
   signal), runs the command and reads the .emd back: the signals, their
   values (relative concentrations sum to 1, the fused maps are closer to the
   truth than the raw counts), the attributes of group "fusion" and the
   provenance, the PNG previews, the refusal to overwrite, and every bad-input
   case (exit status, message, and no output file left behind). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/sf_imageset.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "io/sf_npy.h"
#include "recon/sf_fuse_imageset.h"
#include "support/testutil.h"

enum { NX = 32, NY = 28, NE = 3 };
static const double Z[NE] = {27, 25, 8}; /* Co, Mn, O */
static const double CONC[3][NE] = {{0, 0, 3}, {8, 0, 4}, {0, 7, 4}};

static int region(size_t ix, size_t iy) {
  double u = (ix + 0.5) / NX, v = (iy + 0.5) / NY;
  if ((u - 0.3) * (u - 0.3) + (v - 0.4) * (v - 0.4) < 0.05)
    return 1;
  if (u > 0.55 && u < 0.9 && v > 0.2 && v < 0.7)
    return 2;
  return 0;
}

static double truth[NE][NX * NY], counts[NE][NX * NY], haadf[NX * NY];

static void make_phantom(void) {
  for (size_t p = 0; p < NX * NY; p++) {
    int g = region(p % NX, p / NX);
    sf_rng r;
    sf_rng_init(&r, 77, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 3), (uint32_t)p);
    double h = 0.0;
    for (int i = 0; i < NE; i++) {
      truth[i][p] = CONC[g][i];
      counts[i][p] = sf_rng_poisson(&r, CONC[g][i]);
      h += pow(Z[i] * CONC[g][i], 1.7);
    }
    haadf[p] = 500.0 + h / 20.0 + 5.0 * sf_rng_normal(&r);
  }
}

/* One 2-D float64 dataset `name` (numpy shape (ny, nx)) into an open file. */
static void h5_put(hid_t f, const char *name, const double *v, size_t nx, size_t ny) {
  hsize_t dims[2] = {ny, nx};
  hid_t sp = H5Screate_simple(2, dims, NULL);
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  hid_t d = H5Dcreate2(f, name, H5T_IEEE_F64LE, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(d >= 0, "cannot create %s", name);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
  H5Dclose(d);
  H5Pclose(lcpl);
  H5Sclose(sp);
}

static sf_map *one_map(sf_imageset *s, const char *name, const double *v, size_t nx, size_t ny) {
  sf_map *m;
  cr_assert_eq(sf_imageset_add_map(s, name, SF_F64, nx, ny, 1, &m), SF_OK);
  memcpy(m->data, v, nx * ny * sizeof(double));
  return m;
}

/* Inputs: in.h5 (/HAADF, /maps/Mn, /maps/Mn_small, /maps/O_nan, /maps/O_inf,
   /maps/O_neg), co.npy, o.emd (signal O_counts). */
static void write_inputs(void) {
  make_phantom();
  hid_t f = H5Fcreate(sf_test_path("in.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  cr_assert(f >= 0);
  h5_put(f, "/HAADF", haadf, NX, NY);
  h5_put(f, "/maps/Mn", counts[1], NX, NY);
  h5_put(f, "/maps/Mn_small", counts[1], 16, 16);
  double bad[NX * NY];
  memcpy(bad, counts[2], sizeof bad);
  bad[5 * NX + 7] = NAN;
  h5_put(f, "/maps/O_nan", bad, NX, NY);
  bad[5 * NX + 7] = INFINITY;
  h5_put(f, "/maps/O_inf", bad, NX, NY);
  bad[5 * NX + 7] = -2.0;
  h5_put(f, "/maps/O_neg", bad, NX, NY);
  H5Fclose(f);
  sf_imageset *s = sf_imageset_create();
  sf_map *m = one_map(s, "Co", counts[0], NX, NY);
  cr_assert_eq(sf_io_npy_write_map(m, sf_test_path("co.npy"), 0), SF_OK);
  sf_imageset_destroy(s);
  s = sf_imageset_create();
  one_map(s, "O_counts", counts[2], NX, NY);
  cr_assert_eq(sf_io_emd_write(s, sf_test_path("o.emd"), 0), SF_OK, "%s", sf_error_message());
  sf_imageset_destroy(s);
}

static char *run(const char *extra, const char *out, int expect) {
  char args[4096];
  snprintf(args, sizeof args,
           "--progress=none fuse --haadf %s:/HAADF --map Co=%s --map Mn=%s:/maps/Mn "
           "--map O=%s:O_counts -o %s %s",
           sf_test_path("in.h5"), sf_test_path("co.npy"), sf_test_path("in.h5"),
           sf_test_path("o.emd"), sf_test_path(out), extra);
  char *text = NULL;
  int rc = sf_test_run_cli(args, &text);
  cr_assert_eq(rc, expect, "exit %d (expected %d) for %s:\n%s", rc, expect, args, text);
  return text;
}

static const sf_map *get(const sf_imageset *s, const char *name) {
  const sf_map *m = sf_imageset_find(s, name);
  cr_assert(m, "no signal %s", name);
  cr_assert_eq(m->nx, (size_t)NX);
  cr_assert_eq(m->ny, (size_t)NY);
  return m;
}

static double attr(const sf_imageset *s, const char *key) {
  double v;
  cr_assert_eq(sf_attrs_get_double(&s->attrs, SF_FUSE_ATTR_GROUP, key, &v), SF_OK, "no %s", key);
  return v;
}

/* Measured: RMSE raw 1.37 -> fused 0.49 (Co, Mn, O together) at 3-8 counts:
   a ratio of 2.8. */
#define MIN_RMSE_RATIO 2.0

Test(fuse_cli, default_mode_end_to_end) {
  write_inputs();
  char *text = run("--lambda-tv 0.3 --fit-offset --seed 5 --iterations 300", "out.emd", 0);
  cr_assert(strstr(text, sf_test_path("out.emd")), "%s", text);
  free(text);
  sf_imageset *s = NULL;
  cr_assert_eq(sf_io_emd_read(sf_test_path("out.emd"), &s), SF_OK, "%s", sf_error_message());
  cr_assert_eq(s->count, 1 + 4 * NE, "%zu signals", s->count);
  static const char *const el[NE] = {"Co", "Mn", "O"};
  double e_raw = 0.0, e_fused = 0.0;
  for (int i = 0; i < NE; i++) {
    char name[64];
    snprintf(name, sizeof name, "%s_raw", el[i]);
    const sf_map *raw = get(s, name);
    snprintf(name, sizeof name, "%s_fused", el[i]);
    const sf_map *fu = get(s, name);
    snprintf(name, sizeof name, "%s_stderr", el[i]);
    const sf_map *se = get(s, name);
    size_t present = 0, finite_se = 0;
    for (size_t p = 0; p < NX * NY; p++) {
      double r = sf_map_get(raw, p % NX, p / NX, 0), x = sf_map_get(fu, p % NX, p / NX, 0);
      cr_assert_eq(r, counts[i][p]);
      cr_assert(x >= 0.0);
      e_raw += (r - truth[i][p]) * (r - truth[i][p]);
      e_fused += (x - truth[i][p]) * (x - truth[i][p]);
      double v = sf_map_get(se, p % NX, p / NX, 0);
      cr_assert(isnan(v) || v > 0.0);
      if (x > 1.0) { /* clearly present: off the bound */
        present++;
        finite_se += isfinite(v);
      }
    }
    cr_assert(present > 50 && finite_se >= 0.95 * present,
              "%s: %zu finite standard errors where %zu values are > 1", el[i], finite_se,
              present);
  }
  double ratio = sqrt(e_raw / e_fused);
  fprintf(stderr, "fuse CLI: RMSE raw %.3f fused %.3f\n", sqrt(e_raw / (NE * NX * NY)),
          sqrt(e_fused / (NE * NX * NY)));
  cr_assert(ratio > MIN_RMSE_RATIO, "RMSE ratio raw / fused = %g", ratio);
  /* relative concentrations: sum to 1 inside the mask, NaN outside */
  size_t inside = 0;
  for (size_t p = 0; p < NX * NY; p++) {
    double sum = 0.0;
    int nan = 0;
    for (int i = 0; i < NE; i++) {
      char name[64];
      snprintf(name, sizeof name, "%s_relconc", el[i]);
      double v = sf_map_get(get(s, name), p % NX, p / NX, 0);
      nan += isnan(v);
      sum += v;
    }
    cr_assert(nan == 0 || nan == NE);
    if (!nan) {
      cr_assert_float_eq(sum, 1.0, 1e-12);
      inside++;
    }
  }
  cr_assert(inside > NX * NY / 2);
  /* attributes and provenance */
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "mode"), "default");
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "elements"), "Co,Mn,O");
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "cost_definition"),
                   "default");
  cr_assert_float_eq(attr(s, "lambda_tv"), 0.3, 1e-15);
  cr_assert_float_eq(attr(s, "lambda_chem"), 1.0, 1e-15);
  cr_assert_float_eq(attr(s, "gamma"), 1.7, 1e-15);
  cr_assert_float_eq(attr(s, "max_iter"), 300, 0);
  const sf_attr *w = sf_attrs_find(&s->attrs, SF_FUSE_ATTR_GROUP, "weights");
  cr_assert(w && w->n_values == NE);
  for (int i = 0; i < NE; i++) /* paper weights: Z^gamma */
    cr_assert_float_eq(w->values[i], pow(Z[i], 1.7), 1e-9 * pow(Z[i], 1.7));
  const sf_attr *tot = sf_attrs_find(&s->attrs, SF_FUSE_ATTR_GROUP, "cost_total");
  int iters = (int)attr(s, "iterations");
  cr_assert(tot && (int)tot->n_values == iters + 1, "history of %zu for %d iterations",
            tot ? tot->n_values : 0, iters);
  for (size_t k = 1; k < tot->n_values; k++)
    cr_assert(tot->values[k] <= tot->values[k - 1] * (1 + 1e-12) + 1e-12);
  cr_assert(attr(s, "mean_se") > 0.0);
  cr_assert_float_eq(attr(s, "objective"), tot->values[tot->n_values - 1], 1e-12);
  double seed;
  cr_assert_eq(sf_attrs_get_double(&s->attrs, "comments", "seed", &seed), SF_OK);
  cr_assert_eq(seed, 5.0);
  cr_assert(strstr(sf_attrs_get_string(&s->attrs, "comments", "command_line"), "fuse"));
  sf_imageset_destroy(s);
  /* previews, overlay, convergence plot */
  static const char *const png[] = {"out_HAADF.png",      "out_Co_raw.png",   "out_Co_fused.png",
                                    "out_Mn_relconc.png", "out_O_stderr.png", "out_overlay.png",
                                    "out_convergence.png"};
  for (size_t k = 0; k < sizeof png / sizeof *png; k++)
    cr_assert(sf_test_file_exists(sf_test_path(png[k])), "missing %s", png[k]);
  /* no overwrite without --force; with it, fine */
  struct stat st0, st1;
  stat(sf_test_path("out.emd"), &st0);
  text = run("--iterations 5", "out.emd", 1);
  cr_assert(strstr(text, "exists"), "%s", text);
  free(text);
  stat(sf_test_path("out.emd"), &st1);
  cr_assert_eq(st0.st_size, st1.st_size);
  cr_assert_eq(st0.st_mtime, st1.st_mtime);
  free(run("--iterations 5 --force", "out.emd", 0));
}

Test(fuse_cli, reference_mode_writes_reference_costs) {
  write_inputs();
  free(run("--mode reference --iterations 8 --x0-threshold 0.2", "ref.emd", 0));
  sf_imageset *s = NULL;
  cr_assert_eq(sf_io_emd_read(sf_test_path("ref.emd"), &s), SF_OK, "%s", sf_error_message());
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "mode"), "reference");
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "cost_definition"),
                   "reference");
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "tv_variant"),
                   "tutorial_fgp_aniso");
  const sf_attr *w = sf_attrs_find(&s->attrs, SF_FUSE_ATTR_GROUP, "weights");
  cr_assert_eq(w->values[0], 1.349609375);
  cr_assert_eq(w->values[1], 1.25);
  cr_assert_eq(w->values[2], 0.39990234375);
  const sf_attr *c = sf_attrs_find(&s->attrs, SF_FUSE_ATTR_GROUP, "cost_chem");
  cr_assert_eq(c->n_values, 8);
  cr_assert(c->values[7] < 0.0, "costChem is the log-likelihood");
  cr_assert_float_eq(attr(s, "lambda_chem"), 0.006, 1e-15);
  cr_assert_float_eq(attr(s, "implied_lambda1"), 0.018, 1e-15);
  cr_assert_float_eq(attr(s, "implied_lambda2"), 0.066, 1e-15);
  cr_assert_float_eq(attr(s, "x0_threshold"), 0.2, 1e-15);
  const sf_map *fu = get(s, "Co_fused");
  for (size_t p = 0; p < NX * NY; p++)
    cr_assert(sf_map_get(fu, p % NX, p / NX, 0) >= 0.0);
  sf_imageset_destroy(s);
}

Test(fuse_cli, automatic_lambda_and_multires_record_their_choices) {
  write_inputs();
  free(run("--auto-lambda --multires --multires-method bin --seed 3 --iterations 200", "auto.emd",
           0));
  sf_imageset *s = NULL;
  cr_assert_eq(sf_io_emd_read(sf_test_path("auto.emd"), &s), SF_OK, "%s", sf_error_message());
  cr_assert_float_eq(attr(s, "auto_lambda"), 1, 0);
  cr_assert_float_eq(attr(s, "autolambda_counts"), 1, 0);
  const sf_attr *grid = sf_attrs_find(&s->attrs, SF_FUSE_ATTR_GROUP, "autolambda_grid_tv");
  const sf_attr *score = sf_attrs_find(&s->attrs, SF_FUSE_ATTR_GROUP, "autolambda_score");
  cr_assert(grid && score && grid->n_values == score->n_values);
  double lt = attr(s, "lambda_tv"), half = attr(s, "autolambda_lambda_tv_half");
  cr_assert_float_eq(lt, 0.5 * half, 1e-12 * half); /* p = 1/2, tv_exponent 1 */
  cr_assert(half >= grid->values[0] && half <= grid->values[grid->n_values - 1]);
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "autolambda_seed"), "3");
  cr_assert_float_eq(attr(s, "multires"), 1, 0);
  cr_assert_str_eq(sf_attrs_get_string(&s->attrs, SF_FUSE_ATTR_GROUP, "multires_method"), "bin");
  cr_assert_float_eq(attr(s, "multires_coarse_nx"), NX / 2, 0);
  cr_assert_float_eq(attr(s, "multires_coarse_ny"), NY / 2, 0);
  sf_imageset_destroy(s);
}

/* No file whose name starts with `stem` in the test directory. */
static void assert_no_output(const char *stem) {
  DIR *d = opendir(sf_test_tmpdir());
  cr_assert(d);
  struct dirent *e;
  while ((e = readdir(d)))
    cr_assert(strncmp(e->d_name, stem, strlen(stem)) != 0 &&
                  !(e->d_name[0] == '.' && strstr(e->d_name, stem)),
              "left behind: %s", e->d_name);
  closedir(d);
}

/* Run with --map Co=co.npy plus `map_arg` ('@' stands for in.h5) and `extra`. */
static void bad_case(const char *map_arg, const char *extra, int expect, const char *message) {
  char mapbuf[1024], args[4096], *text = NULL;
  const char *at = strchr(map_arg, '@');
  if (at)
    snprintf(mapbuf, sizeof mapbuf, "%.*s%s%s", (int)(at - map_arg), map_arg,
             sf_test_path("in.h5"), at + 1);
  else
    snprintf(mapbuf, sizeof mapbuf, "%s", map_arg);
  snprintf(args, sizeof args,
           "--progress=none fuse --haadf %s:/HAADF --map Co=%s --map %s -o %s %s",
           sf_test_path("in.h5"), sf_test_path("co.npy"), mapbuf, sf_test_path("bad.emd"), extra);
  int rc = sf_test_run_cli(args, &text);
  cr_assert_eq(rc, expect, "exit %d (expected %d) for %s:\n%s", rc, expect, args, text);
  cr_assert(strstr(text, message), "message without \"%s\":\n%s", message, text);
  free(text);
  assert_no_output("bad");
}

Test(fuse_cli, bad_inputs_fail_cleanly) {
  write_inputs();
  bad_case("Mn=@:/maps/Mn_small", "", 1, "same size");
  bad_case("O=@:/maps/O_nan", "", 1, "NaN or Inf");
  bad_case("O=@:/maps/O_inf", "", 1, "inf");
  bad_case("O=@:/maps/O_neg", "", 1, "counts must be >= 0");
  bad_case("Xx=@:/maps/Mn", "", 2, "Xx");
  bad_case("Mn=@:/maps/nothere", "", 1, "/maps/nothere");
  bad_case("Co=@:/maps/Mn", "", 2, "element Co given twice");
  bad_case("Mn=@:/maps/Mn", "--gamma 0", 2, "(0, 4]");
  bad_case("Mn=@:/maps/Mn", "--gamma 4.5", 2, "(0, 4]");
  bad_case("Mn=@:/maps/Mn", "--weights 1,2,3", 2, "3 numbers for 2 elements");
  bad_case("Mn=@:/maps/Mn", "--mode reference --auto-lambda", 2, "--mode default");
  bad_case("Mn:@:/maps/Mn", "", 2, "El=SRC");
  bad_case("Mn=nothere.npy", "", 1, "nothere.npy");
}
