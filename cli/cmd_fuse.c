/* cmd_fuse.c - `stemfuse fuse`: fused multi-modal recovery of elemental maps
   from a HAADF image and chemical maps (recon/sf_fuse_imageset.h).

   Writes OUT.emd with the inputs (HAADF, <El>_raw), the fused maps
   (<El>_fused), relative concentrations (<El>_relconc), standard errors
   (<El>_stderr), the cost history and every parameter (group "fusion"), and
   next to it PNG previews of every map (OUT_<map>.png), an RGB overlay of the
   first three fused maps (OUT_overlay.png) and the convergence plot of the
   three cost terms (OUT_convergence.png). Every output is checked before any
   work and written under a temporary name; all are renamed into place only
   when all were written. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "io/sf_emd.h"
#include "io/sf_png.h"
#include "io/sf_source.h"
#include "potentials/sf_elements.h"
#include "recon/sf_fuse_imageset.h"
#include "validate/sf_plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD "fuse"
#define MAX_OUT (3 + 5 * SF_FUSE_MAX_ELEMENTS)

/* ---- output paths ---- */

static void side_path(char *path, size_t size, const char *out, const char *name) {
  size_t stem = strlen(out);
  if (stem >= 4 && strcmp(out + stem - 4, ".emd") == 0)
    stem -= 4;
  snprintf(path, size, "%.*s_%s.png", (int)stem, out, name);
}

typedef struct out_files {
  char *path[MAX_OUT];
  sf_atomic_file af[MAX_OUT];
  int n;
} out_files;

static void out_files_free(out_files *of) {
  for (int k = 0; k < of->n; k++) {
    sf_atomic_abort(&of->af[k]);
    free(of->path[k]);
  }
  of->n = 0;
}

static int out_files_add(out_files *of, const char *path) {
  if (of->n == MAX_OUT)
    return sf_error_set(SF_EINVAL, "too many output files");
  for (int k = 0; k < of->n; k++)
    if (strcmp(of->path[k], path) == 0)
      return sf_error_set(SF_EINVAL, "output %s named twice", path);
  of->path[of->n] = strdup(path);
  if (!of->path[of->n])
    return sf_error_set(SF_ENOMEM, "output path");
  memset(&of->af[of->n], 0, sizeof of->af[of->n]);
  of->n++;
  return SF_OK;
}

/* The temporary path of output `path` (begun on first use). */
static int out_files_tmp(out_files *of, const char *path, int force, const char **tmp) {
  for (int k = 0; k < of->n; k++)
    if (strcmp(of->path[k], path) == 0) {
      if (!of->af[k].tmp_path)
        SF_TRY(sf_atomic_begin(path, force, &of->af[k]));
      *tmp = of->af[k].tmp_path;
      return SF_OK;
    }
  return sf_error_set(SF_EINVAL, "%s: not a planned output", path);
}

static int out_files_commit(out_files *of) {
  for (int k = 0; k < of->n; k++)
    if (of->af[k].tmp_path)
      SF_TRY(sf_atomic_commit(&of->af[k]));
  return SF_OK;
}

/* ---- option values ---- */

typedef struct element_arg {
  char symbol[8];
  const char *source;
} element_arg;

static int parse_weights(const char *text, sf_fuse_weight_mode *mode, double *custom, size_t ne,
                         int *have_custom) {
  static const struct {
    const char *name;
    sf_fuse_weight_mode mode;
  } names[] = {{"z-gamma", SF_FUSE_WEIGHT_PAPER},      {"paper", SF_FUSE_WEIGHT_PAPER},
               {"z-mean", SF_FUSE_WEIGHT_Z_MEAN},      {"z_mean", SF_FUSE_WEIGHT_Z_MEAN},
               {"sum", SF_FUSE_WEIGHT_SUM},            {"z-sum", SF_FUSE_WEIGHT_Z_SUM},
               {"z_sum", SF_FUSE_WEIGHT_Z_SUM},        {"zgamma-mean", SF_FUSE_WEIGHT_ZGAMMA_MEAN},
               {"zgamma_mean", SF_FUSE_WEIGHT_ZGAMMA_MEAN},
               {"zgamma-sum", SF_FUSE_WEIGHT_ZGAMMA_SUM},
               {"zgamma_sum", SF_FUSE_WEIGHT_ZGAMMA_SUM}};
  *have_custom = 0;
  for (size_t k = 0; k < sizeof names / sizeof *names; k++)
    if (strcmp(text, names[k].name) == 0) {
      *mode = names[k].mode;
      return 0;
    }
  /* a comma list of numbers, one per --map in order */
  const char *c = text;
  size_t got = 0;
  while (*c) {
    char *end;
    double v = strtod(c, &end);
    if (end == c || (*end && *end != ',') || !isfinite(v) || v < 0.0)
      return sf_cli_usage_error(CMD,
                                "--weights %s: expected z-gamma, z-mean, sum, z-sum, "
                                "zgamma-mean, zgamma-sum or %zu comma-separated numbers >= 0 "
                                "(one per --map)",
                                text, ne);
    if (got < ne)
      custom[got] = v;
    got++;
    c = *end ? end + 1 : end;
  }
  if (got != ne)
    return sf_cli_usage_error(CMD, "--weights %s: %zu numbers for %zu elements", text, got, ne);
  *mode = SF_FUSE_WEIGHT_CUSTOM;
  *have_custom = 1;
  return 0;
}

/* ---- previews and the convergence plot ---- */

static int write_previews(const sf_imageset *set, const char *out, out_files *of, int force) {
  char path[4096];
  const char *tmp = NULL;
  for (size_t i = 0; i < set->count; i++) {
    side_path(path, sizeof path, out, set->maps[i]->name);
    SF_TRY(out_files_tmp(of, path, force, &tmp));
    SF_TRY(sf_io_png_write_map(set->maps[i], 0, tmp, 0.5, 99.5, 0));
  }
  return SF_OK;
}

static int write_overlay(const sf_imageset *set, const element_arg *el, size_t ne,
                         const char *out, out_files *of, int force) {
  if (ne < 2)
    return SF_OK;
  const sf_map *ch[3] = {NULL, NULL, NULL};
  char name[SF_NAME_MAX], path[4096];
  for (size_t i = 0; i < ne && i < 3; i++) {
    SF_TRY(sf_fuse_imageset_map_name(el[i].symbol, "fused", name, sizeof name));
    ch[i] = sf_imageset_find(set, name);
  }
  const char *tmp = NULL;
  side_path(path, sizeof path, out, "overlay");
  SF_TRY(out_files_tmp(of, path, force, &tmp));
  return sf_io_png_write_rgb(ch[0], ch[1], ch[2], tmp, 0.5, 99.5, 0);
}

/* Positive, finite points of scale * v[k] (absolute values when any is negative). */
static size_t series_points(const double *v, size_t n, double scale, int first_x, double *xs,
                            double *ys, int *absolute) {
  *absolute = 0;
  for (size_t k = 0; k < n; k++)
    if (scale * v[k] < 0.0)
      *absolute = 1;
  size_t m = 0;
  for (size_t k = 0; k < n; k++) {
    double y = *absolute ? fabs(scale * v[k]) : scale * v[k];
    if (y > 0.0 && isfinite(y)) {
      xs[m] = (double)((int)k + first_x);
      ys[m++] = y;
    }
  }
  return m;
}

static int write_convergence(const sf_imageset *set, const char *out, out_files *of,
                             int force) {
  const sf_attrs *a = &set->attrs;
  const char *def = sf_attrs_get_string(a, SF_FUSE_ATTR_GROUP, "cost_definition");
  const sf_attr *h = sf_attrs_find(a, SF_FUSE_ATTR_GROUP, "cost_haadf");
  const sf_attr *c = sf_attrs_find(a, SF_FUSE_ATTR_GROUP, "cost_chem");
  const sf_attr *t = sf_attrs_find(a, SF_FUSE_ATTR_GROUP, "cost_tv");
  double lc = 0.0, lt = 0.0;
  if (!def || !h || !c || !t || h->type != SF_ATTR_DOUBLES ||
      sf_attrs_get_double(a, SF_FUSE_ATTR_GROUP, "lambda_chem", &lc) != SF_OK ||
      sf_attrs_get_double(a, SF_FUSE_ATTR_GROUP, "lambda_tv", &lt) != SF_OK)
    return sf_error_set(SF_EINVAL, "fuse: the cost history is missing from the results");
  const int ref = strcmp(def, "reference") == 0;
  const size_t n = h->n_values;
  double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
  sf_plot *p = sf_plot_create(800, 520);
  int st = (xs && ys && p) ? SF_OK : sf_error_set(SF_ENOMEM, "convergence plot");
  if (st == SF_OK) {
    st = sf_plot_set_log_y(p, 1);
    if (st == SF_OK)
      st = sf_plot_set_title(p, ref ? "Convergence (reference-mode costs)"
                                    : "Convergence (terms of the objective)");
    if (st == SF_OK)
      st = sf_plot_set_xlabel(p, "iteration");
    if (st == SF_OK)
      st = sf_plot_set_ylabel(p, "cost term");
  }
  const sf_attr *series[3] = {h, c, t};
  const char *names_ref[3] = {"costHAADF", "costChem", "costTV"};
  const char *names_def[3] = {"Psi1 (HAADF)", "λ_chem Psi2", "λ_tv TV"};
  const double scale[3] = {1.0, ref ? 1.0 : lc, ref ? 1.0 : lt};
  for (int k = 0; st == SF_OK && k < 3; k++) {
    int absolute;
    size_t m = series_points(series[k]->values, series[k]->n_values, scale[k], ref ? 1 : 0, xs,
                             ys, &absolute);
    char label[64];
    snprintf(label, sizeof label, absolute ? "|%s|" : "%s", ref ? names_ref[k] : names_def[k]);
    if (m > 0)
      st = sf_plot_add_series(p, label, xs, ys, m, NULL);
  }
  char path[4096];
  const char *tmp = NULL;
  side_path(path, sizeof path, out, "convergence");
  if (st == SF_OK)
    st = out_files_tmp(of, path, force, &tmp);
  if (st == SF_OK)
    st = sf_plot_write_png(p, tmp, 0);
  sf_plot_destroy(p);
  free(xs);
  free(ys);
  return st;
}

/* ---- the command ---- */

static int load_inputs(sf_imageset *set, const char *haadf, const element_arg *el, size_t ne,
                       double pixel_A) {
  sf_map *m;
  SF_TRY(sf_io_load_map(haadf, set, "HAADF", &m));
  for (size_t i = 0; i < ne; i++) {
    char name[SF_NAME_MAX];
    SF_TRY(sf_fuse_imageset_map_name(el[i].symbol, "raw", name, sizeof name));
    SF_TRY(sf_io_load_map(el[i].source, set, name, NULL));
  }
  if (pixel_A > 0.0)
    for (size_t k = 0; k < set->count; k++) {
      sf_map *mk = set->maps[k];
      if (sf_axis_length_scale_A(&mk->axis[0]) > 0.0)
        sf_log(SF_LOG_WARN, "fuse: map %s is calibrated (%g %s per pixel); --pixel-size-A %g "
                            "replaces it",
               mk->name, mk->axis[0].step, mk->axis[0].units, pixel_A);
      SF_TRY(sf_map_set_axis(mk, 0, "x", "Å", 0.0, pixel_A));
      SF_TRY(sf_map_set_axis(mk, 1, "y", "Å", 0.0, pixel_A));
    }
  return SF_OK;
}

int sf_cmd_fuse(int argc, char **argv) {
  const char *haadf = NULL, *out = NULL, *mode_text = "default", *weights = NULL;
  const char *tv_variant = NULL, *chem_model = NULL, *mr_method = "fourier";
  sf_cli_list maps = {{0}, 0};
  double gamma = NAN, lambda_chem = NAN, lambda_tv = NAN, background = NAN, tol = NAN;
  double pixel_A = 0.0, x0_threshold = NAN, mr_factor = 2.0;
  long iterations = -1, tv_iterations = -1, seed = -1;
  int auto_lambda = 0, auto_chem = 0, multires = 0, force = 0, no_png = 0, no_stderr = 0;
  int estimate_yield = 0, fit_offset = 0;
  const sf_cli_option options[] = {
      {"haadf", 0, SF_OPT_STRING, &haadf, "SRC", "HAADF image: file.emd:signal, file.h5:/dataset "
                                                 "or file.npy (required)"},
      {"map", 0, SF_OPT_LIST, &maps, "El=SRC", "chemical map of element El (repeat; required)"},
      {"output", 'o', SF_OPT_STRING, &out, "OUT.emd", "output file (required)"},
      {"mode", 0, SF_OPT_STRING, &mode_text, "MODE",
       "default (this solver) or reference (the published loop; default: default)"},
      {"gamma", 0, SF_OPT_DOUBLE, &gamma, "G", "HAADF exponent in (0, 4] (default 1.7; "
                                               "reference 1.6)"},
      {"weights", 0, SF_OPT_STRING, &weights, "W",
       "z-gamma (the paper's (Z x)^gamma), z-mean (Z/mean Z), sum, z-sum, zgamma-mean, "
       "zgamma-sum, or numbers a,b,... (default z-gamma; reference z-mean)"},
      {"lambda-chem", 0, SF_OPT_DOUBLE, &lambda_chem, "L",
       "weight of the chemical term (default 1; reference 0.006)"},
      {"lambda-tv", 0, SF_OPT_DOUBLE, &lambda_tv, "L",
       "weight of TV, units of the chemical maps (default 0.5; reference 0.022)"},
      {"background", 0, SF_OPT_DOUBLE, &background, "EPS",
       "Poisson background eps > 0 (default 0.01)"},
      {"iterations", 0, SF_OPT_INT, &iterations, "N",
       "outer iteration cap (default 1000; reference: exactly N, default 30)"},
      {"tv-iterations", 0, SF_OPT_INT, &tv_iterations, "N",
       "inner TV iterations (default: at most 10; reference: exactly N, default 6)"},
      {"tol", 0, SF_OPT_DOUBLE, &tol, "T",
       "stop when the relative change of x < T and of the cost < 1e-4 T (default 1e-5)"},
      {"chem-model", 0, SF_OPT_STRING, &chem_model, "M", "poisson (counts, default) or lsq"},
      {"estimate-yield", 0, SF_OPT_FLAG, &estimate_yield, NULL,
       "estimate one yield per element (relative concentrations without cross-sections)"},
      {"fit-offset", 0, SF_OPT_FLAG, &fit_offset, NULL, "fit a HAADF offset too"},
      {"tv-variant", 0, SF_OPT_STRING, &tv_variant, "V",
       "reference mode: tutorial_fgp_aniso (default) or ctvlib_gp_iso"},
      {"x0-threshold", 0, SF_OPT_DOUBLE, &x0_threshold, "T",
       "reference mode: start at 0 where the normalised map < T (default off)"},
      {"auto-lambda", 0, SF_OPT_FLAG, &auto_lambda, NULL,
       "choose lambda-tv by Poisson thinning cross-validation (default mode)"},
      {"auto-lambda-chem", 0, SF_OPT_FLAG, &auto_chem, NULL,
       "with --auto-lambda, also choose lambda-chem (grid 0.25 .. 4 times, 5 values)"},
      {"multires", 0, SF_OPT_FLAG, &multires, NULL,
       "start from a coarse solve (default mode)"},
      {"multires-method", 0, SF_OPT_STRING, &mr_method, "M", "fourier (default) or bin"},
      {"multires-factor", 0, SF_OPT_DOUBLE, &mr_factor, "F", "coarse reduction factor (default 2)"},
      {"seed", 0, SF_OPT_INT, &seed, "N", "seed of the thinning split (default 1)"},
      {"pixel-size-A", 0, SF_OPT_DOUBLE, &pixel_A, "A", "pixel size in Å for uncalibrated inputs"},
      {"no-stderr", 0, SF_OPT_FLAG, &no_stderr, NULL, "do not compute standard-error maps"},
      {"no-png", 0, SF_OPT_FLAG, &no_png, NULL, "do not write PNG previews and plots"},
      {"force", 0, SF_OPT_FLAG, &force, NULL, "overwrite existing outputs"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      CMD, "--haadf SRC --map El=SRC [--map El=SRC ...] -o OUT.emd [options]",
      "Fused multi-modal recovery: element maps from one HAADF image and chemical (EELS/EDX)\n"
      "maps. Writes OUT.emd with El_fused, El_relconc (x_i / sum_k x_k), El_stderr maps, the\n"
      "cost history and all parameters (group \"fusion\"), PNG previews OUT_<map>.png, an RGB\n"
      "overlay OUT_overlay.png and the convergence plot OUT_convergence.png. SRC is\n"
      "file.emd:signal, file.h5:/dataset or file.npy. See docs/fusion.md and\n"
      "docs/fusion-real-data.md.",
      options, 0, 0};
  const char *pos[1];
  int npos;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  if (!haadf)
    return sf_cli_usage_error(CMD, "missing --haadf SRC");
  if (maps.count == 0)
    return sf_cli_usage_error(CMD, "missing --map El=SRC");
  if (!out)
    return sf_cli_usage_error(CMD, "missing -o OUT.emd");
  if (maps.count > SF_FUSE_MAX_ELEMENTS)
    return sf_cli_usage_error(CMD, "%d --map options: at most %d elements", maps.count,
                              SF_FUSE_MAX_ELEMENTS);
  element_arg el[SF_FUSE_MAX_ELEMENTS];
  const size_t ne = (size_t)maps.count;
  for (size_t i = 0; i < ne; i++) {
    const char *eq = strchr(maps.items[i], '=');
    size_t len = eq ? (size_t)(eq - maps.items[i]) : 0;
    if (!eq || len == 0 || len >= sizeof el[i].symbol || !eq[1])
      return sf_cli_usage_error(CMD, "--map %s: expected El=SRC, e.g. Co=maps.h5:/Co",
                                maps.items[i]);
    memcpy(el[i].symbol, maps.items[i], len);
    el[i].symbol[len] = '\0';
    el[i].source = eq + 1;
    int Z;
    if (sf_element_from_symbol(el[i].symbol, &Z) != SF_OK)
      return sf_cli_usage_error(CMD, "--map %s: %s", maps.items[i], sf_error_message());
    for (size_t k = 0; k < i; k++)
      if (strcmp(el[k].symbol, el[i].symbol) == 0)
        return sf_cli_usage_error(CMD, "--map: element %s given twice", el[i].symbol);
  }
  sf_fuse_imageset_params par;
  sf_fuse_imageset_params_default(&par);
  if (sf_fuse_mode_parse(mode_text, &par.mode) != SF_OK)
    return sf_cli_usage_error(CMD, "--mode %s: expected default or reference", mode_text);
  const int ref = par.mode == SF_FUSE_MODE_REFERENCE;
  if (!isnan(gamma) && !(gamma > 0.0 && gamma <= 4.0))
    return sf_cli_usage_error(CMD, "--gamma %g: must be in (0, 4]", gamma);
  if (!isnan(lambda_chem) && !(lambda_chem >= 0.0 && isfinite(lambda_chem)))
    return sf_cli_usage_error(CMD, "--lambda-chem %g: must be >= 0", lambda_chem);
  if (!isnan(lambda_tv) && !(lambda_tv >= 0.0 && isfinite(lambda_tv)))
    return sf_cli_usage_error(CMD, "--lambda-tv %g: must be >= 0", lambda_tv);
  if (!isnan(background) && !(background > 0.0 && isfinite(background)))
    return sf_cli_usage_error(CMD, "--background %g: must be > 0", background);
  if (!isnan(tol) && !(tol >= 0.0 && isfinite(tol)))
    return sf_cli_usage_error(CMD, "--tol %g: must be >= 0", tol);
  if (iterations != -1 && (iterations < 1 || iterations > 1000000))
    return sf_cli_usage_error(CMD, "--iterations %ld: must be 1 .. 1000000", iterations);
  if (tv_iterations != -1 && (tv_iterations < 1 || tv_iterations > 100000))
    return sf_cli_usage_error(CMD, "--tv-iterations %ld: must be 1 .. 100000", tv_iterations);
  if (seed < -1)
    return sf_cli_usage_error(CMD, "--seed %ld: must be >= 0", seed);
  if (!(pixel_A >= 0.0 && isfinite(pixel_A)))
    return sf_cli_usage_error(CMD, "--pixel-size-A %g: must be > 0", pixel_A);
  if (auto_chem && !auto_lambda)
    return sf_cli_usage_error(CMD, "--auto-lambda-chem needs --auto-lambda");
  if (ref && (auto_lambda || multires || estimate_yield || fit_offset || chem_model))
    return sf_cli_usage_error(CMD, "--auto-lambda, --multires, --estimate-yield, --fit-offset "
                                   "and --chem-model need --mode default");
  if (ref && !isnan(tol))
    return sf_cli_usage_error(CMD, "--tol needs --mode default (the reference loop runs exactly "
                                   "--iterations iterations)");
  if (!ref && (tv_variant || !isnan(x0_threshold)))
    return sf_cli_usage_error(CMD, "--tv-variant and --x0-threshold need --mode reference");
  double custom[SF_FUSE_MAX_ELEMENTS];
  int have_custom = 0;
  sf_fuse_weight_mode wmode = ref ? par.reference.weight_mode : par.solver.weight_mode;
  if (weights && (rc = parse_weights(weights, &wmode, custom, ne, &have_custom)) != 0)
    return rc;
  if (have_custom)
    par.custom_weights = custom;
  if (ref) {
    sf_fuse_ref_params *r = &par.reference;
    r->weight_mode = wmode;
    if (!isnan(gamma))
      r->gamma = gamma;
    if (!isnan(lambda_chem))
      r->lambda_chem = lambda_chem;
    if (!isnan(lambda_tv))
      r->lambda_tv = lambda_tv;
    if (!isnan(background))
      r->bkg = background;
    if (iterations > 0)
      r->n_iter = (int)iterations;
    if (tv_iterations > 0)
      r->tv_iter = (int)tv_iterations;
    if (!isnan(x0_threshold))
      r->x0_threshold = x0_threshold;
    if (tv_variant && sf_fuse_ref_tv_parse(tv_variant, &r->tv_variant) != SF_OK)
      return sf_cli_usage_error(CMD, "--tv-variant %s: expected tutorial_fgp_aniso or "
                                     "ctvlib_gp_iso",
                                tv_variant);
  } else {
    sf_fuse_params *s = &par.solver;
    s->weight_mode = wmode;
    if (!isnan(gamma))
      s->gamma = gamma;
    if (!isnan(lambda_chem))
      s->lambda_chem = lambda_chem;
    if (!isnan(lambda_tv))
      s->lambda_tv = lambda_tv;
    if (!isnan(background))
      s->eps = background;
    if (iterations > 0)
      s->max_iter = (int)iterations;
    if (tv_iterations > 0)
      s->tv_max_iter = (int)tv_iterations;
    if (!isnan(tol)) {
      s->tol_x = tol;
      s->tol_cost = 1e-4 * tol;
    }
    s->estimate_yield = estimate_yield;
    s->fit_offset = fit_offset;
    if (chem_model && sf_fuse_chem_model_parse(chem_model, &s->chem_model) != SF_OK)
      return sf_cli_usage_error(CMD, "--chem-model %s: expected poisson or lsq", chem_model);
    par.auto_lambda = auto_lambda;
    if (auto_chem) { /* a log grid around the given (or default) lambda_chem */
      par.autolambda.n_chem = 5;
      par.autolambda.chem_min = 0.25 * s->lambda_chem;
      par.autolambda.chem_max = 4.0 * s->lambda_chem;
    }
    if (seed >= 0)
      par.autolambda.seed = (uint64_t)seed;
    par.use_multires = multires;
    if (sf_fuse_multires_method_parse(mr_method, &par.multires.method) != SF_OK)
      return sf_cli_usage_error(CMD, "--multires-method %s: expected fourier or bin", mr_method);
    par.multires.factor = mr_factor;
  }
  par.standard_errors = !no_stderr;
  par.progress = 1;

  /* every output path before any work */
  out_files of = {{0}, {{0}}, 0};
  static const char *const kinds[] = {"raw", "fused", "relconc", "stderr"};
  char path[4096], name[SF_NAME_MAX];
  int st = out_files_add(&of, out);
  if (st == SF_OK && !no_png) {
    side_path(path, sizeof path, out, "HAADF");
    st = out_files_add(&of, path);
    for (size_t i = 0; st == SF_OK && i < ne; i++)
      for (int k = 0; st == SF_OK && k < 4; k++) {
        if (k == 3 && no_stderr)
          continue;
        st = sf_fuse_imageset_map_name(el[i].symbol, kinds[k], name, sizeof name);
        side_path(path, sizeof path, out, name);
        if (st == SF_OK)
          st = out_files_add(&of, path);
      }
    if (st == SF_OK && ne >= 2) {
      side_path(path, sizeof path, out, "overlay");
      st = out_files_add(&of, path);
    }
    side_path(path, sizeof path, out, "convergence");
    if (st == SF_OK)
      st = out_files_add(&of, path);
  }
  for (int k = 0; st == SF_OK && k < of.n; k++)
    st = sf_atomic_check(of.path[k], force);
  if (st != SF_OK) {
    out_files_free(&of);
    return sf_cli_fail(CMD, st);
  }

  sf_imageset *set = sf_imageset_create();
  st = set ? SF_OK : SF_ENOMEM;
  if (st == SF_OK)
    st = load_inputs(set, haadf, el, ne, pixel_A);
  sf_fuse_imageset_element fe[SF_FUSE_MAX_ELEMENTS];
  char raw[SF_FUSE_MAX_ELEMENTS][SF_NAME_MAX];
  for (size_t i = 0; st == SF_OK && i < ne; i++) {
    st = sf_fuse_imageset_map_name(el[i].symbol, "raw", raw[i], sizeof raw[i]);
    fe[i].symbol = el[i].symbol;
    fe[i].map = raw[i];
  }
  sf_fuse_imageset_summary sum;
  if (st == SF_OK)
    st = sf_fuse_imageset_run(set, "HAADF", ne, fe, &par, set, &sum);
  if (st == SF_OK)
    st = sf_imageset_set_provenance(set, sf_cli_argc, sf_cli_argv, 1,
                                    seed >= 0 ? (uint64_t)seed : par.autolambda.seed, NULL);
  const char *tmp = NULL;
  if (st == SF_OK)
    st = out_files_tmp(&of, out, force, &tmp);
  if (st == SF_OK)
    st = sf_io_emd_write(set, tmp, 0);
  if (st == SF_OK && !no_png)
    st = write_previews(set, out, &of, force);
  if (st == SF_OK && !no_png)
    st = write_overlay(set, el, ne, out, &of, force);
  if (st == SF_OK && !no_png)
    st = write_convergence(set, out, &of, force);
  if (st == SF_OK)
    st = out_files_commit(&of);
  out_files_free(&of);
  sf_imageset_destroy(set);
  if (st != SF_OK)
    return sf_cli_fail(CMD, st);
  sf_log(SF_LOG_NOTE,
         "fuse: %s mode, %zu elements, %d iterations (%s), lambda_chem %g, lambda_tv %g, "
         "objective %.8g, mean standard error %.4g, %.2f s",
         sf_fuse_mode_name(sum.mode), ne, sum.iterations, sf_fuse_stop_name(sum.stop),
         sum.lambda_chem, sum.lambda_tv, sum.objective, sum.mean_se, sum.seconds);
  sf_out("%s\n", out);
  return 0;
}
