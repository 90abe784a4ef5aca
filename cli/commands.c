/* commands.c - the table of subcommands. */
#include "cli/sf_cli.h"

#include <stddef.h>

const sf_cli_entry sf_cli_commands[] = {
    {"info", "list the signals, shapes, calibrations and attributes of an EMD/HDF5/NPY file",
     sf_cmd_info},
    {NULL, NULL, NULL},
};
