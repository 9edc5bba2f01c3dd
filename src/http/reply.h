/* reply.h - what a handler answers, before it becomes an HTTP response:
 * a status, a JSON body, and the few headers the API sets. Pure: no I/O.
 *
 * Errors have exactly the body of API.md:
 *   {"error":{"code":"...","message":"...","field":"..."}}
 * code a stable English word for programs, message Chinese for people,
 * field the JSON path at fault ("" when none). */
#ifndef DD_HTTP_REPLY_H
#define DD_HTTP_REPLY_H

#include <stdbool.h>

#include "core/strbuf.h"
#include "service/svc.h"

struct http_reply {
	int status;
	struct strbuf body;   /* JSON; empty for 204 */
	char set_cookie[256]; /* "" = none */
	char allow[96];	      /* the Allow header of a 405; "" = none */
	bool close;	      /* answer with Connection: close */
	long long user_id;    /* the caller, for the log; 0 = anonymous */
	unsigned retry_after; /* the Retry-After header of a 429 (seconds); 0 = none */
	/* a file download (bank files, reports): its Content-Type and
	 * Content-Disposition; "" = JSON. reply_status clears both. */
	char content_type[96];
	char disposition[512];
};

void reply_init(struct http_reply *r);
void reply_release(struct http_reply *r);

/* Replaces the body with the error object. field NULL = "". */
void reply_error(struct http_reply *r, int status, const char *code, const char *message, const char *field);
/* The same from a service error (its kind gives the status). */
void reply_svc_error(struct http_reply *r, const struct svc_error *e);
/* Sets the status; the caller then writes the JSON body into r->body. */
void reply_status(struct http_reply *r, int status);

#endif
