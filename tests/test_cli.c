/* The command line: help, version, dispatch, `info` and `pattern`, and
   their errors (exit codes and messages). */
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(const char *args, char **out) { return sf_test_run_cli(args, out); }

Test(cli, help_lists_commands_and_version_prints) {
  char *out;
  cr_assert_eq(run("--help", &out), 0);
  cr_assert(strstr(out, "info"));
  cr_assert(strstr(out, "pattern"));
  cr_assert(strstr(out, "--progress=MODE"));
  free(out);
  cr_assert_eq(run("--version", &out), 0);
  cr_assert(strncmp(out, "stemfuse ", 9) == 0);
  free(out);
  cr_assert_eq(run("", &out), 2);
  free(out);
}

Test(cli, unknown_command_and_option_are_usage_errors) {
  char *out;
  cr_assert_eq(run("frobnicate", &out), 2);
  cr_assert(strstr(out, "unknown command 'frobnicate'"));
  free(out);
  cr_assert_eq(run("pattern --bogus 1 -o x.emd", &out), 2);
  cr_assert(strstr(out, "unknown option '--bogus'"));
  free(out);
  cr_assert_eq(run("pattern --nx abc -o x.emd", &out), 2);
  cr_assert(strstr(out, "--nx abc: expected an integer"));
  free(out);
  cr_assert_eq(run("--threads=0 info x", &out), 2);
  free(out);
  cr_assert_eq(run("--progress=loud info x", &out), 2);
  cr_assert(strstr(out, "loud"));
  free(out);
}

Test(cli, info_reports_missing_text_and_truncated_files) {
  char *out, args[1200];
  snprintf(args, sizeof args, "info '%s'", sf_test_path("missing.emd"));
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "missing.emd: No such file"), "%s", out);
  free(out);

  const char *text = sf_test_write_text("notes.txt", "just some text\n");
  snprintf(args, sizeof args, "info '%s'", text);
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "notes.txt: not an EMD/HDF5 or NPY file"), "%s", out);
  free(out);

  /* A valid file cut in half. */
  const char *full = sf_test_path("full.emd");
  snprintf(args, sizeof args, "-q pattern --no-png --nx 16 --ny 16 -o '%s'", full);
  cr_assert_eq(run(args, NULL), 0);
  FILE *f = fopen(full, "rb");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *bytes = malloc((size_t)size);
  cr_assert_eq(fread(bytes, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  const char *cut = sf_test_path("cut.emd");
  f = fopen(cut, "wb");
  fwrite(bytes, 1, (size_t)size / 2, f);
  fclose(f);
  free(bytes);
  snprintf(args, sizeof args, "info '%s'", cut);
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "cut.emd"), "%s", out);
  cr_assert(strstr(out, "truncated"), "%s", out);
  free(out);
}

/* The orientation probe: value(iy, ix) = 1000 iy + ix, shown by `info` as
   min 0 and max 1000 (ny-1) + (nx-1), with the calibration. */
Test(cli, pattern_then_info_shows_shapes_and_calibration) {
  char *out, args[1200];
  const char *path = sf_test_path("p.emd");
  snprintf(args, sizeof args, "pattern --nx 7 --ny 5 --nz 4 --pixel-size-A 0.5 -o '%s'", path);
  cr_assert_eq(run(args, &out), 0, "%s", out);
  free(out);
  cr_assert(sf_test_file_exists(sf_test_path("p_pattern_image.png")));
  snprintf(args, sizeof args, "info '%s'", path);
  cr_assert_eq(run(args, &out), 0);
  cr_assert(strstr(out, "pattern_image: float32 image, nx 7 x ny 5 (numpy shape (5, 7))"), "%s",
            out);
  cr_assert(strstr(out, "min 0, max 4006"), "%s", out);
  cr_assert(strstr(out, "origin 0, step 0.5 [Å]"), "%s", out);
  cr_assert(strstr(out, "origin 100, step 0.5 [eV]"), "%s", out);
  cr_assert(strstr(out, "generator = \"stemfuse\""), "%s", out);
  free(out);
}

Test(cli, pattern_never_overwrites_without_force) {
  char *out, args[1200];
  const char *path = sf_test_path("keep.emd");
  snprintf(args, sizeof args, "-q pattern --no-png -o '%s'", path);
  cr_assert_eq(run(args, NULL), 0);
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "already exists"), "%s", out);
  free(out);
  snprintf(args, sizeof args, "-q pattern --no-png --force -o '%s'", path);
  cr_assert_eq(run(args, NULL), 0);
}

/* A refusal on any output (here an existing preview) must leave no new file. */
Test(cli, pattern_checks_every_output_before_writing) {
  char *out, args[1200];
  const char *path = sf_test_path("q.emd");
  sf_test_write_text("q_pattern_cube.png", "old preview");
  snprintf(args, sizeof args, "pattern -o '%s'", path);
  cr_assert_eq(run(args, &out), 1);
  cr_assert(strstr(out, "q_pattern_cube.png: output already exists"), "%s", out);
  free(out);
  cr_assert_not(sf_test_file_exists(path));
  cr_assert_not(sf_test_file_exists(sf_test_path("q_pattern_image.png")));
}
