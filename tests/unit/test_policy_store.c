/* test_policy_store.c - the policy store (service/policy_store.h) on a
 * SQLite store: entries added are merged over the file and swapped in at
 * once, while reader threads keep acquiring, looking up and releasing the
 * policy (run with ASan: a policy freed under a reader would be caught); a
 * reference held across swaps stays valid; the checks of who may set what. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/json.h"
#include "service/policy_store.h"
#include "store/db.h"
#include "store/store.h"

static const char file[] = "{\"parameters\":["
			   "{\"name\":\"dibao.standard.urban\",\"region\":\"\",\"from\":\"2020-01-01\",\"value\":"
			   "\"500.00\"},"
			   "{\"name\":\"temp.first_aid_limit\",\"region\":\"50\",\"from\":\"2020-01-01\",\"value\":"
			   "\"1000.00\",\"demo\":true}]}";

static dd_date D(const char *s)
{
	dd_date t;
	if (date_parse(s, strlen(s), &t, NULL))
		fail_msg("bad date %s", s);
	return t;
}

static struct principal who(int64_t id, enum role r, const char *region, const char *name)
{
	struct principal p;
	memset(&p, 0, sizeof p);
	p.id = id;
	p.role = r;
	snprintf(p.username, sizeof p.username, "%s", name);
	assert_true(principal_set_region(&p, region));
	return p;
}

struct reader {
	struct policy_store *ps;
	atomic_bool *stop;
	long rounds;
	bool bad;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;
	dd_date d = D("2031-06-01");
	while (!atomic_load(r->stop)) {
		const struct policy *p = policy_store_acquire(r->ps);
		const struct policy_entry *e = policy_lookup(p, "dibao.standard.urban", "500154001", d);
		/* 500.00 from the file, or one of the stored values 600.00-619.00 */
		if (!e || (e->value.i != 50000 && (e->value.i < 60000 || e->value.i > 61900)))
			r->bad = true;
		policy_store_release(r->ps, p);
		r->rounds++;
	}
	return NULL;
}

static struct json_value *parse(struct arena *a, const char *text)
{
	struct json_value *v;
	dd_error err;
	if (json_parse(text, strlen(text), a, NULL, &v, &err))
		fail_msg("json: %s", err.message);
	return v;
}

static void swaps_under_readers(void **state)
{
	(void)state;
	char dir[] = "/tmp/doudi-pstore-XXXXXX", target[128];
	if (!mkdtemp(dir))
		fail_msg("mkdtemp");
	snprintf(target, sizeof target, "%s/t.db", dir);
	struct db *db;
	dd_error err;
	dd_error_clear(&err);
	assert_int_equal(db_open(target, DB_OPEN_CREATE, &db, &err), DD_OK);
	struct store_migrate_result mr;
	assert_int_equal(store_migrate(db, "test", &mr, NULL, NULL, &err), DD_OK);
	assert_int_equal(db_exec(db,
				 "INSERT INTO users (id, username, password_hash, role, region_code, created_at, "
				 "updated_at) VALUES (1, 'admin', 'x', 'admin', '000000', 'now', 'now'), (2, 'c', 'x', "
				 "'county', '500154', 'now', 'now')",
				 &err),
			 DD_OK);
	struct policy_store *ps;
	struct svc_error e;
	svc_error_clear(&e);
	assert_int_equal(policy_store_open(&ps, file, strlen(file), db, &e), SVC_OK);
	struct principal admin = who(1, ROLE_ADMIN, "000000", "admin"), county = who(2, ROLE_COUNTY, "500154", "c");

	/* a reference taken now outlives every swap below */
	const struct policy *held = policy_store_acquire(ps);

	atomic_bool stop;
	atomic_init(&stop, false);
	struct reader rd[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		rd[i] = (struct reader){.ps = ps, .stop = &stop};
		assert_int_equal(pthread_create(&th[i], NULL, read_loop, &rd[i]), 0);
	}
	struct arena a;
	arena_init(&a, 4096, 1 << 20);
	for (int i = 0; i < 20; i++) {
		char from[32], val[32];
		snprintf(from, sizeof from, "2030-01-%02d", i + 1);
		snprintf(val, sizeof val, "\"%d.00\"", 600 + i);
		struct policy_entry_new req = {
		    .name = "dibao.standard.urban", .region = "500154", .from = from, .value = parse(&a, val)};
		struct strbuf out;
		strbuf_init(&out, 256);
		svc_error_clear(&e);
		assert_int_equal(policy_store_add(ps, db, &admin, D("2026-01-01"), &req, &out, &e), SVC_OK);
		assert_non_null(strstr(out.buf, "\"origin\":\"store\""));
		strbuf_release(&out);
	}
	atomic_store(&stop, true);
	long rounds = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_false(rd[i].bad);
		rounds += rd[i].rounds;
	}
	assert_true(rounds > 0);

	/* the old reference still reads the file's value; the new policy the last entry */
	const struct policy_entry *x = policy_lookup(held, "dibao.standard.urban", "500154", D("2031-06-01"));
	assert_int_equal(x->value.i, 50000);
	policy_store_release(ps, held);
	const struct policy *p = policy_store_acquire(ps);
	x = policy_lookup(p, "dibao.standard.urban", "500154", D("2031-06-01"));
	assert_int_equal(x->value.i, 61900);
	assert_true(x->stored);
	assert_string_equal(x->created_by, "admin");
	policy_store_release(ps, p);

	/* who may set what */
	struct {
		const struct principal *as;
		const char *region, *from, *value;
		enum svc_kind kind;
		const char *field;
	} rows[] = {
	    {&county, "500155", "2026-02-01", "\"1.00\"", SVC_FORBIDDEN, "region"},
	    {&county, "", "2026-02-01", "\"1.00\"", SVC_FORBIDDEN, "region"},
	    {&county, "500154", "2025-12-31", "\"1.00\"", SVC_RULE, "from"},
	    {&county, "500154", "2026-02-01", "\"-1.00\"", SVC_BAD_INPUT, "value"},
	    {&county, "500154", "2026-02-01", "[1]", SVC_BAD_INPUT, "value"},
	    {&admin, "500154", "2030-01-01", "\"1.00\"", SVC_CONFLICT, "from"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct policy_entry_new req = {.name = "temp.first_aid_limit",
					       .region = rows[i].region,
					       .from = rows[i].from,
					       .value = parse(&a, rows[i].value)};
		if (rows[i].kind == SVC_CONFLICT)
			req.name = "dibao.standard.urban";
		struct strbuf out;
		strbuf_init(&out, 64);
		svc_error_clear(&e);
		assert_int_equal(policy_store_add(ps, db, rows[i].as, D("2026-01-01"), &req, &out, &e), rows[i].kind);
		assert_string_equal(e.field, rows[i].field);
		strbuf_release(&out);
	}
	/* a reload from the store gives the same answers */
	assert_int_equal(policy_store_reload(ps, db, &e), SVC_OK);
	p = policy_store_acquire(ps);
	assert_int_equal(policy_lookup(p, "dibao.standard.urban", "500154", D("2030-01-05"))->value.i, 60400);
	assert_int_equal(policy_lookup(p, "dibao.standard.urban", "500155", D("2030-01-05"))->value.i, 50000);
	policy_store_release(ps, p);
	arena_release(&a);
	policy_store_close(ps);
	db_close(db);
	char path[160];
	static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(swaps_under_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
