/* cmd_info.c - `stemfuse info FILE`: placeholder until io readers land. */
#include "cli/sf_cli.h"

#include <stdio.h>

int sf_cmd_info(int argc, char **argv) {
  if (argc < 2)
    return sf_cli_usage_error("info", "missing FILE");
  return sf_cli_usage_error("info", "%s: no reader yet", argv[1]);
}
