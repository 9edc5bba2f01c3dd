/* fund_ledger.c - the county fund ledger (fund_ledger.h). */
#include "fund_ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/payroll.h"
#include "core/region.h"
#include "payroll.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"
#include "xlsx_out.h"

/* The programmes a county is allocated money for, in report order (their
 * names: payroll_programme_name). */
static const char *const programmes[] = {"dibao", "tekun", "children", "temporary", "subsidy"};
#define NPROGRAMMES (sizeof programmes / sizeof programmes[0])

static int programme_index(const char *p)
{
	for (size_t i = 0; p && i < NPROGRAMMES; i++)
		if (strcmp(p, programmes[i]) == 0)
			return (int)i;
	return -1;
}

enum svc_kind fund_allocation_add(struct db *db, const struct principal *actor, const struct fund_allocation_new *a,
				  struct strbuf *out, struct svc_error *e)
{
	if (actor && actor->role != ROLE_FINANCE)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "只有财政部门可以登记资金下达");
	char sig[REGION_TEXT_MAX], first[11];
	dd_error err;
	dd_error_clear(&err);
	if (!a->region || region_parse(a->region, strlen(a->region), 2, sig, &err) || region_level(sig) != 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为区县的行政区划代码");
	if (actor && !authz_in_scope(actor, sig))
		return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region", "地区不在本账号的管辖范围内");
	if (programme_index(a->programme) < 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PROGRAMME", "programme",
				"项目须为 dibao、tekun、children、temporary 或 subsidy");
	if (!a->period || !payroll_period_parse(a->period, first))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_PERIOD", "period", "月份须为 YYYY-MM 格式的有效月份");
	fen_t amount = 0;
	if (!a->amount || money_parse(a->amount, strlen(a->amount), MONEY_PLAIN, &amount, &err) || amount <= 0)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_AMOUNT", "amount",
				"金额须为大于 0 的元数，至多两位小数（如 \"120000.00\"）");
	if (a->document && !svc_text_clean(a->document, 200))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DOCUMENT", "document",
				"文号过长或含有控制字符（不超过 200 字节）");
	if (a->note && !svc_text_clean(a->note, 1000))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NOTE", "note", "说明过长或含有控制字符（不超过 1000 字节）");
	char now[STORE_TIME_MAX], id_text[24], money[MONEY_TEXT_MAX];
	store_now(now);
	money_format(amount, money);
	struct db_stmt *st;
	bool row = false;
	int64_t id = 0;
	struct strbuf detail;
	strbuf_init(&detail, 256);
	dd_status rc = db_begin(db, &err);
	if (rc)
		goto fail;
	if ((rc = db_prepare(db,
			     "INSERT INTO fund_allocations (region_code, programme, period, amount, document, note, "
			     "created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
			     0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, sig);
	db_bind_str(st, 2, a->programme);
	db_bind_str(st, 3, a->period);
	db_bind_int64(st, 4, amount);
	db_bind_str(st, 5, a->document && a->document[0] ? a->document : NULL);
	db_bind_str(st, 6, a->note && a->note[0] ? a->note : NULL);
	if (actor)
		db_bind_int64(st, 7, actor->id);
	else
		db_bind_null(st, 7);
	db_bind_str(st, 8, now);
	if (!(rc = db_step(st, &row, &err)) && row)
		id = db_column_int64(st, 0);
	db_finalize(st);
	if (rc)
		goto fail;
	snprintf(id_text, sizeof id_text, "%lld", (long long)id);
	strbuf_addf(&detail, "{\"programme\":\"%s\",\"period\":\"%s\",\"amount\":\"%s\",\"document\":", a->programme,
		    a->period, money);
	strbuf_add_json_string_or_null(&detail, a->document && a->document[0] ? a->document : NULL);
	strbuf_addc(&detail, '}');
	rc = detail.failed ? dd_fail(&err, DD_ENOMEM, "audit", "内存不足 (out of memory)")
			   : audit_append_region(db, sig, actor ? actor->username : "operator", "funds.allocate",
						 "fund_allocation", id_text, detail.buf, &err);
	if (rc || (rc = db_commit(db, &err)))
		goto fail;
	strbuf_release(&detail);
	strbuf_addf(out, "{\"id\":%lld", (long long)id);
	strbuf_add_json_member_text(out, "region", sig);
	strbuf_add_json_member_text(out, "programme", a->programme);
	strbuf_add_json_member_text(out, "period", a->period);
	strbuf_add_json_member_money(out, "amount", amount);
	strbuf_add_json_member_text(out, "document", a->document && a->document[0] ? a->document : NULL);
	strbuf_add_json_member_text(out, "note", a->note && a->note[0] ? a->note : NULL);
	strbuf_add_json_member_text(out, "created_at", now);
	strbuf_addc(out, '}');
	return SVC_OK;
fail:
	strbuf_release(&detail);
	db_rollback(db);
	return svc_store_fail(e, db, rc, &err);
}

/* --- the ledger ----------------------------------------------------------- */

struct ledger_row {
	char programme[16];
	char period[8];
	fen_t allocated, paid, returned, pending;
};

struct reserve_row {
	char region[REGION_TEXT_MAX];
	char name[96];
	fen_t balance, advanced, drawn, returned;
};

struct ledger {
	char county[REGION_TEXT_MAX];
	char county_name[96];
	char year[5];
	struct ledger_row *rows;
	size_t n, cap;
	struct reserve_row *reserves;
	size_t nres, capres;
};

static struct ledger_row *ledger_slot(struct ledger *l, const char *programme, const char *period)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->rows[i].programme, programme) == 0 && strcmp(l->rows[i].period, period) == 0)
			return &l->rows[i];
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct ledger_row *p = realloc(l->rows, nc * sizeof *p);
		if (!p)
			return NULL;
		l->rows = p;
		l->cap = nc;
	}
	struct ledger_row *r = &l->rows[l->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->programme, sizeof r->programme, "%s", programme);
	snprintf(r->period, sizeof r->period, "%s", period);
	return r;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct ledger_row *a = pa, *b = pb;
	int ia = programme_index(a->programme), ib = programme_index(b->programme);
	if (ia < 0)
		ia = (int)NPROGRAMMES;
	if (ib < 0)
		ib = (int)NPROGRAMMES;
	if (ia != ib)
		return ia - ib;
	int c = strcmp(a->programme, b->programme);
	return c ? c : strcmp(a->period, b->period);
}

static void ledger_release(struct ledger *l)
{
	free(l->rows);
	free(l->reserves);
}

static enum svc_kind ledger_load(struct db *db, const struct principal *actor, const char *region, const char *year,
				 struct ledger *l, struct svc_error *e)
{
	memset(l, 0, sizeof *l);
	dd_error err;
	dd_error_clear(&err);
	char sig[REGION_TEXT_MAX];
	if (!region || !region[0] || region_parse(region, strlen(region), 2, sig, &err) || region_level(sig) != 3)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区须为区县的行政区划代码");
	if (!year || strlen(year) != 4 || year[0] != '2' || year[1] != '0' || year[2] < '0' || year[2] > '9' ||
	    year[3] < '0' || year[3] > '9')
		return svc_fail(e, SVC_BAD_INPUT, "BAD_YEAR", "year", "年份须为 2000 至 2099 之间的四位数字");
	enum svc_kind k = actor ? payroll_authz_read(actor, sig, e) : SVC_OK;
	if (k)
		return k;
	snprintf(l->county, sizeof l->county, "%s", sig);
	snprintf(l->year, sizeof l->year, "%s", year);
	char from[8], to[8], lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	snprintf(from, sizeof from, "%s-01", year);
	snprintf(to, sizeof to, "%s-12", year);
	store_region_range(sig, lo, hi);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT name FROM regions WHERE code = $1", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, sig);
	if (!(rc = db_step(st, &row, &err)) && row)
		snprintf(l->county_name, sizeof l->county_name, "%s",
			 db_column_text(st, 0, NULL) ? db_column_text(st, 0, NULL) : "");
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!l->county_name[0])
		snprintf(l->county_name, sizeof l->county_name, "%s", sig);
	if ((rc = db_prepare(db,
			     "SELECT programme, period, sum(amount) FROM fund_allocations WHERE region_code = $1 AND "
			     "period >= $2 AND period <= $3 GROUP BY programme, period",
			     0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, sig);
	db_bind_str(st, 2, from);
	db_bind_str(st, 3, to);
	while (!(rc = db_step(st, &row, &err)) && row) {
		struct ledger_row *r = ledger_slot(l, db_column_text(st, 0, NULL), db_column_text(st, 1, NULL));
		if (!r) {
			rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		r->allocated += db_column_int64(st, 2);
	}
	db_finalize(st);
	if (rc)
		goto fail;
	if ((rc = db_prepare(db,
			     "SELECT programme, period, state, sum(amount) FROM payments WHERE region_code >= $1 AND "
			     "region_code < $2 AND period >= $3 AND period <= $4 AND state IN ('pending', 'exported', "
			     "'paid', 'returned', 'reissued') GROUP BY programme, period, state",
			     0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	db_bind_str(st, 3, from);
	db_bind_str(st, 4, to);
	while (!(rc = db_step(st, &row, &err)) && row) {
		struct ledger_row *r = ledger_slot(l, db_column_text(st, 0, NULL), db_column_text(st, 1, NULL));
		if (!r) {
			rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
			break;
		}
		const char *state = db_column_text(st, 2, NULL);
		fen_t v = db_column_int64(st, 3);
		if (strcmp(state, "paid") == 0)
			r->paid += v;
		else if (strcmp(state, "returned") == 0 || strcmp(state, "reissued") == 0)
			r->returned += v;
		else
			r->pending += v;
	}
	db_finalize(st);
	if (rc)
		goto fail;
	if (l->n)
		qsort(l->rows, l->n, sizeof l->rows[0], row_cmp);
	if ((rc = db_prepare(
		 db,
		 "SELECT f.region_code, r.name, f.balance, f.advanced_total, f.drawn_total, f.returned_total "
		 "FROM reserve_funds f LEFT JOIN regions r ON r.code = f.region_code WHERE f.region_code >= "
		 "$1 AND f.region_code < $2 ORDER BY f.region_code",
		 0, &st, &err)))
		goto fail;
	db_bind_str(st, 1, lo);
	db_bind_str(st, 2, hi);
	while (!(rc = db_step(st, &row, &err)) && row) {
		if (l->nres == l->capres) {
			size_t nc = l->capres ? l->capres * 2 : 16;
			struct reserve_row *p = realloc(l->reserves, nc * sizeof *p);
			if (!p) {
				rc = dd_fail(&err, DD_ENOMEM, NULL, "内存不足 (out of memory)");
				break;
			}
			l->reserves = p;
			l->capres = nc;
		}
		struct reserve_row *r = &l->reserves[l->nres++];
		const char *code = db_column_text(st, 0, NULL), *name = db_column_text(st, 1, NULL);
		snprintf(r->region, sizeof r->region, "%s", code ? code : "");
		snprintf(r->name, sizeof r->name, "%s", name ? name : "");
		r->balance = db_column_int64(st, 2);
		r->advanced = db_column_int64(st, 3);
		r->drawn = db_column_int64(st, 4);
		r->returned = db_column_int64(st, 5);
	}
	db_finalize(st);
	if (rc)
		goto fail;
	return SVC_OK;
fail:
	ledger_release(l);
	memset(l, 0, sizeof *l);
	return svc_store_fail(e, db, rc, &err);
}

static void sums_json(struct strbuf *out, const struct ledger_row *r)
{
	strbuf_add_json_member_money(out, "allocated", r->allocated);
	strbuf_add_json_member_money(out, "paid", r->paid);
	strbuf_add_json_member_money(out, "returned", r->returned);
	strbuf_add_json_member_money(out, "pending", r->pending);
	strbuf_add_json_member_money(out, "balance", r->allocated - r->paid);
}

static void sums_add(struct ledger_row *to, const struct ledger_row *r)
{
	to->allocated += r->allocated;
	to->paid += r->paid;
	to->returned += r->returned;
	to->pending += r->pending;
}

enum svc_kind fund_ledger_get(struct db *db, const struct principal *actor, const char *region, const char *year,
			      struct strbuf *out, struct svc_error *e)
{
	struct ledger l;
	enum svc_kind k = ledger_load(db, actor, region, year, &l, e);
	if (k)
		return k;
	strbuf_adds(out, "{\"region\":");
	strbuf_add_json_string(out, l.county, strlen(l.county));
	strbuf_add_json_member_text(out, "region_name", l.county_name);
	strbuf_add_json_member_text(out, "year", l.year);
	strbuf_adds(out, ",\"items\":[");
	struct ledger_row total = {0};
	for (size_t i = 0; i < l.n; i++) {
		strbuf_addf(out, "%s{\"programme\":", i ? "," : "");
		strbuf_add_json_string_or_null(out, l.rows[i].programme);
		strbuf_add_json_member_text(out, "programme_name", payroll_programme_name(l.rows[i].programme));
		strbuf_add_json_member_text(out, "period", l.rows[i].period);
		sums_json(out, &l.rows[i]);
		strbuf_addc(out, '}');
		sums_add(&total, &l.rows[i]);
	}
	strbuf_adds(out, "],\"totals\":[");
	for (size_t i = 0, m = 0; i < l.n;) {
		struct ledger_row sub = {0};
		size_t j = i;
		for (; j < l.n && strcmp(l.rows[j].programme, l.rows[i].programme) == 0; j++)
			sums_add(&sub, &l.rows[j]);
		strbuf_addf(out, "%s{\"programme\":", m++ ? "," : "");
		strbuf_add_json_string_or_null(out, l.rows[i].programme);
		strbuf_add_json_member_text(out, "programme_name", payroll_programme_name(l.rows[i].programme));
		sums_json(out, &sub);
		strbuf_addc(out, '}');
		i = j;
	}
	strbuf_adds(out, "],\"total\":{\"programme\":null");
	sums_json(out, &total);
	strbuf_adds(out, "},\"reserve_funds\":[");
	for (size_t i = 0; i < l.nres; i++) {
		strbuf_addf(out, "%s{\"region\":", i ? "," : "");
		strbuf_add_json_string_or_null(out, l.reserves[i].region);
		strbuf_add_json_member_text(out, "region_name", l.reserves[i].name[0] ? l.reserves[i].name : NULL);
		strbuf_add_json_member_money(out, "balance", l.reserves[i].balance);
		strbuf_add_json_member_money(out, "advanced_total", l.reserves[i].advanced);
		strbuf_add_json_member_money(out, "drawn_total", l.reserves[i].drawn);
		strbuf_add_json_member_money(out, "returned_total", l.reserves[i].returned);
		strbuf_addc(out, '}');
	}
	strbuf_adds(out, "]}");
	ledger_release(&l);
	return SVC_OK;
}

static void xlsx_sums(struct xlsx_out *x, uint32_t row, const struct ledger_row *r)
{
	xlsx_out_money(x, row, 2, r->allocated);
	xlsx_out_money(x, row, 3, r->paid);
	xlsx_out_money(x, row, 4, r->returned);
	xlsx_out_money(x, row, 5, r->pending);
	xlsx_out_money(x, row, 6, r->allocated - r->paid);
}

enum svc_kind fund_ledger_xlsx(struct db *db, const struct principal *actor, const char *region, const char *year,
			       struct strbuf *body, char file_name[96], char display_name[256], struct svc_error *e)
{
	struct ledger l;
	enum svc_kind k = ledger_load(db, actor, region, year, &l, e);
	if (k)
		return k;
	dd_error err;
	dd_error_clear(&err);
	struct xlsx_out *x = NULL;
	dd_status rc = xlsx_out_open(&x, "资金台账", &err);
	if (rc) {
		ledger_release(&l);
		return svc_from_status(e, rc, &err);
	}
	char title[192];
	snprintf(title, sizeof title, "%s%s年社会救助资金台账", l.county_name, l.year);
	xlsx_out_width(x, 0, 0, 18);
	xlsx_out_width(x, 1, 6, 16);
	xlsx_out_bold(x, 0, 0, title);
	static const char *const heads[] = {"项目",	      "月份",	      "下达资金（元）", "已发放（元）",
					    "银行退回（元）", "待发放（元）", "结余（元）"};
	for (uint16_t c = 0; c < 7; c++)
		xlsx_out_bold(x, 1, c, heads[c]);
	uint32_t row = 2;
	struct ledger_row total = {0};
	for (size_t i = 0; i < l.n;) {
		struct ledger_row sub = {0};
		size_t j = i;
		for (; j < l.n && strcmp(l.rows[j].programme, l.rows[i].programme) == 0; j++, row++) {
			xlsx_out_text(x, row, 0, payroll_programme_name(l.rows[j].programme));
			xlsx_out_text(x, row, 1, l.rows[j].period);
			xlsx_sums(x, row, &l.rows[j]);
			sums_add(&sub, &l.rows[j]);
		}
		xlsx_out_bold(x, row, 0, payroll_programme_name(l.rows[i].programme));
		xlsx_out_bold(x, row, 1, "小计");
		xlsx_sums(x, row++, &sub);
		sums_add(&total, &sub);
		i = j;
	}
	xlsx_out_bold(x, row, 0, "合计");
	xlsx_sums(x, row, &total);
	if ((rc = xlsx_out_sheet(x, "乡镇备用金", &err)))
		goto fail;
	xlsx_out_width(x, 0, 1, 18);
	xlsx_out_width(x, 2, 5, 16);
	static const char *const rheads[] = {"乡镇（街道）",   "区划代码",	 "累计下拨（元）",
					     "累计支取（元）", "累计退回（元）", "余额（元）"};
	for (uint16_t c = 0; c < 6; c++)
		xlsx_out_bold(x, 0, c, rheads[c]);
	for (size_t i = 0; i < l.nres; i++) {
		xlsx_out_text(x, (uint32_t)i + 1, 0, l.reserves[i].name);
		xlsx_out_text(x, (uint32_t)i + 1, 1, l.reserves[i].region);
		xlsx_out_money(x, (uint32_t)i + 1, 2, l.reserves[i].advanced);
		xlsx_out_money(x, (uint32_t)i + 1, 3, l.reserves[i].drawn);
		xlsx_out_money(x, (uint32_t)i + 1, 4, l.reserves[i].returned);
		xlsx_out_money(x, (uint32_t)i + 1, 5, l.reserves[i].balance);
	}
	rc = xlsx_out_finish(x, body, &err);
	x = NULL;
	if (rc)
		goto fail;
	snprintf(file_name, 96, "fund-ledger-%s-%s.xlsx", l.county, l.year);
	snprintf(display_name, 256, "%s%s年资金台账.xlsx", l.county_name, l.year);
	ledger_release(&l);
	return SVC_OK;
fail:
	xlsx_out_abort(x);
	ledger_release(&l);
	strbuf_reset(body);
	return svc_from_status(e, rc, &err);
}
