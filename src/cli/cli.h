/* cli.h - the doudi command: one table of subcommands, each a function. */
#ifndef DD_CLI_H
#define DD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "service/svc.h"

/* Exit codes */
enum { EXIT_OK = 0, EXIT_INTERNAL = 1, EXIT_BAD_INPUT = 2 };

int cmd_assess(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_casework(int argc, char **argv);
int cmd_payroll(int argc, char **argv);
/* cmd_payroll_checks.c: the payroll subcommands after generate (argv[1] the subcommand) */
int cmd_payroll_more(int argc, char **argv);
void cmd_payroll_more_usage(void);
/* cmd_payroll_epidemic.c: epidemic, temporary, epidemic-patient, epidemic-discharge */
int cmd_payroll_aid(int argc, char **argv);
void cmd_payroll_aid_usage(void);
int cmd_policy(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_children(int argc, char **argv);

/* Reads a whole file ("-" = stdin) up to limit bytes into a malloc'd buffer. */
dd_status cli_read_file(const char *path, size_t limit, char **out, size_t *len, dd_error *err);
/* Prints "field: message" on stderr. */
void cli_print_error(const dd_error *err);
/* Parses s as a whole decimal integer of at least min (0 or 1) into *out;
 * otherwise prints "name: 须为非负整数/须为正整数 …" on stderr and returns
 * false. */
bool cli_parse_id(const char *name, const char *s, int64_t min, int64_t *out);

struct policy;
/* Loads the policy file at path, or the shipped policy embedded in the
 * binary when path is NULL. On failure prints the reason (file, field,
 * message) and returns false. */
bool cli_load_policy(const char *path, struct policy *out);
/* The policy file's bytes (path NULL: the shipped one) in a malloc'd copy,
 * for the policy store (service/policy_store.h), which merges the store's
 * entries over them. Prints the reason and returns false on failure. */
bool cli_policy_text(const char *path, char **text, size_t *n);
struct calendar;
/* Loads the holiday calendar at path, or the shipped one (policy/calendar-cn.json,
 * embedded) when path is NULL. Prints the reason and returns false on failure. */
bool cli_load_calendar(const char *path, struct calendar *out);
/* The exit code for a failed status: bad input 2, the rest 1. */
int cli_exit_code(dd_status rc);
/* The exit code for a service call's result: 0 when it succeeded, 1 when the
 * store failed or did not answer, 2 for everything the caller can fix. */
int cli_svc_exit(enum svc_kind k);
/* Prints a service error to stderr as "FIELD: message (CODE)", the field or,
 * when the error names none, name (the command, "doudi payroll"). */
void cli_svc_print(const char *name, const struct svc_error *e);
/* cli_svc_print, then the exit code for k (cli_svc_exit). */
int cli_svc_fail(const char *name, enum svc_kind k, const struct svc_error *e);

struct db;
/* Opens the store named by --db (NULL: var/doudi.db). With create, a missing
 * SQLite file and its directory are made (file 0600, directory 0700). */
dd_status cli_db_open(const char *target, bool create, struct db **out, dd_error *err);
/* How to name the target in messages: the path, or "PostgreSQL" (a URI may
 * hold a password, so it is never printed). */
const char *cli_db_label(const char *target);

#endif
