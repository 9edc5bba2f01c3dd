/* bench_engine.c - the assessment engine in process, without JSON: reads an
 * NDJSON file of households, parses them all once, then times
 * household_assess over them (parameters resolved per household first, as a
 * caller holding a policy snapshot would). Prints households/s on one core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/assess.h"
#include "core/household.h"
#include "core/json.h"

extern const char dd_default_policy[];
extern const char dd_default_policy_end[];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where --batch spends its time, one core: each household's line read from
 * memory, parsed, read into a struct, assessed and rendered, with the clock
 * read between the phases. */
static void phases(const char *path, size_t max, const struct policy *pol)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	struct arena a;
	arena_init(&a, 1 << 16, 0);
	struct strbuf out;
	strbuf_init(&out, 1 << 16);
	char *line = NULL;
	size_t cap = 0, n = 0, in_bytes = 0, out_bytes = 0;
	ssize_t got;
	double t[4] = {0};
	dd_error err;
	while (n < max && (got = getline(&line, &cap, f)) > 0) {
		struct json_value *doc;
		struct household h;
		struct assess_params p;
		struct assess_result r;
		arena_reset(&a);
		strbuf_reset(&out);
		double t0 = now();
		if (json_parse(line, (size_t)got, &a, NULL, &doc, &err) || household_read(doc, NULL, &a, &h, &err))
			continue;
		double t1 = now();
		arena_reset(&a);
		if (household_parse(line, (size_t)got, NULL, &a, &h, &err))
			continue;
		double t2 = now();
		if (assess_params_resolve(pol, h.region_sig, h.date, &p, &err))
			continue;
		double t2b = now();
		if (household_assess(&h, &p, &a, &r, &err))
			continue;
		double t3 = now();
		assess_render(&h, &r, false, &out);
		double t4 = now();
		t[0] += t1 - t0;
		t[1] += t2 - t1;
		t[2] += t3 - t2b; /* parameters left out: the CLI caches them per region and date */
		t[3] += t4 - t3;
		in_bytes += (size_t)got;
		out_bytes += out.len;
		n++;
	}
	free(line);
	fclose(f);
	strbuf_release(&out);
	arena_release(&a);
	if (!n)
		return;
	static const char *const name[] = {"json_parse + household_read", "household_parse (one pass)", "assess",
					   "render"};
	printf("per household on one core (%zu households, %zu bytes in, %zu bytes out on average):\n", n, in_bytes / n,
	       out_bytes / n);
	for (int i = 0; i < 4; i++)
		printf("  %-30s %6.2f us\n", name[i], t[i] / (double)n * 1e6);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_engine FILE.ndjson [max] [rounds]\n");
		return 2;
	}
	size_t max = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
	int rounds = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
	struct policy pol;
	dd_error err;
	if (policy_load(&pol, dd_default_policy, (size_t)(dd_default_policy_end - dd_default_policy), &err)) {
		fprintf(stderr, "policy: %s %s\n", err.field, err.message);
		return 1;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return 1;
	struct arena keep, work;
	arena_init(&keep, 1 << 24, 0);
	arena_init(&work, 1 << 16, 0);
	struct household *hs = calloc(max, sizeof *hs);
	struct assess_params *ps = calloc(max, sizeof *ps);
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t got;
	while (n < max && (got = getline(&line, &cap, f)) > 0) {
		struct json_value *doc;
		if (json_parse(line, (size_t)got, &keep, NULL, &doc, &err) ||
		    household_read(doc, NULL, &keep, &hs[n], &err) ||
		    assess_params_resolve(&pol, hs[n].region_sig, hs[n].date, &ps[n], &err))
			continue;
		n++;
	}
	free(line);
	fclose(f);
	double best = 1e9;
	long det[4] = {0};
	for (int r = 0; r < rounds; r++) {
		double t0 = now();
		for (size_t i = 0; i < n; i++) {
			struct assess_result res;
			arena_reset(&work);
			if (household_assess(&hs[i], &ps[i], &work, &res, &err) == DD_OK && r == 0)
				det[res.determination]++;
		}
		double dt = now() - t0;
		if (dt < best)
			best = dt;
	}
	printf("engine (in process, no JSON, one core): %zu households, best of %d rounds %.3f s = %.0f households/s\n",
	       n, rounds, best, (double)n / best);
	printf("  determinations: none %ld, dibao %ld, gradual_exit %ld, marginal %ld\n", det[DET_NONE], det[DET_DIBAO],
	       det[DET_GRADUAL_EXIT], det[DET_MARGINAL]);
	phases(argv[1], max, &pol);
	free(hs);
	free(ps);
	arena_release(&keep);
	arena_release(&work);
	policy_release(&pol);
	return 0;
}
