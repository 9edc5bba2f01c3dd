/* household_store.c - whole households into the store (household_store.h). */
#include "household_store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/import_row.h"
#include "core/strbuf.h"
#include "store/audit.h"
#include "store/db.h"

static dd_status oom(dd_error *err)
{
	return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
}

/* Ends a bulk insert: finished when rc is DD_OK, abandoned otherwise. */
static dd_status bulk_end(struct db_bulk *b, dd_status rc, dd_error *err)
{
	if (!b)
		return rc;
	if (rc) {
		db_bulk_abort(b);
		return rc;
	}
	return db_bulk_finish(b, NULL, err);
}

static const char *kind_code(enum disability_kind k)
{
	return k == DIS_NONE ? NULL : import_code(IMPORT_COL_DISABILITY_KIND, k);
}

/* Ids for the households and the new persons (person_ids 0). */
static dd_status reserve(struct db *db, struct household_entry *hh, size_t n, dd_error *err)
{
	size_t n_new = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < hh[i].h->n_members; j++)
			n_new += !hh[i].person_ids[j];
	int64_t *ids = malloc((n + n_new) * sizeof *ids);
	if (!ids)
		return oom(err);
	dd_status rc = db_reserve_ids(db, "households", (int64_t)n, ids, err);
	if (!rc && n_new)
		rc = db_reserve_ids(db, "persons", (int64_t)n_new, ids + n, err);
	for (size_t i = 0, f = n; !rc && i < n; i++) {
		hh[i].id = ids[i];
		for (size_t j = 0; j < hh[i].h->n_members; j++)
			if (!hh[i].person_ids[j])
				hh[i].person_ids[j] = -ids[f++]; /* negative: new, until inserted */
	}
	free(ids);
	return rc;
}

/* A person already stored: its facts as now declared, its earlier imported
 * incomes removed (the new ones replace them). */
static dd_status person_update(struct db *db, int64_t id, const struct household *h, const struct member *m,
			       const char *now, dd_error *err)
{
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(db,
					 "UPDATE persons SET name = $2, region_code = $3, disability_grade = $4, "
					 "disability_kind = $5, severe_illness = $6, labor_capacity = $7, self_care = $8, "
					 "in_school = $9, supporters = $10, updated_at = $11, version = version + 1 "
					 "WHERE id = $1",
					 &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	db_bind_str(st, 2, m->name);
	db_bind_str(st, 3, h->region_sig);
	db_bind_int64(st, 4, m->disability_grade);
	db_bind_str(st, 5, kind_code(m->disability_kind));
	db_bind_int64(st, 6, m->severe_illness);
	db_bind_str(st, 7, import_code(IMPORT_COL_LABOR_CAPACITY, m->labor_capacity));
	db_bind_str(st, 8, import_code(IMPORT_COL_SELF_CARE, m->self_care));
	db_bind_int64(st, 9, m->in_school);
	db_bind_str(st, 10, import_code(IMPORT_COL_SUPPORTERS, m->supporters));
	db_bind_str(st, 11, now);
	rc = db_run(st, err);
	db_finalize(st);
	if (rc)
		return rc;
	rc = db_prepare_cached(db, "DELETE FROM incomes WHERE person_id = $1 AND source = 'import'", &st, err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	rc = db_run(st, err);
	db_finalize(st);
	return rc;
}

static dd_status write_households(struct db *db, const struct household_entry *hh, size_t n,
				  const struct household_store_options *o, dd_error *err)
{
	static const char *const cols[] = {"id",	    "region_code", "household_no", "area",
					   "address",	    "import_digest", "created_at",  "updated_at"};
	struct db_bulk *b = NULL;
	dd_status rc = db_bulk_begin(db, "households", cols, 8, &b, err);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct household_entry *e = &hh[i];
		db_bulk_int64(b, e->id);
		db_bulk_str(b, e->h->region_sig);
		db_bulk_text(b, e->household_no, e->household_no_len);
		db_bulk_str(b, area_code(e->h->area));
		db_bulk_str(b, e->address);
		db_bulk_str(b, e->import_digest);
		db_bulk_str(b, o->now);
		db_bulk_str(b, o->now);
		rc = db_bulk_row_end(b, err);
	}
	return bulk_end(b, rc, err);
}

/* New persons (negative ids from reserve) are inserted, and their ids made
 * positive; stored ones are updated. */
static dd_status write_persons(struct db *db, struct household_entry *hh, size_t n,
			       const struct household_store_options *o, dd_error *err)
{
	static const char *const cols[] = {"id",	     "id_number",      "name",	    "birth_date", "sex",
					   "region_code",    "disability_grade", "disability_kind", "severe_illness",
					   "labor_capacity", "self_care",	 "in_school",	    "supporters",
					   "created_at",     "updated_at"};
	struct db_bulk *b = NULL;
	dd_status rc = DD_OK;
	/* the updates first: no other statement may run during a bulk insert */
	for (size_t i = 0; !rc && i < n; i++)
		for (size_t j = 0; !rc && j < hh[i].h->n_members; j++)
			if (hh[i].person_ids[j] > 0)
				rc = person_update(db, hh[i].person_ids[j], hh[i].h, &hh[i].h->members[j], o->now, err);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct household *h = hh[i].h;
		for (size_t j = 0; !rc && j < h->n_members; j++) {
			if (hh[i].person_ids[j] > 0)
				continue;
			if (!b && (rc = db_bulk_begin(db, "persons", cols, 15, &b, err)))
				break;
			const struct member *m = &h->members[j];
			char birth[DATE_TEXT_MAX];
			date_format(m->id.birth, birth);
			hh[i].person_ids[j] = -hh[i].person_ids[j];
			db_bulk_int64(b, hh[i].person_ids[j]);
			db_bulk_str(b, m->id.text);
			db_bulk_str(b, m->name);
			db_bulk_str(b, birth);
			db_bulk_str(b, m->id.male ? "male" : "female");
			db_bulk_str(b, h->region_sig);
			db_bulk_int64(b, m->disability_grade);
			db_bulk_str(b, kind_code(m->disability_kind));
			db_bulk_int64(b, m->severe_illness);
			db_bulk_str(b, import_code(IMPORT_COL_LABOR_CAPACITY, m->labor_capacity));
			db_bulk_str(b, import_code(IMPORT_COL_SELF_CARE, m->self_care));
			db_bulk_int64(b, m->in_school);
			db_bulk_str(b, import_code(IMPORT_COL_SUPPORTERS, m->supporters));
			db_bulk_str(b, o->now);
			db_bulk_str(b, o->now);
			rc = db_bulk_row_end(b, err);
		}
	}
	return bulk_end(b, rc, err);
}

static dd_status write_memberships(struct db *db, const struct household_entry *hh, size_t n,
				   const struct household_store_options *o, dd_error *err)
{
	static const char *const cols[] = {"household_id", "person_id", "region_code",
					   "relation",	   "from_date", "created_at"};
	struct db_bulk *b = NULL;
	dd_status rc = db_bulk_begin(db, "memberships", cols, 6, &b, err);
	for (size_t i = 0; !rc && i < n; i++) {
		const struct household *h = hh[i].h;
		for (size_t j = 0; !rc && j < h->n_members; j++) {
			db_bulk_int64(b, hh[i].id);
			db_bulk_int64(b, hh[i].person_ids[j]);
			db_bulk_str(b, h->region_sig);
			db_bulk_str(b, import_code(IMPORT_COL_RELATION, h->members[j].relation));
			db_bulk_str(b, o->from_date);
			db_bulk_str(b, o->now);
			rc = db_bulk_row_end(b, err);
		}
	}
	return bulk_end(b, rc, err);
}

static dd_status write_incomes(struct db *db, const struct household_entry *hh, size_t n,
			       const struct household_store_options *o, dd_error *err)
{
	static const char *const cols[] = {"person_id", "household_id", "region_code", "type",	     "amount",
					   "period",	"imputed",	"source",      "created_at", "updated_at"};
	struct db_bulk *b = NULL;
	dd_status rc = DD_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct household *h = hh[i].h;
		for (size_t j = 0; !rc && j < h->n_members; j++) {
			const struct member *m = &h->members[j];
			for (size_t k = 0; !rc && k < m->n_incomes; k++) {
				const struct income *in = &m->incomes[k];
				if (!b && (rc = db_bulk_begin(db, "incomes", cols, 10, &b, err)))
					break;
				db_bulk_int64(b, hh[i].person_ids[j]);
				db_bulk_int64(b, hh[i].id);
				db_bulk_str(b, h->region_sig);
				db_bulk_str(b, income_type_code(in->type));
				db_bulk_int64(b, in->amount);
				db_bulk_str(b, in->yearly ? "year" : "month");
				db_bulk_int64(b, in->imputed);
				db_bulk_str(b, o->source);
				db_bulk_str(b, o->now);
				db_bulk_str(b, o->now);
				rc = db_bulk_row_end(b, err);
			}
		}
	}
	return bulk_end(b, rc, err);
}

/* One asset row: kind financial (amount), vehicle or house (quantity);
 * person_id 0 = the household's. */
static dd_status asset_row(struct db *db, struct db_bulk **b, const struct household_entry *e, int64_t person_id,
			   const char *kind, int64_t amount, int64_t quantity, const struct household_store_options *o,
			   dd_error *err)
{
	static const char *const cols[] = {"household_id", "person_id", "region_code", "kind",	     "amount",
					   "quantity",	   "source",	"created_at",  "updated_at"};
	dd_status rc;
	if (!*b && (rc = db_bulk_begin(db, "assets", cols, 9, b, err)))
		return rc;
	db_bulk_int64(*b, e->id);
	if (person_id)
		db_bulk_int64(*b, person_id);
	else
		db_bulk_null(*b);
	db_bulk_str(*b, e->h->region_sig);
	db_bulk_str(*b, kind);
	db_bulk_int64(*b, amount);
	db_bulk_int64(*b, quantity);
	db_bulk_str(*b, o->source);
	db_bulk_str(*b, o->now);
	db_bulk_str(*b, o->now);
	return db_bulk_row_end(*b, err);
}

static dd_status write_assets(struct db *db, const struct household_entry *hh, size_t n,
			      const struct household_store_options *o, dd_error *err)
{
	struct db_bulk *b = NULL;
	dd_status rc = DD_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct household *h = hh[i].h;
		for (size_t j = 0; !rc && j < h->n_members; j++)
			if (h->members[j].financial_assets)
				rc = asset_row(db, &b, &hh[i], hh[i].person_ids[j], "financial",
					       h->members[j].financial_assets, 0, o, err);
		if (!rc && h->assets_financial)
			rc = asset_row(db, &b, &hh[i], 0, "financial", h->assets_financial, 0, o, err);
		if (!rc && h->vehicles)
			rc = asset_row(db, &b, &hh[i], 0, "vehicle", 0, h->vehicles, o, err);
		if (!rc && h->extra_houses)
			rc = asset_row(db, &b, &hh[i], 0, "house", 0, h->extra_houses, o, err);
	}
	return bulk_end(b, rc, err);
}

static dd_status write_expenditures(struct db *db, const struct household_entry *hh, size_t n,
				    const struct household_store_options *o, dd_error *err)
{
	static const char *const cols[] = {"household_id", "region_code", "type",	"amount",
					   "period",	   "source",	  "created_at", "updated_at"};
	struct db_bulk *b = NULL;
	dd_status rc = DD_OK;
	for (size_t i = 0; !rc && i < n; i++) {
		const struct household *h = hh[i].h;
		for (size_t k = 0; !rc && k < h->n_expenses; k++) {
			const struct expense *x = &h->expenses[k];
			if (!b && (rc = db_bulk_begin(db, "expenditures", cols, 8, &b, err)))
				break;
			db_bulk_int64(b, hh[i].id);
			db_bulk_str(b, h->region_sig);
			db_bulk_str(b, expense_type_code(x->type));
			db_bulk_int64(b, x->amount);
			db_bulk_str(b, x->yearly ? "year" : "month");
			db_bulk_str(b, o->source);
			db_bulk_str(b, o->now);
			db_bulk_str(b, o->now);
			rc = db_bulk_row_end(b, err);
		}
	}
	return bulk_end(b, rc, err);
}

/* One audit row per household; the ids and details live in one buffer. */
static dd_status write_audit(struct db *db, const struct household_entry *hh, size_t n,
			     const struct household_store_options *o, dd_error *err)
{
	struct strbuf text;
	strbuf_init(&text, n * 96 + 64);
	size_t *off = malloc((2 * n + 1) * sizeof *off);
	struct audit_entry *ae = calloc(n ? n : 1, sizeof *ae);
	dd_status rc = DD_OK;
	if (!off || !ae)
		rc = oom(err);
	for (size_t i = 0; !rc && i < n; i++) {
		off[2 * i] = text.len;
		strbuf_addf(&text, "%" PRId64, hh[i].id);
		strbuf_addc(&text, '\0');
		off[2 * i + 1] = text.len;
		strbuf_adds(&text, "{\"household_no\":");
		strbuf_add_json_string(&text, hh[i].household_no, hh[i].household_no_len);
		strbuf_addf(&text, ",\"members\":%zu,\"source\":", hh[i].h->n_members);
		strbuf_add_json_string(&text, o->source, strlen(o->source));
		if (o->file) {
			strbuf_adds(&text, ",\"file\":");
			strbuf_add_json_string(&text, o->file, strlen(o->file));
		}
		strbuf_adds(&text, "}");
		strbuf_addc(&text, '\0');
	}
	if (!rc && text.failed)
		rc = oom(err);
	for (size_t i = 0; !rc && i < n; i++)
		ae[i] = (struct audit_entry){
		    .region_code = hh[i].h->region_sig,
		    .actor = o->actor,
		    .action = o->action,
		    .entity = "household",
		    .entity_id = text.buf + off[2 * i],
		    .detail_json = text.buf + off[2 * i + 1],
		};
	if (!rc)
		rc = audit_append_batch(db, ae, n, err);
	free(ae);
	free(off);
	strbuf_release(&text);
	return rc;
}

dd_status household_store_write(struct db *db, struct household_entry *hh, size_t n,
				const struct household_store_options *o, dd_error *err)
{
	if (!n)
		return DD_OK;
	dd_status rc = reserve(db, hh, n, err);
	if (!rc)
		rc = write_households(db, hh, n, o, err);
	if (!rc)
		rc = write_persons(db, hh, n, o, err);
	if (!rc)
		rc = write_memberships(db, hh, n, o, err);
	if (!rc)
		rc = write_incomes(db, hh, n, o, err);
	if (!rc)
		rc = write_assets(db, hh, n, o, err);
	if (!rc)
		rc = write_expenditures(db, hh, n, o, err);
	if (!rc)
		rc = write_audit(db, hh, n, o, err);
	return rc;
}
