/* sf_cli.h - the subcommands of `stemfuse` and the options they share.

   Each subcommand lives in its own cli/cmd_NAME.c and has the signature of
   sf_cli_command: argv[0] is the subcommand name. A subcommand returns the
   process exit status: 0 on success, 1 on a failed run, 2 on bad usage. */
#ifndef SF_CLI_H
#define SF_CLI_H
#ifdef __cplusplus
extern "C" {
#endif

typedef int sf_cli_command(int argc, char **argv);

typedef struct sf_cli_entry {
  const char *name;
  const char *summary;
  sf_cli_command *run;
} sf_cli_entry;

/** The table of subcommands (NULL-terminated), defined in cli/commands.c. */
extern const sf_cli_entry sf_cli_commands[];

/** Report a failed library call: "stemfuse NAME: message" on stderr; returns 1. */
int sf_cli_fail(const char *command, int status);
/** Report bad usage with a hint to --help; returns 2. */
int sf_cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** The full command line of this process (for provenance). */
extern int sf_cli_argc;
extern char **sf_cli_argv;

int sf_cmd_info(int argc, char **argv);
int sf_cmd_pattern(int argc, char **argv);
int sf_cmd_config(int argc, char **argv);
int sf_cmd_structure(int argc, char **argv);
int sf_cmd_atom(int argc, char **argv);
int sf_cmd_edge(int argc, char **argv);
int sf_cmd_potential(int argc, char **argv);
int sf_cmd_simulate(int argc, char **argv);
int sf_cmd_fuse(int argc, char **argv);
int sf_cmd_noise(int argc, char **argv);
int sf_cmd_validate(int argc, char **argv);
int sf_cmd_sweep(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
