/* server.h - `doudi serve`: the API over libmicrohttpd, with its internal
 * thread pool on epoll (one worker per core), one store connection per
 * worker, request limits, a request id in every log line and response, and a
 * graceful stop on SIGTERM/SIGINT (stop accepting, let the requests in
 * flight finish, then stop).
 *
 * Log lines (standard error) carry no personal data: the route pattern
 * instead of the path, never the query string, a body or a header value. */
#ifndef DD_HTTP_SERVER_H
#define DD_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "service/accounts.h"

struct policy_store;

struct server_config {
	const char *db;	     /* SQLite path or postgresql:// URI */
	const char *host;    /* numeric IPv4 or IPv6 address, or "localhost" */
	unsigned port;	     /* 0: any free port (logged) */
	unsigned threads;    /* workers; 0 = one per core */
	size_t max_body;     /* request body limit (bytes): 413 above it */
	unsigned json_depth; /* nesting limit of JSON bodies */
	size_t conn_memory;  /* per-connection memory: bounds the request headers (libmicrohttpd zeroes it on every
				request) */
	unsigned timeout;    /* idle connection timeout, seconds */
	unsigned drain;	     /* seconds to wait for requests in flight on stop */
	bool cookie_secure;  /* Secure session cookie (serving behind TLS) */
	const char *web;     /* the built web UI's directory; NULL = the API only */
	/* uploaded files (visit photos), outside the web root; NULL: uploads refused */
	const char *data_dir;
	/* the citizen portal's limits per client address */
	unsigned portal_create_per_hour;    /* POST /api/v1/public/applications */
	unsigned portal_lookup_per_minute;  /* status lookups */
	unsigned portal_regions_per_minute; /* the region picker */
	struct accounts_policy policy;
	const struct policy *assess_policy; /* required: the rules of POST /api/v1/assess */
	const struct calendar *calendar;    /* required: working days for the case deadlines */
	struct policy_store *policies;	    /* the policy in force, file + store (NULL: assess_policy) */
};

void server_config_default(struct server_config *c);

/* Runs until SIGTERM or SIGINT. Returns 0 after a clean stop, 1 when the
 * server could not start (the reason on standard error). */
int server_run(const struct server_config *c);

#endif
