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
	free(hs);
	free(ps);
	arena_release(&keep);
	arena_release(&work);
	policy_release(&pol);
	return 0;
}
