/* cmd_sweep.c - `stemfuse sweep RECIPE.toml -o DIR`: dose grid, gamma sweep
   and lambda sweep of a validation recipe (validate/sf_sweep.h). */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "validate/sf_recipe.h"
#include "validate/sf_sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CMD "sweep"

/* "dose,gamma" into SF_RECIPE_SWEEP_* bits; -1 for an unknown name. */
static int parse_kinds(const char *text, unsigned *kinds) {
  *kinds = 0;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", text);
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
       tok = strtok_r(NULL, ",", &save)) {
    if (strcmp(tok, "dose") == 0)
      *kinds |= SF_RECIPE_SWEEP_DOSE;
    else if (strcmp(tok, "gamma") == 0)
      *kinds |= SF_RECIPE_SWEEP_GAMMA;
    else if (strcmp(tok, "lambda") == 0)
      *kinds |= SF_RECIPE_SWEEP_LAMBDA;
    else if (strcmp(tok, "all") == 0)
      *kinds |= SF_RECIPE_SWEEP_DOSE | SF_RECIPE_SWEEP_GAMMA | SF_RECIPE_SWEEP_LAMBDA;
    else
      return -1;
  }
  return *kinds ? 0 : -1;
}

int sf_cmd_sweep(int argc, char **argv) {
  const char *out = NULL, *kind_text = NULL;
  int force = 0, dump = 0;
  sf_cli_list sets = {{0}, 0};
  const sf_cli_option options[] = {
      {"output", 'o', SF_OPT_STRING, &out, "DIR", "folder to create (required)"},
      {"kind", 0, SF_OPT_STRING, &kind_text, "LIST",
       "sweeps to run: dose, gamma, lambda or all, comma-separated (default: sweep.kinds)"},
      {"set", 0, SF_OPT_LIST, &sets, "TABLE.KEY=VALUE",
       "override a recipe key (repeatable), e.g. --set sweep.chem_snr=[1,2,4]"},
      {"dump-config", 0, SF_OPT_FLAG, &dump, NULL,
       "print the fully resolved recipe (every default included) and exit"},
      {"force", 0, SF_OPT_FLAG, &force, NULL, "replace an existing folder"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      CMD, "RECIPE.toml -o DIR [--kind dose,gamma,lambda] [--set TABLE.KEY=VALUE ...]",
      "Sweep the validation loop of a recipe over the grids of its [sweep] table\n"
      "(docs/validation.md): a dose grid (HAADF x chemical SNR or dose -> RMSE and PSNR heat\n"
      "maps, as the paper's Fig. 6a), a gamma sweep (true x assumed gamma -> stoichiometry\n"
      "error) and a lambda sweep (L-curve, the ground-truth-optimal lambda, the recovery's\n"
      "automatic choice and the L-curve corner). Writes CSV tables, PNG heat maps and curves, sweep.json and index.html to\n"
      "DIR (nothing on failure), with progress and time left.",
      options, 1, 1};
  const char *pos[1];
  int npos = 0;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  if (!out && !dump)
    return sf_cli_usage_error(CMD, "missing -o DIR");
  unsigned kinds = 0;
  if (kind_text && parse_kinds(kind_text, &kinds) != 0)
    return sf_cli_usage_error(CMD, "--kind %s: expected dose, gamma, lambda or all", kind_text);

  sf_recipe *recipe = NULL;
  int st = sf_recipe_load(pos[0], sets.items, (size_t)sets.count, &recipe);
  if (st != SF_OK)
    return sf_cli_fail(CMD, st);
  if (dump) {
    sf_out("%s", recipe->config_text);
    sf_recipe_destroy(recipe);
    return 0;
  }
  struct stat sb;
  if (!force && stat(out, &sb) == 0) {
    sf_recipe_destroy(recipe);
    sf_error_set(SF_EEXIST, "%s: output already exists (use --force to overwrite)", out);
    return sf_cli_fail(CMD, SF_EEXIST);
  }
  char *summary = NULL;
  st = sf_sweep_run(recipe, kinds, out, force, sf_cli_argc, sf_cli_argv, &summary);
  if (st == SF_OK) {
    sf_out("%s", summary);
    sf_out("report: %s/index.html\n", out);
  }
  free(summary);
  sf_recipe_destroy(recipe);
  return st == SF_OK ? 0 : sf_cli_fail(CMD, st);
}
