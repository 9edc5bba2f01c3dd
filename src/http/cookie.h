/* cookie.h - the session cookie: reading one cookie out of a Cookie header
 * and writing the Set-Cookie value. Pure: no I/O.
 *
 * The cookie is `doudi_session`, HttpOnly, SameSite=Strict, Path=/ (and
 * Secure when asked: behind TLS). */
#ifndef DD_HTTP_COOKIE_H
#define DD_HTTP_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

#define SESSION_COOKIE "doudi_session"

/* Copies the value of cookie `name` from a Cookie header ("a=1; b=2") into
 * out (cap bytes with the NUL). False when absent, empty or longer than
 * cap - 1. Surrounding double quotes are removed; the first of several
 * cookies with the name wins. */
bool cookie_get(const char *header, const char *name, char *out, size_t cap);

/* The Set-Cookie value that sets the session token (max_age seconds), or,
 * with token NULL, clears it. False when out is too small. */
bool cookie_session_value(char *out, size_t cap, const char *token, long max_age, bool secure);

#endif
