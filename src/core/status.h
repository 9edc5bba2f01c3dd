/* status.h - the one status enum and the error object every fallible call fills.
 *
 * 0 is success. An error carries a code, the field path it concerns (e.g.
 * "members[1].id") and a message meant for the user: Chinese first, then the
 * English reason in parentheses. It becomes an exit code or an HTTP status in
 * one place only (the CLI or HTTP layer). Never stored in globals.
 */
#ifndef DD_STATUS_H
#define DD_STATUS_H

#include <stddef.h>

typedef enum dd_status {
	DD_OK = 0,
	DD_EINVAL,    /* bad input: syntax, type, value */
	DD_ERANGE,    /* a number outside what can be represented exactly */
	DD_ENOTFOUND, /* a required thing (e.g. a policy value) is missing */
	DD_ENOMEM,    /* allocation failed */
	DD_EIO,	      /* reading or writing failed */
	DD_ELIMIT,    /* a size or depth limit was exceeded */
} dd_status;

#define DD_FIELD_MAX 192
#define DD_MESSAGE_MAX 320

typedef struct dd_error {
	dd_status code;
	char field[DD_FIELD_MAX];
	char message[DD_MESSAGE_MAX];
} dd_error;

#define DD_MUST_CHECK __attribute__((warn_unused_result))
#define DD_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Fills err (when not NULL) and returns code, so callers can write
 * `return dd_fail(err, DD_EINVAL, "members[0].id", "...")`. */
dd_status dd_fail(dd_error *err, dd_status code, const char *field, const char *fmt, ...) DD_PRINTF(4, 5);

/* Prefixes err->field with prefix (e.g. "members[2]" + "." + "id"). */
void dd_error_prefix(dd_error *err, const char *prefix);
/* The same on a field name of its own (a service error's). */
void dd_field_prefix(char field[DD_FIELD_MAX], const char *prefix);

void dd_error_clear(dd_error *err);

#endif
