/* cmd_pattern.c - `stemfuse pattern`: the orientation and calibration test set.

   Writes an image whose value is 1000*iy + ix and a cube with 1e6*iz added,
   so any reader can be checked for axis order, orientation and calibration
   (file-formats.md §8). PNG previews of both sit beside the .emd. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "io/sf_emd.h"
#include "io/sf_png.h"

#include <stdio.h>
#include <string.h>

static int fill_pattern(sf_imageset *set, long nx, long ny, long nz, double pixel_A) {
  sf_map *img, *cube;
  SF_TRY(sf_imageset_add_map(set, "pattern_image", SF_F32, (size_t)nx, (size_t)ny, 1, &img));
  SF_TRY(sf_imageset_add_map(set, "pattern_cube", SF_F32, (size_t)nx, (size_t)ny, (size_t)nz,
                             &cube));
  for (long iy = 0; iy < ny; ++iy)
    for (long ix = 0; ix < nx; ++ix) {
      sf_map_set(img, (size_t)ix, (size_t)iy, 0, 1000.0 * (double)iy + (double)ix);
      for (long iz = 0; iz < nz; ++iz)
        sf_map_set(cube, (size_t)ix, (size_t)iy, (size_t)iz,
                   1e6 * (double)iz + 1000.0 * (double)iy + (double)ix);
    }
  for (int k = 0; k < 2; ++k) {
    sf_map *m = k ? cube : img;
    SF_TRY(sf_map_set_axis(m, 0, "x", "Å", 0.0, pixel_A));
    SF_TRY(sf_map_set_axis(m, 1, "y", "Å", 0.0, pixel_A));
    snprintf(m->quantity, sizeof m->quantity, "Test pattern");
    SF_TRY(sf_attrs_set_string(&m->attrs, "", "formula",
                               k ? "1e6*iz + 1000*iy + ix" : "1000*iy + ix"));
  }
  SF_TRY(sf_map_set_axis(cube, 2, "Energy loss", "eV", 100.0, 0.5));
  SF_TRY(sf_attrs_set_double(&set->attrs, "microscope", "beam_energy_keV", 300.0));
  SF_TRY(sf_attrs_set_string(&set->attrs, "sample", "formula", "test pattern"));
  return SF_OK;
}

/* PNG previews next to the .emd: OUT.emd -> OUT_pattern_image.png, OUT_pattern_cube.png. */
static void preview_path(char *path, size_t size, const char *out, const char *map_name) {
  size_t stem = strlen(out);
  if (stem >= 4 && strcmp(out + stem - 4, ".emd") == 0)
    stem -= 4;
  snprintf(path, size, "%.*s_%s.png", (int)stem, out, map_name);
}

/* Every output must be writable before anything is written. */
static int check_outputs(const char *out, int png, int force) {
  static const char *const names[] = {"pattern_image", "pattern_cube"};
  char path[4096];
  SF_TRY(sf_atomic_check(out, force));
  for (int i = 0; png && i < 2; ++i) {
    preview_path(path, sizeof path, out, names[i]);
    SF_TRY(sf_atomic_check(path, force));
  }
  return SF_OK;
}

static int write_previews(const sf_imageset *set, const char *out, int force) {
  char path[4096];
  for (size_t i = 0; i < set->count; ++i) {
    const sf_map *m = set->maps[i];
    preview_path(path, sizeof path, out, m->name);
    SF_TRY(sf_io_png_write_map(m, 0, path, 0.0, 100.0, force));
    sf_log(SF_LOG_NOTE, "preview: %s", path);
  }
  return SF_OK;
}

int sf_cmd_pattern(int argc, char **argv) {
  long nx = 64, ny = 48, nz = 8;
  double pixel_A = 0.25;
  const char *out = NULL;
  int force = 0, no_png = 0;
  const sf_cli_option options[] = {
      {"output", 'o', SF_OPT_STRING, &out, "OUT.emd", "output file (required)"},
      {"nx", 0, SF_OPT_INT, &nx, "N", "columns (default 64)"},
      {"ny", 0, SF_OPT_INT, &ny, "N", "rows (default 48)"},
      {"nz", 0, SF_OPT_INT, &nz, "N", "cube depth (default 8)"},
      {"pixel-size-A", 0, SF_OPT_DOUBLE, &pixel_A, "A", "pixel size in Å (default 0.25)"},
      {"no-png", 0, SF_OPT_FLAG, &no_png, NULL, "do not write PNG previews"},
      {"force", 0, SF_OPT_FLAG, &force, NULL, "overwrite existing outputs"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      "pattern", "[options] -o OUT.emd",
      "Write a calibrated test set: image `pattern_image` = 1000*iy + ix and cube `pattern_cube` =\n"
      "1e6*iz + 1000*iy + ix (energy axis 100 eV + 0.5 eV*iz), pixels in Å, with PNG\n"
      "previews. Load it in any reader to check axis order, orientation and calibration:\n"
      "the value at row 3, column 5 must be 3005.",
      options, 0, 0};
  const char *pos[1];
  int npos;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  if (!out)
    return sf_cli_usage_error("pattern", "missing -o OUT.emd");
  if (nx < 1 || ny < 1 || nz < 1 || nx > 100000 || ny > 100000 || nz > 100000)
    return sf_cli_usage_error("pattern", "--nx %ld --ny %ld --nz %ld: each must be 1..100000", nx,
                              ny, nz);
  if (!(pixel_A > 0))
    return sf_cli_usage_error("pattern", "--pixel-size-A %g: must be > 0", pixel_A);

  int status = check_outputs(out, !no_png, force);
  if (status != SF_OK)
    return sf_cli_fail("pattern", status);
  sf_imageset *set = sf_imageset_create();
  status = set ? SF_OK : SF_ENOMEM;
  if (status == SF_OK)
    status = fill_pattern(set, nx, ny, nz, pixel_A);
  if (status == SF_OK)
    status = sf_imageset_set_provenance(set, sf_cli_argc, sf_cli_argv, 0, 0, NULL);
  if (status == SF_OK)
    status = sf_io_emd_write(set, out, force);
  if (status == SF_OK && !no_png)
    status = write_previews(set, out, force);
  sf_imageset_destroy(set);
  if (status != SF_OK)
    return sf_cli_fail("pattern", status);
  sf_out("%s\n", out);
  return 0;
}
