/* line_pool.c - see line_pool.h. One mutex and two condition variables guard
 * a ring of job slots; slot s holds job number s, s + K, s + 2K… so jobs are
 * handed out and written back in input order. */
#include "line_pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JOB_TARGET (128u * 1024) /* bytes of input per job */
#define READ_STEP (64u * 1024)	 /* extra read while a long line is incomplete */

enum slot_state { SLOT_EMPTY, SLOT_FILLED, SLOT_WORKING, SLOT_DONE };

struct job {
	enum slot_state state;
	char *in;
	size_t len;
	unsigned long first_line, lines, bad;
	struct strbuf out;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work; /* a job was filled, or the run is over */
	pthread_cond_t done; /* a job was finished */
	struct job *slot;
	size_t k, cap, max_line;
	unsigned long next_take; /* job number the next worker takes */
	unsigned long next_fill; /* job number the reader fills next */
	bool closing;
	line_fn fn;
};

struct reader {
	FILE *in;
	char *carry;
	size_t carry_len;
	bool skipping; /* dropping the rest of an over-long line */
	bool eof, error;
	unsigned long line;
};

struct worker_arg {
	struct pool *pool;
	void *ctx;
};

void line_pool_error_line(struct strbuf *out, unsigned long line, const dd_error *err)
{
	struct strbuf msg;
	strbuf_init(&msg, 128);
	strbuf_addf(&msg, "%s: %s", err->field[0] ? err->field : "$", err->message);
	strbuf_adds(out, "{\"line\":");
	strbuf_add_int(out, (int64_t)line);
	strbuf_adds(out, ",\"error\":");
	strbuf_add_json_string(out, msg.buf ? msg.buf : "", msg.len);
	strbuf_addc(out, '}');
	strbuf_release(&msg);
}

static void run_job(struct pool *pl, void *ctx, struct job *j)
{
	const char *p = j->in, *end = j->in + j->len;
	unsigned long line = j->first_line;
	strbuf_reset(&j->out);
	j->bad = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *next = p + n + 1;
		if (n && p[n - 1] == '\r')
			n--;
		dd_error err;
		dd_error_clear(&err);
		size_t mark = j->out.len;
		dd_status rc;
		if (n > pl->max_line)
			rc = dd_fail(&err, DD_ELIMIT, "$", "行超过 %zu 字节上限 (line too long)", pl->max_line);
		else if (n == 0)
			rc = dd_fail(&err, DD_EINVAL, "$", "空行 (empty line)");
		else
			rc = pl->fn(ctx, p, n, &j->out, &err);
		if (rc) {
			j->out.len = mark;
			line_pool_error_line(&j->out, line, &err);
			j->bad++;
		}
		strbuf_addc(&j->out, '\n');
		line++;
		p = next;
	}
}

static void *worker_main(void *arg)
{
	struct worker_arg *wa = arg;
	struct pool *pl = wa->pool;
	pthread_mutex_lock(&pl->mu);
	for (;;) {
		struct job *j = &pl->slot[pl->next_take % pl->k];
		if (pl->next_take < pl->next_fill && j->state == SLOT_FILLED) {
			pl->next_take++;
			j->state = SLOT_WORKING;
			pthread_mutex_unlock(&pl->mu);
			run_job(pl, wa->ctx, j);
			pthread_mutex_lock(&pl->mu);
			j->state = SLOT_DONE;
			pthread_cond_signal(&pl->done);
			continue;
		}
		if (pl->closing)
			break;
		pthread_cond_wait(&pl->work, &pl->mu);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t c = 0;
	const char *end = p + n;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
		c++;
		p++;
	}
	return c;
}

/* Reads into job j: the carried partial line, then whole lines up to about
 * JOB_TARGET bytes. Returns true when j has something to process. */
static bool fill(struct reader *r, struct pool *pl, struct job *j)
{
	memcpy(j->in, r->carry, r->carry_len);
	j->len = r->carry_len;
	r->carry_len = 0;
	while (!r->eof) {
		size_t want;
		if (j->len < JOB_TARGET) {
			want = JOB_TARGET - j->len;
		} else {
			size_t last = j->len;
			while (last && j->in[last - 1] != '\n')
				last--;
			if (last)
				break;
			if (j->len > pl->max_line + 1) {
				/* over-long: keep enough to report it, drop the rest */
				j->len = pl->max_line + 1;
				j->in[j->len++] = '\n';
				r->skipping = true;
				continue;
			}
			want = READ_STEP;
		}
		size_t got = fread(j->in + j->len, 1, want, r->in);
		if (got < want) {
			r->eof = true;
			r->error = ferror(r->in) != 0;
		}
		if (r->skipping && got) {
			char *s = j->in + j->len;
			char *nl = memchr(s, '\n', got);
			if (!nl) {
				got = 0;
			} else {
				size_t drop = (size_t)(nl - s) + 1;
				memmove(s, nl + 1, got - drop);
				got -= drop;
				r->skipping = false;
			}
		}
		j->len += got;
	}
	if (!r->eof) {
		size_t last = j->len;
		while (last && j->in[last - 1] != '\n')
			last--;
		r->carry_len = j->len - last;
		memcpy(r->carry, j->in + last, r->carry_len);
		j->len = last;
	}
	j->first_line = r->line + 1;
	j->lines = count_lines(j->in, j->len);
	if (r->eof && j->len && j->in[j->len - 1] != '\n')
		j->lines++;
	r->line += j->lines;
	return j->len > 0;
}

unsigned line_pool_default_workers(void)
{
	const char *env = getenv("DOUDI_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	return (unsigned)n;
}

int line_pool_run(FILE *in, FILE *out, unsigned workers, void **ctx, line_fn fn, size_t max_line,
		  struct line_pool_result *res)
{
	memset(res, 0, sizeof *res);
	if (workers < 1)
		workers = 1;
	struct pool pl = {.k = 2 * (size_t)workers + 1, .max_line = max_line, .fn = fn};
	pl.cap = (max_line > JOB_TARGET ? max_line : JOB_TARGET) + READ_STEP + 2;
	struct reader r = {.in = in};
	pl.slot = calloc(pl.k, sizeof *pl.slot);
	r.carry = malloc(pl.cap);
	pthread_t *tid = calloc(workers, sizeof *tid);
	struct worker_arg *wa = calloc(workers, sizeof *wa);
	bool ok = pl.slot && r.carry && tid && wa;
	for (size_t i = 0; ok && i < pl.k; i++) {
		pl.slot[i].in = malloc(pl.cap);
		strbuf_init(&pl.slot[i].out, 0);
		ok = pl.slot[i].in != NULL;
	}
	unsigned started = 0;
	pthread_mutex_init(&pl.mu, NULL);
	pthread_cond_init(&pl.work, NULL);
	pthread_cond_init(&pl.done, NULL);
	for (; ok && started < workers; started++) {
		wa[started] = (struct worker_arg){&pl, ctx[started]};
		if (pthread_create(&tid[started], NULL, worker_main, &wa[started]) != 0)
			break;
	}
	if (ok && started == 0)
		ok = false;
	unsigned long next_write = 0;
	pthread_mutex_lock(&pl.mu);
	while (ok) {
		struct job *w = &pl.slot[next_write % pl.k];
		if (next_write < pl.next_fill && w->state == SLOT_DONE) {
			pthread_mutex_unlock(&pl.mu);
			if (w->out.failed) {
				res->no_memory = true;
			} else if (!res->write_error && fwrite(w->out.buf, 1, w->out.len, out) != w->out.len) {
				res->write_error = true;
			}
			res->lines += w->lines;
			res->bad_lines += w->bad;
			if (w->out.cap > 8u * 1024 * 1024) /* a degenerate job: give the memory back */
				strbuf_release(&w->out);
			pthread_mutex_lock(&pl.mu);
			w->state = SLOT_EMPTY;
			next_write++;
			continue;
		}
		struct job *f = &pl.slot[pl.next_fill % pl.k];
		if (!r.eof && !res->write_error && !res->no_memory && f->state == SLOT_EMPTY) {
			pthread_mutex_unlock(&pl.mu);
			bool any = fill(&r, &pl, f);
			pthread_mutex_lock(&pl.mu);
			if (any) {
				f->state = SLOT_FILLED;
				pl.next_fill++;
				pthread_cond_signal(&pl.work);
			}
			continue;
		}
		if (next_write == pl.next_fill && (r.eof || res->write_error || res->no_memory))
			break;
		pthread_cond_wait(&pl.done, &pl.mu);
	}
	pl.closing = true;
	pthread_cond_broadcast(&pl.work);
	pthread_mutex_unlock(&pl.mu);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&pl.work);
	pthread_cond_destroy(&pl.done);
	pthread_mutex_destroy(&pl.mu);
	if (!ok)
		res->no_memory = true;
	res->read_error = r.error;
	for (size_t i = 0; pl.slot && i < pl.k; i++) {
		free(pl.slot[i].in);
		strbuf_release(&pl.slot[i].out);
	}
	free(pl.slot);
	free(r.carry);
	free(tid);
	free(wa);
	if (fflush(out) != 0)
		res->write_error = true;
	return res->read_error || res->write_error || res->no_memory ? -1 : 0;
}
