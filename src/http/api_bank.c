/* api_bank.c - bank files, return files, re-issue, reconciliation and the
 * fund ledger of the payroll (issue 6). Parses and renders only; every check
 * is in service/bank_file.c and service/fund_ledger.c. */
#include "api_internal.h"

#include <stdio.h>
#include <string.h>

#include "service/bank_file.h"
#include "service/fund_ledger.h"
#include "service/xlsx_out.h"

/* The path parameter name as text ("" when absent or too long). */
static void param(const struct call *c, const char *name, char *out, size_t cap)
{
	out[0] = '\0';
	for (int i = 0; i < c->match->nparams; i++) {
		const struct route_param *p = &c->match->params[i];
		if (p->name_len == strlen(name) && memcmp(p->name, name, p->name_len) == 0 && p->len < cap) {
			memcpy(out, p->value, p->len);
			out[p->len] = '\0';
		}
	}
}

/* Percent-encodes UTF-8 for a filename*= parameter (RFC 8187). */
static void pct_encode(const char *s, char *out, size_t cap)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < cap; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		    *p == '.' || *p == '_')
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, cap - o, "%%%02X", *p);
	}
	out[o] = '\0';
}

void api_attachment(struct http_reply *rep, const char *type, const char *ascii, const char *display)
{
	char enc[400];
	pct_encode(display, enc, sizeof enc);
	snprintf(rep->content_type, sizeof rep->content_type, "%s", type);
	snprintf(rep->disposition, sizeof rep->disposition, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii,
		 enc);
}

/* GET /api/v1/payroll/bank-templates */
void api_bank_templates_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (bank_templates_list(c->db, &c->session.user, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* PUT /api/v1/payroll/bank-templates/{code}
 * {"bank_name","format","encoding","columns","header","return_columns"} */
void api_bank_template_put(struct call *c)
{
	char code[64];
	param(c, "code", code, sizeof code);
	const struct json_value *o;
	struct bank_template_new t = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "bank_name", &t.bank_name, NULL) ||
	    !api_member_string(c, o, "format", &t.format, NULL) ||
	    !api_member_string(c, o, "encoding", &t.encoding, NULL) || !api_member(c, o, "columns", &t.columns) ||
	    !api_member(c, o, "header", &t.header) || !api_member(c, o, "return_columns", &t.return_columns))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (bank_template_put(c->db, &c->session.user, code, &t, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/payroll/batches/{id}/bank-files */
void api_bank_files_list(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (bank_files_list(c->db, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/payroll/batches/{id}/bank-files/{code}: the file itself */
void api_bank_file_get(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	char code[64];
	param(c, "code", code, sizeof code);
	struct svc_error e;
	svc_error_clear(&e);
	struct bank_file f = {0};
	strbuf_init(&f.body, 64 * 1024);
	if (bank_file_render(c->db, &c->session.user, id, code, &f, &e)) {
		reply_svc_error(c->rep, &e);
	} else {
		reply_status(c->rep, 200);
		struct strbuf swap = c->rep->body;
		c->rep->body = f.body;
		f.body = swap;
		api_attachment(c->rep, f.content_type, f.file_name, f.display_name);
	}
	strbuf_release(&f.body);
}

/* POST /api/v1/payroll/batches/{id}/returns?file_name=&bank= (body: the CSV) */
void api_bank_return_post(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	char file_name[256], bank[64];
	enum svc_kind k = query_text(c->req->query, "file_name", 200, file_name, &e);
	if (!k)
		k = query_text(c->req->query, "bank", 40, bank, &e);
	if (k) {
		reply_svc_error(c->rep, &e);
		return;
	}
	bool duplicate = false;
	reply_status(c->rep, 201);
	if (bank_return_import(c->db, &c->session.user, id, bank, file_name, c->req->body, c->req->body_len,
			       &c->rep->body, &duplicate, &e))
		reply_svc_error(c->rep, &e);
	else if (duplicate)
		c->rep->status = 200;
}

/* GET /api/v1/payroll/batches/{id}/reconciliation */
void api_bank_reconciliation(struct call *c)
{
	long long id;
	if (!api_path_id(c, &id, "发放批次不存在"))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 200);
	if (payroll_reconciliation(c->db, &c->session.user, id, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/payroll/reissues?region=&page=&per_page= */
void api_reissues_list(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[16];
	int64_t page, per_page;
	enum svc_kind k = query_page(c->req->query, &page, &per_page, &e);
	if (!k)
		k = query_text(c->req->query, "region", 12, region, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = payroll_reissues_list(c->db, &c->session.user, region, page, per_page, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/payroll/reissues {"payment_ids":[…]} */
void api_reissues_create(struct call *c)
{
	const struct json_value *o, *ids = NULL;
	if (!api_body_object(c, &o) || !api_member(c, o, "payment_ids", &ids))
		return;
	if (!ids || ids->type != JSON_ARRAY || ids->len == 0 || ids->len > REISSUE_IDS_MAX) {
		reply_error(c->rep, 400, "BAD_PAYMENT_IDS", "payment_ids 须为 1 至 1000 个发放编号的数组",
			    "payment_ids");
		return;
	}
	int64_t *list = arena_calloc(&c->arena, ids->len, sizeof *list);
	if (!list) {
		reply_error(c->rep, 413, "TOO_LARGE", "请求体过大", NULL);
		return;
	}
	size_t n = 0;
	for (const struct json_value *v = ids->child; v; v = v->next, n++)
		if (v->type != JSON_NUMBER || !json_int64(v, &list[n]) || list[n] <= 0) {
			char path[40];
			snprintf(path, sizeof path, "payment_ids[%zu]", n);
			reply_error(c->rep, 400, "BAD_PAYMENT_IDS", "发放编号须为正整数", path);
			return;
		}
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	if (payroll_reissue_create(c->db, &c->session.user, list, n, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

/* POST /api/v1/funds/allocations {"region","programme","period","amount","document","note"} */
void api_fund_allocation_post(struct call *c)
{
	const struct json_value *o;
	struct fund_allocation_new a = {0};
	if (!api_body_object(c, &o) || !api_member_string(c, o, "region", &a.region, NULL) ||
	    !api_member_string(c, o, "programme", &a.programme, NULL) ||
	    !api_member_string(c, o, "period", &a.period, NULL) ||
	    !api_member_string(c, o, "amount", &a.amount, NULL) ||
	    !api_member_string(c, o, "document", &a.document, NULL) || !api_member_string(c, o, "note", &a.note, NULL))
		return;
	struct svc_error e;
	svc_error_clear(&e);
	reply_status(c->rep, 201);
	if (fund_allocation_add(c->db, &c->session.user, &a, &c->rep->body, &e))
		reply_svc_error(c->rep, &e);
}

static enum svc_kind ledger_query(struct call *c, char region[16], char year[8], struct svc_error *e)
{
	enum svc_kind k = query_text(c->req->query, "region", 12, region, e);
	if (!k)
		k = query_text(c->req->query, "year", 4, year, e);
	return k;
}

/* GET /api/v1/funds/ledger?region=&year= */
void api_fund_ledger_get(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[16], year[8];
	enum svc_kind k = ledger_query(c, region, year, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = fund_ledger_get(c->db, &c->session.user, region, year, &c->rep->body, &e);
	if (k)
		reply_svc_error(c->rep, &e);
}

/* GET /api/v1/funds/ledger.xlsx?region=&year= */
void api_fund_ledger_xlsx(struct call *c)
{
	struct svc_error e;
	svc_error_clear(&e);
	char region[16], year[8], name[96], display[256];
	enum svc_kind k = ledger_query(c, region, year, &e);
	reply_status(c->rep, 200);
	if (!k)
		k = fund_ledger_xlsx(c->db, &c->session.user, region, year, &c->rep->body, name, display, &e);
	if (k)
		reply_svc_error(c->rep, &e);
	else
		api_attachment(c->rep, XLSX_CONTENT_TYPE, name, display);
}
