/* status.c - filling and composing dd_error values. No I/O. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

dd_status dd_fail(dd_error *err, dd_status code, const char *field, const char *fmt, ...)
{
	if (!err)
		return code;
	/* format first: the arguments may point into err itself */
	char field_copy[DD_FIELD_MAX], message[DD_MESSAGE_MAX];
	snprintf(field_copy, sizeof field_copy, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	err->code = code;
	memcpy(err->field, field_copy, sizeof err->field);
	memcpy(err->message, message, sizeof err->message);
	return code;
}

void dd_field_prefix(char field[DD_FIELD_MAX], const char *prefix)
{
	if (!prefix || !*prefix)
		return;
	char joined[2 * DD_FIELD_MAX + 2];
	const char *sep = !field[0] || field[0] == '[' ? "" : ".";
	snprintf(joined, sizeof joined, "%s%s%s", prefix, sep, field);
	snprintf(field, DD_FIELD_MAX, "%.*s", DD_FIELD_MAX - 1, joined);
}

void dd_error_prefix(dd_error *err, const char *prefix)
{
	if (err)
		dd_field_prefix(err->field, prefix);
}

void dd_error_clear(dd_error *err)
{
	if (!err)
		return;
	err->code = DD_OK;
	err->field[0] = '\0';
	err->message[0] = '\0';
}
