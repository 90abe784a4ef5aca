/* report_internal.h - helpers shared by the report and sweep writers (not
   installed): paths inside an output folder, JSON and HTML text. */
#ifndef SF_REPORT_INTERNAL_H
#define SF_REPORT_INTERNAL_H
#include "validate/sf_harness.h"
#include "validate/sf_profile.h"
#include "validate/sf_recipe.h"

#include <stdio.h>
#ifdef __cplusplus
extern "C" {
#endif

/* "dir/name" into buf; SF_EINVAL when it does not fit. */
int sf_report_path(char *buf, size_t size, const char *dir, const char *name);
/* fopen for writing with an SF_EIO message naming the path on failure. */
int sf_report_open(const char *path, FILE **f);
/* fclose with an SF_EIO message when writing failed (disk full ...). */
int sf_report_close(FILE *f, const char *path);
/* Write a whole text file. */
int sf_report_write_text(const char *dir, const char *name, const char *text);

/* A JSON number: %.12g, or null when not finite. */
void sf_report_json_number(FILE *f, double v);
/* A JSON string with escapes. */
void sf_report_json_string(FILE *f, const char *s);
/* HTML-escaped text (& < > "). */
void sf_report_html_text(FILE *f, const char *s);
/* A CSV number: %.12g, or empty when not finite. */
void sf_report_csv_number(FILE *f, double v);
/* The CSS and page head shared by the report and sweep pages. */
void sf_report_html_head(FILE *f, const char *title);

/* What the parts of a validation report share. */
typedef struct sf_report_ctx {
  const sf_recipe *recipe;
  const sf_harness_result *res;
  const char *dir;         /* the (temporary) folder being written */
  sf_profile *profile;     /* truth, noisy, fused of each element (3 n_elements maps) */
  double scale_raw[SF_RECIPE_MAX_ELEMENTS];   /* realisation-0 alignment of the noisy maps */
  double scale_fused[SF_RECIPE_MAX_ELEMENTS]; /* ... and of the fused maps */
  int argc;
  char *const *argv;
} sf_report_ctx;

/* metrics.json, metrics.csv, stoichiometry.csv, profile.csv, convergence.csv. */
int sf_report_data_write(const sf_report_ctx *c);
/* The PNG figures. */
int sf_report_figures_write(const sf_report_ctx *c);
/* index.html. */
int sf_report_html_write(const sf_report_ctx *c);
/* The command line joined with spaces into buf. */
void sf_report_command_line(char *buf, size_t size, int argc, char *const *argv);

#ifdef __cplusplus
}
#endif
#endif
