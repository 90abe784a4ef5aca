/* main.c - `stemfuse`: global options, then dispatch to a subcommand. */
#include "cli/sf_cli.h"
#include "core/sf_log.h"
#include "core/sf_progress.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"
#include "sf_version.h"

#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sf_cli_argc;
char **sf_cli_argv;

static void print_help(void) {
  sf_out("stemfuse %s - simulate, validate and recover fused multi-modal STEM maps\n\n",
         SF_VERSION_STRING);
  sf_out("usage: stemfuse [global options] COMMAND [options]\n\ncommands:\n");
  for (const sf_cli_entry *c = sf_cli_commands; c->name; ++c)
    sf_out("  %-10s %s\n", c->name, c->summary);
  sf_out("\nglobal options (before or after COMMAND):\n"
         "  -q, --quiet         errors only, no progress\n"
         "  -v, --verbose       more detail (-vv for debugging)\n"
         "  --progress=MODE     auto (default), bar, plain, json or none\n"
         "  --threads=N         threads for OpenMP and FFTW (default: OMP_NUM_THREADS or all cores)\n"
         "  -h, --help          this help; `stemfuse COMMAND --help` for a command\n"
         "  --version           program version and git revision\n");
}

int sf_cli_fail(const char *command, int status) {
  const char *msg = sf_error_message();
  fprintf(stderr, "stemfuse %s: error: %s\n", command, msg[0] ? msg : sf_strerror(status));
  return 1;
}

int sf_cli_usage_error(const char *command, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "stemfuse %s: ", command);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n(see `stemfuse %s --help`)\n", command);
  va_end(ap);
  return 2;
}

/* Consume global options anywhere on the line; returns 0 or an exit status + 1. */
static int take_global_option(const char *arg, int *threads, int *consumed) {
  *consumed = 1;
  if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
    sf_log_set_level(SF_LOG_ERROR);
    sf_progress_set_mode(SF_PROGRESS_NONE);
  } else if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
    sf_log_set_level(sf_log_get_level() < SF_LOG_INFO ? SF_LOG_INFO : SF_LOG_DEBUG);
  } else if (strcmp(arg, "-vv") == 0) {
    sf_log_set_level(SF_LOG_DEBUG);
  } else if (strncmp(arg, "--progress=", 11) == 0) {
    sf_progress_mode mode;
    if (sf_progress_mode_parse(arg + 11, &mode) != SF_OK) {
      fprintf(stderr, "stemfuse: %s\n", sf_error_message());
      return 3;
    }
    sf_progress_set_mode(mode);
  } else if (strncmp(arg, "--threads=", 10) == 0) {
    char *end;
    long n = strtol(arg + 10, &end, 10);
    if (*end || n < 1 || n > 4096) {
      fprintf(stderr, "stemfuse: %s: expected a thread count from 1 to 4096\n", arg);
      return 3;
    }
    *threads = (int)n;
  } else {
    *consumed = 0;
  }
  return 0;
}

int main(int argc, char **argv) {
  /* Provenance keeps the whole original command line; argv is compacted below. */
  char **original = malloc(((size_t)argc + 1) * sizeof *original);
  if (!original)
    return 1;
  memcpy(original, argv, ((size_t)argc + 1) * sizeof *original);
  sf_cli_argc = argc;
  sf_cli_argv = original;
  /* GSL's default handler aborts; the library checks every GSL status itself. */
  gsl_set_error_handler_off();
  int threads = 0;
  /* Strip global options in place, keeping the order of the rest. */
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    int consumed;
    int rc = take_global_option(argv[i], &threads, &consumed);
    if (rc)
      return rc - 1;
    if (!consumed)
      argv[kept++] = argv[i];
  }
  argc = kept;
  argv[argc] = NULL;

  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "help") == 0) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
    sf_out("stemfuse %s (git %s)\n", SF_VERSION_STRING, SF_GIT_SHA);
    return 0;
  }
  if (sf_threads_init(threads) != SF_OK)
    return sf_cli_fail("", SF_EINVAL);
  int rc = 2;
  const sf_cli_entry *c = sf_cli_commands;
  while (c->name && strcmp(argv[1], c->name) != 0)
    ++c;
  if (c->name)
    rc = c->run(argc - 1, argv + 1);
  else
    fprintf(stderr, "stemfuse: unknown command '%s' (see `stemfuse --help`)\n", argv[1]);
  free(original);
  return rc;
}
