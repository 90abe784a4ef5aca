/* sweep_run.c - run the sweeps of a recipe and write their folder: CSV
   tables, heat maps and curves, sweep.json, config.toml, index.html. */
#include "validate/sf_sweep.h"

#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "sf_version.h"
#include "validate/report_internal.h"
#include "validate/sf_plot.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLOT_W 640
#define PLOT_H 440

typedef struct sweeps {
  sf_sweep_table *dose, *gamma, *lambda;
  int have_corner;
  size_t corner, best_conc, best_nrmse; /* rows of the lambda table */
  double auto_lambda, auto_conc_rmse, auto_nrmse; /* the recovery's own choice */
} sweeps;

/* ---- text accumulation for the summary ---- */

typedef struct text {
  char *s;
  size_t len, cap;
  int failed;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...) {
  while (!t->failed) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
      t->failed = 1;
      return;
    }
    if (t->s && t->len + (size_t)n < t->cap) {
      t->len += (size_t)n;
      return;
    }
    size_t cap = (t->cap ? 2 * t->cap : 1024) + (size_t)n;
    char *s = realloc(t->s, cap);
    if (!s)
      t->failed = 1;
    else {
      t->s = s;
      t->cap = cap;
    }
  }
}

/* ---- CSV and figures ---- */

static int write_csv(const char *dir, const char *name, const sf_sweep_table *t) {
  char path[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, dir, name));
  SF_TRY(sf_report_open(path, &f));
  for (size_t c = 0; c < t->n_cols; ++c)
    fprintf(f, "%s%s", c ? "," : "", t->cols[c]);
  fputc('\n', f);
  for (size_t r = 0; r < t->n_rows; ++r) {
    for (size_t c = 0; c < t->n_cols; ++c) {
      if (c)
        fputc(',', f);
      sf_report_csv_number(f, t->v[r * t->n_cols + c]);
    }
    fputc('\n', f);
  }
  return sf_report_close(f, path);
}

/* Heat map of column `col` over an nx x ny grid whose rows run x fastest. */
static int heatmap(const char *dir, const char *file, const sf_sweep_table *t, const char *col,
                   size_t nx, size_t ny, const double *xv, const double *yv, const char *title,
                   const char *xlabel, const char *ylabel, const char *zlabel, int log_color) {
  double z[SF_RECIPE_MAX_GRID * SF_RECIPE_MAX_GRID];
  for (size_t r = 0; r < nx * ny; ++r)
    z[r] = sf_sweep_table_get(t, r, col);
  sf_plot_heatmap hm;
  memset(&hm, 0, sizeof hm);
  hm.z = z;
  hm.nx = nx;
  hm.ny = ny;
  hm.xv = xv;
  hm.yv = yv;
  hm.title = title;
  hm.xlabel = xlabel;
  hm.ylabel = ylabel;
  hm.zlabel = zlabel;
  hm.log_color = log_color;
  hm.annotate = 1;
  hm.width_px = PLOT_W;
  hm.height_px = PLOT_H + 40;
  char path[4096];
  SF_TRY(sf_report_path(path, sizeof path, dir, file));
  return sf_plot_heatmap_write_png(&hm, path, 0);
}

static int dose_outputs(const char *dir, const sf_recipe_params *p, const sf_sweep_table *t) {
  SF_TRY(write_csv(dir, "dose_grid.csv", t));
  const char *xl = p->sweep_use_dose ? "HAADF dose (e/Å²)" : "HAADF SNR";
  const char *yl = p->sweep_use_dose ? "chemical dose (e/Å²)" : "chemical SNR";
  SF_TRY(heatmap(dir, "dose_conc_rmse.png", t, "conc_rmse", p->n_sweep_haadf, p->n_sweep_chem,
                 p->sweep_haadf, p->sweep_chem, "Relative-concentration RMSE (fused)", xl, yl,
                 "RMSE", 1));
  SF_TRY(heatmap(dir, "dose_nrmse.png", t, "nrmse", p->n_sweep_haadf, p->n_sweep_chem,
                 p->sweep_haadf, p->sweep_chem, "Normalised RMSE of the fused maps", xl, yl,
                 "NRMSE", 1));
  return heatmap(dir, "dose_psnr.png", t, "psnr_dB", p->n_sweep_haadf, p->n_sweep_chem,
                 p->sweep_haadf, p->sweep_chem, "PSNR of the fused maps (dB)", xl, yl, "dB", 0);
}

static int gamma_outputs(const char *dir, const sf_recipe_params *p, const sf_sweep_table *t) {
  SF_TRY(write_csv(dir, "gamma_sweep.csv", t));
  size_t nt = p->n_sweep_gamma_true, na = p->n_sweep_gamma_assumed;
  if (nt > 1) {
    SF_TRY(heatmap(dir, "gamma_stoich_error.png", t, "stoich_error", na, nt,
                   p->sweep_gamma_assumed, p->sweep_gamma_true,
                   "Stoichiometry error |mean - truth|", "assumed γ", "true γ", "error", 1));
    return heatmap(dir, "gamma_conc_rmse.png", t, "conc_rmse", na, nt, p->sweep_gamma_assumed,
                   p->sweep_gamma_true, "Relative-concentration RMSE", "assumed γ", "true γ",
                   "RMSE", 1);
  }
  /* one true gamma: curves against the assumed gamma */
  sf_plot *pl = sf_plot_create(PLOT_W, PLOT_H);
  if (!pl)
    return SF_ENOMEM;
  double x[SF_RECIPE_MAX_GRID], y1[SF_RECIPE_MAX_GRID], y2[SF_RECIPE_MAX_GRID];
  for (size_t a = 0; a < na; ++a) {
    x[a] = sf_sweep_table_get(t, a, "gamma_assumed");
    y1[a] = sf_sweep_table_get(t, a, "stoich_error");
    y2[a] = sf_sweep_table_get(t, a, "conc_rmse");
  }
  char title[128];
  snprintf(title, sizeof title, "Assumed γ vs true γ = %g", p->sweep_gamma_true[0]);
  sf_plot_set_title(pl, title);
  sf_plot_set_xlabel(pl, "assumed γ");
  sf_plot_set_ylabel(pl, "error (fraction)");
  sf_plot_style s = sf_plot_line_style(2);
  s.marker = SF_PLOT_MARKER_CIRCLE;
  int st = sf_plot_add_series(pl, "stoichiometry |mean - truth|", x, y1, na, &s);
  if (st == SF_OK)
    st = sf_plot_add_series(pl, "concentration RMSE", x, y2, na, &s);
  char path[4096];
  if (st == SF_OK)
    st = sf_report_path(path, sizeof path, dir, "gamma_stoich_error.png");
  if (st == SF_OK)
    st = sf_plot_write_png(pl, path, 0);
  sf_plot_destroy(pl);
  return st;
}

static int lambda_outputs(const char *dir, const sf_recipe_params *p, sweeps *sw) {
  const sf_sweep_table *t = sw->lambda;
  SF_TRY(write_csv(dir, "lambda_sweep.csv", t));
  size_t n = t->n_rows;
  double x[SF_RECIPE_MAX_GRID], y[SF_RECIPE_MAX_GRID], lam[SF_RECIPE_MAX_GRID];
  double e1[SF_RECIPE_MAX_GRID], e2[SF_RECIPE_MAX_GRID];
  for (size_t k = 0; k < n; ++k) {
    x[k] = sf_sweep_table_get(t, k, "misfit");
    y[k] = sf_sweep_table_get(t, k, "tv");
    lam[k] = sf_sweep_table_get(t, k, "lambda_tv");
    e1[k] = sf_sweep_table_get(t, k, "conc_rmse");
    e2[k] = sf_sweep_table_get(t, k, "nrmse");
  }
  /* the L-curve */
  sf_plot *pl = sf_plot_create(PLOT_W, PLOT_H);
  if (!pl)
    return SF_ENOMEM;
  sf_plot_set_title(pl, "L-curve (λ_TV grows to the right)");
  sf_plot_set_xlabel(pl, "data misfit Psi1 + λ_chem x chemical misfit");
  sf_plot_set_ylabel(pl, "TV of the solution");
  sf_plot_set_log_x(pl, 1);
  sf_plot_set_log_y(pl, 1);
  sf_plot_style s = sf_plot_line_style(2);
  s.marker = SF_PLOT_MARKER_CIRCLE;
  int st = sf_plot_add_series(pl, "sweep", x, y, n, &s);
  sf_plot_style m = sf_plot_marker_style(SF_PLOT_MARKER_SQUARE, 12);
  m.color = SF_PLOT_RGB(0xd62728);
  char label[128];
  if (st == SF_OK && sw->have_corner) {
    snprintf(label, sizeof label, "L-curve corner λ = %g", lam[sw->corner]);
    st = sf_plot_add_series(pl, label, &x[sw->corner], &y[sw->corner], 1, &m);
  }
  m = sf_plot_marker_style(SF_PLOT_MARKER_DIAMOND, 12);
  m.color = SF_PLOT_RGB(0x2ca02c);
  if (st == SF_OK) {
    snprintf(label, sizeof label, "truth-optimal λ = %g (conc. RMSE)", lam[sw->best_conc]);
    st = sf_plot_add_series(pl, label, &x[sw->best_conc], &y[sw->best_conc], 1, &m);
  }
  char path[4096];
  if (st == SF_OK)
    st = sf_report_path(path, sizeof path, dir, "lambda_lcurve.png");
  if (st == SF_OK)
    st = sf_plot_write_png(pl, path, 0);
  sf_plot_destroy(pl);
  SF_TRY(st);
  /* errors against lambda (log x; lambda = 0 is left out) */
  pl = sf_plot_create(PLOT_W, PLOT_H);
  if (!pl)
    return SF_ENOMEM;
  snprintf(label, sizeof label, "Error against λ_TV (%s)",
           p->lambda_mode == SF_RECIPE_LAMBDA_SNR_SCALED ? "divided by the chemical SNR"
                                                         : "fixed");
  sf_plot_set_title(pl, label);
  sf_plot_set_xlabel(pl, "λ_TV (recipe units)");
  sf_plot_set_ylabel(pl, "error");
  sf_plot_set_log_x(pl, 1);
  sf_plot_set_log_y(pl, 1);
  s = sf_plot_line_style(2);
  s.marker = SF_PLOT_MARKER_CIRCLE;
  st = sf_plot_add_series(pl, "concentration RMSE", lam, e1, n, &s);
  if (st == SF_OK)
    st = sf_plot_add_series(pl, "NRMSE of the maps", lam, e2, n, &s);
  if (st == SF_OK && sw->have_corner) {
    double cx[2] = {lam[sw->corner], lam[sw->corner]};
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; ++k) {
      const double v[2] = {e1[k], e2[k]};
      for (int j = 0; j < 2; ++j)
        if (v[j] > 0.0) {
          lo = v[j] < lo ? v[j] : lo;
          hi = v[j] > hi ? v[j] : hi;
        }
    }
    double cy[2] = {lo, hi};
    sf_plot_style d = sf_plot_line_style(1);
    d.dashed = 1;
    d.color = SF_PLOT_RGB(0xd62728);
    if (lam[sw->corner] > 0.0 && hi > lo)
      st = sf_plot_add_series(pl, "L-curve corner", cx, cy, 2, &d);
  }
  if (st == SF_OK)
    st = sf_report_path(path, sizeof path, dir, "lambda_error.png");
  if (st == SF_OK)
    st = sf_plot_write_png(pl, path, 0);
  sf_plot_destroy(pl);
  return st;
}

/* ---- json, html, summary ---- */

static void json_table(FILE *f, const sf_sweep_table *t) {
  fputs("{\"columns\": [", f);
  for (size_t c = 0; c < t->n_cols; ++c) {
    fputs(c ? ", " : "", f);
    sf_report_json_string(f, t->cols[c]);
  }
  fputs("], \"rows\": [", f);
  for (size_t r = 0; r < t->n_rows; ++r) {
    fputs(r ? ",\n    [" : "\n    [", f);
    for (size_t c = 0; c < t->n_cols; ++c) {
      fputs(c ? ", " : "", f);
      sf_report_json_number(f, t->v[r * t->n_cols + c]);
    }
    fputc(']', f);
  }
  fputs("]}", f);
}

static int write_json(const char *dir, const sf_recipe *recipe, const sweeps *sw, int argc,
                      char *const argv[]) {
  char path[4096], cmd[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, dir, "sweep.json"));
  SF_TRY(sf_report_open(path, &f));
  sf_report_command_line(cmd, sizeof cmd, argc, argv);
  fputs("{\n  \"program\": {\"name\": \"stemfuse\", \"version\": ", f);
  sf_report_json_string(f, SF_VERSION_STRING);
  fputs(", \"git_sha\": ", f);
  sf_report_json_string(f, SF_GIT_SHA);
  fputs("},\n  \"command_line\": ", f);
  sf_report_json_string(f, cmd);
  fputs(",\n  \"recipe\": ", f);
  sf_report_json_string(f, recipe->p.name);
  fprintf(f, ",\n  \"seed\": %llu,\n  \"realisations_per_point\": %d",
          (unsigned long long)recipe->p.seed, recipe->p.sweep_realisations);
  if (sw->dose) {
    fputs(",\n  \"dose_grid\": ", f);
    json_table(f, sw->dose);
  }
  if (sw->gamma) {
    fputs(",\n  \"gamma_sweep\": ", f);
    json_table(f, sw->gamma);
  }
  if (sw->lambda) {
    fputs(",\n  \"lambda_sweep\": ", f);
    json_table(f, sw->lambda);
    fputs(",\n  \"lambda_choice\": {\"truth_optimal_conc_rmse\": ", f);
    sf_report_json_number(f, sf_sweep_table_get(sw->lambda, sw->best_conc, "lambda_tv"));
    fputs(", \"truth_optimal_nrmse\": ", f);
    sf_report_json_number(f, sf_sweep_table_get(sw->lambda, sw->best_nrmse, "lambda_tv"));
    fputs(", \"lcurve_corner\": ", f);
    sf_report_json_number(
        f, sw->have_corner ? sf_sweep_table_get(sw->lambda, sw->corner, "lambda_tv") : NAN);
    fputs(", \"automatic\": ", f);
    sf_report_json_number(f, sw->auto_lambda);
    fputs(", \"automatic_conc_rmse\": ", f);
    sf_report_json_number(f, sw->auto_conc_rmse);
    fputs(", \"automatic_nrmse\": ", f);
    sf_report_json_number(f, sw->auto_nrmse);
    fputs(", \"configured\": ", f);
    sf_report_json_number(f, recipe->p.lambda_tv);
    fputs(", \"mode\": ", f);
    sf_report_json_string(f, recipe->p.lambda_mode == SF_RECIPE_LAMBDA_SNR_SCALED ? "snr_scaled"
                                                                                  : "fixed");
    fputc('}', f);
  }
  fputs(",\n  \"config\": ", f);
  sf_report_json_string(f, recipe->config_text);
  fputs("\n}\n", f);
  return sf_report_close(f, path);
}

static void html_table(FILE *f, const sf_sweep_table *t) {
  fputs("<table><tr>", f);
  for (size_t c = 0; c < t->n_cols; ++c)
    fprintf(f, "<th>%s</th>", t->cols[c]);
  fputs("</tr>\n", f);
  for (size_t r = 0; r < t->n_rows; ++r) {
    fputs("<tr>", f);
    for (size_t c = 0; c < t->n_cols; ++c) {
      double v = t->v[r * t->n_cols + c];
      if (isfinite(v))
        fprintf(f, "<td>%.4g</td>", v);
      else
        fputs("<td>–</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
}

static void img(FILE *f, const char *file) {
  fprintf(f, "<figure><a href=\"%s\"><img class=\"plot\" src=\"%s\" alt=\"%s\"></a></figure>\n",
          file, file, file);
}

static int write_html(const char *dir, const sf_recipe *recipe, const sweeps *sw,
                      const char *summary, int argc, char *const argv[]) {
  char path[4096], cmd[4096], title[256];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, dir, "index.html"));
  SF_TRY(sf_report_open(path, &f));
  snprintf(title, sizeof title, "stemfuse sweep: %s", recipe->p.name);
  sf_report_html_head(f, title);
  fputs("<h1>", f);
  sf_report_html_text(f, title);
  fputs("</h1>\n<p>", f);
  sf_report_html_text(f, recipe->p.description);
  sf_report_command_line(cmd, sizeof cmd, argc, argv);
  fprintf(f, "</p>\n<p>stemfuse %s (git %s) · seed %llu · %d realisation(s) per point</p>\n",
          SF_VERSION_STRING, SF_GIT_SHA, (unsigned long long)recipe->p.seed,
          recipe->p.sweep_realisations);
  if (cmd[0]) {
    fputs("<p>Command: <code>", f);
    sf_report_html_text(f, cmd);
    fputs("</code></p>\n", f);
  }
  fputs("<h2>Summary</h2>\n<pre>", f);
  sf_report_html_text(f, summary);
  fputs("</pre>\n", f);
  if (sw->dose) {
    fputs("<h2>Dose grid</h2>\n<div>", f);
    img(f, "dose_conc_rmse.png");
    img(f, "dose_nrmse.png");
    img(f, "dose_psnr.png");
    fputs("</div>\n<p><a href=\"dose_grid.csv\">dose_grid.csv</a></p>\n", f);
    html_table(f, sw->dose);
  }
  if (sw->gamma) {
    fputs("<h2>Gamma sweep</h2>\n<div>", f);
    img(f, "gamma_stoich_error.png");
    if (recipe->p.n_sweep_gamma_true > 1)
      img(f, "gamma_conc_rmse.png");
    fputs("</div>\n<p><a href=\"gamma_sweep.csv\">gamma_sweep.csv</a></p>\n", f);
    html_table(f, sw->gamma);
  }
  if (sw->lambda) {
    fputs("<h2>Lambda sweep</h2>\n<div>", f);
    img(f, "lambda_lcurve.png");
    img(f, "lambda_error.png");
    fputs("</div>\n<p><a href=\"lambda_sweep.csv\">lambda_sweep.csv</a></p>\n", f);
    html_table(f, sw->lambda);
  }
  fputs("<h2>Parameters</h2>\n<pre>", f);
  sf_report_html_text(f, recipe->config_text);
  fputs("</pre>\n</body>\n</html>\n", f);
  return sf_report_close(f, path);
}

static void summarise(const sf_recipe_params *p, const sweeps *sw, text *t) {
  put(t, "%s\n", p->name);
  if (sw->dose) {
    const sf_sweep_table *d = sw->dose;
    put(t, "dose grid: relative-concentration RMSE of the fused maps (rows: chemical %s, "
           "columns: HAADF %s)\n%10s",
        p->sweep_use_dose ? "dose" : "SNR", p->sweep_use_dose ? "dose" : "SNR", "");
    for (size_t ih = 0; ih < p->n_sweep_haadf; ++ih)
      put(t, " %8.3g", p->sweep_haadf[ih]);
    put(t, "\n");
    for (size_t ic = p->n_sweep_chem; ic-- > 0;) {
      put(t, "%10.3g", p->sweep_chem[ic]);
      for (size_t ih = 0; ih < p->n_sweep_haadf; ++ih)
        put(t, " %8.4f", sf_sweep_table_get(d, ic * p->n_sweep_haadf + ih, "conc_rmse"));
      put(t, "\n");
    }
  }
  if (sw->gamma) {
    put(t, "gamma sweep: stoichiometry error |mean - truth| (rows: true gamma, columns: "
           "assumed gamma)\n%10s",
        "");
    for (size_t a = 0; a < p->n_sweep_gamma_assumed; ++a)
      put(t, " %8.3g", p->sweep_gamma_assumed[a]);
    put(t, "\n");
    for (size_t it = 0; it < p->n_sweep_gamma_true; ++it) {
      put(t, "%10.3g", p->sweep_gamma_true[it]);
      for (size_t a = 0; a < p->n_sweep_gamma_assumed; ++a)
        put(t, " %8.4f",
            sf_sweep_table_get(sw->gamma, it * p->n_sweep_gamma_assumed + a, "stoich_error"));
      put(t, "\n");
    }
  }
  if (sw->lambda) {
    const sf_sweep_table *l = sw->lambda;
    put(t, "lambda sweep (%s): truth-optimal lambda_tv = %g (concentration RMSE %.4f), %g "
           "(NRMSE %.4f); L-curve corner ",
        p->lambda_mode == SF_RECIPE_LAMBDA_SNR_SCALED ? "snr_scaled" : "fixed",
        sf_sweep_table_get(l, sw->best_conc, "lambda_tv"),
        sf_sweep_table_get(l, sw->best_conc, "conc_rmse"),
        sf_sweep_table_get(l, sw->best_nrmse, "lambda_tv"),
        sf_sweep_table_get(l, sw->best_nrmse, "nrmse"));
    if (sw->have_corner)
      put(t, "lambda_tv = %g (concentration RMSE %.4f, NRMSE %.4f)\n",
          sf_sweep_table_get(l, sw->corner, "lambda_tv"),
          sf_sweep_table_get(l, sw->corner, "conc_rmse"),
          sf_sweep_table_get(l, sw->corner, "nrmse"));
    else
      put(t, "not found\n");
    put(t, "  automatic (Poisson-thinning cross-validation): lambda_tv = %g (concentration RMSE "
           "%.4f, NRMSE %.4f)\n",
        sw->auto_lambda, sw->auto_conc_rmse, sw->auto_nrmse);
  }
}

static size_t argmin(const sf_sweep_table *t, const char *col) {
  size_t best = 0;
  double v = INFINITY;
  for (size_t r = 0; r < t->n_rows; ++r) {
    double x = sf_sweep_table_get(t, r, col);
    if (x < v) {
      v = x;
      best = r;
    }
  }
  return best;
}

static int run_all(const sf_recipe *recipe, unsigned kinds, sweeps *sw) {
  const sf_recipe_params *p = &recipe->p;
  size_t real = (size_t)(p->sweep_realisations > 0 ? p->sweep_realisations : 1);
  uint64_t total = 0;
  if (kinds & SF_RECIPE_SWEEP_DOSE)
    total += p->n_sweep_haadf * p->n_sweep_chem * real;
  if (kinds & SF_RECIPE_SWEEP_GAMMA)
    total += p->n_sweep_gamma_true * p->n_sweep_gamma_assumed * real;
  if (kinds & SF_RECIPE_SWEEP_LAMBDA)
    total += (p->n_sweep_lambda + 1) * real; /* + the automatic choice */
  sf_progress *prog = sf_progress_begin("grid points", total);
  int st = SF_OK;
  if (kinds & SF_RECIPE_SWEEP_DOSE)
    st = sf_sweep_dose(p, prog, &sw->dose);
  if (st == SF_OK && (kinds & SF_RECIPE_SWEEP_GAMMA))
    st = sf_sweep_gamma(p, prog, &sw->gamma);
  if (st == SF_OK && (kinds & SF_RECIPE_SWEEP_LAMBDA)) {
    st = sf_sweep_lambda(p, prog, &sw->lambda);
    if (st == SF_OK) {
      sw->have_corner = sf_sweep_lcurve_corner(sw->lambda, &sw->corner) == SF_OK;
      if (!sw->have_corner) {
        sf_log(SF_LOG_WARN, "%s", sf_error_message());
        sf_error_clear();
      }
      st = sf_sweep_lambda_auto(p, prog, &sw->auto_lambda, &sw->auto_conc_rmse,
                                &sw->auto_nrmse);
      sw->best_conc = argmin(sw->lambda, "conc_rmse");
      sw->best_nrmse = argmin(sw->lambda, "nrmse");
    }
  }
  sf_progress_end(prog);
  return st;
}

int sf_sweep_run(const sf_recipe *recipe, unsigned kinds, const char *dir, int force, int argc,
                 char *const argv[], char **summary) {
  if (!recipe || !dir)
    return sf_error_set(SF_EINVAL, "sf_sweep_run: NULL argument");
  if (summary)
    *summary = NULL;
  if (!kinds)
    kinds = recipe->p.sweep_kinds;
  if (!kinds)
    return sf_error_set(SF_EINVAL, "%s: no sweep asked for (sweep.kinds is empty)",
                        recipe->source);
  const sf_recipe_params *p = &recipe->p;
  if ((kinds & SF_RECIPE_SWEEP_DOSE) && (!p->n_sweep_haadf || !p->n_sweep_chem))
    return sf_error_set(SF_EINVAL, "%s: the dose sweep needs sweep.haadf_snr and sweep.chem_snr "
                        "(or the dose lists)", recipe->source);
  if ((kinds & SF_RECIPE_SWEEP_GAMMA) && (!p->n_sweep_gamma_true || !p->n_sweep_gamma_assumed))
    return sf_error_set(SF_EINVAL, "%s: the gamma sweep needs sweep.gamma_true and "
                        "sweep.gamma_assumed", recipe->source);
  if ((kinds & SF_RECIPE_SWEEP_LAMBDA) && p->n_sweep_lambda < 3)
    return sf_error_set(SF_EINVAL, "%s: the lambda sweep needs at least 3 sweep.lambda_tv values",
                        recipe->source);
  sf_atomic_file af;
  SF_TRY(sf_atomic_begin_dir(dir, force, &af));
  sweeps sw;
  memset(&sw, 0, sizeof sw);
  text t = {NULL, 0, 0, 0};
  int st = run_all(recipe, kinds, &sw);
  if (st == SF_OK) {
    summarise(p, &sw, &t);
    if (t.failed)
      st = sf_error_set(SF_ENOMEM, "cannot format the sweep summary");
  }
  if (st == SF_OK && sw.dose)
    st = dose_outputs(af.tmp_path, p, sw.dose);
  if (st == SF_OK && sw.gamma)
    st = gamma_outputs(af.tmp_path, p, sw.gamma);
  if (st == SF_OK && sw.lambda)
    st = lambda_outputs(af.tmp_path, p, &sw);
  if (st == SF_OK)
    st = write_json(af.tmp_path, recipe, &sw, argc, argv);
  if (st == SF_OK)
    st = write_html(af.tmp_path, recipe, &sw, t.s, argc, argv);
  if (st == SF_OK)
    st = sf_report_write_text(af.tmp_path, "config.toml", recipe->config_text);
  sf_sweep_table_destroy(sw.dose);
  sf_sweep_table_destroy(sw.gamma);
  sf_sweep_table_destroy(sw.lambda);
  if (st == SF_OK)
    st = sf_atomic_commit(&af);
  else {
    sf_atomic_abort(&af);
    sf_error_prepend(st, "sweep %s", dir);
  }
  if (st == SF_OK && summary)
    *summary = t.s;
  else
    free(t.s);
  return st;
}
