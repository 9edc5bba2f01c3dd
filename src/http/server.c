/* server.c - libmicrohttpd glue: the daemon, per-worker store connections,
 * request bodies within limits, request ids, the log, the graceful stop, and
 * the slow-request threads: a request that hashes a password (login, account
 * creation; argon2id, ~0.1 s and 64 MiB) is suspended and answered by one of
 * a few threads of its own, so the pool threads keep serving everyone else
 * and no more than that many hashes run at once. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "api.h"
#include "ratelimit.h"
#include "webfiles.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "store/store.h"

#define REQUEST_ID_HEX 17
/* an oversized body up to this size is read and dropped before the 413 */
#define DISCARD_MAX (64ULL * 1024 * 1024)

#define SLOW_THREADS_MAX 8

struct reqctx;

struct server {
	const struct server_config *cfg;
	struct api_config api;
	struct web_root web; /* web.len 0: no static files */
	atomic_int inflight;
	atomic_bool stopping;
	/* the slow-request queue and its threads */
	pthread_mutex_t slow_mu;
	pthread_cond_t slow_cv;
	struct reqctx *slow_head, *slow_tail;
	bool slow_stop;
	unsigned slow_n;
	pthread_t slow_threads[SLOW_THREADS_MAX];
};

/* One request: created on the first call of the access handler. */
struct reqctx {
	bool started;	   /* the access handler has seen it (inflight counted) */
	bool raw_path_bad; /* the raw target has an encoded slash, backslash or NUL */
	char id[REQUEST_ID_HEX];
	struct timespec t0;
	struct strbuf body;
	bool too_large;
	size_t max_body; /* this request's body limit (api_route_body_max) */
	int status;
	const char *route;
	long long user_id;
	const char *method;
	char ip[INET6_ADDRSTRLEN];
	/* a slow request: what its thread needs (the strings live in the
	 * connection's memory while it is suspended), then the answer */
	struct http_query query;
	struct api_request req;
	struct MHD_Connection *conn;
	struct reqctx *next;
	struct http_reply rep;
	bool rep_ready;
};

void server_config_default(struct server_config *c)
{
	memset(c, 0, sizeof *c);
	c->db = DB_DEFAULT_PATH;
	c->host = "127.0.0.1";
	c->port = 8080;
	c->max_body = 1024 * 1024;
	c->json_depth = 16;
	c->conn_memory = 32 * 1024; /* cleared on every request: see docs/operations.md */
	c->timeout = 30;
	c->portal_create_per_hour = 10;
	c->portal_lookup_per_minute = 30;
	c->portal_regions_per_minute = 120;
	c->drain = 30;
	accounts_policy_default(&c->policy);
}

/* ---- the log: one line per event, no personal data ---- */

static void log_line(const char *level, const char *req_id, const char *fmt, ...) DD_PRINTF(3, 4);

/* The line is made in one buffer and written with one write(2): no stdio
 * lock shared by the worker threads, and a line never interleaves with
 * another (it is shorter than PIPE_BUF). */
static void log_line(const char *level, const char *req_id, const char *fmt, ...)
{
	char line[640];
	store_now(line);
	int n = (int)strlen(line);
	n += snprintf(line + n, sizeof line - (size_t)n, " %s req=%s ", level, req_id && *req_id ? req_id : "-");
	if (n < 0 || (size_t)n >= sizeof line - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - 1 - (size_t)n, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n = (size_t)(n + m) >= sizeof line - 1 ? (int)sizeof line - 2 : n + m;
	line[n++] = '\n';
	for (size_t off = 0; off < (size_t)n;) {
		ssize_t w = write(STDERR_FILENO, line + off, (size_t)n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[400];
	vsnprintf(msg, sizeof msg, fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_line("WARN", NULL, "libmicrohttpd: %s", msg);
}

/* ---- one store connection per worker thread ---- */

static pthread_key_t db_key;

static void db_key_free(void *p)
{
	db_close(p);
}

static struct db *worker_db(struct server *s, const char *req_id)
{
	struct db *db = pthread_getspecific(db_key);
	if (db)
		return db;
	dd_error err;
	dd_error_clear(&err);
	if (db_open(s->cfg->db, 0, &db, &err)) {
		log_line("ERROR", req_id, "store: %s", err.message); /* names no URI or password */
		return NULL;
	}
	pthread_setspecific(db_key, db);
	return db;
}

static void worker_db_check(void)
{
	struct db *db = pthread_getspecific(db_key);
	if (db && db_last_fault(db) == DB_FAULT_CONNECTION) { /* reconnect on the next request */
		pthread_setspecific(db_key, NULL);
		db_close(db);
	}
}

/* After the workers stopped: SQLite folds the WAL into the database file on
 * the close it sees as the last, and workers that exit together can each see
 * another still open (measured: 6 of 30 stops at --threads 32 left the WAL
 * before this fold, none after). One connection opened and closed alone
 * folds in what is left, so a stopped server leaves one file that can be
 * copied. */
static void fold_wal(const char *target)
{
	if (db_target_is_postgres(target))
		return;
	struct db *db = NULL;
	dd_error err;
	dd_error_clear(&err);
	if (db_open(target, 0, &db, &err))
		log_line("WARN", NULL, "store: %s (the WAL stays beside the file; the next open folds it in)",
			 err.message);
	else
		db_close(db);
}

/* ---- responses ---- */

/* libmicrohttpd's decoded query arguments into our struct (the strings
 * live as long as the request). */
static enum MHD_Result query_collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	query_add(cls, key, value);
	return MHD_YES;
}

static enum MHD_Result respond(struct server *s, struct MHD_Connection *c, struct reqctx *r,
			       const struct http_reply *rep)
{
	const char *body = rep->body.buf ? rep->body.buf : "";
	struct MHD_Response *resp = MHD_create_response_from_buffer(rep->body.len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	bool ok = MHD_add_response_header(resp, "X-Request-Id", r->id) == MHD_YES &&
		  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") == MHD_YES &&
		  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES;
	if (ok && rep->body.len)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					     rep->content_type[0] ? rep->content_type
								  : "application/json; charset=utf-8") == MHD_YES;
	if (ok && rep->disposition[0])
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, rep->disposition) == MHD_YES;
	if (ok && rep->set_cookie[0])
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, rep->set_cookie) == MHD_YES;
	if (ok && rep->retry_after) {
		char ra[16];
		snprintf(ra, sizeof ra, "%u", rep->retry_after);
		ok = MHD_add_response_header(resp, "Retry-After", ra) == MHD_YES;
	}
	if (ok && rep->allow[0])
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rep->allow) == MHD_YES;
	if (ok && (rep->close || atomic_load(&s->stopping)))
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
	r->status = rep->status;
	r->user_id = rep->user_id;
	enum MHD_Result ret = ok ? MHD_queue_response(c, (unsigned)rep->status, resp) : MHD_NO;
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result respond_error(struct server *s, struct MHD_Connection *c, struct reqctx *r, int status,
				     const char *code, const char *message, bool close)
{
	struct http_reply rep;
	reply_init(&rep);
	reply_error(&rep, status, code, message, NULL);
	rep.close = close;
	enum MHD_Result ret = rep.body.failed ? MHD_NO : respond(s, c, r, &rep);
	reply_release(&rep);
	return ret;
}

/* ---- requests ---- */

static void client_ip(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
	out[0] = '\0';
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, INET6_ADDRSTRLEN);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, INET6_ADDRSTRLEN);
}

/* Content-Length as a number; false when absent or not digits. */
static bool content_length(struct MHD_Connection *c, unsigned long long *out)
{
	const char *s = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!s || !*s)
		return false;
	unsigned long long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (~0ULL - 9) / 10) {
			*out = ~0ULL; /* absurdly large: saturate */
			return true;
		}
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return true;
}

/* ---- the slow-request threads ---- */

static void slow_enqueue(struct server *s, struct reqctx *r)
{
	pthread_mutex_lock(&s->slow_mu);
	r->next = NULL;
	if (s->slow_tail)
		s->slow_tail->next = r;
	else
		s->slow_head = r;
	s->slow_tail = r;
	pthread_cond_signal(&s->slow_cv);
	pthread_mutex_unlock(&s->slow_mu);
}

/* Takes requests off the queue until told to stop and the queue is empty:
 * every suspended connection is resumed before the daemon stops. */
static void *slow_main(void *arg)
{
	struct server *s = arg;
	for (;;) {
		pthread_mutex_lock(&s->slow_mu);
		while (!s->slow_head && !s->slow_stop)
			pthread_cond_wait(&s->slow_cv, &s->slow_mu);
		struct reqctx *r = s->slow_head;
		if (r) {
			s->slow_head = r->next;
			if (!s->slow_head)
				s->slow_tail = NULL;
		}
		pthread_mutex_unlock(&s->slow_mu);
		if (!r)
			return NULL; /* stopping, and nothing left */
		reply_init(&r->rep);
		api_handle(&s->api, worker_db(s, r->id), &r->req, &r->rep, &r->route);
		worker_db_check();
		r->rep_ready = true;
		MHD_resume_connection(r->conn);
	}
}

static void slow_stop(struct server *s)
{
	pthread_mutex_lock(&s->slow_mu);
	s->slow_stop = true;
	pthread_cond_broadcast(&s->slow_cv);
	pthread_mutex_unlock(&s->slow_mu);
	for (unsigned i = 0; i < s->slow_n; i++)
		pthread_join(s->slow_threads[i], NULL);
	s->slow_n = 0;
}

/* A random request id. The random bytes are fetched 4 KiB at a time per
 * thread: one getrandom(2) every 512 requests instead of one each. */
static void request_id(char out[REQUEST_ID_HEX])
{
	enum { ID_BYTES = (REQUEST_ID_HEX - 1) / 2, POOL = 4096 };
	static _Thread_local unsigned char pool[POOL];
	static _Thread_local size_t used = POOL;
	if (used + ID_BYTES > POOL) {
		randombytes_buf(pool, sizeof pool);
		used = 0;
	}
	sodium_bin2hex(out, REQUEST_ID_HEX, pool + used, ID_BYTES);
	sodium_memzero(pool + used, ID_BYTES);
	used += ID_BYTES;
}

/* ---- the static files of the web UI (--web DIR) ---- */

/* The strict policy of the UI's pages: its own scripts only; Element Plus
 * sets inline styles. */
#define WEB_CSP                                                                                                        \
	"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "              \
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "          \
	"frame-ancestors 'none'"

static bool is_api_path(const char *url)
{
	return strcmp(url, "/healthz") == 0 || strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0;
}

/* A GET or HEAD outside the API: the file, or index.html (the single-page
 * application's history fallback), sent from its descriptor. */
static enum MHD_Result serve_static(struct server *s, struct MHD_Connection *c, struct reqctx *r, const char *url)
{
	if (r->raw_path_bad || !web_path_ok(url)) {
		r->route = "static";
		return respond_error(s, c, r, 404, "NOT_FOUND", "请求的地址不存在", false);
	}
	bool gz = web_accepts_gzip(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	struct web_file f;
	bool asset = strncmp(url, "/assets/", 8) == 0;
	r->route = "static";
	if (!web_open(&s->web, url, gz, &f)) {
		asset = false;
		r->route = "static-index";
		if (!web_open(&s->web, "/index.html", gz, &f))
			return respond_error(s, c, r, 404, "NOT_FOUND", "请求的地址不存在", false);
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((size_t)f.size, f.fd); /* owns the fd */
	if (!resp) {
		close(f.fd);
		return MHD_NO;
	}
	bool ok =
	    MHD_add_response_header(resp, "X-Request-Id", r->id) == MHD_YES &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f.type) == MHD_YES &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				    asset && !f.html ? "public, max-age=31536000, immutable" : "no-cache") == MHD_YES &&
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding") == MHD_YES &&
	    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES &&
	    MHD_add_response_header(resp, "Referrer-Policy", "same-origin") == MHD_YES;
	if (ok && f.gzip)
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip") == MHD_YES;
	if (ok && f.html)
		ok = MHD_add_response_header(resp, "Content-Security-Policy", WEB_CSP) == MHD_YES &&
		     MHD_add_response_header(resp, "X-Frame-Options", "DENY") == MHD_YES;
	if (ok && atomic_load(&s->stopping))
		ok = MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
	r->status = 200;
	enum MHD_Result ret = ok ? MHD_queue_response(c, MHD_HTTP_OK, resp) : MHD_NO;
	MHD_destroy_response(resp);
	return ret;
}

/* The first sight of a request (its raw target, before decoding): the
 * request's context, and whether the target hides an encoded slash,
 * backslash or NUL (which decoding would turn into a path separator or cut
 * the path short). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct reqctx *r = calloc(1, sizeof *r);
	if (r)
		r->raw_path_bad = !web_raw_target_ok(uri);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)version;
	struct server *s = cls;
	struct reqctx *r = *con_cls;
	if (!r || !r->started) {
		if (!r)
			r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->started = true;
		request_id(r->id);
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		strbuf_init(&r->body, 0);
		r->route = "-";
		r->method = http_method_parse(method) == HTTP_OTHER ? "OTHER" : method;
		client_ip(c, r->ip);
		*con_cls = r;
		atomic_fetch_add(&s->inflight, 1);
		unsigned long long len = 0;
		r->max_body = api_route_body_max(http_method_parse(method), url, s->cfg->max_body);
		if (content_length(c, &len) && len > r->max_body) {
			/* A client that waits for 100 Continue, or announces more than
			 * we are willing to read, is answered at once (and the
			 * connection closed). Otherwise the body is read and dropped
			 * without being kept, then answered: a client still writing
			 * when the connection closes would see a reset, not the 413. */
			const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
			if (expect || len > DISCARD_MAX)
				return respond_error(s, c, r, 413, "TOO_LARGE", "请求体过大", true);
			r->too_large = true;
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->too_large) {
			if (r->body.len + *upload_data_size > r->max_body) {
				r->too_large = true;
				strbuf_release(&r->body);
			} else {
				strbuf_add(&r->body, upload_data, *upload_data_size);
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_large)
		return respond_error(s, c, r, 413, "TOO_LARGE", "请求体过大", false);
	if (r->body.failed)
		return respond_error(s, c, r, 500, "INTERNAL", "服务器内部错误", true);

	if (r->rep_ready) { /* resumed: a slow thread has answered */
		enum MHD_Result ret = respond(s, c, r, &r->rep);
		reply_release(&r->rep);
		r->rep_ready = false;
		strbuf_release(&r->body);
		return ret;
	}

	enum http_method hm = http_method_parse(method);
	if (s->web.len && (hm == HTTP_GET || hm == HTTP_HEAD) && !is_api_path(url)) {
		enum MHD_Result ret = serve_static(s, c, r, url);
		strbuf_release(&r->body);
		return ret;
	}

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_collect, &r->query);
	r->req = (struct api_request){
	    .method = http_method_parse(method),
	    .path = url,
	    .query = &r->query,
	    .body = r->body.buf,
	    .body_len = r->body.len,
	    .cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE),
	    .csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token"),
	    .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
	    .ip = r->ip[0] ? r->ip : NULL,
	};
	if (s->slow_n && !atomic_load(&s->stopping) && api_route_slow(r->req.method, url)) {
		r->conn = c;
		MHD_suspend_connection(c); /* before the queue: resumed only after this */
		slow_enqueue(s, r);
		return MHD_YES;
	}
	struct db *db = worker_db(s, r->id);
	struct http_reply rep;
	reply_init(&rep);
	api_handle(&s->api, db, &r->req, &rep, &r->route);
	worker_db_check();
	enum MHD_Result ret = respond(s, c, r, &rep);
	reply_release(&rep);
	strbuf_release(&r->body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)c;
	struct server *s = cls;
	struct reqctx *r = *con_cls;
	if (!r)
		return;
	if (!r->started) { /* ended before the access handler saw it */
		free(r);
		*con_cls = NULL;
		return;
	}
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long us = (long long)(t1.tv_sec - r->t0.tv_sec) * 1000000 + (t1.tv_nsec - r->t0.tv_nsec) / 1000;
	char user[32] = "-";
	if (r->user_id)
		snprintf(user, sizeof user, "%lld", r->user_id);
	log_line(toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "INFO" : "WARN", r->id,
		 "%s %s status=%d us=%lld ip=%s user=%s%s", r->method, r->route, r->status, us, r->ip[0] ? r->ip : "-",
		 user, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	if (r->rep_ready)
		reply_release(&r->rep);
	strbuf_release(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

/* ---- start and stop ---- */

static bool bind_address(const char *host, unsigned port, struct sockaddr_storage *ss, bool *v6)
{
	memset(ss, 0, sizeof *ss);
	if (strcmp(host, "localhost") == 0)
		host = "127.0.0.1";
	struct sockaddr_in *a4 = (struct sockaddr_in *)(void *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)(void *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		*v6 = false;
		return true;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*v6 = true;
		return true;
	}
	return false;
}

static unsigned cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

int server_run(const struct server_config *cfg)
{
	if (sodium_init() < 0) {
		log_line("ERROR", NULL, "无法初始化 libsodium (libsodium init failed)");
		return 1;
	}
	struct sockaddr_storage ss;
	bool v6 = false;
	if (!bind_address(cfg->host, cfg->port, &ss, &v6)) {
		log_line("ERROR", NULL, "--host 应为数字 IP 地址 (--host must be a numeric address)");
		return 1;
	}
	/* the store must answer and have the current schema before we listen */
	struct db *db = NULL;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = db_open(cfg->db, 0, &db, &err);
	if (!rc)
		rc = store_check_schema(db, &err);
	db_close(db);
	if (rc) {
		log_line("ERROR", NULL, "store: %s", err.message);
		return 1;
	}

	static struct server s; /* the callbacks' context; one server per process */
	memset(&s, 0, sizeof s);
	s.cfg = cfg;
	s.api.policy = &cfg->policy;
	s.api.assess_policy = cfg->assess_policy;
	s.api.policies = cfg->policies;
	s.api.calendar = cfg->calendar;
	s.api.json_depth = cfg->json_depth;
	s.api.cookie_secure = cfg->cookie_secure;
	s.api.data_dir = cfg->data_dir;
	if (cfg->web && !web_root_init(&s.web, cfg->web)) {
		log_line("ERROR", NULL, "--web %s: 不是可读的目录 (not a readable directory)", cfg->web);
		return 1;
	}
	if (s.web.len)
		log_line("INFO", NULL, "web: serving the static files of %s", s.web.path);
	else
		log_line("INFO", NULL, "web: no web directory (web/dist not built, no --web): the API only");
	atomic_init(&s.inflight, 0);
	atomic_init(&s.stopping, false);
	if (pthread_key_create(&db_key, db_key_free) != 0) {
		log_line("ERROR", NULL, "pthread_key_create failed");
		return 1;
	}
	s.api.portal_create = rate_limiter_new(cfg->portal_create_per_hour, 3600, 4096);
	s.api.portal_lookup = rate_limiter_new(cfg->portal_lookup_per_minute, 60, 4096);
	s.api.portal_regions = rate_limiter_new(cfg->portal_regions_per_minute, 60, 4096);
	if (!s.api.portal_create || !s.api.portal_lookup || !s.api.portal_regions) {
		log_line("ERROR", NULL, "portal rate limits: bad value or out of memory");
		goto limiters;
	}
	pthread_mutex_init(&s.slow_mu, NULL);
	pthread_cond_init(&s.slow_cv, NULL);

	/* the workers inherit this mask: only the main thread takes the signals */
	sigset_t sigs, old;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	signal(SIGPIPE, SIG_IGN);

	unsigned threads = cfg->threads ? cfg->threads : cores();
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	if (v6)
		flags |= MHD_USE_IPv6;
	struct MHD_Daemon *d = MHD_start_daemon(
	    flags, (uint16_t)cfg->port, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->conn_memory, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
	    MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, &s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, &s, MHD_OPTION_END);
	if (!d) {
		log_line("ERROR", NULL, "无法在 %s 端口 %u 上监听 (cannot listen: %s)", cfg->host, cfg->port,
			 strerror(errno));
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto limiters;
	}
	/* half the workers hash passwords (at least one): at most that many
	 * argon2id hashes (64 MiB each) at once, the rest wait in the queue */
	unsigned want_slow = threads / 2 ? threads / 2 : 1;
	if (want_slow > SLOW_THREADS_MAX)
		want_slow = SLOW_THREADS_MAX;
	for (unsigned i = 0; i < want_slow; i++) {
		if (pthread_create(&s.slow_threads[s.slow_n], NULL, slow_main, &s) != 0)
			break; /* fewer (or none: then slow requests run on the pool) */
		s.slow_n++;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = di ? di->port : cfg->port;
	log_line("INFO", NULL, "listening on http://%s%s%s:%u threads=%u password-threads=%u", v6 ? "[" : "", cfg->host,
		 v6 ? "]" : "", port, threads, s.slow_n);

	int sig = 0;
	while (sigwait(&sigs, &sig) != 0)
		;
	log_line("INFO", NULL, "signal %d: stopping, %d request(s) in flight", sig, atomic_load(&s.inflight));
	atomic_store(&s.stopping, true);
	MHD_socket ls = MHD_quiesce_daemon(d);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (atomic_load(&s.inflight) <= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= (time_t)cfg->drain) {
			log_line("WARN", NULL, "drain timeout: %d request(s) cut", atomic_load(&s.inflight));
			break;
		}
		struct timespec tick = {0, 10 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
	slow_stop(&s);							/* answers what is still queued */
	for (int i = 0; i < 100 && atomic_load(&s.inflight) > 0; i++) { /* let the pool send those answers */
		struct timespec tick = {0, 10 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
	MHD_stop_daemon(d);
	fold_wal(cfg->db);
	pthread_mutex_destroy(&s.slow_mu);
	pthread_cond_destroy(&s.slow_cv);
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	pthread_key_delete(db_key);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	rate_limiter_free(s.api.portal_create);
	rate_limiter_free(s.api.portal_lookup);
	rate_limiter_free(s.api.portal_regions);
	log_line("INFO", NULL, "stopped");
	return 0;
limiters: /* could not start */
	rate_limiter_free(s.api.portal_create);
	rate_limiter_free(s.api.portal_lookup);
	rate_limiter_free(s.api.portal_regions);
	pthread_key_delete(db_key);
	return 1;
}
