/* children.c - the children of an area (children.h). */
#include "children.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/civil_date.h"
#include "core/idnum.h"
#include "core/region.h"
#include "store/store.h"

#define CHILD_FROM                                                                                                     \
	" FROM memberships m JOIN persons p ON p.id = m.person_id JOIN households h ON h.id = m.household_id "         \
	"WHERE m.to_date IS NULL AND h.region_code >= $1 AND h.region_code < $2 AND p.birth_date > $3 AND "            \
	"p.death_date IS NULL AND (CAST($4 AS TEXT) = '' OR p.name LIKE '%' || $4 || '%')"

/* The child's children's allowance decision in force today ($7), if any. */
#define ALLOWANCE                                                                                                      \
	" FROM decisions d JOIN decision_lines l ON l.decision_id = d.id AND l.component = 'children_allowance' "      \
	"WHERE d.person_id = p.id AND d.programme = 'children' AND d.superseded_by IS NULL AND d.effective_from <= "   \
	"$7 AND (d.effective_to IS NULL OR d.effective_to > $7) ORDER BY d.id DESC LIMIT 1"

enum svc_kind children_list(struct db *db, const struct principal *actor, const struct children_filter *f,
			    struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_children_view(actor, e);
	if (k)
		return k;
	if ((k = svc_page_check(f->page, f->per_page, SVC_PER_PAGE_MAX, e)))
		return k;
	const char *name = f->name ? f->name : "";
	if (!svc_text_clean(name, 100) || strchr(name, '%') || strchr(name, '_'))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_TEXT", "name", "姓名 name 过长或含控制字符、%% 或 _");
	char scope[REGION_TEXT_MAX];
	snprintf(scope, sizeof scope, "%s", actor->scope);
	bool visible = true;
	if (f->region && *f->region) {
		char sig[REGION_TEXT_MAX];
		if (region_parse(f->region, strlen(f->region), 6, sig, NULL) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码 region 应为 6-12 位数字");
		visible = authz_scope_narrow(actor, sig, scope);
	}
	dd_date today = store_today();
	char cutoff[DATE_TEXT_MAX];
	date_format(date_add_months(today, -18 * 12), cutoff);
	int64_t total = 0;
	size_t mark = out->len;
	strbuf_adds(out, "{\"items\":[");
	if (visible) {
		char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
		store_region_range(scope, lo, hi);
		dd_error err;
		dd_error_clear(&err);
		struct db_stmt *st = NULL;
		bool row = false;
		dd_status rc = db_begin_read(db, &err);
		if (!rc)
			rc = db_prepare_cached(db, "SELECT count(*)" CHILD_FROM, &st, &err);
		if (!rc) {
			db_bind_str(st, 1, lo);
			db_bind_str(st, 2, hi);
			db_bind_str(st, 3, cutoff);
			db_bind_str(st, 4, name);
			rc = db_step(st, &row, &err);
			if (!rc && row)
				total = db_column_int64(st, 0);
			db_finalize(st);
		}
		if (!rc)
			rc = db_prepare_cached(
			    db,
			    "SELECT p.id, p.name, p.id_number, p.birth_date, p.sex, h.id, h.household_no, "
			    "h.region_code, (SELECT r.name FROM regions r WHERE r.code = h.region_code), "
			    "(SELECT hp.name FROM memberships hm JOIN persons hp ON hp.id = hm.person_id WHERE "
			    "hm.household_id = h.id AND hm.to_date IS NULL AND hm.relation = 'head'), (SELECT "
			    "d.id" ALLOWANCE "), (SELECT l.category" ALLOWANCE "), (SELECT d.monthly_benefit" ALLOWANCE
			    "), (SELECT d.effective_to" ALLOWANCE ")" CHILD_FROM
			    " ORDER BY h.region_code, h.household_no, p.birth_date, p.id LIMIT $5 OFFSET $6",
			    &st, &err);
		if (!rc) {
			db_bind_str(st, 1, lo);
			db_bind_str(st, 2, hi);
			db_bind_str(st, 3, cutoff);
			db_bind_str(st, 4, name);
			db_bind_int64(st, 5, f->per_page);
			db_bind_int64(st, 6, (f->page - 1) * f->per_page);
			char today_s[DATE_TEXT_MAX];
			date_format(today, today_s);
			db_bind_str(st, 7, today_s);
			for (int n = 0; !(rc = db_step(st, &row, &err)) && row; n++) {
				strbuf_addf(out, "%s{\"person_id\":%" PRId64, n ? "," : "", db_column_int64(st, 0));
				strbuf_add_json_member_text(out, "name", db_column_text(st, 1, NULL));
				const char *idn = db_column_text(st, 2, NULL);
				char masked[IDNUM_LEN + 1];
				if (idn && strlen(idn) == IDNUM_LEN) {
					idnum_mask(idn, masked);
					idn = masked;
				}
				strbuf_add_json_member_text(out, "id_number", idn);
				const char *birth = db_column_text(st, 3, NULL);
				strbuf_add_json_member_text(out, "birth_date", birth);
				dd_date b;
				if (birth && date_parse(birth, strlen(birth), &b, NULL) == DD_OK)
					strbuf_addf(out, ",\"age\":%d", date_age(b, today));
				else
					strbuf_adds(out, ",\"age\":null");
				strbuf_add_json_member_text(out, "sex", db_column_text(st, 4, NULL));
				strbuf_addf(out, ",\"household_id\":%" PRId64, db_column_int64(st, 5));
				strbuf_add_json_member_text(out, "household_no", db_column_text(st, 6, NULL));
				strbuf_add_json_member_text(out, "region", db_column_text(st, 7, NULL));
				strbuf_add_json_member_text(out, "village", db_column_text(st, 8, NULL));
				strbuf_add_json_member_text(out, "head_name", db_column_text(st, 9, NULL));
				if (db_column_text(st, 10, NULL)) { /* the allowance in force today */
					strbuf_addf(out, ",\"allowance\":{\"decision_id\":%" PRId64,
						    db_column_int64(st, 10));
					strbuf_add_json_member_text(out, "category", db_column_text(st, 11, NULL));
					strbuf_add_json_member_money(out, "monthly_benefit", db_column_int64(st, 12));
					strbuf_add_json_member_text(out, "effective_to", db_column_text(st, 13, NULL));
					strbuf_addc(out, '}');
				} else {
					strbuf_adds(out, ",\"allowance\":null");
				}
				strbuf_addc(out, '}');
			}
			db_finalize(st);
		}
		if (!rc)
			rc = db_commit(db, &err);
		if (rc) {
			out->len = mark;
			if (out->buf)
				out->buf[mark] = 0;
			return svc_store_fail(e, db, rc, &err);
		}
	}
	strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total, f->page,
		    f->per_page);
	return SVC_OK;
}
