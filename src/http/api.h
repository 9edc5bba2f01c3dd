/* api.h - the HTTP API of API.md: the route table and its handlers. A
 * handler only turns a request into service calls (src/service/) and their
 * answers into JSON; every permission and region check is in the services.
 * No libmicrohttpd here: server.c extracts what a handler needs. */
#ifndef DD_HTTP_API_H
#define DD_HTTP_API_H

#include <stdbool.h>
#include <stddef.h>

#include "query.h"
#include "reply.h"
#include "router.h"
#include "service/accounts.h"

struct db;
struct rate_limiter;

struct policy;
struct calendar;
struct policy_store;

struct api_config {
	const struct accounts_policy *policy;
	const struct policy *assess_policy; /* the rules POST /api/v1/assess applies */
	const struct calendar *calendar;    /* working days (case deadlines) */
	struct policy_store *policies;	    /* the policy in force (file + store); NULL: assess_policy */
	unsigned json_depth;		    /* nesting limit of request bodies */
	bool cookie_secure;		    /* add Secure to the session cookie */
	const char *data_dir;		    /* uploaded files (visit photos), outside the web root; NULL: none */
	/* the citizen portal's limits per client address (NULL: none) */
	struct rate_limiter *portal_create;  /* POST /api/v1/public/applications */
	struct rate_limiter *portal_lookup;  /* GET /api/v1/public/applications/{tracking_no} */
	struct rate_limiter *portal_regions; /* GET /api/v1/public/regions */
};

struct api_request {
	enum http_method method;
	const char *path;		/* without the query string */
	const struct http_query *query; /* its decoded parameters */
	const char *body;		/* NULL or body_len bytes */
	size_t body_len;
	const char *cookie;	  /* the Cookie header, or NULL */
	const char *csrf;	  /* the X-CSRF-Token header, or NULL */
	const char *content_type; /* the Content-Type header, or NULL */
	const char *ip;		  /* the client's address as text, or NULL */
};

/* Answers one request. db is the worker's connection (NULL when the store
 * cannot be opened: 503). *route gets the matched pattern for the log
 * ("-" when none). */
void api_handle(const struct api_config *cfg, struct db *db, const struct api_request *req, struct http_reply *rep,
		const char **route);

/* True when the route of method and path hashes a password (login, account
 * creation): server.c runs those on its own threads, so that the pool
 * threads keep answering everyone else meanwhile. */
bool api_route_slow(enum http_method method, const char *path);

/* The body limit of the route of method and path: dflt, or more for an
 * upload route (a visit photo: VISIT_PHOTO_MAX and some). */
size_t api_route_body_max(enum http_method method, const char *path, size_t dflt);

#endif
