/* cmd_simulate.c - `stemfuse simulate CONFIG -o OUT.emd`: an elastic STEM
   simulation (multislice or PRISM, frozen phonons, thickness series) from a
   configuration file (docs/simulate.md). Everything is checked before any
   work: the configuration against its schema, the physics (sampling,
   detectors, scan, memory), the output names and every output path. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "io/sf_config.h"
#include "io/sf_emd.h"
#include "io/sf_png.h"
#include "sim/sf_simulate_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#define CMD "simulate"

/* OUT.emd -> OUT_<map>.png */
static int preview_path(char *path, size_t size, const char *out, const char *map_name) {
  size_t stem = strlen(out);
  if (stem >= 4 && strcmp(out + stem - 4, ".emd") == 0)
    stem -= 4;
  int n = snprintf(path, size, "%.*s_%s.png", (int)stem, out, map_name);
  if (n < 0 || (size_t)n >= size)
    return sf_error_set(SF_EINVAL, "%s: output path too long", out);
  return SF_OK;
}

/* Previews: the 2-D mean maps. */
static int wants_preview(const sf_map *m) {
  size_t len = strlen(m->name);
  return m->nz == 1 && len > 5 && strcmp(m->name + len - 5, "_mean") == 0;
}

/* Every output path may be written (before any work). */
static int check_outputs(const sf_simulate_setup *s, const char *out, int force) {
  SF_TRY(sf_atomic_check(out, force));
  if (!s->png)
    return SF_OK;
  sf_imageset *plan = sf_imageset_create();
  if (!plan)
    return SF_ENOMEM;
  int status = sf_simulate_output_names(s, plan);
  char path[4096];
  for (size_t i = 0; status == SF_OK && i < plan->count; ++i) {
    if (!wants_preview(plan->maps[i]))
      continue;
    status = preview_path(path, sizeof path, out, plan->maps[i]->name);
    if (status == SF_OK)
      status = sf_atomic_check(path, force);
  }
  sf_imageset_destroy(plan);
  return status;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void summary(const sf_simulate_setup *s, const sf_simulate_cost *cost) {
  const sf_stem_params *p = &s->params;
  sf_wavegrid g;
  if (sf_stem_params_grid(p, &g) != SF_OK)
    return;
  const sf_structure *st = s->structure;
  sf_log(SF_LOG_NOTE, "structure: %s: %zu atoms, cell %.4g x %.4g x %.4g Å", s->structure_source,
         st->count, st->cell_A[0], st->cell_A[1], st->cell_A[2]);
  sf_log(SF_LOG_NOTE,
         "grid: %zu x %zu pixels of %.5g Å (alpha_max %.4g mrad at band limit %.3g); %zu slices "
         "of %.5g Å",
         p->nx, p->ny, p->sampling_A, g.alpha_max_mrad, p->band_limit, p->n_slices,
         p->slice_thickness_A);
  double C30 = 0.0;
  sf_aberrations_get(&p->probe.aberrations, "C30", &C30, NULL);
  sf_log(SF_LOG_NOTE,
         "probe: %g keV (lambda %.5g Å), %g mrad, defocus %g Å, C30 %g mm, source sigma %g Å, "
         "focal spread %g Å",
         p->energy_keV, g.lambda_A, p->probe.semiangle_mrad, -p->probe.aberrations.C10_A,
         C30 * 1e-7, p->probe.source_sigma_A, p->probe.focal_spread_A);
  char dets[1024] = "";
  size_t used = 0;
  for (size_t i = 0; i < p->detectors.n_detectors && used < sizeof dets; ++i) {
    const sf_detector *d = &p->detectors.detectors[i];
    used += (size_t)snprintf(dets + used, sizeof dets - used, "%s%s %g-%g mrad", i ? ", " : "",
                             d->name, d->inner_mrad, d->outer_mrad);
  }
  sf_log(SF_LOG_NOTE, "detectors: %s; radial bins %g mrad%s", used ? dets : "none",
         p->detectors.bin_width_mrad, p->detectors.com ? "; centre of mass" : "");
  const sf_scan *sc = s->scan;
  if (sc->is_grid)
    sf_log(SF_LOG_NOTE, "scan: %zu x %zu = %zu probes, step %.5g Å from (%.5g, %.5g) Å", sc->nx,
           sc->ny, sc->n, sc->step_x_A, sc->origin_x_A, sc->origin_y_A);
  else
    sf_log(SF_LOG_NOTE, "scan: %zu listed probe positions", sc->n);
  sf_log(SF_LOG_NOTE, "depths: %zu (%s); configurations: %zu%s (seed %llu)",
         p->n_depths > 0 ? p->n_depths : 1, p->n_depths > 0 ? "thickness series" : "exit only",
         s->configurations, s->configurations ? " frozen phonons" : " = static lattice",
         (unsigned long long)s->seed);
  if (cost->prism_beams)
    sf_log(SF_LOG_NOTE, "algorithm: PRISM f = %d, %zu beams", p->prism_f, cost->prism_beams);
  else
    sf_log(SF_LOG_NOTE, "algorithm: multislice");
  sf_log(SF_LOG_NOTE,
         "estimate: memory about %.4g MiB (limit %.4g MiB); time about %.3g s (one FFT %.3g ms)",
         cost->memory_bytes / 1048576.0, p->memory_limit_bytes / 1048576.0, cost->time_s,
         cost->fft_s * 1e3);
}

/* Written files, removed again if a later one fails. */
typedef struct written {
  char **paths;
  size_t n;
} written;

static int remember(written *w, const char *path) {
  char **grown = realloc(w->paths, (w->n + 1) * sizeof *grown);
  if (!grown)
    return sf_error_set(SF_ENOMEM, "simulate: output list");
  w->paths = grown;
  w->paths[w->n] = strdup(path);
  if (!w->paths[w->n])
    return sf_error_set(SF_ENOMEM, "simulate: output list");
  ++w->n;
  return SF_OK;
}

static void forget(written *w, int remove_files) {
  for (size_t i = 0; i < w->n; ++i) {
    if (remove_files)
      unlink(w->paths[i]);
    free(w->paths[i]);
  }
  free(w->paths);
  w->paths = NULL;
  w->n = 0;
}

static int write_outputs(const sf_simulate_setup *s, const sf_imageset *set, const char *out,
                         int force, written *w) {
  SF_TRY(sf_imageset_check_names(set));
  SF_TRY(sf_io_emd_write(set, out, force));
  SF_TRY(remember(w, out));
  char path[4096];
  for (size_t i = 0; s->png && i < set->count; ++i) {
    const sf_map *m = set->maps[i];
    if (!wants_preview(m))
      continue;
    SF_TRY(preview_path(path, sizeof path, out, m->name));
    SF_TRY(sf_io_png_write_map(m, 0, path, 0.0, 100.0, force));
    SF_TRY(remember(w, path));
  }
  return SF_OK;
}

/* Directory of the config file ("" for the working directory). */
static void config_dir(const char *path, char *dir, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash)
    snprintf(dir, size, "%s", "");
  else if (slash == path)
    snprintf(dir, size, "/");
  else
    snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

static int run(const sf_simulate_setup *s, const sf_config *cfg, const char *out, int force) {
  sf_simulate_cost cost;
  SF_TRY(sf_simulate_estimate(s, &cost));
  summary(s, &cost);
  const double t0 = now_s();
  sf_stem_result *res = NULL;
  SF_TRY(sf_simulate_run(s, &res));
  const double wall = now_s() - t0;
  sf_log(SF_LOG_NOTE, "simulated in %.3g s", wall);
  sf_imageset *set = sf_imageset_create();
  char *text = NULL;
  int status = set ? SF_OK : SF_ENOMEM;
  if (status == SF_OK)
    status = sf_simulate_to_imageset(s, res, wall, set);
  sf_stem_result_destroy(res);
  if (status == SF_OK)
    status = sf_config_dump(cfg, sf_simulate_config_schema(), &text);
  if (status == SF_OK)
    status = sf_imageset_set_provenance(set, sf_cli_argc, sf_cli_argv, 1, s->seed, text);
  free(text);
  written w = {NULL, 0};
  if (status == SF_OK)
    status = write_outputs(s, set, out, force, &w);
  if (status == SF_OK) {
    sf_log(SF_LOG_NOTE, "wrote %s (%zu signals)", out, set->count);
    if (w.n > 1)
      sf_log(SF_LOG_NOTE, "wrote %zu PNG previews: %s ... %s", w.n - 1, w.paths[1],
             w.paths[w.n - 1]);
    for (size_t i = 1; i < w.n; ++i)
      sf_log(SF_LOG_INFO, "preview: %s", w.paths[i]);
  }
  forget(&w, status != SF_OK);
  sf_imageset_destroy(set);
  return status;
}

int sf_cmd_simulate(int argc, char **argv) {
  const char *out = NULL;
  int force = 0, dump = 0;
  sf_cli_list sets = {{NULL}, 0};
  const sf_cli_option options[] = {
      {"output", 'o', SF_OPT_STRING, &out, "OUT.emd",
       "output file (required unless --dump-config)"},
      {"set", 0, SF_OPT_LIST, &sets, "TABLE.KEY=VALUE",
       "override one key (repeatable), e.g. --set phonons.configurations=8"},
      {"dump-config", 0, SF_OPT_FLAG, &dump, NULL,
       "print the resolved configuration (every default included) and exit"},
      {"force", 0, SF_OPT_FLAG, &force, NULL, "overwrite existing outputs"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      CMD, "CONFIG.toml [--set table.key=value ...] -o OUT.emd",
      "Elastic STEM simulation (multislice or PRISM) of the structure, probe, detectors and\n"
      "scan described by CONFIG (docs/simulate.md). Writes the detector maps (mean and\n"
      "standard error over frozen-phonon configurations), the radial-bin cube, the thickness\n"
      "series, every parameter and the resolved configuration into OUT.emd, with PNG previews\n"
      "next to it. Everything is checked before any work.",
      options, 1, 1};
  const char *pos[1] = {NULL};
  int npos = 0;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  if (!out && !dump)
    return sf_cli_usage_error(CMD, "missing -o OUT.emd");

  sf_config *cfg = NULL;
  int status = sf_config_parse_file(pos[0], &cfg);
  for (int i = 0; status == SF_OK && i < sets.count; ++i)
    status = sf_config_set(cfg, sets.items[i]);
  if (status == SF_OK)
    status = sf_config_validate(cfg, sf_simulate_config_schema());
  if (status == SF_OK && dump) {
    char *text = NULL;
    status = sf_config_dump(cfg, sf_simulate_config_schema(), &text);
    if (status == SF_OK)
      sf_out("%s", text);
    free(text);
    sf_config_destroy(cfg);
    return status == SF_OK ? 0 : sf_cli_fail(CMD, status);
  }
  if (status == SF_OK)
    status = sf_atomic_check(out, force);
  char dir[4096];
  config_dir(pos[0], dir, sizeof dir);
  sf_simulate_setup *s = NULL;
  if (status == SF_OK)
    status = sf_simulate_setup_create(cfg, dir, &s);
  if (status == SF_OK)
    status = sf_simulate_setup_check(s);
  if (status == SF_OK)
    status = check_outputs(s, out, force);
  if (status == SF_OK)
    status = run(s, cfg, out, force);
  sf_simulate_setup_destroy(s);
  sf_config_destroy(cfg);
  if (status != SF_OK)
    return sf_cli_fail(CMD, status);
  sf_out("%s\n", out);
  return 0;
}
