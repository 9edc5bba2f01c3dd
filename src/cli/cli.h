/* cli.h - the doudi command: one table of subcommands, each a function. */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stddef.h>

#include "core/status.h"

/* Exit codes */
enum { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_BAD_INPUT = 2 };

int cmd_assess(int argc, char **argv);

/* Reads a whole file ("-" = stdin) up to limit bytes into a malloc'd buffer. */
dd_status cli_read_file(const char *path, size_t limit, char **out, size_t *len, dd_error *err);
/* Prints "field: message" on stderr. */
void cli_print_error(const dd_error *err);

#endif
