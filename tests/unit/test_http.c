/* test_http.c - the pure parts of the HTTP layer: route matching (and what
 * it refuses: traversal, odd paths), the Cookie header, the error body.
 * Built by mk/server.mk with src/http/{router,cookie,reply}.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "http/cookie.h"
#include "http/query.h"
#include "http/reply.h"
#include "http/router.h"
#include "http/ratelimit.h"
#include "http/webfiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct route routes[] = {
    {HTTP_GET, "/healthz", 1, 0},
    {HTTP_POST, "/api/v1/session", 2, 0},
    {HTTP_DELETE, "/api/v1/session", 3, 0},
    {HTTP_GET, "/api/v1/households/{id}", 4, 0},
    {HTTP_POST, "/api/v1/applications/{id}/actions", 5, 0},
    {HTTP_GET, "/api/v1/households", 6, 0},
    {HTTP_GET, "/api/v1/policy/parameters/{*name}", 7, 0},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static void matching(void **state)
{
	(void)state;
	struct route_match m;
	unsigned allowed;
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/healthz", &m, &allowed), ROUTE_OK);
	assert_int_equal(m.route->id, 1);
	assert_int_equal(router_match(routes, NROUTES, HTTP_HEAD, "/healthz", &m, &allowed), ROUTE_OK);
	assert_int_equal(router_match(routes, NROUTES, HTTP_DELETE, "/api/v1/session", &m, &allowed), ROUTE_OK);
	assert_int_equal(m.route->id, 3);
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/api/v1/households", &m, &allowed), ROUTE_OK);
	assert_int_equal(m.route->id, 6);

	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/api/v1/households/42", &m, &allowed), ROUTE_OK);
	assert_int_equal(m.route->id, 4);
	long long id = 0;
	assert_true(route_param_id(&m, "id", &id));
	assert_int_equal(id, 42);
	assert_false(route_param_id(&m, "other", &id));

	assert_int_equal(router_match(routes, NROUTES, HTTP_POST, "/api/v1/applications/7/actions", &m, &allowed),
			 ROUTE_OK);
	assert_int_equal(m.route->id, 5);
	assert_int_equal(m.nparams, 1);
	assert_int_equal(m.params[0].len, 1);

	/* ids are digits, 1-19 of them, and positive */
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/api/v1/households/abc", &m, NULL), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/api/v1/households/-1", &m, NULL), ROUTE_NOT_FOUND);
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/api/v1/households/12345678901234567890", &m, NULL),
			 ROUTE_NOT_FOUND);
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/api/v1/households/0", &m, NULL), ROUTE_OK);
	assert_false(route_param_id(&m, "id", &id));
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, "/api/v1/households/9999999999999999999", &m, NULL),
			 ROUTE_OK);
	assert_false(route_param_id(&m, "id", &id)); /* above INT64_MAX */

	/* {*name}: a word of ASCII letters, digits, . _ - (tracking numbers, parameter names) */
	assert_int_equal(
	    router_match(routes, NROUTES, HTTP_GET, "/api/v1/policy/parameters/dibao.standard_urban-1", &m, NULL),
	    ROUTE_OK);
	assert_int_equal(m.route->id, 7);
	assert_int_equal(m.nparams, 1);
	assert_int_equal(m.params[0].name_len, 4);
	assert_memory_equal(m.params[0].name, "name", 4);
	assert_int_equal(m.params[0].len, strlen("dibao.standard_urban-1"));
	static const char *const bad_names[] = {"/api/v1/policy/parameters/di$bao", "/api/v1/policy/parameters/a%2e",
						"/api/v1/policy/parameters/..", "/api/v1/policy/parameters/a b",
						"/api/v1/policy/parameters/a/b"};
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++)
		assert_int_equal(router_match(routes, NROUTES, HTTP_GET, bad_names[i], &m, NULL), ROUTE_NOT_FOUND);
	char longname[128];
	memset(longname, 'a', sizeof longname);
	memcpy(longname, "/api/v1/policy/parameters/", 26);
	longname[26 + 97] = '\0';
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, longname, &m, NULL), ROUTE_NOT_FOUND);
	longname[26 + 96] = '\0';
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, longname, &m, NULL), ROUTE_OK);

	/* 405 with the allowed methods */
	assert_int_equal(router_match(routes, NROUTES, HTTP_PUT, "/api/v1/session", &m, &allowed),
			 ROUTE_METHOD_NOT_ALLOWED);
	assert_int_equal(allowed, HTTP_POST | HTTP_DELETE);
	char text[64];
	http_methods_text(allowed, text, sizeof text);
	assert_string_equal(text, "POST, DELETE");
	assert_int_equal(router_match(routes, NROUTES, HTTP_POST, "/healthz", &m, &allowed), ROUTE_METHOD_NOT_ALLOWED);
	http_methods_text(allowed, text, sizeof text);
	assert_string_equal(text, "GET, HEAD");

	/* unknown and prefix-only paths */
	static const char *const missing[] = {
	    "/", "/api", "/api/v1", "/api/v1/sessions", "/api/v1/session/x", "/healthzz", "/api/v1/households/1/x"};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
		if (router_match(routes, NROUTES, HTTP_GET, missing[i], &m, NULL) != ROUTE_NOT_FOUND)
			fail_msg("%s matched", missing[i]);
}

static void traversal(void **state)
{
	(void)state;
	struct route_match m;
	static const char *const bad[] = {
	    "",
	    "healthz",
	    "/api/v1/../healthz",
	    "/api/v1/./session",
	    "/../healthz",
	    "/healthz/..",
	    "/healthz/",
	    "//healthz",
	    "/api//v1/session",
	    "/api/v1/%2e%2e/healthz",
	    "/api\\v1\\session",
	    "/healthz\t",
	    "/héalthz",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (router_path_ok(bad[i]))
			fail_msg("path %s accepted", bad[i]);
		if (router_match(routes, NROUTES, HTTP_GET, bad[i], &m, NULL) != ROUTE_NOT_FOUND)
			fail_msg("path %s routed", bad[i]);
	}
	assert_true(router_path_ok("/"));
	assert_true(router_path_ok("/api/v1/households/12"));
	assert_true(router_path_ok("/a/..b/c.d")); /* dots inside a name are fine */
	char longpath[ROUTE_PATH_MAX + 10];
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	assert_false(router_path_ok(longpath));
	assert_int_equal(router_match(routes, NROUTES, HTTP_GET, NULL, &m, NULL), ROUTE_NOT_FOUND);
}

static void methods(void **state)
{
	(void)state;
	assert_int_equal(http_method_parse("GET"), HTTP_GET);
	assert_int_equal(http_method_parse("DELETE"), HTTP_DELETE);
	assert_int_equal(http_method_parse("get"), HTTP_OTHER);
	assert_int_equal(http_method_parse("BREW"), HTTP_OTHER);
	assert_int_equal(http_method_parse(NULL), HTTP_OTHER);
}

static void cookies(void **state)
{
	(void)state;
	char v[80];
	assert_true(cookie_get("doudi_session=abc", "doudi_session", v, sizeof v));
	assert_string_equal(v, "abc");
	assert_true(cookie_get("a=1; doudi_session=xyz; b=2", "doudi_session", v, sizeof v));
	assert_string_equal(v, "xyz");
	assert_true(cookie_get("a=1;doudi_session = \"q\" ;b=2", "doudi_session", v, sizeof v));
	assert_string_equal(v, "q");
	assert_true(cookie_get("doudi_session=first; doudi_session=second", "doudi_session", v, sizeof v));
	assert_string_equal(v, "first");
	assert_false(cookie_get("xdoudi_session=abc", "doudi_session", v, sizeof v));
	assert_false(cookie_get("doudi_sessionx=abc", "doudi_session", v, sizeof v));
	assert_false(cookie_get("doudi_session=", "doudi_session", v, sizeof v));
	assert_false(cookie_get("doudi_session", "doudi_session", v, sizeof v));
	assert_false(cookie_get("", "doudi_session", v, sizeof v));
	assert_false(cookie_get(NULL, "doudi_session", v, sizeof v));
	assert_false(cookie_get(";;; ;", "doudi_session", v, sizeof v));
	assert_true(cookie_get("junk; =x; doudi_session=ok", "doudi_session", v, sizeof v));
	assert_string_equal(v, "ok");
	char small[4];
	assert_false(cookie_get("doudi_session=toolong", "doudi_session", small, sizeof small));

	char set[256];
	assert_true(cookie_session_value(set, sizeof set, "tok", 60, false));
	assert_string_equal(set, "doudi_session=tok; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
	assert_true(cookie_session_value(set, sizeof set, NULL, 60, true));
	assert_string_equal(set, "doudi_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
	assert_false(cookie_session_value(set, 10, "tok", 60, false));
}

static void errors(void **state)
{
	(void)state;
	struct http_reply r;
	reply_init(&r);
	reply_error(&r, 400, "BAD_FIELD", "角色无效 \"x\"", "members[0].id");
	assert_int_equal(r.status, 400);
	assert_string_equal(
	    r.body.buf,
	    "{\"error\":{\"code\":\"BAD_FIELD\",\"message\":\"角色无效 \\\"x\\\"\",\"field\":\"members[0].id\"}}");
	reply_error(&r, 404, "NOT_FOUND", "不存在", NULL);
	assert_string_equal(r.body.buf, "{\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"不存在\",\"field\":\"\"}}");
	struct svc_error e;
	svc_error_clear(&e);
	assert_int_equal(svc_fail(&e, SVC_TOO_MANY, "TOO_MANY_ATTEMPTS", NULL, "请 %d 分钟后再试", 15), SVC_TOO_MANY);
	reply_svc_error(&r, &e);
	assert_int_equal(r.status, 429);
	assert_non_null(strstr(r.body.buf, "请 15 分钟后再试"));
	assert_int_equal(svc_http_status(SVC_CONFLICT), 409);
	assert_int_equal(svc_http_status(SVC_FORBIDDEN), 403);
	assert_int_equal(svc_http_status(SVC_UNAUTHENTICATED), 401);
	reply_release(&r);
}

static struct http_query make_query(const char *const *kv, size_t n)
{
	struct http_query q = {0};
	for (size_t i = 0; i + 1 < n; i += 2)
		query_add(&q, kv[i], kv[i + 1]);
	return q;
}

static void queries(void **state)
{
	(void)state;
	static const char *const kv[] = {
	    "page",  "2",	"per_page", "abc", "q",	  "  张三 ", "reveal", "",
	    "bad",   "\x01x",	"dup",	    "1",   "dup", "2",	     "big",    "99999999999999999999",
	    "latin", "\xc3\x28"};
	struct http_query q = make_query(kv, sizeof kv / sizeof kv[0]);
	struct svc_error e;
	int64_t n;
	char text[64];
	bool flag;
	svc_error_clear(&e);
	assert_int_equal(query_check(&q, &e), SVC_OK);
	assert_int_equal(query_int(&q, "page", 1, 100000, 1, &n, &e), SVC_OK);
	assert_int_equal(n, 2);
	assert_int_equal(query_int(&q, "absent", 1, 500, 50, &n, &e), SVC_OK);
	assert_int_equal(n, 50);
	assert_int_equal(query_int(&q, "per_page", 1, 500, 50, &n, &e), SVC_BAD_INPUT);
	assert_string_equal(e.field, "per_page");
	assert_int_equal(query_int(&q, "page", 3, 5, 3, &n, &e), SVC_BAD_INPUT);
	assert_int_equal(query_int(&q, "big", 0, INT64_MAX, 0, &n, &e), SVC_BAD_INPUT);
	assert_string_equal(e.field, "big");
	assert_int_equal(query_int(&q, "dup", 0, 9, 0, &n, &e), SVC_BAD_INPUT);
	assert_string_equal(e.field, "dup");
	assert_int_equal(query_text(&q, "q", 32, text, &e), SVC_OK);
	assert_string_equal(text, "张三");
	assert_int_equal(query_text(&q, "q", 4, text, &e), SVC_BAD_INPUT);
	assert_int_equal(query_text(&q, "bad", 32, text, &e), SVC_BAD_INPUT);
	assert_string_equal(e.field, "bad");
	assert_int_equal(query_text(&q, "latin", 32, text, &e), SVC_BAD_INPUT);
	assert_int_equal(query_text(&q, "none", 32, text, &e), SVC_OK);
	assert_string_equal(text, "");
	assert_int_equal(query_flag(&q, "reveal", &flag, &e), SVC_OK);
	assert_true(flag);
	assert_int_equal(query_flag(&q, "none", &flag, &e), SVC_OK);
	assert_false(flag);
	assert_int_equal(query_flag(&q, "page", &flag, &e), SVC_BAD_INPUT);
	struct http_query many = {0};
	for (int i = 0; i < QUERY_MAX_PARAMS + 1; i++)
		query_add(&many, "k", "v");
	assert_int_equal(query_check(&many, &e), SVC_BAD_INPUT);
}

static void web_paths(void **state)
{
	(void)state;
	const char *good[] = {"/",	 "/index.html",	    "/assets/app-1a2b.js", "/apply",
			      "/apply/", "/apply/status/x", "/households/12",	   "/申请"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(web_path_ok(good[i]));
	const char *bad[] = {"",       "index.html", "/..",	  "/../etc/passwd", "/assets/../../x", "/./x",
			     "/a//b",  "/a/./b",     "/a\\..\\b", "/%2e%2e/x",	    "/a/b/..",	       "/a\tb",
			     "/a\x7f", NULL};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(web_path_ok(bad[i]));
	assert_true(web_raw_target_ok("/assets/a.js?x=%2f"));
	assert_true(web_raw_target_ok("/a%20b"));
	assert_false(web_raw_target_ok("/a%2fb"));
	assert_false(web_raw_target_ok("/a%2Fb"));
	assert_false(web_raw_target_ok("/a%5cb"));
	assert_false(web_raw_target_ok("/index.html%00.png"));

	assert_string_equal(web_content_type("/index.html"), "text/html; charset=utf-8");
	assert_string_equal(web_content_type("/assets/a.B1.js"), "text/javascript; charset=utf-8");
	assert_string_equal(web_content_type("/assets/a.css"), "text/css; charset=utf-8");
	assert_string_equal(web_content_type("/logo.SVG"), "image/svg+xml; charset=utf-8");
	assert_string_equal(web_content_type("/f.woff2"), "font/woff2");
	assert_string_equal(web_content_type("/a.js.map"), "application/json; charset=utf-8");
	assert_string_equal(web_content_type("/favicon.ico"), "image/x-icon");
	assert_string_equal(web_content_type("/x.png"), "image/png");
	assert_string_equal(web_content_type("/.html"), "application/octet-stream");
	assert_string_equal(web_content_type("/README"), "application/octet-stream");

	assert_true(web_accepts_gzip("gzip, deflate, br"));
	assert_true(web_accepts_gzip("br;q=1.0, gzip;q=0.8"));
	assert_true(web_accepts_gzip("*"));
	assert_false(web_accepts_gzip(NULL));
	assert_false(web_accepts_gzip("br, deflate"));
	assert_false(web_accepts_gzip("gzip;q=0"));
	assert_false(web_accepts_gzip("gzip;q=0.000, *"));
	assert_false(web_accepts_gzip("gzipx"));
}

/* web_open on a real directory: files, index.html for a final slash, the
 * .gz sibling, and nothing outside the root (symlinks included). */
static void web_opening(void **state)
{
	(void)state;
	char root[] = "/tmp/doudi-web-XXXXXX";
	assert_non_null(mkdtemp(root));
	char outside[] = "/tmp/doudi-out-XXXXXX";
	assert_non_null(mkdtemp(outside));
	char p[512], q[512];
	const char *files[] = {"index.html", "assets/a.js", "assets/a.js.gz", "only.gz.gz"};
	snprintf(p, sizeof p, "%s/assets", root);
	assert_int_equal(mkdir(p, 0700), 0);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", root, files[i]);
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fputs(files[i], f);
		fclose(f);
	}
	snprintf(p, sizeof p, "%s/secret.txt", outside);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("secret", f);
	fclose(f);
	snprintf(q, sizeof q, "%s/leak.txt", root);
	assert_int_equal(symlink(p, q), 0);
	snprintf(q, sizeof q, "%s/out", root);
	assert_int_equal(symlink(outside, q), 0);
	snprintf(p, sizeof p, "%s/index.html", root);
	snprintf(q, sizeof q, "%s/assets/in.html", root);
	assert_int_equal(symlink(p, q), 0);

	struct web_root w;
	assert_false(web_root_init(&w, "/nonexistent-doudi-dir"));
	assert_true(web_root_init(&w, root));
	struct web_file wf;
	assert_true(web_open(&w, "/", false, &wf));
	assert_true(wf.html);
	assert_int_equal(wf.size, strlen("index.html"));
	close(wf.fd);
	assert_true(web_open(&w, "/assets/a.js", false, &wf));
	assert_false(wf.gzip);
	assert_int_equal(wf.size, strlen("assets/a.js"));
	close(wf.fd);
	assert_true(web_open(&w, "/assets/a.js", true, &wf));
	assert_true(wf.gzip);
	assert_string_equal(wf.type, "text/javascript; charset=utf-8");
	assert_int_equal(wf.size, strlen("assets/a.js.gz"));
	close(wf.fd);
	assert_true(web_open(&w, "/assets/in.html", false, &wf)); /* a symlink inside the root */
	close(wf.fd);
	assert_false(web_open(&w, "/only.gz", true, &wf));  /* no plain file beside the .gz */
	assert_false(web_open(&w, "/assets", false, &wf));  /* a directory */
	assert_false(web_open(&w, "/assets/", false, &wf)); /* no index.html there */
	assert_false(web_open(&w, "/missing.js", false, &wf));
	assert_false(web_open(&w, "/leak.txt", false, &wf));
	assert_false(web_open(&w, "/out/secret.txt", false, &wf));
	assert_false(web_open(&w, "/../index.html", false, &wf));
	assert_int_equal(wf.fd, -1);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", root, outside);
	assert_int_equal(system(cmd), 0);
}

/* The sliding window: exact counts, Retry-After, separate keys, eviction. */
static void rate_limits(void **state)
{
	(void)state;
	assert_null(rate_limiter_new(0, 60, 16));
	assert_null(rate_limiter_new(3, 0, 16));
	unsigned wait = 0;
	assert_true(rate_limiter_hit(NULL, "x", 0, &wait));
	struct rate_limiter *rl = rate_limiter_new(3, 60, 16);
	assert_non_null(rl);
	assert_true(rate_limiter_hit(rl, "10.0.0.1", 100, &wait));
	assert_true(rate_limiter_hit(rl, "10.0.0.1", 110, &wait));
	assert_true(rate_limiter_hit(rl, "10.0.0.1", 120, &wait));
	assert_false(rate_limiter_hit(rl, "10.0.0.1", 121, &wait));
	assert_int_equal(wait, 39);				   /* the event of 100 leaves the window at 160 */
	assert_true(rate_limiter_hit(rl, "10.0.0.2", 121, &wait)); /* another address */
	assert_false(rate_limiter_hit(rl, "10.0.0.1", 159, &wait));
	assert_int_equal(wait, 1);
	assert_true(rate_limiter_hit(rl, "10.0.0.1", 160, &wait)); /* sliding: one slot free */
	assert_false(rate_limiter_hit(rl, "10.0.0.1", 165, &wait));
	assert_int_equal(wait, 5); /* 110 + 60 - 165 */
	/* refusals are not counted: after the window all three are free again */
	assert_true(rate_limiter_hit(rl, "10.0.0.1", 230, &wait));
	assert_true(rate_limiter_hit(rl, "10.0.0.1", 230, &wait));
	assert_true(rate_limiter_hit(rl, "10.0.0.1", 230, &wait));
	assert_false(rate_limiter_hit(rl, "10.0.0.1", 230, &wait));
	/* many addresses in a small table: the idlest are forgotten, no crash */
	char key[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof key, "192.168.%d.%d", i / 256, i % 256);
		assert_true(rate_limiter_hit(rl, key, 300 + i, &wait));
	}
	assert_true(rate_limiter_hit(rl, NULL, 2000, &wait));
	assert_true(rate_limiter_hit(rl, "", 2000, &wait)); /* the same shared key */
	assert_true(rate_limiter_hit(rl, NULL, 2000, &wait));
	assert_false(rate_limiter_hit(rl, "", 2000, &wait));
	rate_limiter_free(rl);
}

/* query_page: the one page/per_page parser of every list. */
static void query_pages(void **state)
{
	(void)state;
	struct svc_error e;
	int64_t page = 0, per = 0;
	struct http_query none = {0};
	assert_int_equal(query_page(&none, &page, &per, &e), SVC_OK);
	assert_int_equal(page, 1);
	assert_int_equal(per, SVC_PER_PAGE_DEFAULT);
	static const char *const ok[] = {"page", "1000000000", "per_page", "500"};
	struct http_query q = make_query(ok, 4);
	assert_int_equal(query_page(&q, &page, &per, &e), SVC_OK);
	assert_int_equal(page, SVC_PAGE_MAX);
	assert_int_equal(per, 500);
	static const char *const bad[][4] = {{"page", "0", "per_page", "5"},
					     {"page", "1000000001", "per_page", "5"},
					     {"page", "1", "per_page", "501"},
					     {"page", "1", "per_page", "0"},
					     {"page", "1", "per_page", "x"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		q = make_query(bad[i], 4);
		svc_error_clear(&e);
		assert_int_equal(query_page(&q, &page, &per, &e), SVC_BAD_INPUT);
		assert_string_equal(e.field, i < 2 ? "page" : "per_page");
	}
	assert_int_equal(svc_page_check(SVC_PAGE_MAX + 1, 5, 500, &e), SVC_BAD_INPUT);
	assert_int_equal(svc_page_check(1, 501, 1000, &e), SVC_BAD_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matching),	   cmocka_unit_test(traversal),	  cmocka_unit_test(methods),
	    cmocka_unit_test(cookies),	   cmocka_unit_test(errors),	  cmocka_unit_test(queries),
	    cmocka_unit_test(web_paths),   cmocka_unit_test(web_opening), cmocka_unit_test(rate_limits),
	    cmocka_unit_test(query_pages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
