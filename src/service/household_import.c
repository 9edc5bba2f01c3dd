/* household_import.c - IMPORT.md's household import and export over a store
 * (see household_import.h for the passes and the counts). */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "core/csv.h"
#include "core/import_row.h"
#include "core/region.h"
#include "household_import.h"
#include "household_store.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/store.h"

enum { PH_PASS1, PH_STORE, PH_PASS2, PH_PREPARE, PH_WRITE, PH_COMMIT, PH_INDEX, PHASES };
static const char *const phase_names[PHASES] = {"pass1", "store-read", "pass2",	 "prepare",
						"write", "commit",     "indexes"};

#define READ_CHUNK ((size_t)64 * 1024)
#define DEFAULT_CHUNK_HOUSEHOLDS 20000
/* bulk mode (indexes set aside) from this many persons to write, when the
 * store holds no more persons than that; DOUDI_IMPORT_BULK_MIN overrides
 * (0 = never) */
#define DEFAULT_BULK_MIN_PERSONS 100000
#define NO_HOUSEHOLD UINT32_MAX
#define DIGEST_HEX 33 /* 128-bit digest as hex, NUL */

/* --- one household of the file --- */

struct hh {
	uint32_t no_off, no_len; /* household_no in the pool */
	struct import_household_state st;
	uint64_t sum[2];  /* the members' digests, added: the same for any row order */
	int64_t store_id; /* the stored household with this region and number, 0 = none */
	bool unchanged;
	uint32_t gathered; /* rows gathered in pass 2 */
	int32_t open;	   /* its row buffer in pass 2, -1 = none */
};

/* A person of the file who is already in the store. */
struct known_person {
	uint64_t key; /* 17 digits + 1; 0 = empty slot */
	int64_t id;
	int64_t active_household; /* 0 = in no active household */
	uint32_t household;	  /* the file's household where the ID number is */
	uint32_t line;
};

struct row_buf {
	struct import_person *rows;
	uint32_t n;
};

struct chunk_hh {
	uint32_t hh;
	size_t first; /* index in chunk persons */
	uint32_t n;
};

/* Pass 2's writers: threads that write chunks while the main thread reads
 * the rows of the next (one chunk in hand each, so memory stays a few chunks
 * whatever the file). Each uses its own connection: the first the caller's,
 * on PostgreSQL a second one of the same target, taken only after the first
 * chunk committed (which may set the indexes aside under an exclusive lock);
 * the two transactions meet only at audit_head, so the second's audit rows
 * wait for the first's commit and the chain stays one line. The main thread
 * stops handing chunks over at the first failure. */
#define WRITERS_MAX 2
struct writer {
	struct import_run *r;
	pthread_t thread;
	struct db *db;
	bool own_db; /* opened for this writer, closed with it */
	bool busy;
	/* the chunk being written, and the buffers to give back */
	struct chunk_hh *chunk;
	size_t nchunk, cap_chunk;
	struct import_person *cpersons;
	size_t ncp, cap_cp;
	int64_t ns[PHASES]; /* its prepare, write and commit times */
};

struct import_run {
	struct db *db;
	const struct household_import_options *opt;
	struct household_import_result *res;
	int pass;
	bool have_header;
	struct import_header header;
	/* households of the file: array + open-addressing table of index + 1 */
	struct hh *hh;
	size_t nhh, cap_hh;
	uint32_t *slots;
	size_t slot_mask;
	char *pool;
	size_t pool_len, pool_cap;
	struct id_index ids;
	/* persons of the file already stored */
	struct known_person *known;
	size_t known_mask, known_count;
	/* pass 2 */
	struct row_buf *bufs;
	size_t nbufs, cap_bufs;
	int32_t free_buf;  /* a free slot in bufs, or -1 */
	size_t open_count; /* households with rows gathered but not yet whole */
	struct chunk_hh *chunk;
	size_t nchunk, cap_chunk;
	struct import_person *cpersons;
	size_t ncp, cap_cp;
	int64_t rows2;
	struct writer w[WRITERS_MAX];
	int nwriters; /* threads running; 0 = chunks written inline */
	pthread_mutex_t wmu;
	pthread_cond_t wcv;
	bool wstop;
	dd_status wrc; /* the writers' first failure; nothing is handed over after it */
	dd_error werr;
	bool bulk;    /* set the secondary indexes aside in the first chunk */
	int deferred; /* indexes set aside (restored at the end) */
	bool defer_tried;
	FILE *rejects;
	struct strbuf rbuf;
	char file_label[256]; /* the file's base name, for the audit rows */
	char now[STORE_TIME_MAX];
	char today[DATE_TEXT_MAX];
	/* where the time goes (DOUDI_IMPORT_TRACE=1 prints it); write, commit and
	 * indexes-set-aside are the writer thread's, charged with lap() */
	int64_t phase_ns[PHASES];
	struct timespec phase_at;
	int64_t wait_ns; /* the main thread waiting for the writer */
};

/* Nanoseconds since *at, which becomes now. */
static int64_t ns_since(struct timespec *at)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t d = (now.tv_sec - at->tv_sec) * 1000000000LL + (now.tv_nsec - at->tv_nsec);
	*at = now;
	return d;
}

/* Charges the time since the last call to phase k (k < 0: starts the clock). */
static void phase(struct import_run *r, int k)
{
	int64_t d = ns_since(&r->phase_at);
	if (k >= 0)
		r->phase_ns[k] += d;
}

static dd_status oom(dd_error *err)
{
	return dd_fail(err, DD_ENOMEM, "", "内存不足 (out of memory)");
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, n * size);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static const char *hh_no(const struct import_run *r, const struct hh *h)
{
	return r->pool + h->no_off;
}

static dd_status rehash(struct import_run *r, dd_error *err)
{
	size_t n = r->slot_mask ? (r->slot_mask + 1) * 2 : 1024;
	uint32_t *s = calloc(n, sizeof *s);
	if (!s)
		return oom(err);
	for (size_t i = 0; i < r->nhh; i++) {
		const struct hh *h = &r->hh[i];
		size_t j = fnv1a(hh_no(r, h), h->no_len) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(r->slots);
	r->slots = s;
	r->slot_mask = n - 1;
	return DD_OK;
}

/* The household with this number, or NO_HOUSEHOLD; added when add. */
static dd_status hh_find(struct import_run *r, const char *no, bool add, uint32_t *out, dd_error *err)
{
	size_t len = strlen(no);
	*out = NO_HOUSEHOLD;
	if (!r->slots && !add)
		return DD_OK;
	if (add && (r->nhh + 1) * 4 > (r->slot_mask + 1) * 3) {
		dd_status rc = rehash(r, err);
		if (rc)
			return rc;
	}
	size_t j = fnv1a(no, len) & r->slot_mask;
	for (;;) {
		uint32_t v = r->slots[j];
		if (!v)
			break;
		const struct hh *h = &r->hh[v - 1];
		if (h->no_len == len && memcmp(hh_no(r, h), no, len) == 0) {
			*out = v - 1;
			return DD_OK;
		}
		j = (j + 1) & r->slot_mask;
	}
	if (!add)
		return DD_OK;
	if (r->nhh >= NO_HOUSEHOLD - 1)
		return dd_fail(err, DD_ELIMIT, "household_no", "文件中的家庭过多 (too many households in one file)");
	if (!grow((void **)&r->hh, &r->cap_hh, r->nhh + 1, sizeof *r->hh) ||
	    !grow((void **)&r->pool, &r->pool_cap, r->pool_len + len + 1, 1))
		return oom(err);
	struct hh *h = &r->hh[r->nhh];
	memset(h, 0, sizeof *h);
	h->no_off = (uint32_t)r->pool_len;
	h->no_len = (uint32_t)len;
	h->open = -1;
	import_household_init(&h->st);
	memcpy(r->pool + r->pool_len, no, len + 1);
	r->pool_len += len + 1;
	r->slots[j] = (uint32_t)r->nhh + 1;
	*out = (uint32_t)r->nhh++;
	return DD_OK;
}

/* --- content digests --- */

/* Appends '|' and v in decimal at t + n (room checked by the caller). */
static size_t put_field(char *t, size_t n, int64_t v)
{
	char d[24];
	size_t k = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do
		d[k++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	t[n++] = '|';
	if (v < 0)
		t[n++] = '-';
	while (k)
		t[n++] = d[--k];
	return n;
}

/* The member's text is "id|name|relation|grade|kind|illness|labor|care|
 * school|supporters" and "|amount" or "|-" per amount, formatted by hand:
 * snprintf here was a fifth of pass 1 (the bytes are the same, so stored
 * digests stay valid). */
static void member_digest(const struct import_person *p, uint64_t sum[2])
{
	char text[512];
	size_t n = 0, id_len = strlen(p->id.text), name_len = strlen(p->name);
	if (id_len + name_len + 1 + 8 * 22 + IMPORT_AMOUNTS * 22 > sizeof text) /* cannot happen: name ≤ 120 bytes */
		name_len = 0;
	memcpy(text, p->id.text, id_len);
	n = id_len;
	text[n++] = '|';
	memcpy(text + n, p->name, name_len);
	n += name_len;
	const int64_t small[] = {(int)p->relation,	 p->disability_grade,	 (int)p->disability_kind,
				 (int)p->severe_illness, (int)p->labor_capacity, (int)p->self_care,
				 (int)p->in_school,	 (int)p->supporters};
	for (size_t k = 0; k < sizeof small / sizeof small[0]; k++)
		n = put_field(text, n, small[k]);
	for (int k = 0; k < IMPORT_AMOUNTS; k++) {
		if (import_has_amount(p, k)) {
			n = put_field(text, n, (int64_t)p->amount[k]);
		} else {
			text[n++] = '|';
			text[n++] = '-';
		}
	}
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)text, (size_t)n, NULL, 0);
	uint64_t a, b;
	memcpy(&a, h, 8);
	memcpy(&b, h + 8, 8);
	sum[0] += a;
	sum[1] += b;
}

static void household_digest(const struct hh *h, char out[DIGEST_HEX])
{
	char text[128];
	int n = snprintf(text, sizeof text, "doudi-import-v1|%s|%d|%" PRIu32 "|%016" PRIx64 "%016" PRIx64,
			 h->st.region_sig, (int)h->st.area, h->st.rows, h->sum[0], h->sum[1]);
	unsigned char d[16];
	crypto_generichash(d, sizeof d, (const unsigned char *)text, (size_t)n, NULL, 0);
	sodium_bin2hex(out, DIGEST_HEX, d, sizeof d);
}

/* --- persons already stored --- */

static uint64_t id_key(const char *t)
{
	uint64_t k = 0;
	for (int i = 0; i < 17; i++)
		k = k * 10 + (uint64_t)(t[i] - '0');
	return k + 1;
}

static struct known_person *known_slot(struct import_run *r, uint64_t key)
{
	size_t j = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & r->known_mask;
	while (r->known[j].key && r->known[j].key != key)
		j = (j + 1) & r->known_mask;
	return &r->known[j];
}

static dd_status known_add(struct import_run *r, const struct known_person *p, dd_error *err)
{
	if ((r->known_count + 1) * 4 > (r->known_mask + 1) * 3) {
		size_t n = r->known ? (r->known_mask + 1) * 2 : 1024;
		struct known_person *old = r->known;
		size_t old_n = r->known ? r->known_mask + 1 : 0;
		r->known = calloc(n, sizeof *r->known);
		if (!r->known) {
			r->known = old;
			return oom(err);
		}
		r->known_mask = n - 1;
		for (size_t i = 0; i < old_n; i++)
			if (old[i].key)
				*known_slot(r, old[i].key) = old[i];
		free(old);
	}
	struct known_person *s = known_slot(r, p->key);
	if (!s->key)
		r->known_count++;
	*s = *p;
	return DD_OK;
}

static const struct known_person *known_find(struct import_run *r, const char *id)
{
	if (!r->known)
		return NULL;
	const struct known_person *s = known_slot(r, id_key(id));
	return s->key ? s : NULL;
}

/* --- the rejects file --- */

static dd_status rejects_flush(struct import_run *r, dd_error *err)
{
	if (r->rbuf.failed)
		return oom(err);
	if (r->rbuf.len && fwrite(r->rbuf.buf, 1, r->rbuf.len, r->rejects) != r->rbuf.len)
		return dd_fail(err, DD_EIO, "rejects", "无法写入拒收文件 (cannot write the rejects file: %s)",
			       strerror(errno));
	strbuf_reset(&r->rbuf);
	return DD_OK;
}

static dd_status reject_row(struct import_run *r, uint64_t line, const char *reason, const struct csv_record *rec,
			    dd_error *err)
{
	r->res->rejected_rows++;
	import_rejects_row(&r->rbuf, line, reason, rec);
	return r->rbuf.len >= READ_CHUNK ? rejects_flush(r, err) : DD_OK;
}

/* --- writing one chunk of whole households --- */

/* A row of the file as ASSESS.md's member; its monthly amounts become
 * incomes (in, room for IMPORT_AMOUNTS). */
static void member_from_row(const struct import_person *p, struct member *m, struct income *in)
{
	*m = (struct member){
	    .id = p->id,
	    .name = p->name,
	    .relation = p->relation,
	    .disability_grade = p->disability_grade,
	    .disability_kind = p->disability_kind,
	    .severe_illness = p->severe_illness,
	    .labor_capacity = p->labor_capacity,
	    .self_care = p->self_care,
	    .in_school = p->in_school,
	    .supporters = p->supporters,
	    .incomes = in,
	};
	for (int k = 0; k < IMPORT_AMOUNTS; k++)
		if (import_has_amount(p, k))
			in[m->n_incomes++] = (struct income){.type = import_amount_income(k), .amount = p->amount[k]};
}

/* The tables an import fills: in bulk mode their non-unique indexes are
 * dropped in the first chunk's transaction and built again at the end
 * (store_defer_indexes, 015_deferred_indexes). */
static const char *const bulk_tables[] = {"households", "persons",	"memberships", "incomes",
					  "assets",	"expenditures", "audit_log"};

/* The chunk in one transaction, through the registry's write path (on the
 * writer thread: reads only what pass 2 no longer changes). */
static dd_status chunk_write(struct import_run *r, struct db *db, int64_t *ns, const struct chunk_hh *chunk, size_t nh,
			     const struct import_person *cpersons, size_t np, dd_error *err)
{
	struct timespec at;
	clock_gettime(CLOCK_MONOTONIC, &at);
	struct household *hs = calloc(nh, sizeof *hs);
	struct household_entry *es = calloc(nh, sizeof *es);
	struct member *ms = calloc(np ? np : 1, sizeof *ms);
	struct income *ins = calloc(np ? np * IMPORT_AMOUNTS : 1, sizeof *ins);
	int64_t *person_ids = calloc(np ? np : 1, sizeof *person_ids);
	char(*digests)[DIGEST_HEX] = calloc(nh, sizeof *digests);
	dd_status rc = hs && es && ms && ins && person_ids && digests ? DD_OK : oom(err);
	for (size_t i = 0; !rc && i < nh; i++) {
		const struct chunk_hh *c = &chunk[i];
		const struct hh *h = &r->hh[c->hh];
		memcpy(hs[i].region_sig, h->st.region_sig, sizeof hs[i].region_sig);
		hs[i].area = (enum area)h->st.area;
		hs[i].members = ms + c->first;
		hs[i].n_members = c->n;
		for (size_t j = c->first; j < c->first + c->n; j++) {
			member_from_row(&cpersons[j], &ms[j], ins + j * IMPORT_AMOUNTS);
			/* persons already stored (in no active household): updated, not added */
			const struct known_person *k = known_find(r, cpersons[j].id.text);
			person_ids[j] = k ? k->id : 0;
		}
		household_digest(h, digests[i]);
		es[i] = (struct household_entry){
		    .h = &hs[i],
		    .household_no = hh_no(r, h),
		    .household_no_len = h->no_len,
		    .import_digest = digests[i],
		    .person_ids = person_ids + c->first,
		};
	}
	struct household_store_options o = {
	    .actor = r->opt->actor,
	    .action = "household.import",
	    .source = "import",
	    .file = r->file_label,
	    .now = r->now,
	    .from_date = r->today,
	};
	ns[PH_PREPARE] += ns_since(&at);
	if (!rc)
		rc = db_begin(db, err);
	if (!rc) {
		/* the first chunk only: no other writer runs before it commits */
		if (r->bulk && !r->defer_tried && (r->defer_tried = true))
			rc = store_defer_indexes(db, bulk_tables, sizeof bulk_tables / sizeof bulk_tables[0], NULL,
						 &r->deferred, err);
		if (!rc)
			rc = household_store_write(db, es, nh, &o, err);
		ns[PH_WRITE] += ns_since(&at);
		if (!rc)
			rc = db_commit(db, err);
		else
			db_rollback(db);
		ns[PH_COMMIT] += ns_since(&at);
	}
	free(hs);
	free(es);
	free(ms);
	free(ins);
	free(person_ids);
	free(digests);
	return rc;
}

/* Writes one chunk and counts it (on a writer thread when there is one). */
static dd_status chunk_store(struct import_run *r, struct db *db, int64_t *ns, const struct chunk_hh *chunk, size_t nh,
			     const struct import_person *cpersons, size_t np, dd_error *err)
{
	dd_status rc = chunk_write(r, db, ns, chunk, nh, cpersons, np, err);
	if (r->nwriters)
		pthread_mutex_lock(&r->wmu);
	if (rc) {
		char msg[sizeof err->message];
		snprintf(msg, sizeof msg, "%s", err->message);
		rc = dd_fail(err, rc == DD_ENOMEM ? DD_ENOMEM : DD_EIO, err->field[0] ? err->field : "db",
			     "第%" PRId64 "批写入失败，此前的%" PRId64
			     "户已完整保存，重新运行导入即可完成 (chunk %" PRId64 " failed; households stored "
			     "before it are whole: run the import again): %s",
			     r->res->chunks + 1, r->res->households, r->res->chunks + 1, msg);
	} else {
		r->res->chunks++;
		r->res->households += (int64_t)nh;
		r->res->persons += (int64_t)np;
		if (r->opt->progress)
			r->opt->progress(r->opt->progress_ctx, r->res->households, r->res->persons);
	}
	if (r->nwriters)
		pthread_mutex_unlock(&r->wmu);
	return rc;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct import_run *r = w->r;
	pthread_mutex_lock(&r->wmu);
	for (;;) {
		while (!w->busy && !r->wstop)
			pthread_cond_wait(&r->wcv, &r->wmu);
		if (!w->busy)
			break;
		pthread_mutex_unlock(&r->wmu);
		dd_error e;
		dd_error_clear(&e);
		dd_status rc = chunk_store(r, w->db, w->ns, w->chunk, w->nchunk, w->cpersons, w->ncp, &e);
		pthread_mutex_lock(&r->wmu);
		if (rc && !r->wrc) {
			r->wrc = rc;
			r->werr = e;
		}
		w->busy = false;
		pthread_cond_broadcast(&r->wcv);
	}
	pthread_mutex_unlock(&r->wmu);
	return NULL;
}

/* A writer that may take a chunk now: the first one, or (once a chunk has
 * committed) any idle one. Called with wmu held. */
static struct writer *writer_free(struct import_run *r)
{
	for (int i = 0; i < r->nwriters; i++)
		if (!r->w[i].busy && (i == 0 || r->res->chunks > 0))
			return &r->w[i];
	return NULL;
}

/* Two writers on PostgreSQL when the caller named the target, else one (on
 * SQLite one writer at a time anyway); DOUDI_IMPORT_WRITERS=1 forces one. */
static void writers_start(struct import_run *r)
{
	int want = db_backend(r->db) == DB_POSTGRES && r->opt->db_target ? 2 : 1;
	const char *env = getenv("DOUDI_IMPORT_WRITERS");
	if (env && strcmp(env, "1") == 0)
		want = 1;
	pthread_mutex_init(&r->wmu, NULL);
	pthread_cond_init(&r->wcv, NULL);
	for (int i = 0; i < want; i++) {
		struct writer *w = &r->w[i];
		w->r = r;
		w->db = r->db;
		if (i > 0) {
			dd_error ignored;
			if (db_open(r->opt->db_target, 0, &w->db, &ignored) != DD_OK)
				break;
			w->own_db = true;
		}
		if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
			if (w->own_db)
				db_close(w->db);
			w->own_db = false;
			break;
		}
		r->nwriters = i + 1;
	}
	if (!r->nwriters) {
		pthread_cond_destroy(&r->wcv);
		pthread_mutex_destroy(&r->wmu);
	}
}

/* Lets the chunks in hand finish, then ends the threads; their first
 * failure, if any. */
static dd_status writers_stop(struct import_run *r, dd_error *err)
{
	if (!r->nwriters)
		return DD_OK;
	struct timespec at;
	clock_gettime(CLOCK_MONOTONIC, &at);
	pthread_mutex_lock(&r->wmu);
	r->wstop = true;
	pthread_cond_broadcast(&r->wcv);
	pthread_mutex_unlock(&r->wmu);
	for (int i = 0; i < r->nwriters; i++) {
		struct writer *w = &r->w[i];
		pthread_join(w->thread, NULL);
		if (w->own_db)
			db_close(w->db);
		w->own_db = false;
		for (int k = 0; k < PHASES; k++)
			r->phase_ns[k] += w->ns[k];
	}
	r->wait_ns += ns_since(&at);
	pthread_cond_destroy(&r->wcv);
	pthread_mutex_destroy(&r->wmu);
	r->nwriters = 0;
	if (r->wrc && err)
		*err = r->werr;
	return r->wrc;
}

/* The gathered chunk to a writer (or written here without one); the
 * writer's emptied buffers become the next chunk's. */
static dd_status chunk_flush(struct import_run *r, dd_error *err)
{
	if (!r->nchunk)
		return DD_OK;
	if (!r->nwriters) {
		dd_status rc = chunk_store(r, r->db, r->phase_ns, r->chunk, r->nchunk, r->cpersons, r->ncp, err);
		r->nchunk = 0;
		r->ncp = 0;
		return rc;
	}
	struct timespec at;
	clock_gettime(CLOCK_MONOTONIC, &at);
	pthread_mutex_lock(&r->wmu);
	struct writer *w;
	while (!r->wrc && !(w = writer_free(r)))
		pthread_cond_wait(&r->wcv, &r->wmu);
	if (r->wrc) {
		*err = r->werr;
		pthread_mutex_unlock(&r->wmu);
		return r->wrc;
	}
	struct chunk_hh *c = w->chunk;
	size_t cc = w->cap_chunk;
	struct import_person *p = w->cpersons;
	size_t cp = w->cap_cp;
	w->chunk = r->chunk;
	w->nchunk = r->nchunk;
	w->cap_chunk = r->cap_chunk;
	w->cpersons = r->cpersons;
	w->ncp = r->ncp;
	w->cap_cp = r->cap_cp;
	w->busy = true;
	pthread_cond_broadcast(&r->wcv);
	pthread_mutex_unlock(&r->wmu);
	r->wait_ns += ns_since(&at);
	r->chunk = c;
	r->cap_chunk = cc;
	r->cpersons = p;
	r->cap_cp = cp;
	r->nchunk = 0;
	r->ncp = 0;
	return DD_OK;
}

/* A good row of a household to store: gathered until the household is whole. */
static dd_status gather(struct import_run *r, uint32_t k, const struct import_person *p, dd_error *err)
{
	struct hh *h = &r->hh[k];
	if (h->gathered >= h->st.rows)
		return dd_fail(err, DD_EINVAL, "", "文件在导入过程中被修改 (the file changed during the import)");
	if (h->open < 0) {
		int32_t slot;
		if (r->free_buf >= 0) {
			slot = r->free_buf;
			r->free_buf = -1;
		} else {
			if (!grow((void **)&r->bufs, &r->cap_bufs, r->nbufs + 1, sizeof *r->bufs))
				return oom(err);
			slot = (int32_t)r->nbufs++;
		}
		r->bufs[slot].rows = malloc(h->st.rows * sizeof *r->bufs[slot].rows);
		r->bufs[slot].n = 0;
		if (!r->bufs[slot].rows)
			return oom(err);
		h->open = slot;
		r->open_count++;
	}
	struct row_buf *rb = &r->bufs[h->open];
	rb->rows[rb->n++] = *p;
	h->gathered++;
	if (h->gathered < h->st.rows)
		return DD_OK;
	/* whole: into the chunk */
	if (!grow((void **)&r->chunk, &r->cap_chunk, r->nchunk + 1, sizeof *r->chunk) ||
	    !grow((void **)&r->cpersons, &r->cap_cp, r->ncp + rb->n, sizeof *r->cpersons))
		return oom(err);
	r->chunk[r->nchunk++] = (struct chunk_hh){.hh = k, .first = r->ncp, .n = rb->n};
	memcpy(r->cpersons + r->ncp, rb->rows, rb->n * sizeof *rb->rows);
	r->ncp += rb->n;
	free(rb->rows);
	rb->rows = NULL;
	if (r->free_buf < 0)
		r->free_buf = h->open;
	else if ((size_t)h->open == r->nbufs - 1)
		r->nbufs--;
	h->open = -1;
	r->open_count--;
	/* two writers (PostgreSQL): smaller chunks keep both busy at the start
	 * and the end (0.4 s less per million persons; SQLite 1 s more) */
	size_t limit = r->opt->chunk_households ? r->opt->chunk_households
		       : r->nwriters > 1	? DEFAULT_CHUNK_HOUSEHOLDS / 2
						: DEFAULT_CHUNK_HOUSEHOLDS;
	return r->nchunk >= limit ? chunk_flush(r, err) : DD_OK;
}

/* --- the two passes --- */

static dd_status on_header(struct import_run *r, const struct csv_record *rec, dd_error *err)
{
	r->have_header = true;
	if (r->pass == 2) {
		import_rejects_header(&r->rbuf, rec);
		return DD_OK;
	}
	return import_header_read(rec, &r->header, err);
}

static dd_status pass1_row(struct import_run *r, const struct csv_record *rec, dd_error *err)
{
	struct import_person p;
	dd_error why;
	dd_status bad = import_row_read(&r->header, rec, r->opt->today, &p, &why);
	uint32_t k = NO_HOUSEHOLD;
	dd_status rc;
	if ((p.valid & IMPORT_BIT(IMPORT_COL_HOUSEHOLD_NO)) && (rc = hh_find(r, p.household_no, true, &k, err)))
		return rc;
	r->res->rows++;
	if (k != NO_HOUSEHOLD) {
		if (bad) {
			import_household_add_rejected(&r->hh[k].st, rec->line);
		} else {
			import_household_add(&r->hh[k].st, &p);
			member_digest(&p, r->hh[k].sum);
		}
	}
	if (p.valid & IMPORT_BIT(IMPORT_COL_ID)) {
		bool repeat;
		struct id_index_entry first;
		if ((rc = id_index_add(&r->ids, p.id.text, k, rec->line, &repeat, &first, err)))
			return rc;
		if (repeat) {
			if (k != NO_HOUSEHOLD)
				import_household_mark(&r->hh[k].st, IMPORT_HH_DUPLICATE_ID, rec->line);
			if (first.household != NO_HOUSEHOLD)
				import_household_mark(&r->hh[first.household].st, IMPORT_HH_DUPLICATE_ID, first.line);
		}
	}
	return DD_OK;
}

static dd_status pass2_row(struct import_run *r, const struct csv_record *rec, dd_error *err)
{
	struct import_person p;
	dd_error why;
	dd_status bad = import_row_read(&r->header, rec, r->opt->today, &p, &why);
	uint32_t k = NO_HOUSEHOLD;
	dd_status rc;
	r->rows2++;
	if ((p.valid & IMPORT_BIT(IMPORT_COL_HOUSEHOLD_NO)) && (rc = hh_find(r, p.household_no, false, &k, err)))
		return rc;
	if (bad)
		return reject_row(r, rec->line, why.message, rec, err);
	if (k == NO_HOUSEHOLD)
		return dd_fail(err, DD_EINVAL, "", "文件在导入过程中被修改 (the file changed during the import)");
	struct id_index_entry e;
	if (id_index_find(&r->ids, p.id.text, &e) && e.repeated) {
		import_duplicate_reason(&e, rec->line, &why);
		return reject_row(r, rec->line, why.message, rec, err);
	}
	if (import_household_reason(&r->hh[k].st, &why))
		return reject_row(r, rec->line, why.message, rec, err);
	if (r->hh[k].unchanged)
		return DD_OK;
	return gather(r, k, &p, err);
}

static dd_status on_record(void *ctx, const struct csv_record *rec, dd_error *err)
{
	struct import_run *r = ctx;
	if (!r->have_header)
		return on_header(r, rec, err);
	if (import_row_blank(rec))
		return DD_OK;
	return r->pass == 1 ? pass1_row(r, rec, err) : pass2_row(r, rec, err);
}

/* A record the CSV parser could not read: rejected with the parser's reason;
 * its household (when its number came before the fault) with it. */
static dd_status on_csv_error(void *ctx, const struct csv_record *rec, const dd_error *why, dd_error *err)
{
	struct import_run *r = ctx;
	if (!r->have_header) {
		*err = *why;
		return why->code ? why->code : DD_EINVAL;
	}
	int32_t f = r->header.field_of[IMPORT_COL_HOUSEHOLD_NO];
	uint32_t k = NO_HOUSEHOLD;
	dd_status rc;
	if (f >= 0 && (size_t)f < rec->n_fields && rec->fields[f].n && rec->fields[f].n <= IMPORT_HOUSEHOLD_NO_MAX &&
	    strlen(rec->fields[f].p) == rec->fields[f].n) {
		/* the number as import_row_read would trim it is not known here:
		 * the raw cell, which matches the common untrimmed case */
		if ((rc = hh_find(r, rec->fields[f].p, r->pass == 1, &k, err)))
			return rc;
	}
	if (r->pass == 1) {
		r->res->rows++;
		if (k != NO_HOUSEHOLD)
			import_household_add_rejected(&r->hh[k].st, rec->line);
		return DD_OK;
	}
	r->rows2++;
	return reject_row(r, rec->line, why->message, rec, err);
}

static dd_status read_pass(struct import_run *r, FILE *f, dd_error *err)
{
	struct csv_parser p;
	struct csv_options o = {.flags = CSV_RECOVER, .on_record = on_record, .on_error = on_csv_error, .ctx = r};
	dd_status rc = csv_init(&p, &o, err);
	if (rc)
		return rc;
	struct text_decoder dec;
	if ((rc = text_decoder_init(&dec, r->opt->encoding, csv_sink, &p, err))) {
		csv_release(&p);
		return rc;
	}
	r->have_header = false;
	char *buf = malloc(READ_CHUNK);
	if (!buf)
		rc = oom(err);
	while (!rc) {
		size_t n = fread(buf, 1, READ_CHUNK, f);
		if (n)
			rc = text_decoder_feed(&dec, buf, n, err);
		if (n < READ_CHUNK) {
			if (ferror(f))
				rc = dd_fail(err, DD_EIO, "file", "读取文件失败 (read error: %s)", strerror(errno));
			break;
		}
	}
	if (!rc)
		rc = text_decoder_finish(&dec, err);
	if (!rc)
		rc = csv_finish(&p, err);
	if (!rc && !r->have_header)
		rc = dd_fail(err, DD_EINVAL, "file", "文件为空，没有表头 (the file is empty: no header)");
	r->res->encoding = text_decoder_encoding(&dec);
	free(buf);
	text_decoder_release(&dec);
	csv_release(&p);
	return rc;
}

static int county_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Between the passes: what the store already holds. */
static dd_status read_store(struct import_run *r, dd_error *err)
{
	struct db *db = r->db;
	int64_t any = 0;
	bool found = false;
	struct db_stmt *st;
	bool row = false;
	/* the counties the store knows: a household elsewhere is a typo (or a
	 * region table to update first); skipped when no county is loaded */
	dd_status rc = db_prepare(db, "SELECT code FROM regions WHERE level = 3", 0, &st, err);
	char(*counties)[7] = NULL;
	size_t ncounties = 0, cap = 0;
	while (!rc && !(rc = db_step(st, &row, err)) && row) {
		size_t n = 0;
		const char *code = db_column_text(st, 0, &n);
		if (!code || n != 6)
			continue;
		if (!grow((void **)&counties, &cap, ncounties + 1, sizeof *counties)) {
			rc = oom(err);
			break;
		}
		memcpy(counties[ncounties++], code, 7);
	}
	db_finalize(st);
	if (ncounties)
		qsort(counties, ncounties, sizeof *counties, county_cmp);
	for (size_t i = 0; !rc && ncounties && i < r->nhh; i++) {
		struct hh *h = &r->hh[i];
		if (!h->st.has_first)
			continue;
		char key[7];
		snprintf(key, sizeof key, "%.6s", h->st.region_sig);
		if (!bsearch(key, counties, ncounties, sizeof *counties, county_cmp))
			import_household_mark(&h->st, IMPORT_HH_REGION_UNKNOWN, h->st.head_line);
	}
	free(counties);
	if (rc)
		return rc;
	rc = db_query_int64(db, "SELECT 1 FROM households LIMIT 1", &any, &found, err);
	if (rc || !found)
		return rc;
	if ((rc = db_prepare(db, "SELECT id, region_code, household_no, import_digest FROM households", DB_STMT_STREAM,
			     &st, err)))
		return rc;
	while (!(rc = db_step(st, &row, err)) && row) {
		const char *no = db_column_text(st, 2, NULL);
		uint32_t k;
		if (!no || (rc = hh_find(r, no, false, &k, err)))
			continue;
		if (k == NO_HOUSEHOLD)
			continue;
		struct hh *h = &r->hh[k];
		const char *region = db_column_text(st, 1, NULL);
		if (!h->st.has_first || !region || strcmp(region, h->st.region_sig) != 0)
			continue;
		h->store_id = db_column_int64(st, 0);
		const char *stored = db_column_text(st, 3, NULL);
		char digest[DIGEST_HEX];
		household_digest(h, digest);
		if (stored && strcmp(stored, digest) == 0)
			h->unchanged = true;
		else
			import_household_mark(&h->st, IMPORT_HH_CHANGED, h->st.head_line);
	}
	db_finalize(st);
	if (rc || !id_index_count(&r->ids))
		return rc;
	if ((rc = db_prepare(db,
			     "SELECT p.id_number, p.id, m.household_id FROM persons p "
			     "LEFT JOIN memberships m ON m.person_id = p.id AND m.to_date IS NULL",
			     DB_STMT_STREAM, &st, err)))
		return rc;
	while (!(rc = db_step(st, &row, err)) && row) {
		size_t n = 0;
		const char *id = db_column_text(st, 0, &n);
		struct id_index_entry e;
		if (!id || n != IDNUM_LEN || !id_index_find(&r->ids, id, &e))
			continue;
		struct known_person kp = {
		    .key = id_key(id),
		    .id = db_column_int64(st, 1),
		    .active_household = db_column_int64(st, 2),
		    .household = e.household,
		    .line = (uint32_t)e.line,
		};
		if ((rc = known_add(r, &kp, err)))
			break;
	}
	db_finalize(st);
	for (size_t i = 0; !rc && r->known && i <= r->known_mask; i++) {
		const struct known_person *kp = &r->known[i];
		if (!kp->key || !kp->active_household || kp->household == NO_HOUSEHOLD)
			continue;
		struct hh *h = &r->hh[kp->household];
		if (h->store_id != kp->active_household)
			import_household_mark(&h->st, IMPORT_HH_STORE, kp->line);
	}
	return rc;
}

/* Bulk mode when the file adds more persons than the store holds (building
 * the indexes afterwards then costs less than keeping them up to date), and
 * no stored person is updated (its earlier incomes are found by index). */
static dd_status bulk_decide(struct import_run *r, dd_error *err)
{
	int64_t min = DEFAULT_BULK_MIN_PERSONS;
	const char *env = getenv("DOUDI_IMPORT_BULK_MIN");
	if (env && *env)
		min = strtoll(env, NULL, 10);
	r->bulk = false;
	if (min <= 0)
		return DD_OK;
	int64_t to_write = 0;
	for (size_t i = 0; i < r->nhh; i++)
		if (!r->hh[i].unchanged && import_household_verdict(&r->hh[i].st) == IMPORT_HH_OK)
			to_write += r->hh[i].st.rows;
	if (to_write < min)
		return DD_OK;
	for (size_t i = 0; r->known && i <= r->known_mask; i++) {
		const struct known_person *kp = &r->known[i];
		if (!kp->key || kp->household == NO_HOUSEHOLD)
			continue;
		const struct hh *h = &r->hh[kp->household];
		if (!h->unchanged && import_household_verdict(&h->st) == IMPORT_HH_OK)
			return DD_OK;
	}
	int64_t stored = 0;
	dd_status rc = db_query_int64(r->db, "SELECT count(*) FROM persons", &stored, NULL, err);
	if (!rc)
		r->bulk = to_write >= stored;
	return rc;
}

static void run_release(struct import_run *r)
{
	free(r->hh);
	free(r->slots);
	free(r->pool);
	id_index_release(&r->ids);
	free(r->known);
	for (size_t i = 0; i < r->nbufs; i++)
		free(r->bufs[i].rows);
	free(r->bufs);
	free(r->chunk);
	free(r->cpersons);
	for (int i = 0; i < WRITERS_MAX; i++) {
		free(r->w[i].chunk);
		free(r->w[i].cpersons);
	}
	strbuf_release(&r->rbuf);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ino == b->st_ino;
}

dd_status household_import(struct db *db, const struct household_import_options *opt,
			   struct household_import_result *res, dd_error *err)
{
	memset(res, 0, sizeof *res);
	if (sodium_init() < 0)
		return dd_fail(err, DD_EIO, "", "无法初始化 libsodium (libsodium init failed)");
	if (!opt->actor || !*opt->actor)
		return dd_fail(err, DD_EINVAL, "actor", "缺少操作者 (actor required)");
	int n = opt->rejects ? snprintf(res->rejects, sizeof res->rejects, "%s", opt->rejects)
			     : snprintf(res->rejects, sizeof res->rejects, "%s.rejects.csv", opt->path);
	if (n < 0 || (size_t)n + 6 >= sizeof res->rejects)
		return dd_fail(err, DD_ELIMIT, "file", "路径过长 (path too long)");
	FILE *f = fopen(opt->path, "rb");
	if (!f)
		return dd_fail(err, errno == ENOENT ? DD_ENOTFOUND : DD_EINVAL, "file",
			       "无法打开文件 %s (cannot open: %s)", opt->path, strerror(errno));
	struct stat st0, st1;
	if (fstat(fileno(f), &st0) != 0 || !S_ISREG(st0.st_mode)) {
		fclose(f);
		return dd_fail(err, DD_EINVAL, "file", "须为普通文件，不能是管道 (must be a regular file, read twice)");
	}
	struct import_run r;
	memset(&r, 0, sizeof r);
	r.db = db;
	r.opt = opt;
	r.res = res;
	r.free_buf = -1;
	strbuf_init(&r.rbuf, READ_CHUNK + 4096);
	store_now(r.now);
	date_format(opt->today, r.today);
	const char *base = strrchr(opt->path, '/');
	snprintf(r.file_label, sizeof r.file_label, "%s", base ? base + 1 : opt->path);
	char part[sizeof res->rejects + 8];
	snprintf(part, sizeof part, "%s.part", res->rejects);

	phase(&r, -1);
	dd_status rc = id_index_init(&r.ids, (size_t)st0.st_size / 120, err);
	if (!rc)
		rc = db_tune_bulk(db, err);
	if (!rc) {
		r.pass = 1;
		rc = read_pass(&r, f, err);
	}
	phase(&r, PH_PASS1);
	if (!rc)
		rc = read_store(&r, err);
	if (!rc)
		rc = bulk_decide(&r, err);
	phase(&r, PH_STORE);
	if (!rc) {
		r.rejects = fopen(part, "wb");
		if (!r.rejects)
			rc = dd_fail(err, DD_EIO, "rejects", "无法创建拒收文件 %s (cannot create the rejects file: %s)",
				     part, strerror(errno));
	}
	if (!rc) {
		if (fstat(fileno(f), &st1) != 0 || !same_file(&st0, &st1) || fseek(f, 0, SEEK_SET) != 0)
			rc = dd_fail(err, DD_EINVAL, "file",
				     "文件在导入过程中被修改 (the file changed during the import)");
	}
	if (!rc) {
		r.pass = 2;
		writers_start(&r);
		rc = read_pass(&r, f, err);
		if (!rc)
			rc = chunk_flush(&r, err);
		/* also after a failure here: the chunks in hand end first */
		dd_error later;
		dd_status wrc = writers_stop(&r, rc ? &later : err);
		if (!rc)
			rc = wrc;
	}
	phase(&r, PH_PASS2);
	if (r.deferred) { /* also after a failure: the chunks stored need them */
		dd_error later;
		dd_status irc = store_restore_indexes(db, NULL, rc ? &later : err);
		if (!rc)
			rc = irc;
	}
	phase(&r, PH_INDEX);
	if (getenv("DOUDI_IMPORT_TRACE")) {
		for (int k = 0; k < PHASES; k++)
			fprintf(stderr, "%s %.3f s, ", phase_names[k], (double)r.phase_ns[k] / 1e9);
		fprintf(stderr, "(pass2 waiting for the writer %.3f s)\n", (double)r.wait_ns / 1e9);
	}
	if (!rc && (r.rows2 != res->rows || r.open_count))
		rc = dd_fail(err, DD_EINVAL, "file", "文件在导入过程中被修改 (the file changed during the import)");
	if (!rc)
		rc = rejects_flush(&r, err);
	if (r.rejects) {
		if (fclose(r.rejects) != 0 && !rc)
			rc = dd_fail(err, DD_EIO, "rejects", "无法写入拒收文件 (cannot write the rejects file: %s)",
				     strerror(errno));
		if (!rc && rename(part, res->rejects) != 0)
			rc = dd_fail(err, DD_EIO, "rejects", "无法写入拒收文件 (cannot rename the rejects file: %s)",
				     strerror(errno));
		if (rc)
			remove(part);
	}
	fclose(f);
	for (size_t i = 0; i < r.nhh; i++) {
		if (import_household_verdict(&r.hh[i].st) != IMPORT_HH_OK)
			res->rejected_households++;
		else if (r.hh[i].unchanged)
			res->unchanged++;
	}
	/* one summary row for the whole run */
	if (!rc && (res->households || res->rejected_rows)) {
		char detail[600];
		struct strbuf sb;
		strbuf_init(&sb, 256);
		strbuf_adds(&sb, "{\"file\":");
		strbuf_add_json_string(&sb, r.file_label, strlen(r.file_label));
		strbuf_addf(&sb,
			    ",\"households\":%" PRId64 ",\"persons\":%" PRId64 ",\"rejected_rows\":%" PRId64
			    ",\"rejected_households\":%" PRId64 ",\"unchanged\":%" PRId64 "}",
			    res->households, res->persons, res->rejected_rows, res->rejected_households,
			    res->unchanged);
		snprintf(detail, sizeof detail, "%s", sb.failed ? "{}" : sb.buf);
		strbuf_release(&sb);
		rc = db_begin(db, err);
		if (!rc)
			rc = audit_append(db, opt->actor, "import.households", "import", r.file_label, detail, err);
		if (!rc)
			rc = db_commit(db, err);
		else
			db_rollback(db);
	}
	/* a large load changes the tables' shape: the planner must know */
	static const char *const loaded[] = {"households", "persons", "memberships", "incomes"};
	for (size_t i = 0; !rc && res->persons >= 10000 && i < sizeof loaded / sizeof loaded[0]; i++)
		rc = db_analyze(db, loaded[i], err);
	run_release(&r);
	return rc;
}

/* --- export --- */

dd_status household_export(struct db *db, const char *scope, household_export_sink sink, void *ctx, int64_t *persons,
			   dd_error *err)
{
	*persons = 0;
	char lo[STORE_REGION_BOUND_MAX], hi[STORE_REGION_BOUND_MAX];
	store_region_range(scope ? scope : "", lo, hi);
	struct strbuf sb;
	strbuf_init(&sb, READ_CHUNK + 4096);
	import_export_header(&sb);
	struct db_stmt *st = NULL;
	dd_status rc = db_begin_read(db, err);
	if (rc) {
		strbuf_release(&sb);
		return rc;
	}
	rc = db_prepare(
	    db,
	    "SELECT h.household_no, h.region_code, h.area, p.id_number, p.name, m.relation, p.disability_grade, "
	    "p.disability_kind, p.severe_illness, p.labor_capacity, p.self_care, p.in_school, p.supporters, "
	    "i.wage, i.business, i.property, i.transfer, i.pension "
	    "FROM households h "
	    "JOIN memberships m ON m.household_id = h.id AND m.to_date IS NULL "
	    "JOIN persons p ON p.id = m.person_id "
	    "LEFT JOIN (SELECT person_id, "
	    "SUM(CASE WHEN type = 'wage' THEN amount END) AS wage, "
	    "SUM(CASE WHEN type = 'business' THEN amount END) AS business, "
	    "SUM(CASE WHEN type = 'property' THEN amount END) AS property, "
	    "SUM(CASE WHEN type = 'transfer' THEN amount END) AS transfer, "
	    "SUM(CASE WHEN type = 'basic_pension' THEN amount END) AS pension "
	    "FROM incomes WHERE period = 'month' AND to_month IS NULL AND region_code >= $1 AND region_code < $2 "
	    "GROUP BY person_id) i ON i.person_id = p.id "
	    "WHERE h.region_code >= $1 AND h.region_code < $2 "
	    "ORDER BY h.region_code, h.household_no, h.id, CASE WHEN m.relation = 'head' THEN 0 ELSE 1 END, p.id",
	    DB_STMT_STREAM, &st, err);
	if (!rc) {
		db_bind_str(st, 1, lo);
		db_bind_str(st, 2, hi);
	}
	bool row = false;
	while (!rc && !(rc = db_step(st, &row, err)) && row) {
		struct import_person p;
		memset(&p, 0, sizeof p);
		snprintf(p.household_no, sizeof p.household_no, "%s", db_column_text(st, 0, NULL));
		snprintf(p.region, sizeof p.region, "%s", db_column_text(st, 1, NULL));
		int area = import_code_value(IMPORT_COL_AREA, db_column_text(st, 2, NULL));
		snprintf(p.id.text, sizeof p.id.text, "%s", db_column_text(st, 3, NULL));
		snprintf(p.name, sizeof p.name, "%s", db_column_text(st, 4, NULL));
		int rel = import_code_value(IMPORT_COL_RELATION, db_column_text(st, 5, NULL));
		p.disability_grade = (int)db_column_int64(st, 6);
		int kind = db_column_is_null(st, 7)
			       ? DIS_NONE
			       : import_code_value(IMPORT_COL_DISABILITY_KIND, db_column_text(st, 7, NULL));
		p.severe_illness = db_column_int64(st, 8) != 0;
		int labor = import_code_value(IMPORT_COL_LABOR_CAPACITY, db_column_text(st, 9, NULL));
		int care = import_code_value(IMPORT_COL_SELF_CARE, db_column_text(st, 10, NULL));
		p.in_school = db_column_int64(st, 11) != 0;
		int sup = import_code_value(IMPORT_COL_SUPPORTERS, db_column_text(st, 12, NULL));
		if (area < 0 || rel < 0 || kind < 0 || labor < 0 || care < 0 || sup < 0 || p.disability_grade < 0 ||
		    p.disability_grade > 4) {
			rc = dd_fail(err, DD_EIO, "db", "库中数据不符合约束 (a stored value is out of its vocabulary)");
			break;
		}
		p.area = (enum area)area;
		p.relation = (enum relation)rel;
		p.disability_kind = (enum disability_kind)kind;
		p.labor_capacity = (enum level)labor;
		p.self_care = (enum level)care;
		p.supporters = (enum supporters)sup;
		for (int k = 0; k < IMPORT_AMOUNTS; k++) {
			if (!db_column_is_null(st, 13 + k)) {
				p.amount[k] = db_column_int64(st, 13 + k);
				p.present |= IMPORT_BIT(IMPORT_COL_WAGE_MONTH + k);
			}
		}
		import_export_row(&sb, &p);
		(*persons)++;
		if (sb.failed)
			rc = oom(err);
		else if (sb.len >= READ_CHUNK) {
			rc = sink(ctx, sb.buf, sb.len, err);
			strbuf_reset(&sb);
		}
	}
	db_finalize(st);
	if (!rc && sb.len)
		rc = sink(ctx, sb.buf, sb.len, err);
	db_rollback(db); /* the read snapshot */
	strbuf_release(&sb);
	return rc;
}
