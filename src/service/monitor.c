/* monitor.c - data matching runs (monitor.h). */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/civil_date.h"
#include "core/csv.h"
#include "core/match.h"
#include "core/region.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

#define READ_BLOCK ((size_t)4 << 20)
#define MAX_RULES 64
#define NAME_MAX_BYTES 64

/* DOUDI_MATCH_TRACE=1: the time of each phase on stderr */
static void trace(const char *phase, int64_t *t0)
{
	int64_t t = store_now_ms();
	if (getenv("DOUDI_MATCH_TRACE"))
		fprintf(stderr, "match: %s %.3f s\n", phase, (double)(t - *t0) / 1000.0);
	*t0 = t;
}

static enum svc_kind nomem(struct svc_error *e)
{
	return svc_fail(e, SVC_INTERNAL, "NO_MEMORY", NULL, "内存不足");
}

/* --- kinds and rules from the store --- */

struct rule_def {
	struct match_rule r;
	char alert_kind[MATCH_NAME_MAX];
	char severity[8];
	int deadline_days;
};

struct kind_def {
	struct match_kind k;
	struct rule_def *rules[MAX_RULES];
	int nrules;
	bool any_uncovered;
	int name_col; /* the "name" column (for the alert), -1 none */
};

static enum svc_kind load_kind(struct db *db, const char *code, struct match_kind *k, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	bool row = false;
	dd_status rc = db_prepare(db, "SELECT columns FROM dataset_kinds WHERE code = $1", 0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, code);
	rc = db_step(st, &row, &err);
	if (rc || !row) {
		db_finalize(st);
		return rc ? svc_store_fail(e, db, rc, &err)
			  : svc_fail(e, SVC_BAD_INPUT, "UNKNOWN_KIND", "kind", "没有这种数据类型：%.40s", code);
	}
	size_t n = 0;
	const char *cols = db_column_text(st, 0, &n);
	rc = match_kind_parse(code, cols ? cols : "", n, k, &err);
	db_finalize(st);
	if (rc)
		return svc_fail(e, SVC_INTERNAL, "BAD_KIND", "columns", "数据类型 %.40s 的列定义有误：%s", code,
				err.message);
	return SVC_OK;
}

static unsigned programmes_mask(const char *s)
{
	if (!s || !*s)
		return PROG_ALL;
	unsigned m = 0;
	while (*s) {
		const char *c = strchr(s, ',');
		size_t n = c ? (size_t)(c - s) : strlen(s);
		m |= match_programme_bit(s, n);
		s += n + (c ? 1 : 0);
	}
	return m;
}

static enum svc_kind load_rules(struct db *db, struct kind_def *kd, struct svc_error *e)
{
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	dd_status rc = db_prepare(db,
				  "SELECT code, population, programmes, field, op, value, date_field, window_months, "
				  "region_field, alert_kind, severity, deadline_days FROM monitor_rules WHERE "
				  "dataset_kind = $1 AND enabled = 1 ORDER BY code",
				  0, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, kd->k.code);
	bool row = false;
	enum svc_kind k = SVC_OK;
	while (!k && !(rc = db_step(st, &row, &err)) && row) {
		if (kd->nrules == MAX_RULES) {
			k = svc_fail(e, SVC_BAD_INPUT, "TOO_MANY_RULES", "rules", "一种数据类型至多 %d 条规则",
				     MAX_RULES);
			break;
		}
		struct rule_def *d = calloc(1, sizeof *d);
		if (!d) {
			k = nomem(e);
			break;
		}
		kd->rules[kd->nrules++] = d;
		db_column_copy(st, 0, d->r.code, sizeof d->r.code);
		snprintf(d->r.kind, sizeof d->r.kind, "%s", kd->k.code);
		bool ok;
		d->r.population = match_population_parse(db_column_text(st, 1, NULL), &ok);
		d->r.programmes = programmes_mask(db_column_text(st, 2, NULL));
		d->r.window_months = (int)db_column_int64(st, 7);
		char field[MATCH_NAME_MAX], op[16], value[MATCH_TEXT_MAX], date_field[MATCH_NAME_MAX],
		    region_field[MATCH_NAME_MAX];
		db_column_copy(st, 3, field, sizeof field);
		db_column_copy(st, 4, op, sizeof op);
		db_column_copy(st, 5, value, sizeof value);
		db_column_copy(st, 6, date_field, sizeof date_field);
		db_column_copy(st, 8, region_field, sizeof region_field);
		db_column_copy(st, 9, d->alert_kind, sizeof d->alert_kind);
		db_column_copy(st, 10, d->severity, sizeof d->severity);
		d->deadline_days = (int)db_column_int64(st, 11);
		if (match_rule_prepare(&d->r, &kd->k, field, op, value, date_field, region_field, &err))
			k = svc_fail(e, SVC_INTERNAL, "BAD_RULE", err.field, "规则 %s 有误：%s", d->r.code,
				     err.message);
		if (d->r.population == POP_UNCOVERED)
			kd->any_uncovered = true;
	}
	db_finalize(st);
	if (!k && rc)
		k = svc_store_fail(e, db, rc, &err);
	return k;
}

/* --- the population --- */

static int64_t region_number(const char *s)
{
	int64_t v = 0;
	size_t n = 0;
	for (; s && s[n] >= '0' && s[n] <= '9' && n < 12; n++)
		v = v * 10 + (s[n] - '0');
	for (; n < 12; n++)
		v *= 10;
	return v;
}

static enum svc_kind load_population(struct db *db, const char *as_of, struct match_pop *pop, struct svc_error *e)
{
	/* parameters in order of first use (SQLite numbers them so) */
	static const char sql[] =
	    "SELECT p.id_number, p.id, x.household_id, COALESCE(h.region_code, p.region_code), x.programme FROM ("
	    "SELECT l.person_id AS person_id, l.household_id AS household_id, l.programme AS programme "
	    "FROM decision_lines l JOIN decisions d ON d.id = l.decision_id WHERE (l.programme = 'tekun' OR "
	    "l.component = 'single_person') AND l.amount > 0 AND d.effective_from <= $1 AND (d.effective_to IS NULL "
	    "OR d.effective_to > $1) "
	    "UNION ALL SELECT m.person_id, m.household_id, CASE WHEN d.determination = 'marginal' THEN 'marginal' "
	    "ELSE 'dibao' END FROM decisions d JOIN memberships m ON m.household_id = d.household_id AND "
	    "m.to_date IS NULL WHERE (d.determination = 'dibao' OR d.determination = 'dibao_gradual_exit' OR "
	    "d.determination = 'marginal') AND d.effective_from <= $1 AND (d.effective_to IS NULL OR "
	    "d.effective_to > $1)) x JOIN persons p ON p.id = x.person_id LEFT JOIN households h ON h.id = "
	    "x.household_id WHERE p.death_date IS NULL "
	    "UNION ALL SELECT id_number, 0, 0, region_code, category FROM monitored_persons WHERE since <= $1 AND "
	    "(until IS NULL OR until > $1)";
	dd_error err;
	dd_error_clear(&err);
	struct db_stmt *st;
	dd_status rc = db_prepare(db, sql, DB_STMT_STREAM, &st, &err);
	if (rc)
		return svc_store_fail(e, db, rc, &err);
	db_bind_str(st, 1, as_of);
	bool row = false;
	while (!(rc = db_step(st, &row, &err)) && row) {
		size_t n = 0;
		const char *id = db_column_text(st, 0, &n);
		uint64_t key;
		if (!id || !match_idkey(id, n, &key))
			continue; /* a registry number that is not a valid ID number cannot match */
		size_t pn = 0;
		const char *prog = db_column_text(st, 4, &pn);
		struct match_member m = {
		    .person_id = db_column_int64(st, 1),
		    .household_id = db_column_int64(st, 2),
		    .region = region_number(db_column_text(st, 3, NULL)),
		    .programmes = prog ? match_programme_bit(prog, pn) : PROG_OTHER,
		};
		if ((rc = match_pop_add(pop, key, &m, &err)))
			break;
	}
	db_finalize(st);
	if (!rc)
		rc = match_pop_seal(pop, &err);
	return rc ? svc_store_fail(e, db, rc, &err) : SVC_OK;
}

/* --- one job: the files of one kind --- */

struct hit {
	int rule;
	uint64_t key;
	int64_t member; /* index in pop->m, -1 none */
	int64_t region; /* lead: the record's region; duplicate: the other county */
	uint64_t fact;
	int64_t amount;
	dd_date date;
	uint32_t file;
	uint64_t line;
	char value[40]; /* the condition's cell, cut */
	char name[NAME_MAX_BYTES];
};

struct file_stat {
	int64_t rows, rejected, matched, alerts, leads;
	char rejects[4096];
	char error[DD_MESSAGE_MAX + DD_FIELD_MAX + 8];
	bool failed;
};

struct job {
	struct kind_def *kd;
	const struct match_pop *pop;
	dd_date as_of;
	enum text_encoding enc;
	int files[64];
	int nfiles;
	const struct monitor_file *all;
	struct file_stat *stats;
	/* the current file */
	int cur;
	bool header_done;
	int at[MATCH_MAX_COLUMNS]; /* kind column → file column, -1 */
	FILE *rejects;
	struct strbuf rbuf;
	struct match_sums sums[MAX_RULES];
	struct hit *hits;
	size_t nhits, caphits;
	dd_status failed;
};

static void reject(struct job *j, uint64_t line, const char *field, const char *why)
{
	struct file_stat *fs = &j->stats[j->files[j->cur]];
	fs->rejected++;
	if (!j->rejects)
		return;
	strbuf_reset(&j->rbuf);
	match_reject_row(&j->rbuf, line, field, why);
	fwrite(j->rbuf.buf, 1, j->rbuf.len, j->rejects);
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static dd_status add_hit(struct job *j, const struct hit *h, dd_error *err)
{
	if (j->nhits == j->caphits) {
		size_t nc = j->caphits ? j->caphits * 2 : 256;
		struct hit *x = realloc(j->hits, nc * sizeof *x);
		if (!x)
			return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
		j->hits = x;
		j->caphits = nc;
	}
	j->hits[j->nhits++] = *h;
	return DD_OK;
}

static void cut_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap) {
		n = cap - 1;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* not inside a UTF-8 character */
	}
	memcpy(dst, s, n);
	dst[n] = 0;
}

static dd_status on_header(struct job *j, const struct match_fields *f, dd_error *err)
{
	dd_status rc = match_header_columns(&j->kd->k, f, j->at, err);
	j->header_done = !rc;
	return rc;
}

static dd_status on_record(void *ctx, const struct match_fields *f, dd_error *err)
{
	struct job *j = ctx;
	if (!j->header_done)
		return on_header(j, f, err);
	struct file_stat *fs = &j->stats[j->files[j->cur]];
	const struct match_kind *k = &j->kd->k;
	fs->rows++;
	if (f->count < 0) {
		reject(j, f->line, "", "记录格式错误（引号或字段数） (malformed record)");
		return DD_OK;
	}
	int ka = j->at[k->key];
	uint64_t key;
	if (ka >= f->count || !match_idkey(f->p[ka], f->n[ka], &key)) {
		reject(j, f->line, k->col[k->key].label[0] ? k->col[k->key].label : k->col[k->key].name,
		       "身份证号码无效（18 位，校验位须正确） (invalid ID number)");
		return DD_OK;
	}
	const struct match_member *m = match_pop_find(j->pop, key);
	if (!m && !j->kd->any_uncovered)
		return DD_OK; /* the fast path: most records are nobody we watch */
	if (m)
		fs->matched++;
	struct match_value v[MATCH_MAX_COLUMNS];
	uint64_t parsed = 0;
	for (int ri = 0; ri < j->kd->nrules; ri++) {
		const struct rule_def *d = j->kd->rules[ri];
		const struct match_rule *r = &d->r;
		if (r->population == POP_UNCOVERED ? m != NULL : !m || !(m->programmes & r->programmes))
			continue;
		int need[3] = {r->field, r->date_field, r->region_field};
		for (int q = 0; q < 3; q++) {
			int c = need[q];
			if (c < 0 || (parsed >> c & 1))
				continue;
			int at = j->at[c];
			dd_error why;
			dd_error_clear(&why);
			if (at < 0 || at >= f->count) {
				memset(&v[c], 0, sizeof v[c]);
			} else if (match_value_parse(k->col[c].type, f->p[at], f->n[at], &v[c], &why)) {
				reject(j, f->line, k->col[c].label[0] ? k->col[c].label : k->col[c].name, why.message);
				return DD_OK;
			}
			parsed |= 1ull << c;
		}
		if (r->date_field >= 0 &&
		    (!v[r->date_field].present || !match_in_window(r, (dd_date)v[r->date_field].num, j->as_of)))
			continue;
		int64_t region = r->region_field >= 0 ? v[r->region_field].num : 0;
		if (r->population == POP_UNCOVERED && !region)
			continue; /* a lead needs a place */
		if (r->op == OP_SUM_GT) {
			if (!v[r->field].present)
				continue;
			dd_date d8 = r->date_field >= 0 ? (dd_date)v[r->date_field].num : 0;
			dd_status rc = match_sums_add(&j->sums[ri], key, v[r->field].num, d8, region, err);
			if (rc)
				return rc;
			continue;
		}
		if (!match_condition(r, &v[r->field]))
			continue;
		if (r->population == POP_DUPLICATE && (!region || region / 1000000 == m->region / 1000000))
			continue; /* the same county: no duplicate */
		struct hit h = {.rule = ri,
				.key = key,
				.member = m ? (int64_t)(m - j->pop->m) : -1,
				.region = region,
				.file = (uint32_t)j->files[j->cur],
				.line = f->line};
		/* the fact: every known column's value, in the kind's order */
		uint64_t fact = 0xcbf29ce484222325ULL;
		for (int c = 0; c < k->ncol; c++) {
			int at = j->at[c];
			if (at >= 0 && at < f->count)
				fact = fnv(fact, f->p[at], f->n[at]);
			fact = fnv(fact, "\x1f", 1);
		}
		h.fact = fact;
		if (r->field >= 0 && v[r->field].present)
			cut_copy(h.value, sizeof h.value, v[r->field].text, v[r->field].n);
		int nc = j->kd->name_col;
		if (nc >= 0 && j->at[nc] >= 0 && j->at[nc] < f->count)
			cut_copy(h.name, sizeof h.name, f->p[j->at[nc]], f->n[j->at[nc]]);
		dd_status rc = add_hit(j, &h, err);
		if (rc)
			return rc;
	}
	return DD_OK;
}

static dd_status decoded(void *ctx, const char *data, size_t n, dd_error *err)
{
	return match_scanner_feed(ctx, data, n, err);
}

static void run_file(struct job *j, int jf)
{
	int fi = j->files[jf];
	struct file_stat *fs = &j->stats[fi];
	const char *path = j->all[fi].path;
	j->cur = jf;
	j->header_done = false;
	dd_error err;
	dd_error_clear(&err);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(fs->error, sizeof fs->error, "无法打开数据文件 %.200s：%s", path, strerror(errno));
		fs->failed = true;
		return;
	}
	snprintf(fs->rejects, sizeof fs->rejects, "%s.rejects.csv", path);
	j->rejects = fopen(fs->rejects, "w");
	if (j->rejects)
		fputs(MATCH_REJECTS_HEADER, j->rejects);
	struct match_scanner sc;
	match_scanner_init(&sc, on_record, j);
	struct text_decoder dec;
	dd_status rc = text_decoder_init(&dec, j->enc, decoded, &sc, &err);
	char *buf = rc ? NULL : malloc(READ_BLOCK);
	if (!rc && !buf)
		rc = dd_fail(&err, DD_ENOMEM, "", "内存不足 (out of memory)");
	while (!rc) {
		ssize_t got = read(fd, buf, READ_BLOCK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = dd_fail(&err, DD_EIO, "", "读取失败：%s (read failed)", strerror(errno));
			break;
		}
		if (got == 0)
			break;
		rc = text_decoder_feed(&dec, buf, (size_t)got, &err);
	}
	if (!rc)
		rc = text_decoder_finish(&dec, &err);
	if (!rc)
		rc = match_scanner_finish(&sc, &err);
	if (!rc && !j->header_done)
		rc = dd_fail(&err, DD_EINVAL, "header", "文件为空，没有表头 (empty file)");
	if (rc) {
		fs->failed = true;
		snprintf(fs->error, sizeof fs->error, "%s%s%s", err.field, err.field[0] ? ": " : "", err.message);
	}
	free(buf);
	text_decoder_release(&dec);
	match_scanner_release(&sc);
	close(fd);
	if (j->rejects && fclose(j->rejects) != 0 && !fs->failed) {
		fs->failed = true;
		snprintf(fs->error, sizeof fs->error, "无法写入错误行文件 %.200s", fs->rejects);
	}
	j->rejects = NULL;
}

/* The sum rules' people past the threshold become hits. */
static dd_status finish_sums(struct job *j, dd_error *err)
{
	for (int ri = 0; ri < j->kd->nrules; ri++) {
		const struct match_rule *r = &j->kd->rules[ri]->r;
		struct match_sums *t = &j->sums[ri];
		for (size_t i = 0; t->mask && i <= t->mask; i++) {
			const struct match_sum *s = &t->s[i];
			if (!s->key || !match_sum_reached(r, s->sum))
				continue;
			const struct match_member *m = match_pop_find(j->pop, s->key);
			struct hit h = {.rule = ri,
					.key = s->key,
					.member = m ? (int64_t)(m - j->pop->m) : -1,
					.region = s->region,
					.fact = (uint64_t)s->last,
					.amount = s->sum,
					.date = s->last,
					.file = (uint32_t)j->files[0]};
			dd_status rc = add_hit(j, &h, err);
			if (rc)
				return rc;
		}
		match_sums_release(t);
	}
	return DD_OK;
}

struct pool {
	struct job *jobs;
	int njobs;
	int next;
	pthread_mutex_t mu;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		int i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->njobs)
			return NULL;
		struct job *j = &p->jobs[i];
		strbuf_init(&j->rbuf, 256);
		for (int f = 0; f < j->nfiles; f++)
			run_file(j, f);
		dd_error err;
		dd_error_clear(&err);
		if (finish_sums(j, &err))
			j->failed = DD_ENOMEM;
		strbuf_release(&j->rbuf);
	}
}

/* --- writing the alerts --- */

static void township_text(int64_t region, bool county_only, char out[REGION_TEXT_MAX])
{
	char code[16], sig[REGION_TEXT_MAX];
	snprintf(code, sizeof code, "%012" PRId64, region);
	size_t n = region_significant(code, 12, sig);
	size_t cut = county_only ? 6 : 9;
	if (n > cut)
		sig[cut] = 0;
	region_full_code(sig, out);
}

struct writer {
	struct db *db;
	const struct monitor_match_options *o;
	const struct match_pop *pop;
	const char *actor;
	char now[STORE_TIME_MAX];
	char today[DATE_TEXT_MAX];
	dd_date as_of;
	struct audit_entry *audit;
	char (*audit_ids)[24];
	char (*audit_regions)[REGION_TEXT_MAX];
	size_t naudit, capaudit;
	struct strbuf detail;
	dd_error err;
};

static dd_status audit_add(struct writer *w, int64_t id, const char *region)
{
	if (w->naudit == w->capaudit) {
		size_t nc = w->capaudit ? w->capaudit * 2 : 256;
		struct audit_entry *a = realloc(w->audit, nc * sizeof *a);
		if (a)
			w->audit = a;
		char(*ids)[24] = a ? realloc(w->audit_ids, nc * sizeof *ids) : NULL;
		if (ids)
			w->audit_ids = ids;
		char(*rg)[REGION_TEXT_MAX] = ids ? realloc(w->audit_regions, nc * sizeof *rg) : NULL;
		if (!rg)
			return dd_fail(&w->err, DD_ENOMEM, "", "内存不足 (out of memory)");
		w->audit_regions = rg;
		w->capaudit = nc;
	}
	snprintf(w->audit_ids[w->naudit], 24, "%" PRId64, id);
	snprintf(w->audit_regions[w->naudit], REGION_TEXT_MAX, "%s", region);
	w->naudit++;
	return DD_OK;
}

/* Inserts one alert unless its dedup key exists; *created tells. */
static dd_status insert_alert(struct writer *w, const struct rule_def *d, const struct hit *h, const char *region,
			      int64_t run_id, bool other_side, bool *created)
{
	const struct match_rule *r = &d->r;
	const struct match_member *m = h->member >= 0 ? &w->pop->m[h->member] : NULL;
	char id[19];
	match_idtext(h->key, id);
	char key[160];
	snprintf(key, sizeof key, "%s:%s:%016" PRIx64 "%s%s", r->code, id, h->fact, other_side ? ":" : "",
		 other_side ? region : "");
	dd_date due = w->o->cal ? calendar_add_workdays(w->o->cal, w->as_of, d->deadline_days)
				: w->as_of + d->deadline_days * 7 / 5;
	char due_text[DATE_TEXT_MAX];
	date_format(due, due_text);
	strbuf_reset(&w->detail);
	strbuf_adds(&w->detail, "{\"rule\":");
	strbuf_add_json_string(&w->detail, r->code, strlen(r->code));
	strbuf_add_json_member_text(&w->detail, "dataset", r->kind);
	strbuf_add_json_member_text(&w->detail, "file", w->o->files[h->file].path);
	if (h->line)
		strbuf_addf(&w->detail, ",\"line\":%" PRIu64, h->line);
	if (h->value[0])
		strbuf_add_json_member_text(&w->detail, "value", h->value);
	if (r->op == OP_SUM_GT) {
		strbuf_add_json_member_money(&w->detail, "sum", h->amount);
		strbuf_add_json_member_money(&w->detail, "threshold", r->value.num);
		if (r->date_field >= 0)
			strbuf_addf(&w->detail, ",\"window_months\":%d", r->window_months);
	}
	if (h->date) {
		char dt[DATE_TEXT_MAX];
		date_format(h->date, dt);
		strbuf_add_json_member_text(&w->detail, "last_date", dt);
	}
	if (r->population == POP_DUPLICATE) {
		char other[REGION_TEXT_MAX], home[REGION_TEXT_MAX];
		township_text(h->region, true, other);
		township_text(m ? m->region : 0, true, home);
		strbuf_add_json_member_text(&w->detail, "other_county", other_side ? home : other);
	}
	strbuf_addc(&w->detail, '}');
	struct db_stmt *st;
	dd_status rc = db_prepare_cached(
	    w->db,
	    "INSERT INTO alerts (kind, rule_code, source, region_code, person_id, household_id, id_number, name, lead, "
	    "severity, state, detail, dedup_key, run_id, raised_at, due_date, created_at, updated_at) VALUES ($1, $2, "
	    "$3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12, $13, $14, $15, $14, $14) ON CONFLICT (dedup_key) DO "
	    "NOTHING RETURNING id",
	    &st, &w->err);
	if (rc)
		return rc;
	db_bind_str(st, 1, d->alert_kind);
	db_bind_str(st, 2, r->code);
	db_bind_str(st, 3, r->kind);
	db_bind_str(st, 4, region);
	if (m && m->person_id)
		db_bind_int64(st, 5, m->person_id);
	else
		db_bind_null(st, 5);
	if (m && m->household_id)
		db_bind_int64(st, 6, m->household_id);
	else
		db_bind_null(st, 6);
	db_bind_str(st, 7, id);
	db_bind_str(st, 8, h->name[0] ? h->name : NULL);
	db_bind_int64(st, 9, r->population == POP_UNCOVERED);
	db_bind_str(st, 10, d->severity);
	db_bind_text(st, 11, w->detail.buf, w->detail.len);
	db_bind_str(st, 12, key);
	db_bind_int64(st, 13, run_id);
	db_bind_str(st, 14, w->now);
	db_bind_str(st, 15, due_text);
	bool row = false;
	rc = db_step(st, &row, &w->err);
	int64_t aid = row ? db_column_int64(st, 0) : 0;
	db_finalize(st); /* a cached statement: back to the cache */
	*created = row;
	if (!rc && row)
		rc = audit_add(w, aid, region);
	return rc;
}

static dd_status insert_run(struct writer *w, const char *kind, const char *files, int64_t *id)
{
	struct db_stmt *st;
	dd_status rc =
	    db_prepare(w->db,
		       "INSERT INTO match_runs (dataset_kind, file_name, as_of, started_at, actor) VALUES ($1, "
		       "$2, $3, $4, $5) RETURNING id",
		       0, &st, &w->err);
	if (rc)
		return rc;
	db_bind_str(st, 1, kind);
	db_bind_str(st, 2, files);
	db_bind_str(st, 3, w->today);
	db_bind_str(st, 4, w->now);
	db_bind_str(st, 5, w->actor);
	bool row = false;
	rc = db_step(st, &row, &w->err);
	*id = row ? db_column_int64(st, 0) : 0;
	db_finalize(st);
	return rc;
}

static dd_status finish_run(struct writer *w, int64_t id, const int64_t c[6])
{
	struct db_stmt *st;
	dd_status rc = db_prepare(w->db,
				  "UPDATE match_runs SET rows = $2, rejected = $3, matched = $4, alerts_created = $5, "
				  "leads_created = $6, population = $7, finished_at = $8 WHERE id = $1",
				  0, &st, &w->err);
	if (rc)
		return rc;
	db_bind_int64(st, 1, id);
	for (int i = 0; i < 6; i++)
		db_bind_int64(st, i + 2, c[i]);
	db_bind_str(st, 8, w->now);
	rc = db_run(st, &w->err);
	db_finalize(st);
	return rc;
}

static dd_status write_job(struct writer *w, struct job *j, struct file_stat *stats)
{
	/* the run row: the kind and its files */
	struct strbuf names;
	strbuf_init(&names, 256);
	for (int f = 0; f < j->nfiles; f++) {
		const char *p = w->o->files[j->files[f]].path, *b = strrchr(p, '/');
		if (f)
			strbuf_addc(&names, ';');
		strbuf_adds(&names, b ? b + 1 : p);
	}
	int64_t run_id = 0;
	dd_status rc = insert_run(w, j->kd->k.code, names.buf ? names.buf : "", &run_id);
	strbuf_release(&names);
	for (size_t i = 0; !rc && i < j->nhits; i++) {
		const struct hit *h = &j->hits[i];
		const struct rule_def *d = j->kd->rules[h->rule];
		const struct match_member *m = h->member >= 0 ? &w->pop->m[h->member] : NULL;
		char region[REGION_TEXT_MAX];
		township_text(m ? m->region : h->region, false, region);
		bool created = false;
		rc = insert_alert(w, d, h, region, run_id, false, &created);
		struct file_stat *fs = &stats[h->file];
		if (created && d->r.population == POP_UNCOVERED)
			fs->leads++;
		else if (created)
			fs->alerts++;
		if (!rc && d->r.population == POP_DUPLICATE) { /* the other county hears of it too */
			township_text(h->region, true, region);
			rc = insert_alert(w, d, h, region, run_id, true, &created);
			if (created)
				fs->alerts++;
		}
	}
	int64_t c[6] = {0};
	for (int f = 0; f < j->nfiles; f++) {
		const struct file_stat *fs = &stats[j->files[f]];
		c[0] += fs->rows;
		c[1] += fs->rejected;
		c[2] += fs->matched;
		c[3] += fs->alerts;
		c[4] += fs->leads;
	}
	c[5] = (int64_t)w->pop->n;
	if (!rc)
		rc = finish_run(w, run_id, c);
	if (!rc) {
		char detail[200], rid[24];
		snprintf(detail, sizeof detail,
			 "{\"rows\":%" PRId64 ",\"rejected\":%" PRId64 ",\"matched\":%" PRId64 ",\"alerts\":%" PRId64
			 ",\"leads\":%" PRId64 "}",
			 c[0], c[1], c[2], c[3], c[4]);
		snprintf(rid, sizeof rid, "%" PRId64, run_id);
		rc = audit_append(w->db, w->actor, "match", "match_run", rid, detail, &w->err);
	}
	return rc;
}

static void stats_json(struct strbuf *out, const struct monitor_match_options *o, const struct file_stat *stats,
		       size_t population)
{
	int64_t t[5] = {0};
	strbuf_addf(out, "{\"population\":%zu,\"files\":[", population);
	for (int i = 0; i < o->nfiles; i++) {
		const struct file_stat *s = &stats[i];
		strbuf_adds(out, i ? ",{" : "{");
		strbuf_adds(out, "\"kind\":");
		strbuf_add_json_string(out, o->files[i].kind, strlen(o->files[i].kind));
		strbuf_add_json_member_text(out, "file", o->files[i].path);
		strbuf_addf(out,
			    ",\"rows\":%" PRId64 ",\"rejected\":%" PRId64 ",\"matched\":%" PRId64 ",\"alerts\":%" PRId64
			    ",\"leads\":%" PRId64,
			    s->rows, s->rejected, s->matched, s->alerts, s->leads);
		strbuf_add_json_member_text(out, "rejects", s->rejects);
		strbuf_addc(out, '}');
		t[0] += s->rows, t[1] += s->rejected, t[2] += s->matched, t[3] += s->alerts, t[4] += s->leads;
	}
	strbuf_addf(out,
		    "],\"rows\":%" PRId64 ",\"rejected\":%" PRId64 ",\"matched\":%" PRId64 ",\"alerts\":%" PRId64
		    ",\"leads\":%" PRId64 "}",
		    t[0], t[1], t[2], t[3], t[4]);
}

enum svc_kind monitor_match(struct db *db, const struct principal *actor, const struct monitor_match_options *o,
			    struct strbuf *out, struct svc_error *e)
{
	enum svc_kind denied = authz_monitor_run(actor, "运行数据比对", e);
	if (denied)
		return denied;
	if (o->nfiles < 1 || o->nfiles > 64)
		return svc_fail(e, SVC_BAD_INPUT, "BAD_FILES", "files", "须给出 1 至 64 个数据文件");
	dd_date as_of = store_today();
	dd_error err;
	dd_error_clear(&err);
	if (o->as_of && (strlen(o->as_of) != 10 || date_parse(o->as_of, 10, &as_of, &err)))
		return svc_fail(e, SVC_BAD_INPUT, "BAD_DATE", "as_of", "比对日期须为 YYYY-MM-DD");
	/* the jobs: one per kind */
	struct kind_def *kinds = calloc((size_t)o->nfiles, sizeof *kinds);
	struct job *jobs = calloc((size_t)o->nfiles, sizeof *jobs);
	struct file_stat *stats = calloc((size_t)o->nfiles, sizeof *stats);
	struct match_pop pop;
	match_pop_init(&pop);
	enum svc_kind k = kinds && jobs && stats ? SVC_OK : nomem(e);
	int njobs = 0;
	for (int i = 0; !k && i < o->nfiles; i++) {
		int jx = 0;
		while (jx < njobs && strcmp(jobs[jx].kd->k.code, o->files[i].kind) != 0)
			jx++;
		if (jx == njobs) {
			struct kind_def *kd = &kinds[njobs];
			if ((k = load_kind(db, o->files[i].kind, &kd->k, e)) || (k = load_rules(db, kd, e)))
				break;
			kd->name_col = match_kind_column(&kd->k, "name");
			jobs[njobs] =
			    (struct job){.kd = kd, .pop = &pop, .enc = o->encoding, .all = o->files, .stats = stats};
			njobs++;
		}
		jobs[jx].files[jobs[jx].nfiles++] = i;
	}
	char as_of_text[DATE_TEXT_MAX];
	date_format(as_of, as_of_text);
	int64_t t0 = store_now_ms();
	if (!k)
		k = load_population(db, as_of_text, &pop, e);
	trace("population", &t0);
	if (!k) { /* the workers: the store is not touched until they are done */
		for (int i = 0; i < njobs; i++)
			jobs[i].as_of = as_of;
		struct pool p = {.jobs = jobs, .njobs = njobs};
		pthread_mutex_init(&p.mu, NULL);
		int nt = o->threads > 0 ? o->threads : 2;
		if (nt > njobs)
			nt = njobs;
		pthread_t th[8];
		int started = 0;
		for (int t = 1; t < nt && t < 8; t++)
			if (pthread_create(&th[started], NULL, worker, &p) == 0)
				started++;
		worker(&p);
		for (int t = 0; t < started; t++)
			pthread_join(th[t], NULL);
		pthread_mutex_destroy(&p.mu);
		for (int i = 0; !k && i < o->nfiles; i++)
			if (stats[i].failed)
				k = svc_fail(e, SVC_BAD_INPUT, "BAD_FILE", "file", "%.200s：%s", o->files[i].path,
					     stats[i].error);
		for (int i = 0; !k && i < njobs; i++)
			if (jobs[i].failed)
				k = nomem(e);
		trace("scan", &t0);
	}
	if (!k) {
		struct writer w = {
		    .db = db, .o = o, .pop = &pop, .actor = actor ? actor->username : "system", .as_of = as_of};
		dd_error_clear(&w.err);
		store_now(w.now);
		memcpy(w.today, as_of_text, sizeof w.today);
		strbuf_init(&w.detail, 256);
		dd_status rc = db_begin(db, &w.err);
		for (int i = 0; !rc && i < njobs; i++)
			rc = write_job(&w, &jobs[i], stats);
		if (!rc && w.naudit) {
			for (size_t i = 0; i < w.naudit; i++)
				w.audit[i] = (struct audit_entry){.region_code = w.audit_regions[i],
								  .actor = w.actor,
								  .action = "raise",
								  .entity = "alert",
								  .entity_id = w.audit_ids[i]};
			rc = audit_append_batch(db, w.audit, w.naudit, &w.err);
		}
		trace("write", &t0);
		if (!rc)
			rc = db_commit(db, &w.err);
		trace("commit", &t0);
		if (rc)
			k = svc_store_fail(e, db, rc, &w.err);
		strbuf_release(&w.detail);
		free(w.audit);
		free(w.audit_ids);
		free(w.audit_regions);
	}
	if (!k)
		stats_json(out, o, stats, pop.n);
	for (int i = 0; i < njobs; i++) {
		free(jobs[i].hits);
		for (int r = 0; r < MAX_RULES; r++)
			match_sums_release(&jobs[i].sums[r]);
	}
	for (int i = 0; kinds && i < o->nfiles; i++)
		for (int r = 0; r < kinds[i].nrules; r++)
			free(kinds[i].rules[r]);
	free(kinds);
	free(jobs);
	free(stats);
	match_pop_release(&pop);
	return k;
}
