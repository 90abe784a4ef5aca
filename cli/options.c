/* options.c - table-driven option parsing for subcommands. */
#include "cli/sf_cli_options.h"

#include "cli/sf_cli.h"
#include "core/sf_log.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sf_cli_print_help(const sf_cli_spec *spec) {
  sf_out("usage: stemfuse %s %s\n\n%s\n\noptions:\n", spec->command, spec->usage,
         spec->description);
  for (const sf_cli_option *o = spec->options; o->name; ++o) {
    char left[64];
    if (o->short_name)
      snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->metavar ? " " : "",
               o->metavar ? o->metavar : "");
    else
      snprintf(left, sizeof left, "--%s%s%s", o->name, o->metavar ? " " : "",
               o->metavar ? o->metavar : "");
    sf_out("  %-30s %s\n", left, o->help);
  }
  sf_out("  %-30s %s\n", "-h, --help", "show this help");
}

static const sf_cli_option *find_option(const sf_cli_spec *spec, const char *arg,
                                        const char **inline_value) {
  *inline_value = NULL;
  if (arg[0] == '-' && arg[1] && arg[1] != '-' && arg[2] == '\0') {
    for (const sf_cli_option *o = spec->options; o->name; ++o)
      if (o->short_name == arg[1])
        return o;
    return NULL;
  }
  if (strncmp(arg, "--", 2) != 0)
    return NULL;
  const char *name = arg + 2;
  const char *eq = strchr(name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen(name);
  for (const sf_cli_option *o = spec->options; o->name; ++o) {
    if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
      if (eq)
        *inline_value = eq + 1;
      return o;
    }
  }
  return NULL;
}

static int store(const sf_cli_spec *spec, const sf_cli_option *o, const char *value) {
  char *end;
  switch (o->kind) {
  case SF_OPT_FLAG: *(int *)o->target = 1; return 0;
  case SF_OPT_STRING: *(const char **)o->target = value; return 0;
  case SF_OPT_DOUBLE: {
    errno = 0;
    double v = strtod(value, &end);
    if (end == value || *end || errno == ERANGE || !isfinite(v))
      return sf_cli_usage_error(spec->command, "--%s %s: expected a finite number", o->name,
                                value);
    *(double *)o->target = v;
    return 0;
  }
  case SF_OPT_INT: {
    errno = 0;
    long v = strtol(value, &end, 10);
    if (end == value || *end || errno == ERANGE)
      return sf_cli_usage_error(spec->command, "--%s %s: expected an integer", o->name, value);
    *(long *)o->target = v;
    return 0;
  }
  case SF_OPT_LIST: {
    sf_cli_list *list = o->target;
    if (list->count == SF_CLI_LIST_MAX)
      return sf_cli_usage_error(spec->command, "--%s: at most %d times", o->name,
                                SF_CLI_LIST_MAX);
    list->items[list->count++] = value;
    return 0;
  }
  }
  return 0;
}

int sf_cli_parse(const sf_cli_spec *spec, int argc, char **argv, const char **positional,
                 int *n_positional) {
  *n_positional = 0;
  int only_positional = 0;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    if (!only_positional && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
      sf_cli_print_help(spec);
      return 0;
    }
    if (!only_positional && strcmp(arg, "--") == 0) {
      only_positional = 1;
      continue;
    }
    if (!only_positional && arg[0] == '-' && arg[1] != '\0') {
      const char *value;
      const sf_cli_option *o = find_option(spec, arg, &value);
      if (!o)
        return sf_cli_usage_error(spec->command, "unknown option '%s'", arg);
      if (o->kind == SF_OPT_FLAG) {
        if (value)
          return sf_cli_usage_error(spec->command, "--%s takes no value", o->name);
      } else if (!value) {
        if (i + 1 >= argc)
          return sf_cli_usage_error(spec->command, "--%s needs a value (%s)", o->name,
                                    o->metavar ? o->metavar : "VALUE");
        value = argv[++i];
      }
      int rc = store(spec, o, value);
      if (rc)
        return rc;
      continue;
    }
    if (*n_positional >= spec->max_positional)
      return sf_cli_usage_error(spec->command, "unexpected argument '%s'", arg);
    positional[(*n_positional)++] = arg;
  }
  if (*n_positional < spec->min_positional)
    return sf_cli_usage_error(spec->command, "missing argument (usage: stemfuse %s %s)",
                              spec->command, spec->usage);
  return -1;
}
