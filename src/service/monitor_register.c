/* monitor_register.c - loading the monitoring register (monitor_register.h). */
#include "monitor_register.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/match.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

#define CHUNK 5000

static const char columns[] =
    "[{\"name\":\"id_number\",\"type\":\"id\",\"label\":\"身份证号码\",\"headers\":[\"公民身份号码\"]},"
    "{\"name\":\"name\",\"type\":\"text\",\"label\":\"姓名\",\"required\":true},"
    "{\"name\":\"region_code\",\"type\":\"region\",\"label\":\"区划代码\",\"required\":true},"
    "{\"name\":\"category\",\"type\":\"text\",\"label\":\"类别\",\"required\":true},"
    "{\"name\":\"since\",\"type\":\"date\",\"label\":\"纳入日期\"}]";

static const struct {
	const char *code, *zh;
} categories[] = {
    {"dibao", "低保"},		{"tekun", "特困"},
    {"marginal", "低保边缘"},	{"rural_monitoring", "防止返贫监测对象"},
    {"hardship", "支出型困难"}, {"other", "其他低收入人口"},
};

struct row {
	char id[19];
	char name[101];
	char region[REGION_TEXT_MAX];
	const char *category;
	char since[DATE_TEXT_MAX];
};

struct reg {
	struct db *db;
	const struct principal *actor;
	struct match_kind k;
	bool header_done;
	int at[MATCH_MAX_COLUMNS];
	struct row *rows;
	size_t n;
	int64_t total, stored, rejected;
	FILE *rejects;
	struct strbuf rbuf;
	char now[STORE_TIME_MAX];
	char today[DATE_TEXT_MAX];
	dd_error err;
};

static void reject(struct reg *g, uint64_t line, const char *field, const char *why)
{
	g->rejected++;
	if (!g->rejects)
		return;
	strbuf_reset(&g->rbuf);
	match_reject_row(&g->rbuf, line, field, why);
	fwrite(g->rbuf.buf, 1, g->rbuf.len, g->rejects);
}

static dd_status flush(struct reg *g, dd_error *err)
{
	if (!g->n)
		return DD_OK;
	struct audit_entry *ae = calloc(g->n, sizeof *ae);
	char(*eid)[24] = calloc(g->n, sizeof *eid);
	dd_status rc = ae && eid ? db_begin(g->db, err) : dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
	struct db_stmt *st = NULL;
	if (!rc)
		rc = db_prepare_cached(
		    g->db,
		    "INSERT INTO monitored_persons (id_number, name, region_code, category, since, "
		    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (id_number) "
		    "DO UPDATE SET name = excluded.name, region_code = excluded.region_code, category = "
		    "excluded.category, since = excluded.since, until = NULL, updated_at = excluded.updated_at "
		    "RETURNING id",
		    &st, err);
	for (size_t i = 0; !rc && i < g->n; i++) {
		const struct row *r = &g->rows[i];
		db_bind_str(st, 1, r->id);
		db_bind_str(st, 2, r->name);
		db_bind_str(st, 3, r->region);
		db_bind_str(st, 4, r->category);
		db_bind_str(st, 5, r->since);
		db_bind_str(st, 6, g->now);
		bool row = false;
		rc = db_step(st, &row, err);
		snprintf(eid[i], sizeof eid[i], "%" PRId64, row ? db_column_int64(st, 0) : 0);
		db_reset(st);
		ae[i] = (struct audit_entry){.region_code = r->region,
					     .actor = g->actor ? g->actor->username : "system",
					     .action = "register",
					     .entity = "monitored_person",
					     .entity_id = eid[i]};
	}
	if (st)
		db_finalize(st);
	if (!rc)
		rc = audit_append_batch(g->db, ae, g->n, err);
	if (!rc)
		rc = db_commit(g->db, err);
	if (rc)
		db_rollback(g->db);
	else
		g->stored += (int64_t)g->n;
	g->n = 0;
	free(ae);
	free(eid);
	return rc;
}

static dd_status on_record(void *ctx, const struct match_fields *f, dd_error *err)
{
	struct reg *g = ctx;
	if (!g->header_done) {
		dd_status rc = match_header_columns(&g->k, f, g->at, err);
		g->header_done = !rc;
		return rc;
	}
	g->total++;
	if (f->count < 0) {
		reject(g, f->line, "", "记录格式错误（引号或字段数） (malformed record)");
		return DD_OK;
	}
	struct match_value v[5];
	for (int c = 0; c < g->k.ncol; c++) {
		int at = g->at[c];
		dd_error why;
		dd_error_clear(&why);
		if (at < 0 || at >= f->count)
			memset(&v[c], 0, sizeof v[c]);
		else if (match_value_parse(g->k.col[c].type, f->p[at], f->n[at], &v[c], &why)) {
			reject(g, f->line, g->k.col[c].label, why.message);
			return DD_OK;
		}
		if (!v[c].present && c != 4) {
			reject(g, f->line, g->k.col[c].label, "不能为空 (required)");
			return DD_OK;
		}
	}
	struct row *r = &g->rows[g->n];
	memcpy(r->id, v[0].text, 18);
	r->id[17] = r->id[17] == 'x' ? 'X' : r->id[17];
	r->id[18] = 0;
	if (v[1].n > 100) {
		reject(g, f->line, "姓名", "姓名过长 (name too long)");
		return DD_OK;
	}
	memcpy(r->name, v[1].text, v[1].n);
	r->name[v[1].n] = 0;
	if (!svc_text_clean(r->name, 100)) {
		reject(g, f->line, "姓名", "姓名含控制字符 (control characters in the name)");
		return DD_OK;
	}
	char sig[REGION_TEXT_MAX];
	region_significant(v[2].text, v[2].n, sig);
	if (g->actor && !authz_in_scope(g->actor, sig)) {
		reject(g, f->line, "区划代码", "不在本账户的管辖范围内 (outside your region)");
		return DD_OK;
	}
	memcpy(r->region, v[2].text, v[2].n);
	r->region[v[2].n] = 0;
	r->category = NULL;
	for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
		if ((strlen(categories[i].code) == v[3].n && !memcmp(categories[i].code, v[3].text, v[3].n)) ||
		    (strlen(categories[i].zh) == v[3].n && !memcmp(categories[i].zh, v[3].text, v[3].n)))
			r->category = categories[i].code;
	if (!r->category) {
		reject(g, f->line, "类别",
		       "须为 低保、特困、低保边缘、防止返贫监测对象、支出型困难 或 其他低收入人口 (bad category)");
		return DD_OK;
	}
	if (v[4].present)
		date_format((dd_date)v[4].num, r->since);
	else
		memcpy(r->since, g->today, sizeof r->since);
	if (++g->n == CHUNK)
		return flush(g, err);
	return DD_OK;
}

static dd_status decoded(void *ctx, const char *data, size_t n, dd_error *err)
{
	return match_scanner_feed(ctx, data, n, err);
}

enum svc_kind monitor_register_import(struct db *db, const struct principal *actor, const char *path,
				      enum text_encoding enc, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind denied = authz_monitor_run(actor, "导入监测对象", e);
	if (denied)
		return denied;
	struct reg g = {.db = db, .actor = actor};
	dd_error_clear(&g.err);
	if (match_kind_parse("register", columns, sizeof columns - 1, &g.k, &g.err))
		return svc_fail(e, SVC_INTERNAL, "BAD_KIND", NULL, "内部错误：登记表列定义");
	store_now(g.now);
	date_format(store_today(), g.today);
	FILE *in = fopen(path, "rb");
	if (!in)
		return svc_fail(e, SVC_BAD_INPUT, "NO_FILE", "file", "无法打开文件：%s", strerror(errno));
	char rpath[4096];
	snprintf(rpath, sizeof rpath, "%s.rejects.csv", path);
	g.rejects = fopen(rpath, "w");
	if (g.rejects)
		fputs(MATCH_REJECTS_HEADER, g.rejects);
	strbuf_init(&g.rbuf, 256);
	g.rows = malloc(CHUNK * sizeof *g.rows);
	struct match_scanner sc;
	match_scanner_init(&sc, on_record, &g);
	struct text_decoder dec;
	dd_status rc = g.rows ? text_decoder_init(&dec, enc, decoded, &sc, &g.err)
			      : dd_fail(&g.err, DD_ENOMEM, "", "内存不足 (out of memory)");
	bool dec_ok = !rc;
	char buf[1 << 16];
	size_t got;
	while (!rc && (got = fread(buf, 1, sizeof buf, in)) > 0)
		rc = text_decoder_feed(&dec, buf, got, &g.err);
	if (!rc && ferror(in))
		rc = dd_fail(&g.err, DD_EIO, "file", "读取失败 (read failed)");
	if (!rc)
		rc = text_decoder_finish(&dec, &g.err);
	if (!rc)
		rc = match_scanner_finish(&sc, &g.err);
	if (!rc && !g.header_done)
		rc = dd_fail(&g.err, DD_EINVAL, "header", "文件为空，没有表头 (empty file)");
	if (!rc)
		rc = flush(&g, &g.err);
	if (dec_ok)
		text_decoder_release(&dec);
	match_scanner_release(&sc);
	fclose(in);
	if (g.rejects)
		fclose(g.rejects);
	strbuf_release(&g.rbuf);
	free(g.rows);
	if (rc) {
		if (db_in_transaction(db))
			return svc_store_fail(e, db, rc, &g.err);
		return svc_from_status(e, rc, &g.err) == SVC_INTERNAL
			   ? svc_fail(e, SVC_INTERNAL, "STORE", g.err.field, "%s", g.err.message)
			   : svc_fail(e, SVC_BAD_INPUT, "BAD_FILE", g.err.field[0] ? g.err.field : "file", "%s",
				      g.err.message);
	}
	strbuf_addf(out, "{\"rows\":%" PRId64 ",\"stored\":%" PRId64 ",\"rejected\":%" PRId64, g.total, g.stored,
		    g.rejected);
	strbuf_add_json_member_text(out, "rejects", rpath);
	strbuf_addc(out, '}');
	return SVC_OK;
}
