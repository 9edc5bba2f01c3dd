/* router.h - matching a request's method and path against a route table.
 * Pure: no I/O, no libmicrohttpd.
 *
 * A pattern is a path of literal segments and `{name}` segments; a `{name}`
 * segment matches 1-19 decimal digits (record ids), nothing else; a
 * `{*name}` segment 1-96 bytes of ASCII letters, digits, '.', '_' and '-' (tracking
 * numbers, names such as policy parameters; the parameter's name is then "name"). A path
 * that is not canonical - not starting with '/', empty or "." or ".."
 * segments, a trailing slash, backslashes, '%' (left undecoded), control or
 * non-ASCII bytes - matches no route: 404, so no traversal can reach
 * anything. A path that matches some route but not with this method is
 * ROUTE_METHOD_NOT_ALLOWED with the allowed methods; HEAD matches GET. */
#ifndef DD_HTTP_ROUTER_H
#define DD_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

enum http_method {
	HTTP_OTHER = 0,
	HTTP_GET = 1,
	HTTP_HEAD = 2,
	HTTP_POST = 4,
	HTTP_PUT = 8,
	HTTP_PATCH = 16,
	HTTP_DELETE = 32,
	HTTP_OPTIONS = 64,
};

enum http_method http_method_parse(const char *s);
/* "GET, POST" … for an Allow header. */
void http_methods_text(unsigned mask, char *out, size_t cap);

#define ROUTE_PARAMS_MAX 4
#define ROUTE_PATH_MAX 1024

struct route {
	enum http_method method;
	const char *pattern; /* "/api/v1/users/{id}" */
	int id;		     /* the caller's handler number */
	unsigned flags;	     /* the caller's flags */
};

struct route_param {
	const char *name; /* points into the pattern; name_len bytes */
	size_t name_len;
	const char *value; /* points into the path; len bytes */
	size_t len;
};

struct route_match {
	const struct route *route;
	int nparams;
	struct route_param params[ROUTE_PARAMS_MAX];
};

enum route_result {
	ROUTE_OK,
	ROUTE_NOT_FOUND,
	ROUTE_METHOD_NOT_ALLOWED,
};

/* True when path is canonical (see above). */
bool router_path_ok(const char *path);
/* Matches; *allowed (may be NULL) gets the methods of the path's routes. */
enum route_result router_match(const struct route *routes, size_t n, enum http_method m, const char *path,
			       struct route_match *out, unsigned *allowed);
/* The value of a parameter as a positive 64-bit integer; false otherwise. */
bool route_param_id(const struct route_match *m, const char *name, long long *out);

#endif
