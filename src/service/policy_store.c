/* policy_store.c - the file's policy with the store's entries merged over
 * it, swapped in whole under a lock and reference-counted per request. */
#include "policy_store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

/* A merged policy and the requests holding it (plus one for the store
 * while it is the current one). pol first: a policy pointer is a holder's. */
struct holder {
	struct policy pol;
	int refs;
};

struct policy_store {
	pthread_mutex_t mu;	   /* cur and the reference counts */
	pthread_mutex_t reload_mu; /* one reload (or add) at a time */
	char *file;
	size_t n;
	struct holder *cur;
};

static void unref(struct holder *h)
{
	if (h && --h->refs == 0) {
		policy_release(&h->pol);
		free(h);
	}
}

const struct policy *policy_store_acquire(struct policy_store *ps)
{
	pthread_mutex_lock(&ps->mu);
	struct holder *h = ps->cur;
	h->refs++;
	pthread_mutex_unlock(&ps->mu);
	return &h->pol;
}

void policy_store_release(struct policy_store *ps, const struct policy *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&ps->mu);
	unref((struct holder *)(void *)p);
	pthread_mutex_unlock(&ps->mu);
}

static void swap_in(struct policy_store *ps, struct holder *h)
{
	pthread_mutex_lock(&ps->mu);
	struct holder *old = ps->cur;
	ps->cur = h;
	unref(old);
	pthread_mutex_unlock(&ps->mu);
}

/* The store's entries as a policy document, oldest first. */
static dd_status store_doc(struct db *db, struct strbuf *doc, dd_error *err)
{
	struct db_stmt *st;
	bool row = false;
	dd_status rc =
	    db_prepare_cached(db,
			      "SELECT p.name, p.region_code, p.effective_from, p.value, p.kind, p.source, "
			      "p.note, p.demo, u.username, p.created_at FROM policy_params p LEFT JOIN users u "
			      "ON u.id = p.created_by ORDER BY p.id",
			      &st, err);
	if (rc)
		return rc;
	strbuf_adds(doc, "{\"parameters\":[");
	for (int n = 0; !(rc = db_step(st, &row, err)) && row; n++) {
		static const char *const keys[] = {"name", "region", "from", NULL, "kind", "source", "note"};
		strbuf_adds(doc, n ? ",{" : "{");
		for (int i = 0; i < 7; i++) {
			if (i == 3) {
				const char *v = db_column_text(st, 3, NULL);
				strbuf_adds(doc, ",\"value\":");
				strbuf_adds(doc, v && *v ? v : "null");
				continue;
			}
			const char *t = db_column_text(st, i, NULL);
			if (i > 0 && !t)
				continue;
			strbuf_addf(doc, "%s\"%s\":", i ? "," : "", keys[i]);
			strbuf_add_json_string_or_null(doc, t ? t : "");
		}
		strbuf_addf(doc, ",\"demo\":%s,\"created_by\":", db_column_int64(st, 7) == 1 ? "true" : "false");
		strbuf_add_json_string_or_null(doc, db_column_text(st, 8, NULL));
		strbuf_adds(doc, ",\"created_at\":");
		strbuf_add_json_string_or_null(doc, db_column_text(st, 9, NULL));
		strbuf_addc(doc, '}');
	}
	db_finalize(st);
	strbuf_adds(doc, "]}");
	if (!rc && doc->failed)
		rc = dd_fail(err, DD_ENOMEM, "policy", "内存不足 (out of memory)");
	return rc;
}

/* Builds a merged policy from the file and the store (db NULL: the file). */
static enum svc_kind build(struct policy_store *ps, struct db *db, struct holder **out, struct svc_error *e)
{
	struct strbuf doc;
	strbuf_init(&doc, 4096);
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db ? store_doc(db, &doc, &err) : DD_OK;
	if (rc) {
		strbuf_release(&doc);
		return svc_store_fail(e, db, rc, &err);
	}
	struct holder *h = calloc(1, sizeof *h);
	if (!h) {
		strbuf_release(&doc);
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足");
	}
	rc = policy_load_merged(&h->pol, ps->file, ps->n, db ? doc.buf : NULL, db ? doc.len : 0, &err);
	strbuf_release(&doc);
	if (rc) {
		free(h);
		return svc_fail(e, rc == DD_ENOMEM ? SVC_INTERNAL : SVC_BAD_INPUT, "BAD_POLICY", err.field,
				"政策参数无法加载：%s", err.message);
	}
	h->refs = 1;
	*out = h;
	return SVC_OK;
}

enum svc_kind policy_store_open(struct policy_store **out, const char *file, size_t n, struct db *db,
				struct svc_error *e)
{
	*out = NULL;
	struct policy_store *ps = calloc(1, sizeof *ps);
	if (!ps || !(ps->file = malloc(n ? n : 1))) {
		free(ps);
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足");
	}
	memcpy(ps->file, file, n);
	ps->n = n;
	pthread_mutex_init(&ps->mu, NULL);
	pthread_mutex_init(&ps->reload_mu, NULL);
	struct holder *h;
	enum svc_kind k = SVC_OK;
	if (db) {
		dd_error err;
		dd_error_clear(&err);
		dd_status rc = db_begin_read(db, &err);
		if (rc)
			k = svc_store_fail(e, db, rc, &err);
		if (!k)
			k = build(ps, db, &h, e);
		db_rollback(db);
	} else {
		k = build(ps, NULL, &h, e);
	}
	if (k) {
		policy_store_close(ps);
		return k;
	}
	ps->cur = h;
	*out = ps;
	return SVC_OK;
}

void policy_store_close(struct policy_store *ps)
{
	if (!ps)
		return;
	unref(ps->cur);
	pthread_mutex_destroy(&ps->mu);
	pthread_mutex_destroy(&ps->reload_mu);
	free(ps->file);
	free(ps);
}

enum svc_kind policy_store_reload(struct policy_store *ps, struct db *db, struct svc_error *e)
{
	pthread_mutex_lock(&ps->reload_mu);
	struct holder *h = NULL;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_begin_read(db, &err);
	enum svc_kind k = rc ? svc_store_fail(e, db, rc, &err) : build(ps, db, &h, e);
	db_rollback(db);
	if (!k)
		swap_in(ps, h);
	pthread_mutex_unlock(&ps->reload_mu);
	return k;
}

void policy_value_json(struct strbuf *b, const struct policy_value *v)
{
	char t[64];
	switch (v->kind) {
	case POLICY_MONEY:
		money_format(v->i, t);
		strbuf_addf(b, "\"%s\"", t);
		return;
	case POLICY_RATIO:
		ratio_format(v->ratio, t, sizeof t);
		strbuf_addf(b, "\"%s\"", t);
		return;
	case POLICY_INTEGER:
		strbuf_add_int(b, v->i);
		return;
	case POLICY_BOOLEAN:
		strbuf_adds(b, v->i ? "true" : "false");
		return;
	case POLICY_CODE:
		strbuf_add_json_string_or_null(b, v->text ? v->text : "");
		return;
	case POLICY_LIST:
		strbuf_addc(b, '[');
		for (size_t i = 0; i < v->n_items; i++) {
			if (i)
				strbuf_addc(b, ',');
			if (v->items[i].is_int)
				strbuf_add_int(b, v->items[i].i);
			else
				strbuf_add_json_string_or_null(b, v->items[i].s ? v->items[i].s : "");
		}
		strbuf_addc(b, ']');
		return;
	}
	strbuf_adds(b, "null");
}

void policy_value_text(struct strbuf *b, const struct policy_value *v)
{
	struct strbuf t;
	strbuf_init(&t, 64);
	char m[64];
	switch (v->kind) {
	case POLICY_MONEY:
		money_format(v->i, m);
		strbuf_adds(&t, m);
		strbuf_adds(&t, " 元");
		break;
	case POLICY_RATIO:
		ratio_format(v->ratio, m, sizeof m);
		strbuf_adds(&t, m);
		break;
	case POLICY_INTEGER:
		strbuf_add_int(&t, v->i);
		break;
	case POLICY_BOOLEAN:
		strbuf_adds(&t, v->i ? "是" : "否");
		break;
	case POLICY_CODE:
		strbuf_adds(&t, v->text ? v->text : "");
		break;
	case POLICY_LIST:
		for (size_t i = 0; i < v->n_items; i++) {
			if (i)
				strbuf_adds(&t, "、");
			if (v->items[i].is_int)
				strbuf_add_int(&t, v->items[i].i);
			else
				strbuf_adds(&t, v->items[i].s ? v->items[i].s : "");
		}
		break;
	}
	if (t.failed)
		b->failed = true;
	else
		strbuf_add_json_string(b, t.buf ? t.buf : "", t.len);
	strbuf_release(&t);
}

/* The members of an entry, after "{": region, from, value, value_text,
 * demo, unconfirmed, source, note, origin, created_by, created_at. */
static void entry_members(struct strbuf *b, const struct policy_entry *x)
{
	char d[DATE_TEXT_MAX];
	date_format(x->from, d);
	strbuf_adds(b, "\"region\":");
	strbuf_add_json_string_or_null(b, x->region);
	strbuf_addf(b, ",\"from\":\"%s\",\"value\":", d);
	policy_value_json(b, &x->value);
	strbuf_adds(b, ",\"value_text\":");
	policy_value_text(b, &x->value);
	strbuf_addf(b, ",\"demo\":%s,\"unconfirmed\":%s,\"source\":", x->demo ? "true" : "false",
		    x->unconfirmed ? "true" : "false");
	strbuf_add_json_string_or_null(b, x->source);
	strbuf_adds(b, ",\"note\":");
	strbuf_add_json_string_or_null(b, x->note);
	strbuf_addf(b, ",\"origin\":\"%s\",\"created_by\":", x->stored ? "store" : "file");
	strbuf_add_json_string_or_null(b, x->created_by);
	strbuf_adds(b, ",\"created_at\":");
	strbuf_add_json_string_or_null(b, x->created_at);
}

/* The label of a name: that of any of its entries (the file's), or NULL. */
static const char *label_of(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->entries[i].label && strcmp(p->entries[i].name, name) == 0)
			return p->entries[i].label;
	return NULL;
}

/* A region the caller may read the values of: in its scope or above it. */
static bool visible(const struct principal *p, const char *sig)
{
	return p->role != ROLE_NONE && (authz_in_scope(p, sig) || region_covers(sig, p->scope));
}

/* The region of a request: NULL or "" the caller's, "000000" national. */
static enum svc_kind parse_region(const struct principal *actor, const char *region, char sig[REGION_TEXT_MAX],
				  struct svc_error *e)
{
	if (!region || !*region) {
		snprintf(sig, REGION_TEXT_MAX, "%s", actor->scope);
		return SVC_OK;
	}
	size_t n = strlen(region);
	if (n < 2 || n > REGION_MAX || region_parse(region, n, 2, sig, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码应为 2-12 位数字");
	if (!visible(actor, sig))
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "region", "地区不在您的辖区内");
	return SVC_OK;
}

enum svc_kind policy_store_in_force(struct policy_store *ps, const struct principal *actor, const char *region,
				    dd_date date, struct strbuf *out, struct svc_error *e)
{
	char sig[REGION_TEXT_MAX], d[DATE_TEXT_MAX];
	enum svc_kind k = parse_region(actor, region, sig, e);
	if (k)
		return k;
	date_format(date, d);
	const struct policy *p = policy_store_acquire(ps);
	strbuf_adds(out, "{\"region\":");
	strbuf_add_json_string_or_null(out, sig);
	strbuf_addf(out, ",\"date\":\"%s\",\"items\":[", d);
	struct strbuf demo;
	strbuf_init(&demo, 128);
	int n = 0, nd = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (i && strcmp(p->entries[i - 1].name, p->entries[i].name) == 0)
			continue;
		const struct policy_entry *x = policy_lookup(p, p->entries[i].name, sig, date);
		if (!x)
			continue;
		strbuf_adds(out, n++ ? ",{\"name\":" : "{\"name\":");
		strbuf_add_json_string_or_null(out, x->name);
		strbuf_adds(out, ",\"label\":");
		strbuf_add_json_string_or_null(out, label_of(p, x->name));
		strbuf_addf(out, ",\"kind\":\"%s\",", policy_kind_name(x->value.kind));
		entry_members(out, x);
		strbuf_addc(out, '}');
		if (x->demo) {
			if (nd++)
				strbuf_addc(&demo, ',');
			strbuf_add_json_string_or_null(&demo, x->name);
		}
	}
	strbuf_adds(out, "],\"demo_in_force\":[");
	if (demo.failed)
		out->failed = true;
	else if (demo.len)
		strbuf_add(out, demo.buf, demo.len);
	strbuf_adds(out, "]}");
	strbuf_release(&demo);
	policy_store_release(ps, p);
	return SVC_OK;
}

enum svc_kind policy_store_entries(struct policy_store *ps, const struct principal *actor, const char *name,
				   const char *region, struct strbuf *out, struct svc_error *e)
{
	char sig[REGION_TEXT_MAX];
	enum svc_kind k = parse_region(actor, region, sig, e);
	if (k)
		return k;
	const struct policy *p = policy_store_acquire(ps);
	int n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct policy_entry *x = &p->entries[i];
		if (strcmp(x->name, name) != 0)
			continue;
		if (!n) {
			strbuf_adds(out, "{\"name\":");
			strbuf_add_json_string_or_null(out, x->name);
			strbuf_adds(out, ",\"label\":");
			strbuf_add_json_string_or_null(out, label_of(p, x->name));
			strbuf_addf(out, ",\"kind\":\"%s\",\"region\":", policy_kind_name(x->value.kind));
			strbuf_add_json_string_or_null(out, sig);
			strbuf_adds(out, ",\"entries\":[");
		}
		n++;
		/* those that apply to the region, and those inside it the caller sees */
		if (!region_covers(x->region, sig) && !(region_covers(sig, x->region) && visible(actor, x->region)))
			continue;
		strbuf_adds(out, out->buf[out->len - 1] == '[' ? "{" : ",{");
		entry_members(out, x);
		strbuf_addc(out, '}');
	}
	policy_store_release(ps, p);
	if (!n)
		return svc_fail(e, SVC_NOT_FOUND, "NOT_FOUND", "name", "没有这个政策参数");
	strbuf_adds(out, "]}");
	return SVC_OK;
}

/* The single entry checked by the parser (kind given): field of its error. */
static enum svc_kind check_entry(const char *name, const char *region_sig, const char *from, const char *value_json,
				 enum policy_kind kind, struct svc_error *e)
{
	struct strbuf doc;
	strbuf_init(&doc, 256);
	strbuf_adds(&doc, "{\"parameters\":[{\"name\":");
	strbuf_add_json_string_or_null(&doc, name);
	strbuf_adds(&doc, ",\"region\":");
	strbuf_add_json_string_or_null(&doc, region_sig);
	strbuf_adds(&doc, ",\"from\":");
	strbuf_add_json_string_or_null(&doc, from);
	strbuf_addf(&doc, ",\"value\":%s,\"kind\":\"%s\"}]}", value_json, policy_kind_name(kind));
	struct policy p;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = doc.failed ? DD_ENOMEM : policy_load(&p, doc.buf, doc.len, &err);
	strbuf_release(&doc);
	if (rc == DD_ENOMEM)
		return svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足");
	if (rc) {
		const char *f = strncmp(err.field, "parameters[0].", 14) == 0 ? err.field + 14 : err.field;
		return svc_fail(e, SVC_BAD_INPUT, "BAD_VALUE", f[0] ? f : "value", "%s", err.message);
	}
	policy_release(&p);
	return SVC_OK;
}

static enum svc_kind check_new(const struct policy *cur, const struct principal *actor, dd_date today,
			       const struct policy_entry_new *req, char sig[REGION_TEXT_MAX], dd_date *from,
			       enum policy_kind *kind, struct svc_error *e)
{
	if (actor->role != ROLE_ADMIN && actor->role != ROLE_COUNTY)
		return svc_fail(e, SVC_FORBIDDEN, "ROLE_NOT_ALLOWED", NULL, "仅系统管理员和区县民政局可以设置政策参数");
	if (!req->name || !*req->name)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "name", "缺少参数名");
	bool known = false;
	for (size_t i = 0; i < cur->n && !known; i++)
		if (strcmp(cur->entries[i].name, req->name) == 0) {
			known = true;
			*kind = cur->entries[i].value.kind;
		}
	if (!known)
		return svc_fail(e, SVC_BAD_INPUT, "UNKNOWN_PARAMETER", "name", "没有这个政策参数");
	if (!req->region)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "region", "缺少地区代码（全国为 \"\"）");
	size_t rn = strlen(req->region);
	sig[0] = '\0';
	if (rn && (rn < 2 || rn > REGION_MAX || region_parse(req->region, rn, 2, sig, NULL) != DD_OK))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_REGION", "region", "地区代码应为 2-12 位数字，全国为 \"\"");
	if (!req->from)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "from", "缺少生效日期");
	if (date_parse(req->from, strlen(req->from), from, NULL) != DD_OK)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "from", "生效日期应为 YYYY-MM-DD");
	if (!req->value || req->value->type == JSON_NULL)
		return svc_fail(e, SVC_BAD_INPUT, "MISSING_FIELD", "value", "缺少参数值");
	if (req->note && !svc_text_clean(req->note, POLICY_NOTE_MAX))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_NOTE", "note", "说明最多 %d 字节，且不能包含控制字符",
				POLICY_NOTE_MAX);
	if (actor->role == ROLE_COUNTY) {
		if (strcmp(sig, actor->scope) != 0 || region_level(sig) != 3)
			return svc_fail(e, SVC_FORBIDDEN, "REGION_OUT_OF_SCOPE", "region",
					"区县民政局只能设置本区县的政策参数");
		if (*from < today)
			return svc_fail(e, SVC_RULE, "FROM_IN_PAST", "from", "区县设置的参数只能从今天或以后生效");
	}
	return SVC_OK;
}

enum svc_kind policy_store_add(struct policy_store *ps, struct db *db, const struct principal *actor, dd_date today,
			       const struct policy_entry_new *req, struct strbuf *out, struct svc_error *e)
{
	char sig[REGION_TEXT_MAX], from_text[DATE_TEXT_MAX], now[STORE_TIME_MAX];
	dd_date from = 0;
	enum policy_kind kind = POLICY_CODE;
	pthread_mutex_lock(&ps->reload_mu);
	const struct policy *cur = policy_store_acquire(ps);
	enum svc_kind k = check_new(cur, actor, today, req, sig, &from, &kind, e);
	policy_store_release(ps, cur);
	struct strbuf value;
	strbuf_init(&value, 64);
	if (!k) {
		json_write(&value, req->value);
		date_format(from, from_text);
		k = value.failed ? svc_fail(e, SVC_INTERNAL, "INTERNAL", NULL, "内存不足")
				 : check_entry(req->name, sig, from_text, value.buf, kind, e);
	}
	if (k) {
		strbuf_release(&value);
		pthread_mutex_unlock(&ps->reload_mu);
		return k;
	}
	store_now(now);
	dd_error err;
	dd_error_clear(&err);
	int64_t id = 0;
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_begin(db, &err);
	if (!rc)
		rc = db_prepare_cached(
		    db,
		    "INSERT INTO policy_params (name, region_code, effective_from, value, kind, note, "
		    "demo, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) "
		    "RETURNING id",
		    &st, &err);
	if (!rc) {
		db_bind_str(st, 1, req->name);
		db_bind_str(st, 2, sig);
		db_bind_str(st, 3, from_text);
		db_bind_str(st, 4, value.buf);
		db_bind_str(st, 5, policy_kind_name(kind));
		db_bind_str(st, 6, req->note && *req->note ? req->note : NULL);
		db_bind_int64(st, 7, actor->id);
		db_bind_str(st, 8, now);
		rc = db_step(st, &row, &err);
		if (!rc && row)
			id = db_column_int64(st, 0);
		while (!rc && row)
			rc = db_step(st, &row, &err);
		db_finalize(st);
	}
	if (rc && db_last_fault(db) == DB_FAULT_UNIQUE) {
		db_rollback(db);
		strbuf_release(&value);
		pthread_mutex_unlock(&ps->reload_mu);
		return svc_fail(e, SVC_CONFLICT, "ENTRY_EXISTS", "from",
				"该参数在此地区、此生效日期已有数据库中的值，请换一个生效日期");
	}
	if (!rc) {
		struct strbuf d;
		strbuf_init(&d, 256);
		char id_text[24], full[REGION_TEXT_MAX] = "";
		snprintf(id_text, sizeof id_text, "%lld", (long long)id);
		if (sig[0])
			region_full_code(sig, full);
		strbuf_adds(&d, "{\"name\":");
		strbuf_add_json_string_or_null(&d, req->name);
		strbuf_adds(&d, ",\"region\":");
		strbuf_add_json_string_or_null(&d, sig);
		strbuf_addf(&d, ",\"from\":\"%s\",\"value\":%s}", from_text, value.buf);
		rc = d.failed ? dd_fail(&err, DD_ENOMEM, "db", "内存不足 (out of memory)")
			      : audit_append_region(db, full, actor->username, "policy.set", "policy_param", id_text,
						    d.buf, &err);
		strbuf_release(&d);
	}
	strbuf_release(&value);
	/* the new merged policy, from the store as this transaction sees it */
	struct holder *h = NULL;
	if (rc) {
		k = svc_store_fail(e, db, rc, &err);
	} else if ((k = build(ps, db, &h, e))) {
		db_rollback(db);
	} else if ((rc = db_commit(db, &err))) {
		k = svc_store_fail(e, db, rc, &err);
		unref(h);
	} else {
		swap_in(ps, h);
	}
	if (!k) {
		const struct policy *p = policy_store_acquire(ps);
		for (size_t i = 0; i < p->n; i++) {
			const struct policy_entry *x = &p->entries[i];
			if (x->stored && x->from == from && strcmp(x->name, req->name) == 0 &&
			    strcmp(x->region, sig) == 0) {
				strbuf_addf(out, "{\"id\":%lld,\"name\":", (long long)id);
				strbuf_add_json_string_or_null(out, x->name);
				strbuf_addf(out, ",\"kind\":\"%s\",", policy_kind_name(x->value.kind));
				entry_members(out, x);
				strbuf_addc(out, '}');
				break;
			}
		}
		policy_store_release(ps, p);
	}
	pthread_mutex_unlock(&ps->reload_mu);
	return k;
}
