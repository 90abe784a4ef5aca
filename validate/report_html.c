/* report_html.c - index.html of a validation report: the figures, the
   headline and full metric tables, and the parameters. */
#include "validate/report_internal.h"

#include "core/sf_status.h"
#include "sf_version.h"

#include <math.h>
#include <string.h>

/* "mean ± std" of a metric (realisation count > 1) or its value; "–" when absent. */
/* A table cell with metric "a.b.c" (b may be "" for "a.c") as mean ± std
   with `digits` decimals; "–" when absent. */
static void cell(FILE *f, const sf_harness_result *r, const char *a, const char *b,
                 const char *c, int digits) {
  char name[SF_HARNESS_NAME_MAX + 64];
  snprintf(name, sizeof name, "%s.%s%s%s", a, b, *b ? "." : "", c);
  const sf_harness_stat *s = sf_harness_stat_find(r, name);
  fputs("<td>", f);
  if (!s || !isfinite(s->mean)) {
    fputs("–", f);
  } else {
    fprintf(f, "%.*f", digits, s->mean);
    if (s->n > 1)
      fprintf(f, " ± %.*f", digits, s->std);
  }
  fputs("</td>", f);
}

static void figure(FILE *f, const char *file, const char *caption, const char *cls) {
  fprintf(f, "<figure><a href=\"%s\"><img class=\"%s\" src=\"%s\" alt=\"", file, cls, file);
  sf_report_html_text(f, caption);
  fputs("\"></a><figcaption>", f);
  sf_report_html_text(f, caption);
  fputs("</figcaption></figure>\n", f);
}

static void headline_table(FILE *f, const sf_harness_result *r) {
  const sf_recipe_params *p = &r->p;
  fputs("<table><tr><th class=\"l\">element</th><th>PSNR raw (dB)</th><th>PSNR fused (dB)</th>"
        "<th>PSNR gain (dB)</th><th>SNR gain from PSNR (%)</th><th>SNR gain, flat region (%)</th>"
        "<th>SSIM raw</th><th>SSIM fused</th><th>NRMSE fused</th><th>conc. RMSE raw</th>"
        "<th>conc. RMSE fused</th></tr>\n",
        f);
  for (size_t i = 0; i <= p->n_elements; ++i) {
    const char *el = i < p->n_elements ? p->symbol[i] : "overall";
    fprintf(f, "<tr><td class=\"l\">%s</td>", el);
    cell(f, r, el, "raw", "psnr_dB", 2);
    cell(f, r, el, "fused", "psnr_dB", 2);
    cell(f, r, el, "gain", "psnr_dB", 2);
    cell(f, r, el, "gain", "snr_psnr_pct", 0);
    cell(f, r, el, "gain", "snr_flat_pct", 0);
    cell(f, r, el, "raw", "ssim", 3);
    cell(f, r, el, "fused", "ssim", 3);
    cell(f, r, el, "fused", "nrmse", 4);
    if (i < p->n_elements) {
      cell(f, r, el, "conc.raw", "rmse", 4);
      cell(f, r, el, "conc.fused", "rmse", 4);
    } else {
      cell(f, r, "conc", "raw", "rmse", 4);
      cell(f, r, "conc", "fused", "rmse", 4);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n<p>Raw = noisy chemical counts, fused = recovered maps; both scaled by their "
        "least-squares factor onto the truth before PSNR/SSIM/NRMSE. SNR gain from PSNR = "
        "100·10<sup>ΔPSNR/20</sup>; flat-region gain = 100·SNR<sub>fused</sub>/SNR<sub>raw</sub>"
        " (mean/std over a flat region of the truth). Concentration RMSE: x<sub>i</sub>/Σx over "
        "the specimen mask (raw counts divided by their true sensitivities). Values are mean ± "
        "std over the realisations.</p>\n",
        f);
}

static void stoich_table(FILE *f, const sf_harness_result *r) {
  const sf_recipe_params *p = &r->p;
  int mixture = p->stoich_labels == SF_RECIPE_LABELS_MIXTURE;
  size_t ng = mixture ? (p->n_phases < SF_STOICH_MAX_COMPONENTS ? p->n_phases
                                                                : SF_STOICH_MAX_COMPONENTS)
                      : r->groups.n_groups;
  if (!ng) {
    fputs("<p>No phase group with two or more elements and enough pixels.</p>\n", f);
    return;
  }
  fputs("<table><tr><th class=\"l\">phase group</th><th class=\"l\">element</th>"
        "<th>mean ± σ (realisation 0)</th><th>truth</th><th>error</th>"
        "<th>mean over realisations</th><th>pixels</th><th class=\"l\">estimate</th></tr>\n",
        f);
  for (size_t g = 0; g < ng; ++g)
    for (size_t i = 0; i < p->n_elements; ++i) {
      const sf_stoich_entry *e = &r->stoich.e[i][g];
      const char *gname = mixture ? p->phases[g].phase.name : r->groups.names[g];
      fputs("<tr><td class=\"l\">", f);
      sf_report_html_text(f, gname);
      fprintf(f, "</td><td class=\"l\">%s</td><td>%.2f ± %.2f %%</td><td>%.2f %%</td>"
                 "<td>%+.2f %%</td>",
              p->symbol[i], 100 * e->g.mean, 100 * e->g.sigma, 100 * e->truth, 100 * e->error);
      char name[SF_HARNESS_NAME_MAX + 64];
      snprintf(name, sizeof name, "stoich.%s.%s.mean", gname, p->symbol[i]);
      const sf_harness_stat *s = sf_harness_stat_find(r, name);
      if (s && isfinite(s->mean))
        fprintf(f, "<td>%.2f ± %.2f %%</td>", 100 * s->mean, 100 * s->std);
      else
        fputs("<td>–</td>", f);
      fprintf(f, "<td>%zu</td><td class=\"l\">%s</td></tr>\n", e->n_pixels,
              r->stoich_fitted[i][g] ? "Gaussian fit" : "sample moments");
    }
  fputs("</table>\n", f);
  if (r->stoich_note[0]) {
    fputs("<p class=\"note\">", f);
    sf_report_html_text(f, r->stoich_note);
    fputs("</p>\n", f);
  }
}

int sf_report_html_write(const sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  const sf_recipe_params *p = &r->p;
  char path[4096], cmd[4096], title[256];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, c->dir, "index.html"));
  SF_TRY(sf_report_open(path, &f));
  snprintf(title, sizeof title, "stemfuse validation: %s", p->name);
  sf_report_html_head(f, title);
  fputs("<h1>", f);
  sf_report_html_text(f, title);
  fputs("</h1>\n<p>", f);
  sf_report_html_text(f, p->description);
  fputs("</p>\n<p>Recipe <code>", f);
  sf_report_html_text(f, c->recipe->source);
  fprintf(f, "</code> · stemfuse %s (git %s) · seed %llu · %zu realisation%s · %zu × %zu × %zu "
             "voxels of %g Å · %.1f s</p>\n",
          SF_VERSION_STRING, SF_GIT_SHA, (unsigned long long)p->seed, r->n_realisations,
          r->n_realisations == 1 ? "" : "s", p->nx, p->ny, p->nz, p->voxel_A, r->seconds);
  sf_report_command_line(cmd, sizeof cmd, c->argc, c->argv);
  if (cmd[0]) {
    fputs("<p>Command: <code>", f);
    sf_report_html_text(f, cmd);
    fputs("</code></p>\n", f);
  }

  fputs("<h2>Headline metrics</h2>\n", f);
  headline_table(f, r);

  fputs("<h2>Modalities</h2>\n<table><tr><th class=\"l\">map</th><th>dose (e/Å²)</th>"
        "<th>expected SNR</th><th>mean counts (mask)</th></tr>\n",
        f);
  for (size_t k = 0; k < r->n_modalities; ++k)
    fprintf(f, "<tr><td class=\"l\">%s</td><td>%.4g</td><td>%.3g</td><td>%.4g</td></tr>\n",
            r->modality[k].map, r->modality[k].dose_e_per_A2, r->modality[k].snr_expected,
            r->modality[k].mean_counts);
  fputs("</table>\n", f);

  fputs("<h2>Maps (realisation 0)</h2>\n", f);
  for (size_t i = 0; i < p->n_elements; ++i) {
    const char *el = p->symbol[i];
    char file[64], cap[128];
    fputs("<div>", f);
    const char *kinds[4] = {"truth", "noisy", "fused", "relconc"};
    const char *caps[4] = {"truth", "noisy counts", "fused", "relative concentration (fused)"};
    for (int k = 0; k < 4; ++k) {
      snprintf(file, sizeof file, "%s_%s.png", kinds[k], el);
      snprintf(cap, sizeof cap, "%s %s", el, caps[k]);
      figure(f, file, cap, "map");
    }
    fputs("</div>\n", f);
  }
  fputs("<div>", f);
  figure(f, "haadf.png", "HAADF (noiseless)", "map");
  figure(f, "haadf_noisy.png", "HAADF (noisy)", "map");
  char rgb[128] = "";
  for (size_t i = 0; i < p->n_elements && i < 3; ++i) {
    static const char *const ch[3] = {"red", "green", "blue"};
    size_t len = strlen(rgb);
    snprintf(rgb + len, sizeof rgb - len, "%s%s %s", i ? ", " : "", p->symbol[i], ch[i]);
  }
  char cap[256];
  snprintf(cap, sizeof cap, "overlay, truth (%s)", rgb);
  figure(f, "overlay_truth.png", cap, "map");
  figure(f, "overlay_noisy.png", "overlay, noisy", "map");
  figure(f, "overlay_fused.png", "overlay, fused", "map");
  if (r->groups.labels)
    figure(f, "groups.png", "stoichiometry phase groups", "map");
  fputs("</div>\n", f);

  fputs("<h2>Line profiles</h2>\n<div>", f);
  for (size_t i = 0; i < p->n_elements; ++i) {
    char file[64];
    snprintf(file, sizeof file, "profile_%s.png", p->symbol[i]);
    snprintf(cap, sizeof cap, "%s: truth, noisy and fused along the segment", p->symbol[i]);
    figure(f, file, cap, "plot");
  }
  fputs("</div>\n", f);

  fputs("<h2>Stoichiometry</h2>\n", f);
  stoich_table(f, r);
  if (r->groups.n_groups || p->stoich_labels == SF_RECIPE_LABELS_MIXTURE) {
    fputs("<div>", f);
    for (size_t i = 0; i < p->n_elements; ++i) {
      char file[64];
      snprintf(file, sizeof file, "histogram_%s.png", p->symbol[i]);
      snprintf(cap, sizeof cap, "%s relative concentration per phase group", p->symbol[i]);
      figure(f, file, cap, "plot");
    }
    fputs("</div>\n", f);
  }

  fputs("<h2>Convergence (realisation 0)</h2>\n", f);
  const sf_harness_stat *it = sf_harness_stat_find(r, "fuse.iterations");
  const sf_harness_stat *lt = sf_harness_stat_find(r, "fuse.lambda_tv");
  if (r->n_realisations && r->real[0].n) {
    double stop = sf_harness_values_get(&r->real[0], "fuse.stop");
    fprintf(f, "<p>Stopped: %s after %.0f iterations (mean over realisations %.1f); λ<sub>TV</sub> "
               "= %.4g.</p>\n",
            sf_fuse_stop_name((sf_fuse_stop)(int)stop),
            sf_harness_values_get(&r->real[0], "fuse.iterations"), it ? it->mean : NAN,
            lt ? lt->mean : NAN);
  }
  figure(f, "convergence.png", "cost terms per iteration", "plot");

  fputs("<h2>All metrics</h2>\n<table><tr><th class=\"l\">metric</th><th>mean</th><th>std</th>"
        "<th>min</th><th>max</th><th>n</th></tr>\n",
        f);
  for (size_t i = 0; i < r->n_stats; ++i) {
    const sf_harness_stat *s = &r->stats[i];
    fprintf(f, "<tr><td class=\"l\">%s</td><td>%.6g</td><td>%.3g</td><td>%.6g</td><td>%.6g</td>"
               "<td>%zu</td></tr>\n",
            s->name, s->mean, s->std, s->min, s->max, s->n);
  }
  fputs("</table>\n", f);

  fputs("<h2>Files</h2>\n<ul>\n"
        "<li><a href=\"metrics.json\">metrics.json</a> (everything, with provenance)</li>\n"
        "<li><a href=\"metrics.csv\">metrics.csv</a>, <a href=\"stoichiometry.csv\">"
        "stoichiometry.csv</a>, <a href=\"profile.csv\">profile.csv</a>, <a "
        "href=\"convergence.csv\">convergence.csv</a></li>\n"
        "<li><a href=\"config.toml\">config.toml</a> (the resolved recipe: rerun with "
        "<code>stemfuse validate config.toml -o DIR</code>)</li>\n",
        f);
  if (p->write_emd)
    fputs("<li><a href=\"maps.emd\">maps.emd</a> (EMD 0.2: truth, noisy, fused, "
          "concentration and standard-error maps)</li>\n",
          f);
  fputs("</ul>\n<h2>Parameters</h2>\n<pre>", f);
  sf_report_html_text(f, c->recipe->config_text);
  fputs("</pre>\n</body>\n</html>\n", f);
  return sf_report_close(f, path);
}
