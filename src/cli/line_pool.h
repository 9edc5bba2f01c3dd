/* line_pool.h - NDJSON batch processing on all cores, output in input order.
 *
 * The calling thread reads the input in blocks of whole lines and writes the
 * results; `workers` threads turn each line into one output line with `fn`.
 * Memory is bounded by the number of blocks in flight (2 per worker + 1),
 * never by the file: a line longer than max_line is reported as too long and
 * its bytes are skipped, not kept. A line that fn refuses becomes
 * {"line":N,"error":"field: message"} and the run goes on. */
#ifndef DD_LINE_POOL_H
#define DD_LINE_POOL_H

#include <stdbool.h>
#include <stdio.h>

#include "core/status.h"
#include "core/strbuf.h"

/* Appends one result (no newline) for one line to out; ctx is the worker's own. */
typedef dd_status (*line_fn)(void *ctx, const char *line, size_t n, struct strbuf *out, dd_error *err);

struct line_pool_result {
	unsigned long lines;
	unsigned long bad_lines;
	bool read_error, write_error, no_memory;
};

/* Runs the pool; ctx[i] is worker i's context. Returns 0 when every line was
 * read and every result written (bad lines included), -1 otherwise. */
int line_pool_run(FILE *in, FILE *out, unsigned workers, void **ctx, line_fn fn, size_t max_line,
		  struct line_pool_result *res);

/* The number of workers to use: DOUDI_THREADS if set, else the online cores (1..64). */
unsigned line_pool_default_workers(void);

/* Appends {"line":N,"error":"field: message"}. */
void line_pool_error_line(struct strbuf *out, unsigned long line, const dd_error *err);

#endif
