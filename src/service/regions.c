/* regions.c - the region tree as the caller may see it. */
#include "regions.h"

#include <stdio.h>
#include <string.h>

#include "store/db.h"

/* A region (significant form) the caller may see: inside its scope, or an
 * ancestor of it (covering it). */
static bool visible(const struct principal *p, const char *sig)
{
	if (p->role == ROLE_DEPARTMENT) { /* its scope is empty: the names of its county's regions, which
					     the referrals it answers show */
		char own[REGION_TEXT_MAX];
		return region_parse(p->region, strlen(p->region), 6, own, NULL) == DD_OK &&
		       (region_covers(own, sig) || region_covers(sig, own));
	}
	return p->role != ROLE_NONE && (authz_in_scope(p, sig) || region_covers(sig, p->scope));
}

static void add_text(struct strbuf *b, const char *s)
{
	if (s && *s)
		strbuf_add_json_string(b, s, strlen(s));
	else
		strbuf_adds(b, "null");
}

/* The code of a request (6, 9 or 12 digits) as sig and full code. */
static enum svc_kind parse_code(const char *s, const char *field, char sig[REGION_TEXT_MAX], char full[REGION_TEXT_MAX],
				struct svc_error *e)
{
	size_t n = s ? strlen(s) : 0;
	if ((n != 6 && n != 9 && n != 12) || region_parse(s, n, 6, sig, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", field, "地区代码应为 6、9 或 12 位数字");
	region_full_code(sig, full);
	return SVC_OK;
}

/* SELECT columns: code, name, level, parent_code, area. */
static void add_region(struct strbuf *b, struct db_stmt *st)
{
	strbuf_adds(b, "{\"code\":");
	add_text(b, db_column_text(st, 0, NULL));
	strbuf_adds(b, ",\"name\":");
	add_text(b, db_column_text(st, 1, NULL));
	strbuf_addf(b, ",\"level\":%lld,\"parent\":", (long long)db_column_int64(st, 2));
	add_text(b, db_column_text(st, 3, NULL));
	strbuf_adds(b, ",\"area\":");
	add_text(b, db_column_text(st, 4, NULL));
}

enum svc_kind regions_children(struct db *db, const struct principal *actor, const char *parent, struct strbuf *out,
			       struct svc_error *e)
{
	char sig[REGION_TEXT_MAX] = "", full[REGION_TEXT_MAX] = "";
	const char *p = parent && *parent ? parent : actor->region;
	bool top = strcmp(p, "000000") == 0;
	if (!top) {
		enum svc_kind k = parse_code(p, "parent", sig, full, e);
		if (k)
			return k;
	}
	if (!top && !visible(actor, sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "parent", "地区不存在或不在您的辖区内");
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc && !top) {
		/* the parent must exist */
		rc = db_prepare_cached(db, "SELECT count(*) FROM regions WHERE code = $1", &st, &err);
		if (!rc) {
			db_bind_str(st, 1, full);
			rc = db_step(st, &row, &err);
			bool known = !rc && row && db_column_int64(st, 0) > 0;
			db_finalize(st);
			if (!rc && !known) {
				db_rollback(db);
				return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "parent", "地区不存在或不在您的辖区内");
			}
		}
	}
	if (!rc)
		rc = db_prepare_cached(db,
				       top ? "SELECT code, name, level, parent_code, area FROM regions WHERE "
					     "parent_code IS NULL AND CAST($1 AS TEXT) = '' ORDER BY code LIMIT $2"
					   : "SELECT code, name, level, parent_code, area FROM regions WHERE "
					     "parent_code = $1 ORDER BY code LIMIT $2",
				       &st, &err);
	if (!rc) {
		db_bind_str(st, 1, full);
		db_bind_int64(st, 2, REGIONS_CHILDREN_MAX);
		strbuf_adds(out, "{\"items\":[");
		int n = 0;
		while (!(rc = db_step(st, &row, &err)) && row) {
			const char *code = db_column_text(st, 0, NULL);
			char csig[REGION_TEXT_MAX];
			size_t cl = code ? strlen(code) : 0;
			if (!cl || cl > REGION_MAX)
				continue;
			region_significant(code, cl, csig);
			if (!visible(actor, csig))
				continue;
			if (n++)
				strbuf_addc(out, ',');
			add_region(out, st);
			strbuf_addc(out, '}');
		}
		db_finalize(st);
		strbuf_adds(out, "]}");
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return SVC_OK;
}

enum svc_kind regions_get(struct db *db, const struct principal *actor, const char *code, struct strbuf *out,
			  struct svc_error *e)
{
	char sig[REGION_TEXT_MAX], full[REGION_TEXT_MAX];
	enum svc_kind k = parse_code(code, "code", sig, full, e);
	if (k)
		return k;
	if (!visible(actor, sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "code", "地区不存在或不在您的辖区内");
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_begin_read(db, &err);
	if (!rc)
		rc = db_prepare_cached(db, "SELECT code, name, level, parent_code, area FROM regions WHERE code = $1",
				       &st, &err);
	char parent[REGION_TEXT_MAX] = "";
	if (!rc) {
		db_bind_str(st, 1, full);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			add_region(out, st);
			const char *pc = db_column_text(st, 3, NULL);
			snprintf(parent, sizeof parent, "%s", pc ? pc : "");
		}
		db_finalize(st);
	}
	if (!rc && !row) {
		db_rollback(db);
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "code", "地区不存在或不在您的辖区内");
	}
	/* the ancestors, walked up (at most 5 levels), written top down */
	struct {
		char code[REGION_TEXT_MAX];
		char name[128];
	} path[6];
	int np = 0;
	while (!rc && parent[0] && np < 6) {
		rc = db_prepare_cached(db, "SELECT code, name, parent_code FROM regions WHERE code = $1", &st, &err);
		if (rc)
			break;
		db_bind_str(st, 1, parent);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			const char *c = db_column_text(st, 0, NULL), *nm = db_column_text(st, 1, NULL),
				   *pc = db_column_text(st, 2, NULL);
			snprintf(path[np].code, sizeof path[np].code, "%s", c ? c : "");
			snprintf(path[np].name, sizeof path[np].name, "%s", nm ? nm : "");
			np++;
			snprintf(parent, sizeof parent, "%s", pc ? pc : "");
		} else
			parent[0] = '\0';
		db_finalize(st);
	}
	db_rollback(db);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	strbuf_adds(out, ",\"path\":[");
	for (int i = np - 1; i >= 0; i--) {
		strbuf_adds(out, i == np - 1 ? "{\"code\":" : ",{\"code\":");
		add_text(out, path[i].code);
		strbuf_adds(out, ",\"name\":");
		add_text(out, path[i].name);
		strbuf_addc(out, '}');
	}
	strbuf_adds(out, "]}");
	return SVC_OK;
}
