/* sf_cli_options.h - a small, strict option parser shared by the subcommands.

   Options are `--name value` or `--name=value`; flags take no value; list
   options may repeat. Numbers must parse completely ("1e5" yes, "1e5x" no).
   `--help` prints the usage generated from the table.

   Catalogue: sf_cli_parse, sf_cli_print_help. */
#ifndef SF_CLI_OPTIONS_H
#define SF_CLI_OPTIONS_H
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_cli_option_kind {
  SF_OPT_FLAG,   /* int: set to 1 */
  SF_OPT_STRING, /* const char * */
  SF_OPT_DOUBLE, /* double */
  SF_OPT_INT,    /* long */
  SF_OPT_LIST    /* sf_cli_list: repeatable string */
} sf_cli_option_kind;

#define SF_CLI_LIST_MAX 64
typedef struct sf_cli_list {
  const char *items[SF_CLI_LIST_MAX];
  int count;
} sf_cli_list;

typedef struct sf_cli_option {
  const char *name; /* without dashes: "pixel-size-A" for --pixel-size-A */
  char short_name;  /* 'o' for -o, or 0 */
  sf_cli_option_kind kind;
  void *target;
  const char *metavar;
  const char *help;
} sf_cli_option;

typedef struct sf_cli_spec {
  const char *command;     /* "pattern" */
  const char *usage;       /* "[options] -o OUT.emd" */
  const char *description; /* a paragraph */
  const sf_cli_option *options; /* terminated by an entry with name NULL */
  int min_positional;
  int max_positional;
} sf_cli_spec;

/** Parse argv (argv[0] = command name). Positional arguments are collected
    into positional[] (capacity max_positional). Returns -1 to continue, or an
    exit status to return at once (0 after --help, 2 after a usage error,
    which has been printed). */
int sf_cli_parse(const sf_cli_spec *spec, int argc, char **argv, const char **positional,
                 int *n_positional);

void sf_cli_print_help(const sf_cli_spec *spec);

#ifdef __cplusplus
}
#endif
#endif
