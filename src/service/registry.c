/* registry.c - the household registry (registry.h). Reads are a handful of
 * indexed queries in one read snapshot; writes go through household_store. */
#include "registry.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/household.h"
#include "core/idnum.h"
#include "core/money.h"
#include "core/region.h"
#include "household_store.h"
#include "sql_query.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

/* --- pure helpers --- */

enum registry_q_kind registry_q_kind(const char *q, char norm[REGISTRY_Q_MAX + 1])
{
	size_t n = strlen(q);
	norm[0] = '\0';
	if (n == 0)
		return REGISTRY_Q_NONE;
	if (n > REGISTRY_Q_MAX)
		return REGISTRY_Q_BAD;
	memcpy(norm, q, n + 1);
	size_t digits = 0;
	while (digits < n && q[digits] >= '0' && q[digits] <= '9')
		digits++;
	bool check_x = digits > 0 && digits + 1 == n && (q[digits] == 'x' || q[digits] == 'X');
	if (digits < n && !check_x)
		return REGISTRY_Q_NAME;
	if (check_x)
		norm[digits] = 'X';
	if (n == IDNUM_LEN)
		return REGISTRY_Q_ID;
	if (n >= 4 && n <= 6)
		return REGISTRY_Q_ID_TAIL;
	return REGISTRY_Q_BAD;
}

void registry_name_bound(const char *prefix, char out[REGISTRY_NAME_BOUND_MAX])
{
	snprintf(out, REGISTRY_NAME_BOUND_MAX, "%.*s\xF4\x8F\xBF\xBF", REGISTRY_Q_MAX, prefix);
}

/* --- reading a household --- */

enum item_kind { ITEM_INCOME, ITEM_ASSET, ITEM_EXPENSE };

struct member_view {
	int64_t person_id;
	const char *id_number, *name, *relation, *birth_date, *sex, *disability_kind, *labor, *self_care, *supporters;
	int64_t disability_grade;
	bool severe_illness, in_school;
};

struct item_view {
	enum item_kind kind;
	int64_t id;
	int64_t person_id; /* 0 = the household's */
	const char *type;  /* income or expense type, asset kind */
	int64_t amount, quantity;
	bool yearly, imputed;
};

struct household_view {
	int64_t id, version;
	const char *region, *household_no, *area, *address, *created_at, *updated_at;
	struct member_view *members;
	size_t n_members;
	struct item_view *items;
	size_t n_items;
};

/* A column's text copied into the arena (NULL stays NULL). */
static const char *col_text(struct arena *a, struct db_stmt *st, int col)
{
	size_t n = 0;
	const char *s = db_column_text(st, col, &n);
	return s ? arena_strndup(a, s, n) : NULL;
}

/* Room for one more element of a growing array in the arena. */
static bool room(struct arena *a, void **arr, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = arena_alloc(a, ncap * size);
	if (!p)
		return false;
	if (n)
		memcpy(p, *arr, n * size);
	*arr = p;
	*cap = ncap;
	return true;
}

static dd_status oom(dd_error *err)
{
	return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
}

static int item_cmp(const void *x, const void *y)
{
	const struct item_view *a = x, *b = y;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/* The household (inside the scope) with its active members, its current
 * incomes, its assets and its expenses: ONE statement, so one round trip on
 * PostgreSQL and one read snapshot without BEGIN/ROLLBACK on either store.
 * Column 0 tells the part: 0 the household with one member (columns 1-22;
 * a household without members gives one row with NULL member columns), 1-3
 * an income, asset or expense (columns 23-29). Parts and rows come in no
 * promised order: members are sorted here by membership id, items by kind
 * and id (an ORDER BY over the UNION would cost a temporary b-tree). The item
 * parts do not repeat the scope test: without the part-0 row the household
 * is "not found" and they are dropped. */
static const char view_sql[] =
    "SELECT 0, h.id, h.region_code, h.household_no, h.area, h.address, h.version, h.created_at, "
    "h.updated_at, p.id, p.id_number, p.name, m.relation, p.birth_date, p.sex, p.disability_grade, "
    "p.disability_kind, p.severe_illness, p.labor_capacity, p.self_care, p.in_school, p.supporters, m.id, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL "
    "FROM households h LEFT JOIN memberships m ON m.household_id = h.id AND m.to_date IS NULL "
    "LEFT JOIN persons p ON p.id = m.person_id "
    "WHERE h.id = $1 AND h.region_code >= $2 AND h.region_code < $3 "
    "UNION ALL SELECT 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "id, person_id, type, amount, 0, period, imputed FROM incomes WHERE household_id = $1 AND to_month IS NULL "
    "UNION ALL SELECT 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "id, person_id, kind, amount, quantity, '', 0 FROM assets WHERE household_id = $1 "
    "UNION ALL SELECT 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    "id, person_id, type, amount, 0, period, 0 FROM expenditures WHERE household_id = $1";

struct member_row {
	int64_t membership_id;
	struct member_view m;
};

static int member_row_cmp(const void *x, const void *y)
{
	const struct member_row *a = x, *b = y;
	return (a->membership_id > b->membership_id) - (a->membership_id < b->membership_id);
}

/* One part-0 row's member (columns 9-22) into rows[*n]. */
static dd_status read_member(struct db_stmt *st, struct arena *a, struct member_row *r, dd_error *err)
{
	r->membership_id = db_column_int64(st, 22);
	r->m = (struct member_view){
	    .person_id = db_column_int64(st, 9),
	    .id_number = col_text(a, st, 10),
	    .name = col_text(a, st, 11),
	    .relation = col_text(a, st, 12),
	    .birth_date = col_text(a, st, 13),
	    .sex = col_text(a, st, 14),
	    .disability_grade = db_column_int64(st, 15),
	    .disability_kind = col_text(a, st, 16),
	    .severe_illness = db_column_int64(st, 17) != 0,
	    .labor = col_text(a, st, 18),
	    .self_care = col_text(a, st, 19),
	    .in_school = db_column_int64(st, 20) != 0,
	    .supporters = col_text(a, st, 21),
	};
	if (!r->m.id_number || !r->m.name || !r->m.relation)
		return dd_fail(err, DD_EIO, "db", "库中成员数据不完整 (a stored member is incomplete)");
	return DD_OK;
}

/* The household id inside scope. *found false when it is missing or outside. */
static dd_status view_load(struct db *db, const char *scope, int64_t id, struct arena *a, struct household_view *v,
			   bool *found, dd_error *err)
{
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(scope, lo, hi);
	memset(v, 0, sizeof *v);
	*found = false;
	struct db_stmt *st = NULL;
	dd_status rc = db_prepare_cached(db, view_sql, &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, lo);
	db_bind_str(st, 3, hi);
	struct member_row *rows = NULL;
	size_t n_rows = 0, row_cap = 0, item_cap = 0;
	bool row = false;
	while (!(rc = db_step(st, &row, err)) && row) {
		int64_t part = db_column_int64(st, 0);
		if (part == 0) {
			if (!*found) {
				*found = true;
				v->id = db_column_int64(st, 1);
				v->region = col_text(a, st, 2);
				v->household_no = col_text(a, st, 3);
				v->area = col_text(a, st, 4);
				v->address = col_text(a, st, 5);
				v->version = db_column_int64(st, 6);
				v->created_at = col_text(a, st, 7);
				v->updated_at = col_text(a, st, 8);
			}
			if (db_column_is_null(st, 9))
				continue;
			if (!room(a, (void **)&rows, n_rows, &row_cap, sizeof *rows)) {
				rc = oom(err);
				break;
			}
			if ((rc = read_member(st, a, &rows[n_rows++], err)))
				break;
			continue;
		}
		if (part < 1 || part > 3) {
			rc = dd_fail(err, DD_EIO, "db", "库中数据异常 (unexpected row)");
			break;
		}
		if (!room(a, (void **)&v->items, v->n_items, &item_cap, sizeof *v->items)) {
			rc = oom(err);
			break;
		}
		const char *period = db_column_text(st, 28, NULL);
		v->items[v->n_items++] = (struct item_view){
		    .kind = (enum item_kind)(part - 1),
		    .id = db_column_int64(st, 23),
		    .person_id = db_column_int64(st, 24),
		    .type = col_text(a, st, 25),
		    .amount = db_column_int64(st, 26),
		    .quantity = db_column_int64(st, 27),
		    .yearly = period && strcmp(period, "year") == 0,
		    .imputed = db_column_int64(st, 29) != 0,
		};
	}
	db_finalize(st);
	if (rc || !*found)
		return rc;
	if (n_rows > 1)
		qsort(rows, n_rows, sizeof *rows, member_row_cmp);
	if (n_rows) {
		v->members = arena_alloc(a, n_rows * sizeof *v->members);
		if (!v->members)
			return oom(err);
		for (size_t i = 0; i < n_rows; i++)
			v->members[i] = rows[i].m;
		v->n_members = n_rows;
	}
	if (v->n_items > 1)
		qsort(v->items, v->n_items, sizeof *v->items, item_cmp);
	return DD_OK;
}

/* --- writing JSON --- */

static void add_money(struct strbuf *b, fen_t v)
{
	char t[MONEY_TEXT_MAX];
	size_t n = money_format(v, t);
	strbuf_addc(b, '"');
	strbuf_add(b, t, n);
	strbuf_addc(b, '"');
}

static void add_bool(struct strbuf *b, bool v)
{
	strbuf_adds(b, v ? "true" : "false");
}

/* An ID number whole (reveal) or masked. */
static void add_id_number(struct strbuf *b, const char *id, bool reveal)
{
	char masked[IDNUM_LEN + 1];
	if (!reveal && strlen(id) == IDNUM_LEN) {
		idnum_mask(id, masked);
		id = masked;
	}
	strbuf_add_json_string_or_null(b, id);
}

static bool is_financial(const struct item_view *it)
{
	return it->kind == ITEM_ASSET && strcmp(it->type, "financial") == 0;
}

/* The incomes of one member (person_id) or the expenses (person_id -1) as
 * ASSESS.md's array: type, amount, period, and imputed for incomes. */
static void add_items(struct strbuf *b, const struct household_view *v, enum item_kind kind, int64_t person_id)
{
	bool first = true;
	strbuf_addc(b, '[');
	for (size_t i = 0; i < v->n_items; i++) {
		const struct item_view *it = &v->items[i];
		if (it->kind != kind || (person_id >= 0 && it->person_id != person_id))
			continue;
		strbuf_adds(b, first ? "{\"type\":" : ",{\"type\":");
		first = false;
		strbuf_add_json_string_or_null(b, it->type);
		strbuf_adds(b, ",\"amount\":");
		add_money(b, it->amount);
		strbuf_adds(b, it->yearly ? ",\"period\":\"year\"" : ",\"period\":\"month\"");
		if (kind == ITEM_INCOME) {
			strbuf_adds(b, ",\"imputed\":");
			add_bool(b, it->imputed);
		}
		strbuf_addc(b, '}');
	}
	strbuf_addc(b, ']');
}

static void add_member(struct strbuf *b, const struct household_view *v, const struct member_view *m, bool reveal)
{
	strbuf_adds(b, "{\"person_id\":");
	strbuf_add_int(b, m->person_id);
	strbuf_adds(b, ",\"id\":");
	add_id_number(b, m->id_number, reveal);
	strbuf_adds(b, ",\"name\":");
	strbuf_add_json_string_or_null(b, m->name);
	strbuf_adds(b, ",\"relation\":");
	strbuf_add_json_string_or_null(b, m->relation);
	if (reveal) {
		strbuf_adds(b, ",\"birth_date\":");
		strbuf_add_json_string_or_null(b, m->birth_date);
		strbuf_adds(b, ",\"sex\":");
		strbuf_add_json_string_or_null(b, m->sex);
	}
	strbuf_adds(b, ",\"disability_grade\":");
	strbuf_add_int(b, m->disability_grade);
	strbuf_adds(b, ",\"disability_kind\":");
	strbuf_add_json_string_or_null(b, m->disability_kind);
	strbuf_adds(b, ",\"severe_illness\":");
	add_bool(b, m->severe_illness);
	strbuf_adds(b, ",\"labor_capacity\":");
	strbuf_add_json_string_or_null(b, m->labor);
	strbuf_adds(b, ",\"self_care\":");
	strbuf_add_json_string_or_null(b, m->self_care);
	strbuf_adds(b, ",\"in_school\":");
	add_bool(b, m->in_school);
	strbuf_adds(b, ",\"supporters\":");
	strbuf_add_json_string_or_null(b, m->supporters);
	fen_t financial = 0;
	for (size_t i = 0; i < v->n_items; i++)
		if (is_financial(&v->items[i]) && v->items[i].person_id == m->person_id)
			financial += v->items[i].amount;
	strbuf_adds(b, ",\"financial_assets\":");
	add_money(b, financial);
	strbuf_adds(b, ",\"incomes\":");
	add_items(b, v, ITEM_INCOME, m->person_id);
	strbuf_addc(b, '}');
}

static void view_render(struct strbuf *b, const struct household_view *v, bool reveal)
{
	strbuf_adds(b, "{\"id\":");
	strbuf_add_int(b, v->id);
	strbuf_adds(b, ",\"version\":");
	strbuf_add_int(b, v->version);
	strbuf_adds(b, ",\"household_no\":");
	strbuf_add_json_string_or_null(b, v->household_no);
	strbuf_adds(b, ",\"region\":");
	strbuf_add_json_string_or_null(b, v->region);
	strbuf_adds(b, ",\"area\":");
	strbuf_add_json_string_or_null(b, v->area);
	strbuf_adds(b, ",\"address\":");
	strbuf_add_json_string_or_null(b, v->address);
	strbuf_adds(b, ",\"members\":[");
	for (size_t i = 0; i < v->n_members; i++) {
		if (i)
			strbuf_addc(b, ',');
		add_member(b, v, &v->members[i], reveal);
	}
	fen_t financial = 0;
	int64_t vehicles = 0, houses = 0;
	for (size_t i = 0; i < v->n_items; i++) {
		const struct item_view *it = &v->items[i];
		if (it->kind != ITEM_ASSET || it->person_id)
			continue;
		if (strcmp(it->type, "financial") == 0)
			financial += it->amount;
		else if (strcmp(it->type, "vehicle") == 0)
			vehicles += it->quantity;
		else if (strcmp(it->type, "house") == 0)
			houses += it->quantity;
	}
	strbuf_adds(b, "],\"assets\":{\"financial\":");
	add_money(b, financial);
	strbuf_adds(b, ",\"vehicles\":");
	strbuf_add_int(b, vehicles);
	strbuf_adds(b, ",\"extra_houses\":");
	strbuf_add_int(b, houses);
	strbuf_adds(b, "},\"expenses\":");
	add_items(b, v, ITEM_EXPENSE, -1);
	strbuf_adds(b, ",\"created_at\":");
	strbuf_add_json_string_or_null(b, v->created_at);
	strbuf_adds(b, ",\"updated_at\":");
	strbuf_add_json_string_or_null(b, v->updated_at);
	strbuf_addc(b, '}');
}

static enum svc_kind not_found(struct svc_error *e)
{
	return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", NULL, "未找到该家庭");
}

/* Loads and writes the household (after an audit row when reveal). */
static enum svc_kind get_as(struct db *db, const struct principal *actor, int64_t id, bool reveal, struct strbuf *out,
			    struct svc_error *e)
{
	struct arena a;
	arena_init(&a, 8 * 1024, 16 * 1024 * 1024);
	struct household_view v;
	bool found = false;
	dd_error err;
	dd_error_clear(&err);
	enum svc_kind k = SVC_OK;
	dd_status rc = view_load(db, actor->scope, id, &a, &v, &found, &err);
	if (rc)
		k = svc_store_fail(e, db, rc, &err);
	else if (!found)
		k = not_found(e);
	if (!k && reveal) {
		char id_text[24];
		snprintf(id_text, sizeof id_text, "%" PRId64, id);
		rc = db_begin(db, &err);
		if (!rc)
			rc = audit_append_region(db, v.region, actor->username, "household.reveal", "household",
						 id_text, "{}", &err);
		if (!rc)
			rc = db_commit(db, &err);
		if (rc)
			k = svc_store_fail(e, db, rc, &err);
	}
	if (!k)
		view_render(out, &v, reveal);
	arena_release(&a);
	return k;
}

enum svc_kind registry_get(struct db *db, const struct principal *actor, int64_t id, bool reveal, struct strbuf *out,
			   struct svc_error *e)
{
	enum svc_kind k;
	if (reveal && (k = authz_household_reveal(actor, e)))
		return k;
	return get_as(db, actor, id, reveal, out, e);
}

/* --- create --- */

/* Exactly one head, and names a person can have. */
static enum svc_kind check_members(const struct household *h, struct svc_error *e)
{
	size_t heads = 0;
	for (size_t i = 0; i < h->n_members; i++) {
		const struct member *m = &h->members[i];
		char field[40];
		if (!*m->name || !svc_text_clean(m->name, REGISTRY_NAME_MAX)) {
			snprintf(field, sizeof field, "members[%zu].name", i);
			return svc_fail(e, SVC_BAD_INPUT, "BAD_NAME", field,
					"姓名不能为空，最多 %d 字节，且不能包含控制字符", REGISTRY_NAME_MAX);
		}
		if (m->relation == REL_HEAD && ++heads > 1) {
			snprintf(field, sizeof field, "members[%zu].relation", i);
			return svc_fail(e, SVC_BAD_INPUT, "TWO_HEADS", field, "一户只能有一名户主");
		}
	}
	if (heads == 0)
		return svc_fail(e, SVC_BAD_INPUT, "NO_HEAD", "members", "家庭成员中须有一名户主 (relation head)");
	return SVC_OK;
}

static enum svc_kind check_address(const char *address, struct svc_error *e)
{
	if (address && !svc_text_clean(address, REGISTRY_ADDRESS_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_ADDRESS", "address", "地址最多 %d 字节，且不能包含控制字符",
				REGISTRY_ADDRESS_MAX);
	return SVC_OK;
}

/* Is the household's county in the region table (when any county is)? */
static dd_status county_known(struct db *db, const char *region_sig, bool *known, dd_error *err)
{
	struct db_stmt *st = NULL;
	bool row = false;
	char county[7];
	snprintf(county, sizeof county, "%.6s", region_sig);
	dd_status rc = db_prepare_cached(db,
					 "SELECT (SELECT count(*) FROM regions WHERE code = $1), "
					 "(SELECT count(*) FROM (SELECT 1 FROM regions WHERE level = 3 LIMIT 1) x)",
					 &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, county);
	rc = db_step(st, &row, err);
	*known = !rc && row && (db_column_int64(st, 0) > 0 || db_column_int64(st, 1) == 0);
	db_finalize(st);
	return rc;
}

/* Inside the create's transaction: the stored person of each ID number (0 =
 * none); *active = the first member already active in a household, or
 * SIZE_MAX. */
static dd_status find_persons(struct db *db, const struct household *h, int64_t *person_ids, size_t *active,
			      dd_error *err)
{
	struct db_stmt *st = NULL;
	*active = SIZE_MAX;
	dd_status rc = db_prepare_cached(db,
					 "SELECT p.id, m.household_id FROM persons p LEFT JOIN memberships m "
					 "ON m.person_id = p.id AND m.to_date IS NULL WHERE p.id_number = $1",
					 &st, err);
	for (size_t i = 0; !rc && i < h->n_members && *active == SIZE_MAX; i++) {
		bool row = false;
		db_reset(st);
		db_bind_str(st, 1, h->members[i].id.text);
		rc = db_step(st, &row, err);
		person_ids[i] = !rc && row ? db_column_int64(st, 0) : 0;
		if (!rc && row && !db_column_is_null(st, 1))
			*active = i;
	}
	db_finalize(st);
	return rc;
}

static dd_status household_no_taken(struct db *db, const char *region_sig, const char *no, bool *taken, dd_error *err)
{
	struct db_stmt *st = NULL;
	dd_status rc =
	    db_prepare_cached(db, "SELECT 1 FROM households WHERE region_code = $1 AND household_no = $2", &st, err);
	if (rc)
		return rc;
	db_bind_str(st, 1, region_sig);
	db_bind_str(st, 2, no);
	rc = db_step(st, taken, err);
	db_finalize(st);
	return rc;
}

enum svc_kind registry_create(struct db *db, const struct principal *actor, const struct registry_new *req,
			      struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_household_write(actor, e);
	if (k)
		return k;
	if (!req->household_no)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "household_no", "缺少户编号");
	if (!*req->household_no || !svc_text_clean(req->household_no, REGISTRY_HOUSEHOLD_NO_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_HOUSEHOLD_NO", "household_no",
				"户编号不能为空，最多 %d 字节，且不能包含控制字符", REGISTRY_HOUSEHOLD_NO_MAX);
	if ((k = check_address(req->address, e)))
		return k;
	struct arena a;
	arena_init(&a, 16 * 1024, 4 * 1024 * 1024);
	struct household h;
	dd_error err;
	dd_error_clear(&err);
	dd_date today = store_today();
	int64_t *person_ids = NULL;
	/* "date" is for an assessment; without one, birth dates are checked against today */
	const struct json_value *date = json_get(req->doc, "date");
	bool dated = date && date->type != JSON_NULL;
	dd_status rc = household_read(req->doc, dated ? NULL : &today, &a, &h, &err);
	if (rc) {
		k = svc_from_status(e, rc, &err);
		goto done;
	}
	if ((k = check_members(&h, e)) || (k = authz_household_create(actor, h.region_sig, e)))
		goto done;
	person_ids = arena_calloc(&a, h.n_members, sizeof *person_ids);
	if (!person_ids) {
		k = svc_from_status(e, DD_ENOMEM, NULL);
		goto done;
	}
	bool known = false, taken = false;
	if ((rc = county_known(db, h.region_sig, &known, &err))) {
		k = svc_store_fail(e, db, rc, &err);
		goto done;
	}
	if (!known) {
		k = svc_fail(e, SVC_RULE, "REGION_UNKNOWN", "region", "区划代码所属的区县不在区划表中");
		goto done;
	}
	char now[STORE_TIME_MAX], from[DATE_TEXT_MAX];
	store_now(now);
	date_format(today, from);
	if ((rc = db_begin(db, &err)) || (rc = household_no_taken(db, h.region_sig, req->household_no, &taken, &err))) {
		k = svc_store_fail(e, db, rc, &err);
		goto done;
	}
	if (taken) {
		db_rollback(db);
		k = svc_fail(e, SVC_CONFLICT, "HOUSEHOLD_NO_TAKEN", "household_no", "该区划下已有相同户编号的家庭");
		goto done;
	}
	size_t active;
	if ((rc = find_persons(db, &h, person_ids, &active, &err))) {
		k = svc_store_fail(e, db, rc, &err);
		goto done;
	}
	if (active != SIZE_MAX) {
		db_rollback(db);
		char field[40];
		snprintf(field, sizeof field, "members[%zu].id", active);
		k = svc_fail(e, SVC_CONFLICT, "PERSON_IN_OTHER_HOUSEHOLD", field,
			     "该成员已在另一个在册家庭中，须先办理迁出");
		goto done;
	}
	struct household_entry entry = {
	    .h = &h,
	    .household_no = req->household_no,
	    .household_no_len = strlen(req->household_no),
	    .address = req->address,
	    .person_ids = person_ids,
	};
	struct household_store_options o = {
	    .actor = actor->username,
	    .action = "household.create",
	    .source = "declared",
	    .now = now,
	    .from_date = from,
	};
	rc = household_store_write(db, &entry, 1, &o, &err);
	if (!rc)
		rc = db_commit(db, &err);
	if (rc) {
		/* a concurrent writer took the number or a person between the checks and the write */
		bool conflict = db_last_fault(db) == DB_FAULT_UNIQUE;
		k = svc_store_fail(e, db, rc, &err);
		if (conflict)
			k = svc_fail(e, SVC_CONFLICT, "CONFLICT", NULL, "户编号或成员刚被其他操作登记，请刷新后重试");
		goto done;
	}
	if (req->id_out)
		*req->id_out = entry.id;
	k = get_as(db, actor, entry.id, false, out, e);
done:
	arena_release(&a);
	return k;
}

/* --- update --- */

enum svc_kind registry_update(struct db *db, const struct principal *actor, int64_t id,
			      const struct registry_change *req, struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = authz_household_write(actor, e);
	if (k)
		return k;
	if (!req->has_version)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "version", "缺少 version（读取时的版本号）");
	if (!req->set_address && !req->set_area)
		return svc_fail(e, SVC_BAD_INPUT, "NOTHING_TO_CHANGE", "$", "没有可修改的字段，可修改 address 和 area");
	if (req->set_area && (!req->area || (strcmp(req->area, "urban") != 0 && strcmp(req->area, "rural") != 0)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_AREA", "area", "area 应为 urban 或 rural");
	if (req->set_address && (k = check_address(req->address, e)))
		return k;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX], now[STORE_TIME_MAX], id_text[24];
	store_region_range(actor->scope, lo, hi);
	store_now(now);
	snprintf(id_text, sizeof id_text, "%" PRId64, id);
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st = NULL;
	bool row = false;
	char region[REGION_TEXT_MAX] = "";
	int64_t version = 0;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(db,
				       "SELECT region_code, version FROM households "
				       "WHERE id = $1 AND region_code >= $2 AND region_code < $3",
				       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_str(st, 2, lo);
		db_bind_str(st, 3, hi);
		rc = db_step(st, &row, &err);
		if (!rc && row) {
			snprintf(region, sizeof region, "%s", db_column_text(st, 0, NULL));
			version = db_column_int64(st, 1);
		}
		db_finalize(st);
	}
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row) {
		db_rollback(db);
		return not_found(e);
	}
	if (version != req->version) {
		db_rollback(db);
		return svc_fail(e, SVC_CONFLICT, "STALE_VERSION", "version",
				"该家庭已被他人修改（当前版本 %" PRId64 "），请重新读取后再提交", version);
	}
	/* CASE keeps a field that is not being set */
	rc = db_prepare_cached(db,
			       "UPDATE households SET "
			       "address = CASE WHEN $2 = 1 THEN $3 ELSE address END, "
			       "area = CASE WHEN $4 = 1 THEN $5 ELSE area END, "
			       "import_digest = NULL, updated_at = $6, version = version + 1 "
			       "WHERE id = $1 AND version = $7",
			       &st, &err);
	if (!rc) {
		db_bind_int64(st, 1, id);
		db_bind_int64(st, 2, req->set_address);
		db_bind_str(st, 3, req->address);
		db_bind_int64(st, 4, req->set_area);
		db_bind_str(st, 5, req->area);
		db_bind_str(st, 6, now);
		db_bind_int64(st, 7, version);
		rc = db_run(st, &err);
		if (!rc && db_changes(st) != 1)
			rc = dd_fail(&err, DD_EIO, "db", "更新失败 (update changed no row)");
		db_finalize(st);
	}
	if (!rc) {
		/* the names of the fields changed, never their values */
		const char *names[] = {req->set_address ? "address" : NULL, req->set_area ? "area" : NULL};
		char detail[160];
		int n = snprintf(detail, sizeof detail, "{\"version\":%" PRId64 ",\"changed\":[", version + 1);
		for (size_t i = 0, first = 1; i < sizeof names / sizeof names[0]; i++)
			if (names[i]) {
				n += snprintf(detail + n, sizeof detail - (size_t)n, "%s\"%s\"", first ? "" : ",",
					      names[i]);
				first = 0;
			}
		snprintf(detail + n, sizeof detail - (size_t)n, "]}");
		rc = audit_append_region(db, region, actor->username, "household.update", "household", id_text, detail,
					 &err);
	}
	if (!rc)
		rc = db_commit(db, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	return get_as(db, actor, id, false, out, e);
}

/* --- list and search --- */

/* The households filter after WHERE: scope, and the search. */
static void list_filter(struct sql_query *q, bool pg, const char *lo, const char *hi, enum registry_q_kind kind,
			const char *norm, const char *bound)
{
	sql_query_sql(q, "h.region_code >= ");
	sql_query_text(q, lo);
	sql_query_sql(q, " AND h.region_code < ");
	sql_query_text(q, hi);
	switch (kind) {
	case REGISTRY_Q_NAME:
		/* the persons_name index (schema/004), in byte order */
		sql_query_sql(q, pg ? " AND h.id IN (SELECT m.household_id FROM persons p JOIN memberships m "
				      "ON m.person_id = p.id AND m.to_date IS NULL WHERE p.name COLLATE \"C\" >= "
				    : " AND h.id IN (SELECT m.household_id FROM persons p JOIN memberships m "
				      "ON m.person_id = p.id AND m.to_date IS NULL WHERE p.name >= ");
		sql_query_text(q, norm);
		sql_query_sql(q, pg ? " AND p.name COLLATE \"C\" < " : " AND p.name < ");
		sql_query_text(q, bound);
		sql_query_sql(q, ")");
		break;
	case REGISTRY_Q_ID:
		sql_query_sql(q, " AND h.id IN (SELECT m.household_id FROM persons p JOIN memberships m "
				 "ON m.person_id = p.id AND m.to_date IS NULL WHERE p.id_number = ");
		sql_query_text(q, norm);
		sql_query_sql(q, ")");
		break;
	case REGISTRY_Q_ID_TAIL:
		/* no index: the active members inside the scope (memberships_region) */
		sql_query_sql(q, " AND h.id IN (SELECT m.household_id FROM memberships m JOIN persons p "
				 "ON p.id = m.person_id WHERE m.to_date IS NULL AND m.region_code >= ");
		sql_query_text(q, lo);
		sql_query_sql(q, " AND m.region_code < ");
		sql_query_text(q, hi);
		sql_query_sql(q, " AND substr(p.id_number, 19 - length(");
		sql_query_text(q, norm);
		sql_query_sql(q, ")) = ");
		sql_query_text(q, norm);
		sql_query_sql(q, ")");
		break;
	case REGISTRY_Q_NONE:
	case REGISTRY_Q_BAD:
		break;
	}
}

static dd_status list_count(struct db *db, bool pg, const char *lo, const char *hi, enum registry_q_kind kind,
			    const char *norm, const char *bound, int64_t *total, dd_error *err)
{
	struct sql_query q;
	sql_query_init(&q);
	sql_query_sql(&q, "SELECT count(*) FROM households h WHERE ");
	list_filter(&q, pg, lo, hi, kind, norm, bound);
	dd_status rc = sql_query_int64(db, &q, total, err);
	sql_query_release(&q);
	return rc;
}

static dd_status list_page(struct db *db, bool pg, const char *lo, const char *hi, enum registry_q_kind kind,
			   const char *norm, const char *bound, const struct registry_list_query *lq,
			   struct strbuf *out, dd_error *err)
{
	struct sql_query q;
	sql_query_init(&q);
	sql_query_sql(&q, "SELECT h.id, h.region_code, h.household_no, h.area, h.version, p.name, p.id_number, "
			  "m.relation FROM (SELECT h.id, h.region_code, h.household_no, h.area, h.version "
			  "FROM households h WHERE ");
	list_filter(&q, pg, lo, hi, kind, norm, bound);
	sql_query_sql(&q, " ORDER BY h.region_code, h.household_no LIMIT ");
	sql_query_int(&q, lq->per_page);
	sql_query_sql(&q, " OFFSET ");
	sql_query_int(&q, (lq->page - 1) * lq->per_page);
	sql_query_sql(&q, ") h LEFT JOIN memberships m ON m.household_id = h.id AND m.to_date IS NULL "
			  "LEFT JOIN persons p ON p.id = m.person_id ORDER BY h.region_code, h.household_no, m.id");
	struct db_stmt *st = NULL;
	bool row = false;
	int64_t last = 0;
	dd_status rc = sql_query_prepare(db, &q, &st, err);
	while (!rc && !(rc = db_step(st, &row, err)) && row) {
		int64_t id = db_column_int64(st, 0);
		if (id != last) {
			strbuf_adds(out, last ? "]},{\"id\":" : "{\"id\":");
			strbuf_add_int(out, id);
			strbuf_adds(out, ",\"version\":");
			strbuf_add_int(out, db_column_int64(st, 4));
			strbuf_adds(out, ",\"household_no\":");
			strbuf_add_json_string_or_null(out, db_column_text(st, 2, NULL));
			strbuf_adds(out, ",\"region\":");
			strbuf_add_json_string_or_null(out, db_column_text(st, 1, NULL));
			strbuf_adds(out, ",\"area\":");
			strbuf_add_json_string_or_null(out, db_column_text(st, 3, NULL));
			strbuf_adds(out, ",\"members\":[");
		}
		if (!db_column_is_null(st, 6)) { /* NULL: a household with no active member */
			strbuf_adds(out, id == last ? ",{\"name\":" : "{\"name\":");
			strbuf_add_json_string_or_null(out, db_column_text(st, 5, NULL));
			strbuf_adds(out, ",\"id\":");
			add_id_number(out, db_column_text(st, 6, NULL), false);
			strbuf_adds(out, ",\"relation\":");
			strbuf_add_json_string_or_null(out, db_column_text(st, 7, NULL));
			strbuf_addc(out, '}');
		}
		last = id;
	}
	if (last)
		strbuf_adds(out, "]}");
	db_finalize(st);
	sql_query_release(&q);
	return rc;
}

enum svc_kind registry_list(struct db *db, const struct principal *actor, const struct registry_list_query *lq,
			    struct strbuf *out, struct svc_error *e)
{
	enum svc_kind k = svc_page_check(lq->page, lq->per_page, REGISTRY_PER_PAGE_MAX, e);
	if (k)
		return k;
	char scope[REGION_TEXT_MAX], norm[REGISTRY_Q_MAX + 1], bound[REGISTRY_NAME_BOUND_MAX];
	bool visible = true;
	snprintf(scope, sizeof scope, "%s", actor->scope);
	if (lq->region && *lq->region) {
		char sig[REGION_TEXT_MAX];
		dd_error perr;
		if (region_parse(lq->region, strlen(lq->region), 6, sig, &perr) != DD_OK)
			return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码应为 6-12 位数字");
		visible = authz_scope_narrow(actor, sig, scope);
	}
	enum registry_q_kind kind = registry_q_kind(lq->q ? lq->q : "", norm);
	if (kind == REGISTRY_Q_BAD)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_QUERY", "q",
				"搜索内容应为姓名（开头部分）、18 位身份证号或身份证号后 4-6 位");
	if (kind == REGISTRY_Q_ID_TAIL && region_level(scope) < 3)
		return svc_fail(e, SVC_BAD_INPUT, "SCOPE_TOO_WIDE", "q",
				"按身份证号后 4-6 位搜索时，请先用 region 选定区县或更小的范围");
	registry_name_bound(norm, bound);
	strbuf_adds(out, "{\"items\":[");
	int64_t total = 0;
	if (visible) {
		char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
		store_region_range(scope, lo, hi);
		bool pg = db_backend(db) == DB_POSTGRES;
		dd_error err;
		dd_error_clear(&err);
		dd_status rc = db_begin_read(db, &err);
		if (!rc)
			rc = list_page(db, pg, lo, hi, kind, norm, bound, lq, out, &err);
		if (!rc)
			rc = list_count(db, pg, lo, hi, kind, norm, bound, &total, &err);
		db_rollback(db);
		if (rc)
			return svc_store_fail(e, db, rc, &err);
	}
	strbuf_addf(out, "],\"total\":%" PRId64 ",\"page\":%" PRId64 ",\"per_page\":%" PRId64 "}", total, lq->page,
		    lq->per_page);
	return SVC_OK;
}

enum svc_kind registry_household_region(struct db *db, const struct principal *actor, int64_t id,
					char region[REGION_TEXT_MAX], struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	region[0] = '\0';
	dd_status rc = db_prepare_cached(db, "SELECT region_code FROM households WHERE id = $1", &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_int64(st, 1, id);
	rc = db_step(st, &row, &err);
	if (!rc && row) {
		const char *r = db_column_text(st, 0, NULL);
		snprintf(region, REGION_TEXT_MAX, "%s", r ? r : "");
	}
	db_finalize(st);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	if (!row || !authz_in_scope(actor, region))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "household_id", "家庭不存在或不在您的辖区内");
	return SVC_OK;
}
