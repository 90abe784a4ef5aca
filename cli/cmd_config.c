/* cmd_config.c - `stemfuse config FILE [--set table.key=value ...] [--json]`:
   parse a configuration file (no schema), apply overrides and print it as
   JSON or normalised TOML. */
#include "cli/sf_cli.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void usage(void) {
  sf_out("usage: stemfuse config FILE [--set table.key=value ...] [--json]\n\n"
         "Parse a configuration file (the strict TOML subset of stemfuse), apply\n"
         "overrides and print the document: normalised TOML, or JSON with --json.\n"
         "No schema is applied: every table and key is printed as written.\n\n"
         "options:\n"
         "  --set table.key=value  override a value (TOML syntax; a bare word is a string);\n"
         "                         element i of [[name]] is name.i (1-based); repeatable\n"
         "  --json                 print JSON (integers, floats with 17 digits, strings)\n"
         "  -h, --help             this help\n");
}

int sf_cmd_config(int argc, char **argv) {
  const char *file = NULL;
  bool json = false;
  /* First pass: options and the file name; overrides are applied after parsing. */
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage();
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      json = true;
    } else if (strcmp(a, "--set") == 0) {
      if (i + 1 >= argc)
        return sf_cli_usage_error("config", "--set needs table.key=value");
      ++i;
    } else if (strncmp(a, "--set=", 6) == 0) {
      continue;
    } else if (a[0] == '-' && a[1]) {
      return sf_cli_usage_error("config", "unknown option '%s'", a);
    } else if (file) {
      return sf_cli_usage_error("config", "more than one FILE ('%s' and '%s')", file, a);
    } else {
      file = a;
    }
  }
  if (!file)
    return sf_cli_usage_error("config", "missing FILE");

  sf_config *cfg = NULL;
  int status = sf_config_parse_file(file, &cfg);
  if (status != SF_OK)
    return sf_cli_fail("config", status);
  for (int i = 1; i < argc && status == SF_OK; ++i) {
    if (strcmp(argv[i], "--set") == 0)
      status = sf_config_set(cfg, argv[++i]);
    else if (strncmp(argv[i], "--set=", 6) == 0)
      status = sf_config_set(cfg, argv[i] + 6);
  }
  char *text = NULL;
  if (status == SF_OK)
    status = json ? sf_config_to_json(cfg, &text) : sf_config_to_toml(cfg, &text);
  sf_config_destroy(cfg);
  if (status != SF_OK)
    return sf_cli_fail("config", status);
  sf_out("%s", text);
  free(text);
  return 0;
}
