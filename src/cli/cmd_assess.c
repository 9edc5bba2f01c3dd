/* cmd_assess.c - `doudi assess`, exactly as ASSESS.md: one household, or
 * --batch NDJSON streamed line by line in constant memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "line_pool.h"
#include "core/assess.h"
#include "core/household.h"
#include "core/json.h"
#include "core/policy.h"

#define SINGLE_MAX (16u * 1024 * 1024)
#define LINE_MAX_BYTES (1u * 1024 * 1024)
#define CACHE_SLOTS 1024

/* Resolved parameters per (region, date): most batches repeat a few. */
struct params_cache {
	struct {
		bool used;
		char region[REGION_TEXT_MAX];
		size_t epoch;
		dd_status rc;
		dd_error err;
		struct assess_params p;
	} slot[CACHE_SLOTS];
};

static const struct assess_params *cache_get(struct params_cache *c, const struct policy *pol, const char *region,
					     dd_date date, dd_error *err)
{
	size_t epoch = policy_epoch(pol, date);
	const char *full_region = region;
	region = policy_region_key(pol, region);
	uint32_t hash = 2166136261u;
	for (const char *s = region; *s; s++)
		hash = (hash ^ (unsigned char)*s) * 16777619u;
	hash = (hash ^ (uint32_t)epoch) * 16777619u;
	size_t i = hash % CACHE_SLOTS;
	if (!c->slot[i].used || c->slot[i].epoch != epoch || strcmp(c->slot[i].region, region) != 0) {
		c->slot[i].used = true;
		c->slot[i].epoch = epoch;
		snprintf(c->slot[i].region, sizeof c->slot[i].region, "%s", region);
		dd_error_clear(&c->slot[i].err);
		c->slot[i].rc = assess_params_resolve(pol, region, date, &c->slot[i].p, &c->slot[i].err);
	}
	if (c->slot[i].rc || c->slot[i].p.missing_rc) {
		/* rare: resolve again so the message names this household's date */
		c->slot[i].used = false;
		dd_status rc = assess_params_resolve(pol, full_region, date, &c->slot[i].p, err);
		if (rc)
			return NULL;
	}
	return &c->slot[i].p;
}

struct assess_ctx {
	const struct policy *policy;
	const dd_date *date_override;
	struct params_cache *cache;
	struct arena arena;
	bool pretty;
};

/* One household text → result JSON appended to out. */
static dd_status assess_one(struct assess_ctx *cx, const char *text, size_t n, struct strbuf *out, dd_error *err)
{
	arena_reset(&cx->arena);
	struct household h;
	struct assess_result r;
	dd_status rc = household_parse(text, n, cx->date_override, &cx->arena, &h, err);
	if (rc)
		return rc;
	const struct assess_params *p = cache_get(cx->cache, cx->policy, h.region_sig, h.date, err);
	if (!p)
		return err->code;
	if ((rc = household_assess(&h, p, &cx->arena, &r, err)))
		return rc;
	assess_render(&h, &r, cx->pretty, out);
	return out->failed ? dd_fail(err, DD_ENOMEM, "$", "内存不足 (out of memory)") : DD_OK;
}

static dd_status assess_line(void *ctx, const char *line, size_t n, struct strbuf *out, dd_error *err)
{
	return assess_one(ctx, line, n, out, err);
}

/* --batch: every core assesses, results come out in input order. */
static int run_batch(const struct assess_ctx *proto, const char *path, unsigned workers)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!in) {
		fprintf(stderr, "%s: 无法打开文件 (cannot open file)\n", path);
		return EXIT_BAD_INPUT;
	}
	struct assess_ctx *cx = calloc(workers, sizeof *cx);
	void **ctx = calloc(workers, sizeof *ctx);
	unsigned made = 0;
	for (; cx && ctx && made < workers; made++) {
		cx[made] = *proto;
		cx[made].cache = calloc(1, sizeof *cx[made].cache);
		if (!cx[made].cache)
			break;
		arena_init(&cx[made].arena, 64 * 1024, 64u * 1024 * 1024);
		ctx[made] = &cx[made];
	}
	int rc = EXIT_INTERNAL;
	struct line_pool_result res;
	if (made == workers) {
		line_pool_run(in, stdout, workers, ctx, assess_line, LINE_MAX_BYTES, &res);
		if (res.write_error || res.no_memory)
			fprintf(stderr, "doudi: 写出结果失败 (write error)\n");
		else if (res.read_error)
			fprintf(stderr, "%s: 读取失败 (read error)\n", path);
		else
			rc = res.bad_lines ? EXIT_BAD_INPUT : EXIT_OK;
	} else {
		fprintf(stderr, "doudi: 内存不足 (out of memory)\n");
	}
	for (unsigned i = 0; cx && i < made; i++) {
		arena_release(&cx[i].arena);
		free(cx[i].cache);
	}
	free(cx);
	free(ctx);
	if (in != stdin)
		fclose(in);
	return rc;
}

static int run_single(struct assess_ctx *cx, const char *path)
{
	char *text;
	size_t n;
	dd_error err;
	dd_error_clear(&err);
	dd_status rc = cli_read_file(path, SINGLE_MAX, &text, &n, &err);
	if (rc) {
		cli_print_error(&err);
		return rc == DD_ENOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
	}
	struct strbuf out;
	strbuf_init(&out, 4096);
	rc = assess_one(cx, text, n, &out, &err);
	free(text);
	int code = EXIT_OK;
	if (rc) {
		cli_print_error(&err);
		code = rc == DD_ENOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT;
	} else {
		strbuf_addc(&out, '\n');
		if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
			code = EXIT_INTERNAL;
	}
	strbuf_release(&out);
	return code;
}

static void assess_usage(void)
{
	fprintf(stderr, "用法 (usage): doudi assess [--policy FILE] [--date YYYY-MM-DD] [--pretty] [FILE|-]\n"
			"              doudi assess --batch [--policy FILE] [--date YYYY-MM-DD] FILE.ndjson|-\n");
}

int cmd_assess(int argc, char **argv)
{
	const char *policy_path = NULL, *date_text = NULL, *file = NULL;
	bool batch = false, pretty = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--batch") == 0) {
			batch = true;
		} else if (strcmp(a, "--pretty") == 0) {
			pretty = true;
		} else if ((strcmp(a, "--policy") == 0 || strcmp(a, "--date") == 0) && i + 1 < argc) {
			*(a[2] == 'p' ? &policy_path : &date_text) = argv[++i];
		} else if (strncmp(a, "--policy=", 9) == 0) {
			policy_path = a + 9;
		} else if (strncmp(a, "--date=", 7) == 0) {
			date_text = a + 7;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			assess_usage();
			return EXIT_OK;
		} else if ((a[0] != '-' || strcmp(a, "-") == 0) && !file) {
			file = a;
		} else {
			fprintf(stderr, "%s: 未知或多余的参数 (unknown or extra argument)\n", a);
			assess_usage();
			return EXIT_BAD_INPUT;
		}
	}
	if (!file)
		file = "-";
	dd_error err;
	dd_error_clear(&err);
	dd_date date;
	if (date_text && date_parse(date_text, strlen(date_text), &date, &err)) {
		fprintf(stderr, "--date: %s\n", err.message);
		return EXIT_BAD_INPUT;
	}
	struct policy policy;
	if (!cli_load_policy(policy_path, &policy))
		return EXIT_BAD_INPUT;
	struct assess_ctx cx = {.policy = &policy, .date_override = date_text ? &date : NULL, .pretty = pretty};
	int code;
	if (batch) {
		code = run_batch(&cx, file, line_pool_default_workers());
	} else {
		cx.cache = calloc(1, sizeof *cx.cache);
		if (!cx.cache) {
			policy_release(&policy);
			return EXIT_INTERNAL;
		}
		arena_init(&cx.arena, 64 * 1024, 64u * 1024 * 1024);
		code = run_single(&cx, file);
		arena_release(&cx.arena);
		free(cx.cache);
	}
	policy_release(&policy);
	return code;
}
