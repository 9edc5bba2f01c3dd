/* reply.c - handler answers and the error body. No I/O. */
#include "reply.h"

#include <string.h>

void reply_init(struct http_reply *r)
{
	memset(r, 0, sizeof *r);
	r->status = 500;
	strbuf_init(&r->body, 256);
}

void reply_release(struct http_reply *r)
{
	strbuf_release(&r->body);
}

void reply_status(struct http_reply *r, int status)
{
	r->status = status;
	r->content_type[0] = '\0';
	r->disposition[0] = '\0';
	strbuf_reset(&r->body);
}

void reply_error(struct http_reply *r, int status, const char *code, const char *message, const char *field)
{
	reply_status(r, status);
	struct strbuf *b = &r->body;
	strbuf_adds(b, "{\"error\":{\"code\":");
	strbuf_add_json_string(b, code, strlen(code));
	strbuf_adds(b, ",\"message\":");
	strbuf_add_json_string(b, message, strlen(message));
	strbuf_adds(b, ",\"field\":");
	strbuf_add_json_string(b, field ? field : "", field ? strlen(field) : 0);
	strbuf_adds(b, "}}");
}

void reply_svc_error(struct http_reply *r, const struct svc_error *e)
{
	reply_error(r, svc_http_status(e->kind), e->code[0] ? e->code : "ERROR", e->message, e->field);
}
