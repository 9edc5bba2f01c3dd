/* bank_file.c - bank files, return files, re-issue and reconciliation of
 * payroll batches (bank_file.h). */
#include "bank_file.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bank_file.h"
#include "core/csv.h"
#include "core/encoding.h"
#include "core/idnum.h"
#include "core/payroll.h"
#include "core/region.h"
#include "payroll.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"
#include "xlsx_out.h"

/* The states of a payment that went to the bank in a file. */
#define SENT_STATES "('exported', 'paid', 'returned', 'reissued')"

struct batch_info {
	char region[REGION_TEXT_MAX];
	char county_name[96];
	char programme[16];
	char period[8];
	char kind[16];
	enum payroll_state state;
};

/* Reads the batch and checks that actor (NULL: the operator) may read it. */
static enum svc_kind batch_load(struct db *db, const struct principal *actor, int64_t id, struct batch_info *b,
				struct svc_error *e)
{
	memset(b, 0, sizeof *b);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db,
				  "SELECT b.region_code, r.name, b.programme, b.period, b.kind, b.state FROM "
				  "payroll_batches b LEFT JOIN regions r ON r.code = b.region_code WHERE b.id = $1",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	if (!(rc = db_step(st, &row, &err)) && row) {
		db_column_copy(st, 0, b->region, sizeof b->region);
		db_column_copy(st, 1, b->county_name, sizeof b->county_name);
		db_column_copy(st, 2, b->programme, sizeof b->programme);
		db_column_copy(st, 3, b->period, sizeof b->period);
		db_column_copy(st, 4, b->kind, sizeof b->kind);
		b->state = payroll_state_parse(db_column_text(st, 5, NULL));
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!b->county_name[0])
		snprintf(b->county_name, sizeof b->county_name, "%s", b->region);
	char sig[REGION_TEXT_MAX];
	region_significant(b->region, strlen(b->region), sig);
	enum svc_kind k = actor ? payroll_authz_read(actor, row ? sig : NULL, e) : SVC_OK;
	if (!k && !row)
		k = svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "发放批次不存在");
	return k;
}

static enum svc_kind need_sent(const struct batch_info *b, struct svc_error *e)
{
	if (b->state == PS_EXPORTED || b->state == PS_RECONCILED)
		return SVC_OK;
	return svc_fail(e, SVC_RULE, "BATCH_NOT_EXPORTED", NULL,
			"发放批次尚未生成银行文件（当前状态：%s），须先由财政执行“生成银行文件”操作",
			payroll_state_zh(b->state));
}

static dd_status run_audit(struct db *db, const char *region, const struct principal *actor, const char *action,
			   const char *entity, const char *id, const struct strbuf *detail, dd_error *err)
{
	if (detail->failed)
		return dd_fail(err, DD_ENOMEM, "audit", "内存不足 (out of memory)");
	return audit_append_region(db, region, actor ? actor->username : "operator", action, entity, id, detail->buf,
				   err);
}

/* --- templates ------------------------------------------------------------ */

#define TEMPLATE_COLS "code, bank_name, format, encoding, columns, header, return_columns, updated_at"

static void template_json(struct db_stmt *st, struct strbuf *o)
{
	strbuf_adds(o, "{\"code\":");
	strbuf_add_json_string_or_null(o, db_column_text(st, 0, NULL));
	strbuf_add_json_member_text(o, "bank_name", db_column_text(st, 1, NULL));
	strbuf_add_json_member_text(o, "format", db_column_text(st, 2, NULL));
	strbuf_add_json_member_text(o, "encoding", db_column_text(st, 3, NULL));
	/* stored as canonical JSON (bank_template_read) */
	const char *h = db_column_text(st, 5, NULL), *r = db_column_text(st, 6, NULL);
	strbuf_addf(o, ",\"columns\":%s,\"header\":%s,\"return_columns\":%s", db_column_text(st, 4, NULL), h ? h : "[]",
		    r ? r : "null");
	strbuf_add_json_member_text(o, "updated_at", db_column_text(st, 7, NULL));
	strbuf_addc(o, '}');
}

enum svc_kind bank_templates_list(struct db *db, const struct principal *actor, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = actor ? payroll_authz_read(actor, NULL, e) : SVC_OK;
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT " TEMPLATE_COLS " FROM bank_templates ORDER BY code", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_adds(out, "{\"items\":[");
	for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
		if (n)
			strbuf_addc(out, ',');
		template_json(st, out);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_adds(out, "]}");
	return SVC_OK;
}

static enum svc_kind template_write(struct db *db, const char *code, struct strbuf *out, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT " TEMPLATE_COLS " FROM bank_templates WHERE code = $1", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, code);
	if (!(rc = db_step(st, &row, &err)) && row)
		template_json(st, out);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return row ? SVC_OK : svc_fail(e, SVC_NOT_FOUND, "TEMPLATE_NOT_FOUND", NULL, "银行文件模板不存在");
}

enum svc_kind bank_template_put(struct db *db, const struct principal *actor, const char *code,
				const struct bank_template_new *t, struct strbuf *out, struct svc_error *e)
{
	if (actor && actor->role != ROLE_COUNTY && actor->role != ROLE_ADMIN)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有区县民政局和系统管理员可以修改银行文件模板");
	if (!bank_code_valid(code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_CODE", "code",
				"模板代码须为 1 至 %d 个小写字母、数字、下划线或连字符", BANK_CODE_MAX);
	if (!t->bank_name || !t->bank_name[0] || !svc_text_clean(t->bank_name, 100))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_BANK_NAME", "bank_name",
				"须填写代发银行名称（不超过 100 字节，与人员登记的开户银行一致）");
	const char *format = t->format && t->format[0] ? t->format : "csv";
	if (strcmp(format, "csv") != 0 && strcmp(format, "xlsx") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_FORMAT", "format", "文件格式须为 csv 或 xlsx");
	const char *encoding = t->encoding && t->encoding[0] ? t->encoding : (format[0] == 'x' ? "utf-8" : "gb18030");
	if (strcmp(encoding, "utf-8") != 0 && strcmp(encoding, "gb18030") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ENCODING", "encoding", "编码须为 utf-8 或 gb18030");
	if (format[0] == 'x' && strcmp(encoding, "utf-8") != 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ENCODING", "encoding", "XLSX 文件总是 UTF-8 编码");
	struct arena a;
	arena_init(&a, 4096, 1024 * 1024);
	struct bank_template tmpl;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = bank_template_read(t->columns, t->header, t->return_columns, &a, &tmpl, &err);
	if (rc) {
		arena_release(&a);
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEMPLATE", err.field, "%s", err.message);
	}
	struct strbuf cols, head, ret, detail;
	strbuf_init(&cols, 512);
	strbuf_init(&head, 256);
	strbuf_init(&ret, 256);
	strbuf_init(&detail, 256);
	bank_template_columns_json(&tmpl, &cols);
	bank_template_header_json(&tmpl, &head);
	bank_template_return_json(&tmpl, &ret);
	arena_release(&a);
	enum svc_kind k = SVC_OK;
	struct db_stmt *st = NULL;
	bool row = false, existed = false;
	char now[STORE_TIME_MAX];
	store_now(now);
	if (cols.failed || head.failed || ret.failed) {
		rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
		goto fail;
	}
	if ((rc = db_begin(db, &err)))
		goto fail;
	if ((rc = db_prepare(db,
			     "SELECT code, (SELECT count(*) FROM bank_templates WHERE code = $2) FROM bank_templates "
			     "WHERE bank_name = $1 AND code <> $2",
			     0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, t->bank_name);
	db_bind_str(st, 2, code);
	rc = db_step(st, &row, &err);
	db_finalize(st);
	if (rc)
		goto fail;
	if (row) {
		db_rollback(db);
		k = svc_fail(e, SVC_CONFLICT, "BANK_NAME_TAKEN", "bank_name", "该代发银行已有另一个模板");
		goto out;
	}
	int64_t n = 0;
	if ((rc = db_prepare(db, "SELECT count(*) FROM bank_templates WHERE code = $1", 0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, code);
	if (!(rc = db_step(st, &row, &err)) && row)
		n = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		goto fail;
	existed = n > 0;
	if ((rc =
		 db_prepare(db,
			    existed ? "UPDATE bank_templates SET bank_name = $2, format = $3, encoding = $4, columns = "
				      "$5, header = $6, return_columns = $7, updated_at = $8 WHERE code = $1"
				    : "INSERT INTO bank_templates (code, bank_name, format, encoding, columns, header, "
				      "return_columns, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
			    0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, code);
	db_bind_str(st, 2, t->bank_name);
	db_bind_str(st, 3, format);
	db_bind_str(st, 4, encoding);
	db_bind_str(st, 5, cols.buf);
	db_bind_str(st, 6, head.buf);
	db_bind_str(st, 7, ret.buf);
	db_bind_str(st, 8, now);
	rc = db_run(st, &err);
	db_finalize(st);
	if (rc)
		goto fail;
	strbuf_adds(&detail, "{\"bank_name\":");
	strbuf_add_json_string(&detail, t->bank_name, strlen(t->bank_name));
	strbuf_addf(&detail, ",\"format\":\"%s\",\"encoding\":\"%s\",\"created\":%s,\"columns\":%s}", format, encoding,
		    existed ? "false" : "true", cols.buf);
	if ((rc = run_audit(db, "", actor, "payroll.bank_template", "bank_template", code, &detail, &err)) ||
	    (rc = db_commit(db, &err)))
		goto fail;
	k = template_write(db, code, out, e);
	goto out;
fail:
	db_rollback(db);
	k = svc_store_fail(e, db, rc, &err);
out:
	strbuf_release(&cols);
	strbuf_release(&head);
	strbuf_release(&ret);
	strbuf_release(&detail);
	return k;
}

/* --- bank files ----------------------------------------------------------- */

enum svc_kind bank_files_collect(struct db *db, const struct principal *actor, int64_t batch,
				 struct bank_file_entry **items, size_t *n, struct svc_error *e)
{
	*items = NULL;
	*n = 0;
	struct batch_info b;
	enum svc_kind k = batch_load(db, actor, batch, &b, e);
	if (k || (k = need_sent(&b, e)))
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db,
				  "SELECT COALESCE(y.bank_name, ''), COALESCE(min(t.code), ''), count(*), "
				  "COALESCE(sum(y.amount), 0) FROM payments y LEFT JOIN bank_templates t ON "
				  "t.bank_name = y.bank_name WHERE y.batch_id = $1 AND y.state IN " SENT_STATES
				  " GROUP BY COALESCE(y.bank_name, '') ORDER BY COALESCE(y.bank_name, '')",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch);
	size_t cap = 0;
	while (!(rc = db_step(st, &row, &err)) && row) {
		if (*n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct bank_file_entry *p = realloc(*items, nc * sizeof *p);
			if (!p) {
				rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
				break;
			}
			*items = p;
			cap = nc;
		}
		struct bank_file_entry *x = &(*items)[(*n)++];
		db_column_copy(st, 0, x->bank_name, sizeof x->bank_name);
		db_column_copy(st, 1, x->code, sizeof x->code);
		x->count = db_column_int64(st, 2);
		x->total = db_column_int64(st, 3);
	}
	db_finalize(st);
	if (rc) {
		free(*items);
		*items = NULL;
		*n = 0;
		return svc_store_fail(e, db, rc, &err);
	}
	return SVC_OK;
}

enum svc_kind bank_files_list(struct db *db, const struct principal *actor, int64_t batch, struct strbuf *out,
			      struct svc_error *e)
{
	struct bank_file_entry *items;
	size_t n;
	enum svc_kind k = bank_files_collect(db, actor, batch, &items, &n, e);
	if (k)
		return k;
	strbuf_addf(out, "{\"batch_id\":%lld,\"items\":[", (long long)batch);
	int m = 0;
	for (size_t i = 0; i < n; i++) {
		if (!items[i].code[0])
			continue;
		strbuf_addf(out, "%s{\"bank_code\":\"%s\"", m++ ? "," : "", items[i].code);
		strbuf_add_json_member_text(out, "bank_name", items[i].bank_name);
		strbuf_addf(out, ",\"count\":%lld", (long long)items[i].count);
		strbuf_add_json_member_money(out, "total", items[i].total);
		strbuf_addc(out, '}');
	}
	strbuf_adds(out, "],\"errors\":[");
	m = 0;
	for (size_t i = 0; i < n; i++) {
		if (items[i].code[0])
			continue;
		char msg[320];
		if (items[i].bank_name[0])
			snprintf(msg, sizeof msg, "代发银行“%s”没有银行文件模板，%lld 笔发放无法生成银行文件",
				 items[i].bank_name, (long long)items[i].count);
		else
			snprintf(msg, sizeof msg, "%lld 笔发放没有登记代发银行，无法生成银行文件",
				 (long long)items[i].count);
		strbuf_addf(out, "%s{\"code\":\"%s\"", m++ ? "," : "",
			    items[i].bank_name[0] ? "NO_TEMPLATE" : "NO_BANK");
		strbuf_add_json_member_text(out, "bank_name", items[i].bank_name);
		strbuf_addf(out, ",\"count\":%lld", (long long)items[i].count);
		strbuf_add_json_member_money(out, "total", items[i].total);
		strbuf_add_json_member_text(out, "message", msg);
		strbuf_addc(out, '}');
	}
	strbuf_adds(out, "]}");
	free(items);
	return SVC_OK;
}

struct template_row {
	char code[40];
	char bank_name[128];
	bool xlsx, gb18030;
	struct bank_template t;
};

/* Loads template code into tr (strings in a). */
static enum svc_kind template_load(struct db *db, const char *code, struct arena *a, struct template_row *tr,
				   struct svc_error *e)
{
	memset(tr, 0, sizeof *tr);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db,
				  "SELECT bank_name, format, encoding, columns, header, return_columns FROM "
				  "bank_templates WHERE code = $1",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, code);
	dd_status prc = DD_OK;
	dd_error perr;
	dd_error_clear(&perr);
	if (!(rc = db_step(st, &row, &err)) && row) {
		snprintf(tr->code, sizeof tr->code, "%s", code);
		db_column_copy(st, 0, tr->bank_name, sizeof tr->bank_name);
		const char *format = db_column_text(st, 1, NULL), *enc = db_column_text(st, 2, NULL);
		tr->xlsx = format && strcmp(format, "xlsx") == 0;
		tr->gb18030 = enc && strcmp(enc, "gb18030") == 0;
		prc = bank_template_parse(db_column_text(st, 3, NULL), db_column_text(st, 4, NULL),
					  db_column_text(st, 5, NULL), a, &tr->t, &perr);
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row)
		return svc_fail(e, SVC_NOT_FOUND, "TEMPLATE_NOT_FOUND", "code", "银行文件模板不存在");
	if (prc)
		return svc_fail(e, SVC_INTERNAL, "BAD_TEMPLATE", NULL, "银行文件模板“%s”无效：%s", code, perr.message);
	return SVC_OK;
}

struct render {
	struct template_row *tr;
	const struct batch_info *b;
	struct strbuf *text; /* CSV: the UTF-8 text */
	struct xlsx_out *x;
	uint32_t row;
	int64_t seq;
	int sheets;	  /* XLSX: sheets started */
	dd_status failed; /* XLSX: a further sheet could not be started */
	dd_error err;
};

/* An XLSX sheet holds 1,048,576 rows: a longer file goes on in further
 * sheets, each with the column titles again. */
#define XLSX_ROWS_MAX 1048576u

static void render_titles(struct render *r);

static void render_header(struct render *r, const struct bank_header_vars *v)
{
	struct strbuf cell;
	strbuf_init(&cell, 64);
	for (size_t l = 0; l < r->tr->t.nheader; l++) {
		for (size_t c = 0; c < r->tr->t.header[l].ncells; c++) {
			strbuf_reset(&cell);
			bank_header_expand(r->tr->t.header[l].cells[c], v, &cell);
			strbuf_addc(&cell, '\0');
			if (r->x)
				xlsx_out_text(r->x, r->row, (uint16_t)c, cell.failed ? "" : cell.buf);
			else {
				if (c)
					strbuf_addc(r->text, ',');
				csv_append_field(r->text, cell.buf, cell.failed ? 0 : strlen(cell.buf),
						 CSV_OUT_PROTECT);
			}
		}
		if (!r->x)
			strbuf_adds(r->text, "\r\n");
		r->row++;
	}
	strbuf_release(&cell);
	render_titles(r);
}

static void render_titles(struct render *r)
{
	for (size_t c = 0; c < r->tr->t.ncolumns; c++) {
		const char *title = r->tr->t.columns[c].title;
		if (r->x)
			xlsx_out_bold(r->x, r->row, (uint16_t)c, title);
		else {
			if (c)
				strbuf_addc(r->text, ',');
			csv_append_field(r->text, title, strlen(title), CSV_OUT_PROTECT);
		}
	}
	if (!r->x)
		strbuf_adds(r->text, "\r\n");
	r->row++;
}

/* One payment: columns of st: name, id_number, account, amount, programme,
 * period, region_code, region name, component. */
static void render_row(struct render *r, struct db_stmt *st)
{
	if (r->x && r->row >= XLSX_ROWS_MAX && !r->failed) {
		char name[32];
		snprintf(name, sizeof name, "代发清单%d", ++r->sheets + 1);
		if ((r->failed = xlsx_out_sheet(r->x, name, &r->err)))
			return;
		r->row = 0;
		render_titles(r);
	}
	r->seq++;
	char seq[24], amount[MONEY_TEXT_MAX], memo[160];
	snprintf(seq, sizeof seq, "%lld", (long long)r->seq);
	fen_t fen = db_column_int64(st, 3);
	money_format(fen, amount);
	const char *programme = db_column_text(st, 4, NULL);
	const char *component = payroll_component_zh(db_column_text(st, 8, NULL));
	const char *period = db_column_text(st, 5, NULL);
	snprintf(memo, sizeof memo, "%s %s", period ? period : "",
		 component[0] ? component : payroll_programme_name(programme));
	const char *village = db_column_text(st, 7, NULL);
	if (!village)
		village = db_column_text(st, 6, NULL);
	for (size_t c = 0; c < r->tr->t.ncolumns; c++) {
		enum bank_field f = r->tr->t.columns[c].field;
		const char *v = "";
		switch (f) {
		case BF_SEQ:
			v = seq;
			break;
		case BF_NAME:
			v = db_column_text(st, 0, NULL);
			break;
		case BF_ID_NUMBER:
			v = db_column_text(st, 1, NULL);
			break;
		case BF_ACCOUNT:
			v = db_column_text(st, 2, NULL);
			break;
		case BF_AMOUNT:
			v = amount;
			break;
		case BF_PROGRAMME_NAME:
			v = payroll_programme_name(programme);
			break;
		case BF_PERIOD:
			v = period;
			break;
		case BF_VILLAGE:
			v = village;
			break;
		case BF_MEMO:
			v = memo;
			break;
		case BF_COUNT:
			break;
		}
		if (!v)
			v = "";
		if (r->x) {
			if (f == BF_AMOUNT)
				xlsx_out_money(r->x, r->row, (uint16_t)c, fen);
			else if (f == BF_SEQ)
				xlsx_out_int(r->x, r->row, (uint16_t)c, r->seq);
			else
				xlsx_out_text(r->x, r->row, (uint16_t)c, v);
		} else {
			if (c)
				strbuf_addc(r->text, ',');
			csv_append_field(r->text, v, strlen(v), CSV_OUT_PROTECT);
		}
	}
	if (!r->x)
		strbuf_adds(r->text, "\r\n");
	r->row++;
}

enum svc_kind bank_file_render(struct db *db, const struct principal *actor, int64_t batch, const char *code,
			       struct bank_file *f, struct svc_error *e)
{
	if (actor && actor->role != ROLE_FINANCE)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"银行文件含完整身份证号和银行账号，只有财政部门可以下载");
	if (!bank_code_valid(code))
		return svc_fail(e, SVC_NOT_FOUND, "TEMPLATE_NOT_FOUND", "code", "银行文件模板不存在");
	struct batch_info b;
	enum svc_kind k = batch_load(db, actor, batch, &b, e);
	if (k || (k = need_sent(&b, e)))
		return k;
	struct arena a;
	arena_init(&a, 4096, 1024 * 1024);
	struct template_row tr;
	struct strbuf text, detail;
	strbuf_init(&text, 4096);
	strbuf_init(&detail, 256);
	struct render r = {.tr = &tr, .b = &b, .text = &text};
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = DD_OK;
	struct db_stmt *st = NULL;
	bool row = false;
	if ((k = template_load(db, code, &a, &tr, e)))
		goto out;
	int64_t count = 0;
	fen_t total = 0;
	if ((rc = db_prepare(db,
			     "SELECT count(*), COALESCE(sum(amount), 0) FROM payments WHERE batch_id = $1 AND "
			     "bank_name = $2 AND state IN " SENT_STATES,
			     0, &st, &err)))
		goto fail;
	db_bind_int64(st, 1, batch);
	db_bind_str(st, 2, tr.bank_name);
	if (!(rc = db_step(st, &row, &err)) && row) {
		count = db_column_int64(st, 0);
		total = db_column_int64(st, 1);
	}
	db_finalize(st);
	if (rc)
		goto fail;
	if (count == 0) {
		k = svc_fail(e, SVC_NOT_FOUND, "NO_PAYMENTS", "code", "本批次没有经“%s”代发的款项", tr.bank_name);
		goto out;
	}
	char count_text[24], total_text[MONEY_TEXT_MAX], batch_text[24];
	snprintf(count_text, sizeof count_text, "%lld", (long long)count);
	snprintf(batch_text, sizeof batch_text, "%lld", (long long)batch);
	money_format(total, total_text);
	struct bank_header_vars v = {.county_name = b.county_name,
				     .county = b.region,
				     .period = b.period,
				     .programme_name = payroll_programme_name(b.programme),
				     .bank_name = tr.bank_name,
				     .count = count_text,
				     .total = total_text,
				     .batch = batch_text};
	if (tr.xlsx && (rc = xlsx_out_open(&r.x, "代发清单", &err)))
		goto fail;
	if (r.x)
		xlsx_out_width(r.x, 0, (uint16_t)(tr.t.ncolumns - 1), 20);
	render_header(&r, &v);
	if ((rc = db_prepare(db,
			     "SELECT p.name, p.id_number, y.bank_account, y.amount, y.programme, y.period, "
			     "y.region_code, g.name, y.component FROM payments y LEFT JOIN persons p ON p.id = "
			     "y.person_id LEFT JOIN regions g ON g.code = y.region_code WHERE y.batch_id = $1 AND "
			     "y.bank_name = $2 AND y.state IN " SENT_STATES " ORDER BY y.region_code, y.id",
			     0, &st, &err)))
		goto fail;
	db_bind_int64(st, 1, batch);
	db_bind_str(st, 2, tr.bank_name);
	while (!(rc = db_step(st, &row, &err)) && row)
		render_row(&r, st);
	db_finalize(st);
	if (!rc && r.failed) {
		rc = r.failed;
		err = r.err;
	}
	if (rc)
		goto fail;
	if (r.x) {
		rc = xlsx_out_finish(r.x, &f->body, &err);
		r.x = NULL;
	} else if (tr.gb18030) {
		struct text_encoder enc;
		if (!(rc = text_encoder_init(&enc, TEXT_GB18030, false, text_sink_strbuf, &f->body, &err))) {
			if (!(rc = text_encoder_feed(&enc, text.buf ? text.buf : "", text.len, &err)))
				rc = text_encoder_finish(&enc, &err);
			text_encoder_release(&enc);
		}
	} else {
		strbuf_adds(&f->body, UTF8_BOM);
		strbuf_add(&f->body, text.buf ? text.buf : "", text.len);
	}
	if (!rc && (text.failed || f->body.failed))
		rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
	if (rc)
		goto fail;
	const char *ext = tr.xlsx ? "xlsx" : "csv";
	snprintf(f->file_name, sizeof f->file_name, "payroll-%lld-%s.%s", (long long)batch, code, ext);
	snprintf(f->display_name, sizeof f->display_name, "%s%s%s-%s.%s", b.county_name, b.period,
		 payroll_programme_name(b.programme), tr.bank_name, ext);
	snprintf(f->content_type, sizeof f->content_type, "%s",
		 tr.xlsx      ? XLSX_CONTENT_TYPE
		 : tr.gb18030 ? "text/csv; charset=GB18030"
			      : "text/csv; charset=utf-8");
	f->count = count;
	f->total = total;
	/* the download is recorded: who took the full ID numbers and accounts */
	strbuf_addf(&detail, "{\"bank_code\":\"%s\",\"bank_name\":", code);
	strbuf_add_json_string(&detail, tr.bank_name, strlen(tr.bank_name));
	strbuf_addf(&detail, ",\"format\":\"%s\",\"count\":%lld,\"total\":\"%s\"}", ext, (long long)count, total_text);
	if ((rc = db_begin(db, &err)) ||
	    (rc = run_audit(db, b.region, actor, "payroll.bank_file", "payroll_batch", batch_text, &detail, &err)) ||
	    (rc = db_commit(db, &err)))
		goto fail;
	goto out;
fail:
	if (db_in_transaction(db))
		db_rollback(db);
	k = svc_store_fail(e, db, rc, &err);
out:
	xlsx_out_abort(r.x);
	arena_release(&a);
	strbuf_release(&text);
	strbuf_release(&detail);
	if (k)
		strbuf_reset(&f->body);
	return k;
}

/* --- return files --------------------------------------------------------- */

struct import {
	struct db *db;
	int64_t batch;
	const char *bank_name;
	char now[STORE_TIME_MAX];
	int64_t paid, returned, rejected;
	struct strbuf *rejects; /* JSON items */
	bool db_failed;		/* a store call failed (not the file's fault) */
};

static void reject(struct import *im, uint64_t line, const char *code, const char *reason)
{
	if (im->rejected < 1000)
		strbuf_addf(im->rejects, "%s{\"line\":%llu,\"code\":\"%s\",\"reason\":", im->rejected ? "," : "",
			    (unsigned long long)line, code);
	if (im->rejected < 1000) {
		strbuf_add_json_string(im->rejects, reason, strlen(reason));
		strbuf_addc(im->rejects, '}');
	}
	im->rejected++;
}

static dd_status probe_row(void *ctx, const struct bank_return_row *row, dd_error *err)
{
	(void)ctx;
	(void)row;
	(void)err;
	return DD_OK;
}

/* Matches one row: the batch's payments of this bank with the account and
 * amount; the one still exported (several: the same person's, in id
 * order; different persons': ambiguous) gets the result. */
static dd_status import_row_db(struct import *im, const struct bank_return_row *row, dd_error *err);

static dd_status import_row(void *ctx, const struct bank_return_row *row, dd_error *err)
{
	struct import *im = ctx;
	dd_status rc = import_row_db(im, row, err);
	if (rc)
		im->db_failed = true;
	return rc;
}

static dd_status import_row_db(struct import *im, const struct bank_return_row *row, dd_error *err)
{
	if (row->error) {
		reject(im, row->line, "BAD_ROW", row->error);
		return DD_OK;
	}
	struct db_stmt *st;
	bool has = false;
	dd_status rc = db_prepare(im->db,
				  "SELECT id, person_id, state FROM payments WHERE batch_id = $1 AND bank_name = $2 "
				  "AND bank_account = $3 AND amount = $4 ORDER BY id",
				  0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, im->batch);
	db_bind_str(st, 2, im->bank_name);
	db_bind_str(st, 3, row->account);
	db_bind_int64(st, 4, row->amount);
	int64_t target = 0, person = 0, any = 0;
	bool ambiguous = false;
	while (!(rc = db_step(st, &has, err)) && has) {
		any++;
		const char *state = db_column_text(st, 2, NULL);
		if (!state || strcmp(state, "exported") != 0)
			continue;
		if (!target) {
			target = db_column_int64(st, 0);
			person = db_column_int64(st, 1);
		} else if (db_column_int64(st, 1) != person)
			ambiguous = true;
	}
	db_finalize(st);
	if (rc)
		return rc;
	if (ambiguous) {
		reject(im, row->line, "AMBIGUOUS", "该账号和金额对应本批次多名不同人员的发放，无法确定是哪一笔");
		return DD_OK;
	}
	if (!target) {
		reject(im, row->line, any ? "ALREADY_ANSWERED" : "UNKNOWN",
		       any ? "该笔发放已有银行回盘结果" : "本批次没有该账号和金额的发放");
		return DD_OK;
	}
	if ((rc =
		 db_prepare(im->db,
			    row->paid ? "UPDATE payments SET state = 'paid', paid_at = $2, bank_ref = $3, updated_at = "
					"$2, version = version + 1 WHERE id = $1 AND state = 'exported'"
				      : "UPDATE payments SET state = 'returned', return_reason = $3, bank_ref = $4, "
					"updated_at = $2, version = version + 1 WHERE id = $1 AND state = 'exported'",
			    0, &st, err)))
		return rc;
	db_bind_int64(st, 1, target);
	db_bind_str(st, 2, im->now);
	if (row->paid)
		db_bind_str(st, 3, row->bank_ref[0] ? row->bank_ref : NULL);
	else {
		db_bind_str(st, 3, row->reason[0] ? row->reason : "银行退回（未注明原因）");
		db_bind_str(st, 4, row->bank_ref[0] ? row->bank_ref : NULL);
	}
	rc = db_run(st, err);
	db_finalize(st);
	if (!rc) {
		if (row->paid)
			im->paid++;
		else
			im->returned++;
	}
	return rc;
}

static dd_status count_exported(struct db *db, int64_t batch, int64_t *n, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	*n = 0;
	dd_status rc =
	    db_prepare(db, "SELECT count(*) FROM payments WHERE batch_id = $1 AND state = 'exported'", 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, batch);
	if (!(rc = db_step(st, &row, err)) && row)
		*n = db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}

enum svc_kind bank_return_import(struct db *db, const struct principal *actor, int64_t batch, const char *code,
				 const char *file_name, const char *data, size_t n, struct strbuf *out, bool *duplicate,
				 struct svc_error *e)
{
	*duplicate = false;
	if (actor && actor->role != ROLE_FINANCE && actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL,
				"只有财政部门和区县民政局可以导入银行回盘文件");
	if (file_name && !svc_text_clean(file_name, 200))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_FILE_NAME", "file_name", "文件名过长或含有控制字符");
	if (!data || n == 0)
		return svc_fail(e, SVC_BAD_INPUT, "EMPTY_FILE", "file", "回盘文件为空");
	if (code && code[0] && !bank_code_valid(code))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_CODE", "bank", "模板代码无效");
	struct batch_info b;
	enum svc_kind k = batch_load(db, actor, batch, &b, e);
	if (k)
		return k;
	if (b.state != PS_EXPORTED)
		return svc_fail(e, SVC_RULE, "BATCH_NOT_EXPORTED", NULL,
				"只能为已生成银行文件、尚未对账完成的批次导入回盘文件（当前状态：%s）",
				payroll_state_zh(b.state));
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(d, (const unsigned char *)data, n);
	char digest[crypto_hash_sha256_BYTES * 2 + 1];
	sodium_bin2hex(digest, sizeof digest, d, sizeof d);

	struct arena a;
	arena_init(&a, 4096, 1024 * 1024);
	struct strbuf rejects, detail;
	strbuf_init(&rejects, 256);
	strbuf_init(&detail, 256);
	struct template_row tr;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = DD_OK;
	struct db_stmt *st = NULL;
	bool row = false, found = false;
	char batch_text[24];
	snprintf(batch_text, sizeof batch_text, "%lld", (long long)batch);
	struct import im = {.db = db, .batch = batch, .rejects = &rejects};
	store_now(im.now);

	/* the template: the one named, else the first of the batch's banks whose
	 * return titles the file has */
	if (code && code[0]) {
		if ((k = template_load(db, code, &a, &tr, e)))
			goto out;
		dd_error perr;
		dd_error_clear(&perr);
		if (bank_return_parse(data, n, &tr.t, probe_row, NULL, &found, &perr)) {
			k = svc_fail(e, SVC_BAD_INPUT, "BAD_FILE", "file", "%s", perr.message);
			goto out;
		}
	} else {
		char codes[16][40];
		int nc = 0;
		if ((rc = db_prepare(db,
				     "SELECT DISTINCT t.code FROM payments y JOIN bank_templates t ON t.bank_name = "
				     "y.bank_name WHERE y.batch_id = $1 AND y.state IN " SENT_STATES " ORDER BY t.code",
				     0, &st, &err)))
			goto fail;
		db_bind_int64(st, 1, batch);
		while (!(rc = db_step(st, &row, &err)) && row)
			if (nc < 16)
				db_column_copy(st, 0, codes[nc++], sizeof codes[0]);
		db_finalize(st);
		if (rc)
			goto fail;
		dd_error perr;
		dd_error_clear(&perr);
		for (int i = 0; i < nc && !found; i++) {
			arena_reset(&a);
			if ((k = template_load(db, codes[i], &a, &tr, e)))
				goto out;
			dd_status prc = bank_return_parse(data, n, &tr.t, probe_row, NULL, &found, &perr);
			if (prc && !found && strcmp(perr.field, "file") != 0) { /* not text or not CSV */
				k = svc_fail(e, SVC_BAD_INPUT, "BAD_FILE", "file", "%s", perr.message);
				goto out;
			}
		}
		if (!found) {
			k = svc_fail(e, SVC_BAD_INPUT, "NO_TITLE_ROW", "file",
				     "回盘文件中找不到本批次任何代发银行模板规定的标题行（账号、金额、处理结果）");
			goto out;
		}
	}
	im.bank_name = tr.bank_name;

	if ((rc = db_begin(db, &err)))
		goto fail;
	if ((rc = db_prepare(db,
			     "SELECT id, paid_count, returned_count, rejected_rows FROM bank_returns WHERE batch_id = "
			     "$1 AND digest = $2",
			     0, &st, &err)))
		goto fail;
	db_bind_int64(st, 1, batch);
	db_bind_str(st, 2, digest);
	int64_t prev_id = 0;
	if (!(rc = db_step(st, &row, &err)) && row) {
		prev_id = db_column_int64(st, 0);
		im.paid = db_column_int64(st, 1);
		im.returned = db_column_int64(st, 2);
		im.rejected = db_column_int64(st, 3);
	}
	db_finalize(st);
	if (rc)
		goto fail;
	int64_t left = 0;
	if (prev_id) { /* the same file again: nothing changes */
		db_rollback(db);
		*duplicate = true;
		if ((rc = count_exported(db, batch, &left, &err)))
			goto fail;
		strbuf_addf(out,
			    "{\"id\":%lld,\"batch_id\":%lld,\"bank_code\":\"%s\",\"digest\":\"%s\",\"duplicate\":true,"
			    "\"paid\":%lld,\"returned\":%lld,\"rejected_count\":%lld,\"rejected\":[],"
			    "\"exported_left\":%lld}",
			    (long long)prev_id, (long long)batch, tr.code, digest, (long long)im.paid,
			    (long long)im.returned, (long long)im.rejected, (long long)left);
		goto out;
	}
	dd_error perr;
	dd_error_clear(&perr);
	rc = bank_return_parse(data, n, &tr.t, import_row, &im, &found, &perr);
	if (rc) {
		if (im.db_failed || rc == DD_ENOMEM) {
			err = perr;
			goto fail;
		}
		db_rollback(db);
		k = svc_fail(e, SVC_BAD_INPUT, "BAD_FILE", "file", "%s", perr.message);
		goto out;
	}
	if ((rc = db_prepare(db,
			     "INSERT INTO bank_returns (batch_id, region_code, file_name, digest, paid_count, "
			     "returned_count, rejected_rows, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, "
			     "$7, $8, $9) RETURNING id",
			     0, &st, &err)))
		goto fail;
	db_bind_int64(st, 1, batch);
	db_bind_str(st, 2, b.region);
	db_bind_str(st, 3, file_name && file_name[0] ? file_name : NULL);
	db_bind_str(st, 4, digest);
	db_bind_int64(st, 5, im.paid);
	db_bind_int64(st, 6, im.returned);
	db_bind_int64(st, 7, im.rejected);
	if (actor)
		db_bind_int64(st, 8, actor->id);
	else
		db_bind_null(st, 8);
	db_bind_str(st, 9, im.now);
	int64_t id = 0;
	if (!(rc = db_step(st, &row, &err)) && row)
		id = db_column_int64(st, 0);
	db_finalize(st);
	if (rc || (rc = count_exported(db, batch, &left, &err)))
		goto fail;
	strbuf_addf(&detail, "{\"bank_return\":%lld,\"bank_code\":\"%s\",\"file_name\":", (long long)id, tr.code);
	strbuf_add_json_string_or_null(&detail, file_name && file_name[0] ? file_name : NULL);
	strbuf_addf(&detail, ",\"digest\":\"%s\",\"paid\":%lld,\"returned\":%lld,\"rejected\":%lld}", digest,
		    (long long)im.paid, (long long)im.returned, (long long)im.rejected);
	if ((rc = run_audit(db, b.region, actor, "payroll.bank_return", "payroll_batch", batch_text, &detail, &err)) ||
	    (rc = db_commit(db, &err)))
		goto fail;
	if (rejects.failed) {
		k = svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足");
		goto out;
	}
	strbuf_addf(
	    out,
	    "{\"id\":%lld,\"batch_id\":%lld,\"bank_code\":\"%s\",\"digest\":\"%s\",\"duplicate\":false,"
	    "\"paid\":%lld,\"returned\":%lld,\"rejected_count\":%lld,\"rejected\":[%.*s],\"exported_left\":%lld}",
	    (long long)id, (long long)batch, tr.code, digest, (long long)im.paid, (long long)im.returned,
	    (long long)im.rejected, (int)rejects.len, rejects.buf ? rejects.buf : "", (long long)left);
	goto out;
fail:
	if (db_in_transaction(db))
		db_rollback(db);
	k = svc_store_fail(e, db, rc, &err);
out:
	arena_release(&a);
	strbuf_release(&rejects);
	strbuf_release(&detail);
	return k;
}

/* --- re-issue ------------------------------------------------------------- */

enum svc_kind payroll_reissues_list(struct db *db, const struct principal *actor, const char *region, int64_t page,
				    int64_t per_page, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = actor ? payroll_authz_read(actor, NULL, e) : SVC_OK;
	if (k || (k = svc_page_check(page, per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	char sig[REGION_TEXT_MAX] = "", scope[REGION_TEXT_MAX];
	dd_error err;
	dd_error_clear(&err);
	if (region && region[0] && region_parse(region, strlen(region), 2, sig, &err))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码无效");
	if (actor && !authz_scope_narrow(actor, sig, scope)) {
		strbuf_addf(out, "{\"items\":[],\"total\":0,\"page\":%lld,\"per_page\":%lld}", (long long)page,
			    (long long)per_page);
		return SVC_OK;
	}
	if (!actor)
		snprintf(scope, sizeof scope, "%s", sig);
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(scope, lo, hi);
	struct db_stmt *st;
	bool row = false;
	int64_t total = 0;
	dd_status rc = db_prepare(db,
				  "SELECT count(*) FROM payments WHERE state = 'returned' AND region_code >= $1 AND "
				  "region_code < $2",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	if (!(rc = db_step(st, &row, &err)) && row)
		total = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	rc = db_prepare(
	    db,
	    "SELECT y.id, y.batch_id, y.person_id, p.name, p.id_number, y.region_code, y.programme, y.period, "
	    "y.amount, y.bank_name, y.bank_account, p.bank_name, p.bank_account, y.return_reason, "
	    "y.component FROM payments y LEFT JOIN persons p ON p.id = y.person_id WHERE y.state = "
	    "'returned' AND y.region_code >= $1 AND y.region_code < $2 ORDER BY y.id LIMIT $3 OFFSET $4",
	    0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_int64(st, 3, per_page);
	db_bind_int64(st, 4, (page - 1) * per_page);
	strbuf_adds(out, "{\"items\":[");
	for (int i = 0; !(rc = db_step(st, &row, &err)) && row; i++) {
		char id[IDNUM_LEN + 1], old_acct[32], new_acct[32];
		const char *idn = db_column_text(st, 4, NULL);
		if (idn)
			idnum_mask(idn, id); /* hides anything but an 18-character number whole */
		else
			id[0] = '\0';
		const char *oa = db_column_text(st, 10, NULL), *na = db_column_text(st, 12, NULL);
		const char *ob = db_column_text(st, 9, NULL), *nb = db_column_text(st, 11, NULL);
		bool changed = !oa || !na || strcmp(oa, na) != 0 || !ob || !nb || strcmp(ob, nb) != 0;
		payroll_mask_account(oa, old_acct);
		payroll_mask_account(na, new_acct);
		strbuf_addf(out, "%s{\"id\":%lld,\"batch_id\":%lld,\"person_id\":%lld", i ? "," : "",
			    (long long)db_column_int64(st, 0), (long long)db_column_int64(st, 1),
			    (long long)db_column_int64(st, 2));
		strbuf_add_json_member_text(out, "name", db_column_text(st, 3, NULL));
		strbuf_add_json_member_text(out, "id_number", id);
		strbuf_add_json_member_text(out, "region", db_column_text(st, 5, NULL));
		strbuf_add_json_member_text(out, "programme", db_column_text(st, 6, NULL));
		strbuf_add_json_member_text(out, "component", db_column_text(st, 14, NULL));
		strbuf_add_json_member_text(out, "period", db_column_text(st, 7, NULL));
		strbuf_add_json_member_money(out, "amount", db_column_int64(st, 8));
		strbuf_add_json_member_text(out, "bank_name", ob);
		strbuf_add_json_member_text(out, "bank_account", old_acct);
		strbuf_add_json_member_text(out, "current_bank_name", nb);
		strbuf_add_json_member_text(out, "current_bank_account", new_acct);
		strbuf_addf(out, ",\"account_changed\":%s", changed ? "true" : "false");
		strbuf_add_json_member_text(out, "return_reason", db_column_text(st, 13, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "],\"total\":%lld,\"page\":%lld,\"per_page\":%lld}", (long long)total, (long long)page,
		    (long long)per_page);
	return SVC_OK;
}

static dd_status run_ids(struct db *db, const char *sql, int64_t a, int64_t b, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare(db, sql, 0, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, a);
	db_bind_int64(st, 2, b);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

enum svc_kind payroll_reissue_create(struct db *db, const struct principal *actor, const int64_t *ids, size_t n,
				     struct strbuf *out, struct svc_error *e)
{
	if (actor && actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "只有区县民政局可以重新发放退回的款项");
	if (n == 0 || n > REISSUE_IDS_MAX)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PAYMENT_IDS", "payment_ids",
				"payment_ids 须为 1 至 %d 个发放编号", REISSUE_IDS_MAX);
	for (size_t i = 0; i < n; i++) {
		char path[40];
		snprintf(path, sizeof path, "payment_ids[%zu]", i);
		if (ids[i] <= 0)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_PAYMENT_IDS", path, "发放编号须为正整数");
		for (size_t j = 0; j < i; j++)
			if (ids[j] == ids[i])
				return svc_fail(e, SVC_BAD_INPUT, "DUPLICATE_PAYMENT", path, "发放编号重复");
	}
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	enum svc_kind k = SVC_OK;
	char county[REGION_TEXT_MAX] = "", programme[16] = "", now[STORE_TIME_MAX], period[8];
	store_now(now);
	snprintf(period, sizeof period, "%.7s", now);
	dd_status rc = db_begin(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	for (size_t i = 0; i < n; i++) {
		char path[40];
		snprintf(path, sizeof path, "payment_ids[%zu]", i);
		if ((rc = db_prepare(
			 db,
			 "SELECT y.state, b.region_code, y.programme, p.bank_name, p.bank_account FROM "
			 "payments y JOIN payroll_batches b ON b.id = y.batch_id LEFT JOIN persons p ON p.id "
			 "= y.person_id WHERE y.id = $1",
			 0, &st, &err)))
			goto fail;
		db_bind_int64(st, 1, ids[i]);
		char state[16] = "", region[REGION_TEXT_MAX] = "", prog[16] = "", bank[128] = "", acct[64] = "";
		if (!(rc = db_step(st, &row, &err)) && row) {
			db_column_copy(st, 0, state, sizeof state);
			db_column_copy(st, 1, region, sizeof region);
			db_column_copy(st, 2, prog, sizeof prog);
			db_column_copy(st, 3, bank, sizeof bank);
			db_column_copy(st, 4, acct, sizeof acct);
		}
		db_finalize(st);
		if (rc)
			goto fail;
		char sig[REGION_TEXT_MAX];
		region_significant(region, strlen(region), sig);
		if (!row || (actor && !authz_in_scope(actor, sig)))
			k = svc_fail(e, SVC_BAD_INPUT, "PAYMENT_NOT_FOUND", path, "发放记录不存在");
		else if (strcmp(state, "returned") != 0)
			k = svc_fail(e, SVC_RULE, "NOT_RETURNED", path, "只有银行退回、尚未重新发放的款项可以重新发放");
		else if (county[0] && (strcmp(county, region) != 0 || strcmp(programme, prog) != 0))
			k = svc_fail(e, SVC_BAD_INPUT, "MIXED_BATCHES", path,
				     "一次重新发放只能包含同一区县、同一项目的款项");
		else if (!bank[0] || !acct[0])
			k = svc_fail(e, SVC_RULE, "NO_BANK_ACCOUNT", path,
				     "该人员没有登记代发银行账号，请先更新人员的银行账号");
		if (k) {
			db_rollback(db);
			return k;
		}
		snprintf(county, sizeof county, "%s", region);
		snprintf(programme, sizeof programme, "%s", prog);
	}
	int64_t seq = 0;
	if ((rc = db_prepare(
		 db,
		 "SELECT count(*) FROM payroll_batches WHERE region_code = $1 AND programme = $2 AND period = "
		 "$3 AND kind = 'reissue'",
		 0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, county);
	db_bind_str(st, 2, programme);
	db_bind_str(st, 3, period);
	if (!(rc = db_step(st, &row, &err)) && row)
		seq = db_column_int64(st, 0) + 1;
	db_finalize(st);
	if (rc)
		goto fail;
	char key[128];
	snprintf(key, sizeof key, "reissue:%s:%s:%s:%lld", county, programme, period, (long long)seq);
	int64_t batch = 0;
	if ((rc =
		 db_prepare(db,
			    "INSERT INTO payroll_batches (batch_key, region_code, programme, period, kind, seq, state, "
			    "created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'reissue', $5, 'draft', $6, "
			    "$7, $7) RETURNING id",
			    0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, key);
	db_bind_str(st, 2, county);
	db_bind_str(st, 3, programme);
	db_bind_str(st, 4, period);
	db_bind_int64(st, 5, seq);
	if (actor)
		db_bind_int64(st, 6, actor->id);
	else
		db_bind_null(st, 6);
	db_bind_str(st, 7, now);
	if (!(rc = db_step(st, &row, &err)) && row)
		batch = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if ((rc = db_prepare(
			 db,
			 "INSERT INTO payments (batch_id, decision_id, line_id, household_id, person_id, "
			 "region_code, programme, kind, component, category, period, amount, dedup_key, state, "
			 "bank_name, bank_account, reissue_of, created_at, updated_at) SELECT $1, y.decision_id, "
			 "y.line_id, y.household_id, y.person_id, y.region_code, y.programme, 'reissue', "
			 "y.component, y.category, y.period, y.amount, y.dedup_key, 'pending', p.bank_name, "
			 "p.bank_account, y.id, $3, $3 FROM payments y JOIN persons p ON p.id = y.person_id "
			 "WHERE y.id = $2 AND y.state = 'returned'",
			 0, &st, &err)))
			goto fail;
		db_bind_int64(st, 1, batch);
		db_bind_int64(st, 2, ids[i]);
		db_bind_str(st, 3, now);
		rc = db_run(st, &err);
		db_finalize(st);
		if (rc ||
		    (rc = run_ids(db,
				  "UPDATE payments SET state = 'reissued', version = version + 1 WHERE id = $1 AND "
				  "state = 'returned' AND $2 > 0",
				  ids[i], batch, &err)))
			goto fail;
	}
	if ((rc = run_ids(db,
			  "UPDATE payroll_batches SET payments_count = (SELECT count(*) FROM payments WHERE batch_id = "
			  "$1), total_amount = (SELECT COALESCE(sum(amount), 0) FROM payments WHERE batch_id = $1) "
			  "WHERE id = $1 AND $2 > 0",
			  batch, 1, &err)))
		goto fail;
	struct strbuf detail;
	strbuf_init(&detail, 256);
	strbuf_addf(&detail, "{\"batch_key\":\"%s\",\"reissue_of\":[", key);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&detail, "%s%lld", i ? "," : "", (long long)ids[i]);
	strbuf_adds(&detail, "]}");
	char batch_text[24];
	snprintf(batch_text, sizeof batch_text, "%lld", (long long)batch);
	rc = run_audit(db, county, actor, "payroll.reissue", "payroll_batch", batch_text, &detail, &err);
	strbuf_release(&detail);
	if (rc || (rc = db_commit(db, &err)))
		goto fail;
	if (actor)
		return payroll_batch_get(db, actor, batch, out, e);
	strbuf_addf(out, "{\"id\":%lld}", (long long)batch);
	return SVC_OK;
fail:
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

/* --- reconciliation ------------------------------------------------------- */

static const char *payment_state_zh(const char *s)
{
	static const struct {
		const char *code, *zh;
	} names[] = {{"pending", "待发放"},    {"withheld", "暂停发放"},   {"exported", "已送银行"}, {"paid", "已到账"},
		     {"returned", "银行退回"}, {"reissued", "已重新发放"}, {"cancelled", "已作废"}};
	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].code) == 0)
			return names[i].zh;
	return "";
}

enum svc_kind payroll_reconciliation(struct db *db, const struct principal *actor, int64_t batch, struct strbuf *out,
				     struct svc_error *e)
{
	struct batch_info b;
	enum svc_kind k = batch_load(db, actor, batch, &b, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	int64_t left = 0;
	strbuf_addf(out, "{\"batch_id\":%lld,\"state\":\"%s\"", (long long)batch, payroll_state_code(b.state));
	strbuf_add_json_member_text(out, "state_name", payroll_state_zh(b.state));
	strbuf_adds(out, ",\"by_state\":[");
	dd_status rc = db_prepare(db,
				  "SELECT state, count(*), COALESCE(sum(amount), 0) FROM payments WHERE batch_id = $1 "
				  "GROUP BY state ORDER BY state",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch);
	for (int i = 0; !(rc = db_step(st, &row, &err)) && row; i++) {
		const char *s = db_column_text(st, 0, NULL);
		if (s && strcmp(s, "exported") == 0)
			left = db_column_int64(st, 1);
		strbuf_addf(out, "%s{\"state\":", i ? "," : "");
		strbuf_add_json_string_or_null(out, s);
		strbuf_add_json_member_text(out, "state_name", payment_state_zh(s));
		strbuf_addf(out, ",\"count\":%lld", (long long)db_column_int64(st, 1));
		strbuf_add_json_member_money(out, "total", db_column_int64(st, 2));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_adds(out, "],\"by_bank\":[");
	rc = db_prepare(db,
			"SELECT COALESCE(bank_name, ''), count(*), COALESCE(sum(amount), 0), "
			"sum(CASE WHEN state = 'paid' THEN 1 ELSE 0 END), "
			"COALESCE(sum(CASE WHEN state = 'paid' THEN amount ELSE 0 END), 0), "
			"sum(CASE WHEN state = 'returned' OR state = 'reissued' THEN 1 ELSE 0 END), "
			"COALESCE(sum(CASE WHEN state = 'returned' OR state = 'reissued' THEN amount ELSE 0 END), 0), "
			"sum(CASE WHEN state = 'exported' THEN 1 ELSE 0 END), "
			"COALESCE(sum(CASE WHEN state = 'exported' THEN amount ELSE 0 END), 0) "
			"FROM payments WHERE batch_id = $1 AND state IN " SENT_STATES
			" GROUP BY COALESCE(bank_name, '') ORDER BY COALESCE(bank_name, '')",
			0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch);
	for (int i = 0; !(rc = db_step(st, &row, &err)) && row; i++) {
		strbuf_addf(out, "%s{\"bank_name\":", i ? "," : "");
		strbuf_add_json_string_or_null(out, db_column_text(st, 0, NULL));
		strbuf_addf(out, ",\"count\":%lld", (long long)db_column_int64(st, 1));
		strbuf_add_json_member_money(out, "total", db_column_int64(st, 2));
		strbuf_addf(out, ",\"paid_count\":%lld", (long long)db_column_int64(st, 3));
		strbuf_add_json_member_money(out, "paid_total", db_column_int64(st, 4));
		strbuf_addf(out, ",\"returned_count\":%lld", (long long)db_column_int64(st, 5));
		strbuf_add_json_member_money(out, "returned_total", db_column_int64(st, 6));
		strbuf_addf(out, ",\"exported_count\":%lld", (long long)db_column_int64(st, 7));
		strbuf_add_json_member_money(out, "exported_total", db_column_int64(st, 8));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_adds(out, "],\"returns\":[");
	rc = db_prepare(db,
			"SELECT id, file_name, digest, paid_count, returned_count, rejected_rows, imported_at FROM "
			"bank_returns WHERE batch_id = $1 ORDER BY id",
			0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, batch);
	for (int i = 0; !(rc = db_step(st, &row, &err)) && row; i++) {
		strbuf_addf(out, "%s{\"id\":%lld", i ? "," : "", (long long)db_column_int64(st, 0));
		strbuf_add_json_member_text(out, "file_name", db_column_text(st, 1, NULL));
		strbuf_add_json_member_text(out, "digest", db_column_text(st, 2, NULL));
		strbuf_addf(out, ",\"paid\":%lld,\"returned\":%lld,\"rejected\":%lld",
			    (long long)db_column_int64(st, 3), (long long)db_column_int64(st, 4),
			    (long long)db_column_int64(st, 5));
		strbuf_add_json_member_text(out, "imported_at", db_column_text(st, 6, NULL));
		strbuf_addc(out, '}');
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_addf(out, "],\"exported_left\":%lld,\"can_reconcile\":%s}", (long long)left,
		    b.state == PS_EXPORTED && left == 0 ? "true" : "false");
	return SVC_OK;
}
