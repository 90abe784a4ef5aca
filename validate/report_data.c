/* report_data.c - the machine-readable part of a validation report:
   metrics.json and the CSV tables. */
#include "validate/report_internal.h"

#include "core/sf_status.h"
#include "sf_version.h"

#include <math.h>
#include <string.h>

void sf_report_command_line(char *buf, size_t size, int argc, char *const *argv) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < argc && argv && len + 1 < size; ++i)
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? " " : "", argv[i]);
}

/* The name of phase group g (mixture mode: the phases). */
static const char *group_name(const sf_harness_result *r, size_t g) {
  return r->p.stoich_labels == SF_RECIPE_LABELS_MIXTURE ? r->p.phases[g].phase.name
                                                        : r->groups.names[g];
}

static size_t n_groups(const sf_harness_result *r) {
  if (r->p.stoich_labels != SF_RECIPE_LABELS_MIXTURE)
    return r->groups.n_groups;
  return r->p.n_phases < SF_STOICH_MAX_COMPONENTS ? r->p.n_phases : SF_STOICH_MAX_COMPONENTS;
}

static void json_stat(FILE *f, const sf_harness_stat *s) {
  fputs("{\"mean\": ", f);
  sf_report_json_number(f, s->mean);
  fputs(", \"std\": ", f);
  sf_report_json_number(f, s->std);
  fputs(", \"min\": ", f);
  sf_report_json_number(f, s->min);
  fputs(", \"max\": ", f);
  sf_report_json_number(f, s->max);
  fprintf(f, ", \"n\": %zu}", s->n);
}

static int write_json(const sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  const sf_recipe_params *p = &r->p;
  char path[4096], cmd[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, c->dir, "metrics.json"));
  SF_TRY(sf_report_open(path, &f));
  sf_report_command_line(cmd, sizeof cmd, c->argc, c->argv);
  fputs("{\n  \"program\": {\"name\": \"stemfuse\", \"version\": ", f);
  sf_report_json_string(f, SF_VERSION_STRING);
  fputs(", \"git_sha\": ", f);
  sf_report_json_string(f, SF_GIT_SHA);
  fputs("},\n  \"command_line\": ", f);
  sf_report_json_string(f, cmd);
  fputs(",\n  \"recipe\": {\"name\": ", f);
  sf_report_json_string(f, p->name);
  fputs(", \"source\": ", f);
  sf_report_json_string(f, c->recipe->source);
  fputs(", \"description\": ", f);
  sf_report_json_string(f, p->description);
  fprintf(f, "},\n  \"seed\": %llu,\n  \"realisations\": %zu,\n  \"seconds\": ",
          (unsigned long long)p->seed, r->n_realisations);
  sf_report_json_number(f, r->seconds);
  fprintf(f, ",\n  \"grid\": {\"nx\": %zu, \"ny\": %zu, \"nz\": %zu, \"voxel_A\": ", p->nx, p->ny,
          p->nz);
  sf_report_json_number(f, p->voxel_A);
  fputs("},\n  \"elements\": [", f);
  for (size_t i = 0; i < p->n_elements; ++i) {
    fputs(i ? ", " : "", f);
    sf_report_json_string(f, p->symbol[i]);
  }
  fputs("],\n  \"modalities\": [\n", f);
  for (size_t k = 0; k < r->n_modalities; ++k) {
    const sf_harness_modality *m = &r->modality[k];
    fputs("    {\"map\": ", f);
    sf_report_json_string(f, m->map);
    fputs(", \"dose_e_per_A2\": ", f);
    sf_report_json_number(f, m->dose_e_per_A2);
    fputs(", \"snr_expected\": ", f);
    sf_report_json_number(f, m->snr_expected);
    fputs(", \"mean_counts\": ", f);
    sf_report_json_number(f, m->mean_counts);
    if (k) {
      fputs(", \"counts_per_atom_per_A2\": ", f);
      sf_report_json_number(f, m->counts_per_x);
    }
    fprintf(f, "}%s\n", k + 1 < r->n_modalities ? "," : "");
  }
  fputs("  ],\n  \"summary\": {\n", f);
  for (size_t i = 0; i < r->n_stats; ++i) {
    fputs("    ", f);
    sf_report_json_string(f, r->stats[i].name);
    fputs(": ", f);
    json_stat(f, &r->stats[i]);
    fputs(i + 1 < r->n_stats ? ",\n" : "\n", f);
  }
  fputs("  },\n  \"per_realisation\": [\n", f);
  for (size_t k = 0; k < r->n_realisations; ++k) {
    const sf_harness_values *v = &r->real[k];
    fprintf(f, "    {\"realisation\": %zu", k);
    for (size_t i = 0; i < v->n; ++i) {
      fputs(", ", f);
      sf_report_json_string(f, v->v[i].name);
      fputs(": ", f);
      sf_report_json_number(f, v->v[i].value);
    }
    fprintf(f, "}%s\n", k + 1 < r->n_realisations ? "," : "");
  }
  fputs("  ],\n  \"stoichiometry\": [\n", f);
  size_t ng = n_groups(r);
  int first = 1;
  for (size_t g = 0; g < ng; ++g)
    for (size_t i = 0; i < p->n_elements; ++i) {
      const sf_stoich_entry *e = &r->stoich.e[i][g];
      fputs(first ? "    {\"group\": " : ",\n    {\"group\": ", f);
      first = 0;
      sf_report_json_string(f, group_name(r, g));
      fputs(", \"element\": ", f);
      sf_report_json_string(f, p->symbol[i]);
      fputs(", \"realisation_0\": {\"mean\": ", f);
      sf_report_json_number(f, e->g.mean);
      fputs(", \"sigma\": ", f);
      sf_report_json_number(f, e->g.sigma);
      fputs(", \"mean_err\": ", f);
      sf_report_json_number(f, e->g.mean_err);
      fputs(", \"truth\": ", f);
      sf_report_json_number(f, e->truth);
      fprintf(f, ", \"n_pixels\": %zu, \"fitted\": %s}", e->n_pixels,
              r->stoich_fitted[i][g] ? "true" : "false");
      char name[SF_HARNESS_NAME_MAX + 64];
      snprintf(name, sizeof name, "stoich.%s.%s.mean", group_name(r, g), p->symbol[i]);
      const sf_harness_stat *s = sf_harness_stat_find(r, name);
      if (s) {
        fputs(", \"over_realisations\": ", f);
        json_stat(f, s);
      }
      fputc('}', f);
    }
  fputs("\n  ],\n  \"stoichiometry_note\": ", f);
  sf_report_json_string(f, r->stoich_note);
  fputs(",\n  \"config\": ", f);
  sf_report_json_string(f, c->recipe->config_text);
  fputs("\n}\n", f);
  return sf_report_close(f, path);
}

static int write_metrics_csv(const sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  char path[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, c->dir, "metrics.csv"));
  SF_TRY(sf_report_open(path, &f));
  fputs("metric,mean,std,min,max,n", f);
  for (size_t k = 0; k < r->n_realisations; ++k)
    fprintf(f, ",r%zu", k);
  fputc('\n', f);
  for (size_t i = 0; i < r->n_stats; ++i) {
    const sf_harness_stat *s = &r->stats[i];
    fprintf(f, "%s,", s->name);
    sf_report_csv_number(f, s->mean);
    fputc(',', f);
    sf_report_csv_number(f, s->std);
    fputc(',', f);
    sf_report_csv_number(f, s->min);
    fputc(',', f);
    sf_report_csv_number(f, s->max);
    fprintf(f, ",%zu", s->n);
    for (size_t k = 0; k < r->n_realisations; ++k) {
      fputc(',', f);
      sf_report_csv_number(f, sf_harness_values_get(&r->real[k], s->name));
    }
    fputc('\n', f);
  }
  return sf_report_close(f, path);
}

static int write_stoich_csv(const sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  const sf_recipe_params *p = &r->p;
  char path[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, c->dir, "stoichiometry.csv"));
  SF_TRY(sf_report_open(path, &f));
  fputs("group,element,mean,sigma,mean_err,sigma_err,truth,error,n_pixels,fitted,"
        "mean_over_realisations,std_over_realisations,sigma_over_realisations\n",
        f);
  for (size_t g = 0; g < n_groups(r); ++g)
    for (size_t i = 0; i < p->n_elements; ++i) {
      const sf_stoich_entry *e = &r->stoich.e[i][g];
      fprintf(f, "%s,%s,", group_name(r, g), p->symbol[i]);
      const double vals[] = {e->g.mean, e->g.sigma, e->g.mean_err, e->g.sigma_err, e->truth,
                             e->error};
      for (size_t k = 0; k < sizeof vals / sizeof vals[0]; ++k) {
        sf_report_csv_number(f, vals[k]);
        fputc(',', f);
      }
      fprintf(f, "%zu,%d,", e->n_pixels, r->stoich_fitted[i][g]);
      char name[SF_HARNESS_NAME_MAX + 64];
      snprintf(name, sizeof name, "stoich.%s.%s.mean", group_name(r, g), p->symbol[i]);
      const sf_harness_stat *s = sf_harness_stat_find(r, name);
      sf_report_csv_number(f, s ? s->mean : NAN);
      fputc(',', f);
      sf_report_csv_number(f, s ? s->std : NAN);
      fputc(',', f);
      snprintf(name, sizeof name, "stoich.%s.%s.sigma", group_name(r, g), p->symbol[i]);
      s = sf_harness_stat_find(r, name);
      sf_report_csv_number(f, s ? s->mean : NAN);
      fputc('\n', f);
    }
  return sf_report_close(f, path);
}

static int write_profile_csv(const sf_report_ctx *c) {
  const sf_profile *pr = c->profile;
  const sf_recipe_params *p = &c->res->p;
  char path[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, c->dir, "profile.csv"));
  SF_TRY(sf_report_open(path, &f));
  fprintf(f, "# segment (px): (%.4g, %.4g) -> (%.4g, %.4g), band %zu px; noisy and fused "
             "maps scaled by their least-squares factors onto the truth\n",
          pr->x0_px, pr->y0_px, pr->x1_px, pr->y1_px, pr->band_points);
  fputs("position_A", f);
  for (size_t i = 0; i < p->n_elements; ++i)
    fprintf(f, ",truth_%s,noisy_%s,fused_%s", p->symbol[i], p->symbol[i], p->symbol[i]);
  fputc('\n', f);
  for (size_t k = 0; k < pr->n; ++k) {
    sf_report_csv_number(f, pr->position[k]);
    for (size_t i = 0; i < p->n_elements; ++i) {
      fputc(',', f);
      sf_report_csv_number(f, pr->values[3 * i][k]);
      fputc(',', f);
      sf_report_csv_number(f, pr->values[3 * i + 1][k] * c->scale_raw[i]);
      fputc(',', f);
      sf_report_csv_number(f, pr->values[3 * i + 2][k] * c->scale_fused[i]);
    }
    fputc('\n', f);
  }
  return sf_report_close(f, path);
}

static int write_convergence_csv(const sf_report_ctx *c) {
  const sf_harness_result *r = c->res;
  char path[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, c->dir, "convergence.csv"));
  SF_TRY(sf_report_open(path, &f));
  fputs("iteration,psi1,psi2,tv,chem_term,tv_term,total,scale,offset,step\n", f);
  for (int k = 0; k < r->n_trace; ++k) {
    const sf_fuse_cost *t = &r->trace[k];
    fprintf(f, "%d", k);
    const double v[] = {t->psi1,  t->psi2,  t->tv,     t->chem_term, t->tv_term,
                        t->total, t->scale, t->offset, t->step};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; ++i) {
      fputc(',', f);
      sf_report_csv_number(f, v[i]);
    }
    fputc('\n', f);
  }
  return sf_report_close(f, path);
}

int sf_report_data_write(const sf_report_ctx *c) {
  SF_TRY(write_json(c));
  SF_TRY(write_metrics_csv(c));
  SF_TRY(write_stoich_csv(c));
  SF_TRY(write_profile_csv(c));
  SF_TRY(write_convergence_csv(c));
  return sf_report_write_text(c->dir, "config.toml", c->recipe->config_text);
}
